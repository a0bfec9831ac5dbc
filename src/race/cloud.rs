//! Many seeds of one stochastic racer: the same setup run again with other seeds (other batch
//! orders, other gradient noise), so the spread of its paths and of its loss can be drawn as a
//! cloud and a band around the mean. A cloud keeps its runs and only steps them further when
//! asked for more steps.

use super::{LaneObjective, Race};
use crate::engine::{Optimizer, Runner};
use crate::surfaces::Surface;

pub use crate::limits::MAX_SEEDS;

/// One racer under other seeds: every run's path and the full-data loss's mean and 10–90 %
/// band over the runs, step by step.
pub struct SeedCloud {
    surface: Surface,
    runs: Vec<SeedRun>,
    mean: Vec<f64>,
    band: Vec<[f64; 2]>,
}

/// One of the runs.
struct SeedRun {
    runner: Runner<LaneObjective, Box<dyn Optimizer>>,
    path: Vec<[f64; 2]>,
    /// The full-data loss at each point of `path`.
    loss: Vec<f64>,
    running: bool,
}

impl Race {
    /// Racer `i` set up afresh under seeds shared seed + 1, …, + `seeds` (at most
    /// [`MAX_SEEDS`]), at step 0, the race untouched; `None` if it has no run on this surface.
    pub fn seed_cloud(&self, i: usize, seeds: usize) -> Option<SeedCloud> {
        let base = self.lanes.get(i)?.spec.config(&self.shared);
        let start = self.racer_start(i);
        let loss = self.surface.value(start[0], start[1]);
        let runs = (1..=seeds.min(MAX_SEEDS) as u64)
            .map(|k| {
                let config = crate::engine::RunConfig {
                    seed: base.seed.wrapping_add(k),
                    ..base
                };
                self.fresh_runner(i, config).map(|runner| SeedRun {
                    runner,
                    path: vec![start],
                    loss: vec![loss],
                    running: true,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let mut cloud = SeedCloud {
            surface: self.surface.clone(),
            runs,
            mean: Vec::new(),
            band: Vec::new(),
        };
        cloud.summarise(0);
        Some(cloud)
    }
}

impl SeedCloud {
    /// Steps every run on to `steps` steps (a run that stops stays where it stopped).
    pub fn advance_to(&mut self, steps: u64) {
        let have = self.mean.len() as u64 - 1;
        if steps <= have {
            return;
        }
        for run in &mut self.runs {
            for _ in have..steps {
                if run.running && run.runner.step() {
                    let x = run.runner.x();
                    run.path.push([x[0], x[1]]);
                    run.loss.push(self.surface.value(x[0], x[1]));
                } else {
                    run.running = false;
                    break;
                }
            }
        }
        for t in have as usize + 1..=steps as usize {
            self.summarise(t);
        }
    }

    /// Appends the mean and the band of the losses at step `t`.
    fn summarise(&mut self, t: usize) {
        let mut column: Vec<f64> = self
            .runs
            .iter()
            .filter_map(|r| r.loss.get(t).or(r.loss.last()).copied())
            .filter(|v| v.is_finite())
            .collect();
        if column.is_empty() {
            self.mean.push(f64::NAN);
            self.band.push([f64::NAN; 2]);
            return;
        }
        column.sort_by(f64::total_cmp);
        let at = |q: f64| column[((column.len() - 1) as f64 * q).round() as usize];
        self.mean
            .push(column.iter().sum::<f64>() / column.len() as f64);
        self.band.push([at(0.1), at(0.9)]);
    }

    /// Steps computed so far.
    pub fn steps(&self) -> u64 {
        self.mean.len() as u64 - 1
    }

    /// Each run's path up to step `upto`.
    pub fn paths(&self, upto: u64) -> impl Iterator<Item = &[[f64; 2]]> {
        self.runs
            .iter()
            .map(move |r| &r.path[..(upto as usize + 1).min(r.path.len())])
    }

    /// The mean over runs of the full-data loss at steps 0..=`upto` (NaN where none is finite).
    pub fn mean(&self, upto: u64) -> &[f64] {
        &self.mean[..(upto as usize + 1).min(self.mean.len())]
    }

    /// The 10th and 90th percentiles over runs of that loss at steps 0..=`upto`.
    pub fn band(&self, upto: u64) -> &[[f64; 2]] {
        &self.band[..(upto as usize + 1).min(self.band.len())]
    }
}
