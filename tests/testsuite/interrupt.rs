//! Interrupted and failing builds: a build killed at any moment, by any signal, or stopped by a
//! full disk leaves the published site exactly as it was (or, killed after the swap, exactly the
//! new site), and no staging folder outlives it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::Digest as _;

use crate::support::{run, Project};

/// Every file under `dir` with the SHA-256 of its bytes: cheaper to keep and compare than the
/// bytes of a 100 MB site, and as strict.
fn digest_tree(dir: &Path) -> BTreeMap<String, [u8; 32]> {
    crate::support::tree_with(dir, |bytes| sha2::Sha256::digest(bytes).into())
}

/// Names in `dir` that look like a staging folder (`.<name>.staging-<pid>`) or a half-swapped one.
fn staging_folders(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".staging-"))
        .collect();
    names.sort();
    names
}

/// A small seeded generator (SplitMix64), so the "random" kill points are the same in every run.
struct Points(u64);

impl Points {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A point in `0..=limit`.
    fn within(&mut self, limit: Duration) -> Duration {
        let ms = limit.as_millis().max(1) as u64;
        Duration::from_millis(self.next() % (ms + 1))
    }
}

/// `hromadata build` of the project's source into `out`, in one fixed environment (the build
/// cache on, as users run it).
fn build_into(p: &Project, out: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hromadata"));
    cmd.arg("build")
        .arg("--source")
        .arg(p.src())
        .arg("--out")
        .arg(out)
        .env("CI", "true")
        .env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// The two versions of the source the test switches between, and the clean site of each.
struct Versions {
    descriptor: PathBuf,
    text: [String; 2],
    site: [BTreeMap<String, [u8; 32]>; 2],
}

/// Builds both versions of the source cleanly (no cache), keeping their digests; the
/// second differs in one dataset's title. Returns them and the slower build's wall time.
fn versions(p: &Project) -> (Versions, Duration) {
    let descriptor = p.file("publishers/vinnytska-miska-rada/budget/datapackage.json");
    let old = std::fs::read_to_string(&descriptor).unwrap();
    let new = old.replacen("\"title\": \"", "\"title\": \"(змінено) ", 1);
    assert_ne!(old, new);
    let mut sites = Vec::new();
    let mut slowest = Duration::ZERO;
    for (i, text) in [&old, &new].into_iter().enumerate() {
        std::fs::write(&descriptor, text).unwrap();
        let out = p.dir.path().join(format!("reference-{i}"));
        let started = Instant::now();
        let status = build_into(p, &out).arg("--no-cache").output().unwrap();
        assert!(status.status.success(), "{status:?}");
        slowest = slowest.max(started.elapsed());
        sites.push(digest_tree(&out));
        std::fs::remove_dir_all(&out).unwrap();
    }
    let site: [_; 2] = sites.try_into().unwrap();
    assert_ne!(site[0], site[1]);
    let v = Versions {
        descriptor,
        text: [old, new],
        site,
    };
    (v, slowest)
}

/// Kills `build` at 20 seeded random moments, with SIGINT, SIGTERM or SIGKILL in turn, switching
/// the source between two versions: every time, the site is exactly the one published before or
/// (killed after the swap) exactly the new one, never a mix; a graceful signal leaves no staging
/// folder, and a SIGKILL's folder is gone once a later build starts publishing. The build cache may be cut off
/// mid-write too, so this also checks that a damaged cache never yields a wrong site.
#[cfg(unix)]
#[test]
fn killed_at_twenty_random_points_the_site_is_old_or_new_never_mixed() {
    let p = Project::fixture("basic");
    add_copies(&p, 40);
    let (v, slowest) = versions(&p);
    std::fs::write(&v.descriptor, &v.text[0]).unwrap();
    let status = build_into(&p, &p.out()).output().unwrap();
    assert!(status.status.success(), "{status:?}");
    // The killed builds are rebuilds with the cache, which keeps the datasets the change leaves
    // alone: quicker than the clean builds, so their kill points are drawn within one rebuild's
    // time (within a clean build's, too many landed after the rebuild had finished). The first
    // rebuild after a clean build has no retired site to recycle yet and is slower than the
    // killed ones, which all recycle: the time is the quicker of the two rebuilds after it (with
    // the other tests loading the machine, the first one's time let most kills land too late).
    let mut rebuild = slowest;
    for (k, next) in [1, 0, 1].into_iter().enumerate() {
        std::fs::write(&v.descriptor, &v.text[next]).unwrap();
        let started = Instant::now();
        let status = build_into(&p, &p.out()).output().unwrap();
        assert!(status.status.success(), "{status:?}");
        assert_eq!(digest_tree(&p.out()), v.site[next]);
        if k > 0 {
            rebuild = rebuild.min(started.elapsed());
        }
    }
    let mut published = 1;
    let mut points = Points(20_261_205);
    let signals = [libc::SIGINT, libc::SIGTERM, libc::SIGKILL];
    let mut log = Vec::new();
    let mut killed = Vec::new();
    for i in 0..20 {
        let next = 1 - published;
        std::fs::write(&v.descriptor, &v.text[next]).unwrap();
        let delay = points.within(rebuild);
        let signal = signals[i % signals.len()];
        let mut child = build_into(&p, &p.out()).output_to_null().spawn().unwrap();
        std::thread::sleep(delay);
        // SAFETY: sending a signal to our own child process, which has not been waited for.
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = child.wait().unwrap();
        let now = digest_tree(&p.out());
        let which = v.site.iter().position(|s| *s == now);
        let Some(which) = which else {
            panic!(
                "after signal {signal} at {delay:?} the site is neither the old nor the new one"
            );
        };
        log.push(format!("{delay:?} sig {signal}: {status} → site {which}"));
        // A SIGKILLed build cannot clean up: its folder stays until a later build gets as far as
        // starting to publish. Nothing else may ever be left.
        let left = staging_folders(p.dir.path());
        if signal == libc::SIGKILL {
            killed.push(format!(".site.staging-{}", child.id()));
        }
        let stray: Vec<&String> = left.iter().filter(|n| !killed.contains(n)).collect();
        assert!(
            stray.is_empty(),
            "staging left after {signal} at {delay:?}: {stray:?}"
        );
        published = which;
    }
    let interrupted = log.iter().filter(|l| !l.contains("exit status: 0")).count();
    assert!(
        interrupted >= 5,
        "most kills should land mid-build: {log:#?}"
    );
    // The build after the last kill completes, is the clean site, and clears any leftover.
    std::fs::write(&v.descriptor, &v.text[1 - published]).unwrap();
    let status = build_into(&p, &p.out()).output().unwrap();
    assert!(status.status.success(), "{status:?}");
    assert_eq!(digest_tree(&p.out()), v.site[1 - published]);
    assert!(staging_folders(p.dir.path()).is_empty());
}

/// `Command` with its output thrown away (the kill test spawns dozens of builds).
trait Quiet {
    fn output_to_null(&mut self) -> &mut Self;
}

impl Quiet for std::process::Command {
    fn output_to_null(&mut self) -> &mut Self {
        self.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
    }
}

/// A tmpfs of a few MiB mounted for one test, unmounted when dropped (also when the test fails).
struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    /// `None` when this process may not mount (not root): the caller says it was skipped.
    fn mount(dir: PathBuf, options: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(&dir).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(&dir)
            .output();
        match status {
            Ok(s) if s.status.success() => Some(SmallDisk { dir }),
            // SAFETY: geteuid has no preconditions.
            _ if unsafe { libc::geteuid() } != 0 => None,
            other => panic!("root could not mount a tmpfs: {other:?}"),
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.dir).status();
    }
}

/// Builds the `basic` fixture onto a small disk, then a version of it that does not fit (a large
/// data file, or more files than the disk has inodes): the build fails with exit 2 and a message
/// naming the file it could not write and the cause, the published site is unchanged, and no
/// staging folder is left.
fn full_disk_case(mount_options: &str, grow: impl Fn(&Project)) {
    let p = Project::fixture("basic");
    let Some(disk) = SmallDisk::mount(p.dir.path().join("disk"), mount_options) else {
        eprintln!("skipped: mounting a tmpfs needs root (CI runs as root)");
        return;
    };
    let out = disk.dir.join("site");
    let build = || {
        let (src, out) = (p.src(), out.to_str().unwrap().to_owned());
        run(
            &["build", "--source", src.to_str().unwrap(), "--out", &out],
            p.dir.path(),
        )
    };
    let first = build();
    assert_eq!(first.code, 0, "the small site must fit: {}", first.stderr);
    let before = digest_tree(&out);
    grow(&p);
    let failed = build();
    assert_eq!(failed.code, 2, "{}\n{}", failed.stdout, failed.stderr);
    assert!(
        failed.stderr.contains("No space left on device")
            && failed.stderr.contains(disk.dir.to_str().unwrap()),
        "the message names the file and the cause: {}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("hint: the disk is full"),
        "{}",
        failed.stderr
    );
    assert!(!failed.stderr.contains("panicked"), "{}", failed.stderr);
    assert_eq!(digest_tree(&out), before, "the published site changed");
    assert_eq!(staging_folders(&disk.dir), Vec::<String>::new());
}

/// Makes the budget's notes (a plain text resource, published as it is) `bytes` long.
fn grow_notes(p: &Project, bytes: usize) {
    let path = p.file("publishers/vinnytska-miska-rada/budget/notes.txt");
    let mut text = std::fs::read_to_string(&path).unwrap();
    while text.len() < bytes {
        text.push_str("Примітка: рядок для заповнення диска.\n");
    }
    std::fs::write(&path, text).unwrap();
}

/// Adds `n` copies of the budget dataset (under other names) to the `basic` fixture.
fn add_copies(p: &Project, n: usize) {
    for i in 0..n {
        let folder = format!("publishers/vinnytska-miska-rada/copy-{i:03}");
        crate::support::copy_dir(
            &p.file("publishers/vinnytska-miska-rada/budget"),
            &p.file(&folder),
        );
        p.edit(
            &format!("{folder}/datapackage.json"),
            "\"name\": \"vinnytsia-budget\"",
            &format!("\"name\": \"vinnytsia-budget-copy-{i:03}\""),
        );
    }
}

#[cfg(unix)]
#[test]
fn a_full_disk_fails_the_build_and_keeps_the_site() {
    full_disk_case("size=4m", |p| {
        grow_notes(p, 5 << 20);
        assert_eq!(p.check().code, 0, "the bigger source is valid");
    });
}

#[cfg(unix)]
#[test]
fn running_out_of_inodes_fails_the_build_and_keeps_the_site() {
    full_disk_case("size=64m,nr_inodes=400", |p| add_copies(p, 150));
}

/// `validate` only reads: Ctrl-C stops it at once (as any program), even mid-file — it used to
/// set a flag nobody polled and run to the end.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_reading_command_at_once() {
    use std::os::unix::process::ExitStatusExt as _;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    // About 120 MB: several seconds of work, so the signal lands mid-file.
    let mut block = String::new();
    for i in 0..20_000 {
        block.push_str(&format!("{i},рядок {i},{}.50\n", i % 977));
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
    std::io::Write::write_all(&mut file, b"id,name,amount\n").unwrap();
    for _ in 0..200 {
        std::io::Write::write_all(&mut file, block.as_bytes()).unwrap();
    }
    drop(file);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hromadata"));
    command
        .args(["validate", csv.to_str().unwrap()])
        .output_to_null();
    // A shell that starts the tests in the background (`cmd &` without job control) hands them
    // SIGINT ignored, and an ignored signal stays ignored across exec: give the child the
    // default, as a terminal's Ctrl-C would find it.
    // SAFETY: `signal` is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(150));
    // SAFETY: sending a signal to our own child process, which has not been waited for.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let sent = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("validate went on for 5 s after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "{:?}",
        sent.elapsed()
    );
}
