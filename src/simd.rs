//! Hot loops compiled twice — for baseline x86-64 and for AVX2 + FMA — with the build picked
//! at run time: one predicate and one macro for every loop that wants wide registers (the
//! runner's vector passes, Adam over a model's parameters, the matrix kernels, a network's
//! batch). The body sees a `const` flag naming the build it is compiled into; without a call
//! to `mul_add` behind that flag both builds run the same operations in the same order, so
//! they give the same numbers bit for bit.

/// Whether this CPU runs the AVX2 + FMA builds.
#[inline]
pub fn fast() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    return false;
}

/// Defines `fn NAME[GENERICS](ARGS) -> RET { BODY }` compiled twice; `FLAG` is a `const bool`
/// the body can read: `true` in the AVX2 + FMA build, `false` in the baseline one.
///
/// ```text
/// twice! {
///     /// ‖v‖².
///     pub fn norm_sq(v: &[f64]) -> f64 where FMA { v.iter().map(|a| a * a).sum() }
/// }
/// ```
macro_rules! twice {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident $([$($generics:tt)*])? ($($arg:ident : $ty:ty),* $(,)?)
            $(-> $ret:ty)? where $flag:ident $body:block
    ) => {
        $(#[$meta])*
        #[inline]
        $vis fn $name $(<$($generics)*>)? ($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn wide $(<$($generics)*>)? ($($arg: $ty),*) $(-> $ret)? {
                #[allow(dead_code)]
                const $flag: bool = true;
                $body
            }
            #[cfg(target_arch = "x86_64")]
            if $crate::simd::fast() {
                // SAFETY: the CPU has AVX2 and FMA, checked just above.
                return unsafe { wide($($arg),*) };
            }
            #[allow(dead_code)]
            const $flag: bool = false;
            $body
        }
    };
}

pub(crate) use twice;

#[cfg(test)]
mod tests {
    twice! {
        /// Which build ran, and a sum.
        fn probe(v: &[f64]) -> (bool, f64) where WIDE {
            (WIDE, v.iter().sum())
        }
    }

    #[test]
    fn the_build_is_picked_by_the_cpu_and_both_compute_the_same() {
        let (wide, sum) = probe(&[1.0, 2.0, 3.5]);
        assert_eq!(wide, super::fast());
        assert_eq!(sum, 6.5);
    }
}
