//! `downhill scene`: a lecture preset written out as a scene file, to edit and open again.

use super::CliError;
use crate::presets;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `downhill scene`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  downhill scene --preset himmelblau > himmelblau.toml
  downhill scene --preset batch-sizes --out my-lecture.toml
  downhill app --scene my-lecture.toml      # open it; Ctrl+S saves changes back
  downhill run --scene my-lecture.toml      # the same racers headless")]
pub struct SceneArgs {
    /// The preset to write (see `downhill list`).
    #[arg(long, value_parser = super::args::preset)]
    pub preset: &'static presets::Preset,
    /// Write the scene to this file (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `downhill scene`.
pub fn execute(args: &SceneArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let text = args.preset.scene.to_toml();
    match &args.out {
        None => out.write_all(text.as_bytes())?,
        Some(path) => {
            crate::files::check_output(path, Some("toml")).map_err(CliError::Usage)?;
            crate::files::write_output(path, text.as_bytes()).map_err(CliError::Failure)?;
        }
    }
    Ok(())
}
