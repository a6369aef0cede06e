//! Stage 4, render: a publisher's register of datasets («Реєстр наборів даних», item all-007 of
//! Cabinet Resolution No. 835) as CSV and JSON. Invariants: the columns are exactly `COLUMNS`,
//! in that order; one row per dataset of the publisher, in dataset-id order; values are the
//! Ukrainian ones; a value the data lack is an empty cell (CSV) or `null` (JSON), never invented.
//! The JSON form holds the same values, multi-valued cells as arrays.

use serde_json::{Map, Value};

use super::{csv_bytes, formats, json_bytes, Urls, LIST_SEPARATOR};
use crate::catalog::dataset::Frequency;
use crate::catalog::{Catalog, Dataset, Publisher};

/// The register's file names inside `publishers/<slug>/`.
pub const CSV: &str = "register.csv";
pub const JSON: &str = "register.json";

/// The register's columns, in order.
pub const COLUMNS: [&str; 12] = [
    "identifier",
    "title",
    "description",
    "accrualPeriodicity",
    "keyword",
    "purpose",
    "landingPage",
    "distributionFormat",
    "publisherPrefLabel",
    "publisherIdentifier",
    "contactPointFn",
    "contactPointHasEmail",
];

/// One cell: a single value, several, or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Empty,
    One(String),
    Many(Vec<String>),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::One(s) => s.clone(),
            Cell::Many(items) => items.join(LIST_SEPARATOR),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Empty => Value::Null,
            Cell::One(s) => Value::from(s.as_str()),
            Cell::Many(items) => Value::from(items.clone()),
        }
    }
}

fn opt(text: Option<&str>) -> Cell {
    match text.map(str::trim) {
        Some(t) if !t.is_empty() => Cell::One(t.to_owned()),
        _ => Cell::Empty,
    }
}

/// The Ukrainian label of a frequency (data.gov.ua's vocabulary).
pub fn frequency_uk(f: Frequency) -> &'static str {
    Frequency::ALL
        .iter()
        .find(|(x, ..)| *x == f)
        .map_or("", |(_, _, uk)| uk)
}

/// The register row of dataset `d`, in the order of `COLUMNS`.
pub fn row(d: &Dataset, p: Option<&Publisher>, urls: Urls) -> [Cell; 12] {
    [
        Cell::One(d.id.to_string()),
        Cell::One(d.title.uk.clone()),
        opt(Some(&d.description.uk)),
        opt(d.frequency.map(frequency_uk)),
        Cell::Many(d.keywords.clone()),
        opt(d.purpose.as_deref()),
        Cell::One(urls.dataset(d, false)),
        Cell::Many(formats(d)),
        opt(p.map(|p| p.name.uk.as_str())),
        opt(p.map(|p| p.edrpou.as_str())),
        opt(p.map(|p| p.contact_name.as_str())),
        opt(p.and_then(|p| p.contact_email.as_deref())),
    ]
}

/// The register of publisher `p`: (CSV bytes, JSON bytes).
pub fn register(catalog: &Catalog, p: &Publisher, urls: Urls) -> (Vec<u8>, Vec<u8>) {
    let rows: Vec<[Cell; 12]> = catalog
        .datasets_of(&p.slug)
        .map(|d| row(d, Some(p), urls))
        .collect();
    let mut table = vec![COLUMNS.map(str::to_owned)];
    table.extend(rows.iter().map(|r| r.clone().map(|c| c.text())));
    let json: Vec<Value> = rows
        .iter()
        .map(|r| {
            let obj: Map<String, Value> = COLUMNS
                .iter()
                .zip(r)
                .map(|(k, c)| ((*k).to_owned(), c.json()))
                .collect();
            Value::Object(obj)
        })
        .collect();
    (csv_bytes(table), json_bytes(&Value::Array(json)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_join_and_empty() {
        assert_eq!(Cell::Many(vec!["а".into(), "б".into()]).text(), "а; б");
        assert_eq!(Cell::Empty.json(), Value::Null);
        assert_eq!(opt(Some("  ")), Cell::Empty);
        assert_eq!(frequency_uk(Frequency::Yearly), "щороку");
    }
}
