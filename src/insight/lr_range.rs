//! The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural
//! Networks", 2017): train a real model for k steps while the learning rate grows
//! exponentially from γ_min to γ_max, and watch where the loss falls fastest and where it
//! blows up.

use crate::engine::{RunConfig, Runner, Schedule, Status};
use crate::models::ModelObjective;
use crate::train::{Experiment, OptimizerSetup};
use std::sync::Arc;
use thiserror::Error;

/// Smoothing of the recorded loss: an exponential moving average with this decay (bias
/// corrected), as fastai's `lr_find`.
pub const SMOOTHING: f64 = 0.98;

/// The test stops once the smoothed loss exceeds this multiple of the best smoothed loss.
pub const BLOW_UP: f64 = 4.0;

/// A range test that cannot run.
#[derive(Debug, Error, PartialEq)]
pub enum LrRangeError {
    /// Rates not with 0 < γ_min < γ_max, or fewer than 2 steps.
    #[error("need 0 < lr_min < lr_max (finite) and at least 2 steps")]
    Settings,
    /// The optimizer cannot step the model.
    #[error("{0}")]
    Run(String),
}

/// The recorded curve.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LrRange {
    /// The learning rate of each step, γₜ = γ_min·(γ_max/γ_min)^(t/(k−1)).
    pub lrs: Vec<f64>,
    /// The minibatch loss after each step (at the new weights).
    pub losses: Vec<f64>,
    /// The smoothed loss.
    pub smoothed: Vec<f64>,
    /// Whether the test stopped before k steps because the loss exploded or diverged.
    pub exploded: bool,
}

impl LrRange {
    /// The rate at which the smoothed loss fell fastest per unit of ln γ (a common
    /// suggestion for the learning rate); `None` with fewer than 3 points.
    pub fn steepest(&self) -> Option<f64> {
        let (l, s) = (&self.lrs, &self.smoothed);
        (1..s.len().saturating_sub(1))
            .map(|t| {
                let slope = (s[t + 1] - s[t - 1]) / (l[t + 1].ln() - l[t - 1].ln());
                (t, slope)
            })
            .filter(|(_, slope)| slope.is_finite())
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(t, _)| l[t])
    }

    /// The rate at the lowest smoothed loss.
    pub fn at_minimum(&self) -> Option<f64> {
        self.smoothed
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|(t, _)| self.lrs[t])
    }
}

/// Runs the range test for `setup` on the experiment's model, from its initial weights, on
/// its training batches, for at most `steps` steps from `lr_min` to `lr_max`.
pub fn lr_range(
    exp: &Experiment,
    setup: &OptimizerSetup,
    lr_min: f64,
    lr_max: f64,
    steps: usize,
) -> Result<LrRange, LrRangeError> {
    let ok = lr_min.is_finite() && lr_max.is_finite() && 0.0 < lr_min && lr_min < lr_max;
    if !ok || steps < 2 {
        return Err(LrRangeError::Settings);
    }
    let gamma = (lr_max / lr_min).powf(1.0 / (steps - 1) as f64);
    let objective = ModelObjective::new(
        exp.net.clone(),
        Arc::new(exp.split.train.clone()),
        exp.settings.batch,
        exp.settings.seed,
    );
    let config = RunConfig {
        lr: lr_min,
        schedule: Schedule::Exponential { gamma },
        clip: exp.clip(),
        noise: exp.settings.noise,
        seed: exp.settings.seed,
        tol_grad: 0.0,
        tol_step: 0.0,
        ..RunConfig::default()
    };
    let mut runner = Runner::new(objective, setup.kind.build(&setup.hp), config, &exp.init)
        .map_err(|e| LrRangeError::Run(format!("{}: {e}", setup.kind.name())))?;
    let mut out = LrRange::default();
    let (mut avg, mut best) = (0.0, f64::INFINITY);
    for t in 0..steps {
        let lr = runner.lr();
        if !runner.step() || matches!(runner.status(), Status::Diverged { .. }) {
            out.exploded = true;
            break;
        }
        let loss = runner.loss();
        avg = SMOOTHING * avg + (1.0 - SMOOTHING) * loss;
        let smooth = avg / (1.0 - SMOOTHING.powi(t as i32 + 1));
        out.lrs.push(lr);
        out.losses.push(loss);
        out.smoothed.push(smooth);
        best = best.min(smooth);
        if !smooth.is_finite() || smooth > BLOW_UP * best {
            out.exploded = true;
            break;
        }
    }
    Ok(out)
}
