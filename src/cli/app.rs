//! `downhill app`: open the window with a preset, or save a screenshot of it and exit.

use super::CliError;
use crate::app::{Launch, ViewMode, run};
use crate::presets;
use std::path::PathBuf;

/// Options of `downhill app`.
#[derive(Debug, clap::Args)]
pub struct AppArgs {
    /// A lecture preset to load (see `downhill list`).
    #[arg(long)]
    pub preset: Option<String>,
    /// Steps to take before showing (or photographing) the scene.
    #[arg(long, default_value = "0", value_parser = super::args::steps)]
    pub steps: u64,
    /// Which view: 2d (contour map), 3d (lit surface) or split (both).
    #[arg(long, default_value = "2d")]
    pub view: String,
    /// Save a PNG of the window to this path, then exit.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
}

/// Runs `downhill app`.
pub fn execute(args: &AppArgs) -> Result<(), CliError> {
    let preset = match &args.preset {
        None => None,
        Some(name) => Some(presets::find(name).ok_or_else(|| {
            CliError::Usage(format!(
                "unknown preset '{name}' (valid: {})",
                presets::names().join(", ")
            ))
        })?),
    };
    let view = ViewMode::from_name(&args.view).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown view '{}' (valid: 2d, 3d, split)",
            args.view
        ))
    })?;
    if let Some(path) = &args.screenshot
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(CliError::Usage(format!(
            "cannot save a screenshot to {}: no such directory",
            path.display()
        )));
    }
    run(Launch {
        preset,
        steps: args.steps,
        screenshot: args.screenshot.clone(),
        view,
    })
    .map_err(CliError::Failure)
}
