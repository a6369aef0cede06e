//! `serve`: just enough HTTP/1.1 for a local preview server, over `std::net` — one request per
//! connection (`Connection: close`), GET and HEAD only, responses with `Content-Length` (or a
//! stream for server-sent events). Keeping it this small avoids a server crate and keeps every
//! byte that leaves the server visible here.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The longest request head read (request line and headers); a longer one is refused.
const MAX_HEAD: u64 = 16 * 1024;
/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed request line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
}

/// Reads the request line and skips the headers; `None` for a client that sent no valid request.
pub fn read_request(stream: &TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(READ_TIMEOUT)).ok()?;
    let mut reader = BufReader::new(stream.take(MAX_HEAD));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let request = parse_request_line(&line)?;
    // The headers say nothing this server needs; read them so the client sees its request taken.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        if header == "\r\n" || header == "\n" {
            return Some(request);
        }
    }
}

/// `GET /path HTTP/1.1` → method and target.
fn parse_request_line(line: &str) -> Option<Request> {
    let mut parts = line.trim_end_matches(['\r', '\n']).split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !version.starts_with("HTTP/1.") || method.is_empty() {
        return None;
    }
    Some(Request {
        method: method.to_owned(),
        target: target.to_owned(),
    })
}

/// A complete response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a body and its content type.
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            body,
        }
    }

    /// A short plain-text response (errors).
    pub fn text(status: u16, text: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("{text}\n").into_bytes(),
        )
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the response; the body only when `with_body` (not for HEAD).
    pub fn write_to(&self, out: &mut impl Write, with_body: bool) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        out.write_all(head.as_bytes())?;
        if with_body {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

/// The head of an event stream (no length: it lasts until the client goes).
pub fn write_event_stream_head(out: &mut impl Write) -> io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
    )?;
    out.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        _ => "",
    }
}

/// The content type of a file by its extension; text types carry `charset=utf-8`, as the site
/// writes all its text in UTF-8.
pub fn content_type(path: &std::path::Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "jsonld" => "application/ld+json; charset=utf-8",
        "ttl" => "text/turtle; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "tsv" => "text/tab-separated-values; charset=utf-8",
        "geojson" => "application/geo+json; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "woff2" => "font/woff2",
        "parquet" => "application/vnd.apache.parquet",
        // SHA256SUMS and other files without an extension are plain text in a hromadata site.
        "" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn request_lines() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("GET / HTTP/1.1\r\n", Some(("GET", "/"))),
            ("HEAD /a?b HTTP/1.0\r\n", Some(("HEAD", "/a?b"))),
            ("DELETE /x HTTP/1.1\n", Some(("DELETE", "/x"))),
            ("GET /\r\n", None),
            ("GET / HTTP/2 extra\r\n", None),
            ("GET / SPDY/3\r\n", None),
            ("", None),
        ];
        for (line, want) in cases {
            let got = parse_request_line(line);
            let got = got.as_ref().map(|r| (r.method.as_str(), r.target.as_str()));
            assert_eq!(got, *want, "{line:?}");
        }
    }

    #[test]
    fn content_types() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("static/style.css", "text/css; charset=utf-8"),
            ("catalog.jsonld", "application/ld+json; charset=utf-8"),
            ("catalog.ttl", "text/turtle; charset=utf-8"),
            ("feed.atom", "application/atom+xml; charset=utf-8"),
            ("DATA.CSV", "text/csv; charset=utf-8"),
            ("SHA256SUMS", "text/plain; charset=utf-8"),
            ("map.png", "image/png"),
            ("x.bin", "application/octet-stream"),
        ];
        for (path, want) in cases {
            assert_eq!(content_type(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn writes_head_without_body() {
        let r = Response::text(404, "not found");
        let (mut get, mut head) = (Vec::new(), Vec::new());
        r.write_to(&mut get, true).unwrap();
        r.write_to(&mut head, false).unwrap();
        let (get, head) = (
            String::from_utf8(get).unwrap(),
            String::from_utf8(head).unwrap(),
        );
        assert!(get.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(get.ends_with("\r\n\r\nnot found\n"));
        assert!(head.contains("Content-Length: 10\r\n"));
        assert!(head.ends_with("\r\n\r\n"));
    }
}
