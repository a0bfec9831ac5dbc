//! Seeded generated datasets in two dimensions (and one for regression), as scikit-learn's
//! `make_moons`, `make_circles`, `make_blobs` and friends.

use super::{Dataset, Target};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::PI;

/// A standard normal draw.
fn gauss(rng: &mut StdRng) -> f64 {
    StandardNormal.sample(rng)
}

/// A 2-D classification dataset from points and labels.
fn classes2d(name: &str, points: Vec<[f64; 2]>, labels: Vec<usize>, k: usize) -> Dataset {
    Dataset {
        name: name.to_string(),
        features: vec!["x1".into(), "x2".into()],
        target_name: "class".into(),
        n: points.len(),
        d: 2,
        x: points.into_iter().flatten().collect(),
        target: Target::Classes {
            names: (0..k).map(|c| c.to_string()).collect(),
            labels,
        },
    }
}

/// Two interleaving half circles with Gaussian noise of standard deviation `noise`.
pub fn moons(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut pts, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let class = i % 2;
        let t = PI * rng.random::<f64>();
        let (x, y) = if class == 0 {
            (t.cos(), t.sin())
        } else {
            (1.0 - t.cos(), 0.5 - t.sin())
        };
        pts.push([x + noise * gauss(&mut rng), y + noise * gauss(&mut rng)]);
        labels.push(class);
    }
    classes2d("moons", pts, labels, 2)
}

/// A circle of radius `factor` (class 1) inside the unit circle (class 0), with noise.
pub fn circles(n: usize, noise: f64, factor: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut pts, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let class = i % 2;
        let t = 2.0 * PI * rng.random::<f64>();
        let r = if class == 0 { 1.0 } else { factor };
        pts.push([
            r * t.cos() + noise * gauss(&mut rng),
            r * t.sin() + noise * gauss(&mut rng),
        ]);
        labels.push(class);
    }
    classes2d("circles", pts, labels, 2)
}

/// Uniform points in [−1, 1]², labelled 1 where x·y > 0, jittered by `noise` after labelling.
pub fn xor(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut pts, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let x: f64 = rng.random_range(-1.0..1.0);
        let y: f64 = rng.random_range(-1.0..1.0);
        labels.push(usize::from(x * y > 0.0));
        pts.push([x + noise * gauss(&mut rng), y + noise * gauss(&mut rng)]);
    }
    classes2d("xor", pts, labels, 2)
}

/// Two spirals of 1.75 turns, one the other rotated by π, with noise.
pub fn spirals(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut pts, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let class = i % 2;
        let r: f64 = rng.random_range(0.05..1.0);
        let t = 1.75 * 2.0 * PI * r + PI * class as f64;
        pts.push([
            r * t.cos() + noise * gauss(&mut rng),
            r * t.sin() + noise * gauss(&mut rng),
        ]);
        labels.push(class);
    }
    classes2d("spirals", pts, labels, 2)
}

/// `k` isotropic Gaussian blobs of standard deviation `spread`, centres on a circle of
/// radius 3.
pub fn blobs(n: usize, k: usize, spread: f64, seed: u64) -> Dataset {
    let k = k.max(1);
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut pts, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let class = i % k;
        let angle = 2.0 * PI * class as f64 / k as f64 + 0.3;
        pts.push([
            3.0 * angle.cos() + spread * gauss(&mut rng),
            3.0 * angle.sin() + spread * gauss(&mut rng),
        ]);
        labels.push(class);
    }
    classes2d("blobs", pts, labels, k)
}

/// y = slope·x + intercept + N(0, noise²) for x uniform in [−2, 2].
pub fn linear(n: usize, slope: f64, intercept: f64, noise: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let v: f64 = rng.random_range(-2.0..2.0);
        x.push(v);
        y.push(slope * v + intercept + noise * gauss(&mut rng));
    }
    Dataset {
        name: "linear".into(),
        features: vec!["x".into()],
        target_name: "y".into(),
        n,
        d: 1,
        x,
        target: Target::Values(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_seeded() {
        assert_eq!(moons(50, 0.1, 3), moons(50, 0.1, 3));
        assert_ne!(moons(50, 0.1, 3).x, moons(50, 0.1, 4).x);
        assert_eq!(spirals(20, 0.0, 1), spirals(20, 0.0, 1));
    }

    #[test]
    fn noise_free_shapes_are_exact() {
        let c = circles(100, 0.0, 0.5, 2);
        let Target::Classes { labels, .. } = &c.target else {
            panic!()
        };
        for (i, &l) in labels.iter().enumerate() {
            let r = (c.x[2 * i].powi(2) + c.x[2 * i + 1].powi(2)).sqrt();
            let want = if l == 0 { 1.0 } else { 0.5 };
            assert!((r - want).abs() < 1e-12);
        }
        let l = linear(30, 2.0, -1.0, 0.0, 5);
        let Target::Values(y) = &l.target else {
            panic!()
        };
        for (x, y) in l.x.iter().zip(y) {
            assert!((2.0 * x - 1.0 - y).abs() < 1e-12);
        }
    }
}
