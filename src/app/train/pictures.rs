//! What a model has learnt, drawn from one optimizer's latest weights: the decision boundary
//! of a two-feature classifier over its points, the fitted line of a one-feature regression,
//! the validation digits it still gets wrong, and otherwise a confusion matrix or the actual
//! against the predicted target.

use super::{Problem, RunView, confusion};
use crate::app::view2d::rgb;
use crate::data::{Table, Target};
use crate::models::eval::{
    Miss, actual_vs_predicted, confusion as confusion_counts, curve, decision_grid, misclassified,
};
use eframe::egui::{self, Color32, ColorImage, RichText, TextureHandle, TextureOptions};
use egui_plot::{Line, MarkerShape, Plot, PlotImage, PlotPoint, Points};

/// Cells per side of the decision-boundary picture.
const BOUNDARY_CELLS: usize = 160;

/// The most misclassified digits drawn.
const MAX_MISSES: usize = 48;

/// What the cached pictures were made from: (run, epoch of its weights).
type PictureKey = (usize, usize);

/// Pictures kept until the weights they show change.
#[derive(Default)]
pub struct PictureCache {
    boundary: Option<(PictureKey, TextureHandle)>,
    misses: Option<(PictureKey, Vec<Miss>)>,
    confusion: Option<(PictureKey, Vec<Vec<usize>>)>,
    fit: Option<(PictureKey, Vec<[f64; 2]>)>,
}

/// A colour per class, distinct and colour-blind-safe (Okabe–Ito).
fn class_color(k: usize) -> [u8; 3] {
    // Greys of different lightness: every colour belongs to an optimizer; classes are told
    // apart by lightness and by their points' shapes.
    const CLASSES: [u8; 6] = [70, 200, 130, 240, 100, 170];
    let g = CLASSES[k % CLASSES.len()];
    [g, g, g]
}

/// The marker of class `k`'s points.
fn class_shape(k: usize) -> MarkerShape {
    const SHAPES: [MarkerShape; 6] = [
        MarkerShape::Circle,
        MarkerShape::Cross,
        MarkerShape::Square,
        MarkerShape::Diamond,
        MarkerShape::Up,
        MarkerShape::Asterisk,
    ];
    SHAPES[k % SHAPES.len()]
}

/// Draws the picture that suits the problem, for `run`.
pub fn show(
    ui: &mut egui::Ui,
    problem: &Problem,
    runs: &[RunView],
    selected: usize,
    cache: &mut PictureCache,
) {
    let Some(run) = runs.get(selected) else {
        return;
    };
    let Some((epoch, weights)) = &run.weights else {
        return;
    };
    let key = (selected, *epoch);
    let inputs = problem.experiment.net.inputs();
    let classes = problem.experiment.split.class_names.len();
    ui.label(
        RichText::new(format!("{} after epoch {epoch}", run.name))
            .color(rgb(run.color))
            .strong(),
    );
    if inputs == 2 && classes > 0 {
        boundary(ui, problem, weights, key, cache);
    } else if inputs == 1 && classes == 0 {
        fitted_line(ui, problem, weights);
    } else if inputs == 64 && classes == 10 {
        digits(ui, problem, weights, key, cache);
    } else if classes > 0 {
        matrix(ui, problem, weights, rgb(run.color), key, cache);
    } else {
        actual_against_predicted(ui, problem, weights, rgb(run.color), key, cache);
    }
}

/// The value kept in `slot`, made anew by `make` when it was made for another key.
fn cached<T>(slot: &mut Option<(PictureKey, T)>, key: PictureKey, make: impl FnOnce() -> T) -> &T {
    if slot.as_ref().is_none_or(|(k, _)| *k != key) {
        *slot = None;
    }
    &slot.get_or_insert_with(|| (key, make())).1
}

/// The validation rows, or the training rows when none are held out, and which it is.
fn shown_rows(problem: &Problem) -> (&Table, &'static str) {
    if problem.experiment.split.val.is_empty() {
        (&problem.experiment.split.train, "training")
    } else {
        (&problem.experiment.split.val, "validation")
    }
}

/// The confusion matrix of a classifier with more than two features.
fn matrix(
    ui: &mut egui::Ui,
    problem: &Problem,
    weights: &[f64],
    accent: Color32,
    key: PictureKey,
    cache: &mut PictureCache,
) {
    let (table, which) = shown_rows(problem);
    let names = &problem.experiment.split.class_names;
    let counts = cached(&mut cache.confusion, key, || {
        confusion_counts(&problem.experiment.net, weights, table, names.len())
    });
    let right: usize = (0..counts.len()).map(|k| counts[k][k]).sum();
    ui.label(format!(
        "{right} of {} {which} rows classified right; rows: true class, columns: predicted",
        table.n
    ));
    confusion::show(ui, counts, names, accent);
}

/// Actual against predicted target of a regression with more than one feature.
fn actual_against_predicted(
    ui: &mut egui::Ui,
    problem: &Problem,
    weights: &[f64],
    accent: Color32,
    key: PictureKey,
    cache: &mut PictureCache,
) {
    let (table, which) = shown_rows(problem);
    let target = problem.experiment.split.target_scaling.as_ref();
    let pairs = cached(&mut cache.fit, key, || {
        actual_vs_predicted(&problem.experiment.net, weights, table, target)
    });
    let (lo, hi) = pairs
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    ui.label(format!(
        "{} {which} rows: a perfect model puts every point on the diagonal",
        table.n
    ));
    let target = &problem.data.target_name;
    Plot::new("actual_vs_predicted")
        .data_aspect(1.0)
        .allow_scroll(false)
        .x_axis_label(format!("actual {target}"))
        .y_axis_label(format!("predicted {target}"))
        .show(ui, |plot_ui| {
            if lo < hi {
                plot_ui.line(
                    Line::new("perfect", vec![[lo, lo], [hi, hi]])
                        .color(Color32::GRAY)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            plot_ui.points(Points::new(which, pairs.clone()).radius(2.5).color(accent));
        });
}

/// The range of feature `col` over every row, padded by 8%.
fn feature_range(problem: &Problem, col: usize) -> (f64, f64) {
    let data = &problem.data;
    let (lo, hi) = (0..data.n)
        .map(|i| data.row(i)[col])
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !(lo.is_finite() && hi.is_finite()) {
        return (-1.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-6);
    (lo - pad, hi + pad)
}

fn boundary(
    ui: &mut egui::Ui,
    problem: &Problem,
    weights: &[f64],
    key: PictureKey,
    cache: &mut PictureCache,
) {
    let (x, y) = (feature_range(problem, 0), feature_range(problem, 1));
    if cache.boundary.as_ref().is_none_or(|(k, _)| *k != key) {
        let n = BOUNDARY_CELLS;
        let Some(grid) = decision_grid(
            &problem.experiment.net,
            weights,
            &problem.experiment.split.scaling,
            x,
            y,
            (n, n),
        ) else {
            return;
        };
        // Rows come from the bottom; images from the top. Confidence sets the strength.
        let mut pixels = Vec::with_capacity(n * n);
        for j in (0..n).rev() {
            for i in 0..n {
                let k = j * n + i;
                let [r, g, b] = class_color(grid.class[k]);
                let strength = (grid.value[k].clamp(0.0, 1.0) * 1.6 - 0.6).clamp(0.15, 1.0) as f32;
                let mix = |c: u8| (28.0 + (f32::from(c) - 28.0) * strength * 0.55) as u8;
                pixels.push(Color32::from_rgb(mix(r), mix(g), mix(b)));
            }
        }
        let image = ColorImage::new([n, n], pixels);
        match &mut cache.boundary {
            Some((k, t)) => {
                t.set(image, TextureOptions::LINEAR);
                *k = key;
            }
            None => {
                let t = ui
                    .ctx()
                    .load_texture("boundary", image, TextureOptions::LINEAR);
                cache.boundary = Some((key, t));
            }
        }
    }
    let Some((_, texture)) = &cache.boundary else {
        return;
    };
    let data = &problem.data;
    let Target::Classes { labels, .. } = &data.target else {
        return;
    };
    let names = &problem.experiment.split.class_names;
    Plot::new("boundary")
        .data_aspect(1.0)
        .allow_scroll(false)
        .x_axis_label(data.features.first().cloned().unwrap_or_default())
        .y_axis_label(data.features.get(1).cloned().unwrap_or_default())
        .show(ui, |plot_ui| {
            let centre = PlotPoint::new((x.0 + x.1) / 2.0, (y.0 + y.1) / 2.0);
            let size = egui::vec2((x.1 - x.0) as f32, (y.1 - y.0) as f32);
            plot_ui.image(PlotImage::new("boundary", texture.id(), centre, size));
            for (class, name) in names.iter().enumerate() {
                let pts: Vec<[f64; 2]> = (0..data.n)
                    .filter(|&i| labels[i] == class)
                    .map(|i| [data.row(i)[0], data.row(i)[1]])
                    .collect();
                // Light points on dark regions and dark ones on light, shaped by class.
                let [g, _, _] = class_color(class);
                let ink = if g > 150 { 20 } else { 235 };
                plot_ui.points(
                    Points::new(name.clone(), pts)
                        .shape(class_shape(class))
                        .radius(3.0)
                        .color(Color32::from_gray(ink)),
                );
            }
        });
}

fn fitted_line(ui: &mut egui::Ui, problem: &Problem, weights: &[f64]) {
    let data = &problem.data;
    let Target::Values(values) = &data.target else {
        return;
    };
    let x = feature_range(problem, 0);
    let line = curve(
        &problem.experiment.net,
        weights,
        &problem.experiment.split.scaling,
        problem.experiment.split.target_scaling.as_ref(),
        x,
        100,
    );
    Plot::new("fit")
        .allow_scroll(false)
        .x_axis_label(data.features.first().cloned().unwrap_or_default())
        .y_axis_label(data.target_name.clone())
        .show(ui, |plot_ui| {
            let pts: Vec<[f64; 2]> = (0..data.n).map(|i| [data.row(i)[0], values[i]]).collect();
            plot_ui.points(Points::new("data", pts).radius(2.5).color(Color32::GRAY));
            if let Some(line) = line {
                plot_ui.line(Line::new("model", line).width(3.0).color(Color32::WHITE));
            }
        });
}

fn digits(
    ui: &mut egui::Ui,
    problem: &Problem,
    weights: &[f64],
    key: PictureKey,
    cache: &mut PictureCache,
) {
    let (table, which) = shown_rows(problem);
    let misses = cached(&mut cache.misses, key, || {
        misclassified(&problem.experiment.net, weights, table)
    });
    ui.label(format!(
        "{} of {} {which} digits misclassified (true → predicted)",
        misses.len(),
        table.n
    ));
    let cell = 44.0;
    let columns = ((ui.available_width() / (cell + 8.0)).floor() as usize).max(1);
    let area = egui::ScrollArea::vertical().id_salt("misses");
    crate::app::scroll::show(ui, area, |ui| {
        egui::Grid::new("misses_grid")
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                for (k, miss) in misses.iter().take(MAX_MISSES).enumerate() {
                    ui.vertical(|ui| {
                        let (rect, _) =
                            ui.allocate_exact_size(egui::vec2(cell, cell), egui::Sense::hover());
                        let pixels = problem.data.row(miss.row);
                        let max = pixels.iter().copied().fold(1e-9, f64::max);
                        let px = cell / 8.0;
                        for (i, v) in pixels.iter().enumerate() {
                            let shade = (255.0 * (1.0 - v / max).clamp(0.0, 1.0)) as u8;
                            let at =
                                rect.min + egui::vec2((i % 8) as f32 * px, (i / 8) as f32 * px);
                            let r = egui::Rect::from_min_size(at, egui::vec2(px, px));
                            ui.painter().rect_filled(r, 0.0, Color32::from_gray(shade));
                        }
                        ui.label(
                            RichText::new(format!("{} → {}", miss.actual, miss.predicted))
                                .monospace(),
                        );
                    });
                    if (k + 1) % columns == 0 {
                        ui.end_row();
                    }
                }
            });
    });
}
