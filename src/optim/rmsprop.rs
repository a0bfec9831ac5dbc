//! RMSprop (Hinton, 2012), as `torch.optim.RMSprop`.

use super::def::{OptimizerDef, any_combination};
use super::hyper::{eps, lr, rate, switch, weight_decay};
use crate::engine::{Objective, Optimizer, Oracle, StatePicture, Step};

/// RMSprop's definition.
pub const RMSPROP: OptimizerDef = OptimizerDef {
    name: "rmsprop",
    title: "RMSprop",
    short: "RMSprop",
    summary: "Hinton (2012): per-coordinate steps scaled by a running RMS of recent gradients.",
    formula: include_str!("formulas/rmsprop.txt"),
    hyper: &[
        lr(1e-2),
        rate(
            "alpha",
            0.99,
            "Smoothing α: decay of the running mean of squared gradients.",
        ),
        eps(1e-8),
        weight_decay(0.0),
        rate(
            "momentum",
            0.0,
            "Momentum μ applied to the scaled gradient (0 turns it off).",
        ),
        switch(
            "centered",
            false,
            "Centred: divide by an estimate of the variance instead of the raw second moment.",
        ),
    ],
    oracle: Oracle::Gradient,
    build: |hp| {
        Ok(Box::new(Rmsprop::new(
            hp.get("alpha")?,
            hp.get("eps")?,
            hp.get("weight_decay")?,
            hp.get("momentum")?,
            hp.flag("centered")?,
        )))
    },
    check: any_combination,
    state_legend: "A box whose half-sides are the per-coordinate step γ·|gᵢ|/(√vᵢ + ε), and with \
                   momentum the step its buffer carries, −γμb.",
    state_vectors: |_| 3,
    stable_lr: None,
};

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
        if self.centered {
            out.push(("grad_avg", &self.grad_avg));
        }
        if self.momentum > 0.0 {
            out.push(("momentum_buffer", &self.buf));
        }
        out
    }

    fn picture(&self, lr: f64, t: u64) -> StatePicture {
        let scale = |i: usize| {
            let mut var = self.square_avg[i];
            if self.centered {
                var = (var - self.grad_avg[i] * self.grad_avg[i]).max(0.0);
            }
            lr / (var.sqrt() + self.eps)
        };
        StatePicture {
            momentum_step: (self.momentum > 0.0)
                .then(|| self.buf.iter().map(|b| -lr * self.momentum * b).collect()),
            coordinate_lr: (t > 0).then(|| (0..self.square_avg.len()).map(scale).collect()),
        }
    }
}
