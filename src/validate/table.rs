//! Stage 2, validate: the streaming pass over one tabular resource. The file is read exactly
//! once, through `checksum::HashingReader`: the first 64 KiB decide the encoding and dialect
//! when they are not declared, the header is compared with the schema (or a schema is inferred
//! from the first rows, as frictionless does), and every row is checked by `rows::RowChecker`.
//! Row numbers count every row of the file, empty lines included, the header being row 1 —
//! frictionless' numbering. Memory stays flat in the file size apart from the sets of key values.

use std::io::{self, BufReader, Read};
use std::path::Path;

use super::report::{Finding, Kind};
use super::rows::RowChecker;
use super::source;
use super::structure::{compare_labels, QuoteTracker, Quoting};
use crate::catalog::dialect::Dialect;
use crate::catalog::schema::Schema;
use crate::checksum::{self, Digest, HashingReader};

/// Rows kept for the page's preview.
pub const PREVIEW_ROWS: usize = 20;
/// Findings kept per resource; the rest are counted.
pub const MAX_FINDINGS: usize = 1000;
/// Rows sampled to infer a schema (frictionless' default).
pub const INFER_ROWS: usize = 100;

/// How to read a table.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec<'a> {
    /// The schema; `None` infers one from the first rows.
    pub schema: Option<&'a Schema>,
    pub dialect: &'a Dialect,
    /// A declared encoding label; `None` detects it.
    pub encoding: Option<&'a str>,
    /// Also report rows repeated exactly (frictionless' `duplicate-row` check).
    pub duplicate_rows: bool,
    /// Also compute MD5 (when a descriptor declares an MD5 hash).
    pub with_md5: bool,
}

/// What one pass over a table found.
#[derive(Debug, Clone, Default)]
pub struct TableScan {
    pub digest: Digest,
    /// Data rows (header rows not counted; empty lines counted, as blank rows).
    pub rows: u64,
    pub header: Vec<String>,
    pub preview: Vec<Vec<String>>,
    pub findings: Vec<Finding>,
    /// Findings beyond `MAX_FINDINGS`, counted but not kept.
    pub omitted: u64,
    /// The schema inferred when none was given.
    pub inferred: Option<Schema>,
    /// The encoding the file was read with (WHATWG name).
    pub encoding: String,
    pub delimiter: u8,
}

impl TableScan {
    fn push_all(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for f in findings {
            if self.findings.len() < MAX_FINDINGS {
                self.findings.push(f);
            } else {
                self.omitted += 1;
            }
        }
    }
}

/// Scans the tabular resource at `path` (shown in findings as `shown`).
pub fn scan(path: &Path, shown: &Path, spec: &TableSpec) -> io::Result<TableScan> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut hashing = HashingReader::pipelined(
        BufReader::with_capacity(checksum::BUFFER, file),
        spec.with_md5,
        size,
    );
    let head = source::read_head(&mut hashing)?;
    let mut scan = TableScan::default();
    if head.is_empty() {
        scan.push_all([Finding::new(
            Kind::SourceError,
            shown,
            "a file with at least a header row",
        )
        .found("an empty file")
        .hint("export the table again; the file has no content")]);
        scan.digest = hashing.finish()?;
        return Ok(scan);
    }
    let encoding = match source::choose_encoding(spec.encoding, &head) {
        Ok(e) => e,
        Err(expected) => {
            scan.push_all([Finding::new(Kind::EncodingError, shown, expected)
                .found(spec.encoding.unwrap_or_default())]);
            scan.digest = hashing.finish()?;
            return Ok(scan);
        }
    };
    scan.encoding = encoding.name().to_ascii_lowercase();
    let Resolved {
        delimiter,
        quote,
        skip_space,
    } = resolve(spec, &head, encoding);
    scan.delimiter = delimiter;
    {
        let text = source::text_stream(head, &mut hashing, encoding);
        let mut tracker = QuoteTracker::new(text, quote, delimiter);
        tracker.skip_initial_space = skip_space;
        let mut rows = RowReader::new(
            csv_reader(spec, delimiter, quote, &mut tracker),
            spec.dialect,
            shown,
        );
        let last_row = check_rows(&mut rows, spec, size, skip_space, shown, &mut scan);
        drop(rows);
        finish_structure(&tracker, last_row, shown, &mut scan);
    }
    scan.digest = hashing.finish()?;
    Ok(scan)
}

/// Reads the header, infers a schema if none is given, and checks every row; returns the number
/// of the last row.
fn check_rows<T: Read + Send>(
    rows: &mut RowReader<T>,
    spec: &TableSpec,
    size: u64,
    skip_space: bool,
    shown: &Path,
    scan: &mut TableScan,
) -> u64 {
    let labels = rows.read_header(scan);
    let mut pending: Vec<(u64, csv::ByteRecord)> = Vec::new();
    let inferred;
    let schema = match spec.schema {
        Some(s) => s,
        None => {
            while pending.len() < INFER_ROWS {
                match rows.next(scan) {
                    Some((row, record)) => pending.push((row, record.clone())),
                    None => break,
                }
            }
            let sample: Vec<Vec<String>> = pending
                .iter()
                .filter_map(|(_, r)| utf8_cells(r, skip_space).ok())
                .map(|cells| cells.into_iter().map(str::to_owned).collect())
                .collect();
            inferred = super::infer::infer_schema(labels.as_deref(), &sample);
            &inferred
        }
    };
    if spec.schema.is_none() && labels.is_none() && pending.is_empty() && rows.row == 0 {
        return 0;
    }
    // frictionless checks rows against the fields the header pairs with: one per label (a label
    // beyond the schema gets an `any` field), fields without a label are not expected in rows.
    let declared: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    let expected_schema;
    let schema = match &labels {
        Some(labels) if labels.len() != schema.fields.len() => {
            expected_schema = expected_fields(schema, labels);
            &expected_schema
        }
        _ => schema,
    };
    rows.names = schema.fields.iter().map(|f| f.name.clone()).collect();
    match &labels {
        Some(labels) => {
            let header_row = spec.dialect.header_rows.iter().copied().max().unwrap_or(1);
            scan.push_all(compare_labels(labels, &declared, header_row, shown));
            scan.header = labels.clone();
        }
        None => scan.header = schema.fields.iter().map(|f| f.name.clone()).collect(),
    }
    let mut findings = Vec::new();
    let mut checker = RowChecker::new(
        schema,
        spec.dialect.null_sequence.as_deref(),
        spec.duplicate_rows,
        shown,
        &mut findings,
    );
    scan.push_all(findings);
    let mut preview = Vec::new();
    let names = &rows.names.clone();
    let mut check = |row: u64, record: &csv::ByteRecord, scan: &mut TableScan| {
        scan.rows += 1;
        let cells = match utf8_cells(record, skip_space) {
            Ok(cells) => cells,
            Err(index) => {
                scan.push_all([bad_utf8(row, index, record, names, shown)]);
                return;
            }
        };
        if preview.len() < PREVIEW_ROWS && !cells.is_empty() {
            preview.push(cells.iter().map(|c| (*c).to_owned()).collect());
        }
        let mut findings = Vec::new();
        checker.check(&cells, row, &mut findings);
        scan.push_all(findings);
    };
    for (row, record) in &pending {
        check(*row, record, scan);
    }
    if size >= PARALLEL_FROM {
        parse_beside(rows, scan, &mut check);
    } else {
        while let Some((row, record)) = rows.next(scan) {
            check(row, record, scan);
        }
    }
    let mut findings = Vec::new();
    checker.finish(&mut findings);
    scan.push_all(findings);
    scan.preview = preview;
    if spec.schema.is_none() {
        scan.inferred = Some(schema.clone());
    }
    rows.row
}

/// Calls `each(row, cells)` for every data row of a table, with the same decoding, dialect and row
/// numbering as `scan` but no checks (for foreign-key lookups across resources).
pub fn visit(path: &Path, spec: &TableSpec, each: &mut dyn FnMut(u64, &[&str])) -> io::Result<()> {
    let mut file = BufReader::with_capacity(checksum::BUFFER, std::fs::File::open(path)?);
    let head = source::read_head(&mut file)?;
    let Ok(encoding) = source::choose_encoding(spec.encoding, &head) else {
        return Ok(());
    };
    let Resolved {
        delimiter,
        quote,
        skip_space,
    } = resolve(spec, &head, encoding);
    let text = source::text_stream(head, file, encoding);
    let mut tracker = QuoteTracker::new(text, quote, delimiter);
    tracker.skip_initial_space = skip_space;
    let mut rows = RowReader::new(
        csv_reader(spec, delimiter, quote, &mut tracker),
        spec.dialect,
        path,
    );
    let mut ignored = TableScan::default();
    rows.read_header(&mut ignored);
    while let Some((row, record)) = rows.next(&mut ignored) {
        if let Ok(cells) = utf8_cells(record, skip_space) {
            each(row, &cells);
        }
    }
    Ok(())
}

/// The dialect as it will be read: declared, else sniffed from the head, else the defaults.
struct Resolved {
    delimiter: u8,
    quote: u8,
    skip_space: bool,
}

fn resolve(spec: &TableSpec, head: &[u8], encoding: &'static encoding_rs::Encoding) -> Resolved {
    let d = spec.dialect;
    let sniffed = if d.delimiter.is_none() || d.quote_char.is_none() || !d.skip_initial_space {
        super::sniff::sniff_dialect(&source::head_text(head, encoding))
    } else {
        None
    };
    Resolved {
        delimiter: d.delimiter.or(sniffed.map(|s| s.delimiter)).unwrap_or(b','),
        quote: d
            .quote_char
            .or(sniffed.map(|s| s.quote_char))
            .unwrap_or(b'"'),
        skip_space: d.skip_initial_space || sniffed.is_some_and(|s| s.skip_initial_space),
    }
}

/// The CSV parser for a dialect, over the tracked text.
fn csv_reader<'t, T: Read>(
    spec: &TableSpec,
    delimiter: u8,
    quote: u8,
    tracker: &'t mut QuoteTracker<T>,
) -> csv::Reader<&'t mut QuoteTracker<T>> {
    // The tracker must skip comment lines exactly where the parser does.
    tracker.comment = spec.dialect.comment_char;
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quote(quote)
        .double_quote(spec.dialect.double_quote)
        .escape(spec.dialect.escape_char)
        .comment(spec.dialect.comment_char)
        .buffer_capacity(64 * 1024)
        .from_reader(tracker)
}

/// The schema restricted to the fields the header's labels pair with, by position, with an
/// `any` field for each label beyond the schema (frictionless' `get_expected_fields`).
fn expected_fields(schema: &Schema, labels: &[String]) -> Schema {
    let mut expected = schema.clone();
    expected.fields.truncate(labels.len());
    for label in labels.iter().skip(schema.fields.len()) {
        let mut name = label.clone();
        while expected.fields.iter().any(|f| f.name == name) {
            name.push('2');
        }
        expected.fields.push(crate::catalog::schema::Field {
            name,
            title: None,
            description: None,
            field_type: crate::catalog::schema::FieldType::Any,
            format: None,
            constraints: Default::default(),
            missing_values: None,
        });
    }
    expected
}

/// Files at least this large are parsed on a second thread while the first checks the rows.
pub const PARALLEL_FROM: u64 = 16 * 1024 * 1024;
/// Records handed from the parsing thread to the checking thread at a time.
const BATCH: usize = 512;

/// Parses the rest of the table on a second thread, handing over batches of records, while
/// `check` runs on this one. Record buffers travel back to the parser to be reused.
fn parse_beside<T: Read + Send>(
    rows: &mut RowReader<T>,
    scan: &mut TableScan,
    check: &mut dyn FnMut(u64, &csv::ByteRecord, &mut TableScan),
) {
    use std::sync::mpsc;
    type Batch = Vec<(u64, csv::ByteRecord)>;
    let (full, incoming) = mpsc::sync_channel::<Batch>(4);
    let (give_back, spare) = mpsc::channel::<Batch>();
    let parser_findings = std::thread::scope(|s| {
        let parser = s.spawn(move || {
            let mut found = TableScan::default();
            loop {
                let mut batch = spare.try_recv().unwrap_or_default();
                let mut used = 0;
                while used < BATCH {
                    if used == batch.len() {
                        batch.push((0, csv::ByteRecord::new()));
                    }
                    let Some(row) = rows.next_into(&mut found, &mut batch[used].1) else {
                        break;
                    };
                    batch[used].0 = row;
                    used += 1;
                }
                batch.truncate(used);
                if used == 0 || full.send(batch).is_err() {
                    break;
                }
            }
            found.findings
        });
        for batch in incoming {
            for (row, record) in &batch {
                check(*row, record, scan);
            }
            // The parser may have finished; then the buffers are dropped.
            let _ = give_back.send(batch);
        }
        parser.join().unwrap_or_default()
    });
    scan.push_all(parser_findings);
}

/// A row's cells, on the stack for rows of up to 32 cells.
type Cells<'r> = smallvec::SmallVec<[&'r str; 32]>;

/// The cells of a record as text, or the index of the first field that is not valid UTF-8. The
/// record's bytes are validated in one SIMD pass and then cut at the field boundaries (a cut that
/// falls inside a character means that field is not valid on its own).
fn utf8_cells(record: &csv::ByteRecord, skip_space: bool) -> Result<Cells<'_>, usize> {
    let first_bad = || {
        record
            .iter()
            .position(|f| simdutf8::basic::from_utf8(f).is_err())
            .unwrap_or(0)
    };
    let whole = simdutf8::basic::from_utf8(record.as_slice()).map_err(|_| first_bad())?;
    let mut cells = Cells::with_capacity(record.len());
    for i in 0..record.len() {
        let text = record.range(i).and_then(|r| whole.get(r)).ok_or(i)?;
        cells.push(if skip_space { text.trim_start() } else { text });
    }
    Ok(cells)
}

/// An encoding error at `row`, naming the field and showing the value as far as it can be read.
fn bad_utf8(
    row: u64,
    index: usize,
    record: &csv::ByteRecord,
    names: &[String],
    shown: &Path,
) -> Finding {
    let field = index + 1;
    let name = names
        .get(index)
        .cloned()
        .unwrap_or_else(|| format!("column {field}"));
    let value = record
        .get(index)
        .map(String::from_utf8_lossy)
        .unwrap_or_default()
        .into_owned();
    Finding::new(Kind::EncodingError, shown, "text in the file's encoding (UTF-8)")
        .row(row)
        .field(name, Some(field))
        .found(value)
        .hint("the file is probably Windows-1251 (an Excel export): save it as “CSV UTF-8”, or declare \"encoding\": \"windows-1251\"")
}

/// Findings about the raw text that the parser passed over: NUL bytes, an unterminated quote,
/// empty lines at the end (frictionless counts them as blank rows).
fn finish_structure<R>(
    tracker: &QuoteTracker<R>,
    last_row: u64,
    shown: &Path,
    scan: &mut TableScan,
) {
    if let Some(line) = tracker.first_nul {
        scan.push_all([
            Finding::new(Kind::SourceError, shown, "text without NUL bytes")
                .row(line + 1)
                .hint("the file is binary or was saved in UTF-16: export it again as CSV in UTF-8"),
        ]);
    }
    if tracker.state == Quoting::Quoted {
        // Everything after the open quote became one cell: report the quote, not its symptoms.
        scan.findings.retain(|f| f.row != Some(last_row));
        scan.push_all([Finding::new(Kind::SourceError, shown, "a closing quote (\") for the value that starts with one").row(last_row).hint("a value opens a double quote that is never closed: close it, or double the quote inside the value (\"\")")]);
    }
}

/// Reads records with frictionless' row numbering: empty lines (which the CSV parser skips)
/// come back as empty rows, comment rows are skipped, header rows are joined into labels.
struct RowReader<'a, 't, T> {
    reader: csv::Reader<&'t mut QuoteTracker<T>>,
    dialect: &'a Dialect,
    shown: &'a Path,
    record: csv::ByteRecord,
    empty: csv::ByteRecord,
    /// Field names, once known, to name fields in encoding errors.
    names: Vec<String>,
    /// Rows so far, the header included.
    row: u64,
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
    fn new(
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
    fn read_header(&mut self, scan: &mut TableScan) -> Option<Vec<String>> {
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
    fn next(&mut self, scan: &mut TableScan) -> Option<(u64, &csv::ByteRecord)> {
        loop {
            let row = self.raw_next(scan)?;
            if !self.dialect.comment_rows.contains(&row) {
                return Some((row, self.current()));
            }
        }
    }

    /// Like `next`, but moves the row's cells into `out` (whose old buffer the reader reuses).
    fn next_into(&mut self, scan: &mut TableScan, out: &mut csv::ByteRecord) -> Option<u64> {
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
