//! Stage 4, render: `datapackage.json` at the site root — the whole catalogue as one Data
//! Package v2: one resource per published data file, with its path from the site root, its
//! computed `bytes` and `hash`, its format, its dataset's licences and (when the dataset gives
//! it inline) its Table Schema, so one frictionless run can check every file of the site.
//! Invariants: valid against the official Data Package 2.0 profile; resource names unique
//! (`<dataset id>.<resource name>`, lowercase, `-` for other characters, a position added on a
//! clash); files in dataset-id order, then their order in the dataset.

use serde_json::{json, Map, Value};

use super::result_of;
use crate::catalog::{Catalog, Dataset};
use crate::render::splice::{splice, Layout, Spliced};
use crate::render::view::resource_path;
use crate::render::Memo;
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
/// needs one). Spliced a dataset at a time (`splice`): a national catalogue's package runs to
/// over a hundred megabytes, and as one JSON value it took about a gigabyte.
pub fn catalogue(catalog: &Catalog, validated: &Validated, memo: Option<&Memo>) -> Option<Spliced> {
    /// The package but its resources, its properties in the order they are written.
    #[derive(serde::Serialize)]
    struct Package<'a> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        name: &'static str,
        title: &'a str,
        description: &'a str,
        homepage: &'a str,
        licenses: [Value; 1],
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
    };
    // The package's pretty JSON with `resources` last: its other properties, then the
    // resources as the writer would put them (one per line group, indented two levels).
    let mut head = serde_json::to_vec_pretty(&package).ok()?;
    head.truncate(head.len().checked_sub(2)?);
    head.extend_from_slice(b",\n  \"resources\": [\n    ");
    let layout = Layout {
        path: "datapackage.json",
        head,
        between: PART_BETWEEN,
        tail: b"\n  ]\n}\n",
    };
    let datasets: Vec<&Dataset> = catalog.datasets.values().collect();
    let members = super::members(&datasets, validated);
    let part = |i: usize| {
        let mut part = Vec::new();
        for (n, resource) in resources(catalog, validated, datasets[i])
            .iter()
            .enumerate()
        {
            if n > 0 {
                part.extend_from_slice(PART_BETWEEN);
            }
            in_place(&mut part, resource);
        }
        part
    };
    Some(splice(memo, layout, &members, part))
}

/// What separates two resources in the package's pretty JSON.
const PART_BETWEEN: &[u8] = b",\n    ";

/// Writes a resource as pretty JSON indented for its place in the package's `resources`, two
/// levels down. Pretty JSON breaks lines only between tokens (a line break in a string is written
/// `\n`), so indenting every line gives what the package's writer would.
fn in_place(out: &mut Vec<u8>, resource: &Value) {
    // Writing a `Value` to memory cannot fail.
    let text = serde_json::to_vec_pretty(resource).unwrap_or_default();
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\n    ");
        }
        out.extend_from_slice(line);
    }
}
