//! A function the user typed: its formula, parameter values and ranges, the window it is
//! shown in, and its stationary points (found numerically, once, on first use).

use super::catalog::{PointKind, View};
use super::jet::{Jet, Jet2, Real};
use super::{CriticalPoint, stationary};
use crate::formula::{Formula, FormulaError, Program};
use std::sync::OnceLock;
use thiserror::Error;

/// The window a typed function is shown in unless its stationary points lie further out.
pub const DEFAULT_VIEW: View = View {
    x: (-3.0, 3.0),
    y: (-3.0, 3.0),
};

/// The region searched for stationary points besides the window.
const SEARCH: View = View {
    x: (-10.0, 10.0),
    y: (-10.0, 10.0),
};

/// The most stationary points kept.
const MAX_POINTS: usize = 64;

/// The largest |coordinate| of a window.
pub const MAX_COORDINATE: f64 = 1e6;

/// A parameter of a typed function: its value and the range of its slider.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedParam {
    /// Its name as typed.
    pub name: String,
    /// Its value.
    pub value: f64,
    /// The slider's lower end.
    pub min: f64,
    /// The slider's upper end.
    pub max: f64,
}

impl TypedParam {
    /// A parameter at `value` with the default range [−10, 10], widened to hold the value.
    pub fn new(name: &str, value: f64) -> Self {
        Self {
            name: name.to_string(),
            value,
            min: (-10.0_f64).min(value),
            max: 10.0_f64.max(value),
        }
    }
}

/// Why a typed function cannot be used.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum TypedError {
    /// The formula does not parse or compile.
    #[error("{0}")]
    Formula(#[from] FormulaError),
    /// A value was given for a name that is not one of the formula's parameters.
    #[error("'{name}' is not a parameter of this formula (its parameters: {valid})")]
    UnknownParam {
        /// The name given.
        name: String,
        /// The formula's parameters.
        valid: String,
    },
    /// A parameter value or range end that is not a finite number, or a range upside down.
    #[error("parameter '{0}': its value and range must be finite, with min < max")]
    BadParam(String),
    /// A window that is empty, upside down or too large.
    #[error("the window must have x0 < x1 and y0 < y1, within ±{MAX_COORDINATE}")]
    BadWindow,
}

/// A typed function, ready to evaluate.
#[derive(Debug)]
pub struct TypedSurface {
    formula: Formula,
    params: Vec<TypedParam>,
    program: Program,
    view: View,
    points: OnceLock<Vec<CriticalPoint>>,
}

impl PartialEq for TypedSurface {
    fn eq(&self, other: &Self) -> bool {
        self.formula.text() == other.formula.text()
            && self.params == other.params
            && self.view == other.view
    }
}

/// Whether `v` is a usable window.
pub fn valid_view(v: &View) -> bool {
    let ok = |(a, b): (f64, f64)| {
        a.is_finite()
            && b.is_finite()
            && a < b
            && a.abs() <= MAX_COORDINATE
            && b.abs() <= MAX_COORDINATE
    };
    ok(v.x) && ok(v.y)
}

impl TypedSurface {
    /// The function `text` with parameter values `given` (by name; the others 1, or their
    /// value in `previous` when it has one of that name, with its range) shown in `view`, or
    /// in a window around its stationary points when `None`.
    pub fn new(
        text: &str,
        given: &[(String, f64)],
        previous: &[TypedParam],
        view: Option<View>,
    ) -> Result<Self, TypedError> {
        let formula = Formula::parse(text)?;
        for (name, _) in given {
            if !formula.params().contains(name) {
                return Err(TypedError::UnknownParam {
                    name: name.clone(),
                    valid: if formula.params().is_empty() {
                        "none".into()
                    } else {
                        formula.params().join(", ")
                    },
                });
            }
        }
        let params: Vec<TypedParam> = formula
            .params()
            .iter()
            .map(|name| {
                let kept = previous.iter().find(|p| p.name == *name);
                let mut p = kept.cloned().unwrap_or_else(|| TypedParam::new(name, 1.0));
                if let Some((_, v)) = given.iter().find(|(n, _)| n == name) {
                    p.value = *v;
                    p.min = p.min.min(*v);
                    p.max = p.max.max(*v);
                }
                p
            })
            .collect();
        Self::with_params(formula, params, view)
    }

    /// `formula` with exactly these parameters (value and range each).
    pub fn with_params(
        formula: Formula,
        params: Vec<TypedParam>,
        view: Option<View>,
    ) -> Result<Self, TypedError> {
        for p in &params {
            if !(p.value.is_finite() && p.min.is_finite() && p.max.is_finite() && p.min < p.max) {
                return Err(TypedError::BadParam(p.name.clone()));
            }
        }
        let values: Vec<f64> = formula
            .params()
            .iter()
            .map(|n| {
                params
                    .iter()
                    .find(|p| p.name == *n)
                    .map_or(1.0, |p| p.value)
            })
            .collect();
        let program = formula.compile(&values)?;
        let mut surface = Self {
            formula,
            params,
            program,
            view: view.unwrap_or(DEFAULT_VIEW),
            points: OnceLock::new(),
        };
        match view {
            Some(v) if !valid_view(&v) => return Err(TypedError::BadWindow),
            Some(_) => {}
            None => surface.view = surface.fitting_view(),
        }
        Ok(surface)
    }

    /// The formula.
    pub fn formula(&self) -> &Formula {
        &self.formula
    }

    /// The formula as typed.
    pub fn text(&self) -> &str {
        self.formula.text()
    }

    /// The parameters with their values and ranges.
    pub fn params(&self) -> &[TypedParam] {
        &self.params
    }

    /// The window it is shown in.
    pub fn view(&self) -> View {
        self.view
    }

    /// The compiled instructions.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// f at (x, y) over any scalar type.
    #[inline(always)]
    pub fn eval<R: Real>(&self, x: R, y: R) -> R {
        self.program.eval(x, y)
    }

    /// f(x, y), ∂f/∂x and ∂f/∂y into `out`, out of line, so that the runner's loop over a
    /// built-in surface does not carry the interpreter.
    #[inline(never)]
    pub fn value_grad_into(&self, x: f64, y: f64, out: &mut [f64; 3]) {
        let j = self.eval(Jet::var(x, 0), Jet::var(y, 1));
        *out = [j.v, j.d[0], j.d[1]];
    }

    /// The stationary points, found on first use (Newton from a grid of starts over the
    /// window and [−10, 10]²).
    pub fn points(&self) -> &[CriticalPoint] {
        self.points.get_or_init(|| {
            let region = union(self.view, SEARCH);
            let f = |x: f64, y: f64| {
                let j = self.eval(Jet2::var(x, 0), Jet2::var(y, 1));
                (j.v, j.d, j.h)
            };
            stationary::find(&f, region, 41, MAX_POINTS)
        })
    }

    /// Whether [`TypedSurface::points`] are already found (so asking does not wait).
    pub fn points_ready(&self) -> bool {
        self.points.get().is_some()
    }

    /// [−3, 3]², or a window around the minima, saddles and maxima found when one lies
    /// outside it.
    fn fitting_view(&self) -> View {
        let points = self.points();
        let outside = points.iter().any(|p| {
            !(DEFAULT_VIEW.x.0..=DEFAULT_VIEW.x.1).contains(&p.x)
                || !(DEFAULT_VIEW.y.0..=DEFAULT_VIEW.y.1).contains(&p.y)
        });
        if !outside {
            return DEFAULT_VIEW;
        }
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in points
            .iter()
            .filter(|p| p.kind != PointKind::Maximum || points.len() == 1)
        {
            x0 = x0.min(p.x);
            x1 = x1.max(p.x);
            y0 = y0.min(p.y);
            y1 = y1.max(p.y);
        }
        let pad = 0.3 * (x1 - x0).max(y1 - y0) + 1.5;
        View {
            x: (x0 - pad, x1 + pad),
            y: (y0 - pad, y1 + pad),
        }
    }
}

/// The smallest window holding both.
fn union(a: View, b: View) -> View {
    View {
        x: (a.x.0.min(b.x.0), a.x.1.max(b.x.1)),
        y: (a.y.0.min(b.y.0), a.y.1.max(b.y.1)),
    }
}
