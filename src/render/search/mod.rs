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
/// is made from its documents and the theme's messages alone); both languages' documents and keys
/// are then made at once, in parallel — most rebuilds keep both indexes, and making their keys one
/// after the other was a second of one core's work at national scale.
pub fn files(
    add: &mut Add,
    catalog: &Catalog,
    theme: &Theme,
    today: Option<NaiveDate>,
    memo: Option<&Memo>,
) -> Result<(), Error> {
    for (&code, plan) in LANGS.iter().zip(plans(catalog, theme, today, memo)) {
        let origin = format!("the {code} search index");
        let (docs, key) = match plan {
            Plan::Kept(paths) => {
                for path in paths {
                    add(path, Content::Previous(None), origin.clone())?;
                }
                continue;
            }
            Plan::Make(docs, key) => (docs, key),
        };
        let lang = lang(theme, code, today);
        let docs = docs.unwrap_or_else(|| docs::documents(catalog, &lang));
        let key = key.or_else(|| index_key(memo?, &docs, code));
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

/// What to do for one language's index.
enum Plan {
    /// The previous site's files, made from the same documents.
    Kept(Vec<String>),
    /// To be made, from these documents and with this memo key when already made.
    Make(Option<Vec<docs::Doc>>, Option<String>),
}

/// Each language's plan: with the memo, documents and keys made in parallel. Only the first index
/// to be made keeps the documents made for its key (the others' are made again in their turn):
/// two languages' documents are never held while an index is made.
fn plans(
    catalog: &Catalog,
    theme: &Theme,
    today: Option<NaiveDate>,
    memo: Option<&Memo>,
) -> Vec<Plan> {
    use rayon::prelude::*;
    // Nothing to keep (no memo, or a language's index not recorded, as in a first build): each
    // language's documents and key are made in its turn.
    let recorded = |m: &Memo| {
        LANGS
            .iter()
            .all(|c| !(m.recorded)(&format!("search/{c}/")).is_empty())
    };
    let Some(m) = memo.filter(|m| recorded(m)) else {
        return LANGS.iter().map(|_| Plan::Make(None, None)).collect();
    };
    let keyed: Vec<(Vec<docs::Doc>, Option<String>)> = (LANGS.par_iter())
        .map(|&code| {
            let docs = docs::documents(catalog, &lang(theme, code, today));
            let key = index_key(m, &docs, code);
            (docs, key)
        })
        .collect();
    let mut to_make = 0;
    let mut unused = Vec::new();
    let plans = (LANGS.iter().zip(keyed))
        .map(|(code, (docs, key))| {
            let prefix = format!("search/{code}/");
            if let Some(paths) = key.as_ref().and_then(|k| m.kept_files(&prefix, k)) {
                unused.push(docs);
                return Plan::Kept(paths);
            }
            to_make += 1;
            if to_make > 1 {
                unused.push(docs);
                return Plan::Make(None, key);
            }
            Plan::Make(Some(docs), key)
        })
        .collect();
    // Freed beside the build, not in its way: a national catalogue's documents took a tenth of a
    // second of one core to free.
    rayon::spawn(move || drop(unused));
    plans
}

/// The language `code` as its index is made.
fn lang<'t>(theme: &'t Theme, code: &'static str, today: Option<NaiveDate>) -> Lang<'t> {
    Lang {
        code,
        messages: &theme.messages[code],
        today,
    }
}

/// The memo key of a language's index: its documents and the language (the theme's messages are
/// in the setting the memo covers).
fn index_key(m: &Memo, docs: &[docs::Doc], code: &str) -> Option<String> {
    m.page_key("search index", docs, &minijinja::Value::from(code))
}
