//! What the runner does to a gradient before the optimizer sees it: noise, then clipping.

use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Gradient clipping, as `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", content = "max", rename_all = "lowercase")]
pub enum Clip {
    /// No clipping.
    #[default]
    None,
    /// g ← g · min(1, c / ‖g‖₂).
    Norm(f64),
    /// gᵢ ← clamp(gᵢ, −c, c).
    Value(f64),
}

impl Clip {
    /// Clips `g` in place.
    #[inline]
    pub fn apply(&self, g: &mut [f64]) {
        match *self {
            Clip::None => {}
            Clip::Norm(c) => {
                let norm = norm2(g);
                if norm > c {
                    let scale = c / norm;
                    g.iter_mut().for_each(|v| *v *= scale);
                }
            }
            Clip::Value(c) => g.iter_mut().for_each(|v| *v = v.clamp(-c, c)),
        }
    }
}

/// Adds σ·N(0, 1) to every coordinate of `g`, drawing from `rng`.
#[inline]
pub fn add_noise(g: &mut [f64], sigma: f64, rng: &mut StdRng) {
    for v in g.iter_mut() {
        let z: f64 = StandardNormal.sample(rng);
        *v += sigma * z;
    }
}

/// The Euclidean norm ‖v‖₂.
#[inline]
pub fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn clipping_by_norm_keeps_direction() {
        let mut g = [3.0, 4.0];
        Clip::Norm(1.0).apply(&mut g);
        assert!((g[0] - 0.6).abs() < 1e-15 && (g[1] - 0.8).abs() < 1e-15);
        let mut small = [0.3, 0.4];
        Clip::Norm(1.0).apply(&mut small);
        assert_eq!(small, [0.3, 0.4]);
    }

    #[test]
    fn clipping_by_value_clamps_each_coordinate() {
        let mut g = [3.0, -0.5, -7.0];
        Clip::Value(1.0).apply(&mut g);
        assert_eq!(g, [1.0, -0.5, -1.0]);
    }

    #[test]
    fn noise_is_seeded_and_has_the_right_scale() {
        let draw = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut g = vec![0.0; 20_000];
            add_noise(&mut g, 2.0, &mut rng);
            g
        };
        let a = draw(7);
        assert_eq!(a, draw(7));
        assert_ne!(a, draw(8));
        let var = a.iter().map(|v| v * v).sum::<f64>() / a.len() as f64;
        assert!((var - 4.0).abs() < 0.2, "variance {var}");
    }
}
