//! βᵗ for bias corrections, as a running product instead of a `powf` per step.

/// βᵗ kept as a running product; recomputed directly when steps are not consecutive.
#[derive(Clone, Copy, Debug)]
pub struct Power {
    beta: f64,
    t: u64,
    value: f64,
}

impl Power {
    /// β⁰ = 1.
    pub fn new(beta: f64) -> Self {
        Self {
            beta,
            t: 0,
            value: 1.0,
        }
    }

    /// βᵗ.
    #[inline]
    pub fn at(&mut self, t: u64) -> f64 {
        if t == self.t + 1 {
            self.value *= self.beta;
            self.t = t;
        } else if t != self.t {
            self.jump(t);
        }
        self.value
    }

    /// βᵗ computed directly, for steps that are not consecutive.
    #[cold]
    #[inline(never)]
    fn jump(&mut self, t: u64) {
        self.value = self.beta.powf(t as f64);
        self.t = t;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_powf_in_order_and_out_of_order() {
        let mut p = Power::new(0.999);
        for t in 1..=5000u64 {
            let want = 0.999f64.powf(t as f64);
            assert!((p.at(t) - want).abs() <= 1e-12 * want, "t={t}");
        }
        assert_eq!(p.at(3), 0.999f64.powf(3.0));
        assert_eq!(p.at(3), 0.999f64.powf(3.0));
    }
}
