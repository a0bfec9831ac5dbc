//! Every optimizer that PyTorch ships, step by step against `torch.optim` itself.
//!
//! The values in `golden/torch_steps.json` come from `torch.optim` (SGD, Adagrad, RMSprop,
//! Adadelta, Adam, AdamW, NAdam, RAdam, LBFGS) in float64 on the CPU, written by
//! `tools/torch_golden.py`: 30 steps of each case on Rosenbrock from (−1.2, 1) and on
//! Himmelblau from (0.5, 0.5), θ and the optimizer's state (under torch's names) after each.
//! Regenerate them with
//!
//! ```text
//! python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch
//! /tmp/torchenv/bin/python tools/torch_golden.py
//! ```
//!
//! (the file's `generated_by` records the command and torch's version). L-BFGS is compared
//! without its line search only: downhill's strong Wolfe search (Nocedal & Wright 3.5/3.6)
//! tries other steps than torch's `_strong_wolfe` once the first trial is not accepted
//! (already at step 1 on Himmelblau; see the script's docstring).

use downhill::engine::{RunConfig, Runner};
use downhill::optim::OptimizerKind;
use downhill::surfaces::{Surface, SurfaceKind};
use serde_json::Value;

/// Relative tolerance, and absolute near zero.
const TOL: f64 = 1e-12;

/// The optimizers torch.optim has (Lion and Newton it has not).
const IN_TORCH: &[&str] = &[
    "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad",
    "nadam", "radam", "lbfgs",
];

/// torch's state vectors that downhill exposes (under the same names, but L-BFGS's direction,
/// torch's `d`): when torch's record has one, the optimizer must show it.
const SHOWN: &[&str] = &[
    "momentum_buffer",
    "exp_avg",
    "exp_avg_sq",
    "max_exp_avg_sq",
    "square_avg",
    "grad_avg",
    "acc_delta",
    "sum",
    "d",
];

/// torch's name for the state vector downhill calls `name`.
fn torch_name(name: &str) -> &str {
    match name {
        "direction" => "d",
        other => other,
    }
}

fn close(got: f64, want: f64) -> bool {
    let err = (got - want).abs();
    err <= TOL * want.abs() || err <= TOL
}

fn golden() -> Value {
    serde_json::from_str(include_str!("golden/torch_steps.json")).expect("golden JSON")
}

#[test]
fn every_torch_optimizer_has_cases_on_both_surfaces() {
    let golden = golden();
    let cases = golden["cases"].as_array().unwrap();
    for name in IN_TORCH {
        OptimizerKind::from_name(name).expect("a registry name");
        for surface in ["rosenbrock", "himmelblau"] {
            assert!(
                cases
                    .iter()
                    .any(|c| c["optimizer"] == *name && c["surface"] == surface),
                "no torch case for {name} on {surface}"
            );
        }
    }
}

/// θ and every state vector the optimizer shows agree with torch.optim after each of the 30
/// steps of every case; the first disagreement of each case is reported.
#[test]
fn every_step_matches_torch_optim() {
    let golden = golden();
    let steps_per_case = golden["steps_per_case"].as_u64().unwrap() as usize;
    let failures: Vec<String> = golden["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|case| check_case(case, steps_per_case).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} case(s) differ from torch.optim:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs one golden case; the first disagreement with torch, named by optimizer, settings,
/// surface, step and quantity.
fn check_case(case: &Value, steps_per_case: usize) -> Result<(), String> {
    let name = case["optimizer"].as_str().unwrap();
    let kind = OptimizerKind::from_name(name).unwrap();
    let overrides: Vec<(String, f64)> = case["hp"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
        .collect();
    let surface_name = case["surface"].as_str().unwrap();
    let label = format!("{name} {overrides:?} on {surface_name}");
    let values = kind
        .hyper_values(&overrides)
        .map_err(|e| format!("{label}: {e}"))?;
    let surface = Surface::new(SurfaceKind::from_name(surface_name).unwrap());
    let start: Vec<f64> = case["start"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let config = RunConfig {
        lr: values.get("lr").unwrap(),
        tol_grad: 0.0,
        tol_step: 0.0,
        ..RunConfig::default()
    };
    let mut runner = Runner::new(surface.clone(), kind.build(&values), config, &start).unwrap();
    let steps = case["steps"].as_array().unwrap();
    if steps.len() != steps_per_case {
        return Err(format!("{label}: {} steps in the file", steps.len()));
    }
    for (k, want) in steps.iter().enumerate() {
        let t = k + 1;
        if !runner.step() {
            return Err(format!(
                "{label} step {t}: the run stopped ({:?})",
                runner.status()
            ));
        }
        let torch_state = want["state"].as_object().unwrap();
        if let Some(step) = torch_state.get("step") {
            // The file itself: torch's counter after its increment is the step number.
            assert_eq!(
                step.as_f64(),
                Some(t as f64),
                "{label} step {t}: state['step']"
            );
        }
        for (i, w) in want["theta"].as_array().unwrap().iter().enumerate() {
            let (got, w) = (runner.x()[i], w.as_f64().unwrap());
            if !close(got, w) {
                return Err(format!(
                    "{label} step {t}: θ[{i}] is {got:e}, torch.optim gives {w:e} (off by {:.1e})",
                    got - w
                ));
            }
        }
        let shown = runner.optimizer().state();
        for (ours, got) in &shown {
            let theirs = torch_name(ours);
            let Some(w) = torch_state.get(theirs) else {
                return Err(format!(
                    "{label} step {t}: shows state '{ours}', which torch's state lacks"
                ));
            };
            for (i, w) in w.as_array().unwrap().iter().enumerate() {
                let w = w.as_f64().unwrap();
                if !close(got[i], w) {
                    return Err(format!(
                        "{label} step {t}: state['{theirs}'][{i}] is {:e}, torch.optim gives {w:e} (off by {:.1e})",
                        got[i],
                        got[i] - w
                    ));
                }
            }
        }
        for theirs in SHOWN {
            if torch_state.contains_key(*theirs)
                && !shown.iter().any(|(o, _)| torch_name(o) == *theirs)
            {
                return Err(format!(
                    "{label} step {t}: torch keeps state['{theirs}'], the optimizer does not show it"
                ));
            }
        }
    }
    Ok(())
}
