//! The official Data Package JSON Schema profiles (draft-07, `spec/datapackage-profiles/`),
//! compiled into the binary once, and their failures turned into problems of the descriptor tree.
//!
//! Five repairs are made to the profiles before they are compiled, each where the profile text
//! and the specification (or the regex engine) disagree:
//! - the path patterns use look-around, which the `regex` crate has not: they become the custom
//!   formats `datapackage-path-v1`/`-v2`, which test exactly what the patterns say;
//! - a `list` field type (Table Schema 2.0 defines it; the 2.0 profile lacks it) joins every
//!   list of field types;
//! - the 2.0 profile declares `fieldsMatch` an array; the specification makes it one string;
//! - the 2.0 resource profiles allow only an object as `dialect`; the specification allows a
//!   path to one too, as the 1.0 profiles and frictionless do;
//! - the 1.0 package and resource profiles require `delimiter` and `doubleQuote` in a resource's
//!   dialect (their own example `{"delimiter": ";"}` fails that; the 1.0 dialect profile and
//!   frictionless require neither): the requirement is dropped.

use std::error::Error;
use std::sync::OnceLock;

use boon::{Compiler, Draft, ErrorKind, Format, SchemaIndex, Schemas, UrlLoader, ValidationError};
use serde_json::{json, Map, Value};

use super::{notes, DescriptorKind, NodeKind, Problem, Tree, Version};

const V1_PATH_FORMAT: &str = "datapackage-path-v1";
const V2_PATH_FORMAT: &str = "datapackage-path-v2";

/// Profile names, in the order of `DescriptorKind` (package, resource, schema, dialect).
const NAMES: [&str; 4] = ["datapackage", "dataresource", "tableschema", "tabledialect"];

const V1_SOURCES: [&str; 4] = [
    include_str!("../../../spec/datapackage-profiles/1.0/datapackage.json"),
    include_str!("../../../spec/datapackage-profiles/1.0/dataresource.json"),
    include_str!("../../../spec/datapackage-profiles/1.0/tableschema.json"),
    include_str!("../../../spec/datapackage-profiles/1.0/tabledialect.json"),
];

const V2_SOURCES: [&str; 4] = [
    include_str!("../../../spec/datapackage-profiles/2.0/datapackage.json"),
    include_str!("../../../spec/datapackage-profiles/2.0/dataresource.json"),
    include_str!("../../../spec/datapackage-profiles/2.0/tableschema.json"),
    include_str!("../../../spec/datapackage-profiles/2.0/tabledialect.json"),
];

/// One compiled profile.
struct Compiled {
    schemas: Schemas,
    index: SchemaIndex,
}

/// `[v1, v2]`, each in the order of `NAMES`: a profile is compiled the first time a descriptor
/// of its kind and version is checked (compiling all eight took ~45 ms, most of a small run).
static COMPILED: [[OnceLock<Result<Compiled, String>>; 4]; 2] = [
    [const { OnceLock::new() }; 4],
    [const { OnceLock::new() }; 4],
];

/// Refuses every URL: the profiles are complete, nothing may be fetched at run time.
struct NoLoader;

impl UrlLoader for NoLoader {
    fn load(&self, url: &str) -> Result<Value, Box<dyn Error>> {
        Err(format!("{url}: nothing is loaded at run time").into())
    }
}

/// Compiles profile `kind_slot` of version `slot` (0 for v1, 1 for v2).
fn compile(slot: usize, kind_slot: usize) -> Result<Compiled, String> {
    let mut compiler = Compiler::new();
    compiler.set_default_draft(Draft::V7);
    compiler.use_loader(Box::new(NoLoader));
    compiler.register_format(Format {
        name: V1_PATH_FORMAT,
        func: path_v1,
    });
    compiler.register_format(Format {
        name: V2_PATH_FORMAT,
        func: path_v2,
    });
    let (dir, sources) = [("1.0", V1_SOURCES), ("2.0", V2_SOURCES)][slot];
    let name = NAMES[kind_slot];
    let url = format!("https://datapackage.org/profiles/{dir}/{name}.json");
    let mut profile: Value =
        serde_json::from_str(sources[kind_slot]).map_err(|e| format!("{url}: {e}"))?;
    patch(&mut profile, slot == 0);
    compiler
        .add_resource(&url, profile)
        .map_err(|e| format!("{url}: {e}"))?;
    let mut schemas = Schemas::new();
    let index = compiler
        .compile(&url, &mut schemas)
        .map_err(|e| format!("{url}: {e}"))?;
    Ok(Compiled { schemas, index })
}

/// Applies the repairs listed in the module doc, everywhere in a profile.
fn patch(value: &mut Value, v1: bool) {
    match value {
        Value::Object(map) => {
            repair(map, v1);
            map.values_mut().for_each(|child| patch(child, v1));
        }
        Value::Array(items) => items.iter_mut().for_each(|item| patch(item, v1)),
        _ => {}
    }
}

fn repair(map: &mut Map<String, Value>, v1: bool) {
    let look_around = map
        .get("pattern")
        .and_then(Value::as_str)
        .is_some_and(|p| p.contains("(?=") || p.contains("(?!"));
    if look_around {
        map.remove("pattern");
        let format = if v1 { V1_PATH_FORMAT } else { V2_PATH_FORMAT };
        map.insert("format".into(), Value::String(format.into()));
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        if let Some(fields_match) = properties.get_mut("fieldsMatch") {
            if fields_match.get("type") == Some(&json!("array")) {
                *fields_match = json!({
                    "type": "string",
                    "enum": ["exact", "equal", "subset", "superset", "partial"]
                });
            }
        }
        if let Some(Value::Object(dialect)) = properties.get_mut("dialect") {
            if dialect.get("type") == Some(&json!("object")) {
                dialect.insert("type".into(), json!(["string", "object"]));
            }
        }
    }
    if map.get("title").and_then(Value::as_str) == Some("CSV Dialect") {
        map.remove("required");
    }
    if let Some(Value::Array(branches)) = map.get_mut("oneOf") {
        if let Some(list) = list_branch(branches) {
            branches.push(list);
        }
    }
}

/// A `list` field definition for a list of field types that lacks one (Table Schema 2.0 text).
fn list_branch(branches: &[Value]) -> Option<Value> {
    let title = |b: &Value| b.get("title").and_then(Value::as_str).map(str::to_owned);
    let string = branches
        .iter()
        .find(|b| title(b).as_deref() == Some("String Field"))?;
    if branches
        .iter()
        .any(|b| title(b).as_deref() == Some("List Field"))
    {
        return None;
    }
    let mut properties = json!({
        "name": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "example": {"type": "string"},
        "type": {"enum": ["list"]},
        "format": {"enum": ["default"]},
        "delimiter": {"type": "string"},
        "itemType": {"enum": ["string", "integer", "number", "boolean", "datetime", "date", "time"]},
        "constraints": {
            "type": "object",
            "properties": {
                "required": {"type": "boolean"},
                "unique": {"type": "boolean"},
                "minLength": {"type": "integer"},
                "maxLength": {"type": "integer"}
            }
        },
        "rdfType": {"type": "string"}
    });
    let missing = string.pointer("/properties/missingValues").cloned();
    if let (Some(missing), Some(map)) = (missing, properties.as_object_mut()) {
        map.insert("missingValues".into(), missing);
    }
    Some(json!({
        "title": "List Field",
        "type": "object",
        "required": ["name", "type"],
        "properties": properties
    }))
}

/// What the v1 path pattern `^(?=^[^./~])(^((?!\.{2}).)*$).*$` refuses, and why.
fn path_v1(value: &Value) -> Result<(), Box<dyn Error>> {
    let Some(path) = value.as_str() else {
        return Ok(());
    };
    let reason = leading_problem(path)
        .or_else(|| path.contains("..").then(|| "it contains `..`".to_string()))
        .or_else(|| line_break(path));
    reason.map_or(Ok(()), |r| Err(r.into()))
}

/// What the v2 path pattern refuses, and why: a URL must be http(s) or ftp(s); any other path
/// must not start with `.`, `/`, `~` or `file:`, nor contain `/../`, `\` or `://`.
fn path_v2(value: &Value) -> Result<(), Box<dyn Error>> {
    let Some(path) = value.as_str() else {
        return Ok(());
    };
    let lower = path.to_ascii_lowercase();
    let url = ["http://", "https://", "ftp://", "ftps://"]
        .iter()
        .any(|s| lower.starts_with(s));
    let reason = if url {
        line_break(path)
    } else {
        leading_problem(path)
            .or_else(|| {
                path.starts_with("file:")
                    .then(|| "it is a `file:` URL".to_string())
            })
            .or_else(|| {
                path.contains("/../")
                    .then(|| "it contains `/../`".to_string())
            })
            .or_else(|| {
                path.contains('\\')
                    .then(|| "it contains a backslash `\\`".to_string())
            })
            .or_else(|| {
                path.contains("://")
                    .then(|| "only http(s) and ftp(s) URLs are allowed".to_string())
            })
            .or_else(|| line_break(path))
    };
    reason.map_or(Ok(()), |r| Err(r.into()))
}

fn leading_problem(path: &str) -> Option<String> {
    match path.chars().next() {
        None => Some("it is empty".into()),
        Some(c @ ('.' | '/' | '~')) => Some(format!("it starts with `{c}`")),
        Some(_) => None,
    }
}

fn line_break(path: &str) -> Option<String> {
    path.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
        .then(|| "it contains a line break".to_string())
}

/// The profile's failures for `doc` (normalised), each attributed to the innermost descriptor
/// holding it. Failures inside the nodes in `skipped` are left out, and so are the profile checks
/// that frictionless 5.21.0 makes differently (see `superseded`).
pub(super) fn problems(
    doc: &Value,
    original: &Value,
    kind: DescriptorKind,
    version: Version,
    tree: &Tree,
    skipped: &[usize],
) -> Vec<Problem> {
    let slot = usize::from(version == Version::V2);
    let kind_slot = kind as usize;
    let Some(cell) = COMPILED[slot].get(kind_slot) else {
        return Vec::new();
    };
    let compiled = match cell.get_or_init(|| compile(slot, kind_slot)) {
        Ok(compiled) => compiled,
        Err(e) => {
            let note = format!("the official profiles could not be prepared, so the descriptor was not checked against them: {e}");
            return vec![Problem {
                node: 0,
                pointer: String::new(),
                note,
            }];
        }
    };
    let Err(error) = compiled.schemas.validate(doc, compiled.index) else {
        return Vec::new();
    };
    let mut units = Vec::new();
    notes::units(&error, &mut units);
    let mut out = Vec::new();
    for unit in units {
        let pointer = unit.instance_location.to_string();
        let node = tree.owner(&pointer);
        if skipped.contains(&node) || superseded(unit, &pointer, tree, node) {
            continue;
        }
        let note = notes::note(unit, doc, original, tree, node);
        out.push(Problem {
            node,
            pointer: notes::pointer(unit),
            note,
        });
    }
    out
}

/// Profile failures that frictionless 5.21.0 reports differently or accepts:
/// - a resource's "`name` with `path`, or `name` with `data`" alternative: frictionless reports
///   a missing `name`, a missing `path`/`data` and both at once as three distinct problems
///   (`rules::structural`, `rules::semantic`);
/// - an empty `resources` list in a package and an empty `fields` list in a schema, which
///   frictionless accepts.
fn superseded(unit: &ValidationError, pointer: &str, tree: &Tree, node: usize) -> bool {
    let Some(n) = tree.nodes.get(node) else {
        return false;
    };
    match (&unit.kind, n.kind) {
        (ErrorKind::OneOf(_), NodeKind::Resource) => pointer == n.pointer,
        (ErrorKind::MinItems { .. }, NodeKind::Package) => {
            pointer == format!("{}/resources", n.pointer)
        }
        (ErrorKind::MinItems { .. }, NodeKind::Schema) => {
            pointer == format!("{}/fields", n.pointer)
        }
        _ => false,
    }
}
