//! The bottom panel: loss and gradient norm against step, and the live legend table.

use super::view2d::{rgb, short, text_rgb};
use crate::engine::Status;
use crate::race::Race;
use crate::series::decimate;
use eframe::egui::{self, RichText};
use egui_plot::{Line, Plot, VLine};

/// Most points drawn per curve.
const MAX_POINTS: usize = 600;

/// Options of the plots.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlotSettings {
    /// Plot log₁₀ of the values.
    pub log_y: bool,
}

impl Default for PlotSettings {
    fn default() -> Self {
        Self { log_y: true }
    }
}

/// Draws the legend table and the two plots side by side.
pub fn show(ui: &mut egui::Ui, race: &Race, settings: &mut PlotSettings) {
    // The table needs room for "converged at 12345"; the plots share the rest.
    let width = ui.available_width();
    let height = ui.available_height();
    let spacing = ui.spacing().item_spacing.x;
    let table = (0.38 * width).clamp(360.0, 560.0);
    let plot = ((width - table - 3.0 * spacing) / 2.0 - 6.0).max(100.0);
    ui.horizontal_top(|ui| {
        let column = egui::Layout::top_down(egui::Align::Min);
        ui.allocate_ui_with_layout(egui::vec2(table, height), column, |ui| {
            ui.set_width(table);
            legend(ui, race)
        });
        ui.allocate_ui_with_layout(egui::vec2(plot, height), column, |ui| {
            curve(ui, race, settings, "loss", plot, |t| &t.loss)
        });
        ui.allocate_ui_with_layout(egui::vec2(plot, height), column, |ui| {
            curve(ui, race, settings, "gradient norm", plot, |t| &t.grad_norm)
        });
    });
}

fn curve(
    ui: &mut egui::Ui,
    race: &Race,
    settings: &mut PlotSettings,
    title: &str,
    width: f32,
    values: impl Fn(&crate::race::Track) -> &Vec<f64>,
) {
    // A log axis cannot show zero or negative losses (saddles, Styblinski–Tang): fall back
    // to a linear one and say so.
    let nonpositive = race.lanes().iter().filter(|l| l.spec.enabled).any(|l| {
        let end = race.index_at_cursor(&l.track) + 1;
        values(&l.track)[..end.min(values(&l.track).len())]
            .iter()
            .any(|v| *v <= 0.0)
    });
    ui.horizontal(|ui| {
        ui.strong(title);
        ui.checkbox(&mut settings.log_y, "log scale");
        if settings.log_y && nonpositive {
            ui.label(RichText::new("(linear: values ≤ 0)").weak())
                .on_hover_text("A log scale cannot show zero or negative values");
        }
    });
    let log = settings.log_y && !nonpositive;
    let cursor = race.cursor() as f64;
    Plot::new(("curve", title))
        .width(width)
        .allow_scroll(false)
        .x_axis_label("step")
        .y_axis_formatter(move |mark, _range| {
            if !log {
                short(mark.value)
            } else if (mark.value - mark.value.round()).abs() < 1e-6 {
                format!("1e{:.0}", mark.value)
            } else {
                // Between decades egui_plot adds marks that would all print as 1eN.
                String::new()
            }
        })
        .show(ui, |plot_ui| {
            let labels = race.labels();
            for (lane, label) in race
                .lanes()
                .iter()
                .zip(labels)
                .filter(|(l, _)| l.spec.enabled)
            {
                let track = &lane.track;
                let end = race.index_at_cursor(track) + 1;
                let mut pts = decimate(&values(track)[..end], MAX_POINTS, log);
                if log {
                    pts.iter_mut().for_each(|p| p[1] = p[1].log10());
                }
                plot_ui.line(Line::new(label, pts).color(rgb(lane.spec.color)).width(2.0));
            }
            plot_ui.vline(VLine::new("now", cursor).color(egui::Color32::GRAY));
        });
}

fn legend(ui: &mut egui::Ui, race: &Race) {
    ui.strong(format!("Step {}", race.cursor()));
    let minima = race.surface().minima();
    egui::ScrollArea::vertical()
        .id_salt("legend")
        .show(ui, |ui| {
            egui::Grid::new("legend_table")
                .striped(true)
                .num_columns(5)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    ui.label("");
                    ui.strong("loss");
                    ui.strong("to min")
                        .on_hover_text("Distance to the nearest known minimum");
                    ui.strong("‖∇f‖");
                    ui.strong("status");
                    ui.end_row();
                    for (lane, label) in race.lanes().iter().zip(race.labels()) {
                        let track = &lane.track;
                        let i = race.index_at_cursor(track);
                        let name = RichText::new(format!("● {label}"))
                            .color(text_rgb(ui, lane.spec.color))
                            .strong();
                        ui.label(name);
                        if !lane.spec.enabled || track.points.is_empty() {
                            ui.label("off");
                            ui.end_row();
                            continue;
                        }
                        let p = track.points[i];
                        let dist = minima
                            .iter()
                            .map(|m| (p[0] - m.x).hypot(p[1] - m.y))
                            .fold(f64::INFINITY, f64::min);
                        ui.monospace(short(track.loss[i]));
                        ui.monospace(if dist.is_finite() {
                            short(dist)
                        } else {
                            "—".into()
                        });
                        ui.monospace(short(track.grad_norm[i]));
                        let last = track.points.len() - 1;
                        let status = match track.status {
                            Status::Converged { step, .. } if i == last => {
                                RichText::new(format!("converged at {step}"))
                                    .color(egui::Color32::LIGHT_GREEN)
                            }
                            Status::Stalled { step, at, .. } if i == last => {
                                RichText::new(format!("stalled at {step} ({})", at.label()))
                                    .color(egui::Color32::from_rgb(240, 190, 80))
                            }
                            Status::Escaped { step } if i == last => {
                                RichText::new(format!("escaped at {step}"))
                                    .color(egui::Color32::from_rgb(120, 190, 255))
                            }
                            Status::Diverged { step, .. } if i == last => {
                                RichText::new(format!("diverged at {step}"))
                                    .color(egui::Color32::LIGHT_RED)
                            }
                            _ => RichText::new("running"),
                        };
                        ui.label(status);
                        ui.end_row();
                    }
                });
        });
}
