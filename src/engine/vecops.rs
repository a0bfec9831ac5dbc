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

/// ‖d‖² and whether every |xᵢ + dᵢ| ≤ bound (false for NaN and ±∞), in one pass that
/// writes nothing: what a step of d from x would do, checked before it is taken.
pub fn step_check(x: &[f64], d: &[f64], bound: f64) -> (f64, bool) {
    let mut len2 = [0.0; 4];
    let mut inside = [true; 4];
    let (xs, ds) = (x.chunks_exact(4), d.chunks_exact(4));
    let (x_tail, d_tail) = (xs.remainder(), ds.remainder());
    for (x, d) in xs.zip(ds) {
        for l in 0..4 {
            len2[l] += d[l] * d[l];
            inside[l] &= (x[l] + d[l]).abs() <= bound;
        }
    }
    let mut tail = 0.0;
    let mut tail_inside = true;
    for (x, d) in x_tail.iter().zip(d_tail) {
        tail += d * d;
        tail_inside &= (x + d).abs() <= bound;
    }
    let len2 = (len2[0] + len2[1]) + (len2[2] + len2[3]) + tail;
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
