//! `downhill run`: optimizers side by side on one surface, trajectories out.

use super::CliError;
use super::args::{self, Assignments};
use super::surface_args::{self, SurfaceArgs};
use crate::engine::{ObserveMode, Schedule, Status, StepRecord, Watch};
use crate::optim::OptimizerKind;
use crate::optim::hyper::{HyperKind, HyperValues};
use crate::presets;
use crate::race::Shared;
use crate::scene::{Scene, SceneRacer, SurfaceSpec};
use crate::surfaces::{Surface, View};
use serde_json::{Map, Value, json};
use std::io::Write;

/// Output format of `downhill run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per step: optimizer, step, x, y, loss, grad_norm, lr.
    Csv,
    /// One document with every run's status and points.
    Json,
}

/// Options of `downhill run`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output (csv): run,optimizer,step,x,y,loss,grad_norm,lr, one row per step; `run` names the racer \
so that two runs of one optimizer can be told apart (e.g. \"GD γ=0.15\"). json: {\"surface\", \
\"start\", \"schedule\", \"runs\": [{\"label\", \"optimizer\", \"hp\", \"start\", \"status\", \
\"stalled_at\", \"status_step\", \"points\": [[x, y, loss], ...]}]}, written as the runs go.

Statuses: converged (at a minimum), stalled (the gradient vanished on a plateau, at a saddle or \
at a maximum), escaped (left the bounds with the loss still falling: unbounded below), \
left-domain (a typed function is not defined where the step landed), diverged (non-finite or \
blowing up), running (the step limit came first).

Examples:
  downhill run --surface rosenbrock --optimizer adam,momentum --hp lr=0.01 --steps 2000
  downhill run --preset himmelblau --steps 300 --format json
  downhill run --function 'x^4 - 2*x^2 + y^2 + 0.3*x' --optimizer newton,adam --hp lr=0.1 --start 0.5,1")]
pub struct RunArgs {
    /// A lecture preset to run exactly as the app does (see `downhill list`): its surface,
    /// starts, racers, hyperparameters, clipping and noise.
    #[arg(long, value_parser = args::preset, conflicts_with_all = [
        "surface", "function", "optimizers", "hp", "params", "window", "schedule", "start",
        "seed", "noise", "clip_norm", "clip_value", "batch", "raw",
    ])]
    pub preset: Option<&'static presets::Preset>,
    /// A scene file to run exactly as the app does (see `downhill scene`).
    #[arg(long, conflicts_with_all = [
        "preset", "surface", "function", "optimizers", "hp", "params", "window", "schedule",
        "start", "seed", "noise", "clip_norm", "clip_value", "batch", "raw",
    ])]
    pub scene: Option<std::path::PathBuf>,
    /// The surface: a built-in or your own function, with parameters.
    #[command(flatten)]
    pub surface: SurfaceArgs,
    /// The window of a typed function X0,X1,Y0,Y1 (default [-3,3]², or around its stationary
    /// points); the start defaults to a point inside it.
    #[arg(long, value_parser = surface_args::window, allow_hyphen_values = true, requires = "function")]
    pub window: Option<View>,
    /// An optimizer to run; repeat or separate with commas for several.
    #[arg(long = "optimizer", required_unless_present_any = ["preset", "scene"], value_delimiter = ',', value_parser = args::optimizer)]
    pub optimizers: Vec<OptimizerKind>,
    /// Hyperparameters for every optimizer named, e.g. lr=0.01,beta1=0.8 (PyTorch names).
    #[arg(long, value_parser = args::assignments)]
    pub hp: Vec<Assignments>,
    /// Learning-rate schedule NAME[:key=value,...], e.g. cosine:t_max=500; once for every
    /// racer, or repeated once per --optimizer in order.
    #[arg(long, value_parser = args::schedule)]
    pub schedule: Vec<Schedule>,
    /// Rows per step on a model on data: full, single or a number; one for every racer, or
    /// one per --optimizer in order (e.g. --optimizer gd,gd,gd --batch full,16,1).
    #[arg(long, value_delimiter = ',', value_parser = crate::models::Batch::parse, allow_negative_numbers = true)]
    pub batch: Vec<crate::models::Batch>,
    /// A model on data fitted to its features and target as they are (not standardised).
    #[arg(long)]
    pub raw: bool,
    /// Start point X,Y (default: the surface's first suggested start).
    #[arg(long, value_parser = args::point, allow_hyphen_values = true)]
    pub start: Option<[f64; 2]>,
    /// Most steps per optimizer; a run stops earlier only if it converges or diverges.
    #[arg(long, default_value = "1000", value_parser = args::steps, allow_negative_numbers = true)]
    pub steps: u64,
    /// Seed of the gradient noise.
    #[arg(long, value_parser = args::seed, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Standard deviation of Gaussian noise added to each gradient coordinate.
    #[arg(long, value_parser = |s: &str| args::limited(s, crate::limits::noise), allow_negative_numbers = true)]
    pub noise: Option<f64>,
    /// Clip the gradient to this Euclidean norm.
    #[arg(long, conflicts_with = "clip_value", value_parser = |s: &str| args::limited(s, crate::limits::clip), allow_negative_numbers = true)]
    pub clip_norm: Option<f64>,
    /// Clip each gradient coordinate to [−c, c].
    #[arg(long, value_parser = |s: &str| args::limited(s, crate::limits::clip), allow_negative_numbers = true)]
    pub clip_value: Option<f64>,
    /// Converged when the gradient norm falls below this.
    #[arg(long, default_value = "1e-8", value_parser = |s: &str| args::bounded(s, 1e6), allow_negative_numbers = true)]
    pub tol_grad: f64,
    /// Converged when a step is shorter than this.
    #[arg(long, default_value = "1e-12", value_parser = |s: &str| args::bounded(s, 1e6), allow_negative_numbers = true)]
    pub tol_step: f64,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

pub use crate::race::csv::{csv_field, num};

/// An optimizer's hyperparameters as a JSON object, switches as booleans and counts as
/// integers.
pub fn hyper_json(kind: OptimizerKind, hp: &HyperValues) -> Value {
    let mut map = Map::new();
    for (spec, (name, v)) in kind.hyper_specs().iter().zip(hp.iter()) {
        let value = match spec.kind {
            HyperKind::Bool => json!(v != 0.0),
            HyperKind::Int => json!(v as i64),
            HyperKind::Real => json!(v),
        };
        map.insert(name.to_string(), value);
    }
    Value::Object(map)
}

/// The scene the flags describe: one racer per `--optimizer` with the `--hp` values it has;
/// a name that no optimizer named has is an error.
fn scene_of(args: &RunArgs, surface: &Surface) -> Result<Scene, CliError> {
    let hp: Vec<(String, f64)> = args.hp.iter().flat_map(|a| a.0.clone()).collect();
    let shared = Shared {
        schedule: Schedule::Constant,
        clip: args::clip(args.clip_norm, args.clip_value),
        noise: args.noise.unwrap_or(0.0),
        seed: args.seed.unwrap_or(0),
    };
    let mut scene = racing_scene(surface, &args.optimizers, &hp, args.start, shared)?;
    per_racer(&mut scene, surface, &args.batch, &args.schedule)?;
    Ok(scene)
}

/// The scene a command is about: a preset's, a scene file's, or one racing `optimizers` on
/// the surface the flags name (with `hp` and `start`).
pub fn chosen_scene(
    preset: Option<&presets::Preset>,
    file: Option<&std::path::Path>,
    surface: &SurfaceArgs,
    optimizers: &[OptimizerKind],
    hp: &[args::Assignments],
    start: Option<[f64; 2]>,
) -> Result<Scene, CliError> {
    match (preset, file) {
        (Some(p), _) => Ok(p.scene.clone()),
        (None, Some(path)) => Scene::load(path).map_err(CliError::Usage),
        (None, None) if surface.given() && !optimizers.is_empty() => {
            if let Some(note) = surface.assumed_note() {
                eprintln!("{note}");
            }
            let surface = surface.build_with(None, false)?;
            let hp: Vec<(String, f64)> = hp.iter().flat_map(|a| a.0.clone()).collect();
            racing_scene(&surface, optimizers, &hp, start, Default::default())
        }
        _ => Err(CliError::Usage(
            "give --preset, --scene, or --surface/--function with --optimizer".into(),
        )),
    }
}

/// Gives the racers of `scene` their batch sizes and schedules: one value for all (a
/// schedule then is the shared one), or one per racer in order.
pub fn per_racer(
    scene: &mut Scene,
    surface: &Surface,
    batches: &[crate::models::Batch],
    schedules: &[Schedule],
) -> Result<(), CliError> {
    let racers = scene.racers.len();
    let own = |what: &str, given: usize| -> Result<bool, CliError> {
        match given {
            0 | 1 => Ok(false),
            k if k == racers => Ok(true),
            k => Err(CliError::Usage(format!(
                "{k} values of --{what} for {racers} optimizers: give one for all, or one per --optimizer"
            ))),
        }
    };
    let own_schedules = own("schedule", schedules.len())?;
    own("batch", batches.len())?;
    if !batches.is_empty() && surface.data_model().is_none() {
        return Err(CliError::Usage(
            "--batch is for a model on data (e.g. --surface linear:diabetes:bmi)".into(),
        ));
    }
    if !own_schedules && let Some(s) = schedules.first() {
        scene.shared.schedule = *s;
    }
    for (i, racer) in scene.racers.iter_mut().enumerate() {
        racer.batch = batches.get(i).or(batches.first()).copied();
        racer.schedule = own_schedules.then(|| schedules[i]);
    }
    Ok(())
}

/// A scene of one racer per optimizer on `surface` from `start` (default: the surface's),
/// each with the values of `hp` it has; a name no optimizer has is an error.
pub fn racing_scene(
    surface: &Surface,
    optimizers: &[OptimizerKind],
    hp: &[(String, f64)],
    start: Option<[f64; 2]>,
    shared: Shared,
) -> Result<Scene, CliError> {
    args::check_hp_names(optimizers, hp).map_err(CliError::Usage)?;
    let racers = optimizers
        .iter()
        .map(|&kind| SceneRacer {
            optimizer: kind.name().to_string(),
            hp: hp
                .iter()
                .filter(|(n, _)| kind.hyper_spec(n).is_some())
                .cloned()
                .collect(),
            color: None,
            enabled: true,
            start: None,
            clip: None,
            noise: None,
            schedule: None,
            batch: None,
            show_state: false,
            seeds: 0,
            seed: None,
        })
        .collect();
    Ok(Scene {
        version: crate::scene::VERSION,
        title: String::new(),
        caption: String::new(),
        start: start.unwrap_or_else(|| surface.default_start()),
        surface: SurfaceSpec::of(surface),
        shared,
        racers,
        view: Default::default(),
    })
}

/// Runs `downhill run`: every racer of the scene (a preset's, or the one the flags describe)
/// exactly as the app's race sets it up; a run that stops early gets a line in `notes`.
pub fn execute(args: &RunArgs, out: &mut dyn Write, notes: &mut dyn Write) -> Result<(), CliError> {
    let scene = match (args.preset, &args.scene) {
        (Some(p), _) => p.scene.clone(),
        (None, Some(path)) => crate::scene::Scene::load(path).map_err(CliError::Usage)?,
        (None, None) if args.surface.given() => {
            let surface = args.surface.build_with(args.window, args.raw)?;
            if let Some(note) = args.surface.assumed_note() {
                writeln!(notes, "{note}")?;
            }
            scene_of(args, &surface)?
        }
        (None, None) => {
            return Err(CliError::Usage(
                "give --surface, --function, --preset or --scene".into(),
            ));
        }
    };
    let race = scene.build().map_err(|e| CliError::Usage(e.to_string()))?;
    let labels = race.labels();
    let json = args.format == Format::Json;
    if json {
        write!(
            out,
            "{{\"surface\":{},\"start\":{},\"schedule\":{},\"runs\":[",
            json!(race.surface().name()),
            json!(race.start()),
            json!(race.shared().schedule),
        )?;
    } else {
        writeln!(out, "run,optimizer,step,x,y,loss,grad_norm,lr")?;
    }
    for (i, lane) in race.lanes().iter().enumerate() {
        let mut config = lane.spec.config(race.shared());
        config.tol_grad = args.tol_grad;
        config.tol_step = args.tol_step;
        let name = lane.spec.kind.name();
        let mut runner = race.fresh_runner(i, config).ok_or_else(|| {
            CliError::Usage(format!("{name}: this optimizer cannot run on this surface"))
        })?;
        let label = &labels[i];
        if json {
            write!(
                out,
                "{}{{\"label\":{},\"optimizer\":{},\"hp\":{},\"start\":{},\"points\":[",
                if i > 0 { "," } else { "" },
                json!(label),
                json!(name),
                hyper_json(lane.spec.kind, &lane.spec.hp),
                json!(race.racer_start(i)),
            )?;
        }
        let prefix = format!("{},{name}", csv_field(label));
        let mut io_error = None;
        let mut first = true;
        // A mini-batch racer's loss and gradient norm over all the data, as the app shows.
        let whole = (lane.spec.batch.is_some() && race.surface().data_model().is_some())
            .then(|| race.surface().clone());
        let mut emit = |r: &StepRecord<'_>| {
            if io_error.is_some() {
                return;
            }
            let full;
            let r = match &whole {
                Some(s) => {
                    let (loss, g) = s.value_grad(r.x[0], r.x[1]);
                    full = StepRecord {
                        loss,
                        grad_norm: g[0].hypot(g[1]),
                        ..*r
                    };
                    &full
                }
                None => r,
            };
            // Never a non-finite number in a row: a start outside the domain or an overflow
            // has no row, and the run's status and note say why.
            if !(r.loss.is_finite() && r.grad_norm.is_finite() && r.x.iter().all(|v| v.is_finite()))
            {
                return;
            }
            let row = if json {
                let sep = if first { "" } else { "," };
                write!(out, "{sep}{}", json!([r.x[0], r.x[1], r.loss]))
            } else {
                let row = crate::race::csv::Row {
                    prefix: &prefix,
                    t: r.t,
                    x: [r.x[0], r.x[1]],
                    loss: r.loss,
                    grad_norm: r.grad_norm,
                    lr: r.lr,
                };
                writeln!(out, "{row}")
            };
            first = false;
            io_error = row.err();
        };
        emit(&runner.record());
        runner.run(
            args.steps,
            &mut [Watch {
                mode: ObserveMode::EveryStep,
                observer: &mut emit,
            }],
        );
        if let Some(e) = io_error {
            return Err(e.into());
        }
        let status = runner.status();
        if json {
            let stalled_at = match status {
                Status::Stalled { at, .. } => json!(at.label()),
                _ => Value::Null,
            };
            write!(
                out,
                "],\"status\":{},\"stalled_at\":{stalled_at},\"status_step\":{}}}",
                json!(status.label()),
                json!(status.step()),
            )?;
        }
        match status {
            Status::Diverged { step: 0, .. } | Status::LeftDomain { step: 0 } => writeln!(
                notes,
                "note: {label} {}; it has no rows (no finite value to write)",
                status.describe()
            )?,
            Status::Diverged { .. } => writeln!(
                notes,
                "note: {label} {}; its output ends at the last finite point (a smaller lr may help)",
                status.describe()
            )?,
            Status::LeftDomain { .. } => writeln!(
                notes,
                "note: {label} {}; its output ends at its last point inside the domain",
                status.describe()
            )?,
            Status::Stalled { .. } | Status::Escaped { .. } => {
                writeln!(notes, "note: {label} {}", status.describe())?
            }
            Status::Running | Status::Converged { .. } => {}
        }
    }
    if json {
        writeln!(out, "]}}")?;
    }
    Ok(())
}
