//! Hostile descriptors: the fixture's `datapackage.json` replaced or edited (for `check`), or a
//! package, schema or dialect given to `validate`.

use super::{cases, check, file, validate, BUDGET};
use crate::support::Project;

/// How `check` names the fixture's descriptor.
const SHOWN: &str = "`publishers/vinnytska-miska-rada/budget/datapackage.json`";

/// `datapackage.json` from `tests/malformed/descriptor/<name>.json`, for `check`.
fn package(p: &Project, name: &str) -> Vec<String> {
    check(p, BUDGET, file(&format!("descriptor/{name}.json")))
}

/// The fixture's descriptor with `from` replaced by `to`, for `check`.
fn edit(p: &Project, from: &str, to: &str) -> Vec<String> {
    p.edit(BUDGET, from, to);
    crate::malformed::args(&["check", "--source", "src"])
}

/// `{"a": {"a": … 1 …}}` nested `depth` deep under a resource's `schema`.
fn nested(depth: usize) -> String {
    let deep = format!("{}1{}", "{\"a\": ".repeat(depth), "}".repeat(depth));
    format!(r#"{{"name": "p", "resources": [{{"name": "r", "path": "t.csv", "schema": {deep}}}]}}"#)
}

/// `{"<key>": [item(0), …, item(99999)]}`, `{i}` in `item` standing for the index.
fn many(key: &str, item: &str) -> String {
    let items: Vec<String> = (0..100_000)
        .map(|i| item.replace("{i}", &i.to_string()))
        .collect();
    format!(r#"{{"name": "p", "{key}": [{}]}}"#, items.join(", "))
}

const FIELD_TOTAL: &str =
    r#"{"name": "total", "type": "number", "title": "Доходи, грн", "constraints": {"minimum": 0}}"#;

cases! {
    trailing_commas: 1, [SHOWN, "row 6", "trailing comma"], |p| package(p, "trailing_commas");
    comments: 1, [SHOWN, "row 6"], |p| package(p, "comments");
    truncated: 1, [SHOWN, "row 17", "EOF"], |p| package(p, "truncated");
    unquoted_key: 1, [SHOWN, "row 4"], |p| package(p, "unquoted_key");
    single_quotes: 1, [SHOWN, "row 4"], |p| package(p, "single_quotes");
    number_out_of_range: 1, [SHOWN, "row 18", "out of range"], |p| package(p, "number_out_of_range");
    empty_object: 1, [SHOWN, "row 1", "field `resources`"], |p| package(p, "empty_object");
    array_at_top_level: 1, [SHOWN, "field `(root)`", "row 1"], |p| package(p, "array_at_top_level");
    empty_file: 1, [SHOWN, "row 1", "EOF"], |p| package(p, "empty");
    two_documents: 1, [SHOWN, "row 42", "trailing characters"], |p| package(p, "two_documents");
    nul_byte: 1, [SHOWN, "row 5", "control character"], |p| package(p, "nul_byte");
    windows_1251: 1, [SHOWN, "row 4", "UTF-8"], |p| package(p, "windows_1251");
    nested_100_000_deep: 1, ["`deep.json`", "row 1", "recursion limit"], |p| validate(p, "deep.json", nested(100_000), &[]);
    hundred_thousand_resources: 1, ["`t0.csv`", "an existing file", "100000 problem(s)"], |p| validate(p, "many.json", many("resources", r#"{"name": "r{i}", "path": "t{i}.csv"}"#), &[]);
    hundred_thousand_fields: 1, ["`t.csv`", "row 1", "field `f1` (column 2)", "99999 problem(s)"], |p| {
        crate::malformed::put(p, "t.csv", "f0\n1\n");
        let fields = many("fields", r#"{"name": "f{i}", "type": "integer"}"#);
        validate(p, "many.json", format!(r#"{{"name": "p", "resources": [{{"name": "r", "path": "t.csv", "schema": {fields}}}]}}"#), &[])
    };
    title_is_a_number: 1, [SHOWN, "field `title`", "row 4"], |p| edit(p, r#""title": "Доходи бюджету громади""#, r#""title": 5"#);
    keywords_is_a_string: 1, [SHOWN, "field `keywords`", "row 6"], |p| edit(p, r#""keywords": ["бюджет"]"#, r#""keywords": "бюджет""#);
    licenses_is_a_string: 1, [SHOWN, "field `licenses`", "row 7"], |p| edit(p, r#""licenses": [{"#, r#""licenses": "CC-BY-4.0", "x": [{"#);
    resources_is_a_number: 1, [SHOWN, "field `resources`", "row 8"], |p| edit(p, r#""resources": ["#, r#""resources": 7, "x": ["#);
    resource_path_is_a_list: 1, [SHOWN, "field `resources[0].path`", "row 11"], |p| edit(p, r#""path": "revenues.csv""#, r#""path": ["revenues.csv"]"#);
    resource_path_is_empty: 1, [SHOWN, "field `resources[0].path`", "row 11"], |p| edit(p, r#""path": "revenues.csv""#, r#""path": """#);
    resource_path_is_a_folder: 1, [SHOWN, "field `resources[0].path`", "folder", "row 11"], |p| edit(p, r#""path": "revenues.csv""#, r#""path": ".""#);
    resource_bytes_is_huge: 1, [SHOWN, "field `resources[0].bytes`", "row 11"], |p| edit(p, r#""path": "revenues.csv""#, r#""path": "revenues.csv", "bytes": 123456789012345678901234567890"#);
    resource_names_repeat: 1, [SHOWN, "field `resources[1].name`", "row 26"], |p| edit(p, r#""name": "notes""#, r#""name": "revenues""#);
    unknown_encoding: 1, [SHOWN, "row 14", "field `resources[0].encoding`", "klingon"], |p| edit(p, r#""encoding": "utf-8""#, r#""encoding": "klingon""#);
    dialect_delimiter_too_long: 1, [SHOWN, "field `resources[0].dialect`", "row 14"], |p| edit(p, r#""encoding": "utf-8","#, r#""encoding": "utf-8", "dialect": {"delimiter": ";;"},"#);
    schema_file_missing: 1, [SHOWN, "field `resources[0].schema`", "schema.json", "row 15"], |p| edit(p, r#""schema": {"#, r#""schema": "schema.json", "x": {"#);
    schema_fields_is_an_object: 1, [SHOWN, "field `resources[0].schema`", "`fields`", "row 15"], |p| edit(p, r#""fields": ["#, r#""fields": {}, "x": ["#);
    field_type_is_a_number: 1, [SHOWN, "field `resources[0].schema`", "`type`", "row 15"], |p| edit(p, r#""type": "year""#, r#""type": 7"#);
    field_name_is_a_number: 1, [SHOWN, "field `resources[0].schema`", "`name`", "row 15"], |p| edit(p, r#"{"name": "year""#, r#"{"name": 2021"#);
    field_names_repeat: 1, [SHOWN, "field `resources[0].schema`", "`year` appears twice", "row 15"], |p| edit(p, r#"{"name": "source""#, r#"{"name": "year""#);
    required_is_a_string: 1, [SHOWN, "field `resources[0].schema`", "`required`", "row 15"], |p| edit(p, r#""constraints": {"required": true}"#, r#""constraints": {"required": "yes"}"#);
    bad_regex_pattern: 1, [SHOWN, "field `resources[0].schema`", "regular expression", "row 15"], |p| edit(p, r#""constraints": {"minimum": 0}"#, r#""constraints": {"pattern": "([0-"}"#);
    regex_too_big: 1, [SHOWN, "field `resources[0].schema`", "size limit", "row 15"], |p| edit(p, r#""constraints": {"minimum": 0}"#, r#""constraints": {"pattern": "(a{1000}){1000}"}"#);
    primary_key_names_unknown_field: 1, [SHOWN, "field `resources[0].schema`", "`nope`", "row 15"], |p| edit(p, r#""primaryKey": ["year", "source"]"#, r#""primaryKey": ["year", "nope"]"#);
    primary_key_is_a_number: 1, [SHOWN, "field `resources[0].schema`", "`primaryKey`", "row 15"], |p| edit(p, r#""primaryKey": ["year", "source"]"#, r#""primaryKey": 5"#);
    foreign_key_names_unknown_field: 1, [SHOWN, "field `resources[0].schema`", "`nope`", "row 15"], |p| {
        edit(p, r#""primaryKey": ["year", "source"]"#, r#""foreignKeys": [{"fields": ["nope"], "reference": {"resource": "", "fields": ["year"]}}]"#)
    };
    hromadata_is_a_list: 1, [SHOWN, "field `hromadata`", "row 32"], |p| edit(p, r#""hromadata": {"#, r#""hromadata": [], "x": {"#);
    hromadata_property_misspelt: 1, [SHOWN, "row 35", "field `hromadata.frequncy`"], |p| edit(p, r#""frequency": "yearly""#, r#""frequncy": "yearly""#);
    unknown_top_level_property_is_allowed_but_bad_name_is_not: 1, [SHOWN, "row 3", "field `name`"], |p| edit(p, r#""name": "vinnytsia-budget","#, r#""name": "Vinnytsia Budget", "x-colour": "red","#);
    spatial_is_a_string: 1, [SHOWN, "field `hromadata.spatial`", "row 38"], |p| edit(p, r#""spatial": ["UA05020030000031457"]"#, r#""spatial": "UA05020030000031457""#);
    schema_given_to_validate_is_broken: 1, ["`schema.json`", "row 1"], |p| {
        crate::malformed::put(p, "schema.json", format!("{{\"fields\": [{FIELD_TOTAL},]}}"));
        validate(p, "t.csv", "total\n1\n", &["--schema", "schema.json"])
    };
    dialect_given_to_validate: 1, ["`dialect.json`", "delimiter"], |p| validate(p, "dialect.json", r#"{"delimiter": 5, "header": "yes"}"#, &[]);
}
