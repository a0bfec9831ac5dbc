//! Training: several optimizers fit the same model from the same initial weights on the same
//! sequence of minibatches, epoch by epoch, through the engine's [`Runner`]. No egui, no
//! threads (the [`crate::worker`] runs this in the background).

pub mod run;

pub use crate::setup::Setup;
pub use run::{EpochMetrics, RunState, StepMetrics, TrainRun};

use crate::data::{Dataset, Split, SplitOptions};
use crate::engine::{Clip, Schedule};
use crate::limits::{self, LimitError};
use crate::models::{Architecture, Batch, ModelError, Network, Workspace};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use thiserror::Error;

/// How to train: batches, epochs, seed, split, early stopping and gradient treatment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainSettings {
    /// Rows per step.
    pub batch: Batch,
    /// Epochs (passes over the training rows).
    pub epochs: usize,
    /// Seed of the split, the initial weights, the batch order and the gradient noise.
    pub seed: u64,
    /// Fraction of rows held out for validation.
    pub validation: f64,
    /// Stratify the split by class.
    pub stratify: bool,
    /// Stop a run when the validation loss has not improved for this many epochs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patience: Option<usize>,
    /// Clip each gradient to this Euclidean norm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_norm: Option<f64>,
    /// Standard deviation of Gaussian noise added to each gradient coordinate.
    pub noise: f64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        Self {
            batch: Batch::default(),
            epochs: 20,
            seed: 0,
            validation: 0.2,
            stratify: true,
            patience: None,
            clip_norm: None,
            noise: 0.0,
        }
    }
}

/// The most epochs one run may take.
pub const MAX_EPOCHS: usize = limits::MAX_EPOCHS;

impl TrainSettings {
    /// Checks every setting against [`crate::limits`]: the same rules for the command line,
    /// spec files, the saved state and the panel.
    pub fn check(&self) -> Result<(), TrainError> {
        limits::validation(self.validation)?;
        limits::epochs(self.epochs)?;
        limits::noise(self.noise)?;
        if let Some(c) = self.clip_norm {
            limits::clip(c)?;
        }
        if let Batch::Size(rows) = self.batch {
            limits::batch(rows)?;
        }
        if self.patience == Some(0) {
            return Err(TrainError::Settings(
                "patience 0 would stop every run after its first epoch (valid: 1 or more)".into(),
            ));
        }
        Ok(())
    }
}

/// A label per optimizer setup that tells them apart: the hyperparameters that differ among
/// setups of one optimizer, a batch size of its own, and a schedule other than the constant
/// one.
pub fn labels(setups: &[Setup]) -> Vec<String> {
    let parts: Vec<crate::optim::labels::Labelled<'_>> = setups
        .iter()
        .map(|s| crate::optim::labels::Labelled {
            kind: s.kind,
            hp: &s.hp,
            extras: s
                .batch
                .map(|b| format!("batch {}", b.label()))
                .into_iter()
                .chain((s.schedule != Schedule::Constant).then(|| s.schedule.name().to_string()))
                .collect(),
            start: None,
        })
        .collect();
    crate::optim::labels::label_all(&parts)
}

/// The bytes an experiment on `data` with `net` allocates, at most, once its runs exist: the
/// initial weights and the split, then per run the runner's vectors, the optimizer's state
/// vectors, its own copy of the training rows and two f32 workspaces (its batches and its
/// evaluations). Checked against a counting allocator by `tests/memory.rs`; saturates rather
/// than overflows.
pub fn memory_need(net: &Network, data: &Dataset, optimizers: &[Setup], batch: Batch) -> u64 {
    let params = net.dim as u64;
    let vector = params.saturating_mul(8);
    // Rows, targets and row indices, in f64/usize.
    let table = (data.n as u64)
        .saturating_mul(data.d as u64 + 2)
        .saturating_mul(8);
    let eval_rows = run::EVAL_ROWS.min(data.n.max(1));
    let runs = optimizers.iter().fold(0u64, |sum, o| {
        let rows = o.batch.unwrap_or(batch).rows(data.n);
        let state = (o.kind.def().state_vectors)(&o.hp);
        let run = vector
            .saturating_mul(crate::engine::RUNNER_VECTORS.saturating_add(state))
            .saturating_add(table)
            .saturating_add(Workspace::<f32>::bytes(net, rows))
            .saturating_add(Workspace::<f32>::bytes(net, eval_rows));
        sum.saturating_add(run)
    });
    // The initial weights, and the split (a copy of every row) while it is made.
    vector
        .saturating_add(table.saturating_mul(2))
        .saturating_add(runs)
}

/// Why an experiment cannot be set up.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TrainError {
    /// The model does not fit the data.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// An optimizer that cannot step this objective (e.g. Newton needs a Hessian).
    #[error("{0}: {1}")]
    Optimizer(&'static str, String),
    /// Settings out of range.
    #[error("{0}")]
    Settings(String),
    /// Nothing to train with.
    #[error("no optimizer given")]
    NoOptimizer,
    /// Beyond a limit.
    #[error(transparent)]
    Limit(#[from] LimitError),
}

/// A model, its data split and the optimizers that will race on it: everything needed to
/// (re)start the same runs bit for bit.
#[derive(Clone, Debug)]
pub struct Experiment {
    /// The standardised train/validation split.
    pub split: Arc<Split>,
    /// The network fitted to the data.
    pub net: Arc<Network>,
    /// Training settings.
    pub settings: TrainSettings,
    /// The optimizers, in order.
    pub optimizers: Vec<Setup>,
    /// The initial parameters every optimizer starts from.
    pub init: Vec<f64>,
}

impl Experiment {
    /// Splits `data`, fits `arch` to it and draws the initial weights, all from the seed.
    pub fn new(
        data: &Dataset,
        arch: &Architecture,
        settings: TrainSettings,
        optimizers: Vec<Setup>,
    ) -> Result<Self, TrainError> {
        if optimizers.is_empty() {
            return Err(TrainError::NoOptimizer);
        }
        settings.check()?;
        limits::optimizers(optimizers.len())?;
        // The experiment's clipping, noise and seed apply to every optimizer alike.
        let optimizers: Vec<Setup> = optimizers
            .into_iter()
            .map(|o| Setup {
                clip: settings.clip_norm.map_or(Clip::None, Clip::Norm),
                noise: settings.noise,
                seed: settings.seed,
                ..o
            })
            .collect();
        for o in &optimizers {
            if o.kind.oracle() == crate::engine::Oracle::Hessian {
                return Err(TrainError::Optimizer(
                    o.kind.name(),
                    "needs a Hessian, which the models do not provide".into(),
                ));
            }
        }
        let net = Network::new(arch, data.d, data.task())?;
        // The memory every run will need, worked out before anything is allocated.
        let need = memory_need(&net, data, &optimizers, settings.batch);
        limits::memory(net.dim as u64, need)?;
        let options = SplitOptions {
            validation: settings.validation,
            stratify: settings.stratify,
            standardize: true,
        };
        let split = Split::new(data, options, settings.seed);
        if split.train.n == 0 {
            return Err(TrainError::Settings(
                "no training rows left after the split".into(),
            ));
        }
        let init = net.init(settings.seed);
        Ok(Self {
            split: Arc::new(split),
            net: Arc::new(net),
            settings,
            optimizers,
            init,
        })
    }

    /// Fresh runs, one per optimizer, all from [`Experiment::init`].
    pub fn runs(&self) -> Result<Vec<TrainRun>, TrainError> {
        self.optimizers
            .iter()
            .map(|setup| TrainRun::new(self, setup.clone()))
            .collect()
    }

    /// A label per optimizer that tells them apart ("Adam", "Adam γ=0.01", "GD, cosine").
    pub fn labels(&self) -> Vec<String> {
        labels(&self.optimizers)
    }

    /// The clipping the settings ask for.
    pub fn clip(&self) -> Clip {
        self.settings.clip_norm.map_or(Clip::None, Clip::Norm)
    }

    /// Trains every optimizer to the end, one after the other, calling `on_epoch` with each
    /// run's index and metrics as they come; returns the finished runs.
    pub fn train_all(
        &self,
        mut on_epoch: impl FnMut(usize, &TrainRun, &EpochMetrics),
    ) -> Result<Vec<TrainRun>, TrainError> {
        let mut runs = self.runs()?;
        for (i, run) in runs.iter_mut().enumerate() {
            while let Some(m) = run.run_epoch() {
                on_epoch(i, run, &m);
            }
        }
        Ok(runs)
    }
}
