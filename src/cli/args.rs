//! Parsers for the values on the command line, each failing with one line that says what is
//! valid.

use crate::data::DatasetKind;
use crate::engine::{Clip, Schedule};
use crate::optim::OptimizerKind;
use crate::optim::hyper::parse_assignments;
use crate::surfaces::SurfaceKind;
use crate::train::MAX_EPOCHS;

/// Parses an optimizer name.
pub fn optimizer(s: &str) -> Result<OptimizerKind, String> {
    OptimizerKind::from_name(s.trim()).map_err(|e| e.to_string())
}

/// Parses a surface name.
pub fn surface(s: &str) -> Result<SurfaceKind, String> {
    SurfaceKind::from_name(s.trim()).map_err(|e| e.to_string())
}

/// Parses a preset name.
pub fn preset(s: &str) -> Result<&'static crate::presets::Preset, String> {
    crate::presets::find(s.trim()).ok_or_else(|| {
        format!(
            "unknown preset '{}' (valid: {})",
            crate::limits::echo(s),
            crate::presets::names().join(", ")
        )
    })
}

/// Parses a window size `WIDTHxHEIGHT` in points, each in [320, 8192].
pub fn size(s: &str) -> Result<[f32; 2], String> {
    let parse = |t: &str| {
        t.trim()
            .parse::<u32>()
            .ok()
            .filter(|v| (320..=8192).contains(v))
    };
    match s.split_once(['x', 'X']) {
        Some((w, h)) => match (parse(w), parse(h)) {
            (Some(w), Some(h)) => Ok([w as f32, h as f32]),
            _ => Err(format!(
                "'{s}' is not a window size (expected WIDTHxHEIGHT, each in [320, 8192])"
            )),
        },
        None => Err(format!(
            "'{s}' is not a window size (expected WIDTHxHEIGHT, e.g. 1280x800)"
        )),
    }
}

/// Parses a dataset name.
pub fn dataset(s: &str) -> Result<DatasetKind, String> {
    DatasetKind::from_name(s.trim()).map_err(|e| e.to_string())
}

/// Parses an epoch count.
pub fn epochs(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n <= MAX_EPOCHS)
        .ok_or_else(|| {
            format!(
                "'{}' is not an epoch count (expected a whole number in [0, {MAX_EPOCHS}])",
                crate::limits::echo(s)
            )
        })
}

/// Refuses a `--hp` name that none of `kinds` has, naming the ones they have, and a name
/// given twice (across `--hp` flags too).
pub fn check_hp_names(kinds: &[OptimizerKind], hp: &[(String, f64)]) -> Result<(), String> {
    crate::optim::hyper::refuse_repeats(hp)?;
    for (name, _) in hp {
        let known = kinds
            .iter()
            .any(|k| k.hyper_specs().iter().any(|s| s.name == name));
        if !known {
            let mut valid: Vec<&str> = kinds
                .iter()
                .flat_map(|k| k.hyper_specs().iter().map(|s| s.name))
                .collect();
            valid.sort_unstable();
            valid.dedup();
            return Err(format!(
                "none of the optimizers named ({}) has a hyperparameter '{}' (valid: {})",
                kinds
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::limits::echo(name),
                valid.join(", ")
            ));
        }
    }
    Ok(())
}

/// A list of `name=value` assignments from one occurrence of a flag.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignments(pub Vec<(String, f64)>);

/// Parses `k=v,k=v` assignments.
pub fn assignments(s: &str) -> Result<Assignments, String> {
    parse_assignments(s).map(Assignments)
}

/// Parses a schedule spec such as `cosine:t_max=500`.
pub fn schedule(s: &str) -> Result<Schedule, String> {
    Schedule::parse(s).map_err(|e| e.to_string())
}

/// Parses a point `X,Y` of finite numbers.
pub fn point(s: &str) -> Result<[f64; 2], String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [x, y] = parts.as_slice() else {
        return Err(format!("'{s}' is not a point (expected X,Y, e.g. -1.2,1)"));
    };
    let num = |t: &str| {
        t.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && v.abs() <= 1e6)
            .ok_or_else(|| format!("'{t}' is not a coordinate (expected a number in [-1e6, 1e6])"))
    };
    Ok([num(x)?, num(y)?])
}

/// Parses a non-negative number bounded by `max`.
pub fn bounded(s: &str, max: f64) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0 && *v <= max)
        .ok_or_else(|| format!("'{}' is not a number in [0, {max}]", crate::limits::echo(s)))
}

/// Parses a whole number in [`LO`, `HI`] into `T`, naming the range when it is not one
/// (clap's own parser says only "invalid digit found in string").
pub fn whole<T: TryFrom<u64>, const LO: u64, const HI: u64>(s: &str) -> Result<T, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (LO..=HI).contains(n))
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| {
            format!(
                "'{}' is not a whole number in [{LO}, {HI}]",
                crate::limits::echo(s)
            )
        })
}

/// Parses a seed: a whole number in [0, 2⁶⁴ − 1].
pub fn seed(s: &str) -> Result<u64, String> {
    s.trim().parse::<u64>().map_err(|_| {
        format!(
            "'{}' is not a seed (expected a whole number in [0, {}])",
            crate::limits::echo(s),
            u64::MAX
        )
    })
}

/// Parses a patience: whole epochs in [1, MAX_EPOCHS].
pub fn patience(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_EPOCHS).contains(n))
        .ok_or_else(|| {
            format!(
                "'{}' is not a patience (expected a whole number of epochs in [1, {MAX_EPOCHS}])",
                crate::limits::echo(s)
            )
        })
}

/// Parses a positive number bounded by `max` (a clipping threshold: 0 would clip every
/// gradient to nothing).
pub fn positive(s: &str, max: f64) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0 && *v <= max)
        .ok_or_else(|| format!("'{}' is not a number in (0, {max}]", crate::limits::echo(s)))
}

/// Parses a number and checks it with `limit`, one of [`crate::limits`]' checks, so the
/// command line refuses a value with the same words as a scene, a deck or the saved state.
pub fn limited(
    s: &str,
    limit: fn(f64) -> Result<(), crate::limits::LimitError>,
) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) => limit(v).map(|()| v).map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "'{}' is not a number: {}",
            crate::limits::echo(s),
            limit(f64::NAN).map_or_else(|e| e.to_string(), |()| String::new())
        )),
    }
}

/// Parses a step count of at most [`MAX_STEPS`].
pub fn steps(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n <= MAX_STEPS)
        .ok_or_else(|| {
            format!(
                "'{}' is not a step count (expected a whole number in [0, {MAX_STEPS}])",
                crate::limits::echo(s)
            )
        })
}

/// The most steps one `run` may take per optimizer.
pub const MAX_STEPS: u64 = crate::limits::MAX_RUN_STEPS;

/// The clipping chosen by `--clip-norm` / `--clip-value`.
pub fn clip(norm: Option<f64>, value: Option<f64>) -> Clip {
    match (norm, value) {
        (Some(c), _) => Clip::Norm(c),
        (None, Some(c)) => Clip::Value(c),
        (None, None) => Clip::None,
    }
}
