//! Site integrity: `hromadata verify` catches tampering, every internal link of a built site
//! resolves, and builds under different time zones, locales and thread counts are identical.

use std::path::{Path, PathBuf};

use crate::support::{run, tree, Project};

#[test]
fn verify_accepts_a_fresh_site_and_names_tampered_files() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let ok = run(&["verify", p.out().to_str().unwrap()], p.dir.path());
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert!(ok.stdout.starts_with("ok: "), "{}", ok.stdout);
    let csv = p.out().join("datasets/vinnytsia-budget/revenues.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("2021", "2020");
    std::fs::write(&csv, text).unwrap();
    let bad = run(&["verify", p.out().to_str().unwrap()], p.dir.path());
    assert_eq!(bad.code, 1);
    let lines: Vec<&str> = bad
        .stdout
        .lines()
        .filter(|l| l.starts_with("hash-count"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", bad.stdout);
    assert!(lines.iter().all(|l| l.contains("revenues.csv")));
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

#[test]
fn builds_are_identical_across_time_zones_locales_and_threads() {
    let p = Project::fixture("basic");
    let build = |out: &Path, tz: &str, lang: &str, threads: &str| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_hromadata"))
            .args([
                "build",
                "--source",
                p.src().to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
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
    build(&a, "UTC", "C", "1");
    build(&b, "Pacific/Kiritimati", "uk_UA.UTF-8", "2");
    assert_eq!(tree(&a), tree(&b));
}
