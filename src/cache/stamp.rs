//! Beside the pipeline, the build cache: a file's stamp — what identifies its state on disk
//! without reading it (size, modification and change times, inode). Invariant: a record writes
//! a stamp as its four numbers, tab-separated (`to_fields`), and reads back exactly those
//! (`parse`); a binary format holds the same four numbers.

use std::os::unix::fs::MetadataExt;

/// What identifies a file's state on disk without reading it. Times are nanoseconds since the
/// epoch in 64 bits (32 bytes a stamp, not 48 with 128-bit times: a rebuild at national scale
/// holds well over a million stamps); a time past 2262 wraps, so two times compare equal only
/// when they are 584 years apart. Records write the same numbers as before (see `ns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    ino: u64,
}

/// Nanoseconds since the epoch of a time in seconds and nanoseconds, wrapped into 64 bits;
/// also how a time recorded in 128 bits is read.
fn ns(secs: i128, nanos: i128) -> i64 {
    (secs * 1_000_000_000 + nanos) as i64
}

impl Stamp {
    /// The stamp of the file `meta` describes.
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime_ns: ns(meta.mtime().into(), meta.mtime_nsec().into()),
            ctime_ns: ns(meta.ctime().into(), meta.ctime_nsec().into()),
            ino: meta.ino(),
        }
    }

    /// The stamp of the file `st` describes (as `of`, from a status read relative to a folder).
    pub fn of_stat(st: &rustix::fs::Stat) -> Stamp {
        Stamp {
            size: st.st_size as u64,
            mtime_ns: ns(st.st_mtime.into(), st.st_mtime_nsec.into()),
            ctime_ns: ns(st.st_ctime.into(), st.st_ctime_nsec.into()),
            ino: st.st_ino,
        }
    }

    /// The file's inode number.
    pub fn ino(self) -> u64 {
        self.ino
    }

    pub fn to_fields(self) -> String {
        let mut out = String::new();
        self.write_fields(&mut out);
        out
    }

    /// Appends the stamp's fields, tab-separated, to `out`.
    pub(super) fn write_fields(self, out: &mut String) {
        // Written for every file of the site, twice in a build (the journal, the record): the
        // formatting machinery's `i128` path was a tenth of a second at national scale.
        let mut digits = itoa::Buffer::new();
        out.push_str(digits.format(self.size));
        out.push('\t');
        out.push_str(digits.format(self.mtime_ns));
        out.push('\t');
        out.push_str(digits.format(self.ctime_ns));
        out.push('\t');
        out.push_str(digits.format(self.ino));
    }

    /// A stamp written by `to_fields`. Read for every file of the site, twice in a rebuild
    /// (the kept files' record, the journal): the fields are taken as they are split, with no
    /// list made of them.
    pub fn parse(fields: &str) -> Option<Stamp> {
        let mut f = fields.split('\t');
        Stamp::from_parts(&mut f).filter(|_| f.next().is_none())
    }

    /// A stamp from the first four of `f`.
    pub(super) fn from_fields(f: &[&str]) -> Option<Stamp> {
        Stamp::from_parts(&mut f.iter().copied())
    }

    /// A stamp from the next four fields of `f`.
    fn from_parts<'f>(f: &mut impl Iterator<Item = &'f str>) -> Option<Stamp> {
        Some(Stamp {
            size: f.next()?.parse().ok()?,
            mtime_ns: ns(0, f.next()?.parse().ok()?),
            ctime_ns: ns(0, f.next()?.parse().ok()?),
            ino: f.next()?.parse().ok()?,
        })
    }
}

/// A stamp in a text format is its text (`to_fields`); in a binary one, its four numbers.
impl serde::Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            let times = (i128::from(self.mtime_ns), i128::from(self.ctime_ns));
            let numbers = (self.size, times.0, times.1, self.ino);
            return serde::Serialize::serialize(&numbers, serializer);
        }
        serializer.serialize_str(&self.to_fields())
    }
}

impl<'de> serde::Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Stamp, D::Error> {
        if !deserializer.is_human_readable() {
            let (size, mtime_ns, ctime_ns, ino): (u64, i128, i128, u64) =
                serde::Deserialize::deserialize(deserializer)?;
            return Ok(Stamp {
                size,
                mtime_ns: ns(0, mtime_ns),
                ctime_ns: ns(0, ctime_ns),
                ino,
            });
        }
        struct Fields;
        impl serde::de::Visitor<'_> for Fields {
            type Value = Stamp;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a file's stamp: size, times and inode, tab-separated")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Stamp, E> {
                Stamp::parse(text)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(text), &self))
            }
        }
        deserializer.deserialize_str(Fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_reads_back_from_exactly_its_four_fields() {
        let stamp = Stamp::parse("12\t-5\t1700000000000000000\t9").unwrap();
        assert_eq!(stamp.to_fields(), "12\t-5\t1700000000000000000\t9");
        assert_eq!(Stamp::parse(&stamp.to_fields()), Some(stamp));
        assert_eq!(stamp.ino(), 9);
        assert_eq!(
            std::mem::size_of::<Stamp>(),
            32,
            "held for every file of a site"
        );
        // A time past 64 bits (as a tool that kept 128 wrote it) wraps, and reads back as
        // written now.
        let wide = Stamp::parse("12\t-5\t170000000000000000000\t9").unwrap();
        assert_eq!(Stamp::parse(&wide.to_fields()), Some(wide));
        assert_ne!(wide, stamp);
        // In a text format (JSON), a stamp is its text, the widest ones too.
        let widest = format!("{}\t{}\t{}\t{}", u64::MAX, i64::MIN, i64::MAX, u64::MAX);
        for text in ["12\t-5\t1700000000000000000\t9", widest.as_str()] {
            let stamp = Stamp::parse(text).unwrap();
            let json = serde_json::to_string(&stamp).unwrap();
            assert_eq!(json, serde_json::to_string(text).unwrap());
            assert_eq!(serde_json::from_str::<Stamp>(&json).unwrap(), stamp);
        }
        assert!(serde_json::from_str::<Stamp>(r#""1\t2\t3""#).is_err());
        // In the manifest's binary format, its numbers.
        let stamp = Stamp::parse(&widest).unwrap();
        let bytes = postcard::to_allocvec(&stamp).unwrap();
        assert_eq!(postcard::from_bytes::<Stamp>(&bytes).unwrap(), stamp);
        assert!(bytes.len() < widest.len(), "{} bytes", bytes.len());
        for bad in ["", "1\t2\t3", "1\t2\t3\t4\t5", "1\t2\tx\t4", "-1\t2\t3\t4"] {
            assert_eq!(Stamp::parse(bad), None, "{bad:?}");
        }
    }
}
