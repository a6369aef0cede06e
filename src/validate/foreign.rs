//! Stage 2, validate: foreign keys between the resources of one package. The referenced
//! resource's key values are collected (typed, as fingerprints), then every referencing row is
//! looked up — frictionless' lookup tables. Keys into the same resource are checked during the
//! main pass instead (`rows`).

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use super::cell;
use super::keys::{fingerprint, Fingerprint};
use super::report::{Finding, Kind};
use super::standalone::Validation;
use super::table::{self, TableSpec};
use crate::catalog::dialect::Dialect;
use crate::catalog::schema::Schema;
use crate::error::Error;

/// A resource of the package, ready to read.
struct Source {
    name: String,
    path: std::path::PathBuf,
    schema: Schema,
    dialect: Dialect,
    encoding: Option<String>,
}

fn sources(package: &Value, base: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    for r in package
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let schema = match r.get("schema") {
            Some(Value::String(p)) => std::fs::read(base.join(p))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok()),
            Some(v) => Some(v.clone()),
            None => None,
        };
        let (Some(name), Some(path), Some(Ok(schema))) = (
            r.get("name").and_then(Value::as_str),
            r.get("path").and_then(Value::as_str),
            schema.as_ref().map(Schema::parse),
        ) else {
            continue;
        };
        out.push(Source {
            name: name.to_owned(),
            path: base.join(path),
            schema,
            dialect: r
                .get("dialect")
                .and_then(|d| Dialect::parse(d).ok())
                .unwrap_or_default(),
            encoding: r.get("encoding").and_then(Value::as_str).map(str::to_owned),
        });
    }
    out
}

/// Typed key fingerprints of `fields` for every row of `source` (`None` where all key cells are empty).
fn keys(
    source: &Source,
    fields: &[String],
) -> Result<Vec<(u64, Option<Fingerprint>, String)>, Error> {
    let idx: Vec<usize> = fields
        .iter()
        .filter_map(|f| source.schema.index_of(f))
        .collect();
    let spec = TableSpec {
        schema: Some(&source.schema),
        dialect: &source.dialect,
        encoding: source.encoding.as_deref(),
        duplicate_rows: false,
        with_md5: false,
        workers: 1,
        profile: false,
        keep_all_up_to: None,
    };
    let mut out = Vec::new();
    table::visit(&source.path, &spec, &mut |row, cells| {
        let values: Vec<Option<cell::Value>> = idx
            .iter()
            .map(|&i| {
                let f = &source.schema.fields[i];
                let text = cells.get(i).copied().unwrap_or("");
                let missing = f
                    .missing_values
                    .as_ref()
                    .unwrap_or(&source.schema.missing_values);
                if missing.iter().any(|m| m == text) {
                    None
                } else {
                    cell::parse(&f.field_type, f.format.as_deref(), text)
                }
            })
            .collect();
        let text: Vec<&str> = idx
            .iter()
            .map(|&i| cells.get(i).copied().unwrap_or(""))
            .collect();
        let fp = values
            .iter()
            .any(Option::is_some)
            .then(|| fingerprint(values.iter().zip(&text).map(|(v, t)| (v.as_ref(), *t))));
        out.push((row, fp, text.join(", ")));
    })
    .map_err(|e| Error::read(&source.path, e))?;
    Ok(out)
}

/// Checks every foreign key that names another resource of the package; adds findings to the
/// referencing resource's task.
pub fn check_package(
    package: &Value,
    base: &Path,
    validation: &mut Validation,
) -> Result<(), Error> {
    let sources = sources(package, base);
    for source in &sources {
        for fk in source
            .schema
            .foreign_keys
            .iter()
            .filter(|fk| fk.resource.as_deref().is_some_and(|r| r != source.name))
        {
            let target_name = fk.resource.as_deref().unwrap_or_default();
            let Some(target) = sources.iter().find(|s| s.name == target_name) else {
                if let Some(task) = validation.tasks.iter_mut().find(|t| t.name == source.name) {
                    task.findings.push(Finding::new(Kind::ForeignKey, &source.path, format!("a resource `{target_name}` in the package, as the foreign key on {} names", fk.fields.join(", "))));
                }
                continue;
            };
            let lookup: HashSet<Fingerprint> = keys(target, &fk.reference_fields)?
                .into_iter()
                .filter_map(|(_, fp, _)| fp)
                .collect();
            let missing: Vec<Finding> = keys(source, &fk.fields)?
                .into_iter()
                .filter_map(|(row, fp, text)| {
                    fp.filter(|fp| !lookup.contains(fp)).map(|_| (row, text))
                })
                .map(|(row, text)| {
                    Finding::new(
                        Kind::ForeignKey,
                        &source.path,
                        format!(
                            "values of {} that exist in `{target_name}` ({})",
                            fk.fields.join(", "),
                            fk.reference_fields.join(", ")
                        ),
                    )
                    .row(row)
                    .found(text)
                    .hint("add the referenced row to the other table, or correct the value")
                })
                .collect();
            if let Some(task) = validation.tasks.iter_mut().find(|t| t.name == source.name) {
                task.findings.extend(missing);
            }
        }
    }
    Ok(())
}
