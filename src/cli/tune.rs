//! `downhill tune`: each optimizer's learning rate tuned for a scene (the lowest loss after N
//! steps, or the fewest steps to converge), so a race can be run "each at its best".

use super::CliError;
use super::surface_args::SurfaceArgs;
use crate::insight::tune::{TuneObjective, tune};
use crate::optim::OptimizerKind;
use crate::presets::Preset;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// Output format of `downhill tune`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per optimizer: label, optimizer, lr_before, lr, loss, steps.
    Csv,
    /// One document with every rate tried.
    Json,
}

/// What "best" means on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Objective {
    /// The lowest loss after --steps steps.
    Loss,
    /// The fewest steps to converge within --steps.
    Steps,
}

/// Arguments of `downhill tune`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  downhill tune --surface rosenbrock --optimizer gd,momentum,adam --start=-1.2,1 --steps 2000
  downhill tune --preset ill-conditioning --objective steps --format json

Only the learning rate is tuned (19 rates log-spaced over [1e-5, 10], then 9 around the best);
the other hyperparameters keep their values.")]
pub struct TuneArgs {
    /// A lecture preset.
    #[arg(long, value_parser = super::args::preset, conflicts_with_all = ["scene", "surface", "function", "optimizers"])]
    pub preset: Option<&'static Preset>,
    /// A scene file.
    #[arg(long, conflicts_with_all = ["surface", "function", "optimizers"])]
    pub scene: Option<PathBuf>,
    /// The surface, or your own function.
    #[command(flatten)]
    pub surface: SurfaceArgs,
    /// The optimizers, with --surface or --function.
    #[arg(long = "optimizer", value_delimiter = ',', value_parser = super::args::optimizer)]
    pub optimizers: Vec<OptimizerKind>,
    /// Hyperparameters other than the learning rate, e.g. momentum=0.8.
    #[arg(long, value_parser = super::args::assignments)]
    pub hp: Vec<super::args::Assignments>,
    /// The start X,Y.
    #[arg(long, value_parser = super::args::point, allow_hyphen_values = true)]
    pub start: Option<[f64; 2]>,
    /// Steps of each trial run.
    #[arg(long, default_value_t = 1000, value_parser = super::args::whole::<u64, 1, 100_000>, allow_negative_numbers = true)]
    pub steps: u64,
    /// Tune the momentum (or β₁) too, over 0.5, 0.8, 0.9, 0.95 and 0.99.
    #[arg(long)]
    pub also_momentum: bool,
    /// What to tune for.
    #[arg(long, value_enum, default_value = "loss")]
    pub objective: Objective,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

/// Runs `downhill tune`.
pub fn execute(
    args: &TuneArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<(), CliError> {
    let scene = super::run::chosen_scene(
        args.preset,
        args.scene.as_deref(),
        &args.surface,
        &args.optimizers,
        &args.hp,
        args.start,
    )?;
    let race = scene.build().map_err(|e| CliError::Usage(e.to_string()))?;
    let window = scene.view.map.frame(race.surface().view());
    let objective = match args.objective {
        Objective::Loss => TuneObjective::Loss,
        Objective::Steps => TuneObjective::Steps,
    };
    let never = AtomicBool::new(false);
    let tuned = tune(
        &race,
        window,
        objective,
        args.steps,
        args.also_momentum,
        &never,
        |_, _| {},
    )
    .ok_or_else(|| CliError::Failure("tuning was cancelled".into()))?;
    // A racer no rate could run sanely is left out of the result: say so.
    for (lane, label) in race.lanes().iter().zip(race.labels()) {
        if lane.spec.enabled && !tuned.iter().any(|t| t.label == label) {
            writeln!(
                notes,
                "note: {label}: no learning rate from 1e-5 to 10 gave a run that stays in the \
                 window without its loss climbing far above its start; it is not tuned"
            )?;
        }
    }
    match args.format {
        Format::Json => {
            let doc = serde_json::json!({
                "objective": objective,
                "steps": args.steps,
                "tuned": if args.also_momentum { "lr and momentum (or beta1)" } else { "lr" },
                "racers": tuned,
            });
            writeln!(out, "{doc}")?;
        }
        Format::Csv => {
            writeln!(out, "run,optimizer,lr_before,lr,also,loss,worst_loss,steps")?;
            for t in &tuned {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{}",
                    super::run::csv_field(&t.label),
                    t.optimizer,
                    super::run::num(t.lr_before),
                    super::run::num(t.lr),
                    t.other
                        .map(|(n, v)| format!("{n}={}", super::run::num(v)))
                        .unwrap_or_default(),
                    super::run::num(t.loss),
                    super::run::num(t.worst),
                    t.steps.map(|s| s.to_string()).unwrap_or_default()
                )?;
            }
        }
    }
    Ok(())
}
