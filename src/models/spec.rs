//! Model specs: a dataset, an architecture, training settings and optimizers, as TOML.

use super::architecture::Architecture;
use super::objective::Batch;
use crate::data::{Dataset, DatasetSource, SourceError};
use crate::engine::Schedule;
use crate::optim::OptimizerKind;
use crate::train::{Experiment, Setup, TrainError, TrainSettings};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use thiserror::Error;

/// The specs downhill ships, by file name, embedded in the binary.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "iris-softmax",
        include_str!("../../assets/models/iris-softmax.toml"),
    ),
    (
        "digits-mlp",
        include_str!("../../assets/models/digits-mlp.toml"),
    ),
    (
        "breast-cancer-logistic",
        include_str!("../../assets/models/breast-cancer-logistic.toml"),
    ),
    (
        "diabetes-linear",
        include_str!("../../assets/models/diabetes-linear.toml"),
    ),
    (
        "moons-mlp",
        include_str!("../../assets/models/moons-mlp.toml"),
    ),
];

/// A hyperparameter value in a spec: a number or a switch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HpValue {
    /// A switch such as `nesterov = true`.
    Switch(bool),
    /// A number such as `lr = 0.01`.
    Number(f64),
}

impl HpValue {
    /// The value as the optimizer registry takes it (switches as 0 or 1).
    pub fn as_f64(self) -> f64 {
        match self {
            HpValue::Switch(b) => f64::from(u8::from(b)),
            HpValue::Number(v) => v,
        }
    }
}

/// One optimizer in a spec.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimizerEntry {
    /// The optimizer's name, as `downhill list` shows it.
    pub name: String,
    /// Hyperparameters overriding its defaults.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hp: BTreeMap<String, HpValue>,
    /// A learning-rate schedule such as `cosine:t_max=2000`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Rows per step for this optimizer alone (`full`, `single` or a number); default: the
    /// training settings' batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<Batch>,
}

impl OptimizerEntry {
    /// The hyperparameter overrides as `(name, value)` pairs.
    pub fn overrides(&self) -> Vec<(String, f64)> {
        self.hp
            .iter()
            .map(|(k, v)| (k.clone(), v.as_f64()))
            .collect()
    }

    /// The validated optimizer setup, with `extra` overrides applied on top of the spec's.
    pub fn setup(&self, extra: &[(String, f64)]) -> Result<Setup, SpecError> {
        let kind =
            OptimizerKind::from_name(&self.name).map_err(|e| SpecError::Invalid(e.to_string()))?;
        let mut hp = self.overrides();
        hp.extend_from_slice(extra);
        let schedule = match &self.schedule {
            None => Schedule::Constant,
            Some(s) => Schedule::parse(s).map_err(|e| SpecError::Invalid(e.to_string()))?,
        };
        if let Some(Batch::Size(rows)) = self.batch {
            crate::limits::batch(rows).map_err(|e| SpecError::Invalid(e.to_string()))?;
        }
        let setup =
            Setup::new(kind, &hp, schedule).map_err(|e| SpecError::Invalid(e.to_string()))?;
        Ok(Setup {
            batch: self.batch,
            ..setup
        })
    }
}

/// A whole training setup, as stored in `assets/models/*.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// A short name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// One line on what it shows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub about: String,
    /// Where the rows come from: a dataset name or `{ path = "…", target = "…" }`.
    pub dataset: DatasetSource,
    /// The architecture, loss and penalties.
    pub model: Architecture,
    /// Batches, epochs, seed, split, early stopping.
    #[serde(default)]
    pub training: TrainSettings,
    /// The optimizers to race.
    #[serde(default)]
    pub optimizers: Vec<OptimizerEntry>,
}

/// A spec that cannot be read or used.
#[derive(Debug, Error, PartialEq)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read '{0}': {1}")]
    Io(String, String),
    /// The file could not be written: the message names it and why.
    #[error("{0}")]
    Write(String),
    /// The file is not one to read (a device, too large, not text): the message says which.
    #[error("{0}")]
    File(String),
    /// Not valid TOML or not a spec (the message names the line).
    #[error("{0}")]
    Parse(String),
    /// A value that does not make sense (unknown optimizer, bad hyperparameter …).
    #[error("{0}")]
    Invalid(String),
    /// The dataset could not be loaded.
    #[error(transparent)]
    Data(#[from] SourceError),
    /// The experiment could not be set up.
    #[error(transparent)]
    Train(#[from] TrainError),
}

impl ModelSpec {
    /// Parses TOML text.
    pub fn from_toml(text: &str) -> Result<Self, SpecError> {
        let spec: ModelSpec = toml::from_str(text)
            .map_err(|e| SpecError::Parse(crate::limits::one_line(&e.to_string())))?;
        spec.validate()?;
        Ok(spec)
    }

    /// The spec as TOML text that [`ModelSpec::from_toml`] reads back.
    pub fn to_toml(&self) -> Result<String, SpecError> {
        toml::to_string_pretty(self).map_err(|e| SpecError::Invalid(e.to_string()))
    }

    /// Reads a spec file.
    pub fn load(path: &Path) -> Result<Self, SpecError> {
        let shown = crate::limits::echo(&path.display().to_string());
        let text = crate::files::read_text_file(path).map_err(SpecError::File)?;
        let mut spec = Self::from_toml(&text).map_err(|e| match e {
            SpecError::Parse(m) => SpecError::Parse(format!("{shown}: {m}")),
            other => other,
        })?;
        // A CSV named by a relative path lives next to the spec, not in the working folder.
        if let DatasetSource::File { path: data, .. } = &mut spec.dataset
            && data.is_relative()
            && let Some(dir) = path.parent()
        {
            *data = dir.join(&*data);
        }
        Ok(spec)
    }

    /// Writes the spec to a file.
    pub fn save(&self, path: &Path) -> Result<(), SpecError> {
        crate::files::write_output(path, self.to_toml()?.as_bytes()).map_err(SpecError::Write)
    }

    /// A shipped spec by name.
    pub fn shipped(name: &str) -> Option<Result<Self, SpecError>> {
        SHIPPED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| Self::from_toml(text))
    }

    /// Checks what can be checked without the data: optimizers and schedules.
    fn validate(&self) -> Result<(), SpecError> {
        for entry in &self.optimizers {
            entry.setup(&[])?;
        }
        Ok(())
    }

    /// The validated optimizer setups.
    pub fn setups(&self) -> Result<Vec<Setup>, SpecError> {
        self.optimizers.iter().map(|e| e.setup(&[])).collect()
    }

    /// Loads the data and sets up the experiment.
    pub fn experiment(&self) -> Result<(Dataset, Experiment), SpecError> {
        let regression = self.model.kind == super::ModelKind::Linear;
        let data = self.dataset.load(self.training.seed, regression)?;
        let exp = Experiment::new(&data, &self.model, self.training, self.setups()?)?;
        Ok((data, exp))
    }
}
