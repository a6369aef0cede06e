//! Stage 4, render: CKAN action-API payloads for each dataset, so a publisher can push the
//! catalogue to data.gov.ua (or any CKAN) with `tools/ckan-push.py`: `ckan/package_create.json`
//! and one `ckan/resource_create-<name>.json` per file, beside the dataset's files.
//! Invariants: the package `name` is a valid CKAN name (2–100 of `a-z 0-9 - _`) derived from the
//! dataset id alone, so the same dataset always maps to the same CKAN package; resources link
//! the published file on `base_url` (never an upload); data.gov.ua's extras are always present,
//! «не зазначено» where the data lack a value.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::passport::NOT_STATED;
use super::register::frequency_uk;
use super::{json_bytes, Urls};
use crate::catalog::{Catalog, Dataset, Resource};
use crate::validate::{DatasetResult, ResourceResult};

fn ckan_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
}

/// A CKAN name for `id`: the id itself when it is one; else its allowed characters (others
/// become `-`, cut to 91) and `-` plus 8 hex digits of its SHA-256, so that two ids never share
/// a name.
pub fn name(id: &str) -> String {
    if (2..=100).contains(&id.len()) && id.bytes().all(ckan_char) {
        return id.to_owned();
    }
    let clean: String = id
        .bytes()
        .take(91)
        .map(|b| if ckan_char(b) { b as char } else { '-' })
        .collect();
    let digest = Sha256::digest(id.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{clean}-{hex}")
}

/// CKAN's licence id for an SPDX-style id (CKAN's default licence list); `notspecified` when
/// there is no equivalent, rather than claiming one.
pub fn license_id(spdx: &str) -> &'static str {
    let s = spdx.trim().to_ascii_lowercase();
    let starts = |p: &str| s.starts_with(p);
    if starts("cc-by-nc") {
        "cc-nc"
    } else if starts("cc-by-sa") {
        "cc-by-sa"
    } else if starts("cc-by") {
        "cc-by"
    } else if starts("cc0") {
        "cc-zero"
    } else if s == "odbl-1.0" {
        "odc-odbl"
    } else if s == "odc-by-1.0" {
        "odc-by"
    } else if s == "pddl-1.0" {
        "odc-pddl"
    } else if starts("ogl-uk") {
        "uk-ogl"
    } else if ["mit", "apache-2.0", "bsd-2-clause", "bsd-3-clause", "isc"].contains(&s.as_str()) {
        "other-open"
    } else {
        "notspecified"
    }
}

/// Keywords as CKAN tags: characters other than letters, digits, ` `, `-`, `_`, `.` become
/// spaces; tags shorter than 2 or longer than 100 characters are left out; no duplicates.
pub fn tags(keywords: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keywords {
        let cleaned: String = k
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        let tag = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        if (2..=100).contains(&tag.chars().count()) && !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

fn extra(key: &str, value: Option<&str>) -> Value {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    json!({"key": key, "value": value.unwrap_or(NOT_STATED)})
}

/// The `package_create` payload of `d`.
pub fn package(catalog: &Catalog, d: &Dataset, urls: Urls) -> Value {
    let p = catalog.publishers.get(&d.publisher);
    let licence = (d.licenses.iter())
        .find_map(|l| l.name.as_deref())
        .unwrap_or(&catalog.config.license);
    let tags = tags(&d.keywords);
    let mut o = Map::new();
    o.insert("name".into(), json!(name(d.id.as_str())));
    o.insert("title".into(), json!(d.title.uk));
    o.insert("notes".into(), json!(d.description.uk));
    o.insert("owner_org".into(), json!(name(d.publisher.as_str())));
    o.insert("license_id".into(), json!(license_id(licence)));
    o.insert("url".into(), json!(urls.dataset(d, false)));
    if let Some(v) = &d.version {
        o.insert("version".into(), json!(v));
    }
    if let Some(p) = p {
        o.insert("author".into(), json!(p.name.uk));
        o.insert("maintainer".into(), json!(p.contact_name));
        if let Some(e) = &p.contact_email {
            o.insert("maintainer_email".into(), json!(e));
        }
    }
    let tag_objects: Vec<Value> = tags.iter().map(|t| json!({"name": t})).collect();
    o.insert("tags".into(), Value::Array(tag_objects));
    // data.gov.ua's form reads the tags from `tag_string` (comma-separated).
    o.insert("tag_string".into(), json!(tags.join(",")));
    o.insert(
        "extras".into(),
        json!([
            extra("purpose_of_collecting_information", d.purpose.as_deref()),
            extra("update_frequency", d.frequency.map(frequency_uk)),
            extra("language", Some("Українська")),
            extra("publisherIdentifier", p.map(|p| p.edrpou.as_str())),
        ]),
    );
    Value::Object(o)
}

/// The `resource_create` payload of resource `r` of `d`.
pub fn resource(d: &Dataset, r: &Resource, res: Option<&ResourceResult>, urls: Urls) -> Value {
    let mut o = Map::new();
    o.insert("package_id".into(), json!(name(d.id.as_str())));
    o.insert(
        "name".into(),
        json!(r.title.clone().unwrap_or_else(|| r.name.clone())),
    );
    if let Some(desc) = &r.description {
        o.insert("description".into(), json!(desc));
    }
    o.insert("url".into(), json!(urls.download(d, r)));
    // A link to the published file, not an upload: CKAN keeps no copy.
    o.insert("url_type".into(), Value::Null);
    o.insert("format".into(), json!(r.format.to_uppercase()));
    if let Some(m) = &r.mediatype {
        o.insert("mimetype".into(), json!(m));
    }
    if let Some(res) = res {
        o.insert("size".into(), json!(res.digest.bytes));
        o.insert("hash".into(), json!(res.digest.sha256));
        o.insert("hash_algorithm".into(), json!("sha256"));
    }
    Value::Object(o)
}

/// The file name of a resource's payload: `resource_create-<name>.json` with the resource name
/// when it is a safe file name, else its position; `-<position>` is added on a clash.
fn resource_file(r: &Resource, index: usize, taken: &[String]) -> String {
    let safe = !r.name.is_empty()
        && r.name.len() <= 100
        && !r.name.starts_with('.')
        && (r.name.bytes()).all(|b| ckan_char(b) || b == b'.');
    let stem = if safe {
        r.name.clone()
    } else {
        (index + 1).to_string()
    };
    let file = format!("resource_create-{stem}.json");
    if taken.contains(&file) {
        format!("resource_create-{stem}-{}.json", index + 1)
    } else {
        file
    }
}

/// Every payload file of `d`: (file name inside `ckan/`, bytes), the package first.
pub fn payloads(
    catalog: &Catalog,
    d: &Dataset,
    result: &DatasetResult,
    urls: Urls,
) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(
        "package_create.json".to_owned(),
        json_bytes(&package(catalog, d, urls)),
    )];
    let mut taken: Vec<String> = Vec::new();
    for (i, r) in d.resources.iter().enumerate() {
        let file = resource_file(r, i, &taken);
        taken.push(file.clone());
        let payload = resource(d, r, result.resources.get(i), urls);
        out.push((file, json_bytes(&payload)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_ckan_rules() {
        assert_eq!(name("vinnytsia-budget"), "vinnytsia-budget");
        let cases = ["a", "a.b", &"x".repeat(120), "budget.2024_v1"];
        let mut seen = Vec::new();
        for id in cases {
            let n = name(id);
            assert!((2..=100).contains(&n.len()), "{id} → {n}");
            assert!(n.bytes().all(ckan_char), "{id} → {n}");
            assert_eq!(n, name(id), "deterministic");
            assert!(!seen.contains(&n));
            seen.push(n);
        }
        // `.` and `-` differ in the id, so their names differ too.
        assert_ne!(name("a.b"), name("a-b"));
    }

    fn resource(name: &str) -> Resource {
        Resource {
            name: name.into(),
            path: "a.csv".into(),
            title: None,
            description: None,
            format: "csv".into(),
            mediatype: None,
            encoding: None,
            declared_bytes: None,
            declared_hash: None,
            schema: None,
            dialect: Default::default(),
        }
    }

    #[test]
    fn resource_files_are_safe_and_distinct() {
        let names = ["revenues", "Доходи", "../x", "1", "revenues"];
        let mut taken = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let file = resource_file(&resource(n), i, &taken);
            assert!(!taken.contains(&file), "{file}");
            assert!(!file.contains('/') && file.is_ascii(), "{file}");
            taken.push(file);
        }
        assert_eq!(
            taken,
            [
                "resource_create-revenues.json",
                "resource_create-2.json",
                "resource_create-3.json",
                "resource_create-1.json",
                "resource_create-revenues-5.json"
            ]
        );
    }

    #[test]
    fn licences_and_tags() {
        assert_eq!(license_id("CC-BY-4.0"), "cc-by");
        assert_eq!(license_id("CC-BY-SA-4.0"), "cc-by-sa");
        assert_eq!(license_id("CC0-1.0"), "cc-zero");
        assert_eq!(license_id("MIT"), "other-open");
        assert_eq!(license_id("proprietary"), "notspecified");
        let kw = [
            "бюджет".to_owned(),
            "a".into(),
            "доходи, видатки".into(),
            "бюджет".into(),
        ];
        assert_eq!(tags(&kw), ["бюджет", "доходи видатки"]);
    }
}
