//! Training curves: loss and accuracy (or R²) per optimizer by epoch or by step, and the
//! gradient norm of each layer, so vanishing and exploding gradients show.

use super::RunView;
use crate::app::view2d::{rgb, short, text_rgb};
use crate::series::decimate;
use crate::train::{EpochMetrics, RunState};
use eframe::egui::{self, RichText};
use egui_plot::{Legend, Line, LineStyle, Plot};

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

/// The loss plot.
pub fn loss(ui: &mut egui::Ui, runs: &[RunView], o: &CurveOptions, size: egui::Vec2) {
    let log = o.log_y;
    let plot = Plot::new("train_loss")
        .width(size.x)
        .height(size.y)
        .allow_scroll(false)
        .legend(Legend::default())
        .x_axis_label(if o.by_step { "step" } else { "epoch" })
        .y_axis_label("loss")
        .y_axis_formatter(move |mark, _| log_label(mark.value, log));
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
                plot_ui.line(Line::new(run.name, pts).color(color).width(2.0));
            } else {
                let train = epoch_points(&run.epochs, log, |m| Some(m.train.loss));
                let val = epoch_points(&run.epochs, log, |m| m.val.map(|v| v.loss));
                train_and_val(plot_ui, run, train, val);
            }
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
    plot_ui.line(Line::new(run.name, train).color(color).width(2.0));
    plot_ui.line(
        Line::new(format!("{} (val)", run.name), val)
            .color(color)
            .width(1.5)
            .style(LineStyle::dashed_loose()),
    );
}

/// Accuracy (classification) or R² (regression) by epoch, train solid and validation dashed.
pub fn quality(ui: &mut egui::Ui, runs: &[RunView], classification: bool, size: egui::Vec2) {
    let label = if classification { "accuracy" } else { "R²" };
    let pick = move |m: &crate::models::eval::Metrics| {
        if classification { m.accuracy } else { m.r2 }
    };
    Plot::new("train_quality")
        .width(size.x)
        .height(size.y)
        .allow_scroll(false)
        .include_y(if classification { 1.0 } else { 0.0 })
        .x_axis_label("epoch")
        .y_axis_label(label)
        .show(ui, |plot_ui| {
            for run in runs {
                let train = epoch_points(&run.epochs, false, |m| pick(&m.train));
                let val = epoch_points(&run.epochs, false, |m| m.val.as_ref().and_then(pick));
                train_and_val(plot_ui, run, train, val);
            }
        });
}

/// The gradient norm of each layer of one run, by epoch, on a log scale.
pub fn layer_norms(ui: &mut egui::Ui, run: &RunView, size: egui::Vec2) {
    let layers = run
        .epochs
        .iter()
        .map(|m| m.layer_grad_norms.len())
        .max()
        .unwrap_or(0);
    Plot::new("train_layers")
        .width(size.x)
        .height(size.y)
        .allow_scroll(false)
        .legend(Legend::default())
        .x_axis_label("epoch")
        .y_axis_label("‖∇‖ per layer")
        .y_axis_formatter(|mark, _| log_label(mark.value, true))
        .show(ui, |plot_ui| {
            for layer in 0..layers {
                let pts = epoch_points(&run.epochs, true, |m| {
                    m.layer_grad_norms.get(layer).copied()
                });
                // Input layer dark, output layer bright: depth reads as brightness.
                let t = if layers > 1 {
                    layer as f32 / (layers - 1) as f32
                } else {
                    1.0
                };
                let c = colorous::PLASMA.eval_continuous(f64::from(0.15 + 0.75 * t));
                plot_ui.line(
                    Line::new(format!("layer {}", layer + 1), pts)
                        .color(egui::Color32::from_rgb(c.r, c.g, c.b))
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

/// An axis label: `1e-3` for log values, the number otherwise.
fn log_label(v: f64, log: bool) -> String {
    if log {
        // Decades only: the marks in between would print as 1.5849 and the like.
        let rounded = v.round();
        if (v - rounded).abs() < 1e-6 {
            format!("1e{rounded:.0}")
        } else {
            String::new()
        }
    } else {
        short(v)
    }
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
