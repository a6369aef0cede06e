//! Stage 4, render: the site in two steps (`SiteRender`), each dataset's own files as its part
//! of the catalogue is validated, then what is made from the whole catalogue. Invariant: every
//! path comes once over both steps; the bytes do not depend on the order of the parts.

use minijinja::context;

use super::builder::Builder;
use super::context::LangNames;
use super::envs::Environments;
use super::lane;
use super::machine::Add;
use super::sizes::PageSizes;
use super::view::Lang;
use super::{
    exports, machine, search, site_path, territory, Content, Memo, Options, PageAt, Renderer, Sink,
    Theme, LANGS,
};
use crate::catalog::{Catalog, Dataset};
use crate::error::Error;
use crate::validate::Validated;

/// Datasets rendered together before their files are handed on to be written. The bytes of a
/// few dozen datasets' pages (some 7 MB) are written while still in the processor's cache; a
/// validated part's (256 datasets, over 50 MB) were written from memory after the whole part was
/// rendered. At 35,000 datasets, cold, in turns: 55.8 and 61.5 s against 60.8 and 65.1 s, with
/// 4-5 s less of the kernel's time copying into files and faulting in pages (a third pair was
/// even: a few per cent, within this machine's drift).
const HANDED_ON: usize = 32;

/// Bytes of DCAT files made ahead of the pages (`lane`) that may wait to be added.
const LANE_BYTES: usize = 16 << 20;

/// The DCAT files are made beside the pages when at most one dataset in this many was rendered
/// again (the others kept).
const FEW_RENDERED: usize = 8;

/// A render in two steps, so that a build can render each part of the catalogue as soon as it
/// is validated: `datasets` for every dataset's own files (its pages, data files, descriptor,
/// DCAT description, passport and CKAN payloads — which depend on that dataset alone), then
/// `finish` for everything made from the whole catalogue (front pages, territory and publisher
/// pages, lists, feeds, search index, site map). Every path is checked against all the others.
pub struct SiteRender<'a, 's, 'k> {
    envs: Environments<'a>,
    sizes: PageSizes,
    /// Each language's names for its pages' templates (`LangNames`), in `LANGS` order.
    names: Vec<std::sync::Arc<LangNames>>,
    index: territory::TerritoryIndex,
    catalog: &'a Catalog,
    theme: &'a Theme,
    options: &'a Options,
    out: Builder<'s, 'k>,
    /// Datasets rendered (`datasets`) and kept from the previous site (`previous`) so far.
    rendered: usize,
    kept: usize,
}

impl<'a, 's, 'k> SiteRender<'a, 's, 'k> {
    /// Checks the theme's templates; nothing is rendered yet.
    pub fn begin(
        catalog: &'a Catalog,
        theme: &'a Theme,
        options: &'a Options,
        sink: &'s mut Sink<'k>,
    ) -> Result<Self, Error> {
        let (envs, translations) = Environments::of(theme)?;
        let names = (LANGS.iter())
            .map(|lang| {
                let l = Lang::of(theme, lang, options.today);
                std::sync::Arc::new(LangNames::new(catalog, options, &translations, &l))
            })
            .collect();
        Ok(SiteRender {
            envs,
            sizes: PageSizes::default(),
            names,
            index: territory::TerritoryIndex::build(catalog),
            catalog,
            theme,
            options,
            out: Builder::new(sink),
            rendered: 0,
            kept: 0,
        })
    }

    fn renderer(&self) -> Renderer<'_> {
        Renderer {
            envs: &self.envs,
            sizes: &self.sizes,
            names: &self.names,
            catalog: self.catalog,
            options: self.options,
            theme: self.theme,
            memo: None,
        }
    }

    /// Renders the own files of `datasets` (validated in `validated`), in parallel, added in
    /// their order and handed on `HANDED_ON` datasets at a time; returns each dataset's output
    /// paths.
    pub fn datasets(
        &mut self,
        validated: &Validated,
        datasets: &[&Dataset],
    ) -> Result<Vec<Vec<String>>, Error> {
        use rayon::prelude::*;
        let mut paths = Vec::with_capacity(datasets.len());
        self.rendered += datasets.len();
        for datasets in datasets.chunks(HANDED_ON) {
            let r = self.renderer();
            let files = (datasets.par_iter())
                .map(|d| r.dataset_files(validated, d))
                .collect::<Result<Vec<_>, Error>>()?;
            for (own, d) in files.into_iter().zip(datasets) {
                paths.push(own.iter().map(|(path, _, _)| path.clone()).collect());
                let id = self.out.origin(&format!("dataset `{}`", d.id));
                for (path, content, detail) in own {
                    self.out.add_from(path, content, id, &detail)?;
                }
            }
            self.out.flush()?;
        }
        Ok(paths)
    }

    /// Makes room for `files` more files at once (the kept datasets' files, before the first).
    pub fn reserve(&mut self, files: usize) {
        self.out.reserve(files);
    }

    /// Adds the files of a dataset the build cache kept, as they are in the previous site: path
    /// and the stamp the cache found it with.
    pub fn previous(
        &mut self,
        d: &Dataset,
        files: Vec<(String, Option<crate::cache::Stamp>)>,
    ) -> Result<(), Error> {
        self.kept += 1;
        let origin = format!("the kept files of dataset `{}`", d.id);
        let id = self.out.origin(&origin);
        for (path, stamp) in files {
            self.out
                .add_from(path, Content::Previous(stamp), id, &origin)?;
        }
        Ok(())
    }

    /// Renders what is made from the whole catalogue, once every dataset went through
    /// `datasets`; returns the number of files of the site. With `memo`, files whose inputs
    /// are unchanged since the last build are the previous site's.
    pub fn finish(mut self, validated: &Validated, memo: Option<&Memo>) -> Result<usize, Error> {
        let (catalog, options, theme) = (self.catalog, self.options, self.theme);
        let index = &self.index;
        let (envs, sizes, names) = (&self.envs, &self.sizes, &self.names);
        let pages = |out: &mut Builder| {
            for lang in LANGS {
                let l = Lang::of(theme, lang, options.today);
                let r = Renderer {
                    envs,
                    sizes,
                    names,
                    catalog,
                    options,
                    theme,
                    memo,
                };
                r.pages(out, validated, index, &l)?;
            }
            Ok(())
        };
        let machine =
            |add: &mut Add| machine_files(add, (catalog, validated), (theme, index), options, memo);
        // When few datasets were rendered again, the DCAT files are nearly all kept (they hold
        // no bytes) and are made on a lane of their own while the pages are rendered: the pages'
        // steps leave a core idle between them. Otherwise the pool is busy writing, and the
        // files would only be held in memory beside the pages' (75 MiB more at the peak of a
        // full national rebuild, no faster).
        let few = memo.is_some() && self.rendered * FEW_RENDERED <= self.rendered + self.kept;
        let dates = if few {
            lane::alongside(&mut self.out, LANE_BYTES, pages, machine)?
        } else {
            let out = &mut self.out;
            pages(out)?;
            machine(&mut |path, content, origin| out.add(path, content, origin))?
        };
        let out = &mut self.out;
        exports::files(
            &mut |path, content, origin| out.add(path, content, origin),
            (catalog, validated),
            &self.index,
            (options.build_date, memo),
        )?;
        search::files(
            &mut |path, content, origin| out.add(path, content, origin),
            catalog,
            theme,
            options.today,
            memo,
        )?;
        let r = self.renderer();
        let not_found = r.render(
            "404.html",
            &PageAt {
                lang: LANGS[0],
                path: "",
            },
            context! {},
            Some(site_path(&options.base_url)),
        )?;
        self.out
            .add("404.html".into(), Content::Bytes(not_found), "the 404 page")?;
        let sitemaps = exports::sitemap::files(
            &options.base_url,
            self.out.paths(),
            &dates,
            exports::sitemap::LIMIT,
        );
        for (path, bytes) in sitemaps {
            self.out.add(path, Content::Bytes(bytes), "the site map")?;
        }
        self.out.flush()?;
        Ok(self.out.len())
    }
}

/// Adds the machine-readable files of `machine::files` (`SHA256SUMS`, the coverage tables,
/// `robots.txt`, the DCAT catalogues); returns the pages' dates for the site map.
fn machine_files(
    add: &mut Add,
    (catalog, validated): (&Catalog, &Validated),
    (theme, index): (&Theme, &territory::TerritoryIndex),
    options: &Options,
    memo: Option<&Memo>,
) -> Result<exports::sitemap::Dates, Error> {
    machine::files(add, (catalog, validated), theme, (options.today, memo))?;
    Ok(exports::sitemap::page_dates(catalog, index))
}
