//! The 2-parameter test surfaces: value, exact gradient and exact Hessian, plus what each one
//! teaches.

pub mod catalog;
pub mod data;
pub mod functions;
pub mod jet;
pub mod stationary;
pub mod typed;

use crate::engine::Objective;
use crate::optim::hyper::HyperError;
pub use catalog::{PointKind, SURFACES, SurfaceInfo, View};
pub use data::{DataModel, DataSpec, DataSurface, DataSurfaceError};
use jet::{Jet, Jet2, Real};
use serde::Serialize;
use std::sync::Arc;
pub use typed::{TypedError, TypedParam, TypedSurface};

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

/// A surface parameter as the panels and the command line show it.
#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceParam {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: f64,
    /// The slider's range.
    pub range: (f64, f64),
    /// Whether the slider is logarithmic.
    pub log_scale: bool,
    /// What it does.
    pub meaning: String,
}

/// A built-in function with its parameter values.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Builtin {
    kind: SurfaceKind,
    params: [f64; 2],
    /// Derived coefficients (the quadratic's matrix entries).
    coef: [f64; 3],
}

/// What a surface is made of.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    /// One of the catalogue's functions.
    Builtin(Builtin),
    /// A function the user typed.
    Typed(Arc<TypedSurface>),
    /// A two-parameter model on a dataset.
    Data(Arc<DataSurface>),
}

/// A surface: a built-in test function with its parameters, or a function the user typed.
/// A 2-parameter [`Objective`] with exact gradients and Hessians, cheap to clone.
#[derive(Clone, Debug, PartialEq)]
pub struct Surface {
    shape: Shape,
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
        let mut params = [0.0; 2];
        for (p, spec) in params.iter_mut().zip(specs) {
            *p = spec.default;
        }
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
            params[i] = *value;
        }
        Ok(Self::from_params(kind, params))
    }

    /// The function `text` typed by the user, with parameter values by name (the others 1),
    /// shown in `view` (or a window around its stationary points).
    pub fn typed(
        text: &str,
        params: &[(String, f64)],
        view: Option<View>,
    ) -> Result<Self, TypedError> {
        Ok(Self::from_typed(TypedSurface::new(
            text,
            params,
            &[],
            view,
        )?))
    }

    /// A surface made from a typed function.
    pub fn from_typed(typed: TypedSurface) -> Self {
        Self {
            shape: Shape::Typed(Arc::new(typed)),
        }
    }

    /// A two-parameter model on a dataset (`linear:diabetes:bmi`, `logistic:moons`).
    pub fn data(spec: DataSpec) -> Result<Self, DataSurfaceError> {
        Ok(Self::from_data(DataSurface::new(spec)?))
    }

    /// A surface made from a model on data.
    pub fn from_data(data: DataSurface) -> Self {
        Self {
            shape: Shape::Data(Arc::new(data)),
        }
    }

    /// The finest square grid worth sampling for a picture of it (a model on many rows is
    /// costly to evaluate; functions are cheap).
    pub fn finest_grid(&self) -> usize {
        match &self.shape {
            Shape::Data(d) => d.finest_grid(),
            _ => 1024,
        }
    }

    /// The model on data, if this is one.
    pub fn data_model(&self) -> Option<&DataSurface> {
        match &self.shape {
            Shape::Data(d) => Some(d),
            _ => None,
        }
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
        Self {
            shape: Shape::Builtin(Builtin { kind, params, coef }),
        }
    }

    /// Which built-in function this is (`None` for a typed one or a model on data).
    pub fn kind(&self) -> Option<SurfaceKind> {
        match &self.shape {
            Shape::Builtin(b) => Some(b.kind),
            _ => None,
        }
    }

    /// The typed function, if this is one.
    pub fn typed_function(&self) -> Option<&TypedSurface> {
        match &self.shape {
            Shape::Typed(t) => Some(t),
            _ => None,
        }
    }

    /// Whether `other` is the same function, perhaps with other parameter values or window.
    pub fn same_function(&self, other: &Surface) -> bool {
        match (&self.shape, &other.shape) {
            (Shape::Builtin(a), Shape::Builtin(b)) => a.kind == b.kind,
            (Shape::Typed(a), Shape::Typed(b)) => a.text() == b.text(),
            (Shape::Data(a), Shape::Data(b)) => a.spec() == b.spec(),
            _ => false,
        }
    }

    /// The stable lower-case name: the built-in's, or `formula`.
    pub fn name(&self) -> &str {
        match &self.shape {
            Shape::Builtin(b) => b.kind.name(),
            Shape::Typed(_) => "formula",
            Shape::Data(d) => d.name(),
        }
    }

    /// The display name.
    pub fn title(&self) -> String {
        match &self.shape {
            Shape::Builtin(b) => b.kind.info().title.to_string(),
            Shape::Typed(_) => "Your function".to_string(),
            Shape::Data(d) => d.title(),
        }
    }

    /// The formula as text, `f(x, y) = …`.
    pub fn formula(&self) -> String {
        match &self.shape {
            Shape::Builtin(b) => b.kind.info().formula.to_string(),
            Shape::Typed(t) => format!("f(x, y) = {}", t.text()),
            Shape::Data(d) => d.formula(),
        }
    }

    /// What it teaches (empty for a typed function).
    pub fn lesson(&self) -> &str {
        match &self.shape {
            Shape::Builtin(b) => b.kind.info().lesson,
            Shape::Typed(_) => "",
            Shape::Data(_) => {
                "The exact loss of a two-parameter model over the whole dataset; give racers a \
                 batch size to see mini-batch and stochastic paths on it."
            }
        }
    }

    /// The window it is shown in.
    pub fn view(&self) -> View {
        match &self.shape {
            Shape::Builtin(b) => b.kind.info().view,
            Shape::Typed(t) => t.view(),
            Shape::Data(d) => d.view(),
        }
    }

    /// Suggested start points, the default first.
    pub fn starts(&self) -> Vec<[f64; 2]> {
        match &self.shape {
            Shape::Builtin(b) => b.kind.info().starts.to_vec(),
            Shape::Typed(t) => {
                // Two thirds of the way from the centre to the top-left corner.
                let v = t.view();
                let (cx, cy) = ((v.x.0 + v.x.1) / 2.0, (v.y.0 + v.y.1) / 2.0);
                vec![[cx + (v.x.0 - cx) * 0.66, cy + (v.y.1 - cy) * 0.66]]
            }
            Shape::Data(d) => {
                // Where a model starts: every weight 0, unless that is off the map.
                let v = d.view();
                let inside = |p: [f64; 2]| {
                    (v.x.0..=v.x.1).contains(&p[0]) && (v.y.0..=v.y.1).contains(&p[1])
                };
                let (cx, cy) = ((v.x.0 + v.x.1) / 2.0, (v.y.0 + v.y.1) / 2.0);
                let corner = [cx + (v.x.0 - cx) * 0.66, cy + (v.y.1 - cy) * 0.66];
                vec![if inside([0.0, 0.0]) {
                    [0.0, 0.0]
                } else {
                    corner
                }]
            }
        }
    }

    /// The parameters with their values, ranges and meanings.
    pub fn param_specs(&self) -> Vec<SurfaceParam> {
        match &self.shape {
            Shape::Builtin(b) => b
                .kind
                .info()
                .params
                .iter()
                .zip(b.params)
                .map(|(spec, value)| SurfaceParam {
                    name: spec.name.to_string(),
                    value,
                    range: spec.slider,
                    log_scale: spec.log_scale,
                    meaning: spec.meaning.to_string(),
                })
                .collect(),
            Shape::Typed(t) => t
                .params()
                .iter()
                .map(|p| SurfaceParam {
                    name: p.name.clone(),
                    value: p.value,
                    range: (p.min, p.max),
                    log_scale: false,
                    meaning: format!("{}: a parameter of your function", p.name),
                })
                .collect(),
            Shape::Data(_) => Vec::new(),
        }
    }

    /// The current parameter values, by name.
    pub fn params(&self) -> Vec<(String, f64)> {
        self.param_specs()
            .into_iter()
            .map(|p| (p.name, p.value))
            .collect()
    }

    /// The same function with some parameter values changed (ranges of a typed function's
    /// sliders widen to hold them).
    pub fn with_values(&self, overrides: &[(String, f64)]) -> Result<Self, String> {
        match &self.shape {
            Shape::Builtin(b) => {
                let mut all = self.params();
                for (n, v) in overrides {
                    if let Some(p) = all.iter_mut().find(|(m, _)| m == n) {
                        p.1 = *v;
                    } else {
                        all.push((n.clone(), *v));
                    }
                }
                Self::with_params(b.kind, &all).map_err(|e| e.to_string())
            }
            Shape::Typed(t) => TypedSurface::new(t.text(), overrides, t.params(), Some(t.view()))
                .map(Self::from_typed)
                .map_err(|e| e.to_string()),
            Shape::Data(d) => match overrides.first() {
                None => Ok(self.clone()),
                Some((name, _)) => Err(format!(
                    "'{name}' is not a parameter of {} (it has none)",
                    d.name()
                )),
            },
        }
    }

    /// Whether the list of minima is complete within the view (false for surfaces with a
    /// forest of local minima, where only the global ones are listed).
    pub fn minima_complete(&self) -> bool {
        match &self.shape {
            Shape::Builtin(b) => b.kind.info().complete,
            Shape::Typed(_) | Shape::Data(_) => true,
        }
    }

    /// For the quadratic, its matrix A as (a₁₁, a₁₂, a₂₂).
    pub fn quadratic_matrix(&self) -> Option<[f64; 3]> {
        match &self.shape {
            Shape::Builtin(b) if b.kind == SurfaceKind::Quadratic => Some(b.coef),
            _ => None,
        }
    }

    /// f at (x, y) over any scalar type.
    #[inline(always)]
    pub fn eval<R: Real>(&self, x: R, y: R) -> R {
        match &self.shape {
            Shape::Builtin(b) => b.eval(x, y),
            Shape::Typed(t) => t.eval(x, y),
            Shape::Data(d) => d.eval(x, y),
        }
    }

    /// Whether (x, y) is in the function's domain (always, for the built-ins and models).
    pub fn in_domain(&self, x: f64, y: f64) -> bool {
        match &self.shape {
            Shape::Typed(t) => t.program().in_domain(x, y),
            _ => true,
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
        match &self.shape {
            Shape::Builtin(b) => {
                let j = b.eval(Jet::var(x, 0), Jet::var(y, 1));
                (j.v, j.d)
            }
            _ => {
                // Through a buffer of its own: a 24-byte result returned by value would be
                // written in place, putting the built-ins' result in memory too (a quarter of
                // `engine_steps_per_s`).
                let mut out = [0.0; 3];
                self.value_grad_elsewhere(x, y, &mut out);
                (out[0], [out[1], out[2]])
            }
        }
    }

    /// f(x, y) and ∇f(x, y) into `out` for a typed function or a model, out of line.
    #[inline(never)]
    fn value_grad_elsewhere(&self, x: f64, y: f64, out: &mut [f64; 3]) {
        // Each kind in a function of its own: with the interpreter inlined here beside the
        // others, `formula_steps_per_s` fell from 19 to 10–13 M.
        match &self.shape {
            Shape::Typed(t) => t.value_grad_into(x, y, out),
            Shape::Data(d) => d.value_grad_into(x, y, out),
            Shape::Builtin(b) => {
                let j = b.eval(Jet::var(x, 0), Jet::var(y, 1));
                *out = [j.v, j.d[0], j.d[1]];
            }
        }
    }

    /// f(x, y), ∇f(x, y) and the Hessian as (∂²/∂x², ∂²/∂x∂y, ∂²/∂y²).
    #[inline]
    pub fn value_grad_hess(&self, x: f64, y: f64) -> (f64, [f64; 2], [f64; 3]) {
        let j = self.eval(Jet2::var(x, 0), Jet2::var(y, 1));
        (j.v, j.d, j.h)
    }

    /// The known stationary points at the current parameters, with their values (for a
    /// typed function, found numerically on first use: this may take a few milliseconds).
    pub fn critical_points(&self) -> Vec<CriticalPoint> {
        let at = |x: f64, y: f64, kind| CriticalPoint {
            x,
            y,
            value: self.value(x, y),
            kind,
        };
        match &self.shape {
            Shape::Builtin(b) if b.kind == SurfaceKind::Rosenbrock => {
                let a = b.params[0];
                vec![at(a, a * a, PointKind::Global)]
            }
            Shape::Builtin(b) => b
                .kind
                .info()
                .points
                .iter()
                .map(|&(x, y, kind)| at(x, y, kind))
                .collect(),
            Shape::Typed(t) => t.points().to_vec(),
            Shape::Data(d) => {
                let ([x, y], value) = d.minimum();
                vec![CriticalPoint {
                    x,
                    y,
                    value,
                    kind: PointKind::Global,
                }]
            }
        }
    }

    /// The stationary points if they are known without waiting (always for the built-ins;
    /// for a typed function once they have been found).
    pub fn critical_points_now(&self) -> Option<Vec<CriticalPoint>> {
        match &self.shape {
            Shape::Typed(t) if !t.points_ready() => None,
            _ => Some(self.critical_points()),
        }
    }

    /// The known minima (global first).
    pub fn minima(&self) -> Vec<CriticalPoint> {
        let mut m: Vec<_> = self
            .critical_points()
            .into_iter()
            .filter(|p| matches!(p.kind, PointKind::Global | PointKind::Local))
            .collect();
        m.sort_by(|a, b| a.value.total_cmp(&b.value));
        m
    }

    /// The default start point.
    pub fn default_start(&self) -> [f64; 2] {
        self.starts()[0]
    }
}

impl Builtin {
    /// f at (x, y) over any scalar type.
    #[inline(always)]
    fn eval<R: Real>(&self, x: R, y: R) -> R {
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

    fn in_domain(&self, x: &[f64]) -> bool {
        Surface::in_domain(self, x[0], x[1])
    }
}
