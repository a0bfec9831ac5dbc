//! Learning-rate schedules: γₜ as a function of the base rate and the step index.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use thiserror::Error;

/// A learning-rate schedule, following the closed forms of `torch.optim.lr_scheduler`.
///
/// `t` counts the steps already taken (0 for the first update).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Schedule {
    /// γₜ = γ.
    #[default]
    Constant,
    /// γₜ = γ · gamma^⌊t / step_size⌋ (PyTorch `StepLR`).
    Step {
        /// Steps between decays.
        step_size: u64,
        /// Multiplicative factor at each decay.
        gamma: f64,
    },
    /// γₜ = γ · gamma^t (PyTorch `ExponentialLR`).
    Exponential {
        /// Multiplicative factor per step.
        gamma: f64,
    },
    /// γₜ = η_min + (γ − η_min)(1 + cos(π·min(t, T)/T))/2 (PyTorch `CosineAnnealingLR`, held at
    /// η_min after T steps instead of rising again).
    Cosine {
        /// Steps to anneal over, T.
        t_max: u64,
        /// The final learning rate η_min.
        eta_min: f64,
    },
    /// γₜ = γ · min(1, (t + 1)/steps): a linear warm-up, then constant.
    Warmup {
        /// Length of the warm-up.
        steps: u64,
    },
    /// γₜ = γ / (1 + decay · t).
    InverseTime {
        /// Decay rate per step.
        decay: f64,
    },
}

/// A schedule spec that could not be parsed.
#[derive(Debug, Error, PartialEq)]
pub enum ScheduleError {
    /// The schedule name is not one of [`Schedule::NAMES`].
    #[error("unknown schedule '{0}' (valid: {names})", names = Schedule::NAMES.join(", "))]
    UnknownName(String),
    /// A parameter this schedule does not take.
    #[error("schedule '{schedule}' has no parameter '{key}' (valid: {valid})")]
    UnknownParameter {
        /// The schedule.
        schedule: &'static str,
        /// The offending key.
        key: String,
        /// Its parameters.
        valid: String,
    },
    /// A value that is not a number or lies out of range.
    #[error("schedule parameter {key}={value}: {reason}")]
    BadValue {
        /// The key.
        key: String,
        /// The text given.
        value: String,
        /// What is expected.
        reason: &'static str,
    },
    /// A `key=value` pair without `=`.
    #[error("malformed schedule parameter '{0}' (expected key=value)")]
    Malformed(String),
}

impl Schedule {
    /// The stable names accepted by [`Schedule::parse`].
    pub const NAMES: [&'static str; 6] = [
        "constant",
        "step",
        "exponential",
        "cosine",
        "warmup",
        "inverse-time",
    ];

    /// The learning rate for the step after `t` steps, given the base rate `base`.
    #[inline]
    pub fn lr_at(&self, base: f64, t: u64) -> f64 {
        match *self {
            Schedule::Constant => base,
            Schedule::Step { step_size, gamma } => base * gamma.powf((t / step_size.max(1)) as f64),
            Schedule::Exponential { gamma } => base * gamma.powf(t as f64),
            Schedule::Cosine { t_max, eta_min } => {
                let frac = t.min(t_max) as f64 / t_max.max(1) as f64;
                eta_min + (base - eta_min) * 0.5 * (1.0 + (PI * frac).cos())
            }
            Schedule::Warmup { steps } => base * ((t + 1) as f64 / steps.max(1) as f64).min(1.0),
            Schedule::InverseTime { decay } => base / (1.0 + decay * t as f64),
        }
    }

    /// The stable name of this schedule.
    pub fn name(&self) -> &'static str {
        match self {
            Schedule::Constant => "constant",
            Schedule::Step { .. } => "step",
            Schedule::Exponential { .. } => "exponential",
            Schedule::Cosine { .. } => "cosine",
            Schedule::Warmup { .. } => "warmup",
            Schedule::InverseTime { .. } => "inverse-time",
        }
    }

    /// A one-line description with the formula, for help texts and tooltips.
    pub fn describe(name: &str) -> &'static str {
        match name {
            "constant" => "γₜ = γ",
            "step" => "γₜ = γ·gamma^⌊t/step_size⌋ (defaults step_size=100, gamma=0.5)",
            "exponential" => "γₜ = γ·gammaᵗ (default gamma=0.99)",
            "cosine" => {
                "γₜ = eta_min + (γ − eta_min)(1 + cos(π·min(t,t_max)/t_max))/2 (defaults t_max=1000, eta_min=0)"
            }
            "warmup" => "γₜ = γ·min(1, (t+1)/steps) (default steps=100)",
            "inverse-time" => "γₜ = γ/(1 + decay·t) (default decay=0.01)",
            _ => "",
        }
    }

    /// Parses `NAME` or `NAME:key=value,key=value`, e.g. `step:step_size=100,gamma=0.5`.
    pub fn parse(spec: &str) -> Result<Self, ScheduleError> {
        let (name, params) = match spec.split_once(':') {
            Some((n, p)) => (n.trim(), p.trim()),
            None => (spec.trim(), ""),
        };
        let mut schedule = match name {
            "constant" => Schedule::Constant,
            "step" => Schedule::Step {
                step_size: 100,
                gamma: 0.5,
            },
            "exponential" => Schedule::Exponential { gamma: 0.99 },
            "cosine" => Schedule::Cosine {
                t_max: 1000,
                eta_min: 0.0,
            },
            "warmup" => Schedule::Warmup { steps: 100 },
            "inverse-time" => Schedule::InverseTime { decay: 0.01 },
            other => return Err(ScheduleError::UnknownName(other.to_string())),
        };
        for pair in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| ScheduleError::Malformed(pair.to_string()))?;
            schedule.set(key.trim(), value.trim())?;
        }
        Ok(schedule)
    }

    /// Sets one parameter from text, validating its range.
    fn set(&mut self, key: &str, value: &str) -> Result<(), ScheduleError> {
        let bad = |reason| ScheduleError::BadValue {
            key: key.to_string(),
            value: value.to_string(),
            reason,
        };
        let count = || -> Result<u64, ScheduleError> {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad("expected a whole number ≥ 1"))
        };
        let real = |lo: f64, hi: f64, reason| -> Result<f64, ScheduleError> {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= lo && *v <= hi)
                .ok_or_else(|| bad(reason))
        };
        let name = self.name();
        match (self, key) {
            (Schedule::Step { step_size, .. }, "step_size") => *step_size = count()?,
            (Schedule::Step { gamma, .. } | Schedule::Exponential { gamma }, "gamma") => {
                *gamma = real(f64::MIN_POSITIVE, 10.0, "expected a number in (0, 10]")?
            }
            (Schedule::Cosine { t_max, .. }, "t_max") => *t_max = count()?,
            (Schedule::Cosine { eta_min, .. }, "eta_min") => {
                *eta_min = real(0.0, 1e6, "expected a number in [0, 1e6]")?
            }
            (Schedule::Warmup { steps }, "steps") => *steps = count()?,
            (Schedule::InverseTime { decay }, "decay") => {
                *decay = real(0.0, 1e6, "expected a number in [0, 1e6]")?
            }
            (this, _) => {
                let valid = match this {
                    Schedule::Constant => "none",
                    Schedule::Step { .. } => "step_size, gamma",
                    Schedule::Exponential { .. } => "gamma",
                    Schedule::Cosine { .. } => "t_max, eta_min",
                    Schedule::Warmup { .. } => "steps",
                    Schedule::InverseTime { .. } => "decay",
                };
                return Err(ScheduleError::UnknownParameter {
                    schedule: name,
                    key: key.to_string(),
                    valid: valid.to_string(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        let s = Schedule::parse("step:step_size=10,gamma=0.5").unwrap();
        assert_eq!(s.lr_at(1.0, 9), 1.0);
        assert_eq!(s.lr_at(1.0, 10), 0.5);
        assert_eq!(s.lr_at(1.0, 25), 0.25);
        let e = Schedule::parse("exponential:gamma=0.9").unwrap();
        assert!((e.lr_at(2.0, 3) - 2.0 * 0.729).abs() < 1e-15);
        let c = Schedule::parse("cosine:t_max=100,eta_min=0.1").unwrap();
        assert_eq!(c.lr_at(1.0, 0), 1.0);
        assert!((c.lr_at(1.0, 50) - 0.55).abs() < 1e-12);
        assert!((c.lr_at(1.0, 100) - 0.1).abs() < 1e-12);
        assert!((c.lr_at(1.0, 500) - 0.1).abs() < 1e-12);
        let w = Schedule::parse("warmup:steps=4").unwrap();
        assert_eq!(w.lr_at(1.0, 0), 0.25);
        assert_eq!(w.lr_at(1.0, 3), 1.0);
        assert_eq!(w.lr_at(1.0, 30), 1.0);
        let i = Schedule::parse("inverse-time:decay=0.5").unwrap();
        assert_eq!(i.lr_at(1.0, 2), 0.5);
        assert_eq!(Schedule::parse(" constant ").unwrap().lr_at(0.3, 7), 0.3);
    }

    #[test]
    fn bad_specs_are_named() {
        assert_eq!(
            Schedule::parse("linear"),
            Err(ScheduleError::UnknownName("linear".into()))
        );
        assert!(matches!(
            Schedule::parse("step:gama=0.1"),
            Err(ScheduleError::UnknownParameter { .. })
        ));
        assert!(matches!(
            Schedule::parse("step:gamma=-1"),
            Err(ScheduleError::BadValue { .. })
        ));
        assert!(matches!(
            Schedule::parse("cosine:t_max=0"),
            Err(ScheduleError::BadValue { .. })
        ));
        assert!(matches!(
            Schedule::parse("warmup:steps"),
            Err(ScheduleError::Malformed(_))
        ));
        let msg = Schedule::parse("nope").unwrap_err().to_string();
        assert!(
            msg.contains("cosine") && msg.contains("inverse-time"),
            "{msg}"
        );
    }
}
