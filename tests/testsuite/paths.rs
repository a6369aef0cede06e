//! Paths that lead outside the source tree (issue 8): a canary file with a unique token sits in a
//! sibling folder of `src/`, and each case points a path field of `catalog.toml`, a
//! `publisher.toml` or a `datapackage.json` at it — absolutely, through `..` in many spellings, or
//! through symlinks. `check` and `build` must exit 1 naming the file and the field, and the token
//! must appear in no byte of the site, not even with `--keep-going`.

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::support::{tree, Project};

/// The canary's token: it occurs nowhere in the fixture, so finding it in the site is a leak.
const TOKEN: &str = "CANARY-q7Zx2Lw9Hd4Kp1";
const DATASET: &str = "publishers/vinnytska-miska-rada/budget";
const BUDGET: &str = "publishers/vinnytska-miska-rada/budget/datapackage.json";
const CATALOG: &str = "catalog.toml";
/// From the dataset folder (`src/publishers/<p>/<d>/`) up to the temporary folder.
const UP: &str = "../../../..";

/// A fixture project with `outside/` beside `src/`, filled with canary files of every kind.
fn project() -> (Project, std::path::PathBuf) {
    let p = Project::fixture("basic");
    let outside = p.dir.path().join("outside");
    std::fs::create_dir_all(outside.join("dataset")).unwrap();
    std::fs::create_dir_all(outside.join("publisher/stolen")).unwrap();
    let csv = format!("year,total,source\n2031,7,{TOKEN}\n");
    std::fs::write(outside.join("canary.csv"), &csv).unwrap();
    let schema = format!(
        r#"{{"fields": [{{"name": "year", "type": "year", "title": "{TOKEN}"}},
        {{"name": "total", "type": "number"}}, {{"name": "source", "type": "string"}}]}}"#
    );
    std::fs::write(outside.join("schema.json"), schema).unwrap();
    let budget = std::fs::read_to_string(p.file(BUDGET)).unwrap();
    let stolen = budget
        .replace("Доходи бюджету громади", TOKEN)
        .replace("\"vinnytsia-budget\"", "\"stolen-budget\"");
    std::fs::write(outside.join("datapackage.json"), &stolen).unwrap();
    std::fs::write(outside.join("dataset/datapackage.json"), &stolen).unwrap();
    std::fs::write(outside.join("dataset/revenues.csv"), &csv).unwrap();
    std::fs::write(outside.join("dataset/notes.txt"), TOKEN).unwrap();
    let publisher =
        std::fs::read_to_string(p.file("publishers/vinnytska-miska-rada/publisher.toml"))
            .unwrap()
            .replace("Вінницька міська рада", TOKEN);
    std::fs::write(outside.join("publisher.toml"), &publisher).unwrap();
    std::fs::write(outside.join("publisher/publisher.toml"), &publisher).unwrap();
    for f in ["datapackage.json", "revenues.csv", "notes.txt"] {
        let from = outside.join("dataset").join(f);
        std::fs::copy(from, outside.join("publisher/stolen").join(f)).unwrap();
    }
    let registry = std::fs::read_to_string(p.file("publishers/mindev/registry/katottg.csv"))
        .unwrap()
        .replace("Вінницька", TOKEN);
    std::fs::write(outside.join("katottg.csv"), registry).unwrap();
    let history = format!(
        "edition,change,code,old_name,new_name,old_category,new_category\n\
         2026-01-01,renamed,UA05020030000031457,{TOKEN},Вінницька,H,H\n"
    );
    std::fs::write(outside.join("history.csv"), history).unwrap();
    let list = format!("code,name_uk,name_en,applies_to,frequency\nall-001,{TOKEN},{TOKEN},all,\n");
    std::fs::write(outside.join("835.csv"), list).unwrap();
    (p, outside)
}

/// Points resource 0 of the budget dataset at `path`.
fn resource(p: &Project, path: &str) {
    let json = serde_json::to_string(path).unwrap();
    p.edit(BUDGET, "\"revenues.csv\"", &json);
}

/// Names `list` as the Resolution 835 list in `catalog.toml`.
fn resolution_835_list(p: &Project, list: &str) {
    let text = std::fs::read_to_string(p.file(CATALOG)).unwrap();
    let text = format!("{text}\n[resolution_835]\nlist = \"{list}\"\n");
    std::fs::write(p.file(CATALOG), text).unwrap();
}

/// Runs `check`, `build` and `build --keep-going`; asserts exit 1, a message naming each of
/// `located`, and no trace of the token in any file of the site. Returns whether `--keep-going`
/// published a site (it does not when `catalog.toml` itself is refused).
fn refused(name: &str, p: &Project, located: &[&str]) -> bool {
    let check = p.check();
    assert_eq!(
        check.code, 1,
        "{name}: check\n{}{}",
        check.stdout, check.stderr
    );
    for part in located {
        assert!(
            check.stdout.contains(part),
            "{name}: the message does not name {part:?}:\n{}",
            check.stdout
        );
    }
    assert!(
        check.stdout.contains("outside") || check.stdout.contains("inside"),
        "{name}: the message does not say what to do:\n{}",
        check.stdout
    );
    assert!(
        !check.stdout.contains(TOKEN),
        "{name}: check printed the canary"
    );
    let build = p.build(&[]);
    assert_eq!(build.code, 1, "{name}: build\n{}", build.stderr);
    assert!(!p.out().exists(), "{name}: build published a site");
    let kept = p.build(&["--keep-going"]);
    assert_eq!(kept.code, 1, "{name}: build --keep-going\n{}", kept.stderr);
    if !p.out().exists() {
        return false;
    }
    let site = tree(&p.out());
    for (file, bytes) in &site {
        let leaked = bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes());
        assert!(!leaked, "{name}: the canary reached `{file}`");
    }
    true
}

type Setup = fn(&Project, &Path);
/// A case: its name, how it points at the canary, and what the message must name.
type Case = (&'static str, Setup, Vec<&'static str>);

/// Every case.
fn cases() -> Vec<Case> {
    [
        resource_cases(),
        reference_cases(),
        tree_cases(),
        catalog_cases(),
    ]
    .concat()
}

/// A resource's `path` out of the dataset folder: absolutely, by `..` spelt many ways, by links.
fn resource_cases() -> Vec<Case> {
    let field = vec![BUDGET, "resources[0].path"];
    vec![
        (
            "absolute",
            |p, o| resource(p, o.join("canary.csv").to_str().unwrap()),
            field.clone(),
        ),
        (
            "dot_dot",
            |p, _| resource(p, &format!("{UP}/outside/canary.csv")),
            field.clone(),
        ),
        (
            "dot_dot_inside_name",
            |p, _| resource(p, &format!("a/../{UP}/outside/canary.csv")),
            field.clone(),
        ),
        (
            "dot_slash_dot_dot",
            |p, _| resource(p, &format!("./{UP}/outside/canary.csv")),
            field.clone(),
        ),
        (
            "backslashes",
            |p, _| resource(p, "..\\..\\..\\..\\outside\\canary.csv"),
            field.clone(),
        ),
        (
            "percent_encoded",
            |p, _| resource(p, "%2e%2e/%2e%2e/%2e%2e/%2e%2e/outside/canary.csv"),
            field.clone(),
        ),
        (
            "file_url",
            |p, o| resource(p, &format!("file://{}", o.join("canary.csv").display())),
            field.clone(),
        ),
        (
            "symlinked_file",
            |p, o| {
                symlink(o.join("canary.csv"), p.file(&format!("{DATASET}/link.csv"))).unwrap();
                resource(p, "link.csv");
            },
            field.clone(),
        ),
        (
            "symlink_chain",
            |p, o| {
                symlink(o.join("canary.csv"), p.file("publishers/mindev/hop.csv")).unwrap();
                symlink(
                    "../../mindev/hop.csv",
                    p.file(&format!("{DATASET}/hop.csv")),
                )
                .unwrap();
                symlink("hop.csv", p.file(&format!("{DATASET}/chain.csv"))).unwrap();
                resource(p, "chain.csv");
            },
            field.clone(),
        ),
        (
            "symlinked_subfolder",
            |p, o| {
                symlink(o, p.file(&format!("{DATASET}/data"))).unwrap();
                resource(p, "data/canary.csv");
            },
            field.clone(),
        ),
    ]
}

/// A schema or dialect referenced by a path that leaves the dataset folder.
fn reference_cases() -> Vec<Case> {
    vec![
        (
            "schema_dot_dot",
            |p, _| {
                p.edit(
                    BUDGET,
                    "\"schema\": {",
                    &format!("\"schema\": \"{UP}/outside/schema.json\", \"x-old\": {{"),
                );
            },
            vec![BUDGET, "resources[0].schema"],
        ),
        (
            "schema_absolute",
            |p, o| {
                let path = serde_json::to_string(&o.join("schema.json")).unwrap();
                p.edit(
                    BUDGET,
                    "\"schema\": {",
                    &format!("\"schema\": {path}, \"x-old\": {{"),
                );
            },
            vec![BUDGET, "resources[0].schema"],
        ),
        (
            "schema_symlink",
            |p, o| {
                symlink(
                    o.join("schema.json"),
                    p.file(&format!("{DATASET}/schema.json")),
                )
                .unwrap();
                p.edit(
                    BUDGET,
                    "\"schema\": {",
                    "\"schema\": \"schema.json\", \"x-old\": {",
                );
            },
            vec![BUDGET, "resources[0].schema"],
        ),
        (
            "dialect_path",
            |p, _| {
                p.edit(
                    BUDGET,
                    "\"encoding\": \"utf-8\",",
                    &format!("\"encoding\": \"utf-8\", \"dialect\": \"{UP}/outside/canary.csv\","),
                );
            },
            vec![BUDGET, "dialect"],
        ),
    ]
}

/// Folders and descriptors of the source tree that are symlinks to outside it.
fn tree_cases() -> Vec<Case> {
    vec![
        (
            "datapackage_symlink",
            |p, o| {
                std::fs::remove_file(p.file(BUDGET)).unwrap();
                symlink(o.join("datapackage.json"), p.file(BUDGET)).unwrap();
            },
            vec![BUDGET],
        ),
        (
            "dataset_folder_symlink",
            |p, o| {
                symlink(
                    o.join("dataset"),
                    p.file("publishers/vinnytska-miska-rada/stolen"),
                )
                .unwrap();
            },
            vec!["publishers/vinnytska-miska-rada/stolen"],
        ),
        (
            "publisher_folder_symlink",
            |p, o| {
                symlink(o.join("publisher"), p.file("publishers/stolen")).unwrap();
            },
            vec!["publishers/stolen"],
        ),
        (
            "publisher_toml_symlink",
            |p, o| {
                let file = p.file("publishers/vinnytska-miska-rada/publisher.toml");
                std::fs::remove_file(&file).unwrap();
                symlink(o.join("publisher.toml"), file).unwrap();
            },
            vec!["publishers/vinnytska-miska-rada/publisher.toml"],
        ),
    ]
}

/// The territory registry, its history and the Resolution 835 list, out of the tree.
fn catalog_cases() -> Vec<Case> {
    vec![
        (
            "registry_dot_dot",
            |p, _| {
                p.edit(
                    CATALOG,
                    "publishers/mindev/registry/katottg.csv",
                    "publishers/../../outside/katottg.csv",
                );
            },
            vec![CATALOG, "territories.registry"],
        ),
        (
            "registry_absolute",
            |p, o| {
                p.edit(
                    CATALOG,
                    "publishers/mindev/registry/katottg.csv",
                    o.join("katottg.csv").to_str().unwrap(),
                );
            },
            vec![CATALOG, "territories.registry"],
        ),
        (
            "registry_symlink",
            |p, o| {
                let file = p.file("publishers/mindev/registry/katottg.csv");
                std::fs::remove_file(&file).unwrap();
                symlink(o.join("katottg.csv"), file).unwrap();
            },
            vec![CATALOG, "territories.registry"],
        ),
        (
            "registry_history_symlink",
            |p, o| {
                symlink(
                    o.join("history.csv"),
                    p.file("publishers/mindev/registry/katottg-history.csv"),
                )
                .unwrap();
            },
            vec![CATALOG, "territories.registry", "katottg-history.csv"],
        ),
        (
            "resolution_835_dot_dot",
            |p, _| resolution_835_list(p, "../outside/835.csv"),
            vec![CATALOG, "resolution_835.list"],
        ),
        (
            "resolution_835_symlink",
            |p, o| {
                symlink(o.join("835.csv"), p.file("835.csv")).unwrap();
                resolution_835_list(p, "835.csv");
            },
            vec![CATALOG, "resolution_835.list"],
        ),
    ]
}

#[test]
fn paths_outside_the_source_are_refused_and_never_published() {
    let cases = cases();
    assert!(cases.len() >= 15);
    let mut published = Vec::new();
    for (name, setup, located) in cases {
        let (p, outside) = project();
        setup(&p, &outside);
        if refused(name, &p, &located) {
            published.push(name);
        }
    }
    // Only a refused `catalog.toml` setting stops `--keep-going` from publishing a site to scan.
    assert_eq!(published.len(), 22, "{published:?}");
}

/// A symlink that stays inside the dataset folder is accepted: it cannot publish anything the
/// source tree does not already hold.
#[test]
fn a_symlink_inside_the_dataset_folder_is_accepted() {
    let (p, _) = project();
    symlink("revenues.csv", p.file(&format!("{DATASET}/alias.csv"))).unwrap();
    resource(&p, "alias.csv");
    let check = p.check();
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(p.build(&[]).code, 0);
    let published = std::fs::read(p.out().join("datasets/vinnytsia-budget/alias.csv")).unwrap();
    assert_eq!(
        published,
        std::fs::read(p.file(&format!("{DATASET}/revenues.csv"))).unwrap()
    );
}
