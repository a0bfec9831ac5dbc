//! downhill: optimizers racing down loss surfaces.
//!
//! The [`engine`] steps any [`engine::Objective`] with any [`engine::Optimizer`]; the
//! [`surfaces`] and [`optim`] modules hold the things it steps; [`cli`] and [`app`] are the two
//! faces over it.

pub mod app;
pub mod bench;
pub mod cli;
pub mod data;
pub mod engine;
pub mod explain;
pub mod field;
pub mod files;
pub mod formula;
pub mod insight;
pub mod limits;
pub mod models;
pub mod numbers;
pub mod optim;
pub mod presets;
pub mod race;
pub mod scene;
pub mod scene3d;
pub mod series;
pub mod setup;
pub mod simd;
pub mod surfaces;
pub mod train;
pub mod worker;
