//! The training workspace: a model spec (dataset, architecture, optimizers), a background
//! [`Worker`] that trains every optimizer on the same batches, and live curves and pictures.
//! The UI only sends the worker commands and folds its events into histories; it never waits
//! on training.

mod confusion;
pub mod controls;
pub mod curves;
pub mod landscape;
mod layout;
pub mod lr_test;
pub mod pictures;

pub use layout::{show, transport};

use crate::data::Dataset;
use crate::models::spec::{ModelSpec, SHIPPED};
use crate::race::PALETTE;
use crate::train::{EpochMetrics, Experiment, RunState};
use crate::worker::{Command, Event, Worker, WorkerOptions};
use eframe::egui;
use std::time::Duration;

/// The spec shown first.
pub const DEFAULT_SPEC: &str = "moons-mlp";

/// The time a frame spends folding in the worker's events; what is left waits for the next
/// frame, so a flood of events never stalls one.
const EVENT_BUDGET: Duration = Duration::from_millis(4);

/// Events taken from the worker between looks at the clock.
const EVENT_BATCH: usize = 256;

/// The most per-step points kept per run; older ones are halved when it fills.
const MAX_STEP_POINTS: usize = 40_000;

/// The most weight snapshots kept per run (for landscapes); halved when it fills.
const MAX_SNAPSHOTS: usize = 256;

/// One optimizer's history as the worker reported it.
#[derive(Clone, Debug)]
pub struct RunView {
    /// The run's label ("Adam", "Adam γ=0.01"), telling it from the others.
    pub name: String,
    /// Colour of its curves.
    pub color: [u8; 3],
    /// Metrics per epoch, from epoch 0 (the initial weights).
    pub epochs: Vec<EpochMetrics>,
    /// (step, minibatch loss, gradient norm) at the end of each worker tick.
    pub steps: Vec<[f64; 3]>,
    /// Where the run stands.
    pub state: RunState,
    /// The latest weights and the epoch they are from.
    pub weights: Option<(usize, Vec<f64>)>,
    /// The weights after each epoch so far, from the initial ones (thinned when long).
    pub snapshots: Vec<Vec<f64>>,
}

/// What the lower right of the Train view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PictureTab {
    /// The decision boundary, fitted line or misclassified digits.
    Predictions,
    /// The loss landscape around the weights.
    Landscape,
    /// The learning-rate range test.
    LrRange,
}

/// Where the spec on show came from.
#[derive(Clone, Debug, PartialEq)]
pub enum SpecSource {
    /// A spec shipped with downhill, by name.
    Shipped(String),
    /// A spec or CSV file, or a spec edited in the panel.
    Custom(String),
}

impl SpecSource {
    /// A short label for the picker.
    pub fn label(&self) -> &str {
        match self {
            SpecSource::Shipped(name) | SpecSource::Custom(name) => name,
        }
    }
}

/// The loaded problem, built once per setup: what the worker trains and what the pictures
/// need besides the weights, from the same read of the data.
pub struct Problem {
    /// The rows as loaded (original units).
    pub data: Dataset,
    /// The split, network, optimizers and initial weights the runs train with.
    pub experiment: Experiment,
}

/// The training workspace's state.
pub struct TrainView {
    /// The spec being trained.
    pub spec: ModelSpec,
    /// Where it came from.
    pub source: SpecSource,
    /// Data, split and network of the spec, when it could be set up.
    pub problem: Option<Problem>,
    /// Histories, one per optimizer.
    pub runs: Vec<RunView>,
    /// Whether training is running (not paused).
    pub playing: bool,
    /// Whether every run has stopped.
    pub finished: bool,
    /// Steps each run takes per worker tick (the speed).
    pub steps_per_tick: usize,
    /// A message for the user: why a spec or file could not be used.
    pub error: Option<String>,
    /// Curve options.
    pub curves: curves::CurveOptions,
    /// The run whose decision boundary, misclassified samples and layer norms are shown.
    pub selected: usize,
    /// Scratch of the per-frame event drain.
    events: Vec<Event>,
    worker: Option<Worker>,
    /// Caches of the pictures.
    pub pictures: pictures::PictureCache,
    /// The file-open panel.
    pub open: controls::OpenPanel,
    /// The loss landscape panel.
    pub landscape: landscape::LandscapeUi,
    /// The learning-rate range test panel.
    pub lr_test: lr_test::LrTestUi,
    /// Predictions or landscape in the lower right.
    pub tab: PictureTab,
    /// The initial weights every run starts from.
    init: Vec<f64>,
}

impl Default for TrainView {
    fn default() -> Self {
        Self::shipped(DEFAULT_SPEC)
    }
}

impl TrainView {
    /// The view of a shipped spec (the default one if `name` is unknown).
    pub fn shipped(name: &str) -> Self {
        let (name, text) = SHIPPED
            .iter()
            .find(|(n, _)| *n == name)
            .or_else(|| SHIPPED.iter().find(|(n, _)| *n == DEFAULT_SPEC))
            .copied()
            .unwrap_or(SHIPPED[0]);
        let spec = ModelSpec::from_toml(text).unwrap_or_else(|e| {
            // Shipped specs are checked by tests; this only guards against a broken build.
            panic!("shipped spec {name} is invalid: {e}")
        });
        Self::with_spec(spec, SpecSource::Shipped(name.to_string()))
    }

    /// The view of `spec`, set up but not yet training.
    pub fn with_spec(spec: ModelSpec, source: SpecSource) -> Self {
        let mut view = Self {
            spec,
            source,
            problem: None,
            runs: Vec::new(),
            playing: false,
            finished: false,
            steps_per_tick: 8,
            error: None,
            curves: Default::default(),
            selected: 0,
            events: Vec::new(),
            worker: None,
            pictures: Default::default(),
            open: Default::default(),
            landscape: Default::default(),
            lr_test: Default::default(),
            tab: PictureTab::Predictions,
            init: Vec::new(),
        };
        view.prepare();
        view
    }

    /// Loads the data and sets up the runs' histories; stops any training.
    pub fn prepare(&mut self) {
        self.worker = None;
        self.playing = false;
        self.finished = false;
        self.runs.clear();
        self.problem = None;
        // The pictures, the landscape and the range test belong to the data and setup they
        // were made for.
        self.pictures = Default::default();
        self.landscape.forget();
        self.lr_test.results = None;
        match self.spec.experiment() {
            Ok((data, exp)) => {
                self.error = None;
                let labels = exp.labels();
                self.runs = exp
                    .optimizers
                    .iter()
                    .zip(labels)
                    .enumerate()
                    .map(|(k, (_, name))| RunView {
                        name,
                        color: PALETTE[k % PALETTE.len()],
                        epochs: Vec::new(),
                        steps: Vec::new(),
                        state: RunState::Running,
                        weights: Some((0, exp.init.clone())),
                        snapshots: vec![exp.init.clone()],
                    })
                    .collect();
                self.init = exp.init.clone();
                self.problem = Some(Problem {
                    data,
                    experiment: exp,
                });
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.selected = self.selected.min(self.runs.len().saturating_sub(1));
    }

    /// Replaces the spec (from the picker, a file or an edit) and sets it up.
    pub fn set_spec(&mut self, spec: ModelSpec, source: SpecSource) {
        self.spec = spec;
        self.source = source;
        self.prepare();
    }

    /// Starts or resumes training.
    pub fn play(&mut self, ctx: &egui::Context) {
        if self.problem.is_none() {
            return;
        }
        if self.finished {
            self.restart();
        }
        match &self.worker {
            Some(w) => {
                w.send(Command::Resume);
            }
            None => self.spawn(ctx),
        }
        self.playing = true;
    }

    /// Pauses training.
    pub fn pause(&mut self) {
        if let Some(w) = &self.worker {
            w.send(Command::Pause);
        }
        self.playing = false;
    }

    /// Ends training for good (the histories stay); Train starts over from epoch 0.
    pub fn stop(&mut self) {
        self.worker = None;
        self.playing = false;
        self.finished = true;
    }

    /// Every run back to the initial weights (same seed: the same numbers again).
    pub fn restart(&mut self) {
        for run in &mut self.runs {
            run.epochs.clear();
            run.steps.clear();
            run.state = RunState::Running;
            run.weights = Some((0, self.init.clone()));
            run.snapshots = vec![self.init.clone()];
        }
        self.finished = false;
        self.pictures = Default::default();
        if let Some(w) = &self.worker {
            w.send(Command::Restart);
        }
    }

    /// Sets the speed (steps per tick, at least 1).
    pub fn set_speed(&mut self, steps_per_tick: usize) {
        self.steps_per_tick = steps_per_tick.clamp(1, 4096);
        if let Some(w) = &self.worker {
            w.send(Command::SetStepsPerTick(self.steps_per_tick));
        }
    }

    /// Starts a worker on the problem that [`TrainView::prepare`] built (the data is not read
    /// again, so the run and the pictures come from the same rows).
    fn spawn(&mut self, ctx: &egui::Context) {
        let Some(problem) = &self.problem else {
            return;
        };
        let exp = problem.experiment.clone();
        let ctx = ctx.clone();
        let options = WorkerOptions {
            steps_per_tick: self.steps_per_tick,
            // A short breath between ticks keeps the event stream (and the UI) light.
            tick_interval: Duration::from_millis(2),
            paused: false,
        };
        for run in &mut self.runs {
            run.epochs.clear();
            run.steps.clear();
            run.weights = Some((0, self.init.clone()));
            run.snapshots = vec![self.init.clone()];
        }
        self.worker = Some(Worker::spawn(
            exp,
            options,
            Box::new(move || ctx.request_repaint()),
        ));
    }

    /// Folds the worker's waiting events into the histories for up to [`EVENT_BUDGET`];
    /// never blocks. Returns whether events are left for the next frame (the caller asks for
    /// one: the worker's own wake-up may already have been spent).
    pub fn poll(&mut self) -> bool {
        let started = std::time::Instant::now();
        loop {
            let Some(worker) = &self.worker else {
                return false;
            };
            let mut events = std::mem::take(&mut self.events);
            let taken = worker.poll_into(&mut events, EVENT_BATCH);
            for event in events.drain(..) {
                self.fold(event);
            }
            self.events = events;
            if taken < EVENT_BATCH {
                return false;
            }
            if started.elapsed() >= EVENT_BUDGET {
                return true;
            }
        }
    }

    /// Folds one event from the worker into the histories.
    fn fold(&mut self, event: Event) {
        match event {
            Event::Started { runs } => {
                for (view, (_, metrics)) in self.runs.iter_mut().zip(runs) {
                    view.epochs = vec![metrics];
                    view.steps.clear();
                    view.state = RunState::Running;
                }
                self.finished = false;
            }
            Event::Epoch { run, metrics } => {
                if let Some(v) = self.runs.get_mut(run) {
                    v.epochs.push(metrics);
                }
            }
            Event::Step { run, metrics } => {
                if let Some(v) = self.runs.get_mut(run) {
                    if v.steps.len() >= MAX_STEP_POINTS {
                        // Keep every other point: the curve keeps its shape, memory stays
                        // bounded however long the run.
                        let kept: Vec<[f64; 3]> = v.steps.iter().step_by(2).copied().collect();
                        v.steps = kept;
                    }
                    v.steps
                        .push([metrics.step as f64, metrics.batch_loss, metrics.grad_norm]);
                }
            }
            Event::Weights {
                run,
                epoch,
                weights,
            } => {
                if let Some(v) = self.runs.get_mut(run) {
                    if v.snapshots.len() >= MAX_SNAPSHOTS {
                        let kept = v.snapshots.iter().step_by(2).cloned().collect();
                        v.snapshots = kept;
                    }
                    v.snapshots.push(weights.clone());
                    v.weights = Some((epoch, weights));
                }
            }
            Event::State { run, state } => {
                if let Some(v) = self.runs.get_mut(run) {
                    v.state = state;
                }
            }
            Event::Paused => self.playing = false,
            Event::Resumed => self.playing = true,
            Event::Finished => {
                self.finished = true;
                self.playing = false;
            }
            Event::Error(message) => {
                self.error = Some(message);
                self.playing = false;
            }
        }
    }

    /// Whether the worker thread is alive.
    pub fn training(&self) -> bool {
        self.worker.as_ref().is_some_and(Worker::is_running)
    }

    /// The most epochs any run has completed.
    pub fn epoch(&self) -> usize {
        self.runs
            .iter()
            .map(|r| r.epochs.len().saturating_sub(1))
            .max()
            .unwrap_or(0)
    }
}

impl TrainView {
    /// The view the command line asks for: a spec file, or a shipped spec by name (the
    /// default when `None`), with `epochs` overriding the spec's. A spec that cannot be read
    /// leaves the default spec with the error shown.
    pub fn launch(spec: Option<&str>, epochs: Option<usize>) -> Self {
        let mut view = match spec {
            None => Self::default(),
            Some(name) if SHIPPED.iter().any(|(n, _)| *n == name) => Self::shipped(name),
            Some(path) => match ModelSpec::load(std::path::Path::new(path)) {
                Ok(spec) => Self::with_spec(spec, SpecSource::Custom(path.to_string())),
                Err(e) => Self {
                    error: Some(e.to_string()),
                    ..Self::default()
                },
            },
        };
        if let Some(n) = epochs {
            let mut spec = view.spec.clone();
            spec.training.epochs = n.clamp(1, crate::train::MAX_EPOCHS);
            let source = view.source.clone();
            let error = view.error.take();
            view.set_spec(spec, source);
            view.error = view.error.take().or(error);
        }
        view
    }
}
