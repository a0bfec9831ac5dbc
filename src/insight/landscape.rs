//! The landscape of a real model: the loss on a 2-D plane through its weights,
//! L(a, b) = loss(w + a·d₁ + b·d₂), with d₁, d₂ filter-normalised random directions (Li et
//! al., "Visualizing the Loss Landscape of Neural Nets", NeurIPS 2018) or the top two
//! principal directions of a training trajectory; and trajectories projected onto it.
//!
//! The loss is the one training minimises, evaluated on a whole table: the mean data loss
//! plus the weight penalty λ₁Σ|W| + (λ₂/2)ΣW², exactly what a full-batch
//! [`crate::models::ModelObjective`] returns.

use crate::data::Table;
use crate::engine::Objective;
use crate::field::{Grid, Window};
use crate::models::{Network, Workspace};

/// The landscape works in f64: its slice is a surface that optimizers step on and that
/// finite differences are taken of, where f32's rounding (about 1e-7 of the loss) would show.
type Exact = Workspace<f64>;
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use std::sync::Arc;
use thiserror::Error;

/// Rows per forward pass when a slice is evaluated (a few hundred rows keep the activations
/// in cache).
const CHUNK: usize = 256;

/// The most grid points per side.
pub const MAX_GRID: usize = 512;

/// A plane or slice that cannot be set up.
#[derive(Debug, Error, PartialEq)]
pub enum LandscapeError {
    /// Vectors of different lengths.
    #[error("the weights have {want} entries but a direction or snapshot has {got}")]
    Length {
        /// Expected.
        want: usize,
        /// Given.
        got: usize,
    },
    /// d₁ and d₂ are (nearly) parallel or zero, so (a, b) is not a coordinate system.
    #[error("the two directions are zero or parallel")]
    Degenerate,
    /// Fewer than two independent displacements in the trajectory.
    #[error("the trajectory spans fewer than two directions (train for at least 2 epochs)")]
    Trajectory,
    /// The grid side is out of range.
    #[error("grid side {0} is outside [1, {MAX_GRID}]")]
    Grid(usize),
    /// The table has no rows.
    #[error("no rows to evaluate the loss on")]
    NoData,
}

/// The plane w + a·d₁ + b·d₂ in weight space.
#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    /// The origin w (the current weights).
    pub center: Vec<f64>,
    /// The first direction.
    pub d1: Vec<f64>,
    /// The second direction.
    pub d2: Vec<f64>,
    /// The Gram matrix (d₁·d₁, d₁·d₂, d₂·d₂).
    gram: [f64; 3],
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Plane {
    /// The plane through `center` along `d1` and `d2`.
    pub fn new(center: Vec<f64>, d1: Vec<f64>, d2: Vec<f64>) -> Result<Self, LandscapeError> {
        for d in [&d1, &d2] {
            if d.len() != center.len() {
                return Err(LandscapeError::Length {
                    want: center.len(),
                    got: d.len(),
                });
            }
        }
        let gram = [dot(&d1, &d1), dot(&d1, &d2), dot(&d2, &d2)];
        let det = gram[0] * gram[2] - gram[1] * gram[1];
        if !(det.is_finite() && det > 1e-12 * gram[0] * gram[2]) {
            return Err(LandscapeError::Degenerate);
        }
        Ok(Self {
            center,
            d1,
            d2,
            gram,
        })
    }

    /// Writes w + a·d₁ + b·d₂ into `out`.
    pub fn point(&self, a: f64, b: f64, out: &mut [f64]) {
        for (((o, w), u), v) in out.iter_mut().zip(&self.center).zip(&self.d1).zip(&self.d2) {
            *o = w + a * u + b * v;
        }
    }

    /// The coordinates (a, b) of the point of the plane nearest to `w` (least squares:
    /// G·(a, b)ᵀ = (d₁·(w − c), d₂·(w − c))ᵀ with G the Gram matrix); `None` for a vector of
    /// the wrong length.
    pub fn project(&self, w: &[f64]) -> Option<[f64; 2]> {
        if w.len() != self.center.len() {
            return None;
        }
        let (mut r1, mut r2) = (0.0, 0.0);
        for (((x, c), u), v) in w.iter().zip(&self.center).zip(&self.d1).zip(&self.d2) {
            let e = x - c;
            r1 += u * e;
            r2 += v * e;
        }
        let [g11, g12, g22] = self.gram;
        let det = g11 * g22 - g12 * g12;
        Some([(g22 * r1 - g12 * r2) / det, (g11 * r2 - g12 * r1) / det])
    }

    /// Every snapshot of a trajectory projected onto the plane (wrong lengths skipped).
    pub fn project_all(&self, trajectory: &[Vec<f64>]) -> Vec<[f64; 2]> {
        trajectory.iter().filter_map(|w| self.project(w)).collect()
    }
}

/// Rescales `d` filter by filter to the norms of the weights `w` (Li et al. 2018, §4): for
/// every layer, filter j is the column W[:, j] of the `fan_in × fan_out` matrix (the weights
/// into unit j), and d[:, j] ← d[:, j]·‖w[:, j]‖/‖d[:, j]‖; the biases' entries of d are set to
/// zero, as the paper does for biases (its `ignore='biasbn'`).
pub fn filter_normalize(net: &Network, w: &[f64], d: &mut [f64]) {
    for layer in &net.layers {
        let (fi, fo) = (layer.fan_in, layer.fan_out);
        for j in 0..fo {
            let col = |k: usize| layer.w + k * fo + j;
            let wn = (0..fi).map(|k| w[col(k)] * w[col(k)]).sum::<f64>().sqrt();
            let dn = (0..fi).map(|k| d[col(k)] * d[col(k)]).sum::<f64>().sqrt();
            let s = if dn > 0.0 { wn / dn } else { 0.0 };
            for k in 0..fi {
                d[col(k)] *= s;
            }
        }
        d[layer.b..layer.b + fo].fill(0.0);
    }
}

/// Two filter-normalised Gaussian directions around `w`, drawn from `seed` (d₁ first).
pub fn random_directions(net: &Network, w: &[f64], seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut draw = || {
        let mut d: Vec<f64> = (0..w.len())
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        filter_normalize(net, w, &mut d);
        d
    };
    let d1 = draw();
    let d2 = draw();
    (d1, d2)
}

/// The top two principal directions of a trajectory, and the share of its squared
/// displacement each explains.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// The first unit direction.
    pub d1: Vec<f64>,
    /// The second unit direction, orthogonal to the first.
    pub d2: Vec<f64>,
    /// σᵢ²/Σσ² for the two directions.
    pub explained: [f64; 2],
}

/// The top-2 right singular vectors of the T × D matrix whose rows are the snapshots minus
/// `center` (nalgebra SVD). Centring on the slice's origin rather than on the mean (Li et al.
/// centre on the final weights too) makes the plane through `center` the one that keeps the
/// trajectory closest: it minimises Σ‖(wₜ − c) − projection‖². Each direction's sign is
/// chosen so the first snapshot has a non-positive coordinate (training runs towards +a,
/// +b).
pub fn pca_directions(center: &[f64], trajectory: &[Vec<f64>]) -> Result<Pca, LandscapeError> {
    let d = center.len();
    if let Some(bad) = trajectory.iter().find(|w| w.len() != d) {
        return Err(LandscapeError::Length {
            want: d,
            got: bad.len(),
        });
    }
    if trajectory.len() < 2 || d < 2 {
        return Err(LandscapeError::Trajectory);
    }
    let m = DMatrix::from_fn(trajectory.len(), d, |t, k| trajectory[t][k] - center[k]);
    let svd = m.svd(false, true);
    let Some(v_t) = svd.v_t else {
        return Err(LandscapeError::Trajectory);
    };
    let s = &svd.singular_values;
    let mut order: Vec<usize> = (0..s.len()).collect();
    order.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
    if order.len() < 2 || s[order[1]].is_nan() || s[order[1]] <= 1e-9 * s[order[0]] {
        return Err(LandscapeError::Trajectory);
    }
    let total: f64 = s.iter().map(|v| v * v).sum();
    let first = &trajectory[0];
    let dir = |k: usize| {
        let mut v: Vec<f64> = v_t.row(k).iter().copied().collect();
        let c: f64 = v
            .iter()
            .zip(first)
            .zip(center)
            .map(|((u, w), c)| u * (w - c))
            .sum();
        if c > 0.0 {
            v.iter_mut().for_each(|x| *x = -*x);
        }
        v
    };
    Ok(Pca {
        d1: dir(order[0]),
        d2: dir(order[1]),
        explained: [
            s[order[0]] * s[order[0]] / total,
            s[order[1]] * s[order[1]] / total,
        ],
    })
}

/// A model's loss on a plane through its weights.
#[derive(Clone, Debug)]
pub struct Landscape {
    /// The network.
    pub net: Arc<Network>,
    /// The rows the loss is taken over (usually the training table).
    pub data: Arc<Table>,
    /// The plane.
    pub plane: Plane,
}

impl Landscape {
    /// The landscape of `net` on `data` over `plane`.
    pub fn new(net: Arc<Network>, data: Arc<Table>, plane: Plane) -> Result<Self, LandscapeError> {
        if plane.center.len() != net.dim {
            return Err(LandscapeError::Length {
                want: net.dim,
                got: plane.center.len(),
            });
        }
        if data.is_empty() {
            return Err(LandscapeError::NoData);
        }
        Ok(Self { net, data, plane })
    }

    /// The loss at the weights `params` over the whole table (data loss + penalty).
    fn loss_of(&self, params: &[f64], ws: &mut Exact) -> f64 {
        let totals = self.net.totals(params, &self.data, ws);
        totals.loss / totals.n.max(1) as f64 + self.net.penalty(params)
    }

    /// L(a, b).
    pub fn loss_at(&self, a: f64, b: f64) -> f64 {
        let mut ws = Exact::new(&self.net, CHUNK.min(self.data.n));
        let mut p = vec![0.0; self.net.dim];
        self.plane.point(a, b, &mut p);
        self.loss_of(&p, &mut ws)
    }

    /// The window whose n × n cell centres are the points (a, b) ∈ linspace(−span, span, n)²,
    /// so that (0, 0) is a centre when n is odd.
    pub fn square(span: f64, n: usize) -> Window {
        let half = if n > 1 {
            span * n as f64 / (n - 1) as f64
        } else {
            span
        };
        Window {
            x: (-half, half),
            y: (-half, half),
        }
    }

    /// L over the centres of an n × n grid on `window` (as [`Grid::sample`] lays out a
    /// surface: row 0 is the smallest b), evaluated in parallel with one workspace per
    /// rayon task.
    pub fn grid(&self, window: Window, n: usize) -> Result<Grid, LandscapeError> {
        self.grid_counted(window, n, &std::sync::atomic::AtomicU64::new(0))
    }

    /// [`Landscape::grid`], adding one to `done` for each cell evaluated (a progress bar's
    /// count; n² in all).
    pub fn grid_counted(
        &self,
        window: Window,
        n: usize,
        done: &std::sync::atomic::AtomicU64,
    ) -> Result<Grid, LandscapeError> {
        if !(1..=MAX_GRID).contains(&n) {
            return Err(LandscapeError::Grid(n));
        }
        let rows = CHUNK.min(self.data.n);
        let values = (0..n * n)
            .into_par_iter()
            .map_init(
                || (Exact::new(&self.net, rows), vec![0.0; self.net.dim]),
                |(ws, p), cell| {
                    let u = ((cell % n) as f64 + 0.5) / n as f64;
                    let v = ((cell / n) as f64 + 0.5) / n as f64;
                    let [a, b] = window.at(u, v);
                    self.plane.point(a, b, p);
                    let loss = self.loss_of(p, ws);
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    loss
                },
            )
            .collect();
        Ok(Grid {
            nx: n,
            ny: n,
            window,
            values,
        })
    }

    /// The slice as an engine objective of the two parameters (a, b), so the engine's
    /// optimizers (and views that draw any 2-parameter objective) can use it.
    pub fn objective(&self) -> SliceObjective {
        SliceObjective {
            ws: Exact::new(&self.net, self.data.n),
            all: (0..self.data.n).collect(),
            p: vec![0.0; self.net.dim],
            g: vec![0.0; self.net.dim],
            landscape: self.clone(),
        }
    }
}

/// L(a, b) as a 2-parameter [`Objective`] with its exact gradient
/// ∂L/∂a = ∇loss(w + a·d₁ + b·d₂)·d₁, ∂L/∂b = ∇loss(…)·d₂ (full batch).
#[derive(Clone, Debug)]
pub struct SliceObjective {
    landscape: Landscape,
    ws: Exact,
    all: Vec<usize>,
    p: Vec<f64>,
    g: Vec<f64>,
}

impl SliceObjective {
    /// The landscape it evaluates.
    pub fn landscape(&self) -> &Landscape {
        &self.landscape
    }
}

impl Objective for SliceObjective {
    fn dim(&self) -> usize {
        2
    }

    fn loss(&mut self, x: &[f64]) -> f64 {
        let l = &self.landscape;
        l.plane.point(x[0], x[1], &mut self.p);
        l.net
            .batch_loss(&self.p, &l.data, &self.all, &mut self.ws, None)
    }

    fn loss_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let l = &self.landscape;
        l.plane.point(x[0], x[1], &mut self.p);
        let v = l
            .net
            .batch_loss(&self.p, &l.data, &self.all, &mut self.ws, Some(&mut self.g));
        grad[0] = dot(&self.g, &l.plane.d1);
        grad[1] = dot(&self.g, &l.plane.d2);
        v
    }

    fn has_hessian(&self) -> bool {
        true
    }

    /// Central differences of the exact gradient, h = 1e-4·max(1, |xᵢ|), symmetrised:
    /// Hᵢⱼ ≈ (∂ⱼL(x + h eᵢ) − ∂ⱼL(x − h eᵢ))/(2h) (error O(h²); the models have no exact
    /// Hessian).
    fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> bool {
        let mut cols = [[0.0; 2]; 2];
        for (i, col) in cols.iter_mut().enumerate() {
            let h = 1e-4 * x[i].abs().max(1.0);
            let (mut up, mut down) = ([x[0], x[1]], [x[0], x[1]]);
            up[i] += h;
            down[i] -= h;
            let (mut gu, mut gd) = ([0.0; 2], [0.0; 2]);
            self.loss_and_grad(&up, &mut gu);
            self.loss_and_grad(&down, &mut gd);
            *col = [(gu[0] - gd[0]) / (2.0 * h), (gu[1] - gd[1]) / (2.0 * h)];
        }
        let off = 0.5 * (cols[0][1] + cols[1][0]);
        hess.copy_from_slice(&[cols[0][0], off, off, cols[1][1]]);
        hess.iter().all(|v| v.is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_inverts_point() {
        let c = vec![1.0, 2.0, 3.0];
        let plane = Plane::new(c.clone(), vec![1.0, 1.0, 0.0], vec![0.0, 1.0, 1.0]).unwrap();
        let mut p = vec![0.0; 3];
        plane.point(0.7, -1.3, &mut p);
        let ab = plane.project(&p).unwrap();
        assert!((ab[0] - 0.7).abs() < 1e-12 && (ab[1] + 1.3).abs() < 1e-12);
        assert_eq!(plane.project(&c), Some([0.0, 0.0]));
        assert!(plane.project(&[1.0]).is_none());
        assert_eq!(
            Plane::new(c.clone(), vec![1.0, 0.0, 0.0], vec![2.0, 0.0, 0.0]),
            Err(LandscapeError::Degenerate)
        );
    }

    #[test]
    fn pca_is_orthonormal_and_finds_the_plane() {
        let center = vec![0.0; 4];
        // A trajectory in the plane of e₀ and e₂, mostly along e₀.
        let traj: Vec<Vec<f64>> = (0..6)
            .map(|t| {
                let t = t as f64;
                vec![-(5.0 - t) * 2.0, 0.0, 0.3 * (t - 2.5).powi(2), 0.0]
            })
            .collect();
        let pca = pca_directions(&center, &traj).unwrap();
        assert!((dot(&pca.d1, &pca.d1) - 1.0).abs() < 1e-12);
        assert!((dot(&pca.d2, &pca.d2) - 1.0).abs() < 1e-12);
        assert!(dot(&pca.d1, &pca.d2).abs() < 1e-12);
        assert!(pca.d1[1].abs() < 1e-12 && pca.d1[3].abs() < 1e-12);
        assert!(pca.explained[0] > pca.explained[1]);
        assert!((pca.explained[0] + pca.explained[1] - 1.0).abs() < 1e-12);
        // The first snapshot sits at a negative first coordinate.
        let plane = Plane::new(center, pca.d1, pca.d2).unwrap();
        let first = plane.project(&traj[0]).unwrap();
        assert!(first[0] <= 0.0);
        let line = vec![vec![1.0, 0.0, 0.0, 0.0], vec![2.0, 0.0, 0.0, 0.0]];
        assert_eq!(
            pca_directions(&[0.0; 4], &line),
            Err(LandscapeError::Trajectory)
        );
    }

    #[test]
    fn square_windows_put_zero_on_a_centre() {
        let w = Landscape::square(1.0, 51);
        let g = Grid {
            nx: 51,
            ny: 51,
            window: w,
            values: vec![0.0; 51 * 51],
        };
        assert!(g.point(25, 25)[0].abs() < 1e-12);
        assert!((g.point(0, 0)[0] + 1.0).abs() < 1e-12);
        assert!((g.point(50, 50)[1] - 1.0).abs() < 1e-12);
    }
}
