//! Resolution 835 registers and passports: each publisher's register of datasets as CSV (the
//! exact columns, one row per dataset of the publisher) and JSON (the same values), and each
//! dataset's passport as files and as a table on its page in both languages.

use std::collections::BTreeMap;

use crate::support::{attr, select, Project};

const COLUMNS: [&str; 12] = [
    "identifier",
    "title",
    "description",
    "accrualPeriodicity",
    "keyword",
    "purpose",
    "landingPage",
    "distributionFormat",
    "publisherPrefLabel",
    "publisherIdentifier",
    "contactPointFn",
    "contactPointHasEmail",
];

/// Dataset names per publisher folder, read from the source descriptors.
pub fn source_datasets(p: &Project) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in walkdir::WalkDir::new(p.src().join("publishers")).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_name() != "datapackage.json" {
            continue;
        }
        let rel = e.path().strip_prefix(p.src().join("publishers")).unwrap();
        let publisher = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let d: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
        out.entry(publisher.into_owned())
            .or_default()
            .push(d["name"].as_str().unwrap().to_owned());
    }
    for names in out.values_mut() {
        names.sort();
    }
    out
}

/// Checks every publisher's register in a built site against the source: header, one row per
/// dataset, and the JSON form equal to the CSV. Returns the number of rows checked.
pub fn check_registers(p: &Project) -> usize {
    let expected = source_datasets(p);
    let mut rows_checked = 0;
    for dir in std::fs::read_dir(p.out().join("publishers")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let slug = dir.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(dir.join("register.csv")).unwrap();
        assert!(!bytes.starts_with(b"\xef\xbb\xbf"), "no BOM");
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header, COLUMNS, "{slug}");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
        let want: Vec<&str> = expected
            .get(&slug)
            .map_or(Vec::new(), |v| v.iter().map(String::as_str).collect());
        assert_eq!(ids, want, "{slug}: one row per dataset of the publisher");
        let json: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(dir.join("register.json")).unwrap())
                .unwrap();
        assert_eq!(json.len(), rows.len(), "{slug}");
        for (row, obj) in rows.iter().zip(&json) {
            let keys: Vec<&str> = obj
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys, COLUMNS, "{slug}: JSON keys");
            for (col, cell) in COLUMNS.iter().zip(row.iter()) {
                let value = match &obj[*col] {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Array(items) => items
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join("; "),
                    other => panic!("{slug} {col}: {other}"),
                };
                assert_eq!(value, cell, "{slug}: {col} of {}", &row[0]);
            }
            rows_checked += 1;
        }
    }
    rows_checked
}

#[test]
fn registers_have_the_columns_and_one_row_per_dataset() {
    let p = Project::fixture("basic");
    let run = p.build(&["--base-url", "https://data.example.gov.ua/"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(check_registers(&p), 2);
    let csv = std::fs::read_to_string(p.out().join("publishers/vinnytska-miska-rada/register.csv"))
        .unwrap();
    insta::assert_snapshot!("register_csv", csv);
    // The publisher page links its register.
    let page = p.page("publishers/vinnytska-miska-rada/index.html");
    assert_eq!(
        attr(&page, "a.register", "href"),
        [
            "../../publishers/vinnytska-miska-rada/register.csv",
            "../../publishers/vinnytska-miska-rada/register.json"
        ]
    );
}

#[test]
fn register_rows_follow_the_metadata() {
    let p = Project::fixture("basic");
    let budget = "publishers/vinnytska-miska-rada/budget/datapackage.json";
    p.edit(
        budget,
        "\"keywords\": [\"бюджет\"]",
        "\"keywords\": [\"бюджет\", \"доходи, 2021\"]",
    );
    p.edit(
        budget,
        "\"hromadata\": {",
        "\"hromadata\": {\"purpose\": \"Звітність\",",
    );
    p.edit(
        "publishers/vinnytska-miska-rada/publisher.toml",
        "name = \"Виконавчий комітет\"",
        "name = \"Виконавчий комітет\"\nemail = \"data@vmr.example.ua\"",
    );
    assert_eq!(p.build(&[]).code, 0);
    let bytes =
        std::fs::read(p.out().join("publishers/vinnytska-miska-rada/register.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let row = reader.records().next().unwrap().unwrap();
    let cells: BTreeMap<&str, &str> = COLUMNS.iter().copied().zip(row.iter()).collect();
    assert_eq!(cells["keyword"], "бюджет; доходи, 2021");
    assert_eq!(cells["purpose"], "Звітність");
    assert_eq!(cells["accrualPeriodicity"], "щороку");
    assert_eq!(cells["distributionFormat"], "CSV; TXT");
    assert_eq!(cells["publisherIdentifier"], "25512617");
    assert_eq!(cells["contactPointHasEmail"], "data@vmr.example.ua");
    assert_eq!(
        cells["landingPage"],
        "https://data.example.org/catalogue/datasets/vinnytsia-budget/"
    );
    // The quoted cell with a comma survives a round trip, and JSON keeps the list.
    assert_eq!(check_registers(&p), 2);
}

#[test]
fn passport_files_and_the_page_section_in_both_languages() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let dir = p.out().join("datasets/vinnytsia-budget");
    let json = std::fs::read_to_string(dir.join("passport.json")).unwrap();
    insta::assert_snapshot!("passport_json", json);
    let passport: serde_json::Value = serde_json::from_str(&json).unwrap();
    // What the fixture does not say is said to be not stated, not made up.
    assert_eq!(passport["legalBasis"], serde_json::Value::Null);
    assert_eq!(passport["purpose"], serde_json::Value::Null);
    assert_eq!(passport["contactPointHasEmail"], serde_json::Value::Null);
    assert_eq!(
        passport["notStated"],
        serde_json::json!(["legalBasis", "purpose", "contactPointHasEmail"])
    );
    assert_eq!(passport["dataCurrencyDate"], "2023-12-31");
    let csv = std::fs::read(dir.join("passport.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&csv[..]);
    assert_eq!(reader.headers().unwrap(), vec!["field", "name", "value"]);
    let fields: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[2].to_owned())
        })
        .collect();
    let keys: Vec<&str> = passport
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "notStated")
        .collect();
    assert_eq!(
        fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        keys
    );
    assert!(fields.contains(&("legalBasis".into(), "не зазначено".into())));

    for (page, not_stated, label) in [
        (
            "datasets/vinnytsia-budget/index.html",
            "не зазначено",
            "Дата актуальності даних",
        ),
        (
            "en/datasets/vinnytsia-budget/index.html",
            "not stated",
            "Data current as of",
        ),
    ] {
        let html = p.page(page);
        let rows = attr(
            &html,
            "section.passport table.passport tr[data-field]",
            "data-field",
        );
        assert_eq!(rows, keys, "{page}");
        assert_eq!(
            select(
                &html,
                "section.passport tr[data-field=legalBasis] td .not-stated"
            ),
            [not_stated],
            "{page}"
        );
        assert_eq!(
            select(&html, "section.passport tr[data-field=dataCurrencyDate] th"),
            [label],
            "{page}"
        );
        assert_eq!(
            attr(
                &html,
                "section.passport tr[data-field=dataCurrencyDate] time",
                "datetime"
            ),
            ["2023-12-31"]
        );
        let downloads = attr(
            &html,
            "section.passport tr[data-field=downloadURL] a",
            "href",
        );
        assert_eq!(
            downloads,
            [
                "https://data.example.org/catalogue/datasets/vinnytsia-budget/revenues.csv",
                "https://data.example.org/catalogue/datasets/vinnytsia-budget/notes.txt"
            ]
        );
        // The publisher's own words stay Ukrainian on the English page, marked as such.
        let title_lang = attr(
            &html,
            "section.passport tr[data-field=title] td span",
            "lang",
        );
        assert_eq!(
            title_lang.is_empty(),
            page.starts_with("datasets"),
            "{page}"
        );
    }
}
