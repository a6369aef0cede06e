//! Plain-English notes for the profiles' failures: which descriptor, which property, what is
//! expected and what was found. A failure among alternatives (`oneOf`, `anyOf`) is explained by
//! the alternative the descriptor evidently meant (for a field: the definition of its `type`).

use boon::{ErrorKind, InstanceToken, Type, ValidationError};
use serde_json::Value;

use super::{pointer_tokens, Tree};

/// The v1 pattern of package and resource names.
const V1_NAME_PATTERN: &str = "^([-a-z0-9._/])+$";

/// Opens groups, references and `allOf` of a profile failure: each failure left is one problem.
pub(super) fn units<'a, 's, 'v>(
    error: &'a ValidationError<'s, 'v>,
    out: &mut Vec<&'a ValidationError<'s, 'v>>,
) {
    match &error.kind {
        ErrorKind::Group
        | ErrorKind::Schema { .. }
        | ErrorKind::Reference { .. }
        | ErrorKind::AllOf => {
            error.causes.iter().for_each(|cause| units(cause, out));
        }
        _ => out.push(error),
    }
}

/// The note for one problem found by a profile, attributed to `tree.nodes[node]`.
pub(super) fn note(
    unit: &ValidationError,
    doc: &Value,
    original: &Value,
    tree: &Tree,
    node: usize,
) -> String {
    let Some(n) = tree.nodes.get(node) else {
        return unit.kind.to_string();
    };
    let depth = pointer_tokens(&n.pointer).len();
    let mut flat = Vec::new();
    leaves(unit, &mut flat);
    let parts: Vec<(String, String)> = flat
        .iter()
        .map(|leaf| part(leaf, doc, original, depth))
        .collect();
    compose(&n.label, &parts)
}

/// Where a problem found by a profile is: the place of its only failure, or its own place.
pub(super) fn pointer(unit: &ValidationError) -> String {
    let mut flat = Vec::new();
    leaves(unit, &mut flat);
    match flat.as_slice() {
        [leaf] => leaf.instance_location.to_string(),
        _ => unit.instance_location.to_string(),
    }
}

/// Like `units`, and an unmatched `oneOf`/`anyOf` is replaced by its intended alternative.
fn leaves<'a, 's, 'v>(
    error: &'a ValidationError<'s, 'v>,
    out: &mut Vec<&'a ValidationError<'s, 'v>>,
) {
    match &error.kind {
        ErrorKind::Group
        | ErrorKind::Schema { .. }
        | ErrorKind::Reference { .. }
        | ErrorKind::AllOf => {
            error.causes.iter().for_each(|cause| leaves(cause, out));
        }
        ErrorKind::OneOf(None) | ErrorKind::AnyOf => match intended(error) {
            Some(branch) => leaves(branch, out),
            None => out.push(error),
        },
        _ => out.push(error),
    }
}

/// The alternative the value was evidently written for: not one whose type (or, for a field, whose
/// `type` keyword) differs from the value's; of those, the one with the fewest failures.
fn intended<'a, 's, 'v>(error: &'a ValidationError<'s, 'v>) -> Option<&'a ValidationError<'s, 'v>> {
    let at = error.instance_location.to_string();
    let count = |branch: &ValidationError| {
        let mut flat = Vec::new();
        units(branch, &mut flat);
        flat.len()
    };
    error
        .causes
        .iter()
        .filter(|b| !other_shape(b, &at))
        .min_by_key(|b| count(b))
}

fn other_shape(branch: &ValidationError, at: &str) -> bool {
    let mut flat = Vec::new();
    units(branch, &mut flat);
    let type_at = format!("{at}/type");
    flat.iter().any(|e| {
        let loc = e.instance_location.to_string();
        match &e.kind {
            ErrorKind::Type { .. } => loc == at,
            ErrorKind::Enum { .. } | ErrorKind::Const { .. } => loc == type_at,
            ErrorKind::Required { want } => loc == at && want.contains(&"type"),
            _ => false,
        }
    })
}

/// The property path (relative to the node) and the predicate for one failure. A place that
/// normalisation added (a default `reference`, a one-name key wrapped in a list) is described
/// as it is in the descriptor as written.
fn part(leaf: &ValidationError, doc: &Value, original: &Value, depth: usize) -> (String, String) {
    let tokens = &leaf.instance_location.tokens;
    let existing = existing_depth(original, tokens);
    match tokens.get(existing) {
        Some(InstanceToken::Prop(_)) => {
            (rel_text(tokens, depth, existing + 1), "is missing".into())
        }
        Some(InstanceToken::Item(_)) => {
            let prefix: String = tokens[..existing].iter().map(token_pointer).collect();
            (
                rel_text(tokens, depth, existing),
                predicate(leaf, original.pointer(&prefix)),
            )
        }
        None => {
            let value = doc.pointer(&leaf.instance_location.to_string());
            (
                rel_text(tokens, depth, tokens.len()),
                predicate(leaf, value),
            )
        }
    }
}

fn existing_depth(original: &Value, tokens: &[InstanceToken]) -> usize {
    let mut at = original;
    for (i, token) in tokens.iter().enumerate() {
        let next = match (token, at) {
            (InstanceToken::Prop(p), Value::Object(map)) => map.get(p.as_ref()),
            (InstanceToken::Item(n), Value::Array(items)) => items.get(*n),
            _ => None,
        };
        match next {
            Some(next) => at = next,
            None => return i,
        }
    }
    tokens.len()
}

fn token_pointer(token: &InstanceToken) -> String {
    match token {
        InstanceToken::Prop(p) => format!("/{}", p.replace('~', "~0").replace('/', "~1")),
        InstanceToken::Item(i) => format!("/{i}"),
    }
}

/// `tokens[from..to]` as `constraints.minimum` or `licenses[0].path`.
fn rel_text(tokens: &[InstanceToken], from: usize, to: usize) -> String {
    let mut out = String::new();
    for token in tokens.iter().take(to).skip(from) {
        match token {
            InstanceToken::Prop(p) if out.is_empty() => out.push_str(p),
            InstanceToken::Prop(p) => {
                out.push('.');
                out.push_str(p);
            }
            InstanceToken::Item(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn compose(label: &str, parts: &[(String, String)]) -> String {
    match parts {
        [] => format!("{label} does not match its profile"),
        [(rel, pred)] if rel.is_empty() => format!("{label} {pred}"),
        _ => {
            let texts: Vec<String> = parts
                .iter()
                .map(|(rel, pred)| {
                    if rel.is_empty() {
                        pred.clone()
                    } else {
                        format!("`{rel}` {pred}")
                    }
                })
                .collect();
            format!("{label}: {}", texts.join("; "))
        }
    }
}

/// What is expected of the value and what it is.
fn predicate(leaf: &ValidationError, value: Option<&Value>) -> String {
    let found = value.map_or_else(|| "nothing".to_string(), describe_value);
    let text = value.map_or_else(String::new, value_text);
    match &leaf.kind {
        ErrorKind::Type { want, .. } => {
            format!("must be {}, found {found}", type_list(want.iter()))
        }
        ErrorKind::Required { want } => {
            let noun = if want.len() == 1 {
                "property"
            } else {
                "properties"
            };
            format!(
                "is missing the required {noun} {}",
                ticks(want.iter().map(|w| w.to_string()))
            )
        }
        ErrorKind::Enum { want } if want.len() == 1 => {
            format!("must be `{}`; found `{text}`", value_text(&want[0]))
        }
        ErrorKind::Enum { want } => format!(
            "must be one of {}; found `{text}`",
            ticks(want.iter().map(value_text))
        ),
        ErrorKind::Const { want } => format!("must be `{}`; found `{text}`", value_text(want)),
        ErrorKind::Pattern { want, .. } => pattern(want, &text),
        ErrorKind::Format { want, err, .. } => format_predicate(want, &err.to_string(), &text),
        ErrorKind::AdditionalProperties { got } => {
            format!(
                "has properties that are not allowed: {}",
                ticks(got.iter().map(|g| g.to_string()))
            )
        }
        ErrorKind::OneOf(Some((i, j))) => {
            format!(
                "fits more than one of its allowed forms (#{} and #{}); it must fit exactly one",
                i + 1,
                j + 1
            )
        }
        ErrorKind::OneOf(None) | ErrorKind::AnyOf => alternatives(leaf, &found),
        ErrorKind::FalseSchema => "is not allowed".into(),
        other => limits(other, &text),
    }
}

/// Predicates about sizes and bounds.
fn limits(kind: &ErrorKind, text: &str) -> String {
    match kind {
        ErrorKind::MinItems { want, .. } | ErrorKind::MinProperties { want, .. } if *want == 1 => {
            "must not be empty".into()
        }
        ErrorKind::MinItems { want, .. } => format!("must have at least {want} items"),
        ErrorKind::MaxItems { want, .. } => format!("must have at most {want} items"),
        ErrorKind::MinLength { want, .. } => format!("must be at least {want} characters long"),
        ErrorKind::MaxLength { want, .. } => format!("must be at most {want} characters long"),
        ErrorKind::UniqueItems { got: [i, j] } => {
            format!("lists the same item twice (items [{i}] and [{j}])")
        }
        ErrorKind::Minimum { want, .. } => format!("must be at least {want}; found {text}"),
        ErrorKind::Maximum { want, .. } => format!("must be at most {want}; found {text}"),
        ErrorKind::ExclusiveMinimum { want, .. } => {
            format!("must be greater than {want}; found {text}")
        }
        ErrorKind::ExclusiveMaximum { want, .. } => {
            format!("must be less than {want}; found {text}")
        }
        other => other.to_string(),
    }
}

/// An unmatched `oneOf`/`anyOf` with no intended alternative: usually a value of the wrong type.
fn alternatives(error: &ValidationError, found: &str) -> String {
    let at = error.instance_location.to_string();
    let mut flat = Vec::new();
    error
        .causes
        .iter()
        .for_each(|branch| units(branch, &mut flat));
    let mut wanted: Vec<Type> = Vec::new();
    for e in flat
        .iter()
        .filter(|e| e.instance_location.to_string() == at)
    {
        if let ErrorKind::Type { want, .. } = &e.kind {
            for t in want.iter() {
                if !wanted.iter().any(|w| type_name(*w) == type_name(t)) {
                    wanted.push(t);
                }
            }
        }
    }
    if wanted.is_empty() {
        format!("does not fit any of its allowed forms; found {found}")
    } else {
        format!("must be {}, found {found}", type_list(wanted.into_iter()))
    }
}

fn pattern(want: &str, text: &str) -> String {
    match want {
        V1_NAME_PATTERN => format!(
            "must use only lowercase letters, digits, `-`, `_`, `.` and `/` (Data Package v1; \
             a descriptor declaring \"$schema\": \"https://datapackage.org/profiles/2.0/datapackage.json\" \
             may use any name); found `{text}`"
        ),
        "^(.+)/(.+)$" => format!("must be a media type such as `text/csv`; found `{text}`"),
        "^([-a-zA-Z0-9._])+$" => format!("must be a licence identifier such as `CC-BY-4.0`; found `{text}`"),
        "^([^:]+:[a-fA-F0-9]+|[a-fA-F0-9]{32}|)$" => {
            format!("must be `sha256:<hex digits>`, `md5:<hex digits>` or 32 hex digits (MD5); found `{text}`")
        }
        _ => format!("must match the pattern `{want}`; found `{text}`"),
    }
}

fn format_predicate(want: &str, err: &str, text: &str) -> String {
    match want {
        "datapackage-path-v1" | "datapackage-path-v2" => format!(
            "must be relative to the descriptor and stay inside its folder (or be an http(s) URL); \
             found `{text}` ({err})"
        ),
        "email" => format!("must be an email address; found `{text}`"),
        "uri" => format!("must be a full URL such as `https://example.org/`; found `{text}`"),
        "date-time" => format!(
            "must be a date and time such as `2024-05-01T12:00:00Z` (RFC 3339); found `{text}`"
        ),
        _ => format!("must be a valid {want}; found `{text}` ({err})"),
    }
}

fn type_name(t: Type) -> &'static str {
    match t {
        Type::Null => "null",
        Type::Boolean => "a boolean",
        Type::Number => "a number",
        Type::Integer => "an integer",
        Type::String => "a string",
        Type::Array => "an array",
        Type::Object => "an object",
    }
}

fn type_list(types: impl Iterator<Item = Type>) -> String {
    types.map(type_name).collect::<Vec<_>>().join(" or ")
}

fn ticks(items: impl Iterator<Item = String>) -> String {
    items
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as a note shows it: strings without quotes, anything long shortened.
pub(super) fn value_text(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 60 {
        let short: String = text.chars().take(57).collect();
        format!("{short}…")
    } else {
        text
    }
}

/// A value's type and text, e.g. "a string `MY_INLINE_DATA`", for "found …".
pub(super) fn describe_value(value: &Value) -> String {
    let text = value_text(value);
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => format!("a boolean `{text}`"),
        Value::Number(_) => format!("a number `{text}`"),
        Value::String(_) => format!("a string `{text}`"),
        Value::Array(_) => format!("an array `{text}`"),
        Value::Object(_) => format!("an object `{text}`"),
    }
}
