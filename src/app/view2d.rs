//! The 2D view: heatmap, contour lines, known points, trajectories and the start marker.

use super::colormap::{Colormap, Paint};
use super::overlay;
use crate::field::{Contour, Grid, Scale, Window, contours};
use crate::race::{Command, Race};
pub use crate::scene::view::ViewSettings;
use crate::surfaces::Surface;
use eframe::egui::{self, Color32, Pos2, Shape, Stroke, TextureHandle, TextureOptions, Vec2};
use egui_plot::{Plot, PlotBounds, PlotImage, PlotPoint, PlotTransform};

/// What the 2D view draws besides the race: a point hovered in the 3D view, a basin map.
#[derive(Clone, Copy, Debug, Default)]
pub struct Extras {
    /// A point to mark (hovered in the other view).
    pub highlight: Option<[f64; 2]>,
    /// A picture over the heatmap: texture, the window it covers, opacity.
    pub basin: Option<(egui::TextureId, Window, f32)>,
}

/// What the heatmap and contours were computed for.
#[derive(Clone, Debug, PartialEq)]
struct HeatKey {
    surface: Surface,
    window: [f64; 4],
    colormap: Colormap,
    log: bool,
    levels: usize,
    resolution: usize,
}

impl HeatKey {
    /// Equal up to a window change too small to see (egui_plot nudges its bounds by a few
    /// ulps from frame to frame when it keeps the aspect ratio).
    fn same_as(&self, other: &HeatKey) -> bool {
        let span = (self.window[1] - self.window[0]).max(self.window[3] - self.window[2]);
        let close = self
            .window
            .iter()
            .zip(other.window)
            .all(|(a, b)| (a - b).abs() <= 1e-6 * span);
        close
            && self.surface == other.surface
            && self.colormap == other.colormap
            && self.log == other.log
            && self.levels == other.levels
            && self.resolution == other.resolution
    }
}

/// The heatmap texture and contour lines for the current window, recomputed only when the
/// surface, the window or the settings change.
#[derive(Default)]
pub struct HeatCache {
    key: Option<HeatKey>,
    texture: Option<TextureHandle>,
    contours: Vec<Contour>,
    scale: Option<Scale>,
}

impl HeatCache {
    /// The window the cached heatmap covers.
    fn window(&self) -> Option<Window> {
        self.key.as_ref().map(|k| Window {
            x: (k.window[0], k.window[1]),
            y: (k.window[2], k.window[3]),
        })
    }

    /// The window the cache covers, if it was computed for `surface`.
    pub fn window_for(&self, surface: &Surface) -> Option<Window> {
        self.key
            .as_ref()
            .filter(|k| k.surface == *surface)
            .and_then(|_| self.window())
    }

    /// Makes the cache current for `surface` over `window`.
    fn update(
        &mut self,
        ctx: &egui::Context,
        surface: &Surface,
        window: Window,
        view: &ViewSettings,
    ) {
        let key = HeatKey {
            surface: surface.clone(),
            window: [window.x.0, window.x.1, window.y.0, window.y.1],
            colormap: view.colormap,
            log: view.log_scale,
            levels: view.levels,
            resolution: view.resolution,
        };
        if self.key.as_ref().is_some_and(|k| k.same_as(&key)) {
            return;
        }
        let n = view.resolution.clamp(16, 1024).min(surface.finest_grid());
        let grid = Grid::sample(surface, window, n, n);
        let scale = Scale::of(&grid, view.log_scale);
        let image = view.colormap.paint(&grid, &scale);
        match &mut self.texture {
            Some(t) => t.set(image, TextureOptions::LINEAR),
            None => self.texture = Some(ctx.load_texture("heatmap", image, TextureOptions::LINEAR)),
        }
        // Contours from a grid three quarters as fine as the heatmap's: at half resolution
        // the lowest levels were jagged inside narrow valleys (Rosenbrock's); at full
        // resolution their vertices cost ~2 ms of every frame. Recomputed only when the
        // window or the settings change.
        let m = (3 * n / 4).max(16);
        let fine = Grid::sample(surface, window, m, m);
        self.contours = contours(&fine, &scale.levels(view.levels));
        self.scale = Some(scale);
        self.key = Some(key);
    }
}

/// Transient interaction state of the view.
pub struct ViewState {
    /// Set when the view must jump to the surface's default window.
    pub reset_bounds: bool,
    /// The view shows the surface's default window, letterboxed to the frame: it is fitted
    /// again whenever the frame changes size, until the user pans or zooms.
    pub fitted: bool,
    /// The frame size the bounds were last fitted to.
    fitted_size: Vec2,
    /// The start marker is being dragged.
    pub dragging_start: bool,
    /// The transform of the last frame, to hit-test before the plot handles input.
    last_transform: Option<PlotTransform>,
    /// The plane point under the pointer in the last frame.
    pub hover: Option<[f64; 2]>,
    /// A window to zoom to at the next frame (the step inspector's "zoom to it").
    pub zoom_to: Option<crate::surfaces::View>,
    /// Where the legend was drawn in the last frame.
    pub legend: Option<egui::Rect>,
}

impl ViewState {
    /// The map's frame on screen in the last frame.
    pub fn frame(&self) -> Option<egui::Rect> {
        self.last_transform.as_ref().map(|t| *t.frame())
    }

    /// The part of the plane the map showed in the last frame, `[x0, x1, y0, y1]`.
    pub fn plane_window(&self) -> Option<[f64; 4]> {
        self.last_transform.as_ref().map(|t| {
            let b = t.bounds();
            [b.min()[0], b.max()[0], b.min()[1], b.max()[1]]
        })
    }

    /// Where the plane point `p` was drawn in the last frame.
    pub fn screen_pos(&self, p: [f64; 2]) -> Option<Pos2> {
        self.last_transform
            .as_ref()
            .map(|t| t.position_from_point(&PlotPoint::new(p[0], p[1])))
    }
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            reset_bounds: true,
            fitted: true,
            fitted_size: Vec2::ZERO,
            dragging_start: false,
            last_transform: None,
            hover: None,
            zoom_to: None,
            legend: None,
        }
    }
}

/// What the 2D view draws and the state it keeps between frames.
pub struct View2d<'a> {
    /// The race to draw.
    pub race: &'a Race,
    /// How to draw it.
    pub settings: &'a ViewSettings,
    /// Interaction state kept between frames.
    pub state: &'a mut ViewState,
    /// The heatmap and contours.
    pub cache: &'a mut HeatCache,
    /// Live preview paths of every racer, while something is dragged.
    pub preview: Option<&'a [Vec<[f64; 2]>]>,
    /// The racers run under many seeds.
    pub clouds: &'a super::clouds::Clouds,
    /// A quiz's guess and answer.
    pub quiz: Option<&'a super::quiz::Quiz>,
    /// One step explained (the step inspector), drawn at its racer's ball in its colour.
    pub explained: Option<(&'a crate::explain::StepExplanation, Color32)>,
    /// A point hovered in the 3D view, a basin map.
    pub extras: Extras,
    /// Draw the read-out under the pointer (not in screenshots).
    pub readout: bool,
}

/// The bounds that show all of `window` in a frame of `size` points at one data unit per
/// unit on both axes: the window, widened or heightened to the frame's shape (letterboxed,
/// never cropped).
pub fn letterbox(window: crate::surfaces::View, size: Vec2) -> PlotBounds {
    let (w, h) = (window.x.1 - window.x.0, window.y.1 - window.y.0);
    let (fw, fh) = (f64::from(size.x.max(1.0)), f64::from(size.y.max(1.0)));
    let per_point = (w / fw).max(h / fh);
    let (half_w, half_h) = (per_point * fw / 2.0, per_point * fh / 2.0);
    let (cx, cy) = (
        (window.x.0 + window.x.1) / 2.0,
        (window.y.0 + window.y.1) / 2.0,
    );
    PlotBounds::from_min_max([cx - half_w, cy - half_h], [cx + half_w, cy + half_h])
}

/// Draws the 2D view; returns the commands the user's input asked for.
pub fn show(ui: &mut egui::Ui, view: View2d<'_>) -> Vec<Command> {
    let View2d {
        race,
        settings: view,
        state,
        cache,
        preview,
        clouds,
        quiz,
        explained,
        extras,
        readout,
    } = view;
    let highlight = extras.highlight;
    let mut commands = Vec::new();
    let surface = race.surface().clone();
    let start = race.start();
    // Grab the start marker before the plot can take the drag as a pan.
    let pointer = ui.input(|i| i.pointer.interact_pos());
    let pressed = ui.input(|i| i.pointer.primary_pressed());
    if let (Some(t), Some(p), true) = (&state.last_transform, pointer, pressed) {
        let marker = t.position_from_point(&PlotPoint::new(start[0], start[1]));
        if t.frame().contains(p) && marker.distance(p) < 12.0 {
            state.dragging_start = true;
        }
    }
    if !ui.input(|i| i.pointer.primary_down()) {
        state.dragging_start = false;
    }
    let scroll = ui.input(|i| i.smooth_scroll_delta.y);
    // The scene's window, or the surface's own.
    let surface_view = view.frame(surface.view());
    // A model's axes are its two parameters.
    let (x_name, y_name) = surface.data_model().map_or(("x", "y"), |d| d.axes());
    // One plot id wherever the view is placed (alone or in the split), so pan and zoom
    // survive a change of layout; a plot seen for the first time starts at the surface's
    // view, never at bounds fitted to its own heatmap (which would grow every frame).
    let plot = Plot::new("view2d")
        .id(egui::Id::unique("downhill-view2d"))
        .default_x_bounds(surface_view.x.0, surface_view.x.1)
        .default_y_bounds(surface_view.y.0, surface_view.y.1)
        .data_aspect(1.0)
        .allow_drag(!state.dragging_start)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_double_click_reset(false)
        .allow_boxed_zoom(false)
        .show_grid(false)
        .show_crosshair(false)
        .show_x(false)
        .show_y(false)
        .show_background(false)
        // The plane's coordinates are short numbers: a label every 30 points or so on x (egui_plot
        // keeps 60 for long labels, which left only "0" on a 10-wide surface).
        .custom_x_axes(vec![
            egui_plot::AxisHints::new_x()
                .label(x_name)
                .label_spacing(55.0..=70.0)
                .formatter(|mark, _| super::axes::tick_label(mark.value)),
        ])
        .custom_y_axes(vec![
            super::axes::y_axis()
                .label(y_name)
                .formatter(|mark, _| super::axes::tick_label(mark.value)),
        ])
        .x_grid_spacer(super::axes::linear_marks)
        .y_grid_spacer(super::axes::linear_marks);
    let response = plot.show(ui, |plot_ui| {
        let size = plot_ui.transform().frame().size();
        let double_clicked = plot_ui.response().double_clicked();
        if std::mem::take(&mut state.reset_bounds) || double_clicked {
            state.fitted = true;
            state.fitted_size = Vec2::ZERO;
        }
        if let Some(w) = state.zoom_to.take() {
            plot_ui.set_plot_bounds(letterbox(w, size));
            state.fitted = false;
        }
        // Fitted: the whole default window, letterboxed to the frame as it is now.
        if state.fitted && (size - state.fitted_size).length() > 0.5 {
            plot_ui.set_plot_bounds(letterbox(surface_view, size));
            state.fitted_size = size;
        }
        if plot_ui.response().hovered() && scroll != 0.0 {
            let f = (scroll * 0.003).exp();
            plot_ui.zoom_bounds_around_hovered(Vec2::splat(f));
            state.fitted = false;
        }
        if plot_ui.response().dragged() && !state.dragging_start {
            state.fitted = false;
        }
        let b = plot_ui.plot_bounds();
        let window = Window {
            x: (b.min()[0], b.max()[0]),
            y: (b.min()[1], b.max()[1]),
        };
        cache.update(plot_ui.ctx(), &surface, window, view);
        let window = cache.window().unwrap_or(window);
        if let Some(texture) = &cache.texture {
            let centre = PlotPoint::new(
                (window.x.0 + window.x.1) / 2.0,
                (window.y.0 + window.y.1) / 2.0,
            );
            let size = Vec2::new(
                (window.x.1 - window.x.0) as f32,
                (window.y.1 - window.y.0) as f32,
            );
            plot_ui.image(PlotImage::new("surface", texture.id(), centre, size));
        }
        if let Some((texture, w, alpha)) = extras.basin {
            let centre = PlotPoint::new((w.x.0 + w.x.1) / 2.0, (w.y.0 + w.y.1) / 2.0);
            let size = Vec2::new((w.x.1 - w.x.0) as f32, (w.y.1 - w.y.0) as f32);
            plot_ui.image(
                PlotImage::new("basin map", texture, centre, size)
                    .tint(Color32::from_white_alpha((alpha * 255.0) as u8)),
            );
        }
        plot_ui.pointer_coordinate()
    });
    let transform = response.transform;
    state.last_transform = Some(transform);
    let rect = *transform.frame();
    let painter = ui.painter_at(rect);
    let to_screen = |p: [f64; 2]| transform.position_from_point(&PlotPoint::new(p[0], p[1]));

    if view.contours {
        overlay::paint_contours(&painter, &cache.contours, &to_screen);
        overlay::paint_contour_labels(&painter, rect, &cache.contours, &surface, &to_screen);
    }
    overlay::paint_known_points(&painter, &surface, &to_screen);
    if let Some(paths) = preview {
        for (lane, path) in race.lanes().iter().zip(paths) {
            let color = rgb(lane.spec.color).gamma_multiply(0.8);
            // Dashes are drawn only while the path stays near the view: a diverging preview
            // would otherwise ask for billions of dashes.
            let near = rect.expand(rect.width().max(rect.height()));
            let pts: Vec<Pos2> = path
                .iter()
                .map(|p| to_screen(*p))
                .take_while(|p| near.contains(*p))
                .collect();
            painter.add(Shape::dashed_line(&pts, Stroke::new(1.5, color), 6.0, 4.0));
        }
    }
    super::batch_overlay::paint_clouds(&painter, race, clouds, &to_screen);
    let b = transform.bounds();
    let plane = [b.min()[0], b.max()[0], b.min()[1], b.max()[1]];
    overlay::paint_tracks(&painter, race, view, &to_screen, plane);
    if let Some((e, color)) = explained {
        super::step_overlay::paint_explanation(&painter, e, color, &to_screen);
    }
    if let Some(q) = quiz {
        q.paint(&painter, race, &to_screen);
    }
    // Starts of their own, in the racer's colour.
    for lane in race.lanes().iter().filter(|l| l.spec.enabled) {
        if let Some(p) = lane.spec.start {
            let at = to_screen(p);
            painter.circle_stroke(at, 6.0, Stroke::new(2.5, Color32::BLACK));
            painter.circle_stroke(at, 6.0, Stroke::new(1.5, rgb(lane.spec.color)));
        }
    }
    // The shared start marker.
    let s = to_screen(start);
    painter.circle(
        s,
        7.0,
        Color32::from_black_alpha(0),
        Stroke::new(2.5, Color32::BLACK),
    );
    painter.circle(
        s,
        7.0,
        Color32::from_white_alpha(60),
        Stroke::new(1.5, Color32::WHITE),
    );
    state.legend = overlay::paint_legend(&painter, rect, race, &to_screen);

    // Input: drag the start, click to set it.
    let hover = response
        .response
        .hovered()
        .then_some(response.inner)
        .flatten();
    if state.dragging_start {
        if let Some(p) = response.inner {
            commands.push(Command::SetStart([p.x, p.y]));
        }
    } else if response.response.clicked()
        && let Some(p) = hover
    {
        commands.push(Command::SetStart([p.x, p.y]));
    }
    state.hover = hover.map(|p| [p.x, p.y]);
    if view.show_curvature {
        let head = race
            .lanes()
            .iter()
            .find(|l| l.spec.enabled && !l.track.points.is_empty())
            .map(|l| l.track.points[race.index_at_cursor(&l.track)]);
        if let Some(p) = state.hover.or(head) {
            let b = transform.bounds();
            let span = (b.max()[0] - b.min()[0]).max(b.max()[1] - b.min()[1]);
            super::why::paint_curvature(&painter, &surface, p, span, &to_screen);
        }
    }
    if let Some(p) = highlight {
        let at = to_screen(p);
        painter.circle_stroke(at, 9.0, Stroke::new(3.0, Color32::BLACK));
        painter.circle_stroke(at, 9.0, Stroke::new(1.5, Color32::WHITE));
        painter.circle_filled(at, 2.0, Color32::WHITE);
    }
    if let (Some(p), true) = (hover, readout) {
        overlay::paint_readout(&painter, rect, &surface, [p.x, p.y]);
    }
    commands
}

/// An sRGB triple as a colour.
pub fn rgb(c: [u8; 3]) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

/// A racer's colour for text: as is on a dark background, darkened on a light one (yellow
/// and white names would vanish there).
pub fn text_rgb(ui: &egui::Ui, c: [u8; 3]) -> Color32 {
    if ui.visuals().dark_mode {
        rgb(c)
    } else {
        let k = |v: u8| (f32::from(v) * 0.55) as u8;
        Color32::from_rgb(k(c[0]), k(c[1]), k(c[2]))
    }
}

/// A number in 4 significant digits, switching to exponent notation when large or small.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || (1e-3..1e5).contains(&a) {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}
