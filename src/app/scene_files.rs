//! Scene files from the app: Open (Ctrl+O), Save (Ctrl+S), Save as (Ctrl+Shift+S), recent
//! files, and scene files dropped on the window. A file that cannot be read or used is refused
//! with a message and the scene on show stays.

use super::Explorer;
use super::files::{FileBrowser, Purpose};
use crate::race::Command;
use crate::scene::Scene;
use eframe::egui;
use std::path::{Path, PathBuf};

/// The key of the recent files in eframe's storage.
pub const RECENT_KEY: &str = "downhill-recent-scenes";

/// The most recent files remembered.
const MAX_RECENT: usize = 8;

/// The file dialog open for scenes, if any.
pub enum SceneDialog {
    /// Choosing a scene to open.
    Open(FileBrowser),
    /// Choosing where to save the scene.
    Save(FileBrowser),
}

/// The title and caption shown over the view.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Caption {
    /// A short title.
    pub title: String,
    /// What to look at.
    pub text: String,
}

impl Explorer {
    /// The scene on show as a file holds it: the race's setup, how it is shown (the step on
    /// show included), and the title and caption over it.
    pub fn scene_now(&self) -> Scene {
        let mut scene = Scene::of(&self.race, self.shown_now());
        if let Some(c) = &self.caption {
            scene.title = c.title.clone();
            scene.caption = c.text.clone();
        }
        scene
    }

    /// Shows `scene`: its race at its step, how it is shown and its caption.
    pub fn show_scene(&mut self, scene: &Scene) -> Result<(), String> {
        let mut race = scene.build().map_err(|e| e.to_string())?;
        let (view, _) = scene.view.sanitized();
        race.apply(Command::Step(view.step as i64));
        self.show_race(race);
        self.shown = view;
        self.playing = false;
        self.caption = (!scene.title.is_empty() || !scene.caption.is_empty()).then(|| Caption {
            title: scene.title.clone(),
            text: scene.caption.clone(),
        });
        Ok(())
    }

    /// Opens the scene file at `path`; on failure the message is the notice and the scene on
    /// show stays.
    pub fn open_scene_file(&mut self, path: &Path) -> Result<(), String> {
        let opened = Scene::load(path).and_then(|scene| self.show_scene(&scene));
        match &opened {
            Ok(()) => {
                self.scene_file = Some(path.to_path_buf());
                self.remember(path);
                self.notice = None;
            }
            Err(e) => self.notice = Some(format!("The scene was not opened: {e}")),
        }
        opened
    }

    /// Writes the scene on show to `path` (whole or not at all).
    pub fn save_scene_file(&mut self, path: &Path) -> Result<(), String> {
        let text = self.scene_now().to_toml();
        let saved = crate::files::write_output(path, text.as_bytes());
        match &saved {
            Ok(()) => {
                self.scene_file = Some(path.to_path_buf());
                self.remember(path);
                self.notice = Some(format!("Saved {}", path.display()));
            }
            Err(e) => self.notice = Some(format!("The scene was not saved: {e}")),
        }
        saved
    }

    /// Puts `path` first in the recent files.
    fn remember(&mut self, path: &Path) {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(MAX_RECENT);
    }

    /// The recent files as kept between launches (one path per line).
    pub fn recent_text(&self) -> String {
        self.recent
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Takes the recent files from what [`Explorer::recent_text`] kept.
    pub fn set_recent(&mut self, text: &str) {
        self.recent = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(MAX_RECENT)
            .map(PathBuf::from)
            .collect();
    }

    /// Saves to the scene's own file, or asks where.
    pub fn save(&mut self) {
        match self.scene_file.clone() {
            Some(path) => {
                let _ = self.save_scene_file(&path);
            }
            None => self.save_as(),
        }
    }

    /// Asks where to save the scene.
    pub fn save_as(&mut self) {
        let name = self
            .scene_file
            .as_deref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("{}.toml", self.race.surface().name().replace(':', "-")));
        let dir = self
            .scene_file
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        self.scene_dialog = Some(SceneDialog::Save(FileBrowser::new(
            "Save the scene",
            Purpose::Save {
                name,
                extension: "toml",
            },
            dir,
        )));
    }

    /// Asks which scene file to open.
    pub fn open_dialog(&mut self) {
        let dir = self
            .scene_file
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        self.scene_dialog = Some(SceneDialog::Open(FileBrowser::new(
            "Open a scene",
            Purpose::Open {
                extensions: &["toml"],
            },
            dir,
        )));
    }

    /// The open or save dialog, while one is open.
    pub(super) fn scene_dialogs(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.scene_dialog else {
            return;
        };
        let mut open = true;
        let (chosen, saving) = match dialog {
            SceneDialog::Open(b) => (b.show(ctx, &mut open), false),
            SceneDialog::Save(b) => (b.show(ctx, &mut open), true),
        };
        if let Some(path) = chosen {
            open = false;
            let _ = if saving {
                self.save_scene_file(&path)
            } else {
                self.open_scene_file(&path)
            };
        }
        if !open {
            self.scene_dialog = None;
        }
    }

    /// The Scene menu: open, save, save as, recent files.
    pub(super) fn scene_menu(&mut self, ui: &mut egui::Ui) {
        ui.menu_button("Scene", |ui| {
            if ui
                .add(egui::Button::new("Open…").shortcut_text("Ctrl+O"))
                .clicked()
            {
                self.open_dialog();
                ui.close();
            }
            if ui
                .add(egui::Button::new("Save").shortcut_text("Ctrl+S"))
                .clicked()
            {
                self.save();
                ui.close();
            }
            if ui
                .add(egui::Button::new("Save as…").shortcut_text("Ctrl+Shift+S"))
                .clicked()
            {
                self.save_as();
                ui.close();
            }
            self.export_menu(ui);
            ui.separator();
            ui.label(egui::RichText::new("Recent").weak());
            if self.recent.is_empty() {
                ui.label(egui::RichText::new("(none yet)").weak());
            }
            for path in self.recent.clone() {
                let name = super::files::file_name(&path);
                if ui
                    .button(name)
                    .on_hover_text(path.display().to_string())
                    .clicked()
                {
                    let _ = self.open_scene_file(&path);
                    ui.close();
                }
            }
        })
        .response
        .on_hover_text("Save the scene on show as a file, open one, or one opened lately");
    }

    /// Ctrl+O, Ctrl+S, Ctrl+Shift+S, Ctrl+E.
    pub(super) fn scene_keys(&mut self, ctx: &egui::Context) {
        use egui::{Key, KeyboardShortcut, Modifiers};
        let save_as = KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
        let save = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
        let open = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
        if ctx.input_mut(|i| i.consume_shortcut(&save_as)) {
            self.save_as();
        } else if ctx.input_mut(|i| i.consume_shortcut(&save)) {
            self.save();
        }
        if ctx.input_mut(|i| i.consume_shortcut(&open)) {
            self.open_dialog();
        }
        let export = KeyboardShortcut::new(Modifiers::COMMAND, Key::E);
        if ctx.input_mut(|i| i.consume_shortcut(&export)) {
            self.ask_png();
        }
    }
}
