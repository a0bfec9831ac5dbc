//! The few vector operations of the stepping loop, with a straight-line path for the two
//! parameters of a surface (the common case, where loop set-up would cost more than the work).
//! The long forms (a model's thousands of parameters) run the [`crate::simd`] build that suits
//! the CPU: the same operations in the same order, so the same numbers bit for bit.

use crate::simd::twice;
use std::cmp::Ordering::{Equal, Less};

/// ‖v‖².
#[inline(always)]
pub fn norm_sq(v: &[f64]) -> f64 {
    match *v {
        [a, b] => a * a + b * b,
        _ => norm_sq_long(v),
    }
}

twice! {
    /// [`norm_sq_lanes`] in the best build for this CPU.
    fn norm_sq_long(v: &[f64]) -> f64 where _WIDE { norm_sq_lanes(v) }
}

twice! {
    /// [`add_lanes`] in the best build for this CPU.
    fn add_long(x: &mut [f64], d: &[f64]) where _WIDE { add_lanes(x, d) }
}

twice! {
    /// ‖d‖² and whether every |xᵢ + dᵢ| ≤ bound (false for NaN and ±∞), in one pass that
    /// writes nothing: what a step of d from x would do, checked before it is taken.
    pub fn step_check(x: &[f64], d: &[f64], bound: f64) -> (f64, bool) where _WIDE {
        step_check_lanes(x, d, bound)
    }
}

/// The sum of four lanes, halves first ((l₀ + l₂) + (l₁ + l₃)), the order in which one
/// four-lane register is reduced.
#[inline(always)]
fn fold_lanes([a, b, c, d]: [f64; 4]) -> f64 {
    (a + c) + (b + d)
}

/// x ← x + d, element by element.
#[inline(always)]
fn add_lanes(x: &mut [f64], d: &[f64]) {
    x.iter_mut().zip(d).for_each(|(x, d)| *x += d);
}

/// ‖v‖² summed in four interleaved lanes, so that a model's thousands of parameters are not
/// one long chain of dependent additions (the compiler vectorises the lanes).
#[inline(always)]
fn norm_sq_lanes(v: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let (chunks, tail) = v.as_chunks::<4>();
    let tail: f64 = tail.iter().map(|a| a * a).sum();
    for c in chunks {
        lanes = std::array::from_fn(|l| lanes[l] + c[l] * c[l]);
    }
    fold_lanes(lanes) + tail
}

/// x ← x + d.
#[inline(always)]
pub fn add_assign(x: &mut [f64], d: &[f64]) {
    match (x, d) {
        ([x0, x1], [d0, d1]) => {
            *x0 += d0;
            *x1 += d1;
        }
        (x, d) => add_long(x, d),
    }
}

/// x ← x − d.
#[inline(always)]
pub fn sub_assign(x: &mut [f64], d: &[f64]) {
    match (x, d) {
        ([x0, x1], [d0, d1]) => {
            *x0 -= d0;
            *x1 -= d1;
        }
        (x, d) => x.iter_mut().zip(d).for_each(|(x, d)| *x -= d),
    }
}

/// Whether every |vᵢ| ≤ bound (false if any is NaN or infinite).
#[inline(always)]
pub fn within(v: &[f64], bound: f64) -> bool {
    let ok = |a: f64| matches!(a.abs().partial_cmp(&bound), Some(Less | Equal));
    match *v {
        [a, b] => ok(a) & ok(b),
        // Without early exit, so the comparisons vectorise (`<=` is false for NaN too).
        _ => v.iter().fold(true, |all, a| all & (a.abs() <= bound)),
    }
}

/// The loop of [`step_check`], four lanes wide.
#[inline(always)]
fn step_check_lanes(x: &[f64], d: &[f64], bound: f64) -> (f64, bool) {
    let mut len2 = [0.0; 4];
    let mut inside = [true; 4];
    let n = x.len().min(d.len());
    let ((xs, x_tail), (ds, d_tail)) = (x[..n].as_chunks::<4>(), d[..n].as_chunks::<4>());
    for (x, d) in xs.iter().zip(ds) {
        len2 = std::array::from_fn(|l| len2[l] + d[l] * d[l]);
        inside = std::array::from_fn(|l| inside[l] & ((x[l] + d[l]).abs() <= bound));
    }
    let mut tail = 0.0;
    let mut tail_inside = true;
    for (x, d) in x_tail.iter().zip(d_tail) {
        tail += d * d;
        tail_inside &= (x + d).abs() <= bound;
    }
    let len2 = fold_lanes(len2) + tail;
    (len2, inside.iter().all(|&i| i) & tail_inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_check_sees_the_length_and_the_bound() {
        let x = [1.0, -2.0, 3.0, 0.5, 9.0];
        let d = [0.5, 0.5, -1.0, 0.0, 1.0];
        assert_eq!(step_check(&x, &d, 10.0), (2.5, true));
        assert_eq!(step_check(&x, &d, 9.5), (2.5, false));
        assert!(!step_check(&x, &[0.0, 0.0, 0.0, 0.0, f64::NAN], 10.0).1);
        assert!(
            !step_check(&x, &[f64::INFINITY, 0.0, 0.0, 0.0, 0.0], 10.0)
                .0
                .is_finite()
        );
    }

    #[test]
    fn two_and_many_agree() {
        assert_eq!(norm_sq(&[3.0, 4.0]), 25.0);
        assert_eq!(norm_sq(&[1.0, 2.0, 2.0]), 9.0);
        let mut x = [1.0, 2.0];
        add_assign(&mut x, &[0.5, -1.0]);
        assert_eq!(x, [1.5, 1.0]);
        sub_assign(&mut x, &[0.5, -1.0]);
        assert_eq!(x, [1.0, 2.0]);
        let mut y = [1.0, 2.0, 3.0];
        add_assign(&mut y, &[1.0, 1.0, 1.0]);
        assert_eq!(y, [2.0, 3.0, 4.0]);
        assert!(within(&[1.0, -2.0], 2.0) && !within(&[1.0, f64::NAN], 2.0));
        assert!(!within(&[0.0, 0.0, f64::INFINITY], 1e6) && within(&[0.0; 3], 0.0));
    }
}
