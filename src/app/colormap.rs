//! Perceptual colormaps for the heatmap, and painting a sampled grid into an image.

use crate::field::{Grid, Scale};
use eframe::egui::{Color32, ColorImage};

/// The colormaps offered for the heatmap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
pub enum Colormap {
    /// Viridis (default): perceptually uniform, colour-blind safe.
    #[default]
    Viridis,
    /// Magma.
    Magma,
    /// Inferno.
    Inferno,
    /// Cividis: optimised for colour-vision deficiency.
    Cividis,
    /// Turbo: high contrast rainbow.
    Turbo,
}

impl Colormap {
    /// All colormaps, in menu order.
    pub const ALL: [Colormap; 5] = [
        Self::Viridis,
        Self::Magma,
        Self::Inferno,
        Self::Cividis,
        Self::Turbo,
    ];

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Viridis => "viridis",
            Self::Magma => "magma",
            Self::Inferno => "inferno",
            Self::Cividis => "cividis",
            Self::Turbo => "turbo",
        }
    }

    fn gradient(self) -> colorous::Gradient {
        match self {
            Self::Viridis => colorous::VIRIDIS,
            Self::Magma => colorous::MAGMA,
            Self::Inferno => colorous::INFERNO,
            Self::Cividis => colorous::CIVIDIS,
            Self::Turbo => colorous::TURBO,
        }
    }

    /// The colour at t ∈ [0, 1].
    pub fn at(self, t: f64) -> Color32 {
        let c = self.gradient().eval_continuous(t.clamp(0.0, 1.0));
        Color32::from_rgb(c.r, c.g, c.b)
    }

    /// The grid as an image, top row = largest y, through a 256-entry lookup table.
    pub fn paint(self, grid: &Grid, scale: &Scale) -> ColorImage {
        let lut: Vec<Color32> = (0..256).map(|k| self.at(k as f64 / 255.0)).collect();
        let mut pixels = Vec::with_capacity(grid.nx * grid.ny);
        for j in (0..grid.ny).rev() {
            for i in 0..grid.nx {
                let t = scale.unit(grid.values[j * grid.nx + i]);
                pixels.push(lut[(t * 255.0).round() as usize]);
            }
        }
        ColorImage::new([grid.nx, grid.ny], pixels)
    }
}
