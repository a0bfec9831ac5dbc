//! The surface part of the side panel: the catalogue, and your own function: a formula box
//! (its parse error shown under it, with a caret, while the current surface stays), examples
//! to start from, parameters with editable ranges, the window, and the stationary points,
//! found in the background.

use super::background::{Background, collect};
use super::side_panel::hyper_widget;
use crate::formula::{Formula, FormulaError};
use crate::race::{Command, Race};
use crate::surfaces::catalog::{PointKind, View};
use crate::surfaces::{Surface, SurfaceKind, TypedParam, TypedSurface};
use eframe::egui::{self, Color32, RichText};

/// Functions to start from, with what each shows.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "x^4 - 2*x^2 + y^2 + 0.3*x",
        "Two minima of different depth and a saddle between them",
    ),
    (
        "x^2 + 10*y^2",
        "A stretched bowl: the condition number is 10",
    ),
    (
        "(1 - x)^2 + 100*(y - x^2)^2",
        "Rosenbrock's banana valley, typed",
    ),
    (
        "a*x^2 + b*y^2",
        "A bowl with two parameters to drag: a and b set the curvatures",
    ),
    (
        "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
        "Egg-crate bumps in a wide bowl: many minima, saddles and maxima",
    ),
    (
        "x*y*exp(-(x^2 + y^2)/2)",
        "Two hills, two pits and a saddle",
    ),
    (
        "abs(x) + 2*abs(y)",
        "A kinked bowl: the gradient jumps at the axes",
    ),
    (
        "log(1 + x^2 + y^2) + 0.1*x",
        "Gentle everywhere: gradients shrink far from the centre",
    ),
    ("x^2 - y^2 + 0.1*y^4", "A saddle with two valleys beside it"),
];

/// Models on data offered in the Surface menu, with what each shows.
pub const DATA_SURFACES: &[(&str, &str)] = &[
    (
        "linear:diabetes:bmi",
        "Disease progression against body-mass index (442 patients): least squares, w and b",
    ),
    (
        "linear:diabetes:s5",
        "Disease progression against the serum measure s5 (442 patients)",
    ),
    (
        "linear:linear:x",
        "A noisy line y = 2x − 1 (200 generated points)",
    ),
    (
        "logistic:moons",
        "Two moons (400 generated points): logistic regression without a bias, w₁ and w₂",
    ),
    (
        "logistic:breast-cancer:mean_radius,mean_texture",
        "Malignant or benign from two measurements of the cell nuclei (569 patients)",
    ),
    (
        "logistic:xor",
        "XOR quadrants: no line through the origin separates them, the loss is nearly flat",
    ),
];

/// The surface section's own state between frames.
#[derive(Default)]
pub struct SurfacePanel {
    /// The formula box's text.
    pub text: String,
    /// Why the text does not parse, for the message under the box.
    error: Option<FormulaError>,
    /// Parameters of the text that look like a function without parentheses, with what was
    /// probably meant.
    lookalikes: Vec<(String, String)>,
    /// The text `error` belongs to.
    checked: String,
    /// A message about the last formula, window or parameter that could not be used.
    pub problem: Option<String>,
    /// The window fields as edited: x0, x1, y0, y1.
    window: Option<[f64; 4]>,
    /// Finding the stationary points of a typed function in the background.
    finding: Option<Background<()>>,
    /// The surface being searched.
    finding_for: Option<Surface>,
    /// The data-surface box's text (`linear:my.csv:x:y`).
    pub data_text: String,
    /// Picking a CSV of one's own and its columns.
    csv: super::data_file::DataFilePicker,
}

impl SurfacePanel {
    /// Whether the formula box's text parses, checking it once per change.
    fn check(&mut self) {
        if self.checked != self.text {
            let parsed = Formula::parse(&self.text);
            self.lookalikes = parsed.as_ref().map(|f| f.lookalikes()).unwrap_or_default();
            self.error = parsed.err();
            self.checked = self.text.clone();
        }
    }

    /// Starts finding a typed surface's stationary points unless they are known or being
    /// found (a search for a surface no longer shown finishes on its own).
    fn find_points(&mut self, ctx: &egui::Context, surface: &Surface) {
        if collect(&mut self.finding).is_some() {
            self.finding_for = None;
        }
        let Some(typed) = surface.typed_function() else {
            return;
        };
        if typed.points_ready()
            || (self.finding.is_some() && self.finding_for.as_ref() == Some(surface))
        {
            return;
        }
        let search = surface.clone();
        self.finding = Some(Background::spawn(ctx, move || {
            search.critical_points();
        }));
        self.finding_for = Some(surface.clone());
    }
}

/// Draws the surface section.
pub fn show(ui: &mut egui::Ui, panel: &mut SurfacePanel, race: &Race, commands: &mut Vec<Command>) {
    let surface = race.surface();
    panel.find_points(ui.ctx(), surface);
    egui::ComboBox::from_label(RichText::new("Surface").heading())
        .selected_text(RichText::new(surface.title()).size(15.0))
        .width(ui.available_width() - 110.0)
        .show_ui(ui, |ui| {
            let typed = surface.typed_function().is_some();
            if ui
                .selectable_label(typed, "✏ Your function…")
                .on_hover_text(
                    "Type f(x, y) yourself: exact gradients and Hessians, every tool works on it",
                )
                .clicked()
                && !typed
            {
                if panel.text.trim().is_empty() {
                    panel.text = EXAMPLES[0].0.to_string();
                }
                apply_formula(panel, surface, commands);
            }
            for kind in SurfaceKind::ALL {
                let selected = Some(kind) == surface.kind();
                if ui
                    .selectable_label(selected, kind.info().title)
                    .on_hover_text(kind.info().lesson)
                    .clicked()
                    && !selected
                {
                    commands.push(Command::SetSurface(Surface::new(kind)));
                }
            }
            ui.separator();
            ui.label(RichText::new("Models on data").weak());
            for (name, about) in DATA_SURFACES {
                let selected = surface.data_model().is_some_and(|d| d.name() == *name);
                if ui
                    .selectable_label(selected, *name)
                    .on_hover_text(*about)
                    .clicked()
                    && !selected
                {
                    apply_data(panel, name, false, commands);
                }
            }
        });
    match (surface.kind(), surface.data_model()) {
        (Some(kind), _) => builtin(ui, panel, surface, kind, commands),
        (None, Some(data)) => data_section(ui, panel, data, commands),
        (None, None) => typed(ui, panel, surface, commands),
    }
}

/// Shows the model on data `name` (raw or standardised), or says why it cannot.
fn apply_data(panel: &mut SurfacePanel, name: &str, raw: bool, commands: &mut Vec<Command>) {
    let made = match crate::surfaces::DataSpec::parse(name) {
        None => Err(format!(
            "'{name}' is not a model on data: write linear:DATASET:FEATURE or logistic:DATASET[:F1,F2]"
        )),
        Some(spec) => spec.map_err(|e| e.to_string()).and_then(|mut spec| {
            spec.raw = raw;
            Surface::data(spec).map_err(|e| e.to_string())
        }),
    };
    match made {
        Ok(s) => {
            panel.problem = None;
            panel.data_text = name.to_string();
            commands.push(Command::SetSurface(s));
        }
        Err(e) => panel.problem = Some(e),
    }
}

/// A model on data: its formula, the raw/standardised switch, and a box for another one (a
/// CSV file: `linear:my.csv:x:y`).
fn data_section(
    ui: &mut egui::Ui,
    panel: &mut SurfacePanel,
    data: &crate::surfaces::DataSurface,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new(data.formula()).monospace().size(12.5));
    let mut raw = data.spec().raw;
    if ui
        .checkbox(&mut raw, "raw data (not standardised)")
        .on_hover_text(
            "Fit the features and target as they are, in their own units. Standardised (the \
             default), each has mean 0 and standard deviation 1: the valley of the loss turns \
             round and one learning rate suits every direction.",
        )
        .changed()
    {
        apply_data(panel, data.name(), raw, commands);
    }
    let (w, b) = data.axes();
    ui.label(
        RichText::new(format!(
            "x axis: {w}, y axis: {b}. Give racers a batch size (under each optimizer) for \
             mini-batch and stochastic paths."
        ))
        .italics(),
    );
    if panel.data_text.is_empty() {
        panel.data_text = data.name().to_string();
    }
    ui.horizontal(|ui| {
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut panel.data_text)
                    .font(egui::TextStyle::Monospace)
                    .desired_width(ui.available_width() - 10.0),
            )
            .on_hover_text(
                "Another model on data, then Enter: linear:DATASET:FEATURE, \
                 logistic:DATASET[:F1,F2]; DATASET a shipped one or a CSV file \
                 (linear:my.csv:x:y names the feature x and the target y).",
            );
        if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            let text = panel.data_text.clone();
            apply_data(panel, &text, raw, commands);
        }
    });
    if let Some(name) = panel.csv.show(ui) {
        apply_data(panel, &name, raw, commands);
    }
    if let Some(p) = &panel.problem {
        ui.colored_label(Color32::from_rgb(255, 140, 110), p);
    }
}

/// A built-in's formula, lesson and parameters, and a way to edit it as a formula.
fn builtin(
    ui: &mut egui::Ui,
    panel: &mut SurfacePanel,
    surface: &Surface,
    kind: SurfaceKind,
    commands: &mut Vec<Command>,
) {
    let info = kind.info();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(info.formula).monospace().size(13.0));
        if ui
            .small_button("✏ Edit")
            .on_hover_text(format!(
                "Start your own function from this one:\n{}",
                info.typed
            ))
            .clicked()
        {
            panel.text = info.typed.to_string();
            let params = surface.params();
            let given: Vec<TypedParam> = params
                .iter()
                .zip(info.params)
                .map(|((name, value), spec)| TypedParam {
                    name: name.clone(),
                    value: *value,
                    min: spec.slider.0.min(*value),
                    max: spec.slider.1.max(*value),
                })
                .collect();
            match TypedSurface::new(info.typed, &params, &given, Some(info.view)) {
                Ok(t) => commands.push(Command::SetSurface(Surface::from_typed(t))),
                Err(e) => panel.problem = Some(e.to_string()),
            }
        }
    });
    ui.label(RichText::new(info.lesson).italics());
    for (spec, (name, value)) in info.params.iter().zip(surface.params()) {
        let mut v = value;
        if hyper_widget(ui, spec, &mut v, None)
            && let Ok(s) = surface.with_values(&[(name, v)])
        {
            commands.push(Command::SetSurface(s));
        }
    }
}

/// The formula box with its error, examples, parameters, window and stationary points.
fn typed(
    ui: &mut egui::Ui,
    panel: &mut SurfacePanel,
    surface: &Surface,
    commands: &mut Vec<Command>,
) {
    let Some(t) = surface.typed_function() else {
        return;
    };
    if panel.text.is_empty() && panel.checked.is_empty() {
        panel.text = t.text().to_string();
    }
    let mut clipped = false;
    ui.horizontal(|ui| {
        ui.label(RichText::new("f(x, y) =").monospace());
        let edit = egui::TextEdit::singleline(&mut panel.text)
            .font(egui::TextStyle::Monospace)
            .hint_text("e.g. x^4 - 2*x^2 + y^2")
            .desired_width(ui.available_width() - 70.0);
        let room = ui.available_width() - 70.0;
        let response = ui.add(edit).on_hover_text(
            "Type f(x, y) and press Enter.\n\
             + − * / ^ (or **), parentheses, x, y, pi, e, numbers such as 1.5e-3;\n\
             sin cos tan exp log sqrt abs tanh sigmoid min max;\n\
             2x and x(y + 1) multiply; ·, ², ³, π, √ work too.\n\
             Any other name (a, b, k…) is a parameter with a slider.",
        );
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        // Wider than the box: it scrolls, and its end (the "+ 0.3*x" that makes two minima
        // unequal) would be out of sight; it is shown whole under the box.
        let font = egui::TextStyle::Monospace.resolve(ui.style());
        let width = ui
            .painter()
            .layout_no_wrap(panel.text.clone(), font, Color32::WHITE)
            .size()
            .x;
        clipped = width > room - 8.0;
        ui.menu_button("Examples", |ui| {
            for (text, about) in EXAMPLES {
                if ui
                    .button(RichText::new(*text).monospace())
                    .on_hover_text(*about)
                    .clicked()
                {
                    panel.text = text.to_string();
                    apply_formula(panel, surface, commands);
                    ui.close();
                }
            }
        });
        if entered {
            apply_formula(panel, surface, commands);
        }
    });
    if clipped {
        ui.add(egui::Label::new(RichText::new(&panel.text).monospace().weak()).wrap());
    }
    panel.check();
    if let Some(e) = &panel.error {
        caret(ui, &panel.text, e);
    } else if panel.text.trim() != t.text() {
        ui.label(RichText::new("Press Enter to use it.").weak());
    }
    if let Some(p) = &panel.problem {
        ui.colored_label(Color32::from_rgb(255, 140, 110), p);
    }
    // A function's name run into a variable is a parameter (a slider below), but most likely
    // a typing slip.
    for (name, meant) in &panel.lookalikes {
        ui.colored_label(
            Color32::from_rgb(240, 190, 80),
            format!("'{name}' is a parameter here: did you mean {meant}?"),
        );
    }
    params(ui, t, commands);
    window(ui, panel, t, commands);
    points(ui, surface);
}

/// The formula with a caret under the column of `e`, and the message.
fn caret(ui: &mut egui::Ui, text: &str, e: &FormulaError) {
    let red = Color32::from_rgb(255, 120, 100);
    // Show the part of the text around the problem, so the caret lines up in one line.
    let chars: Vec<char> = text.chars().collect();
    let at = e.column.saturating_sub(1).min(chars.len());
    let from = at.saturating_sub(30);
    let to = (at + 10).min(chars.len());
    let shown: String = chars[from..to].iter().collect();
    let pointer = format!("{}^", " ".repeat(at - from));
    ui.label(RichText::new(shown).monospace().color(red));
    ui.label(RichText::new(pointer).monospace().color(red));
    ui.label(RichText::new(format!("column {}: {}", e.column, e.message)).color(red));
}

/// Uses the formula box's text as the surface, keeping the parameters that stay; the window
/// fits the new function's stationary points. A text that does not parse changes nothing.
fn apply_formula(panel: &mut SurfacePanel, surface: &Surface, commands: &mut Vec<Command>) {
    let previous = surface
        .typed_function()
        .map(|t| t.params().to_vec())
        .unwrap_or_default();
    let same = surface
        .typed_function()
        .is_some_and(|t| t.text() == panel.text.trim());
    let view = if same {
        surface.typed_function().map(TypedSurface::view)
    } else {
        None
    };
    match TypedSurface::new(&panel.text, &[], &previous, view) {
        Ok(t) => {
            panel.problem = None;
            panel.window = None;
            commands.push(Command::SetSurface(Surface::from_typed(t)));
        }
        Err(e) => {
            panel.check();
            if panel.error.is_none() {
                panel.problem = Some(e.to_string());
            }
        }
    }
}

/// A slider per parameter, with the ends of its range editable.
fn params(ui: &mut egui::Ui, t: &TypedSurface, commands: &mut Vec<Command>) {
    let mut changed: Option<Vec<TypedParam>> = None;
    for (i, p) in t.params().iter().enumerate() {
        let mut q = p.clone();
        ui.horizontal(|ui| {
            let slider = egui::Slider::new(&mut q.value, q.min..=q.max)
                .text(&q.name)
                .clamping(egui::SliderClamping::Never);
            let mut any = ui
                .add(slider)
                .on_hover_text(format!("{}: a parameter of your function", q.name))
                .changed();
            any |= ui
                .add(egui::DragValue::new(&mut q.min).speed(0.1).prefix("from "))
                .on_hover_text("The slider's lower end")
                .changed();
            any |= ui
                .add(egui::DragValue::new(&mut q.max).speed(0.1).prefix("to "))
                .on_hover_text("The slider's upper end")
                .changed();
            if any && q.min < q.max && q.value.is_finite() {
                let mut all = t.params().to_vec();
                all[i] = q.clone();
                changed = Some(all);
            }
        });
    }
    if let Some(all) = changed
        && let Ok(next) = TypedSurface::with_params(t.formula().clone(), all, Some(t.view()))
    {
        commands.push(Command::SetSurface(Surface::from_typed(next)));
    }
}

/// The window's four ends, and a button that fits it to the stationary points.
fn window(
    ui: &mut egui::Ui,
    panel: &mut SurfacePanel,
    t: &TypedSurface,
    commands: &mut Vec<Command>,
) {
    let v = t.view();
    let current = [v.x.0, v.x.1, v.y.0, v.y.1];
    let mut w = panel.window.unwrap_or(current);
    let mut done = false;
    ui.horizontal_wrapped(|ui| {
        ui.label("window x");
        for (k, label) in [(0, ""), (1, "to ")] {
            let r = ui.add(egui::DragValue::new(&mut w[k]).speed(0.05).prefix(label));
            done |= r.lost_focus() || r.drag_stopped();
        }
        ui.label("y");
        for (k, label) in [(2, ""), (3, "to ")] {
            let r = ui.add(egui::DragValue::new(&mut w[k]).speed(0.05).prefix(label));
            done |= r.lost_focus() || r.drag_stopped();
        }
        if ui
            .small_button("Fit")
            .on_hover_text(
                "A window around the stationary points found ([−3, 3]² if they all lie in it)",
            )
            .clicked()
            && let Ok(next) =
                TypedSurface::with_params(t.formula().clone(), t.params().to_vec(), None)
        {
            panel.window = None;
            commands.push(Command::SetSurface(Surface::from_typed(next)));
        }
    });
    panel.window = (w != current).then_some(w);
    if done && w != current {
        let view = View {
            x: (w[0], w[1]),
            y: (w[2], w[3]),
        };
        match TypedSurface::with_params(t.formula().clone(), t.params().to_vec(), Some(view)) {
            Ok(next) => {
                panel.problem = None;
                panel.window = None;
                commands.push(Command::SetSurface(Surface::from_typed(next)));
            }
            Err(e) => panel.problem = Some(e.to_string()),
        }
    }
}

/// What the search for stationary points found, or that it is still looking.
fn points(ui: &mut egui::Ui, surface: &Surface) {
    let Some(points) = surface.critical_points_now() else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Finding the stationary points…");
        });
        return;
    };
    let count = |k: &[PointKind]| points.iter().filter(|p| k.contains(&p.kind)).count();
    let (minima, saddles, maxima) = (
        count(&[PointKind::Global, PointKind::Local]),
        count(&[PointKind::Saddle]),
        count(&[PointKind::Maximum]),
    );
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let list: Vec<String> = points
        .iter()
        .map(|p| {
            let kind = match p.kind {
                PointKind::Global => "global minimum",
                PointKind::Local => "local minimum",
                PointKind::Saddle => "saddle",
                PointKind::Maximum => "maximum",
            };
            format!("{kind} at ({:.4}, {:.4}), f = {:.6}", p.x, p.y, p.value)
        })
        .collect();
    ui.label(format!(
        "Found {}, {} and {}.",
        plural(minima, "minimum", "minima"),
        plural(saddles, "saddle", "saddles"),
        plural(maxima, "maximum", "maxima"),
    ))
    .on_hover_text(if list.is_empty() {
        "Newton's method on ∇f = 0 from a grid of starts over the window and [−10, 10]² found no stationary point.".to_string()
    } else {
        format!(
            "Newton's method on ∇f = 0 from a grid of starts over the window and [−10, 10]², classified by the Hessian:\n{}",
            list.join("\n")
        )
    });
}
