//! Numbers as text: the one short form that reads back bit-identically, for CSV cells, JSON
//! and messages alike (1e308 is `1e308`, not 309 digits).

/// Formats a number so that it reads back bit-identically, in plain or exponent notation.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || (1e-4..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// A number for a message: exact like [`num`], but in exponent notation from a million up
/// and below a thousandth, so a limit reads `1e12`, not `1000000000000`.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || !v.is_finite() || (1e-3..1e6).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// A number that displays as [`short`] writes it, for messages built with `format!`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&short(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_exact() {
        assert_eq!(num(1e308), "1e308");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(1e-7), "1e-7");
        assert_eq!(Num(f64::NAN).to_string(), "NaN");
        assert_eq!(Num(1e12).to_string(), "1e12");
        assert_eq!(Num(1e-6).to_string(), "1e-6");
        assert_eq!(Num(-1.0).to_string(), "-1");
        for v in [0.1 + 0.2, 1e300, -3.5e-12, 12345.678] {
            assert_eq!(num(v).parse::<f64>().unwrap(), v);
        }
    }
}
