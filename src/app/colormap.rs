//! Painting with the colormaps: egui colours and images from [`crate::field::Colormap`].

use crate::field::{Grid, Scale};
use eframe::egui::{Color32, ColorImage};

pub use crate::field::Colormap;

/// The colour of the map where the function is undefined.
pub const UNDEFINED: Color32 = Color32::from_rgb(58, 58, 62);

/// A colormap's colours as egui colours and images.
pub trait Paint {
    /// The colour at t ∈ [0, 1].
    fn at(self, t: f64) -> Color32;
    /// The grid as an image, top row = largest y, through a 256-entry lookup table.
    fn paint(self, grid: &Grid, scale: &Scale) -> ColorImage;
}

impl Paint for Colormap {
    fn at(self, t: f64) -> Color32 {
        let [r, g, b] = self.rgb(t);
        Color32::from_rgb(r, g, b)
    }

    fn paint(self, grid: &Grid, scale: &Scale) -> ColorImage {
        let lut: Vec<Color32> = (0..256).map(|k| self.at(k as f64 / 255.0)).collect();
        let mut pixels = Vec::with_capacity(grid.nx * grid.ny);
        for j in (0..grid.ny).rev() {
            for i in 0..grid.nx {
                let v = grid.values[j * grid.nx + i];
                if crate::scene3d::mesh::undefined(v) {
                    // Where the function is undefined: a neutral grey, never a colour of
                    // the scale.
                    pixels.push(UNDEFINED);
                    continue;
                }
                let t = scale.unit(v);
                pixels.push(lut[(t * 255.0).round() as usize]);
            }
        }
        ColorImage::new([grid.nx, grid.ny], pixels)
    }
}
