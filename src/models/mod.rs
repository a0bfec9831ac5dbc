//! Models with hand-written backpropagation: linear, logistic and softmax regression and
//! multilayer perceptrons, their parameters one flat `Vec<f64>` that the engine's optimizers
//! step unchanged. No egui, no threads.

pub mod architecture;
pub mod eval;
pub mod head;
pub mod kernels;
pub mod network;
pub mod objective;
pub mod real;
pub mod spec;

pub use architecture::{Activation, Architecture, Loss, ModelError, ModelKind};
pub use network::{LayerShape, Network, Workspace};
pub use objective::{Batch, BatchName, ModelObjective};
pub use real::Real;
pub use spec::{ModelSpec, OptimizerEntry, SpecError};
