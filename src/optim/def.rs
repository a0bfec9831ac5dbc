//! One optimizer, described once: its names, update rule, hyperparameters, what it needs from
//! the objective, how to build it, and what its state means when drawn.

use super::hyper::{HyperError, HyperSpec, HyperValues};
use crate::engine::{Optimizer, Oracle};
use std::cell::Cell;

/// Everything downhill knows about one optimizer. The registry ([`super::OPTIMIZERS`]) is a
/// list of these; adding an optimizer is one file with its `OptimizerDef` and one line there.
#[derive(Debug)]
pub struct OptimizerDef {
    /// The stable lower-case name on the command line and in files, e.g. `adam`.
    pub name: &'static str,
    /// The display name, e.g. "SGD + momentum".
    pub title: &'static str,
    /// A short name for legends and racer labels, e.g. "Momentum".
    pub short: &'static str,
    /// Where the method comes from, and what it is known for, in one sentence.
    pub summary: &'static str,
    /// The update rule, in the notation of the PyTorch documentation.
    pub formula: &'static str,
    /// Its hyperparameters, the learning rate `lr` first.
    pub hyper: &'static [HyperSpec],
    /// What it needs from the objective.
    pub oracle: Oracle,
    /// Builds it from a full set of values (the learning rate is not stored in it: the runner
    /// passes γ from its schedule each step).
    pub build: fn(&HyperReader<'_>) -> Result<Box<dyn Optimizer>, HyperError>,
    /// Rejects combinations of values that PyTorch rejects too.
    pub check: fn(&HyperValues) -> Result<(), &'static str>,
    /// What its drawn state shows (the tooltip of the "show its state" switch).
    pub state_legend: &'static str,
    /// How many vectors of the parameters' length its state holds at most (for working out
    /// the memory a run needs before it starts).
    pub state_vectors: fn(&HyperValues) -> u64,
    /// The largest stable learning rate on a quadratic whose largest Hessian eigenvalue
    /// (weight decay included) is λ, where a closed form is known.
    pub stable_lr: Option<fn(&HyperValues, f64) -> Option<f64>>,
}

/// No combination of values is invalid.
pub fn any_combination(_: &HyperValues) -> Result<(), &'static str> {
    Ok(())
}

/// Reads hyperparameter values for [`OptimizerDef::build`]: a name the optimizer does not
/// declare is an error (never a silent zero), and every name read is noted, so a test can
/// check that the build reads each declared hyperparameter.
pub struct HyperReader<'a> {
    def: &'a OptimizerDef,
    values: &'a HyperValues,
    read: Cell<u64>,
}

impl<'a> HyperReader<'a> {
    /// A reader of `values` for `def`.
    pub fn new(def: &'a OptimizerDef, values: &'a HyperValues) -> Self {
        Self {
            def,
            values,
            read: Cell::new(0),
        }
    }

    /// The value of `name` (its default when `values` lacks it).
    pub fn get(&self, name: &str) -> Result<f64, HyperError> {
        let index = self
            .def
            .hyper
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| HyperError::Unknown {
                optimizer: self.def.name,
                name: name.to_string(),
                valid: super::hyper::names(self.def.hyper),
            })?;
        self.read.set(self.read.get() | 1 << index);
        Ok(self
            .values
            .get(name)
            .unwrap_or(self.def.hyper[index].default))
    }

    /// The value of the switch `name`.
    pub fn flag(&self, name: &str) -> Result<bool, HyperError> {
        Ok(self.get(name)? != 0.0)
    }

    /// The value of the whole number `name`.
    pub fn count(&self, name: &str) -> Result<usize, HyperError> {
        Ok(self.get(name)?.max(0.0) as usize)
    }

    /// Names of declared hyperparameters that were never read.
    pub fn unread(&self) -> Vec<&'static str> {
        self.def
            .hyper
            .iter()
            .enumerate()
            .filter(|(i, _)| self.read.get() & (1 << i) == 0)
            .map(|(_, s)| s.name)
            .collect()
    }
}
