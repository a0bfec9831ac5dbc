//! The "Why" tools of the explorer: the local curvature drawn as principal axes, the basin map
//! of one optimizer over the whole view, and a sweep of two hyperparameters. Each heavy job
//! runs on its own thread; the UI polls it and never waits.

pub mod basin;
pub mod sweep;

pub use basin::BasinUi;
pub use sweep::SweepUi;

use super::view2d::short;
use crate::insight::curvature::Curvature;
use eframe::egui::{self, Color32, Painter, Pos2, Stroke};

/// The principal axes of the local quadratic model at `p`, with λ, κ and the stable GD step.
pub fn paint_curvature(
    painter: &Painter,
    surface: &crate::surfaces::Surface,
    p: [f64; 2],
    span: f64,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) {
    let Ok(c) = Curvature::at(surface, p[0], p[1]) else {
        return;
    };
    // The stiffest axis reaches 6% of the view; flatter ones are longer, up to 15%.
    let lmax = c.eigenvalues.iter().fold(0.0_f64, |m, l| m.max(l.abs()));
    let level = 0.5 * lmax * (0.06 * span).powi(2);
    let axes = c.principal_axes(p, level, 0.15 * span);
    for ((a, b), &l) in axes.iter().zip(&c.eigenvalues) {
        let (a, b) = (to_screen(*a), to_screen(*b));
        let color = if l >= 0.0 {
            Color32::from_rgb(255, 255, 255)
        } else {
            Color32::from_rgb(255, 110, 110)
        };
        painter.line_segment([a, b], Stroke::new(4.0, Color32::from_black_alpha(160)));
        if l >= 0.0 {
            painter.line_segment([a, b], Stroke::new(2.0, color));
        } else {
            painter.add(egui::Shape::dashed_line(
                &[a, b],
                Stroke::new(2.0, color),
                6.0,
                4.0,
            ));
        }
    }
    let gd = crate::insight::curvature::gd_stable_lr(c.lambda_max());
    let text = format!(
        "λ = {}, {}   κ = {}   {}{}",
        short(c.lambda_min()),
        short(c.lambda_max()),
        if c.condition_number().is_finite() {
            short(c.condition_number())
        } else {
            "∞".into()
        },
        c.definiteness().label(),
        gd.map_or(String::new(), |g| format!(
            "   GD stable for γ < {}",
            short(g)
        ))
    );
    let at = to_screen(p) + egui::vec2(14.0, -14.0);
    super::overlay::text_box(painter, at, text, 12.0);
}
