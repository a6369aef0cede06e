//! Ukrainian national transliteration and URL slugs.
//!
//! Part of the catalogue *load* stage: dataset titles, publisher names and
//! place names arrive in Ukrainian, and the catalogue needs stable ASCII
//! identifiers for file names and URLs. [`transliterate`] implements the
//! official table of Cabinet of Ministers Resolution No. 55 of 27.01.2010
//! (including the word-initial forms `ye`, `yi`, `y`, `yu`, `ya` and the
//! `зг` → `zgh` rule); [`slugify`] builds a URL slug from its output.
//!
//! Invariants:
//! * [`slugify`] returns either `None` or a non-empty ASCII string made only
//!   of `[a-z0-9-]`, with no leading, trailing or doubled hyphens.
//! * Neither function panics, whatever the input.

/// Apostrophe-like characters that Resolution 55 omits: `'` (U+0027),
/// `ʼ` (U+02BC), `’` (U+2019), `` ` `` (U+0060) and `‘` (U+2018).
const APOSTROPHES: [char; 5] = ['\'', '\u{2BC}', '\u{2019}', '`', '\u{2018}'];

fn is_apostrophe(c: char) -> bool {
    APOSTROPHES.contains(&c)
}

/// Combining marks (e.g. the stress accent U+0301) from the common blocks.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// `char::is_alphabetic`, with the Cyrillic letters (U+0400–U+0481, U+048A–U+052F: every one
/// is a letter) answered without Unicode's table search, which profiles of a national build
/// found among the hottest functions (place names on every page, the search index's words).
pub fn is_alphabetic(c: char) -> bool {
    matches!(c, '\u{400}'..='\u{481}' | '\u{48A}'..='\u{52F}') || c.is_alphabetic()
}

/// A letter for word-boundary purposes (`ʼ` U+02BC is alphabetic in Unicode,
/// but here it is an apostrophe).
fn is_letter(c: char) -> bool {
    is_alphabetic(c) && !is_apostrophe(c)
}

/// Characters that continue a word: letters, apostrophes and combining marks.
fn is_word_char(c: char) -> bool {
    is_alphabetic(c) || is_apostrophe(c) || is_combining_mark(c)
}

/// `c.to_lowercase()` for ASCII and the Cyrillic letters U+0400–U+045F and `Ґ`, by their
/// offsets (one character each); `None` for the rest, left to Unicode's tables. Place names are
/// transliterated on every English page and the search index lowercases every word: the table
/// search for each letter was a third of the transliteration.
pub fn quick_lowercase(c: char) -> Option<char> {
    let shifted = |by: u32| char::from_u32(u32::from(c) + by);
    match c {
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        '\u{0}'..='\u{7f}' | 'а'..='џ' => Some(c),
        'А'..='Я' => shifted(0x20),
        'Ѐ'..='Џ' => shifted(0x50),
        'Ґ' => Some('ґ'),
        _ => None,
    }
}

/// The single-character lowercase form of `c`, or `c` itself.
fn lower(c: char) -> char {
    if let Some(l) = quick_lowercase(c) {
        return l;
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Lowercase Latin for a lowercase Ukrainian letter, or `None` when `c` is
/// not in the Resolution 55 table. `word_start`: no letter precedes it in the
/// word; `after_z`: the previous letter is `з`.
#[rustfmt::skip]
fn latin(c: char, word_start: bool, after_z: bool) -> Option<&'static str> {
    let pick = |initial, medial| if word_start { initial } else { medial };
    Some(match c {
        'а' => "a", 'б' => "b", 'в' => "v", 'ґ' => "g", 'д' => "d", 'е' => "e",
        'ж' => "zh", 'з' => "z", 'и' => "y", 'і' => "i", 'к' => "k", 'л' => "l",
        'м' => "m", 'н' => "n", 'о' => "o", 'п' => "p", 'р' => "r", 'с' => "s",
        'т' => "t", 'у' => "u", 'ф' => "f", 'х' => "kh", 'ц' => "ts", 'ч' => "ch",
        'ш' => "sh", 'щ' => "shch", 'ь' => "",
        'г' => if after_z { "gh" } else { "h" },
        'є' => pick("ye", "ie"),
        'ї' => pick("yi", "i"),
        'й' => pick("y", "i"),
        'ю' => pick("yu", "iu"),
        'я' => pick("ya", "ia"),
        _ => return None,
    })
}

/// Appends `s` capitalised (`Shch`), or fully upper-cased when `all_caps`.
fn push_cased(s: &str, all_caps: bool, out: &mut String) {
    let mut chars = s.chars();
    if let Some(first) = chars.next() {
        out.push(first.to_ascii_uppercase());
        if all_caps {
            out.extend(chars.map(|c| c.to_ascii_uppercase()));
        } else {
            out.push_str(chars.as_str());
        }
    }
}

/// Transliterates one word: a maximal run of letters, apostrophes and
/// combining marks. Apostrophes are dropped only in words that contain a
/// Ukrainian letter, so e.g. `O'Brien` keeps its apostrophe.
fn push_word(word: &str, out: &mut String) {
    let is_ukrainian = |c: char| latin(lower(c), false, false).is_some();
    let has_ukrainian = word.chars().any(is_ukrainian);
    let letters = || word.chars().filter(|&c| is_letter(c));
    let all_caps = letters().nth(1).is_some() && letters().all(|c| !c.is_lowercase());
    let mut prev_letter: Option<char> = None;
    for c in word.chars() {
        if !is_letter(c) {
            if !(has_ukrainian && is_apostrophe(c)) {
                out.push(c);
            }
            continue;
        }
        let l = lower(c);
        match latin(l, prev_letter.is_none(), prev_letter == Some('з')) {
            Some(s) if l != c => push_cased(s, all_caps, out),
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
        prev_letter = Some(l);
    }
}

/// Transliterates Ukrainian text per Resolution No. 55 (2010); non-Ukrainian
/// characters pass through unchanged.
///
/// * `є ї й ю я` become `ye yi y yu ya` at the start of a word (no letter
///   before them; an apostrophe does not end a word) and `ie i i iu ia`
///   elsewhere; `зг` becomes `zgh`; `ь` and apostrophes are omitted.
/// * Case is kept: an uppercase letter gives a capitalised Latin group
///   (`Щука` → `Shchuka`), and a word written entirely in capitals stays in
///   capitals (`ЩАСТЯ` → `SHCHASTIA`).
/// * Russian-only letters (`ы э ъ ё`) are not in the table and pass through.
///
/// ```
/// # use hromadata::catalog::slug::transliterate;
/// assert_eq!(transliterate("Біла Церква"), "Bila Tserkva");
/// ```
pub fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let end = if is_word_char(c) {
            let end = (rest.char_indices())
                .find(|&(_, c)| !is_word_char(c))
                .map_or(rest.len(), |(at, _)| at);
            push_word(&rest[..end], &mut out);
            end
        } else {
            out.push(c);
            c.len_utf8()
        };
        rest = &rest[end..];
    }
    out
}

/// A URL slug: transliterated, lowercased, every run of characters outside
/// [a-z0-9] becomes one hyphen, trimmed of hyphens. None when nothing is left.
///
/// Combining marks (such as stress accents) are dropped rather than turned
/// into hyphens, so `Ки́їв` still gives `kyiv`.
///
/// ```
/// # use hromadata::catalog::slug::slugify;
/// assert_eq!(slugify("Кам’янець-Подільська").as_deref(), Some("kamianets-podilska"));
/// assert_eq!(slugify("!!!"), None);
/// ```
pub fn slugify(text: &str) -> Option<String> {
    let mut slug = String::new();
    let mut gap = false;
    for c in transliterate(text).chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !slug.is_empty() {
                slug.push('-');
            }
            gap = false;
            slug.push(c.to_ascii_lowercase());
        } else if !is_combining_mark(c) {
            gap = true;
        }
    }
    (!slug.is_empty()).then_some(slug)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fast_lowercase_agrees_with_unicode() {
        for c in (0..0x3000).filter_map(char::from_u32) {
            let mut it = c.to_lowercase();
            let unicode = match (it.next(), it.next()) {
                (Some(l), None) => l,
                _ => c,
            };
            assert_eq!(super::lower(c), unicode, "{c:?}");
            if let Some(quick) = super::quick_lowercase(c) {
                assert_eq!(c.to_lowercase().collect::<String>(), quick.to_string());
            }
        }
        assert!(super::quick_lowercase('Ї').is_some() && super::quick_lowercase('Ǆ').is_none());
    }

    #[test]
    fn the_fast_alphabetic_test_agrees_with_unicode_for_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                super::is_alphabetic(c),
                c.is_alphabetic(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    use super::*;

    /// Examples from the text of Resolution No. 55, plus case handling.
    #[test]
    fn official_examples() {
        #[rustfmt::skip]
        let cases = [
            ("Алушта", "Alushta"), ("Борщагівка", "Borshchahivka"), ("Вишгород", "Vyshhorod"),
            ("Гадяч", "Hadiach"), ("Згорани", "Zghorany"), ("Ґалаґан", "Galagan"),
            ("Горгани", "Horhany"), ("Дон", "Don"), ("Рівне", "Rivne"),
            ("Єнакієве", "Yenakiieve"), ("Гаєвич", "Haievych"), ("Короп'є", "Koropie"),
            ("Житомир", "Zhytomyr"), ("Запоріжжя", "Zaporizhzhia"), ("Медвин", "Medvyn"),
            ("Михайленко", "Mykhailenko"), ("Іванків", "Ivankiv"), ("Іващенко", "Ivashchenko"),
            ("Їжакевич", "Yizhakevych"), ("Кадиївка", "Kadyivka"), ("Мар'їне", "Marine"),
            ("Йосипівка", "Yosypivka"), ("Стрий", "Stryi"), ("Олексій", "Oleksii"),
            ("Київ", "Kyiv"), ("Лебедин", "Lebedyn"), ("Миколаїв", "Mykolaiv"),
            ("Ніжин", "Nizhyn"), ("Одеса", "Odesa"), ("Полтава", "Poltava"),
            ("Ромни", "Romny"), ("Суми", "Sumy"), ("Тетерів", "Teteriv"),
            ("Ужгород", "Uzhhorod"), ("Фастів", "Fastiv"), ("Харків", "Kharkiv"),
            ("Біла Церква", "Bila Tserkva"), ("Чернівці", "Chernivtsi"), ("Шостка", "Shostka"),
            ("Гоща", "Hoshcha"), ("Юрій", "Yurii"), ("Корюківка", "Koriukivka"),
            ("Яготин", "Yahotyn"), ("Ічня", "Ichnia"), ("Знам'янка", "Znamianka"),
            ("Розгон", "Rozghon"), ("Любомир", "Liubomyr"), ("Соломія", "Solomiia"),
            // case, apostrophe variants, pass-through
            ("ЩАСТЯ", "SHCHASTIA"), ("Щ", "Shch"), ("Є", "Ye"), ("ЗГОРАНИ", "ZGHORANY"),
            ("Кам’янець", "Kamianets"), ("Кам\u{2BC}янець", "Kamianets"), ("в`ю", "viu"),
            ("'Юрій'", "Yurii"), ("O'Brien", "O'Brien"), ("ыэъё", "ыэъё"), ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(transliterate(input), expected, "input: {input:?}");
        }
    }

    #[test]
    fn slugs() {
        #[rustfmt::skip]
        let cases = [
            ("Вінницька міська рада", Some("vinnytska-miska-rada")),
            ("Кам’янець-Подільська", Some("kamianets-podilska")),
            ("  --Лубни  ", Some("lubny")),
            ("!!!", None),
            ("Mixed Латиниця 2026", Some("mixed-latynytsia-2026")),
            ("Ки\u{301}їв", Some("kyiv")),
            ("Объём", Some("ob-m")),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input).as_deref(), expected, "input: {input:?}");
        }
    }

    /// Odd input never panics and slugs always satisfy the module invariants.
    #[test]
    fn weird_input_is_safe() {
        let long = "Щастя'ї ".repeat(20_000);
        #[rustfmt::skip]
        let weird = [
            "", " ", "🇺🇦🙂", "\u{301}\u{301}я", "'", "ʼʼʼ", "е\u{308}", "\0\u{FEFF}\u{200D}",
            "שלום عالم", "ǅ ß İ", "--a--b--", "ЬЬЬ", long.as_str(),
        ];
        for input in weird {
            let _ = transliterate(input);
            if let Some(s) = slugify(input) {
                assert!(
                    !s.is_empty() && !s.starts_with('-') && !s.ends_with('-'),
                    "{s:?}"
                );
                assert!(!s.contains("--"), "{s:?}");
                assert!(s
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            }
        }
        assert_eq!(slugify("\u{301}\u{301}я").as_deref(), Some("ya"));
        assert_eq!(slugify("🇺🇦🙂"), None);
    }

    /// Resolution No. 55's table, written out again independently of `latin`: (letter, Latin
    /// inside a word, Latin at the start of a word).
    #[rustfmt::skip]
    const TABLE: [(char, &str, &str); 33] = [
        ('а', "a", "a"), ('б', "b", "b"), ('в', "v", "v"), ('г', "h", "h"), ('ґ', "g", "g"),
        ('д', "d", "d"), ('е', "e", "e"), ('є', "ie", "ye"), ('ж', "zh", "zh"), ('з', "z", "z"),
        ('и', "y", "y"), ('і', "i", "i"), ('ї', "i", "yi"), ('й', "i", "y"), ('к', "k", "k"),
        ('л', "l", "l"), ('м', "m", "m"), ('н', "n", "n"), ('о', "o", "o"), ('п', "p", "p"),
        ('р', "r", "r"), ('с', "s", "s"), ('т', "t", "t"), ('у', "u", "u"), ('ф', "f", "f"),
        ('х', "kh", "kh"), ('ц', "ts", "ts"), ('ч', "ch", "ch"), ('ш', "sh", "sh"),
        ('щ', "shch", "shch"), ('ь', "", ""), ('ю', "iu", "yu"), ('я', "ia", "ya"),
    ];

    /// The expected Latin of one lowercase Ukrainian word, letter by letter from `TABLE`
    /// (`зг` gives `zgh`).
    fn by_table(word: &str) -> String {
        let mut out = String::new();
        let mut previous = None;
        for c in word.chars() {
            let (_, medial, initial) = TABLE
                .iter()
                .find(|(l, ..)| *l == c)
                .expect("a table letter");
            out += match (previous, c) {
                (None, _) => initial,
                (Some('з'), 'г') => "gh",
                _ => medial,
            };
            previous = Some(c);
        }
        out
    }

    fn word() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(TABLE.map(|(c, ..)| c).to_vec()),
            1..12,
        )
        .prop_map(|letters| letters.into_iter().collect())
    }

    use proptest::prelude::*;

    proptest! {
        /// Lowercase Ukrainian words come out as the table says, word by word, in ASCII.
        #[test]
        fn transliterate_follows_the_table(words in proptest::collection::vec(word(), 1..6)) {
            let text = words.join(" ");
            let latin = transliterate(&text);
            let expected: Vec<String> = words.iter().map(|w| by_table(w)).collect();
            prop_assert!(latin.is_ascii(), "{latin:?}");
            prop_assert_eq!(latin, expected.join(" "));
        }

        /// Any text made of the Ukrainian alphabet, ASCII and the apostrophes gives ASCII.
        #[test]
        fn transliterate_ukrainian_is_ascii(
            text in "[абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ a-zA-Z0-9.,'’ʼ-]{0,40}"
        ) {
            let latin = transliterate(&text);
            // Apostrophes are dropped only inside words; elsewhere they are punctuation.
            prop_assert!(latin.chars().all(|c| c.is_ascii() || is_apostrophe(c)), "{latin:?}");
        }

        /// Slugs: non-empty `[a-z0-9-]`, no leading, trailing or doubled hyphen, stable when
        /// slugged again, the same every time; `None` only when there is no letter or digit to keep.
        #[test]
        fn slug_invariants(text in any::<String>()) {
            match slugify(&text) {
                Some(slug) => {
                    prop_assert!(slug.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-')), "{slug:?}");
                    prop_assert!(!slug.is_empty() && !slug.starts_with('-') && !slug.ends_with('-'));
                    prop_assert!(!slug.contains("--"), "{slug:?}");
                    prop_assert_eq!(slugify(&slug), Some(slug.clone()));
                    prop_assert_eq!(slugify(&text), Some(slug));
                }
                None => prop_assert!(!transliterate(&text).chars().any(|c| c.is_ascii_alphanumeric())),
            }
        }

        /// Ukrainian titles always slug (every letter has a Latin form).
        #[test]
        fn ukrainian_words_always_slug(words in proptest::collection::vec(word(), 1..6)) {
            let words: Vec<String> = words.into_iter().filter(|w| w.chars().any(|c| c != 'ь')).collect();
            prop_assume!(!words.is_empty());
            let slug = slugify(&words.join(" ")).expect("a slug");
            prop_assert_eq!(slug.matches('-').count(), words.len() - 1);
        }
    }
}
