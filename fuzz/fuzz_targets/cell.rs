//! Cell parsing for every Table Schema type and format, with arbitrary constraints: a one-field
//! schema is built from the input and, when `Schema::parse` accepts it, a CSV of the input's cells
//! is validated by `validate::table::scan` (constraint bounds, patterns, enums, lengths, keys).
//! `cell::parse` is also called directly, with properties: integers and years print back to the
//! same value, a parsed date prints back to a date that parses to itself.
#![no_main]

use std::path::Path;

use arbitrary::Arbitrary;
use hromadata::catalog::dialect::Dialect;
use hromadata::catalog::schema::{FieldType, Schema};
use hromadata::validate::cell::{self, Value};
use hromadata::validate::descriptor::FIELD_TYPES;
use hromadata::validate::table::{self, TableSpec};
use hromadata_fuzz::scratch_file;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value as Json};

/// Formats the types know, and a slot for an arbitrary one.
const FORMATS: [&str; 12] = [
    "default",
    "any",
    "email",
    "uri",
    "uuid",
    "binary",
    "%d.%m.%Y",
    "%Y-%m-%dT%H:%M:%S%z",
    "%H:%M",
    "array",
    "object",
    "%d/%m/%y %I:%M %p",
];

/// A constraint value: a number, a string, or something else JSON.
#[derive(Debug, Arbitrary)]
enum Bound {
    Int(i64),
    Float(f64),
    Text(String),
    Flag(bool),
}

impl Bound {
    fn json(&self) -> Json {
        match self {
            Bound::Int(i) => json!(i),
            Bound::Float(f) => json!(f),
            Bound::Text(s) => json!(s),
            Bound::Flag(b) => json!(b),
        }
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    type_index: u8,
    format: Option<Result<u8, String>>,
    decimal_char: Option<char>,
    group_char: Option<char>,
    bare_number: Option<bool>,
    true_values: Option<Vec<String>>,
    delimiter: Option<String>,
    required: bool,
    unique: bool,
    min_length: Option<u16>,
    max_length: Option<u16>,
    minimum: Option<Bound>,
    maximum: Option<Bound>,
    exclusive_minimum: Option<Bound>,
    exclusive_maximum: Option<Bound>,
    pattern: Option<String>,
    enumeration: Option<Vec<Bound>>,
    missing_values: Option<Vec<String>>,
    cells: Vec<String>,
}

impl Input {
    /// The field descriptor the input describes.
    fn field(&self) -> Json {
        let mut f = Map::new();
        f.insert("name".into(), json!("f"));
        f.insert(
            "type".into(),
            json!(FIELD_TYPES[usize::from(self.type_index) % FIELD_TYPES.len()]),
        );
        match &self.format {
            Some(Ok(i)) => f.insert(
                "format".into(),
                json!(FORMATS[usize::from(*i) % FORMATS.len()]),
            ),
            Some(Err(s)) => f.insert("format".into(), json!(s)),
            None => None,
        };
        let mut put = |key: &str, v: Option<Json>| v.map(|v| f.insert(key.into(), v));
        put(
            "decimalChar",
            self.decimal_char.map(|c| json!(c.to_string())),
        );
        put("groupChar", self.group_char.map(|c| json!(c.to_string())));
        put("bareNumber", self.bare_number.map(|b| json!(b)));
        put("trueValues", self.true_values.as_ref().map(|v| json!(v)));
        put("delimiter", self.delimiter.as_ref().map(|d| json!(d)));
        put(
            "missingValues",
            self.missing_values.as_ref().map(|v| json!(v)),
        );
        let mut c = Map::new();
        c.insert("required".into(), json!(self.required));
        c.insert("unique".into(), json!(self.unique));
        let mut put = |key: &str, v: Option<Json>| v.map(|v| c.insert(key.into(), v));
        put("minLength", self.min_length.map(|n| json!(n)));
        put("maxLength", self.max_length.map(|n| json!(n)));
        put("minimum", self.minimum.as_ref().map(Bound::json));
        put("maximum", self.maximum.as_ref().map(Bound::json));
        put(
            "exclusiveMinimum",
            self.exclusive_minimum.as_ref().map(Bound::json),
        );
        put(
            "exclusiveMaximum",
            self.exclusive_maximum.as_ref().map(Bound::json),
        );
        put("pattern", self.pattern.as_ref().map(|p| json!(p)));
        put(
            "enum",
            self.enumeration
                .as_ref()
                .map(|e| e.iter().map(Bound::json).collect()),
        );
        f.insert("constraints".into(), Json::Object(c));
        Json::Object(f)
    }
}

/// Properties of `cell::parse` on one cell.
fn check_cell(field_type: &FieldType, format: Option<&str>, text: &str) {
    let parsed = cell::parse(field_type, format, text);
    // Compared as text: NaN (from `nan`) is not equal to itself.
    let again = cell::parse(field_type, format, text);
    assert_eq!(format!("{parsed:?}"), format!("{again:?}"), "deterministic");
    match (field_type, parsed) {
        (FieldType::Integer { .. }, Some(Value::Int(i))) => {
            let printed = i.to_string();
            let back = cell::parse(field_type, None, &printed);
            assert_eq!(
                back,
                Some(Value::Int(i)),
                "{text:?} → {i} does not print back"
            );
        }
        (FieldType::Year, Some(Value::Year(y))) if (0..=9999).contains(&y) => {
            let printed = format!("{y:04}");
            let back = cell::parse(field_type, None, &printed);
            assert_eq!(
                back,
                Some(Value::Year(y)),
                "{text:?} → {y} does not print back"
            );
        }
        (FieldType::Date, Some(Value::Date(d))) => {
            let printed = d.format("%Y-%m-%d").to_string();
            let back = cell::parse(field_type, None, &printed);
            assert!(
                back.is_none() || back == Some(Value::Date(d)),
                "{text:?} → {d}: {back:?}"
            );
        }
        // A number that parses with the field's characters is a number in the plain form too.
        (FieldType::Number { .. }, Some(Value::Num(n))) if n.is_finite() => {
            let plain = FieldType::Number {
                decimal_char: '.',
                group_char: None,
                bare_number: true,
            };
            let printed = format!("{n:?}");
            let back = cell::parse(&plain, None, &printed);
            assert_eq!(
                back,
                Some(Value::Num(n)),
                "{text:?} → {n} does not print back"
            );
        }
        _ => {}
    }
}

fuzz_target!(|input: Input| {
    let field = input.field();
    let Ok(schema) = Schema::parse(&json!({ "fields": [field] })) else {
        return;
    };
    let f = &schema.fields[0];
    for text in &input.cells {
        check_cell(&f.field_type, f.format.as_deref(), text);
    }
    for bound in [&f.constraints.minimum, &f.constraints.maximum]
        .into_iter()
        .flatten()
    {
        let _ = cell::bound(&f.field_type, f.format.as_deref(), bound);
    }
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["f"]).expect("in memory");
    for text in &input.cells {
        csv.write_record([text]).expect("in memory");
    }
    let bytes = csv.into_inner().expect("in memory");
    let dialect = Dialect::default();
    let spec = TableSpec {
        schema: Some(&schema),
        encoding: Some("utf-8"),
        duplicate_rows: true,
        profile: true,
        keep_all_up_to: Some(u64::MAX),
        ..TableSpec::undeclared(&dialect)
    };
    let path = scratch_file("cells.csv", &bytes);
    let scan = table::scan(&path, Path::new("cells.csv"), &spec).expect("the scratch file read");
    assert_eq!(scan.digest.bytes, bytes.len() as u64);
});
