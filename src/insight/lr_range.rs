//! The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural
//! Networks", 2017): train a real model for k steps while the learning rate grows
//! exponentially from γ_min to γ_max, and watch where the loss falls fastest and where it
//! blows up.

use crate::engine::{RunConfig, Schedule, Status};
use crate::models::ModelObjective;
use crate::train::{Experiment, Setup};
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

/// The first part of the curve left out when looking for the steepest descent: the moving
/// average is still filling, and at the smallest rates nothing moves (the flat start).
pub const SKIP_START: f64 = 0.1;

impl LrRange {
    /// The suggested learning rate: where the smoothed loss falls fastest per unit of ln γ,
    /// looking only between the flat start (the first [`SKIP_START`] of the steps) and the
    /// lowest smoothed loss (after it the loss blows up), with the slope taken over a window
    /// of 5 % of the steps so that minibatch noise does not decide. `None` when the loss
    /// never falls there (the range starts too high, or is too short).
    pub fn steepest(&self) -> Option<f64> {
        let (l, s) = (&self.lrs, &self.smoothed);
        let n = s.len();
        if n < 8 {
            return None;
        }
        let lowest = self.lowest_index()?;
        let first = ((n as f64 * SKIP_START).ceil() as usize).max(1);
        let w = (n / 20).max(1);
        let (t, slope) = (first.max(w)..lowest.min(n.saturating_sub(w)))
            .map(|t| {
                let slope = (s[t + w] - s[t - w]) / (l[t + w].ln() - l[t - w].ln());
                (t, slope)
            })
            .filter(|(_, slope)| slope.is_finite())
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        (slope < 0.0).then(|| l[t])
    }

    /// The index of the lowest smoothed loss.
    fn lowest_index(&self) -> Option<usize> {
        self.smoothed
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|(t, _)| t)
    }

    /// The rate at the lowest smoothed loss.
    pub fn at_minimum(&self) -> Option<f64> {
        self.lowest_index().map(|t| self.lrs[t])
    }
}

/// Runs the range test for `setup` on the experiment's model, from its initial weights, on
/// its training batches, for at most `steps` steps from `lr_min` to `lr_max`.
pub fn lr_range(
    exp: &Experiment,
    setup: &Setup,
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
    // The setup's run, with γ growing from lr_min instead of its own rate and schedule.
    let config = RunConfig {
        lr: lr_min,
        schedule: Schedule::Exponential { gamma },
        clip: exp.clip(),
        noise: exp.settings.noise,
        seed: exp.settings.seed,
        tol_grad: 0.0,
        tol_step: 0.0,
        ..setup.config()
    };
    let mut runner = setup
        .runner_with(objective, &exp.init, config)
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
