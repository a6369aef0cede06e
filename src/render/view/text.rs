//! Stage 4, render: the language of a view — one language's messages (`Lang`), text that knows
//! which language it is in (`Text`, for `lang` attributes where a value falls back to another
//! language) and dates shown in the page's conventions.

use std::collections::BTreeMap;

use serde::Serialize;

use super::format;
use crate::catalog::config::LocalText;

/// One language's messages, for labels that views carry.
pub struct Lang<'a> {
    pub code: &'static str,
    pub messages: &'a BTreeMap<String, String>,
    /// "Today" for freshness (`--today` or `SOURCE_DATE_EPOCH`; never the clock): `None` shows
    /// due dates without judging them.
    pub today: Option<chrono::NaiveDate>,
}

impl<'a> Lang<'a> {
    /// The language `code` of `theme`, "today" being `today`.
    pub fn of(
        theme: &'a super::super::Theme,
        code: &'static str,
        today: Option<chrono::NaiveDate>,
    ) -> Lang<'a> {
        Lang {
            code,
            messages: &theme.messages[code],
            today,
        }
    }

    /// The message `key`, or the key itself when missing (templates' `t()` is strict instead).
    pub fn msg(&self, key: &str) -> String {
        self.messages
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    /// Resolves bilingual text: English where given, else the Ukrainian marked as such.
    pub fn text(&self, t: &LocalText) -> Text {
        match (&t.en, self.code) {
            (Some(en), "en") if !en.trim().is_empty() => Text {
                text: en.clone(),
                lang: "en",
            },
            _ => Text {
                text: t.uk.clone(),
                lang: "uk",
            },
        }
    }

    /// A place name from the codifier (Ukrainian only): as it is on Ukrainian pages, and in the
    /// official Latin transliteration (Resolution No. 55) on English ones — the form English
    /// texts and maps use — rather than Ukrainian marked as untranslated.
    pub fn place(&self, name: &str) -> Text {
        if self.code == "uk" {
            Text {
                text: name.to_owned(),
                lang: "uk",
            }
        } else {
            Text {
                text: crate::catalog::slug::transliterate(name),
                lang: self.code,
            }
        }
    }

    pub(super) fn size(&self, bytes: u64) -> String {
        format::size(
            bytes,
            self.code,
            ["B", "KB", "MB", "GB"].map(|u| {
                self.messages
                    .get(&format!("units.{u}"))
                    .map_or(u, String::as_str)
            }),
        )
    }
}

/// Text with the language it is actually in (for `lang` attributes on fallbacks).
#[derive(Debug, Clone, Serialize)]
pub struct Text {
    pub text: String,
    pub lang: &'static str,
}

impl Text {
    /// A plain string of the descriptor (a source's title, say), whose language the standard
    /// does not record: Ukrainian when it is written in Cyrillic, else English.
    pub fn plain(text: &str) -> Text {
        let cyrillic = text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
        Text {
            text: text.to_owned(),
            lang: if cyrillic { "uk" } else { "en" },
        }
    }
}

/// A date for `<time datetime=…>`.
#[derive(Debug, Clone, Serialize)]
pub struct Date {
    pub iso: String,
    pub shown: String,
}

impl Date {
    pub(super) fn new(d: chrono::NaiveDate, lang: &Lang) -> Date {
        Date {
            iso: format::iso_date(d),
            shown: format::date(d, lang.code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_language_by_script() {
        for (text, lang) in [
            ("KSE Decentralisation data hub", "en"),
            ("Кодифікатор КАТОТТГ", "uk"),
            ("Zenodo: Хаб даних", "uk"),
            ("", "en"),
        ] {
            assert_eq!(Text::plain(text).lang, lang, "{text}");
        }
    }

    #[test]
    fn places_are_transliterated_on_english_pages() {
        let messages = BTreeMap::new();
        let at = |code| Lang {
            code,
            messages: &messages,
            today: None,
        };
        let uk = at("uk").place("Кам’янець-Подільська");
        assert_eq!((uk.text.as_str(), uk.lang), ("Кам’янець-Подільська", "uk"));
        let en = at("en").place("Кам’янець-Подільська");
        assert_eq!((en.text.as_str(), en.lang), ("Kamianets-Podilska", "en"));
    }
}
