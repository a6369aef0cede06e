//! Stage 2, validate: plain words for type errors, in English and Ukrainian — what a field's type
//! expects, and a hint where a common mistake is recognisable (decimal commas, spaces between
//! thousands, dd.mm.yyyy dates, yes/no words). Pure functions of the field and the cell.

use chrono::NaiveDate;

use super::cell;
use crate::catalog::schema::{Field, FieldType};

/// A hint for a cell that failed to parse, where a common mistake is recognisable: (English,
/// Ukrainian).
pub fn hint(field_type: &FieldType, text: &str) -> Option<(String, String)> {
    let looks_decimal_comma =
        text.contains(',') && cell::parse(&num(',', Some(' ')), None, text).is_some();
    let pair = |en: &str, uk: &str| Some((en.to_owned(), uk.to_owned()));
    match field_type {
        FieldType::Number { decimal_char: '.', .. } | FieldType::Integer { .. } if looks_decimal_comma => pair(
            "decimal comma: declare \"decimalChar\": \",\" on the field (and \"groupChar\": \" \" if thousands are separated by spaces)",
            "десяткова кома: укажіть у полі \"decimalChar\": \",\" (і \"groupChar\": \" \", якщо тисячі відокремлено пробілами)",
        ),
        FieldType::Number { .. } | FieldType::Integer { .. } if text.contains(['\u{a0}', ' ']) => pair(
            "thousands separated by spaces: declare \"groupChar\": \" \" on the field",
            "тисячі відокремлено пробілами: укажіть у полі \"groupChar\": \" \"",
        ),
        FieldType::Integer { .. } if cell::parse(&num('.', None), None, text).is_some() => pair(
            "this has a fractional part: declare the field \"type\": \"number\"",
            "значення має дробову частину: укажіть для поля \"type\": \"number\"",
        ),
        FieldType::Date if NaiveDate::parse_from_str(text, "%d.%m.%Y").is_ok() => pair(
            "dates look like dd.mm.yyyy: declare \"format\": \"%d.%m.%Y\" on the field",
            "дати записано як дд.мм.рррр: укажіть у полі \"format\": \"%d.%m.%Y\"",
        ),
        FieldType::Date | FieldType::Datetime => pair(
            "write dates as YYYY-MM-DD, or declare the field's \"format\" (e.g. \"%d.%m.%Y\")",
            "запишіть дати як РРРР-ММ-ДД або вкажіть \"format\" поля (наприклад \"%d.%m.%Y\")",
        ),
        FieldType::Boolean { true_values, false_values } => Some((
            format!("use one of {} for yes and {} for no, or declare \"trueValues\"/\"falseValues\"", true_values.join(", "), false_values.join(", ")),
            format!("для «так» використайте одне з {}, для «ні» — одне з {}, або вкажіть \"trueValues\"/\"falseValues\"", true_values.join(", "), false_values.join(", ")),
        )),
        _ => None,
    }
}

/// "a whole number", "a date as YYYY-MM-DD"… for type errors, in English and Ukrainian.
pub fn describe_type(f: &Field) -> (String, String) {
    let fmt = f.format.as_deref().filter(|x| *x != "default");
    let (en, uk): (String, String) = match (&f.field_type, fmt) {
        (FieldType::Integer { .. }, _) => ("a whole number (integer)".into(), "ціле число".into()),
        (FieldType::Number { decimal_char, .. }, _) => (
            format!("a number with `{decimal_char}` as the decimal mark"),
            format!("число з `{decimal_char}` як десятковим знаком"),
        ),
        (FieldType::Boolean { .. }, _) => (
            "a yes/no value (boolean)".into(),
            "значення так/ні (boolean)".into(),
        ),
        (FieldType::Date, Some(p)) => (
            format!("a date in the format `{p}`"),
            format!("дата у форматі `{p}`"),
        ),
        (FieldType::Date, None) => (
            "a date as YYYY-MM-DD".into(),
            "дата у вигляді РРРР-ММ-ДД".into(),
        ),
        (FieldType::Datetime, _) => (
            "a date and time as YYYY-MM-DDThh:mm:ss".into(),
            "дата й час у вигляді РРРР-ММ-ДДTгг:хх:сс".into(),
        ),
        (FieldType::Time, _) => ("a time as hh:mm:ss".into(), "час у вигляді гг:хх:сс".into()),
        (FieldType::Year, _) => ("a year, e.g. 2026".into(), "рік, наприклад 2026".into()),
        (FieldType::Yearmonth, _) => (
            "a year and month as YYYY-MM".into(),
            "рік і місяць у вигляді РРРР-ММ".into(),
        ),
        (FieldType::String, Some(format)) => (
            format!("a string in the `{format}` format"),
            format!("текст у форматі `{format}`"),
        ),
        (t, _) => (
            format!("a value of type `{}`", t.name()),
            format!("значення типу `{}`", t.name()),
        ),
    };
    (en, uk)
}

fn num(decimal_char: char, group_char: Option<char>) -> FieldType {
    FieldType::Number {
        decimal_char,
        group_char,
        bare_number: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints() {
        let n = num('.', None);
        assert!(hint(&n, "12,5").unwrap().0.contains("decimalChar"));
        assert!(hint(&n, "12,5").unwrap().1.contains("десяткова кома"));
        assert!(hint(&FieldType::Date, "31.03.2026")
            .unwrap()
            .0
            .contains("%d.%m.%Y"));
        assert!(hint(&FieldType::Integer { bare_number: true }, "4.5")
            .unwrap()
            .0
            .contains("number"));
        assert_eq!(hint(&FieldType::String, "x"), None);
    }
}
