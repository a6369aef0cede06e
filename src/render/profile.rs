//! Stage 4, render: the column profile of a table as the dataset page shows it — every number
//! localised (`format`), typed extremes written as people read them (dates as dates, years
//! without grouping). Pure: from `validate::profile::ColumnProfile` to display strings.

use serde::Serialize;

use super::format;
use super::view::Lang;
use crate::validate::cell::Value;
use crate::validate::profile::{ColumnProfile, Distinct, Range};

/// One column's row of the profile table.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    pub name: String,
    pub field_type: String,
    pub filled: String,
    pub empty: String,
    pub distinct: String,
    /// Smallest value, or shortest text's length; empty when the type has no order.
    pub min: String,
    pub max: String,
    pub top: Vec<TopValue>,
}

/// A frequent value with its count.
#[derive(Debug, Clone, Serialize)]
pub struct TopValue {
    pub value: String,
    pub count: String,
}

/// A typed value as the page shows it.
pub fn value(v: &Value, lang: &Lang) -> String {
    match v {
        Value::Int(n) => format::signed(*n, lang.code),
        Value::Num(n) => format::decimal(*n, lang.code),
        Value::Date(d) => format::date(*d, lang.code),
        Value::Time(t) => t.format("%H:%M:%S").to_string(),
        Value::DateTime(t) => format!(
            "{} {}",
            format::date(t.date(), lang.code),
            t.time().format("%H:%M:%S")
        ),
        Value::Year(y) => y.to_string(),
        Value::YearMonth(y, m) if lang.code == "uk" => format!("{m:02}.{y}"),
        Value::YearMonth(y, m) => format!("{y}-{m:02}"),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) | Value::Opaque(t) => (*t).to_owned(),
        Value::Items(n) => n.to_string(),
    }
}

fn chars(n: usize, lang: &Lang) -> String {
    format!(
        "{} {}",
        format::int(n as u64, lang.code),
        lang.msg("profile.column.chars")
    )
}

/// The page's view of a table's profile.
pub fn view(profile: &[ColumnProfile], lang: &Lang) -> Vec<ColumnView> {
    let n = |x: u64| format::int(x, lang.code);
    profile
        .iter()
        .map(|c| {
            let (min, max) = match &c.range {
                Some(Range::Values(lo, hi)) => (value(lo, lang), value(hi, lang)),
                Some(Range::Length(lo, hi)) => (chars(*lo, lang), chars(*hi, lang)),
                None => (String::new(), String::new()),
            };
            ColumnView {
                name: c.name.clone(),
                field_type: c.field_type.to_owned(),
                filled: n(c.filled),
                empty: n(c.empty),
                distinct: match c.distinct {
                    Distinct::Exactly(d) => n(d),
                    Distinct::MoreThan(d) => {
                        format!("{} {}", lang.msg("profile.column.more_than"), n(d))
                    }
                },
                min,
                max,
                top: c
                    .top
                    .iter()
                    .map(|(v, count)| TopValue {
                        value: v.clone(),
                        count: n(*count),
                    })
                    .collect(),
            }
        })
        .collect()
}
