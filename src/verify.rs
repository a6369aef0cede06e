//! `hromadata verify DIR`: re-checks a built or downloaded site without its source — every file
//! listed in `SHA256SUMS` is hashed again, and every `datapackage.json` (the site's own at the
//! root and each dataset's under `datasets/`) has its resources' `bytes` and `hash` compared with
//! the files its paths name. Anyone can run it on a
//! mirror to know that what they downloaded is what was published. Reads only.

use std::path::{Component, Path, PathBuf};

use crate::checksum;
use crate::error::Error;
use crate::validate::report::{Finding, Kind, Report};

/// One `SHA256SUMS` line: the expected hex and the relative path.
fn parse_line(line: &str) -> Option<(&str, &str)> {
    let (hex, rest) = line.split_at_checked(64)?;
    let path = rest
        .strip_prefix("  ")
        .or_else(|| rest.strip_prefix(" *"))?;
    (hex.bytes().all(|b| b.is_ascii_hexdigit()) && !path.is_empty()).then_some((hex, path))
}

/// A path from a list or descriptor, refused when it would leave the site folder.
fn inside(site: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    p.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then(|| site.join(p))
}

fn check_sums(site: &Path, report: &mut Report) -> Result<usize, Error> {
    let sums_path = site.join("SHA256SUMS");
    let text = std::fs::read_to_string(&sums_path).map_err(|e| Error::read(&sums_path, e))?;
    let mut checked = 0;
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let at = |expected: &str| {
            Finding::new(Kind::HashCount, "SHA256SUMS", expected).row(i as u64 + 1)
        };
        let Some((hex, rel)) = parse_line(line) else {
            report
                .findings
                .push(at("a line `<64 hex digits>  <path>`").found(line));
            continue;
        };
        let Some(file) = inside(site, rel) else {
            report
                .findings
                .push(at("a path inside the site").found(rel));
            continue;
        };
        match checksum::digest_file(&file, false) {
            Ok(d) if d.sha256.eq_ignore_ascii_case(hex) => checked += 1,
            Ok(d) => report.findings.push(
                at(&format!("SHA-256 {hex} for `{rel}`"))
                    .found(d.sha256)
                    .hint("the file differs from the one published: download it again"),
            ),
            Err(_) => report
                .findings
                .push(at(&format!("the file `{rel}`")).found("missing or unreadable")),
        }
    }
    Ok(checked)
}

/// What the file's hash is when it is not the declared `hash` (`sha256:<hex>`, `md5:<hex>`, or
/// a bare hex MD5 as Data Package v1 wrote it); `None` when they agree.
fn hash_mismatch(declared: &str, file: &Path, digest: &checksum::Digest) -> Option<String> {
    let (algorithm, hex) = match declared.split_once(':') {
        Some((a, h)) => (a.to_ascii_lowercase(), h),
        None if declared.len() == 32 => ("md5".to_owned(), declared),
        None => ("sha256".to_owned(), declared),
    };
    let actual = match algorithm.as_str() {
        "sha256" => digest.sha256.clone(),
        "md5" => checksum::digest_file(file, true).ok()?.md5?,
        other => return Some(format!("an algorithm verify does not know: `{other}`")),
    };
    (!hex.eq_ignore_ascii_case(&actual)).then(|| format!("{algorithm}:{actual}"))
}

fn check_descriptor(site: &Path, descriptor: &Path, report: &mut Report) -> Result<usize, Error> {
    let shown = descriptor
        .strip_prefix(site)
        .unwrap_or(descriptor)
        .to_path_buf();
    let text = std::fs::read(descriptor).map_err(|e| Error::read(descriptor, e))?;
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&text) else {
        report
            .findings
            .push(Finding::new(Kind::PackageError, &shown, "valid JSON"));
        return Ok(0);
    };
    let dir = descriptor.parent().unwrap_or(site);
    let mut checked = 0;
    for (i, r) in value["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let key = format!("resources[{i}]");
        let (Some(rel), Some(file)) = (
            r["path"].as_str(),
            r["path"].as_str().and_then(|p| inside(dir, p)),
        ) else {
            continue;
        };
        let Ok(d) = checksum::digest_file(&file, false) else {
            report.findings.push(
                Finding::new(
                    Kind::ResourceError,
                    &shown,
                    format!("the file `{rel}` beside the descriptor"),
                )
                .field(key, None)
                .found("missing or unreadable"),
            );
            continue;
        };
        if let Some(bytes) = r["bytes"].as_u64().filter(|b| *b != d.bytes) {
            report.findings.push(
                Finding::new(
                    Kind::ByteCount,
                    &shown,
                    format!("{bytes} bytes for `{rel}`"),
                )
                .field(key.clone(), None)
                .found(format!("{} bytes", d.bytes)),
            );
        }
        if let Some(hash) = r["hash"].as_str() {
            if let Some(found) = hash_mismatch(hash, &file, &d) {
                report.findings.push(
                    Finding::new(Kind::HashCount, &shown, format!("{hash} for `{rel}`"))
                        .field(key, None)
                        .found(found),
                );
            }
        }
        checked += 1;
    }
    Ok(checked)
}

/// Verifies the site in `site`; returns the findings and how many files were checked.
pub fn verify(site: &Path) -> Result<(Report, usize), Error> {
    if !site.join("SHA256SUMS").is_file() {
        return Err(Error::SourceMissing {
            path: site.join("SHA256SUMS"),
        });
    }
    let mut report = Report::default();
    let mut checked = check_sums(site, &mut report)?;
    if site.join("datapackage.json").is_file() {
        checked += check_descriptor(site, &site.join("datapackage.json"), &mut report)?;
    }
    let datasets = site.join("datasets");
    if datasets.is_dir() {
        for entry in walkdir::WalkDir::new(&datasets)
            .min_depth(2)
            .max_depth(2)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| Error::Walk {
                path: datasets.clone(),
                source: e,
            })?;
            if entry.file_name() == "datapackage.json" {
                checked += check_descriptor(site, entry.path(), &mut report)?;
            }
        }
    }
    report.sort();
    Ok((report, checked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_lines() {
        let hex = "a".repeat(64);
        let cases: &[(String, Option<&str>)] = &[
            (format!("{hex}  datasets/x/a.csv"), Some("datasets/x/a.csv")),
            (format!("{hex} *a.csv"), Some("a.csv")),
            (format!("{hex} a.csv"), None),
            ("short  a.csv".to_owned(), None),
            (format!("{}  a.csv", "g".repeat(64)), None),
        ];
        for (line, want) in cases {
            assert_eq!(parse_line(line).map(|(_, p)| p), *want, "{line}");
        }
        assert!(inside(Path::new("/s"), "../etc/passwd").is_none());
        assert!(inside(Path::new("/s"), "/etc/passwd").is_none());
    }

    #[test]
    fn declared_hashes_of_each_algorithm() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "hello\n").unwrap();
        let d = checksum::digest_file(&file, false).unwrap();
        let sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
        let md5 = "b1946ac92492d2347c6235b4d2611184";
        let cases: &[(String, bool)] = &[
            (format!("sha256:{sha}"), true),
            (sha.to_owned(), true),
            (format!("SHA256:{}", sha.to_uppercase()), true),
            (format!("md5:{md5}"), true),
            (md5.to_owned(), true),
            (format!("sha256:{}", "0".repeat(64)), false),
            (format!("md5:{}", "0".repeat(32)), false),
            ("sha1:abc".to_owned(), false),
        ];
        for (declared, agrees) in cases {
            let got = hash_mismatch(declared, &file, &d);
            assert_eq!(got.is_none(), *agrees, "{declared}: {got:?}");
        }
    }
}
