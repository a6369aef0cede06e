//! Stage 4, render: `datapackage.json` at the site root — the whole catalogue as one Data
//! Package v2: one resource per published data file, with its path from the site root, its
//! computed `bytes` and `hash`, its format, its dataset's licences and (when the dataset gives
//! it inline) its Table Schema, so one frictionless run can check every file of the site.
//! Invariants: valid against the official Data Package 2.0 profile; resource names unique
//! (`<dataset id>.<resource name>`, lowercase, `-` for other characters, a position added on a
//! clash); files in dataset-id order, then their order in the dataset.

use serde_json::{json, Map, Value};

use super::result_of;
use crate::catalog::dataset::Descriptor;
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

/// What the package takes from a dataset's descriptor as written: its `licenses` (`null`
/// too, when written so) and each resource's `schema` and `dialect`, read without building the
/// rest (at national scale, 35,000 descriptors were parsed whole for these).
#[derive(Debug, Default, serde::Deserialize)]
struct Written {
    #[serde(default, deserialize_with = "present")]
    licenses: Option<Value>,
    #[serde(default)]
    resources: Vec<WrittenResource>,
}

/// A resource's properties the package carries over.
#[derive(Debug, Default, serde::Deserialize)]
struct WrittenResource {
    #[serde(default)]
    schema: Option<Value>,
    #[serde(default)]
    dialect: Option<Value>,
}

/// A property that is there, `null` included (`Option<Value>` alone reads `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    <Value as serde::Deserialize>::deserialize(d).map(Some)
}

impl Written {
    /// Read from `descriptor`; from its whole object when the shape is not the one above
    /// (a resource that is not an object, a property written twice).
    fn of(descriptor: &Descriptor) -> Written {
        serde_json::from_str(descriptor.text())
            .unwrap_or_else(|_| Written::of_object(&descriptor.object()))
    }

    fn of_object(descriptor: &Map<String, Value>) -> Written {
        let resources = descriptor.get("resources").and_then(Value::as_array);
        let resource = |r: &Value| WrittenResource {
            schema: r.get("schema").cloned(),
            dialect: r.get("dialect").cloned(),
        };
        Written {
            licenses: descriptor.get("licenses").cloned(),
            resources: resources.into_iter().flatten().map(resource).collect(),
        }
    }

    /// Resource `i`'s `schema` and `dialect` by name, each when it is given inline (an object).
    fn inline(&self, i: usize) -> [(&'static str, Option<&Value>); 2] {
        let r = self.resources.get(i);
        fn object(v: Option<&Value>) -> Option<&Value> {
            v.filter(|v| v.is_object())
        }
        [
            ("schema", object(r.and_then(|r| r.schema.as_ref()))),
            ("dialect", object(r.and_then(|r| r.dialect.as_ref()))),
        ]
    }
}

fn resources(catalog: &Catalog, validated: &Validated, d: &Dataset) -> Vec<Value> {
    let result = result_of(validated, d);
    let written = Written::of(&d.descriptor);
    let licences = written.licenses.clone();
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
        for (key, v) in written.inline(i) {
            if let Some(v) = v {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_read_from_a_descriptor_is_what_its_whole_object_gives() {
        let schema = r#"{"fields":[{"name":"a"}]}"#;
        for text in [
            r#"{"name":"d"}"#.to_owned(),
            format!(
                r#"{{"licenses":[{{"name":"CC-BY-4.0"}}],"resources":[{{"schema":{schema}}}]}}"#
            ),
            r#"{"licenses":null,"resources":[{"schema":null,"dialect":{"delimiter":";"}}]}"#.into(),
            r#"{"resources":[{"schema":"schema.json"},7,{"dialect":[1]}]}"#.into(),
            format!(r#"{{"resources":[{{"schema":{schema},"schema":"x.json"}}]}}"#),
            format!(r#"{{"licenses":1,"licenses":[],"resources":{{"schema":{schema}}}}}"#),
            r#"{"resources":null,"title":"t","title":"u"}"#.into(),
            format!(r#"{{"resources":[7,{{"schema":{schema}}}]}}"#),
        ] {
            let obj: Map<String, Value> = serde_json::from_str(&text).unwrap();
            let descriptor = Descriptor::of_text(&text, &obj);
            let read = Written::of(&descriptor);
            assert_eq!(read.licenses, Written::of_object(&obj).licenses, "{text}");
            for i in 0..3 {
                for (key, got) in read.inline(i) {
                    let whole = (obj.get("resources").and_then(Value::as_array))
                        .and_then(|r| r.get(i)?.get(key))
                        .filter(|v| v.is_object());
                    assert_eq!(got, whole, "{text} {i} {key}");
                }
            }
        }
    }
}
