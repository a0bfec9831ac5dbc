//! `downhill sweep`: final loss and steps to converge over a grid of two hyperparameters.

use super::CliError;
use super::args::{self, Assignments};
use super::basin::{check_outputs, emit};
use super::run::num;
use super::surface_args::{self, SurfaceArgs};
use crate::engine::Schedule;
use crate::insight::ColorScale;
use crate::insight::sweep::{Axis, MAX_AXIS, Sweep, SweepSpec};
use crate::optim::OptimizerKind;
use crate::setup::Setup;
use std::io::Write;
use std::path::PathBuf;

/// What the picture shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Metric {
    /// The final loss (log colour scale).
    Loss,
    /// Steps taken (to convergence, or all of them).
    Steps,
}

/// Options of `downhill sweep`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output: CSV with one row per cell, the y axis's first value first, x values left to right. \
The first two columns are named after the two hyperparameters (e.g. lr,momentum), then loss \
(at the end of the run; the last finite loss for a diverged run), steps (to convergence, or \
all taken) and status (converged, stalled, escaped, diverged or running). Other hyperparameters keep their \
defaults or the values given with --hp; the picture marks that setting with a cross.

Examples:
  downhill sweep --surface rosenbrock --optimizer momentum --x-hp lr:1e-5:1e-2:log --y-hp momentum:0:0.99 --png sweep.png
  downhill sweep --surface quadratic --optimizer adam --x-hp lr:1e-3:1:log --y-hp beta1:0:0.99 --metric steps")]
pub struct SweepArgs {
    /// The surface: a built-in or your own function, with parameters.
    #[command(flatten)]
    pub surface: SurfaceArgs,
    /// The window of a typed function X0,X1,Y0,Y1 (default [-3,3]², or around its stationary
    /// points); the start defaults to a point inside it.
    #[arg(long, value_parser = surface_args::window, allow_hyphen_values = true, requires = "function")]
    pub window: Option<crate::surfaces::View>,
    /// The optimizer.
    #[arg(long, value_parser = args::optimizer)]
    pub optimizer: OptimizerKind,
    /// The horizontal axis NAME:MIN:MAX[:log], e.g. lr:1e-4:1:log.
    #[arg(long = "x-hp")]
    pub x_hp: String,
    /// The vertical axis NAME:MIN:MAX[:log], e.g. momentum:0:0.99.
    #[arg(long = "y-hp")]
    pub y_hp: String,
    /// The other hyperparameters, e.g. eps=1e-6 (the swept ones are overridden).
    #[arg(long, value_parser = args::assignments)]
    pub hp: Vec<Assignments>,
    /// Values per axis.
    #[arg(long, default_value = "25", value_parser = axis_count, allow_negative_numbers = true)]
    pub grid: usize,
    /// Most steps per run.
    #[arg(long, default_value = "500", value_parser = args::steps, allow_negative_numbers = true)]
    pub steps: u64,
    /// Start point X,Y (default: the surface's first suggested start).
    #[arg(long, value_parser = args::point, allow_hyphen_values = true)]
    pub start: Option<[f64; 2]>,
    /// Converged when the gradient norm falls below this.
    #[arg(long, default_value = "1e-6", value_parser = |s: &str| args::bounded(s, 1e6), allow_negative_numbers = true)]
    pub tol_grad: f64,
    /// What the picture colours.
    #[arg(long, value_enum, default_value = "loss")]
    pub metric: Metric,
    /// Write the CSV here instead of to standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write a heatmap (PNG).
    #[arg(long)]
    pub png: Option<PathBuf>,
}

/// Parses a number of values per axis.
fn axis_count(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_AXIS).contains(n))
        .ok_or_else(|| {
            format!("'{s}' is not a grid size (expected a whole number in [1, {MAX_AXIS}])")
        })
}

/// Runs `downhill sweep`.
pub fn execute(args: &SweepArgs, out: &mut dyn Write) -> Result<(), CliError> {
    check_outputs(args.out.as_deref(), args.png.as_deref())?;
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
    if let Some(note) = args.surface.assumed_note() {
        eprintln!("{note}");
    }
    let surface = args.surface.build(args.window)?;
    let x = Axis::parse(&args.x_hp, args.grid).map_err(|e| usage(&e))?;
    let y = Axis::parse(&args.y_hp, args.grid).map_err(|e| usage(&e))?;
    // --hp must not name the swept ones out of range; they are validated with the defaults.
    let hp: Vec<(String, f64)> = args
        .hp
        .iter()
        .flat_map(|a| a.0.clone())
        .filter(|(n, _)| *n != x.name && *n != y.name)
        .collect();
    let setup = Setup::new(args.optimizer, &hp, Schedule::Constant).map_err(|e| usage(&e))?;
    let current = {
        let all: Vec<(String, f64)> = args.hp.iter().flat_map(|a| a.0.clone()).collect();
        args.optimizer.hyper_values(&all).map_err(|e| usage(&e))?
    };
    let start = args.start.unwrap_or_else(|| surface.default_start());
    let spec = SweepSpec {
        surface,
        setup,
        tol_grad: args.tol_grad,
        start,
        steps: args.steps,
        x,
        y,
    };
    let sweep = Sweep::compute(&spec).map_err(|e| usage(&e))?;
    let (nx, ny) = (spec.x.count, spec.y.count);
    emit(args.out.as_deref(), out, |w| {
        writeln!(w, "{},{},loss,steps,status", spec.x.name, spec.y.name)?;
        for j in 0..ny {
            for i in 0..nx {
                let (xv, yv) = sweep.values_at(i, j);
                let c = &sweep.cells[j * nx + i];
                writeln!(
                    w,
                    "{},{},{},{},{}",
                    num(xv),
                    num(yv),
                    num(c.loss),
                    c.steps,
                    c.label()
                )?;
            }
        }
        Ok(())
    })?;
    if let Some(path) = &args.png {
        let by_steps = args.metric == Metric::Steps;
        let values = sweep.metric(by_steps);
        let scale = ColorScale::robust(&values, !by_steps).ok_or_else(|| {
            CliError::Failure("every run diverged: there is nothing to colour".into())
        })?;
        // The app's own sweep picture (colour bar, labelled axes), drawn headless.
        let mut headless = crate::app::export::Headless::new();
        let texture = headless.ctx().load_texture(
            "sweep",
            crate::app::why::sweep::heatmap_image(&sweep, &scale, by_steps),
            eframe::egui::TextureOptions::NEAREST,
        );
        let marker = sweep.locate(&current);
        let image = headless.render(
            eframe::egui::vec2(640.0, 680.0),
            1.0,
            3,
            eframe::egui::Color32::from_gray(27),
            |ui| {
                eframe::egui::CentralPanel::default().show(ui, |ui| {
                    crate::app::why::sweep::draw(
                        ui,
                        &sweep,
                        texture.id(),
                        &scale,
                        by_steps,
                        marker,
                        false,
                    );
                });
            },
        );
        image.save_png(path).map_err(CliError::Failure)?;
    }
    Ok(())
}
