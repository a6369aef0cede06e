//! Stage 4, render: a schema.org `Dataset` description of each dataset, embedded in its page as
//! JSON-LD, so that search engines (Google Dataset Search) find and describe it. Built from the
//! same metadata as the page; URLs are absolute (the catalogue's `base_url`). A property the
//! metadata lack is left out, never invented. Invariant: the text
//! can sit inside `<script>` as is (`<` is written `\u003c`, so no `</script>` can close it).

use serde::Serialize;

use super::view::Lang;
use crate::catalog::{Catalog, Dataset, Scope};
use crate::validate::DatasetResult;

/// A schema.org `Dataset`, its properties in the order they are written. Serialised straight to
/// text: built as a JSON value first, each object was a hash map, 2 % of a national build.
#[derive(Serialize)]
struct SchemaDataset<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
    url: &'a str,
    identifier: &'a str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(rename = "inLanguage")]
    in_language: &'static str,
    #[serde(rename = "isAccessibleForFree")]
    free: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    keywords: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    creator: Option<&'a Organization<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'a Organization<'a>>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    #[serde(rename = "dateModified", skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(rename = "temporalCoverage", skip_serializing_if = "Option::is_none")]
    temporal_coverage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(rename = "spatialCoverage", skip_serializing_if = "Vec::is_empty")]
    spatial_coverage: Vec<Place<'a>>,
    distribution: Vec<Download<'a>>,
    #[serde(rename = "includedInDataCatalog")]
    catalog: DataCatalog,
}

#[derive(Serialize)]
struct Organization<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: String,
    identifier: PropertyValue<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct PropertyValue<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "propertyID")]
    property: &'static str,
    value: std::borrow::Cow<'a, str>,
}

/// A territory as a schema.org `Place`: Ukraine for the whole country, else an
/// `AdministrativeArea` with its KATOTTG code.
#[derive(Serialize)]
struct Place<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<PropertyValue<'a>>,
}

#[derive(Serialize)]
struct Download<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(rename = "contentUrl")]
    content_url: String,
    #[serde(rename = "encodingFormat")]
    encoding_format: &'a str,
    #[serde(rename = "contentSize")]
    content_size: String,
    sha256: &'a str,
}

#[derive(Serialize)]
struct DataCatalog {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: String,
    url: String,
}

/// The JSON-LD text for `d`'s page in `lang`.
pub fn dataset(catalog: &Catalog, d: &Dataset, result: &DatasetResult, lang: &Lang) -> String {
    let urls = super::exports::Urls {
        base: &catalog.config.base_url,
    };
    let page = urls.dataset(d, lang.code != super::LANGS[0]);
    let id = d.id.to_string();
    // Left out rather than empty when the dataset has none (Google wants 50–5,000 characters).
    let description = Some(lang.text(&d.description).text).filter(|t| !t.trim().is_empty());
    let keywords = if lang.code == "en" && !d.keywords_en.is_empty() {
        &d.keywords_en
    } else {
        &d.keywords
    };
    // A URL, as search engines want: the declared `path`, else the SPDX list's page for the id
    // (the same IRI as the DCAT-AP `dct:license`).
    let license = if d.licenses.is_empty() {
        super::dcat::spdx_license(&catalog.config.license)
    } else {
        d.licenses.iter().find_map(super::dcat::license_iri)
    };
    let org = catalog.publishers.get(&d.publisher).map(|p| Organization {
        kind: "GovernmentOrganization",
        name: lang.text(&p.name).text,
        identifier: PropertyValue {
            kind: "PropertyValue",
            property: "ЄДРПОУ",
            value: p.edrpou.as_str().into(),
        },
        url: p.website.as_deref(),
    });
    let date = |d: Option<chrono::NaiveDate>| d.map(super::format::iso_date);
    let spatial_coverage = d.spatial.iter().map(|s| place(catalog, s)).collect();
    let distribution = (d.resources.iter().zip(&result.resources))
        .map(|(r, res)| Download {
            kind: "DataDownload",
            name: r.title.as_deref().unwrap_or(&r.name),
            content_url: urls.download(d, r),
            encoding_format: r.mediatype.as_deref().unwrap_or(&r.format),
            content_size: format!("{} B", res.digest.bytes),
            sha256: &res.digest.sha256,
        })
        .collect();
    let schema = SchemaDataset {
        context: "https://schema.org",
        kind: "Dataset",
        id: &page,
        url: &page,
        identifier: &id,
        name: lang.text(&d.title).text,
        description,
        in_language: "uk",
        free: true,
        keywords,
        license,
        creator: org.as_ref(),
        publisher: org.as_ref(),
        date_published: date(d.issued),
        date_modified: date(d.modified),
        temporal_coverage: d.temporal.map(|(start, end)| format!("{start}/{end}")),
        version: d.version.as_deref(),
        spatial_coverage,
        distribution,
        catalog: DataCatalog {
            kind: "DataCatalog",
            name: lang.text(&catalog.config.title).text,
            url: format!("{}{}", urls.base, super::PageAt::prefix(lang.code)),
        },
    };
    let text = serde_json::to_string(&schema).unwrap_or_default();
    text.replace('<', "\\u003c")
}

/// A territory as a schema.org `Place` (Ukraine for the whole country).
fn place<'a>(catalog: &'a Catalog, scope: &Scope) -> Place<'a> {
    match scope {
        Scope::Country => Place {
            kind: "Country",
            name: "Україна".into(),
            identifier: None,
        },
        Scope::Territory(code) => {
            let name = catalog.registry.get(code).map(|t| t.name.as_str());
            Place {
                kind: "AdministrativeArea",
                name: name.map_or_else(|| code.to_string().into(), Into::into),
                identifier: Some(PropertyValue {
                    kind: "PropertyValue",
                    property: "КАТОТТГ",
                    value: code.to_string().into(),
                }),
            }
        }
    }
}
