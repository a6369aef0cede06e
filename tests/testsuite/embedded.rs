//! The embedded default catalogue (`datasets/`): valid, complete, and caught when broken.

use crate::support::{repo, select, Project};

#[test]
fn embedded_catalogue_checks_clean() {
    let run = crate::support::run(&["check", "--source", "datasets"], &repo());
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn embedded_catalogue_builds_a_page_for_every_territory() {
    let p = Project::copy_of(&repo().join("datasets"));
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let registry =
        std::fs::read_to_string(repo().join("datasets/publishers/mindev/katottg/katottg.csv"))
            .unwrap();
    let count = |cat: &str| {
        registry
            .lines()
            .filter(|l| l.split(',').nth(1) == Some(cat))
            .count()
    };
    let pages = |dir: &str| std::fs::read_dir(p.out().join(dir)).unwrap().count();
    assert_eq!(count("H"), 1772);
    assert_eq!(pages("hromadas"), count("H"));
    assert_eq!(pages("raions"), count("P"));
    assert_eq!(pages("oblasts"), count("O") + count("K"));
    assert_eq!(pages("en/hromadas"), count("H"));
    let datasets = std::fs::read_dir(p.out().join("datasets"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert!(datasets >= 10, "{datasets} datasets");
    let publishers = std::fs::read_dir(p.out().join("publishers"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert!(publishers >= 8, "{publishers} publishers");
    let home = p.page("index.html");
    assert_eq!(
        select(&home, "#territories + ul li").len(),
        count("O") + count("K")
    );
}

#[test]
fn a_broken_cell_in_the_embedded_catalogue_is_located() {
    let p = Project::copy_of(&repo().join("datasets"));
    let csv = "publishers/vinnytska-miska-rada/vinnytsia-budget-revenues/data/budget-revenues.csv";
    let text = std::fs::read_to_string(p.file(csv)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Row 3 of the file (the header is row 1): its `year` becomes text.
    let mut cells: Vec<&str> = lines[2].split(',').collect();
    cells[3] = "двадцять";
    lines[2] = cells.join(",");
    std::fs::write(p.file(csv), lines.join("\n") + "\n").unwrap();
    let run = p.check();
    assert_eq!(run.code, 1);
    let report: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("type-error"))
        .collect();
    assert_eq!(report, [format!("type-error: `{csv}`, row 3, field `year` (column 4): expected a year, e.g. 2026, found `двадцять`")]);
}
