//! A network on a training table as an engine [`Objective`]: each gradient call takes the
//! next minibatch of a seeded shuffle, so the engine's one loop trains the model.

use super::network::{Network, Workspace, permutation};
use crate::data::Table;
use crate::engine::Objective;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How many rows each step sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Batch {
    /// A number of rows (1 is single-sample SGD); capped at the table's size.
    Size(usize),
    /// `"full"` or `"single"`.
    Named(BatchName),
}

/// The named batch sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchName {
    /// Every training row each step (full-batch gradient descent).
    Full,
    /// One row per step (stochastic gradient descent).
    Single,
}

impl Default for Batch {
    fn default() -> Self {
        Batch::Size(32)
    }
}

impl Batch {
    /// Rows per step on a table of `n` rows.
    pub fn rows(self, n: usize) -> usize {
        match self {
            Batch::Size(b) => b.clamp(1, n.max(1)),
            Batch::Named(BatchName::Full) => n.max(1),
            Batch::Named(BatchName::Single) => 1,
        }
    }

    /// Parses `full`, `single` or a positive whole number.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "full" => Ok(Batch::Named(BatchName::Full)),
            "single" => Ok(Batch::Named(BatchName::Single)),
            t => match t.parse::<usize>() {
                Ok(rows) => crate::limits::batch(rows)
                    .map(|()| Batch::Size(rows))
                    .map_err(|e| e.to_string()),
                Err(_) => Err(format!(
                    "'{}' is not a batch size (expected full, single or a number of rows ≥ 1)",
                    crate::limits::echo(text)
                )),
            },
        }
    }

    /// The text [`Batch::parse`] reads back.
    pub fn label(self) -> String {
        match self {
            Batch::Size(b) => b.to_string(),
            Batch::Named(BatchName::Full) => "full".into(),
            Batch::Named(BatchName::Single) => "single".into(),
        }
    }
}

/// The training loss of a network over minibatches of a table.
///
/// `loss_and_grad` advances to the next batch (reshuffling at the start of every epoch from
/// its own seeded generator); `loss` evaluates the batch last used, so a line search sees the
/// same function as the gradient. Two objectives built with the same seed serve the same
/// batches in the same order.
#[derive(Debug)]
pub struct ModelObjective {
    net: Arc<Network>,
    data: Arc<Table>,
    rows: usize,
    order: Vec<usize>,
    /// Next batch index within the epoch.
    next: usize,
    /// Start of the batch last served.
    current: usize,
    batches: usize,
    rng: StdRng,
    ws: Workspace,
    served: u64,
}

impl ModelObjective {
    /// The objective of `net` on `data` with `batch`-sized steps, shuffled from `seed`.
    pub fn new(net: Arc<Network>, data: Arc<Table>, batch: Batch, seed: u64) -> Self {
        let rows = batch.rows(data.n);
        let mut rng = StdRng::seed_from_u64(seed);
        let full = rows >= data.n;
        let order = if full {
            (0..data.n).collect()
        } else {
            permutation(data.n, &mut rng)
        };
        let ws = net.workspace(rows);
        Self {
            batches: data.n.div_ceil(rows).max(1),
            net,
            data,
            rows,
            order,
            next: 0,
            current: 0,
            rng,
            ws,
            served: 0,
        }
    }

    /// Steps (batches) per epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.batches
    }

    /// Rows per step.
    pub fn batch_rows(&self) -> usize {
        self.rows
    }

    /// Batches served so far.
    pub fn served(&self) -> u64 {
        self.served
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The rows of the batch last served.
    pub fn current_batch(&self) -> &[usize] {
        let end = (self.current + self.rows).min(self.order.len());
        &self.order[self.current..end]
    }
}

impl Objective for ModelObjective {
    fn dim(&self) -> usize {
        self.net.dim
    }

    fn loss(&mut self, x: &[f64]) -> f64 {
        let end = (self.current + self.rows).min(self.order.len());
        let idx = &self.order[self.current..end];
        self.net.batch_loss(x, &self.data, idx, &mut self.ws, None)
    }

    fn loss_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        if self.next == self.batches {
            self.next = 0;
            if self.rows < self.data.n {
                // A fresh shuffle for the new epoch.
                self.order.shuffle(&mut self.rng);
            }
        }
        self.current = self.next * self.rows;
        self.next += 1;
        self.served += 1;
        let end = (self.current + self.rows).min(self.order.len());
        let idx = &self.order[self.current..end];
        self.net
            .batch_loss(x, &self.data, idx, &mut self.ws, Some(grad))
    }

    fn probe(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        // The batch last served: a line search's probes all see the step's own minibatch.
        let end = (self.current + self.rows).min(self.order.len());
        let idx = &self.order[self.current..end];
        self.net
            .batch_loss(x, &self.data, idx, &mut self.ws, Some(grad))
    }
}
