//! The bottom panel: loss and gradient norm against step, and the live legend table.

use super::clouds::Clouds;
use super::view2d::{rgb, short, text_rgb};
use crate::engine::{Schedule, Status};
use crate::race::Race;
pub use crate::scene::view::PlotSettings;
use crate::series::decimate;
use crate::surfaces::PointKind;
use eframe::egui::{self, RichText};
use egui_plot::{Line, Plot, VLine};

/// Most points drawn per curve.
const MAX_POINTS: usize = 600;

/// Draws the legend table and the plots side by side, each in its own part of the panel, so
/// nothing runs off its right edge: the loss and the gradient norm, or (`compact`, for
/// presentation mode) the loss alone.
pub fn show(
    ui: &mut egui::Ui,
    race: &Race,
    clouds: &Clouds,
    settings: &mut PlotSettings,
    compact: bool,
) {
    let full = ui.available_rect_before_wrap();
    let gap = ui.spacing().item_spacing.x * 2.0;
    let plots = if compact { 1.0 } else { 2.0 };
    // The table needs room for "stalled at 12345 (plateau)"; the plots share the rest. In
    // presentation the table has the name, loss and status only, and the loss the rest.
    let table = if compact {
        (0.42 * full.width()).clamp(300.0, 460.0)
    } else {
        (0.45 * full.width()).clamp(300.0, 600.0)
    }
    .min(full.width() * 0.6);
    let plot = ((full.width() - table - plots * gap) / plots).max(60.0);
    let rect = |x: f32, w: f32| {
        egui::Rect::from_min_size(egui::pos2(x, full.top()), egui::vec2(w, full.height()))
    };
    let column = |r: egui::Rect| {
        egui::UiBuilder::new()
            .max_rect(r)
            .layout(egui::Layout::top_down(egui::Align::Min))
    };
    ui.scope_builder(column(rect(full.left(), table)), |ui| legend(ui, race));
    let first = rect(full.left() + table + gap, plot);
    // The loss as its gap to the lowest known minimum f* when f* is not 0 (a log scale can
    // then show how a run closes in on it, negative minima included).
    let best = race
        .surface()
        .critical_points_now()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| matches!(p.kind, PointKind::Global | PointKind::Local))
        .map(|p| p.value)
        .fold(f64::INFINITY, f64::min);
    let (title, offset) = if best.is_finite() {
        ("loss − f*", best)
    } else {
        ("loss", 0.0)
    };
    // Under the loss, each racer's learning rate when some of them change it over time.
    let scheduled = race
        .lanes()
        .iter()
        .filter(|l| l.spec.enabled)
        .any(|l| l.spec.schedule.unwrap_or(race.shared().schedule) != Schedule::Constant);
    if scheduled {
        let (top, bottom) = first.split_top_bottom_at_fraction(0.68);
        ui.scope_builder(column(top), |ui| {
            curve(ui, race, Some(clouds), settings, title, offset, |t| &t.loss)
        });
        ui.scope_builder(column(bottom), |ui| lr_curve(ui, race));
    } else {
        ui.scope_builder(column(first), |ui| {
            curve(ui, race, Some(clouds), settings, title, offset, |t| &t.loss)
        });
    }
    if !compact {
        let second = rect(first.right() + gap, plot);
        ui.scope_builder(column(second), |ui| {
            curve(ui, race, None, settings, "gradient norm", 0.0, |t| {
                &t.grad_norm
            })
        });
    }
    ui.advance_cursor_after_rect(full);
}

/// Each racer's learning rate γₜ up to the cursor, as its schedule sets it.
fn lr_curve(ui: &mut egui::Ui, race: &Race) {
    ui.strong("γₜ").on_hover_text(
        "Each optimizer's learning rate at every step, as its schedule (its own or the shared \
         one) sets it",
    );
    let cursor = race.cursor().max(1);
    // About 300 samples whatever the length.
    let every = (cursor / 300).max(1);
    // The panel's lower third can be shorter than a plot's default 64-point minimum (in
    // presentation mode): a plot taller than its space would grow the panel every frame.
    Plot::new("lr_curve")
        .min_size(egui::vec2(40.0, 20.0))
        .height(ui.available_height().max(20.0))
        .allow_scroll(false)
        .custom_x_axes(vec![step_axis()])
        .y_axis_formatter(|mark, _| short(mark.value))
        .show(ui, |plot_ui| {
            for (lane, label) in race.lanes().iter().zip(race.labels()) {
                if !lane.spec.enabled {
                    continue;
                }
                let setup = lane.spec.setup(race.shared());
                let pts: Vec<[f64; 2]> = (1..=cursor)
                    .step_by(every as usize)
                    .chain(std::iter::once(cursor))
                    .map(|t| [t as f64, setup.lr_at(t)])
                    .collect();
                plot_ui.line(Line::new(label, pts).color(rgb(lane.spec.color)).width(2.0));
            }
        });
}

/// The step axis: whole steps, labelled every 30 points or so (egui_plot keeps 60 for long
/// labels, which left two labels on a short axis).
pub fn step_axis<'a>() -> egui_plot::AxisHints<'a> {
    egui_plot::AxisHints::new_x()
        .label("step")
        .label_spacing(40.0..=55.0)
        .formatter(|mark, _| {
            if mark.value.fract() == 0.0 && mark.value >= 0.0 {
                format!("{}", mark.value)
            } else {
                String::new()
            }
        })
}

/// A number for a heading: [`crate::numbers::short`], 3 significant digits at most.
fn short_text(v: f64) -> String {
    crate::numbers::short(format!("{v:.2e}").parse::<f64>().unwrap_or(v))
}

/// `values` − `offset`, copied only when the offset is not 0.
fn shift(values: &[f64], offset: f64) -> std::borrow::Cow<'_, [f64]> {
    if offset == 0.0 {
        std::borrow::Cow::Borrowed(values)
    } else {
        std::borrow::Cow::Owned(values.iter().map(|v| v - offset).collect())
    }
}

/// One plot of `values` − `offset` for every racer up to the cursor.
fn curve(
    ui: &mut egui::Ui,
    race: &Race,
    clouds: Option<&Clouds>,
    settings: &mut PlotSettings,
    title: &str,
    offset: f64,
    values: impl Fn(&crate::race::Track) -> &Vec<f64>,
) {
    let labels = race.labels();
    let shown: Vec<(usize, &crate::race::Lane, String, usize)> = race
        .lanes()
        .iter()
        .zip(labels)
        .enumerate()
        .filter(|(_, (l, _))| l.spec.enabled && !l.track.points.is_empty())
        .map(|(i, (l, label))| {
            let end = (race.index_at_cursor(&l.track) + 1).min(values(&l.track).len());
            (i, l, label, end)
        })
        .collect();
    // A log axis cannot show zero (Newton's exact minimum): what is at or below a floor 15
    // decades under the highest value (rounding noise in f64) is drawn at the floor, and the
    // heading says so. With a value below 0 (a saddle's losses, a minimum not yet found) the
    // axis is linear, and says why.
    let highest = shown
        .iter()
        .flat_map(|(_, l, _, end)| values(&l.track)[..*end].iter())
        .map(|v| v - offset)
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let negative = shown.iter().any(|(_, l, _, end)| {
        values(&l.track)[..*end]
            .iter()
            .any(|v| (v - offset).is_finite() && v - offset < 0.0)
    });
    let log = settings.log_y && highest.is_finite() && !negative;
    let floor = highest * 1e-15;
    let floored = log
        && shown.iter().any(|(_, l, _, end)| {
            values(&l.track)[..*end]
                .iter()
                .any(|v| (v - offset).is_finite() && v - offset <= floor)
        });
    ui.horizontal_wrapped(|ui| {
        let heading = ui.strong(title);
        if title == "loss − f*" {
            heading.on_hover_text(format!(
                "The loss above f* = {}, the lowest known minimum",
                short(offset)
            ));
            ui.label(RichText::new(format!("(f* = {})", short_text(offset))).weak());
        }
        ui.checkbox(&mut settings.log_y, "log scale");
        if settings.log_y && !log {
            ui.label(RichText::new("(linear: values below 0)").weak());
        }
        if floored {
            ui.label(RichText::new(format!("(≤ {} drawn there)", short_text(floor))).weak())
                .on_hover_text(
                    "A log scale cannot show 0: values at or below this floor, fifteen decades \
                     under the highest (the rounding noise of f64), are drawn on it",
                );
        }
    });
    let cursor = race.cursor() as f64;
    // At least ten steps across (so the axis has several labels at step 0), and on a log
    // scale whole decades, at least one, so it has several labelled ticks.
    let mut plot = Plot::new(("curve", title))
        .allow_scroll(false)
        .custom_x_axes(vec![step_axis()])
        .x_grid_spacer(super::axes::linear_marks)
        .include_x(0.0)
        .include_x(cursor.max(10.0));
    plot = if log {
        let lowest = shown
            .iter()
            .flat_map(|(_, l, _, end)| values(&l.track)[..*end].iter())
            .map(|v| (v - offset).max(floor))
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        let (lo, hi) = super::axes::decades(lowest, highest);
        plot.include_y(lo)
            .include_y(hi)
            .custom_y_axes(vec![
                super::axes::y_axis()
                    .formatter(|mark, range| super::axes::log_label(mark.value, range)),
            ])
            .y_grid_spacer(super::axes::log_marks)
    } else {
        plot.custom_y_axes(vec![
            super::axes::y_axis().formatter(|mark, _| super::axes::tick_label(mark.value)),
        ])
        .y_grid_spacer(super::axes::linear_marks)
    };
    plot.show(ui, |plot_ui| {
        for (i, lane, label, end) in shown {
            if let Some(cloud) = clouds.and_then(|c| c.get(i)) {
                let upto = race.cursor();
                let (mean, band) = (cloud.mean(upto), cloud.band(upto));
                seed_band(
                    plot_ui,
                    (mean, band),
                    &label,
                    rgb(lane.spec.color),
                    offset,
                    log,
                );
            }
            let track = &lane.track;
            let mut series = shift(values(track), offset);
            if log {
                series.to_mut().iter_mut().for_each(|v| *v = v.max(floor));
            }
            let mut pts = decimate(&series[..end], MAX_POINTS, log);
            if log {
                pts.iter_mut().for_each(|p| p[1] = p[1].log10());
            }
            plot_ui.line(
                Line::new(label.clone(), pts)
                    .color(rgb(lane.spec.color))
                    .width(2.0),
            );
            // A mini-batch racer's epochs end at these steps (at most 100 marks).
            if let Some((_, per_epoch)) = lane.epoch() {
                let shown = end.min(series.len());
                let every = per_epoch.max(1) * (shown / per_epoch.max(1) / 100 + 1);
                let marks: Vec<[f64; 2]> = (every..shown)
                    .step_by(every)
                    .filter(|&t| !log || series[t] > 0.0)
                    .map(|t| {
                        let v = series[t];
                        [t as f64, if log { v.log10() } else { v }]
                    })
                    .collect();
                plot_ui.points(
                    egui_plot::Points::new(format!("{label}: epochs"), marks)
                        .radius(3.0)
                        .color(rgb(lane.spec.color)),
                );
            }
        }
        plot_ui.vline(VLine::new("now", cursor).color(egui::Color32::GRAY));
    });
}

/// A racer's loss under many seeds: the band where 80 % of them are (as one trapezoid per
/// segment: a plot polygon must be convex) and their mean, dashed.
fn seed_band(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    (mean, band): (&[f64], &[[f64; 2]]),
    label: &str,
    color: egui::Color32,
    offset: f64,
    log: bool,
) {
    let y = |v: f64| {
        let v = v - offset;
        if log {
            (v > 0.0).then(|| v.log10())
        } else {
            Some(v)
        }
    };
    let n = band.len();
    let every = (n / 200).max(1);
    let at: Vec<usize> = (0..n)
        .step_by(every)
        .chain((n > 0).then(|| n - 1))
        .collect();
    let name = format!("{label}: 80 % of seeds");
    for w in at.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (Some(a0), Some(a1), Some(b0), Some(b1)) =
            (y(band[a][0]), y(band[a][1]), y(band[b][0]), y(band[b][1]))
        else {
            continue;
        };
        let (ta, tb) = (a as f64, b as f64);
        plot_ui.polygon(
            egui_plot::Polygon::new(name.clone(), vec![[ta, a0], [tb, b0], [tb, b1], [ta, a1]])
                .fill_color(color.gamma_multiply(0.3))
                .stroke(egui::Stroke::NONE),
        );
    }
    let mean: Vec<[f64; 2]> = at
        .iter()
        .filter_map(|&t| y(mean[t]).map(|v| [t as f64, v]))
        .collect();
    plot_ui.line(
        Line::new(format!("{label}: mean of seeds"), mean)
            .color(color)
            .width(1.5)
            .style(egui_plot::LineStyle::dashed_dense()),
    );
}

/// The status table: each racer's loss, status and, where there is room, its gradient norm
/// and distance to the nearest known minimum (the status always fits: narrow tables drop the
/// numbers first).
fn legend(ui: &mut egui::Ui, race: &Race) {
    ui.strong(format!("Step {}", race.cursor()));
    let width = ui.available_width();
    let show_grad = width >= 470.0;
    let show_dist = width >= 570.0;
    // Known without waiting (a typed function's are found in the background).
    let minima: Vec<_> = race
        .surface()
        .critical_points_now()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| matches!(p.kind, PointKind::Global | PointKind::Local))
        .collect();
    super::scroll::show(ui, egui::ScrollArea::both().id_salt("legend"), |ui| {
        egui::Grid::new("legend_table")
            .striped(true)
            .num_columns(3 + usize::from(show_grad) + usize::from(show_dist))
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                ui.label("");
                ui.strong("loss");
                if show_dist {
                    ui.strong("to min")
                        .on_hover_text("Distance to the nearest known minimum");
                }
                if show_grad {
                    ui.strong("‖∇f‖");
                }
                ui.strong("status");
                ui.end_row();
                for (lane, label) in race.lanes().iter().zip(race.labels()) {
                    let track = &lane.track;
                    let i = race.index_at_cursor(track);
                    let name = RichText::new(format!("● {label}"))
                        .color(text_rgb(ui, lane.spec.color))
                        .strong();
                    ui.label(name).on_hover_text(lane.spec.kind.summary());
                    if !lane.spec.enabled || track.points.is_empty() {
                        ui.label("off");
                        ui.end_row();
                        continue;
                    }
                    ui.monospace(short(track.loss[i]));
                    if show_dist {
                        let p = track.points[i];
                        let dist = minima
                            .iter()
                            .map(|m| (p[0] - m.x).hypot(p[1] - m.y))
                            .fold(f64::INFINITY, f64::min);
                        ui.monospace(if dist.is_finite() {
                            short(dist)
                        } else {
                            "—".into()
                        });
                    }
                    if show_grad {
                        ui.monospace(short(track.grad_norm[i]));
                    }
                    let last = track.points.len() - 1;
                    let (text, color) = if i == last && !track.status.is_running() {
                        status_text(&track.status)
                    } else if i == 0 {
                        ("at the start".into(), None)
                    } else {
                        ("running".into(), None)
                    };
                    let text = match color {
                        Some(c) => RichText::new(text).color(c),
                        None => RichText::new(text),
                    };
                    ui.label(text).on_hover_text(track.status.describe());
                    ui.end_row();
                }
            });
    });
}

/// A run's status for the table: "converged at 31", "stalled at 466 (plateau)", "escaped at
/// 218", "left domain at 12", "diverged at 131" or "running", and its colour (green, amber,
/// blue, orange, red).
pub fn status_text(status: &Status) -> (String, Option<egui::Color32>) {
    match *status {
        Status::Running => ("running".into(), None),
        Status::Converged { step, .. } => (
            format!("converged at {step}"),
            Some(egui::Color32::LIGHT_GREEN),
        ),
        Status::Stalled { step, at, .. } => (
            format!("stalled at {step} ({})", at.label()),
            Some(egui::Color32::from_rgb(240, 190, 80)),
        ),
        Status::Escaped { step } => (
            format!("escaped at {step}"),
            Some(egui::Color32::from_rgb(120, 190, 255)),
        ),
        Status::LeftDomain { step } => (
            format!("left domain at {step}"),
            Some(egui::Color32::from_rgb(255, 150, 90)),
        ),
        Status::Diverged { step, .. } => (
            format!("diverged at {step}"),
            Some(egui::Color32::LIGHT_RED),
        ),
    }
}
