//! How values map to colours in a heatmap: limits from quantiles of the values (so one
//! blow-up does not wash out every other cell), on a linear or logarithmic scale, with nice
//! tick values for a colour bar.

/// A colour scale over [lo, hi] of the transformed value: v itself, or log₁₀(v − shift).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColorScale {
    /// The transformed value at the bottom of the scale (and below: clamped).
    pub lo: f64,
    /// The transformed value at the top of the scale (and above: clamped).
    pub hi: f64,
    /// Logarithmic: the transformed value is log₁₀(v − shift).
    pub log: bool,
    /// Subtracted before the logarithm so that every value is positive (0 when they are).
    pub shift: f64,
}

/// The fraction of values left out at each end when the limits are chosen.
pub const TAIL: f64 = 0.02;

impl ColorScale {
    /// A scale whose limits are the 2 % and 98 % quantiles of the finite `values` (after the
    /// logarithm when `log`); `None` when no value is finite. On a log scale, values ≤ 0 are
    /// shifted so that the smallest sits a little below the rest.
    pub fn robust(values: &[f64], log: bool) -> Option<Self> {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if finite.is_empty() {
            return None;
        }
        let shift = if log && min <= 0.0 {
            // The smallest value maps to log₁₀ of a small fraction of the spread.
            min - 1e-6 * (max - min).max(min.abs()).max(f64::MIN_POSITIVE)
        } else {
            0.0
        };
        let mut scale = Self {
            lo: 0.0,
            hi: 1.0,
            log,
            shift,
        };
        let mut t: Vec<f64> = finite.iter().map(|&v| scale.transform(v)).collect();
        t.sort_by(f64::total_cmp);
        let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
        let (lo, hi) = (at(TAIL), at(1.0 - TAIL));
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            // All (or nearly all) values alike: a window around them.
            let pad = if log { 0.5 } else { lo.abs().max(1e-12) * 0.05 };
            (lo - pad, hi + pad)
        };
        scale.lo = lo;
        scale.hi = hi;
        Some(scale)
    }

    /// The value on the scale's axis: v, or log₁₀(v − shift).
    pub fn transform(&self, v: f64) -> f64 {
        if self.log {
            (v - self.shift).max(f64::MIN_POSITIVE).log10()
        } else {
            v
        }
    }

    /// Where `v` sits on the scale, clamped to [0, 1].
    pub fn unit(&self, v: f64) -> f64 {
        ((self.transform(v) - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }

    /// The value at position `t` ∈ [0, 1] of the scale.
    pub fn value_at(&self, t: f64) -> f64 {
        let x = self.lo + t * (self.hi - self.lo);
        if self.log {
            10f64.powf(x) + self.shift
        } else {
            x
        }
    }

    /// Positions in [0, 1] and values of a few round ticks for a colour bar: decades (and 2, 5
    /// × 10ᵏ when the scale is short) on a log scale, 1-2-5 steps on a linear one, with both
    /// ends always included.
    pub fn ticks(&self) -> Vec<(f64, f64)> {
        let mut out = vec![(0.0, self.value_at(0.0))];
        let span = self.hi - self.lo;
        if self.log && self.shift == 0.0 {
            let multiples: &[f64] = if span < 2.0 { &[1.0, 2.0, 5.0] } else { &[1.0] };
            let every = (span / 6.0).ceil().max(1.0) as i64;
            for k in self.lo.floor() as i64..=self.hi.ceil() as i64 {
                if k % every != 0 && multiples.len() == 1 {
                    continue;
                }
                for m in multiples {
                    let x = k as f64 + m.log10();
                    if x > self.lo && x < self.hi {
                        out.push(((x - self.lo) / span, 10f64.powf(x)));
                    }
                }
            }
        } else if !self.log {
            let raw = span / 5.0;
            let magnitude = 10f64.powf(raw.log10().floor());
            let step = [1.0, 2.0, 5.0, 10.0]
                .into_iter()
                .map(|m| m * magnitude)
                .find(|s| *s >= raw)
                .unwrap_or(raw);
            let mut v = (self.lo / step).ceil() * step;
            while v < self.hi {
                if v > self.lo {
                    out.push(((v - self.lo) / span, v));
                }
                v += step;
            }
        }
        out.push((1.0, self.value_at(1.0)));
        // Ticks too close to an end make its label unreadable.
        let n = out.len();
        out.into_iter()
            .enumerate()
            .filter(|(k, (t, _))| *k == 0 || *k == n - 1 || (0.06..=0.94).contains(t))
            .map(|(_, tick)| tick)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_blow_up_does_not_wash_out_the_rest() {
        // 99 converged cells between 1e-12 and 1e-2, one at 3e12.
        let mut values: Vec<f64> = (0..99)
            .map(|k| 10f64.powf(-12.0 + k as f64 / 9.8))
            .collect();
        values.push(3e12);
        let s = ColorScale::robust(&values, true).unwrap();
        assert!(s.hi < 0.0, "the top is set by the converged cells: {s:?}");
        // The converged cells spread over most of the scale.
        let spread = s.unit(values[90]) - s.unit(values[5]);
        assert!(spread > 0.8, "{spread}");
        assert_eq!(s.unit(3e12), 1.0);
    }

    #[test]
    fn linear_and_shifted_scales_invert_and_tick() {
        let s = ColorScale::robust(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], false).unwrap();
        assert!((s.value_at(s.unit(2.5)) - 2.5).abs() < 1e-12);
        let ticks = s.ticks();
        assert!(ticks.len() >= 3 && ticks.windows(2).all(|w| w[0].0 < w[1].0));
        // Negative losses (the saddles) on a log scale: shifted, still ordered.
        let s = ColorScale::robust(&[-5.0, -1.0, 0.0, 2.0], true).unwrap();
        assert!(s.shift < -5.0);
        assert!(s.unit(-5.0) < s.unit(-1.0) && s.unit(-1.0) < s.unit(2.0));
        assert!(ColorScale::robust(&[f64::NAN], true).is_none());
        // All equal: a window around the value, not a division by zero.
        let s = ColorScale::robust(&[3.0; 10], false).unwrap();
        assert!((s.unit(3.0) - 0.5).abs() < 1e-9);
    }
}
