//! The timeline under the map: a scrub bar over the steps taken (drag to any step; the plots'
//! cursor follows), an editable step number, and two marks between which playback loops, for
//! replaying the interesting moment of a lecture ([ and ] set them at the step on show, \ clears
//! them).

use super::Explorer;
use crate::race::Command;
use eframe::egui::{self, RichText};

/// The loop marks: playback jumps from the second back to the first.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoopMarks {
    /// Where the loop starts.
    pub from: Option<u64>,
    /// Where it ends.
    pub to: Option<u64>,
}

impl LoopMarks {
    /// The loop, when both marks are set and in order.
    pub fn span(&self) -> Option<(u64, u64)> {
        match (self.from, self.to) {
            (Some(a), Some(b)) if a < b => Some((a, b)),
            _ => None,
        }
    }
}

impl Explorer {
    /// The steps recorded so far by the longest run.
    fn recorded(&self) -> u64 {
        self.race
            .lanes()
            .iter()
            .map(|l| l.track.points.len().saturating_sub(1) as u64)
            .max()
            .unwrap_or(0)
    }

    /// Moves the step on show to `step` (stepping the runs on if they have not got there).
    pub fn go_to(&mut self, step: u64) {
        let delta = step as i64 - self.race.cursor() as i64;
        if delta != 0 {
            self.apply(vec![Command::Step(delta)]);
        }
    }

    /// The scrub bar row.
    pub(super) fn timeline(&mut self, ui: &mut egui::Ui) {
        let recorded = self.recorded().max(self.race.cursor()).max(1);
        ui.horizontal(|ui| {
            let mut step = self.race.cursor();
            let width = (ui.available_width() - 330.0).max(120.0);
            ui.spacing_mut().slider_width = width;
            let r = ui
                .add(egui::Slider::new(&mut step, 0..=recorded).show_value(false))
                .on_hover_text("Drag to any step taken so far");
            if r.changed() {
                self.playing = false;
                self.go_to(step);
            }
            // The loop marks over the bar.
            let rect = r.rect;
            let x = |s: u64| rect.left() + rect.width() * (s as f32 / recorded as f32);
            let painter = ui.painter();
            for mark in [self.loop_marks.from, self.loop_marks.to]
                .into_iter()
                .flatten()
            {
                let at = egui::pos2(x(mark.min(recorded)), rect.center().y);
                painter.line_segment(
                    [at - egui::vec2(0.0, 8.0), at + egui::vec2(0.0, 8.0)],
                    egui::Stroke::new(2.5, egui::Color32::from_rgb(240, 190, 80)),
                );
            }
            let mut typed = self.race.cursor();
            if ui
                .add(
                    egui::DragValue::new(&mut typed)
                        .range(0..=crate::race::MAX_STEPS)
                        .prefix("step "),
                )
                .on_hover_text("Type a step to go to it")
                .changed()
            {
                self.playing = false;
                self.go_to(typed);
            }
            let marks = self.loop_marks;
            if ui
                .small_button("[")
                .on_hover_text("Loop from here ([)")
                .clicked()
            {
                self.loop_marks.from = Some(self.race.cursor());
            }
            if ui
                .small_button("]")
                .on_hover_text("Loop to here (])")
                .clicked()
            {
                self.loop_marks.to = Some(self.race.cursor());
            }
            if marks != LoopMarks::default() {
                let text = match marks.span() {
                    Some((a, b)) => format!("loop {a}–{b}"),
                    None => "loop: set [ before ]".into(),
                };
                ui.label(RichText::new(text).weak());
                if ui.small_button("✖").on_hover_text("No loop (\\)").clicked() {
                    self.loop_marks = LoopMarks::default();
                }
            }
        });
    }

    /// [ and ] set the loop marks at the step on show, \ clears them.
    pub(super) fn timeline_keys(&mut self, ctx: &egui::Context) {
        let (from, to, clear) = ctx.input(|i| {
            let typed = |c: &str| {
                i.events
                    .iter()
                    .any(|e| matches!(e, egui::Event::Text(t) if t == c))
            };
            (
                typed("[") || i.key_pressed(egui::Key::OpenBracket),
                typed("]") || i.key_pressed(egui::Key::CloseBracket),
                typed("\\") || i.key_pressed(egui::Key::Backslash),
            )
        });
        if from {
            self.loop_marks.from = Some(self.race.cursor());
        }
        if to {
            self.loop_marks.to = Some(self.race.cursor());
        }
        if clear {
            self.loop_marks = LoopMarks::default();
        }
    }

    /// While playing a loop: past its end (or at the end of every run), back to its start.
    pub(super) fn wrap_loop(&mut self) {
        if let Some((a, b)) = self.loop_marks.span()
            && (self.race.cursor() >= b || self.race.finished())
        {
            self.go_to(a);
        }
    }
}
