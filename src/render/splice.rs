//! Stage 4, render: catalogue-wide files made of one part per dataset, in catalogue order, between
//! a head and a tail (`datapackage.json`, `datasets.csv`, `resources.csv`). With the build cache's
//! memo, a dataset's part is read back from the previous build's file when its fingerprint is the
//! one that part was made from: at national scale these files run to a hundred megabytes, and
//! making them again was a second of a one-file rebuild.
//!
//! Invariants: a part is a function of its dataset's fingerprinted inputs alone (the fingerprint
//! covers the dataset's files, the catalogue's settings and the tool), so a part read back is the
//! part a full build makes; parts are read back only from a file that is as the last build left it
//! (its stamp, checked on the open file) and only for datasets valid then and now; a part that
//! cannot be read is made. The bytes equal a full build's whatever the memo holds.

use std::io::Write as _;
use std::os::unix::fs::FileExt as _;

use rayon::prelude::*;

use super::memo::Memo;
use crate::cache::reuse::Spans;
use crate::catalog::DatasetId;

/// The previous build's file at a path, open, with where each dataset's part lies in it.
pub struct Previous {
    pub file: std::fs::File,
    /// The file's length when opened (a part recorded past it is made instead).
    pub len: u64,
    pub spans: std::sync::Arc<Spans>,
}

/// One file to splice: its path at the site root and what surrounds and separates the parts.
pub struct Layout<'a> {
    pub path: &'a str,
    pub head: Vec<u8>,
    /// Written between two non-empty parts.
    pub between: &'a [u8],
    pub tail: &'a [u8],
}

/// A dataset's place in the file: its id and whether it is valid now (only valid datasets' parts
/// are read back or recorded, as only valid datasets are kept).
pub type Member<'d> = (&'d DatasetId, bool);

/// Datasets whose parts are made together, in parallel, when nothing can be read back: bounded so
/// that a national catalogue's parts are never all in memory beside the file.
const CHUNK: usize = 1024;

/// The file `layout` describes with the part of each of `members` (in order; `make(i)` makes
/// member `i`'s part, empty for none), reading back unchanged parts through `memo` and recording
/// this build's parts there for the next build.
pub fn splice(
    memo: Option<&Memo>,
    layout: Layout,
    members: &[Member],
    make: impl Fn(usize) -> Vec<u8> + Sync,
) -> Vec<u8> {
    let previous = memo.and_then(|m| (m.spliced)(layout.path));
    let fingerprint = |id: &DatasetId| memo.and_then(|m| m.fingerprints.get(id));
    let mut spans = Spans::new();
    let mut record = |i: usize, at: usize, len: usize| {
        let (id, valid) = members[i];
        if let Some(fp) = fingerprint(id).filter(|_| valid) {
            spans.insert(id.as_str().to_owned(), (fp.clone(), at as u64, len as u64));
        }
    };
    let bytes = match previous {
        Some(p) => {
            let back = |i: usize| -> Option<(u64, u64)> {
                let (id, valid) = members[i];
                let (was, start, len) = p.spans.get(id.as_str())?;
                let inside = start.checked_add(*len).is_some_and(|end| end <= p.len);
                (valid && inside && Some(was) == fingerprint(id)).then_some((*start, *len))
            };
            let parts: Vec<Part> = (0..members.len())
                .into_par_iter()
                .map(|i| back(i).map_or_else(|| Part::Made(make(i)), |(s, n)| Part::Back(s, n)))
                .collect();
            joined(&layout, &parts, &p.file, &make, &mut record)
        }
        None => made(&layout, members.len(), &make, &mut record),
    };
    if let Some(m) = memo {
        m.record_spans(layout.path, spans);
    }
    bytes
}

/// A member's part: where it lies in the previous file, or made now.
enum Part {
    Back(u64, u64),
    Made(Vec<u8>),
}

impl Part {
    fn len(&self) -> usize {
        match self {
            Part::Back(_, len) => *len as usize,
            Part::Made(bytes) => bytes.len(),
        }
    }
}

/// The file with every part made, a chunk of members at a time.
fn made(
    layout: &Layout,
    members: usize,
    make: &(impl Fn(usize) -> Vec<u8> + Sync),
    record: &mut impl FnMut(usize, usize, usize),
) -> Vec<u8> {
    let mut out = Blocks::default();
    let _ = out.write_all(&layout.head);
    let mut first = true;
    let indices: Vec<usize> = (0..members).collect();
    for chunk in indices.chunks(CHUNK) {
        let parts: Vec<Vec<u8>> = chunk.par_iter().map(|&i| make(i)).collect();
        for (&i, part) in chunk.iter().zip(parts) {
            if part.is_empty() {
                continue;
            }
            if !std::mem::take(&mut first) {
                let _ = out.write_all(layout.between);
            }
            record(i, out.len(), part.len());
            let _ = out.write_all(&part);
        }
    }
    let _ = out.write_all(layout.tail);
    out.into_bytes()
}

/// The file from `parts`, allocated once at its exact size: parts read back that lay one after
/// the other in the previous file (`from`) are read with one call, the separator between them
/// included (a gap of exactly a separator holds nothing else). A part that cannot be read is
/// made instead.
fn joined(
    layout: &Layout,
    parts: &[Part],
    from: &std::fs::File,
    make: &(impl Fn(usize) -> Vec<u8> + Sync),
    record: &mut impl FnMut(usize, usize, usize),
) -> Vec<u8> {
    let non_empty: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].len() > 0).collect();
    let between = layout.between.len();
    let total = layout.head.len()
        + layout.tail.len()
        + non_empty.iter().map(|&i| parts[i].len()).sum::<usize>()
        + between * non_empty.len().saturating_sub(1);
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&layout.head);
    let mut k = 0;
    while k < non_empty.len() {
        if k > 0 {
            out.extend_from_slice(layout.between);
        }
        let Part::Back(start, _) = parts[non_empty[k]] else {
            record(non_empty[k], out.len(), parts[non_empty[k]].len());
            if let Part::Made(bytes) = &parts[non_empty[k]] {
                out.extend_from_slice(bytes);
            }
            k += 1;
            continue;
        };
        // The run of parts read back that follow one another in the previous file.
        let mut end = k + 1;
        let mut until = start + parts[non_empty[k]].len() as u64;
        while let Some(Part::Back(s, n)) = non_empty.get(end).map(|&i| &parts[i]) {
            if *s != until + between as u64 {
                break;
            }
            until = s + n;
            end += 1;
        }
        let at = out.len();
        out.resize(at + (until - start) as usize, 0);
        if from.read_exact_at(&mut out[at..], start).is_ok() {
            let mut offset = at;
            for &i in &non_empty[k..end] {
                record(i, offset, parts[i].len());
                offset += parts[i].len() + between;
            }
        } else {
            out.truncate(at);
            for (n, &i) in non_empty[k..end].iter().enumerate() {
                if n > 0 {
                    out.extend_from_slice(layout.between);
                }
                let part = make(i);
                record(i, out.len(), part.len());
                out.extend_from_slice(&part);
            }
        }
        k = end;
    }
    out.extend_from_slice(layout.tail);
    out
}

/// Bytes written into blocks and joined once, at their exact size: a national catalogue's
/// package is over a hundred megabytes, and a growing `Vec` doubled to 256 MB, both copies
/// resident for a moment (the build's peak memory).
#[derive(Default)]
struct Blocks {
    full: Vec<Vec<u8>>,
    current: Vec<u8>,
    /// The bytes in `full`.
    before: usize,
}

impl Blocks {
    const SIZE: usize = 8 << 20;

    fn len(&self) -> usize {
        self.before + self.current.len()
    }

    fn into_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        for block in self.full {
            out.extend_from_slice(&block);
        }
        out.extend_from_slice(&self.current);
        out
    }
}

impl std::io::Write for Blocks {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.current.len() + buf.len() > Self::SIZE && !self.current.is_empty() {
            let full = std::mem::replace(&mut self.current, Vec::with_capacity(Self::SIZE));
            self.before += full.len();
            self.full.push(full);
        }
        self.current.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn blocks_join_to_the_bytes_written() {
        let mut blocks = Blocks::default();
        let mut want = Vec::new();
        for i in 0..200_000u32 {
            let piece = format!("{i},").repeat((i % 97) as usize);
            blocks.write_all(piece.as_bytes()).unwrap();
            want.extend_from_slice(piece.as_bytes());
        }
        assert!(!blocks.full.is_empty(), "the test crosses blocks");
        assert_eq!(blocks.len(), want.len());
        assert_eq!(blocks.into_bytes(), want);
    }

    /// Splices `members` (id, valid, part) with `fingerprints` and the previous file `previous`
    /// (its bytes and spans); returns the bytes, the spans recorded and the ids made again.
    fn spliced(
        fingerprints: &BTreeMap<DatasetId, String>,
        previous: Option<(&[u8], &std::sync::Arc<Spans>)>,
        members: &[(&str, bool, &str)],
    ) -> (String, Spans, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        if let Some((bytes, _)) = previous {
            std::fs::write(&file, bytes).unwrap();
        }
        let spliced = |path: &str| {
            let (_, spans) = previous?;
            assert_eq!(path, "f.csv");
            let file = std::fs::File::open(&file).ok()?;
            let len = file.metadata().ok()?.len();
            Some(Previous {
                file,
                len,
                spans: spans.clone(),
            })
        };
        let (unchanged, recorded) = (|_: &str, _: &str| false, |_: &str| Vec::new());
        let memo = Memo {
            setting: "s",
            fingerprints,
            metadata: fingerprints,
            unchanged: &unchanged,
            recorded: &recorded,
            spliced: &spliced,
            keys: Default::default(),
            spans: Default::default(),
        };
        let ids: Vec<DatasetId> = (members.iter())
            .map(|(id, _, _)| DatasetId::parse(id).unwrap())
            .collect();
        let list: Vec<Member> = ids.iter().zip(members).map(|(id, m)| (id, m.1)).collect();
        let made = std::sync::Mutex::new(Vec::new());
        let layout = Layout {
            path: "f.csv",
            head: b"[".to_vec(),
            between: b", ",
            tail: b"]",
        };
        let bytes = splice(Some(&memo), layout, &list, |i| {
            made.lock().unwrap().push(members[i].0.to_owned());
            members[i].2.as_bytes().to_vec()
        });
        let spans = memo.spans.into_inner().unwrap().remove("f.csv").unwrap();
        let spans = std::sync::Arc::unwrap_or_clone(spans);
        let mut made = made.into_inner().unwrap();
        made.sort();
        (String::from_utf8(bytes).unwrap(), spans, made)
    }

    #[test]
    fn unchanged_parts_are_read_back_and_the_file_equals_one_made_whole() {
        let id = |s: &str| DatasetId::parse(s).unwrap();
        let fp = |pairs: &[(&str, &str)]| -> BTreeMap<DatasetId, String> {
            (pairs.iter())
                .map(|(i, f)| (id(i), (*f).to_owned()))
                .collect()
        };
        let first = fp(&[("a", "1"), ("b", "1"), ("c", "1"), ("d", "1")]);
        let members = [
            ("a", true, "A"),
            ("b", true, ""),
            ("c", false, "C"),
            ("d", true, "DD"),
        ];
        let (bytes, spans, made) = spliced(&first, None, &members);
        assert_eq!(bytes, "[A, C, DD]");
        assert_eq!(made, ["a", "b", "c", "d"]);
        let keys: Vec<&String> = spans.keys().collect();
        assert_eq!(
            keys,
            ["a", "d"],
            "neither an empty part nor an invalid dataset's"
        );
        assert_eq!(spans["d"], ("1".to_owned(), 7, 2));

        // `d` unchanged is read back (its new text is never asked for); `a`'s fingerprint
        // changed; `c` is still invalid; `e` is new and sorts between.
        let second = fp(&[("a", "2"), ("c", "1"), ("d", "1"), ("e", "1")]);
        let members = [
            ("a", true, "AA"),
            ("c", true, "C"),
            ("d", true, "x"),
            ("e", true, "E"),
        ];
        let spans = std::sync::Arc::new(spans);
        let (again, spans, made) = spliced(&second, Some((bytes.as_bytes(), &spans)), &members);
        assert_eq!(again, "[AA, C, DD, E]");
        assert_eq!(made, ["a", "c", "e"]);
        assert_eq!(spans["d"], ("1".to_owned(), 8, 2));

        // A damaged record (a span past the file's end) only means the part is made.
        let mut damaged = spans.clone();
        damaged.insert("d".into(), ("1".into(), 400, 2));
        let damaged = std::sync::Arc::new(damaged);
        let (bytes, _, made) = spliced(&second, Some((again.as_bytes(), &damaged)), &members);
        assert_eq!(
            bytes, "[AA, C, x, E]",
            "`a` and `c` read back as one run, then `e`"
        );
        assert_eq!(made, ["d"]);

        // Nothing changed: the parts are read back in one run, the file is the same.
        let spans = std::sync::Arc::new(spans);
        let (same, _, made) = spliced(&second, Some((again.as_bytes(), &spans)), &members);
        assert_eq!(same, again);
        assert!(made.is_empty(), "{made:?}");
    }
}
