//! Stage 2, validate (reading): territory facts from the datasets that declare themselves their
//! source (`catalog::profile`), read with the validator's own engine (`table::visit`: same
//! encoding, dialect and row handling). Invariant: a fact comes from exactly one dataset — the
//! first by dataset id that has a value for it — and empty or `NA` cells are no facts.

use std::collections::BTreeMap;

use serde::Serialize;

use super::table::{self, TableSpec};
use crate::catalog::ids::{DatasetId, KatottgCode};
use crate::catalog::profile::Fact;
use crate::catalog::Catalog;
use crate::Error;

/// One fact about a territory and the dataset it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactValue {
    pub fact: Fact,
    pub value: String,
    pub dataset: DatasetId,
}

/// Facts by territory, each list in `Fact` order.
pub type Facts = BTreeMap<KatottgCode, Vec<FactValue>>;

/// Reads the facts of every dataset that declares a profile.
pub fn read(catalog: &Catalog) -> Result<Facts, Error> {
    let mut facts = Facts::new();
    for d in catalog.datasets.values() {
        let Some(profile) = &d.profile else { continue };
        let Some(r) = d.resources.get(profile.resource) else {
            continue;
        };
        let Some(schema) = r.schema.as_ref() else {
            continue;
        };
        let Some(code_at) = schema.index_of(&profile.code) else {
            continue;
        };
        let columns: Vec<(Fact, usize)> = (profile.facts.iter())
            .filter_map(|(f, c)| schema.index_of(c).map(|i| (*f, i)))
            .collect();
        let spec = TableSpec {
            schema: Some(schema),
            dialect: &r.dialect,
            encoding: r.encoding.as_deref(),
            duplicate_rows: false,
            with_md5: false,
            workers: 1,
            profile: false,
            keep_all_up_to: None,
        };
        let path = catalog.source.join(&d.folder).join(&r.path);
        table::visit(&path, &spec, &mut |_, cells| {
            let Some(Ok(code)) = cells.get(code_at).map(|c| KatottgCode::parse(c.trim())) else {
                return;
            };
            let known = facts.entry(code).or_default();
            for (fact, at) in &columns {
                let value = cells.get(*at).map_or("", |v| v.trim());
                if value.is_empty() || value == "NA" || known.iter().any(|k| k.fact == *fact) {
                    continue;
                }
                known.push(FactValue {
                    fact: *fact,
                    value: value.to_owned(),
                    dataset: d.id.clone(),
                });
            }
            known.sort_by_key(|k| k.fact);
        })
        .map_err(|e| Error::read(&path, e))?;
    }
    Ok(facts)
}
