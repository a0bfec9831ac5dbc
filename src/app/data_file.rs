//! Your own CSV as a surface: pick a file, then its feature and target columns, and the line
//! w·x + b through them becomes the surface (`linear:PATH:FEATURE:TARGET`).

use super::files::{FileBrowser, Purpose};
use crate::data::{DatasetSource, Target};
use eframe::egui::{self, Color32};
use std::path::PathBuf;

/// The file picker and the columns of the file picked.
#[derive(Default)]
pub struct DataFilePicker {
    browser: Option<FileBrowser>,
    picked: Option<Picked>,
    error: Option<String>,
}

/// A CSV that was read, and the columns chosen from it.
struct Picked {
    path: PathBuf,
    /// Its numeric columns (features, then the target).
    columns: Vec<String>,
    feature: usize,
    target: usize,
}

impl Picked {
    /// The model on data the chosen columns make.
    fn model_name(&self) -> String {
        format!(
            "linear:{}:{}:{}",
            self.path.display(),
            self.columns[self.feature],
            self.columns[self.target]
        )
    }
}

impl DataFilePicker {
    /// The "your CSV" row: a button that opens the browser, then two column pickers and a
    /// button that returns the model's name (`linear:PATH:FEATURE:TARGET`) when pressed.
    pub fn show(&mut self, ui: &mut egui::Ui) -> Option<String> {
        let mut chosen = None;
        if ui
            .button("Your CSV…")
            .on_hover_text(
                "Fit a line through two columns of your own CSV file (a header row, numeric \
                 values): pick the file, then the feature (x) and the target (y)",
            )
            .clicked()
        {
            let dir = self
                .picked
                .as_ref()
                .and_then(|p| p.path.parent().map(PathBuf::from));
            self.browser = Some(FileBrowser::new(
                "A CSV for the surface",
                Purpose::Open {
                    extensions: &["csv"],
                },
                dir,
            ));
        }
        if let Some(browser) = &mut self.browser {
            let mut open = true;
            if let Some(path) = browser.show(ui.ctx(), &mut open) {
                open = false;
                self.read(path);
            }
            if !open {
                self.browser = None;
            }
        }
        if let Some(p) = &mut self.picked {
            ui.horizontal(|ui| {
                egui::ComboBox::new("csv-feature", "x")
                    .selected_text(p.columns[p.feature].clone())
                    .show_ui(ui, |ui| {
                        for (i, c) in p.columns.iter().enumerate() {
                            ui.selectable_value(&mut p.feature, i, c);
                        }
                    });
                egui::ComboBox::new("csv-target", "y")
                    .selected_text(p.columns[p.target].clone())
                    .show_ui(ui, |ui| {
                        for (i, c) in p.columns.iter().enumerate() {
                            ui.selectable_value(&mut p.target, i, c);
                        }
                    });
                let distinct = p.feature != p.target;
                if ui
                    .add_enabled(distinct, egui::Button::new("Fit"))
                    .on_disabled_hover_text("Pick two different columns")
                    .clicked()
                {
                    chosen = Some(p.model_name());
                }
            });
        }
        if let Some(e) = &self.error {
            ui.colored_label(Color32::from_rgb(255, 140, 110), e);
        }
        chosen
    }

    /// Reads the header and columns of `path` (the file's checks and messages are the Train
    /// view's: size, regular file, line and column of a bad value).
    fn read(&mut self, path: PathBuf) {
        let source = DatasetSource::File {
            path: path.clone(),
            target: None,
        };
        match source.load(0, true) {
            Ok(data) => {
                let mut columns = data.features.clone();
                if matches!(data.target, Target::Values(_)) {
                    columns.push(data.target_name.clone());
                }
                if columns.len() < 2 {
                    self.error = Some(format!(
                        "{} has {} numeric column(s); a line needs two",
                        path.display(),
                        columns.len()
                    ));
                    self.picked = None;
                    return;
                }
                let target = columns.len() - 1;
                self.picked = Some(Picked {
                    path,
                    columns,
                    feature: 0,
                    target,
                });
                self.error = None;
            }
            Err(e) => {
                self.error = Some(e.to_string());
                self.picked = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picked_csv_offers_its_columns_and_makes_a_surface() {
        let dir = std::env::temp_dir().join(format!("downhill-csv-pick-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cars.csv");
        std::fs::write(
            &path,
            "speed,weight,dist\n4,2,2\n7,3,4\n8,1,16\n9,4,10\n10,2,18\n",
        )
        .unwrap();
        let mut picker = DataFilePicker::default();
        picker.read(path.clone());
        let picked = picker.picked.as_mut().expect("read");
        assert_eq!(picked.columns, ["speed", "weight", "dist"]);
        picked.feature = 0;
        let name = picked.model_name();
        assert_eq!(name, format!("linear:{}:speed:dist", path.display()));
        let spec = crate::surfaces::DataSpec::parse(&name).unwrap().unwrap();
        let surface = crate::surfaces::Surface::data(spec).unwrap();
        assert_eq!(surface.data_model().unwrap().rows(), 5);
        // A file that is not a table: a message, no columns.
        std::fs::write(&path, "just one column\n1\n2\n").unwrap();
        picker.read(path);
        assert!(picker.picked.is_none() && picker.error.is_some());
        std::fs::remove_dir_all(&dir).ok();
    }
}
