//! Stage 4, render: the theme — minijinja templates, static assets and per-language message
//! catalogues. The default theme is compiled into the binary from `themes/default/`, so the tool
//! works from any folder; `--theme DIR` reads a copy of it instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Languages the site is built in; the first is the default, served at the site root.
pub const LANGS: [&str; 2] = ["uk", "en"];

/// The templates every theme must have.
pub const TEMPLATES: [&str; 13] = [
    "base.html",
    "index.html",
    "datasets.html",
    "dataset.html",
    "publishers.html",
    "publisher.html",
    "territory.html",
    "coverage.html",
    "404.html",
    "macros.html",
    "table.html",
    "chart.html",
    "search.html",
];

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/", $name)) as &[u8])),*]
    };
}

/// The default theme's files, relative to `themes/default/`.
const BUILTIN: &[(&str, &[u8])] = builtin!(
    "templates/base.html",
    "templates/index.html",
    "templates/datasets.html",
    "templates/dataset.html",
    "templates/publishers.html",
    "templates/publisher.html",
    "templates/territory.html",
    "templates/coverage.html",
    "templates/404.html",
    "templates/macros.html",
    "templates/table.html",
    "templates/chart.html",
    "i18n/uk.toml",
    "i18n/en.toml",
    "static/style.css",
    "static/sort.js",
    "static/table.js",
    "templates/search.html",
    "static/search.js",
    "static/favicon.svg",
);

/// A loaded theme.
#[derive(Debug, Clone)]
pub struct Theme {
    /// Where it came from, for error messages.
    pub origin: PathBuf,
    pub templates: BTreeMap<String, String>,
    /// Files copied to `static/` in the site.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Messages per language: key → text.
    pub messages: BTreeMap<String, BTreeMap<String, String>>,
}

impl Theme {
    /// The theme compiled into the binary.
    pub fn builtin() -> Result<Theme, Error> {
        let files = BUILTIN
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect();
        Theme::from_files(PathBuf::from("(built-in theme)"), files)
    }

    /// Reads a theme folder (`templates/`, `static/`, `i18n/`).
    pub fn load(dir: &Path) -> Result<Theme, Error> {
        let mut files = BTreeMap::new();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::Walk {
                path: dir.to_path_buf(),
                source: e,
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = std::fs::read(entry.path()).map_err(|e| Error::read(entry.path(), e))?;
            files.insert(name, bytes);
        }
        Theme::from_files(dir.to_path_buf(), files)
    }

    fn from_files(origin: PathBuf, files: BTreeMap<String, Vec<u8>>) -> Result<Theme, Error> {
        let mut theme = Theme {
            origin,
            templates: BTreeMap::new(),
            assets: BTreeMap::new(),
            messages: BTreeMap::new(),
        };
        for (name, bytes) in files {
            if let Some(t) = name.strip_prefix("templates/") {
                let text = String::from_utf8(bytes).map_err(|e| {
                    Error::read(
                        theme.origin.join(&name),
                        std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                    )
                })?;
                theme.templates.insert(t.to_owned(), text);
            } else if let Some(a) = name.strip_prefix("static/") {
                theme.assets.insert(a.to_owned(), bytes);
            } else if let Some(lang) = name
                .strip_prefix("i18n/")
                .and_then(|n| n.strip_suffix(".toml"))
            {
                let text = String::from_utf8_lossy(&bytes);
                let table: toml::Table = toml::from_str(&text).map_err(|e| Error::Messages {
                    path: theme.origin.clone(),
                    file: name.clone(),
                    source: Box::new(e),
                })?;
                let mut flat = BTreeMap::new();
                flatten("", &table, &mut flat);
                theme.messages.insert(lang.to_owned(), flat);
            }
        }
        for t in TEMPLATES {
            if !theme.templates.contains_key(t) {
                return Err(Error::TemplateMissing {
                    path: theme.origin.clone(),
                    template: t.to_owned(),
                });
            }
        }
        for lang in LANGS {
            if !theme.messages.contains_key(lang) {
                return Err(Error::TemplateMissing {
                    path: theme.origin.clone(),
                    template: format!("i18n/{lang}.toml"),
                });
            }
        }
        Ok(theme)
    }
}

/// Flattens nested TOML tables into dotted keys: `[nav] home = "…"` → `nav.home`.
fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Integer(i) => {
                out.insert(key, i.to_string());
            }
            toml::Value::Float(f) => {
                out.insert(key, f.to_string());
            }
            toml::Value::Boolean(b) => {
                out.insert(key, b.to_string());
            }
            // Dates and arrays are not messages.
            _ => {}
        }
    }
}
