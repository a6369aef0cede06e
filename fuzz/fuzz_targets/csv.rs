//! The streaming CSV validation (`validate::table::scan`, as `hromadata validate` runs it) over
//! arbitrary bytes, against one of a few small schemas and dialects chosen by the first byte.
//! Beyond "no panic": the digest covers every byte, and row counts and previews stay consistent.
#![no_main]

use std::path::Path;

use hromadata::catalog::dialect::Dialect;
use hromadata::catalog::schema::Schema;
use hromadata::validate::table::{self, TableSpec, PREVIEW_ROWS};
use hromadata_fuzz::{json, scratch_file};
use libfuzzer_sys::fuzz_target;

/// Small schemas that reach every kind of row check: types, constraints, keys, missing values.
const SCHEMAS: [&str; 4] = [
    r#"{"fields": [{"name": "id", "type": "integer", "constraints": {"required": true, "unique": true}},
        {"name": "name", "type": "string", "constraints": {"pattern": "[A-Za-zА-Яа-яІіЇїЄєҐґ' -]+", "maxLength": 20}},
        {"name": "amount", "type": "number", "decimalChar": ",", "groupChar": " ", "constraints": {"minimum": 0}},
        {"name": "day", "type": "date"}], "primaryKey": ["id"], "missingValues": ["", "NA"]}"#,
    r#"{"fields": [{"name": "code", "type": "string", "constraints": {"enum": ["a", "b", "c"]}},
        {"name": "parent", "type": "string"}, {"name": "ok", "type": "boolean"},
        {"name": "at", "type": "datetime"}],
        "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["code"]}}],
        "uniqueKeys": [["code", "at"]]}"#,
    r#"{"fields": [{"name": "year", "type": "year"}, {"name": "ym", "type": "yearmonth"},
        {"name": "t", "type": "time"}, {"name": "d", "type": "duration"},
        {"name": "p", "type": "geopoint"}, {"name": "o", "type": "object"},
        {"name": "l", "type": "list", "delimiter": ";"}]}"#,
    r#"{"fields": [{"name": "a", "type": "any"}, {"name": "b", "type": "integer", "bareNumber": false,
        "constraints": {"minimum": -5, "maximum": 5000}}]}"#,
];

const DIALECTS: [&str; 4] = [
    "{}",
    r#"{"delimiter": ";", "quoteChar": "'", "skipInitialSpace": true, "nullSequence": "NULL"}"#,
    r##"{"header": false, "commentChar": "#", "doubleQuote": false, "escapeChar": "\\"}"##,
    r#"{"headerRows": [1, 2], "headerJoin": " ", "commentRows": [3]}"#,
];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let schema = (choice & 0x10 == 0)
        .then(|| Schema::parse(&json(SCHEMAS[usize::from(choice & 3)])).expect("a valid schema"));
    let dialect =
        Dialect::parse(&json(DIALECTS[usize::from((choice >> 2) & 3)])).expect("a valid dialect");
    let encoding = match choice >> 5 {
        0 => Some("utf-8"),
        1 => Some("windows-1251"),
        2 => Some("no-such-encoding"),
        _ => None,
    };
    let spec = TableSpec {
        schema: schema.as_ref(),
        dialect: &dialect,
        encoding,
        duplicate_rows: choice & 0x40 != 0,
        with_md5: choice & 0x80 != 0,
        workers: 1,
        profile: true,
        keep_all_up_to: (choice & 1 == 0).then_some(4096),
    };
    let path = scratch_file("table.csv", bytes);
    let scan = table::scan(&path, Path::new("table.csv"), &spec).expect("the scratch file read");
    assert_eq!(
        scan.digest.bytes,
        bytes.len() as u64,
        "the digest covers every byte"
    );
    assert_eq!(scan.digest.md5.is_some(), spec.with_md5);
    if !scan.all_rows {
        assert!(scan.preview.len() <= PREVIEW_ROWS);
    }
    assert!(
        scan.preview.len() as u64 <= scan.rows,
        "preview rows are rows"
    );
    assert!(scan.findings.len() <= table::MAX_FINDINGS);
    // The foreign-key reader walks the same rows with the same numbering.
    let mut last = 0;
    table::visit(&path, &spec, &mut |row, _| {
        assert!(row > last, "row numbers increase");
        last = row;
    })
    .expect("the scratch file read");
});
