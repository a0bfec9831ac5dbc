//! RMSprop (Hinton, 2012), as `torch.optim.RMSprop`.

use crate::engine::{Objective, Optimizer, Step};

/// RMSprop: divides by a running root-mean-square of recent gradients; optionally centred and
/// with momentum.
///
/// ```text
#[doc = include_str!("formulas/rmsprop.txt")]
/// ```
#[derive(Clone, Debug)]
pub struct Rmsprop {
    alpha: f64,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
    centered: bool,
    square_avg: Vec<f64>,
    grad_avg: Vec<f64>,
    buf: Vec<f64>,
}

impl Rmsprop {
    /// RMSprop with smoothing α, ε, weight decay λ, momentum μ and the centred switch.
    pub fn new(alpha: f64, eps: f64, weight_decay: f64, momentum: f64, centered: bool) -> Self {
        Self {
            alpha,
            eps,
            weight_decay,
            momentum,
            centered,
            square_avg: Vec::new(),
            grad_avg: Vec::new(),
            buf: Vec::new(),
        }
    }
}

impl Optimizer for Rmsprop {
    fn reset(&mut self, dim: usize) {
        for v in [&mut self.square_avg, &mut self.grad_avg, &mut self.buf] {
            v.clear();
            v.resize(dim, 0.0);
        }
    }

    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let a = self.alpha;
        for i in 0..delta.len() {
            let g = s.grad[i] + self.weight_decay * s.x[i];
            let v = &mut self.square_avg[i];
            *v = a * *v + (1.0 - a) * g * g;
            let mut var = *v;
            if self.centered {
                let m = &mut self.grad_avg[i];
                *m = a * *m + (1.0 - a) * g;
                // A variance; rounding can push it a hair below zero.
                var = (var - *m * *m).max(0.0);
            }
            let denom = var.sqrt() + self.eps;
            delta[i] = if self.momentum > 0.0 {
                let b = &mut self.buf[i];
                *b = self.momentum * *b + g / denom;
                -s.lr * *b
            } else {
                -s.lr * g / denom
            };
        }
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        let mut out = vec![("square_avg", self.square_avg.as_slice())];
        if self.momentum > 0.0 {
            out.push(("velocity", &self.buf));
        }
        out
    }
}
