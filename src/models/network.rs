//! A dense feed-forward network with a loss head and hand-written backpropagation. Linear,
//! logistic and softmax regression are the networks with no hidden layer.
//!
//! Numbers are f64 throughout: the parameters are the engine's `&[f64]`, so the optimizers
//! step a model exactly as they step a surface, and f64 keeps the finite-difference checks
//! tight. The products run through [`super::kernels`], which vectorises them.
//!
//! The parameters are one flat vector: for each layer, its weights `W` (`fan_in × fan_out`,
//! row-major, so a batch's pre-activations are `Z = A·W + b`) followed by its biases `b`.

use super::kernels::{Init, exp_nonpositive_in_place, matmul, matmul_tn};
use crate::data::{Table, Task};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::{RngExt, seq::SliceRandom as _};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A hidden layer's nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// max(0, z).
    #[default]
    Relu,
    /// tanh z.
    Tanh,
    /// 1 / (1 + e^−z).
    Sigmoid,
}

impl Activation {
    /// All activations.
    pub const ALL: [Activation; 3] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid];

    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
        }
    }

    /// Looks an activation up by name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name.trim())
    }

    /// Applies the activation in place.
    #[inline]
    fn forward(self, z: &mut [f64]) {
        match self {
            Activation::Relu => z.iter_mut().for_each(|v| *v = v.max(0.0)),
            Activation::Tanh => z.iter_mut().for_each(|v| *v = v.tanh()),
            Activation::Sigmoid => z.iter_mut().for_each(|v| *v = sigmoid(*v)),
        }
    }

    /// Multiplies `delta` by the derivative, written in terms of the activation's output `a`.
    #[inline]
    fn backward(self, a: &[f64], delta: &mut [f64]) {
        match self {
            Activation::Relu => delta
                .iter_mut()
                .zip(a)
                .for_each(|(d, &a)| *d = if a > 0.0 { *d } else { 0.0 }),
            Activation::Tanh => delta
                .iter_mut()
                .zip(a)
                .for_each(|(d, &a)| *d *= 1.0 - a * a),
            Activation::Sigmoid => delta
                .iter_mut()
                .zip(a)
                .for_each(|(d, &a)| *d *= a * (1.0 - a)),
        }
    }
}

/// The loss between the network's output and the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// Mean squared error (1/B) Σ (ŷ − y)² on one output.
    Mse,
    /// Binary cross-entropy of a sigmoid on one output (logistic loss).
    BinaryCrossEntropy,
    /// Cross-entropy of a softmax over one output per class.
    CrossEntropy,
}

impl Loss {
    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::BinaryCrossEntropy => "binary-cross-entropy",
            Loss::CrossEntropy => "cross-entropy",
        }
    }
}

/// The model families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Linear regression: no hidden layer, mean squared error.
    Linear,
    /// Logistic regression: no hidden layer, binary cross-entropy.
    Logistic,
    /// Softmax (multinomial logistic) regression: no hidden layer, cross-entropy.
    Softmax,
    /// A multilayer perceptron with hidden layers.
    Mlp,
}

impl ModelKind {
    /// All kinds.
    pub const ALL: [ModelKind; 4] = [
        ModelKind::Linear,
        ModelKind::Logistic,
        ModelKind::Softmax,
        ModelKind::Mlp,
    ];

    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear",
            ModelKind::Logistic => "logistic",
            ModelKind::Softmax => "softmax",
            ModelKind::Mlp => "mlp",
        }
    }

    /// One line on what the model is.
    pub fn about(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear regression, mean squared error (regression targets)",
            ModelKind::Logistic => "logistic regression, binary cross-entropy (two classes)",
            ModelKind::Softmax => "softmax regression, cross-entropy (two or more classes)",
            ModelKind::Mlp => {
                "multilayer perceptron, mlp:H1,H2,... hidden sizes, relu/tanh/sigmoid; \
                 cross-entropy for classes, mean squared error for values"
            }
        }
    }
}

/// A model's shape and regularisation, before it meets a dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Architecture {
    /// The family.
    pub kind: ModelKind,
    /// Hidden layer widths (MLP only).
    pub hidden: Vec<usize>,
    /// Hidden layers' nonlinearity.
    pub activation: Activation,
    /// The loss; `None` picks the family's (MSE, binary or softmax cross-entropy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<Loss>,
    /// L1 penalty λ₁ Σ|W| on the weights (not the biases).
    pub l1: f64,
    /// L2 penalty (λ₂/2) Σ W² on the weights (not the biases).
    pub l2: f64,
}

impl Default for Architecture {
    fn default() -> Self {
        Self {
            kind: ModelKind::Softmax,
            hidden: Vec::new(),
            activation: Activation::Relu,
            loss: None,
            l1: 0.0,
            l2: 0.0,
        }
    }
}

impl Architecture {
    /// A family with no hidden layers and no penalty.
    pub fn of(kind: ModelKind) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }

    /// An MLP with the given hidden widths and activation.
    pub fn mlp(hidden: &[usize], activation: Activation) -> Self {
        Self {
            kind: ModelKind::Mlp,
            hidden: hidden.to_vec(),
            activation,
            ..Self::default()
        }
    }

    /// Parses `linear`, `logistic`, `softmax`, `mlp:32`, `mlp:64,32` or `mlp:64,32:tanh`.
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let text = text.trim();
        let bad = || ModelError::BadSpec(text.to_string());
        let mut parts = text.splitn(3, ':');
        let kind = match parts.next().unwrap_or("") {
            "linear" => ModelKind::Linear,
            "logistic" => ModelKind::Logistic,
            "softmax" => ModelKind::Softmax,
            "mlp" => ModelKind::Mlp,
            _ => return Err(bad()),
        };
        if kind != ModelKind::Mlp {
            return if parts.next().is_none() {
                Ok(Self::of(kind))
            } else {
                Err(bad())
            };
        }
        let hidden: Vec<usize> = parts
            .next()
            .ok_or_else(bad)?
            .split(',')
            .map(|w| {
                w.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|w| (1..=4096).contains(w))
            })
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        if hidden.len() > 8 {
            return Err(bad());
        }
        let activation = match parts.next() {
            None => Activation::Relu,
            Some(a) => Activation::from_name(a).ok_or_else(bad)?,
        };
        Ok(Self::mlp(&hidden, activation))
    }

    /// The short text form that [`Architecture::parse`] reads back.
    pub fn label(&self) -> String {
        match self.kind {
            ModelKind::Mlp => {
                let widths: Vec<String> = self.hidden.iter().map(|w| w.to_string()).collect();
                format!("mlp:{}:{}", widths.join(","), self.activation.name())
            }
            k => k.name().to_string(),
        }
    }

    /// The loss this model uses on `task`, or why the pair does not fit.
    pub fn loss_for(&self, task: Task) -> Result<Loss, ModelError> {
        let mismatch = |why: &str| ModelError::Mismatch(format!("model '{}' {why}", self.label()));
        let loss = match (self.kind, task) {
            (ModelKind::Linear, Task::Regression) => Loss::Mse,
            (ModelKind::Linear, Task::Classification(k)) => {
                return Err(mismatch(&format!(
                    "needs a regression target, and the dataset has {k} classes \
                     (use logistic or softmax)"
                )));
            }
            (ModelKind::Logistic, Task::Classification(2)) => Loss::BinaryCrossEntropy,
            (ModelKind::Logistic, Task::Classification(k)) => {
                return Err(mismatch(&format!(
                    "is binary, and the dataset has {k} classes (use softmax)"
                )));
            }
            (ModelKind::Softmax, Task::Classification(_)) => Loss::CrossEntropy,
            (ModelKind::Logistic | ModelKind::Softmax, Task::Regression) => {
                return Err(mismatch(
                    "needs class labels, and the target is numeric (use linear or mlp)",
                ));
            }
            (ModelKind::Mlp, Task::Classification(_)) => Loss::CrossEntropy,
            (ModelKind::Mlp, Task::Regression) => Loss::Mse,
        };
        match (self.loss, task) {
            (None, _) => Ok(loss),
            (Some(Loss::Mse), Task::Regression)
            | (Some(Loss::CrossEntropy), Task::Classification(_))
            | (Some(Loss::BinaryCrossEntropy), Task::Classification(2)) => {
                Ok(self.loss.unwrap_or(loss))
            }
            (Some(l), _) => Err(mismatch(&format!(
                "cannot use the {} loss on this target",
                l.name()
            ))),
        }
    }
}

/// A model that cannot be built or parsed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// Text that is not a model.
    #[error(
        "'{0}' is not a model (valid: linear, logistic, softmax, mlp:H1[,H2...][:relu|tanh|sigmoid], or a spec file)"
    )]
    BadSpec(String),
    /// A model that does not fit the dataset's task.
    #[error("{0}")]
    Mismatch(String),
    /// A penalty that is negative or not finite.
    #[error("l1 and l2 must be finite and ≥ 0 (got l1={0}, l2={1})")]
    BadPenalty(f64, f64),
}

/// Where one layer's parameters sit in the flat vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LayerShape {
    /// Inputs.
    pub fan_in: usize,
    /// Outputs.
    pub fan_out: usize,
    /// Offset of the weights (`fan_in × fan_out`).
    pub w: usize,
    /// Offset of the biases (`fan_out`).
    pub b: usize,
}

impl LayerShape {
    /// The weights' index range.
    pub fn weights(&self) -> std::ops::Range<usize> {
        self.w..self.w + self.fan_in * self.fan_out
    }

    /// The weights and biases' index range.
    pub fn all(&self) -> std::ops::Range<usize> {
        self.w..self.b + self.fan_out
    }
}

/// A network fitted to a dataset's shape: layer sizes, activation, loss and penalties.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// The architecture it was built from.
    pub arch: Architecture,
    /// The loss head.
    pub loss: Loss,
    /// Layers, input to output.
    pub layers: Vec<LayerShape>,
    /// Total number of parameters.
    pub dim: usize,
}

/// Per-batch scratch memory, sized once for the largest batch.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Rows the buffers hold.
    capacity: usize,
    /// Activations: `acts[0]` the input batch, `acts[l]` layer l's output (logits last).
    acts: Vec<Vec<f64>>,
    /// Two buffers of `capacity × widest` for the backward deltas.
    delta: [Vec<f64>; 2],
    /// A transposed weight matrix.
    wt: Vec<f64>,
    /// The batch's targets.
    targets: Vec<f64>,
}

/// Sums over a set of rows: loss, correct predictions and, for regression, squared error.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    /// Rows seen.
    pub n: usize,
    /// Σ per-row data loss.
    pub loss: f64,
    /// Rows whose predicted class is right.
    pub correct: usize,
}

impl Network {
    /// Fits `arch` to `inputs` features and `task`.
    pub fn new(arch: &Architecture, inputs: usize, task: Task) -> Result<Self, ModelError> {
        if !(arch.l1.is_finite() && arch.l2.is_finite() && arch.l1 >= 0.0 && arch.l2 >= 0.0) {
            return Err(ModelError::BadPenalty(arch.l1, arch.l2));
        }
        let loss = arch.loss_for(task)?;
        let outputs = match loss {
            Loss::CrossEntropy => task.classes().unwrap_or(1),
            Loss::Mse | Loss::BinaryCrossEntropy => 1,
        };
        let mut widths = vec![inputs];
        if arch.kind == ModelKind::Mlp {
            widths.extend_from_slice(&arch.hidden);
        }
        widths.push(outputs);
        let mut layers = Vec::new();
        let mut offset = 0;
        for pair in widths.windows(2) {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            layers.push(LayerShape {
                fan_in,
                fan_out,
                w: offset,
                b: offset + fan_in * fan_out,
            });
            offset += fan_in * fan_out + fan_out;
        }
        let mut arch = arch.clone();
        if arch.kind != ModelKind::Mlp {
            arch.hidden.clear();
        }
        Ok(Self {
            arch,
            loss,
            layers,
            dim: offset,
        })
    }

    /// Inputs per row.
    pub fn inputs(&self) -> usize {
        self.layers[0].fan_in
    }

    /// Outputs per row.
    pub fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].fan_out
    }

    /// Seeded initial parameters: He normal N(0, 2/fan_in) for layers feeding ReLU, Glorot
    /// uniform U(±√(6/(fan_in + fan_out))) otherwise; zero biases.
    pub fn init(&self, seed: u64) -> Vec<f64> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut x = vec![0.0; self.dim];
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let relu = l < last && self.arch.activation == Activation::Relu;
            let w = &mut x[layer.weights()];
            if relu {
                let sd = (2.0 / layer.fan_in as f64).sqrt();
                w.iter_mut().for_each(|v| {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    *v = sd * z;
                });
            } else {
                let a = (6.0 / (layer.fan_in + layer.fan_out) as f64).sqrt();
                w.iter_mut().for_each(|v| *v = rng.random_range(-a..a));
            }
        }
        x
    }

    /// A workspace for batches of up to `rows` rows.
    pub fn workspace(&self, rows: usize) -> Workspace {
        let rows = rows.max(1);
        let widest = self
            .layers
            .iter()
            .map(|l| l.fan_in.max(l.fan_out))
            .max()
            .unwrap_or(1);
        let mut acts = vec![vec![0.0; rows * self.inputs()]];
        acts.extend(self.layers.iter().map(|l| vec![0.0; rows * l.fan_out]));
        let biggest = self
            .layers
            .iter()
            .map(|l| l.fan_in * l.fan_out)
            .max()
            .unwrap_or(1);
        Workspace {
            capacity: rows,
            acts,
            delta: [vec![0.0; rows * widest], vec![0.0; rows * widest]],
            wt: vec![0.0; biggest],
            targets: Vec::with_capacity(rows),
        }
    }

    /// Copies rows `idx` of `table` into the workspace's input buffer.
    pub fn gather(&self, table: &Table, idx: &[usize], ws: &mut Workspace) {
        let d = self.inputs();
        for (r, &i) in idx.iter().enumerate() {
            ws.acts[0][r * d..(r + 1) * d].copy_from_slice(table.row(i));
        }
    }

    /// Forward pass over the first `rows` rows of the workspace's input; the output layer
    /// holds logits (or values) afterwards.
    pub fn forward(&self, params: &[f64], rows: usize, ws: &mut Workspace) {
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, after) = ws.acts.split_at_mut(l + 1);
            let input = &before[l][..rows * layer.fan_in];
            let out = &mut after[0][..rows * layer.fan_out];
            let bias = &params[layer.b..layer.b + layer.fan_out];
            matmul(
                input,
                &params[layer.weights()],
                out,
                (rows, layer.fan_in, layer.fan_out),
                Init::Bias(bias),
            );
            if l < last {
                self.arch.activation.forward(out);
            }
        }
    }

    /// The output layer after [`Network::forward`]: `rows × outputs`.
    pub fn output<'w>(&self, rows: usize, ws: &'w Workspace) -> &'w [f64] {
        &ws.acts[self.layers.len()][..rows * self.outputs()]
    }

    /// Σ over the rows of the data loss, and the number of right class predictions, from
    /// the output layer `out` and targets `y`; with `delta`, also writes ∂(Σ loss)/∂z · `scale`
    /// into it (`rows × outputs`).
    fn head(&self, out: &[f64], y: &[f64], delta: Option<(&mut [f64], f64)>) -> (f64, usize) {
        let k = self.outputs();
        match self.loss {
            Loss::Mse => {
                let total = out.iter().zip(y).map(|(z, t)| (z - t) * (z - t)).sum();
                if let Some((d, s)) = delta {
                    for ((d, z), &t) in d.iter_mut().zip(out).zip(y) {
                        *d = 2.0 * (z - t) * s;
                    }
                }
                (total, 0)
            }
            Loss::BinaryCrossEntropy => {
                let mut total = 0.0;
                let mut correct = 0;
                for (&z, &t) in out.iter().zip(y) {
                    // softplus(z) − y·z, stable for large |z|.
                    total += z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z;
                    correct += usize::from((z > 0.0) == (t > 0.5));
                }
                if let Some((d, s)) = delta {
                    for ((d, &z), &t) in d.iter_mut().zip(out).zip(y) {
                        *d = (sigmoid(z) - t) * s;
                    }
                }
                (total, correct)
            }
            Loss::CrossEntropy => match delta {
                Some((d, s)) => softmax_rows(k, out, y, &mut d[..out.len()], Some(s)),
                None => {
                    // Probabilities are not needed: work through stack-sized blocks of rows.
                    let mut stack = [0.0; 256];
                    let mut heap = Vec::new();
                    let buf: &mut [f64] = if k <= stack.len() {
                        &mut stack
                    } else {
                        heap.resize(k, 0.0);
                        &mut heap
                    };
                    let per = (buf.len() / k).max(1);
                    let (mut total, mut correct) = (0.0, 0);
                    for (zs, ys) in out.chunks(per * k).zip(y.chunks(per)) {
                        let (t, c) = softmax_rows(k, zs, ys, &mut buf[..zs.len()], None);
                        total += t;
                        correct += c;
                    }
                    (total, correct)
                }
            },
        }
    }

    /// The weight penalty λ₁ Σ|W| + (λ₂/2) Σ W².
    pub fn penalty(&self, params: &[f64]) -> f64 {
        let (l1, l2) = (self.arch.l1, self.arch.l2);
        if l1 == 0.0 && l2 == 0.0 {
            return 0.0;
        }
        self.layers
            .iter()
            .flat_map(|l| &params[l.weights()])
            .map(|w| l1 * w.abs() + 0.5 * l2 * w * w)
            .sum()
    }

    /// Mean loss (plus penalty) over `idx` rows of `table`, and its gradient into `grad`
    /// when given.
    pub fn batch_loss(
        &self,
        params: &[f64],
        table: &Table,
        idx: &[usize],
        ws: &mut Workspace,
        grad: Option<&mut [f64]>,
    ) -> f64 {
        let rows = idx.len();
        debug_assert!(rows <= ws.capacity);
        self.gather(table, idx, ws);
        self.forward(params, rows, ws);
        let scale = 1.0 / rows.max(1) as f64;
        let k = self.outputs();
        ws.targets.clear();
        ws.targets.extend(idx.iter().map(|&i| table.y[i]));
        let out = &ws.acts[self.layers.len()][..rows * k];
        let delta = grad
            .is_some()
            .then_some(())
            .map(|()| (&mut ws.delta[0][..rows * k], scale));
        let (total, _) = self.head(out, &ws.targets, delta);
        if let Some(grad) = grad {
            self.backward(params, rows, ws, grad);
        }
        total * scale + self.penalty(params)
    }

    /// Backpropagates `ws.delta[0]` (∂loss/∂logits) through the layers into `grad`, adding
    /// the penalty's (sub)gradient.
    fn backward(&self, params: &[f64], rows: usize, ws: &mut Workspace, grad: &mut [f64]) {
        let mut cur = 0;
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let (fi, fo) = (layer.fan_in, layer.fan_out);
            let [d0, d1] = &mut ws.delta;
            let (delta, prev) = if cur == 0 { (d0, d1) } else { (d1, d0) };
            let delta = &delta[..rows * fo];
            let input = &ws.acts[l][..rows * fi];
            // ∂W = Aᵀ·Δ, ∂b = Σ rows of Δ.
            matmul_tn(
                input,
                delta,
                &mut grad[layer.weights()],
                (fi, rows, fo),
                Init::Zero,
            );
            let gb = &mut grad[layer.b..layer.b + fo];
            gb.fill(0.0);
            for row in delta.chunks_exact(fo) {
                gb.iter_mut().zip(row).for_each(|(g, d)| *g += d);
            }
            if l > 0 {
                // Δ_prev = (Δ·Wᵀ) ⊙ σ'(A), with Wᵀ copied out so the product runs over rows.
                let w = &params[layer.weights()];
                let wt = &mut ws.wt[..fi * fo];
                for i in 0..fi {
                    for j in 0..fo {
                        wt[j * fi + i] = w[i * fo + j];
                    }
                }
                let prev = &mut prev[..rows * fi];
                matmul(delta, wt, prev, (rows, fo, fi), Init::Zero);
                self.arch.activation.backward(input, prev);
                cur = 1 - cur;
            }
        }
        let (l1, l2) = (self.arch.l1, self.arch.l2);
        if l1 != 0.0 || l2 != 0.0 {
            for layer in &self.layers {
                let r = layer.weights();
                for (g, w) in grad[r.clone()].iter_mut().zip(&params[r]) {
                    *g += l2 * w + l1 * sign(*w);
                }
            }
        }
    }

    /// Loss sums and right predictions over a whole table, in chunks of the workspace's size.
    pub fn totals(&self, params: &[f64], table: &Table, ws: &mut Workspace) -> Totals {
        let mut totals = Totals::default();
        let chunk = ws.capacity.max(1);
        let mut idx: Vec<usize> = Vec::with_capacity(chunk);
        let mut start = 0;
        while start < table.n {
            let end = (start + chunk).min(table.n);
            idx.clear();
            idx.extend(start..end);
            let rows = end - start;
            self.gather(table, &idx, ws);
            self.forward(params, rows, ws);
            let (loss, correct) = self.head(self.output(rows, ws), &table.y[start..end], None);
            totals.n += rows;
            totals.loss += loss;
            totals.correct += correct;
            start = end;
        }
        totals
    }

    /// The predicted class (or value, for regression) of each row of the workspace's output.
    pub fn predictions<'a>(&'a self, out: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
        out.chunks_exact(self.outputs()).map(|z| match self.loss {
            Loss::Mse => z[0],
            Loss::BinaryCrossEntropy => f64::from(u8::from(z[0] > 0.0)),
            Loss::CrossEntropy => argmax(z) as f64,
        })
    }

    /// The Euclidean norm of each layer's gradient (weights and biases together).
    pub fn layer_norms(&self, grad: &[f64]) -> Vec<f64> {
        self.layers
            .iter()
            .map(|l| grad[l.all()].iter().map(|g| g * g).sum::<f64>().sqrt())
            .collect()
    }
}

/// Softmax cross-entropy over rows of `k` logits `z` with labels `y`: the summed loss and the
/// number of right predictions. `e` (as long as `z`) is scratch; with `scale` it ends up
/// holding (softmax − one-hot)·scale, the gradient of the scaled loss.
fn softmax_rows(k: usize, z: &[f64], y: &[f64], e: &mut [f64], scale: Option<f64>) -> (f64, usize) {
    let mut correct = 0;
    let mut total = 0.0;
    // Shifted logits z − max, then one vectorised pass of exponentials over the block.
    // loss = ln Σ e^(z − max) − (z_label − max); the second term is taken here, exactly.
    for (r, (zr, &t)) in z.chunks_exact(k).zip(y).enumerate() {
        let max = zr.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let zl = zr.get(t as usize).copied().unwrap_or(max);
        // Right when the label's logit is the largest (argmax, ties aside).
        correct += usize::from(zl >= max);
        total -= zl - max;
        for (ej, &v) in e[r * k..(r + 1) * k].iter_mut().zip(zr) {
            *ej = v - max;
        }
    }
    exp_nonpositive_in_place(e);
    for (row, &t) in e.chunks_exact_mut(k).zip(y) {
        let sum: f64 = row.iter().sum();
        total += sum.ln();
        if let Some(s) = scale {
            let f = s / sum;
            row.iter_mut().for_each(|v| *v *= f);
            if let Some(dl) = row.get_mut(t as usize) {
                *dl -= s;
            }
        }
    }
    (total, correct)
}

/// The index of the largest entry (the first on ties).
pub fn argmax(z: &[f64]) -> usize {
    let mut best = 0;
    for (j, &v) in z.iter().enumerate() {
        if v > z[best] {
            best = j;
        }
    }
    best
}

/// The logistic function, stable for large |z|.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// sign(w) with sign(0) = 0 (the L1 subgradient at zero).
#[inline]
fn sign(w: f64) -> f64 {
    if w > 0.0 {
        1.0
    } else if w < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// A seeded permutation of `0..n`.
pub fn permutation(n: usize, rng: &mut StdRng) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    p.shuffle(rng);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small random table: `n` rows of `d` features, targets for `task`.
    fn table(n: usize, d: usize, task: Task, seed: u64) -> Table {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = (0..n * d).map(|_| rng.random_range(-2.0..2.0)).collect();
        let y = (0..n)
            .map(|i| match task {
                Task::Classification(k) => (i % k) as f64,
                Task::Regression => rng.random_range(-1.0..1.0),
            })
            .collect();
        Table {
            n,
            d,
            x,
            y,
            rows: (0..n).collect(),
        }
    }

    /// Loss and analytic gradient at `params` on all rows of `t`.
    fn loss_grad(net: &Network, params: &[f64], t: &Table) -> (f64, Vec<f64>) {
        let mut ws = net.workspace(t.n);
        let mut g = vec![0.0; net.dim];
        let idx: Vec<usize> = (0..t.n).collect();
        let f = net.batch_loss(params, t, &idx, &mut ws, Some(&mut g));
        (f, g)
    }

    /// Compares the backprop gradient with central differences at a random point.
    fn check(arch: &Architecture, task: Task, seed: u64) {
        let t = table(7, 3, task, seed);
        let net = Network::new(arch, 3, task).unwrap();
        let mut rng = StdRng::seed_from_u64(seed + 100);
        // Random weights and biases, none near zero (L1's kink).
        let params: Vec<f64> = net
            .init(seed)
            .iter()
            .map(|w| {
                let v = w + rng.random_range(-0.5..0.5);
                if v.abs() < 0.05 { v + 0.1 } else { v }
            })
            .collect();
        let (f, g) = loss_grad(&net, &params, &t);
        let idx: Vec<usize> = (0..t.n).collect();
        let mut ws = net.workspace(t.n);
        let h = 1e-6;
        for i in 0..net.dim {
            let mut p = params.clone();
            p[i] += h;
            let up = net.batch_loss(&p, &t, &idx, &mut ws, None);
            p[i] -= 2.0 * h;
            let down = net.batch_loss(&p, &t, &idx, &mut ws, None);
            let fd = (up - down) / (2.0 * h);
            assert!(
                (fd - g[i]).abs() <= 1e-6 * (1.0 + g[i].abs()),
                "{} {task:?}: ∂{i} backprop {} vs differences {fd} (loss {f})",
                arch.label(),
                g[i]
            );
        }
    }

    #[test]
    fn backprop_matches_finite_differences_for_every_model() {
        let tasks = [
            Task::Regression,
            Task::Classification(2),
            Task::Classification(3),
        ];
        for (seed, (l1, l2)) in [(0.0, 0.0), (0.01, 0.0), (0.0, 0.1), (0.02, 0.05)]
            .into_iter()
            .enumerate()
        {
            let seed = seed as u64;
            let with = |mut a: Architecture| {
                a.l1 = l1;
                a.l2 = l2;
                a
            };
            check(
                &with(Architecture::of(ModelKind::Linear)),
                Task::Regression,
                seed,
            );
            check(
                &with(Architecture::of(ModelKind::Logistic)),
                Task::Classification(2),
                seed,
            );
            for task in &tasks[1..] {
                check(&with(Architecture::of(ModelKind::Softmax)), *task, seed);
            }
            for act in Activation::ALL {
                for hidden in [&[4][..], &[5, 3][..]] {
                    for task in tasks {
                        check(&with(Architecture::mlp(hidden, act)), task, seed);
                    }
                }
                let mut bce = with(Architecture::mlp(&[4], act));
                bce.loss = Some(Loss::BinaryCrossEntropy);
                check(&bce, Task::Classification(2), seed);
            }
        }
    }

    #[test]
    fn losses_match_hand_computed_cases() {
        // Softmax: zero weights, biases (1, 2, 3), true class 0: ln(e + e² + e³) − 1.
        let net = Network::new(
            &Architecture::of(ModelKind::Softmax),
            2,
            Task::Classification(3),
        )
        .unwrap();
        let mut p = vec![0.0; net.dim];
        p[6..9].copy_from_slice(&[1.0, 2.0, 3.0]);
        let t = Table {
            n: 1,
            d: 2,
            x: vec![0.3, -0.7],
            y: vec![0.0],
            rows: vec![0],
        };
        let (f, g) = loss_grad(&net, &p, &t);
        let want = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln() - 1.0;
        assert!((f - want).abs() < 1e-14, "{f} vs {want}");
        // ∂/∂b = softmax − one-hot.
        let s = 1f64.exp() + 2f64.exp() + 3f64.exp();
        assert!((g[6] - (1f64.exp() / s - 1.0)).abs() < 1e-14);
        assert!((g[8] - 3f64.exp() / s).abs() < 1e-14);

        // Logistic: w = (0.5, −1), b = 0.25, x = (2, 1): z = 0.25.
        let net = Network::new(
            &Architecture::of(ModelKind::Logistic),
            2,
            Task::Classification(2),
        )
        .unwrap();
        let p = [0.5, -1.0, 0.25];
        let mut t = Table {
            n: 1,
            d: 2,
            x: vec![2.0, 1.0],
            y: vec![1.0],
            rows: vec![0],
        };
        let (f1, _) = loss_grad(&net, &p, &t);
        assert!((f1 - (1.0 + (-0.25f64).exp()).ln()).abs() < 1e-15);
        t.y[0] = 0.0;
        let (f0, g0) = loss_grad(&net, &p, &t);
        assert!((f0 - (1.0 + 0.25f64.exp()).ln()).abs() < 1e-15);
        let sig = 1.0 / (1.0 + (-0.25f64).exp());
        assert!((g0[0] - 2.0 * sig).abs() < 1e-15 && (g0[2] - sig).abs() < 1e-15);

        // MSE over two rows of y = 3x: ((3 − 0)² + (6 − 0)²)/2 at zero weights.
        let net = Network::new(&Architecture::of(ModelKind::Linear), 1, Task::Regression).unwrap();
        let t = Table {
            n: 2,
            d: 1,
            x: vec![1.0, 2.0],
            y: vec![3.0, 6.0],
            rows: vec![0, 1],
        };
        let (f, g) = loss_grad(&net, &[0.0, 0.0], &t);
        assert_eq!(f, 22.5);
        assert_eq!(g, vec![-15.0, -9.0]);
    }

    #[test]
    fn shapes_init_and_parsing() {
        let net = Network::new(
            &Architecture::mlp(&[32], Activation::Relu),
            64,
            Task::Classification(10),
        )
        .unwrap();
        assert_eq!(net.dim, 64 * 32 + 32 + 32 * 10 + 10);
        assert_eq!(net.init(3), net.init(3));
        assert_ne!(net.init(3), net.init(4));
        // He initialisation: variance ≈ 2/64 in the first layer.
        let w = net.init(1);
        let var = w[net.layers[0].weights()]
            .iter()
            .map(|v| v * v)
            .sum::<f64>()
            / 2048.0;
        assert!((var - 2.0 / 64.0).abs() < 0.004, "{var}");
        for text in [
            "linear",
            "logistic",
            "softmax",
            "mlp:32",
            "mlp:64,32",
            "mlp:8:tanh",
        ] {
            let a = Architecture::parse(text).unwrap();
            assert_eq!(Architecture::parse(&a.label()).unwrap(), a);
        }
        for bad in [
            "mlp",
            "mlp:",
            "mlp:0",
            "mlp:a",
            "mlp:4:cube",
            "deep",
            "linear:3",
        ] {
            assert!(Architecture::parse(bad).is_err(), "{bad}");
        }
        let mismatch = Network::new(
            &Architecture::of(ModelKind::Logistic),
            4,
            Task::Classification(3),
        );
        assert!(mismatch.unwrap_err().to_string().contains("3 classes"));
        assert!(
            Network::new(
                &Architecture::of(ModelKind::Linear),
                4,
                Task::Classification(2)
            )
            .is_err()
        );
        assert!(Network::new(&Architecture::of(ModelKind::Softmax), 4, Task::Regression).is_err());
    }
}
