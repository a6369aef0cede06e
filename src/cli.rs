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
}
