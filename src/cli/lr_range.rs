//! `downhill lr-range`: the learning-rate range test for each optimizer on a real model, its
//! curve and its suggested learning rate.

use super::CliError;
use super::run::num;
use super::train::{ExperimentArgs, plan};
use crate::insight::lr_range;
use serde_json::json;
use std::io::Write;

/// Output format of `downhill lr-range`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per optimizer per step: optimizer, step, lr, loss, smoothed.
    Csv,
    /// One document: each optimizer's suggestion and curve.
    Json,
}

/// Options of `downhill lr-range`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Each optimizer trains the model from its initial weights on the training batches while its \
learning rate grows exponentially from --lr-min to --lr-max over --steps steps (Smith, 2017); \
the test stops early once the smoothed loss exceeds 4× its best. The loss is smoothed by an \
exponential moving average (0.98, bias corrected). The suggestion is where the smoothed loss \
falls fastest per unit of ln γ, between the flat start (the first 10% of the steps) and the \
lowest smoothed loss; none when the loss never falls there.

Output (csv): optimizer,step,lr,loss,smoothed; each optimizer's suggestion is a `note:` line on \
stderr. json: {\"runs\": [{\"optimizer\", \"suggestion\", \"at_minimum\", \"exploded\", \"lrs\", \
\"losses\", \"smoothed\"}]}.

Examples:
  downhill lr-range --dataset iris --model softmax --optimizer adam,gd
  downhill lr-range --dataset digits --model mlp:64 --optimizer adam --lr-max 1 --format json")]
pub struct LrRangeArgs {
    /// The dataset, model and optimizers.
    #[command(flatten)]
    pub experiment: ExperimentArgs,
    /// The smallest learning rate tried.
    #[arg(long, default_value = "1e-5", value_parser = |s: &str| super::args::positive(s, 1e6), allow_negative_numbers = true)]
    pub lr_min: f64,
    /// The largest learning rate tried.
    #[arg(long, default_value = "10", value_parser = |s: &str| super::args::positive(s, 1e6), allow_negative_numbers = true)]
    pub lr_max: f64,
    /// Steps from the one to the other.
    #[arg(long, default_value = "300", value_parser = super::args::whole::<u64, 10, 100_000>, allow_negative_numbers = true)]
    pub steps: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

/// Runs `downhill lr-range`.
pub fn execute(
    args: &LrRangeArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<(), CliError> {
    if args.lr_min >= args.lr_max {
        return Err(CliError::Usage(format!(
            "--lr-min {} must be below --lr-max {}",
            args.lr_min, args.lr_max
        )));
    }
    let exp = plan(&args.experiment, None, None)?.experiment()?;
    let json = args.format == Format::Json;
    if !json {
        writeln!(out, "optimizer,step,lr,loss,smoothed")?;
    }
    let mut runs = Vec::new();
    for setup in &exp.optimizers {
        let name = setup.kind.name();
        let r = lr_range(&exp, setup, args.lr_min, args.lr_max, args.steps as usize)
            .map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
        let suggestion = r.steepest();
        match suggestion {
            Some(lr) => writeln!(
                notes,
                "note: {name}: the loss falls fastest at lr ≈ {lr:.2e} (lowest at {})",
                r.at_minimum().map_or("—".into(), |v| format!("{v:.2e}"))
            )?,
            None => writeln!(
                notes,
                "note: {name}: the loss never falls between the flat start and its lowest point; \
                 try a wider range (--lr-min, --lr-max)"
            )?,
        }
        if json {
            runs.push(json!({
                "optimizer": name,
                "suggestion": suggestion,
                "at_minimum": r.at_minimum(),
                "exploded": r.exploded,
                "lrs": r.lrs,
                "losses": r.losses,
                "smoothed": r.smoothed,
            }));
        } else {
            for (t, ((lr, loss), smooth)) in
                r.lrs.iter().zip(&r.losses).zip(&r.smoothed).enumerate()
            {
                writeln!(
                    out,
                    "{name},{t},{},{},{}",
                    num(*lr),
                    num(*loss),
                    num(*smooth)
                )?;
            }
        }
    }
    if json {
        writeln!(out, "{}", json!({ "runs": runs }))?;
    }
    Ok(())
}
