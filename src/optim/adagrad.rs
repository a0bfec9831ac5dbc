//! AdaGrad (Duchi, Hazan & Singer, 2011), as `torch.optim.Adagrad`.

use crate::engine::{Objective, Optimizer, Step};

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
        vec![("sum_sq_grad", &self.sum)]
    }
}
