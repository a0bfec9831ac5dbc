//! The colormaps a heatmap is painted with (perceptual gradients from `colorous`).

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

    /// The sRGB colour at t ∈ [0, 1].
    pub fn rgb(self, t: f64) -> [u8; 3] {
        let c = self.gradient().eval_continuous(t.clamp(0.0, 1.0));
        [c.r, c.g, c.b]
    }
}
