//! Stage 2, validate: printing a `Validation` — as JSON shaped like frictionless v5's report
//! (`valid`, `errors`, `tasks[]` with `errors[]` carrying `type`, `rowNumber`, `fieldNumber`,
//! `fieldName`, `cell`, `note`, `message`), or as text for people, grouped by error type with
//! counts and the first examples, in Ukrainian or English.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::report::{Finding, Kind};
use super::standalone::{Task, Validation};

/// Examples shown per error type in the text report.
pub const EXAMPLES: usize = 5;

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Uk,
    En,
}

/// frictionless' title of each error type, and a plain explanation, in both languages.
fn describe(kind: Kind, lang: Lang) -> (&'static str, &'static str) {
    let (uk, en) = match kind {
        Kind::TypeError => (("Значення не того типу", "Значення в клітинці не відповідає типу поля (число, дата…)."), ("Type Error", "A cell's value does not match its field's type (number, date…).")),
        Kind::ConstraintError => (("Порушено обмеження", "Значення не відповідає обмеженню поля (обов’язковість, діапазон, шаблон, перелік)."), ("Constraint Error", "A value breaks a field constraint (required, range, pattern, list of values).")),
        Kind::MissingCell => (("Бракує клітинки", "У рядку менше клітинок, ніж у заголовку."), ("Missing Cell", "A row has fewer cells than the header.")),
        Kind::ExtraCell => (("Зайва клітинка", "У рядку більше клітинок, ніж у заголовку."), ("Extra Cell", "A row has more cells than the header.")),
        Kind::BlankRow => (("Порожній рядок", "Рядок без жодного значення."), ("Blank Row", "A row with no values at all.")),
        Kind::BlankLabel => (("Порожня назва стовпця", "Клітинка заголовка порожня."), ("Blank Label", "A header cell is empty.")),
        Kind::DuplicateLabel => (("Повторена назва стовпця", "Дві клітинки заголовка мають однакову назву."), ("Duplicate Label", "Two header cells have the same name.")),
        Kind::IncorrectLabel => (("Назва стовпця не збігається зі схемою", "Назва стовпця відрізняється від назви поля в схемі."), ("Incorrect Label", "A column name differs from the schema's field name.")),
        Kind::MissingLabel => (("Бракує стовпця", "Схема описує поле, якого немає у файлі."), ("Missing Label", "The schema declares a field the file does not have.")),
        Kind::ExtraLabel => (("Зайвий стовпець", "У файлі є стовпець, якого немає в схемі."), ("Extra Label", "The file has a column the schema does not declare.")),
        Kind::UniqueError => (("Повторене унікальне значення", "Значення, яке має бути унікальним, повторюється."), ("Unique Error", "A value that must be unique repeats.")),
        Kind::PrimaryKey => (("Помилка первинного ключа", "Первинний ключ порожній або повторюється."), ("Primary Key Error", "A primary key is empty or repeats.")),
        Kind::ForeignKey => (("Помилка зовнішнього ключа", "Значення посилається на рядок, якого немає."), ("Foreign Key Error", "A value refers to a row that does not exist.")),
        Kind::DuplicateRow => (("Повторений рядок", "Рядок точно повторює попередній."), ("Duplicate Row", "A row repeats an earlier one exactly.")),
        Kind::HashCount => (("Контрольна сума не збігається", "Файл відрізняється від заявленої контрольної суми."), ("Hash Count Error", "The file's hash differs from the declared one.")),
        Kind::ByteCount => (("Розмір не збігається", "Розмір файлу відрізняється від заявленого."), ("Byte Count Error", "The file's size differs from the declared one.")),
        Kind::RowCount => (("Кількість рядків не збігається", "Кількість рядків відрізняється від заявленої."), ("Row Count Error", "The number of rows differs from the declared one.")),
        Kind::EncodingError => (("Помилка кодування", "Текст не читається в заявленому кодуванні."), ("Encoding Error", "The text cannot be read in its encoding.")),
        Kind::SourceError => (("Файл пошкоджено", "Файл неможливо прочитати як таблицю."), ("Source Error", "The file cannot be read as a table.")),
        Kind::SchemaError => (("Помилка схеми", "Схема таблиці (Table Schema) некоректна."), ("Schema Error", "The Table Schema is not valid.")),
        Kind::FieldError => (("Помилка опису поля", "Опис поля в схемі некоректний."), ("Field Error", "A field descriptor is not valid.")),
        Kind::DialectError => (("Помилка діалекту", "Опис формату CSV (dialect) некоректний."), ("Dialect Error", "The CSV dialect descriptor is not valid.")),
        Kind::ResourceError => (("Помилка опису ресурсу", "Опис ресурсу некоректний."), ("Resource Error", "The resource descriptor is not valid.")),
        Kind::PackageError => (("Помилка опису пакета", "Опис пакета даних (datapackage.json) некоректний."), ("Package Error", "The data package descriptor is not valid.")),
        Kind::CatalogError | Kind::PublisherError | Kind::TerritoryError => (("Помилка метаданих", "Метадані каталогу некоректні."), ("Metadata Error", "The catalogue metadata is not valid.")),
    };
    match lang {
        Lang::Uk => uk,
        Lang::En => en,
    }
}

/// frictionless v5's JSON for one finding.
fn error_json(f: &Finding) -> Value {
    let (title, description) = describe(f.kind, Lang::En);
    let mut o = Map::new();
    o.insert("type".into(), json!(f.kind.name()));
    o.insert("title".into(), json!(title));
    o.insert("description".into(), json!(description));
    o.insert("message".into(), json!(f.to_string()));
    o.insert("note".into(), json!(f.expected));
    let is_label = matches!(
        f.kind,
        Kind::BlankLabel
            | Kind::DuplicateLabel
            | Kind::IncorrectLabel
            | Kind::MissingLabel
            | Kind::ExtraLabel
    );
    let is_cell = matches!(
        f.kind,
        Kind::TypeError
            | Kind::ConstraintError
            | Kind::MissingCell
            | Kind::ExtraCell
            | Kind::UniqueError
            | Kind::EncodingError
    );
    if let (Some(row), false) = (f.row, is_label) {
        o.insert("rowNumber".into(), json!(row));
    }
    if is_label || is_cell {
        if let Some(n) = f.field_number {
            o.insert("fieldNumber".into(), json!(n));
        }
        o.insert(
            "fieldName".into(),
            json!(f.field.clone().unwrap_or_default()),
        );
        let key = if is_label { "label" } else { "cell" };
        o.insert(key.into(), json!(f.found.clone().unwrap_or_default()));
    }
    if let Some(h) = &f.hint {
        o.insert("hint".into(), json!(h));
    }
    Value::Object(o)
}

fn task_json(t: &Task) -> Value {
    let mut stats = json!({"errors": t.findings.len() as u64 + t.omitted, "warnings": 0, "sha256": t.digest.sha256, "bytes": t.digest.bytes});
    if let Some(md5) = &t.digest.md5 {
        stats["md5"] = json!(md5);
    }
    if let Some(rows) = t.rows {
        stats["rows"] = json!(rows);
    }
    if let Some(fields) = t.fields {
        stats["fields"] = json!(fields);
    }
    json!({
        "name": t.name,
        "type": t.kind,
        "encoding": t.encoding,
        "dialect": t.delimiter.map(|d| json!({"delimiter": d.to_string()})),
        "valid": t.valid(),
        "place": t.place,
        "labels": t.labels,
        "stats": stats,
        "warnings": [],
        "errors": t.findings.iter().map(error_json).collect::<Vec<_>>(),
    })
}

/// The report as frictionless-shaped JSON (deterministic: no timings).
pub fn to_json(v: &Validation) -> String {
    let report = json!({
        "valid": v.valid(),
        "stats": {"tasks": v.tasks.len(), "errors": v.errors.len() + v.tasks.iter().map(|t| t.findings.len()).sum::<usize>(), "warnings": 0},
        "warnings": [],
        "errors": v.errors.iter().map(error_json).collect::<Vec<_>>(),
        "tasks": v.tasks.iter().map(task_json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn labels(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::Uk => [
            "рядок",
            "поле",
            "стовпець",
            "значення",
            "очікувалося",
            "порада",
            "і ще",
            "Усе гаразд: проблем не знайдено",
        ],
        Lang::En => [
            "row",
            "field",
            "column",
            "value",
            "expected",
            "hint",
            "and",
            "Valid: no problems found",
        ],
    }
}

fn example(f: &Finding, lang: Lang) -> String {
    let l = labels(lang);
    let mut parts = vec![format!("`{}`", f.file.display())];
    if let Some(r) = f.row {
        parts.push(format!("{} {r}", l[0]));
    }
    if let Some(field) = &f.field {
        let col = f
            .field_number
            .map(|n| format!(" ({} {n})", l[2]))
            .unwrap_or_default();
        parts.push(format!("{} `{field}`{col}", l[1]));
    }
    if let Some(found) = &f.found {
        parts.push(format!("{} `{found}`", l[3]));
    }
    let (expected, hint) = match (&f.uk, lang) {
        (Some(uk), Lang::Uk) => (uk.0.as_str(), uk.1.as_deref().or(f.hint.as_deref())),
        _ => (f.expected.as_str(), f.hint.as_deref()),
    };
    let mut s = format!("  - {}\n    {}: {expected}", parts.join(", "), l[4]);
    if let Some(h) = hint {
        s.push_str(&format!("\n    {}: {h}", l[5]));
    }
    s
}

/// The report for people: per task, errors grouped by type with counts and the first examples.
pub fn to_text(v: &Validation, lang: Lang) -> String {
    let l = labels(lang);
    if v.valid() {
        let files = v
            .tasks
            .iter()
            .map(|t| t.place.clone())
            .collect::<Vec<_>>()
            .join(", ");
        return format!(
            "{}{}\n",
            l[7],
            if files.is_empty() {
                String::new()
            } else {
                format!(" ({files})")
            }
        );
    }
    let all: Vec<&Finding> = v
        .errors
        .iter()
        .chain(v.tasks.iter().flat_map(|t| &t.findings))
        .collect();
    let mut groups: BTreeMap<Kind, Vec<&Finding>> = BTreeMap::new();
    for f in &all {
        groups.entry(f.kind).or_default().push(f);
    }
    let total = all.len() as u64 + v.tasks.iter().map(|t| t.omitted).sum::<u64>();
    let mut out = match lang {
        Lang::Uk => format!("Знайдено проблем: {total}\n"),
        Lang::En => format!("{total} problem(s) found\n"),
    };
    for t in v.tasks.iter().filter(|t| t.encoding.is_some()) {
        let (enc, delim) = (
            t.encoding.as_deref().unwrap_or_default(),
            t.delimiter
                .map(|d| {
                    if d == '\t' {
                        "tab".to_owned()
                    } else {
                        d.to_string()
                    }
                })
                .unwrap_or_default(),
        );
        out.push_str(&match lang {
            Lang::Uk => format!(
                "`{}`: кодування {enc}, роздільник «{delim}», рядків даних {}\n",
                t.place,
                t.rows.unwrap_or(0)
            ),
            Lang::En => format!(
                "`{}`: encoding {enc}, delimiter '{delim}', {} data rows\n",
                t.place,
                t.rows.unwrap_or(0)
            ),
        });
    }
    for (kind, items) in &groups {
        let (title, description) = describe(*kind, lang);
        out.push_str(&format!(
            "\n{title} [{}] — {}\n{description}\n",
            kind.name(),
            items.len()
        ));
        for f in items.iter().take(EXAMPLES) {
            out.push_str(&example(f, lang));
            out.push('\n');
        }
        if items.len() > EXAMPLES {
            out.push_str(&format!("  … {} {}\n", l[6], items.len() - EXAMPLES));
        }
    }
    out.push_str(&not_listed(v, lang));
    out
}

/// The line that says how many problems the groups above leave out: a file's findings are
/// listed up to `MAX_FINDINGS` and the rest only counted (empty when none were left out).
fn not_listed(v: &Validation, lang: Lang) -> String {
    let omitted: u64 = v.tasks.iter().map(|t| t.omitted).sum();
    let max = super::table::MAX_FINDINGS;
    match (omitted, lang) {
        (0, _) => String::new(),
        (n, Lang::Uk) => format!(
            "\nЩе {n} не показано: для кожного файлу перелічується не більше {max} проблем \
             (загальна кількість угорі враховує всі).\n"
        ),
        (n, Lang::En) => format!(
            "\n{n} more not listed: at most {max} problems are listed per file (the total at the \
             top counts them all).\n"
        ),
    }
}
