//! Curvature at a point: the Hessian's eigen-decomposition, its condition number, and the
//! largest learning rates for which gradient descent and momentum are stable on the local
//! quadratic model.
//!
//! Near a point θ* the loss is f(θ* + e) ≈ f(θ*) + ∇fᵀe + ½ eᵀHe. Along an eigenvector of H
//! with eigenvalue λ every linear method below reduces to a scalar recurrence, whose
//! stability gives the bounds:
//!
//! - gradient descent, eₜ = (1 − γλ)eₜ₋₁: stable iff 0 < γλ < 2, so γ < 2/λ_max;
//! - heavy ball (PyTorch `SGD(momentum=μ, dampening=τ)`), bₜ = μbₜ₋₁ + (1 − τ)λeₜ₋₁,
//!   eₜ = eₜ₋₁ − γbₜ: characteristic polynomial z² − (1 + μ − h)z + μ with h = γ(1 − τ)λ;
//!   the Jury conditions give 0 < h < 2(1 + μ), so γ < 2(1 + μ)/((1 − τ)λ_max);
//! - Nesterov (PyTorch `SGD(nesterov=True)`), bₜ = μbₜ₋₁ + λeₜ₋₁,
//!   eₜ = eₜ₋₁ − γ(λeₜ₋₁ + μbₜ): on the state (e, b) the step matrix is
//!   [[1 − h(1 + μ), −γμ²], [λ, μ]] with h = γλ, so the characteristic polynomial is
//!   z² − (1 + μ)(1 − h)z + μ(1 − h). Jury: P(1) = h > 0, P(−1) = 1 + (1 + 2μ)(1 − h) > 0 and
//!   |μ(1 − h)| < 1; the binding one is P(−1), so γ < 2(1 + μ)/((1 + 2μ)λ_max) (which is
//!   2/λ_max at μ = 0 and tends to 4/(3λ_max) as μ → 1).
//!
//! Weight decay λ_wd adds λ_wd to every eigenvalue (the step sees ∇f + λ_wd·θ), so the bounds
//! use λ_max + λ_wd. Directions of negative curvature are unstable at every γ > 0 (the point
//! is not a minimum); the bounds only speak about the directions that curve up.

use crate::engine::Objective;
use crate::optim::OptimizerKind;
use crate::optim::hyper::HyperValues;
use crate::surfaces::Surface;
use nalgebra::{DMatrix, SymmetricEigen};
use thiserror::Error;

/// A Hessian that cannot be analysed.
#[derive(Debug, Error, PartialEq)]
pub enum CurvatureError {
    /// The entries do not form an n × n matrix.
    #[error("a Hessian of {n}×{n} needs {want} entries, got {got}")]
    Shape {
        /// The dimension.
        n: usize,
        /// Entries expected.
        want: usize,
        /// Entries given.
        got: usize,
    },
    /// An entry is NaN or infinite.
    #[error("the Hessian has a non-finite entry")]
    NonFinite,
    /// The objective has no Hessian.
    #[error("the objective has no Hessian")]
    Unavailable,
}

/// The shape of the local quadratic model, from the signs of the eigenvalues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Definiteness {
    /// Every eigenvalue > 0: a bowl (strictly convex locally).
    PositiveDefinite,
    /// Every eigenvalue ≥ 0, some (numerically) zero: a valley or a flat direction.
    PositiveSemidefinite,
    /// Eigenvalues of both signs: a saddle, not convex.
    Indefinite,
    /// Every eigenvalue ≤ 0, some zero: a ridge.
    NegativeSemidefinite,
    /// Every eigenvalue < 0: a cap (a local maximum).
    NegativeDefinite,
}

impl Definiteness {
    /// Whether the local model is convex (positive semidefinite).
    pub fn is_convex(self) -> bool {
        matches!(self, Self::PositiveDefinite | Self::PositiveSemidefinite)
    }

    /// A short label, e.g. `positive-definite`.
    pub fn label(self) -> &'static str {
        match self {
            Self::PositiveDefinite => "positive-definite",
            Self::PositiveSemidefinite => "positive-semidefinite",
            Self::Indefinite => "indefinite",
            Self::NegativeSemidefinite => "negative-semidefinite",
            Self::NegativeDefinite => "negative-definite",
        }
    }
}

/// Eigenvalues at or below this fraction of the largest |λ| count as zero.
pub const ZERO_TOLERANCE: f64 = 1e-12;

/// The eigen-decomposition of a symmetric Hessian H = V·diag(λ)·Vᵀ.
#[derive(Clone, Debug, PartialEq)]
pub struct Curvature {
    /// The dimension n.
    pub dim: usize,
    /// Eigenvalues λ₁ ≤ … ≤ λₙ, ascending.
    pub eigenvalues: Vec<f64>,
    /// Unit eigenvectors, `eigenvectors[i]` paired with `eigenvalues[i]` (orthonormal).
    pub eigenvectors: Vec<Vec<f64>>,
}

impl Curvature {
    /// Decomposes a row-major n × n matrix, symmetrised as (H + Hᵀ)/2 first.
    pub fn of_matrix(h: &[f64], n: usize) -> Result<Self, CurvatureError> {
        if h.len() != n * n {
            return Err(CurvatureError::Shape {
                n,
                want: n * n,
                got: h.len(),
            });
        }
        if h.iter().any(|v| !v.is_finite()) {
            return Err(CurvatureError::NonFinite);
        }
        let m = DMatrix::from_fn(n, n, |i, j| 0.5 * (h[i * n + j] + h[j * n + i]));
        let eig = SymmetricEigen::new(m);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| eig.eigenvalues[a].total_cmp(&eig.eigenvalues[b]));
        let eigenvalues = order.iter().map(|&k| eig.eigenvalues[k]).collect();
        let eigenvectors = order
            .iter()
            .map(|&k| {
                let col = eig.eigenvectors.column(k);
                // A fixed sign (first non-zero entry positive) so results are reproducible.
                let sign = col
                    .iter()
                    .find(|v| v.abs() > 1e-300)
                    .map_or(1.0, |v| v.signum());
                col.iter().map(|v| v * sign).collect()
            })
            .collect();
        Ok(Self {
            dim: n,
            eigenvalues,
            eigenvectors,
        })
    }

    /// The curvature of a 2-D Hessian given as (∂²/∂x², ∂²/∂x∂y, ∂²/∂y²).
    pub fn of_hessian2(h: [f64; 3]) -> Result<Self, CurvatureError> {
        Self::of_matrix(&[h[0], h[1], h[1], h[2]], 2)
    }

    /// The curvature of a test surface at (x, y), from its exact Hessian.
    pub fn at(surface: &Surface, x: f64, y: f64) -> Result<Self, CurvatureError> {
        let (_, _, h) = surface.value_grad_hess(x, y);
        Self::of_hessian2(h)
    }

    /// The curvature of any objective that has a Hessian, at `x`.
    pub fn of_objective(objective: &mut dyn Objective, x: &[f64]) -> Result<Self, CurvatureError> {
        let n = objective.dim();
        let mut h = vec![0.0; n * n];
        if !objective.has_hessian() || !objective.hessian(x, &mut h) {
            return Err(CurvatureError::Unavailable);
        }
        Self::of_matrix(&h, n)
    }

    /// The smallest eigenvalue λ_min.
    pub fn lambda_min(&self) -> f64 {
        self.eigenvalues.first().copied().unwrap_or(0.0)
    }

    /// The largest eigenvalue λ_max.
    pub fn lambda_max(&self) -> f64 {
        self.eigenvalues.last().copied().unwrap_or(0.0)
    }

    /// The spectral condition number κ = max|λᵢ| / min|λᵢ| (∞ when H is singular; 1 for
    /// the zero matrix is not defined, so it is ∞ too).
    pub fn condition_number(&self) -> f64 {
        let abs = self.eigenvalues.iter().map(|l| l.abs());
        let max = abs.clone().fold(0.0, f64::max);
        let min = abs.fold(f64::INFINITY, f64::min);
        if max == 0.0 || min <= ZERO_TOLERANCE * max {
            f64::INFINITY
        } else {
            max / min
        }
    }

    /// Whether the local quadratic model is a bowl, a valley, a saddle, a ridge or a cap.
    pub fn definiteness(&self) -> Definiteness {
        let scale = self.eigenvalues.iter().fold(0.0_f64, |m, l| m.max(l.abs()));
        let zero = ZERO_TOLERANCE * scale;
        let pos = self.eigenvalues.iter().filter(|&&l| l > zero).count();
        let neg = self.eigenvalues.iter().filter(|&&l| l < -zero).count();
        let n = self.eigenvalues.len();
        match (pos, neg) {
            (p, 0) if p == n && n > 0 => Definiteness::PositiveDefinite,
            (_, 0) => Definiteness::PositiveSemidefinite,
            (0, m) if m == n => Definiteness::NegativeDefinite,
            (0, _) => Definiteness::NegativeSemidefinite,
            _ => Definiteness::Indefinite,
        }
    }

    /// Whether the point is locally convex (H positive semidefinite).
    pub fn is_convex(&self) -> bool {
        self.definiteness().is_convex()
    }

    /// The largest stable learning rate of `kind` with `hp` on the local quadratic model, as
    /// [`stable_lr`] with this point's λ_max.
    pub fn stable_lr(&self, kind: OptimizerKind, hp: &HyperValues) -> Option<f64> {
        stable_lr(kind, hp, self.lambda_max())
    }

    /// For a 2-D Hessian: the principal axes at `center` as segments (one per eigenvector,
    /// smallest λ first), each reaching the level set ½·|λ|·s² = `level` of the local model,
    /// i.e. half-length s = √(2·level/|λ|), capped at `max_half` where |λ| is (near) zero.
    pub fn principal_axes(
        &self,
        center: [f64; 2],
        level: f64,
        max_half: f64,
    ) -> Vec<([f64; 2], [f64; 2])> {
        if self.dim != 2 {
            return Vec::new();
        }
        self.eigenvalues
            .iter()
            .zip(&self.eigenvectors)
            .map(|(&l, v)| {
                let s = if l.abs() > 0.0 {
                    (2.0 * level.abs() / l.abs()).sqrt().min(max_half)
                } else {
                    max_half
                };
                (
                    [center[0] - s * v[0], center[1] - s * v[1]],
                    [center[0] + s * v[0], center[1] + s * v[1]],
                )
            })
            .collect()
    }
}

pub use crate::optim::sgd::{gd_stable_lr, heavy_ball_stable_lr, nesterov_stable_lr};

/// The largest stable learning rate of `kind` with `hp` on a quadratic whose largest
/// Hessian eigenvalue is `lambda_max` (weight decay added to it), from the optimizer's own
/// definition: GD, heavy ball and Nesterov have closed forms (derived in this module's
/// documentation); adaptive and second-order methods have no such bound (`None`), nor does a
/// λ_max ≤ 0.
pub fn stable_lr(kind: OptimizerKind, hp: &HyperValues, lambda_max: f64) -> Option<f64> {
    let lambda = lambda_max + hp.get("weight_decay").unwrap_or(0.0);
    (kind.def().stable_lr?)(hp, lambda)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rᵀ·diag(l1, l2)·R for the rotation R by `theta`, row-major.
    fn rotated(l1: f64, l2: f64, theta: f64) -> [f64; 4] {
        let (s, c) = theta.sin_cos();
        // Columns of the rotation are the eigenvectors (c, s) and (−s, c).
        let a = l1 * c * c + l2 * s * s;
        let b = (l1 - l2) * c * s;
        let d = l1 * s * s + l2 * c * c;
        [a, b, b, d]
    }

    #[test]
    fn rotated_quadratic_matches_closed_form() {
        for (l1, l2, theta) in [(1.0, 10.0, 0.3), (-2.0, 5.0, 1.1), (3.0, 3.0, 0.7)] {
            let h = rotated(l1, l2, theta);
            let c = Curvature::of_matrix(&h, 2).unwrap();
            let (lo, hi) = (l1.min(l2), l1.max(l2));
            assert!((c.lambda_min() - lo).abs() < 1e-12);
            assert!((c.lambda_max() - hi).abs() < 1e-12);
            if l1 != l2 {
                // The eigenvector of l1 is ±(cos θ, sin θ).
                let k = if l1 < l2 { 0 } else { 1 };
                let v = &c.eigenvectors[k];
                let dot = v[0] * theta.cos() + v[1] * theta.sin();
                assert!((dot.abs() - 1.0).abs() < 1e-12, "{v:?}");
            }
            // H v = λ v for each pair, and the vectors are orthonormal.
            for (l, v) in c.eigenvalues.iter().zip(&c.eigenvectors) {
                let hv = [h[0] * v[0] + h[1] * v[1], h[2] * v[0] + h[3] * v[1]];
                assert!((hv[0] - l * v[0]).abs() < 1e-12 && (hv[1] - l * v[1]).abs() < 1e-12);
            }
            let dot = c.eigenvectors[0][0] * c.eigenvectors[1][0]
                + c.eigenvectors[0][1] * c.eigenvectors[1][1];
            assert!(dot.abs() < 1e-12);
        }
    }

    #[test]
    fn condition_and_definiteness() {
        let c = Curvature::of_matrix(&rotated(2.0, 50.0, 0.4), 2).unwrap();
        assert!((c.condition_number() - 25.0).abs() < 1e-9);
        assert_eq!(c.definiteness(), Definiteness::PositiveDefinite);
        let saddle = Curvature::of_matrix(&rotated(-1.0, 4.0, 0.2), 2).unwrap();
        assert_eq!(saddle.definiteness(), Definiteness::Indefinite);
        assert!(!saddle.is_convex());
        assert!((saddle.condition_number() - 4.0).abs() < 1e-9);
        let singular = Curvature::of_matrix(&[1.0, 0.0, 0.0, 0.0], 2).unwrap();
        assert_eq!(singular.condition_number(), f64::INFINITY);
        assert_eq!(singular.definiteness(), Definiteness::PositiveSemidefinite);
        let cap = Curvature::of_matrix(&[-1.0, 0.0, 0.0, -3.0], 2).unwrap();
        assert_eq!(cap.definiteness(), Definiteness::NegativeDefinite);
        assert!(Curvature::of_matrix(&[1.0, 2.0, 3.0], 2).is_err());
        assert!(Curvature::of_matrix(&[f64::NAN, 0.0, 0.0, 1.0], 2).is_err());
    }

    #[test]
    fn larger_matrices() {
        // A 3×3 diagonal matrix in a rotated basis keeps its spectrum.
        let h = [4.0, 1.0, 0.0, 1.0, 4.0, 0.0, 0.0, 0.0, 1.0];
        let c = Curvature::of_matrix(&h, 3).unwrap();
        let want = [1.0, 3.0, 5.0];
        for (got, want) in c.eigenvalues.iter().zip(want) {
            assert!((got - want).abs() < 1e-12);
        }
    }

    #[test]
    fn bounds_in_closed_form() {
        let gd = OptimizerKind::GD.defaults();
        assert_eq!(stable_lr(OptimizerKind::GD, &gd, 10.0), Some(0.2));
        assert_eq!(stable_lr(OptimizerKind::GD, &gd, -1.0), None);
        let m = OptimizerKind::MOMENTUM.defaults();
        let hb = stable_lr(OptimizerKind::MOMENTUM, &m, 10.0).unwrap();
        assert!((hb - 0.38).abs() < 1e-12);
        let n = OptimizerKind::NESTEROV.defaults();
        let nb = stable_lr(OptimizerKind::NESTEROV, &n, 10.0).unwrap();
        assert!((nb - 2.0 * 1.9 / (2.8 * 10.0)).abs() < 1e-12);
        assert_eq!(
            stable_lr(OptimizerKind::ADAM, &OptimizerKind::ADAM.defaults(), 10.0),
            None
        );
        let mut wd = gd.clone();
        wd.set("weight_decay", 10.0);
        assert_eq!(stable_lr(OptimizerKind::GD, &wd, 10.0), Some(0.1));
    }

    #[test]
    fn principal_axes_reach_the_level_set() {
        let c = Curvature::of_matrix(&[2.0, 0.0, 0.0, 8.0], 2).unwrap();
        let axes = c.principal_axes([1.0, 1.0], 1.0, 100.0);
        // λ = 2 along x: half-length 1; λ = 8 along y: half-length 0.5.
        assert!((axes[0].1[0] - 2.0).abs() < 1e-12 && (axes[0].1[1] - 1.0).abs() < 1e-12);
        assert!((axes[1].1[1] - 1.5).abs() < 1e-12);
    }
}
