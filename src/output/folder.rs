//! Stage 5, output: reading a folder through its open handle. A folder inside one already open is
//! opened relative to it (`openat`) and an entry stamped relative to its folder (`fstatat`): by
//! full path, each of a national site's 350,000 folders and 570,000 files had every component of
//! its path looked up again, most of the kernel's time in a walk of the site. Invariants: links
//! are never followed below the folder first opened (a link is an entry like a file), and `.`
//! and `..` are never listed.

use std::ffi::{CStr, CString};
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir, Stat};

/// An open folder.
pub(crate) struct Folder(OwnedFd);

/// One entry of a folder.
pub(crate) struct Entry {
    pub(crate) name: CString,
    /// A folder (by the entry's type; from a stat when the file system does not say).
    pub(crate) is_dir: bool,
    /// The inode number the entry gives.
    pub(crate) ino: u64,
}

/// Opening a folder: for reading, never through a link.
const OPEN: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::CLOEXEC)
    .union(OFlags::NOFOLLOW);

impl Folder {
    /// The folder at `path`, which may be reached through a link, as `std::fs::read_dir` allows.
    pub(crate) fn open(path: &Path) -> io::Result<Folder> {
        let flags = OPEN.difference(OFlags::NOFOLLOW);
        Ok(Folder(rustix::fs::openat(
            rustix::fs::CWD,
            path,
            flags,
            Mode::empty(),
        )?))
    }

    /// The folder `name` in this one (not through a link).
    pub(crate) fn open_in(&self, name: &CStr) -> io::Result<Folder> {
        Ok(Folder(rustix::fs::openat(
            &self.0,
            name,
            OPEN,
            Mode::empty(),
        )?))
    }

    /// The status of the entry `name` (a link's own, not its target's).
    pub(crate) fn stat(&self, name: &CStr) -> io::Result<Stat> {
        Ok(rustix::fs::statat(
            &self.0,
            name,
            AtFlags::SYMLINK_NOFOLLOW,
        )?)
    }

    /// The folder's entries, in the order the file system gives them.
    pub(crate) fn entries(&self) -> io::Result<Vec<Entry>> {
        let mut buf = [MaybeUninit::<u8>::uninit(); 8192];
        let mut dir = RawDir::new(&self.0, &mut buf);
        let mut out = Vec::new();
        while let Some(entry) = dir.next() {
            let entry = entry?;
            let name = entry.file_name();
            if matches!(name.to_bytes(), b"." | b"..") {
                continue;
            }
            let is_dir = match entry.file_type() {
                FileType::Directory => true,
                FileType::Unknown => {
                    FileType::from_raw_mode(self.stat(name)?.st_mode) == FileType::Directory
                }
                _ => false,
            };
            out.push(Entry {
                name: name.to_owned(),
                is_dir,
                ino: entry.ino(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_entries_with_their_kind_and_inode_and_opens_inner_folders() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub/inner")).unwrap();
        std::fs::write(root.join("a.txt"), "a").unwrap();
        std::os::unix::fs::symlink("sub", root.join("link")).unwrap();
        let top = Folder::open(root).unwrap();
        let mut found: Vec<(String, bool, u64)> = (top.entries().unwrap().into_iter())
            .map(|e| (e.name.to_str().unwrap().to_owned(), e.is_dir, e.ino))
            .collect();
        found.sort();
        let ino = |p: &str| std::fs::symlink_metadata(root.join(p)).unwrap().ino();
        let want = [
            ("a.txt".to_owned(), false, ino("a.txt")),
            ("link".to_owned(), false, ino("link")),
            ("sub".to_owned(), true, ino("sub")),
        ];
        assert_eq!(found, want);
        let sub = top.open_in(c"sub").unwrap();
        assert_eq!(sub.entries().unwrap()[0].name.as_c_str(), c"inner");
        assert!(top.open_in(c"link").is_err(), "a link is not followed");
        assert_eq!(top.stat(c"a.txt").unwrap().st_ino, ino("a.txt"));
    }
}
