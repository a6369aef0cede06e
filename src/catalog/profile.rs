//! Load stage: a dataset declaring itself the source of territory facts — which resource, which
//! column holds the KATOTTG code, and which columns hold which facts. Territory pages show a fact
//! only when a dataset declares it, and link that dataset (nothing invented). Declared in the
//! descriptor's `hromadata` object:
//!
//! ```json
//! "profile": {"resource": "hromada-indicators", "code": "hromada_code",
//!             "facts": {"type": "type", "centre": "hromada_center",
//!                       "population": "total_popultaion_2022", "area": "square",
//!                       "latitude": "lat_center", "longitude": "lon_center"}}
//! ```

use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

use super::dataset::Resource;
use crate::validate::report::{Finding, Kind};

/// The facts a territory profile can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    /// Hromada type: міська, селищна, сільська.
    Type,
    /// The administrative centre's name.
    Centre,
    /// Population (people).
    Population,
    /// Area (km²).
    Area,
    /// The centre's latitude and longitude (degrees, WGS 84): where maps draw the territory.
    Latitude,
    Longitude,
}

impl Fact {
    /// Every fact with its key, in the order pages show them.
    pub const ALL: [(Fact, &'static str); 6] = [
        (Fact::Type, "type"),
        (Fact::Centre, "centre"),
        (Fact::Population, "population"),
        (Fact::Area, "area"),
        (Fact::Latitude, "latitude"),
        (Fact::Longitude, "longitude"),
    ];

    pub fn key(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, k)| k)
    }
}

/// Where a dataset's territory facts are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileSource {
    /// Index of the resource in the dataset.
    pub resource: usize,
    /// The column with the KATOTTG code.
    pub code: String,
    /// Each fact and its column.
    pub facts: Vec<(Fact, String)>,
}

/// Reads `hromadata.profile`; problems become findings located at `shown`.
pub fn parse(
    ext: &Map<String, Value>,
    resources: &[Resource],
    shown: &Path,
) -> (Option<ProfileSource>, Vec<Finding>) {
    let Some(decl) = ext.get("profile") else {
        return (None, Vec::new());
    };
    // (key, what was expected, what was found)
    let mut problems: Vec<(String, String, String)> = Vec::new();
    let text = |key: &str| decl.get(key).and_then(Value::as_str).map(str::to_owned);
    let resource_name = text("resource").unwrap_or_default();
    let Some(index) = resources.iter().position(|r| r.name == resource_name) else {
        let names: Vec<&str> = resources.iter().map(|r| r.name.as_str()).collect();
        let expected = format!(
            "the name of one of the dataset's resources ({})",
            names.join(", ")
        );
        problems.push(("resource".into(), expected, resource_name));
        return (None, located(problems, shown));
    };
    let columns: Vec<&str> = (resources[index].schema.iter())
        .flat_map(|s| s.fields.iter().map(|f| f.name.as_str()))
        .collect();
    let column = |key: &str, name: Option<String>| {
        let name = name.unwrap_or_default();
        if columns.contains(&name.as_str()) {
            return Ok(name);
        }
        let expected = format!("a column of `{resource_name}`'s schema");
        Err((key.to_owned(), expected, name))
    };
    let code = column("code", text("code"))
        .map_err(|p| problems.push(p))
        .ok();
    let mut facts = Vec::new();
    let declared = (decl.get("facts").and_then(Value::as_object).cloned()).unwrap_or_default();
    for (key, value) in &declared {
        match Fact::ALL.iter().find(|(_, k)| k == key) {
            Some((fact, _)) => {
                match column(&format!("facts.{key}"), value.as_str().map(str::to_owned)) {
                    Ok(col) => facts.push((*fact, col)),
                    Err(p) => problems.push(p),
                }
            }
            None => {
                let known: Vec<&str> = Fact::ALL.iter().map(|(_, k)| *k).collect();
                let expected = format!("facts among {}", known.join(", "));
                problems.push(("facts".into(), expected, key.clone()));
            }
        }
    }
    facts.sort();
    match code {
        Some(code) if !facts.is_empty() && problems.is_empty() => (
            Some(ProfileSource {
                resource: index,
                code,
                facts,
            }),
            Vec::new(),
        ),
        _ => (None, located(problems, shown)),
    }
}

fn located(problems: Vec<(String, String, String)>, shown: &Path) -> Vec<Finding> {
    problems
        .into_iter()
        .map(|(key, expected, found)| {
            Finding::new(Kind::PackageError, shown, expected)
                .field(format!("hromadata.profile.{key}"), None)
                .found(found)
                .hint("see README, “Territory profiles”: a resource, its code column, and columns for type, centre, population, area, latitude or longitude")
        })
        .collect()
}
