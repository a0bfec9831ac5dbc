//! The element types a network computes in: `f32` for training and evaluation (twice the
//! numbers per vector instruction, as in most deep-learning frameworks), `f64` as the
//! reference that the finite-difference checks run on. Parameters, optimizer state, losses
//! and metrics stay `f64` either way.

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Mul, MulAssign, Sub};

/// A floating-point type the network's products and activations run in.
pub trait Real:
    Copy
    + Default
    + Debug
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + AddAssign
    + MulAssign
    + Send
    + Sync
    + 'static
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// Whether 16-column tiles fit the vector registers (8 lanes per AVX register).
    const WIDE_TILES: bool;

    /// The nearest value of this type.
    fn from_f64(v: f64) -> Self;

    /// The value as f64 (exact).
    fn to_f64(self) -> f64;

    /// self·a + b, rounded once.
    fn mul_add(self, a: Self, b: Self) -> Self;

    /// The larger of the two (the other when one is NaN).
    fn max(self, other: Self) -> Self;
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const WIDE_TILES: bool = true;

    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }

    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        f32::mul_add(self, a, b)
    }

    #[inline(always)]
    fn max(self, other: Self) -> Self {
        f32::max(self, other)
    }
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const WIDE_TILES: bool = false;

    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }

    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        f64::mul_add(self, a, b)
    }

    #[inline(always)]
    fn max(self, other: Self) -> Self {
        f64::max(self, other)
    }
}

/// Writes `from` into `to`, each value rounded to `T` (a plain copy for f64).
#[inline(always)]
pub fn convert_into<T: Real>(from: &[f64], to: &mut [T]) {
    to.iter_mut()
        .zip(from)
        .for_each(|(t, &f)| *t = T::from_f64(f));
}
