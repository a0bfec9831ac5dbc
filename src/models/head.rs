//! The loss heads on a network's output layer: mean squared error, binary cross-entropy of a
//! sigmoid, and softmax cross-entropy. They read the output in the network's element type and
//! work in f64, so losses are summed in double precision whatever the network computes in.

use super::architecture::Loss;
use super::kernels::exp_nonpositive_in_place;
use super::real::Real;

/// Σ over the rows of the data loss of `out` (`rows × k`) against targets `y`, and the number
/// of right class predictions; with `delta`, also writes ∂(Σ loss)/∂z · `scale` into it.
/// `scratch` holds at least `out.len()` values.
#[inline(always)]
pub(super) fn loss_head<T: Real>(
    loss: Loss,
    k: usize,
    out: &[T],
    y: &[f64],
    delta: Option<(&mut [T], f64)>,
    scratch: &mut [f64],
) -> (f64, usize) {
    match loss {
        Loss::Mse => {
            let total = out
                .iter()
                .zip(y)
                .map(|(z, t)| (z.to_f64() - t) * (z.to_f64() - t))
                .sum();
            if let Some((d, s)) = delta {
                for ((d, z), &t) in d.iter_mut().zip(out).zip(y) {
                    *d = T::from_f64(2.0 * (z.to_f64() - t) * s);
                }
            }
            (total, 0)
        }
        Loss::BinaryCrossEntropy => {
            let mut total = 0.0;
            let mut correct = 0;
            for (z, &t) in out.iter().zip(y) {
                let z = z.to_f64();
                // softplus(z) − y·z, stable for large |z|.
                total += z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z;
                correct += usize::from((z > 0.0) == (t > 0.5));
            }
            if let Some((d, s)) = delta {
                for ((d, z), &t) in d.iter_mut().zip(out).zip(y) {
                    *d = T::from_f64((sigmoid(z.to_f64()) - t) * s);
                }
            }
            (total, correct)
        }
        Loss::CrossEntropy => {
            let e = &mut scratch[..out.len()];
            let scale = delta.as_ref().map(|(_, s)| *s);
            let sums = softmax_rows(k, out, y, e, scale);
            if let Some((d, _)) = delta {
                d.iter_mut()
                    .zip(e.iter())
                    .for_each(|(d, &g)| *d = T::from_f64(g));
            }
            sums
        }
    }
}

/// Softmax cross-entropy over rows of `k` logits `z` with labels `y`: the summed loss and the
/// number of right predictions. `e` (as long as `z`) is scratch; with `scale` it ends up
/// holding (softmax − one-hot)·scale, the gradient of the scaled loss.
#[inline(always)]
fn softmax_rows<T: Real>(
    k: usize,
    z: &[T],
    y: &[f64],
    e: &mut [f64],
    scale: Option<f64>,
) -> (f64, usize) {
    let mut correct = 0;
    let mut total = 0.0;
    // Shifted logits z − max, then one vectorised pass of exponentials over the block.
    // loss = ln Σ e^(z − max) − (z_label − max); the second term is taken here, exactly.
    for (r, (zr, &t)) in z.chunks_exact(k).zip(y).enumerate() {
        let max = zr.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v.to_f64()));
        let zl = zr.get(t as usize).map_or(max, |v| v.to_f64());
        // Right when the label's logit is the largest (argmax, ties aside).
        correct += usize::from(zl >= max);
        total -= zl - max;
        for (ej, &v) in e[r * k..(r + 1) * k].iter_mut().zip(zr) {
            *ej = v.to_f64() - max;
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
pub fn argmax<T: Real>(z: &[T]) -> usize {
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
