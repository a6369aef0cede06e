//! Stage 4, render: the contexts pages hand their templates — a view under its name (`One`),
//! the front page's views (`Home`), and lists read an item at a time (`Lazy`). Invariant: a
//! template reads these exactly as it would read the plain serialised views.

use minijinja::Value;

use super::{territory, view};

/// The names every page of a language gives its template besides its own context, made into
/// template values once per language: `lang`, `other_lang`, `catalog_title`,
/// `catalog_description`, `build_date`, `today`, `has_coverage` and the page's `t`.
#[derive(Debug)]
pub(super) struct LangNames {
    /// The language's code (which copy of the templates its pages render from).
    pub(super) code: &'static str,
    /// The other language's code (where the page's language switch leads).
    pub(super) other: &'static str,
    lang: Value,
    other_lang: Value,
    catalog_title: Value,
    catalog_description: Value,
    build_date: Value,
    today: Value,
    has_coverage: Value,
    t: Value,
}

impl LangNames {
    pub(super) fn new(
        catalog: &crate::catalog::Catalog,
        options: &super::Options,
        t: &super::i18n::Translations,
        l: &view::Lang,
    ) -> LangNames {
        let langs = super::LANGS;
        let i = langs.iter().position(|o| *o == l.code).unwrap_or(0);
        let other = langs[(i + 1) % langs.len()];
        LangNames {
            code: l.code,
            other,
            lang: Value::from(l.code),
            other_lang: Value::from(other),
            catalog_title: Value::from_serialize(l.text(&catalog.config.title)),
            catalog_description: Value::from_serialize(l.text(&catalog.config.description)),
            build_date: Value::from(options.build_date.map(|d| d.to_string())),
            today: Value::from(options.today.map(|d| d.to_string())),
            has_coverage: Value::from(!catalog.mandatory.is_empty()),
            t: t.t(l.code),
        }
    }
}

/// What every page gives its template besides its own context: its language's names
/// (`LangNames`) and where it is (`root`, `home`, `switch_href`, `canonical`).
#[derive(Debug)]
pub(super) struct Common {
    pub(super) names: std::sync::Arc<LangNames>,
    pub(super) root: Value,
    pub(super) home: Value,
    pub(super) switch_href: Value,
    pub(super) canonical: Value,
}

impl Common {
    /// The value of the name `key`: matched, where a map of them was searched by comparing
    /// values, at every name a template reads.
    fn get(&self, key: &str) -> Option<&Value> {
        let n = &*self.names;
        Some(match key {
            "t" => &n.t,
            "lang" => &n.lang,
            "home" => &self.home,
            "root" => &self.root,
            "other_lang" => &n.other_lang,
            "switch_href" => &self.switch_href,
            "canonical" => &self.canonical,
            "catalog_title" => &n.catalog_title,
            "catalog_description" => &n.catalog_description,
            "build_date" => &n.build_date,
            "today" => &n.today,
            "has_coverage" => &n.has_coverage,
            _ => return None,
        })
    }

    /// The names a template reads as data (all but `t`), for the memo's key.
    const DATA: [&'static str; 11] = [
        "lang",
        "root",
        "home",
        "other_lang",
        "switch_href",
        "canonical",
        "catalog_title",
        "catalog_description",
        "build_date",
        "today",
        "has_coverage",
    ];
}

/// The memo's key reads the names as a map (`t` is the language's messages, which the key's
/// setting digest covers).
impl serde::Serialize for Common {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(Self::DATA.len()))?;
        for key in Self::DATA {
            map.serialize_entry(key, self.get(key).unwrap_or(&Value::UNDEFINED))?;
        }
        map.end()
    }
}

/// A page's root context: `common`'s names, then those of its own context (`page`), as
/// `context! { ..page, ..common }` gave them. No page's context uses a common name (theirs are
/// `dataset`, `table`, `territory`, `publisher`, `publishers`, `index`, `coverage`, `datasets`,
/// `total`, `pagination`, `latest`, `oblasts`, `stats`), so which would win does not arise.
#[derive(Debug)]
pub(super) struct Root {
    pub(super) page: Value,
    pub(super) common: Common,
}

impl minijinja::value::Object for Root {
    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &std::sync::Arc<Self>, key: &str) -> Option<Value> {
        if let Some(value) = self.common.get(key) {
            return Some(value.clone());
        }
        (self.page.get_attr(key).ok()).filter(|v| !v.is_undefined())
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        let page = (self.page.try_iter().into_iter().flatten())
            .filter(|k| (k.as_str()).is_none_or(|k| k != "t" && !Common::DATA.contains(&k)));
        let names = Common::DATA
            .iter()
            .chain(["t"].iter())
            .map(|k| Value::from(*k));
        minijinja::value::Enumerator::Values(page.chain(names).collect())
    }
}

/// A page's own context: one view under its name, as templates read it (`{"dataset": …}`).
pub(super) struct One<'v, T: ?Sized>(pub(super) &'static str, pub(super) &'v T);

impl<T: serde::Serialize + ?Sized> serde::Serialize for One<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, self.1)?;
        map.end()
    }
}

/// The front page's views.
#[derive(serde::Serialize)]
pub(super) struct Home<'a> {
    pub(super) latest: &'a [view::SharedListed],
    pub(super) oblasts: &'a [territory::Child],
    pub(super) publishers: &'a [view::PublisherView],
    pub(super) stats: &'a Stats,
}

/// A page of the list of datasets: its datasets, how many there are in all, its pager (`None`
/// when the list is one page).
#[derive(serde::Serialize)]
pub(super) struct ListPage<'a> {
    pub(super) datasets: &'a [view::SharedListed],
    pub(super) total: usize,
    pub(super) pagination: Option<super::pager::Pager>,
}

/// The catalogue's counts on the front page.
#[derive(serde::Serialize)]
pub(super) struct Stats {
    pub(super) datasets: usize,
    pub(super) resources: usize,
    pub(super) publishers: usize,
    pub(super) hromadas: usize,
}

/// A list handed to templates an item at a time: each item becomes a template value when read,
/// so that a page listing every dataset (or every publisher with its datasets) never holds the
/// whole list as template values — at national scale, a hundred megabytes per such page.
/// A page of such a list (a page of the list of datasets) is a range of it, shared, not copied.
#[derive(Debug)]
pub(super) struct Lazy<T>(std::sync::Arc<Vec<T>>, std::ops::Range<usize>);

impl<T: serde::Serialize + std::fmt::Debug + Send + Sync + 'static> Lazy<T> {
    pub(super) fn value(list: &std::sync::Arc<Vec<T>>) -> Value {
        Lazy::part(list, 0..list.len())
    }

    /// The items of `list` in `range` (cut to the list).
    pub(super) fn part(list: &std::sync::Arc<Vec<T>>, range: std::ops::Range<usize>) -> Value {
        let end = range.end.min(list.len());
        Value::from_object(Lazy(list.clone(), range.start.min(end)..end))
    }
}

impl<T: serde::Serialize + std::fmt::Debug + Send + Sync + 'static> minijinja::value::Object
    for Lazy<T>
{
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        let item = self.0[self.1.clone()].get(key.as_usize()?)?;
        Some(Value::from_serialize(item))
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.1.len())
    }
}

#[cfg(test)]
mod tests {
    use super::{Common, LangNames, Root};
    use minijinja::Value;

    #[test]
    fn a_root_context_reads_as_the_page_and_common_maps_merged() {
        let names = LangNames {
            code: "en",
            other: "uk",
            lang: Value::from("en"),
            other_lang: Value::from("uk"),
            catalog_title: Value::from_serialize(serde_json::json!({"text": "T", "lang": "uk"})),
            catalog_description: Value::from(""),
            build_date: Value::from(None::<String>),
            today: Value::from("2026-12-06"),
            has_coverage: Value::from(true),
            t: Value::from_function(|key: &str| format!("[{key}]")),
        };
        let common = Common {
            names: std::sync::Arc::new(names),
            root: Value::from("../"),
            home: Value::from("../en/"),
            switch_href: Value::from("../x/"),
            canonical: Value::from("https://h.ua/en/x/"),
        };
        let page = serde_json::json!({"dataset": {"title": "D"}});
        let merged = minijinja::context! { ..Value::from_serialize(&page), ..Value::from_serialize(&common) };
        let common_key = serde_json::to_value(&common).unwrap();
        let root = Value::from_object(Root {
            page: Value::from_serialize(&page),
            common,
        });
        let source =
            "{{ dataset.title }} {{ lang }} {{ home }}{{ root }} {{ catalog_title.text }} \
            {{ build_date is none }} {{ has_coverage }} {{ today }} {{ missing is undefined }}";
        let env = minijinja::Environment::new();
        let out = env.render_str(source, &root).unwrap();
        assert_eq!(out, env.render_str(source, merged).unwrap());
        assert_eq!(out, "D en ../en/../ T True True 2026-12-06 True");
        assert_eq!(env.render_str("{{ t('x') }}", &root).unwrap(), "[x]");
        // The memo's key reads every name but `t`, the language's messages.
        let keys: Vec<&String> = common_key.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), Common::DATA.len());
        assert!(!keys.iter().any(|k| *k == "t"));
        let listed: Vec<String> = root.try_iter().unwrap().map(|k| k.to_string()).collect();
        assert!(listed.contains(&"dataset".to_owned()) && listed.contains(&"t".to_owned()));
    }
    #[test]
    fn a_lazy_list_reads_in_templates_as_the_list_would() {
        let env = minijinja::Environment::new();
        let render = |list: Vec<u32>| {
            let source = "{% if xs %}{{ xs|length }}:{% for x in xs %}{{ x }}{{ loop.index }},{% endfor %}{{ xs[1] }}{% else %}none{% endif %}";
            let lazy = super::Lazy::value(&std::sync::Arc::new(list.clone()));
            let plain = minijinja::Value::from_serialize(&list);
            let out = |xs| env.render_str(source, minijinja::context! { xs }).unwrap();
            (out(lazy), out(plain))
        };
        let (lazy, plain) = render(vec![7, 8, 9]);
        assert_eq!(
            (lazy.as_str(), plain.as_str()),
            ("3:71,82,93,8", "3:71,82,93,8")
        );
        let (lazy, plain) = render(vec![]);
        assert_eq!((lazy.as_str(), plain.as_str()), ("none", "none"));
        // A part reads as that slice of the list.
        let list = std::sync::Arc::new(vec![1, 2, 3, 4, 5]);
        let part = |r| super::Lazy::part(&list, r);
        let source = "{{ xs|length }}:{% for x in xs %}{{ x }},{% endfor %}{{ xs[0] }}";
        let out = |xs| env.render_str(source, minijinja::context! { xs }).unwrap();
        assert_eq!(out(part(1..3)), "2:2,3,2");
        assert_eq!(out(part(4..9)), "1:5,5", "cut to the list");
        assert_eq!(out(part(7..9)), "0:", "past the end: empty");
    }
}
