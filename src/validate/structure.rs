//! Stage 2, validate: the structure of a CSV file around its cells — Python's
//! `skipinitialspace` applied to the raw text, and the header compared with the schema's fields,
//! as frictionless does (missing, extra, blank, duplicate and incorrect labels).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::io;
use std::path::Path;

use super::report::{Finding, Kind};

/// Python's `skipinitialspace` ahead of the parser: drops the spaces right after a delimiter
/// outside quotes, so that `a, "b, c"` is two cells (the parser then sees `"b, c"` quoted).
/// Follows the quoting and comment lines of the text to know which spaces those are.
pub struct SpaceDropper<R> {
    inner: R,
    quote: u8,
    delimiter: u8,
    comment: Option<u8>,
    state: Quoting,
    at_line_start: bool,
    in_comment: bool,
    after_delimiter: bool,
}

/// Where the dropper is within a field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl<R> SpaceDropper<R> {
    pub fn new(inner: R, quote: u8, delimiter: u8, comment: Option<u8>) -> Self {
        SpaceDropper {
            inner,
            quote,
            delimiter,
            comment,
            state: Quoting::FieldStart,
            at_line_start: true,
            in_comment: false,
            after_delimiter: false,
        }
    }

    /// Follows one byte outside quotes and comment lines.
    fn boundary(&mut self, b: u8) {
        if self.at_line_start && self.state == Quoting::FieldStart {
            self.at_line_start = matches!(b, b'\n' | b'\r');
            if Some(b) == self.comment {
                self.in_comment = true;
                return;
            }
        }
        if b == b'\n' {
            self.at_line_start = true;
            self.state = Quoting::FieldStart;
            return;
        }
        self.state = match (self.state, b) {
            (Quoting::FieldStart, q) if q == self.quote => Quoting::Quoted,
            (Quoting::QuoteInQuoted, q) if q == self.quote => Quoting::Quoted,
            (_, d) if d == self.delimiter => Quoting::FieldStart,
            (Quoting::QuoteInQuoted, b'\r') | (Quoting::FieldStart, b'\r') => self.state,
            _ => Quoting::Unquoted,
        };
    }

    /// Drops the spaces that follow a delimiter outside quotes; returns the new length.
    fn drop_spaces(&mut self, buf: &mut [u8]) -> usize {
        let mut kept = 0;
        for i in 0..buf.len() {
            let b = buf[i];
            if self.after_delimiter && b == b' ' && self.state == Quoting::FieldStart {
                continue;
            }
            self.after_delimiter = false;
            if self.in_comment {
                if b == b'\n' {
                    self.in_comment = false;
                    self.at_line_start = true;
                    self.state = Quoting::FieldStart;
                }
            } else if self.state == Quoting::Quoted {
                if b == self.quote {
                    self.state = Quoting::QuoteInQuoted;
                }
            } else {
                self.boundary(b);
                self.after_delimiter = b == self.delimiter && self.state == Quoting::FieldStart;
            }
            buf[kept] = b;
            kept += 1;
        }
        kept
    }
}

impl<R: io::Read> io::Read for SpaceDropper<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            let kept = self.drop_spaces(&mut buf[..n]);
            // Zero means the end of input to the parser: read on when a chunk was all spaces.
            if kept > 0 || n == 0 {
                return Ok(kept);
            }
        }
    }
}

/// Compares header labels with the schema's field names, frictionless' way: for each position,
/// a missing label, an extra label, a blank label, a duplicate label or a label different from
/// the field's name — the first that applies. `header_row` is the row findings point at.
pub fn compare_labels(
    labels: &[String],
    fields: &[&str],
    header_row: u64,
    shown: &Path,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    // The first column of each label, so that a header of many thousand columns costs one
    // look-up per label, not a scan of the labels before it.
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    for i in 0..labels.len().max(fields.len()) {
        let earlier = labels
            .get(i)
            .and_then(|l| match first_seen.entry(l.as_str()) {
                Entry::Occupied(first) => Some(*first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(i + 1);
                    None
                }
            });
        let at = |kind, name: &str, expected: String| {
            Finding::new(kind, shown, expected)
                .row(header_row)
                .field(name, Some(i + 1))
        };
        match (labels.get(i), fields.get(i)) {
            (None, Some(field)) => findings.push(at(Kind::MissingLabel, field, format!("a column `{field}` declared by the schema")).hint("add the column to the file, or remove the field from the schema")),
            (Some(label), None) => findings.push(at(Kind::ExtraLabel, label, "no column here: the schema declares fewer fields".into()).found(label.clone()).hint("add the field to the schema or remove the column")),
            (Some(label), Some(field)) if label.trim().is_empty() => {
                findings.push(at(Kind::BlankLabel, field, "a column name in every header cell".into()).hint("give the column a name"))
            }
            (Some(label), Some(_)) if earlier.is_some() => {
                let first = earlier.unwrap_or_default();
                findings.push(at(Kind::DuplicateLabel, label, format!("a column name not used before (column {first} has it too)")).found(label.clone()).hint("rename one of the columns"))
            }
            (Some(label), Some(field)) if label != field => findings.push(
                at(Kind::IncorrectLabel, field, format!("the column name `{field}` declared by the schema"))
                    .found(label.clone())
                    .hint("rename the column in the file or the field in the schema so they match, in the same order"),
            ),
            _ => {}
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn drops_spaces_after_delimiters_outside_quotes() {
        let cases = [
            ("a, b,  \"c, d\"\n", "a,b,\"c, d\"\n"),
            (" a, \"x, y\" , z\n", " a,\"x, y\" ,z\n"),
            ("\"q, r\", s\n# c, d\n1, 2", "\"q, r\",s\n# c, d\n1,2"),
        ];
        for (text, expected) in cases {
            let mut d = SpaceDropper::new(text.as_bytes(), b'"', b',', Some(b'#'));
            let mut out = String::new();
            d.read_to_string(&mut out).unwrap();
            assert_eq!(out, expected, "{text:?}");
        }
    }

    #[test]
    fn labels_compared_like_frictionless() {
        let labels: Vec<String> = ["id", "", "name", "name", "extra"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let kinds: Vec<(Kind, Option<usize>)> = compare_labels(
            &labels,
            &["id", "field2", "name", "name2"],
            1,
            Path::new("t.csv"),
        )
        .iter()
        .map(|f| (f.kind, f.field_number))
        .collect();
        assert_eq!(
            kinds,
            [
                (Kind::BlankLabel, Some(2)),
                (Kind::DuplicateLabel, Some(4)),
                (Kind::ExtraLabel, Some(5))
            ]
        );
        let kinds: Vec<Kind> =
            compare_labels(&labels[..1], &["code", "name"], 1, Path::new("t.csv"))
                .iter()
                .map(|f| f.kind)
                .collect();
        assert_eq!(kinds, [Kind::IncorrectLabel, Kind::MissingLabel]);
    }
}
