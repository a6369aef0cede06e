//! Stage 4, render (search): the documents of one language's search index — every dataset, every
//! publisher and every territory that has a page — with the text to index, what a result shows
//! and the facet values to narrow by. Invariants: every `url` is a page the site has (relative to
//! the language root); documents come sorted by title in Ukrainian alphabetical order (then URL),
//! which is the ranking's tie-break; facet values carry a key that is the same in both languages.

use std::collections::BTreeSet;

use super::normalise::sort_key;
use crate::catalog::territory::Category;
use crate::catalog::{Catalog, Dataset, KatottgCode, Publisher, Scope};
use crate::render::view::{self, Lang, Text};

/// What a document is (the `kind` facet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Kind {
    Dataset,
    Publisher,
    Oblast,
    Raion,
    Hromada,
}

impl Kind {
    /// Every kind, in the order the facet lists them.
    pub const ALL: [Kind; 5] = [
        Kind::Dataset,
        Kind::Publisher,
        Kind::Oblast,
        Kind::Raion,
        Kind::Hromada,
    ];

    /// The key in the index and in URLs.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Dataset => "dataset",
            Kind::Publisher => "publisher",
            Kind::Oblast => "oblast",
            Kind::Raion => "raion",
            Kind::Hromada => "hromada",
        }
    }
}

/// A facet of the search page; its key is the URL parameter (`?oblast=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Facet {
    Kind,
    Oblast,
    Hromada,
    Publisher,
    Keyword,
    Format,
    License,
    Frequency,
    Freshness,
    Resolution835,
}

impl Facet {
    /// Every facet, in the order the page shows them.
    pub const ALL: [Facet; 10] = [
        Facet::Kind,
        Facet::Oblast,
        Facet::Hromada,
        Facet::Publisher,
        Facet::Keyword,
        Facet::Format,
        Facet::License,
        Facet::Frequency,
        Facet::Freshness,
        Facet::Resolution835,
    ];

    /// The key in the index, in URLs and in `i18n` (`search.facet_<key>`).
    pub fn key(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::Oblast => "oblast",
            Facet::Hromada => "hromada",
            Facet::Publisher => "publisher",
            Facet::Keyword => "keyword",
            Facet::Format => "format",
            Facet::License => "license",
            Facet::Frequency => "frequency",
            Facet::Freshness => "freshness",
            Facet::Resolution835 => "r835",
        }
    }
}

/// One value of a facet: a language-independent key and what the page shows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct FacetValue {
    pub key: String,
    pub label: String,
}

/// One searchable page (serialised only for the build cache's key of the index).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Doc {
    /// The page, relative to the language root.
    pub url: String,
    pub title: Text,
    /// The start of the description, for the result list.
    pub excerpt: String,
    pub kind: Kind,
    /// Text whose words rank the document first (titles, names).
    pub title_text: Vec<String>,
    /// Every other indexed text.
    pub body_text: Vec<String>,
    pub facets: BTreeSet<(Facet, FacetValue)>,
}

/// Every document of the language, sorted by title.
pub fn documents(catalog: &Catalog, lang: &Lang) -> Vec<Doc> {
    use rayon::prelude::*;
    // Made in parallel: at national scale, each language's documents are a second of one core.
    let datasets: Vec<&Dataset> = catalog.datasets.values().collect();
    let publishers: Vec<&Publisher> = catalog.publishers.values().collect();
    let territories: Vec<&KatottgCode> = [Category::O, Category::K, Category::P, Category::H]
        .iter()
        .flat_map(|c| catalog.registry.of_category(*c))
        .map(|t| &t.code)
        .collect();
    let mut docs: Vec<Doc> = (datasets.par_iter())
        .map(|d| dataset(catalog, d, lang))
        .collect();
    docs.par_extend(publishers.par_iter().map(|p| publisher(catalog, p, lang)));
    docs.par_extend((territories.par_iter()).filter_map(|code| territory(catalog, code, lang)));
    docs.par_sort_by_cached_key(|d| (sort_key(&d.title.text), d.url.clone()));
    docs
}

/// `text` flattened and cut at a word boundary to at most `max` characters.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// The oblast and hromada facet values of a territory code (itself or its ancestors).
fn places(catalog: &Catalog, code: &KatottgCode, lang: &Lang) -> Vec<(Facet, FacetValue)> {
    let mut chain = catalog.registry.ancestors(code);
    chain.extend(catalog.registry.get(code));
    chain
        .into_iter()
        .filter_map(|t| {
            let facet = match t.category {
                Category::O | Category::K => Facet::Oblast,
                Category::H => Facet::Hromada,
                _ => return None,
            };
            let value = FacetValue {
                key: t.code.to_string(),
                label: lang.place(&t.name).text,
            };
            Some((facet, value))
        })
        .collect()
}

fn value(facet: Facet, key: impl Into<String>, label: impl Into<String>) -> (Facet, FacetValue) {
    (
        facet,
        FacetValue {
            key: key.into(),
            label: label.into(),
        },
    )
}

/// Both languages' versions of a text (the other language's words find the page too).
fn both(text: &crate::catalog::LocalText) -> Vec<String> {
    std::iter::once(text.uk.clone())
        .chain(text.en.clone())
        .collect()
}

fn dataset(catalog: &Catalog, d: &Dataset, lang: &Lang) -> Doc {
    let mut facets = BTreeSet::new();
    facets.insert(value(
        Facet::Kind,
        "dataset",
        lang.msg("search.kind_dataset"),
    ));
    let mut body = vec![lang.text(&d.description).text, d.id.to_string()];
    body.extend(d.keywords.iter().chain(&d.keywords_en).cloned());
    let shown = if lang.code == "en" && !d.keywords_en.is_empty() {
        &d.keywords_en
    } else {
        &d.keywords
    };
    for k in shown {
        facets.insert(value(Facet::Keyword, k.to_lowercase(), k.clone()));
    }
    if let Some(p) = catalog.publishers.get(&d.publisher) {
        body.extend(both(&p.name));
        facets.insert(value(
            Facet::Publisher,
            p.slug.as_str(),
            lang.text(&p.name).text,
        ));
    }
    for scope in &d.spatial {
        if let Scope::Territory(code) = scope {
            body.extend(catalog.registry.get(code).map(|t| t.name.clone()));
            facets.extend(places(catalog, code, lang));
        }
    }
    for r in &d.resources {
        body.push(r.name.clone());
        body.extend(r.title.clone());
    }
    for f in crate::render::exports::formats(d) {
        facets.insert(value(Facet::Format, f.clone(), f));
    }
    facets.extend(licences(catalog, d));
    if let Some(f) = d.frequency {
        let label = lang.msg(&format!("frequency.{}", f.key()));
        facets.insert(value(Facet::Frequency, f.key(), label));
    }
    let fresh = match (lang.today, d.next_due()) {
        (Some(_), Some(_)) if d.overdue(lang.today) => "overdue",
        (Some(_), Some(_)) => "fresh",
        _ => "unknown",
    };
    facets.insert(value(
        Facet::Freshness,
        fresh,
        lang.msg(&format!("search.freshness_{fresh}")),
    ));
    if let Some(code) = &d.resolution_835 {
        body.push(code.clone());
        let name = catalog.mandatory.iter().find(|m| &m.code == code);
        let label = name.map_or_else(
            || code.clone(),
            |m| format!("{code} {}", lang.text(&m.name).text),
        );
        facets.insert(value(Facet::Resolution835, code.clone(), label));
    }
    Doc {
        url: format!("datasets/{}/", d.id),
        title: lang.text(&d.title),
        excerpt: excerpt(&lang.text(&d.description).text, 160),
        kind: Kind::Dataset,
        title_text: both(&d.title),
        body_text: body,
        facets,
    }
}

fn licences(catalog: &Catalog, d: &Dataset) -> Vec<(Facet, FacetValue)> {
    if d.licenses.is_empty() {
        let id = &catalog.config.license;
        return vec![value(Facet::License, id.clone(), id.clone())];
    }
    d.licenses
        .iter()
        .filter_map(|l| {
            let key = l.name.clone().or_else(|| l.title.clone())?;
            let label = l.title.clone().unwrap_or_else(|| key.clone());
            Some(value(Facet::License, key, label))
        })
        .collect()
}

fn publisher(catalog: &Catalog, p: &Publisher, lang: &Lang) -> Doc {
    let mut facets = BTreeSet::new();
    facets.insert(value(
        Facet::Kind,
        "publisher",
        lang.msg("search.kind_publisher"),
    ));
    facets.insert(value(
        Facet::Publisher,
        p.slug.as_str(),
        lang.text(&p.name).text,
    ));
    let mut body = vec![p.edrpou.as_str().to_owned(), p.contact_name.clone()];
    let mut place = String::new();
    if let Scope::Territory(code) = &p.territory {
        facets.extend(places(catalog, code, lang));
        if let Some(t) = catalog.registry.get(code) {
            body.push(t.name.clone());
            place = lang.place(&t.name).text;
        }
    }
    Doc {
        url: view::publisher_link(p, lang).href.unwrap_or_default(),
        title: lang.text(&p.name),
        excerpt: place,
        kind: Kind::Publisher,
        title_text: both(&p.name),
        body_text: body,
        facets,
    }
}

fn territory(catalog: &Catalog, code: &KatottgCode, lang: &Lang) -> Option<Doc> {
    let url = view::territory_href(catalog, code)?;
    let t = catalog.registry.get(code)?;
    let kind = match t.category {
        Category::O | Category::K => Kind::Oblast,
        Category::P => Kind::Raion,
        _ => Kind::Hromada,
    };
    let category = lang.msg(&format!("category.{:?}", t.category));
    let mut facets: BTreeSet<_> = places(catalog, code, lang).into_iter().collect();
    facets.insert(value(
        Facet::Kind,
        kind.key(),
        lang.msg(&format!("search.kind_{}", kind.key())),
    ));
    // Where it lies, from the top: "Вінницька область › Гайсинський район".
    let within: Vec<String> = catalog
        .registry
        .ancestors(code)
        .iter()
        .map(|a| lang.place(&a.name).text)
        .collect();
    // Both spellings find an English page's place: the codifier's and the transliteration.
    let title = lang.place(&t.name);
    let mut title_text = vec![t.name.clone()];
    if title.text != t.name {
        title_text.push(title.text.clone());
    }
    title_text.extend(t.former_names.iter().cloned());
    let mut body = vec![category, code.to_string()];
    body.extend(within.iter().cloned());
    Some(Doc {
        url,
        title,
        excerpt: within.join(" › "),
        kind,
        title_text,
        body_text: body,
        facets,
    })
}
