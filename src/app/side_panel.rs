//! The side panel: surface, optimizers with their hyperparameters, shared settings, display.

use super::colormap::Colormap;
use super::surface_panel::SurfacePanel;
use super::view2d::{ViewSettings, text_rgb};
use crate::engine::{Clip, Schedule};
use crate::optim::OptimizerKind;
use crate::optim::hyper::{HyperKind, HyperSpec};
use crate::race::{Command, Race, Shared};
use eframe::egui::{self, RichText};

/// Memory key of the "a hyperparameter is being dragged" flag.
const DRAGGING: &str = "downhill.hyper_dragging";

/// Whether a hyperparameter slider was being dragged in the last frame; clears the flag.
pub fn dragging(ctx: &egui::Context) -> bool {
    ctx.data_mut(|d| d.remove_temp::<bool>(egui::Id::unique(DRAGGING)))
        .unwrap_or(false)
}

/// The most racers at once.
pub const MAX_RACERS: usize = crate::limits::MAX_RACERS;

/// Draws the side panel; returns the commands the user asked for.
pub fn show(
    ui: &mut egui::Ui,
    race: &Race,
    view: &mut ViewSettings,
    surface: &mut SurfacePanel,
) -> Vec<Command> {
    let mut commands = Vec::new();
    super::surface_panel::show(ui, surface, race, &mut commands);
    ui.separator();
    racers_section(ui, race, &mut commands);
    ui.separator();
    shared_section(ui, race, &mut commands);
    ui.separator();
    display_section(ui, view);
    commands
}

fn racers_section(ui: &mut egui::Ui, race: &Race, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.heading("Optimizers");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.add_enabled_ui(race.lanes().len() < MAX_RACERS, |ui| {
                ui.menu_button("✚ Add", |ui| {
                    for kind in OptimizerKind::all() {
                        let usable = kind.oracle() == crate::engine::Oracle::Gradient
                            || crate::engine::Objective::has_hessian(race.surface());
                        if ui
                            .add_enabled(usable, egui::Button::new(kind.title()))
                            .on_hover_text(kind.summary())
                            .clicked()
                        {
                            commands.push(Command::Add(kind));
                            ui.close();
                        }
                    }
                })
                .response
                .on_hover_text(format!(
                    "Add an optimizer to the race (at most {MAX_RACERS})"
                ));
            });
        });
    });
    let labels = race.labels();
    for (i, lane) in race.lanes().iter().enumerate() {
        let spec = &lane.spec;
        let id = ui.make_persistent_id(("racer", i, spec.kind.name()));
        let mut toggle = false;
        let mut header =
            egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, false)
                .show_header(ui, |ui| {
                    let mut color = spec.color;
                    if ui.color_edit_button_srgb(&mut color).changed() {
                        commands.push(Command::SetColor(i, color));
                    }
                    let mut on = spec.enabled;
                    if ui
                        .checkbox(&mut on, "")
                        .on_hover_text("Run and draw this optimizer")
                        .changed()
                    {
                        commands.push(Command::SetEnabled(i, on));
                    }
                    let name = RichText::new(&labels[i])
                        .strong()
                        .color(text_rgb(ui, spec.color));
                    // γ at a glance when the name lacks it (momentum's too); a long name is cut
                    // with "…" (the tooltip has it whole): the row must fit the panel with γ
                    // and its ✖.
                    let lr = spec.hp.get("lr").unwrap_or(0.0);
                    let gamma = (!labels[i].contains("γ="))
                        .then(|| format!("γ={}", crate::race::compact(lr)));
                    let gamma_width = if gamma.is_some() { 70.0 } else { 0.0 };
                    let room = (ui.available_width() - 30.0 - gamma_width).max(40.0);
                    let size =
                        egui::vec2(room.min(ui.available_width()), ui.spacing().interact_size.y);
                    let layout = egui::Layout::left_to_right(egui::Align::Center);
                    toggle = ui
                        .allocate_ui_with_layout(size, layout, |ui| {
                            ui.add(
                                egui::Label::new(name)
                                    .truncate()
                                    .sense(egui::Sense::click()),
                            )
                        })
                        .inner
                        .on_hover_text(format!(
                            "{}: {}\n\n{}\nClick to show its hyperparameters.",
                            spec.kind.title(),
                            spec.kind.summary(),
                            spec.kind.formula()
                        ))
                        .clicked();
                    if let Some(gamma) = gamma {
                        ui.label(RichText::new(gamma).weak());
                    }
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui.small_button("✖").on_hover_text("Remove").clicked() {
                            commands.push(Command::Remove(i));
                        }
                    });
                });
        if toggle {
            header.toggle();
        }
        header.body(|ui| {
            let formula = spec.kind.formula();
            for hs in spec.kind.hyper_specs() {
                let mut v = spec.hp.get(hs.name).unwrap_or(hs.default);
                let (changed, response) = hyper_widget_response(ui, hs, &mut v, Some(formula));
                if changed {
                    commands.push(Command::SetHyper(i, hs.name, v));
                }
                if hs.name == "lr"
                    && let Some(stable) = stable_lr_at_ball(race, lane)
                {
                    mark_stable_lr(ui, &response, hs, v, stable);
                }
            }
            own_start(ui, i, spec.start, race.start(), commands);
            racer_extras(ui, race, i, commands);
            let mut state = spec.show_state;
            if ui
                .checkbox(&mut state, "show its state")
                .on_hover_text(spec.kind.def().state_legend)
                .changed()
            {
                commands.push(Command::SetShowState(i, state));
            }
        });
    }
}

/// The largest stable learning rate of a racer's optimizer on the local quadratic at its ball
/// (for optimizers where such a bound is known: GD and the momentum family).
fn stable_lr_at_ball(race: &Race, lane: &crate::race::Lane) -> Option<f64> {
    let track = &lane.track;
    let p = *track.points.get(race.index_at_cursor(track))?;
    let c = crate::insight::Curvature::at(race.surface(), p[0], p[1]).ok()?;
    c.stable_lr(lane.spec.kind, &lane.spec.hp)
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// What the optimizer-state drawing shows.
const STATE_TIP: &str = "At each ball: the step its momentum carries into the next update as an \
    arrow; for adaptive methods (AdaGrad, RMSprop, Adam …) a box whose half-sides are the \
    per-coordinate step γᵢ·|gᵢ|, so you see why they take a straighter road. Drawn to scale, or \
    magnified ×10ᵏ (and labelled) when too small to see";

/// "Own start" switch and coordinates for one racer.
fn own_start(
    ui: &mut egui::Ui,
    i: usize,
    start: Option<[f64; 2]>,
    shared: [f64; 2],
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let mut own = start.is_some();
        if ui
            .checkbox(&mut own, "own start")
            .on_hover_text("Start this optimizer somewhere else than the shared start")
            .changed()
        {
            commands.push(Command::SetRacerStart(i, own.then_some(shared)));
        }
        if let Some(mut p) = start {
            let x = ui.add(egui::DragValue::new(&mut p[0]).speed(0.01).prefix("x "));
            let y = ui.add(egui::DragValue::new(&mut p[1]).speed(0.01).prefix("y "));
            if (x.changed() || y.changed()) && p.iter().all(|v| v.is_finite()) {
                commands.push(Command::SetRacerStart(i, Some(p)));
            }
        }
    });
}

/// A widget for one hyperparameter; returns whether the value changed. While its slider is
/// being dragged it marks the frame for the live preview ([`dragging`]).
pub fn hyper_widget(
    ui: &mut egui::Ui,
    spec: &HyperSpec,
    v: &mut f64,
    formula: Option<&str>,
) -> bool {
    hyper_widget_response(ui, spec, v, formula).0
}

/// [`hyper_widget`], also returning the widget's response (to draw on it).
fn hyper_widget_response(
    ui: &mut egui::Ui,
    spec: &HyperSpec,
    v: &mut f64,
    formula: Option<&str>,
) -> (bool, egui::Response) {
    let tip = match formula {
        Some(f) => format!(
            "{}\nDefault {}, valid {}.\n\n{}",
            spec.meaning,
            spec.default,
            spec.range_text(),
            f.trim_end()
        ),
        None => format!(
            "{}\nDefault {}, valid {}.",
            spec.meaning,
            spec.default,
            spec.range_text()
        ),
    };
    let response = match spec.kind {
        HyperKind::Bool => {
            let mut on = *v != 0.0;
            let r = ui.checkbox(&mut on, spec.name).on_hover_text(tip);
            *v = if on { 1.0 } else { 0.0 };
            r
        }
        HyperKind::Int => ui
            .add(
                egui::Slider::new(v, spec.min..=spec.max.min(1e4))
                    .integer()
                    .clamping(egui::SliderClamping::Edits)
                    .text(spec.name),
            )
            .on_hover_text(tip),
        HyperKind::Real => {
            let (lo, hi) = spec.slider;
            let mut slider = egui::Slider::new(v, lo..=hi)
                .text(spec.name)
                .clamping(egui::SliderClamping::Never);
            if spec.log_scale {
                slider = slider.logarithmic(true).smallest_positive(lo.max(1e-12));
            }
            ui.add(slider).on_hover_text(tip)
        }
    };
    if response.dragged() {
        ui.ctx()
            .data_mut(|d| d.insert_temp(egui::Id::unique(DRAGGING), true));
    }
    let changed = response.changed();
    if changed {
        *v = spec.clamp(*v);
    }
    (changed, response)
}

/// Marks the largest stable learning rate of the local quadratic model on an lr slider: a red
/// tick on the rail and a line underneath, red when the current γ is past it.
fn mark_stable_lr(
    ui: &mut egui::Ui,
    response: &egui::Response,
    spec: &HyperSpec,
    lr: f64,
    stable: f64,
) {
    let (lo, hi) = spec.slider;
    let lo = lo.max(1e-12);
    let t = ((stable.ln() - lo.ln()) / (hi.ln() - lo.ln())) as f32;
    let rail = egui::Rect::from_min_size(
        response.rect.left_top(),
        egui::vec2(ui.spacing().slider_width, response.rect.height()),
    );
    let radius = rail.height() / 2.5;
    if (0.0..=1.0).contains(&t) {
        let x = rail.left() + radius + t * (rail.width() - 2.0 * radius);
        let red = egui::Color32::from_rgb(235, 70, 70);
        ui.painter().line_segment(
            [
                egui::pos2(x, rail.top() + 1.0),
                egui::pos2(x, rail.bottom() - 1.0),
            ],
            egui::Stroke::new(2.5, red),
        );
    }
    let past = lr >= stable;
    let text = format!(
        "stable below γ ≈ {} here (local quadratic){}",
        super::view2d::short(stable),
        if past { ": this γ is past it" } else { "" }
    );
    let color = if past {
        egui::Color32::from_rgb(235, 90, 90)
    } else {
        ui.visuals().weak_text_color()
    };
    ui.label(RichText::new(text).size(12.0).color(color))
        .on_hover_text(
            "The largest learning rate for which this optimizer is stable on the quadratic that \
             matches the surface at the ball: 2/λ_max for GD, 2(1+β)/λ_max for heavy-ball \
             momentum β. Past it, the steps grow along the steepest direction.",
        );
}

/// A schedule picker with the formula and a slider per parameter; returns whether it changed.
pub(super) fn schedule_editor(
    ui: &mut egui::Ui,
    id: &str,
    label: &str,
    schedule: &mut Schedule,
) -> bool {
    let mut changed = false;
    egui::ComboBox::new(("schedule", id), label)
        .selected_text(schedule.name())
        .show_ui(ui, |ui| {
            for def in crate::engine::SCHEDULES {
                if ui
                    .selectable_label(schedule.name() == def.name, def.name)
                    .on_hover_text(Schedule::describe(def))
                    .clicked()
                    && schedule.name() != def.name
                {
                    *schedule = Schedule::default_of(def);
                    changed = true;
                }
            }
        });
    ui.label(RichText::new(schedule.def().formula).weak().size(12.0));
    // One slider per parameter, from the schedule's definition.
    let def = schedule.def();
    for (k, (param, value)) in def.params.iter().zip(schedule.values()).enumerate() {
        let mut v = value;
        let (lo, hi) = if param.whole {
            (param.min, param.max.min(20_000.0))
        } else {
            (param.min, param.max.min(if param.log { 1e3 } else { 1.0 }))
        };
        // A value a file gives beyond the slider's span is shown, never rewritten: a rewrite
        // would restart the race at every frame.
        let mut slider = egui::Slider::new(&mut v, lo..=hi)
            .text(param.name)
            .clamping(egui::SliderClamping::Edits)
            .logarithmic(param.log);
        if param.whole {
            slider = slider.integer();
        }
        if ui.add(slider).on_hover_text(param.meaning).changed() {
            *schedule = schedule.with_value(k, v);
            changed = true;
        }
    }
    changed
}

/// A racer's own batch size (on a model on data) and schedule.
fn racer_extras(ui: &mut egui::Ui, race: &Race, i: usize, commands: &mut Vec<Command>) {
    let spec = &race.lanes()[i].spec;
    if let Some(data) = race.surface().data_model() {
        let n = data.rows();
        let rows = spec.batch.map_or(n, |b| b.rows(n));
        ui.horizontal(|ui| {
            ui.label("batch").on_hover_text(
                "Rows per step: all of them (full-batch gradient descent), a mini-batch, or 1 \
                 (stochastic). Batches are drawn without replacement within each epoch, from \
                 the shared seed.",
            );
            for (text, b) in [("full", n), ("32", 32), ("16", 16), ("4", 4), ("1", 1)] {
                if ui.selectable_label(rows == b.min(n), text).clicked() && rows != b.min(n) {
                    let batch = (b < n).then_some(crate::models::Batch::Size(b));
                    commands.push(Command::SetBatch(i, batch));
                }
            }
            let mut custom = rows;
            if ui
                .add(
                    egui::DragValue::new(&mut custom)
                        .range(1..=n)
                        .suffix(" rows"),
                )
                .changed()
            {
                let batch = (custom < n).then_some(crate::models::Batch::Size(custom));
                commands.push(Command::SetBatch(i, batch));
            }
        });
    }
    // A stochastic racer (mini-batches, or gradient noise) can be run under other seeds too.
    let batched = race.surface().data_model().is_some() && spec.batch.is_some();
    let noisy = spec.noise.unwrap_or(race.shared().noise) > 0.0;
    if batched || noisy || spec.seeds > 0 {
        ui.horizontal(|ui| {
            let mut seeds = spec.seeds;
            let r = ui
                .add(
                    egui::DragValue::new(&mut seeds)
                        .range(0..=crate::race::cloud::MAX_SEEDS)
                        .prefix("many seeds: "),
                )
                .on_hover_text(
                    "Run this optimizer again under this many other seeds (other batch orders, \
                     other noise) and draw their paths as a faint cloud; the loss plot shows \
                     their mean (dashed) and the band where 80 % of them are",
                );
            if r.changed() {
                commands.push(Command::SetSeeds(i, seeds));
            }
        });
    }
    let mut own = spec.schedule.is_some();
    if ui
        .checkbox(&mut own, "own schedule")
        .on_hover_text(
            "A learning-rate schedule of its own instead of the one every optimizer shares",
        )
        .changed()
    {
        let schedule = own.then_some(race.shared().schedule);
        commands.push(Command::SetSchedule(i, schedule));
    }
    if let Some(mut schedule) = spec.schedule
        && schedule_editor(ui, &format!("racer{i}"), "its schedule", &mut schedule)
    {
        commands.push(Command::SetSchedule(i, Some(schedule)));
    }
}

fn shared_section(ui: &mut egui::Ui, race: &Race, commands: &mut Vec<Command>) {
    let mut shared: Shared = *race.shared();
    let mut changed = false;
    ui.heading("Every optimizer");
    changed |= schedule_editor(ui, "shared", "learning-rate schedule", &mut shared.schedule);
    ui.horizontal(|ui| {
        ui.label("Clipping")
            .on_hover_text("Limit the gradient before the optimizer sees it");
        let mut kind = match shared.clip {
            Clip::None => 0,
            Clip::Norm(_) => 1,
            Clip::Value(_) => 2,
        };
        let before = kind;
        ui.selectable_value(&mut kind, 0, "off");
        ui.selectable_value(&mut kind, 1, "norm")
            .on_hover_text("g ← g·min(1, c/‖g‖)");
        ui.selectable_value(&mut kind, 2, "value")
            .on_hover_text("gᵢ ← clamp(gᵢ, −c, c)");
        if kind != before {
            shared.clip = match kind {
                1 => Clip::Norm(1.0),
                2 => Clip::Value(1.0),
                _ => Clip::None,
            };
            changed = true;
        }
    });
    if let Clip::Norm(c) | Clip::Value(c) = &mut shared.clip {
        changed |= ui
            .add(
                egui::Slider::new(c, 1e-3..=100.0)
                    .logarithmic(true)
                    .clamping(egui::SliderClamping::Edits)
                    .text("c"),
            )
            .changed();
    }
    changed |= ui
        .add(
            egui::Slider::new(&mut shared.noise, 0.0..=10.0)
                .clamping(egui::SliderClamping::Edits)
                .text("gradient noise σ"),
        )
        .on_hover_text("Gaussian noise added to each gradient coordinate: a stochastic gradient")
        .changed();
    if shared.noise > 0.0 {
        changed |= ui
            .add(egui::DragValue::new(&mut shared.seed).prefix("seed "))
            .changed();
    }
    if changed {
        commands.push(Command::SetShared(shared));
    }
}

fn display_section(ui: &mut egui::Ui, view: &mut ViewSettings) {
    ui.heading("Display");
    egui::ComboBox::from_label("colormap")
        .selected_text(view.colormap.name())
        .show_ui(ui, |ui| {
            for c in Colormap::ALL {
                ui.selectable_value(&mut view.colormap, c, c.name());
            }
        });
    ui.checkbox(&mut view.log_scale, "Log colour scale")
        .on_hover_text("Colour by log(f − f_min): shows detail on surfaces with huge ranges");
    ui.horizontal(|ui| {
        ui.checkbox(&mut view.contours, "Contours");
        ui.add_enabled(
            view.contours,
            egui::Slider::new(&mut view.levels, 4..=40).text("levels"),
        );
    });
    ui.checkbox(&mut view.show_gradient, "Show −∇f at each ball");
    ui.checkbox(&mut view.show_state, "Show every optimizer's state")
        .on_hover_text(format!(
            "{STATE_TIP}\n\nEach optimizer also has its own switch among its hyperparameters."
        ));
}
