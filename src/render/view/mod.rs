//! Stage 4, render: view models. Catalogue data and validation results are turned into
//! display-ready, language-resolved structures that templates only print: no logic in templates
//! beyond loops and conditions. Links are relative to the language root (`home`) or the site root
//! (`root`), so the site works from any sub-path.

mod schema;
mod text;

use serde::Serialize;

use super::format;
use crate::catalog::{Catalog, Dataset, Publisher, Resource, Scope};
use crate::validate::{DatasetResult, ResourceResult};
pub use schema::{schema_rows, FieldView};
pub use text::{Date, Lang, Text};

/// A link with a label.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Relative to the language root; `None` when there is nothing to link to.
    pub href: Option<String>,
    pub label: Text,
}

/// A dataset in lists.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: String,
    pub href: String,
    pub title: Text,
    pub publisher: Link,
    #[serde(skip)]
    pub publisher_slug: String,
    pub modified: Option<Date>,
    pub formats: Vec<String>,
    pub valid: bool,
    /// The next update due by the dataset's frequency.
    pub next_due: Option<Date>,
    /// Past its due date (judged only when the build knows today's date).
    pub overdue: bool,
}

/// A dataset in lists, with its digest: a dataset is listed on many pages (its territories',
/// its publisher's, the front page's, the list's), and their keys take the digest.
pub type Listed = super::digest::Digested<Summary>;

/// A listed dataset shared by the lists it is on (made once per language, never copied).
pub type SharedListed = std::sync::Arc<Listed>;

/// Where a territory's page lives, relative to the language root.
pub fn territory_href(catalog: &Catalog, code: &crate::catalog::KatottgCode) -> Option<String> {
    use crate::catalog::territory::Category;
    let dir = match catalog.registry.get(code)?.category {
        Category::O | Category::K => "oblasts",
        Category::P => "raions",
        Category::H => "hromadas",
        _ => return None,
    };
    Some(format!("{dir}/{code}/"))
}

/// A publisher as a link.
pub fn publisher_link(p: &Publisher, lang: &Lang) -> Link {
    Link {
        href: Some(format!("publishers/{}/", p.slug)),
        label: lang.text(&p.name),
    }
}

/// The list entry for a dataset.
pub fn summary(
    catalog: &Catalog,
    d: &Dataset,
    result: Option<&DatasetResult>,
    lang: &Lang,
) -> Summary {
    let mut formats: Vec<String> = d
        .resources
        .iter()
        .map(|r| r.format.to_uppercase())
        .collect();
    formats.sort();
    formats.dedup();
    Summary {
        id: d.id.to_string(),
        href: format!("datasets/{}/", d.id),
        title: lang.text(&d.title),
        publisher: catalog.publishers.get(&d.publisher).map_or_else(
            || Link {
                href: None,
                label: Text {
                    text: d.publisher.to_string(),
                    lang: "uk",
                },
            },
            |p| publisher_link(p, lang),
        ),
        publisher_slug: d.publisher.to_string(),
        modified: d.modified.map(|m| Date::new(m, lang)),
        formats,
        valid: result.is_none_or(DatasetResult::is_valid),
        next_due: d.next_due().map(|due| Date::new(due, lang)),
        overdue: d.overdue(lang.today),
    }
}

/// Everything a dataset page shows (its files' header and preview rows borrowed from the
/// validation result: each is shown on a page per language, and copying them cost as much as
/// writing them).
#[derive(Debug, Serialize)]
pub struct DatasetView<'r> {
    #[serde(flatten)]
    pub summary: Summary,
    /// The schema.org description, for the page's JSON-LD (safe inside `<script>`).
    pub json_ld: String,
    pub description: Text,
    /// The description cut to 300 characters, for `<meta name="description">`.
    pub meta_description: String,
    /// The description's paragraphs (split at blank lines).
    pub paragraphs: Vec<String>,
    pub keywords: Vec<Text>,
    pub licenses: Vec<Link>,
    pub sources: Vec<Link>,
    pub frequency: Option<String>,
    pub issued: Option<Date>,
    pub temporal: Option<(Date, Date)>,
    pub spatial: Vec<Link>,
    pub legal_basis: Option<String>,
    pub purpose: Option<String>,
    pub resolution_835: Option<String>,
    pub version: Option<String>,
    pub findings: Vec<String>,
    pub resources: Vec<ResourceView<'r>>,
    /// The charts the dataset declares (`views`), drawn.
    pub charts: Vec<super::chart::ChartView>,
    /// The Resolution 835 passport (the same fields as `passport.json`).
    pub passport: Vec<super::exports::passport::Row>,
}

fn keywords(d: &Dataset, lang: &Lang) -> Vec<Text> {
    if lang.code == "en" && !d.keywords_en.is_empty() {
        d.keywords_en
            .iter()
            .map(|k| Text {
                text: k.clone(),
                lang: "en",
            })
            .collect()
    } else {
        d.keywords
            .iter()
            .map(|k| Text {
                text: k.clone(),
                lang: "uk",
            })
            .collect()
    }
}

/// A link only for http(s) and mailto URLs: other schemes (`javascript:`…) are shown as text.
pub fn safe_href(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    crate::validate::urls::is_link(url).then(|| url.to_owned())
}

fn scope_link(catalog: &Catalog, scope: &Scope, lang: &Lang) -> Link {
    match scope {
        Scope::Country => Link {
            href: None,
            label: Text {
                text: lang.msg("dataset.whole_country"),
                lang: lang.code,
            },
        },
        Scope::Territory(code) => match catalog.registry.get(code) {
            Some(t) => Link {
                href: territory_href(catalog, code),
                label: {
                    let place = lang.place(&t.name);
                    Text {
                        text: format!(
                            "{} ({})",
                            place.text,
                            lang.msg(&format!("category.{:?}", t.category))
                        ),
                        lang: place.lang,
                    }
                },
            },
            None => Link {
                href: None,
                label: Text {
                    text: code.to_string(),
                    lang: lang.code,
                },
            },
        },
    }
}

/// The dataset page's view; `shared` holds each resource's rows as templates see them
/// (`rows::Shared`, made once for both languages), in the resources' order.
pub fn dataset<'r>(
    catalog: &Catalog,
    d: &Dataset,
    result: &'r DatasetResult,
    shared: &'r [super::rows::Shared],
    lang: &Lang,
) -> DatasetView<'r> {
    let licenses = if d.licenses.is_empty() {
        vec![Link {
            href: None,
            label: Text {
                text: catalog.config.license.clone(),
                lang: lang.code,
            },
        }]
    } else {
        d.licenses
            .iter()
            .map(|l| Link {
                href: safe_href(l.path.as_deref()),
                label: Text {
                    text: l
                        .title
                        .clone()
                        .or_else(|| l.name.clone())
                        .unwrap_or_default(),
                    lang: lang.code,
                },
            })
            .collect()
    };
    DatasetView {
        summary: summary(catalog, d, Some(result), lang),
        json_ld: super::jsonld::dataset(catalog, d, result, lang),
        description: lang.text(&d.description),
        paragraphs: lang
            .text(&d.description)
            .text
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        meta_description: short(&lang.text(&d.description).text, 300),
        keywords: keywords(d, lang),
        licenses,
        sources: d
            .sources
            .iter()
            .map(|s| Link {
                href: safe_href(s.path.as_deref()),
                label: Text::plain(&s.title),
            })
            .collect(),
        frequency: d
            .frequency
            .map(|f| lang.msg(&format!("frequency.{}", f.key()))),
        issued: d.issued.map(|x| Date::new(x, lang)),
        temporal: d
            .temporal
            .map(|(a, b)| (Date::new(a, lang), Date::new(b, lang))),
        spatial: d
            .spatial
            .iter()
            .map(|s| scope_link(catalog, s, lang))
            .collect(),
        legal_basis: d.legal_basis.clone(),
        purpose: d.purpose.clone(),
        resolution_835: d.resolution_835.clone(),
        version: d.version.clone(),
        findings: result
            .findings
            .iter()
            .map(|f| f.to_text(lang.code == "uk"))
            .collect(),
        resources: d
            .resources
            .iter()
            .zip(&result.resources)
            .zip(shared)
            .map(|((r, res), shared)| {
                let limit = catalog.config.full_table_max_bytes;
                resource(d, r, (res, shared), limit, lang)
            })
            .collect(),
        charts: charts(d, result, lang),
        passport: {
            use super::exports::{passport, Urls};
            let urls = Urls {
                base: &catalog.config.base_url,
            };
            passport::view(&passport::passport(catalog, d, urls), lang)
        },
    }
}

/// `text` cut at a word boundary to at most `max` characters, with an ellipsis when cut.
fn short(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// One file of a dataset.
#[derive(Debug, Serialize)]
pub struct ResourceView<'r> {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Relative to the site root.
    pub href: String,
    pub file_name: String,
    pub format: String,
    pub size: String,
    pub bytes: String,
    pub sha256: String,
    pub rows: Option<String>,
    pub tabular: bool,
    pub fields: Option<Vec<FieldView>>,
    pub header: &'r [String],
    pub preview: super::rows::Shown<'r>,
    /// The column profile (empty for files that are not tables).
    pub profile: Vec<super::profile::ColumnView>,
    /// The full-table page, relative to the language root, when the table is small enough.
    pub table_href: Option<String>,
    /// For a table above the limit: the limit, to say why there is no full-table page.
    pub table_limit: Option<String>,
    pub findings: Vec<String>,
    pub omitted: u64,
    pub valid: bool,
}

/// The path of a resource's file under `datasets/<id>/`, with `/` separators and no `./`.
pub fn resource_path(r: &Resource) -> String {
    r.path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn resource<'r>(
    d: &Dataset,
    r: &Resource,
    (res, shared): (&'r ResourceResult, &'r super::rows::Shared),
    limit: u64,
    lang: &Lang,
) -> ResourceView<'r> {
    let path = resource_path(r);
    ResourceView {
        name: r.name.clone(),
        title: r.title.clone(),
        description: r.description.clone(),
        href: format!("datasets/{}/{}", d.id, format::url_path(&path)),
        file_name: path.rsplit('/').next().unwrap_or(&path).to_owned(),
        format: r.format.to_uppercase(),
        size: lang.size(res.digest.bytes),
        bytes: format::int(res.digest.bytes, lang.code),
        sha256: res.digest.sha256.clone(),
        rows: res.rows.map(|n| format::int(n, lang.code)),
        tabular: r.is_tabular(),
        fields: r
            .schema
            .as_ref()
            .map(|s| s.fields.iter().map(|f| schema::field(f, s, lang)).collect()),
        header: &res.header,
        preview: super::rows::Shown {
            rows: res.preview_rows(),
            value: &shared.preview,
        },
        profile: super::profile::view(&res.profile, lang),
        table_href: res.all_rows.as_ref().map(|_| table_href(d, r)),
        table_limit: (r.is_tabular() && res.all_rows.is_none() && limit > 0)
            .then(|| lang.size(limit)),
        findings: res
            .findings
            .iter()
            .take(50)
            .map(|f| f.to_text(lang.code == "uk"))
            .collect(),
        omitted: res.omitted + res.findings.len().saturating_sub(50) as u64,
        valid: res.is_valid(),
    }
}

/// The dataset's charts that can be drawn (their resource's rows were kept).
fn charts(d: &Dataset, result: &DatasetResult, lang: &Lang) -> Vec<super::chart::ChartView> {
    d.views
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let schema = d.resources.get(v.resource)?.schema.as_ref()?;
            let res = result.resources.get(v.resource)?;
            super::chart::chart(v, schema, res, format!("chart-{}", i + 1), lang)
        })
        .collect()
}

/// Where a resource's full-table page lives, relative to the language root.
pub fn table_href(d: &Dataset, r: &Resource) -> String {
    format!("datasets/{}/table/{}/", d.id, format::url_path(&r.name))
}

/// The publisher page's view.
#[derive(Debug, Serialize)]
pub struct PublisherView {
    pub slug: String,
    pub href: String,
    pub name: Text,
    pub edrpou: String,
    pub territory: Link,
    pub website: Option<String>,
    pub contact_name: String,
    pub contact_email: Option<String>,
    pub datasets: Vec<SharedListed>,
    /// The Resolution 835 checklist of its datasets.
    pub checklist: super::checklist::Checklist,
    /// Its Atom feed, from the site root (when a dataset of it has a date).
    pub feed: Option<String>,
}

/// A publisher with its datasets.
pub fn publisher(
    catalog: &Catalog,
    p: &Publisher,
    datasets: Vec<SharedListed>,
    lang: &Lang,
) -> PublisherView {
    PublisherView {
        slug: p.slug.to_string(),
        href: format!("publishers/{}/", p.slug),
        name: lang.text(&p.name),
        edrpou: p.edrpou.as_str().to_owned(),
        territory: scope_link(catalog, &p.territory, lang),
        website: safe_href(p.website.as_deref()),
        contact_name: p.contact_name.clone(),
        contact_email: p.contact_email.clone(),
        datasets,
        checklist: super::checklist::checklist(
            catalog,
            &[&p.slug],
            super::checklist::is_local(catalog, &p.slug),
            lang,
        ),
        feed: super::exports::feeds::publisher_feed(catalog, &p.slug),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_schemes_link() {
        let cases: &[(&str, bool)] = &[
            ("https://x.ua", true),
            ("HTTP://x.ua", true),
            ("mailto:a@b.ua", true),
            ("javascript:alert(1)", false),
            (" JavaScript:alert(1)", false),
            ("data:text/html,<script>", false),
            ("//evil.example", false),
        ];
        for (url, ok) in cases {
            assert_eq!(safe_href(Some(url)).is_some(), *ok, "{url}");
        }
    }
}
