//! `hromadata territories import`: turns an edition of the KATOTTG codifier, as the Ministry
//! publishes it, into the registry the build uses (the CSV named by `[territories] registry` in
//! `catalog.toml`), reports what changed against the registry in place and records the edition's
//! date. Renames and recategorisations are also appended to the registry's history
//! (`<registry>-history.csv` beside it: edition, change, code, old and new name and category;
//! additions and removals are plain in the registry's own history in git), from which the build
//! takes former names: a renamed hromada keeps its code, so its pages keep their addresses, and they
//! mention the old name. Nothing is written when the edition has problems; files are replaced
//! atomically.

pub mod changes;
pub mod edition;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::catalog::config::CatalogConfig;
use crate::pipeline::Outcome;
use crate::validate::report::{Finding, Kind, Report};
use crate::Error;
use changes::Known;
use edition::Object;

/// What `territories import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The codifier file (`.xlsx` or `.csv`).
    pub file: PathBuf,
    /// The catalogue's source folder.
    pub source: PathBuf,
    /// The edition's date (`YYYY-MM-DD`); taken from the file name when not given.
    pub edition: Option<String>,
    /// Report the changes without writing anything.
    pub dry_run: bool,
}

/// The registry's columns, in order (the codifier's flat form).
const REGISTRY_COLUMNS: [&str; 10] = [
    "code",
    "category",
    "level",
    "name",
    "name_raw_has_trailing_space",
    "level1",
    "level2",
    "level3",
    "level4",
    "level_extra",
];

/// The history's columns, in order.
pub const HISTORY_COLUMNS: [&str; 7] = [
    "edition",
    "change",
    "code",
    "old_name",
    "new_name",
    "old_category",
    "new_category",
];

/// The history file kept beside a registry: `katottg.csv` → `katottg-history.csv`.
pub fn history_path(registry: &Path) -> PathBuf {
    let stem = registry
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    registry.with_file_name(format!("{stem}-history.csv"))
}

/// Imports a codifier edition into the catalogue's registry.
pub fn import(options: &ImportOptions) -> Result<Outcome, Error> {
    let catalog_file = options.source.join("catalog.toml");
    let bytes = std::fs::read(&catalog_file).map_err(|e| Error::read(&catalog_file, e))?;
    let shown = Path::new("catalog.toml");
    let config_text = match crate::catalog::decode_text(bytes, shown, Kind::CatalogError) {
        Ok(text) => text,
        Err(finding) => return Ok(print_findings(vec![*finding])),
    };
    let config = match CatalogConfig::parse(&config_text, Path::new("catalog.toml")) {
        Ok(config) => config,
        Err(findings) => return Ok(print_findings(findings)),
    };
    let date = edition_date(options)?;
    let (objects, findings) = edition::read(&options.file)?;
    if !findings.is_empty() {
        return Ok(print_findings(findings));
    }
    let registry = options.source.join(&config.registry);
    let old = read_registry(&registry)?;
    let new: BTreeMap<String, Known> = objects
        .iter()
        .map(|o| (o.code.to_string(), known(o)))
        .collect();
    let changes = changes::compare(&old, &new);
    println!(
        "`{}`, edition {date}: {} objects ({})",
        options.file.display(),
        objects.len(),
        counts(&objects)
    );
    println!(
        "against `{}` (edition {}): {}",
        config.registry.display(),
        config.edition,
        changes.report().trim_end()
    );
    if options.dry_run {
        println!("dry run: nothing written");
        return Ok(Outcome::Clean);
    }
    write_registry(&registry, &objects)?;
    if !changes.rows().is_empty() {
        append_history(&history_path(&registry), &date, &changes)?;
    }
    let updated = with_edition(&config_text, &date);
    crate::output::write_atomically(&catalog_file, updated.as_bytes())
        .map_err(|e| Error::write(&catalog_file, e))?;
    println!(
        "wrote `{}`, its history and the edition date in `catalog.toml`",
        config.registry.display()
    );
    Ok(Outcome::Clean)
}

fn print_findings(findings: Vec<Finding>) -> Outcome {
    let mut report = Report {
        findings,
        ..Report::default()
    };
    report.sort();
    // A file of a million bad rows gets the first ones listed, as `validate` does, not a
    // million lines.
    let shown = crate::validate::table::MAX_FINDINGS;
    for f in report.findings.iter().take(shown) {
        println!("{f}");
    }
    if report.findings.len() > shown {
        println!("… and {} more not shown", report.findings.len() - shown);
    }
    println!(
        "{} problem(s) found; nothing was written",
        report.findings.len()
    );
    Outcome::Findings
}

fn known(o: &Object) -> Known {
    Known {
        category: o.category.clone(),
        name: o.name.clone(),
    }
}

/// "27 oblasts, 136 raions, 1772 hromadas, …" for the categories present.
fn counts(objects: &[Object]) -> String {
    let names = [
        ("O", "oblasts"),
        ("K", "cities with special status"),
        ("P", "raions"),
        ("H", "hromadas"),
        ("M", "cities"),
        ("X", "settlements"),
        ("C", "villages"),
        ("B", "city districts"),
    ];
    names
        .iter()
        .map(|(c, n)| (objects.iter().filter(|o| o.category == *c).count(), n))
        .filter(|(count, _)| *count > 0)
        .map(|(count, n)| format!("{count} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The edition's date: `--edition`, else a `YYYY-MM-DD` or `DD.MM.YYYY` date in the file name.
fn edition_date(options: &ImportOptions) -> Result<String, Error> {
    let name = options
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let found = match &options.edition {
        Some(given) => chrono::NaiveDate::parse_from_str(given.trim(), "%Y-%m-%d").ok(),
        None => date_in_name(&name),
    };
    found
        .map(|d| d.format("%Y-%m-%d").to_string())
        .ok_or_else(|| Error::EditionDate {
            path: options.file.clone(),
            given: options.edition.clone(),
        })
}

fn date_in_name(name: &str) -> Option<chrono::NaiveDate> {
    let iso = regex::Regex::new(r"(\d{4}-\d{2}-\d{2})").ok()?;
    let dotted = regex::Regex::new(r"(\d{2}\.\d{2}\.\d{4})").ok()?;
    if let Some(m) = iso.find(name) {
        return chrono::NaiveDate::parse_from_str(m.as_str(), "%Y-%m-%d").ok();
    }
    let m = dotted.find(name)?;
    chrono::NaiveDate::parse_from_str(m.as_str(), "%d.%m.%Y").ok()
}

/// The registry in place: code → what it knows.
fn read_registry(path: &Path) -> Result<BTreeMap<String, Known>, Error> {
    let mut out = BTreeMap::new();
    if !path.exists() {
        return Ok(out);
    }
    let mut reader = csv::Reader::from_path(path).map_err(|e| Error::read(path, e.into()))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::read(path, e.into()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (code, category, name) = (column("code"), column("category"), column("name"));
    for record in reader.records() {
        let record = record.map_err(|e| Error::read(path, e.into()))?;
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").to_owned();
        let known = Known {
            category: get(category),
            name: get(name),
        };
        out.insert(get(code), known);
    }
    Ok(out)
}

/// Writes the new registry in the codifier's flat form, in the edition's order.
fn write_registry(path: &Path, objects: &[Object]) -> Result<(), Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written = writer.write_record(REGISTRY_COLUMNS).and_then(|()| {
        for o in objects {
            let code = o.code.to_string();
            let level = o.level.to_string();
            let spaced = if o.raw_trailing_space {
                "true"
            } else {
                "false"
            };
            let mut row = vec![code.as_str(), &o.category, &level, &o.name, spaced];
            row.extend(o.levels.iter().map(String::as_str));
            writer.write_record(&row)?;
        }
        Ok(())
    });
    finish_csv(path, written, writer)
}

/// Adds this edition's changes to the history (creating it with a header).
fn append_history(path: &Path, date: &str, changes: &changes::Changes) -> Result<(), Error> {
    let mut text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::read(path, e)),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written = (|| {
        if text.is_empty() {
            writer.write_record(HISTORY_COLUMNS)?;
        }
        for row in changes.rows() {
            let mut record = vec![date];
            record.extend(row.iter().map(String::as_str));
            writer.write_record(&record)?;
        }
        Ok(())
    })();
    written.map_err(|e: csv::Error| Error::write(path, e.into()))?;
    let added = writer
        .into_inner()
        .map_err(|e| Error::write(path, e.into_error()))?;
    if !text.is_empty() && !text.ends_with(b"\n") {
        text.push(b'\n');
    }
    text.extend(added);
    crate::output::write_atomically(path, &text).map_err(|e| Error::write(path, e))
}

fn finish_csv(
    path: &Path,
    written: Result<(), csv::Error>,
    writer: csv::Writer<Vec<u8>>,
) -> Result<(), Error> {
    let bytes = written
        .map_err(|e| Error::write(path, e.into()))
        .and_then(|()| {
            writer
                .into_inner()
                .map_err(|e| Error::write(path, e.into_error()))
        })?;
    crate::output::write_atomically(path, &bytes).map_err(|e| Error::write(path, e))
}

/// `catalog.toml` with the `edition` of `[territories]` set to `date` (the rest kept as written).
fn with_edition(text: &str, date: &str) -> String {
    let mut table = String::new();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            table = trimmed.trim_matches(['[', ']', ' ']).to_owned();
        }
        let key = trimmed.split('=').next().unwrap_or_default().trim();
        if table == "territories" && key == "edition" && trimmed.contains('=') {
            let ending = if line.ends_with("\r\n") {
                "\r\n"
            } else if line.ends_with('\n') {
                "\n"
            } else {
                ""
            };
            out.push_str(&format!("edition = \"{date}\"{ending}"));
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edition_line_replaced_in_its_table_only() {
        let text = "edition = \"keep\"\n[territories]\nregistry = \"r.csv\"\nedition = \"2025-05-16\"\n[other]\nedition = 1\n";
        assert_eq!(
            with_edition(text, "2026-07-07"),
            "edition = \"keep\"\n[territories]\nregistry = \"r.csv\"\nedition = \"2026-07-07\"\n[other]\nedition = 1\n"
        );
    }

    #[test]
    fn dates_in_file_names() {
        let cases = [
            ("kodifikator-2025-05-16.csv", Some("2025-05-16")),
            ("Кодифікатор 07.07.2026.xlsx", Some("2026-07-07")),
            ("kodifikator.xlsx", None),
            ("k-2025-13-01.csv", None),
        ];
        for (name, expected) in cases {
            let got = date_in_name(name).map(|d| d.format("%Y-%m-%d").to_string());
            assert_eq!(got.as_deref(), expected, "{name}");
        }
    }
}
