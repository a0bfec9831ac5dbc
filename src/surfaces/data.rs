//! A model with two parameters on a dataset, as a surface: `linear:DATASET:FEATURE`
//! (y ≈ w·x + b, mean squared error, axes w and b) and `logistic:DATASET[:F1,F2]` (two features,
//! no bias, binary cross-entropy, axes w₁ and w₂). The loss is the mean over every row, with
//! the conventions of `downhill train`; features (and a regression target) are standardised
//! unless the surface is `raw`. Values, gradients and Hessians are exact, in f64; a mini-batch
//! gradient is the same formula over some rows.

use super::catalog::View;
use super::jet::Real;
use crate::data::{Dataset, DatasetKind, DatasetSource, Standardization, Target, Task};
use std::path::PathBuf;
use thiserror::Error;

/// Which model is fitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataModel {
    /// y ≈ w·x + b on one feature, mean squared error.
    Linear {
        /// The feature.
        feature: String,
    },
    /// P(class 1) = σ(w₁·x₁ + w₂·x₂) on two features, binary cross-entropy.
    Logistic {
        /// The two features (default: the dataset's only two).
        features: Option<(String, String)>,
    },
}

/// A data surface as written: `linear:diabetes:bmi`, `logistic:moons`,
/// `logistic:breast-cancer:mean radius,mean texture`, `linear:my.csv:x[:y]`, and whether the
/// data are used raw.
#[derive(Clone, Debug, PartialEq)]
pub struct DataSpec {
    /// The model.
    pub model: DataModel,
    /// The rows: a shipped dataset or a CSV file.
    pub source: DatasetSource,
    /// Use features and target as they are (no standardisation).
    pub raw: bool,
}

/// Why a data surface cannot be made.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum DataSurfaceError {
    /// The text is not a data surface.
    #[error(
        "'{0}' is not a data surface: write linear:DATASET:FEATURE (e.g. linear:diabetes:bmi) or \
         logistic:DATASET[:F1,F2] (e.g. logistic:moons); DATASET may be a CSV file"
    )]
    Syntax(String),
    /// The rows could not be loaded.
    #[error("{0}")]
    Load(String),
    /// A feature that the dataset does not have.
    #[error("'{name}' is not a feature of {dataset} (its features: {valid})")]
    UnknownFeature {
        /// The name given.
        name: String,
        /// The dataset.
        dataset: String,
        /// Its features.
        valid: String,
    },
    /// The model does not fit the data's task.
    #[error("{0}")]
    Task(String),
}

impl DataSpec {
    /// Reads `linear:DATASET:FEATURE[:TARGET]` or `logistic:DATASET[:F1,F2]`; DATASET is a
    /// shipped dataset's name or a path ending in `.csv`. `None` when `text` does not start
    /// with `linear:` or `logistic:` (another kind of surface).
    pub fn parse(text: &str) -> Option<Result<Self, DataSurfaceError>> {
        let (model, rest) = text.trim().split_once(':')?;
        let model = model.trim();
        if model != "linear" && model != "logistic" {
            return None;
        }
        let bad = || DataSurfaceError::Syntax(text.to_string());
        let parts: Vec<&str> = rest.split(':').map(str::trim).collect();
        let source = |name: &str| -> Result<DatasetSource, DataSurfaceError> {
            if name.is_empty() {
                Err(bad())
            } else if name.ends_with(".csv") || name.contains('/') {
                Ok(DatasetSource::File {
                    path: PathBuf::from(name),
                    target: None,
                })
            } else {
                DatasetKind::from_name(name)
                    .map(|_| DatasetSource::Named(name.to_string()))
                    .map_err(|e| DataSurfaceError::Load(e.to_string()))
            }
        };
        Some((|| {
            Ok(match (model, parts.as_slice()) {
                ("linear", [data, feature]) | ("linear", [data, feature, ""]) => DataSpec {
                    model: DataModel::Linear {
                        feature: feature.to_string(),
                    },
                    source: source(data)?,
                    raw: false,
                },
                ("linear", [data, feature, target]) => {
                    let mut source = source(data)?;
                    match &mut source {
                        DatasetSource::File { target: t, .. } => *t = Some(target.to_string()),
                        DatasetSource::Named(_) => {
                            return Err(DataSurfaceError::Task(format!(
                                "a shipped dataset has its own target; '{target}' is for a CSV file"
                            )));
                        }
                    }
                    DataSpec {
                        model: DataModel::Linear {
                            feature: feature.to_string(),
                        },
                        source,
                        raw: false,
                    }
                }
                ("logistic", [data]) => DataSpec {
                    model: DataModel::Logistic { features: None },
                    source: source(data)?,
                    raw: false,
                },
                ("logistic", [data, pair]) => {
                    let (a, b) = pair.split_once(',').ok_or_else(bad)?;
                    DataSpec {
                        model: DataModel::Logistic {
                            features: Some((a.trim().to_string(), b.trim().to_string())),
                        },
                        source: source(data)?,
                        raw: false,
                    }
                }
                _ => return Err(bad()),
            })
        })())
    }

    /// The name it is written as (without `raw`).
    pub fn name(&self) -> String {
        let data = self.source.label();
        match &self.model {
            DataModel::Linear { feature } => match &self.source {
                DatasetSource::File {
                    target: Some(t), ..
                } => format!("linear:{data}:{feature}:{t}"),
                _ => format!("linear:{data}:{feature}"),
            },
            DataModel::Logistic { features: None } => format!("logistic:{data}"),
            DataModel::Logistic {
                features: Some((a, b)),
            } => format!("logistic:{data}:{a},{b}"),
        }
    }
}

/// The Pearson correlation of two columns (NaN when either is constant).
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    sab / (saa * sbb).sqrt()
}

/// Sums that give the linear model's loss in closed form: means of x, x², y, y², x·y.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Moments {
    x: f64,
    xx: f64,
    y: f64,
    yy: f64,
    xy: f64,
}

/// A two-parameter model on a dataset, ready to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct DataSurface {
    spec: DataSpec,
    /// `spec`'s name, kept to hand out as `&str`.
    name: String,
    /// Rows × (1 or 2) features as the model sees them.
    x: Vec<f64>,
    /// The target as the model sees it (a standardised value, or 0/1).
    y: Vec<f64>,
    n: usize,
    /// Feature names, and the target's.
    names: Vec<String>,
    target: String,
    moments: Option<Moments>,
    minimum: [f64; 2],
    min_value: f64,
    view: View,
}

impl DataSurface {
    /// Loads the rows of `spec` and sets the model up on them.
    pub fn new(spec: DataSpec) -> Result<Self, DataSurfaceError> {
        let regression = matches!(spec.model, DataModel::Linear { .. });
        let data = spec
            .source
            .load(0, regression)
            .map_err(|e| DataSurfaceError::Load(e.to_string()))?;
        Self::from_dataset(spec, &data)
    }

    /// The model of `spec` on the rows of `data`.
    pub fn from_dataset(spec: DataSpec, data: &Dataset) -> Result<Self, DataSurfaceError> {
        let column = |name: &str| -> Result<Vec<f64>, DataSurfaceError> {
            let j = data
                .features
                .iter()
                .position(|f| f == name)
                .ok_or_else(|| DataSurfaceError::UnknownFeature {
                    name: name.to_string(),
                    dataset: crate::limits::echo(&data.name),
                    valid: crate::limits::echo(&data.features.join(", ")),
                })?;
            Ok((0..data.n).map(|i| data.x[i * data.d + j]).collect())
        };
        if data.n < 2 {
            return Err(DataSurfaceError::Task(format!(
                "{} has {} row(s); a surface needs at least 2",
                data.name, data.n
            )));
        }
        // A feature the loss cannot depend on (the same in every row, or differing only by
        // amounts too small to tell apart) makes a surface flat along its weight: refused,
        // naming it, rather than a map every optimizer leaves at step 0 without a word.
        let varied = |name: &str, v: &[f64]| -> Result<(), DataSurfaceError> {
            let (lo, hi) = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                    (a.min(*x), b.max(*x))
                });
            let spread = hi - lo;
            let size = lo.abs().max(hi.abs());
            if !(spread.is_normal() && spread > 1e-12 * size) {
                return Err(DataSurfaceError::Task(format!(
                    "feature '{}' of {} is the same in every row (or differs only by less than \
                     1e-12 of its size): the loss cannot depend on it",
                    crate::limits::echo(name),
                    data.name
                )));
            }
            Ok(())
        };
        let standardise = |v: Vec<f64>| -> Vec<f64> {
            if spec.raw {
                return v;
            }
            // As `downhill train` scales its columns (with every row here: no validation part).
            let rows: Vec<usize> = (0..v.len()).collect();
            let scaling = Standardization::fit(&v, 1, &rows);
            v.into_iter()
                .map(|a| (a - scaling.mean[0]) / scaling.std[0])
                .collect()
        };
        let (cols, names, y) = match &spec.model {
            DataModel::Linear { feature } => {
                let Target::Values(y) = &data.target else {
                    return Err(DataSurfaceError::Task(format!(
                        "linear regression needs a numeric target; {}'s '{}' is classes",
                        data.name, data.target_name
                    )));
                };
                let x = column(feature)?;
                varied(feature, &x)?;
                (
                    vec![standardise(x)],
                    vec![feature.clone()],
                    standardise(y.clone()),
                )
            }
            DataModel::Logistic { features } => {
                if data.task() != Task::Classification(2) {
                    return Err(DataSurfaceError::Task(format!(
                        "logistic regression needs two classes; {} has {}",
                        data.name,
                        match data.task() {
                            Task::Classification(k) => format!("{k} classes"),
                            Task::Regression => "a numeric target".into(),
                        }
                    )));
                }
                let (a, b) = match features {
                    Some((a, b)) => (a.clone(), b.clone()),
                    None if data.d == 2 => (data.features[0].clone(), data.features[1].clone()),
                    None => {
                        return Err(DataSurfaceError::Task(format!(
                            "{} has {} features; name two: logistic:{}:F1,F2 (features: {})",
                            data.name,
                            data.d,
                            spec.source.label(),
                            crate::limits::echo(&data.features.join(", "))
                        )));
                    }
                };
                let (xa, xb) = (column(&a)?, column(&b)?);
                varied(&a, &xa)?;
                varied(&b, &xb)?;
                // Two features that are one up to scale and shift: the loss is flat along a
                // line of (w₁, w₂).
                let corr = correlation(&xa, &xb);
                if corr.is_nan() || corr.abs() >= 1.0 - 1e-12 {
                    return Err(DataSurfaceError::Task(format!(
                        "features '{}' and '{}' of {} are the same up to scale (correlation \
                         {}): the loss is flat along a line; pick two others",
                        crate::limits::echo(&a),
                        crate::limits::echo(&b),
                        data.name,
                        crate::numbers::short(corr)
                    )));
                }
                (vec![standardise(xa), standardise(xb)], vec![a, b], data.y())
            }
        };
        let n = data.n;
        let k = cols.len();
        let mut x = vec![0.0; n * k];
        for (j, col) in cols.iter().enumerate() {
            for (i, v) in col.iter().enumerate() {
                x[i * k + j] = *v;
            }
        }
        if x.iter().chain(&y).any(|v| !v.is_finite()) {
            return Err(DataSurfaceError::Task(
                "the data hold a value that is not finite".into(),
            ));
        }
        let moments = (k == 1).then(|| {
            let nf = n as f64;
            let mean = |f: &dyn Fn(usize) -> f64| (0..n).map(f).sum::<f64>() / nf;
            Moments {
                x: mean(&|i| x[i]),
                xx: mean(&|i| x[i] * x[i]),
                y: mean(&|i| y[i]),
                yy: mean(&|i| y[i] * y[i]),
                xy: mean(&|i| x[i] * y[i]),
            }
        });
        let mut surface = Self {
            name: spec.name(),
            spec,
            x,
            y,
            n,
            names,
            target: data.target_name.clone(),
            moments,
            minimum: [0.0; 2],
            min_value: 0.0,
            view: View {
                x: (-3.0, 3.0),
                y: (-3.0, 3.0),
            },
        };
        surface.minimum = surface.find_minimum();
        surface.min_value = surface.eval(surface.minimum[0], surface.minimum[1]);
        surface.view = surface.fitting_view();
        Ok(surface)
    }

    /// How it was asked for.
    pub fn spec(&self) -> &DataSpec {
        &self.spec
    }

    /// Its name, e.g. `linear:diabetes:bmi`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A short title for menus: "Linear: diabetes, bmi", "Logistic: moons (raw)".
    pub fn title(&self) -> String {
        let raw = if self.spec.raw { " (raw)" } else { "" };
        let data = self.spec.source.label();
        let data = std::path::Path::new(&data)
            .file_name()
            .map_or(data.clone(), |f| f.to_string_lossy().into_owned());
        match &self.spec.model {
            DataModel::Linear { .. } => format!("Linear: {data}, {}{raw}", self.names[0]),
            DataModel::Logistic { .. } => format!("Logistic: {data}{raw}"),
        }
    }

    /// The finest square grid worth sampling for a picture: a logistic model costs a
    /// softplus per row per point, so its grids are capped at about 8 million of those
    /// (≈ 40 ms on two cores); a linear one costs five moments whatever its rows.
    pub fn finest_grid(&self) -> usize {
        match self.moments {
            Some(_) => 1024,
            None => ((8.0e6 / self.n.max(1) as f64).sqrt() as usize).clamp(64, 1024),
        }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.n
    }

    /// Features per row (1 for linear, 2 for logistic).
    pub fn width(&self) -> usize {
        self.x.len() / self.n.max(1)
    }

    /// The features as the model sees them, row-major.
    pub fn features(&self) -> &[f64] {
        &self.x
    }

    /// The target as the model sees it.
    pub fn targets(&self) -> &[f64] {
        &self.y
    }

    /// The feature names, then the target's.
    pub fn names(&self) -> (&[String], &str) {
        (&self.names, &self.target)
    }

    /// The names of the two parameters: ("w", "b") or ("w₁", "w₂").
    pub fn axes(&self) -> (&'static str, &'static str) {
        match self.spec.model {
            DataModel::Linear { .. } => ("w", "b"),
            DataModel::Logistic { .. } => ("w₁", "w₂"),
        }
    }

    /// The model's formula with the names of the data.
    pub fn formula(&self) -> String {
        let scaled = if self.spec.raw { "" } else { " (standardised)" };
        match &self.spec.model {
            DataModel::Linear { .. } => format!(
                "L(w, b) = mean over {} rows of (w·{} + b − {})²{scaled}",
                self.n, self.names[0], self.target
            ),
            DataModel::Logistic { .. } => format!(
                "L(w₁, w₂) = mean over {} rows of cross-entropy of σ(w₁·{} + w₂·{}){scaled}",
                self.n, self.names[0], self.names[1]
            ),
        }
    }

    /// The window: around the minimum and the origin.
    pub fn view(&self) -> View {
        self.view
    }

    /// Where the loss is lowest, and its value there.
    pub fn minimum(&self) -> ([f64; 2], f64) {
        (self.minimum, self.min_value)
    }

    /// f(p, q), ∂f/∂p and ∂f/∂q into `out`, out of line (see `Surface::value_grad`).
    #[inline(never)]
    pub fn value_grad_into(&self, p: f64, q: f64, out: &mut [f64; 3]) {
        let j = self.eval(super::jet::Jet::var(p, 0), super::jet::Jet::var(q, 1));
        *out = [j.v, j.d[0], j.d[1]];
    }

    /// The mean loss over every row at (p, q) over any scalar type.
    #[inline]
    pub fn eval<R: Real>(&self, p: R, q: R) -> R {
        match (&self.spec.model, self.moments) {
            (DataModel::Linear { .. }, Some(m)) => {
                // mean((w·x + b − y)²) expanded in the data's moments.
                p * p * m.xx + p * q * (2.0 * m.x) + q * q - p * (2.0 * m.xy) - q * (2.0 * m.y)
                    + m.yy
            }
            _ => {
                let mut total = R::constant(0.0);
                for (row, &t) in self.x.chunks_exact(2).zip(&self.y) {
                    let z = p * row[0] + q * row[1];
                    total = total + z.softplus() - z * t;
                }
                total * (1.0 / self.n as f64)
            }
        }
    }

    /// The loss and its gradient over the rows `rows` (a mini-batch).
    pub fn batch_value_grad(&self, p: f64, q: f64, rows: &[usize]) -> (f64, [f64; 2]) {
        let (mut loss, mut g) = (0.0, [0.0; 2]);
        for &i in rows {
            let (l, gi) = self.row_value_grad(p, q, i);
            loss += l;
            g[0] += gi[0];
            g[1] += gi[1];
        }
        let s = 1.0 / rows.len().max(1) as f64;
        (loss * s, [g[0] * s, g[1] * s])
    }

    /// Row `i`'s loss and gradient at (p, q).
    #[inline]
    fn row_value_grad(&self, p: f64, q: f64, i: usize) -> (f64, [f64; 2]) {
        match self.spec.model {
            DataModel::Linear { .. } => {
                let (x, y) = (self.x[i], self.y[i]);
                let r = p * x + q - y;
                (r * r, [2.0 * r * x, 2.0 * r])
            }
            DataModel::Logistic { .. } => {
                let (a, b, t) = (self.x[2 * i], self.x[2 * i + 1], self.y[i]);
                let z = p * a + q * b;
                let s = Real::sigmoid(z);
                (Real::softplus(z) - t * z, [(s - t) * a, (s - t) * b])
            }
        }
    }

    /// The Hessian (∂²/∂p², ∂²/∂p∂q, ∂²/∂q²) over the rows `rows`.
    pub fn batch_hessian(&self, p: f64, q: f64, rows: &[usize]) -> [f64; 3] {
        let mut h = [0.0; 3];
        for &i in rows {
            match self.spec.model {
                DataModel::Linear { .. } => {
                    let x = self.x[i];
                    h[0] += 2.0 * x * x;
                    h[1] += 2.0 * x;
                    h[2] += 2.0;
                }
                DataModel::Logistic { .. } => {
                    let (a, b) = (self.x[2 * i], self.x[2 * i + 1]);
                    let s = Real::sigmoid(p * a + q * b);
                    let w = s * (1.0 - s);
                    h[0] += w * a * a;
                    h[1] += w * a * b;
                    h[2] += w * b * b;
                }
            }
        }
        let s = 1.0 / rows.len().max(1) as f64;
        h.map(|v| v * s)
    }

    /// The covariance of a mini-batch gradient at (p, q) for batches of `batch` rows drawn
    /// without replacement: the per-row gradients' covariance Σ scaled by
    /// (n − B) / (B·(n − 1)); as (σ²₀₀, σ₀₁, σ²₁₁).
    pub fn batch_gradient_covariance(&self, p: f64, q: f64, batch: usize) -> [f64; 3] {
        let n = self.n;
        let b = batch.clamp(1, n);
        if b >= n || n < 2 {
            return [0.0; 3];
        }
        let (mut m, mut c) = ([0.0; 2], [0.0; 3]);
        for i in 0..n {
            let (_, g) = self.row_value_grad(p, q, i);
            m[0] += g[0];
            m[1] += g[1];
            c[0] += g[0] * g[0];
            c[1] += g[0] * g[1];
            c[2] += g[1] * g[1];
        }
        let nf = n as f64;
        let (m0, m1) = (m[0] / nf, m[1] / nf);
        let sigma = [
            c[0] / nf - m0 * m0,
            c[1] / nf - m0 * m1,
            c[2] / nf - m1 * m1,
        ];
        let scale = (nf - b as f64) / (b as f64 * (nf - 1.0));
        sigma.map(|v| v * scale)
    }

    /// The prediction for one row of features: w·x + b, or P(class 1).
    pub fn predict(&self, p: f64, q: f64, row: &[f64]) -> f64 {
        match self.spec.model {
            DataModel::Linear { .. } => p * row[0] + q,
            DataModel::Logistic { .. } => Real::sigmoid(p * row[0] + q * row[1]),
        }
    }

    /// The minimum: least squares in closed form, Newton's method for the (convex) logistic
    /// loss.
    fn find_minimum(&self) -> [f64; 2] {
        if let Some(m) = self.moments {
            // Normal equations: [[xx, x], [x, 1]]·(w, b) = (xy, y).
            let det = m.xx - m.x * m.x;
            if det.abs() > 1e-300 {
                let w = (m.xy - m.x * m.y) / det;
                return [w, m.y - w * m.x];
            }
            return [0.0, m.y];
        }
        let all: Vec<usize> = (0..self.n).collect();
        let mut p = [0.0; 2];
        for _ in 0..100 {
            let (_, g) = self.batch_value_grad(p[0], p[1], &all);
            let h = self.batch_hessian(p[0], p[1], &all);
            let det = h[0] * h[2] - h[1] * h[1];
            if det.abs() < 1e-300 || !det.is_finite() {
                break;
            }
            let d = [
                (h[2] * g[0] - h[1] * g[1]) / det,
                (h[0] * g[1] - h[1] * g[0]) / det,
            ];
            // Separable data have no minimum: stop where the loss is nearly flat.
            let len = d[0].hypot(d[1]);
            let cap = 5.0;
            let d = if len > cap {
                [d[0] * cap / len, d[1] * cap / len]
            } else {
                d
            };
            p = [p[0] - d[0], p[1] - d[1]];
            if len < 1e-14 * (1.0 + p[0].abs() + p[1].abs()) || p[0].abs() + p[1].abs() > 1e4 {
                break;
            }
        }
        p
    }

    /// A square window centred on the minimum that holds the origin (where a model starts)
    /// with room around it.
    fn fitting_view(&self) -> View {
        let [w, b] = self.minimum;
        let half = (1.6 * w.hypot(b)).max(2.5);
        View {
            x: (w - half, w + half),
            y: (b - half, b + half),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> DataSpec {
        DataSpec::parse(text).unwrap().unwrap()
    }

    #[test]
    fn names_read_back() {
        for text in [
            "linear:diabetes:bmi",
            "logistic:moons",
            "logistic:breast-cancer:a,b",
        ] {
            assert_eq!(spec(text).name(), text);
        }
        assert!(DataSpec::parse("rosenbrock").is_none());
        assert!(DataSpec::parse("linear:diabetes").unwrap().is_err());
        assert!(DataSpec::parse("logistic:nope").unwrap().is_err());
    }

    #[test]
    fn the_loss_is_the_mean_over_the_rows_and_its_minimum_is_least_squares() {
        let s = DataSurface::new(spec("linear:diabetes:bmi")).unwrap();
        let all: Vec<usize> = (0..s.rows()).collect();
        for (p, q) in [(0.3, -0.2), (1.5, 0.7)] {
            let direct = s.batch_value_grad(p, q, &all).0;
            assert!((s.eval(p, q) - direct).abs() < 1e-12 * (1.0 + direct));
        }
        let ([w, b], _) = s.minimum();
        let (_, g) = s.batch_value_grad(w, b, &all);
        assert!(g[0].abs() < 1e-12 && g[1].abs() < 1e-12, "{g:?}");
        // Standardised: the intercept is 0 and the slope is the correlation.
        assert!(b.abs() < 1e-12 && w > 0.5 && w < 0.7, "{w} {b}");
    }
}
