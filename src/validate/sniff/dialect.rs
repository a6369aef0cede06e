//! Stage 2, validate: the dialect of a CSV file whose descriptor does not say — Python's
//! `csv.Sniffer` as frictionless-py runs it, rule for rule (see the parent module).

use std::collections::HashMap;

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

/// Sniffs the delimiter (among `,` `\t` `;` `|`, the ones frictionless lets Python's
/// `csv.Sniffer` consider) and the quote character from the first 100 lines of decoded text.
/// `None` when nothing is consistent (then the caller keeps the defaults, `,` and `"`).
pub fn sniff_dialect(sample: &str) -> Option<Sniffed> {
    let text = first_lines(sample, SAMPLE_LINES);
    // Without a quote no quote pattern can match: the text is not copied out as characters
    // (a national catalogue sniffs tens of thousands of files, half of them without quotes).
    let quoted = memchr::memchr2(b'"', b'\'', text.as_bytes()).is_some();
    let by_quotes = quoted
        .then(|| guess_quote_and_delimiter(&text.chars().collect::<Vec<char>>()))
        .flatten();
    let (delimiter, skip_initial_space) = by_quotes.or_else(|| guess_delimiter(text))?;
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
    let mut end = 0;
    for _ in 0..n {
        // From one line end to the next (a byte-by-byte scan was most of the sniffing).
        let Some(at) = memchr::memchr2(b'\r', b'\n', &bytes[end..]) else {
            return text;
        };
        end += at + 1;
        if bytes[end - 1] == b'\r' && bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
    }
    // `end` is just past an ASCII byte, so always a character boundary.
    text.get(..end).unwrap_or(text)
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
    // Every pattern opens with a quote at most two characters after where it starts, so only
    // those places are tried (none, in the many tables without quotes): the same matches as
    // trying every place, in the same order.
    let mut starts: Vec<usize> = (c.iter().enumerate())
        .filter(|(_, q)| is_quote(**q))
        .flat_map(|(k, _)| k.saturating_sub(2)..=k)
        .collect();
    if starts.is_empty() {
        return None;
    }
    starts.sort_unstable();
    starts.dedup();
    guess_from(c, &starts)
}

/// `guess_quote_and_delimiter` trying its patterns at `starts` only (sorted): where one matches,
/// the next try is past the match.
fn guess_from(c: &[char], starts: &[usize]) -> Option<(char, bool)> {
    let cl = Closers::new(c);
    for pattern in 0..4 {
        let mut counts: Vec<(char, usize)> = Vec::new();
        let (mut matched, mut spaces) = (false, 0);
        let mut p = 0;
        for &start in starts {
            if start < p {
                continue;
            }
            p = start;
            let found = match pattern {
                0 => delim_then_quote(c, &cl, p, false),
                1 => line_then_quote(c, &cl, p, false),
                2 => delim_then_quote(c, &cl, p, true),
                _ => line_then_quote(c, &cl, p, true),
            };
            let Some((end, delim, space)) = found else {
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
    use encoding_rs::WINDOWS_1251;

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

    /// `guess_quote_and_delimiter` as it was, trying every place in the text.
    fn every_place(c: &[char]) -> Option<(char, bool)> {
        guess_from(c, &(0..c.len()).collect::<Vec<_>>())
    }

    proptest::proptest! {
        #[test]
        fn quotes_are_tried_only_where_they_can_open(text in "[a\"', ;\t|\n]{0,40}") {
            let c: Vec<char> = text.chars().collect();
            proptest::prop_assert_eq!(guess_quote_and_delimiter(&c), every_place(&c));
        }
    }

    /// Lines as Python splits them, one byte at a time: what `first_lines` must agree with.
    fn first_lines_bytewise(text: &str, n: usize) -> &str {
        let bytes = text.as_bytes();
        let (mut lines, mut i) = (0, 0);
        while i < bytes.len() && lines < n {
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            lines += usize::from(matches!(bytes[i], b'\r' | b'\n'));
            i += 1;
        }
        &text[..i]
    }

    proptest::proptest! {
        #[test]
        fn first_lines_end_where_python_ends_them(text in "[aї\r\n]{0,30}", n in 0usize..8) {
            proptest::prop_assert_eq!(first_lines(&text, n), first_lines_bytewise(&text, n));
        }
    }

    #[test]
    fn sniffer_internals() {
        for (text, n, first) in [
            ("a\r\nb\rc\nd", 3, "a\r\nb\rc\n"),
            ("a\nb", 5, "a\nb"),
            ("a\nb", 0, ""),
            ("a\r\n", 1, "a\r\n"),
            ("a\r", 1, "a\r"),
            ("\n\n\n", 2, "\n\n"),
            ("", 3, ""),
        ] {
            assert_eq!(first_lines(text, n), first, "{text:?} {n}");
        }
        assert_eq!(mode(&[(1, 9), (2, 1)]), Some((1, 8)));
        assert_eq!(mode(&[(0, 3)]), None);
        assert_eq!(mode(&[(0, 2), (1, 2)]), Some((0, 0)));
        // A quote run that never closes does not match; the line-based guess decides.
        let open: Vec<char> = "a,\"b\nc,d".chars().collect();
        assert_eq!(guess_quote_and_delimiter(&open), None);
    }
}
