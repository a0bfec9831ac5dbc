//! Every limit on what a user can ask for, defined once. The command line, model spec files,
//! scene files, the saved app state and the panels all check through this module, so they
//! accept and refuse the same things with the same words.

use crate::numbers::Num;
use thiserror::Error;

/// The most units in one hidden layer.
pub const MAX_HIDDEN_WIDTH: usize = 4096;
/// The most hidden layers.
pub const MAX_HIDDEN_LAYERS: usize = 8;
/// The most epochs one run may take.
pub const MAX_EPOCHS: usize = 100_000;
/// The most rows per step (a whole table fits in it: `full` is the usual way to say so).
pub const MAX_BATCH: usize = 10_000_000;
/// The most optimizers trained side by side on one model.
pub const MAX_TRAIN_OPTIMIZERS: usize = 8;
/// The largest share of a dataset's rows held out for validation.
pub const MAX_VALIDATION: f64 = 0.9;
/// The most racers on one surface.
pub const MAX_RACERS: usize = 10;
/// The most steps one `downhill run` takes per racer.
pub const MAX_RUN_STEPS: u64 = 1_000_000;
/// The largest gradient-noise standard deviation.
pub const MAX_NOISE: f64 = 1e6;
/// The largest clipping threshold.
pub const MAX_CLIP: f64 = 1e12;
/// The largest |coordinate| of a start point: the engine's divergence bound.
pub const MAX_COORD: f64 = 1e6;
/// The most other seeds a stochastic racer also runs, drawn as a cloud.
pub const MAX_SEEDS: usize = 50;
/// The largest file read as data, in bytes.
pub const MAX_DATA_BYTES: u64 = 200 * 1024 * 1024;
/// The most columns a table read from a file may have (digits has 65; a spreadsheet of
/// thousands is not a dataset for this tool).
pub const MAX_COLUMNS: usize = 10_000;
/// The most numbers a table read from a file may hold (8 bytes each: 256 MiB).
pub const MAX_TABLE_CELLS: usize = 32 * 1024 * 1024;
/// The largest model spec, scene or state file, in bytes.
pub const MAX_TEXT_FILE_BYTES: u64 = 1024 * 1024;
/// Memory a model and its runs may take: parameters, gradients, every optimizer's state and
/// the batch's activations (a few GB on a machine with tens).
pub const MEMORY_BUDGET: u64 = 4 * 1024 * 1024 * 1024;
/// The longest piece of a user's input echoed back in a message, in characters.
pub const ECHO_CHARS: usize = 100;

/// A request beyond a limit, in words that say the limit.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LimitError {
    /// A hidden layer of no units, or too many.
    #[error("hidden layer {layer} has {width} units (valid: 1 to {MAX_HIDDEN_WIDTH})")]
    HiddenWidth {
        /// 1-based layer.
        layer: usize,
        /// Units asked for.
        width: usize,
    },
    /// Too many hidden layers.
    #[error("{0} hidden layers (the limit is {MAX_HIDDEN_LAYERS})")]
    HiddenLayers(usize),
    /// A batch of no rows, or too many.
    #[error("batch {0} (valid: 1 to {MAX_BATCH} rows, `full` or `single`)")]
    Batch(usize),
    /// Too many epochs.
    #[error("{0} epochs (valid: 0 to {MAX_EPOCHS})")]
    Epochs(usize),
    /// Too many optimizers.
    #[error("{0} optimizers (the limit is {MAX_TRAIN_OPTIMIZERS})")]
    Optimizers(usize),
    /// A noise level out of range.
    #[error("gradient noise {} (valid: 0 to {})", Num(*.0), Num(MAX_NOISE))]
    Noise(f64),
    /// A clipping threshold out of range.
    #[error("clipping threshold {} (valid: above 0, up to {})", Num(*.0), Num(MAX_CLIP))]
    Clip(f64),
    /// A start point that is not a point within the bound.
    #[error(
        "start ({}, {}) (valid: finite coordinates in [-{}, {}])",
        Num(.0[0]), Num(.0[1]), Num(MAX_COORD), Num(MAX_COORD)
    )]
    Start([f64; 2]),
    /// A start with the wrong number of coordinates.
    #[error("a start of {0} coordinates (valid: two, [x, y])")]
    StartLength(usize),
    /// A window that is not a rectangle within the bound.
    #[error(
        "window [{}, {}, {}, {}] (valid: finite x0 < x1 and y0 < y1 within ±{})",
        Num(.0[0]), Num(.0[1]), Num(.0[2]), Num(.0[3]), Num(MAX_COORD)
    )]
    Window([f64; 4]),
    /// A validation share out of range.
    #[error("validation fraction {} (valid: 0 to {MAX_VALIDATION})", Num(*.0))]
    Validation(f64),
    /// Too many steps for one run.
    #[error("{0} steps (valid: 0 to {MAX_RUN_STEPS})")]
    Steps(u64),
    /// Too many racers on one surface.
    #[error("{0} racers (the limit is {MAX_RACERS})")]
    Racers(usize),
    /// Too many seeds in a racer's cloud.
    #[error("{0} seeds (valid: 0 to {MAX_SEEDS})")]
    Seeds(usize),
    /// A schedule parameter out of its range.
    #[error("schedule {schedule}: {key} = {} (valid: {range})", Num(*.value))]
    Schedule {
        /// The schedule's name.
        schedule: &'static str,
        /// The parameter.
        key: &'static str,
        /// The value given.
        value: f64,
        /// Its valid range in words.
        range: String,
    },
    /// A model whose runs would not fit in memory.
    #[error(
        "this model has {params} parameters and its runs would need {need_mb} MB \
         (parameters, gradients, optimizer state and the batch); the limit is {limit_mb} MB"
    )]
    Memory {
        /// Parameters of the model.
        params: u64,
        /// Megabytes the runs would need.
        need_mb: u64,
        /// The budget in megabytes.
        limit_mb: u64,
    },
}

/// Checks hidden layer widths.
pub fn hidden(widths: &[usize]) -> Result<(), LimitError> {
    if widths.len() > MAX_HIDDEN_LAYERS {
        return Err(LimitError::HiddenLayers(widths.len()));
    }
    for (k, &w) in widths.iter().enumerate() {
        if !(1..=MAX_HIDDEN_WIDTH).contains(&w) {
            return Err(LimitError::HiddenWidth {
                layer: k + 1,
                width: w,
            });
        }
    }
    Ok(())
}

/// Checks a batch size in rows.
pub fn batch(rows: usize) -> Result<(), LimitError> {
    if (1..=MAX_BATCH).contains(&rows) {
        Ok(())
    } else {
        Err(LimitError::Batch(rows))
    }
}

/// Checks an epoch count.
pub fn epochs(n: usize) -> Result<(), LimitError> {
    if n <= MAX_EPOCHS {
        Ok(())
    } else {
        Err(LimitError::Epochs(n))
    }
}

/// Checks a gradient-noise standard deviation.
pub fn noise(sigma: f64) -> Result<(), LimitError> {
    if sigma.is_finite() && (0.0..=MAX_NOISE).contains(&sigma) {
        Ok(())
    } else {
        Err(LimitError::Noise(sigma))
    }
}

/// Checks a clipping threshold.
pub fn clip(c: f64) -> Result<(), LimitError> {
    if c.is_finite() && c > 0.0 && c <= MAX_CLIP {
        Ok(())
    } else {
        Err(LimitError::Clip(c))
    }
}

/// Checks a clipping setting: no clipping, or a threshold [`clip`] accepts.
pub fn clipping(c: crate::engine::Clip) -> Result<(), LimitError> {
    match c {
        crate::engine::Clip::None => Ok(()),
        crate::engine::Clip::Norm(c) | crate::engine::Clip::Value(c) => clip(c),
    }
}

/// Checks a start point: finite, each coordinate within ±[`MAX_COORD`].
pub fn start(p: [f64; 2]) -> Result<(), LimitError> {
    if p.iter().all(|v| v.is_finite() && v.abs() <= MAX_COORD) {
        Ok(())
    } else {
        Err(LimitError::Start(p))
    }
}

/// Checks a start read from a file as a list of numbers: exactly two, then [`start`].
pub fn start_of(coords: &[f64]) -> Result<[f64; 2], LimitError> {
    let p: [f64; 2] = coords
        .try_into()
        .map_err(|_| LimitError::StartLength(coords.len()))?;
    start(p).map(|()| p)
}

/// Checks a window `[x0, x1, y0, y1]`: finite, x0 < x1 and y0 < y1, within ±[`MAX_COORD`].
pub fn window(w: [f64; 4]) -> Result<(), LimitError> {
    let fits = w.iter().all(|v| v.is_finite() && v.abs() <= MAX_COORD);
    if fits && w[0] < w[1] && w[2] < w[3] {
        Ok(())
    } else {
        Err(LimitError::Window(w))
    }
}

/// Checks the share of rows held out for validation.
pub fn validation(share: f64) -> Result<(), LimitError> {
    if (0.0..=MAX_VALIDATION).contains(&share) {
        Ok(())
    } else {
        Err(LimitError::Validation(share))
    }
}

/// Checks a step count for one run.
pub fn steps(n: u64) -> Result<(), LimitError> {
    if n <= MAX_RUN_STEPS {
        Ok(())
    } else {
        Err(LimitError::Steps(n))
    }
}

/// Checks the number of racers on one surface.
pub fn racers(n: usize) -> Result<(), LimitError> {
    if n <= MAX_RACERS {
        Ok(())
    } else {
        Err(LimitError::Racers(n))
    }
}

/// Checks the number of other seeds a racer's cloud runs.
pub fn seeds(n: usize) -> Result<(), LimitError> {
    if n <= MAX_SEEDS {
        Ok(())
    } else {
        Err(LimitError::Seeds(n))
    }
}

/// Checks every parameter of a learning-rate schedule against its definition's range.
pub fn schedule(s: &crate::engine::Schedule) -> Result<(), LimitError> {
    let def = s.def();
    for (p, v) in def.params.iter().zip(s.values()) {
        if !p.accepts(v) {
            return Err(LimitError::Schedule {
                schedule: def.name,
                key: p.name,
                value: v,
                range: p.range_text(),
            });
        }
    }
    Ok(())
}

/// The settings of a run that a file, the command line or a panel may give, shared or a
/// racer's own (`None`: not given), to be checked together.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settings {
    /// Learning-rate schedule.
    pub schedule: Option<crate::engine::Schedule>,
    /// Gradient clipping.
    pub clip: Option<crate::engine::Clip>,
    /// Gradient-noise standard deviation.
    pub noise: Option<f64>,
}

impl Settings {
    /// Checks each setting given, with the same words as the command line.
    pub fn check(&self) -> Result<(), LimitError> {
        if let Some(s) = &self.schedule {
            schedule(s)?;
        }
        if let Some(c) = self.clip {
            clipping(c)?;
        }
        if let Some(n) = self.noise {
            noise(n)?;
        }
        Ok(())
    }
}

/// Checks the number of optimizers trained at once.
pub fn optimizers(n: usize) -> Result<(), LimitError> {
    if n <= MAX_TRAIN_OPTIMIZERS {
        Ok(())
    } else {
        Err(LimitError::Optimizers(n))
    }
}

/// Refuses a model whose runs would need more than [`MEMORY_BUDGET`].
pub fn memory(params: u64, need: u64) -> Result<(), LimitError> {
    if need <= MEMORY_BUDGET {
        Ok(())
    } else {
        Err(LimitError::Memory {
            params,
            need_mb: need / (1024 * 1024),
            limit_mb: MEMORY_BUDGET / (1024 * 1024),
        })
    }
}

/// A parser's multi-line message (TOML's quotes the offending line under a caret) on one
/// line: its lines joined, the caret and gutter lines dropped, each piece cut to
/// [`ECHO_CHARS`] characters, so a megabyte-long line is never echoed whole.
pub fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.chars().all(|c| c == '|' || c == '^' || c == ' '))
        .map(echo)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A user's input for a message: at most [`ECHO_CHARS`] characters, on one line.
pub fn echo(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let count = one_line.chars().count();
    if count <= ECHO_CHARS {
        one_line
    } else {
        let cut: String = one_line.chars().take(ECHO_CHARS).collect();
        format!("{cut}… ({count} characters)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_limit_says_its_bound() {
        assert!(hidden(&[32, 16]).is_ok());
        let zero = hidden(&[0]).unwrap_err().to_string();
        assert!(zero.contains("1 to 4096"), "{zero}");
        assert!(
            hidden(&[8; 9])
                .unwrap_err()
                .to_string()
                .contains("limit is 8")
        );
        assert!(batch(0).is_err() && batch(1).is_ok());
        assert!(clip(0.0).is_err() && clip(1.0).is_ok() && clip(f64::NAN).is_err());
        assert!(noise(-1.0).is_err() && noise(0.0).is_ok());
        assert!(epochs(MAX_EPOCHS).is_ok() && epochs(MAX_EPOCHS + 1).is_err());
    }

    #[test]
    fn memory_over_the_budget_is_refused_with_the_numbers() {
        // 100000 × 100000 weights: 80 GB of parameters alone.
        let params = 100_000u64 * 100_000;
        let err = memory(params, params * 8).unwrap_err().to_string();
        assert!(err.contains("10000000000 parameters") && err.contains("limit is 4096 MB"));
        assert!(memory(1000, MEMORY_BUDGET).is_ok());
        assert!(memory(1000, MEMORY_BUDGET + 1).is_err());
    }

    #[test]
    fn echoed_input_is_short_and_on_one_line() {
        assert_eq!(echo("lr=abc"), "lr=abc");
        let long = "x".repeat(1_000_000);
        let e = echo(&long);
        assert!(
            e.chars().count() < 130 && e.ends_with("(1000000 characters)"),
            "{e}"
        );
        assert_eq!(echo("a\nb"), "a b");
    }
}
