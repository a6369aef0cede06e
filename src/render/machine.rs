//! Stage 4, render: the site's machine-readable files — published data files, each dataset's
//! `datapackage.json` with the computed `bytes` and `hash`, `SHA256SUMS` in the format
//! `sha256sum -c` reads, `robots.txt`, and the theme's static assets.

use chrono::NaiveDate;
use serde_json::Value;

use super::view::resource_path;
use super::{Content, Theme};
use crate::catalog::{Catalog, Dataset};
use crate::error::Error;
use crate::validate::{DatasetResult, Validated};

/// Adds one output: path, content, and where it came from (for collision messages).
pub type Add<'a> = dyn FnMut(String, Content, String) -> Result<(), Error> + 'a;

/// The published descriptor: the source descriptor with computed sizes and hashes, and its
/// freshness under `hromadata`: `nextDue` (by `frequency` from `modified`) and `overdue` (when
/// the build knows today's date).
pub fn descriptor(dataset: &Dataset, result: &DatasetResult, today: Option<NaiveDate>) -> Vec<u8> {
    let mut d = dataset.descriptor.clone();
    if let Some(due) = dataset.next_due() {
        let ext = d
            .entry("hromadata")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(ext) = ext {
            ext.insert("nextDue".into(), Value::from(due.to_string()));
            if today.is_some() {
                ext.insert("overdue".into(), Value::from(dataset.overdue(today)));
            }
        }
    }
    if let Some(Value::Array(resources)) = d.get_mut("resources") {
        for (r, res) in resources.iter_mut().zip(&result.resources) {
            if let Value::Object(o) = r {
                o.insert("bytes".into(), Value::from(res.digest.bytes));
                o.insert(
                    "hash".into(),
                    Value::from(format!("sha256:{}", res.digest.sha256)),
                );
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(d)).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// Adds every machine-readable file of the site.
pub fn files(
    add: &mut Add,
    (catalog, validated): (&Catalog, &Validated),
    theme: &Theme,
    today: Option<NaiveDate>,
) -> Result<(), Error> {
    let mut sums = String::new();
    for d in catalog.datasets.values() {
        let Some(result) = validated.datasets.get(&d.id) else {
            continue;
        };
        let dir = format!("datasets/{}/", d.id);
        for (r, res) in d.resources.iter().zip(&result.resources) {
            let path = format!("{dir}{}", resource_path(r));
            let source = catalog.source.join(&d.folder).join(&r.path);
            sums.push_str(&format!("{}  {path}\n", res.digest.sha256));
            add(
                path,
                Content::File(source),
                format!("resource `{}` of dataset `{}`", r.name, d.id),
            )?;
        }
        add(
            format!("{dir}datapackage.json"),
            Content::Bytes(descriptor(d, result, today)),
            format!("the descriptor of dataset `{}`", d.id),
        )?;
    }
    // sha256sum -c reads lines in any order; sorting by path keeps the file stable.
    let mut lines: Vec<&str> = sums.lines().collect();
    lines.sort_by_key(|l| l.get(66..).unwrap_or(""));
    let mut sums = lines.join("\n");
    if !sums.is_empty() {
        sums.push('\n');
    }
    add(
        "SHA256SUMS".into(),
        Content::Bytes(sums.into_bytes()),
        "the checksum list".into(),
    )?;
    let robots = format!(
        "User-agent: *\nAllow: /\n\n# Data files and their checksums: {}SHA256SUMS\n",
        catalog.config.base_url
    );
    add(
        "robots.txt".into(),
        Content::Bytes(robots.into_bytes()),
        "robots.txt".into(),
    )?;
    // Static hosts that run Jekyll (GitHub Pages) would otherwise hide files starting with `_` or `.`.
    add(
        ".nojekyll".into(),
        Content::Bytes(Vec::new()),
        ".nojekyll".into(),
    )?;
    for (name, bytes) in &theme.assets {
        add(
            format!("static/{name}"),
            Content::Bytes(bytes.clone()),
            format!("theme asset `{name}`"),
        )?;
    }
    Ok(())
}
