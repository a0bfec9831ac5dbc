//! What a model is before it meets a dataset: its family, hidden layers, activation, loss
//! and penalties, with the short text form (`mlp:64,32:tanh`) the command line reads.

use super::head::sigmoid;
use super::real::Real;
use crate::data::Task;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A hidden layer's nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// max(0, z).
    #[default]
    Relu,
    /// tanh z.
    Tanh,
    /// 1 / (1 + e^−z).
    Sigmoid,
}

impl Activation {
    /// All activations.
    pub const ALL: [Activation; 3] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid];

    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
        }
    }

    /// Looks an activation up by name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name.trim())
    }

    /// Applies the activation in place.
    #[inline(always)]
    pub(super) fn forward<T: Real>(self, z: &mut [T]) {
        match self {
            Activation::Relu => z.iter_mut().for_each(|v| *v = v.max(T::ZERO)),
            Activation::Tanh => z
                .iter_mut()
                .for_each(|v| *v = T::from_f64(v.to_f64().tanh())),
            Activation::Sigmoid => z
                .iter_mut()
                .for_each(|v| *v = T::from_f64(sigmoid(v.to_f64()))),
        }
    }

    /// Multiplies `delta` by the derivative, written in terms of the activation's output `a`.
    #[inline(always)]
    pub(super) fn backward<T: Real>(self, a: &[T], delta: &mut [T]) {
        match self {
            Activation::Relu => delta
                .iter_mut()
                .zip(a)
                .for_each(|(d, &a)| *d = if a > T::ZERO { *d } else { T::ZERO }),
            Activation::Tanh => delta
                .iter_mut()
                .zip(a)
                .for_each(|(d, &a)| *d *= T::ONE - a * a),
            Activation::Sigmoid => delta
                .iter_mut()
                .zip(a)
                .for_each(|(d, &a)| *d *= a * (T::ONE - a)),
        }
    }
}

/// The loss between the network's output and the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// Mean squared error (1/B) Σ (ŷ − y)² on one output.
    Mse,
    /// Binary cross-entropy of a sigmoid on one output (logistic loss).
    BinaryCrossEntropy,
    /// Cross-entropy of a softmax over one output per class.
    CrossEntropy,
}

impl Loss {
    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::BinaryCrossEntropy => "binary-cross-entropy",
            Loss::CrossEntropy => "cross-entropy",
        }
    }
}

/// The model families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Linear regression: no hidden layer, mean squared error.
    Linear,
    /// Logistic regression: no hidden layer, binary cross-entropy.
    Logistic,
    /// Softmax (multinomial logistic) regression: no hidden layer, cross-entropy.
    Softmax,
    /// A multilayer perceptron with hidden layers.
    Mlp,
}

impl ModelKind {
    /// All kinds.
    pub const ALL: [ModelKind; 4] = [
        ModelKind::Linear,
        ModelKind::Logistic,
        ModelKind::Softmax,
        ModelKind::Mlp,
    ];

    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear",
            ModelKind::Logistic => "logistic",
            ModelKind::Softmax => "softmax",
            ModelKind::Mlp => "mlp",
        }
    }

    /// One line on what the model is.
    pub fn about(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear regression, mean squared error (regression targets)",
            ModelKind::Logistic => "logistic regression, binary cross-entropy (two classes)",
            ModelKind::Softmax => "softmax regression, cross-entropy (two or more classes)",
            ModelKind::Mlp => {
                "multilayer perceptron, mlp:H1,H2,... hidden sizes, relu/tanh/sigmoid; \
                 cross-entropy for classes, mean squared error for values"
            }
        }
    }
}

/// A model's shape and regularisation, before it meets a dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Architecture {
    /// The family.
    pub kind: ModelKind,
    /// Hidden layer widths (MLP only).
    pub hidden: Vec<usize>,
    /// Hidden layers' nonlinearity.
    pub activation: Activation,
    /// The loss; `None` picks the family's (MSE, binary or softmax cross-entropy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<Loss>,
    /// L1 penalty λ₁ Σ|W| on the weights (not the biases).
    pub l1: f64,
    /// L2 penalty (λ₂/2) Σ W² on the weights (not the biases).
    pub l2: f64,
}

impl Default for Architecture {
    fn default() -> Self {
        Self {
            kind: ModelKind::Softmax,
            hidden: Vec::new(),
            activation: Activation::Relu,
            loss: None,
            l1: 0.0,
            l2: 0.0,
        }
    }
}

impl Architecture {
    /// A family with no hidden layers and no penalty.
    pub fn of(kind: ModelKind) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }

    /// An MLP with the given hidden widths and activation.
    pub fn mlp(hidden: &[usize], activation: Activation) -> Self {
        Self {
            kind: ModelKind::Mlp,
            hidden: hidden.to_vec(),
            activation,
            ..Self::default()
        }
    }

    /// Parses `linear`, `logistic`, `softmax`, `mlp:32`, `mlp:64,32` or `mlp:64,32:tanh`.
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let text = text.trim();
        let bad = || ModelError::BadSpec(crate::limits::echo(text));
        let mut parts = text.splitn(3, ':');
        let kind = match parts.next().unwrap_or("") {
            "linear" => ModelKind::Linear,
            "logistic" => ModelKind::Logistic,
            "softmax" => ModelKind::Softmax,
            "mlp" => ModelKind::Mlp,
            _ => return Err(bad()),
        };
        if kind != ModelKind::Mlp {
            return if parts.next().is_none() {
                Ok(Self::of(kind))
            } else {
                Err(bad())
            };
        }
        let hidden: Vec<usize> = parts
            .next()
            .ok_or_else(bad)?
            .split(',')
            .map(|w| w.trim().parse::<usize>().ok())
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        crate::limits::hidden(&hidden)?;
        let activation = match parts.next() {
            None => Activation::Relu,
            Some(a) => Activation::from_name(a).ok_or_else(bad)?,
        };
        Ok(Self::mlp(&hidden, activation))
    }

    /// The short text form that [`Architecture::parse`] reads back.
    pub fn label(&self) -> String {
        match self.kind {
            ModelKind::Mlp => {
                let widths: Vec<String> = self.hidden.iter().map(|w| w.to_string()).collect();
                format!("mlp:{}:{}", widths.join(","), self.activation.name())
            }
            k => k.name().to_string(),
        }
    }

    /// The loss this model uses on `task`, or why the pair does not fit.
    pub fn loss_for(&self, task: Task) -> Result<Loss, ModelError> {
        let mismatch = |why: &str| ModelError::Mismatch(format!("model '{}' {why}", self.label()));
        let loss = match (self.kind, task) {
            (ModelKind::Linear, Task::Regression) => Loss::Mse,
            (ModelKind::Linear, Task::Classification(k)) => {
                return Err(mismatch(&format!(
                    "needs a regression target, and the dataset has {k} classes \
                     (use logistic or softmax)"
                )));
            }
            (ModelKind::Logistic, Task::Classification(2)) => Loss::BinaryCrossEntropy,
            (ModelKind::Logistic, Task::Classification(k)) => {
                return Err(mismatch(&format!(
                    "is binary, and the dataset has {k} classes (use softmax)"
                )));
            }
            (ModelKind::Softmax, Task::Classification(_)) => Loss::CrossEntropy,
            (ModelKind::Logistic | ModelKind::Softmax, Task::Regression) => {
                return Err(mismatch(
                    "needs class labels, and the target is numeric (use linear or mlp)",
                ));
            }
            (ModelKind::Mlp, Task::Classification(_)) => Loss::CrossEntropy,
            (ModelKind::Mlp, Task::Regression) => Loss::Mse,
        };
        match (self.loss, task) {
            (None, _) => Ok(loss),
            (Some(Loss::Mse), Task::Regression)
            | (Some(Loss::CrossEntropy), Task::Classification(_))
            | (Some(Loss::BinaryCrossEntropy), Task::Classification(2)) => {
                Ok(self.loss.unwrap_or(loss))
            }
            (Some(l), _) => Err(mismatch(&format!(
                "cannot use the {} loss on this target",
                l.name()
            ))),
        }
    }
}

/// A model that cannot be built or parsed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// Text that is not a model.
    #[error(
        "'{0}' is not a model (valid: linear, logistic, softmax, mlp:H1[,H2...][:relu|tanh|sigmoid], or a spec file)"
    )]
    BadSpec(String),
    /// A model that does not fit the dataset's task.
    #[error("{0}")]
    Mismatch(String),
    /// A penalty that is negative or not finite.
    #[error("l1 and l2 must be finite and ≥ 0 (got l1={0}, l2={1})")]
    BadPenalty(f64, f64),
    /// Layers beyond a limit.
    #[error(transparent)]
    Limit(#[from] crate::limits::LimitError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_parse_back_and_bad_ones_are_refused() {
        for text in [
            "linear",
            "logistic",
            "softmax",
            "mlp:32",
            "mlp:64,32",
            "mlp:8:tanh",
        ] {
            let a = Architecture::parse(text).unwrap();
            assert_eq!(Architecture::parse(&a.label()).unwrap(), a);
        }
        for bad in [
            "mlp",
            "mlp:",
            "mlp:0",
            "mlp:a",
            "mlp:4:cube",
            "deep",
            "linear:3",
        ] {
            assert!(Architecture::parse(bad).is_err(), "{bad}");
        }
    }
}
