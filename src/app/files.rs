//! The app's file browser: a small window to walk folders and pick a file to open, or to
//! choose where to save (asking before it replaces a file), and writing files safely
//! (a temporary file renamed into place, so a failed write never leaves half a file).

use eframe::egui::{self, RichText};
use std::path::{Path, PathBuf};

/// What the browser is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    /// Pick an existing file with one of these extensions.
    Open {
        /// Extensions offered, lower case without the dot.
        extensions: &'static [&'static str],
    },
    /// Choose a path to write, starting from this file name.
    Save {
        /// The name proposed.
        name: String,
        /// The extension the file gets.
        extension: &'static str,
    },
}

/// The browser's state: open or not, the folder shown, the name typed, a pending question.
#[derive(Clone, Debug)]
pub struct FileBrowser {
    /// Title of the window.
    pub title: String,
    /// What it is for.
    pub purpose: Purpose,
    /// The folder shown.
    pub dir: PathBuf,
    /// The file name typed (saving).
    pub name: String,
    /// A file that exists and would be replaced: the question is being asked.
    confirm: Option<PathBuf>,
    /// Why the last choice cannot be used.
    error: Option<String>,
}

impl FileBrowser {
    /// A browser in `dir` (the working directory when `None`).
    pub fn new(title: &str, purpose: Purpose, dir: Option<PathBuf>) -> Self {
        let name = match &purpose {
            Purpose::Save { name, .. } => name.clone(),
            Purpose::Open { .. } => String::new(),
        };
        Self {
            title: title.to_string(),
            purpose,
            dir: dir
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| PathBuf::from(".")),
            name,
            confirm: None,
            error: None,
        }
    }

    /// Draws the window; returns the chosen path once (the browser should then be closed),
    /// and sets `open` to false when the user closes it.
    pub fn show(&mut self, ctx: &egui::Context, open: &mut bool) -> Option<PathBuf> {
        let mut chosen = None;
        let mut go: Option<PathBuf> = None;
        let extensions: Vec<&str> = match &self.purpose {
            Purpose::Open { extensions } => extensions.to_vec(),
            Purpose::Save { extension, .. } => vec![extension],
        };
        let entries = listing(&self.dir, &extensions);
        egui::Window::new(self.title.clone())
            .open(open)
            .default_size([440.0, 440.0])
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label(RichText::new(self.dir.display().to_string()).monospace());
                if let Some(parent) = self.dir.parent()
                    && ui
                        .button("⬆ up")
                        .on_hover_text("The folder above")
                        .clicked()
                {
                    go = Some(parent.to_path_buf());
                }
                let area = egui::ScrollArea::vertical().max_height(260.0);
                crate::app::scroll::show(ui, area, |ui| {
                    for (is_dir, path) in &entries {
                        let name = file_name(path);
                        let label = if *is_dir {
                            format!("{name}/")
                        } else {
                            name.clone()
                        };
                        if ui.selectable_label(false, label).clicked() {
                            if *is_dir {
                                go = Some(path.clone());
                            } else if matches!(self.purpose, Purpose::Open { .. }) {
                                chosen = Some(path.clone());
                            } else {
                                self.name = name;
                            }
                        }
                    }
                    if entries.is_empty() {
                        let kinds = extensions
                            .iter()
                            .map(|e| format!(".{e}"))
                            .collect::<Vec<_>>()
                            .join(" or ");
                        ui.label(RichText::new(format!("no folders or {kinds} files here")).weak());
                    }
                });
                if let Purpose::Save { extension, .. } = &self.purpose {
                    let extension = *extension;
                    ui.separator();
                    ui.horizontal(|ui| {
                        ui.label("file name");
                        ui.text_edit_singleline(&mut self.name);
                    });
                    match self.confirm.clone() {
                        Some(path) => {
                            ui.label(
                                RichText::new(format!("{} exists. Replace it?", file_name(&path)))
                                    .color(egui::Color32::from_rgb(240, 190, 80)),
                            );
                            ui.horizontal(|ui| {
                                if ui.button("Replace").clicked() {
                                    chosen = Some(path);
                                }
                                if ui.button("Cancel").clicked() {
                                    self.confirm = None;
                                }
                            });
                        }
                        None => {
                            if ui.button("Save").clicked() {
                                match self.target(extension) {
                                    Ok(path) if path.exists() => self.confirm = Some(path),
                                    Ok(path) => chosen = Some(path),
                                    Err(e) => self.error = Some(e),
                                }
                            }
                        }
                    }
                }
                if let Some(e) = &self.error {
                    ui.label(RichText::new(e).color(egui::Color32::LIGHT_RED));
                }
            });
        if let Some(dir) = go {
            self.dir = dir;
            self.confirm = None;
        }
        chosen
    }

    /// The path the typed name stands for, with the extension added when missing.
    fn target(&self, extension: &str) -> Result<PathBuf, String> {
        let name = self.name.trim();
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err("type a file name (without folders)".into());
        }
        let mut path = self.dir.join(name);
        if path
            .extension()
            .is_none_or(|e| !e.eq_ignore_ascii_case(extension))
        {
            path.set_extension(extension);
        }
        if path.is_dir() {
            return Err(format!("{} is a folder", path.display()));
        }
        Ok(path)
    }
}

/// Folders and the files with `extensions` in `dir`, folders first, hidden ones left out.
fn listing(dir: &Path, extensions: &[&str]) -> Vec<(bool, PathBuf)> {
    let mut entries: Vec<(bool, PathBuf)> = match std::fs::read_dir(dir) {
        Ok(read) => read
            .filter_map(Result::ok)
            .map(|e| (e.path().is_dir(), e.path()))
            .filter(|(is_dir, p)| {
                let hidden = p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                let wanted = p
                    .extension()
                    .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)));
                !hidden && (*is_dir || wanted)
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    entries
}

/// The last component of a path, for labels.
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_names_get_the_extension_and_no_folders() {
        let b = FileBrowser::new(
            "Save",
            Purpose::Save {
                name: "run".into(),
                extension: "toml",
            },
            Some(PathBuf::from("/tmp")),
        );
        assert_eq!(b.target("toml").unwrap(), PathBuf::from("/tmp/run.toml"));
        let mut b = b;
        b.name = "../etc/passwd".into();
        assert!(b.target("toml").is_err());
        b.name = "  ".into();
        assert!(b.target("toml").is_err());
    }
}
