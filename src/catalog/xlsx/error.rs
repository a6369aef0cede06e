//! Load stage (`catalog`), XLSX reading: what can be wrong with a workbook, in words a data
//! manager can act on. Every variant names the file (and the part or row where it applies).

use std::io;
use std::path::PathBuf;

use zip::result::ZipError;

use super::MIB;

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
    #[error("`{path}` is damaged: the part `{part}` cannot be read (near byte {position}{})", .row.map(|r| format!(", in row {r} or just after it")).unwrap_or_default())]
    Damaged {
        path: PathBuf,
        part: String,
        position: u64,
        /// The sheet's row being read, or the last one read, when the damage is in a sheet.
        row: Option<u64>,
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
