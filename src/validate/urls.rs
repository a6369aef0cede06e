//! URL-valued metadata: every link a dataset's descriptor declares (`homepage`, `licenses[].path`,
//! `sources[].path`, `contributors[].path`, on the package and on each resource) becomes a link on
//! the site, so only `http://`, `https://` and `mailto:` are accepted — a `javascript:`, `data:`
//! or `vbscript:` address, however spelt, would run in a reader's browser. E-mail fields are plain
//! addresses. The same rule decides which links render draws (`render::view::safe_href`).

use std::path::Path;

use serde_json::{Map, Value};

use super::report::{Finding, Kind};
use crate::catalog::config::{is_email, url_chars_ok};

/// Whether `url` is an absolute `http(s)://host…` or `mailto:address` URL, as written: no leading
/// space or control character (browsers skip those, so `\u{1}javascript:` would still run).
pub fn is_link(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else if lower.starts_with("mailto:") {
        return is_email(url[7..].split('?').next().unwrap_or_default());
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty() && url_chars_ok(url)
}

/// The keys of a descriptor object whose values are URLs or e-mail addresses.
const LISTS: [(&str, &[&str], &[&str]); 3] = [
    ("licenses", &["path"], &[]),
    ("sources", &["path"], &["email"]),
    ("contributors", &["path"], &["email"]),
];

/// Findings for every URL-valued property of a `datapackage.json` (`file`) and its resources.
pub fn findings(descriptor: &Map<String, Value>, file: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    object(descriptor, "", file, &mut out);
    if let Some(Value::Array(resources)) = descriptor.get("resources") {
        for (i, r) in resources.iter().enumerate() {
            if let Some(r) = r.as_object() {
                object(r, &format!("resources[{i}]."), file, &mut out);
            }
        }
    }
    out
}

fn object(obj: &Map<String, Value>, prefix: &str, file: &Path, out: &mut Vec<Finding>) {
    if let Some(v) = obj.get("homepage") {
        url(v, &format!("{prefix}homepage"), file, out);
    }
    for (list, links, emails) in LISTS {
        let Some(Value::Array(items)) = obj.get(list) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let Some(item) = item.as_object() else {
                continue;
            };
            for key in links {
                if let Some(v) = item.get(*key) {
                    url(v, &format!("{prefix}{list}[{i}].{key}"), file, out);
                }
            }
            for key in emails {
                if let Some(v) = item.get(*key) {
                    email(v, &format!("{prefix}{list}[{i}].{key}"), file, out);
                }
            }
        }
    }
}

fn url(value: &Value, key: &str, file: &Path, out: &mut Vec<Finding>) {
    let text = value.as_str().unwrap_or_default();
    if value.is_string() && is_link(text) {
        return;
    }
    let (hint, hint_uk) = if text.trim() != text && is_link(text.trim()) {
        (
            "remove the spaces or invisible characters around the address",
            "приберіть пробіли або невидимі символи навколо адреси",
        )
    } else {
        (
            "links on the site may only go to web pages or e-mail: write the full address, e.g. \
             https://example.gov.ua/…, or mailto:name@example.gov.ua (other schemes such as \
             `javascript:` or `data:` are refused)",
            "посилання на сайті можуть вести лише на вебсторінки або на електронну пошту: \
             напишіть повну адресу, наприклад https://example.gov.ua/…, або \
             mailto:name@example.gov.ua (інші схеми, як-от `javascript:` чи `data:`, не приймаються)",
        )
    };
    out.push(
        Finding::new(
            Kind::PackageError,
            file,
            "an absolute URL starting with `https://`, `http://` or `mailto:`",
        )
        .field(key, None)
        .found(
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned),
        )
        .hint(hint)
        .uk(
            "абсолютна адреса, що починається з `https://`, `http://` або `mailto:`",
            Some(hint_uk.to_owned()),
        ),
    );
}

fn email(value: &Value, key: &str, file: &Path, out: &mut Vec<Finding>) {
    // A `:` would make the address a URL of its own (`mailto:…`, `javascript:…@x.ua`).
    if value
        .as_str()
        .is_some_and(|e| is_email(e) && !e.contains(':'))
    {
        return;
    }
    out.push(
        Finding::new(
            Kind::PackageError,
            file,
            "an e-mail address like name@example.gov.ua",
        )
        .field(key, None)
        .found(
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned),
        )
        .hint("write the address alone, without `mailto:`, spaces or angle brackets")
        .uk(
            "адреса електронної пошти на зразок name@example.gov.ua",
            Some("напишіть лише адресу, без `mailto:`, пробілів і кутових дужок".to_owned()),
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_http_https_and_mailto_are_links() {
        let cases = [
            ("https://example.gov.ua/", true),
            ("http://example.gov.ua", true),
            ("HTTPS://EXAMPLE.GOV.UA/a?b#c", true),
            ("https://doi.org/10.5281/zenodo.15267573", true),
            ("mailto:data@example.gov.ua", true),
            ("MailTo:data@example.gov.ua?subject=x", true),
            ("javascript:alert(1)", false),
            ("JaVaScRiPt:alert(1)", false),
            (" javascript:alert(1)", false),
            ("\u{1}javascript:alert(1)", false),
            ("java\tscript:alert(1)", false),
            ("&#106;avascript:alert(1)", false),
            ("data:text/html,<script>alert(1)</script>", false),
            ("vbscript:msgbox(1)", false),
            ("//evil.example/", false),
            ("https:evil.example", false),
            ("https:///path", false),
            ("https://", false),
            (" https://example.gov.ua/", false),
            ("https://example.gov.ua/\n", false),
            ("https://exa mple.gov.ua/", false),
            ("https://example.gov.ua/?q=\"><img src=x>", false),
            ("https://example.gov.ua/?q='-x-'", true),
            ("file:///etc/passwd", false),
            ("ftp://example.gov.ua/", false),
            ("mailto:javascript:alert(1)", false),
            ("mailto:", false),
            ("licence.txt", false),
            ("", false),
            ("https\u{fffd}", false),
            ("мailto:a@b.ua", false),
        ];
        for (url, ok) in cases {
            assert_eq!(is_link(url), ok, "{url:?}");
        }
    }

    #[test]
    fn every_url_field_is_located() {
        let d = json!({
            "homepage": "javascript:alert(1)",
            "licenses": [{"name": "x", "path": "https://ok.example/"}, {"path": " https://ok.example/"}],
            "sources": [{"title": "s", "path": "data:text/html,x", "email": "mailto:a@b.ua"}],
            "contributors": [{"title": "c", "path": "mailto:a@b.ua", "email": "a@b.ua"}, {"path": 7}],
            "resources": [{"name": "r", "homepage": "https://ok.example/",
                           "sources": [{"path": "vbscript:x"}]}]
        });
        let found = findings(d.as_object().unwrap(), Path::new("p/d/datapackage.json"));
        let keys: Vec<_> = found.iter().map(|f| f.field.clone().unwrap()).collect();
        assert_eq!(
            keys,
            [
                "homepage",
                "licenses[1].path",
                "sources[0].path",
                "sources[0].email",
                "contributors[1].path",
                "resources[0].sources[0].path",
            ]
        );
        assert!(found[1]
            .hint
            .as_deref()
            .unwrap()
            .starts_with("remove the spaces"));
        assert_eq!(found[4].found.as_deref(), Some("7"));
        // Every finding speaks Ukrainian too (`validate --lang uk`, the default).
        for f in &found {
            let (expected, hint) = &**f.uk.as_ref().expect("Ukrainian text");
            assert!(!expected.is_empty() && hint.as_ref().is_some_and(|h| !h.is_empty()));
        }
        assert!(found[1]
            .uk
            .as_ref()
            .unwrap()
            .1
            .as_deref()
            .unwrap()
            .starts_with("приберіть пробіли"));
        assert!(found[3]
            .uk
            .as_ref()
            .unwrap()
            .0
            .starts_with("адреса електронної пошти"));
    }
}
