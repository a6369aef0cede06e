//! Stage 4, render (search): the one text normalisation of the search index. Indexed text and
//! queries (in `themes/default/static/search.js`, `normalise` and `tokens`) go through the same
//! steps, so a word typed in the browser meets the token the build wrote. Both are checked against
//! one table, `tests/search/normalise.json` (here in the unit tests, there by the Node test).
//!
//! Invariants: the output is lowercase; every apostrophe variant is U+0027; no character of the
//! combining diacritical block (U+0300–U+036F) is left; `ё` is `е`. Tokens are non-empty runs of
//! letters and digits, with an apostrophe kept only between two of them.

/// The apostrophe every variant folds to.
pub const APOSTROPHE: char = '\'';

/// Characters written for the Ukrainian apostrophe: `'` U+0027, `ʼ` U+02BC, `’` U+2019,
/// `‘` U+2018, `` ` `` U+0060, `ʹ` U+02B9, `＇` U+FF07.
const APOSTROPHES: [char; 7] = [
    '\'', '\u{2BC}', '\u{2019}', '\u{2018}', '`', '\u{2B9}', '\u{FF07}',
];

/// Lowercase, apostrophes folded, stress and other combining marks dropped, `ё` → `е`.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if APOSTROPHES.contains(&c) {
            out.push(APOSTROPHE);
            continue;
        }
        // Decomposed `й` and `ї` (a letter + U+0306 / U+0308) occur in text pasted from PDFs;
        // they are composed here rather than by full NFC so that the browser does the same.
        let composed = match (out.chars().last(), c) {
            (Some('и'), '\u{306}') => Some('й'),
            (Some('і'), '\u{308}') => Some('ї'),
            _ => None,
        };
        if let Some(letter) = composed {
            out.pop();
            out.push(letter);
            continue;
        }
        if ('\u{300}'..='\u{36F}').contains(&c) {
            continue;
        }
        match crate::catalog::slug::quick_lowercase(c) {
            Some('ё') => out.push('е'),
            Some(l) => out.push(l),
            None => (c.to_lowercase()).for_each(|l| out.push(if l == 'ё' { 'е' } else { l })),
        }
    }
    out
}

/// A character of a token (Unicode `Alphabetic` or `Numeric`, as `\p{Alphabetic}\p{N}` in JS).
fn is_word(c: char) -> bool {
    c != APOSTROPHE && (crate::catalog::slug::is_alphabetic(c) || c.is_numeric())
}

/// The tokens of already normalised text.
pub fn tokens_of_normalised(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let inner_apostrophe = c == APOSTROPHE
            && !current.is_empty()
            && chars.get(i + 1).copied().is_some_and(is_word);
        if is_word(c) || inner_apostrophe {
            current.push(c);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The tokens of `text`: [`normalise`]d, then split into runs of letters and digits.
pub fn tokens(text: &str) -> Vec<String> {
    tokens_of_normalised(&normalise(text))
}

/// A sort key that puts Ukrainian letters in alphabetical order (`є` after `е`, `і`/`ї` after
/// `и`, `ґ` after `г`), which code point order does not.
pub fn sort_key(text: &str) -> Vec<u32> {
    const ALPHABET: &str = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя";
    normalise(text)
        .chars()
        .map(|c| match ALPHABET.chars().position(|a| a == c) {
            // Cyrillic sorts after Latin and digits: 0x10000 is above every BMP letter.
            Some(p) => 0x1_0000 + p as u32,
            None => c as u32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Case {
        text: String,
        tokens: Vec<String>,
    }

    /// The table the browser's normaliser is tested against too.
    #[test]
    fn tokens_follow_the_shared_table() {
        let table = include_str!("../../../tests/search/normalise.json");
        let cases: Vec<Case> = serde_json::from_str(table).unwrap();
        assert!(cases.len() > 10);
        for case in cases {
            assert_eq!(tokens(&case.text), case.tokens, "{:?}", case.text);
        }
    }

    #[test]
    fn apostrophe_variants_normalise_alike() {
        let variants = [
            "об'єкт",
            "обʼєкт",
            "об’єкт",
            "об‘єкт",
            "об`єкт",
            "обʹєкт",
            "об＇єкт",
        ];
        for v in variants {
            assert_eq!(normalise(v), "об'єкт", "{v}");
        }
    }

    #[test]
    fn ukrainian_alphabetical_order() {
        let mut words = vec![
            "Яворів",
            "Іршава",
            "Євпаторія",
            "Ґорґани",
            "Гайсин",
            "Бар",
            "Kyiv",
        ];
        words.sort_by_key(|w| sort_key(w));
        assert_eq!(
            words,
            [
                "Kyiv",
                "Бар",
                "Гайсин",
                "Ґорґани",
                "Євпаторія",
                "Іршава",
                "Яворів"
            ]
        );
    }
}
