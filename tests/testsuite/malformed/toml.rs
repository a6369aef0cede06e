//! Hostile TOML: the fixture's `catalog.toml` or a `publisher.toml` replaced, for `check` (and
//! `catalog.toml` for `territories import`, which reads it first).

use super::{cases, check, file, import, put, CATALOG, PUBLISHER};
use crate::support::Project;

/// How `check` names the fixture's files.
const SHOWN_CATALOG: &str = "`catalog.toml`";
const SHOWN_PUBLISHER: &str = "`publishers/vinnytska-miska-rada/publisher.toml`";

/// `rel` from `tests/malformed/toml/<name>.toml`, for `check`.
fn toml(p: &Project, rel: &str, name: &str) -> Vec<String> {
    check(p, rel, file(&format!("toml/{name}.toml")))
}

cases! {
    catalog_unclosed_table: 1, [SHOWN_CATALOG, "row 5", "table header"], |p| toml(p, CATALOG, "catalog_unclosed_table");
    catalog_unterminated_string: 1, [SHOWN_CATALOG, "row 7"], |p| toml(p, CATALOG, "catalog_unterminated_string");
    catalog_duplicate_key: 1, [SHOWN_CATALOG, "row 4", "duplicate key"], |p| toml(p, CATALOG, "catalog_duplicate_key");
    catalog_duplicate_table: 1, [SHOWN_CATALOG, "row 17", "duplicate key"], |p| toml(p, CATALOG, "catalog_duplicate_table");
    catalog_wrong_type: 1, [SHOWN_CATALOG, "row 2", "expected a string"], |p| toml(p, CATALOG, "catalog_wrong_type");
    catalog_unknown_key: 1, [SHOWN_CATALOG, "row 16", "unknown field `registery`"], |p| toml(p, CATALOG, "catalog_unknown_key");
    catalog_missing_required: 1, [SHOWN_CATALOG, "row 1", "missing field `base_url`"], |p| toml(p, CATALOG, "catalog_missing_required");
    catalog_empty: 1, [SHOWN_CATALOG, "row 1", "missing field"], |p| toml(p, CATALOG, "catalog_empty");
    catalog_nul_byte: 1, [SHOWN_CATALOG, "row 2"], |p| toml(p, CATALOG, "catalog_nul_byte");
    catalog_invalid_utf8_for_import: 1, [SHOWN_CATALOG, "row 3", "UTF-8"], |p| {
        put(p, "src/catalog.toml", [b"base_url = \"x\"\n\n".as_slice(), b"\xff = 1\n"].concat());
        import(p, "kodifikator-2026-01-01.csv", "Перший рівень\n")
    };
    publisher_wrong_type: 1, [SHOWN_PUBLISHER, "row 1", "expected a string"], |p| toml(p, PUBLISHER, "publisher_wrong_type");
    publisher_missing_name: 1, [SHOWN_PUBLISHER, "missing field `name`"], |p| toml(p, PUBLISHER, "publisher_missing_name");
    publisher_duplicate_table: 1, [SHOWN_PUBLISHER, "row 12", "duplicate key"], |p| toml(p, PUBLISHER, "publisher_duplicate_table");
    publisher_bad_escape: 1, [SHOWN_PUBLISHER, "row 3", "escape"], |p| toml(p, PUBLISHER, "publisher_bad_escape");
    publisher_inline_table_unclosed: 1, [SHOWN_PUBLISHER, "row 9"], |p| toml(p, PUBLISHER, "publisher_inline_table_unclosed");
    publisher_json_instead_of_toml: 1, [SHOWN_PUBLISHER, "row 1"], |p| toml(p, PUBLISHER, "publisher_json_instead_of_toml");
    publisher_windows_1251: 1, [SHOWN_PUBLISHER, "row 6", "UTF-8"], |p| toml(p, PUBLISHER, "publisher_windows_1251");
}
