//! Stage 2, validate: key fingerprints for unique fields, primary keys, unique keys, foreign keys
//! and duplicate rows. A key is remembered as a 64-bit fingerprint of its typed values (foldhash
//! with a fixed seed), so memory per remembered key is constant whatever the cell length (16 bytes
//! with the row it was seen at), and values equal in their type are equal keys (`1`, `01`, `1.0`
//! in a number field). Two different keys share a fingerprint with a probability of about
//! n²/2⁶⁵ — for a million keys, 3 in 100 million files.

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

/// Keys seen so far, with the row each was first seen at: an open-addressing table of
/// `[fingerprint, row]` slots probed linearly, as many slots as a three-quarters load needs (not
/// a power of two: rounded up, a 3.2-million-key table took 128 MiB instead of 68). A lookup touches one cache line; a general hash
/// map keeps its control bytes apart and costs a second cache miss per key once the table
/// outgrows the cache (measured: 10% of a million-row validation). Fingerprint 0 marks an empty
/// slot, so a key whose fingerprint is 0 is stored as `EMPTY_STAND_IN`.
#[derive(Debug, Default)]
pub struct Seen {
    slots: Vec<[u64; 2]>,
    len: usize,
}

const EMPTY_STAND_IN: u64 = 0x9e37_79b9_7f4a_7c15;

impl Seen {
    /// Makes room for `keys` keys without growing (a guess from the file's size).
    pub fn reserve(&mut self, keys: usize) {
        let wanted = slots_for(self.len + keys);
        if wanted > self.slots.len() {
            self.rebuild(wanted);
        }
    }

    /// Records `key` at `row`; returns the earlier row when the key was seen before.
    pub fn insert(&mut self, key: Fingerprint, row: u64) -> Option<u64> {
        if slots_for(self.len + 1) > self.slots.len() {
            self.rebuild(slots_for(self.len + 1).max(self.slots.len() * 2));
        }
        let key = if key == 0 { EMPTY_STAND_IN } else { key };
        let mut i = home(key, self.slots.len());
        loop {
            let slot = &mut self.slots[i];
            if slot[0] == key {
                return Some(slot[1]);
            }
            if slot[0] == 0 {
                *slot = [key, row];
                self.len += 1;
                return None;
            }
            i = next(i, self.slots.len());
        }
    }

    /// Asks the processor to bring `key`'s slot into the cache (a hint: nothing changes).
    pub fn prefetch(&self, key: Fingerprint) {
        if self.slots.is_empty() {
            return;
        }
        let key = if key == 0 { EMPTY_STAND_IN } else { key };
        let slot = &self.slots[home(key, self.slots.len())];
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            // SAFETY: SSE is part of every x86_64 processor, and a prefetch of a valid
            // address neither reads nor writes memory as far as the program can tell.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(slot.as_ptr().cast()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    /// True when `key` was recorded.
    pub fn contains(&self, key: &Fingerprint) -> bool {
        let key = if *key == 0 { EMPTY_STAND_IN } else { *key };
        if self.slots.is_empty() {
            return false;
        }
        let mut i = home(key, self.slots.len());
        loop {
            match self.slots[i][0] {
                0 => return false,
                k if k == key => return true,
                _ => i = next(i, self.slots.len()),
            }
        }
    }

    fn rebuild(&mut self, slots: usize) {
        // Written, not `calloc`ed: lazily zeroed pages fault twice (read, then copy on write),
        // and with other threads running each second fault flushes every core's TLB (measured:
        // 3% of a million-row validation).
        let mut fresh = Vec::with_capacity(slots);
        fresh.resize(slots, [0u64; 2]);
        let old = std::mem::replace(&mut self.slots, fresh);
        for slot in old.into_iter().filter(|s| s[0] != 0) {
            let mut i = home(slot[0], slots);
            while self.slots[i][0] != 0 {
                i = next(i, slots);
            }
            self.slots[i] = slot;
        }
    }
}

/// Slots for `keys` keys: at most three quarters full.
fn slots_for(keys: usize) -> usize {
    (keys.saturating_mul(4) / 3 + 1).max(16)
}

/// The first slot of `key` among `slots`: its fingerprint scaled to the table (the high bits of
/// a 64 × 64-bit product; fingerprints are already well mixed, so any table size spreads them).
fn home(key: Fingerprint, slots: usize) -> usize {
    ((u128::from(key) * slots as u128) >> 64) as usize
}

/// The slot after `i`, wrapping around.
fn next(i: usize, slots: usize) -> usize {
    if i + 1 == slots {
        0
    } else {
        i + 1
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

    #[test]
    fn seen_keeps_first_rows_through_growth() {
        let mut seen = Seen::default();
        // Keys that share low bits collide in the table; 0 is a key like any other.
        let keys: Vec<u64> = (1..5000u64)
            .map(|i| i << 20)
            .chain([0, 1, u64::MAX])
            .collect();
        for (row, k) in keys.iter().enumerate() {
            assert_eq!(seen.insert(*k, row as u64), None, "key {k}");
        }
        for (row, k) in keys.iter().enumerate() {
            assert!(seen.contains(k));
            assert_eq!(seen.insert(*k, 999_999), Some(row as u64));
        }
        assert!(!seen.contains(&12345));
        let mut reserved = Seen::default();
        reserved.reserve(100_000);
        let slots = reserved.slots.len();
        for k in 1..=100_000u64 {
            reserved.insert(k.wrapping_mul(0x9e37_79b9_7f4a_7c15), k);
        }
        assert_eq!(reserved.slots.len(), slots, "no growth after reserve");
    }
}
