//! The learning-rate range test (Smith, 2017) in the Train view: each optimizer trains from
//! the initial weights while its learning rate grows exponentially; the loss against the
//! learning rate shows where learning starts, where it is fastest, and where it blows up.

use super::RunView;
use crate::app::background::{Background, collect};
use crate::app::view2d::{rgb, short};
use crate::insight::{LrRange, lr_range};
use crate::train::Experiment;
use eframe::egui::{self, RichText};
use egui_plot::{Legend, Line, Plot, Points, VLine};

/// Results per optimizer (an error text where one failed).
type Results = Vec<Result<LrRange, String>>;

/// The range test's settings and results.
pub struct LrTestUi {
    /// The smallest learning rate tried.
    pub lr_min: f64,
    /// The largest.
    pub lr_max: f64,
    /// Steps from the one to the other.
    pub steps: usize,
    /// The results, one per optimizer of the spec (an error text where one failed).
    pub results: Option<Vec<Result<LrRange, String>>>,
    pending: Option<Background<Results>>,
}

impl Default for LrTestUi {
    fn default() -> Self {
        Self {
            lr_min: 1e-5,
            lr_max: 10.0,
            steps: 300,
            results: None,
            pending: None,
        }
    }
}

impl LrTestUi {
    /// Whether a test is running.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Controls and the plot.
    pub fn show(&mut self, ui: &mut egui::Ui, exp: &Experiment, runs: &[RunView]) {
        self.collect();
        ui.horizontal_wrapped(|ui| {
            ui.add(
                egui::DragValue::new(&mut self.lr_min)
                    .range(1e-8..=1.0)
                    .speed(1e-5)
                    .prefix("γ from "),
            );
            ui.add(
                egui::DragValue::new(&mut self.lr_max)
                    .range(1e-4..=100.0)
                    .speed(0.01)
                    .prefix("to "),
            );
            ui.add(
                egui::DragValue::new(&mut self.steps)
                    .range(20..=5000)
                    .suffix(" steps"),
            );
            let label = if self.busy() {
                "Running…"
            } else {
                "Run test"
            };
            if ui
                .add_enabled(!self.busy(), egui::Button::new(label))
                .on_hover_text(
                    "Train each optimizer from the initial weights while γ grows exponentially \
                     from the first value to the second; stop where the loss explodes",
                )
                .clicked()
            {
                self.start(ui.ctx(), exp);
            }
        });
        let Some(results) = &self.results else {
            ui.label(
                RichText::new(
                    "Loss against an exponentially growing learning rate: pick γ a little \
                     below where the curve falls fastest.",
                )
                .weak(),
            );
            return;
        };
        for (run, result) in runs.iter().zip(results) {
            let text = match result {
                Ok(r) => format!(
                    "{}: falls fastest at γ ≈ {} (suggested), lowest at γ ≈ {}{}",
                    run.name,
                    r.steepest()
                        .map_or("— (the loss never falls: widen the range)".into(), short),
                    r.at_minimum().map_or("—".into(), short),
                    if r.exploded { ", then explodes" } else { "" }
                ),
                Err(e) => format!("{}: {e}", run.name),
            };
            ui.label(RichText::new(text).color(rgb(run.color)).size(12.0));
        }
        Plot::new("lr_range")
            .allow_scroll(false)
            .legend(Legend::default())
            .x_axis_label("learning rate γ (log)")
            .y_axis_label("loss (smoothed)")
            .x_grid_spacer(crate::app::axes::log_marks)
            .x_axis_formatter(|m, range| crate::app::axes::log_label(m.value, range))
            .show(ui, |plot_ui| {
                for (run, result) in runs.iter().zip(results) {
                    let Ok(r) = result else { continue };
                    let pts: Vec<[f64; 2]> = r
                        .lrs
                        .iter()
                        .zip(&r.smoothed)
                        .filter(|(l, v)| **l > 0.0 && v.is_finite())
                        .map(|(l, v)| [l.log10(), *v])
                        .collect();
                    plot_ui.line(
                        Line::new(run.name.as_str(), pts)
                            .color(rgb(run.color))
                            .width(2.0),
                    );
                    // The suggestion, marked on the curve itself.
                    if let Some(s) = r.steepest() {
                        plot_ui.vline(
                            VLine::new(format!("{} suggestion", run.name), s.log10())
                                .color(rgb(run.color).gamma_multiply(0.5)),
                        );
                        if let Some(k) = r.lrs.iter().position(|l| *l >= s) {
                            plot_ui.points(
                                Points::new(
                                    format!("{}: γ ≈ {}", run.name, short(s)),
                                    vec![[s.log10(), r.smoothed[k]]],
                                )
                                .radius(6.0)
                                .shape(egui_plot::MarkerShape::Diamond)
                                .color(rgb(run.color)),
                            );
                        }
                    }
                }
            });
    }

    fn start(&mut self, ctx: &egui::Context, exp: &Experiment) {
        let exp = exp.clone();
        let (lo, hi, steps) = (self.lr_min, self.lr_max, self.steps);
        self.pending = Some(Background::spawn(ctx, move || -> Results {
            exp.optimizers
                .iter()
                .map(|setup| lr_range(&exp, setup, lo, hi, steps).map_err(|e| e.to_string()))
                .collect()
        }));
    }

    /// Picks up finished results.
    fn collect(&mut self) {
        if let Some(results) = collect(&mut self.pending) {
            self.results = Some(results);
        }
    }
}
