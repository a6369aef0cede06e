//! Stage 2, validate: dates, times, datetimes and durations as frictionless 5.21 reads them —
//! `strptime("%Y-%m-%d")` for dates, dateutil's `isoparse` for times and datetimes, isodate for
//! durations — or by a declared strftime `format`. Pure functions from text to `Value`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::cell::Value;

/// Reads a Table Schema date/time `format`: `default`, `any`, or a strftime pattern (optionally
/// with the v1 `fmt:` prefix).
fn pattern(format: Option<&str>) -> Option<&str> {
    match format {
        None | Some("default") | Some("any") => None,
        Some(p) => Some(p.strip_prefix("fmt:").unwrap_or(p)),
    }
}

const ANY_DATES: [&str; 6] = [
    "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%m/%d/%Y", "%d-%m-%Y",
];

/// Python's `strptime(text, "%Y-%m-%d")`: a 4-digit year, then month and day of 1 or 2 digits.
fn iso_date(text: &str) -> Option<NaiveDate> {
    // The usual `yyyy-mm-dd`, byte by byte.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *text.as_bytes() {
        let digit = |b: u8| b.is_ascii_digit().then(|| u32::from(b - b'0'));
        let n = |bs: &[u8]| bs.iter().try_fold(0, |n, &b| Some(n * 10 + digit(b)?));
        return NaiveDate::from_ymd_opt(n(&[y0, y1, y2, y3])? as i32, n(&[m0, m1])?, n(&[d0, d1])?);
    }
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, min: usize, max: usize| -> Option<u32> {
        (p.len() >= min && p.len() <= max && p.bytes().all(|c| c.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    NaiveDate::from_ymd_opt(digits(y, 4, 4)? as i32, digits(m, 1, 2)?, digits(d, 1, 2)?)
}

/// An ISO 8601 time as dateutil's `isoparse` reads it: `hh:mm:ss`, an optional fraction after
/// `.` or `,`, an optional offset (`Z`, `±hh`, `±hhmm`, `±hh:mm`); `24:00:00` is midnight.
fn iso_time(text: &str) -> Option<NaiveTime> {
    let b = text.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<u32> {
        (b[i].is_ascii_digit() && b[i + 1].is_ascii_digit())
            .then(|| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0'))
    };
    let (h, m, sec) = (two(0)?, two(3)?, two(6)?);
    let mut rest = &text[8..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix(['.', ',']) {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let digits = &frac[..n.min(9)];
        nanos = digits.parse::<u32>().ok()? * 10u32.pow(9 - digits.len() as u32);
        rest = &frac[n..];
    }
    let offset_ok = match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', tail @ ..] => {
            let t: Vec<u8> = tail.iter().copied().filter(|c| *c != b':').collect();
            (t.len() == 2 || t.len() == 4)
                && t.iter().all(u8::is_ascii_digit)
                && (tail.len() != 5 || tail[2] == b':')
        }
        _ => false,
    };
    if !offset_ok {
        return None;
    }
    if h == 24 && m == 0 && sec == 0 && nanos == 0 {
        return NaiveTime::from_hms_opt(0, 0, 0);
    }
    NaiveTime::from_hms_nano_opt(h, m, sec, nanos)
}

pub(super) fn date(text: &str, format: Option<&str>) -> Option<Value<'static>> {
    let parsed = match (format, pattern(format)) {
        (_, Some(p)) => NaiveDate::parse_from_str(text, p).ok(),
        (Some("any"), None) => ANY_DATES
            .iter()
            .find_map(|p| NaiveDate::parse_from_str(text, p).ok()),
        _ => iso_date(text),
    };
    parsed.map(Value::Date)
}

pub(super) fn time(text: &str, format: Option<&str>) -> Option<Value<'static>> {
    let parsed = match pattern(format) {
        Some(p) => NaiveTime::parse_from_str(text, p).ok(),
        None => iso_time(text),
    };
    parsed.map(Value::Time)
}

pub(super) fn datetime(text: &str, format: Option<&str>) -> Option<Value<'static>> {
    if let Some(p) = pattern(format) {
        return NaiveDateTime::parse_from_str(text, p)
            .ok()
            .map(Value::DateTime);
    }
    // frictionless' default: at least `YYYY-MM-DDThh:mm:ss` (any one separator), then isoparse.
    let b = text.as_bytes();
    if b.len() < 19 || b[16] != b':' || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = iso_date(text.get(..10)?)
        .filter(|_| b[..10].iter().filter(|c| c.is_ascii_digit()).count() == 8)?;
    let time = iso_time(text.get(11..)?)?;
    Some(Value::DateTime(date.and_time(time)))
}

pub(super) fn duration(text: &str) -> Option<Value<'_>> {
    // ISO 8601: PnYnMnDTnHnMnS or PnW; at least one component, a T only before time components.
    let rest = text
        .strip_prefix(['+', '-'])
        .unwrap_or(text)
        .strip_prefix('P')?;
    let (date, time) = rest
        .split_once('T')
        .map_or((rest, None), |(d, t)| (d, Some(t)));
    let parts = |s: &str, units: &str| -> Option<usize> {
        let mut count = 0;
        let mut num = String::new();
        let mut allowed = units;
        for c in s.chars() {
            if c.is_ascii_digit() || (c == '.' && !num.is_empty()) {
                num.push(c);
            } else {
                let at = allowed.find(c)?;
                if num.is_empty() {
                    return None;
                }
                allowed = &allowed[at + 1..];
                num.clear();
                count += 1;
            }
        }
        num.is_empty().then_some(count)
    };
    let d = parts(date, "YMWD")?;
    let t = match time {
        Some(t) => match parts(t, "HMS")? {
            0 => return None,
            n => n,
        },
        None => 0,
    };
    (d + t > 0).then_some(Value::Opaque(text))
}
