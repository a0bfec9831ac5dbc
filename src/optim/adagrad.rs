//! AdaGrad (Duchi, Hazan & Singer, 2011), as `torch.optim.Adagrad`.

use super::def::{OptimizerDef, any_combination};
use super::hyper::{eps, lr, real, weight_decay};
use crate::engine::{Objective, Optimizer, Oracle, StatePicture, Step};

/// AdaGrad's definition.
pub const ADAGRAD: OptimizerDef = OptimizerDef {
    name: "adagrad",
    title: "AdaGrad",
    short: "AdaGrad",
    summary: "Duchi et al. (2011): per-coordinate steps that shrink with all past squared gradients.",
    formula: include_str!("formulas/adagrad.txt"),
    hyper: &[
        lr(1e-2),
        real(
            "lr_decay",
            0.0,
            0.0,
            10.0,
            "Learning-rate decay η: the rate is divided by 1 + (t − 1)η.",
        ),
        weight_decay(0.0),
        real(
            "initial_accumulator_value",
            0.0,
            0.0,
            1e3,
            "Initial accumulator s₀: a head start for the sum of squared gradients.",
        ),
        eps(1e-10),
    ],
    oracle: Oracle::Gradient,
    build: |hp| {
        Ok(Box::new(Adagrad::new(
            hp.get("lr_decay")?,
            hp.get("weight_decay")?,
            hp.get("initial_accumulator_value")?,
            hp.get("eps")?,
        )))
    },
    check: any_combination,
    state_legend: "A box whose half-sides are the per-coordinate step γ̃·|gᵢ|/(√sᵢ + ε): the \
                   coordinates with large past gradients get small steps.",
    state_vectors: |_| 1,
    stable_lr: None,
};

/// AdaGrad: each coordinate's step shrinks with its accumulated squared gradient.
///
/// ```text
#[doc = include_str!("formulas/adagrad.txt")]
/// ```
#[derive(Clone, Debug)]
pub struct Adagrad {
    lr_decay: f64,
    weight_decay: f64,
    initial_accumulator_value: f64,
    eps: f64,
    sum: Vec<f64>,
}

impl Adagrad {
    /// AdaGrad with learning-rate decay η, weight decay λ, initial accumulator s₀ and ε.
    pub fn new(lr_decay: f64, weight_decay: f64, initial_accumulator_value: f64, eps: f64) -> Self {
        Self {
            lr_decay,
            weight_decay,
            initial_accumulator_value,
            eps,
            sum: Vec::new(),
        }
    }
}

impl Optimizer for Adagrad {
    fn reset(&mut self, dim: usize) {
        self.sum.clear();
        self.sum.resize(dim, self.initial_accumulator_value);
    }

    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let clr = s.lr / (1.0 + (s.t - 1) as f64 * self.lr_decay);
        for (((d, &g), &x), acc) in delta.iter_mut().zip(s.grad).zip(s.x).zip(&mut self.sum) {
            let g = g + self.weight_decay * x;
            *acc += g * g;
            *d = -clr * g / (acc.sqrt() + self.eps);
        }
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        vec![("sum", &self.sum)]
    }

    fn picture(&self, lr: f64, t: u64) -> StatePicture {
        // The next step is step t + 1, with γ̃ = γ/(1 + tη).
        let clr = lr / (1.0 + t as f64 * self.lr_decay);
        StatePicture {
            momentum_step: None,
            coordinate_lr: (t > 0).then(|| {
                self.sum
                    .iter()
                    .map(|s| clr / (s.sqrt() + self.eps))
                    .collect()
            }),
        }
    }
}
