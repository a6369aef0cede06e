//! Unit tests of `validate::cell`: the type readers against frictionless-py's verdicts.

#[test]
fn plain_numbers_read_as_rust_parses_them() {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..100_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let digits = (x % 10_u64.pow((x >> 40) as u32 % 16)).to_string();
        let cut = (x >> 8) as usize % (digits.len() + 1);
        let sign = ["", "-", "+"][(x >> 20) as usize % 3];
        let text = format!("{sign}{}.{}", &digits[..cut], &digits[cut..]);
        let Some(Value::Num(got)) = plain_number(&text) else {
            assert!(text.trim_start_matches(['+', '-']) == ".", "{text}");
            continue;
        };
        assert_eq!(
            got.to_bits(),
            text.parse::<f64>().unwrap().to_bits(),
            "{text}"
        );
    }
}

use super::*;

fn num(dec: char, group: Option<char>) -> FieldType {
    FieldType::Number {
        decimal_char: dec,
        group_char: group,
        bare_number: true,
    }
}

#[test]
fn parses_cells() {
    let int = FieldType::Integer { bare_number: true };
    let int_loose = FieldType::Integer { bare_number: false };
    let boolean = FieldType::Boolean {
        true_values: vec!["true".into(), "1".into()],
        false_values: vec!["false".into(), "0".into()],
    };
    let cases: &[(&FieldType, Option<&str>, &str, Option<Value>)] = &[
        (&int, None, "42", Some(Value::Int(42))),
        (&int, None, "-7", Some(Value::Int(-7))),
        (&int, None, "+7", Some(Value::Int(7))),
        (&int, None, "4.2", None),
        (&int, None, "", None),
        // frictionless 5.21: Python's int() after strip, so spaces, `_` and leading zeros pass.
        (&int, None, " 4", Some(Value::Int(4))),
        (&int, None, "1_000", Some(Value::Int(1000))),
        (&int, None, "1__0", None),
        (&int, None, "007", Some(Value::Int(7))),
        (&int, None, "0", Some(Value::Int(0))),
        (&int, None, "-01", Some(Value::Int(-1))),
        (
            &FieldType::Date,
            None,
            "2023-1-5",
            Some(Value::Date(NaiveDate::from_ymd_opt(2023, 1, 5).unwrap())),
        ),
        (&FieldType::Date, None, "23-01-05", None),
        (
            &FieldType::Datetime,
            None,
            "2023-01-15 10:00:00",
            Some(Value::DateTime(
                NaiveDate::from_ymd_opt(2023, 1, 15)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap(),
            )),
        ),
        (
            &FieldType::Datetime,
            None,
            "2023-01-15T10:00:00+0200",
            Some(Value::DateTime(
                NaiveDate::from_ymd_opt(2023, 1, 15)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap(),
            )),
        ),
        (&FieldType::Datetime, None, "2023-01-15T10:00", None),
        (
            &FieldType::Time,
            None,
            "10:00:00+02:00",
            Some(Value::Time(NaiveTime::from_hms_opt(10, 0, 0).unwrap())),
        ),
        (
            &FieldType::Time,
            None,
            "10:00:00,5",
            Some(Value::Time(
                NaiveTime::from_hms_milli_opt(10, 0, 0, 500).unwrap(),
            )),
        ),
        (&FieldType::Time, None, "9:00:00", None),
        (&int_loose, None, "€95", Some(Value::Int(95))),
        (&int_loose, None, "95%", Some(Value::Int(95))),
        (
            &num('.', None),
            None,
            "2.547e+09",
            Some(Value::Num(2.547e9)),
        ),
        (&num('.', None), None, "-0.5", Some(Value::Num(-0.5))),
        (&num('.', None), None, ".5", Some(Value::Num(0.5))),
        (&num('.', None), None, "1,5", None),
        (&num('.', None), None, " 1_000.5 ", Some(Value::Num(1000.5))),
        (
            &num('.', None),
            None,
            "Infinity",
            Some(Value::Num(f64::INFINITY)),
        ),
        (&num(',', None), None, "1.5", None),
        (&num(',', None), None, "1,5", Some(Value::Num(1.5))),
        // `.` as the group mark is removed before a `.` is refused (found by `numbers_round_trip`).
        (
            &num(',', Some('.')),
            None,
            "1.000,5",
            Some(Value::Num(1000.5)),
        ),
        (&num(',', Some(' ')), None, "1 000.5", None),
        (&num('.', None), None, "e5", None),
        (&num('.', None), None, "1.2.3", None),
        (
            &num(',', Some(' ')),
            None,
            "1 234,5",
            Some(Value::Num(1234.5)),
        ),
        (
            &num('.', Some(',')),
            None,
            "1,234.5",
            Some(Value::Num(1234.5)),
        ),
        (&boolean, None, "1", Some(Value::Bool(true))),
        (&boolean, None, "yes", None),
        (
            &FieldType::Date,
            None,
            "2026-03-31",
            Some(Value::Date(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap())),
        ),
        (&FieldType::Date, None, "2026-02-30", None),
        (&FieldType::Date, None, "31.03.2026", None),
        (
            &FieldType::Date,
            Some("%d.%m.%Y"),
            "31.03.2026",
            Some(Value::Date(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap())),
        ),
        (
            &FieldType::Date,
            Some("any"),
            "31.03.2026",
            Some(Value::Date(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap())),
        ),
        (&FieldType::Year, None, "2023", Some(Value::Year(2023))),
        (&FieldType::Year, None, "20x3", None),
        (
            &FieldType::Yearmonth,
            None,
            "2023-12",
            Some(Value::YearMonth(2023, 12)),
        ),
        (&FieldType::Yearmonth, None, "2023-13", None),
        (
            &FieldType::Duration,
            None,
            "P1Y2M10DT2H30M",
            Some(Value::Opaque("P1Y2M10DT2H30M")),
        ),
        (&FieldType::Duration, None, "P", None),
        (&FieldType::Duration, None, "PT", None),
        (&FieldType::Duration, None, "P1H", None),
        (
            &FieldType::Geopoint,
            None,
            "30.5, 50.4",
            Some(Value::Opaque("30.5, 50.4")),
        ),
        (&FieldType::Geopoint, None, "200, 50", None),
        (
            &FieldType::Object,
            None,
            "{\"a\": 1}",
            Some(Value::Items(1)),
        ),
        (&FieldType::Object, None, "[1]", None),
        (&FieldType::Array, None, "[1, 2]", Some(Value::Items(2))),
        (
            &FieldType::String,
            Some("email"),
            "a@b.ua",
            Some(Value::Text("a@b.ua")),
        ),
        (&FieldType::String, Some("email"), "nope", None),
        (
            &FieldType::String,
            Some("uuid"),
            "123e4567-e89b-12d3-a456-426614174000",
            Some(Value::Text("123e4567-e89b-12d3-a456-426614174000")),
        ),
        (
            &FieldType::String,
            Some("uri"),
            "https://x.ua/a",
            Some(Value::Text("https://x.ua/a")),
        ),
        (&FieldType::String, Some("uri"), "no scheme", None),
        (
            &FieldType::Datetime,
            None,
            "2026-03-31T10:00:00Z",
            Some(Value::DateTime(
                NaiveDate::from_ymd_opt(2026, 3, 31)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap(),
            )),
        ),
        (
            &FieldType::Time,
            None,
            "10:00:00",
            Some(Value::Time(NaiveTime::from_hms_opt(10, 0, 0).unwrap())),
        ),
    ];
    for (ty, format, text, want) in cases {
        assert_eq!(
            parse(ty, *format, text),
            *want,
            "{ty:?} {format:?} {text:?}"
        );
    }
}

mod properties {
    use super::*;
    use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
    use proptest::prelude::*;

    /// `n` with `group` between each three digits of its whole part and `dec` before its fraction.
    fn written(
        whole: u64,
        fraction: Option<u32>,
        negative: bool,
        dec: char,
        group: Option<char>,
    ) -> String {
        let digits = whole.to_string();
        let mut text = String::from(if negative { "-" } else { "" });
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                text.extend(group);
            }
            text.push(d);
        }
        if let Some(f) = fraction {
            text.push(dec);
            text += &f.to_string();
        }
        text
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        (1i32..=9999, 1u32..=366)
            .prop_filter_map("a day of the year", |(y, d)| NaiveDate::from_yo_opt(y, d))
    }

    proptest! {
        /// Any integer written out reads back as itself, signed or not, with or without spaces.
        #[test]
        fn integers_round_trip(i in any::<i64>(), pad in "[ ]{0,2}") {
            let t = FieldType::Integer { bare_number: true };
            let text = format!("{pad}{i}{pad}");
            prop_assert_eq!(parse(&t, None, &text), Some(Value::Int(i.into())));
            let plus = format!("+{}", i.unsigned_abs());
            prop_assert_eq!(parse(&t, None, &plus), Some(Value::Int(i.unsigned_abs().into())));
        }

        /// A number written with the field's decimal and group characters reads back as the same
        /// value as Rust reads its plain form.
        #[test]
        fn numbers_round_trip(
            whole in any::<u64>(), fraction in proptest::option::of(any::<u32>()), negative in any::<bool>(),
            chars in proptest::sample::select(vec![('.', None), ('.', Some(',')), (',', Some(' ')), (',', Some('.')), (',', None), ('.', Some('\''))]),
        ) {
            let (dec, group) = chars;
            let text = written(whole, fraction, negative, dec, group);
            let plain = written(whole, fraction, negative, '.', None);
            let expected: f64 = plain.parse().unwrap();
            prop_assert_eq!(parse(&num(dec, group), None, &text), Some(Value::Num(expected)), "{}", text);
        }

        /// Any Rust `f64` printed plainly (`{}` or `{:e}`) reads back bit for bit.
        #[test]
        fn floats_round_trip(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
            for text in [x.to_string(), format!("{x:e}")] {
                prop_assert_eq!(parse(&num('.', None), None, &text), Some(Value::Num(x)), "{}", text);
            }
        }

        /// Dates, times, date-times, years and year-months in their standard forms read back.
        #[test]
        fn temporal_round_trip(d in date(), secs in 0u32..86_400) {
            let t = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap();
            let iso = d.format("%Y-%m-%d").to_string();
            prop_assert_eq!(parse(&FieldType::Date, None, &iso), Some(Value::Date(d)));
            let time = t.format("%H:%M:%S").to_string();
            prop_assert_eq!(parse(&FieldType::Time, None, &time), Some(Value::Time(t)));
            let at = d.and_time(t);
            let text = format!("{iso}T{time}Z");
            prop_assert_eq!(parse(&FieldType::Datetime, None, &text), Some(Value::DateTime(at)));
            let year = format!("{:04}", d.year());
            prop_assert_eq!(parse(&FieldType::Year, None, &year), Some(Value::Year(d.year().into())));
            let ym = format!("{year}-{:02}", d.month());
            prop_assert_eq!(parse(&FieldType::Yearmonth, None, &ym), Some(Value::YearMonth(d.year().into(), d.month())));
            // A custom format reads what it wrote.
            let custom = d.format("%d.%m.%Y").to_string();
            prop_assert_eq!(parse(&FieldType::Date, Some("%d.%m.%Y"), &custom), Some(Value::Date(d)));
            prop_assert_eq!(t.hour() * 3600 + t.minute() * 60 + t.second(), secs);
        }

        /// No text makes any type's reader panic, and reading is deterministic.
        #[test]
        fn any_text_is_safe(text in any::<String>(), format in proptest::option::of("default|any|email|uri|uuid|binary|%Y|%d/%m/%Y|\\PC{0,6}")) {
            let types = [
                FieldType::String, FieldType::Integer { bare_number: false }, num(',', Some(' ')),
                FieldType::Boolean { true_values: vec!["так".into()], false_values: vec!["ні".into()] },
                FieldType::Date, FieldType::Time, FieldType::Datetime, FieldType::Year, FieldType::Yearmonth,
                FieldType::Duration, FieldType::Geopoint, FieldType::Geojson, FieldType::Object, FieldType::Array,
                FieldType::List { delimiter: ";".into() }, FieldType::Any,
            ];
            for t in &types {
                // Compared as text: NaN (from `nan`) is not equal to itself.
                let once = format!("{:?}", parse(t, format.as_deref(), &text));
                prop_assert_eq!(once, format!("{:?}", parse(t, format.as_deref(), &text)));
            }
        }
    }
}
