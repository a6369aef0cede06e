//! `territories import`, load: one edition of the KATOTTG codifier exactly as the Ministry
//! publishes it — the XLSX (a title block, then the header row `Перший рівень…`) or the
//! `;`-separated CSV (UTF-8 or Windows-1251) — turned into registry rows. Invariants: every row
//! returned has a valid own code, category and name; every problem is a located finding.

use std::collections::HashMap;
use std::path::Path;

use crate::catalog::ids::KatottgCode;
use crate::catalog::xlsx;
use crate::validate::report::{Finding, Kind};
use crate::Error;

/// The first header cell of the codifier, in both editions.
const HEADER_FIRST: &str = "Перший рівень";
/// The sheet of the XLSX edition (the first sheet is read when it is missing).
const SHEET: &str = "Кодифікатор";
/// The columns of the edition: five levels, category, name (the header row, word for word).
pub const COLUMNS: [&str; 7] = [
    "Перший рівень",
    "Другий рівень",
    "Третій рівень",
    "Четвертий рівень",
    "Додатковий рівень",
    "Категорія об’єкта",
    "Назва об’єкта",
];

/// Rows of an edition: each with its line (or spreadsheet row) number and its cells.
type Rows = Vec<(u64, Vec<String>)>;

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
        match read_csv(path)? {
            Ok(rows) => rows,
            Err(finding) => return Ok((Vec::new(), vec![*finding])),
        }
    };
    Ok(objects(path, rows))
}

/// The name a file is shown by in findings: its file name.
fn shown(path: &Path) -> &Path {
    path.file_name().map_or(path, Path::new)
}

/// Limits for the codifier's workbook: its sheet unpacks to about 10 MiB, so 64 MiB leaves room
/// for growth while a crafted file is refused within 2 s (measured: 1.7 s at the limit).
fn limits() -> xlsx::Limits {
    xlsx::Limits {
        max_part_bytes: MAX_BYTES,
        max_rows: MAX_ROWS,
        ..xlsx::Limits::default()
    }
}

/// The most bytes of an edition (the CSV file, or the workbook's sheet unpacked): the codifier
/// takes about 10 MiB.
const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The most rows of an edition read: the codifier has about 30,000 objects. Every row is held
/// until all are checked, so this bounds memory (a file of a million rows took a gigabyte).
const MAX_ROWS: u64 = 300_000;

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
fn read_csv(path: &Path) -> Result<Result<Rows, Box<Finding>>, Error> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::read(path, e))?
        .len();
    if size > MAX_BYTES {
        let expected = format!("a codifier file of at most {} MiB", MAX_BYTES >> 20);
        let found = format!("{} MiB", size >> 20);
        return Ok(Err(too_big(path, expected, found, None)));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    let text = match decode(bytes, shown(path)) {
        Ok(text) => text,
        Err(finding) => return Ok(Err(finding)),
    };
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
        if rows.len() as u64 == MAX_ROWS {
            let expected = format!("at most {MAX_ROWS} rows");
            return Ok(Err(too_big(path, expected, "more rows".into(), Some(line))));
        }
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(Ok(rows))
}

/// The finding for an edition beyond the limits (at `line` when it has one).
fn too_big(path: &Path, expected: String, found: String, line: Option<u64>) -> Box<Finding> {
    let mut finding = Finding::new(Kind::TerritoryError, shown(path), expected)
        .found(found)
        .hint("the codifier is far smaller: take the file again from the Ministry's site");
    if let Some(line) = line {
        finding = finding.row(line);
    }
    Box::new(finding)
}

/// The CSV edition's bytes as text. UTF-8 when the bytes are, or when UTF-8 letters come before
/// the first bytes that are not (a UTF-8 file damaged mid-way: a finding at that row, instead of
/// names garbled by reading the whole file as Windows-1251); else the detected code page.
fn decode(bytes: Vec<u8>, shown: &Path) -> Result<String, Box<Finding>> {
    let utf8 = match std::str::from_utf8(&bytes) {
        Ok(_) => true,
        Err(e) => bytes[..e.valid_up_to()].iter().any(|b| *b >= 0x80),
    };
    if utf8 && !bytes.starts_with(&[0xFF, 0xFE]) && !bytes.starts_with(&[0xFE, 0xFF]) {
        return crate::catalog::decode_text(bytes, shown, Kind::TerritoryError);
    }
    let encoding = crate::validate::sniff::detect_encoding(&bytes[..bytes.len().min(64 * 1024)]);
    Ok(encoding.decode(&bytes).0.into_owned())
}

/// Finds the header row and turns the rows after it into objects.
fn objects(path: &Path, rows: Vec<(u64, Vec<String>)>) -> (Vec<Object>, Vec<Finding>) {
    let shown = shown(path);
    let Some(header) = rows
        .iter()
        .position(|(_, cells)| cells.first().map(|c| c.trim()) == Some(HEADER_FIRST))
    else {
        let mut finding = Finding::new(
            Kind::TerritoryError,
            shown,
            format!("a header row starting with `{HEADER_FIRST}` (the codifier's columns: {})", COLUMNS.join(", ")),
        )
        .hint("import the codifier file as the Ministry publishes it (XLSX or CSV), not a converted table");
        if let Some((line, cells)) = rows.first() {
            finding = finding.row(*line).found(cells.join(" | "));
        }
        return (Vec::new(), vec![finding]);
    };
    let header_line = rows[header].0;
    let mut objects = Vec::new();
    let mut findings = Vec::new();
    for (line, cells) in rows.into_iter().skip(header + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match object(&cells) {
            Ok(o) => objects.push((line, o)),
            Err((column, expected, found)) => findings.push(
                row_finding(shown, line, column, expected)
                    .found(found)
                    .hint("correct the row in the codifier file, or take the file again from the Ministry's site"),
            ),
        }
    }
    if objects.is_empty() && findings.is_empty() {
        findings.push(
            Finding::new(Kind::TerritoryError, shown, "objects in the rows after the header (importing none would empty the registry)")
                .row(header_line)
                .hint("the file ends after its header: take the whole file again from the Ministry's site"),
        );
    }
    findings.extend(consistency(shown, &objects));
    (objects.into_iter().map(|(_, o)| o).collect(), findings)
}

/// A finding about `column` of the edition's row `line`.
fn row_finding(shown: &Path, line: u64, column: usize, expected: impl Into<String>) -> Finding {
    Finding::new(Kind::TerritoryError, shown, expected)
        .row(line)
        .field(COLUMNS[column], Some(column + 1))
}

/// Codes given twice, and level columns naming a code that is not an object of the edition (a
/// settlement in a hromada the file does not have): either would make a registry with holes.
fn consistency(shown: &Path, objects: &[(u64, Object)]) -> Vec<Finding> {
    let mut first: HashMap<&KatottgCode, u64> = HashMap::new();
    let mut findings = Vec::new();
    for (line, o) in objects {
        if let Some(earlier) = first.insert(&o.code, *line) {
            first.insert(&o.code, earlier);
            let expected = format!("a code not given before (row {earlier} has it too)");
            findings.push(
                row_finding(shown, *line, o.level - 1, expected)
                    .found(o.code.to_string())
                    .hint(
                        "delete the repeated row, or take the file again from the Ministry's site",
                    ),
            );
        }
    }
    for (line, o) in objects {
        let parents = o.levels[..o.level - 1].iter().enumerate();
        let missing = parents.filter(|(_, code)| {
            !code.is_empty() && KatottgCode::parse(code).is_ok_and(|c| !first.contains_key(&c))
        });
        for (column, code) in missing {
            let expected = "the code of an object listed in the file (its own row is missing)";
            findings.push(
                row_finding(shown, *line, column, expected)
                    .found(code.clone())
                    .hint("the file is incomplete: take the whole file again from the Ministry's site"),
            );
        }
    }
    findings
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

    #[test]
    fn repeated_codes_missing_parents_and_an_empty_edition_are_findings() {
        let oblast = "UA05000000000010236";
        let raion = "UA05020000000026686";
        let rows = vec![
            (4, row(&COLUMNS)),
            (5, row(&[oblast, "", "", "", "", "O", "Вінницька"])),
            (6, row(&[oblast, "", "", "", "", "O", "Вінницька"])),
            (
                7,
                row(&[
                    oblast,
                    raion,
                    "UA05020030000031457",
                    "",
                    "",
                    "H",
                    "Вінницька",
                ]),
            ),
        ];
        let (_, findings) = objects(Path::new("k.csv"), rows);
        let located: Vec<_> = findings.iter().map(|f| (f.row, f.field_number)).collect();
        assert_eq!(located, [(Some(6), Some(1)), (Some(7), Some(2))]);
        let (none, findings) = objects(Path::new("k.csv"), vec![(4, row(&COLUMNS))]);
        assert!(none.is_empty());
        assert_eq!(
            findings.iter().map(|f| f.row).collect::<Vec<_>>(),
            [Some(4)]
        );
    }

    #[test]
    fn a_utf8_file_damaged_mid_way_is_a_finding_at_its_row() {
        let mut bytes = "Перший рівень;x\nUA1;".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\n");
        assert_eq!(decode(bytes, Path::new("k.csv")).unwrap_err().row, Some(2));
        let cp1251 = encoding_rs::WINDOWS_1251
            .encode("Перший рівень;x\n")
            .0
            .into_owned();
        assert!(decode(cp1251, Path::new("k.csv"))
            .unwrap()
            .starts_with("Перший"));
    }
}
