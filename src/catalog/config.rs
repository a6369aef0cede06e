//! Load stage: `catalog.toml` and `publisher.toml`, the catalogue's own metadata. Parsed with
//! serde (unknown keys refused, so typos surface) and then checked into typed values.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ids::{Edrpou, PublisherSlug, Scope};
use crate::validate::report::{Finding, Kind};

/// Text in Ukrainian with an optional English version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LocalText {
    pub uk: String,
    #[serde(default)]
    pub en: Option<String>,
}

impl LocalText {
    /// Ukrainian text with no English version.
    pub fn uk(text: impl Into<String>) -> Self {
        LocalText {
            uk: text.into(),
            en: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    title: LocalText,
    description: LocalText,
    base_url: String,
    publisher: String,
    license: String,
    territories: TerritoriesFile,
    #[serde(default)]
    resolution_835: Option<Resolution835File>,
    #[serde(default)]
    dcat: Option<DcatFile>,
    #[serde(default)]
    preview: Option<PreviewFile>,
    #[serde(default)]
    list: Option<ListFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    page_size: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewFile {
    full_table_max_bytes: u64,
}

/// Tables of at most this many bytes get a full-table page unless `[preview]
/// full_table_max_bytes` says otherwise: 2 MiB keeps the page (and the rows held in memory
/// while building) small enough for a phone.
pub const DEFAULT_FULL_TABLE_MAX_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DcatFile {
    page_size: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Resolution835File {
    list: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TerritoriesFile {
    registry: PathBuf,
    edition: String,
}

/// The catalogue's settings from `catalog.toml`.
#[derive(Debug, Clone)]
pub struct CatalogConfig {
    pub title: LocalText,
    pub description: LocalText,
    /// Absolute URL the site is served at, always ending in `/`.
    pub base_url: String,
    /// Slug of the publisher that runs the catalogue.
    pub publisher: String,
    /// Default licence id for datasets that declare none.
    pub license: String,
    /// The registry CSV, relative to the source folder.
    pub registry: PathBuf,
    /// The codifier edition the registry was taken from.
    pub edition: String,
    /// The list of datasets Resolution 835 requires, relative to the source folder.
    pub resolution_835: Option<PathBuf>,
    /// Datasets per page of the DCAT-AP catalogues (`[dcat] page_size`, at least 1).
    pub dcat_page_size: usize,
    /// Tables of at most this many bytes get a full-table page (`[preview]
    /// full_table_max_bytes`; 0 turns the pages off).
    pub full_table_max_bytes: u64,
    /// Datasets per page of the list of datasets (`[list] page_size`, at least 1).
    pub list_page_size: usize,
}

/// Whether `text` has only characters a URL may carry unencoded: no space or control character,
/// none of `"<>\^`{|}` (which would otherwise need escaping wherever the URL is written: HTML,
/// XML, Turtle, robots.txt). Letters outside ASCII are allowed (IRIs).
pub fn url_chars_ok(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}".contains(c))
}

/// Checks a URL is absolute http(s); returns it with a trailing slash.
pub fn normalise_base_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    if rest.is_empty() || rest.starts_with('/') || !url_chars_ok(rest) {
        return None;
    }
    Some(if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    })
}

/// A relative path that stays inside its folder: no root, no `..`, no drive prefix.
pub fn is_contained_relative(path: &Path) -> bool {
    use std::path::Component;
    !path.as_os_str().is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Whether `path` resolves — after following every symlink — to a place outside `root`, so that
/// a link inside the source tree cannot publish a file from elsewhere on the machine. A path that
/// does not exist is not outside (the caller reports it missing).
pub fn leads_outside(root: &Path, path: &Path) -> bool {
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(real_root)) => !real.starts_with(real_root),
        _ => false,
    }
}

/// Reads TOML text into `T`, turning syntax and type errors into a located finding.
fn parse_toml<T: for<'de> Deserialize<'de>>(
    text: &str,
    shown: &Path,
    kind: Kind,
) -> Result<T, Box<Finding>> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
        let mut f = Finding::new(
            kind,
            shown,
            "valid TOML in the documented format (see README, “Input format”)",
        )
        .found(e.message().to_owned())
        .hint("fix the key or value on that line; text values need quotes, e.g. name.uk = \"…\"");
        f.row = line;
        Box::new(f)
    })
}

impl CatalogConfig {
    /// Parses `catalog.toml` text.
    pub fn parse(text: &str, shown: &Path) -> Result<Self, Vec<Finding>> {
        let file: CatalogFile =
            parse_toml(text, shown, Kind::CatalogError).map_err(|f| vec![*f])?;
        let mut findings = Vec::new();
        let base_url = normalise_base_url(&file.base_url).unwrap_or_else(|| {
            findings.push(
                Finding::new(Kind::CatalogError, shown, "an absolute http(s) URL")
                    .field("base_url", None)
                    .found(file.base_url.clone())
                    .hint("write the address the site will be served at, e.g. \"https://opendata.example.gov.ua/\""),
            );
            String::new()
        });
        if !is_contained_relative(&file.territories.registry) {
            findings.push(
                Finding::new(
                    Kind::CatalogError,
                    shown,
                    "a relative path inside the source folder",
                )
                .field("territories.registry", None)
                .found(file.territories.registry.display().to_string()),
            );
        }
        let dcat_page_size = file
            .dcat
            .as_ref()
            .map_or(crate::render::dcat::DEFAULT_PAGE_SIZE, |d| d.page_size);
        if dcat_page_size == 0 {
            findings.push(
                Finding::new(
                    Kind::CatalogError,
                    shown,
                    "a page size of at least 1 dataset",
                )
                .field("dcat.page_size", None)
                .found("0")
                .hint("leave `[dcat]` out for pages of 1,000 datasets"),
            );
        }
        let list_page_size =
            (file.list.as_ref()).map_or(crate::render::LIST_PAGE_SIZE, |l| l.page_size);
        if list_page_size == 0 {
            findings.push(
                Finding::new(
                    Kind::CatalogError,
                    shown,
                    "a page size of at least 1 dataset",
                )
                .field("list.page_size", None)
                .found("0")
                .hint("leave `[list]` out for pages of 100 datasets"),
            );
        }
        if !findings.is_empty() {
            return Err(findings);
        }
        Ok(CatalogConfig {
            title: file.title,
            description: file.description,
            base_url,
            publisher: file.publisher,
            license: file.license,
            registry: file.territories.registry,
            edition: file.territories.edition,
            resolution_835: file.resolution_835.map(|r| r.list),
            dcat_page_size,
            full_table_max_bytes: file
                .preview
                .map_or(DEFAULT_FULL_TABLE_MAX_BYTES, |p| p.full_table_max_bytes),
            list_page_size,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublisherFile {
    name: LocalText,
    edrpou: String,
    territory: String,
    #[serde(default)]
    website: Option<String>,
    contact: ContactFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFile {
    name: String,
    #[serde(default)]
    email: Option<String>,
}

/// A publisher (розпорядник інформації).
#[derive(Debug, Clone, Serialize)]
pub struct Publisher {
    pub slug: PublisherSlug,
    /// The folder, relative to the source folder.
    pub folder: PathBuf,
    pub name: LocalText,
    pub edrpou: Edrpou,
    pub territory: Scope,
    pub website: Option<String>,
    pub contact_name: String,
    /// The public e-mail for questions about the data, when the publisher gives one.
    pub contact_email: Option<String>,
}

/// A plausible e-mail address: one `@`, text on both sides, a dot in the domain, no spaces.
pub fn is_email(text: &str) -> bool {
    let mut parts = text.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text
                    .chars()
                    .any(|c| c.is_whitespace() || c == '<' || c == '>')
        }
        _ => false,
    }
}

impl Publisher {
    /// Parses `publisher.toml` text for the publisher in `folder`.
    pub fn parse(
        text: &str,
        slug: PublisherSlug,
        folder: &Path,
        shown: &Path,
    ) -> Result<Self, Vec<Finding>> {
        let file: PublisherFile =
            parse_toml(text, shown, Kind::PublisherError).map_err(|f| vec![*f])?;
        let mut findings = Vec::new();
        let bad = |key: &str, expected: String, found: &str| {
            Finding::new(Kind::PublisherError, shown, expected)
                .field(key, None)
                .found(found)
        };
        let edrpou = Edrpou::parse(&file.edrpou)
            .map_err(|e| {
                findings.push(
                    bad("edrpou", e.0, &file.edrpou)
                        .hint("copy the code from the ЄДРПОУ register (usr.minjust.gov.ua)"),
                )
            })
            .ok();
        let territory = super::ids::Scope::parse(&file.territory)
            .map_err(|e| findings.push(bad("territory", e.0, &file.territory)))
            .ok();
        if let Some(email) = file.contact.email.as_deref().filter(|e| !is_email(e)) {
            findings.push(bad(
                "contact.email",
                "an e-mail address like name@example.gov.ua".into(),
                email,
            ));
        }
        if let Some(site) = &file.website {
            if normalise_base_url(site).is_none() {
                findings.push(bad("website", "an absolute http(s) URL".into(), site));
            }
        }
        match (edrpou, territory) {
            (Some(edrpou), Some(territory)) if findings.is_empty() => Ok(Publisher {
                slug,
                folder: folder.to_path_buf(),
                name: file.name,
                edrpou,
                territory,
                website: file.website,
                contact_name: file.contact.name,
                contact_email: file.contact.email,
            }),
            _ => Err(findings),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://a.example/", Some("https://a.example/")),
            ("https://a.example/sub", Some("https://a.example/sub/")),
            ("http://a.example", Some("http://a.example/")),
            ("ftp://a.example/", None),
            ("/relative/", None),
            ("https:///x", None),
            ("https://a b/", None),
            ("https://a.example/\"><svg/onload=x>", None),
            ("https://a.example/{{x}}", None),
            ("https://a.example/a\\b", None),
            ("https://a.example/\u{1}", None),
            (
                "https://київ.example/'x'/",
                Some("https://київ.example/'x'/"),
            ),
            ("javascript:alert(1)", None),
        ];
        for (url, want) in cases {
            assert_eq!(normalise_base_url(url).as_deref(), *want, "{url}");
        }
    }

    #[test]
    fn contained_paths() {
        let cases: &[(&str, bool)] = &[
            ("data/a.csv", true),
            ("./a.csv", true),
            ("../a.csv", false),
            ("data/../../a.csv", false),
            ("/etc/passwd", false),
            ("", false),
        ];
        for (p, ok) in cases {
            assert_eq!(is_contained_relative(Path::new(p)), *ok, "{p}");
        }
    }

    #[test]
    fn emails() {
        for (e, ok) in [
            ("a@b.ua", true),
            ("a@b", false),
            ("@b.ua", false),
            ("a b@c.ua", false),
            ("a@b@c.ua", false),
        ] {
            assert_eq!(is_email(e), ok, "{e}");
        }
    }

    #[test]
    fn toml_errors_are_located() {
        let err = CatalogConfig::parse(
            "title = { uk = \"x\" }\nbase_url = 5\n",
            Path::new("catalog.toml"),
        )
        .unwrap_err();
        assert_eq!(err[0].row, Some(2));
        assert_eq!(err[0].kind, Kind::CatalogError);
    }
}
