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

/// The most memory a case may take (KiB, peak resident size): bombs are refused by limits, and
/// the biggest honest input here (a 20 MiB line) takes under 100 MiB.
const MAX_CASE_KIB: i64 = 256 * 1024;

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

/// What a run of the binary printed and returned, and its peak resident size in KiB.
struct Measured {
    code: i32,
    output: String,
    peak_kib: i64,
}

/// Runs the binary in `cwd` as `support::run` does, but reaps it with `wait4` to learn its own
/// peak memory (not that of the other tests' children running at the same time).
fn run_measured(args: &[String], cwd: &std::path::Path) -> Measured {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_hromadata"))
        .args(args)
        .current_dir(cwd)
        .env("CI", "true")
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            String::from_utf8(bytes).expect("output is UTF-8")
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let (mut status, pid) = (0, child.id() as libc::pid_t);
    // SAFETY: `usage` and `status` are plain data wait4 writes; the child is ours and not
    // waited for elsewhere.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::wait4(pid, &mut status, 0, &mut usage), pid);
        usage
    };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let output = stdout.join().unwrap() + &stderr.join().unwrap();
    Measured {
        code,
        output,
        peak_kib: usage.ru_maxrss,
    }
}

/// Runs one case: `setup` writes its input and gives the arguments; the run must exit `code`
/// without a panic, contain each of `located` and finish in time; its output is snapshotted.
pub fn run_case(name: &str, code: i32, located: &[&str], setup: impl Fn(&Project) -> Vec<String>) {
    let p = Project::fixture("basic");
    let argv = setup(&p);
    let started = Instant::now();
    let run = run_measured(&argv, p.dir.path());
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
    let peak = run.peak_kib;
    assert!(peak < MAX_CASE_KIB, "{name}: took {peak} KiB");
    eprintln!("{name}: {took:.2?}, {peak} KiB");
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
