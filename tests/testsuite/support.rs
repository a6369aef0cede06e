//! Helpers: fixture projects in temporary folders, running the binary, reading pages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fixture project copied into a temporary folder.
pub struct Project {
    pub dir: tempfile::TempDir,
}

/// What a run of the binary printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Project {
    /// Copies `tests/fixtures/<name>` into `<tmp>/src`.
    pub fn fixture(name: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &repo().join("tests/fixtures").join(name),
            &dir.path().join("src"),
        );
        Project { dir }
    }

    /// Copies a folder (e.g. the embedded `datasets/`) into `<tmp>/src`.
    pub fn copy_of(path: &Path) -> Project {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(path, &dir.path().join("src"));
        Project { dir }
    }

    pub fn src(&self) -> PathBuf {
        self.dir.path().join("src")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    /// Path of a file in the source.
    pub fn file(&self, rel: &str) -> PathBuf {
        self.src().join(rel)
    }

    /// Replaces `from` with `to` in a source file (which must contain it).
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let path = self.file(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    /// Writes a source file.
    pub fn write(&self, rel: &str, content: &str) -> &Self {
        let path = self.file(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// A `hromadata build --source <src> --out <site>` command, to adjust (environment, spawning).
    pub fn build_command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hromadata"));
        cmd.arg("build")
            .arg("--source")
            .arg(self.src())
            .arg("--out")
            .arg(self.out())
            .env("CI", "true");
        cmd
    }

    /// `hromadata check --source <src>`.
    pub fn check(&self) -> Run {
        run(
            &["check", "--source", self.src().to_str().unwrap()],
            self.dir.path(),
        )
    }

    /// `hromadata build --source <src> --out <site>` plus `extra`.
    pub fn build(&self, extra: &[&str]) -> Run {
        let (src, out) = (self.src(), self.out());
        let mut args = vec![
            "build",
            "--source",
            src.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(&args, self.dir.path())
    }

    /// A built page, parsed.
    pub fn page(&self, rel: &str) -> scraper::Html {
        let text =
            std::fs::read_to_string(self.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        scraper::Html::parse_document(&text)
    }
}

/// Runs the binary in `cwd` with a fixed environment.
pub fn run(args: &[&str], cwd: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_hromadata"))
        .args(args)
        .current_dir(cwd)
        .env("CI", "true")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Text of every element matching `selector`.
pub fn select(html: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

/// An attribute of every element matching `selector`.
pub fn attr(html: &scraper::Html, selector: &str, name: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel)
        .filter_map(|e| e.value().attr(name).map(str::to_owned))
        .collect()
}

/// The `<main>` of a page as HTML, for snapshots.
pub fn main_html(html: &scraper::Html) -> String {
    let sel = scraper::Selector::parse("main").unwrap();
    html.select(&sel)
        .next()
        .map(|m| m.html())
        .unwrap_or_default()
}

/// Every file under `dir` with its bytes (for byte-for-byte comparisons).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    tree_with(dir, <[u8]>::to_vec)
}

/// Every file under `dir` (relative path) with `f` of its bytes, e.g. a digest where keeping the
/// bytes of a large site would cost too much.
pub fn tree_with<T>(dir: &Path, f: impl Fn(&[u8]) -> T) -> BTreeMap<String, T> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let bytes = std::fs::read(e.path()).unwrap();
            (rel.to_string_lossy().into_owned(), f(&bytes))
        })
        .collect()
}

/// Replaces the temporary folder in output with `[TMP]`, for snapshots.
pub fn redact(text: &str, project: &Project) -> String {
    text.replace(project.dir.path().to_str().unwrap(), "[TMP]")
}
