//! Newton's method with a step size and a Levenberg–Marquardt shift.

use super::def::{OptimizerDef, any_combination};
use super::hyper::{HyperSpec, lr, real};
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
    ],
    oracle: Oracle::Hessian,
    build: |hp| Ok(Box::new(Newton::new(hp.get("damping")?))),
    check: any_combination,
    state_legend: "Newton keeps no state between steps: each step solves the local quadratic model.",
    state_vectors: |_| 0,
    stable_lr: None,
};

/// Damped Newton: solves (H + τI)p = g by Cholesky and steps θₜ = θₜ₋₁ − γp.
///
/// ```text
#[doc = include_str!("formulas/newton.txt")]
/// ```
/// Where H is positive definite and λ = 0, τ = 0 and this is the pure Newton step, which lands
/// on the minimum of a quadratic in one step. Where H is not positive definite (near a saddle
/// or a maximum) the plain Newton step would head for that stationary point; instead τ is
/// raised until H + τI is positive definite (Nocedal & Wright, Algorithm 3.3), so the step is
/// always a descent direction. Just past the smallest eigenvalue that step can be long along
/// the direction of negative curvature; a larger `damping` λ tames it.
#[derive(Clone, Debug)]
pub struct Newton {
    damping: f64,
    factor: Vec<f64>,
    rhs: Vec<f64>,
    last_shift: f64,
}

/// The smallest shift tried when H is not positive definite.
const MIN_SHIFT: f64 = 1e-3;
/// How many times the shift may double before giving up.
const MAX_SHIFT_TRIES: usize = 80;

impl Newton {
    /// Newton with Levenberg–Marquardt damping λ ≥ 0.
    pub fn new(damping: f64) -> Self {
        Self {
            damping,
            factor: Vec::new(),
            rhs: Vec::new(),
            last_shift: 0.0,
        }
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
        self.last_shift = 0.0;
    }

    fn update(&mut self, s: &Step<'_>, _: &mut dyn Objective, delta: &mut [f64]) {
        let n = delta.len();
        let Some(h) = s.hessian else {
            // Without curvature there is no Newton step; report it as a failed update.
            delta.fill(f64::NAN);
            return;
        };
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
                self.rhs.copy_from_slice(s.grad);
                cholesky_solve(&self.factor, n, &mut self.rhs);
                self.last_shift = shift;
                for (d, p) in delta.iter_mut().zip(&self.rhs) {
                    *d = -s.lr * p;
                }
                return;
            }
            shift = (2.0 * shift).max(MIN_SHIFT);
        }
        // A Hessian with NaN or absurd entries: no usable step.
        delta.fill(f64::NAN);
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

    #[test]
    fn cholesky_rejects_indefinite_and_nan() {
        assert!(!cholesky(&mut [1.0, 0.0, 0.0, -1.0], 2));
        assert!(!cholesky(&mut [f64::NAN, 0.0, 0.0, 1.0], 2));
    }
}
