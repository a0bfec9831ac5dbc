//! Adam, AdamW and AMSGrad (`torch.optim.Adam` / `torch.optim.AdamW`).

use super::def::{HyperReader, OptimizerDef, any_combination};
use super::hyper::{HyperError, HyperSpec, beta1, beta2, eps, lr, switch, weight_decay};
use super::power::Power;
use crate::engine::{Objective, Optimizer, Oracle, PairStep, StatePicture, Step};
use crate::simd::twice;

const AMSGRAD_SWITCH: HyperSpec = switch(
    "amsgrad",
    false,
    "AMSGrad: divide by the largest second moment seen so far, so steps never grow back.",
);
const STATE: &str = "The step the first moment alone carries into the next update (bias-corrected, \
                     as Adam takes it), and a box whose half-sides are the per-coordinate step \
                     γ·|gᵢ|/(√v̂ᵢ + ε).";

/// Adam's definition.
pub const ADAM: OptimizerDef = OptimizerDef {
    name: "adam",
    title: "Adam",
    short: "Adam",
    summary: "Kingma & Ba (2015): momentum plus RMSprop scaling, with bias correction.",
    formula: include_str!("formulas/adam.txt"),
    hyper: &[
        lr(1e-3),
        beta1(0.9),
        beta2(0.999),
        eps(1e-8),
        weight_decay(0.0),
        AMSGRAD_SWITCH,
    ],
    oracle: Oracle::Gradient,
    build: |hp| Ok(Box::new(build(hp, false, false)?)),
    check: any_combination,
    state_legend: STATE,
    state_vectors: |_| 3,
    stable_lr: None,
};

/// AdamW's definition: Adam with decoupled weight decay.
pub const ADAMW: OptimizerDef = OptimizerDef {
    name: "adamw",
    title: "AdamW",
    short: "AdamW",
    summary: "Loshchilov & Hutter (2019): Adam with weight decay applied to θ, not the gradient.",
    formula: include_str!("formulas/adamw.txt"),
    hyper: &[
        lr(1e-3),
        beta1(0.9),
        beta2(0.999),
        eps(1e-8),
        weight_decay(1e-2),
        AMSGRAD_SWITCH,
    ],
    oracle: Oracle::Gradient,
    build: |hp| Ok(Box::new(build(hp, true, false)?)),
    check: any_combination,
    state_legend: STATE,
    state_vectors: |_| 3,
    stable_lr: None,
};

/// AMSGrad's definition: Adam that divides by the largest second moment seen.
pub const AMSGRAD: OptimizerDef = OptimizerDef {
    name: "amsgrad",
    title: "AMSGrad",
    short: "AMSGrad",
    summary: "Reddi et al. (2018): Adam that never lets the per-coordinate scale shrink.",
    formula: include_str!("formulas/amsgrad.txt"),
    hyper: &[
        lr(1e-3),
        beta1(0.9),
        beta2(0.999),
        eps(1e-8),
        weight_decay(0.0),
    ],
    oracle: Oracle::Gradient,
    build: |hp| Ok(Box::new(build(hp, false, true)?)),
    check: any_combination,
    state_legend: STATE,
    state_vectors: |_| 3,
    stable_lr: None,
};

/// Adam from `hp`, decoupled (AdamW) or always AMSGrad as the variant says.
fn build(hp: &HyperReader<'_>, decoupled: bool, amsgrad: bool) -> Result<Adam, HyperError> {
    Ok(Adam::new(
        hp.get("beta1")?,
        hp.get("beta2")?,
        hp.get("eps")?,
        hp.get("weight_decay")?,
        decoupled,
        amsgrad || hp.flag("amsgrad")?,
    ))
}

/// Adam, AdamW or AMSGrad as its own type when `def` is one of them (for the benchmark's
/// runner, whose loop the compiler can see through).
pub fn variant(def: &OptimizerDef, hp: &HyperReader<'_>) -> Option<Result<Adam, HyperError>> {
    match def.name {
        "adam" => Some(build(hp, false, false)),
        "adamw" => Some(build(hp, true, false)),
        "amsgrad" => Some(build(hp, false, true)),
        _ => None,
    }
}

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
    /// The bias corrections of the step after the last two-parameter one, worked out ahead so
    /// that the next step need not wait for their divisions.
    ahead: Corrections,
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
            ahead: Corrections::NONE,
        }
    }

    /// The per-step constants for learning rate `lr` at step `t`.
    #[inline(always)]
    fn coord(&mut self, lr: f64, t: u64) -> AdamCoord {
        let c = if self.ahead.t == t {
            self.ahead
        } else {
            self.corrections(t)
        };
        let (l2, decay) = if self.decoupled {
            (0.0, lr * self.weight_decay)
        } else {
            (self.weight_decay, 0.0)
        };
        AdamCoord {
            b1: self.beta1,
            b2: self.beta2,
            l2,
            decay,
            step_size: lr * c.inv_bc1,
            inv_bc2: c.inv_bc2,
            eps: self.eps,
        }
    }

    /// The bias corrections of step `t`.
    #[inline(always)]
    fn corrections(&mut self, t: u64) -> Corrections {
        // γ·m̂/(√v̂ + ε) with m̂ = m·(1/(1 − β₁ᵗ)) and v̂ = v·(1/(1 − β₂ᵗ)): no square root
        // per step (the CPU has one square-root unit, which the coordinates need).
        Corrections {
            t,
            inv_bc1: 1.0 / (1.0 - self.pow1.at(t)),
            inv_bc2: 1.0 / (1.0 - self.pow2.at(t)),
        }
    }
}

/// 1/(1 − β₁ᵗ) and 1/(1 − β₂ᵗ) for step `t`.
#[derive(Clone, Copy, Debug)]
struct Corrections {
    t: u64,
    inv_bc1: f64,
    inv_bc2: f64,
}

impl Corrections {
    /// For no step (steps start at 1).
    const NONE: Self = Self {
        t: 0,
        inv_bc1: 1.0,
        inv_bc2: 1.0,
    };
}

impl Optimizer for Adam {
    fn reset(&mut self, dim: usize) {
        for v in [&mut self.m, &mut self.v, &mut self.v_max] {
            v.clear();
            v.resize(dim, 0.0);
        }
        self.pow1 = Power::new(self.beta1);
        self.pow2 = Power::new(self.beta2);
        self.ahead = Corrections::NONE;
    }

    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let coord = self.coord(s.lr, s.t);
        let (m, v, grad, x) = (&mut self.m[..], &mut self.v[..], s.grad, s.x);
        if !self.amsgrad {
            // Plain Adam: a branch-free loop that vectorises over a model's parameters.
            coord.apply_all(m, v, delta, grad, x);
            return;
        }
        let moments = m.iter_mut().zip(v.iter_mut()).zip(&mut self.v_max);
        let inputs = delta.iter_mut().zip(grad).zip(x);
        for (((m, v), v_max), ((d, &g), &x)) in moments.zip(inputs) {
            *d = coord.apply(m, v, Some(v_max), g, x);
        }
    }

    /// Two parameters without AMSGrad in straight-line code, the same operations as
    /// [`AdamCoord::apply_all`].
    #[inline(always)]
    fn update_pair(&mut self, s: &PairStep, objective: &mut dyn Objective) -> [f64; 2] {
        let coord = self.coord(s.lr, s.t);
        let delta = match (&mut self.m[..], &mut self.v[..], self.amsgrad) {
            ([m0, m1], [v0, v1], false) if self.weight_decay == 0.0 => [
                coord.apply_plain(m0, v0, s.grad[0]),
                coord.apply_plain(m1, v1, s.grad[1]),
            ],
            ([m0, m1], [v0, v1], false) => [
                coord.apply(m0, v0, None, s.grad[0], s.x[0]),
                coord.apply(m1, v1, None, s.grad[1], s.x[1]),
            ],
            _ => s.update_with(self, objective),
        };
        self.ahead = self.corrections(s.t + 1);
        delta
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        let mut out = vec![("exp_avg", self.m.as_slice()), ("exp_avg_sq", &self.v)];
        if self.amsgrad {
            out.push(("max_exp_avg_sq", &self.v_max));
        }
        out
    }

    fn picture(&self, lr: f64, t: u64) -> StatePicture {
        let (b1, b2) = (self.beta1, self.beta2);
        let second = |i: usize| {
            if self.amsgrad {
                self.v_max[i].max(self.v[i])
            } else {
                self.v[i]
            }
        };
        // The next step, t + 1, with a zero gradient: m ← β₁m, v ← β₂v.
        let (bc1, bc2) = (1.0 - b1.powf(t as f64 + 1.0), 1.0 - b2.powf(t as f64 + 1.0));
        let carried = |i: usize| {
            let v = if self.amsgrad {
                self.v_max[i].max(b2 * self.v[i])
            } else {
                b2 * self.v[i]
            };
            -lr / bc1 * b1 * self.m[i] / ((v / bc2).sqrt() + self.eps)
        };
        // Now, after step t: γ/(√v̂ₜ + ε) multiplies m̂ₜ.
        let bc2_now = 1.0 - b2.powf(t as f64);
        let scale = |i: usize| lr / ((second(i) / bc2_now).sqrt() + self.eps);
        let n = self.m.len();
        StatePicture {
            momentum_step: (t > 0).then(|| (0..n).map(carried).collect()),
            coordinate_lr: (t > 0).then(|| (0..n).map(scale).collect()),
        }
    }
}

twice! {
    /// [`AdamCoord::apply_loop`] in the best build for this CPU.
    fn apply_all(
        c: &AdamCoord,
        m: &mut [f64],
        v: &mut [f64],
        delta: &mut [f64],
        g: &[f64],
        x: &[f64],
    ) where _WIDE {
        c.apply_loop(m, v, delta, g, x)
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
    inv_bc2: f64,
    eps: f64,
}

impl AdamCoord {
    /// [`AdamCoord::apply`] without AMSGrad over whole vectors, in the [`crate::simd`] build
    /// that suits the CPU (the same operations in the same order, so the same numbers).
    fn apply_all(&self, m: &mut [f64], v: &mut [f64], delta: &mut [f64], g: &[f64], x: &[f64]) {
        apply_all(self, m, v, delta, g, x)
    }

    /// The loop of [`AdamCoord::apply_all`], inlined into each build.
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
        let (m_t, v_t) = self.moments(m, v, g);
        let second = match v_max {
            Some(v_max) => {
                *v_max = v_max.max(v_t);
                *v_max
            }
            None => v_t,
        };
        -self.decay * x - self.step_size * m_t / ((second * self.inv_bc2).sqrt() + self.eps)
    }

    /// [`AdamCoord::apply`] without AMSGrad when there is no weight decay (λ = 0): the same
    /// numbers (θ is finite, so 0·θ = 0), two operations shorter.
    #[inline(always)]
    fn apply_plain(&self, m: &mut f64, v: &mut f64, g: f64) -> f64 {
        let (m_t, v_t) = self.moments(m, v, g);
        -(self.step_size * m_t / ((v_t * self.inv_bc2).sqrt() + self.eps))
    }

    /// mₜ and vₜ, stored and returned (so that they are used from registers).
    #[inline(always)]
    fn moments(&self, m: &mut f64, v: &mut f64, g: f64) -> (f64, f64) {
        let m_t = self.b1 * *m + (1.0 - self.b1) * g;
        let v_t = self.b2 * *v + (1.0 - self.b2) * g * g;
        (*m, *v) = (m_t, v_t);
        (m_t, v_t)
    }
}
