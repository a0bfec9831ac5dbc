//! NAdam (Dozat, 2016), as `torch.optim.NAdam`.

use super::def::{OptimizerDef, any_combination};
use super::hyper::{beta1, beta2, eps, lr, real, switch, weight_decay};
use super::power::Power;
use crate::engine::{Objective, Optimizer, Oracle, StatePicture, Step};

/// NAdam's definition.
pub const NADAM: OptimizerDef = OptimizerDef {
    name: "nadam",
    title: "NAdam",
    short: "NAdam",
    summary: "Dozat (2016): Adam with Nesterov momentum.",
    formula: include_str!("formulas/nadam.txt"),
    hyper: &[
        lr(2e-3),
        beta1(0.9),
        beta2(0.999),
        eps(1e-8),
        weight_decay(0.0),
        real(
            "momentum_decay",
            4e-3,
            0.0,
            1.0,
            "Momentum decay ψ: how fast the Nesterov momentum schedule μₜ warms up.",
        ),
        switch(
            "decoupled_weight_decay",
            false,
            "Decoupled weight decay: shrink θ directly (as AdamW) instead of adding λθ to the gradient.",
        ),
    ],
    oracle: Oracle::Gradient,
    build: |hp| {
        Ok(Box::new(Nadam::new(
            hp.get("beta1")?,
            hp.get("beta2")?,
            hp.get("eps")?,
            hp.get("weight_decay")?,
            hp.get("momentum_decay")?,
            hp.flag("decoupled_weight_decay")?,
        )))
    },
    check: any_combination,
    state_legend: "The step the first moment alone carries into the next update, and a box \
                   whose half-sides are the per-coordinate step γ·|gᵢ|/(√v̂ᵢ + ε).",
    state_vectors: |_| 2,
    stable_lr: None,
};

/// NAdam: Adam with Nesterov momentum and PyTorch's momentum-decay schedule μₜ.
///
/// ```text
#[doc = include_str!("formulas/nadam.txt")]
/// ```
#[derive(Clone, Debug)]
pub struct Nadam {
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    momentum_decay: f64,
    decoupled: bool,
    m: Vec<f64>,
    v: Vec<f64>,
    mu_product: f64,
    pow2: Power,
}

impl Nadam {
    /// NAdam with β₁, β₂, ε, weight decay λ, momentum decay ψ and decoupled weight decay.
    pub fn new(
        beta1: f64,
        beta2: f64,
        eps: f64,
        weight_decay: f64,
        momentum_decay: f64,
        decoupled: bool,
    ) -> Self {
        Self {
            beta1,
            beta2,
            eps,
            weight_decay,
            momentum_decay,
            decoupled,
            m: Vec::new(),
            v: Vec::new(),
            mu_product: 1.0,
            pow2: Power::new(beta2),
        }
    }

    /// μₜ = β₁(1 − ½·0.96^(tψ)).
    fn mu(&self, t: u64) -> f64 {
        self.beta1 * (1.0 - 0.5 * 0.96f64.powf(t as f64 * self.momentum_decay))
    }
}

impl Optimizer for Nadam {
    fn reset(&mut self, dim: usize) {
        for v in [&mut self.m, &mut self.v] {
            v.clear();
            v.resize(dim, 0.0);
        }
        self.mu_product = 1.0;
        self.pow2 = Power::new(self.beta2);
    }

    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let (b1, b2) = (self.beta1, self.beta2);
        let bc2 = 1.0 - self.pow2.at(s.t);
        let mu = self.mu(s.t);
        let mu_next = self.mu(s.t + 1);
        self.mu_product *= mu;
        let grad_coef = s.lr * (1.0 - mu) / (1.0 - self.mu_product);
        let mom_coef = s.lr * mu_next / (1.0 - self.mu_product * mu_next);
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
            let denom = (*v / bc2).sqrt() + self.eps;
            delta[i] = -decay * x - grad_coef * g / denom - mom_coef * *m / denom;
        }
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        vec![("exp_avg", &self.m), ("exp_avg_sq", &self.v)]
    }

    fn picture(&self, lr: f64, t: u64) -> StatePicture {
        let (b1, b2) = (self.beta1, self.beta2);
        // Step t + 1 with a zero gradient: m ← β₁m, v ← β₂v, Π μ gains μₜ₊₁.
        let product = self.mu_product * self.mu(t + 1);
        let mu_next = self.mu(t + 2);
        let mom_coef = lr * mu_next / (1.0 - product * mu_next);
        let bc2_next = 1.0 - b2.powf(t as f64 + 1.0);
        let bc2_now = 1.0 - b2.powf(t as f64);
        let n = self.m.len();
        let carried =
            |i: usize| -mom_coef * b1 * self.m[i] / ((b2 * self.v[i] / bc2_next).sqrt() + self.eps);
        let scale = |i: usize| lr / ((self.v[i] / bc2_now).sqrt() + self.eps);
        StatePicture {
            momentum_step: (t > 0).then(|| (0..n).map(carried).collect()),
            coordinate_lr: (t > 0).then(|| (0..n).map(scale).collect()),
        }
    }
}
