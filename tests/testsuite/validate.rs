//! `hromadata validate` on files people actually have: Windows-1251 exports with `;` and decimal
//! commas, broken bytes mid-file, packages with keys between tables. The text report is
//! snapshotted in both languages; the JSON report is checked field by field.

use serde_json::Value;

use crate::support::{redact, run, Project};

/// `hromadata validate ARGS --format json` in the project folder: the exit code and the report.
fn validate_json(p: &Project, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["validate"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let out = run(&all, p.dir.path());
    let report = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON report: {}", out.stderr));
    (out.code, report)
}

/// The (rowNumber, fieldNumber, type) of a task's errors, sorted.
fn sorted_errors(report: &Value, task: usize) -> Vec<(Option<u64>, Option<u64>, String)> {
    let mut out: Vec<_> = report["tasks"][task]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rowNumber"].as_u64(),
                e["fieldNumber"].as_u64(),
                e["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A project folder with `files` written into it.
fn files(files: &[(&str, &[u8])]) -> Project {
    let p = Project::fixture("basic");
    for (name, bytes) in files {
        std::fs::write(p.dir.path().join(name), bytes).unwrap();
    }
    p
}

fn cp1251(text: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1251.encode(text).0.into_owned()
}

const SCHEMA: &str = r#"{"fields": [
  {"name": "Громада", "type": "string", "constraints": {"required": true}},
  {"name": "Дата", "type": "date"},
  {"name": "Сума", "type": "number", "constraints": {"minimum": 0}}
], "primaryKey": ["Громада"]}"#;

fn excel_export() -> Project {
    let csv = cp1251("Громада;Дата;Сума\r\nВінницька;2026-01-31;1250.50\r\nГайсинська;31.01.2026;12,5\r\nВінницька;2026-02-28;-3\r\n");
    files(&[("export.csv", &csv), ("schema.json", SCHEMA.as_bytes())])
}

#[test]
fn windows_1251_export_is_detected_and_explained_in_ukrainian() {
    let p = excel_export();
    let out = run(
        &["validate", "export.csv", "--schema", "schema.json"],
        p.dir.path(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("excel_export_uk", redact(&out.stdout, &p));
    let en = run(
        &[
            "validate",
            "export.csv",
            "--schema",
            "schema.json",
            "--lang",
            "en",
        ],
        p.dir.path(),
    );
    insta::assert_snapshot!("excel_export_en", redact(&en.stdout, &p));
}

#[test]
fn json_report_has_frictionless_shape() {
    let p = excel_export();
    let (code, report) = validate_json(&p, &["export.csv", "--schema", "schema.json"]);
    assert_eq!(code, 1);
    assert_eq!(report["valid"], false);
    let task = &report["tasks"][0];
    assert_eq!(task["place"], "export.csv");
    assert_eq!(
        task["labels"],
        serde_json::json!(["Громада", "Дата", "Сума"])
    );
    let errors = task["errors"].as_array().unwrap();
    let date = errors
        .iter()
        .find(|e| e["type"] == "type-error" && e["fieldName"] == "Дата")
        .unwrap();
    assert_eq!(
        (
            date["rowNumber"].as_u64(),
            date["fieldNumber"].as_u64(),
            date["cell"].as_str()
        ),
        (Some(3), Some(2), Some("31.01.2026"))
    );
    assert!(date["hint"].as_str().unwrap().contains("%d.%m.%Y"));
    for e in errors {
        for key in ["type", "title", "description", "message", "note"] {
            assert!(e.get(key).is_some(), "{key} missing in {e}");
        }
    }
    let kinds: Vec<&str> = errors.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "primary-key").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "constraint-error").count(),
        1,
        "{kinds:?}"
    );
}

#[test]
fn declared_windows_1251_is_decoded_and_bad_utf8_is_found_at_its_row() {
    let mut text = b"id,name\n1,ok\n2,fine\n".to_vec();
    text.extend_from_slice(b"3,\xc2\xb3\xed\xed\xe8\xf6\xff\n4,last\n");
    let p = files(&[("mixed.csv", &text)]);
    let (code, report) = validate_json(&p, &["mixed.csv", "--encoding", "utf-8"]);
    assert_eq!(code, 1);
    let e = &report["tasks"][0]["errors"][0];
    assert_eq!(
        (
            e["type"].as_str(),
            e["rowNumber"].as_u64(),
            e["fieldNumber"].as_u64()
        ),
        (Some("encoding-error"), Some(4), Some(2))
    );
    let ok = run(
        &["validate", "mixed.csv", "--encoding", "windows-1251"],
        p.dir.path(),
    );
    assert_eq!(ok.code, 0, "{}", ok.stdout);
}

#[test]
fn stats_options_are_compared() {
    let p = files(&[("t.csv", b"a,b\n1,2\n")]);
    let (code, report) = validate_json(
        &p,
        &[
            "t.csv",
            "--bytes",
            "3",
            "--rows",
            "5",
            "--hash",
            "sha256:00",
        ],
    );
    assert_eq!(code, 1);
    let mut kinds: Vec<&str> = report["tasks"][0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["byte-count", "hash-count", "row-count"]);
    let sha = report["tasks"][0]["stats"]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let good = run(
        &[
            "validate",
            "t.csv",
            "--bytes",
            "8",
            "--rows",
            "1",
            "--hash",
            &format!("sha256:{sha}"),
        ],
        p.dir.path(),
    );
    assert_eq!(good.code, 0, "{}", good.stdout);
}

#[test]
fn foreign_keys_between_resources_are_checked() {
    let package = r#"{"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": "fk", "resources": [
      {"name": "hromadas", "path": "hromadas.csv", "schema": {"fields": [{"name": "code", "type": "string"}], "primaryKey": ["code"]}},
      {"name": "budgets", "path": "budgets.csv", "schema": {"fields": [{"name": "code", "type": "string"}, {"name": "year", "type": "year"}],
        "foreignKeys": [{"fields": ["code"], "reference": {"resource": "hromadas", "fields": ["code"]}}]}}
    ]}"#;
    let p = files(&[
        ("datapackage.json", package.as_bytes()),
        ("hromadas.csv", b"code\nUA05020030000031457\n"),
        (
            "budgets.csv",
            b"code,year\nUA05020030000031457,2023\nUA99999999999999999,2023\n,2024\n",
        ),
    ]);
    let (code, report) = validate_json(&p, &["datapackage.json"]);
    assert_eq!(code, 1, "{report}");
    let errors = report["tasks"][1]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0]["type"].as_str(), errors[0]["rowNumber"].as_u64()),
        (Some("foreign-key"), Some(3))
    );
}

#[test]
fn unsafe_resource_paths_are_refused() {
    let package = r#"{"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": "p", "resources": [{"name": "x", "path": "../secret.csv"}]}"#;
    let p = files(&[("datapackage.json", package.as_bytes())]);
    let (code, report) = validate_json(&p, &["datapackage.json"]);
    assert_eq!(code, 1);
    assert_eq!(report["errors"][0]["type"], "resource-error");
    assert!(report["tasks"].as_array().unwrap().is_empty());
}

#[test]
fn missing_file_is_an_operational_error() {
    let p = files(&[]);
    let out = run(&["validate", "nope.csv"], p.dir.path());
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nope.csv"), "{}", out.stderr);
}

/// Files over 16 MiB are parsed on a second thread: the row numbers of findings must be exactly
/// those of the one-thread path, blank lines and multi-line cells included.
#[test]
fn large_files_report_the_same_rows() {
    use std::fmt::Write;
    let mut csv = String::from("id,name,amount\n");
    let mut row = 1u64;
    let mut expected = Vec::new();
    while csv.len() < 17 * 1024 * 1024 {
        row += 1;
        match row {
            1_000 => {
                csv.push('\n');
                expected.push((row, None, "blank-row".to_owned()));
            }
            50_001 => {
                writeln!(csv, "{row},\"дві\nлінії\",x").unwrap();
                expected.push((row, Some(3), "type-error".to_owned()));
            }
            r if r % 100_003 == 0 => {
                writeln!(csv, "{row},громада {row}").unwrap();
                expected.push((row, Some(3), "missing-cell".to_owned()));
            }
            _ => writeln!(csv, "{row},громада {row},{}.50", row % 977).unwrap(),
        }
    }
    let schema = r#"{"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}, {"name": "amount", "type": "number"}]}"#;
    let p = files(&[
        ("big.csv", csv.as_bytes()),
        ("schema.json", schema.as_bytes()),
    ]);
    let (code, report) = validate_json(&p, &["big.csv", "--schema", "schema.json"]);
    assert_eq!(code, 1);
    let mut got: Vec<(u64, Option<u64>, String)> = report["tasks"][0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rowNumber"].as_u64().unwrap(),
                e["fieldNumber"].as_u64(),
                e["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(report["tasks"][0]["stats"]["rows"].as_u64(), Some(row - 1));
}

/// A Windows-1251, `;`-separated v1 package with decimal commas, `dd.mm.yyyy` dates and a primary
/// key, declared and then left to detection: the findings are exactly what frictionless-py 5.21.0
/// reports for the same files (run by hand when this test was written).
#[test]
fn windows_1251_package_matches_frictionless() {
    let rows = "Код;Громада;Дата;Сума;Статус\r\n1;Вінницька;01.02.2024;1 250,50;сплачено\r\n2;Гайсинська;31.02.2024;12,5;сплачено\r\n2;Косівська;01.03.2024;abc;очікує\r\n4;;01.04.2024;-5;інше\r\n;Агрономічна;05.05.2024;7,0;сплачено\r\n";
    let schema = r#"{"fields": [{"name": "Код", "type": "integer"}, {"name": "Громада", "type": "string", "constraints": {"required": true}},
        {"name": "Дата", "type": "date", "format": "%d.%m.%Y"}, {"name": "Сума", "type": "number", "decimalChar": ",", "groupChar": " ", "constraints": {"minimum": 0}},
        {"name": "Статус", "type": "string", "constraints": {"enum": ["сплачено", "очікує"]}}], "primaryKey": ["Код"]}"#;
    let declared = format!(
        r#"{{"profile": "tabular-data-package", "name": "budget", "resources": [{{"name": "payments", "path": "data.csv", "profile": "tabular-data-resource", "encoding": "windows-1251", "dialect": {{"delimiter": ";"}}, "schema": {schema}}}]}}"#
    );
    let detected = format!(
        r#"{{"profile": "tabular-data-package", "name": "budget", "resources": [{{"name": "payments", "path": "data.csv", "profile": "tabular-data-resource", "schema": {schema}}}]}}"#
    );
    let p = files(&[
        ("data.csv", &cp1251(rows)),
        ("declared.json", declared.as_bytes()),
        ("detected.json", detected.as_bytes()),
    ]);
    let want: Vec<(Option<u64>, Option<u64>, String)> = [
        (Some(3), Some(3), "type-error"),
        (Some(4), None, "primary-key"),
        (Some(4), Some(4), "type-error"),
        (Some(5), Some(2), "constraint-error"),
        (Some(5), Some(4), "constraint-error"),
        (Some(5), Some(5), "constraint-error"),
        (Some(6), None, "primary-key"),
    ]
    .into_iter()
    .map(|(r, f, t)| (r, f, t.to_owned()))
    .collect();
    for descriptor in ["declared.json", "detected.json"] {
        let out = run(&["validate", descriptor, "--format", "json"], p.dir.path());
        assert_eq!(out.code, 1, "{descriptor}: {}", out.stdout);
        let report: Value = serde_json::from_str(&out.stdout).unwrap();
        let got = sorted_errors(&report, 0);
        assert_eq!(got, want, "{descriptor}");
    }
}

/// Dialect options in descriptors, each with the findings frictionless-py 5.21.0 reports for the
/// same package (run by hand when this test was written): comment lines count as rows, header
/// rows are joined, `skipInitialSpace` lets a quote follow `, `.
#[test]
fn dialect_options_match_frictionless() {
    type Case<'c> = (
        &'c str,
        &'c str,
        &'c str,
        &'c [(Option<u64>, Option<u64>, &'c str)],
    );
    let cases: &[Case] = &[
        (
            "comment",
            "# comment line\nid,name\n1,a\n# another\n2,b\nx,c\n",
            r##"{"commentChar": "#"}"##,
            &[(Some(6), Some(1), "type-error")],
        ),
        (
            "header-rows",
            "id,name\nnum,text\n1,a\n2,b\nx,c\n",
            r#"{"headerRows": [1, 2]}"#,
            &[
                (Some(5), Some(1), "type-error"),
                (None, Some(1), "incorrect-label"),
                (None, Some(2), "incorrect-label"),
            ],
        ),
        (
            "no-header",
            "1,a\n2,b\nx,c\n",
            r#"{"header": false}"#,
            &[(Some(3), Some(1), "type-error")],
        ),
        (
            "escape",
            "id,name\n1,\"a\\\"b\"\n2,c\nx,d\n",
            r#"{"escapeChar": "\\", "doubleQuote": false}"#,
            &[(Some(4), Some(1), "type-error")],
        ),
        (
            "quote-char",
            "id;name\n1;'a;b'\n2;c\nx;d\n",
            r#"{"delimiter": ";", "quoteChar": "'"}"#,
            &[(Some(4), Some(1), "type-error")],
        ),
        (
            "skip-space",
            "id, name\n1, a\n2, \"b, c\"\nx, d\n",
            r#"{"skipInitialSpace": true}"#,
            &[(Some(4), Some(1), "type-error")],
        ),
        (
            "comment-rows",
            "id,name\n1,a\nzzz\n2,b\n",
            r#"{"commentRows": [3]}"#,
            &[],
        ),
    ];
    let schema =
        r#"{"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]}"#;
    for (name, csv, dialect, want) in cases {
        let package = format!(
            r#"{{"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": "p", "resources": [{{"name": "t", "path": "t.csv", "type": "table", "dialect": {dialect}, "schema": {schema}}}]}}"#
        );
        let p = files(&[
            ("t.csv", csv.as_bytes()),
            ("datapackage.json", package.as_bytes()),
        ]);
        let out = run(
            &["validate", "datapackage.json", "--format", "json"],
            p.dir.path(),
        );
        let report: Value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{name}: {}", out.stderr));
        let got = sorted_errors(&report, 0);
        let mut want: Vec<(Option<u64>, Option<u64>, String)> = want
            .iter()
            .map(|(r, f, t)| (*r, *f, (*t).to_owned()))
            .collect();
        want.sort();
        assert_eq!(got, want, "{name}");
        assert_eq!(out.code, if want.is_empty() { 0 } else { 1 }, "{name}");
    }
}
