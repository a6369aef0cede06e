//! Load stage: charts a dataset declares, in the Frictionless Data Views form (`views` at the
//! package level). Only the "simple" spec is read: a bar or line chart of one or more numeric
//! series (`series`) by the values of one field (`group`) of one tabular resource:
//!
//! ```json
//! "views": [{"name": "revenues-by-year", "title": "Доходи за роками",
//!            "title_en": "Revenues by year", "resources": ["budget-revenues"],
//!            "specType": "simple",
//!            "spec": {"type": "bar", "group": "year", "series": ["income_own", "income_transfert"]}}]
//! ```
//!
//! Invariants of a returned `View`: its resource exists and has a schema, its group field
//! exists, and every series is an `integer` or `number` field. A declaration that breaks one is
//! left out with a finding located at the descriptor and the key (`views[0].spec.series[1]`).

use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

use super::config::LocalText;
use super::dataset::Resource;
use super::schema::FieldType;
use crate::validate::report::{Finding, Kind};

/// Groups (bars or points along the x axis) one chart may show: more would not be readable.
pub const MAX_GROUPS: usize = 60;

/// Series one chart may draw: each needs a colour and a pattern of its own.
pub const MAX_SERIES: usize = 6;

/// How a chart draws its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Bars side by side in each group.
    Bar,
    /// One line (with markers) per series.
    Line,
}

/// A chart declared by a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    pub name: String,
    pub title: LocalText,
    /// Index of the resource in the dataset.
    pub resource: usize,
    pub kind: ChartKind,
    /// The field whose values label the groups (the x axis).
    pub group: String,
    /// The numeric fields drawn.
    pub series: Vec<String>,
}

/// Reads `views`; problems become findings located at `shown`.
pub fn parse(
    obj: &Map<String, Value>,
    resources: &[Resource],
    shown: &Path,
) -> (Vec<View>, Vec<Finding>) {
    let mut findings = Vec::new();
    let views = match obj.get("views") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match read(v, resources) {
                Ok(view) => Some(view),
                Err((key, expected, found)) => {
                    let key = format!("views[{i}]{key}");
                    let mut f = Finding::new(Kind::PackageError, shown, expected).field(key, None);
                    if let Some(found) = found {
                        f = f.found(found);
                    }
                    findings.push(f.hint(
                        "see README, “Charts”: a simple bar or line chart of numeric fields",
                    ));
                    None
                }
            })
            .collect(),
        Some(other) => {
            findings.push(
                Finding::new(Kind::PackageError, shown, "a list of views")
                    .field("views", None)
                    .found(other.to_string()),
            );
            Vec::new()
        }
    };
    (views, findings)
}

/// A problem: the key under the view, what was expected, what was found.
type Problem = (String, String, Option<String>);

fn problem(key: &str, expected: impl Into<String>, found: Option<&Value>) -> Problem {
    let found = found.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
    (key.to_owned(), expected.into(), found)
}

fn text<'v>(o: &'v Map<String, Value>, key: &str, label: &str) -> Result<&'v str, Problem> {
    match o.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        other => Err(problem(label, "a non-empty text", other)),
    }
}

fn read(v: &Value, resources: &[Resource]) -> Result<View, Problem> {
    let o = v
        .as_object()
        .ok_or_else(|| problem("", "an object", Some(v)))?;
    let name = text(o, "name", ".name")?.to_owned();
    let title = LocalText {
        uk: text(o, "title", ".title")?.to_owned(),
        en: o.get("title_en").and_then(Value::as_str).map(str::to_owned),
    };
    match o.get("specType") {
        Some(Value::String(s)) if s == "simple" => {}
        other => {
            return Err(problem(
                ".specType",
                "\"simple\" (the only spec type drawn)",
                other,
            ))
        }
    }
    let names = match o.get("resources") {
        Some(Value::Array(a)) if a.len() == 1 => a[0].as_str(),
        _ => None,
    };
    let resource_name = names.ok_or_else(|| {
        problem(
            ".resources",
            "a list of one resource name",
            o.get("resources"),
        )
    })?;
    let resource = resources
        .iter()
        .position(|r| r.name == resource_name)
        .ok_or_else(|| {
            problem(
                ".resources[0]",
                "the name of a resource of this dataset",
                o.get("resources").and_then(|r| r.get(0)),
            )
        })?;
    let schema = resources[resource].schema.as_ref().ok_or_else(|| {
        problem(
            ".resources[0]",
            "a tabular resource with a schema",
            o.get("resources").and_then(|r| r.get(0)),
        )
    })?;
    let spec = o.get("spec").and_then(Value::as_object).ok_or_else(|| {
        problem(
            ".spec",
            "an object with `type`, `group` and `series`",
            o.get("spec"),
        )
    })?;
    let kind = match spec.get("type").and_then(Value::as_str) {
        Some("bar") => ChartKind::Bar,
        Some("line") => ChartKind::Line,
        _ => {
            return Err(problem(
                ".spec.type",
                "\"bar\" or \"line\"",
                spec.get("type"),
            ))
        }
    };
    let group = text(spec, "group", ".spec.group")?;
    if !schema.fields.iter().any(|f| f.name == group) {
        return Err(problem(
            ".spec.group",
            "the name of a field of the resource",
            spec.get("group"),
        ));
    }
    let Some(Value::Array(items)) = spec.get("series") else {
        return Err(problem(
            ".spec.series",
            "a list of numeric field names",
            spec.get("series"),
        ));
    };
    if items.is_empty() || items.len() > MAX_SERIES {
        let expected = format!("1 to {MAX_SERIES} series");
        return Err(problem(".spec.series", expected, spec.get("series")));
    }
    let mut series = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = format!(".spec.series[{i}]");
        let field = item
            .as_str()
            .and_then(|n| schema.fields.iter().find(|f| f.name == n))
            .ok_or_else(|| problem(&key, "the name of a field of the resource", Some(item)))?;
        if !matches!(
            field.field_type,
            FieldType::Integer { .. } | FieldType::Number { .. }
        ) {
            let found = format!("{} ({})", field.name, field.field_type.name());
            return Err(problem(
                &key,
                "an `integer` or `number` field",
                Some(&Value::String(found)),
            ));
        }
        series.push(field.name.clone());
    }
    Ok(View {
        name,
        title,
        resource,
        kind,
        group: group.to_owned(),
        series,
    })
}
