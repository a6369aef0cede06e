//! The frictionless fixtures' verdicts, and one table per rule.

use serde_json::{json, Value};

use super::*;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/frictionless/"
);

fn types(errors: &[DescriptorError]) -> Vec<&'static str> {
    let mut types: Vec<&'static str> = errors.iter().map(|e| e.error_type).collect();
    types.sort_unstable();
    types
}

fn read_json(relative: &str) -> Value {
    let path = format!("{FIXTURES}{relative}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The descriptor cases of expected.json: (case, file, kind, expected types).
fn descriptor_cases() -> Vec<(String, String, DescriptorKind, Vec<String>)> {
    let expected = read_json("expected.json");
    let cases = expected["cases"]
        .as_array()
        .expect("expected.json has `cases`");
    let mut out = Vec::new();
    for case in cases {
        let kind = case["kind"].as_str().unwrap_or_default();
        let args: Vec<&str> = case["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let (file, descriptor_kind) = match kind {
            "package-descriptor" | "package" => (args[0], DescriptorKind::Package),
            "resource-descriptor" => (args[0], DescriptorKind::Resource),
            "schema-descriptor" => (args[0], DescriptorKind::Schema),
            "dialect-descriptor" => (args[0], DescriptorKind::Dialect),
            // The schema file given beside the data; the data itself is not a descriptor.
            "resource-fk" => match args.iter().position(|a| *a == "--schema") {
                Some(i) => (args[i + 1], DescriptorKind::Schema),
                None => continue,
            },
            _ => continue,
        };
        let mut want: Vec<String> = case["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[2].as_str().map(str::to_owned))
            .collect();
        want.sort_unstable();
        let name = case["case"].as_str().unwrap_or_default().to_string();
        out.push((name, file.to_string(), descriptor_kind, want));
    }
    out
}

#[test]
fn frictionless_fixtures_give_the_same_verdicts_and_error_types() {
    let cases = descriptor_cases();
    assert!(
        cases.len() >= 29,
        "only {} descriptor cases found",
        cases.len()
    );
    assert!(
        cases.iter().any(|c| c.0.starts_with("inline")),
        "the inline case is missing"
    );
    let mut wrong = Vec::new();
    for (name, file, kind, want) in &cases {
        let errors = check(&read_json(file), *kind);
        if types(&errors) != *want {
            wrong.push(format!("{name}: want {want:?}, got {errors:#?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

#[test]
fn notes_start_lowercase_and_pointers_exist() {
    for (name, file, kind, _) in descriptor_cases() {
        let value = read_json(&file);
        for e in check(&value, kind) {
            assert!(
                e.note.starts_with(|c: char| c.is_lowercase()),
                "{name}: {}",
                e.note
            );
            assert!(
                e.pointer.is_empty() || value.pointer(&e.pointer).is_some(),
                "{name}: {}",
                e.pointer
            );
        }
    }
}

fn package(resources: Value) -> Value {
    json!({"name": "p", "resources": resources})
}

fn one(value: &Value, kind: DescriptorKind) -> DescriptorError {
    let errors = check(value, kind);
    assert_eq!(errors.len(), 1, "want one error, got {errors:#?}");
    errors[0].clone()
}

#[test]
fn resource_paths_stay_inside_the_folder() {
    let v2 = "https://datapackage.org/profiles/2.0/datapackage.json";
    let cases = [
        (None, "/etc/passwd", "/resources/0/path"),
        (None, "data/../../x.csv", "/resources/0/path"),
        (None, "~/x.csv", "/resources/0/path"),
        (Some(v2), "/etc/passwd", "/resources/0/path"),
        (Some(v2), "a/..", "/resources/0/path"),
        (Some(v2), "C:/data/x.csv", "/resources/0/path"),
        (Some(v2), "\\\\server\\x.csv", "/resources/0/path"),
        (Some(v2), "file:///etc/passwd", "/resources/0/path"),
        (Some(v2), "$HOME/x.csv", "/resources/0/path"),
    ];
    for (schema, path, pointer) in cases {
        let mut pkg = package(json!([{"name": "table", "path": path}]));
        if let Some(url) = schema {
            pkg["$schema"] = json!(url);
        }
        let e = one(&pkg, DescriptorKind::Package);
        assert_eq!(
            (e.error_type, e.pointer.as_str()),
            ("resource-error", pointer),
            "{path}"
        );
        assert!(
            e.note
                .starts_with("resource `table`: `path` must be relative"),
            "{}",
            e.note
        );
        assert!(e.note.contains(&format!("found `{path}`")), "{}", e.note);
    }
    let multi = package(json!([{"name": "t", "path": ["a.csv", "b/../../c.csv"]}]));
    assert_eq!(
        one(&multi, DescriptorKind::Package).pointer,
        "/resources/0/path/1"
    );
    let schema_path = package(json!([{"name": "t", "path": "a.csv", "schema": "../schema.json"}]));
    assert_eq!(
        one(&schema_path, DescriptorKind::Package).pointer,
        "/resources/0/schema"
    );
    for fine in [
        "data/x.csv",
        "x.csv",
        "a..b.csv",
        "https://example.org/x.csv",
    ] {
        let mut pkg = package(json!([{"name": "t", "path": fine}]));
        pkg["$schema"] = json!(v2);
        assert_eq!(check(&pkg, DescriptorKind::Package), vec![], "{fine}");
    }
}

#[test]
fn path_and_data_rules() {
    let cases = [
        (
            json!({"name": "t", "path": "a.csv", "data": [[1]]}),
            "both `path` and `data`",
            "/resources/0/data",
        ),
        (
            json!({"name": "t"}),
            "neither `path` nor `data`",
            "/resources/0",
        ),
        (json!({"path": "a.csv"}), "has no `name`", "/resources/0"),
        (
            json!({"name": "t", "data": "x"}),
            "inline `data` must be an array",
            "/resources/0/data",
        ),
    ];
    for (resource, says, pointer) in cases {
        let e = one(&package(json!([resource])), DescriptorKind::Package);
        assert_eq!(e.error_type, "resource-error");
        assert!(e.note.contains(says), "{}", e.note);
        assert_eq!(e.pointer, pointer);
    }
    assert_eq!(
        check(
            &json!({"name": "t", "data": [{"a": 1}]}),
            DescriptorKind::Resource
        ),
        vec![]
    );
}

#[test]
fn resource_names_are_unique() {
    let pkg = package(json!([{"name": "a", "path": "a.csv"}, {"name": "a", "path": "b.csv"}]));
    let e = one(&pkg, DescriptorKind::Package);
    assert_eq!(
        (e.error_type, e.pointer.as_str()),
        ("package-error", "/resources/1/name")
    );
    assert!(
        e.note.contains("`a` is used by more than one resource"),
        "{}",
        e.note
    );
    let fine = package(json!([{"name": "a", "path": "a.csv"}, {"name": "b", "path": "b.csv"}]));
    assert_eq!(check(&fine, DescriptorKind::Package), vec![]);
}

#[test]
fn keys_name_existing_fields() {
    let fields = json!([{"name": "id", "type": "integer"}, {"name": "title"}]);
    let cases = [
        (
            json!({"fields": fields, "primaryKey": ["id", "titel"]}),
            "primary key field `titel`",
            "/primaryKey",
        ),
        (
            json!({"fields": fields, "primaryKey": "nope"}),
            "primary key field `nope`",
            "/primaryKey",
        ),
        (
            json!({"fields": fields, "uniqueKeys": [["id"], ["zz"]]}),
            "unique key #2 uses field `zz`",
            "/uniqueKeys/1",
        ),
        (
            json!({"fields": fields, "foreignKeys": [{"fields": ["id", "title"], "reference": {"resource": "r", "fields": "no"}}]}),
            "has 2 field(s) (`id`, `title`) but its reference has 1 (`no`)",
            "/foreignKeys/0",
        ),
        (
            json!({"fields": fields, "foreignKeys": [{"fields": "ghost", "reference": {"resource": "r", "fields": "id"}}]}),
            "uses field `ghost`",
            "/foreignKeys/0/fields",
        ),
        (
            json!({"fields": fields, "foreignKeys": [{"fields": "id"}]}),
            "`foreignKeys[0].reference` is missing",
            "/foreignKeys/0",
        ),
        (
            json!({"fields": [{"name": "a"}, {"name": "a"}]}),
            "field names must be unique",
            "/fields",
        ),
    ];
    for (schema, says, pointer) in cases {
        let e = one(&schema, DescriptorKind::Schema);
        assert_eq!(e.error_type, "schema-error", "{}", e.note);
        assert!(e.note.contains(says), "{}", e.note);
        assert_eq!(e.pointer, pointer, "{}", e.note);
    }
    let fine = json!({"fields": fields, "primaryKey": "id", "uniqueKeys": [["id", "title"]],
        "foreignKeys": [{"fields": "id", "reference": {"resource": "", "fields": "id"}}]});
    assert_eq!(check(&fine, DescriptorKind::Schema), vec![]);
}

#[test]
fn version_comes_from_schema_then_profile_then_v1() {
    let v1 = |v: Value| Version::of(&v) == Version::V1;
    assert!(v1(json!({})));
    assert!(v1(json!({"profile": "tabular-data-package"})));
    assert!(v1(
        json!({"$schema": "https://datapackage.org/profiles/1.0/datapackage.json"})
    ));
    assert!(!v1(
        json!({"$schema": "https://datapackage.org/profiles/2.0/datapackage.json"})
    ));
    assert!(!v1(
        json!({"$schema": "https://example.org/my-profile.json"})
    ));
    assert!(!v1(
        json!({"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "profile": "data-package"})
    ));
    // v1 names are lowercase; v2 names are free.
    let named = |extra: Value| {
        let mut pkg = json!({"name": "My Package", "resources": [{"name": "a", "path": "a.csv"}]});
        if let (Some(pkg), Some(extra)) = (pkg.as_object_mut(), extra.as_object()) {
            pkg.extend(extra.clone());
        }
        check(&pkg, DescriptorKind::Package)
    };
    assert_eq!(types(&named(json!({}))), ["package-error"]);
    assert_eq!(
        types(&named(json!({"profile": "data-package"}))),
        ["package-error"]
    );
    assert_eq!(
        named(json!({"$schema": "https://datapackage.org/profiles/2.0/datapackage.json"})),
        vec![]
    );
    // exclusive bounds are v2 only; fieldsMatch is one string in v2.
    let bounds = json!({"fields": [{"name": "n", "type": "integer", "constraints": {"exclusiveMinimum": 0}}]});
    assert_eq!(
        types(&check(&bounds, DescriptorKind::Schema)),
        ["field-error"]
    );
    let mut bounds_v2 = bounds.clone();
    bounds_v2["$schema"] = json!("https://datapackage.org/profiles/2.0/tableschema.json");
    bounds_v2["fieldsMatch"] = json!("equal");
    assert_eq!(check(&bounds_v2, DescriptorKind::Schema), vec![]);
}

#[test]
fn field_rules() {
    let v2 = "https://datapackage.org/profiles/2.0/tableschema.json";
    let list = json!({"name": "tags", "type": "list", "delimiter": ";", "itemType": "string"});
    for schema in [
        json!({"fields": [list]}),
        json!({"$schema": v2, "fields": [list]}),
    ] {
        assert_eq!(check(&schema, DescriptorKind::Schema), vec![], "{schema}");
    }
    let cases = [
        (
            json!({"name": "a", "type": "magical_unicorn"}),
            "type `magical_unicorn` is not supported",
            "/fields/0/type",
        ),
        (
            json!({"name": "a", "type": 5}),
            "type `5` is not supported",
            "/fields/0/type",
        ),
        (
            json!({"name": "a", "required": true}),
            "`required` belongs inside `constraints`",
            "/fields/0/required",
        ),
        (
            json!({"name": "a", "type": "integer", "constraints": {"pattern": "x"}}),
            "constraint `pattern` is not supported by type `integer`",
            "/fields/0/constraints/pattern",
        ),
        (
            json!({"name": "a", "type": "list", "constraints": {"enum": ["x"]}}),
            "constraint `enum` is not supported by type `list`",
            "/fields/0/constraints/enum",
        ),
        (
            json!({"name": "a", "format": "nonsense"}),
            "`format` must be one of `default`",
            "/fields/0/format",
        ),
        (
            json!({"type": "string"}),
            "is missing the required property `name`",
            "/fields/0",
        ),
    ];
    for (field, says, pointer) in cases {
        let schema = json!({"$schema": v2, "fields": [field, {"name": "b"}]});
        let e = one(&schema, DescriptorKind::Schema);
        assert_eq!(e.error_type, "field-error", "{}", e.note);
        assert!(e.note.contains(says), "{}", e.note);
        assert_eq!(e.pointer, pointer, "{}", e.note);
    }
}

#[test]
fn misplaced_schema_properties() {
    let pkg = json!({"name": "p", "resources": [{"name": "a", "path": "a.csv"}], "missingValues": ["NA"]});
    let e = one(&pkg, DescriptorKind::Package);
    assert_eq!(
        (e.error_type, e.pointer.as_str()),
        ("package-error", "/missingValues")
    );
    assert!(e
        .note
        .contains("\"missingValues\" should be set as \"resource.schema.missingValues\""));
    let res = json!({"name": "a", "path": "a.csv", "missingValues": ["NA"]});
    assert_eq!(
        one(&res, DescriptorKind::Resource).error_type,
        "resource-error"
    );
    let res = json!({"name": "a", "path": "a.csv", "fields": [{"name": "x"}]});
    assert_eq!(one(&res, DescriptorKind::Resource).pointer, "/fields");
}

#[test]
fn nested_descriptors_are_checked_where_they_are() {
    let pkg = package(json!([{"name": "t", "path": "t.csv",
        "schema": {"fields": [{"name": "x", "type": "integer", "constraints": {"minimum": true}}]},
        "dialect": {"header": "yes"}}]));
    let errors = check(&pkg, DescriptorKind::Package);
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.error_type, e.pointer.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "field-error",
                "/resources/0/schema/fields/0/constraints/minimum"
            ),
            ("dialect-error", "/resources/0/dialect/header")
        ]
    );
    assert!(
        errors[0]
            .note
            .starts_with("resource `t`, field `x`: `constraints.minimum`"),
        "{}",
        errors[0].note
    );
}

#[test]
fn not_an_object_is_one_error_of_the_kind() {
    for (kind, error_type) in [
        (DescriptorKind::Package, "package-error"),
        (DescriptorKind::Resource, "resource-error"),
        (DescriptorKind::Schema, "schema-error"),
        (DescriptorKind::Dialect, "dialect-error"),
    ] {
        for value in [json!([]), json!("x"), json!(null), json!(3)] {
            let e = one(&value, kind);
            assert_eq!((e.error_type, e.pointer.as_str()), (error_type, ""));
            assert!(e.note.contains("must be a JSON object"), "{}", e.note);
        }
    }
}

#[test]
fn detect_kind_by_keys() {
    let cases = [
        (json!({"resources": []}), Some(DescriptorKind::Package)),
        (json!({"fields": []}), Some(DescriptorKind::Schema)),
        (json!({"primaryKey": "id"}), Some(DescriptorKind::Schema)),
        (
            json!({"path": "a.csv", "missingValues": [""]}),
            Some(DescriptorKind::Resource),
        ),
        (json!({"data": []}), Some(DescriptorKind::Resource)),
        (json!({"delimiter": ";"}), Some(DescriptorKind::Dialect)),
        (json!({"header": false}), Some(DescriptorKind::Dialect)),
        (json!({"title": "x"}), None),
        (json!([1]), None),
    ];
    for (value, kind) in cases {
        assert_eq!(detect_kind(&value), kind, "{value}");
    }
}

#[test]
fn odd_values_do_not_panic() {
    let odd = [
        json!({"resources": [1, "x", null, {"schema": {"fields": [1, {"name": 5, "type": []}]}}]}),
        json!({"resources": {"a": 1}, "missingValues": 3}),
        json!({"fields": "x", "primaryKey": {"a": 1}, "foreignKeys": [1, {"fields": {}, "reference": 3}]}),
        json!({"fields": [{"name": "a"}], "missingValues": [{"value": "x"}, {"value": "x", "label": 1}]}),
        json!({"name": "r", "path": [1, "~"], "schema": "/s.json", "dialect": 5}),
        json!({"name": "r", "path": "€/../€", "data": {}}),
    ];
    for value in odd {
        for kind in [
            DescriptorKind::Package,
            DescriptorKind::Resource,
            DescriptorKind::Schema,
            DescriptorKind::Dialect,
        ] {
            for e in check(&value, kind) {
                assert!(!e.note.is_empty());
            }
        }
    }
}

#[test]
fn profile_repairs() {
    // The 2.0 text allows a dialect path; the 1.0 dialect needs neither delimiter nor doubleQuote.
    let v2 = json!({"$schema": "https://datapackage.org/profiles/2.0/dataresource.json",
        "name": "a", "path": "a.csv", "dialect": "dialect.json"});
    assert_eq!(check(&v2, DescriptorKind::Resource), vec![]);
    let v1 = json!({"name": "a", "path": "a.csv", "dialect": {"header": false}});
    assert_eq!(check(&v1, DescriptorKind::Resource), vec![]);
    let v2_object_only = json!({"$schema": "https://datapackage.org/profiles/2.0/dataresource.json",
        "name": "a", "path": "a.csv", "dialect": 5});
    assert_eq!(
        types(&check(&v2_object_only, DescriptorKind::Resource)),
        ["resource-error"]
    );
    // frictionless accepts empty lists of resources and fields; the profiles do not.
    assert_eq!(
        check(&json!({"resources": []}), DescriptorKind::Package),
        vec![]
    );
    assert_eq!(
        check(&json!({"fields": []}), DescriptorKind::Schema),
        vec![]
    );
}

#[test]
fn v1_dialects_get_frictionless_property_types() {
    let dialect = json!({"header": true, "headerRows": "1", "headerJoin": " "});
    let e = one(&dialect, DescriptorKind::Dialect);
    assert_eq!(
        (e.error_type, e.pointer.as_str()),
        ("dialect-error", "/headerRows")
    );
    let fine =
        json!({"delimiter": ";", "headerRows": [1], "commentRows": [2], "skipBlankRows": true});
    assert_eq!(check(&fine, DescriptorKind::Dialect), vec![]);
}
