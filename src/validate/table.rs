//! Stage 2, validate: the streaming pass over one tabular resource. The file is read exactly
//! once, through `checksum::HashingReader`, so structure, types, constraints, unique and primary
//! keys, the SHA-256 and the byte count all come from the same read. Memory stays flat in the file
//! size apart from the sets of key values.

use std::collections::HashSet;
use std::io::{self, BufReader};
use std::path::Path;

use regex::Regex;

use super::cell::{self, Value};
use super::report::{Finding, Kind};
use super::structure::{header, QuoteTracker, Quoting};
use crate::catalog::package::Resource;
use crate::catalog::schema::{Field, FieldType, Schema};
use crate::checksum::{self, Digest, HashingReader};

/// Rows kept for the page's preview.
pub const PREVIEW_ROWS: usize = 20;
/// Findings kept per resource; the rest are counted.
pub const MAX_FINDINGS: usize = 1000;

/// What one pass over a table found.
#[derive(Debug, Clone, Default)]
pub struct TableScan {
    pub digest: Digest,
    /// Data rows (the header not counted).
    pub rows: u64,
    pub header: Vec<String>,
    pub preview: Vec<Vec<String>>,
    pub findings: Vec<Finding>,
    /// Findings beyond `MAX_FINDINGS`, counted but not kept.
    pub omitted: u64,
    /// Row number of the last record read (the header is row 1).
    pub last_row: u64,
}

impl TableScan {
    pub(super) fn push(&mut self, finding: Finding) {
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(finding);
        } else {
            self.omitted += 1;
        }
    }
}

/// A field prepared for fast checking: regex compiled, bounds parsed.
pub(super) struct Check<'a> {
    pub(super) field: &'a Field,
    pub(super) number: usize,
    missing: &'a [String],
    pattern: Option<Regex>,
    minimum: Option<(Value, bool)>,
    maximum: Option<(Value, bool)>,
    enumeration: Option<Vec<Value>>,
    seen: Option<HashSet<String>>,
}

fn prepare<'a>(schema: &'a Schema, shown: &Path, findings: &mut Vec<Finding>) -> Vec<Check<'a>> {
    schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let c = &field.constraints;
            let fmt = field.format.as_deref();
            let mut bound = |v: &Option<serde_json::Value>, exclusive: bool, what: &str| {
                let v = v.as_ref()?;
                let parsed = cell::bound(&field.field_type, fmt, v);
                if parsed.is_none() {
                    findings.push(
                        Finding::new(
                            Kind::SchemaError,
                            shown,
                            format!(
                                "`constraints.{what}` written as a {} value",
                                field.field_type.name()
                            ),
                        )
                        .field(&field.name, Some(i + 1))
                        .found(v.to_string()),
                    );
                }
                parsed.map(|p| (p, exclusive))
            };
            let minimum = bound(&c.exclusive_minimum, true, "exclusiveMinimum")
                .or_else(|| bound(&c.minimum, false, "minimum"));
            let maximum = bound(&c.exclusive_maximum, true, "exclusiveMaximum")
                .or_else(|| bound(&c.maximum, false, "maximum"));
            let enumeration = c.enumeration.as_ref().map(|items| {
                items
                    .iter()
                    .filter_map(|v| match v {
                        serde_json::Value::String(s) => cell::parse(&field.field_type, fmt, s),
                        other => cell::bound(&field.field_type, fmt, other),
                    })
                    .collect()
            });
            Check {
                field,
                number: i + 1,
                missing: field
                    .missing_values
                    .as_deref()
                    .unwrap_or(&schema.missing_values),
                // Already checked to compile when the schema was loaded.
                pattern: c
                    .pattern
                    .as_ref()
                    .and_then(|p| Regex::new(&format!("^(?:{p})$")).ok()),
                minimum,
                maximum,
                enumeration,
                seen: (c.unique
                    || (schema.primary_key.len() == 1 && schema.primary_key[0] == field.name))
                    .then(HashSet::new),
            }
        })
        .collect()
}

/// A canonical form of a value for key comparison: `1`, `01` and `+1` are the same integer.
fn key_text(value: &Option<Value>, text: &str) -> String {
    match value {
        Some(Value::Int(n)) => n.to_string(),
        Some(Value::Num(n)) => n.to_string(),
        _ => text.to_owned(),
    }
}

/// Scans the tabular resource at `path` (shown in findings as `shown`).
pub fn scan(path: &Path, shown: &Path, resource: &Resource) -> io::Result<TableScan> {
    let file = std::fs::File::open(path)?;
    let with_md5 = matches!(
        resource.declared_hash,
        Some(crate::catalog::package::DeclaredHash::Md5(_))
    );
    let mut hashing =
        HashingReader::new(BufReader::with_capacity(checksum::BUFFER, file), with_md5);
    let mut scan = TableScan::default();
    let d = &resource.dialect;
    let mut tracker = QuoteTracker {
        inner: &mut hashing,
        quote: d.quote_char,
        delimiter: d.delimiter,
        state: Quoting::FieldStart,
        records: 0,
        first_nul: None,
    };
    {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(resource.dialect.delimiter)
            .quote(resource.dialect.quote_char)
            .double_quote(resource.dialect.double_quote)
            .buffer_capacity(64 * 1024)
            .from_reader(&mut tracker);
        read_rows(&mut reader, shown, resource, &mut scan);
    }
    if let Some(record) = tracker.first_nul {
        scan.push(
            Finding::new(Kind::SourceError, shown, "text without NUL bytes")
                .row(record + 1)
                .hint("the file is binary or was saved in UTF-16: export it again as CSV in UTF-8"),
        );
    }
    if tracker.state == Quoting::Quoted {
        // The parser put everything after the open quote into one cell: report the quote, not the
        // symptoms it caused in the last row.
        let last = scan.last_row;
        scan.findings.retain(|f| f.row != Some(last));
        scan.push(
            Finding::new(Kind::SourceError, shown, "a closing quote (\") for the value that starts with one")
                .row(last)
                .hint("a value opens a double quote that is never closed: close it, or double the quote inside the value (\"\")"),
        );
    }
    scan.digest = hashing.finish()?;
    Ok(scan)
}

fn text_of(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

fn read_rows<R: io::Read>(
    reader: &mut csv::Reader<R>,
    shown: &Path,
    resource: &Resource,
    scan: &mut TableScan,
) {
    let inferred;
    let schema = match &resource.schema {
        Some(s) => s,
        None => {
            inferred = Schema {
                fields: Vec::new(),
                missing_values: vec![String::new()],
                primary_key: Vec::new(),
                unique_keys: Vec::new(),
                foreign_keys: Vec::new(),
            };
            &inferred
        }
    };
    let mut prep_findings = Vec::new();
    let mut checks = prepare(schema, shown, &mut prep_findings);
    prep_findings.into_iter().for_each(|f| scan.push(f));
    let mut keys: Vec<(Vec<usize>, HashSet<String>, Kind)> = Vec::new();
    if schema.primary_key.len() > 1 {
        keys.push((
            schema
                .primary_key
                .iter()
                .filter_map(|n| schema.index_of(n))
                .collect(),
            HashSet::new(),
            Kind::PrimaryKey,
        ));
    }
    for k in &schema.unique_keys {
        keys.push((
            k.iter().filter_map(|n| schema.index_of(n)).collect(),
            HashSet::new(),
            Kind::UniqueError,
        ));
    }
    let pk_single = (schema.primary_key.len() == 1).then(|| schema.primary_key[0].clone());
    let mut record = csv::ByteRecord::new();
    let mut row: u64 = 0;
    let mut width = checks.len();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(row + 1, |p| p.line());
                scan.push(
                    Finding::new(Kind::SourceError, shown, "a well-formed CSV file")
                        .row(line)
                        .found(e.to_string()),
                );
                break;
            }
        }
        row += 1;
        scan.last_row = row;
        if row == 1 && resource.dialect.header {
            width = header(&record, &checks, shown, scan);
            if checks.is_empty() {
                width = scan.header.len();
            }
            continue;
        }
        scan.rows += 1;
        check_row(
            &record,
            row,
            width,
            &mut checks,
            &mut keys,
            pk_single.as_deref(),
            shown,
            scan,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn check_row(
    record: &csv::ByteRecord,
    row: u64,
    width: usize,
    checks: &mut [Check],
    keys: &mut [(Vec<usize>, HashSet<String>, Kind)],
    pk_single: Option<&str>,
    shown: &Path,
    scan: &mut TableScan,
) {
    if record.iter().all(|c| c.is_empty()) {
        scan.push(
            Finding::new(Kind::BlankRow, shown, "a row with values")
                .row(row)
                .hint("delete the empty row"),
        );
        return;
    }
    let mut texts: Vec<&str> = Vec::with_capacity(record.len());
    for (i, bytes) in record.iter().enumerate() {
        match text_of(bytes) {
            Some(t) => texts.push(t),
            None => {
                let name = checks
                    .get(i)
                    .map_or_else(|| format!("column {}", i + 1), |c| c.field.name.clone());
                scan.push(
                    Finding::new(Kind::EncodingError, shown, "UTF-8 text")
                        .row(row)
                        .field(name, Some(i + 1))
                        .found(String::from_utf8_lossy(bytes).into_owned())
                        .hint("the file is probably Windows-1251 (an Excel export): save it as “CSV UTF-8” or declare its encoding"),
                );
                return;
            }
        }
    }
    if scan.preview.len() < PREVIEW_ROWS {
        scan.preview
            .push(texts.iter().map(|t| (*t).to_owned()).collect());
    }
    if texts.len() > width {
        scan.push(
            Finding::new(
                Kind::ExtraCell,
                shown,
                format!("{width} cells, as many as the header"),
            )
            .row(row)
            .field(format!("column {}", width + 1), Some(width + 1))
            .found(texts[width].to_owned())
            .hint("a value probably contains the delimiter: put it in double quotes"),
        );
    }
    let mut values: Vec<Option<Value>> = Vec::with_capacity(checks.len());
    for (i, c) in checks.iter_mut().enumerate() {
        let Some(text) = texts.get(i).copied() else {
            scan.push(Finding::new(Kind::MissingCell, shown, format!("{width} cells, as many as the header")).row(row).field(c.field.name.clone(), Some(c.number)).hint("add the missing cells (empty ones are fine) so every row has as many cells as the header"));
            values.push(None);
            continue;
        };
        values.push(check_cell(c, text, row, pk_single, shown, scan));
    }
    for (fields, seen, kind) in keys.iter_mut() {
        if fields
            .iter()
            .all(|&i| texts.get(i).is_some_and(|t| t.is_empty()))
            && *kind == Kind::UniqueError
        {
            continue;
        }
        let key: Vec<String> = fields
            .iter()
            .map(|&i| {
                key_text(
                    values.get(i).unwrap_or(&None),
                    texts.get(i).copied().unwrap_or(""),
                )
            })
            .collect();
        let key = key.join("\u{1f}");
        if !seen.insert(key.clone()) {
            let names: Vec<&str> = fields
                .iter()
                .filter_map(|&i| checks.get(i).map(|c| c.field.name.as_str()))
                .collect();
            scan.push(
                Finding::new(
                    *kind,
                    shown,
                    format!("a unique combination of {}", names.join(", ")),
                )
                .row(row)
                .found(key.replace('\u{1f}', ", "))
                .hint("remove the duplicate row or correct the key"),
            );
        }
    }
}

fn check_cell(
    c: &mut Check,
    text: &str,
    row: u64,
    pk_single: Option<&str>,
    shown: &Path,
    scan: &mut TableScan,
) -> Option<Value> {
    let f = c.field;
    let at = |kind, expected: String| {
        Finding::new(kind, shown, expected)
            .row(row)
            .field(f.name.clone(), Some(c.number))
    };
    let is_pk = pk_single == Some(f.name.as_str());
    if c.missing.iter().any(|m| m == text) {
        if f.constraints.required || is_pk {
            let kind = if is_pk {
                Kind::PrimaryKey
            } else {
                Kind::ConstraintError
            };
            scan.push(
                at(kind, "a value: the field is required".into())
                    .found(text.to_owned())
                    .hint("fill in the cell"),
            );
        }
        return None;
    }
    let Some(value) = cell::parse(&f.field_type, f.format.as_deref(), text) else {
        let mut finding = at(Kind::TypeError, describe_type(f)).found(text.to_owned());
        if let Some(h) = cell::hint(&f.field_type, text) {
            finding = finding.hint(h);
        }
        scan.push(finding);
        return None;
    };
    let mut broken =
        |expected: String| scan.push(at(Kind::ConstraintError, expected).found(text.to_owned()));
    if let Some(p) = &c.pattern {
        if !p.is_match(text) {
            broken(format!(
                "a value matching the pattern `{}`",
                f.constraints.pattern.as_deref().unwrap_or_default()
            ));
        }
    }
    if let (Some(min), Some(len)) = (f.constraints.min_length, value.length()) {
        if len < min {
            broken(format!("at least {min} characters"));
        }
    }
    if let (Some(max), Some(len)) = (f.constraints.max_length, value.length()) {
        if len > max {
            broken(format!("at most {max} characters"));
        }
    }
    if let Some((min, exclusive)) = &c.minimum {
        if value
            .compare(min)
            .is_some_and(|o| o.is_lt() || (*exclusive && o.is_eq()))
        {
            broken(format!(
                "a value {} {}",
                if *exclusive { ">" } else { "≥" },
                shown_bound(min)
            ));
        }
    }
    if let Some((max, exclusive)) = &c.maximum {
        if value
            .compare(max)
            .is_some_and(|o| o.is_gt() || (*exclusive && o.is_eq()))
        {
            broken(format!(
                "a value {} {}",
                if *exclusive { "<" } else { "≤" },
                shown_bound(max)
            ));
        }
    }
    if let Some(allowed) = &c.enumeration {
        if !allowed
            .iter()
            .any(|a| a == &value || a.compare(&value).is_some_and(|o| o.is_eq()))
        {
            let list: Vec<String> = f
                .constraints
                .enumeration
                .iter()
                .flatten()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            broken(format!("one of: {}", list.join(", ")));
        }
    }
    if let Some(seen) = &mut c.seen {
        if !seen.insert(key_text(&Some(value.clone()), text)) {
            let kind = if is_pk {
                Kind::PrimaryKey
            } else {
                Kind::UniqueError
            };
            scan.push(
                at(
                    kind,
                    "a value not used in an earlier row (the field is unique)".into(),
                )
                .found(text.to_owned())
                .hint("remove the duplicate row or correct the value"),
            );
        }
    }
    Some(value)
}

fn shown_bound(v: &Value) -> String {
    match v {
        Value::Int(n) => n.to_string(),
        Value::Num(n) => n.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Year(y) => y.to_string(),
        other => format!("{other:?}"),
    }
}

/// "an integer", "a date as YYYY-MM-DD"… for type errors.
fn describe_type(f: &Field) -> String {
    let fmt = f.format.as_deref().filter(|x| *x != "default");
    match (&f.field_type, fmt) {
        (FieldType::Integer { .. }, _) => "a whole number (integer)".into(),
        (FieldType::Number { decimal_char, .. }, _) => {
            format!("a number with `{decimal_char}` as the decimal mark")
        }
        (FieldType::Boolean { .. }, _) => "a yes/no value (boolean)".into(),
        (FieldType::Date, Some(p)) => format!("a date in the format `{p}`"),
        (FieldType::Date, None) => "a date as YYYY-MM-DD".into(),
        (FieldType::Datetime, _) => "a date and time as YYYY-MM-DDThh:mm:ss".into(),
        (FieldType::Time, _) => "a time as hh:mm:ss".into(),
        (FieldType::Year, _) => "a year, e.g. 2026".into(),
        (FieldType::Yearmonth, _) => "a year and month as YYYY-MM".into(),
        (FieldType::String, Some(format)) => format!("a string in the `{format}` format"),
        (t, _) => format!("a value of type `{}`", t.name()),
    }
}
