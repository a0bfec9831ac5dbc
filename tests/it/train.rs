//! Training real models: shipped specs, determinism, the worker thread and `downhill train`.

use crate::common::{ok, usage_error};
use downhill::data::{DatasetKind, Split, SplitOptions};
use downhill::models::eval::{
    actual_vs_predicted, confusion, decision_grid, evaluate, misclassified, predict,
};
use downhill::models::{Activation, Architecture, Batch, BatchName, ModelKind, ModelSpec};
use downhill::optim::OptimizerKind;
use downhill::train::{EpochMetrics, Experiment, RunState, Setup, TrainSettings};
use downhill::worker::{Command, Event, Worker, WorkerOptions};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// An optimizer with hyperparameter overrides.
fn setup(kind: OptimizerKind, hp: &[(&str, f64)]) -> Setup {
    let hp: Vec<(String, f64)> = hp.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    Setup::new(kind, &hp, Default::default()).unwrap()
}

/// A shipped spec's experiment.
fn shipped(name: &str) -> (ModelSpec, Experiment) {
    let spec = ModelSpec::shipped(name).expect("shipped").expect("parses");
    let (_, exp) = spec.experiment().expect("sets up");
    (spec, exp)
}

/// Every epoch of every run, trained to the end.
fn train(exp: &Experiment) -> Vec<(RunState, Vec<EpochMetrics>)> {
    exp.runs()
        .unwrap()
        .into_iter()
        .map(|mut run| {
            while run.run_epoch().is_some() {}
            (run.state(), run.history().to_vec())
        })
        .collect()
}

/// The metrics without the wall-clock column.
fn numbers(history: &[EpochMetrics]) -> Vec<EpochMetrics> {
    history
        .iter()
        .map(|m| EpochMetrics {
            ms: 0.0,
            ..m.clone()
        })
        .collect()
}

#[test]
fn shipped_specs_load_round_trip_and_train_to_sensible_results() {
    for (name, _) in downhill::models::spec::SHIPPED {
        let spec = ModelSpec::shipped(name).unwrap().unwrap();
        assert_eq!(&spec.name, name);
        assert!(!spec.optimizers.is_empty(), "{name}");
        let text = spec.to_toml().unwrap();
        assert_eq!(
            ModelSpec::from_toml(&text).unwrap(),
            spec,
            "{name}:\n{text}"
        );
        // And through a file, as the app's save/load will.
        let path =
            std::env::temp_dir().join(format!("downhill-spec-{}-{name}.toml", std::process::id()));
        spec.save(&path).unwrap();
        assert_eq!(ModelSpec::load(&path).unwrap(), spec);
        std::fs::remove_file(&path).unwrap();
    }
    let best_val_acc = |name: &str| {
        let (_, exp) = shipped(name);
        let results = train(&exp);
        results
            .iter()
            .map(|(state, h)| {
                assert_eq!(*state, RunState::Finished, "{name}");
                h.last().unwrap().val.unwrap().accuracy.unwrap()
            })
            .fold(0.0, f64::max)
    };
    assert!(best_val_acc("iris-softmax") >= 0.9);
    assert!(best_val_acc("breast-cancer-logistic") >= 0.93);
    assert!(best_val_acc("moons-mlp") >= 0.95);
    assert!(best_val_acc("digits-mlp") >= 0.93);

    let (_, exp) = shipped("diabetes-linear");
    for (state, h) in train(&exp) {
        assert_eq!(state, RunState::Finished);
        let (first, last) = (&h[0], h.last().unwrap());
        assert!(last.train.loss < first.train.loss);
        assert!(last.train.accuracy.is_none());
        let r2 = last.val.unwrap().r2.unwrap();
        assert!(r2 > 0.35, "validation R² {r2}");
    }
}

#[test]
fn the_benchmark_setup_reaches_its_accuracy() {
    // digits, MLP 64-32-10 ReLU, batch 32, Adam (lr 1e-3), 50 epochs.
    let exp = downhill::bench::digits_experiment(50);
    let (state, history) = train(&exp).remove(0);
    assert_eq!(state, RunState::Finished);
    assert_eq!(history.len(), 50);
    let acc = history[49].train.accuracy.unwrap();
    assert!(acc >= 0.98, "train accuracy after 50 epochs {acc}");
}

#[test]
fn same_seed_same_numbers_and_every_optimizer_starts_alike() {
    let data = DatasetKind::Moons.load(3).unwrap();
    let settings = TrainSettings {
        epochs: 5,
        seed: 3,
        batch: Batch::Size(16),
        ..TrainSettings::default()
    };
    let arch = Architecture::mlp(&[8], Activation::Tanh);
    let optimizers = vec![
        setup(OptimizerKind::ADAM, &[("lr", 0.01)]),
        setup(OptimizerKind::ADAM, &[("lr", 0.01)]),
        setup(OptimizerKind::MOMENTUM, &[("lr", 0.05)]),
    ];
    let exp = Experiment::new(&data, &arch, settings, optimizers.clone()).unwrap();
    let runs = exp.runs().unwrap();
    for run in &runs {
        assert_eq!(run.weights(), exp.init.as_slice());
    }
    let a = train(&exp);
    let b = train(&Experiment::new(&data, &arch, settings, optimizers.clone()).unwrap());
    for ((sa, ha), (sb, hb)) in a.iter().zip(&b) {
        assert_eq!(sa, sb);
        assert_eq!(numbers(ha), numbers(hb));
    }
    // The two Adam runs saw the same batches: identical; momentum differs.
    assert_eq!(numbers(&a[0].1), numbers(&a[1].1));
    assert_ne!(numbers(&a[0].1), numbers(&a[2].1));
    // Another seed, other numbers.
    let other = TrainSettings {
        seed: 4,
        ..settings
    };
    let c = train(&Experiment::new(&data, &arch, other, optimizers).unwrap());
    assert_ne!(numbers(&a[0].1), numbers(&c[0].1));
}

#[test]
fn batch_modes_early_stopping_and_divergence() {
    let data = DatasetKind::Iris.load(0).unwrap();
    let arch = Architecture::of(ModelKind::Softmax);
    let sgd = vec![setup(OptimizerKind::GD, &[("lr", 0.1)])];
    let with = |batch| TrainSettings {
        batch,
        epochs: 2,
        ..TrainSettings::default()
    };
    let full = Experiment::new(
        &data,
        &arch,
        with(Batch::Named(BatchName::Full)),
        sgd.clone(),
    );
    let runs = full.unwrap().runs().unwrap();
    assert_eq!(runs[0].batches_per_epoch(), 1);
    let single = Experiment::new(
        &data,
        &arch,
        with(Batch::Named(BatchName::Single)),
        sgd.clone(),
    );
    assert_eq!(single.unwrap().runs().unwrap()[0].batches_per_epoch(), 120);
    let mini = Experiment::new(&data, &arch, with(Batch::Size(50)), sgd).unwrap();
    let (_, h) = train(&mini).remove(0);
    assert_eq!((h.len(), h[1].step), (2, 6));

    // Overfitting digits with a patience of 2 stops before the last epoch, 2 epochs after
    // the best validation loss.
    let (spec, _) = shipped("digits-mlp");
    let mut spec = spec;
    spec.training.patience = Some(2);
    spec.training.epochs = 80;
    spec.optimizers.truncate(2);
    let (_, exp) = spec.experiment().unwrap();
    let (state, h) = train(&exp).remove(1);
    let RunState::EarlyStopped { best_epoch } = state else {
        panic!("expected an early stop, got {state:?}");
    };
    assert_eq!(h.len(), best_epoch + 2);
    let best = h[best_epoch - 1].val.unwrap().loss;
    assert!(h.iter().all(|m| m.val.unwrap().loss >= best));

    // A huge learning rate diverges; nothing non-finite is reported.
    let diabetes = DatasetKind::Diabetes.load(0).unwrap();
    let wild = vec![setup(OptimizerKind::GD, &[("lr", 1e4)])];
    let settings = TrainSettings {
        epochs: 50,
        ..TrainSettings::default()
    };
    let exp = Experiment::new(
        &diabetes,
        &Architecture::of(ModelKind::Linear),
        settings,
        wild,
    );
    let (state, h) = train(&exp.unwrap()).remove(0);
    assert!(matches!(state, RunState::Diverged { .. }), "{state:?}");
    assert!(h.len() < 50);
    for m in &h {
        assert!(m.train.loss.is_finite() && m.val.unwrap().loss.is_finite());
    }
}

#[test]
fn decision_grid_and_misclassified_rows_agree_with_predictions() {
    let (_, exp) = shipped("moons-mlp");
    let mut run = exp.runs().unwrap().remove(0);
    for _ in 0..20 {
        run.run_epoch();
    }
    let (net, w, split) = (&exp.net, run.weights(), &exp.split);
    let grid = decision_grid(net, w, &split.scaling, (-1.5, 2.5), (-1.0, 1.5), (40, 30)).unwrap();
    assert_eq!((grid.class.len(), grid.value.len()), (1200, 1200));
    assert!(grid.class.iter().all(|&c| c < 2));
    assert!(grid.value.iter().all(|&p| (0.5..=1.0).contains(&p)));
    assert!(grid.class.contains(&0) && grid.class.contains(&1));
    // The grid at a training point (in original units) predicts what `predict` does.
    let data = DatasetKind::Moons.load(0).unwrap();
    let preds = predict(net, w, &split.train);
    for (i, &row) in split.train.rows.iter().take(25).enumerate() {
        let p = data.row(row);
        let g = decision_grid(net, w, &split.scaling, (p[0], p[0]), (p[1], p[1]), (1, 1)).unwrap();
        assert_eq!(g.class[0] as f64, preds[i]);
    }
    // Misclassified digits: as many as the accuracy says, each really wrong.
    let (_, exp) = shipped("digits-mlp");
    let mut run = exp.runs().unwrap().remove(0);
    run.run_epoch();
    let table = &exp.split.val;
    let misses = misclassified(&exp.net, run.weights(), table);
    let mut ws = exp.net.workspace(64);
    let acc = evaluate(&exp.net, run.weights(), table, &mut ws)
        .unwrap()
        .accuracy
        .unwrap();
    assert_eq!(
        misses.len(),
        ((1.0 - acc) * table.n as f64).round() as usize
    );
    let digits = DatasetKind::Digits.load(0).unwrap();
    let labels = digits.y();
    for m in &misses {
        assert_ne!(m.predicted, m.actual);
        assert_eq!(labels[m.row] as usize, m.actual);
    }
    // A 64-input model has no 2-D grid.
    assert!(
        decision_grid(
            &exp.net,
            run.weights(),
            &exp.split.scaling,
            (0.0, 1.0),
            (0.0, 1.0),
            (2, 2)
        )
        .is_none()
    );
    let _ = Split::new(&digits, SplitOptions::default(), 0);
}

#[test]
fn confusion_matrix_and_actual_vs_predicted_agree_with_the_metrics() {
    let (_, exp) = shipped("iris-softmax");
    let mut run = exp.runs().unwrap().remove(0);
    run.run_epoch();
    let (net, w, table) = (&exp.net, run.weights(), &exp.split.train);
    let counts = confusion(net, w, table, 3);
    assert_eq!(counts.len(), 3);
    let mut ws = net.workspace(64);
    let acc = evaluate(net, w, table, &mut ws).unwrap().accuracy.unwrap();
    let diagonal: usize = (0..3).map(|k| counts[k][k]).sum();
    assert_eq!(diagonal, (acc * table.n as f64).round() as usize);
    assert!(
        diagonal < table.n,
        "one epoch should leave mistakes to count"
    );
    for (class, row) in counts.iter().enumerate() {
        let members = table.y.iter().filter(|&&y| y as usize == class).count();
        assert_eq!(row.iter().sum::<usize>(), members, "class {class}");
    }
    assert_eq!(
        table.n - diagonal,
        misclassified(net, w, table).len(),
        "off the diagonal are the misclassified rows"
    );

    let (_, exp) = shipped("diabetes-linear");
    let mut run = exp.runs().unwrap().remove(0);
    for _ in 0..5 {
        run.run_epoch();
    }
    let (net, w, table) = (&exp.net, run.weights(), &exp.split.val);
    let pairs = actual_vs_predicted(net, w, table, exp.split.target_scaling.as_ref());
    assert_eq!(pairs.len(), table.n);
    let data = DatasetKind::Diabetes.load(0).unwrap();
    let original = data.y();
    for (pair, &row) in pairs.iter().zip(&table.rows) {
        assert!((pair[0] - original[row]).abs() < 1e-9 * original[row].abs().max(1.0));
    }
    // R² is unchanged by undoing the standardisation.
    let mean = pairs.iter().map(|p| p[0]).sum::<f64>() / pairs.len() as f64;
    let sse: f64 = pairs.iter().map(|p| (p[0] - p[1]).powi(2)).sum();
    let sst: f64 = pairs.iter().map(|p| (p[0] - mean).powi(2)).sum();
    let r2 = evaluate(net, w, table, &mut net.workspace(64))
        .unwrap()
        .r2
        .unwrap();
    assert!(
        (1.0 - sse / sst - r2).abs() < 1e-6,
        "{} vs {r2}",
        1.0 - sse / sst
    );
    assert!(confusion(net, w, table, 0).is_empty());
    assert!(actual_vs_predicted(&exp.net, w, &exp.split.train, None).len() == exp.split.train.n);
}

/// Waits for the first event matching `want`, failing after a generous timeout.
fn wait_for(worker: &Worker, seen: &mut Vec<Event>, want: impl Fn(&Event) -> bool) -> Event {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "timed out waiting; saw {} events",
            seen.len()
        );
        if let Some(e) = worker.recv_timeout(left) {
            seen.push(e.clone());
            if want(&e) {
                return e;
            }
        }
    }
}

#[test]
fn the_worker_trains_in_the_background_and_obeys_commands() {
    let data = DatasetKind::Moons.load(0).unwrap();
    let settings = TrainSettings {
        epochs: 30,
        batch: Batch::Size(16),
        ..TrainSettings::default()
    };
    let optimizers = vec![
        setup(OptimizerKind::ADAM, &[("lr", 0.01)]),
        setup(OptimizerKind::MOMENTUM, &[("lr", 0.05)]),
    ];
    let exp = Experiment::new(
        &data,
        &Architecture::mlp(&[8], Activation::Relu),
        settings,
        optimizers,
    )
    .unwrap();
    let reference = train(&exp);
    let pings = Arc::new(AtomicUsize::new(0));
    let counter = pings.clone();
    // Ticks spaced out so the whole run takes a good half second: the pause below must arrive
    // before the last epoch even while the other tests keep both cores busy.
    let options = WorkerOptions {
        steps_per_tick: 7,
        tick_interval: Duration::from_millis(5),
        ..WorkerOptions::default()
    };
    let worker = Worker::spawn(
        exp,
        options,
        Box::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        }),
    );
    let mut seen = Vec::new();
    let started = wait_for(&worker, &mut seen, |e| matches!(e, Event::Started { .. }));
    let Event::Started { runs } = started else {
        unreachable!()
    };
    assert_eq!(
        runs.iter().map(|r| r.0).collect::<Vec<_>>(),
        ["adam", "momentum"]
    );
    wait_for(&worker, &mut seen, |e| {
        matches!(e, Event::Epoch { run: 1, .. })
    });

    assert!(worker.send(Command::Pause));
    wait_for(&worker, &mut seen, |e| matches!(e, Event::Paused));
    assert!(worker.send(Command::SetStepsPerTick(3)));
    assert!(worker.send(Command::Resume));
    wait_for(&worker, &mut seen, |e| matches!(e, Event::Resumed));
    wait_for(&worker, &mut seen, |e| matches!(e, Event::Finished));
    assert!(pings.load(Ordering::Relaxed) > 0);

    // Whatever the ticks and pauses, the epochs are those of training straight through.
    let epochs = |seen: &[Event], run: usize| -> Vec<EpochMetrics> {
        seen.iter()
            .filter_map(|e| match e {
                Event::Epoch { run: r, metrics } if *r == run => Some(metrics.clone()),
                _ => None,
            })
            .collect()
    };
    for (i, (state, history)) in reference.iter().enumerate() {
        assert_eq!(numbers(&epochs(&seen, i)), numbers(history));
        assert!(seen.contains(&Event::State {
            run: i,
            state: *state
        }));
    }
    let weights = seen.iter().any(|e| matches!(e, Event::Weights { run: 0, epoch: 30, weights } if weights.len() == 2 * 8 + 8 + 8 * 2 + 2));
    assert!(weights);
    for e in &seen {
        if let Event::Step { metrics, .. } = e {
            assert!(metrics.batch_loss.is_finite() && metrics.grad_norm.is_finite());
            assert_eq!(metrics.layer_grad_norms.len(), 2);
        }
    }

    // Restart gives the same numbers again; poll never blocks.
    assert!(worker.send(Command::Restart));
    let mut again = Vec::new();
    wait_for(&worker, &mut again, |e| matches!(e, Event::Finished));
    assert_eq!(numbers(&epochs(&again, 0)), numbers(&reference[0].1));
    let _ = worker.poll();

    // Stop ends the thread.
    assert!(worker.send(Command::Stop));
    let deadline = Instant::now() + Duration::from_secs(30);
    while worker.is_running() {
        assert!(Instant::now() < deadline, "the worker did not stop");
        std::thread::yield_now();
    }
}

#[test]
fn dropping_a_paused_worker_ends_its_thread() {
    let (_, exp) = shipped("digits-mlp");
    let options = WorkerOptions {
        paused: true,
        ..WorkerOptions::default()
    };
    let worker = Worker::spawn(exp, options, Box::new(|| {}));
    let mut seen = Vec::new();
    wait_for(&worker, &mut seen, |e| matches!(e, Event::Started { .. }));
    assert!(
        worker
            .poll()
            .iter()
            .all(|e| !matches!(e, Event::Epoch { .. }))
    );
    drop(worker); // joins; a hang here fails the test run by timeout
}

// ---- the command line ----

#[test]
fn train_prints_one_csv_row_per_optimizer_per_epoch() {
    let text = ok(&[
        "train",
        "--dataset",
        "iris",
        "--model",
        "softmax",
        "--optimizer",
        "adam",
        "--optimizer",
        "momentum,gd",
        "--hp",
        "lr=0.05",
        "--epochs",
        "4",
        "--seed",
        "2",
    ]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "run,optimizer,epoch,train_loss,val_loss,train_acc,val_acc,ms"
    );
    assert_eq!(lines.len(), 1 + 3 * 4);
    for (i, line) in lines[1..].iter().enumerate() {
        // The first column names the run ("Adam", "Momentum", "GD": here the optimizers alone
        // tell them apart).
        let all: Vec<&str> = line.split(',').collect();
        assert_eq!(all[0], ["Adam", "Momentum", "GD"][i / 4]);
        let cells = &all[1..];
        assert_eq!(cells.len(), 7, "{line}");
        assert_eq!(cells[0], ["adam", "momentum", "gd"][i / 4]);
        assert_eq!(cells[1], ((i % 4) + 1).to_string());
        for c in &cells[2..] {
            let v: f64 = c.parse().unwrap();
            assert!(v.is_finite() && v >= 0.0);
        }
    }
    // Same seed, same numbers (the ms column aside).
    let again = ok(&[
        "train",
        "--dataset",
        "iris",
        "--model",
        "softmax",
        "--optimizer",
        "adam",
        "--optimizer",
        "momentum,gd",
        "--hp",
        "lr=0.05",
        "--epochs",
        "4",
        "--seed",
        "2",
    ]);
    let strip = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_string())
            .collect()
    };
    assert_eq!(strip(&text), strip(&again));

    // Regression: empty accuracy columns.
    let text = ok(&[
        "train",
        "--dataset",
        "linear",
        "--model",
        "linear",
        "--optimizer",
        "adam",
        "--epochs",
        "2",
        "--hp",
        "lr=0.1",
    ]);
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((row[5], row[6]), ("", ""));
}

#[test]
fn train_json_has_every_run_and_epoch() {
    let text = ok(&[
        "train",
        "--model",
        "assets/models/moons-mlp.toml",
        "--epochs",
        "3",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["dataset"], "moons");
    assert_eq!(doc["model"], "mlp:16,16:tanh");
    assert_eq!(doc["standardized"], true);
    let runs = doc["runs"].as_array().unwrap();
    let names: Vec<&str> = runs
        .iter()
        .map(|r| r["optimizer"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["adam", "momentum", "gd"]);
    assert_eq!(runs[0]["hp"]["lr"], 0.01);
    for r in runs {
        let epochs = r["epochs"].as_array().unwrap();
        assert_eq!(epochs.len(), 3);
        assert_eq!(epochs[2]["epoch"], 3);
        assert!(epochs[2]["val_acc"].as_f64().unwrap() > 0.5);
        assert_eq!(epochs[2]["layer_grad_norms"].as_array().unwrap().len(), 3);
        assert_eq!(r["status"]["state"], "finished");
    }
    // The command line overrides the spec's optimizers, keeping the spec's settings for one
    // it also names.
    let text = ok(&[
        "train",
        "--model",
        "assets/models/moons-mlp.toml",
        "--epochs",
        "1",
        "--optimizer",
        "gd,adam",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(
        (runs[0]["optimizer"].as_str(), runs[0]["hp"]["lr"].as_f64()),
        (Some("gd"), Some(0.1))
    );
    assert_eq!(runs.len(), 2);
}

#[test]
fn train_reads_a_user_csv() {
    let dir = crate::common::Scratch::new("train-csv");
    let good = dir.join("good.csv");
    let mut text = String::from("a,b,label,c\n");
    for i in 0..60 {
        let x = i as f64 / 10.0;
        text.push_str(&format!(
            "{x},{},{},{}\n",
            1.0 - x,
            if x > 3.0 { "hi" } else { "lo" },
            i % 7
        ));
    }
    std::fs::write(&good, &text).unwrap();
    let path = good.to_str().unwrap();
    let out = ok(&[
        "train",
        "--data",
        path,
        "--target",
        "label",
        "--model",
        "logistic",
        "--optimizer",
        "adam",
        "--hp",
        "lr=0.1",
        "--epochs",
        "20",
    ]);
    let last: Vec<&str> = out.lines().last().unwrap().split(',').collect();
    assert!(last[5].parse::<f64>().unwrap() >= 0.9, "{out}");
    // A last column of whole numbers 0..6 is read as 7 classes.
    let sevens = dir.join("sevens.csv");
    let rows: String = (0..40).map(|i| format!("{i},{}\n", i % 7)).collect();
    std::fs::write(&sevens, format!("x,k\n{rows}")).unwrap();
    let sevens = sevens.to_str().unwrap();
    usage_error(
        &[
            "train",
            "--data",
            sevens,
            "--model",
            "logistic",
            "--optimizer",
            "adam",
        ],
        &["7 classes"],
    );
    // … unless the model is linear regression.
    ok(&[
        "train",
        "--data",
        sevens,
        "--model",
        "linear",
        "--optimizer",
        "adam",
        "--epochs",
        "1",
    ]);
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "a,b,y\n1,2,x\n3,four,y\n").unwrap();
    usage_error(
        &[
            "train",
            "--data",
            bad.to_str().unwrap(),
            "--model",
            "softmax",
            "--optimizer",
            "adam",
        ],
        &["line 3", "'four'"],
    );
}

#[test]
fn train_rejects_bad_input_with_one_line() {
    let base = ["train", "--model", "softmax", "--optimizer", "adam"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(extra).copied().collect()
    };
    usage_error(
        &with(&["--dataset", "mnist"]),
        &["unknown dataset 'mnist'", "digits"],
    );
    usage_error(&with(&[]), &["no dataset"]);
    usage_error(&with(&["--dataset", "iris", "--hp", "foo=1"]), &["'foo'"]);
    usage_error(&with(&["--dataset", "iris", "--hp", "lr=-1"]), &["lr"]);
    usage_error(
        &with(&["--dataset", "iris", "--batch", "0"]),
        &["batch 0 (valid: 1 to"],
    );
    usage_error(&with(&["--dataset", "diabetes"]), &["softmax", "numeric"]);
    usage_error(
        &[
            "train",
            "--dataset",
            "iris",
            "--model",
            "logistic",
            "--optimizer",
            "adam",
        ],
        &["3 classes"],
    );
    usage_error(
        &[
            "train",
            "--dataset",
            "wine",
            "--model",
            "linear",
            "--optimizer",
            "adam",
        ],
        &["regression"],
    );
    usage_error(
        &[
            "train",
            "--dataset",
            "iris",
            "--model",
            "mlp:0",
            "--optimizer",
            "adam",
        ],
        &["hidden layer 1 has 0 units", "1 to 4096"],
    );
    usage_error(
        &["train", "--dataset", "iris", "--model", "softmax"],
        &["no optimizer"],
    );
    usage_error(
        &[
            "train",
            "--dataset",
            "iris",
            "--model",
            "softmax",
            "--optimizer",
            "newton",
        ],
        &["Hessian"],
    );
    usage_error(
        &[
            "train",
            "--dataset",
            "iris",
            "--model",
            "missing.toml",
            "--optimizer",
            "adam",
        ],
        &["missing.toml"],
    );
}

#[test]
fn list_names_datasets_and_models() {
    let text = ok(&["list"]);
    for name in [
        "breast-cancer",
        "spirals",
        "DATASETS",
        "MODELS",
        "mlp",
        "digits-mlp",
    ] {
        assert!(text.contains(name), "{name} missing");
    }
    let json: Value = serde_json::from_str(&ok(&["list", "--json"])).unwrap();
    let names = |key: &str| -> Vec<String> {
        json[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("datasets"), DatasetKind::names());
    assert_eq!(names("models"), ["linear", "logistic", "softmax", "mlp"]);
    assert_eq!(json["surfaces"].as_array().unwrap().len(), 16);
}

#[test]
fn lbfgs_with_minibatches_takes_one_batch_per_step() {
    use downhill::engine::Objective;
    use downhill::models::{ModelObjective, Network};
    let data = DatasetKind::Iris.load(0).unwrap();
    let split = Split::new(&data, SplitOptions::default(), 0);
    let net =
        Arc::new(Network::new(&Architecture::of(ModelKind::Softmax), data.d, data.task()).unwrap());
    let train = Arc::new(split.train);
    let init = net.init(0);
    let lbfgs = Setup::default_for(OptimizerKind::LBFGS);
    let objective = ModelObjective::new(net.clone(), train.clone(), Batch::Size(16), 3);
    let mut runner = lbfgs.runner(objective, &init).unwrap();
    for _ in 0..20 {
        runner.step();
    }
    // The start, then one batch per step, whatever the line search probed.
    assert_eq!(runner.objective().served(), 21);
    // And it still learns.
    let mut fresh = ModelObjective::new(net, train, Batch::Size(16), 3);
    assert!(fresh.loss(runner.x()) < fresh.loss(&init));
}

#[test]
fn a_tick_reports_the_mean_loss_of_its_minibatches() {
    let data = DatasetKind::Moons.load(0).unwrap();
    let settings = TrainSettings {
        batch: Batch::Named(BatchName::Single),
        epochs: 1,
        ..TrainSettings::default()
    };
    let gd = Setup::new(OptimizerKind::GD, &[("lr".into(), 0.1)], Default::default()).unwrap();
    let exp = Experiment::new(
        &data,
        &Architecture::of(ModelKind::Logistic),
        settings,
        vec![gd],
    )
    .unwrap();
    let mut one_by_one = exp.runs().unwrap().remove(0);
    let mut singles = Vec::new();
    for _ in 0..8 {
        one_by_one.step(1);
        singles.push(one_by_one.last_step().batch_loss);
    }
    let mut at_once = exp.runs().unwrap().remove(0);
    at_once.step(8);
    let mean = singles.iter().sum::<f64>() / 8.0;
    let reported = at_once.last_step().batch_loss;
    assert!(
        (reported - mean).abs() <= 1e-12 * mean,
        "{reported} vs {mean}"
    );
    // Single-row losses differ from one another; their mean is what a tick shows.
    assert!(singles.iter().any(|&s| (s - mean).abs() > 1e-3 * mean));
}

/// Every edge value a spec file may hold, for every field the Train view's panel shows: the
/// view opens, shows it without rewriting it (a panel that clamped a value to its own
/// narrower range changed the spec at every frame and so restarted training for ever: a spec
/// with `validation = 0.9` never trained), and a short one trains to its end.
#[test]
fn the_train_view_takes_every_edge_value_of_every_spec_field() {
    use downhill::app::train::{SpecSource, TrainView};
    use downhill::limits;
    let base = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/models/moons-mlp.toml"
    ))
    .unwrap()
    .replace("epochs = 100", "epochs = 3");
    let edits: Vec<(String, String)> = vec![
        ("validation = 0.2".into(), "validation = 0.0".into()),
        (
            "validation = 0.2".into(),
            format!("validation = {}", limits::MAX_VALIDATION),
        ),
        ("epochs = 3".into(), "epochs = 0".into()),
        (
            "epochs = 3".into(),
            format!("epochs = {}", limits::MAX_EPOCHS),
        ),
        ("batch = 16".into(), "batch = 1".into()),
        (
            "batch = 16".into(),
            format!("batch = {}", limits::MAX_BATCH),
        ),
        ("seed = 0".into(), format!("seed = {}", u64::MAX >> 12)),
        ("seed = 0".into(), "seed = 0\nclip_norm = 1e-9".into()),
        (
            "seed = 0".into(),
            format!("seed = 0\nclip_norm = {:e}", limits::MAX_CLIP),
        ),
        (
            "seed = 0".into(),
            format!("seed = 0\nnoise = {:e}", limits::MAX_NOISE),
        ),
        ("seed = 0".into(), "seed = 0\npatience = 1".into()),
        (
            "seed = 0".into(),
            format!("seed = 0\npatience = {}", limits::MAX_EPOCHS),
        ),
        ("lr = 0.01".into(), "lr = 1e-9".into()),
        ("lr = 0.01".into(), "lr = 1e6".into()),
        (
            "hp = { lr = 0.1 }".into(),
            "hp = { lr = 0.1, weight_decay = 100.0 }".into(),
        ),
        (
            "activation = \"tanh\"".into(),
            "activation = \"tanh\"\nl2 = 1e6\nl1 = 1e6".into(),
        ),
        ("hidden = [16, 16]".into(), "hidden = [1]".into()),
        (
            "hidden = [16, 16]".into(),
            "hidden = [1, 1, 1, 1, 1, 1, 1, 1]".into(),
        ),
    ];
    let mut headless = downhill::app::export::Headless::new();
    for (from, to) in edits {
        assert!(base.contains(&from), "{from}");
        let text = base.replacen(&from, &to, 1);
        let spec =
            downhill::models::ModelSpec::from_toml(&text).unwrap_or_else(|e| panic!("{to}: {e}"));
        let mut app = downhill::app::Explorer::default();
        app.shown.mode = downhill::app::ViewMode::Train;
        app.trainer = TrainView::with_spec(spec.clone(), SpecSource::Custom("edge".into()));
        let ctx = headless.ctx().clone();
        app.trainer.play(&ctx);
        for _ in 0..3 {
            headless.render(
                eframe::egui::vec2(1440.0, 900.0),
                1.0,
                1,
                eframe::egui::Color32::BLACK,
                |ui| app.frame(ui),
            );
        }
        assert_eq!(app.trainer.spec, spec, "{to}: the panel rewrote the spec");
        // A short run trains to its end.
        if spec.training.epochs <= 3 && app.trainer.error.is_none() {
            let t = std::time::Instant::now();
            while !app.trainer.finished && t.elapsed().as_secs() < 20 {
                app.trainer.poll();
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            assert!(app.trainer.finished, "{to}: never finished training");
        }
    }
}
