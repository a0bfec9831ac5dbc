//! What a problem can compute: value, gradient and, optionally, Hessian.

/// What an optimizer needs from the objective at each step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Oracle {
    /// Value and gradient.
    Gradient,
    /// Value, gradient and Hessian.
    Hessian,
}

/// A differentiable function of `dim()` parameters that the engine minimises.
///
/// Methods take `&mut self` so that an objective may keep scratch buffers or sample a
/// minibatch with its own seeded generator; a deterministic objective simply ignores that.
pub trait Objective {
    /// The number of parameters.
    fn dim(&self) -> usize;

    /// The loss at `x`.
    fn loss(&mut self, x: &[f64]) -> f64;

    /// The loss at `x`, writing the gradient into `grad` (of length `dim()`). An objective
    /// that samples minibatches serves the next one with each call: the runner calls this
    /// once per step.
    fn loss_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64;

    /// The loss and gradient at `x` on the same data as the last [`Objective::loss_and_grad`]
    /// (the same minibatch): what a line search probes, so that its probes compare like with
    /// like and one step stays one minibatch. The same as `loss_and_grad` for an objective
    /// without minibatches.
    fn probe(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.loss_and_grad(x, grad)
    }

    /// Whether [`Objective::hessian`] is available.
    fn has_hessian(&self) -> bool {
        false
    }

    /// Writes the Hessian at `x` into `hess` (row-major, `dim()²` entries); returns `false`
    /// (leaving `hess` unspecified) when the objective has none.
    fn hessian(&mut self, _x: &[f64], _hess: &mut [f64]) -> bool {
        false
    }

    /// Whether `x` is inside the function's domain (a typed function with a logarithm or a
    /// square root may not be defined everywhere); asked only when a value is not finite, to
    /// tell leaving the domain from blowing up.
    fn in_domain(&self, _x: &[f64]) -> bool {
        true
    }
}

impl<T: Objective + ?Sized> Objective for &mut T {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn loss(&mut self, x: &[f64]) -> f64 {
        (**self).loss(x)
    }
    fn loss_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        (**self).loss_and_grad(x, grad)
    }
    fn probe(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        (**self).probe(x, grad)
    }
    fn has_hessian(&self) -> bool {
        (**self).has_hessian()
    }
    fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> bool {
        (**self).hessian(x, hess)
    }
    fn in_domain(&self, x: &[f64]) -> bool {
        (**self).in_domain(x)
    }
}

impl<T: Objective + ?Sized> Objective for Box<T> {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn loss(&mut self, x: &[f64]) -> f64 {
        (**self).loss(x)
    }
    fn loss_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        (**self).loss_and_grad(x, grad)
    }
    fn probe(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        (**self).probe(x, grad)
    }
    fn has_hessian(&self) -> bool {
        (**self).has_hessian()
    }
    fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> bool {
        (**self).hessian(x, hess)
    }
    fn in_domain(&self, x: &[f64]) -> bool {
        (**self).in_domain(x)
    }
}
