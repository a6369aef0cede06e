//! Stage 4, render: language-aware formatting of numbers, sizes and dates, URL encoding of
//! path segments, and how templates write values. Pure functions; the same input always gives the
//! same text.

use chrono::{Datelike, NaiveDate};

/// Groups the digits of `n` by thousands in the language's convention (uk: narrow no-break
/// space, en: comma).
pub fn int(n: u64, lang: &str) -> String {
    let sep = if lang == "uk" { "\u{202f}" } else { "," };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + 8);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// A human size with one decimal in the language's convention, e.g. `1,2 МБ` / `1.2 MB`; `units`
/// gives the unit names B, KB, MB, GB in the language.
pub fn size(bytes: u64, lang: &str, units: [&str; 4]) -> String {
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < 3 {
        value /= 1024.0;
        unit += 1;
    }
    let text = if unit == 0 {
        int(bytes, lang)
    } else {
        format!("{value:.1}")
    };
    let text = if lang == "uk" {
        text.replace('.', ",")
    } else {
        text
    };
    format!("{text}\u{a0}{}", units[unit])
}

/// A signed whole number grouped by thousands (`int`), with a real minus sign.
pub fn signed(n: i128, lang: &str) -> String {
    let digits = int_wide(n.unsigned_abs(), lang);
    if n < 0 {
        format!("\u{2212}{digits}")
    } else {
        digits
    }
}

fn int_wide(n: u128, lang: &str) -> String {
    match u64::try_from(n) {
        Ok(n) => int(n, lang),
        Err(_) => n.to_string(),
    }
}

/// A decimal number in the language's convention (uk: `1 234,5`, en: `1,234.5`): grouped
/// by thousands, to at most 2 decimals from 1,000 up and at most 6 below (trailing zeros
/// dropped), so that a float's noise (`3968049391.8799996`) does not show.
pub fn decimal(n: f64, lang: &str) -> String {
    if !n.is_finite() {
        return n.to_string();
    }
    let places = if n.abs() >= 1000.0 { 2 } else { 6 };
    let text = format!("{:.*}", places, n.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    let whole: u128 = whole.parse().unwrap_or(0);
    let mut out = int_wide(whole, lang);
    if !fraction.is_empty() {
        out.push(if lang == "uk" { ',' } else { '.' });
        out.push_str(fraction);
    }
    if n < 0.0 && out.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.insert(0, '\u{2212}');
    }
    out
}

/// A short number for chart axes: `1,2 млн` / `1.2 M`; `units` names thousands, millions,
/// billions in the language (one decimal at most).
pub fn compact(n: f64, lang: &str, units: [&str; 3]) -> String {
    let steps = [(1e9, units[2]), (1e6, units[1]), (1e3, units[0])];
    for (size, unit) in steps {
        if n.abs() >= size {
            let value = (n / size * 10.0).round() / 10.0;
            return format!("{}\u{a0}{unit}", decimal(value, lang));
        }
    }
    decimal((n * 100.0).round() / 100.0, lang)
}

const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as people read it: `31.03.2026` in Ukrainian, `31 March 2026` in English.
pub fn date(d: NaiveDate, lang: &str) -> String {
    if lang == "uk" {
        // Written directly for four-digit years: chrono parses its format string at every call,
        // and a national catalogue's lists show hundreds of thousands of dates.
        match d.year() {
            0..=9999 => format!("{:02}.{:02}.{:04}", d.day(), d.month(), d.year()),
            _ => d.format("%d.%m.%Y").to_string(),
        }
    } else {
        format!(
            "{} {} {}",
            d.day(),
            EN_MONTHS[d.month0() as usize],
            d.year()
        )
    }
}

/// `d` as ISO 8601 (`2026-12-06`), as chrono writes it, without its formatting machinery for
/// four-digit years.
pub fn iso_date(d: NaiveDate) -> String {
    match d.year() {
        0..=9999 => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        _ => d.to_string(),
    }
}

/// Percent-encodes a relative file path for use in an href, keeping `/` between segments.
pub fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Control characters HTML and XML text cannot carry (all but tab and line breaks).
fn unwritable(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// True when `text` holds a character `unwritable` refuses. Every value a page shows comes
/// here: the bytes are looked at first, then, only when a suspect byte is there, each one.
/// The controls are single bytes but for C1 (U+0080–U+009F), which UTF-8 writes as 0xC2 and a
/// byte below 0xA0; 0xC2 also starts « » and the no-break space, common in Ukrainian text.
/// Both looks are vectorised: a page's table rows are written as one safe value, and sizes and
/// numbers put no-break spaces (0xC2 0xA0) in most of them, so a byte-at-a-time second look
/// was 7 % of a dataset page's template time.
fn has_unwritable(text: &str) -> bool {
    let bytes = text.as_bytes();
    maybe_unwritable(bytes)
        && (any_byte(bytes, control_byte, &CONTROL)
            || (memchr::memchr_iter(0xC2, bytes))
                .any(|i| bytes.get(i + 1).is_some_and(|&next| next < 0xA0)))
}

/// True when `bytes` hold a C0 control other than a tab or line break, DEL or 0xC2.
fn maybe_unwritable(bytes: &[u8]) -> bool {
    any_byte(bytes, suspect_byte, &SUSPECT)
}

/// Line breaks and tabs pass: a row of a table or a paragraph holds them, and the characters
/// were looked at one by one whenever one was there (a tenth of a dataset page's cost).
const fn suspect_byte(b: u8) -> bool {
    control_byte(b) | (b == 0xC2)
}

/// A C0 control other than a tab or line break, or DEL: unwritable wherever it is.
const fn control_byte(b: u8) -> bool {
    ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0x7F)
}

/// A byte `maybe_unwritable` looks for or one HTML text escapes.
const fn special_byte(b: u8) -> bool {
    suspect_byte(b) | matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
}

/// True when `bytes` hold a byte `special_byte` says is special.
fn maybe_special(bytes: &[u8]) -> bool {
    any_byte(bytes, special_byte, &SPECIAL)
}

/// A byte class as a table, for bytes looked at one at a time.
type Table = [bool; 256];

/// The table of a byte class (a macro: a constant function cannot call one it is given).
macro_rules! table_of {
    ($class:ident) => {{
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = $class(b as u8);
            b += 1;
        }
        table
    }};
}

const SUSPECT: Table = table_of!(suspect_byte);
const SPECIAL: Table = table_of!(special_byte);
const CONTROL: Table = table_of!(control_byte);

/// True when `suspect` holds for a byte of `bytes`. Every byte a page shows passes here, so the
/// bytes are looked at 32 at a time without stopping early inside a block, which the compiler
/// turns into vector compares (a byte-at-a-time `any` took 4 % of a build); the last bytes,
/// all of most values (a table cell, a date, a name), are looked up in `table`, `suspect` as a
/// table, which is a third of the instructions of the compares.
fn any_byte(bytes: &[u8], suspect: impl Fn(u8) -> bool, table: &Table) -> bool {
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | suspect(b)) {
            return true;
        }
    }
    (blocks.remainder().iter()).any(|&b| table[usize::from(b)])
}

/// Writes `text` as HTML text: as it is when no byte in it needs escaping or dropping (most
/// values), else without the characters `unwritable` refuses, escaped (`escape_html`).
fn write_html(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    if maybe_special(text.as_bytes()) {
        escape_html(out, &writable(text))
    } else {
        out.write_str(text)
    }
}

/// `text` without the characters `unwritable` refuses (borrowed when it has none).
fn writable(text: &str) -> std::borrow::Cow<'_, str> {
    if has_unwritable(text) {
        std::borrow::Cow::Owned(text.chars().filter(|c| !unwritable(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The templates' formatter: text is escaped in `.html` templates (`escape_html`) after
/// dropping control characters — a NUL or a terminal escape in metadata would make a page
/// invalid HTML (the Nu checker refuses them) and shows as nothing useful anyway; other values
/// are written as minijinja writes them.
pub fn write_value(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let html = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
    match value.as_str() {
        Some(text) if html && !value.is_safe() => {
            write_html(out, text).map_err(minijinja::Error::from)
        }
        // A filter of ours wrote it from pieces already cleaned (`clean`).
        Some(text) if value.is_safe() && super::clean::is_clean(text) => {
            out.write_str(text).map_err(minijinja::Error::from)
        }
        Some(text) => match writable(text) {
            std::borrow::Cow::Owned(clean) => {
                let clean = if value.is_safe() {
                    minijinja::Value::from_safe_string(clean)
                } else {
                    minijinja::Value::from(clean)
                };
                minijinja::escape_formatter(out, state, &clean)
            }
            std::borrow::Cow::Borrowed(_) => minijinja::escape_formatter(out, state, value),
        },
        None => minijinja::escape_formatter(out, state, value),
    }
}

/// Writes `text` escaped for HTML text and quoted attribute values: `&`, `<`, `>`, `"` and `'`
/// (as MarkupSafe, Jinja's own escaper, does — minijinja also escapes `/`, which is harmless in
/// both places and made URLs, dates and paths six times longer: 3 % of a catalogue's bytes).
fn escape_html(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.write_str(&text[start..i])?;
        out.write_str(entity)?;
        start = i + 1;
    }
    out.write_str(&text[start..])
}

/// The `cells` filter of `.html` templates: a table row's values as `<td>` cells, the same bytes
/// as `{% for cell in row %}<td>{{ cell }}</td>{% endfor %}` (each value written as
/// `write_value` writes it). A loop in the template costs several times what writing the cell
/// costs, and a national catalogue's previews and tables hold tens of millions of cells.
pub fn cells(row: &minijinja::Value) -> Result<minijinja::Value, minijinja::Error> {
    let mut html = String::new();
    push_cells(&mut html, row)?;
    Ok(super::clean::clean_html(html))
}

/// Appends a row's values to `html` as `<td>` cells (the `cells` filter).
pub fn push_cells(html: &mut String, row: &minijinja::Value) -> Result<(), minijinja::Error> {
    for cell in row.try_iter()? {
        html.push_str("<td>");
        push_value(html, &cell);
        html.push_str("</td>");
    }
    Ok(())
}

/// Appends one `<td>` cell: `text` without the characters `unwritable` refuses, escaped unless
/// it is `safe` (already HTML).
pub fn push_cell(html: &mut String, text: &str, safe: bool) {
    html.push_str("<td>");
    push_text(html, text, safe);
    html.push_str("</td>");
}

/// Appends `value` as `{{ value }}` writes it in an `.html` template (`write_value`): a string
/// escaped unless it is safe, anything else as minijinja writes it, escaped. For filters that
/// write in Rust what a template loop wrote.
pub fn push_value(html: &mut String, value: &minijinja::Value) {
    match value.as_str() {
        Some(text) => push_text(html, text, value.is_safe()),
        None => push_text(html, &value.to_string(), false),
    }
}

/// Appends `text` as `{{ text }}` writes a string in an `.html` template (`write_value`).
pub fn push_escaped(html: &mut String, text: &str) {
    push_text(html, text, false);
}

/// Appends `text` without the characters `unwritable` refuses, escaped unless it is `safe`.
fn push_text(html: &mut String, text: &str, safe: bool) {
    if safe {
        html.push_str(&writable(text));
    } else {
        // writing into a String cannot fail
        let _ = write_html(html, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for (y, m, d) in [
            (2026, 12, 6),
            (1, 1, 1),
            (0, 2, 29),
            (999, 10, 31),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 6, 15),
            (-12345, 3, 9),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(iso_date(day), day.to_string(), "{day:?}");
            assert_eq!(
                date(day, "uk"),
                day.format("%d.%m.%Y").to_string(),
                "{day:?}"
            );
        }
    }

    #[test]
    fn templates_drop_control_characters_and_escape() {
        let mut env = minijinja::Environment::new();
        env.set_formatter(write_value);
        env.add_template("t.html", "<p title=\"{{ v }}\">{{ v }}</p>{{ s|safe }}")
            .unwrap();
        let v = "a\u{0}b\u{7}\u{1b}[31m\"<x>\tc\u{2028}";
        let html = env
            .get_template("t.html")
            .unwrap()
            .render(minijinja::context! { v, s => "<b>\u{0}ok</b>" })
            .unwrap();
        assert_eq!(
            html,
            "<p title=\"ab[31m&quot;&lt;x&gt;\tc\u{2028}\">ab[31m&quot;&lt;x&gt;\tc\u{2028}</p><b>ok</b>"
        );
    }

    #[test]
    fn html_escapes_the_five_characters_only() {
        for (text, want) in [
            ("", ""),
            ("plain / text", "plain / text"),
            (
                "<a href=\"x\">Т&В</a>",
                "&lt;a href=&quot;x&quot;&gt;Т&amp;В&lt;/a&gt;",
            ),
            ("'quoted'", "&#x27;quoted&#x27;"),
            (
                "https://x.gov.ua/a?b=1&c=2",
                "https://x.gov.ua/a?b=1&amp;c=2",
            ),
            ("&amp;", "&amp;amp;"),
        ] {
            let mut out = String::new();
            escape_html(&mut out, text).unwrap();
            assert_eq!(out, want, "{text}");
        }
    }

    #[test]
    fn suspect_bytes_are_found_anywhere() {
        let plain = "Київ, вул. Хрещатик 1 — a/b & c".repeat(5);
        assert!(!maybe_unwritable(plain.as_bytes()));
        for at in [0, 1, 31, 32, 33, 63, plain.len() - 1] {
            for b in [0u8, 0x1F, 0x7F, 0xC2] {
                let mut bytes = plain.clone().into_bytes();
                bytes[at] = b;
                assert!(maybe_unwritable(&bytes), "{b:#x} at {at}");
            }
        }
        assert!(!maybe_unwritable(b""));
        assert!(!maybe_special(plain.replace('&', "+").as_bytes()));
        for at in [0, 1, 31, 32, 33, 63, plain.len() - 1] {
            for b in b"\0\x1F\x7F\xC2&<>\"'" {
                let mut bytes = plain.replace('&', "+").into_bytes();
                bytes[at] = *b;
                assert!(maybe_special(&bytes), "{b:#x} at {at}");
            }
        }
        assert!(has_unwritable("x\u{85}y") && !has_unwritable("\u{a0}\u{2028}"));
        assert!(!maybe_unwritable(b"a\tb\nc\r\n") && !maybe_special(b"a\tb\nc\r\n"));
    }

    #[test]
    fn unwritable_bytes_are_the_control_characters() {
        // Every character below U+0100 (one or two UTF-8 bytes, 0xC2 and 0xC3 leads) and a few
        // beyond, each alone and between others.
        let chars = (0..0x100u32)
            .chain([0x2028, 0xFEFF, 0x1F600])
            .filter_map(char::from_u32);
        // Long texts too: the checks look at 32 bytes at a time.
        let long = |c: char| format!("{}{c}{}", "а\u{a0}".repeat(20), "\u{a0}b".repeat(20));
        for c in chars {
            for text in [
                c.to_string(),
                format!("«{c}»\n"),
                format!("{c}\u{a0}"),
                long(c),
            ] {
                let expected = text.chars().any(unwritable);
                assert_eq!(has_unwritable(&text), expected, "{:?}", text);
            }
        }
    }

    #[test]
    fn cells_write_what_a_loop_over_the_row_writes() {
        let mut env = minijinja::Environment::new();
        env.set_formatter(write_value);
        env.add_filter("cells", cells);
        env.add_template(
            "t.html",
            "{% for row in rows %}<tr>{{ row|cells }}</tr>|<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>\n{% endfor %}",
        )
        .unwrap();
        let rows = minijinja::Value::from_serialize(serde_json::json!([
            ["a/b", "<i>\"x\" & 'y'</i>", "", "bell\u{7}", "12"],
            [1, -2.5, true, null],
            [],
        ]));
        let html = env
            .get_template("t.html")
            .unwrap()
            .render(minijinja::context! { rows })
            .unwrap();
        let lines: Vec<&str> = html.lines().collect();
        assert_eq!(lines.len(), 3);
        for line in lines {
            let (fast, looped) = line.split_once('|').unwrap();
            assert_eq!(fast, looped);
        }
        assert!(html.starts_with("<tr><td>a/b</td><td>&lt;i&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/i&gt;</td><td></td><td>bell</td><td>12</td></tr>"));
        let safe = env
            .render_str(
                "{{ [v]|cells }}",
                minijinja::context! { v => minijinja::Value::from_safe_string("<b>ok</b>".into()) },
            )
            .unwrap();
        assert_eq!(safe, "<td><b>ok</b></td>");
    }

    #[test]
    fn formats() {
        let units = ["B", "KB", "MB", "GB"];
        let cases: &[(String, &str)] = &[
            (int(0, "en"), "0"),
            (int(999, "en"), "999"),
            (int(1000, "en"), "1,000"),
            (int(1234567, "uk"), "1\u{202f}234\u{202f}567"),
            (size(500, "en", units), "500\u{a0}B"),
            (size(1536, "en", units), "1.5\u{a0}KB"),
            (size(1536, "uk", units), "1,5\u{a0}KB"),
            (size(3 * 1024 * 1024 * 1024, "en", units), "3.0\u{a0}GB"),
            (
                date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), "uk"),
                "01.03.2026",
            ),
            (
                date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), "en"),
                "1 March 2026",
            ),
            (
                url_path("data/бюджет 2026.csv"),
                "data/%D0%B1%D1%8E%D0%B4%D0%B6%D0%B5%D1%82%202026.csv",
            ),
            (url_path("a/b-c_d.csv"), "a/b-c_d.csv"),
            (signed(-1234, "en"), "\u{2212}1,234"),
            (signed(12, "uk"), "12"),
            (
                decimal(3968049391.8799996, "uk"),
                "3\u{202f}968\u{202f}049\u{202f}391,88",
            ),
            (decimal(3968049391.8799996, "en"), "3,968,049,391.88"),
            (decimal(0.8082, "uk"), "0,8082"),
            (decimal(-2.5, "en"), "\u{2212}2.5"),
            (decimal(-0.0000001, "en"), "0"),
            (decimal(1000.0, "en"), "1,000"),
            (
                compact(1_234_567.0, "uk", ["тис.", "млн", "млрд"]),
                "1,2\u{a0}млн",
            ),
            (compact(1_234_567.0, "en", ["K", "M", "B"]), "1.2\u{a0}M"),
            (compact(5_000_000_000.0, "en", ["K", "M", "B"]), "5\u{a0}B"),
            (
                compact(-2500.0, "en", ["K", "M", "B"]),
                "\u{2212}2.5\u{a0}K",
            ),
            (compact(0.25, "en", ["K", "M", "B"]), "0.25"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
