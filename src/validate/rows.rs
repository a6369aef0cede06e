//! Stage 2, validate: checking one data row against the schema, with frictionless v5's
//! semantics — per cell: missing value, type, constraints; per row: missing and extra cells, blank
//! row (which replaces the row's other cell errors), unique fields, primary key (all-empty or
//! repeated), unique keys, foreign keys into the same table, duplicate rows. Keys are remembered
//! as fingerprints (`keys`).

use std::path::Path;

use super::cell::{self, Value};
use super::report::{Finding, Kind};
use super::rowkeys::{KeyPlan, Lookup};
use crate::catalog::schema::{Field, Schema};

/// A field prepared for fast checking: regex compiled, bounds parsed.
#[derive(Clone)]
struct Check<'s> {
    field: &'s Field,
    number: usize,
    missing: Vec<&'s str>,
    pattern: Option<super::pattern::Pattern>,
    minimum: Option<(Value<'s>, bool)>,
    maximum: Option<(Value<'s>, bool)>,
    enumeration: Option<Vec<Value<'s>>>,
}

/// Checks rows of one table. Immutable once prepared, so several threads may share it (each
/// checking thread works on a clone: a compiled pattern is fastest on the thread that owns it);
/// the key lookups it queues are made by `rowkeys::KeyTables`, in row order.
#[derive(Clone)]
pub struct RowChecker<'s> {
    checks: Vec<Check<'s>>,
    keys: KeyPlan,
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
                .and_then(|p| super::pattern::Pattern::compiled(p)),
            minimum,
            maximum,
            enumeration,
        });
    }
    out
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
        RowChecker {
            checks: prepare(schema, null_sequence, shown, findings),
            keys: KeyPlan::new(schema, duplicate_rows),
            shown,
        }
    }

    /// The table's keys, to make the lookups `check` queues.
    pub(super) fn keys(&self) -> &KeyPlan {
        &self.keys
    }

    /// True when `text` is a missing value of the field at `index` (for the column profile,
    /// which tells empty cells from type errors).
    pub(super) fn is_missing(&self, index: usize, text: &str) -> bool {
        self.checks
            .get(index)
            .is_some_and(|c| c.missing.contains(&text))
    }

    /// Checks one row (`cells` as read, `row` its number with the header as row 1, `at` its
    /// place in its batch); its key lookups go to `lookups`.
    /// `values` is scratch space the caller reuses from row to row.
    pub(super) fn check<'b>(
        &self,
        cells: &[&'b str],
        (row, at): (u64, usize),
        (out, lookups): (&mut Vec<Finding>, &mut Vec<Lookup>),
        values: &mut Vec<Option<Value<'b>>>,
    ) {
        let start = out.len();
        values.clear();
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
        // At most `MAX_FINDINGS` per row (no more are kept): a row of a million delimiters
        // would otherwise make a million findings to throw away.
        let extras = cells.iter().enumerate().skip(self.checks.len());
        for (j, extra) in extras.take(super::table::MAX_FINDINGS) {
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
        self.keys.queue(cells, values, row, at, lookups);
    }
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
// Inlined with `cell::parse` into the row loop: the typed value then stays out of memory
// (measured: 3-4 % less CPU on the benchmark's package).
#[inline(always)]
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
