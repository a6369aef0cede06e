//! Stage 4, render: catalogue-wide files made of one part per dataset, in catalogue order, between
//! a head and a tail (`datapackage.json`, `datasets.csv`, `resources.csv`). With the build cache's
//! memo, a dataset's part is taken from the previous build's file when its fingerprint is the one
//! that part was made from: at national scale these files run to a hundred megabytes, and making
//! them again was a second of a one-file rebuild. The part is not read here: the file is handed
//! on as pieces (`Spliced`), and the output stage copies the ranges from the open file. A part
//! made again is compared with the one recorded, and taken back as well when it is the same.
//!
//! Invariants: a part is a function of its dataset's fingerprinted inputs alone (the fingerprint
//! covers the dataset's files, the catalogue's settings and the tool), so a part taken back is the
//! part a full build makes; parts are taken only from a file that is as the last build left it
//! (its stamp, checked on the open file) and only for datasets valid then and now; a part recorded
//! past the file's end is made, and a part compared is taken back only when its bytes are the
//! ones made now. The bytes equal a full build's whatever the memo holds; should the
//! previous file shrink under the build, the output stage fails the write rather than write less.

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
    pub between: &'static [u8],
    pub tail: &'static [u8],
}

/// A dataset's place in the file: its id and whether it is valid now (only valid datasets' parts
/// are read back or recorded, as only valid datasets are kept).
pub type Member<'d> = (&'d DatasetId, bool);

/// A spliced file as the output stage writes it: its head, its runs of parts with `between`
/// between two runs, its tail. A run read back is a range of the previous build's file, which the
/// output stage copies from the open file (the kernel copies where it can): a national
/// catalogue's package is over a hundred megabytes, and read into memory and joined with the
/// parts made now it was held twice, at the build's peak.
#[derive(Debug, Clone)]
pub struct Spliced {
    head: Vec<u8>,
    between: &'static [u8],
    tail: &'static [u8],
    runs: Vec<Run>,
    /// The previous build's file the runs read back lie in.
    from: Option<std::sync::Arc<std::fs::File>>,
}

/// A run of the file: one part made now, or parts that lay one after another in the previous
/// file (the separators between them included): its offset there and its length.
#[derive(Debug, Clone)]
enum Run {
    Made(Vec<u8>),
    Back(u64, u64),
}

impl Run {
    fn size(&self) -> u64 {
        match self {
            Run::Made(bytes) => bytes.len() as u64,
            Run::Back(_, len) => *len,
        }
    }
}

/// A piece of a spliced file, in order: bytes, or a range of the previous file (`Spliced::from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'s> {
    Bytes(&'s [u8]),
    Range { start: u64, len: u64 },
}

impl Segment<'_> {
    pub fn size(&self) -> u64 {
        match self {
            Segment::Bytes(b) => b.len() as u64,
            Segment::Range { len, .. } => *len,
        }
    }
}

impl Spliced {
    /// The file's pieces in order.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_>> {
        let runs = self.runs.iter().enumerate().flat_map(|(k, run)| {
            let between = (k > 0).then_some(Segment::Bytes(self.between));
            let run = match run {
                Run::Made(bytes) => Segment::Bytes(bytes),
                Run::Back(start, len) => Segment::Range {
                    start: *start,
                    len: *len,
                },
            };
            between.into_iter().chain([run])
        });
        let head = std::iter::once(Segment::Bytes(&self.head));
        head.chain(runs)
            .chain([Segment::Bytes(self.tail)])
            .filter(|s| s.size() > 0)
    }

    /// The file's length.
    pub fn size(&self) -> u64 {
        self.segments().map(|s| s.size()).sum()
    }

    /// The open previous file the ranges lie in (`None` when every part was made now).
    pub fn from(&self) -> Option<&std::fs::File> {
        self.from.as_deref()
    }

    /// Bytes held in memory (made now).
    pub fn held(&self) -> usize {
        let made = self.runs.iter().filter(|r| matches!(r, Run::Made(_)));
        self.head.len() + made.map(|r| r.size() as usize).sum::<usize>()
    }
}

#[cfg(test)]
impl Spliced {
    /// A spliced file of `runs`: `Ok` bytes made now, `Err((start, len))` a range of `from`.
    pub(crate) fn of_runs(
        (head, between, tail): (&[u8], &'static [u8], &'static [u8]),
        runs: Vec<Result<Vec<u8>, (u64, u64)>>,
        from: Option<std::fs::File>,
    ) -> Spliced {
        let runs = (runs.into_iter())
            .map(|r| r.map_or_else(|(s, l)| Run::Back(s, l), Run::Made))
            .collect();
        Spliced {
            head: head.to_vec(),
            between,
            tail,
            runs,
            from: from.map(std::sync::Arc::new),
        }
    }
}

/// The file `layout` describes with the part of each of `members` (in order; `make(i)` makes
/// member `i`'s part, empty for none), reading back unchanged parts through `memo` and recording
/// this build's parts there for the next build.
pub fn splice(
    memo: Option<&Memo>,
    layout: Layout,
    members: &[Member],
    make: impl Fn(usize) -> Vec<u8> + Sync,
) -> Spliced {
    let previous = memo.and_then(|m| (m.spliced)(layout.path));
    let fingerprint = |id: &DatasetId| memo.and_then(|m| m.fingerprints.get(id));
    let back = |i: usize| -> Option<Run> {
        let (id, valid) = members[i];
        let p = previous.as_ref()?;
        let (was, start, len) = p.spans.get(id.as_str())?;
        let inside = start.checked_add(*len).is_some_and(|end| end <= p.len);
        (valid && inside && Some(was) == fingerprint(id)).then_some(Run::Back(*start, *len))
    };
    // A part made again is mostly the bytes it had (a new tool, a template edited: every
    // fingerprint changes, few parts do): those are taken from the previous file as well, and
    // the bytes made are let go of. A national package's parts are over a hundred megabytes,
    // held at the peak of such a build.
    let same = |i: usize, made: Vec<u8>| -> Run {
        let (id, valid) = members[i];
        let recorded = previous.as_ref().zip(valid.then_some(()));
        let back = recorded.and_then(|(p, ())| {
            let (_, start, len) = p.spans.get(id.as_str())?;
            let inside = start.checked_add(*len).is_some_and(|end| end <= p.len);
            (inside && *len == made.len() as u64).then_some(())?;
            let mut was = vec![0; made.len()];
            std::os::unix::fs::FileExt::read_exact_at(&p.file, &mut was, *start).ok()?;
            (was == made).then_some(Run::Back(*start, *len))
        });
        back.unwrap_or(Run::Made(made))
    };
    let parts: Vec<Run> = (0..members.len())
        .into_par_iter()
        .map(|i| back(i).unwrap_or_else(|| same(i, make(i))))
        .collect();
    let mut spans = Spans::new();
    let record = |i: usize, at: u64, len: u64| {
        let (id, valid) = members[i];
        if let Some(fp) = fingerprint(id).filter(|_| valid) {
            spans.insert(id.as_str().to_owned(), (fp.clone(), at, len));
        }
    };
    let runs = runs(&layout, parts, record);
    if let Some(m) = memo {
        m.record_spans(layout.path, spans);
    }
    let from = runs.iter().any(|r| matches!(r, Run::Back(..)));
    Spliced {
        head: layout.head,
        between: layout.between,
        tail: layout.tail,
        runs,
        from: previous
            .filter(|_| from)
            .map(|p| std::sync::Arc::new(p.file)),
    }
}

/// The file's runs from each member's part (a run of one: made now, or where it lies in the
/// previous file): the non-empty ones, with parts that lay one after the other in the previous file
/// joined into one range with the separators between them (a gap of exactly a separator holds
/// nothing else). `record(i, offset, length)` is told where member `i`'s part goes in the new file.
fn runs(layout: &Layout, parts: Vec<Run>, mut record: impl FnMut(usize, u64, u64)) -> Vec<Run> {
    let between = layout.between.len() as u64;
    let mut parts = (parts.into_iter().enumerate())
        .filter(|(_, p)| p.size() > 0)
        .peekable();
    let mut at = layout.head.len() as u64;
    let mut runs = Vec::new();
    while let Some((i, part)) = parts.next() {
        if !runs.is_empty() {
            at += between;
        }
        record(i, at, part.size());
        let run = match part {
            Run::Back(start, len) => {
                let mut end = start + len;
                while let Some(&(k, Run::Back(s, len))) = parts.peek() {
                    if s != end + between {
                        break;
                    }
                    record(k, at + (s - start), len);
                    end = s + len;
                    parts.next();
                }
                Run::Back(start, end - start)
            }
            made => made,
        };
        at += run.size();
        runs.push(run);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::os::unix::fs::FileExt as _;

    thread_local! {
        /// How many ranges of the previous file the last `spliced` call's file had (on the
        /// test's thread: the tests run side by side).
        static RANGES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    fn ranges() -> usize {
        RANGES.with(std::cell::Cell::get)
    }

    /// The bytes of `s` as the output stage writes them, read back from its open file.
    pub(crate) fn bytes(s: &Spliced) -> Vec<u8> {
        let mut out = Vec::new();
        for segment in s.segments() {
            match segment {
                Segment::Bytes(b) => out.extend_from_slice(b),
                Segment::Range { start, len } => {
                    let mut buf = vec![0; len as usize];
                    s.from().unwrap().read_exact_at(&mut buf, start).unwrap();
                    out.extend_from_slice(&buf);
                }
            }
        }
        assert_eq!(out.len() as u64, s.size());
        out
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
        let spliced = splice(Some(&memo), layout, &list, |i| {
            made.lock().unwrap().push(members[i].0.to_owned());
            members[i].2.as_bytes().to_vec()
        });
        let bytes = bytes(&spliced);
        let ranges = spliced
            .segments()
            .filter(|s| matches!(s, Segment::Range { .. }));
        RANGES.with(|r| r.set(ranges.count()));
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
        assert_eq!(ranges(), 2, "`a` and `c`, then `e`");
        assert_eq!(made, ["d"]);

        // Nothing changed: the parts are read back in one run, the file is the same.
        let spans = std::sync::Arc::new(spans);
        let (same, _, made) = spliced(&second, Some((again.as_bytes(), &spans)), &members);
        assert_eq!(same, again);
        assert!(made.is_empty(), "{made:?}");
        assert_eq!(ranges(), 1, "one range of the previous file");
    }

    #[test]
    fn a_part_made_again_with_the_same_bytes_is_read_back() {
        let id = |s: &str| DatasetId::parse(s).unwrap();
        let fp = |f: &str| -> BTreeMap<DatasetId, String> {
            ["a", "b", "c"].map(|i| (id(i), f.to_owned())).into()
        };
        let members = [("a", true, "A"), ("b", true, "BB"), ("c", true, "C")];
        let (bytes, spans, _) = spliced(&fp("1"), None, &members);
        let spans = std::sync::Arc::new(spans);
        // Every fingerprint changed (a new tool): each part is made and compared; all are the
        // same, so the file is one range of the previous one, recorded with the new prints.
        let (again, recorded, made) = spliced(&fp("2"), Some((bytes.as_bytes(), &spans)), &members);
        assert_eq!((again.as_str(), made.len()), ("[A, BB, C]", 3));
        assert_eq!(ranges(), 1);
        assert_eq!(recorded["b"], ("2".to_owned(), 4, 2));
        // `b` changed in a byte and `c` in its length: made, between ranges of the others.
        let members = [("a", true, "A"), ("b", true, "BX"), ("c", true, "CC")];
        let (changed, _, _) = spliced(&fp("3"), Some((bytes.as_bytes(), &spans)), &members);
        assert_eq!(changed, "[A, BX, CC]");
        assert_eq!(ranges(), 1, "`a` only");
        // An invalid dataset's part is never taken back.
        let members = [("a", false, "A"), ("b", true, "BB"), ("c", true, "C")];
        let (invalid, _, _) = spliced(&fp("4"), Some((bytes.as_bytes(), &spans)), &members);
        assert_eq!(invalid, "[A, BB, C]");
        assert_eq!(ranges(), 1, "`b` and `c` as one range");
    }
}
