//! Each optimizer's update rule with one step's numbers substituted (PyTorch's formulas and
//! names), and how its Δθ splits into arrows placed head to tail.

use super::{RuleLine, StepExplanation};
use crate::optim::hyper::HyperValues;

fn line(symbol: &str, formula: &str, value: Vec<f64>) -> RuleLine {
    RuleLine {
        symbol: symbol.into(),
        formula: formula.into(),
        value,
    }
}

fn map2(a: [f64; 2], f: impl Fn(f64) -> f64) -> [f64; 2] {
    [f(a[0]), f(a[1])]
}

/// The state vector `name` as a pair (zeros when it is not there, as before the first step).
fn pair(v: Option<&[f64]>) -> [f64; 2] {
    match v {
        Some(s) if s.len() >= 2 => [s[0], s[1]],
        _ => [0.0, 0.0],
    }
}

/// Fills `e.rule`, `e.parts` and `e.coordinate_lr` for its optimizer with hyperparameters `hp`.
pub(super) fn fill(e: &mut StepExplanation, hp: &HyperValues) {
    let h = |name: &str| hp.get(name).unwrap_or(0.0);
    let (g, lr, t) = (e.grad_used, e.lr, e.step as f64);
    let wd = h("weight_decay");
    // The gradient with L2 weight decay folded in, as torch's coupled decay does.
    let gd = [g[0] + wd * e.theta[0], g[1] + wd * e.theta[1]];
    let mut rule = vec![line("gₜ", "∇f(θₜ₋₁), after clipping", g.to_vec())];
    if wd != 0.0 && e.optimizer != "adamw" && e.optimizer != "lion" {
        rule.push(line("gₜ + λθₜ₋₁", "with weight decay λ", gd.to_vec()));
    }
    let mut parts: Vec<(String, [f64; 2])> = Vec::new();
    match e.optimizer {
        "gd" => {
            rule.push(line("Δθ", "−γ·gₜ", e.delta.to_vec()));
            parts.push(("−γ·gₜ".into(), e.delta));
        }
        "momentum" | "nesterov" => {
            let mu = h("momentum");
            let damp = if e.optimizer == "nesterov" {
                0.0
            } else {
                h("dampening")
            };
            let nesterov = e.optimizer == "nesterov" || h("nesterov") != 0.0;
            let before = pair(e.state("momentum_buffer", false));
            let after = pair(e.state("momentum_buffer", true));
            let first = e.step == 1;
            rule.push(line(
                "bₜ",
                if first {
                    "gₜ (the first step)"
                } else {
                    "μ·bₜ₋₁ + (1 − τ)·gₜ"
                },
                after.to_vec(),
            ));
            if nesterov {
                rule.push(line("gₜ + μ·bₜ", "Nesterov's look-ahead direction", {
                    [gd[0] + mu * after[0], gd[1] + mu * after[1]].to_vec()
                }));
                rule.push(line("Δθ", "−γ·(gₜ + μ·bₜ)", e.delta.to_vec()));
                parts.push(("−γ·gₜ".into(), map2(gd, |v| -lr * v)));
                parts.push(("−γ·μ·bₜ (look-ahead)".into(), map2(after, |v| -lr * mu * v)));
            } else {
                rule.push(line("Δθ", "−γ·bₜ", e.delta.to_vec()));
                let velocity = if first {
                    [0.0; 2]
                } else {
                    map2(before, |v| -lr * mu * v)
                };
                parts.push(("−γ·μ·bₜ₋₁ (velocity)".into(), velocity));
                let scale = if first { 1.0 } else { 1.0 - damp };
                parts.push(("−γ·(1 − τ)·gₜ".into(), map2(gd, |v| -lr * scale * v)));
            }
        }
        "adagrad" => {
            let clr = lr / (1.0 + (t - 1.0) * h("lr_decay"));
            let sum = pair(e.state("sum", true));
            let eps = h("eps");
            let per = map2(sum, |s| clr / (s.sqrt() + eps));
            rule.push(line("γₜ'", "γ / (1 + (t − 1)·η)", vec![clr]));
            rule.push(line("sumₜ", "sumₜ₋₁ + gₜ²", sum.to_vec()));
            rule.push(line(
                "γₜ'/(√sumₜ + ε)",
                "each coordinate's learning rate",
                per.to_vec(),
            ));
            rule.push(line("Δθ", "−γₜ'·gₜ / (√sumₜ + ε)", e.delta.to_vec()));
            e.coordinate_lr = Some(per);
        }
        "rmsprop" => {
            let alpha = h("alpha");
            let v = pair(e.state("square_avg", true));
            let eps = h("eps");
            rule.push(line(
                "vₜ",
                &format!("α·vₜ₋₁ + (1 − α)·gₜ²,  α = {alpha}"),
                v.to_vec(),
            ));
            let denom = if h("centered") != 0.0 {
                let ga = pair(e.state("grad_avg", true));
                rule.push(line("ḡₜ", "α·ḡₜ₋₁ + (1 − α)·gₜ", ga.to_vec()));
                [
                    (v[0] - ga[0] * ga[0]).sqrt() + eps,
                    (v[1] - ga[1] * ga[1]).sqrt() + eps,
                ]
            } else {
                map2(v, |s| s.sqrt() + eps)
            };
            let per = map2(denom, |d| lr / d);
            rule.push(line(
                "γ/(√vₜ + ε)",
                "each coordinate's learning rate",
                per.to_vec(),
            ));
            rule.push(line("Δθ", "−γ·gₜ / (√vₜ + ε)", e.delta.to_vec()));
            e.coordinate_lr = Some(per);
        }
        "adam" | "adamw" | "amsgrad" => {
            let (b1, b2, eps) = (h("beta1"), h("beta2"), h("eps"));
            let m = pair(e.state("exp_avg", true));
            let v = pair(e.state("exp_avg_sq", true));
            let amsgrad = e.optimizer == "amsgrad" || h("amsgrad") != 0.0;
            let c1 = 1.0 - b1.powf(t);
            let c2 = 1.0 - b2.powf(t);
            let m_hat = map2(m, |a| a / c1);
            let v_used = if amsgrad {
                pair(e.state("max_exp_avg_sq", true))
            } else {
                v
            };
            let v_hat = map2(v_used, |a| a / c2);
            rule.push(line(
                "mₜ",
                &format!("β₁·mₜ₋₁ + (1 − β₁)·gₜ,  β₁ = {b1}"),
                m.to_vec(),
            ));
            rule.push(line(
                "vₜ",
                &format!("β₂·vₜ₋₁ + (1 − β₂)·gₜ²,  β₂ = {b2}"),
                v.to_vec(),
            ));
            if amsgrad {
                rule.push(line("v_hat", "max(vₜ so far) / (1 − β₂ᵗ)", v_hat.to_vec()));
            } else {
                rule.push(line("v_hat", "vₜ / (1 − β₂ᵗ)", v_hat.to_vec()));
            }
            rule.push(line("m_hat", "mₜ / (1 − β₁ᵗ)", m_hat.to_vec()));
            let per = map2(v_hat, |a| lr / (a.sqrt() + eps));
            rule.push(line(
                "γ/(√v_hat + ε)",
                "each coordinate's learning rate",
                per.to_vec(),
            ));
            let step = [-per[0] * m_hat[0], -per[1] * m_hat[1]];
            rule.push(line(
                "−γ·m_hat/(√v_hat + ε)",
                "the adaptive step",
                step.to_vec(),
            ));
            if e.optimizer == "adamw" && wd != 0.0 {
                let decay = map2(e.theta, |x| -lr * wd * x);
                rule.push(line("−γλθₜ₋₁", "decoupled weight decay", decay.to_vec()));
                parts.push(("−γλθ (decay)".into(), decay));
                parts.push((
                    "−γ·m_hat/(√v_hat + ε)".into(),
                    [e.delta[0] - decay[0], e.delta[1] - decay[1]],
                ));
            }
            rule.push(line("Δθ", "−γ·m_hat/(√v_hat + ε)", e.delta.to_vec()));
            e.coordinate_lr = Some(per);
        }
        "newton" => {
            if let Some(hs) = e.hessian {
                let mean = (hs[0] + hs[2]) / 2.0;
                let r = (((hs[0] - hs[2]) / 2.0).powi(2) + hs[1] * hs[1]).sqrt();
                rule.push(line("H", "∇²f(θₜ₋₁): ∂xx, ∂xy, ∂yy", hs.to_vec()));
                rule.push(line("λ(H)", "its eigenvalues", vec![mean - r, mean + r]));
            }
            let p = if hp.flag("saddle_free") {
                "p = V·diag(1/(|λᵢ| + λ))·Vᵀ·gₜ (saddle-free: negative curvature descended)"
            } else {
                "p = (H + λI + τI)⁻¹·gₜ (τ lifts H's lowest eigenvalue above 0)"
            };
            let step = if hp.flag("line_search") {
                "−α·p, α the first of γ, γ/2, γ/4, … that lowers f enough (Armijo)"
            } else {
                "−γ·p"
            };
            rule.push(line("Δθ", &format!("{step}; {p}"), e.delta.to_vec()));
        }
        "lbfgs" => {
            let d = pair(e.state("direction", true));
            let dd = d[0] * d[0] + d[1] * d[1];
            rule.push(line(
                "dₜ",
                "−Hₜ·gₜ, the two-loop recursion over the last pairs (s, y)",
                d.to_vec(),
            ));
            if dd > 0.0 {
                let alpha = (e.delta[0] * d[0] + e.delta[1] * d[1]) / dd;
                rule.push(line(
                    "α",
                    "the step along dₜ the line search accepted",
                    vec![alpha],
                ));
            }
            rule.push(line("Δθ", "α·dₜ", e.delta.to_vec()));
        }
        _ => {
            for (name, v) in &e.state_after {
                rule.push(line(name, "state after the step", v.clone()));
            }
            rule.push(line("Δθ", "", e.delta.to_vec()));
        }
    }
    if parts.is_empty() {
        parts.push(("Δθ".into(), e.delta));
    }
    e.rule = rule;
    e.parts = parts;
}
