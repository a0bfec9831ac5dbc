//! RAdam (Liu et al., 2020), as `torch.optim.RAdam`.

use super::def::{OptimizerDef, any_combination};
use super::hyper::{beta1, beta2, eps, lr, switch, weight_decay};
use super::power::Power;
use crate::engine::{Objective, Optimizer, Oracle, StatePicture, Step};

/// RAdam's definition.
pub const RADAM: OptimizerDef = OptimizerDef {
    name: "radam",
    title: "RAdam",
    short: "RAdam",
    summary: "Liu et al. (2020): Adam with a warm-up that the variance of the adaptive rate decides.",
    formula: include_str!("formulas/radam.txt"),
    hyper: &[
        lr(1e-3),
        beta1(0.9),
        beta2(0.999),
        eps(1e-8),
        weight_decay(0.0),
        switch(
            "decoupled_weight_decay",
            false,
            "Decoupled weight decay: shrink θ directly (as AdamW) instead of adding λθ to the gradient.",
        ),
    ],
    oracle: Oracle::Gradient,
    build: |hp| {
        Ok(Box::new(Radam::new(
            hp.get("beta1")?,
            hp.get("beta2")?,
            hp.get("eps")?,
            hp.get("weight_decay")?,
            hp.flag("decoupled_weight_decay")?,
        )))
    },
    check: any_combination,
    state_legend: "The step the first moment alone carries into the next update, and once the \
                   adaptive step is on (ρₜ > 5) a box whose half-sides are the per-coordinate \
                   step γ·rₜ·lₜ·|gᵢ|.",
    state_vectors: |_| 2,
    stable_lr: None,
};

/// The rectification rₜ and √(1 − β₂ᵗ) of step `t`, or `None` while ρₜ ≤ 5 (the warm-up,
/// plain momentum steps).
fn rectifier(beta2: f64, b2t: f64, t: u64) -> Option<(f64, f64)> {
    let bc2 = 1.0 - b2t;
    let rho_inf = 2.0 / (1.0 - beta2) - 1.0;
    let rho_t = rho_inf - 2.0 * t as f64 * b2t / bc2;
    (rho_t > 5.0).then(|| {
        let r = ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
            / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
            .sqrt();
        (r, bc2.sqrt())
    })
}

/// RAdam: Adam whose adaptive step is switched on, and rectified, only once the variance of
/// the adaptive learning rate is tractable (ρₜ > 5); before that it is SGD with momentum.
///
/// ```text
#[doc = include_str!("formulas/radam.txt")]
/// ```
#[derive(Clone, Debug)]
pub struct Radam {
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    m: Vec<f64>,
    v: Vec<f64>,
    pow1: Power,
    pow2: Power,
}

impl Radam {
    /// RAdam with β₁, β₂, ε, weight decay λ and decoupled weight decay.
    pub fn new(beta1: f64, beta2: f64, eps: f64, weight_decay: f64, decoupled: bool) -> Self {
        Self {
            beta1,
            beta2,
            eps,
            weight_decay,
            decoupled,
            m: Vec::new(),
            v: Vec::new(),
            pow1: Power::new(beta1),
            pow2: Power::new(beta2),
        }
    }
}

impl Optimizer for Radam {
    fn reset(&mut self, dim: usize) {
        for v in [&mut self.m, &mut self.v] {
            v.clear();
            v.resize(dim, 0.0);
        }
        self.pow1 = Power::new(self.beta1);
        self.pow2 = Power::new(self.beta2);
    }

    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let (b1, b2) = (self.beta1, self.beta2);
        let bc1 = 1.0 - self.pow1.at(s.t);
        let rect = rectifier(b2, self.pow2.at(s.t), s.t);
        let (l2, decay) = if self.decoupled {
            (0.0, s.lr * self.weight_decay)
        } else {
            (self.weight_decay, 0.0)
        };
        for i in 0..delta.len() {
            let x = s.x[i];
            let g = s.grad[i] + l2 * x;
            let m = &mut self.m[i];
            *m = b1 * *m + (1.0 - b1) * g;
            let v = &mut self.v[i];
            *v = b2 * *v + (1.0 - b2) * g * g;
            let m_hat = *m / bc1;
            let step = match rect {
                Some((r, l)) => m_hat * r * l / (v.sqrt() + self.eps),
                None => m_hat,
            };
            delta[i] = -decay * x - s.lr * step;
        }
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        vec![("exp_avg", &self.m), ("exp_avg_sq", &self.v)]
    }

    fn picture(&self, lr: f64, t: u64) -> StatePicture {
        let (b1, b2) = (self.beta1, self.beta2);
        let n = self.m.len();
        // Step t + 1 with a zero gradient: m ← β₁m, v ← β₂v.
        let next = t + 1;
        let bc1 = 1.0 - b1.powf(next as f64);
        let rect_next = rectifier(b2, b2.powf(next as f64), next);
        let carried = |i: usize| {
            let m_hat = b1 * self.m[i] / bc1;
            -lr * match rect_next {
                Some((r, l)) => m_hat * r * l / ((b2 * self.v[i]).sqrt() + self.eps),
                None => m_hat,
            }
        };
        let rect_now = rectifier(b2, b2.powf(t as f64), t);
        StatePicture {
            momentum_step: (t > 0).then(|| (0..n).map(carried).collect()),
            coordinate_lr: rect_now.filter(|_| t > 0).map(|(r, l)| {
                self.v
                    .iter()
                    .map(|v| lr * r * l / (v.sqrt() + self.eps))
                    .collect()
            }),
        }
    }
}
