//! The build cache, after the output stage: the stamps of the new site's files as the output
//! stage left them, so that the record of the site needs no second walk of it (at national scale,
//! a walk and stat of over half a million files: 1.5 s on tmpfs, nearly 3 s on this disk).
//!
//! The stamps are written to a file in the cache folder batch by batch, as the site is written:
//! held in memory through the build, they would add tens of megabytes to its peak. The file is
//! read back once the site is swapped in, and removed. Invariant: the journal gives a site's
//! stamps only when every file was stamped, each path once, with nothing left out; anything else
//! means `None`, and the cache walks the site as before.

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use super::Stamp;

/// The stamps of the site's files as the batches are written.
pub struct Journal {
    path: PathBuf,
    file: Option<BufWriter<std::fs::File>>,
    files: usize,
}

impl Journal {
    /// A new journal in the cache folder `dir`; `None` when it cannot be made there.
    pub fn create(dir: &Path) -> Option<Journal> {
        std::fs::create_dir_all(dir).ok()?;
        let path = dir.join(format!(".site-stamps-{}", std::process::id()));
        let file = std::fs::File::create(&path).ok()?;
        Some(Journal {
            path,
            file: Some(BufWriter::with_capacity(256 * 1024, file)),
            files: 0,
        })
    }

    /// Adds a batch's files with their stamps. A file without a stamp, or a path the cache
    /// cannot record, spoils the journal: the site will be walked.
    pub fn add<'p>(&mut self, files: impl IntoIterator<Item = (&'p String, Option<Stamp>)>) {
        let Some(out) = &mut self.file else {
            return;
        };
        let mut line = String::new();
        for (path, stamp) in files {
            let Some(stamp) = stamp.filter(|_| !path.contains(['\t', '\n', '\r'])) else {
                self.file = None;
                return;
            };
            line.clear();
            line.push_str(path);
            line.push('\t');
            stamp.write_fields(&mut line);
            line.push('\n');
            if out.write_all(line.as_bytes()).is_err() {
                self.file = None;
                return;
            }
            self.files += 1;
        }
    }

    /// The site's files with their stamps, sorted by path (as `super::stamp_list` gives them),
    /// with the marker file's; `None` when the journal does not hold exactly `files` files.
    pub fn read(mut self, files: usize, marker: Option<Stamp>) -> Option<Vec<(String, Stamp)>> {
        use rayon::prelude::*;
        let mut out = self.file.take()?;
        out.flush().ok()?;
        drop(out);
        if self.files != files {
            return None;
        }
        let mut list = read_lines(&self.path, files + 1, 4 << 20)?;
        list.push((crate::output::MARKER.to_owned(), marker?));
        // The batches come one after the other, each sorted: a merge sort takes those runs as
        // they are, where a quicksort compared half a million long paths twenty times over.
        list.par_sort_by(|a, b| a.0.cmp(&b.0));
        let each_once = list.windows(2).all(|w| w[0].0 != w[1].0);
        each_once.then_some(list)
    }
}

/// The journal's lines at `path`, parsed, in order; `None` when one is not a path and a stamp.
/// Read `piece` bytes at a time into one buffer, each piece's lines parsed in parallel: read
/// whole, the journal of a national site (60 MB) took a fifth of a second of page faults on
/// one core before the first line was parsed.
fn read_lines(path: &Path, capacity: usize, piece: u64) -> Option<Vec<(String, Stamp)>> {
    use rayon::prelude::*;
    use std::io::Read as _;
    let parse = |line: &str| {
        let (path, fields) = line.split_once('\t')?;
        Some((path.to_owned(), Stamp::parse(fields)?))
    };
    let mut file = std::fs::File::open(path).ok()?;
    let (mut list, mut buf, mut parsed) = (Vec::with_capacity(capacity), Vec::new(), Vec::new());
    loop {
        let read = (&mut file).take(piece).read_to_end(&mut buf).ok()?;
        // Whole lines only; the rest waits for the next piece (a journal ends with a line break).
        let whole = match read {
            0 if buf.is_empty() => return Some(list),
            0 => return None,
            _ => memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1),
        };
        let text = std::str::from_utf8(&buf[..whole]).ok()?;
        // Each line parsed into its place: collected from an unindexed split, the entries were
        // gathered in pieces and moved again.
        let lines: Vec<&str> = text.lines().collect();
        lines
            .par_iter()
            .map(|l| parse(l))
            .collect_into_vec(&mut parsed);
        for entry in parsed.drain(..) {
            list.push(entry?);
        }
        buf.drain(..whole);
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.file = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(ino: u64) -> Stamp {
        Stamp::parse(&format!("3\t10\t20\t{ino}")).unwrap()
    }

    #[test]
    fn a_journal_reads_back_sorted_only_when_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (b, a) = ("b/index.html".to_owned(), "a.txt".to_owned());
        let mut j = Journal::create(dir.path()).unwrap();
        j.add([(&b, Some(stamp(2)))]);
        j.add([(&a, Some(stamp(1)))]);
        let list = j.read(2, Some(stamp(9))).unwrap();
        let paths: Vec<&str> = list.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, [crate::output::MARKER, "a.txt", "b/index.html"]);
        assert_eq!(list[1].1, stamp(1));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the journal's file is removed"
        );
        for spoil in [
            (vec![(&a, None)], 1, Some(stamp(9))),
            (vec![(&a, Some(stamp(1)))], 2, Some(stamp(9))),
            (
                vec![(&a, Some(stamp(1))), (&a, Some(stamp(1)))],
                2,
                Some(stamp(9)),
            ),
            (vec![(&a, Some(stamp(1)))], 1, None),
            (
                vec![(&"a\tb".to_owned(), Some(stamp(1)))],
                1,
                Some(stamp(9)),
            ),
        ] {
            let mut j = Journal::create(dir.path()).unwrap();
            let (files, count, marker) = spoil;
            j.add(files.iter().map(|(p, s)| (*p, *s)));
            assert!(j.read(count, marker).is_none());
        }
    }

    #[test]
    fn lines_are_read_whole_across_pieces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let lines: Vec<String> = (0..50)
            .map(|n| {
                format!(
                    "a/{}\t{}\n",
                    "x".repeat(n % 13),
                    stamp(n as u64).to_fields()
                )
            })
            .collect();
        std::fs::write(&path, lines.concat()).unwrap();
        let want: Vec<(String, Stamp)> = (0..50)
            .map(|n| (format!("a/{}", "x".repeat(n % 13)), stamp(n as u64)))
            .collect();
        for piece in [1, 7, 64, 1 << 20] {
            assert_eq!(read_lines(&path, 0, piece).as_ref(), Some(&want), "{piece}");
        }
        // A last line cut short, or one that is no stamp: no list.
        std::fs::write(&path, format!("{}a\t3\t10", lines.concat())).unwrap();
        assert_eq!(read_lines(&path, 0, 7), None);
        std::fs::write(&path, "a\tb\n").unwrap();
        assert_eq!(read_lines(&path, 0, 7), None);
        std::fs::write(&path, "").unwrap();
        assert_eq!(read_lines(&path, 0, 7), Some(Vec::new()));
    }
}
