//! Stage 4, render: one catalogue (the whole site's, a territory's or a publisher's) as DCAT-AP
//! documents, paged with Hydra so that no file grows past what harvesters accept (CKAN's limit is
//! 50 MB; a page of 1,000 datasets is about 5 MB of Turtle). Page 1 is `<path>.ttl` and
//! `<path>.jsonld`, page n is `<path>/page/<n>.ttl|.jsonld`. Every page repeats the catalogue's
//! own description, lists its datasets with their full descriptions, and carries a
//! `hydra:PartialCollectionView` (first, last, previous, next, total). The Turtle pages link the
//! Turtle pages and the JSON-LD pages the JSON-LD pages — a harvester follows `hydra:next` in the
//! format it started with — which is the only difference between the two graphs.

use super::describe::{local_text, Ctx};
use super::rdf::{Graph, Node, Object};
use super::vocab::{self, t};
use super::Output;
use crate::catalog::{Dataset, LocalText, Scope};
use crate::error::Error;
use crate::render::machine::Add;
use crate::render::Content;
use rayon::prelude::*;

/// A catalogue to publish.
pub struct Collection<'a> {
    /// Output path of page 1 without its extension, e.g. `catalog` or `publishers/x/catalog`.
    pub path: String,
    /// The site page the catalogue belongs to, relative to the base URL (`""`, `hromadas/UA…/`).
    pub home: String,
    pub title: LocalText,
    pub description: LocalText,
    /// The territory the catalogue is about, if any.
    pub spatial: Option<Scope>,
    /// Its datasets, in id order; each has a validation result.
    pub datasets: Vec<&'a Dataset>,
}

impl Collection<'_> {
    /// The output path of page `n` (from 1) with extension `ext`.
    pub fn page_path(&self, n: usize, ext: &str) -> String {
        if n == 1 {
            format!("{}.{ext}", self.path)
        } else {
            format!("{}/page/{n}.{ext}", self.path)
        }
    }
}

/// Adds every page of `c`, in Turtle and JSON-LD. The pages are made in parallel as many at a
/// time as there are threads: the whole catalogue of a national site has dozens of pages of a
/// thousand datasets, which one after the other kept a core idle for seconds, and all at once
/// would hold hundreds of megabytes.
pub fn publish(add: &mut Add, ctx: &Ctx, c: &Collection, page_size: usize) -> Result<(), Error> {
    let page_size = page_size.max(1);
    let pages = c.datasets.len().div_ceil(page_size).max(1);
    let ttl_pages: Vec<String> = (1..=pages)
        .map(|n| format!("{}{}", ctx.base, c.page_path(n, "ttl")))
        .collect();
    let numbers: Vec<usize> = (1..=pages).collect();
    for group in numbers.chunks(rayon::current_num_threads().max(1)) {
        let made: Vec<[Output; 2]> = (group.par_iter())
            .map(|&n| page(ctx, c, (n, page_size), &ttl_pages))
            .collect();
        for (path, content, origin) in made.into_iter().flatten() {
            add(path, content, origin)?;
        }
    }
    Ok(())
}

/// Datasets a page describes on one thread at a time.
const DESCRIBED_AT_ONCE: usize = 128;

/// Page `n` of `c` in Turtle and JSON-LD (`ttl_pages`: every Turtle page's IRI).
fn page(
    ctx: &Ctx,
    c: &Collection,
    (n, page_size): (usize, usize),
    ttl_pages: &[String],
) -> [Output; 2] {
    let pages = ttl_pages.len();
    let from = (n - 1) * page_size;
    let chunk = &c.datasets[from.min(c.datasets.len())..(from + page_size).min(c.datasets.len())];
    let origin = |ext: &str| format!("page {n} of the DCAT-AP catalogue `{}` ({ext})", c.path);
    let (ttl, jsonld) = (c.page_path(n, "ttl"), c.page_path(n, "jsonld"));
    if kept(ctx, c, (n, pages, page_size), chunk, [&ttl, &jsonld]) {
        return [
            (ttl, Content::Previous(None), origin("Turtle")),
            (jsonld, Content::Previous(None), origin("JSON-LD")),
        ];
    }
    let mut g = Graph::default();
    let catalog = catalog_node(&mut g, ctx, c);
    // The datasets described a part at a time in parallel, for the same reason as below.
    let parts: Vec<(Graph, Vec<Node>)> = (chunk.par_chunks(DESCRIBED_AT_ONCE))
        .map(|part| {
            let mut g = Graph::default();
            let nodes = (part.iter())
                .filter_map(|d| ctx.dataset(&mut g, d))
                .collect();
            (g, nodes)
        })
        .collect();
    for (part, nodes) in parts {
        g.merge(part);
        for s in nodes {
            g.add(&catalog, t::DATASET_P, s);
        }
    }
    let view = Node::iri(&ttl_pages[n - 1]);
    g.add(&catalog, t::VIEW, view.clone());
    g.types(&view, &[t::PARTIAL_VIEW]);
    g.add(&view, t::FIRST, Object::iri(&ttl_pages[0]));
    g.add(&view, t::LAST, Object::iri(&ttl_pages[pages - 1]));
    if n > 1 {
        g.add(&view, t::PREVIOUS, Object::iri(&ttl_pages[n - 2]));
    }
    if n < pages {
        g.add(&view, t::NEXT, Object::iri(&ttl_pages[n]));
    }
    let count = |k: usize| Object::typed(k.to_string(), t::INTEGER);
    g.add(&view, t::TOTAL_ITEMS, count(c.datasets.len()));
    g.add(&view, t::ITEMS_PER_PAGE, count(page_size));
    // JSON-LD pages name the JSON-LD pages (see the module's note).
    let rename = |iri: &str| {
        let n = ttl_pages.iter().position(|p| p == iri)?;
        Some(format!("{}{}", ctx.base, c.page_path(n + 1, "jsonld")))
    };
    // Both at once: a rebuild remakes only the pages that hold a changed dataset, often one
    // page of a thousand datasets per catalogue, which alone kept a core idle.
    let (turtle, json) = g.to_both(&rename);
    [
        (ttl, Content::Bytes(turtle), origin("Turtle")),
        (jsonld, Content::Bytes(json), origin("JSON-LD")),
    ]
}

/// True when page `n` of `c` (both its files) is the previous build's: the build cache's memo
/// has the same key for it — made from the page's place in the collection and its datasets'
/// fingerprints, which cover everything else a page says (the setting, the catalogue, the
/// territory register, publishers) — and the previous files are intact.
fn kept(
    ctx: &Ctx,
    c: &Collection,
    (n, pages, page_size): (usize, usize, usize),
    chunk: &[&Dataset],
    paths: [&str; 2],
) -> bool {
    let Some(memo) = ctx.memo else {
        return false;
    };
    let place = [n, pages, page_size, c.datasets.len()].map(|k| k.to_string());
    let mut parts = vec![c.path.as_str(), c.home.as_str()];
    parts.extend(place.iter().map(String::as_str));
    let made = crate::render::Made::FromAll;
    memo.files_kept(&parts, chunk.iter().map(|d| &d.id), made, &paths)
}

/// Adds the catalogue's own description; returns its IRI (`<base><home>#catalog`).
fn catalog_node(g: &mut Graph, ctx: &Ctx, c: &Collection) -> Node {
    let home = format!("{}{}", ctx.base, c.home);
    let s = Node::iri(format!("{home}#catalog"));
    g.types(&s, &[t::CATALOG]);
    local_text(g, &s, t::TITLE, &c.title);
    local_text(g, &s, t::DESCRIPTION, &c.description);
    let page = Node::iri(&home);
    g.add(&s, t::HOMEPAGE, page.clone());
    g.types(&page, &[t::DOCUMENT]);
    let uk = vocab::language(g, "uk");
    g.add(&s, t::LANGUAGE, uk);
    if c.title.en.is_some() {
        let en = vocab::language(g, "en");
        g.add(&s, t::LANGUAGE, en);
    }
    let config = &ctx.catalog.config;
    let runner = ctx
        .catalog
        .publishers
        .values()
        .find(|p| p.slug.as_str() == config.publisher);
    if let Some(p) = runner {
        let a = ctx.agent(g, p);
        g.add(&s, t::PUBLISHER, a);
    }
    if let Some(l) = ctx.default_license(g) {
        g.add(&s, t::LICENSE, l);
    }
    if let Some(m) = c.datasets.iter().filter_map(|d| d.modified).max() {
        g.add(&s, t::MODIFIED, Object::typed(m.to_string(), t::DATE));
    }
    if let Some(scope) = &c.spatial {
        let l = ctx.location(g, scope);
        g.add(&s, t::SPATIAL, l);
    }
    s
}
