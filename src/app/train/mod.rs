//! The training workspace: a model spec (dataset, architecture, optimizers), a background
//! [`Worker`] that trains every optimizer on the same batches, and live curves and pictures.
//! The UI only sends the worker commands and folds its events into histories; it never waits
//! on training.

pub mod controls;
pub mod curves;
pub mod landscape;
pub mod lr_test;
pub mod pictures;

use crate::data::{Dataset, Split};
use crate::models::Network;
use crate::models::spec::{ModelSpec, SHIPPED};
use crate::race::PALETTE;
use crate::train::{EpochMetrics, RunState};
use crate::worker::{Command, Event, Worker, WorkerOptions};
use eframe::egui;
use eframe::egui::RichText;
use std::sync::Arc;
use std::time::Duration;

/// The spec shown first.
pub const DEFAULT_SPEC: &str = "moons-mlp";

/// The most events folded in per frame, so a flood never stalls a frame.
const MAX_EVENTS_PER_FRAME: usize = 20_000;

/// The most per-step points kept per run; older ones are halved when it fills.
const MAX_STEP_POINTS: usize = 40_000;

/// The most weight snapshots kept per run (for landscapes); halved when it fills.
const MAX_SNAPSHOTS: usize = 256;

/// One optimizer's history as the worker reported it.
#[derive(Clone, Debug)]
pub struct RunView {
    /// Optimizer name.
    pub name: &'static str,
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

/// The loaded problem: what the pictures need besides the weights.
pub struct Problem {
    /// The rows as loaded (original units).
    pub data: Dataset,
    /// The split the runs train on.
    pub split: Arc<Split>,
    /// The network.
    pub net: Arc<Network>,
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
        self.pictures = Default::default();
        match self.spec.experiment() {
            Ok((data, exp)) => {
                self.error = None;
                self.runs = exp
                    .optimizers
                    .iter()
                    .enumerate()
                    .map(|(k, o)| RunView {
                        name: o.kind.name(),
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
                    split: exp.split.clone(),
                    net: exp.net.clone(),
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

    fn spawn(&mut self, ctx: &egui::Context) {
        let Ok((_, exp)) = self.spec.experiment() else {
            return;
        };
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

    /// Folds the worker's waiting events into the histories; never blocks.
    pub fn poll(&mut self) {
        let Some(worker) = &self.worker else {
            return;
        };
        self.events.clear();
        worker.poll_into(&mut self.events, MAX_EVENTS_PER_FRAME);
        for event in self.events.drain(..) {
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

/// The training controls of the top bar: train/pause, restart, speed, epoch.
pub fn transport(ui: &mut egui::Ui, view: &mut TrainView) {
    let label = if view.playing {
        "❚❚ Pause"
    } else {
        "▶ Train"
    };
    if ui
        .add_enabled(view.problem.is_some(), egui::Button::new(label))
        .on_hover_text("Train every optimizer on the same batches / pause (Space)")
        .clicked()
    {
        if view.playing {
            view.pause();
        } else {
            view.play(ui.ctx());
        }
    }
    if ui
        .add_enabled(view.training(), egui::Button::new("■ Stop"))
        .on_hover_text("End training here; the curves stay")
        .clicked()
    {
        view.stop();
    }
    if ui
        .button("⟲ Restart")
        .on_hover_text("Back to the initial weights; the same seed gives the same numbers (R)")
        .clicked()
    {
        view.restart();
    }
    let mut speed = view.steps_per_tick;
    if ui
        .add(
            egui::Slider::new(&mut speed, 1..=1024)
                .logarithmic(true)
                .text("steps per tick"),
        )
        .on_hover_text(
            "How many minibatch steps each optimizer takes between updates of the curves",
        )
        .changed()
    {
        view.set_speed(speed);
    }
    ui.separator();
    let epochs = view.spec.training.epochs;
    ui.label(
        RichText::new(format!("epoch {} / {epochs}", view.epoch()))
            .monospace()
            .size(16.0),
    );
    if view.finished {
        ui.label(RichText::new("done").color(egui::Color32::LIGHT_GREEN));
    }
}

/// The training workspace: controls on the left, curves and the picture in the centre.
pub fn show(ui: &mut egui::Ui, view: &mut TrainView, panels_hidden: bool) {
    if !panels_hidden {
        egui::Panel::left("train_controls")
            .resizable(true)
            .default_size(340.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| controls::show(ui, view));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(problem) = &view.problem else {
            ui.heading("Nothing to train");
            ui.label(view.error.clone().unwrap_or_default());
            return;
        };
        let classification = !problem.split.class_names.is_empty();
        ui.horizontal(|ui| {
            curves::options(ui, &mut view.curves);
        });
        curves::table(ui, &view.runs, classification, &mut view.selected);
        let spacing = ui.spacing().item_spacing;
        let avail = ui.available_size();
        let half = egui::vec2(
            ((avail.x - spacing.x) / 2.0).max(120.0),
            ((avail.y - 2.0 * spacing.y) / 2.0 - 8.0).max(100.0),
        );
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| curves::loss(ui, &view.runs, &view.curves, half));
            ui.vertical(|ui| curves::quality(ui, &view.runs, classification, half));
        });
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                if let Some(run) = view.runs.get(view.selected) {
                    curves::layer_norms(ui, run, half);
                }
            });
            ui.allocate_ui_with_layout(half, egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.set_min_size(half);
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut view.tab, PictureTab::Predictions, "Predictions")
                        .on_hover_text("What the selected optimizer's model predicts");
                    ui.selectable_value(&mut view.tab, PictureTab::Landscape, "Loss landscape")
                        .on_hover_text("A 2-D slice of the loss through its weights, with every path projected");
                    ui.selectable_value(&mut view.tab, PictureTab::LrRange, "LR range test")
                        .on_hover_text("Loss against an exponentially growing learning rate, per optimizer");
                });
                match view.tab {
                    PictureTab::Predictions => {
                        pictures::show(ui, problem, &view.runs, view.selected, &mut view.pictures)
                    }
                    PictureTab::Landscape => {
                        view.landscape.show(ui, problem, &view.runs, view.selected)
                    }
                    PictureTab::LrRange => view.lr_test.show(ui, &view.spec, &view.runs),
                }
            });
        });
    });
}
