//! `new dataset`: what a CSV file is — encoding, delimiter, inferred Table Schema — read by the
//! validator itself (`validate::table::scan` with no schema infers one exactly as `hromadata
//! validate` does), and the resource descriptor written for it. The findings of that scan are
//! the ones `hromadata check` will give, so they are shown before the dataset is written.

use std::path::Path;

use serde_json::{json, Map, Value};

use crate::catalog::dialect::Dialect;
use crate::error::Error;
use crate::validate::report::Finding;
use crate::validate::table;

/// A CSV file as the validator reads it.
#[derive(Debug)]
pub struct Inspected {
    /// The encoding (WHATWG name, e.g. `utf-8`, `windows-1251`).
    pub encoding: String,
    pub delimiter: u8,
    /// `[{name, type}]`, from the inferred schema.
    pub fields: Vec<Value>,
    pub rows: u64,
    /// Problems `check` will report with the inferred schema.
    pub findings: Vec<Finding>,
}

/// Reads `path` once with the validator (schema inferred, encoding and dialect detected).
pub fn inspect(path: &Path, shown: &Path) -> Result<Inspected, Error> {
    let dialect = Dialect::default();
    let spec = table::TableSpec::undeclared(&dialect);
    let scan = table::scan(path, shown, &spec).map_err(|e| Error::read(path, e))?;
    let fields = scan
        .inferred
        .iter()
        .flat_map(|s| &s.fields)
        .map(|f| json!({"name": f.name, "type": f.field_type.name()}))
        .collect();
    Ok(Inspected {
        encoding: scan.encoding,
        delimiter: scan.delimiter,
        fields,
        rows: scan.rows,
        findings: scan.findings,
    })
}

/// The resource descriptor for the copied file (`data/<file>`), keys in a fixed order.
pub fn resource(name: &str, path: &str, inspected: &Inspected) -> Value {
    let mut r = Map::new();
    r.insert("name".into(), json!(name));
    r.insert("path".into(), json!(path));
    r.insert("format".into(), json!("csv"));
    r.insert("mediatype".into(), json!("text/csv"));
    r.insert("encoding".into(), json!(inspected.encoding));
    // Declared so that other tools need not sniff; `,` is everyone's default.
    if inspected.delimiter != b',' {
        let delimiter = char::from(inspected.delimiter).to_string();
        r.insert("dialect".into(), json!({"delimiter": delimiter}));
    }
    r.insert(
        "schema".into(),
        json!({"fields": inspected.fields, "missingValues": [""]}),
    );
    Value::Object(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspect_text(bytes: &[u8]) -> Inspected {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        inspect(&path, Path::new("t.csv")).unwrap()
    }

    fn types(i: &Inspected) -> Vec<(String, String)> {
        i.fields
            .iter()
            .map(|f| {
                (
                    f["name"].as_str().unwrap().into(),
                    f["type"].as_str().unwrap().into(),
                )
            })
            .collect()
    }

    #[test]
    fn infers_types_encoding_and_delimiter() {
        let utf8 = inspect_text(
            "код,назва,сума,дата,так\n1,Київ,2.5,2026-01-31,true\n2,Львів,3,2026-02-01,false\n"
                .as_bytes(),
        );
        let want = [
            ("код", "integer"),
            ("назва", "string"),
            ("сума", "number"),
            ("дата", "date"),
            ("так", "boolean"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(types(&utf8), want);
        assert_eq!(
            (utf8.encoding.as_str(), utf8.delimiter, utf8.rows),
            ("utf-8", b',', 2)
        );
        assert!(utf8.findings.is_empty());
        let (cp1251, _, _) =
            encoding_rs::WINDOWS_1251.encode("Назва;Кількість\nГайсин;12\nБубнівка;3\n");
        let cp1251 = inspect_text(&cp1251);
        assert_eq!(
            (cp1251.encoding.as_str(), cp1251.delimiter),
            ("windows-1251", b';')
        );
        let r = resource("t", "data/t.csv", &cp1251);
        assert_eq!(r["dialect"], json!({"delimiter": ";"}));
        assert_eq!(
            r["schema"]["fields"][1],
            json!({"name": "Кількість", "type": "integer"})
        );
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "name",
                "path",
                "format",
                "mediatype",
                "encoding",
                "dialect",
                "schema"
            ]
        );
    }
}
