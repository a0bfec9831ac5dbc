//! Whole frames at lecture sizes: at 1280×800 and 1440×900, normal and in presentation mode,
//! every preset's starts and minima are on the map, the toolbar and the plots stay inside the
//! window, and log plots stay logarithmic when a loss reaches zero (egui_kittest, no GPU).

use downhill::app::{Explorer, PRESET_KEYS};
use downhill::presets::presets;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// Lecture sizes, with and without presentation mode.
const SIZES: [(f32, f32, bool); 4] = [
    (1280.0, 800.0, false),
    (1280.0, 800.0, true),
    (1440.0, 900.0, false),
    (1440.0, 900.0, true),
];

fn harness(w: f32, h: f32, presenting: bool) -> Harness<'static, Explorer> {
    let mut app = Explorer::default();
    app.presenting = presenting;
    let mut harness = Harness::builder()
        .with_size(egui::vec2(w, h))
        .with_step_dt(1.0 / 60.0)
        .with_context_setup(downhill::app::fonts::install)
        .build_ui_state(|ui, app: &mut Explorer| app.frame(ui), app);
    harness.run_steps(3);
    harness
}

/// The window in points (presentation mode zooms, so fewer points fit).
fn screen(h: &Harness<'static, Explorer>) -> egui::Rect {
    h.ctx.content_rect()
}

#[test]
fn every_start_and_minimum_is_on_the_map_at_lecture_sizes() {
    for (w, hgt, presenting) in SIZES {
        let mut h = harness(w, hgt, presenting);
        for (key, preset) in PRESET_KEYS.into_iter().zip(presets()) {
            h.key_press(key);
            h.run_steps(3);
            let app = h.state();
            let map = app.map_rect().expect("the map was drawn");
            let mut points: Vec<[f64; 2]> = (0..app.race.lanes().len())
                .map(|i| app.race.racer_start(i))
                .collect();
            points.push(app.race.start());
            points.extend(app.race.surface().minima().iter().map(|m| [m.x, m.y]));
            for p in points {
                let at = app.screen_pos(p).unwrap();
                assert!(
                    map.contains(at),
                    "{} at {w}×{hgt} (presenting {presenting}): {p:?} is drawn at {at:?}, \
                     outside the map {map:?}",
                    preset.name
                );
            }
            // The map is letterboxed: the lesson's whole window is inside the frame.
            let view = app.shown.map.frame(app.race.surface().view());
            for corner in [[view.x.0, view.y.0], [view.x.1, view.y.1]] {
                let at = app.screen_pos(corner).unwrap();
                assert!(
                    map.expand(1.0).contains(at),
                    "{} corner {corner:?}",
                    preset.name
                );
            }
        }
    }
}

#[test]
fn the_toolbar_and_the_plots_stay_inside_the_window() {
    for (w, hgt, presenting) in SIZES {
        let h = harness(w, hgt, presenting);
        let window = screen(&h).expand(0.5);
        let present = if presenting {
            "Present"
        } else {
            "Presentation"
        };
        for label in ["Train", "2D | 3D", present, "Presets"] {
            let r = h.get_by_label(label).rect();
            assert!(
                window.contains_rect(r),
                "{label} at {w}×{hgt} (presenting {presenting}): {r:?} outside {window:?}"
            );
        }
        for label in ["status", "loss"] {
            let r = h.get_all_by_label(label).next().unwrap().rect();
            assert!(
                window.contains_rect(r),
                "{label} at {w}×{hgt} (presenting {presenting}): {r:?} outside {window:?}"
            );
        }
        if !presenting {
            let r = h.get_by_label("gradient norm").rect();
            assert!(window.contains_rect(r), "gradient norm at {w}×{hgt}: {r:?}");
        }
    }
}

#[test]
fn log_plots_stay_logarithmic_when_a_loss_reaches_zero() {
    let mut h = harness(1440.0, 900.0, false);
    // Newton lands exactly on the quadratic's minimum, loss 0.
    let newton = presets().iter().position(|p| p.name == "newton").unwrap();
    h.key_press(PRESET_KEYS[newton]);
    h.run_steps(2);
    h.get_by_label("→| Run to end").click();
    h.run_steps(3);
    // Exactly the minimum, to rounding: 0, or 30 decades below the start.
    assert!(h.state().race.lanes()[0].track.loss[1] < 1e-25);
    assert!(h.state().shown.plots.log_y, "the log scale stays on");
    // It draws 0 at a floor, and says so.
    assert!(
        h.get_all_by_label_contains("drawn there").count() >= 1,
        "the floor is named"
    );
}
