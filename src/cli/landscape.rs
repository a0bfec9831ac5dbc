//! `downhill landscape`: the loss of a real model on a plane through its weights.

use super::CliError;
use super::args::{self, Assignments};
use super::basin::{check_outputs, emit, grid_side};
use super::run::num;
use crate::data::DatasetKind;
use crate::insight::landscape::{self, Landscape, Plane};
use crate::insight::picture::Picture;
use crate::models::{Architecture, ModelSpec};
use crate::optim::OptimizerKind;
use crate::train::{Experiment, Setup, TrainSettings};
use std::io::Write;
use std::path::PathBuf;

/// How the plane's two directions are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Directions {
    /// Two Gaussian directions, filter-normalised (Li et al. 2018), biases left out.
    Random,
    /// The top two principal directions of the training trajectory (needs --epochs ≥ 2).
    Pca,
}

/// Options of `downhill landscape`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The slice is L(a, b) = loss(w + a·d1 + b·d2) over the training rows (mean data loss plus the \
weight penalty, as training minimises it), w the weights after --epochs epochs of the first \
optimizer (the spec's first, or --optimizer, default adam). With a dataset and model given \
directly, every row is used for training (no validation split).

Output: CSV a,b,loss, one row per grid point, b's first value first, a left to right; a and b \
run over linspace(-span, span, grid), so (0, 0) is the current weights when the grid is odd. \
Random directions are filter-normalised, so span 1 moves each unit's weights by their own \
norm; PCA directions are unit vectors, and the span defaults to 1.25 × the farthest \
projected snapshot. The picture (PNG) is a viridis heatmap on a log scale with the trajectory \
(one point per epoch) projected onto the plane in white.

Examples:
  downhill landscape --model-spec assets/models/digits-mlp.toml --epochs 10 --png digits.png
  downhill landscape --dataset moons --model mlp:16,16:tanh --epochs 30 --directions pca")]
pub struct LandscapeArgs {
    /// A model spec file (.toml): dataset, model, training settings and optimizers.
    #[arg(long, conflicts_with_all = ["dataset", "model"], required_unless_present = "dataset")]
    pub model_spec: Option<PathBuf>,
    /// A built-in dataset (see `downhill list`).
    #[arg(long, value_parser = super::args::dataset, requires = "model")]
    pub dataset: Option<DatasetKind>,
    /// linear, logistic, softmax or mlp:H1[,H2...][:relu|tanh|sigmoid].
    #[arg(long, requires = "dataset")]
    pub model: Option<String>,
    /// The optimizer that trains first (default: the spec's first, else adam).
    #[arg(long, value_parser = args::optimizer)]
    pub optimizer: Option<OptimizerKind>,
    /// Its hyperparameters, e.g. lr=0.01.
    #[arg(long, value_parser = args::assignments)]
    pub hp: Vec<Assignments>,
    /// Epochs to train before slicing (0: the initial weights).
    #[arg(long, default_value = "0", value_parser = super::args::epochs, allow_negative_numbers = true)]
    pub epochs: usize,
    /// Grid points per side (at most 512).
    #[arg(long, default_value = "51", value_parser = grid_side, allow_negative_numbers = true)]
    pub grid: usize,
    /// a and b run over [-span, span].
    #[arg(long, value_parser = span, allow_negative_numbers = true)]
    pub span: Option<f64>,
    /// How to choose the two directions.
    #[arg(long, value_enum, default_value = "random")]
    pub directions: Directions,
    /// Seed of the random directions (the model's own seed comes from the spec).
    #[arg(long, default_value = "0", value_parser = super::args::seed, allow_negative_numbers = true)]
    pub seed: u64,
    /// Write the CSV here instead of to standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write a heatmap (PNG).
    #[arg(long)]
    pub png: Option<PathBuf>,
}

/// Parses a span in (0, 1e6].
fn span(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0 && *v <= 1e6)
        .ok_or_else(|| format!("'{s}' is not a span (expected a number in (0, 1e6])"))
}

/// The experiment and the optimizer that trains first.
fn setup(args: &LandscapeArgs) -> Result<(Experiment, Setup), CliError> {
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
    let hp: Vec<(String, f64)> = args.hp.iter().flat_map(|a| a.0.clone()).collect();
    let (exp, first) = match (&args.model_spec, args.dataset, &args.model) {
        (Some(path), _, _) => {
            let spec = ModelSpec::load(path).map_err(|e| usage(&e))?;
            let (_, exp) = spec.experiment().map_err(|e| usage(&e))?;
            let first = exp.optimizers.first().cloned();
            (exp, first)
        }
        (None, Some(kind), Some(model)) => {
            let arch = Architecture::parse(model).map_err(|e| usage(&e))?;
            let data = kind.load(0).map_err(|e| usage(&e))?;
            let settings = TrainSettings {
                validation: 0.0,
                ..TrainSettings::default()
            };
            let adam = Setup::default_for(OptimizerKind::ADAM);
            let exp = Experiment::new(&data, &arch, settings, vec![adam]).map_err(|e| usage(&e))?;
            (exp, None)
        }
        _ => {
            return Err(CliError::Usage(
                "give --model-spec PATH, or --dataset NAME and --model SPEC".into(),
            ));
        }
    };
    let mut setup = match (args.optimizer, first) {
        (Some(kind), Some(f)) if f.kind == kind => f,
        (Some(kind), _) => Setup::default_for(kind),
        (None, Some(f)) => f,
        (None, None) => Setup::default_for(OptimizerKind::ADAM),
    };
    if !hp.is_empty() {
        let mut all: Vec<(String, f64)> =
            setup.hp.iter().map(|(n, v)| (n.to_string(), v)).collect();
        all.extend(hp);
        setup.hp = setup.kind.hyper_values(&all).map_err(|e| usage(&e))?;
    }
    Ok((exp, setup))
}

/// Runs `downhill landscape`.
pub fn execute(
    args: &LandscapeArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<(), CliError> {
    check_outputs(args.out.as_deref(), args.png.as_deref())?;
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
    if args.directions == Directions::Pca && args.epochs < 2 {
        return Err(CliError::Usage(
            "--directions pca needs a trajectory: give --epochs 2 or more".into(),
        ));
    }
    let (mut exp, setup) = setup(args)?;
    exp.settings.epochs = args.epochs;
    let mut run = crate::train::TrainRun::new(&exp, setup).map_err(|e| usage(&e))?;
    let mut trajectory = vec![run.weights().to_vec()];
    while run.run_epoch().is_some() {
        trajectory.push(run.weights().to_vec());
    }
    if let crate::train::RunState::Diverged { step } = run.state() {
        writeln!(
            notes,
            "note: {} diverged at step {step}: the slice goes through its last finite weights, \
             which had already blown up (a smaller lr, or fewer --epochs, shows a useful picture)",
            run.name()
        )?;
    }
    let w = run.weights().to_vec();
    if trajectory.last() != Some(&w) {
        trajectory.push(w.clone());
    }
    let (d1, d2) = match args.directions {
        Directions::Random => landscape::random_directions(&exp.net, &w, args.seed),
        Directions::Pca => {
            let pca = landscape::pca_directions(&w, &trajectory).map_err(|e| usage(&e))?;
            (pca.d1, pca.d2)
        }
    };
    let plane = Plane::new(w, d1, d2).map_err(|e| usage(&e))?;
    let path = plane.project_all(&trajectory);
    let span = args.span.unwrap_or_else(|| match args.directions {
        Directions::Random => 1.0,
        Directions::Pca => {
            let far = path
                .iter()
                .flat_map(|p| [p[0].abs(), p[1].abs()])
                .fold(0.0, f64::max);
            (1.25 * far).max(1e-3)
        }
    });
    let table = std::sync::Arc::new(exp.split.train.clone());
    let land = Landscape::new(exp.net.clone(), table, plane).map_err(|e| usage(&e))?;
    let n = args.grid;
    let window = Landscape::square(span, n);
    let grid = land.grid(window, n).map_err(|e| usage(&e))?;
    emit(args.out.as_deref(), out, |out| {
        writeln!(out, "a,b,loss")?;
        for j in 0..n {
            for i in 0..n {
                let [a, b] = grid.point(i, j);
                // Snap the centre line to an exact zero (it is zero up to rounding).
                let snap = |v: f64| if v.abs() < 1e-12 * span { 0.0 } else { v };
                writeln!(
                    out,
                    "{},{},{}",
                    num(snap(a)),
                    num(snap(b)),
                    num(grid.values[j * n + i])
                )?;
            }
        }
        Ok(())
    })?;
    if let Some(png) = &args.png {
        let scale = crate::insight::ColorScale::robust(&grid.values, true)
            .ok_or_else(|| CliError::Failure("the landscape has no finite value".into()))?;
        let mut pic = Picture::heatmap(&grid.values, n, n, &scale).at_least(512);
        let frac = |p: &[f64; 2]| {
            [
                (p[0] - window.x.0) / (window.x.1 - window.x.0),
                (p[1] - window.y.0) / (window.y.1 - window.y.0),
            ]
        };
        let pts: Vec<[f64; 2]> = path.iter().map(frac).collect();
        pic.path(&pts, [255, 255, 255, 255]);
        let c = frac(&[0.0, 0.0]);
        pic.cross(c[0], c[1], 6, [255, 80, 80, 255]);
        pic.save_png(png).map_err(CliError::Failure)?;
    }
    Ok(())
}
