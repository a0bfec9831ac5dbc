//! Basin maps: one optimizer run from every start point of an n × n grid, each cell labelled
//! by the known minimum it ends at; computed in parallel, row by row, in the background.

use crate::engine::{Optimizer, RunConfig, RunError, Runner, Status};
use crate::field::Window;
use crate::setup::Setup;
use crate::surfaces::{CriticalPoint, Surface};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use thiserror::Error;

/// The largest grid side.
pub const MAX_GRID: usize = 512;

/// What to run from every start point.
#[derive(Clone, Debug, PartialEq)]
pub struct BasinSpec {
    /// The surface.
    pub surface: Surface,
    /// The optimizer, its hyperparameters and the settings of every run.
    pub setup: Setup,
    /// A run has converged when ‖∇f‖ falls below this.
    pub tol_grad: f64,
    /// The window the start points cover.
    pub window: Window,
    /// Grid side n (n × n starts, at cell centres as [`crate::field::Grid`]), 1 ..= 512.
    pub n: usize,
    /// Most steps per run.
    pub steps: u64,
    /// An end point within this distance of a known minimum is labelled with it.
    pub tolerance: f64,
}

/// A basin map that cannot be set up.
#[derive(Debug, Error, PartialEq)]
pub enum BasinError {
    /// Grid side outside 1 ..= 512.
    #[error("grid side {0} is outside [1, {MAX_GRID}]")]
    Grid(usize),
    /// An empty or non-finite window.
    #[error("the window must have finite x0 < x1 and y0 < y1")]
    Window,
    /// A second-order optimizer without a Hessian (never for test surfaces) or similar.
    #[error("{0}")]
    Run(String),
}

impl BasinSpec {
    /// A map of `setup` over the surface's default view, `n` × `n` starts, `steps` steps
    /// each, converged at ‖∇f‖ < 1e-6, labelled within 1% of the view's diagonal.
    pub fn new(surface: Surface, setup: Setup, n: usize, steps: u64) -> Self {
        let v = surface.view();
        let window = Window { x: v.x, y: v.y };
        Self {
            surface,
            setup,
            tol_grad: 1e-6,
            window,
            n,
            steps,
            tolerance: default_tolerance(window),
        }
    }

    /// Checks the grid side, the window and that the optimizer can run here.
    pub fn validate(&self) -> Result<(), BasinError> {
        if !(1..=MAX_GRID).contains(&self.n) {
            return Err(BasinError::Grid(self.n));
        }
        let w = self.window;
        let ok = [w.x.0, w.x.1, w.y.0, w.y.1].iter().all(|v| v.is_finite())
            && w.x.0 < w.x.1
            && w.y.0 < w.y.1;
        if !ok {
            return Err(BasinError::Window);
        }
        let start = w.at(0.5, 0.5);
        self.runner(start)
            .map(|_| ())
            .map_err(|e| BasinError::Run(format!("{}: {e}", self.setup.kind.name())))
    }

    /// The run from `start`.
    fn runner(&self, start: [f64; 2]) -> Result<Runner<Surface, Box<dyn Optimizer>>, RunError> {
        let config = RunConfig {
            tol_grad: self.tol_grad,
            ..self.setup.config()
        };
        self.setup.runner_with(self.surface.clone(), &start, config)
    }

    /// The start point of cell (i, j): column i, row j (row 0 is the smallest y).
    pub fn start(&self, i: usize, j: usize) -> [f64; 2] {
        let n = self.n as f64;
        self.window.at((i as f64 + 0.5) / n, (j as f64 + 0.5) / n)
    }
}

/// The default labelling tolerance: 1% of the window's diagonal.
pub fn default_tolerance(window: Window) -> f64 {
    let (dx, dy) = (window.x.1 - window.x.0, window.y.1 - window.y.0);
    0.01 * dx.hypot(dy)
}

/// Where the run from one start point ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BasinCell {
    /// The start point.
    pub start: [f64; 2],
    /// The end point (the last finite one for a diverged run).
    pub end: [f64; 2],
    /// The loss at the end point.
    pub loss: f64,
    /// Converged, diverged, or still running after the last step.
    pub status: Status,
    /// Steps taken (the step of convergence for a converged run).
    pub steps: u64,
    /// Index into [`Surface::minima`] of the minimum within the tolerance of the end point.
    pub minimum: Option<u16>,
}

/// Runs one start point.
fn run_cell(spec: &BasinSpec, minima: &[CriticalPoint], start: [f64; 2]) -> BasinCell {
    let Ok(mut runner) = spec.runner(start) else {
        // Not reachable after `validate`; report the start as a run that never moved.
        return BasinCell {
            start,
            end: start,
            loss: f64::NAN,
            status: Status::Running,
            steps: 0,
            minimum: None,
        };
    };
    let taken = runner.run(spec.steps, &mut []);
    let end = [runner.x()[0], runner.x()[1]];
    let status = runner.status();
    let minimum = if status.ended_nowhere() {
        None
    } else {
        nearest_minimum(minima, end, spec.tolerance)
    };
    BasinCell {
        start,
        end,
        loss: runner.loss(),
        status,
        steps: status.step().unwrap_or(taken),
        minimum,
    }
}

/// The index of the minimum nearest to `p` if it lies within `tolerance`.
pub fn nearest_minimum(minima: &[CriticalPoint], p: [f64; 2], tolerance: f64) -> Option<u16> {
    minima
        .iter()
        .enumerate()
        .map(|(k, m)| (k, (m.x - p[0]).hypot(m.y - p[1])))
        .filter(|&(_, d)| d <= tolerance)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .and_then(|(k, _)| u16::try_from(k).ok())
}

/// Runs row `j` of the grid.
fn run_row(spec: &BasinSpec, minima: &[CriticalPoint], j: usize) -> Box<[BasinCell]> {
    (0..spec.n)
        .map(|i| run_cell(spec, minima, spec.start(i, j)))
        .collect()
}

/// A finished (or partly finished) basin map: rows bottom to top, each `n` cells left to
/// right.
#[derive(Clone, Debug)]
pub struct BasinMap {
    /// What was run.
    pub spec: BasinSpec,
    /// The known minima the labels index.
    pub minima: Vec<CriticalPoint>,
    /// `cells[j * n + i]`: column i, row j (row 0 is the smallest y).
    pub cells: Vec<BasinCell>,
}

impl BasinMap {
    /// Runs the whole map on the calling thread and rayon's global pool.
    pub fn compute(spec: &BasinSpec) -> Result<Self, BasinError> {
        spec.validate()?;
        let minima = spec.surface.minima();
        let rows: Vec<Box<[BasinCell]>> = (0..spec.n)
            .into_par_iter()
            .map(|j| run_row(spec, &minima, j))
            .collect();
        Ok(Self {
            spec: spec.clone(),
            minima,
            cells: rows.into_iter().flat_map(|r| r.into_vec()).collect(),
        })
    }

    /// How many cells ended at each known minimum.
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.minima.len()];
        for c in &self.cells {
            if let Some(k) = c.minimum {
                counts[usize::from(k)] += 1;
            }
        }
        counts
    }

    /// The fraction of cells whose run diverged (or escaped, on a surface unbounded below).
    pub fn diverged_fraction(&self) -> f64 {
        let d = self
            .cells
            .iter()
            .filter(|c| c.status.ended_nowhere())
            .count();
        d as f64 / self.cells.len().max(1) as f64
    }

    /// The picture of the map (see [`basin_image`]).
    pub fn image(&self) -> Vec<[u8; 4]> {
        let rows: Vec<Option<&[BasinCell]>> =
            self.cells.chunks(self.spec.n.max(1)).map(Some).collect();
        basin_image(self.spec.n, self.spec.steps, &rows)
    }
}

/// State shared between a [`BasinJob`] and its thread.
struct Shared {
    spec: BasinSpec,
    minima: Vec<CriticalPoint>,
    rows: Vec<OnceLock<Box<[BasinCell]>>>,
    done: AtomicUsize,
    cancel: AtomicBool,
    finished: AtomicBool,
}

/// A basin map computed on a background thread (with its own rayon pool, so the UI's
/// parallel work never queues behind it), row by row. Nothing here blocks: poll
/// [`BasinJob::progress`], read finished rows with [`BasinJob::row`] or
/// [`BasinJob::image`], stop with [`BasinJob::cancel`]. Dropping the job cancels it.
pub struct BasinJob {
    shared: Arc<Shared>,
    handle: Option<JoinHandle<()>>,
}

impl BasinJob {
    /// Starts computing `spec` on `threads` worker threads (0: one per core); `notify` is
    /// called after every finished row and at the end (the UI's `request_repaint`).
    pub fn spawn(
        spec: BasinSpec,
        threads: usize,
        notify: impl Fn() + Send + Sync + 'static,
    ) -> Result<Self, BasinError> {
        spec.validate()?;
        let minima = spec.surface.minima();
        let shared = Arc::new(Shared {
            rows: (0..spec.n).map(|_| OnceLock::new()).collect(),
            spec,
            minima,
            done: AtomicUsize::new(0),
            cancel: AtomicBool::new(false),
            finished: AtomicBool::new(false),
        });
        let worker = shared.clone();
        let handle = std::thread::Builder::new()
            .name("basin-map".into())
            .spawn(move || {
                let work = || {
                    (0..worker.spec.n).into_par_iter().for_each(|j| {
                        if worker.cancel.load(Ordering::Relaxed) {
                            return;
                        }
                        let row = run_row(&worker.spec, &worker.minima, j);
                        // Each row is set exactly once, by the only task that runs it.
                        let _ = worker.rows[j].set(row);
                        worker.done.fetch_add(1, Ordering::Release);
                        notify();
                    });
                };
                match rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .thread_name(|k| format!("basin-{k}"))
                    .build()
                {
                    Ok(pool) => pool.install(work),
                    Err(_) => work(),
                }
                worker.finished.store(true, Ordering::Release);
                notify();
            })
            .map_err(|e| BasinError::Run(format!("cannot start a thread: {e}")))?;
        Ok(Self {
            shared,
            handle: Some(handle),
        })
    }

    /// What is being computed.
    pub fn spec(&self) -> &BasinSpec {
        &self.shared.spec
    }

    /// The known minima that cells' labels index.
    pub fn minima(&self) -> &[CriticalPoint] {
        &self.shared.minima
    }

    /// Rows finished so far (of `spec().n`).
    pub fn rows_done(&self) -> usize {
        self.shared.done.load(Ordering::Acquire)
    }

    /// The fraction of rows finished, in [0, 1].
    pub fn progress(&self) -> f64 {
        self.rows_done() as f64 / self.shared.spec.n.max(1) as f64
    }

    /// Whether the thread has stopped (all rows done, or cancelled).
    pub fn is_finished(&self) -> bool {
        self.shared.finished.load(Ordering::Acquire)
    }

    /// Whether [`BasinJob::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.shared.cancel.load(Ordering::Relaxed)
    }

    /// Asks the thread to stop after the rows it is running; returns at once.
    pub fn cancel(&self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
    }

    /// Row `j` (bottom to top) if it is finished.
    pub fn row(&self, j: usize) -> Option<&[BasinCell]> {
        self.shared.rows.get(j)?.get().map(|r| &r[..])
    }

    /// Every row, `None` where not finished yet.
    pub fn rows(&self) -> Vec<Option<&[BasinCell]>> {
        (0..self.shared.spec.n).map(|j| self.row(j)).collect()
    }

    /// The picture of what is finished so far (unfinished rows transparent).
    pub fn image(&self) -> Vec<[u8; 4]> {
        basin_image(self.shared.spec.n, self.shared.spec.steps, &self.rows())
    }

    /// Waits for the thread and returns the map if every row was computed (`None` when
    /// cancelled before the end).
    pub fn wait(mut self) -> Option<BasinMap> {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        let rows = self.rows();
        if rows.iter().any(Option::is_none) {
            return None;
        }
        let cells = rows.into_iter().flatten().flatten().copied().collect();
        Some(BasinMap {
            spec: self.shared.spec.clone(),
            minima: self.shared.minima.clone(),
            cells,
        })
    }
}

impl Drop for BasinJob {
    fn drop(&mut self) {
        self.cancel();
        // The thread finishes the rows in flight and exits on its own; not joined here so
        // that dropping never blocks the UI.
        self.handle.take();
    }
}

/// One colour per known minimum (Tableau 10), cycled when there are more.
pub const PALETTE: [[u8; 3]; 10] = [
    [78, 121, 167],
    [242, 142, 43],
    [89, 161, 79],
    [225, 87, 89],
    [176, 122, 161],
    [237, 201, 72],
    [118, 183, 178],
    [255, 157, 167],
    [156, 117, 95],
    [186, 176, 172],
];

/// Colour of cells whose run diverged or escaped.
pub const DIVERGED: [u8; 4] = [16, 16, 16, 255];
/// Colour of cells that ended away from every known minimum (still moving, at a saddle, or
/// at a minimum the catalogue does not list).
pub const UNLABELLED: [u8; 4] = [128, 128, 128, 255];

/// The colour of one cell: its minimum's palette colour, darker the more steps it took
/// (brightness 1 − 0.55·steps/max_steps, linear so colours do not shift while a map fills
/// in; a run still going at the end is the darkest shade), [`DIVERGED`] or [`UNLABELLED`].
pub fn cell_colour(cell: &BasinCell, max_steps: u64) -> [u8; 4] {
    if cell.status.ended_nowhere() {
        return DIVERGED;
    }
    let Some(k) = cell.minimum else {
        return UNLABELLED;
    };
    let steps = if cell.status.is_running() {
        max_steps
    } else {
        cell.steps.min(max_steps)
    };
    let shade = 1.0 - 0.55 * steps as f64 / max_steps.max(1) as f64;
    let [r, g, b] = PALETTE[usize::from(k) % PALETTE.len()];
    let s = |c: u8| (f64::from(c) * shade).round() as u8;
    [s(r), s(g), s(b), 255]
}

/// An n × n RGBA picture of the rows, **top row first** (largest y, as images and egui's
/// `ColorImage` are laid out); rows not finished are transparent.
pub fn basin_image(n: usize, max_steps: u64, rows: &[Option<&[BasinCell]>]) -> Vec<[u8; 4]> {
    let mut pixels = vec![[0, 0, 0, 0]; n * n];
    for (j, row) in rows.iter().enumerate().take(n) {
        let Some(row) = row else { continue };
        let top = n - 1 - j;
        for (i, cell) in row.iter().enumerate().take(n) {
            pixels[top * n + i] = cell_colour(cell, max_steps);
        }
    }
    pixels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimizerKind;
    use crate::surfaces::SurfaceKind;

    fn small(kind: OptimizerKind, lr: f64, n: usize) -> BasinSpec {
        let mut setup = Setup::default_for(kind);
        setup.hp.set("lr", lr);
        BasinSpec::new(Surface::new(SurfaceKind::Himmelblau), setup, n, 300)
    }

    #[test]
    fn rejects_bad_grids_and_windows() {
        let mut spec = small(OptimizerKind::GD, 0.01, 0);
        assert_eq!(spec.validate(), Err(BasinError::Grid(0)));
        spec.n = 513;
        assert_eq!(spec.validate(), Err(BasinError::Grid(513)));
        spec.n = 4;
        spec.window.x = (1.0, 1.0);
        assert_eq!(spec.validate(), Err(BasinError::Window));
    }

    #[test]
    fn job_matches_the_synchronous_map_and_cancels() {
        let spec = small(OptimizerKind::GD, 0.01, 12);
        let direct = BasinMap::compute(&spec).unwrap();
        let job = BasinJob::spawn(spec.clone(), 2, || {}).unwrap();
        let map = job.wait().expect("not cancelled");
        assert_eq!(map.cells, direct.cells);
        // Row 0 is the bottom: its starts have the smallest y.
        assert!(map.cells[0].start[1] < map.cells[12 * 11].start[1]);
        let img = map.image();
        assert_eq!(img.len(), 144);
        // The image's top-left pixel is the top row's first cell.
        assert_eq!(img[0], cell_colour(&map.cells[11 * 12], spec.steps));

        let big = small(OptimizerKind::GD, 0.01, 256);
        let job = BasinJob::spawn(big, 1, || {}).unwrap();
        job.cancel();
        assert!(job.is_cancelled());
        while !job.is_finished() {
            std::thread::yield_now();
        }
        assert!(job.rows_done() < 256);
        let img = job.image();
        assert!(
            img.iter().any(|p| p[3] == 0),
            "unfinished rows are transparent"
        );
        assert!(job.wait().is_none());
    }

    #[test]
    fn colours() {
        let cell = |status, minimum, steps| BasinCell {
            start: [0.0; 2],
            end: [0.0; 2],
            loss: 0.0,
            status,
            steps,
            minimum,
        };
        let conv = |step| Status::Converged {
            step,
            reason: crate::engine::StopReason::SmallGradient,
        };
        let fast = cell_colour(&cell(conv(1), Some(0), 1), 500);
        let slow = cell_colour(&cell(conv(400), Some(0), 400), 500);
        assert!(fast[0] > slow[0] && fast[2] > slow[2]);
        let other = cell_colour(&cell(conv(1), Some(1), 1), 500);
        assert_ne!(fast, other);
        assert_eq!(cell_colour(&cell(conv(5), None, 5), 500), UNLABELLED);
        let div = Status::Diverged {
            step: 3,
            reason: crate::engine::StopReason::OutOfBounds,
        };
        assert_eq!(cell_colour(&cell(div, None, 3), 500), DIVERGED);
    }
}
