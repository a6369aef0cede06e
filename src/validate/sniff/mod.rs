//! Stage 2, validate: what a CSV file is written in when its descriptor does not say — the text
//! encoding (from the first bytes) and the dialect (delimiter and quote character, from the
//! first lines of decoded text). Pure functions, deterministic, no state.
//!
//! The rules follow frictionless-py 5.21.0, which is the reference the validator is checked
//! against:
//! - encoding: frictionless asks `chardet` (`Detector.detect_encoding`) and maps `ascii` to UTF-8.
//!   Here: a UTF-16 BOM gives UTF-16; valid UTF-8 (a character cut at the very end included)
//!   gives UTF-8; else a single-byte encoding by the shape of the high bytes: Windows-1251 for
//!   Cyrillic (Excel on Ukrainian systems), ISO-8859-7 for Greek, otherwise Windows-1252.
//! - dialect: frictionless' CSV parser (`formats/csv/parser.py`) runs Python's `csv.Sniffer` over
//!   the first 100 lines with the delimiters `,` `\t` `;` `|`, replaces a sniffed `'` quote by
//!   `"`, and keeps the defaults when sniffing fails. `sniff_dialect` is that sniffer, rule for
//!   rule (`_guess_quote_and_delimiter`, then `_guess_delimiter`).
//!
//! Invariants: never panics; `detect_encoding` always returns an encoding that decodes every
//! byte sequence; `sniff_dialect` only returns one of the four delimiters and always `"` as the
//! quote character. The encoding is guessed in `encoding`, the dialect in `dialect`.

mod dialect;
mod encoding;

pub use dialect::{sniff_dialect, Sniffed, DELIMITERS, SAMPLE_LINES};
pub use encoding::{detect_encoding, encoding_for_label};

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{Encoding, ISO_8859_7, UTF_8, WINDOWS_1252};

    const DATA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/frictionless/data/"
    );

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{DATA}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn detects_and_sniffs_fixtures() {
        let cases: &[(&str, &'static Encoding, u8)] = &[
            ("escaping.csv", UTF_8, b','), // "ID, Test": spaces skipped
            ("latin1.csv", WINDOWS_1252, b','),
            ("table-infer-iso-8859-7.csv", ISO_8859_7, b','),
            ("encoding-issue-274.csv", UTF_8, b','),
            ("delimiter.csv", UTF_8, b';'),
            ("issue-1009-semicolon.csv", UTF_8, b';'),
            ("issue-1009-comma.csv", UTF_8, b','),
            ("bom.csv", UTF_8, b','),
            ("table.csv", UTF_8, b','),
            ("doublequote.csv", UTF_8, b','),
            ("matrix.csv", UTF_8, b','),
        ];
        for (name, encoding, delimiter) in cases {
            let bytes = fixture(name);
            assert_eq!(detect_encoding(&bytes), *encoding, "{name}");
            let (text, _, _) = encoding.decode(&bytes);
            let got = sniff_dialect(&text).map(|s| (s.delimiter, s.quote_char));
            assert_eq!(got, Some((*delimiter, b'"')), "{name}");
            let spaced = sniff_dialect(&text).is_some_and(|s| s.skip_initial_space);
            assert_eq!(spaced, *name == "escaping.csv", "{name}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let samples =
            "\"·'·\"\"·,\"·\n\"·\",·\r·\r\n\r\n·|\"|\"|·;' '; ';·\u{feff}a;b·\0,\0·ї\"ї\"ї";
        for s in samples.split('·') {
            let _ = sniff_dialect(s);
        }
        for bytes in [&b"\xFF"[..], b"\xC0\xC0\xC0", b"\x80", b"\xFF\xFE", b"\xFE"] {
            let _ = detect_encoding(bytes);
        }
    }
}
