//! The runner: determinism, status detection, observers, noise and clipping.

use crate::common::trajectory;
use downhill::engine::{
    Clip, Objective, ObserveMode, RunConfig, RunError, Runner, Schedule, Status, StepRecord,
    StopReason, Watch,
};
use downhill::optim::OptimizerKind;
use downhill::surfaces::{Surface, SurfaceKind};

#[test]
fn same_seed_same_trajectory_bit_for_bit() {
    let run = |seed| {
        trajectory(
            Surface::new(SurfaceKind::Himmelblau),
            OptimizerKind::ADAM,
            &[("lr", 0.05)],
            Schedule::Cosine {
                t_max: 300,
                eta_min: 0.0,
            },
            [0.0, 0.0],
            300,
            |c| {
                c.noise = 2.0;
                c.seed = seed;
                c.clip = Clip::Norm(5.0);
            },
        )
    };
    let (a, sa) = run(7);
    let (b, sb) = run(7);
    let bits = |p: &Vec<[f64; 2]>| {
        p.iter()
            .flat_map(|q| q.map(f64::to_bits))
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(sa, sb);
    assert_ne!(bits(&a), bits(&run(8).0), "the seed must matter");
}

#[test]
fn a_too_large_learning_rate_diverges_cleanly() {
    for kind in OptimizerKind::all() {
        let (points, status) = trajectory(
            Surface::new(SurfaceKind::Rosenbrock),
            kind,
            &[("lr", 1e5)],
            Schedule::Constant,
            [-1.2, 1.0],
            10_000,
            |c| c.bound = 1e3,
        );
        if kind == OptimizerKind::LBFGS || kind == OptimizerKind::NEWTON {
            // Their line searches shorten any step that does not decrease the loss.
            assert!(!matches!(status, Status::Diverged { .. }), "{status:?}");
            continue;
        }
        assert!(
            matches!(status, Status::Diverged { .. }),
            "{}: {status:?}",
            kind.name()
        );
        let step = status.step().unwrap();
        assert!(
            step >= 1 && step as usize <= points.len(),
            "{}: {step}",
            kind.name()
        );
        let s = Surface::new(SurfaceKind::Rosenbrock);
        for p in &points {
            assert!(
                p[0].is_finite() && p[1].is_finite(),
                "{}: {p:?}",
                kind.name()
            );
            assert!(s.value(p[0], p[1]).is_finite());
        }
    }
}

/// An objective that is fine for x < 1 and NaN beyond.
struct Cliff;

impl Objective for Cliff {
    fn dim(&self) -> usize {
        1
    }
    fn loss(&mut self, x: &[f64]) -> f64 {
        if x[0] < 1.0 { -x[0] } else { f64::NAN }
    }
    fn loss_and_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        g[0] = if x[0] < 1.0 { -1.0 } else { f64::NAN };
        self.loss(x)
    }
}

#[test]
fn a_nan_loss_stops_the_run_at_the_last_finite_point() {
    let gd = OptimizerKind::GD;
    let config = RunConfig {
        lr: 0.3,
        ..RunConfig::default()
    };
    let mut runner = Runner::new(Cliff, gd.build(&gd.defaults()), config, &[0.0]).unwrap();
    runner.run(100, &mut []);
    assert_eq!(
        runner.status(),
        Status::Diverged {
            step: 4,
            reason: StopReason::NonFinite
        }
    );
    assert!((runner.x()[0] - 0.9).abs() < 1e-12, "{:?}", runner.x());
    assert_eq!(runner.loss(), -runner.x()[0]);
    assert!(runner.grad_norm().is_finite());
    assert!(!runner.step(), "a stopped run does not move");
}

#[test]
fn small_gradient_and_small_step_stop_the_run() {
    // Started on the saddle itself: the gradient is zero at step 0, and the Hessian says it
    // is a saddle, not a minimum: the run stalled there.
    let (_, status) = trajectory(
        Surface::new(SurfaceKind::Saddle),
        OptimizerKind::GD,
        &[("lr", 0.1)],
        Schedule::Constant,
        [0.0, 0.0],
        10,
        |_| {},
    );
    assert_eq!(
        status,
        Status::Stalled {
            step: 0,
            reason: StopReason::SmallGradient,
            at: downhill::engine::Flat::Saddle,
        }
    );
    // A vanishing learning rate: the first step is already below the step tolerance, far
    // from Booth's minimum at (1, 3): the run stalled on a slope; it did not converge.
    let (_, status) = trajectory(
        Surface::new(SurfaceKind::Booth),
        OptimizerKind::GD,
        &[("lr", 1e-20)],
        Schedule::Constant,
        [0.0, 0.0],
        10,
        |_| {},
    );
    assert_eq!(
        status,
        Status::Stalled {
            step: 1,
            reason: StopReason::SmallStep,
            at: downhill::engine::Flat::Slope,
        }
    );
    // Next to the minimum, a vanishing step is convergence.
    let (_, status) = trajectory(
        Surface::new(SurfaceKind::Booth),
        OptimizerKind::GD,
        &[("lr", 0.05)],
        Schedule::Constant,
        [1.0 + 1e-6, 3.0],
        10,
        |c| {
            c.tol_step = 1e-6;
            c.tol_grad = 0.0;
        },
    );
    assert_eq!(
        status,
        Status::Converged {
            step: 1,
            reason: StopReason::SmallStep
        }
    );
}

#[test]
fn observers_receive_what_their_mode_selects_and_the_end() {
    let adam = OptimizerKind::ADAM;
    let config = RunConfig {
        lr: 0.01,
        ..RunConfig::default()
    };
    let surface = Surface::new(SurfaceKind::Rosenbrock);
    let mut runner = Runner::new(
        surface.clone(),
        adam.build(&adam.defaults()),
        config,
        &[-1.2, 1.0],
    )
    .unwrap();
    let (mut every, mut tenth, mut best) = (Vec::new(), Vec::new(), Vec::new());
    let mut on_every = |r: &StepRecord<'_>| every.push(r.t);
    let mut on_tenth = |r: &StepRecord<'_>| tenth.push(r.t);
    let mut on_best = |r: &StepRecord<'_>| best.push((r.t, r.loss));
    let taken = runner.run(
        95,
        &mut [
            Watch {
                mode: ObserveMode::EveryStep,
                observer: &mut on_every,
            },
            Watch {
                mode: ObserveMode::Every(10),
                observer: &mut on_tenth,
            },
            Watch {
                mode: ObserveMode::NewBest,
                observer: &mut on_best,
            },
        ],
    );
    assert_eq!(taken, 95);
    assert_eq!(every, (1..=95).collect::<Vec<_>>());
    assert_eq!(tenth, vec![10, 20, 30, 40, 50, 60, 70, 80, 90, 95]);
    assert!(best.windows(2).all(|w| w[1].0 > w[0].0));
    assert!(best[..best.len() - 1].windows(2).all(|w| w[1].1 < w[0].1));
    assert_eq!(best.last().unwrap().0, 95);
}

#[test]
fn clipping_bounds_every_step_even_under_huge_noise() {
    let (points, _) = trajectory(
        Surface::new(SurfaceKind::Booth),
        OptimizerKind::GD,
        &[("lr", 0.1)],
        Schedule::Constant,
        [0.0, 0.0],
        500,
        |c| {
            c.noise = 1e3;
            c.clip = Clip::Norm(1.0);
        },
    );
    for w in points.windows(2) {
        let len = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
        assert!(len <= 0.1 * (1.0 + 1e-12), "step of length {len}");
    }
}

#[test]
fn the_schedule_sets_each_steps_learning_rate() {
    // GD on Booth: Δθ = −γₜ∇f, so γₜ = ‖Δθ‖/‖∇f‖.
    let gd = OptimizerKind::GD;
    let schedule = Schedule::Step {
        step_size: 3,
        gamma: 0.5,
    };
    let config = RunConfig {
        lr: 0.01,
        schedule,
        ..RunConfig::default()
    };
    let mut runner = Runner::new(
        Surface::new(SurfaceKind::Booth),
        gd.build(&gd.defaults()),
        config,
        &[0.0, 0.0],
    )
    .unwrap();
    for t in 0..9u64 {
        let g = runner.grad_norm();
        assert_eq!(runner.lr(), schedule.lr_at(0.01, t));
        runner.step();
        let d = runner.last_update();
        let lr = d[0].hypot(d[1]) / g;
        assert!(
            (lr - 0.01 * 0.5f64.powi((t / 3) as i32)).abs() < 1e-15,
            "t={t}: {lr}"
        );
    }
}

#[test]
fn bad_setups_are_errors_not_panics() {
    let gd = OptimizerKind::GD;
    let err = Runner::new(
        Surface::new(SurfaceKind::Booth),
        gd.build(&gd.defaults()),
        RunConfig::default(),
        &[1.0, 2.0, 3.0],
    )
    .err();
    assert_eq!(err, Some(RunError::WrongDimension { got: 3, want: 2 }));
    let newton = OptimizerKind::NEWTON;
    let err = Runner::new(
        Cliff,
        newton.build(&newton.defaults()),
        RunConfig::default(),
        &[0.0],
    )
    .err();
    assert_eq!(err, Some(RunError::NeedsHessian));
}

#[test]
fn many_parameters_use_the_same_code_path() {
    /// f(x) = Σ i·xᵢ² in 1,000 dimensions.
    struct Bowl;
    impl Objective for Bowl {
        fn dim(&self) -> usize {
            1000
        }
        fn loss(&mut self, x: &[f64]) -> f64 {
            x.iter()
                .enumerate()
                .map(|(i, v)| (1.0 + i as f64 / 1000.0) * v * v)
                .sum()
        }
        fn loss_and_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
            for (i, (gi, v)) in g.iter_mut().zip(x).enumerate() {
                *gi = 2.0 * (1.0 + i as f64 / 1000.0) * v;
            }
            self.loss(x)
        }
    }
    for kind in [
        OptimizerKind::ADAM,
        OptimizerKind::LBFGS,
        OptimizerKind::NESTEROV,
    ] {
        let hp = kind.hyper_values(&[("lr".into(), 0.05)]).unwrap();
        let config = RunConfig {
            lr: 0.05,
            tol_grad: 1e-6,
            ..RunConfig::default()
        };
        let mut runner = Runner::new(Bowl, kind.build(&hp), config, &vec![1.0; 1000]).unwrap();
        runner.run(20_000, &mut []);
        assert!(
            matches!(runner.status(), Status::Converged { .. }),
            "{}: {:?}",
            kind.name(),
            runner.status()
        );
        assert!(runner.loss() < 1e-10);
    }
}

/// A surface steps through the runner's two-parameter path; the same surface padded with a
/// third, flat parameter goes through the general one. Coordinate-wise optimizers must give
/// the same θ bit for bit either way (the padded coordinate stays at 0), clipped by value or
/// not, and `run` must agree with repeated `step` calls.
#[test]
fn the_two_parameter_path_matches_the_general_one() {
    /// Rosenbrock in (x, y) plus a flat z.
    struct Padded(Surface);
    impl Objective for Padded {
        fn dim(&self) -> usize {
            3
        }
        fn loss(&mut self, x: &[f64]) -> f64 {
            self.0.loss(&x[..2])
        }
        fn loss_and_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
            g[2] = 0.0;
            self.0.loss_and_grad(&x[..2], &mut g[..2])
        }
    }
    let surface = Surface::new(SurfaceKind::Rosenbrock);
    let cases = [
        (OptimizerKind::ADAM, vec![("lr".to_string(), 0.01)]),
        (
            OptimizerKind::ADAM,
            vec![("lr".to_string(), 0.01), ("weight_decay".to_string(), 0.1)],
        ),
        (OptimizerKind::ADAMW, vec![("lr".to_string(), 0.01)]),
        (OptimizerKind::MOMENTUM, vec![("lr".to_string(), 1e-3)]),
        (OptimizerKind::RMSPROP, vec![("lr".to_string(), 1e-3)]),
    ];
    for (kind, overrides) in cases {
        for clip in [Clip::None, Clip::Value(5.0)] {
            let hp = kind.hyper_values(&overrides).unwrap();
            let config = RunConfig {
                lr: hp.get("lr").unwrap(),
                clip,
                ..RunConfig::default()
            };
            let mut pair =
                Runner::new(surface.clone(), kind.build(&hp), config, &[-1.2, 1.0]).unwrap();
            let mut padded = Runner::new(
                Padded(surface.clone()),
                kind.build(&hp),
                config,
                &[-1.2, 1.0, 0.0],
            )
            .unwrap();
            let mut stepped =
                Runner::new(surface.clone(), kind.build(&hp), config, &[-1.2, 1.0]).unwrap();
            for _ in 0..50 {
                assert_eq!(pair.run(20, &mut []), 20);
                padded.run(20, &mut []);
                (0..20).for_each(|_| assert!(stepped.step()));
                let bits = |x: &[f64]| [x[0].to_bits(), x[1].to_bits()];
                let what = format!(
                    "{} {overrides:?} {clip:?} at step {}",
                    kind.name(),
                    pair.t()
                );
                assert_eq!(bits(pair.x()), bits(padded.x()), "{what}");
                assert_eq!(padded.x()[2], 0.0, "{what}");
                assert_eq!(bits(pair.x()), bits(stepped.x()), "{what}");
                assert_eq!(pair.loss().to_bits(), padded.loss().to_bits(), "{what}");
            }
        }
    }
}

#[test]
fn a_run_that_stops_away_from_a_minimum_says_where() {
    // Far out on the plateau of plateau-cliff the gradient underflows: stalled, not converged.
    let (_, status) = trajectory(
        Surface::new(SurfaceKind::PlateauCliff),
        OptimizerKind::GD,
        &[("lr", 0.5)],
        Schedule::Constant,
        [-15.0, 0.5],
        10,
        |_| {},
    );
    assert!(
        matches!(
            status,
            Status::Stalled {
                at: downhill::engine::Flat::Plateau,
                ..
            }
        ),
        "{status:?}"
    );
    // Started on Himmelblau's local maximum, GD has nowhere to go.
    let top = [-0.270_844_590_667, -0.923_038_556_057];
    let (_, status) = trajectory(
        Surface::new(SurfaceKind::Himmelblau),
        OptimizerKind::GD,
        &[("lr", 0.01)],
        Schedule::Constant,
        top,
        10,
        |c| c.tol_grad = 1e-6,
    );
    assert!(
        matches!(
            status,
            Status::Stalled {
                at: downhill::engine::Flat::Maximum,
                ..
            }
        ),
        "{status:?}"
    );
    // Every label is one of the documented words.
    for s in [status, Status::Running, Status::Escaped { step: 3 }] {
        assert!(["running", "converged", "stalled", "escaped", "diverged"].contains(&s.label()));
    }
}

#[test]
fn the_rest_classifier_reads_the_hessian() {
    use downhill::engine::{Flat, classify_rest};
    assert_eq!(classify_rest(&[2.0, 0.0, 0.0, 3.0], 2), None);
    assert_eq!(classify_rest(&[2.0, 0.0, 0.0, -3.0], 2), Some(Flat::Saddle));
    assert_eq!(
        classify_rest(&[-2.0, 0.5, 0.5, -3.0], 2),
        Some(Flat::Maximum)
    );
    assert_eq!(
        classify_rest(&[1e-9, 0.0, 0.0, -1e-9], 2),
        Some(Flat::Plateau)
    );
    // A valley of minima (one flat direction, one curving up) is a minimum.
    assert_eq!(classify_rest(&[1.0, 1.0, 1.0, 1.0], 2), None);
    // Three dimensions go the same way.
    let h = [1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, -1.0];
    assert_eq!(classify_rest(&h, 3), Some(Flat::Saddle));
}
