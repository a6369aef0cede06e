//! Stage 2, validate: the column profile of a table, gathered in the same pass that checks it
//! (only when the caller asks: `build` and `check` do, the `validate` command does not). Per
//! field: cells filled and empty (missing values), distinct values counted exactly up to
//! `DISTINCT_BOUND` (beyond it only "more than"), the smallest and largest typed value for
//! ordered types (compared as values, not text), the shortest and longest text for strings, and
//! the most frequent values. Batches are profiled on any checking thread and merged in row
//! order; every part of a profile is order-independent (sums, extremes, a bounded set), so the
//! result does not depend on the number of threads. Plain data out.

use std::hash::BuildHasher as _;

use super::cell::Value;
use crate::catalog::schema::Schema;

/// Distinct values are counted exactly up to this many.
pub const DISTINCT_BOUND: usize = 1000;
/// The most frequent values kept per column.
pub const TOP_VALUES: usize = 5;

/// How many different values a column has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distinct {
    Exactly(u64),
    /// More than `DISTINCT_BOUND`: counting stopped there.
    MoreThan(u64),
}

/// The range of a column's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// Smallest and largest value, for ordered types (numbers, dates, times, years).
    Values(Value<'static>, Value<'static>),
    /// Shortest and longest text in characters, for strings.
    Length(usize, usize),
}

/// What the profile says about one column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnProfile {
    pub name: String,
    /// The declared (or inferred) Table Schema type name.
    pub field_type: &'static str,
    /// Cells with a value (type errors included).
    pub filled: u64,
    /// Empty cells: missing values and cells absent from short rows.
    pub empty: u64,
    pub distinct: Distinct,
    pub range: Option<Range>,
    /// The most frequent values with their counts, most frequent first (ties by value); empty
    /// when no value repeats or there are too many distinct values to count.
    pub top: Vec<(String, u64)>,
}

/// Distinct values with their counts: the texts one after the other in one string, a table of
/// where each lies, hashed once. Every filled cell of a profiled table is counted here: a map of
/// boxed texts hashed each cell twice (looked up, then inserted), allocated each new value and
/// rehashed the texts as it grew — 3 % of a national build.
#[derive(Debug, Clone, Default)]
struct Counts {
    texts: String,
    table: hashbrown::HashTable<Counted>,
}

/// What `Counts::add` did with a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Added {
    Again,
    New,
    Full,
}

/// A distinct value: its text's hash and place in `Counts::texts`, and its count.
#[derive(Debug, Clone, Copy)]
struct Counted {
    hash: u64,
    start: usize,
    len: usize,
    n: u64,
}

/// Distinct values a column's table holds before it first grows: most columns of a catalogue's
/// small tables have fewer, and growing from nothing rehashed the table five times before this.
const FIRST_DISTINCT: usize = 64;

impl Counts {
    fn new() -> Self {
        Counts {
            texts: String::with_capacity(FIRST_DISTINCT * 16),
            table: hashbrown::HashTable::with_capacity(FIRST_DISTINCT),
        }
    }

    /// Adds `times` to the count of `text`: `Again` when it was counted before, `Full` (nothing
    /// added) when it is new and there are `DISTINCT_BOUND` values already.
    fn add(&mut self, text: &str, times: u64) -> Added {
        let hash = foldhash::fast::FixedState::default().hash_one(text);
        let texts = &self.texts;
        let same = |c: &Counted| c.hash == hash && texts[c.start..c.start + c.len] == *text;
        if let Some(c) = self.table.find_mut(hash, same) {
            c.n += times;
            return Added::Again;
        }
        if self.table.len() >= DISTINCT_BOUND {
            return Added::Full;
        }
        let start = self.texts.len();
        self.texts.push_str(text);
        let counted = Counted {
            hash,
            start,
            len: text.len(),
            n: times,
        };
        self.table.insert_unique(hash, counted, |c| c.hash);
        Added::New
    }

    fn len(&self) -> usize {
        self.table.len()
    }

    /// Each value with its count, in no particular order.
    fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        (self.table.iter()).map(|c| (&self.texts[c.start..c.start + c.len], c.n))
    }
}

/// One column being profiled.
#[derive(Debug, Clone, Default)]
struct Column {
    filled: u64,
    empty: u64,
    /// Counts per value; `None` once there were more than `DISTINCT_BOUND`.
    counts: Option<Counts>,
    min: Option<Value<'static>>,
    max: Option<Value<'static>>,
    lengths: Option<(usize, usize)>,
}

/// The ordered value of a cell, without borrowing it (text has no extremes, only lengths).
fn owned(value: &Value) -> Option<Value<'static>> {
    use Value::*;
    match *value {
        Int(n) => Some(Int(n)),
        Num(n) if !n.is_nan() => Some(Num(n)),
        Date(d) => Some(Date(d)),
        Time(t) => Some(Time(t)),
        DateTime(t) => Some(DateTime(t)),
        Year(y) => Some(Year(y)),
        YearMonth(y, m) => Some(YearMonth(y, m)),
        _ => None,
    }
}

impl Column {
    fn new() -> Self {
        Column {
            counts: Some(Counts::new()),
            ..Default::default()
        }
    }

    /// Counts `text`; true when the same text was counted before.
    fn count(&mut self, text: &str, times: u64) -> bool {
        let added = (self.counts.as_mut()).map(|counts| counts.add(text, times));
        if added == Some(Added::Full) {
            self.counts = None;
        }
        added == Some(Added::Again)
    }

    fn extremes(&mut self, v: Value<'static>) {
        if self
            .min
            .is_none_or(|m| v.compare(&m).is_some_and(|o| o.is_lt()))
        {
            self.min = Some(v);
        }
        if self
            .max
            .is_none_or(|m| v.compare(&m).is_some_and(|o| o.is_gt()))
        {
            self.max = Some(v);
        }
    }

    fn length(&mut self, len: usize) {
        let (lo, hi) = self.lengths.unwrap_or((len, len));
        self.lengths = Some((lo.min(len), hi.max(len)));
    }

    fn add(&mut self, text: &str, value: Option<&Value>) {
        self.filled += 1;
        let again = self.count(text, 1);
        match value {
            // The same cell text parses to the same value, whose length is already in.
            Some(Value::Text(_)) if again => {}
            Some(Value::Text(t)) => self.length(t.chars().count()),
            Some(v) => {
                if let Some(v) = owned(v) {
                    self.extremes(v);
                }
            }
            None => {}
        }
    }

    fn merge(&mut self, other: Column) {
        // Into a column that has seen no cell the merge below gives `other` itself (its counts
        // are within the bound, its extremes and lengths ordered): taken whole. A small table
        // is one batch, and re-inserting its distinct values was most of absorbing it.
        if self.filled == 0 && self.empty == 0 {
            *self = other;
            return;
        }
        self.filled += other.filled;
        self.empty += other.empty;
        match other.counts {
            Some(counts) => {
                for (text, n) in counts.iter() {
                    self.count(text, n);
                }
            }
            None => self.counts = None,
        }
        for v in other.min.into_iter().chain(other.max) {
            self.extremes(v);
        }
        if let Some((lo, hi)) = other.lengths {
            self.length(lo);
            self.length(hi);
        }
    }

    fn finish(self, name: String, field_type: &'static str) -> ColumnProfile {
        let distinct = match &self.counts {
            Some(c) => Distinct::Exactly(c.len() as u64),
            None => Distinct::MoreThan(DISTINCT_BOUND as u64),
        };
        // Top values say something only when a value repeats: without one nothing is sorted
        // (a column of amounts or names, each once). With one, only the first `TOP_VALUES` are
        // put in order (counts down, then text: a total order, the texts being distinct).
        let mut top: Vec<(String, u64)> = Vec::new();
        if let Some(counts) = (self.counts).filter(|c| c.iter().any(|(_, n)| n >= 2)) {
            top = (counts.iter())
                .map(|(text, n)| (text.to_owned(), n))
                .collect();
            let order =
                |a: &(String, u64), b: &(String, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
            if top.len() > TOP_VALUES {
                top.select_nth_unstable_by(TOP_VALUES - 1, order);
                top.truncate(TOP_VALUES);
            }
            top.sort_by(order);
        }
        let range = match (self.min, self.max, self.lengths) {
            (Some(lo), Some(hi), _) => Some(Range::Values(lo, hi)),
            (_, _, Some((lo, hi))) => Some(Range::Length(lo, hi)),
            _ => None,
        };
        ColumnProfile {
            name,
            field_type,
            filled: self.filled,
            empty: self.empty,
            distinct,
            range,
            top,
        }
    }
}

/// The profile of a table (or of one batch of its rows) while it is read.
#[derive(Debug, Clone, Default)]
pub struct TableProfile {
    columns: Vec<Column>,
}

impl TableProfile {
    /// A profile of `width` columns.
    pub fn new(width: usize) -> Self {
        TableProfile {
            columns: (0..width).map(|_| Column::new()).collect(),
        }
    }

    /// Adds one row: `cells` as read, `values` as typed by the checker (`None` for missing
    /// values and type errors), `missing(i, text)` tells a missing value from a type error.
    pub fn add(
        &mut self,
        cells: &[&str],
        values: &[Option<Value>],
        missing: impl Fn(usize, &str) -> bool,
    ) {
        for (i, column) in self.columns.iter_mut().enumerate() {
            match (cells.get(i), values.get(i).copied().flatten()) {
                (Some(text), Some(value)) => column.add(text, Some(&value)),
                (Some(text), None) if !missing(i, text) => column.add(text, None),
                _ => column.empty += 1,
            }
        }
    }

    /// Adds the profile of a later batch.
    pub fn merge(&mut self, other: TableProfile) {
        for (mine, theirs) in self.columns.iter_mut().zip(other.columns) {
            mine.merge(theirs);
        }
    }

    /// The profile of each field of `schema`.
    pub fn finish(self, schema: &Schema) -> Vec<ColumnProfile> {
        self.columns
            .into_iter()
            .zip(&schema.fields)
            .map(|(c, f)| c.finish(f.name.clone(), f.field_type.name()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::cell;

    fn schema(field_type: &str) -> Schema {
        Schema::parse(&serde_json::json!({"fields": [{"name": "x", "type": field_type}]})).unwrap()
    }

    /// Profiles one column of `cells` of `field_type` ("" and "NA" missing), in batches of
    /// `batch` rows merged in order.
    fn profile(field_type: &str, cells: &[&str], batch: usize) -> ColumnProfile {
        let schema = schema(field_type);
        let f = &schema.fields[0];
        let mut whole = TableProfile::new(1);
        for chunk in cells.chunks(batch) {
            let mut part = TableProfile::new(1);
            for text in chunk {
                let missing = |_: usize, t: &str| t.is_empty() || t == "NA";
                let value = (!missing(0, text))
                    .then(|| cell::parse(&f.field_type, None, text))
                    .flatten();
                part.add(&[text], &[value], missing);
            }
            whole.merge(part);
        }
        whole.finish(&schema).remove(0)
    }

    #[test]
    fn profiles_columns() {
        use chrono::NaiveDate;
        let date = |y, m, d| Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        type Case<'a> = (
            &'a str,
            &'a [&'a str],
            u64,
            u64,
            Distinct,
            Option<Range>,
            usize,
        );
        let cases: &[Case] = &[
            // Numbers compare as numbers: 10 > 9, not "10" < "9".
            (
                "integer",
                &["9", "10", "", "9", "-3"],
                4,
                1,
                Distinct::Exactly(3),
                Some(Range::Values(Value::Int(-3), Value::Int(10))),
                3,
            ),
            (
                "number",
                &["2.5", "NA", "10", "x", "1e3"],
                4,
                1,
                Distinct::Exactly(4),
                Some(Range::Values(Value::Num(2.5), Value::Num(1000.0))),
                0,
            ),
            (
                "date",
                &["2024-12-01", "2023-01-31", "2023-01-31"],
                3,
                0,
                Distinct::Exactly(2),
                Some(Range::Values(date(2023, 1, 31), date(2024, 12, 1))),
                2,
            ),
            (
                "year",
                &["2023", "2021", "2022"],
                3,
                0,
                Distinct::Exactly(3),
                Some(Range::Values(Value::Year(2021), Value::Year(2023))),
                0,
            ),
            (
                "string",
                &["Вінниця", "Ки", "", "Київ", "Ки"],
                4,
                1,
                Distinct::Exactly(3),
                Some(Range::Length(2, 7)),
                3,
            ),
            ("string", &["", "NA"], 0, 2, Distinct::Exactly(0), None, 0),
        ];
        for (i, (t, cells, filled, empty, distinct, range, top)) in cases.iter().enumerate() {
            for batch in [1, 2, 100] {
                let p = profile(t, cells, batch);
                assert_eq!(
                    (p.filled, p.empty, p.distinct, p.range, p.top.len()),
                    (*filled, *empty, *distinct, *range, *top),
                    "case {i} ({t}) in batches of {batch}"
                );
                assert_eq!(p.field_type, *t);
            }
        }
    }

    #[test]
    fn top_values_by_count_then_value() {
        let cells = ["b", "a", "c", "a", "b", "d", "e", "f", "f"];
        let p = profile("string", &cells, 4);
        let top: Vec<(&str, u64)> = p.top.iter().map(|(t, n)| (t.as_str(), *n)).collect();
        assert_eq!(top, [("a", 2), ("b", 2), ("f", 2), ("c", 1), ("d", 1)]);
    }

    proptest::proptest! {
        /// The top values are those of the whole list in order, cut to `TOP_VALUES`, and none
        /// when no value repeats.
        #[test]
        fn top_values_are_the_head_of_the_full_order(cells in proptest::collection::vec("[a-h]{1,2}", 0..60)) {
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            let mut counts: std::collections::BTreeMap<&str, u64> = Default::default();
            for c in &cells {
                *counts.entry(c).or_default() += 1;
            }
            let mut want: Vec<(String, u64)> =
                counts.into_iter().map(|(t, n)| (t.to_owned(), n)).collect();
            want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            want.truncate(TOP_VALUES);
            if want.first().is_none_or(|(_, n)| *n < 2) {
                want.clear();
            }
            proptest::prop_assert_eq!(profile("string", &cells, 16).top, want);
        }
    }

    #[test]
    fn distinct_values_are_bounded() {
        let texts: Vec<String> = (0..=DISTINCT_BOUND).map(|n| n.to_string()).collect();
        let cells: Vec<&str> = texts.iter().map(String::as_str).collect();
        for batch in [7, 2000] {
            let p = profile("integer", &cells, batch);
            assert_eq!(p.distinct, Distinct::MoreThan(DISTINCT_BOUND as u64));
            assert!(p.top.is_empty());
            assert_eq!(
                p.range,
                Some(Range::Values(
                    Value::Int(0),
                    Value::Int(DISTINCT_BOUND as i128)
                ))
            );
        }
        let p = profile("integer", &cells[..DISTINCT_BOUND], 7);
        assert_eq!(p.distinct, Distinct::Exactly(DISTINCT_BOUND as u64));
    }
}
