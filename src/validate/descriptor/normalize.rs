//! Validate stage, descriptors: the normalisation frictionless-py 5.21.0 applies to a
//! descriptor before it checks the rules (`rules.rs`) — v1 shorthands expanded in place.

use serde_json::{Map, Value};

use super::DescriptorKind;

/// Rewrites the v1 shorthands frictionless expands before it validates: a one-name
/// `primaryKey` becomes a list, each foreign key gets list `fields`, a `reference` (empty by
/// default, with `resource: ""`) and list reference `fields`; a `fmt:` field format loses its prefix.
pub(super) fn normalize(doc: &mut Value, kind: DescriptorKind) {
    match kind {
        DescriptorKind::Package => {
            if let Some(Value::Array(resources)) = doc.get_mut("resources") {
                for resource in resources.iter_mut() {
                    if let Some(schema) = resource.get_mut("schema") {
                        normalize_schema(schema);
                    }
                }
            }
        }
        DescriptorKind::Resource => {
            if let Some(schema) = doc.get_mut("schema") {
                normalize_schema(schema);
            }
        }
        DescriptorKind::Schema => normalize_schema(doc),
        DescriptorKind::Dialect => {}
    }
}

fn normalize_schema(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(pk) = obj.get_mut("primaryKey") {
        if truthy(pk) && !pk.is_array() {
            *pk = Value::Array(vec![pk.take()]);
        }
    }
    if let Some(Value::Array(fks)) = obj.get_mut("foreignKeys") {
        for fk in fks.iter_mut().filter_map(Value::as_object_mut) {
            wrap(
                fk.entry("fields")
                    .or_insert_with(|| Value::Array(Vec::new())),
            );
            let reference = fk
                .entry("reference")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(reference) = reference.as_object_mut() {
                reference
                    .entry("resource")
                    .or_insert_with(|| Value::String(String::new()));
                wrap(
                    reference
                        .entry("fields")
                        .or_insert_with(|| Value::Array(Vec::new())),
                );
            }
        }
    }
    if let Some(Value::Array(fields)) = obj.get_mut("fields") {
        for field in fields.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(Value::String(format)) = field.get_mut("format") {
                if let Some(rest) = format.strip_prefix("fmt:") {
                    *format = rest.to_string();
                }
            }
        }
    }
}

fn wrap(value: &mut Value) {
    if !value.is_array() {
        *value = Value::Array(vec![value.take()]);
    }
}

/// Python truthiness, as frictionless tests `if primary_key`.
pub(super) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}
