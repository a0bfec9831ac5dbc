//! The hyperparameter sweep window: the final loss (or steps to converge) of one racer over a
//! grid of two of its hyperparameters, computed on a thread; a click sets the cell's values.

use crate::app::background::{Background, collect};
use crate::app::view2d::short;
use crate::insight::picture::Picture;
use crate::insight::{Axis, ColorScale, Sweep, SweepSpec};
use crate::optim::hyper::HyperKind;
use crate::race::{Command, Race};
use eframe::egui::{self, Color32, ColorImage, Pos2, RichText, TextureHandle, TextureOptions};
use egui_plot::{Plot, PlotImage, PlotPoint, Points};

/// The sweep window: two hyperparameters of one racer, a heatmap of the final loss.
pub struct SweepUi {
    /// Whether the window is open.
    pub open: bool,
    /// Which racer.
    pub racer: usize,
    /// Horizontal axis: name, min, max, log.
    pub x: (String, f64, f64, bool),
    /// Vertical axis.
    pub y: (String, f64, f64, bool),
    /// Cells per side.
    pub n: usize,
    /// Steps per run.
    pub steps: u64,
    /// Colour by steps to converge instead of final loss.
    pub by_steps: bool,
    /// The last result.
    pub result: Option<Sweep>,
    /// Why the last sweep failed.
    pub error: Option<String>,
    pending: Option<Background<Result<Sweep, String>>>,
    texture: Option<TextureHandle>,
    transform: Option<egui_plot::PlotTransform>,
    /// The optimizer the axes were last fitted to.
    fitted_for: Option<crate::optim::OptimizerKind>,
    /// The user picked an axis: keep their choice where the optimizer allows it.
    user_axes: bool,
}

impl Default for SweepUi {
    fn default() -> Self {
        Self {
            open: false,
            racer: 0,
            x: ("lr".into(), 1e-4, 1.0, true),
            y: ("momentum".into(), 0.0, 0.99, false),
            n: 48,
            steps: 500,
            by_steps: false,
            result: None,
            error: None,
            pending: None,
            texture: None,
            transform: None,
            fitted_for: None,
            user_axes: false,
        }
    }
}

impl SweepUi {
    /// The window; returns the commands a click on a cell asks for.
    pub fn window(&mut self, ctx: &egui::Context, race: &Race) -> Vec<Command> {
        let mut commands = Vec::new();
        if !self.open {
            return commands;
        }
        self.collect();
        let mut open = self.open;
        egui::Window::new("Hyperparameter sweep")
            .open(&mut open)
            .default_size([520.0, 560.0])
            .show(ctx, |ui| {
                self.settings(ui, race);
                self.picture(ui, race, &mut commands);
            });
        self.open = open;
        commands
    }

    /// Where cell (i, j) was drawn in the last frame.
    pub fn cell_screen_pos(&self, i: usize, j: usize) -> Option<Pos2> {
        self.transform
            .as_ref()
            .map(|t| t.position_from_point(&PlotPoint::new(i as f64, j as f64)))
    }

    /// Picks up a finished sweep.
    fn collect(&mut self) {
        if let Some(result) = collect(&mut self.pending) {
            match result {
                Ok(sweep) => {
                    self.result = Some(sweep);
                    self.texture = None;
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
    }

    /// Forgets the last result (a new scene: it belongs to the old one).
    pub fn forget(&mut self) {
        self.result = None;
        self.texture = None;
        self.error = None;
    }

    /// Points both axes at hyperparameters `kind` has. Until the user picks an axis, they
    /// are its natural pair: the learning rate across and its next numeric hyperparameter
    /// (weight decay last) up; after that only an axis `kind` lacks is replaced.
    fn fit_axes(&mut self, kind: crate::optim::OptimizerKind) {
        if self.fitted_for == Some(kind) {
            return;
        }
        self.fitted_for = Some(kind);
        if !self.user_axes {
            let numeric: Vec<&'static crate::optim::hyper::HyperSpec> = kind
                .hyper_specs()
                .iter()
                .filter(|s| s.kind != HyperKind::Bool)
                .collect();
            if let Some(x) = numeric.first() {
                self.x = default_axis(x);
            }
            let y = numeric
                .iter()
                .skip(1)
                .find(|s| s.name != "weight_decay")
                .or_else(|| numeric.get(1));
            if let Some(y) = y {
                self.y = default_axis(y);
            }
            return;
        }
        let numeric: Vec<&'static crate::optim::hyper::HyperSpec> = kind
            .hyper_specs()
            .iter()
            .filter(|s| s.kind != HyperKind::Bool)
            .collect();
        let has = |name: &str| numeric.iter().any(|s| s.name == name);
        if !has(&self.x.0)
            && let Some(spec) = numeric.first()
        {
            self.x = default_axis(spec);
        }
        if (!has(&self.y.0) || self.y.0 == self.x.0)
            && let Some(spec) = numeric.iter().find(|s| s.name != self.x.0)
        {
            self.y = default_axis(spec);
        }
    }

    fn settings(&mut self, ui: &mut egui::Ui, race: &Race) {
        let lanes = race.lanes();
        let labels = race.labels();
        self.racer = self.racer.min(lanes.len().saturating_sub(1));
        let Some(lane) = lanes.get(self.racer) else {
            ui.label("Add an optimizer first.");
            return;
        };
        egui::ComboBox::from_label("optimizer")
            .selected_text(&labels[self.racer])
            .show_ui(ui, |ui| {
                for (k, label) in labels.iter().enumerate() {
                    ui.selectable_value(&mut self.racer, k, label);
                }
            });
        let kind = lanes[self.racer.min(lanes.len() - 1)].spec.kind;
        // Only axes the chosen optimizer has are offered (GD has no momentum).
        self.fit_axes(kind);
        let _ = lane;
        let numeric: Vec<&'static crate::optim::hyper::HyperSpec> = kind
            .hyper_specs()
            .iter()
            .filter(|s| s.kind != HyperKind::Bool)
            .collect();
        if numeric.len() < 2 {
            ui.label(
                RichText::new(format!(
                    "{} has only one numeric hyperparameter: nothing to sweep against it.",
                    kind.title()
                ))
                .color(Color32::LIGHT_RED),
            );
            return;
        }
        let mut picked = false;
        for (label, axis) in [("x", &mut self.x), ("y", &mut self.y)] {
            ui.horizontal(|ui| {
                egui::ComboBox::from_id_salt(("sweep-axis", label))
                    .selected_text(format!("{label}: {}", axis.0))
                    .show_ui(ui, |ui| {
                        for spec in &numeric {
                            if ui
                                .selectable_label(axis.0 == spec.name, spec.name)
                                .clicked()
                            {
                                *axis = default_axis(spec);
                                picked = true;
                            }
                        }
                    });
                ui.add(
                    egui::DragValue::new(&mut axis.1)
                        .speed(0.001)
                        .prefix("from "),
                );
                ui.add(egui::DragValue::new(&mut axis.2).speed(0.001).prefix("to "));
                ui.checkbox(&mut axis.3, "log");
            });
        }
        self.user_axes |= picked;
        ui.horizontal(|ui| {
            ui.add(
                egui::DragValue::new(&mut self.n)
                    .range(4..=128)
                    .suffix(" per side"),
            );
            ui.add(
                egui::DragValue::new(&mut self.steps)
                    .range(10..=5000)
                    .suffix(" steps"),
            );
            if ui
                .selectable_value(&mut self.by_steps, false, "final loss")
                .changed()
                || ui
                    .selectable_value(&mut self.by_steps, true, "steps to converge")
                    .changed()
            {
                self.texture = None;
            }
            let busy = self.pending.is_some();
            if ui
                .add_enabled(
                    !busy,
                    egui::Button::new(if busy { "Running…" } else { "Run" }),
                )
                .clicked()
            {
                self.run(ui.ctx(), race);
            }
        });
        if let Some(e) = &self.error {
            ui.label(RichText::new(e).color(Color32::LIGHT_RED));
        }
    }

    fn run(&mut self, ctx: &egui::Context, race: &Race) {
        let Some(lane) = race.lanes().get(self.racer) else {
            return;
        };
        let axis = |a: &(String, f64, f64, bool)| Axis {
            name: a.0.clone(),
            min: a.1,
            max: a.2,
            log: a.3,
            count: self.n,
        };
        let spec = SweepSpec {
            surface: race.surface().clone(),
            setup: lane.spec.setup(race.shared()),
            tol_grad: 1e-6,
            start: race.racer_start(self.racer),
            steps: self.steps,
            x: axis(&self.x),
            y: axis(&self.y),
        };
        if let Err(e) = spec.validate() {
            self.error = Some(e.to_string());
            return;
        }
        self.pending = Some(Background::spawn(ctx, move || {
            Sweep::compute(&spec).map_err(|e| e.to_string())
        }));
    }

    fn picture(&mut self, ui: &mut egui::Ui, race: &Race, commands: &mut Vec<Command>) {
        // A sweep belongs to the surface it was computed on.
        if self
            .result
            .as_ref()
            .is_some_and(|r| r.spec.surface != *race.surface())
        {
            self.forget();
        }
        let Some(sweep) = &self.result else {
            return;
        };
        let (nx, ny) = (sweep.spec.x.count, sweep.spec.y.count);
        let values = sweep.metric(self.by_steps);
        let Some(scale) = ColorScale::robust(&values, !self.by_steps) else {
            ui.label(
                RichText::new("Every run diverged: nothing to colour.").color(Color32::LIGHT_RED),
            );
            return;
        };
        if self.texture.is_none() {
            let image = heatmap_image(sweep, &scale, self.by_steps);
            self.texture = Some(
                ui.ctx()
                    .load_texture("sweep", image, TextureOptions::NEAREST),
            );
        }
        let Some(texture) = &self.texture else {
            return;
        };
        let lane = race.lanes().get(self.racer);
        let marker = lane.and_then(|l| sweep.locate(&l.spec.hp));
        let response = draw(ui, sweep, texture.id(), &scale, self.by_steps, marker, true);
        self.transform = Some(response.transform);
        // Cell values on hover, and a click sets the racer's hyperparameters.
        if let Some(p) = response.inner.filter(|_| response.response.hovered()) {
            let (i, j) = (p.x.round(), p.y.round());
            if (0.0..nx as f64).contains(&i) && (0.0..ny as f64).contains(&j) {
                let (i, j) = (i as usize, j as usize);
                let (vx, vy) = sweep.values_at(i, j);
                if let Some(cell) = sweep.cell(i, j) {
                    let text = format!(
                        "{} = {}, {} = {}: loss {}, {} steps{}",
                        sweep.spec.x.name,
                        short(vx),
                        sweep.spec.y.name,
                        short(vy),
                        short(cell.loss),
                        cell.steps,
                        if cell.diverged() { " (diverged)" } else { "" }
                    );
                    response.response.clone().on_hover_text_at_pointer(text);
                }
                if response.response.clicked() {
                    commands.push(Command::SetHyper(self.racer, leak(&sweep.spec.x.name), vx));
                    commands.push(Command::SetHyper(self.racer, leak(&sweep.spec.y.name), vy));
                }
            }
        }
    }
}

/// The sweep as a picture: a line on what is coloured, the colour bar, and the heatmap with
/// its axes labelled by hyperparameter values, the current setting circled (`marker`) and the
/// best cell marked. Drawn by the app's sweep window and, headless, by `sweep --png`.
pub fn draw(
    ui: &mut egui::Ui,
    sweep: &Sweep,
    texture: egui::TextureId,
    scale: &ColorScale,
    by_steps: bool,
    marker: Option<(f64, f64)>,
    interactive: bool,
) -> egui_plot::PlotResponse<Option<egui_plot::PlotPoint>> {
    let (nx, ny) = (sweep.spec.x.count, sweep.spec.y.count);
    ui.label(
        RichText::new(format!(
            "{} of {} after {} steps: darker is lower; black: diverged or blowing up. The colours \
             span the middle 96 % of the other cells.{}",
            if by_steps {
                "steps to converge"
            } else {
                "final loss (log)"
            },
            sweep.spec.setup.kind.title(),
            sweep.spec.steps,
            if interactive {
                " Click a cell to use it."
            } else {
                ""
            }
        ))
        .weak(),
    );
    colour_bar(ui, scale);
    let best = sweep.best();
    Plot::new("sweep_plot")
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show_grid(false)
        .x_axis_label(format!(
            "{}{}",
            sweep.spec.x.name,
            if sweep.spec.x.log { " (log)" } else { "" }
        ))
        .y_axis_label(format!(
            "{}{}",
            sweep.spec.y.name,
            if sweep.spec.y.log { " (log)" } else { "" }
        ))
        .x_axis_formatter({
            let axis = sweep.spec.x.clone();
            move |m, _| axis_label(&axis, m.value)
        })
        .y_axis_formatter({
            let axis = sweep.spec.y.clone();
            move |m, _| axis_label(&axis, m.value)
        })
        .show(ui, |plot_ui| {
            let (cx, cy) = ((nx as f64 - 1.0) / 2.0, (ny as f64 - 1.0) / 2.0);
            plot_ui.image(PlotImage::new(
                "sweep",
                texture,
                PlotPoint::new(cx, cy),
                egui::vec2(nx as f32, ny as f32),
            ));
            if let Some((i, j)) = marker {
                plot_ui.points(
                    Points::new("current", vec![[i, j]])
                        .radius(7.0)
                        .shape(egui_plot::MarkerShape::Circle)
                        .filled(false)
                        .color(Color32::WHITE),
                );
            }
            if let Some((i, j)) = best {
                plot_ui.points(
                    Points::new("best", vec![[i as f64, j as f64]])
                        .radius(6.0)
                        .shape(egui_plot::MarkerShape::Diamond)
                        .color(Color32::from_rgb(255, 200, 0)),
                );
            }
            plot_ui.pointer_coordinate()
        })
}

/// The sweep's heatmap as an egui image (rows top first, one pixel per cell).
pub fn heatmap_image(sweep: &Sweep, scale: &ColorScale, by_steps: bool) -> ColorImage {
    let (nx, ny) = (sweep.spec.x.count, sweep.spec.y.count);
    let picture = Picture::heatmap(&sweep.metric(by_steps), nx, ny, scale);
    let pixels = picture
        .pixels
        .iter()
        .map(|&[r, g, b, a]| Color32::from_rgba_unmultiplied(r, g, b, a))
        .collect();
    ColorImage::new([picture.width, picture.height], pixels)
}

/// An axis over the spec's useful range: two decades either side of its default on a log
/// scale, its slider range otherwise.
fn default_axis(spec: &crate::optim::hyper::HyperSpec) -> (String, f64, f64, bool) {
    let (lo, hi) = spec.slider;
    if spec.log_scale {
        let lo = (spec.default / 100.0).max(lo).max(1e-12);
        let hi = (spec.default * 100.0).min(hi).max(lo * 10.0);
        (spec.name.to_string(), lo, hi, true)
    } else {
        (spec.name.to_string(), lo, hi.max(lo + 1e-6), false)
    }
}

/// A horizontal viridis bar with the scale's tick values under it.
fn colour_bar(ui: &mut egui::Ui, scale: &ColorScale) {
    let width = ui.available_width().min(420.0);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 34.0), egui::Sense::hover());
    let bar = egui::Rect::from_min_size(rect.min, egui::vec2(width, 12.0));
    let painter = ui.painter_at(rect.expand(2.0));
    let steps = 64;
    for k in 0..steps {
        let t = (k as f64 + 0.5) / steps as f64;
        let c = colorous::VIRIDIS.eval_continuous(t);
        let x0 = bar.left() + bar.width() * k as f32 / steps as f32;
        let x1 = bar.left() + bar.width() * (k + 1) as f32 / steps as f32;
        painter.rect_filled(
            egui::Rect::from_x_y_ranges(x0..=x1 + 0.5, bar.y_range()),
            0.0,
            Color32::from_rgb(c.r, c.g, c.b),
        );
    }
    let text = ui.visuals().text_color();
    let ticks = scale.ticks();
    let last = ticks.len().saturating_sub(1);
    let font = egui::FontId::proportional(11.0);
    // Labels that would overlap a neighbour are left out (the ends always stay).
    let labelled: Vec<(f32, String, egui::Align2, f32)> = ticks
        .into_iter()
        .enumerate()
        .map(|(k, (t, v))| {
            let (label, align) = match k {
                0 => (format!("≤{}", tick_text(v)), egui::Align2::LEFT_TOP),
                k if k == last => (format!("≥{}", tick_text(v)), egui::Align2::RIGHT_TOP),
                _ => (tick_text(v), egui::Align2::CENTER_TOP),
            };
            let w = painter
                .layout_no_wrap(label.clone(), font.clone(), text)
                .size()
                .x;
            (bar.left() + bar.width() * t as f32, label, align, w)
        })
        .collect();
    // The extent [from, to] a label covers.
    let extent = |(x, _, align, w): &(f32, String, egui::Align2, f32)| match *align {
        egui::Align2::LEFT_TOP => (*x, x + w),
        egui::Align2::RIGHT_TOP => (x - w, *x),
        _ => (x - w / 2.0, x + w / 2.0),
    };
    let mut kept: Vec<&(f32, String, egui::Align2, f32)> = Vec::new();
    let end = labelled.last().map(extent);
    for (k, tick) in labelled.iter().enumerate() {
        let (from, to) = extent(tick);
        let clear_of_last = kept.last().is_none_or(|prev| from > extent(prev).1 + 6.0);
        let clear_of_end = k == last || end.is_none_or(|(end_from, _)| to + 6.0 < end_from);
        if k == 0 || k == last || (clear_of_last && clear_of_end) {
            kept.push(tick);
        }
    }
    for (x, label, align, _) in kept {
        painter.line_segment(
            [
                egui::pos2(*x, bar.bottom()),
                egui::pos2(*x, bar.bottom() + 4.0),
            ],
            egui::Stroke::new(1.0, text),
        );
        painter.text(
            egui::pos2(*x, bar.bottom() + 5.0),
            *align,
            label,
            font.clone(),
            text,
        );
    }
}

/// A colour-bar value in few characters: 0.001, 6.95, 1e-12, 3.5e-15.
fn tick_text(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || (1e-3..1e4).contains(&a) {
        let t = format!("{v:.3}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        let t = format!("{v:.1e}");
        match t.split_once('e') {
            Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
            None => t,
        }
    }
}

/// A hyperparameter name as the race's commands take it (`&'static str`): found among the
/// optimizers' own static names.
fn leak(name: &str) -> &'static str {
    crate::optim::OptimizerKind::all()
        .flat_map(|k| k.hyper_specs())
        .map(|s| s.name)
        .find(|n| *n == name)
        .unwrap_or("lr")
}

/// The hyperparameter value at grid position `v` (the plot's x or y is the cell index), on
/// whole cells only.
fn axis_label(axis: &Axis, v: f64) -> String {
    let k = v.round();
    if (v - k).abs() > 1e-6 || k < 0.0 || k >= axis.count as f64 {
        return String::new();
    }
    short(axis.value(k as usize))
}
