//! Hostile workbooks for `territories import`: not a zip, cut short, zip bombs with honest and
//! lying headers, a dimension bomb, a missing or broken sheet, 10^5 entries. All are made here,
//! with a zip writer small enough to lie in (sizes and checksums are what each case says).

use std::io::Write;

use super::{cases, import};

const NAME: &str = "kodifikator-2026-01-01.xlsx";
const SHOWN: &str = "`kodifikator-2026-01-01.xlsx`";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const SHEET: &str = "xl/worksheets/sheet1.xml";

/// One entry of a zip: its name, the bytes stored (deflated), and the CRC-32 and size the
/// header claims for what they unpack to.
struct Part {
    name: String,
    data: Vec<u8>,
    crc: u32,
    size: u32,
}

/// `content` deflated, with its true CRC and size.
fn part(name: &str, content: &[u8]) -> Part {
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    deflate.write_all(content).unwrap();
    let mut crc = flate2::Crc::new();
    crc.update(content);
    Part {
        name: name.to_owned(),
        data: deflate.finish().unwrap(),
        crc: crc.sum(),
        size: content.len() as u32,
    }
}

/// A zip archive of `parts` (local headers, data, central directory, end record).
fn zip(parts: &[Part]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for p in parts {
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            for n in [20u16, 0, 8, 0, 0x21] {
                v.extend_from_slice(&n.to_le_bytes());
            }
            for n in [p.crc, p.data.len() as u32, p.size] {
                v.extend_from_slice(&n.to_le_bytes());
            }
            v.extend_from_slice(&(p.name.len() as u16).to_le_bytes());
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(p.name.as_bytes());
        out.extend_from_slice(&p.data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        common(&mut central);
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(p.name.as_bytes());
    }
    let (at, len, n) = (out.len() as u32, central.len() as u32, parts.len() as u16);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, n, n] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// The workbook and relationship parts for one sheet named `Кодифікатор` at `SHEET`.
fn book_parts() -> Vec<Part> {
    let workbook = format!(
        r#"<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets><sheet name="Кодифікатор" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    let rels = format!(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
    );
    vec![
        part("xl/workbook.xml", workbook.as_bytes()),
        part("xl/_rels/workbook.xml.rels", rels.as_bytes()),
    ]
}

/// A row of inline-string cells.
fn row(n: u32, cells: &[&str]) -> String {
    let cells: String = (cells.iter().enumerate())
        .map(|(i, c)| {
            format!(
                r#"<c r="{}{n}" t="inlineStr"><is><t>{c}</t></is></c>"#,
                (b'A' + i as u8) as char
            )
        })
        .collect();
    format!(r#"<row r="{n}">{cells}</row>"#)
}

/// A codifier sheet: the header on row 4, one oblast on row 5, then `more` rows as given.
fn codifier_rows(more: &str) -> String {
    let header = row(4, &hromadata::territories::edition::COLUMNS);
    let oblast = row(
        5,
        &["UA05000000000010236", "", "", "", "", "O", "Вінницька"],
    );
    format!("{header}{oblast}{more}")
}

/// A worksheet part whose `<sheetData>` is `data`, with `dimension` as its claimed size.
fn sheet_xml(dimension: &str, data: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><dimension ref="{dimension}"/><sheetData>{data}</sheetData></worksheet>"#
    )
}

/// A workbook with the sheet `xml` (and any `extra` parts).
fn workbook(xml: &str, extra: Vec<Part>) -> Vec<u8> {
    let mut parts = book_parts();
    parts.push(part(SHEET, xml.as_bytes()));
    parts.extend(extra);
    zip(&parts)
}

/// A deflate stream that unpacks to `mib` MiB of zeros, made without unpacking it: 1 MiB of
/// zeros deflated and flushed to a byte boundary, repeated (its back-references only reach
/// zeros), then an empty final block. About 1 KiB per MiB.
fn zeros_deflated(mib: usize) -> Vec<u8> {
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(&vec![0; 1 << 20]).unwrap();
    deflate.flush().unwrap();
    let chunk = deflate.get_ref().clone();
    let mut out = chunk.repeat(mib);
    out.extend_from_slice(&[0x03, 0x00]);
    out
}

/// A workbook whose sheet unpacks to 4095 MiB of zeros, its header claiming `claimed` bytes (the
/// CRC is never reached: the reader must stop long before).
fn bomb(claimed: u32) -> Vec<u8> {
    let mut parts = book_parts();
    parts.push(Part {
        name: SHEET.into(),
        data: zeros_deflated(4095),
        crc: 0,
        size: claimed,
    });
    zip(&parts)
}

cases! {
    not_a_zip: 2, [SHOWN, "not a zip archive"], |p| import(p, NAME, "Перший рівень;Другий рівень\n");
    truncated_zip: 2, [SHOWN, "not a zip archive"], |p| {
        let whole = workbook(&sheet_xml("A1:G5", &codifier_rows("")), Vec::new());
        import(p, NAME, &whole[..whole.len() / 2])
    };
    old_excel_file: 2, [SHOWN, ".xls"], |p| import(p, NAME, [&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..], &[0; 504]].concat());
    zip_bomb_with_honest_header: 2, [SHOWN, SHEET, "zip bomb"], |p| import(p, NAME, bomb(4095 << 20));
    zip_bomb_with_lying_header: 2, [SHOWN, SHEET, "zip bomb"], |p| import(p, NAME, bomb(1000));
    dimension_bomb: 2, [SHOWN, "row 1048576", "column 16384"], |p| {
        let far = r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
        import(p, NAME, workbook(&sheet_xml("A1:XFD1048576", &codifier_rows(far)), Vec::new()))
    };
    sheet_part_missing: 2, [SHOWN, SHEET], |p| import(p, NAME, zip(&book_parts()));
    no_sheets: 2, [SHOWN, "no worksheets"], |p| {
        let empty = format!(r#"<workbook xmlns="{MAIN_NS}"><sheets/></workbook>"#);
        import(p, NAME, zip(&[part("xl/workbook.xml", empty.as_bytes()), part("xl/_rels/workbook.xml.rels", b"<Relationships/>")]))
    };
    malformed_xml: 2, [SHOWN, SHEET, "damaged", "in row 6"], |p| {
        let broken = sheet_xml("A1:G5", &codifier_rows(r#"<row r="6"><c r="A6"><v>1</c></row>"#));
        import(p, NAME, workbook(&broken, Vec::new()))
    };
    shared_string_out_of_range: 2, [SHOWN, "row 6", "`99`", "only 1"], |p| {
        let bad = r#"<row r="6"><c r="A6" t="s"><v>99</v></c></row>"#;
        let shared = format!(r#"<sst xmlns="{MAIN_NS}"><si><t>Вінницька</t></si></sst>"#);
        import(p, NAME, workbook(&sheet_xml("A1:G6", &codifier_rows(bad)), vec![part("xl/sharedStrings.xml", shared.as_bytes())]))
    };
    cell_text_of_2_mib: 2, [SHOWN, SHEET, "longer than 1 MiB"], |p| {
        let long = row(6, &["UA05020000000026686", "", "", "", "", "P", &"я".repeat(1 << 20)]);
        import(p, NAME, workbook(&sheet_xml("A1:G6", &codifier_rows(&long)), Vec::new()))
    };
    bad_row_in_a_sound_workbook: 1, [SHOWN, "row 6", "field `Категорія об’єкта` (column 6)"], |p| {
        let bad = row(6, &["UA05000000000010236", "UA05020000000026686", "", "", "", "Z", "Вінницький"]);
        import(p, NAME, workbook(&sheet_xml("A1:G6", &codifier_rows(&bad)), Vec::new()))
    };
    hundred_thousand_entries: 1, [SHOWN, "row 6", "field `Категорія об’єкта` (column 6)"], |p| {
        let bad = row(6, &["UA05000000000010236", "UA05020000000026686", "", "", "", "Z", "Вінницький"]);
        let junk = (0..100_000).map(|i| part(&format!("junk/{i}.xml"), b""));
        import(p, NAME, workbook(&sheet_xml("A1:G6", &codifier_rows(&bad)), junk.collect()))
    };
}
