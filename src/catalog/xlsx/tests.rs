use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

type Rows = Vec<(u64, Vec<String>)>;

/// Writes a zip of `parts` (name, content) to `dir/name`, deflated.
fn write_zip(dir: &Path, name: &str, parts: &[(String, String)]) -> PathBuf {
    write_zip_as(dir, name, parts, CompressionMethod::Deflated)
}

fn write_zip_as(
    dir: &Path,
    name: &str,
    parts: &[(String, String)],
    method: CompressionMethod,
) -> PathBuf {
    let path = dir.join(name);
    let mut zip = ZipWriter::new(File::create(&path).unwrap());
    let options = SimpleFileOptions::default().compression_method(method);
    for (part, content) in parts {
        zip.start_file(part.as_str(), options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// The parts of a workbook whose sheets are `(name, link target, sheetData content)`, with the
/// shared strings `shared` (`<si>` elements) if any.
fn book(sheets: &[(&str, &str, &str)], shared: Option<&str>) -> Vec<(String, String)> {
    let mut listed = String::new();
    let mut links = String::new();
    let mut parts = Vec::new();
    for (i, (name, target, data)) in sheets.iter().enumerate() {
        let id = i + 1;
        listed += &format!(r#"<sheet name="{name}" sheetId="{id}" r:id="rId{id}"/>"#);
        links +=
            &format!(r#"<Relationship Id="rId{id}" Type="{REL_NS}/worksheet" Target="{target}"/>"#);
        let xml = format!(
            r#"<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><dimension ref="A1:XFD1048576"/><sheetData>{data}</sheetData></worksheet>"#
        );
        parts.push((resolve_target(target), xml));
    }
    if let Some(shared) = shared {
        links += &format!(
            r#"<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>"#
        );
        parts.push((
            SHARED_STRINGS.into(),
            format!(r#"<sst xmlns="{MAIN_NS}">{shared}</sst>"#),
        ));
    }
    parts.push((
        WORKBOOK.into(),
        format!(
            r#"<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{listed}</sheets></workbook>"#
        ),
    ));
    parts.push((WORKBOOK_RELS.into(), format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{links}</Relationships>"#)));
    parts
}

fn read(path: &Path, sheet: Option<&str>, limits: Limits) -> Result<Rows, XlsxError> {
    let mut rows = Vec::new();
    for_each_row(path, sheet, limits, &mut |n, cells| {
        rows.push((n, cells.to_vec()))
    })?;
    Ok(rows)
}

fn row(n: u64, cells: &[&str]) -> (u64, Vec<String>) {
    (n, cells.iter().map(|c| c.to_string()).collect())
}

/// One sheet of one row, in a fresh workbook, read with default limits.
fn one_row(data: &str, shared: Option<&str>) -> Result<Rows, XlsxError> {
    let dir = tempfile::tempdir().unwrap();
    let parts = book(&[("Аркуш1", "worksheets/sheet1.xml", data)], shared);
    read(
        &write_zip(dir.path(), "b.xlsx", &parts),
        None,
        Limits::default(),
    )
}

#[test]
fn values_of_every_kind() {
    let shared = concat!(
        "<si><t>Tom &amp; Jerry &lt;3 &#x41;&#66;&quot;</t></si>",
        r#"<si><r><t xml:space="preserve">Кам'янка </t></r><r><rPr><b/></rPr><t>-Бузька</t></r><rPh sb="0" eb="1"><t>フリ</t></rPh></si>"#,
        "<si/>",
        r#"<si><t xml:space="preserve">  spaced  </t></si>"#,
        "<si><t>two\r\nlines</t></si>",
    );
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "shared, entities",
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
            &["Tom & Jerry <3 AB\""],
        ),
        (
            "shared rich text, phonetic run left out",
            r#"<row r="1"><c r="A1" t="s"><v>1</v></c></row>"#,
            &["Кам'янка -Бузька"],
        ),
        (
            "empty shared string",
            r#"<row r="1"><c r="A1" t="s"><v>2</v></c><c r="B1"><v>1</v></c></row>"#,
            &["", "1"],
        ),
        (
            "spaces kept",
            r#"<row r="1"><c r="A1" t="s"><v>3</v></c></row>"#,
            &["  spaced  "],
        ),
        (
            "line ends as in XML",
            r#"<row r="1"><c r="A1" t="s"><v>4</v></c></row>"#,
            &["two\nlines"],
        ),
        (
            "inline string",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>plain &amp; simple</t></is></c></row>"#,
            &["plain & simple"],
        ),
        (
            "inline rich text",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><r><t xml:space="preserve">Нова </t></r><r><rPr><i/></rPr><t>Одеса</t></r><rPh><t>x</t></rPh></is></c></row>"#,
            &["Нова Одеса"],
        ),
        (
            "inline CDATA",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>"#,
            &["a<b"],
        ),
        (
            "inline spaces only",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> </t></is></c></row>"#,
            &[" "],
        ),
        (
            "numbers as written",
            r#"<row r="1"><c r="A1"><v>1.50</v></c><c r="B1" t="n"><v>-2E-3</v></c></row>"#,
            &["1.50", "-2E-3"],
        ),
        (
            "booleans",
            r#"<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c></row>"#,
            &["TRUE", "FALSE"],
        ),
        (
            "formula string, not the formula",
            r#"<row r="1"><c r="A1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="B1"><f>1+1</f><v>2</v></c></row>"#,
            &["ab", "2"],
        ),
        (
            "error",
            r##"<row r="1"><c r="A1" t="e"><v>#DIV/0!</v></c></row>"##,
            &["#DIV/0!"],
        ),
        (
            "gaps",
            r#"<row r="1"><c r="B1"><v>1</v></c><c r="E1"><v>2</v></c></row>"#,
            &["", "1", "", "", "2"],
        ),
        (
            "no references",
            r#"<row><c><v>1</v></c><c t="b"><v>1</v></c><c t="inlineStr"><is><t>c</t></is></c></row>"#,
            &["1", "TRUE", "c"],
        ),
        (
            "after a reference, the next column",
            r#"<row r="1"><c r="C1"><v>3</v></c><c><v>4</v></c></row>"#,
            &["", "", "3", "4"],
        ),
        (
            "styled empty cells left out",
            r#"<row r="1"><c r="A1" s="1"/><c r="B1"><v>1</v></c><c r="C1" s="2"/><c r="D1" t="s" s="3"/></row>"#,
            &["", "1"],
        ),
        (
            "prefixed names",
            r#"<x:row xmlns:x="urn:x" r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>p</x:t></x:is></x:c></x:row>"#,
            &["p"],
        ),
    ];
    for (what, data, expected) in cases {
        let rows = one_row(data, Some(shared)).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(rows, vec![row(1, expected)], "{what}");
    }
}

#[test]
fn row_numbers_from_r_or_counted() {
    let data = concat!(
        r#"<row r="2"><c r="A2"><v>a</v></c></row>"#,
        r#"<row><c r="A3"><v>b</v></c></row>"#,
        r#"<row r="7" spans="1:3"/>"#,
        r#"<row r="9"><c r="A9"><v>c</v></c></row>"#,
    );
    let rows = one_row(data, None).unwrap();
    assert_eq!(
        rows,
        vec![row(2, &["a"]), row(3, &["b"]), row(7, &[]), row(9, &["c"])]
    );
}

#[test]
fn sheets_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let sheets = [
        (
            "Аркуш1",
            "worksheets/sheet1.xml",
            r#"<row r="1"><c r="A1"><v>1</v></c></row>"#,
        ),
        (
            "Лист2",
            "/xl/worksheets/other.xml",
            r#"<row r="1"><c r="A1"><v>2</v></c></row>"#,
        ),
    ];
    let path = write_zip(dir.path(), "two.xlsx", &book(&sheets, None));
    let first = |rows: Rows| rows[0].1[0].clone();
    assert_eq!(first(read(&path, None, Limits::default()).unwrap()), "1");
    assert_eq!(
        first(read(&path, Some("Лист2"), Limits::default()).unwrap()),
        "2"
    );
    assert_eq!(
        first(read(&path, Some("лист2"), Limits::default()).unwrap()),
        "2"
    );
    let err = read(&path, Some("Foo"), Limits::default()).unwrap_err();
    assert!(matches!(err, XlsxError::SheetNotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` has no sheet named `Foo` (sheets: `Аркуш1`, `Лист2`)",
            path.display()
        )
    );
}

#[test]
fn targets_resolve_relative_to_xl() {
    assert_eq!(
        resolve_target("worksheets/sheet1.xml"),
        "xl/worksheets/sheet1.xml"
    );
    assert_eq!(
        resolve_target("/xl/worksheets/a.xml"),
        "xl/worksheets/a.xml"
    );
    assert_eq!(
        resolve_target("../customXml/item1.xml"),
        "customXml/item1.xml"
    );
    assert_eq!(resolve_target("./worksheets\\s.xml"), "xl/worksheets/s.xml");
    assert_eq!(resolve_target("../../../x"), "x");
}

#[test]
fn column_references() {
    assert_eq!(column_index(b"A1"), Some(0));
    assert_eq!(column_index(b"C12"), Some(2));
    assert_eq!(column_index(b"AA3"), Some(26));
    assert_eq!(column_index(b"XFD1"), Some(16383));
    assert_eq!(column_index(b"ZZZZZZZZZZZZZZZZZZZZZZ1"), Some(u64::MAX - 1));
    for bad in [&b""[..], b"1", b"A1B", b"$A$1", "Б1".as_bytes()] {
        assert_eq!(column_index(bad), None, "{}", String::from_utf8_lossy(bad));
    }
}

/// `n` rows of one inline-string cell of `cell_bytes` letters.
fn big_sheet(rows: usize, cell_bytes: usize) -> String {
    let text = "x".repeat(cell_bytes);
    (1..=rows)
        .map(|r| {
            format!(r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{text}</t></is></c></row>"#)
        })
        .collect()
}

#[test]
fn refusals() {
    let mib = 1 << 20;
    let small = Limits {
        max_part_bytes: mib,
        ..Limits::default()
    };
    let few_rows = Limits {
        max_rows: 2,
        ..Limits::default()
    };
    let few_shared = Limits {
        max_shared_bytes: 1000,
        ..Limits::default()
    };
    let many_shared = "<si><t>0123456789</t></si>".repeat(100);
    let cases: Vec<(&str, String, Option<String>, Limits, &str)> = vec![
        (
            "column beyond the limit",
            r#"<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>"#.into(),
            None,
            Limits::default(),
            "row 1 of `{}` has a cell in column 16384, beyond the limit of 256 columns",
        ),
        (
            "column beyond the limit without references",
            r#"<row r="3"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>"#.into(),
            None,
            Limits { max_columns: 2, ..Limits::default() },
            "row 3 of `{}` has a cell in column 3, beyond the limit of 2 columns",
        ),
        (
            "part past the limit",
            big_sheet(2 * 1024, 1000),
            None,
            small,
            "`{}`: the part `xl/worksheets/sheet1.xml` would unpack to more than 1 MiB — refused as a possible zip bomb",
        ),
        (
            "one piece past 1 MiB",
            big_sheet(1, 2 * mib as usize),
            None,
            Limits::default(),
            "`{}`: the part `xl/worksheets/sheet1.xml` has a single piece of text or markup longer than 1 MiB — refused as damaged or crafted",
        ),
        (
            "shared strings past the limit",
            String::new(),
            Some(many_shared),
            few_shared,
            "`{}`: the shared-strings table holds more than 1000 bytes of text — refused as a possible zip bomb",
        ),
        ("too many rows", big_sheet(3, 1), None, few_rows, "`{}` has more than 2 rows, the most that are read"),
        (
            "rows out of order",
            r#"<row r="5"/><row r="4"/>"#.into(),
            None,
            Limits::default(),
            "`{}` is damaged: a row is numbered `4` where row 6 or a later one should come",
        ),
        (
            "row number zero",
            r#"<row r="0"/>"#.into(),
            None,
            Limits::default(),
            "`{}` is damaged: a row is numbered `0` where row 1 or a later one should come",
        ),
        (
            "malformed cell reference",
            r#"<row r="2"><c r="2B"><v>1</v></c></row>"#.into(),
            None,
            Limits::default(),
            "row 2 of `{}` has a cell with the malformed reference `2B`",
        ),
        (
            "shared index out of range",
            r#"<row r="1"><c r="A1" t="s"><v>7</v></c></row>"#.into(),
            Some("<si><t>a</t></si>".into()),
            Limits::default(),
            "row 1 of `{}` is damaged: a cell refers to shared text number `7`, but there are only 1",
        ),
        (
            "unknown entity",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>"#.into(),
            None,
            Limits::default(),
            "`{}` is damaged: the part `xl/worksheets/sheet1.xml` cannot be read (near byte ",
        ),
        (
            "mismatched tags",
            r#"<row r="1"><c r="A1"><v>1</c></row>"#.into(),
            None,
            Limits::default(),
            "`{}` is damaged: the part `xl/worksheets/sheet1.xml` cannot be read (near byte ",
        ),
    ];
    for (what, data, shared, limits, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        let parts = book(&[("S", "worksheets/sheet1.xml", &data)], shared.as_deref());
        let path = write_zip(dir.path(), "r.xlsx", &parts);
        let err = read(&path, None, limits).expect_err(what);
        let expected = message.replace("{}", &path.display().to_string());
        assert!(err.to_string().starts_with(&expected), "{what}: {err}");
    }
}

mod damaged;

/// The shared materials beside the repository (`../shared`), wherever it is checked out.
fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/katottg")
        .join(rel)
}

#[test]
fn real_codifier() {
    let codifier = shared("kodifikator.xlsx");
    if !codifier.is_file() {
        println!("skipped: {} is absent", codifier.display());
        return;
    }
    let rows = read(&codifier, Some("Кодифікатор"), Limits::default()).unwrap();
    let header = row(
        4,
        &[
            "Перший рівень",
            "Другий рівень",
            "Третій рівень",
            "Четвертий рівень",
            "Додатковий рівень",
            "Категорія об’єкта",
            "Назва об’єкта",
        ],
    );
    let at = rows.iter().position(|(n, _)| *n == 4).expect("row 4");
    assert_eq!(rows[at], header);
    assert!(
        rows[..at].iter().all(|(n, _)| *n < 4),
        "the title block comes first"
    );
    let data: Vec<&(u64, Vec<String>)> = rows[at + 1..]
        .iter()
        .filter(|(_, c)| !c.is_empty())
        .collect();
    println!(
        "{} rows, {} data rows, last row {}",
        rows.len(),
        data.len(),
        rows.last().unwrap().0
    );
    assert!(data.len() > 30_000, "{} data rows", data.len());
    assert!(
        data.iter().all(|(_, c)| c.len() == 7),
        "seven columns in every data row"
    );
    assert_eq!(
        data[0].1,
        [
            "UA01000000000013043",
            "",
            "",
            "",
            "",
            "O",
            "Автономна Республіка Крим"
        ]
    );

    let csv_path = shared("kodifikator-2025-05-16.csv");
    let Ok(csv) = std::fs::read_to_string(&csv_path) else {
        println!("CSV comparison skipped: {} is absent", csv_path.display());
        return;
    };
    let csv: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(';').collect())
        .collect();
    // The first rows, where the two editions' codes agree, are equal cell for cell.
    let mut same = 0;
    for ((_, cells), fields) in data.iter().zip(&csv).take(50) {
        if cells[..5] == fields[..5] {
            assert_eq!(cells, fields);
            same += 1;
        }
    }
    println!(
        "{same} of the first 50 data rows have the same codes in both editions, and are equal"
    );
    assert!(same >= 10, "only {same} of the first 50 rows agree");
    // Names keep their trailing spaces, as in the CSV edition.
    let spaced: Vec<&str> = data
        .iter()
        .map(|(_, c)| c[6].as_str())
        .filter(|n| n.ends_with(' '))
        .collect();
    println!(
        "{} names end with a space, e.g. {:?}",
        spaced.len(),
        &spaced[..3.min(spaced.len())]
    );
    assert!(spaced.contains(&"Андріївська "));
    let in_csv: std::collections::HashSet<&str> =
        csv.iter().filter_map(|f| f.get(6).copied()).collect();
    assert!(spaced.iter().filter(|n| in_csv.contains(*n)).count() * 10 >= spaced.len() * 9);
}
