//! Stage 4, render: what the filters share that write in Rust what a template loop wrote
//! (`passport_rows`, `schema_rows`, `profile_rows`, `checklist_rows`, `child_items`): reading an
//! item's field as a loop reads it, the page's values and texts as the loop wrote them (`Page`),
//! and, for their tests, the check that a filter writes the loop's bytes. Invariant: a filter
//! built on these writes each value as `{{ item.name }}` writes it (`format::push_value`) and
//! fails where the loop fails.

use super::format::{push_escaped, push_value};

/// `item.name` for a filter that writes in Rust what a template loop wrote: an error naming the
/// filter and the field when `item` has none (as a loop's `{{ item.name }}` fails with strict
/// undefined).
pub fn field(
    item: &minijinja::Value,
    name: &str,
    filter: &str,
) -> Result<minijinja::Value, minijinja::Error> {
    let value = item.get_attr(name)?;
    if value.is_undefined() {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::UndefinedError,
            format!("the `{filter}` filter was given an item without `{name}`"),
        ));
    }
    Ok(value)
}

/// Appends `item.name` as `{{ item.name }}` writes it (`field`, then `push_value`).
pub fn push_field(
    html: &mut String,
    item: &minijinja::Value,
    name: &str,
    filter: &str,
) -> Result<(), minijinja::Error> {
    push_value(html, &field(item, name, filter)?);
    Ok(())
}

/// What a filter reads from the page as the loop it replaced did — `lang`, `home` and `t` — to
/// write texts as the default theme writes a `Text` (`txt` in `macros.html`): as it is in the
/// page's language, else marked with its own and followed by the "untranslated" note.
pub struct Page<'p, 's> {
    state: &'p minijinja::State<'p, 's>,
    filter: &'static str,
    pub lang: minijinja::Value,
    pub home: minijinja::Value,
    t: minijinja::Value,
    /// `t("untranslated")`, asked for once, when a first text is not in the page's language.
    untranslated: Option<minijinja::Value>,
}

impl<'p, 's> Page<'p, 's> {
    /// The page's values, for `filter` (named in the error when the page lacks one).
    pub fn of(
        state: &'p minijinja::State<'p, 's>,
        filter: &'static str,
    ) -> Result<Self, minijinja::Error> {
        let lookup = |name: &str| {
            (state.lookup(name)).ok_or_else(|| {
                let what = format!("the `{filter}` filter needs `{name}` on the page");
                minijinja::Error::new(minijinja::ErrorKind::UndefinedError, what)
            })
        };
        Ok(Page {
            state,
            filter,
            lang: lookup("lang")?,
            home: lookup("home")?,
            t: lookup("t")?,
            untranslated: None,
        })
    }

    /// As `push_text`, for a text given as its `text` and `lang`.
    pub fn push_local(
        &mut self,
        html: &mut String,
        text: &str,
        lang: &str,
    ) -> Result<(), minijinja::Error> {
        if self.lang.as_str() == Some(lang) {
            push_escaped(html, text);
            return Ok(());
        }
        let text = |html: &mut String| {
            push_escaped(html, text);
            Ok(())
        };
        self.push_foreign(html, |html| push_escaped(html, lang), text)
    }

    /// Appends a text not in the page's language, its language and text written by `lang` and
    /// `text`: `<span lang="…">…</span> <small class="untranslated">{{ t("untranslated") }}</small>`.
    fn push_foreign(
        &mut self,
        html: &mut String,
        lang: impl FnOnce(&mut String),
        text: impl FnOnce(&mut String) -> Result<(), minijinja::Error>,
    ) -> Result<(), minijinja::Error> {
        html.push_str("<span lang=\"");
        lang(html);
        html.push_str("\">");
        text(html)?;
        html.push_str("</span> <small class=\"untranslated\">");
        let note = match &self.untranslated {
            Some(note) => note,
            None => self.untranslated.insert(self.t("untranslated")?),
        };
        push_value(html, note);
        html.push_str("</small>");
        Ok(())
    }

    /// `t(key)` on the page.
    pub fn t(&self, key: &str) -> Result<minijinja::Value, minijinja::Error> {
        self.t.call(self.state, &[key.into()])
    }

    /// Appends `text` (`text`, `lang`) as
    /// `{% if x.lang != lang %}<span lang="{{ x.lang }}">{{ x.text }}</span> <small
    /// class="untranslated">{{ t("untranslated") }}</small>{% else %}{{ x.text }}{% endif %}`.
    pub fn push_text(
        &mut self,
        html: &mut String,
        text: &minijinja::Value,
    ) -> Result<(), minijinja::Error> {
        let filter = self.filter;
        let other = field(text, "lang", filter)?;
        if other == self.lang {
            return push_field(html, text, "text", filter);
        }
        let written = |html: &mut String| push_field(html, text, "text", filter);
        self.push_foreign(html, |html| push_value(html, &other), written)
    }
}

/// A page for a filter's test: `lang`, `home` (`../`), a `t` that says which language it was
/// asked in (`"en: …"`; `checklist.overdue` has characters to escape; an unknown key fails), and
/// `name` holding `items`.
#[cfg(test)]
pub fn test_page(lang: &'static str, name: &str, items: serde_json::Value) -> minijinja::Value {
    test_page_of(lang, name, minijinja::Value::from_serialize(items))
}

/// `test_page` with `items` given as a template value.
#[cfg(test)]
pub fn test_page_of(lang: &'static str, name: &str, items: minijinja::Value) -> minijinja::Value {
    let t = minijinja::Value::from_function(move |key: &str| {
        let text = match key {
            "untranslated" => "(not translated)",
            "checklist.published" => "published",
            "checklist.overdue" => "overdue <late>",
            "checklist.missing" => "missing",
            _ => {
                let e = minijinja::Error::new(minijinja::ErrorKind::UndefinedError, key.to_owned());
                return Err(e);
            }
        };
        Ok(format!("{lang}: {text}"))
    });
    let page: std::collections::BTreeMap<&str, minijinja::Value> = [
        ("lang", lang.into()),
        ("home", "../".into()),
        ("t", t),
        (name, items),
    ]
    .into();
    minijinja::Value::from(page)
}

/// `assert_filter_writes_the_loop` for a filter of `name`'s items that reads the page
/// (`Page`): the loop and `{{ name|filter }}` on a Ukrainian and an English `test_page` of
/// `items`, and `missing` (items lacking `field`) failing; what the filter wrote on each.
#[cfg(test)]
pub fn assert_page_filter_writes_the_loop(
    add: impl FnOnce(&mut minijinja::Environment<'static>),
    (looped, filtered): (&'static str, &'static str),
    (name, items): (&str, serde_json::Value),
    (missing, field): (serde_json::Value, &str),
) -> Vec<String> {
    let contexts = ["uk", "en"].map(|lang| test_page(lang, name, items.clone()));
    let missing = test_page("uk", name, missing);
    assert_filter_writes_the_loop(add, (looped, filtered), &contexts, (missing, field))
}

/// Checks a filter that writes in Rust what a template loop wrote: `looped` (the loop) and
/// `filtered` (the filter) render the same bytes in each of `contexts`, and `missing` (a context
/// whose item lacks a field) fails, naming `field`. Returns what the filter wrote, for more checks.
#[cfg(test)]
pub fn assert_filter_writes_the_loop(
    add: impl FnOnce(&mut minijinja::Environment<'static>),
    (looped, filtered): (&'static str, &'static str),
    contexts: &[minijinja::Value],
    (missing, field): (minijinja::Value, &str),
) -> Vec<String> {
    let mut env = minijinja::Environment::new();
    env.set_formatter(super::format::write_value);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    add(&mut env);
    env.add_template("loop.html", looped).unwrap();
    env.add_template("filter.html", filtered).unwrap();
    let render = |name, ctx: &minijinja::Value| env.get_template(name).unwrap().render(ctx);
    let written: Vec<String> = (contexts.iter())
        .map(|ctx| {
            let (looped, filtered) = (render("loop.html", ctx), render("filter.html", ctx));
            assert_eq!(
                filtered.as_ref().unwrap(),
                looped.as_ref().unwrap(),
                "{ctx}"
            );
            // The formatter writes a filter's HTML as it is (`clean`): the filter drops them.
            let control = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
            assert!(!filtered.as_ref().unwrap().contains(control), "{ctx}");
            filtered.unwrap()
        })
        .collect();
    let error = render("filter.html", &missing).unwrap_err();
    let named = format!("without `{field}`");
    assert!(error.to_string().contains(&named), "{error}");
    written
}
