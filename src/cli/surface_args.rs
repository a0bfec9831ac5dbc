//! The surface options shared by `run`, `app`, `basin` and `sweep`: a built-in surface by
//! name, or your own function, with parameter values.

use super::CliError;
use super::args;
use super::args::Assignments;
use crate::formula::Formula;
use crate::surfaces::{Surface, SurfaceKind, TypedSurface, View};

/// Which surface: `--surface NAME` or `--function 'EXPR'`, and `--param` values.
#[derive(Debug, Clone, clap::Args)]
pub struct SurfaceArgs {
    /// The surface, e.g. rosenbrock (see `downhill list`).
    #[arg(long, value_parser = args::surface, conflicts_with = "function")]
    pub surface: Option<SurfaceKind>,
    /// Your own function of x and y instead of a surface, e.g. 'x^4 - 2*x^2 + y^2 + 0.3*x'
    /// (+ - * / ^, parentheses, pi, e, sin cos tan exp log sqrt abs tanh sigmoid min max;
    /// any other name is a parameter, 1 unless --param sets it).
    #[arg(long, value_name = "EXPR", value_parser = function, allow_hyphen_values = true)]
    pub function: Option<Formula>,
    /// Parameters of the surface or function, e.g. a=1,b=100.
    #[arg(long = "param", visible_alias = "surface-param", value_parser = args::assignments, allow_hyphen_values = true)]
    pub params: Vec<Assignments>,
}

/// Parses a typed function; an error names its column.
pub fn function(s: &str) -> Result<Formula, String> {
    Formula::parse(s).map_err(|e| e.to_string())
}

/// Parses a window `x0,x1,y0,y1` with x0 < x1 and y0 < y1.
pub fn window(s: &str) -> Result<View, String> {
    let bad = || format!("expected a window x0,x1,y0,y1 with x0 < x1 and y0 < y1, got '{s}'");
    let v: Vec<f64> = s
        .split(',')
        .map(|t| t.trim().replace('−', "-").parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    match v[..] {
        [x0, x1, y0, y1] => {
            let view = View {
                x: (x0, x1),
                y: (y0, y1),
            };
            if crate::surfaces::typed::valid_view(&view) {
                Ok(view)
            } else {
                Err(bad())
            }
        }
        _ => Err(bad()),
    }
}

impl SurfaceArgs {
    /// Whether a surface or a function was given.
    pub fn given(&self) -> bool {
        self.surface.is_some() || self.function.is_some()
    }

    /// The surface asked for; a typed function is shown in `window` (or a window around its
    /// stationary points).
    pub fn build(&self, window: Option<View>) -> Result<Surface, CliError> {
        let params: Vec<(String, f64)> = self.params.iter().flat_map(|a| a.0.clone()).collect();
        let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
        match (&self.function, self.surface) {
            (Some(f), _) => TypedSurface::new(f.text(), &params, &[], window)
                .map(Surface::from_typed)
                .map_err(|e| usage(&e)),
            (None, Some(kind)) => Surface::with_params(kind, &params).map_err(|e| usage(&e)),
            (None, None) => Err(CliError::Usage("give --surface or --function".into())),
        }
    }
}
