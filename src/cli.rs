//! The command line (clap derive). Parsing only: `main` maps the parsed command to library calls.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  hromadata build                              build ./datasets into ./site
  hromadata build --source my-catalogue --out public --base-url https://data.example.gov.ua/
  hromadata check                              validate only, write nothing (for pull requests)
  hromadata build --keep-going                 publish even with findings; broken datasets are marked invalid

Exit codes: 0 ok, 1 findings in the data or metadata, 2 usage or operational error.";

/// Builds a validated, checksummed static open-data catalogue from a folder of datasets.
#[derive(Debug, Parser)]
#[command(name = "hromadata", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the source and build the static site.
    #[command(after_help = EXAMPLES)]
    Build(BuildArgs),
    /// Validate the source only; writes nothing.
    #[command(after_help = EXAMPLES)]
    Check(SourceArgs),
    /// Re-check a built or downloaded site: SHA256SUMS and every datapackage.json's hashes and sizes.
    Verify(VerifyArgs),
    /// Validate one CSV file or Frictionless descriptor (package, resource, schema), as frictionless does.
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate(ValidateArgs),
    /// The KATOTTG territory registry.
    #[command(subcommand)]
    Territories(TerritoriesCommand),
    /// Build the site, serve it on this computer, rebuild on every change and reload the browser.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Create a new catalogue repository: an example publisher and dataset, CI, a README.
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
    /// Add something to the catalogue.
    #[command(subcommand)]
    New(NewCommand),
}

/// `territories` subcommands.
#[derive(Debug, Subcommand)]
pub enum TerritoriesCommand {
    /// Import a codifier edition (the Ministry's XLSX or CSV) into the registry; prints what changed.
    #[command(after_help = TERRITORIES_EXAMPLES)]
    Import(ImportArgs),
}

const TERRITORIES_EXAMPLES: &str = "\
Examples:
  hromadata territories import kodifikator-2025-05-16.csv
  hromadata territories import kodifikator.xlsx --edition 2026-07-07 --source my-catalogue
  hromadata territories import kodifikator.xlsx --edition 2026-07-07 --dry-run

Exit codes: 0 imported, 1 problems in the file (nothing written), 2 usage or operational error.";

/// Options of `territories import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The codifier file as the Ministry publishes it: .xlsx, or the ;-separated .csv.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
    /// The edition's date, YYYY-MM-DD (default: a date in the file name).
    #[arg(long, value_name = "DATE")]
    pub edition: Option<String>,
    /// Print what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

const VALIDATE_EXAMPLES: &str = "\
Examples:
  hromadata validate budget.csv                        schema inferred from the data
  hromadata validate budget.csv --schema schema.json   against a Table Schema
  hromadata validate datapackage.json                  every resource of a package
  hromadata validate export.csv --encoding windows-1251 --delimiter ';'
  hromadata validate data.csv --hash sha256:… --bytes 1024 --format json

Exit codes: 0 valid, 1 invalid, 2 usage or operational error.";

/// Options of `verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The site folder (with SHA256SUMS at its root).
    #[arg(default_value = "site", value_name = "DIR")]
    pub dir: PathBuf,
}

/// Output format of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Language of the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportLang {
    Uk,
    En,
}

/// Extra checks `validate` can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExtraCheck {
    /// Rows that repeat an earlier row exactly.
    DuplicateRow,
}

/// Options of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// A CSV file, or a JSON descriptor of a data package, a resource or a Table Schema.
    pub path: PathBuf,
    /// A Table Schema for a CSV file (otherwise the schema is inferred).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// The CSV file's encoding (otherwise detected), e.g. utf-8, windows-1251.
    #[arg(long, value_name = "ENC")]
    pub encoding: Option<String>,
    /// The CSV delimiter (otherwise sniffed), e.g. ';'.
    #[arg(long, value_name = "C", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The CSV file has no header row.
    #[arg(long)]
    pub no_header: bool,
    /// The expected size in bytes.
    #[arg(long, value_name = "N")]
    pub bytes: Option<u64>,
    /// The expected hash, `sha256:HEX` or `md5:HEX` (bare HEX is MD5).
    #[arg(long, value_name = "ALGO:HEX")]
    pub hash: Option<String>,
    /// The expected number of data rows.
    #[arg(long, value_name = "N")]
    pub rows: Option<u64>,
    /// Extra checks to run.
    #[arg(long, value_enum, value_name = "CHECK")]
    pub check: Vec<ExtraCheck>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Language of the text report.
    #[arg(long, value_enum, default_value = "uk")]
    pub lang: ReportLang,
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "tab" => Ok(b'\t'),
        t if t.len() == 1 => Ok(t.as_bytes()[0]),
        _ => Err("a single ASCII character, e.g. ';' or tab".into()),
    }
}

/// Where the catalogue's source is.
#[derive(Debug, clap::Args)]
pub struct SourceArgs {
    /// The source folder: catalog.toml, publishers/, datasets.
    #[arg(long, default_value = "datasets", value_name = "DIR")]
    pub source: PathBuf,
}

/// Options of `build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The output folder; replaced as a whole when the build succeeds.
    #[arg(long, default_value = "site", value_name = "DIR")]
    pub out: PathBuf,
    /// A theme folder (a copy of themes/default) instead of the built-in theme.
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
    /// The absolute URL the site is served at, overriding catalog.toml's base_url.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Publish even when there are findings; broken datasets are marked invalid.
    #[arg(long)]
    pub keep_going: bool,
    /// The date freshness is judged on, YYYY-MM-DD (default: SOURCE_DATE_EPOCH's date; without
    /// either, due dates are shown but nothing is flagged overdue).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Print how long each stage took (load, validate, render, output) to stderr.
    #[arg(long)]
    pub timings: bool,
    /// The build cache: when nothing changed since the last build, the build only says so
    /// [default: .hromadata-cache/<name of --out>, beside --out].
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,
    /// Build in full, without reading or writing the cache.
    #[arg(long)]
    pub no_cache: bool,
}

const SERVE_EXAMPLES: &str = "\
Examples:
  hromadata serve                              build ./datasets, serve http://127.0.0.1:8000/
  hromadata serve --port 0                     any free port (printed on the first line)
  hromadata serve --source my-catalogue --theme my-theme

Exit codes: 0 stopped with Ctrl-C, 2 usage or operational error (port taken, no source folder).";

/// Options of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The output folder; replaced as a whole by every successful build, as with `build`.
    #[arg(long, default_value = "site", value_name = "DIR")]
    pub out: PathBuf,
    /// A theme folder (a copy of themes/default) instead of the built-in theme; watched too.
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
    /// The port to listen on; 0 picks any free port.
    #[arg(long, default_value_t = 8000, value_name = "N")]
    pub port: u16,
    /// The address to listen on. Only a loopback address keeps the preview on this computer.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: std::net::IpAddr,
}

const INIT_EXAMPLES: &str = "\
Examples:
  hromadata init my-catalogue                  then: cd my-catalogue && hromadata serve

Exit codes: 0 created, 2 usage or operational error (the folder is not empty).";

/// Options of `init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to create the catalogue in; must be new or empty.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// `new` subcommands.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Add a dataset from a CSV file: its folder, a copy of the file, datapackage.json with an
    /// inferred schema. Asks for the metadata on a terminal; takes the options otherwise.
    #[command(after_help = NEW_DATASET_EXAMPLES)]
    Dataset(NewDatasetArgs),
}

const NEW_DATASET_EXAMPLES: &str = "\
Examples:
  hromadata new dataset --publisher haisynska-miska-rada budget.csv     asks for the rest
  hromadata new dataset --publisher haisynska-miska-rada budget.csv \\
      --title 'Бюджетні програми' --description '…' --frequency yearly --yes

Required (asked for on a terminal): --title, --description, --frequency.
Exit codes: 0 created, 2 usage or operational error (missing options, the dataset exists).";

/// Options of `new dataset`.
#[derive(Debug, clap::Args)]
pub struct NewDatasetArgs {
    /// The publisher: its folder name or URL slug under publishers/.
    #[arg(long, value_name = "P")]
    pub publisher: String,
    /// The CSV file to publish (copied into the dataset folder).
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
    /// The dataset's identifier and address (a-z 0-9 . _ -); default: from the file name.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The title in Ukrainian.
    #[arg(long, value_name = "T")]
    pub title: Option<String>,
    /// The title in English.
    #[arg(long, value_name = "T")]
    pub title_en: Option<String>,
    /// What the data is, in Ukrainian.
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    /// The licence (SPDX id, e.g. CC-BY-4.0); default: the catalogue's licence.
    #[arg(long, value_name = "L")]
    pub license: Option<String>,
    /// How often it is updated: more-than-daily, daily, weekly, monthly, quarterly, half-yearly,
    /// yearly, on-change, no-longer-updated.
    #[arg(long, value_name = "F")]
    pub frequency: Option<String>,
    /// The KATOTTG code of the territory the data covers ("UA" for the country); default: the
    /// publisher's territory.
    #[arg(long, value_name = "KATOTTG")]
    pub territory: Option<String>,
    /// Keywords in Ukrainian, comma-separated.
    #[arg(long, value_name = "a,b")]
    pub keywords: Option<String>,
    /// The Resolution 835 code of the mandatory dataset this is (all-NNN or mun-NNN).
    #[arg(long = "resolution-835", value_name = "CODE")]
    pub resolution_835: Option<String>,
    /// The date the data was last changed, YYYY-MM-DD; default: today.
    #[arg(long, value_name = "DATE")]
    pub modified: Option<String>,
    /// Take the defaults of optional metadata instead of asking for them.
    #[arg(long)]
    pub yes: bool,
}
