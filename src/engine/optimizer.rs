//! The optimizer interface: state in, update out; the parameters are never touched.

use super::objective::{Objective, Oracle};

/// Everything an optimizer sees at one step.
#[derive(Clone, Copy, Debug)]
pub struct Step<'a> {
    /// The current parameters θₜ₋₁.
    pub x: &'a [f64],
    /// The gradient gₜ at `x`, after the runner's noise and clipping.
    pub grad: &'a [f64],
    /// The loss at `x`.
    pub loss: f64,
    /// The learning rate γ for this step, from the schedule.
    pub lr: f64,
    /// The step number t, starting at 1 (as PyTorch's `state["step"]` after its increment).
    pub t: u64,
    /// The Hessian at `x` (row-major), present when the optimizer asked for [`Oracle::Hessian`]
    /// and the objective has one.
    pub hessian: Option<&'a [f64]>,
}

/// What an optimizer sees at one step of a two-parameter run (a surface), by value.
#[derive(Clone, Copy, Debug)]
pub struct PairStep {
    /// The current parameters θₜ₋₁.
    pub x: [f64; 2],
    /// The gradient gₜ at `x`, after the runner's noise and clipping.
    pub grad: [f64; 2],
    /// The loss at `x`.
    pub loss: f64,
    /// The learning rate γ for this step, from the schedule.
    pub lr: f64,
    /// The step number t, starting at 1.
    pub t: u64,
}

impl PairStep {
    /// [`Optimizer::update`] for this step, through the general slice interface; what
    /// [`Optimizer::update_pair`] does unless an optimizer has a straight-line version.
    #[inline]
    pub fn update_with<P: Optimizer + ?Sized>(
        &self,
        optimizer: &mut P,
        objective: &mut dyn Objective,
    ) -> [f64; 2] {
        // Copies, so that only this path needs θ and ∇f in memory.
        let (x, grad) = (self.x, self.grad);
        let step = Step {
            x: &x,
            grad: &grad,
            loss: self.loss,
            lr: self.lr,
            t: self.t,
            hessian: None,
        };
        let mut delta = [0.0; 2];
        optimizer.update(&step, objective, &mut delta);
        delta
    }
}

/// What an optimizer's state means for its next step, in the parameters' units, for the views
/// to draw without knowing which optimizer it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatePicture {
    /// The step the accumulated state alone would take next (the next update if the new
    /// gradient were zero): −γμb for heavy-ball momentum, Adam's bias-corrected
    /// −γ·β₁m̂/(√v̂ + ε), Lion's −γ·sign(m). `None` for methods without momentum.
    pub momentum_step: Option<Vec<f64>>,
    /// The learning rate each coordinate of the next gradient gets, γ/(√sᵢ + ε), for adaptive
    /// methods (AdaGrad, RMSprop, Adam and its family). `None` for the others.
    pub coordinate_lr: Option<Vec<f64>>,
}

/// A first- or second-order optimizer with its own state buffers.
///
/// `update` writes the change Δθ into `delta`; the runner applies θₜ = θₜ₋₁ + Δθ. An optimizer
/// never learns how many parameters it has beyond the slice lengths, so the same code steps a
/// 2-parameter surface and a 20,000-parameter network.
pub trait Optimizer: Send {
    /// What the optimizer needs from the objective.
    fn oracle(&self) -> Oracle {
        Oracle::Gradient
    }

    /// Clears all state and sizes the buffers for `dim` parameters.
    fn reset(&mut self, dim: usize);

    /// Computes the update Δθ for one step. `objective` is there for methods that search along
    /// a direction (L-BFGS's line search evaluates it, noise-free); others ignore it.
    fn update(&mut self, step: &Step<'_>, objective: &mut dyn Objective, delta: &mut [f64]);

    /// The update Δθ of [`Optimizer::update`] for a first-order step on two parameters,
    /// returned by value. The runner's loop for surfaces calls this, so that an optimizer
    /// that overrides it with straight-line code keeps θ, ∇f and Δθ in registers; the result
    /// must equal `update`'s bit for bit.
    #[inline(always)]
    fn update_pair(&mut self, step: &PairStep, objective: &mut dyn Objective) -> [f64; 2] {
        step.update_with(self, objective)
    }

    /// Named vectors of internal state worth showing (velocity, squared-gradient average …),
    /// each of length `dim`; empty when the optimizer keeps none.
    fn state(&self) -> Vec<(&'static str, &[f64])> {
        Vec::new()
    }

    /// What the state means for the next step at learning rate `lr` (the state after
    /// `t` steps), for drawing; nothing by default.
    fn picture(&self, lr: f64, t: u64) -> StatePicture {
        let _ = (lr, t);
        StatePicture::default()
    }

    /// The last step's line search, for methods that search (L-BFGS); `None` otherwise.
    fn search_trace(&self) -> Option<crate::optim::line_search::SearchTrace> {
        None
    }
}

impl<T: Optimizer + ?Sized> Optimizer for Box<T> {
    fn oracle(&self) -> Oracle {
        (**self).oracle()
    }
    fn reset(&mut self, dim: usize) {
        (**self).reset(dim)
    }
    fn update(&mut self, step: &Step<'_>, objective: &mut dyn Objective, delta: &mut [f64]) {
        (**self).update(step, objective, delta)
    }
    fn update_pair(&mut self, step: &PairStep, objective: &mut dyn Objective) -> [f64; 2] {
        (**self).update_pair(step, objective)
    }
    fn state(&self) -> Vec<(&'static str, &[f64])> {
        (**self).state()
    }
    fn picture(&self, lr: f64, t: u64) -> StatePicture {
        (**self).picture(lr, t)
    }

    fn search_trace(&self) -> Option<crate::optim::line_search::SearchTrace> {
        (**self).search_trace()
    }
}
