//! Mini-batch and stochastic racers on the map: epoch rings on the path, the noise ellipse of
//! the next step at the ball, and the cloud of the same racer under other seeds.

use super::overlay::thin;
use super::view2d::rgb;
use crate::race::Race;
use eframe::egui::{Color32, Painter, Pos2, Rect, Shape, Stroke};

/// Each racer's paths under other seeds, faint and thin, with a dot where each is now: the
/// spread a stochastic optimizer's path really has.
pub fn paint_clouds(
    painter: &Painter,
    race: &Race,
    clouds: &super::clouds::Clouds,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) {
    for (i, lane) in race.lanes().iter().enumerate() {
        let Some(cloud) = clouds.get(i) else { continue };
        let color = rgb(lane.spec.color);
        let faint = color.gamma_multiply(0.35);
        for path in cloud.paths(clouds.cursor()) {
            let pts = thin(path.iter().map(|p| to_screen(*p)));
            if pts.len() > 1 {
                painter.add(Shape::line(pts, Stroke::new(1.0, faint)));
            }
        }
        for path in cloud.paths(clouds.cursor()) {
            if let Some(p) = path.last() {
                painter.circle(
                    to_screen(*p),
                    3.5,
                    color.gamma_multiply(0.8),
                    Stroke::new(1.0, Color32::from_black_alpha(200)),
                );
            }
        }
    }
}

/// A small ring in the racer's colour on a mini-batch racer's path where each epoch ends
/// (every row seen once more): hollow and thin, so the balls stay readable among them.
pub(super) fn paint_epochs(
    painter: &Painter,
    points: &[[f64; 2]],
    per_epoch: usize,
    color: Color32,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) {
    let per_epoch = per_epoch.max(1);
    // Not more than 200 rings: past that they would cover the path.
    let every = (points.len() / per_epoch / 200 + 1) * per_epoch;
    for p in points.iter().skip(every).step_by(every) {
        let at = to_screen(*p);
        painter.circle_stroke(at, 3.5, Stroke::new(2.5, Color32::from_black_alpha(140)));
        painter.circle_stroke(at, 3.5, Stroke::new(1.2, color));
    }
}

/// The spread of a mini-batch racer's next step at its ball: the ellipse (two standard
/// deviations) of γ·g_B about the full-batch step θ − γ·∇f, from the covariance of the
/// mini-batch gradient g_B there (it shrinks as 1/B). For SGD it is where the next point
/// lands; for other optimizers the noise their gradient sees.
pub(super) fn paint_batch_noise(
    painter: &Painter,
    race: &Race,
    lane: &crate::race::Lane,
    end: usize,
    color: Color32,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) {
    let (Some(data), Some((rows, _))) = (race.surface().data_model(), lane.epoch()) else {
        return;
    };
    let p = lane.track.points[end];
    let lr = lane.lr_at(race.shared(), end as u64 + 1);
    let (_, g) = race.surface().value_grad(p[0], p[1]);
    let c = data
        .batch_gradient_covariance(p[0], p[1], rows)
        .map(|v| v * lr * lr);
    // Principal axes of the 2 × 2 covariance.
    let mean = (c[0] + c[2]) / 2.0;
    let radius = (((c[0] - c[2]) / 2.0).powi(2) + c[1] * c[1]).sqrt();
    let (l1, l2) = (mean + radius, (mean - radius).max(0.0));
    if !(l1.is_finite() && l1 > 0.0) {
        return;
    }
    let angle = 0.5 * (2.0 * c[1]).atan2(c[0] - c[2]);
    let (s, co) = angle.sin_cos();
    let centre = [p[0] - lr * g[0], p[1] - lr * g[1]];
    let (a, b) = (2.0 * l1.sqrt(), 2.0 * l2.sqrt());
    let outline: Vec<Pos2> = (0..48)
        .map(|k| {
            let t = std::f64::consts::TAU * k as f64 / 48.0;
            let (u, v) = (a * t.cos(), b * t.sin());
            to_screen([centre[0] + u * co - v * s, centre[1] + u * s + v * co])
        })
        .collect();
    let span = outline
        .iter()
        .fold(Rect::NOTHING, |r, p| r.union(Rect::from_min_max(*p, *p)));
    if span.width().max(span.height()) < 3.0 || !span.is_finite() {
        return;
    }
    // A faint fill and a thin outline, drawn under every ball: it must not hide one.
    painter.add(Shape::convex_polygon(
        outline.clone(),
        color.gamma_multiply(0.1),
        Stroke::NONE,
    ));
    painter.add(Shape::closed_line(
        outline.clone(),
        Stroke::new(2.5, Color32::from_black_alpha(120)),
    ));
    painter.add(Shape::closed_line(outline, Stroke::new(1.2, color)));
}
