//! Stage 2, validate: `hromadata validate PATH` — one file or descriptor judged on its own, the
//! way frictionless-py does: a CSV (schema given or inferred), or a JSON descriptor of a package,
//! a resource, a Table Schema or a dialect (its kind told by its keys). Returns a `Validation`
//! (frictionless v5's report shape: descriptor-level errors plus one task per resource); printing
//! it is `report_format`'s job.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::descriptor::{self, DescriptorKind};
use super::report::{Finding, Kind};
use super::table::{self, TableScan, TableSpec};
use crate::catalog::config::is_contained_relative;
use crate::catalog::dialect::Dialect;
use crate::catalog::schema::Schema;
use crate::checksum::{self, Digest};
use crate::error::Error;

/// What `hromadata validate` was asked.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub path: PathBuf,
    pub schema: Option<PathBuf>,
    pub encoding: Option<String>,
    pub delimiter: Option<u8>,
    pub no_header: bool,
    pub bytes: Option<u64>,
    pub hash: Option<String>,
    pub rows: Option<u64>,
    pub duplicate_rows: bool,
}

/// One validated resource.
#[derive(Debug, Clone)]
pub struct Task {
    pub name: String,
    /// The file as given or as named by the descriptor.
    pub place: String,
    /// `table` or `file`.
    pub kind: &'static str,
    pub labels: Vec<String>,
    pub findings: Vec<Finding>,
    pub omitted: u64,
    pub digest: Digest,
    pub rows: Option<u64>,
    pub fields: Option<usize>,
    /// The encoding the table was read with (declared or detected).
    pub encoding: Option<String>,
    /// The delimiter the table was read with (declared or sniffed).
    pub delimiter: Option<char>,
}

impl Task {
    /// True when the resource has no findings.
    pub fn valid(&self) -> bool {
        self.findings.is_empty() && self.omitted == 0
    }
}

/// The whole outcome: descriptor-level findings and tasks.
#[derive(Debug, Clone, Default)]
pub struct Validation {
    pub errors: Vec<Finding>,
    pub tasks: Vec<Task>,
}

impl Validation {
    /// True when nothing was found.
    pub fn valid(&self) -> bool {
        self.errors.is_empty() && self.tasks.iter().all(Task::valid)
    }
}

fn kind_of(error_type: &str) -> Kind {
    match error_type {
        "package-error" => Kind::PackageError,
        "resource-error" => Kind::ResourceError,
        "field-error" => Kind::FieldError,
        "dialect-error" => Kind::DialectError,
        _ => Kind::SchemaError,
    }
}

fn descriptor_findings(value: &Value, kind: DescriptorKind, shown: &Path) -> Vec<Finding> {
    descriptor::check(value, kind)
        .into_iter()
        .map(|e| {
            let mut f = Finding::new(kind_of(e.error_type), shown, e.note);
            if !e.pointer.is_empty() {
                f = f.field(e.pointer, None);
            }
            f
        })
        .collect()
}

/// Validates what `options.path` names.
pub fn validate(options: &Options) -> Result<Validation, Error> {
    let path = &options.path;
    if !path.is_file() {
        let why = if path.is_dir() {
            "it is a folder: name a CSV file or a JSON descriptor in it"
        } else if path.exists() {
            "it is not a regular file (a device or a pipe cannot be validated)"
        } else {
            "no such file"
        };
        return Err(Error::read(path, std::io::Error::other(why)));
    }
    if is_json(path)? {
        validate_descriptor(options)
    } else {
        validate_csv(options)
    }
}

fn is_json(path: &Path) -> Result<bool, Error> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return Ok(true);
    }
    let mut head = [0u8; 64];
    let n = std::io::Read::read(
        &mut std::fs::File::open(path).map_err(|e| Error::read(path, e))?,
        &mut head,
    )
    .map_err(|e| Error::read(path, e))?;
    Ok(
        head[..n].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
            && path
                .extension()
                .is_none_or(|e| !e.eq_ignore_ascii_case("csv")),
    )
}

fn read_json(path: &Path, kind: Kind) -> Result<Result<Value, Finding>, Error> {
    let text = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    // A byte-order mark (Notepad writes one) is not JSON, but nothing is wrong with the file.
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
    Ok(serde_json::from_slice(text).map_err(|e| {
        Finding::new(kind, path, "a JSON descriptor")
            .row(e.line() as u64)
            .found(e.to_string())
            .hint("check for a missing comma, quote or bracket near that line")
    }))
}

fn validate_csv(options: &Options) -> Result<Validation, Error> {
    let mut out = Validation::default();
    let schema = match &options.schema {
        None => None,
        Some(file) => match load_schema(file, &mut out.errors)? {
            Some(s) => Some(s),
            None => return Ok(out),
        },
    };
    let mut dialect = Dialect {
        delimiter: options.delimiter,
        ..Dialect::default()
    };
    if options.no_header {
        dialect.header = false;
        dialect.header_rows.clear();
    }
    let place = options.path.display().to_string();
    let name = resource_name(&options.path);
    let spec = TableSpec {
        schema: schema.as_ref(),
        dialect: &dialect,
        encoding: options.encoding.as_deref(),
        duplicate_rows: options.duplicate_rows,
        with_md5: wants_md5(options.hash.as_deref()),
        workers: table::workers_for(1),
        profile: false,
        keep_all_up_to: None,
    };
    let scan = table::scan(&options.path, &options.path, &spec)
        .map_err(|e| Error::read(&options.path, e))?;
    let mut task = table_task(name, place, scan, schema.as_ref());
    task.findings.extend(stats_findings(
        &task,
        options.bytes,
        options.hash.as_deref(),
        options.rows,
        &options.path,
    ));
    out.tasks.push(task);
    Ok(out)
}

/// Reads and checks a Table Schema file; `None` (with findings) when it is unusable.
fn load_schema(file: &Path, errors: &mut Vec<Finding>) -> Result<Option<Schema>, Error> {
    let value = match read_json(file, Kind::SchemaError)? {
        Ok(v) => v,
        Err(f) => {
            errors.push(f);
            return Ok(None);
        }
    };
    let found = descriptor_findings(&value, DescriptorKind::Schema, file);
    if !found.is_empty() {
        errors.extend(found);
        return Ok(None);
    }
    match Schema::parse(&value) {
        Ok(s) => Ok(Some(s)),
        Err(e) => {
            errors.push(Finding::new(Kind::SchemaError, file, e));
            Ok(None)
        }
    }
}

fn resource_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("resource");
    crate::catalog::slug::slugify(stem).unwrap_or_else(|| "resource".into())
}

fn wants_md5(hash: Option<&str>) -> bool {
    hash.is_some_and(|h| !h.starts_with("sha256:"))
}

fn table_task(name: String, place: String, scan: TableScan, schema: Option<&Schema>) -> Task {
    let fields = schema.or(scan.inferred.as_ref()).map(|s| s.fields.len());
    let encoding = (!scan.encoding.is_empty()).then(|| scan.encoding.clone());
    let delimiter = (scan.delimiter != 0).then_some(char::from(scan.delimiter));
    Task {
        name,
        place,
        kind: "table",
        labels: scan.header,
        findings: scan.findings,
        omitted: scan.omitted,
        digest: scan.digest,
        rows: Some(scan.rows),
        fields,
        encoding,
        delimiter,
    }
}

/// Declared size, hash and row count compared with the file's.
fn stats_findings(
    task: &Task,
    bytes: Option<u64>,
    hash: Option<&str>,
    rows: Option<u64>,
    shown: &Path,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(b) = bytes.filter(|b| *b != task.digest.bytes) {
        out.push(
            Finding::new(Kind::ByteCount, shown, format!("{b} bytes, as declared"))
                .found(format!("{} bytes", task.digest.bytes))
                .hint("the file changed since its size was recorded: update the declared size"),
        );
    }
    if let Some(h) = hash {
        let (algo, expected) = h.split_once(':').unwrap_or(("md5", h));
        let actual = match algo {
            "sha256" => Some(task.digest.sha256.as_str()),
            "md5" => task.digest.md5.as_deref(),
            _ => None,
        };
        if actual != Some(&expected.to_ascii_lowercase()) {
            out.push(
                Finding::new(
                    Kind::HashCount,
                    shown,
                    format!("{algo} {expected}, as declared"),
                )
                .found(actual.unwrap_or("(an unsupported algorithm: use sha256 or md5)"))
                .hint("the file changed since its hash was recorded: update the declared hash"),
            );
        }
    }
    if let (Some(r), Some(actual)) = (rows, task.rows) {
        if r != actual {
            out.push(
                Finding::new(Kind::RowCount, shown, format!("{r} rows, as declared"))
                    .found(format!("{actual} rows"))
                    .hint("update the declared row count"),
            );
        }
    }
    out
}

fn validate_descriptor(options: &Options) -> Result<Validation, Error> {
    let path = &options.path;
    let mut out = Validation::default();
    let value = match read_json(path, Kind::PackageError)? {
        Ok(v) => v,
        Err(f) => {
            out.errors.push(f);
            return Ok(out);
        }
    };
    // Told by its keys, else (like frictionless) by its file name.
    let kind = descriptor::detect_kind(&value).unwrap_or_else(|| kind_by_name(path));
    let findings = descriptor_findings(&value, kind, path);
    if !findings.is_empty() {
        out.errors = findings;
        return Ok(out);
    }
    let base = path.parent().unwrap_or(Path::new("."));
    match kind {
        DescriptorKind::Package => {
            use rayon::prelude::*;
            let resources: Vec<&Value> = value
                .get("resources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            // Resources are independent: validate them in parallel, keeping their order.
            let paths: Vec<std::path::PathBuf> = (resources.iter())
                .filter_map(|r| r.get("path").and_then(Value::as_str))
                .map(|p| base.join(p))
                .collect();
            let workers = table::workers_for(table::count_large(&paths));
            out.tasks = resources
                .par_iter()
                .map(|r| resource_task(r, base, options, workers))
                .collect::<Result<_, _>>()?;
            super::foreign::check_package(&value, base, &mut out)?;
        }
        DescriptorKind::Resource => {
            out.tasks
                .push(resource_task(&value, base, options, table::workers_for(1))?)
        }
        DescriptorKind::Schema | DescriptorKind::Dialect => {}
    }
    Ok(out)
}

/// A descriptor's kind from its file name: `…schema….json`, `…dialect…`, `…resource…`, else a package.
fn kind_by_name(path: &Path) -> DescriptorKind {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if name.contains("schema") {
        DescriptorKind::Schema
    } else if name.contains("dialect") {
        DescriptorKind::Dialect
    } else if name.contains("resource") {
        DescriptorKind::Resource
    } else {
        DescriptorKind::Package
    }
}

/// Validates one resource described by `r`, its paths relative to `base`.
fn resource_task(r: &Value, base: &Path, options: &Options, workers: usize) -> Result<Task, Error> {
    let name = r
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("resource")
        .to_owned();
    let rel = r.get("path").and_then(Value::as_str).unwrap_or_default();
    let mut task = Task {
        name,
        place: rel.to_owned(),
        kind: "file",
        labels: Vec::new(),
        findings: Vec::new(),
        omitted: 0,
        digest: Digest::default(),
        rows: None,
        fields: None,
        encoding: None,
        delimiter: None,
    };
    let file = base.join(rel);
    if rel.contains("://") || !is_contained_relative(Path::new(rel)) || !file.is_file() {
        let why = if rel.contains("://") {
            "a local file (remote resources are not fetched)"
        } else {
            "an existing file inside the descriptor's folder"
        };
        task.findings
            .push(Finding::new(Kind::SourceError, &file, why).found(rel));
        return Ok(task);
    }
    let mut errors = Vec::new();
    let schema = match r.get("schema") {
        None => None,
        Some(Value::String(p)) => load_schema(&base.join(p), &mut errors)?,
        Some(v) => Schema::parse(v)
            .map_err(|e| errors.push(Finding::new(Kind::SchemaError, &file, e)))
            .ok(),
    };
    let dialect = r
        .get("dialect")
        .map_or_else(|| Ok(Dialect::default()), Dialect::parse)
        .unwrap_or_else(|e| {
            errors.push(Finding::new(Kind::DialectError, &file, e));
            Dialect::default()
        });
    if !errors.is_empty() {
        task.findings = errors;
        return Ok(task);
    }
    let declared_hash = r.get("hash").and_then(Value::as_str);
    let format = r
        .get("format")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .or_else(|| {
            file.extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
        });
    if schema.is_some()
        || matches!(format.as_deref(), Some("csv" | "tsv" | "txt"))
        || r.get("dialect").is_some()
    {
        let spec = TableSpec {
            schema: schema.as_ref(),
            dialect: &dialect,
            encoding: r.get("encoding").and_then(Value::as_str),
            duplicate_rows: options.duplicate_rows,
            with_md5: wants_md5(declared_hash),
            workers,
            profile: false,
            keep_all_up_to: None,
        };
        let scan = table::scan(&file, &file, &spec).map_err(|e| Error::read(&file, e))?;
        task = Task {
            name: task.name,
            place: task.place,
            ..table_task(String::new(), String::new(), scan, schema.as_ref())
        };
    } else {
        task.digest = checksum::digest_file(&file, wants_md5(declared_hash))
            .map_err(|e| Error::read(&file, e))?;
    }
    let bytes = r.get("bytes").and_then(Value::as_u64);
    let stats = stats_findings(&task, bytes, declared_hash, None, &file);
    task.findings.extend(stats);
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_file_is_named_for_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let why = |path: &Path| {
            let options = Options {
                path: path.to_path_buf(),
                ..Default::default()
            };
            let err = validate(&options).unwrap_err();
            std::error::Error::source(&err).unwrap().to_string()
        };
        assert!(why(dir.path()).contains("it is a folder"));
        assert_eq!(why(&dir.path().join("none.csv")), "no such file");
    }
}
