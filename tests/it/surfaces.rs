//! Every surface's exact gradient and Hessian against finite differences, and its listed
//! stationary points against the function itself.

use downhill::surfaces::{PointKind, Surface, SurfaceKind};
use nalgebra::Matrix2;
use proptest::prelude::*;

/// Central-difference gradient of the value.
fn fd_grad(s: &Surface, x: f64, y: f64, h: f64) -> [f64; 2] {
    [
        (s.value(x + h, y) - s.value(x - h, y)) / (2.0 * h),
        (s.value(x, y + h) - s.value(x, y - h)) / (2.0 * h),
    ]
}

/// Central-difference Hessian from the exact gradient: (∂²/∂x², ∂²/∂x∂y, ∂²/∂y²).
fn fd_hess(s: &Surface, x: f64, y: f64, h: f64) -> [f64; 3] {
    let gx = |x, y| s.value_grad(x, y).1;
    let dx = [gx(x + h, y), gx(x - h, y)];
    let dy = [gx(x, y + h), gx(x, y - h)];
    [
        (dx[0][0] - dx[1][0]) / (2.0 * h),
        (dy[0][0] - dy[1][0]) / (2.0 * h),
        (dy[0][1] - dy[1][1]) / (2.0 * h),
    ]
}

/// Whether `approx` matches `exact`, allowing for truncation and rounding of a central
/// difference with step `h` on values of size `scale`.
fn close(exact: f64, approx: f64, h: f64, scale: f64) -> bool {
    (exact - approx).abs() <= 1e-5 * (1.0 + exact.abs()) + 1e-14 * (1.0 + scale) / h
}

/// A point in the surface's view (widened by a quarter on each side), from unit coordinates.
fn in_view(s: &Surface, u: f64, v: f64) -> (f64, f64) {
    let view = s.view();
    let w = (view.x.1 - view.x.0, view.y.1 - view.y.0);
    (
        view.x.0 - 0.25 * w.0 + 1.5 * w.0 * u,
        view.y.0 - 0.25 * w.1 + 1.5 * w.1 * v,
    )
}

/// Every surface, with the two parameterised ones at non-default settings too.
fn all_surfaces() -> Vec<Surface> {
    let mut all: Vec<Surface> = SurfaceKind::ALL.into_iter().map(Surface::new).collect();
    let p = |k: &str, v: f64| (k.to_string(), v);
    all.push(Surface::with_params(SurfaceKind::Rosenbrock, &[p("a", -0.5), p("b", 7.0)]).unwrap());
    all.push(
        Surface::with_params(
            SurfaceKind::Quadratic,
            &[p("condition", 250.0), p("angle", -40.0)],
        )
        .unwrap(),
    );
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn gradients_match_finite_differences(u in 0.0f64..1.0, v in 0.0f64..1.0) {
        for s in all_surfaces() {
            let (x, y) = in_view(&s, u, v);
            // Ackley's cone has no derivative at the origin.
            prop_assume!(s.kind() != Some(SurfaceKind::Ackley) || x.hypot(y) > 1e-3);
            let (f, g) = s.value_grad(x, y);
            let h = 1e-6 * (1.0 + x.abs().max(y.abs()));
            let fd = fd_grad(&s, x, y, h);
            for i in 0..2 {
                prop_assert!(close(g[i], fd[i], h, f.abs()),
                    "{} at ({x}, {y}): ∂{i} exact {} vs fd {}", s.name(), g[i], fd[i]);
            }
            prop_assert_eq!(f, s.value_grad_hess(x, y).0);
        }
    }

    #[test]
    fn hessians_match_finite_differences(u in 0.0f64..1.0, v in 0.0f64..1.0) {
        for s in all_surfaces() {
            let (x, y) = in_view(&s, u, v);
            prop_assume!(s.kind() != Some(SurfaceKind::Ackley) || x.hypot(y) > 1e-3);
            let (_, g, hess) = s.value_grad_hess(x, y);
            prop_assert_eq!(g, s.value_grad(x, y).1);
            let h = 1e-6 * (1.0 + x.abs().max(y.abs()));
            let fd = fd_hess(&s, x, y, h);
            let scale = g[0].abs() + g[1].abs();
            for i in 0..3 {
                prop_assert!(close(hess[i], fd[i], h, scale),
                    "{} at ({x}, {y}): H{i} exact {} vs fd {}", s.name(), hess[i], fd[i]);
            }
        }
    }
}

/// Sixteen points on a small circle around (x, y): how many are higher and lower than f(x, y).
fn neighbours(s: &Surface, x: f64, y: f64, r: f64) -> (usize, usize) {
    let f = s.value(x, y);
    (0..16).fold((0, 0), |(hi, lo), k| {
        let a = k as f64 * std::f64::consts::TAU / 16.0;
        let v = s.value(x + r * a.cos(), y + r * a.sin());
        (hi + usize::from(v > f), lo + usize::from(v < f))
    })
}

#[test]
fn listed_points_are_stationary_and_of_the_listed_kind() {
    for s in all_surfaces() {
        let points = s.critical_points();
        assert!(
            points.iter().any(|p| p.kind == PointKind::Global
                || s.kind() == Some(SurfaceKind::Saddle)
                || s.kind() == Some(SurfaceKind::MonkeySaddle)),
            "{} lists no global minimum",
            s.name()
        );
        for p in &points {
            let (_, g, h) = s.value_grad_hess(p.x, p.y);
            let curvature = 1.0 + h.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(
                g[0].hypot(g[1]) < 1e-8 * curvature,
                "{} at ({}, {}): gradient {g:?}",
                s.name(),
                p.x,
                p.y
            );
            let (higher, lower) = neighbours(&s, p.x, p.y, 1e-3);
            match p.kind {
                PointKind::Global | PointKind::Local => {
                    assert_eq!(higher, 16, "{} ({}, {}) is no minimum", s.name(), p.x, p.y)
                }
                PointKind::Saddle => {
                    let eig = Matrix2::new(h[0], h[1], h[1], h[2]).symmetric_eigenvalues();
                    let (lo, hi) = (eig.min(), eig.max());
                    let saddle = if hi.abs().max(lo.abs()) > 1e-9 {
                        lo < 0.0 && hi > 0.0
                    } else {
                        // Degenerate (the monkey saddle): ask the function itself.
                        higher > 0 && lower > 0
                    };
                    assert!(saddle, "{} ({}, {}) is no saddle", s.name(), p.x, p.y);
                }
                PointKind::Maximum => assert_eq!(lower, 16, "{} has no maxima listed", s.name()),
            }
        }
        let minima = s.minima();
        if let Some(best) = minima.first() {
            assert_eq!(best.kind, PointKind::Global, "{}", s.name());
            for m in &minima {
                let expect_global = (m.value - best.value).abs() <= 1e-9 * (1.0 + best.value.abs());
                assert_eq!(
                    m.kind == PointKind::Global,
                    expect_global,
                    "{} {m:?}",
                    s.name()
                );
            }
        }
    }
}

#[test]
fn metadata_is_complete_and_names_are_stable() {
    let names = SurfaceKind::names();
    assert_eq!(
        names,
        [
            "rosenbrock",
            "beale",
            "himmelblau",
            "booth",
            "matyas",
            "three-hump-camel",
            "six-hump-camel",
            "goldstein-price",
            "rastrigin",
            "ackley",
            "styblinski-tang",
            "levy13",
            "saddle",
            "monkey-saddle",
            "quadratic",
            "plateau-cliff"
        ]
    );
    for kind in SurfaceKind::ALL {
        let info = kind.info();
        assert_eq!(SurfaceKind::from_name(info.name), Ok(kind));
        assert!(!info.formula.is_empty() && !info.lesson.is_empty() && !info.title.is_empty());
        assert!(info.view.x.0 < info.view.x.1 && info.view.y.0 < info.view.y.1);
        for start in info.starts {
            assert!(
                (info.view.x.0..=info.view.x.1).contains(&start[0])
                    && (info.view.y.0..=info.view.y.1).contains(&start[1]),
                "{}: start {start:?} outside the view",
                info.name
            );
        }
        for p in Surface::new(kind).critical_points() {
            assert!(p.value.is_finite());
        }
    }
    assert!(
        SurfaceKind::from_name("rosenbrok")
            .unwrap_err()
            .to_string()
            .contains("himmelblau")
    );
}

#[test]
fn rosenbrock_minimum_follows_its_parameters() {
    let p = |k: &str, v: f64| (k.to_string(), v);
    let s = Surface::with_params(SurfaceKind::Rosenbrock, &[p("a", 1.5), p("b", 10.0)]).unwrap();
    let m = s.minima()[0];
    assert_eq!((m.x, m.y, m.value), (1.5, 2.25, 0.0));
    assert!(Surface::with_params(SurfaceKind::Rosenbrock, &[p("c", 1.0)]).is_err());
    assert!(Surface::with_params(SurfaceKind::Quadratic, &[p("condition", 0.5)]).is_err());
    assert!(
        Surface::with_params(SurfaceKind::Beale, &[p("a", 1.0)])
            .unwrap_err()
            .to_string()
            .contains("none")
    );
}

#[test]
fn plateau_and_cliff_have_the_gradients_they_promise() {
    let s = Surface::new(SurfaceKind::PlateauCliff);
    let norm = |x, y| {
        let g = s.value_grad(x, y).1;
        g[0].hypot(g[1])
    };
    assert!(norm(-5.0, 2.5) < 1e-4, "the plateau is not flat");
    assert!(norm(2.5, 0.0) > 10.0, "the cliff is not steep");
}
