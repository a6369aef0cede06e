//! Stage 4, render: what the filters share that write in Rust what a template loop wrote
//! (`passport_rows`, `schema_rows`, `profile_rows`): reading an item's field as a loop reads it,
//! and, for their tests, the check that a filter writes the loop's bytes. Invariant: a filter
//! built on these writes each value as `{{ item.name }}` writes it (`format::push_value`) and
//! fails where the loop fails.

use super::format::push_value;

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
            filtered.unwrap()
        })
        .collect();
    let error = render("filter.html", &missing).unwrap_err();
    let named = format!("without `{field}`");
    assert!(error.to_string().contains(&named), "{error}");
    written
}
