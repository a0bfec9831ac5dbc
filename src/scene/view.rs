//! How a scene is shown: which view, the map's and the plots' settings, the 3D camera, the
//! playback speed and the step on show. Plain data (no egui), saved with the scene and the
//! app's state.

use crate::field::Colormap;
use crate::scene3d::camera::OrbitCamera;
use crate::scene3d::mesh::HeightOptions;
use serde::{Deserialize, Serialize};

/// Which picture of the surface fills the centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ViewMode {
    /// The contour map.
    #[default]
    Flat,
    /// The lit surface with an orbit camera.
    Surface,
    /// Both side by side, sharing the runs, the time and the hover point.
    Split,
    /// Real models training: curves, decision boundary, misclassified samples.
    Train,
}

impl ViewMode {
    /// Every mode, in the order of the buttons and the V key.
    pub const ALL: [ViewMode; 4] = [Self::Flat, Self::Surface, Self::Split, Self::Train];

    /// The name on the command line and the button.
    pub fn name(self) -> &'static str {
        match self {
            Self::Flat => "2d",
            Self::Surface => "3d",
            Self::Split => "split",
            Self::Train => "train",
        }
    }

    /// The mode called `name` on the command line.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The next mode (V).
    pub fn next(self) -> Self {
        match self {
            Self::Flat => Self::Surface,
            Self::Surface => Self::Split,
            Self::Split | Self::Train => Self::Flat,
        }
    }
}

/// How the 2D map is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewSettings {
    /// Heatmap colormap.
    pub colormap: Colormap,
    /// Colour and contour levels on a log scale of (f − f_min).
    pub log_scale: bool,
    /// Draw contour lines.
    pub contours: bool,
    /// How many contour levels.
    pub levels: usize,
    /// Draw −∇f at each ball.
    pub show_gradient: bool,
    /// Draw each optimizer's state at its ball: the momentum step as an arrow, and for
    /// adaptive methods a box whose half-sides are the per-coordinate step γ|gᵢ|/(√sᵢ + ε).
    #[serde(default)]
    pub show_state: bool,
    /// Heatmap resolution (cells per side).
    pub resolution: usize,
    /// Draw the principal axes of the local curvature at the pointer (or the first ball).
    #[serde(default)]
    pub show_curvature: bool,
    /// The part of the plane the map frames, `[x0, x1, y0, y1]` (letterboxed to the map's
    /// shape); `None`: the surface's own window. A lesson frames its action with it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::exact::option_array"
    )]
    pub window: Option<[f64; 4]>,
}

impl ViewSettings {
    /// The part of the plane the map frames: the scene's window, or else `surface`'s own.
    pub fn frame(&self, surface: crate::surfaces::View) -> crate::surfaces::View {
        self.window
            .map_or(surface, |[x0, x1, y0, y1]| crate::surfaces::View {
                x: (x0, x1),
                y: (y0, y1),
            })
    }
}

impl Default for ViewSettings {
    fn default() -> Self {
        Self {
            colormap: Colormap::Viridis,
            log_scale: true,
            contours: true,
            levels: 20,
            show_gradient: false,
            show_state: false,
            resolution: 256,
            show_curvature: false,
            window: None,
        }
    }
}

/// Options of the plots.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlotSettings {
    /// Plot log₁₀ of the values.
    pub log_y: bool,
}

impl Default for PlotSettings {
    fn default() -> Self {
        Self { log_y: true }
    }
}

/// How the 3D view is drawn, and its camera.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings3d {
    /// Loss to height.
    pub height: HeightOptions,
    /// Contour lines on the surface.
    pub contours: bool,
    /// Grid lines on the surface.
    pub wireframe: bool,
    /// Mesh vertices per side.
    pub resolution: usize,
    /// The camera.
    pub camera: OrbitCamera,
}

impl Default for Settings3d {
    fn default() -> Self {
        Self {
            height: HeightOptions::default(),
            contours: true,
            wireframe: false,
            resolution: 160,
            camera: OrbitCamera::default(),
        }
    }
}

/// How a scene is shown: the view on screen and every setting of it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SceneView {
    /// Which view fills the centre.
    pub mode: ViewMode,
    /// The 2D map.
    pub map: ViewSettings,
    /// The plots under it.
    pub plots: PlotSettings,
    /// The 3D view and its camera.
    pub surface: Settings3d,
    /// Playback speed, steps per second.
    pub speed: f64,
    /// The step on show.
    pub step: u64,
}

impl Default for SceneView {
    fn default() -> Self {
        Self {
            mode: ViewMode::default(),
            map: ViewSettings::default(),
            plots: PlotSettings::default(),
            surface: Settings3d::default(),
            speed: 60.0,
            step: 0,
        }
    }
}

/// The slowest and fastest playback, in steps per second.
pub const SPEED_RANGE: std::ops::RangeInclusive<f64> = 1.0..=10_000.0;

impl SceneView {
    /// The same view with every value brought into what the panels allow (a saved file may
    /// hold anything): levels and resolutions clamped, a finite speed, a camera that looks
    /// at something; returns what had to change, in words.
    pub fn sanitized(mut self) -> (Self, Vec<String>) {
        let mut fixed = Vec::new();
        let mut clamp_usize = |v: &mut usize, lo: usize, hi: usize, what: &str| {
            let c = (*v).clamp(lo, hi);
            if c != *v {
                fixed.push(format!("{what} {} → {c}", *v));
                *v = c;
            }
        };
        clamp_usize(&mut self.map.levels, 4, 40, "contour levels");
        clamp_usize(&mut self.map.resolution, 16, 1024, "map resolution");
        clamp_usize(&mut self.surface.resolution, 16, 512, "3D resolution");
        if !self.speed.is_finite() || !SPEED_RANGE.contains(&self.speed) {
            let c = if self.speed.is_finite() {
                self.speed.clamp(*SPEED_RANGE.start(), *SPEED_RANGE.end())
            } else {
                60.0
            };
            fixed.push(format!("speed {} → {c}", self.speed));
            self.speed = c;
        }
        let height = self.surface.height.sanitized();
        if height != self.surface.height {
            fixed.push("3D height settings".into());
            self.surface.height = height;
        }
        let camera = self.surface.camera.sanitized();
        if camera != self.surface.camera {
            fixed.push("the 3D camera".into());
            self.surface.camera = camera;
        }
        if let Some(w) = self.map.window
            && let Err(e) = crate::limits::window(w)
        {
            fixed.push(format!("the map's {e}: the surface's own window instead"));
            self.map.window = None;
        }
        (self, fixed)
    }
}
