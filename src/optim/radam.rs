//! RAdam (Liu et al., 2020), as `torch.optim.RAdam`.

use super::power::Power;
use crate::engine::{Objective, Optimizer, Step};

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
        let b2t = self.pow2.at(s.t);
        let bc2 = 1.0 - b2t;
        let rho_inf = 2.0 / (1.0 - b2) - 1.0;
        let rho_t = rho_inf - 2.0 * s.t as f64 * b2t / bc2;
        let rect = if rho_t > 5.0 {
            Some(
                ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                    / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                    .sqrt(),
            )
        } else {
            None
        };
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
                Some(r) => m_hat * r * bc2.sqrt() / (v.sqrt() + self.eps),
                None => m_hat,
            };
            delta[i] = -decay * x - s.lr * step;
        }
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        vec![("exp_avg", &self.m), ("exp_avg_sq", &self.v)]
    }
}
