//! `downhill basin`: one optimizer from every start of a grid, where each run ends.

use super::CliError;
use super::args::{self, Assignments};
use super::run::num;
use super::surface_args::SurfaceArgs;
use crate::engine::Schedule;
use crate::field::Window;
use crate::insight::basin::{self, BasinMap, BasinSpec, MAX_GRID};
use crate::insight::picture::Picture;
use crate::optim::OptimizerKind;
use crate::setup::Setup;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options of `downhill basin`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output: CSV with one row per start point, bottom row of the grid first, left to right: \
x0,y0 (the start, a cell centre), x,y (where the run ended), loss, status (converged at a minimum, \
stalled on a plateau or at a saddle, escaped, diverged \
or running) and minimum (the index, in `downhill list`'s order of the surface's known minima \
sorted by value, of the minimum within --tolerance of the end; empty if none).

Examples:
  downhill basin --surface himmelblau --optimizer adam --hp lr=0.05 --grid 256 --png basins.png
  downhill basin --surface six-hump-camel --optimizer momentum --hp lr=0.01 --out cells.csv
  downhill basin --function 'x^4 - 2*x^2 + y^2 + 0.3*x' --optimizer gd --hp lr=0.05 --png basins.png")]
pub struct BasinArgs {
    /// The surface: a built-in or your own function, with parameters.
    #[command(flatten)]
    pub surface: SurfaceArgs,
    /// The optimizer.
    #[arg(long, value_parser = args::optimizer)]
    pub optimizer: OptimizerKind,
    /// Hyperparameters, e.g. lr=0.01,momentum=0.8 (PyTorch names).
    #[arg(long, value_parser = args::assignments)]
    pub hp: Vec<Assignments>,
    /// Grid side N: N × N start points (at most 512).
    #[arg(long, default_value = "128", value_parser = grid_side, allow_negative_numbers = true)]
    pub grid: usize,
    /// Most steps per run.
    #[arg(long, default_value = "500", value_parser = args::steps, allow_negative_numbers = true)]
    pub steps: u64,
    /// The window of start points x0,x1,y0,y1 (default: the surface's view).
    #[arg(long, value_parser = window, allow_hyphen_values = true)]
    pub window: Option<Window>,
    /// Label an end point with a minimum within this distance (default: 1% of the window's
    /// diagonal).
    #[arg(long, value_parser = |s: &str| args::bounded(s, 1e6), allow_negative_numbers = true)]
    pub tolerance: Option<f64>,
    /// Converged when the gradient norm falls below this.
    #[arg(long, default_value = "1e-6", value_parser = |s: &str| args::bounded(s, 1e6), allow_negative_numbers = true)]
    pub tol_grad: f64,
    /// Write the CSV here instead of to standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write a picture of the basins (PNG).
    #[arg(long)]
    pub png: Option<PathBuf>,
}

/// Parses a grid side in [1, 512].
pub fn grid_side(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_GRID).contains(n))
        .ok_or_else(|| {
            format!("'{s}' is not a grid side (expected a whole number in [1, {MAX_GRID}])")
        })
}

/// Parses a window `x0,x1,y0,y1` with x0 < x1 and y0 < y1.
pub fn window(s: &str) -> Result<Window, String> {
    let bad = || format!("'{s}' is not a window (expected x0,x1,y0,y1 with x0 < x1, y0 < y1)");
    let v: Vec<f64> = s
        .split(',')
        .map(|t| {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.abs() <= 1e6)
        })
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    match v.as_slice() {
        &[x0, x1, y0, y1] if x0 < x1 && y0 < y1 => Ok(Window {
            x: (x0, x1),
            y: (y0, y1),
        }),
        _ => Err(bad()),
    }
}

/// Checks `--out` and `--png` before any work is done (exit 2 with one line): each can be
/// written, and they are not one file.
pub fn check_outputs(out: Option<&Path>, png: Option<&Path>) -> Result<(), CliError> {
    if let (Some(a), Some(b)) = (out, png) {
        crate::files::check_distinct(a, b).map_err(CliError::Usage)?;
    }
    if let Some(p) = out {
        crate::files::check_output(p, None).map_err(CliError::Usage)?;
    }
    if let Some(p) = png {
        crate::files::check_output(p, Some("png")).map_err(CliError::Usage)?;
    }
    Ok(())
}

/// Writes a CSV to `path` whole (through a temporary file), or to `out`: `write` fills it.
pub fn emit(
    path: Option<&Path>,
    out: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> Result<(), CliError>,
) -> Result<(), CliError> {
    match path {
        Some(p) => {
            let mut bytes = Vec::new();
            write(&mut bytes)?;
            crate::files::write_output(p, &bytes).map_err(CliError::Failure)
        }
        None => write(out),
    }
}

/// Runs `downhill basin`.
pub fn execute(args: &BasinArgs, out: &mut dyn Write) -> Result<(), CliError> {
    check_outputs(args.out.as_deref(), args.png.as_deref())?;
    // A typed function is shown over the window of starts when one is given.
    let view = args
        .window
        .map(|w| crate::surfaces::View { x: w.x, y: w.y });
    if let Some(note) = args.surface.assumed_note() {
        eprintln!("{note}");
    }
    let surface = args.surface.build(view)?;
    let hp: Vec<(String, f64)> = args.hp.iter().flat_map(|a| a.0.clone()).collect();
    let setup = Setup::new(args.optimizer, &hp, Schedule::Constant)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut spec = BasinSpec::new(surface, setup, args.grid, args.steps);
    spec.tol_grad = args.tol_grad;
    if let Some(w) = args.window {
        spec.window = w;
        spec.tolerance = basin::default_tolerance(w);
    }
    if let Some(t) = args.tolerance {
        spec.tolerance = t;
    }
    let map = BasinMap::compute(&spec).map_err(|e| CliError::Usage(e.to_string()))?;
    emit(args.out.as_deref(), out, |w| {
        writeln!(w, "x0,y0,x,y,loss,status,minimum")?;
        for c in &map.cells {
            let minimum = c.minimum.map(|k| k.to_string()).unwrap_or_default();
            writeln!(
                w,
                "{},{},{},{},{},{},{minimum}",
                num(c.start[0]),
                num(c.start[1]),
                num(c.end[0]),
                num(c.end[1]),
                num(c.loss),
                c.status.label()
            )?;
        }
        Ok(())
    })?;
    if let Some(path) = &args.png {
        let n = spec.n;
        let base = Picture::new(n, n, map.image())
            .ok_or_else(|| CliError::Failure("picture size mismatch".into()))?;
        let mut pic = base.at_least(512);
        let w = spec.window;
        for m in &map.minima {
            let u = (m.x - w.x.0) / (w.x.1 - w.x.0);
            let v = (m.y - w.y.0) / (w.y.1 - w.y.0);
            pic.cross(u, v, 5, [255, 255, 255, 255]);
        }
        pic.save_png(path).map_err(CliError::Failure)?;
    }
    Ok(())
}
