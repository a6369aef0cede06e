//! Stage 2, validate: a Table Schema inferred from a table's header and first rows, for
//! resources that declare none — the way frictionless-py 5.21.0 does it
//! (`Detector.detect_schema` in `frictionless/detector/detector.py`), so that validating a file
//! against the inferred schema gives frictionless' verdicts.
//!
//! The rules taken from frictionless:
//! - names: the labels, trimmed (`helpers.stringify_label`); a blank label becomes `field{n}`
//!   (its 1-based position); a repeated name becomes the first free one of `{name}2`,
//!   `{name}3`… (`table/label_matching.py`, `deduplicate_names`: `id`, `id2`, `id3`); without a
//!   header, `field1`..`fieldN` after the first row's width.
//! - sample: 100 rows including the header row (`DEFAULT_SAMPLE_SIZE`), so 99 data rows when
//!   there is a header; no rows at all gives every field the type `any`.
//! - candidates, in order (`DEFAULT_FIELD_CANDIDATES`): yearmonth, geopoint, duration, geojson,
//!   object, array, datetime, time, date, integer, number, boolean, year, string.
//! - scoring, per column: each candidate scores +1 for a cell it reads, −1 for one it does not;
//!   a cell equal to a missing value (`""`) scores nothing but lowers the column's maximum; a
//!   cell absent from a short row reads as null, +1 for all. A candidate whose score falls
//!   below `rows × (0.9 − 1)` stops being tried. After each row, the first candidate (in order)
//!   whose score reaches `0.9 × maximum` is the column's type, and that column is settled. A
//!   column never settled (all its cells missing) is `any`.
//!
//! A candidate reads a cell when `cell::parse` does (the validator's own rules, so an inferred
//! type always accepts the sampled cells it was inferred from) and, where `cell.rs` is more
//! lenient than frictionless, when frictionless' rule does too (`geojson` must be GeoJSON, not
//! any object; dates, times and datetimes must have frictionless' shapes; durations need digits
//! on both sides of a decimal point; a year is four characters). Never panics.

use std::collections::HashSet;

use serde_json::Value as Json;

use super::cell;
use crate::catalog::schema::{Constraints, Field, FieldType, Schema};

/// Rows frictionless samples, the header row included.
pub const SAMPLE_SIZE: usize = 100;
/// Share of a column's non-missing cells a type must read (frictionless' field confidence).
pub const CONFIDENCE: f64 = 0.9;
/// The missing values frictionless infers with.
pub const MISSING_VALUES: [&str; 1] = [""];

/// Infers a Table Schema from the header and the first rows (frictionless: up to 100 rows
/// sampled, confidence 0.9, its field candidates in its order, missing values `[""]`). Field
/// names are the header labels (blank labels become `field{n}`, repeated ones `{label}{n}`), or
/// `field1`..`fieldN` when there is no header. `rows` are the data rows after the header; only
/// the first 99 (100 without a header) are looked at.
pub fn infer_schema(labels: Option<&[String]>, rows: &[Vec<String>]) -> Schema {
    let limit = SAMPLE_SIZE - usize::from(labels.is_some());
    let fragment = &rows[..rows.len().min(limit)];
    let names = field_names(labels, fragment);
    let fields = names
        .into_iter()
        .enumerate()
        .map(|(index, name)| Field {
            name,
            title: None,
            description: None,
            field_type: infer_type(fragment, index),
            format: None,
            constraints: Constraints::default(),
            missing_values: None,
        })
        .collect();
    Schema {
        fields,
        missing_values: MISSING_VALUES.iter().map(|m| m.to_string()).collect(),
        primary_key: Vec::new(),
        unique_keys: Vec::new(),
        foreign_keys: Vec::new(),
    }
}

/// Field names as frictionless makes them from labels (or from the first row's width).
fn field_names(labels: Option<&[String]>, fragment: &[Vec<String>]) -> Vec<String> {
    let names: Vec<String> = match labels {
        Some(labels) if !labels.is_empty() => labels.iter().map(|l| l.trim().to_owned()).collect(),
        _ => match fragment.first() {
            Some(row) => vec![String::new(); row.len()],
            None => return Vec::new(),
        },
    };
    let mut used: Vec<String> = Vec::with_capacity(names.len());
    let mut taken: HashSet<String> = HashSet::new();
    for (i, name) in names.into_iter().enumerate() {
        let name = if name.is_empty() {
            format!("field{}", i + 1)
        } else {
            name
        };
        // `deduplicate_names`: the first free one of `{name}2`, `{name}3`, …
        let mut unique = name.clone();
        let mut suffix = 2;
        while taken.contains(&unique) {
            unique = format!("{name}{suffix}");
            suffix += 1;
        }
        taken.insert(unique.clone());
        used.push(unique);
    }
    used
}

/// The type of column `index`: the scoring of frictionless' `detect_schema`.
fn infer_type(fragment: &[Vec<String>], index: usize) -> FieldType {
    let candidates = candidates();
    let mut scores = vec![0i64; candidates.len()];
    let mut max_score = fragment.len() as i64;
    let threshold = fragment.len() as f64 * (CONFIDENCE - 1.0);
    for row in fragment {
        let cell = row.get(index).map(String::as_str);
        let missing = cell.is_some_and(|c| MISSING_VALUES.contains(&c));
        if missing {
            max_score -= 1;
        }
        for (candidate, score) in candidates.iter().zip(scores.iter_mut()) {
            if (*score as f64) < threshold {
                continue;
            }
            if !missing {
                // An absent cell is null, which every type reads.
                *score += if cell.is_none_or(|c| candidate.reads(c)) {
                    1
                } else {
                    -1
                };
            }
            if max_score > 0 && *score as f64 >= max_score as f64 * CONFIDENCE {
                return candidate.field_type.clone();
            }
        }
    }
    FieldType::Any
}

/// One of frictionless' field candidates.
struct Candidate {
    field_type: FieldType,
    /// Frictionless' own rule, where `cell.rs` would accept more.
    shape: fn(&str) -> bool,
}

impl Candidate {
    fn reads(&self, text: &str) -> bool {
        (self.shape)(text) && cell::parse(&self.field_type, None, text).is_some()
    }
}

/// Frictionless' `DEFAULT_FIELD_CANDIDATES`, in its order, with its default options.
fn candidates() -> Vec<Candidate> {
    let strings = |v: [&str; 4]| v.map(String::from).to_vec();
    let any: fn(&str) -> bool = |_| true;
    [
        (FieldType::Yearmonth, any),
        (FieldType::Geopoint, any),
        (FieldType::Duration, duration_shape),
        (FieldType::Geojson, is_geojson),
        (FieldType::Object, any),
        (FieldType::Array, any),
        (FieldType::Datetime, datetime_shape),
        (FieldType::Time, time_shape),
        (FieldType::Date, date_shape),
        (FieldType::Integer { bare_number: true }, any),
        (
            FieldType::Number {
                decimal_char: '.',
                group_char: None,
                bare_number: true,
            },
            any,
        ),
        (
            FieldType::Boolean {
                true_values: strings(["true", "True", "TRUE", "1"]),
                false_values: strings(["false", "False", "FALSE", "0"]),
            },
            any,
        ),
        (FieldType::Year, year_shape),
        (FieldType::String, any),
    ]
    .into_iter()
    .map(|(field_type, shape)| Candidate { field_type, shape })
    .collect()
}

/// `isodate.parse_duration`'s pattern: every number is digits, optionally `.` and digits.
fn duration_shape(text: &str) -> bool {
    text.split(|c: char| c.is_ascii_alphabetic()).all(|n| {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        n.is_empty()
            || n.split_once('.')
                .map_or(digits(n), |(a, b)| digits(a) && digits(b))
    })
}

/// Frictionless' guard for default datetimes: `cell[16] == ":"` and at least 19 characters;
/// and no leap second, which `dateutil` refuses and `chrono` accepts.
fn datetime_shape(text: &str) -> bool {
    text.chars().nth(16) == Some(':') && text.chars().count() >= 19 && !leap_second(text, 17)
}

/// Frictionless' guard for default times: `cell[5] == ":"` and at least 8 characters; no leap
/// second.
fn time_shape(text: &str) -> bool {
    text.chars().nth(5) == Some(':') && text.chars().count() >= 8 && !leap_second(text, 6)
}

/// Seconds `60` at character `at`.
fn leap_second(text: &str, at: usize) -> bool {
    text.chars().skip(at).take(2).eq("60".chars())
}

/// What both `strptime("%Y-%m-%d")` and `cell.rs` accept: `dddd-dd-dd`.
fn date_shape(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Frictionless reads a year from exactly four characters, 0 to 9999.
fn year_shape(text: &str) -> bool {
    text.chars().count() == 4 && !text.starts_with('-')
}

/// Valid against frictionless' GeoJSON profile (geometry, geometry collection, feature or
/// feature collection), checked structurally.
fn is_geojson(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Json>(text) else {
        return false;
    };
    match value.get("type").and_then(Json::as_str) {
        Some("Feature") => is_feature(&value),
        Some("FeatureCollection") => array_of(value.get("features"), is_feature),
        Some("GeometryCollection") => array_of(value.get("geometries"), is_geometry),
        _ => is_geometry(&value),
    }
}

fn is_feature(v: &Json) -> bool {
    v.get("type").and_then(Json::as_str) == Some("Feature")
        && v.get("geometry")
            .is_some_and(|g| g.is_null() || is_geometry(g))
        && v.get("properties")
            .is_some_and(|p| p.is_null() || p.is_object())
}

fn is_geometry(v: &Json) -> bool {
    let coordinates = v.get("coordinates");
    let line = |c: &Json| {
        c.as_array()
            .is_some_and(|a| a.len() >= 2 && a.iter().all(is_position))
    };
    let ring = |c: &Json| {
        c.as_array()
            .is_some_and(|a| a.len() >= 4 && a.iter().all(is_position))
    };
    let polygon = |c: &Json| c.as_array().is_some_and(|a| a.iter().all(ring));
    match v.get("type").and_then(Json::as_str) {
        Some("Point") => coordinates.is_some_and(is_position),
        Some("MultiPoint") => array_of(coordinates, is_position),
        Some("LineString") => coordinates.is_some_and(line),
        Some("MultiLineString") => array_of(coordinates, line),
        Some("Polygon") => coordinates.is_some_and(polygon),
        Some("MultiPolygon") => array_of(coordinates, polygon),
        _ => false,
    }
}

/// A position: exactly two numbers.
fn is_position(v: &Json) -> bool {
    v.as_array()
        .is_some_and(|a| a.len() == 2 && a.iter().all(Json::is_number))
}

fn array_of(v: Option<&Json>, item: impl Fn(&Json) -> bool) -> bool {
    v.and_then(Json::as_array)
        .is_some_and(|a| a.iter().all(item))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/frictionless/data/"
    );

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    /// A one-column table.
    fn column(cells: &[&str]) -> Vec<Vec<String>> {
        cells.iter().map(|c| vec![c.to_string()]).collect()
    }

    fn type_of(cells: &[&str]) -> &'static str {
        let labels = strings(&["x"]);
        infer_schema(Some(&labels), &column(cells)).fields[0]
            .field_type
            .name()
    }

    fn repeat(cells: &[(&str, usize)]) -> Vec<String> {
        cells
            .iter()
            .flat_map(|(c, n)| std::iter::repeat_n(c.to_string(), *n))
            .collect()
    }

    #[test]
    fn infers_column_types() {
        // Cells separated by `|`; what frictionless-py 5.21.0 infers for the same column.
        let cases: &[(&str, &str)] = &[
            ("1|-2|+3|0042", "integer"),
            ("1.5|2|-0.25|1e3", "number"),
            // Small decimal-comma numbers read as `lon,lat` points, in frictionless too.
            ("1,5|2,25", "geopoint"),
            ("1234,5|2,25", "string"),
            ("2026-03-31|2025-01-01", "date"),
            ("31.03.2026|01.01.2025", "string"),
            ("true|false|True|FALSE", "boolean"),
            // integer comes before boolean and year among the candidates.
            ("0|1|1", "integer"),
            ("2021|2022|2023", "integer"),
            ("2023-01|2023-12", "yearmonth"),
            ("2026-03-31T10:00:00Z|2026-03-31T10:00:00", "datetime"),
            ("10:00:00|23:59:59", "time"),
            ("P1Y2M|PT5M", "duration"),
            ("30.5, 50.4|24.0,49.8", "geopoint"),
            ("{\"a\": 1}|{}", "object"),
            (
                "{\"type\": \"Point\", \"coordinates\": [30.5, 50.4]}",
                "geojson",
            ),
            ("[1, 2]|[]", "array"),
            ("Київ|Львів", "string"),
            ("||", "any"),
        ];
        for (cells, want) in cases {
            assert_eq!(
                type_of(&cells.split('|').collect::<Vec<_>>()),
                *want,
                "{cells}"
            );
        }
        assert_eq!(type_of(&[]), "any");
        // Confidence 0.9 over 99 rows: the first candidate to reach 89.1 wins, so the place of
        // the odd cells matters.
        let long: &[(&[(&str, usize)], &str)] = &[
            (&[("7", 95), ("n/a", 4)], "integer"),
            (&[("n/a", 5), ("7", 94)], "string"),
            // Missing cells lower the bar: 50 of the 55 non-missing.
            (&[("7", 50), ("", 40), ("x", 5)], "integer"),
        ];
        for (runs, want) in long {
            let cells = repeat(runs);
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            assert_eq!(type_of(&cells), *want, "{runs:?}");
        }
    }

    #[test]
    fn short_rows_count_as_readable() {
        let labels = strings(&["a", "b"]);
        let rows = vec![strings(&["1", "x"]), strings(&["2"]), strings(&["3"])];
        let types = |rows: &[Vec<String>]| -> Vec<&'static str> {
            let schema = infer_schema(Some(&labels), rows);
            schema.fields.iter().map(|f| f.field_type.name()).collect()
        };
        assert_eq!(types(&rows), ["integer", "string"]);
        let mut rows = vec![strings(&["1"]); 9];
        rows.push(strings(&["2", "x"]));
        // Nine absent cells read as nulls: the first candidate reaches 0.9 × 10 first.
        assert_eq!(types(&rows), ["integer", "yearmonth"]);
    }

    #[test]
    fn samples_99_rows_after_a_header() {
        let labels = strings(&["x"]);
        let table = |cells: &[(&str, usize)]| {
            let cells = repeat(cells);
            column(&cells.iter().map(String::as_str).collect::<Vec<_>>())
        };
        let name = |labels: Option<&[String]>, rows: &[Vec<String>]| {
            infer_schema(labels, rows).fields[0].field_type.name()
        };
        // 89 integers of 99 rows miss 0.9 × 99 = 89.1; 90 reach it.
        assert_eq!(
            name(Some(&labels), &table(&[("1", 89), ("x", 10)])),
            "string"
        );
        assert_eq!(
            name(Some(&labels), &table(&[("1", 90), ("x", 9), ("x", 50)])),
            "integer"
        );
        // The 100th data row is sampled only without a header.
        let late = table(&[("", 99), ("1", 1)]);
        assert_eq!(name(Some(&labels), &late), "any");
        assert_eq!(name(None, &late), "integer");
    }

    #[test]
    fn names_fields_like_frictionless() {
        // Labels separated by `|` (`-` for no header), the width of the first row, the names.
        let cases: &[(&str, usize, &str)] = &[
            ("id|name|id|age|id", 5, "id name id2 age id3"),
            ("id|name||name", 4, "id name field3 name2"),
            (" a |", 2, "a field2"),
            ("a|a|a2", 3, "a a2 a22"),
            ("-", 2, "field1 field2"),
        ];
        for (labels, width, want) in cases {
            let labels: Option<Vec<String>> =
                (*labels != "-").then(|| labels.split('|').map(str::to_owned).collect());
            let rows = vec![vec!["1".to_string(); *width]];
            let schema = infer_schema(labels.as_deref(), &rows);
            let names: Vec<_> = schema.fields.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(names.join(" "), *want, "{labels:?}");
        }
        let no_labels: &[String] = &[];
        let rows = vec![strings(&["1", "2", "3"])];
        assert_eq!(infer_schema(Some(no_labels), &rows).fields.len(), 3);
        assert!(infer_schema(None, &[]).fields.is_empty());
        let labels = strings(&["id", "name"]);
        let schema = infer_schema(Some(&labels), &[]);
        assert_eq!(schema.fields.len(), 2);
        assert!(schema.fields.iter().all(|f| f.field_type == FieldType::Any));
        assert_eq!(schema.missing_values, [""]);
    }

    #[test]
    fn frictionless_shapes() {
        assert!(is_geojson(
            "{\"type\": \"Feature\", \"geometry\": null, \"properties\": {}}"
        ));
        assert!(is_geojson(
            "{\"type\": \"LineString\", \"coordinates\": [[0, 0], [1, 1]]}"
        ));
        assert!(!is_geojson(
            "{\"type\": \"LineString\", \"coordinates\": [[0, 0]]}"
        ));
        assert!(!is_geojson(
            "{\"type\": \"Point\", \"coordinates\": [1, 2, 3]}"
        ));
        assert!(!is_geojson("{\"a\": 1}"));
        assert!(!duration_shape("P1.Y") && !duration_shape("P1..5Y") && duration_shape("P1.5Y"));
        assert!(!datetime_shape("2026-3-1T1:2:3") && datetime_shape("2026-03-01T01:02:03"));
        assert!(!time_shape("1:02:03") && time_shape("01:02:03") && !time_shape("23:59:60"));
        assert!(!datetime_shape("2026-03-01T23:59:60Z"));
        assert!(!date_shape("+202-01-01") && date_shape("2026-01-01"));
        assert!(!year_shape("-123") && !year_shape("20231") && year_shape("2023"));
    }

    /// Reads a fixture as the validator does: detected encoding, sniffed dialect, header row 1.
    fn fixture(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let bytes =
            std::fs::read(format!("{DATA}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (text, _, _) = super::super::sniff::detect_encoding(&bytes).decode(&bytes);
        let delimiter = super::super::sniff::sniff_dialect(&text).map_or(b',', |s| s.delimiter);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let labels = rows.remove(0);
        (labels, rows)
    }

    #[test]
    fn infers_fixture_schemas() {
        // What frictionless-py 5.21.0 infers for the same files (`name:type`).
        let cases: &[(&str, &str)] = &[
            ("table.csv", "id:integer name:string"),
            ("schema-errors.csv", "id:string name:string age:integer"),
            ("leading-zeros.csv", "value:integer"),
            ("matrix.csv", "f1:integer f2:integer f3:integer f4:integer"),
            ("nested.csv", "id:integer cat:integer name:string"),
            (
                "duplicate-headers.csv",
                "id:integer name:string id2:integer age:integer id3:integer",
            ),
            (
                "invalid.csv",
                "id:integer name:string field3:integer name2:integer",
            ),
            ("blank-headers.csv", "id:integer field2:string age:integer"),
            ("latin1.csv", "id:integer name:string"),
            (
                "table-infer-iso-8859-7.csv",
                "id:integer age:integer name:string",
            ),
            (
                "issue-1009-semicolon.csv",
                "fieldNameA:integer fieldNameB:string",
            ),
            ("without-rows.csv", "id:any name:any"),
            ("unique-field.csv", "id:string name:string slug:string"),
        ];
        for (name, want) in cases {
            let (labels, rows) = fixture(name);
            let schema = infer_schema(Some(&labels), &rows);
            let got: Vec<String> = schema
                .fields
                .iter()
                .map(|f| format!("{}:{}", f.name, f.field_type.name()))
                .collect();
            assert_eq!(got.join(" "), *want, "{name}");
        }
    }
}
