//! Load stage: one resource descriptor inside a `datapackage.json`. The file it points at must be
//! a regular file inside the dataset folder — after following symlinks — so that nothing outside
//! the source tree can be published through a crafted path.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::config::is_contained_relative;
use super::dataset::{DeclaredHash, Dialect, Resource};
use super::package::Location;
use super::schema::Schema;
use crate::validate::report::{Finding, Kind};

fn finding(shown: &Path, key: String, expected: impl Into<String>) -> Finding {
    Finding::new(Kind::ResourceError, shown, expected).field(key, None)
}

fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Resolves `relative` inside `folder` (on disk), refusing anything that leaves it. A file the
/// source folder's `listing` shows as a regular file is one (see `super::Listing`).
fn contained_file(
    source: &Path,
    folder: &Path,
    relative: &Path,
    listing: Option<&super::Listing>,
) -> Result<PathBuf, String> {
    if !is_contained_relative(relative) {
        return Err("a relative path inside the dataset folder (no leading `/`, no `..`)".into());
    }
    let dir = source.join(folder);
    let full = dir.join(relative);
    if listing.is_some_and(|l| l.regular_file(folder, relative)) || plain_file(&dir, relative) {
        return Ok(full);
    }
    let real = full.canonicalize().map_err(|_| {
        "an existing file (check the spelling and letter case of the path)".to_owned()
    })?;
    let real_dir = dir
        .canonicalize()
        .map_err(|_| "a readable dataset folder".to_owned())?;
    if !real.starts_with(&real_dir) {
        return Err(
            "a file inside the dataset folder; this path is a link that leads outside it".into(),
        );
    }
    if !real.is_file() {
        return Err("a regular file, not a folder".into());
    }
    Ok(full)
}

/// True when every component of `relative` below `dir` is there and no link (one `lstat` each),
/// and the last is a regular file: then the file is inside the folder whatever the folder's own
/// path is made of. The canonical paths decide otherwise (a link, a missing file), with the
/// precise complaint. A national catalogue has tens of thousands of resources, and resolving
/// two canonical paths took a `readlink` per component of each: most of a second of loading.
fn plain_file(dir: &Path, relative: &Path) -> bool {
    let mut at = dir.to_path_buf();
    let mut last = None;
    for part in relative.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if !meta.file_type().is_symlink() => last = Some(meta.file_type()),
            _ => return false,
        }
    }
    last.is_some_and(|kind| kind.is_file())
}

fn declared_hash(value: &str) -> Result<DeclaredHash, String> {
    let (algo, hex) = value.split_once(':').unwrap_or(("md5", value));
    let ok_hex = |len: usize| hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit());
    match algo {
        "sha256" if ok_hex(64) => Ok(DeclaredHash::Sha256(hex.to_ascii_lowercase())),
        "md5" if ok_hex(32) => Ok(DeclaredHash::Md5(hex.to_ascii_lowercase())),
        _ => Err("`sha256:` + 64 hex digits or `md5:` + 32 hex digits (or leave `hash` out: hromadata computes it)".into()),
    }
}

fn schema(
    obj: &Map<String, Value>,
    at: &Location,
    shown: &Path,
    key: &str,
) -> Result<Option<std::sync::Arc<Schema>>, Box<Finding>> {
    // An inline schema is parsed where it is (cloning it was a tenth of loading a national
    // catalogue); one in a file is read first.
    let read;
    let value = match obj.get("schema") {
        None => return Ok(None),
        Some(Value::String(path)) => {
            let file = contained_file(at.source, at.folder, Path::new(path), at.listing)
                .map_err(|e| finding(shown, format!("{key}.schema"), e).found(path.clone()))?;
            let schema_shown = at.folder.join(path);
            let bytes = std::fs::read(&file).map_err(|e| {
                Finding::new(Kind::SchemaError, &schema_shown, "a readable JSON file")
                    .found(e.to_string())
            })?;
            let text = super::decode_text(bytes, &schema_shown, Kind::SchemaError)?;
            read = serde_json::from_str(&text).map_err(|e| {
                Finding::new(Kind::SchemaError, &schema_shown, "valid JSON")
                    .row(e.line() as u64)
                    .found(e.to_string())
            })?;
            &read
        }
        Some(v) => v,
    };
    at.schemas.parse(value).map(Some).map_err(|e| {
        Box::new(
            Finding::new(Kind::SchemaError, shown, e)
                .field(format!("{key}.schema"), None)
                .hint("see the Table Schema specification: https://datapackage.org/standard/table-schema/"),
        )
    })
}

fn dialect(obj: &Map<String, Value>) -> Result<Dialect, String> {
    obj.get("dialect")
        .map_or_else(|| Ok(Dialect::default()), Dialect::parse)
}

/// Reads resource number `index`. Problems go to `findings`; `None` when the resource is unusable.
pub fn read(
    shown: &Path,
    findings: &mut Vec<Finding>,
    obj: &Map<String, Value>,
    index: usize,
    at: &Location,
) -> Option<Resource> {
    let key = format!("resources[{index}]");
    let before = findings.len();
    let path = match (obj.get("path"), obj.get("data")) {
        (Some(Value::String(p)), None) if p.contains("://") => {
            findings.push(
                finding(
                    shown,
                    format!("{key}.path"),
                    "a file in the dataset folder; remote URLs are not published by hromadata",
                )
                .found(p.clone())
                .hint("download the file into the dataset folder and point `path` at it"),
            );
            None
        }
        (Some(Value::String(p)), None) => {
            match contained_file(at.source, at.folder, Path::new(p), at.listing) {
                Ok(_) => Some(PathBuf::from(p)),
                Err(e) => {
                    findings.push(finding(shown, format!("{key}.path"), e).found(p.clone()));
                    None
                }
            }
        }
        (Some(Value::Array(_)), None) => {
            findings.push(finding(
                shown,
                format!("{key}.path"),
                "one file per resource; split multi-file resources into one resource per file",
            ));
            None
        }
        _ => {
            findings.push(finding(shown, key.clone(), "exactly one `path` to a file in the dataset folder (inline `data` is not published)"));
            None
        }
    };
    let name = text(obj, "name").unwrap_or_else(|| format!("resource-{}", index + 1));
    let declared_hash = match text(obj, "hash").map(|h| declared_hash(&h).map_err(|e| (e, h))) {
        None => None,
        Some(Ok(h)) => Some(h),
        Some(Err((e, h))) => {
            findings.push(finding(shown, format!("{key}.hash"), e).found(h));
            None
        }
    };
    let declared_bytes = match obj.get("bytes") {
        None => None,
        Some(v) => v.as_u64().or_else(|| {
            findings.push(
                finding(shown, format!("{key}.bytes"), "a whole number of bytes")
                    .found(v.to_string()),
            );
            None
        }),
    };
    let encoding = text(obj, "encoding");
    let unknown = |l: &&str| crate::validate::sniff::encoding_for_label(l).is_none();
    if let Some(label) = encoding.as_deref().filter(unknown) {
        let expected = "a known text encoding such as utf-8 or windows-1251";
        findings.push(finding(shown, format!("{key}.encoding"), expected).found(label));
    }
    let schema = schema(obj, at, shown, &key)
        .map_err(|f| findings.push(*f))
        .ok()
        .flatten();
    let dialect = dialect(obj)
        .map_err(|e| findings.push(finding(shown, format!("{key}.dialect"), e)))
        .unwrap_or_default();
    let path = path?;
    if findings.len() > before {
        return None;
    }
    let format = text(obj, "format")
        .or_else(|| path.extension().and_then(|e| e.to_str()).map(str::to_owned))
        .unwrap_or_default()
        .to_ascii_lowercase();
    Some(Resource {
        name,
        title: text(obj, "title"),
        description: text(obj, "description"),
        mediatype: text(obj, "mediatype").or_else(|| text(obj, "mediaType")),
        encoding,
        format,
        declared_bytes,
        declared_hash,
        schema,
        dialect,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes() {
        let sha = "a".repeat(64);
        let cases: &[(String, bool)] = &[
            (format!("sha256:{sha}"), true),
            (format!("sha256:{}", "A".repeat(64)), true),
            (format!("md5:{}", "0".repeat(32)), true),
            ("0".repeat(32), true),
            (format!("sha256:{}", "a".repeat(63)), false),
            (format!("sha1:{}", "a".repeat(40)), false),
            ("sha256:zz".to_owned(), false),
        ];
        for (text, ok) in cases {
            assert_eq!(declared_hash(text).is_ok(), *ok, "{text}");
        }
    }

    #[test]
    fn paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let ds = dir.path().join("pub/ds");
        std::fs::create_dir_all(ds.join("data")).unwrap();
        std::fs::write(ds.join("data/a.csv"), "x\n1\n").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "canary").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), ds.join("link.csv")).unwrap();
        // Links that stay inside the folder are followed (the slow path decides).
        #[cfg(unix)]
        std::os::unix::fs::symlink("data/a.csv", ds.join("inner.csv")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("data", ds.join("linked")).unwrap();
        let folder = Path::new("pub/ds");
        let cases: &[(&str, bool)] = &[
            ("data/a.csv", true),
            ("./data/a.csv", true),
            ("data", false),
            ("missing.csv", false),
            ("../../secret.txt", false),
            ("/etc/passwd", false),
            #[cfg(unix)]
            ("link.csv", false),
            #[cfg(unix)]
            ("inner.csv", true),
            #[cfg(unix)]
            ("linked/a.csv", true),
        ];
        for (p, ok) in cases {
            assert_eq!(
                contained_file(dir.path(), folder, Path::new(p), None).is_ok(),
                *ok,
                "{p}"
            );
        }
    }
}
