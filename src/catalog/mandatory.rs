//! Load stage: the datasets Cabinet Resolution No. 835 requires managers of public information to
//! publish, as a list in the source tree (`[resolution_835] list` in `catalog.toml`; the embedded
//! catalogue ships `resolution-835.csv`): code, Ukrainian and English name, who it applies to
//! (`all` managers, or `local-self-government` bodies), and the expected update frequency (may be
//! left empty). A dataset fulfils an item by declaring its code (`hromadata.resolution_835`).
//! Invariants: codes are unique; bad rows are located findings and are left out.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::config::LocalText;
use super::dataset::Frequency;
use crate::validate::report::{Finding, Kind};

/// Who a mandatory dataset applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applies {
    /// Every manager of public information.
    All,
    /// Bodies of local self-government (hromada councils).
    LocalSelfGovernment,
}

/// One dataset the Resolution requires.
#[derive(Debug, Clone, Serialize)]
pub struct Mandatory {
    pub code: String,
    pub name: LocalText,
    pub applies: Applies,
    pub frequency: Option<Frequency>,
}

#[derive(serde::Deserialize)]
struct Row {
    code: String,
    name_uk: String,
    name_en: String,
    applies_to: String,
    #[serde(default)]
    frequency: String,
}

/// Reads the list at `path` (shown in findings as `shown`).
pub fn load(path: &Path, shown: &Path) -> Result<(Vec<Mandatory>, Vec<Finding>), std::io::Error> {
    let mut reader = csv::Reader::from_path(path).map_err(std::io::Error::other)?;
    let mut items = Vec::new();
    let mut findings = Vec::new();
    if let Some(wrong) = wrong_header(&mut reader, shown) {
        return Ok((items, vec![wrong]));
    }
    let mut codes = BTreeSet::new();
    for (index, row) in reader.deserialize::<Row>().enumerate() {
        let line = index as u64 + 2;
        let bad = |field: &str, expected: &str, found: String| {
            Finding::new(Kind::CatalogError, shown, expected)
                .row(line)
                .field(field, None)
                .found(found)
        };
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                findings.push(bad(
                    "",
                    "a row with code, name_uk, name_en, applies_to, frequency",
                    e.to_string(),
                ));
                continue;
            }
        };
        let applies = match row.applies_to.trim() {
            "all" => Applies::All,
            "local-self-government" => Applies::LocalSelfGovernment,
            other => {
                findings.push(bad(
                    "applies_to",
                    "`all` or `local-self-government`",
                    other.to_owned(),
                ));
                continue;
            }
        };
        let frequency = match row.frequency.trim() {
            "" => None,
            text => match Frequency::parse(text) {
                Some(f) => Some(f),
                None => {
                    let keys: Vec<&str> = Frequency::ALL.iter().map(|(_, k, _)| *k).collect();
                    findings.push(bad(
                        "frequency",
                        &format!("empty or one of {}", keys.join(", ")),
                        text.to_owned(),
                    ));
                    continue;
                }
            },
        };
        let code = row.code.trim().to_owned();
        if code.is_empty() || !codes.insert(code.clone()) {
            findings.push(bad("code", "a code used once in the list", code));
            continue;
        }
        items.push(Mandatory {
            code,
            name: LocalText {
                uk: row.name_uk.trim().to_owned(),
                en: Some(row.name_en.trim().to_owned()).filter(|n| !n.is_empty()),
            },
            applies,
            frequency,
        });
    }
    if items.is_empty() && findings.is_empty() {
        let expected = "at least one item after the header (an empty list would check nothing)";
        findings.push(Finding::new(Kind::CatalogError, shown, expected).row(1));
    }
    Ok((items, findings))
}

/// A finding when the header lacks a column the rows need (rows would then all be read as
/// wrong, or none would be read at all); bytes that are not UTF-8 in it are one too.
fn wrong_header(reader: &mut csv::Reader<std::fs::File>, shown: &Path) -> Option<Finding> {
    const NEEDED: [&str; 4] = ["code", "name_uk", "name_en", "applies_to"];
    let found = match reader.headers() {
        Ok(headers)
            if NEEDED
                .iter()
                .all(|n| headers.iter().any(|h| h.trim() == *n)) =>
        {
            return None
        }
        Ok(headers) => headers.iter().collect::<Vec<_>>().join(","),
        Err(e) => e.to_string(),
    };
    let expected = "a header row `code,name_uk,name_en,applies_to,frequency`";
    Some(
        Finding::new(Kind::CatalogError, shown, expected)
            .row(1)
            .found(found),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_rows_checked_and_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("835.csv");
        std::fs::write(
            &path,
            "code,name_uk,name_en,applies_to,frequency\n\
             all-007,Реєстр наборів даних,Register of datasets,all,щокварталу\n\
             mun-002,Перелік об’єктів комунальної власності,Communal property,local-self-government,\n\
             mun-002,Двійник,Twin,local-self-government,\n\
             mun-003,Оренда,Leases,municipal,\n\
             mun-004,Вільні приміщення,Unused premises,local-self-government,sometimes\n",
        )
        .unwrap();
        let (items, findings) = load(&path, Path::new("835.csv")).unwrap();
        assert_eq!(
            items.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(),
            ["all-007", "mun-002"]
        );
        assert_eq!(items[0].frequency, Some(Frequency::Quarterly));
        let located: Vec<(Option<u64>, Option<String>)> =
            findings.iter().map(|f| (f.row, f.field.clone())).collect();
        assert_eq!(
            located,
            [
                (Some(4), Some("code".into())),
                (Some(5), Some("applies_to".into())),
                (Some(6), Some("frequency".into()))
            ]
        );
    }

    #[test]
    fn a_list_without_its_columns_or_items_is_a_finding_at_row_1() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("835.csv");
        for text in [
            "version,x\nall-001,y\n",
            "code,name_uk,name_en,applies_to\n",
            "",
        ] {
            std::fs::write(&path, text).unwrap();
            let (items, findings) = load(&path, Path::new("835.csv")).unwrap();
            assert!(items.is_empty());
            assert_eq!(
                findings.iter().map(|f| f.row).collect::<Vec<_>>(),
                [Some(1)],
                "{text:?}"
            );
        }
    }
}
