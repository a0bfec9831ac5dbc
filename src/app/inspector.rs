//! The step inspector: one racer's next step from where its ball is, explained — the update
//! rule with this step's numbers, the loss along the step's direction (did it overshoot the
//! valley floor?), and on the map the step's parts as arrows head to tail, an adaptive
//! method's per-coordinate step as a box, and where the step lands. It follows the step on
//! show as you play, step or scrub.

use super::view2d::{rgb, short};
use crate::explain::{StepExplanation, explain};
use crate::race::{Race, RacerSpec, Shared};
use crate::surfaces::Surface;
use eframe::egui::{self, Color32, RichText};
use egui_plot::{Line, Plot, Points, VLine};

/// What an explanation was made for.
#[derive(Clone, Debug, PartialEq)]
struct Key {
    racer: usize,
    spec: RacerSpec,
    shared: Shared,
    surface: Surface,
    start: [f64; 2],
    step: u64,
}

/// The inspector's window and its explanation.
#[derive(Default)]
pub struct Inspector {
    /// The window is open.
    pub open: bool,
    /// The racer explained.
    pub racer: usize,
    /// The last explanation (or why there is none), and what it was made for.
    cached: Option<(Key, Result<StepExplanation, String>)>,
    /// Zoom the map to the step (set by the button, taken by the map).
    pub zoom: bool,
}

impl Inspector {
    /// Explains the racer's next step from the step on show, unless already done.
    pub fn update(&mut self, race: &Race) {
        if !self.open || race.lanes().is_empty() {
            return;
        }
        self.racer = self.racer.min(race.lanes().len() - 1);
        let lane = &race.lanes()[self.racer];
        let step = race.index_at_cursor(&lane.track) as u64 + 1;
        let key = Key {
            racer: self.racer,
            spec: lane.spec.clone(),
            shared: *race.shared(),
            surface: race.surface().clone(),
            start: race.racer_start(self.racer),
            step,
        };
        if self.cached.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let e = explain(race, self.racer, step).map_err(|e| e.to_string());
        self.cached = Some((key, e));
    }

    /// The explanation on show and its racer's colour, for the map.
    pub fn shown(&self, race: &Race) -> Option<(&StepExplanation, Color32)> {
        if !self.open {
            return None;
        }
        let (_, e) = self.cached.as_ref()?;
        let lane = race.lanes().get(self.racer)?;
        e.as_ref().ok().map(|e| (e, rgb(lane.spec.color)))
    }

    /// The window; `compact` (presentation mode) keeps the formulas in tooltips and the
    /// window short, so the map stays in view.
    pub fn window(&mut self, ctx: &egui::Context, race: &Race, compact: bool) {
        if !self.open {
            return;
        }
        let mut open = self.open;
        let labels = race.labels();
        let screen = ctx.content_rect();
        let width = if compact { 330.0 } else { 420.0 };
        // Over the lower side panel, leaving the map free; in presentation (no side panel) at
        // the map's right, under the caption and above the table of racers.
        let pos = if compact {
            [
                screen.right() - width - 12.0,
                screen.top() + 0.17 * screen.height(),
            ]
        } else {
            [screen.left() + 8.0, screen.top() + 0.38 * screen.height()]
        };
        egui::Window::new("Explain a step")
            .open(&mut open)
            .default_pos(pos)
            .default_size([width, 520.0])
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    egui::ComboBox::new("inspect-racer", "racer")
                        .selected_text(labels.get(self.racer).cloned().unwrap_or_default())
                        .show_ui(ui, |ui| {
                            for (i, l) in labels.iter().enumerate() {
                                ui.selectable_value(&mut self.racer, i, l);
                            }
                        });
                    if ui
                        .button("Zoom to it")
                        .on_hover_text("Zoom the map to the ball and its step")
                        .clicked()
                    {
                        self.zoom = true;
                    }
                });
                let Some((_, e)) = &self.cached else {
                    return;
                };
                match e {
                    Err(why) => {
                        ui.label(RichText::new(why).color(Color32::from_rgb(240, 190, 80)));
                    }
                    Ok(e) => {
                        let area = egui::ScrollArea::vertical().max_height(0.62 * screen.height());
                        super::scroll::show(ui, area, |ui| body(ui, e, race.surface(), compact));
                    }
                }
            });
        self.open = open;
    }
}

/// The numbers and the slice.
fn body(ui: &mut egui::Ui, e: &StepExplanation, surface: &Surface, compact: bool) {
    ui.label(
        RichText::new(format!(
            "Step {} of {}, from the ball: γₜ = {}",
            e.step,
            e.optimizer,
            short(e.lr)
        ))
        .strong(),
    );
    let pair = |v: &[f64]| v.iter().map(|a| short(*a)).collect::<Vec<_>>().join(", ");
    // One row per quantity: symbol, how it is computed (a tooltip when compact), value.
    let row = |ui: &mut egui::Ui, symbol: &str, formula: &str, value: String, strong: bool| {
        let text = RichText::new(symbol).monospace();
        let r = ui.label(if strong { text.strong() } else { text });
        if compact {
            r.on_hover_text(formula);
        } else {
            ui.label(RichText::new(formula).weak());
        }
        ui.label(RichText::new(value).monospace());
        ui.end_row();
    };
    egui::Grid::new("inspect-rule")
        .striped(true)
        .num_columns(if compact { 2 } else { 3 })
        .show(ui, |ui| {
            row(
                ui,
                "θₜ₋₁",
                "where the ball is",
                format!("({})", pair(&e.theta)),
                false,
            );
            for line in &e.rule {
                let value = format!("({})", pair(&line.value));
                row(ui, &line.symbol, &line.formula, value, true);
            }
            let landed = format!("({})", pair(&e.theta_after));
            row(ui, "θₜ", "θₜ₋₁ + Δθ, where it lands", landed, false);
            let f = format!("{} → {}", short(e.loss), short(e.loss_after));
            row(ui, "f", "before → after", f, false);
        });
    if !e.state_before.is_empty() {
        ui.collapsing("State before and after (PyTorch's names)", |ui| {
            for ((name, before), (_, after)) in e.state_before.iter().zip(&e.state_after) {
                ui.label(
                    RichText::new(format!("{name}: ({}) → ({})", pair(before), pair(after)))
                        .monospace()
                        .size(12.0),
                );
            }
        });
    }
    if let Some(trace) = &e.line_search {
        line_search(ui, e, trace, surface);
    }
    // The loss along the step's direction, from behind the ball to past where it lands.
    let len = e.delta[0].hypot(e.delta[1]);
    if len > 0.0 && len.is_finite() {
        ui.label(RichText::new("The loss along the step (1 = where it lands)").strong());
        let pts: Vec<[f64; 2]> = (0..=120)
            .map(|k| {
                let s = -0.5 + 2.5 * k as f64 / 120.0;
                let p = [e.theta[0] + s * e.delta[0], e.theta[1] + s * e.delta[1]];
                [s, surface.value(p[0], p[1])]
            })
            .filter(|p| p[1].is_finite())
            .collect();
        Plot::new("inspect-slice")
            .height(if compact { 100.0 } else { 150.0 })
            .allow_scroll(false)
            .x_axis_label("fraction of the step")
            .show(ui, |plot_ui| {
                plot_ui.line(Line::new("f along Δθ", pts).width(2.0));
                plot_ui.points(
                    Points::new("start, landing", vec![[0.0, e.loss], [1.0, e.loss_after]])
                        .radius(5.0),
                );
                plot_ui.vline(VLine::new("lands", 1.0).color(Color32::GRAY));
            });
    }
}

/// L-BFGS's line search: φ(α) = f(θ + α·d) with every probe, the sufficient-decrease line
/// φ(0) + c₁·α·φ′(0), and which probes met the curvature condition.
fn line_search(
    ui: &mut egui::Ui,
    e: &StepExplanation,
    trace: &crate::optim::line_search::SearchTrace,
    surface: &Surface,
) {
    let Some(d) = e.state("direction", true) else {
        return;
    };
    let far = trace
        .probes
        .iter()
        .map(|p| p[0])
        .fold(0.0f64, f64::max)
        .max(1e-12)
        * 1.3;
    ui.label(RichText::new("The line search along dₜ").strong()).on_hover_text(
        "φ(α) = f(θ + α·d). A step is accepted when φ(α) is under the dashed sufficient-decrease \
         line φ(0) + c₁·α·φ′(0) and the slope has flattened: |φ′(α)| ≤ c₂·|φ′(0)| (strong Wolfe)",
    );
    let phi: Vec<[f64; 2]> = (0..=120)
        .map(|k| {
            let a = far * k as f64 / 120.0;
            [
                a,
                surface.value(e.theta[0] + a * d[0], e.theta[1] + a * d[1]),
            ]
        })
        .filter(|p| p[1].is_finite())
        .collect();
    let armijo = vec![
        [0.0, trace.f0],
        [far, trace.f0 + trace.c1 * far * trace.df0],
    ];
    let probes: Vec<[f64; 2]> = trace.probes.iter().map(|p| [p[0], p[1]]).collect();
    let accepted = e.delta[0].hypot(e.delta[1]) / d[0].hypot(d[1]).max(f64::MIN_POSITIVE);
    Plot::new("inspect-line-search")
        .height(150.0)
        .allow_scroll(false)
        .x_axis_label("α")
        .show(ui, |plot_ui| {
            plot_ui.line(Line::new("φ(α)", phi).width(2.0));
            plot_ui.line(
                Line::new("sufficient decrease", armijo)
                    .style(egui_plot::LineStyle::dashed_dense())
                    .color(Color32::from_rgb(255, 200, 90)),
            );
            plot_ui.points(
                Points::new("probes", probes)
                    .radius(4.0)
                    .color(Color32::WHITE),
            );
            plot_ui.vline(VLine::new("accepted", accepted).color(Color32::from_rgb(120, 220, 120)));
        });
    for (k, p) in trace.probes.iter().enumerate() {
        let decrease = p[1] <= trace.f0 + trace.c1 * p[0] * trace.df0;
        let flat = p[2].abs() <= trace.c2 * trace.df0.abs();
        ui.label(
            RichText::new(format!(
                "probe {}: α = {}, φ = {}, φ′ = {}  {} decrease, {} curvature",
                k + 1,
                short(p[0]),
                short(p[1]),
                short(p[2]),
                if decrease { "✓" } else { "✗" },
                if flat { "✓" } else { "✗" }
            ))
            .monospace()
            .size(12.0),
        );
    }
}
