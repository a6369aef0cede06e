//! Runs the stages in order — load, validate (+ checksum), render, output — and prints the
//! report. `check` stops after validation and writes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::DateTime;

use crate::cache;
use crate::catalog::{self, Catalog};
use crate::error::Error;
use crate::progress::Progress;
use crate::render::{self, Theme};
use crate::validate::{self, report::Report, Validated};

/// How a run ended when no operational error stopped it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No findings.
    Clean,
    /// Findings were reported (exit code 1).
    Findings,
}

/// Options of `build`.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub source: PathBuf,
    pub out: PathBuf,
    pub theme: Option<PathBuf>,
    pub base_url: Option<String>,
    pub keep_going: bool,
    /// "Today" for freshness (`--today`, `YYYY-MM-DD`); defaults to `SOURCE_DATE_EPOCH`'s date.
    pub today: Option<String>,
    /// Print each stage's wall time to stderr (`--timings`).
    pub timings: bool,
    /// The build cache's folder (`None`: no cache, always a full build).
    pub cache: Option<PathBuf>,
}

/// Wall time of each stage, printed by `build --timings` (the benchmark reads it).
struct Timings {
    on: bool,
    start: std::time::Instant,
    last: std::time::Instant,
    stages: Vec<(&'static str, f64)>,
}

impl Timings {
    fn new(on: bool) -> Timings {
        let now = std::time::Instant::now();
        Timings {
            on,
            start: now,
            last: now,
            stages: Vec::new(),
        }
    }

    /// Ends the stage `name`, which ran since the previous one ended.
    fn stage(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.stages.push((name, (now - self.last).as_secs_f64()));
        self.last = now;
    }

    /// Adds `secs` to the stage `name` (stages that run in turns, a part of the catalogue at a
    /// time); the clock of `stage` restarts.
    fn add(&mut self, name: &'static str, secs: f64) {
        match self.stages.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += secs,
            None => self.stages.push((name, secs)),
        }
        self.last = std::time::Instant::now();
    }

    fn print(&self, files: usize) {
        if !self.on {
            return;
        }
        let total = self.start.elapsed().as_secs_f64();
        let stages: Vec<String> = (self.stages.iter())
            .map(|(name, secs)| format!("{name} {secs:.2} s"))
            .collect();
        eprintln!(
            "timings: {} · total {total:.2} s ({files} files, {:.0} files/s)",
            stages.join(" · "),
            files as f64 / total.max(1e-9)
        );
    }
}

/// Prints findings to stdout, then a one-line summary.
fn print_report(report: &Report) {
    print!("{}", report_text(report));
}

/// The report as printed: one finding per block, then a one-line summary.
fn report_text(report: &Report) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    for f in &report.findings {
        let _ = writeln!(text, "{f}");
    }
    if report.is_clean() {
        text.push_str("ok: no problems found\n");
    } else {
        let _ = writeln!(text, "{} problem(s) found", report.findings.len());
    }
    text
}

/// Datasets validated (and rendered) at a time: enough files to keep every core busy, few
/// enough that their rows stay small next to the catalogue.
const PART: usize = 256;

/// Loads the catalogue; `Err(validated)` with the report when `catalog.toml` itself is unusable.
fn load(
    source: &Path,
    timings: &mut Timings,
) -> Result<Result<(Catalog, Vec<validate::report::Finding>), Validated>, Error> {
    let loaded = catalog::load(source)?;
    timings.stage("load");
    let Some(catalog) = loaded.catalog else {
        let mut report = Report::default();
        report.extend(loaded.findings);
        return Ok(Err(Validated {
            report,
            ..Default::default()
        }));
    };
    Ok(Ok((catalog, loaded.findings)))
}

/// What `part` gets of each part of the catalogue: the validation so far, the datasets just
/// validated, and those the build cache kept (not validated again; their results are in).
type Part<'p> =
    dyn FnMut(&Validated, &[&catalog::Dataset], &[&catalog::Dataset]) -> Result<(), Error> + 'p;

/// Validates the catalogue a part at a time, handing each validated part to `part` (which may
/// render it) before its rows are let go of: the catalogue's tables are never all in memory.
/// Datasets in `kept` are not validated: their recorded results stand in.
fn validate_in_parts(
    catalog: &Catalog,
    load_findings: Vec<validate::report::Finding>,
    kept: &BTreeMap<catalog::DatasetId, cache::reuse::Entry>,
    timings: &mut Timings,
    part: &mut Part,
) -> Result<Validated, Error> {
    let total = (catalog.datasets.values())
        .filter(|d| !kept.contains_key(&d.id))
        .map(|d| d.resources.len())
        .sum();
    let progress = std::sync::Mutex::new(Progress::start("validating", total));
    let step = |p: &Path| {
        if let Ok(mut progress) = progress.lock() {
            progress.step(&p.display().to_string());
        }
    };
    let (validator, mut validated) = validate::Validator::begin(catalog, load_findings)?;
    let datasets: Vec<&catalog::Dataset> = catalog.datasets.values().collect();
    for chunk in datasets.chunks(PART) {
        let (old, fresh): (Vec<&catalog::Dataset>, Vec<&catalog::Dataset>) =
            chunk.iter().partition(|d| kept.contains_key(&d.id));
        let start = std::time::Instant::now();
        validator.datasets(&fresh, &mut validated, &step)?;
        timings.add("validate", start.elapsed().as_secs_f64());
        for d in &old {
            validated
                .datasets
                .insert(d.id.clone(), kept[&d.id].result());
        }
        part(&validated, &fresh, &old)?;
        validated.lighten(&fresh);
    }
    let validated = validator.finish(validated);
    if let Ok(progress) = progress.into_inner() {
        progress.finish();
    }
    Ok(validated)
}

/// `hromadata check`: validate only.
pub fn check(source: &Path) -> Result<Outcome, Error> {
    let mut timings = Timings::new(false);
    let validated = match load(source, &mut timings)? {
        Ok((catalog, findings)) => {
            let kept = BTreeMap::new();
            validate_in_parts(&catalog, findings, &kept, &mut timings, &mut |_, _, _| {
                Ok(())
            })?
        }
        Err(validated) => validated,
    };
    print_report(&validated.report);
    Ok(if validated.report.is_clean() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The build date from `SOURCE_DATE_EPOCH`, the only clock a build reads.
fn build_date() -> Result<Option<chrono::NaiveDate>, Error> {
    let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let value = value.to_string_lossy().into_owned();
    let secs: i64 = value.trim().parse().map_err(|_| Error::SourceDateEpoch {
        value: value.clone(),
    })?;
    let date = DateTime::from_timestamp(secs, 0).ok_or(Error::SourceDateEpoch { value })?;
    Ok(Some(date.date_naive()))
}

/// What a build ran on besides the source tree.
struct Inputs {
    build_date: Option<chrono::NaiveDate>,
    today: Option<chrono::NaiveDate>,
    base_url: Option<String>,
    theme: Theme,
}

impl Inputs {
    /// The options that change the output, written out for the cache key.
    fn describe(&self, options: &BuildOptions) -> String {
        format!(
            "base_url={:?}\ntoday={:?}\nbuild_date={:?}\nkeep_going={}\n",
            self.base_url, self.today, self.build_date, options.keep_going
        )
    }
}

/// What a full build did.
struct Built {
    outcome: Outcome,
    report: Report,
    /// False when findings stopped it before anything was published.
    published: bool,
    /// Files published.
    files: usize,
    /// SHA-256 of every published data file: source-relative path (with `/`) → hex.
    digests: BTreeMap<String, String>,
    /// Every published dataset's (lightened) validation result and its own output paths.
    datasets: BTreeMap<catalog::DatasetId, (validate::DatasetResult, Vec<String>)>,
    /// Where each dataset's source files are (for the fingerprints).
    folders: cache::reuse::Folders,
}

/// What the build cache offers a build: the last build's datasets, and this build's setting and
/// source hashes to tell which of them are unchanged.
struct Reuse {
    setting: String,
    hashes: BTreeMap<String, String>,
    manifest: cache::reuse::Manifest,
}

/// `hromadata build`: validate, render and publish — or, when the cache shows that nothing
/// changed since the last build and the site is as that build left it, only say so.
pub fn build(options: &BuildOptions) -> Result<Outcome, Error> {
    let inputs = inputs(options)?;
    let mut timings = Timings::new(options.timings);
    let Some(dir) = &options.cache else {
        let built = run(options, &inputs, &mut timings, None)?;
        timings.print(built.files);
        return Ok(built.outcome);
    };
    let setting = cache::setting_digest(&cache::Setting {
        theme: &inputs.theme,
        options: inputs.describe(options),
    });
    let now = cache::stamps(&options.source);
    let state = cache::load_state(dir);
    if let Some(outcome) = up_to_date(options, dir, &setting, state, now.as_ref()) {
        timings.stage("check");
        timings.print(0);
        return Ok(outcome);
    }
    let old = cache::load(dir).sources;
    let manifest = cache::reuse::load(dir);
    // Reading every source file's hash costs a walk of the tree (the recorded hashes of
    // unchanged files are reused): only worth it when there are datasets to keep.
    let reuse = (now.as_ref())
        .filter(|_| !manifest.is_empty())
        .and_then(|now| cache::hashes(&options.source, now, &old))
        .map(|hashes| Reuse {
            setting: setting.clone(),
            hashes,
            manifest,
        });
    timings.stage("check");
    let built = run(options, &inputs, &mut timings, reuse)?;
    if let (true, Some(now)) = (built.published, now) {
        if let Err(e) = remember(dir, options, &setting, old, now, &built) {
            eprintln!(
                "warning: could not write the build cache `{}`: {e}",
                dir.display()
            );
        }
        timings.stage("cache");
    }
    timings.print(built.files);
    Ok(built.outcome)
}

/// `Some(outcome)` of the last build, with its report printed again, when its key still holds
/// and its site is intact. Untouched sources are seen from their stamps' digest alone; touched
/// ones are hashed, and when their content is what it was the record takes the new stamps.
fn up_to_date(
    options: &BuildOptions,
    dir: &Path,
    setting: &str,
    mut record: cache::Record,
    now: Option<&BTreeMap<String, cache::Stamp>>,
) -> Option<Outcome> {
    let now = now?;
    if record.key.is_empty() || record.setting != setting {
        return None;
    }
    let touched = cache::stamps_digest(now) != record.sources_stamps;
    if touched {
        record.sources = cache::load(dir).sources;
        let hashes = cache::hashes(&options.source, now, &record.sources)?;
        if cache::key(setting, &hashes) != record.key {
            return None;
        }
        record.sources = sources(now, &hashes);
        record.sources_stamps = cache::stamps_digest(now);
    }
    if !cache::site_intact(&options.out, &record) {
        return None;
    }
    if touched {
        let _ = cache::save(dir, &record);
    }
    print!("{}", record.report);
    eprintln!(
        "up to date: nothing changed since the last build of `{}` ({} files)",
        options.out.display(),
        record.files
    );
    Some(if record.findings {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Source files with their stamps and hashes, for the record.
fn sources(
    now: &BTreeMap<String, cache::Stamp>,
    hashes: &BTreeMap<String, String>,
) -> BTreeMap<String, (cache::Stamp, String)> {
    (now.iter())
        .filter_map(|(path, stamp)| {
            hashes
                .get(path)
                .map(|h| (path.clone(), (*stamp, h.clone())))
        })
        .collect()
}

/// Records the build just made: the sources' hashes (data files' from validation, the others
/// read now unless unchanged since the last record), the key and the site's stamps.
fn remember(
    dir: &Path,
    options: &BuildOptions,
    setting: &str,
    mut known: BTreeMap<String, (cache::Stamp, String)>,
    now: BTreeMap<String, cache::Stamp>,
    built: &Built,
) -> std::io::Result<()> {
    for (path, sha) in &built.digests {
        if let Some(stamp) = now.get(path) {
            known.insert(path.clone(), (*stamp, sha.clone()));
        }
    }
    let not_read = || std::io::Error::other("a source file could not be read");
    let hashes = cache::hashes(&options.source, &now, &known).ok_or_else(not_read)?;
    let site = cache::stamps(&options.out).ok_or_else(not_read)?;
    let fingerprints = cache::reuse::fingerprints(&built.folders, setting, &hashes);
    let manifest: cache::reuse::Manifest = (built.datasets.iter())
        .filter_map(|(id, (result, paths))| {
            let outputs = (paths.iter())
                .map(|p| Some((p.clone(), site.get(p)?.to_fields())))
                .collect::<Option<Vec<_>>>()?;
            let entry = cache::reuse::Entry::of(fingerprints.get(id)?, result, outputs)?;
            Some((id.as_str().to_owned(), entry))
        })
        .collect();
    cache::reuse::save(dir, &manifest)?;
    let record = cache::Record {
        key: cache::key(setting, &hashes),
        setting: setting.to_owned(),
        sources_stamps: cache::stamps_digest(&now),
        site_stamps: cache::stamps_digest(&site),
        files: site.len(),
        findings: built.outcome == Outcome::Findings,
        report: report_text(&built.report),
        sources: sources(&now, &hashes),
    };
    cache::save(dir, &record)
}

/// `build` without the cache, also returning the report it printed (for `serve`, which shows it
/// in the page).
pub fn build_report(options: &BuildOptions) -> Result<(Outcome, Report), Error> {
    let inputs = inputs(options)?;
    let built = run(options, &inputs, &mut Timings::new(options.timings), None)?;
    Ok((built.outcome, built.report))
}

/// Reads and checks the options and the theme.
fn inputs(options: &BuildOptions) -> Result<Inputs, Error> {
    let build_date = build_date()?;
    let today = match &options.today {
        Some(text) => Some(
            chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                Error::Today {
                    value: text.clone(),
                }
            })?,
        ),
        None => build_date,
    };
    let base_url = match &options.base_url {
        Some(url) => Some(
            catalog::config::normalise_base_url(url)
                .ok_or_else(|| Error::BaseUrl { value: url.clone() })?,
        ),
        None => None,
    };
    let theme = match &options.theme {
        Some(dir) => Theme::load(dir)?,
        None => Theme::builtin()?,
    };
    Ok(Inputs {
        build_date,
        today,
        base_url,
        theme,
    })
}

/// The pipeline: load, then validate and render a part of the catalogue at a time, render what
/// is made from the whole catalogue, and publish. Rendering stops at the first finding unless
/// `--keep-going` (validation goes on, for the whole report); the staging folder is then
/// dropped and nothing is published.
fn run(
    options: &BuildOptions,
    inputs: &Inputs,
    timings: &mut Timings,
    reuse: Option<Reuse>,
) -> Result<Built, Error> {
    crate::output::check_destination(&options.out, &options.source)?;
    let not_published = |outcome, report| Built {
        outcome,
        report,
        published: false,
        files: 0,
        digests: BTreeMap::new(),
        datasets: BTreeMap::new(),
        folders: cache::reuse::Folders::default(),
    };
    let (mut catalog, load_findings) = match load(&options.source, timings)? {
        Ok(loaded) => loaded,
        Err(validated) => {
            print_report(&validated.report);
            return Ok(not_published(Outcome::Findings, validated.report));
        }
    };
    if let Some(url) = &inputs.base_url {
        catalog.config.base_url = url.clone();
    }
    let render_options = render::Options {
        base_url: catalog.config.base_url.clone(),
        build_date: inputs.build_date,
        today: inputs.today,
    };
    // Rendered batches go straight into the staging folder: nothing is visible at `--out` until
    // `finish` swaps the whole site in.
    let mut publication = crate::output::Publication::begin(&options.out, &options.source)?;
    let mut sink = |batch: render::Site| publication.write(&batch);
    let mut site = Some(render::SiteRender::begin(
        &catalog,
        &inputs.theme,
        &render_options,
        &mut sink,
    )?);
    let folders = cache::reuse::Folders::of(&catalog);
    let kept = match reuse {
        Some(reuse) if crate::output::is_ours(&options.out) => {
            let fingerprints = cache::reuse::fingerprints(&folders, &reuse.setting, &reuse.hashes);
            cache::reuse::reusable(reuse.manifest, &fingerprints, &options.out)
        }
        _ => BTreeMap::new(),
    };
    let mut rendering = 0.0;
    let mut outputs: BTreeMap<catalog::DatasetId, Vec<String>> = BTreeMap::new();
    let validated = validate_in_parts(
        &catalog,
        load_findings,
        &kept,
        timings,
        &mut |v, fresh, old| {
            if !v.report.is_clean() && !options.keep_going {
                site = None;
            }
            let Some(site) = &mut site else {
                return Ok(());
            };
            let start = std::time::Instant::now();
            let paths = site.datasets(v, fresh)?;
            for (d, paths) in fresh.iter().zip(paths) {
                outputs.insert(d.id.clone(), paths);
            }
            for d in old {
                let paths: Vec<String> =
                    kept[&d.id].outputs.iter().map(|(p, _)| p.clone()).collect();
                site.previous(d, &paths)?;
                outputs.insert(d.id.clone(), paths);
            }
            rendering += start.elapsed().as_secs_f64();
            Ok(())
        },
    )?;
    print_report(&validated.report);
    let outcome = if validated.report.is_clean() {
        Outcome::Clean
    } else {
        Outcome::Findings
    };
    let Some(site) = site.filter(|_| outcome == Outcome::Clean || options.keep_going) else {
        eprintln!("nothing published: fix the problems above, or use --keep-going to publish with broken datasets marked invalid");
        return Ok(not_published(outcome, validated.report));
    };
    let start = std::time::Instant::now();
    let files = site.finish(&validated)?;
    timings.add("render + write", rendering + start.elapsed().as_secs_f64());
    let stats = publication.stats;
    publication.finish()?;
    timings.stage("swap");
    let kept_note = if kept.is_empty() {
        String::new()
    } else {
        format!(
            "; {} of {} datasets as at the last build, not validated or rendered again",
            kept.len(),
            catalog.datasets.len()
        )
    };
    eprintln!(
        "published {files} files to `{}` ({} written, {} unchanged){kept_note}",
        options.out.display(),
        stats.written,
        stats.linked
    );
    Ok(Built {
        outcome,
        files,
        digests: digests(&catalog, &validated),
        report: validated.report,
        published: true,
        datasets: (validated.datasets.into_iter())
            .filter_map(|(id, result)| Some((outputs.remove(&id)?, (id, result))))
            .map(|(paths, (id, result))| (id, (result, paths)))
            .collect(),
        folders,
    })
}

/// The SHA-256 of every data file validation read, by source-relative path.
fn digests(catalog: &Catalog, validated: &Validated) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for d in catalog.datasets.values() {
        let Some(result) = validated.datasets.get(&d.id) else {
            continue;
        };
        for (r, res) in d.resources.iter().zip(&result.resources) {
            let parts: Vec<String> = (d.folder.join(&r.path).components())
                .filter_map(|c| match c {
                    std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect();
            out.insert(parts.join("/"), res.digest.sha256.clone());
        }
    }
    out
}

/// `hromadata validate`: one file or descriptor, reported as text (uk or en) or JSON on stdout.
pub fn validate_file(
    options: &crate::validate::standalone::Options,
    json: bool,
    english: bool,
) -> Result<Outcome, Error> {
    use crate::validate::report_format::{self, Lang};
    let validation = crate::validate::standalone::validate(options)?;
    if json {
        print!("{}", report_format::to_json(&validation));
    } else {
        print!(
            "{}",
            report_format::to_text(&validation, if english { Lang::En } else { Lang::Uk })
        );
    }
    Ok(if validation.valid() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// `hromadata verify`: re-checks a built site's checksums and sizes.
pub fn verify(site: &Path) -> Result<Outcome, Error> {
    let (report, checked) = crate::verify::verify(site)?;
    for f in &report.findings {
        println!("{f}");
    }
    if report.is_clean() {
        println!("ok: {checked} file check(s), all match");
        Ok(Outcome::Clean)
    } else {
        println!(
            "{} mismatch(es) in {checked} file check(s)",
            report.findings.len()
        );
        Ok(Outcome::Findings)
    }
}
