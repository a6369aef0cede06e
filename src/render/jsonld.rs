//! Stage 4, render: a schema.org `Dataset` description of each dataset, embedded in its page as
//! JSON-LD, so that search engines (Google Dataset Search) find and describe it. Built from the
//! same metadata as the page; URLs are absolute (the catalogue's `base_url`). A property the
//! metadata lack is left out, never invented. Invariant: the text
//! can sit inside `<script>` as is (`<` is written `\u003c`, so no `</script>` can close it).

use serde_json::{json, Map, Value};

use super::view::Lang;
use crate::catalog::{Catalog, Dataset, Scope};
use crate::validate::DatasetResult;

/// The JSON-LD text for `d`'s page in `lang`.
pub fn dataset(catalog: &Catalog, d: &Dataset, result: &DatasetResult, lang: &Lang) -> String {
    let urls = super::exports::Urls {
        base: &catalog.config.base_url,
    };
    let page = urls.dataset(d, lang.code != super::LANGS[0]);
    let mut o = Map::new();
    o.insert("@context".into(), json!("https://schema.org"));
    o.insert("@type".into(), json!("Dataset"));
    o.insert("@id".into(), json!(page));
    o.insert("url".into(), json!(page));
    o.insert("identifier".into(), json!(d.id.to_string()));
    o.insert("name".into(), json!(lang.text(&d.title).text));
    // Left out rather than empty when the dataset has none (Google wants 50–5,000 characters).
    let description = lang.text(&d.description).text;
    if !description.trim().is_empty() {
        o.insert("description".into(), json!(description));
    }
    o.insert("inLanguage".into(), json!("uk"));
    o.insert("isAccessibleForFree".into(), json!(true));
    let keywords = if lang.code == "en" && !d.keywords_en.is_empty() {
        &d.keywords_en
    } else {
        &d.keywords
    };
    if !keywords.is_empty() {
        o.insert("keywords".into(), json!(keywords));
    }
    // A URL, as search engines want: the declared `path`, else the SPDX list's page for the id
    // (the same IRI as the DCAT-AP `dct:license`).
    let licence = if d.licenses.is_empty() {
        super::dcat::spdx_license(&catalog.config.license)
    } else {
        d.licenses.iter().find_map(super::dcat::license_iri)
    };
    if let Some(url) = licence {
        o.insert("license".into(), json!(url));
    }
    if let Some(p) = catalog.publishers.get(&d.publisher) {
        let mut org = json!({
            "@type": "GovernmentOrganization",
            "name": lang.text(&p.name).text,
            "identifier": {"@type": "PropertyValue", "propertyID": "ЄДРПОУ", "value": p.edrpou.as_str()},
        });
        if let Some(site) = &p.website {
            org["url"] = json!(site);
        }
        o.insert("creator".into(), org.clone());
        o.insert("publisher".into(), org);
    }
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| json!(super::format::iso_date(d)));
    if let Some(v) = date(d.issued) {
        o.insert("datePublished".into(), v);
    }
    if let Some(v) = date(d.modified) {
        o.insert("dateModified".into(), v);
    }
    if let Some((start, end)) = d.temporal {
        o.insert("temporalCoverage".into(), json!(format!("{start}/{end}")));
    }
    if let Some(v) = &d.version {
        o.insert("version".into(), json!(v));
    }
    let places: Vec<Value> = d.spatial.iter().map(|s| place(catalog, s)).collect();
    if !places.is_empty() {
        o.insert("spatialCoverage".into(), Value::Array(places));
    }
    let downloads: Vec<Value> = (d.resources.iter().zip(&result.resources))
        .map(|(r, res)| {
            json!({
                "@type": "DataDownload",
                "name": r.title.clone().unwrap_or_else(|| r.name.clone()),
                "contentUrl": urls.download(d, r),
                "encodingFormat": r.mediatype.clone().unwrap_or_else(|| r.format.clone()),
                "contentSize": format!("{} B", res.digest.bytes),
                "sha256": res.digest.sha256,
            })
        })
        .collect();
    o.insert("distribution".into(), Value::Array(downloads));
    o.insert(
        "includedInDataCatalog".into(),
        json!({
            "@type": "DataCatalog",
            "name": lang.text(&catalog.config.title).text,
            "url": format!("{}{}", urls.base, super::PageAt::prefix(lang.code)),
        }),
    );
    let text = serde_json::to_string(&Value::Object(o)).unwrap_or_default();
    text.replace('<', "\\u003c")
}

/// A territory as a schema.org `Place` (Ukraine for the whole country).
fn place(catalog: &Catalog, scope: &Scope) -> Value {
    match scope {
        Scope::Country => json!({"@type": "Country", "name": "Україна"}),
        Scope::Territory(code) => {
            let name = catalog
                .registry
                .get(code)
                .map_or_else(|| code.to_string(), |t| t.name.clone());
            json!({
                "@type": "AdministrativeArea",
                "name": name,
                "identifier": {"@type": "PropertyValue", "propertyID": "КАТОТТГ", "value": code.to_string()},
            })
        }
    }
}
