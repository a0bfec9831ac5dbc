//! `downhill bench`: performance figures, one per line.

use super::CliError;
use crate::bench::{FIGURES, Figure, figure};
use serde_json::json;
use std::io::Write;

/// Options of `downhill bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Print each figure as a JSON line {"name", "value", "unit"}.
    #[arg(long)]
    pub json: bool,
    /// Only these figures (default: all).
    pub names: Vec<String>,
}

/// Runs `downhill bench`.
pub fn execute(args: &BenchArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let chosen: Vec<&Figure> = if args.names.is_empty() {
        FIGURES.iter().collect()
    } else {
        args.names
            .iter()
            .map(|n| {
                figure(n).ok_or_else(|| {
                    let valid: Vec<_> = FIGURES.iter().map(|f| f.name).collect();
                    CliError::Usage(format!(
                        "unknown benchmark '{n}' (valid: {})",
                        valid.join(", ")
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    for fig in chosen {
        let value = (fig.measure)();
        if args.json {
            writeln!(
                out,
                "{}",
                json!({"name": fig.name, "value": value, "unit": fig.unit})
            )?;
        } else {
            writeln!(
                out,
                "{:<20} {:>14} {:<8} {}",
                fig.name,
                format_value(value),
                fig.unit,
                fig.about
            )?;
        }
        out.flush()?;
    }
    Ok(())
}

/// Three significant digits, or a whole number for large values.
fn format_value(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}
