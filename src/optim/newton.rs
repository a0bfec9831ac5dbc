//! Newton's method with a step size and a Levenberg–Marquardt shift, or the saddle-free step
//! of Dauphin et al. (2014), optionally with a backtracking line search.

use super::def::{OptimizerDef, any_combination};
use super::hyper::{HyperSpec, lr, real, switch};
use crate::engine::{Objective, Optimizer, Oracle, Step};

/// Damped Newton's definition.
pub const NEWTON: OptimizerDef = OptimizerDef {
    name: "newton",
    title: "Newton",
    short: "Newton",
    summary: "Second order: jumps to the minimum of the local quadratic model.",
    formula: include_str!("formulas/newton.txt"),
    hyper: &[
        HyperSpec {
            meaning: "Step size γ: the fraction of the Newton step taken (1 is the full step).",
            ..lr(1.0)
        },
        HyperSpec {
            slider: (0.0, 100.0),
            ..real(
                "damping",
                0.0,
                0.0,
                1e6,
                "Damping λ: added to the Hessian's diagonal; large λ turns Newton into small gradient steps.",
            )
        },
        switch(
            "saddle_free",
            true,
            "Saddle-free (Dauphin et al. 2014): divide by |λ| of each of H's eigenvalues, so negative curvature is descended, never climbed or leapt over (0: shift H just past its lowest eigenvalue).",
        ),
        switch(
            "line_search",
            true,
            "Backtracking (Armijo) line search: halve the step from γ until the loss falls enough (0: take γ times the Newton step as it is).",
        ),
    ],
    oracle: Oracle::Hessian,
    build: |hp| {
        Ok(Box::new(Newton::with_variant(
            hp.get("damping")?,
            hp.flag("saddle_free")?,
            hp.flag("line_search")?,
        )))
    },
    check: any_combination,
    state_legend: "Newton keeps no state between steps: each step solves the local quadratic model.",
    state_vectors: |_| 0,
    stable_lr: None,
};

/// Damped Newton: the step p solves the local quadratic model, θₜ = θₜ₋₁ − α·p.
///
/// ```text
#[doc = include_str!("formulas/newton.txt")]
/// ```
/// Where H is positive definite and λ = 0 every variant is the pure Newton step, which lands
/// on the minimum of a quadratic in one step. Where H is not positive definite (near a saddle
/// or a maximum) the plain Newton step would head for that stationary point. The shifted
/// step raises τ until H + τI is positive definite (Nocedal & Wright, Algorithm 3.3), a
/// descent direction, but just past the smallest eigenvalue it can be very long along the
/// direction of negative curvature (on x⁴ − 2x² + y² + 0.3x from (0.3, 1.5): 792 units). The
/// saddle-free step (Dauphin et al. 2014, "Identifying and attacking the saddle point problem
/// in high-dimensional non-convex optimization") divides by |λᵢ| + λ instead, so it goes down
/// negative curvature as far as up positive; the backtracking line search halves α from γ
/// until f(θ − αp) ≤ f(θ) − c·α·gᵀp (c = 10⁻⁴).
#[derive(Clone, Debug)]
pub struct Newton {
    damping: f64,
    saddle_free: bool,
    line_search: bool,
    factor: Vec<f64>,
    rhs: Vec<f64>,
    probe: Vec<f64>,
    probe_grad: Vec<f64>,
    last_shift: f64,
}

/// The sufficient decrease a backtracking step must reach, c in f(θ − αp) ≤ f(θ) − c·α·gᵀp.
const ARMIJO: f64 = 1e-4;
/// How many times the line search may halve the step before taking none.
const MAX_HALVINGS: usize = 50;
/// The smallest |λ| the saddle-free step divides by, relative to the largest (a flat
/// direction would otherwise get an infinite step).
const MIN_CURVATURE: f64 = 1e-8;

/// The smallest shift tried when H is not positive definite.
const MIN_SHIFT: f64 = 1e-3;
/// How many times the shift may double before giving up.
const MAX_SHIFT_TRIES: usize = 80;

impl Newton {
    /// Newton with Levenberg–Marquardt damping λ ≥ 0, shifted where H is not positive
    /// definite and without a line search (the plain method).
    pub fn new(damping: f64) -> Self {
        Self::with_variant(damping, false, false)
    }

    /// Newton with damping λ ≥ 0, saddle-free or shifted, with or without the backtracking
    /// line search.
    pub fn with_variant(damping: f64, saddle_free: bool, line_search: bool) -> Self {
        Self {
            damping,
            saddle_free,
            line_search,
            factor: Vec::new(),
            rhs: Vec::new(),
            probe: Vec::new(),
            probe_grad: Vec::new(),
            last_shift: 0.0,
        }
    }

    /// The saddle-free step into `self.rhs`: p = V·diag(1/(|λᵢ| + λ))·Vᵀ·g; `false` when H
    /// has no usable eigen-decomposition.
    fn saddle_free_step(&mut self, h: &[f64], g: &[f64]) -> bool {
        let n = g.len();
        if h.iter().any(|v| !v.is_finite()) {
            return false;
        }
        // Two parameters (every surface): on the stack, nothing allocated per step.
        if n == 2 {
            let eigen = nalgebra::Matrix2::new(h[0], h[1], h[2], h[3]).symmetric_eigen();
            let values = [eigen.eigenvalues[0], eigen.eigenvalues[1]];
            self.saddle_free_sum(&values, |i, k| eigen.eigenvectors[(i, k)], g);
        } else {
            let eigen = nalgebra::DMatrix::from_row_slice(n, n, h).symmetric_eigen();
            let values: Vec<f64> = eigen.eigenvalues.iter().copied().collect();
            self.saddle_free_sum(&values, |i, k| eigen.eigenvectors[(i, k)], g);
        }
        self.last_shift = 0.0;
        self.rhs.iter().all(|v| v.is_finite())
    }

    /// `self.rhs` = Σₖ vₖ·(vₖ·g)/(|λₖ| + λ) over the eigenpairs (`vector(i, k)` is the i-th
    /// entry of the k-th eigenvector), each |λₖ| kept above a floor relative to the largest.
    fn saddle_free_sum(&mut self, values: &[f64], vector: impl Fn(usize, usize) -> f64, g: &[f64]) {
        let largest = values.iter().fold(0.0f64, |m, l| m.max(l.abs()));
        let floor = (MIN_CURVATURE * largest).max(f64::MIN_POSITIVE);
        self.rhs.fill(0.0);
        for (k, &l) in values.iter().enumerate() {
            let along: f64 = (0..g.len()).map(|i| vector(i, k) * g[i]).sum();
            let scale = along / (l.abs().max(floor) + self.damping);
            for (i, r) in self.rhs.iter_mut().enumerate() {
                *r += scale * vector(i, k);
            }
        }
    }

    /// The shifted step into `self.rhs`: (H + τI)p = g with τ as small as makes H + τI
    /// positive definite; `false` when no shift does.
    fn shifted_step(&mut self, h: &[f64], g: &[f64]) -> bool {
        let n = g.len();
        let min_diag = (0..n).map(|i| h[i * n + i]).fold(f64::INFINITY, f64::min);
        let mut shift = if min_diag > 0.0 {
            self.damping
        } else {
            self.damping - min_diag + MIN_SHIFT
        };
        for _ in 0..MAX_SHIFT_TRIES {
            self.factor.copy_from_slice(h);
            for i in 0..n {
                self.factor[i * n + i] += shift;
            }
            if cholesky(&mut self.factor, n) {
                self.rhs.copy_from_slice(g);
                cholesky_solve(&self.factor, n, &mut self.rhs);
                self.last_shift = shift;
                return true;
            }
            shift = (2.0 * shift).max(MIN_SHIFT);
        }
        false
    }

    /// The step length α along −p: γ, or with the line search the first of γ, γ/2, γ/4, …
    /// that decreases the loss enough (0 if none does).
    fn step_length(&mut self, s: &Step<'_>, objective: &mut dyn Objective) -> f64 {
        if !self.line_search {
            return s.lr;
        }
        let slope: f64 = s.grad.iter().zip(&self.rhs).map(|(g, p)| g * p).sum();
        let mut alpha = s.lr;
        for _ in 0..MAX_HALVINGS {
            for ((q, x), p) in self.probe.iter_mut().zip(s.x).zip(&self.rhs) {
                *q = x - alpha * p;
            }
            let f = objective.probe(&self.probe, &mut self.probe_grad);
            if f.is_finite() && f <= s.loss - ARMIJO * alpha * slope {
                return alpha;
            }
            alpha *= 0.5;
        }
        0.0
    }

    /// The shift τ used in the last step.
    pub fn last_shift(&self) -> f64 {
        self.last_shift
    }
}

/// Factors `a` (n×n, row-major, symmetric) in place into its lower Cholesky factor L;
/// returns `false` if `a` is not (numerically) positive definite.
fn cholesky(a: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let ljj = d.sqrt();
        a[j * n + j] = ljj;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / ljj;
        }
    }
    true
}

/// Solves L Lᵀ x = b in place, with L from [`cholesky`].
fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

impl Optimizer for Newton {
    fn oracle(&self) -> Oracle {
        Oracle::Hessian
    }

    fn reset(&mut self, dim: usize) {
        self.factor.clear();
        self.factor.resize(dim * dim, 0.0);
        self.rhs.clear();
        self.rhs.resize(dim, 0.0);
        self.probe.clear();
        self.probe.resize(dim, 0.0);
        self.probe_grad.clear();
        self.probe_grad.resize(dim, 0.0);
        self.last_shift = 0.0;
    }

    fn update(&mut self, s: &Step<'_>, objective: &mut dyn Objective, delta: &mut [f64]) {
        let Some(h) = s.hessian else {
            // Without curvature there is no Newton step; report it as a failed update.
            delta.fill(f64::NAN);
            return;
        };
        let solved = if self.saddle_free {
            self.saddle_free_step(h, s.grad)
        } else {
            self.shifted_step(h, s.grad)
        };
        if !solved {
            // A Hessian with NaN or absurd entries: no usable step.
            delta.fill(f64::NAN);
            return;
        }
        let alpha = self.step_length(s, objective);
        for (d, p) in delta.iter_mut().zip(&self.rhs) {
            *d = -alpha * p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_positive_definite_system() {
        // A = [[4, 2], [2, 3]], b = [2, 1] → x = [0.5, 0]
        let mut a = [4.0, 2.0, 2.0, 3.0];
        assert!(cholesky(&mut a, 2));
        let mut b = [2.0, 1.0];
        cholesky_solve(&a, 2, &mut b);
        assert!((b[0] - 0.5).abs() < 1e-15 && b[1].abs() < 1e-15);
    }

    /// One step of `newton` on x⁴ − 2x² + y² + 0.3x from (0.3, 1.5), where H is indefinite:
    /// the new point and loss.
    fn indefinite_step(newton: Newton) -> ([f64; 2], f64, f64) {
        let surface = crate::surfaces::Surface::from_typed(
            crate::surfaces::TypedSurface::new("x^4 - 2*x^2 + y^2 + 0.3*x", &[], &[], None)
                .unwrap(),
        );
        let config = crate::engine::RunConfig {
            lr: 1.0,
            ..Default::default()
        };
        let mut runner = crate::engine::Runner::new(
            surface,
            Box::new(newton) as Box<dyn Optimizer>,
            config,
            &[0.3, 1.5],
        )
        .unwrap();
        let before = runner.loss();
        runner.step();
        ([runner.x()[0], runner.x()[1]], before, runner.loss())
    }

    #[test]
    fn the_shifted_step_leaps_the_saddle_free_one_with_a_line_search_descends() {
        // The plain method: thrown ~792 units along the negative curvature, loss 3.9e11.
        let (p, _, after) = indefinite_step(Newton::new(0.0));
        assert!(p[0].abs() > 500.0 && after > 1e10, "{p:?} {after}");
        // Saddle-free: down the negative curvature, a step of sane length.
        let (p, before, after) = indefinite_step(Newton::with_variant(0.0, true, false));
        assert!(p[0].abs() < 2.0 && after < before, "{p:?} {before} {after}");
        // With the line search too: the loss falls at least as the Armijo rule demands.
        let (p, before, after) = indefinite_step(Newton::with_variant(0.0, true, true));
        assert!(p[0].abs() < 2.0 && after < before, "{p:?}");
        // The shifted step with a line search is cut back until the loss falls.
        let (_, before, after) = indefinite_step(Newton::with_variant(0.0, false, true));
        assert!(after < before, "{before} {after}");
    }

    #[test]
    fn every_variant_is_the_pure_newton_step_on_a_convex_quadratic() {
        let surface = crate::surfaces::Surface::new(crate::surfaces::SurfaceKind::Booth);
        for (sf, ls) in [(false, false), (true, false), (false, true), (true, true)] {
            let config = crate::engine::RunConfig {
                lr: 1.0,
                ..Default::default()
            };
            let newton = Box::new(Newton::with_variant(0.0, sf, ls)) as Box<dyn Optimizer>;
            let mut runner =
                crate::engine::Runner::new(surface.clone(), newton, config, &[-3.0, 4.0]).unwrap();
            runner.step();
            let x = runner.x();
            assert!(
                (x[0] - 1.0).abs() < 1e-9 && (x[1] - 3.0).abs() < 1e-9,
                "{sf} {ls}: {x:?}"
            );
        }
    }

    #[test]
    fn cholesky_rejects_indefinite_and_nan() {
        assert!(!cholesky(&mut [1.0, 0.0, 0.0, -1.0], 2));
        assert!(!cholesky(&mut [f64::NAN, 0.0, 0.0, 1.0], 2));
    }
}
