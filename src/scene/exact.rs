//! Fixed-length lists of numbers in files, read exactly: `start = [1, 2, 3]` is refused with
//! what was expected instead of being cut to `[1, 2]`.

use serde::{Deserialize, Deserializer, de::Error};
use std::collections::BTreeMap;

/// `N` numbers from a list that must hold exactly `N`.
fn exact<E: Error, const N: usize>(v: Vec<f64>) -> Result<[f64; N], E> {
    let len = v.len();
    v.try_into()
        .map_err(|_| E::custom(format!("expected {N} numbers, found {len}")))
}

/// Reads `[a, b, …]` of exactly `N` numbers.
pub fn array<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[f64; N], D::Error> {
    exact(Vec::<f64>::deserialize(d)?)
}

/// Reads an optional `[a, b, …]` of exactly `N` numbers.
pub fn option_array<'de, D: Deserializer<'de>, const N: usize>(
    d: D,
) -> Result<Option<[f64; N]>, D::Error> {
    Option::<Vec<f64>>::deserialize(d)?.map(exact).transpose()
}

/// Reads a table of `name = [a, b]` pairs, each of exactly two numbers.
pub fn pairs<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, [f64; 2]>, D::Error> {
    BTreeMap::<String, Vec<f64>>::deserialize(d)?
        .into_iter()
        .map(|(k, v)| exact(v).map(|p| (k, p)))
        .collect()
}
