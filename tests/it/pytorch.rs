//! "Copy as PyTorch": the script `downhill export --pytorch` writes, run with torch itself,
//! follows downhill's trajectories to 1e-9 for every optimizer torch.optim has (schedules,
//! clipping and a typed function included) over 150 steps (L-BFGS, whose two-loop recursion
//! sums in another order than torch's, drifts past 1e-9 after about 180 on Rosenbrock). Torch is several GB and not on every machine:
//! without it the test says so and checks only the script's shape.

use crate::common::{Scratch, downhill, ok};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// A Python that can `import torch`: $DOWNHILL_TORCH_PYTHON, a `torchenv` beside the
/// repository, or python3.
fn torch_python() -> Option<PathBuf> {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../torchenv/bin/python");
    std::env::var_os("DOWNHILL_TORCH_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([beside, PathBuf::from("python3")])
        .find(|py| {
            Command::new(py)
                .args(["-c", "import torch"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Every optimizer torch has, with a schedule, clipping and the line-search-free L-BFGS
/// (whose step torch takes exactly as downhill does), on Rosenbrock and on a typed function:
/// part 0 or 1 of them, as a race holds at most ten racers.
fn scene(surface: &str, part: usize) -> String {
    let mut s = format!("version = 1\nstart = [-1.2, 1.0]\n\n[surface]\n{surface}\n");
    let racers: [(&str, &str, &str); 13] = [
        ("gd", "lr = 0.0015", ""),
        (
            "momentum",
            "lr = 0.001, momentum = 0.8, dampening = 0.1",
            "",
        ),
        (
            "nesterov",
            "lr = 0.001",
            "schedule = { kind = \"step\", step_size = 40, gamma = 0.7 }",
        ),
        ("adagrad", "lr = 0.2, lr_decay = 0.01", ""),
        ("rmsprop", "lr = 0.01, centered = 1, momentum = 0.3", ""),
        ("adadelta", "lr = 1.0", ""),
        ("adam", "lr = 0.05", "clip = { kind = \"norm\", max = 5.0 }"),
        ("adamw", "lr = 0.05, weight_decay = 0.1", ""),
        (
            "amsgrad",
            "lr = 0.05",
            "schedule = { kind = \"cosine\", t_max = 150, eta_min = 0.001 }",
        ),
        ("nadam", "lr = 0.05", ""),
        (
            "radam",
            "lr = 0.05",
            "clip = { kind = \"value\", max = 2.0 }",
        ),
        ("lbfgs", "lr = 0.05, line_search = 0", ""),
        ("lion", "lr = 0.001", ""),
    ];
    for (name, hp, extra) in racers.chunks(7).nth(part).unwrap_or_default() {
        s.push_str(&format!(
            "\n[[racers]]\noptimizer = \"{name}\"\nhp = {{ {hp} }}\n{extra}\n"
        ));
    }
    s
}

#[test]
fn the_pytorch_script_follows_downhills_trajectories() {
    let dir = Scratch::new("pytorch");
    let python = torch_python();
    if python.is_none() {
        println!(
            "SKIPPED the comparison with torch: no Python with torch here (set \
             DOWNHILL_TORCH_PYTHON); checking the script's shape only"
        );
    }
    for (name, surface) in [
        ("rosenbrock", "name = \"rosenbrock\""),
        (
            "typed",
            "name = \"formula\"\nformula = \"log(1 + (a - x)^2 + 2*(y - 0.5*x)^2) + 0.1*sin(3*x)\"\nparams = { a = 1.2 }",
        ),
    ] {
        let mut torch_count = 0;
        for part in 0..2 {
            let name = format!("{name}-{part}");
            let file = dir.join(format!("{name}.toml"));
            std::fs::write(&file, scene(surface, part)).unwrap();
            let file = file.to_str().unwrap();
            let py = dir.join(format!("{name}.py"));
            ok(&[
                "export",
                "--scene",
                file,
                "--steps",
                "150",
                "--pytorch",
                py.to_str().unwrap(),
            ]);
            let script = std::fs::read_to_string(&py).unwrap();
            assert!(script.contains("def f(x, y):"));
            if part == 1 {
                assert!(script.contains("torch.optim.NAdam"));
                assert!(
                    script.contains("torch.optim has no Lion"),
                    "Lion is skipped, said why"
                );
            }
            let Some(python) = &python else { continue };
            let out = Command::new(python).arg(&py).output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let torch: Value = serde_json::from_slice(&out.stdout).unwrap();
            let ours: Value = serde_json::from_str(&ok(&[
                "run", "--scene", file, "--steps", "150", "--format", "json",
            ]))
            .unwrap();
            let torch_runs = torch["runs"].as_array().unwrap();
            torch_count += torch_runs.len();
            for run in torch_runs {
                let label = run["label"].as_str().unwrap();
                let mine = ours["runs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["label"] == run["label"])
                    .unwrap();
                let (a, b) = (
                    run["points"].as_array().unwrap(),
                    mine["points"].as_array().unwrap(),
                );
                assert_eq!(a.len(), b.len(), "{name} {label}");
                assert!(a.len() > 20, "{name} {label} ran");
                for (k, (p, q)) in a.iter().zip(b).enumerate() {
                    for j in 0..3 {
                        let (x, y) = (p[j].as_f64().unwrap(), q[j].as_f64().unwrap());
                        assert!(
                            (x - y).abs() <= 1e-9 * (1.0 + y.abs()),
                            "{name} {label} step {k}: torch {x} downhill {y}"
                        );
                    }
                }
            }
        }
        if python.is_some() {
            assert_eq!(torch_count, 12, "every optimizer torch has");
        }
    }
    // A model on data is refused with a reason.
    let out = downhill(&[
        "export",
        "--preset",
        "batch-sizes",
        "--pytorch",
        dir.join("x.py").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("model on data"));
}

/// Odd titles and formulas that reach every corner of the translation: each exported script is
/// valid Python (checked with python3's own compiler where python3 is), and runs to JSON with
/// torch where torch is.
#[test]
fn every_exported_script_compiles_and_runs() {
    let dir = Scratch::new("pytorch-corpus");
    let python3 = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let torch = torch_python();
    let titles = [
        r"C:\Users\me\lecture",
        "a \"quoted\" \"\"\"docstring\"\"\" title",
        "with a\u{0}NUL and\ta tab",
        "ends with a backslash \\",
    ];
    let formulas = [
        "min(x, y, 1) + max(x^2, y^2, 0.5, -x)",
        "(-8)^(1/3) + x^2 + y^2",
        "1/0 + x",
        "log(-1) + x^2 + y^2",
        "sqrt(x^2 + y^2) + abs(x - y) + sigmoid(x) + tanh(y)",
        "x^2.5 + (y - 1)^2",
    ];
    for (k, (title, formula)) in titles.iter().cycle().zip(formulas).enumerate() {
        let scene = format!(
            "version = 1\ntitle = {}\nstart = [1.5, 1.2]\n\n[surface]\nname = \"formula\"\nformula = {}\n\n[[racers]]\noptimizer = \"gd\"\nhp = {{ lr = 0.01 }}\n",
            serde_json::to_string(title).unwrap(),
            serde_json::to_string(formula).unwrap()
        );
        let file = dir.join(format!("s{k}.toml"));
        std::fs::write(&file, scene).unwrap();
        let py = dir.join(format!("s{k}.py"));
        ok(&[
            "export",
            "--scene",
            file.to_str().unwrap(),
            "--steps",
            "20",
            "--pytorch",
            py.to_str().unwrap(),
        ]);
        if python3 {
            let compiled = Command::new("python3")
                .args([
                    "-c",
                    "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')",
                ])
                .arg(&py)
                .output()
                .unwrap();
            assert!(
                compiled.status.success(),
                "{title} / {formula}: {}",
                String::from_utf8_lossy(&compiled.stderr)
            );
        }
        if let Some(python) = &torch {
            let out = Command::new(python).arg(&py).output().unwrap();
            assert!(
                out.status.success(),
                "{formula}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let _: Value = serde_json::from_slice(&out.stdout).unwrap();
        }
    }
    if !python3 {
        println!("SKIPPED the syntax check: no python3 here");
    }
}
