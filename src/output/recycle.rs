//! Stage 5, output: recycling the site the last build replaced. After the swap the previous site
//! is not deleted but kept beside `--out` as `.<name>.retired` (when it shares most of its files
//! with the new one, so it costs little space), and the next build takes it as its staging folder:
//! a file already there with the right bytes stays, and only what changed is written, linked or
//! removed. A national site has over half a million files in 350,000 folders; making every folder
//! and linking every file into an empty staging folder, then deleting the old tree, was most of
//! a one-file rebuild.
//!
//! Invariant: the retired folder shares files (hard links) with the published site, so nothing in
//! it is ever opened for writing: a file is removed before its path is written again, and new files
//! are created with `create_new`, which fails rather than write through a link.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use foldhash::fast::FixedState;
use rayon::prelude::*;

use super::folder::Folder;

/// A recycled folder this build has not put anything in (yet).
const FREE: u8 = 0;
/// A recycled folder this build puts files in: kept, and so are its parents.
const USED: u8 = 1;
/// A recycled folder removed because this build puts a file at its path.
const REMOVED: u8 = 2;

/// Where the site at `out` (named `name`, in `parent`) is kept once replaced.
pub fn retired_path(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.retired"))
}

/// What a recycled staging folder held when the build began: its files, each marked once the
/// build has produced that path, and its folders.
#[derive(Debug, Default)]
pub struct Index {
    /// Each file's inode number (from its directory entry) and whether it was taken.
    files: HashMap<Box<str>, (u64, AtomicBool), FixedState>,
    /// Each folder's state: `FREE`, `USED` once this build puts something in it (and so in its
    /// parents), `REMOVED` once removed because this build puts a file at its path.
    dirs: HashMap<Box<str>, AtomicU8, FixedState>,
    /// The file system the folder is on: an inode number means a file only on it.
    dev: u64,
}

impl Index {
    /// Lists the folder at `root` by its directory entries alone (no file is opened or stat'ed),
    /// the folders two levels down in parallel. A name that is not UTF-8 fails the listing: the
    /// build could not name it to remove it, so the folder is not recycled.
    pub fn of(root: &Path) -> std::io::Result<Index> {
        let mut top = Listing::default();
        let mut below = Vec::new();
        let root_folder = Folder::open(root)?;
        for entry in root_folder.entries()? {
            let rel: Box<str> = utf8(&entry.name)?.into();
            if !entry.is_dir {
                top.files.push((rel, entry.ino));
                continue;
            }
            let folder = root_folder.open_in(&entry.name)?;
            for inner in folder.entries()? {
                let inner_rel = format!("{rel}/{}", utf8(&inner.name)?).into_boxed_str();
                match inner.is_dir {
                    // Opened again by path on a pool thread: a handle per folder held until then
                    // would run out of file descriptors.
                    true => below.push((root.join(&*inner_rel), inner_rel)),
                    false => top.files.push((inner_rel, inner.ino)),
                }
            }
            top.dirs.push(rel);
        }
        let lists = (below.into_par_iter())
            .map(|(dir, rel)| {
                let mut found = Listing::default();
                found.walk(&Folder::open(&dir)?, rel).map(|()| found)
            })
            .collect::<std::io::Result<Vec<Listing>>>()?;
        let dev = std::os::unix::fs::MetadataExt::dev(&std::fs::metadata(root)?);
        let (files, dirs): (Vec<_>, Vec<_>) = (std::iter::once(top).chain(lists))
            .map(|l| (l.files, l.dirs))
            .unzip();
        // Each map sized once (grown entry by entry, the maps of a national site were rehashed
        // over and over) and the two made side by side: 900,000 entries on one core.
        let (files, dirs) = rayon::join(
            || {
                let mut map =
                    HashMap::with_capacity_and_hasher(count(&files), FixedState::default());
                let entries = files.into_iter().flatten();
                map.extend(entries.map(|(f, ino)| (f, (ino, AtomicBool::new(false)))));
                map
            },
            || {
                let mut map =
                    HashMap::with_capacity_and_hasher(count(&dirs), FixedState::default());
                map.extend(dirs.into_iter().flatten().map(|d| (d, AtomicU8::new(FREE))));
                map
            },
        );
        Ok(Index { files, dirs, dev })
    }

    /// Marks `path` as produced by this build; the file system and inode number of the file the
    /// folder held there, if any.
    pub fn take(&self, path: &str) -> Option<(u64, u64)> {
        let (ino, seen) = self.files.get(path)?;
        (!seen.swap(true, Ordering::Relaxed)).then_some((self.dev, *ino))
    }

    /// Keeps the folder at `dir` for this build's files, when the folder held one (not removed
    /// since): `Some(true)` when it was not kept before — its parents are then to be kept too,
    /// which the caller does (`write::make_folders`) — `Some(false)` when it was, and so were its
    /// parents; `None` when there is none to keep.
    pub fn keep_dir(&self, dir: &str) -> Option<bool> {
        let state = self.dirs.get(dir)?;
        match state.compare_exchange(FREE, USED, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => Some(true),
            Err(USED) => Some(false),
            Err(_) => None,
        }
    }

    /// Makes way for this build's file at `path` (`to` in the staging folder): a folder there is
    /// removed with everything in it. The file system and inode number of a file already there
    /// (then marked as produced).
    pub fn claim(&self, path: &str, to: &Path) -> std::io::Result<Option<(u64, u64)>> {
        // A file first: most paths are (a national rebuild claims half a million), and a path
        // the listing found a file at holds no folder.
        if let Some(found) = self.take(path) {
            return Ok(Some(found));
        }
        let state = self.dirs.get(path);
        if state.is_some_and(|s| s.swap(REMOVED, Ordering::Relaxed) != REMOVED) {
            gone(std::fs::remove_dir_all(to))?;
        }
        Ok(None)
    }

    /// Removes from `root` what this build did not produce: folders not kept (the outermost of
    /// them, with everything in them), then files not taken.
    pub fn sweep(&self, root: &Path) -> std::io::Result<()> {
        let stale =
            |d: &str| (self.dirs.get(d)).is_none_or(|state| state.load(Ordering::Relaxed) != USED);
        // Picked in parallel: a national site has 350,000 folders and over half a million files.
        let outermost: Vec<&str> = (self.dirs.par_iter())
            .filter(|(_, state)| state.load(Ordering::Relaxed) == FREE)
            .map(|(d, _)| &**d)
            .filter(|d| stale(d) && !ancestors(d).any(stale))
            .collect();
        outermost
            .par_iter()
            .try_for_each(|d| gone(std::fs::remove_dir_all(root.join(d))))?;
        let files: Vec<&str> = (self.files.par_iter())
            .filter(|(_, (_, seen))| !seen.load(Ordering::Relaxed))
            .map(|(f, _)| &**f)
            .collect();
        files
            .par_iter()
            .try_for_each(|f| gone(std::fs::remove_file(root.join(f))))
    }
}

/// How many entries the lists hold together.
fn count<T>(lists: &[Vec<T>]) -> usize {
    lists.iter().map(Vec::len).sum()
}

/// The folders `path` is in, innermost first (not the root).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(path.rsplit_once('/').map(|(p, _)| p), |p| {
        p.rsplit_once('/').map(|(p, _)| p)
    })
}

/// A removal that found nothing to remove succeeded (a folder on the way may be a file now).
fn gone(result: std::io::Result<()>) -> std::io::Result<()> {
    use std::io::ErrorKind::{NotADirectory, NotFound};
    match result {
        Err(e) if !matches!(e.kind(), NotFound | NotADirectory) => Err(e),
        _ => Ok(()),
    }
}

/// Files (with their inode numbers) and folders found below one folder, relative to the root.
#[derive(Default)]
struct Listing {
    files: Vec<(Box<str>, u64)>,
    dirs: Vec<Box<str>>,
}

impl Listing {
    fn walk(&mut self, folder: &Folder, rel: Box<str>) -> std::io::Result<()> {
        for entry in folder.entries()? {
            let inner = format!("{rel}/{}", utf8(&entry.name)?).into_boxed_str();
            match entry.is_dir {
                true => self.walk(&folder.open_in(&entry.name)?, inner)?,
                false => self.files.push((inner, entry.ino)),
            }
        }
        self.dirs.push(rel);
        Ok(())
    }
}

/// An entry's name as a path needs it: a name that is not UTF-8 fails the listing (the build
/// could not name it to remove it).
fn utf8(name: &std::ffi::CStr) -> std::io::Result<&str> {
    name.to_str().map_err(|_| {
        let what = format!("a name that is not UTF-8: {name:?}");
        std::io::Error::new(std::io::ErrorKind::InvalidData, what)
    })
}

/// Takes the retired site at `retired` as the staging folder `staging` and lists it; `None` when
/// there is none, it is not ours, it cannot be moved or listed, or it is not on the file system of
/// the site at `out` (inode numbers compare only there): then nothing is left at `staging`, and the
/// build starts from an empty folder.
pub fn take_retired(retired: &Path, staging: &Path, out: &Path) -> Option<Index> {
    use std::os::unix::fs::MetadataExt;
    if !super::is_ours(retired) || std::fs::rename(retired, staging).is_err() {
        return None;
    }
    let index = Index::of(staging)
        .ok()
        .filter(|index| std::fs::metadata(out).map_or(true, |m| m.dev() == index.dev));
    if index.is_none() {
        let _ = super::remove_tree(staging);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_and_folders_and_sweeps_what_was_not_produced() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "a.txt",
            "x/b.txt",
            "x/y/c.txt",
            "x/y/z/d.txt",
            "old/e.txt",
            "x/gone/f.txt",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f).unwrap();
        }
        let index = Index::of(root).unwrap();
        let mut files: Vec<&str> = index.files.keys().map(|f| &**f).collect();
        files.sort();
        let want = [
            "a.txt",
            "old/e.txt",
            "x/b.txt",
            "x/gone/f.txt",
            "x/y/c.txt",
            "x/y/z/d.txt",
        ];
        assert_eq!(files, want);
        let dirs = |d: &str| index.dirs.contains_key(d);
        assert!(dirs("x/y/z") && dirs("old") && !dirs("x/b.txt"));
        assert!(index.files.contains_key("x/b.txt") && !index.files.contains_key("x"));
        let id = |p: &str| {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(root.join(p)).unwrap();
            (m.dev(), m.ino())
        };
        assert_eq!(index.take("x/y/c.txt"), Some(id("x/y/c.txt")));
        assert_eq!(index.take("x/y/c.txt"), None, "taken once");
        assert!(index.take("a.txt").is_some() && index.take("new.txt").is_none());
        // As `write::make_folders` keeps them: a folder, then its parents.
        assert_eq!(index.keep_dir("x/y"), Some(true));
        assert_eq!(index.keep_dir("x"), Some(true));
        assert_eq!(index.keep_dir("x/y"), Some(false), "kept once");
        assert_eq!(index.keep_dir("x/b.txt"), None, "a file is no folder");
        index.sweep(root).unwrap();
        let mut left: Vec<String> = Index::of(root)
            .unwrap()
            .files
            .into_keys()
            .map(String::from)
            .collect();
        left.sort();
        assert_eq!(left, ["a.txt", "x/y/c.txt"]);
        assert!(!root.join("old").exists() && !root.join("x/y/z").exists());
    }

    #[test]
    fn ancestors_innermost_first() {
        for (path, want) in [
            ("a", vec![]),
            ("a/b", vec!["a"]),
            ("a/b/c", vec!["a/b", "a"]),
        ] {
            assert_eq!(ancestors(path).collect::<Vec<_>>(), want, "{path}");
        }
    }
}
