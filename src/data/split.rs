//! A seeded train/validation split, standardised with the training rows' mean and standard
//! deviation.

use super::{Dataset, Target, Task};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Rows ready for a model: standardised features and a numeric target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Rows.
    pub n: usize,
    /// Features per row.
    pub d: usize,
    /// Features, `n × d` row-major, standardised.
    pub x: Vec<f64>,
    /// Targets: the class index (as f64) or the standardised value.
    pub y: Vec<f64>,
    /// Each row's index in the original dataset.
    pub rows: Vec<usize>,
}

impl Table {
    /// Row `i`'s features.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

/// A per-column affine map x ↦ (x − mean) / std, fitted on the training rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardization {
    /// Column means.
    pub mean: Vec<f64>,
    /// Column standard deviations (1 where a column is constant).
    pub std: Vec<f64>,
}

impl Standardization {
    /// The identity map on `d` columns.
    pub fn identity(d: usize) -> Self {
        Self {
            mean: vec![0.0; d],
            std: vec![1.0; d],
        }
    }

    /// Fits mean and (population) standard deviation of the given rows of `x` (`d` columns).
    pub fn fit(x: &[f64], d: usize, rows: &[usize]) -> Self {
        let mut mean = vec![0.0; d];
        let mut var = vec![0.0; d];
        let n = rows.len().max(1) as f64;
        for &r in rows {
            for (m, v) in mean.iter_mut().zip(&x[r * d..(r + 1) * d]) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n);
        for &r in rows {
            for ((s, v), m) in var.iter_mut().zip(&x[r * d..(r + 1) * d]).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
        let std = var
            .into_iter()
            .map(|s| {
                let sd = (s / n).sqrt();
                if sd > 1e-12 { sd } else { 1.0 }
            })
            .collect();
        Self { mean, std }
    }

    /// Maps one row in place.
    pub fn apply(&self, row: &mut [f64]) {
        for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
            *v = (*v - m) / s;
        }
    }

    /// The inverse of [`Standardization::apply`] for one value of column `col`.
    pub fn invert(&self, col: usize, v: f64) -> f64 {
        v * self.std[col] + self.mean[col]
    }
}

/// How to split and scale.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SplitOptions {
    /// Fraction of rows held out for validation, in [0, 0.9].
    pub validation: f64,
    /// Keep each class's share the same in both parts.
    pub stratify: bool,
    /// Standardise features (and a regression target) with the training rows' statistics.
    pub standardize: bool,
}

impl Default for SplitOptions {
    fn default() -> Self {
        Self {
            validation: 0.2,
            stratify: true,
            standardize: true,
        }
    }
}

/// A dataset split into standardised training and validation tables.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// The dataset's name.
    pub name: String,
    /// The task.
    pub task: Task,
    /// Feature names.
    pub features: Vec<String>,
    /// Class names (empty for regression).
    pub class_names: Vec<String>,
    /// Training rows.
    pub train: Table,
    /// Validation rows (possibly none).
    pub val: Table,
    /// The feature scaling that was applied (identity when standardisation is off).
    pub scaling: Standardization,
    /// The regression target's scaling (column 0), if one was applied.
    pub target_scaling: Option<Standardization>,
    /// Whether features were standardised (for the UI to say so).
    pub standardized: bool,
}

impl Split {
    /// Splits `data` with `seed`: a seeded shuffle, per class when stratifying.
    pub fn new(data: &Dataset, options: SplitOptions, seed: u64) -> Self {
        let frac = options.validation.clamp(0.0, crate::limits::MAX_VALIDATION);
        let mut rng = StdRng::seed_from_u64(seed ^ SPLIT_SALT);
        let mut train_rows = Vec::new();
        let mut val_rows = Vec::new();
        let groups: Vec<Vec<usize>> = match (&data.target, options.stratify) {
            (Target::Classes { names, labels }, true) => (0..names.len())
                .map(|c| (0..data.n).filter(|&i| labels[i] == c).collect())
                .collect(),
            _ => vec![(0..data.n).collect()],
        };
        for mut group in groups {
            group.shuffle(&mut rng);
            let k = (group.len() as f64 * frac).round() as usize;
            val_rows.extend_from_slice(&group[..k]);
            train_rows.extend_from_slice(&group[k..]);
        }
        // Interleave classes again so that a table is not sorted by class.
        train_rows.shuffle(&mut rng);
        val_rows.shuffle(&mut rng);
        let d = data.d;
        let scaling = if options.standardize {
            Standardization::fit(&data.x, d, &train_rows)
        } else {
            Standardization::identity(d)
        };
        let y = data.y();
        let target_scaling = match (&data.target, options.standardize) {
            (Target::Values(_), true) => Some(Standardization::fit(&y, 1, &train_rows)),
            _ => None,
        };
        let table = |rows: Vec<usize>| {
            let mut x = Vec::with_capacity(rows.len() * d);
            let mut ys = Vec::with_capacity(rows.len());
            for &r in &rows {
                let start = x.len();
                x.extend_from_slice(data.row(r));
                scaling.apply(&mut x[start..]);
                let mut t = [y[r]];
                if let Some(s) = &target_scaling {
                    s.apply(&mut t);
                }
                ys.push(t[0]);
            }
            Table {
                n: rows.len(),
                d,
                x,
                y: ys,
                rows,
            }
        };
        Split {
            name: data.name.clone(),
            task: data.task(),
            features: data.features.clone(),
            class_names: data.class_names().to_vec(),
            train: table(train_rows),
            val: table(val_rows),
            scaling,
            target_scaling,
            standardized: options.standardize,
        }
    }
}

/// A fixed salt so that the split's shuffle differs from the batch shuffle of the same seed.
const SPLIT_SALT: u64 = 0x5eed_0000_5917;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::DatasetKind;

    #[test]
    fn split_is_seeded_stratified_and_standardised() {
        let iris = DatasetKind::Iris.load(0).unwrap();
        let a = Split::new(&iris, SplitOptions::default(), 3);
        assert_eq!(a, Split::new(&iris, SplitOptions::default(), 3));
        assert_ne!(
            a.train.rows,
            Split::new(&iris, SplitOptions::default(), 4).train.rows
        );
        assert_eq!((a.train.n, a.val.n), (120, 30));
        for c in 0..3 {
            let count = a.val.y.iter().filter(|&&y| y == c as f64).count();
            assert_eq!(count, 10, "class {c}");
        }
        let mut all: Vec<usize> = a.train.rows.iter().chain(&a.val.rows).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..150).collect::<Vec<_>>());
        // Training columns have mean 0 and standard deviation 1.
        for j in 0..4 {
            let col: Vec<f64> = (0..a.train.n).map(|i| a.train.row(i)[j]).collect();
            let mean = col.iter().sum::<f64>() / col.len() as f64;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / col.len() as f64;
            assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
        }
        assert!(a.standardized);
    }

    #[test]
    fn regression_targets_are_standardised_and_constant_columns_kept() {
        let diabetes = DatasetKind::Diabetes.load(0).unwrap();
        let s = Split::new(&diabetes, SplitOptions::default(), 0);
        let mean = s.train.y.iter().sum::<f64>() / s.train.n as f64;
        assert!(mean.abs() < 1e-12);
        let scale = s.target_scaling.as_ref().unwrap();
        assert!(scale.std[0] > 10.0);
        let digits = DatasetKind::Digits.load(0).unwrap();
        let s = Split::new(&digits, SplitOptions::default(), 0);
        assert_eq!(s.scaling.std[0], 1.0, "pixel 0 is always blank");
        assert!(s.train.x.iter().all(|v| v.is_finite()));
    }
}
