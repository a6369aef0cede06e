//! Runs the stages in order — load, validate (+ checksum), render, output — and prints the
//! report. `check` stops after validation and writes nothing. `cached` is the build with the
//! build cache around it.

mod background;
mod cached;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use rayon::prelude::*;

use crate::cache;
use crate::catalog::{self, Catalog};
use crate::error::Error;
use crate::progress::Progress;
use crate::render::{self, Theme};
use crate::validate::{self, report::Report, Validated};
pub use cached::build;
use cached::CacheRun;

/// How a run ended when no operational error stopped it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No findings.
    Clean,
    /// Findings were reported (exit code 1).
    Findings,
}

impl Outcome {
    /// The outcome of a run that ends with `report`.
    fn of(report: &Report) -> Outcome {
        if report.is_clean() {
            Outcome::Clean
        } else {
            Outcome::Findings
        }
    }
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
        let peak =
            peak_memory().map_or_else(String::new, |b| format!(", peak memory {} MiB", b >> 20));
        eprintln!(
            "timings: {} · total {total:.2} s ({files} files, {:.0} files/s{peak})",
            stages.join(" · "),
            files as f64 / total.max(1e-9)
        );
    }
}

/// The most memory the process has held so far (its peak resident set), in bytes: what a CI
/// runner must have to build this catalogue.
fn peak_memory() -> Option<u64> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } == 0;
    // SAFETY: filled by the successful call above (and zeroed before).
    let kib = unsafe { usage.assume_init() }.ru_maxrss;
    (ok && kib > 0).then(|| kib as u64 * 1024)
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
    let listed = report.findings.len() as u64;
    match report.omitted {
        _ if report.is_clean() => text.push_str("ok: no problems found\n"),
        0 => {
            let _ = writeln!(text, "{listed} problem(s) found");
        }
        omitted => {
            let max = validate::table::MAX_FINDINGS;
            let total = listed + omitted;
            let _ = writeln!(
                text,
                "{total} problem(s) found; {omitted} of them not listed (at most {max} are listed per file)"
            );
        }
    }
    text
}

/// Datasets validated (and rendered) at a time: enough files to keep every core busy, few
/// enough that their rows stay small next to the catalogue.
const PART: usize = 256;

/// Loads the catalogue; `Err(validated)` with the report when `catalog.toml` itself is unusable.
fn load(
    source: &Path,
    listing: Option<&catalog::Listing>,
    timings: &mut Timings,
) -> Result<Result<(Catalog, Vec<validate::report::Finding>), Validated>, Error> {
    let loaded = catalog::load_listed(source, listing)?;
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
    let validating = |d: &catalog::Dataset| !kept.contains_key(&d.id);
    let (validator, mut validated) =
        validate::Validator::begin(catalog, load_findings, &validating)?;
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
    let validated = match load(source, None, &mut timings)? {
        Ok((catalog, findings)) => {
            let kept = BTreeMap::new();
            validate_in_parts(&catalog, findings, &kept, &mut timings, &mut |_, _, _| {
                Ok(())
            })?
        }
        Err(validated) => validated,
    };
    print_report(&validated.report);
    Ok(Outcome::of(&validated.report))
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
    /// Every published dataset's (lightened) validation result and its own output paths, but
    /// for those the build cache kept.
    datasets: BTreeMap<catalog::DatasetId, (validate::DatasetResult, Vec<String>)>,
    /// The datasets the build cache kept, as recorded (their output paths are the same).
    kept: BTreeMap<catalog::DatasetId, cache::reuse::Entry>,
    /// What the build cache records of the catalogue-wide files (empty without a cache).
    memoised: cached::Memoised,
    /// With the cache, the stamps of the site's files as they were written, with the marker
    /// file's; `None` when they may no longer hold (the cache then walks the site).
    site_stamps: Option<(cache::Journal, Option<cache::Stamp>)>,
}

impl Built {
    fn not_published(outcome: Outcome, report: Report) -> Built {
        Built {
            outcome,
            report,
            published: false,
            files: 0,
            datasets: BTreeMap::new(),
            kept: BTreeMap::new(),
            memoised: cached::Memoised::default(),
            site_stamps: None,
        }
    }
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
    mut cached: Option<&mut CacheRun>,
) -> Result<Built, Error> {
    crate::output::check_destination(&options.out, &options.source)?;
    // The cache's walk of the source folder, made before the build began, is the loader's too.
    let listing = cached.as_deref().map(CacheRun::listing);
    let loaded = load(&options.source, listing.as_ref(), timings)?;
    drop(listing);
    let (mut catalog, load_findings) = match loaded {
        Ok(loaded) => loaded,
        Err(validated) => {
            print_report(&validated.report);
            return Ok(Built::not_published(Outcome::Findings, validated.report));
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
    // Rendered batches go straight into the staging folder (written while the next is rendered):
    // nothing is visible at `--out` until `finish` swaps the whole site in.
    let publication = crate::output::Publication::begin(&options.out, &options.source)?;
    // With the cache, the stamps of the files as written, for its record of the site.
    let journal = (options.cache.as_deref())
        .filter(|_| cached.is_some())
        .and_then(cache::Journal::create);
    let mut writer = background::Background::start((publication, journal), background::write_batch);
    let mut sink = |batch: render::Site| writer.send(batch);
    let site = render::SiteRender::begin(&catalog, &inputs.theme, &render_options, &mut sink)?;
    let folders = cache::reuse::Folders::of(&catalog);
    let kept = match &mut cached {
        Some(c) => cached::keep(c, &folders, &options.source, &options.out),
        None => BTreeMap::new(),
    };
    let parts = Parts {
        catalog: &catalog,
        kept: &kept,
        keep_going: options.keep_going,
    };
    // The staging folder made or recycled (its listing), and the datasets the cache keeps found.
    timings.stage("prepare");
    let (validated, site, mut outputs, rendering) = parts.run(load_findings, site, timings)?;
    print_report(&validated.report);
    let outcome = Outcome::of(&validated.report);
    let Some(site) = site.filter(|_| outcome == Outcome::Clean || options.keep_going) else {
        eprintln!("nothing published: fix the problems above, or use --keep-going to publish with broken datasets marked invalid");
        return Ok(Built::not_published(outcome, validated.report));
    };
    let start = std::time::Instant::now();
    let at = (
        &catalog,
        &folders,
        options.source.as_path(),
        options.out.as_path(),
    );
    let (files, memoised) = cached::finish(site, &validated, cached, at)?;
    let (publication, journal) = writer.finish()?;
    timings.add("render + write", rendering + start.elapsed().as_secs_f64());
    let stats = publication.stats;
    let finished = publication.finish()?;
    timings.stage("swap");
    say_published(
        files,
        &options.out,
        stats,
        (kept.len(), catalog.datasets.len()),
    );
    // Freed beside the rest of the build, not in its way: at national scale the catalogue took
    // a tenth of a second and more of one core to free.
    rayon::spawn(move || drop((catalog, folders)));
    Ok(Built {
        outcome,
        files,
        report: validated.report,
        published: true,
        datasets: (validated.datasets.into_iter())
            .filter_map(|(id, result)| Some((outputs.remove(&id)?, (id, result))))
            .map(|(paths, (id, result))| (id, (result, paths)))
            .collect(),
        kept,
        memoised,
        site_stamps: journal
            .filter(|_| finished.stamps_hold)
            .map(|j| (j, finished.marker)),
    })
}

/// What a build says it published: files written and linked, and datasets the cache kept.
fn say_published(
    files: usize,
    out: &Path,
    stats: crate::output::Stats,
    (kept, all): (usize, usize),
) {
    let kept_note = if kept == 0 {
        String::new()
    } else {
        format!("; {kept} of {all} datasets as at the last build, not validated or rendered again")
    };
    eprintln!(
        "published {files} files to `{}` ({} written, {} unchanged){kept_note}",
        out.display(),
        stats.written,
        stats.linked
    );
}

/// The datasets' part of a build: validated and rendered a part at a time.
struct Parts<'c> {
    catalog: &'c Catalog,
    /// Datasets the build cache keeps: their files are linked, not rendered.
    kept: &'c BTreeMap<catalog::DatasetId, cache::reuse::Entry>,
    keep_going: bool,
}

/// Each dataset's own output paths.
type Outputs = BTreeMap<catalog::DatasetId, Vec<String>>;

impl Parts<'_> {
    /// Validates every dataset and renders each one's own files into `site`, which is dropped
    /// at the first finding unless `--keep-going`; returns the validation, the site renderer
    /// (for the catalogue-wide files), each dataset's output paths and the seconds rendering.
    #[allow(clippy::type_complexity)]
    fn run<'a, 's, 'k>(
        &self,
        load_findings: Vec<validate::report::Finding>,
        mut site: render::SiteRender<'a, 's, 'k>,
        timings: &mut Timings,
    ) -> Result<
        (
            Validated,
            Option<render::SiteRender<'a, 's, 'k>>,
            Outputs,
            f64,
        ),
        Error,
    > {
        // Room for every kept file's path at once: made a part at a time, the map of paths was
        // rehashed at each doubling, holding half a million at national scale.
        site.reserve(self.kept.values().map(|e| e.outputs.len()).sum());
        let mut site = Some(site);
        let mut outputs = Outputs::new();
        let mut rendering = 0.0;
        let validated = validate_in_parts(
            self.catalog,
            load_findings,
            self.kept,
            timings,
            &mut |v, fresh, old| {
                if !v.report.is_clean() && !self.keep_going {
                    site = None;
                }
                let Some(site) = &mut site else {
                    return Ok(());
                };
                let start = std::time::Instant::now();
                self.render(site, v, (fresh, old), &mut outputs)?;
                rendering += start.elapsed().as_secs_f64();
                Ok(())
            },
        )?;
        Ok((validated, site, outputs, rendering))
    }

    /// Renders the `fresh` datasets' files and adds the `old` (kept) ones' as they are.
    fn render(
        &self,
        site: &mut render::SiteRender,
        validated: &Validated,
        (fresh, old): (&[&catalog::Dataset], &[&catalog::Dataset]),
        outputs: &mut Outputs,
    ) -> Result<(), Error> {
        let paths = site.datasets(validated, fresh)?;
        for (d, paths) in fresh.iter().zip(paths) {
            outputs.insert(d.id.clone(), paths);
        }
        // The kept files' paths and recorded stamps, read in parallel (half a million at national
        // scale), then added in the datasets' order.
        let kept: Vec<Vec<(String, Option<cache::Stamp>)>> = (old.par_iter())
            .map(|d| {
                (self.kept[&d.id].outputs.iter())
                    .map(|(p, stamp)| (p.clone(), Some(*stamp)))
                    .collect()
            })
            .collect();
        // Their paths are recorded in their entries, which the cache's record takes on.
        for (d, files) in old.iter().zip(kept) {
            site.previous(d, files)?;
        }
        Ok(())
    }
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
