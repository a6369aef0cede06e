//! DCAT-AP 3.0.1 output and the schema.org JSON-LD of dataset pages. The DCAT-AP files of the
//! built embedded catalogue and of a generated catalogue of 2,500 datasets are checked by
//! `tests/tools/dcat_check.py` — rdflib parses them, the JSON-LD must be the Turtle's graph, and
//! pySHACL runs the official shapes from `../shared/spec/dcat-ap-3.0.1` — with the Python of the
//! venv that `tests/run.sh` makes (`HROMADATA_TEST_PYTHON`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{repo, select, Project};

/// The venv's Python, with rdflib and pySHACL; the test fails (never skips) without it.
pub fn python() -> PathBuf {
    let python = std::env::var_os("HROMADATA_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-tests/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", "import pyshacl, rdflib"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "no Python with rdflib and pySHACL at `{}`: run `bash tests/run.sh`, which installs them into .venv-tests/",
        python.display()
    );
    python
}

/// Runs the checker on Turtle files (each with its JSON-LD beside it); returns its output.
fn dcat_check(files: &[PathBuf]) -> String {
    let shapes = repo().join("../shared/spec/dcat-ap-3.0.1");
    assert!(
        shapes.join("shapes.ttl").is_file(),
        "the DCAT-AP shapes are expected in ../shared beside the repository"
    );
    let out = Command::new(python())
        .arg(repo().join("tests/tools/dcat_check.py"))
        .arg("--shapes")
        .arg(&shapes)
        .args(files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // The counts are the record of what the shapes said (warnings are allowed).
    eprintln!("{stdout}");
    assert_eq!(
        stdout.matches(" 0 violations").count(),
        files.len(),
        "{stdout}"
    );
    stdout
}

/// The embedded catalogue, built once for the tests of this module.
fn embedded() -> &'static Project {
    static BUILT: OnceLock<Project> = OnceLock::new();
    BUILT.get_or_init(|| {
        let p = Project::copy_of(&repo().join("datasets"));
        let run = p.build(&[]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        p
    })
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The node objects of a JSON-LD document of ours with `@type` `ty`.
fn nodes_of_type<'a>(doc: &'a Value, ty: &str) -> Vec<&'a Value> {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            n["@type"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == ty))
        })
        .collect()
}

fn ids(values: &Value) -> Vec<String> {
    values
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v["@id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Dataset ids of the built site (folders with a `datapackage.json`).
fn built_datasets(site: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(site.join("datasets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("datapackage.json").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn embedded_catalogue_conforms_to_dcat_ap() {
    let p = embedded();
    let site = p.out();
    let ids_built = built_datasets(&site);
    let doc = json(&site.join("catalog.jsonld"));
    let catalogs = nodes_of_type(&doc, "dcat:Catalog");
    assert_eq!(catalogs.len(), 1);
    let base = "https://hromadata.github.io/catalogue/";
    let want: Vec<String> = ids_built
        .iter()
        .map(|id| format!("{base}datasets/{id}/#dataset"))
        .collect();
    let mut listed = ids(&catalogs[0]["dcat:dataset"]);
    listed.sort();
    assert_eq!(
        listed, want,
        "catalog.jsonld lists every published dataset by its stable IRI"
    );
    // Every distribution carries the size and SHA-256 the site publishes for its file.
    let sums = std::fs::read_to_string(site.join("SHA256SUMS")).unwrap();
    for dist in nodes_of_type(&doc, "dcat:Distribution") {
        let url = ids(&dist["dcat:downloadURL"]).remove(0);
        let path = url.strip_prefix(base).unwrap();
        let bytes = std::fs::metadata(site.join(path)).unwrap().len();
        assert_eq!(
            dist["dcat:byteSize"][0]["@value"],
            bytes.to_string(),
            "{url}"
        );
        let checksum = ids(&dist["spdx:checksum"]).remove(0);
        let node = doc["@graph"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["@id"] == checksum)
            .unwrap();
        let hex = node["spdx:checksumValue"][0]["@value"].as_str().unwrap();
        assert!(sums.contains(&format!("{hex}  {path}\n")), "{url}");
    }
    let hromada = "hromadas/UA05020030000031457/catalog.ttl";
    let out = dcat_check(&[
        site.join("catalog.ttl"),
        site.join("datasets/kse-hromada-indicators/dataset.ttl"),
        site.join(hromada),
        site.join("publishers/vinnytska-miska-rada/catalog.ttl"),
    ]);
    assert!(out.contains("(isomorphic)"), "{out}");
}

#[test]
fn territories_are_located_by_katottg_code_with_their_centres() {
    let site = embedded().out();
    let doc = json(&site.join("datasets/kosiv-budget-revenues/dataset.jsonld"));
    let places = nodes_of_type(&doc, "dct:Location");
    assert_eq!(places.len(), 1);
    let place = places[0];
    assert_eq!(
        place["@id"],
        "https://hromadata.github.io/catalogue/hromadas/UA26100010000076570/"
    );
    assert_eq!(place["dct:identifier"][0]["@value"], "UA26100010000076570");
    // The centre the KSE profile table gives for the hromada.
    let table = repo()
        .join("datasets/publishers/mindev/kse-hromada-indicators/data/hromada-indicators.csv");
    let mut reader = csv::Reader::from_path(table).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[col("hromada_code")] == "UA26100010000076570")
        .unwrap();
    let (lat, lon): (f64, f64) = (
        row[col("lat_center")].parse().unwrap(),
        row[col("lon_center")].parse().unwrap(),
    );
    assert_eq!(
        place["dcat:centroid"][0]["@value"],
        format!("POINT({lon} {lat})")
    );
    assert_eq!(place["dcat:centroid"][0]["@type"], "geo:wktLiteral");
    // The territory's own catalogue sits beside its page.
    assert!(site
        .join("hromadas/UA26100010000076570/catalog.ttl")
        .is_file());
    assert!(site
        .join("oblasts/UA26000000000069363/catalog.jsonld")
        .is_file());
}

/// Writes `n` tiny datasets into the fixture under a publisher of their own.
pub(crate) fn many_datasets(p: &Project, n: usize) {
    p.write(
        "publishers/bulk/publisher.toml",
        "edrpou = \"25512617\"\nterritory = \"UA05020030000031457\"\n\n[name]\nuk = \"Масовий розпорядник\"\n\n[contact]\nname = \"Відділ\"\nemail = \"data@example.gov.ua\"\n",
    );
    for i in 1..=n {
        let dir = format!("publishers/bulk/d{i:04}");
        p.write(
            &format!("{dir}/data.csv"),
            &format!("year,value\n2024,{i}\n"),
        );
        p.write(
            &format!("{dir}/datapackage.json"),
            &format!(
                r#"{{"name": "bulk-{i:04}", "title": "Набір {i}", "description": "Тестовий набір даних номер {i}, згенерований для перевірки сторінок каталогу.",
  "resources": [{{"name": "data", "path": "data.csv", "format": "csv"}}],
  "hromadata": {{"frequency": "monthly", "modified": "2025-01-01", "spatial": ["UA05020030000031457"]}}}}"#
            ),
        );
    }
}

#[test]
fn large_catalogues_are_paged_with_hydra() {
    let p = Project::fixture("basic");
    many_datasets(&p, 2500);
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let site = p.out();
    let total = built_datasets(&site).len();
    assert!(
        (2001..=3000).contains(&total),
        "{total} datasets: three pages of 1,000"
    );
    let base = "https://data.example.org/catalogue/";
    let pages = ["catalog", "catalog/page/2", "catalog/page/3"];
    assert!(!site.join("catalog/page/4.ttl").exists());
    let mut seen = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        let ttl = std::fs::metadata(site.join(format!("{page}.ttl")))
            .unwrap()
            .len();
        eprintln!("{page}.ttl: {ttl} bytes");
        assert!(ttl < 50_000_000, "{page}.ttl is {ttl} bytes");
        let doc = json(&site.join(format!("{page}.jsonld")));
        let view = nodes_of_type(&doc, "hydra:PartialCollectionView");
        assert_eq!(view.len(), 1, "{page}");
        let link = |key: &str| ids(&view[0][key]).first().cloned();
        let at = |k: usize| Some(format!("{base}{}.jsonld", pages[k]));
        assert_eq!(view[0]["@id"].as_str().map(str::to_owned), at(n));
        assert_eq!(link("hydra:first"), at(0));
        assert_eq!(link("hydra:last"), at(2));
        assert_eq!(link("hydra:next"), if n < 2 { at(n + 1) } else { None });
        assert_eq!(link("hydra:previous"), if n > 0 { at(n - 1) } else { None });
        assert_eq!(view[0]["hydra:totalItems"][0]["@value"], total.to_string());
        let listed = ids(&nodes_of_type(&doc, "dcat:Catalog")[0]["dcat:dataset"]);
        assert_eq!(
            listed.len(),
            if n < 2 { 1000 } else { total - 2000 },
            "{page}"
        );
        seen.extend(listed);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), total, "every dataset on exactly one page");
    let turtle = std::fs::read_to_string(site.join("catalog/page/2.ttl")).unwrap();
    assert!(turtle.contains(&format!("hydra:next <{base}catalog/page/3.ttl>")));
    // The publisher's own catalogue is paged the same way.
    assert!(site.join("publishers/bulk/catalog/page/3.jsonld").is_file());
    dcat_check(&[site.join("catalog/page/2.ttl")]);
}

#[test]
fn page_size_is_a_catalogue_setting() {
    let p = Project::fixture("basic");
    many_datasets(&p, 3);
    let toml = std::fs::read_to_string(p.file("catalog.toml")).unwrap();
    p.write("catalog.toml", &format!("{toml}\n[dcat]\npage_size = 2\n"));
    assert_eq!(p.build(&[]).code, 0);
    let pages = built_datasets(&p.out()).len().div_ceil(2);
    assert!(pages >= 2);
    assert!(p.out().join(format!("catalog/page/{pages}.ttl")).is_file());
    assert!(!p
        .out()
        .join(format!("catalog/page/{}.ttl", pages + 1))
        .exists());
    p.write("catalog.toml", &format!("{toml}\n[dcat]\npage_size = 0\n"));
    let run = p.check();
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("dcat.page_size"), "{}", run.stdout);
}

/// Google Dataset Search's properties, in every JSON-LD block of every dataset page: those it
/// requires always, and those the metadata can lack exactly when the dataset has them.
#[test]
fn dataset_pages_carry_what_google_dataset_search_needs() {
    let site = embedded().out();
    let mut blocks = 0;
    for id in built_datasets(&site) {
        let descriptor = json(&site.join(format!("datasets/{id}/datapackage.json")));
        let ext = &descriptor["hromadata"];
        for page in [
            format!("datasets/{id}/index.html"),
            format!("en/datasets/{id}/index.html"),
        ] {
            let html = embedded().page(&page);
            for text in select(&html, "script[type='application/ld+json']") {
                blocks += 1;
                let ld: Value = serde_json::from_str(&text).unwrap();
                let has = |k: &str| !ld[k].is_null();
                assert_eq!(ld["@type"], "Dataset", "{page}");
                assert!(ld["name"].as_str().is_some_and(|n| !n.is_empty()), "{page}");
                let description = ld["description"].as_str().unwrap_or("");
                assert!(
                    description.chars().count() >= 50,
                    "{page}: description {description:?}"
                );
                assert_eq!(ld["identifier"], id.as_str(), "{page}");
                assert!(
                    ld["license"]
                        .as_str()
                        .is_some_and(|l| l.starts_with("http")),
                    "{page}"
                );
                assert!(has("creator") && has("publisher"), "{page}");
                assert_eq!(ld["isAccessibleForFree"], true, "{page}");
                assert_eq!(has("dateModified"), !ext["modified"].is_null(), "{page}");
                assert_eq!(
                    has("keywords"),
                    descriptor["keywords"]
                        .as_array()
                        .is_some_and(|k| !k.is_empty()),
                    "{page}"
                );
                assert_eq!(
                    has("spatialCoverage"),
                    ext["spatial"].as_array().is_some_and(|s| !s.is_empty()),
                    "{page}"
                );
                match ext["temporal"].as_object() {
                    Some(t) => assert_eq!(
                        ld["temporalCoverage"],
                        format!(
                            "{}/{}",
                            t["start"].as_str().unwrap(),
                            t["end"].as_str().unwrap()
                        ),
                        "{page}"
                    ),
                    None => assert!(!has("temporalCoverage"), "{page}"),
                }
                let files = descriptor["resources"].as_array().unwrap();
                let downloads = ld["distribution"].as_array().unwrap();
                assert_eq!(downloads.len(), files.len(), "{page}");
                for d in downloads {
                    assert!(
                        d["contentUrl"]
                            .as_str()
                            .is_some_and(|u| u.starts_with("https://")),
                        "{page}"
                    );
                    assert!(
                        d["encodingFormat"].as_str().is_some_and(|f| !f.is_empty()),
                        "{page}"
                    );
                }
            }
        }
    }
    assert!(blocks >= 2 * 29, "{blocks} JSON-LD blocks");
}
