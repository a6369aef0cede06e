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

/// Makes the folders the batch's files go in (each once per publication): parents before
/// children, each depth's folders in parallel — a national site has over a hundred thousand
/// folders, and made one after the other they kept the second core idle.
pub fn make_folders(
    staging: &Path,
    batch: &Site,
    made: &mut BTreeSet<String>,
) -> Result<(), Error> {
    let mut new: BTreeSet<&str> = BTreeSet::new();
    for path in batch.keys() {
        let mut dir = match path.rsplit_once('/') {
            Some((dir, _)) => dir,
            None => continue,
        };
        // The folder and those of its parents not made yet (a parent met before has its own).
        while !made.contains(dir) && new.insert(dir) {
            match dir.rsplit_once('/') {
                Some((parent, _)) => dir = parent,
                None => break,
            }
        }
    }
    let mut by_depth: Vec<Vec<&str>> = Vec::new();
    for dir in &new {
        let depth = dir.matches('/').count();
        if by_depth.len() <= depth {
            by_depth.resize_with(depth + 1, Vec::new);
        }
        by_depth[depth].push(dir);
    }
    for (depth, dirs) in by_depth.into_iter().enumerate() {
        dirs.par_iter().try_for_each(|dir| {
            let full = staging.join(dir);
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
    made.extend(new.into_iter().map(str::to_owned));
    Ok(())
}

/// Writes (or links) every file of `batch` under `staging`.
pub fn files(staging: &Path, previous: Option<&Path>, batch: &Site) -> Result<Stats, Error> {
    let work: Vec<(&String, &Content)> = batch.iter().collect();
    work.par_iter()
        .map(|(path, content)| {
            crate::interrupt::check()?;
            let to = staging.join(path);
            if let Content::Previous = content {
                return kept(previous.map(|p| p.join(path)), &to);
            }
            if let Some(old) = previous.map(|p| p.join(path)) {
                if same_content(&old, content) && std::fs::hard_link(&old, &to).is_ok() {
                    return Ok(Stats {
                        linked: 1,
                        ..Stats::default()
                    });
                }
            }
            let bytes = write_one(&to, content)?;
            Ok(Stats {
                written: 1,
                linked: 0,
                bytes,
            })
        })
        .try_reduce(Stats::default, |mut a, b| {
            a.add(&b);
            Ok(a)
        })
}

/// Links (or, where links fail, copies) a file the build cache kept from the previous site.
fn kept(old: Option<std::path::PathBuf>, to: &Path) -> Result<Stats, Error> {
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
    Ok(Stats {
        linked: 1,
        ..Stats::default()
    })
}

fn write_one(to: &Path, content: &Content) -> Result<u64, Error> {
    match content {
        Content::Bytes(bytes) => std::fs::write(to, bytes)
            .map(|()| bytes.len() as u64)
            .map_err(|e| Error::write(to, e)),
        Content::File(from) => std::fs::copy(from, to).map_err(|e| Error::write(to, e)),
        // `files` links these before it comes here.
        Content::Previous => Err(Error::write(
            to,
            std::io::Error::other("a kept file is linked from the previous site, not written"),
        )),
    }
}

/// True when `old` is a regular file (not a link to elsewhere) with exactly `content`'s bytes.
/// Any error reading either side means "not known to be equal": the file is written.
fn same_content(old: &Path, content: &Content) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(old) else {
        return false;
    };
    if !meta.file_type().is_file() {
        return false;
    }
    match content {
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
    }
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
        let mut made = BTreeSet::new();
        let first = batch(&["a/b/c/d.txt", "a/x.txt", "top.txt", "e/f/g.txt"]);
        make_folders(dir.path(), &first, &mut made).unwrap();
        let want = ["a", "a/b", "a/b/c", "e", "e/f"];
        assert_eq!(made.iter().map(String::as_str).collect::<Vec<_>>(), want);
        for d in want {
            assert!(dir.path().join(d).is_dir(), "{d}");
        }
        // A later batch makes only what is new, below folders made before.
        make_folders(dir.path(), &batch(&["a/b/h/i.txt", "a/y.txt"]), &mut made).unwrap();
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
        let mut made = BTreeSet::new();
        make_folders(&staging, &batch, &mut made).unwrap();
        let stats = files(&staging, Some(&old), &batch).unwrap();
        assert_eq!((stats.linked, stats.written), (1, 3));
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
