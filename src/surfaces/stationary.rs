//! Stationary points of a function found numerically: Newton's method on ∇f = 0 from a grid
//! of starts, deduplicated, each classified by its Hessian (or, where the Hessian is flat, by
//! the values around it) as a minimum, a saddle or a maximum.

use super::CriticalPoint;
use super::catalog::{PointKind, View};

/// Newton iterations per start.
const ITERATIONS: usize = 60;

/// The longest Newton step taken, as a fraction of the region's larger side.
const MAX_STEP: f64 = 0.25;

/// Eigenvalues of the Hessian within this (relative to its size) count as flat.
const FLAT: f64 = 1e-8;

/// The stationary points of `f` in `region` (f returns the value, gradient and Hessian as
/// (∂²/∂x², ∂²/∂x∂y, ∂²/∂y²), with non-finite values where f is undefined), from an
/// `n × n` grid of starts. The lowest minima are marked global. At most `limit` points are
/// kept, lowest first.
pub fn find(
    f: &dyn Fn(f64, f64) -> (f64, [f64; 2], [f64; 3]),
    region: View,
    n: usize,
    limit: usize,
) -> Vec<CriticalPoint> {
    let (w, h) = (region.x.1 - region.x.0, region.y.1 - region.y.0);
    let scale = w.max(h).max(1e-12);
    let mut found: Vec<CriticalPoint> = Vec::new();
    let n = n.max(2);
    for j in 0..n {
        for i in 0..n {
            let start = [
                region.x.0 + w * (i as f64 + 0.5) / n as f64,
                region.y.0 + h * (j as f64 + 0.5) / n as f64,
            ];
            let Some(p) = newton(f, start, scale) else {
                continue;
            };
            let inside = p[0] >= region.x.0 - 1e-9 * scale
                && p[0] <= region.x.1 + 1e-9 * scale
                && p[1] >= region.y.0 - 1e-9 * scale
                && p[1] <= region.y.1 + 1e-9 * scale;
            let tol = 1e-6 * scale;
            let seen = found
                .iter()
                .any(|q| (q.x - p[0]).abs() <= tol && (q.y - p[1]).abs() <= tol);
            if inside && !seen {
                let (value, _, hess) = f(p[0], p[1]);
                found.push(CriticalPoint {
                    x: p[0],
                    y: p[1],
                    value,
                    kind: classify(f, p, hess, scale),
                });
            }
        }
    }
    mark_global(&mut found);
    found.sort_by(|a, b| a.value.total_cmp(&b.value));
    found.truncate(limit);
    found
}

/// Newton's method on ∇f = 0 from `start`, steps capped at [`MAX_STEP`] of `scale`; the
/// point where the gradient vanishes, if it gets there.
fn newton(
    f: &dyn Fn(f64, f64) -> (f64, [f64; 2], [f64; 3]),
    start: [f64; 2],
    scale: f64,
) -> Option<[f64; 2]> {
    let mut p = start;
    for _ in 0..ITERATIONS {
        let (v, g, h) = f(p[0], p[1]);
        if !v.is_finite() || !g.iter().chain(&h).all(|d| d.is_finite()) {
            return None;
        }
        let gnorm = g[0].hypot(g[1]);
        let size = h.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if gnorm <= 1e-12 * (1.0 + size * (p[0].abs() + p[1].abs())) {
            return Some(p);
        }
        let det = h[0] * h[2] - h[1] * h[1];
        if det.abs() <= 1e-14 * (size * size).max(1e-300) {
            return None; // flat: Newton cannot say where to go
        }
        let mut d = [
            -(h[2] * g[0] - h[1] * g[1]) / det,
            -(h[0] * g[1] - h[1] * g[0]) / det,
        ];
        let len = d[0].hypot(d[1]);
        let cap = MAX_STEP * scale;
        if len > cap {
            d = [d[0] * cap / len, d[1] * cap / len];
        }
        let next = [p[0] + d[0], p[1] + d[1]];
        if len <= 1e-13 * (1.0 + p[0].abs() + p[1].abs()) {
            return Some(next);
        }
        p = next;
    }
    let (_, g, h) = f(p[0], p[1]);
    let size = h.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    (g[0].hypot(g[1]) <= 1e-9 * (1.0 + size)).then_some(p)
}

/// Minimum, saddle or maximum, from the Hessian's eigenvalues; where one is flat, from the
/// values on a small circle around the point.
fn classify(
    f: &dyn Fn(f64, f64) -> (f64, [f64; 2], [f64; 3]),
    p: [f64; 2],
    h: [f64; 3],
    scale: f64,
) -> PointKind {
    let mean = (h[0] + h[2]) / 2.0;
    let radius = (((h[0] - h[2]) / 2.0).powi(2) + h[1] * h[1]).sqrt();
    let (lo, hi) = (mean - radius, mean + radius);
    let flat = FLAT * (1.0 + lo.abs().max(hi.abs()));
    if lo > flat {
        return PointKind::Local;
    }
    if hi < -flat {
        return PointKind::Maximum;
    }
    if lo < -flat && hi > flat {
        return PointKind::Saddle;
    }
    // Degenerate: look around.
    let centre = f(p[0], p[1]).0;
    let r = 1e-3 * scale;
    let (mut above, mut below) = (0, 0);
    for k in 0..16 {
        let a = std::f64::consts::TAU * k as f64 / 16.0;
        let v = f(p[0] + r * a.cos(), p[1] + r * a.sin()).0;
        if v > centre {
            above += 1;
        } else if v < centre {
            below += 1;
        }
    }
    match (above, below) {
        (_, 0) => PointKind::Local,
        (0, _) => PointKind::Maximum,
        _ => PointKind::Saddle,
    }
}

/// Marks the lowest minima (within a relative 1e-9) as global.
fn mark_global(points: &mut [CriticalPoint]) {
    let lowest = points
        .iter()
        .filter(|p| p.kind == PointKind::Local)
        .map(|p| p.value)
        .fold(f64::INFINITY, f64::min);
    for p in points.iter_mut() {
        if p.kind == PointKind::Local && p.value <= lowest + 1e-9 * (1.0 + lowest.abs()) {
            p.kind = PointKind::Global;
        }
    }
}
