//! The view on show, alone, as a picture: the title and caption, the map, the surface or both
//! with their legends, and the step, without panels or controls — for slides, from the app
//! (Scene ▸ Export PNG…), `downhill export` and `downhill record`.

use super::{Headless, Image};
use crate::app::Explorer;
use eframe::egui::{self, Color32, RichText};

/// The background behind the view (the dark theme's panel colour).
const DARK: Color32 = Color32::from_gray(27);
/// The background in the light theme.
const LIGHT: Color32 = Color32::from_gray(248);

impl Explorer {
    /// Draws the view alone: a line with the surface and the step, then the caption and the
    /// view as the window shows them (no side panel, plots, toolbar or notices); in the Train
    /// view, its curves and pictures without the controls.
    pub fn view_only(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let zoom = self.zoom(&ctx);
        if (ctx.zoom_factor() - zoom).abs() > 1e-4 {
            ctx.set_zoom_factor(zoom);
        }
        if self.shown.mode == crate::scene::view::ViewMode::Train {
            self.caption_strip(ui);
            crate::app::train::show(ui, &mut self.trainer, true);
            return;
        }
        let step = self.race.cursor();
        let title = self.race.surface().title();
        egui::Panel::top("export-title").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(title).strong().size(15.0));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(RichText::new(format!("step {step}")).monospace().size(15.0));
                });
            });
        });
        let notice = self.notice.take();
        self.caption_strip(ui);
        if self.export_plots {
            let height = 0.26 * ui.ctx().content_rect().height();
            egui::Panel::bottom("export-plots")
                .exact_size(height)
                .show(ui, |ui| {
                    crate::app::plots::show(
                        ui,
                        &self.race,
                        &self.clouds,
                        &mut self.shown.plots,
                        true,
                    );
                });
        }
        let mut ignored = Vec::new();
        self.central(ui, &mut ignored);
        self.notice = notice;
    }

    /// The view alone rendered headless on a frame of `size` points at `scale` pixels per
    /// point. It draws with caches of its own: the window's textures belong to the window.
    pub fn render_view(&mut self, headless: &mut Headless, size: egui::Vec2, scale: f32) -> Image {
        let heat = std::mem::take(&mut self.heat);
        let view3d = std::mem::take(&mut self.view3d);
        let state = std::mem::take(&mut self.view_state);
        let pictures = std::mem::take(&mut self.trainer.pictures);
        let landscape = self.trainer.landscape.swap_texture(None);
        let background = if self.light {
            headless.ctx().set_theme(egui::Theme::Light);
            LIGHT
        } else {
            headless.ctx().set_theme(egui::Theme::Dark);
            DARK
        };
        // Three frames: the plot fits its bounds to the frame, then draws at them.
        self.exporting = true;
        let image = headless.render(size, scale, 3, background, |ui| self.view_only(ui));
        self.exporting = false;
        self.heat = heat;
        self.view3d = view3d;
        self.view_state = state;
        self.trainer.pictures = pictures;
        self.trainer.landscape.swap_texture(landscape);
        image
    }
}
