//! Stage 2, validate: reading records with frictionless' row numbering — empty lines (which the
//! CSV parser skips) come back as empty rows, comment lines count as rows but are not read,
//! comment rows are skipped, header rows are joined into labels. Fed by `structure::QuoteTracker`,
//! which sees the raw text ahead of the parser.

use std::io::Read;
use std::path::Path;

use super::report::{Finding, Kind};
use super::structure::QuoteTracker;
use super::table::TableScan;
use crate::catalog::dialect::Dialect;

/// Reads records with frictionless' row numbering: empty lines (which the CSV parser skips)
/// come back as empty rows, comment rows are skipped, header rows are joined into labels.
pub(super) struct RowReader<'a, 't, T> {
    reader: csv::Reader<&'t mut QuoteTracker<T>>,
    dialect: &'a Dialect,
    shown: &'a Path,
    record: csv::ByteRecord,
    empty: csv::ByteRecord,
    /// Field names, once known, to name fields in encoding errors.
    pub(super) names: Vec<String>,
    /// Rows so far, the header included.
    pub(super) row: u64,
    /// Empty lines still to return before the record just read.
    blanks_first: u64,
    /// Comment lines passed so far: counted in row numbers, not in header positions.
    comments: u64,
    /// True while the row returned is an empty line, not `record`.
    blank: bool,
    /// A record read and not yet returned.
    waiting: bool,
    done: bool,
    /// Empty lines after the last record, still to return as rows.
    trailing: Option<u64>,
}

impl<'a, 't, T: Read> RowReader<'a, 't, T> {
    pub(super) fn new(
        reader: csv::Reader<&'t mut QuoteTracker<T>>,
        dialect: &'a Dialect,
        shown: &'a Path,
    ) -> Self {
        RowReader {
            reader,
            dialect,
            shown,
            record: csv::ByteRecord::new(),
            empty: csv::ByteRecord::new(),
            names: Vec::new(),
            row: 0,
            blanks_first: 0,
            comments: 0,
            blank: false,
            waiting: false,
            done: false,
            trailing: None,
        }
    }

    fn current(&self) -> &csv::ByteRecord {
        if self.blank {
            &self.empty
        } else {
            &self.record
        }
    }

    /// Reads the header rows; `None` when the dialect says there is no header.
    pub(super) fn read_header(&mut self, scan: &mut TableScan) -> Option<Vec<String>> {
        let last = self
            .dialect
            .header_rows
            .iter()
            .copied()
            .max()
            .filter(|_| self.dialect.header)?;
        let mut rows = Vec::new();
        // Header positions count rows without the comment lines before them.
        while self.row - self.comments < last {
            let Some(row) = self.raw_next(scan) else {
                break;
            };
            if self.dialect.header_rows.contains(&(row - self.comments)) {
                rows.push(
                    self.current()
                        .iter()
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect::<Vec<_>>(),
                );
            }
        }
        if rows.is_empty() {
            return None;
        }
        // frictionless strips labels (`stringify_label`) before comparing them with fields.
        Some(
            join_header_rows(&rows, &self.dialect.header_join)
                .into_iter()
                .map(|l| l.trim().to_owned())
                .collect(),
        )
    }

    /// The next data row: its number and cells.
    pub(super) fn next(&mut self, scan: &mut TableScan) -> Option<(u64, &csv::ByteRecord)> {
        loop {
            let row = self.raw_next(scan)?;
            if !self.dialect.comment_rows.contains(&row) {
                return Some((row, self.current()));
            }
        }
    }

    /// Like `next`, but moves the row's cells into `out` (whose old buffer the reader reuses).
    pub(super) fn next_into(
        &mut self,
        scan: &mut TableScan,
        out: &mut csv::ByteRecord,
    ) -> Option<u64> {
        loop {
            let row = self.raw_next(scan)?;
            if self.dialect.comment_rows.contains(&row) {
                continue;
            }
            if self.blank {
                out.clear();
            } else {
                std::mem::swap(out, &mut self.record);
            }
            return Some(row);
        }
    }

    /// Empty lines the tracker saw before the record just read.
    fn take_comments(&mut self) -> u64 {
        self.reader
            .get_mut()
            .comments_before
            .pop_front()
            .unwrap_or(0)
    }

    fn take_blanks(&mut self) -> u64 {
        self.reader.get_mut().blank_before.pop_front().unwrap_or(0)
    }

    /// Advances one row (an empty line or a record).
    fn raw_next(&mut self, scan: &mut TableScan) -> Option<u64> {
        loop {
            if self.blanks_first > 0 {
                self.blanks_first -= 1;
                self.blank = true;
                self.row += 1;
                return Some(self.row);
            }
            if self.waiting {
                self.waiting = false;
                self.blank = false;
                self.row += 1;
                return Some(self.row);
            }
            if self.done {
                // frictionless counts empty lines at the end as (blank) rows too.
                let left = self
                    .trailing
                    .get_or_insert_with(|| self.reader.get_ref().pending_blank);
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                self.blank = true;
                self.row += 1;
                return Some(self.row);
            }
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    self.blanks_first = self.take_blanks();
                    let comments = self.take_comments();
                    self.row += comments;
                    self.comments += comments;
                    self.waiting = true;
                }
                Err(e) => {
                    scan.push_all([Finding::new(
                        Kind::SourceError,
                        self.shown,
                        "a well-formed CSV file",
                    )
                    .row(self.row + 1)
                    .found(e.to_string())]);
                    self.done = true;
                }
            }
        }
    }
}

/// Joins multi-row headers column by column (frictionless' `headerJoin`).
fn join_header_rows(rows: &[Vec<String>], join: &str) -> Vec<String> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..width)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(join)
        })
        .collect()
}
