//! A confusion matrix: how many rows of each true class (rows) the model puts in each class
//! (columns), shaded by the share of the true class, with the counts written in.

use eframe::egui::{self, Align2, Color32, FontId, Rect, Sense, Stroke, StrokeKind, pos2, vec2};

/// The most classes drawn as a matrix; more would make unreadable cells.
pub const MAX_CLASSES: usize = 20;

/// Characters of a class name kept on an axis.
const NAME_CHARS: usize = 12;

/// `name` cut to `NAME_CHARS` characters, with an ellipsis when cut.
fn short_name(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        name.to_string()
    } else {
        let kept: String = name.chars().take(NAME_CHARS - 1).collect();
        format!("{kept}…")
    }
}

/// The colour of cells off the diagonal: light grey (colours are the optimizers').
const MISTAKE: Color32 = Color32::from_gray(215);

/// Black or white, whichever reads better on `fill`.
fn text_on(fill: Color32) -> Color32 {
    if fill.intensity() > 0.55 {
        Color32::BLACK
    } else {
        Color32::WHITE
    }
}

/// Draws `counts[actual][predicted]` with the class `names`, shading towards `accent`.
pub fn show(ui: &mut egui::Ui, counts: &[Vec<usize>], names: &[String], accent: Color32) {
    let k = counts.len();
    if k == 0 {
        return;
    }
    if k > MAX_CLASSES {
        ui.label(format!(
            "{k} classes: too many to draw a confusion matrix (at most {MAX_CLASSES})."
        ));
        return;
    }
    let font = FontId::proportional(13.0);
    let label_width = names
        .iter()
        .map(|n| {
            ui.fonts_mut(|f| {
                f.layout_no_wrap(short_name(n), font.clone(), Color32::WHITE)
                    .size()
                    .x
            })
        })
        .fold(0.0_f32, f32::max)
        + 10.0;
    let header = 22.0;
    let available = ui.available_size();
    let cell = ((available.x - label_width) / k as f32)
        .min((available.y - 2.0 * header) / k as f32)
        .clamp(18.0, 80.0);
    let size = vec2(
        label_width + cell * k as f32,
        2.0 * header + cell * k as f32,
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    let (text, weak, empty) = (
        visuals.strong_text_color(),
        visuals.weak_text_color(),
        visuals.extreme_bg_color,
    );
    let grid_min = rect.min + vec2(label_width, 2.0 * header);
    painter.text(
        pos2(
            grid_min.x + cell * k as f32 / 2.0,
            rect.min.y + header / 2.0,
        ),
        Align2::CENTER_CENTER,
        "predicted →",
        font.clone(),
        weak,
    );
    let cell_rect = |row: usize, col: usize| {
        Rect::from_min_size(
            grid_min + vec2(col as f32 * cell, row as f32 * cell),
            vec2(cell, cell),
        )
    };
    let mut hovered = None;
    for (row, counts_row) in counts.iter().enumerate() {
        let members: usize = counts_row.iter().sum();
        let name = short_name(names.get(row).map_or("?", String::as_str));
        painter.text(
            pos2(grid_min.x - 6.0, cell_rect(row, 0).center().y),
            Align2::RIGHT_CENTER,
            &name,
            font.clone(),
            text,
        );
        painter.text(
            pos2(cell_rect(0, row).center().x, grid_min.y - header / 2.0),
            Align2::CENTER_CENTER,
            &name,
            font.clone(),
            text,
        );
        for (col, &count) in counts_row.iter().enumerate() {
            let r = cell_rect(row, col);
            let share = if members == 0 {
                0.0
            } else {
                count as f32 / members as f32
            };
            let target = if row == col { accent } else { MISTAKE };
            let fill = empty.lerp_to_gamma(target, share.sqrt());
            painter.rect_filled(r.shrink(1.0), 2.0, fill);
            if count > 0 {
                painter.text(
                    r.center(),
                    Align2::CENTER_CENTER,
                    count.to_string(),
                    FontId::monospace((cell * 0.3).clamp(10.0, 20.0)),
                    text_on(fill),
                );
            }
            if response.hover_pos().is_some_and(|p| r.contains(p)) {
                painter.rect_stroke(r, 2.0, Stroke::new(1.5, text), StrokeKind::Inside);
                hovered = Some((row, col, count, share));
            }
        }
    }
    if let Some((row, col, count, share)) = hovered {
        let name = |i: usize| names.get(i).map_or("?", String::as_str);
        response.on_hover_text_at_pointer(format!(
            "true {}, predicted {}: {count} rows ({:.0}% of {})",
            name(row),
            name(col),
            share * 100.0,
            name(row)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_with_an_ellipsis_and_short_ones_kept() {
        assert_eq!(short_name("setosa"), "setosa");
        assert_eq!(short_name("a-very-long-class-name"), "a-very-long…");
        assert_eq!(
            short_name("a-very-long-class-name").chars().count(),
            NAME_CHARS
        );
    }

    #[test]
    fn text_reads_on_dark_and_light_fills() {
        assert_eq!(text_on(Color32::from_gray(20)), Color32::WHITE);
        assert_eq!(text_on(Color32::from_gray(230)), Color32::BLACK);
    }
}
