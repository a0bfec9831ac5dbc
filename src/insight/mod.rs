//! Seeing why: curvature at a point, basin maps, hyperparameter sweeps, the learning-rate
//! range test, and loss landscapes of real models. Pure computation (rayon for the grids);
//! nothing here knows about egui.

pub mod basin;
pub mod curvature;
pub mod landscape;
pub mod lr_range;
pub mod picture;
pub mod scale;
pub mod sweep;
pub mod tune;

pub use basin::{BasinCell, BasinError, BasinJob, BasinMap, BasinSpec};
pub use curvature::{Curvature, CurvatureError, Definiteness, stable_lr};
pub use landscape::{Landscape, LandscapeError, Pca, Plane, SliceObjective};
pub use lr_range::{LrRange, LrRangeError, lr_range};
pub use scale::ColorScale;
pub use sweep::{Axis, Sweep, SweepCell, SweepError, SweepSpec};
