//! Datasets for the models: the built-in tables, seeded generated sets, user CSV files, and
//! their standardised train/validation split. No egui, no threads.

pub mod builtin;
pub mod csv;
pub mod split;
pub mod synth;

pub use builtin::{DatasetKind, DatasetSource, SourceError, UnknownDataset};
pub use csv::{DataError, TargetHint};
pub use split::{Split, SplitOptions, Standardization, Table};

/// What is predicted: class labels or numeric values.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// One class index per row, with the class names.
    Classes {
        /// Class names, indexed by label.
        names: Vec<String>,
        /// The label of each row, in `0..names.len()`.
        labels: Vec<usize>,
    },
    /// One real value per row (regression).
    Values(Vec<f64>),
}

/// The learning task a dataset poses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Predict one of `n` classes.
    Classification(usize),
    /// Predict a real value.
    Regression,
}

impl Task {
    /// The number of classes, if a classification task.
    pub fn classes(self) -> Option<usize> {
        match self {
            Task::Classification(k) => Some(k),
            Task::Regression => None,
        }
    }
}

/// A table of numeric features (row-major) and a target, unscaled.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Short name (the built-in name or the file stem).
    pub name: String,
    /// Feature column names.
    pub features: Vec<String>,
    /// Target column name.
    pub target_name: String,
    /// Rows.
    pub n: usize,
    /// Features per row.
    pub d: usize,
    /// Features, `n × d` row-major.
    pub x: Vec<f64>,
    /// The target.
    pub target: Target,
}

impl Dataset {
    /// The task the target poses.
    pub fn task(&self) -> Task {
        match &self.target {
            Target::Classes { names, .. } => Task::Classification(names.len()),
            Target::Values(_) => Task::Regression,
        }
    }

    /// Class names (empty for regression).
    pub fn class_names(&self) -> &[String] {
        match &self.target {
            Target::Classes { names, .. } => names,
            Target::Values(_) => &[],
        }
    }

    /// The target of each row as a number: the class index or the value.
    pub fn y(&self) -> Vec<f64> {
        match &self.target {
            Target::Classes { labels, .. } => labels.iter().map(|&l| l as f64).collect(),
            Target::Values(v) => v.clone(),
        }
    }

    /// Row `i`'s features.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }
}
