//! Performance figures measured by `downhill bench`: each one a function that takes at most a
//! few seconds and returns one number.

use crate::engine::{RunConfig, Runner};
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
        about: "Adam on Rosenbrock, one thread (target ≥ 20 million)",
        measure: engine_steps_per_s,
    },
    Figure {
        name: "grid_runs_s",
        unit: "s",
        about: "256×256 start points × 500 Adam steps on Himmelblau, all cores (target < 2 s)",
        measure: grid_runs_s,
    },
];

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

/// Single-thread Adam steps per second on Rosenbrock, best of five trials.
fn engine_steps_per_s() -> f64 {
    const STEPS: u64 = 2_000_000;
    let surface = Surface::new(SurfaceKind::Rosenbrock);
    let adam = OptimizerKind::Adam;
    (0..5)
        .map(|_| {
            let optimizer = adam.build(&adam.defaults());
            let mut runner = Runner::new(surface, optimizer, endless(1e-3), &[-1.2, 1.0])
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
    let view = surface.info().view;
    let adam = OptimizerKind::Adam;
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
            let mut runner = Runner::new(surface, adam.build(&hp), endless(lr), &start)
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
            let ends = grid_run(surface, 256, 500, 0.05);
            std::hint::black_box(&ends);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}
