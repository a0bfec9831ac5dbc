//! The formulas of the test surfaces, each written once over any [`Real`] scalar.

use super::jet::Real;
use std::f64::consts::{E, PI, TAU};

/// Rosenbrock's banana valley: (a − x)² + b(y − x²)².
#[inline]
pub fn rosenbrock<R: Real>(a: f64, b: f64, x: R, y: R) -> R {
    (-x + a).sqr() + (y - x.sqr()).sqr() * b
}

/// Beale: (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)².
#[inline]
pub fn beale<R: Real>(x: R, y: R) -> R {
    let y2 = y * y;
    let y3 = y2 * y;
    (-x + x * y + 1.5).sqr() + (-x + x * y2 + 2.25).sqr() + (-x + x * y3 + 2.625).sqr()
}

/// Himmelblau: (x² + y − 11)² + (x + y² − 7)².
#[inline]
pub fn himmelblau<R: Real>(x: R, y: R) -> R {
    (x.sqr() + y - 11.0).sqr() + (x + y.sqr() - 7.0).sqr()
}

/// Booth: (x + 2y − 7)² + (2x + y − 5)².
#[inline]
pub fn booth<R: Real>(x: R, y: R) -> R {
    (x + y * 2.0 - 7.0).sqr() + (x * 2.0 + y - 5.0).sqr()
}

/// Matyas: 0.26(x² + y²) − 0.48xy.
#[inline]
pub fn matyas<R: Real>(x: R, y: R) -> R {
    (x.sqr() + y.sqr()) * 0.26 - x * y * 0.48
}

/// Three-hump camel: 2x² − 1.05x⁴ + x⁶/6 + xy + y².
#[inline]
pub fn three_hump_camel<R: Real>(x: R, y: R) -> R {
    let x2 = x.sqr();
    x2 * 2.0 - x2.sqr() * 1.05 + x2 * x2 * x2 / 6.0 + x * y + y.sqr()
}

/// Six-hump camel: (4 − 2.1x² + x⁴/3)x² + xy + (4y² − 4)y².
#[inline]
pub fn six_hump_camel<R: Real>(x: R, y: R) -> R {
    let x2 = x.sqr();
    let y2 = y.sqr();
    (-x2 * 2.1 + x2.sqr() / 3.0 + 4.0) * x2 + x * y + (y2 * 4.0 - 4.0) * y2
}

/// Goldstein–Price: [1 + (x+y+1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]
/// · [30 + (2x − 3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)].
#[inline]
pub fn goldstein_price<R: Real>(x: R, y: R) -> R {
    let a = (x + y + 1.0).sqr()
        * (x * -14.0 + x.sqr() * 3.0 - y * 14.0 + x * y * 6.0 + y.sqr() * 3.0 + 19.0);
    let b = (x * 2.0 - y * 3.0).sqr()
        * (x * -32.0 + x.sqr() * 12.0 + y * 48.0 - x * y * 36.0 + y.sqr() * 27.0 + 18.0);
    (a + 1.0) * (b + 30.0)
}

/// Rastrigin in two dimensions: 20 + Σ (xᵢ² − 10 cos 2πxᵢ).
#[inline]
pub fn rastrigin<R: Real>(x: R, y: R) -> R {
    x.sqr() - (x * TAU).cos() * 10.0 + y.sqr() - (y * TAU).cos() * 10.0 + 20.0
}

/// Ackley: −20 exp(−0.2 √(½(x² + y²))) − exp(½(cos 2πx + cos 2πy)) + e + 20.
#[inline]
pub fn ackley<R: Real>(x: R, y: R) -> R {
    let r = ((x.sqr() + y.sqr()) * 0.5).sqrt();
    let c = ((x * TAU).cos() + (y * TAU).cos()) * 0.5;
    (r * -0.2).exp() * -20.0 - c.exp() + (E + 20.0)
}

/// Styblinski–Tang in two dimensions: ½ Σ (xᵢ⁴ − 16xᵢ² + 5xᵢ).
#[inline]
pub fn styblinski_tang<R: Real>(x: R, y: R) -> R {
    let term = |t: R| t.sqr().sqr() - t.sqr() * 16.0 + t * 5.0;
    (term(x) + term(y)) * 0.5
}

/// Lévy N.13: sin²(3πx) + (x − 1)²(1 + sin²(3πy)) + (y − 1)²(1 + sin²(2πy)).
#[inline]
pub fn levy13<R: Real>(x: R, y: R) -> R {
    (x * (3.0 * PI)).sin().sqr()
        + (x - 1.0).sqr() * ((y * (3.0 * PI)).sin().sqr() + 1.0)
        + (y - 1.0).sqr() * ((y * TAU).sin().sqr() + 1.0)
}

/// The horse saddle x² − y².
#[inline]
pub fn saddle<R: Real>(x: R, y: R) -> R {
    x.sqr() - y.sqr()
}

/// The monkey saddle x³ − 3xy².
#[inline]
pub fn monkey_saddle<R: Real>(x: R, y: R) -> R {
    x * x.sqr() - x * y.sqr() * 3.0
}

/// The quadratic bowl ½ (a₁₁x² + 2a₁₂xy + a₂₂y²) for a symmetric matrix A = [[a₁₁, a₁₂], [a₁₂, a₂₂]].
#[inline]
pub fn quadratic<R: Real>(a: [f64; 3], x: R, y: R) -> R {
    (x.sqr() * a[0] + x * y * (2.0 * a[1]) + y.sqr() * a[2]) * 0.5
}

/// Height of the cliff in [`plateau_cliff`].
pub const CLIFF_HEIGHT: f64 = 5.0;
/// Steepness of the cliff in [`plateau_cliff`] (its slope at the edge is height·steepness/4).
pub const CLIFF_STEEPNESS: f64 = 20.0;
/// Position of the cliff edge along x in [`plateau_cliff`].
pub const CLIFF_EDGE: f64 = 2.5;

/// A Gaussian well on a flat plateau, behind a cliff:
/// 1 − exp(−(x² + y²)/2) + 5 σ(20 (x − 2.5)), with σ the logistic sigmoid.
#[inline]
pub fn plateau_cliff<R: Real>(x: R, y: R) -> R {
    let well = -((x.sqr() + y.sqr()) * -0.5).exp() + 1.0;
    let cliff = ((x - CLIFF_EDGE) * CLIFF_STEEPNESS).sigmoid() * CLIFF_HEIGHT;
    well + cliff
}
