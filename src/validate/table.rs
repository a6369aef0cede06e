//! Stage 2, validate: the streaming pass over one tabular resource. The file is read once,
//! through `checksum::HashingReader` (twice at once when hashing is the slow part and cores are
//! spare: `checksum::hashing_is_slow`): the first 64 KiB decide the encoding and dialect
//! when they are not declared, the header is compared with the schema (or a schema is inferred
//! from the first rows, as frictionless does), and every row is checked by `rows::RowChecker`.
//! Row numbers count every row of the file, empty lines included, the header being row 1 —
//! frictionless' numbering. Memory stays flat in the file size apart from the sets of key values.

use std::collections::HashSet;
use std::io::{self, BufReader, Read};
use std::path::Path;

use super::batch::Batch;
use super::checking::{batch_size, check_beside, Context, Sequencer};
use super::parse::Parser;
use super::reader::{Records, RowReader, Structure};
use super::report::{Finding, Kind};
use super::rows::RowChecker;
use super::source;
use super::structure::{compare_labels, SpaceDropper};
use crate::catalog::dialect::Dialect;
use crate::catalog::schema::Schema;
use crate::checksum::{self, Digest, HashingReader};

/// Rows kept for the page's preview.
pub const PREVIEW_ROWS: usize = 100;
/// Findings kept per resource; the rest are counted.
pub const MAX_FINDINGS: usize = 1000;
/// The most columns a table may have (Excel's and LibreOffice's limit); a wider table is refused
/// at its header, before a field is made for every column.
pub const MAX_COLUMNS: usize = 16_384;
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
    /// Threads that check the cells of a large table (`workers_for`).
    pub workers: usize,
    /// Also profile the columns (`profile`): `build` and `check` do, `validate` does not.
    pub profile: bool,
    /// Keep every row (not only the preview) of a file of at most this many bytes, for the
    /// full-table page.
    pub keep_all_up_to: Option<u64>,
}

impl<'a> TableSpec<'a> {
    /// A file read as it is, nothing declared: schema inferred, encoding and delimiter detected,
    /// one thread, no profile (how `new dataset` reads a file).
    pub fn undeclared(dialect: &'a Dialect) -> Self {
        TableSpec {
            schema: None,
            dialect,
            encoding: None,
            duplicate_rows: false,
            with_md5: false,
            workers: 1,
            profile: false,
            keep_all_up_to: None,
        }
    }
}

/// Checking threads for each of `large` tables validated at the same time: the threads shared
/// out, at least one each (several large files already keep every core busy). The threads are
/// the pool's (`RAYON_NUM_THREADS`, else one per core); with one, 0: a large table is read and
/// checked on the thread that validates it, with no thread beside it to parse or to hash.
pub fn workers_for(large: usize) -> usize {
    workers_among(rayon::current_num_threads(), large)
}

fn workers_among(threads: usize, large: usize) -> usize {
    if threads <= 1 {
        return 0;
    }
    (threads / large.clamp(1, threads)).clamp(1, 4)
}

/// How many of `paths` are files large enough to be checked on several threads (looked at in
/// parallel: a national catalogue has 70,000 tables).
pub fn count_large(paths: &[std::path::PathBuf]) -> usize {
    use rayon::prelude::*;
    (paths.par_iter())
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() >= PARALLEL_FROM))
        .count()
}

/// What one pass over a table found.
#[derive(Debug, Clone, Default)]
pub struct TableScan {
    pub digest: Digest,
    /// Data rows (header rows not counted; empty lines counted, as blank rows).
    pub rows: u64,
    pub header: Vec<String>,
    /// The first `PREVIEW_ROWS` rows with cells, or all of them when `all_rows`.
    pub preview: Vec<Vec<String>>,
    /// True when `preview` holds every row (the file was within `keep_all_up_to`).
    pub all_rows: bool,
    /// The column profile, when asked for.
    pub profile: Vec<super::profile::ColumnProfile>,
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
    pub(super) fn push_all(&mut self, findings: impl IntoIterator<Item = Finding>) {
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
    // Unbuffered: the parser reads 64 KiB at a time, straight from the file into its buffer.
    if size < PARALLEL_FROM || spec.workers < 2 || !checksum::hashing_is_slow() {
        return scan_read(HashingReader::new(file, spec.with_md5), size, shown, spec);
    }
    scan_hashing_beside(path, file, size, shown, spec)
}

/// `scan` for cores to spare and hashing slower than parsing: the file is read twice at once,
/// once to check and once, on another thread, to hash.
fn scan_hashing_beside(
    path: &Path,
    file: std::fs::File,
    size: u64,
    shown: &Path,
    spec: &TableSpec,
) -> io::Result<TableScan> {
    std::thread::scope(|s| {
        let hasher = s.spawn(|| checksum::digest_file(path, spec.with_md5));
        let scan = scan_read(HashingReader::counting(file), size, shown, spec);
        let digest = hasher
            .join()
            .map_err(|_| io::Error::other("the hashing thread stopped"))?;
        let mut scan = scan?;
        scan.digest = digest?;
        Ok(scan)
    })
}

/// `scan` with the file already open behind `hashing`.
fn scan_read(
    mut hashing: HashingReader<std::fs::File>,
    size: u64,
    shown: &Path,
    spec: &TableSpec,
) -> io::Result<TableScan> {
    let head = source::read_head(&mut hashing)?;
    let mut scan = TableScan::default();
    if is_empty_text(&head) {
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
        Err((expected, found, row)) => {
            let mut finding = Finding::new(Kind::EncodingError, shown, expected).found(found);
            if let Some(row) = row {
                finding = finding
                    .row(row)
                    .hint("save the file again as CSV in UTF-8 (in Excel: “CSV UTF-8”)");
            }
            scan.push_all([finding]);
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
        let records = records(spec, delimiter, quote, skip_space, (text, size));
        let mut rows = RowReader::new(records, spec.dialect, shown);
        let last_row = check_rows(&mut rows, spec, size, skip_space, shown, &mut scan);
        finish_structure(rows.structure(), last_row, shown, &mut scan);
    }
    scan.digest = hashing.finish()?;
    Ok(scan)
}

/// Reads the header, infers a schema if none is given, and checks every row; returns the number
/// of the last row.
fn check_rows(
    rows: &mut RowReader,
    spec: &TableSpec,
    size: u64,
    skip_space: bool,
    shown: &Path,
    scan: &mut TableScan,
) -> u64 {
    let mut first = Batch::default();
    let labels = rows.read_header(&mut first, scan);
    let table = Table {
        labels: labels.as_deref(),
        skip_space,
        shown,
    };
    let Some(schema) = table.schema(spec.schema, rows, &mut first, scan) else {
        return rows.row;
    };
    let schema = schema.as_ref();
    if spec.schema.is_none() && labels.is_none() && first.rows.is_empty() && rows.row == 0 {
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
    match &labels {
        Some(labels) => {
            let header_row = spec.dialect.header_rows.iter().copied().max().unwrap_or(1);
            scan.push_all(compare_labels(labels, &declared, header_row, shown));
            scan.header = labels.clone();
        }
        None => scan.header = schema.fields.iter().map(|f| f.name.clone()).collect(),
    }
    let mut findings = Vec::new();
    let checker = RowChecker::new(
        schema,
        spec.dialect.null_sequence.as_deref(),
        spec.duplicate_rows,
        shown,
        &mut findings,
    );
    scan.push_all(findings);
    // The rest of the first batch (rows past the header, the inference sample).
    rows.fill(&mut first, BATCH_ROWS, BATCH_BYTES, scan);
    first.seal();
    let names: Vec<String> = schema.fields.iter().map(|f| f.name.clone()).collect();
    let ctx = Context {
        checker: &checker,
        names: &names,
        shown,
        skip_space,
        profile: spec.profile,
    };
    let all_rows = spec.keep_all_up_to.is_some_and(|max| size <= max);
    let mut seq = Sequencer {
        tables: checker.keys().tables(),
        preview: Vec::new(),
        keep: if all_rows { usize::MAX } else { PREVIEW_ROWS },
        profile: spec
            .profile
            .then(|| super::profile::TableProfile::new(names.len())),
    };
    seq.tables
        .reserve(checker.keys(), expected_rows(&first, size));
    let more = !first.rows.is_empty();
    let mut batch = seq.absorb(&ctx, ctx.check(first), scan);
    if more && size >= PARALLEL_FROM && spec.workers > 0 {
        let sizes = batch_size(spec.workers);
        check_beside(rows, (&ctx, &mut seq), scan, spec.workers, sizes);
    } else if more {
        loop {
            batch.clear();
            rows.fill(&mut batch, BATCH_ROWS, BATCH_BYTES, scan);
            if batch.rows.is_empty() {
                break;
            }
            batch.seal();
            batch = seq.absorb(&ctx, ctx.check(batch), scan);
        }
    }
    let mut findings = Vec::new();
    seq.tables.finish(checker.keys(), shown, &mut findings);
    scan.push_all(findings);
    scan.preview = seq.preview;
    scan.all_rows = all_rows;
    if let Some(profile) = seq.profile {
        scan.profile = profile.finish(schema);
    }
    if spec.schema.is_none() {
        scan.inferred = Some(schema.clone());
    }
    rows.row
}

/// What is known of a table once its header is read.
struct Table<'a> {
    labels: Option<&'a [String]>,
    skip_space: bool,
    shown: &'a Path,
}

impl Table<'_> {
    /// The declared schema, or one inferred from the first rows (read into `first`); `None`, with
    /// the finding pushed, when the header or a sampled row is wider than `MAX_COLUMNS`.
    fn schema<'s>(
        &self,
        declared: Option<&'s Schema>,
        rows: &mut RowReader,
        first: &mut Batch,
        scan: &mut TableScan,
    ) -> Option<std::borrow::Cow<'s, Schema>> {
        let header = too_wide(self.labels.map_or(0, <[String]>::len), 1, self.shown);
        if let Some(wide) = header {
            scan.push_all([wide]);
            return None;
        }
        if let Some(s) = declared {
            return Some(std::borrow::Cow::Borrowed(s));
        }
        rows.fill(first, INFER_ROWS, usize::MAX, scan);
        first.seal();
        let widest =
            (first.rows.iter()).find_map(|r| too_wide(r.cells.len(), r.number, self.shown));
        if let Some(wide) = widest {
            scan.push_all([wide]);
            return None;
        }
        let sample: Vec<Vec<String>> = (0..first.rows.len().min(INFER_ROWS))
            .filter_map(|k| first.cells(k, self.skip_space).ok())
            .map(|cells| cells.into_iter().map(str::to_owned).collect())
            .collect();
        let inferred = super::infer::infer_schema(self.labels, &sample);
        Some(std::borrow::Cow::Owned(inferred))
    }
}

/// True when a file's head (all of it, when this short) holds no text: nothing, or only a
/// byte-order mark, which an editor saving an empty table writes.
fn is_empty_text(head: &[u8]) -> bool {
    [&b""[..], b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"].contains(&head)
}

/// A finding when a header (or, without one, a row the schema is inferred from) at `row` has
/// more than `MAX_COLUMNS` cells: every column costs a field, its checks and its profile, so a
/// crafted line of a million delimiters would otherwise take minutes and gigabytes.
fn too_wide(cells: usize, row: u64, shown: &Path) -> Option<Finding> {
    (cells > MAX_COLUMNS).then(|| {
        Finding::new(
            Kind::SourceError,
            shown,
            format!("at most {MAX_COLUMNS} columns (the most a spreadsheet holds)"),
        )
        .row(row)
        .found(format!("{cells} cells"))
        .hint("the file is probably not a table with this delimiter: check the delimiter, or split the table")
    })
}

/// Rows a table of `size` bytes probably has, judged by its first batch (at most `MAX_GUESS`:
/// key tables sized for a wild guess would take memory the file does not need).
fn expected_rows(first: &Batch, size: u64) -> usize {
    const MAX_GUESS: u64 = 8_000_000;
    let rows = first.rows.len() as u64;
    if rows == 0 {
        return 0;
    }
    // Cell bytes per row, plus the delimiter or line break the parser dropped after each cell
    // (quotes are not counted: the guess errs on more rows, never on many fewer).
    let cells = first.mark().cells() as u64;
    let per_row = ((first.len_bytes() as u64 + cells) / rows).max(1);
    (size / per_row).clamp(rows, MAX_GUESS) as usize
}

/// Calls `each(row, cells)` for every data row of a table, with the same decoding, dialect and row
/// numbering as `scan` but no checks (for foreign-key lookups across resources).
pub fn visit(path: &Path, spec: &TableSpec, each: &mut dyn FnMut(u64, &[&str])) -> io::Result<()> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map_or(u64::MAX, |m| m.len());
    let mut file = BufReader::with_capacity(checksum::BUFFER, file);
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
    let records = records(spec, delimiter, quote, skip_space, (text, size));
    let mut rows = RowReader::new(records, spec.dialect, path);
    let mut ignored = TableScan::default();
    let mut batch = Batch::default();
    rows.read_header(&mut batch, &mut ignored);
    loop {
        rows.fill(&mut batch, BATCH_ROWS, BATCH_BYTES, &mut ignored);
        if batch.rows.is_empty() {
            return Ok(());
        }
        batch.seal();
        let mut cells = Vec::new();
        for k in 0..batch.rows.len() {
            if batch.cells_into(k, skip_space, &mut cells).is_ok() {
                each(batch.rows[k].number, &cells);
            }
        }
        batch.clear();
    }
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

/// The CSV parser for a dialect, over the text (with the spaces after delimiters dropped first
/// when the dialect says `skipInitialSpace`).
fn records<'t>(
    spec: &TableSpec,
    delimiter: u8,
    quote: u8,
    skip_space: bool,
    (text, size): (Box<dyn Read + Send + 't>, u64),
) -> Records<'t> {
    let comment = spec.dialect.comment_char;
    let parser = Parser::new(
        delimiter,
        quote,
        spec.dialect.double_quote,
        spec.dialect.escape_char,
        comment,
    );
    let text: Box<dyn Read + Send + 't> = if skip_space {
        Box::new(SpaceDropper::new(text, quote, delimiter, comment))
    } else {
        text
    };
    Records::sized(parser, text, size)
}

/// The schema restricted to the fields the header's labels pair with, by position, with an
/// `any` field for each label beyond the schema (frictionless' `get_expected_fields`).
fn expected_fields(schema: &Schema, labels: &[String]) -> Schema {
    let mut expected = schema.clone();
    expected.fields.truncate(labels.len());
    // Names taken so far, so that thousands of extra labels cost one look-up each.
    let mut taken: HashSet<String> = expected.fields.iter().map(|f| f.name.clone()).collect();
    for label in labels.iter().skip(schema.fields.len()) {
        let mut name = label.clone();
        while taken.contains(&name) {
            name.push('2');
        }
        taken.insert(name.clone());
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

/// Files at least this large are parsed on one thread and checked on others (`checking`).
pub const PARALLEL_FROM: u64 = 16 * 1024 * 1024;
/// A batch holds about this many rows, or this many bytes of cells, whichever comes first.
/// Batch sizes (see `checking::batch_size`).
pub(super) const BATCH_ROWS: usize = 16 * 1024;
pub(super) const BATCH_BYTES: usize = 128 * 1024;
pub(super) const SHARED_BATCH_ROWS: usize = 64 * 1024;
pub(super) const SHARED_BATCH_BYTES: usize = 2048 * 1024;

/// Findings about the raw text that the parser passed over: NUL bytes, an unterminated quote,
/// empty lines at the end (frictionless counts them as blank rows).
fn finish_structure(structure: Structure, last_row: u64, shown: &Path, scan: &mut TableScan) {
    if let Some(row) = structure.nul_row {
        scan.push_all([
            Finding::new(Kind::SourceError, shown, "text without NUL bytes")
                .row(row)
                .hint("the file is binary or was saved in UTF-16: export it again as CSV in UTF-8"),
        ]);
    }
    if structure.open_quote {
        // Everything after the open quote became one cell: report the quote, not its symptoms.
        scan.findings.retain(|f| f.row != Some(last_row));
        scan.push_all([Finding::new(Kind::SourceError, shown, "a closing quote (\") for the value that starts with one").row(last_row).hint("a value opens a double quote that is never closed: close it, or double the quote inside the value (\"\")")]);
    }
}

#[cfg(test)]
mod props;

#[cfg(test)]
mod tests;
