//! Every optimizer against numbers worked out independently: golden first steps, closed forms
//! and convergence at a documented setting.

use crate::common::{hp, trajectory};
use downhill::engine::{
    Objective, Optimizer, Oracle, PairStep, RunConfig, Runner, Schedule, Status, Step, StopReason,
};
use downhill::optim::OptimizerKind;
use downhill::optim::hyper::HyperValues;
use downhill::surfaces::{Surface, SurfaceKind};
use nalgebra::{Matrix2, Vector2};
use serde_json::Value;

/// Golden values: the first 8 steps of every optimizer (27 cases, defaults and non-default
/// settings) on Rosenbrock from (−1.2, 1), worked out by `tools/golden_steps.py` in plain
/// Python from the published update rules (see that script's docstring for each source).
#[test]
fn first_steps_match_the_published_formulas() {
    let golden: Value =
        serde_json::from_str(include_str!("golden/first_steps.json")).expect("golden JSON");
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= OptimizerKind::all().count());
    for kind in OptimizerKind::all() {
        assert!(
            cases.iter().any(|c| c["optimizer"] == kind.name()),
            "no golden case for {}",
            kind.name()
        );
    }
    for case in cases {
        let (kind, overrides, values) = golden_case(case);
        let config = RunConfig {
            lr: values.get("lr").unwrap(),
            tol_grad: 0.0,
            tol_step: 0.0,
            ..RunConfig::default()
        };
        let surface = Surface::new(SurfaceKind::Rosenbrock);
        let mut runner =
            Runner::new(surface.clone(), kind.build(&values), config, &[-1.2, 1.0]).unwrap();
        for (t, want) in case["points"].as_array().unwrap().iter().enumerate() {
            assert!(runner.step(), "{} stopped at step {t}", kind.name());
            for (i, w) in want.as_array().unwrap().iter().enumerate() {
                let (got, w) = (runner.x()[i], w.as_f64().unwrap());
                assert!(
                    (got - w).abs() <= 1e-10 * (1.0 + w.abs()),
                    "{} {:?} step {}: coordinate {i} is {got}, formula gives {w}",
                    kind.name(),
                    overrides,
                    t + 1
                );
            }
        }
    }
}

/// The quadratic's matrix A as an nalgebra matrix.
/// A golden case's optimizer, its hyperparameter overrides and the full values they give.
fn golden_case(case: &Value) -> (OptimizerKind, Vec<(String, f64)>, HyperValues) {
    let kind = OptimizerKind::from_name(case["optimizer"].as_str().unwrap()).unwrap();
    let overrides: Vec<(String, f64)> = case["hp"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
        .collect();
    let values = kind.hyper_values(&overrides).unwrap();
    (kind, overrides, values)
}

fn matrix(surface: &Surface) -> Matrix2<f64> {
    let [a, b, c] = surface.quadratic_matrix().unwrap();
    Matrix2::new(a, b, b, c)
}

/// GD on f = ½xᵀAx follows xₜ = (I − γA)ᵗ x₀ exactly.
#[test]
fn gd_on_a_quadratic_follows_the_closed_form() {
    for (kappa, angle, lr) in [(10.0, 30.0, 0.15), (100.0, -60.0, 0.015), (1.0, 0.0, 0.5)] {
        let surface = Surface::with_params(
            SurfaceKind::Quadratic,
            &hp(&[("condition", kappa), ("angle", angle)]),
        )
        .unwrap();
        let x0 = Vector2::new(-4.0, 3.0);
        let (points, _) = trajectory(
            surface.clone(),
            OptimizerKind::GD,
            &[("lr", lr)],
            Schedule::Constant,
            [x0.x, x0.y],
            60,
            |c| c.tol_grad = 0.0,
        );
        let step = Matrix2::identity() - matrix(&surface) * lr;
        for (t, p) in points.iter().enumerate() {
            let want = step.pow(t as u32) * x0;
            let err = (Vector2::new(p[0], p[1]) - want).norm();
            assert!(
                err <= 1e-12 * (1.0 + want.norm()),
                "κ={kappa} t={t}: off by {err}"
            );
        }
    }
}

/// Divergence is reported exactly when γ > 2/λ_max.
#[test]
fn gd_diverges_exactly_above_two_over_lambda_max() {
    for (kappa, angle) in [(10.0, 30.0), (50.0, 75.0), (4.0, -20.0)] {
        let surface = Surface::with_params(
            SurfaceKind::Quadratic,
            &hp(&[("condition", kappa), ("angle", angle)]),
        )
        .unwrap();
        let lambda_max = matrix(&surface).symmetric_eigenvalues().max();
        assert!((lambda_max - kappa).abs() < 1e-9 * kappa);
        let critical = 2.0 / lambda_max;
        let run = |lr: f64| {
            trajectory(
                surface.clone(),
                OptimizerKind::GD,
                &[("lr", lr)],
                Schedule::Constant,
                [-4.0, 3.0],
                20_000,
                |_| {},
            )
            .1
        };
        assert!(
            matches!(run(critical * 0.99), Status::Converged { .. }),
            "κ={kappa}: γ just below 2/λ_max must converge"
        );
        assert!(
            matches!(
                run(critical * 1.01),
                Status::Diverged {
                    reason: StopReason::OutOfBounds,
                    ..
                }
            ),
            "κ={kappa}: γ just above 2/λ_max must diverge"
        );
        // Exactly at the limit the stiff direction oscillates forever without growing.
        assert_eq!(run(critical), Status::Running, "κ={kappa}");
    }
}

/// Newton's method lands on the minimum of a quadratic in one step.
#[test]
fn newton_solves_a_quadratic_in_one_step() {
    let surface =
        Surface::with_params(SurfaceKind::Quadratic, &hp(&[("condition", 1000.0)])).unwrap();
    let (points, status) = trajectory(
        surface.clone(),
        OptimizerKind::NEWTON,
        &[],
        Schedule::Constant,
        [-4.0, 3.0],
        10,
        |_| {},
    );
    assert!(points[1][0].abs() < 1e-12 && points[1][1].abs() < 1e-12);
    assert!(
        matches!(status, Status::Converged { step: 1, .. }),
        "{status:?}"
    );
}

/// Newton near a saddle never heads for it: each step goes downhill.
#[test]
fn newton_steps_downhill_where_the_hessian_is_indefinite() {
    let surface = Surface::new(SurfaceKind::Saddle);
    let (points, _) = trajectory(
        surface.clone(),
        OptimizerKind::NEWTON,
        &[("damping", 1.0)],
        Schedule::Constant,
        [1.0, 0.1],
        5,
        |c| c.bound = 1e12,
    );
    for pair in points.windows(2) {
        assert!(
            surface.value(pair[1][0], pair[1][1]) < surface.value(pair[0][0], pair[0][1]),
            "{pair:?}"
        );
    }
}

/// L-BFGS's line search accepts steps that satisfy the strong Wolfe conditions.
#[test]
fn lbfgs_steps_satisfy_the_strong_wolfe_conditions() {
    let surface = Surface::new(SurfaceKind::Rosenbrock);
    let (points, status) = trajectory(
        surface.clone(),
        OptimizerKind::LBFGS,
        &[],
        Schedule::Constant,
        [-1.2, 1.0],
        200,
        |_| {},
    );
    assert!(matches!(status, Status::Converged { .. }), "{status:?}");
    for pair in points.windows(2) {
        let (f0, g0) = surface.value_grad(pair[0][0], pair[0][1]);
        let (f1, g1) = surface.value_grad(pair[1][0], pair[1][1]);
        let d = [pair[1][0] - pair[0][0], pair[1][1] - pair[0][1]];
        let slope0 = g0[0] * d[0] + g0[1] * d[1];
        let slope1 = g1[0] * d[0] + g1[1] * d[1];
        if slope0.abs() < 1e-20 {
            continue; // converged at the end: a zero step
        }
        assert!(slope0 < 0.0, "not a descent direction");
        assert!(
            f1 <= f0 + 1e-4 * slope0 + 1e-15,
            "sufficient decrease fails"
        );
        assert!(
            slope1.abs() <= 0.9 * slope0.abs() * (1.0 + 1e-9),
            "curvature fails"
        );
    }
}

/// One row of the convergence table: an optimizer, its setting, and the step budget.
struct Setting {
    kind: OptimizerKind,
    hp: &'static [(&'static str, f64)],
    schedule: &'static str,
    steps: u64,
}

/// Runs every row from `start` and asserts it converges to `minimum`.
fn assert_all_converge(surface: Surface, start: [f64; 2], minimum: [f64; 2], table: &[Setting]) {
    for kind in OptimizerKind::all() {
        assert!(
            table.iter().any(|s| s.kind == kind),
            "{} missing from the table",
            kind.name()
        );
    }
    let mut failures = Vec::new();
    for s in table {
        let schedule = Schedule::parse(s.schedule).unwrap();
        let (points, status) = trajectory(
            surface.clone(),
            s.kind,
            s.hp,
            schedule,
            start,
            s.steps,
            |c| {
                c.tol_grad = 1e-6;
            },
        );
        let end = points.last().unwrap();
        let dist = ((end[0] - minimum[0]).powi(2) + (end[1] - minimum[1]).powi(2)).sqrt();
        if !matches!(status, Status::Converged { .. }) || dist > 1e-3 {
            failures.push(format!(
                "{} {:?} {}: {status:?}, ends {dist:.2e} from the minimum",
                s.kind.name(),
                s.hp,
                s.schedule
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The documented settings at which each optimizer converges on the ill-conditioned
/// quadratic (κ = 10, θ = 30°) from (−4, 3), to ‖∇f‖ < 10⁻⁶.
#[test]
fn every_optimizer_converges_on_the_quadratic() {
    use OptimizerKind as K;
    let table = [
        Setting {
            kind: K::GD,
            hp: &[("lr", 0.1)],
            schedule: "constant",
            steps: 1_000,
        },
        Setting {
            kind: K::MOMENTUM,
            hp: &[("lr", 0.05), ("momentum", 0.5)],
            schedule: "constant",
            steps: 1_000,
        },
        Setting {
            kind: K::NESTEROV,
            hp: &[("lr", 0.05), ("momentum", 0.5)],
            schedule: "constant",
            steps: 1_000,
        },
        Setting {
            kind: K::ADAGRAD,
            hp: &[("lr", 1.0)],
            schedule: "constant",
            steps: 5_000,
        },
        Setting {
            kind: K::RMSPROP,
            hp: &[("lr", 0.05)],
            schedule: "exponential:gamma=0.999",
            steps: 5_000,
        },
        Setting {
            kind: K::ADADELTA,
            hp: &[("lr", 1.0), ("eps", 1e-2)],
            schedule: "constant",
            steps: 20_000,
        },
        Setting {
            kind: K::ADAM,
            hp: &[("lr", 0.1)],
            schedule: "constant",
            steps: 5_000,
        },
        Setting {
            kind: K::ADAMW,
            hp: &[("lr", 0.1), ("weight_decay", 0.0)],
            schedule: "constant",
            steps: 5_000,
        },
        Setting {
            kind: K::AMSGRAD,
            hp: &[("lr", 0.1)],
            schedule: "constant",
            steps: 5_000,
        },
        Setting {
            kind: K::NADAM,
            hp: &[("lr", 0.1)],
            schedule: "constant",
            steps: 5_000,
        },
        Setting {
            kind: K::RADAM,
            hp: &[("lr", 0.1)],
            schedule: "constant",
            steps: 5_000,
        },
        Setting {
            kind: K::LION,
            hp: &[("lr", 0.05)],
            schedule: "exponential:gamma=0.995",
            steps: 20_000,
        },
        Setting {
            kind: K::NEWTON,
            hp: &[],
            schedule: "constant",
            steps: 10,
        },
        Setting {
            kind: K::LBFGS,
            hp: &[],
            schedule: "constant",
            steps: 50,
        },
    ];
    assert_all_converge(
        Surface::new(SurfaceKind::Quadratic),
        [-4.0, 3.0],
        [0.0, 0.0],
        &table,
    );
}

/// The documented settings at which each optimizer reaches Rosenbrock's minimum (1, 1)
/// from (−1.2, 1), to ‖∇f‖ < 10⁻⁶.
#[test]
fn every_optimizer_converges_on_rosenbrock() {
    use OptimizerKind as K;
    let table = [
        Setting {
            kind: K::GD,
            hp: &[("lr", 1e-3)],
            schedule: "constant",
            steps: 200_000,
        },
        Setting {
            kind: K::MOMENTUM,
            hp: &[("lr", 1e-3), ("momentum", 0.9)],
            schedule: "constant",
            steps: 50_000,
        },
        Setting {
            kind: K::NESTEROV,
            hp: &[("lr", 1e-3), ("momentum", 0.9)],
            schedule: "constant",
            steps: 50_000,
        },
        Setting {
            kind: K::ADAGRAD,
            hp: &[("lr", 0.5)],
            schedule: "constant",
            steps: 200_000,
        },
        Setting {
            kind: K::RMSPROP,
            hp: &[("lr", 1e-2)],
            schedule: "exponential:gamma=0.999",
            steps: 100_000,
        },
        Setting {
            kind: K::ADADELTA,
            hp: &[("lr", 1.0), ("eps", 1e-3)],
            schedule: "exponential:gamma=0.9999",
            steps: 100_000,
        },
        Setting {
            kind: K::ADAM,
            hp: &[("lr", 2e-2)],
            schedule: "constant",
            steps: 50_000,
        },
        Setting {
            kind: K::ADAMW,
            hp: &[("lr", 2e-2), ("weight_decay", 0.0)],
            schedule: "constant",
            steps: 50_000,
        },
        Setting {
            kind: K::AMSGRAD,
            hp: &[("lr", 2e-2)],
            schedule: "constant",
            steps: 50_000,
        },
        Setting {
            kind: K::NADAM,
            hp: &[("lr", 2e-2)],
            schedule: "exponential:gamma=0.9995",
            steps: 50_000,
        },
        Setting {
            kind: K::RADAM,
            hp: &[("lr", 5e-3)],
            schedule: "constant",
            steps: 50_000,
        },
        Setting {
            kind: K::LION,
            hp: &[("lr", 1e-2)],
            schedule: "exponential:gamma=0.999",
            steps: 50_000,
        },
        Setting {
            kind: K::NEWTON,
            hp: &[],
            schedule: "constant",
            steps: 100,
        },
        Setting {
            kind: K::LBFGS,
            hp: &[],
            schedule: "constant",
            steps: 200,
        },
    ];
    assert_all_converge(
        Surface::new(SurfaceKind::Rosenbrock),
        [-1.2, 1.0],
        [1.0, 1.0],
        &table,
    );
}

/// The two-parameter path that surfaces run through (`update_pair`, with Adam's straight-line
/// code) gives the slice path's numbers bit for bit, for every golden setting, with steps
/// that are consecutive and steps that jump.
#[test]
fn the_two_parameter_path_matches_the_general_one() {
    let golden: Value =
        serde_json::from_str(include_str!("golden/first_steps.json")).expect("golden JSON");
    let mut surface = Surface::new(SurfaceKind::Rosenbrock);
    for case in golden["cases"].as_array().unwrap() {
        let (kind, overrides, values) = golden_case(case);
        if kind.oracle() == Oracle::Hessian {
            continue;
        }
        let (mut general, mut pair) = (kind.build(&values), kind.build(&values));
        general.reset(2);
        pair.reset(2);
        let mut x = [-1.2, 1.0];
        let steps = (1..=40).chain([45, 46, 47, 100, 101]);
        for t in steps {
            let mut grad = [0.0; 2];
            let loss = surface.loss_and_grad(&x, &mut grad);
            let lr = values.get("lr").unwrap() * if t > 20 { 0.5 } else { 1.0 };
            let step = Step {
                x: &x,
                grad: &grad,
                loss,
                lr,
                t,
                hessian: None,
            };
            let mut want = [0.0; 2];
            general.update(&step, &mut surface, &mut want);
            let pair_step = PairStep {
                x,
                grad,
                loss,
                lr,
                t,
            };
            let got = pair.update_pair(&pair_step, &mut surface);
            assert_eq!(
                got.map(f64::to_bits),
                want.map(f64::to_bits),
                "{} {overrides:?} at step {t}: {got:?} against {want:?}",
                kind.name()
            );
            x = [x[0] + want[0], x[1] + want[1]];
        }
    }
}
