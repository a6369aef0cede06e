//! The build cache, per dataset: a dataset whose own files and whose setting are what they were
//! at the last build, and which was valid then, is neither validated nor rendered again — its
//! files are linked from the previous site and what the catalogue-wide pages need of its
//! validation (sizes, hashes, row counts) comes from here.
//!
//! Invariants: a dataset's fingerprint covers every file under its folder (by content), and a
//! digest of everything outside dataset folders (catalog.toml, registry, lists, publishers), of
//! the folders of datasets that feed territory profiles (their facts appear in other datasets'
//! DCAT descriptions), and of the setting but the theme's templates and assets (the tool, the
//! options, the messages: `Digests::data`); with the digest of the templates datasets' pages
//! are rendered from, which the manifest records beside — each dataset's own files depend on
//! nothing else, so a reused file is the byte-for-byte file a full build would write, and an edit of a
//! template no dataset page reaches (`territory.html`, say) keeps every dataset.
//! A previous file is reused only while its size, times and inode are the ones recorded after the
//! last build (a site edited by hand is rendered again). Datasets with findings are never kept.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{field, source_path, Stamp};
use crate::catalog::{Catalog, Dataset, DatasetId};
use crate::checksum::Digest;
use crate::output::folder::Folder;
use crate::validate::{DatasetResult, ResourceResult};

/// The file in the cache folder: the manifest in postcard's binary encoding. As JSON it was
/// 84 MB at national scale (58 MB so), and writing it, at the end of every rebuild, took twice
/// as long.
pub const FILE: &str = "reuse.bin";

/// Where earlier versions kept the manifest (as JSON), removed when the new one is written.
const OLD_FILE: &str = "reuse.json";

/// The first bytes of the file: a manifest of another layout is never decoded as this one.
const MAGIC: &[u8] = b"hromadata-reuse 2\n";

/// What the last build recorded of one valid dataset.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub fingerprint: String,
    /// Per resource, in order: (SHA-256, MD5 when computed, bytes, data rows of a table).
    pub resources: Vec<(String, Option<String>, u64, Option<u64>)>,
    /// The dataset's own site files: path and stamp after that build.
    pub outputs: Vec<(String, Stamp)>,
}

impl Entry {
    /// The validation result the catalogue-wide pages read (no rows, header or profile: only
    /// the dataset's own pages show those).
    pub fn result(&self) -> DatasetResult {
        let resources = (self.resources.iter())
            .map(|(sha256, md5, bytes, rows)| ResourceResult {
                digest: Digest {
                    bytes: *bytes,
                    sha256: sha256.clone(),
                    md5: md5.clone(),
                },
                rows: *rows,
                ..Default::default()
            })
            .collect();
        DatasetResult {
            resources,
            findings: Vec::new(),
        }
    }

    /// The record of a valid dataset (`None` with findings: those are always validated again).
    pub fn of(
        fingerprint: &str,
        result: &DatasetResult,
        outputs: Vec<(String, Stamp)>,
    ) -> Option<Entry> {
        result.is_valid().then(|| Entry {
            fingerprint: fingerprint.to_owned(),
            resources: (result.resources.iter())
                .map(|r| {
                    (
                        r.digest.sha256.clone(),
                        r.digest.md5.clone(),
                        r.digest.bytes,
                        r.rows,
                    )
                })
                .collect(),
            outputs,
        })
    }
}

/// Where each dataset's part lies in a spliced catalogue-wide file (`render::splice`): dataset
/// id → (the fingerprint the part was made from, its offset in the file, its length).
pub type Spans = BTreeMap<String, (String, u64, u64)>;

/// What the last build left for the next: every valid dataset, by id, with the digest of the
/// templates their pages were rendered from (`super::Digests::of_templates`), the catalogue-wide
/// files memoised by key (`render::Memo`): path → (key, stamp after that build), and the spliced
/// ones' parts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub datasets: BTreeMap<String, Entry>,
    pub dataset_templates: String,
    pub pages: BTreeMap<String, (String, Stamp)>,
    pub spans: BTreeMap<String, std::sync::Arc<Spans>>,
}

impl Manifest {
    /// True when the page at `out/path` was made from `key` and is as the last build left it.
    pub fn page_unchanged(&self, out: &Path, path: &str, key: &str) -> bool {
        (self.pages.get(path)).is_some_and(|(k, stamp)| k == key && intact(out, path, stamp))
    }

    /// The spliced file at `out/path`, open, with its parts, when it is as the last build left
    /// it: its stamp is checked on the open file, so the bytes read are the ones recorded.
    pub fn spliced(&self, out: &Path, path: &str) -> Option<crate::render::splice::Previous> {
        let spans = self.spans.get(path)?;
        let (_, stamp) = self.pages.get(path)?;
        let file = std::fs::File::open(out.join(path)).ok()?;
        let meta = file.metadata().ok()?;
        (meta.is_file() && *stamp == Stamp::of(&meta)).then_some(())?;
        let (spans, len) = (spans.clone(), meta.len());
        Some(crate::render::splice::Previous { file, len, spans })
    }

    /// The memoised files whose paths start with `prefix`, with their keys.
    pub fn recorded(&self, prefix: &str) -> Vec<(String, String)> {
        (self.pages.range(prefix.to_owned()..))
            .take_while(|(path, _)| path.starts_with(prefix))
            .map(|(path, (key, _))| (path.clone(), key.clone()))
            .collect()
    }
}

/// Reads the manifest; a missing or damaged one is empty (everything is built).
pub fn load(dir: &Path) -> Manifest {
    std::fs::read(dir.join(FILE))
        .ok()
        .and_then(|bytes| postcard::from_bytes(bytes.strip_prefix(MAGIC)?).ok())
        .unwrap_or_default()
}

/// Writes the manifest atomically.
pub fn save(dir: &Path, manifest: &Manifest) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let _ = std::fs::remove_file(dir.join(OLD_FILE));
    // Written as it is serialised: at national scale it lists over half a million files.
    crate::output::write_atomically_with(&dir.join(FILE), &mut |w| {
        w.write_all(MAGIC)?;
        postcard::to_io(manifest, w)
            .map(|_| ())
            .map_err(std::io::Error::other)
    })
}

/// Where each dataset's files are: (id, folder relative to the source with `/` and a trailing
/// `/`, whether it feeds territory profiles, its data files' source-relative paths).
#[derive(Debug, Default, Clone)]
pub struct Folders(Vec<(DatasetId, String, bool, Vec<String>)>);

impl Folders {
    pub fn of(catalog: &Catalog) -> Folders {
        Folders(
            (catalog.datasets.values())
                .map(|d| {
                    let data = (d.resources.iter())
                        .map(|r| source_path(&d.folder.join(&r.path)))
                        .collect();
                    (d.id.clone(), folder_key(d), d.profile.is_some(), data)
                })
                .collect(),
        )
    }
}

fn folder_key(d: &Dataset) -> String {
    format!("{}/", source_path(&d.folder))
}

/// True when the file at `out/path` is still as recorded: a regular file with that stamp.
fn intact(out: &Path, path: &str, stamp: &Stamp) -> bool {
    std::fs::symlink_metadata(out.join(path))
        .is_ok_and(|m| m.file_type().is_file() && *stamp == Stamp::of(&m))
}

/// Each dataset's two fingerprints (`fingerprints`).
#[derive(Debug, Default, Clone)]
pub struct Fingerprints {
    /// Over everything its files are made from (the module's invariant): what its own files
    /// and the catalogue-wide files that show its data (sizes, hashes, rows) are keyed by.
    pub whole: BTreeMap<DatasetId, String>,
    /// The same with its data files by path alone, not content: what the catalogue-wide files
    /// made from its metadata alone (feeds, the search index) are keyed by. A changed CSV
    /// leaves it as it was.
    pub metadata: BTreeMap<DatasetId, String>,
}

/// Every dataset's fingerprints, from the setting's data digest (`super::Digests::data`) and
/// every source file's hash (source-relative path → SHA-256, as `super::hashes` gives them).
pub fn fingerprints(
    folders: &Folders,
    setting: &str,
    hashes: &BTreeMap<String, String>,
) -> Fingerprints {
    // The folders in path order, walked beside the hashes (also in path order): looked up
    // in a tree for each of a national tree's 140,000 files, they were a tenth of a second of
    // the pipeline's thread.
    let mut by_folder: Vec<(&str, usize)> = (folders.0.iter().enumerate())
        .map(|(i, (_, folder, _, _))| (folder.as_str(), i))
        .collect();
    by_folder.sort_by(|a, b| a.0.cmp(b.0));
    let mut global = Sha256::new();
    field(&mut global, &[setting.as_bytes()]);
    let mut own: Vec<Vec<(&String, &String)>> = vec![Vec::new(); folders.0.len()];
    let mut before = 0;
    for (path, sha) in hashes {
        // A file belongs to the dataset whose folder is the last one sorted before it, when
        // that folder holds it; any other file (and a profile dataset's) is the setting's.
        while by_folder
            .get(before)
            .is_some_and(|(f, _)| *f <= path.as_str())
        {
            before += 1;
        }
        let owner = (before.checked_sub(1).map(|b| by_folder[b]))
            .filter(|(folder, i)| path.starts_with(folder) && !folders.0[*i].2);
        match owner {
            Some((_, i)) => own[i].push((path, sha)),
            None => field(&mut global, &[path.as_bytes(), sha.as_bytes()]),
        }
    }
    let global = crate::checksum::hex(&global.finalize());
    // Two SHA-256 a dataset, in parallel: one after the other they were a fifth of a second of
    // a national rebuild with the other core idle.
    let both: Vec<_> = (folders.0.par_iter().zip(&own))
        .map(|((id, _, _, data), own)| {
            let mut whole = Sha256::new();
            let mut metadata = Sha256::new();
            for h in [&mut whole, &mut metadata] {
                field(h, &[global.as_bytes(), id.as_str().as_bytes()]);
            }
            for (path, sha) in own {
                field(&mut whole, &[path.as_bytes(), sha.as_bytes()]);
                // A data file's content is left out, not its name: a file that appears or
                // goes changes what loading says of the dataset.
                let content = if data.contains(path) {
                    ""
                } else {
                    sha.as_str()
                };
                field(&mut metadata, &[path.as_bytes(), content.as_bytes()]);
            }
            let hex = |h: Sha256| crate::checksum::hex(&h.finalize());
            ((id.clone(), hex(whole)), (id.clone(), hex(metadata)))
        })
        .collect();
    let (whole, metadata) = both.into_iter().unzip();
    Fingerprints { whole, metadata }
}

/// The datasets whose last build's files can be reused — same fingerprint, pages rendered from
/// the same templates (`templates`: none when they differ), and every file they had in the site
/// at `out` still there as that build left it — taken out of `manifest`.
pub fn reusable(
    manifest: &mut Manifest,
    (fingerprints, templates): (&BTreeMap<DatasetId, String>, &str),
    out: &Path,
) -> BTreeMap<DatasetId, Entry> {
    // Taken whole: the entries not kept are of no more use, and at national scale they are a
    // tenth of a gigabyte that a build rendering every dataset again held to its end.
    let mut recorded = std::mem::take(&mut manifest.datasets);
    if manifest.dataset_templates != templates {
        rayon::spawn(move || drop(recorded));
        return BTreeMap::new();
    }
    let candidates: Vec<(DatasetId, Entry)> = (fingerprints.iter())
        .filter_map(|(id, fp)| {
            let e = recorded.remove(id.as_str())?;
            (&e.fingerprint == fp).then(|| (id.clone(), e))
        })
        .collect();
    rayon::spawn(move || drop(recorded));
    candidates
        .into_par_iter()
        .filter(|(id, e)| all_intact(out, id.as_str(), &e.outputs))
        .collect()
}

/// True when every file of `outputs`, dataset `id`'s, is still as recorded in the site at `out`
/// (`intact`). A file is stamped relative to its dataset's folder (the one named by its id,
/// `datasets/<id>/`, `en/datasets/<id>/`), opened once: by full path every component of the half
/// million paths of a national site was looked up again, the most of the kernel's time here.
fn all_intact(out: &Path, id: &str, outputs: &[(String, Stamp)]) -> bool {
    use rustix::fs::FileType;
    let mut open: Option<(&str, Folder)> = None;
    outputs.iter().all(|(path, stamp)| {
        let (base, rest) = split_at(path, id);
        if open.as_ref().is_none_or(|(b, _)| *b != base) {
            let Ok(folder) = Folder::open(&out.join(base)) else {
                return false;
            };
            open = Some((base, folder));
        }
        let (Some((_, folder)), Ok(name)) = (&open, std::ffi::CString::new(rest)) else {
            return false;
        };
        folder.stat(&name).is_ok_and(|st| {
            FileType::from_raw_mode(st.st_mode) == FileType::RegularFile
                && Stamp::of_stat(&st) == *stamp
        })
    })
}

/// `path` split after its folder named `id` (folder, the rest), else after its own folder.
fn split_at<'p>(path: &'p str, id: &str) -> (&'p str, &'p str) {
    let mut start = 0;
    for part in path.split('/') {
        let end = start + part.len();
        if part == id && end < path.len() {
            return (&path[..end], &path[end + 1..]);
        }
        start = end + 1;
    }
    path.rsplit_once('/').unwrap_or(("", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The datasets whose fingerprint in `a` is not the one in `b`.
    fn differ(a: &BTreeMap<DatasetId, String>, b: &BTreeMap<DatasetId, String>) -> Vec<String> {
        (a.iter().filter(|(k, v)| b.get(*k) != Some(*v)))
            .map(|(k, _)| k.as_str().to_owned())
            .collect()
    }

    #[test]
    fn a_file_changes_the_fingerprints_of_the_dataset_it_belongs_to() {
        let id = |s: &str| DatasetId::parse(s).unwrap();
        let data = |paths: &[&str]| paths.iter().map(|p| p.to_string()).collect();
        // `p/a-2/` sorts before `p/a/` ('-' before '/'); `p/prof/` feeds territory profiles.
        let folders = Folders(vec![
            (id("a"), "p/a/".into(), false, data(&["p/a/t.csv"])),
            (id("a-2"), "p/a-2/".into(), false, data(&["p/a-2/t.csv"])),
            (id("prof"), "p/prof/".into(), true, data(&["p/prof/t.csv"])),
        ]);
        let files = [
            "catalog.toml",
            "p/a-2/datapackage.json",
            "p/a-2/t.csv",
            "p/a/datapackage.json",
            "p/a/t.csv",
            "p/prof/t.csv",
            "p/publisher.toml",
        ];
        let hashes = |changed: &str| -> BTreeMap<String, String> {
            (files.iter())
                .map(|f| {
                    (
                        f.to_string(),
                        if *f == changed { "new" } else { "old" }.into(),
                    )
                })
                .collect()
        };
        let before = fingerprints(&folders, "setting", &hashes(""));
        // The file changed → the datasets whose whole / metadata fingerprints change.
        let cases: [(&str, &[&str], &[&str]); 6] = [
            ("p/a/t.csv", &["a"], &[]),
            ("p/a/datapackage.json", &["a"], &["a"]),
            ("p/a-2/t.csv", &["a-2"], &[]),
            ("p/a-2/datapackage.json", &["a-2"], &["a-2"]),
            ("p/prof/t.csv", &["a", "a-2", "prof"], &["a", "a-2", "prof"]),
            ("catalog.toml", &["a", "a-2", "prof"], &["a", "a-2", "prof"]),
        ];
        for (changed, whole, metadata) in cases {
            let after = fingerprints(&folders, "setting", &hashes(changed));
            assert_eq!(differ(&after.whole, &before.whole), whole, "{changed}");
            assert_eq!(
                differ(&after.metadata, &before.metadata),
                metadata,
                "{changed}"
            );
        }
    }

    #[test]
    fn paths_split_after_the_dataset_folder() {
        for (path, want) in [
            ("datasets/x/index.html", ("datasets/x", "index.html")),
            (
                "en/datasets/x/table/t/index.html",
                ("en/datasets/x", "table/t/index.html"),
            ),
            ("datasets/xy/index.html", ("datasets/xy", "index.html")),
            ("feeds/x", ("feeds", "x")),
            ("x", ("", "x")),
        ] {
            assert_eq!(split_at(path, "x"), want, "{path}");
        }
    }

    #[test]
    fn a_dataset_is_intact_only_while_every_file_is_as_stamped() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let paths = [
            "datasets/x/index.html",
            "datasets/x/t/a.csv",
            "en/datasets/x/index.html",
        ];
        for p in paths {
            std::fs::create_dir_all(out.join(p).parent().unwrap()).unwrap();
            std::fs::write(out.join(p), p).unwrap();
        }
        let stamped = || -> Vec<(String, Stamp)> {
            (paths.iter())
                .map(|p| {
                    let meta = std::fs::symlink_metadata(out.join(p)).unwrap();
                    ((*p).to_owned(), Stamp::of(&meta))
                })
                .collect()
        };
        let outputs = stamped();
        assert!(all_intact(out, "x", &outputs));
        assert!(
            outputs.iter().all(|(p, s)| intact(out, p, s)),
            "as by full path"
        );
        // Written again in place (another size), replaced by a link, gone.
        std::fs::write(out.join(paths[1]), "changed").unwrap();
        assert!(!all_intact(out, "x", &outputs));
        let outputs = stamped();
        std::fs::remove_file(out.join(paths[2])).unwrap();
        std::os::unix::fs::symlink(out.join(paths[0]), out.join(paths[2])).unwrap();
        assert!(!all_intact(out, "x", &outputs), "a link is not the file");
        std::fs::remove_file(out.join(paths[2])).unwrap();
        assert!(!all_intact(out, "x", &outputs), "a file gone");
        assert!(all_intact(out, "x", &outputs[..2]));
    }

    #[test]
    fn an_entry_keeps_what_the_catalogue_pages_read_and_only_for_valid_datasets() {
        let stamp = |fields: &str| Stamp::parse(fields).unwrap();
        let mut result = DatasetResult {
            resources: vec![ResourceResult {
                digest: Digest {
                    bytes: 12,
                    sha256: "ab".into(),
                    md5: None,
                },
                rows: Some(3),
                header: vec!["a".into()],
                ..Default::default()
            }],
            findings: Vec::new(),
        };
        let e = Entry::of(
            "fp",
            &result,
            vec![("datasets/x/index.html".into(), stamp("1\t2\t3\t4"))],
        )
        .unwrap();
        let back = e.result();
        assert_eq!(back.resources[0].digest, result.resources[0].digest);
        assert_eq!(back.resources[0].rows, Some(3));
        assert!(back.resources[0].header.is_empty() && back.is_valid());
        let manifest = Manifest {
            datasets: BTreeMap::from([("x".into(), e.clone())]),
            dataset_templates: "t".into(),
            pages: BTreeMap::from([("catalog.ttl".into(), ("k".into(), stamp("5\t6\t7\t8")))]),
            spans: BTreeMap::from([(
                "datasets.csv".into(),
                std::sync::Arc::new(Spans::from([("x".into(), ("fp".into(), 9, 4))])),
            )]),
        };
        // Written to the cache folder and read back; an old JSON manifest beside it goes.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(OLD_FILE), "{}").unwrap();
        save(dir.path(), &manifest).unwrap();
        assert!(!dir.path().join(OLD_FILE).exists());
        let read = load(dir.path());
        assert_eq!((&read.datasets["x"], &read.pages), (&e, &manifest.pages));
        assert_eq!(read.dataset_templates, "t");
        assert_eq!(read.spans, manifest.spans);
        // A damaged manifest, cut short or not one at all, is an empty one: everything is built.
        let bytes = std::fs::read(dir.path().join(FILE)).unwrap();
        let unmarked = &bytes[MAGIC.len()..];
        let damaged: [&[u8]; 4] = [
            &bytes[..bytes.len() - 3],
            unmarked,
            b"{\"datasets\":{}}",
            &[],
        ];
        for damaged in damaged {
            std::fs::write(dir.path().join(FILE), damaged).unwrap();
            let read = load(dir.path());
            assert!(read.datasets.is_empty() && read.pages.is_empty() && read.spans.is_empty());
        }
        result.resources[0].omitted = 1;
        assert!(Entry::of("fp", &result, Vec::new()).is_none());
    }
}
