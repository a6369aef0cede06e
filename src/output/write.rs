//! Stage 5, output: writing one batch of files into the staging folder — folders first, then the
//! files in parallel (creating many small files is the slow part of a build on a real disk). A
//! file whose bytes equal the previous site's file at the same path becomes a hard link to it:
//! the bytes are compared, not dates or names, so what lands in the staging folder is exactly what
//! render produced either way.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use foldhash::fast::FixedState;
use rayon::prelude::*;

use super::recycle::Index;
use crate::cache::Stamp;
use crate::error::Error;
use crate::render::{Content, Site};

/// Reads are compared, and spliced ranges copied where the kernel cannot, in blocks of this size
/// (larger buffers measured slower on this hardware).
pub(super) const BLOCK: usize = 128 * 1024;

/// What writing did: files written, files linked from the previous site, bytes written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub written: usize,
    pub linked: usize,
    pub bytes: u64,
}

impl Stats {
    pub fn add(&mut self, other: &Stats) {
        self.written += other.written;
        self.linked += other.linked;
        self.bytes += other.bytes;
    }
}

/// The folders made in a staging folder so far (relative paths with `/`).
pub type Made = HashSet<Box<str>, FixedState>;

/// Makes the folders the batch's files go in (each once per publication): parents before
/// children, each depth's folders in parallel — a national site has over a hundred thousand
/// folders, and made one after the other they kept the second core idle. In a recycled staging
/// folder (`recycled`) a folder already there is kept (marked, with its parents, in `recycled`),
/// and a file where a folder must go removed.
pub fn make_folders(
    staging: &Path,
    batch: &Site,
    made: &mut Made,
    recycled: Option<&Index>,
) -> Result<(), Error> {
    // Hashed, and the folder of the path before looked at once: a rebuild's batch of kept files
    // holds half a million paths in 350,000 folders, which a sorted set took most of a second of
    // one core to go through. A recycled folder is looked up once, in the recycled index alone
    // (a national rebuild keeps nearly all of them: also holding them in `made` was four
    // lookups and a copy of each, a quarter of a second on one core).
    let mut new: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str, FixedState> = HashSet::default();
    let mut last = None;
    for path in batch.keys() {
        let Some((mut dir, _)) = path.rsplit_once('/') else {
            continue;
        };
        if last.replace(dir) == Some(dir) {
            continue;
        }
        // The folder and those of its parents not made or kept yet (a parent met before has
        // its own).
        loop {
            match recycled.and_then(|r| r.keep_dir(dir)) {
                Some(false) => break,
                Some(true) => {}
                None if made.contains(dir) || !seen.insert(dir) => break,
                None => new.push(dir),
            }
            match dir.rsplit_once('/') {
                Some((parent, _)) => dir = parent,
                None => break,
            }
        }
    }
    let mut by_depth: Vec<Vec<&str>> = Vec::new();
    for &dir in &new {
        let depth = dir.matches('/').count();
        if by_depth.len() <= depth {
            by_depth.resize_with(depth + 1, Vec::new);
        }
        by_depth[depth].push(dir);
    }
    for (depth, dirs) in by_depth.into_iter().enumerate() {
        dirs.par_iter().try_for_each(|dir| {
            let full = staging.join(dir);
            if recycled.is_some_and(|r| r.take(dir).is_some()) {
                remove(&full)?;
            }
            // The first level's parent is the staging folder, made along with them if need be.
            let made = if depth == 0 {
                std::fs::create_dir_all(&full)
            } else {
                std::fs::create_dir(&full)
            };
            match made {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                    Err(Error::write(&full, e))
                }
                _ => Ok(()),
            }
        })?;
    }
    made.extend(new.into_iter().map(Box::from));
    Ok(())
}

/// Writes (or links) every file of `batch` under `staging`; in a recycled staging folder
/// (`recycled`), a file already there with the right bytes is left as it is. Returns what was
/// done and each file's stamp as it was left, in the batch's order (`None` where not known).
pub fn files(
    staging: &Path,
    previous: Option<&Path>,
    recycled: Option<&Index>,
    batch: &Site,
) -> Result<(Stats, Vec<Option<Stamp>>), Error> {
    let work: Vec<(&String, &Content)> = batch.iter().collect();
    let placed = (work.par_iter())
        .map(|(path, content)| {
            crate::interrupt::check()?;
            let found = recycled.and_then(|r| r.take(path));
            if let Some(stamp) = already_there(content, found, previous, path) {
                return Ok((UNCHANGED, Some(stamp)));
            }
            let to = staging.join(path);
            let there = match (found, recycled) {
                (Some(found), _) => Some(found),
                (None, Some(r)) => r.claim(path, &to).map_err(|e| Error::write(&to, e))?,
                (None, None) => None,
            };
            place(previous.map(|p| p.join(path)), &to, there, content)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mut stats = Stats::default();
    let stamps = (placed.into_iter())
        .map(|(s, stamp)| {
            stats.add(&s);
            stamp
        })
        .collect();
    Ok((stats, stamps))
}

const UNCHANGED: Stats = Stats {
    written: 0,
    linked: 1,
    bytes: 0,
};

/// The stamp of the file the recycled folder holds at `path` (file system and inode number
/// `found`) when `content` is the previous site's file and that file is it: then nothing is to
/// be done. A stamp the build cache checked in this build needs no second look and no path made
/// (half a million kept files in a national rebuild; the recycled folder is on the previous
/// site's file system: `Publication::begin`).
fn already_there(
    content: &Content,
    found: Option<(u64, u64)>,
    previous: Option<&Path>,
    path: &str,
) -> Option<Stamp> {
    let (Content::Previous(checked), Some((dev, ino)), Some(previous)) = (content, found, previous)
    else {
        return None;
    };
    match checked {
        Some(checked) => (checked.ino() == ino).then_some(*checked),
        None => file_with_inode(&previous.join(path), (dev, ino)).map(|m| Stamp::of(&m)),
    }
}

/// Puts `content` at `to`: left as it is when the file already there (file system and inode
/// number `there`) is it, else linked from the previous site's file `old` when that one has the
/// same bytes, else written. A file there that is not it is removed first, never written
/// through: it may be a link to a published file. Returns the file's stamp with what was done:
/// the build cache records the site from these instead of walking it again.
fn place(
    old: Option<PathBuf>,
    to: &Path,
    there: Option<(u64, u64)>,
    content: &Content,
) -> Result<(Stats, Option<Stamp>), Error> {
    if let Content::Previous(_) = content {
        // Not the previous site's file (`already_there`): replaced by it.
        if there.is_some() {
            remove(to)?;
        }
        kept(old, to)?;
        return Ok((UNCHANGED, stamp_of(to)));
    }
    if there.is_some() {
        if let Some(meta) = same_content(to, content) {
            return Ok((UNCHANGED, Some(Stamp::of(&meta))));
        }
        remove(to)?;
    }
    if let Some(old) = old {
        if same_content(&old, content).is_some() && std::fs::hard_link(&old, to).is_ok() {
            return Ok((UNCHANGED, stamp_of(to)));
        }
    }
    let (bytes, meta) = write_one(to, content)?;
    let stats = Stats {
        written: 1,
        linked: 0,
        bytes,
    };
    Ok((stats, meta.map(|m| Stamp::of(&m))))
}

/// The stamp of the file at `path` now.
fn stamp_of(path: &Path) -> Option<Stamp> {
    std::fs::symlink_metadata(path).ok().map(|m| Stamp::of(&m))
}

/// Removes the file at `to` (before its path is written again).
fn remove(to: &Path) -> Result<(), Error> {
    std::fs::remove_file(to).map_err(|e| Error::write(to, e))
}

/// `path`'s metadata when it is a regular file with this file system and inode number: in the
/// previous site, the file whose directory entry in the staging folder gave them, linked at both
/// paths.
fn file_with_inode(path: &Path, (dev, ino): (u64, u64)) -> Option<std::fs::Metadata> {
    use std::os::unix::fs::MetadataExt;
    (std::fs::symlink_metadata(path).ok())
        .filter(|m| m.is_file() && (m.dev(), m.ino()) == (dev, ino))
}

/// Links (or, where links fail, copies) a file the build cache kept from the previous site.
fn kept(old: Option<PathBuf>, to: &Path) -> Result<(), Error> {
    let Some(old) = old else {
        let e = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the previous site, whose file was to be kept, is gone; build again",
        );
        return Err(Error::write(to, e));
    };
    if std::fs::hard_link(&old, to).is_err() {
        copy_new(&old, to).map_err(|e| Error::write(to, e))?;
    }
    Ok(())
}

/// Writes `content` into a new file at `to`; returns the bytes written and the file's metadata
/// once written (`None` when it could not be read).
fn write_one(to: &Path, content: &Content) -> Result<(u64, Option<std::fs::Metadata>), Error> {
    use std::io::Write as _;
    let written = match content {
        Content::Bytes(bytes) => create_new(to).and_then(|mut f| {
            f.write_all(bytes)?;
            Ok((bytes.len() as u64, f.metadata().ok()))
        }),
        Content::File(from) => copy_new(from, to),
        Content::Spliced(spliced) => create_new(to).and_then(|f| {
            let bytes = super::spliced::write(&f, spliced)?;
            Ok((bytes, f.metadata().ok()))
        }),
        // `place` links these before it comes here.
        Content::Previous(_) => Err(std::io::Error::other(
            "a kept file is linked from the previous site, not written",
        )),
    };
    written.map_err(|e| Error::write(to, e))
}

/// A new file at `to`; an existing one is an error, not truncated (it may be a published file's
/// link).
fn create_new(to: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
}

/// Copies `from` into a new file at `to` (the kernel copies where it can); returns the bytes and
/// the new file's metadata once written.
fn copy_new(from: &Path, to: &Path) -> std::io::Result<(u64, Option<std::fs::Metadata>)> {
    let mut source = std::fs::File::open(from)?;
    let mut file = create_new(to)?;
    let bytes = std::io::copy(&mut source, &mut file)?;
    Ok((bytes, file.metadata().ok()))
}

/// `old`'s metadata when it is a regular file (not a link to elsewhere) with exactly `content`'s
/// bytes. Any error reading either side means "not known to be equal": the file is written.
fn same_content(old: &Path, content: &Content) -> Option<std::fs::Metadata> {
    let meta = std::fs::symlink_metadata(old).ok()?;
    if !meta.file_type().is_file() {
        return None;
    }
    let same = match content {
        Content::Bytes(bytes) => {
            meta.len() == bytes.len() as u64
                && std::fs::File::open(old).is_ok_and(|f| equal_streams(f, &bytes[..]))
        }
        Content::Previous(_) => false,
        Content::Spliced(spliced) => {
            std::fs::File::open(old).is_ok_and(|f| super::spliced::equals(&f, &meta, spliced))
        }
        Content::File(from) => {
            std::fs::metadata(from).is_ok_and(|m| m.len() == meta.len())
                && match (std::fs::File::open(old), std::fs::File::open(from)) {
                    (Ok(a), Ok(b)) => equal_streams(a, b),
                    _ => false,
                }
        }
    };
    same.then_some(meta)
}

/// Compares two readers block by block.
fn equal_streams(mut a: impl Read, mut b: impl Read) -> bool {
    let (mut x, mut y) = (vec![0u8; BLOCK], vec![0u8; BLOCK]);
    loop {
        let n = match read_full(&mut a, &mut x) {
            Ok(n) => n,
            Err(_) => return false,
        };
        match read_full(&mut b, &mut y[..n.max(1)]) {
            Ok(m) if m == n && x[..n] == y[..n] => {}
            _ => return false,
        }
        if n == 0 {
            // Both at their end: `b` read nothing into a one-byte buffer.
            return true;
        }
    }
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_made_parents_first_and_once() {
        let dir = tempfile::tempdir().unwrap();
        let batch = |paths: &[&str]| -> Site {
            (paths.iter())
                .map(|p| (p.to_string(), Content::Bytes(Vec::new())))
                .collect()
        };
        let mut made = Made::default();
        let first = batch(&[
            "a/b/c/d.txt",
            "a/b/c/e.txt",
            "a/x.txt",
            "top.txt",
            "e/f/g.txt",
        ]);
        make_folders(dir.path(), &first, &mut made, None).unwrap();
        let want = ["a", "a/b", "a/b/c", "e", "e/f"];
        let mut got: Vec<&str> = made.iter().map(|d| &**d).collect();
        got.sort_unstable();
        assert_eq!(got, want);
        for d in want {
            assert!(dir.path().join(d).is_dir(), "{d}");
        }
        // A later batch makes only what is new, below folders made before.
        make_folders(
            dir.path(),
            &batch(&["a/b/h/i.txt", "a/y.txt"]),
            &mut made,
            None,
        )
        .unwrap();
        assert!(dir.path().join("a/b/h").is_dir() && made.contains("a/b/h"));
        assert_eq!(made.len(), 6);
    }

    #[test]
    fn streams_compare_by_bytes() {
        let long: Vec<u8> = (0..BLOCK * 2 + 7).map(|i| (i % 251) as u8).collect();
        let mut other = long.clone();
        *other.last_mut().unwrap() ^= 1;
        for (a, b, want) in [
            (&b""[..], &b""[..], true),
            (b"abc", b"abc", true),
            (b"abc", b"abd", false),
            (b"abc", b"abcd", false),
            (b"abcd", b"abc", false),
            (&long[..], &long[..], true),
            (&long[..], &other[..], false),
            (&long[..], &long[..BLOCK], false),
        ] {
            assert_eq!(equal_streams(a, b), want, "{} vs {}", a.len(), b.len());
        }
    }

    #[test]
    fn equal_files_are_linked_and_others_written() {
        let dir = tempfile::tempdir().unwrap();
        let (old, staging) = (dir.path().join("old"), dir.path().join("new"));
        std::fs::create_dir_all(old.join("a")).unwrap();
        std::fs::write(old.join("a/same.html"), "same").unwrap();
        std::fs::write(old.join("a/changed.html"), "before").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", old.join("a/link.txt")).unwrap();
        let batch: Site = [
            ("a/same.html", "same"),
            ("a/changed.html", "after!"),
            ("a/link.txt", "x"),
            ("a/new.txt", "new"),
        ]
        .iter()
        .map(|(p, c)| (p.to_string(), Content::Bytes(c.as_bytes().to_vec())))
        .collect();
        let mut made = Made::default();
        make_folders(&staging, &batch, &mut made, None).unwrap();
        let (stats, stamps) = files(&staging, Some(&old), None, &batch).unwrap();
        assert_eq!((stats.linked, stats.written), (1, 3));
        // Each file's stamp is the one it has on disk once the batch is written, linked or not.
        for (path, stamp) in batch.keys().zip(stamps) {
            let meta = std::fs::symlink_metadata(staging.join(path)).unwrap();
            assert_eq!(stamp, Some(Stamp::of(&meta)), "{path}");
        }
        for (p, c) in [
            ("same.html", "same"),
            ("changed.html", "after!"),
            ("link.txt", "x"),
        ] {
            assert_eq!(
                std::fs::read_to_string(staging.join("a").join(p)).unwrap(),
                c
            );
        }
        assert!(!std::fs::symlink_metadata(staging.join("a/link.txt"))
            .unwrap()
            .file_type()
            .is_symlink());
    }
}
