//! The Train view's layout: the top bar's training controls, the side panel, and the centre
//! (table, curves, and the predictions / landscape / LR range tabs).

use super::{PictureTab, TrainView, controls, curves, pictures};
use eframe::egui::{self, RichText};

/// The training controls of the top bar: train/pause, restart, speed, epoch; in
/// presentation mode (`compact`) symbols only, the names in the tooltips.
pub fn transport(ui: &mut egui::Ui, view: &mut TrainView, compact: bool) {
    let name = |full: &'static str, short: &'static str| if compact { short } else { full };
    let label = if view.playing {
        name("❚❚ Pause", "❚❚")
    } else {
        name("▶ Train", "▶")
    };
    if ui
        .add_enabled(view.problem.is_some(), egui::Button::new(label))
        .on_hover_text("Train every optimizer on the same batches / pause (Space)")
        .clicked()
    {
        if view.playing {
            view.pause();
        } else {
            view.play(ui.ctx());
        }
    }
    if ui
        .add_enabled(view.training(), egui::Button::new(name("■ Stop", "■")))
        .on_hover_text("End training here; the curves stay")
        .clicked()
    {
        view.stop();
    }
    if ui
        .button(name("⟲ Restart", "⟲"))
        .on_hover_text("Back to the initial weights; the same seed gives the same numbers (R)")
        .clicked()
    {
        view.restart();
    }
    let mut speed = view.steps_per_tick;
    ui.spacing_mut().slider_width = if compact { 70.0 } else { 100.0 };
    if ui
        .add(
            egui::Slider::new(&mut speed, 1..=1024)
                .logarithmic(true)
                .text(name("steps per tick", "")),
        )
        .on_hover_text(
            "How many minibatch steps each optimizer takes between updates of the curves",
        )
        .changed()
    {
        view.set_speed(speed);
    }
    ui.separator();
    let epochs = view.spec.training.epochs;
    // One label, so "epoch 100 / 100 done" never wraps in the middle.
    let done = if view.finished { " ✔" } else { "" };
    ui.label(
        RichText::new(format!("epoch {} / {epochs}{done}", view.epoch()))
            .monospace()
            .size(16.0),
    )
    .on_hover_text(if view.finished {
        "Training is done"
    } else {
        "Epochs trained so far"
    });
}

/// The training workspace: controls on the left, curves and the picture in the centre.
pub fn show(ui: &mut egui::Ui, view: &mut TrainView, panels_hidden: bool) {
    if !panels_hidden {
        egui::Panel::left("train_controls")
            .resizable(true)
            .default_size(340.0)
            .show(ui, |ui| {
                let area = egui::ScrollArea::vertical();
                crate::app::scroll::show(ui, area, |ui| controls::show(ui, view));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(problem) = &view.problem else {
            ui.heading("Nothing to train");
            ui.label(view.error.clone().unwrap_or_default());
            return;
        };
        let classification = !problem.experiment.split.class_names.is_empty();
        ui.horizontal(|ui| {
            curves::options(ui, &mut view.curves);
        });
        curves::table(ui, &view.runs, classification, &mut view.selected);
        let spacing = ui.spacing().item_spacing;
        let avail = ui.available_size();
        let half = egui::vec2(
            ((avail.x - spacing.x) / 2.0).max(120.0),
            ((avail.y - 2.0 * spacing.y) / 2.0 - 8.0).max(100.0),
        );
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| curves::loss(ui, &view.runs, &view.curves, half));
            ui.vertical(|ui| curves::quality(ui, &view.runs, classification, half));
        });
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                if let Some(run) = view.runs.get(view.selected) {
                    curves::layer_norms(ui, run, half);
                }
            });
            ui.allocate_ui_with_layout(half, egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.set_min_size(half);
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut view.tab, PictureTab::Predictions, "Predictions")
                        .on_hover_text("What the selected optimizer's model predicts");
                    ui.selectable_value(&mut view.tab, PictureTab::Landscape, "Loss landscape")
                        .on_hover_text("A 2-D slice of the loss through its weights, with every path projected");
                    ui.selectable_value(&mut view.tab, PictureTab::LrRange, "LR range test")
                        .on_hover_text("Loss against an exponentially growing learning rate, per optimizer");
                });
                match view.tab {
                    PictureTab::Predictions => {
                        pictures::show(ui, problem, &view.runs, view.selected, &mut view.pictures)
                    }
                    PictureTab::Landscape => {
                        view.landscape.show(ui, problem, &view.runs, view.selected)
                    }
                    PictureTab::LrRange => {
                        view.lr_test.show(ui, &problem.experiment, &view.runs)
                    }
                }
            });
        });
    });
}
