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
    // Decades, thinned so labelled ones stay ~30 points apart (`base_step_size` is the data
    // span of egui_plot's smallest grid spacing, 8 points).
    let wanted = 4.0 * input.base_step_size;
    let every = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        .into_iter()
        .find(|e| *e >= wanted)
        .unwrap_or(100.0);
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
                // The real gap to the next multiple, which decides whether egui_plot has room to
                // label it.
                marks.push(GridMark {
                    value: v,
                    step_size: ((m + 1.0) / m).log10(),
                });
            }
        }
    }
    marks
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
}
