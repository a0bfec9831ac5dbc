//! The headless command line: `downhill list`, `run`, `train`, `bench`, `basin`, `sweep`,
//! `landscape` and `lr-range` over the same engine as the app.

pub mod app;
pub mod args;
pub mod basin;
pub mod bench;
pub mod explain;
pub mod export;
pub mod landscape;
pub mod list;
pub mod lr_range;
pub mod run;
pub mod scene;
pub mod surface_args;
pub mod sweep;
pub mod train;
pub mod tune;

use clap::{Parser, Subcommand};
use std::io::{self, Write};
use thiserror::Error;

/// Optimizers racing down loss surfaces. Without a subcommand, opens the app window.
#[derive(Debug, Parser)]
#[command(name = "downhill", version, about, long_about = None)]
pub struct Cli {
    /// What to do; none opens the app.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the surfaces, the optimizers with their hyperparameters, and the schedules.
    List(list::ListArgs),
    /// Run optimizers side by side on a surface and print their trajectories.
    Run(run::RunArgs),
    /// Train a model on a dataset with several optimizers and print per-epoch metrics.
    Train(train::TrainArgs),
    /// Measure performance figures, one per line.
    Bench(bench::BenchArgs),
    /// Open the app, optionally with a preset, and optionally save a screenshot and exit.
    App(app::AppArgs),
    /// Run one optimizer from every start of a grid and write where each run ends (CSV, PNG).
    Basin(basin::BasinArgs),
    /// Final loss and steps over a grid of two hyperparameters (CSV, PNG).
    Sweep(sweep::SweepArgs),
    /// The loss of a real model on a plane through its weights (CSV, PNG).
    Landscape(landscape::LandscapeArgs),
    /// The learning-rate range test on a real model: each optimizer's curve and suggestion.
    LrRange(lr_range::LrRangeArgs),
    /// Write a lecture preset as a scene file, to edit and open with `app --scene`.
    Scene(scene::SceneArgs),
    /// The view of a scene as a PNG for slides, rendered headless.
    Export(export::ExportArgs),
    /// A race as an animated GIF, rendered headless.
    Record(export::RecordArgs),
    /// Every quantity of one step of one optimizer: state before and after, the rule, Δθ.
    Explain(explain::ExplainArgs),
    /// Each optimizer's learning rate tuned for a scene, for a fair race.
    Tune(tune::TuneArgs),
}

/// Why a command failed, deciding the exit code.
#[derive(Debug, Error)]
pub enum CliError {
    /// Bad input on the command line (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// Anything else (exit code 1).
    #[error("{0}")]
    Failure(String),
    /// The reader of the output went away (`downhill list | head`): not a failure, nothing
    /// more to say.
    #[error("the output was closed")]
    Closed,
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Failure(_) => 1,
            CliError::Closed => 0,
        }
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            CliError::Closed
        } else {
            CliError::Failure(format!("could not write output: {e}"))
        }
    }
}

/// Runs one subcommand, writing its output to `out` and notes for the reader (a run that
/// diverged, one that stopped early) to `notes`.
pub fn execute(
    command: Command,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<(), CliError> {
    let result = match command {
        Command::List(args) => list::execute(&args, out),
        Command::Run(args) => run::execute(&args, out, notes),
        Command::Train(args) => train::execute(&args, out, notes),
        Command::Bench(args) => bench::execute(&args, out),
        Command::App(args) => app::execute(&args),
        Command::Basin(args) => basin::execute(&args, out),
        Command::Sweep(args) => sweep::execute(&args, out),
        Command::Landscape(args) => landscape::execute(&args, out, notes),
        Command::LrRange(args) => lr_range::execute(&args, out, notes),
        Command::Scene(args) => scene::execute(&args, out),
        Command::Export(args) => export::execute_export(&args),
        Command::Record(args) => export::execute_record(&args),
        Command::Explain(args) => explain::execute(&args, out),
        Command::Tune(args) => tune::execute(&args, out, notes),
    };
    // A closed pipe (`downhill run | head`) is the reader's choice, not a failure.
    match result.and_then(|()| out.flush().map_err(CliError::from)) {
        Err(CliError::Closed) => Ok(()),
        other => other,
    }
}
