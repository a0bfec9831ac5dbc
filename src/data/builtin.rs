//! The datasets downhill ships (embedded in the binary) or generates, by name.

use super::csv::{self, DataError, TargetHint};
use super::{Dataset, synth};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Every named dataset: five real tables and six seeded generators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatasetKind {
    /// Fisher's iris: 150 × 4, 3 species.
    Iris,
    /// Wine cultivars: 178 × 13, 3 classes.
    Wine,
    /// Breast cancer Wisconsin (diagnostic): 569 × 30, malignant/benign.
    BreastCancer,
    /// Handwritten digits, 8×8 pixels: 1797 × 64, 10 classes.
    Digits,
    /// Diabetes progression: 442 × 10, regression.
    Diabetes,
    /// Two interleaving half circles (2-D, 2 classes).
    Moons,
    /// A circle inside a ring (2-D, 2 classes).
    Circles,
    /// Four quadrants labelled by the sign of x·y (2-D, 2 classes).
    Xor,
    /// Two interleaved spirals (2-D, 2 classes).
    Spirals,
    /// Three Gaussian blobs (2-D, 3 classes).
    Blobs,
    /// y = 2x − 1 + noise (1 feature, regression).
    Linear,
}

/// A dataset name that is not one of [`DatasetKind::ALL`].
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unknown dataset '{0}' (valid: {names})", names = DatasetKind::names().join(", "))]
pub struct UnknownDataset(pub String);

impl DatasetKind {
    /// All datasets in listing order.
    pub const ALL: [DatasetKind; 11] = [
        DatasetKind::Iris,
        DatasetKind::Wine,
        DatasetKind::BreastCancer,
        DatasetKind::Digits,
        DatasetKind::Diabetes,
        DatasetKind::Moons,
        DatasetKind::Circles,
        DatasetKind::Xor,
        DatasetKind::Spirals,
        DatasetKind::Blobs,
        DatasetKind::Linear,
    ];

    /// The stable command-line name.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Iris => "iris",
            DatasetKind::Wine => "wine",
            DatasetKind::BreastCancer => "breast-cancer",
            DatasetKind::Digits => "digits",
            DatasetKind::Diabetes => "diabetes",
            DatasetKind::Moons => "moons",
            DatasetKind::Circles => "circles",
            DatasetKind::Xor => "xor",
            DatasetKind::Spirals => "spirals",
            DatasetKind::Blobs => "blobs",
            DatasetKind::Linear => "linear",
        }
    }

    /// Every name, in listing order.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.name()).collect()
    }

    /// Looks a dataset up by name (`breast_cancer` is accepted for `breast-cancer`).
    pub fn from_name(name: &str) -> Result<Self, UnknownDataset> {
        let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|k| k.name() == wanted)
            .ok_or_else(|| UnknownDataset(name.to_string()))
    }

    /// One line on what the dataset is.
    pub fn about(self) -> &'static str {
        match self {
            DatasetKind::Iris => "Fisher's iris: 150 flowers × 4 measurements, 3 species",
            DatasetKind::Wine => "wine: 178 wines × 13 chemical measurements, 3 cultivars",
            DatasetKind::BreastCancer => {
                "breast cancer Wisconsin: 569 biopsies × 30 features, malignant or benign"
            }
            DatasetKind::Digits => "handwritten digits: 1797 images of 8×8 pixels, 10 classes",
            DatasetKind::Diabetes => {
                "diabetes: 442 patients × 10 features, disease progression (regression)"
            }
            DatasetKind::Moons => "two interleaving half moons, 2-D, 2 classes (generated)",
            DatasetKind::Circles => "a circle inside a ring, 2-D, 2 classes (generated)",
            DatasetKind::Xor => "XOR quadrants, 2-D, 2 classes (generated)",
            DatasetKind::Spirals => "two interleaved spirals, 2-D, 2 classes (generated)",
            DatasetKind::Blobs => "three Gaussian blobs, 2-D, 3 classes (generated)",
            DatasetKind::Linear => "noisy line y = 2x − 1 + ε, 1 feature (generated regression)",
        }
    }

    /// Whether the rows are generated from the seed (rather than a shipped table).
    pub fn is_generated(self) -> bool {
        !matches!(
            self,
            DatasetKind::Iris
                | DatasetKind::Wine
                | DatasetKind::BreastCancer
                | DatasetKind::Digits
                | DatasetKind::Diabetes
        )
    }

    /// The embedded CSV text of a shipped table.
    fn csv_text(self) -> Option<&'static str> {
        Some(match self {
            DatasetKind::Iris => include_str!("../../assets/datasets/iris.csv"),
            DatasetKind::Wine => include_str!("../../assets/datasets/wine.csv"),
            DatasetKind::BreastCancer => include_str!("../../assets/datasets/breast_cancer.csv"),
            DatasetKind::Digits => include_str!("../../assets/datasets/digits_8x8.csv"),
            DatasetKind::Diabetes => include_str!("../../assets/datasets/diabetes.csv"),
            _ => return None,
        })
    }

    /// The dataset's rows; generated sets draw them from `seed`.
    pub fn load(self, seed: u64) -> Result<Dataset, DataError> {
        if let Some(text) = self.csv_text() {
            // The shipped tables have their target in the last column; diabetes is regression,
            // the wine cultivars (0, 1, 2) are classes.
            let hint = if self == DatasetKind::Diabetes {
                TargetHint::Regression
            } else {
                TargetHint::Auto
            };
            return csv::parse(self.name(), text, None, hint);
        }
        Ok(match self {
            DatasetKind::Moons => synth::moons(400, 0.1, seed),
            DatasetKind::Circles => synth::circles(400, 0.08, 0.5, seed),
            DatasetKind::Xor => synth::xor(400, 0.1, seed),
            DatasetKind::Spirals => synth::spirals(400, 0.05, seed),
            DatasetKind::Blobs => synth::blobs(450, 3, 0.8, seed),
            _ => synth::linear(200, 2.0, -1.0, 0.3, seed),
        })
    }
}

/// Where a model's rows come from: a named dataset or a CSV file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DatasetSource {
    /// A built-in or generated dataset by name.
    Named(String),
    /// A CSV file and, optionally, its target column (default: the last).
    File {
        /// The file.
        path: PathBuf,
        /// The target column.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
    },
}

/// What a spec's `dataset` may be, in the words its refusal uses.
const DATASET_EXPECTED: &str = "a name like \"iris\" or { path = \"x.csv\", target = \"y\" }";

/// Read by hand rather than as an untagged enum, whose refusal ("data did not match any
/// variant of untagged enum") says neither what was wrong nor what would do.
impl<'de> Deserialize<'de> for DatasetSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Source;
        impl<'de> serde::de::Visitor<'de> for Source {
            type Value = DatasetSource;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(DATASET_EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DatasetSource, E> {
                Ok(DatasetSource::Named(v.to_string()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<DatasetSource, M::Error> {
                use serde::de::Error;
                let (mut path, mut target) = (None::<PathBuf>, None::<String>);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "path" if path.is_none() => path = Some(map.next_value()?),
                        "target" if target.is_none() => target = Some(map.next_value()?),
                        "path" | "target" => {
                            return Err(M::Error::custom(format!("'{key}' is given twice")));
                        }
                        _ => {
                            return Err(M::Error::custom(format!(
                                "unknown field '{}' in dataset (expected {DATASET_EXPECTED})",
                                crate::limits::echo(&key)
                            )));
                        }
                    }
                }
                let path = path.ok_or_else(|| {
                    M::Error::custom(format!("dataset needs a path: {DATASET_EXPECTED}"))
                })?;
                Ok(DatasetSource::File { path, target })
            }
        }
        d.deserialize_any(Source)
    }
}

impl DatasetSource {
    /// Loads the rows; `regression` reads a numeric file target as values, never classes.
    pub fn load(&self, seed: u64, regression: bool) -> Result<Dataset, SourceError> {
        match self {
            DatasetSource::Named(name) => Ok(DatasetKind::from_name(name)?.load(seed)?),
            DatasetSource::File { path, target } => {
                let hint = if regression {
                    TargetHint::Regression
                } else {
                    TargetHint::Auto
                };
                Ok(csv::read_path(path, target.as_deref(), hint)?)
            }
        }
    }

    /// A short label: the dataset name or the file path.
    pub fn label(&self) -> String {
        match self {
            DatasetSource::Named(n) => n.clone(),
            DatasetSource::File { path, .. } => path.display().to_string(),
        }
    }
}

/// Why a dataset could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SourceError {
    /// An unknown name.
    #[error(transparent)]
    Unknown(#[from] UnknownDataset),
    /// A file that could not be read.
    #[error(transparent)]
    Data(#[from] DataError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Target, Task};

    #[test]
    fn every_dataset_loads_with_its_documented_shape() {
        let expect = [
            ("iris", 150, 4, Task::Classification(3)),
            ("wine", 178, 13, Task::Classification(3)),
            ("breast-cancer", 569, 30, Task::Classification(2)),
            ("digits", 1797, 64, Task::Classification(10)),
            ("diabetes", 442, 10, Task::Regression),
            ("moons", 400, 2, Task::Classification(2)),
            ("circles", 400, 2, Task::Classification(2)),
            ("xor", 400, 2, Task::Classification(2)),
            ("spirals", 400, 2, Task::Classification(2)),
            ("blobs", 450, 2, Task::Classification(3)),
            ("linear", 200, 1, Task::Regression),
        ];
        for (name, n, d, task) in expect {
            let data = DatasetKind::from_name(name).unwrap().load(1).unwrap();
            assert_eq!((data.n, data.d, data.task()), (n, d, task), "{name}");
            assert_eq!(data.x.len(), n * d);
            assert!(data.x.iter().all(|v| v.is_finite()));
        }
        let iris = DatasetKind::Iris.load(0).unwrap();
        assert_eq!(iris.target_name, "species");
        assert_eq!(iris.class_names(), ["setosa", "versicolor", "virginica"]);
        let bc = DatasetKind::BreastCancer.load(0).unwrap();
        assert_eq!(bc.target_name, "diagnosis");
        assert!(matches!(
            DatasetKind::Diabetes.load(0).unwrap().target,
            Target::Values(_)
        ));
    }

    #[test]
    fn names_round_trip_and_unknown_names_list_the_valid_ones() {
        for k in DatasetKind::ALL {
            assert_eq!(DatasetKind::from_name(k.name()), Ok(k));
        }
        assert_eq!(
            DatasetKind::from_name("breast_cancer"),
            Ok(DatasetKind::BreastCancer)
        );
        let err = DatasetKind::from_name("mnist").unwrap_err().to_string();
        assert!(err.contains("mnist") && err.contains("spirals"), "{err}");
    }
}
