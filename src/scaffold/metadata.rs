//! `new dataset`: the metadata a new dataset needs — which of it is required, its defaults, the
//! values allowed — and its checks, shared by the options and the interactive questions. A value
//! accepted here is one `hromadata check` accepts.

use chrono::NaiveDate;

use crate::catalog::dataset::Frequency;
use crate::catalog::{Catalog, DatasetId, Publisher, Scope};

/// One piece of metadata: its option, how it is asked for, whether it is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// The option, e.g. `--title`.
    pub flag: &'static str,
    /// The question, in Ukrainian.
    pub question: &'static str,
    /// The same in English, shown as help beside it.
    pub help: &'static str,
    pub required: bool,
}

/// Every item, in the order they are asked.
pub const ITEMS: [Item; 10] = [
    item(
        "--title",
        "Назва набору даних українською",
        "title in Ukrainian",
        true,
    ),
    item(
        "--description",
        "Опис: що містять дані, звідки вони, як їх читати",
        "description in Ukrainian",
        true,
    ),
    item(
        "--frequency",
        "Періодичність оновлення",
        "update frequency",
        true,
    ),
    item("--title-en", "Назва англійською", "title in English", false),
    item(
        "--id",
        "Ідентифікатор набору (частина адреси сторінки: a-z, 0-9, -)",
        "identifier, part of the URL",
        false,
    ),
    item(
        "--license",
        "Ліцензія (ідентифікатор SPDX)",
        "licence, an SPDX id",
        false,
    ),
    item(
        "--territory",
        "Код КАТОТТГ території, яку охоплюють дані (UA — уся країна)",
        "KATOTTG code of the territory covered",
        false,
    ),
    item(
        "--keywords",
        "Ключові слова через кому",
        "keywords, comma-separated",
        false,
    ),
    item(
        "--resolution-835",
        "Код обов’язкового набору за постановою № 835, якщо це він",
        "Resolution 835 code, if one applies",
        false,
    ),
    item(
        "--modified",
        "Дата останньої зміни даних (РРРР-ММ-ДД)",
        "date the data last changed, YYYY-MM-DD",
        false,
    ),
];

const fn item(
    flag: &'static str,
    question: &'static str,
    help: &'static str,
    required: bool,
) -> Item {
    Item {
        flag,
        question,
        help,
        required,
    }
}

/// Why an answer was refused: in Ukrainian for the question, in English for the option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub uk: String,
    pub en: String,
}

fn invalid(uk: impl Into<String>, en: impl Into<String>) -> Invalid {
    Invalid {
        uk: uk.into(),
        en: en.into(),
    }
}

/// What answers are checked against.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub publisher: &'a Publisher,
    /// Where the dataset folder would go for an id (to refuse an existing one).
    pub folder_exists: &'a dyn Fn(&str) -> bool,
}

/// The values allowed for an item, when they are a short list (shown with the question).
pub fn allowed(flag: &str) -> Option<String> {
    match flag {
        "--frequency" => Some(
            Frequency::ALL
                .iter()
                .map(|(_, key, uk)| format!("{key} ({uk})"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// The default of an item, if it has one.
pub fn default(flag: &str, cx: &Context, file_stem: &str, today: NaiveDate) -> Option<String> {
    match flag {
        "--id" => crate::catalog::slug::slugify(file_stem).or_else(|| Some("dataset".into())),
        "--license" => Some(cx.catalog.config.license.clone()),
        "--territory" => Some(cx.publisher.territory.to_string()),
        "--modified" => Some(today.format("%Y-%m-%d").to_string()),
        _ => None,
    }
}

/// Checks an answer (already trimmed and not empty).
pub fn check(flag: &str, value: &str, cx: &Context) -> Result<(), Invalid> {
    match flag {
        "--id" => check_id(value, cx),
        "--frequency" => Frequency::parse(value).map(|_| ()).ok_or_else(|| {
            let keys: Vec<&str> = Frequency::ALL.iter().map(|(_, k, _)| *k).collect();
            invalid(
                format!("оберіть одне зі значень: {}", keys.join(", ")),
                format!("one of {}", keys.join(", ")),
            )
        }),
        "--license" if value.contains(char::is_whitespace) => Err(invalid(
            "ідентифікатор ліцензії пишуть без пробілів, наприклад CC-BY-4.0",
            "a licence id without spaces, e.g. CC-BY-4.0",
        )),
        "--territory" => check_territory(value, cx),
        "--resolution-835" => check_resolution_835(value, cx),
        "--modified" => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(|_| ())
            .map_err(|_| {
                invalid(
                    "дата у форматі РРРР-ММ-ДД, наприклад 2026-03-31",
                    "a date written YYYY-MM-DD",
                )
            }),
        _ => Ok(()),
    }
}

fn check_id(value: &str, cx: &Context) -> Result<(), Invalid> {
    let id = DatasetId::parse(value).map_err(|e| {
        invalid(
            "лише малі латинські літери, цифри, крапка, дефіс і підкреслення",
            e.0,
        )
    })?;
    if cx.catalog.datasets.contains_key(&id) || (cx.folder_exists)(value) {
        return Err(invalid(
            format!("набір «{value}» уже є в каталозі: оберіть інший ідентифікатор"),
            format!("an identifier not used yet (`{value}` is taken)"),
        ));
    }
    Ok(())
}

fn check_territory(value: &str, cx: &Context) -> Result<(), Invalid> {
    match Scope::parse(value) {
        Ok(Scope::Country) => Ok(()),
        Ok(Scope::Territory(code)) if cx.catalog.registry.get(&code).is_some() => Ok(()),
        Ok(Scope::Territory(_)) => Err(invalid(
            "такого коду немає в кодифікаторі каталогу",
            format!(
                "a code present in the KATOTTG registry (edition {})",
                cx.catalog.config.edition
            ),
        )),
        Err(e) => Err(invalid(
            "код КАТОТТГ: UA і 17 цифр, або UA для всієї країни",
            e.0,
        )),
    }
}

fn check_resolution_835(value: &str, cx: &Context) -> Result<(), Invalid> {
    let listed = &cx.catalog.mandatory;
    let known = listed.is_empty() || listed.iter().any(|m| m.code == value);
    let shaped = value.len() == 7
        && (value.starts_with("all-") || value.starts_with("mun-"))
        && value[4..].bytes().all(|b| b.is_ascii_digit());
    if shaped && known {
        return Ok(());
    }
    Err(invalid(
        "код на зразок mun-049 з переліку обов’язкових наборів каталогу",
        "a code like `mun-049` from the catalogue's list of mandatory datasets",
    ))
}

/// Keywords from a comma-separated answer.
pub fn keywords(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_split_on_commas() {
        let cases: &[(&str, &[&str])] = &[
            ("бюджет, доходи", &["бюджет", "доходи"]),
            (" a ,, b ,", &["a", "b"]),
            ("", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(keywords(text), *want, "{text}");
        }
    }

    #[test]
    fn frequency_values_are_listed() {
        let listed = allowed("--frequency").unwrap();
        for (_, key, _) in Frequency::ALL {
            assert!(listed.contains(key), "{key}");
        }
        assert_eq!(allowed("--title"), None);
    }
}
