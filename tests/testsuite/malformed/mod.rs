//! The malformed-input corpus: hostile CSV, descriptors, TOML, codifier files and workbooks,
//! each a small mutation of the `basic` fixture or one file for `validate` / `territories
//! import`. Every case must exit 1 or 2 (never a panic or a signal), name the offending file, its
//! row and its field or column where it has them, and finish quickly; what the user sees (stdout
//! and stderr, the temporary folder as `[TMP]`) is snapshotted, one file per case.
//!
//! Small inputs are files under `tests/malformed/<kind>/`; big or binary ones are made in code.
//! A case is one line of a `cases!` table: name, exit code, what the output must contain, setup.

mod codifier;
mod csv;
mod descriptor;
mod toml;
mod xlsx;

use std::time::{Duration, Instant};

use crate::support::{repo, Project};

/// The basic fixture's files that cases replace.
pub const REVENUES: &str = "publishers/vinnytska-miska-rada/budget/revenues.csv";
pub const BUDGET: &str = "publishers/vinnytska-miska-rada/budget/datapackage.json";
pub const PUBLISHER: &str = "publishers/vinnytska-miska-rada/publisher.toml";
pub const CATALOG: &str = "catalog.toml";

/// The slowest a case may be (debug build, machine shared with other test runs): bombs are
/// refused by limits, in well under this.
const MAX_CASE_TIME: Duration = Duration::from_secs(30);

/// The most heap a case may take: bombs are refused by limits, and the biggest honest input here
/// (a 20 MiB line) takes under 100 MiB.
const MAX_CASE_BYTES: libc::rlim_t = 512 << 20;

/// The most lines of a case's output kept in its snapshot (and the last line).
const SNAPSHOT_LINES: usize = 30;

/// The bytes of `tests/malformed/<rel>`.
pub fn file(rel: &str) -> Vec<u8> {
    let path = repo().join("tests/malformed").join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `bytes` at `rel` in the project's source, for `hromadata check`; returns its arguments.
pub fn check(p: &Project, rel: &str, bytes: impl AsRef<[u8]>) -> Vec<String> {
    put(p, &format!("src/{rel}"), bytes);
    args(&["check", "--source", "src"])
}

/// Writes `bytes` as `name` in the project folder; returns the arguments of `hromadata validate
/// name extra… --lang en`.
pub fn validate(p: &Project, name: &str, bytes: impl AsRef<[u8]>, extra: &[&str]) -> Vec<String> {
    put(p, name, bytes);
    let mut out = args(&["validate", name]);
    out.extend(args(extra));
    out.extend(args(&["--lang", "en"]));
    out
}

/// Writes `bytes` as `name` in the project folder; returns the arguments of a dry-run
/// `hromadata territories import name` into the fixture's registry.
pub fn import(p: &Project, name: &str, bytes: impl AsRef<[u8]>) -> Vec<String> {
    put(p, name, bytes);
    args(&[
        "territories",
        "import",
        name,
        "--source",
        "src",
        "--dry-run",
    ])
}

/// Writes a file (folders made as needed) relative to the project folder.
pub fn put(p: &Project, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = p.dir.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| a.to_string()).collect()
}

/// What a run of the binary printed and returned.
struct Ran {
    code: i32,
    output: String,
}

/// Runs the binary in `cwd` as `support::run` does, with its data segment limited to
/// `MAX_CASE_BYTES`: a case that needs more is killed by the allocator (a signal, which fails
/// the case) instead of slowing the machine. (Its peak resident size cannot be read reliably
/// here: the kernel counts the test binary's own memory at the fork.)
fn run_limited(args: &[String], cwd: &std::path::Path) -> Ran {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hromadata"));
    cmd.args(args)
        .current_dir(cwd)
        .env("CI", "true")
        .env_remove("SOURCE_DATE_EPOCH");
    // SAFETY: setrlimit is async-signal-safe and touches nothing of the parent.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MAX_CASE_BYTES,
                rlim_max: MAX_CASE_BYTES,
            };
            match libc::setrlimit(libc::RLIMIT_DATA, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let out = cmd.output().unwrap();
    let code = (out.status.code()).unwrap_or_else(|| -out.status.signal().unwrap_or(0));
    let text = |b: Vec<u8>| String::from_utf8(b).expect("output is UTF-8");
    Ran {
        code,
        output: text(out.stdout) + &text(out.stderr),
    }
}

/// Runs one case: `setup` writes its input and gives the arguments; the run must exit `code`
/// without a panic, contain each of `located` and finish in time; its output is snapshotted.
pub fn run_case(name: &str, code: i32, located: &[&str], setup: impl Fn(&Project) -> Vec<String>) {
    let p = Project::fixture("basic");
    let argv = setup(&p);
    let started = Instant::now();
    let run = run_limited(&argv, p.dir.path());
    let took = started.elapsed();
    let shown = format!(
        "exit {}\n{}",
        run.code,
        crate::support::redact(&run.output, &p)
    );
    assert!(!run.output.contains("panicked"), "{name}: a panic\n{shown}");
    assert_eq!(run.code, code, "{name}: wrong exit code\n{shown}");
    for needle in located {
        assert!(
            run.output.contains(needle),
            "{name}: no {needle:?} in\n{shown}"
        );
    }
    assert!(took < MAX_CASE_TIME, "{name}: took {took:?}");
    // Progress lines say nothing about the input; of a flood of findings the first lines and
    // the count of the rest are enough to see what the user is told.
    let lines: Vec<&str> = (shown.lines())
        .filter(|l| !l.starts_with("validating:"))
        .collect();
    let shown = if lines.len() <= SNAPSHOT_LINES + 1 {
        lines.join("\n")
    } else {
        let more = lines.len() - SNAPSHOT_LINES - 1;
        let (first, last) = (lines[..SNAPSHOT_LINES].join("\n"), lines[lines.len() - 1]);
        format!("{first}\n[… {more} more lines]\n{last}")
    };
    insta::assert_snapshot!(name, shown);
}

/// `name: code, [what the output must contain], |p| setup;` — one test per line.
macro_rules! cases {
    ($($name:ident: $code:expr, [$($located:expr),*], $setup:expr;)*) => {$(
        #[test]
        fn $name() {
            let kind = module_path!().rsplit("::").next().unwrap();
            let name = format!("{kind}__{}", stringify!($name));
            crate::malformed::run_case(&name, $code, &[$($located),*], $setup);
        }
    )*};
}
pub(crate) use cases;
