//! The embedded default catalogue (`datasets/`): valid, complete, and caught when broken.

use crate::support::{attr, repo, select, Project};

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
    profiles_match_their_source_table(&p);
}

/// Hromada profiles show the facts of the KSE table the embedded catalogue declares as their
/// source, and link it; a hromada the table lacks (Crimea) shows no profile.
fn profiles_match_their_source_table(p: &Project) {
    let table = repo()
        .join("datasets/publishers/mindev/kse-hromada-indicators/data/hromada-indicators.csv");
    let mut reader = csv::Reader::from_path(table).unwrap();
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for row in [&rows[0], &rows[rows.len() / 2], &rows[rows.len() - 1]] {
        let code = &row[col("hromada_code")];
        let page = p.page(&format!("hromadas/{code}/index.html"));
        let values = select(&page, "#profile + dl dd");
        // The Ukrainian page needs no `lang` inside; the English one names the type in English
        // and the centre in the official transliteration.
        assert!(
            select(&page, "#profile + dl dd span[lang]").is_empty(),
            "{code}"
        );
        let en = p.page(&format!("en/hromadas/{code}/index.html"));
        let en_values = select(&en, "#profile + dl dd");
        assert!(
            ["urban", "settlement", "rural"].contains(&en_values[0].as_str()),
            "{code}: {en_values:?}"
        );
        assert_eq!(
            en_values[1],
            hromadata::catalog::slug::transliterate(&row[col("hromada_center")]),
            "{code}"
        );
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let area: f64 = row[col("square")].parse().unwrap();
        assert_eq!(values[0], row[col("type")], "{code}");
        assert_eq!(values[1], row[col("hromada_center")], "{code}");
        assert_eq!(
            digits(&values[2]),
            row[col("total_popultaion_2022")],
            "{code}"
        );
        assert_eq!(
            values[3],
            format!("{area:.1} км²").replace('.', ","),
            "{code}"
        );
        let source = attr(&page, "section[aria-labelledby=profile] .source a", "href");
        assert_eq!(source, ["../../datasets/kse-hromada-indicators/"], "{code}");
    }
    let crimea = p.page("hromadas/UA01020010000048857/index.html");
    assert!(select(&crimea, "#profile").is_empty());
    // The coverage map: one marker per hromada with declared coordinates (all but Crimea's).
    let coverage = p.page("coverage/index.html");
    assert_eq!(attr(&coverage, "svg.map a", "href").len(), rows.len());
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
