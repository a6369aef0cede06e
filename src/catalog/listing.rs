//! Stage 1, load: the source folder as a walk already found it (the build cache's, which stamps
//! every file before the build starts), so that loading does not walk it again nor ask the file
//! system, path component by component, whether each resource is a plain file. At national scale
//! that was a second walk of 70,000 folders and an `lstat` per component of 70,000 resources.
//!
//! Invariant: the walk did not follow links and listed every entry that is not a folder, so a
//! path listed as a regular file is one reached through real folders alone; loading from a
//! listing finds what loading from the file system finds, in the same order.

use std::collections::BTreeSet;
use std::path::{Component, Path};

/// Every entry of the source folder that is not a folder, by its path relative to the source
/// folder (`/`-separated), and which of them are not regular files (links, mostly).
#[derive(Debug, Default)]
pub struct Listing<'t> {
    /// Sorted (byte order), without repeats.
    paths: Vec<&'t str>,
    special: BTreeSet<&'t str>,
}

impl<'t> Listing<'t> {
    /// The listing of `paths` (every entry that is not a folder, in any order), of which
    /// `special` are not regular files.
    pub fn new(
        paths: impl IntoIterator<Item = &'t str>,
        special: impl IntoIterator<Item = &'t str>,
    ) -> Listing<'t> {
        let mut paths: Vec<&str> = paths.into_iter().collect();
        paths.sort_unstable();
        paths.dedup();
        Listing {
            paths,
            special: special.into_iter().collect(),
        }
    }

    /// True when `relative`, below the folder `folder` (both relative to the source folder), is
    /// a listed regular file: every component of it a real folder or the file, none a link.
    /// False when the listing cannot tell (a path with `.` or a name that is not UTF-8).
    pub fn regular_file(&self, folder: &Path, relative: &Path) -> bool {
        let mut key = String::new();
        for part in folder.components().chain(relative.components()) {
            let Some(name) = (match part {
                Component::Normal(name) => name.to_str(),
                _ => None,
            }) else {
                return false;
            };
            if !key.is_empty() {
                key.push('/');
            }
            key.push_str(name);
        }
        self.paths.binary_search(&key.as_str()).is_ok() && !self.special.contains(key.as_str())
    }

    /// The entries below `folder` (relative to the source folder) in the order a walk of it
    /// with each folder's entries sorted by name meets them (a folder's entries before the next
    /// folder's: `a/x` before `a-b`, which byte order puts first), each with its path relative
    /// to `folder` and whether it is a regular file.
    pub fn below(&self, folder: &str) -> Vec<(&'t str, bool)> {
        let prefix = format!("{}/", folder.trim_end_matches('/'));
        let start = self.paths.partition_point(|p| *p < prefix.as_str());
        let mut found: Vec<(&'t str, bool)> = (self.paths[start..].iter())
            .take_while(|p| p.starts_with(&prefix))
            .map(|p| (&p[prefix.len()..], !self.special.contains(p)))
            .collect();
        found.sort_by(|a, b| Path::new(a.0).cmp(Path::new(b.0)));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_below_a_folder_come_in_walk_order() {
        let listing = Listing::new(
            [
                "p/a-b/datapackage.json",
                "p/a/x/datapackage.json",
                "p/a/datapackage.json",
                "p/a.csv",
                "p/link",
                "pq/datapackage.json",
                "q/x.csv",
            ],
            ["p/link"],
        );
        let want = [
            ("a/datapackage.json", true),
            ("a/x/datapackage.json", true),
            ("a-b/datapackage.json", true),
            ("a.csv", true),
            ("link", false),
        ];
        assert_eq!(listing.below("p"), want);
        assert_eq!(listing.below("p/"), want);
        assert_eq!(listing.below("pq"), [("datapackage.json", true)]);
        assert!(listing.below("r").is_empty());
    }

    #[test]
    fn a_regular_file_is_listed_and_not_special() {
        let listing = Listing::new(["p/d/data/t.csv", "p/d/link.csv"], ["p/d/link.csv"]);
        for (folder, relative, want) in [
            ("p/d", "data/t.csv", true),
            ("p/d", "data//t.csv", true),
            ("p", "d/data/t.csv", true),
            ("p/d", "link.csv", false),
            ("p/d", "data", false),
            ("p/d", "data/missing.csv", false),
            ("p/d", "./data/t.csv", false),
            ("p/d", "data/../data/t.csv", false),
        ] {
            let got = listing.regular_file(Path::new(folder), Path::new(relative));
            assert_eq!(got, want, "{folder} + {relative}");
        }
    }

    /// The embedded catalogue with what a listing must get right: a link out of the source
    /// folder, a linked descriptor and resource, and two folders with one dataset name whose
    /// order a byte sort of their paths would swap (which one is reported as the repeat).
    #[test]
    fn loading_from_a_listing_finds_what_loading_from_the_folder_finds() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("src");
        let embedded = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
        for entry in walkdir::WalkDir::new(&embedded) {
            let entry = entry.unwrap();
            let to = source.join(entry.path().strip_prefix(&embedded).unwrap());
            match entry.file_type().is_dir() {
                true => std::fs::create_dir_all(&to).unwrap(),
                false => drop(std::fs::copy(entry.path(), &to).unwrap()),
            }
        }
        let mindev = source.join("publishers/mindev");
        let dataset = mindev.join("kse-hromada-hierarchy");
        let twin = mindev.join("kse-hromada-hierarchy-2");
        std::fs::create_dir_all(twin.join("data")).unwrap();
        for f in ["datapackage.json", "data/hromadas.csv"] {
            std::fs::copy(dataset.join(f), twin.join(f)).unwrap();
        }
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, mindev.join("zz-outside")).unwrap();
        std::fs::create_dir_all(mindev.join("linked")).unwrap();
        let linked = mindev.join("linked/datapackage.json");
        std::os::unix::fs::symlink(dataset.join("datapackage.json"), linked).unwrap();
        std::fs::rename(twin.join("data/hromadas.csv"), twin.join("real.csv")).unwrap();
        std::os::unix::fs::symlink("../real.csv", twin.join("data/hromadas.csv")).unwrap();

        let walked = super::super::load(&source).unwrap();
        let tree = crate::cache::tree(&source).unwrap();
        let listing = Listing::new(
            tree.stamps.keys().map(String::as_str),
            tree.special.iter().map(String::as_str),
        );
        let listed = super::super::load_listed(&source, Some(&listing)).unwrap();
        let datasets = |loaded: &super::super::Loaded| {
            let catalog = loaded.catalog.as_ref().unwrap();
            (catalog.datasets.values())
                .map(|d| format!("{} {} {:?}", d.id, d.folder.display(), d.resources))
                .collect::<Vec<_>>()
        };
        assert_eq!(datasets(&listed), datasets(&walked));
        assert_eq!(
            format!("{:?}", listed.findings),
            format!("{:?}", walked.findings)
        );
        let found = format!("{:?}", walked.findings);
        assert!(found.contains("zz-outside"), "{found}");
        assert!(
            found.contains("kse-hromada-hierarchy-2/datapackage.json"),
            "{found}"
        );
    }
}
