//! Stage 4, render: the site map (sitemaps.org protocol 0.9) of every page, in both languages,
//! with `<lastmod>`: a dataset page's date is its dataset's `modified` (else `issued`); a page
//! that lists datasets takes the newest date of those it lists; other pages (coverage) have none.
//! Invariants: URLs in path order; at most `limit` URLs per file — beyond that (the protocol's
//! 50,000) `sitemap.xml` becomes a sitemap index of `sitemaps/sitemap-<n>.xml`, so the robots.txt
//! line naming `sitemap.xml` holds either way.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use foldhash::fast::FixedState;
use rayon::prelude::*;

use super::{changed, push_xml_text, xml_text};
use crate::catalog::territory::Category;
use crate::catalog::{Catalog, DatasetId};
use crate::render::territory::TerritoryIndex;
use crate::render::view::territory_href;

/// The protocol's limit of URLs in one sitemap file.
pub const LIMIT: usize = 50_000;

/// Where the site map is (named in robots.txt).
pub const FILE: &str = "sitemap.xml";

/// The date of each page that has one, by its folder under a language root (`""` for home,
/// `datasets/<id>/`, `publishers/<slug>/`, `hromadas/<code>/`…). Hashed: a national site map
/// looks up 190,000 pages among 100,000 dates whose keys share long prefixes.
pub type Dates = HashMap<String, NaiveDate, FixedState>;

/// The date of every page that has one (see `Dates`).
pub fn page_dates(catalog: &Catalog, index: &TerritoryIndex) -> Dates {
    let mut dates = Dates::default();
    // Each dataset's date looked up by hash: a territory's page takes the newest of thousands
    // of datasets (an oblast's), each of them listed on three territories' pages at least.
    let changed_on: HashMap<&DatasetId, NaiveDate, FixedState> = (catalog.datasets.values())
        .filter_map(|d| Some((&d.id, changed(d)?)))
        .collect();
    let newest_of = |ids: &mut dyn Iterator<Item = &DatasetId>| {
        ids.filter_map(|id| changed_on.get(id)).copied().max()
    };
    let newest = catalog.datasets.values().filter_map(changed).max();
    // The search page's index covers every dataset, so it changes with the newest of them.
    for page in ["", "datasets/", "publishers/", "search/"] {
        if let Some(d) = newest {
            dates.insert(page.to_owned(), d);
        }
    }
    for d in catalog.datasets.values() {
        if let Some(c) = changed(d) {
            dates.insert(format!("datasets/{}/", d.id), c);
            // Full-table pages change with their dataset (keys without a page are never looked up).
            for r in &d.resources {
                dates.insert(crate::render::view::table_href(d, r), c);
            }
        }
    }
    for p in catalog.publishers.values() {
        let mine = catalog.datasets_of(&p.slug);
        if let Some(c) = mine.filter_map(changed).max() {
            dates.insert(format!("publishers/{}/", p.slug), c);
        }
    }
    let territories: Vec<_> = [Category::O, Category::K, Category::P, Category::H]
        .into_iter()
        .flat_map(|c| catalog.registry.of_category(c))
        .collect();
    // In parallel, added in the registry's order: a national catalogue's 1,932 territories
    // each look through thousands of datasets (an oblast's), on one core while the other
    // waited at the end of a small rebuild.
    let newest: Vec<(String, NaiveDate)> = (territories.par_iter())
        .filter_map(|t| {
            let href = territory_href(catalog, &t.code)?;
            // What the page lists: datasets about it or by its publishers, and wider ones
            // that cover it (the whole country, its oblast, its raion).
            let listed = super::feeds::listed(catalog, index, &t.code);
            let wider = crate::render::territory::wider_scopes(catalog, &t.code);
            let wider_ids = wider.iter().filter_map(|s| index.exact.get(s)).flatten();
            newest_of(&mut listed.chain(wider_ids)).map(|c| (href, c))
        })
        .collect();
    dates.extend(newest);
    dates
}

fn urlset(base_url: &str, pages: &[&str], dates: &Dates) -> (Vec<u8>, Option<NaiveDate>) {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut newest = None;
    // Written in place: a national site map has 190,000 URLs.
    let base = xml_text(base_url);
    for page in pages {
        xml.push_str("  <url><loc>");
        xml.push_str(&base);
        push_xml_text(&mut xml, page);
        xml.push_str("</loc>");
        let folder = page.strip_prefix("en/").unwrap_or(page);
        if let Some(d) = dates.get(folder) {
            newest = newest.max(Some(*d));
            let _ = write!(xml, "<lastmod>{d}</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    (xml.into_bytes(), newest)
}

/// The site map of every page among `paths` (output paths; pages end in `index.html`): one
/// `sitemap.xml`, or, past `limit` pages, a sitemap index and its parts. Returns (path, bytes).
pub fn files<'p>(
    base_url: &str,
    paths: impl Iterator<Item = &'p str>,
    dates: &Dates,
    limit: usize,
) -> Vec<(String, Vec<u8>)> {
    // In the order of the pages' paths (not of their folders: `index.html` sorts after
    // `datasets/index.html`).
    let mut pages: Vec<&str> = paths.filter(|p| p.ends_with("index.html")).collect();
    pages.par_sort_unstable();
    let pages: Vec<&str> = (pages.into_iter())
        .filter_map(|p| p.strip_suffix("index.html"))
        .collect();
    if pages.len() <= limit {
        return vec![(FILE.to_owned(), urlset(base_url, &pages, dates).0)];
    }
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // Each file of the set made in parallel: a national site has half a dozen of 50,000 pages.
    let sets: Vec<_> = (pages.par_chunks(limit.max(1)))
        .map(|chunk| urlset(base_url, chunk, dates))
        .collect();
    let mut out = Vec::new();
    for (n, (bytes, newest)) in sets.into_iter().enumerate() {
        let path = format!("sitemaps/sitemap-{}.xml", n + 1);
        let loc = xml_text(&format!("{base_url}{path}"));
        match newest {
            Some(d) => index.push_str(&format!(
                "  <sitemap><loc>{loc}</loc><lastmod>{d}</lastmod></sitemap>\n"
            )),
            None => index.push_str(&format!("  <sitemap><loc>{loc}</loc></sitemap>\n")),
        }
        out.push((path, bytes));
    }
    index.push_str("</sitemapindex>\n");
    out.insert(0, (FILE.to_owned(), index.into_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> Vec<String> {
        [
            "index.html",
            "datasets/a/index.html",
            "datasets/a/data.csv",
            "en/datasets/a/index.html",
            "en/index.html",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    #[test]
    fn one_file_with_lastmod_under_the_limit() {
        let d = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
        let dates = Dates::from_iter([("datasets/a/".to_owned(), d)]);
        let files = files(
            "https://x.ua/",
            paths().iter().map(String::as_str),
            &dates,
            LIMIT,
        );
        assert_eq!(files.len(), 1);
        let xml = String::from_utf8(files[0].1.clone()).unwrap();
        assert_eq!(xml.matches("<url>").count(), 4);
        assert_eq!(
            xml.matches("<lastmod>2025-02-01</lastmod>").count(),
            2,
            "{xml}"
        );
        assert!(!xml.contains("data.csv"));
    }

    #[test]
    fn split_into_an_index_past_the_limit() {
        let d = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
        let dates = Dates::from_iter([("datasets/a/".to_owned(), d)]);
        let files = files(
            "https://x.ua/",
            paths().iter().map(String::as_str),
            &dates,
            3,
        );
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            [
                "sitemap.xml",
                "sitemaps/sitemap-1.xml",
                "sitemaps/sitemap-2.xml"
            ]
        );
        let index = String::from_utf8(files[0].1.clone()).unwrap();
        assert!(index.contains("<sitemapindex"));
        // The part with a dated page is dated; the other (only `en/`) has no date to give.
        assert!(
            index.contains(
                "<loc>https://x.ua/sitemaps/sitemap-1.xml</loc><lastmod>2025-02-01</lastmod>"
            ),
            "{index}"
        );
        assert!(
            index.contains("<sitemap><loc>https://x.ua/sitemaps/sitemap-2.xml</loc></sitemap>"),
            "{index}"
        );
        let urls: usize = files[1..]
            .iter()
            .map(|(_, b)| String::from_utf8_lossy(b).matches("<url>").count())
            .sum();
        assert_eq!(urls, 4);
    }
}
