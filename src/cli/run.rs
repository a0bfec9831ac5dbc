//! `downhill run`: optimizers side by side on one surface, trajectories out.

use super::CliError;
use super::args::{self, Assignments};
use crate::engine::{ObserveMode, RunConfig, Runner, Schedule, Status, StepRecord, Watch};
use crate::optim::OptimizerKind;
use crate::optim::hyper::{HyperKind, HyperValues};
use crate::surfaces::{Surface, SurfaceKind};
use serde_json::{Map, Value, json};
use std::io::Write;

/// Output format of `downhill run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per step: optimizer, step, x, y, loss, grad_norm, lr.
    Csv,
    /// One document with every run's status and points.
    Json,
}

/// Options of `downhill run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The surface, e.g. rosenbrock (see `downhill list`).
    #[arg(long, value_parser = args::surface)]
    pub surface: SurfaceKind,
    /// An optimizer to run; repeat or separate with commas for several.
    #[arg(long = "optimizer", required = true, value_delimiter = ',', value_parser = args::optimizer)]
    pub optimizers: Vec<OptimizerKind>,
    /// Hyperparameters for every optimizer named, e.g. lr=0.01,beta1=0.8 (PyTorch names).
    #[arg(long, value_parser = args::assignments)]
    pub hp: Vec<Assignments>,
    /// Surface parameters, e.g. a=1,b=100 for rosenbrock.
    #[arg(long = "surface-param", value_parser = args::assignments)]
    pub surface_param: Vec<Assignments>,
    /// Learning-rate schedule NAME[:key=value,...], e.g. cosine:t_max=500.
    #[arg(long, value_parser = args::schedule, default_value = "constant")]
    pub schedule: Schedule,
    /// Start point X,Y (default: the surface's first suggested start).
    #[arg(long, value_parser = args::point, allow_hyphen_values = true)]
    pub start: Option<[f64; 2]>,
    /// Most steps per optimizer; a run stops earlier only if it converges or diverges.
    #[arg(long, default_value = "1000", value_parser = args::steps, allow_negative_numbers = true)]
    pub steps: u64,
    /// Seed of the gradient noise.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub seed: u64,
    /// Standard deviation of Gaussian noise added to each gradient coordinate.
    #[arg(long, default_value = "0", value_parser = |s: &str| args::bounded(s, 1e6), allow_negative_numbers = true)]
    pub noise: f64,
    /// Clip the gradient to this Euclidean norm.
    #[arg(long, conflicts_with = "clip_value", value_parser = |s: &str| args::bounded(s, 1e12), allow_negative_numbers = true)]
    pub clip_norm: Option<f64>,
    /// Clip each gradient coordinate to [−c, c].
    #[arg(long, value_parser = |s: &str| args::bounded(s, 1e12), allow_negative_numbers = true)]
    pub clip_value: Option<f64>,
    /// Converged when the gradient norm falls below this.
    #[arg(long, default_value = "1e-8", value_parser = |s: &str| args::bounded(s, 1e6), allow_negative_numbers = true)]
    pub tol_grad: f64,
    /// Converged when a step is shorter than this.
    #[arg(long, default_value = "1e-12", value_parser = |s: &str| args::bounded(s, 1e6), allow_negative_numbers = true)]
    pub tol_step: f64,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

/// Formats a number so that it reads back bit-identically, in plain or exponent notation.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || (1e-4..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// One optimizer with its resolved hyperparameters.
struct Entry {
    kind: OptimizerKind,
    hp: HyperValues,
}

/// Applies the merged `--hp` assignments to every optimizer that has each name; a name that
/// no optimizer named has is an error.
fn resolve(kinds: &[OptimizerKind], hp: &[(String, f64)]) -> Result<Vec<Entry>, CliError> {
    super::args::check_hp_names(kinds, hp).map_err(CliError::Usage)?;
    kinds
        .iter()
        .map(|&kind| {
            let own: Vec<(String, f64)> = hp
                .iter()
                .filter(|(n, _)| kind.hyper_specs().iter().any(|s| s.name == n))
                .cloned()
                .collect();
            let hp = kind
                .hyper_values(&own)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            Ok(Entry { kind, hp })
        })
        .collect()
}

/// The hyperparameters as a JSON object, switches as booleans and counts as integers.
fn hp_json(entry: &Entry) -> Value {
    hyper_json(entry.kind, &entry.hp)
}

/// An optimizer's hyperparameters as a JSON object, switches as booleans and counts as
/// integers.
pub fn hyper_json(kind: OptimizerKind, hp: &HyperValues) -> Value {
    let mut map = Map::new();
    for (spec, (name, v)) in kind.hyper_specs().iter().zip(hp.iter()) {
        let value = match spec.kind {
            HyperKind::Bool => json!(v != 0.0),
            HyperKind::Int => json!(v as i64),
            HyperKind::Real => json!(v),
        };
        map.insert(name.to_string(), value);
    }
    Value::Object(map)
}

/// Runs `downhill run`; a run that diverged gets a line in `notes`.
pub fn execute(args: &RunArgs, out: &mut dyn Write, notes: &mut dyn Write) -> Result<(), CliError> {
    let surface_params: Vec<(String, f64)> = args
        .surface_param
        .iter()
        .flat_map(|a| a.0.clone())
        .collect();
    let surface = Surface::with_params(args.surface, &surface_params)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let hp: Vec<(String, f64)> = args.hp.iter().flat_map(|a| a.0.clone()).collect();
    let entries = resolve(&args.optimizers, &hp)?;
    let start = args.start.unwrap_or_else(|| surface.default_start());

    if args.format == Format::Csv {
        writeln!(out, "optimizer,step,x,y,loss,grad_norm,lr")?;
    }
    let mut runs = Vec::new();
    for entry in &entries {
        let config = RunConfig {
            lr: entry.hp.get("lr").unwrap_or(1e-3),
            schedule: args.schedule,
            clip: args::clip(args.clip_norm, args.clip_value),
            noise: args.noise,
            seed: args.seed,
            tol_grad: args.tol_grad,
            tol_step: args.tol_step,
            ..RunConfig::default()
        };
        let mut runner = Runner::new(surface, entry.kind.build(&entry.hp), config, &start)
            .map_err(|e| CliError::Usage(format!("{}: {e}", entry.kind.name())))?;
        let name = entry.kind.name();
        let mut points: Vec<[f64; 3]> = Vec::new();
        let mut io_error = None;
        let mut emit = |r: &StepRecord<'_>| match args.format {
            Format::Json => points.push([r.x[0], r.x[1], r.loss]),
            Format::Csv => {
                if io_error.is_none() {
                    let row = writeln!(
                        out,
                        "{name},{},{},{},{},{},{}",
                        r.t,
                        num(r.x[0]),
                        num(r.x[1]),
                        num(r.loss),
                        num(r.grad_norm),
                        num(r.lr)
                    );
                    io_error = row.err();
                }
            }
        };
        emit(&runner.record());
        runner.run(
            args.steps,
            &mut [Watch {
                mode: ObserveMode::EveryStep,
                observer: &mut emit,
            }],
        );
        if let Some(e) = io_error {
            return Err(e.into());
        }
        let status = runner.status();
        if let Status::Diverged { step, reason } = status {
            writeln!(
                notes,
                "note: {name} diverged at step {step}: {}; its output ends at the last finite \
                 point (a smaller lr may help)",
                reason.describe()
            )?;
        }
        runs.push(json!({
            "optimizer": name,
            "hp": hp_json(entry),
            "status": status.label(),
            "status_step": status.step(),
            "points": points,
        }));
    }
    if args.format == Format::Json {
        let doc = json!({
            "surface": surface.kind().name(),
            "start": start,
            "schedule": args.schedule,
            "runs": runs,
        });
        writeln!(out, "{doc}")?;
    }
    Ok(())
}
