//! Stage 4, render: exports for other catalogues and machines — per-publisher registers of
//! datasets (Cabinet Resolution No. 835), dataset passports, CKAN API payloads for data.gov.ua,
//! catalogue tables (`datasets.csv`, `resources.csv`, `publishers.csv`), Atom feeds, the
//! catalogue's `datapackage.json` and the site map. Pure functions of the validated catalogue:
//! no clock (dates come from the data), no hash-map order, so the same input gives the same
//! bytes. Every URL in them is absolute, on the catalogue's `base_url`.

pub mod ckan;
pub mod feeds;
pub mod package;
pub mod passport;
pub mod register;
pub mod sitemap;
pub mod tables;

use chrono::NaiveDate;

use super::builder::in_order;
use super::machine::Add;
use super::territory::TerritoryIndex;
use super::view::resource_path;
use super::{Content, Made, Memo};
use crate::catalog::{Catalog, Dataset, DatasetId, Publisher, Resource};
use crate::error::Error;
use crate::validate::{DatasetResult, Validated};

/// Joins the values of a multi-valued cell (keywords, formats) in CSV files.
pub const LIST_SEPARATOR: &str = "; ";

/// Absolute URLs of the site's pages and files.
#[derive(Debug, Clone, Copy)]
pub struct Urls<'a> {
    /// The catalogue's `base_url`, ending in `/`.
    pub base: &'a str,
}

impl Urls<'_> {
    /// A dataset's page, in Ukrainian (`en == false`) or English.
    pub fn dataset(&self, d: &Dataset, en: bool) -> String {
        let lang = if en { "en/" } else { "" };
        format!("{}{lang}datasets/{}/", self.base, d.id)
    }

    /// A resource's published file.
    pub fn download(&self, d: &Dataset, r: &Resource) -> String {
        format!(
            "{}datasets/{}/{}",
            self.base,
            d.id,
            super::format::url_path(&resource_path(r))
        )
    }

    /// Any file or page by its path from the site root.
    pub fn file(&self, path: &str) -> String {
        format!("{}{}", self.base, super::format::url_path(path))
    }
}

/// The date a dataset last changed: `modified`, else `issued` (feeds, site map).
pub fn changed(d: &Dataset) -> Option<NaiveDate> {
    d.modified.or(d.issued)
}

/// The distinct formats of a dataset's files, uppercase and sorted.
pub fn formats(d: &Dataset) -> Vec<String> {
    let mut formats: Vec<String> = d
        .resources
        .iter()
        .map(|r| r.format.to_uppercase())
        .filter(|f| !f.is_empty())
        .collect();
    formats.sort();
    formats.dedup();
    formats
}

/// A CSV file from rows (the first is the header): UTF-8 without BOM, `,` between fields,
/// RFC 4180 quoting (only where needed), LF line ends.
pub fn csv_bytes<I, R, S>(rows: I) -> Vec<u8>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(row);
    }
    w.into_inner().unwrap_or_default()
}

/// Text escaped for XML content and attribute values; characters XML 1.0 cannot hold (control
/// characters other than tab and line ends) are left out.
pub fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_xml_text(&mut out, text);
    out
}

/// Appends `text` to `out` as `xml_text` writes it.
pub fn push_xml_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

/// Pretty JSON with a final newline.
pub fn json_bytes(value: &serde_json::Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// The validation result of a dataset (empty when validation left it out).
pub fn result_of<'v>(validated: &'v Validated, d: &Dataset) -> std::borrow::Cow<'v, DatasetResult> {
    validated
        .datasets
        .get(&d.id)
        .map_or_else(Default::default, std::borrow::Cow::Borrowed)
}

/// Each dataset's place in a spliced file (`crate::render::splice`): its id and whether it is
/// valid.
fn members<'d>(datasets: &[&'d Dataset], validated: &Validated) -> Vec<(&'d DatasetId, bool)> {
    (datasets.iter())
        .map(|d| {
            let valid = validated.datasets.get(&d.id).is_some_and(|r| r.is_valid());
            (&d.id, valid)
        })
        .collect()
}

/// Adds every export but each dataset's own (`dataset_exports`): registers and feeds per
/// publisher, feeds per territory, the catalogue tables and the catalogue's `datapackage.json`.
pub fn files(
    add: &mut Add,
    (catalog, validated): (&Catalog, &Validated),
    index: &TerritoryIndex,
    (build_date, memo): (Option<NaiveDate>, Option<&Memo>),
) -> Result<(), Error> {
    let urls = Urls {
        base: &catalog.config.base_url,
    };
    let publishers: Vec<_> = catalog.publishers.values().collect();
    let registers = |p: &&Publisher| {
        let dir = format!("publishers/{}/", p.slug);
        let paths = [register::CSV, register::JSON].map(|f| format!("{dir}{f}"));
        let contents = if register_kept(memo, catalog, p, &paths) {
            [Content::Previous(None), Content::Previous(None)]
        } else {
            let (csv, json) = register::register(catalog, p, urls);
            [Content::Bytes(csv), Content::Bytes(json)]
        };
        Ok(Some((p.slug.clone(), paths, contents)))
    };
    in_order(&publishers, registers, |(slug, paths, contents)| {
        let origin = format!("the register of datasets of publisher `{slug}`");
        for (path, content) in paths.into_iter().zip(contents) {
            add(path, content, origin.clone())?;
        }
        Ok(())
    })?;
    feeds::feeds(catalog, index, (build_date, memo), &mut |(
        path,
        content,
    )| {
        let origin = format!("the Atom feed `{path}`");
        add(path, content, origin)
    })?;
    for (path, content) in tables::tables(catalog, validated, urls, memo) {
        add(
            path.into(),
            content,
            format!("the catalogue table `{path}`"),
        )?;
    }
    if let Some(spliced) = package::catalogue(catalog, validated, memo) {
        add(
            "datapackage.json".into(),
            Content::Spliced(spliced),
            "the catalogue's data package".into(),
        )?;
    }
    Ok(())
}

/// True when both files of publisher `p`'s register are the previous build's: the build cache's
/// memo has the same key for them (the register says only what the datasets' fingerprints and
/// the publisher's path cover).
fn register_kept(
    memo: Option<&Memo>,
    catalog: &Catalog,
    p: &Publisher,
    paths: &[String; 2],
) -> bool {
    let ids = catalog.datasets_of(&p.slug).map(|d| &d.id);
    let paths = [paths[0].as_str(), paths[1].as_str()];
    let (parts, made) = (["register", p.slug.as_str()], Made::FromAll);
    memo.is_some_and(|m| m.files_kept(&parts, ids, made, &paths))
}

/// A dataset's passport (JSON and CSV) and CKAN payloads: (path, bytes, origin).
pub fn dataset_exports(
    catalog: &Catalog,
    validated: &Validated,
    d: &Dataset,
    urls: Urls,
) -> Vec<(String, Vec<u8>, String)> {
    let result = result_of(validated, d);
    let dir = format!("datasets/{}/", d.id);
    let p = passport::passport(catalog, d, urls);
    let origin = format!("the passport of dataset `{}`", d.id);
    let mut out = vec![
        (
            format!("{dir}passport.json"),
            passport::json(&p),
            origin.clone(),
        ),
        (format!("{dir}passport.csv"), passport::csv(&p), origin),
    ];
    for (name, bytes) in ckan::payloads(catalog, d, &result, urls) {
        out.push((
            format!("{dir}ckan/{name}"),
            bytes,
            format!("the CKAN payloads of dataset `{}`", d.id),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_escapes_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            xml_text("a<b>&\"c\" 'd'\u{1}\u{b}\te\n"),
            "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;\te\n"
        );
    }

    #[test]
    fn csv_quotes_only_where_needed_with_lf() {
        let bytes = csv_bytes([["a", "b, c"], ["\"q\"", "x\ny"]]);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "a,\"b, c\"\n\"\"\"q\"\"\",\"x\ny\"\n"
        );
    }
}
