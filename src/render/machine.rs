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
    let mut d = dataset.descriptor.object();
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

/// One dataset's published files and its `datapackage.json`: (path, content, origin).
pub fn dataset_files(
    catalog: &Catalog,
    d: &Dataset,
    result: &DatasetResult,
    today: Option<NaiveDate>,
) -> Vec<(String, Content, String)> {
    let dir = format!("datasets/{}/", d.id);
    let mut out: Vec<(String, Content, String)> = (d.resources.iter())
        .map(|r| {
            (
                format!("{dir}{}", resource_path(r)),
                Content::File(catalog.source.join(&d.folder).join(&r.path)),
                format!("resource `{}` of dataset `{}`", r.name, d.id),
            )
        })
        .collect();
    out.push((
        format!("{dir}datapackage.json"),
        Content::Bytes(descriptor(d, result, today)),
        format!("the descriptor of dataset `{}`", d.id),
    ));
    out
}

/// Adds the machine-readable files of the whole site (each dataset's own come from
/// `dataset_files`).
pub fn files(
    add: &mut Add,
    (catalog, validated): (&Catalog, &Validated),
    theme: &Theme,
    (today, memo): (Option<NaiveDate>, Option<&super::Memo>),
) -> Result<(), Error> {
    let mut sums = String::new();
    for d in catalog.datasets.values() {
        let Some(result) = validated.datasets.get(&d.id) else {
            continue;
        };
        let dir = format!("datasets/{}/", d.id);
        for (r, res) in d.resources.iter().zip(&result.resources) {
            sums.push_str(&format!(
                "{}  {dir}{}\n",
                res.digest.sha256,
                resource_path(r)
            ));
        }
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
    if !catalog.mandatory.is_empty() {
        add(
            COVERAGE.into(),
            Content::Bytes(coverage(catalog, today, None)),
            "the Resolution 835 coverage table".into(),
        )?;
        use crate::catalog::territory::Category;
        let oblasts = (catalog.registry.of_category(Category::O))
            .chain(catalog.registry.of_category(Category::K));
        for o in oblasts {
            let table = coverage(catalog, today, Some(&o.code));
            // A header line only: the oblast has no hromadas (Kyiv, Sevastopol).
            if table.iter().filter(|b| **b == b'\n').count() > 1 {
                add(
                    format!("coverage/{}/coverage.csv", o.code),
                    Content::Bytes(table),
                    format!("the Resolution 835 coverage table of {}", o.code),
                )?;
            }
        }
    }
    let robots = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {0}sitemap.xml\n\n# Data files and their checksums: {0}SHA256SUMS\n",
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
    super::dcat::files(add, catalog, validated, memo)?;
    for (name, bytes) in &theme.assets {
        add(
            format!("static/{name}"),
            Content::Bytes(bytes.clone()),
            format!("theme asset `{name}`"),
        )?;
    }
    Ok(())
}

/// Where the coverage table is published.
pub const COVERAGE: &str = "resolution-835-coverage.csv";

/// Every hromada × every mandatory dataset: `published`, `overdue` or `missing`, judged on the
/// datasets of the hromada's own publishers (those whose territory is the hromada), with the
/// oblast and raion for filtering. One row per hromada, in code order.
pub fn coverage(
    catalog: &Catalog,
    today: Option<NaiveDate>,
    oblast: Option<&crate::catalog::KatottgCode>,
) -> Vec<u8> {
    use crate::catalog::territory::Category;
    let mut header = vec![
        "oblast_code",
        "oblast",
        "raion_code",
        "raion",
        "hromada_code",
        "hromada",
        "publishers",
    ];
    header.extend(catalog.mandatory.iter().map(|m| m.code.as_str()));
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    for (code, top) in catalog.registry.hromada_tops() {
        if oblast.is_some_and(|o| top.as_ref() != Some(o)) {
            continue;
        }
        let Some(h) = catalog.registry.get(code) else {
            continue;
        };
        let above = catalog.registry.ancestors(&h.code);
        let (publishers, statuses) = super::checklist::hromada_statuses(catalog, &h.code, today);
        let level = |cat: Category| {
            above
                .iter()
                .find(|t| t.category == cat || (cat == Category::O && t.category == Category::K))
        };
        let (oblast, raion) = (level(Category::O), level(Category::P));
        let mut row = vec![
            oblast.map_or(String::new(), |t| t.code.to_string()),
            oblast.map_or(String::new(), |t| t.name.clone()),
            raion.map_or(String::new(), |t| t.code.to_string()),
            raion.map_or(String::new(), |t| t.name.clone()),
            h.code.to_string(),
            h.name.clone(),
            publishers
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ];
        row.extend(statuses.iter().map(|s| s.to_string()));
        rows.push(row);
    }
    super::exports::csv_bytes(rows)
}
