//! A software rasteriser for egui's tessellated output: textured, vertex-coloured triangles
//! with premultiplied alpha, blended in sRGB space as egui's own renderers do, with clip
//! rectangles. It needs no GPU and no window, so pictures can be exported from scripts and CI.

use eframe::egui::{self, Color32, TextureId, epaint};
use rayon::prelude::*;
use std::collections::HashMap;

/// Rows per band: bands are drawn in parallel, each in primitive order.
const BAND: usize = 32;

/// An RGBA texture, premultiplied, as egui uploads it.
#[derive(Clone, Debug)]
struct Texture {
    size: [usize; 2],
    pixels: Vec<[f32; 4]>,
    /// Nearest-neighbour sampling instead of bilinear.
    nearest: bool,
}

impl Texture {
    /// The texel at integer coordinates, clamped to the edge.
    #[inline]
    fn texel(&self, x: isize, y: isize) -> [f32; 4] {
        let x = x.clamp(0, self.size[0] as isize - 1) as usize;
        let y = y.clamp(0, self.size[1] as isize - 1) as usize;
        self.pixels[y * self.size[0] + x]
    }

    /// The colour at normalised (u, v): bilinear, or nearest for textures that ask for it.
    #[inline]
    fn sample(&self, u: f32, v: f32) -> [f32; 4] {
        let x = u * self.size[0] as f32 - 0.5;
        let y = v * self.size[1] as f32 - 0.5;
        if self.nearest {
            return self.texel(x.round() as isize, y.round() as isize);
        }
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let (x0, y0) = (x0 as isize, y0 as isize);
        let a = self.texel(x0, y0);
        let b = self.texel(x0 + 1, y0);
        let c = self.texel(x0, y0 + 1);
        let d = self.texel(x0 + 1, y0 + 1);
        let mut out = [0.0; 4];
        for k in 0..4 {
            let top = a[k] + (b[k] - a[k]) * fx;
            let bottom = c[k] + (d[k] - c[k]) * fx;
            out[k] = top + (bottom - top) * fy;
        }
        out
    }
}

/// A colour as premultiplied floats in [0, 1].
#[inline]
fn unit(c: Color32) -> [f32; 4] {
    let [r, g, b, a] = c.to_array();
    [
        f32::from(r) / 255.0,
        f32::from(g) / 255.0,
        f32::from(b) / 255.0,
        f32::from(a) / 255.0,
    ]
}

/// A picture in progress: premultiplied RGBA floats, rows top first.
#[derive(Clone, Debug)]
pub struct Canvas {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    pixels: Vec<[f32; 4]>,
}

impl Canvas {
    /// A canvas filled with `background`.
    pub fn new(width: usize, height: usize, background: Color32) -> Self {
        Self {
            width,
            height,
            pixels: vec![unit(background); width * height],
        }
    }

    /// The pixels as straight (not premultiplied) sRGBA bytes, rows top first.
    pub fn to_rgba8(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.pixels.len() * 4);
        for p in &self.pixels {
            let a = p[3].clamp(0.0, 1.0);
            let un = |c: f32| {
                let v = if a > 0.0 { c / a } else { 0.0 };
                (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
            };
            out.extend_from_slice(&[un(p[0]), un(p[1]), un(p[2]), (a * 255.0 + 0.5) as u8]);
        }
        out
    }
}

/// The textures egui has uploaded, kept across frames as a GPU renderer keeps them.
#[derive(Default)]
pub struct Rasterizer {
    textures: HashMap<TextureId, Texture>,
}

impl Rasterizer {
    /// Applies egui's texture uploads (whole textures and patches).
    pub fn set_textures(&mut self, delta: &egui::TexturesDelta) {
        for (id, image_delta) in delta
            .set
            .iter()
            .flat_map(|(id, ds)| ds.iter().map(move |d| (id, d)))
        {
            let egui::ImageData::Color(image) = &image_delta.image;
            let pixels: Vec<[f32; 4]> = image.pixels.iter().map(|c| unit(*c)).collect();
            let nearest = image_delta.options.magnification == egui::TextureFilter::Nearest;
            match image_delta.pos {
                None => {
                    self.textures.insert(
                        *id,
                        Texture {
                            size: image.size,
                            pixels,
                            nearest,
                        },
                    );
                }
                Some([x0, y0]) => {
                    if let Some(t) = self.textures.get_mut(id) {
                        for y in 0..image.size[1] {
                            for x in 0..image.size[0] {
                                let (tx, ty) = (x0 + x, y0 + y);
                                if tx < t.size[0] && ty < t.size[1] {
                                    t.pixels[ty * t.size[0] + tx] = pixels[y * image.size[0] + x];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Drops the textures egui freed.
    pub fn free_textures(&mut self, delta: &egui::TexturesDelta) {
        for id in &delta.free {
            self.textures.remove(id);
        }
    }

    /// Draws tessellated primitives (positions in points) onto `canvas` at
    /// `pixels_per_point`, in order, clipped to each primitive's clip rectangle.
    pub fn paint(
        &self,
        canvas: &mut Canvas,
        primitives: &[epaint::ClippedPrimitive],
        pixels_per_point: f32,
    ) {
        let width = canvas.width;
        let height = canvas.height;
        canvas
            .pixels
            .par_chunks_mut(BAND * width)
            .enumerate()
            .for_each(|(band, rows)| {
                let y0 = band * BAND;
                let y1 = (y0 + BAND).min(height);
                for p in primitives {
                    let epaint::Primitive::Mesh(mesh) = &p.primitive else {
                        continue;
                    };
                    let clip = p.clip_rect * pixels_per_point;
                    let clip = [
                        clip.min.x.max(0.0),
                        clip.min.y.max(y0 as f32),
                        clip.max.x.min(width as f32),
                        clip.max.y.min(y1 as f32),
                    ];
                    if clip[0] >= clip[2] || clip[1] >= clip[3] {
                        continue;
                    }
                    let texture = self.textures.get(&mesh.texture_id);
                    for tri in mesh.indices.chunks_exact(3) {
                        let v = [
                            &mesh.vertices[tri[0] as usize],
                            &mesh.vertices[tri[1] as usize],
                            &mesh.vertices[tri[2] as usize],
                        ];
                        triangle(rows, width, y0, clip, v, pixels_per_point, texture);
                    }
                }
            });
    }
}

/// Twice the signed area of (a, b, p).
#[inline]
fn edge(a: [f32; 2], b: [f32; 2], p: [f32; 2]) -> f32 {
    (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
}

/// The pixels `x` in `xs..xe` whose centres on the row at height `py` may lie inside the
/// triangle `p` (1/area = `inv`): where its three barycentric weights, each linear in x, are
/// all at least 0, widened by a pixel each way; `None` when there are none.
fn row_span(p: [[f32; 2]; 3], inv: f32, py: f32, xs: usize, xe: usize) -> Option<(usize, usize)> {
    let (mut lo, mut hi) = (f32::NEG_INFINITY, f32::INFINITY);
    // w_i(x) = a + b·x for the edge opposite vertex i.
    let weight = |a: [f32; 2], b: [f32; 2]| {
        let slope = -(b[1] - a[1]) * inv;
        let at0 = ((b[0] - a[0]) * (py - a[1]) + (b[1] - a[1]) * a[0]) * inv;
        (at0, slope)
    };
    let (a0, b0) = weight(p[1], p[2]);
    let (a1, b1) = weight(p[2], p[0]);
    let (a2, b2) = (1.0 - a0 - a1, -b0 - b1);
    for (a, b) in [(a0, b0), (a1, b1), (a2, b2)] {
        if b > 0.0 {
            lo = lo.max(-a / b);
        } else if b < 0.0 {
            hi = hi.min(-a / b);
        } else if a < 0.0 {
            return None;
        }
    }
    if !(lo.is_finite() || lo == f32::NEG_INFINITY) || !(hi.is_finite() || hi == f32::INFINITY) {
        return Some((xs, xe));
    }
    let start = if lo == f32::NEG_INFINITY {
        xs
    } else {
        ((lo - 0.5).floor() - 1.0).max(xs as f32) as usize
    };
    let end = if hi == f32::INFINITY {
        xe
    } else {
        ((hi - 0.5).ceil() + 2.0).max(0.0).min(xe as f32) as usize
    };
    (start < end).then_some((start, end))
}

/// Rasterises one triangle into the band `rows` (which starts at row `y0`), within `clip`
/// (x0, y0, x1, y1 in pixels).
fn triangle(
    rows: &mut [[f32; 4]],
    width: usize,
    y0: usize,
    clip: [f32; 4],
    v: [&epaint::Vertex; 3],
    ppp: f32,
    texture: Option<&Texture>,
) {
    let p = v.map(|v| [v.pos.x * ppp, v.pos.y * ppp]);
    let area = edge(p[0], p[1], p[2]);
    if !area.is_finite() || area.abs() < 1e-6 {
        return;
    }
    let min_x = p
        .iter()
        .map(|q| q[0])
        .fold(f32::INFINITY, f32::min)
        .max(clip[0]);
    let max_x = p
        .iter()
        .map(|q| q[0])
        .fold(f32::NEG_INFINITY, f32::max)
        .min(clip[2]);
    let min_y = p
        .iter()
        .map(|q| q[1])
        .fold(f32::INFINITY, f32::min)
        .max(clip[1]);
    let max_y = p
        .iter()
        .map(|q| q[1])
        .fold(f32::NEG_INFINITY, f32::max)
        .min(clip[3]);
    if min_x >= max_x || min_y >= max_y {
        return;
    }
    let colors = v.map(|v| unit(v.color));
    let uvs = v.map(|v| [v.uv.x, v.uv.y]);
    // A solid colour without texture detail (egui's white texel) needs no sampling.
    let plain = texture.is_none_or(|t| t.size == [1, 1]);
    let inv = 1.0 / area;
    let (xs, xe) = (min_x.floor() as usize, (max_x.ceil() as usize).min(width));
    let (ys, ye) = (min_y.floor() as usize, max_y.ceil() as usize);
    for y in ys..ye {
        let py = y as f32 + 0.5;
        if py < clip[1] || py >= clip[3] {
            continue;
        }
        // Only the pixels of this row that the triangle may cover (with a pixel to spare on
        // each side; the exact test below decides): a long thin diagonal line, the path of a
        // diverging racer across the map, no longer costs its whole bounding box per row.
        // (Small triangles, glyphs above all, are cheaper walked whole.)
        let span = if xe - xs > 32 {
            row_span(p, inv, py, xs, xe)
        } else {
            Some((xs, xe))
        };
        let Some((xs, xe)) = span else {
            continue;
        };
        let row = &mut rows[(y - y0) * width..(y - y0 + 1) * width];
        for (x, dst) in row.iter_mut().enumerate().take(xe).skip(xs) {
            let px = x as f32 + 0.5;
            if px < clip[0] || px >= clip[2] {
                continue;
            }
            let q = [px, py];
            let w0 = edge(p[1], p[2], q) * inv;
            let w1 = edge(p[2], p[0], q) * inv;
            let w2 = 1.0 - w0 - w1;
            if w0 < 0.0 || w1 < 0.0 || w2 < 0.0 {
                continue;
            }
            let mut c = [0.0f32; 4];
            for k in 0..4 {
                c[k] = colors[0][k] * w0 + colors[1][k] * w1 + colors[2][k] * w2;
            }
            if !plain && let Some(t) = texture {
                let u = uvs[0][0] * w0 + uvs[1][0] * w1 + uvs[2][0] * w2;
                let vv = uvs[0][1] * w0 + uvs[1][1] * w1 + uvs[2][1] * w2;
                let s = t.sample(u, vv);
                for k in 0..4 {
                    c[k] *= s[k];
                }
            }
            let keep = 1.0 - c[3];
            for k in 0..4 {
                dst[k] = c[k] + dst[k] * keep;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_half_transparent_red_square_blends_over_white() {
        let mut mesh = epaint::Mesh::default();
        let red = Color32::from_rgba_premultiplied(128, 0, 0, 128);
        mesh.add_colored_rect(
            egui::Rect::from_min_max(egui::pos2(2.0, 2.0), egui::pos2(6.0, 6.0)),
            red,
        );
        let prims = vec![epaint::ClippedPrimitive {
            clip_rect: egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(5.0, 8.0)),
            primitive: epaint::Primitive::Mesh(mesh),
        }];
        let mut canvas = Canvas::new(8, 8, Color32::WHITE);
        Rasterizer::default().paint(&mut canvas, &prims, 1.0);
        let px = canvas.to_rgba8();
        let at = |x: usize, y: usize| &px[(y * 8 + x) * 4..(y * 8 + x) * 4 + 4];
        assert_eq!(at(0, 0), [255, 255, 255, 255]);
        // Inside: 0.5 red over white.
        assert_eq!(at(3, 3), [255, 127, 127, 255]);
        // Clipped at x = 5.
        assert_eq!(at(5, 3), [255, 255, 255, 255]);
        // Doubled pixels per point: the square covers pixels 4..12 of a 16 canvas.
        let mut big = Canvas::new(16, 16, Color32::WHITE);
        Rasterizer::default().paint(&mut big, &prims, 2.0);
        let px = big.to_rgba8();
        assert_eq!(
            &px[(8 * 16 + 5) * 4..(8 * 16 + 5) * 4 + 4],
            [255, 127, 127, 255]
        );
    }
}
