//! `hromadata check` on broken fixtures: every problem located (file, row, field), exit 1, and
//! the report people read snapshotted.

use crate::support::{redact, Project};

const BUDGET: &str = "publishers/vinnytska-miska-rada/budget/datapackage.json";
const REVENUES: &str = "publishers/vinnytska-miska-rada/budget/revenues.csv";
const PUBLISHER: &str = "publishers/vinnytska-miska-rada/publisher.toml";

/// Runs `check` on the basic fixture after `alter`, expects exit 1, returns the report.
fn findings(alter: impl Fn(&Project)) -> String {
    let p = Project::fixture("basic");
    alter(&p);
    let run = p.check();
    assert_eq!(
        run.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    redact(&run.stdout, &p)
}

#[test]
fn valid_fixture_passes() {
    let p = Project::fixture("basic");
    let run = p.check();
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "ok: no problems found\n");
    assert!(!p.out().exists(), "check writes nothing");
}

macro_rules! cases {
    ($($name:ident: $alter:expr;)*) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), findings($alter));
        }
    )*};
}

cases! {
    territory_profile_declared_wrong: |p| {
        p.edit(BUDGET, "\"hromadata\": {", "\"hromadata\": {\"profile\": {\"resource\": \"revenues\", \"code\": \"kod\", \"facts\": {\"population\": \"total\", \"mayor\": \"source\"}},");
    };
    type_error_in_a_cell: |p| { p.edit(REVENUES, "5735142140.24", "\"5735142140,24\""); };
    constraint_errors: |p| { p.edit(REVENUES, "2021,4909594030.7,fact", "2021,-5,forecast"); };
    duplicate_primary_key: |p| { p.edit(REVENUES, "2022,", "2021,"); };
    missing_required_value: |p| { p.edit(REVENUES, "2023,NA,plan", "NA,1,plan"); };
    ragged_rows: |p| { p.write(REVENUES, "year,total,source\n2021,1,fact,extra\n2022,2\n\n2023,3,plan\n"); };
    header_mismatch: |p| { p.edit(REVENUES, "year,total,source", "year,sum,source,comment"); };
    unterminated_quote: |p| { p.write(REVENUES, "year,total,source\n2021,1,fact\n2022,\"2,fact\n"); };
    nul_byte: |p| { p.write(REVENUES, "year,total,source\n2021,1,fa\0ct\n2022,2,fact\n"); };
    rows_count_records_not_lines: |p| { p.write(REVENUES, "year,total,source\n2021,\"1\",\"fact\"\n\"2022\",2,\"fa\"\"ct\nplan\"\n2023,x,plan\n"); };
    invalid_utf8: |p| { std::fs::write(p.file(REVENUES), b"year,total,source\n2021,1,fact\n2022,2,\xc4\xee\xf5\xee\xe4\n").unwrap(); };
    declared_hash_and_bytes_disagree: |p| { p.edit(BUDGET, "\"name\": \"revenues\",", &format!("\"name\": \"revenues\", \"bytes\": 10, \"hash\": \"sha256:{}\",", "0".repeat(64))); };
    invalid_json: |p| { p.edit(BUDGET, "\"keywords\": [\"бюджет\"],", "\"keywords\": [\"бюджет\"]"); };
    missing_resource_file: |p| { p.edit(BUDGET, "\"revenues.csv\"", "\"revenue.csv\""); };
    path_outside_the_dataset: |p| { p.edit(BUDGET, "\"revenues.csv\"", "\"../../../catalog.toml\""); };
    absolute_path: |p| { p.edit(BUDGET, "\"revenues.csv\"", "\"/etc/passwd\""); };
    unknown_field_type: |p| { p.edit(BUDGET, "\"type\": \"year\"", "\"type\": \"money\""); };
    bad_dates_and_frequency: |p| { p.edit(BUDGET, "\"yearly\"", "\"fortnightly\"").edit(BUDGET, "\"2025-02-01\"", "\"01.02.2025\""); };
    unknown_territory: |p| { p.edit(BUDGET, "\"spatial\": [\"UA05020030000031457\"]", "\"spatial\": [\"UA05020030000099999\", \"UA123\"]"); };
    bad_edrpou_and_email: |p| { p.edit(PUBLISHER, "25512617", "25512618").edit(PUBLISHER, "name = \"Виконавчий комітет\"", "name = \"Виконавчий комітет\"\nemail = \"not an address\""); };
    toml_syntax_error: |p| { p.edit(PUBLISHER, "website = \"https://www.vmr.gov.ua/\"", "website = https://www.vmr.gov.ua/"); };
    unknown_toml_key: |p| { p.edit(PUBLISHER, "website =", "webside ="); };
    duplicate_dataset_name: |p| { p.edit("publishers/mindev/registry/datapackage.json", "\"katottg-sample\"", "\"vinnytsia-budget\""); };
    missing_catalog_file: |p| { std::fs::remove_file(p.file("catalog.toml")).unwrap(); };
    catalog_publisher_unknown: |p| { p.edit("catalog.toml", "publisher = \"mindev\"", "publisher = \"nobody\""); };
}

#[cfg(unix)]
#[test]
fn symlink_leading_outside_is_refused() {
    let report = findings(|p| {
        std::fs::write(p.dir.path().join("canary.txt"), "secret").unwrap();
        std::fs::remove_file(p.file(REVENUES)).unwrap();
        std::os::unix::fs::symlink(p.dir.path().join("canary.txt"), p.file(REVENUES)).unwrap();
    });
    assert!(report.contains("link that leads outside"), "{report}");
}

#[test]
fn missing_source_is_an_operational_error() {
    let p = Project::fixture("basic");
    let run = crate::support::run(&["check", "--source", "no-such-folder"], p.dir.path());
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: the source folder `no-such-folder` does not exist or is not a folder\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let run = crate::support::run(&["build", "--no-such-flag"], &crate::support::repo());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--no-such-flag"));
}
