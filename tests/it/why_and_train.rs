//! The "why" pictures belong to what they were computed on, and the Train view's texts,
//! pictures and saved files are those of the current setup (egui_kittest, no GPU).

use crate::ui::{harness, run_until};
use downhill::app::{PRESET_KEYS, ViewMode};
use downhill::insight::{Axis, Sweep, SweepSpec};
use downhill::optim::OptimizerKind;
use downhill::presets::presets;
use downhill::setup::Setup;
use downhill::surfaces::{Surface, SurfaceKind};
use egui_kittest::kittest::Queryable;

#[test]
fn a_basin_map_is_dropped_when_the_surface_or_preset_changes() {
    let mut h = harness();
    let himmelblau = presets()
        .iter()
        .position(|p| p.name == "himmelblau")
        .unwrap();
    h.key_press(PRESET_KEYS[himmelblau]);
    h.run_steps(2);
    h.get_by_label("grid").click();
    h.run_steps(3);
    h.get_by_label("64×64").click();
    h.run_steps(1);
    h.get_by_label("Compute").click();
    h.run_steps(1);
    run_until(&mut h, |app| app.basin.finished());
    h.run_steps(2);
    assert!(h.state().basin.has_overlay());
    // Another preset (Rosenbrock): Himmelblau's basins must not stay painted over it.
    let ravine = presets()
        .iter()
        .position(|p| p.name == "momentum-ravine")
        .unwrap();
    h.key_press(PRESET_KEYS[ravine]);
    h.run_steps(2);
    assert!(!h.state().basin.has_overlay(), "the old map is gone");
}

#[test]
fn the_sweep_offers_only_axes_the_optimizer_has_and_names_racers_apart() {
    let mut h = harness();
    let lr = presets()
        .iter()
        .position(|p| p.name == "learning-rate")
        .unwrap();
    h.key_press(PRESET_KEYS[lr]);
    h.run_steps(2);
    h.get_by_label("Hyperparameter sweep…").click();
    h.run_steps(3);
    // Three GD racers, told apart by their learning rates.
    h.get_by_label("GD γ=0.002").click();
    h.run_steps(2);
    assert!(h.get_all_by_label("GD γ=0.21").count() >= 1);
    // GD has no momentum: the axes are its own (lr and weight decay).
    let sweep = &h.state().sweep;
    let gd = OptimizerKind::GD;
    assert!(gd.hyper_spec(&sweep.x.0).is_some(), "{:?}", sweep.x);
    assert!(gd.hyper_spec(&sweep.y.0).is_some(), "{:?}", sweep.y);
    assert_ne!(sweep.x.0, sweep.y.0);
    h.get_by_label("Run").click();
    h.run_steps(1);
    run_until(&mut h, |app| {
        app.sweep.result.is_some() || app.sweep.error.is_some()
    });
    assert_eq!(h.state().sweep.error, None, "the sweep runs");
}

#[test]
fn one_blow_up_does_not_wash_out_the_sweep_colours() {
    // The momentum sweep on the condition-100 quadratic of the issue.
    let spec = SweepSpec {
        surface: Surface::with_params(
            SurfaceKind::Quadratic,
            &[("condition".into(), 100.0), ("angle".into(), 0.0)],
        )
        .unwrap(),
        setup: Setup::default_for(OptimizerKind::MOMENTUM),
        tol_grad: 1e-8,
        start: [-4.0, 3.0],
        steps: 500,
        x: Axis::parse("lr:1e-4:0.1:log", 16).unwrap(),
        y: Axis::parse("momentum:0:0.99", 16).unwrap(),
    };
    let sweep = Sweep::compute(&spec).unwrap();
    let values = sweep.metric(false);
    // Blow-ups that stayed inside the bounds are flagged too: no finite value is absurd.
    let start_loss = spec.surface.value(-4.0, 3.0);
    assert!(
        values
            .iter()
            .filter(|v| v.is_finite())
            .all(|v| *v < 1e3 * (start_loss + 1.0) + start_loss)
    );
    let scale = downhill::insight::ColorScale::robust(&values, true).unwrap();
    // The converged cells (tiny losses) spread over the colours instead of sharing one.
    let converged: Vec<f64> = sweep
        .cells
        .iter()
        .filter(|c| !c.diverged() && c.loss < 1e-6)
        .map(|c| scale.unit(c.loss))
        .collect();
    assert!(converged.len() > 10);
    let lo = converged.iter().copied().fold(1.0, f64::min);
    let hi = converged.iter().copied().fold(0.0, f64::max);
    assert!(hi - lo > 0.3, "{lo}..{hi}");
}

#[test]
fn the_train_view_names_what_it_shows_and_forgets_old_results() {
    let mut h = harness();
    h.get_by_label("Train").click();
    h.run_steps(2);
    assert_eq!(h.state().shown.mode, ViewMode::Train);
    // Picking a shipped spec is not an edit.
    h.get_by_label("spec").click();
    h.run_steps(2);
    h.get_by_label("iris-softmax").click();
    h.run_steps(2);
    let source = h.state().trainer.source.label().to_string();
    assert_eq!(source, "iris-softmax");
    // The per-layer plot says whose layers it shows.
    let first = h.state().trainer.runs[0].name.clone();
    assert!(
        h.get_all_by_label(&format!("‖∇‖ per layer of {first}"))
            .count()
            >= 1
    );
    // Range-test results belong to the setup they were made for.
    h.state_mut().trainer.lr_test.results = Some(Vec::new());
    h.get_by_label("spec").click();
    h.run_steps(2);
    h.get_by_label("moons-mlp").click();
    h.run_steps(2);
    assert!(h.state().trainer.lr_test.results.is_none());
}

#[test]
fn saving_a_spec_asks_before_replacing_a_file_and_keeps_the_current_name() {
    let dir = crate::common::Scratch::new("save");
    let mut h = harness();
    h.get_by_label("Train").click();
    h.run_steps(2);
    h.state_mut().trainer.open.dir = Some(dir.to_path_buf());
    // Edit the spec in the panel (full-batch training): it becomes "NAME (edited)".
    h.get_by_label("full").click();
    h.run_steps(2);
    let name = h.state().trainer.spec.name.clone();
    assert!(name.ends_with("(edited)"), "{name}");
    // The first save writes a new file without a question.
    h.get_by_label("Save spec…").click();
    h.run_steps(2);
    h.get_by_label("Save").click();
    h.run_steps(2);
    let path = h.state().trainer.open.saved.clone().expect("saved");
    assert!(path.starts_with(&dir));
    let saved = downhill::models::ModelSpec::load(&path).unwrap();
    assert_eq!(saved.name, name);
    assert!(saved.about.starts_with("Edited from"), "{}", saved.about);
    // The same name again: Save asks first, and Cancel leaves the file alone.
    std::fs::write(&path, "# my own notes\n").unwrap();
    h.get_by_label("Save spec…").click();
    h.run_steps(2);
    h.get_by_label("Save").click();
    h.run_steps(2);
    assert_eq!(h.get_all_by_label("Replace").count(), 1, "it asks first");
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# my own notes\n");
    // Replace, this time.
    h.get_by_label("Save").click();
    h.run_steps(2);
    h.get_by_label("Replace").click();
    h.run_steps(2);
    assert_eq!(downhill::models::ModelSpec::load(&path).unwrap().name, name);
}
