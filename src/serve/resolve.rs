//! `serve`: from a request target to a file of the built site. Pure parsing first
//! (`parse_target`: percent-decoding and the refusal of anything that could step outside the site),
//! then the file system (`locate`: canonicalised, and refused unless it stays inside the site
//! folder, so a symlink in the site that points outside is never followed).
//!
//! Invariant: `locate` returns `Found` only for a regular file whose canonical path starts with
//! the canonical site folder.

use std::path::{Path, PathBuf};

/// A request path, decoded and split into safe segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Decoded segments, none empty, `.` or `..`, none containing `/`, `\`, `:` or NUL.
    pub segments: Vec<String>,
    /// The path ended in `/` (a folder's address).
    pub trailing_slash: bool,
}

/// Why a request target was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not an origin-form path (`/…`), or invalid percent-encoding or UTF-8.
    BadRequest,
    /// A segment that could leave the site folder or name something outside it.
    Forbidden,
}

/// Decodes `%XX` escapes; `None` for a malformed escape.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Parses the path of a request target (the query is ignored). Refuses, after decoding, `..` and
/// `.` segments, backslashes, NUL, and segments with `:` (drive letters, `C:`), so that joining
/// the segments onto the site folder can only name something beneath it.
pub fn parse_target(target: &str) -> Result<Target, Refusal> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return Err(Refusal::BadRequest);
    }
    let decoded = percent_decode(path).ok_or(Refusal::BadRequest)?;
    let decoded = String::from_utf8(decoded).map_err(|_| Refusal::BadRequest)?;
    if decoded.contains(['\\', '\0']) {
        return Err(Refusal::Forbidden);
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" => continue,
            "." | ".." => return Err(Refusal::Forbidden),
            s if s.contains(':') => return Err(Refusal::Forbidden),
            s => segments.push(s.to_owned()),
        }
    }
    Ok(Target {
        trailing_slash: decoded.ends_with('/'),
        segments,
    })
}

/// What a target names in the site folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// A regular file inside the site (canonical path).
    Found(PathBuf),
    /// A folder addressed without its trailing slash: redirect to the address with one.
    AddSlash,
    NotFound,
    /// It resolves outside the site folder (a symlink).
    Outside,
}

/// Finds the file `target` names under `root` (a folder's `index.html` for a folder).
pub fn locate(root: &Path, target: &Target) -> Located {
    let Ok(root) = root.canonicalize() else {
        return Located::NotFound;
    };
    let mut path = root.clone();
    path.extend(&target.segments);
    let Ok(real) = path.canonicalize() else {
        return Located::NotFound;
    };
    if !real.starts_with(&root) {
        return Located::Outside;
    }
    if real.is_dir() {
        if !target.trailing_slash && !target.segments.is_empty() {
            return Located::AddSlash;
        }
        return match real.join("index.html").canonicalize() {
            Ok(index) if !index.starts_with(&root) => Located::Outside,
            Ok(index) if index.is_file() => Located::Found(index),
            _ => Located::NotFound,
        };
    }
    if target.trailing_slash || !real.is_file() {
        return Located::NotFound;
    }
    Located::Found(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_targets() {
        let ok = |segments: &[&str], trailing_slash| {
            Ok(Target {
                segments: segments.iter().map(|s| s.to_string()).collect(),
                trailing_slash,
            })
        };
        let cases: &[(&str, Result<Target, Refusal>)] = &[
            ("/", ok(&[], true)),
            ("/index.html", ok(&["index.html"], false)),
            ("/datasets/a/", ok(&["datasets", "a"], true)),
            ("/datasets/a?x=1#y", ok(&["datasets", "a"], false)),
            ("//etc/passwd", ok(&["etc", "passwd"], false)),
            ("/%D0%BA%D0%B8%D1%97%D0%B2", ok(&["київ"], false)),
            ("/a%20b", ok(&["a b"], false)),
            ("/../etc/passwd", Err(Refusal::Forbidden)),
            ("/a/../../b", Err(Refusal::Forbidden)),
            ("/./a", Err(Refusal::Forbidden)),
            ("/%2e%2e/secret", Err(Refusal::Forbidden)),
            ("/%2E%2E%2fsecret", Err(Refusal::Forbidden)),
            ("/..%2f..%2fsecret", Err(Refusal::Forbidden)),
            ("/a%5c..%5csecret", Err(Refusal::Forbidden)),
            ("/a\\b", Err(Refusal::Forbidden)),
            ("/a%00.html", Err(Refusal::Forbidden)),
            ("/C:/Windows", Err(Refusal::Forbidden)),
            ("/c%3a%5cwindows", Err(Refusal::Forbidden)),
            ("http://example.org/", Err(Refusal::BadRequest)),
            ("*", Err(Refusal::BadRequest)),
            ("/%zz", Err(Refusal::BadRequest)),
            ("/%4", Err(Refusal::BadRequest)),
            ("/%ff%fe", Err(Refusal::BadRequest)),
        ];
        for (target, want) in cases {
            assert_eq!(&parse_target(target), want, "{target}");
        }
    }

    #[test]
    fn locates_files_folders_and_refuses_links_outside() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("a")).unwrap();
        std::fs::write(site.join("index.html"), "home").unwrap();
        std::fs::write(site.join("a/index.html"), "a").unwrap();
        std::fs::write(site.join("a/x.csv"), "x").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        let t = |s: &str| parse_target(s).unwrap();
        let root = site.canonicalize().unwrap();
        assert_eq!(
            locate(&site, &t("/")),
            Located::Found(root.join("index.html"))
        );
        assert_eq!(
            locate(&site, &t("/a/")),
            Located::Found(root.join("a/index.html"))
        );
        assert_eq!(locate(&site, &t("/a")), Located::AddSlash);
        assert_eq!(
            locate(&site, &t("/a/x.csv")),
            Located::Found(root.join("a/x.csv"))
        );
        assert_eq!(locate(&site, &t("/a/x.csv/")), Located::NotFound);
        assert_eq!(locate(&site, &t("/missing")), Located::NotFound);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), site.join("leak.txt"))
                .unwrap();
            std::os::unix::fs::symlink(dir.path(), site.join("up")).unwrap();
            assert_eq!(locate(&site, &t("/leak.txt")), Located::Outside);
            assert_eq!(locate(&site, &t("/up/secret.txt")), Located::Outside);
        }
    }
}
