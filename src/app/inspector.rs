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

    /// The window.
    pub fn window(&mut self, ctx: &egui::Context, race: &Race) {
        if !self.open {
            return;
        }
        let mut open = self.open;
        let labels = race.labels();
        let screen = ctx.content_rect();
        egui::Window::new("Explain a step")
            .open(&mut open)
            // Over the lower side panel, leaving the map free.
            .default_pos([screen.left() + 8.0, screen.top() + 0.38 * screen.height()])
            .default_size([420.0, 520.0])
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
                    Ok(e) => body(ui, e, race.surface()),
                }
            });
        self.open = open;
    }
}

/// The numbers and the slice.
fn body(ui: &mut egui::Ui, e: &StepExplanation, surface: &Surface) {
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
    egui::Grid::new("inspect-rule")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.label(RichText::new("θₜ₋₁").monospace());
            ui.label(RichText::new("where the ball is").weak());
            ui.label(RichText::new(format!("({})", pair(&e.theta))).monospace());
            ui.end_row();
            for line in &e.rule {
                ui.label(RichText::new(&line.symbol).monospace().strong());
                ui.label(RichText::new(&line.formula).weak());
                ui.label(RichText::new(format!("({})", pair(&line.value))).monospace());
                ui.end_row();
            }
            ui.label(RichText::new("θₜ").monospace());
            ui.label(RichText::new("θₜ₋₁ + Δθ, where it lands").weak());
            ui.label(RichText::new(format!("({})", pair(&e.theta_after))).monospace());
            ui.end_row();
            ui.label(RichText::new("f").monospace());
            ui.label(RichText::new("before → after").weak());
            ui.label(
                RichText::new(format!("{} → {}", short(e.loss), short(e.loss_after))).monospace(),
            );
            ui.end_row();
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
            .height(150.0)
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
