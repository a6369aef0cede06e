//! Stage 5, output: the only stage that writes the destination. The rendered site is written into
//! a staging folder beside `--out` and then swapped in with one atomic rename exchange, so a
//! failed or interrupted build leaves the previous site as it was. A folder that hromadata did not
//! make (no marker file) is never replaced or deleted.
//!
//! The site arrives in batches (`Publication::write`), so a national catalogue never has to be in
//! memory whole; nothing is visible at `--out` before `finish`. A file whose bytes equal the
//! previous site's file at the same path is hard-linked from it instead of written again
//! (`write`), which is what makes a rebuild cheap on a disk where creating files is slow. The site
//! a build replaces is kept as `.<name>.retired` and becomes the next build's staging folder
//! (`recycle`), so that a rebuild touches only the files that changed.

pub(crate) mod folder;
mod recycle;
mod spliced;
mod write;
pub use write::Stats;

use std::path::{Path, PathBuf};

use crate::cache::Stamp;
use crate::error::Error;
use crate::render::Site;

/// The marker file in every site hromadata builds.
pub const MARKER: &str = ".hromadata-site";
const MARKER_TEXT: &str =
    "This folder is built by hromadata and replaced as a whole on every build.\n";

/// Removes the staging folder unless the build got as far as swapping it in.
struct Staging {
    path: PathBuf,
    keep: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            let _ = remove_tree(&self.path);
        }
    }
}

/// Removes the folder at `path` with everything in it, the folders two levels down in parallel:
/// a national site has over half a million files, which one thread took 2.5 s to remove on
/// tmpfs. Whatever a parallel removal leaves is removed (or reported) by the last one.
fn remove_tree(path: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let folders = |dir: &Path| -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        (entries.flatten())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect()
    };
    let below: Vec<PathBuf> = folders(path).iter().flat_map(|f| folders(f)).collect();
    below.par_iter().for_each(|f| {
        let _ = std::fs::remove_dir_all(f);
    });
    std::fs::remove_dir_all(path)
}

/// True when `dir` holds a site hromadata built (its marker file).
pub fn is_ours(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false)
}

/// Checks that `out` may be replaced: absent, empty, or a site hromadata built.
pub fn check_destination(out: &Path, source: &Path) -> Result<(), Error> {
    if let (Ok(o), Ok(s)) = (absolute(out), source.canonicalize()) {
        if o.starts_with(&s) || s.starts_with(&o) {
            return Err(Error::OutputInsideSource {
                out: out.to_path_buf(),
                source_dir: source.to_path_buf(),
            });
        }
    }
    let meta = std::fs::symlink_metadata(out);
    match meta {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() && (is_ours(out) || is_empty_dir(out)) => Ok(()),
        Ok(_) => Err(Error::ForeignOutput {
            path: out.to_path_buf(),
        }),
    }
}

/// `path` made absolute (canonical where it exists, else its canonical parent joined with its name).
fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Ok(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no folder name"))?;
    Ok(absolute(&parent)?.join(name))
}

/// Staging folders of earlier, killed builds: hidden siblings named after `out`, with our marker.
/// A folder whose build is still running (its process is alive) is left alone: two builds into
/// the same `--out` at once must not delete each other's staging folder.
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}.staging-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let n = entry.file_name();
        let Some(rest) = n.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let pid: Option<u32> = (rest.split('.').next()).and_then(|p| p.parse().ok());
        if pid.is_some_and(is_running) {
            continue;
        }
        if is_ours(&entry.path()) || is_empty_dir(&entry.path()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// True when a process with this id exists (Unix `kill(pid, 0)`; permission denied still means
/// it exists).
fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Writes `site` to `out` through a staging folder and swaps it in.
pub fn publish(site: &Site, out: &Path, source: &Path) -> Result<(), Error> {
    let mut publication = Publication::begin(out, source)?;
    publication.write(site)?;
    publication.finish().map(|_| ())
}

/// A site being written: a staging folder beside `--out`, filled batch by batch, swapped in by
/// `finish`. Dropped unfinished (an error, an interrupt), it removes its staging folder.
pub struct Publication {
    out: PathBuf,
    staging: Staging,
    /// The site being replaced, when it is ours: files equal to its files are linked from it.
    previous: Option<PathBuf>,
    /// Folders this build made in the staging folder (a recycled one's own folders it keeps are
    /// marked in `recycled`).
    made: write::Made,
    /// What the staging folder held at the start when it is the retired site, recycled.
    recycled: Option<recycle::Index>,
    /// Where the site being replaced is kept once the new one is in (`recycle`).
    retired: PathBuf,
    /// What the batches did so far.
    pub stats: write::Stats,
}

impl Publication {
    /// Checks the destination and makes the staging folder (with the marker, first, so that a
    /// staging folder left by a killed build is recognisably ours).
    pub fn begin(out: &Path, source: &Path) -> Result<Publication, Error> {
        check_destination(out, source)?;
        let out = absolute(out).map_err(|e| Error::write(out, e))?;
        let parent = out.parent().unwrap_or(Path::new("/")).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| Error::write(&parent, e))?;
        let name = out
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("site")
            .to_owned();
        remove_stale_staging(&parent, &name);
        let staging = Staging {
            path: parent.join(format!(".{name}.staging-{}", std::process::id())),
            keep: false,
        };
        if staging.path.exists() {
            std::fs::remove_dir_all(&staging.path).map_err(|e| Error::write(&staging.path, e))?;
        }
        let retired = recycle::retired_path(&parent, &name);
        let recycled = recycle::take_retired(&retired, &staging.path, &out);
        if recycled.is_none() {
            std::fs::create_dir(&staging.path).map_err(|e| Error::write(&staging.path, e))?;
        }
        // Written anew (not through a link), first, so that a staging folder left by a killed
        // build is recognisably ours.
        let marker = staging.path.join(MARKER);
        if let Some(index) = &recycled {
            index.take(MARKER);
            let _ = std::fs::remove_file(&marker);
        }
        std::fs::write(&marker, MARKER_TEXT).map_err(|e| Error::write(&marker, e))?;
        let previous = is_ours(&out).then(|| out.clone());
        Ok(Publication {
            out,
            staging,
            previous,
            made: write::Made::default(),
            recycled,
            retired,
            stats: write::Stats::default(),
        })
    }

    /// Writes one batch of the site into the staging folder; returns each file's stamp as it
    /// was left there, in the batch's order (`None` where not known).
    pub fn write(&mut self, batch: &Site) -> Result<Vec<Option<Stamp>>, Error> {
        crate::interrupt::check()?;
        let recycled = self.recycled.as_ref();
        write::make_folders(&self.staging.path, batch, &mut self.made, recycled)?;
        let previous = self.previous.as_deref();
        let (stats, stamps) = write::files(&self.staging.path, previous, recycled, batch)?;
        self.stats.add(&stats);
        Ok(stamps)
    }

    /// Swaps the staging folder in at `--out` (after removing from a recycled one what this build
    /// did not produce). The previous site is kept as the retired site when most of its files are
    /// the new site's too (linked), else removed.
    pub fn finish(mut self) -> Result<Finished, Error> {
        crate::interrupt::check()?;
        if let Some(index) = self.recycled.take() {
            let at = &self.staging.path;
            let swept = index.sweep(at).map_err(|e| Error::write(at, e));
            // Let go of on the pool: a national site's index is 900,000 paths, freed one by one
            // (made on other threads) in a tenth of a second while the pipeline's thread waited.
            rayon::spawn(move || drop(index));
            swept?;
        }
        let aside_removed = swap_in(&self.staging.path, &self.out)?;
        // After the exchange the staging path holds the previous site, which the guard removes
        // unless it is retired.
        let shared = self.stats.linked >= self.stats.written;
        if shared && self.staging.path.exists() && !self.retired.exists() {
            let _ = std::fs::rename(&self.staging.path, &self.retired);
        }
        self.staging.keep = !self.staging.path.exists();
        Ok(Finished {
            // Removing the previous site unlinks the files the new one shares with it, which
            // changes their change time.
            stamps_hold: self.staging.keep && !aside_removed,
            marker: std::fs::symlink_metadata(self.out.join(MARKER))
                .ok()
                .map(|m| Stamp::of(&m)),
        })
    }
}

/// What `Publication::finish` tells of the published site.
#[derive(Debug, Clone, Copy)]
pub struct Finished {
    /// True when the stamps `write` returned are still the files' stamps: the site it replaced,
    /// if any, was retired or recycled rather than removed.
    pub stamps_hold: bool,
    /// The stamp of the site's marker file.
    pub marker: Option<Stamp>,
}

/// Puts `staging` at `out`: an atomic exchange when `out` exists (Linux `renameat2`), a rename
/// otherwise. Returns true when the previous site had to be moved aside and removed instead.
fn swap_in(staging: &Path, out: &Path) -> Result<bool, Error> {
    if std::fs::symlink_metadata(out).is_err() {
        return std::fs::rename(staging, out)
            .map(|()| false)
            .map_err(|e| Error::write(out, e));
    }
    if exchange(staging, out).is_ok() {
        return Ok(false);
    }
    // No atomic exchange on this system or file system: move the old site aside, then rename.
    let aside = staging.with_extension("old");
    std::fs::rename(out, &aside).map_err(|e| Error::write(out, e))?;
    if let Err(e) = std::fs::rename(staging, out) {
        let _ = std::fs::rename(&aside, out);
        return Err(Error::write(out, e));
    }
    remove_tree(&aside).map_err(|e| Error::write(&aside, e))?;
    Ok(true)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

/// Replaces the file at `path` with `bytes` atomically: written beside it under a temporary name,
/// flushed, then renamed over it, so a reader (or a crash) sees the old file or the new one, never
/// half of one. Used for files written into the source tree (`territories import`).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, &mut |f| f.write_all(bytes))
}

/// As `write_atomically`, the file's bytes written by `write` (through a buffer), so that a large
/// file need not be in memory whole.
pub fn write_atomically_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.new-{}", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|f| {
        let mut buffered = std::io::BufWriter::new(f);
        write(&mut buffered)?;
        buffered.flush()?;
        buffered.get_ref().sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Content;

    /// A scratch folder with an empty source folder in it.
    fn scratch() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir(&src).unwrap();
        (dir, src)
    }

    fn site(files: &[(&str, &str)]) -> Site {
        files
            .iter()
            .map(|(p, c)| (p.to_string(), Content::Bytes(c.as_bytes().to_vec())))
            .collect()
    }

    #[test]
    fn replaces_own_site_and_leaves_no_staging() {
        let (dir, src) = scratch();
        let out = dir.path().join("site");
        publish(&site(&[("a/index.html", "one")]), &out, &src).unwrap();
        publish(&site(&[("b.txt", "two")]), &out, &src).unwrap();
        assert!(!out.join("a").exists());
        assert_eq!(std::fs::read_to_string(out.join("b.txt")).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    /// Every file under `dir` (relative path → text), without the marker.
    fn tree(dir: &Path) -> std::collections::BTreeMap<String, String> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file() && e.file_name() != MARKER)
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap();
                let text = std::fs::read_to_string(e.path()).unwrap();
                (rel.to_string_lossy().into_owned(), text)
            })
            .collect()
    }

    #[test]
    fn the_retired_site_is_recycled_without_touching_the_published_one() {
        let (dir, src) = scratch();
        let (out, retired) = (dir.path().join("site"), dir.path().join(".site.retired"));
        let same = [("k/1", "k"), ("k/2", "k"), ("k/3", "k"), ("k/4", "k")];
        let a = [
            &same[..],
            &[
                ("a/x.html", "1"),
                ("a/y.html", "2"),
                ("b/z.txt", "3"),
                ("b/c/d.txt", "4"),
            ],
        ]
        .concat();
        publish(&site(&a), &out, &src).unwrap();
        assert!(!retired.exists(), "nothing to retire the first time");
        publish(&site(&a), &out, &src).unwrap();
        assert!(
            is_ours(&retired),
            "an all-linked build keeps the site it replaced"
        );
        // A build that fails after writing into the recycled folder leaves the site as it was.
        let mut failed = Publication::begin(&out, &src).unwrap();
        failed
            .write(&site(&[("a/x.html", "changed"), ("b/z.txt", "3")]))
            .unwrap();
        drop(failed);
        assert_eq!(tree(&out), tree_of(&a));
        publish(&site(&a), &out, &src).unwrap();
        publish(&site(&a), &out, &src).unwrap();
        // Changed, unchanged, removed, new, and a folder where a file now goes, and back.
        let b = [
            &same[..],
            &[
                ("a/x.html", "changed"),
                ("a/y.html", "2"),
                ("b", "file now"),
                ("d/e.txt", "5"),
            ],
        ]
        .concat();
        publish(&site(&b), &out, &src).unwrap();
        assert_eq!(tree(&out), tree_of(&b));
        assert_eq!(
            tree(&retired),
            tree_of(&a),
            "the replaced site is kept as it was"
        );
        for _ in 0..2 {
            publish(&site(&a), &out, &src).unwrap();
            assert_eq!(tree(&out), tree_of(&a));
        }
        // A site that shares little with the one it replaces is not kept.
        publish(&site(&[("new.txt", "6")]), &out, &src).unwrap();
        assert!(!retired.exists());
    }

    /// Publishes `site` through a `Publication`; returns each file's stamp as `write` gave it
    /// and what `finish` said.
    fn stamped(site: &Site, out: &Path, src: &Path) -> (Vec<Option<Stamp>>, Finished) {
        let mut p = Publication::begin(out, src).unwrap();
        let stamps = p.write(site).unwrap();
        (stamps, p.finish().unwrap())
    }

    #[test]
    fn the_stamps_given_are_the_published_files_stamps_while_they_hold() {
        let (dir, src) = scratch();
        let out = dir.path().join("site");
        let on_disk = |path: &str| {
            Some(Stamp::of(
                &std::fs::symlink_metadata(out.join(path)).unwrap(),
            ))
        };
        let files = [
            ("k/1", "k"),
            ("k/2", "k"),
            ("a/x.html", "1"),
            ("b/y.txt", "2"),
        ];
        let first = site(&files);
        let mut changed = first.clone();
        changed.insert("a/x.html".into(), Content::Bytes(b"changed".to_vec()));
        changed.insert("k/1".into(), Content::Previous(None));
        // Written, linked from the site it replaces, recycled, kept by the cache: each time the
        // stamps are those of the published files once the build is over.
        for (round, batch) in [&first, &first, &first, &changed, &first]
            .into_iter()
            .enumerate()
        {
            let (stamps, finished) = stamped(batch, &out, &src);
            assert!(finished.stamps_hold, "round {round}");
            assert_eq!(finished.marker, on_disk(MARKER));
            for (path, stamp) in batch.keys().zip(stamps) {
                assert_eq!(stamp, on_disk(path), "round {round}: {path}");
            }
        }
        // A checked stamp is taken as it is when its inode is the one there.
        let kept = on_disk("k/2");
        let batch: Site = [("k/2".to_owned(), Content::Previous(kept))].into();
        let (stamps, _) = stamped(&batch, &out, &src);
        assert_eq!(stamps, [kept]);
        // A site that shares little with the one it replaces: that one is removed, which changes
        // the change time of the files the two shared, so the stamps do not hold.
        let (_, finished) = stamped(&site(&[("k/2", "k"), ("c", "3"), ("d", "4")]), &out, &src);
        assert!(!finished.stamps_hold);
    }

    fn tree_of(files: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
        (files.iter())
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn a_running_build_keeps_its_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir
            .path()
            .join(format!(".site.staging-{}", std::process::id()));
        let dead = dir.path().join(".site.staging-4194999");
        for d in [&live, &dead] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join(MARKER), MARKER_TEXT).unwrap();
        }
        remove_stale_staging(dir.path(), "site");
        assert!(live.exists(), "the running build's folder stays");
        assert!(!dead.exists(), "a killed build's folder goes");
        assert!(is_running(std::process::id()) && !is_running(0));
    }

    #[test]
    fn refuses_foreign_folders() {
        let (dir, src) = scratch();
        let out = dir.path().join("precious");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("thesis.tex"), "years of work").unwrap();
        assert!(matches!(
            publish(&site(&[("x", "y")]), &out, &src),
            Err(Error::ForeignOutput { .. })
        ));
        assert!(out.join("thesis.tex").exists());
        assert!(matches!(
            publish(&site(&[("x", "y")]), &src.join("site"), &src),
            Err(Error::OutputInsideSource { .. })
        ));
    }
}
