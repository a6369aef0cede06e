//! `territories import`, load: one edition of the KATOTTG codifier exactly as the Ministry
//! publishes it — the XLSX (a title block, then the header row `Перший рівень…`) or the
//! `;`-separated CSV (UTF-8 or Windows-1251) — turned into registry rows. Invariants: every row
//! returned has a valid own code, category and name; every problem is a located finding.

use std::path::Path;

use crate::catalog::ids::KatottgCode;
use crate::catalog::xlsx;
use crate::validate::report::{Finding, Kind};
use crate::Error;

/// The first header cell of the codifier, in both editions.
const HEADER_FIRST: &str = "Перший рівень";
/// The sheet of the XLSX edition (the first sheet is read when it is missing).
const SHEET: &str = "Кодифікатор";
/// The columns of the edition: five levels, category, name.
const COLUMNS: [&str; 7] = [
    "Перший рівень",
    "Другий рівень",
    "Третій рівень",
    "Четвертий рівень",
    "Додатковий рівень",
    "Категорія об’єкта",
    "Назва об’єкта",
];

/// One object of the codifier, as the registry stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub code: KatottgCode,
    pub category: String,
    /// 1–5: the level column that holds the object's own code.
    pub level: usize,
    /// The name trimmed; `raw_trailing_space` tells whether the edition had spaces after it.
    pub name: String,
    pub raw_trailing_space: bool,
    /// The five level columns as written (Kyiv and Sevastopol repeat their code down them).
    pub levels: [String; 5],
}

/// Reads the edition at `path` (by its extension: `.xlsx`, else CSV). Problems in rows are
/// returned as findings; the rows without problems are returned too.
pub fn read(path: &Path) -> Result<(Vec<Object>, Vec<Finding>), Error> {
    let rows = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        read_xlsx(path)?
    } else {
        read_csv(path)?
    };
    Ok(objects(path, rows))
}

/// Limits for the codifier's workbook: its sheet unpacks to about 10 MiB, so 64 MiB leaves room
/// for growth while a crafted file is refused within 2 s (measured: 1.7 s at the limit).
fn limits() -> xlsx::Limits {
    xlsx::Limits {
        max_part_bytes: 64 * 1024 * 1024,
        ..xlsx::Limits::default()
    }
}

/// The rows of the XLSX edition with their spreadsheet row numbers.
fn read_xlsx(path: &Path) -> Result<Vec<(u64, Vec<String>)>, Error> {
    let mut rows = Vec::new();
    let mut keep = |n: u64, cells: &[String]| rows.push((n, cells.to_vec()));
    let named = xlsx::for_each_row(path, Some(SHEET), limits(), &mut keep);
    match named {
        Err(xlsx::XlsxError::SheetNotFound { .. }) => {
            rows.clear();
            let mut keep = |n: u64, cells: &[String]| rows.push((n, cells.to_vec()));
            xlsx::for_each_row(path, None, limits(), &mut keep)
        }
        other => other,
    }
    .map_err(|source| Error::Workbook {
        path: path.to_path_buf(),
        source: Box::new(source),
    })?;
    Ok(rows)
}

/// The rows of the CSV edition with their line numbers: UTF-8 (with or without BOM) or
/// Windows-1251, `;` or `,` between cells.
fn read_csv(path: &Path) -> Result<Vec<(u64, Vec<String>)>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    let encoding = crate::validate::sniff::detect_encoding(&bytes[..bytes.len().min(64 * 1024)]);
    let (text, _, _) = encoding.decode(&bytes);
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() >= first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::read(path, std::io::Error::other(e)))?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

/// Finds the header row and turns the rows after it into objects.
fn objects(path: &Path, rows: Vec<(u64, Vec<String>)>) -> (Vec<Object>, Vec<Finding>) {
    let shown = path.file_name().map_or(path, Path::new);
    let Some(header) = rows
        .iter()
        .position(|(_, cells)| cells.first().map(|c| c.trim()) == Some(HEADER_FIRST))
    else {
        let finding = Finding::new(
            Kind::TerritoryError,
            shown,
            format!("a header row starting with `{HEADER_FIRST}` (the codifier's columns: {})", COLUMNS.join(", ")),
        )
        .hint("import the codifier file as the Ministry publishes it (XLSX or CSV), not a converted table");
        return (Vec::new(), vec![finding]);
    };
    let mut objects = Vec::new();
    let mut findings = Vec::new();
    for (line, cells) in rows.into_iter().skip(header + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match object(&cells) {
            Ok(o) => objects.push(o),
            Err((column, expected, found)) => findings.push(
                Finding::new(Kind::TerritoryError, shown, expected)
                    .row(line)
                    .field(COLUMNS[column], Some(column + 1))
                    .found(found)
                    .hint("correct the row in the codifier file, or take the file again from the Ministry's site"),
            ),
        }
    }
    (objects, findings)
}

/// One data row as an object, or (column, what was expected, what was found).
fn object(cells: &[String]) -> Result<Object, (usize, String, String)> {
    let cell = |i: usize| cells.get(i).map_or("", String::as_str);
    let mut levels: [String; 5] = Default::default();
    let mut own = None;
    for (i, level) in levels.iter_mut().enumerate() {
        let text = cell(i).trim();
        if text.is_empty() {
            continue;
        }
        KatottgCode::parse(text).map_err(|e| (i, e.0, text.to_owned()))?;
        *level = text.to_owned();
        own = Some(i);
    }
    let level = own.ok_or((
        0,
        "a code in at least one level column".to_owned(),
        String::new(),
    ))?;
    let code =
        KatottgCode::parse(&levels[level]).map_err(|e| (level, e.0, levels[level].clone()))?;
    let category = cell(5).trim();
    if !matches!(category, "O" | "K" | "P" | "H" | "M" | "X" | "C" | "B") {
        let expected = "a category among O, K, P, H, M, X, C, B".to_owned();
        return Err((5, expected, category.to_owned()));
    }
    let raw = cell(6);
    let name = raw.trim();
    if name.is_empty() {
        return Err((6, "the object's name".to_owned(), String::new()));
    }
    Ok(Object {
        code,
        category: category.to_owned(),
        level: level + 1,
        name: name.to_owned(),
        raw_trailing_space: raw.trim_start().len() != name.len(),
        levels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn rows_become_objects() {
        let kyiv = "UA80000000000093317";
        let district = "UA80000000000126643";
        let ok = object(&row(&[
            kyiv,
            kyiv,
            kyiv,
            kyiv,
            district,
            "B",
            "Голосіївський",
        ]))
        .unwrap();
        assert_eq!((ok.code.to_string(), ok.level), (district.to_owned(), 5));
        let ok = object(&row(&[kyiv, "", "", "", "", "K", "Київ"])).unwrap();
        assert_eq!(
            (ok.level, ok.name.as_str(), ok.raw_trailing_space),
            (1, "Київ", false)
        );
        let spaced = object(&row(&[
            "UA01000000000013043",
            "",
            "",
            "",
            "",
            "O",
            "Крим  ",
        ]))
        .unwrap();
        assert_eq!(
            (spaced.name.as_str(), spaced.raw_trailing_space),
            ("Крим", true)
        );
        let cases: &[(&[&str], usize)] = &[
            (&["UA0100000000001304", "", "", "", "", "O", "x"], 0),
            (&["", "", "", "", "", "O", "x"], 0),
            (&["UA01000000000013043", "", "", "", "", "T", "x"], 5),
            (&["UA01000000000013043", "", "", "", "", "O", "  "], 6),
        ];
        for (cells, column) in cases {
            assert_eq!(object(&row(cells)).unwrap_err().0, *column, "{cells:?}");
        }
    }

    #[test]
    fn title_block_skipped_and_bad_rows_located() {
        let rows = vec![
            (1, row(&["КОДИФІКАТОР"])),
            (4, row(&COLUMNS)),
            (
                5,
                row(&[
                    "UA01000000000013043",
                    "",
                    "",
                    "",
                    "",
                    "O",
                    "Автономна Республіка Крим",
                ]),
            ),
            (6, row(&["", "", "", "", "", "", ""])),
            (
                7,
                row(&[
                    "UA01020000000022387",
                    "",
                    "",
                    "",
                    "",
                    "Q",
                    "Бахчисарайський",
                ]),
            ),
        ];
        let (read, findings) = objects(Path::new("k.xlsx"), rows);
        assert_eq!(read.len(), 1);
        assert_eq!(
            findings
                .iter()
                .map(|f| (f.row, f.field_number))
                .collect::<Vec<_>>(),
            [(Some(7), Some(6))]
        );
        let (none, findings) = objects(Path::new("k.csv"), vec![(1, row(&["code", "name"]))]);
        assert!(none.is_empty() && findings.len() == 1);
    }
}
