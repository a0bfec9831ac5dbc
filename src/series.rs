//! Long series made short enough to plot: min/max per bucket keeps every spike visible.

/// At most about `max_points` points of `values` against their index, keeping each bucket's
/// minimum and maximum (in the order they occur), so spikes survive the thinning.
/// Non-finite values are skipped; `log` keeps only positive values.
pub fn decimate(values: &[f64], max_points: usize, log: bool) -> Vec<[f64; 2]> {
    let keep = |v: f64| v.is_finite() && (!log || v > 0.0);
    let n = values.len();
    let buckets = (max_points / 2).max(1);
    if n <= max_points {
        return values
            .iter()
            .enumerate()
            .filter(|(_, v)| keep(**v))
            .map(|(i, v)| [i as f64, *v])
            .collect();
    }
    let mut out = Vec::with_capacity(2 * buckets);
    for b in 0..buckets {
        let (lo, hi) = (b * n / buckets, ((b + 1) * n / buckets).min(n));
        let mut min: Option<(usize, f64)> = None;
        let mut max: Option<(usize, f64)> = None;
        for (i, &v) in values[lo..hi].iter().enumerate() {
            if !keep(v) {
                continue;
            }
            if min.is_none_or(|(_, m)| v < m) {
                min = Some((lo + i, v));
            }
            if max.is_none_or(|(_, m)| v > m) {
                max = Some((lo + i, v));
            }
        }
        let point = |(i, v): (usize, f64)| [i as f64, v];
        match (min, max) {
            (Some(a), Some(b)) if a.0 == b.0 => out.push(point(a)),
            (Some(a), Some(b)) => {
                let (first, second) = if a.0 < b.0 { (a, b) } else { (b, a) };
                out.extend([point(first), point(second)]);
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_pass_through_and_long_ones_keep_spikes() {
        let short = [1.0, f64::NAN, 3.0];
        assert_eq!(decimate(&short, 10, false), vec![[0.0, 1.0], [2.0, 3.0]]);
        let mut long = vec![1.0; 100_000];
        long[77_777] = 50.0;
        long[12_345] = -3.0;
        let d = decimate(&long, 1000, false);
        assert!(d.len() <= 1000);
        assert!(d.contains(&[77_777.0, 50.0]) && d.contains(&[12_345.0, -3.0]));
        assert!(d.windows(2).all(|w| w[0][0] < w[1][0]));
        assert!(decimate(&long, 1000, true).iter().all(|p| p[1] > 0.0));
    }
}
