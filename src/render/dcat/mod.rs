//! Stage 4, render: DCAT-AP 3.0.1 metadata for harvesters (data.gov.ua, data.europa.eu, CKAN):
//! the site's catalogue (`catalog.ttl` / `catalog.jsonld`, paged with Hydra under
//! `catalog/page/<n>`), each dataset alone (`datasets/<id>/dataset.ttl|.jsonld`), and one
//! catalogue per territory that has datasets about it (`oblasts|raions|hromadas/<KATOTTG>/
//! catalog.ttl|.jsonld`) and per publisher with datasets (`publishers/<slug>/catalog.…`).
//! Each document is one graph built once (`rdf`) and written twice, as Turtle and as JSON-LD, so
//! both say the same. Invariant: the same catalogue gives the same bytes, and every IRI is made
//! from `base_url` and stable names (see `describe`).

mod describe;
mod pages;
mod rdf;
mod vocab;

use std::collections::BTreeMap;

use crate::catalog::{Catalog, Dataset, LocalText, PublisherSlug, Scope};
use crate::error::Error;
use crate::render::machine::Add;
use crate::render::territory::TerritoryIndex;
use crate::render::view::territory_href;
use crate::render::Content;
use crate::validate::Validated;
use describe::Ctx;
use pages::{publish_all, Collection};
pub use vocab::{license_iri, spdx_license};

/// Datasets per catalogue page when `catalog.toml` does not set `[dcat] page_size`.
pub const DEFAULT_PAGE_SIZE: usize = 1000;

/// Adds every DCAT-AP file of the site.
pub fn files(
    add: &mut Add,
    catalog: &Catalog,
    validated: &Validated,
    memo: Option<&crate::render::Memo>,
) -> Result<(), Error> {
    let ctx = Ctx {
        catalog,
        validated,
        base: &catalog.config.base_url,
        memo,
    };
    let page_size = catalog.config.dcat_page_size;
    // Only datasets whose files are published are described.
    let datasets: Vec<&Dataset> = (catalog.datasets.values())
        .filter(|d| validated.datasets.contains_key(&d.id))
        .collect();
    let main = Collection {
        path: "catalog".into(),
        home: String::new(),
        title: catalog.config.title.clone(),
        description: catalog.config.description.clone(),
        spatial: None,
        datasets: datasets.clone(),
    };
    let mut collections = vec![main];
    collections.extend(territory_catalogs(catalog, &datasets));
    collections.extend(publisher_catalogs(catalog, &datasets));
    publish_all(add, &ctx, &collections, &datasets, page_size)
}

/// One dataset's own description, `datasets/<id>/dataset.ttl` and `.jsonld`.
pub fn dataset_files(catalog: &Catalog, validated: &Validated, d: &Dataset) -> [Output; 2] {
    let ctx = Ctx {
        catalog,
        validated,
        base: &catalog.config.base_url,
        memo: None,
    };
    let mut g = rdf::Graph::default();
    ctx.dataset(&mut g, d);
    let origin = |f: &str| format!("the DCAT-AP description of dataset `{}` ({f})", d.id);
    let dir = format!("datasets/{}/", d.id);
    let (turtle, jsonld) = g.to_both(&|_| None);
    [
        (
            format!("{dir}dataset.ttl"),
            Content::Bytes(turtle),
            origin("Turtle"),
        ),
        (
            format!("{dir}dataset.jsonld"),
            Content::Bytes(jsonld),
            origin("JSON-LD"),
        ),
    ]
}

/// One output file: path, content, origin.
pub type Output = (String, Content, String);

/// One catalogue per territory with a page and datasets about it (its own code or below).
fn territory_catalogs<'a>(catalog: &Catalog, datasets: &[&'a Dataset]) -> Vec<Collection<'a>> {
    let index = TerritoryIndex::build(catalog);
    let title = &catalog.config.title;
    let mut out = Vec::new();
    // Looked up by id (in id order, as `datasets`): a scan of every dataset per territory was
    // quadratic at national scale.
    let by_id: BTreeMap<&crate::catalog::DatasetId, &'a Dataset> =
        datasets.iter().map(|d| (&d.id, *d)).collect();
    for (code, ids) in &index.about {
        let Some(home) = territory_href(catalog, code) else {
            continue;
        };
        let about: Vec<&Dataset> = ids.iter().filter_map(|id| by_id.get(id).copied()).collect();
        if about.is_empty() {
            continue;
        }
        let name = catalog
            .registry
            .get(code)
            .map_or_else(|| code.to_string(), |t| t.name.clone());
        out.push(Collection {
            path: format!("{home}catalog"),
            home,
            title: LocalText {
                uk: format!("{name} — {}", title.uk),
                en: title.en.as_ref().map(|en| format!("{name} — {en}")),
            },
            description: LocalText {
                uk: format!("Набори даних каталогу «{}» про територію {name} (код КАТОТТГ {code}) і території в її складі.", title.uk),
                en: title.en.as_ref().map(|en| format!("Datasets of the catalogue “{en}” about {name} (KATOTTG code {code}) and the territories within it.")),
            },
            spatial: Some(Scope::Territory(*code)),
            datasets: about,
        });
    }
    out
}

/// One catalogue per publisher with datasets.
fn publisher_catalogs<'a>(catalog: &Catalog, datasets: &[&'a Dataset]) -> Vec<Collection<'a>> {
    let title = &catalog.config.title;
    let mut out = Vec::new();
    let mut by_publisher: BTreeMap<&PublisherSlug, Vec<&'a Dataset>> = BTreeMap::new();
    for d in datasets {
        by_publisher.entry(&d.publisher).or_default().push(d);
    }
    for p in catalog.publishers.values() {
        let Some(own) = by_publisher.remove(&p.slug) else {
            continue;
        };
        let home = format!("publishers/{}/", p.slug);
        let en_name = p.name.en.as_deref().unwrap_or(&p.name.uk);
        out.push(Collection {
            path: format!("{home}catalog"),
            home,
            title: LocalText {
                uk: format!("{} — {}", p.name.uk, title.uk),
                en: title.en.as_ref().map(|en| format!("{en_name} — {en}")),
            },
            description: LocalText {
                uk: format!(
                    "Набори даних розпорядника «{}» (ЄДРПОУ {}) у каталозі «{}».",
                    p.name.uk,
                    p.edrpou.as_str(),
                    title.uk
                ),
                en: title.en.as_ref().map(|en| {
                    format!(
                        "Datasets of {en_name} (ЄДРПОУ {}) in the catalogue “{en}”.",
                        p.edrpou.as_str()
                    )
                }),
            },
            // The publisher's own territory is not what its datasets cover: left out.
            spatial: None,
            datasets: own,
        });
    }
    out
}
