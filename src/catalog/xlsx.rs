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
use std::path::Path;

use quick_xml::errors::IllFormedError;
use quick_xml::escape::{resolve_xml_entity, EscapeError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use zip::read::ZipFile;
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
            row: None,
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

mod error;
mod sheet;
#[cfg(test)]
mod tests;

pub use error::XlsxError;
#[cfg(test)]
use sheet::column_index;
use sheet::read_rows;
