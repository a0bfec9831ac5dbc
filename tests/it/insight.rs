//! Issue 6, "Seeing why": curvature against closed forms and the stable learning rate
//! against real runs, the Himmelblau basin map, sweeps, the landscape of a real model, the
//! learning-rate range test, and the `basin`, `sweep` and `landscape` commands.

use crate::common::ok;
use downhill::data::DatasetKind;
use downhill::engine::{Objective, RunConfig, Runner, Status};
use downhill::insight::basin::{BasinMap, BasinSpec};
use downhill::insight::curvature::Curvature;
use downhill::insight::landscape::{self, Landscape, Plane};
use downhill::insight::lr_range;
use downhill::models::{Activation, Architecture, Batch, ModelObjective};
use downhill::optim::OptimizerKind;
use downhill::surfaces::{Surface, SurfaceKind};
use downhill::train::{Experiment, Setup, TrainSettings};
use std::sync::Arc;

/// The quadratic surface with condition κ and rotation θ (degrees).
fn quadratic(kappa: f64, angle: f64) -> Surface {
    Surface::with_params(
        SurfaceKind::Quadratic,
        &[("condition".into(), kappa), ("angle".into(), angle)],
    )
    .unwrap()
}

#[test]
fn curvature_of_the_quadratic_is_its_closed_form() {
    for (kappa, angle) in [(10.0, 30.0), (250.0, -65.0), (1.0, 0.0)] {
        let s = quadratic(kappa, angle);
        // The Hessian is constant: check at a few points.
        for p in [[0.0, 0.0], [1.5, -2.0]] {
            let c = Curvature::at(&s, p[0], p[1]).unwrap();
            assert!((c.lambda_min() - 1.0).abs() < 1e-9, "{c:?}");
            assert!((c.lambda_max() - kappa).abs() < 1e-9 * kappa, "{c:?}");
            assert!((c.condition_number() - kappa).abs() < 1e-9 * kappa);
            assert!(c.is_convex());
            if kappa > 1.0 {
                // A = Rᵀ diag(1, κ) R: the flat direction is (cos θ, sin θ).
                let t = angle.to_radians();
                let v = &c.eigenvectors[0];
                assert!(((v[0] * t.cos() + v[1] * t.sin()).abs() - 1.0).abs() < 1e-9);
            }
        }
    }
    // A saddle is not convex; the Himmelblau minima are.
    let saddle = Curvature::at(&Surface::new(SurfaceKind::Saddle), 0.0, 0.0).unwrap();
    assert!(!saddle.is_convex());
    let h = Surface::new(SurfaceKind::Himmelblau);
    for m in h.minima() {
        assert!(Curvature::at(&h, m.x, m.y).unwrap().is_convex());
    }
}

/// The status of `kind` with `hp` (learning rate `lr`) after `steps` steps on `surface`.
fn outcome(
    surface: Surface,
    kind: OptimizerKind,
    overrides: &[(&str, f64)],
    lr: f64,
    steps: u64,
) -> Status {
    let mut hp = kind.defaults();
    for (k, v) in overrides {
        hp.set(k, *v);
    }
    let config = RunConfig {
        lr,
        tol_grad: 1e-9,
        ..RunConfig::default()
    };
    let mut runner = Runner::new(surface.clone(), kind.build(&hp), config, &[1.0, 1.0]).unwrap();
    runner.run(steps, &mut []);
    runner.status()
}

#[test]
fn the_stable_learning_rate_is_where_descent_starts_to_diverge() {
    let s = quadratic(10.0, 30.0);
    let c = Curvature::at(&s, 0.0, 0.0).unwrap();
    let cases: &[(OptimizerKind, &[(&str, f64)])] = &[
        (OptimizerKind::GD, &[]),
        (OptimizerKind::MOMENTUM, &[("momentum", 0.9)]),
        (OptimizerKind::MOMENTUM, &[("momentum", 0.5)]),
        (OptimizerKind::NESTEROV, &[("momentum", 0.9)]),
        (OptimizerKind::NESTEROV, &[("momentum", 0.3)]),
    ];
    for (kind, overrides) in cases {
        let mut hp = kind.defaults();
        for (k, v) in *overrides {
            hp.set(k, *v);
        }
        let bound = c.stable_lr(*kind, &hp).unwrap();
        let below = outcome(s.clone(), *kind, overrides, 0.97 * bound, 20_000);
        let above = outcome(s.clone(), *kind, overrides, 1.03 * bound, 20_000);
        assert!(
            matches!(below, Status::Converged { .. }),
            "{kind:?} {overrides:?} at 0.97 × {bound}: {below:?}"
        );
        assert!(
            matches!(above, Status::Diverged { .. }),
            "{kind:?} {overrides:?} at 1.03 × {bound}: {above:?}"
        );
    }
    // The Nesterov bound is tighter than the heavy ball's, and not just 2/λ.
    let hp = OptimizerKind::NESTEROV.defaults();
    let nb = c.stable_lr(OptimizerKind::NESTEROV, &hp).unwrap();
    assert!(
        nb < c
            .stable_lr(OptimizerKind::MOMENTUM, &OptimizerKind::MOMENTUM.defaults())
            .unwrap()
    );
    assert!((nb - 2.0 / 10.0).abs() > 0.01);
}

#[test]
fn basin_map_of_himmelblau_finds_its_four_minima() {
    let mut setup = Setup::default_for(OptimizerKind::GD);
    setup.hp.set("lr", 0.01);
    let spec = BasinSpec::new(Surface::new(SurfaceKind::Himmelblau), setup, 48, 2000);
    let map = BasinMap::compute(&spec).unwrap();
    assert_eq!(map.cells.len(), 48 * 48);
    assert_eq!(map.minima.len(), 4);
    let counts = map.counts();
    let total = map.cells.len();
    for (k, &c) in counts.iter().enumerate() {
        assert!(
            c > total / 10,
            "minimum {k} reached by only {c} of {total}: {counts:?}"
        );
    }
    // Nearly every start ends at one of them (the rest on the saddles' stable manifolds).
    assert!(counts.iter().sum::<usize>() > total * 9 / 10, "{counts:?}");
    // A cell labelled k ended within the tolerance of minimum k.
    for c in &map.cells {
        if let Some(k) = c.minimum {
            let m = map.minima[usize::from(k)];
            assert!((m.x - c.end[0]).hypot(m.y - c.end[1]) <= spec.tolerance);
        }
    }
    // Adam at the benchmark's settings finds them too.
    let mut setup = Setup::default_for(OptimizerKind::ADAM);
    setup.hp.set("lr", 0.05);
    let spec = BasinSpec::new(Surface::new(SurfaceKind::Himmelblau), setup, 32, 500);
    let counts = BasinMap::compute(&spec).unwrap().counts();
    assert!(counts.iter().all(|&c| c > 32 * 32 / 10), "{counts:?}");
}

/// A small MLP on iris, trained a few epochs, with its weight snapshots.
fn trained_iris(epochs: usize) -> (Experiment, Vec<Vec<f64>>) {
    let data = DatasetKind::Iris.load(0).unwrap();
    let settings = TrainSettings {
        epochs,
        batch: Batch::Size(16),
        validation: 0.0,
        ..TrainSettings::default()
    };
    let arch = Architecture {
        l2: 1e-3,
        ..Architecture::mlp(&[8], Activation::Tanh)
    };
    let mut setup = Setup::default_for(OptimizerKind::ADAM);
    setup.hp.set("lr", 0.02);
    let exp = Experiment::new(&data, &arch, settings, vec![setup]).unwrap();
    let mut runs = exp.runs().unwrap();
    let mut snaps = vec![runs[0].weights().to_vec()];
    while runs[0].run_epoch().is_some() {
        snaps.push(runs[0].weights().to_vec());
    }
    (exp, snaps)
}

#[test]
fn landscape_slice_at_the_origin_is_the_current_loss() {
    let (exp, snaps) = trained_iris(6);
    let w = snaps.last().unwrap().clone();
    let table = Arc::new(exp.split.train.clone());
    // The current loss as training defines it: a full-batch objective (penalty included).
    let mut full = ModelObjective::new(
        exp.net.clone(),
        table.clone(),
        Batch::Named(downhill::models::BatchName::Full),
        0,
    );
    let mut g = vec![0.0; exp.net.dim];
    let current = full.loss_and_grad(&w, &mut g);

    let (d1, d2) = landscape::random_directions(&exp.net, &w, 7);
    // Filter normalisation: each unit's incoming weights have the norm of w's; biases zero.
    let l0 = exp.net.layers[0];
    for j in 0..l0.fan_out {
        let norm = |v: &[f64]| {
            (0..l0.fan_in)
                .map(|k| v[l0.w + k * l0.fan_out + j].powi(2))
                .sum::<f64>()
                .sqrt()
        };
        assert!((norm(&d1) - norm(&w)).abs() < 1e-12 * norm(&w).max(1.0));
    }
    assert!(d1[l0.b..l0.b + l0.fan_out].iter().all(|&v| v == 0.0));

    let plane = Plane::new(w.clone(), d1, d2).unwrap();
    assert_eq!(plane.project(&w), Some([0.0, 0.0]));
    let land = Landscape::new(exp.net.clone(), table, plane).unwrap();
    let grid = land.grid(Landscape::square(1.0, 11), 11).unwrap();
    // Training computes in f32 and the landscape in f64: they agree to f32's rounding.
    let centre = grid.values[5 * 11 + 5];
    assert!(
        (centre - current).abs() < 1e-6 * current.max(1.0),
        "{centre} vs {current}"
    );
    assert_eq!(land.loss_at(0.0, 0.0), centre);
    // Away from the origin the loss changes (the slice is not flat).
    assert!(grid.values.iter().any(|v| (v - current).abs() > 1e-3));

    // As an objective of (a, b): same value, and the gradient matches finite differences.
    let mut obj = land.objective();
    let mut g2 = [0.0; 2];
    let v = obj.loss_and_grad(&[0.3, -0.2], &mut g2);
    assert!((v - land.loss_at(0.3, -0.2)).abs() < 1e-12);
    let h = 1e-6;
    let fd_a = (obj.loss(&[0.3 + h, -0.2]) - obj.loss(&[0.3 - h, -0.2])) / (2.0 * h);
    let fd_b = (obj.loss(&[0.3, -0.2 + h]) - obj.loss(&[0.3, -0.2 - h])) / (2.0 * h);
    assert!(
        (fd_a - g2[0]).abs() < 1e-5 * (1.0 + g2[0].abs()),
        "{fd_a} vs {}",
        g2[0]
    );
    assert!(
        (fd_b - g2[1]).abs() < 1e-5 * (1.0 + g2[1].abs()),
        "{fd_b} vs {}",
        g2[1]
    );
}

#[test]
fn pca_plane_of_a_training_run() {
    let (exp, snaps) = trained_iris(8);
    let w = snaps.last().unwrap().clone();
    let pca = landscape::pca_directions(&w, &snaps).unwrap();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    assert!((dot(&pca.d1, &pca.d1) - 1.0).abs() < 1e-10);
    assert!((dot(&pca.d2, &pca.d2) - 1.0).abs() < 1e-10);
    assert!(dot(&pca.d1, &pca.d2).abs() < 1e-10);
    assert!(pca.explained[0] >= pca.explained[1] && pca.explained[0] > 0.3);
    let plane = Plane::new(w.clone(), pca.d1, pca.d2).unwrap();
    let path = plane.project_all(&snaps);
    assert_eq!(path.len(), snaps.len());
    let end = path.last().unwrap();
    assert!(end[0].abs() < 1e-9 && end[1].abs() < 1e-9);
    // The two directions keep most of the path: the projection's residual is small.
    let mut p = vec![0.0; w.len()];
    let (mut resid, mut total) = (0.0, 0.0);
    for (s, ab) in snaps.iter().zip(&path) {
        plane.point(ab[0], ab[1], &mut p);
        resid += s.iter().zip(&p).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
        total += s.iter().zip(&w).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
    }
    let kept = pca.explained[0] + pca.explained[1];
    assert!(
        (1.0 - resid / total - kept).abs() < 1e-9,
        "{resid} {total} {kept}"
    );
    let land = Landscape::new(exp.net.clone(), Arc::new(exp.split.train.clone()), plane).unwrap();
    // The start of training lies higher than where it ended.
    assert!(land.loss_at(path[0][0], path[0][1]) > land.loss_at(0.0, 0.0));
}

#[test]
fn lr_range_test_rises_then_explodes() {
    let (exp, _) = trained_iris(0);
    let setup = Setup::default_for(OptimizerKind::GD);
    let r = lr_range::lr_range(&exp, &setup, 1e-4, 1e3, 300).unwrap();
    assert!(r.exploded, "plain GD up to lr 1000 must blow up");
    assert!(r.lrs.len() < 300 && r.lrs.len() > 10);
    // Rates grow geometrically.
    let ratio = r.lrs[1] / r.lrs[0];
    assert!((ratio - (1e7f64).powf(1.0 / 299.0)).abs() < 1e-9);
    let best = r.at_minimum().unwrap();
    let steep = r.steepest().unwrap();
    assert!(steep <= best * 1.0001 && steep > 1e-4, "{steep} {best}");
    assert!(lr_range::lr_range(&exp, &setup, 1.0, 0.1, 10).is_err());
}

// --- the command line ------------------------------------------------------------------

/// Exit code 2 with one line naming `needle`.
fn usage_error(args: &[&str], needle: &str) {
    crate::common::usage_error(args, &[needle]);
}

#[test]
fn cli_basin_writes_one_row_per_start() {
    let text = ok(&[
        "basin",
        "--surface",
        "himmelblau",
        "--optimizer",
        "gd",
        "--hp",
        "lr=0.01",
        "--grid",
        "12",
        "--steps",
        "1000",
    ]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("x0,y0,x,y,loss,status,minimum"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 144);
    let mut seen = std::collections::BTreeSet::new();
    for r in &rows {
        assert_eq!(r.len(), 7);
        assert!(["converged", "diverged", "running"].contains(&r[5]));
        if !r[6].is_empty() {
            seen.insert(r[6].parse::<usize>().unwrap());
        }
    }
    assert_eq!(seen.len(), 4, "{seen:?}");

    let dir = crate::common::Scratch::new("insight-basin");
    let (png, csv) = (dir.join("basin.png"), dir.join("basin.csv"));
    ok(&[
        "basin",
        "--surface",
        "himmelblau",
        "--optimizer",
        "adam",
        "--hp",
        "lr=0.05",
        "--grid",
        "16",
        "--window=-4,4,-4,4",
        "--out",
        csv.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ]);
    let file = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(file.lines().count(), 1 + 16 * 16);
    let first: Vec<f64> = file
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .take(2)
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(first, vec![-3.75, -3.75]);
    let img = image::open(&png).unwrap();
    assert!(img.width() >= 16 && img.width() == img.height());

    usage_error(
        &["basin", "--surface", "nowhere", "--optimizer", "gd"],
        "unknown surface",
    );
    usage_error(
        &["basin", "--surface", "booth", "--optimizer", "sgdx"],
        "unknown optimizer",
    );
    usage_error(
        &[
            "basin",
            "--surface",
            "booth",
            "--optimizer",
            "gd",
            "--grid",
            "513",
        ],
        "513",
    );
    usage_error(
        &[
            "basin",
            "--surface",
            "booth",
            "--optimizer",
            "gd",
            "--hp",
            "beta1=0.5",
        ],
        "beta1",
    );
    usage_error(
        &[
            "basin",
            "--surface",
            "booth",
            "--optimizer",
            "gd",
            "--window=1,0,0,1",
        ],
        "window",
    );
}

#[test]
fn cli_sweep_writes_the_grid() {
    let dir = crate::common::Scratch::new("insight-sweep");
    let png = dir.join("sweep.png");
    let text = ok(&[
        "sweep",
        "--surface",
        "quadratic",
        "--optimizer",
        "momentum",
        "--x-hp",
        "lr:0.01:1:log",
        "--y-hp",
        "momentum:0:0.9",
        "--grid",
        "7",
        "--steps",
        "500",
        "--png",
        png.to_str().unwrap(),
    ]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("lr,momentum,loss,steps,status"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 49);
    // The largest lr diverges for every momentum; the smallest never does.
    for r in &rows {
        let f: Vec<&str> = r.split(',').collect();
        let lr: f64 = f[0].parse().unwrap();
        if lr == 1.0 {
            assert_eq!(f[4], "diverged", "{r}");
        }
        if lr == 0.01 {
            assert_ne!(f[4], "diverged", "{r}");
        }
    }
    // The picture has the app's colour bar: viridis from dark at the left to yellow at the
    // right, in one row near the top.
    let img = image::open(&png).unwrap().to_rgb8();
    let viridis = |t: f64| {
        let c = colorous::VIRIDIS.eval_continuous(t);
        [c.r, c.g, c.b]
    };
    let close = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 25);
    let bar = (0..120).find(|&y| {
        let row: Vec<[u8; 3]> = (0..img.width()).map(|x| img.get_pixel(x, y).0).collect();
        row.iter().any(|p| close(*p, viridis(0.01))) && row.iter().any(|p| close(*p, viridis(0.99)))
    });
    assert!(bar.is_some(), "no colour bar in the picture");
    usage_error(
        &[
            "sweep",
            "--surface",
            "booth",
            "--optimizer",
            "adam",
            "--x-hp",
            "lr:0:1:log",
            "--y-hp",
            "beta1:0:0.9",
        ],
        "log",
    );
    usage_error(
        &[
            "sweep",
            "--surface",
            "booth",
            "--optimizer",
            "adam",
            "--x-hp",
            "lr:1e-3:1",
            "--y-hp",
            "momentum:0:0.9",
        ],
        "momentum",
    );
    usage_error(
        &[
            "sweep",
            "--surface",
            "booth",
            "--optimizer",
            "adam",
            "--x-hp",
            "lr",
            "--y-hp",
            "beta1:0:0.9",
        ],
        "NAME:MIN:MAX",
    );
}

#[test]
fn cli_landscape_writes_the_slice() {
    let dir = crate::common::Scratch::new("insight-landscape");
    let png = dir.join("landscape.png");
    let text = ok(&[
        "landscape",
        "--dataset",
        "iris",
        "--model",
        "mlp:6",
        "--epochs",
        "3",
        "--grid",
        "9",
        "--directions",
        "pca",
        "--png",
        png.to_str().unwrap(),
    ]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("a,b,loss"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 81);
    assert!(rows.iter().all(|r| r.len() == 3 && r[2].is_finite()));
    assert_eq!(rows[40][0], 0.0);
    assert_eq!(rows[40][1], 0.0);
    assert!(image::open(&png).is_ok());
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/models/iris-softmax.toml"
    );
    let text = ok(&[
        "landscape",
        "--model-spec",
        spec,
        "--grid",
        "5",
        "--span",
        "0.5",
    ]);
    assert_eq!(text.lines().count(), 26);
    usage_error(
        &["landscape", "--dataset", "nope", "--model", "softmax"],
        "unknown dataset",
    );
    usage_error(
        &[
            "landscape",
            "--dataset",
            "iris",
            "--model",
            "softmax",
            "--directions",
            "pca",
        ],
        "epochs",
    );
    usage_error(
        &[
            "landscape",
            "--dataset",
            "iris",
            "--model",
            "softmax",
            "--span",
            "0",
        ],
        "span",
    );
}

#[test]
fn lr_range_suggests_where_the_loss_falls_fastest_not_the_first_rate() {
    let out = crate::common::downhill(&[
        "lr-range",
        "--dataset",
        "iris",
        "--model",
        "softmax",
        "--optimizer",
        "adam,gd,momentum",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let mut suggestions = Vec::new();
    for run in runs {
        let s = run["suggestion"].as_f64().expect("a suggestion");
        let lowest = run["at_minimum"].as_f64().unwrap();
        let first = run["lrs"][0].as_f64().unwrap();
        // Past the flat start, before the loss bottoms out.
        assert!(s > 10.0 * first && s <= lowest, "{run}");
        suggestions.push(s);
    }
    assert!(
        suggestions.windows(2).any(|w| w[0] != w[1]),
        "{suggestions:?}"
    );
    // The notes say it in words, one line per optimizer.
    let notes = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        notes
            .lines()
            .filter(|l| l.contains("falls fastest"))
            .count(),
        3
    );
    // Reversed bounds are refused.
    crate::common::usage_error(
        &[
            "lr-range",
            "--dataset",
            "iris",
            "--model",
            "softmax",
            "--optimizer",
            "adam",
            "--lr-min",
            "1",
            "--lr-max",
            "0.1",
        ],
        &["--lr-min"],
    );
}
