//! Exports from the app's Scene menu: a PNG of the view alone at 1×, 2× or 3× (Ctrl+E), an
//! animated GIF recorded in the background with progress and cancel, and the trajectories as
//! CSV. Each asks where to write through the file browser.

use super::Explorer;
use super::export::record::{Recording, record_gif};
use super::files::{FileBrowser, Purpose};
use crate::scene::Scene;
use eframe::egui;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What the open save dialog is for.
enum Pending {
    Png(FileBrowser),
    Gif(FileBrowser),
    Csv(FileBrowser),
}

/// A recording under way on its own thread.
struct RecordJob {
    done: Arc<AtomicUsize>,
    total: usize,
    cancel: Arc<AtomicBool>,
    result: std::sync::mpsc::Receiver<Result<PathBuf, String>>,
}

/// The export settings and what is under way.
pub struct ExportUi {
    /// Pixels per point of a PNG: 1, 2 or 3.
    pub scale: u8,
    /// Seconds of a recording.
    pub seconds: f64,
    pending: Option<Pending>,
    job: Option<RecordJob>,
}

impl Default for ExportUi {
    fn default() -> Self {
        Self {
            scale: 2,
            seconds: 5.0,
            pending: None,
            job: None,
        }
    }
}

impl Explorer {
    /// The export entries of the Scene menu.
    pub(super) fn export_menu(&mut self, ui: &mut egui::Ui) {
        ui.separator();
        ui.horizontal(|ui| {
            if ui
                .add(egui::Button::new("Export PNG…").shortcut_text("Ctrl+E"))
                .on_hover_text("The view alone (map, 3D or both, with the caption and legend)")
                .clicked()
            {
                self.ask_png();
                ui.close();
            }
            for s in 1..=3u8 {
                ui.selectable_value(&mut self.exports.scale, s, format!("{s}×"))
                    .on_hover_text("Pixels per point: 2× and 3× for crisp slides");
            }
        });
        ui.horizontal(|ui| {
            let busy = self.exports.job.is_some();
            if ui
                .add_enabled(!busy, egui::Button::new("Record GIF…"))
                .on_hover_text(
                    "The race from step 0 to the step on show as an animated GIF (960×540, \
                     30 frames per second), recorded in the background",
                )
                .clicked()
            {
                self.ask(Pending::Gif, "Record the race", "gif", "race.gif");
                ui.close();
            }
            ui.add(
                egui::DragValue::new(&mut self.exports.seconds)
                    .range(1.0..=60.0)
                    .suffix(" s"),
            );
        });
        if ui
            .button("Export CSV…")
            .on_hover_text(
                "Every racer's path up to the step on show, as `downhill run` writes it: \
                 run,optimizer,step,x,y,loss,grad_norm,lr",
            )
            .clicked()
        {
            self.ask(
                Pending::Csv,
                "Export the trajectories",
                "csv",
                "trajectories.csv",
            );
            ui.close();
        }
        if ui
            .button("Copy as PyTorch")
            .on_hover_text(
                "A runnable Python script with torch.optim: the same surface, optimizers, \
                 hyperparameters, schedules and clipping, run to the step on show (500 at step \
                 0); it prints the trajectories as JSON, as `downhill run --format json` does",
            )
            .clicked()
        {
            let mut scene = self.scene_now();
            scene.view.step = 0;
            let steps = match self.race.cursor() {
                0 => 500,
                n => n,
            };
            self.notice = Some(match crate::scene::pytorch::script(&scene, steps) {
                Ok(text) => {
                    ui.ctx().copy_text(text);
                    "A PyTorch script of this race is on the clipboard".into()
                }
                Err(e) => format!("No PyTorch script: {e}"),
            });
            ui.close();
        }
    }

    /// Asks where to write the PNG.
    pub(super) fn ask_png(&mut self) {
        self.ask(Pending::Png, "Export the view as a PNG", "png", "view.png");
    }

    fn ask(
        &mut self,
        kind: fn(FileBrowser) -> Pending,
        title: &str,
        extension: &'static str,
        name: &str,
    ) {
        let dir = self
            .scene_file
            .as_deref()
            .and_then(std::path::Path::parent)
            .map(PathBuf::from);
        self.exports.pending = Some(kind(FileBrowser::new(
            title,
            Purpose::Save {
                name: name.to_string(),
                extension,
            },
            dir,
        )));
    }

    /// The save dialog and the recording's progress, while there are any.
    pub(super) fn export_windows(&mut self, ctx: &egui::Context) {
        if let Some(pending) = &mut self.exports.pending {
            let mut open = true;
            let chosen = match pending {
                Pending::Png(b) | Pending::Gif(b) | Pending::Csv(b) => b.show(ctx, &mut open),
            };
            if let Some(path) = chosen {
                open = false;
                match self.exports.pending.take() {
                    Some(Pending::Png(_)) => self.export_png(ctx, &path),
                    Some(Pending::Gif(_)) => self.start_recording(&path),
                    Some(Pending::Csv(_)) => {
                        let text = crate::race::csv::tracks_csv(&self.race);
                        self.notice =
                            Some(match crate::files::write_output(&path, text.as_bytes()) {
                                Ok(()) => format!("Saved {}", path.display()),
                                Err(e) => format!("Not saved: {e}"),
                            });
                    }
                    None => {}
                }
            }
            if !open {
                self.exports.pending = None;
            }
        }
        self.recording_window(ctx);
    }

    /// Writes the view alone as a PNG at the chosen scale, the size of the window.
    fn export_png(&mut self, ctx: &egui::Context, path: &std::path::Path) {
        let size = ctx.content_rect().size();
        // No more pixels than `downhill export` allows (a large screen at 3× would pass it).
        let fit = (crate::cli::export::MAX_PNG_PIXELS as f32 / (size.x * size.y).max(1.0)).sqrt();
        let scale = f32::from(self.exports.scale).min(fit.max(1.0));
        let image = self.render_view(&mut super::export::Headless::new(), size, scale);
        self.notice = Some(match image.save_png(path) {
            Ok(()) => format!(
                "Saved {} ({}×{})",
                path.display(),
                image.width,
                image.height
            ),
            Err(e) => e,
        });
    }

    /// Records the scene on show, from step 0 to the step on show, on a thread of its own.
    fn start_recording(&mut self, path: &std::path::Path) {
        let scene: Scene = self.scene_now();
        let to = self.race.cursor().max(1);
        let frames = (self.exports.seconds * 30.0).round().clamp(2.0, 1800.0) as usize;
        let done = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (send, result) = std::sync::mpsc::channel();
        let (d, c, path) = (done.clone(), cancel.clone(), path.to_path_buf());
        std::thread::spawn(move || {
            let mut explorer = Explorer::default();
            let outcome = explorer.show_scene(&scene).and_then(|()| {
                let rec = Recording {
                    from: 0,
                    to,
                    fps: 30,
                    frames,
                    size: [960, 540],
                };
                record_gif(&mut explorer, rec, &path, |k, _| {
                    d.store(k, Ordering::Relaxed);
                    !c.load(Ordering::Relaxed)
                })
            });
            let _ = send.send(outcome.map(|()| path));
        });
        self.exports.job = Some(RecordJob {
            done,
            total: frames,
            cancel,
            result,
        });
    }

    /// The recording's progress bar and Cancel button, and its outcome.
    fn recording_window(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.exports.job else {
            return;
        };
        if let Ok(outcome) = job.result.try_recv() {
            self.notice = Some(match outcome {
                Ok(path) => format!("Recorded {}", path.display()),
                Err(e) => format!("The recording stopped: {e}"),
            });
            self.exports.job = None;
            return;
        }
        let fraction = job.done.load(Ordering::Relaxed) as f32 / job.total.max(1) as f32;
        let mut cancel = false;
        egui::Window::new("Recording")
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                ui.add(egui::ProgressBar::new(fraction).show_percentage());
                cancel = ui.button("Cancel").clicked();
            });
        if cancel {
            job.cancel.store(true, Ordering::Relaxed);
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(100));
    }
}
