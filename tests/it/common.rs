//! Helpers shared by the integration tests.
#![allow(dead_code)]

use downhill::engine::{ObserveMode, RunConfig, Runner, Schedule, Status, Watch};
use downhill::optim::OptimizerKind;
use downhill::surfaces::{Surface, SurfaceKind};
use std::process::{Command, Output};

/// Parses `k=v` pairs given as a slice.
pub fn hp(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Runs `kind` with `overrides` on `surface` from `start` for up to `steps` steps; returns
/// the trajectory (start included) and the final status.
pub fn trajectory(
    surface: Surface,
    kind: OptimizerKind,
    overrides: &[(&str, f64)],
    schedule: Schedule,
    start: [f64; 2],
    steps: u64,
    tune: impl FnOnce(&mut RunConfig),
) -> (Vec<[f64; 2]>, Status) {
    let values = kind
        .hyper_values(&hp(overrides))
        .expect("valid hyperparameters");
    let mut config = RunConfig {
        lr: values.get("lr").unwrap(),
        schedule,
        ..RunConfig::default()
    };
    tune(&mut config);
    let mut runner = Runner::new(surface.clone(), kind.build(&values), config, &start).unwrap();
    let points = path(&mut runner, steps);
    (points, runner.status())
}

/// Every point of `runner`'s run from where it stands, for at most `steps` steps.
pub fn path<O: downhill::engine::Objective, P: downhill::engine::Optimizer>(
    runner: &mut Runner<O, P>,
    steps: u64,
) -> Vec<[f64; 2]> {
    let mut points = vec![[runner.x()[0], runner.x()[1]]];
    let mut collect = |r: &downhill::engine::StepRecord<'_>| points.push([r.x[0], r.x[1]]);
    runner.run(
        steps,
        &mut [Watch {
            mode: ObserveMode::EveryStep,
            observer: &mut collect,
        }],
    );
    points
}

/// The surface with default parameters.
pub fn surface(kind: SurfaceKind) -> Surface {
    Surface::new(kind)
}

/// Runs the binary with `args`, from the crate's directory (specs name `assets/…`).
pub fn downhill(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// stdout as text, asserting success.
pub fn ok(args: &[&str]) -> String {
    let out = downhill(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Asserts exit code 2 with a single stderr line containing every one of `needles`, and no
/// panic anywhere.
pub fn usage_error(args: &[&str], needles: &[&str]) {
    let out = downhill(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: not one line:\n{err}"
    );
    for n in needles {
        assert!(err.contains(n), "{args:?}: '{n}' not in: {err}");
    }
    assert!(!String::from_utf8_lossy(&out.stdout).contains("panicked"));
    assert!(!err.contains("panicked"));
}

/// A fresh folder under the system's temporary directory, removed with everything in it when
/// dropped, so a failing test leaves nothing behind either.
pub struct Scratch(std::path::PathBuf);

impl Scratch {
    /// A new empty folder named after `name` and this process.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("downhill-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for Scratch {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
