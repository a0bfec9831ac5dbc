//! Adadelta (Zeiler, 2012), as `torch.optim.Adadelta`.

use super::def::{OptimizerDef, any_combination};
use super::hyper::{HyperSpec, eps, lr, rate, weight_decay};
use crate::engine::{Objective, Optimizer, Oracle, StatePicture, Step};

/// Adadelta's definition.
pub const ADADELTA: OptimizerDef = OptimizerDef {
    name: "adadelta",
    title: "Adadelta",
    short: "Adadelta",
    summary: "Zeiler (2012): RMSprop whose step carries the units of the parameters.",
    formula: include_str!("formulas/adadelta.txt"),
    hyper: &[
        lr(1.0),
        HyperSpec {
            max_open: false,
            slider: (0.0, 1.0),
            ..rate(
                "rho",
                0.9,
                "ρ: decay of the running means of squared gradients and squared updates.",
            )
        },
        eps(1e-6),
        weight_decay(0.0),
    ],
    oracle: Oracle::Gradient,
    build: |hp| {
        Ok(Box::new(Adadelta::new(
            hp.get("rho")?,
            hp.get("eps")?,
            hp.get("weight_decay")?,
        )))
    },
    check: any_combination,
    state_legend: "A box whose half-sides are the per-coordinate step γ·√(uᵢ + ε)/√(vᵢ + ε)·|gᵢ|.",
    state_vectors: |_| 2,
    stable_lr: None,
};

/// Adadelta: a step whose units match the parameters', from running averages of squared
/// gradients and squared updates.
///
/// ```text
#[doc = include_str!("formulas/adadelta.txt")]
/// ```
#[derive(Clone, Debug)]
pub struct Adadelta {
    rho: f64,
    eps: f64,
    weight_decay: f64,
    square_avg: Vec<f64>,
    acc_delta: Vec<f64>,
}

impl Adadelta {
    /// Adadelta with decay ρ, ε and weight decay λ.
    pub fn new(rho: f64, eps: f64, weight_decay: f64) -> Self {
        Self {
            rho,
            eps,
            weight_decay,
            square_avg: Vec::new(),
            acc_delta: Vec::new(),
        }
    }
}

impl Optimizer for Adadelta {
    fn reset(&mut self, dim: usize) {
        for v in [&mut self.square_avg, &mut self.acc_delta] {
            v.clear();
            v.resize(dim, 0.0);
        }
    }

    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let rho = self.rho;
        for i in 0..delta.len() {
            let g = s.grad[i] + self.weight_decay * s.x[i];
            let v = &mut self.square_avg[i];
            *v = rho * *v + (1.0 - rho) * g * g;
            let u = &mut self.acc_delta[i];
            let step = (*u + self.eps).sqrt() / (*v + self.eps).sqrt() * g;
            *u = rho * *u + (1.0 - rho) * step * step;
            delta[i] = -s.lr * step;
        }
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        vec![
            ("square_avg", &self.square_avg),
            ("acc_delta", &self.acc_delta),
        ]
    }

    fn picture(&self, lr: f64, t: u64) -> StatePicture {
        let scale = |(v, u): (&f64, &f64)| lr * (u + self.eps).sqrt() / (v + self.eps).sqrt();
        StatePicture {
            momentum_step: None,
            coordinate_lr: (t > 0).then(|| {
                self.square_avg
                    .iter()
                    .zip(&self.acc_delta)
                    .map(scale)
                    .collect()
            }),
        }
    }
}
