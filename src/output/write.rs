//! Stage 5, output: writing one batch of files into the staging folder — folders first, then the
//! files in parallel (creating many small files is the slow part of a build on a real disk). A
//! file whose bytes equal the previous site's file at the same path becomes a hard link to it:
//! the bytes are compared, not dates or names, so what lands in the staging folder is exactly what
//! render produced either way.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use crate::error::Error;
use crate::render::{Content, Site};

/// Reads are compared in blocks of this size (larger buffers measured slower on this hardware).
const BLOCK: usize = 128 * 1024;

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

/// Makes the folders the batch's files go in (each once per publication).
pub fn make_folders(
    staging: &Path,
    batch: &Site,
    made: &mut BTreeSet<String>,
) -> Result<(), Error> {
    for path in batch.keys() {
        let Some((dir, _)) = path.rsplit_once('/') else {
            continue;
        };
        if made.contains(dir) {
            continue;
        }
        let full = staging.join(dir);
        std::fs::create_dir_all(&full).map_err(|e| Error::write(&full, e))?;
        made.insert(dir.to_owned());
    }
    Ok(())
}

/// A file's stamp as the build cache records it (`None` when stamps are not wanted).
pub type Stamped = Option<(String, crate::cache::Stamp)>;

/// Writes (or links) every file of `batch` under `staging`; with `stamps`, also returns each
/// file's stamp (`Stamp::of_site`) as it is in the staging folder — the site's, after the swap —
/// taken from what writing had at hand (the open file, the linked file's metadata).
pub fn files(
    staging: &Path,
    previous: Option<&Path>,
    batch: &Site,
    stamps: bool,
) -> Result<(Stats, Vec<Stamped>), Error> {
    let work: Vec<(&String, &Content)> = batch.iter().collect();
    let done = work
        .par_iter()
        .map(|(path, content)| {
            crate::interrupt::check()?;
            let to = staging.join(path);
            let (stats, meta) = one(previous.map(|p| p.join(path)), &to, content, stamps)?;
            let stamp = meta.map(|m| ((*path).clone(), crate::cache::Stamp::of_site(&m)));
            Ok((stats, stamp))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mut stats = Stats::default();
    let stamped = (done.into_iter())
        .map(|(s, stamp)| {
            stats.add(&s);
            stamp
        })
        .collect();
    Ok((stats, stamped))
}

/// Writes or links one file; with `stamps`, returns its metadata too.
fn one(
    old: Option<std::path::PathBuf>,
    to: &Path,
    content: &Content,
    stamps: bool,
) -> Result<(Stats, Option<std::fs::Metadata>), Error> {
    let linked = Stats {
        linked: 1,
        ..Stats::default()
    };
    if let Content::Previous = content {
        kept(old, to)?;
        let meta = stamps.then(|| std::fs::symlink_metadata(to));
        return Ok((linked, meta.transpose().map_err(|e| Error::write(to, e))?));
    }
    if let Some(old) = old {
        if let Some(meta) = same_content(&old, content) {
            if std::fs::hard_link(&old, to).is_ok() {
                // The link is the same inode: same size, times and number.
                return Ok((linked, stamps.then_some(meta)));
            }
        }
    }
    let (bytes, meta) = write_one(to, content, stamps)?;
    let stats = Stats {
        written: 1,
        linked: 0,
        bytes,
    };
    Ok((stats, meta))
}

/// Links (or, where links fail, copies) a file the build cache kept from the previous site.
fn kept(old: Option<std::path::PathBuf>, to: &Path) -> Result<(), Error> {
    let Some(old) = old else {
        let e = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the previous site, whose file was to be kept, is gone; build again",
        );
        return Err(Error::write(to, e));
    };
    if std::fs::hard_link(&old, to).is_err() {
        std::fs::copy(&old, to).map_err(|e| Error::write(to, e))?;
    }
    Ok(())
}

/// Writes one file; returns its size, and its metadata with `stamps` (of the open file where
/// there is one: no second look-up of the path).
fn write_one(
    to: &Path,
    content: &Content,
    stamps: bool,
) -> Result<(u64, Option<std::fs::Metadata>), Error> {
    use std::io::Write as _;
    let fail = |e| Error::write(to, e);
    match content {
        Content::Bytes(bytes) => {
            let mut file = std::fs::File::create(to).map_err(fail)?;
            file.write_all(bytes).map_err(fail)?;
            let meta = stamps.then(|| file.metadata()).transpose().map_err(fail)?;
            Ok((bytes.len() as u64, meta))
        }
        Content::File(from) => {
            let bytes = std::fs::copy(from, to).map_err(fail)?;
            let meta = stamps.then(|| std::fs::symlink_metadata(to));
            Ok((bytes, meta.transpose().map_err(fail)?))
        }
        // `one` links these before it comes here.
        Content::Previous => Err(Error::write(
            to,
            std::io::Error::other("a kept file is linked from the previous site, not written"),
        )),
    }
}

/// `old`'s metadata when it is a regular file (not a link to elsewhere) with exactly `content`'s
/// bytes. Any error reading either side means "not known to be equal": the file is written.
fn same_content(old: &Path, content: &Content) -> Option<std::fs::Metadata> {
    let meta = std::fs::symlink_metadata(old).ok()?;
    if !meta.file_type().is_file() {
        return None;
    }
    let equal = match content {
        Content::Bytes(bytes) => {
            meta.len() == bytes.len() as u64
                && std::fs::File::open(old).is_ok_and(|f| equal_streams(f, &bytes[..]))
        }
        Content::Previous => false,
        Content::File(from) => {
            std::fs::metadata(from).is_ok_and(|m| m.len() == meta.len())
                && match (std::fs::File::open(old), std::fs::File::open(from)) {
                    (Ok(a), Ok(b)) => equal_streams(a, b),
                    _ => false,
                }
        }
    };
    equal.then_some(meta)
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
        let mut made = BTreeSet::new();
        make_folders(&staging, &batch, &mut made).unwrap();
        let (stats, stamps) = files(&staging, Some(&old), &batch, true).unwrap();
        assert_eq!((stats.linked, stats.written), (1, 3));
        // Every file's stamp is the one a walk of the folder finds.
        let walked = crate::cache::site_stamp_list(&staging).unwrap();
        let stamps: Vec<_> = stamps.into_iter().flatten().collect();
        assert_eq!((stamps.len(), walked.len()), (4, 4));
        for (path, stamp) in &stamps {
            assert_eq!(crate::cache::stamp_of(&walked, path), Some(stamp), "{path}");
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
