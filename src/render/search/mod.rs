//! Stage 4, render: the offline search — a static index per language under `search/<lang>/`
//! (see [`index`] for the files), built from every dataset, publisher and territory page, and
//! read in the browser by `static/search.js` from the search page (`search/`, `en/search/`).
//! Nothing is computed at request time and nothing leaves the site: the browser loads only the
//! term shards a query's words touch, the facet files and the documents it shows.
//!
//! Invariants: text is normalised by [`normalise`] exactly as `search.js` does; the same
//! catalogue gives byte-identical index files (sorted maps, no clock).

pub mod docs;
pub mod index;
pub mod normalise;

use chrono::NaiveDate;

use super::machine::Add;
use super::view::Lang;
use super::{Content, Theme, LANGS};
use crate::catalog::Catalog;
use crate::error::Error;

/// Adds both languages' search indexes, made in parallel (each is independent of the other).
pub fn files(
    add: &mut Add,
    catalog: &Catalog,
    theme: &Theme,
    today: Option<NaiveDate>,
) -> Result<(), Error> {
    use rayon::prelude::*;
    let indexes: Vec<Vec<(String, Vec<u8>)>> = (LANGS.par_iter())
        .map(|code| {
            let lang = Lang {
                code,
                messages: &theme.messages[*code],
                today,
            };
            let docs = docs::documents(catalog, &lang);
            index::files(&docs, &lang, index::Limits::default())
        })
        .collect();
    for (code, files) in LANGS.iter().zip(indexes) {
        for (path, bytes) in files {
            add(
                format!("search/{code}/{path}"),
                Content::Bytes(bytes),
                format!("the {code} search index"),
            )?;
        }
    }
    Ok(())
}
