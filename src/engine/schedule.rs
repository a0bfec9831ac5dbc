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
    /// The schedule name is not one of [`SCHEDULES`].
    #[error("unknown schedule '{0}' (valid: {names})", names = Schedule::names().join(", "))]
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
    #[error("schedule parameter {key}={value}: expected {reason}")]
    BadValue {
        /// The key.
        key: String,
        /// The text given.
        value: String,
        /// What is expected.
        reason: String,
    },
    /// A `key=value` pair without `=`.
    #[error("malformed schedule parameter '{0}' (expected key=value)")]
    Malformed(String),
}

/// One parameter of a schedule, described well enough to parse it and build a slider.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ScheduleParam {
    /// Its name in `NAME:key=value` and in files.
    pub name: &'static str,
    /// The value when none is given.
    pub default: f64,
    /// The smallest valid value.
    pub min: f64,
    /// The largest valid value.
    pub max: f64,
    /// A whole number (step counts).
    pub whole: bool,
    /// A slider should move on a log scale.
    pub log: bool,
    /// What it does.
    pub meaning: &'static str,
}

impl ScheduleParam {
    /// Whether `v` is allowed.
    pub fn accepts(&self, v: f64) -> bool {
        v.is_finite() && v >= self.min && v <= self.max && (!self.whole || v.fract() == 0.0)
    }

    /// `v` brought into range (rounded for whole numbers).
    pub fn clamp(&self, v: f64) -> f64 {
        let v = if v.is_finite() {
            v.clamp(self.min, self.max)
        } else {
            self.default
        };
        if self.whole {
            v.round().max(self.min)
        } else {
            v
        }
    }

    /// The valid range as text.
    pub fn range_text(&self) -> String {
        if self.whole {
            format!("a whole number in [{}, {}]", self.min, self.max)
        } else {
            format!("a number in [{}, {}]", self.min, self.max)
        }
    }
}

/// One schedule, described once: its name, formula and parameters, and how to make it.
#[derive(Debug)]
pub struct ScheduleDef {
    /// The stable name, e.g. `cosine`.
    pub name: &'static str,
    /// The formula, for help texts and tooltips.
    pub formula: &'static str,
    /// Its parameters, in order.
    pub params: &'static [ScheduleParam],
    /// The schedule with these parameter values (in `params` order, already valid).
    pub make: fn(&[f64]) -> Schedule,
}

const fn count(name: &'static str, default: f64, meaning: &'static str) -> ScheduleParam {
    ScheduleParam {
        name,
        default,
        min: 1.0,
        max: 1e9,
        whole: true,
        log: true,
        meaning,
    }
}

/// Every schedule, in menu order. Adding one is a variant with its [`Schedule::lr_at`] and
/// [`Schedule::values`] arms, and an entry here.
pub static SCHEDULES: &[ScheduleDef] = &[
    ScheduleDef {
        name: "constant",
        formula: "γₜ = γ",
        params: &[],
        make: |_| Schedule::Constant,
    },
    ScheduleDef {
        name: "step",
        formula: "γₜ = γ·gamma^⌊t/step_size⌋",
        params: &[
            count("step_size", 100.0, "Steps between decays."),
            ScheduleParam {
                name: "gamma",
                default: 0.5,
                min: 1e-6,
                max: 10.0,
                whole: false,
                log: false,
                meaning: "Factor applied at each decay.",
            },
        ],
        make: |v| Schedule::Step {
            step_size: v[0] as u64,
            gamma: v[1],
        },
    },
    ScheduleDef {
        name: "exponential",
        formula: "γₜ = γ·gammaᵗ",
        params: &[ScheduleParam {
            name: "gamma",
            default: 0.99,
            min: 1e-6,
            max: 10.0,
            whole: false,
            log: false,
            meaning: "Factor applied every step.",
        }],
        make: |v| Schedule::Exponential { gamma: v[0] },
    },
    ScheduleDef {
        name: "cosine",
        formula: "γₜ = eta_min + (γ − eta_min)(1 + cos(π·min(t, t_max)/t_max))/2",
        params: &[
            count(
                "t_max",
                1000.0,
                "Steps to anneal over; after them γ stays at eta_min.",
            ),
            ScheduleParam {
                name: "eta_min",
                default: 0.0,
                min: 0.0,
                max: 1e6,
                whole: false,
                log: false,
                meaning: "The final learning rate.",
            },
        ],
        make: |v| Schedule::Cosine {
            t_max: v[0] as u64,
            eta_min: v[1],
        },
    },
    ScheduleDef {
        name: "warmup",
        formula: "γₜ = γ·min(1, (t+1)/steps)",
        params: &[count("steps", 100.0, "Steps of the linear warm-up.")],
        make: |v| Schedule::Warmup { steps: v[0] as u64 },
    },
    ScheduleDef {
        name: "inverse-time",
        formula: "γₜ = γ/(1 + decay·t)",
        params: &[ScheduleParam {
            name: "decay",
            default: 0.01,
            min: 0.0,
            max: 1e6,
            whole: false,
            log: false,
            meaning: "How fast γ falls: it halves after 1/decay steps.",
        }],
        make: |v| Schedule::InverseTime { decay: v[0] },
    },
];

impl Schedule {
    /// The stable names accepted by [`Schedule::parse`].
    pub fn names() -> Vec<&'static str> {
        SCHEDULES.iter().map(|d| d.name).collect()
    }

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

    /// The parameter values, in the order of its definition's parameters.
    pub fn values(&self) -> Vec<f64> {
        match *self {
            Schedule::Constant => vec![],
            Schedule::Step { step_size, gamma } => vec![step_size as f64, gamma],
            Schedule::Exponential { gamma } => vec![gamma],
            Schedule::Cosine { t_max, eta_min } => vec![t_max as f64, eta_min],
            Schedule::Warmup { steps } => vec![steps as f64],
            Schedule::InverseTime { decay } => vec![decay],
        }
    }

    /// Its definition.
    pub fn def(&self) -> &'static ScheduleDef {
        let name = match self {
            Schedule::Constant => "constant",
            Schedule::Step { .. } => "step",
            Schedule::Exponential { .. } => "exponential",
            Schedule::Cosine { .. } => "cosine",
            Schedule::Warmup { .. } => "warmup",
            Schedule::InverseTime { .. } => "inverse-time",
        };
        SCHEDULES
            .iter()
            .find(|d| d.name == name)
            .unwrap_or(&SCHEDULES[0])
    }

    /// The stable name of this schedule.
    pub fn name(&self) -> &'static str {
        self.def().name
    }

    /// The definition named `name`.
    pub fn find(name: &str) -> Result<&'static ScheduleDef, ScheduleError> {
        SCHEDULES
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| ScheduleError::UnknownName(name.to_string()))
    }

    /// The schedule named `name` with its default parameters.
    pub fn default_of(def: &ScheduleDef) -> Schedule {
        let defaults: Vec<f64> = def.params.iter().map(|p| p.default).collect();
        (def.make)(&defaults)
    }

    /// The same schedule with parameter `index` set to `value` (brought into its range).
    pub fn with_value(&self, index: usize, value: f64) -> Schedule {
        let def = self.def();
        let mut values = self.values();
        if let (Some(v), Some(p)) = (values.get_mut(index), def.params.get(index)) {
            *v = p.clamp(value);
        }
        (def.make)(&values)
    }

    /// A one-line description with the formula and the parameters' defaults, for help texts
    /// and tooltips.
    pub fn describe(def: &ScheduleDef) -> String {
        if def.params.is_empty() {
            return def.formula.to_string();
        }
        let defaults: Vec<String> = def
            .params
            .iter()
            .map(|p| format!("{}={}", p.name, p.default))
            .collect();
        format!("{} (defaults {})", def.formula, defaults.join(", "))
    }

    /// The text [`Schedule::parse`] reads back, e.g. `step:step_size=100,gamma=0.5`.
    pub fn text(&self) -> String {
        let def = self.def();
        if def.params.is_empty() {
            return def.name.to_string();
        }
        let pairs: Vec<String> = def
            .params
            .iter()
            .zip(self.values())
            .map(|(p, v)| format!("{}={v}", p.name))
            .collect();
        format!("{}:{}", def.name, pairs.join(","))
    }

    /// Parses `NAME` or `NAME:key=value,key=value`, e.g. `step:step_size=100,gamma=0.5`.
    pub fn parse(spec: &str) -> Result<Self, ScheduleError> {
        let (name, params) = match spec.split_once(':') {
            Some((n, p)) => (n.trim(), p.trim()),
            None => (spec.trim(), ""),
        };
        let def = Self::find(name)?;
        let mut values: Vec<f64> = def.params.iter().map(|p| p.default).collect();
        for pair in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| ScheduleError::Malformed(pair.to_string()))?;
            let (key, value) = (key.trim(), value.trim());
            let k = def
                .params
                .iter()
                .position(|p| p.name == key)
                .ok_or_else(|| {
                    let valid: Vec<&str> = def.params.iter().map(|p| p.name).collect();
                    ScheduleError::UnknownParameter {
                        schedule: def.name,
                        key: key.to_string(),
                        valid: if valid.is_empty() {
                            "none".into()
                        } else {
                            valid.join(", ")
                        },
                    }
                })?;
            let p = &def.params[k];
            values[k] = value
                .parse::<f64>()
                .ok()
                .filter(|v| p.accepts(*v))
                .ok_or_else(|| ScheduleError::BadValue {
                    key: key.to_string(),
                    value: value.to_string(),
                    reason: p.range_text(),
                })?;
        }
        Ok((def.make)(&values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schedule_reads_back_its_own_text() {
        for def in SCHEDULES {
            let s = Schedule::default_of(def);
            let tweaked = if def.params.is_empty() {
                s
            } else {
                s.with_value(0, def.params[0].default * 2.0)
            };
            for s in [s, tweaked] {
                assert_eq!(Schedule::parse(&s.text()), Ok(s), "{}", s.text());
            }
        }
    }

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
    fn every_definition_makes_its_own_schedule_and_reads_its_values_back() {
        for def in SCHEDULES {
            let s = Schedule::default_of(def);
            assert_eq!(s.name(), def.name);
            assert_eq!(s.values().len(), def.params.len());
            assert_eq!((def.make)(&s.values()), s);
            let text = std::iter::once(def.name.to_string())
                .chain(
                    def.params
                        .iter()
                        .map(|p| format!("{}={}", p.name, p.default)),
                )
                .collect::<Vec<_>>();
            let spec = match text.split_first() {
                Some((n, rest)) if !rest.is_empty() => format!("{n}:{}", rest.join(",")),
                _ => def.name.to_string(),
            };
            assert_eq!(Schedule::parse(&spec).unwrap(), s, "{spec}");
        }
        let c = Schedule::parse("cosine").unwrap().with_value(0, 0.4);
        assert_eq!(
            c,
            Schedule::Cosine {
                t_max: 1,
                eta_min: 0.0
            }
        );
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
