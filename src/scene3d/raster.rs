//! A small z-buffered rasteriser: shaded triangles, line segments of any width, discs and
//! lit spheres, drawn into an RGBA image in horizontal bands on all cores. It needs no
//! GPU, so the 3D view looks the same under a software driver, in tests and on a laptop.

use rayon::prelude::*;

/// A projected vertex: pixel position, depth in [0, 1] (smaller is nearer) and colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Vertex {
    /// Pixels from the left.
    pub x: f32,
    /// Pixels from the top.
    pub y: f32,
    /// Depth in [0, 1].
    pub z: f32,
    /// Linear 0–255 colour.
    pub rgb: [f32; 3],
}

/// A flat-coloured line segment facing the viewer: the pixel centres within `width / 2` of
/// the line through its ends, between them. Made by [`Primitives::line`], which works out its
/// direction once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// The first end: pixels from the left, from the top, and depth.
    a: [f32; 3],
    /// Unit direction from the first end to the second, in pixels.
    dir: [f32; 2],
    /// Length in pixels.
    len: f32,
    /// Half the width in pixels.
    half: f32,
    /// Depth change per pixel along the segment.
    dz: f32,
    /// Colour.
    rgb: [u8; 3],
}

impl Segment {
    /// The topmost and bottommost rows the segment reaches, in pixels.
    fn rows(&self) -> (f32, f32) {
        let across = self.dir[0].abs() * self.half;
        let by = self.a[1] + self.dir[1] * self.len;
        (self.a[1].min(by) - across, self.a[1].max(by) + across)
    }
}

/// A flat-coloured disc facing the viewer (a round line joint).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Disc {
    /// Centre, pixels.
    pub x: f32,
    /// Centre, pixels.
    pub y: f32,
    /// Depth of the whole disc.
    pub z: f32,
    /// Radius in pixels.
    pub r: f32,
    /// Colour.
    pub rgb: [u8; 3],
}

/// A lit ball: a sphere of radius `r` pixels whose front bulges `dz` nearer than its centre.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sphere {
    /// Centre, pixels.
    pub x: f32,
    /// Centre, pixels.
    pub y: f32,
    /// Depth of the centre.
    pub z: f32,
    /// Radius in pixels.
    pub r: f32,
    /// How much nearer the front point is than the centre, in depth units.
    pub dz: f32,
    /// Base colour.
    pub rgb: [u8; 3],
}

/// Everything to draw in one frame; depth decides what is seen, not the order.
#[derive(Clone, Debug, Default)]
pub struct Primitives {
    /// Vertices of the shaded mesh.
    pub mesh_vertices: Vec<Vertex>,
    /// Mesh triangles, three indices each (a vertex that could not be projected has a NaN
    /// position, and its triangles are skipped).
    pub mesh_indices: Vec<u32>,
    /// Line segments.
    pub segments: Vec<Segment>,
    /// Discs.
    pub discs: Vec<Disc>,
    /// Spheres.
    pub spheres: Vec<Sphere>,
}

impl Primitives {
    /// Empties every list, keeping the allocations for the next frame.
    pub fn clear(&mut self) {
        self.mesh_vertices.clear();
        self.mesh_indices.clear();
        self.segments.clear();
        self.discs.clear();
        self.spheres.clear();
    }

    /// A segment `width` pixels wide between two projected points.
    pub fn line(&mut self, a: [f32; 3], b: [f32; 3], width: f32, rgb: [u8; 3]) {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = (dx * dx + dy * dy).sqrt();
        if !(len > 1e-3 && len.is_finite() && a[2].is_finite() && b[2].is_finite()) {
            return;
        }
        self.segments.push(Segment {
            a,
            dir: [dx / len, dy / len],
            len,
            half: width / 2.0,
            dz: (b[2] - a[2]) / len,
            rgb,
        });
    }

    /// A polyline with round joints on thick lines. Points closer than a pixel to the last
    /// one kept are skipped (a long run crawling through a valley is mostly such points).
    pub fn polyline(&mut self, points: &[[f32; 3]], width: f32, rgb: [u8; 3]) {
        let Some(&first) = points.first() else {
            return;
        };
        let joints = width >= 5.0;
        let mut last = first;
        let push_joint = |p: [f32; 3], discs: &mut Vec<Disc>| {
            if joints {
                discs.push(Disc {
                    x: p[0],
                    y: p[1],
                    z: p[2],
                    r: width / 2.0,
                    rgb,
                });
            }
        };
        push_joint(first, &mut self.discs);
        for (k, &p) in points.iter().enumerate().skip(1) {
            let (dx, dy) = (p[0] - last[0], p[1] - last[1]);
            if dx * dx + dy * dy < 1.0 && k + 1 < points.len() {
                continue;
            }
            self.line(last, p, width, rgb);
            push_joint(p, &mut self.discs);
            last = p;
        }
    }
}

/// An RGBA image with a depth buffer.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    width: usize,
    height: usize,
    /// Pixels, row-major from the top, RGBA (alpha always 255).
    pub color: Vec<[u8; 4]>,
    /// Depth per pixel; 1.0 is empty.
    pub depth: Vec<f32>,
    /// Per band of rows, the triangles that touch it (scratch space of [`Frame::draw`]).
    bins: Vec<Vec<u32>>,
}

/// A band's index, its colour and depth rows, and the triangles and segments that touch it.
type BandWork<'a> = (usize, ((&'a mut [[u8; 4]], &'a mut [f32]), &'a Vec<u32>));

/// Rows per band of parallel work.
const BAND: usize = 32;

impl Frame {
    /// A frame of `width` × `height` pixels.
    pub fn new(width: usize, height: usize) -> Self {
        let mut frame = Self::default();
        frame.resize(width, height);
        frame
    }

    /// Width and height in pixels.
    pub fn size(&self) -> [usize; 2] {
        [self.width, self.height]
    }

    /// Changes the size (contents undefined until [`Frame::clear`]).
    pub fn resize(&mut self, width: usize, height: usize) {
        self.width = width.max(1);
        self.height = height.max(1);
        self.color.resize(self.width * self.height, [0, 0, 0, 255]);
        self.depth.resize(self.width * self.height, 1.0);
    }

    /// Fills with `background` and empties the depth buffer.
    pub fn clear(&mut self, background: [u8; 3]) {
        let [r, g, b] = background;
        self.color.fill([r, g, b, 255]);
        self.depth.fill(1.0);
    }

    /// The depth at pixel (x, y), if something was drawn there.
    pub fn depth_at(&self, x: usize, y: usize) -> Option<f32> {
        (x < self.width && y < self.height)
            .then(|| self.depth[y * self.width + x])
            .filter(|&d| d < 1.0)
    }

    /// Draws everything in bands of rows, on all cores when `parallel` (on two cores, a small
    /// picture is drawn sooner on one: handing bands to other threads costs more than it
    /// saves, and a busy core holds the whole picture up); triangles and segments are first
    /// sorted into the bands they touch, so each band walks only its own.
    pub fn draw(&mut self, p: &Primitives, parallel: bool) {
        let width = self.width;
        let bands = self.height.div_ceil(BAND);
        let mut bins = std::mem::take(&mut self.bins);
        bins.resize_with(bands, Vec::new);
        bins.iter_mut().for_each(Vec::clear);
        let v = &p.mesh_vertices;
        let mesh = p.mesh_indices.chunks_exact(3).map(|t| {
            let [a, b, c] = [t[0], t[1], t[2]].map(|k| &v[k as usize]);
            (a.y.min(b.y).min(c.y), a.y.max(b.y).max(c.y))
        });
        let segments = p.segments.iter().map(Segment::rows);
        for (k, (y0, y1)) in mesh.chain(segments).enumerate() {
            if !(y1 >= 0.0 && y0 < self.height as f32) {
                continue; // off screen, or not projectable (NaN)
            }
            let first = (y0.max(0.0) as usize) / BAND;
            let last = ((y1 as usize) / BAND).min(bands - 1);
            for bin in &mut bins[first..=last] {
                bin.push(k as u32);
            }
        }
        let triangles = p.mesh_indices.len() / 3;
        let draw_band = |(k, ((color, depth), bin)): BandWork<'_>| {
            let mut band = Band {
                width,
                y0: k * BAND,
                rows: color.len() / width,
                color,
                depth,
            };
            for &t in bin {
                let t = t as usize;
                if t < triangles {
                    let i = &p.mesh_indices[3 * t..3 * t + 3];
                    let [a, b, c] = [i[0], i[1], i[2]].map(|k| &v[k as usize]);
                    band.triangle(a, b, c);
                } else {
                    band.segment(&p.segments[t - triangles]);
                }
            }
            for d in &p.discs {
                band.disc(d);
            }
            for s in &p.spheres {
                band.sphere(s);
            }
            // Then what the surface hides of each ball, seen through it: a ball in a narrow
            // funnel of a minimum, or behind a hill, still shows where it is.
            for s in &p.spheres {
                band.ghost(s);
            }
        };
        if parallel {
            self.color
                .par_chunks_mut(width * BAND)
                .zip(self.depth.par_chunks_mut(width * BAND))
                .zip(bins.par_iter())
                .enumerate()
                .for_each(draw_band);
        } else {
            self.color
                .chunks_mut(width * BAND)
                .zip(self.depth.chunks_mut(width * BAND))
                .zip(bins.iter())
                .enumerate()
                .for_each(draw_band);
        }
        self.bins = bins;
    }
}

/// ⌊v⌋ for v ≥ 0 (a plain conversion: without SSE4.1, `f32::floor` is a library call).
#[inline(always)]
fn floor_nonneg(v: f32) -> usize {
    v as usize
}

/// ⌈v⌉ for v ≥ 0.
#[inline(always)]
fn ceil_nonneg(v: f32) -> usize {
    let t = v as usize;
    if (t as f32) < v { t + 1 } else { t }
}

/// The rows [y0, y0 + rows) of a frame.
struct Band<'a> {
    width: usize,
    y0: usize,
    rows: usize,
    color: &'a mut [[u8; 4]],
    depth: &'a mut [f32],
}

impl Band<'_> {
    /// The rows and columns of the box [x0, x1] × [y0, y1] (pixel centres inside) that lie in
    /// this band, in band-local rows.
    #[inline]
    fn clip(&self, x0: f32, x1: f32, y0: f32, y1: f32) -> Option<(usize, usize, usize, usize)> {
        let top = self.y0 as f32;
        let bottom = (self.y0 + self.rows) as f32;
        if !(y1 >= top && y0 < bottom && x1 >= 0.0 && x0 < self.width as f32) {
            return None; // also rejects NaN
        }
        let cx0 = ceil_nonneg((x0 - 0.5).max(0.0));
        let cx1 = (floor_nonneg((x1 - 0.5).max(0.0)) as isize).min(self.width as isize - 1);
        let cy0 = ceil_nonneg((y0 - 0.5).max(top));
        let cy1 = (floor_nonneg((y1 - 0.5).max(0.0)) as isize).min(bottom as isize - 1);
        if x1 < 0.5 || y1 < 0.5 {
            return None;
        }
        if cx1 < cx0 as isize || cy1 < cy0 as isize {
            return None;
        }
        Some((cx0, cx1 as usize, cy0 - self.y0, cy1 as usize - self.y0))
    }

    #[inline]
    fn put(&mut self, i: usize, z: f32, rgb: [f32; 3]) {
        if z < self.depth[i] && z >= 0.0 {
            self.depth[i] = z;
            self.color[i] = [rgb[0] as u8, rgb[1] as u8, rgb[2] as u8, 255];
        }
    }

    /// A triangle with its vertices' colours interpolated. Each row is walked only over its
    /// covered span, with depth and colour stepped incrementally and the colour written only
    /// where the depth test passes.
    fn triangle(&mut self, a: &Vertex, b: &Vertex, c: &Vertex) {
        let (x0, x1) = (a.x.min(b.x).min(c.x), a.x.max(b.x).max(c.x));
        let (y0, y1) = (a.y.min(b.y).min(c.y), a.y.max(b.y).max(c.y));
        let Some((cx0, cx1, r0, r1)) = self.clip(x0, x1, y0, y1) else {
            return;
        };
        let area = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
        if area.is_nan() || area.abs() <= 1e-8 {
            return;
        }
        let inv = 1.0 / area;
        // Barycentric weights as affine functions of the pixel centre: w = A·x + B·y + C.
        let weight = |p: &Vertex, q: &Vertex| {
            let (ea, eb) = ((p.y - q.y) * inv, (q.x - p.x) * inv);
            [ea, eb, (p.x * q.y - q.x * p.y) * inv]
        };
        let w0 = weight(b, c);
        let w1 = weight(c, a);
        let w2 = [-w0[0] - w1[0], -w0[1] - w1[1], 1.0 - w0[2] - w1[2]];
        // A pixel centre within 1/50 px outside an edge still counts: a shared edge is then
        // drawn by both triangles (the depth test settles it) instead of by neither, which
        // would leave cracks where rounding puts the centre just outside both.
        let slack = |p: &Vertex, q: &Vertex| {
            let (dx, dy) = (p.x - q.x, p.y - q.y);
            -0.02 * (dx * dx + dy * dy).sqrt() * inv.abs()
        };
        let edges = [(w0, slack(b, c)), (w1, slack(c, a)), (w2, slack(a, b))];
        // Any attribute q is affine too: q = q_c + (q_a − q_c)·w0 + (q_b − q_c)·w1.
        let affine = |qa: f32, qb: f32, qc: f32| {
            let (da, db) = (qa - qc, qb - qc);
            [
                da * w0[0] + db * w1[0],
                da * w0[1] + db * w1[1],
                qc + da * w0[2] + db * w1[2],
            ]
        };
        let z = affine(a.z, b.z, c.z);
        let rgb = [
            affine(a.rgb[0], b.rgb[0], c.rgb[0]),
            affine(a.rgb[1], b.rgb[1], c.rgb[1]),
            affine(a.rgb[2], b.rgb[2], c.rgb[2]),
        ];
        for row in r0..=r1 {
            let py = (self.y0 + row) as f32 + 0.5;
            // The covered span of this row: every edge's weight at least its slack.
            let (mut lo, mut hi) = (cx0 as f32 + 0.5, cx1 as f32 + 0.5);
            for (w, t) in &edges {
                let rest = w[1] * py + w[2];
                if w[0] > 0.0 {
                    lo = lo.max((t - rest) / w[0]);
                } else if w[0] < 0.0 {
                    hi = hi.min((t - rest) / w[0]);
                } else if rest < *t {
                    hi = lo - 1.0;
                }
            }
            if hi.is_nan() || lo.is_nan() || hi < lo {
                continue;
            }
            let first = ceil_nonneg(lo - 0.5).max(cx0);
            let last = floor_nonneg(hi - 0.5).min(cx1);
            if last < first {
                continue;
            }
            let px = first as f32 + 0.5;
            let at = |q: &[f32; 3]| q[0] * px + q[1] * py + q[2];
            let (mut zz, mut r, mut g, mut bb) = (at(&z), at(&rgb[0]), at(&rgb[1]), at(&rgb[2]));
            let line = row * self.width;
            let depth = &mut self.depth[line + first..=line + last];
            let color = &mut self.color[line + first..=line + last];
            for (d, c) in depth.iter_mut().zip(color.iter_mut()) {
                if zz < *d && zz >= 0.0 {
                    *d = zz;
                    *c = [r as u8, g as u8, bb as u8, 255];
                }
                zz += z[0];
                r += rgb[0][0];
                g += rgb[1][0];
                bb += rgb[2][0];
            }
        }
    }

    /// A segment: each row is walked over the span where it lies within the segment's width
    /// across and between its ends along, with depth stepped incrementally.
    fn segment(&mut self, s: &Segment) {
        let [ax, ay, az] = s.a;
        let [ux, uy] = s.dir;
        let (bx, by) = (ax + ux * s.len, ay + uy * s.len);
        let (across_x, across_y) = (uy.abs() * s.half, ux.abs() * s.half);
        let Some((cx0, cx1, r0, r1)) = self.clip(
            ax.min(bx) - across_x,
            ax.max(bx) + across_x,
            ay.min(by) - across_y,
            ay.max(by) + across_y,
        ) else {
            return;
        };
        // Across: |−u_y·(x − a_x) + u_x·(y − a_y)| ≤ half. Along: 0 ≤ u·(p − a) ≤ len.
        // Each bounds x on a row to an interval, unless its x coefficient is 0.
        let within = |coef: f32, lo: f32, hi: f32, span: &mut (f32, f32)| {
            if coef != 0.0 {
                let (p, q) = (lo / coef, hi / coef);
                span.0 = span.0.max(p.min(q));
                span.1 = span.1.min(p.max(q));
            } else if !(lo <= 0.0 && 0.0 <= hi) {
                *span = (1.0, 0.0);
            }
        };
        for row in r0..=r1 {
            let dy = (self.y0 + row) as f32 + 0.5 - ay;
            // In terms of dx = x − a_x.
            let mut span = (cx0 as f32 + 0.5 - ax, cx1 as f32 + 0.5 - ax);
            within(-uy, -s.half - ux * dy, s.half - ux * dy, &mut span);
            within(ux, -uy * dy, s.len - uy * dy, &mut span);
            let (lo, hi) = (span.0 + ax, span.1 + ax);
            if lo.partial_cmp(&hi).is_none_or(|o| o.is_gt()) {
                continue; // empty, or NaN
            }
            let first = ceil_nonneg((lo - 0.5).max(0.0)).max(cx0);
            let last = floor_nonneg((hi - 0.5).max(0.0)).min(cx1);
            if last < first || hi < 0.5 {
                continue;
            }
            let mut z = az + s.dz * (ux * (first as f32 + 0.5 - ax) + uy * dy);
            let step = s.dz * ux;
            let colour = [s.rgb[0], s.rgb[1], s.rgb[2], 255];
            let line = row * self.width;
            let depth = &mut self.depth[line + first..=line + last];
            let color = &mut self.color[line + first..=line + last];
            for (d, c) in depth.iter_mut().zip(color.iter_mut()) {
                if z < *d && z >= 0.0 {
                    *d = z;
                    *c = colour;
                }
                z += step;
            }
        }
    }

    fn disc(&mut self, d: &Disc) {
        let Some((cx0, cx1, r0, r1)) = self.clip(d.x - d.r, d.x + d.r, d.y - d.r, d.y + d.r) else {
            return;
        };
        let rgb = d.rgb.map(f32::from);
        for row in r0..=r1 {
            let dy = (self.y0 + row) as f32 + 0.5 - d.y;
            for x in cx0..=cx1 {
                let dx = x as f32 + 0.5 - d.x;
                if dx * dx + dy * dy <= d.r * d.r {
                    self.put(row * self.width + x, d.z, rgb);
                }
            }
        }
    }

    /// The parts of sphere `s` that something nearer hides, blended half over it, with a
    /// dark rim: the ball seen through the surface. Depth is left as it is.
    fn ghost(&mut self, s: &Sphere) {
        let Some((cx0, cx1, r0, r1)) = self.clip(s.x - s.r, s.x + s.r, s.y - s.r, s.y + s.r) else {
            return;
        };
        for row in r0..=r1 {
            let dy = ((self.y0 + row) as f32 + 0.5 - s.y) / s.r;
            for x in cx0..=cx1 {
                let dx = (x as f32 + 0.5 - s.x) / s.r;
                let d2 = dx * dx + dy * dy;
                let h = (1.0 - d2).max(0.0).sqrt();
                let i = row * self.width + x;
                if d2 > 1.0 || self.depth[i] >= s.z - s.dz * h {
                    continue;
                }
                let over = if d2 > 0.7 {
                    [20.0, 20.0, 20.0]
                } else {
                    s.rgb.map(f32::from)
                };
                let c = &mut self.color[i];
                for k in 0..3 {
                    c[k] = ((f32::from(c[k]) + over[k]) / 2.0) as u8;
                }
            }
        }
    }

    fn sphere(&mut self, s: &Sphere) {
        let Some((cx0, cx1, r0, r1)) = self.clip(s.x - s.r, s.x + s.r, s.y - s.r, s.y + s.r) else {
            return;
        };
        // Light from the upper left, towards the screen.
        let light = [-0.45f32, 0.55, 0.70];
        let base = s.rgb.map(f32::from);
        for row in r0..=r1 {
            let dy = ((self.y0 + row) as f32 + 0.5 - s.y) / s.r;
            for x in cx0..=cx1 {
                let dx = (x as f32 + 0.5 - s.x) / s.r;
                let d2 = dx * dx + dy * dy;
                if d2 > 1.0 {
                    continue;
                }
                let h = (1.0 - d2).sqrt();
                let lambert = (dx * light[0] - dy * light[1] + h * light[2]).max(0.0);
                // Blinn highlight with the viewer straight ahead.
                let half = [light[0], light[1], light[2] + 1.0];
                let hl = (half[0] * half[0] + half[1] * half[1] + half[2] * half[2]).sqrt();
                let spec = ((dx * half[0] - dy * half[1] + h * half[2]) / hl)
                    .max(0.0)
                    .powi(24);
                let rim = if d2 > 0.78 { 0.35 } else { 1.0 };
                let rgb =
                    base.map(|c| ((c * (0.35 + 0.75 * lambert)) * rim + 200.0 * spec).min(255.0));
                self.put(row * self.width + x, s.z - s.dz * h, rgb);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vertex(x: f32, y: f32, z: f32, rgb: [f32; 3]) -> Vertex {
        Vertex { x, y, z, rgb }
    }

    #[test]
    fn the_nearer_triangle_wins_whatever_the_order() {
        for near_first in [true, false] {
            let mut frame = Frame::new(64, 48);
            frame.clear([0, 0, 0]);
            let far = [
                vertex(0.0, 0.0, 0.6, [255.0, 0.0, 0.0]),
                vertex(64.0, 0.0, 0.6, [255.0, 0.0, 0.0]),
                vertex(0.0, 48.0, 0.6, [255.0, 0.0, 0.0]),
            ];
            let near = [
                vertex(0.0, 0.0, 0.3, [0.0, 0.0, 255.0]),
                vertex(40.0, 0.0, 0.3, [0.0, 0.0, 255.0]),
                vertex(0.0, 40.0, 0.3, [0.0, 0.0, 255.0]),
            ];
            let (first, second) = if near_first { (near, far) } else { (far, near) };
            let p = Primitives {
                mesh_vertices: [first, second].concat(),
                mesh_indices: (0..6).collect(),
                ..Default::default()
            };
            frame.draw(&p, true);
            assert_eq!(frame.color[5 * 64 + 5], [0, 0, 255, 255]);
            assert_eq!(frame.color[5 * 64 + 50], [255, 0, 0, 255]);
            assert_eq!(frame.color[47 * 64 + 63], [0, 0, 0, 255], "outside both");
            assert_eq!(frame.depth_at(5, 5), Some(0.3));
            assert_eq!(frame.depth_at(63, 47), None);
        }
    }

    #[test]
    fn a_mesh_covers_its_area_once_with_interpolated_colour() {
        let mut frame = Frame::new(100, 100);
        frame.clear([0, 0, 0]);
        let p = Primitives {
            mesh_vertices: vec![
                vertex(10.0, 10.0, 0.5, [0.0; 3]),
                vertex(90.0, 10.0, 0.5, [200.0; 3]),
                vertex(10.0, 90.0, 0.5, [0.0; 3]),
                vertex(90.0, 90.0, 0.5, [200.0; 3]),
            ],
            mesh_indices: vec![0, 1, 3, 0, 3, 2],
            ..Default::default()
        };
        frame.draw(&p, true);
        let mut serial = Frame::new(100, 100);
        serial.clear([0, 0, 0]);
        serial.draw(&p, false);
        assert_eq!(
            serial.color, frame.color,
            "one thread draws the same picture"
        );
        let covered = frame.depth.iter().filter(|&&d| d < 1.0).count();
        assert_eq!(
            covered,
            80 * 80,
            "no gaps and nothing outside on the shared edge"
        );
        let left = frame.color[50 * 100 + 11][0];
        let right = frame.color[50 * 100 + 88][0];
        let middle = frame.color[50 * 100 + 50][0];
        assert!(left < 10 && right > 190 && (90..=110).contains(&middle));
    }

    #[test]
    fn segments_cover_their_rectangle_without_gaps_and_interpolate_depth() {
        for (a, b, width) in [
            ([10.0, 10.0, 0.2], [90.0, 70.0, 0.6], 3.0),
            ([50.5, 5.0, 0.2], [52.0, 95.0, 0.6], 1.0),
            ([5.0, 40.0, 0.2], [95.0, 40.5, 0.6], 1.3),
        ] {
            let mut frame = Frame::new(100, 100);
            frame.clear([0, 0, 0]);
            let mut p = Primitives::default();
            p.line(a, b, width, [255, 0, 0]);
            frame.draw(&p, true);
            let len = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
            let covered = frame.depth.iter().filter(|&&d| d < 1.0).count() as f32;
            let area = len * width;
            assert!(
                (covered - area).abs() <= 0.08 * area + 2.0 * (len + width),
                "{covered} pixels for an area of {area}"
            );
            // Every row (or column, for a flat line) along the segment has a pixel.
            let steep = (b[1] - a[1]).abs() > (b[0] - a[0]).abs();
            let (from, to) = if steep { (a[1], b[1]) } else { (a[0], b[0]) };
            for k in (from.ceil() as usize + 1)..(to.floor() as usize - 1) {
                let hit = (0..100).any(|m| {
                    let (x, y) = if steep { (m, k) } else { (k, m) };
                    frame.depth_at(x, y).is_some()
                });
                assert!(hit, "a gap at {k} in {a:?}–{b:?}");
            }
            // Depth along the middle: a quarter of the way is a quarter of the change.
            let q = [0.75 * a[0] + 0.25 * b[0], 0.75 * a[1] + 0.25 * b[1]];
            let d = frame
                .depth_at(q[0] as usize, q[1] as usize)
                .expect("on the line");
            assert!((d - 0.3).abs() < 0.02, "{d}");
        }
    }

    #[test]
    fn lines_and_spheres_respect_depth() {
        let mut frame = Frame::new(80, 80);
        frame.clear([0, 0, 0]);
        let mut p = Primitives::default();
        // A wall at depth 0.5 over the right half.
        let wall = [255.0, 255.0, 255.0];
        p.mesh_vertices = vec![
            vertex(40.0, 0.0, 0.5, wall),
            vertex(80.0, 0.0, 0.5, wall),
            vertex(80.0, 80.0, 0.5, wall),
            vertex(40.0, 80.0, 0.5, wall),
        ];
        p.mesh_indices = vec![0, 1, 2, 0, 2, 3];
        // A line behind the wall, across the whole frame.
        p.line([0.0, 20.0, 0.7], [80.0, 20.0, 0.7], 3.0, [255, 0, 0]);
        // A ball in front of it.
        p.spheres.push(Sphere {
            x: 60.0,
            y: 60.0,
            z: 0.4,
            r: 8.0,
            dz: 0.01,
            rgb: [0, 255, 0],
        });
        frame.draw(&p, true);
        assert_eq!(
            frame.color[20 * 80 + 10][0],
            255,
            "line visible left of the wall"
        );
        assert_eq!(frame.color[20 * 80 + 10][1], 0);
        assert_eq!(
            frame.color[20 * 80 + 60],
            [255, 255, 255, 255],
            "hidden behind it"
        );
        let ball = frame.color[60 * 80 + 60];
        assert!(
            ball[1] > ball[0] && ball[1] > ball[2],
            "ball drawn over the wall"
        );
        assert!(frame.depth_at(60, 60).unwrap() < 0.4);
    }

    #[test]
    fn a_ball_behind_the_surface_shows_through_it() {
        let mut frame = Frame::new(80, 80);
        frame.clear([0, 0, 0]);
        let mut p = Primitives::default();
        let wall = [200.0, 200.0, 200.0];
        p.mesh_vertices = vec![
            vertex(0.0, 0.0, 0.5, wall),
            vertex(80.0, 0.0, 0.5, wall),
            vertex(80.0, 80.0, 0.5, wall),
            vertex(0.0, 80.0, 0.5, wall),
        ];
        p.mesh_indices = vec![0, 1, 2, 0, 2, 3];
        // A ball behind the wall: hidden by depth, seen through it half-blended.
        p.spheres.push(Sphere {
            x: 40.0,
            y: 40.0,
            z: 0.8,
            r: 10.0,
            dz: 0.01,
            rgb: [0, 0, 255],
        });
        frame.draw(&p, false);
        let centre = frame.color[40 * 80 + 40];
        assert!(centre[2] > centre[0] + 50, "{centre:?}");
        assert_eq!(
            frame.color[5 * 80 + 5],
            [200, 200, 200, 255],
            "the wall elsewhere"
        );
        assert!(
            (frame.depth_at(40, 40).unwrap() - 0.5).abs() < 1e-6,
            "depth unchanged"
        );
    }
}
