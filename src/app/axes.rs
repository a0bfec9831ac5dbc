//! Logarithmic plot axes: grid marks at 1, 2 and 5 × 10ᵏ and labels that read as numbers, so
//! an axis spanning less than a decade still has at least two labelled ticks.

use egui_plot::{GridInput, GridMark};

/// Grid marks for an axis whose values are log₁₀ of the data: decades when the range spans
/// many of them, otherwise 1, 2 and 5 × 10ᵏ (and every integer multiple under a decade and a
/// half), so a short range still gets several marks.
pub fn log_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let span = hi - lo;
    let multiples: &[f64] = if span > 6.0 {
        &[]
    } else if span > 1.5 {
        &[2.0, 5.0]
    } else {
        &[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    };
    // Decades, thinned so labelled ones stay ~20 points apart (`base_step_size` is the data
    // span of egui_plot's smallest grid spacing, 8 points), which egui_plot needs to label a
    // mark; and at least three labelled on a wide range.
    let wanted = LABEL_GAP / 8.0 * input.base_step_size;
    let every = decade_step(wanted);
    let mut marks = Vec::new();
    let (first, last) = (lo.floor() as i64, hi.ceil() as i64);
    for k in first..=last {
        let decade = k as f64;
        if decade >= lo && decade <= hi && (k as f64 / every).fract() == 0.0 {
            marks.push(GridMark {
                value: decade,
                step_size: every,
            });
        }
        for m in multiples {
            let v = decade + m.log10();
            if v >= lo && v <= hi {
                // The gap to the next labelled multiple (2 → 5 → 10) for the labelled ones, the
                // real gap to the next multiple for the rest: it decides whether egui_plot has
                // room to label a mark.
                let step_size = if *m == 2.0 || *m == 5.0 {
                    2f64.log10()
                } else {
                    ((m + 1.0) / m).log10()
                };
                marks.push(GridMark {
                    value: v,
                    step_size,
                });
            }
        }
    }
    marks
}

/// Grid marks at multiples of 1, 2 or 5 × 10ᵏ: the finest such step at least two of
/// egui_plot's smallest spacings (16 points) apart for the grid, and every coarser 1-2-5 step
/// for labels, so an axis over a short range still gets several labelled ticks (egui_plot's
/// own spacer steps by whole powers of ten: a map from −0.2 to 1.6 was labelled 0 and 1 only).
pub fn linear_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || input.base_step_size <= 0.0 {
        return Vec::new();
    }
    let steps = |from: f64| {
        let k = from.log10().floor();
        [1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
            .into_iter()
            .map(move |m| m * 10f64.powf(k))
            .filter(move |s| *s >= from)
    };
    let fine = steps(2.0 * input.base_step_size).next().unwrap_or(1.0);
    // Too many marks for the range (a bound far beyond the base step): none.
    if (hi - lo) / fine > 10_000.0 {
        return Vec::new();
    }
    // Coarser steps that nest (each a multiple of the one before), so the labels egui_plot
    // keeps are evenly spaced: 1, 2, 10, 20, 100 or 5, 10, 50, 100 (never 4, 5, 6).
    let mantissa = (fine / 10f64.powf(fine.log10().floor())).round();
    let chain: &[f64] = if mantissa == 5.0 {
        &[2.0, 10.0, 20.0, 100.0]
    } else if mantissa == 2.0 {
        &[5.0, 10.0, 50.0, 100.0]
    } else {
        &[2.0, 10.0, 20.0, 100.0]
    };
    let coarser: Vec<f64> = chain.iter().map(|m| m * fine).collect();
    let first = (lo / fine).ceil() as i64;
    let last = (hi / fine).floor() as i64;
    (first..=last)
        .map(|k| {
            let value = k as f64 * fine;
            // The coarsest step this mark is a multiple of: its label shows once there is room
            // for labels that far apart.
            let step_size = coarser
                .iter()
                .rev()
                .find(|s| ((value / **s).round() * **s - value).abs() < 1e-9 * s.abs())
                .copied()
                .unwrap_or(fine);
            GridMark {
                value: if value.abs() < 1e-12 * fine {
                    0.0
                } else {
                    value
                },
                step_size,
            }
        })
        .collect()
}

/// A tick's label on a linear axis: the number as short as it reads exactly at the marks
/// [`linear_marks`] makes (0.2, not 0.2000; 1e6, not 1000000), with the float noise of the
/// multiplication that made it rounded away.
pub fn tick_label(v: f64) -> String {
    let rounded = format!("{v:.9e}").parse::<f64>().unwrap_or(v);
    if rounded == 0.0 {
        "0".into()
    } else {
        crate::numbers::short(rounded)
    }
}

/// The gap between labelled marks on a y axis, in points (egui_plot's own default is 20 to
/// 30, which left two labels on the short plots of the presentation strip).
pub const LABEL_GAP: f64 = 16.0;

/// The y axis of a plot, labelled every [`LABEL_GAP`] points or so.
pub fn y_axis<'a>() -> egui_plot::AxisHints<'a> {
    egui_plot::AxisHints::new_y().label_spacing(LABEL_GAP as f32..=LABEL_GAP as f32 + 6.0)
}

/// Every how many decades a wide log axis has a labelled mark: the smallest of 1, 2, 5, 10, …
/// that is at least `wanted` decades.
fn decade_step(wanted: f64) -> f64 {
    [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        .into_iter()
        .find(|e| *e >= wanted)
        .unwrap_or(100.0)
}

/// The label of a mark on a log₁₀ axis: the number itself (0.002, 5, 1e5) for marks at 1, 2
/// or 5 × 10ᵏ, nothing for the finer ones when the axis is wide enough to be busy.
pub fn log_label(log10_value: f64, range: &std::ops::RangeInclusive<f64>) -> String {
    let v = 10f64.powf(log10_value);
    let mantissa = v / 10f64.powf(log10_value.floor());
    let near = |m: f64| (mantissa - m).abs() < 1e-6 * m || (mantissa - 10.0 * m).abs() < 1e-5;
    let span = range.end() - range.start();
    let labelled = if span > 1.5 {
        near(1.0) || (span <= 3.0 && (near(2.0) || near(5.0)))
    } else {
        true
    };
    if !labelled {
        return String::new();
    }
    // Round away the error of 10^(log10 v).
    let rounded = format!("{v:.3e}").parse::<f64>().unwrap_or(v);
    if (1e-3..1e5).contains(&rounded.abs()) {
        let text = format!("{rounded:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        // 1e-5, 2e6: the mantissa without trailing zeros.
        let text = format!("{rounded:e}");
        match text.split_once('e') {
            Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
            None => text,
        }
    }
}

/// The log₁₀ bounds of whole decades around positive values from `lowest` to `highest`, at
/// least one decade apart: an axis over them has several labelled ticks (1, 2, 5, 10).
pub fn decades(lowest: f64, highest: f64) -> (f64, f64) {
    if !(lowest > 0.0 && highest >= lowest && highest.is_finite()) {
        return (0.0, 1.0);
    }
    let lo = lowest.log10().floor();
    let hi = highest.log10().ceil().max(lo + 1.0);
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(lo: f64, hi: f64) -> Vec<f64> {
        log_marks(GridInput {
            bounds: (lo, hi),
            base_step_size: 0.01,
        })
        .into_iter()
        .map(|m| m.value)
        .collect()
    }

    #[test]
    fn less_than_a_decade_still_gets_labelled_ticks() {
        // From 0.3 to 0.9: the marks at 0.3 … 0.9 carry their numbers.
        let (lo, hi) = (0.3f64.log10(), 0.9f64.log10());
        let m = marks(lo, hi);
        let labels: Vec<String> = m.iter().map(|v| log_label(*v, &(lo..=hi))).collect();
        let shown: Vec<&String> = labels.iter().filter(|l| !l.is_empty()).collect();
        assert!(shown.len() >= 2, "{labels:?}");
        assert!(labels.contains(&"0.5".to_string()), "{labels:?}");
    }

    #[test]
    fn wide_ranges_label_decades() {
        let m = marks(-10.0, 2.0);
        assert!(m.contains(&-10.0) && m.contains(&0.0) && m.contains(&2.0));
        assert_eq!(log_label(-10.0, &(-10.0..=2.0)), "1e-10");
        assert_eq!(log_label(0.0, &(-10.0..=2.0)), "1");
        assert_eq!(log_label(2f64.log10(), &(-10.0..=2.0)), "");
        assert_eq!(log_label(4.0, &(-10.0..=6.0)), "10000");
        assert_eq!(log_label(6.0, &(-10.0..=6.0)), "1e6");
        assert!(marks(f64::NAN, 1.0).is_empty());
    }

    #[test]
    fn short_linear_ranges_get_several_labelled_marks() {
        // A map from −0.2 to 1.6, 24 points per 0.1 (base step 8 points = 0.033).
        let marks = linear_marks(GridInput {
            bounds: (-0.2, 1.6),
            base_step_size: 1.8 / 432.0 * 8.0,
        });
        // Labelled where the step is at least 16 points: 0.2 apart (48 points) or more.
        let labelled: Vec<f64> = marks
            .iter()
            .filter(|m| m.step_size * 432.0 / 1.8 >= 40.0)
            .map(|m| m.value)
            .collect();
        assert!(labelled.len() >= 3, "{labelled:?}");
        assert!(labelled.contains(&0.0) && labelled.contains(&1.0));
        assert!(
            linear_marks(GridInput {
                bounds: (1.0, 0.0),
                base_step_size: 0.1
            })
            .is_empty()
        );
    }

    #[test]
    fn decades_span_at_least_one() {
        assert_eq!(decades(24.2, 24.2), (1.0, 2.0));
        assert_eq!(decades(3e-13, 300.0), (-13.0, 3.0));
        assert_eq!(decades(0.5, 10.0), (-1.0, 1.0));
        assert_eq!(decades(-1.0, 5.0), (0.0, 1.0));
    }
}
