//! Stage 5, output: writing and comparing a spliced catalogue-wide file (`render::splice`), made
//! of bytes made now and ranges of the previous build's file, which render left open. A range is
//! copied by the kernel (`copy_file_range`) where it can, else read and written in blocks, so that
//! a national catalogue's package (over a hundred megabytes) is never in memory whole.
//!
//! Invariants: the bytes written are exactly the segments in order; a range that cannot be read
//! whole (the previous file shrank under the build) fails the write, never leaves a short file;
//! a comparison reads a range only when it is not the same bytes of the same file by position.

use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt as _, MetadataExt as _};

use super::write::BLOCK;
use crate::render::splice::{Segment, Spliced};

/// Bytes made now are gathered up to this size before they are written.
const GATHER: usize = 256 * 1024;

/// Writes `s` into the new, empty file `to`; returns the bytes written.
pub(super) fn write(to: &File, s: &Spliced) -> io::Result<u64> {
    let mut at = 0u64;
    let mut gathered: Vec<u8> = Vec::new();
    for segment in s.segments() {
        match segment {
            Segment::Bytes(bytes) => {
                if gathered.len() + bytes.len() > GATHER {
                    at = flush(to, at, &mut gathered)?;
                }
                if bytes.len() > GATHER {
                    to.write_all_at(bytes, at)?;
                    at += bytes.len() as u64;
                } else {
                    gathered.extend_from_slice(bytes);
                }
            }
            Segment::Range { start, len } => {
                at = flush(to, at, &mut gathered)?;
                copy(from(s)?, start, to, at, len)?;
                at += len;
            }
        }
    }
    flush(to, at, &mut gathered)
}

/// Writes what was gathered at `at`; returns where the file now ends.
fn flush(to: &File, at: u64, gathered: &mut Vec<u8>) -> io::Result<u64> {
    to.write_all_at(gathered, at)?;
    let end = at + gathered.len() as u64;
    gathered.clear();
    Ok(end)
}

/// The open previous file a spliced file's ranges lie in.
fn from(s: &Spliced) -> io::Result<&File> {
    (s.from()).ok_or_else(|| io::Error::other("a spliced file's range has no file to come from"))
}

/// Copies `len` bytes at `start` in `from` to `at` in `to`.
fn copy(from: &File, mut start: u64, to: &File, mut at: u64, len: u64) -> io::Result<()> {
    let end = start + len;
    while start < end {
        let left = usize::try_from(end - start).unwrap_or(usize::MAX);
        let copied = rustix::fs::copy_file_range(from, Some(&mut start), to, Some(&mut at), left);
        match copied {
            Ok(0) => return Err(shrunk()),
            Ok(_) => {}
            // Not between these files (another file system, a kernel without it): in blocks.
            Err(_) => return copy_in_blocks(from, start, to, at, end - start),
        }
    }
    Ok(())
}

/// `copy` through memory, a block at a time.
fn copy_in_blocks(from: &File, start: u64, to: &File, at: u64, len: u64) -> io::Result<()> {
    let mut buf = vec![0u8; BLOCK];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(BLOCK as u64) as usize;
        read_exact_at(from, &mut buf[..n], start + done)?;
        to.write_all_at(&buf[..n], at + done)?;
        done += n as u64;
    }
    Ok(())
}

fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    file.read_exact_at(buf, at).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => shrunk(),
        _ => e,
    })
}

fn shrunk() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the previous site's file this one is spliced from changed during the build; build again",
    )
}

/// True when the open file `file` (its metadata `meta`) holds exactly the bytes of `s`. A range
/// at its own place in the very file it comes from is equal without being read: a rebuild
/// compares its package with the previous one reading only the parts made now.
pub(super) fn equals(file: &File, meta: &std::fs::Metadata, s: &Spliced) -> bool {
    if meta.len() != s.size() {
        return false;
    }
    let from_meta = s.from().and_then(|f| f.metadata().ok());
    let same_file = from_meta.is_some_and(|m| (m.dev(), m.ino()) == (meta.dev(), meta.ino()));
    let mut at = 0;
    let mut buf = Vec::new();
    for segment in s.segments() {
        let equal = match segment {
            Segment::Bytes(bytes) => bytes.chunks(BLOCK).enumerate().all(|(k, chunk)| {
                let offset = at + (k * BLOCK) as u64;
                read_into(file, &mut buf, offset, chunk.len()).is_ok_and(|b| b == chunk)
            }),
            Segment::Range { start, .. } if same_file && start == at => true,
            Segment::Range { start, len } => s
                .from()
                .is_some_and(|from| ranges_equal((from, start), (file, at), len)),
        };
        if !equal {
            return false;
        }
        at += segment.size();
    }
    true
}

/// `n` bytes of `file` at `at`, read into `buf`.
fn read_into<'b>(file: &File, buf: &'b mut Vec<u8>, at: u64, n: usize) -> io::Result<&'b [u8]> {
    buf.resize(n, 0);
    file.read_exact_at(buf, at)?;
    Ok(buf)
}

/// True when `len` bytes at `a` in one file equal those at `b` in the other.
fn ranges_equal((a, a_at): (&File, u64), (b, b_at): (&File, u64), len: u64) -> bool {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut done = 0;
    while done < len {
        let n = (len - done).min(BLOCK as u64) as usize;
        let same = match (
            read_into(a, &mut x, a_at + done, n),
            read_into(b, &mut y, b_at + done, n),
        ) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        };
        if !same {
            return false;
        }
        done += n as u64;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `previous` written to a file in `dir`, open for reading.
    fn previous(dir: &std::path::Path, bytes: &[u8]) -> (std::path::PathBuf, File) {
        let path = dir.join("previous.json");
        std::fs::write(&path, bytes).unwrap();
        let file = File::open(&path).unwrap();
        (path, file)
    }

    fn written(dir: &std::path::Path, name: &str, s: &Spliced) -> io::Result<Vec<u8>> {
        let path = dir.join(name);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        let n = write(&file, s)?;
        let bytes = std::fs::read(&path)?;
        assert_eq!(n, bytes.len() as u64);
        Ok(bytes)
    }

    #[test]
    fn writes_made_bytes_and_copied_ranges_in_order_and_compares_them() {
        let dir = tempfile::tempdir().unwrap();
        let (path, file) = previous(dir.path(), b"[aa, bb, cc]");
        // `aa, bb` and `cc` read back around a part made now; a long part made now too.
        let long = vec![b'x'; GATHER + 10];
        let runs = vec![
            Err((1, 6)),
            Ok(b"NEW".to_vec()),
            Ok(long.clone()),
            Err((9, 2)),
        ];
        let s = Spliced::of_runs((b"[", b", ", b"]"), runs, Some(file));
        let bytes = written(dir.path(), "new.json", &s).unwrap();
        let mut want = b"[aa, bb, NEW, ".to_vec();
        want.extend_from_slice(&long);
        want.extend_from_slice(b", cc]");
        assert_eq!(bytes, want);
        assert_eq!(s.size(), want.len() as u64);

        let compare = |p: &std::path::Path, s: &Spliced| {
            let f = File::open(p).unwrap();
            equals(&f, &f.metadata().unwrap(), s)
        };
        assert!(compare(&dir.path().join("new.json"), &s));
        assert!(!compare(&path, &s), "another length");
        // The same bytes in another file, and a file differing in one byte of a range.
        let (other, changed) = (dir.path().join("other"), dir.path().join("changed"));
        std::fs::write(&other, &want).unwrap();
        assert!(compare(&other, &s));
        want[3] = b'A';
        std::fs::write(&changed, &want).unwrap();
        assert!(!compare(&changed, &s), "a range is read and compared");
    }

    #[test]
    fn a_range_at_its_place_in_its_own_file_is_equal_and_a_shrunk_file_fails_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let (path, file) = previous(dir.path(), b"[aa, bb]");
        let f = File::open(&path).unwrap();
        let meta = f.metadata().unwrap();
        // The previous file compared with itself spliced back whole: equal by position.
        let whole = Spliced::of_runs((b"[", b", ", b"]"), vec![Err((1, 6))], Some(file));
        assert!(equals(&f, &meta, &whole));
        // Its head differs: the made bytes are read and compared.
        let (_, file) = previous(dir.path(), b"[aa, bb]");
        let other_head = Spliced::of_runs((b"{", b", ", b"]"), vec![Err((1, 6))], Some(file));
        assert!(!equals(&f, &f.metadata().unwrap(), &other_head));
        // The previous file cut short under the build: the write fails, not a short file.
        let (_, file) = previous(dir.path(), b"[aa, bb]");
        let s = Spliced::of_runs((b"[", b", ", b"]"), vec![Err((1, 6))], Some(file));
        std::fs::write(&path, b"[a").unwrap();
        let err = written(dir.path(), "cut.json", &s).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains("build again"), "{err}");
        // Copied in blocks where the kernel cannot: the same bytes.
        let (_, file) = previous(dir.path(), b"[aa, bb]");
        let out = dir.path().join("blocks");
        let to = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&out)
            .unwrap();
        copy_in_blocks(&file, 1, &to, 0, 6).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"aa, bb");
    }
}
