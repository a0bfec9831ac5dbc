//! The few vector operations of the stepping loop, with a straight-line path for the two
//! parameters of a surface (the common case, where loop set-up would cost more than the work).

use std::cmp::Ordering::{Equal, Less};

/// ‖v‖².
#[inline(always)]
pub fn norm_sq(v: &[f64]) -> f64 {
    match *v {
        [a, b] => a * a + b * b,
        _ => norm_sq_long(v),
    }
}

/// ‖v‖² summed in four interleaved lanes, so that a model's thousands of parameters are not
/// one long chain of dependent additions (the compiler vectorises the lanes).
#[inline]
fn norm_sq_long(v: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let chunks = v.chunks_exact(4);
    let tail: f64 = chunks.remainder().iter().map(|a| a * a).sum();
    for c in chunks {
        for (l, a) in lanes.iter_mut().zip(c) {
            *l += a * a;
        }
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// x ← x + d.
#[inline(always)]
pub fn add_assign(x: &mut [f64], d: &[f64]) {
    match (x, d) {
        ([x0, x1], [d0, d1]) => {
            *x0 += d0;
            *x1 += d1;
        }
        (x, d) => x.iter_mut().zip(d).for_each(|(x, d)| *x += d),
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

#[cfg(test)]
mod tests {
    use super::*;

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
