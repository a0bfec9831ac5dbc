//! Deck mode: a lecture's slides one after another. PageDown / PageUp (what presenter clickers
//! send), → at the end of a slide and ← at its start, Home and End move between slides; a
//! counter in the toolbar; N opens the speaker notes in a window of their own.

use super::scene_files::Caption;
use super::{Explorer, ViewMode, train};
use crate::race::{Command, MAX_STEPS};

/// "end" on a scene saved at step 0: every run to its stop, at most this many steps (as the
/// toolbar's Run to end).
pub const END_CAP: u64 = 20_000;
use crate::scene::deck::{Content, Deck, OnEnter, Pictures};
use eframe::egui::{self, Key, RichText};

/// The deck on show and where it is.
pub struct DeckState {
    /// The slides.
    pub deck: Deck,
    /// The slide on show.
    pub index: usize,
    /// The speaker notes' window is open.
    pub notes_open: bool,
}

impl Explorer {
    /// Starts presenting `deck` at slide `first` (0-based, clamped to the deck), in
    /// presentation mode.
    pub fn open_deck(&mut self, deck: Deck, first: usize, ctx: Option<&egui::Context>) {
        self.deck = Some(DeckState {
            deck,
            index: 0,
            notes_open: false,
        });
        self.presenting = true;
        self.enter_slide(first, ctx);
    }

    /// Shows slide `i` (clamped to the deck) and does what it says on entering it.
    pub fn enter_slide(&mut self, i: usize, ctx: Option<&egui::Context>) {
        let Some(state) = &mut self.deck else {
            return;
        };
        let i = i.min(state.deck.slides.len() - 1);
        state.index = i;
        let slide = state.deck.slides[i].clone();
        match &slide.content {
            Content::Scene(scene) => {
                if let Err(e) = self.show_scene(scene) {
                    self.notice = Some(format!("Slide {} could not be shown: {e}", i + 1));
                    return;
                }
                if self.shown.mode == ViewMode::Train {
                    self.shown.mode = ViewMode::Flat;
                }
                // Every entry gives the same picture: playing stops at the lesson's step.
                self.stop_at = None;
                match slide.on_enter {
                    OnEnter::Play => self.play_lesson(),
                    OnEnter::Pause => {
                        self.apply(vec![Command::Reset]);
                        self.playing = false;
                    }
                    OnEnter::Jump(n) => {
                        self.playing = false;
                        self.go_to(n);
                    }
                    OnEnter::End => {
                        self.playing = false;
                        let end = self.lesson_end(END_CAP);
                        self.go_to(end);
                    }
                }
            }
            Content::Train(spec, pictures) => {
                self.shown.mode = ViewMode::Train;
                self.trainer = train::TrainView::launch(Some(spec), None);
                self.trainer.tab = match pictures {
                    Pictures::Predictions => train::PictureTab::Predictions,
                    Pictures::Landscape => train::PictureTab::Landscape,
                    Pictures::LrRange => train::PictureTab::LrRange,
                };
                if let Some(ctx) = ctx
                    && slide.on_enter != OnEnter::Pause
                {
                    self.trainer.play(ctx);
                }
            }
        }
        self.caption = Some(Caption {
            title: slide.title.clone(),
            text: slide.caption.clone(),
        });
        self.loop_marks = Default::default();
    }

    /// Goes to where the slide on show stops on its own (its lesson step when it plays to it),
    /// paused: the picture a screenshot of the slide shows.
    pub fn settle_slide(&mut self) {
        if let Some(stop) = self.stop_at.take() {
            self.go_to(stop);
        }
        self.playing = false;
    }

    /// Deck keys; true when one was used (then no other key handling sees it).
    pub(super) fn deck_keys(&mut self, ctx: &egui::Context) -> bool {
        let Some(state) = &self.deck else {
            return false;
        };
        let (i, last) = (state.index, state.deck.slides.len() - 1);
        let training = self.shown.mode == ViewMode::Train;
        // → past the end of a slide, ← before its start.
        let at_end = training || self.race.finished() || self.race.cursor() >= MAX_STEPS;
        let at_start = training || self.race.cursor() == 0;
        let target = ctx.input(|inp| {
            if inp.key_pressed(Key::PageDown) || (at_end && inp.key_pressed(Key::ArrowRight)) {
                Some((i + 1).min(last))
            } else if inp.key_pressed(Key::PageUp) || (at_start && inp.key_pressed(Key::ArrowLeft))
            {
                Some(i.saturating_sub(1))
            } else if inp.key_pressed(Key::Home) {
                Some(0)
            } else if inp.key_pressed(Key::End) {
                Some(last)
            } else {
                None
            }
        });
        if ctx.input(|inp| inp.key_pressed(Key::N))
            && let Some(state) = &mut self.deck
        {
            state.notes_open = !state.notes_open;
            return true;
        }
        match target {
            Some(t) if t != i => {
                self.enter_slide(t, Some(ctx));
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    /// The slide counter and arrows in the toolbar.
    pub(super) fn deck_counter(&mut self, ui: &mut egui::Ui) {
        let Some(state) = &self.deck else {
            return;
        };
        let (i, n) = (state.index, state.deck.slides.len());
        let title = state.deck.title.clone();
        ui.separator();
        if ui
            .small_button("◀")
            .on_hover_text("Previous slide (PageUp)")
            .clicked()
        {
            self.enter_slide(i.saturating_sub(1), Some(ui.ctx()));
        }
        ui.label(RichText::new(format!("{} / {n}", i + 1)).monospace())
            .on_hover_text(format!(
                "{title}: slide {} of {n}. PageDown / PageUp, Home, End; N: speaker notes",
                i + 1
            ));
        if ui
            .small_button("▶")
            .on_hover_text("Next slide (PageDown)")
            .clicked()
        {
            self.enter_slide(i + 1, Some(ui.ctx()));
        }
        if ui
            .small_button("✖")
            .on_hover_text("Leave the deck")
            .clicked()
        {
            self.deck = None;
        }
    }

    /// The speaker notes, in a window of their own (a second OS window where the platform
    /// has them), while open.
    pub(super) fn notes_window(&mut self, ctx: &egui::Context) {
        let Some(state) = &mut self.deck else {
            return;
        };
        if !state.notes_open {
            return;
        }
        let slide = &state.deck.slides[state.index];
        let next = state
            .deck
            .slides
            .get(state.index + 1)
            .map(|s| s.title.clone());
        let heading = format!(
            "{} / {}: {}",
            state.index + 1,
            state.deck.slides.len(),
            slide.title
        );
        let notes = slide.notes.clone();
        let mut close = false;
        ctx.show_viewport_immediate(
            egui::ViewportId::from_hash_of("speaker-notes"),
            egui::ViewportBuilder::default()
                .with_title("downhill — speaker notes")
                .with_inner_size([520.0, 360.0]),
            |ui, _class| {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.heading(&heading);
                    ui.separator();
                    ui.label(
                        RichText::new(if notes.is_empty() {
                            "(no notes)"
                        } else {
                            &notes
                        })
                        .size(18.0),
                    );
                    if let Some(next) = &next {
                        ui.separator();
                        ui.label(RichText::new(format!("next: {next}")).weak());
                    }
                });
                if ui.ctx().input(|i| i.viewport().close_requested()) {
                    close = true;
                }
            },
        );
        if close && let Some(state) = &mut self.deck {
            state.notes_open = false;
        }
    }
}
