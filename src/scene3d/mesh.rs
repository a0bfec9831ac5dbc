//! The surface as a triangle mesh in the 3D view's box: x and y scaled into [−1, 1] keeping
//! their proportions, the loss mapped to a height in [0, exaggeration], with normals for
//! lighting and a colormap position per vertex.

use crate::field::{Grid, Scale, Window};
use crate::surfaces::Surface;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How loss becomes height.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeightOptions {
    /// Height on a log scale of (f − f_min), for surfaces whose range spans decades.
    pub log: bool,
    /// The fraction of the sampled values that lie below the top of the box (0.5–1); the
    /// rest are clamped flat, so a few huge values do not flatten everything else.
    pub clamp: f64,
    /// The height of the box relative to its half-width.
    pub exaggeration: f64,
}

impl Default for HeightOptions {
    fn default() -> Self {
        Self {
            log: true,
            clamp: 1.0,
            exaggeration: 0.7,
        }
    }
}

impl HeightOptions {
    /// The options with every field inside its valid range (for values restored from disk).
    pub fn sanitized(self) -> Self {
        let or = |v: f64, lo: f64, hi: f64, default: f64| {
            if v.is_finite() {
                v.clamp(lo, hi)
            } else {
                default
            }
        };
        Self {
            log: self.log,
            clamp: or(self.clamp, 0.5, 1.0, 1.0),
            exaggeration: or(self.exaggeration, 0.1, 2.0, 0.7),
        }
    }
}

/// The map between the plane and loss and the box's coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxMap {
    centre: [f64; 2],
    half: f64,
    /// The scale of (clamped) loss values, 0 at the floor and 1 at the top.
    pub scale: Scale,
    exaggeration: f64,
}

impl BoxMap {
    /// The map for `window` with heights from `scale`.
    pub fn new(window: Window, scale: Scale, exaggeration: f64) -> Self {
        let half =
            ((window.x.1 - window.x.0).max(window.y.1 - window.y.0) / 2.0).max(f64::MIN_POSITIVE);
        Self {
            centre: [
                (window.x.0 + window.x.1) / 2.0,
                (window.y.0 + window.y.1) / 2.0,
            ],
            half,
            scale,
            exaggeration,
        }
    }

    /// The height of loss value `v`: clamped to the box, NaN at the top.
    pub fn height(&self, v: f64) -> f64 {
        self.scale.unit(v) * self.exaggeration
    }

    /// The top of the box.
    pub fn top(&self) -> f64 {
        self.exaggeration
    }

    /// The box point above plane point `p` at loss `v`.
    pub fn to_box(&self, p: [f64; 2], v: f64) -> [f64; 3] {
        [
            (p[0] - self.centre[0]) / self.half,
            (p[1] - self.centre[1]) / self.half,
            self.height(v),
        ]
    }

    /// The plane point under box point `b`.
    pub fn to_plane(&self, b: [f64; 3]) -> [f64; 2] {
        [
            self.centre[0] + b[0] * self.half,
            self.centre[1] + b[1] * self.half,
        ]
    }
}

/// The surface over a window as n × n vertices and 2(n − 1)² triangles.
#[derive(Clone, Debug)]
pub struct SurfaceMesh {
    /// Vertices per side.
    pub n: usize,
    /// The plane window covered, edge to edge.
    pub window: Window,
    /// Box coordinates of each vertex, row-major from the bottom row (smallest y).
    pub positions: Vec<[f32; 3]>,
    /// Unit normals, pointing up (positive z).
    pub normals: Vec<[f32; 3]>,
    /// Colormap position in [0, 1] of each vertex (its height over the box height).
    pub tone: Vec<f32>,
    /// Triangle corners, three per triangle, counter-clockwise seen from above.
    pub indices: Vec<u32>,
    /// The same over every other grid line (and the last): a quarter of the triangles, for
    /// drafts drawn while the camera moves.
    pub draft_indices: Vec<u32>,
    /// The loss values at the vertices, as a grid whose cell centres are the vertices (for
    /// contour lines that lie exactly on the mesh's levels).
    pub grid: Grid,
    /// Plane and loss to box coordinates.
    pub map: BoxMap,
}

impl SurfaceMesh {
    /// Samples `surface` at n × n points spanning `window` (n ≥ 2) and builds the mesh.
    pub fn build(surface: &Surface, window: Window, n: usize, options: HeightOptions) -> Self {
        let n = n.min(surface.finest_grid()).max(2);
        let options = options.sanitized();
        // A grid whose cell centres fall on the window's edges and the points between.
        let (hx, hy) = (
            (window.x.1 - window.x.0) / (n - 1) as f64,
            (window.y.1 - window.y.0) / (n - 1) as f64,
        );
        let padded = Window {
            x: (window.x.0 - hx / 2.0, window.x.1 + hx / 2.0),
            y: (window.y.0 - hy / 2.0, window.y.1 + hy / 2.0),
        };
        Self::from_grid(Grid::sample(surface, padded, n, n), options)
    }

    /// The mesh of values already sampled on a square grid whose cell centres are the
    /// vertices (a model's loss landscape, say); the window spans the first to the last
    /// centre.
    pub fn from_grid(grid: Grid, options: HeightOptions) -> Self {
        let n = grid.nx.min(grid.ny).max(2);
        let options = options.sanitized();
        let (first, last) = (grid.point(0, 0), grid.point(n - 1, n - 1));
        let window = Window {
            x: (first[0], last[0]),
            y: (first[1], last[1]),
        };
        let (lo, hi) = grid.range().unwrap_or((0.0, 1.0));
        let top = quantile(&grid.values, options.clamp).unwrap_or(hi).max(lo);
        let scale = Scale {
            lo,
            hi: if top > lo { top } else { lo + 1.0 },
            log: options.log,
        };
        let map = BoxMap::new(window, scale, options.exaggeration);

        let mut positions = vec![[0f32; 3]; n * n];
        let mut tone = vec![0f32; n * n];
        positions
            .par_chunks_mut(n)
            .zip(tone.par_chunks_mut(n))
            .enumerate()
            .for_each(|(j, (row, tones))| {
                for (i, (pos, t)) in row.iter_mut().zip(tones).enumerate() {
                    let v = grid.values[j * grid.nx + i];
                    let mut b = map.to_box(grid.point(i, j), v);
                    if undefined(v) {
                        // A hole: the triangles around it are not drawn.
                        b[2] = f64::NAN;
                    }
                    *pos = [b[0] as f32, b[1] as f32, b[2] as f32];
                    *t = (b[2] / map.top()) as f32;
                }
            });
        let normals = normals(&positions, n);
        Self {
            n,
            window,
            positions,
            normals,
            tone,
            indices: grid_indices(n, 1),
            draft_indices: grid_indices(n, DRAFT_STRIDE),
            grid,
            map,
        }
    }

    /// Whether plane point `p` lies over the mesh.
    pub fn covers(&self, p: [f64; 2]) -> bool {
        (self.window.x.0..=self.window.x.1).contains(&p[0])
            && (self.window.y.0..=self.window.y.1).contains(&p[1])
    }

    /// The highest of the mesh's heights around plane point `p` (the four corners of its
    /// cell): the drawn surface lies at or below it there. A ball at a minimum between
    /// vertices sits on it; lifted to the function's own (lower) value it would be inside
    /// the mesh and hidden.
    pub fn height_over(&self, p: [f64; 2]) -> Option<f64> {
        if !self.covers(p) || self.n < 2 {
            return None;
        }
        let last = (self.n - 1) as f64;
        let u = (p[0] - self.window.x.0) / (self.window.x.1 - self.window.x.0) * last;
        let v = (p[1] - self.window.y.0) / (self.window.y.1 - self.window.y.0) * last;
        let (i, j) = (
            u.floor().clamp(0.0, last - 1.0) as usize,
            v.floor().clamp(0.0, last - 1.0) as usize,
        );
        [(i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1)]
            .into_iter()
            .map(|(a, b)| f64::from(self.positions[b * self.n + a][2]))
            .filter(|h| h.is_finite())
            .reduce(f64::max)
    }
}

/// Whether a sampled value means the function is undefined there (NaN, or −∞ as a logarithm
/// of 0 gives); +∞ is an overflow and is drawn at the top.
pub fn undefined(v: f64) -> bool {
    v.is_nan() || v == f64::NEG_INFINITY
}

/// The value below which a `fraction` of the finite `values` lie.
fn quantile(values: &[f64], fraction: f64) -> Option<f64> {
    let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return None;
    }
    let k = ((finite.len() - 1) as f64 * fraction.clamp(0.0, 1.0)).round() as usize;
    let (_, v, _) = finite.select_nth_unstable_by(k, f64::total_cmp);
    Some(*v)
}

/// Vertex normals from central differences of the heights (one-sided at the edges).
fn normals(positions: &[[f32; 3]], n: usize) -> Vec<[f32; 3]> {
    let mut out = vec![[0f32; 3]; n * n];
    out.par_chunks_mut(n).enumerate().for_each(|(j, row)| {
        let (j0, j1) = (j.saturating_sub(1), (j + 1).min(n - 1));
        for (i, normal) in row.iter_mut().enumerate() {
            let (i0, i1) = (i.saturating_sub(1), (i + 1).min(n - 1));
            // A neighbour in a hole (where f is undefined) gives way to the point itself.
            let centre = positions[j * n + i];
            let or_centre = |p: [f32; 3]| if p[2].is_finite() { p } else { centre };
            let (a, b) = (
                or_centre(positions[j * n + i0]),
                or_centre(positions[j * n + i1]),
            );
            let (c, d) = (
                or_centre(positions[j0 * n + i]),
                or_centre(positions[j1 * n + i]),
            );
            let slope = |dz: f32, d: f32| {
                if d != 0.0 && dz.is_finite() {
                    dz / d
                } else {
                    0.0
                }
            };
            let dzdx = slope(b[2] - a[2], b[0] - a[0]);
            let dzdy = slope(d[2] - c[2], d[1] - c[1]);
            let len = (dzdx * dzdx + dzdy * dzdy + 1.0).sqrt();
            *normal = [-dzdx / len, -dzdy / len, 1.0 / len];
        }
    });
    out
}

/// Grid lines skipped between two lines of a draft mesh, plus one.
pub const DRAFT_STRIDE: usize = 2;

/// The grid lines (rows or columns) of a mesh that keeps every `stride`-th line of `n`, and
/// the last.
pub fn kept_lines(n: usize, stride: usize) -> impl Iterator<Item = usize> + Clone {
    let last = n.saturating_sub(1);
    (0..n)
        .step_by(stride.max(1))
        .chain((!last.is_multiple_of(stride.max(1))).then_some(last))
}

/// Two counter-clockwise triangles per cell of the grid kept with [`kept_lines`].
fn grid_indices(n: usize, stride: usize) -> Vec<u32> {
    let lines: Vec<usize> = kept_lines(n, stride).collect();
    let cells = lines.len().saturating_sub(1);
    let mut indices = Vec::with_capacity(6 * cells * cells);
    for rows in lines.windows(2) {
        for cols in lines.windows(2) {
            let corner = |j: usize, i: usize| (j * n + i) as u32;
            let (a, b) = (corner(rows[0], cols[0]), corner(rows[0], cols[1]));
            let (c, d) = (corner(rows[1], cols[0]), corner(rows[1], cols[1]));
            indices.extend_from_slice(&[a, b, d, a, d, c]);
        }
    }
    indices
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surfaces::SurfaceKind;

    fn window(x: (f64, f64), y: (f64, f64)) -> Window {
        Window { x, y }
    }

    #[test]
    fn drafts_keep_every_other_line_and_the_last() {
        let kept = |n, s| kept_lines(n, s).collect::<Vec<_>>();
        assert_eq!(kept(9, 2), [0, 2, 4, 6, 8]);
        assert_eq!(kept(10, 2), [0, 2, 4, 6, 8, 9]);
        assert_eq!(kept(4, 1), [0, 1, 2, 3]);
    }

    #[test]
    fn indices_cover_every_cell_counter_clockwise() {
        let s = Surface::new(SurfaceKind::Booth);
        let mesh = SurfaceMesh::build(&s, window((-2.0, 2.0), (-1.0, 1.0)), 9, Default::default());
        assert_eq!(mesh.indices.len(), 6 * 8 * 8);
        assert!(mesh.indices.iter().all(|&k| (k as usize) < 81));
        // The draft keeps lines 0, 2, 4, 6, 8: 4 × 4 cells over the same corners.
        assert_eq!(mesh.draft_indices.len(), 6 * 4 * 4);
        let corners = |ix: &[u32]| {
            let xs = ix.iter().map(|&k| mesh.positions[k as usize][0]);
            (
                xs.clone().fold(f32::MAX, f32::min),
                xs.fold(f32::MIN, f32::max),
            )
        };
        assert_eq!(corners(&mesh.draft_indices), corners(&mesh.indices));
        for t in mesh.indices.chunks(3).chain(mesh.draft_indices.chunks(3)) {
            let [a, b, c] = [0, 1, 2].map(|k| mesh.positions[t[k] as usize]);
            let area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
            assert!(
                area > 0.0,
                "seen from above each triangle turns counter-clockwise"
            );
        }
        // The longer side spans [−1, 1]; proportions are kept.
        let xs = mesh.positions.iter().map(|p| p[0]);
        let ys = mesh.positions.iter().map(|p| p[1]);
        assert_eq!(xs.clone().fold(f32::MAX, f32::min), -1.0);
        assert_eq!(xs.fold(f32::MIN, f32::max), 1.0);
        assert_eq!(ys.fold(f32::MIN, f32::max), 0.5);
    }

    #[test]
    fn normals_are_unit_up_and_match_the_analytic_slope() {
        let s = Surface::new(SurfaceKind::Quadratic);
        let w = window((-2.0, 2.0), (-2.0, 2.0));
        let options = HeightOptions {
            log: false,
            ..Default::default()
        };
        let mesh = SurfaceMesh::build(&s, w, 101, options);
        for nrm in &mesh.normals {
            let len = nrm.iter().map(|c| c * c).sum::<f32>().sqrt();
            assert!((len - 1.0).abs() < 1e-5 && nrm[2] > 0.0);
        }
        // Interior vertex: the normal is (−∂z/∂X, −∂z/∂Y, 1) normalised, with z = k·f and
        // X = x/half, so ∂z/∂X = k·half·∂f/∂x.
        let k = options.exaggeration / (mesh.map.scale.hi - mesh.map.scale.lo);
        for (i, j) in [(30, 40), (70, 55), (50, 50)] {
            let p = mesh.grid.point(i, j);
            let (_, g) = s.value_grad(p[0], p[1]);
            let (dx, dy) = (k * 2.0 * g[0], k * 2.0 * g[1]);
            let len = (dx * dx + dy * dy + 1.0).sqrt();
            let want = [-dx / len, -dy / len, 1.0 / len];
            let got = mesh.normals[j * 101 + i];
            for (a, b) in got.iter().zip(want) {
                assert!(
                    (f64::from(*a) - b).abs() < 2e-3,
                    "({i},{j}): {got:?} vs {want:?}"
                );
            }
        }
    }

    #[test]
    fn where_the_function_is_undefined_the_mesh_has_a_hole() {
        let s = Surface::typed("log(x) + y^2", &[], None).unwrap();
        let mesh = SurfaceMesh::build(&s, window((-1.0, 1.0), (-1.0, 1.0)), 9, Default::default());
        for (k, p) in mesh.positions.iter().enumerate() {
            let x = mesh.grid.point(k % 9, k / 9)[0];
            assert_eq!(p[2].is_nan(), x <= 0.0, "vertex {k} at x = {x}");
        }
        assert!(mesh.normals.iter().all(|n| n.iter().all(|v| v.is_finite())));
    }

    #[test]
    fn clamping_caps_the_height_and_keeps_the_floor() {
        let s = Surface::new(SurfaceKind::GoldsteinPrice);
        let w = s.view();
        let w = window(w.x, w.y);
        let options = HeightOptions {
            log: false,
            clamp: 0.6,
            exaggeration: 0.5,
        };
        let mesh = SurfaceMesh::build(&s, w, 64, options);
        let heights: Vec<f32> = mesh.positions.iter().map(|p| p[2]).collect();
        assert!(heights.iter().all(|&z| (0.0..=0.5).contains(&z)));
        let at_top = heights.iter().filter(|&&z| z == 0.5).count() as f64;
        let share = at_top / heights.len() as f64;
        assert!(
            (0.35..=0.45).contains(&share),
            "{share}: 40% of the values are over the top"
        );
        assert_eq!(heights.iter().copied().fold(f32::MAX, f32::min), 0.0);
        // Box coordinates map back to the plane.
        let p = [0.3, -0.7];
        let b = mesh.map.to_box(p, s.value(p[0], p[1]));
        let back = mesh.map.to_plane(b);
        assert!((back[0] - p[0]).abs() < 1e-12 && (back[1] - p[1]).abs() < 1e-12);
        assert!(mesh.covers(p) && !mesh.covers([10.0, 0.0]));
    }
}
