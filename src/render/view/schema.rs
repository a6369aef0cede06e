//! Stage 4, render: a resource's schema as the dataset page shows it — one row per field, with
//! its constraints written out in the page's language — and the `schema_rows` filter that writes
//! those rows. Pure: from `catalog::schema` to display strings and HTML.

use serde::Serialize;

use super::Lang;
use crate::catalog::schema::{Field, Schema};
use crate::render::format::push_value;
use crate::render::loops::{field as attr, push_field};

/// One field of a schema, for the schema table.
#[derive(Debug, Serialize)]
pub struct FieldView {
    pub name: String,
    pub title: Option<String>,
    pub field_type: String,
    pub constraints: Vec<String>,
    pub description: Option<String>,
}

/// A field as the schema table shows it: its constraints written out in the page's language.
pub(super) fn field(f: &Field, schema: &Schema, lang: &Lang) -> FieldView {
    let c = &f.constraints;
    let mut constraints = Vec::new();
    if schema.primary_key.contains(&f.name) {
        constraints.push(lang.msg("dataset.primary_key"));
    }
    if c.required {
        constraints.push(lang.msg("dataset.required"));
    }
    if c.unique {
        constraints.push(lang.msg("dataset.unique"));
    }
    let bounds = [
        ("minLength", c.min_length.map(|n| n.to_string())),
        ("maxLength", c.max_length.map(|n| n.to_string())),
    ];
    let values = [
        ("minimum", &c.minimum),
        ("maximum", &c.maximum),
        ("exclusiveMinimum", &c.exclusive_minimum),
        ("exclusiveMaximum", &c.exclusive_maximum),
    ];
    constraints.extend(
        bounds
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}"))),
    );
    constraints.extend(values.into_iter().filter_map(|(k, v)| {
        v.as_ref().map(|v| {
            format!(
                "{k}: {}",
                v.as_str().map_or_else(|| v.to_string(), str::to_owned)
            )
        })
    }));
    if let Some(p) = &c.pattern {
        constraints.push(format!("pattern: {p}"));
    }
    if let Some(e) = &c.enumeration {
        let items: Vec<String> = e
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        constraints.push(format!("enum: {}", items.join(", ")));
    }
    let field_type = match f.format.as_deref() {
        Some(fmt) if fmt != "default" => format!("{} ({fmt})", f.field_type.name()),
        _ => f.field_type.name().to_owned(),
    };
    FieldView {
        name: f.name.clone(),
        title: f.title.clone(),
        field_type,
        constraints,
        description: f.description.clone(),
    }
}

/// The `schema_rows` filter: a file's fields (`r.fields`) as the schema table's rows, the same
/// bytes as the default theme's loop wrote (each row on a line of its own, indented):
///
/// ```text
/// <tr><th scope="row"><code>{{ f.name }}</code></th><td lang="uk">{{ f.title or "" }}</td>
/// <td>{{ f.field_type }}</td><td>{{ f.constraints|join("; ") }}</td>
/// <td lang="uk">{{ f.description or "" }}</td></tr>
/// ```
///
/// A template loop costs about a microsecond a row (see `profile_rows`).
pub fn schema_rows(fields: &minijinja::Value) -> Result<minijinja::Value, minijinja::Error> {
    let mut html = String::with_capacity(fields.len().unwrap_or(0) * 256);
    for f in fields.try_iter()? {
        html.push_str("\n      <tr><th scope=\"row\"><code>");
        push_field(&mut html, &f, "name", SCHEMA_ROWS)?;
        html.push_str("</code></th><td lang=\"uk\">");
        push_truthy(&mut html, &f, "title")?;
        html.push_str("</td><td>");
        push_field(&mut html, &f, "field_type", SCHEMA_ROWS)?;
        html.push_str("</td><td>");
        // What `join("; ")` writes: each item as the formatter writes it (a safe one as it is), the
        // plain separator between them.
        for (i, c) in attr(&f, "constraints", SCHEMA_ROWS)?
            .try_iter()?
            .enumerate()
        {
            if i > 0 {
                html.push_str("; ");
            }
            push_value(&mut html, &c);
        }
        html.push_str("</td><td lang=\"uk\">");
        push_truthy(&mut html, &f, "description")?;
        html.push_str("</td></tr>");
    }
    Ok(crate::render::clean::clean_html(html))
}

const SCHEMA_ROWS: &str = "schema_rows";

/// `{{ f.name or "" }}`: the field when it is true (not none, not empty), else nothing.
fn push_truthy(
    html: &mut String,
    f: &minijinja::Value,
    name: &str,
) -> Result<(), minijinja::Error> {
    let value = attr(f, name, SCHEMA_ROWS)?;
    if value.is_true() {
        push_value(html, &value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The default theme's loop before `schema_rows` took its place.
    const LOOP: &str = r#"{%- for f in fields %}
      <tr><th scope="row"><code>{{ f.name }}</code></th><td lang="uk">{{ f.title or "" }}</td><td>{{ f.field_type }}</td><td>{{ f.constraints|join("; ") }}</td><td lang="uk">{{ f.description or "" }}</td></tr>
    {%- endfor %}"#;

    #[test]
    fn schema_rows_write_what_the_loop_wrote() {
        let fields = [
            json!([]),
            json!([{"name": "id", "title": null, "field_type": "integer", "constraints": [], "description": null}]),
            json!([
                {"name": "a<b>", "title": "Назва & \"q\"", "field_type": "date (%d.%m.%Y)",
                 "constraints": ["обов'язкове", "pattern: ^[a-z]+$", "enum: <x>, y"], "description": ""},
                {"name": "c\u{7}", "title": "", "field_type": "string", "constraints": ["unique"],
                 "description": "Опис\nв два рядки"},
            ]),
        ];
        let contexts = fields.map(|fields| minijinja::context! { fields });
        crate::render::loops::assert_filter_writes_the_loop(
            |env| env.add_filter("schema_rows", schema_rows),
            (LOOP, "{{ fields|schema_rows }}"),
            &contexts,
            (
                minijinja::context! { fields => json!([{"name": "x"}]) },
                "title",
            ),
        );
    }
}
