//! Stage 4, render: the theme's messages as the template functions `t(key)` (in the page's
//! language) and `t_in(key, lang)` (in a named one, for pages that speak both, such as the single
//! 404 page a static host serves for every address). A page calls `t` some sixty times, so each
//! message is made into a template value once, here, and a call only looks it up and clones it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use foldhash::fast::FixedState;
use minijinja::{Environment, ErrorKind, State, Value};

use super::theme::LANGS;

type Table<V> = HashMap<String, V, FixedState>;

/// Every language's messages, ready to print.
struct Messages(Table<Arc<Table<Value>>>);

impl Messages {
    fn new(messages: &BTreeMap<String, BTreeMap<String, String>>) -> Self {
        let lang = |m: &BTreeMap<String, String>| {
            let table = m.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str())));
            Arc::new(table.collect())
        };
        Messages(messages.iter().map(|(l, m)| (l.clone(), lang(m))).collect())
    }

    /// The message `key` of `lang`, or a template error naming the catalogue file that lacks it.
    fn get(&self, lang: &str, key: &str) -> Result<Value, minijinja::Error> {
        message(self.0.get(lang).map(|m| &**m), lang, key)
    }
}

/// The message `key` in `messages` (those of `lang`), or a template error naming the catalogue
/// file that lacks it.
fn message(
    messages: Option<&Table<Value>>,
    lang: &str,
    key: &str,
) -> Result<Value, minijinja::Error> {
    (messages.and_then(|m| m.get(key)).cloned()).ok_or_else(|| {
        minijinja::Error::new(
            ErrorKind::UndefinedError,
            format!("no message `{key}` in i18n/{lang}.toml"),
        )
    })
}

/// The messages, to hand each page a `t` of its own language (`Translations::t`).
#[derive(Clone)]
pub(super) struct Translations(Arc<Messages>);

impl Translations {
    /// `t` in `lang`: a page's root context gives it (`context::Root`), so that a call neither
    /// looks the page's language up nor searches the environment's globals for `t` — a
    /// dataset page makes a hundred calls.
    pub(super) fn t(&self, lang: &'static str) -> Value {
        let messages = self.0 .0.get(lang).cloned();
        Value::from_function(move |key: &str| message(messages.as_deref(), lang, key))
    }
}

/// Adds `t` and `t_in` to `env`; the messages, for pages' own `t` (`Translations::t`).
pub(super) fn add_functions(
    env: &mut Environment<'_>,
    messages: &BTreeMap<String, BTreeMap<String, String>>,
) -> Translations {
    let messages = Arc::new(Messages::new(messages));
    let page_messages = messages.clone();
    env.add_function(
        "t",
        move |state: &State, key: &str| -> Result<Value, minijinja::Error> {
            let lang = state.lookup("lang");
            let lang = lang.as_ref().and_then(Value::as_str).unwrap_or(LANGS[0]);
            page_messages.get(lang, key)
        },
    );
    let all = messages.clone();
    env.add_function(
        "t_in",
        move |key: &str, lang: &str| -> Result<Value, minijinja::Error> { all.get(lang, key) },
    );
    Translations(messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment<'static> {
        let mut messages = BTreeMap::new();
        for (lang, text) in [("uk", "Набори"), ("en", "Datasets")] {
            let m = BTreeMap::from([("nav".to_owned(), text.to_owned())]);
            messages.insert(lang.to_owned(), m);
        }
        let mut env = Environment::new();
        let t = add_functions(&mut env, &messages);
        env.add_global("t_en", t.t("en"));
        env
    }

    #[test]
    fn messages_follow_the_page_language_or_the_named_one() {
        let env = env();
        let cases = [
            (
                "{{ t('nav') }}",
                minijinja::context! { lang => "uk" },
                "Набори",
            ),
            (
                "{{ t('nav') }}",
                minijinja::context! { lang => "en" },
                "Datasets",
            ),
            ("{{ t('nav') }}", minijinja::context! {}, "Набори"),
            // A page's own `t`, bound to its language.
            (
                "{{ t_en('nav') }}",
                minijinja::context! { lang => "uk" },
                "Datasets",
            ),
            (
                "{{ t_in('nav', 'en') }}",
                minijinja::context! { lang => "uk" },
                "Datasets",
            ),
        ];
        for (source, ctx, expected) in cases {
            assert_eq!(env.render_str(source, ctx).unwrap(), expected, "{source}");
        }
    }

    #[test]
    fn a_missing_message_names_the_file_that_lacks_it() {
        for source in ["{{ t('nope') }}", "{{ t_en('nope') }}"] {
            let err = env()
                .render_str(source, minijinja::context! { lang => "en" })
                .unwrap_err();
            assert!(
                err.to_string()
                    .contains("no message `nope` in i18n/en.toml"),
                "{err}"
            );
        }
    }
}
