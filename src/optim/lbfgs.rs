//! Limited-memory BFGS (Liu & Nocedal, 1989), one iteration per engine step.

use super::def::{OptimizerDef, any_combination};
use super::hyper::{HyperKind, HyperSpec, lr, switch};
use super::line_search::LineSearch;
use crate::engine::{Objective, Optimizer, Oracle, Step};

/// L-BFGS's definition.
pub const LBFGS: OptimizerDef = OptimizerDef {
    name: "lbfgs",
    title: "L-BFGS",
    short: "L-BFGS",
    summary: "Liu & Nocedal (1989): Newton-like steps from a memory of gradient changes, with a line search.",
    formula: include_str!("formulas/lbfgs.txt"),
    hyper: &[
        HyperSpec {
            meaning: "Initial step γ tried by the line search (the step itself without one).",
            ..lr(1.0)
        },
        HyperSpec {
            name: "history_size",
            default: 100.0,
            min: 1.0,
            min_open: false,
            max: 1000.0,
            max_open: false,
            kind: HyperKind::Int,
            log_scale: false,
            slider: (1.0, 1000.0),
            meaning: "History m: how many recent (step, gradient change) pairs shape the curvature.",
        },
        switch(
            "line_search",
            true,
            "Strong Wolfe line search: pick each step length so the loss drops and the slope flattens.",
        ),
    ],
    oracle: Oracle::Gradient,
    build: |hp| {
        Ok(Box::new(Lbfgs::new(
            hp.count("history_size")?,
            hp.flag("line_search")?,
        )))
    },
    check: any_combination,
    state_legend: "L-BFGS's direction comes from its memory of gradient changes; the line search \
                   picks how far to go along it.",
    // s and y for each remembered pair, then θ's and g's last values, the direction and
    // the line search's point and gradient.
    state_vectors: |hp| 2 * hp.get("history_size").unwrap_or(100.0) as u64 + 5,
    stable_lr: None,
};

/// L-BFGS: a quasi-Newton direction from the last m gradient differences, with a strong Wolfe
/// line search (or a fixed step γ with `line_search = 0`), following `torch.optim.LBFGS` with
/// `line_search_fn="strong_wolfe"` but one iteration per step instead of `max_iter`.
///
/// ```text
#[doc = include_str!("formulas/lbfgs.txt")]
/// ```
/// The line search evaluates the objective itself, noise-free, along the direction.
#[derive(Clone, Debug)]
pub struct Lbfgs {
    history: usize,
    line_search: bool,
    dim: usize,
    /// Ring buffers of sₖ and yₖ, `history × dim` each, allocated zeroed at reset: the
    /// operating system commits a page only when a pair is first written to it, so a long
    /// history costs memory only as it fills, and stepping never allocates.
    s: Vec<f64>,
    y: Vec<f64>,
    rho: Vec<f64>,
    alpha: Vec<f64>,
    len: usize,
    head: usize,
    h0: f64,
    prev_grad: Vec<f64>,
    prev_step: Vec<f64>,
    dir: Vec<f64>,
    started: bool,
    search: LineSearch,
}

/// Pairs with yₖ·sₖ below this are skipped, as in PyTorch.
const MIN_CURVATURE: f64 = 1e-10;

impl Lbfgs {
    /// L-BFGS keeping `history` pairs, with or without the strong Wolfe line search.
    pub fn new(history: usize, line_search: bool) -> Self {
        Self {
            history: history.max(1),
            line_search,
            dim: 0,
            s: Vec::new(),
            y: Vec::new(),
            rho: Vec::new(),
            alpha: Vec::new(),
            len: 0,
            head: 0,
            h0: 1.0,
            prev_grad: Vec::new(),
            prev_step: Vec::new(),
            dir: Vec::new(),
            started: false,
            search: LineSearch::default(),
        }
    }

    /// Remembers the pair (s, y) from the last step, if it has positive curvature.
    fn push_pair(&mut self, grad: &[f64]) {
        let n = self.dim;
        let slot = self.head;
        let (mut ys, mut yy) = (0.0, 0.0);
        for i in 0..n {
            let yi = grad[i] - self.prev_grad[i];
            ys += yi * self.prev_step[i];
            yy += yi * yi;
        }
        if ys.is_nan() || ys <= MIN_CURVATURE {
            return;
        }
        for i in 0..n {
            self.s[slot * n + i] = self.prev_step[i];
            self.y[slot * n + i] = grad[i] - self.prev_grad[i];
        }
        self.rho[slot] = 1.0 / ys;
        self.h0 = ys / yy;
        self.head = (self.head + 1) % self.history;
        self.len = (self.len + 1).min(self.history);
    }

    /// dir = −H·grad by the two-loop recursion.
    fn direction(&mut self, grad: &[f64]) {
        let n = self.dim;
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        for (d, g) in self.dir.iter_mut().zip(grad) {
            *d = -g;
        }
        let slot_of = |k: usize| (self.head + self.history - 1 - k) % self.history;
        for k in 0..self.len {
            let j = slot_of(k);
            let a = self.rho[j] * dot(&self.s[j * n..(j + 1) * n], &self.dir);
            self.alpha[j] = a;
            for (d, y) in self.dir.iter_mut().zip(&self.y[j * n..(j + 1) * n]) {
                *d -= a * y;
            }
        }
        if self.len > 0 {
            self.dir.iter_mut().for_each(|d| *d *= self.h0);
        }
        for k in (0..self.len).rev() {
            let j = slot_of(k);
            let b = self.rho[j] * dot(&self.y[j * n..(j + 1) * n], &self.dir);
            let a = self.alpha[j];
            for (d, s) in self.dir.iter_mut().zip(&self.s[j * n..(j + 1) * n]) {
                *d += (a - b) * s;
            }
        }
    }
}

impl Optimizer for Lbfgs {
    fn reset(&mut self, dim: usize) {
        let m = self.history;
        self.dim = dim;
        // Zeroed allocations (calloc): untouched pages of a long history cost nothing yet.
        self.s = vec![0.0; m * dim];
        self.y = vec![0.0; m * dim];
        for (v, len) in [
            (&mut self.rho, m),
            (&mut self.alpha, m),
            (&mut self.prev_grad, dim),
            (&mut self.prev_step, dim),
            (&mut self.dir, dim),
        ] {
            v.clear();
            v.resize(len, 0.0);
        }
        self.len = 0;
        self.head = 0;
        self.h0 = 1.0;
        self.started = false;
        self.search.reset(dim);
    }

    fn update(&mut self, s: &Step<'_>, objective: &mut dyn Objective, delta: &mut [f64]) {
        if self.started {
            self.push_pair(s.grad);
        }
        self.direction(s.grad);
        let mut slope: f64 = self.dir.iter().zip(s.grad).map(|(d, g)| d * g).sum();
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction (stale curvature): forget it and use −g.
            self.len = 0;
            self.h0 = 1.0;
            self.direction(s.grad);
            slope = self.dir.iter().zip(s.grad).map(|(d, g)| d * g).sum();
        }
        let a0 = if self.started {
            s.lr
        } else {
            let g1: f64 = s.grad.iter().map(|g| g.abs()).sum();
            s.lr * (1.0f64 / g1).min(1.0)
        };
        let a = if self.line_search && slope < 0.0 {
            self.search
                .strong_wolfe(objective, s.x, &self.dir, s.loss, slope, a0)
        } else {
            a0
        };
        for ((d, p), dir) in delta.iter_mut().zip(&mut self.prev_step).zip(&self.dir) {
            *d = a * dir;
            *p = *d;
        }
        self.prev_grad.copy_from_slice(s.grad);
        self.started = true;
    }

    fn state(&self) -> Vec<(&'static str, &[f64])> {
        vec![("direction", &self.dir)]
    }

    fn search_trace(&self) -> Option<super::line_search::SearchTrace> {
        self.line_search.then(|| self.search.trace())
    }
}
