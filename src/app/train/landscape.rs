//! The loss landscape of the model being trained: a 2-D slice L(w + a·d₁ + b·d₂) through one
//! optimizer's current weights, along two filter-normalised random directions (Li et al.,
//! 2018) or the top two principal directions of its trajectory, drawn as a contour map or a
//! lit surface like the test functions, with every optimizer's path projected onto it.

use super::{Problem, RunView};
use crate::app::background::{Background, collect};
use crate::app::colormap::{Colormap, Paint};
use crate::app::overlay;
use crate::app::view2d::{rgb, short};
use crate::field::{Contour, Grid, Scale, Window, contours};
use crate::insight::landscape::{pca_directions, random_directions};
use crate::insight::{Landscape, Plane};
use crate::scene3d::camera::OrbitCamera;
use crate::scene3d::mesh::{HeightOptions, SurfaceMesh};
use crate::scene3d::raster::{Frame, Primitives};
use crate::scene3d::{self, Ball3d, Overlay, Palette, Path3d};
use eframe::egui::{self, Color32, RichText, TextureHandle, TextureOptions};
use egui_plot::{Line, Plot, PlotImage, PlotPoint, Points};
use std::sync::Arc;

/// Which plane the slice lies in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Directions {
    /// Two Gaussian directions, each filter rescaled to the norm of the weights' filter.
    Random,
    /// The two directions along which the selected optimizer's weights moved most.
    Pca,
}

/// A computed slice, ready to draw.
pub struct Slice {
    /// Loss on the grid; cell centres are the points (a, b).
    pub grid: Grid,
    /// Colour scale.
    pub scale: Scale,
    /// Contour lines.
    pub contours: Vec<Contour>,
    /// Per optimizer: colour and its path (a, b, loss) projected on the plane.
    pub paths: Vec<([u8; 3], Vec<[f64; 3]>)>,
    /// For PCA directions: the share of the movement each explains.
    pub explained: Option<[f64; 2]>,
    /// Which optimizer's weights are the origin, and after which epoch.
    pub origin: (String, usize),
}

/// The landscape panel's settings, job and pictures.
pub struct LandscapeUi {
    /// Random or principal directions.
    pub directions: Directions,
    /// Half-width of the slice in units of the directions.
    pub span: f64,
    /// Points per side.
    pub n: usize,
    /// Draw as a lit surface instead of a contour map.
    pub three_d: bool,
    /// The 3D camera.
    pub camera: OrbitCamera,
    /// The last slice.
    pub slice: Option<Slice>,
    /// Why the last slice failed.
    pub error: Option<String>,
    pending: Option<Background<Result<Slice, String>>>,
    texture: Option<TextureHandle>,
    mesh: Option<(SurfaceMesh, Overlay)>,
    frame: Frame,
    prims: Primitives,
    picture: Option<TextureHandle>,
}

impl Default for LandscapeUi {
    fn default() -> Self {
        Self {
            directions: Directions::Random,
            span: 1.0,
            n: 41,
            three_d: false,
            camera: OrbitCamera::default(),
            slice: None,
            error: None,
            pending: None,
            texture: None,
            mesh: None,
            frame: Frame::default(),
            prims: Primitives::default(),
            picture: None,
        }
    }
}

impl LandscapeUi {
    /// Swaps the picture's texture (an export draws in a context of its own, where the
    /// window's textures do not exist).
    pub(crate) fn swap_texture(&mut self, t: Option<TextureHandle>) -> Option<TextureHandle> {
        std::mem::replace(&mut self.texture, t)
    }

    /// Whether a slice is being computed.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Controls and the picture.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        problem: &Problem,
        runs: &[RunView],
        selected: usize,
    ) {
        self.collect();
        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(&mut self.directions, Directions::Random, "random")
                .on_hover_text("Two Gaussian directions, filter-normalised (Li et al. 2018)");
            ui.selectable_value(&mut self.directions, Directions::Pca, "PCA")
                .on_hover_text(
                    "The two directions the selected optimizer's weights moved along most",
                );
            ui.add(
                egui::DragValue::new(&mut self.span)
                    .range(0.01..=50.0)
                    .speed(0.02)
                    .prefix("±"),
            );
            ui.add(
                egui::DragValue::new(&mut self.n)
                    .range(11..=101)
                    .suffix(" pts"),
            );
            ui.checkbox(&mut self.three_d, "3D surface").on_hover_text(
                "Draw the slice as a lit surface (drag to turn it, double-click to reset)",
            );
            let label = if self.busy() {
                "Computing…"
            } else {
                "Compute"
            };
            if ui
                .add_enabled(!self.busy(), egui::Button::new(label))
                .on_hover_text("Slice the loss through the selected optimizer's current weights")
                .clicked()
            {
                self.start(ui.ctx(), problem, runs, selected);
            }
        });
        if let Some(job) = &self.pending {
            ui.add(
                egui::ProgressBar::new(job.progress())
                    .show_percentage()
                    .text(format!(
                        "computing the slice: {:.0}%",
                        100.0 * job.progress()
                    )),
            );
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        if let Some(e) = &self.error {
            ui.label(RichText::new(e).color(Color32::LIGHT_RED));
        }
        let Some(slice) = &self.slice else {
            ui.label("Train a little, then Compute: the slice goes through the selected optimizer's weights.");
            return;
        };
        let mut caption = format!(
            "loss around {}'s weights after epoch {}",
            slice.origin.0, slice.origin.1
        );
        if let Some([e1, e2]) = slice.explained {
            caption += &format!(
                " — PCA axes explain {:.0}% and {:.0}% of the movement",
                e1 * 100.0,
                e2 * 100.0
            );
        }
        ui.label(RichText::new(caption).weak());
        if self.three_d {
            self.surface(ui);
        } else {
            self.map(ui);
        }
    }

    fn start(&mut self, ctx: &egui::Context, problem: &Problem, runs: &[RunView], selected: usize) {
        let Some(run) = runs.get(selected) else {
            return;
        };
        let Some((epoch, center)) = run.weights.clone() else {
            return;
        };
        let net = problem.experiment.net.clone();
        let table = Arc::new(problem.experiment.split.train.clone());
        let trajectories: Vec<([u8; 3], Vec<Vec<f64>>)> = runs
            .iter()
            .map(|r| (r.color, r.snapshots.clone()))
            .collect();
        let own = run.snapshots.clone();
        let (directions, span, n, seed) = (self.directions, self.span, self.n, 0);
        let origin = (run.name.clone(), epoch);
        self.pending = Some(Background::spawn_with_progress(
            ctx,
            move |progress| -> Result<Slice, String> {
                {
                    // The grid's cells, and each snapshot of each path projected and evaluated.
                    let points: usize = trajectories.iter().map(|(_, t)| t.len()).sum();
                    progress.set_total((n * n + points) as u64);
                    let (d1, d2, explained) = match directions {
                        Directions::Random => {
                            let (d1, d2) = random_directions(&net, &center, seed);
                            (d1, d2, None)
                        }
                        Directions::Pca => {
                            let pca = pca_directions(&center, &own).map_err(|e| e.to_string())?;
                            (pca.d1, pca.d2, Some(pca.explained))
                        }
                    };
                    let plane = Plane::new(center, d1, d2).map_err(|e| e.to_string())?;
                    let landscape = Landscape::new(net, table, plane).map_err(|e| e.to_string())?;
                    let paths: Vec<([u8; 3], Vec<[f64; 3]>)> = trajectories
                        .iter()
                        .map(|(c, t)| {
                            let ab = landscape.plane.project_all(t);
                            progress.add(t.len() as u64);
                            (
                                *c,
                                ab.iter()
                                    .map(|p| [p[0], p[1], landscape.loss_at(p[0], p[1])])
                                    .collect(),
                            )
                        })
                        .collect();
                    // PCA: widen the slice to hold the whole path.
                    let reach = paths
                        .iter()
                        .flat_map(|(_, p)| p.iter().map(|q| q[0].abs().max(q[1].abs())))
                        .fold(0.0, f64::max);
                    let span = if directions == Directions::Pca {
                        span.max(1.15 * reach)
                    } else {
                        span
                    };
                    let grid = landscape
                        .grid_counted(Landscape::square(span, n), n, progress.counter())
                        .map_err(|e| e.to_string())?;
                    let scale = Scale::of(&grid, true);
                    let contours = contours(&grid, &scale.levels(16));
                    Ok(Slice {
                        grid,
                        scale,
                        contours,
                        paths,
                        explained,
                        origin,
                    })
                }
            },
        ));
        self.error = None;
    }

    /// Drops the slice (new data or a new setup: it no longer applies).
    pub fn forget(&mut self) {
        self.slice = None;
        self.pending = None;
        self.error = None;
    }

    /// Picks up a finished slice.
    fn collect(&mut self) {
        if let Some(result) = collect(&mut self.pending) {
            match result {
                Ok(slice) => {
                    self.slice = Some(slice);
                    self.texture = None;
                    self.mesh = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
    }

    /// The contour map with the projected paths.
    fn map(&mut self, ui: &mut egui::Ui) {
        let Some(slice) = &self.slice else { return };
        let texture = self.texture.get_or_insert_with(|| {
            let image = Colormap::Viridis.paint(&slice.grid, &slice.scale);
            ui.ctx()
                .load_texture("landscape", image, TextureOptions::LINEAR)
        });
        let w = window_of(&slice.grid);
        let response = Plot::new("landscape_map")
            .data_aspect(1.0)
            .allow_scroll(false)
            .x_axis_label("a (direction 1)")
            .y_axis_label("b (direction 2)")
            .show(ui, |plot_ui| {
                let centre = PlotPoint::new((w.x.0 + w.x.1) / 2.0, (w.y.0 + w.y.1) / 2.0);
                let size = egui::vec2((w.x.1 - w.x.0) as f32, (w.y.1 - w.y.0) as f32);
                plot_ui.image(PlotImage::new("loss", texture.id(), centre, size));
                for (color, path) in &slice.paths {
                    let pts: Vec<[f64; 2]> = path.iter().map(|p| [p[0], p[1]]).collect();
                    plot_ui.line(Line::new("", pts.clone()).color(rgb(*color)).width(2.5));
                    if let Some(last) = pts.last() {
                        plot_ui.points(Points::new("", vec![*last]).radius(5.0).color(rgb(*color)));
                    }
                }
                plot_ui.points(
                    Points::new("origin", vec![[0.0, 0.0]])
                        .radius(3.0)
                        .color(Color32::WHITE),
                );
            });
        let t = response.transform;
        let painter = ui.painter_at(*t.frame());
        let to_screen = |p: [f64; 2]| t.position_from_point(&PlotPoint::new(p[0], p[1]));
        overlay::paint_contours(&painter, &slice.contours, &to_screen);
        if let Some(p) = response.response.hover_pos() {
            let q = t.value_from_position(p);
            let k = nearest_cell(&slice.grid, [q.x, q.y]);
            if let Some(v) = k.and_then(|k| slice.grid.values.get(k)) {
                response.response.clone().on_hover_text_at_pointer(format!(
                    "a = {:.3}, b = {:.3}: loss ≈ {}",
                    q.x,
                    q.y,
                    short(*v)
                ));
            }
        }
    }

    /// The lit surface with the projected paths, through the 3D view's renderer.
    fn surface(&mut self, ui: &mut egui::Ui) {
        let Some(slice) = &self.slice else { return };
        let options = HeightOptions {
            log: true,
            clamp: 1.0,
            exaggeration: 0.7,
        };
        // The mesh and everything on it are fixed for a slice: built once.
        let (mesh, overlay) = self.mesh.get_or_insert_with(|| {
            let mesh = SurfaceMesh::from_grid(slice.grid.clone(), options);
            let overlay = draped_paths(&mesh, slice);
            (mesh, overlay)
        });
        let rect = ui.available_rect_before_wrap();
        let response = ui.allocate_rect(rect, egui::Sense::drag());
        if response.dragged_by(egui::PointerButton::Primary) {
            let d = response.drag_delta();
            self.camera
                .orbit(-f64::from(d.x) * 0.008, f64::from(d.y) * 0.008);
        }
        if response.double_clicked() {
            self.camera = OrbitCamera::default();
        }
        let ppp = ui.ctx().pixels_per_point();
        let (w, h) = (
            ((rect.width() * ppp) as usize).clamp(16, 1600),
            ((rect.height() * ppp) as usize).clamp(16, 1000),
        );
        if self.frame.size() != [w, h] {
            self.frame.resize(w, h);
        }
        overlay.line_scale = w as f32 / rect.width().max(1.0);
        let dark = ui.visuals().dark_mode;
        let palette = Palette {
            ramp: (0..256)
                .map(|k| {
                    let c = Colormap::Viridis.at(k as f64 / 255.0);
                    [c.r(), c.g(), c.b()]
                })
                .collect(),
            background: if dark { [16, 18, 22] } else { [236, 238, 242] },
            frame_lines: [120, 124, 132],
        };
        scene3d::render(
            mesh,
            overlay,
            &palette,
            &self.camera,
            &mut self.frame,
            &mut self.prims,
        );
        crate::app::view3d::show_frame(ui.ctx(), &self.frame, &mut self.picture, "landscape3d");
        if let Some(t) = &self.picture {
            let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
            ui.painter_at(rect).image(t.id(), rect, uv, Color32::WHITE);
        }
    }
}

/// The slice's contour lines and every optimizer's path lifted onto its mesh, a ball at each
/// path's end.
fn draped_paths(mesh: &SurfaceMesh, slice: &Slice) -> Overlay {
    let mut overlay = Overlay {
        contours: slice.contours.clone(),
        ..Default::default()
    };
    for (color, path) in &slice.paths {
        let points = path
            .iter()
            .filter(|p| mesh.covers([p[0], p[1]]))
            .map(|p| {
                let mut b = mesh.map.to_box([p[0], p[1]], p[2]);
                b[2] += 2.0 * scene3d::LIFT;
                b
            })
            .collect::<Vec<_>>();
        if let Some(last) = points.last() {
            overlay.balls.push(Ball3d {
                at: [last[0], last[1], last[2] + 0.03],
                radius: 0.035,
                rgb: *color,
            });
        }
        overlay.paths.push(Path3d {
            points,
            rgb: *color,
            width: 3.0,
        });
    }
    overlay
}

/// The window spanned by a grid's cell centres.
fn window_of(grid: &Grid) -> Window {
    grid.window
}

/// The index of the grid cell containing `p`.
fn nearest_cell(grid: &Grid, p: [f64; 2]) -> Option<usize> {
    let w = grid.window;
    let u = (p[0] - w.x.0) / (w.x.1 - w.x.0);
    let v = (p[1] - w.y.0) / (w.y.1 - w.y.0);
    if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
        return None;
    }
    let (i, j) = ((u * grid.nx as f64) as usize, (v * grid.ny as f64) as usize);
    Some(j * grid.nx + i)
}
