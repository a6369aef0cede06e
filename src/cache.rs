//! The build cache, beside the pipeline: it lets `build` see that nothing changed since its last
//! build and skip the whole pipeline. It lives outside the site (default `.hromadata-cache/<out>`
//! beside `--out`) and is keyed by content: the SHA-256 of every file of the source tree, the
//! theme's templates, assets and messages, the tool's version and executable, and the options.
//!
//! Hashing a national source tree on every build would cost more than it saves, so a file's hash
//! is reused while its size, modification time, change time and inode are the ones recorded with
//! it (as git's index does); the change time cannot be set back by a program, so an edit is always
//! seen. Data files are hashed by validation anyway; their digests are recorded from it.
//! The site is checked too: every file recorded after the last build must still be there with the
//! same size, time and inode, so a site edited or damaged by hand is rebuilt, not trusted.
//! A missing, old or damaged cache only means a full build; the cache never changes what is built.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::render::Theme;

/// Bumped when the cache files' format or meaning changes.
const FORMAT: &str = "hromadata-cache 1";

/// What identifies a file's state on disk without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    ino: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            ino: meta.ino(),
        }
    }

    fn to_fields(self) -> String {
        format!(
            "{}\t{}\t{}\t{}",
            self.size, self.mtime_ns, self.ctime_ns, self.ino
        )
    }

    fn from_fields(f: &[&str]) -> Option<Stamp> {
        Some(Stamp {
            size: f.first()?.parse().ok()?,
            mtime_ns: f.get(1)?.parse().ok()?,
            ctime_ns: f.get(2)?.parse().ok()?,
            ino: f.get(3)?.parse().ok()?,
        })
    }
}

/// The files of a tree, relative path (with `/`) → stamp, in path order. `None` when a name
/// cannot be recorded (not UTF-8, or with a tab or line break): such a tree is never cached.
pub fn stamps(root: &Path) -> Option<BTreeMap<String, Stamp>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.ok()?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).ok()?;
        let rel = rel.to_str()?.replace(std::path::MAIN_SEPARATOR, "/");
        if rel.contains(['\t', '\n', '\r']) {
            return None;
        }
        out.insert(rel, Stamp::of(&entry.metadata().ok()?));
    }
    Some(out)
}

/// What the last build recorded.
#[derive(Debug, Default)]
pub struct Record {
    /// The build key.
    pub key: String,
    /// True when that build had findings (published with `--keep-going`).
    pub findings: bool,
    /// What that build printed on stdout: the report, replayed when nothing changed.
    pub report: String,
    /// Source files: path → (stamp, SHA-256).
    pub sources: BTreeMap<String, (Stamp, String)>,
    /// Site files: path → stamp, as they were after the swap.
    pub outputs: BTreeMap<String, Stamp>,
}

/// Where the cache of the site at `out` lives by default: `.hromadata-cache/<name>` beside it.
pub fn default_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "site".to_owned(), |n| n.to_string_lossy().into_owned());
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    parent
        .unwrap_or(Path::new("."))
        .join(".hromadata-cache")
        .join(name)
}

/// The inputs that are not files of the source tree.
pub struct Setting<'a> {
    pub theme: &'a Theme,
    /// Every option that changes the output, written out (base URL, dates, --keep-going).
    pub options: String,
}

/// SHA-256 of everything a build depends on: the tool, the theme, the options, and the source
/// files' hashes (from `hashes`, path order).
pub fn key(setting: &Setting, hashes: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT.as_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    // The executable's own size and time: a rebuilt hromadata of the same version may render
    // differently (a developer's build), and reading the binary would cost more than it tells.
    if let Some(meta) = std::env::current_exe().ok().and_then(|p| p.metadata().ok()) {
        h.update(Stamp::of(&meta).to_fields().as_bytes());
    }
    h.update(setting.options.as_bytes());
    let t = setting.theme;
    for (name, text) in &t.templates {
        field(&mut h, &[name.as_bytes(), text.as_bytes()]);
    }
    for (name, bytes) in &t.assets {
        field(&mut h, &[name.as_bytes(), bytes]);
    }
    for (lang, messages) in &t.messages {
        for (k, v) in messages {
            field(&mut h, &[lang.as_bytes(), k.as_bytes(), v.as_bytes()]);
        }
    }
    for (path, sha) in hashes {
        field(&mut h, &[path.as_bytes(), sha.as_bytes()]);
    }
    crate::checksum::hex(&h.finalize())
}

/// Feeds length-prefixed parts, so that no two different inputs give the same stream.
fn field(h: &mut Sha256, parts: &[&[u8]]) {
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
}

/// The SHA-256 of every source file: recorded ones whose stamp is unchanged are reused, the others
/// are read. `None` when a file cannot be read (the build then reports it properly).
pub fn hashes(
    root: &Path,
    now: &BTreeMap<String, Stamp>,
    recorded: &BTreeMap<String, (Stamp, String)>,
) -> Option<BTreeMap<String, String>> {
    let work: Vec<(&String, &Stamp)> = now.iter().collect();
    work.par_iter()
        .map(|(path, stamp)| match recorded.get(*path) {
            Some((s, sha)) if s == *stamp => Some(((*path).clone(), sha.clone())),
            _ => {
                let digest = crate::checksum::digest_file(&root.join(path), false).ok()?;
                Some(((*path).clone(), digest.sha256))
            }
        })
        .collect()
}

/// True when every recorded site file is still there, unchanged, and nothing else is.
pub fn site_intact(out: &Path, recorded: &BTreeMap<String, Stamp>) -> bool {
    if recorded.is_empty() || !out.join(crate::output::MARKER).is_file() {
        return false;
    }
    match stamps(out) {
        Some(now) => now == *recorded,
        None => false,
    }
}

/// Reads the cache in `dir`; a missing or unreadable cache is an empty record.
pub fn load(dir: &Path) -> Record {
    read(dir).unwrap_or_default()
}

fn read(dir: &Path) -> Option<Record> {
    let state = std::fs::read_to_string(dir.join("state")).ok()?;
    let mut lines = state.splitn(4, '\n');
    if lines.next()? != FORMAT {
        return None;
    }
    let key = lines.next()?.to_owned();
    let findings = lines.next()? == "findings";
    let report = lines.next().unwrap_or("").to_owned();
    let mut sources = BTreeMap::new();
    for line in std::fs::read_to_string(dir.join("sources")).ok()?.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (path, rest) = f.split_first()?;
        let stamp = Stamp::from_fields(rest)?;
        sources.insert((*path).to_owned(), (stamp, (*rest.get(4)?).to_owned()));
    }
    let mut outputs = BTreeMap::new();
    for line in std::fs::read_to_string(dir.join("outputs")).ok()?.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (path, rest) = f.split_first()?;
        outputs.insert((*path).to_owned(), Stamp::from_fields(rest)?);
    }
    Some(Record {
        key,
        findings,
        report,
        sources,
        outputs,
    })
}

/// Writes the record into `dir` (each file replaced atomically; the state file last, so that a
/// crash in between leaves a record whose key no longer matches its lists at worst — and a
/// mismatch only means a full build).
pub fn save(dir: &Path, record: &Record) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let _ = std::fs::remove_file(dir.join("state"));
    let mut sources = Vec::new();
    for (path, (stamp, sha)) in &record.sources {
        writeln!(sources, "{path}\t{}\t{sha}", stamp.to_fields())?;
    }
    crate::output::write_atomically(&dir.join("sources"), &sources)?;
    let mut outputs = Vec::new();
    for (path, stamp) in &record.outputs {
        writeln!(outputs, "{path}\t{}", stamp.to_fields())?;
    }
    crate::output::write_atomically(&dir.join("outputs"), &outputs)?;
    let state = format!(
        "{FORMAT}\n{}\n{}\n{}",
        record.key,
        if record.findings { "findings" } else { "clean" },
        record.report
    );
    crate::output::write_atomically(&dir.join("state"), state.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_and_an_edit_changes_the_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("a")).unwrap();
        std::fs::write(src.join("a/x.csv"), "a,b\n1,2\n").unwrap();
        std::fs::write(src.join("catalog.toml"), "x = 1\n").unwrap();
        let now = stamps(&src).unwrap();
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            vec!["a/x.csv", "catalog.toml"]
        );
        let sums = hashes(&src, &now, &BTreeMap::new()).unwrap();
        let record = Record {
            key: "k".into(),
            findings: true,
            report: "line one\nline two\n".into(),
            sources: (now.iter())
                .map(|(p, s)| (p.clone(), (*s, sums[p].clone())))
                .collect(),
            outputs: now.clone(),
        };
        let cache = dir.path().join("cache");
        save(&cache, &record).unwrap();
        let back = load(&cache);
        assert_eq!(
            (back.key.as_str(), back.findings, back.report.as_str()),
            ("k", true, "line one\nline two\n")
        );
        assert_eq!(back.sources, record.sources);
        assert_eq!(back.outputs, record.outputs);
        // Same size, same content length: the stamp still differs (change time, at least).
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(src.join("a/x.csv"), "a,b\n1,3\n").unwrap();
        let later = stamps(&src).unwrap();
        assert_ne!(later["a/x.csv"], now["a/x.csv"]);
        let resums = hashes(&src, &later, &back.sources).unwrap();
        assert_ne!(resums["a/x.csv"], sums["a/x.csv"]);
        assert_eq!(resums["catalog.toml"], sums["catalog.toml"]);
    }

    #[test]
    fn a_damaged_cache_is_an_empty_record() {
        let dir = tempfile::tempdir().unwrap();
        for state in ["", "hromadata-cache 0\nk\nclean\n", "hromadata-cache 1\n"] {
            std::fs::write(dir.path().join("state"), state).unwrap();
            assert!(load(dir.path()).key.is_empty(), "{state:?}");
        }
    }

    #[test]
    fn default_dirs() {
        for (out, want) in [
            ("site", "./.hromadata-cache/site"),
            ("/tmp/x/site", "/tmp/x/.hromadata-cache/site"),
            ("build/public", "build/.hromadata-cache/public"),
        ] {
            assert_eq!(default_dir(Path::new(out)), Path::new(want), "{out}");
        }
    }
}
