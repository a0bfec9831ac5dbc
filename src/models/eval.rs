//! What a trained model says about data: metrics, predictions, misclassified rows, and its
//! prediction over a 2-D grid (the decision boundary) or a 1-D line.

use super::architecture::Loss;
use super::head::{argmax, sigmoid};
use super::network::{Network, Workspace};
use super::real::Real;
use crate::data::{Standardization, Table};
use serde::Serialize;

/// Loss and quality of a model on one table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// Mean data loss (no penalty).
    pub loss: f64,
    /// Fraction of rows classified right (classification only).
    pub accuracy: Option<f64>,
    /// Coefficient of determination 1 − SSE/SST (regression only).
    pub r2: Option<f64>,
}

/// The metrics of `params` on `table`; `None` for an empty table.
pub fn evaluate(
    net: &Network,
    params: &[f64],
    table: &Table,
    ws: &mut Workspace,
) -> Option<Metrics> {
    if table.is_empty() {
        return None;
    }
    let totals = net.totals(params, table, ws);
    let n = totals.n.max(1) as f64;
    let loss = totals.loss / n;
    Some(match net.loss {
        Loss::Mse => {
            let mean = table.y.iter().sum::<f64>() / n;
            let sst: f64 = table.y.iter().map(|y| (y - mean) * (y - mean)).sum();
            Metrics {
                loss,
                accuracy: None,
                r2: (sst > 0.0).then(|| 1.0 - totals.loss / sst),
            }
        }
        Loss::BinaryCrossEntropy | Loss::CrossEntropy => Metrics {
            loss,
            accuracy: Some(totals.correct as f64 / n),
            r2: None,
        },
    })
}

/// The predicted class (or standardised value) of every row of `table`.
pub fn predict(net: &Network, params: &[f64], table: &Table) -> Vec<f64> {
    let chunk = 256.min(table.n.max(1));
    let mut ws = net.workspace(chunk);
    let mut out = Vec::with_capacity(table.n);
    let mut start = 0;
    let mut idx = Vec::with_capacity(chunk);
    while start < table.n {
        let end = (start + chunk).min(table.n);
        idx.clear();
        idx.extend(start..end);
        net.gather(table, &idx, &mut ws);
        net.forward(params, end - start, &mut ws);
        out.extend(net.predictions(net.output(end - start, &ws)));
        start = end;
    }
    out
}

/// A row the model gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Miss {
    /// The row's index in the original dataset (e.g. which digit image).
    pub row: usize,
    /// The class predicted.
    pub predicted: usize,
    /// The true class.
    pub actual: usize,
}

/// The rows of `table` whose predicted class is wrong (empty for regression).
pub fn misclassified(net: &Network, params: &[f64], table: &Table) -> Vec<Miss> {
    if net.loss == Loss::Mse {
        return Vec::new();
    }
    predict(net, params, table)
        .into_iter()
        .zip(&table.y)
        .zip(&table.rows)
        .filter(|((p, y), _)| p != *y)
        .map(|((p, y), &row)| Miss {
            row,
            predicted: p as usize,
            actual: *y as usize,
        })
        .collect()
}

/// Counts of rows by true class (row) and predicted class (column): `counts[actual][predicted]`,
/// `classes × classes`; empty for regression.
pub fn confusion(net: &Network, params: &[f64], table: &Table, classes: usize) -> Vec<Vec<usize>> {
    if net.loss == Loss::Mse {
        return Vec::new();
    }
    let mut counts = vec![vec![0; classes]; classes];
    for (p, y) in predict(net, params, table).into_iter().zip(&table.y) {
        if let Some(cell) = counts
            .get_mut(*y as usize)
            .and_then(|row| row.get_mut(p as usize))
        {
            *cell += 1;
        }
    }
    counts
}

/// Each row's `[actual, predicted]` target in the data's units (undoing the target's
/// standardisation); empty for classification.
pub fn actual_vs_predicted(
    net: &Network,
    params: &[f64],
    table: &Table,
    target: Option<&Standardization>,
) -> Vec<[f64; 2]> {
    if net.loss != Loss::Mse {
        return Vec::new();
    }
    let original = |v: f64| target.map_or(v, |t| t.invert(0, v));
    predict(net, params, table)
        .into_iter()
        .zip(&table.y)
        .map(|(p, &y)| [original(y), original(p)])
        .collect()
}

/// A model's prediction on an `nx × ny` grid over two input features (row-major, y rows
/// from `y.0` up to `y.1`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GridPrediction {
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// The predicted class at each cell (0 for regression).
    pub class: Vec<usize>,
    /// The predicted class's probability (classification) or the predicted standardised
    /// value (regression).
    pub value: Vec<f64>,
}

/// Evaluates a two-input model over a grid of points given in the original (unscaled)
/// feature units; `None` when the model does not have two inputs.
pub fn decision_grid(
    net: &Network,
    params: &[f64],
    scaling: &Standardization,
    x: (f64, f64),
    y: (f64, f64),
    (nx, ny): (usize, usize),
) -> Option<GridPrediction> {
    if net.inputs() != 2 || nx == 0 || ny == 0 {
        return None;
    }
    let at = |range: (f64, f64), i: usize, n: usize| {
        if n == 1 {
            0.5 * (range.0 + range.1)
        } else {
            range.0 + (range.1 - range.0) * i as f64 / (n - 1) as f64
        }
    };
    let mut table = Table {
        n: nx * ny,
        d: 2,
        x: Vec::with_capacity(2 * nx * ny),
        y: vec![0.0; nx * ny],
        rows: (0..nx * ny).collect(),
    };
    for j in 0..ny {
        for i in 0..nx {
            let mut p = [at(x, i, nx), at(y, j, ny)];
            scaling.apply(&mut p);
            table.x.extend_from_slice(&p);
        }
    }
    let (class, value) = outputs(net, params, &table);
    Some(GridPrediction {
        nx,
        ny,
        class,
        value,
    })
}

/// Predicted values of a one-input regression model at `n` points over `x` (original units),
/// mapped back to the target's units with `target`; `None` for other models.
pub fn curve(
    net: &Network,
    params: &[f64],
    scaling: &Standardization,
    target: Option<&Standardization>,
    x: (f64, f64),
    n: usize,
) -> Option<Vec<[f64; 2]>> {
    if net.inputs() != 1 || net.loss != Loss::Mse || n < 2 {
        return None;
    }
    let xs: Vec<f64> = (0..n)
        .map(|i| x.0 + (x.1 - x.0) * i as f64 / (n - 1) as f64)
        .collect();
    let table = Table {
        n,
        d: 1,
        x: xs
            .iter()
            .map(|&v| (v - scaling.mean[0]) / scaling.std[0])
            .collect(),
        y: vec![0.0; n],
        rows: (0..n).collect(),
    };
    let (_, values) = outputs(net, params, &table);
    Some(
        xs.into_iter()
            .zip(values)
            .map(|(x, v)| [x, target.map_or(v, |t| t.invert(0, v))])
            .collect(),
    )
}

/// Predicted class and its probability (or the raw value) for every row of `table`.
fn outputs(net: &Network, params: &[f64], table: &Table) -> (Vec<usize>, Vec<f64>) {
    let chunk = 512.min(table.n.max(1));
    let mut ws = net.workspace(chunk);
    let (mut class, mut value) = (Vec::with_capacity(table.n), Vec::with_capacity(table.n));
    let mut idx = Vec::with_capacity(chunk);
    let mut start = 0;
    while start < table.n {
        let end = (start + chunk).min(table.n);
        idx.clear();
        idx.extend(start..end);
        net.gather(table, &idx, &mut ws);
        net.forward(params, end - start, &mut ws);
        for z in net.output(end - start, &ws).chunks_exact(net.outputs()) {
            match net.loss {
                Loss::Mse => {
                    class.push(0);
                    value.push(z[0].to_f64());
                }
                Loss::BinaryCrossEntropy => {
                    let p = sigmoid(z[0].to_f64());
                    class.push(usize::from(p > 0.5));
                    value.push(p.max(1.0 - p));
                }
                Loss::CrossEntropy => {
                    let k = argmax(z);
                    let top = z[k].to_f64();
                    let sum: f64 = z.iter().map(|v| (v.to_f64() - top).exp()).sum();
                    class.push(k);
                    value.push(1.0 / sum);
                }
            }
        }
        start = end;
    }
    (class, value)
}
