//! `downhill train`: several optimizers train one model on one dataset, one row per epoch.

use super::CliError;
use super::args::{self, Assignments};
use super::run::{hyper_json, num};
use crate::data::{DatasetKind, DatasetSource, Task};
use crate::engine::Schedule;
use crate::models::{Architecture, Batch, ModelKind, ModelSpec, OptimizerEntry};
use crate::optim::OptimizerKind;
use crate::train::{EpochMetrics, Experiment, RunState, Setup, TrainSettings};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Output format of `downhill train`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per optimizer per epoch: optimizer, epoch, train_loss, val_loss, train_acc,
    /// val_acc, ms.
    Csv,
    /// One document: dataset, model, settings and each run's epochs.
    Json,
}

/// Options of `downhill train`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Precedence: a value given on the command line wins over the model spec file's, which wins over \
the defaults (batch 32, 20 epochs, seed 0, 20% validation). --dataset/--data replace the spec's \
dataset; --optimizer replaces the spec's list of optimizers (an optimizer also in the spec keeps \
the spec's hyperparameters and schedule); --hp applies on top to every optimizer that has the \
name.

Features are standardised with the training rows' mean and standard deviation, and so is a \
regression target (its loss is then in units of its variance). A CSV target of text, or of at \
most 20 distinct whole numbers, is read as classes unless the model is linear.

Columns: ms is the wall time of the epoch's training steps; accuracy columns are empty for \
regression, validation columns when --validation is 0. A run that diverges or stops early has \
fewer rows.

Examples:
  downhill train --dataset iris --model softmax --optimizer adam,momentum --hp lr=0.05 --epochs 30
  downhill train --dataset moons --model mlp:16,16:tanh --optimizer adam --hp lr=0.01 --batch 16
  downhill train --model assets/models/digits-mlp.toml --format json
  downhill train --data mydata.csv --target label --model logistic --optimizer adam")]
pub struct TrainArgs {
    /// The dataset, model, optimizers and training settings.
    #[command(flatten)]
    pub experiment: ExperimentArgs,
    /// Epochs (passes over the training rows).
    #[arg(long, value_parser = super::args::epochs, allow_negative_numbers = true)]
    pub epochs: Option<usize>,
    /// Stop a run after this many epochs without a better validation loss.
    #[arg(long, value_parser = super::args::patience, allow_negative_numbers = true)]
    pub patience: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

/// What a model experiment is made of, as `train` and `lr-range` take it: a dataset, a
/// model, optimizers and the training settings they share.
#[derive(Debug, clap::Args)]
pub struct ExperimentArgs {
    /// A built-in dataset (see `downhill list`).
    #[arg(long, value_parser = super::args::dataset, conflicts_with = "data")]
    pub dataset: Option<DatasetKind>,
    /// A CSV file with a header row; features must be numeric.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The CSV column to predict (default: the last). With a built-in dataset it can only
    /// name that dataset's own target.
    #[arg(long)]
    pub target: Option<String>,
    /// linear, logistic, softmax, mlp:H1[,H2...][:relu|tanh|sigmoid], or a model spec file
    /// (.toml).
    #[arg(long)]
    pub model: String,
    /// An optimizer to train with; repeat or separate with commas for several.
    #[arg(long = "optimizer", value_delimiter = ',', value_parser = args::optimizer)]
    pub optimizers: Vec<OptimizerKind>,
    /// Hyperparameters for every optimizer named, e.g. lr=0.01,beta1=0.8 (PyTorch names).
    #[arg(long, value_parser = args::assignments)]
    pub hp: Vec<Assignments>,
    /// Learning-rate schedule over steps, NAME[:key=value,...], e.g. cosine:t_max=2000; once
    /// for every optimizer, or repeated once per --optimizer in order.
    #[arg(long, value_parser = args::schedule)]
    pub schedule: Vec<Schedule>,
    /// Rows per step: a number, `full` (full-batch) or `single` (one row per step); one for
    /// every optimizer, or one per --optimizer in order (e.g. --optimizer sgd,sgd --batch 1,64).
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = Batch::parse,
        allow_negative_numbers = true
    )]
    pub batch: Vec<Batch>,
    /// Seed of the split, the initial weights, the batch order and the gradient noise.
    #[arg(long, value_parser = super::args::seed, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Fraction of rows held out for validation, in [0, 0.9].
    #[arg(long, value_parser = |s: &str| args::limited(s, crate::limits::validation), allow_negative_numbers = true)]
    pub validation: Option<f64>,
}

/// Whether `--model` names a file rather than a model kind.
fn is_spec_path(model: &str) -> bool {
    model.ends_with(".toml") || model.contains('/') || Path::new(model).is_file()
}

/// Everything an experiment needs, with the command line applied over the spec.
pub struct Plan {
    /// Where the data comes from.
    pub source: DatasetSource,
    /// The model.
    pub arch: Architecture,
    /// Epochs, batch, seed, validation, patience.
    pub settings: TrainSettings,
    /// The optimizers with their hyperparameters and schedules.
    pub setups: Vec<Setup>,
}

impl Plan {
    /// Loads the data and sets the experiment up.
    pub fn experiment(self) -> Result<Experiment, CliError> {
        // A linear model regresses even on whole-number targets.
        let regression = self.arch.kind == ModelKind::Linear;
        let data = self
            .source
            .load(self.settings.seed, regression)
            .map_err(|e| CliError::Usage(e.to_string()))?;
        Experiment::new(&data, &self.arch, self.settings, self.setups)
            .map_err(|e| CliError::Usage(e.to_string()))
    }
}

/// Merges the spec (if any) and the command line; `epochs` and `patience` are `train`'s own.
pub fn plan(
    args: &ExperimentArgs,
    epochs: Option<usize>,
    patience: Option<usize>,
) -> Result<Plan, CliError> {
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
    let spec = if is_spec_path(&args.model) {
        Some(ModelSpec::load(Path::new(&args.model)).map_err(|e| usage(&e))?)
    } else {
        None
    };
    let arch = match &spec {
        Some(s) => s.model.clone(),
        None => Architecture::parse(&args.model).map_err(|e| usage(&e))?,
    };
    let source = match (args.dataset, &args.data, &spec) {
        (Some(kind), _, _) => {
            if let Some(target) = &args.target {
                let own = kind.load(0).map_err(|e| usage(&e))?.target_name;
                if target.trim() != own {
                    return Err(CliError::Usage(format!(
                        "--target '{}': {}'s target is '{own}' and cannot be changed; to predict \
                         another column, read the table as a file (--data FILE --target COLUMN)",
                        crate::limits::echo(target),
                        kind.name()
                    )));
                }
            }
            DatasetSource::Named(kind.name().to_string())
        }
        (None, Some(path), _) => DatasetSource::File {
            path: path.clone(),
            target: args.target.clone(),
        },
        (None, None, Some(s)) => match (&s.dataset, &args.target) {
            (DatasetSource::File { path, .. }, Some(t)) => DatasetSource::File {
                path: path.clone(),
                target: Some(t.clone()),
            },
            (DatasetSource::Named(_), Some(t)) => {
                return Err(CliError::Usage(format!(
                    "--target '{}': the spec's dataset is a built-in one, whose target cannot be \
                     changed",
                    crate::limits::echo(t)
                )));
            }
            (source, None) => source.clone(),
        },
        (None, None, None) => {
            return Err(CliError::Usage(
                "no dataset: give --dataset NAME or --data PATH (or a model spec file)".into(),
            ));
        }
    };
    let mut settings = spec.as_ref().map(|s| s.training).unwrap_or_default();
    if let Some(e) = epochs {
        settings.epochs = e;
    }
    if let [b] = args.batch[..] {
        settings.batch = b;
    }
    if let Some(s) = args.seed {
        settings.seed = s;
    }
    if let Some(v) = args.validation {
        settings.validation = v;
    }
    if patience.is_some() {
        settings.patience = patience;
    }
    // The optimizer list: the command line's, each with the spec's settings for it if any.
    let spec_entries: Vec<OptimizerEntry> = spec
        .as_ref()
        .map(|s| s.optimizers.clone())
        .unwrap_or_default();
    let entries: Vec<OptimizerEntry> = if args.optimizers.is_empty() {
        spec_entries
    } else {
        args.optimizers
            .iter()
            .map(|k| {
                spec_entries
                    .iter()
                    .find(|e| OptimizerKind::from_name(&e.name) == Ok(*k))
                    .cloned()
                    .unwrap_or_else(|| OptimizerEntry {
                        name: k.name().to_string(),
                        hp: Default::default(),
                        schedule: None,
                        batch: None,
                    })
            })
            .collect()
    };
    if entries.is_empty() {
        return Err(CliError::Usage(
            "no optimizer: give --optimizer NAME (see `downhill list`)".into(),
        ));
    }
    let kinds: Vec<OptimizerKind> = entries
        .iter()
        .map(|e| OptimizerKind::from_name(&e.name).map_err(|e| usage(&e)))
        .collect::<Result<_, _>>()?;
    let hp: Vec<(String, f64)> = args.hp.iter().flat_map(|a| a.0.clone()).collect();
    super::args::check_hp_names(&kinds, &hp).map_err(CliError::Usage)?;
    // One value for all, or one per optimizer.
    let per_optimizer = |what: &str, given: usize| -> Result<bool, CliError> {
        match given {
            0 | 1 => Ok(false),
            k if k == entries.len() => Ok(true),
            k => Err(CliError::Usage(format!(
                "{k} values of --{what} for {} optimizers: give one for all, or one per \
                 --optimizer",
                entries.len()
            ))),
        }
    };
    let own_batches = per_optimizer("batch", args.batch.len())?;
    per_optimizer("schedule", args.schedule.len())?;
    let setups = entries
        .iter()
        .zip(&kinds)
        .enumerate()
        .map(|(i, (entry, kind))| {
            let own: Vec<(String, f64)> = hp
                .iter()
                .filter(|(n, _)| kind.hyper_specs().iter().any(|s| s.name == n))
                .cloned()
                .collect();
            let mut setup = entry.setup(&own).map_err(|e| usage(&e))?;
            if let Some(s) = args.schedule.get(i).or(args.schedule.first()) {
                setup.schedule = *s;
            }
            if own_batches {
                setup.batch = Some(args.batch[i]);
            }
            Ok(setup)
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    Ok(Plan {
        source,
        arch,
        settings,
        setups,
    })
}

/// A metric as a CSV cell: empty when absent.
fn cell(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

/// One epoch as a JSON object.
fn epoch_json(m: &EpochMetrics) -> Value {
    json!({
        "epoch": m.epoch,
        "step": m.step,
        "train_loss": m.train.loss,
        "val_loss": m.val.map(|v| v.loss),
        "train_acc": m.train.accuracy,
        "val_acc": m.val.and_then(|v| v.accuracy),
        "train_r2": m.train.r2,
        "val_r2": m.val.and_then(|v| v.r2),
        "layer_grad_norms": m.layer_grad_norms,
        "ms": m.ms,
    })
}

/// Runs `downhill train`; a run that diverged or stopped early gets a line in `notes`.
pub fn execute(
    args: &TrainArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<(), CliError> {
    let plan = plan(&args.experiment, args.epochs, args.patience)?;
    let dataset = plan.source.label();
    let exp = plan.experiment()?;
    let mut runs = exp.runs().map_err(|e| CliError::Usage(e.to_string()))?;
    if args.format == Format::Csv {
        writeln!(
            out,
            "run,optimizer,epoch,train_loss,val_loss,train_acc,val_acc,ms"
        )?;
    }
    let labels = exp.labels();
    let mut docs = Vec::new();
    for (run, label) in runs.iter_mut().zip(&labels) {
        let kind = run.name();
        let name = label.as_str();
        let field = super::run::csv_field(label);
        let mut epochs = Vec::new();
        while let Some(m) = run.run_epoch() {
            match args.format {
                Format::Csv => writeln!(
                    out,
                    "{field},{kind},{},{},{},{},{},{:.3}",
                    m.epoch,
                    num(m.train.loss),
                    cell(m.val.map(|v| v.loss)),
                    cell(m.train.accuracy),
                    cell(m.val.and_then(|v| v.accuracy)),
                    m.ms
                )?,
                Format::Json => epochs.push(epoch_json(&m)),
            }
        }
        match run.state() {
            RunState::Diverged { step } => writeln!(
                notes,
                "note: {name} diverged at step {step}: the loss, a gradient or a weight blew up; \
                 its rows end at the last finite epoch (a smaller lr may help)"
            )?,
            RunState::EarlyStopped { best_epoch } => writeln!(
                notes,
                "note: {name} stopped early after epoch {}: the validation loss was best at \
                 epoch {best_epoch}",
                run.epoch()
            )?,
            RunState::Running | RunState::Finished => {}
        }
        if args.format == Format::Json {
            let setup = run.setup();
            docs.push(json!({
                "label": label,
                "optimizer": kind,
                "hp": hyper_json(setup.kind, &setup.hp),
                "schedule": setup.schedule,
                "batch": setup.batch.unwrap_or(exp.settings.batch).label(),
                "status": run.state(),
                "start": epoch_json(run.start_metrics()),
                "epochs": epochs,
            }));
        }
    }
    if args.format == Format::Json {
        let split = &exp.split;
        let doc = json!({
            "dataset": dataset,
            "model": exp.net.arch.label(),
            "loss": exp.net.loss.name(),
            "parameters": exp.net.dim,
            "task": match split.task { Task::Regression => "regression", Task::Classification(_) => "classification" },
            "classes": split.class_names,
            "features": split.features.len(),
            "train_rows": split.train.n,
            "val_rows": split.val.n,
            "standardized": split.standardized,
            "batch": exp.settings.batch.label(),
            "epochs": exp.settings.epochs,
            "seed": exp.settings.seed,
            "runs": docs,
        });
        writeln!(out, "{doc}")?;
    }
    Ok(())
}
