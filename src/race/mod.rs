//! A race: several optimizers stepping side by side on one surface from a shared start, with
//! every step kept so any past step can be shown again. The UI changes it only through
//! [`Command`]s; nothing here knows about egui.

use crate::engine::{Clip, Optimizer, RunConfig, Runner, Schedule, StatePicture, Status};
use crate::models::Batch;
use crate::optim::OptimizerKind;
use crate::optim::hyper::HyperValues;
pub use crate::optim::labels::compact;
use crate::optim::labels::{Labelled, label_all};
use crate::setup::Setup;
use crate::surfaces::Surface;

pub mod cloud;
pub mod csv;
pub mod objective;
pub use cloud::SeedCloud;
pub use objective::LaneObjective;
use serde::{Deserialize, Serialize};

/// A distinct colour per racer, in the order racers are added (Okabe–Ito, then Tableau).
pub const PALETTE: [[u8; 3]; 10] = [
    [230, 159, 0],
    [86, 180, 233],
    [0, 158, 115],
    [240, 228, 66],
    [213, 94, 0],
    [204, 121, 167],
    [255, 255, 255],
    [0, 114, 178],
    [148, 103, 189],
    [140, 86, 75],
];

/// The most steps a race keeps per racer.
pub const MAX_STEPS: u64 = 200_000;

/// One optimizer in the race, as the user set it up.
#[derive(Clone, Debug, PartialEq)]
pub struct RacerSpec {
    /// Which optimizer.
    pub kind: OptimizerKind,
    /// Its hyperparameters (the learning rate among them).
    pub hp: HyperValues,
    /// Its colour.
    pub color: [u8; 3],
    /// Whether it runs and is drawn.
    pub enabled: bool,
    /// A start of its own instead of the shared one.
    pub start: Option<[f64; 2]>,
    /// Clipping of its own instead of the shared one.
    pub clip: Option<Clip>,
    /// Gradient noise of its own instead of the shared one.
    pub noise: Option<f64>,
    /// A learning-rate schedule of its own instead of the shared one.
    pub schedule: Option<Schedule>,
    /// Rows per step on a model on data (`None`: all of them); ignored on other surfaces.
    pub batch: Option<Batch>,
    /// Draw its internal state (momentum, adaptive per-coordinate step) at its ball.
    pub show_state: bool,
    /// Also run it under this many other seeds, drawn as a faint cloud (0: none).
    pub seeds: usize,
    /// A seed of its own for its noise and mini-batches instead of the shared one (so racers
    /// that differ only in their schedule do not draw the same batches).
    pub seed: Option<u64>,
}

impl RacerSpec {
    /// A racer with default hyperparameters and no overrides.
    pub fn new(kind: OptimizerKind, color: [u8; 3]) -> Self {
        Self {
            kind,
            hp: kind.defaults(),
            color,
            enabled: true,
            start: None,
            clip: None,
            noise: None,
            schedule: None,
            batch: None,
            show_state: false,
            seeds: 0,
            seed: None,
        }
    }

    /// This racer's run setup under the shared settings (its own schedule, clipping and
    /// noise win).
    pub fn setup(&self, shared: &Shared) -> Setup {
        Setup {
            kind: self.kind,
            hp: self.hp.clone(),
            schedule: self.schedule.unwrap_or(shared.schedule),
            clip: self.clip.unwrap_or(shared.clip),
            noise: self.noise.unwrap_or(shared.noise),
            seed: self.seed.unwrap_or(shared.seed),
            batch: self.batch,
        }
    }

    /// The run configuration of this racer under the shared settings.
    pub fn config(&self, shared: &Shared) -> RunConfig {
        self.setup(shared).config()
    }
}

/// Settings shared by every racer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Shared {
    /// Learning-rate schedule (applied to each racer's own lr).
    pub schedule: Schedule,
    /// Gradient clipping.
    pub clip: Clip,
    /// Gradient-noise standard deviation.
    pub noise: f64,
    /// Noise seed.
    pub seed: u64,
}

impl Shared {
    /// Its schedule, clipping and noise as settings to check.
    pub fn settings(&self) -> crate::limits::Settings {
        crate::limits::Settings {
            schedule: Some(self.schedule),
            clip: Some(self.clip),
            noise: Some(self.noise),
        }
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            schedule: Schedule::Constant,
            clip: Clip::None,
            noise: 0.0,
            seed: 0,
        }
    }
}

/// Everything one racer has done so far: point, loss and gradient norm at each step.
#[derive(Clone, Debug, Default)]
pub struct Track {
    /// θ at steps 0..=t.
    pub points: Vec<[f64; 2]>,
    /// f(θ) at each step.
    pub loss: Vec<f64>,
    /// ‖∇f(θ)‖ at each step.
    pub grad_norm: Vec<f64>,
    /// Where the run stands after its last step.
    pub status: Status,
}

/// A racer with its run and what it recorded.
pub struct Lane {
    /// How it was set up.
    pub spec: RacerSpec,
    /// What it did.
    pub track: Track,
    runner: Option<Runner<LaneObjective, Box<dyn Optimizer>>>,
}

impl Lane {
    /// For a mini-batch racer: rows per step and steps per epoch.
    pub fn epoch(&self) -> Option<(usize, usize)> {
        self.runner.as_ref().and_then(|r| r.objective().epoch())
    }

    /// The learning rate at step `t` (1-based: the step from θₜ₋₁ to θₜ). For many steps,
    /// take the setup once and ask [`Setup::lr_at`].
    pub fn lr_at(&self, shared: &Shared, t: u64) -> f64 {
        self.spec.setup(shared).lr_at(t)
    }

    /// What the optimizer's state at the head of the run means for its next step (the step
    /// momentum carries, the per-coordinate learning rates), for drawing.
    pub fn state_picture(&self) -> StatePicture {
        self.runner
            .as_ref()
            .map(|r| r.optimizer().picture(r.lr(), r.t()))
            .unwrap_or_default()
    }
}

/// A change to the race, as the UI asks for it.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Switch to another surface (or other parameters); keeps the racers, restarts.
    SetSurface(Surface),
    /// Move the shared start; restarts.
    SetStart([f64; 2]),
    /// Give one racer a start of its own (None: back to the shared one); restarts it.
    SetRacerStart(usize, Option<[f64; 2]>),
    /// Add a racer with default hyperparameters.
    Add(OptimizerKind),
    /// Add a fully specified racer (its colour is kept if no other racer has it).
    AddSpec(RacerSpec),
    /// Remove the racer at this index.
    Remove(usize),
    /// Set one hyperparameter of one racer; restarts it.
    SetHyper(usize, &'static str, f64),
    /// Give one racer a batch size of its own (None: every row); restarts it.
    SetBatch(usize, Option<Batch>),
    /// Give one racer a schedule of its own (None: the shared one); restarts it.
    SetSchedule(usize, Option<Schedule>),
    /// Switch a racer on or off.
    SetEnabled(usize, bool),
    /// Draw racer i's optimizer state at its ball, or not.
    SetShowState(usize, bool),
    /// Run racer i under this many other seeds too, as a cloud (0: none).
    SetSeeds(usize, usize),
    /// Recolour a racer.
    SetColor(usize, [u8; 3]),
    /// Change the shared settings; restarts.
    SetShared(Shared),
    /// Move the shown step forward (stepping the runs as needed) or back.
    Step(i64),
    /// Step until every run has stopped, at most this many steps further (and never past
    /// [`MAX_STEPS`]).
    RunToEnd(u64),
    /// Back to step 0 with the same setup.
    Reset,
}

/// The whole race.
pub struct Race {
    surface: Surface,
    start: [f64; 2],
    shared: Shared,
    lanes: Vec<Lane>,
    cursor: u64,
}

impl Race {
    /// A race on `surface` from its default start, with the given racers.
    pub fn new(surface: Surface, racers: &[OptimizerKind]) -> Self {
        let start = surface.default_start();
        let mut race = Self::empty(surface, start, Shared::default());
        for &kind in racers {
            race.apply(Command::Add(kind));
        }
        race
    }

    /// A race with no racers yet.
    pub fn empty(surface: Surface, start: [f64; 2], shared: Shared) -> Self {
        Self {
            surface,
            start,
            shared,
            lanes: Vec::new(),
            cursor: 0,
        }
    }

    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::SetSurface(surface) => {
                if !surface.same_function(&self.surface) {
                    self.start = surface.default_start();
                    for lane in &mut self.lanes {
                        lane.spec.start = None;
                    }
                }
                self.surface = surface;
                self.restart_all();
            }
            Command::SetStart(p) => {
                self.start = p;
                self.restart_all();
            }
            Command::SetRacerStart(i, p) => {
                if let Some(lane) = self.lanes.get_mut(i) {
                    lane.spec.start = p;
                    self.restart(i);
                }
            }
            Command::Add(kind) => {
                let spec = RacerSpec::new(kind, self.free_color());
                self.apply(Command::AddSpec(spec));
            }
            Command::AddSpec(spec) => {
                self.lanes.push(Lane {
                    spec,
                    track: Track::default(),
                    runner: None,
                });
                self.restart(self.lanes.len() - 1);
            }
            Command::Remove(i) => {
                if i < self.lanes.len() {
                    self.lanes.remove(i);
                }
            }
            Command::SetHyper(i, name, value) => {
                if let Some(lane) = self.lanes.get_mut(i) {
                    let spec = lane.spec.kind.hyper_specs().iter().find(|s| s.name == name);
                    if let Some(spec) = spec {
                        lane.spec.hp.set(name, spec.clamp(value));
                        self.restart(i);
                    }
                }
            }
            Command::SetBatch(i, batch) => {
                if let Some(lane) = self.lanes.get_mut(i) {
                    lane.spec.batch = batch;
                    self.restart(i);
                }
            }
            Command::SetSchedule(i, schedule) => {
                if let Some(lane) = self.lanes.get_mut(i) {
                    lane.spec.schedule = schedule;
                    self.restart(i);
                }
            }
            Command::SetEnabled(i, on) => {
                if let Some(lane) = self.lanes.get_mut(i) {
                    lane.spec.enabled = on;
                }
            }
            Command::SetShowState(i, on) => {
                if let Some(lane) = self.lanes.get_mut(i) {
                    lane.spec.show_state = on;
                }
            }
            Command::SetSeeds(i, n) => {
                if let Some(lane) = self.lanes.get_mut(i) {
                    lane.spec.seeds = n.min(cloud::MAX_SEEDS);
                }
            }
            Command::SetColor(i, color) => {
                if let Some(lane) = self.lanes.get_mut(i) {
                    lane.spec.color = color;
                }
            }
            Command::SetShared(shared) => {
                self.shared = shared;
                self.restart_all();
            }
            Command::Step(n) if n >= 0 => self.forward(n as u64),
            Command::Step(n) => self.cursor = self.cursor.saturating_sub(n.unsigned_abs()),
            Command::RunToEnd(limit) => {
                let target = (self.cursor + limit).min(MAX_STEPS);
                while self.cursor < target && self.any_running_at_cursor() {
                    self.forward(1000.min(target - self.cursor));
                }
            }
            Command::Reset => self.cursor = 0,
        }
    }

    /// The first palette colour no racer uses.
    fn free_color(&self) -> [u8; 3] {
        let used: Vec<[u8; 3]> = self.lanes.iter().map(|l| l.spec.color).collect();
        PALETTE
            .iter()
            .find(|c| !used.contains(c))
            .copied()
            .unwrap_or(PALETTE[self.lanes.len() % PALETTE.len()])
    }

    /// Whether some enabled run has not stopped before the cursor.
    fn any_running_at_cursor(&self) -> bool {
        self.lanes
            .iter()
            .filter(|l| l.spec.enabled)
            .any(|l| l.track.status.is_running() || (l.track.points.len() as u64) > self.cursor + 1)
    }

    /// Moves the cursor `n` steps forward, extending every enabled track up to it.
    fn forward(&mut self, n: u64) {
        let target = (self.cursor + n).min(MAX_STEPS);
        for lane in self.lanes.iter_mut().filter(|l| l.spec.enabled) {
            let Some(runner) = lane.runner.as_mut() else {
                continue;
            };
            while (lane.track.points.len() as u64) <= target && runner.step() {
                let x = runner.x();
                lane.track.points.push([x[0], x[1]]);
                let (loss, grad_norm) = recorded(runner);
                lane.track.loss.push(loss);
                lane.track.grad_norm.push(grad_norm);
            }
            lane.track.status = runner.status();
        }
        // Once every run has stopped, time stops with the last of them.
        let end = self
            .lanes
            .iter()
            .filter(|l| l.spec.enabled && l.runner.is_some())
            .map(|l| {
                if l.track.status.is_running() {
                    u64::MAX
                } else {
                    l.track.points.len() as u64 - 1
                }
            })
            .max()
            .unwrap_or(u64::MAX);
        self.cursor = target.min(end).max(self.cursor.min(target));
    }

    /// Whether stepping forward can show anything new (every run stopped, or the race has
    /// reached the most steps it keeps).
    pub fn finished(&self) -> bool {
        self.cursor >= MAX_STEPS || !self.any_running_at_cursor()
    }

    /// Restarts every racer from its start.
    fn restart_all(&mut self) {
        for i in 0..self.lanes.len() {
            self.restart(i);
        }
        self.cursor = 0;
    }

    /// Restarts one racer from its start, then replays it up to the cursor.
    fn restart(&mut self, i: usize) {
        let runner = self.fresh_runner(i, self.lanes[i].spec.config(&self.shared));
        let lane = &mut self.lanes[i];
        lane.track = Track::default();
        if let Some(r) = &runner {
            lane.track.points.push([r.x()[0], r.x()[1]]);
            let (loss, grad_norm) = recorded(r);
            lane.track.loss.push(loss);
            lane.track.grad_norm.push(grad_norm);
            lane.track.status = r.status();
        }
        lane.runner = runner;
        let cursor = self.cursor;
        self.cursor = 0;
        self.forward(cursor);
    }

    /// Where racer `i` starts: its own start, or the shared one.
    pub fn racer_start(&self, i: usize) -> [f64; 2] {
        self.lanes[i].spec.start.unwrap_or(self.start)
    }

    /// A fresh run of racer `i` from its start with `config` (its own,
    /// [`RacerSpec::config`], or one adjusted by the caller): the one way every view and
    /// command sets up a racer's run. `None` when the optimizer cannot run on this surface.
    pub fn fresh_runner(
        &self,
        i: usize,
        config: RunConfig,
    ) -> Option<Runner<LaneObjective, Box<dyn Optimizer>>> {
        let spec = &self.lanes.get(i)?.spec;
        let setup = spec.setup(&self.shared);
        // The batches are drawn from the run's seed (a seed cloud varies it).
        let objective = LaneObjective::new(self.surface.clone(), spec.batch, config.seed);
        setup
            .runner_with(objective, &self.racer_start(i), config)
            .ok()
    }

    /// Full paths of every enabled racer for `n` steps from its start, computed afresh (the
    /// live preview while something is being dragged); the race itself is untouched.
    pub fn preview(&self, n: u64) -> Vec<Vec<[f64; 2]>> {
        (0..self.lanes.len())
            .map(|i| {
                let spec = &self.lanes[i].spec;
                if !spec.enabled {
                    return Vec::new();
                }
                let Some(mut runner) = self.fresh_runner(i, spec.config(&self.shared)) else {
                    return Vec::new();
                };
                let mut path = Vec::with_capacity(n as usize + 1);
                path.push(self.racer_start(i));
                for _ in 0..n {
                    if !runner.step() {
                        break;
                    }
                    path.push([runner.x()[0], runner.x()[1]]);
                }
                path
            })
            .collect()
    }

    /// The surface.
    pub fn surface(&self) -> &Surface {
        &self.surface
    }

    /// The shared start.
    pub fn start(&self) -> [f64; 2] {
        self.start
    }

    /// The shared settings.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The racers.
    pub fn lanes(&self) -> &[Lane] {
        &self.lanes
    }

    /// The step being shown.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// A name for each racer that tells it from the others, for tables, legends and tooltips:
    /// the optimizer's short name, then what sets it apart from racers of the same
    /// optimizer — the hyperparameters that differ ("GD γ=0.21"), its own clipping or noise
    /// ("GD, clip ‖g‖≤1", "GD, noise σ=0.3"), and if still needed its own start.
    pub fn labels(&self) -> Vec<String> {
        let specs: Vec<&RacerSpec> = self.lanes.iter().map(|l| &l.spec).collect();
        labels(&specs)
    }

    /// The index into a track's arrays shown at the cursor (its last one if the run stopped
    /// earlier).
    pub fn index_at_cursor(&self, track: &Track) -> usize {
        (self.cursor as usize).min(track.points.len().saturating_sub(1))
    }
}

/// A racer's own schedule in a label: "constant γ", "step decay", "cosine", …
fn schedule_label(s: &Schedule) -> &'static str {
    match s.name() {
        "constant" => "constant γ",
        "step" => "step decay",
        "exponential" => "exp. decay",
        "cosine" => "cosine",
        "warmup" => "warm-up",
        "inverse-time" => "1/t decay",
        other => other,
    }
}

/// What a track records of a run's current point: its loss and gradient norm over all the
/// data (a mini-batch racer's own are the batch's).
fn recorded(runner: &Runner<LaneObjective, Box<dyn Optimizer>>) -> (f64, f64) {
    runner
        .objective()
        .full_at(runner.x())
        .unwrap_or((runner.loss(), runner.grad_norm()))
}

/// [`Race::labels`] for a list of racers: their optimizer and hyperparameters, their own
/// clipping and noise as extras, and their own start.
pub fn labels(specs: &[&RacerSpec]) -> Vec<String> {
    let parts: Vec<Labelled<'_>> = specs
        .iter()
        .map(|spec| {
            let mut extras = Vec::new();
            match spec.clip {
                Some(Clip::Norm(c)) => extras.push(format!("clip ‖g‖≤{}", compact(c))),
                Some(Clip::Value(c)) => extras.push(format!("clip |gᵢ|≤{}", compact(c))),
                Some(Clip::None) | None => {}
            }
            if let Some(n) = spec.noise.filter(|n| *n > 0.0) {
                extras.push(format!("noise σ={}", compact(n)));
            }
            match spec.batch {
                Some(Batch::Size(1)) | Some(Batch::Named(crate::models::BatchName::Single)) => {
                    extras.push("batch 1".into())
                }
                Some(Batch::Size(b)) => extras.push(format!("batch {b}")),
                Some(Batch::Named(crate::models::BatchName::Full)) | None => {}
            }
            if let Some(s) = spec.schedule {
                extras.push(schedule_label(&s).into());
            }
            Labelled {
                kind: spec.kind,
                hp: &spec.hp,
                extras,
                start: spec.start,
            }
        })
        .collect();
    label_all(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surfaces::SurfaceKind;

    fn race() -> Race {
        Race::new(
            Surface::new(SurfaceKind::Himmelblau),
            &[OptimizerKind::GD, OptimizerKind::ADAM],
        )
    }

    #[test]
    fn stepping_forward_and_back_replays_the_same_points() {
        let mut r = race();
        r.apply(Command::SetHyper(0, "lr", 0.01));
        r.apply(Command::Step(50));
        assert_eq!(r.cursor(), 50);
        let at50 = r.lanes()[0].track.points[50];
        r.apply(Command::Step(-20));
        assert_eq!(r.cursor(), 30);
        r.apply(Command::Step(20));
        assert_eq!(r.lanes()[0].track.points[50], at50);
        assert_eq!(r.lanes()[0].track.points.len(), 51);
    }

    #[test]
    fn changing_a_hyperparameter_replays_to_the_same_step() {
        let mut r = race();
        r.apply(Command::Step(40));
        r.apply(Command::SetHyper(1, "lr", 0.2));
        assert_eq!(r.cursor(), 40);
        assert_eq!(r.lanes()[1].track.points.len(), 41);
        assert_eq!(r.lanes()[1].spec.hp.get("lr"), Some(0.2));
        // out-of-range values are clamped into range, never stored as given
        r.apply(Command::SetHyper(1, "beta1", 7.0));
        assert!(r.lanes()[1].spec.hp.get("beta1").unwrap() < 1.0);
    }

    #[test]
    fn preview_matches_the_real_run() {
        let mut r = race();
        r.apply(Command::SetHyper(0, "lr", 0.01));
        let preview = r.preview(100);
        r.apply(Command::Step(100));
        assert_eq!(preview[0], r.lanes()[0].track.points);
        assert_eq!(preview[1], r.lanes()[1].track.points);
    }

    #[test]
    fn colours_are_distinct_and_removal_works() {
        let mut r = race();
        for _ in 0..6 {
            r.apply(Command::Add(OptimizerKind::MOMENTUM));
        }
        let mut colors: Vec<_> = r.lanes().iter().map(|l| l.spec.color).collect();
        colors.sort_unstable();
        colors.dedup();
        assert_eq!(colors.len(), 8);
        r.apply(Command::Remove(0));
        assert_eq!(r.lanes().len(), 7);
        r.apply(Command::Remove(99));
        assert_eq!(r.lanes().len(), 7);
    }

    #[test]
    fn a_race_ends_at_its_step_limit() {
        // Tiny steps that never meet a tolerance: only the limit ends this race.
        let mut r = Race::new(Surface::new(SurfaceKind::Booth), &[OptimizerKind::GD]);
        r.apply(Command::SetHyper(0, "lr", 1e-9));
        r.apply(Command::Step(100));
        assert!(!r.finished());
        r.apply(Command::Step(MAX_STEPS as i64 + 10));
        assert_eq!(r.cursor(), MAX_STEPS);
        assert!(r.lanes()[0].track.status.is_running());
        assert!(r.finished());
    }

    #[test]
    fn labels_tell_racers_apart() {
        let presets = crate::presets::presets();
        let names = |name: &str| {
            presets
                .iter()
                .find(|p| p.name == name)
                .unwrap()
                .build()
                .labels()
        };
        assert_eq!(
            names("learning-rate"),
            ["GD γ=0.002", "GD γ=0.15", "GD γ=0.21"]
        );
        assert_eq!(names("plateau-cliff"), ["GD", "GD, clip ‖g‖≤1"]);
        assert_eq!(
            names("saddle"),
            ["GD", "Momentum", "Adam", "GD, noise σ=0.3"]
        );
        assert_eq!(names("himmelblau")[0], "GD from (−0.5, −0.5)");
        let mut r = race();
        r.apply(Command::Add(OptimizerKind::GD));
        let labels = r.labels();
        assert_eq!(labels[0], "GD #1");
        assert_eq!(labels[2], "GD #2");
        assert_eq!(compact(1e-5), "1e−5");
    }

    #[test]
    fn run_to_end_stops_when_every_run_has_stopped() {
        let mut r = Race::new(
            Surface::new(SurfaceKind::Quadratic),
            &[OptimizerKind::NEWTON],
        );
        r.apply(Command::RunToEnd(10_000));
        assert!(matches!(
            r.lanes()[0].track.status,
            Status::Converged { step: 1, .. }
        ));
        assert_eq!(r.cursor(), 1);
        assert!(r.finished());
    }
}
