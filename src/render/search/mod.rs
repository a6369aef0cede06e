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
use super::{Content, Made, Memo, Theme, LANGS};
use crate::catalog::Catalog;
use crate::error::Error;

/// Adds both languages' search indexes, one language at a time: made in parallel, the two
/// indexes of a national catalogue took the build's peak memory over 1 GiB. With the build
/// cache's memo, an index whose key holds is the previous files. The documents are made from the
/// catalogue as loaded, never from what data files hold, so the datasets' metadata fingerprints
/// key them and no document is made to find the key: making both languages' documents and
/// hashing them was two seconds of CPU at national scale, in every rebuild.
pub fn files(
    add: &mut Add,
    catalog: &Catalog,
    theme: &Theme,
    today: Option<NaiveDate>,
    memo: Option<&Memo>,
) -> Result<(), Error> {
    for &code in LANGS.iter() {
        let origin = format!("the {code} search index");
        let key = memo.and_then(|m| index_key(m, catalog, code));
        let kept = (memo.zip(key.as_ref()))
            .and_then(|(m, key)| m.kept_files(&format!("search/{code}/"), key));
        if let Some(paths) = kept {
            for path in paths {
                add(path, Content::Previous(None), origin.clone())?;
            }
            continue;
        }
        let lang = Lang::of(theme, code, today);
        let docs = docs::documents(catalog, &lang);
        for (path, bytes) in index::files(&docs, &lang, index::Limits::default()) {
            let path = format!("search/{code}/{path}");
            if let (Some(m), Some(key)) = (memo, &key) {
                m.record(&path, key);
            }
            add(path, Content::Bytes(bytes), origin.clone())?;
        }
    }
    Ok(())
}

/// The memo key of a language's index: the language and every dataset's metadata fingerprint,
/// which covers the catalogue's other inputs (publishers, the territory register) and the
/// setting (the theme's messages, the date that marks datasets overdue).
fn index_key(m: &Memo, catalog: &Catalog, code: &str) -> Option<String> {
    m.key(
        &["search index", code],
        catalog.datasets.keys(),
        Made::FromMetadata,
    )
}
