//! Stage 2, validate: the structure of a CSV file around its cells — the quoting state of the
//! raw bytes (an unterminated quote or a NUL byte, which the CSV parser accepts silently) and the
//! header row compared with the schema's fields.

use std::io;
use std::path::Path;

use super::report::{Finding, Kind};
use super::table::{Check, TableScan};

/// Follows the quoting of the bytes the CSV parser reads, to catch what the parser accepts
/// silently: a quote still open at the end of the file, and NUL bytes (never text).
pub struct QuoteTracker<R> {
    pub inner: R,
    pub quote: u8,
    pub delimiter: u8,
    pub state: Quoting,
    /// Records completed so far (line breaks outside quotes).
    pub records: u64,
    /// Record index (from 0) of the first NUL byte.
    pub first_nul: Option<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl<R: io::Read> io::Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == 0 && self.first_nul.is_none() {
                self.first_nul = Some(self.records);
            }
            self.state = match (self.state, b) {
                (Quoting::FieldStart, q) if q == self.quote => Quoting::Quoted,
                (Quoting::Quoted, q) if q == self.quote => Quoting::QuoteInQuoted,
                (Quoting::Quoted, _) => Quoting::Quoted,
                (Quoting::QuoteInQuoted, q) if q == self.quote => Quoting::Quoted,
                (_, b'\n') => {
                    self.records += 1;
                    Quoting::FieldStart
                }
                (_, d) if d == self.delimiter => Quoting::FieldStart,
                (Quoting::QuoteInQuoted, b'\r') => Quoting::QuoteInQuoted,
                (Quoting::FieldStart, b'\r') => Quoting::FieldStart,
                _ => Quoting::Unquoted,
            };
        }
        Ok(n)
    }
}

/// Reads the header row and compares it with the schema; returns the expected row width.
pub(super) fn header(
    record: &csv::ByteRecord,
    checks: &[Check],
    shown: &Path,
    scan: &mut TableScan,
) -> usize {
    let labels: Vec<String> = record
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    let labels: Vec<String> = labels
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.trim_start_matches('\u{feff}').to_owned()
            } else {
                l
            }
        })
        .collect();
    for (i, label) in labels.iter().enumerate() {
        let at = |kind, expected: &str| {
            Finding::new(kind, shown, expected)
                .row(1)
                .field(label.clone(), Some(i + 1))
        };
        if label.trim().is_empty() {
            scan.push(at(Kind::BlankLabel, "a column name in every header cell"));
        } else if labels[..i].contains(label) {
            scan.push(
                at(
                    Kind::DuplicateLabel,
                    "column names that differ from each other",
                )
                .found(label.clone()),
            );
        }
        match checks.get(i) {
            Some(c) if c.field.name != *label && !label.trim().is_empty() => scan.push(
                at(Kind::IncorrectLabel, &format!("the column name `{}` declared by the schema", c.field.name))
                    .found(label.clone())
                    .hint("rename the column in the file or the field in the schema so they match, in the same order"),
            ),
            None if !checks.is_empty() => scan.push(at(Kind::ExtraLabel, "no column here: the schema declares fewer fields").found(label.clone()).hint("add the field to the schema or remove the column")),
            _ => {}
        }
    }
    for c in checks.iter().skip(labels.len()) {
        scan.push(
            Finding::new(
                Kind::MissingLabel,
                shown,
                format!("a column `{}` declared by the schema", c.field.name),
            )
            .row(1)
            .field(c.field.name.clone(), Some(c.number)),
        );
    }
    scan.header = labels;
    checks.len().max(scan.header.len())
}
