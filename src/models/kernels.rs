//! Dense f64 matrix products for the networks' forward and backward passes.
//!
//! Register-blocked: a tile of `MR × NR` results is accumulated in registers over the shared
//! dimension, reading each element of B once per `MR` rows, and the innermost loops run over
//! `NR` contiguous columns so the compiler turns them into vector instructions. On x86-64 the
//! same source is compiled a second time with AVX2 and FMA enabled and chosen at run time
//! (the default target has neither); elsewhere, or on older CPUs, the portable version runs.
//! The two differ only in rounding (a fused multiply-add rounds once), and each is
//! deterministic, so a seed still gives the same numbers on the same machine.

/// How the left operand is read: `A(i, p)` for row i of the result and shared index p.
trait Left {
    /// The `R` entries A(i0..i0+R, p).
    fn load<const R: usize>(&self, i0: usize, p: usize) -> [f64; R];
}

/// A stored row-major `m × k`: A(i, p) = a[i·k + p].
struct Rows<'a> {
    a: &'a [f64],
    k: usize,
}

impl Left for Rows<'_> {
    #[inline(always)]
    fn load<const R: usize>(&self, i0: usize, p: usize) -> [f64; R] {
        let mut out = [0.0; R];
        for (r, o) in out.iter_mut().enumerate() {
            *o = self.a[(i0 + r) * self.k + p];
        }
        out
    }
}

/// A stored row-major `k × m`, used transposed: A(i, p) = a[p·m + i].
struct Cols<'a> {
    a: &'a [f64],
    m: usize,
}

impl Left for Cols<'_> {
    #[inline(always)]
    fn load<const R: usize>(&self, i0: usize, p: usize) -> [f64; R] {
        let start = p * self.m + i0;
        let mut out = [0.0; R];
        out.copy_from_slice(&self.a[start..start + R]);
        out
    }
}

/// a·b + c, fused when `FMA` (only ever true inside a function compiled with FMA enabled).
#[inline(always)]
fn madd<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// One `MR × NR` tile of C at (i0, j0): C (=|+=) Σₚ A(i, p)·B[p, j].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tile<const MR: usize, const NR: usize, const FMA: bool, L: Left>(
    left: &L,
    b: &[f64],
    c: &mut [f64],
    k: usize,
    n: usize,
    i0: usize,
    j0: usize,
    accumulate: bool,
) {
    let mut acc = [[0.0f64; NR]; MR];
    for p in 0..k {
        let start = p * n + j0;
        let mut brow = [0.0; NR];
        brow.copy_from_slice(&b[start..start + NR]);
        let av: [f64; MR] = left.load::<MR>(i0, p);
        for r in 0..MR {
            for j in 0..NR {
                acc[r][j] = madd::<FMA>(av[r], brow[j], acc[r][j]);
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        let start = (i0 + r) * n + j0;
        let out = &mut c[start..start + NR];
        if accumulate {
            out.iter_mut().zip(row).for_each(|(o, v)| *o += v);
        } else {
            out.copy_from_slice(row);
        }
    }
}

/// Every row block of columns `j0..j0 + NR`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn column_block<const NR: usize, const FMA: bool, L: Left>(
    left: &L,
    b: &[f64],
    c: &mut [f64],
    m: usize,
    k: usize,
    n: usize,
    j0: usize,
    accumulate: bool,
) {
    let mut i = 0;
    while i + 4 <= m {
        tile::<4, NR, FMA, L>(left, b, c, k, n, i, j0, accumulate);
        i += 4;
    }
    while i < m {
        tile::<1, NR, FMA, L>(left, b, c, k, n, i, j0, accumulate);
        i += 1;
    }
}

/// C (m × n) (=|+=) A · B for B `k × n` row-major, A read through `left`.
#[inline(always)]
fn product<const FMA: bool, L: Left>(
    left: &L,
    b: &[f64],
    c: &mut [f64],
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
) {
    let mut j = 0;
    while j + 8 <= n {
        column_block::<8, FMA, L>(left, b, c, m, k, n, j, accumulate);
        j += 8;
    }
    if j + 4 <= n {
        column_block::<4, FMA, L>(left, b, c, m, k, n, j, accumulate);
        j += 4;
    }
    if j + 2 <= n {
        column_block::<2, FMA, L>(left, b, c, m, k, n, j, accumulate);
        j += 2;
    }
    if j < n {
        column_block::<1, FMA, L>(left, b, c, m, k, n, j, accumulate);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn product_avx2<L: Left>(
    left: &L,
    b: &[f64],
    c: &mut [f64],
    dims: (usize, usize, usize),
    accumulate: bool,
) {
    product::<true, L>(left, b, c, dims, accumulate)
}

/// Whether this CPU runs the AVX2 + FMA build of the kernels.
#[cfg(target_arch = "x86_64")]
pub fn fast_path() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// Whether this CPU runs the AVX2 + FMA build of the kernels.
#[cfg(not(target_arch = "x86_64"))]
pub fn fast_path() -> bool {
    false
}

/// Runs the product with the best kernel this CPU has.
#[inline]
fn dispatch<L: Left>(
    left: &L,
    b: &[f64],
    c: &mut [f64],
    dims: (usize, usize, usize),
    accumulate: bool,
) {
    let (m, k, n) = dims;
    assert!(b.len() >= k * n && c.len() >= m * n, "matrix sizes");
    #[cfg(target_arch = "x86_64")]
    if fast_path() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        unsafe { product_avx2(left, b, c, dims, accumulate) };
        return;
    }
    product::<false, L>(left, b, c, dims, accumulate)
}

/// C (m × n) = A (m × k) · B (k × n), or C += … when `accumulate`; all row-major.
pub fn matmul(a: &[f64], b: &[f64], c: &mut [f64], dims: (usize, usize, usize), accumulate: bool) {
    let (m, k, _) = dims;
    assert!(a.len() >= m * k, "matrix sizes");
    dispatch(&Rows { a, k }, b, c, dims, accumulate)
}

/// C (m × n) = Aᵀ · B for A stored `k × m` and B `k × n`, or C += … when `accumulate`.
pub fn matmul_tn(
    a: &[f64],
    b: &[f64],
    c: &mut [f64],
    dims: (usize, usize, usize),
    accumulate: bool,
) {
    let (m, k, _) = dims;
    assert!(a.len() >= m * k, "matrix sizes");
    dispatch(&Cols { a, m }, b, c, dims, accumulate)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook triple loop.
    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn filled(len: usize, salt: f64) -> Vec<f64> {
        (0..len)
            .map(|i| ((i as f64 + salt) * 0.7317).sin())
            .collect()
    }

    #[test]
    fn products_match_the_triple_loop_for_every_edge_shape() {
        for (m, k, n) in [
            (1, 1, 1),
            (5, 3, 10),
            (32, 64, 32),
            (7, 9, 13),
            (4, 2, 8),
            (3, 5, 1),
        ] {
            let a = filled(m * k, 1.0);
            let b = filled(k * n, 2.0);
            let want = naive(&a, &b, m, k, n);
            let mut c = vec![9.0; m * n];
            matmul(&a, &b, &mut c, (m, k, n), false);
            for (x, y) in c.iter().zip(&want) {
                assert!((x - y).abs() < 1e-12, "{m}×{k}×{n}");
            }
            matmul(&a, &b, &mut c, (m, k, n), true);
            for (x, y) in c.iter().zip(&want) {
                assert!((x - 2.0 * y).abs() < 1e-12);
            }
            // Aᵀ stored k × m.
            let mut at = vec![0.0; k * m];
            for i in 0..m {
                for p in 0..k {
                    at[p * m + i] = a[i * k + p];
                }
            }
            let mut c2 = vec![0.0; m * n];
            matmul_tn(&at, &b, &mut c2, (m, k, n), false);
            for (x, y) in c2.iter().zip(&want) {
                assert!((x - y).abs() < 1e-12);
            }
        }
    }
}
