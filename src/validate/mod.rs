//! Stage 2, validate: judges the loaded catalogue. Metadata is checked against the territory
//! registry and the catalogue's own rules; every resource is read once, validated against its
//! schema while its SHA-256 and size are computed (stage 3, `checksum`, runs inside that pass).
//! Returns plain data: per-resource results and the sorted `Report`. Writes nothing.

mod batch;
pub mod cell;
mod checking;
pub mod descriptor;
pub mod explain;
pub mod facts;
pub mod foreign;
pub mod infer;
pub mod keys;
mod parse;
mod pattern;
pub mod profile;
pub mod reader;
pub mod report;
pub mod report_format;
mod rowkeys;
pub mod rows;
pub mod sniff;
pub mod source;
pub mod standalone;
pub mod structure;
pub mod table;
pub mod temporal;
pub mod urls;

use std::collections::BTreeMap;
use std::path::Path;

use crate::catalog::{Catalog, Dataset, DatasetId, Resource, Scope};
use crate::checksum::{self, Digest};
use crate::error::Error;
use report::{Finding, Kind, Report};

/// A table's rows, shared: render hands the same rows to the pages of both languages without
/// copying them.
pub type Rows = std::sync::Arc<[Vec<String>]>;

/// What validation learned about one resource.
#[derive(Debug, Clone, Default)]
pub struct ResourceResult {
    pub digest: Digest,
    /// Data rows, for tables.
    pub rows: Option<u64>,
    pub header: Vec<String>,
    /// The first `table::PREVIEW_ROWS` rows, for the page's preview — empty when `all_rows`
    /// holds every row (read them with `preview_rows`): a national catalogue's small tables
    /// would otherwise be in memory twice.
    pub preview: Rows,
    /// Every row, for tables within `[preview] full_table_max_bytes` (the full-table page and
    /// charts); `None` for larger ones. Kept here so that render never reads data files.
    pub all_rows: Option<Rows>,
    /// The column profile of a table.
    pub profile: Vec<profile::ColumnProfile>,
    pub findings: Vec<Finding>,
    pub omitted: u64,
}

impl ResourceResult {
    /// The first `table::PREVIEW_ROWS` rows, for the page's preview.
    pub fn preview_rows(&self) -> &[Vec<String>] {
        let (rows, len) = self.shown_rows();
        &rows[..len]
    }

    /// The rows `preview_rows` borrows, as shared, and how many of them the preview shows.
    pub fn shown_rows(&self) -> (&Rows, usize) {
        match &self.all_rows {
            Some(all) => (all, all.len().min(table::PREVIEW_ROWS)),
            None => (&self.preview, self.preview.len()),
        }
    }

    /// True when nothing is wrong with the resource.
    pub fn is_valid(&self) -> bool {
        self.findings.is_empty() && self.omitted == 0
    }

    /// Drops the rows, header and profile (see `Validated::lighten`).
    fn lighten(&mut self) {
        self.header = Vec::new();
        self.preview = Rows::default();
        self.all_rows = None;
        self.profile = Vec::new();
    }
}

/// What validation learned about one dataset.
#[derive(Debug, Clone, Default)]
pub struct DatasetResult {
    /// In the order of the dataset's resources.
    pub resources: Vec<ResourceResult>,
    /// Metadata findings about the dataset itself.
    pub findings: Vec<Finding>,
}

impl DatasetResult {
    /// True when the dataset and all its resources are valid.
    pub fn is_valid(&self) -> bool {
        self.findings.is_empty() && self.resources.iter().all(ResourceResult::is_valid)
    }
}

/// The outcome of validation.
#[derive(Debug, Default)]
pub struct Validated {
    pub datasets: BTreeMap<DatasetId, DatasetResult>,
    pub report: Report,
    /// Territory facts from the datasets that declare a profile (`facts`).
    pub facts: facts::Facts,
}

/// Validates metadata and every resource (files in parallel). `on_resource` is called after
/// each file (for progress), in the order files finish.
pub fn validate(
    catalog: &Catalog,
    load_findings: Vec<Finding>,
    on_resource: &(dyn Fn(&Path) + Sync),
) -> Result<Validated, Error> {
    let (validator, mut out) = Validator::begin(catalog, load_findings, &|_| true)?;
    let datasets: Vec<&Dataset> = catalog.datasets.values().collect();
    validator.datasets(&datasets, &mut out, on_resource)?;
    Ok(validator.finish(out))
}

/// Validation a part at a time, for a build that renders each part's pages as soon as it is
/// validated and then lets go of its rows (`Validated::lighten`): a national catalogue's tables
/// are never all in memory at once. Parts are validated in catalogue order, so the report is
/// the one `validate` gives.
pub struct Validator<'c> {
    catalog: &'c Catalog,
    /// Threads per large table (`table::workers_for`), from the tables to validate.
    workers: usize,
}

impl<'c> Validator<'c> {
    /// Checks the catalogue-wide metadata and reads the territory facts; the datasets come next.
    /// Only the datasets for which `validating` is true will be validated (a rebuild leaves out
    /// those the build cache keeps), so only their large tables share out the threads: looking
    /// at every table's size cost a rebuild of a national catalogue 70,000 stats.
    pub fn begin(
        catalog: &'c Catalog,
        load_findings: Vec<Finding>,
        validating: &dyn Fn(&Dataset) -> bool,
    ) -> Result<(Validator<'c>, Validated), Error> {
        let mut out = Validated::default();
        out.report.extend(load_findings);
        out.report.extend(catalog_findings(catalog));
        out.facts = facts::read(catalog)?;
        let tables: Vec<std::path::PathBuf> = (catalog.datasets.values())
            .filter(|d| validating(d))
            .flat_map(|d| d.resources.iter().map(move |r| (d, r)))
            .filter(|(_, r)| r.is_tabular())
            .map(|(d, r)| catalog.source.join(&d.folder).join(&r.path))
            .collect();
        let workers = table::workers_for(table::count_large(&tables));
        Ok((Validator { catalog, workers }, out))
    }

    /// Validates `datasets` (their files in parallel) into `out`: results and findings.
    pub fn datasets(
        &self,
        datasets: &[&Dataset],
        out: &mut Validated,
        on_resource: &(dyn Fn(&Path) + Sync),
    ) -> Result<(), Error> {
        use rayon::prelude::*;
        let catalog = self.catalog;
        let work: Vec<(&Dataset, &Resource)> = (datasets.iter())
            .flat_map(|d| d.resources.iter().map(move |r| (*d, r)))
            .collect();
        // Largest files first: a large table met last would leave the other cores idle at the
        // end of the part (the results go back to catalogue order below).
        let size = |(d, r): &(&Dataset, &Resource)| {
            let path = catalog.source.join(&d.folder).join(&r.path);
            std::fs::metadata(path).map_or(0, |m| m.len())
        };
        // Sized in parallel: a status each, of tens of thousands of files at national scale.
        let mut order: Vec<(u64, usize)> = (work.par_iter().enumerate())
            .map(|(i, w)| (size(w), i))
            .collect();
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut done: Vec<(usize, ResourceResult)> = order
            .par_iter()
            .with_max_len(1)
            .map(|&(_, i)| {
                crate::interrupt::check()?;
                let (dataset, resource) = work[i];
                let r = resource_result(catalog, dataset, resource, self.workers)?;
                on_resource(&resource.path);
                Ok((i, r))
            })
            .collect::<Result<_, Error>>()?;
        done.sort_unstable_by_key(|(i, _)| *i);
        let mut results = done.into_iter().map(|(_, r)| r);
        for dataset in datasets {
            let mut result = DatasetResult {
                findings: dataset_findings(catalog, dataset),
                ..Default::default()
            };
            result.resources = results.by_ref().take(dataset.resources.len()).collect();
            let charts = view_findings(catalog, dataset, &result.resources);
            result.findings.extend(charts);
            out.report.extend(result.findings.iter().cloned());
            for r in &result.resources {
                out.report.extend(r.findings.iter().cloned());
                out.report.omitted += r.omitted;
            }
            out.datasets.insert(dataset.id.clone(), result);
        }
        Ok(())
    }

    /// The outcome, once every dataset went through `datasets`: the report in its order.
    pub fn finish(self, mut out: Validated) -> Validated {
        out.report.sort();
        out
    }
}

impl Validated {
    /// Lets go of what only the pages of `datasets` themselves show — their tables' rows,
    /// headers and column profiles — once those pages are rendered. Everything the catalogue-wide
    /// pages and files read (sizes, hashes, row counts, findings) stays.
    /// Freed on the pipeline's thread, beside the writer thread's work (freed on the pool they
    /// take its threads from writing; in turns at national scale neither way was faster).
    pub fn lighten(&mut self, datasets: &[&Dataset]) {
        for d in datasets {
            if let Some(result) = self.datasets.get_mut(&d.id) {
                for r in &mut result.resources {
                    r.lighten();
                }
            }
        }
    }
}

/// A finding for a table of a catalogue that holds only its header: valid to frictionless (and to
/// `validate`), but a published dataset without data is a failed export, not an open dataset.
fn no_data_rows(scan: &table::TableScan, shown: &Path) -> Option<Finding> {
    (scan.rows == 0 && scan.findings.is_empty() && !scan.header.is_empty()).then(|| {
        Finding::new(
            Kind::SourceError,
            shown,
            "at least one data row after the header",
        )
        .row(1)
        .found("only the header")
        .hint("export the table again with its rows, or leave the resource out until it has data")
    })
}

fn resource_result(
    catalog: &Catalog,
    dataset: &Dataset,
    resource: &Resource,
    workers: usize,
) -> Result<ResourceResult, Error> {
    let shown = dataset.folder.join(&resource.path);
    let path = catalog.source.join(&shown);
    let mut result = if resource.is_tabular() {
        let spec = table::TableSpec {
            schema: resource.schema.as_deref(),
            dialect: &resource.dialect,
            encoding: resource.encoding.as_deref(),
            duplicate_rows: false,
            with_md5: matches!(
                resource.declared_hash,
                Some(crate::catalog::dataset::DeclaredHash::Md5(_))
            ),
            workers,
            profile: true,
            keep_all_up_to: Some(catalog.config.full_table_max_bytes).filter(|max| *max > 0),
        };
        let mut scan = table::scan(&path, &shown, &spec).map_err(|e| Error::read(&path, e))?;
        scan.findings.extend(no_data_rows(&scan, &shown));
        let (preview, all_rows) = if scan.all_rows {
            (Rows::default(), Some(scan.preview.into()))
        } else {
            let preview = scan.preview.into_iter().take(table::PREVIEW_ROWS);
            (preview.collect::<Vec<_>>().into(), None)
        };
        ResourceResult {
            digest: scan.digest,
            rows: Some(scan.rows),
            header: scan.header,
            preview,
            all_rows,
            profile: scan.profile,
            findings: scan.findings,
            omitted: scan.omitted,
        }
    } else {
        let with_md5 = matches!(
            resource.declared_hash,
            Some(crate::catalog::dataset::DeclaredHash::Md5(_))
        );
        ResourceResult {
            digest: checksum::digest_file(&path, with_md5).map_err(|e| Error::read(&path, e))?,
            ..Default::default()
        }
    };
    result
        .findings
        .extend(checksum::compare_declared(resource, &result.digest, &shown));
    Ok(result)
}

/// Charts whose rows cannot be drawn: the table is above the full-table limit (its rows were
/// not kept) or has more rows than a chart shows.
fn view_findings(catalog: &Catalog, dataset: &Dataset, results: &[ResourceResult]) -> Vec<Finding> {
    use crate::catalog::views::MAX_GROUPS;
    let file = dataset.folder.join("datapackage.json");
    let mut findings = Vec::new();
    for (i, view) in dataset.views.iter().enumerate() {
        let Some(result) = results.get(view.resource) else {
            continue;
        };
        let expected = match &result.all_rows {
            None => format!(
                "a table of at most {} bytes (`[preview] full_table_max_bytes`) to draw a chart of",
                catalog.config.full_table_max_bytes
            ),
            Some(rows) if rows.len() > MAX_GROUPS => {
                format!("at most {MAX_GROUPS} rows, one per bar or point")
            }
            Some(_) => continue,
        };
        let rows = result.rows.unwrap_or_default();
        findings.push(
            Finding::new(Kind::PackageError, &file, expected)
                .field(format!("views[{i}].resources[0]"), None)
                .found(format!(
                    "{} ({rows} rows, {} bytes)",
                    dataset.resources[view.resource].name, result.digest.bytes
                ))
                .hint("chart a smaller table, e.g. a summary with one row per year"),
        );
    }
    findings
}

fn scope_finding(catalog: &Catalog, scope: &Scope, file: &Path, key: &str) -> Option<Finding> {
    match scope {
        Scope::Territory(code) if catalog.registry.get(code).is_none() => Some(
            Finding::new(
                Kind::TerritoryError,
                file,
                format!(
                    "a code present in the KATOTTG registry (edition {})",
                    catalog.config.edition
                ),
            )
            .field(key, None)
            .found(code.to_string())
            .hint(
                "look the code up in the codifier; codes of abolished territories are not accepted",
            ),
        ),
        _ => None,
    }
}

fn catalog_findings(catalog: &Catalog) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !catalog
        .publishers
        .keys()
        .any(|p| p.as_str() == catalog.config.publisher)
    {
        findings.push(
            Finding::new(
                Kind::CatalogError,
                "catalog.toml",
                "the slug of a publisher in `publishers/`",
            )
            .field("publisher", None)
            .found(catalog.config.publisher.clone()),
        );
    }
    for p in catalog.publishers.values() {
        findings.extend(scope_finding(
            catalog,
            &p.territory,
            &p.folder.join("publisher.toml"),
            "territory",
        ));
    }
    findings
}

fn dataset_findings(catalog: &Catalog, dataset: &Dataset) -> Vec<Finding> {
    let file = dataset.folder.join("datapackage.json");
    let mut findings: Vec<Finding> = dataset
        .spatial
        .iter()
        .filter_map(|s| scope_finding(catalog, s, &file, "hromadata.spatial"))
        .collect();
    findings.extend(dataset.url_findings.iter().cloned());
    if let Some(code) = &dataset.resolution_835 {
        let ok = code.len() == 7
            && (code.starts_with("all-") || code.starts_with("mun-"))
            && code[4..].bytes().all(|b| b.is_ascii_digit());
        if !ok {
            findings.push(
                Finding::new(
                    Kind::PackageError,
                    &file,
                    "a Resolution 835 dataset code like `all-007` or `mun-049`",
                )
                .field("hromadata.resolution_835", None)
                .found(code.clone()),
            );
        } else if !catalog.mandatory.is_empty()
            && !catalog.mandatory.iter().any(|m| &m.code == code)
        {
            let list = catalog.config.resolution_835.clone().unwrap_or_default();
            findings.push(
                Finding::new(
                    Kind::PackageError,
                    &file,
                    format!("a code from the list of mandatory datasets `{}`", list.display()),
                )
                .field("hromadata.resolution_835", None)
                .found(code.clone())
                .hint("use the code of the list's item this dataset fulfils, or add the item to the list"),
            );
        }
    }
    if let (Some(issued), Some(modified)) = (dataset.issued, dataset.modified) {
        if modified < issued {
            findings.push(
                Finding::new(Kind::PackageError, &file, "`modified` on or after `issued`")
                    .field("hromadata.modified", None)
                    .found(modified.to_string()),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalogue_table_of_only_a_header_is_a_finding() {
        let shown = Path::new("d/t.csv");
        let mut scan = table::TableScan {
            header: vec!["a".into()],
            ..Default::default()
        };
        assert_eq!(no_data_rows(&scan, shown).map(|f| f.row), Some(Some(1)));
        scan.rows = 1;
        assert!(no_data_rows(&scan, shown).is_none());
        let empty = table::TableScan::default();
        assert!(
            no_data_rows(&empty, shown).is_none(),
            "an empty file has its own finding"
        );
    }
}
