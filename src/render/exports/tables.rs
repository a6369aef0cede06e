//! Stage 4, render: the catalogue as three tables at the site root, in the manner of
//! data.gouv.fr's catalogue exports — `datasets.csv` (one row per dataset), `resources.csv` (one
//! row per published file) and `publishers.csv` (one row per publisher). Invariants: the columns
//! are exactly the `*_COLUMNS` constants (documented in the README); rows are in id order
//! (resources in their dataset's order); multi-valued cells are joined with `; `; a value the
//! data lack is an empty cell; URLs are absolute.

use super::{changed, csv_bytes, formats, result_of, Urls, LIST_SEPARATOR};
use crate::catalog::{Catalog, Dataset, Publisher, Scope};
use crate::render::splice::{splice, Layout};
use crate::render::{Content, Memo};
use crate::validate::Validated;

/// Columns of `datasets.csv`.
pub const DATASET_COLUMNS: [&str; 22] = [
    "id",
    "title_uk",
    "title_en",
    "url",
    "url_en",
    "publisher",
    "publisher_name",
    "publisher_edrpou",
    "territory_codes",
    "license",
    "frequency",
    "issued",
    "modified",
    "temporal_start",
    "temporal_end",
    "resolution_835",
    "keywords",
    "formats",
    "resources",
    "bytes",
    "valid",
    "datapackage_url",
];

/// Columns of `resources.csv`.
pub const RESOURCE_COLUMNS: [&str; 14] = [
    "dataset_id",
    "name",
    "title",
    "url",
    "path",
    "format",
    "mediatype",
    "encoding",
    "bytes",
    "sha256",
    "rows",
    "valid",
    "dataset_url",
    "publisher",
];

/// Columns of `publishers.csv`.
pub const PUBLISHER_COLUMNS: [&str; 15] = [
    "slug",
    "name_uk",
    "name_en",
    "edrpou",
    "territory_code",
    "territory_name",
    "website",
    "contact_name",
    "contact_email",
    "url",
    "url_en",
    "datasets",
    "modified",
    "register_url",
    "feed_url",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

fn dataset_row(catalog: &Catalog, validated: &Validated, d: &Dataset, urls: Urls) -> Vec<String> {
    let p = catalog.publishers.get(&d.publisher);
    let result = result_of(validated, d);
    let licence = (d.licenses.iter())
        .find_map(|l| l.name.clone())
        .unwrap_or_else(|| catalog.config.license.clone());
    let spatial: Vec<String> = d.spatial.iter().map(Scope::to_string).collect();
    vec![
        d.id.to_string(),
        d.title.uk.clone(),
        opt(d.title.en.as_ref()),
        urls.dataset(d, false),
        urls.dataset(d, true),
        d.publisher.to_string(),
        opt(p.map(|p| &p.name.uk)),
        opt(p.map(|p| p.edrpou.as_str())),
        spatial.join(LIST_SEPARATOR),
        licence,
        opt(d.frequency.map(|f| f.key())),
        opt(d.issued),
        opt(d.modified),
        opt(d.temporal.map(|t| t.0)),
        opt(d.temporal.map(|t| t.1)),
        opt(d.resolution_835.as_ref()),
        d.keywords.join(LIST_SEPARATOR),
        formats(d).join(LIST_SEPARATOR),
        d.resources.len().to_string(),
        result
            .resources
            .iter()
            .map(|r| r.digest.bytes)
            .sum::<u64>()
            .to_string(),
        result.is_valid().to_string(),
        urls.file(&format!("datasets/{}/datapackage.json", d.id)),
    ]
}

fn resource_rows(validated: &Validated, d: &Dataset, urls: Urls) -> Vec<Vec<String>> {
    let result = result_of(validated, d);
    d.resources
        .iter()
        .zip(&result.resources)
        .map(|(r, res)| {
            vec![
                d.id.to_string(),
                r.name.clone(),
                opt(r.title.as_ref()),
                urls.download(d, r),
                format!("datasets/{}/{}", d.id, super::resource_path(r)),
                r.format.to_uppercase(),
                opt(r.mediatype.as_ref()),
                opt(r.encoding.as_ref()),
                res.digest.bytes.to_string(),
                res.digest.sha256.clone(),
                opt(res.rows),
                res.is_valid().to_string(),
                urls.dataset(d, false),
                d.publisher.to_string(),
            ]
        })
        .collect()
}

fn publisher_row(catalog: &Catalog, p: &Publisher, urls: Urls) -> Vec<String> {
    let mine: Vec<&Dataset> = catalog.datasets_of(&p.slug).collect();
    let territory_name = match &p.territory {
        Scope::Country => Some("Україна".to_owned()),
        Scope::Territory(code) => catalog.registry.get(code).map(|t| t.name.clone()),
    };
    let feed = super::feeds::publisher_feed(catalog, &p.slug);
    vec![
        p.slug.to_string(),
        p.name.uk.clone(),
        opt(p.name.en.as_ref()),
        p.edrpou.as_str().to_owned(),
        p.territory.to_string(),
        opt(territory_name),
        opt(p.website.as_ref()),
        p.contact_name.clone(),
        opt(p.contact_email.as_ref()),
        urls.file(&format!("publishers/{}/", p.slug)),
        urls.file(&format!("en/publishers/{}/", p.slug)),
        mine.len().to_string(),
        opt(mine.iter().filter_map(|d| changed(d)).max()),
        urls.file(&format!("publishers/{}/{}", p.slug, super::register::CSV)),
        opt(feed.map(|f| urls.file(&f))),
    ]
}

/// The three tables: (path at the site root, CSV bytes). The two with rows per dataset are
/// spliced (`splice`): with the build cache's memo, unchanged datasets' rows are the previous
/// build's.
pub fn tables(
    catalog: &Catalog,
    validated: &Validated,
    urls: Urls,
    memo: Option<&Memo>,
) -> [(&'static str, Content); 3] {
    let header = |cols: &[&str]| csv_bytes([cols]);
    let datasets: Vec<&Dataset> = catalog.datasets.values().collect();
    let members = super::members(&datasets, validated);
    let table = |path, head, rows: &(dyn Fn(&Dataset) -> Vec<u8> + Sync)| {
        let layout = Layout {
            path,
            head,
            between: b"",
            tail: b"",
        };
        Content::Spliced(splice(memo, layout, &members, |i| rows(datasets[i])))
    };
    let dataset_rows = |d: &Dataset| csv_bytes([dataset_row(catalog, validated, d, urls)]);
    let resource_rows = |d: &Dataset| csv_bytes(resource_rows(validated, d, urls));
    let publishers = std::iter::once(PUBLISHER_COLUMNS.map(String::from).to_vec())
        .chain((catalog.publishers.values()).map(|p| publisher_row(catalog, p, urls)));
    [
        (
            "datasets.csv",
            table("datasets.csv", header(&DATASET_COLUMNS), &dataset_rows),
        ),
        (
            "resources.csv",
            table("resources.csv", header(&RESOURCE_COLUMNS), &resource_rows),
        ),
        ("publishers.csv", Content::Bytes(csv_bytes(publishers))),
    ]
}
