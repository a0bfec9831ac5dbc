//! Typed functions: exact derivatives, the same numbers as the built-ins, one step of GD and
//! Newton exactly as the formulas say, the domain, stationary points, scenes and the command
//! line.

use crate::common::{downhill, ok, usage_error};
use downhill::engine::{RunConfig, Runner, Status};
use downhill::formula::Formula;
use downhill::optim::OptimizerKind;
use downhill::scene::Scene;
use downhill::surfaces::jet::{Jet, Jet2};
use downhill::surfaces::{PointKind, Surface, SurfaceKind, TypedSurface, View};
use proptest::prelude::*;

/// |a − b| ≤ tol·(1 + |b|).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn every_builtin_typed_as_its_catalogue_formula_gives_the_same_numbers() {
    for kind in SurfaceKind::ALL {
        let builtin = Surface::new(kind);
        let typed = Surface::typed(kind.info().typed, &builtin.params(), Some(builtin.view()))
            .unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let v = builtin.view();
        for i in 0..9 {
            for j in 0..9 {
                let x = v.x.0 + (v.x.1 - v.x.0) * (i as f64 + 0.37) / 9.0;
                let y = v.y.0 + (v.y.1 - v.y.0) * (j as f64 + 0.61) / 9.0;
                let (fa, ga, ha) = builtin.value_grad_hess(x, y);
                let (fb, gb, hb) = typed.value_grad_hess(x, y);
                // Relative to the size of what is compared, as the sums differ in order.
                let scale = |a: &[f64]| a.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
                let (sf, sg, sh) = (fa.abs().max(1.0), scale(&ga), scale(&ha));
                let what = format!("{} at ({x}, {y})", kind.name());
                assert!((fa - fb).abs() <= 1e-12 * sf, "{what}: f {fa} vs {fb}");
                for k in 0..2 {
                    assert!(
                        (ga[k] - gb[k]).abs() <= 1e-12 * sg,
                        "{what}: ∂{k} {ga:?} vs {gb:?}"
                    );
                }
                for k in 0..3 {
                    assert!(
                        (ha[k] - hb[k]).abs() <= 1e-11 * sh,
                        "{what}: H{k} {ha:?} vs {hb:?}"
                    );
                }
                let (_, g1) = typed.value_grad(x, y);
                assert_eq!(
                    g1, gb,
                    "{what}: the gradient path and the Hessian path agree"
                );
            }
        }
    }
}

#[test]
fn a_gd_step_with_lr_one_moves_by_minus_the_gradient() {
    let s = Surface::typed("x^4 - 2*x^2 + y^2 + 0.3*x + sin(x*y)", &[], None).unwrap();
    let (x, y) = (0.7, -0.4);
    let (_, g) = s.value_grad(x, y);
    let kind = OptimizerKind::GD;
    let hp = kind.hyper_values(&[("lr".into(), 1.0)]).unwrap();
    let config = RunConfig {
        lr: 1.0,
        ..RunConfig::default()
    };
    let mut run = Runner::new(s, kind.build(&hp), config, &[x, y]).unwrap();
    assert!(run.step());
    assert_eq!(run.x(), [x - g[0], y - g[1]]);
}

#[test]
fn a_newton_step_with_lr_one_lands_on_the_local_model_s_minimum() {
    let s = Surface::typed(
        "exp(x/3) + x^2 + 2*y^2 + x*y + a*y",
        &[("a".into(), 0.5)],
        None,
    )
    .unwrap();
    let (x, y) = (0.9, -1.3);
    let (_, g, h) = s.value_grad_hess(x, y);
    let det = h[0] * h[2] - h[1] * h[1];
    let step = [
        (h[2] * g[0] - h[1] * g[1]) / det,
        (h[0] * g[1] - h[1] * g[0]) / det,
    ];
    let kind = OptimizerKind::NEWTON;
    let hp = kind
        .hyper_values(&[("lr".into(), 1.0), ("damping".into(), 0.0)])
        .unwrap();
    let config = RunConfig {
        lr: 1.0,
        ..RunConfig::default()
    };
    let mut run = Runner::new(s, kind.build(&hp), config, &[x, y]).unwrap();
    assert!(run.step());
    let at = run.x();
    assert!(
        close(at[0], x - step[0], 1e-13) && close(at[1], y - step[1], 1e-13),
        "{at:?}"
    );
}

#[test]
fn the_lecture_function_has_two_minima_and_a_saddle() {
    let s = Surface::typed("x^4 - 2*x^2 + y^2 + 0.3*x", &[], None).unwrap();
    assert_eq!(
        s.view(),
        View {
            x: (-3.0, 3.0),
            y: (-3.0, 3.0)
        }
    );
    let points = s.critical_points();
    let kinds: Vec<PointKind> = points.iter().map(|p| p.kind).collect();
    assert_eq!(points.len(), 3, "{points:?}");
    assert_eq!(kinds.iter().filter(|k| **k == PointKind::Global).count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == PointKind::Local).count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == PointKind::Saddle).count(), 1);
    for p in &points {
        let (_, g) = s.value_grad(p.x, p.y);
        assert!(g[0].abs() < 1e-10 && g[1].abs() < 1e-10, "{p:?}");
        assert!(p.y.abs() < 1e-12);
    }
    // The deeper minimum is on the left (the 0.3·x tilts the right one up).
    let global = points.iter().find(|p| p.kind == PointKind::Global).unwrap();
    assert!(global.x < -0.9, "{global:?}");
    // A maximum is found and called one.
    let hill = Surface::typed("-(x^2 + y^2)", &[], None).unwrap();
    assert_eq!(hill.critical_points()[0].kind, PointKind::Maximum);
    // Minima outside [−3, 3]² widen the window to hold them.
    let far = Surface::typed("(x - 6)^2 + (y + 5)^2", &[], None).unwrap();
    let v = far.view();
    assert!(
        v.x.0 < 6.0 && v.x.1 > 6.0 && v.y.0 < -5.0 && v.y.1 > -5.0,
        "{v:?}"
    );
}

#[test]
fn leaving_the_domain_stops_the_run_with_a_status_that_says_so() {
    // GD on log(x) + y² heads for x → 0 and steps past it.
    let s = Surface::typed(
        "log(x) + y^2",
        &[],
        Some(View {
            x: (0.1, 3.0),
            y: (-1.0, 1.0),
        }),
    )
    .unwrap();
    let kind = OptimizerKind::GD;
    let hp = kind.hyper_values(&[("lr".into(), 0.5)]).unwrap();
    let config = RunConfig {
        lr: 0.5,
        ..RunConfig::default()
    };
    let mut run = Runner::new(s.clone(), kind.build(&hp), config, &[1.0, 0.5]).unwrap();
    run.run(100, &mut []);
    assert_eq!(
        run.status(),
        Status::LeftDomain { step: 2 },
        "{:?}",
        run.x()
    );
    assert!(
        run.status()
            .describe()
            .contains("left the function's domain at step 2")
    );
    assert!(
        run.x()[0] > 0.0 && run.loss().is_finite(),
        "it keeps its last point inside"
    );
    // A start outside the domain says so at step 0.
    let outside = Runner::new(s, kind.build(&hp), config, &[-1.0, 0.0]).unwrap();
    assert_eq!(outside.status(), Status::LeftDomain { step: 0 });
    // On the command line: the status, and a note.
    let out = downhill(&[
        "run",
        "--function",
        "log(x) + y^2",
        "--window",
        "0.1,3,-1,1",
        "--optimizer",
        "gd",
        "--hp",
        "lr=0.5",
        "--start",
        "1,0.5",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"status\":\"left-domain\""), "{stdout}");
    assert!(
        !stdout.contains("NaN") && !stdout.contains("inf"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("left the function's domain at step 2"),
        "{stderr}"
    );
}

#[test]
fn a_scene_with_a_formula_reopens_identically() {
    let s = Surface::typed(
        "a*x^4 - 2*x^2 + b*y^2 + 0.3*x",
        &[("a".into(), 1.5), ("b".into(), 0.5)],
        Some(View {
            x: (-2.0, 2.5),
            y: (-1.5, 1.5),
        }),
    )
    .unwrap();
    let mut race =
        downhill::race::Race::new(s.clone(), &[OptimizerKind::NEWTON, OptimizerKind::ADAM]);
    race.apply(downhill::race::Command::SetStart([0.4, 1.2]));
    race.apply(downhill::race::Command::Step(50));
    let scene = Scene::of(&race, Default::default());
    let text = scene.to_toml();
    assert!(
        text.contains("formula = \"a*x^4 - 2*x^2 + b*y^2 + 0.3*x\""),
        "{text}"
    );
    let again = Scene::from_toml(&text).unwrap().build().unwrap();
    assert_eq!(again.surface(), race.surface());
    let mut again = again;
    again.apply(downhill::race::Command::Step(50));
    for (a, b) in again.lanes().iter().zip(race.lanes()) {
        assert_eq!(a.track.points, b.track.points);
    }
    // Bad formulas and windows in a scene are refused with the reason.
    let bad = text.replace("a*x^4", "a*x^4)");
    let Err(e) = Scene::from_toml(&bad).unwrap().build() else {
        panic!("a broken formula was accepted");
    };
    let e = e.to_string();
    assert!(e.contains("column"), "{e}");
    let upside_down = text.replace("window = [-2.0, 2.5", "window = [3.0, 2.5");
    assert!(Scene::from_toml(&upside_down).unwrap().build().is_err());
}

#[test]
fn the_command_line_takes_a_function_wherever_it_takes_a_surface() {
    let csv = ok(&[
        "run",
        "--function",
        "x^4 - 2*x^2 + y^2 + 0.3*x",
        "--optimizer",
        "newton,adam",
        "--hp",
        "lr=0.1",
        "--start",
        "0.5,1",
        "--steps",
        "200",
    ]);
    assert!(csv.lines().count() > 10);
    let json = ok(&[
        "run",
        "--function",
        "a*x^2 + b*y^2",
        "--param",
        "a=2,b=0.5",
        "--optimizer",
        "gd",
        "--hp",
        "lr=0.1",
        "--steps",
        "5",
        "--format",
        "json",
    ]);
    assert!(json.starts_with("{\"surface\":\"formula\""), "{json}");
    let basin = ok(&[
        "basin",
        "--function",
        "x^4 - 2*x^2 + y^2 + 0.3*x",
        "--optimizer",
        "gd",
        "--hp",
        "lr=0.05",
        "--grid",
        "8",
        "--steps",
        "300",
    ]);
    let ends: std::collections::BTreeSet<&str> = basin
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    assert!(
        ends.contains("0") && ends.contains("1"),
        "both minima are reached: {ends:?}"
    );
    let sweep = ok(&[
        "sweep",
        "--function",
        "x^2 + 10*y^2",
        "--optimizer",
        "momentum",
        "--x-hp",
        "lr:0.001:0.1:log",
        "--y-hp",
        "momentum:0:0.9",
        "--grid",
        "4",
        "--steps",
        "100",
    ]);
    assert_eq!(sweep.lines().count(), 17);
    // Malformed formulas: exit 2 and one line with the column.
    usage_error(
        &["run", "--function", "x^", "--optimizer", "gd"],
        &["at column 3", "after '^'"],
    );
    usage_error(
        &["run", "--function", "sin x", "--optimizer", "gd"],
        &["at column 5"],
    );
    usage_error(
        &[
            "run",
            "--function",
            "x^2",
            "--param",
            "a=1",
            "--optimizer",
            "gd",
        ],
        &["'a' is not a parameter of this formula"],
    );
    usage_error(
        &[
            "run",
            "--function",
            "x^2",
            "--window",
            "1,0,0,1",
            "--optimizer",
            "gd",
        ],
        &["x0 < x1"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "booth",
            "--function",
            "x^2",
            "--optimizer",
            "gd",
        ],
        &["--function"],
    );
}

/// A random well-formed expression and the text of it.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        (-3.0f64..3.0).prop_map(|c| format!("{c:.3}")),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) / (2 + ({b})^2)")),
            inner.clone().prop_map(|a| format!("({a})^2")),
            inner.clone().prop_map(|a| format!("({a})^3")),
            inner.clone().prop_map(|a| format!("sin({a})")),
            inner.clone().prop_map(|a| format!("cos({a})")),
            inner.clone().prop_map(|a| format!("exp(0.3*({a}))")),
            inner.clone().prop_map(|a| format!("tanh({a})")),
            inner.clone().prop_map(|a| format!("sigmoid({a})")),
            inner.clone().prop_map(|a| format!("log(1 + ({a})^2)")),
            inner.clone().prop_map(|a| format!("sqrt(1 + ({a})^2)")),
            inner.prop_map(|a| format!("-({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn gradients_and_hessians_of_random_formulas_match_finite_differences(
        text in expression(),
        x in -1.5f64..1.5,
        y in -1.5f64..1.5,
    ) {
        let p = Formula::parse(&text).unwrap().compile(&[]).unwrap();
        let f = |a: f64, b: f64| p.eval(a, b);
        let v = f(x, y);
        prop_assume!(v.is_finite() && v.abs() < 1e6);
        let j: Jet2 = p.eval(Jet2::var(x, 0), Jet2::var(y, 1));
        let j1: Jet = p.eval(Jet::var(x, 0), Jet::var(y, 1));
        // Jets divide through the reciprocal, so values may differ in the last bit.
        prop_assert!((j.v - v).abs() <= 1e-14 * (1.0 + v.abs()));
        prop_assert_eq!(j1.d, j.d);
        let h = 1e-5;
        let g = [(f(x + h, y) - f(x - h, y)) / (2.0 * h), (f(x, y + h) - f(x, y - h)) / (2.0 * h)];
        let scale = 1.0 + j.d[0].abs().max(j.d[1].abs()) + v.abs();
        for (k, (exact, fd)) in j.d.iter().zip(g).enumerate() {
            prop_assert!((exact - fd).abs() <= 1e-5 * scale, "{} ∂{}: {} vs {}", text, k, exact, fd);
        }
        // Hessian columns by differences of the exact gradient.
        let grad = |a: f64, b: f64| p.eval(Jet::var(a, 0), Jet::var(b, 1)).d;
        let (gxp, gxm, gyp, gym) = (grad(x + h, y), grad(x - h, y), grad(x, y + h), grad(x, y - h));
        let fd = [
            (gxp[0] - gxm[0]) / (2.0 * h),
            (gyp[0] - gym[0]) / (2.0 * h),
            (gyp[1] - gym[1]) / (2.0 * h),
        ];
        let hs = 1.0 + j.h.iter().fold(0.0f64, |m, v| m.max(v.abs())) + scale;
        for (k, (exact, d)) in j.h.iter().zip(fd).enumerate() {
            prop_assert!((exact - d).abs() <= 1e-5 * hs, "{} H{}: {} vs {}", text, k, exact, d);
        }
    }

    #[test]
    fn the_parser_never_panics_and_what_it_accepts_evaluates(s in "[xyabe0-9+*/^().,· ²³πs√inco-]{0,60}") {
        if let Ok(f) = Formula::parse(&s)
            && let Ok(p) = f.compile(&[0.5, 2.0])
        {
            let _ = p.eval(0.3, -0.7);
            let _ = p.eval(Jet2::var(0.3, 0), Jet2::var(-0.7, 1));
            let _ = p.in_domain(0.3, -0.7);
        }
    }
}

#[test]
fn surfaces_built_from_typed_values_compare_by_what_they_are() {
    let a = Surface::typed("x^2 + y^2", &[], None).unwrap();
    let b = Surface::typed("x^2 + y^2", &[], None).unwrap();
    assert_eq!(a, b);
    assert!(a.same_function(&b));
    let c = a.with_values(&[]).unwrap();
    assert_eq!(a, c);
    let wider = Surface::from_typed(
        TypedSurface::new(
            "x^2 + y^2",
            &[],
            &[],
            Some(View {
                x: (-5.0, 5.0),
                y: (-5.0, 5.0),
            }),
        )
        .unwrap(),
    );
    assert_ne!(a, wider);
    assert!(a.same_function(&wider));
    assert!(!a.same_function(&Surface::new(SurfaceKind::Booth)));
}

#[test]
fn a_function_run_into_a_variable_is_questioned_and_assumed_parameters_are_named() {
    use crate::common::{downhill, usage_error};
    let f = downhill::formula::Formula::parse("sinx + expy + a*x + logx").unwrap();
    let found: Vec<(String, String)> = f.lookalikes();
    assert_eq!(
        found,
        vec![
            ("sinx".to_string(), "sin(x)".to_string()),
            ("expy".to_string(), "exp(y)".to_string()),
            ("logx".to_string(), "log(x)".to_string()),
        ]
    );
    usage_error(
        &[
            "run",
            "--function",
            "sinx + y",
            "--optimizer",
            "gd",
            "--steps",
            "2",
        ],
        &["did you mean sin(x)?", "--param sinx="],
    );
    // Insisting works: the parameter has a value given on purpose.
    let out = downhill(&[
        "run",
        "--function",
        "sinx + y",
        "--param",
        "sinx=2",
        "--optimizer",
        "gd",
        "--steps",
        "2",
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).is_empty());
    // A parameter left at 1 is named on stderr, once.
    let out = downhill(&[
        "run",
        "--function",
        "a*x^2 + b*y^2",
        "--param",
        "b=3",
        "--optimizer",
        "gd",
        "--steps",
        "2",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "note: parameter a = 1 (set it with --param)",
        "{err}"
    );
}
