//! XLSX tests: files that are not workbooks, are cut short, damaged, or lie about their sizes.

use super::*;

#[test]
fn refusals_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("k.xlsx");
    std::fs::write(&text, "Перший рівень;Другий рівень\n").unwrap();
    let ole = dir.path().join("old.xlsx");
    std::fs::write(&ole, [&OLE_MAGIC[..], &[0; 600]].concat()).unwrap();
    let no_book = write_zip(
        dir.path(),
        "nobook.xlsx",
        &[("docProps/app.xml".into(), "<x/>".into())],
    );
    let no_rels = write_zip(dir.path(), "norels.xlsx", &book(&[], None)[..1]);
    let no_sheet = {
        let mut parts = book(&[("S", "worksheets/sheet1.xml", "")], None);
        parts.remove(0);
        write_zip(dir.path(), "nosheet.xlsx", &parts)
    };
    let empty = write_zip(dir.path(), "empty.xlsx", &book(&[], None));
    type Case<'a> = (&'a Path, &'a str, fn(&XlsxError) -> bool);
    let cases: [Case; 7] = [
        (
            &text,
            "is not an Excel workbook (.xlsx): it is not a zip archive",
            |e| matches!(e, XlsxError::NotZip { .. }),
        ),
        (
            &ole,
            "is an old Excel file (.xls) or a password-protected workbook",
            |e| matches!(e, XlsxError::LegacyOrEncrypted { .. }),
        ),
        (
            &no_book,
            "it has no part `xl/workbook.xml`",
            |e| matches!(e, XlsxError::MissingPart { part, .. } if part == WORKBOOK),
        ),
        (
            &no_rels,
            "it has no part `xl/_rels/workbook.xml.rels`",
            |e| matches!(e, XlsxError::MissingPart { .. }),
        ),
        (
            &no_sheet,
            "it has no part `xl/worksheets/sheet1.xml`",
            |e| matches!(e, XlsxError::MissingPart { .. }),
        ),
        (&empty, "has no worksheets", |e| {
            matches!(e, XlsxError::NoSheets { .. })
        }),
        (&dir.path().join("absent.xlsx"), "cannot open", |e| {
            matches!(e, XlsxError::Open { .. })
        }),
    ];
    for (path, message, kind) in cases {
        let err = read(path, None, Limits::default()).expect_err(message);
        assert!(kind(&err), "{err:?}");
        assert!(err.to_string().contains(message), "{err}");
        assert!(
            err.to_string().contains(&format!("`{}`", path.display())),
            "{err}"
        );
    }
}

#[test]
fn sheet_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let mut parts = book(&[("S", "worksheets/sheet1.xml", "")], None);
    let whole = &parts[0].1;
    parts[0].1 = format!(
        "{}<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>",
        &whole[..whole.find("</sheetData>").unwrap()]
    );
    let path = write_zip(dir.path(), "cut.xlsx", &parts);
    let mut rows = 0;
    let err = for_each_row(&path, None, Limits::default(), &mut |_, _| rows += 1).unwrap_err();
    assert!(
        matches!(err, XlsxError::Damaged { row: Some(1), .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("in row 1 or just after it"),
        "{err}"
    );
    assert_eq!(rows, 1, "the rows before the cut were passed on");
}

/// A part whose bytes changed after it was zipped (a stored part, so that it still parses) is
/// refused by the zip's checksum, checked at the part's end, after its rows were passed on.
#[test]
fn damaged_part() {
    let dir = tempfile::tempdir().unwrap();
    let parts = book(
        &[(
            "S",
            "worksheets/sheet1.xml",
            r#"<row r="1"><c r="A1"><v>7</v></c></row>"#,
        )],
        None,
    );
    let path = write_zip_as(dir.path(), "crc.xlsx", &parts, CompressionMethod::Stored);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(7).position(|w| w == b"<v>7</v").unwrap();
    bytes[at + 3] = b'8';
    std::fs::write(&path, bytes).unwrap();
    let mut rows = Vec::new();
    let err = for_each_row(&path, None, Limits::default(), &mut |_, c| {
        rows.push(c.to_vec())
    })
    .unwrap_err();
    assert!(matches!(err, XlsxError::Damaged { .. }), "{err:?}");
    assert_eq!(rows, [["8"]]);
}

/// A part that unpacks to more than its header claims is refused once it passes the claim: the
/// sizes in both headers of the zip are rewritten to 1000 bytes.
#[test]
fn part_larger_than_its_header_claims() {
    let dir = tempfile::tempdir().unwrap();
    let parts = book(
        &[("S", "worksheets/sheet1.xml", &big_sheet(4 * 1024, 1000))],
        None,
    );
    let path = write_zip(dir.path(), "liar.xlsx", &parts);
    let mut bytes = std::fs::read(&path).unwrap();
    let name = b"xl/worksheets/sheet1.xml";
    let at: Vec<usize> = bytes
        .windows(name.len())
        .enumerate()
        .filter(|(_, w)| *w == name)
        .map(|(i, _)| i)
        .collect();
    for i in at {
        // Local header: signature at name − 30, size at + 22; central: at name − 46, size at + 24.
        if i >= 30 && bytes[i - 30..i - 26] == *b"PK\x03\x04" {
            bytes[i - 8..i - 4].copy_from_slice(&1000u32.to_le_bytes());
        } else if i >= 46 && bytes[i - 46..i - 42] == *b"PK\x01\x02" {
            bytes[i - 22..i - 18].copy_from_slice(&1000u32.to_le_bytes());
        }
    }
    std::fs::write(&path, bytes).unwrap();
    let err = read(&path, None, Limits::default()).unwrap_err();
    assert!(
        matches!(err, XlsxError::LargerThanClaimed { claimed: 1000, .. }),
        "{err:?}"
    );
    let expected = format!("`{}` is damaged or crafted: the part `xl/worksheets/sheet1.xml` unpacks to more than the 1000 bytes its zip header gives — refused as a possible zip bomb", path.display());
    assert_eq!(err.to_string(), expected);
}

#[test]
fn bounded_reader_counts_what_it_unpacks() {
    let bounded = |claimed| Bounded {
        inner: BufReader::new(io::repeat(b'x').take(10 << 20)),
        claimed,
        consumed: 0,
        mark: 0,
        tripped: None,
    };
    // The claim below the piece limit, so that it is met first.
    let (mut claim, mut sink) = (bounded(512 << 10), Vec::new());
    assert!(io::copy(&mut claim, &mut sink).is_err());
    assert!(matches!(claim.tripped, Some(Tripped::Size)));
    assert!(sink.len() <= (512 + 64) << 10);

    let (mut piece, mut sink) = (bounded(u64::MAX), Vec::new());
    assert!(io::copy(&mut piece, &mut sink).is_err());
    assert!(matches!(piece.tripped, Some(Tripped::Piece)));
    assert!(sink.len() as u64 <= MAX_PIECE_BYTES + (64 << 10));
}
