//! The surface options shared by `run`, `app`, `basin` and `sweep`: a built-in surface by
//! name, or your own function, with parameter values.

use super::CliError;
use super::args;
use super::args::Assignments;
use crate::formula::Formula;
use crate::surfaces::{DataSpec, Surface, SurfaceKind, TypedSurface, View};

/// Which surface: `--surface NAME` or `--function 'EXPR'`, and `--param` values.
#[derive(Debug, Clone, clap::Args)]
pub struct SurfaceArgs {
    /// The surface, e.g. rosenbrock (see `downhill list`), or a model on data:
    /// linear:DATASET:FEATURE (e.g. linear:diabetes:bmi) or logistic:DATASET[:F1,F2] (e.g.
    /// logistic:moons); DATASET may be a CSV file.
    #[arg(long, value_parser = surface_name, conflicts_with = "function")]
    pub surface: Option<SurfaceName>,
    /// Your own function of x and y instead of a surface, e.g. 'x^4 - 2*x^2 + y^2 + 0.3*x'
    /// (+ - * / ^, parentheses, pi, e, sin cos tan exp log sqrt abs tanh sigmoid min max;
    /// any other name is a parameter, 1 unless --param sets it).
    #[arg(long, value_name = "EXPR", value_parser = function, allow_hyphen_values = true)]
    pub function: Option<Formula>,
    /// Parameters of the surface or function, e.g. a=1,b=100.
    #[arg(long = "param", visible_alias = "surface-param", value_parser = args::assignments, allow_hyphen_values = true)]
    pub params: Vec<Assignments>,
}

/// A surface named on the command line: a built-in or a model on data.
#[derive(Debug, Clone, PartialEq)]
pub enum SurfaceName {
    /// A built-in.
    Builtin(SurfaceKind),
    /// A model on data.
    Data(DataSpec),
}

/// Parses a surface name: a built-in's or a data surface's.
pub fn surface_name(s: &str) -> Result<SurfaceName, String> {
    if let Some(spec) = DataSpec::parse(s) {
        return spec.map(SurfaceName::Data).map_err(|e| e.to_string());
    }
    args::surface(s).map(SurfaceName::Builtin)
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
    /// The line to tell the user which parameters of a typed function were assumed (not set
    /// with --param): `note: parameters a = 1, k = 1 (set them with --param)`; `None` when
    /// every one was set.
    pub fn assumed_note(&self) -> Option<String> {
        let f = self.function.as_ref()?;
        let given: Vec<String> = self
            .params
            .iter()
            .flat_map(|a| a.0.iter().map(|(n, _)| n.clone()))
            .collect();
        let assumed: Vec<String> = f
            .params()
            .iter()
            .filter(|p| !given.contains(p))
            .map(|p| format!("{} = 1", crate::limits::echo(p)))
            .collect();
        (!assumed.is_empty()).then(|| {
            let word = if assumed.len() == 1 {
                "parameter"
            } else {
                "parameters"
            };
            let them = if assumed.len() == 1 { "it" } else { "them" };
            format!(
                "note: {word} {} (set {them} with --param)",
                assumed.join(", ")
            )
        })
    }

    /// Whether a surface or a function was given.
    pub fn given(&self) -> bool {
        self.surface.is_some() || self.function.is_some()
    }

    /// The surface asked for; a typed function is shown in `window` (or a window around its
    /// stationary points).
    pub fn build(&self, window: Option<View>) -> Result<Surface, CliError> {
        self.build_with(window, false)
    }

    /// [`SurfaceArgs::build`], a model on data fitted to its data as they are when `raw`.
    pub fn build_with(&self, window: Option<View>, raw: bool) -> Result<Surface, CliError> {
        let params: Vec<(String, f64)> = self.params.iter().flat_map(|a| a.0.clone()).collect();
        let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
        if raw && !matches!(self.surface, Some(SurfaceName::Data(_))) {
            return Err(CliError::Usage(
                "--raw is for a model on data (e.g. --surface linear:diabetes:bmi)".into(),
            ));
        }
        match (&self.function, &self.surface) {
            (Some(f), _) => {
                // A function's name run into a variable is refused with what was meant, unless
                // the parameter is given a value on purpose.
                if let Some((name, meant)) = f
                    .lookalikes()
                    .into_iter()
                    .find(|(n, _)| !params.iter().any(|(p, _)| p == n))
                {
                    return Err(CliError::Usage(format!(
                        "'{name}' in the function would be a parameter equal to 1: did you mean \
                         {meant}? (for a parameter of that name, give it with --param \
                         {name}=VALUE)"
                    )));
                }
                TypedSurface::new(f.text(), &params, &[], window)
                    .map(Surface::from_typed)
                    .map_err(|e| usage(&e))
            }
            (None, Some(SurfaceName::Builtin(kind))) => {
                Surface::with_params(*kind, &params).map_err(|e| usage(&e))
            }
            (None, Some(SurfaceName::Data(spec))) => {
                if let Some((name, _)) = params.first() {
                    return Err(CliError::Usage(format!(
                        "'{name}' is not a parameter of {} (it has none)",
                        spec.name()
                    )));
                }
                let mut spec = spec.clone();
                spec.raw = raw;
                Surface::data(spec).map_err(|e| usage(&e))
            }
            (None, None) => Err(CliError::Usage("give --surface or --function".into())),
        }
    }
}
