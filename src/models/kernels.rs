//! Dense matrix products for the networks' forward and backward passes, in f32 or f64.
//!
//! Register-blocked: a tile of `MR × NR` results is accumulated in registers over the shared
//! dimension, reading each element of B once per `MR` rows, and the innermost loops run over
//! `NR` contiguous columns so the compiler turns them into vector instructions (`NR` up to 16
//! for f32, 8 for f64: two AVX registers per row either way). On x86-64 the same source is
//! compiled a second time with AVX2 and FMA enabled and chosen at run time ([`crate::simd`];
//! the default target has neither); elsewhere, or on older CPUs, the portable version runs. The two
//! differ only in rounding (a fused multiply-add rounds once), and each is deterministic, so
//! a seed still gives the same numbers on the same machine.

use super::real::Real;
use crate::simd::twice;

/// How the left operand is read: `A(i, p)` for row i of the result and shared index p.
trait Left<T: Real> {
    /// A view of rows `i0..i0 + R` that loads their entries at each p.
    type Panel<'s, const R: usize>: Panel<T, R>
    where
        Self: 's;

    /// The panel of rows `i0..i0 + R`.
    fn panel<const R: usize>(&self, i0: usize) -> Self::Panel<'_, R>;
}

/// Rows `i0..i0 + R` of A, read one shared index at a time.
trait Panel<T: Real, const R: usize> {
    /// A(i0..i0 + R, p).
    ///
    /// # Safety
    /// `p < k` and the panel's rows lie inside A (as [`dispatch`] and the loops ensure).
    unsafe fn load(&self, p: usize) -> [T; R];
}

/// A stored row-major `m × k`: A(i, p) = a[i·k + p].
struct Rows<'a, T> {
    a: &'a [T],
    k: usize,
}

/// `R` row slices of length k (so indexing by p < k needs no further checks).
struct RowPanel<'a, T, const R: usize>([&'a [T]; R]);

impl<T: Real, const R: usize> Panel<T, R> for RowPanel<'_, T, R> {
    #[inline(always)]
    unsafe fn load(&self, p: usize) -> [T; R] {
        let mut out = [T::ZERO; R];
        for (o, row) in out.iter_mut().zip(&self.0) {
            // SAFETY: each row has k entries and p < k (the caller's contract).
            *o = unsafe { *row.get_unchecked(p) };
        }
        out
    }
}

impl<T: Real> Left<T> for Rows<'_, T> {
    type Panel<'s, const R: usize>
        = RowPanel<'s, T, R>
    where
        Self: 's;

    #[inline(always)]
    fn panel<const R: usize>(&self, i0: usize) -> RowPanel<'_, T, R> {
        let mut rows: [&[T]; R] = [&[]; R];
        for (r, row) in rows.iter_mut().enumerate() {
            let start = (i0 + r) * self.k;
            *row = &self.a[start..start + self.k];
        }
        RowPanel(rows)
    }
}

/// A stored row-major `k × m`, used transposed: A(i, p) = a[p·m + i].
struct Cols<'a, T> {
    a: &'a [T],
    m: usize,
}

/// Columns `i0..i0 + R` of the stored matrix.
struct ColPanel<'a, T> {
    a: &'a [T],
    m: usize,
    i0: usize,
}

impl<T: Real, const R: usize> Panel<T, R> for ColPanel<'_, T> {
    #[inline(always)]
    unsafe fn load(&self, p: usize) -> [T; R] {
        let start = p * self.m + self.i0;
        debug_assert!(start + R <= self.a.len());
        // SAFETY: a holds k·m entries, p < k and i0 + R ≤ m, so start + R ≤ k·m; an array
        // of T has T's alignment.
        unsafe { self.a.as_ptr().add(start).cast::<[T; R]>().read() }
    }
}

impl<T: Real> Left<T> for Cols<'_, T> {
    type Panel<'s, const R: usize>
        = ColPanel<'s, T>
    where
        Self: 's;

    #[inline(always)]
    fn panel<const R: usize>(&self, i0: usize) -> ColPanel<'_, T> {
        ColPanel {
            a: self.a,
            m: self.m,
            i0,
        }
    }
}

/// a·b + c, fused when `FMA` (only ever true inside a function compiled with FMA enabled).
#[inline(always)]
fn madd<const FMA: bool, T: Real>(a: T, b: T, c: T) -> T {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// One `MR × NR` tile of C at (i0, j0): C (=|+=) Σₚ A(i, p)·B[p, j].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tile<const MR: usize, const NR: usize, const FMA: bool, T: Real, L: Left<T>>(
    left: &L,
    b: &[T],
    c: &mut [T],
    k: usize,
    n: usize,
    i0: usize,
    j0: usize,
    init: Init<'_, T>,
) {
    let panel = left.panel::<MR>(i0);
    let mut acc = [[T::ZERO; NR]; MR];
    if let Init::Bias(bias) = init {
        let mut row = [T::ZERO; NR];
        row.copy_from_slice(&bias[j0..j0 + NR]);
        acc = [row; MR];
    }
    for p in 0..k {
        let start = p * n + j0;
        debug_assert!(start + NR <= b.len());
        // SAFETY: dispatch checked b.len() ≥ k·n; p < k and j0 + NR ≤ n, so start + NR ≤ k·n.
        // Unchecked because the checks, once per shared index, cost as much as the loads.
        let brow = unsafe { b.as_ptr().add(start).cast::<[T; NR]>().read() };
        // SAFETY: p < k, and the panel's rows i0..i0 + MR are rows of A.
        let av: [T; MR] = unsafe { panel.load(p) };
        for r in 0..MR {
            for j in 0..NR {
                acc[r][j] = madd::<FMA, T>(av[r], brow[j], acc[r][j]);
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        let start = (i0 + r) * n + j0;
        let out = &mut c[start..start + NR];
        if matches!(init, Init::Add) {
            out.iter_mut().zip(row).for_each(|(o, &v)| *o += v);
        } else {
            out.copy_from_slice(row);
        }
    }
}

/// Every row block of columns `j0..j0 + NR`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn column_block<const NR: usize, const FMA: bool, T: Real, L: Left<T>>(
    left: &L,
    b: &[T],
    c: &mut [T],
    m: usize,
    k: usize,
    n: usize,
    j0: usize,
    init: Init<'_, T>,
) {
    let mut i = 0;
    while i + 6 <= m {
        tile::<6, NR, FMA, T, L>(left, b, c, k, n, i, j0, init);
        i += 6;
    }
    if i + 4 <= m {
        tile::<4, NR, FMA, T, L>(left, b, c, k, n, i, j0, init);
        i += 4;
    }
    if i + 2 <= m {
        tile::<2, NR, FMA, T, L>(left, b, c, k, n, i, j0, init);
        i += 2;
    }
    if i < m {
        tile::<1, NR, FMA, T, L>(left, b, c, k, n, i, j0, init);
    }
}

/// C (m × n) (=|+=) A · B for B `k × n` row-major, A read through `left`.
#[inline(always)]
fn product<const FMA: bool, T: Real, L: Left<T>>(
    left: &L,
    b: &[T],
    c: &mut [T],
    (m, k, n): (usize, usize, usize),
    init: Init<'_, T>,
) {
    let mut j = 0;
    if T::WIDE_TILES {
        while j + 16 <= n {
            column_block::<16, FMA, T, L>(left, b, c, m, k, n, j, init);
            j += 16;
        }
    }
    while j + 8 <= n {
        column_block::<8, FMA, T, L>(left, b, c, m, k, n, j, init);
        j += 8;
    }
    if j + 4 <= n {
        column_block::<4, FMA, T, L>(left, b, c, m, k, n, j, init);
        j += 4;
    }
    if j + 2 <= n {
        column_block::<2, FMA, T, L>(left, b, c, m, k, n, j, init);
        j += 2;
    }
    if j < n {
        column_block::<1, FMA, T, L>(left, b, c, m, k, n, j, init);
    }
}

twice! {
    /// [`product`] in the best build for this CPU: fused multiply-adds where it has them.
    fn product_fast[T: Real, L: Left<T>](
        left: &L,
        b: &[T],
        c: &mut [T],
        dims: (usize, usize, usize),
        init: Init<'_, T>,
    ) where FMA {
        product::<FMA, T, L>(left, b, c, dims, init)
    }
}

/// Whether `v` has at least `rows × cols` entries (false if that overflows).
fn holds<T>(v: &[T], rows: usize, cols: usize) -> bool {
    rows.checked_mul(cols).is_some_and(|len| v.len() >= len)
}

/// Runs the product with the best kernel this CPU has.
#[inline]
fn dispatch<T: Real, L: Left<T>>(
    left: &L,
    b: &[T],
    c: &mut [T],
    dims: (usize, usize, usize),
    init: Init<'_, T>,
) {
    let (m, k, n) = dims;
    assert!(holds(b, k, n) && holds(c, m, n), "matrix sizes");
    if let Init::Bias(bias) = init {
        assert!(bias.len() >= n, "bias size");
    }
    product_fast(left, b, c, dims, init)
}

/// What C starts from before the product is added.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init<'a, T> {
    /// C = A·B.
    Zero,
    /// C += A·B.
    Add,
    /// C = A·B + 1·biasᵀ (the bias row added to every row).
    Bias(&'a [T]),
}

/// C (m × n) = A (m × k) · B (k × n), all row-major, starting from `init`.
pub fn matmul<T: Real>(
    a: &[T],
    b: &[T],
    c: &mut [T],
    dims: (usize, usize, usize),
    init: Init<'_, T>,
) {
    let (m, k, _) = dims;
    assert!(holds(a, m, k), "matrix sizes");
    dispatch(&Rows { a, k }, b, c, dims, init)
}

/// C (m × n) = Aᵀ · B for A stored `k × m` and B `k × n`, starting from `init`.
pub fn matmul_tn<T: Real>(
    a: &[T],
    b: &[T],
    c: &mut [T],
    dims: (usize, usize, usize),
    init: Init<'_, T>,
) {
    let (m, k, _) = dims;
    assert!(holds(a, m, k), "matrix sizes");
    dispatch(&Cols { a, m }, b, c, dims, init)
}

/// eˣ for x ≤ 0 (the shifted logits of a softmax), within 2 ulp of `f64::exp`; arguments
/// below −708 give e^−708 (≈ 3e−308) instead of a subnormal. Written branch-free so that it
/// vectorises: Cody–Waite reduction x = n·ln2 + r with |r| ≤ ln2/2, a degree-13 Taylor
/// polynomial for eʳ (truncation error < 5e−18), and 2ⁿ built from the exponent bits.
#[inline(always)]
fn exp_nonpositive<const FMA: bool>(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 1.5·2⁵²: adding it rounds to an integer that then sits in the low mantissa bits.
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    let x = x.clamp(-708.0, 0.0);
    let t = madd::<FMA, f64>(x, LOG2E, SHIFTER);
    let n = t - SHIFTER;
    let r = madd::<FMA, f64>(-n, LN2_LO, madd::<FMA, f64>(-n, LN2_HI, x));
    // Horner over 1/k! for k = 13 … 0.
    const C: [f64; 14] = [
        1.0 / 6_227_020_800.0,
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ];
    let mut p = C[0];
    for &c in &C[1..] {
        p = madd::<FMA, f64>(p, r, c);
    }
    // n is in [−1022, 0]: 2ⁿ is a normal number with biased exponent n + 1023.
    let n_int = t.to_bits().wrapping_sub(SHIFTER.to_bits());
    let scale = f64::from_bits(n_int.wrapping_add(1023) << 52);
    p * scale
}

/// Replaces every v (all ≤ 0) by eᵛ, vectorised; see [`exp_nonpositive`] for accuracy.
#[inline(always)]
fn exp_all<const FMA: bool>(v: &mut [f64]) {
    v.iter_mut().for_each(|x| *x = exp_nonpositive::<FMA>(*x));
}

twice! {
    /// Replaces every value v ≤ 0 of `v` by eᵛ (to within 2 ulp), vectorised; values above 0
    /// are treated as 0 and values below −708 as −708.
    pub fn exp_nonpositive_in_place(v: &mut [f64]) where FMA {
        exp_all::<FMA>(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook triple loop, in f64.
    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    /// Values in [−1, 1] that are exact in f32 (so both types multiply the same numbers).
    fn filled(len: usize, salt: f64) -> Vec<f64> {
        (0..len)
            .map(|i| f64::from(((i as f64 + salt) * 0.7317).sin() as f32))
            .collect()
    }

    /// Every product and start against the triple loop, in `T`, within `tol` per unit of k.
    fn check_products<T: Real>(tol: f64) {
        let to = |v: &[f64]| v.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>();
        for (m, k, n) in [
            (1, 1, 1),
            (5, 3, 10),
            (32, 64, 32),
            (7, 9, 13),
            (4, 2, 8),
            (3, 5, 1),
            (6, 4, 40),
            (13, 7, 19),
        ] {
            let tol = tol * k as f64;
            let a = filled(m * k, 1.0);
            let b = filled(k * n, 2.0);
            let want = naive(&a, &b, m, k, n);
            let close = |got: &[T], scale: f64, shift: &dyn Fn(usize) -> f64| {
                for (i, (x, y)) in got.iter().zip(&want).enumerate() {
                    let (x, y) = (x.to_f64(), scale * y + shift(i));
                    let ok = (x - y).abs() < tol * (1.0 + y.abs());
                    assert!(ok, "{m}×{k}×{n} at {i}: {x} vs {y}");
                }
            };
            let (at, bt) = (to(&a), to(&b));
            let mut c = vec![T::from_f64(9.0); m * n];
            matmul(&at, &bt, &mut c, (m, k, n), Init::Zero);
            close(&c, 1.0, &|_| 0.0);
            matmul(&at, &bt, &mut c, (m, k, n), Init::Add);
            close(&c, 2.0, &|_| 0.0);
            // The portable build too (the dispatch picks AVX2 on CPUs that have it).
            let mut p = vec![T::ZERO; m * n];
            product::<false, T, _>(&Rows { a: &at, k }, &bt, &mut p, (m, k, n), Init::Zero);
            close(&p, 1.0, &|_| 0.0);
            // Aᵀ stored k × m.
            let mut a_t = vec![T::ZERO; k * m];
            for i in 0..m {
                for p in 0..k {
                    a_t[p * m + i] = at[i * k + p];
                }
            }
            let mut c2 = vec![T::ZERO; m * n];
            matmul_tn(&a_t, &bt, &mut c2, (m, k, n), Init::Zero);
            close(&c2, 1.0, &|_| 0.0);
            let bias: Vec<T> = (0..n).map(|j| T::from_f64(j as f64)).collect();
            matmul_tn(&a_t, &bt, &mut c2, (m, k, n), Init::Bias(&bias));
            close(&c2, 1.0, &|i| (i % n) as f64);
            matmul(&at, &bt, &mut c2, (m, k, n), Init::Bias(&bias));
            close(&c2, 1.0, &|i| (i % n) as f64);
        }
    }

    #[test]
    fn exp_matches_std_within_two_ulp() {
        let mut xs: Vec<f64> = (0..20_000)
            .map(|i| -708.0 * (i as f64 / 19_999.0))
            .collect();
        xs.extend((0..1000).map(|i| -(i as f64) * 1e-3));
        xs.extend([0.0, -1e-300, -0.5 * std::f64::consts::LN_2, -700.25]);
        let mut got = xs.clone();
        exp_nonpositive_in_place(&mut got);
        let mut portable = xs.clone();
        exp_all::<false>(&mut portable);
        for ((x, g), p) in xs.iter().zip(&got).zip(&portable) {
            let want = x.exp();
            for v in [g, p] {
                let ulps = (v.to_bits() as i64 - want.to_bits() as i64).abs();
                assert!(ulps <= 2, "exp({x}) = {v}, std {want} ({ulps} ulp)");
            }
        }
        let mut big = [-800.0, 1.0];
        exp_nonpositive_in_place(&mut big);
        assert!(big[0] > 0.0 && big[0] < 1e-307 && big[1] == 1.0);
    }

    #[test]
    fn products_match_the_triple_loop_for_every_edge_shape() {
        check_products::<f64>(1e-14);
        // f32 keeps 24 bits: each of the k terms may add about 2⁻²⁴ of its size.
        check_products::<f32>(2e-7);
    }
}
