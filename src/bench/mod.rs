//! Performance figures measured by `downhill bench`: each one a function that takes at most a
//! few seconds and returns one number.

use crate::engine::{Optimizer, RunConfig, Runner};
use crate::optim::OptimizerKind;
use crate::surfaces::{Surface, SurfaceKind};
use rayon::prelude::*;
use std::time::Instant;

/// One measured figure.
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    /// Stable name, e.g. `engine_steps_per_s`.
    pub name: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// What is measured and the target, in words.
    pub about: &'static str,
    /// Runs the measurement.
    pub measure: fn() -> f64,
}

/// Every figure, in the order `downhill bench` prints them.
pub const FIGURES: &[Figure] = &[
    Figure {
        name: "engine_steps_per_s",
        unit: "steps/s",
        about: "Adam on Rosenbrock, one thread, Runner<Surface, Adam> (target ≥ 20 million and ≥ 0.7× hand_loop_steps_per_s)",
        measure: engine_steps_per_s,
    },
    Figure {
        name: "engine_dyn_steps_per_s",
        unit: "steps/s",
        about: "the same through Box<dyn Optimizer>, as the app and `downhill run` step (no target)",
        measure: engine_dyn_steps_per_s,
    },
    Figure {
        name: "formula_steps_per_s",
        unit: "steps/s",
        about: "Adam on Rosenbrock typed as a formula, (1 - x)^2 + 100*(y - x^2)^2, one thread (target ≥ 0.5× engine_steps_per_s)",
        measure: formula_steps_per_s,
    },
    Figure {
        name: "hand_loop_steps_per_s",
        unit: "steps/s",
        about: "a hand-written Adam loop on Rosenbrock: no runner, status, schedule or checks (engine_steps_per_s's target: ≥ 0.7× this)",
        measure: hand_loop_steps_per_s,
    },
    Figure {
        name: "grid_runs_s",
        unit: "s",
        about: "256×256 start points × 500 Adam steps on Himmelblau, all cores (target < 2 s)",
        measure: grid_runs_s,
    },
    Figure {
        name: "contour_ms",
        unit: "ms",
        about: "sample Himmelblau on a 512×512 grid and extract 20 contour levels (target ≤ 15 ms)",
        measure: contour_ms,
    },
    Figure {
        name: "data_grid_ms",
        unit: "ms",
        about: "the heatmap of linear:diabetes:bmi (442 rows): its loss on a 256×256 grid (target ≤ 8 ms)",
        measure: || data_grid_ms("linear:diabetes:bmi"),
    },
    Figure {
        name: "logistic_grid_ms",
        unit: "ms",
        about: "the heatmap of logistic:moons (400 rows): its loss on the app's grid (256², capped at 141² for this model), cached per window",
        measure: || data_grid_ms("logistic:moons"),
    },
    Figure {
        name: "preview_ms",
        unit: "ms",
        about: "recompute 8 optimizers × 500 steps for the live preview (target ≤ 2 ms)",
        measure: preview_ms,
    },
    Figure {
        name: "frame_cpu_ms",
        unit: "ms",
        about: "p95 CPU time of one headless frame: 8 optimizers, 2,000-step trails, 256² heatmap, 20 contours, plots (target ≤ 8 ms)",
        measure: frame_cpu_ms,
    },
    Figure {
        name: "mesh_build_ms",
        unit: "ms",
        about: "build the 3D mesh of Himmelblau at 256×256 vertices: heights, normals, colours, indices (target ≤ 10 ms)",
        measure: mesh_build_ms,
    },
    Figure {
        name: "render3d_ms",
        unit: "ms",
        about: "CPU z-buffer picture of the 3D view: 160² mesh, contours, 4 paths, 1280×720 pixels, all cores (smooth orbiting needs ≤ 16 ms)",
        measure: render3d_ms,
    },
    Figure {
        name: "orbit_frame_ms",
        unit: "ms",
        about: "p95 CPU time of one headless frame of the 3D view while the camera turns: 8 racers, 2,000-step paths, 1440×900 window (60 fps needs ≤ 16 ms)",
        measure: orbit_frame_ms,
    },
    Figure {
        name: "train_epoch_ms",
        unit: "ms",
        about: "one epoch of digits (1797×64), MLP 64-32-10 ReLU, softmax cross-entropy, batch 32, Adam, one thread (target ≤ 1 ms)",
        measure: train_epoch_ms,
    },
    Figure {
        name: "train_frame_ms",
        unit: "ms",
        about: "p95 CPU time of a headless frame of the training view while 4 optimizers train digits at full speed on a worker thread (30 fps needs ≤ 33 ms)",
        measure: train_frame_ms,
    },
    Figure {
        name: "basin_512_ms",
        unit: "ms",
        about: "basin map of Himmelblau: 512×512 starts × up to 500 Adam steps (lr 0.05, stop at ‖∇f‖ < 1e-6), all cores (target ≤ 5,000)",
        measure: basin_512_ms,
    },
    Figure {
        name: "landscape_ms",
        unit: "ms",
        about: "loss landscape of the digits MLP 64-32-10 on all 1797 rows: 51×51 slice along filter-normalised random directions, all cores (target ≤ 2,000)",
        measure: landscape_ms,
    },
    Figure {
        name: "record_ms",
        unit: "ms",
        about: "record the momentum-ravine preset as a 300-frame 960×540 GIF, headless (target ≤ 10,000)",
        measure: record_ms,
    },
];

/// The digits benchmark setup: MLP 64-32-10 ReLU on all 1797 rows, batch 32, Adam (lr 1e-3).
pub fn digits_experiment(epochs: usize) -> crate::train::Experiment {
    use crate::data::DatasetKind;
    use crate::models::{Activation, Architecture, Batch};
    use crate::train::{Experiment, Setup, TrainSettings};
    let data = DatasetKind::Digits
        .load(0)
        .expect("the embedded digits table parses");
    let settings = TrainSettings {
        batch: Batch::Size(32),
        epochs,
        validation: 0.0,
        ..TrainSettings::default()
    };
    Experiment::new(
        &data,
        &Architecture::mlp(&[32], Activation::Relu),
        settings,
        vec![Setup::default_for(OptimizerKind::ADAM)],
    )
    .expect("a valid benchmark setup")
}

/// Median milliseconds of one epoch's 57 training steps on digits (metrics excluded), over
/// 30 epochs after 3 warm-up epochs.
fn train_epoch_ms() -> f64 {
    let exp = digits_experiment(33);
    let mut runs = exp.runs().expect("Adam needs no Hessian");
    let run = &mut runs[0];
    let mut times: Vec<f64> = std::iter::from_fn(|| run.run_epoch())
        .skip(3)
        .map(|m| m.ms)
        .collect();
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The median of `samples` runs of `f`, in milliseconds.
fn median_ms(samples: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Median milliseconds to sample a 512×512 grid and extract 20 contour levels.
fn contour_ms() -> f64 {
    use crate::field::{Grid, Scale, Window, contours};
    let surface = Surface::new(SurfaceKind::Himmelblau);
    let v = surface.view();
    let window = Window { x: v.x, y: v.y };
    median_ms(15, || {
        let grid = Grid::sample(&surface, window, 512, 512);
        let scale = Scale::of(&grid, true);
        std::hint::black_box(contours(&grid, &scale.levels(20)));
    })
}

/// Samples the model on data `name` over its view on the grid the app's heatmap uses (256 ×
/// 256, or the model's finest grid if coarser).
fn data_grid_ms(name: &str) -> f64 {
    use crate::field::{Grid, Window};
    let Some(Ok(spec)) = crate::surfaces::DataSpec::parse(name) else {
        return f64::NAN;
    };
    let Ok(surface) = Surface::data(spec) else {
        return f64::NAN;
    };
    let v = surface.view();
    let window = Window { x: v.x, y: v.y };
    let n = surface.finest_grid().min(256);
    median_ms(9, || {
        std::hint::black_box(Grid::sample(&surface, window, n, n));
    })
}

/// Eight racers, one per optimizer family, on Rosenbrock.
fn eight_racers() -> crate::race::Race {
    use OptimizerKind as K;
    let kinds = [
        K::GD,
        K::MOMENTUM,
        K::NESTEROV,
        K::ADAGRAD,
        K::RMSPROP,
        K::ADAM,
        K::NADAM,
        K::LION,
    ];
    let mut race = crate::race::Race::new(Surface::new(SurfaceKind::Rosenbrock), &kinds);
    for i in 0..kinds.len() {
        race.apply(crate::race::Command::SetHyper(i, "lr", 1e-3));
    }
    race
}

/// Median milliseconds for the live preview: 8 optimizers × 500 steps from scratch.
fn preview_ms() -> f64 {
    let race = eight_racers();
    median_ms(50, || {
        std::hint::black_box(race.preview(500));
    })
}

/// p95 milliseconds of CPU time for one frame of the explorer, built and tessellated
/// headless (no GPU): 8 racers with 2,000-step trails, 256² heatmap, 20 contour levels.
fn frame_cpu_ms() -> f64 {
    headless_frames_p95(crate::app::ViewMode::Flat)
}

/// p95 CPU milliseconds of one headless frame of the 3D view while the camera turns.
fn orbit_frame_ms() -> f64 {
    headless_frames_p95(crate::app::ViewMode::Surface)
}

/// p95 CPU time of 60 headless frames (UI, picture, tessellation) of eight racers with
/// 2,000-step trails in `mode` at 1440×900; the 3D camera turns a little every frame.
fn headless_frames_p95(mode: crate::app::ViewMode) -> f64 {
    use eframe::egui;
    let ctx = egui::Context::default();
    crate::app::fonts::install(&ctx);
    let mut app = crate::app::Explorer::default();
    app.race = eight_racers();
    app.race.apply(crate::race::Command::Step(2000));
    app.shown.mode = mode;
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1440.0, 900.0),
        )),
        ..Default::default()
    };
    let frame = |app: &mut crate::app::Explorer| {
        app.shown.surface.camera.orbit(0.01, 0.0);
        let out = ctx.run_ui(input(), |ui| app.frame(ui));
        std::hint::black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
    };
    // Warm up: fonts, heatmap texture, mesh, layout.
    for _ in 0..5 {
        frame(&mut app);
    }
    let mut times: Vec<f64> = (0..60)
        .map(|_| {
            let start = Instant::now();
            frame(&mut app);
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[(times.len() * 95) / 100]
}

/// p95 milliseconds of training-view frames while four optimizers train the digits MLP.
fn train_frame_ms() -> f64 {
    use crate::app::train::{SpecSource, TrainView};
    use crate::models::spec::OptimizerEntry;
    use eframe::egui;
    let ctx = egui::Context::default();
    crate::app::fonts::install(&ctx);
    let mut app = crate::app::Explorer::default();
    let mut spec = TrainView::shipped("digits-mlp").spec;
    spec.training.epochs = 100_000;
    spec.optimizers.push(OptimizerEntry {
        name: "nadam".into(),
        hp: Default::default(),
        schedule: None,
        batch: None,
    });
    spec.optimizers.truncate(4);
    app.trainer = TrainView::with_spec(spec, SpecSource::Custom("bench".into()));
    app.trainer.set_speed(64);
    app.shown.mode = crate::app::ViewMode::Train;
    app.trainer.play(&ctx);
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1440.0, 900.0),
        )),
        ..Default::default()
    };
    let mut frame = || {
        let start = Instant::now();
        let out = ctx.run_ui(input(), |ui| app.frame(ui));
        std::hint::black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
        let ms = start.elapsed().as_secs_f64() * 1e3;
        // A display's pace between frames, so the worker runs as it would.
        std::thread::sleep(std::time::Duration::from_millis(16));
        ms
    };
    for _ in 0..10 {
        frame();
    }
    let mut times: Vec<f64> = (0..90).map(|_| frame()).collect();
    times.sort_by(f64::total_cmp);
    times[(times.len() * 95) / 100]
}

/// Looks a figure up by name.
pub fn figure(name: &str) -> Option<&'static Figure> {
    FIGURES.iter().find(|f| f.name == name)
}

/// A run configuration that never stops early, so every figure times the same work.
fn endless(lr: f64) -> RunConfig {
    RunConfig {
        lr,
        tol_grad: 0.0,
        tol_step: 0.0,
        ..RunConfig::default()
    }
}

/// Median milliseconds to build a 256×256 mesh of Himmelblau over its default view.
fn mesh_build_ms() -> f64 {
    use crate::field::Window;
    use crate::scene3d::mesh::SurfaceMesh;
    let surface = Surface::new(SurfaceKind::Himmelblau);
    let v = surface.view();
    let window = Window { x: v.x, y: v.y };
    median_ms(15, || {
        std::hint::black_box(SurfaceMesh::build(
            &surface,
            window,
            256,
            Default::default(),
        ));
    })
}

/// Median milliseconds to render the 3D view of the default race after 300 steps.
fn render3d_ms() -> f64 {
    use crate::field::{Window, contours};
    use crate::scene3d::mesh::SurfaceMesh;
    use crate::scene3d::raster::{Frame, Primitives};
    use crate::scene3d::{Overlay, Palette, Path3d, camera::OrbitCamera, render};
    let surface = Surface::new(SurfaceKind::Himmelblau);
    let v = surface.view();
    let window = Window { x: v.x, y: v.y };
    let mesh = SurfaceMesh::build(&surface, window, 160, Default::default());
    let mut overlay = Overlay {
        contours: contours(&mesh.grid, &mesh.map.scale.levels(20)),
        ..Default::default()
    };
    for (k, start) in [[0.0, 0.0], [-1.0, 1.0], [1.0, -1.0], [0.5, 0.5]]
        .into_iter()
        .enumerate()
    {
        let adam = OptimizerKind::ADAM;
        let mut runner = Runner::new(
            surface.clone(),
            adam.build(&adam.defaults()),
            endless(0.05),
            &start,
        )
        .expect("a 2-parameter start on a 2-parameter surface");
        let mut points = Vec::new();
        for _ in 0..300 {
            let x = runner.x();
            points.push(mesh.map.to_box([x[0], x[1]], surface.value(x[0], x[1])));
            runner.step();
        }
        overlay.paths.push(Path3d {
            points,
            rgb: [200, 50 * k as u8, 80],
            width: 3.0,
        });
    }
    let palette = Palette {
        ramp: (0..256).map(|k| [k as u8, 120, 255 - k as u8]).collect(),
        background: [16, 18, 22],
        frame_lines: [120, 120, 120],
    };
    let (mut frame, mut prims) = (Frame::new(1280, 720), Primitives::default());
    let mut camera = OrbitCamera::default();
    median_ms(15, || {
        camera.orbit(0.02, 0.0);
        render(&mesh, &overlay, &palette, &camera, &mut frame, &mut prims);
    })
}

/// Single-thread Adam steps per second on Rosenbrock, best of five trials, with the runner's
/// types known to the compiler (`Runner<Surface, Adam>`).
fn engine_steps_per_s() -> f64 {
    let adam = OptimizerKind::ADAM;
    let optimizer = adam.build_adam(&adam.defaults());
    steps_per_s(|| optimizer.clone().expect("Adam builds as Adam"))
}

/// [`engine_steps_per_s`] with the optimizer behind `Box<dyn Optimizer>`, as the app and the
/// command line run it.
fn engine_dyn_steps_per_s() -> f64 {
    let adam = OptimizerKind::ADAM;
    steps_per_s(|| adam.build(&adam.defaults()))
}

/// The yardstick for [`engine_steps_per_s`]: Adam (PyTorch's defaults, γ = 1e-3) on
/// Rosenbrock from (−1.2, 1) written as one loop with every value in a local and the gradient
/// by hand, with nothing the runner adds (status, schedule, bounds, finiteness, recording);
/// best of five trials.
fn hand_loop_steps_per_s() -> f64 {
    const STEPS: u64 = 2_000_000;
    let (lr, b1, b2, eps) = (1e-3, 0.9, 0.999, 1e-8);
    (0..5)
        .map(|_| {
            let start = Instant::now();
            let (mut x, mut y) = std::hint::black_box((-1.2_f64, 1.0_f64));
            let (mut m, mut v) = ([0.0_f64; 2], [0.0_f64; 2]);
            let (mut p1, mut p2) = (1.0_f64, 1.0_f64);
            for _ in 0..STEPS {
                let r = y - x * x;
                let g = [-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r];
                p1 *= b1;
                p2 *= b2;
                let step = lr / (1.0 - p1);
                let root_bc2 = (1.0 - p2).sqrt();
                for i in 0..2 {
                    m[i] = b1 * m[i] + (1.0 - b1) * g[i];
                    v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
                }
                x -= step * m[0] / (v[0].sqrt() / root_bc2 + eps);
                y -= step * m[1] / (v[1].sqrt() / root_bc2 + eps);
            }
            let elapsed = start.elapsed().as_secs_f64();
            std::hint::black_box((x, y));
            STEPS as f64 / elapsed
        })
        .fold(0.0, f64::max)
}

/// [`engine_steps_per_s`] with Rosenbrock typed as a formula: the compiled instructions
/// against the built-in's straight-line code.
fn formula_steps_per_s() -> f64 {
    let adam = OptimizerKind::ADAM;
    let optimizer = adam.build_adam(&adam.defaults());
    let surface =
        Surface::typed("(1 - x)^2 + 100*(y - x^2)^2", &[], None).expect("Rosenbrock typed parses");
    steps_per_s_on(surface, || optimizer.clone().expect("Adam builds as Adam"))
}

/// Single-thread steps per second of Adam on Rosenbrock from (−1.2, 1), best of five trials.
fn steps_per_s<P: Optimizer>(optimizer: impl Fn() -> P) -> f64 {
    steps_per_s_on(Surface::new(SurfaceKind::Rosenbrock), optimizer)
}

/// Single-thread steps per second of `optimizer` on `surface` from (−1.2, 1), best of five
/// trials.
fn steps_per_s_on<P: Optimizer>(surface: Surface, optimizer: impl Fn() -> P) -> f64 {
    const STEPS: u64 = 2_000_000;
    (0..5)
        .map(|_| {
            let mut runner = Runner::new(surface.clone(), optimizer(), endless(1e-3), &[-1.2, 1.0])
                .expect("a 2-parameter start on a 2-parameter surface");
            let start = Instant::now();
            let taken = runner.run(STEPS, &mut []);
            let elapsed = start.elapsed().as_secs_f64();
            std::hint::black_box(runner.x());
            taken as f64 / elapsed
        })
        .fold(0.0, f64::max)
}

/// Runs Adam for `steps` from every point of an n×n grid over the surface's view, in
/// parallel; returns the final points.
pub fn grid_run(surface: Surface, n: usize, steps: u64, lr: f64) -> Vec<[f64; 2]> {
    let view = surface.view();
    let adam = OptimizerKind::ADAM;
    let hp = adam.defaults();
    (0..n * n)
        .into_par_iter()
        .map(|cell| {
            let (i, j) = (cell % n, cell / n);
            let fx = (i as f64 + 0.5) / n as f64;
            let fy = (j as f64 + 0.5) / n as f64;
            let start = [
                view.x.0 + fx * (view.x.1 - view.x.0),
                view.y.0 + fy * (view.y.1 - view.y.0),
            ];
            let mut runner = Runner::new(surface.clone(), adam.build(&hp), endless(lr), &start)
                .expect("a 2-parameter start on a 2-parameter surface");
            runner.run(steps, &mut []);
            [runner.x()[0], runner.x()[1]]
        })
        .collect()
}

/// Wall seconds for a 256×256 grid × 500 Adam steps on Himmelblau, best of two.
fn grid_runs_s() -> f64 {
    let surface = Surface::new(SurfaceKind::Himmelblau);
    (0..2)
        .map(|_| {
            let start = Instant::now();
            let ends = grid_run(surface.clone(), 256, 500, 0.05);
            std::hint::black_box(&ends);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Wall milliseconds for the 512×512 basin map of Adam (lr 0.05) on Himmelblau over its
/// default view, 500 steps at most per start, one run.
fn basin_512_ms() -> f64 {
    use crate::insight::basin::{BasinMap, BasinSpec};
    let mut setup = crate::setup::Setup::default_for(OptimizerKind::ADAM);
    setup.hp.set("lr", 0.05);
    let spec = BasinSpec::new(Surface::new(SurfaceKind::Himmelblau), setup, 512, 500);
    let start = Instant::now();
    let map = BasinMap::compute(&spec).expect("a valid basin map");
    let ms = start.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box(&map);
    ms
}

/// Milliseconds to record 300 frames of a preset at 960 × 540 into a GIF (once: it is long).
fn record_ms() -> f64 {
    use crate::app::export::record::{Recording, record_gif};
    let Some(preset) = crate::presets::find("momentum-ravine") else {
        return f64::NAN;
    };
    let mut explorer = crate::app::Explorer::with_preset(preset);
    let path = std::env::temp_dir().join(format!("downhill-bench-{}.gif", std::process::id()));
    let rec = Recording {
        from: 0,
        to: 600,
        fps: 30,
        frames: 300,
        size: [960, 540],
    };
    let start = std::time::Instant::now();
    let ok = record_gif(&mut explorer, rec, &path, |_, _| true).is_ok();
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let _ = std::fs::remove_file(&path);
    if ok { ms } else { f64::NAN }
}

/// Median milliseconds (of three) for a 51×51 landscape slice of the digits MLP through
/// its initial weights, on the full training table.
fn landscape_ms() -> f64 {
    use crate::insight::landscape::{Landscape, Plane, random_directions};
    let exp = digits_experiment(0);
    let w = exp.init.clone();
    let (d1, d2) = random_directions(&exp.net, &w, 0);
    let plane = Plane::new(w, d1, d2).expect("independent random directions");
    let land = Landscape::new(
        exp.net.clone(),
        std::sync::Arc::new(exp.split.train.clone()),
        plane,
    )
    .expect("a non-empty table");
    median_ms(3, || {
        std::hint::black_box(land.grid(Landscape::square(1.0, 51), 51).expect("51 ≤ 512"));
    })
}
