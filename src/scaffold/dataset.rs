//! `hromadata new dataset --publisher P FILE.csv`: a dataset folder in the publisher's folder —
//! a copy of the file in `data/` and a `datapackage.json` with the inferred schema and the
//! metadata, from the options or, on a terminal, asked for.
//!
//! Invariants: the publisher exists and the dataset folder did not; every value written passed
//! the checks `check` applies (`metadata::check`); the descriptor's keys come in a fixed order
//! with 2-space indentation, so the same answers give the same bytes.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::metadata::{self, Context, ITEMS};
use super::prompt::{self, Answer};
use super::table::{self, Inspected};
use crate::catalog::dataset::Frequency;
use crate::catalog::{self, Catalog, Publisher};
use crate::error::Error;
use crate::pipeline::Outcome;

/// Options of `new dataset`.
#[derive(Debug, Clone, Default)]
pub struct NewDataset {
    /// The catalogue's source folder.
    pub source: PathBuf,
    /// The publisher's folder name or slug.
    pub publisher: String,
    /// The CSV file to publish.
    pub file: PathBuf,
    /// Metadata given as options, by option name (`--title` → value).
    pub given: BTreeMap<&'static str, String>,
    /// Take the defaults of optional metadata without asking.
    pub yes: bool,
}

/// Creates the dataset. Asks for missing metadata when stdin is a terminal; otherwise missing
/// required options are an error that names them all.
pub fn new_dataset(options: &NewDataset) -> Result<Outcome, Error> {
    if !options.file.is_file() {
        return Err(Error::read(
            &options.file,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    let loaded = catalog::load(&options.source)?;
    let catalog = loaded.catalog.ok_or_else(|| Error::NoCatalog {
        path: options.source.clone(),
    })?;
    let publisher = find_publisher(&catalog, &options.publisher)?;
    let shown = options
        .file
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_default();
    let inspected = table::inspect(&options.file, &shown)?;
    eprintln!("{}", describe(&inspected));
    let folder_exists = |id: &str| options.source.join(&publisher.folder).join(id).exists();
    let cx = Context {
        catalog: &catalog,
        publisher,
        folder_exists: &folder_exists,
    };
    let stem = options
        .file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("data");
    let interactive = std::io::stdin().is_terminal();
    let answers = gather(options, &cx, stem, interactive)?;
    let dir = options
        .source
        .join(&publisher.folder)
        .join(&answers["--id"]);
    let written = write_dataset(&dir, &options.file, &answers, &inspected)?;
    report(&dir, &written, &inspected, &options.source);
    Ok(Outcome::Clean)
}

fn find_publisher<'c>(catalog: &'c Catalog, name: &str) -> Result<&'c Publisher, Error> {
    let folder_name = |p: &Publisher| p.folder.file_name().and_then(|n| n.to_str()) == Some(name);
    catalog
        .publishers
        .values()
        .find(|p| p.slug.as_str() == name || folder_name(p))
        .ok_or_else(|| Error::UnknownPublisher {
            name: name.to_owned(),
            known: catalog
                .publishers
                .keys()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// "Today" for `modified`: `SOURCE_DATE_EPOCH`'s date when set (reproducible runs), else the
/// clock's — a scaffold writes source files for people to edit, not the site.
fn today() -> NaiveDate {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

/// Every item's value: given, asked for, or defaulted; `None` for skipped optional ones.
fn gather(
    options: &NewDataset,
    cx: &Context,
    stem: &str,
    interactive: bool,
) -> Result<BTreeMap<&'static str, String>, Error> {
    let today = today();
    let mut answers = BTreeMap::new();
    let mut missing = Vec::new();
    let (stdin, stderr) = (std::io::stdin(), std::io::stderr());
    for item in &ITEMS {
        let default = metadata::default(item.flag, cx, stem, today);
        let check = |v: &str| metadata::check(item.flag, v, cx);
        let given = options
            .given
            .get(item.flag)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty());
        let value = if let Some(value) = given {
            check(value).map_err(|why| invalid_option(item.flag, value, &why.en))?;
            Some(value.to_owned())
        } else if interactive && !(options.yes && (default.is_some() || !item.required)) {
            let allowed = metadata::allowed(item.flag);
            let answer = prompt::ask(
                &mut stdin.lock(),
                &mut stderr.lock(),
                item,
                default.as_deref(),
                allowed.as_deref(),
                &check,
            )
            .map_err(|e| Error::read("(stdin)", e))?;
            match answer {
                Answer::Value(v) => Some(v),
                Answer::Skipped => None,
                Answer::Ended => {
                    missing.push(item.flag);
                    None
                }
            }
        } else if let Some(value) = default {
            check(&value).map_err(|why| invalid_option(item.flag, &value, &why.en))?;
            Some(value)
        } else {
            if item.required {
                missing.push(item.flag);
            }
            None
        };
        if let Some(value) = value {
            answers.insert(item.flag, value);
        }
    }
    if !missing.is_empty() {
        return Err(Error::MissingOptions {
            flags: missing.join(", "),
        });
    }
    Ok(answers)
}

fn invalid_option(flag: &str, value: &str, expected: &str) -> Error {
    Error::InvalidOption {
        flag: flag.to_owned(),
        value: value.to_owned(),
        expected: expected.to_owned(),
    }
}

/// What the validator saw in the file, for the user (stderr).
fn describe(inspected: &Inspected) -> String {
    let columns: Vec<String> = inspected
        .fields
        .iter()
        .map(|f| {
            format!(
                "{} ({})",
                f["name"].as_str().unwrap_or(""),
                f["type"].as_str().unwrap_or("")
            )
        })
        .collect();
    format!(
        "read {} data row(s) in {}, delimiter `{}`; columns: {}",
        inspected.rows,
        inspected.encoding,
        char::from(inspected.delimiter).escape_default(),
        columns.join(", ")
    )
}

/// The copied file's name in `data/`: the original's, as a URL-safe slug.
fn data_file_name(file: &Path) -> (String, String) {
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("data");
    let name = catalog::slug::slugify(stem).unwrap_or_else(|| "data".to_owned());
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "csv".to_owned());
    (name.clone(), format!("{name}.{ext}"))
}

/// Writes the folder: the copy of the data file and `datapackage.json`. Returns the files made.
fn write_dataset(
    dir: &Path,
    file: &Path,
    answers: &BTreeMap<&'static str, String>,
    inspected: &Inspected,
) -> Result<Vec<PathBuf>, Error> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::DatasetExists {
                path: dir.to_path_buf(),
            })
        }
        Err(e) => return Err(Error::write(dir, e)),
    }
    let mut created = super::Created::new();
    created.made(dir);
    let (name, file_name) = data_file_name(file);
    let data = dir.join("data").join(&file_name);
    let bytes = std::fs::read(file).map_err(|e| Error::read(file, e))?;
    super::write(&data, &bytes)?;
    let resource = table::resource(&name, &format!("data/{file_name}"), inspected);
    let mut text = serde_json::to_string_pretty(&descriptor(answers, resource))
        .map_err(|e| Error::write(dir.join("datapackage.json"), std::io::Error::other(e)))?;
    text.push('\n');
    let descriptor_path = dir.join("datapackage.json");
    super::write(&descriptor_path, text.as_bytes())?;
    created.keep();
    Ok(vec![descriptor_path, data])
}

/// The `datapackage.json`, keys in the order people read them.
fn descriptor(answers: &BTreeMap<&'static str, String>, resource: Value) -> Value {
    let get = |flag: &str| answers.get(flag).cloned();
    let mut d = Map::new();
    d.insert(
        "$schema".into(),
        json!("https://datapackage.org/profiles/2.0/datapackage.json"),
    );
    d.insert("name".into(), json!(get("--id")));
    d.insert("title".into(), json!(get("--title")));
    d.insert("description".into(), json!(get("--description")));
    let keywords = get("--keywords")
        .map(|k| metadata::keywords(&k))
        .unwrap_or_default();
    if !keywords.is_empty() {
        d.insert("keywords".into(), json!(keywords));
    }
    if let Some(license) = get("--license") {
        d.insert("licenses".into(), json!([{"name": license}]));
    }
    d.insert("resources".into(), json!([resource]));
    let mut ext = Map::new();
    if let Some(title_en) = get("--title-en") {
        ext.insert("title_en".into(), json!(title_en));
    }
    let frequency = get("--frequency").and_then(|f| Frequency::parse(&f));
    ext.insert("frequency".into(), json!(frequency.map(Frequency::key)));
    ext.insert("issued".into(), json!(get("--modified")));
    ext.insert("modified".into(), json!(get("--modified")));
    if let Some(territory) = get("--territory") {
        ext.insert("spatial".into(), json!([territory]));
    }
    if let Some(code) = get("--resolution-835") {
        ext.insert("resolution_835".into(), json!(code));
    }
    d.insert("hromadata".into(), Value::Object(ext));
    Value::Object(d)
}

/// Tells what was made, what `check` will say about the data, and what to do next (stdout).
fn report(dir: &Path, written: &[PathBuf], inspected: &Inspected, source: &Path) {
    println!("created the dataset `{}`:", dir.display());
    for path in written {
        println!("  {}", path.display());
    }
    if !inspected.findings.is_empty() {
        println!(
            "the data has {} problem(s) that `hromadata check` will report; fix the file or the schema:",
            inspected.findings.len()
        );
        for f in inspected.findings.iter().take(10) {
            println!("{f}");
        }
    }
    println!();
    println!("next: give the columns titles (and constraints) in datapackage.json, then run");
    println!("  hromadata check --source {}", source.display());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_names_are_url_safe() {
        let cases = [
            ("Реєстр майна.csv", ("reiestr-maina", "reiestr-maina.csv")),
            ("budget.CSV", ("budget", "budget.csv")),
            ("noext", ("noext", "noext.csv")),
            ("!!!.tsv", ("data", "data.tsv")),
        ];
        for (file, (name, file_name)) in cases {
            let got = data_file_name(Path::new(file));
            assert_eq!(got, (name.to_owned(), file_name.to_owned()), "{file}");
        }
    }
}
