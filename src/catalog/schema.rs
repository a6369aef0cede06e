//! Load stage: Frictionless Table Schema (v2, v1 forms accepted) as plain data. Parsing checks
//! what the validator relies on — known types, well-formed constraints, keys naming real fields —
//! and returns `Err(message)` with the property at fault, so the caller can locate it.

use serde::Serialize;
use serde_json::{Map, Value};

/// A field's type with its type-specific options.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum FieldType {
    String,
    Integer {
        bare_number: bool,
    },
    Number {
        decimal_char: char,
        group_char: Option<char>,
        bare_number: bool,
    },
    Boolean {
        true_values: Vec<String>,
        false_values: Vec<String>,
    },
    Date,
    Time,
    Datetime,
    Year,
    Yearmonth,
    Duration,
    Geopoint,
    Geojson,
    Object,
    Array,
    List {
        delimiter: String,
    },
    Any,
}

impl FieldType {
    /// The type's name as in the Table Schema specification.
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer { .. } => "integer",
            FieldType::Number { .. } => "number",
            FieldType::Boolean { .. } => "boolean",
            FieldType::Date => "date",
            FieldType::Time => "time",
            FieldType::Datetime => "datetime",
            FieldType::Year => "year",
            FieldType::Yearmonth => "yearmonth",
            FieldType::Duration => "duration",
            FieldType::Geopoint => "geopoint",
            FieldType::Geojson => "geojson",
            FieldType::Object => "object",
            FieldType::Array => "array",
            FieldType::List { .. } => "list",
            FieldType::Any => "any",
        }
    }
}

/// Field constraints. Bounds stay as JSON values and are interpreted in the field's type by the
/// validator.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Constraints {
    pub required: bool,
    pub unique: bool,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub minimum: Option<Value>,
    pub maximum: Option<Value>,
    pub exclusive_minimum: Option<Value>,
    pub exclusive_maximum: Option<Value>,
    pub pattern: Option<String>,
    #[serde(rename = "enum")]
    pub enumeration: Option<Vec<Value>>,
}

/// One field (column).
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(flatten)]
    pub field_type: FieldType,
    /// `format`: for strings `email`, `uri`, `uuid`, `binary`; for dates a strftime pattern or
    /// `any`; `default` when absent.
    pub format: Option<String>,
    pub constraints: Constraints,
    /// Field-level missing values, overriding the schema's.
    pub missing_values: Option<Vec<String>>,
}

/// A foreign key: `fields` of this resource reference `reference.fields` of `reference.resource`
/// (empty or absent = this resource).
#[derive(Debug, Clone, Serialize)]
pub struct ForeignKey {
    pub fields: Vec<String>,
    pub resource: Option<String>,
    pub reference_fields: Vec<String>,
}

/// A Table Schema.
#[derive(Debug, Clone, Serialize)]
pub struct Schema {
    pub fields: Vec<Field>,
    pub missing_values: Vec<String>,
    pub primary_key: Vec<String>,
    pub unique_keys: Vec<Vec<String>>,
    pub foreign_keys: Vec<ForeignKey>,
}

type Parsed<T> = Result<T, String>;

/// Parsed schemas by their compact JSON, for one load of a catalogue: datasets share schemas
/// (the same Resolution 835 dataset in every hromada), and a national catalogue's 66,504
/// parsed copies took 190 MB where a few dozen differ.
#[derive(Debug, Default)]
pub struct Interner(std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Schema>>>);

impl Interner {
    /// The schema `value` describes: the one parsed before from the same JSON, or parsed now.
    pub fn parse(&self, value: &Value) -> Parsed<std::sync::Arc<Schema>> {
        let key = serde_json::to_string(value).unwrap_or_default();
        if let Some(known) = self.0.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(known);
        }
        let schema = std::sync::Arc::new(Schema::parse(value)?);
        if let Ok(mut m) = self.0.lock() {
            m.insert(key, schema.clone());
        }
        Ok(schema)
    }
}

fn strings(value: &Value, what: &str) -> Parsed<Vec<String>> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("`{what}` to be a list of strings"))
            })
            .collect(),
        _ => Err(format!("`{what}` to be a string or a list of strings")),
    }
}

fn opt_str(obj: &Map<String, Value>, key: &str) -> Parsed<Option<String>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{key}` to be a string")),
    }
}

fn opt_bool(obj: &Map<String, Value>, key: &str, default: bool) -> Parsed<bool> {
    match obj.get(key) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("`{key}` to be true or false")),
    }
}

fn one_char(obj: &Map<String, Value>, key: &str) -> Parsed<Option<char>> {
    match opt_str(obj, key)? {
        None => Ok(None),
        Some(s) if s.chars().count() == 1 => Ok(s.chars().next()),
        Some(s) => Err(format!("`{key}` to be a single character, not `{s}`")),
    }
}

fn field_type(obj: &Map<String, Value>) -> Parsed<FieldType> {
    let name = opt_str(obj, "type")?.unwrap_or_else(|| "string".to_owned());
    Ok(match name.as_str() {
        "string" => FieldType::String,
        "integer" => FieldType::Integer { bare_number: opt_bool(obj, "bareNumber", true)? },
        "number" => FieldType::Number {
            decimal_char: one_char(obj, "decimalChar")?.unwrap_or('.'),
            group_char: one_char(obj, "groupChar")?,
            bare_number: opt_bool(obj, "bareNumber", true)?,
        },
        "boolean" => FieldType::Boolean {
            true_values: obj.get("trueValues").map(|v| strings(v, "trueValues")).transpose()?
                .unwrap_or_else(|| ["true", "True", "TRUE", "1"].map(String::from).to_vec()),
            false_values: obj.get("falseValues").map(|v| strings(v, "falseValues")).transpose()?
                .unwrap_or_else(|| ["false", "False", "FALSE", "0"].map(String::from).to_vec()),
        },
        "date" => FieldType::Date,
        "time" => FieldType::Time,
        "datetime" => FieldType::Datetime,
        "year" => FieldType::Year,
        "yearmonth" => FieldType::Yearmonth,
        "duration" => FieldType::Duration,
        "geopoint" => FieldType::Geopoint,
        "geojson" => FieldType::Geojson,
        "object" => FieldType::Object,
        "array" => FieldType::Array,
        "list" => FieldType::List { delimiter: opt_str(obj, "delimiter")?.unwrap_or_else(|| ",".into()) },
        "any" => FieldType::Any,
        other => {
            return Err(format!(
                "`type` to be one of string, number, integer, boolean, object, array, list, date, time, datetime, year, yearmonth, duration, geopoint, geojson, any — not `{other}`"
            ))
        }
    })
}

fn length(obj: &Map<String, Value>, key: &str) -> Parsed<Option<usize>> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .map(|n| Some(n as usize))
            .ok_or_else(|| format!("`constraints.{key}` to be a whole number ≥ 0")),
    }
}

fn constraints(obj: &Map<String, Value>) -> Parsed<Constraints> {
    let Some(c) = obj.get("constraints") else {
        return Ok(Constraints::default());
    };
    let c = c.as_object().ok_or("`constraints` to be an object")?;
    let pattern = opt_str(c, "pattern").map_err(|e| format!("constraints: {e}"))?;
    if let Some(p) = &pattern {
        regex::Regex::new(&format!("^(?:{p})$"))
            .map_err(|e| format!("`constraints.pattern` to be a valid regular expression ({e})"))?;
    }
    let enumeration = match c.get("enum") {
        None => None,
        Some(Value::Array(items)) if !items.is_empty() => Some(items.clone()),
        Some(_) => return Err("`constraints.enum` to be a non-empty list".into()),
    };
    Ok(Constraints {
        required: opt_bool(c, "required", false).map_err(|e| format!("constraints: {e}"))?,
        unique: opt_bool(c, "unique", false).map_err(|e| format!("constraints: {e}"))?,
        min_length: length(c, "minLength")?,
        max_length: length(c, "maxLength")?,
        minimum: c.get("minimum").cloned(),
        maximum: c.get("maximum").cloned(),
        exclusive_minimum: c.get("exclusiveMinimum").cloned(),
        exclusive_maximum: c.get("exclusiveMaximum").cloned(),
        pattern,
        enumeration,
    })
}

fn field(value: &Value, index: usize) -> Parsed<Field> {
    let at = |e: String| format!("fields[{index}]: {e}");
    let obj = value
        .as_object()
        .ok_or_else(|| at("an object with at least `name`".into()))?;
    let name = opt_str(obj, "name")
        .map_err(at)?
        .ok_or_else(|| at("a `name`".into()))?;
    let at = |e: String| format!("field `{name}`: {e}");
    Ok(Field {
        title: opt_str(obj, "title").map_err(at)?,
        description: opt_str(obj, "description").map_err(at)?,
        field_type: field_type(obj).map_err(at)?,
        format: opt_str(obj, "format").map_err(at)?,
        constraints: constraints(obj).map_err(at)?,
        missing_values: obj
            .get("missingValues")
            .map(|v| strings(v, "missingValues"))
            .transpose()
            .map_err(at)?,
        name,
    })
}

fn key_list(value: &Value, what: &str, fields: &[Field]) -> Parsed<Vec<String>> {
    let names = strings(value, what)?;
    for n in &names {
        if !fields.iter().any(|f| &f.name == n) {
            return Err(format!(
                "`{what}` to name fields of the schema; there is no field `{n}`"
            ));
        }
    }
    Ok(names)
}

fn foreign_key(value: &Value, fields: &[Field]) -> Parsed<ForeignKey> {
    let obj = value
        .as_object()
        .ok_or("each of `foreignKeys` to be an object")?;
    let own = key_list(
        obj.get("fields").ok_or("`foreignKeys[].fields`")?,
        "foreignKeys[].fields",
        fields,
    )?;
    let reference = obj
        .get("reference")
        .and_then(Value::as_object)
        .ok_or("`foreignKeys[].reference` to be an object")?;
    let reference_fields = strings(
        reference
            .get("fields")
            .ok_or("`foreignKeys[].reference.fields`")?,
        "foreignKeys[].reference.fields",
    )?;
    if reference_fields.len() != own.len() {
        return Err("`foreignKeys[].fields` and `reference.fields` to have the same length".into());
    }
    Ok(ForeignKey {
        fields: own,
        resource: opt_str(reference, "resource")?.filter(|r| !r.is_empty()),
        reference_fields,
    })
}

impl Schema {
    /// Parses a Table Schema descriptor.
    pub fn parse(value: &Value) -> Parsed<Schema> {
        let obj = value
            .as_object()
            .ok_or("a Table Schema: a JSON object with `fields`")?;
        let fields = obj
            .get("fields")
            .and_then(Value::as_array)
            .ok_or("`fields` to be a list of fields")?
            .iter()
            .enumerate()
            .map(|(i, f)| field(f, i))
            .collect::<Parsed<Vec<Field>>>()?;
        // A set, not a scan of the fields before: a schema of 100,000 fields took minutes.
        let mut names = std::collections::HashSet::new();
        for f in &fields {
            if !names.insert(f.name.as_str()) {
                return Err(format!(
                    "field names to be unique; `{}` appears twice",
                    f.name
                ));
            }
        }
        let primary_key = obj
            .get("primaryKey")
            .map(|v| key_list(v, "primaryKey", &fields))
            .transpose()?
            .unwrap_or_default();
        let unique_keys = match obj.get("uniqueKeys") {
            None => Vec::new(),
            Some(Value::Array(keys)) => keys
                .iter()
                .map(|k| key_list(k, "uniqueKeys", &fields))
                .collect::<Parsed<_>>()?,
            Some(_) => return Err("`uniqueKeys` to be a list of field lists".into()),
        };
        let foreign_keys = match obj.get("foreignKeys") {
            None => Vec::new(),
            Some(Value::Array(keys)) => keys
                .iter()
                .map(|k| foreign_key(k, &fields))
                .collect::<Parsed<_>>()?,
            Some(_) => return Err("`foreignKeys` to be a list".into()),
        };
        Ok(Schema {
            missing_values: obj
                .get("missingValues")
                .map(|v| strings(v, "missingValues"))
                .transpose()?
                .unwrap_or_else(|| vec![String::new()]),
            fields,
            primary_key,
            unique_keys,
            foreign_keys,
        })
    }

    /// Index of the field named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_repeated_name_among_many_fields_is_found() {
        let mut fields: Vec<Value> = (0..100_000)
            .map(|i| json!({"name": format!("f{i}")}))
            .collect();
        assert!(Schema::parse(&json!({ "fields": fields.clone() })).is_ok());
        fields.push(json!({"name": "f99999"}));
        let err = Schema::parse(&json!({ "fields": fields })).unwrap_err();
        assert!(err.contains("`f99999` appears twice"), "{err}");
    }

    #[test]
    fn parses_and_rejects() {
        let ok = json!({"fields": [{"name": "id", "type": "integer", "constraints": {"required": true}},
                                   {"name": "amount", "type": "number", "decimalChar": ","}],
                        "primaryKey": "id", "missingValues": ["", "NA"]});
        let s = Schema::parse(&ok).unwrap();
        assert_eq!(s.primary_key, ["id"]);
        assert_eq!(
            s.fields[1].field_type,
            FieldType::Number {
                decimal_char: ',',
                group_char: None,
                bare_number: true
            }
        );
        let cases: &[(Value, &str)] = &[
            (json!([]), "a Table Schema"),
            (json!({"fields": [{"type": "string"}]}), "a `name`"),
            (
                json!({"fields": [{"name": "a", "type": "money"}]}),
                "not `money`",
            ),
            (
                json!({"fields": [{"name": "a"}, {"name": "a"}]}),
                "appears twice",
            ),
            (
                json!({"fields": [{"name": "a"}], "primaryKey": ["b"]}),
                "no field `b`",
            ),
            (
                json!({"fields": [{"name": "a", "constraints": {"pattern": "("}}]}),
                "valid regular expression",
            ),
            (
                json!({"fields": [{"name": "a", "constraints": {"minLength": -1}}]}),
                "whole number",
            ),
            (
                json!({"fields": [{"name": "a"}], "foreignKeys": [{"fields": ["a"], "reference": {"fields": ["x", "y"]}}]}),
                "same length",
            ),
        ];
        for (value, expected) in cases {
            let err = Schema::parse(value).unwrap_err();
            assert!(err.contains(expected), "{value}: {err}");
        }
    }
}
