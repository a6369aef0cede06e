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
//! Both trees are compared by one digest of their stamps, so the common case — nothing touched —
//! reads no list of files, only the trees' metadata. The site's stamps are recorded from what the
//! output stage left (`journal`), or from a walk of the site when those may not hold.
//! A missing, old or damaged cache only means a full build; the cache never changes what is built.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::checksum::feed_parts as field;
use crate::render::Theme;

pub mod journal;
pub mod reuse;
mod stamp;
mod walk;

pub use journal::Journal;
pub use stamp::Stamp;
use walk::walk;

/// Bumped when the cache files' format or meaning changes.
const FORMAT: &str = "hromadata-cache 2";

/// A tree's files as one walk found them: their stamps, and which of them are not regular
/// files. The source folder is walked once, for the cache and the catalogue's loading.
#[derive(Debug)]
pub struct Tree {
    /// Relative path (with `/`) → stamp, in path order, of every entry that is not a folder.
    pub stamps: BTreeMap<String, Stamp>,
    /// The paths of those that are not regular files (links, mostly), in path order.
    pub special: Vec<String>,
}

/// The tree at `root` (see `Tree`); `None` when a name cannot be recorded (not UTF-8, or with a
/// tab or line break): such a tree is never cached.
pub fn tree(root: &Path) -> Option<Tree> {
    let walked = walk(root)?;
    Some(Tree {
        // Built at once from sorted entries (not inserted one by one).
        stamps: walked.files.into_iter().collect(),
        special: walked.special,
    })
}

/// The files of a tree with their stamps, sorted by path (as `Tree::stamps`, without a map's
/// overhead: a national site's half a million files).
pub fn stamp_list(root: &Path) -> Option<Vec<(String, Stamp)>> {
    walk(root).map(|walked| walked.files)
}

/// What the last build recorded.
#[derive(Debug, Default)]
pub struct Record {
    /// The build key: the setting and every source file's hash.
    pub key: String,
    /// The digest of the setting alone (`Digests::whole`).
    pub setting: String,
    /// The digest of the source tree's stamps (`stamps_digest`): while it holds, so do the hashes.
    pub sources_stamps: String,
    /// The digest of the site's stamps, as they were after the swap.
    pub site_stamps: String,
    /// Files in the site.
    pub files: usize,
    /// True when that build had findings (published with `--keep-going`).
    pub findings: bool,
    /// What that build printed on stdout: the report, replayed when nothing changed.
    pub report: String,
    /// Source files: path → (stamp, SHA-256).
    pub sources: BTreeMap<String, (Stamp, String)>,
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

/// The setting's digests: the whole, and the parts each kind of output is made from, so that an
/// edit of one template renders again only the pages that template reaches.
#[derive(Debug, Clone, Default)]
pub struct Digests {
    /// Everything: the tool, the options and the whole theme (the build key's part).
    pub whole: String,
    /// The tool, the options and the theme's messages — not its templates or assets: what
    /// every file made by code rather than a template is made from (datasets' fingerprints).
    pub data: String,
    /// Per template of the theme: `data` and every template it reaches (`render::reach`).
    pub templates: BTreeMap<String, String>,
}

impl Digests {
    /// The setting's digests.
    pub fn of(setting: &Setting) -> Digests {
        let t = setting.theme;
        let mut data = Sha256::new();
        data.update(FORMAT.as_bytes());
        data.update(env!("CARGO_PKG_VERSION").as_bytes());
        // The executable's own size and time: a rebuilt hromadata of the same version may
        // render differently (a developer's build), and reading the binary would cost more
        // than it tells.
        if let Some(meta) = std::env::current_exe().ok().and_then(|p| p.metadata().ok()) {
            data.update(Stamp::of(&meta).to_fields().as_bytes());
        }
        data.update(setting.options.as_bytes());
        for (lang, messages) in &t.messages {
            for (k, v) in messages {
                field(&mut data, &[lang.as_bytes(), k.as_bytes(), v.as_bytes()]);
            }
        }
        let data = crate::checksum::hex(&data.finalize());
        let templates = (t.templates.keys())
            .map(|name| (name.clone(), template_digest(&data, t, name)))
            .collect();
        let mut whole = Sha256::new();
        field(&mut whole, &[data.as_bytes()]);
        for (name, text) in &t.templates {
            field(&mut whole, &[name.as_bytes(), text.as_bytes()]);
        }
        for (name, bytes) in &t.assets {
            field(&mut whole, &[name.as_bytes(), bytes]);
        }
        let whole = crate::checksum::hex(&whole.finalize());
        Digests {
            whole,
            data,
            templates,
        }
    }

    /// The digest a page rendered from `template` is keyed by; for a file made by code (a name
    /// that is no template of the theme), `data`.
    pub fn of_template(&self, template: &str) -> &str {
        self.templates.get(template).unwrap_or(&self.data)
    }

    /// The digest of pages rendered from any of `templates` (a dataset's own pages).
    pub fn of_templates(&self, templates: &[&str]) -> String {
        let mut h = Sha256::new();
        for t in templates {
            field(&mut h, &[t.as_bytes(), self.of_template(t).as_bytes()]);
        }
        crate::checksum::hex(&h.finalize())
    }
}

/// `data` and the text of every template `name` reaches (a name the theme lacks, as missing).
fn template_digest(data: &str, theme: &Theme, name: &str) -> String {
    let mut h = Sha256::new();
    field(&mut h, &[data.as_bytes()]);
    for reached in crate::render::reach::reached(&theme.templates, name) {
        let text = theme.templates.get(&reached);
        let (present, text) = text.map_or((&b"missing"[..], ""), |t| (b"present", t));
        field(&mut h, &[reached.as_bytes(), present, text.as_bytes()]);
    }
    crate::checksum::hex(&h.finalize())
}

/// SHA-256 of everything a build depends on: the setting (its digest) and the source files'
/// hashes (from `hashes`, path order).
pub fn key(setting: &str, hashes: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    h.update(setting.as_bytes());
    for (path, sha) in hashes {
        field(&mut h, &[path.as_bytes(), sha.as_bytes()]);
    }
    crate::checksum::hex(&h.finalize())
}

/// SHA-256 of a tree's stamps: equal digests, the same files in the same state. The stamps are
/// digested a fixed number at a time in parallel, then the digests of those runs: one after the
/// other, a national site's 570,000 took a third of a second of one core in every rebuild, most
/// of the end of "nothing changed".
pub fn stamps_digest<'a>(stamps: impl IntoIterator<Item = (&'a String, &'a Stamp)>) -> String {
    const RUN: usize = 4096;
    let stamps: Vec<(&String, &Stamp)> = stamps.into_iter().collect();
    let runs: Vec<[u8; 32]> = (stamps.par_chunks(RUN))
        .map(|run| {
            let mut h = Sha256::new();
            let mut fields = String::new();
            for (path, stamp) in run {
                fields.clear();
                stamp.write_fields(&mut fields);
                field(&mut h, &[path.as_bytes(), fields.as_bytes()]);
            }
            h.finalize().into()
        })
        .collect();
    let mut h = Sha256::new();
    field(&mut h, &[&stamps.len().to_le_bytes()]);
    for run in &runs {
        h.update(run);
    }
    crate::checksum::hex(&h.finalize())
}

/// A relative path as the cache names it: its plain components joined with `/`.
pub fn source_path(path: &Path) -> String {
    let parts: Vec<String> = (path.components())
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
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

/// True when the site at `out` is as the record left it: every file there, unchanged, nothing else.
pub fn site_intact(out: &Path, record: &Record) -> bool {
    if record.site_stamps.is_empty() || !out.join(crate::output::MARKER).is_file() {
        return false;
    }
    walk(out).is_some_and(|now| stamps_digest(pairs(&now.files)) == record.site_stamps)
}

/// A `stamp_list`'s entries as `stamps_digest` takes them.
pub fn pairs(list: &[(String, Stamp)]) -> impl Iterator<Item = (&String, &Stamp)> {
    list.iter().map(|(path, stamp)| (path, stamp))
}

/// Reads the cache in `dir`; a missing or unreadable cache is an empty record.
pub fn load(dir: &Path) -> Record {
    read(dir, true).unwrap_or_default()
}

/// Reads the cache's state only, without the list of source files (the fast check).
pub fn load_state(dir: &Path) -> Record {
    read(dir, false).unwrap_or_default()
}

fn read(dir: &Path, with_sources: bool) -> Option<Record> {
    let state = std::fs::read_to_string(dir.join("state")).ok()?;
    let mut lines = state.splitn(8, '\n');
    if lines.next()? != FORMAT {
        return None;
    }
    let mut record = Record {
        key: lines.next()?.to_owned(),
        setting: lines.next()?.to_owned(),
        sources_stamps: lines.next()?.to_owned(),
        site_stamps: lines.next()?.to_owned(),
        files: lines.next()?.parse().ok()?,
        findings: lines.next()? == "findings",
        report: lines.next().unwrap_or("").to_owned(),
        sources: BTreeMap::new(),
    };
    if with_sources {
        let text = std::fs::read_to_string(dir.join("sources")).ok()?;
        let lines: Vec<&str> = text.lines().collect();
        // Parsed in parallel, then built at once from the file's path order: line by line into
        // the map, a national tree's 140,000 took a tenth of a second of the pipeline's thread.
        let parsed = (lines.par_iter())
            .map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let (path, rest) = f.split_first()?;
                let stamp = Stamp::from_fields(rest)?;
                Some(((*path).to_owned(), (stamp, (*rest.get(4)?).to_owned())))
            })
            .collect::<Option<Vec<_>>>()?;
        record.sources = parsed.into_iter().collect();
    }
    Some(record)
}

/// Writes the record into `dir` (each file replaced atomically; the state file removed first and
/// written last, so that a crash in between leaves no state, which means a full build).
pub fn save(dir: &Path, record: &Record) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let _ = std::fs::remove_file(dir.join("state"));
    // Written in place (no formatting machinery): a national tree has 140,000 source files,
    // written on the pipeline's thread at the end of every build.
    let mut sources = String::new();
    for (path, (stamp, sha)) in &record.sources {
        sources.push_str(path);
        sources.push('\t');
        stamp.write_fields(&mut sources);
        sources.push('\t');
        sources.push_str(sha);
        sources.push('\n');
    }
    crate::output::write_atomically(&dir.join("sources"), sources.as_bytes())?;
    let state = format!(
        "{FORMAT}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        record.key,
        record.setting,
        record.sources_stamps,
        record.site_stamps,
        record.files,
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
        std::fs::create_dir_all(src.join("a/b/c")).unwrap();
        std::fs::write(src.join("a/x.csv"), "a,b\n1,2\n").unwrap();
        std::fs::write(src.join("a/b/c/y.csv"), "y\n").unwrap();
        std::fs::write(src.join("a/b/z.txt"), "z\n").unwrap();
        std::fs::write(src.join("catalog.toml"), "x = 1\n").unwrap();
        let now = tree(&src).unwrap().stamps;
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            vec!["a/b/c/y.csv", "a/b/z.txt", "a/x.csv", "catalog.toml"]
        );
        std::fs::write(src.join("a/b/c/tab\there"), "").unwrap();
        assert!(tree(&src).is_none(), "a name with a tab is never cached");
        std::fs::remove_file(src.join("a/b/c/tab\there")).unwrap();
        let sums = hashes(&src, &now, &BTreeMap::new()).unwrap();
        let record = Record {
            key: "k".into(),
            setting: "s".into(),
            sources_stamps: stamps_digest(&now),
            site_stamps: "o".into(),
            files: 4,
            findings: true,
            report: "line one\nline two\n".into(),
            sources: (now.iter())
                .map(|(p, s)| (p.clone(), (*s, sums[p].clone())))
                .collect(),
        };
        let cache = dir.path().join("cache");
        save(&cache, &record).unwrap();
        let back = load(&cache);
        assert_eq!(
            (back.key.as_str(), back.findings, back.report.as_str()),
            ("k", true, "line one\nline two\n")
        );
        assert_eq!(back.sources, record.sources);
        assert_eq!(
            (
                back.setting,
                back.sources_stamps,
                back.site_stamps,
                back.files
            ),
            ("s".into(), stamps_digest(&now), "o".into(), 4)
        );
        assert!(load_state(&cache).sources.is_empty());
        // Same size, same content length: the stamp still differs (change time, at least).
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(src.join("a/x.csv"), "a,b\n1,3\n").unwrap();
        let later = tree(&src).unwrap().stamps;
        assert_ne!(later["a/x.csv"], now["a/x.csv"]);
        assert_ne!(stamps_digest(&later), stamps_digest(&now));
        let resums = hashes(&src, &later, &back.sources).unwrap();
        assert_ne!(resums["a/x.csv"], sums["a/x.csv"]);
        assert_eq!(resums["catalog.toml"], sums["catalog.toml"]);
    }

    #[test]
    fn a_digest_of_many_stamps_sees_each_one_and_where_it_is() {
        let stamp = |n: u64| Stamp::parse(&format!("{n}\t1\t2\t{n}")).unwrap();
        let tree: BTreeMap<String, Stamp> = (0..10_000u64)
            .map(|n| (format!("f{n:05}"), stamp(n)))
            .collect();
        let digest = stamps_digest(&tree);
        assert_eq!(digest, stamps_digest(&tree.clone()), "the same tree");
        for n in [0, 4_095, 4_096, 9_999] {
            let mut changed = tree.clone();
            changed.insert(format!("f{n:05}"), stamp(n + 1));
            assert_ne!(stamps_digest(&changed), digest, "stamp {n}");
            let mut fewer = tree.clone();
            fewer.remove(&format!("f{n:05}"));
            assert_ne!(stamps_digest(&fewer), digest, "without {n}");
        }
    }

    #[test]
    fn a_damaged_cache_is_an_empty_record() {
        let dir = tempfile::tempdir().unwrap();
        for state in [
            "",
            "hromadata-cache 0\nk\nclean\n",
            "hromadata-cache 2\n",
            "hromadata-cache 2\nk\ns\nx\ny\nmany\nclean\n",
        ] {
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
