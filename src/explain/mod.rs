//! One step of one racer, explained: the numbers that went into the update and what came out
//! — θ, the gradient the optimizer saw, the learning rate, every state vector before and after
//! under PyTorch's names, Δθ — and the update rule with this step's numbers substituted, line
//! by line. The app's step inspector and `downhill explain` show it; nothing here knows egui.

mod rules;

use crate::optim::OptimizerKind;
use crate::race::Race;
use serde::Serialize;

/// One line of the update rule: a symbol, what it is, and its value (one number per
/// coordinate, or one for a scalar).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleLine {
    /// The quantity, e.g. `m_hat`.
    pub symbol: String,
    /// How it is computed, e.g. `mₜ / (1 − β₁ᵗ)`.
    pub formula: String,
    /// Its value.
    pub value: Vec<f64>,
}

/// What one step of one racer did, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepExplanation {
    /// The optimizer's registry name.
    pub optimizer: &'static str,
    /// The step number t (1 for the first step).
    pub step: u64,
    /// The learning rate γₜ of this step.
    pub lr: f64,
    /// θₜ₋₁, where the step starts.
    pub theta: [f64; 2],
    /// f(θₜ₋₁) (for a mini-batch racer, the batch's loss).
    pub loss: f64,
    /// ∇f(θₜ₋₁) (for a mini-batch racer, the gradient of the batch it stepped on).
    pub gradient: [f64; 2],
    /// The gradient the optimizer was given (after clipping; gradient noise, drawn from the
    /// run's own generator, is not shown).
    pub grad_used: [f64; 2],
    /// The state before the step, under PyTorch's names (`exp_avg`, `momentum_buffer`, …).
    #[serde(serialize_with = "state_object")]
    pub state_before: Vec<(String, Vec<f64>)>,
    /// The state after the step.
    #[serde(serialize_with = "state_object")]
    pub state_after: Vec<(String, Vec<f64>)>,
    /// Δθ.
    pub delta: [f64; 2],
    /// θₜ = θₜ₋₁ + Δθ, where the step lands.
    pub theta_after: [f64; 2],
    /// f(θₜ).
    pub loss_after: f64,
    /// The Hessian at θₜ₋₁ (∂²/∂x², ∂²/∂x∂y, ∂²/∂y²), for second-order methods.
    pub hessian: Option<[f64; 3]>,
    /// The update rule with this step's numbers.
    pub rule: Vec<RuleLine>,
    /// Parts of Δθ that add up to it head to tail (e.g. −γ·μ·bₜ₋₁ and −γ·gₜ for momentum),
    /// with a name each, for the map's arrows.
    pub parts: Vec<(String, [f64; 2])>,
    /// Per-coordinate learning rate γ/(√v_hat + ε) (adaptive methods), for the map's box.
    pub coordinate_lr: Option<[f64; 2]>,
    /// The line search along the direction (L-BFGS): every probe and the conditions.
    pub line_search: Option<crate::optim::line_search::SearchTrace>,
}

/// Optimizer state as a JSON object keyed by PyTorch's state names (`{"exp_avg": [..],
/// "exp_avg_sq": [..]}`), as `torch.optim`'s `state_dict` reads.
fn state_object<S: serde::Serializer>(
    state: &[(String, Vec<f64>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(state.iter().map(|(name, value)| (name, value)))
}

/// Why a step cannot be explained.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExplainError {
    /// No such racer.
    #[error("there is no racer {0}")]
    NoRacer(usize),
    /// The optimizer cannot run here.
    #[error("{0} cannot run on this surface")]
    CannotRun(String),
    /// The run stopped before the step.
    #[error("the run {why} — before step {step}: there is no step {step} to explain")]
    Stopped {
        /// Why it stopped, in words ("diverged at step 3: a coordinate grew past …").
        why: String,
        /// The step asked for.
        step: u64,
    },
    /// Step 0 is the start, not a step.
    #[error("steps count from 1 (step 0 is the start)")]
    Zero,
}

/// Step `step` (1 = the first) of racer `i` of `race`, replayed from its start exactly as the
/// race runs it.
pub fn explain(race: &Race, i: usize, step: u64) -> Result<StepExplanation, ExplainError> {
    if step == 0 {
        return Err(ExplainError::Zero);
    }
    let lane = race.lanes().get(i).ok_or(ExplainError::NoRacer(i))?;
    let kind: OptimizerKind = lane.spec.kind;
    let config = lane.spec.config(race.shared());
    let mut runner = race
        .fresh_runner(i, config)
        .ok_or_else(|| ExplainError::CannotRun(kind.title().to_string()))?;
    for _ in 1..step {
        if !runner.step() {
            return Err(ExplainError::Stopped {
                why: runner.status().describe(),
                step,
            });
        }
    }
    let copy = |v: Vec<(&'static str, &[f64])>| -> Vec<(String, Vec<f64>)> {
        v.into_iter()
            .map(|(n, s)| (n.to_string(), s.to_vec()))
            .collect()
    };
    let state_before = copy(runner.optimizer().state());
    let theta = [runner.x()[0], runner.x()[1]];
    let loss = runner.loss();
    let gradient = [runner.grad()[0], runner.grad()[1]];
    let mut grad_used = gradient;
    runner.config().clip.apply(&mut grad_used);
    let lr = runner.lr();
    let hessian = (kind.oracle() == crate::engine::Oracle::Hessian).then(|| {
        let (_, _, h) = race.surface().value_grad_hess(theta[0], theta[1]);
        h
    });
    if !runner.step() {
        return Err(ExplainError::Stopped {
            why: runner.status().describe(),
            step,
        });
    }
    let state_after = copy(runner.optimizer().state());
    let line_search = runner.optimizer().search_trace();
    let delta = [runner.last_update()[0], runner.last_update()[1]];
    let theta_after = [runner.x()[0], runner.x()[1]];
    let loss_after = race.surface().value(theta_after[0], theta_after[1]);
    let mut e = StepExplanation {
        optimizer: kind.name(),
        step,
        lr,
        theta,
        loss,
        gradient,
        grad_used,
        state_before,
        state_after,
        delta,
        theta_after,
        loss_after,
        hessian,
        rule: Vec::new(),
        parts: Vec::new(),
        coordinate_lr: None,
        line_search,
    };
    let hp = &lane.spec.hp;
    rules::fill(&mut e, hp);
    Ok(e)
}

/// Newton's local quadratic model q(d) = f + gᵀd + ½dᵀHd at θ, when H is positive definite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuadraticModel {
    /// Its minimum θ − H⁻¹g (where the undamped Newton step lands).
    pub minimum: [f64; 2],
    /// q(θ) − q(minimum) = ½gᵀH⁻¹g: the level of the contour through θ.
    pub depth: f64,
    /// H's eigenvalues, smaller first.
    pub eigenvalues: [f64; 2],
    /// The direction of the larger eigenvalue's eigenvector, in radians.
    pub angle: f64,
}

impl StepExplanation {
    /// Newton's quadratic model at θ; `None` without a Hessian or when it is not positive
    /// definite (then the model has no minimum).
    pub fn quadratic_model(&self) -> Option<QuadraticModel> {
        let [a, b, c] = self.hessian?;
        let mean = (a + c) / 2.0;
        let r = (((a - c) / 2.0).powi(2) + b * b).sqrt();
        let (l1, l2) = (mean - r, mean + r);
        if !(l1 > 0.0 && l2.is_finite()) {
            return None;
        }
        let det = a * c - b * b;
        let g = self.grad_used;
        let hg = [(c * g[0] - b * g[1]) / det, (a * g[1] - b * g[0]) / det];
        Some(QuadraticModel {
            minimum: [self.theta[0] - hg[0], self.theta[1] - hg[1]],
            depth: 0.5 * (g[0] * hg[0] + g[1] * hg[1]),
            eigenvalues: [l1, l2],
            angle: 0.5 * (2.0 * b).atan2(a - c),
        })
    }

    /// The state vector `name` before (or after) the step.
    pub fn state(&self, name: &str, after: bool) -> Option<&[f64]> {
        let list = if after {
            &self.state_after
        } else {
            &self.state_before
        };
        list.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The explanation as text, one quantity per line.
    pub fn text(&self) -> String {
        let v = |x: &[f64]| {
            x.iter()
                .map(|a| format!("{a:.6e}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = format!(
            "{} step {}: γ = {:.6e}\nθ(t−1) = ({})  f = {:.6e}\n∇f = ({})\n",
            self.optimizer,
            self.step,
            self.lr,
            v(&self.theta),
            self.loss,
            v(&self.gradient)
        );
        let state = |title: &str, s: &[(String, Vec<f64>)]| {
            if s.is_empty() {
                format!("{title}: none\n")
            } else {
                let parts: Vec<String> = s
                    .iter()
                    .map(|(name, value)| format!("{name} = ({})", v(value)))
                    .collect();
                format!("{title}: {}\n", parts.join(", "))
            }
        };
        out.push_str(&state("state before", &self.state_before));
        for line in &self.rule {
            let value = if line.symbol == "Δθ" {
                v(&self.delta)
            } else {
                v(&line.value)
            };
            if line.formula.is_empty() {
                out.push_str(&format!("{} = ({value})\n", line.symbol));
            } else {
                out.push_str(&format!(
                    "{} = {}  = ({value})\n",
                    line.symbol, line.formula
                ));
            }
        }
        if !self.rule.iter().any(|l| l.symbol == "Δθ") {
            out.push_str(&format!("Δθ = ({})\n", v(&self.delta)));
        }
        out.push_str(&format!(
            "θ(t) = ({})  f = {:.6e}\n",
            v(&self.theta_after),
            self.loss_after
        ));
        out.push_str(&state("state after", &self.state_after));
        out
    }
}
