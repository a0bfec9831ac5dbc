//! Pictures of grids for `--png`: viridis heatmaps, enlargement, markers and paths, and PNG
//! files. Pixels are RGBA, rows top first.

use super::scale::ColorScale;
use std::path::Path;

/// An RGBA picture, rows top first.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `pixels[y * width + x]`, y = 0 the top row.
    pub pixels: Vec<[u8; 4]>,
}

/// Colour of values that are not finite (diverged cells).
pub const NOT_FINITE: [u8; 4] = [0, 0, 0, 255];

impl Picture {
    /// A picture from pixels (top row first); `None` when the sizes disagree.
    pub fn new(width: usize, height: usize, pixels: Vec<[u8; 4]>) -> Option<Self> {
        (pixels.len() == width * height).then_some(Self {
            width,
            height,
            pixels,
        })
    }

    /// A viridis heatmap of `values` laid out as [`crate::field::Grid`] (`values[j * nx + i]`,
    /// row 0 the bottom), flipped so the picture's top is the largest y; low values dark, as
    /// `scale` places them; non-finite values black.
    pub fn heatmap(values: &[f64], nx: usize, ny: usize, scale: &ColorScale) -> Self {
        let mut pixels = vec![NOT_FINITE; nx * ny];
        for j in 0..ny {
            for i in 0..nx {
                let v = values.get(j * nx + i).copied().unwrap_or(f64::NAN);
                if v.is_finite() {
                    let c = colorous::VIRIDIS.eval_continuous(scale.unit(v));
                    pixels[(ny - 1 - j) * nx + i] = [c.r, c.g, c.b, 255];
                }
            }
        }
        Self {
            width: nx,
            height: ny,
            pixels,
        }
    }

    /// Each pixel repeated `factor` × `factor` times (nearest neighbour).
    pub fn enlarge(&self, factor: usize) -> Self {
        let f = factor.max(1);
        let (w, h) = (self.width * f, self.height * f);
        let mut pixels = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                pixels.push(self.pixels[(y / f) * self.width + x / f]);
            }
        }
        Self {
            width: w,
            height: h,
            pixels,
        }
    }

    /// Enlarged by the smallest whole factor that makes the longer side at least `min_side`.
    pub fn at_least(&self, min_side: usize) -> Self {
        let side = self.width.max(self.height).max(1);
        self.enlarge(min_side.div_ceil(side))
    }

    /// Sets the pixel at (x, y) from the top-left, if inside.
    fn put(&mut self, x: i64, y: i64, c: [u8; 4]) {
        if (0..self.width as i64).contains(&x) && (0..self.height as i64).contains(&y) {
            self.pixels[y as usize * self.width + x as usize] = c;
        }
    }

    /// The pixel position of the fractional coordinates (u, v) ∈ [0, 1]² (v = 0 the bottom).
    fn pixel(&self, u: f64, v: f64) -> (f64, f64) {
        (u * self.width as f64, (1.0 - v) * self.height as f64)
    }

    /// A cross of half-size `r` pixels at fractional (u, v), drawn in `c` over a black
    /// outline.
    pub fn cross(&mut self, u: f64, v: f64, r: i64, c: [u8; 4]) {
        let (px, py) = self.pixel(u, v);
        let (x, y) = (px.floor() as i64, py.floor() as i64);
        for k in -r..=r {
            for o in [-1, 1] {
                self.put(x + k, y + o, [0, 0, 0, 255]);
                self.put(x + o, y + k, [0, 0, 0, 255]);
            }
        }
        for k in -r..=r {
            self.put(x + k, y, c);
            self.put(x, y + k, c);
        }
    }

    /// A polyline through fractional points (u, v), one pixel wide.
    pub fn path(&mut self, points: &[[f64; 2]], c: [u8; 4]) {
        for pair in points.windows(2) {
            let (x0, y0) = self.pixel(pair[0][0], pair[0][1]);
            let (x1, y1) = self.pixel(pair[1][0], pair[1][1]);
            let n = (x1 - x0).abs().max((y1 - y0).abs()).ceil().clamp(1.0, 1e5) as usize;
            for k in 0..=n {
                let t = k as f64 / n as f64;
                let (x, y) = (x0 + t * (x1 - x0), y0 + t * (y1 - y0));
                if x.is_finite() && y.is_finite() {
                    self.put(x.floor() as i64, y.floor() as i64, c);
                }
            }
        }
    }

    /// Writes the picture as a PNG file.
    pub fn save_png(&self, path: &Path) -> Result<(), String> {
        let rgba: Vec<u8> = self.pixels.iter().flatten().copied().collect();
        let png = encode_png(&rgba, self.width, self.height)?;
        crate::files::write_output(path, &png)
    }
}

/// `width × height` RGBA pixels (`width × height × 4` bytes) as a PNG file's bytes.
pub fn encode_png(rgba: &[u8], width: usize, height: usize) -> Result<Vec<u8>, String> {
    let size = |v: usize| u32::try_from(v).map_err(|_| format!("a picture {v} pixels wide"));
    let mut bytes = Vec::new();
    image::write_buffer_with_format(
        &mut std::io::Cursor::new(&mut bytes),
        rgba,
        size(width)?,
        size(height)?,
        image::ColorType::Rgba8,
        image::ImageFormat::Png,
    )
    .map_err(|e| format!("could not encode the picture as PNG: {e}"))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_flips_rows_and_marks_non_finite() {
        // Bottom row low, top row high; one NaN.
        let values = [0.0, 1.0, 2.0, f64::NAN];
        let scale = ColorScale::robust(&values, false).unwrap();
        let p = Picture::heatmap(&values, 2, 2, &scale);
        // Top-left is (i = 0, j = 1) = 2.0: the brightest; bottom-left is 0.0: the darkest.
        let lum = |c: [u8; 4]| u32::from(c[0]) + u32::from(c[1]) + u32::from(c[2]);
        assert!(lum(p.pixels[0]) > lum(p.pixels[2]));
        assert_eq!(p.pixels[1], NOT_FINITE);
        let big = p.at_least(7);
        assert_eq!((big.width, big.height), (8, 8));
        assert_eq!(big.pixels[0], p.pixels[0]);
        assert_eq!(big.pixels[63], p.pixels[3]);
    }
}
