//! Models on data as surfaces: the surface is the same loss `downhill train` minimises, its
//! derivatives are exact, and full-batch GD on it follows the same path as training the
//! one-feature model.

use downhill::data::{Dataset, DatasetKind, Split, SplitOptions, Table, Target};
use downhill::engine::{Objective, RunConfig, Runner};
use downhill::insight::Curvature;
use downhill::models::{
    Architecture, Batch, BatchName, ModelKind, ModelObjective, Network, Workspace,
};
use downhill::optim::OptimizerKind;
use downhill::surfaces::{DataSpec, Surface};
use std::sync::Arc;

fn surface(text: &str) -> Surface {
    Surface::data(DataSpec::parse(text).unwrap().unwrap()).unwrap()
}

/// `data` with only the feature columns `keep`, in that order.
fn columns(data: &Dataset, keep: &[&str]) -> Dataset {
    let idx: Vec<usize> = keep
        .iter()
        .map(|k| data.features.iter().position(|f| f == k).unwrap())
        .collect();
    let x = (0..data.n)
        .flat_map(|i| idx.iter().map(move |&j| data.x[i * data.d + j]))
        .collect();
    Dataset {
        features: keep.iter().map(|k| k.to_string()).collect(),
        d: keep.len(),
        x,
        ..data.clone()
    }
}

/// The table `downhill train` would train on with every row (no validation part).
fn training_table(data: &Dataset) -> Table {
    let options = SplitOptions {
        validation: 0.0,
        ..SplitOptions::default()
    };
    Split::new(data, options, 0).train
}

/// The model's mean loss over every row, computed by the training code in f64.
struct NetworkLoss {
    net: Network,
    table: Table,
    ws: Workspace<f64>,
    /// Parameters after the two the surface has (a logistic model's bias, held at 0).
    extra: usize,
}

impl NetworkLoss {
    fn new(kind: ModelKind, data: &Dataset, extra: usize) -> Self {
        let table = training_table(data);
        let net = Network::new(&Architecture::of(kind), data.d, data.task()).unwrap();
        assert_eq!(net.dim, 2 + extra);
        let ws = Workspace::new(&net, table.n);
        Self {
            net,
            table,
            ws,
            extra,
        }
    }

    fn eval(&mut self, p: &[f64], grad: Option<&mut [f64]>) -> f64 {
        let mut params = p.to_vec();
        params.resize(2 + self.extra, 0.0);
        let all: Vec<usize> = (0..self.table.n).collect();
        let mut g = vec![0.0; params.len()];
        let v = self
            .net
            .batch_loss(&params, &self.table, &all, &mut self.ws, Some(&mut g));
        if let Some(grad) = grad {
            grad.copy_from_slice(&g[..2]);
        }
        v
    }
}

impl Objective for NetworkLoss {
    fn dim(&self) -> usize {
        2
    }

    fn loss(&mut self, x: &[f64]) -> f64 {
        self.eval(x, None)
    }

    fn loss_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.eval(x, Some(grad))
    }
}

/// Every point of a GD run of `steps` steps with learning rate `lr` on `objective`.
fn gd_path<O: Objective>(objective: O, lr: f64, start: [f64; 2], steps: u64) -> Vec<[f64; 2]> {
    let kind = OptimizerKind::GD;
    let hp = kind.hyper_values(&[("lr".into(), lr)]).unwrap();
    let config = RunConfig {
        lr,
        tol_grad: 0.0,
        tol_step: 0.0,
        ..RunConfig::default()
    };
    let mut runner = Runner::new(objective, kind.build(&hp), config, &start).unwrap();
    crate::common::path(&mut runner, steps)
}

fn diabetes_bmi() -> Dataset {
    columns(&DatasetKind::Diabetes.load(0).unwrap(), &["bmi"])
}

#[test]
fn the_surface_is_the_models_mean_loss_on_the_data() {
    let linear = surface("linear:diabetes:bmi");
    let mut direct = NetworkLoss::new(ModelKind::Linear, &diabetes_bmi(), 0);
    let moons = surface("logistic:moons");
    let data = DatasetKind::Moons.load(0).unwrap();
    assert_eq!(data.d, 2);
    let mut logistic = NetworkLoss::new(ModelKind::Logistic, &data, 1);
    for p in [[0.0, 0.0], [0.3, -0.2], [1.5, 0.7], [-2.0, 2.5]] {
        let (a, b) = (linear.value(p[0], p[1]), direct.eval(&p, None));
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{p:?}: {a} vs {b}"
        );
        let (a, b) = (moons.value(p[0], p[1]), logistic.eval(&p, None));
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{p:?}: {a} vs {b}"
        );
    }
    // A different point gives a different loss (the comparison can fail).
    assert!((linear.value(0.3, -0.2) - direct.eval(&[0.31, -0.2], None)).abs() > 1e-6);
}

#[test]
fn gradients_and_hessians_match_finite_differences() {
    for name in [
        "linear:diabetes:bmi",
        "logistic:moons",
        "logistic:breast-cancer:mean_radius,mean_texture",
    ] {
        let s = surface(name);
        for [x, y] in [[0.2, -0.4], [1.1, 0.9], [-1.5, 0.3]] {
            let (_, g, h) = s.value_grad_hess(x, y);
            let e = 1e-5;
            let fd = |dx: f64, dy: f64| {
                let (a, ga) = s.value_grad(x + dx, y + dy);
                let (b, gb) = s.value_grad(x - dx, y - dy);
                (
                    (a - b) / (2.0 * e),
                    [(ga[0] - gb[0]) / (2.0 * e), (ga[1] - gb[1]) / (2.0 * e)],
                )
            };
            let (dfx, hx) = fd(e, 0.0);
            let (dfy, hy) = fd(0.0, e);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (1.0 + b.abs());
            assert!(
                close(g[0], dfx) && close(g[1], dfy),
                "{name} ∇ {g:?} vs {dfx} {dfy}"
            );
            assert!(
                close(h[0], hx[0])
                    && close(h[1], hx[1])
                    && close(h[1], hy[0])
                    && close(h[2], hy[1]),
                "{name} H {h:?} vs {hx:?} {hy:?}"
            );
        }
    }
}

#[test]
fn full_batch_gd_follows_the_path_of_training_the_one_feature_model() {
    let s = surface("linear:diabetes:bmi");
    let data = diabetes_bmi();
    let start = [-1.5, 1.5];
    let (lr, steps) = (0.1, 300);
    let on_surface = gd_path(s.clone(), lr, start, steps);
    // The training code's loss in f64: the same path to 1e-9.
    let trained = gd_path(
        NetworkLoss::new(ModelKind::Linear, &data, 0),
        lr,
        start,
        steps,
    );
    let gap = on_surface
        .iter()
        .zip(&trained)
        .map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()))
        .fold(0.0, f64::max);
    assert!(gap < 1e-9, "largest gap {gap}");
    // The objective `downhill train` itself steps on (f32 arithmetic, full batches).
    let net = Network::new(&Architecture::of(ModelKind::Linear), 1, data.task()).unwrap();
    let objective = ModelObjective::new(
        Arc::new(net),
        Arc::new(training_table(&data)),
        Batch::Named(BatchName::Full),
        0,
    );
    let train = gd_path(objective, lr, start, steps);
    let gap = on_surface
        .iter()
        .zip(&train)
        .map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()))
        .fold(0.0, f64::max);
    assert!(gap < 1e-5, "largest gap to the f32 training path {gap}");
    // And it went somewhere: the end is the least-squares fit.
    let ([w, b], _) = s.data_model().unwrap().minimum();
    let end = on_surface.last().unwrap();
    assert!(
        (end[0] - w).abs() < 1e-6 && (end[1] - b).abs() < 1e-6,
        "{end:?}"
    );
    assert!(matches!(data.target, Target::Values(_)));
}

#[test]
fn raw_diabetes_bmi_is_ill_conditioned_and_standardised_is_round() {
    let raw = surface("linear:diabetes:bmi");
    let mut spec = raw.data_model().unwrap().spec().clone();
    spec.raw = true;
    let raw = Surface::data(spec).unwrap();
    let standard = surface("linear:diabetes:bmi");
    // The linear model's Hessian is the same everywhere.
    for p in [[0.0, 0.0], [3.0, -40.0]] {
        let k_raw = Curvature::at(&raw, p[0], p[1]).unwrap().condition_number();
        let k = Curvature::at(&standard, p[0], p[1])
            .unwrap()
            .condition_number();
        assert!(k_raw > 100.0, "raw κ {k_raw}");
        assert!((k - 1.0).abs() < 1e-9, "standardised κ {k}");
    }
}

#[test]
fn many_seeds_rerun_a_stochastic_racer_under_other_seeds() {
    use downhill::race::{Command, Race};
    let mut race = downhill::presets::find("batch-sizes").unwrap().build();
    let sgd = 2;
    assert_eq!(race.lanes()[sgd].spec.seeds, 20, "the preset shows a cloud");
    let steps = 300;
    let mut cloud = race.seed_cloud(sgd, 20).unwrap();
    // Stepped on in two goes, as the app does while playing.
    cloud.advance_to(steps / 3);
    cloud.advance_to(steps);
    let paths: Vec<&[[f64; 2]]> = cloud.paths(steps).collect();
    assert_eq!(paths.len(), 20);
    assert!(paths.iter().all(|p| p.len() == steps as usize + 1));
    // Seed k of the cloud is the racer itself under shared seed + k.
    let base = race.shared().seed;
    for k in [1u64, 7, 20] {
        let mut other: Race = downhill::presets::find("batch-sizes").unwrap().build();
        let mut shared = *other.shared();
        shared.seed = base + k;
        other.apply(Command::SetShared(shared));
        other.apply(Command::Step(steps as i64));
        assert_eq!(
            other.lanes()[sgd].track.points,
            paths[k as usize - 1],
            "seed {k}"
        );
    }
    // Other seeds, other paths; the band holds the mean, and the full-batch racer has no spread.
    let ends: Vec<[f64; 2]> = paths.iter().map(|p| *p.last().unwrap()).collect();
    assert!(ends.windows(2).all(|w| w[0] != w[1]));
    assert_eq!(cloud.mean(steps).len(), steps as usize + 1);
    // Shown at an earlier step, the paths end there.
    assert!(cloud.paths(10).all(|p| p.len() == 11));
    for (m, [lo, hi]) in cloud.mean(steps).iter().zip(cloud.band(steps)).skip(1) {
        assert!(lo <= hi && lo.is_finite() && m.is_finite(), "{lo} {m} {hi}");
    }
    let mut full = race.seed_cloud(0, 5).unwrap();
    full.advance_to(steps);
    let full: Vec<&[[f64; 2]]> = full.paths(steps).collect();
    assert!(full.windows(2).all(|w| w[0] == w[1]));
    race.apply(Command::SetSeeds(sgd, 1000));
    assert_eq!(race.lanes()[sgd].spec.seeds, 50, "capped");
}

/// A data surface on which a weight cannot matter is refused, naming the feature, rather than
/// drawn as a map every optimizer leaves at step 0.
#[test]
fn a_feature_the_loss_cannot_depend_on_is_refused_by_name() {
    let dir = crate::common::Scratch::new("degenerate-features");
    let mut text = String::from("flat,tiny,a,twice_a,label\n");
    for i in 0..40 {
        let a = (i as f64 * 0.37).sin();
        let tiny = 1e6 + (i % 2) as f64 * 1e-9;
        text += &format!("3.5,{tiny},{a},{},{}\n", 2.0 * a + 1.0, i % 2);
    }
    let csv = dir.join("d.csv");
    std::fs::write(&csv, text).unwrap();
    let csv = csv.display();
    let refuse = |spec: String, words: &[&str]| {
        let e = Surface::data(DataSpec::parse(&spec).unwrap().unwrap())
            .err()
            .unwrap_or_else(|| panic!("{spec} was accepted"))
            .to_string();
        for w in words {
            assert!(e.contains(w), "{spec}: {e}");
        }
    };
    refuse(
        format!("linear:{csv}:flat:a"),
        &["'flat'", "same in every row"],
    );
    refuse(
        format!("logistic:{csv}:a,tiny"),
        &["'tiny'", "same in every row"],
    );
    refuse(
        format!("logistic:{csv}:a,twice_a"),
        &["'a' and 'twice_a'", "same up to scale"],
    );
    // Two honest features are fine.
    let ok = Surface::data(
        DataSpec::parse(&format!("linear:{csv}:a:twice_a"))
            .unwrap()
            .unwrap(),
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
}
