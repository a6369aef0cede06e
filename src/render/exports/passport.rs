//! Stage 4, render: a dataset's passport («паспорт набору даних», Cabinet Resolution No. 835) —
//! as `passport.json` and `passport.csv` beside the dataset's files, and as a table on its page.
//! Invariants: the fields are exactly `FIELDS`, in that order; every value comes from the
//! dataset's metadata or its publisher's; a value the data lack is `Missing` — `null` (and listed
//! under `notStated`) in JSON, «не зазначено» in CSV and on the page — never a guess.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::register::frequency_uk;
use super::{csv_bytes, formats, json_bytes, Urls, LIST_SEPARATOR};
use crate::catalog::dataset::Frequency;
use crate::catalog::{Catalog, Dataset};
use crate::render::format::push_value;
use crate::render::loops::{field, push_field};
use crate::render::view::Lang;

/// What the passport says where the data say nothing.
pub const NOT_STATED: &str = "не зазначено";

/// The passport's fields: key (in the JSON file) and the Resolution's Ukrainian name.
pub const FIELDS: [(&str, &str); 16] = [
    ("identifier", "Ідентифікаційний номер набору даних"),
    ("title", "Найменування набору даних"),
    ("description", "Стислий опис змісту набору даних"),
    ("language", "Відомості про мову даних"),
    ("format", "Формат (формати) набору даних"),
    ("issued", "Дата першого оприлюднення набору даних"),
    ("modified", "Дата внесення останніх змін до набору даних"),
    ("dataCurrencyDate", "Дата актуальності даних у наборі даних"),
    ("accrualPeriodicity", "Періодичність оновлення набору даних"),
    ("keyword", "Ключові слова"),
    ("downloadURL", "Гіперпосилання на набір даних"),
    ("structureURL", "Гіперпосилання на структуру набору даних"),
    (
        "legalBasis",
        "Підстава збору інформації, що міститься в наборі даних",
    ),
    (
        "purpose",
        "Призначення збору інформації, що міститься в наборі даних",
    ),
    ("contactPointFn", "Відповідальна особа"),
    (
        "contactPointHasEmail",
        "Адреса електронної пошти відповідальної особи",
    ),
];

/// One passport value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Missing,
    Text(String),
    Date(NaiveDate),
    Texts(Vec<String>),
    Urls(Vec<String>),
    Email(String),
    Frequency(Frequency),
    /// The language of the data, ISO 639-1.
    Language(&'static str),
}

/// A dataset's passport: (key, Ukrainian name, value) in the order of `FIELDS`.
pub type Passport = Vec<(&'static str, &'static str, Value)>;

fn text(t: Option<&str>) -> Value {
    match t.map(str::trim) {
        Some(t) if !t.is_empty() => Value::Text(t.to_owned()),
        _ => Value::Missing,
    }
}

fn list(items: Vec<String>, wrap: fn(Vec<String>) -> Value) -> Value {
    if items.is_empty() {
        Value::Missing
    } else {
        wrap(items)
    }
}

/// The passport of `d`.
pub fn passport(catalog: &Catalog, d: &Dataset, urls: Urls) -> Passport {
    let p = catalog.publishers.get(&d.publisher);
    let structure = d
        .resources
        .iter()
        .any(|r| r.schema.is_some())
        .then(|| urls.file(&format!("datasets/{}/datapackage.json", d.id)));
    let values = [
        Value::Text(d.id.to_string()),
        Value::Text(d.title.uk.clone()),
        text(Some(&d.description.uk)),
        // Titles and descriptions are Ukrainian by the input format; so is the catalogue's data.
        Value::Language("uk"),
        list(formats(d), Value::Texts),
        d.issued.map_or(Value::Missing, Value::Date),
        d.modified.map_or(Value::Missing, Value::Date),
        d.temporal
            .map_or(Value::Missing, |(_, end)| Value::Date(end)),
        d.frequency.map_or(Value::Missing, Value::Frequency),
        list(d.keywords.clone(), Value::Texts),
        list(
            d.resources.iter().map(|r| urls.download(d, r)).collect(),
            Value::Urls,
        ),
        structure.map_or(Value::Missing, |u| Value::Urls(vec![u])),
        text(d.legal_basis.as_deref()),
        text(d.purpose.as_deref()),
        text(p.map(|p| p.contact_name.as_str())),
        match p.and_then(|p| p.contact_email.as_deref()).map(str::trim) {
            Some(e) if !e.is_empty() => Value::Email(e.to_owned()),
            _ => Value::Missing,
        },
    ];
    FIELDS
        .iter()
        .zip(values)
        .map(|((k, name), v)| (*k, *name, v))
        .collect()
}

impl Value {
    /// The machine value: text, date text, a list, or `null`.
    fn json(&self) -> Json {
        match self {
            Value::Missing => Json::Null,
            Value::Text(s) | Value::Email(s) => Json::from(s.as_str()),
            Value::Date(d) => Json::from(d.to_string()),
            Value::Texts(v) | Value::Urls(v) => Json::from(v.clone()),
            Value::Frequency(f) => Json::from(frequency_uk(*f)),
            Value::Language(l) => Json::from(*l),
        }
    }

    /// The value as one line of Ukrainian text (lists joined with `; `).
    fn text(&self) -> String {
        match self {
            Value::Missing => NOT_STATED.to_owned(),
            Value::Texts(v) | Value::Urls(v) => v.join(LIST_SEPARATOR),
            Value::Frequency(f) => frequency_uk(*f).to_owned(),
            other => other.json().as_str().unwrap_or_default().to_owned(),
        }
    }
}

/// `passport.json`: one key per field (`null` when not stated), then `notStated`, the keys
/// whose value the data lack.
pub fn json(p: &Passport) -> Vec<u8> {
    let mut obj: Map<String, Json> = p
        .iter()
        .map(|(k, _, v)| ((*k).to_owned(), v.json()))
        .collect();
    let missing: Vec<&str> = (p.iter())
        .filter(|(_, _, v)| *v == Value::Missing)
        .map(|(k, ..)| *k)
        .collect();
    obj.insert("notStated".into(), Json::from(missing));
    json_bytes(&Json::Object(obj))
}

/// `passport.csv`: `field,name,value`, one row per field, «не зазначено» where not stated.
pub fn csv(p: &Passport) -> Vec<u8> {
    let header = ["field".to_owned(), "name".to_owned(), "value".to_owned()];
    let rows = p
        .iter()
        .map(|(k, name, v)| [(*k).to_owned(), (*name).to_owned(), v.text()]);
    csv_bytes(std::iter::once(header).chain(rows))
}

/// One piece of a passport value on the page.
#[derive(Debug, Clone, Serialize)]
pub struct Piece {
    pub text: String,
    /// A link (absolute URL or `mailto:`), when the value is one.
    pub href: Option<String>,
    /// The language the text is in.
    pub lang: &'static str,
    /// An ISO date for `<time datetime>`.
    pub iso: Option<String>,
}

/// One row of the passport table on a dataset page.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: &'static str,
    pub label: String,
    /// Empty when the data do not state the value (the page says so).
    pub values: Vec<Piece>,
}

fn piece(text: String, lang: &'static str) -> Piece {
    Piece {
        text,
        href: None,
        lang,
        iso: None,
    }
}

/// The passport as the page shows it in `lang`: labels and fixed vocabularies translated,
/// the publisher's own words left in Ukrainian (and marked so).
pub fn view(p: &Passport, lang: &Lang) -> Vec<Row> {
    p.iter()
        .map(|(key, _, v)| {
            let values = match v {
                Value::Missing => Vec::new(),
                Value::Text(s) => vec![piece(s.clone(), "uk")],
                Value::Texts(items) => items.iter().map(|s| piece(s.clone(), "uk")).collect(),
                Value::Urls(items) => (items.iter())
                    .map(|u| Piece {
                        href: Some(u.clone()),
                        ..piece(u.clone(), lang.code)
                    })
                    .collect(),
                Value::Email(e) => vec![Piece {
                    href: Some(format!("mailto:{e}")),
                    ..piece(e.clone(), lang.code)
                }],
                Value::Date(d) => vec![Piece {
                    iso: Some(d.to_string()),
                    ..piece(crate::render::format::date(*d, lang.code), lang.code)
                }],
                Value::Frequency(f) => {
                    vec![piece(
                        lang.msg(&format!("frequency.{}", f.key())),
                        lang.code,
                    )]
                }
                Value::Language(l) => {
                    vec![piece(lang.msg(&format!("passport.lang_{l}")), lang.code)]
                }
            };
            Row {
                key,
                label: lang.msg(&format!("passport.{key}")),
                values,
            }
        })
        .collect()
}

/// The `passport_rows` filter: a passport (`d.passport`) as the passport table's rows, the same
/// bytes as the default theme's loop wrote (each row on a line of its own, indented). `lang` is
/// the page's language: a value in another one is marked with its `lang`; `not_stated` is written
/// for a field without values.
///
/// ```text
/// <tr data-field="{{ row.key }}"><th scope="row">{{ row.label }}</th><td>
/// {%- for v in row.values %}{% if not loop.first %}; {% endif %}
///   {%- if v.href %}<a href="{{ v.href }}"{% if v.lang != lang %} lang="{{ v.lang }}"{% endif %}>{{ v.text }}</a>
///   {%- elif v.iso %}<time datetime="{{ v.iso }}">{{ v.text }}</time>
///   {%- elif v.lang != lang %}<span lang="{{ v.lang }}">{{ v.text }}</span>
///   {%- else %}{{ v.text }}{% endif %}
/// {%- else %}<span class="not-stated">{{ not_stated }}</span>
/// {%- endfor %}</td></tr>
/// ```
///
/// A template loop costs about a microsecond a row and as much again for each value: the
/// passport was a fifth of a dataset page's template time.
pub fn passport_rows(
    rows: &minijinja::Value,
    lang: &minijinja::Value,
    not_stated: &minijinja::Value,
) -> Result<minijinja::Value, minijinja::Error> {
    // About a row's markup and value for each field (see `profile_rows`).
    let mut html = String::with_capacity(rows.len().unwrap_or(0) * 256);
    for row in rows.try_iter()? {
        html.push_str("\n    <tr data-field=\"");
        push_field(&mut html, &row, "key", PASSPORT_ROWS)?;
        html.push_str("\"><th scope=\"row\">");
        push_field(&mut html, &row, "label", PASSPORT_ROWS)?;
        html.push_str("</th><td>");
        let mut none = true;
        for v in field(&row, "values", PASSPORT_ROWS)?.try_iter()? {
            if !std::mem::take(&mut none) {
                html.push_str("; ");
            }
            push_piece(&mut html, &v, lang)?;
        }
        if none {
            html.push_str("<span class=\"not-stated\">");
            push_value(&mut html, not_stated);
            html.push_str("</span>");
        }
        html.push_str("</td></tr>");
    }
    Ok(crate::render::clean::clean_html(html))
}

const PASSPORT_ROWS: &str = "passport_rows";

/// One value of a passport row (a `Piece`): a link, a date, text marked with its language when
/// it is not the page's, or plain text.
fn push_piece(
    html: &mut String,
    v: &minijinja::Value,
    lang: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let get = |name| field(v, name, PASSPORT_ROWS);
    let (href, iso, other) = (get("href")?, get("iso")?, get("lang")?);
    let foreign = other != *lang;
    let attr = |html: &mut String, name: &str, value: &minijinja::Value| {
        html.push(' ');
        html.push_str(name);
        html.push_str("=\"");
        push_value(html, value);
        html.push('"');
    };
    let close = if href.is_true() {
        html.push_str("<a");
        attr(html, "href", &href);
        if foreign {
            attr(html, "lang", &other);
        }
        "</a>"
    } else if iso.is_true() {
        html.push_str("<time");
        attr(html, "datetime", &iso);
        "</time>"
    } else if foreign {
        html.push_str("<span");
        attr(html, "lang", &other);
        "</span>"
    } else {
        ""
    };
    if !close.is_empty() {
        html.push('>');
    }
    push_field(html, v, "text", PASSPORT_ROWS)?;
    html.push_str(close);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The default theme's loop before `passport_rows` took its place.
    const LOOP: &str = r#"{%- for row in rows %}
    <tr data-field="{{ row.key }}"><th scope="row">{{ row.label }}</th><td>
    {%- for v in row.values %}{% if not loop.first %}; {% endif %}
      {%- if v.href %}<a href="{{ v.href }}"{% if v.lang != lang %} lang="{{ v.lang }}"{% endif %}>{{ v.text }}</a>
      {%- elif v.iso %}<time datetime="{{ v.iso }}">{{ v.text }}</time>
      {%- elif v.lang != lang %}<span lang="{{ v.lang }}">{{ v.text }}</span>
      {%- else %}{{ v.text }}{% endif %}
    {%- else %}<span class="not-stated">{{ not_stated }}</span>
    {%- endfor %}</td></tr>
  {%- endfor %}"#;

    #[test]
    fn passport_rows_write_what_the_loop_wrote() {
        let piece = |text: &str, href: Option<&str>, lang: &str, iso: Option<&str>| json!({"text": text, "href": href, "lang": lang, "iso": iso});
        let rows = json!([
            {"key": "title", "label": "Назва <b>", "values": [piece("Бюджет & \"план\"", None, "uk", None)]},
            {"key": "issued", "label": "Issued", "values": []},
            {"key": "downloadURL", "label": "URL", "values": [
                piece("https://x/a?b=1&c=2", Some("https://x/a?b=1&c=2"), "en", None),
                piece("mailto", Some("mailto:a@b"), "uk", None),
                piece("", Some(""), "uk", None),
            ]},
            {"key": "modified", "label": "Date", "values": [piece("1 січня", None, "en", Some("2026-01-01"))]},
            {"key": "keyword", "label": "Keys", "values": [
                piece("ОСББ", None, "uk", None), piece("it's\u{7}", None, "en", Some("")),
            ]},
        ]);
        let contexts = ["uk", "en"].map(|lang| {
            minijinja::context! { rows, lang, not_stated => "не <зазначено>" }
        });
        // A row without the fields a row has is an error, as in the loop.
        let missing =
            minijinja::context! { rows => json!([{"key": "x"}]), lang => "uk", not_stated => "" };
        let written = crate::render::loops::assert_filter_writes_the_loop(
            |env| env.add_filter("passport_rows", passport_rows),
            (LOOP, "{{ rows|passport_rows(lang, not_stated) }}"),
            &contexts,
            (missing, "label"),
        );
        assert!(
            written.iter().all(|w| w.contains(" lang=\"")),
            "{written:?}"
        );
    }
}
