//! The optimizers and their registry: each optimizer is one [`OptimizerDef`] in its own file,
//! and [`OPTIMIZERS`] lists them. Everything else (the command line, the panels, the sweep, the
//! runner) reads the definitions and never names an optimizer.

// The update kernels advance several state vectors in lockstep; indexing reads clearer there
// than a zip of five iterators.
#![allow(clippy::needless_range_loop)]

pub mod adadelta;
pub mod adagrad;
pub mod adam;
pub mod def;
pub mod hyper;
pub mod labels;
pub mod lbfgs;
pub mod line_search;
pub mod lion;
pub mod nadam;
pub mod newton;
pub mod power;
pub mod radam;
pub mod rmsprop;
pub mod sgd;

use crate::engine::{Optimizer, Oracle};
pub use def::{HyperReader, OptimizerDef};
use hyper::{HyperError, HyperSpec, HyperValues};
use serde::{Serialize, Serializer};

pub use adadelta::Adadelta;
pub use adagrad::Adagrad;
pub use adam::Adam;
pub use lbfgs::Lbfgs;
pub use lion::Lion;
pub use nadam::Nadam;
pub use newton::Newton;
pub use radam::Radam;
pub use rmsprop::Rmsprop;
pub use sgd::Sgd;

/// Every optimizer downhill knows, in the order they are listed. Adding one is a file with
/// its [`OptimizerDef`] and one line here.
pub static OPTIMIZERS: &[&OptimizerDef] = &[
    &sgd::GD,
    &sgd::MOMENTUM,
    &sgd::NESTEROV,
    &adagrad::ADAGRAD,
    &rmsprop::RMSPROP,
    &adadelta::ADADELTA,
    &adam::ADAM,
    &adam::ADAMW,
    &adam::AMSGRAD,
    &nadam::NADAM,
    &radam::RADAM,
    &lion::LION,
    &newton::NEWTON,
    &lbfgs::LBFGS,
];

/// One optimizer of the registry: a cheap handle on its [`OptimizerDef`]. The constants name
/// the shipped ones for code that means a particular optimizer (presets, tests, benchmarks).
#[derive(Clone, Copy)]
pub struct OptimizerKind(&'static OptimizerDef);

impl PartialEq for OptimizerKind {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for OptimizerKind {}

impl std::hash::Hash for OptimizerKind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl std::fmt::Debug for OptimizerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.name)
    }
}

impl Serialize for OptimizerKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

/// An optimizer name that is not in [`OPTIMIZERS`].
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unknown optimizer '{0}' (valid: {names})", names = OptimizerKind::names().join(", "))]
pub struct UnknownOptimizer(pub String);

impl OptimizerKind {
    /// Plain gradient descent.
    pub const GD: Self = Self(&sgd::GD);
    /// SGD with heavy-ball momentum.
    pub const MOMENTUM: Self = Self(&sgd::MOMENTUM);
    /// SGD with Nesterov momentum.
    pub const NESTEROV: Self = Self(&sgd::NESTEROV);
    /// AdaGrad.
    pub const ADAGRAD: Self = Self(&adagrad::ADAGRAD);
    /// RMSprop.
    pub const RMSPROP: Self = Self(&rmsprop::RMSPROP);
    /// Adadelta.
    pub const ADADELTA: Self = Self(&adadelta::ADADELTA);
    /// Adam.
    pub const ADAM: Self = Self(&adam::ADAM);
    /// AdamW.
    pub const ADAMW: Self = Self(&adam::ADAMW);
    /// AMSGrad.
    pub const AMSGRAD: Self = Self(&adam::AMSGRAD);
    /// NAdam.
    pub const NADAM: Self = Self(&nadam::NADAM);
    /// RAdam.
    pub const RADAM: Self = Self(&radam::RADAM);
    /// Lion.
    pub const LION: Self = Self(&lion::LION);
    /// Damped Newton (needs a Hessian).
    pub const NEWTON: Self = Self(&newton::NEWTON);
    /// L-BFGS.
    pub const LBFGS: Self = Self(&lbfgs::LBFGS);

    /// Every optimizer of the registry, in order.
    pub fn all() -> impl Iterator<Item = OptimizerKind> {
        OPTIMIZERS.iter().map(|d| Self(d))
    }

    /// Its definition.
    pub fn def(self) -> &'static OptimizerDef {
        self.0
    }

    /// The stable lower-case name used on the command line and in files.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// All stable names.
    pub fn names() -> Vec<&'static str> {
        OPTIMIZERS.iter().map(|d| d.name).collect()
    }

    /// Looks an optimizer up by its stable name.
    pub fn from_name(name: &str) -> Result<Self, UnknownOptimizer> {
        Self::all()
            .find(|k| k.name() == name)
            .ok_or_else(|| UnknownOptimizer(name.to_string()))
    }

    /// The display name, e.g. "SGD + momentum".
    pub fn title(self) -> &'static str {
        self.0.title
    }

    /// The short name for legends, e.g. "Momentum".
    pub fn short(self) -> &'static str {
        self.0.short
    }

    /// The update rule, in the notation of the PyTorch documentation.
    pub fn formula(self) -> &'static str {
        self.0.formula
    }

    /// Where the method comes from, and what it is known for, in one sentence.
    pub fn summary(self) -> &'static str {
        self.0.summary
    }

    /// Its hyperparameters, with defaults and ranges.
    pub fn hyper_specs(self) -> &'static [HyperSpec] {
        self.0.hyper
    }

    /// The spec of hyperparameter `name`, if it has one.
    pub fn hyper_spec(self, name: &str) -> Option<&'static HyperSpec> {
        self.0.hyper.iter().find(|s| s.name == name)
    }

    /// What it needs from the objective.
    pub fn oracle(self) -> Oracle {
        self.0.oracle
    }

    /// The default hyperparameters.
    pub fn defaults(self) -> HyperValues {
        HyperValues::defaults(self.0.hyper)
    }

    /// The defaults with `overrides` applied; unknown names and out-of-range values are errors.
    pub fn hyper_values(self, overrides: &[(String, f64)]) -> Result<HyperValues, HyperError> {
        let mut values = self.defaults();
        for (name, value) in overrides {
            let spec = self.hyper_spec(name).ok_or_else(|| HyperError::Unknown {
                optimizer: self.name(),
                name: name.clone(),
                valid: hyper::names(self.0.hyper),
            })?;
            if !spec.accepts(*value) {
                return Err(HyperError::OutOfRange {
                    optimizer: self.name(),
                    name: spec.name,
                    value: *value,
                    range: spec.range_text(),
                });
            }
            values.set(spec.name, *value);
        }
        (self.0.check)(&values).map_err(|reason| HyperError::Invalid {
            optimizer: self.name(),
            reason,
        })?;
        Ok(values)
    }

    /// Builds the optimizer from a full set of values (the learning rate is not stored in
    /// it: the runner passes γ from its schedule each step).
    pub fn try_build(self, hp: &HyperValues) -> Result<Box<dyn Optimizer>, HyperError> {
        (self.0.build)(&HyperReader::new(self.0, hp))
    }

    /// [`OptimizerKind::try_build`] for values that came through
    /// [`OptimizerKind::hyper_values`] or [`OptimizerKind::defaults`], which a build always
    /// reads: a failure is a bug in the optimizer's definition.
    pub fn build(self, hp: &HyperValues) -> Box<dyn Optimizer> {
        self.try_build(hp)
            .unwrap_or_else(|e| panic!("the definition of {} is broken: {e}", self.name()))
    }

    /// Adam, AdamW or AMSGrad as its own type, for a runner whose loop the compiler can see
    /// through (the benchmark); `None` for every other optimizer.
    pub fn build_adam(self, hp: &HyperValues) -> Option<Adam> {
        adam::variant(self.0, &HyperReader::new(self.0, hp)).and_then(Result::ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_lower_case() {
        for kind in OptimizerKind::all() {
            assert_eq!(OptimizerKind::from_name(kind.name()), Ok(kind));
            assert_eq!(kind.name(), kind.name().to_lowercase());
            assert_eq!(kind.hyper_specs()[0].name, "lr");
            assert!(!kind.formula().trim().is_empty());
            for spec in kind.hyper_specs() {
                assert!(spec.accepts(spec.default), "{} {}", kind.name(), spec.name);
            }
        }
        let err = OptimizerKind::from_name("sgd").unwrap_err().to_string();
        assert!(err.contains("'sgd'") && err.contains("lbfgs"), "{err}");
    }

    #[test]
    fn every_declared_hyperparameter_is_read_by_the_build() {
        for kind in OptimizerKind::all() {
            let values = kind.defaults();
            let reader = HyperReader::new(kind.def(), &values);
            assert!((kind.def().build)(&reader).is_ok(), "{}", kind.name());
            // The learning rate goes to the runner, never into the optimizer.
            let unread: Vec<_> = reader.unread().into_iter().filter(|n| *n != "lr").collect();
            assert!(unread.is_empty(), "{} never reads {unread:?}", kind.name());
        }
    }

    #[test]
    fn reading_an_undeclared_name_is_an_error_not_a_zero() {
        let values = OptimizerKind::GD.defaults();
        let reader = HyperReader::new(OptimizerKind::GD.def(), &values);
        let err = reader.get("momentum").unwrap_err().to_string();
        assert!(err.contains("gd has no hyperparameter 'momentum'"), "{err}");
        assert_eq!(reader.get("weight_decay"), Ok(0.0));
    }

    #[test]
    fn pytorch_defaults() {
        let adam = OptimizerKind::ADAM.defaults();
        assert_eq!(adam.get("lr"), Some(1e-3));
        assert_eq!(adam.get("beta2"), Some(0.999));
        assert_eq!(
            OptimizerKind::ADAMW.defaults().get("weight_decay"),
            Some(1e-2)
        );
        assert_eq!(OptimizerKind::RMSPROP.defaults().get("alpha"), Some(0.99));
        assert_eq!(OptimizerKind::ADAGRAD.defaults().get("eps"), Some(1e-10));
        assert_eq!(OptimizerKind::NADAM.defaults().get("lr"), Some(2e-3));
        assert_eq!(
            OptimizerKind::MOMENTUM.defaults().get("momentum"),
            Some(0.9)
        );
    }

    #[test]
    fn bad_hyperparameters_are_rejected_with_the_valid_choices() {
        let unknown = OptimizerKind::GD
            .hyper_values(&[("beta1".into(), 0.9)])
            .unwrap_err();
        assert!(unknown.to_string().contains("lr, weight_decay"));
        let range = OptimizerKind::ADAM
            .hyper_values(&[("beta1".into(), 1.0)])
            .unwrap_err();
        assert!(range.to_string().contains("[0, 1)"), "{range}");
        assert!(
            OptimizerKind::MOMENTUM
                .hyper_values(&[("nesterov".into(), 1.0), ("dampening".into(), 0.5)])
                .is_err()
        );
        assert!(
            OptimizerKind::LBFGS
                .hyper_values(&[("history_size".into(), 2.5)])
                .is_err()
        );
    }
}
