//! `serve`: noticing changes. A fingerprint of the watched folders — every entry's path, size and
//! modification time, in sorted order — is taken every `POLL`; a rebuild starts once a changed
//! fingerprint has stayed the same for one more poll (so an editor's save, or a `git checkout`
//! touching many files, gives one rebuild, not many). Polling needs no platform notification API
//! and no crate, and a catalogue's source is at most a few thousand files.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the folders are looked at.
pub const POLL: Duration = Duration::from_millis(300);

/// One entry of a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    path: PathBuf,
    size: u64,
    modified: Option<SystemTime>,
}

/// What the watched folders looked like at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint(Vec<Entry>);

/// Takes the fingerprint of `dirs` (missing folders and unreadable entries count as absent).
/// Hidden entries (`.git`, editors' swap files) are skipped: they are not part of a catalogue.
pub fn fingerprint(dirs: &[PathBuf]) -> Fingerprint {
    let mut entries = Vec::new();
    for dir in dirs {
        let walk = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.path()));
        for entry in walk.flatten() {
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            // A folder counts by its path only: its own time changes whenever an editor makes
            // a hidden swap file in it, and its real changes show in the entries beneath.
            let file = !meta.is_dir();
            entries.push(Entry {
                path: entry.into_path(),
                size: if file { meta.len() } else { 0 },
                modified: if file { meta.modified().ok() } else { None },
            });
        }
    }
    Fingerprint(entries)
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n.ends_with('~'))
}

/// Decides when to rebuild from successive fingerprints.
#[derive(Debug)]
pub struct Debounce {
    built: Fingerprint,
    pending: Option<Fingerprint>,
}

impl Debounce {
    /// Starts from the fingerprint the current site was built from.
    pub fn new(built: Fingerprint) -> Debounce {
        Debounce {
            built,
            pending: None,
        }
    }

    /// Takes the latest fingerprint; true when a rebuild should start now (the folders changed
    /// and then held still for one poll). The caller rebuilds from what is on disk then.
    pub fn observe(&mut self, now: Fingerprint) -> bool {
        if now == self.built {
            self.pending = None;
            return false;
        }
        if self.pending.as_ref() == Some(&now) {
            self.built = now;
            self.pending = None;
            return true;
        }
        self.pending = Some(now);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(names: &[(&str, u64)]) -> Fingerprint {
        Fingerprint(
            names
                .iter()
                .map(|(n, size)| Entry {
                    path: PathBuf::from(n),
                    size: *size,
                    modified: None,
                })
                .collect(),
        )
    }

    #[test]
    fn rebuilds_once_a_change_holds_still() {
        let a = print(&[("a", 1)]);
        let b = print(&[("a", 2)]);
        let c = print(&[("a", 3)]);
        let mut d = Debounce::new(a.clone());
        let steps = [
            (a.clone(), false),
            (b.clone(), false),
            (c.clone(), false),
            (c.clone(), true),
            (c.clone(), false),
            (a.clone(), false),
            (b.clone(), false),
            (a.clone(), false),
            (a.clone(), true),
        ];
        for (i, (print, want)) in steps.into_iter().enumerate() {
            assert_eq!(d.observe(print), want, "step {i}");
        }
    }

    #[test]
    fn fingerprint_sees_edits_and_skips_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::write(root.join("a.csv"), "1").unwrap();
        let before = fingerprint(std::slice::from_ref(&root));
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/index"), "x").unwrap();
        std::fs::write(root.join("a.csv~"), "x").unwrap();
        assert_eq!(fingerprint(std::slice::from_ref(&root)), before);
        std::fs::write(root.join("a.csv"), "12").unwrap();
        assert_ne!(fingerprint(std::slice::from_ref(&root)), before);
    }
}
