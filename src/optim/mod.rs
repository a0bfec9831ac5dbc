//! The optimizers, and the registry that names them, describes their hyperparameters and
//! builds them.

// The update kernels advance several state vectors in lockstep; indexing reads clearer there
// than a zip of five iterators.
#![allow(clippy::needless_range_loop)]

pub mod adadelta;
pub mod adagrad;
pub mod adam;
pub mod hyper;
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
use hyper::{HyperError, HyperKind, HyperSpec, HyperValues, beta1, beta2, eps, lr, rate, switch};
use serde::Serialize;

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

/// Every optimizer downhill knows, by its stable command-line name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Plain gradient descent.
    Gd,
    /// SGD with heavy-ball momentum.
    Momentum,
    /// SGD with Nesterov momentum.
    Nesterov,
    /// AdaGrad.
    Adagrad,
    /// RMSprop.
    Rmsprop,
    /// Adadelta.
    Adadelta,
    /// Adam.
    Adam,
    /// AdamW.
    Adamw,
    /// AMSGrad.
    Amsgrad,
    /// NAdam.
    Nadam,
    /// RAdam.
    Radam,
    /// Lion.
    Lion,
    /// Damped Newton.
    Newton,
    /// L-BFGS.
    Lbfgs,
}

/// An optimizer name that is not one of [`OptimizerKind::ALL`].
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unknown optimizer '{0}' (valid: {names})", names = OptimizerKind::names().join(", "))]
pub struct UnknownOptimizer(pub String);

const WD: HyperSpec = hyper::weight_decay(0.0);
const MOMENTUM: HyperSpec = rate(
    "momentum",
    0.9,
    "Momentum μ: the fraction of the previous velocity kept at each step.",
);
const DAMPENING: HyperSpec = rate(
    "dampening",
    0.0,
    "Dampening τ: scales down the gradient's contribution to the velocity by (1 − τ).",
);
const NESTEROV: HyperSpec = switch(
    "nesterov",
    false,
    "Nesterov: step with the gradient plus the look-ahead velocity μ·b instead of b alone.",
);
const AMSGRAD: HyperSpec = switch(
    "amsgrad",
    false,
    "AMSGrad: divide by the largest second moment seen so far, so steps never grow back.",
);
const DECOUPLED: HyperSpec = switch(
    "decoupled_weight_decay",
    false,
    "Decoupled weight decay: shrink θ directly (as AdamW) instead of adding λθ to the gradient.",
);

const GD_HP: &[HyperSpec] = &[lr(1e-3), WD];
const MOMENTUM_HP: &[HyperSpec] = &[lr(1e-3), MOMENTUM, DAMPENING, WD, NESTEROV];
const NESTEROV_HP: &[HyperSpec] = &[lr(1e-3), MOMENTUM, WD];
const ADAGRAD_HP: &[HyperSpec] = &[
    lr(1e-2),
    HyperSpec {
        name: "lr_decay",
        default: 0.0,
        min: 0.0,
        max: 10.0,
        max_open: false,
        kind: HyperKind::Real,
        log_scale: false,
        meaning: "Learning-rate decay η: the rate is divided by 1 + (t − 1)η.",
    },
    WD,
    HyperSpec {
        name: "initial_accumulator_value",
        default: 0.0,
        min: 0.0,
        max: 1e3,
        max_open: false,
        kind: HyperKind::Real,
        log_scale: false,
        meaning: "Initial accumulator s₀: a head start for the sum of squared gradients.",
    },
    eps(1e-10),
];
const RMSPROP_HP: &[HyperSpec] = &[
    lr(1e-2),
    rate(
        "alpha",
        0.99,
        "Smoothing α: decay of the running mean of squared gradients.",
    ),
    eps(1e-8),
    WD,
    rate(
        "momentum",
        0.0,
        "Momentum μ applied to the scaled gradient (0 turns it off).",
    ),
    switch(
        "centered",
        false,
        "Centred: divide by an estimate of the variance instead of the raw second moment.",
    ),
];
const ADADELTA_HP: &[HyperSpec] = &[
    lr(1.0),
    HyperSpec {
        max_open: false,
        ..rate(
            "rho",
            0.9,
            "ρ: decay of the running means of squared gradients and squared updates.",
        )
    },
    eps(1e-6),
    WD,
];
const ADAM_HP: &[HyperSpec] = &[lr(1e-3), beta1(0.9), beta2(0.999), eps(1e-8), WD, AMSGRAD];
const ADAMW_HP: &[HyperSpec] = &[
    lr(1e-3),
    beta1(0.9),
    beta2(0.999),
    eps(1e-8),
    hyper::weight_decay(1e-2),
    AMSGRAD,
];
const AMSGRAD_HP: &[HyperSpec] = &[lr(1e-3), beta1(0.9), beta2(0.999), eps(1e-8), WD];
const NADAM_HP: &[HyperSpec] = &[
    lr(2e-3),
    beta1(0.9),
    beta2(0.999),
    eps(1e-8),
    WD,
    HyperSpec {
        name: "momentum_decay",
        default: 4e-3,
        min: 0.0,
        max: 1.0,
        max_open: false,
        kind: HyperKind::Real,
        log_scale: false,
        meaning: "Momentum decay ψ: how fast the Nesterov momentum schedule μₜ warms up.",
    },
    DECOUPLED,
];
const RADAM_HP: &[HyperSpec] = &[lr(1e-3), beta1(0.9), beta2(0.999), eps(1e-8), WD, DECOUPLED];
const LION_HP: &[HyperSpec] = &[
    lr(1e-4),
    rate(
        "beta1",
        0.9,
        "β₁: how much of the momentum (vs. the fresh gradient) decides the sign of the step.",
    ),
    rate(
        "beta2",
        0.99,
        "β₂: decay of the momentum that Lion carries.",
    ),
    hyper::weight_decay(0.0),
];
const NEWTON_HP: &[HyperSpec] = &[
    HyperSpec {
        meaning: "Step size γ: the fraction of the Newton step taken (1 is the full step).",
        ..lr(1.0)
    },
    HyperSpec {
        name: "damping",
        default: 0.0,
        min: 0.0,
        max: 1e6,
        max_open: false,
        kind: HyperKind::Real,
        log_scale: false,
        meaning: "Damping λ: added to the Hessian's diagonal; large λ turns Newton into small gradient steps.",
    },
];
const LBFGS_HP: &[HyperSpec] = &[
    HyperSpec {
        meaning: "Initial step γ tried by the line search (the step itself without one).",
        ..lr(1.0)
    },
    HyperSpec {
        name: "history_size",
        default: 100.0,
        min: 1.0,
        max: 1000.0,
        max_open: false,
        kind: HyperKind::Int,
        log_scale: false,
        meaning: "History m: how many recent (step, gradient change) pairs shape the curvature.",
    },
    switch(
        "line_search",
        true,
        "Strong Wolfe line search: pick each step length so the loss drops and the slope flattens.",
    ),
];

impl OptimizerKind {
    /// All optimizers, in the order they are listed.
    pub const ALL: [OptimizerKind; 14] = [
        Self::Gd,
        Self::Momentum,
        Self::Nesterov,
        Self::Adagrad,
        Self::Rmsprop,
        Self::Adadelta,
        Self::Adam,
        Self::Adamw,
        Self::Amsgrad,
        Self::Nadam,
        Self::Radam,
        Self::Lion,
        Self::Newton,
        Self::Lbfgs,
    ];

    /// The stable lower-case name used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gd => "gd",
            Self::Momentum => "momentum",
            Self::Nesterov => "nesterov",
            Self::Adagrad => "adagrad",
            Self::Rmsprop => "rmsprop",
            Self::Adadelta => "adadelta",
            Self::Adam => "adam",
            Self::Adamw => "adamw",
            Self::Amsgrad => "amsgrad",
            Self::Nadam => "nadam",
            Self::Radam => "radam",
            Self::Lion => "lion",
            Self::Newton => "newton",
            Self::Lbfgs => "lbfgs",
        }
    }

    /// All stable names.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.name()).collect()
    }

    /// Looks an optimizer up by its stable name.
    pub fn from_name(name: &str) -> Result<Self, UnknownOptimizer> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| UnknownOptimizer(name.to_string()))
    }

    /// The display name, e.g. "SGD + momentum".
    pub fn title(self) -> &'static str {
        match self {
            Self::Gd => "Gradient descent",
            Self::Momentum => "SGD + momentum",
            Self::Nesterov => "SGD + Nesterov",
            Self::Adagrad => "AdaGrad",
            Self::Rmsprop => "RMSprop",
            Self::Adadelta => "Adadelta",
            Self::Adam => "Adam",
            Self::Adamw => "AdamW",
            Self::Amsgrad => "AMSGrad",
            Self::Nadam => "NAdam",
            Self::Radam => "RAdam",
            Self::Lion => "Lion",
            Self::Newton => "Newton",
            Self::Lbfgs => "L-BFGS",
        }
    }

    /// The update rule, in the notation of the PyTorch documentation.
    pub fn formula(self) -> &'static str {
        match self {
            Self::Gd => include_str!("formulas/gd.txt"),
            Self::Momentum => include_str!("formulas/momentum.txt"),
            Self::Nesterov => include_str!("formulas/nesterov.txt"),
            Self::Adagrad => include_str!("formulas/adagrad.txt"),
            Self::Rmsprop => include_str!("formulas/rmsprop.txt"),
            Self::Adadelta => include_str!("formulas/adadelta.txt"),
            Self::Adam => include_str!("formulas/adam.txt"),
            Self::Adamw => include_str!("formulas/adamw.txt"),
            Self::Amsgrad => include_str!("formulas/amsgrad.txt"),
            Self::Nadam => include_str!("formulas/nadam.txt"),
            Self::Radam => include_str!("formulas/radam.txt"),
            Self::Lion => include_str!("formulas/lion.txt"),
            Self::Newton => include_str!("formulas/newton.txt"),
            Self::Lbfgs => include_str!("formulas/lbfgs.txt"),
        }
    }

    /// Where the method comes from, and what it is known for, in one sentence.
    pub fn summary(self) -> &'static str {
        match self {
            Self::Gd => {
                "Steps straight down the gradient; the baseline every other method improves on."
            }
            Self::Momentum => {
                "Heavy ball (Polyak, 1964): a velocity that builds up along consistent directions and damps zig-zags."
            }
            Self::Nesterov => {
                "Nesterov (1983), in PyTorch's form: momentum that looks ahead before it leaps."
            }
            Self::Adagrad => {
                "Duchi et al. (2011): per-coordinate steps that shrink with all past squared gradients."
            }
            Self::Rmsprop => {
                "Hinton (2012): per-coordinate steps scaled by a running RMS of recent gradients."
            }
            Self::Adadelta => {
                "Zeiler (2012): RMSprop whose step carries the units of the parameters."
            }
            Self::Adam => {
                "Kingma & Ba (2015): momentum plus RMSprop scaling, with bias correction."
            }
            Self::Adamw => {
                "Loshchilov & Hutter (2019): Adam with weight decay applied to θ, not the gradient."
            }
            Self::Amsgrad => {
                "Reddi et al. (2018): Adam that never lets the per-coordinate scale shrink."
            }
            Self::Nadam => "Dozat (2016): Adam with Nesterov momentum.",
            Self::Radam => {
                "Liu et al. (2020): Adam with a warm-up that the variance of the adaptive rate decides."
            }
            Self::Lion => {
                "Chen et al. (2023): sign-of-momentum steps of fixed size, found by program search."
            }
            Self::Newton => "Second order: jumps to the minimum of the local quadratic model.",
            Self::Lbfgs => {
                "Liu & Nocedal (1989): Newton-like steps from a memory of gradient changes, with a line search."
            }
        }
    }

    /// Its hyperparameters, with defaults and ranges.
    pub fn hyper_specs(self) -> &'static [HyperSpec] {
        match self {
            Self::Gd => GD_HP,
            Self::Momentum => MOMENTUM_HP,
            Self::Nesterov => NESTEROV_HP,
            Self::Adagrad => ADAGRAD_HP,
            Self::Rmsprop => RMSPROP_HP,
            Self::Adadelta => ADADELTA_HP,
            Self::Adam => ADAM_HP,
            Self::Adamw => ADAMW_HP,
            Self::Amsgrad => AMSGRAD_HP,
            Self::Nadam => NADAM_HP,
            Self::Radam => RADAM_HP,
            Self::Lion => LION_HP,
            Self::Newton => NEWTON_HP,
            Self::Lbfgs => LBFGS_HP,
        }
    }

    /// What it needs from the objective.
    pub fn oracle(self) -> Oracle {
        match self {
            Self::Newton => Oracle::Hessian,
            _ => Oracle::Gradient,
        }
    }

    /// The default hyperparameters.
    pub fn defaults(self) -> HyperValues {
        HyperValues::defaults(self.hyper_specs())
    }

    /// The defaults with `overrides` applied; unknown names and out-of-range values are errors.
    pub fn hyper_values(self, overrides: &[(String, f64)]) -> Result<HyperValues, HyperError> {
        let mut values = self.defaults();
        for (name, value) in overrides {
            let spec = self
                .hyper_specs()
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| HyperError::Unknown {
                    optimizer: self.name(),
                    name: name.clone(),
                    valid: self
                        .hyper_specs()
                        .iter()
                        .map(|s| s.name)
                        .collect::<Vec<_>>()
                        .join(", "),
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
        self.validate(&values)?;
        Ok(values)
    }

    /// Rejects combinations that PyTorch rejects too.
    fn validate(self, hp: &HyperValues) -> Result<(), HyperError> {
        if self == Self::Momentum
            && hp.flag("nesterov")
            && (hp.get("momentum").unwrap_or(0.0) <= 0.0 || hp.get("dampening") != Some(0.0))
        {
            return Err(HyperError::Invalid {
                optimizer: self.name(),
                reason: "Nesterov momentum requires momentum > 0 and dampening = 0",
            });
        }
        Ok(())
    }

    /// The value of hyperparameter `name` in `hp`, or its default.
    fn value(self, hp: &HyperValues, name: &str) -> f64 {
        hp.get(name).unwrap_or_else(|| {
            self.hyper_specs()
                .iter()
                .find(|s| s.name == name)
                .map_or(0.0, |s| s.default)
        })
    }

    /// Adam, AdamW or AMSGrad as its own type, for a runner whose loop the compiler can see
    /// through (the benchmark); `None` for every other optimizer.
    pub fn build_adam(self, hp: &HyperValues) -> Option<Adam> {
        matches!(self, Self::Adam | Self::Adamw | Self::Amsgrad).then(|| self.adam(hp))
    }

    /// Adam with this kind's switches (AdamW decoupled, AMSGrad) and the values in `hp`.
    fn adam(self, hp: &HyperValues) -> Adam {
        let get = |name: &str| self.value(hp, name);
        Adam::new(
            get("beta1"),
            get("beta2"),
            get("eps"),
            get("weight_decay"),
            self == Self::Adamw,
            self == Self::Amsgrad || get("amsgrad") != 0.0,
        )
    }

    /// Builds the optimizer from a full set of values (the learning rate is not stored in
    /// it: the runner passes γ from its schedule each step).
    pub fn build(self, hp: &HyperValues) -> Box<dyn Optimizer> {
        let get = |name: &str| self.value(hp, name);
        let flag = |name: &str| get(name) != 0.0;
        let wd = get("weight_decay");
        match self {
            Self::Gd => Box::new(Sgd::new(0.0, 0.0, wd, false)),
            Self::Momentum => Box::new(Sgd::new(
                get("momentum"),
                get("dampening"),
                wd,
                flag("nesterov"),
            )),
            Self::Nesterov => Box::new(Sgd::new(get("momentum"), 0.0, wd, true)),
            Self::Adagrad => Box::new(Adagrad::new(
                get("lr_decay"),
                wd,
                get("initial_accumulator_value"),
                get("eps"),
            )),
            Self::Rmsprop => Box::new(Rmsprop::new(
                get("alpha"),
                get("eps"),
                wd,
                get("momentum"),
                flag("centered"),
            )),
            Self::Adadelta => Box::new(Adadelta::new(get("rho"), get("eps"), wd)),
            Self::Adam | Self::Adamw | Self::Amsgrad => Box::new(self.adam(hp)),
            Self::Nadam => Box::new(Nadam::new(
                get("beta1"),
                get("beta2"),
                get("eps"),
                wd,
                get("momentum_decay"),
                flag("decoupled_weight_decay"),
            )),
            Self::Radam => Box::new(Radam::new(
                get("beta1"),
                get("beta2"),
                get("eps"),
                wd,
                flag("decoupled_weight_decay"),
            )),
            Self::Lion => Box::new(Lion::new(get("beta1"), get("beta2"), wd)),
            Self::Newton => Box::new(Newton::new(get("damping"))),
            Self::Lbfgs => Box::new(Lbfgs::new(
                get("history_size") as usize,
                flag("line_search"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_lower_case() {
        for kind in OptimizerKind::ALL {
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
    fn pytorch_defaults() {
        let adam = OptimizerKind::Adam.defaults();
        assert_eq!(adam.get("lr"), Some(1e-3));
        assert_eq!(adam.get("beta2"), Some(0.999));
        assert_eq!(
            OptimizerKind::Adamw.defaults().get("weight_decay"),
            Some(1e-2)
        );
        assert_eq!(OptimizerKind::Rmsprop.defaults().get("alpha"), Some(0.99));
        assert_eq!(OptimizerKind::Adagrad.defaults().get("eps"), Some(1e-10));
        assert_eq!(OptimizerKind::Nadam.defaults().get("lr"), Some(2e-3));
        assert_eq!(
            OptimizerKind::Momentum.defaults().get("momentum"),
            Some(0.9)
        );
    }

    #[test]
    fn bad_hyperparameters_are_rejected_with_the_valid_choices() {
        let unknown = OptimizerKind::Gd
            .hyper_values(&[("beta1".into(), 0.9)])
            .unwrap_err();
        assert!(unknown.to_string().contains("lr, weight_decay"));
        let range = OptimizerKind::Adam
            .hyper_values(&[("beta1".into(), 1.0)])
            .unwrap_err();
        assert!(range.to_string().contains("[0, 1)"), "{range}");
        assert!(
            OptimizerKind::Momentum
                .hyper_values(&[("nesterov".into(), 1.0), ("dampening".into(), 0.5)])
                .is_err()
        );
        assert!(
            OptimizerKind::Lbfgs
                .hyper_values(&[("history_size".into(), 2.5)])
                .is_err()
        );
    }
}
