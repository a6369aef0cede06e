//! Stage 2, validate: rows handed from the parser to the checks in batches — the bytes of every
//! cell end to end, where each cell ends, and each row's number and cells. One flat batch per
//! few hundred KiB, instead of one record object per row, keeps the parsing and the checking
//! thread from fighting over cache lines (measured: per-row records halved the parser's speed).
//! Invariant: `ends` are positions in `buf`, non-decreasing; a row's cells are a range of
//! `ends`, and cell `j` spans `ends[j - 1]..ends[j]` (from 0 for `j == 0`).

use std::ops::Range;

/// One row of a batch: its number (the header is row 1) and its cells as a range of `ends`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RowSpan {
    pub number: u64,
    pub cells: Range<usize>,
}

/// Rows read from a table, ready to be checked.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// The cells' bytes, end to end. Appended to (`push_bytes`), never zero-filled first: a
    /// national catalogue's tens of thousands of small files each had 64 KiB of storage zeroed
    /// for them, 1 % of a build.
    buf: Vec<u8>,
    ends: Vec<usize>,
    pub(super) rows: Vec<RowSpan>,
    /// True when `buf` was found to be valid UTF-8 (`seal`).
    utf8: bool,
}

/// Where a batch stood before a record was added (to undo it).
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    used: usize,
    ends: usize,
}

impl Mark {
    /// The number of cell ends at the mark: where the next record's cells start.
    pub(super) fn cells(&self) -> usize {
        self.ends
    }
}

impl Batch {
    /// Empties the batch, keeping its storage.
    pub(super) fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.rows.clear();
        self.utf8 = false;
    }

    /// Bytes of cells held.
    pub(super) fn len_bytes(&self) -> usize {
        self.buf.len()
    }

    pub(super) fn mark(&self) -> Mark {
        Mark {
            used: self.buf.len(),
            ends: self.ends.len(),
        }
    }

    /// Drops the cells added since `mark` (rows pointing at them must be dropped too).
    pub(super) fn undo(&mut self, mark: Mark) {
        self.utf8 = false;
        self.buf.truncate(mark.used);
        self.ends.truncate(mark.ends);
    }

    /// Drops cell `first` and every cell after it.
    pub(super) fn undo_cells(&mut self, first: usize) {
        self.utf8 = false;
        self.buf
            .truncate(if first == 0 { 0 } else { self.ends[first - 1] });
        self.ends.truncate(first);
    }

    /// Appends `bytes` to the current cell.
    pub(super) fn push_bytes(&mut self, bytes: &[u8]) {
        self.utf8 = false;
        if self.buf.capacity() == 0 {
            // A batch holds up to a few hundred KiB: not grown from a few bytes by doubling.
            self.buf.reserve(64 * 1024);
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Ends a cell at the bytes written so far.
    pub(super) fn end_cell_here(&mut self) {
        self.ends.push(self.buf.len());
    }

    /// The bytes of cells `cells` (for tests).
    #[cfg(test)]
    pub(super) fn cells_raw(&self, cells: Range<usize>) -> Vec<Vec<u8>> {
        cells.map(|j| self.buf[self.span(j)].to_vec()).collect()
    }

    /// Number of cell ends held.
    pub(super) fn cell_count(&self) -> usize {
        self.ends.len()
    }

    /// Checks the bytes once for UTF-8, so that `cells` can cut them without checking again.
    pub(super) fn seal(&mut self) {
        self.utf8 = simdutf8::basic::from_utf8(&self.buf).is_ok();
    }

    fn span(&self, j: usize) -> Range<usize> {
        let start = if j == 0 { 0 } else { self.ends[j - 1] };
        start..self.ends[j]
    }

    /// The raw bytes of row `k`'s cells.
    pub(super) fn raw(&self, k: usize) -> impl Iterator<Item = &[u8]> + '_ {
        self.rows[k].cells.clone().map(|j| &self.buf[self.span(j)])
    }

    /// Row `k`'s cells as text (leading spaces — U+0020 only — trimmed with `skip_space`), or the index of the
    /// first cell that is not valid UTF-8.
    pub(super) fn cells(&self, k: usize, skip_space: bool) -> Result<Vec<&str>, usize> {
        let mut cells = Vec::new();
        self.cells_into(k, skip_space, &mut cells)?;
        Ok(cells)
    }

    /// `cells` into a vector the caller reuses from row to row (no allocation per row).
    pub(super) fn cells_into<'b>(
        &'b self,
        k: usize,
        skip_space: bool,
        cells: &mut Vec<&'b str>,
    ) -> Result<(), usize> {
        cells.clear();
        let row = &self.rows[k];
        let (whole, from) = if self.utf8 {
            // SAFETY: `seal` found `buf` to be valid UTF-8, and it is unchanged since: every
            // change (`push_bytes`, `undo`, `undo_cells`, `clear`) resets `utf8`.
            (unsafe { std::str::from_utf8_unchecked(&self.buf) }, 0)
        } else {
            let Some(last) = row.cells.clone().last() else {
                return Ok(());
            };
            let from = self.span(row.cells.start).start;
            let bytes = &self.buf[from..self.ends[last]];
            let first_bad = || {
                self.raw(k)
                    .position(|c| simdutf8::basic::from_utf8(c).is_err())
                    .unwrap_or(0)
            };
            (
                simdutf8::basic::from_utf8(bytes).map_err(|_| first_bad())?,
                from,
            )
        };
        let Some(ends) = self.ends.get(row.cells.clone()) else {
            return Ok(());
        };
        cells.reserve(ends.len());
        // One walk over the row's cell ends (each cell starts where the one before ended).
        let first = row.cells.start;
        let mut start = if first == 0 { 0 } else { self.ends[first - 1] } - from;
        for (i, &end) in ends.iter().enumerate() {
            let end = end - from;
            // A cut inside a character means that cell is not valid on its own.
            let text = whole.get(start..end).ok_or(i)?;
            // Python's `skipinitialspace` drops spaces only: a tab or a line break in a quoted
            // cell is data (`trim_start` dropped them, found by `props::written_rows_read_back`).
            cells.push(if skip_space {
                text.trim_start_matches(' ')
            } else {
                text
            });
            start = end;
        }
        Ok(())
    }

    /// Row `k`'s cells as text with bad bytes replaced (for labels and messages).
    pub(super) fn lossy(&self, k: usize) -> Vec<String> {
        self.raw(k)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(records: &[&[&str]]) -> Batch {
        let mut b = Batch::default();
        for (n, rec) in records.iter().enumerate() {
            let first = b.cell_count();
            for cell in *rec {
                b.push_bytes(cell.as_bytes());
                b.end_cell_here();
            }
            b.rows.push(RowSpan {
                number: n as u64 + 2,
                cells: first..b.cell_count(),
            });
        }
        b.seal();
        b
    }

    #[test]
    fn cells_of_each_row() {
        let b = batch(&[&["a", "бв"], &[""], &["x", "", "z"]]);
        assert_eq!(b.cells(0, false).unwrap().as_slice(), ["a", "бв"]);
        assert_eq!(b.cells(1, false).unwrap().as_slice(), [""]);
        assert_eq!(b.cells(2, false).unwrap().as_slice(), ["x", "", "z"]);
    }

    #[test]
    fn a_character_split_between_cells_is_bad_in_both_paths() {
        // "б" is D0 B1: split across two cells, the whole is valid UTF-8 but neither cell is.
        let mut b = Batch::default();
        for part in [&b"\xD0"[..], &b"\xB1"[..]] {
            b.push_bytes(part);
            b.end_cell_here();
        }
        b.rows.push(RowSpan {
            number: 2,
            cells: 0..2,
        });
        b.seal();
        assert_eq!(b.cells(0, false), Err(0));
        b.utf8 = false;
        assert_eq!(b.cells(0, false), Err(0));
    }

    #[test]
    fn bad_bytes_are_found_in_their_cell() {
        let mut b = batch(&[&["ok", "ok"]]);

        for (i, cell) in [&b"fine"[..], &b"\xFF"[..]].iter().enumerate() {
            b.push_bytes(cell);
            let _ = i;
            b.end_cell_here();
        }
        b.rows.push(RowSpan {
            number: 3,
            cells: 2..4,
        });
        b.seal();
        assert_eq!(b.cells(0, false).unwrap().as_slice(), ["ok", "ok"]);
        assert_eq!(b.cells(1, false), Err(1));
        assert_eq!(b.lossy(1), ["fine", "\u{fffd}"]);
    }
}
