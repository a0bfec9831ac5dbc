//! The one stepping loop: schedule → gradient (+ noise, + clipping) → update → record → status.

use super::gradient::{Clip, add_noise};
use super::objective::{Objective, Oracle};
use super::optimizer::{Optimizer, PairStep, Step};
use super::schedule::Schedule;
use super::vecops;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Everything about a run except the objective and the optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The optimizer's base learning rate γ, fed through the schedule.
    pub lr: f64,
    /// How γ changes with the step.
    pub schedule: Schedule,
    /// Gradient clipping, applied after the noise.
    pub clip: Clip,
    /// Standard deviation σ of Gaussian noise added to each gradient coordinate (0: none).
    pub noise: f64,
    /// Seed of the noise generator.
    pub seed: u64,
    /// Converged when ‖∇f‖₂ falls below this.
    pub tol_grad: f64,
    /// Converged when a step's length ‖Δθ‖₂ falls below this.
    pub tol_step: f64,
    /// Diverged when any |θᵢ| exceeds this.
    pub bound: f64,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            schedule: Schedule::Constant,
            clip: Clip::None,
            noise: 0.0,
            seed: 0,
            tol_grad: 1e-8,
            tol_step: 1e-12,
            bound: 1e6,
        }
    }
}

/// Why a run stopped converging or diverging.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// ‖∇f‖₂ < tol_grad.
    SmallGradient,
    /// ‖Δθ‖₂ < tol_step.
    SmallStep,
    /// A non-finite parameter, loss, gradient or update.
    NonFinite,
    /// |θᵢ| > bound.
    OutOfBounds,
}

impl StopReason {
    /// What happened, in words for a message.
    pub fn describe(self) -> &'static str {
        match self {
            StopReason::SmallGradient => "the gradient norm fell below tol_grad",
            StopReason::SmallStep => "the step length fell below tol_step",
            StopReason::NonFinite => "a value became NaN or infinite",
            StopReason::OutOfBounds => "a coordinate grew past the divergence bound",
        }
    }
}

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// Still stepping.
    #[default]
    Running,
    /// Stopped at a (near-)stationary point at `step`.
    Converged {
        /// The step at which it was detected.
        step: u64,
        /// Which tolerance was met.
        reason: StopReason,
    },
    /// Stopped because the iterates blew up at `step`.
    Diverged {
        /// The step at which it was detected.
        step: u64,
        /// What went wrong.
        reason: StopReason,
    },
}

impl Status {
    /// `"running"`, `"converged"` or `"diverged"`.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Converged { .. } => "converged",
            Status::Diverged { .. } => "diverged",
        }
    }

    /// The step at which the run stopped, if it did.
    pub fn step(&self) -> Option<u64> {
        match *self {
            Status::Running => None,
            Status::Converged { step, .. } | Status::Diverged { step, .. } => Some(step),
        }
    }

    /// Whether the run is still stepping.
    pub fn is_running(&self) -> bool {
        matches!(self, Status::Running)
    }
}

/// A run that cannot be set up.
#[derive(Debug, Error, PartialEq)]
pub enum RunError {
    /// The start point has the wrong number of coordinates.
    #[error("start point has {got} coordinates but the objective has {want} parameters")]
    WrongDimension {
        /// Coordinates given.
        got: usize,
        /// Parameters expected.
        want: usize,
    },
    /// A second-order optimizer on an objective without a Hessian.
    #[error("this optimizer needs a Hessian and the objective has none")]
    NeedsHessian,
}

/// The state after `t` steps, as observers see it.
#[derive(Clone, Copy, Debug)]
pub struct StepRecord<'a> {
    /// Steps taken so far.
    pub t: u64,
    /// The parameters θₜ.
    pub x: &'a [f64],
    /// f(θₜ).
    pub loss: f64,
    /// ‖∇f(θₜ)‖₂ (noise-free).
    pub grad_norm: f64,
    /// The learning rate of the next step.
    pub lr: f64,
    /// The status after this step.
    pub status: Status,
}

/// Receives step records from [`Runner::run`].
pub trait Observer {
    /// Called with each record the observer's [`ObserveMode`] selects.
    fn observe(&mut self, record: &StepRecord<'_>);
}

impl<F: FnMut(&StepRecord<'_>)> Observer for F {
    fn observe(&mut self, record: &StepRecord<'_>) {
        self(record)
    }
}

/// Which records an observer receives. Every mode also receives the last record of a
/// [`Runner::run`] call that took a step, so a trajectory always has its end point; the start
/// point (t = 0) is [`Runner::record`] before the first call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObserveMode {
    /// Every step.
    EveryStep,
    /// Every n-th step (t divisible by n).
    Every(u64),
    /// Each step whose loss is lower than all before it.
    NewBest,
}

/// An observer with its mode, as passed to [`Runner::run`].
pub struct Watch<'a> {
    /// Which records to deliver.
    pub mode: ObserveMode,
    /// Where to deliver them.
    pub observer: &'a mut dyn Observer,
}

/// Adds `config`'s noise to a step's gradient, drawing from `rng`, then clips it.
fn transform(config: &RunConfig, rng: &mut StdRng, grad: &mut [f64]) {
    if config.noise > 0.0 {
        add_noise(grad, config.noise, rng);
    }
    config.clip.apply(grad);
}

/// One optimizer stepping on one objective; owns both, and buffers that the loop reuses.
pub struct Runner<O, P> {
    objective: O,
    optimizer: P,
    config: RunConfig,
    x: Vec<f64>,
    grad: Vec<f64>,
    step_grad: Vec<f64>,
    delta: Vec<f64>,
    hess: Vec<f64>,
    loss: f64,
    /// ‖∇f‖² at θ (the norm itself is taken only when asked for).
    grad_sq: f64,
    t: u64,
    status: Status,
    rng: StdRng,
    best_loss: f64,
}

impl<O: Objective, P: Optimizer> Runner<O, P> {
    /// Sets up a run from `start`, resetting the optimizer and evaluating the start point.
    pub fn new(
        objective: O,
        mut optimizer: P,
        config: RunConfig,
        start: &[f64],
    ) -> Result<Self, RunError> {
        let dim = objective.dim();
        if start.len() != dim {
            return Err(RunError::WrongDimension {
                got: start.len(),
                want: dim,
            });
        }
        let needs_hessian = optimizer.oracle() == Oracle::Hessian;
        if needs_hessian && !objective.has_hessian() {
            return Err(RunError::NeedsHessian);
        }
        optimizer.reset(dim);
        let mut runner = Self {
            objective,
            optimizer,
            config,
            x: start.to_vec(),
            grad: vec![0.0; dim],
            step_grad: vec![0.0; dim],
            delta: vec![0.0; dim],
            hess: vec![0.0; if needs_hessian { dim * dim } else { 0 }],
            loss: f64::NAN,
            grad_sq: f64::NAN,
            t: 0,
            status: Status::Running,
            rng: StdRng::seed_from_u64(config.seed),
            best_loss: f64::INFINITY,
        };
        runner.evaluate_start();
        Ok(runner)
    }

    /// Evaluates loss and gradient at the start point and sets the status.
    fn evaluate_start(&mut self) {
        self.loss = self.objective.loss_and_grad(&self.x, &mut self.grad);
        self.grad_sq = vecops::norm_sq(&self.grad);
        let inside = vecops::within(&self.x, self.config.bound);
        self.judge(inside, None);
    }

    /// Updates the status of a running run at the current point, given whether every
    /// |θᵢ| ≤ bound and the squared length of the step that led here.
    #[inline(always)]
    fn judge(&mut self, inside: bool, step_len2: Option<f64>) {
        debug_assert!(self.status.is_running());
        let (tol_grad, tol_step) = (self.config.tol_grad, self.config.tol_step);
        // The common case in one test: finite, inside, gradient and step above tolerance
        // (every comparison is false for NaN, which falls through to the full classification).
        let running = inside
            & self.loss.is_finite()
            & (self.grad_sq >= tol_grad * tol_grad)
            & (self.grad_sq < f64::INFINITY)
            & step_len2.is_none_or(|s| s >= tol_step * tol_step);
        if !running {
            self.status = self.stopped(inside, step_len2);
        }
    }

    /// Why the run stops here (or [`Status::Running`] after all); off the hot path.
    #[cold]
    #[inline(never)]
    fn stopped(&self, inside: bool, step_len2: Option<f64>) -> Status {
        let step = self.t;
        let tol_step2 = self.config.tol_step * self.config.tol_step;
        if !self.loss.is_finite()
            || !self.grad_sq.is_finite()
            || (!inside && self.x.iter().any(|v| !v.is_finite()))
        {
            Status::Diverged {
                step,
                reason: StopReason::NonFinite,
            }
        } else if !inside {
            Status::Diverged {
                step,
                reason: StopReason::OutOfBounds,
            }
        } else if self.grad_sq < self.config.tol_grad * self.config.tol_grad {
            Status::Converged {
                step,
                reason: StopReason::SmallGradient,
            }
        } else if step_len2.is_some_and(|s| s < tol_step2) {
            Status::Converged {
                step,
                reason: StopReason::SmallStep,
            }
        } else {
            Status::Running
        }
    }

    /// Takes one step if the run is still going; returns whether it moved.
    ///
    /// A step whose update is not finite is not applied: the parameters keep their last
    /// finite value and the run is marked diverged, so no NaN reaches anything downstream.
    #[inline]
    pub fn step(&mut self) -> bool {
        if self.is_pair() {
            let mut x = [self.x[0], self.x[1]];
            let mut grad = [self.grad[0], self.grad[1]];
            self.step_pair(&mut x, &mut grad)
        } else {
            self.step_any()
        }
    }

    /// Whether steps go through [`Runner::step_pair`]: two parameters, first order.
    #[inline(always)]
    fn is_pair(&self) -> bool {
        self.x.len() == 2 && self.hess.is_empty()
    }

    /// [`Runner::step`] for any number of parameters and either order.
    fn step_any(&mut self) -> bool {
        if !self.status.is_running() {
            return false;
        }
        let lr = self.lr();
        let transformed = self.config.noise > 0.0 || self.config.clip != Clip::None;
        if transformed {
            self.step_grad.copy_from_slice(&self.grad);
            transform(&self.config, &mut self.rng, &mut self.step_grad);
        }
        let hessian = if self.hess.is_empty() {
            None
        } else if self.objective.hessian(&self.x, &mut self.hess) {
            Some(self.hess.as_slice())
        } else {
            None
        };
        let step = Step {
            x: &self.x,
            grad: if transformed {
                &self.step_grad
            } else {
                &self.grad
            },
            loss: self.loss,
            lr,
            t: self.t + 1,
            hessian,
        };
        self.optimizer
            .update(&step, &mut self.objective, &mut self.delta);
        self.t += 1;
        let (len2, inside) = vecops::step_check(&self.x, &self.delta, self.config.bound);
        if !self.update_finite(len2) {
            return false;
        }
        vecops::add_assign(&mut self.x, &self.delta);
        self.loss = self.objective.loss_and_grad(&self.x, &mut self.grad);
        self.grad_sq = vecops::norm_sq(&self.grad);
        self.judge(inside, Some(len2));
        !self.went_back()
    }

    /// [`Runner::step`] for two parameters and a first-order optimizer (a surface), with θ
    /// and ∇f in `x` and `grad` (updated after a step) and handed to
    /// [`Optimizer::update_pair`] by value, so that the compiler can keep them in registers.
    #[inline(always)]
    fn step_pair(&mut self, x: &mut [f64; 2], grad: &mut [f64; 2]) -> bool {
        if !self.status.is_running() {
            return false;
        }
        let step_grad = if self.config.noise > 0.0 || self.config.clip != Clip::None {
            self.transform_pair(*grad)
        } else {
            *grad
        };
        let step = PairStep {
            x: *x,
            grad: step_grad,
            loss: self.loss,
            lr: self.lr(),
            t: self.t + 1,
        };
        let delta = self.optimizer.update_pair(&step, &mut self.objective);
        self.t += 1;
        self.delta.copy_from_slice(&delta);
        let len2 = vecops::norm_sq(&delta);
        if !self.update_finite(len2) {
            return false;
        }
        let next = [x[0] + delta[0], x[1] + delta[1]];
        let mut next_grad = [0.0; 2];
        self.loss = self.objective.loss_and_grad(&next, &mut next_grad);
        self.x.copy_from_slice(&next);
        self.grad.copy_from_slice(&next_grad);
        self.grad_sq = vecops::norm_sq(&next_grad);
        self.judge(vecops::within(&next, self.config.bound), Some(len2));
        if self.went_back() {
            return false;
        }
        *x = next;
        *grad = next_grad;
        true
    }

    /// [`transform`] for a two-parameter gradient, by value.
    #[cold]
    #[inline(never)]
    fn transform_pair(&mut self, mut grad: [f64; 2]) -> [f64; 2] {
        transform(&self.config, &mut self.rng, &mut grad);
        grad
    }

    /// Whether an update of squared length `len2` may be applied; marks the run diverged
    /// when it may not. (A finite ‖Δθ‖² keeps every |Δθᵢ| < 1e154, so θ, bounded by
    /// `bound`, stays finite.)
    #[inline(always)]
    fn update_finite(&mut self, len2: f64) -> bool {
        let finite = len2.is_finite();
        if !finite {
            self.status = Status::Diverged {
                step: self.t,
                reason: StopReason::NonFinite,
            };
        }
        finite
    }

    /// After a step onto a point with a non-finite loss or gradient, goes back to the last good
    /// one, so that what is reported (and drawn) stays finite; returns whether it did.
    #[inline(always)]
    fn went_back(&mut self) -> bool {
        let non_finite = matches!(
            self.status,
            Status::Diverged {
                reason: StopReason::NonFinite,
                ..
            }
        );
        if non_finite {
            vecops::sub_assign(&mut self.x, &self.delta);
            self.loss = self.objective.loss_and_grad(&self.x, &mut self.grad);
            self.grad_sq = vecops::norm_sq(&self.grad);
        }
        non_finite
    }

    /// Steps until the run stops or `max_steps` more steps were taken, feeding observers;
    /// returns the number of steps taken.
    pub fn run(&mut self, max_steps: u64, watches: &mut [Watch<'_>]) -> u64 {
        let mut taken = 0;
        let mut last_improved = false;
        if self.is_pair() {
            // θ and ∇f live in these two arrays between steps (and in the runner after each).
            let mut x = [self.x[0], self.x[1]];
            let mut grad = [self.grad[0], self.grad[1]];
            while taken < max_steps && self.step_pair(&mut x, &mut grad) {
                taken += 1;
                last_improved = self.after_step(watches);
            }
        } else {
            while taken < max_steps && self.step_any() {
                taken += 1;
                last_improved = self.after_step(watches);
            }
        }
        // The end point goes to everyone who has not just received it.
        if taken > 0 {
            let record = self.record();
            for watch in watches.iter_mut() {
                if !Self::selects(watch.mode, record.t, last_improved) {
                    watch.observer.observe(&record);
                }
            }
        }
        taken
    }

    /// Notes a step just taken: the best loss so far and the observers that want its record;
    /// returns whether the loss improved on every one before.
    #[inline(always)]
    fn after_step(&mut self, watches: &mut [Watch<'_>]) -> bool {
        let improved = self.loss < self.best_loss;
        if improved {
            self.best_loss = self.loss;
        }
        if !watches.is_empty() {
            let record = self.record();
            for watch in watches.iter_mut() {
                if Self::selects(watch.mode, record.t, improved) {
                    watch.observer.observe(&record);
                }
            }
        }
        improved
    }

    /// Whether `mode` delivers the record of step `t`.
    #[inline]
    fn selects(mode: ObserveMode, t: u64, improved: bool) -> bool {
        match mode {
            ObserveMode::EveryStep => true,
            ObserveMode::Every(n) => t.is_multiple_of(n.max(1)),
            ObserveMode::NewBest => improved,
        }
    }

    /// The current state as a record.
    pub fn record(&self) -> StepRecord<'_> {
        StepRecord {
            t: self.t,
            x: &self.x,
            loss: self.loss,
            grad_norm: self.grad_sq.sqrt(),
            lr: self.lr(),
            status: self.status,
        }
    }

    /// The learning rate of the next step.
    #[inline]
    pub fn lr(&self) -> f64 {
        self.config.schedule.lr_at(self.config.lr, self.t)
    }

    /// The current parameters.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// The loss at the current parameters.
    pub fn loss(&self) -> f64 {
        self.loss
    }

    /// The (noise-free) gradient at the current parameters.
    pub fn grad(&self) -> &[f64] {
        &self.grad
    }

    /// ‖∇f‖₂ at the current parameters.
    pub fn grad_norm(&self) -> f64 {
        self.grad_sq.sqrt()
    }

    /// The last update Δθ that was applied (zeros before the first step).
    pub fn last_update(&self) -> &[f64] {
        &self.delta
    }

    /// Steps taken so far.
    pub fn t(&self) -> u64 {
        self.t
    }

    /// Where the run stands.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The run's configuration.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// The optimizer, for showing its state.
    pub fn optimizer(&self) -> &P {
        &self.optimizer
    }

    /// The objective.
    pub fn objective(&self) -> &O {
        &self.objective
    }
}
