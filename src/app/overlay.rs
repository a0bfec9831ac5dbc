//! What is painted over the heatmap: contour lines and their labels, known minima and
//! saddles, trajectories with their balls and arrows, optimizer state, the hover read-out.

use super::view2d::{ViewSettings, rgb, short};
use crate::field::Contour;
use crate::race::Race;
use crate::surfaces::{PointKind, Surface};
use eframe::egui::{self, Align2, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, Vec2, pos2};

/// Contour segments as one mesh of thin quads: tens of thousands of segments stay cheap
/// (separate line shapes would each be tessellated and feathered).
pub fn paint_contours(painter: &Painter, lines: &[Contour], to_screen: &impl Fn([f64; 2]) -> Pos2) {
    let color = Color32::from_white_alpha(70);
    let half_width = 0.6;
    let mut mesh = egui::Mesh::default();
    let segments: usize = lines.iter().map(|c| c.segments.len()).sum();
    mesh.reserve_vertices(4 * segments);
    mesh.reserve_triangles(2 * segments);
    for c in lines {
        for seg in &c.segments {
            let (a, b) = (to_screen(seg[0]), to_screen(seg[1]));
            let d = b - a;
            // A square root, not `length` (a slow `hypot` call, here once per segment).
            let len = d.length_sq().sqrt();
            if len < 1e-3 || !len.is_finite() {
                continue;
            }
            let n = Vec2::new(-d.y, d.x) * (half_width / len);
            let base = mesh.vertices.len() as u32;
            for p in [a + n, a - n, b - n, b + n] {
                mesh.colored_vertex(p, color);
            }
            mesh.add_triangle(base, base + 1, base + 2);
            mesh.add_triangle(base, base + 2, base + 3);
        }
    }
    painter.add(Shape::mesh(mesh));
}

/// Labels the contour levels where they cross the ray from the view's centre towards its
/// top-right corner, so nested levels get labels spread along one line (every other level when
/// there are many). No label covers one of the surface's known points.
pub fn paint_contour_labels(
    painter: &Painter,
    rect: Rect,
    lines: &[Contour],
    surface: &Surface,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) {
    let origin = rect.center();
    let dir = (rect.right_top() - origin).normalized();
    let stride = if lines.len() > 12 { 2 } else { 1 };
    let mut placed: Vec<Rect> = surface
        .critical_points_now()
        .unwrap_or_default()
        .iter()
        .map(|p| Rect::from_center_size(to_screen([p.x, p.y]), Vec2::splat(14.0)))
        .collect();
    for c in lines.iter().skip(stride - 1).step_by(stride) {
        // The segment midpoint closest to the ray, ahead of the origin.
        let best = c
            .segments
            .iter()
            .map(|seg| {
                let (a, b) = (to_screen(seg[0]), to_screen(seg[1]));
                let m = a + (b - a) * 0.5;
                let along = (m - origin).dot(dir);
                let off_sq = ((m - origin) - dir * along).length_sq();
                (m, along, off_sq)
            })
            .filter(|(_, along, off_sq)| *along > 0.0 && *off_sq < 36.0)
            .min_by(|x, y| x.2.total_cmp(&y.2));
        let Some((at, _, _)) = best else { continue };
        let text = short_level(c.level);
        let galley = painter.layout_no_wrap(text, FontId::proportional(11.0), Color32::WHITE);
        let r = Rect::from_center_size(at, galley.size()).expand(2.0);
        if !rect.contains_rect(r) || placed.iter().any(|p| p.intersects(r)) {
            continue;
        }
        painter.rect_filled(r, 3.0, Color32::from_black_alpha(140));
        painter.galley(r.min + Vec2::splat(2.0), galley, Color32::WHITE);
        placed.push(r);
    }
}

/// A contour level in at most three significant digits.
fn short_level(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-2..1e4).contains(&a) {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The surface's known minima (stars, the global ones larger), saddles (diamonds) and maxima
/// (triangles).
pub fn paint_known_points(
    painter: &Painter,
    surface: &Surface,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) {
    // A typed function's points are found in the background: none until they are.
    for p in surface.critical_points_now().unwrap_or_default() {
        paint_point_mark(painter, to_screen([p.x, p.y]), p.kind);
    }
}

/// The mark of a known point of `kind` at `at`.
fn paint_point_mark(painter: &Painter, at: Pos2, kind: PointKind) {
    match kind {
        PointKind::Global | PointKind::Local => {
            let r = if kind == PointKind::Global { 6.0 } else { 4.5 };
            let star = |k: usize, radius: f32| {
                let a = std::f32::consts::TAU * k as f32 / 10.0 - std::f32::consts::FRAC_PI_2;
                at + Vec2::angled(a) * radius
            };
            let points: Vec<Pos2> = (0..10)
                .map(|k| star(k, if k % 2 == 0 { r } else { r * 0.45 }))
                .collect();
            painter.add(Shape::convex_polygon(
                points,
                Color32::WHITE,
                Stroke::new(1.0, Color32::BLACK),
            ));
        }
        PointKind::Saddle => {
            let d = 5.0;
            let pts = vec![
                at + Vec2::new(0.0, -d),
                at + Vec2::new(d, 0.0),
                at + Vec2::new(0.0, d),
                at + Vec2::new(-d, 0.0),
            ];
            painter.add(Shape::convex_polygon(
                pts,
                Color32::from_gray(30),
                Stroke::new(1.5, Color32::WHITE),
            ));
        }
        PointKind::Maximum => {
            let d = 6.0;
            let pts = vec![
                at + Vec2::new(0.0, -d),
                at + Vec2::new(d * 0.87, d * 0.5),
                at + Vec2::new(-d * 0.87, d * 0.5),
            ];
            painter.add(Shape::convex_polygon(
                pts,
                Color32::from_gray(30),
                Stroke::new(1.5, Color32::from_rgb(255, 170, 120)),
            ));
        }
    }
}

/// How many of the most recent segments fade in; older ones are drawn faint in one path.
const FADE_SEGMENTS: usize = 150;
/// Width of a path, in points; it is drawn over a dark outline this much wider.
const PATH_WIDTH: f32 = 3.0;
const OUTLINE: f32 = 2.0;
/// Length of an arrowhead's barbs, in points, whatever the arrow's length.
pub const ARROW_HEAD: f32 = 9.0;

/// The plane window a map shows, `[x0, x1, y0, y1]`: paths are cut to it before drawing.
pub type PlaneWindow = [f64; 4];

/// Every enabled racer's path up to the cursor, its ball, the last update as an arrow into
/// the ball and what the settings add (−∇f, the optimizer's state). Paths are outlined in
/// black so they stay visible on any colormap, and cut to `window` (a diverging path would
/// otherwise ask for lines millions of points long); a path that leaves the map keeps its
/// colour to the edge, where a marker in its colour points the way it went. Balls that
/// coincide are drawn as rings of different sizes, the first racer's largest, so each shows.
pub fn paint_tracks(
    painter: &Painter,
    race: &Race,
    view: &ViewSettings,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
    window: PlaneWindow,
) {
    // The noisiest paths first (SGD's, then mini-batches'), so that a full-batch path is never
    // buried under a stochastic scribble; then every ball, on top of every path.
    let mut lanes: Vec<_> = race
        .lanes()
        .iter()
        .filter(|l| l.spec.enabled && !l.track.points.is_empty())
        .collect();
    lanes.sort_by_key(|l| l.epoch().map_or(usize::MAX, |(rows, _)| rows));
    for lane in &lanes {
        paint_path(painter, race, lane, to_screen, window);
    }
    // A mini-batch racer's noise ellipse, under every ball.
    for lane in lanes.iter().filter(|l| l.epoch().is_some()) {
        let end = race.index_at_cursor(&lane.track);
        let color = rgb(lane.spec.color);
        super::batch_overlay::paint_batch_noise(painter, race, lane, end, color, to_screen);
    }
    // Each ball's place: on the map, or where its path left it.
    let places: Vec<Place> = lanes
        .iter()
        .map(|lane| {
            let end = race.index_at_cursor(&lane.track);
            place(&lane.track.points[..=end], window, to_screen)
        })
        .collect();
    // Balls are drawn in racer order; one with later balls on it gets a ring per ball.
    let mut order: Vec<usize> = (0..lanes.len()).collect();
    order.sort_by_key(|&k| race.lanes().iter().position(|l| std::ptr::eq(l, lanes[k])));
    for (rank, &k) in order.iter().enumerate() {
        let covering = order[rank + 1..]
            .iter()
            .filter(|&&j| places[j].at.distance(places[k].at) < BALL_RADIUS + RING)
            .count();
        let radius = BALL_RADIUS + RING * covering as f32;
        paint_ball(painter, race, lanes[k], view, to_screen, &places[k], radius);
    }
}

/// The radius of a ball, in points.
pub const BALL_RADIUS: f32 = 7.0;
/// How much larger each ball under another is drawn, in points.
pub const RING: f32 = 5.0;

/// Where a racer's ball is drawn: at its point on the map, or at the edge where its path
/// last left the map, pointing the way it went.
#[derive(Clone, Copy, Debug)]
pub struct Place {
    /// On screen.
    pub at: Pos2,
    /// The direction it left in, when the ball is off the map.
    pub left: Option<Vec2>,
}

/// The place of the ball at the end of `points` (a path up to the cursor).
pub fn place(
    points: &[[f64; 2]],
    window: PlaneWindow,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) -> Place {
    let last = points[points.len() - 1];
    if inside(last, window) {
        return Place {
            at: to_screen(last),
            left: None,
        };
    }
    // The last segment that crossed into the outside, from its last point inside.
    let exit = points.windows(2).rev().find_map(|w| {
        let (a, b) = (w[0], w[1]);
        inside(a, window)
            .then(|| clip_segment(a, b, window))
            .flatten()
            .map(|(_, out)| (out, b))
    });
    match exit {
        Some((edge, beyond)) => {
            let (e, b) = (to_screen(edge), to_screen_dir(edge, beyond, to_screen));
            Place {
                at: e,
                left: Some(b),
            }
        }
        // Never inside: the start itself is off the map; the ball sits at the nearest edge.
        None => {
            let clamped = [
                last[0].clamp(window[0], window[1]),
                last[1].clamp(window[2], window[3]),
            ];
            let at = to_screen(clamped);
            Place {
                at,
                left: Some(to_screen_dir(clamped, last, to_screen)),
            }
        }
    }
}

/// The screen direction from plane point `a` towards `b` (unit length), safe for a `b` far off
/// the screen: measured a short way along.
fn to_screen_dir(a: [f64; 2], b: [f64; 2], to_screen: &impl Fn([f64; 2]) -> Pos2) -> Vec2 {
    let d = [b[0] - a[0], b[1] - a[1]];
    let len = d[0].hypot(d[1]);
    if !(len > 0.0 && len.is_finite()) {
        return Vec2::X;
    }
    let near = [a[0] + 1e-6 * d[0] / len, a[1] + 1e-6 * d[1] / len];
    let v = to_screen(near) - to_screen(a);
    if v.length() > 0.0 {
        v.normalized()
    } else {
        Vec2::X
    }
}

/// Whether `p` lies in `window`.
fn inside(p: [f64; 2], w: PlaneWindow) -> bool {
    p[0] >= w[0] && p[0] <= w[1] && p[1] >= w[2] && p[1] <= w[3]
}

/// The part of the segment `a`–`b` inside `window` (Liang–Barsky), if any.
pub fn clip_segment(a: [f64; 2], b: [f64; 2], w: PlaneWindow) -> Option<([f64; 2], [f64; 2])> {
    let d = [b[0] - a[0], b[1] - a[1]];
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-d[0], a[0] - w[0]),
        (d[0], w[1] - a[0]),
        (-d[1], a[1] - w[2]),
        (d[1], w[3] - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 <= t1 && t0.is_finite() && t1.is_finite()).then(|| {
        (
            [a[0] + t0 * d[0], a[1] + t0 * d[1]],
            [a[0] + t1 * d[0], a[1] + t1 * d[1]],
        )
    })
}

/// A path cut to `window`: the runs of it inside, each as screen points.
pub fn clipped_runs(
    points: &[[f64; 2]],
    window: PlaneWindow,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) -> Vec<Vec<Pos2>> {
    let mut runs: Vec<Vec<Pos2>> = Vec::new();
    let mut current: Vec<Pos2> = Vec::new();
    if points.len() == 1 && inside(points[0], window) {
        return vec![vec![to_screen(points[0])]];
    }
    for w in points.windows(2) {
        match clip_segment(w[0], w[1], window) {
            Some((a, b)) => {
                if current.is_empty() {
                    current.push(to_screen(a));
                }
                current.push(to_screen(b));
                // Cut where the segment leaves the window.
                if b != w[1] {
                    runs.push(std::mem::take(&mut current));
                }
            }
            None => {
                if !current.is_empty() {
                    runs.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// One racer's path up to the cursor, cut to the map, fading in over its last segments, with
/// its epoch marks.
fn paint_path(
    painter: &Painter,
    race: &Race,
    lane: &crate::race::Lane,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
    window: PlaneWindow,
) {
    let track = &lane.track;
    let color = rgb(lane.spec.color);
    // A mini-batch path is drawn thinner and lightly outlined: it doubles back on itself
    // many times, and a full outline turned it into a dark tangle around the balls.
    let (width, dark) = if lane.epoch().is_some() {
        (PATH_WIDTH * 0.6, Color32::from_black_alpha(70))
    } else {
        (PATH_WIDTH, Color32::from_black_alpha(200))
    };
    let end = race.index_at_cursor(track);
    let runs = clipped_runs(&track.points[..=end], window, to_screen);
    let total: usize = runs.iter().map(Vec::len).sum();
    // The last FADE_SEGMENTS points fade in; the rest is drawn faint.
    let mut seen = 0;
    for run in runs {
        let pts = thin(run.into_iter());
        if pts.len() > 1 {
            painter.add(Shape::line(pts.clone(), Stroke::new(width + OUTLINE, dark)));
        }
        let first_recent = (total.saturating_sub(FADE_SEGMENTS + 1)).saturating_sub(seen);
        let split = first_recent.min(pts.len().saturating_sub(1));
        if split > 0 {
            painter.add(Shape::line(
                pts[..=split].to_vec(),
                Stroke::new(width, color.gamma_multiply(0.55)),
            ));
        }
        let recent = &pts[split..];
        let n = recent.len().max(2) as f32;
        for (k, w) in recent.windows(2).enumerate() {
            let alpha = 0.55 + 0.45 * (k as f32 + 1.0) / (n - 1.0);
            painter.line_segment(
                [w[0], w[1]],
                Stroke::new(width, color.gamma_multiply(alpha)),
            );
        }
        if total < 120 {
            for p in recent {
                painter.circle(*p, 2.4, color, Stroke::new(1.0, dark));
            }
        }
        seen += pts.len();
    }
    if let Some((_, per_epoch)) = lane.epoch() {
        super::batch_overlay::paint_epochs(
            painter,
            &track.points[..=end],
            per_epoch,
            color,
            to_screen,
        );
    }
}

/// One racer's ball (of `radius`, at its [`Place`]), the last update as an arrow into it, a
/// mini-batch racer's noise ellipse and what the settings add (−∇f, the optimizer's state).
/// A ball off the map is a marker at the edge, pointing the way it went.
fn paint_ball(
    painter: &Painter,
    race: &Race,
    lane: &crate::race::Lane,
    view: &ViewSettings,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
    place: &Place,
    radius: f32,
) {
    let track = &lane.track;
    let color = rgb(lane.spec.color);
    let end = race.index_at_cursor(track);
    if let Some(dir) = place.left {
        // Off the map: a wedge at the edge pointing out.
        let tip = place.at;
        let back = tip - dir * (radius * 2.4);
        let side = Vec2::new(-dir.y, dir.x) * (radius * 1.2);
        painter.add(Shape::convex_polygon(
            vec![tip, back + side, back - side],
            color,
            Stroke::new(2.0, Color32::BLACK),
        ));
        return;
    }
    let ball = place.at;
    if end > 0 {
        // The last step, an arrow in the racer's colour (white was read as a path of its own).
        let from = to_screen(track.points[end - 1]);
        if from.distance(ball) > radius + 4.0 && painter.clip_rect().contains(from) {
            arrow(painter, from, ball, Stroke::new(4.0, Color32::BLACK));
            arrow(painter, from, ball, Stroke::new(2.0, color));
        }
    }
    if view.show_gradient {
        let p = track.points[end];
        let (_, g) = race.surface().value_grad(p[0], p[1]);
        let dir = to_screen([p[0] - g[0], p[1] - g[1]]) - ball;
        if dir.length() > 1.0 {
            let tip = ball + dir.normalized() * 40.0;
            arrow(painter, ball, tip, Stroke::new(4.0, Color32::BLACK));
            arrow(painter, ball, tip, Stroke::new(2.0, color));
        }
    }
    painter.circle(ball, radius, color, Stroke::new(1.5, Color32::BLACK));
    if (view.show_state || lane.spec.show_state) && end + 1 == track.points.len() {
        paint_state(painter, lane, track.points[end], race.surface(), to_screen);
    }
}

/// An arrow from `from` to `to` with barbs of a fixed [`ARROW_HEAD`] length (egui's own arrow
/// scales its head with the arrow: one long Newton step would draw huge barbs).
pub fn arrow(painter: &Painter, from: Pos2, to: Pos2, stroke: Stroke) {
    let d = to - from;
    let len = d.length();
    if !len.is_finite() || len < 1e-3 {
        return;
    }
    let dir = d / len;
    let head = ARROW_HEAD.min(len * 0.6);
    let rot = egui::emath::Rot2::from_angle(std::f32::consts::TAU / 12.0);
    painter.line_segment([from, to], stroke);
    painter.line_segment([to, to - head * (rot * dir)], stroke);
    painter.line_segment([to, to - head * (rot.inverse() * dir)], stroke);
}

/// What the legend must not cover, with how much each matters: starts, balls and known
/// minima (100 each) and points along the trails (1 each, at most ~200 per racer).
fn marks(race: &Race, to_screen: &impl Fn([f64; 2]) -> Pos2) -> Vec<(Pos2, f32)> {
    let mut marks = vec![(to_screen(race.start()), 100.0)];
    for p in race.surface().critical_points_now().unwrap_or_default() {
        if matches!(p.kind, PointKind::Global | PointKind::Local) {
            marks.push((to_screen([p.x, p.y]), 100.0));
        }
    }
    for lane in race.lanes().iter().filter(|l| l.spec.enabled) {
        if let Some(start) = lane.spec.start {
            marks.push((to_screen(start), 100.0));
        }
        let track = &lane.track;
        if track.points.is_empty() {
            continue;
        }
        let end = race.index_at_cursor(track);
        marks.push((to_screen(track.points[end]), 100.0));
        let stride = (end / 200).max(1);
        marks.extend(
            track.points[..=end]
                .iter()
                .step_by(stride)
                .map(|p| (to_screen(*p), 1.0)),
        );
    }
    marks
}

/// The box of `size` in the corner of `rect` (10 points in) that covers the least of `marks`:
/// top left unless something matters more there.
fn legend_corner(rect: Rect, size: Vec2, marks: &[(Pos2, f32)]) -> Rect {
    let inner = rect.shrink(10.0);
    let corners = [
        inner.left_top(),
        pos2(inner.right() - size.x, inner.top()),
        pos2(inner.left(), inner.bottom() - size.y),
        inner.right_bottom() - size,
    ];
    let covered = |r: &Rect| -> f32 {
        let r = r.expand(8.0);
        marks
            .iter()
            .filter(|(p, _)| r.contains(*p))
            .map(|(_, w)| w)
            .sum()
    };
    corners
        .iter()
        .map(|c| Rect::from_min_size(*c, size))
        .min_by(|a, b| covered(a).total_cmp(&covered(b)))
        .unwrap_or(Rect::from_min_size(inner.left_top(), size))
}

/// The legend on the map itself, in the corner that hides least: each enabled racer's
/// colour and name. It stays when the panels are hidden and in presentation mode. Returns
/// where it was drawn.
pub fn paint_legend(
    painter: &Painter,
    rect: Rect,
    race: &Race,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) -> Option<Rect> {
    let racers = race
        .lanes()
        .iter()
        .zip(race.labels())
        .filter(|(l, _)| l.spec.enabled)
        .map(|(l, label)| (Key::Racer(rgb(l.spec.color)), label));
    // What the marks on the map mean, for the kinds of known point it shows.
    let points = race.surface().critical_points_now().unwrap_or_default();
    let shown = |kinds: &[PointKind]| {
        points
            .iter()
            .any(|p| kinds.contains(&p.kind) && rect.contains(to_screen([p.x, p.y])))
    };
    let marks_rows = [
        (
            &[PointKind::Global, PointKind::Local][..],
            PointKind::Global,
            "minimum",
        ),
        (&[PointKind::Saddle][..], PointKind::Saddle, "saddle point"),
        (&[PointKind::Maximum][..], PointKind::Maximum, "maximum"),
    ]
    .into_iter()
    .filter(|(kinds, _, _)| shown(kinds))
    .map(|(_, kind, name)| (Key::Mark(kind), name.to_string()));
    let rows: Vec<(Key, String)> = racers.chain(marks_rows).collect();
    if rows.is_empty() {
        return None;
    }
    let font = FontId::proportional(13.0);
    let galleys: Vec<_> = rows
        .iter()
        .map(|(_, label)| painter.layout_no_wrap(label.clone(), font.clone(), Color32::WHITE))
        .collect();
    let swatch = 22.0;
    let line_height = galleys.iter().map(|g| g.size().y).fold(0.0, f32::max) + 4.0;
    let width = galleys.iter().map(|g| g.size().x).fold(0.0, f32::max) + swatch + 8.0;
    let size = Vec2::new(width + 12.0, line_height * rows.len() as f32 + 8.0);
    let box_rect = legend_corner(rect, size, &marks(race, to_screen));
    let top_left = box_rect.min;
    painter.rect_filled(box_rect, 5.0, Color32::from_black_alpha(165));
    for (k, ((key, _), galley)) in rows.iter().zip(galleys).enumerate() {
        let y = top_left.y + 4.0 + line_height * (k as f32 + 0.5);
        let x = top_left.x + 6.0;
        match *key {
            Key::Racer(color) => {
                painter.line_segment(
                    [pos2(x, y), pos2(x + swatch, y)],
                    Stroke::new(PATH_WIDTH + OUTLINE, Color32::BLACK),
                );
                painter.line_segment(
                    [pos2(x, y), pos2(x + swatch, y)],
                    Stroke::new(PATH_WIDTH, color),
                );
                painter.circle(
                    pos2(x + swatch / 2.0, y),
                    4.0,
                    color,
                    Stroke::new(1.0, Color32::BLACK),
                );
            }
            Key::Mark(kind) => paint_point_mark(painter, pos2(x + swatch / 2.0, y), kind),
        }
        painter.galley(
            pos2(x + swatch + 8.0, y - galley.size().y / 2.0),
            galley,
            Color32::WHITE,
        );
    }
    Some(box_rect)
}

/// A row of the map's legend: a racer's line and ball in its colour, or a known point's mark.
#[derive(Clone, Copy)]
enum Key {
    Racer(Color32),
    Mark(PointKind),
}

/// Drawn state shorter than this (in points) is magnified by a power of ten, and says so:
/// to scale it would hide under the ball.
const MIN_STATE_POINTS: f32 = 24.0;

/// The optimizer's state at the head of its run, drawn over the ball from its
/// [`crate::engine::StatePicture`]: the step its momentum carries as an arrow, and for
/// adaptive methods a box whose half-sides are the per-coordinate step γᵢ·|gᵢ|. Both are to
/// scale unless too small to see, in which case they are magnified by 10ᵏ and labelled "×10ᵏ".
fn paint_state(
    painter: &Painter,
    lane: &crate::race::Lane,
    p: [f64; 2],
    surface: &Surface,
    to_screen: &impl Fn([f64; 2]) -> Pos2,
) {
    let color = rgb(lane.spec.color);
    let picture = lane.state_picture();
    let ball = to_screen(p);
    // Screen offset of a plane vector d at the ball.
    let offset = |d: [f64; 2]| to_screen([p[0] + d[0], p[1] + d[1]]) - ball;
    let outline = Stroke::new(5.0, Color32::BLACK);
    let stroke = Stroke::new(3.0, color);
    let mut labels = Vec::new();
    if let Some(m) = picture.momentum_step.as_deref().filter(|m| m.len() == 2) {
        let d = offset([m[0], m[1]]);
        if let Some((d, k)) = magnified(d) {
            arrow(painter, ball, ball + d, outline);
            arrow(painter, ball, ball + d, stroke);
            labels.push((ball + d, k));
        }
    }
    if let Some(lr) = picture.coordinate_lr.as_deref().filter(|l| l.len() == 2) {
        let (_, g) = surface.value_grad(p[0], p[1]);
        let half = offset([lr[0] * g[0].abs(), lr[1] * g[1].abs()]);
        let half = Vec2::new(half.x.abs(), half.y.abs());
        if let Some((half, k)) = magnified(half) {
            let r = Rect::from_center_size(ball, half * 2.0);
            painter.rect_stroke(r, 0.0, outline, egui::StrokeKind::Middle);
            painter.rect_stroke(r, 0.0, Stroke::new(2.0, color), egui::StrokeKind::Middle);
            labels.push((r.right_top(), k));
        }
    }
    for (at, k) in labels.into_iter().filter(|(_, k)| *k > 0) {
        text_box(painter, at + Vec2::new(4.0, -2.0), format!("×10^{k}"), 11.0);
    }
}

/// `d` scaled by the smallest 10ᵏ (k ≥ 0) that makes it at least [`MIN_STATE_POINTS`] long,
/// with k; `None` for a zero or non-finite vector, or one that would need k > 12.
fn magnified(d: Vec2) -> Option<(Vec2, i32)> {
    let len = d.length();
    if !len.is_finite() || len <= 0.0 {
        return None;
    }
    let k = if len >= MIN_STATE_POINTS {
        0
    } else {
        (MIN_STATE_POINTS / len).log10().ceil() as i32
    };
    (k <= 12).then(|| (d * 10f32.powi(k), k))
}

/// Screen points with those closer than half a pixel to the previous one dropped (the last
/// point is always kept): a converging run piles thousands of steps onto a few pixels.
pub(super) fn thin(points: impl Iterator<Item = Pos2>) -> Vec<Pos2> {
    let mut out: Vec<Pos2> = Vec::new();
    let mut pending = None;
    for p in points {
        match out.last() {
            Some(last) if last.distance_sq(p) < 0.25 => pending = Some(p),
            _ => {
                out.push(p);
                pending = None;
            }
        }
    }
    out.extend(pending);
    out
}

pub fn paint_readout(painter: &Painter, rect: Rect, surface: &Surface, p: [f64; 2]) {
    let (f, g) = surface.value_grad(p[0], p[1]);
    let text = format!(
        "x = {:.4}   y = {:.4}   f = {}   ∇f = ({}, {})",
        p[0],
        p[1],
        short(f),
        short(g[0]),
        short(g[1])
    );
    text_box(
        painter,
        pos2(rect.left() + 8.0, rect.bottom() - 8.0),
        text,
        13.0,
    );
}

/// White monospace text on a dark rounded box, its lower left corner at `pos`.
pub fn text_box(painter: &Painter, pos: Pos2, text: String, size: f32) {
    let galley = painter.layout_no_wrap(text, FontId::monospace(size), Color32::WHITE);
    let rect = Align2::LEFT_BOTTOM.anchor_size(pos, galley.size());
    painter.rect_filled(rect.expand(4.0), 4.0, Color32::from_black_alpha(160));
    painter.galley(rect.min, galley, Color32::WHITE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legend_goes_to_the_corner_that_hides_least() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(400.0, 300.0));
        let size = Vec2::new(100.0, 60.0);
        let corner = |marks: &[(Pos2, f32)]| legend_corner(rect, size, marks).min;
        assert_eq!(corner(&[]), pos2(10.0, 10.0), "top left by default");
        // A start in the top left sends it to the top right.
        assert_eq!(corner(&[(pos2(30.0, 30.0), 100.0)]), pos2(290.0, 10.0));
        // A start there too, and a few trail points bottom left: bottom right.
        let marks = [
            (pos2(30.0, 30.0), 100.0),
            (pos2(350.0, 40.0), 100.0),
            (pos2(40.0, 260.0), 1.0),
        ];
        assert_eq!(corner(&marks), pos2(290.0, 230.0));
    }
}
