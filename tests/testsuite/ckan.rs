//! CKAN payloads and the push tool: every dataset has a `package_create` payload with
//! data.gov.ua's extras and one `resource_create` payload per file linking the published file;
//! `tools/ckan-push.py` sends them to a CKAN action API (here a fake one that records requests)
//! — create on the first push, update on the next — with the token from the environment.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::support::{repo, Project};

const TOKEN: &str = "test-token-5f0c";

fn read_json(path: &Path) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// The Python interpreter the tests use (`HROMADATA_PYTHON`, else `python3`).
fn python() -> Command {
    let python = std::env::var("HROMADATA_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "`{python}` is needed by the CKAN push tests: run `bash tests/run.sh`, which installs python3");
    Command::new(python)
}

/// The fake CKAN server, on a free port of 127.0.0.1; ended (by its own handle) when dropped.
struct FakeCkan {
    child: Child,
    url: String,
}

impl FakeCkan {
    fn start(log: &Path) -> FakeCkan {
        let mut child = python()
            .arg(repo().join("tests/tools/fake_ckan.py"))
            .arg(log)
            .args(["--token", TOKEN, "--lifetime", "120"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("no port from the fake CKAN: {line:?}"));
        FakeCkan {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for FakeCkan {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn push(site: &Path, url: &str, token: Option<&str>, extra: &[&str]) -> std::process::Output {
    let mut cmd = python();
    cmd.arg(repo().join("tools/ckan-push.py"))
        .arg("--site")
        .arg(site)
        .args(["--url", url])
        .args(extra)
        .env_remove("CKAN_API_TOKEN")
        .env_remove("CKAN_URL");
    if let Some(t) = token {
        cmd.env("CKAN_API_TOKEN", t);
    }
    cmd.output().unwrap()
}

/// The recorded requests: (action, Authorization header, body).
fn requests(log: &Path) -> Vec<(String, Value, Value)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["action"].as_str().unwrap().to_owned(),
                v["auth"].clone(),
                v["body"].clone(),
            )
        })
        .collect()
}

#[test]
fn payloads_follow_ckan_and_data_gov_ua() {
    let p = Project::fixture("basic");
    assert_eq!(
        p.build(&["--base-url", "https://data.example.gov.ua/"])
            .code,
        0
    );
    let dir = p.out().join("datasets/vinnytsia-budget/ckan");
    let package = read_json(&dir.join("package_create.json"));
    let name = package["name"].as_str().unwrap();
    assert_eq!(name, "vinnytsia-budget");
    assert!((2..=100).contains(&name.len()));
    assert!(name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'));
    assert_eq!(package["title"], "Доходи бюджету громади");
    assert_eq!(package["owner_org"], "vinnytska-miska-rada");
    assert_eq!(package["license_id"], "cc-by");
    assert_eq!(package["tags"], json!([{"name": "бюджет"}]));
    let extras: Vec<(&str, &str)> = package["extras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["key"].as_str().unwrap(), e["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        extras,
        [
            ("purpose_of_collecting_information", "не зазначено"),
            ("update_frequency", "щороку"),
            ("language", "Українська"),
            ("publisherIdentifier", "25512617"),
        ]
    );
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "package_create.json",
            "resource_create-notes.json",
            "resource_create-revenues.json"
        ]
    );
    let sums = std::fs::read_to_string(p.out().join("SHA256SUMS")).unwrap();
    for file in &files[1..] {
        let r = read_json(&dir.join(file));
        assert_eq!(r["package_id"], "vinnytsia-budget");
        assert_eq!(r["url_type"], Value::Null, "a link, not an upload");
        let url = r["url"].as_str().unwrap();
        let path = url.strip_prefix("https://data.example.gov.ua/").unwrap();
        let published = std::fs::metadata(p.out().join(path)).unwrap();
        assert_eq!(r["size"], published.len());
        assert!(
            sums.contains(&format!("{}  {path}", r["hash"].as_str().unwrap())),
            "{file}"
        );
    }
}

#[test]
fn the_push_tool_creates_then_updates_on_a_ckan() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let log = p.dir.path().join("ckan.log");
    let ckan = FakeCkan::start(&log);
    let ids = ["katottg-sample", "vinnytsia-budget"];
    let payload =
        |id: &str, file: &str| read_json(&p.out().join(format!("datasets/{id}/ckan/{file}")));
    let resources = |id: &str| -> Vec<String> {
        let mut r: Vec<String> = std::fs::read_dir(p.out().join(format!("datasets/{id}/ckan")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("resource_create-"))
            .collect();
        r.sort();
        r
    };

    let first = push(&p.out(), &ckan.url, Some(TOKEN), &[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let calls = requests(&log);
    let mut want: Vec<(String, Value)> = Vec::new();
    for id in ids {
        want.push(("package_show".into(), json!({"id": id})));
        want.push(("package_create".into(), payload(id, "package_create.json")));
        for r in resources(id) {
            want.push(("resource_create".into(), payload(id, &r)));
        }
    }
    let got: Vec<(String, Value)> = calls
        .iter()
        .map(|(a, _, b)| (a.clone(), b.clone()))
        .collect();
    assert_eq!(got, want);
    assert!(
        calls.iter().all(|(_, auth, _)| auth == TOKEN),
        "the token from CKAN_API_TOKEN"
    );

    // The second push finds the packages: updates keep their resources and update each file.
    let before = calls.len();
    let second = push(
        &p.out(),
        &ckan.url,
        Some(TOKEN),
        &["--owner-org", "portal-org", "--dataset", "vinnytsia-budget"],
    );
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let calls = requests(&log);
    let actions: Vec<&str> = calls[before..].iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "package_show",
            "package_update",
            "resource_update",
            "resource_update"
        ]
    );
    let update = &calls[before + 1].2;
    assert_eq!(update["owner_org"], "portal-org");
    assert_eq!(
        update["title"],
        payload("vinnytsia-budget", "package_create.json")["title"]
    );
    assert_eq!(
        update["resources"].as_array().unwrap().len(),
        2,
        "resources kept"
    );
    for (call, file) in calls[before + 2..]
        .iter()
        .zip(resources("vinnytsia-budget"))
    {
        let mut body = call.2.clone();
        assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
        body.as_object_mut().unwrap().remove("id");
        assert_eq!(body, payload("vinnytsia-budget", &file));
    }
}

#[test]
fn the_push_tool_needs_a_token_and_reports_refusals() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let log = p.dir.path().join("ckan.log");
    let ckan = FakeCkan::start(&log);
    let none = push(&p.out(), &ckan.url, None, &[]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("CKAN_API_TOKEN"));
    assert!(requests(&log).is_empty(), "nothing sent without a token");
    let wrong = push(&p.out(), &ckan.url, Some("wrong"), &[]);
    assert_eq!(wrong.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        stderr.contains("vinnytsia-budget") && stderr.contains("403"),
        "{stderr}"
    );
}
