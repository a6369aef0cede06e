//! Stage 2, validate: the structure of a CSV file around its cells — the quoting state of the
//! raw text (an unterminated quote, NUL bytes and trailing empty lines, which the CSV parser
//! passes over silently) and the header compared with the schema's fields, as frictionless does
//! (missing, extra, blank, duplicate and incorrect labels).

use std::io;
use std::path::Path;

use super::report::{Finding, Kind};

/// Follows the quoting of the text the CSV parser reads.
pub struct QuoteTracker<R> {
    pub inner: R,
    pub quote: u8,
    pub delimiter: u8,
    pub state: Quoting,
    /// Line breaks outside quotes so far.
    pub line_breaks: u64,
    /// Line-break count when the first NUL byte was seen.
    pub first_nul: Option<u64>,
    /// For each record not yet taken by the row reader: the empty lines just before it (the CSV
    /// parser skips empty lines; frictionless counts them as blank rows).
    pub blank_before: std::collections::VecDeque<u64>,
    /// For each such record: the comment lines just before it (counted as rows by frictionless,
    /// but not read).
    pub comments_before: std::collections::VecDeque<u64>,
    pending_comments: u64,
    /// Empty lines since the last record started: at the end, the trailing empty lines.
    pub pending_blank: u64,
    /// Lines starting with this byte are comments, neither records nor blank rows.
    pub comment: Option<u8>,
    /// Drop spaces right after a delimiter (outside quotes), as Python's `skipinitialspace` does,
    /// so that `a, "b, c"` is two cells.
    pub skip_initial_space: bool,
    at_line_start: bool,
    in_comment: bool,
}

/// Where the tracker is within a field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl<R> QuoteTracker<R> {
    /// Tracks `inner` with the dialect's quote and delimiter.
    pub fn new(inner: R, quote: u8, delimiter: u8) -> Self {
        QuoteTracker {
            inner,
            quote,
            delimiter,
            state: Quoting::FieldStart,
            line_breaks: 0,
            first_nul: None,
            blank_before: Default::default(),
            comments_before: Default::default(),
            pending_comments: 0,
            pending_blank: 0,
            comment: None,
            at_line_start: true,
            in_comment: false,
            skip_initial_space: false,
        }
    }

    /// Bookkeeping at the first byte of a line (outside quotes): empty lines, comment lines and
    /// the starts of records.
    fn line_start(&mut self, b: u8) {
        match b {
            b'\n' => self.pending_blank += 1,
            b'\r' => {}
            _ if Some(b) == self.comment => {
                self.in_comment = true;
                self.pending_comments += 1;
                self.at_line_start = false;
            }
            _ => {
                self.blank_before
                    .push_back(std::mem::take(&mut self.pending_blank));
                self.comments_before
                    .push_back(std::mem::take(&mut self.pending_comments));
                self.at_line_start = false;
            }
        }
    }

    /// A line break outside quotes.
    fn line_break(&mut self) {
        self.line_breaks += 1;
        self.at_line_start = true;
        self.in_comment = false;
        self.state = Quoting::FieldStart;
    }

    /// One byte where a field may start, or right after a closing quote.
    fn boundary(&mut self, b: u8) {
        if self.at_line_start && self.state == Quoting::FieldStart {
            self.line_start(b);
            if self.in_comment {
                return;
            }
        }
        if b == b'\n' {
            self.line_break();
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

    /// Follows a chunk of text, jumping over ordinary bytes with `memchr`.
    fn track(&mut self, buf: &[u8]) {
        if self.first_nul.is_none() {
            if let Some(p) = memchr::memchr(0, buf) {
                let before = memchr::memchr_iter(b'\n', &buf[..p]).count() as u64;
                self.first_nul = Some(self.line_breaks + before);
            }
        }
        let mut i = 0;
        while i < buf.len() {
            let rest = &buf[i..];
            let step = if self.in_comment {
                memchr::memchr(b'\n', rest).map(|p| {
                    self.line_break();
                    p + 1
                })
            } else {
                match self.state {
                    Quoting::Quoted => memchr::memchr(self.quote, rest).map(|p| {
                        self.state = Quoting::QuoteInQuoted;
                        p + 1
                    }),
                    Quoting::Unquoted => memchr::memchr2(self.delimiter, b'\n', rest).map(|p| {
                        self.boundary(rest[p]);
                        p + 1
                    }),
                    Quoting::FieldStart | Quoting::QuoteInQuoted => {
                        self.boundary(rest[0]);
                        Some(1)
                    }
                }
            };
            i += step.unwrap_or(rest.len());
        }
    }
}

impl<R> QuoteTracker<R> {
    /// The byte-by-byte path for `skip_initial_space`: tracks and drops the spaces that follow a
    /// delimiter outside quotes; returns the new length.
    fn track_dropping_spaces(&mut self, buf: &mut [u8]) -> usize {
        let mut kept = 0;
        let mut after_delimiter = false;
        for i in 0..buf.len() {
            let b = buf[i];
            if b == 0 && self.first_nul.is_none() {
                self.first_nul = Some(self.line_breaks);
            }
            if after_delimiter && b == b' ' && self.state == Quoting::FieldStart {
                continue;
            }
            after_delimiter = false;
            if self.in_comment {
                if b == b'\n' {
                    self.line_break();
                }
            } else if self.state == Quoting::Quoted {
                if b == self.quote {
                    self.state = Quoting::QuoteInQuoted;
                }
            } else {
                self.boundary(b);
                after_delimiter = b == self.delimiter && self.state == Quoting::FieldStart;
            }
            buf[kept] = b;
            kept += 1;
        }
        kept
    }
}

impl<R: io::Read> io::Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if !self.skip_initial_space {
                self.track(&buf[..n]);
                return Ok(n);
            }
            let kept = self.track_dropping_spaces(&mut buf[..n]);
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
    for i in 0..labels.len().max(fields.len()) {
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
            (Some(label), Some(_)) if labels[..i].contains(label) => {
                let first = labels[..i].iter().position(|l| l == label).map_or(0, |p| p + 1);
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

    fn track(text: &str) -> QuoteTracker<&[u8]> {
        let mut t = QuoteTracker::new(text.as_bytes(), b'"', b',');
        let mut sink = Vec::new();
        t.read_to_end(&mut sink).unwrap();
        t
    }

    #[test]
    fn tracks_quotes_nuls_and_blank_lines() {
        type Case<'c> = (&'c str, Quoting, Option<u64>, &'c [u64], u64);
        let cases: &[Case] = &[
            ("a,b\n1,2\n", Quoting::FieldStart, None, &[0, 0], 0),
            ("a,b\n1,\"2\n", Quoting::Quoted, None, &[0, 0], 0),
            ("a,b\n1,\"2\"\"\"\n", Quoting::FieldStart, None, &[0, 0], 0),
            ("a,b\n1,2\n\n\n", Quoting::FieldStart, None, &[0, 0], 2),
            (
                "a,b\r\n\r\n1,2\r\n\r\n",
                Quoting::FieldStart,
                None,
                &[0, 1],
                1,
            ),
            (
                "a,b\n1,\"x\n\n\"\n\n2,3\n",
                Quoting::FieldStart,
                None,
                &[0, 0, 1],
                0,
            ),
            ("a,b\n1,x\0y\n", Quoting::FieldStart, Some(1), &[0, 0], 0),
        ];
        for (text, state, nul, blanks, trailing) in cases {
            let t = track(text);
            let got: Vec<u64> = t.blank_before.iter().copied().collect();
            assert_eq!(
                (t.state, t.first_nul, got.as_slice(), t.pending_blank),
                (*state, *nul, *blanks, *trailing),
                "{text:?}"
            );
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
