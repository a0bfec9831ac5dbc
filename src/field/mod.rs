//! A surface sampled on a grid, and the contour lines of that grid (marching squares).
//! Pure computation for the 2D and 3D views; nothing here knows about egui.

pub mod colormap;
pub use colormap::Colormap;

use crate::surfaces::Surface;
use rayon::prelude::*;

/// An axis-aligned window of the plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// x range (min, max).
    pub x: (f64, f64),
    /// y range (min, max).
    pub y: (f64, f64),
}

impl Window {
    /// The point at fractions (u, v) ∈ [0, 1]² of the window.
    pub fn at(&self, u: f64, v: f64) -> [f64; 2] {
        [
            self.x.0 + u * (self.x.1 - self.x.0),
            self.y.0 + v * (self.y.1 - self.y.0),
        ]
    }
}

/// Loss values on an nx × ny grid of cell centres; row 0 is the bottom (smallest y).
#[derive(Clone, Debug)]
pub struct Grid {
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// The window sampled.
    pub window: Window,
    /// Row-major values, `values[j * nx + i]` at column i, row j.
    pub values: Vec<f64>,
}

impl Grid {
    /// Samples `surface` at the centres of an nx × ny grid over `window`, rows in parallel.
    pub fn sample(surface: &Surface, window: Window, nx: usize, ny: usize) -> Self {
        let mut values = vec![0.0; nx * ny];
        values
            .par_chunks_mut(nx.max(1))
            .enumerate()
            .for_each(|(j, row)| {
                let v = (j as f64 + 0.5) / ny as f64;
                for (i, out) in row.iter_mut().enumerate() {
                    let [x, y] = window.at((i as f64 + 0.5) / nx as f64, v);
                    *out = surface.value(x, y);
                }
            });
        Self {
            nx,
            ny,
            window,
            values,
        }
    }

    /// The plane coordinates of the centre of cell (i, j).
    pub fn point(&self, i: usize, j: usize) -> [f64; 2] {
        self.window.at(
            (i as f64 + 0.5) / self.nx as f64,
            (j as f64 + 0.5) / self.ny as f64,
        )
    }

    /// The smallest and largest finite values.
    pub fn range(&self) -> Option<(f64, f64)> {
        let finite = self.values.iter().copied().filter(|v| v.is_finite());
        finite.fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
    }
}

/// How loss values are mapped to colour and contour levels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// The value mapped to 0.
    pub lo: f64,
    /// The value mapped to 1.
    pub hi: f64,
    /// Whether the map is logarithmic in (value − lo).
    pub log: bool,
}

/// The offset that keeps log(value − lo + offset) finite at the minimum.
const LOG_FLOOR: f64 = 1e-3;

impl Scale {
    /// A scale spanning the grid's finite range.
    pub fn of(grid: &Grid, log: bool) -> Self {
        let (lo, hi) = grid.range().unwrap_or((0.0, 1.0));
        Self { lo, hi, log }
    }

    /// Maps a value to [0, 1] (clamped; NaN maps to 1).
    pub fn unit(&self, v: f64) -> f64 {
        if v.is_nan() {
            return 1.0;
        }
        let t = if self.log {
            let span = (self.hi - self.lo).max(f64::MIN_POSITIVE);
            let floor = LOG_FLOOR * span;
            ((v - self.lo).max(0.0) + floor).ln() - floor.ln()
        } else {
            v - self.lo
        } / self.width();
        t.clamp(0.0, 1.0)
    }

    /// The inverse of [`Scale::unit`].
    pub fn value(&self, t: f64) -> f64 {
        if self.log {
            let span = (self.hi - self.lo).max(f64::MIN_POSITIVE);
            let floor = LOG_FLOOR * span;
            self.lo + (t * self.width() + floor.ln()).exp() - floor
        } else {
            self.lo + t * self.width()
        }
    }

    fn width(&self) -> f64 {
        if self.log {
            let span = (self.hi - self.lo).max(f64::MIN_POSITIVE);
            let floor = LOG_FLOOR * span;
            (span + floor).ln() - floor.ln()
        } else {
            (self.hi - self.lo).max(f64::MIN_POSITIVE)
        }
    }

    /// `n` contour levels evenly spaced in the scale's own units, strictly inside the range.
    pub fn levels(&self, n: usize) -> Vec<f64> {
        (1..=n)
            .map(|k| self.value(k as f64 / (n + 1) as f64))
            .collect()
    }
}

/// One contour level as a set of line segments in plane coordinates.
#[derive(Clone, Debug)]
pub struct Contour {
    /// The level.
    pub level: f64,
    /// Segments, each a pair of points.
    pub segments: Vec<[[f64; 2]; 2]>,
}

/// Extracts the contour lines of `grid` at `levels` by marching squares, rows in parallel.
/// Each cell is visited once: only the levels between its smallest and largest corner are
/// traced through it.
pub fn contours(grid: &Grid, levels: &[f64]) -> Vec<Contour> {
    let (nx, ny) = (grid.nx, grid.ny);
    let mut order: Vec<usize> = (0..levels.len()).collect();
    order.sort_by(|&a, &b| levels[a].total_cmp(&levels[b]));
    let sorted: Vec<f64> = order.iter().map(|&k| levels[k]).collect();
    let rows: Vec<Vec<Vec<[[f64; 2]; 2]>>> = (0..ny.saturating_sub(1))
        .into_par_iter()
        .map(|j| {
            let mut per_level = vec![Vec::new(); sorted.len()];
            for i in 0..nx.saturating_sub(1) {
                let f = [
                    grid.values[j * nx + i],
                    grid.values[j * nx + i + 1],
                    grid.values[(j + 1) * nx + i + 1],
                    grid.values[(j + 1) * nx + i],
                ];
                if f.iter().any(|x| !x.is_finite()) {
                    continue;
                }
                let lo = f.iter().fold(f64::INFINITY, |m, x| m.min(*x));
                let hi = f.iter().fold(f64::NEG_INFINITY, |m, x| m.max(*x));
                let first = sorted.partition_point(|l| *l < lo);
                for (k, &level) in sorted.iter().enumerate().skip(first) {
                    if level >= hi {
                        break;
                    }
                    march_cell(grid, i, j, f, level, &mut per_level[k]);
                }
            }
            per_level
        })
        .collect();
    let mut out: Vec<Contour> = levels
        .iter()
        .map(|&level| Contour {
            level,
            segments: Vec::new(),
        })
        .collect();
    for row in rows {
        for (k, segs) in row.into_iter().enumerate() {
            out[order[k]].segments.extend(segs);
        }
    }
    out
}

/// The segments of one level through cell (i, j) with corner values `f` (counter-clockwise
/// from bottom-left); saddle cells are split by the cell's mean value.
fn march_cell(
    grid: &Grid,
    i: usize,
    j: usize,
    f: [f64; 4],
    level: f64,
    out: &mut Vec<[[f64; 2]; 2]>,
) {
    let case = f
        .iter()
        .enumerate()
        .fold(0u8, |c, (k, x)| c | (u8::from(*x > level) << k));
    let pairs: &[(usize, usize)] = match case {
        1 | 14 => &[(3, 0)],
        2 | 13 => &[(0, 1)],
        3 | 12 => &[(3, 1)],
        4 | 11 => &[(1, 2)],
        6 | 9 => &[(0, 2)],
        7 | 8 => &[(2, 3)],
        5 | 10 => {
            let centre_above = f.iter().sum::<f64>() / 4.0 > level;
            if (case == 5) == centre_above {
                &[(0, 1), (2, 3)]
            } else {
                &[(3, 0), (1, 2)]
            }
        }
        _ => return,
    };
    let p = [
        grid.point(i, j),
        grid.point(i + 1, j),
        grid.point(i + 1, j + 1),
        grid.point(i, j + 1),
    ];
    // Where the level crosses edge k, which joins corner k and corner k + 1.
    let edge = |k: usize| {
        let (a, b) = (p[k], p[(k + 1) % 4]);
        let (fa, fb) = (f[k], f[(k + 1) % 4]);
        let t = ((level - fa) / (fb - fa)).clamp(0.0, 1.0);
        [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
    };
    for &(a, b) in pairs {
        out.push([edge(a), edge(b)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surfaces::SurfaceKind;

    #[test]
    fn circles_of_a_bowl_lie_on_the_level() {
        // Booth is a quadratic; every contour point must have f ≈ level.
        let s = Surface::new(SurfaceKind::Matyas);
        let window = Window {
            x: (-10.0, 10.0),
            y: (-10.0, 10.0),
        };
        let grid = Grid::sample(&s, window, 128, 128);
        let scale = Scale::of(&grid, false);
        let lines = contours(&grid, &scale.levels(5));
        assert_eq!(lines.len(), 5);
        for c in &lines {
            assert!(!c.segments.is_empty());
            for seg in &c.segments {
                for p in seg {
                    let f = s.value(p[0], p[1]);
                    assert!((f - c.level).abs() < 0.02 * scale.hi, "{f} vs {}", c.level);
                }
            }
        }
    }

    #[test]
    fn scales_round_trip() {
        for log in [false, true] {
            let s = Scale {
                lo: 3.0,
                hi: 1e6,
                log,
            };
            for t in [0.0, 0.25, 0.5, 1.0] {
                assert!((s.unit(s.value(t)) - t).abs() < 1e-9, "log={log} t={t}");
            }
            assert_eq!(s.unit(f64::NAN), 1.0);
            assert_eq!(s.unit(-5.0), 0.0);
        }
    }

    #[test]
    fn grid_rows_start_at_the_bottom() {
        let s = Surface::new(SurfaceKind::Saddle);
        let g = Grid::sample(
            &s,
            Window {
                x: (0.0, 1.0),
                y: (0.0, 4.0),
            },
            2,
            4,
        );
        assert_eq!(g.point(0, 0), [0.25, 0.5]);
        assert_eq!(g.values[0], s.value(0.25, 0.5));
        assert_eq!(g.values[3 * 2 + 1], s.value(0.75, 3.5));
    }
}
