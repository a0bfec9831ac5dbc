//! The explorer driven as a user would, headless and without a GPU (egui_kittest, no
//! rendering): pick a surface, add an optimizer, change its learning rate, click the map,
//! play, step, and load every preset.

use downhill::app::{Explorer, PRESET_KEYS, ViewMode};
use downhill::optim::OptimizerKind;
use downhill::presets::presets;
use downhill::surfaces::SurfaceKind;
use eframe::egui::accesskit::Role;
use eframe::egui::{self, Key};
use egui_kittest::Harness;
use egui_kittest::kittest::{Queryable, by};

pub fn harness() -> Harness<'static, Explorer> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .with_step_dt(1.0 / 60.0)
        .with_context_setup(downhill::app::fonts::install)
        .build_ui_state(|ui, app: &mut Explorer| app.frame(ui), Explorer::default());
    h.run_steps(3);
    h
}

/// A real pointer click (press and release) at a screen position.
pub fn click_at(h: &mut Harness<'static, Explorer>, pos: egui::Pos2) {
    h.hover_at(pos);
    h.drag_at(pos);
    h.drop_at(pos);
    h.run_steps(2);
}

#[test]
fn picking_a_surface_switches_the_race() {
    let mut h = harness();
    h.get_all_by_label("Surface").last().unwrap().click();
    h.run_steps(2);
    h.get_by_label("Himmelblau").click();
    h.run_steps(2);
    assert_eq!(
        h.state().race.surface().kind(),
        Some(SurfaceKind::Himmelblau)
    );
    assert_eq!(h.state().race.start(), [0.0, 0.0]);
}

#[test]
fn adding_an_optimizer_and_changing_its_learning_rate() {
    let mut h = harness();
    let before = h.state().race.lanes().len();
    h.get_by_label("✚ Add").click();
    h.run_steps(2);
    h.get_by_label("Lion").click();
    h.run_steps(2);
    let lanes = h.state().race.lanes();
    assert_eq!(lanes.len(), before + 1);
    assert_eq!(lanes[before].spec.kind, OptimizerKind::LION);
    // Open its hyperparameters and set the learning rate through the slider.
    let name = h.get(by().role(Role::Label).value("Lion")).rect().center();
    click_at(&mut h, name);
    h.run_steps(15);
    h.get_all_by_label("lr")
        .last()
        .unwrap()
        .set_value_accesskit(0.02);
    h.run_steps(2);
    let lr = h.state().race.lanes()[before].spec.hp.get("lr").unwrap();
    assert!((lr - 0.02).abs() < 1e-12, "lr is {lr}");
}

#[test]
fn clicking_the_map_moves_the_start() {
    let mut h = harness();
    let target = [0.5, 2.0];
    let pos = h.state().screen_pos(target).expect("the view was drawn");
    click_at(&mut h, pos);
    let start = h.state().race.start();
    assert!(
        (start[0] - target[0]).abs() < 0.02 && (start[1] - target[1]).abs() < 0.02,
        "{start:?}"
    );
    assert_eq!(h.state().race.cursor(), 0);
}

#[test]
fn play_pause_and_step_keys() {
    let mut h = harness();
    h.key_press(Key::ArrowRight);
    h.run_steps(1);
    h.key_press(Key::ArrowRight);
    h.run_steps(1);
    assert_eq!(h.state().race.cursor(), 2);
    h.key_press(Key::ArrowLeft);
    h.run_steps(1);
    assert_eq!(h.state().race.cursor(), 1);
    h.key_press(Key::Space);
    h.run_steps(30);
    assert!(h.state().playing);
    assert!(
        h.state().race.cursor() > 5,
        "cursor {}",
        h.state().race.cursor()
    );
    h.key_press(Key::Space);
    h.run_steps(1);
    let paused_at = h.state().race.cursor();
    h.run_steps(10);
    assert_eq!(h.state().race.cursor(), paused_at);
    h.key_press(Key::R);
    h.run_steps(1);
    assert_eq!(h.state().race.cursor(), 0);
    // The Play button does the same as Space.
    h.get_by_label("▶ Play").click();
    h.run_steps(5);
    assert!(h.state().playing);
}

#[test]
fn every_preset_loads_from_its_key_and_runs() {
    let mut h = harness();
    for (key, preset) in PRESET_KEYS.into_iter().zip(presets()) {
        h.key_press(key);
        h.run_steps(2);
        assert_eq!(h.state().preset.map(|p| p.name), Some(preset.name));
        assert_eq!(h.state().race.lanes().len(), preset.scene.racers.len());
        h.get_by_label("→| Run to end").click();
        h.run_steps(2);
        assert!(h.state().race.cursor() > 0, "{} did not run", preset.name);
    }
}

#[test]
fn the_session_survives_a_restart_and_defaults_reset_it() {
    let mut h = harness();
    h.key_press(Key::Num6);
    h.run_steps(2);
    h.state_mut().light = true;
    let saved = h.state().saved();
    let restored = Explorer::restore(&saved);
    assert_eq!(restored.saved(), saved);
    assert_eq!(restored.notice, None);
    assert!(restored.light);
    h.get_by_label("Defaults").click();
    h.run_steps(2);
    assert_eq!(h.state().saved(), Explorer::default().saved());
    assert!(!h.state().light);
}

#[test]
fn tab_hides_the_panels_and_p_enlarges_everything() {
    let mut h = harness();
    assert!(h.query_by_label("Optimizers").is_some() || h.query_by_label("Surface").is_some());
    h.key_press(Key::Tab);
    h.run_steps(2);
    assert!(h.state().panels_hidden);
    assert!(
        h.query_by_label("Surface").is_none(),
        "the side panel should be hidden"
    );
    h.key_press(Key::Space);
    h.run_steps(3);
    assert!(
        h.state().playing,
        "keys must keep working after Tab (wants keyboard: {})",
        h.ctx.egui_wants_keyboard_input()
    );
    h.key_press(Key::P);
    h.run_steps(2);
    assert!(h.state().presenting);
    // Scaled with the window: 1440×900 is 1.41 times 1024×640.
    let want = downhill::app::presentation_zoom(eframe::egui::vec2(1440.0, 900.0));
    assert!((h.ctx.zoom_factor() - want).abs() < 1e-6 && want > 1.3);
}

#[test]
fn an_optimizer_can_have_a_start_of_its_own() {
    let mut h = harness();
    let name = h.get(by().role(Role::Label).value("Adam")).rect().center();
    click_at(&mut h, name);
    h.run_steps(15);
    h.get_by_label("own start").click();
    h.run_steps(2);
    let shared = h.state().race.start();
    let adam = h
        .state()
        .race
        .lanes()
        .iter()
        .position(|l| l.spec.kind == OptimizerKind::ADAM)
        .unwrap();
    assert_eq!(h.state().race.lanes()[adam].spec.start, Some(shared));
    h.get_by_label("own start").click();
    h.run_steps(2);
    assert_eq!(h.state().race.lanes()[adam].spec.start, None);
    // Its state drawing is switched on for it alone.
    h.get_by_label("show its state").click();
    h.run_steps(2);
    let lanes = h.state().race.lanes();
    assert!(lanes[adam].spec.show_state);
    assert_eq!(lanes.iter().filter(|l| l.spec.show_state).count(), 1);
}

/// Drags with the primary button from `from` by `by`, in a few moves.
fn drag(h: &mut Harness<'static, Explorer>, from: egui::Pos2, by: egui::Vec2) {
    h.hover_at(from);
    h.drag_at(from);
    h.run_steps(1);
    for k in 1..=4 {
        h.hover_at(from + by * (k as f32 / 4.0));
        h.run_steps(1);
    }
    h.drop_at(from + by);
    h.run_steps(2);
}

#[test]
fn the_3d_view_orbits_zooms_and_shares_its_hover_with_the_2d_view() {
    let mut h = harness();
    h.key_press(Key::V);
    h.run_steps(2);
    assert_eq!(h.state().shown.mode, ViewMode::Surface);
    let before = h.state().shown.surface.camera;
    let picture = h.state().view3d.picture().color.clone();
    assert!(
        picture.iter().any(|c| c != &picture[0]),
        "a surface was drawn"
    );

    let centre = egui::pos2(880.0, 330.0);
    drag(&mut h, centre, egui::vec2(150.0, 60.0));
    let after = h.state().shown.surface.camera;
    assert!(
        after.yaw != before.yaw && after.pitch > before.pitch,
        "{after:?}"
    );
    assert_ne!(
        &h.state().view3d.picture().color,
        &picture,
        "the view changed"
    );

    // Hovering the surface reads the plane point back from the depth buffer.
    h.hover_at(centre);
    h.run_steps(2);
    let p = h
        .state()
        .view3d
        .hover
        .expect("the surface is under the pointer");
    let w = downhill::surfaces::Surface::new(SurfaceKind::Rosenbrock).view();
    assert!(w.x.0 - 1.0 < p[0] && p[0] < w.x.1 + 1.0, "{p:?}");

    // A click on the surface sets the start there.
    click_at(&mut h, centre);
    let start = h.state().race.start();
    assert!((start[0] - p[0]).abs() < 0.1 && (start[1] - p[1]).abs() < 0.1);

    // Scrolling up zooms in.
    let distance = h.state().shown.surface.camera.distance;
    h.hover_at(centre);
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, 120.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(20);
    assert!(h.state().shown.surface.camera.distance < distance);

    // Two quick clicks reset the camera.
    click_at(&mut h, centre);
    click_at(&mut h, centre);
    assert_eq!(h.state().shown.surface.camera, Default::default());

    // Split: both views; hovering the 2D half is what the 3D half marks.
    h.key_press(Key::V);
    h.run_steps(10);
    assert_eq!(h.state().shown.mode, ViewMode::Split);
    let on_map = h
        .state()
        .screen_pos([0.0, 1.0])
        .expect("the 2D half was drawn");
    assert!(on_map.x < 880.0, "the 2D view is the left half");
    h.hover_at(on_map);
    h.run_steps(2);
    let hovered = h.state().hover_2d().expect("hovering the map");
    assert!((hovered[0] - 0.0).abs() < 0.05 && (hovered[1] - 1.0).abs() < 0.05);
}

/// Runs frames until `done` holds (the training thread works on its own), for at most 60 s.
pub fn run_until(h: &mut Harness<'static, Explorer>, done: impl Fn(&Explorer) -> bool) {
    let start = std::time::Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed().as_secs() < 60, "timed out waiting");
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn the_training_view_trains_every_optimizer_and_refuses_a_bad_file() {
    let mut h = harness();
    h.get_by_label("Train").click();
    h.run_steps(2);
    assert_eq!(h.state().shown.mode, ViewMode::Train);
    let optimizers = h.state().trainer.spec.optimizers.len();
    assert!(optimizers >= 2);
    h.get_by_label("▶ Train").click();
    run_until(&mut h, |app| app.trainer.finished);
    let epochs = h.state().trainer.spec.training.epochs;
    for run in &h.state().trainer.runs {
        assert_eq!(
            run.epochs.len(),
            epochs + 1,
            "{}: epoch 0 and every epoch",
            run.name
        );
        let last = run.epochs.last().unwrap();
        assert!(
            last.train.loss < run.epochs[0].train.loss,
            "{} learnt",
            run.name
        );
        assert!(!run.steps.is_empty());
    }

    // Restart: the same seed gives the same numbers.
    let first: Vec<f64> = h
        .state()
        .trainer
        .runs
        .iter()
        .map(|r| r.epochs[1].train.loss)
        .collect();
    h.key_press(Key::R);
    h.run_steps(1);
    h.key_press(Key::Space);
    run_until(&mut h, |app| app.trainer.finished);
    let again: Vec<f64> = h
        .state()
        .trainer
        .runs
        .iter()
        .map(|r| r.epochs[1].train.loss)
        .collect();
    assert_eq!(first, again);

    // A ragged CSV: a message naming the line, and the current setup keeps working.
    let dir = crate::common::Scratch::new("ragged");
    let path = dir.join("ragged.csv");
    std::fs::write(&path, "a,b,label\n1,2,x\n3,4\n").unwrap();
    h.state_mut().trainer.open.path = path.display().to_string();
    h.run_steps(1);
    h.get_by_label("Open").click();
    h.run_steps(2);
    let error = h
        .state()
        .trainer
        .error
        .clone()
        .expect("the bad file is reported");
    assert!(error.contains("line 3"), "{error}");
    assert!(
        h.state().trainer.problem.is_some(),
        "the previous data stays loaded"
    );
}

#[test]
fn curvature_basin_map_and_sweep_tools_work_from_the_panel() {
    let mut h = harness();
    h.get_by_label("Curvature").click();
    h.run_steps(2);
    assert!(h.state().shown.map.show_curvature);

    // A 64×64 basin map of the first racer, computed in the background.
    h.get_by_label("grid").click();
    h.run_steps(3);
    h.get_by_label("64×64").click();
    h.run_steps(1);
    h.get_by_label("Compute").click();
    h.run_steps(1);
    run_until(&mut h, |app| app.basin.finished());
    h.run_steps(2);
    assert!(
        h.state().basin.has_overlay(),
        "the map is drawn over the view"
    );

    // A sweep of lr × momentum for SGD + momentum; clicking a cell sets both.
    let momentum = h
        .state()
        .race
        .lanes()
        .iter()
        .position(|l| l.spec.kind == OptimizerKind::MOMENTUM)
        .unwrap();
    h.get_by_label("Hyperparameter sweep…").click();
    h.run_steps(2);
    h.state_mut().sweep.racer = momentum;
    h.state_mut().sweep.n = 8;
    h.state_mut().sweep.steps = 100;
    h.run_steps(1);
    h.get_by_label("Run").click();
    h.run_steps(1);
    run_until(&mut h, |app| app.sweep.result.is_some());
    h.run_steps(2);
    let sweep = h.state().sweep.result.clone().unwrap();
    assert_eq!(sweep.cells.len(), 64);
    let (vx, vy) = sweep.values_at(2, 5);
    let picked = h
        .state()
        .sweep
        .cell_screen_pos(2, 5)
        .expect("the sweep was drawn");
    click_at(&mut h, picked);
    let hp = &h.state().race.lanes()[momentum].spec.hp;
    assert!((hp.get("lr").unwrap() - vx).abs() < 1e-12 * vx.abs().max(1.0));
    assert!((hp.get("momentum").unwrap() - vy).abs() < 1e-12);
}

#[test]
fn the_loss_landscape_of_a_trained_model_has_every_path_on_it() {
    let mut h = harness();
    h.get_by_label("Train").click();
    h.run_steps(2);
    h.get_by_label("▶ Train").click();
    run_until(&mut h, |app| app.trainer.finished);
    h.get_by_label("Loss landscape").click();
    h.run_steps(2);
    h.get_by_label("PCA").click();
    h.run_steps(1);
    h.get_by_label("Compute").click();
    h.run_steps(1);
    run_until(&mut h, |app| {
        app.trainer.landscape.slice.is_some() || app.trainer.landscape.error.is_some()
    });
    h.run_steps(2);
    let trainer = &h.state().trainer;
    assert_eq!(trainer.landscape.error, None);
    let slice = trainer.landscape.slice.as_ref().unwrap();
    assert_eq!(slice.paths.len(), trainer.runs.len());
    // The selected run's path ends at the origin of the slice: its own current weights.
    let (_, own) = &slice.paths[trainer.selected];
    let end = own.last().unwrap();
    assert!(end[0].abs() < 1e-6 && end[1].abs() < 1e-6, "{end:?}");
    // And the loss there is the run's last training loss (full batch, same penalty).
    let last = trainer.runs[trainer.selected]
        .epochs
        .last()
        .unwrap()
        .train
        .loss;
    assert!(
        (end[2] - last).abs() <= 1e-9 * last.max(1.0),
        "{} vs {last}",
        end[2]
    );
    h.get_by_label("3D surface").click();
    h.run_steps(3);
    assert!(h.state().trainer.landscape.three_d);
}

#[test]
fn a_csv_picked_in_the_browser_trains_and_the_lr_range_test_runs() {
    // A folder with one small two-class CSV.
    let dir = crate::common::Scratch::new("browse");
    let mut csv = String::from("x1,x2,label\n");
    for k in 0..60 {
        let t = k as f64 / 60.0;
        let label = if k % 2 == 0 { "left" } else { "right" };
        let shift = if k % 2 == 0 { -1.0 } else { 1.0 };
        csv += &format!("{},{},{label}\n", shift + 0.3 * t, 0.5 * t - 0.2);
    }
    std::fs::write(dir.join("two-groups.csv"), csv).unwrap();

    let mut h = harness();
    h.get_by_label("Train").click();
    h.run_steps(2);
    h.state_mut().trainer.open.dir = Some(dir.to_path_buf());
    h.get_by_label("Browse…").click();
    h.run_steps(3);
    h.get_by_label("two-groups.csv").click();
    h.run_steps(2);
    let trainer = &h.state().trainer;
    assert_eq!(trainer.error, None);
    let problem = trainer.problem.as_ref().expect("the file loaded");
    assert_eq!(problem.data.n, 60);
    assert_eq!(problem.experiment.split.class_names, vec!["left", "right"]);
    assert!(!trainer.open.browsing, "the browser closes");

    // The learning-rate range test for every optimizer of the spec.
    h.get_by_label("LR range test").click();
    h.run_steps(2);
    h.get_by_label("Run test").click();
    h.run_steps(1);
    run_until(&mut h, |app| app.trainer.lr_test.results.is_some());
    let results = h.state().trainer.lr_test.results.clone().unwrap();
    assert_eq!(results.len(), h.state().trainer.runs.len());
    for r in &results {
        let r = r.as_ref().expect("the test ran");
        assert!(r.lrs.windows(2).all(|w| w[1] > w[0]), "γ grows");
        assert!(r.steepest().is_some());
    }
}

#[test]
fn a_four_feature_classifier_shows_its_confusion_matrix() {
    let mut h = harness();
    h.get_by_label("Train").click();
    h.run_steps(2);
    h.state_mut().trainer.open.path = "assets/models/iris-softmax.toml".into();
    h.run_steps(1);
    h.get_by_label("Open").click();
    h.run_steps(2);
    assert_eq!(h.state().trainer.error, None);
    h.get_by_label("▶ Train").click();
    run_until(&mut h, |app| app.trainer.finished);
    h.run_steps(3);
    let summary = h
        .get(by().role(Role::Label).predicate(|n| {
            n.value()
                .is_some_and(|v| v.contains("validation rows classified right"))
        }))
        .value()
        .unwrap();
    // "R of N validation rows …": R agrees with the selected run's validation accuracy.
    let words: Vec<&str> = summary.split_whitespace().collect();
    let (right, total): (f64, f64) = (words[0].parse().unwrap(), words[2].parse().unwrap());
    let trainer = &h.state().trainer;
    let run = &trainer.runs[trainer.selected];
    let accuracy = run.epochs.last().unwrap().val.unwrap().accuracy.unwrap();
    assert_eq!(total, 30.0, "{summary}");
    assert_eq!(right, (accuracy * total).round(), "{summary}");
}

#[test]
fn typing_your_own_function_shows_errors_and_keeps_the_surface_until_it_parses() {
    let mut h = harness();
    // A built-in opens as a formula with its own parameter values ("Edit").
    h.get_by_label("✏ Edit").click();
    h.run_steps(3);
    let typed = h.state().race.surface().clone();
    let t = typed.typed_function().expect("now a typed function");
    assert_eq!(t.text(), "(a - x)^2 + b*(y - x^2)^2");
    assert_eq!(
        typed.params(),
        vec![("a".to_string(), 1.0), ("b".to_string(), 100.0)]
    );
    let builtin = downhill::surfaces::Surface::new(SurfaceKind::Rosenbrock);
    assert_eq!(typed.value(0.3, -0.2), builtin.value(0.3, -0.2));
    // A mistake while typing: the message under the box names the column, the surface stays.
    h.state_mut().surface_panel.text = "x^2 + (y".into();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("column 7: this '(' is never closed")
            .is_some()
    );
    assert_eq!(h.state().race.surface(), &typed);
    // An example replaces it, with its stationary points found in the background.
    h.get_by_label("Examples").click();
    h.run_steps(2);
    h.get_by_label("x^4 - 2*x^2 + y^2 + 0.3*x").click();
    h.run_steps(3);
    let s = h.state().race.surface().clone();
    assert_eq!(
        s.typed_function().unwrap().text(),
        "x^4 - 2*x^2 + y^2 + 0.3*x"
    );
    for _ in 0..200 {
        if s.critical_points_now().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.run_steps(1);
    }
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("Found 2 minima, 1 saddle and 0 maxima")
            .is_some()
    );
    // Newton and Adam race on it from a start the user clicks.
    h.state_mut()
        .race
        .apply(downhill::race::Command::SetStart([0.4, 1.5]));
    h.state_mut()
        .race
        .apply(downhill::race::Command::Add(OptimizerKind::NEWTON));
    h.state_mut().race.apply(downhill::race::Command::Step(200));
    let newton = h.state().race.lanes().last().unwrap();
    assert!(matches!(
        newton.track.status,
        downhill::engine::Status::Converged { .. }
    ));
}
