//! Stage 4, render: the HTML our own filters write (`rows`, `checklist_rows`, `passport_rows`…),
//! remembered so that the templates' formatter writes it without looking at it again.
//!
//! The formatter (`format::write_value`) drops control characters from every value, safe HTML
//! included, which means reading every byte of it. A filter of ours makes its HTML from pieces
//! that each went through `format::push_value` (or `push_text`, `push_cell`), which drop them,
//! and from markup of our own: a second look finds nothing. At national scale the look was
//! about 1 % of a build (a preview or a table is tens of kilobytes of rows).
//!
//! Invariant: a text is taken as clean only when it is, byte for byte, one a filter of ours
//! made: the same address and length as a value this thread holds in its list, and a held value
//! is never freed or changed (minijinja's strings are shared and immutable), so the address
//! cannot be reused for other text while the entry is there. A value a theme makes any other way
//! (`|safe`, a macro, a builtin filter) is a new string, not in the list, and is looked at.
//! The list is cleared after each page and kept short; a text not found is only looked at.

use std::cell::RefCell;

use minijinja::Value;

thread_local! {
    /// The clean HTML made on this thread for the page being rendered.
    static CLEAN: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

/// Entries kept at most: a page has a few filtered tables; past this the list starts again.
const KEPT: usize = 64;

/// `html`, written by a filter of ours from pieces `format::push_value` wrote, as a safe value
/// the formatter writes as it is.
pub fn clean_html(html: String) -> Value {
    let value = Value::from_safe_string(html);
    remember(&value);
    value
}

/// Remembers `value` (made by `clean_html`, kept and given again, as `rows` does) for the page
/// being rendered.
pub fn remember(value: &Value) {
    CLEAN.with(|list| {
        let mut list = list.borrow_mut();
        if list.len() >= KEPT {
            list.clear();
        }
        list.push(value.clone());
    });
}

/// True when `text` is one of the clean values remembered on this thread.
pub fn is_clean(text: &str) -> bool {
    CLEAN.with(|list| {
        (list.borrow().iter())
            .filter_map(Value::as_str)
            .any(|held| std::ptr::eq(held, text))
    })
}

/// Forgets the remembered values (after a page, so that their memory is not held).
pub fn forget() {
    CLEAN.with(|list| list.borrow_mut().clear());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_remembered_text_itself_is_clean() {
        forget();
        let made = clean_html("<tr><td>1</td></tr>".to_owned());
        let text = made.as_str().unwrap();
        assert!(is_clean(text));
        // The same bytes elsewhere, a part of them, or the same text made safe another way.
        let copy = text.to_owned();
        assert!(!is_clean(&copy));
        assert!(!is_clean(&text[..4]));
        let other = Value::from_safe_string(copy);
        assert!(!is_clean(other.as_str().unwrap()));
        // Given again (a shared table's rows on the second language's page).
        forget();
        assert!(!is_clean(text));
        remember(&made);
        assert!(is_clean(made.as_str().unwrap()));
        // Kept short: the oldest go first, never the text just made.
        for i in 0..KEPT {
            let v = clean_html(format!("<p>{i}</p>"));
            assert!(is_clean(v.as_str().unwrap()));
        }
        assert!(!is_clean(made.as_str().unwrap()));
        forget();
    }
}
