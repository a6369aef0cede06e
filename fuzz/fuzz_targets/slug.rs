//! `slugify` and `transliterate` over arbitrary text, with the module's invariants asserted:
//! slugs are non-empty `[a-z0-9-]` with no leading, trailing or doubled hyphen, slugging a slug
//! changes nothing, both functions are deterministic, and Ukrainian letters come out as ASCII.
#![no_main]

use hromadata::catalog::slug::{slugify, transliterate};
use libfuzzer_sys::fuzz_target;

/// The Ukrainian alphabet: Resolution No. 55 has a Latin form for every letter. (Apostrophes are
/// dropped inside words only; elsewhere they pass through as punctuation, which slugs drop.)
fn ukrainian(c: char) -> bool {
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ".contains(c)
}

fuzz_target!(|text: &str| {
    let latin = transliterate(text);
    assert_eq!(latin, transliterate(text), "deterministic");
    if text.chars().all(|c| ukrainian(c) || c.is_ascii()) {
        assert!(latin.is_ascii(), "{text:?} gave {latin:?}");
    }
    let Some(slug) = slugify(text) else {
        assert!(
            !latin.chars().any(|c| c.is_ascii_alphanumeric()),
            "no slug although {latin:?} has letters"
        );
        return;
    };
    assert!(!slug.is_empty());
    assert!(
        slug.bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-')),
        "{slug:?}"
    );
    assert!(
        !slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"),
        "{slug:?}"
    );
    assert_eq!(slugify(&slug).as_deref(), Some(slug.as_str()), "idempotent");
    assert_eq!(
        slugify(text).as_deref(),
        Some(slug.as_str()),
        "deterministic"
    );
});
