//! `hromadata init DIR`: a new catalogue repository — the source folder `datasets/` (catalogue
//! settings, the KATOTTG registry, the Resolution 835 list, an example hromada council with one
//! example dataset), CI workflows for GitHub and GitLab, a `.gitignore` and a README for
//! publishers in Ukrainian. Everything is compiled into the binary, so `init` works anywhere.
//!
//! Invariant: the result passes `hromadata check` and `hromadata build` as written (the
//! integration tests run both on it).

use std::path::Path;

use crate::error::Error;
use crate::pipeline::Outcome;

/// The embedded catalogue's settings, for the edition of the registry copied from it.
const EMBEDDED_CATALOG: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/catalog.toml"
));

/// The KATOTTG registry of the embedded catalogue (real codifier data, ~4 MB): a catalogue needs
/// the whole codifier to accept any territory a publisher names.
const REGISTRY: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/publishers/mindev/katottg/katottg.csv"
));

/// The Resolution 835 list of the embedded catalogue.
const RESOLUTION_835: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/resolution-835.csv"
));

macro_rules! template {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/scaffold/template/",
            $name
        )) as &[u8]
    };
}

const PUBLISHER: &str = "datasets/publishers/haisynska-miska-rada";
const DATASET: &str = "datasets/publishers/haisynska-miska-rada/haisyn-communal-property";

/// The files `init` writes, relative to DIR, in the order they are listed to the user.
fn files(edition: &str) -> Vec<(String, Vec<u8>)> {
    let catalog = String::from_utf8_lossy(template!("catalog.toml")).replace("{edition}", edition);
    vec![
        ("README.md".into(), template!("README.md").to_vec()),
        (".gitignore".into(), template!("gitignore").to_vec()),
        (
            ".github/workflows/hromadata.yml".into(),
            template!("github-workflow.yml").to_vec(),
        ),
        (".gitlab-ci.yml".into(), template!("gitlab-ci.yml").to_vec()),
        ("datasets/catalog.toml".into(), catalog.into_bytes()),
        (
            "datasets/resolution-835.csv".into(),
            RESOLUTION_835.to_vec(),
        ),
        ("datasets/territories/katottg.csv".into(), REGISTRY.to_vec()),
        (
            format!("{PUBLISHER}/publisher.toml"),
            template!("publisher.toml").to_vec(),
        ),
        (
            format!("{DATASET}/datapackage.json"),
            template!("datapackage.json").to_vec(),
        ),
        (
            format!("{DATASET}/data/communal-property.csv"),
            template!("communal-property.csv").to_vec(),
        ),
    ]
}

/// The codifier edition the embedded registry was taken from (`[territories] edition`).
fn edition() -> String {
    let table: toml::Table = toml::from_str(EMBEDDED_CATALOG).unwrap_or_default();
    table
        .get("territories")
        .and_then(|t| t.get("edition"))
        .and_then(|e| e.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// Creates the catalogue repository in `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> Result<Outcome, Error> {
    let exists = std::fs::symlink_metadata(dir).is_ok();
    if exists {
        let empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none());
        if !empty {
            return Err(Error::InitNotEmpty {
                path: dir.to_path_buf(),
            });
        }
    }
    let mut created = super::Created::new();
    if !exists {
        std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
        created.made(dir);
    }
    let files = files(&edition());
    for (rel, bytes) in &files {
        let top = dir.join(rel.split('/').next().unwrap_or(rel));
        if !created.paths.contains(&top) && !created.paths.contains(&dir.to_path_buf()) {
            created.made(&top);
        }
        super::write(&dir.join(rel), bytes)?;
    }
    created.keep();
    println!("created a new catalogue in `{}`:", dir.display());
    for (rel, _) in &files {
        println!("  {rel}");
    }
    println!();
    println!(
        "next: cd {} && hromadata check && hromadata serve",
        dir.display()
    );
    println!("then replace the example publisher and dataset with your own (see README.md)");
    Ok(Outcome::Clean)
}
