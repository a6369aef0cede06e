//! Stage 1, load: reads the source folder — `catalog.toml`, the territory registry, every
//! publisher's `publisher.toml` and every dataset's `datapackage.json` — into a `Catalog` of plain
//! data. Reads metadata only (data files are read once, later, by `validate`). Problems in the
//! metadata become findings; a dataset or publisher whose metadata is unusable is left out of the
//! catalogue and reported. Walks are sorted, so the result never depends on directory order.

pub mod config;
pub mod dataset;
pub mod dialect;
pub mod ids;
pub mod jsonline;
pub mod listing;
pub mod mandatory;
pub mod package;
pub mod profile;
pub mod resource;
pub mod schema;
pub mod slug;
pub mod territory;
pub mod views;
pub mod xlsx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use config::{CatalogConfig, LocalText, Publisher};
pub use dataset::{Dataset, Resource};
pub use ids::{DatasetId, KatottgCode, PublisherSlug, Scope};
pub use listing::Listing;
pub use territory::Registry;

use crate::error::Error;
use crate::validate::report::{Finding, Kind};

/// The catalogue as loaded: metadata of everything that parsed.
#[derive(Debug)]
pub struct Catalog {
    /// The source folder on disk.
    pub source: PathBuf,
    pub config: CatalogConfig,
    pub registry: Registry,
    pub publishers: BTreeMap<PublisherSlug, Publisher>,
    pub datasets: BTreeMap<DatasetId, Dataset>,
    /// The datasets Resolution 835 requires (empty when the catalogue names no list).
    pub mandatory: Vec<mandatory::Mandatory>,
    /// Who has what, built once so that per-publisher and per-territory questions do not scan
    /// every dataset (at national scale that scan, per hromada × per list item, was billions of
    /// comparisons).
    by_publisher: BTreeMap<PublisherSlug, Vec<DatasetId>>,
    by_territory: BTreeMap<KatottgCode, Vec<PublisherSlug>>,
}

impl Catalog {
    /// The catalogue of `datasets` and `publishers`, with its indexes.
    pub fn new(
        source: PathBuf,
        config: CatalogConfig,
        registry: Registry,
        publishers: BTreeMap<PublisherSlug, Publisher>,
        datasets: BTreeMap<DatasetId, Dataset>,
        mandatory: Vec<mandatory::Mandatory>,
    ) -> Catalog {
        let mut by_publisher: BTreeMap<PublisherSlug, Vec<DatasetId>> = BTreeMap::new();
        for d in datasets.values() {
            by_publisher
                .entry(d.publisher.clone())
                .or_default()
                .push(d.id.clone());
        }
        let mut by_territory: BTreeMap<KatottgCode, Vec<PublisherSlug>> = BTreeMap::new();
        for p in publishers.values() {
            if let Scope::Territory(code) = &p.territory {
                by_territory.entry(*code).or_default().push(p.slug.clone());
            }
        }
        Catalog {
            source,
            config,
            registry,
            publishers,
            datasets,
            mandatory,
            by_publisher,
            by_territory,
        }
    }

    /// The datasets of publisher `slug`, in id order.
    pub fn datasets_of<'c>(&'c self, slug: &PublisherSlug) -> impl Iterator<Item = &'c Dataset> {
        (self.by_publisher.get(slug).into_iter().flatten()).filter_map(|id| self.datasets.get(id))
    }

    /// The publishers whose territory is `code` (not those of the whole country), in slug order.
    pub fn publishers_in<'c>(&'c self, code: &KatottgCode) -> impl Iterator<Item = &'c Publisher> {
        (self.by_territory.get(code).into_iter().flatten())
            .filter_map(|slug| self.publishers.get(slug))
    }
}

/// What loading produced: the catalogue (when `catalog.toml` itself was usable) and findings.
#[derive(Debug)]
pub struct Loaded {
    pub catalog: Option<Catalog>,
    pub findings: Vec<Finding>,
}

/// Reads a metadata file (`shown` in findings) as text: see `decode_text`.
fn read_text(path: &Path, shown: &Path, kind: Kind) -> Result<Result<String, Box<Finding>>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    Ok(decode_text(bytes, shown, kind))
}

/// A metadata file's bytes as text. A leading UTF-8 byte-order mark is dropped (Notepad and
/// Excel write one). Bytes that are not UTF-8 are a finding at their row, not an operational
/// error: the file was saved in another encoding, which its author can fix.
pub fn decode_text(mut bytes: Vec<u8>, shown: &Path, kind: Kind) -> Result<String, Box<Finding>> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let row = 1 + memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64;
        let len = e.utf8_error().error_len().unwrap_or(bytes.len() - at);
        let bad = &bytes[at..at + len];
        let hex: Vec<String> = bad.iter().map(|b| format!("{b:02X}")).collect();
        Box::new(
            Finding::new(kind, shown, "text in UTF-8")
                .row(row)
                .found(format!("bytes {} that are not UTF-8", hex.join(" ")))
                .hint("the file was probably saved as Windows-1251: save it again as UTF-8"),
        )
    })
}

/// Loads the source folder.
pub fn load(source: &Path) -> Result<Loaded, Error> {
    load_listed(source, None)
}

/// Loads the source folder, taking its datasets' descriptors and resources' files from
/// `listing` when given: a listing of it made just before (see `Listing`).
pub fn load_listed(source: &Path, listing: Option<&Listing>) -> Result<Loaded, Error> {
    if !source.is_dir() {
        return Err(Error::SourceMissing {
            path: source.to_path_buf(),
        });
    }
    let mut findings = Vec::new();
    let catalog_file = source.join("catalog.toml");
    if !catalog_file.is_file() {
        findings.push(
            Finding::new(Kind::CatalogError, "catalog.toml", "a catalogue file `catalog.toml` in the source folder")
                .hint("create it from the example in the README (“Input format”), or point --source at your catalogue"),
        );
        return Ok(Loaded {
            catalog: None,
            findings,
        });
    }
    let shown = Path::new("catalog.toml");
    let text = read_text(&catalog_file, shown, Kind::CatalogError)?;
    let config = match text
        .map_err(|f| vec![*f])
        .and_then(|t| CatalogConfig::parse(&t, shown))
    {
        Ok(c) => c,
        Err(mut f) => {
            findings.append(&mut f);
            return Ok(Loaded {
                catalog: None,
                findings,
            });
        }
    };
    let registry = load_registry(source, &config, &mut findings)?;
    let mandatory = load_mandatory(source, &config, &mut findings)?;
    let publishers = load_publishers(source, &mut findings)?;
    // Publishers' folders are independent: read in parallel, merged in publisher order.
    use rayon::prelude::*;
    let schemas = schema::Interner::default();
    let loaded: Vec<(Vec<Dataset>, Vec<Finding>)> = (publishers.values().collect::<Vec<_>>())
        .par_iter()
        .map(|publisher| match listing {
            Some(listing) => load_listed_datasets(source, publisher, listing, &schemas),
            None => load_datasets(source, publisher, &schemas),
        })
        .collect::<Result<_, Error>>()?;
    let mut datasets = BTreeMap::new();
    for (loaded, mut found) in loaded {
        findings.append(&mut found);
        for dataset in loaded {
            if let Some(first) = datasets.get(&dataset.id) {
                let first: &Dataset = first;
                findings.push(
                    Finding::new(Kind::PackageError, dataset.folder.join("datapackage.json"), "a dataset `name` unique in the catalogue")
                        .field("name", None)
                        .found(dataset.id.to_string())
                        .hint(format!("`{}` uses it too: give one of the datasets another `name` (names are the datasets' addresses)", first.folder.display())),
                );
            } else {
                datasets.insert(dataset.id.clone(), dataset);
            }
        }
    }
    let catalog = Catalog::new(
        source.to_path_buf(),
        config,
        registry,
        publishers,
        datasets,
        mandatory,
    );
    Ok(Loaded {
        catalog: Some(catalog),
        findings,
    })
}

fn load_registry(
    source: &Path,
    config: &CatalogConfig,
    findings: &mut Vec<Finding>,
) -> Result<Registry, Error> {
    let path = source.join(&config.registry);
    let history = crate::territories::history_path(&path);
    let outside = [&path, &history]
        .into_iter()
        .find(|p| config::leads_outside(source, p));
    if let Some(link) = outside {
        findings.push(outside_link(source, link, Some("territories.registry")));
        return Ok(Registry::default());
    }
    if !path.is_file() {
        findings.push(
            Finding::new(
                Kind::CatalogError,
                "catalog.toml",
                "`territories.registry` to name the KATOTTG registry CSV",
            )
            .field("territories.registry", None)
            .found(config.registry.display().to_string()),
        );
        return Ok(Registry::default());
    }
    let (registry, mut f) =
        Registry::load(&path, &config.registry).map_err(|e| Error::read(&path, e))?;
    findings.append(&mut f);
    Ok(registry)
}

fn load_mandatory(
    source: &Path,
    config: &CatalogConfig,
    findings: &mut Vec<Finding>,
) -> Result<Vec<mandatory::Mandatory>, Error> {
    let Some(list) = &config.resolution_835 else {
        return Ok(Vec::new());
    };
    let path = source.join(list);
    if config::is_contained_relative(list) && config::leads_outside(source, &path) {
        findings.push(outside_link(source, &path, Some("resolution_835.list")));
        return Ok(Vec::new());
    }
    if !config::is_contained_relative(list) || !path.is_file() {
        findings.push(
            Finding::new(Kind::CatalogError, "catalog.toml", "`resolution_835.list` to name the list of mandatory datasets, a CSV inside the source folder")
                .field("resolution_835.list", None)
                .found(list.display().to_string()),
        );
        return Ok(Vec::new());
    }
    let (items, mut f) = mandatory::load(&path, list).map_err(|e| Error::read(&path, e))?;
    findings.append(&mut f);
    Ok(items)
}

/// A finding for a file or folder of the source tree that is a symbolic link leading outside it:
/// against the link itself, or against the `catalog.toml` setting (`key`) that names it.
fn outside_link(source: &Path, link: &Path, key: Option<&str>) -> Finding {
    let shown = relative(source, link);
    let file = if key.is_some() {
        PathBuf::from("catalog.toml")
    } else {
        shown.clone()
    };
    let mut f = Finding::new(
        Kind::CatalogError,
        file,
        "a file or folder inside the source folder; this is a symbolic link that leads outside it",
    )
    .hint("copy what it points at into the source folder instead of linking it (nothing outside the source folder is published)");
    if let Some(key) = key {
        f = f.field(key, None).found(shown.display().to_string());
    }
    f
}

/// Sorted subfolders of `dir`. Symlinked folders are not followed: one leading outside the source
/// folder is a finding, one leading inside it is skipped (its target is read where it is).
fn subfolders(
    source: &Path,
    dir: &Path,
    findings: &mut Vec<Finding>,
) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| Error::Walk {
            path: dir.to_path_buf(),
            source: e,
        })?;
        if entry.file_type().is_dir() {
            out.push(entry.into_path());
        } else if entry.path_is_symlink() && config::leads_outside(source, entry.path()) {
            findings.push(outside_link(source, entry.path(), None));
        }
    }
    Ok(out)
}

fn relative(source: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(source).unwrap_or(path).to_path_buf()
}

fn load_publishers(
    source: &Path,
    findings: &mut Vec<Finding>,
) -> Result<BTreeMap<PublisherSlug, Publisher>, Error> {
    let root = source.join("publishers");
    let mut publishers: BTreeMap<PublisherSlug, Publisher> = BTreeMap::new();
    if config::leads_outside(source, &root) {
        findings.push(outside_link(source, &root, None));
        return Ok(publishers);
    }
    if !root.is_dir() {
        findings.push(Finding::new(
            Kind::CatalogError,
            "publishers",
            "a folder `publishers/` with one folder per publisher",
        ));
        return Ok(publishers);
    }
    for dir in subfolders(source, &root, findings)? {
        let folder = relative(source, &dir);
        let shown = folder.join("publisher.toml");
        let file = dir.join("publisher.toml");
        if config::leads_outside(source, &file) {
            findings.push(outside_link(source, &file, None));
            continue;
        }
        if !file.is_file() {
            findings.push(
                Finding::new(
                    Kind::PublisherError,
                    &shown,
                    "a `publisher.toml` in every publisher folder",
                )
                .hint("copy one from another publisher and edit it"),
            );
            continue;
        }
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let slug = match PublisherSlug::from_folder(name) {
            Ok(s) => s,
            Err(e) => {
                findings
                    .push(Finding::new(Kind::PublisherError, &folder, e.0).found(name.to_owned()));
                continue;
            }
        };
        let text = read_text(&file, &shown, Kind::PublisherError)?;
        match text
            .map_err(|f| vec![*f])
            .and_then(|t| Publisher::parse(&t, slug, &folder, &shown))
        {
            Ok(p) => {
                if let Some(other) = publishers.get(&p.slug) {
                    findings.push(
                        Finding::new(
                            Kind::PublisherError,
                            &folder,
                            "publisher folders whose names give different addresses",
                        )
                        .found(format!(
                            "`{}` gives `{}`, as does `{}`",
                            folder.display(),
                            p.slug,
                            other.folder.display()
                        )),
                    );
                } else {
                    publishers.insert(p.slug.clone(), p);
                }
            }
            Err(mut f) => findings.append(&mut f),
        }
    }
    Ok(publishers)
}

/// What a walk of a publisher's folder meets that loading acts on, in the walk's order.
enum Met {
    /// A link that leads outside the source folder (a finding).
    Outside(PathBuf),
    /// A dataset's `datapackage.json`.
    Descriptor(PathBuf),
}

/// The datasets of `publisher`, walking its folder.
fn load_datasets(
    source: &Path,
    publisher: &Publisher,
    schemas: &schema::Interner,
) -> Result<(Vec<Dataset>, Vec<Finding>), Error> {
    let root = source.join(&publisher.folder);
    let mut met = Vec::new();
    for entry in walkdir::WalkDir::new(&root)
        .min_depth(1)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| Error::Walk {
            path: root.clone(),
            source: e,
        })?;
        let linked = entry.path_is_symlink()
            && (entry.path().is_dir() || entry.file_name() == "datapackage.json");
        if linked && config::leads_outside(source, entry.path()) {
            met.push(Met::Outside(entry.into_path()));
        } else if entry.depth() >= 2
            && entry.file_name() == "datapackage.json"
            && entry.file_type().is_file()
        {
            met.push(Met::Descriptor(entry.into_path()));
        }
    }
    read_datasets(source, publisher, schemas, met, None)
}

/// The datasets of `publisher`, from a listing of the source folder (the same as
/// `load_datasets` finds: links are looked at as the walk looks at them).
fn load_listed_datasets(
    source: &Path,
    publisher: &Publisher,
    listing: &Listing,
    schemas: &schema::Interner,
) -> Result<(Vec<Dataset>, Vec<Finding>), Error> {
    let Some(folder) = publisher.folder.to_str() else {
        return load_datasets(source, publisher, schemas);
    };
    let root = source.join(folder);
    let mut met = Vec::new();
    for (relative, regular) in listing.below(folder) {
        let path = root.join(relative);
        let name = relative.rsplit('/').next().unwrap_or(relative);
        if !regular {
            let link = path.symlink_metadata().is_ok_and(|m| m.is_symlink());
            let linked = link && (path.is_dir() || name == "datapackage.json");
            if linked && config::leads_outside(source, &path) {
                met.push(Met::Outside(path));
            }
        } else if relative.contains('/') && name == "datapackage.json" {
            met.push(Met::Descriptor(path));
        }
    }
    read_datasets(source, publisher, schemas, met, Some(listing))
}

/// Reads the descriptors met in `publisher`'s folder, in order, with the findings about links.
fn read_datasets(
    source: &Path,
    publisher: &Publisher,
    schemas: &schema::Interner,
    met: Vec<Met>,
    listing: Option<&Listing>,
) -> Result<(Vec<Dataset>, Vec<Finding>), Error> {
    let (mut datasets, mut findings) = (Vec::new(), Vec::new());
    let root = source.join(&publisher.folder);
    for met in met {
        let file = match met {
            Met::Outside(path) => {
                findings.push(outside_link(source, &path, None));
                continue;
            }
            Met::Descriptor(file) => file,
        };
        let dir = file.parent().unwrap_or(&root);
        let folder = relative(source, dir);
        let at = package::Location {
            source,
            folder: &folder,
            publisher: &publisher.slug,
            schemas,
            listing,
        };
        let shown = folder.join("datapackage.json");
        let (dataset, mut f) = match read_text(&file, &shown, Kind::PackageError)? {
            Ok(text) => package::parse(&text, &at),
            Err(finding) => (None, vec![*finding]),
        };
        findings.append(&mut f);
        datasets.extend(dataset);
    }
    Ok((datasets, findings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_text_drops_a_bom_and_locates_bytes_that_are_not_utf8() {
        let shown = Path::new("publisher.toml");
        let text = decode_text(b"\xEF\xBB\xBFa = 1\n".to_vec(), shown, Kind::PublisherError);
        assert_eq!(text.unwrap(), "a = 1\n");
        let bad = b"a = 1\nb = \"\xc4\xee\"\n".to_vec();
        let f = decode_text(bad, shown, Kind::PublisherError).unwrap_err();
        assert_eq!(f.row, Some(2));
        assert_eq!(f.found.as_deref(), Some("bytes C4 that are not UTF-8"));
    }

    #[test]
    fn findings_about_properties_carry_their_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("p/d")).unwrap();
        std::fs::write(dir.path().join("p/d/t.csv"), "a\n1\n").unwrap();
        let text = "{\n  \"name\": \"d\",\n  \"title\": \"T\",\n  \"resources\": [\n    {\"name\": \"t\",\n     \"path\": \"t.csv\", \"encoding\": \"klingon\"}\n  ],\n  \"hromadata\": {\"frequncy\": \"yearly\"}\n}\n";
        let slug = PublisherSlug::from_folder("p").unwrap();
        let schemas = schema::Interner::default();
        let at = package::Location {
            source: dir.path(),
            folder: Path::new("p/d"),
            publisher: &slug,
            schemas: &schemas,
            listing: None,
        };
        let (_, findings) = package::parse(text, &at);
        let located: Vec<_> = findings
            .iter()
            .map(|f| (f.field.as_deref(), f.row))
            .collect();
        assert!(
            located.contains(&(Some("resources[0].encoding"), Some(6))),
            "{located:?}"
        );
        let typo = (Some("hromadata.frequncy"), Some(8));
        assert!(located.contains(&typo), "{located:?}");
    }
}
