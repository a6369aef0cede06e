//! The build cache: a tree's files with their stamps, listed by reading its folders through
//! their open handles (`output::folder`). Invariant: a stamp here equals `Stamp::of` the file's
//! `symlink_metadata` (links are stamped, not followed).

use std::ffi::CStr;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Stamp;
use crate::output::folder::Folder;

/// The files of a tree with their stamps, sorted by path (see `super::stamps`). The folders
/// below the first level are walked in parallel (a national site has over half a million files,
/// mostly in `datasets/<id>/`). `None` when a folder cannot be read or a name recorded.
pub(super) fn walk(root: &Path) -> Option<Vec<(String, Stamp)>> {
    let top = Folder::open(root).ok()?;
    let mut files = Vec::new();
    let mut folders: Vec<(PathBuf, String)> = Vec::new();
    for entry in top.entries().ok()? {
        let name = recordable(&entry.name)?;
        if !entry.is_dir {
            files.push((name, stamp(&top, &entry.name)?));
            continue;
        }
        let dir = top.open_in(&entry.name).ok()?;
        for inner in dir.entries().ok()? {
            let path = format!("{name}/{}", recordable(&inner.name)?);
            if inner.is_dir {
                // Opened again by path on a pool thread: holding a handle per folder would run
                // out of file descriptors.
                folders.push((root.join(&path), path));
            } else {
                files.push((path, stamp(&dir, &inner.name)?));
            }
        }
    }
    let below = (folders.par_iter())
        .map(|(dir, rel)| {
            let mut found = Vec::new();
            walk_into(&Folder::open(dir).ok()?, rel, &mut found).map(|()| found)
        })
        .collect::<Option<Vec<_>>>()?;
    files.extend(below.into_iter().flatten());
    files.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Some(files)
}

/// A name as the cache records it; `None` when it cannot be recorded (not UTF-8, or with a tab
/// or line break): such a tree is never cached.
fn recordable(name: &CStr) -> Option<String> {
    let name = name.to_str().ok()?;
    (!name.contains(['\t', '\n', '\r'])).then(|| name.to_owned())
}

/// The stamp of the entry `name` of `folder` (a link's own, not its target's).
fn stamp(folder: &Folder, name: &CStr) -> Option<Stamp> {
    folder.stat(name).ok().map(|st| Stamp::of_stat(&st))
}

/// Adds the files below `folder` (named `rel` in the tree) to `found`.
fn walk_into(folder: &Folder, rel: &str, found: &mut Vec<(String, Stamp)>) -> Option<()> {
    for entry in folder.entries().ok()? {
        let path = format!("{rel}/{}", recordable(&entry.name)?);
        if entry.is_dir {
            walk_into(&folder.open_in(&entry.name).ok()?, &path, found)?;
        } else {
            found.push((path, stamp(folder, &entry.name)?));
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_a_tree_with_the_stamps_of_symlink_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["a.txt", "x/b.txt", "x/y/c.txt", "x/y/z/d.txt", "w/e.txt"] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f).unwrap();
        }
        std::fs::create_dir_all(root.join("x/empty/inner")).unwrap();
        // Links are files to the walk, stamped as themselves.
        std::os::unix::fs::symlink("x", root.join("x/y/to-x")).unwrap();
        let found = walk(root).unwrap();
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        let want = [
            "a.txt",
            "w/e.txt",
            "x/b.txt",
            "x/y/c.txt",
            "x/y/to-x",
            "x/y/z/d.txt",
        ];
        assert_eq!(paths, want);
        for (path, stamp) in &found {
            let meta = std::fs::symlink_metadata(root.join(path)).unwrap();
            assert_eq!(*stamp, Stamp::of(&meta), "{path}");
        }
        // A name the cache cannot record: no list at all.
        std::fs::write(root.join("x/y/tab\there"), "").unwrap();
        assert_eq!(walk(root), None);
    }
}
