//! Stage 2, validate: checking one data row against the schema, with frictionless v5's
//! semantics — per cell: missing value, type, constraints; per row: missing and extra cells, blank
//! row (which replaces the row's other cell errors), unique fields, primary key (all-empty or
//! repeated), unique keys, foreign keys into the same table, duplicate rows. Keys are remembered
//! as fingerprints (`keys`).

use std::path::Path;

use regex::Regex;

use super::cell::{self, Value};
use super::keys::{fingerprint, Fingerprint, Seen};
use super::report::{Finding, Kind};
use crate::catalog::schema::{Field, Schema};

/// A field prepared for fast checking: regex compiled, bounds parsed.
struct Check<'s> {
    field: &'s Field,
    number: usize,
    missing: Vec<&'s str>,
    pattern: Option<Regex>,
    minimum: Option<(Value<'s>, bool)>,
    maximum: Option<(Value<'s>, bool)>,
    enumeration: Option<Vec<Value<'s>>>,
    unique: Option<Seen>,
}

/// A composite key: the fields it is made of and the keys seen.
struct Key {
    fields: Vec<usize>,
    seen: Seen,
    names: String,
}

/// A foreign key into the same table: referencing rows are checked once the table is read.
struct SelfReference {
    fields: Vec<usize>,
    reference: Vec<usize>,
    names: String,
    referenced: std::collections::HashSet<Fingerprint>,
    referencing: Vec<(u64, Fingerprint, String)>,
}

/// Checks rows of one table.
pub struct RowChecker<'s> {
    checks: Vec<Check<'s>>,
    primary: Option<Key>,
    unique_keys: Vec<Key>,
    self_refs: Vec<SelfReference>,
    duplicate_rows: Option<Seen>,
    shown: &'s Path,
}

fn prepare<'s>(
    schema: &'s Schema,
    null_sequence: Option<&'s str>,
    shown: &Path,
    findings: &mut Vec<Finding>,
) -> Vec<Check<'s>> {
    let mut out = Vec::with_capacity(schema.fields.len());
    for (i, field) in schema.fields.iter().enumerate() {
        let c = &field.constraints;
        let fmt = field.format.as_deref();
        let mut bound = |v: &'s Option<serde_json::Value>, exclusive: bool, what: &str| {
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
        let mut missing: Vec<&str> = field
            .missing_values
            .as_deref()
            .unwrap_or(&schema.missing_values)
            .iter()
            .map(String::as_str)
            .collect();
        missing.extend(null_sequence);
        out.push(Check {
            field,
            number: i + 1,
            missing,
            // Checked to compile when the schema was loaded.
            pattern: c
                .pattern
                .as_ref()
                .and_then(|p| Regex::new(&format!("^(?:{p})$")).ok()),
            minimum,
            maximum,
            enumeration,
            unique: c.unique.then(Seen::default),
        });
    }
    out
}

/// A key over `names`, or `None` when one of them is not among the checked fields (frictionless
/// then skips the key: the header already reports the missing column).
fn key(schema: &Schema, names: &[String]) -> Option<Key> {
    let fields: Option<Vec<usize>> = names.iter().map(|n| schema.index_of(n)).collect();
    Some(Key {
        fields: fields?,
        seen: Seen::default(),
        names: names.join(", "),
    })
}

impl<'s> RowChecker<'s> {
    /// Prepares checks for `schema`; problems with the schema's constraints go to `findings`.
    pub fn new(
        schema: &'s Schema,
        null_sequence: Option<&'s str>,
        duplicate_rows: bool,
        shown: &'s Path,
        findings: &mut Vec<Finding>,
    ) -> Self {
        let self_refs = schema
            .foreign_keys
            .iter()
            .filter(|fk| fk.resource.is_none())
            .map(|fk| SelfReference {
                fields: fk
                    .fields
                    .iter()
                    .filter_map(|n| schema.index_of(n))
                    .collect(),
                reference: fk
                    .reference_fields
                    .iter()
                    .filter_map(|n| schema.index_of(n))
                    .collect(),
                names: fk.fields.join(", "),
                referenced: Default::default(),
                referencing: Vec::new(),
            })
            .collect();
        RowChecker {
            checks: prepare(schema, null_sequence, shown, findings),
            primary: (!schema.primary_key.is_empty())
                .then(|| key(schema, &schema.primary_key))
                .flatten(),
            unique_keys: schema
                .unique_keys
                .iter()
                .filter_map(|k| key(schema, k))
                .collect(),
            self_refs,
            duplicate_rows: duplicate_rows.then(Seen::default),
            shown,
        }
    }

    /// Number of fields.
    pub fn width(&self) -> usize {
        self.checks.len()
    }

    /// Checks one row (`cells` as read, `row` its number with the header as row 1).
    pub fn check(&mut self, cells: &[&str], row: u64, out: &mut Vec<Finding>) {
        let start = out.len();
        let mut values: smallvec::SmallVec<[Option<Value>; 16]> =
            smallvec::SmallVec::with_capacity(self.checks.len());
        let mut blank = 0;
        let width = self.checks.len();
        for (i, c) in self.checks.iter().enumerate() {
            let value = match cells.get(i) {
                Some(text) => check_cell(c, text, row, self.shown, out),
                None => {
                    out.push(Finding::new(Kind::MissingCell, self.shown, format!("{width} cells, as many as the header")).row(row).field(c.field.name.clone(), Some(c.number)).hint("add the missing cells (empty ones are fine) so every row has as many cells as the header").uk(format!("{width} клітинок, як у заголовку"), Some("додайте клітинки, яких бракує (можна порожні), щоб у кожному рядку їх було стільки, скільки в заголовку".into())));
                    required(c, None, row, self.shown, out);
                    Ok(None)
                }
            };
            if let Ok(None) = value {
                blank += 1;
            }
            values.push(value.ok().flatten());
        }
        for (j, extra) in cells.iter().enumerate().skip(self.checks.len()) {
            out.push(
                Finding::new(
                    Kind::ExtraCell,
                    self.shown,
                    format!("{} cells, as many as the header", self.checks.len()),
                )
                .row(row)
                .field(format!("column {}", j + 1), Some(j + 1))
                .found(*extra)
                .hint("a value probably contains the delimiter: put it in double quotes")
                .uk(
                    format!("{} клітинок, як у заголовку", self.checks.len()),
                    Some(
                        "мабуть, значення містить роздільник: візьміть його в подвійні лапки"
                            .into(),
                    ),
                ),
            );
        }
        if blank == self.checks.len() {
            // frictionless: a blank row's only error is that it is blank.
            out.truncate(start);
            out.push(
                Finding::new(Kind::BlankRow, self.shown, "a row with values")
                    .row(row)
                    .hint("delete the empty row")
                    .uk(
                        "рядок зі значеннями",
                        Some("видаліть порожній рядок".into()),
                    ),
            );
        }
        self.check_keys(cells, &values, row, out);
    }

    fn check_keys(
        &mut self,
        cells: &[&str],
        values: &[Option<Value>],
        row: u64,
        out: &mut Vec<Finding>,
    ) {
        let part = |i: &usize| {
            (
                values.get(*i).and_then(Option::as_ref),
                cells.get(*i).copied().unwrap_or(""),
            )
        };
        for (i, c) in self.checks.iter_mut().enumerate() {
            let (Some(seen), Some(value)) = (&mut c.unique, values.get(i).and_then(Option::as_ref))
            else {
                continue;
            };
            if let Some(first) =
                seen.insert(fingerprint(std::iter::once((Some(value), cells[i]))), row)
            {
                out.push(Finding::new(Kind::UniqueError, self.shown, format!("a value not used in an earlier row: the field is unique (row {first} has it)")).row(row).field(c.field.name.clone(), Some(c.number)).found(cells[i]).hint("remove the duplicate row or correct the value").uk(format!("значення, якого ще не було: поле унікальне (воно є в рядку {first})"), Some("видаліть повторений рядок або виправте значення".into())));
            }
        }
        if let Some(pk) = &mut self.primary {
            if pk
                .fields
                .iter()
                .all(|i| values.get(*i).is_none_or(Option::is_none))
            {
                out.push(
                    Finding::new(
                        Kind::PrimaryKey,
                        self.shown,
                        format!("a value in the primary key ({})", pk.names),
                    )
                    .row(row)
                    .hint("fill in the key: every row needs one")
                    .uk(
                        format!("значення первинного ключа ({})", pk.names),
                        Some("заповніть ключ: він потрібен кожному рядку".into()),
                    ),
                );
            } else if let Some(first) = pk.seen.insert(fingerprint(pk.fields.iter().map(part)), row)
            {
                out.push(
                    Finding::new(
                        Kind::PrimaryKey,
                        self.shown,
                        format!(
                            "a primary key ({}) not used in an earlier row (row {first} has it)",
                            pk.names
                        ),
                    )
                    .row(row)
                    .found(key_text(&pk.fields, cells))
                    .hint("remove the duplicate row or correct the key")
                    .uk(
                        format!(
                            "первинний ключ ({}), якого ще не було (він є в рядку {first})",
                            pk.names
                        ),
                        Some("видаліть повторений рядок або виправте ключ".into()),
                    ),
                );
            }
        }
        for k in &mut self.unique_keys {
            if k.fields
                .iter()
                .all(|i| values.get(*i).is_none_or(Option::is_none))
            {
                continue;
            }
            if let Some(first) = k.seen.insert(fingerprint(k.fields.iter().map(part)), row) {
                out.push(
                    Finding::new(
                        Kind::UniqueError,
                        self.shown,
                        format!("a unique combination of {} (row {first} has it)", k.names),
                    )
                    .row(row)
                    .found(key_text(&k.fields, cells))
                    .hint("remove the duplicate row or correct the key")
                    .uk(
                        format!("унікальне поєднання {} (воно є в рядку {first})", k.names),
                        Some("видаліть повторений рядок або виправте ключ".into()),
                    ),
                );
            }
        }
        for r in &mut self.self_refs {
            if !r
                .reference
                .iter()
                .all(|i| values.get(*i).is_none_or(Option::is_none))
            {
                r.referenced
                    .insert(fingerprint(r.reference.iter().map(part)));
            }
            if !r
                .fields
                .iter()
                .all(|i| values.get(*i).is_none_or(Option::is_none))
            {
                r.referencing.push((
                    row,
                    fingerprint(r.fields.iter().map(part)),
                    key_text(&r.fields, cells),
                ));
            }
        }
        if let Some(seen) = &mut self.duplicate_rows {
            let texts: Vec<Value> = cells.iter().map(|c| Value::Text(c)).collect();
            if let Some(first) = seen.insert(
                fingerprint(texts.iter().zip(cells).map(|(v, c)| (Some(v), *c))),
                row,
            ) {
                out.push(
                    Finding::new(
                        Kind::DuplicateRow,
                        self.shown,
                        format!("a row that differs from the others (row {first} is the same)"),
                    )
                    .row(row)
                    .hint("delete the repeated row")
                    .uk(
                        format!("рядок, що не повторює інші (рядок {first} такий самий)"),
                        Some("видаліть повторений рядок".into()),
                    ),
                );
            }
        }
    }

    /// Findings that need the whole table: foreign keys into the same table.
    pub fn finish(&mut self, out: &mut Vec<Finding>) {
        for r in &mut self.self_refs {
            for (row, key, text) in &r.referencing {
                if !r.referenced.contains(key) {
                    out.push(
                        Finding::new(
                            Kind::ForeignKey,
                            self.shown,
                            format!(
                                "values of {} that exist in the referenced fields of this table",
                                r.names
                            ),
                        )
                        .row(*row)
                        .found(text.clone())
                        .hint("add the referenced row, or correct the value")
                        .uk(format!("значення {}, що є серед значень, на які посилається ключ, у цій таблиці", r.names), Some("додайте рядок, на який посилаються, або виправте значення".into())),
                    );
                }
            }
        }
    }
}

fn key_text(fields: &[usize], cells: &[&str]) -> String {
    fields
        .iter()
        .map(|i| cells.get(*i).copied().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn required(c: &Check, value: Option<&Value>, row: u64, shown: &Path, out: &mut Vec<Finding>) {
    if c.field.constraints.required && value.is_none() {
        out.push(
            Finding::new(
                Kind::ConstraintError,
                shown,
                "a value: the field is required",
            )
            .row(row)
            .field(c.field.name.clone(), Some(c.number))
            .hint("fill in the cell")
            .uk(
                "значення: поле обов’язкове",
                Some("заповніть клітинку".into()),
            ),
        );
    }
}

/// Checks one cell: `Ok(None)` for a missing value, `Ok(Some)` for a typed value, `Err` for a type error.
fn check_cell<'r>(
    c: &Check,
    text: &'r str,
    row: u64,
    shown: &Path,
    out: &mut Vec<Finding>,
) -> Result<Option<Value<'r>>, ()> {
    let f = c.field;
    let at = |kind, expected: String| {
        Finding::new(kind, shown, expected)
            .row(row)
            .field(f.name.clone(), Some(c.number))
            .found(text)
    };
    if c.missing.contains(&text) {
        required(c, None, row, shown, out);
        return Ok(None);
    }
    let Some(value) = cell::parse(&f.field_type, f.format.as_deref(), text) else {
        let (en, uk) = super::explain::describe_type(f);
        let mut finding = at(Kind::TypeError, en);
        let hint = super::explain::hint(&f.field_type, text);
        if let Some((h, _)) = &hint {
            finding = finding.hint(h.clone());
        }
        out.push(finding.uk(uk, hint.map(|(_, uk)| uk)));
        return Err(());
    };
    let mut broken =
        |expected: String, uk: String| out.push(at(Kind::ConstraintError, expected).uk(uk, None));
    if let Some(p) = &c.pattern {
        if !p.is_match(text) {
            let pattern = f.constraints.pattern.as_deref().unwrap_or_default();
            broken(
                format!("a value matching the pattern `{pattern}`"),
                format!("значення за шаблоном `{pattern}`"),
            );
        }
    }
    if let Some(min) = f.constraints.min_length {
        if value.length().is_some_and(|len| len < min) {
            broken(
                format!("at least {min} characters (or items)"),
                format!("щонайменше {min} символів (чи елементів)"),
            );
        }
    }
    if let Some(max) = f.constraints.max_length {
        if value.length().is_some_and(|len| len > max) {
            broken(
                format!("at most {max} characters (or items)"),
                format!("щонайбільше {max} символів (чи елементів)"),
            );
        }
    }
    if let Some((min, exclusive)) = &c.minimum {
        if value
            .compare(min)
            .is_none_or(|o| o.is_lt() || (*exclusive && o.is_eq()))
            && comparable(&value)
        {
            let (sign, bound) = (if *exclusive { ">" } else { "≥" }, shown_bound(min));
            broken(
                format!("a value {sign} {bound}"),
                format!("значення {sign} {bound}"),
            );
        }
    }
    if let Some((max, exclusive)) = &c.maximum {
        if value
            .compare(max)
            .is_none_or(|o| o.is_gt() || (*exclusive && o.is_eq()))
            && comparable(&value)
        {
            let (sign, bound) = (if *exclusive { "<" } else { "≤" }, shown_bound(max));
            broken(
                format!("a value {sign} {bound}"),
                format!("значення {sign} {bound}"),
            );
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
            broken(
                format!("one of: {}", list.join(", ")),
                format!("одне зі значень: {}", list.join(", ")),
            );
        }
    }
    Ok(Some(value))
}

/// Values that bounds apply to (NaN compares with nothing and so breaks any bound, as in frictionless).
fn comparable(v: &Value) -> bool {
    !matches!(v, Value::Items(_) | Value::Opaque(_) | Value::Bool(_))
}

fn shown_bound(v: &Value) -> String {
    match v {
        Value::Int(n) => n.to_string(),
        Value::Num(n) => n.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Year(y) => y.to_string(),
        Value::Text(t) => (*t).to_owned(),
        other => format!("{other:?}"),
    }
}
