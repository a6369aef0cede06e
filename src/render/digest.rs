//! Stage 4, render: the digest of a page's context for the build cache's memo (`Memo::page_key`).
//! The context is fed to SHA-256 in a compact binary encoding of serde's data model instead of
//! JSON: at national scale a one-file rebuild serialised half a gigabyte of contexts, and most of
//! that time went to JSON's string escaping.
//!
//! Invariant: the encoding is prefix-free, so two different values never feed the same bytes:
//! every value starts with a tag naming its kind, text and bytes carry their length (LEB128, as
//! integers are: no more bytes than JSON's text), and lists, maps and structs end with a tag no
//! element can start with (their fields are tagged too).

use serde::ser::{self, Serialize};
use sha2::Digest as _;

/// The tags of the encoding, one byte before each value.
mod tag {
    pub const FALSE: u8 = 0;
    pub const TRUE: u8 = 1;
    pub const INT: u8 = 2;
    pub const UINT: u8 = 3;
    pub const FLOAT: u8 = 4;
    pub const CHAR: u8 = 5;
    pub const STR: u8 = 6;
    pub const BYTES: u8 = 7;
    pub const NONE: u8 = 8;
    pub const SOME: u8 = 9;
    pub const UNIT: u8 = 10;
    pub const VARIANT: u8 = 11;
    pub const NAMED: u8 = 12;
    pub const SEQ: u8 = 13;
    pub const MAP: u8 = 14;
    pub const STRUCT: u8 = 15;
    pub const FIELD: u8 = 16;
    pub const END: u8 = 17;
}

/// Feeds `value`'s encoding into `hasher`; `false` when the value cannot be serialised.
pub fn feed<S: Serialize + ?Sized>(hasher: &mut sha2::Sha256, value: &S) -> bool {
    let mut e = Encoder {
        hasher,
        buf: Vec::with_capacity(BUFFER),
    };
    let ok = value.serialize(&mut e).is_ok();
    e.hasher.update(&e.buf);
    ok
}

/// The SHA-256 of `value`'s encoding (what `feed` gives it); `None` when it cannot be
/// serialised. For a value many contexts share, fed to them by this digest (see `Digested`).
pub fn of<S: Serialize + ?Sized>(value: &S) -> Option<[u8; 32]> {
    let mut h = sha2::Sha256::new();
    feed(&mut h, value).then(|| h.finalize().into())
}

/// A value shared by many contexts with its digest (`of`), made once: a page's context renders
/// the value, and its key takes the digest in the value's place (the key's encoding is the one
/// serialisation that is not human-readable). The digest covers the value, so the key still
/// changes with it.
#[derive(Debug, Clone)]
pub struct Digested<V> {
    pub value: V,
    /// `None` when the value cannot be serialised: then neither can a key with it.
    digest: Option<[u8; 32]>,
}

impl<V: Serialize> Digested<V> {
    pub fn new(value: V) -> Digested<V> {
        let digest = of(&value);
        Digested { value, digest }
    }
}

impl<V: Serialize> Serialize for Digested<V> {
    fn serialize<Z: ser::Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        if serializer.is_human_readable() {
            return self.value.serialize(serializer);
        }
        match &self.digest {
            Some(digest) => serializer.serialize_bytes(digest),
            None => Err(ser::Error::custom("a value that cannot be serialised")),
        }
    }
}

/// Bytes gathered before they go to the hasher, which takes many small writes slowly.
const BUFFER: usize = 64 << 10;

struct Encoder<'h> {
    hasher: &'h mut sha2::Sha256,
    buf: Vec<u8>,
}

/// Why a value could not be encoded (a `Serialize` implementation's own error).
#[derive(Debug)]
pub struct Unencodable(String);

impl std::fmt::Display for Unencodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unencodable {}

impl ser::Error for Unencodable {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Unencodable(msg.to_string())
    }
}

impl Encoder<'_> {
    fn put(&mut self, tag: u8, bytes: &[u8]) {
        self.put_raw(&[tag]);
        self.put_raw(bytes);
    }

    /// A tag, then `n` in LEB128: seven bits a byte, the high bit set on all but the last.
    fn number(&mut self, tag: u8, mut n: u128) {
        let mut bytes = [0u8; 19];
        let mut len = 0;
        loop {
            let low = (n & 0x7f) as u8;
            n >>= 7;
            bytes[len] = if n == 0 { low } else { low | 0x80 };
            len += 1;
            if n == 0 {
                break;
            }
        }
        self.put(tag, &bytes[..len]);
    }

    /// A tag, then `bytes` with their length before them.
    fn sized(&mut self, tag: u8, bytes: &[u8]) {
        self.number(tag, bytes.len() as u128);
        self.put_raw(bytes);
    }

    /// Bytes into the buffer, which goes to the hasher when full; more than a buffer's worth go
    /// to the hasher as they are.
    fn put_raw(&mut self, bytes: &[u8]) {
        if self.buf.len() + bytes.len() > BUFFER {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
        if bytes.len() > BUFFER {
            self.hasher.update(bytes);
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }
}

type Done = Result<(), Unencodable>;

impl<'a, 'h> ser::Serializer for &'a mut Encoder<'h> {
    type Ok = ();
    type Error = Unencodable;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    /// Not text: `Digested` values are fed by their digests.
    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Done {
        self.put(if v { tag::TRUE } else { tag::FALSE }, &[]);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i128(v.into())
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i128(v.into())
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i128(v.into())
    }
    fn serialize_i64(self, v: i64) -> Done {
        self.serialize_i128(v.into())
    }
    fn serialize_i128(self, v: i128) -> Done {
        // Zigzag: small magnitudes of either sign take few bytes.
        self.number(tag::INT, ((v << 1) ^ (v >> 127)) as u128);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u128(v.into())
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u128(v.into())
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u128(v.into())
    }
    fn serialize_u64(self, v: u64) -> Done {
        self.serialize_u128(v.into())
    }
    fn serialize_u128(self, v: u128) -> Done {
        self.number(tag::UINT, v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Done {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Done {
        self.put(tag::FLOAT, &v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Done {
        self.put(tag::CHAR, &u32::from(v).to_le_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Done {
        self.sized(tag::STR, v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Done {
        self.sized(tag::BYTES, v);
        Ok(())
    }
    fn serialize_none(self) -> Done {
        self.put(tag::NONE, &[]);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        self.put(tag::SOME, &[]);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.put(tag::UNIT, &[]);
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Done {
        self.sized(tag::NAMED, name.as_bytes());
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Done {
        self.sized(tag::VARIANT, variant.as_bytes());
        self.serialize_unit()
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, v: &T) -> Done {
        self.sized(tag::NAMED, name.as_bytes());
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.sized(tag::VARIANT, variant.as_bytes());
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Unencodable> {
        self.put(tag::SEQ, &[]);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Unencodable> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<Self, Unencodable> {
        self.sized(tag::NAMED, name.as_bytes());
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Unencodable> {
        self.sized(tag::VARIANT, variant.as_bytes());
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Unencodable> {
        self.put(tag::MAP, &[]);
        Ok(self)
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Self, Unencodable> {
        self.sized(tag::STRUCT, name.as_bytes());
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Unencodable> {
        self.sized(tag::VARIANT, variant.as_bytes());
        self.sized(tag::STRUCT, b"");
        Ok(self)
    }
}

/// Lists, tuples and maps: their elements (keys and values alike) one after the other, then
/// the end tag.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut Encoder<'_> {
            type Ok = ();
            type Error = Unencodable;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.put(tag::END, &[]);
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut Encoder<'_> {
    type Ok = ();
    type Error = Unencodable;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        self.put(tag::END, &[]);
        Ok(())
    }
}

/// Structs: each field tagged with its name (a skipped field leaves no trace but its absence).
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for &mut Encoder<'_> {
            type Ok = ();
            type Error = Unencodable;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Done {
                self.sized(tag::FIELD, key.as_bytes());
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.put(tag::END, &[]);
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::{feed, Digested};
    use serde_json::json;

    fn digest<S: serde::Serialize + ?Sized>(value: &S) -> Vec<u8> {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        assert!(feed(&mut h, value));
        h.finalize().to_vec()
    }

    #[test]
    fn values_that_differ_anywhere_have_different_digests() {
        // Pairs that a careless encoding (no lengths, no ends, no tags) would confuse.
        let pairs = [
            (json!(["ab", "c"]), json!(["a", "bc"])),
            (json!([["a"], []]), json!([["a", []]])),
            (json!({"a": 1}), json!({"a": "1"})),
            (json!({"a": 1, "b": 2}), json!({"a": 1})),
            (json!({"ab": 1}), json!({"a": 1, "b": 1})),
            (json!(null), json!([])),
            (json!(1), json!(1.0)),
            (json!(-1), json!(1)),
            (json!(""), json!(null)),
            (json!([1, 2]), json!([[1, 2]])),
            (json!({"a": [1]}), json!({"a": 1})),
            (json!("сільська"), json!("сільськa")),
        ];
        for (a, b) in &pairs {
            assert_ne!(digest(a), digest(b), "{a} and {b}");
            assert_eq!(digest(a), digest(&a.clone()), "{a} twice");
        }
    }

    #[test]
    fn structs_options_and_long_text_are_told_apart() {
        #[derive(serde::Serialize)]
        struct Page<'a> {
            title: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            note: Option<&'a str>,
            rows: Vec<u32>,
        }
        let page = |title, note, rows: &[u32]| Page {
            title,
            note,
            rows: rows.to_vec(),
        };
        let base = digest(&page("a", None, &[1]));
        assert_ne!(base, digest(&page("a", Some(""), &[1])));
        assert_ne!(base, digest(&page("a", None, &[])));
        assert_ne!(digest(&Some(1u8)), digest(&1u8));
        assert_ne!(digest(&None::<u8>), digest(&()));
        // Integers across LEB128's byte boundaries, both signs.
        let ints = [
            0i64,
            1,
            -1,
            63,
            64,
            -64,
            -65,
            127,
            128,
            8191,
            8192,
            i64::MIN,
            i64::MAX,
        ];
        let digests: std::collections::BTreeSet<Vec<u8>> = ints.iter().map(digest).collect();
        assert_eq!(digests.len(), ints.len());
        assert_ne!(digest(&u128::MAX), digest(&(u128::MAX - 1)));
        // Text longer than the buffer reaches the hasher whole.
        let long: String = "ж".repeat(100_000);
        let longer = format!("{long}ж");
        assert_ne!(digest(&long), digest(&longer));
        let list: Vec<String> = (0..20_000).map(|i| format!("doc {i}")).collect();
        let mut other = list.clone();
        other[19_999].push('!');
        assert_ne!(
            digest(&list),
            digest(&other),
            "a change past the first buffer"
        );
    }

    #[test]
    fn a_digested_value_renders_whole_and_keys_by_its_digest() {
        let (a, b) = (json!({"title": "Бюджет"}), json!({"title": "Бюджет 2024"}));
        let listed = |value: &serde_json::Value| vec![Digested::new(value.clone())];
        // A template sees the value itself.
        let shown = serde_json::to_value(listed(&a)).unwrap();
        assert_eq!(shown, json!([{"title": "Бюджет"}]));
        // A key takes the digest, so it follows the value, and is not the value's own encoding.
        assert_ne!(digest(&listed(&a)), digest(&listed(&b)));
        assert_eq!(digest(&listed(&a)), digest(&listed(&a.clone())));
        assert_ne!(digest(&listed(&a)), digest(&vec![&a]));
        assert_eq!(
            digest(&[&listed(&a)[0]]),
            digest(&listed(&a)),
            "by reference too"
        );
    }
}
