//! Keyboard shortcuts and files dropped on the window.

use super::{Explorer, PRESET_KEYS, ViewMode, train};
use crate::presets::presets;
use crate::race::Command;
use eframe::egui::{self, Key};

impl Explorer {
    /// Keyboard shortcuts.
    pub(super) fn keys(&mut self, ctx: &egui::Context) {
        // Tab is ours (panels), not egui's focus navigation: drop any focus it just gave.
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Tab)) {
            self.panels_hidden = !self.panels_hidden;
            self.drop_focus = true;
        }
        self.scene_keys(ctx);
        self.zoom_keys(ctx);
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        if self.deck_keys(ctx) {
            return;
        }
        if self.shown.mode == ViewMode::Train {
            self.train_keys(ctx);
            return;
        }
        self.timeline_keys(ctx);
        self.quiz_keys(ctx);
        let mut commands = Vec::new();
        ctx.input(|i| {
            if i.key_pressed(Key::Space) {
                self.playing = !self.playing;
            }
            if i.key_pressed(Key::ArrowRight) {
                self.playing = false;
                commands.push(Command::Step(1));
            }
            if i.key_pressed(Key::ArrowLeft) {
                self.playing = false;
                commands.push(Command::Step(-1));
            }
            if i.key_pressed(Key::R) {
                self.playing = false;
                commands.push(Command::Reset);
            }
            if i.key_pressed(Key::F11) {
                let fullscreen = i.viewport().fullscreen.unwrap_or(false);
                ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(!fullscreen));
            }
            if i.key_pressed(Key::P) {
                self.presenting = !self.presenting;
            }
            if i.key_pressed(Key::V) {
                self.shown.mode = self.shown.mode.next();
            }
        });
        for (key, preset) in PRESET_KEYS.into_iter().zip(presets()) {
            if ctx.input(|i| i.key_pressed(key)) {
                self.load(preset);
            }
        }
        self.apply(commands);
    }

    /// Ctrl + plus (or =) and Ctrl + minus zoom everything by a tenth, Ctrl + 0 back to
    /// the mode's own size; in every view and mode (egui's own zoom keys are off: the
    /// presentation's zoom is set every frame).
    fn zoom_keys(&mut self, ctx: &egui::Context) {
        use egui::gui_zoom::kb_shortcuts as zoom;
        if ctx.options(|o| o.zoom_with_keyboard) {
            ctx.options_mut(|o| o.zoom_with_keyboard = false);
        }
        let (reset, bigger, smaller) = ctx.input_mut(|i| {
            (
                i.consume_shortcut(&zoom::ZOOM_RESET),
                i.consume_shortcut(&zoom::ZOOM_IN) || i.consume_shortcut(&zoom::ZOOM_IN_SECONDARY),
                i.consume_shortcut(&zoom::ZOOM_OUT),
            )
        });
        if reset {
            self.text_scale = 1.0;
        }
        if bigger {
            self.text_scale = (self.text_scale * 1.1).min(2.5);
        }
        if smaller {
            self.text_scale = (self.text_scale / 1.1).max(0.5);
        }
    }

    /// Keys of the training view: Space trains or pauses, R restarts, V and P as elsewhere.
    fn train_keys(&mut self, ctx: &egui::Context) {
        let (space, r, v, p) = ctx.input(|i| {
            (
                i.key_pressed(Key::Space),
                i.key_pressed(Key::R),
                i.key_pressed(Key::V),
                i.key_pressed(Key::P),
            )
        });
        if space {
            if self.trainer.playing {
                self.trainer.pause();
            } else {
                self.trainer.play(ctx);
            }
        }
        if r {
            self.trainer.restart();
        }
        if v {
            self.shown.mode = self.shown.mode.next();
        }
        if p {
            self.presenting = !self.presenting;
        }
    }

    /// Files dropped on the window: a scene file opens as the scene; a CSV or model spec opens
    /// in the training view.
    pub(super) fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(path) = dropped.last() {
            if is_scene_file(path) {
                let _ = self.open_scene_file(path);
                return;
            }
            self.shown.mode = ViewMode::Train;
            train::controls::open_path(&mut self.trainer, path);
        }
    }
}

/// Whether `path` is a scene file (a TOML file with a `version` and `racers`), not a model
/// spec.
fn is_scene_file(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        && crate::files::read_text_file(path)
            .ok()
            .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
            .is_some_and(|t| t.contains_key("version") && t.contains_key("racers"))
}
