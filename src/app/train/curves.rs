//! Training curves: loss and accuracy (or R²) per optimizer by epoch or by step, and the
//! gradient norm of each layer, so vanishing and exploding gradients show.

use super::RunView;
use crate::app::view2d::{rgb, short, text_rgb};
use crate::series::decimate;
use crate::train::{EpochMetrics, RunState};
use eframe::egui::{self, RichText};
use egui_plot::{Line, LineStyle, Plot, VLine};

/// Most points drawn per curve.
const MAX_POINTS: usize = 800;

/// How the curves are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurveOptions {
    /// log₁₀ of the loss.
    pub log_y: bool,
    /// Against steps (the minibatch loss at the end of each worker tick) instead of epochs.
    pub by_step: bool,
    /// Exponential smoothing of the per-step loss, 0 (none) to 0.99.
    pub smoothing: f64,
}

impl Default for CurveOptions {
    fn default() -> Self {
        Self {
            log_y: true,
            by_step: false,
            smoothing: 0.6,
        }
    }
}

/// The row of curve options.
pub fn options(ui: &mut egui::Ui, o: &mut CurveOptions) {
    ui.horizontal(|ui| {
        ui.checkbox(&mut o.log_y, "log loss")
            .on_hover_text("Loss on a log scale");
        ui.selectable_value(&mut o.by_step, false, "by epoch")
            .on_hover_text("Train (solid) and validation (dashed) metrics after each epoch");
        ui.selectable_value(&mut o.by_step, true, "by step")
            .on_hover_text("The minibatch loss as training goes, smoothed");
        ui.add_enabled(
            o.by_step,
            egui::Slider::new(&mut o.smoothing, 0.0..=0.99).text("smoothing"),
        )
        .on_hover_text("Exponential moving average of the minibatch loss: 0 shows it raw");
    });
}

/// Exponential moving average with factor `k`, skipping non-finite values.
pub fn smooth(values: impl Iterator<Item = f64>, k: f64) -> Vec<f64> {
    let k = k.clamp(0.0, 0.999);
    let mut avg: Option<f64> = None;
    values
        .map(|v| {
            if v.is_finite() {
                avg = Some(avg.map_or(v, |a| k * a + (1.0 - k) * v));
            }
            avg.unwrap_or(f64::NAN)
        })
        .collect()
}

/// `(x, y)` points of an epoch metric, log₁₀ of y if `log` (non-positive values dropped).
fn epoch_points(
    epochs: &[EpochMetrics],
    log: bool,
    metric: impl Fn(&EpochMetrics) -> Option<f64>,
) -> Vec<[f64; 2]> {
    epochs
        .iter()
        .filter_map(|m| Some([m.epoch as f64, metric(m)?]))
        .filter(|p| p[1].is_finite() && (!log || p[1] > 0.0))
        .map(|[x, y]| [x, if log { y.log10() } else { y }])
        .collect()
}

/// A row naming each run in its colour, above a plot instead of over its curves, with what
/// the line styles mean.
fn key(ui: &mut egui::Ui, runs: &[RunView], styles: &str) {
    ui.horizontal_wrapped(|ui| {
        for run in runs {
            ui.label(
                RichText::new(format!("━ {}", run.name))
                    .color(text_rgb(ui, run.color))
                    .size(12.0),
            );
        }
        if !styles.is_empty() {
            ui.label(RichText::new(styles).weak().size(12.0));
        }
    });
}

/// An axis of whole epochs or steps, labelled every 30 points or so.
fn count_axis<'a>(name: &'static str) -> egui_plot::AxisHints<'a> {
    crate::app::plots::step_axis().label(name)
}

/// A vertical line where each run stopped early: the epoch of its best validation loss,
/// whose weights it keeps.
fn early_stops(plot_ui: &mut egui_plot::PlotUi<'_>, runs: &[RunView]) {
    for run in runs {
        if let RunState::EarlyStopped { best_epoch } = run.state {
            plot_ui.vline(
                VLine::new(format!("{} best epoch", run.name), best_epoch as f64)
                    .color(rgb(run.color).gamma_multiply(0.8))
                    .style(LineStyle::dotted_dense())
                    .width(1.5),
            );
        }
    }
}

/// The loss plot.
pub fn loss(ui: &mut egui::Ui, runs: &[RunView], o: &CurveOptions, size: egui::Vec2) {
    let log = o.log_y;
    let stopped = runs
        .iter()
        .any(|r| matches!(r.state, RunState::EarlyStopped { .. }));
    let styles = match (o.by_step, stopped) {
        (true, _) => "minibatch loss, smoothed",
        (false, false) => "solid: train, dashed: validation",
        (false, true) => "solid: train, dashed: validation, dotted: best epoch (early stop)",
    };
    key(ui, runs, styles);
    let height = size.y - ui.spacing().interact_size.y - 4.0;
    let mut plot = Plot::new("train_loss")
        .width(size.x)
        .height(height.max(60.0))
        .allow_scroll(false)
        .custom_x_axes(vec![count_axis(if o.by_step { "step" } else { "epoch" })])
        .include_x(0.0)
        .include_x(10.0);
    plot = if log {
        plot.custom_y_axes(vec![
            crate::app::axes::y_axis()
                .label("loss")
                .formatter(|mark, range| crate::app::axes::log_label(mark.value, range)),
        ])
        .y_grid_spacer(crate::app::axes::log_marks)
    } else {
        plot.custom_y_axes(vec![
            crate::app::axes::y_axis()
                .label("loss")
                .formatter(|mark, _| short(mark.value)),
        ])
    };
    plot.show(ui, |plot_ui| {
        for run in runs {
            let color = rgb(run.color);
            if o.by_step {
                let smoothed = smooth(run.steps.iter().map(|s| s[1]), o.smoothing);
                let steps: Vec<f64> = run.steps.iter().map(|s| s[0]).collect();
                let mut pts = decimate(&smoothed, MAX_POINTS, log);
                for p in &mut pts {
                    p[0] = steps[p[0] as usize];
                    if log {
                        p[1] = p[1].log10();
                    }
                }
                plot_ui.line(Line::new(run.name.as_str(), pts).color(color).width(2.0));
            } else {
                let train = epoch_points(&run.epochs, log, |m| Some(m.train.loss));
                let val = epoch_points(&run.epochs, log, |m| m.val.map(|v| v.loss));
                train_and_val(plot_ui, run, train, val);
            }
        }
        if !o.by_step {
            early_stops(plot_ui, runs);
        }
    });
}

/// A run's training curve (solid) and validation curve (dashed), in its colour.
fn train_and_val(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    run: &RunView,
    train: Vec<[f64; 2]>,
    val: Vec<[f64; 2]>,
) {
    let color = rgb(run.color);
    plot_ui.line(Line::new(run.name.as_str(), train).color(color).width(2.0));
    plot_ui.line(
        Line::new(format!("{} (val)", run.name), val)
            .color(color)
            .width(1.5)
            .style(LineStyle::dashed_loose()),
    );
}

/// The lowest R² shown: below it (the first epochs of a regression, −37 and the like) the
/// curves would flatten everything that matters into a line at the top.
pub const R2_FLOOR: f64 = -1.0;

/// Accuracy (classification) or R² (regression) by epoch, train solid and validation dashed.
/// An R² axis is clipped at [`R2_FLOOR`], and says so when that hides values.
pub fn quality(ui: &mut egui::Ui, runs: &[RunView], classification: bool, size: egui::Vec2) {
    let label = if classification { "accuracy" } else { "R²" };
    let pick = move |m: &crate::models::eval::Metrics| {
        if classification { m.accuracy } else { m.r2 }
    };
    let hidden = !classification
        && runs.iter().any(|r| {
            r.epochs.iter().any(|m| {
                pick(&m.train).is_some_and(|q| q < R2_FLOOR)
                    || m.val.as_ref().and_then(pick).is_some_and(|q| q < R2_FLOOR)
            })
        });
    // The line styles are said once, over the loss.
    key(
        ui,
        &[],
        if hidden {
            "R² below −1 (the first epochs) is not shown: the axis starts at −1"
        } else {
            ""
        },
    );
    let height = size.y - ui.spacing().interact_size.y - 4.0;
    let clip = |p: Vec<[f64; 2]>| -> Vec<[f64; 2]> {
        if classification {
            p
        } else {
            p.into_iter().map(|[x, y]| [x, y.max(R2_FLOOR)]).collect()
        }
    };
    let mut plot = Plot::new("train_quality")
        .width(size.x)
        .height(height.max(60.0))
        .allow_scroll(false)
        .include_y(1.0)
        .include_x(0.0)
        .include_x(10.0)
        .custom_x_axes(vec![count_axis("epoch")])
        .custom_y_axes(vec![crate::app::axes::y_axis().label(label)]);
    if !classification {
        plot = plot.include_y(0.0);
    }
    plot.show(ui, |plot_ui| {
        for run in runs {
            let train = epoch_points(&run.epochs, false, |m| pick(&m.train));
            let val = epoch_points(&run.epochs, false, |m| m.val.as_ref().and_then(pick));
            train_and_val(plot_ui, run, clip(train), clip(val));
        }
        early_stops(plot_ui, runs);
    });
}

/// The gradient norm of each layer of one run, by epoch, on a log scale; the title names the
/// run (pick another in the table).
pub fn layer_norms(ui: &mut egui::Ui, run: &RunView, size: egui::Vec2) {
    let layers = run
        .epochs
        .iter()
        .map(|m| m.layer_grad_norms.len())
        .max()
        .unwrap_or(0);
    let colour = |layer: usize| {
        // Input layer dark, output layer bright: depth reads as brightness, in greys (colours
        // are the optimizers').
        let t = if layers > 1 {
            layer as f32 / (layers - 1) as f32
        } else {
            1.0
        };
        egui::Color32::from_gray((110.0 + 140.0 * t) as u8)
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!("‖∇‖ per layer of {}", run.name))
                .color(text_rgb(ui, run.color))
                .strong()
                .size(12.0),
        )
        .on_hover_text("Pick another optimizer in the table above");
        for layer in 0..layers {
            ui.label(
                RichText::new(format!("━ layer {}", layer + 1))
                    .color(colour(layer))
                    .size(12.0),
            );
        }
    });
    let height = size.y - ui.spacing().interact_size.y - 4.0;
    Plot::new("train_layers")
        .width(size.x)
        .height(height.max(60.0))
        .allow_scroll(false)
        .x_axis_label("epoch")
        .y_axis_label("‖∇‖ per layer")
        .y_grid_spacer(crate::app::axes::log_marks)
        .y_axis_formatter(|mark, range| crate::app::axes::log_label(mark.value, range))
        .show(ui, |plot_ui| {
            for layer in 0..layers {
                let pts = epoch_points(&run.epochs, true, |m| {
                    m.layer_grad_norms.get(layer).copied()
                });
                plot_ui.line(
                    Line::new(format!("layer {}", layer + 1), pts)
                        .color(colour(layer))
                        .width(2.0),
                );
            }
        });
}

/// The legend table: per optimizer, epoch, losses, quality and state.
pub fn table(ui: &mut egui::Ui, runs: &[RunView], classification: bool, selected: &mut usize) {
    egui::Grid::new("train_table")
        .striped(true)
        .num_columns(6)
        .spacing([12.0, 3.0])
        .show(ui, |ui| {
            ui.label("");
            ui.strong("epoch");
            ui.strong("train loss");
            ui.strong("val loss");
            ui.strong(if classification { "val acc" } else { "val R²" });
            ui.strong("state");
            ui.end_row();
            for (k, run) in runs.iter().enumerate() {
                let name = RichText::new(format!("● {}", run.name))
                    .color(text_rgb(ui, run.color))
                    .strong();
                if ui
                    .selectable_label(*selected == k, name)
                    .on_hover_text("Show this optimizer's layer norms and predictions")
                    .clicked()
                {
                    *selected = k;
                }
                match run.epochs.last() {
                    Some(m) => {
                        ui.monospace(m.epoch.to_string());
                        ui.monospace(short(m.train.loss));
                        ui.monospace(m.val.map_or("—".into(), |v| short(v.loss)));
                        let q = m
                            .val
                            .and_then(|v| if classification { v.accuracy } else { v.r2 });
                        ui.monospace(q.map_or("—".into(), |q| format!("{q:.3}")));
                    }
                    None => {
                        for _ in 0..4 {
                            ui.label("—");
                        }
                    }
                }
                let state = match run.state {
                    RunState::Diverged { step } => {
                        RichText::new(format!("diverged at step {step}"))
                            .color(egui::Color32::LIGHT_RED)
                    }
                    RunState::EarlyStopped { best_epoch } => {
                        RichText::new(format!("stopped early (best epoch {best_epoch})"))
                    }
                    s => RichText::new(s.label()),
                };
                ui.label(state);
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_is_an_ema_that_skips_non_finite_values() {
        let s = smooth([1.0, 3.0, f64::NAN, 3.0].into_iter(), 0.5);
        assert_eq!(s[0], 1.0);
        assert_eq!(s[1], 2.0);
        assert_eq!(s[2], 2.0, "a NaN keeps the average");
        assert_eq!(s[3], 2.5);
        assert_eq!(smooth([4.0, 8.0].into_iter(), 0.0), vec![4.0, 8.0]);
    }
}
