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
