//! Stochastic gradient descent, plain or with heavy-ball / Nesterov momentum (`torch.optim.SGD`).

use crate::engine::{Objective, Optimizer, Step};

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
            vec![("velocity", &self.buf)]
        } else {
            Vec::new()
        }
    }
}
