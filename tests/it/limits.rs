//! One set of limits for every way in: the command line, a model spec file and the app's
//! Train view refuse the same things with the same words; nothing the user did not ask to
//! write is touched; special files and huge inputs are refused without reading them.

use crate::common::{downhill, usage_error};
use downhill::app::train::TrainView;
use downhill::models::ModelSpec;
use std::path::PathBuf;

fn dir(name: &str) -> crate::common::Scratch {
    crate::common::Scratch::new(&format!("limits-{name}"))
}

/// The iris spec with `edit` applied to its TOML, written to a file.
fn spec_file(dir: &std::path::Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/models/iris-softmax.toml"),
    )
    .unwrap();
    let path = dir.join(name);
    std::fs::write(&path, edit(text)).unwrap();
    path
}

/// The message the Train view shows for a spec file (it must show one, never panic).
fn train_view_error(path: &std::path::Path) -> String {
    let view = TrainView::launch(Some(path.to_str().unwrap()), None);
    view.error.expect("the view says why")
}

/// Command-line flags, an edit of the spec file, and words every refusal must contain.
type Case = (
    Vec<&'static str>,
    Box<dyn Fn(String) -> String>,
    &'static str,
);

#[test]
fn each_limit_is_the_same_on_the_command_line_in_spec_files_and_in_the_app() {
    let d = dir("entry");
    // (command-line flags, an edit of the spec file, words every refusal must contain)
    let cases: Vec<Case> = vec![
        (
            vec!["--model", "mlp:0"],
            Box::new(|t: String| t.replace("kind = \"softmax\"", "kind = \"mlp\"\nhidden = [0]")),
            "hidden layer 1 has 0 units (valid: 1 to 4096)",
        ),
        (
            vec!["--model", "mlp:5000"],
            Box::new(|t: String| {
                t.replace("kind = \"softmax\"", "kind = \"mlp\"\nhidden = [5000]")
            }),
            "(valid: 1 to 4096)",
        ),
        (
            vec!["--model", "mlp:8,8,8,8,8,8,8,8,8"],
            Box::new(|t: String| {
                t.replace(
                    "kind = \"softmax\"",
                    "kind = \"mlp\"\nhidden = [8, 8, 8, 8, 8, 8, 8, 8, 8]",
                )
            }),
            "9 hidden layers (the limit is 8)",
        ),
        (
            vec!["--model", "mlp:4096,4096,4096,4096,4096,4096,4096,4096"],
            Box::new(|t: String| {
                t.replace(
                    "kind = \"softmax\"",
                    "kind = \"mlp\"\nhidden = [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096]",
                )
            }),
            "the limit is 4096 MB",
        ),
        (
            vec!["--model", "softmax", "--epochs", "100001"],
            Box::new(|t: String| t.replace("epochs = 60", "epochs = 100001")),
            "100000",
        ),
        (
            vec!["--model", "softmax", "--batch", "0"],
            Box::new(|t: String| t.replace("batch = 16", "batch = 0")),
            "batch 0 (valid: 1 to",
        ),
    ];
    for (k, (flags, edit, words)) in cases.into_iter().enumerate() {
        let mut args = vec!["train", "--dataset", "iris", "--optimizer", "adam"];
        args.extend(flags.iter().copied());
        let out = downhill(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let cli = String::from_utf8(out.stderr).unwrap();
        assert!(cli.contains(words), "{args:?}: {cli}");
        let path = spec_file(&d, &format!("case{k}.toml"), edit);
        let out = downhill(&["train", "--model", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "spec case {k}");
        let file = String::from_utf8(out.stderr).unwrap();
        assert!(file.contains(words), "spec case {k}: {file}");
        assert_eq!(file.lines().count(), 1, "one line: {file}");
        let app = train_view_error(&path);
        assert!(app.contains(words), "app case {k}: {app}");
    }
}

#[test]
fn a_spec_finds_its_csv_next_to_itself_not_in_the_working_folder() {
    let d = dir("relative");
    let mut csv = String::from("x1,x2,label\n");
    for k in 0..40 {
        let label = if k % 2 == 0 { "a" } else { "b" };
        csv += &format!("{},{},{label}\n", k % 2, k as f64 / 40.0);
    }
    std::fs::write(d.join("mine.csv"), csv).unwrap();
    let path = spec_file(&d, "mine.toml", |t| {
        t.replace("dataset = \"iris\"", "dataset = { path = \"mine.csv\" }")
            .replace("kind = \"softmax\"", "kind = \"logistic\"")
    });
    let spec = ModelSpec::load(&path).unwrap();
    assert!(
        spec.experiment().is_ok(),
        "the CSV beside the spec is found"
    );
    // From another working folder, through the command line, too.
    let out = downhill(&["train", "--model", path.to_str().unwrap(), "--epochs", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn special_and_huge_files_are_refused_without_reading_them() {
    for flag in ["--data", "--model"] {
        let mut args = vec!["train", flag, "/dev/zero"];
        if flag == "--data" {
            args.extend(["--model", "linear", "--optimizer", "gd"]);
        }
        usage_error(&args, &["not a regular file"]);
    }
    // A FIFO would block a reader for ever; it is refused before it is opened.
    let d = dir("fifo");
    let fifo = d.join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        usage_error(
            &[
                "train",
                "--data",
                fifo.to_str().unwrap(),
                "--model",
                "linear",
                "--optimizer",
                "gd",
            ],
            &["not a regular file"],
        );
    }
    // A TOML line of a megabyte is not echoed whole.
    let long = d.join("long.toml");
    std::fs::write(&long, format!("name = \"{}\n", "x".repeat(900_000))).unwrap();
    let out = downhill(&["train", "--model", long.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.len() < 1000,
        "{} bytes of message",
        out.stderr.len()
    );
}

#[test]
fn nothing_is_touched_that_the_user_did_not_ask_to_write() {
    let d = dir("untouched");
    let keep = d.join("keep.jpg");
    std::fs::write(&keep, b"mine").unwrap();
    usage_error(
        &["app", "--screenshot", keep.to_str().unwrap()],
        &["only .png"],
    );
    assert_eq!(std::fs::read(&keep).unwrap(), b"mine");
    usage_error(&["app", "--screenshot", d.to_str().unwrap()], &["folder"]);
    // Outputs that cannot be written are found before the work is done.
    let out = downhill(&[
        "basin",
        "--surface",
        "booth",
        "--optimizer",
        "gd",
        "--grid",
        "4",
        "--out",
        "/no/such/folder/cells.csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing was computed or written");
    // A closed pipe ends quietly.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args([
            "run",
            "--surface",
            "booth",
            "--optimizer",
            "gd",
            "--steps",
            "100000",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One bad value of a race's settings: how to put it into a scene (as TOML), and words every
/// door's refusal must contain.
struct BadSetting {
    what: &'static str,
    edit: fn(&mut toml::Table),
    words: &'static str,
}

/// A table's sub-table, made if missing.
fn table<'a>(t: &'a mut toml::Table, key: &str) -> &'a mut toml::Table {
    t.entry(key)
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .unwrap()
}

/// Racer `k`'s table.
fn racer(t: &mut toml::Table, k: usize) -> &mut toml::Table {
    t.get_mut("racers").unwrap().as_array_mut().unwrap()[k]
        .as_table_mut()
        .unwrap()
}

/// `{ kind = KIND, max = V }` and the like.
fn inline(pairs: &[(&str, toml::Value)]) -> toml::Value {
    toml::Value::Table(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn bad_settings() -> Vec<BadSetting> {
    use toml::Value as V;
    vec![
        BadSetting {
            what: "a shared clip below 0",
            edit: |t| {
                let clip = inline(&[("kind", V::String("value".into())), ("max", V::Float(-1.0))]);
                table(t, "shared").insert("clip".into(), clip);
            },
            words: "clipping threshold -1 (valid: above 0, up to 1e12)",
        },
        BadSetting {
            what: "a racer's clip of NaN",
            edit: |t| {
                let clip = inline(&[
                    ("kind", V::String("norm".into())),
                    ("max", V::Float(f64::NAN)),
                ]);
                racer(t, 1).insert("clip".into(), clip);
            },
            words: "clipping threshold NaN",
        },
        BadSetting {
            what: "a shared noise of -1",
            edit: |t| {
                table(t, "shared").insert("noise".into(), V::Float(-1.0));
            },
            words: "gradient noise -1 (valid: 0 to 1e6)",
        },
        BadSetting {
            what: "a racer's noise of 1e300",
            edit: |t| {
                racer(t, 0).insert("noise".into(), V::Float(1e300));
            },
            words: "gradient noise 1e300",
        },
        BadSetting {
            what: "a racer's schedule factor of 0",
            edit: |t| {
                let sch = inline(&[
                    ("kind", V::String("exponential".into())),
                    ("gamma", V::Float(0.0)),
                ]);
                racer(t, 0).insert("schedule".into(), sch);
            },
            words: "schedule exponential: gamma = 0",
        },
        BadSetting {
            what: "a shared decay below 0",
            edit: |t| {
                let sch = inline(&[
                    ("kind", V::String("inverse-time".into())),
                    ("decay", V::Float(-1.0)),
                ]);
                table(t, "shared").insert("schedule".into(), sch);
            },
            words: "schedule inverse-time: decay = -1",
        },
        BadSetting {
            what: "a racer's start of 1e308",
            edit: |t| {
                racer(t, 1).insert(
                    "start".into(),
                    V::Array(vec![V::Float(1e308), V::Float(0.0)]),
                );
            },
            words: "start (1e308, 0) (valid: finite coordinates in [-1e6, 1e6])",
        },
        BadSetting {
            what: "a start of three numbers",
            edit: |t| {
                t.insert(
                    "start".into(),
                    V::Array(vec![V::Float(1.0), V::Float(2.0), V::Float(3.0)]),
                );
            },
            words: "expected 2 numbers, found 3",
        },
        BadSetting {
            what: "eleven racers",
            edit: |t| {
                let first = racer(t, 0).clone();
                let racers = t.get_mut("racers").unwrap().as_array_mut().unwrap();
                while racers.len() < 11 {
                    racers.push(V::Table(first.clone()));
                }
            },
            words: "11 racers (the limit is 10)",
        },
        BadSetting {
            what: "51 seeds",
            edit: |t| {
                racer(t, 0).insert("seeds".into(), V::Integer(51));
            },
            words: "51 seeds (valid: 0 to 50)",
        },
    ]
}

/// The himmelblau preset as a TOML table, at step 30 (a saved state's race is stepped there
/// before the first frame: where a bad clip used to panic at every launch).
fn base_scene() -> toml::Table {
    let preset = downhill::presets::find("himmelblau").unwrap();
    let mut scene = preset.scene.clone();
    scene.view.step = 30;
    toml::Table::try_from(&scene).unwrap()
}

#[test]
fn a_bad_setting_is_refused_with_the_same_words_through_every_door() {
    let d = dir("doors");
    for bad in bad_settings() {
        let mut scene = base_scene();
        (bad.edit)(&mut scene);
        let text = toml::to_string(&scene).unwrap();
        // A scene file, on the command line and for a screenshot.
        let file = d.join("bad.toml");
        std::fs::write(&file, &text).unwrap();
        let file = file.to_str().unwrap();
        usage_error(&["run", "--scene", file, "--steps", "5"], &[bad.words]);
        usage_error(&["explain", "--scene", file, "--step", "1"], &[bad.words]);
        let png = d.join("never.png");
        usage_error(
            &[
                "app",
                "--scene",
                file,
                "--screenshot",
                png.to_str().unwrap(),
            ],
            &[bad.words],
        );
        assert!(!png.exists());
        // A deck's inline scene.
        let mut deck = toml::Table::new();
        deck.insert("version".into(), toml::Value::Integer(1));
        let mut slide = toml::Table::new();
        slide.insert("scene".into(), toml::Value::Table(scene.clone()));
        deck.insert(
            "slides".into(),
            toml::Value::Array(vec![toml::Value::Table(slide)]),
        );
        let err = downhill::scene::deck::Deck::from_toml(
            &toml::to_string(&deck).unwrap(),
            std::path::Path::new("."),
        )
        .unwrap_err();
        assert!(err.contains(bad.words), "{}: deck: {err}", bad.what);
        // The saved state: the app opens, says what it set aside, and draws a frame.
        let mut saved = toml::Table::new();
        saved.insert("version".into(), toml::Value::Integer(1));
        saved.insert("light".into(), toml::Value::Boolean(false));
        saved.insert("scene".into(), toml::Value::Table(scene));
        let restored = downhill::app::state::restore(&toml::to_string(&saved).unwrap());
        let said = restored.problems.join("; ");
        assert!(
            said.contains(bad.words),
            "{}: saved state: {said}",
            bad.what
        );
        let mut app = restored.explorer;
        let mut headless = downhill::app::export::Headless::new();
        let img = headless.render(
            eframe::egui::vec2(1280.0, 800.0),
            1.0,
            2,
            eframe::egui::Color32::BLACK,
            |ui| app.frame(ui),
        );
        assert_eq!(img.width, 1280, "{}", bad.what);
    }
    // The command line's own flags say the same.
    for (flag, value, words) in [
        (
            "--clip-value",
            "-1",
            "clipping threshold -1 (valid: above 0, up to 1e12)",
        ),
        ("--clip-norm", "nan", "clipping threshold NaN"),
        ("--noise", "-1", "gradient noise -1 (valid: 0 to 1e6)"),
        ("--noise", "lots", "'lots' is not a number: gradient noise"),
    ] {
        usage_error(
            &[
                "run",
                "--surface",
                "himmelblau",
                "--optimizer",
                "gd",
                flag,
                value,
            ],
            &[words],
        );
    }
}
