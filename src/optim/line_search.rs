//! A line search satisfying the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5–3.6).

use crate::engine::Objective;

/// Sufficient-decrease constant c₁.
const C1: f64 = 1e-4;
/// Curvature constant c₂.
const C2: f64 = 0.9;
/// Most function evaluations per search (PyTorch's `max_ls`).
const MAX_EVALS: usize = 25;
/// Stop zooming once the bracket moves the parameters by less than this (PyTorch's
/// `tolerance_change`).
const TOLERANCE_CHANGE: f64 = 1e-9;

/// Scratch space for [`strong_wolfe`], sized once so searches allocate nothing.
#[derive(Clone, Debug, Default)]
pub struct LineSearch {
    x: Vec<f64>,
    g: Vec<f64>,
    /// Every probe of the last search: [α, φ(α), φ′(α)], and φ(0), φ′(0) (sized once).
    log: Vec<[f64; 3]>,
    start: [f64; 2],
}

/// The last search, for explaining a step: φ(0), φ′(0), the constants and every probe.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct SearchTrace {
    /// φ(0), the loss where the search starts.
    pub f0: f64,
    /// φ′(0) = ∇f·d, the slope along the direction.
    pub df0: f64,
    /// The sufficient-decrease constant c₁ (Armijo: φ(α) ≤ φ(0) + c₁·α·φ′(0)).
    pub c1: f64,
    /// The curvature constant c₂ (|φ′(α)| ≤ c₂·|φ′(0)|).
    pub c2: f64,
    /// Each probe: α, φ(α), φ′(α), in the order tried.
    pub probes: Vec<[f64; 3]>,
}

/// A point on the line: step α, φ(α) = f(x + αd), φ′(α) = ∇f(x + αd)·d.
#[derive(Clone, Copy, Debug)]
struct Probe {
    a: f64,
    f: f64,
    df: f64,
}

impl LineSearch {
    /// Sizes the scratch buffers for `dim` parameters.
    pub fn reset(&mut self, dim: usize) {
        self.x.clear();
        self.x.resize(dim, 0.0);
        self.g.clear();
        self.g.resize(dim, 0.0);
        self.log.clear();
        self.log.reserve(MAX_EVALS + 1);
    }

    /// The last search's probes and conditions.
    pub fn trace(&self) -> SearchTrace {
        SearchTrace {
            f0: self.start[0],
            df0: self.start[1],
            c1: C1,
            c2: C2,
            probes: self.log.clone(),
        }
    }

    /// Evaluates φ and φ′ at step `a`; non-finite values come back as φ = +∞.
    fn probe(&mut self, obj: &mut dyn Objective, x: &[f64], d: &[f64], a: f64) -> Probe {
        for ((t, &xi), &di) in self.x.iter_mut().zip(x).zip(d) {
            *t = xi + a * di;
        }
        let f = obj.probe(&self.x, &mut self.g);
        let df: f64 = self.g.iter().zip(d).map(|(g, d)| g * d).sum();
        // Kept for explaining the step (within the capacity sized once: no allocation).
        if self.log.len() < self.log.capacity() {
            self.log.push([a, f, df]);
        }
        if f.is_finite() && df.is_finite() {
            Probe { a, f, df }
        } else {
            Probe {
                a,
                f: f64::INFINITY,
                df: f64::NAN,
            }
        }
    }

    /// A step α along the descent direction `d` from `x` (loss `f0`, slope `df0 < 0`) that
    /// satisfies the strong Wolfe conditions, starting from `a0`. Returns the best step with
    /// sufficient decrease found within the evaluation budget (0 if none).
    pub fn strong_wolfe(
        &mut self,
        obj: &mut dyn Objective,
        x: &[f64],
        d: &[f64],
        f0: f64,
        df0: f64,
        a0: f64,
    ) -> f64 {
        self.log.clear();
        self.start = [f0, df0];
        let d_max = d.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let armijo = |p: &Probe| p.f <= f0 + C1 * p.a * df0;
        let curvature = |p: &Probe| p.df.abs() <= -C2 * df0;
        let mut prev = Probe {
            a: 0.0,
            f: f0,
            df: df0,
        };
        let mut a = a0;
        let mut evals = 0;
        while evals < MAX_EVALS {
            let cur = self.probe(obj, x, d, a);
            evals += 1;
            if !armijo(&cur) || (evals > 1 && cur.f >= prev.f) {
                return self.zoom(obj, x, d, f0, df0, prev, cur, evals, d_max);
            }
            if curvature(&cur) {
                return cur.a;
            }
            if cur.df >= 0.0 {
                return self.zoom(obj, x, d, f0, df0, cur, prev, evals, d_max);
            }
            prev = cur;
            a *= 2.0;
        }
        prev.a
    }

    /// Narrows the bracket [lo, hi] (lo has sufficient decrease) to a strong Wolfe point.
    #[allow(clippy::too_many_arguments)]
    fn zoom(
        &mut self,
        obj: &mut dyn Objective,
        x: &[f64],
        d: &[f64],
        f0: f64,
        df0: f64,
        mut lo: Probe,
        mut hi: Probe,
        mut evals: usize,
        d_max: f64,
    ) -> f64 {
        while evals < MAX_EVALS {
            if (hi.a - lo.a).abs() * d_max < TOLERANCE_CHANGE {
                break;
            }
            let a = interpolate(&lo, &hi);
            let cur = self.probe(obj, x, d, a);
            evals += 1;
            if cur.f > f0 + C1 * cur.a * df0 || cur.f >= lo.f {
                hi = cur;
            } else {
                if cur.df.abs() <= -C2 * df0 {
                    return cur.a;
                }
                if cur.df * (hi.a - lo.a) >= 0.0 {
                    hi = lo;
                }
                lo = cur;
            }
        }
        lo.a
    }
}

/// The minimiser of the cubic through two probes (N&W eq. 3.59), kept inside the middle 80%
/// of the bracket; bisection when the cubic is unusable.
fn interpolate(p: &Probe, q: &Probe) -> f64 {
    let (lo, hi) = if p.a < q.a { (p, q) } else { (q, p) };
    let width = hi.a - lo.a;
    let d1 = lo.df + hi.df - 3.0 * (lo.f - hi.f) / (lo.a - hi.a);
    let d2_sq = d1 * d1 - lo.df * hi.df;
    let mid = lo.a + 0.5 * width;
    if d2_sq.is_nan() || d2_sq < 0.0 || !d1.is_finite() {
        return mid;
    }
    let d2 = d2_sq.sqrt();
    let a = hi.a - width * (hi.df + d2 - d1) / (hi.df - lo.df + 2.0 * d2);
    if a.is_finite() {
        a.clamp(lo.a + 0.1 * width, hi.a - 0.1 * width)
    } else {
        mid
    }
}
