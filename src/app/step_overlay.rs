//! The step inspector's drawing on the map: one step's parts as arrows head to tail, an
//! adaptive method's per-coordinate box, where the step lands, Newton's quadratic model and
//! L-BFGS's line-search probes.

use super::overlay::arrow;
use eframe::egui::{self, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, Vec2};

/// One step explained, at the ball: its parts as arrows head to tail (the gradient's and the
/// velocity's, …) named where they start, an adaptive method's per-coordinate step as a dashed
/// box, and a ring where the step lands.
pub fn paint_explanation(
    painter: &Painter,
    e: &crate::explain::StepExplanation,
    color: Color32,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) {
    let outline = Stroke::new(5.0, Color32::BLACK);
    if e.coordinate_lr.is_some() {
        let (a, b) = (
            to_screen([e.theta[0] - e.delta[0].abs(), e.theta[1] - e.delta[1].abs()]),
            to_screen([e.theta[0] + e.delta[0].abs(), e.theta[1] + e.delta[1].abs()]),
        );
        let r = Rect::from_two_pos(a, b);
        if r.width().max(r.height()) > 3.0 {
            let corners = [
                r.left_top(),
                r.right_top(),
                r.right_bottom(),
                r.left_bottom(),
                r.left_top(),
            ];
            painter.add(Shape::dashed_line(
                &corners,
                Stroke::new(1.5, Color32::WHITE),
                5.0,
                4.0,
            ));
        }
    }
    let palette = [Color32::WHITE, Color32::from_rgb(255, 200, 90), color];
    let mut at = e.theta;
    for (k, (name, part)) in e.parts.iter().enumerate() {
        let next = [at[0] + part[0], at[1] + part[1]];
        let (from, to) = (to_screen(at), to_screen(next));
        if from.distance(to) > 2.0 {
            let stroke = Stroke::new(3.0, palette[k % palette.len()]);
            arrow(painter, from, to, outline);
            arrow(painter, from, to, stroke);
            let mid = from + (to - from) * 0.5;
            painter.text(
                mid + Vec2::new(6.0, -6.0),
                egui::Align2::LEFT_BOTTOM,
                name,
                FontId::proportional(13.0),
                stroke.color,
            );
        }
        at = next;
    }
    let land = to_screen(e.theta_after);
    painter.circle_stroke(land, 8.0, Stroke::new(3.5, Color32::BLACK));
    painter.circle_stroke(land, 8.0, Stroke::new(2.0, Color32::WHITE));
    if e.hessian.is_some() {
        paint_newton_model(painter, e, to_screen);
    }
    // L-BFGS's line search: each probe along the direction.
    if let (Some(trace), Some(d)) = (&e.line_search, e.state("direction", true)) {
        for p in &trace.probes {
            let at = to_screen([e.theta[0] + p[0] * d[0], e.theta[1] + p[0] * d[1]]);
            painter.circle(at, 3.5, Color32::WHITE, Stroke::new(1.0, Color32::BLACK));
        }
    }
}

/// Newton's local quadratic model at θ: q(d) = f + gᵀd + ½dᵀHd. With H positive definite,
/// its contours (ellipses through θ and inside it) and its minimum θ − H⁻¹g, where the
/// undamped step lands; otherwise a note that the model has no minimum there.
fn paint_newton_model(
    painter: &Painter,
    e: &crate::explain::StepExplanation,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) {
    let ball = to_screen(e.theta);
    let Some(model) = e.quadratic_model() else {
        painter.text(
            ball + Vec2::new(12.0, 12.0),
            egui::Align2::LEFT_TOP,
            "indefinite Hessian: the quadratic model has no minimum here;\nthe damping τ lifts its lowest eigenvalue",
            FontId::proportional(13.0),
            Color32::WHITE,
        );
        return;
    };
    let (centre, c0) = (model.minimum, model.depth);
    let (s, co) = model.angle.sin_cos();
    let (u, v) = ([co, s], [-s, co]);
    // The larger eigenvalue belongs to u.
    let (lu, lv) = (model.eigenvalues[1], model.eigenvalues[0]);
    for frac in [0.15, 0.4, 0.7, 1.0] {
        let level = c0 * frac;
        let (ru, rv) = ((2.0 * level / lu).sqrt(), (2.0 * level / lv).sqrt());
        let pts: Vec<Pos2> = (0..=64)
            .map(|k| {
                let t = std::f64::consts::TAU * k as f64 / 64.0;
                let (p, q) = (ru * t.cos(), rv * t.sin());
                to_screen([
                    centre[0] + p * u[0] + q * v[0],
                    centre[1] + p * u[1] + q * v[1],
                ])
            })
            .collect();
        painter.add(Shape::dashed_line(
            &pts,
            Stroke::new(1.5, Color32::from_rgb(255, 200, 90)),
            6.0,
            4.0,
        ));
    }
    let m = to_screen(centre);
    painter.add(Shape::convex_polygon(
        vec![
            m + Vec2::new(0.0, -7.0),
            m + Vec2::new(7.0, 0.0),
            m + Vec2::new(0.0, 7.0),
            m + Vec2::new(-7.0, 0.0),
        ],
        Color32::from_rgb(255, 200, 90),
        Stroke::new(1.5, Color32::BLACK),
    ));
    painter.text(
        m + Vec2::new(10.0, 0.0),
        egui::Align2::LEFT_CENTER,
        "the model's minimum",
        FontId::proportional(13.0),
        Color32::from_rgb(255, 200, 90),
    );
}
