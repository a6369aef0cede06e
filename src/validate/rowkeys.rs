//! Stage 2, validate: the key checks of rows — unique fields, primary key (empty or repeated),
//! unique keys, foreign keys into the same table, duplicate rows — with frictionless v5's
//! semantics. Keys are fingerprinted as each row is checked (`keys::fingerprint`) and looked up
//! a batch of rows at a time, each table slot prefetched a few lookups ahead: on a million-row
//! file the tables outgrow the cache, and one lookup after another would wait for memory each
//! time. Invariant: the findings of a flush come out in the order the rows' lookups were queued.

use std::path::Path;

use super::cell::Value;
use super::keys::{fingerprint, Fingerprint, Seen};
use super::report::{Finding, Kind};
use crate::catalog::schema::Schema;

/// A unique field and the values seen in it.
struct UniqueField {
    index: usize,
    name: String,
    seen: Seen,
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
    referenced: Seen,
    referencing: Vec<(u64, Fingerprint, String)>,
}

/// What a queued lookup checks.
#[derive(Debug, Clone, Copy)]
enum What {
    Unique(usize),
    PrimaryEmpty,
    Primary,
    UniqueKey(usize),
    DuplicateRow,
}

/// A lookup waiting for the end of its batch.
#[derive(Debug, Clone, Copy)]
struct Lookup {
    what: What,
    key: Fingerprint,
    row: u64,
    /// The row's place in its batch, to quote its cells if the key is a repeat.
    at: usize,
}

/// Lookups issued ahead of the one being made.
const PREFETCH_AHEAD: usize = 8;

/// The key checks of one table.
pub(super) struct KeyChecks<'s> {
    unique: Vec<UniqueField>,
    primary: Option<Key>,
    unique_keys: Vec<Key>,
    self_refs: Vec<SelfReference>,
    duplicate_rows: Option<Seen>,
    queue: Vec<Lookup>,
    shown: &'s Path,
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

impl<'s> KeyChecks<'s> {
    pub(super) fn new(schema: &Schema, duplicate_rows: bool, shown: &'s Path) -> Self {
        let indices = |names: &[String]| names.iter().filter_map(|n| schema.index_of(n)).collect();
        KeyChecks {
            unique: (schema.fields.iter().enumerate())
                .filter(|(_, f)| f.constraints.unique)
                .map(|(index, f)| UniqueField {
                    index,
                    name: f.name.clone(),
                    seen: Seen::default(),
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
                    referenced: Seen::default(),
                    referencing: Vec::new(),
                })
                .collect(),
            duplicate_rows: duplicate_rows.then(Seen::default),
            queue: Vec::new(),
            shown,
        }
    }

    /// Makes room for the keys of about `rows` rows, so that the tables need not grow.
    pub(super) fn reserve(&mut self, rows: usize) {
        let tables = (self.unique.iter_mut().map(|u| &mut u.seen))
            .chain(self.primary.as_mut().map(|k| &mut k.seen))
            .chain(self.unique_keys.iter_mut().map(|k| &mut k.seen))
            .chain(self.duplicate_rows.as_mut());
        for seen in tables {
            seen.reserve(rows);
        }
    }

    /// Fingerprints one row's keys and queues their lookups (`at`: the row's place in its batch).
    pub(super) fn queue(&mut self, cells: &[&str], values: &[Option<Value>], row: u64, at: usize) {
        let part = |i: &usize| {
            (
                values.get(*i).and_then(Option::as_ref),
                cells.get(*i).copied().unwrap_or(""),
            )
        };
        let mut push = |what, key| self.queue.push(Lookup { what, key, row, at });
        for (n, u) in self.unique.iter().enumerate() {
            if let Some(value) = values.get(u.index).and_then(Option::as_ref) {
                push(What::Unique(n), fingerprint(std::iter::once((Some(value), cells[u.index]))));
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
        if self.duplicate_rows.is_some() {
            let texts: Vec<Value> = cells.iter().map(|c| Value::Text(c)).collect();
            let key = fingerprint(texts.iter().zip(cells).map(|(v, c)| (Some(v), *c)));
            push(What::DuplicateRow, key);
        }
        for r in &mut self.self_refs {
            if !all_empty(&r.reference, values) {
                r.referenced
                    .insert(fingerprint(r.reference.iter().map(part)), row);
            }
            if !all_empty(&r.fields, values) {
                let text = (r.fields.iter())
                    .map(|i| cells.get(*i).copied().unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join(", ");
                r.referencing
                    .push((row, fingerprint(r.fields.iter().map(part)), text));
            }
        }
    }

    /// The table a lookup goes to (`None`: no lookup, the finding is certain).
    fn table(&mut self, what: What) -> Option<&mut Seen> {
        match what {
            What::Unique(n) => Some(&mut self.unique[n].seen),
            What::PrimaryEmpty => None,
            What::Primary => self.primary.as_mut().map(|k| &mut k.seen),
            What::UniqueKey(n) => Some(&mut self.unique_keys[n].seen),
            What::DuplicateRow => self.duplicate_rows.as_mut(),
        }
    }

    /// Makes the queued lookups; a repeated key becomes a finding, quoting the row's cells as
    /// `cells_of(at)` gives them.
    pub(super) fn flush(&mut self, cells_of: &dyn Fn(usize) -> Vec<String>, out: &mut Vec<Finding>) {
        let queue = std::mem::take(&mut self.queue);
        for (i, lookup) in queue.iter().enumerate() {
            if let Some(ahead) = queue.get(i + PREFETCH_AHEAD) {
                if let Some(table) = self.table(ahead.what) {
                    table.prefetch(ahead.key);
                }
            }
            let earlier = match self.table(lookup.what) {
                Some(table) => match table.insert(lookup.key, lookup.row) {
                    Some(first) => Some(first),
                    None => continue,
                },
                None => None,
            };
            out.push(self.repeat(lookup, earlier, &cells_of(lookup.at)));
        }
        self.queue = queue;
        self.queue.clear();
    }

    /// The finding for a key seen before at row `earlier` (or a primary key left empty).
    fn repeat(&self, lookup: &Lookup, earlier: Option<u64>, cells: &[String]) -> Finding {
        let first = earlier.unwrap_or_default();
        let at = |kind, en: String| Finding::new(kind, self.shown, en).row(lookup.row);
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
                at(Kind::PrimaryKey, format!("a value in the primary key ({names})"))
                    .hint("fill in the key: every row needs one")
                    .uk(format!("значення первинного ключа ({names})"), Some("заповніть ключ: він потрібен кожному рядку".into()))
            }
            What::Primary => {
                let (names, fields) = self.primary.as_ref().map_or(("", &[][..]), |k| (k.names.as_str(), &k.fields[..]));
                at(Kind::PrimaryKey, format!("a primary key ({names}) not used in an earlier row (row {first} has it)"))
                    .found(key_text(fields, cells))
                    .hint(dup_hint)
                    .uk(format!("первинний ключ ({names}), якого ще не було (він є в рядку {first})"), Some(dup_hint_uk.into()))
            }
            What::UniqueKey(n) => {
                let k = &self.unique_keys[n];
                at(Kind::UniqueError, format!("a unique combination of {} (row {first} has it)", k.names))
                    .found(key_text(&k.fields, cells))
                    .hint(dup_hint)
                    .uk(format!("унікальне поєднання {} (воно є в рядку {first})", k.names), Some(dup_hint_uk.into()))
            }
            What::DuplicateRow => at(Kind::DuplicateRow, format!("a row that differs from the others (row {first} is the same)"))
                .hint("delete the repeated row")
                .uk(format!("рядок, що не повторює інші (рядок {first} такий самий)"), Some("видаліть повторений рядок".into())),
        }
    }

    /// Findings that need the whole table: foreign keys into the same table.
    pub(super) fn finish(&mut self, out: &mut Vec<Finding>) {
        for r in &self.self_refs {
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
