//! Stage 4, render: language-aware formatting of numbers, sizes and dates, and URL encoding of
//! path segments. Pure functions; the same input always gives the same text.

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
        d.format("%d.%m.%Y").to_string()
    } else {
        format!(
            "{} {} {}",
            d.day(),
            EN_MONTHS[d.month0() as usize],
            d.year()
        )
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

#[cfg(test)]
mod tests {
    use super::*;

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
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
