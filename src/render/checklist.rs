//! Stage 4, render: the Resolution 835 checklist of a publisher or a hromada — for each mandatory
//! dataset that applies (every manager: `all`; a hromada council, i.e. a publisher whose territory
//! is a hromada: also `local-self-government`), whether it is published (with links), published
//! but overdue (by the dataset's frequency, else the one the list expects), or missing. Pure: plain data in, view rows out.

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::Value;
use serde::Serialize;

use super::format::{push_escaped, push_value};
use super::view::{Lang, Link, Text};
use crate::catalog::mandatory::{Applies, Mandatory};
use crate::catalog::territory::Category;
use crate::catalog::{Catalog, Dataset, PublisherSlug, Scope};

/// One mandatory dataset on a checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub code: String,
    pub name: Text,
    /// `published`, `overdue` or `missing`.
    pub status: &'static str,
    pub datasets: Vec<Link>,
}

/// A checklist as pages hold it. To the templates, a list of items, each with `code`, `name`,
/// `status` and `datasets` as an `Item` serialises them (made when a template asks for one),
/// which `checklist_rows` writes straight from the items; to anything else (the build cache's
/// key of a page), the items themselves. Serialised into template values whole, a hromada's
/// thirty items were then read back field by field: most of a territory page's work.
#[derive(Debug, Clone, Default)]
pub struct Checklist(Arc<Vec<Item>>);

impl Checklist {
    /// The items, in list order.
    pub fn items(&self) -> &[Item] {
        &self.0
    }
}

impl Serialize for Checklist {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            Value::from_object(Items(self.0.clone())).serialize(serializer)
        } else {
            self.0.serialize(serializer)
        }
    }
}

/// A checklist's items for the templates: a list.
#[derive(Debug)]
struct Items(Arc<Vec<Item>>);

impl Object for Items {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let at = key.as_usize().filter(|at| *at < self.0.len())?;
        Some(Value::from_object(ItemAt(self.0.clone(), at)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }
}

/// One item of a checklist for the templates: a map with `Item`'s fields, in its order.
#[derive(Debug)]
struct ItemAt(Arc<Vec<Item>>, usize);

impl Object for ItemAt {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let item = &self.0[self.1];
        Some(match key.as_str()? {
            "code" => Value::from(item.code.as_str()),
            "name" => Value::from_serialize(&item.name),
            "status" => Value::from(item.status),
            "datasets" => Value::from_serialize(&item.datasets),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["code", "name", "status", "datasets"])
    }
}

/// The status of item `m` given the datasets that fulfil it: a dataset is judged by its own
/// `frequency`, else by the frequency the list expects for the item.
fn status(
    m: &Mandatory,
    fulfilling: &[&Dataset],
    today: Option<chrono::NaiveDate>,
) -> &'static str {
    let overdue = |d: &&Dataset| {
        let due = match d.frequency {
            Some(_) => d.next_due(),
            None => m.frequency.and_then(|f| f.next_due(d.modified?)),
        };
        matches!((due, today), (Some(due), Some(today)) if today > due)
    };
    if fulfilling.is_empty() {
        "missing"
    } else if fulfilling.iter().all(overdue) {
        "overdue"
    } else {
        "published"
    }
}

/// True when the publisher is a body of local self-government: its territory is a hromada.
pub fn is_local(catalog: &Catalog, slug: &PublisherSlug) -> bool {
    let Some(p) = catalog.publishers.get(slug) else {
        return false;
    };
    matches!(&p.territory, Scope::Territory(code)
        if catalog.registry.get(code).is_some_and(|t| t.category == Category::H))
}

/// The checklist for the datasets of `publishers`; `local` adds the items for local
/// self-government. Empty when the catalogue names no list.
pub fn checklist(
    catalog: &Catalog,
    publishers: &[&PublisherSlug],
    local: bool,
    lang: &Lang,
) -> Checklist {
    let declared = Declared::of(catalog, publishers);
    let items = applicable(catalog, local)
        .map(|m| {
            let fulfilling = declared.fulfilling(m);
            Item {
                code: m.code.clone(),
                name: lang.text(&m.name),
                status: status(m, fulfilling, lang.today),
                datasets: (fulfilling.iter())
                    .map(|d| Link {
                        href: Some(format!("datasets/{}/", d.id)),
                        label: lang.text(&d.title),
                    })
                    .collect(),
            }
        })
        .collect();
    Checklist(Arc::new(items))
}

/// The items that apply to a publisher (`local`: a body of local self-government).
pub fn applicable(catalog: &Catalog, local: bool) -> impl Iterator<Item = &Mandatory> {
    (catalog.mandatory.iter()).filter(move |m| m.applies == Applies::All || local)
}

/// The datasets of some publishers by the Resolution 835 code they declare, each once (in id
/// order when there are several publishers). Made once per checklist: looking every item's code
/// up in every dataset, for each of a national catalogue's 1,469 hromadas on every coverage page,
/// was most of the coverage pages' cost.
struct Declared<'c>(std::collections::HashMap<&'c str, Vec<&'c Dataset>>);

impl<'c> Declared<'c> {
    fn of(catalog: &'c Catalog, publishers: &[&PublisherSlug]) -> Self {
        let mut by_code: std::collections::HashMap<&str, Vec<&Dataset>> = Default::default();
        for d in publishers.iter().flat_map(|p| catalog.datasets_of(p)) {
            if let Some(code) = d.resolution_835.as_deref() {
                by_code.entry(code).or_default().push(d);
            }
        }
        if publishers.len() > 1 {
            for datasets in by_code.values_mut() {
                datasets.sort_by(|a, b| a.id.cmp(&b.id));
                datasets.dedup_by(|a, b| a.id == b.id);
            }
        }
        Declared(by_code)
    }

    /// The datasets that declare item `m`'s code.
    fn fulfilling(&self, m: &Mandatory) -> &[&'c Dataset] {
        self.0.get(m.code.as_str()).map_or(&[], Vec::as_slice)
    }
}

/// The publishers of a hromada (their territory is the hromada) and the status of every item of
/// the list for them, in list order.
pub fn hromada_statuses<'c>(
    catalog: &'c Catalog,
    code: &crate::catalog::KatottgCode,
    today: Option<chrono::NaiveDate>,
) -> (Vec<&'c PublisherSlug>, Vec<&'static str>) {
    let publishers: Vec<&PublisherSlug> = catalog.publishers_in(code).map(|p| &p.slug).collect();
    let declared = Declared::of(catalog, &publishers);
    let statuses = (catalog.mandatory.iter())
        .map(|m| status(m, declared.fulfilling(m), today))
        .collect();
    (publishers, statuses)
}

/// Counts of a checklist's statuses: published, overdue, missing.
pub fn counts(items: &[Item]) -> (usize, usize, usize) {
    let n = |s: &str| items.iter().filter(|i| i.status == s).count();
    (n("published"), n("overdue"), n("missing"))
}

/// The `checklist_rows` filter: a checklist's items (`Item`s) as its table's rows, the same bytes
/// as the default theme's loop wrote, reading `lang`, `home` and `t` from the page as it did:
///
/// ```text
/// {%- for i in items %}
///   <tr class="status-{{ i.status }}"><td><code>{{ i.code }}</code></td><td>{% if i.name.lang != lang %}
///   <span lang="{{ i.name.lang }}">{{ i.name.text }}</span> <small class="untranslated">
///   {{ t("untranslated") }}</small>{% else %}{{ i.name.text }}{% endif %}</td><td>
///   {{ t("checklist." ~ i.status) }}{%- for d in i.datasets %} · {% if d.href %}
///   <a href="{{ home }}{{ d.href }}">{% endif %}…{{ d.label }} as `i.name`…{% if d.href %}</a>
///   {% endif %}{% endfor %}</td></tr>
/// {%- endfor %}
/// ```
///
/// Every hromada's page and every publisher's has a checklist of about thirty items: written by
/// the loop, it was over a third of the template work of a catalogue's territory pages.
pub fn checklist_rows(
    state: &minijinja::State,
    items: &minijinja::Value,
) -> Result<minijinja::Value, minijinja::Error> {
    use super::loops::{field, push_field, Page};
    const NAME: &str = "checklist_rows";
    let mut page = Page::of(state, NAME)?;
    if let Some(items) = items.downcast_object_ref::<Items>() {
        return Ok(super::clean::clean_html(rows_of(&mut page, &items.0)?));
    }
    let mut html = String::with_capacity(items.len().unwrap_or(0) * 256);
    let mut told: Vec<(minijinja::Value, minijinja::Value)> = Vec::new();
    for i in items.try_iter()? {
        let status = field(&i, "status", NAME)?;
        html.push_str("\n    <tr class=\"status-");
        push_value(&mut html, &status);
        html.push_str("\"><td><code>");
        push_field(&mut html, &i, "code", NAME)?;
        html.push_str("</code></td><td>");
        page.push_text(&mut html, &field(&i, "name", NAME)?)?;
        html.push_str("</td><td>");
        // Asked for once a status (there are three), not once an item.
        let said = match told.iter().position(|(s, _)| *s == status) {
            Some(k) => k,
            None => {
                told.push((status.clone(), page.t(&format!("checklist.{status}"))?));
                told.len() - 1
            }
        };
        push_value(&mut html, &told[said].1);
        for d in field(&i, "datasets", NAME)?.try_iter()? {
            html.push_str(" · ");
            let href = field(&d, "href", NAME)?;
            if href.is_true() {
                html.push_str("<a href=\"");
                push_value(&mut html, &page.home);
                push_value(&mut html, &href);
                html.push_str("\">");
            }
            page.push_text(&mut html, &field(&d, "label", NAME)?)?;
            if href.is_true() {
                html.push_str("</a>");
            }
        }
        html.push_str("</td></tr>");
    }
    Ok(super::clean::clean_html(html))
}

/// `checklist_rows` of a checklist made here: the same bytes, from the items themselves.
fn rows_of(page: &mut super::loops::Page, items: &[Item]) -> Result<String, minijinja::Error> {
    let mut html = String::with_capacity(items.len() * 256);
    let mut told: Vec<(&str, Value)> = Vec::new();
    for i in items {
        html.push_str("\n    <tr class=\"status-");
        push_escaped(&mut html, i.status);
        html.push_str("\"><td><code>");
        push_escaped(&mut html, &i.code);
        html.push_str("</code></td><td>");
        page.push_local(&mut html, &i.name.text, i.name.lang)?;
        html.push_str("</td><td>");
        let said = match told.iter().position(|(s, _)| *s == i.status) {
            Some(k) => k,
            None => {
                told.push((i.status, page.t(&format!("checklist.{}", i.status))?));
                told.len() - 1
            }
        };
        push_value(&mut html, &told[said].1);
        for d in &i.datasets {
            html.push_str(" · ");
            let href = d.href.as_deref().filter(|h| !h.is_empty());
            if let Some(href) = href {
                html.push_str("<a href=\"");
                push_value(&mut html, &page.home);
                push_escaped(&mut html, href);
                html.push_str("\">");
            }
            page.push_local(&mut html, &d.label.text, d.label.lang)?;
            if href.is_some() {
                html.push_str("</a>");
            }
        }
        html.push_str("</td></tr>");
    }
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The default theme's loop before `checklist_rows` took its place.
    const LOOP: &str = r#"{%- for i in items %}
    <tr class="status-{{ i.status }}"><td><code>{{ i.code }}</code></td><td>{% if i.name.lang != lang %}<span lang="{{ i.name.lang }}">{{ i.name.text }}</span> <small class="untranslated">{{ t("untranslated") }}</small>{% else %}{{ i.name.text }}{% endif %}</td><td>{{ t("checklist." ~ i.status) }}
    {%- for d in i.datasets %} · {% if d.href %}<a href="{{ home }}{{ d.href }}">{% endif %}{% if d.label.lang != lang %}<span lang="{{ d.label.lang }}">{{ d.label.text }}</span> <small class="untranslated">{{ t("untranslated") }}</small>{% else %}{{ d.label.text }}{% endif %}{% if d.href %}</a>{% endif %}{% endfor %}</td></tr>
  {%- endfor %}"#;

    #[test]
    fn checklist_rows_write_what_the_loop_wrote() {
        let text = |text: &str, lang: &str| json!({"text": text, "lang": lang});
        let items = json!([
            {"code": "1.1", "name": text("Бюджет <громади>\u{1}", "uk"), "status": "published",
             "datasets": [{"href": "datasets/a/", "label": text("Бюджет & «план»", "uk")},
                          {"href": null, "label": text("Budget", "en")}]},
            {"code": "1.2", "name": text("Contracts", "en"), "status": "overdue",
             "datasets": [{"href": "datasets/b\"/", "label": text("Договори", "uk")}]},
            {"code": "2.7", "name": text("Маршрути", "uk"), "status": "missing", "datasets": []},
        ]);
        let written = crate::render::loops::assert_page_filter_writes_the_loop(
            |env| env.add_filter("checklist_rows", checklist_rows),
            (LOOP, "{{ items|checklist_rows }}"),
            ("items", items),
            (json!([{"code": "x", "name": text("x", "uk")}]), "status"),
        );
        assert!(
            written[1].contains("en: overdue &lt;late&gt;"),
            "{}",
            written[1]
        );
        assert!(written[1].contains("<small class=\"untranslated\">en: (not translated)"));
        // A checklist made here: the filter writes its items straight; the loop reads the
        // object's items. Both write what the same items as plain values gave.
        let text = |text: &str, lang: &'static str| Text {
            text: text.to_owned(),
            lang,
        };
        let link = |href: Option<&str>, label| Link {
            href: href.map(str::to_owned),
            label,
        };
        let item = |code: &str, name, status, datasets| Item {
            code: code.to_owned(),
            name,
            status,
            datasets,
        };
        let checklist = Checklist(Arc::new(vec![
            item(
                "1.1",
                text("Бюджет <громади>\u{1}", "uk"),
                "published",
                vec![
                    link(Some("datasets/a/"), text("Бюджет & «план»", "uk")),
                    link(None, text("Budget", "en")),
                ],
            ),
            item(
                "1.2",
                text("Contracts", "en"),
                "overdue",
                vec![link(Some("datasets/b\"/"), text("Договори", "uk"))],
            ),
            item("2.7", text("Маршрути", "uk"), "missing", vec![]),
        ]));
        let contexts = ["uk", "en"].map(|lang| {
            crate::render::loops::test_page_of(lang, "items", Value::from_serialize(&checklist))
        });
        let missing = crate::render::loops::test_page("uk", "items", json!([{"code": "x"}]));
        let made = crate::render::loops::assert_filter_writes_the_loop(
            |env| env.add_filter("checklist_rows", checklist_rows),
            (LOOP, "{{ items|checklist_rows }}"),
            &contexts,
            (missing, "status"),
        );
        assert_eq!(made, written);
    }

    #[test]
    fn a_checklist_reads_in_templates_as_its_items_do() {
        let text = |text: &str| Text {
            text: text.to_owned(),
            lang: "uk",
        };
        let link = |href: Option<&str>| Link {
            href: href.map(str::to_owned),
            label: text("Набір"),
        };
        let items = vec![
            Item {
                code: "1.1".into(),
                name: text("Бюджет"),
                status: "published",
                datasets: vec![link(Some("datasets/a/")), link(None)],
            },
            Item {
                code: "2.7".into(),
                name: text("Маршрути"),
                status: "missing",
                datasets: vec![],
            },
        ];
        let template = r#"{{ items|length }} {% if items %}some{% endif %} {{ items|selectattr("status", "equalto", "published")|list|length }} {{ items[1].name.text }} {{ items[0]|list }} {{ items[1].code }}
{%- for i in items %} {{ loop.index }}:{{ i.code }}:{{ i.status }}:{% for d in i.datasets %}{{ d.href }}/{{ d.label.text }},{% endfor %}{% endfor %} {{ items[0] }} {{ items }}"#;
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_template("t", template).unwrap();
        let render = |items: Value| {
            env.get_template("t")
                .unwrap()
                .render(minijinja::context! { items })
                .unwrap()
        };
        let checklist = Checklist(Arc::new(items.clone()));
        let object = Value::from_serialize(&checklist);
        assert!(object.downcast_object_ref::<Items>().is_some());
        assert_eq!(render(object), render(Value::from_serialize(&items)));
        let empty = minijinja::Environment::new();
        let none = |items: Value| {
            let t =
                "{{ items|length }} {% if items %}some{% endif %}{% for i in items %}x{% endfor %}";
            empty.render_str(t, minijinja::context! { items }).unwrap()
        };
        assert_eq!(none(Value::from_serialize(Checklist::default())), "0 ");
        assert_eq!(none(Value::from_serialize(Vec::<Item>::new())), "0 ");
        // To anything but the templates (the build cache's key), the items themselves.
        assert_eq!(
            serde_json::to_value(&checklist).unwrap(),
            serde_json::to_value(&items).unwrap()
        );
    }
}
