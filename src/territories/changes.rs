//! `territories import`: what an edition changes against the registry in place — objects added,
//! removed, renamed and recategorised, matched by code (a code is an object's identity: a renamed
//! hromada keeps its code, so its pages keep their addresses). Names that differ only in spaces or
//! in the apostrophe character (’ ' ʼ) are the same name.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What the registry knows of one object (old or new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub category: String,
    pub name: String,
}

/// The differences between two editions, each list in code order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: Vec<(String, Known)>,
    pub removed: Vec<(String, Known)>,
    /// Code, old name, new name.
    pub renamed: Vec<(String, String, String)>,
    /// Code, name, old category, new category.
    pub recategorised: Vec<(String, String, String, String)>,
}

/// A name as compared: trimmed, one apostrophe.
fn comparable(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            '\'' | 'ʼ' | '`' => '’',
            c => c,
        })
        .collect()
}

/// Compares the registry in place (`old`) with a new edition (`new`), both keyed by code.
pub fn compare(old: &BTreeMap<String, Known>, new: &BTreeMap<String, Known>) -> Changes {
    let mut changes = Changes::default();
    for (code, n) in new {
        let Some(o) = old.get(code) else {
            changes.added.push((code.clone(), n.clone()));
            continue;
        };
        if comparable(&o.name) != comparable(&n.name) {
            changes
                .renamed
                .push((code.clone(), o.name.clone(), n.name.clone()));
        }
        if o.category != n.category {
            changes.recategorised.push((
                code.clone(),
                n.name.clone(),
                o.category.clone(),
                n.category.clone(),
            ));
        }
    }
    for (code, o) in old {
        if !new.contains_key(code) {
            changes.removed.push((code.clone(), o.clone()));
        }
    }
    changes
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.recategorised.is_empty()
    }

    /// Renames and recategorisations as history rows: change, code, old name, new name, old
    /// category, new category (in code order).
    pub fn rows(&self) -> Vec<[String; 6]> {
        let mut rows = Vec::new();
        for (code, old, new) in &self.renamed {
            rows.push([
                "renamed".into(),
                code.clone(),
                old.clone(),
                new.clone(),
                String::new(),
                String::new(),
            ]);
        }
        for (code, name, old, new) in &self.recategorised {
            rows.push([
                "recategorised".into(),
                code.clone(),
                name.clone(),
                name.clone(),
                old.clone(),
                new.clone(),
            ]);
        }
        rows.sort_by(|a, b| (&a[1], &a[0]).cmp(&(&b[1], &b[0])));
        rows
    }

    /// The report printed by `territories import`: counts, then every change with codes and names.
    pub fn report(&self) -> String {
        let mut out = format!(
            "added {}, removed {}, renamed {}, recategorised {}\n",
            self.added.len(),
            self.removed.len(),
            self.renamed.len(),
            self.recategorised.len()
        );
        let mut section = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                let _ = writeln!(out, "\n{title}:");
                for line in lines {
                    let _ = writeln!(out, "  {line}");
                }
            }
        };
        let listed = |list: &[(String, Known)]| {
            list.iter()
                .map(|(code, k)| format!("{code} {} {}", k.category, k.name))
                .collect()
        };
        section("added", listed(&self.added));
        section("removed", listed(&self.removed));
        section(
            "renamed",
            (self.renamed.iter())
                .map(|(code, old, new)| format!("{code} {old} → {new}"))
                .collect(),
        );
        section(
            "recategorised",
            (self.recategorised.iter())
                .map(|(code, name, old, new)| format!("{code} {name}: {old} → {new}"))
                .collect(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(pairs: &[(&str, &str, &str)]) -> BTreeMap<String, Known> {
        pairs
            .iter()
            .map(|(code, category, name)| {
                let k = Known {
                    category: category.to_string(),
                    name: name.to_string(),
                };
                (code.to_string(), k)
            })
            .collect()
    }

    #[test]
    fn changes_by_code() {
        let old = known(&[
            ("A", "H", "Старa"),
            ("B", "X", "Заріччя"),
            ("C", "C", "Зниклe"),
            ("D", "C", "Кам'янка "),
        ]);
        let new = known(&[
            ("A", "H", "Нова"),
            ("B", "M", "Заріччя"),
            ("D", "C", "Кам’янка"),
            ("E", "C", "Нове"),
        ]);
        let c = compare(&old, &new);
        assert_eq!(
            c.added.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(),
            ["E"]
        );
        assert_eq!(
            c.removed.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(),
            ["C"]
        );
        assert_eq!(c.renamed, [("A".into(), "Старa".into(), "Нова".into())]);
        assert_eq!(
            c.recategorised,
            [("B".into(), "Заріччя".into(), "X".into(), "M".into())]
        );
        let report = c.report();
        assert!(report.starts_with("added 1, removed 1, renamed 1, recategorised 1\n"));
        assert!(
            report.contains("\nrenamed:\n  A Старa → Нова\n"),
            "{report}"
        );
        assert!(compare(&new, &new).is_empty());
    }
}
