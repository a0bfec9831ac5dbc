//! Hyperparameters as data: name, default, valid range and meaning, for the CLI and the UI.

use serde::Serialize;
use thiserror::Error;

/// How a hyperparameter's value is interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HyperKind {
    /// A real number.
    Real,
    /// A whole number.
    Int,
    /// A switch: 0 is off, 1 is on.
    Bool,
}

/// One hyperparameter of an optimizer, described well enough to build a slider and a tooltip.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct HyperSpec {
    /// The PyTorch name, e.g. `lr`, `beta1`, `weight_decay`.
    pub name: &'static str,
    /// The default value.
    pub default: f64,
    /// The smallest valid value (inclusive unless `min_open`).
    pub min: f64,
    /// Whether `min` itself is excluded (a learning rate of 0 would never move).
    pub min_open: bool,
    /// The largest valid value (inclusive unless `max_open`).
    pub max: f64,
    /// Whether `max` itself is excluded.
    pub max_open: bool,
    /// Real, whole number or switch.
    pub kind: HyperKind,
    /// Whether a slider should move on a log scale.
    pub log_scale: bool,
    /// The range a slider offers: the useful part of the valid range (a learning rate may be
    /// up to 10⁶, a slider to 10 is what anyone needs). Typed values may go beyond it.
    pub slider: (f64, f64),
    /// One sentence on what it does.
    pub meaning: &'static str,
}

impl HyperSpec {
    /// Whether `value` is allowed.
    pub fn accepts(&self, value: f64) -> bool {
        let above_min = if self.min_open {
            value > self.min
        } else {
            value >= self.min
        };
        let in_range = above_min
            && if self.max_open {
                value < self.max
            } else {
                value <= self.max
            };
        let shaped = match self.kind {
            HyperKind::Real => true,
            HyperKind::Int => value.fract() == 0.0,
            HyperKind::Bool => value == 0.0 || value == 1.0,
        };
        value.is_finite() && in_range && shaped
    }

    /// The valid range as text, e.g. `[0, 1)` or `0 or 1`.
    pub fn range_text(&self) -> String {
        match self.kind {
            HyperKind::Bool => "0 or 1".to_string(),
            _ => format!(
                "{}{}, {}{}",
                if self.min_open { "(" } else { "[" },
                self.min,
                self.max,
                if self.max_open { ")" } else { "]" }
            ),
        }
    }

    /// Clamps `value` into the valid range (for sliders and typed-in numbers).
    pub fn clamp(&self, value: f64) -> f64 {
        if !value.is_finite() {
            return self.default;
        }
        let top = if self.max_open {
            self.max - (self.max - self.min) * 1e-9
        } else {
            self.max
        };
        if self.min_open && value <= self.min {
            // Nothing at the open bound is valid: the smallest value a slider offers is.
            return self.slider.0;
        }
        let v = value.clamp(self.min, top);
        match self.kind {
            HyperKind::Real => v,
            HyperKind::Int => v.round(),
            HyperKind::Bool => {
                if v >= 0.5 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// The learning rate γ.
pub const fn lr(default: f64) -> HyperSpec {
    HyperSpec {
        name: "lr",
        default,
        min: 0.0,
        min_open: true,
        max: 1e6,
        max_open: false,
        kind: HyperKind::Real,
        log_scale: true,
        slider: (1e-5, if default > 10.0 { default } else { 10.0 }),
        meaning: "Learning rate γ: how far each step moves.",
    }
}

/// L2 weight decay λ.
pub const fn weight_decay(default: f64) -> HyperSpec {
    HyperSpec {
        name: "weight_decay",
        default,
        min: 0.0,
        min_open: false,
        max: 100.0,
        max_open: false,
        kind: HyperKind::Real,
        log_scale: false,
        slider: (0.0, 1.0),
        meaning: "Weight decay λ: pulls the parameters towards zero on every step.",
    }
}

/// The ε added to a denominator for numerical stability.
pub const fn eps(default: f64) -> HyperSpec {
    HyperSpec {
        name: "eps",
        default,
        min: 0.0,
        min_open: false,
        max: 1.0,
        max_open: false,
        kind: HyperKind::Real,
        log_scale: true,
        slider: (1e-12, 1.0),
        meaning: "ε: added to the denominator so a tiny average never divides by zero.",
    }
}

/// A decay rate in [0, 1) with the given name and meaning.
pub const fn rate(name: &'static str, default: f64, meaning: &'static str) -> HyperSpec {
    HyperSpec {
        name,
        default,
        min: 0.0,
        min_open: false,
        max: 1.0,
        max_open: true,
        kind: HyperKind::Real,
        log_scale: false,
        slider: (0.0, 0.9999),
        meaning,
    }
}

/// An on/off switch with the given name and meaning.
pub const fn switch(name: &'static str, default: bool, meaning: &'static str) -> HyperSpec {
    HyperSpec {
        name,
        default: if default { 1.0 } else { 0.0 },
        min: 0.0,
        min_open: false,
        max: 1.0,
        max_open: false,
        kind: HyperKind::Bool,
        log_scale: false,
        slider: (0.0, 1.0),
        meaning,
    }
}

/// Adam's β₁, the decay of the first-moment (mean) estimate.
pub const fn beta1(default: f64) -> HyperSpec {
    rate(
        "beta1",
        default,
        "β₁: decay of the running mean of gradients (momentum).",
    )
}

/// Adam's β₂, the decay of the second-moment (uncentred variance) estimate.
pub const fn beta2(default: f64) -> HyperSpec {
    rate(
        "beta2",
        default,
        "β₂: decay of the running mean of squared gradients (per-coordinate scale).",
    )
}

/// A real hyperparameter in `[min, max]` (slider over the same range).
pub const fn real(
    name: &'static str,
    default: f64,
    min: f64,
    max: f64,
    meaning: &'static str,
) -> HyperSpec {
    HyperSpec {
        name,
        default,
        min,
        min_open: false,
        max,
        max_open: false,
        kind: HyperKind::Real,
        log_scale: false,
        slider: (min, max),
        meaning,
    }
}

/// The names of `specs`, comma-separated (for messages).
pub fn names(specs: &[HyperSpec]) -> String {
    specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}

/// A hyperparameter assignment that was rejected.
#[derive(Debug, Error, PartialEq)]
pub enum HyperError {
    /// A name this optimizer does not have.
    #[error("{optimizer} has no hyperparameter '{name}' (valid: {valid})")]
    Unknown {
        /// The optimizer.
        optimizer: &'static str,
        /// The name given.
        name: String,
        /// Its hyperparameters.
        valid: String,
    },
    /// A value outside the valid range.
    #[error("{optimizer}: {name}={value} is out of range (valid: {range})")]
    OutOfRange {
        /// The optimizer.
        optimizer: &'static str,
        /// The hyperparameter.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The valid range.
        range: String,
    },
    /// A combination PyTorch rejects too.
    #[error("{optimizer}: {reason}")]
    Invalid {
        /// The optimizer.
        optimizer: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

/// A full set of hyperparameter values for one optimizer, in the order of its specs.
#[derive(Clone, Debug, PartialEq)]
pub struct HyperValues {
    entries: Vec<(&'static str, f64)>,
}

impl HyperValues {
    /// The defaults of `specs`.
    pub fn defaults(specs: &[HyperSpec]) -> Self {
        Self {
            entries: specs.iter().map(|s| (s.name, s.default)).collect(),
        }
    }

    /// The value of `name`, or `None` when there is no such hyperparameter.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.entries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// The value of `name` as a switch.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != 0.0)
    }

    /// Sets `name` to `value` if such a hyperparameter exists; returns whether it did.
    pub fn set(&mut self, name: &str, value: f64) -> bool {
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => {
                entry.1 = value;
                true
            }
            None => false,
        }
    }

    /// The (name, value) pairs in spec order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.entries.iter().copied()
    }
}

/// Parses `k=v,k=v` (values are numbers, or `true`/`false` for switches).
pub fn parse_assignments(text: &str) -> Result<Vec<(String, f64)>, String> {
    let echo = crate::limits::echo;
    let pairs: Vec<(String, f64)> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("malformed '{}' (expected name=value)", echo(pair)))?;
            let (k, v) = (k.trim(), v.trim());
            let value = match v {
                "true" => 1.0,
                "false" => 0.0,
                _ => v
                    .parse::<f64>()
                    .map_err(|_| format!("{}: '{}' is not a number", echo(k), echo(v)))?,
            };
            if !value.is_finite() {
                return Err(format!("{}={}: the value must be finite", echo(k), echo(v)));
            }
            Ok((k.to_string(), value))
        })
        .collect::<Result<_, String>>()?;
    refuse_repeats(&pairs)?;
    Ok(pairs)
}

/// Refuses a name given twice (`lr=1,lr=2`): which one was meant cannot be known.
pub fn refuse_repeats(pairs: &[(String, f64)]) -> Result<(), String> {
    for (k, (name, _)) in pairs.iter().enumerate() {
        if pairs[..k].iter().any(|(n, _)| n == name) {
            return Err(format!(
                "'{}' is given twice; give each name once",
                crate::limits::echo(name)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_shapes() {
        let b = beta1(0.9);
        assert!(b.accepts(0.0) && b.accepts(0.999));
        assert!(!b.accepts(1.0) && !b.accepts(-0.1) && !b.accepts(f64::NAN));
        assert_eq!(b.range_text(), "[0, 1)");
        let s = switch("amsgrad", false, "");
        assert!(s.accepts(1.0) && !s.accepts(0.5));
        assert_eq!(s.clamp(0.7), 1.0);
        assert!(b.clamp(5.0) < 1.0);
        assert_eq!(lr(1e-3).clamp(f64::INFINITY), 1e-3);
        // A learning rate of zero would never move: refused, and clamped up to the slider's
        // smallest value.
        assert!(!lr(1e-3).accepts(0.0) && lr(1e-3).accepts(1e-9));
        assert_eq!(lr(1e-3).range_text(), "(0, 1000000]");
        assert_eq!(lr(1e-3).clamp(0.0), 1e-5);
    }

    #[test]
    fn assignments_parse() {
        assert_eq!(
            parse_assignments("lr=0.1, amsgrad=true").unwrap(),
            vec![("lr".to_string(), 0.1), ("amsgrad".to_string(), 1.0)]
        );
        assert!(parse_assignments("lr").unwrap_err().contains("malformed"));
        assert!(
            parse_assignments("lr=abc")
                .unwrap_err()
                .contains("not a number")
        );
        assert!(parse_assignments("lr=inf").is_err());
    }
}
