//! One optimizer training one model: steps, epoch metrics, early stopping, divergence.

use super::{Experiment, Setup, TrainError};
use crate::data::Split;
use crate::engine::{Optimizer, RunConfig, Runner, Status};
use crate::models::eval::{Metrics, evaluate};
use crate::models::{ModelObjective, Network, Workspace};
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// Where a training run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum RunState {
    /// Still training.
    Running,
    /// All epochs done.
    Finished,
    /// Stopped because the validation loss stopped improving.
    EarlyStopped {
        /// The epoch with the best validation loss.
        best_epoch: usize,
    },
    /// Stopped because the parameters, loss or gradient blew up (the last finite state is
    /// kept; no NaN is reported).
    Diverged {
        /// The step at which it happened.
        step: u64,
    },
}

impl RunState {
    /// Whether the run is still training.
    pub fn is_running(self) -> bool {
        self == RunState::Running
    }

    /// `running`, `finished`, `early-stopped` or `diverged`.
    pub fn label(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Finished => "finished",
            RunState::EarlyStopped { .. } => "early-stopped",
            RunState::Diverged { .. } => "diverged",
        }
    }
}

/// Metrics at the end of an epoch (epoch 0: the initial weights). Every number is finite.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochMetrics {
    /// Epochs completed.
    pub epoch: usize,
    /// Steps taken so far.
    pub step: u64,
    /// On the training rows.
    pub train: Metrics,
    /// On the validation rows, if any.
    pub val: Option<Metrics>,
    /// ‖∇‖ of each layer's parameters, on the latest minibatch.
    pub layer_grad_norms: Vec<f64>,
    /// Wall milliseconds spent in this epoch's training steps (metrics excluded).
    pub ms: f64,
}

/// The latest step, as the live views show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepMetrics {
    /// Steps taken.
    pub step: u64,
    /// Epochs completed.
    pub epoch: usize,
    /// Minibatch loss (with penalty): the mean over the minibatches of the last call to
    /// [`TrainRun::step`] (a single-row batch's loss alone is too noisy to read), or the
    /// latest one's.
    pub batch_loss: f64,
    /// ‖∇‖₂ on the latest minibatch.
    pub grad_norm: f64,
    /// ‖∇‖ of each layer's parameters.
    pub layer_grad_norms: Vec<f64>,
    /// The learning rate of the next step.
    pub lr: f64,
}

/// One optimizer's training run.
pub struct TrainRun {
    setup: Setup,
    runner: Runner<ModelObjective, Box<dyn Optimizer>>,
    net: Arc<Network>,
    split: Arc<Split>,
    ws: Workspace,
    epochs: usize,
    batches: usize,
    patience: Option<usize>,
    epoch: usize,
    in_epoch: usize,
    elapsed_ms: f64,
    state: RunState,
    history: Vec<EpochMetrics>,
    start: EpochMetrics,
    best_val: f64,
    best_epoch: usize,
    /// Sum and count of the minibatch losses seen since the last call to [`TrainRun::step`].
    recent: (f64, usize),
}

/// The most rows a run evaluates its metrics on at once.
pub const EVAL_ROWS: usize = 256;

/// A seed salt so that batch order and weight initialisation draw different numbers.
const BATCH_SALT: u64 = 0x00ba_7c4e_50dd;

impl TrainRun {
    /// A fresh run of `setup` from the experiment's initial weights.
    pub fn new(exp: &Experiment, setup: Setup) -> Result<Self, TrainError> {
        let settings = exp.settings;
        let objective = ModelObjective::new(
            exp.net.clone(),
            Arc::new(exp.split.train.clone()),
            setup.batch.unwrap_or(settings.batch),
            settings.seed ^ BATCH_SALT,
        );
        let batches = objective.batches_per_epoch();
        // A training run never "converges": it stops when its epochs are done.
        let config = RunConfig {
            tol_grad: 0.0,
            tol_step: 0.0,
            ..setup.config()
        };
        let runner = setup
            .runner_with(objective, &exp.init, config)
            .map_err(|e| TrainError::Optimizer(setup.kind.name(), e.to_string()))?;
        let eval_rows = EVAL_ROWS.min(exp.split.train.n.max(exp.split.val.n).max(1));
        let mut run = Self {
            setup,
            runner,
            net: exp.net.clone(),
            split: exp.split.clone(),
            ws: exp.net.workspace(eval_rows),
            epochs: settings.epochs,
            batches,
            patience: settings.patience,
            epoch: 0,
            in_epoch: 0,
            elapsed_ms: 0.0,
            state: RunState::Running,
            history: Vec::new(),
            start: EpochMetrics {
                epoch: 0,
                step: 0,
                train: Metrics {
                    loss: 0.0,
                    accuracy: None,
                    r2: None,
                },
                val: None,
                layer_grad_norms: Vec::new(),
                ms: 0.0,
            },
            best_val: f64::INFINITY,
            best_epoch: 0,
            recent: (0.0, 0),
        };
        match run.measure(0.0) {
            Some(m) => run.start = m,
            None => run.state = RunState::Diverged { step: 0 },
        }
        if run.epochs == 0 && run.state.is_running() {
            run.state = RunState::Finished;
        }
        Ok(run)
    }

    /// Metrics at the current weights, or `None` if any is not finite.
    fn measure(&mut self, ms: f64) -> Option<EpochMetrics> {
        let x = self.runner.x();
        let train = evaluate(&self.net, x, &self.split.train, &mut self.ws)?;
        let val = evaluate(&self.net, x, &self.split.val, &mut self.ws);
        let layer_grad_norms = self.net.layer_norms(self.runner.grad());
        let finite = |m: &Metrics| {
            m.loss.is_finite()
                && m.accuracy.is_none_or(f64::is_finite)
                && m.r2.is_none_or(f64::is_finite)
        };
        let ok = finite(&train)
            && val.as_ref().is_none_or(finite)
            && layer_grad_norms.iter().all(|g| g.is_finite());
        ok.then(|| EpochMetrics {
            epoch: self.epoch,
            step: self.runner.t(),
            train,
            val,
            layer_grad_norms,
            ms,
        })
    }

    /// Takes up to `max_steps` steps, stopping at the end of an epoch; returns the epoch's
    /// metrics when one was completed. Does nothing once the run has stopped.
    pub fn step(&mut self, max_steps: usize) -> (usize, Option<EpochMetrics>) {
        if !self.state.is_running() {
            return (0, None);
        }
        let want = max_steps.min(self.batches - self.in_epoch);
        let clock = Instant::now();
        let mut taken = 0;
        self.recent = (0.0, 0);
        while taken < want && self.runner.step() {
            taken += 1;
            let loss = self.runner.loss();
            if loss.is_finite() {
                self.recent.0 += loss;
                self.recent.1 += 1;
            }
        }
        self.elapsed_ms += clock.elapsed().as_secs_f64() * 1e3;
        self.in_epoch += taken;
        if let Status::Diverged { step, .. } = self.runner.status() {
            self.state = RunState::Diverged { step };
            return (taken, None);
        }
        if self.in_epoch < self.batches {
            return (taken, None);
        }
        self.epoch += 1;
        self.in_epoch = 0;
        let ms = std::mem::take(&mut self.elapsed_ms);
        let Some(metrics) = self.measure(ms) else {
            self.state = RunState::Diverged {
                step: self.runner.t(),
            };
            return (taken, None);
        };
        self.history.push(metrics.clone());
        if let Some(val) = metrics.val {
            if val.loss < self.best_val {
                self.best_val = val.loss;
                self.best_epoch = self.epoch;
            } else if self
                .patience
                .is_some_and(|p| self.epoch - self.best_epoch >= p)
            {
                self.state = RunState::EarlyStopped {
                    best_epoch: self.best_epoch,
                };
            }
        }
        if self.state.is_running() && self.epoch >= self.epochs {
            self.state = RunState::Finished;
        }
        (taken, Some(metrics))
    }

    /// Trains one whole epoch; `None` when the run has stopped (or stops during it).
    pub fn run_epoch(&mut self) -> Option<EpochMetrics> {
        while self.state.is_running() {
            if let (_, Some(m)) = self.step(usize::MAX) {
                return Some(m);
            }
        }
        None
    }

    /// The latest step's figures.
    pub fn last_step(&self) -> StepMetrics {
        let r = self.runner.record();
        StepMetrics {
            step: r.t,
            epoch: self.epoch,
            batch_loss: match self.recent {
                (sum, n) if n > 0 => sum / n as f64,
                _ => r.loss,
            },
            grad_norm: r.grad_norm,
            layer_grad_norms: self.net.layer_norms(self.runner.grad()),
            lr: r.lr,
        }
    }

    /// The optimizer and its settings.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The optimizer's name.
    pub fn name(&self) -> &'static str {
        self.setup.kind.name()
    }

    /// Where the run stands.
    pub fn state(&self) -> RunState {
        self.state
    }

    /// Epochs completed.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Steps per epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.batches
    }

    /// The current parameters (a snapshot for decision boundaries and predictions).
    pub fn weights(&self) -> &[f64] {
        self.runner.x()
    }

    /// The metrics of the initial weights (epoch 0).
    pub fn start_metrics(&self) -> &EpochMetrics {
        &self.start
    }

    /// Every completed epoch's metrics.
    pub fn history(&self) -> &[EpochMetrics] {
        &self.history
    }

    /// The network being trained.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The data split.
    pub fn split(&self) -> &Split {
        &self.split
    }
}
