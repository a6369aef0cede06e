//! `serve`: live reload. The state of the latest build (a generation number and, when it failed,
//! what went wrong), the script and banner put into HTML *responses* — never into the files on
//! disk, so the built site stays byte-identical to `build`'s — and the event stream that tells
//! open pages to reload.
//!
//! Invariant: the generation only grows; a page knows the generation it was served at, so a
//! rebuild that finishes between its load and its subscription still reloads it.

use crate::render::exports::xml_text;
use std::io::Write;
use std::net::TcpStream;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use super::http;

/// Where the live-reload script is served.
pub const SCRIPT_PATH: &str = "/__hromadata/live.js";
/// Where the event stream is served.
pub const EVENTS_PATH: &str = "/__hromadata/events";
/// How often an idle event stream sends a comment, to notice clients that went away.
const KEEPALIVE: Duration = Duration::from_secs(10);
/// How often an event stream checks whether the server is stopping.
const TICK: Duration = Duration::from_millis(250);
/// How many findings the banner lists (the terminal has them all).
const BANNER_FINDINGS: usize = 5;

/// The script: subscribes to the event stream and reloads the page after a rebuild.
const SCRIPT: &str = r#"(function () {
  var me = document.currentScript;
  var since = me ? me.getAttribute("data-generation") : "0";
  var events = new EventSource("/__hromadata/events?since=" + encodeURIComponent(since));
  events.addEventListener("reload", function () { events.close(); location.reload(); });
})();
"#;

/// What the latest build left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildState {
    /// Counts finished rebuilds, successful or not.
    pub generation: u64,
    /// Lines describing why the latest build published nothing; `None` when it succeeded.
    pub failure: Option<Vec<String>>,
}

/// The shared state and a condition that wakes event streams when it changes.
#[derive(Debug, Default)]
pub struct Live {
    state: Mutex<BuildState>,
    changed: Condvar,
}

impl Live {
    /// A copy of the current state.
    pub fn state(&self) -> BuildState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Records a finished build (failed when `failure` is `Some`) and wakes every event stream.
    pub fn finished(&self, failure: Option<Vec<String>>) {
        if let Ok(mut state) = self.state.lock() {
            state.generation += 1;
            state.failure = failure;
        }
        self.changed.notify_all();
    }

    /// Sets the state of the first build without counting it as a change.
    pub fn initial(&self, failure: Option<Vec<String>>) {
        if let Ok(mut state) = self.state.lock() {
            state.failure = failure;
        }
    }

    /// Waits until the generation differs from `seen` or `timeout` passes; the current one.
    fn wait_past(&self, seen: u64, timeout: Duration) -> u64 {
        let Ok(state) = self.state.lock() else {
            return seen;
        };
        match self
            .changed
            .wait_timeout_while(state, timeout, |s| s.generation == seen)
        {
            Ok((state, _)) => state.generation,
            Err(_) => seen,
        }
    }
}

/// The live-reload script.
pub fn script() -> http::Response {
    http::Response::new(
        200,
        "text/javascript; charset=utf-8",
        SCRIPT.as_bytes().to_vec(),
    )
}

/// Serves an event stream until the client goes or the server stops: a `reload` event as soon
/// as the generation differs from the one the page was served at (`?since=N`).
pub fn stream_events(mut stream: TcpStream, target: &str, live: &Live, stop: &dyn Fn() -> bool) {
    let mut seen = since(target).unwrap_or_else(|| live.state().generation);
    if http::write_event_stream_head(&mut stream).is_err()
        || stream.write_all(b"retry: 1000\n\n").is_err()
    {
        return;
    }
    let mut idle = Duration::ZERO;
    while !stop() {
        let now = live.wait_past(seen, TICK);
        let message = if now != seen {
            seen = now;
            idle = Duration::ZERO;
            format!("event: reload\ndata: {now}\n\n")
        } else {
            idle += TICK;
            if idle < KEEPALIVE {
                continue;
            }
            idle = Duration::ZERO;
            ": keep-alive\n\n".to_owned()
        };
        if stream.write_all(message.as_bytes()).is_err() || stream.flush().is_err() {
            return;
        }
    }
}

/// `since=N` from a request target's query.
fn since(target: &str) -> Option<u64> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("since="))
        .and_then(|n| n.parse().ok())
}

/// Messages of the banner, in the page's language.
#[derive(Debug, Clone, Default)]
pub struct BannerText {
    /// The banner's heading: the rebuild failed, the last good site is shown.
    pub failed: String,
    /// Where to look for the rest.
    pub terminal: String,
}

/// An HTML page with the live-reload script (and, after a failed rebuild, the banner) put before
/// `</body>`; the bytes of the page are otherwise unchanged.
pub fn inject(page: &[u8], state: &BuildState, text: &BannerText, lang: &str) -> Vec<u8> {
    let mut extra = String::new();
    if let Some(lines) = &state.failure {
        extra.push_str(&banner(lines, text, lang));
    }
    extra.push_str(&format!(
        "<script src=\"{SCRIPT_PATH}\" data-generation=\"{}\"></script>\n",
        state.generation
    ));
    let at = rfind_ascii_case_insensitive(page, b"</body>").unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + extra.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

fn banner(lines: &[String], text: &BannerText, lang: &str) -> String {
    let mut html = format!(
        "<div role=\"alert\" lang=\"{}\" style=\"position:fixed;inset:auto 0 0 0;z-index:1000;max-height:50vh;overflow:auto;margin:0;padding:0.75rem 1rem;background:#fff4f2;color:#5c0b00;border-top:4px solid #b42318;font:1rem/1.4 system-ui,sans-serif\"><p style=\"margin:0 0 0.25rem;font-weight:bold\">{}</p>",
        xml_text(lang),
        xml_text(&text.failed)
    );
    // Findings are written in English by the validator, whatever the page's language.
    html.push_str("<ul lang=\"en\" style=\"margin:0 0 0.25rem;padding-left:1.25rem\">");
    for line in lines.iter().take(BANNER_FINDINGS) {
        html.push_str(&format!("<li>{}</li>", xml_text(line)));
    }
    html.push_str("</ul>");
    html.push_str(&format!(
        "<p style=\"margin:0\">{}</p></div>\n",
        xml_text(&text.terminal)
    ));
    html
}

fn rfind_ascii_case_insensitive(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        let state = BuildState {
            generation: 3,
            failure: None,
        };
        let page = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(page, &state, &BannerText::default(), "uk")).unwrap();
        assert_eq!(
            out,
            "<html><body><p>x</p><script src=\"/__hromadata/live.js\" data-generation=\"3\"></script>\n</BODY></html>"
        );
        let bare = String::from_utf8(inject(b"plain", &state, &BannerText::default(), "uk"));
        assert!(bare.unwrap().starts_with("plain<script"));
    }

    #[test]
    fn banner_escapes_findings_and_marks_languages() {
        let state = BuildState {
            generation: 1,
            failure: Some(vec!["type-error: `a.csv` <b>".into(); 7]),
        };
        let text = BannerText {
            failed: "Збірка не вдалася".into(),
            terminal: "Дивіться термінал".into(),
        };
        let out = String::from_utf8(inject(b"<body></body>", &state, &text, "uk")).unwrap();
        let doc = out.as_str();
        assert!(doc.contains("role=\"alert\" lang=\"uk\""));
        assert!(doc.contains("<ul lang=\"en\""));
        assert!(doc.contains("<li>type-error: `a.csv` &lt;b&gt;</li>"));
        assert_eq!(doc.matches("<li>").count(), BANNER_FINDINGS);
        assert!(!doc.contains("<b>"));
    }

    #[test]
    fn reads_since() {
        assert_eq!(since("/__hromadata/events?since=12"), Some(12));
        assert_eq!(since("/__hromadata/events?a=b&since=0"), Some(0));
        assert_eq!(since("/__hromadata/events"), None);
        assert_eq!(since("/__hromadata/events?since=x"), None);
    }

    #[test]
    fn waits_for_a_new_generation() {
        let live = std::sync::Arc::new(Live::default());
        let other = live.clone();
        let waiter = std::thread::spawn(move || other.wait_past(0, Duration::from_secs(30)));
        live.finished(None);
        assert_eq!(waiter.join().unwrap(), 1);
        assert_eq!(live.wait_past(1, Duration::from_millis(1)), 1);
    }
}
