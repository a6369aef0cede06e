//! Stage 4, render: a table's rows as the templates see them (`r.preview` on a dataset page,
//! `table.rows` on a full-table page). The cells are not translated, so the pages of both
//! languages share one object per file, holding the validation result's rows without copying
//! them; the `rows` filter writes them as HTML once and hands both pages the same text. Rows were
//! a dataset page's largest part: each cell was copied into a template value and each row went
//! through a template loop, once per language.
//!
//! Invariant: `{{ rows|rows }}` is the same bytes whether `rows` is this object or any list of
//! lists of values, and each cell is written as the `cells` filter writes it.

use std::sync::{Arc, OnceLock};

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::Value;

use super::format;
use crate::validate::{ResourceResult, Rows};

/// The first `len` rows of a table, for templates: a sequence of rows (lists of strings), and
/// their HTML made on first use.
#[derive(Debug)]
struct TableRows {
    rows: Rows,
    len: usize,
    html: OnceLock<Value>,
}

impl TableRows {
    fn shown(&self) -> &[Vec<String>] {
        &self.rows[..self.len]
    }
}

impl Object for TableRows {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let row = self.shown().get(key.as_usize()?)?;
        Some(Value::from_iter(
            row.iter().map(|c| Value::from(c.as_str())),
        ))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.len)
    }
}

/// The rows of one file as its pages show them, made once for both languages.
#[derive(Debug)]
pub struct Shared {
    /// The preview rows (`r.preview`).
    pub preview: Value,
    /// Every row, when validation kept them (`table.rows`).
    pub all: Option<Value>,
}

impl Shared {
    /// The objects for `res`'s rows (no HTML is written until a page asks for it).
    pub fn of(res: &ResourceResult) -> Shared {
        let (rows, len) = res.shown_rows();
        Shared {
            preview: table(rows, len),
            all: (res.all_rows.as_ref()).map(|all| table(all, all.len())),
        }
    }
}

/// The first `len` of `rows` as a template value, sharing them.
fn table(rows: &Rows, len: usize) -> Value {
    Value::from_object(TableRows {
        rows: rows.clone(),
        len,
        html: OnceLock::new(),
    })
}

/// A view's rows: to the templates, the shared object; to anything else (the build cache's key
/// of a page), the rows themselves, as a list of lists.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'r> {
    pub rows: &'r [Vec<String>],
    pub value: &'r Value,
}

impl serde::Serialize for Shown<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            self.value.serialize(serializer)
        } else {
            self.rows.serialize(serializer)
        }
    }
}

/// The `rows` filter: a table's rows as `<tr>` elements of `<td>` cells, one per line (see
/// `format::cells`). A shared table's HTML is written once and kept.
pub fn rows(table: &Value) -> Result<Value, minijinja::Error> {
    if let Some(t) = table.downcast_object_ref::<TableRows>() {
        let html = t.html.get_or_init(|| {
            // Sized once: a preview's HTML is tens of kilobytes, grown by doubling it was copied
            // several times over.
            let cells: usize = (t.shown().iter())
                .map(|row| 10 + row.iter().map(|c| 9 + c.len()).sum::<usize>())
                .sum();
            let mut html = String::with_capacity(cells + cells / 8);
            for row in t.shown() {
                html.push_str("<tr>");
                for cell in row {
                    format::push_cell(&mut html, cell, false);
                }
                html.push_str("</tr>\n");
            }
            Value::from_safe_string(html)
        });
        super::clean::remember(html);
        return Ok(html.clone());
    }
    let mut html = String::new();
    for row in table.try_iter()? {
        html.push_str("<tr>");
        format::push_cells(&mut html, &row)?;
        html.push_str("</tr>\n");
    }
    Ok(super::clean::clean_html(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> minijinja::Environment<'static> {
        let mut env = minijinja::Environment::new();
        env.set_formatter(format::write_value);
        env.add_filter("rows", rows);
        env.add_filter("cells", format::cells);
        env
    }

    fn render(env: &minijinja::Environment, source: &str, ctx: Value) -> String {
        env.template_from_named_str("t.html", source)
            .unwrap()
            .render(ctx)
            .unwrap()
    }

    fn result(rows: &[&[&str]], all: bool) -> ResourceResult {
        let rows: Vec<Vec<String>> = (rows.iter())
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        ResourceResult {
            preview: if all {
                Rows::default()
            } else {
                rows.clone().into()
            },
            all_rows: all.then(|| rows.into()),
            ..Default::default()
        }
    }

    #[test]
    fn shared_rows_are_written_as_any_list_of_rows_is() {
        let cells: &[&[&str]] = &[&["a<b", "1"], &["\"c\" & 'd'", "x\u{1b}y"], &["", "é"]];
        let shared = Shared::of(&result(cells, false));
        let env = env();
        let shared_html = render(
            &env,
            "{{ t|rows }}",
            minijinja::context! { t => shared.preview },
        );
        let plain = minijinja::context! { t => cells };
        assert_eq!(shared_html, render(&env, "{{ t|rows }}", plain.clone()));
        let looped = "{% for r in t %}<tr>{{ r|cells }}</tr>\n{% endfor %}";
        assert_eq!(shared_html, render(&env, looped, plain));
        assert_eq!(
            shared_html,
            "<tr><td>a&lt;b</td><td>1</td></tr>\n\
             <tr><td>&quot;c&quot; &amp; &#x27;d&#x27;</td><td>xy</td></tr>\n\
             <tr><td></td><td>é</td></tr>\n"
        );
    }

    #[test]
    fn shared_rows_act_as_a_list_in_templates() {
        let cells: &[&[&str]] = &[&["a", "1"], &["b", "2"], &["c", "3"]];
        let env = env();
        let shared = Shared::of(&result(cells, true));
        let source = "{{ t|length }} {% if t %}yes{% endif %} {{ t[1][0] }} \
                      {% for r in t %}{{ r|join('-') }};{% endfor %}";
        let all = shared.all.clone().unwrap();
        assert_eq!(
            render(&env, source, minijinja::context! { t => all }),
            "3 yes b a-1;b-2;c-3;"
        );
        let none = Shared::of(&result(&[], false));
        assert_eq!(
            render(
                &env,
                "{{ t|length }}{% if t %}yes{% endif %}",
                minijinja::context! { t => none.preview }
            ),
            "0"
        );
    }

    #[test]
    fn the_cache_key_sees_the_rows_and_templates_the_shared_object() {
        let cells: &[&[&str]] = &[&["a", "1"]];
        let res = result(cells, false);
        let shared = Shared::of(&res);
        let shown = Shown {
            rows: res.preview_rows(),
            value: &shared.preview,
        };
        assert_eq!(serde_json::to_string(&shown).unwrap(), r#"[["a","1"]]"#);
        let value = Value::from_serialize(shown);
        assert!(value.downcast_object_ref::<TableRows>().is_some());
    }
}
