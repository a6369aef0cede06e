//! Hostile CSV: the fixture's `revenues.csv` replaced (for `check`, with its declared schema and
//! `"encoding": "utf-8"`) or one file for `validate` (schema inferred, encoding detected).

use super::{cases, check, file, validate, REVENUES};

/// How `check` names the fixture's table.
const SHOWN: &str = "`publishers/vinnytska-miska-rada/budget/revenues.csv`";

/// `revenues.csv` from `tests/malformed/csv/<name>.csv`, for `check`.
fn revenues(p: &crate::support::Project, name: &str) -> Vec<String> {
    check(p, REVENUES, file(&format!("csv/{name}.csv")))
}

/// An `id,name` table whose bytes `bad` start exactly at byte `offset` (a read-buffer boundary),
/// inside row `row` (asserted: the generator and the expectations must agree), with a row
/// after it.
fn bytes_at(offset: usize, bad: &[u8], row: u64) -> Vec<u8> {
    let mut out = b"id,name\n".to_vec();
    let mut n = 1;
    while out.len() + 64 < offset {
        n += 1;
        out.extend_from_slice(format!("{n},громада {n}\n").as_bytes());
    }
    n += 1;
    out.extend_from_slice(format!("{n},").as_bytes());
    out.resize(offset, b'x');
    out.extend_from_slice(bad);
    out.extend_from_slice(format!("y\n{},last\n", n + 1).as_bytes());
    assert_eq!(n, row, "the bad bytes are in row {n}");
    out
}

/// The fixture's table with a line of `len` bytes in row 2 and a type error in row 3.
fn long_line(len: usize) -> Vec<u8> {
    let mut out = b"year,total,source\n2021,1,".to_vec();
    out.resize(out.len() + len, b'f');
    out.extend_from_slice(b"\n2022,two,fact\n");
    out
}

/// A header of `columns` columns (or, with `header` false, a first row as wide) and one row.
fn wide(columns: usize) -> Vec<u8> {
    let labels: Vec<String> = (1..=columns).map(|i| format!("c{i}")).collect();
    format!("{}\n{}\n", labels.join(","), vec!["1"; columns].join(",")).into_bytes()
}

cases! {
    ragged_rows: 1, [SHOWN, "row 2", "column 4", "row 3", "column 3"], |p| revenues(p, "ragged_rows");
    unterminated_quote_last_row: 1, [SHOWN, "row 3", "closing quote"], |p| revenues(p, "unterminated_quote_last_row");
    unterminated_quote_mid_file: 1, [SHOWN, "row 2", "closing quote"], |p| revenues(p, "unterminated_quote_mid_file");
    unterminated_quote_before_8_mib: 1, [SHOWN, "row 2", "closing quote"], |p| {
        let mut csv = b"year,total,source\n2021,\"1,fact\n".to_vec();
        csv.extend(b"2022,2,fact\n".repeat(8 << 20 >> 4));
        check(p, REVENUES, csv)
    };
    quote_in_unquoted_field: 1, [SHOWN, "row 2", "field `source` (column 3)", "fa\"ct"], |p| revenues(p, "quote_in_unquoted_field");
    garbage_after_closing_quote: 1, [SHOWN, "row 2", "field `source` (column 3)", "factual"], |p| revenues(p, "garbage_after_closing_quote");
    nul_byte: 1, [SHOWN, "row 3", "NUL"], |p| revenues(p, "nul_byte");
    nul_bytes_whole_row: 1, [SHOWN, "row 3", "NUL"], |p| revenues(p, "nul_bytes_whole_row");
    invalid_utf8_mid_file: 1, [SHOWN, "row 3", "column 3", "encoding-error"], |p| revenues(p, "invalid_utf8_mid_file");
    truncated_utf8_at_end: 1, [SHOWN, "row 3", "column 3", "encoding-error"], |p| revenues(p, "truncated_utf8_at_end");
    utf8_with_a_broken_byte_undeclared: 1, ["`data.csv`", "row 3", "field `name` (column 2)", "encoding-error"], |p| validate(p, "data.csv", file("csv/utf8_with_a_broken_byte.csv"), &[]);
    windows_1251_labelled_utf8: 1, [SHOWN, "row 3", "column 3", "windows-1251"], |p| revenues(p, "windows_1251_labelled_utf8");
    invalid_utf8_at_64_kib: 1, ["`big.csv`", "row 2709", "field `name` (column 2)", "encoding-error"], |p| {
        validate(p, "big.csv", bytes_at(64 << 10, b"\xff", 2709), &[])
    };
    invalid_utf8_at_1_mib: 1, ["`big.csv`", "row 39658", "field `name` (column 2)", "encoding-error"], |p| {
        validate(p, "big.csv", bytes_at(1 << 20, b"\xff", 39658), &["--encoding", "utf-8"])
    };
    letter_split_at_64_kib_then_bad_byte: 1, ["`big.csv`", "row 2709", "encoding-error"], |p| {
        // `ї` (D1 97) across the boundary is valid; the error must be the byte after it only.
        validate(p, "big.csv", bytes_at((64 << 10) - 1, b"\xd1\x97\xff", 2709), &["--encoding", "utf-8"])
    };
    utf16le_with_bom: 1, [SHOWN, "row 1", "UTF-16", "byte-order mark"], |p| revenues(p, "utf16le_with_bom");
    utf16le_without_bom: 1, [SHOWN, "row 1", "UTF-16", "without a byte-order mark"], |p| revenues(p, "utf16le_without_bom");
    empty_file: 1, [SHOWN, "empty file"], |p| revenues(p, "empty");
    bom_only: 1, [SHOWN, "empty file"], |p| revenues(p, "bom_only");
    header_only: 1, [SHOWN, "row 1", "only the header"], |p| revenues(p, "header_only");
    blank_lines_only: 1, [SHOWN, "row 1"], |p| revenues(p, "blank_lines_only");
    header_row_missing: 1, [SHOWN, "row 1", "field `year` (column 1)"], |p| revenues(p, "header_row_missing");
    blank_header_cell: 1, [SHOWN, "row 1", "column 2", "blank-label"], |p| revenues(p, "blank_header_cell");
    duplicate_header: 1, [SHOWN, "row 1", "column 2", "duplicate-label"], |p| revenues(p, "duplicate_header");
    wrong_delimiter: 1, [SHOWN, "row 2", "field `total` (column 2)"], |p| revenues(p, "wrong_delimiter");
    cr_only_line_ends: 1, [SHOWN, "row 3", "field `total` (column 2)"], |p| revenues(p, "cr_only_line_ends");
    mixed_line_ends: 1, [SHOWN, "row 4", "field `total` (column 2)"], |p| revenues(p, "mixed_line_ends");
    binary_file: 1, [SHOWN, "row 1"], |p| revenues(p, "binary_file");
    line_of_1_mib: 1, [SHOWN, "row 2", "field `source` (column 3)", "row 3", "field `total` (column 2)"], |p| check(p, REVENUES, long_line(1 << 20));
    line_of_20_mib: 1, [SHOWN, "row 2", "field `source` (column 3)", "row 3", "field `total` (column 2)"], |p| check(p, REVENUES, long_line(20 << 20));
    million_columns: 1, ["`wide.csv`", "row 1", "1000000 cells"], |p| validate(p, "wide.csv", wide(1_000_000), &[]);
    million_columns_without_header: 1, ["`wide.csv`", "row 1", "1000000 cells"], |p| validate(p, "wide.csv", wide(1_000_000), &["--no-header"]);
    million_empty_lines_at_the_end: 1, [SHOWN, "row 5", "blank-row", "primary-key", "2000000 problem(s) found; 1999000 of them not listed (at most 1000 are listed per file)"], |p| {
        let mut csv = file("csv/header_only.csv");
        csv.extend(b"2021,1,fact\n2022,2,fact\n");
        csv.resize(csv.len() + 1_000_000, b'\n');
        check(p, REVENUES, csv)
    };
    folder_instead_of_a_file: 2, ["`data.csv`", "it is a folder"], |p| {
        std::fs::create_dir(p.dir.path().join("data.csv")).unwrap();
        crate::malformed::args(&["validate", "data.csv"])
    };
    resolution_835_list_without_its_columns: 1, ["`resolution-835.csv`", "row 1", "code,name_uk"], |p| {
        p.edit("catalog.toml", "[territories]", "[resolution_835]\nlist = \"resolution-835.csv\"\n\n[territories]");
        check(p, "resolution-835.csv", "version;title\n1;x\n")
    };
    registry_cut_mid_row: 1, ["`publishers/mindev/registry/katottg.csv`", "row 2", "closing quote"], |p| {
        check(p, "publishers/mindev/registry/katottg.csv", "code,category,level,name,name_raw_has_trailing_space,level1,level2,level3,level4,level_extra\nUA05000000000010236,O,1,\"Він\n")
    };
    million_cells_in_a_row: 1, [SHOWN, "row 2", "column 4", "extra-cell"], |p| {
        let mut csv = b"year,total,source\n2021,1,fact".to_vec();
        csv.extend(b",x".repeat(1_000_000));
        check(p, REVENUES, csv)
    };
}
