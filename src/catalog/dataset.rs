//! Load stage: what a dataset is once its `datapackage.json` is read (`package::parse`) — the
//! `Dataset`, its `Resource`s and their declared properties (update frequency, licences,
//! sources, declared hashes). Plain data; the invariants a read `Dataset` holds are
//! `package`'s.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

use super::config::LocalText;
use super::ids::{DatasetId, PublisherSlug, Scope};
use super::schema::Schema;

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

    /// Keeps `text`, a JSON object that parsed to `obj`, without the whitespace between its
    /// tokens: it parses to what `obj` written out (`new`) parses to. Serialising each parsed
    /// descriptor again was a sixth of a national catalogue's loading; dropping whitespace is a
    /// copy.
    pub fn of_text(text: &str, obj: &Map<String, Value>) -> Descriptor {
        match String::from_utf8(minified(text.as_bytes())) {
            Ok(compact) => Descriptor(compact.into()),
            Err(_) => Descriptor::new(obj),
        }
    }

    /// The descriptor as JSON text (without the whitespace between its tokens).
    pub fn text(&self) -> &str {
        &self.0
    }

    /// The descriptor as a JSON object (in the order written).
    pub fn object(&self) -> Map<String, Value> {
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

/// JSON text without the whitespace outside its strings (JSON has four whitespace bytes, all
/// ASCII, so what is left is as valid UTF-8 as what was given).
fn minified(json: &[u8]) -> Vec<u8> {
    let space = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let mut out = Vec::with_capacity(json.len());
    let mut i = 0;
    while i < json.len() {
        let start = i;
        if json[i] == b'"' {
            // A string, through its closing quote: an escaped character is skipped whole.
            i += 1;
            loop {
                match memchr::memchr2(b'"', b'\\', &json[i..]) {
                    None => {
                        i = json.len();
                        break;
                    }
                    Some(k) if json[i + k] == b'"' => {
                        i += k + 1;
                        break;
                    }
                    Some(k) => i = (i + k + 2).min(json.len()),
                }
            }
        } else if space(json[i]) {
            i += 1;
            continue;
        } else {
            while i < json.len() && !space(json[i]) && json[i] != b'"' {
                i += 1;
            }
        }
        out.extend_from_slice(&json[start..i]);
    }
    out
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
    /// What validation reports about its URL-valued properties (`validate::urls`), found in
    /// the descriptor while it was loaded: parsing the kept descriptor again for them was a
    /// share of a national build.
    #[serde(skip)]
    pub url_findings: Vec<crate::validate::report::Finding>,
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

#[cfg(test)]
mod tests {
    use super::{minified, Descriptor};

    #[test]
    fn a_descriptor_kept_as_text_parses_as_written_out() {
        let cases = [
            ("{}", "{}"),
            (
                "{\n  \"name\" : \"a b\",\r\n\t\"n\": [1, 2.50, -0, 1e3 ]\n}\n",
                r#"{"name":"a b","n":[1,2.50,-0,1e3]}"#,
            ),
            (
                r#"{ "s": "quote \" and \\ then \" end", "t": "x" }"#,
                r#"{"s":"quote \" and \\ then \" end","t":"x"}"#,
            ),
            (
                "{ \"uk\": \"Громада \\u00e9 «лапки»\", \"k\": {\"a\": true, \"b\": null} }",
                "{\"uk\":\"Громада \\u00e9 «лапки»\",\"k\":{\"a\":true,\"b\":null}}",
            ),
            (r#"{"a": 1, "b": 2, "a": 3}"#, r#"{"a":1,"b":2,"a":3}"#),
            (r#"{"s": "ends in \\"}"#, r#"{"s":"ends in \\"}"#),
        ];
        for (text, want) in cases {
            assert_eq!(String::from_utf8(minified(text.as_bytes())).unwrap(), want);
            let obj: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(text).unwrap();
            let kept = Descriptor::of_text(text, &obj);
            assert_eq!(kept.object(), Descriptor::new(&obj).object(), "{text}");
            assert_eq!(kept.object(), obj, "{text}");
        }
        // Cut short, as no parsed text is: kept whole, no panic.
        for cut in [r#"{"a": "b"#, r#"{"a": "b\"#, "\""] {
            assert!(!minified(cut.as_bytes()).is_empty());
        }
    }

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
