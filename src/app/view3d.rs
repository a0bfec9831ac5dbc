//! The 3D view: the surface as a lit mesh, the racers' paths and balls on it, an orbit camera
//! (drag to turn, right- or shift-drag to pan, scroll to zoom, double-click to reset) and an
//! axis gizmo. The picture comes from [`crate::scene3d`]'s CPU z-buffer, shown as a texture.

use super::colormap::Colormap;
use super::colormap::Paint;
use super::overlay;
use super::view2d::ViewSettings;
use crate::field::{Window, contours};
use crate::race::{Command, Race};
pub use crate::scene::view::Settings3d;
use crate::scene3d::camera::OrbitCamera;
use crate::scene3d::mesh::{HeightOptions, SurfaceMesh};
use crate::scene3d::raster::{Frame, Primitives};
use crate::scene3d::{self, Ball3d, LIFT, Overlay, Palette, Path3d};
use crate::surfaces::Surface;
use eframe::egui::{
    self, Align2, Color32, ColorImage, FontId, PointerButton, Pos2, Rect, Sense, Stroke,
    TextureHandle, TextureOptions, Vec2, pos2, vec2,
};

/// The most pixels rendered per frame; larger views are drawn at a lower resolution and
/// scaled up.
const MAX_PIXELS: f32 = 1.6e6;

/// The most pixels rendered per frame while the camera moves (a sharp picture follows).
const MOVING_PIXELS: f32 = 4.5e5;

/// The largest number of points of one path lifted onto the surface per frame.
const MAX_PATH_POINTS: usize = 1500;

/// What the mesh was built for.
#[derive(Clone, Debug, PartialEq)]
struct MeshKey {
    surface: Surface,
    window: [f64; 4],
    resolution: usize,
    height: HeightOptions,
    levels: Option<usize>,
}

/// The 3D view's caches and its picture.
#[derive(Default)]
pub struct View3d {
    mesh: Option<(MeshKey, SurfaceMesh)>,
    frame: Frame,
    prims: Primitives,
    overlay: Overlay,
    texture: Option<TextureHandle>,
    ramp: Option<(Colormap, Vec<[u8; 3]>)>,
    /// The plane point under the pointer in the last frame.
    pub hover: Option<[f64; 2]>,
    /// Milliseconds the last picture took to render on the CPU.
    pub render_ms: f64,
    /// The camera of the last picture: while it moves, pictures are drawn at a lower
    /// resolution, and at full resolution again once it stops.
    last_camera: Option<OrbitCamera>,
}

/// What the 3D view draws, and the settings its controls change.
pub struct Shown3d<'a> {
    /// The race whose surface and paths are drawn.
    pub race: &'a Race,
    /// The map's settings the 3D view shares (colormap, contour levels).
    pub map: &'a ViewSettings,
    /// The 3D view's own settings and camera, changed by its toolbar and the pointer.
    pub settings: &'a mut Settings3d,
    /// The part of the plane shown.
    pub window: Window,
    /// A point to mark (hovered in the 2D view).
    pub highlight: Option<[f64; 2]>,
    /// Live preview paths of every racer, while something is dragged.
    pub preview: Option<&'a [Vec<[f64; 2]>]>,
    /// Draw the read-out under the pointer (not in screenshots).
    pub readout: bool,
    /// Draw the toolbar (not in exported pictures).
    pub controls: bool,
    /// Draw a legend of the racers (exported pictures of the 3D view alone).
    pub legend: bool,
}

impl View3d {
    /// Draws the view into the rest of `ui`; returns the commands the user's input asked for.
    pub fn show(&mut self, ui: &mut egui::Ui, shown: Shown3d<'_>) -> Vec<Command> {
        let mut commands = Vec::new();
        if shown.controls {
            toolbar(ui, shown.settings);
        }
        let rect = ui.available_rect_before_wrap();
        let response = ui.allocate_rect(rect, Sense::click_and_drag());
        self.input(ui, &response, rect, &mut shown.settings.camera);

        let surface = shown.race.surface().clone();
        self.update_mesh(&surface, shown.window, shown.settings, shown.map);
        if self.mesh.is_none() {
            return commands;
        }
        let [w, _] = self.render(ui, rect, &shown);
        show_frame(ui.ctx(), &self.frame, &mut self.texture, "surface3d");
        let Some((_, mesh)) = &self.mesh else {
            return commands;
        };
        let painter = ui.painter_at(rect);
        if let Some(t) = &self.texture {
            let uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
            painter.image(t.id(), rect, uv, Color32::WHITE);
        }
        let camera = shown.settings.camera;
        let dark = ui.visuals().dark_mode;
        corner_labels(&painter, rect, mesh, &camera, &self.frame, dark);
        gizmo(&painter, rect, &camera, dark);
        if shown.legend {
            // Nothing of the plane to avoid here: the legend goes top left.
            let nowhere = |_: [f64; 2]| pos2(f32::MAX, f32::MAX);
            let _ = overlay::paint_legend(&painter, rect, shown.race, &nowhere);
        }

        // Hover: what is under the pointer, read back from the depth buffer.
        self.hover = response.hover_pos().and_then(|pos| {
            let scale = w as f32 / rect.width();
            let (x, y) = ((pos - rect.min) * scale).into();
            scene3d::pick(&self.frame, &camera, mesh, x as usize, y as usize)
        });
        if let Some(p) = self.hover {
            if shown.readout {
                overlay::paint_readout(&painter, rect, &surface, p);
            }
            if response.clicked() {
                commands.push(Command::SetStart(p));
            }
        }
        commands
    }

    /// Renders the picture for a view of `rect` into the frame (at the screen's pixel
    /// density, capped; lower while the camera moves); returns its size in pixels.
    fn render(&mut self, ui: &egui::Ui, rect: Rect, shown: &Shown3d<'_>) -> [usize; 2] {
        let settings = &*shown.settings;
        let Some((_, mesh)) = &self.mesh else {
            return [1, 1];
        };
        self.overlay.wireframe_every = if settings.wireframe {
            (mesh.n / 24).max(1)
        } else {
            0
        };
        // Lines keep their width in points whatever the resolution.
        let ppp = ui.ctx().pixels_per_point();
        let moving = self.last_camera.is_some_and(|c| c != settings.camera);
        self.last_camera = Some(settings.camera);
        let mut px = rect.size() * ppp;
        let area = px.x * px.y;
        let budget = if moving { MOVING_PIXELS } else { MAX_PIXELS };
        if area > budget {
            px *= (budget / area).sqrt();
        }
        if moving {
            // One more frame after the camera stops, drawn sharp.
            ui.ctx().request_repaint();
        }
        self.overlay.draft = moving;
        self.overlay.line_scale = px.x / rect.width().max(1.0);
        build_paths(
            &mut self.overlay,
            shown.race,
            mesh,
            shown.highlight,
            shown.preview,
        );
        let (w, h) = (
            px.x.round().max(1.0) as usize,
            px.y.round().max(1.0) as usize,
        );
        if self.frame.size() != [w, h] {
            self.frame.resize(w, h);
        }
        let colormap = shown.map.colormap;
        if self.ramp.as_ref().is_none_or(|(c, _)| *c != colormap) {
            let ramp = (0..256)
                .map(|k| {
                    let c = colormap.at(k as f64 / 255.0);
                    [c.r(), c.g(), c.b()]
                })
                .collect();
            self.ramp = Some((colormap, ramp));
        }
        let dark = ui.visuals().dark_mode;
        let palette = Palette {
            ramp: self
                .ramp
                .as_ref()
                .map(|(_, r)| r.clone())
                .unwrap_or_default(),
            background: if dark { [16, 18, 22] } else { [236, 238, 242] },
            frame_lines: if dark {
                [120, 124, 132]
            } else {
                [110, 110, 120]
            },
        };
        let started = std::time::Instant::now();
        scene3d::render(
            mesh,
            &self.overlay,
            &palette,
            &settings.camera,
            &mut self.frame,
            &mut self.prims,
        );
        self.render_ms = started.elapsed().as_secs_f64() * 1e3;
        [w, h]
    }

    /// The last picture drawn.
    pub fn picture(&self) -> &Frame {
        &self.frame
    }

    /// Orbit, pan, zoom and reset from the pointer.
    fn input(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        rect: Rect,
        camera: &mut OrbitCamera,
    ) {
        let delta = response.drag_delta();
        let shift = ui.input(|i| i.modifiers.shift);
        if response.dragged_by(PointerButton::Secondary)
            || response.dragged_by(PointerButton::Middle)
            || (response.dragged_by(PointerButton::Primary) && shift)
        {
            let size = [f64::from(rect.width()), f64::from(rect.height())];
            camera.pan(f64::from(delta.x), f64::from(delta.y), size);
        } else if response.dragged_by(PointerButton::Primary) {
            camera.orbit(-f64::from(delta.x) * 0.008, f64::from(delta.y) * 0.008);
        }
        if response.hovered() {
            let scroll = ui.input(|i| i.smooth_scroll_delta.y);
            if scroll != 0.0 {
                camera.zoom((-f64::from(scroll) * 0.002).exp());
            }
        }
        if response.double_clicked() {
            *camera = OrbitCamera::default();
        }
    }

    /// Rebuilds the mesh (and its contour lines) when the surface, window or settings changed.
    fn update_mesh(
        &mut self,
        surface: &Surface,
        window: Window,
        settings: &Settings3d,
        view: &ViewSettings,
    ) {
        let key = MeshKey {
            surface: surface.clone(),
            window: [window.x.0, window.x.1, window.y.0, window.y.1],
            resolution: settings.resolution.clamp(16, 512),
            height: settings.height.sanitized(),
            levels: settings.contours.then_some(view.levels),
        };
        if self.mesh.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let mesh = SurfaceMesh::build(surface, window, key.resolution, key.height);
        // The contour lines change only with the mesh: they stay in the overlay between frames.
        self.overlay.contours = match key.levels {
            Some(n) => contours(&mesh.grid, &mesh.map.scale.levels(n)),
            None => Vec::new(),
        };
        self.mesh = Some((key, mesh));
    }
}

/// Uploads a rendered frame into `texture` (created on first use).
pub fn show_frame(
    ctx: &egui::Context,
    frame: &Frame,
    texture: &mut Option<TextureHandle>,
    name: &str,
) {
    // Every pixel is opaque, so its colour is already premultiplied: a plain copy.
    let pixels = frame
        .color
        .iter()
        .map(|&[r, g, b, a]| Color32::from_rgba_premultiplied(r, g, b, a))
        .collect();
    let image = ColorImage::new(frame.size(), pixels);
    match texture {
        Some(t) => t.set(image, TextureOptions::LINEAR),
        None => *texture = Some(ctx.load_texture(name, image, TextureOptions::LINEAR)),
    }
}

/// The controls above the picture.
fn toolbar(ui: &mut egui::Ui, s: &mut Settings3d) {
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut s.height.log, "log height")
            .on_hover_text("Height on a log scale of f − f_min, for surfaces whose values span decades");
        ui.add(
            egui::Slider::new(&mut s.height.clamp, 0.5..=1.0)
                .text("clamp")
                .custom_formatter(|v, _| format!("{:.0}%", v * 100.0)),
        )
        .on_hover_text("Share of the surface below the top of the box; higher values are cut flat, so a few huge values do not squash the rest");
        ui.add(egui::Slider::new(&mut s.height.exaggeration, 0.1..=2.0).text("height"))
            .on_hover_text("How tall the box is");
        ui.checkbox(&mut s.contours, "contours")
            .on_hover_text("Contour lines on the surface");
        ui.checkbox(&mut s.wireframe, "grid")
            .on_hover_text("Grid lines on the surface");
        if ui
            .button("⟲ camera")
            .on_hover_text("Back to the default view (or double-click the picture). Drag turns, right- or shift-drag pans, scroll zooms")
            .clicked()
        {
            s.camera = OrbitCamera::default();
        }
    });
}

/// Lifts each enabled racer's path, ball and start, the preview paths and the highlighted
/// point onto the surface.
fn build_paths(
    overlay: &mut Overlay,
    race: &Race,
    mesh: &SurfaceMesh,
    highlight: Option<[f64; 2]>,
    preview: Option<&[Vec<[f64; 2]>]>,
) {
    overlay.paths.clear();
    overlay.balls.clear();
    let surface = race.surface();
    // On the drawn surface, not under it: between vertices the mesh can lie above the
    // function's own value (at a minimum most of all).
    let lift = |p: [f64; 2], up: f64| {
        let mut b = mesh.map.to_box(p, surface.value(p[0], p[1]));
        if let Some(h) = mesh.height_over(p)
            && (h > b[2] || !b[2].is_finite())
        {
            b[2] = h;
        }
        b[2] += up;
        b
    };
    let step =
        (mesh.window.x.1 - mesh.window.x.0).max(mesh.window.y.1 - mesh.window.y.0) / mesh.n as f64;
    for lane in race.lanes().iter().filter(|l| l.spec.enabled) {
        let track = &lane.track;
        if track.points.is_empty() {
            continue;
        }
        let end = race.index_at_cursor(track);
        let color = lane.spec.color;
        for piece in draped(&track.points[..=end], mesh, step) {
            let points = piece.iter().map(|p| lift(*p, 2.0 * LIFT)).collect();
            overlay.paths.push(Path3d {
                points,
                rgb: color,
                width: 3.5,
            });
        }
        let head = track.points[end];
        if mesh.covers(head) {
            overlay.balls.push(Ball3d {
                at: lift(head, 0.04),
                radius: 0.04,
                rgb: color,
            });
        }
        if let Some(start) = lane.spec.start.filter(|s| mesh.covers(*s)) {
            overlay.balls.push(Ball3d {
                at: lift(start, 0.015),
                radius: 0.015,
                rgb: color,
            });
        }
    }
    for (lane, path) in race.lanes().iter().zip(preview.unwrap_or_default()) {
        for piece in draped(path, mesh, step) {
            let points = piece.iter().map(|p| lift(*p, 2.0 * LIFT)).collect();
            overlay.paths.push(Path3d {
                points,
                rgb: lane.spec.color.map(|c| (u16::from(c) * 3 / 5) as u8),
                width: 1.5,
            });
        }
    }
    if mesh.covers(race.start()) {
        overlay.balls.push(Ball3d {
            at: lift(race.start(), 0.02),
            radius: 0.02,
            rgb: [245, 245, 245],
        });
    }
    if let Some(p) = highlight.filter(|p| mesh.covers(*p)) {
        let top = lift(p, 0.0);
        overlay.paths.push(Path3d {
            points: vec![[top[0], top[1], 0.0], top],
            rgb: [255, 255, 255],
            width: 1.5,
        });
        overlay.balls.push(Ball3d {
            at: top,
            radius: 0.018,
            rgb: [255, 255, 255],
        });
    }
}

/// The parts of `points` over the mesh, thinned to at most [`MAX_PATH_POINTS`] and with long
/// segments split every `step` so that they follow the surface instead of cutting through it.
fn draped(points: &[[f64; 2]], mesh: &SurfaceMesh, step: f64) -> Vec<Vec<[f64; 2]>> {
    let stride = points.len().div_ceil(MAX_PATH_POINTS).max(1);
    let mut kept: Vec<[f64; 2]> = points.iter().step_by(stride).copied().collect();
    if let Some(last) = points.last()
        && kept.last() != Some(last)
    {
        kept.push(*last);
    }
    let mut pieces = Vec::new();
    let mut piece: Vec<[f64; 2]> = Vec::new();
    for (k, &p) in kept.iter().enumerate() {
        if !mesh.covers(p) {
            if piece.len() > 1 {
                pieces.push(std::mem::take(&mut piece));
            }
            piece.clear();
            continue;
        }
        if let Some(&q) = piece.last().filter(|_| k > 0) {
            let d = ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt();
            let parts = ((d / step).ceil() as usize).clamp(1, 64);
            for s in 1..parts {
                let t = s as f64 / parts as f64;
                piece.push([q[0] + t * (p[0] - q[0]), q[1] + t * (p[1] - q[1])]);
            }
        }
        piece.push(p);
    }
    if piece.len() > 1 {
        pieces.push(piece);
    }
    pieces
}

/// The plane coordinates of the floor's corners, written next to them.
fn corner_labels(
    painter: &egui::Painter,
    rect: Rect,
    mesh: &SurfaceMesh,
    camera: &OrbitCamera,
    frame: &Frame,
    dark: bool,
) {
    let w = mesh.window;
    let [fw, fh] = frame.size();
    let size = [f64::from(rect.width()), f64::from(rect.height())];
    let color = if dark {
        Color32::from_gray(200)
    } else {
        Color32::from_gray(40)
    };
    for corner in [
        [w.x.0, w.y.0],
        [w.x.1, w.y.0],
        [w.x.1, w.y.1],
        [w.x.0, w.y.1],
    ] {
        let b = mesh.map.to_box(corner, mesh.map.scale.lo);
        if let Some(s) = camera.project([b[0], b[1], 0.0], size) {
            let at = rect.min + vec2(s[0] as f32, s[1] as f32);
            // Hidden when the picture has something nearer at that pixel.
            let (px, py) = (s[0] / size[0] * fw as f64, s[1] / size[1] * fh as f64);
            let behind = frame
                .depth_at(px as usize, py as usize)
                .is_some_and(|d| f64::from(d) < s[2] - 1e-4);
            if rect.contains(at) && !behind {
                let text = format!("({}, {})", tidy(corner[0]), tidy(corner[1]));
                painter.text(
                    at,
                    Align2::CENTER_TOP,
                    text,
                    FontId::proportional(12.0),
                    color,
                );
            }
        }
    }
}

/// A window edge in at most three significant digits.
fn tidy(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// The x, y and f axes as seen by the camera, in the lower left corner.
fn gizmo(painter: &egui::Painter, rect: Rect, camera: &OrbitCamera, dark: bool) {
    let centre = pos2(rect.left() + 48.0, rect.bottom() - 64.0);
    let [right, up, _] = camera.basis();
    let back = if dark {
        Color32::from_black_alpha(120)
    } else {
        Color32::from_white_alpha(160)
    };
    painter.circle_filled(centre, 38.0, back);
    let axes = [
        ("x", [1.0, 0.0, 0.0], Color32::from_rgb(235, 80, 80)),
        ("y", [0.0, 1.0, 0.0], Color32::from_rgb(90, 200, 90)),
        ("f", [0.0, 0.0, 1.0], Color32::from_rgb(90, 140, 255)),
    ];
    for (name, axis, color) in axes {
        let a = nalgebra::Vector3::from(axis);
        let d = Vec2::new(a.dot(&right) as f32, -a.dot(&up) as f32) * 28.0;
        painter.line_segment([centre, centre + d], Stroke::new(2.5, color));
        let label: Pos2 = centre + d * 1.25;
        painter.text(
            label,
            Align2::CENTER_CENTER,
            name,
            FontId::proportional(13.0),
            color,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surfaces::SurfaceKind;

    #[test]
    fn draped_paths_split_long_steps_and_leave_the_window_out() {
        let surface = Surface::new(SurfaceKind::Booth);
        let window = Window {
            x: (0.0, 4.0),
            y: (0.0, 4.0),
        };
        let mesh = SurfaceMesh::build(&surface, window, 17, HeightOptions::default());
        let path = [
            [1.0, 1.0],
            [3.0, 1.0],
            [5.0, 1.0],
            [6.0, 1.0],
            [3.0, 3.0],
            [2.0, 3.0],
        ];
        let pieces = draped(&path, &mesh, 0.25);
        assert_eq!(pieces.len(), 2, "cut where the path leaves the window");
        assert_eq!(pieces[0].len(), 9, "2 units in steps of 0.25");
        assert_eq!(pieces[0].last(), Some(&[3.0, 1.0]));
        assert_eq!(
            pieces[1],
            vec![[3.0, 3.0], [2.75, 3.0], [2.5, 3.0], [2.25, 3.0], [2.0, 3.0]]
        );
        let long: Vec<[f64; 2]> = (0..10_000).map(|k| [1.0 + k as f64 * 1e-4, 1.0]).collect();
        let thinned = draped(&long, &mesh, 0.25);
        assert!(thinned[0].len() <= MAX_PATH_POINTS + 1);
        assert_eq!(thinned[0].last(), long.last());
    }

    #[test]
    fn tidy_numbers() {
        assert_eq!(tidy(-2.0), "-2");
        assert_eq!(tidy(1.25), "1.25");
        assert_eq!(tidy(-0.0001), "0");
    }
}
