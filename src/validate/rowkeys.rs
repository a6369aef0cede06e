//! Stage 2, validate: the key checks of rows — unique fields, primary key (empty or repeated),
//! unique keys, foreign keys into the same table, duplicate rows — with frictionless v5's
//! semantics. Keys are fingerprinted as each row is checked (`keys::fingerprint`) and looked up
//! a batch of rows at a time, each table slot prefetched a few lookups ahead: on a million-row
//! file the tables outgrow the cache, and one lookup after another would wait for memory each
//! time. Fingerprinting (`KeyPlan`, shared) may run on several threads; the tables (`KeyTables`)
//! are updated by one, batch after batch in row order, so "the first row with this key" is the
//! same whatever the threads. Findings come out in the order the lookups were queued.

use std::path::Path;

use super::cell::Value;
use super::keys::{fingerprint, Fingerprint, Seen};
use super::report::{Finding, Kind};
use super::table::MAX_FINDINGS;
use crate::catalog::schema::Schema;

/// A unique field.
#[derive(Clone)]
struct UniqueField {
    index: usize,
    name: String,
}

/// A composite key: the fields it is made of.
#[derive(Clone)]
struct KeyDef {
    fields: Vec<usize>,
    names: String,
}

/// A foreign key into the same table: referencing rows are checked once the table is read.
#[derive(Clone)]
struct SelfReference {
    fields: Vec<usize>,
    reference: Vec<usize>,
    names: String,
}

/// What a queued lookup checks.
#[derive(Debug, Clone, Copy)]
enum What {
    Unique(usize),
    PrimaryEmpty,
    Primary,
    UniqueKey(usize),
    DuplicateRow,
    /// A value of the fields a same-table foreign key refers to.
    Referenced(usize),
    /// A value of a same-table foreign key, to be found among the referenced ones at the end.
    Referencing(usize),
}

/// A lookup waiting for the end of its batch.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lookup {
    what: What,
    key: Fingerprint,
    row: u64,
    /// The row's place in its batch, to quote its cells if the key is a repeat.
    at: usize,
}

/// Lookups issued ahead of the one being made.
const PREFETCH_AHEAD: usize = 8;

/// The keys of one table: what to fingerprint in each row. Shared by the threads that check
/// rows.
#[derive(Clone)]
pub(super) struct KeyPlan {
    unique: Vec<UniqueField>,
    primary: Option<KeyDef>,
    unique_keys: Vec<KeyDef>,
    self_refs: Vec<SelfReference>,
    duplicate_rows: bool,
}

/// The keys seen so far in one table, updated in row order by one thread.
pub(super) struct KeyTables {
    unique: Vec<Seen>,
    primary: Seen,
    unique_keys: Vec<Seen>,
    duplicate_rows: Seen,
    referenced: Vec<Seen>,
    referencing: Vec<Vec<(u64, Fingerprint, String)>>,
}

/// A key over `names`, or `None` when one of them is not among the checked fields (frictionless
/// then skips the key: the header already reports the missing column).
fn key(schema: &Schema, names: &[String]) -> Option<KeyDef> {
    let fields: Option<Vec<usize>> = names.iter().map(|n| schema.index_of(n)).collect();
    Some(KeyDef {
        fields: fields?,
        names: names.join(", "),
    })
}

fn all_empty(fields: &[usize], values: &[Option<Value>]) -> bool {
    fields
        .iter()
        .all(|i| values.get(*i).is_none_or(Option::is_none))
}

fn key_text(fields: &[usize], cells: &[String]) -> String {
    fields
        .iter()
        .map(|i| cells.get(*i).map_or("", String::as_str))
        .collect::<Vec<_>>()
        .join(", ")
}

impl KeyPlan {
    pub(super) fn new(schema: &Schema, duplicate_rows: bool) -> Self {
        let indices = |names: &[String]| names.iter().filter_map(|n| schema.index_of(n)).collect();
        KeyPlan {
            unique: (schema.fields.iter().enumerate())
                .filter(|(_, f)| f.constraints.unique)
                .map(|(index, f)| UniqueField {
                    index,
                    name: f.name.clone(),
                })
                .collect(),
            primary: (!schema.primary_key.is_empty())
                .then(|| key(schema, &schema.primary_key))
                .flatten(),
            unique_keys: (schema.unique_keys.iter())
                .filter_map(|k| key(schema, k))
                .collect(),
            self_refs: (schema.foreign_keys.iter())
                .filter(|fk| fk.resource.is_none())
                .map(|fk| SelfReference {
                    fields: indices(&fk.fields),
                    reference: indices(&fk.reference_fields),
                    names: fk.fields.join(", "),
                })
                .collect(),
            duplicate_rows,
        }
    }

    /// Empty tables for these keys.
    pub(super) fn tables(&self) -> KeyTables {
        KeyTables {
            unique: self.unique.iter().map(|_| Seen::default()).collect(),
            primary: Seen::default(),
            unique_keys: self.unique_keys.iter().map(|_| Seen::default()).collect(),
            duplicate_rows: Seen::default(),
            referenced: self.self_refs.iter().map(|_| Seen::default()).collect(),
            referencing: self.self_refs.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// The most lookups `queue` makes for one row (to size a batch's list once).
    pub(super) fn lookups_per_row(&self) -> usize {
        self.unique.len()
            + usize::from(self.primary.is_some())
            + self.unique_keys.len()
            + 2 * self.self_refs.len()
            + usize::from(self.duplicate_rows)
    }

    /// Fingerprints one row's keys into lookups (`at`: the row's place in its batch).
    pub(super) fn queue(
        &self,
        cells: &[&str],
        values: &[Option<Value>],
        row: u64,
        at: usize,
        out: &mut Vec<Lookup>,
    ) {
        let part = |i: &usize| {
            (
                values.get(*i).and_then(Option::as_ref),
                cells.get(*i).copied().unwrap_or(""),
            )
        };
        let mut push = |what, key| out.push(Lookup { what, key, row, at });
        for (n, u) in self.unique.iter().enumerate() {
            if let Some(value) = values.get(u.index).and_then(Option::as_ref) {
                push(
                    What::Unique(n),
                    fingerprint(std::iter::once((Some(value), cells[u.index]))),
                );
            }
        }
        if let Some(pk) = &self.primary {
            if all_empty(&pk.fields, values) {
                push(What::PrimaryEmpty, 0);
            } else {
                push(What::Primary, fingerprint(pk.fields.iter().map(part)));
            }
        }
        for (n, k) in self.unique_keys.iter().enumerate() {
            if !all_empty(&k.fields, values) {
                push(What::UniqueKey(n), fingerprint(k.fields.iter().map(part)));
            }
        }
        for (n, r) in self.self_refs.iter().enumerate() {
            if !all_empty(&r.reference, values) {
                push(
                    What::Referenced(n),
                    fingerprint(r.reference.iter().map(part)),
                );
            }
            if !all_empty(&r.fields, values) {
                push(What::Referencing(n), fingerprint(r.fields.iter().map(part)));
            }
        }
        if self.duplicate_rows {
            let texts: Vec<Value> = cells.iter().map(|c| Value::Text(c)).collect();
            let key = fingerprint(texts.iter().zip(cells).map(|(v, c)| (Some(v), *c)));
            push(What::DuplicateRow, key);
        }
    }
}

impl KeyTables {
    /// Makes room for the keys of about `rows` rows, so that the tables need not grow.
    pub(super) fn reserve(&mut self, plan: &KeyPlan, rows: usize) {
        let tables = self
            .unique
            .iter_mut()
            .chain(plan.primary.as_ref().map(|_| &mut self.primary))
            .chain(self.unique_keys.iter_mut())
            .chain(plan.duplicate_rows.then_some(&mut self.duplicate_rows));
        for seen in tables {
            seen.reserve(rows);
        }
    }

    /// The table a lookup goes to (`None`: no lookup, the finding is certain).
    fn table(&mut self, what: What) -> Option<&mut Seen> {
        match what {
            What::Unique(n) => Some(&mut self.unique[n]),
            What::Primary => Some(&mut self.primary),
            What::UniqueKey(n) => Some(&mut self.unique_keys[n]),
            What::DuplicateRow => Some(&mut self.duplicate_rows),
            What::Referenced(n) => Some(&mut self.referenced[n]),
            What::PrimaryEmpty | What::Referencing(_) => None,
        }
    }

    /// Makes the lookups of a batch, in order; a repeated key becomes a finding, quoting the
    /// row's cells as `cells_of(at)` gives them. Returns how many findings were counted, not made.
    pub(super) fn flush(
        &mut self,
        plan: &KeyPlan,
        lookups: &[Lookup],
        cells_of: &dyn Fn(usize) -> Vec<String>,
        shown: &Path,
        out: &mut Vec<Finding>,
    ) -> u64 {
        // At most `MAX_FINDINGS` findings a batch, the rest counted: a batch of a million rows
        // with empty keys would otherwise make a million findings at once.
        let (mut made, mut dropped) = (0, 0);
        for (i, lookup) in lookups.iter().enumerate() {
            if let Some(ahead) = lookups.get(i + PREFETCH_AHEAD) {
                if let Some(table) = self.table(ahead.what) {
                    table.prefetch(ahead.key);
                }
            }
            let earlier = match lookup.what {
                What::PrimaryEmpty => None,
                What::Referencing(n) => {
                    let text = key_text(&plan.self_refs[n].fields, &cells_of(lookup.at));
                    self.referencing[n].push((lookup.row, lookup.key, text));
                    continue;
                }
                What::Referenced(n) => {
                    self.referenced[n].insert(lookup.key, lookup.row);
                    continue;
                }
                what => match self
                    .table(what)
                    .and_then(|t| t.insert(lookup.key, lookup.row))
                {
                    Some(first) => Some(first),
                    None => continue,
                },
            };
            if made == MAX_FINDINGS {
                dropped += 1;
                continue;
            }
            made += 1;
            out.push(plan.repeat(lookup, earlier, &cells_of(lookup.at), shown));
        }
        dropped
    }

    /// Findings that need the whole table: foreign keys into the same table.
    pub(super) fn finish(&self, plan: &KeyPlan, shown: &Path, out: &mut Vec<Finding>) {
        for (n, r) in plan.self_refs.iter().enumerate() {
            for (row, key, text) in &self.referencing[n] {
                if !self.referenced[n].contains(key) {
                    out.push(
                        Finding::new(
                            Kind::ForeignKey,
                            shown,
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

impl KeyPlan {
    /// The finding for a key seen before at row `earlier` (or a primary key left empty).
    fn repeat(
        &self,
        lookup: &Lookup,
        earlier: Option<u64>,
        cells: &[String],
        shown: &Path,
    ) -> Finding {
        let first = earlier.unwrap_or_default();
        let at = |kind, en: String| Finding::new(kind, shown, en).row(lookup.row);
        let dup_hint = "remove the duplicate row or correct the key";
        let dup_hint_uk = "видаліть повторений рядок або виправте ключ";
        match lookup.what {
            What::Unique(n) => {
                let u = &self.unique[n];
                at(Kind::UniqueError, format!("a value not used in an earlier row: the field is unique (row {first} has it)"))
                    .field(u.name.clone(), Some(u.index + 1))
                    .found(cells.get(u.index).cloned().unwrap_or_default())
                    .hint("remove the duplicate row or correct the value")
                    .uk(format!("значення, якого ще не було: поле унікальне (воно є в рядку {first})"), Some("видаліть повторений рядок або виправте значення".into()))
            }
            What::PrimaryEmpty => {
                let names = self.primary.as_ref().map_or("", |k| k.names.as_str());
                at(
                    Kind::PrimaryKey,
                    format!("a value in the primary key ({names})"),
                )
                .hint("fill in the key: every row needs one")
                .uk(
                    format!("значення первинного ключа ({names})"),
                    Some("заповніть ключ: він потрібен кожному рядку".into()),
                )
            }
            What::Primary => {
                let (names, fields) = self
                    .primary
                    .as_ref()
                    .map_or(("", &[][..]), |k| (k.names.as_str(), &k.fields[..]));
                at(
                    Kind::PrimaryKey,
                    format!(
                        "a primary key ({names}) not used in an earlier row (row {first} has it)"
                    ),
                )
                .found(key_text(fields, cells))
                .hint(dup_hint)
                .uk(
                    format!("первинний ключ ({names}), якого ще не було (він є в рядку {first})"),
                    Some(dup_hint_uk.into()),
                )
            }
            What::UniqueKey(n) => {
                let k = &self.unique_keys[n];
                at(
                    Kind::UniqueError,
                    format!("a unique combination of {} (row {first} has it)", k.names),
                )
                .found(key_text(&k.fields, cells))
                .hint(dup_hint)
                .uk(
                    format!("унікальне поєднання {} (воно є в рядку {first})", k.names),
                    Some(dup_hint_uk.into()),
                )
            }
            // Same-table foreign keys never get here: `flush` records them and `finish` judges them.
            What::DuplicateRow | What::Referenced(_) | What::Referencing(_) => at(
                Kind::DuplicateRow,
                format!("a row that differs from the others (row {first} is the same)"),
            )
            .hint("delete the repeated row")
            .uk(
                format!("рядок, що не повторює інші (рядок {first} такий самий)"),
                Some("видаліть повторений рядок".into()),
            ),
        }
    }
}
