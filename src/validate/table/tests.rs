//! Unit tests of `validate::table`: hashing beside, empty and over-wide tables, the findings limit.

use super::*;
use std::io::Write;

/// A large table read twice at once (hashing beside) gives what one hashing read gives:
/// the same findings and the digest of the file's bytes.
#[test]
fn hashing_beside_gives_the_same_scan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(out, "id,name,amount").unwrap();
    let mut row = 0u64;
    let mut written = 0u64;
    while written <= PARALLEL_FROM + 1024 {
        row += 1;
        // A few bad cells and a repeated id, so that findings come from several places.
        let line = match row % 100_000 {
            7 => format!("x{row},назва {row},1.5\n"),
            8 => format!("{},назва {row},2.5\n", row - 1),
            _ => format!("{row},назва {row},{}.{:02}\n", row % 977, row % 100),
        };
        written += line.len() as u64;
        out.write_all(line.as_bytes()).unwrap();
    }
    drop(out);
    let schema = Schema::parse(&serde_json::json!({
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "name", "type": "string"},
            {"name": "amount", "type": "number", "constraints": {"minimum": 0}}
        ],
        "primaryKey": ["id"]
    }))
    .unwrap();
    let dialect = Dialect::default();
    let spec = TableSpec {
        schema: Some(&schema),
        dialect: &dialect,
        encoding: None,
        duplicate_rows: false,
        with_md5: true,
        workers: 2,
        profile: true,
        keep_all_up_to: None,
    };
    let shown = Path::new("big.csv");
    let size = std::fs::metadata(&path).unwrap().len();
    let open = || std::fs::File::open(&path).unwrap();
    let inline = scan_read(HashingReader::new(open(), true), size, shown, &spec).unwrap();
    let beside = scan_hashing_beside(&path, open(), size, shown, &spec).unwrap();
    assert!(inline.findings.len() >= 4, "{:?}", inline.findings);
    assert_eq!(
        format!("{:?}", inline.findings),
        format!("{:?}", beside.findings)
    );
    assert_eq!(inline.rows, beside.rows);
    assert_eq!(inline.digest, beside.digest);
    assert_eq!(inline.digest, checksum::digest_file(&path, true).unwrap());
    assert_eq!(beside.digest.bytes, size);
    // With one thread in the pool (no workers), the table is read and checked on this thread
    // alone: the same scan again.
    let alone = TableSpec { workers: 0, ..spec };
    let alone = scan_read(HashingReader::new(open(), true), size, shown, &alone).unwrap();
    assert_eq!(
        format!("{:?}", inline.findings),
        format!("{:?}", alone.findings)
    );
    assert_eq!(
        (inline.rows, &inline.digest, &inline.preview),
        (alone.rows, &alone.digest, &alone.preview)
    );
    assert_eq!(
        format!("{:?}", inline.profile),
        format!("{:?}", alone.profile)
    );
}

#[test]
fn large_tables_share_the_pools_threads() {
    // (threads in the pool, large tables at once, checking threads for each)
    let cases = [
        (1, 1, 0),
        (1, 5, 0),
        (2, 0, 2),
        (2, 1, 2),
        (2, 2, 1),
        (2, 9, 1),
        (8, 1, 4),
        (8, 4, 2),
    ];
    for (threads, large, want) in cases {
        assert_eq!(workers_among(threads, large), want, "{threads} {large}");
    }
}

/// What `scan` finds in `bytes` with nothing declared: (kind, row, found) of each finding.
fn findings_in(bytes: &[u8]) -> Vec<(Kind, Option<u64>, Option<String>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, bytes).unwrap();
    let dialect = Dialect::default();
    let spec = TableSpec::undeclared(&dialect);
    let scan = scan(&path, Path::new("t.csv"), &spec).unwrap();
    (scan.findings.into_iter())
        .map(|f| (f.kind, f.row, f.found))
        .collect()
}

#[test]
fn empty_bom_only_and_too_wide_tables_are_refused_at_once() {
    let empty = Some("an empty file".to_owned());
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"\xFF\xFE"] {
        assert_eq!(
            findings_in(bytes),
            [(Kind::SourceError, None, empty.clone())]
        );
    }
    let wide = vec![b','; MAX_COLUMNS];
    let found = Some(format!("{} cells", MAX_COLUMNS + 1));
    assert_eq!(
        findings_in(&wide),
        [(Kind::SourceError, Some(1), found.clone())]
    );
    let mut tall = b"a,b\n1,2\n".to_vec();
    tall.extend_from_slice(&wide);
    assert_eq!(findings_in(&tall), [(Kind::SourceError, Some(3), found)]);
    assert!(
        findings_in(b"a,b\n").is_empty(),
        "a header alone is a valid table"
    );
}

/// A million empty lines at the end are a million blank rows, counted, of which the first
/// `MAX_FINDINGS` are kept: the others are never all held at once (they took 460 MB).
#[test]
fn findings_past_the_limit_are_counted_not_held() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let mut csv = b"a,b\n1,2\n".to_vec();
    csv.resize(csv.len() + 5000, b'\n');
    std::fs::write(&path, csv).unwrap();
    let dialect = Dialect::default();
    let scan = scan(&path, Path::new("t.csv"), &TableSpec::undeclared(&dialect)).unwrap();
    assert_eq!((scan.findings.len(), scan.omitted), (MAX_FINDINGS, 4000));
    assert_eq!(scan.findings[0].row, Some(3));
    // With a primary key each blank row is also a row without a key: twice the findings.
    let keyed = r#"{"fields": [{"name": "a"}, {"name": "b"}], "primaryKey": ["a"]}"#;
    let schema = Schema::parse(&serde_json::from_str(keyed).unwrap()).unwrap();
    let spec = TableSpec {
        schema: Some(&schema),
        ..TableSpec::undeclared(&dialect)
    };
    let keyed = super::scan(&path, Path::new("t.csv"), &spec).unwrap();
    assert_eq!((keyed.findings.len(), keyed.omitted), (MAX_FINDINGS, 9000));
}
