//! Stage 2, validate: reading records with frictionless' row numbering — empty lines (which the
//! CSV parser skips) come back as empty rows, comment lines count as rows but are not read,
//! comment rows are skipped, header rows are joined into labels. Fed by `parse::Parser`, which
//! counts the empty and comment lines it passes between records.

use std::io::{self, Read};
use std::path::Path;

use super::batch::{Batch, RowSpan};
use super::parse::{Outcome, Parser};
use super::report::{Finding, Kind};
use super::table::TableScan;
use crate::catalog::dialect::Dialect;

/// The CSV parser (`parse::Parser`) driven over the text, writing each record straight into a
/// batch, and watching for NUL bytes on the way.
pub(super) struct Records<'t> {
    parser: Parser,
    src: Box<dyn Read + Send + 't>,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Text bytes before `input[0]`.
    offset: u64,
    /// Where the first NUL byte is in the text.
    first_nul: Option<u64>,
}

/// Bytes read from the text at a time (what the `csv` crate's reader uses).
const INPUT: usize = 64 * 1024;

/// The smallest buffer `Records::sized` makes (never empty: a read into nothing reads nothing).
const MIN_INPUT: usize = 4 * 1024;

impl<'t> Records<'t> {
    #[cfg(test)]
    pub(super) fn new(parser: Parser, src: Box<dyn Read + Send + 't>) -> Self {
        Self::sized(parser, src, u64::MAX)
    }

    /// As `new`, for a text of about `size` bytes: the buffer is no larger than the text needs
    /// (most of a national catalogue's files are a few KiB; their 64 KiB buffers were zeroed
    /// for nothing). A size that turns out short only means more reads.
    pub(super) fn sized(parser: Parser, src: Box<dyn Read + Send + 't>, size: u64) -> Self {
        let input =
            usize::try_from(size.saturating_add(1)).map_or(INPUT, |n| n.clamp(MIN_INPUT, INPUT));
        Records {
            parser,
            src,
            input: vec![0; input],
            start: 0,
            end: 0,
            eof: false,
            offset: 0,
            first_nul: None,
        }
    }

    /// Appends the next record's cells to `batch`; false at the end of the text.
    fn read(&mut self, batch: &mut Batch) -> io::Result<bool> {
        loop {
            if self.start == self.end && !self.eof {
                self.offset += self.end as u64;
                self.end = self.src.read(&mut self.input)?;
                self.start = 0;
                self.eof = self.end == 0;
                if self.first_nul.is_none() {
                    let nul = memchr::memchr(0, &self.input[..self.end]);
                    self.first_nul = nul.map(|p| self.offset + p as u64);
                }
            }
            let (outcome, used) = self.parser.read(&self.input[self.start..self.end], batch);
            self.start += used;
            match outcome {
                Outcome::Record => return Ok(true),
                Outcome::End => return Ok(false),
                Outcome::InputEmpty => {}
            }
        }
    }

    /// True once the parser has read past the first NUL byte.
    fn passed_nul(&self) -> bool {
        self.first_nul
            .is_some_and(|at| at < self.offset + self.start as u64)
    }
}

/// What the reader saw of the text around the cells, for `table::finish_structure`.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Structure {
    /// The row with the first NUL byte.
    pub nul_row: Option<u64>,
    /// The text ended inside a quoted field.
    pub open_quote: bool,
}

/// Reads rows with frictionless' row numbering: empty lines (which the CSV parser skips)
/// come back as empty rows, comment rows are skipped, header rows are joined into labels.
pub(super) struct RowReader<'a, 't> {
    records: Records<'t>,
    dialect: &'a Dialect,
    shown: &'a Path,
    /// Rows so far, the header included.
    pub(super) row: u64,
    /// Comment lines passed so far: counted in row numbers, not in header positions.
    comments: u64,
    done: bool,
    nul_row: Option<u64>,
}

impl<'a, 't> RowReader<'a, 't> {
    pub(super) fn new(records: Records<'t>, dialect: &'a Dialect, shown: &'a Path) -> Self {
        RowReader {
            records,
            dialect,
            shown,
            row: 0,
            comments: 0,
            done: false,
            nul_row: None,
        }
    }

    /// What the reader saw around the cells (complete once the rows are all read).
    pub(super) fn structure(&self) -> Structure {
        Structure {
            nul_row: self.nul_row,
            open_quote: self.records.parser.ended_in_quotes(),
        }
    }

    /// Reads the header rows; `None` when the dialect says there is no header. Rows read past
    /// the header stay in `batch` as the first data rows.
    pub(super) fn read_header(
        &mut self,
        batch: &mut Batch,
        scan: &mut TableScan,
    ) -> Option<Vec<String>> {
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
            let before = batch.rows.len();
            if self.advance(batch, scan) == 0 {
                break;
            }
            let mut data = before;
            for k in before..batch.rows.len() {
                let position = batch.rows[k].number - self.comments;
                if position > last {
                    break;
                }
                if self.dialect.header_rows.contains(&position) {
                    rows.push(batch.lossy(k));
                }
                data = k + 1;
            }
            batch.rows.drain(before..data);
        }
        self.drop_comment_rows(batch, 0);
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

    /// Adds data rows to `batch` until it holds at least `rows` rows or `bytes` bytes of cells,
    /// or the table ends (a batch left empty means the end).
    pub(super) fn fill(
        &mut self,
        batch: &mut Batch,
        rows: usize,
        bytes: usize,
        scan: &mut TableScan,
    ) {
        while batch.rows.len() < rows && batch.len_bytes() < bytes {
            let before = batch.rows.len();
            if self.advance(batch, scan) == 0 {
                break;
            }
            self.drop_comment_rows(batch, before);
        }
    }

    /// Removes the rows from `from` on that the dialect's `commentRows` names.
    fn drop_comment_rows(&self, batch: &mut Batch, from: usize) {
        let skip = &self.dialect.comment_rows;
        if skip.is_empty() {
            return;
        }
        let mut k = from;
        while k < batch.rows.len() {
            if skip.contains(&batch.rows[k].number) {
                let span = batch.rows.remove(k);
                // Only the last row added can have cells of its own: take them back.
                if !span.cells.is_empty() && k == batch.rows.len() {
                    batch.undo_cells(span.cells.start);
                }
            } else {
                k += 1;
            }
        }
    }

    /// Reads the next record with the empty lines before it (or the empty lines at the end)
    /// into `batch`; returns the rows added, 0 at the end.
    fn advance(&mut self, batch: &mut Batch, scan: &mut TableScan) -> usize {
        if self.done {
            return 0;
        }
        let mark = batch.mark();
        match self.records.read(batch) {
            Ok(true) => {
                let (blanks, comments) = self.records.parser.lines_before();
                self.row += comments;
                self.comments += comments;
                let first = mark.cells();
                for _ in 0..blanks {
                    self.row += 1;
                    batch.rows.push(RowSpan {
                        number: self.row,
                        cells: first..first,
                    });
                }
                self.row += 1;
                batch.rows.push(RowSpan {
                    number: self.row,
                    cells: first..batch.cell_count(),
                });
                if self.nul_row.is_none() && self.records.passed_nul() {
                    self.nul_row = Some(self.row);
                }
                blanks as usize + 1
            }
            Ok(false) => {
                self.done = true;
                batch.undo(mark);
                // frictionless counts empty lines at the end as (blank) rows too.
                let trailing = self.records.parser.trailing_blanks();
                let at = batch.cell_count();
                for _ in 0..trailing {
                    self.row += 1;
                    batch.rows.push(RowSpan {
                        number: self.row,
                        cells: at..at,
                    });
                }
                trailing as usize
            }
            Err(e) => {
                batch.undo(mark);
                scan.push_all([Finding::new(
                    Kind::SourceError,
                    self.shown,
                    "a well-formed CSV file",
                )
                .row(self.row + 1)
                .found(e.to_string())]);
                self.done = true;
                0
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::parse::Parser;

    /// Every record's cells, read with `Records::sized` for a text of about `size` bytes.
    fn cells(text: &str, size: u64) -> Vec<Vec<u8>> {
        let parser = Parser::new(b',', b'"', true, None, None);
        let mut records = Records::sized(parser, Box::new(text.as_bytes()), size);
        let mut batch = Batch::default();
        while records.read(&mut batch).unwrap() {}
        batch.cells_raw(0..batch.cell_count())
    }

    #[test]
    fn a_size_hint_only_sizes_the_buffer() {
        // Longer than the smallest buffer and than the largest, with a quoted cell across reads.
        let row = "1,\"a, «б»\nc\",x\n";
        let text = row.repeat(INPUT / row.len() * 3);
        let whole = cells(&text, u64::MAX);
        assert_eq!(whole.len(), text.matches('\n').count() / 2 * 3);
        for size in [0, 10, text.len() as u64, u64::MAX - 1] {
            assert_eq!(cells(&text, size), whole, "{size}");
        }
    }
}
