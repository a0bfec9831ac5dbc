//! The one stepping loop: schedule → gradient (+ noise, + clipping) → update → record → status.
//!
//! # Why there are two step paths
//!
//! [`Runner::step`] goes one of two ways. `step_any` is the general loop: any number of
//! parameters, Hessians for second-order methods, θ, ∇f and Δθ in the runner's vectors.
//! `step_pair` is the same loop for the case the app draws (a two-parameter surface and a
//! first-order optimizer) with θ and ∇f held in `[f64; 2]` arrays passed by value and
//! [`Optimizer::update_pair`] returning Δθ by value, so the compiler keeps the whole step in
//! registers instead of going through slices, lengths and bounds checks. That is what keeps
//! `engine_steps_per_s` near a hand-written loop
//! (`downhill bench engine_steps_per_s hand_loop_steps_per_s`; docs/BENCHMARKS.md), which the
//! basin maps, sweeps and the live preview (thousands of runs per frame) need. Both paths make
//! the same decisions in the same order and give the same numbers bit for bit, which the
//! engine tests check for every optimizer.

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

/// What kind of flat place a run stalled on, decided by the Hessian there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flat {
    /// No curvature to speak of either: every Hessian eigenvalue is within ±[`FLAT`] of zero
    /// (a plateau, or a degenerate stationary point such as the monkey saddle's).
    Plateau,
    /// Curving up along some directions and down along others.
    Saddle,
    /// Curving down in every direction: a local maximum.
    Maximum,
    /// Not flat at all: the steps became too small to move (a vanishing learning rate) while
    /// the gradient did not vanish and the minimum of the local quadratic model is further.
    Slope,
}

impl Flat {
    /// `"plateau"`, `"saddle"` or `"maximum"`.
    pub fn label(self) -> &'static str {
        match self {
            Flat::Plateau => "plateau",
            Flat::Saddle => "saddle",
            Flat::Maximum => "maximum",
            Flat::Slope => "slope",
        }
    }
}

/// Hessian eigenvalues within ±FLAT of zero count as no curvature when a stopped run is
/// classified.
pub const FLAT: f64 = 1e-6;

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// Still stepping.
    #[default]
    Running,
    /// Stopped at a minimum at `step`: the gradient (or the step) vanished where the surface
    /// curves up, or where the objective has no Hessian to say otherwise.
    Converged {
        /// The step at which it was detected.
        step: u64,
        /// Which tolerance was met.
        reason: StopReason,
    },
    /// Stopped at `step` because the gradient (or the step) vanished far from any minimum:
    /// on a plateau, at a saddle or at a maximum.
    Stalled {
        /// The step at which it was detected.
        step: u64,
        /// Which tolerance was met.
        reason: StopReason,
        /// What kind of flat place it is.
        at: Flat,
    },
    /// Left the divergence bound at `step` with its loss still falling and below where it
    /// started: on an objective that is unbounded below (a saddle surface), the run went
    /// downhill for ever.
    Escaped {
        /// The step at which it was detected.
        step: u64,
    },
    /// Stopped at `step` on a point where the function is not defined (a logarithm of a
    /// number ≤ 0, a square root of a negative number, a division by zero); the run keeps
    /// its last point inside the domain.
    LeftDomain {
        /// The step at which it was detected (0: the start is outside the domain).
        step: u64,
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
    /// `"running"`, `"converged"`, `"stalled"`, `"escaped"`, `"left-domain"` or
    /// `"diverged"`.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Converged { .. } => "converged",
            Status::Stalled { .. } => "stalled",
            Status::Escaped { .. } => "escaped",
            Status::LeftDomain { .. } => "left-domain",
            Status::Diverged { .. } => "diverged",
        }
    }

    /// The step at which the run stopped, if it did.
    pub fn step(&self) -> Option<u64> {
        match *self {
            Status::Running => None,
            Status::Converged { step, .. }
            | Status::Stalled { step, .. }
            | Status::Escaped { step }
            | Status::LeftDomain { step }
            | Status::Diverged { step, .. } => Some(step),
        }
    }

    /// What happened, in words for a message: "converged at step 12", "stalled on a plateau
    /// at step 466", …
    pub fn describe(&self) -> String {
        match *self {
            Status::Running => "still running".into(),
            Status::Converged { step, .. } => format!("converged to a minimum at step {step}"),
            Status::Stalled { step, at, .. } => {
                let (place, why) = match at {
                    Flat::Plateau => ("on a plateau", "the gradient vanished far from any minimum"),
                    Flat::Saddle => (
                        "at a saddle point",
                        "the gradient vanished far from any minimum",
                    ),
                    Flat::Maximum => ("at a maximum", "the gradient vanished far from any minimum"),
                    Flat::Slope => (
                        "on a slope",
                        "its steps became too small to move while the gradient did not vanish \
                         (a too small learning rate?)",
                    ),
                };
                format!("stalled {place} at step {step}: {why}")
            }
            Status::Escaped { step } => format!(
                "escaped at step {step}: it left the bounds with its loss still falling (the \
                 function is unbounded below)"
            ),
            Status::LeftDomain { step: 0 } => {
                "starts outside the function's domain: f is not defined at its start".into()
            }
            Status::LeftDomain { step } => format!(
                "left the function's domain at step {step}: f is not defined there (a \
                 logarithm of a number ≤ 0, a square root of a negative number or a division \
                 by zero)"
            ),
            Status::Diverged { step, reason } => {
                format!("diverged at step {step}: {}", reason.describe())
            }
        }
    }

    /// Whether the run diverged, escaped or left the domain: it ended nowhere, with no final
    /// point to compare.
    pub fn ended_nowhere(&self) -> bool {
        matches!(
            self,
            Status::Diverged { .. } | Status::Escaped { .. } | Status::LeftDomain { .. }
        )
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
    /// A start point with a coordinate that is NaN or infinite.
    #[error("the start point is not finite")]
    NonFiniteStart,
    /// A second-order optimizer on an objective without a Hessian.
    #[error("this optimizer needs a Hessian and the objective has none")]
    NeedsHessian,
    /// A setting out of its range (a clipping threshold ≤ 0, a NaN noise level, a schedule
    /// factor ≤ 0, a start that is not finite, a tolerance below 0): refused before a step, in
    /// the limits' own words, so nothing downstream can panic on it.
    #[error("{0}")]
    Setting(#[from] crate::limits::LimitError),
    /// A tolerance or bound that is not a non-negative number.
    #[error("{name} = {} (valid: a number ≥ 0)", crate::numbers::Num(*.value))]
    Tolerance {
        /// `tol_grad`, `tol_step` or `bound`.
        name: &'static str,
        /// The value given.
        value: f64,
    },
}

impl RunConfig {
    /// Checks every setting against its limit: the one check between any reader (command
    /// line, scene, deck, saved state, panel) and the stepping loop.
    pub fn check(&self) -> Result<(), RunError> {
        crate::limits::Settings {
            schedule: Some(self.schedule),
            clip: Some(self.clip),
            noise: Some(self.noise),
        }
        .check()?;
        for (name, value) in [
            ("tol_grad", self.tol_grad),
            ("tol_step", self.tol_step),
            ("bound", self.bound),
        ] {
            if value.is_nan() || value < 0.0 {
                return Err(RunError::Tolerance { name, value });
            }
        }
        Ok(())
    }
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

/// What kind of flat place the symmetric `n × n` Hessian `h` (row-major) of a stationary point
/// describes; `None` for a minimum (no direction curves down by more than [`FLAT`], and some
/// direction curves up).
pub fn classify_rest(h: &[f64], n: usize) -> Option<Flat> {
    let frobenius = h.iter().map(|v| v * v).sum::<f64>().sqrt();
    if frobenius <= FLAT {
        return Some(Flat::Plateau);
    }
    // λ_min > −FLAT ⇔ H + FLAT·I is positive definite.
    let shifted = |sign: f64| -> Vec<f64> {
        (0..n * n)
            .map(|k| sign * h[k] + if k % (n + 1) == 0 { FLAT } else { 0.0 })
            .collect()
    };
    if positive_definite(shifted(1.0), n) {
        None
    } else if positive_definite(shifted(-1.0), n) {
        Some(Flat::Maximum)
    } else {
        Some(Flat::Saddle)
    }
}

/// Whether the symmetric `n × n` matrix `a` is positive definite (an in-place Cholesky
/// factorisation succeeds).
fn positive_definite(mut a: Vec<f64>, n: usize) -> bool {
    cholesky(&mut a, n)
}

/// ‖(H + FLAT·I)⁻¹g‖, the distance to the minimum of the local quadratic model, for a Hessian
/// `h` with λ_min > −FLAT; `None` if the system cannot be solved.
fn newton_distance(mut h: Vec<f64>, g: &[f64], n: usize) -> Option<f64> {
    for i in 0..n {
        h[i * n + i] += FLAT;
    }
    if !cholesky(&mut h, n) {
        return None;
    }
    // L·Lᵀ·d = g: forward, then backward substitution.
    let mut d = g.to_vec();
    for i in 0..n {
        let mut v = d[i];
        for k in 0..i {
            v -= h[i * n + k] * d[k];
        }
        d[i] = v / h[i * n + i];
    }
    for i in (0..n).rev() {
        let mut v = d[i];
        for k in i + 1..n {
            v -= h[k * n + i] * d[k];
        }
        d[i] = v / h[i * n + i];
    }
    let len = vecops::norm_sq(&d).sqrt();
    len.is_finite().then_some(len)
}

/// Factorises the symmetric `n × n` matrix `a` in place as L·Lᵀ (L in the lower triangle);
/// returns whether it is positive definite.
fn cholesky(a: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut v = a[i * n + j];
            for k in 0..j {
                v -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = v / d;
        }
    }
    true
}

/// Adds `config`'s noise to a step's gradient, drawing from `rng`, then clips it.
fn transform(config: &RunConfig, rng: &mut StdRng, grad: &mut [f64]) {
    if config.noise > 0.0 {
        add_noise(grad, config.noise, rng);
    }
    config.clip.apply(grad);
}

/// The f64 vectors of the parameters' length a [`Runner`] holds (the point, the gradient, the
/// transformed gradient and the step; a Hessian apart), for memory checks made before one is
/// built.
pub const RUNNER_VECTORS: u64 = 4;

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
    /// The loss at the start point (a run escapes only below it).
    start_loss: f64,
}

impl<O: Objective, P: Optimizer> Runner<O, P> {
    /// Sets up a run from `start`, resetting the optimizer and evaluating the start point.
    pub fn new(
        objective: O,
        mut optimizer: P,
        config: RunConfig,
        start: &[f64],
    ) -> Result<Self, RunError> {
        config.check()?;
        if !start.iter().all(|v| v.is_finite()) {
            return Err(RunError::NonFiniteStart);
        }
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
            start_loss: f64::NAN,
        };
        runner.evaluate_start();
        Ok(runner)
    }

    /// Evaluates loss and gradient at the start point and sets the status.
    fn evaluate_start(&mut self) {
        self.loss = self.objective.loss_and_grad(&self.x, &mut self.grad);
        self.start_loss = self.loss;
        self.grad_sq = vecops::norm_sq(&self.grad);
        let inside = vecops::within(&self.x, self.config.bound);
        self.judge(inside, None, f64::NAN);
    }

    /// Updates the status of a running run at the current point, given whether every
    /// |θᵢ| ≤ bound, the squared length of the step that led here and the loss before it.
    #[inline(always)]
    fn judge(&mut self, inside: bool, step_len2: Option<f64>, loss_before: f64) {
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
            self.status = self.stopped(inside, step_len2, loss_before);
        }
    }

    /// Why the run stops here (or [`Status::Running`] after all); off the hot path.
    #[cold]
    #[inline(never)]
    fn stopped(&mut self, inside: bool, step_len2: Option<f64>, loss_before: f64) -> Status {
        let step = self.t;
        let tol_step2 = self.config.tol_step * self.config.tol_step;
        if !self.loss.is_finite()
            || !self.grad_sq.is_finite()
            || (!inside && self.x.iter().any(|v| !v.is_finite()))
        {
            if self.x.iter().all(|v| v.is_finite()) && !self.objective.in_domain(&self.x) {
                Status::LeftDomain { step }
            } else {
                Status::Diverged {
                    step,
                    reason: StopReason::NonFinite,
                }
            }
        } else if !inside && self.loss < loss_before && self.loss < self.start_loss {
            Status::Escaped { step }
        } else if !inside {
            Status::Diverged {
                step,
                reason: StopReason::OutOfBounds,
            }
        } else if self.grad_sq < self.config.tol_grad * self.config.tol_grad {
            self.at_rest(step, StopReason::SmallGradient)
        } else if step_len2.is_some_and(|s| s < tol_step2) {
            self.at_rest(step, StopReason::SmallStep)
        } else {
            Status::Running
        }
    }

    /// A run that came to rest at step `step`: converged where the Hessian says the objective
    /// curves up (or where it has none), stalled on a plateau, at a saddle or at a maximum
    /// otherwise. A run stopped by a vanishing step (not gradient) has converged only if the
    /// minimum of the local quadratic model is next to it, ‖(H + FLAT·I)⁻¹∇f‖ ≤ 10⁻⁶·max(1, ‖θ‖);
    /// otherwise it stalled on a slope.
    fn at_rest(&mut self, step: u64, reason: StopReason) -> Status {
        let converged = Status::Converged { step, reason };
        if !self.objective.has_hessian() {
            return converged;
        }
        let n = self.x.len();
        let mut hess = vec![0.0; n * n];
        if !self.objective.hessian(&self.x, &mut hess) || hess.iter().any(|v| !v.is_finite()) {
            return converged;
        }
        if let Some(at) = classify_rest(&hess, n) {
            return Status::Stalled { step, reason, at };
        }
        if reason == StopReason::SmallStep {
            let scale = vecops::norm_sq(&self.x).sqrt().max(1.0);
            let far = newton_distance(hess, &self.grad, n).is_none_or(|d| d > 1e-6 * scale);
            if far {
                return Status::Stalled {
                    step,
                    reason,
                    at: Flat::Slope,
                };
            }
        }
        converged
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
        let before = self.loss;
        self.loss = self.objective.loss_and_grad(&self.x, &mut self.grad);
        self.grad_sq = vecops::norm_sq(&self.grad);
        self.judge(inside, Some(len2), before);
        !self.went_back()
    }

    /// [`Runner::step`] for two parameters and a first-order optimizer (a surface), with θ
    /// and ∇f in `x` and `grad` (updated after a step) and handed to
    /// [`Optimizer::update_pair`] by value (why: the module's documentation).
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
        let before = self.loss;
        self.loss = self.objective.loss_and_grad(&next, &mut next_grad);
        self.x.copy_from_slice(&next);
        self.grad.copy_from_slice(&next_grad);
        self.grad_sq = vecops::norm_sq(&next_grad);
        self.judge(vecops::within(&next, self.config.bound), Some(len2), before);
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
            } | Status::LeftDomain { .. }
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
