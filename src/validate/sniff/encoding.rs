//! Stage 2, validate: the text encoding of a CSV file whose descriptor does not say (see the
//! parent module for the rules, after frictionless-py's `chardet`).

use encoding_rs::{
    Encoding, IBM866, ISO_8859_5, ISO_8859_7, KOI8_R, KOI8_U, MACINTOSH, REPLACEMENT, UTF_16BE,
    UTF_16LE, UTF_8, WINDOWS_1251, WINDOWS_1252,
};

/// The encoding to decode a file with: declared, or detected from its first bytes.
///
/// Accepts the WHATWG labels (`utf-8`, `windows-1251`, `cp1251`, `latin1`, `iso-8859-7`…) and
/// Python's codec names and aliases (`utf_8`, `utf-8-sig`, `latin-1`, `cp1253`, `iso8859_7`,
/// `greek`, `mac_roman`…), case and `-`/`_`/space insensitive. `None` for unknown labels and for
/// WHATWG's `replacement` encoding, which decodes nothing.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    Encoding::for_label(label.as_bytes())
        .or_else(|| python_alias(label))
        .filter(|e| *e != REPLACEMENT)
}

/// Python codec names and aliases that are not WHATWG labels.
fn python_alias(label: &str) -> Option<&'static Encoding> {
    let compact: String = label
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    let named = match compact.as_str() {
        "utf8" | "u8" | "utf" | "utf8sig" | "cp65001" => Some(UTF_8),
        "latin" | "latin1" | "l1" | "iso88591" | "8859" | "cp819" => Some(WINDOWS_1252),
        "greek" | "greek8" | "iso88597" | "elot928" | "ecma118" => Some(ISO_8859_7),
        "cyrillic" | "iso88595" => Some(ISO_8859_5),
        "utf16" | "u16" | "utf16le" => Some(UTF_16LE),
        "utf16be" => Some(UTF_16BE),
        "macroman" | "macintosh" => Some(MACINTOSH),
        "koi8u" => Some(KOI8_U),
        "koi8r" => Some(KOI8_R),
        "cp866" | "ibm866" | "866" => Some(IBM866),
        _ => None,
    };
    named.or_else(|| {
        if let Some(n) = compact.strip_prefix("iso8859") {
            return Encoding::for_label(format!("iso-8859-{n}").as_bytes());
        }
        let n = compact
            .strip_prefix("cp")
            .or_else(|| compact.strip_prefix("windows"))?;
        (n.len() == 4 && n.starts_with("125"))
            .then(|| Encoding::for_label(format!("windows-{n}").as_bytes()))
            .flatten()
    })
}

/// Detects: UTF-8 (with or without BOM) when the sample is valid UTF-8 (a sample cut
/// mid-character at its end still counts as valid); otherwise Windows-1251 when the high bytes
/// look like Cyrillic (the usual Excel export on Ukrainian systems), otherwise the single-byte
/// encoding that fits best (ISO-8859-7 for Greek, else Windows-1252, which is latin1 in WHATWG
/// terms). A UTF-16 byte-order mark gives UTF-16. Deterministic.
pub fn detect_encoding(sample: &[u8]) -> &'static Encoding {
    if sample.starts_with(&[0xFF, 0xFE]) {
        return UTF_16LE;
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return UTF_16BE;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => UTF_8,
        // `error_len() == None`: the input ended inside a character, which a sample may.
        Err(e) if e.error_len().is_none() => UTF_8,
        Err(_) if crate::validate::source::mostly_utf8(sample) => UTF_8,
        Err(_) => single_byte(sample),
    }
}

/// Chooses among the single-byte encodings for a sample that is not UTF-8. Cyrillic is the
/// default for text in a non-Latin alphabet; Greek must be possible and read clearly better.
fn single_byte(sample: &[u8]) -> &'static Encoding {
    if !looks_like_alphabet(sample) {
        return WINDOWS_1252;
    }
    let high = sample.iter().filter(|b| **b >= 0x80).count() as i64;
    let cyrillic = letter_score(sample, WINDOWS_1251, CYRILLIC, |c| c);
    let greek = letter_score(sample, ISO_8859_7, GREEK, fold_greek);
    if greek_is_possible(sample) && greek - cyrillic > GREEK_MARGIN * high {
        ISO_8859_7
    } else {
        WINDOWS_1251
    }
}

/// How much better, per high byte, Greek must score than Cyrillic (100 × ln units): Greek text
/// scores 50–70 better, Cyrillic text 100 or more worse, single hard words up to 32 better.
const GREEK_MARGIN: i64 = 35;

/// Greek text has no byte that ISO-8859-7 leaves undefined (0xAE, 0xD2 and 0xFF, which are `®`,
/// `Т` and `я` in Windows-1251), writes `ς` (0xF2) only at the end of a word, while the same
/// byte is `т`, found inside Cyrillic words everywhere, and has no `³` (0xB3, Ukrainian `і`)
/// next to a letter.
fn greek_is_possible(sample: &[u8]) -> bool {
    let letter = |b: u8| b >= 0xC0;
    !sample.iter().any(|b| matches!(b, 0xAE | 0xD2 | 0xFF))
        && !sample.windows(2).any(|w| {
            (w[0] == 0xF2 && letter(w[1]))
                || (w[0] == 0xB3 && letter(w[1]))
                || (letter(w[0]) && w[1] == 0xB3)
        })
}

/// True when most high bytes stand in runs of three or more — whole words of a non-Latin
/// alphabet — rather than alone among ASCII letters, as accented Latin letters do ("café").
fn looks_like_alphabet(sample: &[u8]) -> bool {
    let (mut high, mut in_words, mut run) = (0usize, 0usize, 0usize);
    for b in sample.iter().chain(std::iter::once(&0u8)) {
        if *b >= 0x80 {
            high += 1;
            run += 1;
        } else {
            if run >= 3 {
                in_words += run;
            }
            run = 0;
        }
    }
    high > 0 && in_words * 2 >= high
}

/// Letter frequencies in per mille of letters, lowercase (Ukrainian with the Russian-only
/// letters; Greek with final sigma).
#[rustfmt::skip]
const CYRILLIC: &[(char, i64)] = &[
    ('о', 93), ('а', 80), ('н', 69), ('и', 62), ('і', 56), ('в', 54), ('т', 50), ('е', 49),
    ('р', 47), ('с', 43), ('л', 39), ('к', 38), ('у', 37), ('д', 33), ('м', 32), ('п', 29),
    ('з', 23), ('я', 21), ('ы', 15), ('ь', 17), ('г', 16), ('б', 16), ('ч', 14), ('х', 12),
    ('ї', 10), ('й', 10), ('ж', 9), ('ц', 9), ('ш', 8), ('ю', 8), ('є', 6), ('щ', 4), ('ф', 3),
    ('э', 3), ('ґ', 1), ('ё', 1), ('ъ', 1),
];
#[rustfmt::skip]
const GREEK: &[(char, i64)] = &[
    ('α', 120), ('ο', 98), ('ι', 80), ('ε', 80), ('τ', 79), ('ν', 66), ('σ', 50), ('η', 48),
    ('ρ', 45), ('υ', 42), ('π', 40), ('κ', 40), ('μ', 33), ('ς', 27), ('λ', 27), ('ω', 20),
    ('γ', 18), ('δ', 17), ('θ', 13), ('χ', 11), ('φ', 8), ('β', 8), ('ξ', 5), ('ζ', 4),
    ('ψ', 2),
];

/// Greek vowels with tonos count as their plain letter.
fn fold_greek(c: char) -> char {
    let at = "άέήίόύώ".chars().position(|a| a == c);
    at.and_then(|i| "αεηιουω".chars().nth(i)).unwrap_or(c)
}

/// How much the sample's letters outside ASCII, decoded with `encoding`, read like the language
/// of `table`: the sum of the logarithms of their frequencies (a rare letter costs more than a
/// frequent one earns), with a heavy penalty for bytes the encoding leaves undefined.
fn letter_score(
    sample: &[u8],
    encoding: &'static Encoding,
    table: &[(char, i64)],
    fold: fn(char) -> char,
) -> i64 {
    // 100 × ln(per mille), rounded; letters missing from the table count as 0.5 ‰.
    let log = |per_mille: f64| (per_mille.ln() * 100.0).round() as i64;
    let (text, _) = encoding.decode_without_bom_handling(sample);
    text.chars()
        .filter(|c| !c.is_ascii())
        .map(|c| {
            if c == '\u{fffd}' {
                return -2000;
            }
            if !crate::catalog::slug::is_alphabetic(c) {
                return 0;
            }
            let c = fold(c.to_lowercase().next().unwrap_or(c));
            table
                .iter()
                .find(|(l, _)| *l == c)
                .map_or(log(0.5), |(_, w)| log(*w as f64))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let cases: &[(&str, Option<&'static Encoding>)] = &[
            ("utf-8| utf-8 |UTF8|utf_8|utf-8-sig|u8", Some(UTF_8)),
            ("windows-1251|cp1251|CP1251|x-cp1251", Some(WINDOWS_1251)),
            ("cp1253|windows_1253", Some(encoding_rs::WINDOWS_1253)),
            ("latin1|latin-1|latin_1|iso-8859-1|l1", Some(WINDOWS_1252)),
            ("iso-8859-7|iso8859_7|greek", Some(ISO_8859_7)),
            ("koi8_u|koi8-u", Some(KOI8_U)),
            ("mac_roman|macintosh", Some(MACINTOSH)),
            ("utf-16|utf_16_le", Some(UTF_16LE)),
            ("iso-2022-kr|klingon||cp12512|windows-125", None),
        ];
        for (labels, want) in cases {
            for label in labels.split('|') {
                assert_eq!(encoding_for_label(label), *want, "{label:?}");
            }
        }
    }

    #[test]
    fn detects_encodings_of_samples() {
        let cut = "id,назва\n1,Київ\n".as_bytes();
        let cases: &[(&str, &[u8], &'static Encoding)] = &[
            ("ascii", b"id,name\n1,x\n", UTF_8),
            ("empty", b"", UTF_8),
            ("BOM", b"\xEF\xBB\xBFid\n\xC3\xA9\n", UTF_8),
            ("utf-8 Cyrillic", cut, UTF_8),
            ("cut inside a 2-byte char", &cut[..cut.len() - 2], UTF_8),
            ("cut after a lead byte", &cut[..4], UTF_8),
            ("invalid in the middle", b"a,\xD0b\n", WINDOWS_1252),
            ("utf-16le BOM", b"\xFF\xFEi\0d\0", UTF_16LE),
            ("utf-16be BOM", b"\xFE\xFF\0i\0d", UTF_16BE),
        ];
        for (what, bytes, want) in cases {
            assert_eq!(detect_encoding(bytes), *want, "{what}");
        }
        // Text encoded with the expected single-byte encoding.
        let texts: &[(&str, &'static Encoding)] = &[
            ("Назва;Сума\r\nКиїв;12,5\r\n", WINDOWS_1251),
            ("код;назва\n1;Вінницька міська рада\n", WINDOWS_1251),
            ("ЄДРПОУ;НАЗВА\n123;ТОВ \"ПРИВАТ\", М. КИЇВ\n", WINDOWS_1251),
            ("id,имя\n1,Пётр\n2,Санкт-Петербург\n", WINDOWS_1251),
            ("a;b\n1;Ґанок\n", WINDOWS_1251),
            ("Луцьк;Хмельницький;селище", WINDOWS_1251),
            ("Київ", WINDOWS_1251),
            ("όνομα,ηλικία\nΑθηνά,30\nΘεσσαλονίκη,25\n", ISO_8859_7),
            ("ΚΩΔΙΚΟΣ;ΠΕΡΙΓΡΑΦΗ\n1;ΑΘΗΝΑ\n", ISO_8859_7),
            ("Αθήνα", ISO_8859_7),
            ("name,city\nJosé,Málaga\nFrançois,Besançon\n", WINDOWS_1252),
            ("Name;Größe\nMüller;groß\n", WINDOWS_1252),
            ("nome\nConceição\nSão João\n", WINDOWS_1252),
            ("price\n€100\n“quoted”\n", WINDOWS_1252),
        ];
        for (text, want) in texts {
            let (bytes, _, unmappable) = want.encode(text);
            assert!(!unmappable, "{text}");
            assert_eq!(detect_encoding(&bytes), *want, "{text}");
        }
    }
}
