//! A dense feed-forward network with a loss head and hand-written backpropagation. Linear,
//! logistic and softmax regression are the networks with no hidden layer.
//!
//! The parameters are the engine's `&[f64]`, so the optimizers step a model exactly as they
//! step a surface. The forward and backward passes run in the workspace's element type: f32
//! for training and evaluation (the products, through [`super::kernels`], do twice the work
//! per instruction), f64 as the reference the finite-difference checks use. Losses, the
//! penalty and its gradient are always worked out in f64.
//!
//! The parameters are one flat vector: for each layer, its weights `W` (`fan_in × fan_out`,
//! row-major, so a batch's pre-activations are `Z = A·W + b`) followed by its biases `b`.

use super::architecture::{Activation, Architecture, Loss, ModelError, ModelKind};
use super::head::{argmax, loss_head};
use super::kernels::{Init, matmul, matmul_tn};
use super::real::{Real, convert_into};
use crate::data::{Table, Task};
use crate::simd::twice;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::{RngExt, seq::SliceRandom as _};
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

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

/// Per-batch scratch memory in the element type `T` the network computes in (f32 unless a
/// caller asks for the f64 reference), sized once for the largest batch.
#[derive(Clone, Debug, Default)]
pub struct Workspace<T = f32> {
    /// Rows the buffers hold.
    capacity: usize,
    /// The parameters, rounded to `T`.
    params: Vec<T>,
    /// The gradient as backpropagation leaves it.
    grad: Vec<T>,
    /// Activations: `acts[0]` the input batch, `acts[l]` layer l's output (logits last).
    acts: Vec<Vec<T>>,
    /// Two buffers of `capacity × widest` for the backward deltas.
    delta: [Vec<T>; 2],
    /// A transposed weight matrix.
    wt: Vec<T>,
    /// The loss head's f64 scratch (`capacity × outputs`).
    head: Vec<f64>,
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
        if arch.kind == ModelKind::Mlp {
            crate::limits::hidden(&arch.hidden)?;
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

    /// An f32 workspace (the precision training and evaluation run in) for batches of up to
    /// `rows` rows.
    pub fn workspace(&self, rows: usize) -> Workspace {
        Workspace::new(self, rows)
    }

    /// Copies rows `idx` of `table` into the workspace's input buffer.
    #[inline(always)]
    pub fn gather<T: Real>(&self, table: &Table, idx: &[usize], ws: &mut Workspace<T>) {
        let d = self.inputs();
        for (r, &i) in idx.iter().enumerate() {
            convert_into(table.row(i), &mut ws.acts[0][r * d..(r + 1) * d]);
        }
    }

    /// Forward pass with `params` over the first `rows` rows of the workspace's input; the
    /// output layer holds logits (or values) afterwards.
    pub fn forward<T: Real>(&self, params: &[f64], rows: usize, ws: &mut Workspace<T>) {
        ws.load(params);
        self.forward_loaded(rows, ws);
    }

    /// [`Network::forward`] with the parameters already in the workspace.
    #[inline(always)]
    fn forward_loaded<T: Real>(&self, rows: usize, ws: &mut Workspace<T>) {
        let last = self.layers.len() - 1;
        let params = &ws.params;
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
    pub fn output<'w, T: Real>(&self, rows: usize, ws: &'w Workspace<T>) -> &'w [T] {
        &ws.acts[self.layers.len()][..rows * self.outputs()]
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
    /// when given. The network runs in `T`; the loss, the penalty and its gradient in f64.
    pub fn batch_loss<T: Real>(
        &self,
        params: &[f64],
        table: &Table,
        idx: &[usize],
        ws: &mut Workspace<T>,
        grad: Option<&mut [f64]>,
    ) -> f64 {
        batch_loss_fast(self, params, table, idx, ws, grad)
    }

    /// The body of [`Network::batch_loss`], inlined into each build.
    #[inline(always)]
    fn batch_loss_here<T: Real>(
        &self,
        params: &[f64],
        table: &Table,
        idx: &[usize],
        ws: &mut Workspace<T>,
        grad: Option<&mut [f64]>,
    ) -> f64 {
        let rows = idx.len();
        debug_assert!(rows <= ws.capacity);
        self.gather(table, idx, ws);
        ws.load(params);
        self.forward_loaded(rows, ws);
        let scale = 1.0 / rows.max(1) as f64;
        let k = self.outputs();
        ws.targets.clear();
        ws.targets.extend(idx.iter().map(|&i| table.y[i]));
        let out = &ws.acts[self.layers.len()][..rows * k];
        let delta = grad
            .is_some()
            .then_some(())
            .map(|()| (&mut ws.delta[0][..rows * k], scale));
        let (total, _) = loss_head(self.loss, k, out, &ws.targets, delta, &mut ws.head);
        if let Some(grad) = grad {
            self.backward(rows, ws);
            convert_back(&ws.grad, grad);
            self.add_penalty_gradient(params, grad);
        }
        total * scale + self.penalty(params)
    }

    /// Backpropagates `ws.delta[0]` (∂loss/∂logits) through the layers into `ws.grad`.
    #[inline(always)]
    fn backward<T: Real>(&self, rows: usize, ws: &mut Workspace<T>) {
        let mut cur = 0;
        let (params, grad) = (&ws.params, &mut ws.grad);
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
            gb.fill(T::ZERO);
            for row in delta.chunks_exact(fo) {
                gb.iter_mut().zip(row).for_each(|(g, &d)| *g += d);
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
    }

    /// Adds the penalty's (sub)gradient λ₂·W + λ₁·sign(W) to the weights' gradient.
    fn add_penalty_gradient(&self, params: &[f64], grad: &mut [f64]) {
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
    pub fn totals<T: Real>(&self, params: &[f64], table: &Table, ws: &mut Workspace<T>) -> Totals {
        let mut totals = Totals::default();
        let chunk = ws.capacity.max(1);
        let mut idx: Vec<usize> = Vec::with_capacity(chunk);
        let mut start = 0;
        ws.load(params);
        while start < table.n {
            let end = (start + chunk).min(table.n);
            idx.clear();
            idx.extend(start..end);
            let rows = end - start;
            self.gather(table, &idx, ws);
            self.forward_loaded(rows, ws);
            let out = &ws.acts[self.layers.len()][..rows * self.outputs()];
            let y = &table.y[start..end];
            let (loss, correct) = loss_head(self.loss, self.outputs(), out, y, None, &mut ws.head);
            totals.n += rows;
            totals.loss += loss;
            totals.correct += correct;
            start = end;
        }
        totals
    }

    /// The predicted class (or value, for regression) of each row of the workspace's output.
    pub fn predictions<'a, T: Real>(&'a self, out: &'a [T]) -> impl Iterator<Item = f64> + 'a {
        out.chunks_exact(self.outputs()).map(|z| match self.loss {
            Loss::Mse => z[0].to_f64(),
            Loss::BinaryCrossEntropy => f64::from(u8::from(z[0] > T::ZERO)),
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

twice! {
    /// [`Network::batch_loss`] in the best build for this CPU: with AVX2 and FMA the
    /// element-wise passes around the products (gathering, conversions, activations, bias
    /// sums, the loss head) run eight f32 lanes wide. Only the kernels call `mul_add`, so the
    /// numbers are those of the kernels' build.
    fn batch_loss_fast[T: Real](
        net: &Network,
        params: &[f64],
        table: &Table,
        idx: &[usize],
        ws: &mut Workspace<T>,
        grad: Option<&mut [f64]>,
    ) -> f64 where _WIDE {
        net.batch_loss_here(params, table, idx, ws, grad)
    }
}

impl<T: Real> Workspace<T> {
    /// The bytes [`Workspace::new`] allocates for `net` and `rows` rows, worked out without
    /// allocating (saturating, never overflowing): for the memory check before training.
    pub fn bytes(net: &Network, rows: usize) -> u64 {
        let rows = rows.max(1) as u64;
        let elem = std::mem::size_of::<T>() as u64;
        let widest = net
            .layers
            .iter()
            .map(|l| l.fan_in.max(l.fan_out) as u64)
            .max()
            .unwrap_or(1);
        let biggest = net
            .layers
            .iter()
            .map(|l| (l.fan_in as u64).saturating_mul(l.fan_out as u64))
            .max()
            .unwrap_or(1);
        let widths = net.layers.iter().fold(net.inputs() as u64, |a, l| {
            a.saturating_add(l.fan_out as u64)
        });
        let elems = (net.dim as u64)
            .saturating_mul(2)
            .saturating_add(rows.saturating_mul(widths))
            .saturating_add(rows.saturating_mul(widest).saturating_mul(2))
            .saturating_add(biggest);
        elems.saturating_mul(elem).saturating_add(
            rows.saturating_mul(net.outputs() as u64 + 1)
                .saturating_mul(8),
        )
    }

    /// Buffers for `net` and batches of up to `rows` rows.
    pub fn new(net: &Network, rows: usize) -> Self {
        let rows = rows.max(1);
        let widest = net
            .layers
            .iter()
            .map(|l| l.fan_in.max(l.fan_out))
            .max()
            .unwrap_or(1);
        let mut acts = vec![vec![T::ZERO; rows * net.inputs()]];
        acts.extend(net.layers.iter().map(|l| vec![T::ZERO; rows * l.fan_out]));
        let biggest = net
            .layers
            .iter()
            .map(|l| l.fan_in * l.fan_out)
            .max()
            .unwrap_or(1);
        Self {
            capacity: rows,
            params: vec![T::ZERO; net.dim],
            grad: vec![T::ZERO; net.dim],
            acts,
            delta: [vec![T::ZERO; rows * widest], vec![T::ZERO; rows * widest]],
            wt: vec![T::ZERO; biggest],
            head: vec![0.0; rows * net.outputs()],
            targets: Vec::with_capacity(rows),
        }
    }

    /// Takes `params` in, rounded to `T`.
    #[inline(always)]
    fn load(&mut self, params: &[f64]) {
        convert_into(params, &mut self.params);
    }
}

/// Writes `from` into `to` as f64 (exact).
#[inline(always)]
fn convert_back<T: Real>(from: &[T], to: &mut [f64]) {
    to.iter_mut().zip(from).for_each(|(t, f)| *t = f.to_f64());
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
    fn loss_grad<T: Real>(net: &Network, params: &[f64], t: &Table) -> (f64, Vec<f64>) {
        let mut ws = Workspace::<T>::new(net, t.n);
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
        let (f, g) = loss_grad::<f64>(&net, &params, &t);
        let idx: Vec<usize> = (0..t.n).collect();
        let mut ws = Workspace::<f64>::new(&net, t.n);
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
    fn single_precision_matches_the_double_reference() {
        let tasks = [
            Task::Regression,
            Task::Classification(2),
            Task::Classification(5),
        ];
        for (seed, task) in tasks.into_iter().enumerate() {
            let t = table(40, 8, task, seed as u64);
            for act in Activation::ALL {
                let mut arch = Architecture::mlp(&[16, 8], act);
                arch.l2 = 0.01;
                let net = Network::new(&arch, 8, task).unwrap();
                let params = net.init(seed as u64 + 7);
                let (f64_loss, g64) = loss_grad::<f64>(&net, &params, &t);
                let (f32_loss, g32) = loss_grad::<f32>(&net, &params, &t);
                assert!(
                    (f32_loss - f64_loss).abs() <= 1e-6 * (1.0 + f64_loss.abs()),
                    "{} {task:?}: loss {f32_loss} in f32, {f64_loss} in f64",
                    arch.label()
                );
                let norm = g64.iter().map(|g| g * g).sum::<f64>().sqrt();
                let diff = g32
                    .iter()
                    .zip(&g64)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt();
                assert!(
                    diff <= 1e-5 * norm,
                    "{} {task:?}: ‖g32 − g64‖ = {diff:e} against ‖g‖ = {norm:e}",
                    arch.label()
                );
                let mut ws = net.workspace(16);
                let mut ws64 = Workspace::<f64>::new(&net, 16);
                let (a, b) = (
                    net.totals(&params, &t, &mut ws),
                    net.totals(&params, &t, &mut ws64),
                );
                assert_eq!(a.n, b.n);
                assert!((a.loss - b.loss).abs() <= 1e-5 * (1.0 + b.loss));
            }
        }
    }

    #[test]
    fn the_avx2_build_of_a_batch_gives_the_same_numbers() {
        // Only the products use fused multiply-adds, and both builds call the same ones:
        // batch_loss runs the wide build here, batch_loss_here the baseline one.
        if !crate::simd::fast() {
            return;
        }
        let t = table(37, 6, Task::Classification(3), 5);
        let idx: Vec<usize> = (0..t.n).rev().collect();
        for act in Activation::ALL {
            let mut arch = Architecture::mlp(&[12, 7], act);
            arch.l1 = 0.01;
            let net = Network::new(&arch, 6, Task::Classification(3)).unwrap();
            let params = net.init(9);
            let (mut ga, mut gb) = (vec![0.0; net.dim], vec![0.0; net.dim]);
            let mut ws = net.workspace(t.n);
            let a = net.batch_loss(&params, &t, &idx, &mut ws, Some(&mut ga));
            let b = net.batch_loss_here(&params, &t, &idx, &mut ws, Some(&mut gb));
            assert_eq!(a.to_bits(), b.to_bits(), "{}", arch.label());
            assert_eq!(ga, gb, "{}", arch.label());
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
        let (f, g) = loss_grad::<f64>(&net, &p, &t);
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
        let (f1, _) = loss_grad::<f64>(&net, &p, &t);
        assert!((f1 - (1.0 + (-0.25f64).exp()).ln()).abs() < 1e-15);
        t.y[0] = 0.0;
        let (f0, g0) = loss_grad::<f64>(&net, &p, &t);
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
        let (f, g) = loss_grad::<f64>(&net, &[0.0, 0.0], &t);
        assert_eq!(f, 22.5);
        assert_eq!(g, vec![-15.0, -9.0]);
    }

    #[test]
    fn shapes_init_and_mismatches() {
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
