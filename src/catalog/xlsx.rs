//! Load stage (`catalog`): reads the cell values of one worksheet of an Excel workbook (.xlsx),
//! the form in which the Ministry publishes the KATOTTG codifier.
//!
//! Invariants:
//! - Streaming: the worksheet's XML is parsed while it is unpacked and handed out a row at a
//!   time; neither the XML nor the rows are ever held whole, and `<dimension>` is ignored.
//! - Bounded: a part whose zip header claims more than `Limits::max_part_bytes` is refused
//!   before it is unpacked, and any part once it unpacks past its claim (the bytes are counted,
//!   not believed); so are one piece of XML (a tag, or the text between tags) past 1 MiB, a row
//!   past 32 MiB of text, a cell past `Limits::max_columns`, rows past `Limits::max_rows` and
//!   shared strings past `Limits::max_shared_bytes`. A crafted file costs bounded time and
//!   memory, and no input makes the reader panic.
//! - Values are the text as stored: numbers as written, no number formats, no dates.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use quick_xml::errors::IllFormedError;
use quick_xml::escape::{resolve_xml_entity, EscapeError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use zip::read::ZipFile;
use zip::result::ZipError;
use zip::ZipArchive;

const MIB: u64 = 1 << 20;
/// The most bytes of one XML event (a tag, or the text between two tags). The XML reader buffers
/// a whole event, so this bounds its memory; Excel's longest cell (32,767 characters, ~160 KiB
/// even fully escaped) is far below it.
const MAX_PIECE_BYTES: u64 = MIB;
/// The most bytes of text in one row: 256 cells at Excel's longest still fit.
const MAX_ROW_BYTES: usize = 32 << 20;
/// What a shared string costs beyond its text (its place in memory), so that a table of
/// millions of empty strings is bounded too.
const SHARED_ENTRY_BYTES: u64 = 32;
const WORKBOOK: &str = "xl/workbook.xml";
const WORKBOOK_RELS: &str = "xl/_rels/workbook.xml.rels";
const SHARED_STRINGS: &str = "xl/sharedStrings.xml";
/// How an old binary Excel file (.xls) or a password-protected workbook begins (OLE2).
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Limits that keep a crafted file from exhausting time or memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest decompressed size of one part (sheet XML, shared strings, workbook), in bytes.
    pub max_part_bytes: u64,
    /// Most columns in a row (a cell reference beyond it is refused, not padded).
    pub max_columns: usize,
    /// Most rows read.
    pub max_rows: u64,
    /// Most bytes of text in the shared-strings table, all strings together (each string also
    /// counts 32 bytes, its place in memory).
    pub max_shared_bytes: u64,
}

impl Default for Limits {
    /// 256 MiB a part, 256 columns, 2,000,000 rows, 64 MiB of shared strings: many times what
    /// the codifier needs (10 MiB, 7 columns, 32,000 rows, 3 MiB).
    fn default() -> Self {
        Limits {
            max_part_bytes: 256 * MIB,
            max_columns: 256,
            max_rows: 2_000_000,
            max_shared_bytes: 64 * MIB,
        }
    }
}

/// Why a workbook could not be read. Every variant names the file; the messages are for the
/// person who gave the file, so they say in plain words what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error("cannot open `{path}`")]
    Open {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("`{path}` is not an Excel workbook (.xlsx): it is not a zip archive")]
    NotZip {
        path: PathBuf,
        #[source]
        source: ZipError,
    },
    #[error("`{path}` is an old Excel file (.xls) or a password-protected workbook: open it in Excel and save it as .xlsx without a password")]
    LegacyOrEncrypted { path: PathBuf },
    #[error("`{path}` is not an Excel workbook (.xlsx), or is damaged: it has no part `{part}`")]
    MissingPart { path: PathBuf, part: String },
    #[error("`{path}`: the part `{part}` is stored in a way that cannot be unpacked")]
    Unpack {
        path: PathBuf,
        part: String,
        #[source]
        source: ZipError,
    },
    #[error("`{path}`: the part `{part}` would unpack to more than {} — refused as a possible zip bomb", size(.limit))]
    PartTooLarge {
        path: PathBuf,
        part: String,
        limit: u64,
    },
    #[error("`{path}` is damaged or crafted: the part `{part}` unpacks to more than the {} its zip header gives — refused as a possible zip bomb", size(.claimed))]
    LargerThanClaimed {
        path: PathBuf,
        part: String,
        claimed: u64,
    },
    #[error("`{path}` is damaged: the part `{part}` cannot be read (near byte {position})")]
    Damaged {
        path: PathBuf,
        part: String,
        position: u64,
        #[source]
        source: quick_xml::Error,
    },
    #[error("`{path}`: the part `{part}` has a single piece of text or markup longer than {} — refused as damaged or crafted", size(.limit))]
    PieceTooLong {
        path: PathBuf,
        part: String,
        limit: u64,
    },
    #[error("`{path}` has no worksheets")]
    NoSheets { path: PathBuf },
    #[error("`{path}` has no sheet named `{name}` (sheets: {})", quoted(.sheets))]
    SheetNotFound {
        path: PathBuf,
        name: String,
        sheets: Vec<String>,
    },
    #[error("`{path}` is damaged: it lists the sheet `{name}` but not where it is stored")]
    SheetUnlinked { path: PathBuf, name: String },
    #[error("`{path}`: the shared-strings table holds more than {} of text — refused as a possible zip bomb", size(.limit))]
    SharedTooLarge { path: PathBuf, limit: u64 },
    #[error("`{path}` has more than {limit} rows, the most that are read")]
    TooManyRows { path: PathBuf, limit: u64 },
    #[error("`{path}` is damaged: a row is numbered `{found}` where row {expected} or a later one should come")]
    BadRowNumber {
        path: PathBuf,
        found: String,
        expected: u64,
    },
    #[error("row {row} of `{path}` has a cell with the malformed reference `{reference}`")]
    BadCellRef {
        path: PathBuf,
        row: u64,
        reference: String,
    },
    #[error(
        "row {row} of `{path}` has a cell in column {column}, beyond the limit of {limit} columns"
    )]
    TooManyColumns {
        path: PathBuf,
        row: u64,
        column: u64,
        limit: usize,
    },
    #[error("row {row} of `{path}` is damaged: a cell refers to shared text number `{found}`, but there are only {count}")]
    BadSharedIndex {
        path: PathBuf,
        row: u64,
        found: String,
        count: usize,
    },
    #[error("row {row} of `{path}` holds more than {} of text — refused as damaged or crafted", size(.limit))]
    RowTooLong { path: PathBuf, row: u64, limit: u64 },
}

/// `268435456` as `256 MiB`, for messages.
fn size(bytes: &u64) -> String {
    match *bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= 1024 && b % 1024 == 0 => format!("{} KiB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// Sheet names as `` `A`, `B` ``, for messages.
fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    if quoted.is_empty() {
        "none".to_owned()
    } else {
        quoted.join(", ")
    }
}

/// Calls `each(row_number, cells)` for every row of the worksheet named `sheet` (or the first
/// worksheet when `None`), in order. `row_number` is the spreadsheet's 1-based row number (taken from
/// the `r` attribute when present). `cells` are the cell values as text, positioned by column (a
/// cell in column C is `cells[2]`; gaps are empty strings; trailing empty cells may be omitted).
///
/// Sheet names are matched exactly, else ignoring case as Excel does. Rows the file leaves out
/// (wholly empty rows usually are) are not reported. On an error, the rows before it have
/// already been passed to `each`.
pub fn for_each_row(
    path: &std::path::Path,
    sheet: Option<&str>,
    limits: Limits,
    each: &mut dyn FnMut(u64, &[String]),
) -> Result<(), XlsxError> {
    let mut book = Book::open(path, limits)?;
    let sheets = book.elements(WORKBOOK, b"sheet", [b"name", b"id"])?;
    let links = [b"Id".as_slice(), b"Type", b"Target"];
    let links = book.elements(WORKBOOK_RELS, b"Relationship", links)?;
    let links: Links = links
        .into_iter()
        .filter_map(|[id, kind, target]| {
            let kind = kind?.rsplit('/').next()?.to_owned();
            Some((id?, (kind, resolve_target(&target?))))
        })
        .collect();
    let target = choose_sheet(path, &sheets, &links, sheet)?;
    let shared = links
        .values()
        .find(|(kind, _)| kind == "sharedStrings")
        .map_or(SHARED_STRINGS, |(_, part)| part);
    let shared = book.shared_strings(shared)?;
    let part = book.part(&target)?;
    read_rows(part, &shared, &limits, each)
}

/// The open workbook, with its path for messages and the limits it is read within.
struct Book<'p> {
    zip: ZipArchive<BufReader<File>>,
    path: &'p Path,
    limits: Limits,
}

impl<'p> Book<'p> {
    fn open(path: &'p Path, limits: Limits) -> Result<Self, XlsxError> {
        let file = File::open(path).map_err(|source| XlsxError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let zip = ZipArchive::new(BufReader::new(file)).map_err(|source| {
            // What users most often mistake for .xlsx; worth saying what to do about it.
            let mut head = [0u8; 8];
            let read = File::open(path).and_then(|mut f| f.read_exact(&mut head));
            if read.is_ok() && head == OLE_MAGIC {
                XlsxError::LegacyOrEncrypted { path: path.into() }
            } else {
                XlsxError::NotZip {
                    path: path.into(),
                    source,
                }
            }
        })?;
        Ok(Book { zip, path, limits })
    }

    /// A part that must be there, opened for streaming XML.
    fn part(&mut self, name: &str) -> Result<XmlPart<'_, 'p>, XlsxError> {
        let path = self.path;
        let missing = || XlsxError::MissingPart {
            path: path.into(),
            part: name.to_owned(),
        };
        self.optional_part(name)?.ok_or_else(missing)
    }

    /// A part opened for streaming XML; `None` when the workbook has no such part.
    fn optional_part(&mut self, name: &str) -> Result<Option<XmlPart<'_, 'p>>, XlsxError> {
        let Some(index) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        let file = self
            .zip
            .by_index(index)
            .map_err(|source| XlsxError::Unpack {
                path: self.path.into(),
                part: name.to_owned(),
                source,
            })?;
        // The size in the header is only a claim: an honest bomb is refused here, a dishonest
        // one by `Bounded` once it unpacks past its claim.
        if file.size() > self.limits.max_part_bytes {
            return Err(XlsxError::PartTooLarge {
                path: self.path.into(),
                part: name.to_owned(),
                limit: self.limits.max_part_bytes,
            });
        }
        let mut reader = Reader::from_reader(Bounded {
            claimed: file.size(),
            inner: BufReader::with_capacity(64 * 1024, file),
            consumed: 0,
            mark: 0,
            tripped: None,
        });
        // Spaces around values are data: the codifier has names with trailing spaces.
        reader.config_mut().trim_text(false);
        let (path, part) = (self.path, name.to_owned());
        Ok(Some(XmlPart { reader, path, part }))
    }

    /// For each element named `element` of a part that must be there, the values of
    /// `attributes` (by local name, whatever the prefix: `r:id` is `id`).
    fn elements<const N: usize>(
        &mut self,
        name: &str,
        element: &[u8],
        attributes: [&[u8]; N],
    ) -> Result<Vec<[Option<String>; N]>, XlsxError> {
        let mut part = self.part(name)?;
        let (mut found, mut buf) = (Vec::new(), Vec::new());
        loop {
            match part.next(&mut buf)? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == element => {
                    let mut values = std::array::from_fn(|_| None);
                    for (value, attribute) in values.iter_mut().zip(attributes) {
                        *value = part.attr(&e, attribute)?;
                    }
                    found.push(values);
                }
                Event::Eof => return Ok(found),
                _ => {}
            }
        }
    }

    /// The shared-strings table (empty when there is none), checked against
    /// `Limits::max_shared_bytes` as it grows.
    fn shared_strings(&mut self, name: &str) -> Result<Vec<String>, XlsxError> {
        let (path, limit) = (self.path, self.limits.max_shared_bytes);
        let Some(mut part) = self.optional_part(name)? else {
            return Ok(Vec::new());
        };
        let (mut table, mut buf, mut runs) = (Vec::new(), Vec::new(), Runs::default());
        // The string being read (`None` outside `<si>`), and the cost of those before it.
        let (mut current, mut cost): (Option<String>, u64) = (None, 0);
        loop {
            let event = part.next(&mut buf)?;
            let si = |e: &BytesStart| e.local_name().as_ref() == b"si";
            match &event {
                Event::Start(e) if si(e) => {
                    (current, runs) = (Some(String::new()), Runs::default())
                }
                Event::Empty(e) if si(e) => {
                    cost += SHARED_ENTRY_BYTES;
                    table.push(String::new());
                }
                Event::End(e) if e.local_name().as_ref() == b"si" => {
                    let text = current.take().unwrap_or_default();
                    cost += text.len() as u64 + SHARED_ENTRY_BYTES;
                    table.push(text);
                }
                Event::Start(e) => runs.start(e.local_name().as_ref()),
                Event::End(e) => runs.end(e.local_name().as_ref()),
                Event::Eof => return Ok(table),
                _ => match current.as_mut() {
                    Some(text) if runs.in_t => part.text(&event, text)?,
                    _ => {}
                },
            }
            let text = current.as_ref().map_or(0, String::len) as u64;
            if cost + text > limit {
                return Err(XlsxError::SharedTooLarge {
                    path: path.into(),
                    limit,
                });
            }
        }
    }
}

/// Which limit stopped a part's reader, told apart from a read error.
#[derive(Debug, Clone, Copy)]
enum Tripped {
    Size,
    Piece,
}

/// The XML reader's only source: a buffered reader over an unpacking part that fails once more
/// bytes than the part's claimed size have passed, or once the current XML event passes
/// `MAX_PIECE_BYTES`. The bytes themselves are counted, so this holds whatever the zip claims.
struct Bounded<R> {
    inner: BufReader<R>,
    claimed: u64,
    consumed: u64,
    /// `consumed` where the current XML event began.
    mark: u64,
    tripped: Option<Tripped>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Bounded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self.tripped {
            Some(tripped) => Err(io::Error::other(format!("limit reached: {tripped:?}"))),
            None => self.inner.fill_buf(),
        }
    }

    /// Notes a limit passed, to fail at the next `fill_buf`: the XML reader asks for more bytes
    /// before it buffers more, so its buffer stays within a read of the limit.
    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
        self.consumed = self.consumed.saturating_add(amount as u64);
        if self.consumed > self.claimed {
            self.tripped = Some(Tripped::Size);
        } else if self.consumed - self.mark > MAX_PIECE_BYTES {
            self.tripped = Some(Tripped::Piece);
        }
    }
}

/// One part of the workbook, parsed as it is unpacked.
struct XmlPart<'z, 'p> {
    reader: Reader<Bounded<ZipFile<'z, BufReader<File>>>>,
    path: &'p Path,
    part: String,
}

impl XmlPart<'_, '_> {
    /// The next event; `buf` is the caller's, so that the part stays usable while it lives.
    fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Event<'b>, XlsxError> {
        buf.clear();
        let bounded = self.reader.get_mut();
        bounded.mark = bounded.consumed;
        match self.reader.read_event_into(buf) {
            Ok(event) => Ok(event),
            Err(source) => Err(self.read_error(source)),
        }
    }

    /// A read error as the limit that caused it, if one did.
    fn read_error(&self, source: quick_xml::Error) -> XlsxError {
        let bounded = self.reader.get_ref();
        match bounded.tripped {
            Some(Tripped::Size) => XlsxError::LargerThanClaimed {
                path: self.path.into(),
                part: self.part.clone(),
                claimed: bounded.claimed,
            },
            Some(Tripped::Piece) => XlsxError::PieceTooLong {
                path: self.path.into(),
                part: self.part.clone(),
                limit: MAX_PIECE_BYTES,
            },
            None => self.damaged(source),
        }
    }

    fn damaged(&self, source: quick_xml::Error) -> XlsxError {
        XlsxError::Damaged {
            path: self.path.into(),
            part: self.part.clone(),
            position: self
                .reader
                .error_position()
                .max(self.reader.buffer_position()),
            source,
        }
    }

    /// The value of the attribute whose local name is `name` (any prefix), unescaped.
    fn attr(&self, e: &BytesStart, name: &[u8]) -> Result<Option<String>, XlsxError> {
        for a in e.attributes() {
            let a = a.map_err(|err| self.damaged(err.into()))?;
            if a.key.local_name().as_ref() == name {
                let value = a.normalized_value(XmlVersion::Implicit1_0);
                return value
                    .map(|v| Some(v.into_owned()))
                    .map_err(|err| self.damaged(err));
            }
        }
        Ok(None)
    }

    /// Appends the text of a text, CDATA or entity event to `out`, unescaped.
    fn text(&self, event: &Event, out: &mut String) -> Result<(), XlsxError> {
        append_text(event, out).map_err(|e| self.damaged(e))
    }
}

/// Appends the text of a text, CDATA or entity event to `out`: entities resolved, line ends
/// as XML gives them (`\r\n` is `\n`).
fn append_text(event: &Event, out: &mut String) -> Result<(), quick_xml::Error> {
    match event {
        Event::Text(t) => out.push_str(&t.xml10_content()?),
        Event::CData(t) => out.push_str(&t.decode()?),
        Event::GeneralRef(r) => match r.resolve_char_ref()? {
            Some(c) => out.push(c),
            None => {
                let name = r.decode()?;
                let unknown = || EscapeError::UnrecognizedEntity(0..name.len(), name.to_string());
                out.push_str(resolve_xml_entity(&name).ok_or_else(unknown)?);
            }
        },
        _ => {}
    }
    Ok(())
}

/// The part name of a link's target: relative to `xl/`, or absolute with a leading `/`.
fn resolve_target(target: &str) -> String {
    let target = target.replace('\\', "/");
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("xl/{target}"),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => drop(segments.pop()),
            s => segments.push(s),
        }
    }
    segments.join("/")
}

/// Link id → the last word of the link's type (such as `worksheet`) and its part name.
type Links = HashMap<String, (String, String)>;

/// The part name of the wanted worksheet, or of the first.
fn choose_sheet(
    path: &Path,
    sheets: &[[Option<String>; 2]],
    links: &Links,
    wanted: Option<&str>,
) -> Result<String, XlsxError> {
    // Chart sheets have no cells, so they are not offered.
    let worksheets: Vec<(&str, Option<&(String, String)>)> = sheets
        .iter()
        .map(|[name, id]| {
            (
                name.as_deref().unwrap_or_default(),
                id.as_ref().and_then(|id| links.get(id)),
            )
        })
        .filter(|(_, link)| link.is_none_or(|(kind, _)| kind == "worksheet"))
        .collect();
    let found = match wanted {
        None => worksheets.first(),
        Some(name) => worksheets.iter().find(|(n, _)| *n == name).or_else(|| {
            let lower = name.to_lowercase();
            worksheets.iter().find(|(n, _)| n.to_lowercase() == lower)
        }),
    };
    let path = path.to_path_buf();
    match (found, wanted) {
        (Some((_, Some((_, part)))), _) => Ok(part.clone()),
        (Some((name, None)), _) => Err(XlsxError::SheetUnlinked {
            path,
            name: name.to_string(),
        }),
        (None, None) => Err(XlsxError::NoSheets { path }),
        (None, Some(name)) => Err(XlsxError::SheetNotFound {
            path,
            name: name.to_owned(),
            sheets: worksheets.iter().map(|(n, _)| n.to_string()).collect(),
        }),
    }
}

/// Whether the reader is inside a `<t>` whose text belongs to the value: those of rich-text runs
/// do, those of phonetic runs (`<rPh>`, readings of Japanese text) do not.
#[derive(Default)]
struct Runs {
    in_t: bool,
    phonetic: u32,
}

impl Runs {
    fn start(&mut self, name: &[u8]) {
        match name {
            b"t" => self.in_t = self.phonetic == 0,
            b"rPh" => self.phonetic = self.phonetic.saturating_add(1),
            _ => {}
        }
    }

    fn end(&mut self, name: &[u8]) {
        match name {
            b"t" => self.in_t = false,
            b"rPh" => self.phonetic = self.phonetic.saturating_sub(1),
            _ => {}
        }
    }
}

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

fn read_rows(
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
        match part.next(&mut buf)? {
            // The XML reader accepts unclosed tags at the end; rows cut short must not pass.
            Event::Eof if rows.in_data => {
                let cut = IllFormedError::MissingEndTag("sheetData".to_owned());
                return Err(part.damaged(cut.into()));
            }
            // Read to the end, where the zip's checksum of the part is checked.
            Event::Eof => return Ok(()),
            event => rows.event(&part, &event)?,
        }
    }
}

impl Rows<'_> {
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
fn column_index(reference: &[u8]) -> Option<u64> {
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

#[cfg(test)]
mod tests;
