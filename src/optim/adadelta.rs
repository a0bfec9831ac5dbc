//! Adadelta (Zeiler, 2012), as `torch.optim.Adadelta`.

use crate::engine::{Objective, Optimizer, Step};

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
}
