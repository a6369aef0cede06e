//! The build cache: a tree's files with their stamps, listed by reading its folders through
//! their open handles (`output::folder`). Invariant: a stamp here equals `Stamp::of` the file's
//! `symlink_metadata` (links are stamped, not followed).

use std::ffi::CStr;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustix::fs::FileType;

use super::Stamp;
use crate::output::folder::Folder;

/// What a walk found below a folder.
#[derive(Debug, Default)]
pub(super) struct Walked {
    /// Every entry that is not a folder, with its stamp, sorted by path.
    pub(super) files: Vec<(String, Stamp)>,
    /// Those of them that are not regular files (links, mostly), sorted by path.
    pub(super) special: Vec<String>,
}

impl Walked {
    /// Adds the entry `name` of `folder`, at `path` in the tree; `None` when it cannot be stamped.
    fn add(&mut self, folder: &Folder, name: &CStr, path: String) -> Option<()> {
        let st = folder.stat(name).ok()?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            self.special.push(path.clone());
        }
        self.files.push((path, Stamp::of_stat(&st)));
        Some(())
    }
}

/// The files of a tree with their stamps (see `super::tree`). The folders below the first
/// level are walked in parallel (a national site has over half a million files, mostly in
/// `datasets/<id>/`). `None` when a folder cannot be read or a name recorded.
pub(super) fn walk(root: &Path) -> Option<Walked> {
    let top = Folder::open(root).ok()?;
    let mut found = Walked::default();
    let mut folders: Vec<(PathBuf, String)> = Vec::new();
    for entry in top.entries().ok()? {
        let name = recordable(&entry.name)?;
        if !entry.is_dir {
            found.add(&top, &entry.name, name)?;
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
                found.add(&dir, &inner.name, path)?;
            }
        }
    }
    let below = (folders.par_iter())
        .map(|(dir, rel)| {
            let mut below = Walked::default();
            walk_into(&Folder::open(dir).ok()?, rel, &mut below).map(|()| below)
        })
        .collect::<Option<Vec<_>>>()?;
    for mut more in below {
        found.files.append(&mut more.files);
        found.special.append(&mut more.special);
    }
    found.files.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    found.special.sort_unstable();
    Some(found)
}

/// A name as the cache records it; `None` when it cannot be recorded (not UTF-8, or with a tab
/// or line break): such a tree is never cached.
fn recordable(name: &CStr) -> Option<String> {
    let name = name.to_str().ok()?;
    (!name.contains(['\t', '\n', '\r'])).then(|| name.to_owned())
}

/// Adds the files below `folder` (named `rel` in the tree) to `found`; a link is stamped as
/// itself, not followed.
fn walk_into(folder: &Folder, rel: &str, found: &mut Walked) -> Option<()> {
    for entry in folder.entries().ok()? {
        let path = format!("{rel}/{}", recordable(&entry.name)?);
        if entry.is_dir {
            walk_into(&folder.open_in(&entry.name).ok()?, &path, found)?;
        } else {
            found.add(folder, &entry.name, path)?;
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
        let walked = walk(root).unwrap();
        let found = walked.files;
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
        assert_eq!(
            walked.special,
            ["x/y/to-x"],
            "the link is not a regular file"
        );
        for (path, stamp) in &found {
            let meta = std::fs::symlink_metadata(root.join(path)).unwrap();
            assert_eq!(*stamp, Stamp::of(&meta), "{path}");
        }
        // A name the cache cannot record: no list at all.
        std::fs::write(root.join("x/y/tab\there"), "").unwrap();
        assert!(walk(root).is_none());
    }
}
