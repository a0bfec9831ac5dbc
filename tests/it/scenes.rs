//! Scene files: written by `downhill scene`, run by `run --scene`, saved and opened in the
//! app (menu, keys, a file dropped on the window), refused whole when unreadable or newer.

use crate::common::{Scratch, ok, usage_error};
use crate::ui::harness;
use downhill::app::{Explorer, ViewMode};
use downhill::presets::presets;
use downhill::race::Command;
use eframe::egui;
use egui_kittest::kittest::Queryable;

#[test]
fn a_preset_written_as_a_scene_file_runs_as_the_preset() {
    let dir = Scratch::new("scene-cli");
    for preset in ["himmelblau", "batch-sizes", "plateau-cliff"] {
        let file = dir.join(format!("{preset}.toml"));
        let file = file.to_str().unwrap();
        let printed = ok(&["scene", "--preset", preset]);
        ok(&["scene", "--preset", preset, "--out", file]);
        assert_eq!(std::fs::read_to_string(file).unwrap(), printed);
        let from_file = ok(&["run", "--scene", file, "--steps", "80"]);
        let from_preset = ok(&["run", "--preset", preset, "--steps", "80"]);
        assert_eq!(from_file, from_preset, "{preset}");
        assert!(from_file.lines().count() > 80);
    }
    let newer = dir.join("newer.toml");
    std::fs::write(&newer, "version = 2\nstart = [0, 0]\n").unwrap();
    usage_error(
        &["run", "--scene", newer.to_str().unwrap()],
        &["version 2", "newer"],
    );
    usage_error(&["scene", "--preset", "nope"], &["nope"]);
}

#[test]
fn a_saved_scene_opens_as_it_was_and_a_bad_file_changes_nothing() {
    let dir = Scratch::new("scene-app");
    let mut app = Explorer::with_preset(&presets()[1]);
    app.go_to(123);
    app.race.apply(Command::SetHyper(0, "lr", 0.0007));
    app.shown.mode = ViewMode::Split;
    let file = dir.join("ravine.toml");
    app.save_scene_file(&file).unwrap();
    let saved = app.scene_now();
    assert_eq!(saved.view.step, 123);

    let mut other = Explorer::default();
    other.open_scene_file(&file).unwrap();
    assert_eq!(other.scene_now(), saved);
    assert_eq!(other.race.cursor(), 123);
    assert_eq!(other.shown.mode, ViewMode::Split);
    assert_eq!(other.caption, app.caption);
    assert_eq!(other.recent.first(), Some(&file.canonicalize().unwrap()));
    // The same points up to the step on show, not only the same setup.
    for (a, b) in app.race.lanes().iter().zip(other.race.lanes()) {
        assert!(a.track.points[..=123] == b.track.points[..=123]);
    }

    // Unreadable, not a scene, newer: refused with a message; the scene on show stays.
    for (name, text, needle) in [
        ("garbage.toml", "this is = = not toml", "not a scene"),
        ("newer.toml", "version = 7\n", "newer"),
        (
            "norace.toml",
            "version = 1\nstart = [0, 0]\n",
            "not a scene",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let before = other.scene_now();
        assert!(other.open_scene_file(&path).is_err());
        assert_eq!(other.scene_now(), before, "{name}");
        let notice = other.notice.clone().unwrap_or_default();
        assert!(notice.contains(needle), "{name}: {notice}");
    }
}

#[test]
fn ctrl_s_saves_back_and_a_dropped_scene_file_opens() {
    let dir = Scratch::new("scene-keys");
    let file = dir.join("mine.toml");
    ok(&[
        "scene",
        "--preset",
        "saddle",
        "--out",
        file.to_str().unwrap(),
    ]);
    let mut h = harness();
    // Dropped on the window.
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(file.clone())));
    h.run_steps(2);
    assert_eq!(h.state().race.surface().name(), "saddle");
    assert_eq!(h.state().scene_file.as_deref(), Some(file.as_path()));
    // A change, then Ctrl+S writes it back to the same file.
    h.state_mut().race.apply(Command::SetHyper(0, "lr", 0.0123));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("0.0123"), "{text}");
    assert_eq!(
        downhill::scene::Scene::from_toml(&text).unwrap(),
        h.state().scene_now()
    );
    // Ctrl+O opens the file dialog.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run_steps(2);
    assert!(h.query_all_by_label("Open a scene").next().is_some());
}

/// A file dropped on the window, as the windowing integration hands it to egui.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn the_apps_csv_is_what_run_writes() {
    for preset in ["learning-rate", "batch-sizes", "sgd-schedule"] {
        let mut app = Explorer::with_preset(downhill::presets::find(preset).unwrap());
        app.go_to(80);
        let csv = downhill::race::csv::tracks_csv(&app.race);
        assert_eq!(
            csv,
            ok(&["run", "--preset", preset, "--steps", "80"]),
            "{preset}"
        );
    }
}

#[test]
fn export_writes_the_view_alone_at_the_scale_asked() {
    let dir = Scratch::new("export-png");
    let png = dir.join("view.png");
    let png_path = png.to_str().unwrap();
    ok(&[
        "export",
        "--preset",
        "himmelblau",
        "--steps",
        "120",
        "--png",
        png_path,
        "--scale",
        "2",
        "--size",
        "800x500",
    ]);
    let img = image::open(&png).unwrap().to_rgba8();
    assert_eq!(img.dimensions(), (1600, 1000));
    // A picture, not a blank: the heatmap's many colours, and each ball's colour somewhere.
    let colours: std::collections::HashSet<[u8; 4]> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 1000, "{} colours", colours.len());
    for c in downhill::race::PALETTE.iter().take(4) {
        assert!(
            img.pixels()
                .any(|p| p.0[..3].iter().zip(c).all(|(a, b)| a.abs_diff(*b) < 8)),
            "no pixel of {c:?}"
        );
    }
    usage_error(
        &[
            "export",
            "--preset",
            "himmelblau",
            "--png",
            png_path,
            "--view",
            "train",
        ],
        &["view", "train"],
    );
    usage_error(
        &[
            "export",
            "--preset",
            "himmelblau",
            "--png",
            png_path,
            "--scale",
            "4",
        ],
        &["--scale"],
    );
    usage_error(
        &[
            "export",
            "--preset",
            "himmelblau",
            "--png",
            png_path,
            "--scale",
            "3",
            "--size",
            "8000x8000",
        ],
        &["576 M pixels", "limit is 50 M"],
    );
}

#[test]
fn record_writes_a_gif_of_the_race() {
    let dir = Scratch::new("record-gif");
    let gif_path = dir.join("race.gif");
    ok(&[
        "record",
        "--preset",
        "himmelblau",
        "--steps",
        "100",
        "--seconds",
        "0.5",
        "--fps",
        "20",
        "--size",
        "480x320",
        "--out",
        gif_path.to_str().unwrap(),
    ]);
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::fs::File::open(&gif_path).unwrap())
        .unwrap();
    assert_eq!((decoder.width(), decoder.height()), (480, 320));
    // Every racer's own colour is in the palette, exactly: GD stays orange, not yellow.
    let palette: Vec<[u8; 3]> = decoder
        .global_palette()
        .unwrap()
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    let preset = downhill::presets::find("himmelblau").unwrap();
    let colours: Vec<[u8; 3]> = preset
        .build()
        .lanes()
        .iter()
        .map(|l| l.spec.color)
        .collect();
    for c in &colours {
        assert!(palette.contains(c), "{c:?} not in the GIF's palette");
    }
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        assert_eq!(frame.delay, 5, "20 frames per second");
        frames.push(frame.buffer.to_vec());
    }
    assert_eq!(frames.len(), 10);
    // ...and on the picture: each ball's colour, exactly.
    let last_full = &frames[0];
    for c in &colours {
        assert!(
            last_full.chunks_exact(4).any(|p| p[..3] == c[..]),
            "no pixel of {c:?} in the first frame"
        );
    }
    // The first frame is whole; later ones hold only what moved (the rest transparent).
    let opaque = |f: &Vec<u8>| f.chunks_exact(4).filter(|p| p[3] == 255).count();
    assert_eq!(opaque(&frames[0]), 480 * 320);
    assert!(frames[1..].iter().all(|f| opaque(f) < 480 * 320 / 4));
    assert!(frames[1..].iter().any(|f| opaque(f) > 0), "the balls moved");
    usage_error(
        &[
            "record",
            "--preset",
            "himmelblau",
            "--steps",
            "10",
            "--from",
            "20",
            "--out",
            "x.gif",
        ],
        &["--from"],
    );
    let out = gif_path.to_str().unwrap();
    usage_error(
        &[
            "record",
            "--preset",
            "himmelblau",
            "--steps",
            "10",
            "--size",
            "8000x8000",
            "--out",
            out,
        ],
        &["--size", "at most 1920x1200"],
    );
    usage_error(
        &[
            "record",
            "--preset",
            "himmelblau",
            "--steps",
            "10",
            "--seconds",
            "1000",
            "--out",
            out,
        ],
        &["frames", "2 to 3000"],
    );
}

#[test]
fn the_timeline_scrubs_and_loops_between_its_marks() {
    let mut h = harness();
    h.state_mut().race.apply(Command::Step(300));
    h.run_steps(1);
    h.state_mut().go_to(120);
    assert_eq!(h.state().race.cursor(), 120);
    // [ at 100, ] at 140, then play: the step stays inside the loop.
    h.state_mut().go_to(100);
    h.run_steps(1);
    h.key_press(egui::Key::OpenBracket);
    h.run_steps(1);
    h.state_mut().go_to(140);
    h.run_steps(1);
    h.key_press(egui::Key::CloseBracket);
    h.run_steps(1);
    assert_eq!(
        h.state().loop_marks.span(),
        Some((100, 140)),
        "{:?}",
        h.state().loop_marks
    );
    h.state_mut().go_to(100);
    h.state_mut().playing = true;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..240 {
        h.run_steps(1);
        seen.insert(h.state().race.cursor());
    }
    assert!(seen.iter().all(|s| (100..=140).contains(s)), "{seen:?}");
    assert!(seen.len() > 20, "it played: {seen:?}");
    assert!(h.state().playing);
}

#[test]
fn a_deck_is_presented_with_the_clicker_keys() {
    use downhill::scene::deck::Deck;
    let deck = Deck::load(std::path::Path::new("lecture")).unwrap();
    let n = deck.slides.len();
    let mut h = harness();
    h.state_mut().open_deck(deck, 0, None);
    h.run_steps(2);
    let title = |h: &egui_kittest::Harness<'static, Explorer>| {
        h.state().caption.as_ref().unwrap().title.clone()
    };
    assert_eq!(title(&h), presets()[0].title());
    assert!(h.state().playing, "the first slide plays on entering");
    h.key_press(egui::Key::PageDown);
    h.run_steps(2);
    assert_eq!(h.state().deck.as_ref().unwrap().index, 1);
    assert_eq!(
        title(&h),
        downhill::presets::find("ill-conditioning").unwrap().title()
    );
    // → steps inside a slide that has not ended.
    h.state_mut().playing = false;
    h.state_mut().apply(vec![Command::Reset]);
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(1);
    assert_eq!(h.state().race.cursor(), 1);
    assert_eq!(h.state().deck.as_ref().unwrap().index, 1);
    // ... and moves on at its end.
    h.state_mut().apply(vec![Command::RunToEnd(200_000)]);
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    assert_eq!(h.state().deck.as_ref().unwrap().index, 2);
    // End: the last slide, a network training; Home: the first again.
    h.key_press(egui::Key::End);
    h.run_steps(2);
    assert_eq!(h.state().deck.as_ref().unwrap().index, n - 1);
    assert_eq!(h.state().shown.mode, ViewMode::Train);
    h.key_press(egui::Key::Home);
    h.run_steps(2);
    assert_eq!(h.state().deck.as_ref().unwrap().index, 0);
    assert_eq!(h.state().shown.mode, ViewMode::Flat);
    // N: the speaker notes, with the slide's notes in them.
    h.key_press(egui::Key::N);
    h.run_steps(2);
    assert!(h.state().deck.as_ref().unwrap().notes_open);
    assert!(
        h.query_all_by_label_contains("2/λ_max").next().is_some(),
        "the first slide's notes are shown"
    );
    assert!(h.query_all_by_label_contains("1 / ").next().is_some());
}

#[test]
fn the_train_views_panels_export_without_the_controls() {
    let mut app = Explorer::default();
    app.shown.mode = ViewMode::Train;
    let mut headless = downhill::app::export::Headless::new();
    let img = app.render_view(&mut headless, egui::vec2(1000.0, 700.0), 2.0);
    assert_eq!((img.width, img.height), (2000, 1400));
    let colours: std::collections::HashSet<&[u8]> = img.rgba.chunks_exact(4).collect();
    assert!(
        colours.len() > 50,
        "curves and pictures drawn: {}",
        colours.len()
    );
    // Back in the window, the app's own caches are untouched and it still draws.
    let mut h = harness();
    h.state_mut().shown.mode = ViewMode::Train;
    h.run_steps(2);
    let img = h
        .state_mut()
        .render_view(&mut headless, egui::vec2(800.0, 600.0), 1.0);
    assert_eq!((img.width, img.height), (800, 600));
    h.run_steps(2);
}
