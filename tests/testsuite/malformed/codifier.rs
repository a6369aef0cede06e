//! Hostile codifier editions for `territories import` (the CSV form; workbooks are in `xlsx`).
//! Every one must be refused with nothing written, so a dry run is enough.

use super::{cases, file, import};
use crate::support::Project;

/// The name the edition is imported under (the date in it is the edition's).
const NAME: &str = "kodifikator-2026-01-01.csv";
const SHOWN: &str = "`kodifikator-2026-01-01.csv`";

/// The edition `tests/malformed/codifier/<name>.csv`, imported.
fn edition(p: &Project, name: &str) -> Vec<String> {
    import(p, NAME, file(&format!("codifier/{name}.csv")))
}

cases! {
    empty: 1, [SHOWN, "a header row"], |p| edition(p, "empty");
    header_only: 1, [SHOWN, "row 1", "objects in the rows after the header"], |p| edition(p, "header_only");
    title_block_only: 1, [SHOWN, "row 1", "a header row"], |p| edition(p, "title_block_only");
    wrong_columns: 1, [SHOWN, "row 1", "a header row"], |p| edition(p, "wrong_columns");
    bad_code: 1, [SHOWN, "row 3", "field `Перший рівень` (column 1)", "KATOTTG"], |p| edition(p, "bad_code");
    bad_code_letters: 1, [SHOWN, "row 3", "field `Другий рівень` (column 2)", "UAO5020000000026686"], |p| edition(p, "bad_code_letters");
    duplicate_code: 1, [SHOWN, "row 4", "field `Другий рівень` (column 2)", "row 3 has it too"], |p| edition(p, "duplicate_code");
    parent_missing: 1, [SHOWN, "row 3", "field `Другий рівень` (column 2)", "UA05020000000026686"], |p| edition(p, "parent_missing");
    bad_category: 1, [SHOWN, "row 3", "field `Категорія об’єкта` (column 6)"], |p| edition(p, "bad_category");
    name_missing: 1, [SHOWN, "row 3", "field `Назва об’єкта` (column 7)"], |p| edition(p, "name_missing");
    no_code_in_row: 1, [SHOWN, "row 3", "column 1"], |p| edition(p, "no_code_in_row");
    unterminated_quote: 1, [SHOWN, "row 3", "column 1"], |p| edition(p, "unterminated_quote");
    invalid_utf8: 1, [SHOWN, "row 3", "UTF-8"], |p| edition(p, "invalid_utf8");
    windows_1251_bad_code: 1, [SHOWN, "row 3", "field `Другий рівень` (column 2)", "UA0502ХХХ"], |p| edition(p, "windows_1251_bad_code");
    binary: 1, [SHOWN, "row 1", "a header row"], |p| edition(p, "binary");
    million_rows: 1, [SHOWN, "row 300001", "at most 300000 rows"], |p| {
        let head = file("codifier/header_only.csv");
        let row = "UA05000000000010236;;;;;O;Вінницька\n".repeat(1_000_000);
        import(p, NAME, [head, row.into_bytes()].concat())
    };
    hundred_thousand_repeated_codes: 1, [SHOWN, "row 3", "row 2 has it too"], |p| {
        let head = file("codifier/header_only.csv");
        let row = "UA05000000000010236;;;;;O;Вінницька\n".repeat(100_000);
        import(p, NAME, [head, row.into_bytes()].concat())
    };
    file_of_65_mib: 1, [SHOWN, "at most 64 MiB"], |p| import(p, NAME, vec![b'\n'; 65 << 20]);
}
