//! The training workspace's side panel: the spec (dataset, model, batches, epochs,
//! optimizers) and opening a CSV or spec file, by path or by dropping it on the window.

use super::{SpecSource, TrainView};
use crate::app::files::{FileBrowser, Purpose, file_name};
use crate::app::view2d::text_rgb;
use crate::data::{DatasetKind, DatasetSource};
use crate::models::spec::{HpValue, OptimizerEntry, SHIPPED};
use crate::models::{Activation, Batch, BatchName, ModelKind, ModelSpec};
use crate::optim::OptimizerKind;
use eframe::egui::{self, RichText};
use std::path::{Path, PathBuf};

/// The most optimizers trained at once.
pub const MAX_OPTIMIZERS: usize = crate::limits::MAX_TRAIN_OPTIMIZERS;

/// The "open a file" row: a path typed or dropped, and the CSV's target column; the file
/// browsers for opening and for saving the spec.
#[derive(Clone, Debug, Default)]
pub struct OpenPanel {
    /// The path typed in.
    pub path: String,
    /// The target column of a CSV (empty: the last).
    pub target: String,
    /// The file browser for opening is open.
    pub browsing: bool,
    /// The folder the browsers start in (the working directory when `None`).
    pub dir: Option<PathBuf>,
    /// The browser for opening, while it is open.
    opener: Option<FileBrowser>,
    /// The browser asking where to save the spec, while it is open.
    saver: Option<FileBrowser>,
    /// Where the spec was last saved.
    pub saved: Option<PathBuf>,
}

/// Draws the panel; edits go straight into the view's spec, which is then set up again.
pub fn show(ui: &mut egui::Ui, view: &mut TrainView) {
    let before = view.spec.clone();
    let mut picked: Option<&'static str> = None;
    ui.horizontal(|ui| {
        ui.heading("Model");
        egui::ComboBox::from_label("spec")
            .selected_text(view.source.label().to_string())
            .show_ui(ui, |ui| {
                for (name, _) in SHIPPED {
                    let chosen = view.source == SpecSource::Shipped(name.to_string());
                    if ui.selectable_label(chosen, *name).clicked() && !chosen {
                        picked = Some(*name);
                    }
                }
            })
            .response
            .on_hover_text("Ready-made experiments; change anything below to make your own");
    });
    if !view.spec.about.is_empty() {
        ui.label(RichText::new(&view.spec.about).italics().weak());
    }
    ui.separator();
    dataset(ui, view);
    ui.separator();
    model(ui, view);
    ui.separator();
    training(ui, view);
    ui.separator();
    optimizers(ui, view);
    open_files(ui, view);
    if let Some(e) = &view.error {
        ui.separator();
        ui.label(RichText::new(e).color(egui::Color32::LIGHT_RED));
    }
    // Picking a shipped spec loads it as it is: not an edit.
    if let Some(name) = picked {
        let open = std::mem::take(&mut view.open);
        *view = TrainView::shipped(name);
        view.open = open;
        return;
    }
    if view.spec != before {
        let mut spec = view.spec.clone();
        let name = match &view.source {
            SpecSource::Shipped(n) => {
                // The edited spec says what it is now, so a saved copy does too.
                spec.name = format!("{n} (edited)");
                spec.about = format!("Edited from {n}: {}", before.about);
                spec.name.clone()
            }
            SpecSource::Custom(n) => n.clone(),
        };
        view.set_spec(spec, SpecSource::Custom(name));
    }
}

fn dataset(ui: &mut egui::Ui, view: &mut TrainView) {
    let current = match &view.spec.dataset {
        DatasetSource::Named(n) => n.clone(),
        DatasetSource::File { path, .. } => file_name(path),
    };
    egui::ComboBox::from_label("dataset")
        .selected_text(current)
        .show_ui(ui, |ui| {
            for name in DatasetKind::names() {
                let about = DatasetKind::from_name(name).map_or("", |k| k.about());
                if ui
                    .selectable_label(false, name)
                    .on_hover_text(about)
                    .clicked()
                {
                    view.spec.dataset = DatasetSource::Named(name.to_string());
                }
            }
        });
    if let Some(p) = &view.problem {
        let split = &p.experiment.split;
        let task = match split.class_names.len() {
            0 => "regression".to_string(),
            k => format!("{k} classes"),
        };
        ui.label(format!(
            "{} rows × {} features, {task}; {} train / {} validation",
            p.data.n, p.data.d, split.train.n, split.val.n
        ));
        if split.standardized {
            ui.label(RichText::new("Features standardised (training rows' mean and std).").weak());
        }
    }
}

fn model(ui: &mut egui::Ui, view: &mut TrainView) {
    let mut refused_widths: Option<String> = None;
    let refused = &mut refused_widths;
    let m = &mut view.spec.model;
    egui::ComboBox::from_label("model")
        .selected_text(m.kind.name())
        .show_ui(ui, |ui| {
            for kind in [
                ModelKind::Linear,
                ModelKind::Logistic,
                ModelKind::Softmax,
                ModelKind::Mlp,
            ] {
                ui.selectable_value(&mut m.kind, kind, kind.name())
                    .on_hover_text(kind.about());
            }
        });
    if m.kind == ModelKind::Mlp {
        let mut text = m
            .hidden
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join(",");
        ui.horizontal(|ui| {
            let edit = ui
                .add(egui::TextEdit::singleline(&mut text).desired_width(90.0))
                .on_hover_text("Hidden layer widths, e.g. 32 or 64,32");
            ui.label("hidden");
            if edit.lost_focus() || edit.changed() {
                let widths: Option<Vec<usize>> = text
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().parse().ok())
                    .collect();
                // The same limits as the command line and spec files; a refusal says why.
                match widths.filter(|w| !w.is_empty()) {
                    Some(w) => match crate::limits::hidden(&w) {
                        Ok(()) => m.hidden = w,
                        Err(e) if edit.lost_focus() => *refused = Some(e.to_string()),
                        Err(_) => {}
                    },
                    None if edit.lost_focus() => {
                        *refused = Some(format!(
                            "'{}' is not a list of layer widths (e.g. 64,32)",
                            crate::limits::echo(&text)
                        ))
                    }
                    None => {}
                }
            }
            egui::ComboBox::from_label("activation")
                .selected_text(m.activation.name())
                .show_ui(ui, |ui| {
                    for a in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
                        ui.selectable_value(&mut m.activation, a, a.name());
                    }
                });
        });
    }
    ui.horizontal(|ui| {
        ui.add(
            egui::DragValue::new(&mut m.l2)
                .speed(1e-4)
                .range(0.0..=10.0)
                .clamp_existing_to_range(false)
                .prefix("L2 "),
        )
        .on_hover_text("(λ₂/2)·Σw² added to the loss (weights, not biases)");
        ui.add(
            egui::DragValue::new(&mut m.l1)
                .speed(1e-4)
                .range(0.0..=10.0)
                .clamp_existing_to_range(false)
                .prefix("L1 "),
        )
        .on_hover_text("λ₁·Σ|w| added to the loss (weights, not biases)");
    });
    if let Some(why) = refused_widths {
        view.error = Some(why);
    }
}

fn training(ui: &mut egui::Ui, view: &mut TrainView) {
    let t = &mut view.spec.training;
    ui.horizontal(|ui| {
        ui.label("batch");
        let full = t.batch == Batch::Named(BatchName::Full);
        let single = t.batch == Batch::Named(BatchName::Single);
        if ui
            .selectable_label(full, "full")
            .on_hover_text("Every training row each step")
            .clicked()
        {
            t.batch = Batch::Named(BatchName::Full);
        }
        if ui
            .selectable_label(single, "1")
            .on_hover_text("One row per step (SGD)")
            .clicked()
        {
            t.batch = Batch::Named(BatchName::Single);
        }
        let mut size = match t.batch {
            Batch::Size(s) => s,
            _ => 32,
        };
        let sized = matches!(t.batch, Batch::Size(_));
        let r = ui.add(
            egui::DragValue::new(&mut size)
                .range(1..=crate::limits::MAX_BATCH)
                .speed(1.0),
        );
        if r.changed() || (r.clicked() && !sized) {
            t.batch = Batch::Size(size);
        }
    });
    ui.horizontal(|ui| {
        ui.add(
            egui::DragValue::new(&mut t.epochs)
                .range(0..=crate::limits::MAX_EPOCHS)
                .prefix("epochs "),
        );
        ui.add(egui::DragValue::new(&mut t.seed).prefix("seed "))
            .on_hover_text("Seed of the split, the initial weights and the batch order");
    });
    ui.horizontal(|ui| {
        ui.add(
            egui::Slider::new(&mut t.validation, 0.0..=crate::limits::MAX_VALIDATION)
                .text("validation")
                .custom_formatter(|v, _| format!("{:.0}%", v * 100.0)),
        )
        .on_hover_text("Share of the rows held out to measure generalisation");
    });
    ui.horizontal(|ui| {
        let mut clip = t.clip_norm.is_some();
        ui.checkbox(&mut clip, "clip ‖g‖")
            .on_hover_text("Rescale each minibatch gradient to at most this Euclidean norm");
        let mut c = t.clip_norm.unwrap_or(1.0);
        ui.add_enabled(
            clip,
            egui::DragValue::new(&mut c)
                .range(1e-3..=crate::limits::MAX_CLIP)
                .clamp_existing_to_range(false)
                .speed(0.01),
        );
        t.clip_norm = clip.then_some(c);
        ui.add(
            egui::DragValue::new(&mut t.noise)
                .range(0.0..=crate::limits::MAX_NOISE)
                .speed(0.001)
                .prefix("noise σ "),
        )
        .on_hover_text("Gaussian noise added to every gradient coordinate (seeded)");
    });
    ui.horizontal(|ui| {
        let mut early = t.patience.is_some();
        ui.checkbox(&mut early, "early stopping").on_hover_text(
            "Stop a run when its validation loss has not improved for this many epochs",
        );
        let mut patience = t.patience.unwrap_or(10);
        ui.add_enabled(
            early,
            egui::DragValue::new(&mut patience).range(1..=crate::limits::MAX_EPOCHS),
        );
        t.patience = early.then_some(patience);
    });
}

fn optimizers(ui: &mut egui::Ui, view: &mut TrainView) {
    ui.horizontal(|ui| {
        ui.heading("Optimizers");
        ui.add_enabled_ui(view.spec.optimizers.len() < MAX_OPTIMIZERS, |ui| {
            ui.menu_button("✚ Add", |ui| {
                for kind in OptimizerKind::all() {
                    if kind.oracle() == crate::engine::Oracle::Hessian {
                        continue; // models have no Hessian
                    }
                    if ui.button(kind.title()).clicked() {
                        view.spec.optimizers.push(OptimizerEntry {
                            name: kind.name().to_string(),
                            hp: Default::default(),
                            schedule: None,
                            batch: None,
                        });
                        ui.close();
                    }
                }
            });
        });
    });
    let mut remove = None;
    let colors: Vec<[u8; 3]> = view.runs.iter().map(|r| r.color).collect();
    for (k, entry) in view.spec.optimizers.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let color = colors.get(k).copied().unwrap_or([200, 200, 200]);
            ui.label(
                RichText::new(format!("● {}", entry.name))
                    .color(text_rgb(ui, color))
                    .strong(),
            );
            let default_lr = OptimizerKind::from_name(&entry.name)
                .ok()
                .and_then(|kind| {
                    kind.hyper_specs()
                        .iter()
                        .find(|s| s.name == "lr")
                        .map(|s| s.default)
                })
                .unwrap_or(1e-3);
            let mut lr = entry.hp.get("lr").map_or(default_lr, |v| v.as_f64());
            let r = ui.add(
                // A rate a spec gives outside the slider's span is shown as it is, never
                // rewritten (a rewrite would restart training every frame).
                egui::Slider::new(&mut lr, 1e-5..=1.0)
                    .logarithmic(true)
                    .clamping(egui::SliderClamping::Edits)
                    .text("lr"),
            );
            if r.drag_stopped() || (r.changed() && !r.dragged()) {
                entry.hp.insert("lr".into(), HpValue::Number(lr));
            }
            if ui.small_button("✖").on_hover_text("Remove").clicked() {
                remove = Some(k);
            }
        });
        own_settings(ui, k, entry);
    }
    if let Some(k) = remove.filter(|_| view.spec.optimizers.len() > 1) {
        view.spec.optimizers.remove(k);
    }
}

/// One optimizer's own batch size, schedule and weight decay (L2), under its row: so batch
/// sizes, schedules and regularisation can race side by side.
fn own_settings(ui: &mut egui::Ui, k: usize, entry: &mut OptimizerEntry) {
    let Ok(kind) = OptimizerKind::from_name(&entry.name) else {
        return;
    };
    let mut summary = Vec::new();
    if let Some(b) = entry.batch {
        summary.push(format!("batch {}", b.label()));
    }
    if let Some(s) = &entry.schedule {
        summary.push(s.split(':').next().unwrap_or(s).to_string());
    }
    let title = if summary.is_empty() {
        "batch, schedule, L2".to_string()
    } else {
        summary.join(", ")
    };
    egui::CollapsingHeader::new(RichText::new(title).weak().size(12.0))
        .id_salt(("train-optimizer-own", k))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label("batch").on_hover_text(
                    "Rows per step for this optimizer alone (\"as all\": the batch above)",
                );
                if ui
                    .selectable_label(entry.batch.is_none(), "as all")
                    .clicked()
                {
                    entry.batch = None;
                }
                let full = Batch::Named(BatchName::Full);
                if ui
                    .selectable_label(entry.batch == Some(full), "full")
                    .clicked()
                {
                    entry.batch = Some(full);
                }
                let single = Batch::Named(BatchName::Single);
                if ui
                    .selectable_label(entry.batch == Some(single), "1")
                    .on_hover_text("Stochastic: one row per step")
                    .clicked()
                {
                    entry.batch = Some(single);
                }
                let mut rows = match entry.batch {
                    Some(Batch::Size(n)) => n,
                    _ => 16,
                };
                let r = ui.add(
                    egui::DragValue::new(&mut rows)
                        .range(1..=crate::limits::MAX_BATCH)
                        .prefix("n = "),
                );
                if r.changed() {
                    entry.batch = Some(Batch::Size(rows));
                }
            });
            let mut schedule = entry
                .schedule
                .as_deref()
                .and_then(|s| crate::engine::Schedule::parse(s).ok())
                .unwrap_or_default();
            let id = format!("train-{k}");
            if crate::app::side_panel::schedule_editor(ui, &id, "schedule", &mut schedule) {
                entry.schedule =
                    (schedule != crate::engine::Schedule::Constant).then(|| schedule.text());
            }
            if let Some(spec) = kind.hyper_spec("weight_decay") {
                let mut wd = entry
                    .hp
                    .get("weight_decay")
                    .map_or(spec.default, |v| v.as_f64());
                let r = ui
                    .add(
                        egui::Slider::new(&mut wd, 0.0..=0.1)
                            .clamping(egui::SliderClamping::Edits)
                            .text("weight decay (L2)"),
                    )
                    .on_hover_text(spec.meaning);
                if r.drag_stopped() || (r.changed() && !r.dragged()) {
                    entry.hp.insert("weight_decay".into(), HpValue::Number(wd));
                }
            }
        });
}

fn open_files(ui: &mut egui::Ui, view: &mut TrainView) {
    ui.separator();
    ui.label(RichText::new("Your data").strong())
        .on_hover_text("A CSV with a header: numeric features and a target column (text labels become classes). Or a model spec (.toml). Drop either on the window too.");
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut view.open.path)
                .hint_text("path to .csv or .toml")
                .desired_width(170.0),
        );
        ui.add(
            egui::TextEdit::singleline(&mut view.open.target)
                .hint_text("target")
                .desired_width(60.0),
        )
        .on_hover_text("The CSV's target column (empty: the last)");
        if ui.button("Open").clicked() {
            let path = PathBuf::from(view.open.path.trim());
            open_path(view, &path);
        }
    });
    ui.horizontal(|ui| {
        if ui
            .button("Browse…")
            .on_hover_text("Pick a .csv or .toml file from a folder")
            .clicked()
        {
            view.open.browsing = true;
        }
        if ui
            .button("Save spec…")
            .on_hover_text(
                "Write the current setup as a .toml model spec: choose the folder and name",
            )
            .clicked()
        {
            let name = format!("{}.toml", slug(&view.spec.name));
            view.open.saver = Some(FileBrowser::new(
                "Save the model spec",
                Purpose::Save {
                    name,
                    extension: "toml",
                },
                view.open.dir.clone(),
            ));
        }
    });
    if let Some(path) = &view.open.saved {
        ui.label(
            RichText::new(format!("saved to {}", path.display()))
                .weak()
                .size(12.0),
        );
    }
    browser(ui.ctx(), view);
    saver(ui.ctx(), view);
}

/// A spec's name as a file name: letters, digits and dashes.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "downhill-spec".into()
    } else {
        s
    }
}

/// The open browser: .csv and .toml files.
fn browser(ctx: &egui::Context, view: &mut TrainView) {
    if !view.open.browsing {
        view.open.opener = None;
        return;
    }
    let dir = view.open.dir.clone();
    let opener = view.open.opener.get_or_insert_with(|| {
        FileBrowser::new(
            "Open a CSV or a model spec",
            Purpose::Open {
                extensions: &["csv", "toml"],
            },
            dir,
        )
    });
    let mut open = true;
    let chosen = opener.show(ctx, &mut open);
    view.open.dir = Some(opener.dir.clone());
    if let Some(path) = chosen {
        view.open.browsing = false;
        open_path(view, &path);
    } else {
        view.open.browsing = open;
    }
}

/// The save browser: asks before it replaces a file; writes the spec whole or not at all.
fn saver(ctx: &egui::Context, view: &mut TrainView) {
    let Some(saver) = &mut view.open.saver else {
        return;
    };
    let mut open = true;
    let chosen = saver.show(ctx, &mut open);
    view.open.dir = Some(saver.dir.clone());
    if let Some(path) = chosen {
        let written = view
            .spec
            .to_toml()
            .map_err(|e| e.to_string())
            .and_then(|text| crate::files::write_output(&path, text.as_bytes()));
        match written {
            Ok(()) => {
                view.open.saved = Some(path);
                view.error = None;
            }
            Err(e) => view.error = Some(e),
        }
        view.open.saver = None;
    } else if !open {
        view.open.saver = None;
    }
}

/// Opens a CSV (as the dataset of the current spec) or a spec file; a failure is shown in
/// the panel and changes nothing else.
pub fn open_path(view: &mut TrainView, path: &Path) {
    if path.as_os_str().is_empty() {
        view.error =
            Some("type the path of a .csv or .toml file first (or pick one with Browse…)".into());
        return;
    }
    let is_spec = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_spec {
        match ModelSpec::load(path) {
            Ok(spec) => view.set_spec(spec, SpecSource::Custom(file_name(path))),
            Err(e) => view.error = Some(e.to_string()),
        }
        return;
    }
    let target = view.open.target.trim();
    let mut spec = view.spec.clone();
    spec.dataset = DatasetSource::File {
        path: path.to_path_buf(),
        target: (!target.is_empty()).then(|| target.to_string()),
    };
    // Check the file before replacing what works.
    let regression = spec.model.kind == ModelKind::Linear;
    match spec.dataset.load(spec.training.seed, regression) {
        Ok(data) => {
            view.open.path = path.display().to_string();
            let file = file_name(path);
            spec.name = path
                .file_stem()
                .map_or_else(|| file.clone(), |s| s.to_string_lossy().into_owned());
            spec.about = format!(
                "Your data: {file}, {} rows × {} features, predicting '{}', with the model and \
                 optimizers of the spec before",
                data.n, data.d, data.target_name
            );
            view.set_spec(spec, SpecSource::Custom(file));
        }
        Err(e) => view.error = Some(e.to_string()),
    }
}
