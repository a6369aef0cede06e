//! Load stage (`catalog`), XLSX reading: the rows of `<sheetData>`, streamed one at a time,
//! with the row, column and size limits of `Limits` enforced as they are read.

use super::*;

/// Reading `<sheetData>`: where the reader is, and the row and cell being read.
struct Rows<'a> {
    path: &'a Path,
    limits: &'a Limits,
    shared: &'a [String],
    each: &'a mut dyn FnMut(u64, &[String]),
    in_data: bool,
    /// The current row's number, or that of the last row read.
    number: u64,
    rows: u64,
    /// The current row's cells are `cells[..width]`; the strings past it are kept for reuse.
    cells: Vec<String>,
    width: usize,
    bytes: usize,
    /// The current cell's column (`None` outside cells), and the column of a next cell without
    /// a reference.
    column: Option<u64>,
    next_column: u64,
    /// The current cell's type (`s` shared string, `b` boolean, 0 for any taken as written),
    /// its text so far, and where in it the reader is.
    kind: u8,
    text: String,
    in_v: bool,
    in_is: bool,
    runs: Runs,
}

pub(super) fn read_rows(
    mut part: XmlPart,
    shared: &[String],
    limits: &Limits,
    each: &mut dyn FnMut(u64, &[String]),
) -> Result<(), XlsxError> {
    let mut rows = Rows {
        path: part.path,
        limits,
        shared,
        each,
        in_data: false,
        number: 0,
        rows: 0,
        cells: Vec::new(),
        width: 0,
        bytes: 0,
        column: None,
        next_column: 0,
        kind: 0,
        text: String::new(),
        in_v: false,
        in_is: false,
        runs: Runs::default(),
    };
    let mut buf = Vec::new();
    loop {
        let event = part.next(&mut buf).map_err(|e| rows.in_row(e))?;
        match event {
            // The XML reader accepts unclosed tags at the end; rows cut short must not pass.
            Event::Eof if rows.in_data => {
                let cut = IllFormedError::MissingEndTag("sheetData".to_owned());
                return Err(rows.in_row(part.damaged(cut.into())));
            }
            // Read to the end, where the zip's checksum of the part is checked.
            Event::Eof => return Ok(()),
            event => rows.event(&part, &event).map_err(|e| rows.in_row(e))?,
        }
    }
}

impl Rows<'_> {
    /// Damage in the sheet, placed at the row being read (the person who has the file can look
    /// there; a byte position says nothing in Excel).
    fn in_row(&self, mut err: XlsxError) -> XlsxError {
        if let XlsxError::Damaged { row, .. } = &mut err {
            *row = (self.number > 0).then_some(self.number);
        }
        err
    }

    fn event(&mut self, part: &XmlPart, event: &Event) -> Result<(), XlsxError> {
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"sheetData" => self.in_data = !empty,
                    b"row" if self.in_data => {
                        self.begin_row(part, e)?;
                        if empty {
                            self.end_row();
                        }
                    }
                    b"c" if self.in_data => {
                        self.begin_cell(part, e)?;
                        if empty {
                            self.end_cell()?;
                        }
                    }
                    b"v" => self.in_v = !empty,
                    b"is" => self.in_is = !empty,
                    name if !empty => self.runs.start(name),
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"sheetData" => self.in_data = false,
                b"row" if self.in_data => self.end_row(),
                b"c" => self.end_cell()?,
                b"v" => self.in_v = false,
                b"is" => self.in_is = false,
                name => self.runs.end(name),
            },
            // Only `<v>` and an inline string's `<t>` hold the value (not `<f>`, the formula).
            _ if self.column.is_some() && (self.in_v || (self.in_is && self.runs.in_t)) => {
                part.text(event, &mut self.text)?;
                if self.bytes + self.text.len() > MAX_ROW_BYTES {
                    return Err(self.row_too_long());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn begin_row(&mut self, part: &XmlPart, e: &BytesStart) -> Result<(), XlsxError> {
        let expected = self.number.saturating_add(1);
        let number = match r_and_t(e).map_err(|err| part.damaged(err))?.0 {
            None => expected,
            Some(r) => std::str::from_utf8(&r)
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .filter(|n| *n >= expected)
                .ok_or_else(|| XlsxError::BadRowNumber {
                    path: self.path.to_path_buf(),
                    found: String::from_utf8_lossy(&r).into_owned(),
                    expected,
                })?,
        };
        if self.rows >= self.limits.max_rows {
            return Err(XlsxError::TooManyRows {
                path: self.path.to_path_buf(),
                limit: self.limits.max_rows,
            });
        }
        (self.rows, self.number) = (self.rows + 1, number);
        (self.width, self.bytes, self.next_column, self.column) = (0, 0, 0, None);
        Ok(())
    }

    fn end_row(&mut self) {
        self.column = None;
        (self.each)(self.number, &self.cells[..self.width]);
    }

    fn begin_cell(&mut self, part: &XmlPart, e: &BytesStart) -> Result<(), XlsxError> {
        let (r, t) = r_and_t(e).map_err(|err| part.damaged(err))?;
        let column = match r {
            None => self.next_column,
            Some(r) => column_index(&r).ok_or_else(|| XlsxError::BadCellRef {
                path: self.path.to_path_buf(),
                row: self.number,
                reference: String::from_utf8_lossy(&r).into_owned(),
            })?,
        };
        if column >= self.limits.max_columns as u64 {
            return Err(XlsxError::TooManyColumns {
                path: self.path.to_path_buf(),
                row: self.number,
                column: column.saturating_add(1),
                limit: self.limits.max_columns,
            });
        }
        self.kind = match t.as_deref() {
            Some(b"s") => b's',
            Some(b"b") => b'b',
            _ => 0,
        };
        (self.column, self.next_column) = (Some(column), column + 1);
        (self.in_v, self.in_is, self.runs) = (false, false, Runs::default());
        self.text.clear();
        Ok(())
    }

    fn end_cell(&mut self) -> Result<(), XlsxError> {
        let Some(column) = self.column.take() else {
            return Ok(());
        };
        let value: &str = match (self.kind, self.text.trim()) {
            (b's', "") => return Ok(()),
            (b's', index) => match index.parse::<usize>().ok().and_then(|i| self.shared.get(i)) {
                Some(shared) => shared,
                None => return Err(self.bad_index(index)),
            },
            (b'b', "0") => "FALSE",
            (b'b', "1") => "TRUE",
            _ => &self.text,
        };
        if value.is_empty() {
            return Ok(());
        }
        self.bytes += value.len();
        if self.bytes > MAX_ROW_BYTES {
            return Err(self.row_too_long());
        }
        // Below `max_columns`: checked when the cell began.
        let column = column as usize;
        while self.width <= column {
            match self.cells.get_mut(self.width) {
                Some(gap) => gap.clear(),
                None => self.cells.push(String::new()),
            }
            self.width += 1;
        }
        self.cells[column].clear();
        self.cells[column].push_str(value);
        Ok(())
    }

    fn bad_index(&self, found: &str) -> XlsxError {
        XlsxError::BadSharedIndex {
            path: self.path.to_path_buf(),
            row: self.number,
            found: found.to_owned(),
            count: self.shared.len(),
        }
    }

    fn row_too_long(&self) -> XlsxError {
        XlsxError::RowTooLong {
            path: self.path.to_path_buf(),
            row: self.number,
            limit: MAX_ROW_BYTES as u64,
        }
    }
}

/// A raw attribute value.
type Raw<'e> = Option<Cow<'e, [u8]>>;

/// The raw `r` and `t` attributes of a row or cell. Checks for duplicate attributes are left
/// out: they cost more than the rest of the cell, and the first of two would do.
fn r_and_t<'e>(e: &'e BytesStart) -> Result<(Raw<'e>, Raw<'e>), quick_xml::Error> {
    let (mut r, mut t) = (None, None);
    let mut attributes = e.attributes();
    attributes.with_checks(false);
    for a in attributes {
        let a = a?;
        match a.key.as_ref() {
            b"r" => r = r.or(Some(a.value)),
            b"t" => t = t.or(Some(a.value)),
            _ => {}
        }
    }
    Ok((r, t))
}

/// The 0-based column of a cell reference (`C12` → 2), saturating for absurd ones so that the
/// column limit refuses them; `None` when it is not letters followed by digits.
pub(super) fn column_index(reference: &[u8]) -> Option<u64> {
    let letters = reference
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let (column, row) = reference.split_at(letters);
    if letters == 0 || !row.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = column.iter().fold(0u64, |n, b| {
        let digit = u64::from(b.to_ascii_uppercase() - b'A' + 1);
        n.saturating_mul(26).saturating_add(digit)
    });
    Some(number - 1)
}
