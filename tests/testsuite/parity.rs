//! Parity with the reference implementation: every case in
//! `../shared/fixtures/frictionless/expected.json` (what frictionless-py 5.21.0 reports) is run
//! through `hromadata validate … --format json` from the fixtures folder, and must give the same
//! verdict and the same multiset of (rowNumber, fieldNumber, type).

use std::path::PathBuf;

use serde_json::Value;

fn fixtures() -> PathBuf {
    crate::support::repo().join("../shared/fixtures/frictionless")
}

type Triple = (Option<u64>, Option<u64>, String);

fn triples(report: &Value) -> Vec<Triple> {
    let mut out = Vec::new();
    let errors = report["errors"].as_array().into_iter().flatten();
    let task_errors = report["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["errors"].as_array().into_iter().flatten());
    for e in errors.chain(task_errors) {
        out.push((
            e["rowNumber"].as_u64(),
            e["fieldNumber"].as_u64(),
            e["type"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    out.sort();
    out
}

fn expected_triples(case: &Value) -> Vec<Triple> {
    let mut out: Vec<Triple> = case["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_u64(),
                e[1].as_u64(),
                e[2].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_frictionless_case_agrees() {
    let expected: Value = serde_json::from_slice(
        &std::fs::read(fixtures().join("expected.json"))
            .expect("../shared is beside the repository"),
    )
    .unwrap();
    let mut failures = Vec::new();
    let cases = expected["cases"].as_array().unwrap();
    for case in cases {
        let mut args: Vec<&str> = vec!["validate"];
        args.extend(
            case["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap()),
        );
        args.extend(["--format", "json"]);
        let run = crate::support::run(&args, &fixtures());
        let want_valid = case["valid"].as_bool().unwrap();
        let report: Value = match serde_json::from_str(&run.stdout) {
            Ok(v) => v,
            Err(_) => {
                failures.push(format!(
                    "{:?}: exit {}, no JSON report; stderr: {}",
                    case["args"], run.code, run.stderr
                ));
                continue;
            }
        };
        let got = (
            report["valid"].as_bool().unwrap_or(!want_valid),
            triples(&report),
        );
        let want = (want_valid, expected_triples(case));
        let code_ok = run.code == if want_valid { 0 } else { 1 };
        if got != want || !code_ok {
            failures.push(format!(
                "{:?}: exit {}\n   got  {:?}\n   want {:?}",
                case["args"], run.code, got, want
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree with frictionless:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
