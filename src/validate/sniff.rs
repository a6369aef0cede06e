//! Stage 2, validate: what a CSV file is written in when its descriptor does not say — the text
//! encoding (from the first bytes) and the dialect (delimiter and quote character, from the
//! first lines of decoded text). Pure functions, deterministic, no state.
//!
//! The rules follow frictionless-py 5.21.0, which is the reference the validator is checked
//! against:
//! - encoding: frictionless asks `chardet` (`Detector.detect_encoding`) and maps `ascii` to UTF-8.
//!   Here: a UTF-16 BOM gives UTF-16; valid UTF-8 (a character cut at the very end included)
//!   gives UTF-8; else a single-byte encoding by the shape of the high bytes: Windows-1251 for
//!   Cyrillic (Excel on Ukrainian systems), ISO-8859-7 for Greek, otherwise Windows-1252.
//! - dialect: frictionless' CSV parser (`formats/csv/parser.py`) runs Python's `csv.Sniffer` over
//!   the first 100 lines with the delimiters `,` `\t` `;` `|`, replaces a sniffed `'` quote by
//!   `"`, and keeps the defaults when sniffing fails. `sniff_dialect` is that sniffer, rule for
//!   rule (`_guess_quote_and_delimiter`, then `_guess_delimiter`).
//!
//! Invariants: never panics; `detect_encoding` always returns an encoding that decodes every
//! byte sequence; `sniff_dialect` only returns one of the four delimiters and always `"` as the
//! quote character.

use std::collections::HashMap;

use encoding_rs::{
    Encoding, IBM866, ISO_8859_5, ISO_8859_7, KOI8_R, KOI8_U, MACINTOSH, REPLACEMENT, UTF_16BE,
    UTF_16LE, UTF_8, WINDOWS_1251, WINDOWS_1252,
};

/// Lines of text the dialect is sniffed from (frictionless' CSV `SAMPLE_SIZE`).
pub const SAMPLE_LINES: usize = 100;

/// The delimiters frictionless lets `csv.Sniffer` choose from, in its preference order.
pub const DELIMITERS: [char; 4] = [',', '\t', ';', '|'];

/// A sniffed CSV dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub delimiter: u8,
    pub quote_char: u8,
    /// Spaces after a delimiter are not part of the next cell (`"ID, Test"`): frictionless sets
    /// the dialect's `skipInitialSpace` from the sniffer.
    pub skip_initial_space: bool,
}

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
        Err(_) if super::source::mostly_utf8(sample) => UTF_8,
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

/// Sniffs the delimiter (among `,` `\t` `;` `|`, the ones frictionless lets Python's
/// `csv.Sniffer` consider) and the quote character from the first 100 lines of decoded text.
/// `None` when nothing is consistent (then the caller keeps the defaults, `,` and `"`).
pub fn sniff_dialect(sample: &str) -> Option<Sniffed> {
    let text = first_lines(sample, SAMPLE_LINES);
    let chars: Vec<char> = text.chars().collect();
    let (delimiter, skip_initial_space) =
        guess_quote_and_delimiter(&chars).or_else(|| guess_delimiter(text))?;
    // The sniffer's quote is `"` or `'`; frictionless replaces `'` by `"` (it is confused by
    // embedded JSON, frictionless-py#493), so the quote is always `"`.
    Some(Sniffed {
        delimiter: u8::try_from(delimiter).ok()?,
        quote_char: b'"',
        skip_initial_space,
    })
}

/// The first `n` lines, split as Python reads a file opened with `newline=""` (`\n`, `\r\n` or
/// `\r` end a line), terminators kept.
fn first_lines(text: &str, n: usize) -> &str {
    let bytes = text.as_bytes();
    let (mut lines, mut i) = (0, 0);
    while i < bytes.len() && lines < n {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                i += 1;
                lines += 1;
            }
            b'\r' | b'\n' => lines += 1,
            _ => {}
        }
        i += 1;
    }
    // `i` is just past an ASCII byte or at the end, so always a character boundary.
    text.get(..i).unwrap_or(text)
}

/// `[^\w\n"']` in Python's regular expressions.
fn is_delim_char(c: char) -> bool {
    // The fast test first: Cyrillic text is most of what is sniffed here.
    let alphanumeric = crate::catalog::slug::is_alphabetic(c) || c.is_numeric();
    !(alphanumeric || matches!(c, '_' | '\n' | '"' | '\''))
}

fn is_quote(c: char) -> bool {
    c == '"' || c == '\''
}

/// Where a quoted run can close, precomputed so each regex step is a binary search: positions
/// `k` of a quote followed by a given character, by a delimiter-like character, or by a line end.
#[derive(Default)]
struct Closers {
    followed_by: HashMap<(char, char), Vec<usize>>,
    before_delim: HashMap<char, Vec<usize>>,
    before_eol: HashMap<char, Vec<usize>>,
}

impl Closers {
    fn new(c: &[char]) -> Self {
        let mut me = Closers::default();
        for (k, &q) in c.iter().enumerate().filter(|(_, q)| is_quote(**q)) {
            match c.get(k + 1) {
                None | Some('\n') => me.before_eol.entry(q).or_default().push(k),
                Some(&d) => {
                    me.followed_by.entry((q, d)).or_default().push(k);
                    if is_delim_char(d) {
                        me.before_delim.entry(q).or_default().push(k);
                    }
                }
            }
        }
        me
    }

    /// The first position after `after` in a sorted list.
    fn next(list: Option<&Vec<usize>>, after: usize) -> Option<usize> {
        let list = list?;
        list.get(list.partition_point(|&k| k <= after)).copied()
    }
}

/// One match of a quote pattern: its end, its delimiter group and whether a space followed.
type QuoteMatch = (usize, Option<char>, bool);

/// `(?P<delim>[^\w\n"'])(?P<space> ?)(?P<quote>["']).*?(?P=quote)` then `(?P=delim)` (pattern
/// 1) or `(?:$|\n)` (pattern 3).
fn delim_then_quote(c: &[char], cl: &Closers, p: usize, to_eol: bool) -> Option<QuoteMatch> {
    let d = *c.get(p).filter(|d| is_delim_char(**d))?;
    let space = c.get(p + 1) == Some(&' ');
    let qpos = p + 1 + usize::from(space);
    let q = *c.get(qpos).filter(|q| is_quote(**q))?;
    if to_eol {
        let k = Closers::next(cl.before_eol.get(&q), qpos)?;
        Some((k + 1, Some(d), space))
    } else {
        let k = Closers::next(cl.followed_by.get(&(q, d)), qpos)?;
        Some((k + 2, Some(d), space))
    }
}

/// `(?:^|\n)(?P<quote>["']).*?(?P=quote)` then `(?P<delim>[^\w\n"'])(?P<space> ?)` (pattern 2)
/// or `(?:$|\n)` (pattern 4).
fn line_then_quote(c: &[char], cl: &Closers, p: usize, to_eol: bool) -> Option<QuoteMatch> {
    let at_line_start = p == 0 || c.get(p - 1) == Some(&'\n');
    let after_newline = (c.get(p) == Some(&'\n')).then_some(p + 1);
    let starts = [at_line_start.then_some(p), after_newline];
    starts.into_iter().flatten().find_map(|qpos| {
        let q = *c.get(qpos).filter(|q| is_quote(**q))?;
        if to_eol {
            let k = Closers::next(cl.before_eol.get(&q), qpos)?;
            return Some((k + 1, None, false));
        }
        let k = Closers::next(cl.before_delim.get(&q), qpos)?;
        let d = c.get(k + 1).copied();
        let space = c.get(k + 2) == Some(&' ');
        Some((k + 2 + usize::from(space), d, space))
    })
}

/// `csv.Sniffer._guess_quote_and_delimiter`: the first of its four patterns that matches at all
/// decides; the delimiter is the candidate delimiter seen most often around quoted text (the
/// first seen on a tie), and spaces are skipped when every match of it had one. `None` when no
/// pattern matches or none names a candidate.
fn guess_quote_and_delimiter(c: &[char]) -> Option<(char, bool)> {
    let cl = Closers::new(c);
    for pattern in 0..4 {
        let mut counts: Vec<(char, usize)> = Vec::new();
        let (mut matched, mut spaces) = (false, 0);
        let mut p = 0;
        while p < c.len() {
            let found = match pattern {
                0 => delim_then_quote(c, &cl, p, false),
                1 => line_then_quote(c, &cl, p, false),
                2 => delim_then_quote(c, &cl, p, true),
                _ => line_then_quote(c, &cl, p, true),
            };
            let Some((end, delim, space)) = found else {
                p += 1;
                continue;
            };
            matched = true;
            spaces += usize::from(space);
            if let Some(d) = delim.filter(|d| DELIMITERS.contains(d)) {
                match counts.iter_mut().find(|(k, _)| *k == d) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((d, 1)),
                }
            }
            p = end.max(p + 1);
        }
        if matched {
            let best = counts.iter().map(|(_, n)| *n).max()?;
            let delim = counts.iter().find(|(_, n)| *n == best)?.0;
            return Some((delim, best == spaces));
        }
    }
    None
}

/// The mode of a character's per-line counts, adjusted by the lines that disagree with it
/// (`csv.Sniffer`'s "meta-frequency"); `None` when the character never occurs.
fn mode(meta: &[(usize, usize)]) -> Option<(usize, i64)> {
    match meta {
        [] | [(0, _)] => None,
        [(freq, n)] => Some((*freq, *n as i64)),
        _ => {
            let best = meta.iter().map(|(_, n)| *n).max()?;
            let at = meta.iter().position(|(_, n)| *n == best)?;
            let others: usize = meta.iter().map(|(_, n)| *n).sum::<usize>() - best;
            Some((meta[at].0, best as i64 - others as i64))
        }
    }
}

/// `csv.Sniffer._guess_delimiter`: a delimiter occurs equally often on (nearly) every line.
/// Lines are taken ten at a time until exactly one candidate is consistent on at least 90 % of
/// the lines so far; several at once are resolved by the preference order `,` `\t` `;`. Spaces
/// are skipped when each delimiter of the first line has one after it.
fn guess_delimiter(text: &str) -> Option<(char, bool)> {
    let lines: Vec<&str> = text.split('\n').filter(|l| !l.is_empty()).collect();
    let first = *lines.first()?;
    let chunk = lines.len().min(10);
    let mut meta: [Vec<(usize, usize)>; 4] = Default::default();
    let mut delims: Vec<usize> = Vec::new();
    let (mut start, mut iteration) = (0, 0);
    while start < lines.len() {
        iteration += 1;
        let end = (start + chunk).min(lines.len());
        for line in &lines[start..end] {
            for (i, d) in DELIMITERS.iter().enumerate() {
                let freq = line.matches(*d).count();
                match meta[i].iter_mut().find(|(f, _)| *f == freq) {
                    Some((_, n)) => *n += 1,
                    None => meta[i].push((freq, 1)),
                }
            }
        }
        let modes: Vec<Option<(usize, i64)>> = meta.iter().map(|m| mode(m)).collect();
        let total = (chunk * iteration).min(lines.len()) as f64;
        let mut consistency = 1.0_f64;
        while delims.is_empty() && consistency >= 0.9 {
            for (i, m) in modes.iter().enumerate() {
                if let Some((freq, n)) = m {
                    if *freq > 0 && *n > 0 && *n as f64 / total >= consistency {
                        delims.push(i);
                    }
                }
            }
            consistency -= 0.01;
        }
        if let [only] = delims[..] {
            return Some(with_spaces(DELIMITERS[only], first));
        }
        start = end;
    }
    // Several candidates: the first in the preference order (`|` is not in it, so it can only
    // win alone).
    delims
        .iter()
        .min()
        .map(|i| with_spaces(DELIMITERS[*i], first))
}

/// The delimiter, and whether each of its occurrences on the first line is followed by a space.
fn with_spaces(delimiter: char, first_line: &str) -> (char, bool) {
    let spaced = format!("{delimiter} ");
    let skip = first_line.matches(delimiter).count() == first_line.matches(spaced.as_str()).count();
    (delimiter, skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/frictionless/data/"
    );

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{DATA}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

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
    fn detects_and_sniffs_fixtures() {
        let cases: &[(&str, &'static Encoding, u8)] = &[
            ("escaping.csv", UTF_8, b','), // "ID, Test": spaces skipped
            ("latin1.csv", WINDOWS_1252, b','),
            ("table-infer-iso-8859-7.csv", ISO_8859_7, b','),
            ("encoding-issue-274.csv", UTF_8, b','),
            ("delimiter.csv", UTF_8, b';'),
            ("issue-1009-semicolon.csv", UTF_8, b';'),
            ("issue-1009-comma.csv", UTF_8, b','),
            ("bom.csv", UTF_8, b','),
            ("table.csv", UTF_8, b','),
            ("doublequote.csv", UTF_8, b','),
            ("matrix.csv", UTF_8, b','),
        ];
        for (name, encoding, delimiter) in cases {
            let bytes = fixture(name);
            assert_eq!(detect_encoding(&bytes), *encoding, "{name}");
            let (text, _, _) = encoding.decode(&bytes);
            let got = sniff_dialect(&text).map(|s| (s.delimiter, s.quote_char));
            assert_eq!(got, Some((*delimiter, b'"')), "{name}");
            let spaced = sniff_dialect(&text).is_some_and(|s| s.skip_initial_space);
            assert_eq!(spaced, *name == "escaping.csv", "{name}");
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

    #[test]
    fn sniffs_samples() {
        let (cp1251, _, _) = WINDOWS_1251.encode("Назва;Сума\r\nКиїв;12,5\r\n");
        let (uk, _, _) = WINDOWS_1251.decode(&cp1251);
        let late_quotes = format!("{}3;\"x\",\"y\",4\n", "1;2\n".repeat(100));
        let cases: &[(&str, &str, Option<u8>)] = &[
            ("windows-1251 decoded, decimal commas", &uk, Some(b';')),
            ("tab", "id\tname\n1\tKyiv\n2\tLviv\n", Some(b'\t')),
            ("pipe", "id|name\n1|Kyiv\n2|Lviv\n", Some(b'|')),
            ("comma, CRLF", "a,b,c\r\n1,2,3\r\n", Some(b',')),
            ("comma, space", "a, b\n1, 2\n", Some(b',')),
            ("single column", "name\nKyiv\nLviv\n", None),
            ("empty", "", None),
            ("`,` and `;` both: preferred", "a;b,c\n1;2,3\n", Some(b',')),
            ("quoted, `;`", "\"a\";\"b\"\n\"1,5\";\"x\"\n", Some(b';')),
            ("quoted `,`", "1;\"a, b, c\"\n2;\"d, e\"\n", Some(b';')),
            ("single-quoted JSON", "id,obj\n1,'{\"a\": 1}'\n", Some(b',')),
            ("colon is not a candidate", "a:b\n1:2\n", None),
            ("inconsistent", "a,b\n1,2,3,4\nx\n", None),
            ("only the first 100 lines count", &late_quotes, Some(b';')),
        ];
        // Without the 100-line cut the quoted commas of line 101 would decide.
        let all: Vec<char> = late_quotes.chars().collect();
        assert_eq!(guess_quote_and_delimiter(&all), Some((',', false)));
        for (what, text, want) in cases {
            let got = sniff_dialect(text);
            assert_eq!(got.map(|s| s.delimiter), *want, "{what}");
            assert!(got.is_none_or(|s| s.quote_char == b'"'), "{what}");
            let spaced = what.contains("space");
            assert!(got.is_none_or(|s| s.skip_initial_space == spaced), "{what}");
        }
    }

    #[test]
    fn sniffer_internals() {
        assert_eq!(first_lines("a\r\nb\rc\nd", 3), "a\r\nb\rc\n");
        assert_eq!(first_lines("a\nb", 5), "a\nb");
        assert_eq!(mode(&[(1, 9), (2, 1)]), Some((1, 8)));
        assert_eq!(mode(&[(0, 3)]), None);
        assert_eq!(mode(&[(0, 2), (1, 2)]), Some((0, 0)));
        // A quote run that never closes does not match; the line-based guess decides.
        let open: Vec<char> = "a,\"b\nc,d".chars().collect();
        assert_eq!(guess_quote_and_delimiter(&open), None);
    }

    #[test]
    fn never_panics_on_odd_input() {
        let samples =
            "\"·'·\"\"·,\"·\n\"·\",·\r·\r\n\r\n·|\"|\"|·;' '; ';·\u{feff}a;b·\0,\0·ї\"ї\"ї";
        for s in samples.split('·') {
            let _ = sniff_dialect(s);
        }
        for bytes in [&b"\xFF"[..], b"\xC0\xC0\xC0", b"\x80", b"\xFF\xFE", b"\xFE"] {
            let _ = detect_encoding(bytes);
        }
    }
}
