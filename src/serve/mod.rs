//! `hromadata serve`: a local preview. Builds the site with the same pipeline as `build` (the same
//! atomic swap into `--out`), serves the out folder over HTTP on a loopback address, rebuilds when
//! the source or theme changes, and reloads open pages. Not a pipeline stage: it drives the
//! pipeline and reads what `output` wrote.
//!
//! Invariants: nothing outside the out folder is ever served (see `resolve`); the files on disk
//! are exactly `build`'s — the live-reload script and the failure banner exist only in responses;
//! a failed rebuild leaves the last good site in place and served.

mod http;
mod live;
mod resolve;
mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;
use crate::pipeline::{self, BuildOptions, Outcome};
use crate::render::Theme;
use http::Response;
use live::{BannerText, Live};
use resolve::Located;

/// Options of `serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// How to build (source, out, theme…), exactly as `build`.
    pub build: BuildOptions,
    /// The port; 0 picks any free one.
    pub port: u16,
    /// The address to listen on (loopback unless the user names another).
    pub bind: IpAddr,
}

/// The loopback address `serve` listens on by default.
pub const DEFAULT_BIND: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// What request handlers share.
struct Server {
    out: PathBuf,
    live: Live,
    /// Banner messages per language, from the theme's message catalogues.
    banner: [(String, BannerText); 2],
}

/// Runs the server until Ctrl-C. Operational errors (the port is taken, the source is missing)
/// end it before it serves; findings do not — the site of the last good build is served with a
/// banner until the source is fixed.
pub fn serve(options: &ServeOptions) -> Result<Outcome, Error> {
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = TcpListener::bind(addr).map_err(|e| listen_error(addr, e))?;
    let local = listener.local_addr().map_err(|e| listen_error(addr, e))?;
    if !options.bind.is_loopback() {
        eprintln!("warning: serving on {}, reachable from other computers; this preview server is meant for your own machine", options.bind);
    }
    let server = Arc::new(Server {
        out: options.build.out.clone(),
        live: Live::default(),
        banner: banner_texts(options.build.theme.as_deref()),
    });
    let watched = watched_folders(&options.build);
    let before = watch::fingerprint(&watched);
    server.live.initial(build_once(&options.build)?);
    println!("serving http://{local}/");
    eprintln!(
        "watching {} for changes; press Ctrl-C to stop",
        shown(&watched)
    );
    let watcher = {
        let (server, build) = (server.clone(), options.build.clone());
        std::thread::spawn(move || watch_and_rebuild(&server, &build, &watched, before))
    };
    accept_loop(&listener, &server)?;
    let _ = watcher.join();
    eprintln!("stopped");
    Ok(Outcome::Clean)
}

fn listen_error(addr: SocketAddr, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::AddrInUse {
        Error::PortInUse { addr }
    } else {
        Error::Listen { addr, source: e }
    }
}

fn watched_folders(build: &BuildOptions) -> Vec<PathBuf> {
    std::iter::once(build.source.clone())
        .chain(build.theme.clone())
        .collect()
}

fn shown(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
    names.join(" and ")
}

fn stopping() -> bool {
    crate::interrupt::check().is_err()
}

/// One build; `Ok(None)` when it published, `Ok(Some(lines))` saying why it did not. Operational
/// errors of the build (a broken theme, an unreadable file) are reported like findings, except
/// an interrupt, which stops the server.
fn build_once(build: &BuildOptions) -> Result<Option<Vec<String>>, Error> {
    match pipeline::build_report(build) {
        Ok((Outcome::Clean, _)) => Ok(None),
        Ok((Outcome::Findings, _)) if build.keep_going => Ok(None),
        Ok((Outcome::Findings, report)) => Ok(Some(
            report.findings.iter().map(|f| f.to_string()).collect(),
        )),
        Err(Error::Interrupted) => Err(Error::Interrupted),
        Err(e @ Error::SourceMissing { .. }) => Err(e),
        Err(e) => {
            eprintln!("error: {e}");
            Ok(Some(error_lines(&e)))
        }
    }
}

/// An error and its causes, one line each.
fn error_lines(e: &Error) -> Vec<String> {
    let mut lines = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        lines.push(format!("caused by: {cause}"));
        source = cause.source();
    }
    lines
}

fn watch_and_rebuild(
    server: &Server,
    build: &BuildOptions,
    watched: &[PathBuf],
    built: watch::Fingerprint,
) {
    let mut debounce = watch::Debounce::new(built);
    while !stopping() {
        std::thread::sleep(watch::POLL);
        if !debounce.observe(watch::fingerprint(watched)) {
            continue;
        }
        eprintln!("change seen; rebuilding");
        match build_once(build) {
            Ok(None) => {
                eprintln!("rebuilt; reloading open pages");
                server.live.finished(None);
            }
            Ok(Some(lines)) => {
                eprintln!("the rebuild published nothing: still serving the last good site");
                server.live.finished(Some(lines));
            }
            Err(e) => {
                if !stopping() {
                    eprintln!("error: {e}");
                }
                return;
            }
        }
    }
}

fn accept_loop(listener: &TcpListener, server: &Arc<Server>) -> Result<(), Error> {
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::new(DEFAULT_BIND, 0));
    // Non-blocking accepts let the loop notice Ctrl-C between connections.
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Listen { addr, source: e })?;
    while !stopping() {
        match listener.accept() {
            Ok((stream, _)) => {
                let server = server.clone();
                std::thread::spawn(move || handle(stream, &server));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            // A connection that failed before it was accepted concerns that client only.
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    Ok(())
}

fn handle(mut stream: TcpStream, server: &Server) {
    let _ = stream.set_nonblocking(false);
    let Some(request) = http::read_request(&stream) else {
        return;
    };
    let head = request.method == "HEAD";
    if request.method == "GET" && path_of(&request.target) == live::EVENTS_PATH {
        live::stream_events(stream, &request.target, &server.live, &stopping);
        return;
    }
    let response = respond(server, &request);
    let _ = response.write_to(&mut stream, !head);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

fn path_of(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or_default()
}

/// The response to a request (GET and HEAD alike; `handle` leaves out HEAD's body).
fn respond(server: &Server, request: &http::Request) -> Response {
    if request.method != "GET" && request.method != "HEAD" {
        return Response::text(405, "method not allowed: only GET and HEAD")
            .header("Allow", "GET, HEAD");
    }
    if path_of(&request.target) == live::SCRIPT_PATH {
        return live::script();
    }
    let target = match resolve::parse_target(&request.target) {
        Ok(t) => t,
        Err(resolve::Refusal::BadRequest) => return Response::text(400, "bad request"),
        Err(resolve::Refusal::Forbidden) => return Response::text(403, "forbidden"),
    };
    match resolve::locate(&server.out, &target) {
        Located::Found(path) => file_response(server, &path, 200, &target),
        Located::AddSlash => {
            let path = path_of(&request.target);
            let query = request.target.get(path.len()..).unwrap_or_default();
            Response::text(301, "moved").header("Location", format!("{path}/{query}"))
        }
        Located::Outside => Response::text(403, "forbidden"),
        Located::NotFound => not_found(server, &target),
    }
}

/// The site's own `404.html` (English under `/en/`) with status 404.
fn not_found(server: &Server, target: &resolve::Target) -> Response {
    let english = target.segments.first().is_some_and(|s| s == "en");
    let page = if english { "en/404.html" } else { "404.html" };
    let mut root_page = resolve::Target {
        segments: page.split('/').map(str::to_owned).collect(),
        trailing_slash: false,
    };
    if let Located::Found(path) = resolve::locate(&server.out, &root_page) {
        return file_response(server, &path, 404, &root_page);
    }
    root_page.segments = vec!["404.html".into()];
    match resolve::locate(&server.out, &root_page) {
        Located::Found(path) => file_response(server, &path, 404, &root_page),
        _ => Response::text(404, "not found"),
    }
}

fn file_response(server: &Server, path: &Path, status: u16, target: &resolve::Target) -> Response {
    let body = match std::fs::read(path) {
        Ok(b) => b,
        // The site was swapped between finding the file and reading it: let the browser retry.
        Err(_) => return Response::text(404, "not found"),
    };
    let content_type = http::content_type(path);
    let body = if content_type.starts_with("text/html") {
        let english = target.segments.first().is_some_and(|s| s == "en");
        let (lang, text) = &server.banner[usize::from(english)];
        live::inject(&body, &server.live.state(), text, lang)
    } else {
        body
    };
    Response::new(status, content_type, body)
}

/// The banner's messages in Ukrainian and English: from `--theme` when it has them, else from
/// the built-in theme.
fn banner_texts(theme: Option<&Path>) -> [(String, BannerText); 2] {
    let themes: Vec<Theme> = theme
        .and_then(|dir| Theme::load(dir).ok())
        .into_iter()
        .chain(Theme::builtin().ok())
        .collect();
    let message = |lang: &str, key: &str| {
        themes
            .iter()
            .find_map(|t| t.messages.get(lang).and_then(|m| m.get(key)).cloned())
            .unwrap_or_else(|| key.to_owned())
    };
    ["uk", "en"].map(|lang| {
        (
            lang.to_owned(),
            BannerText {
                failed: message(lang, "serve.failed"),
                terminal: message(lang, "serve.terminal"),
            },
        )
    })
}
