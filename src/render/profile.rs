//! Stage 4, render: the column profile of a table as the dataset page shows it — every number
//! localised (`format`), typed extremes written as people read them (dates as dates, years
//! without grouping). Pure: from `validate::profile::ColumnProfile` to display strings.

use minijinja::Value as Shown;
use serde::Serialize;

use super::format;
use super::loops::{field, push_field};
use super::view::Lang;
use crate::validate::cell::Value;
use crate::validate::profile::{ColumnProfile, Distinct, Range};

/// One column's row of the profile table.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    pub name: String,
    pub field_type: String,
    pub filled: String,
    pub empty: String,
    pub distinct: String,
    /// Smallest value, or shortest text's length; empty when the type has no order.
    pub min: String,
    pub max: String,
    pub top: Vec<TopValue>,
}

/// A frequent value with its count.
#[derive(Debug, Clone, Serialize)]
pub struct TopValue {
    pub value: String,
    pub count: String,
}

/// A typed value as the page shows it.
pub fn value(v: &Value, lang: &Lang) -> String {
    match v {
        Value::Int(n) => format::signed(*n, lang.code),
        Value::Num(n) => format::decimal(*n, lang.code),
        Value::Date(d) => format::date(*d, lang.code),
        Value::Time(t) => t.format("%H:%M:%S").to_string(),
        Value::DateTime(t) => format!(
            "{} {}",
            format::date(t.date(), lang.code),
            t.time().format("%H:%M:%S")
        ),
        Value::Year(y) => y.to_string(),
        Value::YearMonth(y, m) if lang.code == "uk" => format!("{m:02}.{y}"),
        Value::YearMonth(y, m) => format!("{y}-{m:02}"),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) | Value::Opaque(t) => (*t).to_owned(),
        Value::Items(n) => n.to_string(),
    }
}

fn chars(n: usize, lang: &Lang) -> String {
    format!(
        "{} {}",
        format::int(n as u64, lang.code),
        lang.msg("profile.column.chars")
    )
}

/// The page's view of a table's profile.
pub fn view(profile: &[ColumnProfile], lang: &Lang) -> Vec<ColumnView> {
    let n = |x: u64| format::int(x, lang.code);
    profile
        .iter()
        .map(|c| {
            let (min, max) = match &c.range {
                Some(Range::Values(lo, hi)) => (value(lo, lang), value(hi, lang)),
                Some(Range::Length(lo, hi)) => (chars(*lo, lang), chars(*hi, lang)),
                None => (String::new(), String::new()),
            };
            ColumnView {
                name: c.name.clone(),
                field_type: c.field_type.to_owned(),
                filled: n(c.filled),
                empty: n(c.empty),
                distinct: match c.distinct {
                    Distinct::Exactly(d) => n(d),
                    Distinct::MoreThan(d) => {
                        format!("{} {}", lang.msg("profile.column.more_than"), n(d))
                    }
                },
                min,
                max,
                top: c
                    .top
                    .iter()
                    .map(|(v, count)| TopValue {
                        value: v.clone(),
                        count: n(*count),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The `profile_rows` filter: a file's column profile (`r.profile`) as the profile table's rows,
/// the same bytes as the default theme's loop wrote (each on a line of its own, indented):
///
/// ```text
/// <tr><th scope="row"><code>{{ c.name }}</code></th><td>{{ c.field_type }}</td>
/// <td class="num">{{ c.filled }}</td><td class="num">{{ c.empty }}</td>
/// <td class="num">{{ c.distinct }}</td><td>{{ c.min }}</td><td>{{ c.max }}</td><td>{% if c.top %}
/// <ol class="top-values">{% for v in c.top %}<li>{{ v.value }} <span class="count">({{ v.count }})
/// </span></li>{% endfor %}</ol>{% endif %}</td></tr>
/// ```
///
/// A template loop costs about a microsecond a row and as much again for each frequent value: the
/// profile tables were a fifth of a dataset page's template time.
pub fn profile_rows(columns: &Shown) -> Result<Shown, minijinja::Error> {
    const NAME: &str = "profile_rows";
    // About a row's markup and values for each column: grown from nothing, it was copied
    // several times over.
    let mut html = String::with_capacity(columns.len().unwrap_or(0) * 320);
    for c in columns.try_iter()? {
        html.push_str("\n      <tr><th scope=\"row\"><code>");
        push_field(&mut html, &c, "name", NAME)?;
        html.push_str("</code></th><td>");
        push_field(&mut html, &c, "field_type", NAME)?;
        for name in ["filled", "empty", "distinct"] {
            html.push_str("</td><td class=\"num\">");
            push_field(&mut html, &c, name, NAME)?;
        }
        for name in ["min", "max"] {
            html.push_str("</td><td>");
            push_field(&mut html, &c, name, NAME)?;
        }
        html.push_str("</td><td>");
        let top = field(&c, "top", NAME)?;
        if top.is_true() {
            html.push_str("<ol class=\"top-values\">");
            for v in top.try_iter()? {
                html.push_str("<li>");
                push_field(&mut html, &v, "value", NAME)?;
                html.push_str(" <span class=\"count\">(");
                push_field(&mut html, &v, "count", NAME)?;
                html.push_str(")</span></li>");
            }
            html.push_str("</ol>");
        }
        html.push_str("</td></tr>");
    }
    Ok(super::clean::clean_html(html))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The default theme's loop before `profile_rows` took its place.
    const LOOP: &str = r#"{%- for c in profile %}
      <tr><th scope="row"><code>{{ c.name }}</code></th><td>{{ c.field_type }}</td><td class="num">{{ c.filled }}</td><td class="num">{{ c.empty }}</td><td class="num">{{ c.distinct }}</td><td>{{ c.min }}</td><td>{{ c.max }}</td><td>{% if c.top %}<ol class="top-values">{% for v in c.top %}<li>{{ v.value }} <span class="count">({{ v.count }})</span></li>{% endfor %}</ol>{% endif %}</td></tr>
    {%- endfor %}"#;

    #[test]
    fn profile_rows_write_what_the_loop_wrote() {
        let column = |name: &str, top: serde_json::Value| {
            json!({"name": name, "field_type": "string", "filled": "1 234", "empty": "0",
                   "distinct": "5", "min": "", "max": "<max> & \"q\"", "top": top})
        };
        let profiles = [
            json!([]),
            json!([column("a\u{1b}b", json!([]))]),
            json!([
                column(
                    "сума",
                    json!([{"value": "x'y", "count": "3"}, {"value": "", "count": "1"}])
                ),
                column("дата", json!([{"value": "<b>", "count": "12 000"}])),
            ]),
        ];
        let contexts = profiles.map(|profile| minijinja::context! { profile });
        crate::render::loops::assert_filter_writes_the_loop(
            |env| env.add_filter("profile_rows", profile_rows),
            (LOOP, "{{ profile|profile_rows }}"),
            &contexts,
            (
                minijinja::context! { profile => json!([{"name": "x"}]) },
                "field_type",
            ),
        );
    }
}
