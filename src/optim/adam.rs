//! Adam, AdamW and AMSGrad (`torch.optim.Adam` / `torch.optim.AdamW`).

use super::power::Power;
use crate::engine::{Objective, Optimizer, Step};

/// Adam (Kingma & Ba, 2015) with PyTorch's bias correction and ε placement; with `decoupled`
/// it is AdamW (Loshchilov & Hutter, 2019), with `amsgrad` AMSGrad (Reddi et al., 2018).
///
/// ```text
#[doc = include_str!("formulas/adam.txt")]
/// ```
/// AdamW instead shrinks θ by γλθ before the step and leaves the gradient alone:
/// ```text
#[doc = include_str!("formulas/adamw.txt")]
/// ```
#[derive(Clone, Debug)]
pub struct Adam {
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    amsgrad: bool,
    m: Vec<f64>,
    v: Vec<f64>,
    v_max: Vec<f64>,
    pow1: Power,
    pow2: Power,
}

impl Adam {
    /// Adam with β₁, β₂, ε, weight decay λ (decoupled for AdamW) and the AMSGrad switch.
    pub fn new(
        beta1: f64,
        beta2: f64,
        eps: f64,
        weight_decay: f64,
        decoupled: bool,
        amsgrad: bool,
    ) -> Self {
        Self {
            beta1,
            beta2,
            eps,
            weight_decay,
            decoupled,
            amsgrad,
            m: Vec::new(),
            v: Vec::new(),
            v_max: Vec::new(),
            pow1: Power::new(beta1),
            pow2: Power::new(beta2),
        }
    }
}

impl Optimizer for Adam {
    fn reset(&mut self, dim: usize) {
        for v in [&mut self.m, &mut self.v, &mut self.v_max] {
            v.clear();
            v.resize(dim, 0.0);
        }
        self.pow1 = Power::new(self.beta1);
        self.pow2 = Power::new(self.beta2);
    }

    #[inline]
    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let (b1, b2, eps) = (self.beta1, self.beta2, self.eps);
        // γ·m̂/(√v̂ + ε) = γ·(√(1 − β₂ᵗ)/(1 − β₁ᵗ))·m/(√v + ε√(1 − β₂ᵗ)): the same update with
        // one square root and one division per step, and one of each per coordinate.
        let bc2_sqrt = (1.0 - self.pow2.at(s.t)).sqrt();
        let step_size = s.lr * bc2_sqrt / (1.0 - self.pow1.at(s.t));
        let eps_hat = eps * bc2_sqrt;
        let (l2, decay) = if self.decoupled {
            (0.0, s.lr * self.weight_decay)
        } else {
            (self.weight_decay, 0.0)
        };
        let coord = AdamCoord {
            b1,
            b2,
            l2,
            decay,
            step_size,
            eps_hat,
        };
        match (
            &mut self.m[..],
            &mut self.v[..],
            &mut *delta,
            s.grad,
            s.x,
            self.amsgrad,
        ) {
            // Two parameters without AMSGrad, the surface case: straight-line code.
            ([m0, m1], [v0, v1], [d0, d1], &[g0, g1], &[x0, x1], false) => {
                *d0 = coord.apply(m0, v0, None, g0, x0);
                *d1 = coord.apply(m1, v1, None, g1, x1);
            }
            // Plain Adam over many parameters (a model): a branch-free loop that vectorises.
            (m, v, delta, grad, x, false) => coord.apply_all(m, v, delta, grad, x),
            (m, v, delta, grad, x, amsgrad) => {
                let moments = m.iter_mut().zip(v.iter_mut()).zip(&mut self.v_max);
                let inputs = delta.iter_mut().zip(grad).zip(x);
                for (((m, v), v_max), ((d, &g), &x)) in moments.zip(inputs) {
                    *d = coord.apply(m, v, amsgrad.then_some(v_max), g, x);
                }
            }
        }
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        let mut out = vec![("exp_avg", self.m.as_slice()), ("exp_avg_sq", &self.v)];
        if self.amsgrad {
            out.push(("max_exp_avg_sq", &self.v_max));
        }
        out
    }
}

/// The per-step constants of an Adam update, applied one coordinate at a time.
#[derive(Clone, Copy)]
struct AdamCoord {
    b1: f64,
    b2: f64,
    l2: f64,
    decay: f64,
    step_size: f64,
    eps_hat: f64,
}

impl AdamCoord {
    /// [`AdamCoord::apply`] without AMSGrad over whole vectors, four lanes wide where the CPU
    /// has AVX2 (the same operations in the same order, so the same numbers bit for bit).
    fn apply_all(&self, m: &mut [f64], v: &mut [f64], delta: &mut [f64], g: &[f64], x: &[f64]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { self.apply_all_avx2(m, v, delta, g, x) };
            return;
        }
        self.apply_loop(m, v, delta, g, x);
    }

    /// The loop of [`AdamCoord::apply_all`], compiled with AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn apply_all_avx2(&self, m: &mut [f64], v: &mut [f64], d: &mut [f64], g: &[f64], x: &[f64]) {
        self.apply_loop(m, v, d, g, x);
    }

    #[inline(always)]
    fn apply_loop(&self, m: &mut [f64], v: &mut [f64], delta: &mut [f64], g: &[f64], x: &[f64]) {
        let moments = m.iter_mut().zip(v.iter_mut());
        let inputs = delta.iter_mut().zip(g).zip(x);
        for ((m, v), ((d, &g), &x)) in moments.zip(inputs) {
            *d = self.apply(m, v, None, g, x);
        }
    }

    /// Updates m and v (and v_max under AMSGrad) for gradient `g` at `x`; returns Δθ.
    #[inline(always)]
    fn apply(&self, m: &mut f64, v: &mut f64, v_max: Option<&mut f64>, g: f64, x: f64) -> f64 {
        let g = g + self.l2 * x;
        *m = self.b1 * *m + (1.0 - self.b1) * g;
        *v = self.b2 * *v + (1.0 - self.b2) * g * g;
        let second = match v_max {
            Some(v_max) => {
                *v_max = v_max.max(*v);
                *v_max
            }
            None => *v,
        };
        -self.decay * x - self.step_size * *m / (second.sqrt() + self.eps_hat)
    }
}
