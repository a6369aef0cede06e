//! Looking before downloading: the column profile, the full-table page (made only under
//! `[preview] full_table_max_bytes`), and charts declared with `views`.

use crate::support::{attr, redact, select, Project};

const DATASET: &str = "publishers/vinnytska-miska-rada/budget/datapackage.json";

/// The basic fixture with `views` added to its budget dataset.
fn with_views(views: &str) -> Project {
    let p = Project::fixture("basic");
    p.edit(
        DATASET,
        "\"hromadata\": {",
        &format!("\"views\": {views},\n  \"hromadata\": {{"),
    );
    p
}

#[test]
fn column_profile_on_the_dataset_page() {
    let p = Project::fixture("basic");
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = p.page("datasets/vinnytsia-budget/index.html");
    assert_eq!(
        select(&page, "table.profile caption"),
        ["Профіль стовпців файлу: revenues.csv"]
    );
    assert_eq!(attr(&page, "table.profile thead th", "scope").len(), 8);
    let row = |n: usize| select(&page, &format!("table.profile tbody tr:nth-child({n}) > *"));
    // name, type, filled, empty, distinct, smallest, largest, top values
    assert_eq!(row(1), ["year", "year", "3", "0", "3", "2021", "2023", ""]);
    assert_eq!(
        row(2),
        [
            "total",
            "number",
            "2",
            "1",
            "2",
            "4\u{202f}909\u{202f}594\u{202f}030,7",
            "5\u{202f}735\u{202f}142\u{202f}140,24",
            ""
        ]
    );
    assert_eq!(
        row(3)[..7],
        ["source", "string", "3", "0", "2", "4 симв.", "4 симв."]
    );
    assert_eq!(
        select(&page, "table.profile tbody tr:nth-child(3) .top-values li"),
        ["fact (2)", "plan (1)"]
    );
    let en = p.page("en/datasets/vinnytsia-budget/index.html");
    let total = select(&en, "table.profile tbody tr:nth-child(2) td");
    assert_eq!(total[4..6], ["4,909,594,030.7", "5,735,142,140.24"]);
}

#[test]
fn full_table_page_under_the_limit() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let page = p.page("datasets/vinnytsia-budget/index.html");
    assert_eq!(
        attr(&page, "a.full-table", "href"),
        ["../../datasets/vinnytsia-budget/table/revenues/"]
    );
    for lang in ["", "en/"] {
        let table = p.page(&format!(
            "{lang}datasets/vinnytsia-budget/table/revenues/index.html"
        ));
        assert_eq!(select(&table, "#full-table tbody tr").len(), 3);
        assert_eq!(
            select(&table, "#full-table tbody tr:nth-child(3) td"),
            ["2023", "NA", "plan"]
        );
        assert_eq!(
            attr(&table, "#full-table thead th", "data-type"),
            ["year", "number", "string"]
        );
        assert_eq!(attr(&table, "#full-table thead th", "scope"), ["col"; 3]);
        assert_eq!(select(&table, "#full-table caption").len(), 1);
        // The filter is labelled, and the row count is announced.
        assert_eq!(attr(&table, "label[for=table-filter]", "for").len(), 1);
        assert_eq!(attr(&table, "#table-count", "aria-live"), ["polite"]);
        let scripts = attr(&table, "script[src]", "src");
        assert!(scripts.iter().all(|s| s.starts_with("../")), "{scripts:?}");
    }
    assert!(p.out().join("static/table.js").is_file());
    // The notes file is not a table: no page.
    assert!(!p
        .out()
        .join("datasets/vinnytsia-budget/table/notes")
        .exists());
}

#[test]
fn no_full_table_page_above_the_limit() {
    let p = Project::fixture("basic");
    let catalog = std::fs::read_to_string(p.file("catalog.toml")).unwrap();
    p.write(
        "catalog.toml",
        &format!("{catalog}\n[preview]\nfull_table_max_bytes = 20\n"),
    );
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!p.out().join("datasets/vinnytsia-budget/table").exists());
    let page = p.page("datasets/vinnytsia-budget/index.html");
    assert!(select(&page, "a.full-table").is_empty());
    let why = select(&page, "article.resource p.hint");
    assert!(
        why[0].starts_with("Усю таблицю на сторінці не показано"),
        "{why:?}"
    );
    assert!(why[0].contains("Завантажити revenues.csv"), "{why:?}");
    // The preview and the profile do not depend on the limit.
    assert_eq!(select(&page, "table.preview tbody tr").len(), 3);
    assert_eq!(select(&page, "table.profile tbody tr").len(), 3);
}

#[test]
fn chart_is_an_svg_image_with_the_same_numbers_in_a_table() {
    let p = with_views(
        r#"[{"name": "by-year", "title": "Доходи за роками", "title_en": "Revenues by year",
            "resources": ["revenues"], "specType": "simple",
            "spec": {"type": "bar", "group": "year", "series": ["total"]}}]"#,
    );
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = p.page("datasets/vinnytsia-budget/index.html");
    assert_eq!(attr(&page, "figure.chart svg", "role"), ["img"]);
    assert_eq!(
        attr(&page, "figure.chart svg", "aria-labelledby"),
        ["chart-1-title chart-1-desc"]
    );
    assert_eq!(select(&page, "svg #chart-1-title"), ["Доходи за роками"]);
    assert_eq!(select(&page, "svg #chart-1-desc").len(), 1);
    // 2023 has no value (NA): two bars, and an empty cell in the table.
    assert_eq!(select(&page, "svg .chart-series rect").len(), 2);
    assert_eq!(
        select(&page, "svg .chart-groups text"),
        ["2021", "2022", "2023"]
    );
    assert_eq!(
        select(&page, "table.chart-data tbody th"),
        ["2021", "2022", "2023"]
    );
    assert_eq!(
        select(&page, "table.chart-data tbody td"),
        [
            "4\u{202f}909\u{202f}594\u{202f}030,7",
            "5\u{202f}735\u{202f}142\u{202f}140,24",
            ""
        ]
    );
    assert_eq!(attr(&page, "table.chart-data th", "scope").len(), 5);
    // Axis labels are compact: 0, 2 млрд, 4 млрд, 6 млрд.
    assert_eq!(
        select(&page, "svg .chart-ticks text"),
        ["0", "2\u{a0}млрд", "4\u{a0}млрд", "6\u{a0}млрд"]
    );
    let en = p.page("en/datasets/vinnytsia-budget/index.html");
    assert_eq!(select(&en, "svg #chart-1-title"), ["Revenues by year"]);
    assert_eq!(
        select(&en, "svg .chart-ticks text"),
        ["0", "2\u{a0}B", "4\u{a0}B", "6\u{a0}B"]
    );
}

#[test]
fn bad_view_declarations_are_located_findings() {
    let p = with_views(
        r#"[{"name": "a", "title": "A", "resources": ["nothing"], "specType": "simple",
             "spec": {"type": "bar", "group": "year", "series": ["total"]}},
            {"name": "b", "title": "B", "resources": ["revenues"], "specType": "simple",
             "spec": {"type": "bar", "group": "year", "series": ["total", "source"]}},
            {"name": "c", "title": "C", "resources": ["revenues"], "specType": "simple",
             "spec": {"type": "pie", "group": "year", "series": ["total"]}},
            {"name": "d", "title": "D", "resources": ["revenues"], "specType": "vega",
             "spec": {}}]"#,
    );
    let run = p.check();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!("bad_views", redact(&run.stdout, &p));
}

#[test]
fn line_chart_draws_a_line_with_markers() {
    let p = with_views(
        r#"[{"name": "by-year", "title": "Доходи за роками", "resources": ["revenues"],
            "specType": "simple", "spec": {"type": "line", "group": "year", "series": ["total"]}}]"#,
    );
    assert_eq!(p.build(&[]).code, 0);
    let page = p.page("datasets/vinnytsia-budget/index.html");
    let points = attr(&page, "svg .chart-series polyline", "points");
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].split(' ').count(), 2, "{points:?}");
    assert_eq!(select(&page, "svg .chart-series circle").len(), 2);
    assert!(select(&page, "svg .chart-series rect").is_empty());
}
