//! Identifiers and codes of the load stage. Each is a newtype that validates on parse, so that a
//! value of the type is always well-formed: a `KatottgCode` is always `UA` + 17 digits with a
//! consistent level structure, an `Edrpou` always has a correct check digit, a `DatasetId` is always
//! safe to use as one URL path segment.

use std::fmt;

use serde::Serialize;

/// Why an identifier did not parse, in plain words (used as a finding's "expected").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIdError(pub String);

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The level of a KATOTTG code, read from which of its digit groups are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Oblast, the Autonomous Republic of Crimea, or a city with special status.
    Oblast,
    Raion,
    Hromada,
    Settlement,
    /// City district (the extra level).
    District,
}

/// A KATOTTG code: `UA`, then oblast (2), raion (2), hromada (3), settlement (3), district (2)
/// digits and a 5-digit unique number. Lower groups are usually zero when a higher one is (not
/// always: see `parse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KatottgCode([u8; 17]);

/// The order of the digits (code order), compared as two numbers: the same order as the bytes',
/// without calling `memcmp` for seventeen bytes. The registry and every page look codes up in
/// maps of 30,000, a dozen comparisons each; through `memcmp` that was most of loading it.
impl Ord for KatottgCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let key = |c: &KatottgCode| {
            let [head @ .., last] = c.0;
            (u128::from_be_bytes(head), last)
        };
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for KatottgCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Digit groups of a KATOTTG code as (start, end) within the 17 digits.
const GROUPS: [(usize, usize); 5] = [(0, 2), (2, 4), (4, 7), (7, 10), (10, 12)];

impl KatottgCode {
    /// Parses `UA` + 17 digits with a non-zero oblast group. The other groups are not checked for
    /// order: cities with special status skip straight to districts, and the codifier of
    /// 2025-05-16 has settlements of Kyiv oblast (`UA32…`) with zero raion and hromada groups.
    pub fn parse(text: &str) -> Result<Self, ParseIdError> {
        let t = text.trim();
        let digits = t
            .strip_prefix("UA")
            .filter(|d| d.len() == 17 && d.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                ParseIdError(
                    "a KATOTTG code: `UA` followed by 17 digits, e.g. `UA05020030000031457`".into(),
                )
            })?;
        let mut code = [0u8; 17];
        code.copy_from_slice(digits.as_bytes());
        let code = KatottgCode(code);
        if code.group_is_zero(0) {
            return Err(ParseIdError(
                "a KATOTTG code whose first two digits (the oblast) are not `00`".into(),
            ));
        }
        Ok(code)
    }

    fn group_is_zero(&self, group: usize) -> bool {
        let (a, b) = GROUPS[group];
        self.0[a..b].iter().all(|&d| d == b'0')
    }

    /// The lowest level whose digit group is set.
    pub fn level(&self) -> Level {
        let levels = [
            Level::Oblast,
            Level::Raion,
            Level::Hromada,
            Level::Settlement,
            Level::District,
        ];
        (0..5)
            .rev()
            .find(|&g| !self.group_is_zero(g))
            .map_or(Level::Oblast, |g| levels[g])
    }

    /// True when `self`'s set digit groups are a prefix of `other`'s (same oblast, raion… down to
    /// `self`'s level): `self` is `other` or one of its ancestors by code structure.
    pub fn contains(&self, other: &KatottgCode) -> bool {
        let end = GROUPS[self.level() as usize].1;
        self.0[..end] == other.0[..end]
    }

    /// The code as text.
    pub fn as_string(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for KatottgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UA")?;
        // The digits are ASCII by construction.
        f.write_str(std::str::from_utf8(&self.0).unwrap_or("?"))
    }
}

impl Serialize for KatottgCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Where something applies: the whole country, or one KATOTTG territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum Scope {
    Country,
    Territory(KatottgCode),
}

impl Scope {
    /// Parses `UA` (the whole country) or a KATOTTG code.
    pub fn parse(text: &str) -> Result<Self, ParseIdError> {
        if text.trim() == "UA" {
            Ok(Scope::Country)
        } else {
            KatottgCode::parse(text)
                .map(Scope::Territory)
                .map_err(|e| ParseIdError(format!("{e}, or `UA` for the whole country")))
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Country => f.write_str("UA"),
            Scope::Territory(code) => code.fmt(f),
        }
    }
}

/// A ЄДРПОУ (EDRPOU) code: 8 digits whose last is the check digit of the State Statistics
/// Service's algorithm (weights 1–7, or 7,1–6 for codes between 30 and 60 million; on remainder 10
/// the weights are raised by 2).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Edrpou(String);

impl Edrpou {
    /// Parses and verifies the check digit.
    pub fn parse(text: &str) -> Result<Self, ParseIdError> {
        let t = text.trim();
        if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseIdError("an ЄДРПОУ code of exactly 8 digits".into()));
        }
        let d: Vec<u32> = t.bytes().map(|b| u32::from(b - b'0')).collect();
        let n: u32 = t.parse().unwrap_or(0);
        let base: [u32; 7] = if (30_000_000..=60_000_000).contains(&n) {
            [7, 1, 2, 3, 4, 5, 6]
        } else {
            [1, 2, 3, 4, 5, 6, 7]
        };
        let rem = |extra: u32| {
            d.iter()
                .zip(base)
                .map(|(d, w)| d * (w + extra))
                .sum::<u32>()
                % 11
        };
        let mut check = rem(0);
        if check == 10 {
            check = rem(2) % 10;
        }
        if check != d[7] {
            return Err(ParseIdError(format!(
                "an ЄДРПОУ code with a valid check digit (for `{}…` the last digit would be {check})",
                &t[..7]
            )));
        }
        Ok(Edrpou(t.to_owned()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a slug-like identifier: lowercase ASCII letters, digits, `-`, `_`, `.`, starting with a
/// letter or digit; at most 100 characters. Safe as a single URL path segment.
fn check_slug(text: &str, what: &str) -> Result<(), ParseIdError> {
    let ok = !text.is_empty()
        && text.len() <= 100
        && text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && text.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        });
    if ok {
        Ok(())
    } else {
        Err(ParseIdError(format!(
            "{what}: 1–100 characters of lowercase latin letters, digits, `-`, `_` or `.`, starting with a letter or digit"
        )))
    }
}

/// A dataset's stable identifier: its URL segment under `datasets/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DatasetId(String);

impl DatasetId {
    /// Parses a dataset `name`.
    pub fn parse(text: &str) -> Result<Self, ParseIdError> {
        check_slug(text, "a dataset name")?;
        Ok(DatasetId(text.to_owned()))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DatasetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A publisher's URL segment under `publishers/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PublisherSlug(String);

impl PublisherSlug {
    /// Makes the slug from a publisher folder name (transliterated when Cyrillic).
    pub fn from_folder(name: &str) -> Result<Self, ParseIdError> {
        let slug = super::slug::slugify(name).ok_or_else(|| {
            ParseIdError("a publisher folder name with at least one letter or digit".into())
        })?;
        check_slug(&slug, "a publisher slug")?;
        Ok(PublisherSlug(slug))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PublisherSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ordered_as_their_text() {
        // Codes that differ in each place, the last digit included, in every pair.
        let mut texts: Vec<String> = (0..17)
            .flat_map(|at| {
                ["1", "9"].map(|d| {
                    let mut digits = *b"05020030010063857";
                    digits[at] = d.as_bytes()[0];
                    format!("UA{}", std::str::from_utf8(&digits).unwrap())
                })
            })
            .collect();
        texts.push("UA80000000000093317".into());
        for a in &texts {
            for b in &texts {
                let (ca, cb) = (
                    KatottgCode::parse(a).unwrap(),
                    KatottgCode::parse(b).unwrap(),
                );
                assert_eq!(ca.cmp(&cb), a.cmp(b), "{a} {b}");
                assert_eq!(ca.partial_cmp(&cb), Some(a.cmp(b)));
            }
        }
    }

    #[test]
    fn katottg_codes() {
        let cases: &[(&str, Option<Level>)] = &[
            ("UA05000000000010236", Some(Level::Oblast)),
            ("UA05020000000026686", Some(Level::Raion)),
            ("UA05020030000031457", Some(Level::Hromada)),
            ("UA05020030010063857", Some(Level::Settlement)),
            ("UA80000000000093317", Some(Level::Oblast)),
            ("UA80000000000126643", Some(Level::District)),
            ("UA01160330010143565", Some(Level::District)),
            (" UA05020030000031457 ", Some(Level::Hromada)),
            ("UA0502003000003145", None),
            ("UA050200300000314570", None),
            ("ua05020030000031457", None),
            ("UA0502003000003145X", None),
            ("UA00000000000012345", None),
            ("", None),
        ];
        for (text, level) in cases {
            assert_eq!(
                KatottgCode::parse(text).ok().map(|c| c.level()),
                *level,
                "{text}"
            );
        }
    }

    #[test]
    fn katottg_contains() {
        let oblast = KatottgCode::parse("UA05000000000010236").unwrap();
        let raion = KatottgCode::parse("UA05020000000026686").unwrap();
        let hromada = KatottgCode::parse("UA05020030000031457").unwrap();
        let other = KatottgCode::parse("UA07020030000031457").unwrap();
        assert!(oblast.contains(&raion) && oblast.contains(&hromada) && raion.contains(&hromada));
        assert!(!hromada.contains(&raion) && !oblast.contains(&other));
        assert!(hromada.contains(&hromada));
    }

    #[test]
    fn edrpou_check_digit() {
        let cases: &[(&str, bool)] = &[
            ("37472062", true),
            ("37472063", false),
            ("00032945", true),
            ("00032946", false),
            // remainder 10 with the first weights, so the raised weights decide
            ("10000062", true),
            ("10000063", false),
            ("1234567", false),
            ("1234567a", false),
            ("", false),
        ];
        for (text, ok) in cases {
            assert_eq!(Edrpou::parse(text).is_ok(), *ok, "{text}");
        }
    }

    #[test]
    fn dataset_ids() {
        let cases: &[(&str, bool)] = &[
            ("vinnytsia-budget", true),
            ("a.b_c-1", true),
            ("2026", true),
            ("-lead", false),
            ("Upper", false),
            ("with space", false),
            ("../up", false),
            ("слово", false),
            ("", false),
        ];
        for (text, ok) in cases {
            assert_eq!(DatasetId::parse(text).is_ok(), *ok, "{text}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// The 17 digits of a well-formed code: any digits with a non-zero oblast.
        fn digits() -> impl Strategy<Value = String> {
            "[0-9]{17}".prop_filter("a non-zero oblast", |d| !d.starts_with("00"))
        }

        proptest! {
            /// Valid codes parse, print back to themselves, contain themselves, and are scopes.
            #[test]
            fn valid_codes_parse(d in digits()) {
                let text = format!("UA{d}");
                let code = KatottgCode::parse(&text).expect("a valid code");
                prop_assert_eq!(code.to_string(), text.clone());
                prop_assert_eq!(KatottgCode::parse(&format!(" {text}\t")), Ok(code));
                prop_assert!(code.contains(&code));
                // A scope is the code itself, or `UA` alone for the whole country.
                prop_assert_eq!(Scope::parse(&text), Ok(Scope::Territory(code)));
                prop_assert_eq!(Scope::Territory(code).to_string(), text);
                prop_assert_eq!(Scope::parse(" UA "), Ok(Scope::Country));
            }

            /// Any break of the code's structure is refused: a digit dropped or added, a
            /// character that is not a digit, a prefix other than `UA`, a zero oblast.
            #[test]
            fn broken_codes_are_refused(
                d in digits(),
                at in 0usize..17,
                other in proptest::char::any().prop_filter("not a digit", |c| !c.is_ascii_digit()),
                prefix in "[A-Za-z]{2}".prop_filter("not UA", |p| p != "UA"),
            ) {
                let (head, tail) = d.split_at(at);
                let refused = [
                    format!("UA{head}{}", &tail[1..]),
                    format!("UA{head}0{tail}"),
                    format!("UA{head}{other}{}", &tail[1..]),
                    format!("{prefix}{d}"),
                    format!("UA00{}", &d[2..]),
                    d.clone(),
                ];
                for text in refused {
                    prop_assert!(KatottgCode::parse(&text).is_err(), "{text:?} accepted");
                }
            }

            /// A code contains exactly the codes that share its digit groups down to its level.
            #[test]
            fn containment_follows_the_groups(a in digits(), b in digits()) {
                let (a, b) = (KatottgCode::parse(&format!("UA{a}")).unwrap(), KatottgCode::parse(&format!("UA{b}")).unwrap());
                let end = GROUPS[a.level() as usize].1;
                prop_assert_eq!(a.contains(&b), a.0[..end] == b.0[..end]);
                prop_assert!(!a.contains(&b) || !b.contains(&a) || a.level() == b.level());
            }

            /// For any first seven digits exactly one check digit makes a valid ЄДРПОУ code.
            #[test]
            fn one_check_digit_per_edrpou(first in "[0-9]{7}") {
                let valid: Vec<u32> = (0..10).filter(|d| Edrpou::parse(&format!("{first}{d}")).is_ok()).collect();
                prop_assert_eq!(valid.len(), 1, "{}: {:?}", first, valid);
            }

            /// Dataset ids: what parses is a single safe URL segment and prints back the same.
            #[test]
            fn dataset_ids_are_url_segments(text in "\\PC{0,12}|[a-z0-9][a-z0-9._-]{0,20}") {
                if let Ok(id) = DatasetId::parse(&text) {
                    prop_assert_eq!(id.as_str(), text.as_str());
                    prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)));
                    prop_assert!(!id.as_str().starts_with('.') && !id.as_str().contains('/'));
                } else {
                    prop_assert!(!text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
                        || text.is_empty() || text.starts_with(['.', '-', '_']) || text.len() > 100);
                }
            }

            /// A publisher folder's slug is its `slugify`, and always a valid URL segment.
            #[test]
            fn publisher_slugs(name in any::<String>()) {
                match PublisherSlug::from_folder(&name) {
                    Ok(slug) => {
                        prop_assert_eq!(Some(slug.as_str().to_owned()), crate::catalog::slug::slugify(&name));
                        prop_assert!(DatasetId::parse(slug.as_str()).is_ok());
                    }
                    Err(_) => prop_assert!(crate::catalog::slug::slugify(&name).is_none_or(|s| s.len() > 100)),
                }
            }
        }
    }
}
