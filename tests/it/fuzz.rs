//! Fuzzing by property tests: the CSV reader, the model-spec reader, the scene reader, the
//! saved-state loader, the formula reader and the command line's value parsers take random
//! and mutated inputs and
//! must never panic (and what they accept must make sense). A run of the suite tries a few
//! hundred inputs of each; for a long hunt:
//!
//! ```sh
//! PROPTEST_CASES=200000 cargo test --release --test it -- fuzz::
//! ```
//!
//! Any input that ever failed is kept below as a regression case.

use downhill::data::{TargetHint, csv};
use downhill::models::{Architecture, Batch, ModelSpec};
use downhill::scene::Scene;
use proptest::prelude::*;

/// Pieces that make inputs interesting: numbers at the edges, separators, quotes, names the
/// readers know.
const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "4294967296",
    "18446744073709551616",
    "1e-320",
    "\"",
    "\"\"",
    ",",
    "\n",
    "\r",
    "\r\n",
    " ",
    "=",
    "[",
    "]",
    "{",
    "}",
    "#",
    "\u{feff}",
    "é",
    "hidden",
    "batch",
    "epochs",
    "mlp",
    "adam",
    "lbfgs",
    "version",
    "racers",
    "optimizer",
    "lr",
    "clip",
    "noise",
    "surface",
    "start",
    "[[racers]]",
    "[view]",
    "100000",
    "0.0",
];

/// `text` with `edits` applied: (position, kind, token) deletes a byte, inserts a token or
/// replaces a byte with a token, at positions wrapped into the text.
fn mutate(text: &str, edits: &[(usize, u8, usize)]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for &(pos, kind, token) in edits {
        let at = if bytes.is_empty() {
            0
        } else {
            pos % (bytes.len() + 1)
        };
        let token = TOKENS[token % TOKENS.len()].as_bytes();
        match kind % 3 {
            0 if at < bytes.len() => {
                bytes.remove(at);
            }
            1 => {
                bytes.splice(at..at, token.iter().copied());
            }
            _ => {
                let end = (at + 1).min(bytes.len());
                bytes.splice(at..end, token.iter().copied());
            }
        }
    }
    bytes
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, usize)>> {
    prop::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 0..12)
}

const SMALL_CSV: &str = "a,b,label\n1,2,x\n3,4.5,y\n\"5\",6,x\n-7,8e-3,y\n";

/// What a dataset the reader accepted must be.
fn check_dataset(d: &downhill::data::Dataset) {
    assert!(d.n >= 2);
    assert_eq!(d.x.len(), d.n * d.d);
    assert!(d.x.iter().all(|v| v.is_finite()));
    assert_eq!(d.features.len(), d.d);
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_csv_reader_never_panics_on_mutated_tables(e in edits()) {
        let bytes = mutate(SMALL_CSV, &e);
        for hint in [TargetHint::Auto, TargetHint::Regression] {
            if let Ok(d) = csv::parse_bytes("fuzz", &bytes, None, hint) {
                check_dataset(&d);
            }
            let _ = csv::parse_bytes("fuzz", &bytes, Some("label"), hint);
        }
    }

    #[test]
    fn the_csv_reader_never_panics_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(d) = csv::parse_bytes("fuzz", &bytes, None, TargetHint::Auto) {
            check_dataset(&d);
        }
    }

    #[test]
    fn the_spec_reader_never_panics(e in edits(), which in 0usize..5) {
        let (_, text) = downhill::models::spec::SHIPPED[which];
        let bytes = mutate(text, &e);
        let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
        if let Ok(spec) = ModelSpec::from_toml(text) {
            // Setting it up loads a built-in dataset and builds the network: refused or fine,
            // never a panic or an allocation beyond the limits.
            let _ = spec.experiment();
        }
    }

    #[test]
    fn the_scene_reader_never_panics(e in edits(), which in 0usize..9) {
        let text = downhill::presets::presets()[which].scene.to_toml();
        let bytes = mutate(&text, &e);
        let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
        if let Ok(scene) = Scene::from_toml(text)
            && let Ok(mut race) = scene.build()
        {
            race.apply(downhill::race::Command::Step(5));
            for lane in race.lanes() {
                prop_assert!(lane.track.points.iter().flatten().all(|v| v.is_finite()));
            }
        }
    }

    #[test]
    fn the_saved_state_loader_never_panics(e in edits(), which in 0usize..9) {
        let app = downhill::app::Explorer::with_preset(&downhill::presets::presets()[which]);
        let text = app.saved();
        let bytes = mutate(&text, &e);
        let text = String::from_utf8_lossy(&bytes);
        let restored = downhill::app::state::restore(&text);
        prop_assert!(restored.explorer.race.lanes().len() <= downhill::limits::MAX_RACERS);
        prop_assert!(restored.explorer.race.start().iter().all(|v| v.is_finite()));
        let view = restored.explorer.shown;
        prop_assert!((4..=40).contains(&view.map.levels));
        prop_assert!(view.speed.is_finite());
    }

    #[test]
    fn the_value_parsers_never_panic(s in ".{0,40}", e in edits()) {
        let mutated = String::from_utf8_lossy(&mutate(&s, &e)).into_owned();
        for text in [s.as_str(), mutated.as_str()] {
            use downhill::cli::args;
            let _ = args::point(text);
            let _ = args::size(text);
            let _ = args::seed(text);
            let _ = args::steps(text);
            let _ = args::epochs(text);
            let _ = args::patience(text);
            let _ = args::bounded(text, 1e6);
            let _ = args::positive(text, 1e12);
            let _ = args::assignments(text);
            let _ = args::schedule(text);
            let _ = args::preset(text);
            let _ = Batch::parse(text);
            if let Ok(arch) = Architecture::parse(text) {
                prop_assert!(downhill::limits::hidden(&arch.hidden).is_ok());
            }
            let _ = downhill::insight::Axis::parse(text, 9);
            let _ = downhill::cli::surface_args::window(text);
            if let Ok(f) = downhill::cli::surface_args::function(text)
                && let Ok(p) = f.compile(&[])
            {
                let _ = p.eval(0.5, -0.25);
                let _ = p.in_domain(0.5, -0.25);
            }
        }
    }

    #[test]
    fn the_formula_reader_never_panics_on_mutated_catalogue_formulas(e in edits(), which in 0usize..16) {
        let text = downhill::surfaces::SurfaceKind::ALL[which].info().typed;
        let mutated = String::from_utf8_lossy(&mutate(text, &e)).into_owned();
        if let Ok(s) = downhill::surfaces::Surface::typed(&mutated, &[], None) {
            // Whatever parses evaluates, and its stationary points are found without a panic.
            let _ = s.value_grad_hess(0.3, -0.7);
            prop_assert!(s.critical_points().iter().all(|p| p.x.is_finite() && p.y.is_finite()));
        }
    }
}

#[test]
fn inputs_that_once_failed_stay_fixed() {
    // hidden = [0] panicked in the network ("chunk size must be non-zero").
    let spec = downhill::models::spec::SHIPPED[0]
        .1
        .replace("kind = \"softmax\"", "kind = \"mlp\"\nhidden = [0]");
    if let Ok(spec) = ModelSpec::from_toml(&spec) {
        assert!(spec.experiment().is_err());
    }
    // A quote left open swallowed the rest of the file.
    assert!(csv::parse("t", "a,y\n1,\"x\n2,y\n", None, TargetHint::Auto).is_err());
}
