//! `hromadata verify DIR`: re-checks a built or downloaded site without its source — every file
//! listed in `SHA256SUMS` is hashed again, and every `datapackage.json` under `datasets/` has its
//! resources' `bytes` and `hash` compared with the files beside it. Anyone can run it on a
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
            let expected = hash.strip_prefix("sha256:").unwrap_or(hash);
            if !expected.eq_ignore_ascii_case(&d.sha256) {
                report.findings.push(
                    Finding::new(Kind::HashCount, &shown, format!("{hash} for `{rel}`"))
                        .field(key, None)
                        .found(format!("sha256:{}", d.sha256)),
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
}
