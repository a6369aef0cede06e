//! The rules the JSON Schema profiles cannot express, as frictionless-py 5.21.0 checks them
//! (`Package`, `Resource`, `Schema` and `Field` `.metadata_validate`), the checks of its own
//! lenient profiles that the official ones lack (the normalisation it applies first is in
//! `normalize.rs`).
//!
//! Beyond frictionless: resource paths are refused with a backslash root or a drive letter too,
//! and a `uniqueKeys` entry must name existing fields (the Table Schema text requires both).

use serde_json::{Map, Value};

use super::normalize::truthy;
use super::{notes, pointer_join, NodeKind, Problem, Tree, Version};

/// The field types frictionless 5.21.0 knows (Table Schema 2.0, `list` included).
pub const FIELD_TYPES: &[&str] = &[
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "list",
    "date",
    "time",
    "datetime",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "any",
];

/// The constraints a field type supports besides `unique` (frictionless' `supported_constraints`).
fn supported_constraints(field_type: &str) -> &'static [&'static str] {
    const ORDERED: &[&str] = &[
        "required",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "enum",
    ];
    match field_type {
        "string" => &["required", "minLength", "maxLength", "pattern", "enum"],
        "array" | "object" => &["required", "minLength", "maxLength", "enum"],
        "list" => &["required", "minLength", "maxLength"],
        "integer" | "number" | "date" | "time" | "datetime" | "year" | "yearmonth" => ORDERED,
        _ => &["required", "enum"],
    }
}

/// Fields whose `type` frictionless does not know (it stops at the first such field).
pub(super) fn unsupported_types(doc: &Value, tree: &Tree) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, node) in tree
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == NodeKind::Field)
    {
        let Some(field_type) = doc.pointer(&node.pointer).and_then(|f| f.get("type")) else {
            continue;
        };
        let known = match field_type {
            Value::Null => true, // refused by the profile, as by frictionless' own
            Value::String(t) => t.is_empty() || FIELD_TYPES.contains(&t.as_str()),
            _ => false,
        };
        if !known {
            let note = format!(
                "{}: type `{}` is not supported; use one of {}",
                node.label,
                notes::value_text(field_type),
                FIELD_TYPES.join(", ")
            );
            out.push(Problem {
                node: i,
                pointer: pointer_join(&node.pointer, "type"),
                note,
            });
        }
    }
    out
}

/// Checks of frictionless' own profiles that the official ones lack (or that it words
/// differently): a resource needs a `name`, inline `data` as rows or an object and no table
/// `fields` at its top level; under v1 a dialect's v2-style properties must have their types.
/// Like profile failures, they stop the rules of the descriptors around.
pub(super) fn structural(doc: &Value, tree: &Tree, version: Version) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, node) in tree.nodes.iter().enumerate() {
        let Some(obj) = doc.pointer(&node.pointer).and_then(Value::as_object) else {
            continue;
        };
        let at = |key: &str| place(&node.pointer, key);
        let found = match node.kind {
            NodeKind::Resource => resource_shape(obj, &node.label, &at),
            NodeKind::Dialect if version == Version::V1 => dialect_shape(obj, &node.label, &at),
            _ => Found::new(),
        };
        out.extend(found.into_iter().map(|(pointer, note)| Problem {
            node: i,
            pointer,
            note,
        }));
    }
    out
}

fn resource_shape(res: &Map<String, Value>, label: &str, at: &dyn Fn(&str) -> String) -> Found {
    let mut out = Found::new();
    if !res.contains_key("name") {
        let note = format!(
            "{label} has no `name`: give it a short name, unique in the package (e.g. `budget-revenues`)"
        );
        out.push((at(""), note));
    }
    if let Some(data) = res.get("data").filter(|d| !d.is_array() && !d.is_object()) {
        let note = format!(
            "{label}: inline `data` must be an array of rows or an object; found {}",
            notes::describe_value(data)
        );
        out.push((at("data"), note));
    }
    if res.get("fields").is_some_and(|f| !f.is_u64()) {
        let note = format!(
            "{label}: `fields` belongs inside `schema` (\"fields\" should be set as \"schema.fields\")"
        );
        out.push((at("fields"), note));
    }
    out
}

/// frictionless' dialect properties that the 1.0 dialect profile does not define.
fn dialect_shape(dialect: &Map<String, Value>, label: &str, at: &dyn Fn(&str) -> String) -> Found {
    type Check<'k> = (&'k str, fn(&Value) -> bool, &'k str);
    let kinds: [Check; 5] = [
        ("headerRows", Value::is_array, "an array of row numbers"),
        ("commentRows", Value::is_array, "an array of row numbers"),
        ("headerJoin", Value::is_string, "a string"),
        ("headerCase", Value::is_boolean, "a boolean"),
        ("skipBlankRows", Value::is_boolean, "a boolean"),
    ];
    let mut out = Found::new();
    for (key, fits, want) in kinds {
        if let Some(value) = dialect.get(key).filter(|v| !fits(v)) {
            let note = format!(
                "{label}: `{key}` must be {want}, found {}",
                notes::describe_value(value)
            );
            out.push((at(key), note));
        }
    }
    out
}

/// The rules of one node, run when its profile checks and its children passed.
pub(super) fn semantic(doc: &Value, tree: &Tree, node: usize, version: Version) -> Vec<Problem> {
    let Some(n) = tree.nodes.get(node) else {
        return Vec::new();
    };
    let Some(obj) = doc.pointer(&n.pointer).and_then(Value::as_object) else {
        return Vec::new();
    };
    let at = |key: &str| place(&n.pointer, key);
    let problem = |pointer: String, note: String| Problem {
        node,
        pointer,
        note,
    };
    let found: Vec<(String, String)> = match n.kind {
        NodeKind::Package => package(obj, &n.label, &at),
        NodeKind::Resource => resource(obj, &n.label, &at),
        NodeKind::Schema => schema(obj, &n.label, &at),
        NodeKind::Field => field(obj, &n.label, &at, version),
        NodeKind::Dialect => Vec::new(),
    };
    found
        .into_iter()
        .map(|(pointer, note)| problem(pointer, note))
        .collect()
}

/// Problems of one node: (pointer, note).
type Found = Vec<(String, String)>;

/// The pointer of `key` in the node at `base`; the node itself for "".
fn place(base: &str, key: &str) -> String {
    if key.is_empty() {
        base.to_string()
    } else {
        pointer_join(base, key)
    }
}

fn package(pkg: &Map<String, Value>, label: &str, at: &dyn Fn(&str) -> String) -> Found {
    let mut out = Found::new();
    let resources = pkg
        .get("resources")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let names: Vec<&str> = resources
        .iter()
        .filter_map(|r| r.get("name")?.as_str())
        .collect();
    let dups = duplicates(&names);
    if let Some(first) = dups.first() {
        let index = resources
            .iter()
            .rposition(|r| r.get("name").and_then(Value::as_str) == Some(first));
        let pointer = index.map_or_else(
            || at("resources"),
            |i| format!("{}/{i}/name", at("resources")),
        );
        let note = format!(
            "{label}: resource names must be unique; {} used by more than one resource",
            names_are(&dups)
        );
        out.push((pointer, note));
    }
    if pkg.get("profile").and_then(Value::as_str) == Some("tabular-data-package") {
        for (i, res) in resources.iter().enumerate() {
            if res.get("profile").and_then(Value::as_str) != Some("tabular-data-resource") {
                let note = format!(
                    "{label}: profile `tabular-data-package` needs every resource to declare \
                     \"profile\": \"tabular-data-resource\"; resource #{} does not",
                    i + 1
                );
                out.push((format!("{}/{i}", at("resources")), note));
            }
        }
    }
    for key in ["missingValues", "fields"] {
        if pkg.contains_key(key) {
            let note = format!(
                "{label}: `{key}` belongs in each resource's `schema` (\"{key}\" should be set as \"resource.schema.{key}\")"
            );
            out.push((at(key), note));
        }
    }
    out
}

fn resource(res: &Map<String, Value>, label: &str, at: &dyn Fn(&str) -> String) -> Found {
    for key in ["path", "schema", "dialect"] {
        let paths: Vec<(String, &str)> = match res.get(key) {
            Some(Value::String(p)) => vec![(at(key), p.as_str())],
            Some(Value::Array(items)) if key == "path" => items
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some((format!("{}/{i}", at(key)), p.as_str()?)))
                .collect(),
            _ => Vec::new(),
        };
        for (pointer, path) in paths {
            if let Some(reason) = unsafe_path(path) {
                let note = format!(
                    "{label}: `{key}` must be relative to the descriptor and stay inside its folder; found `{path}` ({reason})"
                );
                return vec![(pointer, note)];
            }
        }
    }
    let mut out = Found::new();
    let given = |key: &str| res.get(key).is_some_and(|v| !v.is_null());
    match (given("path"), given("data")) {
        (false, false) => out.push((
            at(""),
            format!(
                "{label} has neither `path` nor `data`: give the relative `path` of its data file"
            ),
        )),
        (true, true) => out.push((
            at("data"),
            format!("{label} has both `path` and `data`: keep only one of them"),
        )),
        _ => {}
    }
    if res.get("profile").and_then(Value::as_str) == Some("tabular-data-resource")
        && !res.get("schema").is_some_and(truthy)
    {
        let note = format!("{label}: profile `tabular-data-resource` needs a `schema`");
        out.push((at("profile"), note));
    }
    if res.contains_key("missingValues") {
        let note = format!(
            "{label}: `missingValues` belongs in `schema` (\"missingValues\" should be set as \"schema.missingValues\")"
        );
        out.push((at("missingValues"), note));
    }
    out
}

/// Why frictionless (or the Table Schema text) refuses a path: absolute, a drive letter, a home
/// folder, a `file:` URL, a `..` segment, an environment variable. `None` when it is safe.
pub(super) fn unsafe_path(path: &str) -> Option<&'static str> {
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if path.starts_with('/') || path.starts_with('\\') {
        Some("it is an absolute path")
    } else if drive {
        Some("it starts with a drive letter")
    } else if path.starts_with('~') {
        Some("it starts with `~`, a home folder")
    } else if path
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("file:"))
    {
        Some("it is a `file:` URL")
    } else if path.split(['/', '\\']).any(|segment| segment == "..") {
        Some("a `..` segment leads out of the folder")
    } else if has_variable(path) {
        Some("it contains an environment variable")
    } else {
        None
    }
}

/// `$NAME`, `${NAME}` or a leading `%NAME%`, which frictionless refuses as path variables.
fn has_variable(path: &str) -> bool {
    let dollar = path.match_indices('$').any(|(i, _)| {
        path[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '{')
    });
    let percent = path.len() > 2 && path.starts_with('%') && path[1..].contains('%');
    dollar || percent
}

fn schema(schema: &Map<String, Value>, label: &str, at: &dyn Fn(&str) -> String) -> Found {
    let mut out = Found::new();
    let fields = schema
        .get("fields")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let names: Vec<&str> = fields
        .iter()
        .filter_map(|f| f.get("name")?.as_str())
        .collect();
    let dups = duplicates(&names);
    if !dups.is_empty() {
        let note = format!(
            "{label}: field names must be unique; {} used more than once",
            names_are(&dups)
        );
        out.push((at("fields"), note));
    }
    let known = list_names(&names);
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    for missing in strings(schema.get("primaryKey"))
        .iter()
        .filter(|n| !names.contains(&n.as_str()))
    {
        let note =
            format!("{label}: primary key field `{missing}` is not one of the fields ({known})");
        out.push((at("primaryKey"), note));
    }
    out.extend(missing_value_labels(schema, label, at));
    let fks = schema
        .get("foreignKeys")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for (i, fk) in fks.iter().enumerate() {
        let pointer = format!("{}/{i}", at("foreignKeys"));
        let own = strings(fk.get("fields"));
        for missing in own.iter().filter(|n| !names.contains(&n.as_str())) {
            let note = format!("{label}: foreign key #{} uses field `{missing}`, which is not one of the fields ({known})", i + 1);
            out.push((format!("{pointer}/fields"), note));
        }
        let theirs = strings(fk.get("reference").and_then(|r| r.get("fields")));
        if own.len() != theirs.len() {
            let note = format!(
                "{label}: foreign key #{} has {} field(s) ({}) but its reference has {} ({}); they must pair up one to one",
                i + 1,
                own.len(),
                list_names(&own),
                theirs.len(),
                list_names(&theirs)
            );
            out.push((pointer, note));
        }
    }
    let uks = schema
        .get("uniqueKeys")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for (i, uk) in uks.iter().enumerate() {
        for missing in strings(Some(uk))
            .iter()
            .filter(|n| !names.contains(&n.as_str()))
        {
            let note = format!("{label}: unique key #{} uses field `{missing}`, which is not one of the fields ({known})", i + 1);
            out.push((format!("{}/{i}", at("uniqueKeys")), note));
        }
    }
    out
}

fn field(
    field: &Map<String, Value>,
    label: &str,
    at: &dyn Fn(&str) -> String,
    version: Version,
) -> Found {
    let mut out = Found::new();
    let field_type = field
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or("string");
    let constraints = field.get("constraints").and_then(Value::as_object);
    for name in constraints.into_iter().flat_map(|c| c.keys()) {
        if name != "unique" && !supported_constraints(field_type).contains(&name.as_str()) {
            let note =
                format!("{label}: constraint `{name}` is not supported by type `{field_type}`");
            out.push((format!("{}/{}", at("constraints"), name), note));
        }
    }
    out.extend(missing_value_labels(field, label, at));
    if version == Version::V1 {
        for name in ["exclusiveMinimum", "exclusiveMaximum"] {
            if constraints.is_some_and(|c| c.contains_key(name)) {
                let note = format!(
                    "{label}: constraint `{name}` needs Data Package v2: declare \"$schema\": \
                     \"https://datapackage.org/profiles/2.0/datapackage.json\" at the top of the descriptor"
                );
                out.push((format!("{}/{name}", at("constraints")), note));
            }
        }
    }
    if field.contains_key("required") {
        let note = format!(
            "{label}: `required` belongs inside `constraints` (\"required\" should be set as \"constraints.required\")"
        );
        out.push((at("required"), note));
    }
    out
}

/// Object-form `missingValues` (v2) must not repeat a value or a label.
fn missing_value_labels(
    obj: &Map<String, Value>,
    label: &str,
    at: &dyn Fn(&str) -> String,
) -> Found {
    let entries = obj
        .get("missingValues")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if !entries.iter().any(Value::is_object) {
        return Found::new();
    }
    let values: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.as_str().or_else(|| e.get("value")?.as_str()))
        .collect();
    let labels: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.get("label")?.as_str())
        .collect();
    let mut out = Found::new();
    for (what, dups) in [
        ("value", duplicates(&values)),
        ("label", duplicates(&labels)),
    ] {
        for dup in dups {
            out.push((
                at("missingValues"),
                format!("{label}: missing {what} `{dup}` is listed more than once"),
            ));
        }
    }
    out
}

/// Names that occur more than once, each once, in order of first repetition. Sets, not scans
/// of the names before: a package of 100,000 resources took a minute.
fn duplicates<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    let mut reported = std::collections::HashSet::new();
    let mut dups = Vec::new();
    for name in names {
        if !seen.insert(*name) && reported.insert(*name) {
            dups.push(*name);
        }
    }
    dups
}

/// "`a` is" or "`a`, `b` are".
fn names_are(names: &[&str]) -> String {
    let verb = if names.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", list_names(names))
}

fn list_names<S: AsRef<str>>(names: &[S]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn duplicates_in_order_of_first_repetition_each_once() {
        let names = ["a", "b", "b", "c", "a", "b", "a"];
        assert_eq!(super::duplicates(&names), ["b", "a"]);
        let many: Vec<String> = (0..200_000).map(|i| format!("r{}", i % 100_000)).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(super::duplicates(&many).len(), 100_000);
    }
}
