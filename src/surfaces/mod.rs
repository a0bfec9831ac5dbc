//! The 2-parameter test surfaces: value, exact gradient and exact Hessian, plus what each one
//! teaches.

pub mod catalog;
pub mod functions;
pub mod jet;

use crate::engine::Objective;
use crate::optim::hyper::HyperError;
pub use catalog::{PointKind, SURFACES, SurfaceInfo, View};
use jet::{Jet, Jet2, Real};
use serde::Serialize;

/// Which test function; indexes [`SURFACES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum SurfaceKind {
    Rosenbrock,
    Beale,
    Himmelblau,
    Booth,
    Matyas,
    ThreeHumpCamel,
    SixHumpCamel,
    GoldsteinPrice,
    Rastrigin,
    Ackley,
    StyblinskiTang,
    Levy13,
    Saddle,
    MonkeySaddle,
    Quadratic,
    PlateauCliff,
}

/// A surface name that is not one of [`SurfaceKind::ALL`].
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unknown surface '{0}' (valid: {names})", names = SurfaceKind::names().join(", "))]
pub struct UnknownSurface(pub String);

impl SurfaceKind {
    /// All surfaces, in the order of [`SURFACES`].
    pub const ALL: [SurfaceKind; 16] = [
        Self::Rosenbrock,
        Self::Beale,
        Self::Himmelblau,
        Self::Booth,
        Self::Matyas,
        Self::ThreeHumpCamel,
        Self::SixHumpCamel,
        Self::GoldsteinPrice,
        Self::Rastrigin,
        Self::Ackley,
        Self::StyblinskiTang,
        Self::Levy13,
        Self::Saddle,
        Self::MonkeySaddle,
        Self::Quadratic,
        Self::PlateauCliff,
    ];

    /// Its fixed description.
    pub fn info(self) -> &'static SurfaceInfo {
        &SURFACES[self as usize]
    }

    /// The stable lower-case name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// All stable names.
    pub fn names() -> Vec<&'static str> {
        SURFACES.iter().map(|s| s.name).collect()
    }

    /// Looks a surface up by its stable name.
    pub fn from_name(name: &str) -> Result<Self, UnknownSurface> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| UnknownSurface(name.to_string()))
    }
}

/// A known stationary point of a surface.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CriticalPoint {
    /// x coordinate.
    pub x: f64,
    /// y coordinate.
    pub y: f64,
    /// f(x, y).
    pub value: f64,
    /// Global minimum, local minimum or saddle.
    pub kind: PointKind,
}

/// A test surface with its parameters: a 2-parameter [`Objective`] that is cheap to copy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Surface {
    kind: SurfaceKind,
    params: [f64; 2],
    /// Derived coefficients (the quadratic's matrix entries).
    coef: [f64; 3],
}

impl Surface {
    /// The surface with its default parameters.
    pub fn new(kind: SurfaceKind) -> Self {
        let mut params = [0.0; 2];
        for (p, spec) in params.iter_mut().zip(kind.info().params) {
            *p = spec.default;
        }
        Self::from_params(kind, params)
    }

    /// The surface with some parameters overridden; unknown names and out-of-range values
    /// are errors.
    pub fn with_params(kind: SurfaceKind, overrides: &[(String, f64)]) -> Result<Self, HyperError> {
        let specs = kind.info().params;
        let mut surface = Self::new(kind);
        for (name, value) in overrides {
            let Some(i) = specs.iter().position(|s| s.name == name) else {
                let valid: Vec<_> = specs.iter().map(|s| s.name).collect();
                return Err(HyperError::Unknown {
                    optimizer: kind.name(),
                    name: name.clone(),
                    valid: if valid.is_empty() {
                        "none".into()
                    } else {
                        valid.join(", ")
                    },
                });
            };
            if !specs[i].accepts(*value) {
                return Err(HyperError::OutOfRange {
                    optimizer: kind.name(),
                    name: specs[i].name,
                    value: *value,
                    range: specs[i].range_text(),
                });
            }
            surface.params[i] = *value;
        }
        Ok(Self::from_params(kind, surface.params))
    }

    fn from_params(kind: SurfaceKind, params: [f64; 2]) -> Self {
        let coef = if kind == SurfaceKind::Quadratic {
            // A = Rᵀ diag(1, κ) R with R the rotation by θ.
            let (kappa, theta) = (params[0], params[1].to_radians());
            let (s, c) = theta.sin_cos();
            [
                c * c + kappa * s * s,
                (1.0 - kappa) * s * c,
                s * s + kappa * c * c,
            ]
        } else {
            [0.0; 3]
        };
        Self { kind, params, coef }
    }

    /// Which function this is.
    pub fn kind(&self) -> SurfaceKind {
        self.kind
    }

    /// Its fixed description.
    pub fn info(&self) -> &'static SurfaceInfo {
        self.kind.info()
    }

    /// The current parameter values, by name.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        self.info()
            .params
            .iter()
            .zip(self.params)
            .map(|(s, v)| (s.name, v))
            .collect()
    }

    /// For the quadratic, its matrix A as (a₁₁, a₁₂, a₂₂).
    pub fn quadratic_matrix(&self) -> Option<[f64; 3]> {
        (self.kind == SurfaceKind::Quadratic).then_some(self.coef)
    }

    /// f at (x, y) over any scalar type.
    #[inline(always)]
    pub fn eval<R: Real>(&self, x: R, y: R) -> R {
        use functions as f;
        match self.kind {
            SurfaceKind::Rosenbrock => f::rosenbrock(self.params[0], self.params[1], x, y),
            SurfaceKind::Beale => f::beale(x, y),
            SurfaceKind::Himmelblau => f::himmelblau(x, y),
            SurfaceKind::Booth => f::booth(x, y),
            SurfaceKind::Matyas => f::matyas(x, y),
            SurfaceKind::ThreeHumpCamel => f::three_hump_camel(x, y),
            SurfaceKind::SixHumpCamel => f::six_hump_camel(x, y),
            SurfaceKind::GoldsteinPrice => f::goldstein_price(x, y),
            SurfaceKind::Rastrigin => f::rastrigin(x, y),
            SurfaceKind::Ackley => f::ackley(x, y),
            SurfaceKind::StyblinskiTang => f::styblinski_tang(x, y),
            SurfaceKind::Levy13 => f::levy13(x, y),
            SurfaceKind::Saddle => f::saddle(x, y),
            SurfaceKind::MonkeySaddle => f::monkey_saddle(x, y),
            SurfaceKind::Quadratic => f::quadratic(self.coef, x, y),
            SurfaceKind::PlateauCliff => f::plateau_cliff(x, y),
        }
    }

    /// f(x, y).
    #[inline]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        self.eval(x, y)
    }

    /// f(x, y) and ∇f(x, y).
    #[inline(always)]
    pub fn value_grad(&self, x: f64, y: f64) -> (f64, [f64; 2]) {
        let j = self.eval(Jet::var(x, 0), Jet::var(y, 1));
        (j.v, j.d)
    }

    /// f(x, y), ∇f(x, y) and the Hessian as (∂²/∂x², ∂²/∂x∂y, ∂²/∂y²).
    #[inline]
    pub fn value_grad_hess(&self, x: f64, y: f64) -> (f64, [f64; 2], [f64; 3]) {
        let j = self.eval(Jet2::var(x, 0), Jet2::var(y, 1));
        (j.v, j.d, j.h)
    }

    /// The known stationary points at the current parameters, with their values.
    pub fn critical_points(&self) -> Vec<CriticalPoint> {
        let at = |x: f64, y: f64, kind| CriticalPoint {
            x,
            y,
            value: self.value(x, y),
            kind,
        };
        match self.kind {
            SurfaceKind::Rosenbrock => {
                let a = self.params[0];
                vec![at(a, a * a, PointKind::Global)]
            }
            _ => self
                .info()
                .points
                .iter()
                .map(|&(x, y, kind)| at(x, y, kind))
                .collect(),
        }
    }

    /// The known minima (global first).
    pub fn minima(&self) -> Vec<CriticalPoint> {
        let mut m: Vec<_> = self
            .critical_points()
            .into_iter()
            .filter(|p| p.kind != PointKind::Saddle)
            .collect();
        m.sort_by(|a, b| a.value.total_cmp(&b.value));
        m
    }

    /// The default start point.
    pub fn default_start(&self) -> [f64; 2] {
        self.info().starts[0]
    }
}

impl Objective for Surface {
    fn dim(&self) -> usize {
        2
    }

    #[inline]
    fn loss(&mut self, x: &[f64]) -> f64 {
        self.value(x[0], x[1])
    }

    #[inline(always)]
    fn loss_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let (v, g) = self.value_grad(x[0], x[1]);
        grad[0] = g[0];
        grad[1] = g[1];
        v
    }

    fn has_hessian(&self) -> bool {
        true
    }

    fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> bool {
        let (_, _, h) = self.value_grad_hess(x[0], x[1]);
        hess.copy_from_slice(&[h[0], h[1], h[1], h[2]]);
        true
    }
}
