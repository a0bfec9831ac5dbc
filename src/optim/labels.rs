//! Names for several runs side by side that tell them apart: the optimizer's short name,
//! then what sets a run apart from others of the same optimizer (the hyperparameters that
//! differ, its own settings, its start), numbered only when nothing else does.

use super::OptimizerKind;
use super::hyper::HyperValues;

/// What a run's label is made of.
#[derive(Clone, Debug)]
pub struct Labelled<'a> {
    /// The optimizer.
    pub kind: OptimizerKind,
    /// Its hyperparameters.
    pub hp: &'a HyperValues,
    /// Settings of its own, already worded ("clip ‖g‖≤1", "noise σ=0.3", "cosine").
    pub extras: Vec<String>,
    /// A start of its own, named only when nothing else tells it from a twin.
    pub start: Option<[f64; 2]>,
}

/// A label for each run: "GD γ=0.21", "GD, clip ‖g‖≤1", "GD from (−0.5, −0.5)", "Adam #2".
pub fn label_all(runs: &[Labelled<'_>]) -> Vec<String> {
    let mut out: Vec<String> = runs
        .iter()
        .map(|run| {
            let siblings: Vec<&Labelled<'_>> = runs.iter().filter(|o| o.kind == run.kind).collect();
            let mut name = run.kind.short().to_string();
            // Hyperparameters that differ among runs of the same optimizer.
            for (hp, v) in run.hp.iter() {
                if siblings.iter().any(|o| o.hp.get(hp) != Some(v)) {
                    name.push_str(&format!(" {}={}", symbol(hp), compact(v)));
                }
            }
            for extra in &run.extras {
                name.push_str(", ");
                name.push_str(extra);
            }
            name
        })
        .collect();
    // Runs alike in all of that but their start say where they start from.
    let alike = out.clone();
    for i in 0..runs.len() {
        let twins = (0..runs.len()).any(|j| j != i && alike[j] == alike[i]);
        if twins && let Some(p) = runs[i].start {
            out[i] = format!("{} from ({}, {})", out[i], compact(p[0]), compact(p[1]));
        }
    }
    // Anything still alike is numbered.
    let snapshot = out.clone();
    for (i, label) in out.iter_mut().enumerate() {
        let same: Vec<usize> = (0..snapshot.len())
            .filter(|&j| snapshot[j] == snapshot[i])
            .collect();
        if same.len() > 1 {
            let k = same.iter().position(|&j| j == i).unwrap_or(0) + 1;
            label.push_str(&format!(" #{k}"));
        }
    }
    out
}

/// The usual symbol of a hyperparameter in labels (γ for the learning rate …), or its name.
fn symbol(name: &str) -> &str {
    match name {
        "lr" => "γ",
        "momentum" => "μ",
        "beta1" => "β₁",
        "beta2" => "β₂",
        "weight_decay" => "λ",
        "eps" => "ε",
        "alpha" => "α",
        "rho" => "ρ",
        _ => name,
    }
}

/// A number in few characters for a label: 0.003, 0.15, 1e-5, 1200.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || (1e-3..1e5).contains(&a) {
        let text = format!("{:.4}", v);
        let text = text.trim_end_matches('0').trim_end_matches('.');
        // −0.0 and the like.
        if text == "-0" {
            "0".into()
        } else {
            text.replace('-', "−")
        }
    } else {
        format!("{v:.0e}").replace('-', "−")
    }
}
