//! The explorer driven as a user would, headless and without a GPU (egui_kittest, no
//! rendering): pick a surface, add an optimizer, change its learning rate, click the map,
//! play, step, and load every preset.

use downhill::app::{Explorer, PRESET_KEYS};
use downhill::optim::OptimizerKind;
use downhill::presets::PRESETS;
use downhill::surfaces::SurfaceKind;
use eframe::egui::accesskit::Role;
use eframe::egui::{self, Key};
use egui_kittest::Harness;
use egui_kittest::kittest::{Queryable, by};

fn harness() -> Harness<'static, Explorer> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .with_step_dt(1.0 / 60.0)
        .with_context_setup(downhill::app::fonts::install)
        .build_ui_state(|ui, app: &mut Explorer| app.frame(ui), Explorer::default());
    h.run_steps(3);
    h
}

/// A real pointer click (press and release) at a screen position.
fn click_at(h: &mut Harness<'static, Explorer>, pos: egui::Pos2) {
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
    assert_eq!(h.state().race.surface().kind(), SurfaceKind::Himmelblau);
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
    assert_eq!(lanes[before].spec.kind, OptimizerKind::Lion);
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
    for (key, preset) in PRESET_KEYS.into_iter().zip(&PRESETS) {
        h.key_press(key);
        h.run_steps(2);
        assert_eq!(h.state().preset.map(|p| p.name), Some(preset.name));
        assert_eq!(h.state().race.lanes().len(), preset.racers.len());
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
    let restored = Explorer::restore(saved);
    assert_eq!(restored.race.scene(), h.state().race.scene());
    assert!(restored.light);
    h.get_by_label("Defaults").click();
    h.run_steps(2);
    assert_eq!(h.state().race.scene(), Explorer::default().race.scene());
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
    assert_eq!(h.ctx.zoom_factor(), 1.4);
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
        .position(|l| l.spec.kind == OptimizerKind::Adam)
        .unwrap();
    assert_eq!(h.state().race.lanes()[adam].spec.start, Some(shared));
    h.get_by_label("own start").click();
    h.run_steps(2);
    assert_eq!(h.state().race.lanes()[adam].spec.start, None);
}
