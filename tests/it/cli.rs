//! The command-line interface as other tools use it, bad input included.

use crate::common::{downhill, ok, usage_error};
use serde_json::Value;

#[test]
fn list_names_everything() {
    let text = ok(&["list"]);
    for name in [
        "rosenbrock",
        "plateau-cliff",
        "lbfgs",
        "nesterov",
        "weight_decay",
        "cosine",
    ] {
        assert!(text.contains(name), "{name} missing");
    }
    let json: Value = serde_json::from_str(&ok(&["list", "--json"])).unwrap();
    let surfaces = json["surfaces"].as_array().unwrap();
    let optimizers = json["optimizers"].as_array().unwrap();
    assert_eq!(surfaces.len(), 16);
    assert_eq!(optimizers.len(), 14);
    let names: Vec<&str> = optimizers
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw",
            "amsgrad", "nadam", "radam", "lion", "newton", "lbfgs"
        ]
    );
    let adam = &optimizers[6];
    let beta2 = adam["hyperparameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "beta2")
        .unwrap();
    assert_eq!(beta2["default"], 0.999);
    assert!(beta2["meaning"].as_str().unwrap().len() > 10);
    let presets = json["presets"].as_array().unwrap();
    assert_eq!(presets.len(), 12);
    assert_eq!(presets[0]["key"], "1");
    assert_eq!(presets[9]["key"], "0");
    assert!(
        presets
            .iter()
            .all(|p| p["caption"].as_str().unwrap().len() > 20)
    );
    let himmelblau = surfaces.iter().find(|s| s["name"] == "himmelblau").unwrap();
    assert_eq!(himmelblau["minima"].as_array().unwrap().len(), 4);
    assert_eq!(himmelblau["saddles"].as_array().unwrap().len(), 4);
}

#[test]
fn run_csv_has_one_row_per_step_per_optimizer() {
    let csv = ok(&[
        "run",
        "--surface",
        "rosenbrock",
        "--optimizer",
        "adam",
        "--optimizer",
        "gd",
        "--hp",
        "lr=0.001",
        "--steps",
        "25",
        "--start=-1.5,2",
    ]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("run,optimizer,step,x,y,loss,grad_norm,lr")
    );
    // The first column names the run; here the optimizers alone tell the runs apart.
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').skip(1).collect()).collect();
    assert_eq!(rows.len(), 2 * 26);
    assert!(rows.iter().all(|r| r.len() == 7));
    assert_eq!(rows[0][..4], ["adam", "0", "-1.5", "2"]);
    assert_eq!(rows[26][..2], ["gd", "0"]);
    assert_eq!(rows[51][1], "25");
    assert!(csv.lines().nth(1).unwrap().starts_with("Adam,adam,"));
    // loss is f(x, y) of the same row
    for r in &rows {
        let (x, y, loss): (f64, f64, f64) = (
            r[2].parse().unwrap(),
            r[3].parse().unwrap(),
            r[4].parse().unwrap(),
        );
        let f = (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
        assert!((f - loss).abs() <= 1e-12 * f.max(1.0), "{r:?}");
        assert_eq!(r[6].parse::<f64>().unwrap(), 0.001);
    }
}

#[test]
fn run_json_reports_status_and_points() {
    let out = ok(&[
        "run",
        "--surface",
        "quadratic",
        "--optimizer",
        "newton,gd",
        "--steps",
        "50",
        "--start=-4,3",
        "--format",
        "json",
        "--hp",
        "lr=0.5",
    ]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["surface"], "quadratic");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    // Newton with γ = 0.5 halves the distance each step and converges; it stops early.
    let newton = &runs[0];
    assert_eq!(newton["optimizer"], "newton");
    assert_eq!(newton["hp"]["lr"], 0.5);
    assert_eq!(newton["status"], "converged");
    let n = newton["points"].as_array().unwrap().len();
    assert_eq!(newton["status_step"].as_u64().unwrap() as usize, n - 1);
    assert!(n < 51);
    let f0 = downhill::surfaces::Surface::new(downhill::surfaces::SurfaceKind::Quadratic)
        .value(-4.0, 3.0);
    assert_eq!(newton["points"][0], serde_json::json!([-4.0, 3.0, f0]));
    // GD with γ = 0.5 > 2/λ_max = 0.2 diverges.
    let gd = &runs[1];
    assert_eq!(gd["status"], "diverged");
    assert!(gd["status_step"].as_u64().unwrap() <= 50);
    // hyperparameters carry their types
    let adam: Value = serde_json::from_str(&ok(&[
        "run",
        "--surface",
        "booth",
        "--optimizer",
        "adam",
        "--steps",
        "1",
        "--format",
        "json",
        "--hp",
        "amsgrad=true",
    ]))
    .unwrap();
    assert_eq!(adam["runs"][0]["hp"]["amsgrad"], true);
    assert_eq!(adam["runs"][0]["status"], "running");
    assert_eq!(adam["runs"][0]["points"].as_array().unwrap().len(), 2);
}

#[test]
fn same_seed_same_output() {
    let args = [
        "run",
        "--surface",
        "himmelblau",
        "--optimizer",
        "momentum,rmsprop",
        "--hp",
        "lr=0.01",
        "--noise",
        "3",
        "--seed",
        "42",
        "--steps",
        "200",
        "--schedule",
        "cosine:t_max=200",
        "--clip-norm",
        "10",
    ];
    assert_eq!(ok(&args), ok(&args));
    let mut other = args;
    other[10] = "43";
    assert_ne!(ok(&args), ok(&other));
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_choices() {
    // A zero learning rate or clipping threshold would make every run "converge" at once.
    usage_error(
        &[
            "run",
            "--surface",
            "booth",
            "--optimizer",
            "gd",
            "--hp",
            "lr=0",
        ],
        &["lr=0", "(0, 1000000]"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "booth",
            "--optimizer",
            "gd",
            "--clip-norm",
            "0",
        ],
        &["'0'", "clipping threshold 0 (valid: above 0"],
    );
    usage_error(
        &["run", "--preset", "himmelblu"],
        &["himmelblu", "rastrigin"],
    );
    usage_error(
        &["run", "--preset", "saddle", "--optimizer", "adam"],
        &["--optimizer"],
    );
    usage_error(
        &["run", "--surface", "rosenbrok", "--optimizer", "adam"],
        &["rosenbrok", "himmelblau", "plateau-cliff"],
    );
    usage_error(
        &["run", "--surface", "beale", "--optimizer", "sgd"],
        &["'sgd'", "gd", "lbfgs"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "adam",
            "--hp",
            "lr=abc",
        ],
        &["not a number"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "adam",
            "--hp",
            "beta1=1.5",
        ],
        &["beta1", "[0, 1)"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "gd",
            "--hp",
            "gamma=2",
        ],
        &["gamma", "lr, weight_decay"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "adam",
            "--steps",
            "-5",
        ],
        &["steps"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "adam",
            "--steps",
            "1e99",
        ],
        &["1000000"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "adam",
            "--start=1",
        ],
        &["X,Y"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "adam",
            "--start=nan,1",
        ],
        &["coordinate"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "adam",
            "--schedule",
            "linear",
        ],
        &["cosine", "warmup"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "adam",
            "--format",
            "xml",
        ],
        &["csv", "json"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "beale",
            "--optimizer",
            "adam",
            "--noise",
            "-1",
        ],
        &["noise"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "rosenbrock",
            "--optimizer",
            "adam",
            "--surface-param",
            "c=2",
        ],
        &["a, b"],
    );
    usage_error(&["run", "--optimizer", "adam"], &["--surface"]);
    usage_error(&["run", "--surface", "beale"], &["--optimizer"]);
    usage_error(&["fly"], &["fly"]);
    usage_error(&["app", "--model-spec", "moons-mlp"], &["--view train"]);
    usage_error(
        &[
            "app",
            "--view",
            "train",
            "--model-spec",
            "/no/such/spec.toml",
        ],
        &["--model-spec", "spec.toml"],
    );
    usage_error(
        &["app", "--view", "4d", "--screenshot", "/tmp/x.png"],
        &["4d", "2d, 3d, split, train"],
    );
    usage_error(
        &["bench", "warp_speed"],
        &["engine_steps_per_s", "grid_runs_s"],
    );
}

#[test]
fn a_diverging_run_prints_no_nan() {
    let out = ok(&[
        "run",
        "--surface",
        "rosenbrock",
        "--optimizer",
        "gd,momentum,adam,newton",
        "--hp",
        "lr=1000",
        "--steps",
        "5000",
    ]);
    assert!(
        !out.to_lowercase().contains("nan") && !out.contains("inf"),
        "{out}"
    );
    let json = ok(&[
        "run",
        "--surface",
        "goldstein-price",
        "--optimizer",
        "gd",
        "--hp",
        "lr=10",
        "--steps",
        "5000",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["runs"][0]["status"], "diverged");
    for p in doc["runs"][0]["points"].as_array().unwrap() {
        assert!(p.as_array().unwrap().iter().all(|v| v.is_f64()), "{p}");
    }
}

#[test]
fn runs_that_diverge_or_stop_early_say_so_on_stderr() {
    let notes = |args: &[&str]| {
        let out = downhill(args);
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stderr).unwrap()
    };
    let surface = notes(&[
        "run",
        "--surface",
        "rosenbrock",
        "--optimizer",
        "gd,adam",
        "--hp",
        "lr=10",
        "--steps",
        "50",
    ]);
    // Notes name the run as the tables do ("GD", "GD γ=0.1", …).
    assert!(surface.contains("note: GD diverged at step"), "{surface}");
    assert!(!surface.contains("Adam"), "{surface}");
    let training = notes(&[
        "train",
        "--dataset",
        "diabetes",
        "--model",
        "linear",
        "--optimizer",
        "gd",
        "--hp",
        "lr=100000",
        "--epochs",
        "3",
    ]);
    assert!(training.contains("note: GD diverged at step"), "{training}");
    let early = notes(&[
        "train",
        "--dataset",
        "iris",
        "--model",
        "softmax",
        "--optimizer",
        "adam",
        "--hp",
        "lr=0.1",
        "--patience",
        "5",
        "--epochs",
        "1000",
    ]);
    assert!(
        early.contains("note: Adam stopped early after epoch"),
        "{early}"
    );
    let quiet = notes(&["run", "--surface", "booth", "--optimizer", "adam"]);
    assert!(quiet.is_empty(), "{quiet}");
}

#[test]
fn help_and_version_succeed() {
    assert!(ok(&["--help"]).contains("run"));
    assert!(ok(&["run", "--help"]).contains("--schedule"));
    assert!(ok(&["--version"]).starts_with("downhill"));
}

#[test]
fn batch_sizes_race_on_a_data_surface_and_the_seed_fixes_the_batches() {
    let run = |seed: &str| {
        ok(&[
            "run",
            "--surface",
            "linear:diabetes:bmi",
            "--optimizer",
            "gd,gd,gd",
            "--hp",
            "lr=0.05",
            "--batch",
            "full,16,1",
            "--schedule",
            "constant",
            "--steps",
            "60",
            "--seed",
            seed,
            "--format",
            "csv",
        ])
    };
    let a = run("3");
    assert_eq!(a, run("3"), "the same seed gives the same paths");
    let b = run("4");
    // The full-batch racer has no batches to draw: its rows are the same under any seed.
    let rows = |text: &str, run: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with(run))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(rows(&a, "GD,"), rows(&b, "GD,"));
    assert_eq!(rows(&a, "GD,").len(), 61);
    for racer in ["\"GD, batch 16\"", "\"GD, batch 1\""] {
        assert_eq!(rows(&a, racer).len(), 61, "{racer}");
        assert_ne!(
            rows(&a, racer),
            rows(&b, racer),
            "{racer}: another seed, other batches"
        );
    }
    usage_error(
        &[
            "run",
            "--surface",
            "rosenbrock",
            "--optimizer",
            "gd",
            "--batch",
            "4",
        ],
        &["--batch", "model on data"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "linear:diabetes:nope",
            "--optimizer",
            "gd",
        ],
        &["nope", "bmi"],
    );
}

#[test]
fn train_gives_each_optimizer_its_own_batch_and_schedule() {
    let text = ok(&[
        "train",
        "--dataset",
        "moons",
        "--model",
        "logistic",
        "--optimizer",
        "gd,gd,gd",
        "--batch",
        "full,16,1",
        "--schedule",
        "constant",
        "--schedule",
        "constant",
        "--schedule",
        "cosine:t_max=300",
        "--epochs",
        "1",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    let runs = doc["runs"].as_array().unwrap();
    let train_rows = doc["train_rows"].as_u64().unwrap();
    let steps: Vec<u64> = runs
        .iter()
        .map(|r| r["epochs"][0]["step"].as_u64().unwrap())
        .collect();
    // One epoch is one pass over the training rows: 1 step, ⌈rows/16⌉ steps, one per row.
    assert_eq!(steps, vec![1, train_rows.div_ceil(16), train_rows]);
    let batches: Vec<&str> = runs.iter().map(|r| r["batch"].as_str().unwrap()).collect();
    assert_eq!(batches, ["full", "16", "1"]);
    assert_eq!(
        runs[2]["schedule"]["kind"], "cosine",
        "{}",
        runs[2]["schedule"]
    );
    assert_eq!(runs[0]["schedule"]["kind"], "constant");
    usage_error(
        &[
            "train",
            "--dataset",
            "moons",
            "--model",
            "logistic",
            "--optimizer",
            "gd,adam",
            "--batch",
            "1,2,3",
        ],
        &["3 values of --batch", "2 optimizers"],
    );
}

/// Numbers that cannot be written, a name given twice and an overly wide file: a message each,
/// never a row of NaN or a guess.
#[test]
fn odd_numbers_and_repeats_get_a_message_not_a_guess() {
    usage_error(
        &[
            "run",
            "--surface",
            "rosenbrock",
            "--optimizer",
            "gd",
            "--hp",
            "lr=1,lr=2",
        ],
        &["'lr' is given twice"],
    );
    usage_error(
        &[
            "run",
            "--surface",
            "rosenbrock",
            "--optimizer",
            "gd",
            "--hp",
            "lr=1",
            "--hp",
            "lr=2",
        ],
        &["'lr' is given twice"],
    );
    usage_error(
        &["run", "--function", "1.2.3*x"],
        &["'1.2.3' is not a number"],
    );
    usage_error(
        &["run", "--function", "х^2 + y^2"],
        &["Cyrillic", "type 'x'"],
    );
    // A start where the loss overflows: a header, no row of inf or NaN, a note saying why.
    let out = downhill(&[
        "run",
        "--function",
        "exp(x) + y^2",
        "--start",
        "1000,0",
        "--optimizer",
        "gd",
        "--steps",
        "3",
    ]);
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 1, "{csv}");
    let notes = String::from_utf8(out.stderr).unwrap();
    assert!(
        notes.contains("diverged at step 0") && notes.contains("no rows"),
        "{notes}"
    );
    // Explaining a step after the run stopped says how it stopped.
    usage_error(
        &[
            "explain",
            "--surface",
            "rosenbrock",
            "--optimizer",
            "gd",
            "--hp",
            "lr=1",
            "--step",
            "50",
        ],
        &["diverged at step", "there is no step 50"],
    );
    // A header wider than the limit is refused at once.
    let dir = crate::common::Scratch::new("wide-csv");
    let wide = dir.join("wide.csv");
    let header: Vec<String> = (0..=downhill::limits::MAX_COLUMNS)
        .map(|k| format!("c{k}"))
        .collect();
    std::fs::write(&wide, header.join(",") + "\n").unwrap();
    usage_error(
        &[
            "train",
            "--data",
            wide.to_str().unwrap(),
            "--model",
            "logistic",
            "--optimizer",
            "gd",
            "--epochs",
            "1",
        ],
        &["10001 columns", "the limit is 10000"],
    );
}

/// Every flag of every command, given a word or a negative number where it wants a number,
/// names what it wants: never Rust's "invalid digit found in string", never "unexpected
/// argument '-5'" for a number out of range.
#[test]
fn every_number_flag_names_its_range() {
    use clap::{CommandFactory, Parser};
    fn walk(
        cmd: &clap::Command,
        path: &mut Vec<String>,
        numeric: &mut usize,
        bad: &mut Vec<String>,
    ) {
        for sub in cmd.get_subcommands() {
            path.push(sub.get_name().to_string());
            walk(sub, path, numeric, bad);
            path.pop();
        }
        for arg in cmd.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if !arg.get_action().takes_values() {
                continue;
            }
            let parse = |value: &str| {
                let mut argv = vec!["downhill".to_string()];
                argv.extend(path.iter().cloned());
                argv.push(format!("--{long}"));
                argv.push(value.to_string());
                downhill::cli::Cli::try_parse_from(argv)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            };
            let word = parse("abc");
            for raw in ["invalid digit", "invalid float literal", "number too large"] {
                if word.contains(raw) {
                    bad.push(format!("{path:?} --{long} abc: {word}"));
                }
            }
            if word.contains("number") {
                *numeric += 1;
                let negative = parse("-5");
                if negative.contains("unexpected argument '-5'") {
                    bad.push(format!("{path:?} --{long} -5: {negative}"));
                }
            }
        }
    }
    let (mut numeric, mut bad) = (0, Vec::new());
    walk(
        &downhill::cli::Cli::command(),
        &mut Vec::new(),
        &mut numeric,
        &mut bad,
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The walk reached the number flags (there are dozens).
    assert!(numeric > 30, "only {numeric} number flags found");
}

/// A spec's `dataset` that is neither a name nor a file table says what would do.
#[test]
fn a_bad_dataset_in_a_spec_says_what_would_do() {
    let spec = include_str!("../../assets/models/moons-mlp.toml");
    for (value, words) in [
        ("5", "invalid type: integer"),
        ("{ pth = \"x.csv\" }", "unknown field 'pth'"),
        ("{ target = \"a\" }", "dataset needs a path"),
    ] {
        let text = spec.replace("dataset = \"moons\"", &format!("dataset = {value}"));
        let e = downhill::models::ModelSpec::from_toml(&text)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(words) && e.contains("{ path = \"x.csv\""),
            "{value}: {e}"
        );
        assert!(!e.contains("untagged"), "{e}");
    }
    // Both spellings that work still read.
    for value in ["\"iris\"", "{ path = \"x.csv\", target = \"y\" }"] {
        let text = spec.replace("dataset = \"moons\"", &format!("dataset = {value}"));
        assert!(
            downhill::models::ModelSpec::from_toml(&text).is_ok(),
            "{value}"
        );
    }
}
