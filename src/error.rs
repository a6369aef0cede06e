//! Operational errors: things that stop a run before or after the data is judged (a missing source
//! folder, an unreadable theme, a full disk). Problems *in* the data are not errors but findings
//! (`validate::Report`), so that one run can list all of them.

use std::path::PathBuf;

/// An operational error; every variant names the path it concerns. Exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the source folder `{path}` does not exist or is not a folder")]
    SourceMissing { path: PathBuf },

    #[error("cannot read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot walk the folder `{path}`")]
    Walk {
        path: PathBuf,
        #[source]
        source: walkdir::Error,
    },

    #[error("the output folder `{path}` exists and was not made by hromadata; refusing to replace it (choose another --out or remove it yourself)")]
    ForeignOutput { path: PathBuf },

    #[error("the output folder `{out}` would be inside the source folder `{source_dir}`; choose an --out outside it")]
    OutputInsideSource { out: PathBuf, source_dir: PathBuf },

    #[error("theme `{path}`: template `{template}` is broken")]
    Template {
        path: PathBuf,
        template: String,
        #[source]
        source: Box<minijinja::Error>,
    },

    #[error("theme `{path}` is missing the template `{template}`")]
    TemplateMissing { path: PathBuf, template: String },

    #[error("theme `{path}`: message catalogue `{file}` is not valid TOML")]
    Messages {
        path: PathBuf,
        file: String,
        #[source]
        source: Box<toml::de::Error>,
    },

    #[error("two outputs claim the same path `{path}` (from {first} and {second})")]
    PathCollision {
        path: String,
        first: String,
        second: String,
    },

    #[error(
        "`SOURCE_DATE_EPOCH` is `{value}`, expected a whole number of seconds since 1970-01-01"
    )]
    SourceDateEpoch { value: String },

    #[error("`--today` `{value}` is not a date written YYYY-MM-DD")]
    Today { value: String },

    #[error("interrupted: nothing was published and the previous site is unchanged")]
    Interrupted,

    #[error("`--base-url` `{value}` must be an absolute http(s) URL")]
    BaseUrl { value: String },

    #[error("cannot read the workbook `{path}`")]
    Workbook {
        path: PathBuf,
        #[source]
        source: Box<crate::catalog::xlsx::XlsxError>,
    },

    #[error("the edition date of `{path}` is unknown{}: pass --edition YYYY-MM-DD, the date the Ministry gives for this edition", given.as_ref().map(|g| format!(" (`{g}` is not a date written YYYY-MM-DD)")).unwrap_or_default())]
    EditionDate {
        path: PathBuf,
        given: Option<String>,
    },

    #[error("port {} on {} is already in use: stop the other server, or choose another port with --port (--port 0 picks a free one)", addr.port(), addr.ip())]
    PortInUse { addr: std::net::SocketAddr },

    #[error("cannot listen on `{addr}`")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },

    #[error("`{path}` is not empty: hromadata init creates a catalogue only in a new or empty folder (nothing was written)")]
    InitNotEmpty { path: PathBuf },

    #[error("`{path}` has no usable `catalog.toml`: run `hromadata check --source {}` to see why", path.display())]
    NoCatalog { path: PathBuf },

    #[error("no publisher `{name}` in the catalogue (publishers: {known}); create its folder with a `publisher.toml` first")]
    UnknownPublisher { name: String, known: String },

    #[error("missing {flags}: stdin is not a terminal, so hromadata cannot ask; pass them as options (see `hromadata new dataset --help`)")]
    MissingOptions { flags: String },

    #[error("`{flag}` `{value}`: expected {expected}")]
    InvalidOption {
        flag: String,
        value: String,
        expected: String,
    },

    #[error("the dataset folder `{path}` already exists; hromadata never overwrites a dataset (choose another --id)")]
    DatasetExists { path: PathBuf },
}

impl Error {
    /// What to do about an operational error whose cause is common and fixable, in plain words.
    pub fn hint(&self) -> Option<&'static str> {
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            if let Some(io) = c.downcast_ref::<std::io::Error>() {
                return match io.raw_os_error() {
                    Some(libc::ENOSPC) | Some(libc::EDQUOT) => Some(
                        "the disk is full (or out of inodes): free some space, or build to another disk with --out; the published site was left as it was",
                    ),
                    Some(libc::EACCES) | Some(libc::EPERM) | Some(libc::EROFS) => Some(
                        "no permission to write there: build to a folder you own with --out; the published site was left as it was",
                    ),
                    _ => None,
                };
            }
            cause = c.source();
        }
        None
    }

    /// Shorthand for a read error at `path`.
    pub fn read(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Read {
            path: path.into(),
            source,
        }
    }

    /// Shorthand for a write error at `path`.
    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Write {
            path: path.into(),
            source,
        }
    }
}
