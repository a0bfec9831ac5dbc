//! The strip over the view: the title and caption of the scene or slide on show, large and in
//! full contrast for the back of a room, a notice to dismiss, and a quiz's question. Shown in
//! every view, the Train view too.

use super::{Explorer, ViewMode};
use eframe::egui::{self, RichText};

/// The caption's text size in points (the presentation zoom scales it with the window).
pub const CAPTION_SIZE: f32 = 16.0;
/// The title's.
pub const TITLE_SIZE: f32 = 18.0;

impl Explorer {
    /// The strip, when there is anything to show in it.
    pub(super) fn caption_strip(&mut self, ui: &mut egui::Ui) {
        let quiz = self.shown.mode != ViewMode::Train && self.quiz.is_some();
        if self.caption.is_none() && self.notice.is_none() && !quiz {
            return;
        }
        egui::Panel::top("caption").show(ui, |ui| {
            ui.add_space(2.0);
            self.caption_lines(ui);
            ui.add_space(2.0);
        });
    }

    /// The notice, the title and caption, and the quiz's question, one under the other.
    pub(super) fn caption_lines(&mut self, ui: &mut egui::Ui) {
        let strong = ui.visuals().strong_text_color();
        if let Some(notice) = self.notice.clone() {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(notice).color(egui::Color32::from_rgb(240, 190, 80)));
                if !self.exporting && ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                    self.notice = None;
                }
            });
        }
        if let Some(c) = self.caption.clone() {
            let mut open = true;
            ui.horizontal_wrapped(|ui| {
                if !c.title.is_empty() {
                    ui.label(
                        RichText::new(c.title)
                            .strong()
                            .size(TITLE_SIZE)
                            .color(strong),
                    );
                }
                ui.label(RichText::new(c.text).size(CAPTION_SIZE).color(strong));
                // Not in presentation: it would take a line of its own.
                if !self.exporting
                    && !self.presenting
                    && ui
                        .small_button("✖")
                        .on_hover_text("Hide the caption")
                        .clicked()
                {
                    open = false;
                }
            });
            if !open {
                self.caption = None;
            }
        }
        if self.shown.mode != ViewMode::Train
            && let Some(q) = &self.quiz
        {
            ui.label(
                RichText::new(q.banner(&self.race))
                    .size(CAPTION_SIZE)
                    .strong()
                    .color(egui::Color32::from_rgb(255, 200, 90)),
            );
        }
    }
}
