//! Property tests of the streaming table reader (`scan`, `visit`): rows written by the csv
//! crate's writer come back as the same cells with the same row numbers, and no bytes make the
//! reader panic.

use super::*;
use proptest::prelude::*;

/// A cell: any text, not starting with a space (a space after a delimiter lets the dialect
/// sniffer choose `skipInitialSpace`, as Python's `csv.Sniffer` and so frictionless do).
fn cell() -> impl Strategy<Value = String> {
    "([^ ]\\PC{0,12})?|[,\"\r\n;\t']{1,4}|\\PC{0,3}[\"\n]\\PC{0,3}"
}

/// A table of 1–4 columns: a header of distinct names and up to 20 rows.
fn table() -> impl Strategy<Value = (Vec<String>, Vec<Vec<String>>)> {
    (1usize..=4).prop_flat_map(|n| {
        let header = (0..n).map(|i| format!("c{i}")).collect::<Vec<_>>();
        let rows = proptest::collection::vec(proptest::collection::vec(cell(), n), 0..20);
        (Just(header), rows)
    })
}

fn spec(dialect: &Dialect) -> TableSpec<'_> {
    TableSpec {
        encoding: Some("utf-8"),
        duplicate_rows: true,
        profile: true,
        keep_all_up_to: Some(u64::MAX),
        ..TableSpec::undeclared(dialect)
    }
}

proptest! {
    /// What the csv crate writes, `visit` reads back: every row, its cells, rows numbered from 2
    /// (the header is row 1), whatever quotes, delimiters and line breaks the cells hold.
    #[test]
    fn written_rows_read_back((header, rows) in table(), delimiter in proptest::sample::select(vec![b',', b';'])) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_path(&path).unwrap();
        w.write_record(&header).unwrap();
        for row in &rows {
            w.write_record(row).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        let dialect = Dialect { delimiter: Some(delimiter), quote_char: Some(b'"'), ..Dialect::default() };
        let mut read = Vec::new();
        visit(&path, &spec(&dialect), &mut |n, cells| {
            read.push((n, cells.iter().map(|c| c.to_string()).collect::<Vec<_>>()));
        }).unwrap();
        let expected: Vec<(u64, Vec<String>)> = rows.iter().cloned().enumerate().map(|(i, r)| (i as u64 + 2, r)).collect();
        prop_assert_eq!(read, expected);
        // `scan` agrees: the same header, the same number of rows, and the rows kept are the rows.
        let scan = scan(&path, Path::new("t.csv"), &spec(&dialect)).unwrap();
        prop_assert_eq!(&scan.header, &header);
        prop_assert_eq!(scan.rows, rows.len() as u64);
        prop_assert_eq!(scan.preview, rows);
    }

    /// No bytes make `scan` or `visit` panic, with or without a schema, and the digest covers
    /// every byte.
    #[test]
    fn any_bytes_are_safe(bytes in proptest::collection::vec(any::<u8>(), 0..400), with_schema in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, &bytes).unwrap();
        let schema = Schema::parse(&serde_json::json!({"fields": [
            {"name": "a", "type": "integer"}, {"name": "b", "type": "date"}
        ], "primaryKey": ["a"]})).unwrap();
        let dialect = Dialect::default();
        let spec = TableSpec { schema: with_schema.then_some(&schema), encoding: None, ..spec(&dialect) };
        let scan = scan(&path, Path::new("t.csv"), &spec).unwrap();
        prop_assert_eq!(scan.digest.bytes, bytes.len() as u64);
        visit(&path, &spec, &mut |_, _| {}).unwrap();
    }
}
