//! The KATOTTG codifier import parser (`territories::edition::read`, the load step of
//! `territories import`) over arbitrary files. The first byte picks the form: the CSV edition,
//! a raw `.xlsx`, or a workbook built from the input's sheet and shared-strings XML (so that the
//! fuzzer reaches the sheet reader without having to make valid zip files). Every object returned
//! must have a valid code, a known category and a non-empty trimmed name.
#![no_main]

use std::io::Write;

use hromadata::catalog::KatottgCode;
use hromadata::territories::edition;
use hromadata_fuzz::scratch_file;
use libfuzzer_sys::fuzz_target;
use zip::write::SimpleFileOptions;

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A workbook with one sheet `Кодифікатор` whose `<sheetData>` content is `rows` and whose shared
/// strings (`<si>` elements) are `shared`.
fn workbook(rows: &[u8], shared: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let parts: [(&str, Vec<u8>); 4] = [
        (
            "xl/workbook.xml",
            format!(r#"<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets><sheet name="Кодифікатор" sheetId="1" r:id="rId1"/></sheets></workbook>"#).into_bytes(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#).into_bytes(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            [format!(r#"<worksheet xmlns="{MAIN_NS}"><sheetData>"#).as_bytes(), rows, b"</sheetData></worksheet>"].concat(),
        ),
        (
            "xl/sharedStrings.xml",
            [format!(r#"<sst xmlns="{MAIN_NS}">"#).as_bytes(), shared, b"</sst>"].concat(),
        ),
    ];
    for (name, content) in parts {
        zip.start_file(name, stored).expect("in memory");
        zip.write_all(&content).expect("in memory");
    }
    zip.finish().expect("in memory").into_inner()
}

fuzz_target!(|data: &[u8]| {
    let Some((&form, rest)) = data.split_first() else {
        return;
    };
    let path = match form % 3 {
        0 => scratch_file("codifier.csv", rest),
        1 => scratch_file("codifier.xlsx", rest),
        _ => {
            // The sheet's rows, then the shared strings after the first NUL byte.
            let cut = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            let shared = rest.get(cut + 1..).unwrap_or_default();
            scratch_file("codifier.xlsx", &workbook(&rest[..cut], shared))
        }
    };
    let Ok((objects, _findings)) = edition::read(&path) else {
        return;
    };
    for o in objects {
        assert_eq!(KatottgCode::parse(&o.code.as_string()), Ok(o.code));
        assert!(matches!(
            o.category.as_str(),
            "O" | "K" | "P" | "H" | "M" | "X" | "C" | "B"
        ));
        assert!(
            !o.name.is_empty() && o.name.trim() == o.name,
            "{:?}",
            o.name
        );
        assert!((1..=5).contains(&o.level));
    }
});
