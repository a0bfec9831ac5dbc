//! Beside the map of a model on data: the data themselves, with each racer's current fit —
//! the line w·x + b for linear regression, the boundary w₁·x₁ + w₂·x₂ = 0 for logistic —
//! moving as the racers move (and as the start is dragged).

use super::view2d::rgb;
use crate::race::Race;
use crate::surfaces::{DataModel, DataSurface};
use eframe::egui::{self, Color32, RichText};
use egui_plot::{Line, Plot, PlotPoints, Points};

/// The most data points drawn (the rest are skipped evenly).
const MAX_POINTS: usize = 2000;

/// The data and every enabled racer's fit at the step on show.
pub fn show(ui: &mut egui::Ui, race: &Race, data: &DataSurface) {
    let (features, target) = data.names();
    let title = match data.spec().model {
        DataModel::Linear { .. } => format!("the data: {target} against {}", features[0]),
        DataModel::Logistic { .. } => format!("the data: {} and {}", features[0], features[1]),
    };
    let scaled = if data.spec().raw {
        "as they are"
    } else {
        "standardised"
    };
    let marks = match data.spec().model {
        DataModel::Linear { .. } => "dots: rows",
        DataModel::Logistic { .. } => "dots: class 0, crosses: class 1",
    };
    ui.label(RichText::new(format!("{title} ({scaled}; {marks})")).strong())
        .on_hover_text(
            "Each racer's current model, in its colour (the map's legend names them): the \
             fitted line (linear) or the decision boundary (logistic), where its ball is on the \
             map",
        );
    let (x_name, y_name) = match data.spec().model {
        DataModel::Linear { .. } => (features[0].clone(), target.to_string()),
        DataModel::Logistic { .. } => (features[0].clone(), features[1].clone()),
    };
    let width = data.width();
    let x = data.features();
    let y = data.targets();
    let n = data.rows();
    let stride = n.div_ceil(MAX_POINTS).max(1);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in (0..n).step_by(stride) {
        lo = lo.min(x[i * width]);
        hi = hi.max(x[i * width]);
    }
    let (lo, hi) = if lo < hi { (lo, hi) } else { (-1.0, 1.0) };
    let pad = 0.05 * (hi - lo);
    let (lo, hi) = (lo - pad, hi + pad);
    let (ylo, yhi) = {
        let col = |i: usize| if width == 1 { y[i] } else { x[i * width + 1] };
        let (a, b) = (0..n)
            .step_by(stride)
            .map(col)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let pad = 0.05 * (b - a).max(1e-9);
        (a - pad, b + pad)
    };
    // No legend: it listed the racers in an order of its own, over the data; the map's legend
    // and the table name each colour.
    Plot::new("data_plot")
        .custom_x_axes(vec![
            egui_plot::AxisHints::new_x()
                .label(x_name)
                .label_spacing(28.0..=40.0),
        ])
        .y_axis_label(y_name)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_boxed_zoom(false)
        .include_x(lo)
        .include_x(hi)
        .include_y(ylo)
        .include_y(yhi)
        .show(ui, |plot_ui| {
            match data.spec().model {
                DataModel::Linear { .. } => {
                    let pts: PlotPoints = (0..n).step_by(stride).map(|i| [x[i], y[i]]).collect();
                    plot_ui.points(
                        Points::new("rows", pts)
                            .radius(2.0)
                            .color(Color32::from_white_alpha(110)),
                    );
                }
                DataModel::Logistic { .. } => {
                    // The classes by shape, in grey: colours belong to the racers.
                    for (class, shape) in [
                        (0.0, egui_plot::MarkerShape::Circle),
                        (1.0, egui_plot::MarkerShape::Cross),
                    ] {
                        let pts: PlotPoints = (0..n)
                            .step_by(stride)
                            .filter(|&i| y[i] == class)
                            .map(|i| [x[2 * i], x[2 * i + 1]])
                            .collect();
                        plot_ui.points(
                            Points::new(format!("class {class}"), pts)
                                .radius(2.6)
                                .shape(shape)
                                .color(Color32::from_white_alpha(140)),
                        );
                    }
                }
            }
            let labels = race.labels();
            for (lane, label) in race.lanes().iter().zip(labels) {
                if !lane.spec.enabled {
                    continue;
                }
                let track = &lane.track;
                let Some(&[p, q]) = track.points.get(race.index_at_cursor(track)) else {
                    continue;
                };
                // Clipped to the data's box, so that a wild fit (a diverged racer's) does
                // not stretch the axes until the data are a flat line.
                let line = match data.spec().model {
                    // The line y = p·x + q, i.e. p·x − y = −q.
                    DataModel::Linear { .. } => line_in_box([p, -1.0, -q], (lo, hi), (ylo, yhi)),
                    // The boundary p·x₁ + q·x₂ = 0, through the origin.
                    DataModel::Logistic { .. } => line_in_box([p, q, 0.0], (lo, hi), (ylo, yhi)),
                };
                if line.len() == 2 {
                    plot_ui.line(
                        Line::new(label, line)
                            .color(rgb(lane.spec.color))
                            .width(2.5),
                    );
                }
            }
        });
}

/// The segment of the line a·x + b·y = c inside the box, if it crosses it.
fn line_in_box([a, b, c]: [f64; 3], (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> Vec<[f64; 2]> {
    if !(a.is_finite() && b.is_finite() && c.is_finite()) || (a == 0.0 && b == 0.0) {
        return Vec::new();
    }
    let slack = 1e-9 * ((x1 - x0).abs() + (y1 - y0).abs());
    let inside = |p: &[f64; 2]| {
        p[0] >= x0 - slack && p[0] <= x1 + slack && p[1] >= y0 - slack && p[1] <= y1 + slack
    };
    // Where the line meets each of the box's four edges.
    let mut hits: Vec<[f64; 2]> = Vec::with_capacity(4);
    if b != 0.0 {
        hits.extend([x0, x1].map(|x| [x, (c - a * x) / b]));
    }
    if a != 0.0 {
        hits.extend([y0, y1].map(|y| [(c - b * y) / a, y]));
    }
    hits.retain(inside);
    // The two hits farthest apart (a corner is hit twice).
    let mut best: Option<([f64; 2], [f64; 2], f64)> = None;
    for (i, p) in hits.iter().enumerate() {
        for q in &hits[i + 1..] {
            let d = (p[0] - q[0]).hypot(p[1] - q[1]);
            if best.is_none_or(|(_, _, e)| d > e) {
                best = Some((*p, *q, d));
            }
        }
    }
    match best {
        Some((p, q, d)) if d > 0.0 => vec![p, q],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_clipped_to_the_box() {
        let seg = line_in_box([1.0, 2.0, 0.0], (-2.0, 2.0), (-3.0, 3.0));
        assert_eq!(seg, vec![[-2.0, 1.0], [2.0, -1.0]]);
        let steep = line_in_box([5.0, 1.0, 0.0], (-2.0, 2.0), (-3.0, 3.0));
        assert_eq!(steep, vec![[0.6, -3.0], [-0.6, 3.0]]);
        // y = 1000·x − 3 leaves through the top and the bottom, not at x = ±2.
        let wild = line_in_box([1000.0, -1.0, 3.0], (-2.0, 2.0), (-3.0, 3.0));
        assert_eq!(wild, vec![[0.0, -3.0], [0.006, 3.0]]);
        // Outside the box, or no line at all: nothing.
        assert!(line_in_box([0.0, 1.0, 10.0], (-1.0, 1.0), (-1.0, 1.0)).is_empty());
        assert!(line_in_box([0.0, 0.0, 0.0], (-1.0, 1.0), (-1.0, 1.0)).is_empty());
    }
}
