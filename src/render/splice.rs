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
    let back = |i: usize| -> Option<Part> {
        let (id, valid) = members[i];
        let p = previous.as_ref()?;
        let (was, start, len) = p.spans.get(id.as_str())?;
        let inside = start.checked_add(*len).is_some_and(|end| end <= p.len);
        (valid && inside && Some(was) == fingerprint(id)).then_some(Part::Back(*start, *len))
    };
    let parts: Vec<Part> = (0..members.len())
        .into_par_iter()
        .map(|i| back(i).unwrap_or_else(|| Part::Made(make(i))))
        .collect();
    let mut spans = Spans::new();
    let record = |i: usize, at: usize, len: usize| {
        let (id, valid) = members[i];
        if let Some(fp) = fingerprint(id).filter(|_| valid) {
            spans.insert(id.as_str().to_owned(), (fp.clone(), at as u64, len as u64));
        }
    };
    let from = previous.as_ref().map(|p| &p.file);
    let bytes = joined(&layout, &parts, from, &make, record);
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

/// The file from `parts`, allocated once at its exact size (a national catalogue's package is
/// over a hundred megabytes: grown, or gathered in blocks and joined, it was held twice). Parts
/// read back that lay one after the other in the previous file (`from`) are read with one call,
/// the separator between them included (a gap of exactly a separator holds nothing else); a run
/// that cannot be read is made instead. `record(i, offset, length)` is told where each part went.
fn joined(
    layout: &Layout,
    parts: &[Part],
    from: Option<&std::fs::File>,
    make: &(impl Fn(usize) -> Vec<u8> + Sync),
    mut record: impl FnMut(usize, usize, usize),
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
        let run = run_of(parts, &non_empty[k..], between as u64);
        let read = run.and_then(|(start, end, n)| {
            let at = out.len();
            out.resize(at + (end - start) as usize, 0);
            let ok = from?.read_exact_at(&mut out[at..], start).is_ok();
            if !ok {
                out.truncate(at);
            }
            ok.then_some((at, n))
        });
        let n = match (read, run) {
            (Some((mut at, n)), _) => {
                for &i in &non_empty[k..k + n] {
                    record(i, at, parts[i].len());
                    at += parts[i].len() + between;
                }
                n
            }
            // A run not read back is made; a part made already is written.
            (None, run) => {
                let n = run.map_or(1, |(_, _, n)| n);
                for (j, &i) in non_empty[k..k + n].iter().enumerate() {
                    if j > 0 {
                        out.extend_from_slice(layout.between);
                    }
                    let made;
                    let bytes = match &parts[i] {
                        Part::Made(bytes) => bytes,
                        Part::Back(..) => {
                            made = make(i);
                            &made
                        }
                    };
                    record(i, out.len(), bytes.len());
                    out.extend_from_slice(bytes);
                }
                n
            }
        };
        k += n;
    }
    out.extend_from_slice(layout.tail);
    out
}

/// The run of parts read back at the start of `next` (indices into `parts`) that lay one after
/// another in the previous file, `between` bytes apart: (its start, its end, how many parts).
/// `None` when the first part is made now.
fn run_of(parts: &[Part], next: &[usize], between: u64) -> Option<(u64, u64, usize)> {
    let Part::Back(start, len) = parts[*next.first()?] else {
        return None;
    };
    let (mut end, mut n) = (start + len, 1);
    while let Some(Part::Back(s, len)) = next.get(n).map(|&i| &parts[i]) {
        if *s != end + between {
            break;
        }
        end = s + len;
        n += 1;
    }
    Some((start, end, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

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
            setting: &crate::render::memo::tests::digests(),
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
