//! Stage 2, validate: descriptor checks. Judges a Frictionless descriptor (data package, data
//! resource, table schema or table dialect) the way frictionless-py 5.21.0 does, and says what
//! is wrong in plain English with a JSON pointer to the place.
//!
//! How a descriptor is judged:
//! 1. The version is chosen from the root: a `$schema` naming a 1.0 profile means v1, any other
//!    `$schema` v2; else a `profile` (v1 style) or nothing means v1 — an absent `$schema` is v1
//!    in the specification and in frictionless 5.21.0, which enforces v1 names without one.
//! 2. The descriptor is normalised as frictionless does first (a string `primaryKey` becomes a
//!    list, foreign keys get their list forms and an empty `reference` by default).
//! 3. It is validated against the official JSON Schema profile of that version (compiled into the
//!    binary, see `profiles`); every failure is attributed to the innermost descriptor that holds
//!    it (package, resource, schema, field or dialect), which gives its error type.
//! 4. The rules the profiles cannot express run bottom-up, and only for a descriptor whose own
//!    profile checks and whose children passed — as frictionless stops at the first layer of
//!    problems, so one mistake is reported once (`rules`).
//!
//! Invariants: `check` never panics and reads nothing but its argument (no file, no network); the
//! same value always gives the same errors in the same order; an empty result means valid; every
//! error's `pointer` names a place that exists in the value given (or its nearest ancestor).

mod normalize;
mod notes;
mod profiles;
mod rules;
#[cfg(test)]
mod tests;

use serde_json::Value;

pub use rules::FIELD_TYPES;

/// What a JSON descriptor is, told by its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DescriptorKind {
    Package,
    Resource,
    Schema,
    Dialect,
}

impl DescriptorKind {
    /// The frictionless error type of a problem in a descriptor of this kind.
    fn error_type(self) -> &'static str {
        match self {
            DescriptorKind::Package => "package-error",
            DescriptorKind::Resource => "resource-error",
            DescriptorKind::Schema => "schema-error",
            DescriptorKind::Dialect => "dialect-error",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            DescriptorKind::Package => "data package",
            DescriptorKind::Resource => "data resource",
            DescriptorKind::Schema => "table schema",
            DescriptorKind::Dialect => "table dialect",
        }
    }
}

/// One problem in a descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescriptorError {
    /// frictionless v5 error type: "package-error", "resource-error", "schema-error", "field-error" or "dialect-error".
    pub error_type: &'static str,
    /// Plain-English explanation for a data manager (what is wrong, where, how to fix), lowercase start.
    pub note: String,
    /// JSON pointer to the offending place, e.g. "/resources/0/path" ("" for the root).
    pub pointer: String,
}

/// Keys that only a table dialect has.
const DIALECT_KEYS: &[&str] = &[
    "delimiter",
    "quoteChar",
    "doubleQuote",
    "escapeChar",
    "lineTerminator",
    "nullSequence",
    "skipInitialSpace",
    "header",
    "headerRows",
    "headerJoin",
    "commentChar",
    "commentRows",
    "caseSensitiveHeader",
    "csvddfVersion",
];

/// Tells the kind by keys: `resources` → Package; `fields` (or a `primaryKey`/`foreignKeys`/`missingValues` without `path`/`data`) → Schema; `path` or `data` → Resource; dialect keys (delimiter, quoteChar, header, …) → Dialect. None when it is none of them.
/// A resource's `path`/`data` win over a misplaced `fields`, as frictionless tells them apart.
pub fn detect_kind(value: &Value) -> Option<DescriptorKind> {
    let obj = value.as_object()?;
    let has = |key: &str| obj.contains_key(key);
    if has("resources") {
        Some(DescriptorKind::Package)
    } else if has("path") || has("data") {
        // As frictionless: a resource's traits win over a misplaced `fields`.
        Some(DescriptorKind::Resource)
    } else if [
        "fields",
        "primaryKey",
        "foreignKeys",
        "uniqueKeys",
        "missingValues",
    ]
    .iter()
    .any(|k| has(k))
    {
        Some(DescriptorKind::Schema)
    } else if DIALECT_KEYS.iter().any(|k| has(k)) {
        Some(DescriptorKind::Dialect)
    } else {
        None
    }
}

/// All problems of a descriptor of `kind`. Empty = valid.
pub fn check(value: &Value, kind: DescriptorKind) -> Vec<DescriptorError> {
    if !value.is_object() {
        return vec![DescriptorError {
            error_type: kind.error_type(),
            note: format!(
                "the {} descriptor must be a JSON object {{…}}; found {}",
                kind.noun(),
                notes::describe_value(value)
            ),
            pointer: String::new(),
        }];
    }
    let version = Version::of(value);
    let mut doc = value.clone();
    normalize::normalize(&mut doc, kind);
    let tree = Tree::build(&doc, kind);
    // A field of an unknown type gets that one error and not its profile failures: frictionless
    // stops at an unknown type.
    let mut problems = rules::unsupported_types(&doc, &tree);
    let skipped: Vec<usize> = problems.iter().map(|p| p.node).collect();
    problems.extend(rules::structural(&doc, &tree, version));
    problems.extend(profiles::problems(
        &doc, value, kind, version, &tree, &skipped,
    ));
    for node in (0..tree.nodes.len()).rev() {
        if !problems.iter().any(|p| tree.is_within(p.node, node)) {
            problems.extend(rules::semantic(&doc, &tree, node, version));
        }
    }
    problems.sort_by_key(|p| p.node);
    problems
        .into_iter()
        .map(|p| DescriptorError {
            error_type: tree
                .nodes
                .get(p.node)
                .map_or(kind.error_type(), |n| n.kind.error_type()),
            note: p.note,
            pointer: existing_prefix(value, &p.pointer),
        })
        .collect()
}

/// The version of the standard a descriptor is judged by, told by its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    /// Data Package 1.0: v1 profiles and frictionless' v1 gates.
    V1,
    /// Data Package 2.0 (or a custom `$schema`, which frictionless treats as the v1+v2 superset).
    V2,
}

impl Version {
    /// `$schema` decides when present (as in frictionless, a legacy `profile` beside it is
    /// ignored); otherwise the descriptor is v1, with or without a v1 `profile`.
    fn of(root: &Value) -> Version {
        match root.get("$schema").and_then(Value::as_str) {
            Some(url) if url.contains("/1.0/") || url.contains("/profiles/1") => Version::V1,
            Some(url) if !url.trim().is_empty() => Version::V2,
            _ => Version::V1,
        }
    }
}

/// What a node of the descriptor tree is; it gives the error type of problems inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Package,
    Resource,
    Schema,
    Field,
    Dialect,
}

impl NodeKind {
    fn error_type(self) -> &'static str {
        match self {
            NodeKind::Package => "package-error",
            NodeKind::Resource => "resource-error",
            NodeKind::Schema => "schema-error",
            NodeKind::Field => "field-error",
            NodeKind::Dialect => "dialect-error",
        }
    }
}

/// One descriptor inside the checked value (the root itself, a resource, a schema, a field…).
#[derive(Debug, Clone)]
struct Node {
    kind: NodeKind,
    /// JSON pointer of the node in the checked value.
    pointer: String,
    /// How a note names it, e.g. "resource `budget`, field `year`".
    label: String,
    parent: Option<usize>,
}

/// A problem found, attributed to the node that holds it.
#[derive(Debug, Clone)]
struct Problem {
    node: usize,
    pointer: String,
    note: String,
}

/// The descriptors nested in the checked value, parents before children.
#[derive(Debug, Default)]
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn build(doc: &Value, kind: DescriptorKind) -> Tree {
        let mut tree = Tree::default();
        match kind {
            DescriptorKind::Package => {
                let label = match doc.get("name").and_then(Value::as_str) {
                    Some(name) => format!("package `{name}`"),
                    None => "package".to_string(),
                };
                let root = tree.push(NodeKind::Package, String::new(), label, None);
                let resources = doc.get("resources").and_then(Value::as_array);
                for (i, res) in resources.into_iter().flatten().enumerate() {
                    let label = match res.get("name").and_then(Value::as_str) {
                        Some(name) => format!("resource `{name}`"),
                        None => format!("resource #{}", i + 1),
                    };
                    tree.resource(res, format!("/resources/{i}"), label, Some(root));
                }
            }
            DescriptorKind::Resource => {
                let label = match doc.get("name").and_then(Value::as_str) {
                    Some(name) => format!("resource `{name}`"),
                    None => "resource".to_string(),
                };
                tree.resource(doc, String::new(), label, None);
            }
            DescriptorKind::Schema => tree.schema(doc, String::new(), "schema".into(), None),
            DescriptorKind::Dialect => {
                tree.push(NodeKind::Dialect, String::new(), "dialect".into(), None);
            }
        }
        tree
    }

    fn push(
        &mut self,
        kind: NodeKind,
        pointer: String,
        label: String,
        parent: Option<usize>,
    ) -> usize {
        self.nodes.push(Node {
            kind,
            pointer,
            label,
            parent,
        });
        self.nodes.len() - 1
    }

    fn resource(&mut self, res: &Value, pointer: String, label: String, parent: Option<usize>) {
        if !res.is_object() {
            return;
        }
        let node = self.push(NodeKind::Resource, pointer.clone(), label.clone(), parent);
        if let Some(schema) = res.get("schema").filter(|s| s.is_object()) {
            self.schema(
                schema,
                format!("{pointer}/schema"),
                format!("schema of {label}"),
                Some(node),
            );
        }
        if res.get("dialect").is_some_and(Value::is_object) {
            let label = format!("dialect of {label}");
            self.push(
                NodeKind::Dialect,
                format!("{pointer}/dialect"),
                label,
                Some(node),
            );
        }
    }

    fn schema(&mut self, schema: &Value, pointer: String, label: String, parent: Option<usize>) {
        let node = self.push(NodeKind::Schema, pointer.clone(), label, parent);
        let prefix = match parent {
            Some(res) => format!("{}, ", self.nodes[res].label),
            None => String::new(),
        };
        let fields = schema.get("fields").and_then(Value::as_array);
        for (j, field) in fields.into_iter().flatten().enumerate() {
            if !field.is_object() {
                continue;
            }
            let label = match field.get("name").and_then(Value::as_str) {
                Some(name) => format!("{prefix}field `{name}`"),
                None => format!("{prefix}field #{}", j + 1),
            };
            self.push(
                NodeKind::Field,
                format!("{pointer}/fields/{j}"),
                label,
                Some(node),
            );
        }
    }

    /// True when node `inner` is `outer` or lies inside it.
    fn is_within(&self, inner: usize, outer: usize) -> bool {
        let mut at = Some(inner);
        while let Some(n) = at {
            if n == outer {
                return true;
            }
            at = self.nodes.get(n).and_then(|node| node.parent);
        }
        false
    }

    /// The innermost node that holds the place `pointer` (the root holds everything).
    fn owner(&self, pointer: &str) -> usize {
        let mut best = 0;
        for (i, node) in self.nodes.iter().enumerate() {
            let inside = pointer == node.pointer
                || (pointer.starts_with(&node.pointer)
                    && pointer[node.pointer.len()..].starts_with('/'));
            if inside && node.pointer.len() >= self.nodes[best].pointer.len() {
                best = i;
            }
        }
        best
    }
}

/// Splits a JSON pointer into its unescaped tokens.
fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Appends one token to a JSON pointer, escaped.
fn pointer_join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// The longest prefix of `pointer` that names a place in `value` (normalisation may have
/// added places the checked value does not have).
fn existing_prefix(value: &Value, pointer: &str) -> String {
    let mut at = value;
    let mut out = String::new();
    for token in pointer_tokens(pointer) {
        let next = match at {
            Value::Object(map) => map.get(&token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(next) => {
                at = next;
                out = pointer_join(&out, &token);
            }
            None => break,
        }
    }
    out
}
