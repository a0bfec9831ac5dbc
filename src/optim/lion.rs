//! Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms").

use super::def::{OptimizerDef, any_combination};
use super::hyper::{lr, rate, weight_decay};
use crate::engine::{Objective, Optimizer, Oracle, StatePicture, Step};

/// Lion's definition.
pub const LION: OptimizerDef = OptimizerDef {
    name: "lion",
    title: "Lion",
    short: "Lion",
    summary: "Chen et al. (2023): sign-of-momentum steps of fixed size, found by program search.",
    formula: include_str!("formulas/lion.txt"),
    hyper: &[
        lr(1e-4),
        rate(
            "beta1",
            0.9,
            "β₁: how much of the momentum (vs. the fresh gradient) decides the sign of the step.",
        ),
        rate(
            "beta2",
            0.99,
            "β₂: decay of the momentum that Lion carries.",
        ),
        weight_decay(0.0),
    ],
    oracle: Oracle::Gradient,
    build: |hp| {
        Ok(Box::new(Lion::new(
            hp.get("beta1")?,
            hp.get("beta2")?,
            hp.get("weight_decay")?,
        )))
    },
    check: any_combination,
    state_legend: "The step its momentum alone would take next, −γ·sign(m): every coordinate moves \
                   by γ.",
    state_vectors: |_| 1,
    stable_lr: None,
};

/// Lion: steps of fixed size γ per coordinate in the sign of an interpolated momentum.
/// Not in `torch.optim`; defaults follow the paper's reference implementation.
///
/// ```text
#[doc = include_str!("formulas/lion.txt")]
/// ```
#[derive(Clone, Debug)]
pub struct Lion {
    beta1: f64,
    beta2: f64,
    weight_decay: f64,
    m: Vec<f64>,
}

impl Lion {
    /// Lion with β₁ (interpolation), β₂ (momentum decay) and decoupled weight decay λ.
    pub fn new(beta1: f64, beta2: f64, weight_decay: f64) -> Self {
        Self {
            beta1,
            beta2,
            weight_decay,
            m: Vec::new(),
        }
    }
}

/// sign(v) with sign(0) = 0, as `torch.sign`.
#[inline]
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

impl Optimizer for Lion {
    fn reset(&mut self, dim: usize) {
        self.m.clear();
        self.m.resize(dim, 0.0);
    }

    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let (b1, b2) = (self.beta1, self.beta2);
        for (((d, &g), &x), m) in delta.iter_mut().zip(s.grad).zip(s.x).zip(&mut self.m) {
            let c = b1 * *m + (1.0 - b1) * g;
            *d = -s.lr * (sign(c) + self.weight_decay * x);
            *m = b2 * *m + (1.0 - b2) * g;
        }
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        vec![("exp_avg", &self.m)]
    }

    fn picture(&self, lr: f64, t: u64) -> StatePicture {
        StatePicture {
            momentum_step: (t > 0).then(|| self.m.iter().map(|m| -lr * sign(*m)).collect()),
            coordinate_lr: None,
        }
    }
}
