//! Pictures without a window: egui frames laid out and painted headless, then rasterised on
//! the CPU ([`raster`]), at any scale, for PNG exports from the app, the command line and CI.

pub mod raster;
pub mod record;
pub mod view;

use eframe::egui::{self, Color32};
use raster::{Canvas, Rasterizer};
use std::path::Path;

/// An RGBA picture, straight alpha, rows top first.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width × height × 4` bytes.
    pub rgba: Vec<u8>,
}

impl Image {
    /// Writes the picture as a PNG file.
    pub fn save_png(&self, path: &Path) -> Result<(), String> {
        let bytes = crate::insight::picture::encode_png(&self.rgba, self.width, self.height)?;
        crate::files::write_output(path, &bytes)
    }
}

/// An egui context that paints into pictures instead of a window.
pub struct Headless {
    ctx: egui::Context,
    rasterizer: Rasterizer,
}

impl Default for Headless {
    fn default() -> Self {
        Self::new()
    }
}

impl Headless {
    /// A context with the app's fonts and dark theme.
    pub fn new() -> Self {
        let ctx = egui::Context::default();
        crate::app::fonts::install(&ctx);
        ctx.set_theme(egui::Theme::Dark);
        Self {
            ctx,
            rasterizer: Rasterizer::default(),
        }
    }

    /// The context, to set a theme or style.
    pub fn ctx(&self) -> &egui::Context {
        &self.ctx
    }

    /// Lays `ui` out on a window of `size` points, `settle` times (layouts that measure
    /// themselves need a frame or two), and paints the last frame at `scale` pixels per point
    /// over `background`. As a real window does, the zoom a frame sets (presentation mode's)
    /// shrinks the screen in points for the next one: the picture stays `size` × `scale`
    /// pixels, its text and marks larger.
    pub fn render(
        &mut self,
        size: egui::Vec2,
        scale: f32,
        settle: usize,
        background: Color32,
        mut ui: impl FnMut(&mut egui::Ui),
    ) -> Image {
        let ctx = self.ctx.clone();
        let input = || {
            let screen = size / ctx.zoom_factor();
            let mut raw = egui::RawInput {
                screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, screen)),
                ..Default::default()
            };
            raw.viewports
                .entry(egui::ViewportId::ROOT)
                .or_default()
                .native_pixels_per_point = Some(scale);
            raw
        };
        let mut out = None;
        for _ in 0..settle.max(1) {
            let frame = self.ctx.run_ui(input(), &mut ui);
            self.rasterizer.set_textures(&frame.textures_delta);
            if let Some(previous) = out.replace(frame) {
                self.rasterizer.free_textures(&previous.textures_delta);
            }
        }
        let frame = out.expect("at least one frame");
        let ppp = frame.pixels_per_point;
        let screen = self.ctx.content_rect().size();
        let width = (screen.x * ppp).round() as usize;
        let height = (screen.y * ppp).round() as usize;
        let primitives = self.ctx.tessellate(frame.shapes, ppp);
        let mut canvas = Canvas::new(width, height, background);
        self.rasterizer.paint(&mut canvas, &primitives, ppp);
        self.rasterizer.free_textures(&frame.textures_delta);
        Image {
            width,
            height,
            rgba: canvas.to_rgba8(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_shapes_come_out_at_the_asked_scale() {
        let mut headless = Headless::new();
        let draw = |ui: &mut egui::Ui| {
            let painter = ui.painter();
            painter.rect_filled(
                egui::Rect::from_min_size(egui::pos2(10.0, 10.0), egui::vec2(20.0, 20.0)),
                0.0,
                Color32::from_rgb(255, 0, 0),
            );
            painter.text(
                egui::pos2(40.0, 10.0),
                egui::Align2::LEFT_TOP,
                "loss 0.5",
                egui::FontId::proportional(14.0),
                Color32::WHITE,
            );
        };
        let one = headless.render(egui::vec2(120.0, 40.0), 1.0, 2, Color32::BLACK, draw);
        assert_eq!((one.width, one.height), (120, 40));
        let px = |img: &Image, x: usize, y: usize| {
            let k = (y * img.width + x) * 4;
            [
                img.rgba[k],
                img.rgba[k + 1],
                img.rgba[k + 2],
                img.rgba[k + 3],
            ]
        };
        assert_eq!(px(&one, 20, 20), [255, 0, 0, 255]);
        // The text put light pixels where it is, none far from it.
        let lit = |img: &Image, x0: usize, x1: usize| {
            (0..img.height)
                .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                .filter(|&(x, y)| px(img, x, y)[0] > 128 && px(img, x, y)[1] > 128)
                .count()
        };
        assert!(lit(&one, 40, 110) > 30, "the text was drawn");
        let two = headless.render(egui::vec2(120.0, 40.0), 2.0, 2, Color32::BLACK, draw);
        assert_eq!((two.width, two.height), (240, 80));
        assert_eq!(px(&two, 40, 40), [255, 0, 0, 255]);
        assert!(lit(&two, 80, 220) > 3 * lit(&one, 40, 110));
    }
}

#[cfg(test)]
mod explorer {
    use super::*;

    #[test]
    fn the_explorer_renders_headless_with_each_ball_in_its_colour() {
        let mut headless = Headless::new();
        let preset = crate::presets::find("himmelblau").unwrap();
        let mut app = crate::app::Explorer::with_preset(preset);
        app.race.apply(crate::race::Command::Step(120));
        let img = headless.render(egui::vec2(1280.0, 800.0), 1.0, 4, Color32::BLACK, |ui| {
            app.frame(ui)
        });
        assert_eq!((img.width, img.height), (1280, 800));
        for lane in app.race.lanes() {
            let ball = *lane.track.points.last().unwrap();
            let at = app.screen_pos(ball).unwrap();
            let k = ((at.y.round() as usize) * img.width + at.x.round() as usize) * 4;
            let px = &img.rgba[k..k + 3];
            let want = lane.spec.color;
            assert!(
                px.iter().zip(want).all(|(a, b)| a.abs_diff(b) < 30),
                "ball at {at:?} is {px:?}, its colour is {want:?}"
            );
        }
    }
}
