//! Forward-mode automatic differentiation in two variables.
//!
//! Every surface is written once, generic over [`Real`]. Evaluated with `f64` it gives the
//! value; with [`Jet`] the value and the exact gradient; with [`Jet2`] the value, gradient and
//! exact Hessian. Derivatives are exact up to rounding (no finite differences anywhere).

use std::ops::{Add, Div, Mul, Neg, Sub};

/// A scalar that the surface formulas are written over: `f64`, [`Jet`] or [`Jet2`].
pub trait Real:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// The value without derivatives.
    fn value(self) -> f64;
    /// A constant: the value `c` with zero derivatives.
    fn constant(c: f64) -> Self;
    /// Applies a scalar function given its value and first and second derivatives at `self`.
    fn chain(self, f: f64, df: f64, d2f: f64) -> Self;

    /// The square `self²`.
    #[inline]
    fn sqr(self) -> Self {
        self * self
    }
    /// Integer power.
    #[inline]
    fn powi(self, n: i32) -> Self {
        let v = self.value();
        let n_f = f64::from(n);
        let d = if n == 0 { 0.0 } else { n_f * v.powi(n - 1) };
        let d2 = if (0..2).contains(&n) {
            0.0
        } else {
            n_f * (n_f - 1.0) * v.powi(n - 2)
        };
        self.chain(v.powi(n), d, d2)
    }
    /// Square root; at exactly zero its derivatives are taken as zero (a subgradient).
    #[inline]
    fn sqrt(self) -> Self {
        let v = self.value();
        let s = v.sqrt();
        if v == 0.0 {
            self.chain(0.0, 0.0, 0.0)
        } else {
            self.chain(s, 0.5 / s, -0.25 / (s * v))
        }
    }
    /// Natural exponential.
    #[inline]
    fn exp(self) -> Self {
        let e = self.value().exp();
        self.chain(e, e, e)
    }
    /// Natural logarithm.
    #[inline]
    fn ln(self) -> Self {
        let v = self.value();
        self.chain(v.ln(), 1.0 / v, -1.0 / (v * v))
    }
    /// Sine.
    #[inline]
    fn sin(self) -> Self {
        let (s, c) = self.value().sin_cos();
        self.chain(s, c, -s)
    }
    /// Cosine.
    #[inline]
    fn cos(self) -> Self {
        let (s, c) = self.value().sin_cos();
        self.chain(c, -s, -c)
    }
    /// Tangent.
    #[inline]
    fn tan(self) -> Self {
        let t = self.value().tan();
        let d = 1.0 + t * t;
        self.chain(t, d, 2.0 * t * d)
    }
    /// Absolute value; at exactly zero its derivatives are taken as zero (a subgradient).
    #[inline]
    fn abs(self) -> Self {
        let v = self.value();
        let sign = if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(v.abs(), sign, 0.0)
    }
    /// Hyperbolic tangent.
    #[inline]
    fn tanh(self) -> Self {
        let t = self.value().tanh();
        let d = 1.0 - t * t;
        self.chain(t, d, -2.0 * t * d)
    }
    /// Softplus ln(1 + eˣ), stable for large |x|; its derivative is the sigmoid.
    #[inline]
    fn softplus(self) -> Self {
        let v = self.value();
        let f = v.max(0.0) + (-v.abs()).exp().ln_1p();
        let s = if v >= 0.0 {
            1.0 / (1.0 + (-v).exp())
        } else {
            let e = v.exp();
            e / (1.0 + e)
        };
        self.chain(f, s, s * (1.0 - s))
    }
    /// Logistic sigmoid 1 / (1 + e^(−x)).
    #[inline]
    fn sigmoid(self) -> Self {
        let v = self.value();
        let s = if v >= 0.0 {
            1.0 / (1.0 + (-v).exp())
        } else {
            let e = v.exp();
            e / (1.0 + e)
        };
        let d = s * (1.0 - s);
        self.chain(s, d, d * (1.0 - 2.0 * s))
    }
}

impl Real for f64 {
    #[inline]
    fn value(self) -> f64 {
        self
    }
    #[inline]
    fn constant(c: f64) -> Self {
        c
    }
    #[inline]
    fn chain(self, f: f64, _df: f64, _d2f: f64) -> Self {
        f
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        f64::powi(self, n)
    }
    #[inline]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline]
    fn ln(self) -> Self {
        f64::ln(self)
    }
    #[inline]
    fn sin(self) -> Self {
        f64::sin(self)
    }
    #[inline]
    fn cos(self) -> Self {
        f64::cos(self)
    }
    #[inline]
    fn tanh(self) -> Self {
        f64::tanh(self)
    }
}

/// A value with its gradient in two variables.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jet {
    /// The value.
    pub v: f64,
    /// The partial derivatives ∂/∂x, ∂/∂y.
    pub d: [f64; 2],
}

impl Jet {
    /// The independent variable number `i` (0 for x, 1 for y) at value `v`.
    #[inline]
    pub fn var(v: f64, i: usize) -> Self {
        let mut d = [0.0; 2];
        d[i] = 1.0;
        Self { v, d }
    }
}

impl Real for Jet {
    #[inline]
    fn value(self) -> f64 {
        self.v
    }
    #[inline]
    fn constant(c: f64) -> Self {
        Self { v: c, d: [0.0; 2] }
    }
    #[inline]
    fn chain(self, f: f64, df: f64, _d2f: f64) -> Self {
        Self {
            v: f,
            d: [df * self.d[0], df * self.d[1]],
        }
    }
}

/// A value with its gradient and Hessian in two variables.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jet2 {
    /// The value.
    pub v: f64,
    /// The partial derivatives ∂/∂x, ∂/∂y.
    pub d: [f64; 2],
    /// The second derivatives ∂²/∂x², ∂²/∂x∂y, ∂²/∂y².
    pub h: [f64; 3],
}

impl Jet2 {
    /// The independent variable number `i` (0 for x, 1 for y) at value `v`.
    #[inline]
    pub fn var(v: f64, i: usize) -> Self {
        let mut d = [0.0; 2];
        d[i] = 1.0;
        Self { v, d, h: [0.0; 3] }
    }
}

impl Real for Jet2 {
    #[inline]
    fn value(self) -> f64 {
        self.v
    }
    #[inline]
    fn constant(c: f64) -> Self {
        Self {
            v: c,
            d: [0.0; 2],
            h: [0.0; 3],
        }
    }
    #[inline]
    fn chain(self, f: f64, df: f64, d2f: f64) -> Self {
        let [dx, dy] = self.d;
        Self {
            v: f,
            d: [df * dx, df * dy],
            h: [
                df * self.h[0] + d2f * dx * dx,
                df * self.h[1] + d2f * dx * dy,
                df * self.h[2] + d2f * dy * dy,
            ],
        }
    }
}

/// Implements the arithmetic operators for a jet type from its product and reciprocal rules.
macro_rules! jet_ops {
    ($t:ident, $mul:expr) => {
        impl Add for $t {
            type Output = Self;
            #[inline]
            fn add(self, o: Self) -> Self {
                let mut r = self;
                r.v += o.v;
                for (a, b) in r.d.iter_mut().zip(o.d) {
                    *a += b;
                }
                jet_ops!(@hadd $t, r, o);
                r
            }
        }
        impl Sub for $t {
            type Output = Self;
            #[inline]
            fn sub(self, o: Self) -> Self {
                self + (-o)
            }
        }
        impl Neg for $t {
            type Output = Self;
            #[inline]
            fn neg(self) -> Self {
                self * -1.0
            }
        }
        impl Mul for $t {
            type Output = Self;
            #[inline]
            fn mul(self, o: Self) -> Self {
                $mul(self, o)
            }
        }
        impl Div for $t {
            type Output = Self;
            #[inline]
            fn div(self, o: Self) -> Self {
                let v = o.v;
                self * o.chain(1.0 / v, -1.0 / (v * v), 2.0 / (v * v * v))
            }
        }
        impl Add<f64> for $t {
            type Output = Self;
            #[inline]
            fn add(mut self, c: f64) -> Self {
                self.v += c;
                self
            }
        }
        impl Sub<f64> for $t {
            type Output = Self;
            #[inline]
            fn sub(mut self, c: f64) -> Self {
                self.v -= c;
                self
            }
        }
        impl Mul<f64> for $t {
            type Output = Self;
            #[inline]
            fn mul(self, c: f64) -> Self {
                self.chain(self.v * c, c, 0.0)
            }
        }
        impl Div<f64> for $t {
            type Output = Self;
            #[inline]
            fn div(self, c: f64) -> Self {
                self * (1.0 / c)
            }
        }
    };
    (@hadd Jet, $r:ident, $o:ident) => {};
    (@hadd Jet2, $r:ident, $o:ident) => {
        for (a, b) in $r.h.iter_mut().zip($o.h) {
            *a += b;
        }
    };
}

jet_ops!(Jet, |a: Jet, b: Jet| Jet {
    v: a.v * b.v,
    d: [a.v * b.d[0] + b.v * a.d[0], a.v * b.d[1] + b.v * a.d[1]],
});

jet_ops!(Jet2, |a: Jet2, b: Jet2| Jet2 {
    v: a.v * b.v,
    d: [a.v * b.d[0] + b.v * a.d[0], a.v * b.d[1] + b.v * a.d[1]],
    h: [
        a.v * b.h[0] + b.v * a.h[0] + 2.0 * a.d[0] * b.d[0],
        a.v * b.h[1] + b.v * a.h[1] + a.d[0] * b.d[1] + a.d[1] * b.d[0],
        a.v * b.h[2] + b.v * a.h[2] + 2.0 * a.d[1] * b.d[1],
    ],
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_rule_and_hessian_of_xy_squared() {
        // f = x·y², ∇f = (y², 2xy), H = [[0, 2y], [2y, 2x]]
        let (x, y) = (Jet2::var(3.0, 0), Jet2::var(-2.0, 1));
        let f = x * y.sqr();
        assert_eq!(f.v, 12.0);
        assert_eq!(f.d, [4.0, -12.0]);
        assert_eq!(f.h, [0.0, -4.0, 6.0]);
    }

    #[test]
    fn quotient_and_constants() {
        // f = (x + 1) / y at (1, 4): value 0.5, ∇ = (1/y, −(x+1)/y²) = (0.25, −0.125)
        let f = (Jet::var(1.0, 0) + 1.0) / Jet::var(4.0, 1);
        assert_eq!(f.v, 0.5);
        assert_eq!(f.d, [0.25, -0.125]);
        // Subtraction and constant multiplication
        let g = (Jet::var(2.0, 0) - 5.0) * 3.0 - Jet::var(1.0, 1);
        assert_eq!(g.v, -10.0);
        assert_eq!(g.d, [3.0, -1.0]);
    }

    #[test]
    fn sqrt_at_zero_has_zero_subgradient() {
        let f = (Jet2::var(0.0, 0).sqr() + Jet2::var(0.0, 1).sqr()).sqrt();
        assert_eq!(f.v, 0.0);
        assert!(f.d.iter().chain(f.h.iter()).all(|v| *v == 0.0));
    }

    #[test]
    fn sigmoid_is_stable_for_large_arguments() {
        assert_eq!(Real::sigmoid(800.0_f64), 1.0);
        assert_eq!(Real::sigmoid(-800.0_f64), 0.0);
        let s = Jet::var(0.0, 0).sigmoid();
        assert_eq!(s.v, 0.5);
        assert_eq!(s.d[0], 0.25);
    }
}
