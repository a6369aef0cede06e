//! `hromadata init` and `hromadata new dataset`: what they create passes `check` (and `build`),
//! they refuse to overwrite, and without a terminal missing options are named (snapshotted).

use std::path::Path;

use crate::support::{redact, run, Project};

/// A folder `cat` in a temporary project, made by `init`.
fn init(p: &Project) -> std::path::PathBuf {
    let dir = p.dir.path().join("cat");
    let r = run(&["init", dir.to_str().unwrap()], p.dir.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    dir
}

fn empty_project() -> Project {
    Project {
        dir: tempfile::tempdir().unwrap(),
    }
}

#[test]
fn init_creates_a_catalogue_that_checks_and_builds() {
    let p = empty_project();
    let dir = init(&p);
    for file in [
        "README.md",
        ".gitignore",
        ".github/workflows/hromadata.yml",
        ".gitlab-ci.yml",
        "datasets/catalog.toml",
        "datasets/resolution-835.csv",
        "datasets/territories/katottg.csv",
        "datasets/publishers/haisynska-miska-rada/publisher.toml",
        "datasets/publishers/haisynska-miska-rada/haisyn-communal-property/datapackage.json",
        "datasets/publishers/haisynska-miska-rada/haisyn-communal-property/data/communal-property.csv",
    ] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    let gitignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|l| l == "site/"));
    assert!(gitignore.lines().any(|l| l == ".site.retired/"));
    let workflow = std::fs::read_to_string(dir.join(".github/workflows/hromadata.yml")).unwrap();
    assert!(workflow.contains("hromadata check") && workflow.contains("deploy-pages"));
    let catalog = std::fs::read_to_string(dir.join("datasets/catalog.toml")).unwrap();
    assert!(!catalog.contains("{edition}"), "{catalog}");
    let check = run(&["check"], &dir);
    assert_eq!(check.code, 0, "{}", check.stdout);
    let build = run(&["build"], &dir);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    let page =
        std::fs::read_to_string(dir.join("site/datasets/haisyn-communal-property/index.html"))
            .unwrap();
    assert!(page.contains("Перелік об’єктів комунальної власності"));
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let p = empty_project();
    let dir = p.dir.path().join("taken");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let r = run(&["init", "taken"], p.dir.path());
    assert_eq!(r.code, 2);
    insta::assert_snapshot!("init_not_empty", r.stderr);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1, "nothing written");
    let empty = p.dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(run(&["init", "empty"], p.dir.path()).code, 0);
}

const PUBLISHER: &str = "vinnytska-miska-rada";

/// `new dataset` in the basic fixture with `args` after the file.
fn new_dataset(p: &Project, file: &Path, args: &[&str]) -> crate::support::Run {
    let src = p.src();
    let mut all = vec![
        "new",
        "dataset",
        "--publisher",
        PUBLISHER,
        file.to_str().unwrap(),
        "--source",
        src.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    // `run` gives the child no terminal on stdin (it inherits the test harness' stdin, which is
    // not a terminal under `cargo test`; CI=true as well).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hromadata"))
        .args(&all)
        .current_dir(p.dir.path())
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    crate::support::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

const PROPERTY_CSV: &str = "№,Назва об’єкта,Площа,Дата обліку,Вільне\n\
1,Адмінбудинок,1240.5,2025-01-31,false\n\
2,Гараж,48,2025-02-01,true\n";

#[test]
fn new_dataset_from_options_passes_check_with_matching_types() {
    let p = Project::fixture("basic");
    let file = p.dir.path().join("Комунальне майно.csv");
    let semicolons = PROPERTY_CSV.replace(',', ";");
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&semicolons);
    std::fs::write(&file, &cp1251).unwrap();
    let r = new_dataset(
        &p,
        &file,
        &[
            "--title",
            "Перелік об’єктів комунальної власності",
            "--title-en",
            "Communal property",
            "--description",
            "Будівлі й приміщення громади.",
            "--frequency",
            "щокварталу",
            "--keywords",
            "майно, оренда",
            "--resolution-835",
            "mun-002",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let dir = p.file("publishers/vinnytska-miska-rada/komunalne-maino");
    let copied = dir.join("data/komunalne-maino.csv");
    assert_eq!(
        std::fs::read(&copied).unwrap(),
        cp1251.to_vec(),
        "copied byte for byte"
    );
    let text = std::fs::read_to_string(dir.join("datapackage.json")).unwrap();
    insta::assert_snapshot!("new_dataset_descriptor", text);
    let descriptor: serde_json::Value = serde_json::from_str(&text).unwrap();
    let types: Vec<&str> = descriptor["resources"][0]["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["integer", "string", "number", "date", "boolean"]);
    let check = p.check();
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(
        r.stdout.contains("hromadata check --source"),
        "{}",
        r.stdout
    );
}

#[test]
fn new_dataset_without_a_terminal_lists_missing_options() {
    let p = Project::fixture("basic");
    let file = p.dir.path().join("property.csv");
    std::fs::write(&file, PROPERTY_CSV).unwrap();
    let r = new_dataset(&p, &file, &["--title-en", "Communal property"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    insta::assert_snapshot!("new_dataset_missing_options", redact(&r.stderr, &p));
    assert!(!p.file("publishers/vinnytska-miska-rada/property").exists());
}

#[test]
fn new_dataset_refuses_bad_values_unknown_publishers_and_existing_datasets() {
    let p = Project::fixture("basic");
    let file = p.dir.path().join("budget.csv");
    std::fs::write(&file, PROPERTY_CSV).unwrap();
    let required = [
        "--title",
        "Т",
        "--description",
        "О",
        "--frequency",
        "yearly",
        "--id",
        "fresh",
    ];
    // The required options, each unless `extra` gives it.
    let with = |extra: &[&str]| {
        let mut args: Vec<&str> = required
            .chunks(2)
            .filter(|pair| !extra.contains(&pair[0]))
            .flatten()
            .copied()
            .collect();
        args.extend_from_slice(extra);
        new_dataset(&p, &file, &args)
    };
    let cases: &[(&[&str], &str)] = &[
        (
            &["--frequency", "fortnightly"],
            "`--frequency` `fortnightly`: expected one of",
        ),
        (&["--territory", "UA99999999999999999"], "`--territory`"),
        (&["--resolution-835", "x-1"], "`--resolution-835` `x-1`"),
        (&["--modified", "31.03.2026"], "`--modified` `31.03.2026`"),
        (&["--id", "Budget Data"], "`--id` `Budget Data`"),
    ];
    for (extra, message) in cases {
        let r = with(extra);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stdout);
        assert!(r.stderr.contains(message), "{extra:?}: {}", r.stderr);
    }
    // The fixture's `budget` folder exists: the default id (from the file name) is taken.
    let r = new_dataset(&p, &file, &required[..6]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("`--id` `budget`: expected an identifier not used yet"),
        "{}",
        r.stderr
    );
    let ok = with(&["--id", "budget-2"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let again = with(&["--id", "budget-2"]);
    assert_eq!(again.code, 2);
    let src = p.src();
    let r = run(
        &[
            "new",
            "dataset",
            "--publisher",
            "nobody",
            file.to_str().unwrap(),
            "--source",
            src.to_str().unwrap(),
        ],
        p.dir.path(),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no publisher `nobody`"), "{}", r.stderr);
}
