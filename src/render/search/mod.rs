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
use super::{Content, Memo, Theme, LANGS};
use crate::catalog::Catalog;
use crate::error::Error;

/// Adds both languages' search indexes, one language at a time: made in parallel, the two
/// indexes of a national catalogue took the build's peak memory over 1 GiB. With the build
/// cache's memo, an index whose documents are the last build's is the previous files (an index
/// is made from its documents and the theme's messages alone).
pub fn files(
    add: &mut Add,
    catalog: &Catalog,
    theme: &Theme,
    today: Option<NaiveDate>,
    memo: Option<&Memo>,
) -> Result<(), Error> {
    for code in LANGS {
        let lang = Lang {
            code,
            messages: &theme.messages[code],
            today,
        };
        let docs = docs::documents(catalog, &lang);
        let (prefix, origin) = (
            format!("search/{code}/"),
            format!("the {code} search index"),
        );
        let memo = memo.and_then(|m| {
            let key = m.page_key("search index", &docs, &minijinja::Value::from(code))?;
            Some((m, key))
        });
        if let Some(paths) = memo
            .as_ref()
            .and_then(|(m, key)| m.kept_files(&prefix, key))
        {
            for path in paths {
                add(path, Content::Previous, origin.clone())?;
            }
            continue;
        }
        for (path, bytes) in index::files(&docs, &lang, index::Limits::default()) {
            let path = format!("{prefix}{path}");
            if let Some((m, key)) = &memo {
                m.record(&path, key);
            }
            add(path, Content::Bytes(bytes), origin.clone())?;
        }
    }
    Ok(())
}
