//! Stage 4, render: territory pages. An index from every KATOTTG object to the datasets about it
//! (its own code or any code below it), the datasets declared for it exactly, and the publishers
//! located in it, built once by walking each declared code up its chain of parents.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use foldhash::fast::FixedState;

use serde::Serialize;

use super::format;
use super::view::{self, Lang, Link, Listed, Text};
use crate::catalog::profile::Fact;
use crate::catalog::territory::{Category, Territory};
use crate::catalog::{Catalog, DatasetId, KatottgCode, PublisherSlug, Scope};
use crate::validate::Validated;

/// Which datasets and publishers belong to which territory.
#[derive(Debug, Default)]
pub struct TerritoryIndex {
    /// Datasets whose `spatial` names the code or a code below it.
    pub about: BTreeMap<KatottgCode, BTreeSet<DatasetId>>,
    /// Datasets whose `spatial` names exactly this scope.
    pub exact: BTreeMap<Scope, BTreeSet<DatasetId>>,
    /// Publishers located at the code or below it.
    pub publishers: BTreeMap<KatottgCode, BTreeSet<PublisherSlug>>,
}

impl TerritoryIndex {
    /// Builds the index for the catalogue.
    pub fn build(catalog: &Catalog) -> TerritoryIndex {
        let mut index = TerritoryIndex::default();
        let chain = |code: &KatottgCode| {
            let mut codes: Vec<KatottgCode> = catalog
                .registry
                .ancestors(code)
                .iter()
                .map(|t| t.code)
                .collect();
            codes.push(*code);
            codes
        };
        for d in catalog.datasets.values() {
            for scope in &d.spatial {
                index.exact.entry(*scope).or_default().insert(d.id.clone());
                if let Scope::Territory(code) = scope {
                    for c in chain(code) {
                        index.about.entry(c).or_default().insert(d.id.clone());
                    }
                }
            }
        }
        for p in catalog.publishers.values() {
            if let Scope::Territory(code) = &p.territory {
                for c in chain(code) {
                    index
                        .publishers
                        .entry(c)
                        .or_default()
                        .insert(p.slug.clone());
                }
            }
        }
        index
    }

    /// Number of datasets about `code`.
    pub fn count(&self, code: &KatottgCode) -> usize {
        self.about.get(code).map_or(0, BTreeSet::len)
    }
}

/// A child territory in a list.
#[derive(Debug, Serialize)]
pub struct Child {
    pub href: Option<String>,
    pub name: Text,
    pub category: String,
    pub datasets: usize,
}

/// One fact of a territory's profile, formatted for the page's language.
#[derive(Debug, Serialize)]
pub struct FactView {
    pub key: &'static str,
    pub value: String,
    /// The value stayed Ukrainian on a page in another language (a `lang` attribute is due).
    pub ukrainian: bool,
}

/// The message key of a hromada type as the sources write it (any case, with or without «громада»).
fn hromada_type_key(value: &str) -> Option<&'static str> {
    let v = value.trim().to_lowercase();
    let word = v.split_whitespace().next().unwrap_or("");
    match word {
        "міська" => Some("urban"),
        "селищна" => Some("settlement"),
        "сільська" => Some("rural"),
        _ => None,
    }
}

/// A fact's value as shown: numbers grouped and with the language's decimal mark, units added.
fn fact_text(fact: Fact, value: &str, lang: &Lang) -> String {
    let number = value
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0);
    match (fact, number) {
        (Fact::Population, Some(n)) => format::int(n.round() as u64, lang.code),
        (Fact::Latitude | Fact::Longitude, Some(n)) => {
            let text = format!("{n:.4}°");
            if lang.code == "uk" {
                text.replace('.', ",")
            } else {
                text
            }
        }
        (Fact::Area, Some(n)) => {
            let text = format!("{n:.1}");
            let text = if lang.code == "uk" {
                text.replace('.', ",")
            } else {
                text
            };
            format!("{text} {}", lang.msg("profile.km2"))
        }
        _ => value.to_owned(),
    }
}

fn profile(
    catalog: &Catalog,
    validated: &Validated,
    code: &KatottgCode,
    lang: &Lang,
) -> (Vec<FactView>, Vec<Link>) {
    let facts = validated.facts.get(code).map_or(&[][..], Vec::as_slice);
    let shown = facts
        .iter()
        .map(|f| {
            let (value, ukrainian) = match f.fact {
                // A place name: transliterated on English pages, like every other one.
                Fact::Centre => (lang.place(&f.value).text, false),
                // міська / селищна / сільська, as the message catalogue names them; another
                // value stays as the source wrote it (in Ukrainian).
                Fact::Type => match hromada_type_key(&f.value) {
                    Some(key) => (lang.msg(&format!("profile.types.{key}")), false),
                    None => (f.value.clone(), lang.code != "uk"),
                },
                _ => (fact_text(f.fact, &f.value, lang), false),
            };
            FactView {
                key: f.fact.key(),
                value,
                ukrainian,
            }
        })
        .collect();
    let sources: BTreeSet<&DatasetId> = facts.iter().map(|f| &f.dataset).collect();
    let links = (sources.into_iter())
        .filter_map(|id| catalog.datasets.get(id))
        .map(|d| Link {
            href: Some(format!("datasets/{}/", d.id)),
            label: lang.text(&d.title),
        })
        .collect();
    (shown, links)
}

/// Everything a territory page shows.
#[derive(Debug, Serialize)]
pub struct TerritoryView<'s> {
    pub code: String,
    /// The name in the page's language (transliterated on English pages).
    pub name: Text,
    /// The name as the codifier writes it.
    pub name_uk: String,
    /// Names in earlier codifier editions (the page keeps its address: the code).
    pub former_names: Vec<String>,
    /// The Resolution 835 checklist of the hromada's own publishers (hromadas only).
    pub checklist: super::checklist::Checklist,
    /// The oblast's coverage page (oblasts, when the catalogue has a list of mandatory datasets).
    pub coverage_href: Option<String>,
    /// Facts from the datasets declared as their source, and those datasets.
    pub profile: Vec<FactView>,
    pub profile_sources: Vec<Link>,
    pub category: String,
    /// `oblast`, `raion` or `hromada`: which children label to use.
    pub level: &'static str,
    pub breadcrumbs: Vec<Link>,
    pub children: Vec<Child>,
    pub publishers: Vec<Link>,
    pub datasets_here: Vec<&'s Listed>,
    pub about: Vec<&'s Listed>,
    pub wider: Vec<&'s Listed>,
    /// Its Atom feed, from the site root (when datasets about it or by its publishers have dates).
    pub feed: Option<String>,
}

/// Every dataset's summary in one language, by id: made once (with its digest) for the list
/// pages and lent to every territory page. A dataset shows on its hromada's, raion's and
/// oblast's pages: making its summary for each, and digesting it into each page's key, was most
/// of the territory pages' work in a rebuild.
pub struct Summaries<'s>(HashMap<&'s str, &'s Listed, FixedState>);

impl<'s> Summaries<'s> {
    /// The summaries of `all`, by id.
    pub fn of(all: &'s [view::SharedListed]) -> Summaries<'s> {
        Summaries(all.iter().map(|s| (s.value.id.as_str(), &**s)).collect())
    }

    /// The summaries of the datasets `ids` (those it has), in the lists' order.
    fn of_ids<'i>(&self, ids: impl IntoIterator<Item = &'i DatasetId>) -> Vec<&'s Listed> {
        let mut out: Vec<&Listed> = (ids.into_iter())
            .filter_map(|id| self.0.get(id.as_str()).copied())
            .collect();
        sort_summaries(&mut out);
        out
    }
}

/// Most recently modified first, then by id: a total, stable order.
pub fn sort_summaries<S: std::borrow::Borrow<Listed>>(list: &mut [S]) {
    list.sort_by(|a, b| {
        let (a, b) = (&a.borrow().value, &b.borrow().value);
        let am = a.modified.as_ref().map(|d| d.iso.as_str());
        let bm = b.modified.as_ref().map(|d| d.iso.as_str());
        bm.cmp(&am).then_with(|| a.id.cmp(&b.id))
    });
}

/// The view of territory `t`, its datasets' summaries lent from `summaries`.
pub fn view<'s>(
    catalog: &Catalog,
    validated: &Validated,
    (index, summaries): (&TerritoryIndex, &Summaries<'s>),
    t: &Territory,
    lang: &Lang,
) -> TerritoryView<'s> {
    let category = |c: Category| lang.msg(&format!("category.{c:?}"));
    let breadcrumbs = catalog
        .registry
        .ancestors(&t.code)
        .into_iter()
        .map(|a| Link {
            href: view::territory_href(catalog, &a.code),
            label: lang.place(&a.name),
        })
        .collect();
    let children = catalog
        .registry
        .children(&t.code)
        .iter()
        .filter_map(|c| catalog.registry.get(c))
        .map(|c| Child {
            href: view::territory_href(catalog, &c.code),
            name: lang.place(&c.name),
            category: category(c.category),
            datasets: index.count(&c.code),
        })
        .collect();
    let publishers: Vec<&PublisherSlug> = index
        .publishers
        .get(&t.code)
        .into_iter()
        .flatten()
        .collect();
    // Through the catalogue's index: a scan of every dataset per territory was quadratic (at
    // national scale, most of a rebuild's time).
    let here: BTreeSet<&DatasetId> = (publishers.iter())
        .flat_map(|p| catalog.datasets_of(p))
        .map(|d| &d.id)
        .collect();
    let about: Vec<&DatasetId> = index
        .about
        .get(&t.code)
        .into_iter()
        .flatten()
        .filter(|id| !here.contains(id))
        .collect();
    let wider: BTreeSet<&DatasetId> = (wider_scopes(catalog, &t.code).iter())
        .filter_map(|s| index.exact.get(s))
        .flatten()
        .filter(|id| !here.contains(id) && !about.contains(id))
        .collect();
    let (profile, profile_sources) = profile(catalog, validated, &t.code, lang);
    let checklist = if t.category == Category::H {
        super::checklist::checklist(catalog, &publishers, true, lang)
    } else {
        super::checklist::Checklist::default()
    };
    TerritoryView {
        code: t.code.to_string(),
        name: lang.place(&t.name),
        name_uk: t.name.clone(),
        former_names: t.former_names.clone(),
        checklist,
        coverage_href: (t.category == Category::O && !catalog.mandatory.is_empty())
            .then(|| format!("coverage/{}/", t.code)),
        profile,
        profile_sources,
        category: category(t.category),
        level: match t.category {
            Category::O | Category::K => "oblast",
            Category::P => "raion",
            _ => "hromada",
        },
        breadcrumbs,
        children,
        publishers: publishers
            .iter()
            .filter_map(|s| catalog.publishers.get(*s))
            .map(|p| view::publisher_link(p, lang))
            .collect(),
        datasets_here: summaries.of_ids(here),
        about: summaries.of_ids(about),
        wider: summaries.of_ids(wider),
        feed: super::exports::feeds::territory_feed(catalog, index, &t.code),
    }
}

/// The scopes wider than the territory `code` that cover it: the whole country, then its
/// oblast and raion (the datasets of those are listed on its page too).
pub fn wider_scopes(catalog: &Catalog, code: &KatottgCode) -> Vec<Scope> {
    let ancestors = catalog.registry.ancestors(code);
    let above = ancestors.iter().map(|a| Scope::Territory(a.code));
    std::iter::once(Scope::Country).chain(above).collect()
}

/// The `child_items` filter: a territory's children (`Child`ren) as its list's `<li>` items, the
/// same bytes as the default theme's loop wrote, reading `lang`, `home` and `t` from the page as
/// it did:
///
/// ```text
/// {%- for c in territory.children %}
///   <li>{% if c.href %}<a class="name" href="{{ home }}{{ c.href }}">{% else %}<span class="name">
///   {% endif %}…{{ c.name }} as `txt` writes it…{% if c.href %}</a>{% else %}</span>{% endif %}
///   <span class="meta">{{ c.category }}{% if c.datasets %} · {{ c.datasets }}{% endif %}</span></li>
/// {%- endfor %}
/// ```
///
/// A hromada lists its settlements, a raion its hromadas: every catalogue has 1,900 territory
/// pages, and the loop was a quarter of their template work.
pub fn child_items(
    state: &minijinja::State,
    children: &minijinja::Value,
) -> Result<minijinja::Value, minijinja::Error> {
    use super::format::push_value;
    use super::loops::{field, push_field, Page};
    const NAME: &str = "child_items";
    let mut page = Page::of(state, NAME)?;
    let mut html = String::with_capacity(children.len().unwrap_or(0) * 128);
    for c in children.try_iter()? {
        let href = field(&c, "href", NAME)?;
        if href.is_true() {
            html.push_str("\n    <li><a class=\"name\" href=\"");
            push_value(&mut html, &page.home);
            push_value(&mut html, &href);
            html.push_str("\">");
        } else {
            html.push_str("\n    <li><span class=\"name\">");
        }
        page.push_text(&mut html, &field(&c, "name", NAME)?)?;
        html.push_str(if href.is_true() { "</a>" } else { "</span>" });
        html.push_str(" <span class=\"meta\">");
        push_field(&mut html, &c, "category", NAME)?;
        let datasets = field(&c, "datasets", NAME)?;
        if datasets.is_true() {
            html.push_str(" · ");
            push_value(&mut html, &datasets);
        }
        html.push_str("</span></li>");
    }
    Ok(super::clean::clean_html(html))
}

#[cfg(test)]
mod tests {
    use super::{child_items, hromada_type_key};
    use serde_json::json;

    /// The default theme's loop before `child_items` took its place.
    const LOOP: &str = r#"{%- for c in children %}
    <li>{% if c.href %}<a class="name" href="{{ home }}{{ c.href }}">{% else %}<span class="name">{% endif %}{% if c.name.lang != lang %}<span lang="{{ c.name.lang }}">{{ c.name.text }}</span> <small class="untranslated">{{ t("untranslated") }}</small>{% else %}{{ c.name.text }}{% endif %}{% if c.href %}</a>{% else %}</span>{% endif %} <span class="meta">{{ c.category }}{% if c.datasets %} · {{ c.datasets }}{% endif %}</span></li>
  {%- endfor %}"#;

    #[test]
    fn child_items_write_what_the_loop_wrote() {
        let text = |text: &str, lang: &str| json!({"text": text, "lang": lang});
        let children = json!([
            {"href": "hromadas/UA1/", "name": text("Бучанська <міська>\u{7}", "uk"), "category": "громада", "datasets": 12},
            {"href": null, "name": text("Bucha & Co", "en"), "category": "місто", "datasets": 0},
            {"href": "raions/\"x/", "name": text("Irpin", "en"), "category": "raion", "datasets": 1},
        ]);
        let written = crate::render::loops::assert_page_filter_writes_the_loop(
            |env| env.add_filter("child_items", child_items),
            (LOOP, "{{ children|child_items }}"),
            ("children", children),
            (
                json!([{"href": null, "name": text("x", "uk"), "datasets": 1}]),
                "category",
            ),
        );
        assert!(written[1].contains("<small class=\"untranslated\">en: (not translated)"));
        assert!(written[0].contains(" · 12</span>") && !written[0].contains(" · 0"));
    }

    #[test]
    fn hromada_types() {
        for (value, key) in [
            ("сільська", Some("rural")),
            ("Міська", Some("urban")),
            ("селищна громада", Some("settlement")),
            (" сільська ", Some("rural")),
            ("обласна", None),
            ("", None),
        ] {
            assert_eq!(hromada_type_key(value), key, "{value:?}");
        }
    }
}
