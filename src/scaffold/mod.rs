//! Scaffolding: `hromadata init` (a new catalogue repository) and `hromadata new dataset` (a
//! dataset folder from a CSV file). Not a pipeline stage: these commands write *source* files for
//! people to edit, never the site. What they write is checked by the same code `check` uses
//! (the schema is inferred by `validate::infer`, the file sniffed by `validate::sniff`), so a
//! fresh catalogue and a fresh dataset pass `hromadata check`.
//!
//! Invariants: nothing existing is ever overwritten — `init` refuses a non-empty folder and
//! `new dataset` an existing dataset folder; a command that fails part-way removes what it made.

mod dataset;
mod init;
mod metadata;
mod prompt;
mod table;

pub use dataset::{new_dataset, NewDataset};
pub use init::init;

use std::path::{Path, PathBuf};

/// Removes what this command created unless `keep` was called, so a failed run leaves nothing.
struct Created {
    paths: Vec<PathBuf>,
    keep: bool,
}

impl Created {
    fn new() -> Created {
        Created {
            paths: Vec::new(),
            keep: false,
        }
    }

    /// Records a file or folder to remove if the command fails.
    fn made(&mut self, path: &Path) {
        self.paths.push(path.to_path_buf());
    }

    fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for Created {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        for path in self.paths.iter().rev() {
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            };
        }
    }
}

/// Writes a file, creating its folder.
fn write(path: &Path, bytes: &[u8]) -> Result<(), crate::Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| crate::Error::write(parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| crate::Error::write(path, e))
}
