//! `hromadata serve`: a real server on a free port (`--port 0`), spoken to over raw TCP so that
//! requests reach it exactly as written (no client-side path normalisation). Waits are polls with
//! a deadline, never fixed sleeps; the server process is killed when a test ends, even on failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{select, tree, Project};

const PAGE: &str = "/datasets/vinnytsia-budget/";
const BUDGET: &str = "publishers/vinnytska-miska-rada/budget/datapackage.json";
const REVENUES: &str = "publishers/vinnytska-miska-rada/budget/revenues.csv";
/// Long enough for a debug build of the fixture on a busy machine; polls end as soon as they can.
const DEADLINE: Duration = Duration::from_secs(90);

/// A running `hromadata serve`, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on the project with `extra` options; returns once it printed its address.
fn start(p: &Project, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hromadata"))
        .arg("serve")
        .arg("--source")
        .arg(p.src())
        .arg("--out")
        .arg(p.out())
        .args(["--port", "0"])
        .args(extra)
        .env("CI", "true")
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut server = Server { child, port: 0 };
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("serving http://127.0.0.1:") {
            server.port = url.trim_end_matches('/').parse().unwrap();
            // Keep reading: a closed pipe would end the server at its next line of output.
            std::thread::spawn(move || lines.for_each(drop));
            return server;
        }
    }
    panic!("serve ended without printing its address");
}

/// A response: status, headers (lowercase names), body.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request exactly as given and reads the whole response.
fn request(port: u16, method: &str, target: &str) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

fn get(port: u16, target: &str) -> Reply {
    request(port, "GET", target)
}

/// Polls `probe` until it gives a value or the deadline passes.
fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn page(port: u16, target: &str) -> scraper::Html {
    scraper::Html::parse_document(&get(port, target).text())
}

#[test]
fn serves_pages_files_heads_redirects_and_404() {
    let p = Project::fixture("basic");
    let server = start(&p, &[]);
    let home = get(server.port, "/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let head = request(server.port, "HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), home.header("content-length"));
    assert_eq!(
        home.header("content-length"),
        Some(home.body.len().to_string().as_str())
    );
    let types = [
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/SHA256SUMS", "text/plain; charset=utf-8"),
        (
            "/datasets/vinnytsia-budget/datapackage.json",
            "application/json; charset=utf-8",
        ),
        (
            "/datasets/vinnytsia-budget/revenues.csv",
            "text/csv; charset=utf-8",
        ),
        ("/catalog.ttl", "text/turtle; charset=utf-8"),
        ("/catalog.jsonld", "application/ld+json; charset=utf-8"),
        ("/feed.atom", "application/atom+xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
    ];
    for (target, content_type) in types {
        let reply = get(server.port, target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{target}");
        let on_disk = std::fs::read(p.out().join(&target[1..])).unwrap();
        assert_eq!(reply.body, on_disk, "{target}: served as built");
    }
    let dataset = get(server.port, "/datasets/vinnytsia-budget?x=1");
    assert_eq!(dataset.status, 301);
    assert_eq!(
        dataset.header("location"),
        Some("/datasets/vinnytsia-budget/?x=1")
    );
    let missing = get(server.port, "/no/such/page.html");
    assert_eq!(missing.status, 404);
    let built_404 =
        scraper::Html::parse_document(&std::fs::read_to_string(p.out().join("404.html")).unwrap());
    let served_404 = scraper::Html::parse_document(&missing.text());
    assert_eq!(select(&served_404, "h1"), select(&built_404, "h1"));
    let post = request(server.port, "POST", "/");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[test]
fn live_reload_is_in_responses_only() {
    let p = Project::fixture("basic");
    let server = start(&p, &[]);
    let served = page(server.port, PAGE);
    let scripts = crate::support::attr(&served, "body > script[data-generation]", "src");
    assert_eq!(scripts, ["/__hromadata/live.js"]);
    let script = get(server.port, "/__hromadata/live.js");
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.text().contains("EventSource"));
    // The built files are exactly `build`'s.
    let served_tree = tree(&p.out());
    let plain = Project::fixture("basic");
    assert_eq!(plain.build(&[]).code, 0);
    assert_eq!(served_tree, tree(&plain.out()));
    assert!(!served_tree
        .values()
        .any(|b| b.windows(11).any(|w| w == b"__hromadata")));
}

#[test]
fn traversal_never_reaches_files_outside_the_site() {
    let p = Project::fixture("basic");
    let server = start(&p, &[]);
    let secret = "CANARY-6c1f0e";
    let outside = p.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("canary.txt"), secret).unwrap();
    std::fs::write(p.dir.path().join("canary.txt"), secret).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.join("canary.txt"), p.out().join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(&outside, p.out().join("leakdir")).unwrap();
        // A chain: a link inside the site to a link that leaves it.
        std::os::unix::fs::symlink("leak.txt", p.out().join("static/chain.txt")).unwrap();
        std::os::unix::fs::symlink("../leak.txt", p.out().join("datasets/hop.txt")).unwrap();
    }
    let canary = outside.join("canary.txt");
    let absolute = format!("/{}", canary.display());
    let double_slash = format!("//{}", canary.display());
    let encoded_slashes = format!("/{}", canary.display().to_string().replace('/', "%2f"));
    let attempts = [
        "/../canary.txt",
        "/%2e%2e/canary.txt",
        "/%2E%2E/%2e%2e/canary.txt",
        "/..%2f..%2fcanary.txt",
        "/datasets/..%2f..%2fcanary.txt",
        "/%5c..%5ccanary.txt",
        "/..\\canary.txt",
        "/index.html%00/../../canary.txt",
        "/canary.txt%00.html",
        "/leak.txt",
        "/leakdir/canary.txt",
        "/leakdir/",
        "/leakdir",
        "/C:/canary.txt",
        absolute.as_str(),
        "/%2f%2e%2e%2fcanary.txt",
        "/./../canary.txt",
        // Double encoding, overlong UTF-8, mixed separators, encoded slashes into a link.
        "/%252e%252e/canary.txt",
        "/%252e%252e%252fcanary.txt",
        "/%c0%ae%c0%ae/canary.txt",
        "/%c0%ae%c0%ae%c0%afcanary.txt",
        "/%e0%80%ae%e0%80%ae/canary.txt",
        "/..%c0%afcanary.txt",
        "/%u002e%u002e/canary.txt",
        "/.%2e/canary.txt",
        "/%2e./canary.txt",
        "/..;/canary.txt",
        "/....//canary.txt",
        "/\\..\\canary.txt",
        "/%5c%2e%2e%5ccanary.txt",
        "/leakdir%2fcanary.txt",
        "/static/chain.txt",
        "/datasets/hop.txt",
        "//etc/passwd",
        double_slash.as_str(),
        encoded_slashes.as_str(),
    ];
    for target in attempts {
        let reply = get(server.port, target);
        assert!(!reply.text().contains(secret), "{target} leaked the canary");
        assert!(
            !reply.text().contains("root:"),
            "{target} served /etc/passwd"
        );
        assert!(
            matches!(reply.status, 400 | 403 | 404),
            "{target}: status {}",
            reply.status
        );
    }
}

/// Reads an event stream until it holds `want`.
fn read_events_until(stream: &mut TcpStream, want: &str) -> String {
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut seen = Vec::new();
    wait_for(want, || {
        let mut chunk = [0u8; 1024];
        match stream.read(&mut chunk) {
            Ok(0) => panic!("the event stream closed"),
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
            Err(_) => {}
        }
        let text = String::from_utf8_lossy(&seen).into_owned();
        text.contains(want).then_some(text)
    })
}

fn subscribe(port: u16, generation: &str) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET /__hromadata/events?since={generation} HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    stream
}

fn generation(port: u16) -> String {
    crate::support::attr(
        &page(port, PAGE),
        "script[data-generation]",
        "data-generation",
    )
    .remove(0)
}

fn title(port: u16) -> Vec<String> {
    select(&page(port, PAGE), "h1")
}

#[test]
fn rebuilds_on_change_reloads_and_keeps_the_last_good_site() {
    let p = Project::fixture("basic");
    let server = start(&p, &[]);
    let before = title(server.port);
    assert_eq!(before, ["Доходи бюджету громади"]);
    let mut events = subscribe(server.port, &generation(server.port));
    let head = read_events_until(&mut events, "retry:");
    assert!(head.contains("Content-Type: text/event-stream"), "{head}");
    p.edit(
        BUDGET,
        "Доходи бюджету громади",
        "Доходи бюджету громади, оновлено",
    );
    wait_for("the new title", || {
        (title(server.port) == ["Доходи бюджету громади, оновлено"]).then_some(())
    });
    read_events_until(&mut events, "event: reload");
    assert!(select(&page(server.port, PAGE), "[role=alert]").is_empty());

    // A broken edit: the site stays as it was, with a banner, and the server keeps running.
    let good = std::fs::read(p.out().join("datasets/vinnytsia-budget/index.html")).unwrap();
    let mut events = subscribe(server.port, &generation(server.port));
    p.edit(REVENUES, "2022,5735142140.24", "2022,5735142140,24");
    p.edit(BUDGET, "громади, оновлено", "громади, зламано");
    read_events_until(&mut events, "event: reload");
    let shown = page(server.port, PAGE);
    assert_eq!(select(&shown, "h1"), ["Доходи бюджету громади, оновлено"]);
    let banner = select(&shown, "[role=alert]");
    assert_eq!(banner.len(), 1);
    assert!(
        banner[0]
            .contains("extra-cell: `publishers/vinnytska-miska-rada/budget/revenues.csv`, row 3"),
        "{}",
        banner[0]
    );
    assert_eq!(
        std::fs::read(p.out().join("datasets/vinnytsia-budget/index.html")).unwrap(),
        good
    );
    let mut server = server;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server stopped"
    );
}

#[test]
fn english_pages_get_an_english_banner() {
    let p = Project::fixture("basic");
    let server = start(&p, &[]);
    let mut events = subscribe(server.port, &generation(server.port));
    p.edit(REVENUES, "2022,5735142140.24", "2022,many");
    read_events_until(&mut events, "event: reload");
    let uk = page(server.port, PAGE);
    let en = page(server.port, &format!("/en{PAGE}"));
    assert_eq!(crate::support::attr(&uk, "[role=alert]", "lang"), ["uk"]);
    assert_eq!(crate::support::attr(&en, "[role=alert]", "lang"), ["en"]);
    assert_eq!(crate::support::attr(&en, "[role=alert] ul", "lang"), ["en"]);
}

#[test]
fn port_in_use_and_missing_source_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let p = Project::fixture("basic");
    let src = p.src();
    let run = crate::support::run(
        &["serve", "--source", src.to_str().unwrap(), "--port", &port],
        p.dir.path(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("port {port} on 127.0.0.1 is already in use")),
        "{}",
        run.stderr
    );
    assert!(!p.out().exists());
    let missing = p.dir.path().join("nowhere");
    let run = crate::support::run(
        &[
            "serve",
            "--source",
            missing.to_str().unwrap(),
            "--port",
            "0",
        ],
        p.dir.path(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let p = Project::fixture("basic");
    let mut server = start(&p, &[]);
    assert_eq!(get(server.port, "/").status, 200);
    // SAFETY: sends SIGINT to the child this test started.
    unsafe {
        libc::kill(server.child.id() as i32, libc::SIGINT);
    }
    let status = wait_for("the server to stop", || server.child.try_wait().unwrap());
    assert_eq!(status.code(), Some(0));
    assert!(
        Path::new(&p.out()).join("index.html").is_file(),
        "the site stays"
    );
}
