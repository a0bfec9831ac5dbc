//! `downhill export` and `downhill record`: the view of a scene or preset as a PNG for slides,
//! or its race as an animated GIF, rendered headless (no window, no GPU).

use super::CliError;
use crate::app::Explorer;
use crate::app::export::Headless;
use crate::app::export::record::{Recording, record_gif};
use crate::presets::Preset;
use crate::race::Command;
use crate::scene::view::ViewMode;
use clap::Args;
use eframe::egui;
use std::path::PathBuf;

/// Which scene: a file or a preset.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// A scene file (see `downhill scene`).
    #[arg(long)]
    pub scene: Option<PathBuf>,
    /// A lecture preset (see `downhill list`).
    #[arg(long, value_parser = super::args::preset)]
    pub preset: Option<&'static Preset>,
}

impl Source {
    /// The explorer showing the scene as its file says (its step, view and caption).
    fn explorer(&self) -> Result<Explorer, CliError> {
        let mut explorer = Explorer::default();
        match (&self.scene, self.preset) {
            (Some(path), _) => {
                let scene = crate::scene::Scene::load(path).map_err(CliError::Usage)?;
                explorer.show_scene(&scene).map_err(CliError::Usage)?;
            }
            // A preset at its lesson step: the picture its caption describes.
            (None, Some(preset)) => explorer = Explorer::with_preset(preset),
            (None, None) => return Err(CliError::Usage("give --scene or --preset".into())),
        }
        Ok(explorer)
    }
}

/// The view named on the command line.
fn view_mode(name: Option<&str>) -> Result<Option<ViewMode>, CliError> {
    name.map(|n| match ViewMode::from_name(n) {
        Some(ViewMode::Train) | None => Err(CliError::Usage(format!(
            "unknown view '{}' (valid: 2d, 3d, split)",
            crate::limits::echo(n)
        ))),
        Some(m) => Ok(m),
    })
    .transpose()
}

/// Arguments of `downhill export`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  downhill export --preset himmelblau --steps 120 --png himmelblau.png --scale 2
  downhill export --scene lecture.toml --png slide.png --view split --size 1600x900
  downhill export --preset beale --steps 500 --pytorch beale.py && python3 beale.py")]
pub struct ExportArgs {
    /// The scene.
    #[command(flatten)]
    pub source: Source,
    /// Write the view as a PNG here.
    #[arg(long, required_unless_present = "pytorch")]
    pub png: Option<PathBuf>,
    /// Write a runnable PyTorch script of the race here (the same surface, optimizers,
    /// hyperparameters, schedules and clipping; it prints JSON like `run --format json`).
    #[arg(long)]
    pub pytorch: Option<PathBuf>,
    /// Pixels per point: 1, 2 or 3 (2 and 3 for crisp slides).
    #[arg(long, default_value_t = 1, value_parser = super::args::whole::<u8, 1, 3>, allow_negative_numbers = true)]
    pub scale: u8,
    /// Which view: 2d, 3d or split (default: the scene's own).
    #[arg(long)]
    pub view: Option<String>,
    /// The picture's size in points, WIDTHxHEIGHT (default 1280x800).
    #[arg(long, value_parser = super::args::size)]
    pub size: Option<[f32; 2]>,
    /// Steps to take past the scene's own step before the picture (for --pytorch: the steps
    /// the script runs, default the scene's step or else 500).
    #[arg(long, default_value_t = 0, value_parser = super::args::whole::<u64, 0, 200_000>, allow_negative_numbers = true)]
    pub steps: u64,
    /// Presentation mode's text size: text and marks scaled with the picture's size, as a
    /// projector shows them (1.25 times at 1280x800).
    #[arg(long)]
    pub present: bool,
    /// Also show, under the view: `plots` (the status table and the loss chart).
    #[arg(long, value_enum)]
    pub with: Option<With>,
}

/// What an exported picture may show besides the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum With {
    /// The status table and the loss chart.
    Plots,
}

/// Runs `downhill export`.
pub fn execute_export(args: &ExportArgs) -> Result<(), CliError> {
    if let Some(png) = &args.png {
        crate::files::check_output(png, Some("png")).map_err(CliError::Usage)?;
    }
    if let Some(py) = &args.pytorch {
        crate::files::check_output(py, Some("py")).map_err(CliError::Usage)?;
    }
    if let (Some(png), Some(py)) = (&args.png, &args.pytorch) {
        crate::files::check_distinct(png, py).map_err(CliError::Usage)?;
    }
    let mode = view_mode(args.view.as_deref())?;
    let mut explorer = args.source.explorer()?;
    if let Some(py) = &args.pytorch {
        let scene = explorer.scene_now();
        let steps = match scene.view.step + args.steps {
            0 => 500,
            n => n,
        };
        let mut scene = scene;
        scene.view.step = 0;
        let text = crate::scene::pytorch::script(&scene, steps).map_err(CliError::Usage)?;
        crate::files::write_output(py, text.as_bytes()).map_err(CliError::Failure)?;
    }
    let Some(png) = &args.png else {
        return Ok(());
    };
    if let Some(m) = mode {
        explorer.shown.mode = m;
    }
    explorer.race.apply(Command::Step(args.steps as i64));
    explorer.presenting = args.present;
    explorer.export_plots = args.with == Some(With::Plots);
    let [w, h] = args.size.unwrap_or([1280.0, 800.0]);
    let pixels = f64::from(w) * f64::from(h) * f64::from(args.scale).powi(2);
    if pixels > MAX_PNG_PIXELS {
        return Err(CliError::Usage(format!(
            "--size {w}x{h} at --scale {} is {:.0} M pixels (the limit is {:.0} M)",
            args.scale,
            pixels / 1e6,
            MAX_PNG_PIXELS / 1e6
        )));
    }
    let image = explorer.render_view(
        &mut Headless::new(),
        egui::vec2(w, h),
        f32::from(args.scale),
    );
    image.save_png(png).map_err(CliError::Failure)
}

/// Arguments of `downhill record`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  downhill record --preset momentum-ravine --steps 600 --out ravine.gif
  downhill record --scene lecture.toml --from 100 --steps 400 --seconds 8 --size 1280x720 --view 3d --out lecture.gif

The race is shown from step --from to step --steps, evenly over --seconds × --fps frames, each
with the title, the caption, the legend and the step.")]
pub struct RecordArgs {
    /// The scene.
    #[command(flatten)]
    pub source: Source,
    /// The last step shown.
    #[arg(long, value_parser = super::args::whole::<u64, 1, 200_000>, allow_negative_numbers = true)]
    pub steps: u64,
    /// The first step shown.
    #[arg(long, default_value_t = 0, value_parser = super::args::whole::<u64, 0, 200_000>, allow_negative_numbers = true)]
    pub from: u64,
    /// Write the animation here (.gif).
    #[arg(long)]
    pub out: PathBuf,
    /// The frame's size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "960x540", value_parser = super::args::size)]
    pub size: [f32; 2],
    /// Frames per second.
    #[arg(long, default_value_t = 30, value_parser = super::args::whole::<u32, 1, 50>, allow_negative_numbers = true)]
    pub fps: u32,
    /// Length of the animation in seconds.
    #[arg(long, default_value_t = 5.0, value_parser = |s: &str| super::args::positive(s, MAX_FRAMES as f64), allow_negative_numbers = true)]
    pub seconds: f64,
    /// Which view: 2d, 3d or split (default: the scene's own).
    #[arg(long)]
    pub view: Option<String>,
}

/// The most frames one recording may have.
pub const MAX_FRAMES: usize = 3000;
/// The most pixels an exported picture may have (3× a 2560 × 1600 view is 36.9 M): a
/// picture's pixels are held in memory four bytes each, and again while it is encoded.
pub const MAX_PNG_PIXELS: f64 = 50.0e6;
/// The largest GIF frame: a recording holds 16 raw frames at a time.
pub const MAX_GIF_SIZE: [f32; 2] = [1920.0, 1200.0];

/// Runs `downhill record`.
pub fn execute_record(args: &RecordArgs) -> Result<(), CliError> {
    crate::files::check_output(&args.out, Some("gif")).map_err(CliError::Usage)?;
    if args.from >= args.steps {
        return Err(CliError::Usage(format!(
            "--from {} must be before --steps {}",
            args.from, args.steps
        )));
    }
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        return Err(CliError::Usage(format!(
            "--seconds {} (valid: more than 0)",
            args.seconds
        )));
    }
    if args.size[0] > MAX_GIF_SIZE[0] || args.size[1] > MAX_GIF_SIZE[1] {
        return Err(CliError::Usage(format!(
            "--size {}x{} (a GIF frame is at most {}x{})",
            args.size[0], args.size[1], MAX_GIF_SIZE[0], MAX_GIF_SIZE[1]
        )));
    }
    let frames = (args.seconds * f64::from(args.fps)).round() as usize;
    if !(2..=MAX_FRAMES).contains(&frames) {
        return Err(CliError::Usage(format!(
            "{frames} frames (--seconds × --fps; valid: 2 to {MAX_FRAMES})"
        )));
    }
    let mode = view_mode(args.view.as_deref())?;
    let mut explorer = args.source.explorer()?;
    if let Some(m) = mode {
        explorer.shown.mode = m;
    }
    let rec = Recording {
        from: args.from,
        to: args.steps,
        fps: args.fps,
        frames,
        size: [args.size[0] as u16, args.size[1] as u16],
    };
    record_gif(&mut explorer, rec, &args.out, |_, _| true).map_err(CliError::Failure)
}
