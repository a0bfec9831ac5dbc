//! Hyperparameter sweeps: the final loss and the steps to converge of one optimizer from one
//! start, over a grid of two hyperparameters (e.g. learning rate × momentum, log axes).

use crate::engine::{Optimizer, RunConfig, RunError, Runner, Status};
use crate::optim::OptimizerKind;
use crate::optim::hyper::{HyperKind, HyperValues};
use crate::setup::Setup;
use crate::surfaces::Surface;
use rayon::prelude::*;
use thiserror::Error;

/// The most values along one axis.
pub const MAX_AXIS: usize = 512;

/// One swept hyperparameter: `count` values from `min` to `max` inclusive, evenly spaced in
/// value or (with `log`) in its logarithm.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The hyperparameter's name (PyTorch's, e.g. `lr`, `momentum`).
    pub name: String,
    /// The first value.
    pub min: f64,
    /// The last value.
    pub max: f64,
    /// Whether values are evenly spaced in log(value).
    pub log: bool,
    /// How many values.
    pub count: usize,
}

/// A sweep that cannot be set up.
#[derive(Debug, Error, PartialEq)]
pub enum SweepError {
    /// An axis spec that does not parse.
    #[error("'{0}' is not an axis (expected NAME:MIN:MAX[:log], e.g. lr:1e-4:1:log)")]
    Syntax(String),
    /// A hyperparameter the optimizer does not have, or a switch.
    #[error("{optimizer} has no real-valued hyperparameter '{name}' (valid: {valid})")]
    Name {
        /// The optimizer.
        optimizer: &'static str,
        /// The name given.
        name: String,
        /// Its sweepable hyperparameters.
        valid: String,
    },
    /// A range outside the hyperparameter's valid values, empty, or not positive on a log
    /// axis.
    #[error("{name}: range [{min}, {max}] is invalid ({why})")]
    Range {
        /// The hyperparameter.
        name: String,
        /// The first value.
        min: f64,
        /// The last value.
        max: f64,
        /// What is wrong.
        why: String,
    },
    /// Both axes name the same hyperparameter.
    #[error("both axes sweep '{0}'")]
    Same(String),
    /// An axis with no values or too many.
    #[error("{0} values per axis is outside [1, {MAX_AXIS}]")]
    Count(usize),
    /// A value combination the optimizer rejects, or a run that cannot start.
    #[error("{0}")]
    Run(String),
}

impl Axis {
    /// Parses `NAME:MIN:MAX[:log]` with `count` values.
    pub fn parse(text: &str, count: usize) -> Result<Self, SweepError> {
        let bad = || SweepError::Syntax(text.to_string());
        let parts: Vec<&str> = text.split(':').map(str::trim).collect();
        let (name, min, max, log) = match parts.as_slice() {
            [n, a, b] => (*n, *a, *b, false),
            [n, a, b, "log"] => (*n, *a, *b, true),
            [n, a, b, "lin" | "linear"] => (*n, *a, *b, false),
            _ => return Err(bad()),
        };
        let num = |t: &str| t.parse::<f64>().ok().filter(|v| v.is_finite());
        let (Some(min), Some(max)) = (num(min), num(max)) else {
            return Err(bad());
        };
        if name.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            name: name.to_string(),
            min,
            max,
            log,
            count,
        })
    }

    /// The k-th value: min + (max − min)·k/(count − 1), or geometrically on a log axis (the
    /// ends exactly `min` and `max`).
    pub fn value(&self, k: usize) -> f64 {
        if self.count <= 1 {
            return self.min;
        }
        if k == 0 {
            return self.min;
        }
        if k >= self.count - 1 {
            return self.max;
        }
        let t = k as f64 / (self.count - 1) as f64;
        if self.log {
            (self.min.ln() + t * (self.max.ln() - self.min.ln())).exp()
        } else {
            self.min + t * (self.max - self.min)
        }
    }

    /// Every value, in order.
    pub fn values(&self) -> Vec<f64> {
        (0..self.count).map(|k| self.value(k)).collect()
    }

    /// Where `v` lies along the axis as a fractional index in [0, count − 1] (unclamped),
    /// for marking the current setting; `None` when it cannot be placed (≤ 0 on a log axis).
    pub fn position(&self, v: f64) -> Option<f64> {
        let (a, b, v) = if self.log {
            if v <= 0.0 {
                return None;
            }
            (self.min.ln(), self.max.ln(), v.ln())
        } else {
            (self.min, self.max, v)
        };
        if self.count <= 1 || a == b {
            return Some(0.0);
        }
        Some((v - a) / (b - a) * (self.count - 1) as f64)
    }

    /// Checks the name and range against `kind`'s hyperparameters.
    fn check(&self, kind: OptimizerKind) -> Result<(), SweepError> {
        if !(1..=MAX_AXIS).contains(&self.count) {
            return Err(SweepError::Count(self.count));
        }
        let sweepable = || {
            kind.hyper_specs()
                .iter()
                .filter(|s| s.kind != HyperKind::Bool)
        };
        let Some(spec) = sweepable().find(|s| s.name == self.name) else {
            return Err(SweepError::Name {
                optimizer: kind.name(),
                name: self.name.clone(),
                valid: sweepable().map(|s| s.name).collect::<Vec<_>>().join(", "),
            });
        };
        let range = |why: String| SweepError::Range {
            name: self.name.clone(),
            min: self.min,
            max: self.max,
            why,
        };
        if self.min > self.max {
            return Err(range("min > max".into()));
        }
        if self.log && self.min <= 0.0 {
            return Err(range("a log axis needs min > 0".into()));
        }
        for v in [self.min, self.max] {
            if !spec.accepts(if spec.kind == HyperKind::Int {
                v.round()
            } else {
                v
            }) {
                return Err(range(format!("valid: {}", spec.range_text())));
            }
        }
        Ok(())
    }
}

/// What to sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// The surface.
    pub surface: Surface,
    /// The optimizer with its other hyperparameters (the swept ones are set per cell) and
    /// the settings of every run.
    pub setup: Setup,
    /// A run has converged when ‖∇f‖ falls below this.
    pub tol_grad: f64,
    /// The start point.
    pub start: [f64; 2],
    /// Most steps per run.
    pub steps: u64,
    /// The horizontal axis.
    pub x: Axis,
    /// The vertical axis.
    pub y: Axis,
}

impl SweepSpec {
    /// The hyperparameters of cell (i, j), Int values rounded.
    pub fn hyper_at(&self, i: usize, j: usize) -> HyperValues {
        let mut hp = self.setup.hp.clone();
        for (axis, k) in [(&self.x, i), (&self.y, j)] {
            let int = self
                .setup
                .kind
                .hyper_specs()
                .iter()
                .any(|s| s.name == axis.name && s.kind == HyperKind::Int);
            let v = axis.value(k);
            // A whole-number axis rounds to the nearest whole number inside the range asked
            // for (history_size:1:2.5 gives 1 and 2, never 3).
            let v = if int {
                let (lo, hi) = (axis.min.ceil(), axis.max.floor().max(axis.min.ceil()));
                v.round().clamp(lo, hi)
            } else {
                v
            };
            hp.set(&axis.name, v);
        }
        hp
    }

    /// Checks both axes and that the optimizer accepts the corner values.
    pub fn validate(&self) -> Result<(), SweepError> {
        self.x.check(self.setup.kind)?;
        self.y.check(self.setup.kind)?;
        if self.x.name == self.y.name {
            return Err(SweepError::Same(self.x.name.clone()));
        }
        for (i, j) in [(0, 0), (self.x.count - 1, self.y.count - 1)] {
            let hp = self.hyper_at(i, j);
            let pairs: Vec<(String, f64)> = hp.iter().map(|(n, v)| (n.to_string(), v)).collect();
            self.setup
                .kind
                .hyper_values(&pairs)
                .map_err(|e| SweepError::Run(e.to_string()))?;
        }
        self.runner(0, 0)
            .map(|_| ())
            .map_err(|e| SweepError::Run(format!("{}: {e}", self.setup.kind.name())))
    }

    /// The run of cell (i, j).
    fn runner(&self, i: usize, j: usize) -> Result<Runner<Surface, Box<dyn Optimizer>>, RunError> {
        let setup = Setup {
            hp: self.hyper_at(i, j),
            ..self.setup.clone()
        };
        let config = RunConfig {
            tol_grad: self.tol_grad,
            ..setup.config()
        };
        setup.runner_with(self.surface.clone(), &self.start, config)
    }
}

/// The outcome of one cell's run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweepCell {
    /// The loss at the end (the last finite one for a diverged run).
    pub loss: f64,
    /// Steps taken (the step of convergence for a converged run).
    pub steps: u64,
    /// Converged, diverged or still running.
    pub status: Status,
    /// The loss at the start.
    pub start_loss: f64,
}

impl SweepCell {
    /// Whether the run diverged, escaped, or is blowing up: its loss ended more than 1000
    /// times its start's above the start, still inside the bounds (a large enough γ on a
    /// quadratic runs to 10¹² long before a coordinate reaches the divergence bound). Such a
    /// cell has no final loss worth comparing.
    pub fn diverged(&self) -> bool {
        self.status.ended_nowhere()
            || !self.loss.is_finite()
            || self.loss - self.start_loss > 1e3 * (self.start_loss.abs() + 1.0)
    }

    /// The status to report: "diverged" for a run blowing up inside the bounds too.
    pub fn label(&self) -> &'static str {
        if self.diverged() && !self.status.ended_nowhere() {
            "diverged"
        } else {
            self.status.label()
        }
    }
}

/// A finished sweep: `cells[j * x.count + i]` for x value i and y value j.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// What was swept.
    pub spec: SweepSpec,
    /// The cells, row-major, row j = y value j (row 0 the smallest).
    pub cells: Vec<SweepCell>,
}

impl Sweep {
    /// Runs every cell in parallel (rayon's global pool).
    pub fn compute(spec: &SweepSpec) -> Result<Self, SweepError> {
        spec.validate()?;
        let (nx, ny) = (spec.x.count, spec.y.count);
        let cells = (0..nx * ny)
            .into_par_iter()
            .map(|c| run_cell(spec, c % nx, c / nx))
            .collect();
        Ok(Self {
            spec: spec.clone(),
            cells,
        })
    }

    /// The cell for x value i, y value j.
    pub fn cell(&self, i: usize, j: usize) -> Option<&SweepCell> {
        (i < self.spec.x.count && j < self.spec.y.count)
            .then(|| &self.cells[j * self.spec.x.count + i])
    }

    /// The (x, y) hyperparameter values of cell (i, j): what clicking it sets.
    pub fn values_at(&self, i: usize, j: usize) -> (f64, f64) {
        let hp = self.spec.hyper_at(i, j);
        (
            hp.get(&self.spec.x.name).unwrap_or(f64::NAN),
            hp.get(&self.spec.y.name).unwrap_or(f64::NAN),
        )
    }

    /// Where the setting `hp` lies on the grid, as fractional (i, j) indices (for the
    /// current-setting marker).
    pub fn locate(&self, hp: &HyperValues) -> Option<(f64, f64)> {
        let x = self.spec.x.position(hp.get(&self.spec.x.name)?)?;
        let y = self.spec.y.position(hp.get(&self.spec.y.name)?)?;
        Some((x, y))
    }

    /// Each cell's final loss, or its steps to converge with `steps`; NaN where it diverged
    /// (laid out as the cells, for [`crate::insight::picture::Picture::heatmap`]).
    pub fn metric(&self, steps: bool) -> Vec<f64> {
        self.cells
            .iter()
            .map(|c| match (c.diverged(), steps) {
                (true, _) => f64::NAN,
                (false, true) => c.steps as f64,
                (false, false) => c.loss,
            })
            .collect()
    }

    /// The cell with the lowest final loss among those that did not diverge.
    pub fn best(&self) -> Option<(usize, usize)> {
        let nx = self.spec.x.count;
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.diverged() && c.loss.is_finite())
            .min_by(|a, b| a.1.loss.total_cmp(&b.1.loss))
            .map(|(k, _)| (k % nx, k / nx))
    }
}

/// Runs cell (i, j).
fn run_cell(spec: &SweepSpec, i: usize, j: usize) -> SweepCell {
    match spec.runner(i, j) {
        Ok(mut runner) => {
            let start_loss = runner.loss();
            let taken = runner.run(spec.steps, &mut []);
            let status = runner.status();
            SweepCell {
                loss: runner.loss(),
                steps: status.step().unwrap_or(taken),
                status,
                start_loss,
            }
        }
        Err(_) => SweepCell {
            loss: f64::NAN,
            steps: 0,
            status: Status::Running,
            start_loss: f64::NAN,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surfaces::SurfaceKind;

    #[test]
    fn whole_number_axes_stay_inside_the_range_asked_for() {
        let spec = SweepSpec {
            surface: Surface::new(SurfaceKind::Rosenbrock),
            setup: Setup::default_for(OptimizerKind::LBFGS),
            tol_grad: 1e-8,
            start: [-1.2, 1.0],
            steps: 5,
            x: Axis::parse("history_size:1:2.5", 5).unwrap(),
            y: Axis::parse("lr:0.1:1", 2).unwrap(),
        };
        let xs: Vec<f64> = (0..5)
            .map(|i| spec.hyper_at(i, 0).get("history_size").unwrap())
            .collect();
        assert!(xs.iter().all(|v| (1.0..=2.0).contains(v)), "{xs:?}");
    }

    #[test]
    fn axes_parse_and_space() {
        let a = Axis::parse("lr:1e-3:1e-1:log", 3).unwrap();
        let v = a.values();
        assert!((v[1] - 1e-2).abs() < 1e-15 && (v[2] - 1e-1).abs() < 1e-15);
        assert!((a.position(1e-2).unwrap() - 1.0).abs() < 1e-12);
        let b = Axis::parse("momentum:0:0.9", 4).unwrap();
        assert!((b.values()[3] - 0.9).abs() < 1e-15 && !b.log);
        assert!(Axis::parse("lr:1", 3).is_err());
        assert!(Axis::parse("lr:a:1", 3).is_err());
        assert!(Axis::parse("lr:1:2:cubic", 3).is_err());
    }

    #[test]
    fn sweep_of_gd_on_the_quadratic_diverges_past_the_bound() {
        let surface = Surface::new(SurfaceKind::Quadratic);
        let kind = OptimizerKind::MOMENTUM;
        let spec = SweepSpec {
            surface: surface.clone(),
            setup: Setup::default_for(kind),
            tol_grad: 1e-6,
            start: surface.default_start(),
            steps: 2000,
            x: Axis::parse("lr:0.01:1:log", 9).unwrap(),
            y: Axis::parse("momentum:0:0.9", 4).unwrap(),
        };
        let sweep = Sweep::compute(&spec).unwrap();
        assert_eq!(sweep.cells.len(), 36);
        // κ = 10: heavy ball with μ is stable iff lr < 2(1 + μ)/10.
        for j in 0..4 {
            for i in 0..9 {
                let (lr, mu) = sweep.values_at(i, j);
                let bound = 2.0 * (1.0 + mu) / 10.0;
                let c = sweep.cell(i, j).unwrap();
                if lr < 0.9 * bound {
                    assert!(!c.diverged(), "lr {lr} μ {mu}: {c:?}");
                } else if lr > 1.1 * bound {
                    assert!(c.diverged(), "lr {lr} μ {mu}: {c:?}");
                }
            }
        }
        let (i, j) = sweep.best().unwrap();
        assert!(!sweep.cell(i, j).unwrap().diverged());
        let (x, y) = sweep.locate(&spec.hyper_at(2, 1)).unwrap();
        assert!((x - 2.0).abs() < 1e-9 && (y - 1.0).abs() < 1e-9);
    }

    #[test]
    fn bad_sweeps_are_rejected() {
        let surface = Surface::new(SurfaceKind::Himmelblau);
        let kind = OptimizerKind::ADAM;
        let mut spec = SweepSpec {
            surface,
            setup: Setup::default_for(kind),
            tol_grad: 1e-8,
            start: [0.0, 0.0],
            steps: 10,
            x: Axis::parse("lr:1e-3:1:log", 4).unwrap(),
            y: Axis::parse("beta1:0:0.99", 4).unwrap(),
        };
        assert!(spec.validate().is_ok());
        spec.y = Axis::parse("momentum:0:0.9", 4).unwrap();
        assert!(matches!(spec.validate(), Err(SweepError::Name { .. })));
        spec.y = Axis::parse("beta1:0:1.5", 4).unwrap();
        assert!(matches!(spec.validate(), Err(SweepError::Range { .. })));
        spec.y = Axis::parse("lr:0.1:1", 4).unwrap();
        assert!(matches!(spec.validate(), Err(SweepError::Same(_))));
        spec.y = Axis::parse("beta1:0:0.9:log", 4).unwrap();
        assert!(matches!(spec.validate(), Err(SweepError::Range { .. })));
        spec.y = Axis::parse("amsgrad:0:1", 4).unwrap();
        assert!(matches!(spec.validate(), Err(SweepError::Name { .. })));
    }
}
