//! The integration tests, as one test binary: linking the GUI stack once instead of once per
//! file keeps the suite's build short. Each module is one area (run one with
//! `cargo test --release --test it -- cli::`).

mod common;
mod counting;
mod data_surfaces;

mod alloc;
mod alloc_models;
mod cli;
mod engine;
mod explain;
mod formula;
mod frames;
mod fuzz;
mod insight;
mod launch;
mod lessons;
mod limits;
mod optimizers;
mod outputs;
mod pictures;
mod pytorch;
mod scenes;
mod surfaces;
mod torch_golden;
mod train;
mod ui;
mod why_and_train;
