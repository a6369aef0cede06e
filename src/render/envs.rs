//! Stage 4, render: the theme's templates compiled, as written and in each language's copy with
//! its messages written in. A dataset page calls `t` some sixty times, and each `{{ t("key") }}`
//! costs a name lookup, a function call, a map lookup and an escape on every page; written into
//! the template once per language, it is template text, which costs nothing to write. A sixth of
//! a dataset page's template work was these calls.
//!
//! Invariant: a language's copy writes exactly the bytes the theme's template writes on a page of
//! that language (`t` is the page's language's messages: `context::LangNames`). Where that cannot
//! be seen from the templates' tokens, nothing is written in:
//! - only `{{ t("key") }}` itself, with a string key and no whitespace control, is replaced;
//! - only with a message the formatter writes as it is given or escaped, on one line, with no
//!   brace, `%` or `#` (the replacement can never start or end a tag);
//! - nowhere in a theme that uses the name `t` other than to call it (a loop variable, a `set`,
//!   a macro or its argument, `t` passed on), that switches escaping (`autoescape`), or that has
//!   a template other than `.html` (whose escaping would differ).

use std::collections::BTreeMap;
use std::ops::Range;

use minijinja::machinery::{tokenize, Span, Token, WhitespaceConfig};
use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior};

use super::theme::{Theme, LANGS};
use super::{checklist, exports, format, i18n, profile, rows, territory, view};
use crate::error::Error;

/// The theme's templates compiled: as the theme wrote them, and each language's copy with its
/// messages written in (`localise`), which pages render from. An error in a copy names the
/// template and line it names in the theme's own (a message written in is on one line).
pub(super) struct Environments<'a> {
    /// The templates as written (pages of a language without a copy).
    written: Environment<'a>,
    /// Each language's copy, in `LANGS` order; empty when the theme leaves nothing to write in.
    localised: Vec<Environment<'a>>,
}

impl<'a> Environments<'a> {
    /// Compiles the theme's templates; the messages as template functions for the pages' own
    /// `t` (`i18n::Translations`).
    pub(super) fn of(theme: &'a Theme) -> Result<(Self, i18n::Translations), Error> {
        let (written, translations) = environment(theme, None)?;
        let mut localised = Vec::new();
        for lang in LANGS {
            let messages = theme.messages.get(lang);
            let copy = messages.and_then(|m| localise(&theme.templates, m, &as_written));
            let Some(copy) = copy else {
                localised.clear();
                break;
            };
            localised.push(environment(theme, Some(copy))?.0);
        }
        let envs = Environments { written, localised };
        Ok((envs, translations))
    }

    /// What pages in `lang` render from.
    pub(super) fn of_lang(&self, lang: &str) -> &Environment<'a> {
        let i = LANGS.iter().position(|l| *l == lang);
        i.and_then(|i| self.localised.get(i))
            .unwrap_or(&self.written)
    }
}

/// The templates (the theme's, or `copy` instead) in an environment with the tool's formatter,
/// filters and functions. The theme's are borrowed: a template added as owned is looked up
/// behind a lock, with its name copied, at every page and at every `import` a page makes.
fn environment(
    theme: &Theme,
    copy: Option<BTreeMap<String, String>>,
) -> Result<(Environment<'_>, i18n::Translations), Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(format::write_value);
    env.add_filter("cells", format::cells);
    env.add_filter("rows", rows::rows);
    env.add_filter("passport_rows", exports::passport::passport_rows);
    env.add_filter("profile_rows", profile::profile_rows);
    env.add_filter("schema_rows", view::schema_rows);
    env.add_filter("checklist_rows", checklist::checklist_rows);
    env.add_filter("child_items", territory::child_items);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    let error = |name: &str, e| Error::Template {
        path: theme.origin.clone(),
        template: name.to_owned(),
        source: Box::new(e),
    };
    match copy {
        None => {
            for (name, source) in &theme.templates {
                env.add_template(name, source).map_err(|e| error(name, e))?;
            }
        }
        Some(copy) => {
            for (name, source) in copy {
                (env.add_template_owned(name.clone(), source)).map_err(|e| error(&name, e))?;
            }
        }
    }
    let translations = i18n::add_functions(&mut env, &theme.messages);
    Ok((env, translations))
}

/// A message as the formatter writes it in an `.html` template (`None`: rendering it failed).
fn as_written(text: &str) -> Option<String> {
    // One environment for every message of every build: made per message, they were a third
    // of the time the copies took.
    static SCRATCH: std::sync::LazyLock<Environment<'static>> = std::sync::LazyLock::new(|| {
        let mut env = Environment::new();
        env.set_formatter(format::write_value);
        env
    });
    let context = minijinja::context! { m => text };
    (SCRATCH.render_named_str("message.html", "{{ m }}", context)).ok()
}

/// Each template of `templates` with every `{{ t("key") }}` whose message in `messages` can be
/// written in replaced by the bytes the call writes (`written`: the formatter's output for a
/// message, `None` when it cannot be had). `None` when the theme leaves nothing to write in safely
/// (see the module's invariant); a template that does not tokenize is left for compiling to
/// report.
pub(super) fn localise(
    templates: &BTreeMap<String, String>,
    messages: &BTreeMap<String, String>,
    written: &dyn Fn(&str) -> Option<String>,
) -> Option<BTreeMap<String, String>> {
    if !templates.keys().all(|name| name.ends_with(".html")) {
        return None;
    }
    let mut calls = BTreeMap::new();
    for (name, source) in templates {
        calls.insert(name, t_calls(source)?);
    }
    // Each key's text once, however many templates call it.
    let keys = calls.values().flatten().map(|(_, key)| *key);
    let texts: BTreeMap<&str, String> = (keys.collect::<std::collections::BTreeSet<_>>())
        .into_iter()
        .filter_map(|key| {
            let text = written(messages.get(key)?)?;
            let plain = !text.contains(['{', '}', '%', '#', '\n', '\r']);
            plain.then_some((key, text))
        })
        .collect();
    let mut localised = BTreeMap::new();
    for (name, source) in templates {
        let mut out = String::with_capacity(source.len());
        let mut from = 0;
        for (range, key) in &calls[name] {
            // A `{` just before could make a tag of the replacement's first character.
            let after_brace = source[..range.start].ends_with('{');
            let Some(text) = texts.get(key).filter(|_| !after_brace) else {
                continue;
            };
            out.push_str(&source[from..range.start]);
            out.push_str(text);
            from = range.end;
        }
        out.push_str(&source[from..]);
        localised.insert(name.clone(), out);
    }
    Some(localised)
}

/// Where `source` calls `{{ t("key") }}` (the tag's byte range, the key). `None` when it uses
/// `t` otherwise or switches escaping; an empty list when it does not tokenize.
// `SyntaxConfig` is a unit struct only while minijinja's `custom_syntax` feature is off.
#[allow(clippy::default_constructed_unit_structs)]
fn t_calls(source: &str) -> Option<Vec<(Range<usize>, &str)>> {
    let lexed = tokenize(
        source,
        false,
        SyntaxConfig::default(),
        WhitespaceConfig::default(),
    );
    let Ok(tokens) = lexed.collect::<Result<Vec<(Token, Span)>, _>>() else {
        return Some(Vec::new());
    };
    let mut calls = Vec::new();
    for (i, (token, _)) in tokens.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| &tokens[j].0);
        match token {
            Token::Ident("autoescape") if matches!(before, Some(Token::BlockStart)) => return None,
            // An attribute of something else (`x.t`), not the name.
            Token::Ident("t") if matches!(before, Some(Token::Dot)) => {}
            Token::Ident("t") => {
                let called = matches!(tokens.get(i + 1), Some((Token::ParenOpen, _)));
                if !called || matches!(before, Some(Token::Ident("macro"))) {
                    return None;
                }
                calls.extend(call_at(source, &tokens, i));
            }
            _ => {}
        }
    }
    Some(calls)
}

/// The call `{{ t("key") }}` whose `t` is token `i`, when it is exactly that.
fn call_at<'s>(
    source: &'s str,
    tokens: &[(Token<'s>, Span)],
    i: usize,
) -> Option<(Range<usize>, &'s str)> {
    let [(Token::VariableStart, open), (Token::Ident("t"), _), (Token::ParenOpen, _), (Token::Str(key), _), (Token::ParenClose, _), (Token::VariableEnd, close)] =
        tokens.get(i.checked_sub(1)?..i + 5)?
    else {
        return None;
    };
    let range = open.start_offset as usize..close.end_offset as usize;
    let text = source.get(range.clone())?;
    // `{{-` and `-}}` strip whitespace around the tag, which text in its place would not.
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?;
    let controlled = inner.starts_with(['-', '+']) || inner.ends_with(['-', '+']);
    (!controlled).then_some((range, *key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages() -> BTreeMap<String, String> {
        [
            ("a", "Набори & <дані>"),
            ("b", "two"),
            ("brace", "{x}"),
            ("pct", "100%"),
            ("lines", "one\ntwo"),
            ("bell", "ring\u{7}"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn localised(source: &str) -> Option<String> {
        let templates = BTreeMap::from([("p.html".to_owned(), source.to_owned())]);
        localise(&templates, &messages(), &as_written).map(|mut t| t.remove("p.html").unwrap())
    }

    #[test]
    fn writes_in_plain_calls_of_known_writable_messages() {
        let a = "Набори &amp; &lt;дані&gt;";
        let cases = [
            ("<p>{{ t(\"a\") }}</p>", format!("<p>{a}</p>")),
            (
                "<p title=\"{{ t('b') }}\">{{t('a')}}</p>",
                format!("<p title=\"two\">{a}</p>"),
            ),
            (
                "{% if x %}{{ t('b') }}{% endif %}",
                "{% if x %}two{% endif %}".into(),
            ),
            // A control character is dropped, as the formatter drops it.
            ("{{ t('bell') }}", "ring".into()),
        ];
        for (source, want) in cases {
            assert_eq!(localised(source).as_deref(), Some(&*want), "{source}");
        }
    }

    #[test]
    fn leaves_what_is_not_exactly_a_call_of_a_plain_message() {
        for source in [
            // Whitespace control, more than a call.
            "a {{- t('b') }}",
            "{{ t('b') -}} a",
            "{{+ t('b') }}",
            "{{ t('b')|upper }}",
            "{{ t('b') ~ '!' }}",
            "{{ t(key) }}",
            // No such message; one that could make a tag or a line.
            "{{ t('nope') }}",
            "{{ t('brace') }}{{ t('pct') }}{{ t('lines') }}",
            "{{{ t('b') }}",
            // Raw text, a string that looks like a call, a comment, an attribute named `t`.
            "{% raw %}{{ t('b') }}{% endraw %}",
            "{{ \"{{ t('b') }}\" }}",
            "{# {{ t('b') }} #}{{ x.t('b') }}",
        ] {
            assert_eq!(localised(source).as_deref(), Some(source));
        }
    }

    #[test]
    fn writes_nothing_in_where_t_may_not_be_the_page_messages() {
        for source in [
            "{% for t in ticks %}{{ t.label }}{% endfor %}{{ t('b') }}",
            "{% set t = other %}{{ t('b') }}",
            "{% macro t(x) %}{{ x }}{% endmacro %}{{ t('b') }}",
            "{% macro m(t) %}{{ t('b') }}{% endmacro %}",
            "{% from 'm.html' import t %}{{ t('b') }}",
            "{{ f(t) }}{{ t('b') }}",
            "{% autoescape false %}{{ t('a') }}{% endautoescape %}",
        ] {
            assert_eq!(localised(source), None, "{source}");
        }
        let templates = BTreeMap::from([
            ("p.html".to_owned(), "{{ t('b') }}".to_owned()),
            ("robots.txt".to_owned(), "{{ t('a') }}".to_owned()),
        ]);
        assert_eq!(localise(&templates, &messages(), &as_written), None);
    }

    #[test]
    fn the_default_theme_is_written_in_for_every_language() {
        let theme = Theme::builtin().unwrap();
        let (envs, _) = Environments::of(&theme).unwrap();
        assert_eq!(envs.localised.len(), LANGS.len());
        for lang in LANGS {
            let copy = localise(&theme.templates, &theme.messages[lang], &as_written).unwrap();
            let calls = |source: &str| source.matches("{{ t(").count();
            let (before, after) = (
                calls(&theme.templates["base.html"]),
                calls(&copy["base.html"]),
            );
            assert!(
                before > 5 && after == 0,
                "{lang}: {before} calls, {after} left"
            );
        }
    }

    #[test]
    fn a_template_that_does_not_tokenize_is_left_for_compiling() {
        let source = "{{ t('b') }}{{ 'unclosed }}";
        assert_eq!(localised(source).as_deref(), Some(source));
    }
}
