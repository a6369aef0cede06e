//! Catalogue tables and data packages: `datasets.csv`, `resources.csv` and `publishers.csv` at
//! the site root have the documented columns and one row per item; the catalogue's
//! `datapackage.json` and every dataset's are valid against the official Data Package profiles
//! (the validator of `hromadata validate`), on a fixture and on the embedded catalogue.

use hromadata::validate::descriptor::{check, DescriptorKind};

use crate::support::{repo, Project};

const DATASETS: [&str; 22] = [
    "id",
    "title_uk",
    "title_en",
    "url",
    "url_en",
    "publisher",
    "publisher_name",
    "publisher_edrpou",
    "territory_codes",
    "license",
    "frequency",
    "issued",
    "modified",
    "temporal_start",
    "temporal_end",
    "resolution_835",
    "keywords",
    "formats",
    "resources",
    "bytes",
    "valid",
    "datapackage_url",
];
const RESOURCES: [&str; 14] = [
    "dataset_id",
    "name",
    "title",
    "url",
    "path",
    "format",
    "mediatype",
    "encoding",
    "bytes",
    "sha256",
    "rows",
    "valid",
    "dataset_url",
    "publisher",
];
const PUBLISHERS: [&str; 15] = [
    "slug",
    "name_uk",
    "name_en",
    "edrpou",
    "territory_code",
    "territory_name",
    "website",
    "contact_name",
    "contact_email",
    "url",
    "url_en",
    "datasets",
    "modified",
    "register_url",
    "feed_url",
];

/// The header and rows of a CSV file of the site.
fn table(p: &Project, path: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let bytes = std::fs::read(p.out().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    (header, reader.records().map(Result::unwrap).collect())
}

/// Checks the three tables against the built site; returns (datasets, resources, publishers).
fn check_tables(p: &Project) -> (usize, usize, usize) {
    let (header, datasets) = table(p, "datasets.csv");
    assert_eq!(header, DATASETS);
    let pages: Vec<String> = std::fs::read_dir(p.out().join("datasets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|d| d.join("datapackage.json").is_file())
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut ids: Vec<&str> = datasets.iter().map(|r| &r[0]).collect();
    ids.sort();
    let mut pages_sorted: Vec<&str> = pages.iter().map(String::as_str).collect();
    pages_sorted.sort();
    assert_eq!(ids, pages_sorted, "one row per dataset");
    let (header, resources) = table(p, "resources.csv");
    assert_eq!(header, RESOURCES);
    let sums = std::fs::read_to_string(p.out().join("SHA256SUMS")).unwrap();
    assert_eq!(
        resources.len(),
        sums.lines().count(),
        "one row per published file"
    );
    for r in &resources {
        assert!(sums.contains(&format!("{}  {}", &r[9], &r[4])), "{:?}", r);
        let len = std::fs::metadata(p.out().join(&r[4])).unwrap().len();
        assert_eq!(r[8].parse::<u64>().unwrap(), len, "{}", &r[4]);
    }
    for d in &datasets {
        let files: Vec<&csv::StringRecord> = resources.iter().filter(|r| r[0] == d[0]).collect();
        assert_eq!(d[18].parse::<usize>().unwrap(), files.len(), "{}", &d[0]);
        let bytes: u64 = files.iter().map(|r| r[8].parse::<u64>().unwrap()).sum();
        assert_eq!(d[19].parse::<u64>().unwrap(), bytes, "{}", &d[0]);
    }
    let (header, publishers) = table(p, "publishers.csv");
    assert_eq!(header, PUBLISHERS);
    let dirs = std::fs::read_dir(p.out().join("publishers"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert_eq!(publishers.len(), dirs, "one row per publisher");
    for pb in &publishers {
        let theirs = datasets.iter().filter(|d| d[5] == pb[0]).count();
        assert_eq!(pb[11].parse::<usize>().unwrap(), theirs, "{}", &pb[0]);
    }
    (datasets.len(), resources.len(), publishers.len())
}

/// Validates the catalogue's and every dataset's `datapackage.json` against the official
/// profiles; returns how many were checked.
fn check_packages(p: &Project) -> usize {
    let mut checked = 0;
    let mut files = vec![p.out().join("datapackage.json")];
    for e in std::fs::read_dir(p.out().join("datasets")).unwrap() {
        let d = e.unwrap().path().join("datapackage.json");
        if d.is_file() {
            files.push(d);
        }
    }
    for file in files {
        let value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let errors = check(&value, DescriptorKind::Package);
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
        checked += 1;
    }
    // The catalogue's package: one resource per published file, at its path, with its hash.
    let root: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.out().join("datapackage.json")).unwrap())
            .unwrap();
    let sums = std::fs::read_to_string(p.out().join("SHA256SUMS")).unwrap();
    let resources = root["resources"].as_array().unwrap();
    assert_eq!(resources.len(), sums.lines().count());
    for r in resources {
        let path = r["path"].as_str().unwrap();
        let hash = r["hash"].as_str().unwrap().strip_prefix("sha256:").unwrap();
        assert!(sums.contains(&format!("{hash}  {path}")), "{path}");
        assert_eq!(
            r["bytes"],
            std::fs::metadata(p.out().join(path)).unwrap().len()
        );
    }
    checked
}

#[test]
fn catalogue_tables_and_packages_on_a_fixture() {
    let p = Project::fixture("basic");
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(check_tables(&p), (2, 3, 2));
    assert_eq!(check_packages(&p), 3);
}

#[test]
fn a_broken_package_is_caught_by_the_same_check() {
    // The check that passes the published packages fails a wrong one (so it can fail).
    let value = serde_json::json!({
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "resources": [{"name": "a", "path": "a.csv", "bytes": "many"}]
    });
    assert!(!check(&value, DescriptorKind::Package).is_empty());
}

#[test]
fn embedded_catalogue_exports_are_valid() {
    let p = Project::copy_of(&repo().join("datasets"));
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (datasets, _, publishers) = check_tables(&p);
    assert!(datasets >= 10 && publishers >= 8);
    assert_eq!(check_packages(&p), datasets + 1);
    assert_eq!(crate::registers::check_registers(&p), datasets);
}
