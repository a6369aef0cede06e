//! Stage 4, render: turns the validated catalogue into the site, in memory — an ordered map of
//! output path → content — so that path collisions are caught before anything is written and the
//! output is the same bytes for the same input. Pages are rendered once per language: Ukrainian at
//! the root, English under `en/`. Data files are referenced, not read, and copied by `output`.

mod builder;
mod chart;
pub mod checklist;
mod clean;
mod context;
pub mod coverage;
pub mod dcat;
mod digest;
mod envs;
pub mod exports;
mod format;
mod fulltable;
mod i18n;
mod jsonld;
mod lane;
mod loops;
pub mod machine;
mod memo;
mod pager;
mod profile;
pub mod reach;
mod rows;
pub mod search;
mod site;
mod sizes;
pub mod splice;
pub mod territory;
pub mod theme;
pub mod view;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use minijinja::{context, Value};

use crate::catalog::territory::Category;
use crate::catalog::{Catalog, Dataset};
use crate::error::Error;
use crate::validate::Validated;
use builder::Builder;
use context::{Home, Lazy, ListPage, One, Stats};
pub use memo::{Made, Memo};
pub use pager::DEFAULT_PAGE_SIZE as LIST_PAGE_SIZE;
pub use site::SiteRender;
use sizes::PageSizes;
pub use theme::{Theme, LANGS};
use view::Lang;

/// One output file's content.
#[derive(Debug, Clone)]
pub enum Content {
    Bytes(Vec<u8>),
    /// A file copied as it is (a published data file).
    File(PathBuf),
    /// The previous site's file at the same path, unchanged (a dataset or a file the build cache
    /// kept), with its stamp when the cache checked it in this build.
    Previous(Option<crate::cache::Stamp>),
    /// A catalogue-wide file of one part per dataset, parts the last build made read back from
    /// its file (`splice`).
    Spliced(splice::Spliced),
}

impl Content {
    /// The bytes it holds in memory while it waits to be written (a kept or copied file's are
    /// on disk): what bounds a batch (`builder`) and the lane (`lane`).
    pub fn held(&self) -> usize {
        match self {
            Content::Bytes(bytes) => bytes.len(),
            Content::Spliced(spliced) => spliced.held(),
            Content::File(_) | Content::Previous(_) => 0,
        }
    }
}

/// The whole site, or a batch of it: output path (with `/`) → content.
pub type Site = BTreeMap<String, Content>;

/// Receives the site batch by batch (`output::Publication::write`), so that a national catalogue
/// is never in memory whole. Every path comes once in all the batches together.
pub type Sink<'a> = dyn FnMut(Site) -> Result<(), Error> + 'a;

/// Pages rendered in parallel at a time: enough to keep every core busy, few enough that their
/// bytes stay small next to the catalogue.
const CHUNK: usize = 512;

/// A rendered page: output path, content, origin.
type Rendered = (String, Content, String);

/// Settings of one render.
#[derive(Debug, Clone)]
pub struct Options {
    /// Absolute URL of the site, ending in `/`.
    pub base_url: String,
    /// The build date shown in the footer, from `SOURCE_DATE_EPOCH` only (reproducible builds).
    pub build_date: Option<NaiveDate>,
    /// "Today" for freshness: `--today`, else the build date.
    pub today: Option<NaiveDate>,
}

/// The templates a dataset's own pages are rendered from: the build cache keeps a dataset only
/// while the templates these reach are as they were (`cache::Digests::of_templates`).
pub const DATASET_TEMPLATES: [&str; 2] = [DATASET_PAGE, TABLE_PAGE];
const DATASET_PAGE: &str = "dataset.html";
const TABLE_PAGE: &str = "table.html";

/// What every page needs to place itself.
struct PageAt<'a> {
    lang: &'static str,
    /// The page's folder relative to the language root, e.g. `datasets/x/` (empty for the home page).
    path: &'a str,
}

impl PageAt<'_> {
    fn prefix(lang: &str) -> &'static str {
        if lang == LANGS[0] {
            ""
        } else {
            "en/"
        }
    }

    fn output(&self) -> String {
        format!("{}{}index.html", Self::prefix(self.lang), self.path)
    }

    fn root(&self) -> String {
        let depth = format!("{}{}", Self::prefix(self.lang), self.path)
            .matches('/')
            .count();
        "../".repeat(depth)
    }
}

/// Renders the site into `sink`, batch by batch; returns the number of files.
pub fn render(
    catalog: &Catalog,
    validated: &Validated,
    theme: &Theme,
    options: &Options,
    sink: &mut Sink,
) -> Result<usize, Error> {
    let mut site = SiteRender::begin(catalog, theme, options, sink)?;
    let datasets: Vec<&Dataset> = catalog.datasets.values().collect();
    for chunk in datasets.chunks(CHUNK) {
        site.datasets(validated, chunk)?;
    }
    site.finish(validated, None)
}

/// Renders every site file into memory (tests, and anything small).
pub fn render_site(
    catalog: &Catalog,
    validated: &Validated,
    theme: &Theme,
    options: &Options,
) -> Result<Site, Error> {
    let mut site = Site::new();
    render(catalog, validated, theme, options, &mut |batch| {
        site.extend(batch);
        Ok(())
    })?;
    Ok(site)
}

/// The path part of the (normalised) base URL, e.g. `/catalogue/`: the 404 page is served at any
/// depth, so its links start from the site's root path — which also keeps a mirror or a local
/// server on its own host instead of sending the reader to the canonical one.
fn site_path(base_url: &str) -> &str {
    base_url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/")
}

struct Renderer<'a> {
    envs: &'a envs::Environments<'a>,
    sizes: &'a PageSizes,
    /// Each language's names for its pages' templates, in `LANGS` order.
    names: &'a [std::sync::Arc<context::LangNames>],
    catalog: &'a Catalog,
    options: &'a Options,
    theme: &'a Theme,
    /// The build cache's memo, for the catalogue-wide pages (`None` for a dataset's own pages:
    /// the cache keeps or renders those a dataset at a time).
    memo: Option<&'a Memo<'a>>,
}

impl Renderer<'_> {
    /// Renders `template` for the page at `at`; `absolute_root` replaces relative links (404 page).
    fn render(
        &self,
        template: &str,
        at: &PageAt,
        page: Value,
        absolute_root: Option<&str>,
    ) -> Result<Vec<u8>, Error> {
        self.evaluate(template, page, self.common(at, absolute_root))
    }

    /// What every page's template is given besides its own context.
    fn common(&self, at: &PageAt, absolute_root: Option<&str>) -> context::Common {
        let root = absolute_root.map_or_else(|| at.root(), str::to_owned);
        let i = LANGS.iter().position(|l| *l == at.lang).unwrap_or(0);
        let names = &self.names[i];
        let other = names.other;
        context::Common {
            names: names.clone(),
            home: Value::from(format!("{root}{}", PageAt::prefix(at.lang))),
            switch_href: Value::from(format!("{root}{}{}", PageAt::prefix(other), at.path)),
            canonical: Value::from(format!(
                "{}{}{}",
                self.options.base_url,
                PageAt::prefix(at.lang),
                at.path
            )),
            root: Value::from(root),
        }
    }

    fn error(&self, template: &str, e: minijinja::Error) -> Error {
        Error::Template {
            path: self.theme.origin.clone(),
            template: template.to_owned(),
            source: Box::new(e),
        }
    }

    fn evaluate(
        &self,
        template: &str,
        page: Value,
        common: context::Common,
    ) -> Result<Vec<u8>, Error> {
        let env = self.envs.of_lang(common.names.code);
        let tmpl = (env.get_template(template)).map_err(|e| self.error(template, e))?;
        let mut html = self.sizes.buffer(template);
        let root = Value::from_object(context::Root { page, common });
        let rendered = tmpl.render_captured_to(root, &mut html);
        // The filters' HTML of this page is not needed any more (`clean`).
        clean::forget();
        rendered.map_err(|e| self.error(template, e))?;
        self.sizes.made(template, html.len());
        Ok(html)
    }

    /// The page at `at` (output path, content, origin). With the build cache's memo, a page
    /// whose templates and context are the last build's is the previous file (`Memo::page_key`:
    /// the bytes of a page are a function of the tool, the options, the messages, the templates
    /// its template reaches and its context alone).
    fn rendered<S: serde::Serialize + ?Sized>(
        &self,
        template: &str,
        at: PageAt,
        page: &S,
    ) -> Result<Rendered, Error> {
        self.rendered_with(template, at, page, || Value::from_serialize(page))
    }

    /// As `rendered`, the template's values made by `values` (only when the page is rendered)
    /// and the memo's key from `page`, the views they are made of.
    fn rendered_with<S: serde::Serialize + ?Sized>(
        &self,
        template: &str,
        at: PageAt,
        page: &S,
        values: impl FnOnce() -> Value,
    ) -> Result<Rendered, Error> {
        let path = at.output();
        let origin = format!("page {}{}", PageAt::prefix(at.lang), at.path);
        let common = self.common(&at, None);
        if let Some(memo) = self.memo {
            // The key is made from the views themselves: cheaper than from template values,
            // and a kept page's values are never made.
            let key = memo.page_key(template, page, &common);
            if key.is_some_and(|key| memo.kept(&path, &key)) {
                return Ok((path, Content::Previous(None), origin));
            }
        }
        let bytes = self.evaluate(template, values(), common)?;
        Ok((path, Content::Bytes(bytes), origin))
    }

    fn page<S: serde::Serialize + ?Sized>(
        &self,
        out: &mut Builder,
        template: &str,
        at: PageAt,
        page: &S,
    ) -> Result<(), Error> {
        self.page_with(out, template, at, page, || Value::from_serialize(page))
    }

    /// As `page`, with the template's values made by `values` (see `rendered_with`).
    fn page_with<S: serde::Serialize + ?Sized>(
        &self,
        out: &mut Builder,
        template: &str,
        at: PageAt,
        page: &S,
        values: impl FnOnce() -> Value,
    ) -> Result<(), Error> {
        let (path, content, origin) = self.rendered_with(template, at, page, values)?;
        out.add(path, content, origin)
    }

    /// A page per item (`None`: the item has none), rendered in parallel a chunk at a time and
    /// added in the items' order: the output does not depend on threads.
    fn pages_of<T: Sync>(
        &self,
        out: &mut Builder,
        items: &[T],
        page: impl Fn(&T) -> Result<Option<Rendered>, Error> + Sync,
    ) -> Result<(), Error> {
        builder::in_order(items, page, |(path, content, origin)| {
            out.add(path, content, origin)
        })
    }

    /// The list of datasets, `[list] page_size` to a page (see `pager`): `datasets/`, then
    /// `datasets/page/<n>/`, rendered in parallel.
    fn dataset_list(
        &self,
        out: &mut Builder,
        all: &std::sync::Arc<Vec<view::SharedListed>>,
        l: &Lang,
    ) -> Result<(), Error> {
        let size = self.catalog.config.list_page_size.max(1);
        let pages: Vec<usize> = (1..=pager::count(all.len(), size)).collect();
        self.pages_of(out, &pages, |&n| {
            let range = (n - 1) * size..(n * size).min(all.len());
            let page = ListPage {
                datasets: &all[range.clone()],
                total: all.len(),
                pagination: pager::pager(n, pages.len()),
            };
            let path = pager::href(n);
            let at = PageAt {
                lang: l.code,
                path: &path,
            };
            let values = || {
                context! {
                    datasets => Lazy::part(all, range.clone()),
                    total => page.total,
                    pagination => Value::from_serialize(&page.pagination),
                }
            };
            (self.rendered_with("datasets.html", at, &page, values)).map(Some)
        })
    }

    /// The Resolution 835 coverage pages: the whole catalogue, then each oblast with hromadas.
    fn coverage_pages(
        &self,
        out: &mut Builder,
        validated: &Validated,
        l: &Lang,
    ) -> Result<(), Error> {
        let c = self.catalog;
        if c.mandatory.is_empty() {
            return Ok(());
        }
        let whole = coverage::view(c, validated, None, l);
        let at = PageAt {
            lang: l.code,
            path: "coverage/",
        };
        self.page(out, "coverage.html", at, &One("coverage", &whole))?;
        let regions: Vec<_> = (c.registry.of_category(Category::O))
            .chain(c.registry.of_category(Category::K))
            .collect();
        self.pages_of(out, &regions, |o| {
            let v = coverage::view(c, validated, Some(o), l);
            if v.rows.is_empty() {
                return Ok(None);
            }
            let path = format!("coverage/{}/", o.code);
            let at = PageAt {
                lang: l.code,
                path: &path,
            };
            self.rendered("coverage.html", at, &One("coverage", &v))
                .map(Some)
        })
    }

    /// One dataset's own files, in a fixed order: its page and full-table pages in each
    /// language, its data files and descriptor, its DCAT description, passport and CKAN payloads.
    fn dataset_files(
        &self,
        validated: &Validated,
        d: &Dataset,
    ) -> Result<Vec<(String, Content, String)>, Error> {
        let c = self.catalog;
        let empty = crate::validate::DatasetResult::default();
        let result = validated.datasets.get(&d.id).unwrap_or(&empty);
        let mut out = Vec::new();
        // Made before the languages: their pages share each file's rows (see `rows`).
        let shared: Vec<rows::Shared> = result.resources.iter().map(rows::Shared::of).collect();
        for lang in LANGS {
            let l = Lang::of(self.theme, lang, self.options.today);
            let v = view::dataset(c, d, result, &shared, &l);
            let href = v.summary.href.clone();
            let at = PageAt { lang, path: &href };
            out.push(self.rendered(DATASET_PAGE, at, &One("dataset", &v))?);
            for ((r, res), rows) in d.resources.iter().zip(&result.resources).zip(&shared) {
                let Some(v) = fulltable::view(c, d, r, res, rows, &l) else {
                    continue;
                };
                let href = v.href.clone();
                let at = PageAt { lang, path: &href };
                out.push(self.rendered(TABLE_PAGE, at, &One("table", &v))?);
            }
        }
        if validated.datasets.contains_key(&d.id) {
            out.extend(machine::dataset_files(c, d, result, self.options.today));
            out.extend(dcat::dataset_files(c, validated, d));
        }
        let urls = exports::Urls {
            base: &c.config.base_url,
        };
        let exported = exports::dataset_exports(c, validated, d, urls);
        out.extend((exported.into_iter()).map(|(p, b, o)| (p, Content::Bytes(b), o)));
        Ok(out)
    }

    /// What the front pages list: every dataset's summary (sorted), the oblasts with their
    /// counts, and every publisher with its datasets.
    fn lists(
        &self,
        validated: &Validated,
        index: &territory::TerritoryIndex,
        l: &Lang,
    ) -> (
        Vec<view::SharedListed>,
        Vec<territory::Child>,
        Vec<view::PublisherView>,
    ) {
        let c = self.catalog;
        use rayon::prelude::*;
        let datasets: Vec<&Dataset> = c.datasets.values().collect();
        let mut all: Vec<view::SharedListed> = (datasets.par_iter())
            .map(|d| view::summary(c, d, validated.datasets.get(&d.id), l))
            .map(|s| std::sync::Arc::new(view::Listed::new(s)))
            .collect();
        territory::sort_summaries(&mut all);
        let oblasts: Vec<territory::Child> = c
            .registry
            .of_category(Category::O)
            .chain(c.registry.of_category(Category::K))
            .map(|t| territory::Child {
                href: view::territory_href(c, &t.code),
                name: l.place(&t.name),
                category: l.msg(&format!("category.{:?}", t.category)),
                datasets: index.count(&t.code),
            })
            .collect();
        let mut by_publisher: BTreeMap<&str, Vec<view::SharedListed>> = BTreeMap::new();
        for s in &all {
            let slug = s.value.publisher_slug.as_str();
            (by_publisher.entry(slug).or_default()).push(s.clone());
        }
        let mine: Vec<_> = (c.publishers.values())
            .map(|p| (p, by_publisher.remove(p.slug.as_str()).unwrap_or_default()))
            .collect();
        // In parallel: each publisher's checklist is matched against the Resolution 835 list,
        // 1,772 of them a language in a national catalogue, which one after the other kept the
        // second core idle.
        let publishers: Vec<view::PublisherView> = (mine.into_par_iter())
            .map(|(p, mine)| view::publisher(c, p, mine, l))
            .collect();
        (all, oblasts, publishers)
    }

    fn pages(
        &self,
        out: &mut Builder,
        validated: &Validated,
        index: &territory::TerritoryIndex,
        l: &Lang,
    ) -> Result<(), Error> {
        let c = self.catalog;
        let (all, oblasts, publishers) = self.lists(validated, index, l);
        let (all, publishers) = (std::sync::Arc::new(all), std::sync::Arc::new(publishers));
        let stats = Stats {
            datasets: c.datasets.len(),
            resources: c
                .datasets
                .values()
                .map(|d| d.resources.len())
                .sum::<usize>(),
            publishers: c.publishers.len(),
            hromadas: (c.registry.of_category(Category::H))
                .filter(|h| index.count(&h.code) > 0)
                .count(),
        };
        let latest = &all[..all.len().min(10)];
        let home = Home {
            latest,
            oblasts: &oblasts,
            publishers: &publishers,
            stats: &stats,
        };
        let at = |path| PageAt { lang: l.code, path };
        self.page_with(out, "index.html", at(""), &home, || {
            context! {
                latest => Value::from_serialize(latest),
                oblasts => Value::from_serialize(&oblasts),
                publishers => Lazy::value(&publishers),
                stats => Value::from_serialize(&stats),
            }
        })?;
        self.dataset_list(out, &all, l)?;
        let listed = &One("publishers", &*publishers);
        self.page_with(out, "publishers.html", at("publishers/"), listed, || {
            context! { publishers => Lazy::value(&publishers) }
        })?;
        self.pages_of(out, &publishers, |p| {
            let at = PageAt {
                lang: l.code,
                path: &p.href,
            };
            self.rendered("publisher.html", at, &One("publisher", p))
                .map(Some)
        })?;
        self.coverage_pages(out, validated, l)?;
        let search = PageAt {
            lang: l.code,
            path: "search/",
        };
        let search_index = format!("{}search/{}/", search.root(), l.code);
        self.page(out, "search.html", search, &One("index", &search_index))?;
        let summaries = territory::Summaries::of(&all);
        let made = self.detail_pages(out, validated, (index, &summaries), l);
        drop(summaries);
        // Let go of on the pool: a national catalogue's 35,000 summaries and 1,772 publishers'
        // checklists, freed one by one on the pipeline's thread while the pool waited.
        rayon::spawn(move || drop((all, publishers, oblasts)));
        made
    }

    /// Every territory's page. They are independent: rendered in parallel, a chunk at a time,
    /// added in a fixed order (the output does not depend on threads).
    fn detail_pages(
        &self,
        out: &mut Builder,
        validated: &Validated,
        lent: (&territory::TerritoryIndex, &territory::Summaries),
        l: &Lang,
    ) -> Result<(), Error> {
        let c = self.catalog;
        let territories: Vec<(&crate::catalog::territory::Territory, String)> =
            [Category::O, Category::K, Category::P, Category::H]
                .iter()
                .flat_map(|cat| c.registry.of_category(*cat))
                .filter_map(|t| view::territory_href(c, &t.code).map(|h| (t, h)))
                .collect();
        self.pages_of(out, &territories, |(t, href)| {
            let v = territory::view(c, validated, lent, t, l);
            let at = PageAt {
                lang: l.code,
                path: href,
            };
            self.rendered("territory.html", at, &One("territory", &v))
                .map(Some)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::site_path;

    #[test]
    fn site_paths() {
        for (base, want) in [
            ("https://hromadata.github.io/catalogue/", "/catalogue/"),
            ("https://data.example.ua/", "/"),
            ("http://127.0.0.1:8000/a/b/", "/a/b/"),
        ] {
            assert_eq!(site_path(base), want, "{base}");
        }
    }
}
