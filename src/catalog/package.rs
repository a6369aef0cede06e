//! Load stage: one dataset folder's `datapackage.json` (Frictionless Data Package v2, v1 accepted)
//! and hromadata's own properties under the `"hromadata"` key, into a `Dataset` (`dataset.rs`).
//! Invariants of a returned `Dataset`: its id is a valid slug, every resource path is relative,
//! inside the dataset folder and names an existing regular file, and every schema parsed.

use std::path::Path;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::config::LocalText;
use super::dataset::{Dataset, Descriptor, Frequency, License, Resource, Source};
use super::ids::{DatasetId, PublisherSlug, Scope};
use crate::validate::report::{Finding, Kind};

/// Collects findings while reading one descriptor, all located at the same file.
struct Reader<'a> {
    shown: &'a Path,
    findings: Vec<Finding>,
}

impl Reader<'_> {
    fn bad(&mut self, kind: Kind, key: &str, expected: impl Into<String>, found: Option<&Value>) {
        let mut f = Finding::new(kind, self.shown, expected).field(key, None);
        if let Some(v) = found {
            f = f.found(v.as_str().map_or_else(|| v.to_string(), str::to_owned));
        }
        self.findings.push(f);
    }

    fn text(&mut self, obj: &Map<String, Value>, key: &str, label: &str) -> Option<String> {
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.bad(Kind::PackageError, label, "text", Some(other));
                None
            }
        }
    }

    fn texts(&mut self, obj: &Map<String, Value>, key: &str, label: &str) -> Vec<String> {
        match obj.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(other) => {
                self.bad(Kind::PackageError, label, "a list of texts", Some(other));
                Vec::new()
            }
        }
    }

    fn date(&mut self, obj: &Map<String, Value>, key: &str, label: &str) -> Option<NaiveDate> {
        let text = self.text(obj, key, label)?;
        let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
        if date.is_none() {
            self.bad(
                Kind::PackageError,
                label,
                "a date as YYYY-MM-DD, e.g. 2026-03-31",
                Some(&Value::String(text)),
            );
        }
        date
    }
}

/// Everything `parse` needs to know about where the descriptor sits.
pub struct Location<'a> {
    /// The source folder on disk.
    pub source: &'a Path,
    /// The dataset folder, relative to the source folder.
    pub folder: &'a Path,
    pub publisher: &'a PublisherSlug,
    /// The schemas parsed so far in this load.
    pub schemas: &'a super::schema::Interner,
    /// The source folder as a walk found it, when there is one (`super::Listing`).
    pub listing: Option<&'a super::Listing<'a>>,
}

/// Parses a `datapackage.json` text. Returns the dataset when it is usable (possibly with
/// findings about optional properties), or `None` with the findings that make it unusable.
/// Findings about a property carry the line its value starts on.
pub fn parse(text: &str, at: &Location) -> (Option<Dataset>, Vec<Finding>) {
    let (dataset, mut findings) = read(text, at);
    let shown = at.folder.join("datapackage.json");
    for f in findings
        .iter_mut()
        .filter(|f| f.row.is_none() && f.file == shown)
    {
        f.row = (f.field.as_deref()).and_then(|field| super::jsonline::line_of(text, field));
    }
    (dataset, findings)
}

fn read(text: &str, at: &Location) -> (Option<Dataset>, Vec<Finding>) {
    let shown = at.folder.join("datapackage.json");
    let mut r = Reader {
        shown: &shown,
        findings: Vec::new(),
    };
    let obj = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(obj)) => obj,
        Ok(_) => {
            r.bad(Kind::PackageError, "(root)", "a JSON object", None);
            return (None, r.findings);
        }
        Err(e) => {
            let f = Finding::new(Kind::PackageError, &shown, "valid JSON")
                .row(e.line() as u64)
                .found(e.to_string())
                .hint("check for a missing comma or quote near that line");
            return (None, vec![f]);
        }
    };
    let id = dataset_id(&mut r, &obj, at.folder);
    let ext = match obj.get("hromadata") {
        None => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            r.bad(
                Kind::PackageError,
                "hromadata",
                "an object with hromadata's properties",
                Some(other),
            );
            Map::new()
        }
    };
    unknown_properties(&mut r, &ext);
    let dataset = id.map(|id| read_dataset(&mut r, &obj, &ext, id, at));
    let resources = read_resources(&mut r, &obj, at);
    match (dataset, resources) {
        (Some(mut d), Some(resources)) => {
            let (profile, mut problems) = super::profile::parse(&ext, &resources, r.shown);
            r.findings.append(&mut problems);
            d.profile = profile;
            let (views, mut problems) = super::views::parse(&obj, &resources, r.shown);
            r.findings.append(&mut problems);
            d.views = views;
            d.resources = resources;
            d.url_findings = crate::validate::urls::findings(&obj, r.shown);
            d.descriptor = Descriptor::of_text(text, &obj);
            (Some(d), r.findings)
        }
        _ => (None, r.findings),
    }
}

/// The properties of the `hromadata` object: ours, so a misspelt one (`frequncy`) is a finding
/// rather than a property silently ignored. `nextDue` and `overdue` are what the build adds to
/// published descriptors.
const HROMADATA_PROPERTIES: &str = "title_en description_en keywords_en frequency issued modified \
    spatial temporal legal_basis purpose resolution_835 profile nextDue overdue";

fn unknown_properties(r: &mut Reader, ext: &Map<String, Value>) {
    let known: Vec<&str> = HROMADATA_PROPERTIES.split_whitespace().collect();
    for key in ext.keys().filter(|k| !known.contains(&k.as_str())) {
        let known = known[..known.len() - 2].join(", ");
        r.findings.push(
            Finding::new(Kind::PackageError, r.shown, format!("one of hromadata's properties: {known}"))
                .field(format!("hromadata.{key}"), None)
                .found(key.clone())
                .hint("check the spelling; README, “datapackage.json — hromadata's own properties”, lists them"),
        );
    }
}

fn dataset_id(r: &mut Reader, obj: &Map<String, Value>, folder: &Path) -> Option<DatasetId> {
    let from_folder = || {
        folder
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(super::slug::slugify)
    };
    let name = r.text(obj, "name", "name").or_else(from_folder)?;
    match DatasetId::parse(&name) {
        Ok(id) => Some(id),
        Err(e) => {
            r.bad(Kind::PackageError, "name", e.0, Some(&Value::String(name)));
            None
        }
    }
}

fn local(
    r: &mut Reader,
    obj: &Map<String, Value>,
    ext: &Map<String, Value>,
    key: &str,
) -> Option<LocalText> {
    let uk = r.text(obj, key, key);
    let en = r.text(ext, &format!("{key}_en"), &format!("hromadata.{key}_en"));
    uk.map(|uk| LocalText { uk, en })
}

fn read_dataset(
    r: &mut Reader,
    obj: &Map<String, Value>,
    ext: &Map<String, Value>,
    id: DatasetId,
    at: &Location,
) -> Dataset {
    let title = local(r, obj, ext, "title").unwrap_or_else(|| {
        r.bad(
            Kind::PackageError,
            "title",
            "a title (in Ukrainian) so people can find the dataset",
            None,
        );
        LocalText::uk(id.as_str())
    });
    let description = local(r, obj, ext, "description").unwrap_or_else(|| LocalText::uk(""));
    Dataset {
        publisher: at.publisher.clone(),
        folder: at.folder.to_path_buf(),
        descriptor: Descriptor::default(),
        title,
        description,
        keywords: r.texts(obj, "keywords", "keywords"),
        keywords_en: r.texts(ext, "keywords_en", "hromadata.keywords_en"),
        licenses: list_of(r, obj, "licenses", |r, o| License {
            name: r.text(o, "name", "licenses[].name"),
            path: r.text(o, "path", "licenses[].path"),
            title: r.text(o, "title", "licenses[].title"),
        }),
        sources: list_of(r, obj, "sources", |r, o| Source {
            title: r.text(o, "title", "sources[].title").unwrap_or_default(),
            path: r.text(o, "path", "sources[].path"),
        }),
        version: r.text(obj, "version", "version"),
        frequency: frequency(r, ext),
        issued: r.date(ext, "issued", "hromadata.issued"),
        modified: r.date(ext, "modified", "hromadata.modified"),
        spatial: spatial(r, ext),
        temporal: temporal(r, ext),
        legal_basis: r.text(ext, "legal_basis", "hromadata.legal_basis"),
        purpose: r.text(ext, "purpose", "hromadata.purpose"),
        resolution_835: r.text(ext, "resolution_835", "hromadata.resolution_835"),
        resources: Vec::new(),
        profile: None,
        views: Vec::new(),
        url_findings: Vec::new(),
        id,
    }
}

fn list_of<T>(
    r: &mut Reader,
    obj: &Map<String, Value>,
    key: &str,
    item: impl Fn(&mut Reader, &Map<String, Value>) -> T,
) -> Vec<T> {
    match obj.get(key) {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v.as_object() {
                Some(o) => Some(item(r, o)),
                None => {
                    r.bad(Kind::PackageError, key, "a list of objects", Some(v));
                    None
                }
            })
            .collect(),
        Some(other) => {
            r.bad(Kind::PackageError, key, "a list of objects", Some(other));
            Vec::new()
        }
    }
}

fn frequency(r: &mut Reader, ext: &Map<String, Value>) -> Option<Frequency> {
    let text = r.text(ext, "frequency", "hromadata.frequency")?;
    let f = Frequency::parse(&text);
    if f.is_none() {
        let keys: Vec<_> = Frequency::ALL.iter().map(|(_, k, _)| *k).collect();
        r.bad(
            Kind::PackageError,
            "hromadata.frequency",
            format!("one of {}", keys.join(", ")),
            Some(&Value::String(text)),
        );
    }
    f
}

fn spatial(r: &mut Reader, ext: &Map<String, Value>) -> Vec<Scope> {
    r.texts(ext, "spatial", "hromadata.spatial")
        .into_iter()
        .filter_map(|code| match Scope::parse(&code) {
            Ok(s) => Some(s),
            Err(e) => {
                r.bad(
                    Kind::TerritoryError,
                    "hromadata.spatial",
                    e.0,
                    Some(&Value::String(code)),
                );
                None
            }
        })
        .collect()
}

fn temporal(r: &mut Reader, ext: &Map<String, Value>) -> Option<(NaiveDate, NaiveDate)> {
    let t = ext.get("temporal")?;
    let Some(t) = t.as_object() else {
        r.bad(
            Kind::PackageError,
            "hromadata.temporal",
            "an object with `start` and `end` dates",
            Some(t),
        );
        return None;
    };
    let start = r.date(t, "start", "hromadata.temporal.start")?;
    let end = r.date(t, "end", "hromadata.temporal.end")?;
    if end < start {
        r.bad(
            Kind::PackageError,
            "hromadata.temporal",
            "`end` on or after `start`",
            None,
        );
        return None;
    }
    Some((start, end))
}

fn read_resources(
    r: &mut Reader,
    obj: &Map<String, Value>,
    at: &Location,
) -> Option<Vec<Resource>> {
    let Some(Value::Array(items)) = obj.get("resources") else {
        r.bad(
            Kind::PackageError,
            "resources",
            "a non-empty list of resources",
            obj.get("resources"),
        );
        return None;
    };
    if items.is_empty() {
        r.bad(
            Kind::PackageError,
            "resources",
            "at least one resource",
            None,
        );
        return None;
    }
    let before = r.findings.len();
    let mut resources = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(o) = item.as_object() else {
            r.bad(
                Kind::ResourceError,
                &format!("resources[{i}]"),
                "an object",
                Some(item),
            );
            continue;
        };
        let shown = r.shown;
        if let Some(res) = super::resource::read(shown, &mut r.findings, o, i, at) {
            if resources.iter().any(|x: &Resource| x.name == res.name) {
                r.bad(
                    Kind::ResourceError,
                    &format!("resources[{i}].name"),
                    "resource names unique within the dataset",
                    Some(&Value::String(res.name.clone())),
                );
            }
            resources.push(res);
        }
    }
    (r.findings.len() == before).then_some(resources)
}
