//! The 3D view's picture, computed without egui or a GPU: the surface as a lit mesh in a box,
//! contour lines and paths lying on it, balls at the racers, all through one orbit camera and
//! a z-buffer, so a path behind a hill is hidden.

pub mod camera;
pub mod mesh;
pub mod raster;

use crate::field::Contour;
use camera::OrbitCamera;
use mesh::SurfaceMesh;
use nalgebra::{Point3, Vector3};
use raster::{Frame, Primitives, Sphere, Vertex};
use rayon::prelude::*;

/// How high above the surface lines are drawn, in box units, so they are not buried in it.
pub const LIFT: f64 = 0.006;

/// How far lines are pulled towards the eye, in box units.
const BIAS: f64 = 0.012;

/// A path in box coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Path3d {
    /// Points in box coordinates.
    pub points: Vec<[f64; 3]>,
    /// Colour.
    pub rgb: [u8; 3],
    /// Width in pixels.
    pub width: f32,
}

/// A ball in box coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ball3d {
    /// Centre in box coordinates.
    pub at: [f64; 3],
    /// Radius in box units.
    pub radius: f64,
    /// Colour.
    pub rgb: [u8; 3],
}

/// What to draw besides the mesh.
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    /// Contour lines in plane coordinates, drawn on the surface at their level's height.
    pub contours: Vec<Contour>,
    /// Draw every k-th grid line of the mesh (0: none).
    pub wireframe_every: usize,
    /// Paths (trajectories, the hover marker's stem).
    pub paths: Vec<Path3d>,
    /// Balls.
    pub balls: Vec<Ball3d>,
    /// Image pixels per point: line widths are multiplied by it (0 is taken as 1).
    pub line_scale: f32,
    /// Draw the mesh's draft (a quarter of the triangles), for pictures shown while the
    /// camera moves; a sharp picture follows when it stops.
    pub draft: bool,
}

/// The colours of the picture.
#[derive(Clone, Debug)]
pub struct Palette {
    /// 256 colours from the floor (0) to the top (255) of the box.
    pub ramp: Vec<[u8; 3]>,
    /// Background.
    pub background: [u8; 3],
    /// The box's floor outline and wireframe.
    pub frame_lines: [u8; 3],
}

/// Draws the mesh and the overlay as seen by `camera` into `frame` (whose size is the
/// viewport's), reusing `prims` as scratch space.
pub fn render(
    mesh: &SurfaceMesh,
    overlay: &Overlay,
    palette: &Palette,
    camera: &OrbitCamera,
    frame: &mut Frame,
    prims: &mut Primitives,
) {
    let [w, h] = frame.size();
    let size = [w as f64, h as f64];
    let vp = camera.view_projection(size[0] / size[1]);
    let project = |p: [f64; 3]| camera::project_with(&vp, p, size);
    let eye = camera.eye();
    // Lines on the surface are pulled a little towards the eye, so that on steep walls they
    // are not buried in the triangles they lie on.
    let toward_eye = |p: [f64; 3]| {
        let p = Point3::from(p);
        let q = p + (eye - p).normalize() * BIAS;
        project([q.x, q.y, q.z])
    };
    let to_f32 = |s: [f64; 3]| [s[0] as f32, s[1] as f32, s[2] as f32];
    let px = if overlay.line_scale > 0.0 {
        overlay.line_scale
    } else {
        1.0
    };
    prims.clear();
    frame.clear(palette.background);

    // Lit vertex colours: a light over the viewer's left shoulder, two-sided.
    let [right, up, forward] = camera.basis();
    let light = (-0.45 * right + 0.55 * up - 0.7 * forward).normalize();
    let ramp = &palette.ramp;
    let lit = |k: usize| -> Vertex {
        let p = mesh.positions[k];
        let world = [f64::from(p[0]), f64::from(p[1]), f64::from(p[2])];
        let Some(s) = project(world) else {
            return Vertex {
                x: f32::NAN,
                y: f32::NAN,
                z: f32::NAN,
                rgb: [0.0; 3],
            };
        };
        let n = mesh.normals[k].map(f64::from);
        let mut n = Vector3::new(n[0], n[1], n[2]);
        let view = (eye - Point3::from(world)).normalize();
        if n.dot(&view) < 0.0 {
            n = -n;
        }
        let diffuse = n.dot(&light).max(0.0);
        let half = (light + view).normalize();
        let spec = n.dot(&half).max(0.0).powi(40);
        let base = ramp[((mesh.tone[k] * 255.0) as usize).min(ramp.len() - 1)];
        let shade = 0.42 + 0.68 * diffuse;
        Vertex {
            x: s[0] as f32,
            y: s[1] as f32,
            z: s[2] as f32,
            rgb: base.map(|c| (f64::from(c) * shade + 70.0 * spec).min(255.0) as f32),
        }
    };
    // A draft leaves the vertices between its grid lines unlit and unprojected.
    let n = mesh.n;
    let stride = if overlay.draft { mesh::DRAFT_STRIDE } else { 1 };
    let kept = |k: usize| {
        let on = |line: usize| line.is_multiple_of(stride) || line + 1 == n;
        on(k / n.max(1)) && on(k % n.max(1))
    };
    let unused = Vertex {
        x: f32::NAN,
        y: f32::NAN,
        z: f32::NAN,
        rgb: [0.0; 3],
    };
    // Drafts are small pictures, drawn on this thread alone (see [`Frame::draw`]).
    let parallel = !overlay.draft;
    let vertex = |k: usize| if kept(k) { lit(k) } else { unused };
    if parallel {
        (0..mesh.positions.len())
            .into_par_iter()
            .map(vertex)
            .collect_into_vec(&mut prims.mesh_vertices);
    } else {
        prims.mesh_vertices.clear();
        prims
            .mesh_vertices
            .extend((0..mesh.positions.len()).map(vertex));
    }
    let indices = if overlay.draft {
        &mesh.draft_indices
    } else {
        &mesh.indices
    };
    prims.mesh_indices.extend_from_slice(indices);

    // The floor's outline.
    let wd = mesh.window;
    let corners = [
        [wd.x.0, wd.y.0],
        [wd.x.1, wd.y.0],
        [wd.x.1, wd.y.1],
        [wd.x.0, wd.y.1],
        [wd.x.0, wd.y.0],
    ];
    let floor: Vec<[f32; 3]> = corners
        .iter()
        .filter_map(|&c| {
            let b = mesh.map.to_box(c, mesh.map.scale.lo);
            project(b).map(to_f32)
        })
        .collect();
    if floor.len() == corners.len() {
        prims.polyline(&floor, 1.5 * px, palette.frame_lines);
    }

    // Contour lines at their level's height, in the ramp's colour, darkened.
    for contour in &overlay.contours {
        let z = mesh.map.height(contour.level) + LIFT;
        let t = (z / mesh.map.top()).clamp(0.0, 1.0);
        let c = ramp[((t * 255.0) as usize).min(ramp.len() - 1)].map(|v| (v as f32 * 0.45) as u8);
        for [a, b] in &contour.segments {
            let (a, b) = (mesh.map.to_box(*a, 0.0), mesh.map.to_box(*b, 0.0));
            if let (Some(a), Some(b)) = (toward_eye([a[0], a[1], z]), toward_eye([b[0], b[1], z])) {
                prims.line(to_f32(a), to_f32(b), 1.3 * px, c);
            }
        }
    }

    // Wireframe: every k-th row and column of the mesh.
    if overlay.wireframe_every > 0 {
        let n = mesh.n;
        let lifted = |k: usize| {
            let p = mesh.positions[k];
            toward_eye([f64::from(p[0]), f64::from(p[1]), f64::from(p[2]) + LIFT]).map(to_f32)
        };
        let step = overlay.wireframe_every;
        let mut lines: Vec<Vec<usize>> = Vec::new();
        for j in (0..n).step_by(step).chain([n - 1]) {
            lines.push((0..n).map(|i| j * n + i).collect());
        }
        for i in (0..n).step_by(step).chain([n - 1]) {
            lines.push((0..n).map(|j| j * n + i).collect());
        }
        for line in lines {
            let pts: Option<Vec<[f32; 3]>> = line.into_iter().map(lifted).collect();
            if let Some(pts) = pts {
                prims.polyline(&pts, px, palette.frame_lines);
            }
        }
    }

    for path in &overlay.paths {
        // A path is cut where a point cannot be projected.
        let mut run: Vec<[f32; 3]> = Vec::with_capacity(path.points.len());
        for p in &path.points {
            match toward_eye(*p) {
                Some(s) => run.push(to_f32(s)),
                None => {
                    prims.polyline(&run, path.width * px, path.rgb);
                    run.clear();
                }
            }
        }
        prims.polyline(&run, path.width * px, path.rgb);
    }

    let focal = size[1] / (2.0 * (camera.fov_y_at(size[0] / size[1]) / 2.0).tan());
    for ball in &overlay.balls {
        let centre = Point3::from(ball.at);
        let Some(s) = project(ball.at) else { continue };
        let distance = (centre - eye).norm().max(1e-6);
        let front = centre - forward * ball.radius;
        let dz = project([front.x, front.y, front.z]).map_or(0.0, |f| s[2] - f[2]);
        prims.spheres.push(Sphere {
            x: s[0] as f32,
            y: s[1] as f32,
            z: s[2] as f32,
            r: (ball.radius * focal / distance).max(2.0) as f32,
            dz: dz.max(0.0) as f32,
            rgb: ball.rgb,
        });
    }
    frame.draw(prims, parallel);
}

/// The plane point seen at pixel (x, y) of a rendered frame, if the pixel shows the mesh
/// (or something on it).
pub fn pick(
    frame: &Frame,
    camera: &OrbitCamera,
    mesh: &SurfaceMesh,
    x: usize,
    y: usize,
) -> Option<[f64; 2]> {
    let depth = frame.depth_at(x, y)?;
    let [w, h] = frame.size();
    let size = [w as f64, h as f64];
    let world = camera.unproject([x as f64 + 0.5, y as f64 + 0.5, f64::from(depth)], size)?;
    let p = mesh.map.to_plane(world);
    mesh.covers(p).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Window;
    use crate::surfaces::{Surface, SurfaceKind};

    fn palette() -> Palette {
        Palette {
            ramp: (0..256).map(|k| [k as u8, 128, 255 - k as u8]).collect(),
            background: [0, 0, 0],
            frame_lines: [90, 90, 90],
        }
    }

    #[test]
    fn a_path_behind_a_hill_is_hidden_and_picking_finds_the_surface() {
        // Himmelblau has a hump at (−0.27, −0.92); look at it from the side, low down.
        let surface = Surface::new(SurfaceKind::Himmelblau);
        let window = Window {
            x: (-5.0, 5.0),
            y: (-5.0, 5.0),
        };
        let options = mesh::HeightOptions {
            log: false,
            clamp: 1.0,
            exaggeration: 1.0,
        };
        let mesh = SurfaceMesh::build(&surface, window, 96, options);
        let camera = OrbitCamera {
            yaw: -std::f64::consts::FRAC_PI_2,
            pitch: 0.05,
            distance: 4.0,
            target: [0.0, 0.0, 0.2],
            ..Default::default()
        };
        // A ball resting in the valley behind the hump at (−0.27, −0.92), seen from low down
        // in front: the hump and the high front edge hide it.
        let hidden = mesh.map.to_box([-0.27, 2.5], surface.value(-0.27, 2.5));
        let mut overlay = Overlay::default();
        overlay.balls.push(Ball3d {
            at: [hidden[0], hidden[1], hidden[2] + 0.05],
            radius: 0.05,
            rgb: [255, 0, 0],
        });
        let (mut frame, mut prims) = (Frame::new(320, 240), Primitives::default());
        render(&mesh, &overlay, &palette(), &camera, &mut frame, &mut prims);
        assert_eq!(prims.spheres.len(), 1);
        let s = prims.spheres[0];
        let seen = frame.color[(s.y as usize) * 320 + s.x as usize];
        assert!(
            seen[0] < 200 || seen[1] > 50,
            "the hidden ball is not drawn: {seen:?}"
        );
        // Without the mesh, the same ball shows.
        let mut empty = mesh.clone();
        empty.indices.clear();
        render(
            &empty,
            &overlay,
            &palette(),
            &camera,
            &mut frame,
            &mut prims,
        );
        let centre = frame.color[(s.y as usize) * 320 + s.x as usize];
        assert!(centre[0] > 100 && centre[1] < 60, "{centre:?}");

        // Picking the centre of the image finds a plane point whose surface point projects
        // back to that pixel.
        render(
            &mesh,
            &Overlay::default(),
            &palette(),
            &camera,
            &mut frame,
            &mut prims,
        );
        let p = pick(&frame, &camera, &mesh, 160, 100).expect("the surface fills the middle");
        let b = mesh.map.to_box(p, surface.value(p[0], p[1]));
        let back = camera.project(b, [320.0, 240.0]).unwrap();
        assert!(
            (back[0] - 160.5).abs() < 3.0 && (back[1] - 100.5).abs() < 3.0,
            "{back:?}"
        );
        assert_eq!(pick(&frame, &camera, &mesh, 2, 2), None, "sky");
    }
}
