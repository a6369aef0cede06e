//! Stage 2, validate: parsing one cell as its Table Schema type. Pure functions from text to a
//! typed `Value` (or `None` when the text is not of the type); constraint checks compare `Value`s.

use std::cmp::Ordering;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::temporal::{date, datetime, duration, time};

use crate::catalog::schema::FieldType;

/// A cell's typed value, as far as constraints need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Text, borrowed from the cell.
    Text(&'a str),
    Int(i128),
    Num(f64),
    Bool(bool),
    Date(NaiveDate),
    Time(NaiveTime),
    DateTime(NaiveDateTime),
    Year(i64),
    YearMonth(i64, u32),
    /// JSON (object, array, geojson) or a list: compared by length only.
    Items(usize),
    /// Types that have no order (geopoint, duration, any).
    Opaque(&'a str),
}

impl Value<'_> {
    /// Orders two values of the same type; `None` across types or for unordered ones.
    pub fn compare(&self, other: &Value<'_>) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Int(a), Int(b)) => Some(a.cmp(b)),
            (Int(a), Num(b)) => (*a as f64).partial_cmp(b),
            (Num(a), Int(b)) => a.partial_cmp(&(*b as f64)),
            (Num(a), Num(b)) => a.partial_cmp(b),
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (Time(a), Time(b)) => Some(a.cmp(b)),
            (DateTime(a), DateTime(b)) => Some(a.cmp(b)),
            (Year(a), Year(b)) => Some(a.cmp(b)),
            (YearMonth(a, m), YearMonth(b, n)) => Some((a, m).cmp(&(b, n))),
            (Text(a), Text(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// Length for minLength/maxLength: characters of text, items of collections.
    pub fn length(&self) -> Option<usize> {
        match self {
            Value::Text(s) => Some(s.chars().count()),
            Value::Items(n) => Some(*n),
            _ => None,
        }
    }
}

/// Python's `int(text)`: surrounding whitespace, an optional sign, digits with single `_`
/// between them.
fn python_int(text: &str) -> Option<Value<'static>> {
    // The common case, plain digits, in one pass.
    if !text.is_empty() && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit()) {
        let n = text
            .bytes()
            .fold(0i128, |n, b| n * 10 + i128::from(b - b'0'));
        return Some(Value::Int(n));
    }
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let b = digits.as_bytes();
    let well_formed = !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'_')
        && !digits.contains("__");
    if !well_formed {
        return None;
    }
    let clean: std::borrow::Cow<str> = if digits.contains('_') {
        digits.replace('_', "").into()
    } else {
        digits.into()
    };
    Some(match clean.parse::<i128>() {
        Ok(n) => Value::Int(if negative { -n } else { n }),
        Err(_) => Value::Num(clean.parse::<f64>().ok()? * if negative { -1.0 } else { 1.0 }),
    })
}

/// frictionless 5.21's `((^[^-\d]*)|(\D*$))` for `bareNumber: false`: drops leading characters
/// other than digits and `-`, and trailing non-digits (`€95`, `95%`).
fn strip_not_bare(t: &str) -> &str {
    let start = t
        .find(|c: char| c.is_ascii_digit() || c == '-')
        .unwrap_or(t.len());
    let end = t
        .rfind(|c: char| c.is_ascii_digit())
        .map_or(start, |i| i + 1);
    t.get(start..end.max(start)).unwrap_or("")
}

/// frictionless' integer reader: the cell stripped (and with `bareNumber: false` its non-numeric
/// ends dropped), then Python's `int()`.
fn integer(text: &str, bare: bool) -> Option<Value<'static>> {
    let t = text.trim();
    python_int(if bare { t } else { strip_not_bare(t) })
}

/// Python's `Decimal(text)` for an already stripped text: sign, digits with single `_` between
/// them, an optional fraction and exponent; or Infinity/Inf/NaN in any case.
fn python_decimal(t: &str) -> Option<Value<'static>> {
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let negative = t.starts_with('-');
    match body.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => {
            return Some(Value::Num(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }))
        }
        "nan" | "snan" => return Some(Value::Num(f64::NAN)),
        _ => {}
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits_ok = |d: &str| {
        !d.starts_with('_')
            && !d.ends_with('_')
            && !d.contains("__")
            && d.bytes().all(|c| c.is_ascii_digit() || c == b'_')
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mantissa_ok = (!int_part.is_empty() || !frac_part.is_empty())
        && digits_ok(int_part)
        && digits_ok(frac_part)
        && mantissa.bytes().any(|c| c.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits_ok(e)
    });
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    let clean: std::borrow::Cow<str> = if t.contains('_') {
        t.replace('_', "").into()
    } else {
        t.into()
    };
    clean.parse::<f64>().ok().map(Value::Num)
}

/// Plain decimal numbers (`-12.5`, `3`, `1e5`) without a copy: the common case.
/// 10⁰ … 10²², all exact in f64.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

fn plain_number(t: &str) -> Option<Value<'static>> {
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mut digits, mut dots, mut fraction) = (0usize, 0usize, 0usize);
    let mut mantissa = 0u64;
    for c in body.bytes() {
        match c {
            b'0'..=b'9' => {
                digits += 1;
                fraction += dots;
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            }
            b'.' => dots += 1,
            _ => return None,
        }
    }
    let simple = digits > 0 && dots <= 1;
    // Up to 15 digits and 22 decimals both numbers are exact in f64, and one division of exact
    // numbers is rounded correctly: the same value as parsing the text (Clinger's fast path).
    if simple && digits <= 15 && fraction <= 22 {
        let value = mantissa as f64 / POWERS_OF_TEN[fraction];
        return Some(Value::Num(if t.starts_with('-') { -value } else { value }));
    }
    simple
        .then(|| t.parse::<f64>().ok().map(Value::Num))
        .flatten()
}

/// frictionless 5.21's number reader: strip, drop non-numeric ends unless `bareNumber`, remove the
/// group character, refuse a `.` when the decimal mark is another character, then `Decimal()`.
fn number(text: &str, decimal: char, group: Option<char>, bare: bool) -> Option<Value<'static>> {
    let t = text.trim();
    let t = if bare { t } else { strip_not_bare(t) };
    if decimal == '.' && group.is_none() {
        if let Some(v) = plain_number(t) {
            return Some(v);
        }
        return python_decimal(t);
    }
    let mut s = String::with_capacity(t.len());
    for c in t.chars() {
        // The group character goes first: with `groupChar: "."` a `.` is a group mark, not a
        // stray decimal point (`1.000,5` is 1000.5, as frictionless reads it).
        if Some(c) == group {
            continue;
        }
        if c == '.' && decimal != '.' {
            return None;
        }
        s.push(if c == decimal { '.' } else { c });
    }
    python_decimal(&s)
}

fn boolean(text: &str, true_values: &[String], false_values: &[String]) -> Option<Value<'static>> {
    if true_values.iter().any(|v| v == text) {
        Some(Value::Bool(true))
    } else if false_values.iter().any(|v| v == text) {
        Some(Value::Bool(false))
    } else {
        None
    }
}

/// frictionless' year: exactly 4 characters that Python's `int()` reads, in 0..=9999.
fn year(text: &str) -> Option<Value<'static>> {
    if text.chars().count() != 4 {
        return None;
    }
    match python_int(text)? {
        Value::Int(y) if (0..=9999).contains(&y) => Some(Value::Year(y as i64)),
        _ => None,
    }
}

/// frictionless' yearmonth: two parts around one `-`, each read by Python's `int()`, month 1–12.
fn yearmonth(text: &str) -> Option<Value<'static>> {
    let mut parts = text.split('-');
    let (y, m) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (Value::Int(y), Value::Int(m)) = (python_int(y)?, python_int(m)?) else {
        return None;
    };
    let m = u32::try_from(m).ok().filter(|m| (1..=12).contains(m))?;
    Some(Value::YearMonth(i64::try_from(y).ok()?, m))
}

fn geopoint<'a>(text: &'a str, format: Option<&str>) -> Option<Value<'a>> {
    let (lon, lat) = match format {
        Some("array") => {
            let v: Vec<f64> = serde_json::from_str(text).ok()?;
            (*v.first()?, *v.get(1).filter(|_| v.len() == 2)?)
        }
        Some("object") => {
            let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).ok()?;
            (v.get("lon")?.as_f64()?, v.get("lat")?.as_f64()?)
        }
        _ => {
            let (a, b) = text.split_once(',')?;
            (a.trim().parse().ok()?, b.trim().parse().ok()?)
        }
    };
    ((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat))
        .then_some(Value::Opaque(text))
}

fn json(text: &str, want_object: bool) -> Option<Value<'static>> {
    match serde_json::from_str::<serde_json::Value>(text).ok()? {
        serde_json::Value::Object(o) if want_object => Some(Value::Items(o.len())),
        serde_json::Value::Array(a) if !want_object => Some(Value::Items(a.len())),
        _ => None,
    }
}

fn string<'a>(text: &'a str, format: Option<&str>) -> Option<Value<'a>> {
    let ok = match format {
        Some("email") => crate::catalog::config::is_email(text),
        Some("uri") => text.split_once(':').is_some_and(|(scheme, rest)| {
            !rest.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !text.contains(char::is_whitespace)
        }),
        Some("uuid") => {
            let groups: Vec<&str> = text.split('-').collect();
            groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
                && groups
                    .iter()
                    .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
        }
        Some("binary") => {
            text.len() % 4 == 0
                && text
                    .trim_end_matches('=')
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        }
        _ => true,
    };
    ok.then_some(Value::Text(text))
}

/// Parses `text` (not a missing value) as `field_type` with `format`.
#[inline(always)]
pub fn parse<'a>(field_type: &FieldType, format: Option<&str>, text: &'a str) -> Option<Value<'a>> {
    match field_type {
        FieldType::String => string(text, format),
        FieldType::Integer { bare_number } => integer(text, *bare_number),
        FieldType::Number {
            decimal_char,
            group_char,
            bare_number,
        } => number(text, *decimal_char, *group_char, *bare_number),
        FieldType::Boolean {
            true_values,
            false_values,
        } => boolean(text, true_values, false_values),
        FieldType::Date => date(text, format),
        FieldType::Time => time(text, format),
        FieldType::Datetime => datetime(text, format),
        FieldType::Year => year(text),
        FieldType::Yearmonth => yearmonth(text),
        FieldType::Duration => duration(text),
        FieldType::Geopoint => geopoint(text, format),
        FieldType::Geojson | FieldType::Object => json(text, true),
        FieldType::Array => json(text, false),
        FieldType::List { delimiter } => Some(Value::Items(text.split(delimiter.as_str()).count())),
        FieldType::Any => Some(Value::Opaque(text)),
    }
}

/// Interprets a constraint bound from the schema (a JSON number or string) in the field's type.
pub fn bound<'a>(
    field_type: &FieldType,
    format: Option<&str>,
    value: &'a serde_json::Value,
) -> Option<Value<'a>> {
    match value {
        serde_json::Value::Number(n) => match field_type {
            FieldType::Integer { .. } => n
                .as_i64()
                .map(|i| Value::Int(i.into()))
                .or_else(|| n.as_f64().map(Value::Num)),
            FieldType::Number { .. } => n.as_f64().map(Value::Num),
            FieldType::Year => n.as_i64().map(Value::Year),
            _ => None,
        },
        serde_json::Value::String(s) => match field_type {
            // Bounds in the schema are written in the standard form, not the field's own format.
            FieldType::Number { .. } => number(s, '.', None, true),
            FieldType::Date | FieldType::Time | FieldType::Datetime => {
                parse(field_type, None, s).or_else(|| parse(field_type, format, s))
            }
            FieldType::String => Some(Value::Text(s)),
            _ => parse(field_type, format, s),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests;
