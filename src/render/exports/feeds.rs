//! Stage 4, render: Atom feeds (RFC 4287) of new and updated datasets — the whole catalogue
//! (`feed.atom`), each publisher (`publishers/<slug>/feed.atom`) and each territory with datasets
//! about it or by its publishers (`oblasts|raions|hromadas/<KATOTTG>/feed.atom`). Invariants:
//! entries are ordered by `modified` (else `issued`) newest first, then by id; an entry's
//! `updated` is that date and the feed's is its newest entry's — never the clock; an entry's id
//! is its dataset's page URL, stable across builds; content is Ukrainian, with the English page
//! as a second alternate link. A dataset with neither date cannot be placed and is left out; a
//! publisher or territory feed with no entry is not written.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::{changed, xml_text, Urls};
use crate::catalog::territory::{Category, Territory};
use crate::catalog::{Catalog, Dataset, DatasetId, KatottgCode, Publisher, PublisherSlug};
use crate::render::builder::in_order;
use crate::render::territory::TerritoryIndex;
use crate::render::view::territory_href;
use crate::render::{Content, Made, Memo};

/// The file name of every feed.
pub const FILE: &str = "feed.atom";

/// What a feed is about: its title, the pages it stands for (site-root paths of the uk page;
/// the en page is under `en/`) and its own path.
struct Head<'a> {
    title: String,
    page: String,
    path: String,
    author: Option<&'a str>,
}

fn timestamp(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", crate::render::format::iso_date(d))
}

fn entry(catalog: &Catalog, d: &Dataset, date: NaiveDate, urls: Urls) -> String {
    let page = urls.dataset(d, false);
    let mut x = String::from("  <entry>\n");
    x += &format!("    <id>{}</id>\n", xml_text(&page));
    x += &format!(
        "    <title type=\"text\">{}</title>\n",
        xml_text(&d.title.uk)
    );
    x += &format!("    <updated>{}</updated>\n", timestamp(date));
    if let Some(issued) = d.issued {
        x += &format!("    <published>{}</published>\n", timestamp(issued));
    }
    x += &format!(
        "    <link rel=\"alternate\" type=\"text/html\" hreflang=\"uk\" href=\"{}\"/>\n",
        xml_text(&page)
    );
    x += &format!(
        "    <link rel=\"alternate\" type=\"text/html\" hreflang=\"en\" href=\"{}\"/>\n",
        xml_text(&urls.dataset(d, true))
    );
    let descriptor = urls.file(&format!("datasets/{}/datapackage.json", d.id));
    x += &format!(
        "    <link rel=\"related\" type=\"application/json\" href=\"{}\"/>\n",
        xml_text(&descriptor)
    );
    let author =
        (catalog.publishers.get(&d.publisher)).map_or(d.publisher.as_str(), |p| &p.name.uk);
    x += &format!("    <author><name>{}</name></author>\n", xml_text(author));
    for k in &d.keywords {
        x += &format!("    <category term=\"{}\"/>\n", xml_text(k));
    }
    if !d.description.uk.trim().is_empty() {
        x += &format!(
            "    <content type=\"text\">{}</content>\n",
            xml_text(&d.description.uk)
        );
    }
    x + "  </entry>\n"
}

/// A feed of `datasets` (those with a date), newest first; `fallback` is the feed's `updated`
/// when it has no entry (only the catalogue's feed is written empty).
fn feed(catalog: &Catalog, head: &Head, datasets: &[&Dataset], fallback: NaiveDate) -> Vec<u8> {
    let urls = Urls {
        base: &catalog.config.base_url,
    };
    let mut dated: Vec<(NaiveDate, &Dataset)> = datasets
        .iter()
        .filter_map(|d| changed(d).map(|c| (c, *d)))
        .collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let updated = dated.first().map_or(fallback, |(c, _)| *c);
    let page = urls.file(&head.page);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x += "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"uk\">\n";
    x += &format!("  <id>{}</id>\n", xml_text(&urls.file(&head.path)));
    x += &format!("  <title type=\"text\">{}</title>\n", xml_text(&head.title));
    x += &format!("  <updated>{}</updated>\n", timestamp(updated));
    x += &format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_text(&urls.file(&head.path))
    );
    x += &format!(
        "  <link rel=\"alternate\" type=\"text/html\" hreflang=\"uk\" href=\"{}\"/>\n",
        xml_text(&page)
    );
    x += &format!(
        "  <link rel=\"alternate\" type=\"text/html\" hreflang=\"en\" href=\"{}\"/>\n",
        xml_text(&urls.file(&format!("en/{}", head.page)))
    );
    if let Some(author) = head.author {
        x += &format!("  <author><name>{}</name></author>\n", xml_text(author));
    }
    x += "  <generator>hromadata</generator>\n";
    for (date, d) in &dated {
        x += &entry(catalog, d, *date, urls);
    }
    x += "</feed>\n";
    x.into_bytes()
}

/// The datasets a territory's feed lists: those about it (its code or a code below it) and
/// those of the publishers located in it.
pub fn territory_datasets<'c>(
    catalog: &'c Catalog,
    index: &TerritoryIndex,
    code: &KatottgCode,
) -> BTreeSet<&'c DatasetId> {
    listed(catalog, index, code).collect()
}

/// The datasets of `territory_datasets`, some more than once, in no particular order.
pub(super) fn listed<'c, 'i>(
    catalog: &'c Catalog,
    index: &'i TerritoryIndex,
    code: &KatottgCode,
) -> impl Iterator<Item = &'c DatasetId> + use<'c, 'i> {
    let mine = (index.publishers.get(code).into_iter().flatten())
        .flat_map(|p| catalog.datasets_of(p))
        .map(|d| &d.id);
    let about = (index.about.get(code).into_iter().flatten())
        .filter_map(|id| catalog.datasets.get_key_value(id).map(|(k, _)| k));
    mine.chain(about)
}

fn has_dated<'c>(catalog: &'c Catalog, ids: impl IntoIterator<Item = &'c DatasetId>) -> bool {
    ids.into_iter()
        .filter_map(|id| catalog.datasets.get(id))
        .any(|d| changed(d).is_some())
}

/// Where a publisher's feed is (from the site root), when it has one.
pub fn publisher_feed(catalog: &Catalog, slug: &PublisherSlug) -> Option<String> {
    let ids = catalog.datasets_of(slug).map(|d| &d.id);
    has_dated(catalog, ids).then(|| format!("publishers/{slug}/{FILE}"))
}

/// Where a territory's feed is (from the site root), when it has one.
pub fn territory_feed(
    catalog: &Catalog,
    index: &TerritoryIndex,
    code: &KatottgCode,
) -> Option<String> {
    let page = territory_href(catalog, code)?;
    // Asked of every territory's page in each language: whether one is dated needs no set
    // of them (an oblast's holds thousands).
    has_dated(catalog, listed(catalog, index, code)).then(|| format!("{page}{FILE}"))
}

/// True when the feed at `path`, listing `ids`, is the previous build's: the build cache's memo
/// has the same key for it. A feed says nothing of what data files hold, so the datasets'
/// metadata fingerprints cover what it says of them and of the catalogue (its title, base URL,
/// publishers, the territory register): a changed CSV leaves every feed as it was. The path and
/// the build date are the rest.
fn kept<'i>(
    memo: Option<&Memo>,
    path: &str,
    fallback: NaiveDate,
    ids: impl IntoIterator<Item = &'i DatasetId>,
) -> bool {
    let date = fallback.to_string();
    let made = Made::FromMetadata;
    memo.is_some_and(|m| m.files_kept(&["atom", path, &date], ids, made, &[path]))
}

/// Every feed, handed to `take` as (path from the site root, bytes) in a fixed order; made in
/// parallel a chunk at a time (a national catalogue's feeds come to hundreds of megabytes).
pub fn feeds<E: Send>(
    catalog: &Catalog,
    index: &TerritoryIndex,
    (build_date, memo): (Option<NaiveDate>, Option<&Memo>),
    take: &mut dyn FnMut((String, Content)) -> Result<(), E>,
) -> Result<(), E> {
    const ABOUT: &str = "нові та оновлені набори даних";
    let owner = (catalog.publishers.values())
        .find(|p| p.slug.as_str() == catalog.config.publisher)
        .map(|p| p.name.uk.as_str());
    let all: Vec<&Dataset> = catalog.datasets.values().collect();
    // An empty catalogue still has a feed (pages link it): dated by the build, else the epoch.
    let fallback = build_date.unwrap_or_default();
    let head = Head {
        title: format!("{} — {ABOUT}", catalog.config.title.uk),
        page: String::new(),
        path: FILE.into(),
        author: owner,
    };
    let whole = if kept(memo, FILE, fallback, all.iter().map(|d| &d.id)) {
        Content::Previous(None)
    } else {
        Content::Bytes(feed(catalog, &head, &all, fallback))
    };
    take((FILE.to_owned(), whole))?;
    let publishers: Vec<_> = catalog.publishers.values().collect();
    let of_publisher = |p: &&Publisher| {
        let Some(path) = publisher_feed(catalog, &p.slug) else {
            return Ok(None);
        };
        let mine: Vec<&Dataset> = catalog.datasets_of(&p.slug).collect();
        if kept(memo, &path, fallback, mine.iter().map(|d| &d.id)) {
            return Ok(Some((path, Content::Previous(None))));
        }
        let head = Head {
            title: format!("{} — {ABOUT}", p.name.uk),
            page: format!("publishers/{}/", p.slug),
            author: Some(&p.name.uk),
            path,
        };
        let bytes = feed(catalog, &head, &mine, fallback);
        Ok(Some((head.path.clone(), Content::Bytes(bytes))))
    };
    in_order(&publishers, of_publisher, &mut *take)?;
    let territories: Vec<_> = [Category::O, Category::K, Category::P, Category::H]
        .into_iter()
        .flat_map(|c| catalog.registry.of_category(c))
        .collect();
    let of_territory = |t: &&Territory| {
        let Some(path) = territory_feed(catalog, index, &t.code) else {
            return Ok(None);
        };
        let ids = territory_datasets(catalog, index, &t.code);
        if kept(memo, &path, fallback, ids.iter().copied()) {
            return Ok(Some((path, Content::Previous(None))));
        }
        let listed: Vec<&Dataset> = ids
            .iter()
            .filter_map(|id| catalog.datasets.get(*id))
            .collect();
        let head = Head {
            title: format!("{} ({}) — {ABOUT}", t.name, t.code),
            page: territory_href(catalog, &t.code).unwrap_or_default(),
            author: None,
            path,
        };
        let bytes = feed(catalog, &head, &listed, fallback);
        Ok(Some((head.path.clone(), Content::Bytes(bytes))))
    };
    in_order(&territories, of_territory, take)
}
