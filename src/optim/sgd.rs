//! Stochastic gradient descent, plain or with heavy-ball / Nesterov momentum (`torch.optim.SGD`).

use super::def::{HyperReader, OptimizerDef, any_combination};
use super::hyper::{HyperError, HyperSpec, HyperValues, lr, rate, switch, weight_decay};
use crate::engine::{Objective, Optimizer, Oracle, StatePicture, Step};

const WD: HyperSpec = weight_decay(0.0);
const MU: HyperSpec = rate(
    "momentum",
    0.9,
    "Momentum μ: the fraction of the previous velocity kept at each step.",
);
const STATE: &str = "The step the velocity alone carries into the next update, −γμb, as an arrow.";

/// Plain gradient descent: SGD without momentum.
pub const GD: OptimizerDef = OptimizerDef {
    name: "gd",
    title: "Gradient descent",
    short: "GD",
    summary: "Steps straight down the gradient; the baseline every other method improves on.",
    formula: include_str!("formulas/gd.txt"),
    hyper: &[lr(1e-3), WD],
    oracle: Oracle::Gradient,
    build: |hp| Ok(Box::new(Sgd::new(0.0, 0.0, hp.get("weight_decay")?, false))),
    check: any_combination,
    state_legend: "Plain gradient descent keeps no state.",
    // The velocity buffer heavy ball would use: GD shares its implementation and holds it.
    state_vectors: |_| 1,
    stable_lr: Some(|_, lambda| gd_stable_lr(lambda)),
};

/// SGD with heavy-ball momentum (and PyTorch's dampening and Nesterov switches).
pub const MOMENTUM: OptimizerDef = OptimizerDef {
    name: "momentum",
    title: "SGD + momentum",
    short: "Momentum",
    summary: "Heavy ball (Polyak, 1964): a velocity that builds up along consistent directions and damps zig-zags.",
    formula: include_str!("formulas/momentum.txt"),
    hyper: &[
        lr(1e-3),
        MU,
        rate(
            "dampening",
            0.0,
            "Dampening τ: scales down the gradient's contribution to the velocity by (1 − τ).",
        ),
        WD,
        switch(
            "nesterov",
            false,
            "Nesterov: step with the gradient plus the look-ahead velocity μ·b instead of b alone.",
        ),
    ],
    oracle: Oracle::Gradient,
    build: build_momentum,
    check: nesterov_needs_momentum,
    state_legend: STATE,
    state_vectors: |_| 1,
    stable_lr: Some(|hp, lambda| {
        let momentum = hp.get("momentum").unwrap_or(0.0);
        if momentum == 0.0 {
            gd_stable_lr(lambda)
        } else if hp.flag("nesterov") {
            nesterov_stable_lr(lambda, momentum)
        } else {
            heavy_ball_stable_lr(lambda, momentum, hp.get("dampening").unwrap_or(0.0))
        }
    }),
};

/// SGD with Nesterov momentum.
pub const NESTEROV: OptimizerDef = OptimizerDef {
    name: "nesterov",
    title: "SGD + Nesterov",
    short: "Nesterov",
    summary: "Nesterov (1983), in PyTorch's form: momentum that looks ahead before it leaps.",
    formula: include_str!("formulas/nesterov.txt"),
    hyper: &[lr(1e-3), MU, WD],
    oracle: Oracle::Gradient,
    build: |hp| {
        Ok(Box::new(Sgd::new(
            hp.get("momentum")?,
            0.0,
            hp.get("weight_decay")?,
            true,
        )))
    },
    check: any_combination,
    state_legend: STATE,
    state_vectors: |_| 1,
    stable_lr: Some(|hp, lambda| nesterov_stable_lr(lambda, hp.get("momentum").unwrap_or(0.0))),
};

fn build_momentum(hp: &HyperReader<'_>) -> Result<Box<dyn Optimizer>, HyperError> {
    Ok(Box::new(Sgd::new(
        hp.get("momentum")?,
        hp.get("dampening")?,
        hp.get("weight_decay")?,
        hp.flag("nesterov")?,
    )))
}

/// Largest stable γ for gradient descent: 2/λ_max (`None` when λ_max ≤ 0, where no γ is
/// unstable along a direction that curves up).
pub fn gd_stable_lr(lambda_max: f64) -> Option<f64> {
    (lambda_max > 0.0).then(|| 2.0 / lambda_max)
}

/// Largest stable γ for heavy-ball momentum μ with dampening τ: 2(1 + μ)/((1 − τ)·λ_max).
pub fn heavy_ball_stable_lr(lambda_max: f64, momentum: f64, dampening: f64) -> Option<f64> {
    let effective = (1.0 - dampening) * lambda_max;
    (effective > 0.0).then(|| 2.0 * (1.0 + momentum) / effective)
}

/// Largest stable γ for PyTorch's Nesterov momentum μ: 2(1 + μ)/((1 + 2μ)·λ_max).
pub fn nesterov_stable_lr(lambda_max: f64, momentum: f64) -> Option<f64> {
    (lambda_max > 0.0).then(|| 2.0 * (1.0 + momentum) / ((1.0 + 2.0 * momentum) * lambda_max))
}

/// PyTorch's rule: Nesterov momentum requires momentum > 0 and no dampening.
fn nesterov_needs_momentum(hp: &HyperValues) -> Result<(), &'static str> {
    if hp.flag("nesterov")
        && (hp.get("momentum").unwrap_or(0.0) <= 0.0 || hp.get("dampening") != Some(0.0))
    {
        return Err("Nesterov momentum requires momentum > 0 and dampening = 0");
    }
    Ok(())
}

/// SGD as `torch.optim.SGD`: plain, with heavy-ball momentum and dampening, or Nesterov.
///
/// ```text
#[doc = include_str!("formulas/momentum.txt")]
/// ```
/// With μ = 0 this is plain gradient descent, θₜ = θₜ₋₁ − γ(∇f + λθ).
#[derive(Clone, Debug)]
pub struct Sgd {
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
    buf: Vec<f64>,
}

impl Sgd {
    /// SGD with momentum μ, dampening τ, weight decay λ and the Nesterov switch.
    pub fn new(momentum: f64, dampening: f64, weight_decay: f64, nesterov: bool) -> Self {
        Self {
            momentum,
            dampening,
            weight_decay,
            nesterov,
            buf: Vec::new(),
        }
    }
}

impl Optimizer for Sgd {
    fn reset(&mut self, dim: usize) {
        self.buf.clear();
        self.buf.resize(dim, 0.0);
    }

    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let (mu, tau, wd) = (self.momentum, self.dampening, self.weight_decay);
        let first = s.t == 1;
        for (((d, &g), &x), b) in delta.iter_mut().zip(s.grad).zip(s.x).zip(&mut self.buf) {
            let mut g = g + wd * x;
            if mu != 0.0 {
                *b = if first { g } else { mu * *b + (1.0 - tau) * g };
                g = if self.nesterov { g + mu * *b } else { *b };
            }
            *d = -s.lr * g;
        }
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        if self.momentum != 0.0 {
            vec![("momentum_buffer", &self.buf)]
        } else {
            Vec::new()
        }
    }

    fn picture(&self, lr: f64, _t: u64) -> StatePicture {
        // With a zero gradient the buffer becomes μb and the step −γμb (−γμ²b for Nesterov,
        // which adds μ times the new buffer to the zero gradient).
        let mu = self.momentum;
        let carry = if self.nesterov { mu * mu } else { mu };
        StatePicture {
            momentum_step: (mu != 0.0).then(|| self.buf.iter().map(|b| -lr * carry * b).collect()),
            coordinate_lr: None,
        }
    }
}
