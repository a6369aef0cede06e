//! Load stage: the KATOTTG territory registry. It is read from the registry CSV named in
//! `catalog.toml` (one row per object: `code,category,level,name,…,level1,level2,level3,level4,level_extra`),
//! indexed by code, with parent ↔ children links. Invariants: every code parses, every parent
//! exists and its code structure contains the child's, names are trimmed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::ids::KatottgCode;
use crate::validate::report::{Finding, Kind};

/// The codifier's object categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Category {
    /// O: oblast or the Autonomous Republic of Crimea.
    O,
    /// K: city with special status (Kyiv, Sevastopol).
    K,
    /// P: raion.
    P,
    /// H: territorial hromada.
    H,
    /// M: city.
    M,
    /// X: settlement (селище).
    X,
    /// C: village.
    C,
    /// B: city district.
    B,
}

impl Category {
    fn parse(text: &str) -> Option<Self> {
        Some(match text.trim() {
            "O" => Category::O,
            "K" => Category::K,
            "P" => Category::P,
            "H" => Category::H,
            "M" => Category::M,
            "X" => Category::X,
            "C" => Category::C,
            "B" => Category::B,
            _ => return None,
        })
    }
}

/// One object of the codifier.
#[derive(Debug, Clone, Serialize)]
pub struct Territory {
    pub code: KatottgCode,
    pub category: Category,
    /// The official name, trimmed.
    pub name: String,
    /// The nearest object above it (none for oblasts and cities with special status).
    pub parent: Option<KatottgCode>,
    /// Names it had in earlier editions, the latest first (`territories import` keeps them).
    pub former_names: Vec<String>,
}

/// The whole codifier, indexed.
#[derive(Debug, Default)]
pub struct Registry {
    by_code: BTreeMap<KatottgCode, Territory>,
    children: BTreeMap<KatottgCode, Vec<KatottgCode>>,
    /// Every hromada with the top of its chain, made when first asked for (`hromada_tops`).
    hromada_tops: std::sync::OnceLock<Vec<(KatottgCode, Option<KatottgCode>)>>,
}

/// A row of the registry's history (`territories import`).
#[derive(serde::Deserialize)]
struct HistoryRow {
    edition: String,
    change: String,
    code: String,
    old_name: String,
}

/// One row of the registry: the columns it reads, by name.
struct Row<'r> {
    code: &'r str,
    category: &'r str,
    name: &'r str,
    level1: &'r str,
    level2: &'r str,
    level3: &'r str,
    level4: &'r str,
    level_extra: &'r str,
}

/// The columns a registry row is read from, in `Row`'s order.
const COLUMNS: [&str; 8] = [
    "code",
    "category",
    "name",
    "level1",
    "level2",
    "level3",
    "level4",
    "level_extra",
];

/// Where each of `COLUMNS` is in the header, found once: matched by name on every row (as a
/// `Deserialize` struct is), the names were compared eighty times a row, 30,000 rows a build.
/// The column missing first when there is one.
fn positions(header: &csv::StringRecord) -> Result<[usize; 8], &'static str> {
    let mut at = [0; 8];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| h == name).ok_or(name)?;
    }
    Ok(at)
}

impl<'r> Row<'r> {
    /// The row's cells at `at`; `None` when the row is shorter than the header says.
    fn of(record: &'r csv::StringRecord, at: &[usize; 8]) -> Option<Row<'r>> {
        let [code, category, name, level1, level2, level3, level4, level_extra] =
            at.map(|i| record.get(i));
        Some(Row {
            code: code?,
            category: category?,
            name: name?,
            level1: level1?,
            level2: level2?,
            level3: level3?,
            level4: level4?,
            level_extra: level_extra?,
        })
    }
}

impl Registry {
    /// Reads a registry CSV. Malformed rows become findings located at `shown` (the path relative
    /// to the source folder); the rest of the registry is still loaded.
    pub fn load(path: &Path, shown: &Path) -> Result<(Registry, Vec<Finding>), std::io::Error> {
        let file = std::fs::File::open(path)?;
        let mut reader = csv::Reader::from_reader(std::io::BufReader::new(file));
        let mut registry = Registry::default();
        let mut findings = Vec::new();
        let expected = "a registry row with the columns code, category, name, level1…level_extra";
        let at = match reader.headers().map(positions) {
            Ok(Ok(at)) => at,
            Ok(Err(missing)) => {
                let found = format!("a header without the column `{missing}`");
                let f = Finding::new(Kind::TerritoryError, shown, expected).row(1);
                return Ok((registry, vec![f.found(found)]));
            }
            Err(e) => {
                let f = Finding::new(Kind::TerritoryError, shown, expected).row(1);
                return Ok((registry, vec![f.found(e.to_string())]));
            }
        };
        // Collected, then made into maps at once (sorted, in one pass; the codifier is in code
        // order): inserted one by one, the 30,000 codes were a fifth of the registry's loading,
        // which every build does. A code given twice keeps its last row, as inserting did.
        let mut territories = Vec::new();
        let mut record = csv::StringRecord::new();
        for line in 2.. {
            let bad = |found: String| {
                Finding::new(Kind::TerritoryError, shown, expected)
                    .row(line)
                    .found(found)
            };
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    findings.push(bad(e.to_string()));
                    continue;
                }
            }
            let Some(row) = Row::of(&record, &at) else {
                findings.push(bad(format!("{} cells", record.len())));
                continue;
            };
            match Self::parse_row(&row) {
                Ok(t) => territories.push((t, line)),
                Err(expected) => findings.push(
                    Finding::new(Kind::TerritoryError, shown, &expected)
                        .row(line)
                        .found(row.code.to_owned())
                        .field("code", Some(1)),
                ),
            }
        }
        let lines: BTreeMap<KatottgCode, u64> = (territories.iter())
            .map(|(t, line)| (t.code, *line))
            .collect();
        registry.by_code = (territories.into_iter())
            .map(|(t, _)| (t.code, t))
            .collect();
        findings.extend(registry.link(shown, &lines));
        registry.read_history(&crate::territories::history_path(path))?;
        Ok((registry, findings))
    }

    /// Former names from the history `territories import` keeps beside the registry (renames,
    /// the latest first). A registry without a history has no former names.
    fn read_history(&mut self, path: &Path) -> Result<(), std::io::Error> {
        if !path.exists() {
            return Ok(());
        }
        let mut reader = csv::Reader::from_path(path).map_err(std::io::Error::other)?;
        let mut renames = Vec::new();
        for record in reader.deserialize::<HistoryRow>() {
            let row = record.map_err(std::io::Error::other)?;
            if row.change == "renamed" {
                renames.push((row.edition, row.code, row.old_name));
            }
        }
        renames.sort_by(|a, b| b.0.cmp(&a.0));
        for (_, code, old_name) in renames {
            let Ok(code) = KatottgCode::parse(&code) else {
                continue;
            };
            if let Some(t) = self.by_code.get_mut(&code) {
                if !old_name.trim().is_empty() && !t.former_names.contains(&old_name) {
                    t.former_names.push(old_name);
                }
            }
        }
        Ok(())
    }

    fn parse_row(row: &Row) -> Result<Territory, String> {
        let code = KatottgCode::parse(row.code).map_err(|e| e.0)?;
        let category =
            Category::parse(row.category).ok_or("a category among O, K, P, H, M, X, C, B")?;
        // The parent is the nearest level column above the object's own code; Kyiv and
        // Sevastopol repeat their own code down the levels, so repeats are skipped.
        let levels = [
            row.level1,
            row.level2,
            row.level3,
            row.level4,
            row.level_extra,
        ];
        let own = row.code.trim();
        let parent = levels
            .iter()
            .map(|l| l.trim())
            .take_while(|l| *l != own)
            .filter(|l| !l.is_empty())
            .last()
            .map(KatottgCode::parse)
            .transpose()
            .map_err(|e| format!("parent codes in the level columns: {e}"))?;
        Ok(Territory {
            code,
            category,
            name: row.name.trim().to_owned(),
            parent,
            former_names: Vec::new(),
        })
    }

    /// Builds the children index and checks that parents exist and contain their children.
    fn link(&mut self, shown: &Path, lines: &BTreeMap<KatottgCode, u64>) -> Vec<Finding> {
        let mut findings = Vec::new();
        for t in self.by_code.values() {
            let Some(parent) = t.parent else { continue };
            let line = lines.get(&t.code).copied().unwrap_or(0);
            if !self.by_code.contains_key(&parent) {
                findings.push(
                    Finding::new(
                        Kind::TerritoryError,
                        shown,
                        "the parent code to be in the registry",
                    )
                    .row(line)
                    .found(format!("{} (parent of {})", parent, t.code)),
                );
            } else if !parent.contains(&t.code) {
                findings.push(
                    Finding::new(
                        Kind::TerritoryError,
                        shown,
                        "a code that starts with its parent's digit groups",
                    )
                    .row(line)
                    .found(format!("{} under {}", t.code, parent)),
                );
            }
            self.children.entry(parent).or_default().push(t.code);
        }
        findings
    }

    /// The object with this code.
    pub fn get(&self, code: &KatottgCode) -> Option<&Territory> {
        self.by_code.get(code)
    }

    /// Objects directly under `code`, in code order.
    pub fn children(&self, code: &KatottgCode) -> &[KatottgCode] {
        self.children.get(code).map_or(&[], Vec::as_slice)
    }

    /// All objects of one category, in code order.
    pub fn of_category(&self, category: Category) -> impl Iterator<Item = &Territory> {
        self.by_code
            .values()
            .filter(move |t| t.category == category)
    }

    /// Every hromada (category H), in code order, with the code at the top of its chain
    /// (`top_of`), found once: coverage pages and tables pick each oblast's hromadas from it.
    /// Made for every oblast, the chains were a tenth of a small catalogue's build.
    pub fn hromada_tops(&self) -> &[(KatottgCode, Option<KatottgCode>)] {
        self.hromada_tops.get_or_init(|| {
            (self.of_category(Category::H))
                .map(|h| (h.code, self.top_of(&h.code).map(|t| t.code)))
                .collect()
        })
    }

    /// The top of the chain above `code` (its oblast or city with special status): the first of
    /// `ancestors`, without making the chain.
    pub fn top_of(&self, code: &KatottgCode) -> Option<&Territory> {
        let mut top = None;
        let mut next = self.get(code).and_then(|t| t.parent);
        while let Some(c) = next {
            let Some(t) = self.get(&c) else { break };
            top = Some(t);
            next = t.parent;
        }
        top
    }

    /// The chain from the top (oblast) down to the parent of `code`.
    pub fn ancestors(&self, code: &KatottgCode) -> Vec<&Territory> {
        let mut chain = Vec::new();
        let mut next = self.get(code).and_then(|t| t.parent);
        while let Some(c) = next {
            let Some(t) = self.get(&c) else { break };
            chain.push(t);
            next = t.parent;
        }
        chain.reverse();
        chain
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    /// True when the registry holds nothing.
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "code,category,level,name,name_raw_has_trailing_space,level1,level2,level3,level4,level_extra
UA05000000000010236,O,1,Вінницька,false,UA05000000000010236,,,,
UA05020000000026686,P,2,Вінницький,false,UA05000000000010236,UA05020000000026686,,,
UA05020030000031457,H,3,Вінницька ,true,UA05000000000010236,UA05020000000026686,UA05020030000031457,,
UA80000000000093317,K,1,Київ,false,UA80000000000093317,,,,
UA80000000000126643,B,5,Голосіївський,false,UA80000000000093317,UA80000000000093317,UA80000000000093317,UA80000000000093317,UA80000000000126643
UA07020030000031457,H,3,Сирота,false,UA07000000000000000,,UA07020030000031457,,
";

    fn load(text: &str) -> (Registry, Vec<Finding>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, text).unwrap();
        Registry::load(&path, Path::new("r.csv")).unwrap()
    }

    #[test]
    fn links_parents_and_skips_repeated_codes() {
        let (reg, findings) = load(SAMPLE);
        let hromada = KatottgCode::parse("UA05020030000031457").unwrap();
        let kyiv = KatottgCode::parse("UA80000000000093317").unwrap();
        let district = KatottgCode::parse("UA80000000000126643").unwrap();
        assert_eq!(reg.get(&hromada).unwrap().name, "Вінницька");
        let names: Vec<_> = reg
            .ancestors(&hromada)
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["Вінницька", "Вінницький"]);
        assert_eq!(reg.get(&district).unwrap().parent, Some(kyiv));
        assert_eq!(reg.children(&kyiv), &[district]);
        // The orphan's parent (an invalid oblast code) is reported, located at its row.
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].row, Some(7));
    }

    #[test]
    fn rows_are_read_by_column_name_and_bad_ones_reported() {
        // Columns in another order, one more, and a row cut short.
        let text = "name,level_extra,level4,level3,level2,level1,category,code,note
Вінницька,,,,,UA05000000000010236,O,UA05000000000010236,x
Вінницький,,,,UA05020000000026686,UA05000000000010236,P,UA05020000000026686,x
Cut,,
Bad,,,,,,Q,UA05020000000026686,x
";
        let (reg, findings) = load(text);
        let raion = KatottgCode::parse("UA05020000000026686").unwrap();
        assert_eq!(reg.get(&raion).unwrap().name, "Вінницький");
        assert_eq!(reg.ancestors(&raion)[0].name, "Вінницька");
        let rows: Vec<_> = findings.iter().map(|f| f.row).collect();
        assert_eq!(rows, [Some(4), Some(5)], "{findings:?}");
        assert!(findings[0]
            .found
            .as_deref()
            .unwrap()
            .contains("found record with 3 fields"));
        assert!(
            findings[1].expected.contains("a category among"),
            "{findings:?}"
        );
        // A header without a column the registry needs: one finding, at the header.
        let (reg, findings) = load("code,category,name,level1,level2,level3,level4\n");
        assert!(reg.is_empty());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].row, Some(1));
        assert_eq!(
            findings[0].found.as_deref(),
            Some("a header without the column `level_extra`")
        );
    }

    #[test]
    fn the_top_is_the_first_of_the_chain() {
        let (reg, _) = load(SAMPLE);
        let mut tops = 0;
        for t in reg.by_code.values() {
            let first = reg.ancestors(&t.code).first().map(|a| a.code);
            assert_eq!(reg.top_of(&t.code).map(|a| a.code), first, "{}", t.code);
            tops += usize::from(first.is_some());
        }
        assert!(tops >= 3, "the sample has objects under others");
        let unknown = KatottgCode::parse("UA99000000000000001").unwrap();
        assert!(reg.top_of(&unknown).is_none());
        let hromadas: Vec<_> = reg.of_category(Category::H).map(|h| h.code).collect();
        let listed: Vec<_> = reg.hromada_tops().iter().map(|(h, _)| *h).collect();
        assert_eq!(listed, hromadas);
        for (h, top) in reg.hromada_tops() {
            assert_eq!(*top, reg.top_of(h).map(|t| t.code));
        }
    }
}
