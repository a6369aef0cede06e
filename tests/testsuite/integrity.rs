//! Site integrity: `hromadata verify` catches tampering, every internal link of a built site
//! resolves, and builds under different time zones, locales and thread counts are identical.

use std::path::{Path, PathBuf};

use crate::support::{run, tree, Project};

#[test]
fn verify_accepts_a_fresh_site_and_names_tampered_files() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    // A mirror: the site copied elsewhere verifies as it is.
    let mirror = p.dir.path().join("mirror");
    crate::support::copy_dir(&p.out(), &mirror);
    let ok = run(&["verify", mirror.to_str().unwrap()], p.dir.path());
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert!(ok.stdout.starts_with("ok: "), "{}", ok.stdout);
    let csv = mirror.join("datasets/vinnytsia-budget/revenues.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("2021", "2020");
    std::fs::write(&csv, text).unwrap();
    let bad = run(&["verify", mirror.to_str().unwrap()], p.dir.path());
    assert_eq!(bad.code, 1);
    let mut lines: Vec<&str> = bad
        .stdout
        .lines()
        .filter(|l| l.starts_with("hash-count"))
        .collect();
    lines.sort();
    // The list of sums, the dataset's descriptor and the site's descriptor each catch it.
    assert_eq!(lines.len(), 3, "{}", bad.stdout);
    assert!(lines.iter().all(|l| l.contains("revenues.csv")));
    for place in [
        "SHA256SUMS",
        "`datapackage.json`",
        "vinnytsia-budget/datapackage.json",
    ] {
        assert!(bad.stdout.contains(place), "{place}: {}", bad.stdout);
    }
    // A file cut short is caught by its size as well, a removed one is named.
    std::fs::write(&csv, "year\n").unwrap();
    std::fs::remove_file(mirror.join("datasets/vinnytsia-budget/notes.txt")).unwrap();
    let worse = run(&["verify", mirror.to_str().unwrap()], p.dir.path());
    assert_eq!(worse.code, 1);
    assert!(
        worse.stdout.lines().any(|l| l.starts_with("byte-count")),
        "{}",
        worse.stdout
    );
    assert!(
        worse.stdout.contains("missing or unreadable"),
        "{}",
        worse.stdout
    );
    let missing = run(
        &["verify", p.dir.path().join("nowhere").to_str().unwrap()],
        p.dir.path(),
    );
    assert_eq!(missing.code, 2);
}

/// Every `href` and `src` of every page, resolved against the page's folder.
fn internal_links(site: &Path) -> Vec<(String, PathBuf)> {
    let sel = scraper::Selector::parse("[href], [src]").unwrap();
    let mut out = Vec::new();
    for (rel, bytes) in tree(site) {
        if !rel.ends_with(".html") || rel == "404.html" {
            continue;
        }
        let page = scraper::Html::parse_document(&String::from_utf8(bytes).unwrap());
        let dir = Path::new(&rel)
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        for el in page.select(&sel) {
            let link = el.value().attr("href").or(el.value().attr("src")).unwrap();
            if link.contains("://") || link.starts_with("mailto:") || link.starts_with('#') {
                continue;
            }
            let path = link.split(['#', '?']).next().unwrap();
            let decoded = percent_decode(path);
            out.push((format!("{rel} → {link}"), dir.join(decoded)));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}

#[test]
fn every_internal_link_resolves() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let links = internal_links(&p.out());
    assert!(links.len() > 100, "only {} links found", links.len());
    let broken: Vec<&String> = links
        .iter()
        .filter(|(_, target)| {
            let t = p.out().join(normalise(target));
            !(t.is_file() || t.join("index.html").is_file())
        })
        .map(|(from, _)| from)
        .collect();
    assert!(
        broken.is_empty(),
        "broken links:\n{}",
        broken
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Copies `from` to `to` creating files in reverse name order (so directories list them in
/// another order) and dating every file 1 January 2001: neither may change the site.
fn copy_reversed_and_redated(from: &Path, to: &Path) {
    let mut entries: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(from)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    entries.sort_by(|a, b| b.path().cmp(a.path()));
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(978_307_200);
    for entry in entries.iter().filter(|e| e.file_type().is_file()) {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(entry.path(), &target).unwrap();
        let file = std::fs::File::options().write(true).open(&target).unwrap();
        file.set_modified(old).unwrap();
    }
}

/// Two builds under another time zone, locale, thread count, file creation order and file dates
/// give the same bytes; the only clock is `SOURCE_DATE_EPOCH`.
#[test]
fn builds_are_identical_across_time_zones_locales_threads_and_file_order() {
    let p = Project::fixture("basic");
    let reversed = p.dir.path().join("reversed");
    copy_reversed_and_redated(&p.src(), &reversed);
    let build = |src: &Path, out: &Path, tz: &str, lang: &str, threads: &str| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_hromadata"))
            .args(["build", "--source", src.to_str().unwrap()])
            .args(["--out", out.to_str().unwrap()])
            .env("TZ", tz)
            .env("LANG", lang)
            .env("LC_ALL", lang)
            .env("RAYON_NUM_THREADS", threads)
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    let a = p.dir.path().join("a");
    let b = p.dir.path().join("b");
    build(&p.src(), &a, "UTC", "C", "1");
    build(&reversed, &b, "Pacific/Kiritimati", "uk_UA.UTF-8", "2");
    assert_eq!(tree(&a), tree(&b));
    // Another SOURCE_DATE_EPOCH is another build date: the clock is read, and only from there.
    let c = p.dir.path().join("c");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_hromadata"))
        .args(["build", "--source", p.src().to_str().unwrap()])
        .args(["--out", c.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1798761600")
        .output()
        .unwrap();
    assert!(status.status.success());
    assert_ne!(tree(&a), tree(&c));
}
