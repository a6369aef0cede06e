//! Stage 4, render: `datapackage.json` at the site root — the whole catalogue as one Data
//! Package v2: one resource per published data file, with its path from the site root, its
//! computed `bytes` and `hash`, its format, its dataset's licences and (when the dataset gives
//! it inline) its Table Schema, so one frictionless run can check every file of the site.
//! Invariants: valid against the official Data Package 2.0 profile; resource names unique
//! (`<dataset id>.<resource name>`, lowercase, `-` for other characters, a position added on a
//! clash); files in dataset-id order, then their order in the dataset.

use std::io::Write as _;

use serde_json::{json, Map, Value};

use super::result_of;
use crate::catalog::{Catalog, Dataset};
use crate::render::view::resource_path;
use crate::validate::Validated;

/// A name of lowercase letters, digits and `-._` from `text`.
fn name_part(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-' | '_' | '.') => c,
            _ => '-',
        })
        .collect()
}

/// The raw resource descriptor number `i` of `descriptor`, as written in `datapackage.json`.
fn raw_resource(descriptor: &Map<String, Value>, i: usize) -> Option<&Map<String, Value>> {
    descriptor.get("resources")?.as_array()?.get(i)?.as_object()
}

fn resources(catalog: &Catalog, validated: &Validated, d: &Dataset) -> Vec<Value> {
    let result = result_of(validated, d);
    let descriptor = d.descriptor.object();
    let licences = descriptor.get("licenses").cloned();
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, (r, res)) in d.resources.iter().zip(&result.resources).enumerate() {
        let mut name = format!("{}.{}", d.id, name_part(&r.name));
        if names.contains(&name) {
            name = format!("{name}-{}", i + 1);
        }
        names.push(name.clone());
        let mut o = Map::new();
        o.insert("name".into(), json!(name));
        o.insert(
            "path".into(),
            json!(format!("datasets/{}/{}", d.id, resource_path(r))),
        );
        if let Some(t) = &r.title {
            o.insert("title".into(), json!(t));
        }
        o.insert("format".into(), json!(r.format));
        if let Some(m) = &r.mediatype {
            o.insert("mediatype".into(), json!(m));
        }
        if let Some(e) = &r.encoding {
            o.insert("encoding".into(), json!(e));
        }
        o.insert("bytes".into(), json!(res.digest.bytes));
        o.insert(
            "hash".into(),
            json!(format!("sha256:{}", res.digest.sha256)),
        );
        if let Some(l) = &licences {
            o.insert("licenses".into(), l.clone());
        }
        // A schema or dialect given by a path names a file beside the source descriptor, not
        // on the site: only inline ones are carried over.
        for key in ["schema", "dialect"] {
            if let Some(v) = raw_resource(&descriptor, i)
                .and_then(|raw| raw.get(key))
                .filter(|v| v.is_object())
            {
                o.insert(key.into(), v.clone());
            }
        }
        o.insert(
            "hromadata".into(),
            json!({
                "dataset": d.id.as_str(),
                "publisher": d.publisher.as_str(),
                "descriptor": format!("datasets/{}/datapackage.json", d.id),
                "page": super::Urls { base: &catalog.config.base_url }.dataset(d, false),
            }),
        );
        out.push(Value::Object(o));
    }
    out
}

/// The catalogue's data package, as pretty JSON; `None` when there is no data file (a package
/// needs one). Written a dataset at a time: a national catalogue's package runs to over a
/// hundred megabytes, and as one JSON value it took about a gigabyte.
pub fn catalogue(catalog: &Catalog, validated: &Validated) -> Option<Vec<u8>> {
    /// Each dataset's resources, made and written out as they are written, a thousand datasets
    /// at a time in parallel (each dataset's descriptor is parsed again for its licences and
    /// schemas): written one after the other, they were most of a second of one core at national
    /// scale.
    struct Resources<'a>(&'a Catalog, &'a Validated);
    impl serde::Serialize for Resources<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use rayon::prelude::*;
            use serde::ser::{Error as _, SerializeSeq as _};
            let (catalog, validated) = (self.0, self.1);
            let datasets: Vec<&Dataset> = catalog.datasets.values().collect();
            let mut seq = s.serialize_seq(None)?;
            for chunk in datasets.chunks(1024) {
                let made = (chunk.par_iter())
                    .map(|d| {
                        (resources(catalog, validated, d).iter())
                            .map(in_place)
                            .collect()
                    })
                    .collect::<Result<Vec<Vec<_>>, _>>()
                    .map_err(S::Error::custom)?;
                for resource in made.iter().flatten() {
                    seq.serialize_element(resource)?;
                }
            }
            seq.end()
        }
    }
    /// A resource as pretty JSON indented for its place in the package's `resources`, two levels
    /// down, to be written as it is. Pretty JSON breaks lines only between tokens (a line break in
    /// a string is written `\n`), so indenting every line gives what the package's writer would.
    fn in_place(resource: &Value) -> Result<Box<serde_json::value::RawValue>, serde_json::Error> {
        let text = serde_json::to_string_pretty(resource)?;
        serde_json::value::RawValue::from_string(text.replace('\n', "\n    "))
    }
    /// The package, its properties in the order they are written.
    #[derive(serde::Serialize)]
    struct Package<'a> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        name: &'static str,
        title: &'a str,
        description: &'a str,
        homepage: &'a str,
        licenses: [Value; 1],
        resources: Resources<'a>,
    }
    let c = &catalog.config;
    let any = (catalog.datasets.values()).any(|d| {
        let published = validated.datasets.get(&d.id);
        !d.resources.is_empty() && published.is_some_and(|r| !r.resources.is_empty())
    });
    if !any {
        return None;
    }
    let package = Package {
        schema: "https://datapackage.org/profiles/2.0/datapackage.json",
        name: "hromadata-catalogue",
        title: &c.title.uk,
        description: &c.description.uk,
        homepage: &c.base_url,
        licenses: [json!({"name": c.license})],
        resources: Resources(catalog, validated),
    };
    let mut blocks = Blocks::default();
    serde_json::to_writer_pretty(&mut blocks, &package).ok()?;
    blocks.write_all(b"\n").ok()?;
    Some(blocks.into_bytes())
}

/// Bytes written into blocks and joined once, at their exact size: a national catalogue's
/// package is over a hundred megabytes, and a growing `Vec` doubled to 256 MB, both copies
/// resident for a moment (the build's peak memory).
#[derive(Default)]
struct Blocks {
    full: Vec<Vec<u8>>,
    current: Vec<u8>,
}

impl Blocks {
    const SIZE: usize = 8 << 20;

    fn into_bytes(self) -> Vec<u8> {
        let total = self.full.iter().map(Vec::len).sum::<usize>() + self.current.len();
        let mut out = Vec::with_capacity(total);
        for block in self.full {
            out.extend_from_slice(&block);
        }
        out.extend_from_slice(&self.current);
        out
    }
}

impl std::io::Write for Blocks {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.current.len() + buf.len() > Self::SIZE && !self.current.is_empty() {
            let full = std::mem::replace(&mut self.current, Vec::with_capacity(Self::SIZE));
            self.full.push(full);
        }
        self.current.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Blocks;
    use std::io::Write as _;

    #[test]
    fn blocks_join_to_the_bytes_written() {
        let mut blocks = Blocks::default();
        let mut want = Vec::new();
        for i in 0..200_000u32 {
            let piece = format!("{i},").repeat((i % 97) as usize);
            blocks.write_all(piece.as_bytes()).unwrap();
            want.extend_from_slice(piece.as_bytes());
        }
        assert!(!blocks.full.is_empty(), "the test crosses blocks");
        assert_eq!(blocks.into_bytes(), want);
    }
}
