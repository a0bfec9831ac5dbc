//! `downhill app`: open the window with a preset, or save a screenshot of it and exit.

use super::CliError;
use crate::app::{Launch, ViewMode, run};
use crate::presets;
use std::path::PathBuf;

/// Options of `downhill app`.
#[derive(Debug, clap::Args)]
pub struct AppArgs {
    /// A lecture preset to load (see `downhill list`).
    #[arg(long, conflicts_with_all = ["surface", "function", "scene"])]
    pub preset: Option<String>,
    /// A lecture deck to present: a deck file, or `lecture` for the shipped one (PageDown /
    /// PageUp move between slides).
    #[arg(long, conflicts_with_all = ["surface", "function", "scene", "preset"])]
    pub deck: Option<std::path::PathBuf>,
    /// With --deck: the slide to open on, counting from 1.
    #[arg(long, requires = "deck", value_parser = super::args::whole::<u64, 1, 10_000>, allow_negative_numbers = true)]
    pub slide: Option<u64>,
    /// Open the step inspector on this racer (counting from 1): its next step explained, the
    /// map zoomed to it.
    #[arg(long, value_parser = super::args::whole::<u64, 1, 10>, allow_negative_numbers = true)]
    pub inspect: Option<u64>,
    /// A scene file to open (see `downhill scene`); Save writes back to it.
    #[arg(long, conflicts_with_all = ["surface", "function"])]
    pub scene: Option<std::path::PathBuf>,
    /// Open on this surface or your own function (with parameters) instead.
    #[command(flatten)]
    pub surface: super::surface_args::SurfaceArgs,
    /// The window of a typed function X0,X1,Y0,Y1 (default [-3,3]², or around its stationary
    /// points).
    #[arg(long, value_parser = super::surface_args::window, allow_hyphen_values = true, requires = "function")]
    pub window: Option<crate::surfaces::View>,
    /// With --surface or --function: the optimizers to race (default: the app's usual four).
    #[arg(long = "optimizer", value_delimiter = ',', value_parser = super::args::optimizer)]
    pub optimizers: Vec<crate::optim::OptimizerKind>,
    /// With --optimizer: hyperparameters, e.g. lr=0.1 (PyTorch names).
    #[arg(long, value_parser = super::args::assignments, requires = "optimizers")]
    pub hp: Vec<super::args::Assignments>,
    /// With --surface or --function: the start point X,Y.
    #[arg(long, value_parser = super::args::point, allow_hyphen_values = true)]
    pub start: Option<[f64; 2]>,
    /// With --optimizer on a model on data: rows per step, one for all or one per optimizer
    /// (full, single or a number).
    #[arg(long, value_delimiter = ',', value_parser = crate::models::Batch::parse, requires = "optimizers", allow_negative_numbers = true)]
    pub batch: Vec<crate::models::Batch>,
    /// With --optimizer: a learning-rate schedule, once for all or once per optimizer.
    #[arg(long, value_parser = super::args::schedule, requires = "optimizers")]
    pub schedule: Vec<crate::engine::Schedule>,
    /// A model on data fitted to its data as they are (not standardised).
    #[arg(long)]
    pub raw: bool,
    /// With --optimizer: the seed of the mini-batches and the gradient noise.
    #[arg(long, value_parser = super::args::seed, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Steps to take before showing (or photographing) the scene.
    /// (default: none; a preset's screenshot shows its lesson step).
    #[arg(long, value_parser = super::args::steps, allow_negative_numbers = true)]
    pub steps: Option<u64>,
    /// Which view: 2d (contour map), 3d (lit surface), split (both) or train (default: the
    /// scene's or slide's own, else 2d).
    #[arg(long)]
    pub view: Option<String>,
    /// Save a PNG of the window to this path, then exit.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    /// The window's size in points, WIDTHxHEIGHT (default 1440x900).
    #[arg(long, value_parser = super::args::size)]
    pub size: Option<[f32; 2]>,
    /// Start in presentation mode (everything larger, for a projector).
    #[arg(long)]
    pub present: bool,
    /// With --view train: a model spec file (or a shipped spec's name) to train.
    #[arg(long, value_name = "PATH")]
    pub model_spec: Option<String>,
    /// With --view train: epochs to train (overrides the spec's).
    #[arg(long, value_parser = super::args::whole::<u64, 1, 100_000>, allow_negative_numbers = true)]
    pub epochs: Option<u64>,
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
    let view = args
        .view
        .as_deref()
        .map(|name| {
            ViewMode::from_name(name).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown view '{}' (valid: 2d, 3d, split, train)",
                    crate::limits::echo(name)
                ))
            })
        })
        .transpose()?;
    if view != Some(ViewMode::Train) && (args.model_spec.is_some() || args.epochs.is_some()) {
        return Err(CliError::Usage(
            "--model-spec and --epochs go with --view train".into(),
        ));
    }
    if let Some(spec) = &args.model_spec
        && crate::models::spec::SHIPPED.iter().all(|(n, _)| n != spec)
    {
        crate::models::ModelSpec::load(std::path::Path::new(spec))
            .map_err(|e| CliError::Usage(format!("--model-spec: {e}")))?;
    }
    if !args.surface.given() && (!args.optimizers.is_empty() || args.start.is_some()) {
        return Err(CliError::Usage(
            "--optimizer and --start go with --surface or --function".into(),
        ));
    }
    let scene_file = args.scene.clone();
    let deck = args
        .deck
        .as_deref()
        .map(crate::scene::deck::Deck::load)
        .transpose()
        .map_err(CliError::Usage)?;
    let slide = match (&deck, args.slide) {
        (Some(d), Some(n)) if n as usize > d.slides.len() => {
            return Err(CliError::Usage(format!(
                "--slide {n}: the deck has {} slides",
                d.slides.len()
            )));
        }
        (_, Some(n)) => n as usize - 1,
        _ => 0,
    };
    let scene = if let Some(path) = &args.scene {
        Some(crate::scene::Scene::load(path).map_err(CliError::Usage)?)
    } else if args.surface.given() {
        let surface = args.surface.build_with(args.window, args.raw)?;
        let hp: Vec<(String, f64)> = args.hp.iter().flat_map(|a| a.0.clone()).collect();
        Some(if args.optimizers.is_empty() {
            let mut scene =
                crate::scene::Scene::of(&crate::app::default_race(), Default::default());
            scene.surface = crate::scene::SurfaceSpec::of(&surface);
            scene.start = args.start.unwrap_or_else(|| surface.default_start());
            scene
        } else {
            let shared = crate::race::Shared {
                seed: args.seed.unwrap_or(0),
                ..Default::default()
            };
            let mut scene =
                super::run::racing_scene(&surface, &args.optimizers, &hp, args.start, shared)?;
            super::run::per_racer(&mut scene, &surface, &args.batch, &args.schedule)?;
            scene
        })
    } else {
        None
    };
    // A scene that cannot be shown is refused here, as `run --scene` refuses it: a script
    // asking for a screenshot must not get a picture of another race.
    if let Some(scene) = &scene {
        scene.build().map_err(|e| {
            CliError::Usage(match &args.scene {
                Some(path) => format!("{}: {e}", crate::limits::echo(&path.display().to_string())),
                None => e.to_string(),
            })
        })?;
    }
    // Checked before the window opens; the file is touched only when the PNG is written.
    if let Some(path) = &args.screenshot {
        crate::files::check_output(path, Some("png")).map_err(CliError::Usage)?;
    }
    run(Launch {
        preset,
        scene,
        scene_file,
        deck,
        slide,
        inspect: args.inspect.map(|i| i as usize - 1),
        steps: args.steps,
        screenshot: args.screenshot.clone(),
        view,
        model_spec: args.model_spec.clone(),
        epochs: args.epochs.map(|e| e as usize),
        size: args.size,
        presenting: args.present,
    })
    .map_err(CliError::Failure)
}
