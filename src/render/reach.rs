//! Stage 4, render: which templates of a theme a template reaches — itself and, transitively,
//! every template it extends, includes or imports. The build cache keys a page by the templates
//! its own template reaches (`cache::Digests`), so that an edit of `territory.html` renders the
//! territory pages again and leaves the datasets' pages standing.
//!
//! Invariant: the answer is never too small. A tag that names its template by anything but
//! string literals (a variable, a concatenation) may reach any template, so such a template
//! reaches them all. Names are read from the tags alone; mentions in comments or `raw` blocks
//! only add names, which costs a render, never a wrong page.

use std::collections::{BTreeMap, BTreeSet};

/// The templates a template's tags name: by literal names, or any (a name made at render time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    Literally(BTreeSet<String>),
    Any,
}

/// What the tags of the template `source` name (`extends`, `include`, `import`, `from`). Every
/// `{%` is read as the start of a tag, even one inside another's text (`{{ "{%" }}`): a real
/// tag is never skipped for how the text before it was read.
pub fn named(source: &str) -> Named {
    let mut names = BTreeSet::new();
    for (start, _) in source.match_indices("{%") {
        let body = tag_body(&source[start + 2..]);
        match names_in(&tokens(body)) {
            Some(found) => names.extend(found),
            None => return Named::Any,
        }
    }
    Named::Literally(names)
}

/// Every template of `templates` (name → source) that `template` reaches, itself included,
/// with the names it reaches that the theme lacks (an `include … ignore missing`): adding
/// such a template changes the page too.
pub fn reached(templates: &BTreeMap<String, String>, template: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::from([template.to_owned()]);
    let mut todo = vec![template.to_owned()];
    while let Some(name) = todo.pop() {
        let Some(source) = templates.get(&name) else {
            continue;
        };
        let Named::Literally(names) = named(source) else {
            seen.extend(templates.keys().cloned());
            return seen;
        };
        for n in names {
            if seen.insert(n.clone()) {
                todo.push(n);
            }
        }
    }
    seen
}

/// The text of a tag whose `{%` was just read, up to its `%}` (a `%}` inside a string does not
/// end it, as in minijinja's lexer).
fn tag_body(s: &str) -> &str {
    let mut quote = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '%') if s[i + 1..].starts_with('}') => return &s[..i],
            _ => {}
        }
    }
    s
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Str(String),
    Word(&'a str),
    Mark(char),
}

/// The tag's words, string literals (unescaped) and marks (whitespace control among them).
fn tokens(body: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '"' || c == '\'' {
            let mut text = String::new();
            while let Some((_, d)) = chars.next() {
                match d {
                    '\\' => text.extend(chars.next().map(|(_, e)| e)),
                    d if d == c => break,
                    d => text.push(d),
                }
            }
            out.push(Token::Str(text));
        } else if c.is_alphanumeric() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !(d.is_alphanumeric() || d == '_') {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            out.push(Token::Word(&body[i..end]));
        } else {
            out.push(Token::Mark(c));
        }
    }
    out
}

/// The names a tag's tokens give its template argument: none for a tag that takes no template,
/// `None` when the argument is not made of string literals alone.
fn names_in(tokens: &[Token]) -> Option<Vec<String>> {
    // Whitespace control: a `-` or `+` right inside either delimiter.
    let trim = |t: Option<&Token>| usize::from(matches!(t, Some(Token::Mark('-' | '+'))));
    let start = trim(tokens.first());
    let end = tokens.len() - trim(tokens.last()).min(tokens.len() - start);
    let Some(Token::Word(tag)) = tokens.get(start) else {
        return Some(Vec::new());
    };
    let rest = &tokens[start + 1..end];
    let end_at = |word: &str| {
        (rest.iter())
            .position(|t| *t == Token::Word(word))
            .unwrap_or(rest.len())
    };
    let argument = match *tag {
        "extends" | "include" => {
            &rest[..end_at("ignore").min(end_at("with")).min(end_at("without"))]
        }
        "import" => &rest[..end_at("as")],
        "from" => &rest[..end_at("import")],
        _ => return Some(Vec::new()),
    };
    let mut names = Vec::new();
    for t in argument {
        match t {
            Token::Str(s) => names.push(s.clone()),
            Token::Mark('[' | ']' | '(' | ')' | ',') => {}
            _ => return None,
        }
    }
    (!names.is_empty()).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> Named {
        Named::Literally(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn tags_name_templates_by_literals_or_by_anything() {
        let cases: &[(&str, Named)] = &[
            ("<p>{{ x }}</p>", set(&[])),
            ("{% extends \"base.html\" %}", set(&["base.html"])),
            ("{%- extends 'base.html' -%}", set(&["base.html"])),
            (
                "{% from \"macros.html\" import txt, link %}",
                set(&["macros.html"]),
            ),
            ("{% import 'm.html' as m %}", set(&["m.html"])),
            (
                "{% include [\"a.html\", \"b.html\"] ignore missing %}",
                set(&["a.html", "b.html"]),
            ),
            ("{% include \"a.html\" with context %}", set(&["a.html"])),
            ("{%+ include \"we\\\"ird.html\" %}", set(&["we\"ird.html"])),
            // A `%}` in a string does not end the tag.
            (
                "{% set s = \"%}\" %}{% include 'x.html' %}",
                set(&["x.html"]),
            ),
            (
                "{% if a %}{% for i in l %}{% endfor %}{% endif %}",
                set(&[]),
            ),
            // A comment's or a block's words are not tags.
            (
                "{# include me #}{% block include %}{% endblock %}",
                set(&[]),
            ),
            ("{% include name %}", Named::Any),
            ("{% include \"a\" ~ \".html\" %}", Named::Any),
            ("{% extends layout if x else 'base.html' %}", Named::Any),
            ("{% from m import x %}", Named::Any),
            ("{% include \"a\" + \".html\" -%}", Named::Any),
            // A `{%` in an expression's string: the tags after it are still read.
            ("{{ \"{%\" }}<p class=\"x\">{% include name %}", Named::Any),
            ("{{ \"{% raw\" }}\"{% include 'y.html' %}", set(&["y.html"])),
            ("{% include %}", Named::Any),
            ("{%- include -%}", Named::Any),
        ];
        for (source, want) in cases {
            assert_eq!(&named(source), want, "{source}");
        }
    }

    #[test]
    fn the_default_themes_pages_reach_their_frame_and_macros() {
        let theme = crate::render::Theme::builtin().unwrap();
        let reach = |t: &str| reached(&theme.templates, t).into_iter().collect::<Vec<_>>();
        let frame = ["base.html", "macros.html"];
        assert_eq!(
            reach("dataset.html"),
            ["base.html", "chart.html", "dataset.html", "macros.html"]
        );
        for page in [
            "territory.html",
            "table.html",
            "index.html",
            "publisher.html",
        ] {
            let reached = reach(page);
            assert!(reached.len() < theme.templates.len(), "{page}: {reached:?}");
            assert!(reached.contains(&page.to_owned()), "{page}");
            assert!(
                frame.iter().any(|f| reached.contains(&f.to_string())),
                "{page}"
            );
        }
    }

    #[test]
    fn a_template_reaches_what_it_names_transitively_and_a_name_made_at_render_time_reaches_all() {
        let theme = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            (pairs.iter())
                .map(|(n, s)| (n.to_string(), s.to_string()))
                .collect()
        };
        let t = theme(&[
            ("base.html", "{% block content %}{% endblock %}"),
            ("macros.html", "{% macro m() %}{% endmacro %}"),
            ("chart.html", "{% from 'macros.html' import m %}"),
            (
                "page.html",
                "{% extends 'base.html' %}{% from 'chart.html' import c %}{% include 'gone.html' ignore missing %}",
            ),
            ("other.html", "{% extends 'base.html' %}"),
            ("any.html", "{% include x %}"),
        ]);
        let names = |r: BTreeSet<String>| r.into_iter().collect::<Vec<_>>();
        assert_eq!(
            names(reached(&t, "page.html")),
            [
                "base.html",
                "chart.html",
                "gone.html",
                "macros.html",
                "page.html"
            ]
        );
        assert_eq!(
            names(reached(&t, "other.html")),
            ["base.html", "other.html"]
        );
        assert_eq!(reached(&t, "any.html").len(), t.len());
        assert_eq!(names(reached(&t, "made-by-code")), ["made-by-code"]);
    }
}
