//! Runs the stages in order — load, validate (+ checksum), render, output — and prints the
//! report. `check` stops after validation and writes nothing.

use std::path::{Path, PathBuf};

use chrono::DateTime;

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
    for f in &report.findings {
        println!("{f}");
    }
    if report.is_clean() {
        println!("ok: no problems found");
    } else {
        println!("{} problem(s) found", report.findings.len());
    }
}

/// Loads and validates; `None` when the catalogue file itself is unusable.
fn load_and_validate(
    source: &Path,
    timings: &mut Timings,
) -> Result<(Option<Catalog>, Validated), Error> {
    let loaded = catalog::load(source)?;
    timings.stage("load");
    let Some(catalog) = loaded.catalog else {
        let mut report = Report::default();
        report.extend(loaded.findings);
        return Ok((
            None,
            Validated {
                report,
                ..Default::default()
            },
        ));
    };
    let total = catalog.datasets.values().map(|d| d.resources.len()).sum();
    let progress = std::sync::Mutex::new(Progress::start("validating", total));
    let step = |p: &Path| {
        if let Ok(mut progress) = progress.lock() {
            progress.step(&p.display().to_string());
        }
    };
    let validated = validate::validate(&catalog, loaded.findings, &step)?;
    if let Ok(progress) = progress.into_inner() {
        progress.finish();
    }
    timings.stage("validate");
    Ok((Some(catalog), validated))
}

/// `hromadata check`: validate only.
pub fn check(source: &Path) -> Result<Outcome, Error> {
    let (_, validated) = load_and_validate(source, &mut Timings::new(false))?;
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

/// `hromadata build`: validate, render and publish.
pub fn build(options: &BuildOptions) -> Result<Outcome, Error> {
    build_report(options).map(|(outcome, _)| outcome)
}

/// `build`, also returning the report it printed (for `serve`, which shows it in the page).
pub fn build_report(options: &BuildOptions) -> Result<(Outcome, Report), Error> {
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
    crate::output::check_destination(&options.out, &options.source)?;
    let mut timings = Timings::new(options.timings);
    let (catalog, validated) = load_and_validate(&options.source, &mut timings)?;
    print_report(&validated.report);
    let outcome = if validated.report.is_clean() {
        Outcome::Clean
    } else {
        Outcome::Findings
    };
    let Some(mut catalog) = catalog else {
        return Ok((outcome, validated.report));
    };
    if outcome == Outcome::Findings && !options.keep_going {
        eprintln!("nothing published: fix the problems above, or use --keep-going to publish with broken datasets marked invalid");
        return Ok((outcome, validated.report));
    }
    if let Some(url) = base_url {
        catalog.config.base_url = url;
    }
    let site = render::render(
        &catalog,
        &validated,
        &theme,
        &render::Options {
            base_url: catalog.config.base_url.clone(),
            build_date,
            today,
        },
    )?;
    timings.stage("render");
    let pages = site.len();
    crate::interrupt::check()?;
    crate::output::publish(&site, &options.out, &options.source)?;
    timings.stage("output");
    eprintln!("published {pages} files to `{}`", options.out.display());
    timings.print(pages);
    Ok((outcome, validated.report))
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
