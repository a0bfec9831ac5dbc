//! One way to set up a run: an optimizer with its hyperparameters (the learning rate among
//! them, stored once) and the settings of its run — schedule, clipping, noise, seed and batch. The
//! race's racers, the training runs, sweeps, basin maps, the range test and the command line
//! all start their runs from a `Setup`.

use crate::engine::{Clip, Objective, Optimizer, RunConfig, RunError, Runner, Schedule};
use crate::models::Batch;
use crate::optim::OptimizerKind;
use crate::optim::hyper::{HyperError, HyperValues};

/// An optimizer with its hyperparameters and the settings of its run.
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    /// Which optimizer.
    pub kind: OptimizerKind,
    /// Its hyperparameters, validated; the learning rate is `hp["lr"]` and nowhere else.
    pub hp: HyperValues,
    /// How the learning rate changes with the step.
    pub schedule: Schedule,
    /// Gradient clipping.
    pub clip: Clip,
    /// Standard deviation of Gaussian noise added to each gradient coordinate.
    pub noise: f64,
    /// Seed of the noise.
    pub seed: u64,
    /// Rows per step on a model's data; `None`: the experiment's batch (or, on a surface, all
    /// of it).
    pub batch: Option<Batch>,
}

impl Setup {
    /// The optimizer with its defaults overridden by `overrides`, a schedule, and no
    /// clipping or noise.
    pub fn new(
        kind: OptimizerKind,
        overrides: &[(String, f64)],
        schedule: Schedule,
    ) -> Result<Self, HyperError> {
        Ok(Self {
            schedule,
            hp: kind.hyper_values(overrides)?,
            ..Self::default_for(kind)
        })
    }

    /// The optimizer with its defaults and a constant rate.
    pub fn default_for(kind: OptimizerKind) -> Self {
        Self {
            kind,
            hp: kind.defaults(),
            schedule: Schedule::Constant,
            clip: Clip::None,
            noise: 0.0,
            seed: 0,
            batch: None,
        }
    }

    /// The base learning rate.
    pub fn lr(&self) -> f64 {
        // Every optimizer declares `lr` (a test checks it), so the fallback never shows.
        self.hp.get("lr").unwrap_or(1e-3)
    }

    /// The learning rate of step `t` under the schedule.
    pub fn lr_at(&self, t: u64) -> f64 {
        self.schedule.lr_at(self.lr(), t)
    }

    /// The run's configuration, with the engine's default tolerances and bound.
    pub fn config(&self) -> RunConfig {
        RunConfig {
            lr: self.lr(),
            schedule: self.schedule,
            clip: self.clip,
            noise: self.noise,
            seed: self.seed,
            ..RunConfig::default()
        }
    }

    /// A run of this setup on `objective` from `start`, with [`Setup::config`].
    pub fn runner<O: Objective>(
        &self,
        objective: O,
        start: &[f64],
    ) -> Result<Runner<O, Box<dyn Optimizer>>, RunError> {
        self.runner_with(objective, start, self.config())
    }

    /// A run of this setup with `config` (the setup's own, adjusted by the caller:
    /// tolerances, a schedule for a range test).
    pub fn runner_with<O: Objective>(
        &self,
        objective: O,
        start: &[f64],
        config: RunConfig,
    ) -> Result<Runner<O, Box<dyn Optimizer>>, RunError> {
        Runner::new(objective, self.kind.build(&self.hp), config, start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_learning_rate_lives_in_the_hyperparameters_only() {
        let s = Setup::new(
            OptimizerKind::ADAM,
            &[("lr".into(), 0.02)],
            Schedule::Constant,
        )
        .unwrap();
        assert_eq!(s.config().lr, 0.02);
        for kind in OptimizerKind::all() {
            assert_eq!(
                Setup::default_for(kind).lr(),
                kind.hyper_spec("lr").unwrap().default
            );
        }
        assert!(
            Setup::new(
                OptimizerKind::GD,
                &[("beta1".into(), 0.9)],
                Schedule::Constant
            )
            .is_err()
        );
    }
}
