//! The basin map tool: one optimizer run from every point of a grid over the view, in the
//! background, drawn over the 2D view as rows arrive.

use crate::field::Window;
use crate::insight::{BasinJob, BasinSpec};
use crate::race::Race;
use eframe::egui::{self, Color32, ColorImage, RichText, TextureHandle, TextureId, TextureOptions};

/// Grid sides offered for basin maps.
const BASIN_SIDES: [usize; 4] = [64, 128, 256, 512];

/// The basin map: settings, the running job and its picture.
pub struct BasinUi {
    /// Which racer's optimizer and settings are mapped.
    pub racer: usize,
    /// Grid side.
    pub n: usize,
    /// Steps per start.
    pub steps: u64,
    /// Draw the map over the 2D view.
    pub show: bool,
    /// Its opacity.
    pub opacity: f32,
    /// Why the last job could not start.
    pub error: Option<String>,
    job: Option<BasinJob>,
    texture: Option<TextureHandle>,
    rows_drawn: usize,
    window: Option<Window>,
}

impl Default for BasinUi {
    fn default() -> Self {
        Self {
            racer: 0,
            n: 128,
            steps: 500,
            show: true,
            opacity: 0.7,
            error: None,
            job: None,
            texture: None,
            rows_drawn: 0,
            window: None,
        }
    }
}

impl BasinUi {
    /// The controls: racer, grid, steps, compute or cancel, progress.
    pub fn controls(&mut self, ui: &mut egui::Ui, race: &Race) {
        ui.label(RichText::new("Basin map").strong()).on_hover_text(
            "Run one optimizer from every point of a grid over the view and colour each start \
             by the minimum it reaches (darker: more steps; black: diverged; grey: no known \
             minimum)",
        );
        let lanes = race.lanes();
        let labels = race.labels();
        self.racer = self.racer.min(lanes.len().saturating_sub(1));
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("optimizer ")
                .selected_text(labels.get(self.racer).map_or("—", String::as_str))
                .show_ui(ui, |ui| {
                    for (k, label) in labels.iter().enumerate() {
                        ui.selectable_value(&mut self.racer, k, label);
                    }
                });
        });
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("grid")
                .selected_text(format!("{0}×{0}", self.n))
                .show_ui(ui, |ui| {
                    for n in BASIN_SIDES {
                        ui.selectable_value(&mut self.n, n, format!("{n}×{n}"));
                    }
                });
            ui.add(
                egui::DragValue::new(&mut self.steps)
                    .range(10..=5000)
                    .suffix(" steps"),
            );
        });
        let running = self.job.as_ref().is_some_and(|j| !j.is_finished());
        ui.horizontal(|ui| {
            if running {
                if ui.button("Cancel").clicked()
                    && let Some(job) = &self.job
                {
                    job.cancel();
                }
            } else if ui
                .add_enabled(!lanes.is_empty(), egui::Button::new("Compute"))
                .on_hover_text("Uses the racer's hyperparameters and the shared schedule, clipping and noise, over the current view")
                .clicked()
            {
                self.start(ui.ctx(), race);
            }
            if let Some(job) = &self.job {
                ui.add(egui::ProgressBar::new(job.progress() as f32).show_percentage());
            }
        });
        if self.job.is_some() {
            ui.horizontal(|ui| {
                ui.checkbox(&mut self.show, "show");
                ui.add(egui::Slider::new(&mut self.opacity, 0.1..=1.0).text("opacity"));
            });
        }
        if let Some(e) = &self.error {
            ui.label(RichText::new(e).color(Color32::LIGHT_RED));
        }
    }

    /// Starts a job for the chosen racer over `window` (the 2D view's).
    fn start(&mut self, ctx: &egui::Context, race: &Race) {
        let Some(lane) = race.lanes().get(self.racer) else {
            return;
        };
        // The racer's own setup: its hyperparameters and the shared schedule, clipping and
        // noise (its own where it has them).
        let mut spec = BasinSpec::new(
            race.surface().clone(),
            lane.spec.setup(race.shared()),
            self.n,
            self.steps,
        );
        if let Some(w) = self.window {
            spec.window = w;
            spec.tolerance = crate::insight::basin::default_tolerance(w);
        }
        let ctx = ctx.clone();
        match BasinJob::spawn(spec, 0, move || ctx.request_repaint()) {
            Ok(job) => {
                self.job = Some(job);
                self.rows_drawn = usize::MAX;
                self.error = None;
                self.show = true;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// The map's texture, window and opacity for the 2D view, refreshed as rows arrive; a map
    /// computed on another surface (or other parameters) than `surface` is dropped: it
    /// belongs to the surface it was computed on.
    pub fn overlay(
        &mut self,
        ctx: &egui::Context,
        surface: &crate::surfaces::Surface,
    ) -> Option<(TextureId, Window, f32)> {
        if self
            .job
            .as_ref()
            .is_some_and(|j| j.spec().surface != *surface)
        {
            self.clear();
        }
        let job = self.job.as_ref()?;
        let rows = job.rows_done();
        if rows != self.rows_drawn {
            let n = job.spec().n;
            let pixels: Vec<Color32> = job
                .image()
                .into_iter()
                .map(|[r, g, b, a]| Color32::from_rgba_unmultiplied(r, g, b, a))
                .collect();
            let image = ColorImage::new([n, n], pixels);
            match &mut self.texture {
                Some(t) => t.set(image, TextureOptions::NEAREST),
                None => {
                    self.texture = Some(ctx.load_texture("basin", image, TextureOptions::NEAREST))
                }
            }
            self.rows_drawn = rows;
        }
        let texture = self.texture.as_ref()?;
        self.show
            .then(|| (texture.id(), job.spec().window, self.opacity))
    }

    /// Whether a map has been computed to the end (or cancelled).
    pub fn finished(&self) -> bool {
        self.job.as_ref().is_some_and(BasinJob::is_finished)
    }

    /// Whether a map is being drawn over the 2D view.
    pub fn has_overlay(&self) -> bool {
        self.show && self.texture.is_some()
    }

    /// Drops the map (the surface changed, so it no longer applies).
    pub fn clear(&mut self) {
        self.job = None;
        self.texture = None;
    }
}

impl BasinUi {
    /// Remembers the 2D view's window for the next job.
    pub fn set_window(&mut self, window: Window) {
        self.window = Some(window);
    }
}
