//! The `hromadata` binary: parse the command line, call the library, map the outcome to an exit
//! code — 0 ok, 1 findings in the data, 2 usage or operational error, 130 interrupted.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use hromadata::pipeline::{self, BuildOptions, Outcome};

// The build allocates many small strings and values per page (template evaluation) on every
// core; mimalloc's per-thread heaps measured faster here than glibc's malloc, and with smaller
// peaks (`no_thp`: no transparent huge pages, which left 2 MiB resident per page touched).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn validate_options(args: &cli::ValidateArgs) -> hromadata::validate::standalone::Options {
    hromadata::validate::standalone::Options {
        path: args.path.clone(),
        schema: args.schema.clone(),
        encoding: args.encoding.clone(),
        delimiter: args.delimiter,
        no_header: args.no_header,
        bytes: args.bytes,
        hash: args.hash.clone(),
        rows: args.rows,
        duplicate_rows: args.check.contains(&cli::ExtraCheck::DuplicateRow),
    }
}

fn new_dataset_options(args: cli::NewDatasetArgs) -> hromadata::scaffold::NewDataset {
    let given = [
        ("--id", args.id),
        ("--title", args.title),
        ("--title-en", args.title_en),
        ("--description", args.description),
        ("--license", args.license),
        ("--frequency", args.frequency),
        ("--territory", args.territory),
        ("--keywords", args.keywords),
        ("--resolution-835", args.resolution_835),
        ("--modified", args.modified),
    ];
    hromadata::scaffold::NewDataset {
        source: args.source.source,
        publisher: args.publisher,
        file: args.file,
        given: given
            .into_iter()
            .filter_map(|(flag, value)| value.map(|v| (flag, v)))
            .collect(),
        yes: args.yes,
    }
}

fn main() -> ExitCode {
    // A closed pipe (`hromadata check | head`) ends the process quietly, as for other command-line
    // tools, instead of a panic on the next print.
    #[cfg(unix)]
    // SAFETY: sets the default action of one signal before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // Only the commands that publish poll the interrupt flag (to keep the site whole); the others
    // read, or write one file atomically, and must stop at once on Ctrl-C as any program does.
    if matches!(cli.command, cli::Command::Build(_) | cli::Command::Serve(_)) {
        hromadata::interrupt::install();
    }
    let result = match cli.command {
        cli::Command::Check(args) => pipeline::check(&args.source),
        cli::Command::Verify(args) => pipeline::verify(&args.dir),
        cli::Command::Validate(args) => pipeline::validate_file(
            &validate_options(&args),
            args.format == cli::Format::Json,
            args.lang == cli::ReportLang::En,
        ),
        cli::Command::Territories(cli::TerritoriesCommand::Import(args)) => {
            hromadata::territories::import(&hromadata::territories::ImportOptions {
                file: args.file,
                source: args.source.source,
                edition: args.edition,
                dry_run: args.dry_run,
            })
        }
        cli::Command::Serve(args) => hromadata::serve::serve(&hromadata::serve::ServeOptions {
            build: BuildOptions {
                source: args.source.source,
                out: args.out,
                theme: args.theme,
                base_url: None,
                keep_going: false,
                today: None,
                timings: false,
                cache: None,
            },
            port: args.port,
            bind: args.bind,
        }),
        cli::Command::Init(args) => hromadata::scaffold::init(&args.dir),
        cli::Command::New(cli::NewCommand::Dataset(args)) => {
            hromadata::scaffold::new_dataset(&new_dataset_options(args))
        }
        cli::Command::Build(args) => {
            let cache =
                (args.cache.clone()).unwrap_or_else(|| hromadata::cache::default_dir(&args.out));
            pipeline::build(&BuildOptions {
                source: args.source.source,
                out: args.out,
                theme: args.theme,
                base_url: args.base_url,
                keep_going: args.keep_going,
                today: args.today,
                timings: args.timings,
                cache: (!args.no_cache).then_some(cache),
            })
        }
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e @ hromadata::Error::Interrupted) => {
            eprintln!("{e}");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            if let Some(hint) = e.hint() {
                eprintln!("  hint: {hint}");
            }
            ExitCode::from(2)
        }
    }
}
