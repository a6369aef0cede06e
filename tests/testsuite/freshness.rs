//! Freshness: a dataset's next update is due by its `frequency` from `modified`; past that date
//! (judged on `--today`, else `SOURCE_DATE_EPOCH`'s date, never the clock) it is flagged on its
//! page, in the lists of its publisher and territory, and in its published `datapackage.json`.

use crate::support::{select, Project};

const DATASET: &str = "datasets/vinnytsia-budget/index.html";
const DESCRIPTOR: &str = "datasets/vinnytsia-budget/datapackage.json";
const PUBLISHER: &str = "publishers/vinnytska-miska-rada/index.html";
const HROMADA: &str = "hromadas/UA05020030000031457/index.html";

fn built(extra: &[&str]) -> Project {
    let p = Project::fixture("basic");
    let run = p.build(extra);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    p
}

fn freshness(p: &Project) -> serde_json::Value {
    let text = std::fs::read_to_string(p.out().join(DESCRIPTOR)).unwrap();
    let d: serde_json::Value = serde_json::from_str(&text).unwrap();
    d["hromadata"].clone()
}

#[test]
fn past_due_is_flagged_everywhere() {
    // yearly, last updated 2025-02-01: due by 2026-02-01.
    let p = built(&["--today", "2026-11-22"]);
    let page = p.page(DATASET);
    assert_eq!(select(&page, "main dd .badge-overdue"), ["прострочено"]);
    assert!(
        select(&page, "main dd")
            .iter()
            .any(|d| d.starts_with("01.02.2026")),
        "{:?}",
        select(&page, "main dd")
    );
    for list in [
        PUBLISHER,
        HROMADA,
        "en/publishers/vinnytska-miska-rada/index.html",
    ] {
        assert_eq!(
            select(&p.page(list), "main .dataset-list .badge-overdue").len(),
            1,
            "{list}"
        );
    }
    let f = freshness(&p);
    assert_eq!(
        (f["nextDue"].as_str(), f["overdue"].as_bool()),
        (Some("2026-02-01"), Some(true))
    );
}

#[test]
fn not_yet_due_and_unknown_today_are_not_flagged() {
    let p = built(&["--today", "2026-02-01"]);
    assert!(select(&p.page(DATASET), ".badge-overdue").is_empty());
    assert_eq!(freshness(&p)["overdue"].as_bool(), Some(false));

    // Without --today or SOURCE_DATE_EPOCH the due date is shown, nothing is judged.
    let p = built(&[]);
    assert!(select(&p.page(DATASET), ".badge-overdue").is_empty());
    let f = freshness(&p);
    assert_eq!(
        (f["nextDue"].as_str(), f.get("overdue")),
        (Some("2026-02-01"), None)
    );
}

#[test]
fn a_bad_today_is_a_usage_error() {
    let p = Project::fixture("basic");
    let run = p.build(&["--today", "22.11.2026"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("YYYY-MM-DD"), "{}", run.stderr);
    assert!(!p.out().exists());
}
