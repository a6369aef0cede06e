//! Stage 4, render: the site in two steps (`SiteRender`), each dataset's own files as its part
//! of the catalogue is validated, then what is made from the whole catalogue. Invariant: every
//! path comes once over both steps; the bytes do not depend on the order of the parts.

use minijinja::context;

use super::builder::Builder;
use super::context::LangNames;
use super::envs::Environments;
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
        for lang in LANGS {
            let l = Lang::of(theme, lang, options.today);
            let r = Renderer {
                envs: &self.envs,
                sizes: &self.sizes,
                names: &self.names,
                catalog,
                options,
                theme,
                memo,
            };
            r.pages(&mut self.out, validated, &self.index, &l)?;
        }
        let out = &mut self.out;
        machine::files(
            &mut |path, content, origin| out.add(path, content, origin),
            (catalog, validated),
            theme,
            (options.today, memo),
        )?;
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
        let dates = exports::sitemap::page_dates(catalog, &self.index);
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
