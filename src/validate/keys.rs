//! Stage 2, validate: key fingerprints for unique fields, primary keys, unique keys, foreign keys
//! and duplicate rows. A key is remembered as a 64-bit fingerprint of its typed values (foldhash
//! with a fixed seed), so memory per remembered key is constant whatever the cell length (16 bytes
//! with the row it was seen at), and values equal in their type are equal keys (`1`, `01`, `1.0`
//! in a number field). Two different keys share a fingerprint with a probability of about
//! n²/2⁶⁵ — for a million keys, 3 in 100 million files.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::cell::Value;

/// A 64-bit fingerprint of a key.
pub type Fingerprint = u64;

/// Feeds one typed value (or the raw text where the type has no canonical form) to a hasher.
fn feed(h: &mut impl Hasher, value: Option<&Value>, raw: &str) {
    match value {
        None => 0u8.hash(h),
        Some(Value::Int(n)) => (1u8, *n).hash(h),
        // An integral number equals the integer of the same value, as in frictionless.
        Some(Value::Num(f)) if f.fract() == 0.0 && f.abs() < 1e30 => (1u8, *f as i128).hash(h),
        Some(Value::Num(f)) => (2u8, f.to_bits()).hash(h),
        Some(Value::Bool(b)) => (1u8, i128::from(*b)).hash(h),
        Some(Value::Year(y)) => (1u8, i128::from(*y)).hash(h),
        Some(Value::Text(s)) => (3u8, s).hash(h),
        Some(Value::Date(d)) => (4u8, d).hash(h),
        Some(Value::Time(t)) => (5u8, t).hash(h),
        Some(Value::DateTime(t)) => (6u8, t).hash(h),
        Some(Value::YearMonth(y, m)) => (7u8, y, m).hash(h),
        Some(Value::Items(_)) | Some(Value::Opaque(_)) => (8u8, raw).hash(h),
    }
}

/// The fingerprint of a key made of `(value, raw text)` parts: foldhash with a fixed seed
/// (deterministic across runs and machines).
pub fn fingerprint<'a>(
    parts: impl Iterator<Item = (Option<&'a Value<'a>>, &'a str)>,
) -> Fingerprint {
    use std::hash::BuildHasher;
    let mut h = foldhash::quality::FixedState::with_seed(0x6872_6f6d_6164_6174).build_hasher();
    for (value, raw) in parts {
        feed(&mut h, value, raw);
    }
    h.finish()
}

/// Hashes a fingerprint by taking its low bits: it is already a hash.
#[derive(Debug, Default, Clone, Copy)]
pub struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Build = std::hash::BuildHasherDefault<FingerprintHasher>;

/// Keys seen so far, with the row each was first seen at.
#[derive(Debug, Default)]
pub struct Seen(HashMap<Fingerprint, u32, Build>);

impl Seen {
    /// Records `key` at `row`; returns the earlier row when the key was seen before.
    pub fn insert(&mut self, key: Fingerprint, row: u64) -> Option<u64> {
        match self.0.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => Some(u64::from(*e.get())),
            std::collections::hash_map::Entry::Vacant(e) => {
                // Rows past 4 billion are remembered as the last representable row.
                e.insert(u32::try_from(row).unwrap_or(u32::MAX));
                None
            }
        }
    }

    /// True when `key` was recorded.
    pub fn contains(&self, key: &Fingerprint) -> bool {
        self.0.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(parts: &[(Option<Value>, &str)]) -> Fingerprint {
        fingerprint(parts.iter().map(|(v, r)| (v.as_ref(), *r)))
    }

    #[test]
    fn typed_equality() {
        assert_eq!(
            fp(&[(Some(Value::Int(1)), "1")]),
            fp(&[(Some(Value::Int(1)), "01")])
        );
        assert_eq!(
            fp(&[(Some(Value::Int(1)), "1")]),
            fp(&[(Some(Value::Num(1.0)), "1.0")])
        );
        assert_ne!(
            fp(&[(Some(Value::Int(1)), "1")]),
            fp(&[(Some(Value::Text("1")), "1")])
        );
        assert_ne!(
            fp(&[(Some(Value::Text("a")), "a"), (None, "")]),
            fp(&[(None, ""), (Some(Value::Text("a")), "a")])
        );
        assert_ne!(
            fp(&[(Some(Value::Text("ab")), "ab")]),
            fp(&[(Some(Value::Text("a")), "a"), (Some(Value::Text("b")), "b")])
        );
        let mut seen = Seen::default();
        assert_eq!(seen.insert(7, 2), None);
        assert_eq!(seen.insert(7, 5), Some(2));
    }
}
