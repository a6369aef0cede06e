//! Stage 4, render: collecting the site's files. Every path comes once over the whole site (a
//! second is a located error naming both origins); the bytes go to the sink in batches, so that a
//! national catalogue is never in memory whole while the paths stay checked across batches.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use foldhash::fast::FixedState;
use rayon::slice::ParallelSliceMut as _;

use super::{Content, Sink};
use crate::error::Error;

/// Bytes of rendered content held before a batch goes to the sink. The sink writes a batch while
/// the next one is made (`pipeline::background`): two are held at most.
const BATCH_BYTES: usize = 32 << 20;

/// Files held before a batch goes to the sink, whatever their size: a national catalogue's kept
/// files (no bytes held) came as one batch of half a million, each added to an ever larger map.
const BATCH_FILES: usize = 16 << 10;

/// Where files came from, by its index in `Builder::origins`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Origin(u32);

/// Collects outputs, refuses two for the same path (over all batches) and hands them to the sink
/// in batches.
pub(super) struct Builder<'s, 'k> {
    /// The batch so far, in the order added: sorted once when handed on (a tree grown file by
    /// file compared half a million long paths again and again in a national rebuild).
    site: Vec<(String, Content)>,
    /// Every path added so far, with where it came from (for the collision message). A national
    /// catalogue has over half a million: a hash map (no tree nodes), and a dataset's files share
    /// one origin text instead of a string each.
    paths: HashMap<Box<str>, Origin, FixedState>,
    origins: Vec<Box<str>>,
    held: usize,
    sink: &'s mut Sink<'k>,
}

impl<'s, 'k> Builder<'s, 'k> {
    pub(super) fn new(sink: &'s mut Sink<'k>) -> Self {
        Builder {
            site: Vec::new(),
            paths: HashMap::default(),
            origins: Vec::new(),
            held: 0,
            sink,
        }
    }

    /// Adds a file from `origin` (e.g. "the site map").
    pub(super) fn add(
        &mut self,
        path: String,
        content: Content,
        origin: impl Into<String>,
    ) -> Result<(), Error> {
        let origin = origin.into();
        let id = self.origin(&origin);
        self.add_from(path, content, id, &origin)
    }

    /// Names where the files added next with `add_from` come from; the same text as the last
    /// one is the same origin.
    pub(super) fn origin(&mut self, text: &str) -> Origin {
        if self.origins.last().is_none_or(|last| **last != *text) {
            self.origins.push(text.into());
        }
        Origin((self.origins.len() - 1) as u32)
    }

    /// Adds a file from `origin`; `detail` says more precisely what it is, for the message when
    /// its path was already taken.
    pub(super) fn add_from(
        &mut self,
        path: String,
        content: Content,
        origin: Origin,
        detail: &str,
    ) -> Result<(), Error> {
        // One look-up for both the check and the insertion: half a million kept paths in a
        // national rebuild, added on the pipeline's thread.
        match self.paths.entry(path.as_str().into()) {
            Entry::Occupied(first) => {
                return Err(Error::PathCollision {
                    path,
                    first: self.origins[first.get().0 as usize].to_string(),
                    second: detail.to_owned(),
                })
            }
            Entry::Vacant(slot) => {
                slot.insert(origin);
            }
        }
        self.held += content.held();
        self.site.push((path, content));
        if self.held > BATCH_BYTES || self.site.len() >= BATCH_FILES {
            self.flush()?;
        }
        Ok(())
    }

    /// Makes room for `n` more paths at once (a national catalogue's kept files come half a
    /// million together: grown path by path, the map was rehashed over and over).
    pub(super) fn reserve(&mut self, n: usize) {
        self.paths.reserve(n);
    }

    /// Every path added so far, in no particular order.
    pub(super) fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.keys().map(|p| &**p)
    }

    /// The number of files added so far.
    pub(super) fn len(&self) -> usize {
        self.paths.len()
    }

    /// Hands what is held to the sink.
    pub(super) fn flush(&mut self) -> Result<(), Error> {
        if self.site.is_empty() {
            return Ok(());
        }
        self.held = 0;
        // The next batch is given room for as many files as this one: grown from empty, a
        // batch of 16,384 kept files was moved to a larger buffer fourteen times.
        let room = Vec::with_capacity(self.site.len());
        let mut batch = std::mem::replace(&mut self.site, room);
        // Paths are unique (`add_from`), so the order is total.
        batch.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // From sorted pairs, the tree is built in one pass.
        (self.sink)(batch.into_iter().collect())
    }
}

/// Makes an output per item in parallel (`None`: the item has none), a chunk of `CHUNK` items
/// at a time, and hands them to `take` in the items' order: the result does not depend on
/// threads, and only one chunk's outputs are in memory at once.
pub(crate) fn in_order<T: Sync, R: Send, E: Send>(
    items: &[T],
    make: impl Fn(&T) -> Result<Option<R>, E> + Sync,
    mut take: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    use rayon::prelude::*;
    for chunk in items.chunks(super::CHUNK) {
        let made = (chunk.par_iter())
            .map(&make)
            .collect::<Result<Vec<_>, E>>()?;
        made.into_iter().flatten().try_for_each(&mut take)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Site;
    use super::*;

    fn bytes(b: &[u8]) -> Content {
        Content::Bytes(b.to_vec())
    }

    #[test]
    fn a_path_claimed_twice_names_both_origins_even_across_batches() {
        let mut batches = Vec::new();
        let mut sink = |site: Site| {
            batches.push(site.into_keys().collect::<Vec<_>>());
            Ok(())
        };
        let mut out = Builder::new(&mut sink);
        let dataset = out.origin("dataset `a`");
        out.add_from("datasets/a/index.html".into(), bytes(b"x"), dataset, "page")
            .unwrap();
        out.flush().unwrap();
        let err = out
            .add("datasets/a/index.html".into(), bytes(b"y"), "the site map")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "two outputs claim the same path `datasets/a/index.html` (from dataset `a` and the site map)"
        );
        let err = out
            .add_from(
                "datasets/a/index.html".into(),
                bytes(b"z"),
                dataset,
                "resource `r` of dataset `a`",
            )
            .unwrap_err();
        assert!(err
            .to_string()
            .ends_with("(from dataset `a` and resource `r` of dataset `a`)"));
        assert_eq!(out.len(), 1);
        drop(out);
        assert_eq!(batches, [vec!["datasets/a/index.html".to_owned()]]);
    }

    #[test]
    fn the_same_origin_text_in_a_row_is_kept_once() {
        let mut sink = |_: Site| Ok(());
        let mut out = Builder::new(&mut sink);
        for path in ["a", "b"] {
            out.add(path.into(), bytes(b""), "the site map").unwrap();
        }
        out.add("c".into(), bytes(b""), "the feed").unwrap();
        assert_eq!(out.origins.len(), 2);
        let mut paths: Vec<&str> = out.paths().collect();
        paths.sort_unstable();
        assert_eq!(paths, ["a", "b", "c"]);
    }
}
