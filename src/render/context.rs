//! Stage 4, render: the contexts pages hand their templates — a view under its name (`One`),
//! the front page's views (`Home`), and lists read an item at a time (`Lazy`). Invariant: a
//! template reads these exactly as it would read the plain serialised views.

use minijinja::Value;

use super::{territory, view};

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
    pub(super) latest: &'a [view::Summary],
    pub(super) oblasts: &'a [territory::Child],
    pub(super) publishers: &'a [view::PublisherView],
    pub(super) stats: &'a Stats,
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
#[derive(Debug)]
pub(super) struct Lazy<T>(std::sync::Arc<Vec<T>>);

impl<T: serde::Serialize + std::fmt::Debug + Send + Sync + 'static> Lazy<T> {
    pub(super) fn value(list: &std::sync::Arc<Vec<T>>) -> Value {
        Value::from_object(Lazy(list.clone()))
    }
}

impl<T: serde::Serialize + std::fmt::Debug + Send + Sync + 'static> minijinja::value::Object
    for Lazy<T>
{
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        let item = self.0.get(key.as_usize()?)?;
        Some(Value::from_serialize(item))
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.0.len())
    }
}

#[cfg(test)]
mod tests {
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
    }
}
