//! `downhill explain`: every quantity of one step of one optimizer — the gradient, the state
//! before and after under PyTorch's names, the update rule with its numbers, Δθ — as text or
//! JSON, so a script can check the app's step inspector against `torch.optim`.

use super::CliError;
use super::surface_args::SurfaceArgs;
use crate::optim::OptimizerKind;
use crate::presets::Preset;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Output format of `downhill explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One quantity per line.
    Text,
    /// One document: θ, gradient, state before and after, rule lines, Δθ.
    Json,
}

/// Arguments of `downhill explain`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  downhill explain --surface rosenbrock --optimizer adam --hp lr=0.05 --start=-1.2,1 --step 5
  downhill explain --preset momentum-ravine --racer 2 --step 40 --format json")]
pub struct ExplainArgs {
    /// A lecture preset (with --racer to pick one of its racers).
    #[arg(long, value_parser = super::args::preset, conflicts_with_all = ["scene", "surface", "function", "optimizer"])]
    pub preset: Option<&'static Preset>,
    /// A scene file (with --racer).
    #[arg(long, conflicts_with_all = ["surface", "function", "optimizer"])]
    pub scene: Option<PathBuf>,
    /// The surface, or your own function.
    #[command(flatten)]
    pub surface: SurfaceArgs,
    /// The optimizer (with --surface or --function).
    #[arg(long, value_parser = super::args::optimizer)]
    pub optimizer: Option<OptimizerKind>,
    /// Its hyperparameters, e.g. lr=0.05,beta1=0.8.
    #[arg(long, value_parser = super::args::assignments)]
    pub hp: Vec<super::args::Assignments>,
    /// The start X,Y (default: the surface's).
    #[arg(long, value_parser = super::args::point, allow_hyphen_values = true)]
    pub start: Option<[f64; 2]>,
    /// Which racer of a preset or scene, counting from 1.
    #[arg(long, default_value_t = 1, value_parser = super::args::whole::<usize, 1, { crate::limits::MAX_RACERS as u64 }>, allow_negative_numbers = true)]
    pub racer: usize,
    /// The step to explain, counting from 1.
    #[arg(long, value_parser = super::args::whole::<u64, 1, 200_000>, allow_negative_numbers = true)]
    pub step: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Runs `downhill explain`.
pub fn execute(args: &ExplainArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let scene = super::run::chosen_scene(
        args.preset,
        args.scene.as_deref(),
        &args.surface,
        args.optimizer.as_slice(),
        &args.hp,
        args.start,
    )?;
    let race = scene.build().map_err(|e| CliError::Usage(e.to_string()))?;
    let n = race.lanes().len();
    if args.racer == 0 || args.racer > n {
        return Err(CliError::Usage(format!(
            "--racer {} (valid: 1 to {n})",
            args.racer
        )));
    }
    let e = crate::explain::explain(&race, args.racer - 1, args.step)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    match args.format {
        Format::Text => out.write_all(e.text().as_bytes())?,
        Format::Json => {
            serde_json::to_writer(&mut *out, &e).map_err(|e| CliError::Failure(e.to_string()))?;
            writeln!(out)?;
        }
    }
    Ok(())
}
