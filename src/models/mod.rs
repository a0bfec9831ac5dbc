//! Models with hand-written backpropagation: linear, logistic and softmax regression and
//! multilayer perceptrons, their parameters one flat `Vec<f64>` that the engine's optimizers
//! step unchanged. No egui, no threads.

pub mod eval;
pub mod kernels;
pub mod network;
pub mod objective;
pub mod spec;

pub use network::{
    Activation, Architecture, LayerShape, Loss, ModelError, ModelKind, Network, Workspace,
};
pub use objective::{Batch, BatchName, ModelObjective};
pub use spec::{ModelSpec, OptimizerEntry, SpecError};
