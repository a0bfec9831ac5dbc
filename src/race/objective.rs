//! What one racer steps on: the race's surface, or — on a model on data, for a racer with a
//! batch size — mini-batches of the data's rows, drawn without replacement within each epoch
//! from a seeded generator.

use crate::engine::Objective;
use crate::models::Batch;
use crate::surfaces::{DataSurface, Surface};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::sync::Arc;

/// The objective of one racer's run.
#[derive(Debug)]
pub enum LaneObjective {
    /// The surface itself (full batch, or not a model on data).
    Whole(Surface),
    /// A model on data, served in mini-batches (boxed: the whole surface stays small).
    Batches(Box<Batches>),
}

impl LaneObjective {
    /// `surface` served as `batch` says (a model on data with a batch smaller than its rows),
    /// or whole; batches are drawn from `seed`.
    pub fn new(surface: Surface, batch: Option<Batch>, seed: u64) -> Self {
        match (surface.data_model(), batch) {
            (Some(data), Some(batch)) if batch.rows(data.rows()) < data.rows() => {
                let data = Arc::new(data.clone());
                LaneObjective::Batches(Box::new(Batches::new(surface, data, batch, seed)))
            }
            _ => LaneObjective::Whole(surface),
        }
    }

    /// The loss and gradient norm at `x` over all the data: what a racer's track records
    /// (for a mini-batch racer, not the batch's noisy values); `None` for a whole surface,
    /// whose run already holds them.
    pub fn full_at(&self, x: &[f64]) -> Option<(f64, f64)> {
        match self {
            LaneObjective::Whole(_) => None,
            LaneObjective::Batches(b) => {
                let (v, g) = b.surface.value_grad(x[0], x[1]);
                Some((v, g[0].hypot(g[1])))
            }
        }
    }

    /// Rows per step, and steps per epoch, for a mini-batch racer.
    pub fn epoch(&self) -> Option<(usize, usize)> {
        match self {
            LaneObjective::Whole(_) => None,
            LaneObjective::Batches(b) => Some((b.size, b.order.len().div_ceil(b.size))),
        }
    }
}

/// Mini-batches of a model's rows.
#[derive(Debug)]
pub struct Batches {
    surface: Surface,
    data: Arc<DataSurface>,
    size: usize,
    rng: StdRng,
    /// This epoch's order of the rows.
    order: Vec<usize>,
    /// The next batch starts here in `order`.
    next: usize,
    /// The rows of the batch last served.
    batch: Vec<usize>,
}

impl Batches {
    fn new(surface: Surface, data: Arc<DataSurface>, batch: Batch, seed: u64) -> Self {
        let n = data.rows();
        Self {
            size: batch.rows(n),
            surface,
            data,
            rng: StdRng::seed_from_u64(seed ^ 0x6261_7463_6865_7321),
            order: (0..n).collect(),
            next: n, // shuffled before the first batch
            batch: Vec::new(),
        }
    }

    /// Serves the next batch: its loss and gradient at (p, q) into `out`.
    #[inline(never)]
    fn next_into(&mut self, p: f64, q: f64, out: &mut [f64; 3]) {
        self.advance();
        let (v, g) = self.data.batch_value_grad(p, q, &self.batch);
        *out = [v, g[0], g[1]];
    }

    /// Moves on to the next batch (a new epoch reshuffles the rows).
    fn advance(&mut self) {
        if self.next >= self.order.len() {
            self.order.shuffle(&mut self.rng);
            self.next = 0;
        }
        let end = (self.next + self.size).min(self.order.len());
        self.batch.clear();
        self.batch.extend_from_slice(&self.order[self.next..end]);
        self.next = end;
    }
}

impl Objective for LaneObjective {
    fn dim(&self) -> usize {
        2
    }

    fn loss(&mut self, x: &[f64]) -> f64 {
        match self {
            LaneObjective::Whole(s) => s.loss(x),
            LaneObjective::Batches(b) => b.data.batch_value_grad(x[0], x[1], &b.batch).0,
        }
    }

    #[inline(always)]
    fn loss_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        match self {
            LaneObjective::Whole(s) => s.loss_and_grad(x, grad),
            LaneObjective::Batches(b) => {
                // Through a buffer, out of line: see `Surface::value_grad`.
                let mut out = [0.0; 3];
                b.next_into(x[0], x[1], &mut out);
                grad[0] = out[1];
                grad[1] = out[2];
                out[0]
            }
        }
    }

    fn probe(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        match self {
            LaneObjective::Whole(s) => s.probe(x, grad),
            LaneObjective::Batches(b) => {
                let (v, g) = b.data.batch_value_grad(x[0], x[1], &b.batch);
                grad[..2].copy_from_slice(&g);
                v
            }
        }
    }

    fn has_hessian(&self) -> bool {
        true
    }

    fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> bool {
        match self {
            LaneObjective::Whole(s) => s.hessian(x, hess),
            LaneObjective::Batches(b) => {
                let h = b.data.batch_hessian(x[0], x[1], &b.batch);
                hess.copy_from_slice(&[h[0], h[1], h[1], h[2]]);
                true
            }
        }
    }

    fn in_domain(&self, x: &[f64]) -> bool {
        match self {
            LaneObjective::Whole(s) => s.in_domain(x[0], x[1]),
            LaneObjective::Batches(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surfaces::DataSpec;

    fn diabetes() -> Surface {
        Surface::data(DataSpec::parse("linear:diabetes:bmi").unwrap().unwrap()).unwrap()
    }

    #[test]
    fn an_epoch_of_batches_covers_every_row_once_and_averages_to_the_full_gradient() {
        let s = diabetes();
        let n = s.data_model().unwrap().rows();
        let mut o = LaneObjective::new(s.clone(), Some(Batch::Size(16)), 7);
        let (size, steps) = o.epoch().unwrap();
        assert_eq!((size, steps), (16, n.div_ceil(16)));
        let x = [0.3, -0.4];
        let (mut seen, mut sum) = (vec![0; n], [0.0; 2]);
        let mut g = [0.0; 2];
        for _ in 0..steps {
            o.loss_and_grad(&x, &mut g);
            let LaneObjective::Batches(b) = &o else {
                panic!("batched")
            };
            for &i in &b.batch {
                seen[i] += 1;
            }
            // Weighted by the batch's rows (the last one is smaller).
            sum[0] += g[0] * b.batch.len() as f64;
            sum[1] += g[1] * b.batch.len() as f64;
        }
        assert!(seen.iter().all(|&k| k == 1));
        let (_, full) = s.value_grad(x[0], x[1]);
        for k in 0..2 {
            assert!(
                (sum[k] / n as f64 - full[k]).abs() < 1e-12,
                "{sum:?} {full:?}"
            );
        }
        // The same seed serves the same batches; another seed others.
        let batches = |seed| {
            let mut o = LaneObjective::new(s.clone(), Some(Batch::Size(16)), seed);
            (0..5)
                .map(|_| {
                    let mut g = [0.0; 2];
                    o.loss_and_grad(&x, &mut g);
                    g
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(batches(3), batches(3));
        assert_ne!(batches(3), batches(4));
        // A full batch is the surface itself.
        assert!(matches!(
            LaneObjective::new(s, Some(Batch::Size(10_000)), 0),
            LaneObjective::Whole(_)
        ));
    }
}
