//! Load stage: one dataset folder's `datapackage.json` (Frictionless Data Package v2, v1 accepted)
//! and hromadata's own properties under the `"hromadata"` key, into a `Dataset`. Invariants of a
//! returned `Dataset`: its id is a valid slug, every resource path is relative, inside the dataset
//! folder and names an existing regular file, and every schema parsed.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

use super::config::LocalText;
use super::ids::{DatasetId, PublisherSlug, Scope};
use super::schema::Schema;
use crate::validate::report::{Finding, Kind};

/// Update frequency, in data.gov.ua's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    MoreThanDaily,
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
    OnChange,
    NoLongerUpdated,
}

impl Frequency {
    /// Every frequency with its key and data.gov.ua's Ukrainian label.
    pub const ALL: [(Frequency, &'static str, &'static str); 9] = [
        (
            Frequency::MoreThanDaily,
            "more-than-daily",
            "більше одного разу на день",
        ),
        (Frequency::Daily, "daily", "щодня"),
        (Frequency::Weekly, "weekly", "щотижня"),
        (Frequency::Monthly, "monthly", "щомісяця"),
        (Frequency::Quarterly, "quarterly", "щокварталу"),
        (Frequency::HalfYearly, "half-yearly", "кожні пів року"),
        (Frequency::Yearly, "yearly", "щороку"),
        (Frequency::OnChange, "on-change", "відразу після змін"),
        (
            Frequency::NoLongerUpdated,
            "no-longer-updated",
            "більше не оновлюється",
        ),
    ];

    /// When a dataset last updated on `last` is due again: the date of its next update by this
    /// frequency (a month later is the same day of the month, or the month's last day). `None`
    /// for frequencies with no schedule (on change, no longer updated).
    pub fn next_due(self, last: NaiveDate) -> Option<NaiveDate> {
        let days = |n| last.checked_add_days(chrono::Days::new(n));
        let months = |n| last.checked_add_months(chrono::Months::new(n));
        match self {
            Frequency::MoreThanDaily | Frequency::Daily => days(1),
            Frequency::Weekly => days(7),
            Frequency::Monthly => months(1),
            Frequency::Quarterly => months(3),
            Frequency::HalfYearly => months(6),
            Frequency::Yearly => months(12),
            Frequency::OnChange | Frequency::NoLongerUpdated => None,
        }
    }

    /// Parses a key (`monthly`) or a Ukrainian label (`щомісяця`), case-insensitively.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        Self::ALL
            .iter()
            .find(|(_, key, uk)| *key == t || *uk == t)
            .map(|(f, ..)| *f)
    }

    /// The key, e.g. `half-yearly`.
    pub fn key(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, ..)| *f == self)
            .map_or("", |(_, k, _)| k)
    }
}

/// A licence as declared in `licenses`.
#[derive(Debug, Clone, Serialize)]
pub struct License {
    pub name: Option<String>,
    pub path: Option<String>,
    pub title: Option<String>,
}

/// A source as declared in `sources`.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub title: String,
    pub path: Option<String>,
}

/// A hash declared in a resource descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DeclaredHash {
    Sha256(String),
    Md5(String),
}

pub use super::dialect::Dialect;

/// One resource (file) of a dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub name: String,
    /// Path relative to the dataset folder.
    pub path: PathBuf,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Lowercase format, from `format` or the file extension.
    pub format: String,
    pub mediatype: Option<String>,
    pub encoding: Option<String>,
    pub declared_bytes: Option<u64>,
    pub declared_hash: Option<DeclaredHash>,
    /// Shared by the resources whose schemas are the same JSON (`schema::Interner`).
    pub schema: Option<std::sync::Arc<Schema>>,
    pub dialect: Dialect,
}

impl Resource {
    /// True when the validator reads it as a table.
    pub fn is_tabular(&self) -> bool {
        self.schema.is_some() || matches!(self.format.as_str(), "csv" | "tsv")
    }
}

/// A descriptor as written, kept as compact JSON text: a parsed `Value` of a national
/// catalogue's descriptors took a gigabyte (a map per object, a string per key), the text a
/// tenth of it, and the few that read the whole descriptor parse it once per dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Descriptor(Box<str>);

impl Descriptor {
    /// Keeps `obj` as text.
    pub fn new(obj: &Map<String, Value>) -> Descriptor {
        Descriptor(serde_json::to_string(obj).unwrap_or_default().into())
    }

    /// The descriptor as a JSON object (in the order written).
    pub fn object(&self) -> Map<String, Value> {
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

/// A dataset: one folder with a `datapackage.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    pub id: DatasetId,
    pub publisher: PublisherSlug,
    /// The folder, relative to the source folder.
    pub folder: PathBuf,
    /// The descriptor as written, republished with computed `bytes` and `hash`.
    #[serde(skip)]
    pub descriptor: Descriptor,
    pub title: LocalText,
    pub description: LocalText,
    pub keywords: Vec<String>,
    pub keywords_en: Vec<String>,
    pub licenses: Vec<License>,
    pub sources: Vec<Source>,
    pub version: Option<String>,
    pub frequency: Option<Frequency>,
    pub issued: Option<NaiveDate>,
    pub modified: Option<NaiveDate>,
    pub spatial: Vec<Scope>,
    pub temporal: Option<(NaiveDate, NaiveDate)>,
    pub legal_basis: Option<String>,
    pub purpose: Option<String>,
    pub resolution_835: Option<String>,
    pub resources: Vec<Resource>,
    /// The territory facts this dataset is the source of (`hromadata.profile`).
    pub profile: Option<super::profile::ProfileSource>,
    /// The charts it declares (`views`).
    pub views: Vec<super::views::View>,
}

impl Dataset {
    /// When the dataset is due for its next update: its `frequency` counted from `modified`
    /// (`None` without both, or for frequencies with no schedule).
    pub fn next_due(&self) -> Option<NaiveDate> {
        self.frequency?.next_due(self.modified?)
    }

    /// True when `today` is past the next due date: the dataset is overdue.
    pub fn overdue(&self, today: Option<NaiveDate>) -> bool {
        matches!((self.next_due(), today), (Some(due), Some(today)) if today > due)
    }
}

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
            d.descriptor = Descriptor::new(&obj);
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

#[cfg(test)]
mod tests {
    #[test]
    fn next_due_by_frequency() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let cases = [
            (Frequency::Daily, "2026-02-28", Some("2026-03-01")),
            (Frequency::Weekly, "2026-12-29", Some("2027-01-05")),
            (Frequency::Monthly, "2026-01-31", Some("2026-02-28")),
            (Frequency::Quarterly, "2026-11-30", Some("2027-02-28")),
            (Frequency::HalfYearly, "2026-08-31", Some("2027-02-28")),
            (Frequency::Yearly, "2028-02-29", Some("2029-02-28")),
            (Frequency::OnChange, "2026-01-01", None),
            (Frequency::NoLongerUpdated, "2026-01-01", None),
        ];
        for (f, last, due) in cases {
            assert_eq!(f.next_due(d(last)), due.map(d), "{f:?} after {last}");
        }
    }

    use super::*;

    #[test]
    fn frequencies() {
        let cases: &[(&str, Option<Frequency>)] = &[
            ("monthly", Some(Frequency::Monthly)),
            ("Щомісяця", Some(Frequency::Monthly)),
            (" half-yearly ", Some(Frequency::HalfYearly)),
            ("відразу після змін", Some(Frequency::OnChange)),
            ("fortnightly", None),
        ];
        for (text, want) in cases {
            assert_eq!(Frequency::parse(text), *want, "{text}");
        }
        for (f, key, _) in Frequency::ALL {
            assert_eq!(f.key(), key);
        }
    }
}
