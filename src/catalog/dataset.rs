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
