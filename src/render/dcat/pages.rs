//! Stage 4, render: one catalogue (the whole site's, a territory's or a publisher's) as DCAT-AP
//! documents, paged with Hydra so that no file grows past what harvesters accept (CKAN's limit is
//! 50 MB; a page of 1,000 datasets is about 5 MB of Turtle). Page 1 is `<path>.ttl` and
//! `<path>.jsonld`, page n is `<path>/page/<n>.ttl|.jsonld`. Every page repeats the catalogue's
//! own description, lists its datasets with their full descriptions, and carries a
//! `hydra:PartialCollectionView` (first, last, previous, next, total). The Turtle pages link the
//! Turtle pages and the JSON-LD pages the JSON-LD pages — a harvester follows `hydra:next` in the
//! format it started with — which is the only difference between the two graphs.

use std::collections::HashMap;
use std::sync::Arc;

use super::describe::{local_text, Ctx};
use super::rdf::{Block, Graph, Node, Object};
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

/// One page of one catalogue to publish.
struct Job<'c, 'a> {
    c: &'c Collection<'a>,
    /// Every Turtle page's IRI of the catalogue.
    ttl_pages: &'c [String],
    /// The page's number, from 1.
    n: usize,
    page_size: usize,
    /// The page's datasets.
    datasets: &'c [&'a Dataset],
    /// True when both files are the previous build's (`kept`).
    kept: bool,
}

/// Datasets whose descriptions the pages made together hold, per thread.
const USES_PER_THREAD: usize = 1000;

/// Pages made together at most (a hromada's catalogue is a page of twenty datasets).
const PAGES_AT_ONCE: usize = 64;

/// Bytes of descriptions kept for pages still to come, at most: in the national benchmark's tree
/// (35,000 datasets) every description is still made once, and the cold build's peak stays where
/// it was (48 MiB raised it by up to 50 MiB: held through the catalogue-wide files after it).
const HELD_AT_MOST: usize = 16 << 20;

/// Adds every page of every catalogue in `collections`, in Turtle and JSON-LD. `all` is every
/// dataset described, in id order.
///
/// A dataset is in up to five catalogues (the site's, its hromada's, raion's and oblast's, its
/// publisher's): its description is made once (`Block`) and written into each. The pages are
/// made in the order of their first dataset, so that a dataset's pages come close together, and
/// a description is let go of after the last page that holds it (or, past `HELD_AT_MOST`, made
/// again when needed: the bytes are the same either way). Pages are made in parallel, as many
/// together as hold about `USES_PER_THREAD` datasets per thread: all at once, a national
/// catalogue's would hold gigabytes.
pub fn publish_all(
    add: &mut Add,
    ctx: &Ctx,
    collections: &[Collection],
    all: &[&Dataset],
    page_size: usize,
) -> Result<(), Error> {
    let page_size = page_size.max(1);
    let ttl_pages: Vec<Vec<String>> = (collections.iter())
        .map(|c| {
            let pages = c.datasets.len().div_ceil(page_size).max(1);
            (1..=pages)
                .map(|n| format!("{}{}", ctx.base, c.page_path(n, "ttl")))
                .collect()
        })
        .collect();
    let jobs = plan(ctx, collections, &ttl_pages, all, page_size);
    let last = last_uses(&jobs);
    let mut store = Store::default();
    let limit = (USES_PER_THREAD * rayon::current_num_threads()).max(page_size);
    let mut at = 0;
    while at < jobs.len() {
        let end = chunk_end(&jobs, at, limit);
        let chunk = &jobs[at..end];
        store.make(ctx, chunk);
        let made: Vec<[Output; 2]> = (chunk.par_iter())
            .map(|job| page(ctx, job, &store))
            .collect();
        for (path, content, origin) in made.into_iter().flatten() {
            add(path, content, origin)?;
        }
        store.let_go(&last, end);
        at = end;
    }
    Ok(())
}

/// Every page of every collection, whether it is kept, in the order they are made: by their
/// first dataset's place in `all` (then as listed).
fn plan<'c, 'a>(
    ctx: &Ctx,
    collections: &'c [Collection<'a>],
    ttl_pages: &'c [Vec<String>],
    all: &[&Dataset],
    page_size: usize,
) -> Vec<Job<'c, 'a>> {
    let place: HashMap<usize, usize> = (all.iter().enumerate()).map(|(i, d)| (key(d), i)).collect();
    let mut jobs: Vec<Job> = (collections.iter().zip(ttl_pages))
        .flat_map(|(c, ttl_pages)| {
            (1..=ttl_pages.len()).map(move |n| {
                let from = ((n - 1) * page_size).min(c.datasets.len());
                let to = (from + page_size).min(c.datasets.len());
                Job {
                    c,
                    ttl_pages,
                    n,
                    page_size,
                    datasets: &c.datasets[from..to],
                    kept: false,
                }
            })
        })
        .collect();
    jobs.par_iter_mut()
        .for_each(|job| job.kept = kept(ctx, job));
    let first = |job: &Job| {
        (job.datasets.first()).map_or(0, |d| place.get(&key(d)).map_or(usize::MAX, |i| *i))
    };
    jobs.sort_by_cached_key(first);
    jobs
}

/// For each dataset (by `key`), the place in `jobs` of the last page that describes it.
fn last_uses(jobs: &[Job]) -> HashMap<usize, usize> {
    let mut last = HashMap::new();
    for (at, job) in jobs.iter().enumerate().filter(|(_, job)| !job.kept) {
        for d in job.datasets {
            last.insert(key(d), at);
        }
    }
    last
}

/// Where the chunk of pages made together that starts at `at` ends: at least one page, at most
/// `PAGES_AT_ONCE`, and no more datasets to describe than `limit` unless one page has more.
fn chunk_end(jobs: &[Job], at: usize, limit: usize) -> usize {
    let mut uses = 0;
    let mut end = at;
    while end < jobs.len() && end - at < PAGES_AT_ONCE {
        let more = if jobs[end].kept {
            0
        } else {
            jobs[end].datasets.len()
        };
        if end > at && uses + more > limit {
            break;
        }
        uses += more;
        end += 1;
    }
    end
}

/// A dataset's key in the store: its address (every catalogue lists the catalogue's own `Dataset`s,
/// never copies).
fn key(d: &Dataset) -> usize {
    std::ptr::from_ref(d) as usize
}

/// The descriptions made for pages, by dataset (`None`: the dataset is not described).
#[derive(Default)]
struct Store {
    blocks: HashMap<usize, Option<Arc<Block>>>,
}

impl Store {
    /// Makes, in parallel, the descriptions `chunk`'s pages need that the store lacks.
    fn make(&mut self, ctx: &Ctx, chunk: &[Job]) {
        let mut need: Vec<&Dataset> = (chunk.iter().filter(|job| !job.kept))
            .flat_map(|job| job.datasets.iter().copied())
            .filter(|d| !self.blocks.contains_key(&key(d)))
            .collect();
        need.sort_unstable_by_key(|d| key(d));
        need.dedup_by_key(|d| key(d));
        let made: Vec<(usize, Option<Block>)> =
            (need.par_iter()).map(|d| (key(d), block(ctx, d))).collect();
        for (k, block) in made {
            self.blocks.insert(k, block.map(Arc::new));
        }
    }

    /// The descriptions of `datasets` that there are, in their order.
    fn of<'s>(&'s self, datasets: &[&Dataset]) -> Vec<&'s Block> {
        (datasets.iter())
            .filter_map(|d| self.blocks.get(&key(d))?.as_deref())
            .collect()
    }

    /// Lets go of the descriptions no page from `next` on holds, then of those needed last
    /// while more than `HELD_AT_MOST` is held.
    fn let_go(&mut self, last: &HashMap<usize, usize>, next: usize) {
        let needed = |k: &usize| last.get(k).copied().filter(|at| *at >= next);
        let mut held = 0;
        self.blocks.retain(|k, b| {
            let keep = needed(k).is_some();
            if keep {
                held += b.as_ref().map_or(0, |b| b.size());
            }
            keep
        });
        if held <= HELD_AT_MOST {
            return;
        }
        let mut by_need: Vec<(usize, usize)> = (self.blocks.keys())
            .map(|k| (needed(k).unwrap_or(0), *k))
            .collect();
        by_need.sort_unstable();
        while held > HELD_AT_MOST {
            let Some((_, k)) = by_need.pop() else { break };
            let size = (self.blocks.remove(&k).flatten()).map_or(0, |b| b.size());
            held -= size.min(held);
        }
    }
}

/// The description of `d` as a block (`None` when it has no validation result).
fn block(ctx: &Ctx, d: &Dataset) -> Option<Block> {
    let mut g = Graph::default();
    let node = ctx.dataset(&mut g, d)?;
    Some(g.into_block(format!("{}datasets/{}/", ctx.base, d.id), node))
}

/// A page in Turtle and JSON-LD: the previous build's files when kept, else made with the
/// descriptions in `store`.
fn page(ctx: &Ctx, job: &Job, store: &Store) -> [Output; 2] {
    let (c, n) = (job.c, job.n);
    let origin = |ext: &str| format!("page {n} of the DCAT-AP catalogue `{}` ({ext})", c.path);
    let (ttl, jsonld) = (c.page_path(n, "ttl"), c.page_path(n, "jsonld"));
    if job.kept {
        return [
            (ttl, Content::Previous(None), origin("Turtle")),
            (jsonld, Content::Previous(None), origin("JSON-LD")),
        ];
    }
    let ttl_pages = job.ttl_pages;
    let pages = ttl_pages.len();
    let blocks = store.of(job.datasets);
    let mut g = Graph::default();
    let catalog = catalog_node(&mut g, ctx, c);
    for b in &blocks {
        g.merge_shared(&b.shared);
        g.add(&catalog, t::DATASET_P, b.node.clone());
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
    g.add(&view, t::ITEMS_PER_PAGE, count(job.page_size));
    // JSON-LD pages name the JSON-LD pages (see the module's note). No description names a
    // catalogue page: the blocks are written as they are.
    let rename = |iri: &str| {
        let n = ttl_pages.iter().position(|p| p == iri)?;
        Some(format!("{}{}", ctx.base, c.page_path(n + 1, "jsonld")))
    };
    // Both at once: a rebuild remakes only the pages that hold a changed dataset, often one
    // page of a thousand datasets per catalogue, which alone kept a core idle.
    let (turtle, json) = g.to_both_with(&blocks, &rename);
    [
        (ttl, Content::Bytes(turtle), origin("Turtle")),
        (jsonld, Content::Bytes(json), origin("JSON-LD")),
    ]
}

/// True when the page of `job` (both its files) is the previous build's: the build cache's memo
/// has the same key for it — made from the page's place in the collection and its datasets'
/// fingerprints, which cover everything else a page says (the setting, the catalogue, the
/// territory register, publishers) — and the previous files are intact.
fn kept(ctx: &Ctx, job: &Job) -> bool {
    let Some(memo) = ctx.memo else {
        return false;
    };
    let c = job.c;
    let paths = [c.page_path(job.n, "ttl"), c.page_path(job.n, "jsonld")];
    let place =
        [job.n, job.ttl_pages.len(), job.page_size, c.datasets.len()].map(|k| k.to_string());
    let mut parts = vec![c.path.as_str(), c.home.as_str()];
    parts.extend(place.iter().map(String::as_str));
    let made = crate::render::Made::FromAll;
    let paths = [paths[0].as_str(), paths[1].as_str()];
    memo.files_kept(&parts, job.datasets.iter().map(|d| &d.id), made, &paths)
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
