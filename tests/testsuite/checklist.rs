//! The Resolution 835 checklist: a dataset declaring an item's code fulfils it for its publisher
//! (published, or overdue past its due date); items nobody fulfils are missing. Shown on the
//! publisher's and the hromada's pages and in the coverage table; unknown codes are findings.

use crate::support::{select, Project};

const LIST: &str = "code,name_uk,name_en,applies_to,frequency\n\
all-007,Реєстр наборів даних,Register of datasets,all,\n\
mun-049,Бюджетні програми,Budget programmes,local-self-government,yearly\n";
const BUDGET: &str = "publishers/vinnytska-miska-rada/budget/datapackage.json";
const HROMADA: &str = "UA05020030000031457";

fn with_list(resolution_835: &str) -> Project {
    let p = Project::fixture("basic");
    p.write("835.csv", LIST);
    p.edit(
        "catalog.toml",
        "[territories]",
        "[resolution_835]\nlist = \"835.csv\"\n\n[territories]",
    );
    p.edit(
        BUDGET,
        "\"hromadata\": {",
        &format!("\"hromadata\": {{\"resolution_835\": \"{resolution_835}\","),
    );
    p
}

/// (code, status text) of every checklist row of a page.
fn rows(p: &Project, page: &str) -> Vec<(String, String)> {
    let html = p.page(page);
    let codes = select(
        &html,
        "#checklist ~ .table-scroll table tbody td:first-child",
    );
    let status = select(
        &html,
        "#checklist ~ .table-scroll table tbody td:last-child",
    );
    codes.into_iter().zip(status).collect()
}

#[test]
fn checklist_on_publisher_and_hromada_pages_and_in_the_coverage_table() {
    let p = with_list("mun-049");
    let run = p.build(&["--today", "2026-11-22"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let expected = [
        ("all-007".to_owned(), "не оприлюднено".to_owned()),
        (
            "mun-049".to_owned(),
            "прострочено · Доходи бюджету Вінницької міської територіальної громади".to_owned(),
        ),
    ];
    let hromada = rows(&p, &format!("hromadas/{HROMADA}/index.html"));
    assert_eq!(hromada.len(), 2);
    assert_eq!(hromada[0], expected[0]);
    assert!(hromada[1].1.starts_with("прострочено ·"), "{hromada:?}");
    assert_eq!(
        rows(&p, "publishers/vinnytska-miska-rada/index.html"),
        hromada
    );
    // The national publisher is no local self-government: only the items for all managers.
    let national = rows(&p, "publishers/mindev/index.html");
    assert_eq!(national, [expected[0].clone()]);

    let table = std::fs::read_to_string(p.out().join("resolution-835-coverage.csv")).unwrap();
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some("oblast_code,oblast,raion_code,raion,hromada_code,hromada,publishers,all-007,mun-049")
    );
    let row = lines.find(|l| l.contains(HROMADA)).unwrap();
    assert!(
        row.ends_with(",vinnytska-miska-rada,missing,overdue"),
        "{row}"
    );
    let other = table
        .lines()
        .find(|l| l.contains("UA05020010000053508"))
        .unwrap();
    assert!(other.ends_with(",,missing,missing"), "{other}");

    // The coverage pages: totals per oblast, then the oblast's hromadas × items, with the CSV.
    let whole = p.page("coverage/index.html");
    assert_eq!(select(&whole, "table.coverage tbody th"), ["Вінницька"]);
    // hromadas, all published, some, none
    assert_eq!(
        select(&whole, "table.coverage tbody td"),
        ["2", "0", "1", "1"]
    );
    let oblast = p.page("coverage/UA05000000000010236/index.html");
    let hromadas = select(&oblast, "table.coverage tbody th a");
    assert_eq!(hromadas, ["Агрономічна", "Вінницька"]);
    let cells = select(
        &oblast,
        "table.coverage tbody tr:nth-child(2) td[class^=status] .visually-hidden",
    );
    assert_eq!(cells, ["не оприлюднено", "прострочено"]);
    assert!(p
        .out()
        .join("coverage/UA05000000000010236/coverage.csv")
        .is_file());
    assert!(
        select(&whole, "svg.map").is_empty(),
        "no coordinates declared: no map"
    );

    // A dataset that declares no frequency is judged by the frequency the list expects.
    let p = with_list("mun-049");
    p.edit(BUDGET, "\"frequency\": \"yearly\",", "");
    assert_eq!(p.build(&["--today", "2026-11-22"]).code, 0);
    assert!(rows(&p, &format!("hromadas/{HROMADA}/index.html"))[1]
        .1
        .starts_with("прострочено ·"));

    // Before the due date the same dataset counts as published.
    let p = with_list("mun-049");
    assert_eq!(p.build(&["--today", "2026-01-31"]).code, 0);
    assert!(rows(&p, &format!("hromadas/{HROMADA}/index.html"))[1]
        .1
        .starts_with("оприлюднено ·"));
}

#[test]
fn a_code_not_in_the_list_is_a_finding() {
    let p = with_list("mun-999");
    let run = p.check();
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("hromadata.resolution_835") && run.stdout.contains("mun-999"),
        "{}",
        run.stdout
    );
}
