//! Injection (issue 8): the hostile catalogue of `hostile.rs`, built with `--keep-going`. Every
//! HTML page parses with no element or attribute a payload could have added (no `on*` attribute
//! anywhere, no script but the theme's files and JSON-LD, links only http(s), mailto or
//! relative), shows each payload as the very text it was; JSON-LD blocks parse and carry the
//! intended values; Atom and site-map XML, JSON and CSV files parse back to the same data.

use std::collections::BTreeMap;
use std::path::Path;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::hostile::{self, payload};
use crate::support::{select, tree, Project};

/// Elements only a payload would bring: the theme draws none of them.
const FOREIGN: &[&str] = &[
    "img", "iframe", "object", "embed", "base", "details", "video", "audio", "source", "marquee",
    "x", "template", "math", "mtext", "mglyph", "style", "textarea", "frame", "frameset", "applet",
    "scr", "isindex",
];
/// Attributes whose value the browser follows or runs as a URL.
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
];

/// The text a payload leaves in XML: C0 controls cannot stand in it (the writers drop them).
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The text a payload leaves in an HTML page: the same as in XML (render drops what HTML text
/// cannot carry either).
fn html_text(text: &str) -> String {
    clean(text)
}

/// A URL attribute's value is harmless: relative, or http(s)/mailto.
fn safe_url(value: &str) -> bool {
    let v = value.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
    let scheme_end = v.find(':');
    let path_start = v.find(['/', '?', '#']);
    match scheme_end {
        None => true,
        Some(colon) if path_start.is_some_and(|p| p < colon) => true,
        Some(colon) => {
            let scheme = v[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
    }
}

/// Where `<title>`, `<meta>` and `<link>` belong: in `<head>` (SVG has `<title>`s of its own).
fn in_head_or_svg(el: ElementRef) -> bool {
    el.ancestors().filter_map(ElementRef::wrap).any(|a| {
        a.value().name() == "head" || (a.value().name() == "svg" && el.value().name() == "title")
    })
}

fn problems_in(el: ElementRef, problems: &mut Vec<String>) {
    let name = el.value().name();
    if FOREIGN.contains(&name) {
        problems.push(format!("a <{name}> element"));
    }
    for (attr, value) in el.value().attrs() {
        if attr.to_ascii_lowercase().starts_with("on") {
            problems.push(format!("<{name} {attr}={value:?}>"));
        }
        if URL_ATTRS.contains(&attr) && !safe_url(value) {
            problems.push(format!("<{name} {attr}={value:?}>"));
        }
    }
    match name {
        "script" => {
            let text: String = el.text().collect();
            match (el.value().attr("type"), el.value().attr("src")) {
                (Some("application/ld+json"), None) => {
                    if let Err(e) = serde_json::from_str::<Value>(&text) {
                        problems.push(format!("JSON-LD that does not parse: {e}"));
                    }
                }
                (None, Some(src)) if src.contains("static/") && text.is_empty() => {}
                _ => problems.push(format!("a script: {}", el.html())),
            }
        }
        "meta" if el.value().attr("http-equiv").is_some() => problems.push(el.html()),
        "title" | "meta" | "link" if !in_head_or_svg(el) => {
            problems.push(format!("a <{name}> outside <head>"));
        }
        _ => {}
    }
}

/// What in a page a payload has added.
fn problems(page: &Html) -> Vec<String> {
    let mut problems = Vec::new();
    for el in page
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        problems_in(el, &mut problems);
    }
    let titles = Selector::parse("head > title").unwrap();
    if page.select(&titles).count() != 1 {
        problems.push("not exactly one <title>".into());
    }
    problems
}

fn built() -> (Project, BTreeMap<String, Vec<u8>>) {
    let p = hostile::project();
    hostile::build(&p);
    let site = tree(&p.out());
    (p, site)
}

#[test]
fn no_page_carries_an_injected_element_or_attribute() {
    let (_p, site) = built();
    let mut pages = 0;
    for (file, bytes) in site.iter().filter(|(f, _)| f.ends_with(".html")) {
        let text = std::str::from_utf8(bytes).unwrap();
        let control = text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
        assert_eq!(control, None, "`{file}` has a control character");
        let page = Html::parse_document(text);
        let found = problems(&page);
        assert!(found.is_empty(), "`{file}`: {found:#?}");
        pages += 1;
    }
    // Both languages of the front pages and of a dataset, publisher and territory page per payload.
    assert!(pages > 4 * hostile::count(), "{pages} pages");
}

/// The checks themselves catch what they are for.
#[test]
fn the_page_checks_catch_injections() {
    let head = "<html><head><title>t</title></head><body>";
    for (body, caught) in [
        ("<p>&lt;script&gt;__xss(1)&lt;/script&gt;</p>", false),
        ("<a href=\"https://x.ua/?q=&quot;&gt;\">x</a><a href=\"../a/\">a</a>", false),
        ("<script type=\"application/ld+json\">{\"a\": \"\\u003c/script>\"}</script>", false),
        ("<script src=\"../static/sort.js\" defer></script>", false),
        ("<img src=x onerror=__xss(1)>", true),
        ("<p title=\"\" onmouseover=\"__xss(1)\">x</p>", true),
        ("<a href=\"JaVaScRiPt:__xss(1)\">x</a>", true),
        ("<a href=\" &#1;javascript:__xss(1)\">x</a>", true),
        ("<script>__xss(1)</script>", true),
        ("<script type=\"application/ld+json\">{\"a\": \"</script><script>__xss(1)</script>\"}</script>", true),
        ("<title>x</title>", true),
        ("<svg><a xlink:href=\"javascript:__xss(1)\">x</a></svg>", true),
        ("<form><button formaction=\"data:text/html,x\">x</button></form>", true),
    ] {
        let page = Html::parse_document(&format!("{head}{body}</body></html>"));
        assert_eq!(!problems(&page).is_empty(), caught, "{body}");
    }
}

fn json_ld(page: &Html) -> Value {
    let sel = Selector::parse("script[type=\"application/ld+json\"]").unwrap();
    let text: String = page.select(&sel).next().unwrap().text().collect();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn pages_and_json_ld_show_each_payload_as_its_own_text() {
    let (p, _) = built();
    for n in 0..hostile::count() {
        let uk = p.page(&format!("datasets/hostile-{n:02}/index.html"));
        let en = p.page(&format!("en/datasets/hostile-{n:02}/index.html"));
        assert_eq!(select(&uk, "h1"), [html_text(&payload(n))], "dataset {n}");
        assert_eq!(
            select(&en, "h1"),
            [html_text(&payload(n + 21))],
            "dataset {n}, en"
        );
        let ld = json_ld(&uk);
        assert_eq!(ld["name"], payload(n), "dataset {n}");
        assert_eq!(ld["description"], payload(n + 1), "dataset {n}");
        assert_eq!(ld["version"], payload(n + 2), "dataset {n}");
        assert_eq!(
            ld["keywords"],
            serde_json::json!([payload(n + 3), payload(n + 4)])
        );
        assert_eq!(ld["distribution"][0]["name"], payload(n + 9));
        assert_eq!(ld["creator"]["name"], payload(n), "publisher {n}");
        assert_eq!(json_ld(&en)["name"], payload(n + 21), "dataset {n}, en");
        // A licence and a source are shown by their titles, linked or not (a `javascript:`
        // path loses its link, which the page checks above see).
        // CSV cells and the column named by a payload, in the preview and the full table.
        let table = p.page(&format!("datasets/hostile-{n:02}/table/table/index.html"));
        for page in [&uk, &table] {
            let cells = select(page, "main td, main th");
            for k in 0..3 {
                assert!(
                    cells.contains(&html_text(&payload(n + k))),
                    "dataset {n}, cell {k}"
                );
            }
            let header = html_text(&payload(n + 7));
            assert!(
                cells.iter().any(|c| c.contains(&header)),
                "dataset {n}, header"
            );
        }
        let main = select(&uk, "main").concat();
        for k in [5, 6] {
            assert!(
                main.contains(&html_text(&payload(n + k))),
                "dataset {n}, field {k}"
            );
        }
    }
}

/// Every Atom feed and site map parses; the catalogue's feed names every dataset by its title.
#[test]
fn xml_json_and_csv_files_parse_back_to_the_same_text() {
    let (p, site) = built();
    for (file, bytes) in &site {
        let text = || std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let ext = Path::new(file).extension().and_then(|e| e.to_str());
        match ext {
            Some("atom" | "xml") => drop(crate::xml::parse(text())),
            Some("json" | "jsonld") => drop(serde_json::from_str::<Value>(text()).unwrap()),
            Some("csv") => {
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(text().as_bytes());
                for record in r.records() {
                    record.unwrap_or_else(|e| panic!("{file}: {e}"));
                }
            }
            _ => {}
        }
    }
    let feed = crate::xml::parse(&std::fs::read_to_string(p.out().join("feed.atom")).unwrap());
    let titles: Vec<String> = feed
        .all("entry")
        .iter()
        .map(|e| clean(&e.text_of("title")))
        .collect();
    let datasets = std::fs::read_to_string(p.out().join("datasets.csv")).unwrap();
    let mut r = csv::Reader::from_reader(datasets.as_bytes());
    let column = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "title_uk")
        .unwrap();
    let csv_titles: Vec<String> = r.records().map(|r| r.unwrap()[column].to_owned()).collect();
    for n in 0..hostile::count() {
        assert!(titles.contains(&clean(&payload(n))), "feed: dataset {n}");
        assert!(
            csv_titles.contains(&payload(n)),
            "datasets.csv: dataset {n}"
        );
    }
}

/// Links in metadata with another scheme than http(s) or mailto are findings naming the file,
/// the field and the fix; `--keep-going` publishes their text without a link.
#[test]
fn links_with_other_schemes_are_located_findings_and_never_links() {
    const BUDGET: &str = "publishers/vinnytska-miska-rada/budget/datapackage.json";
    let p = Project::fixture("basic");
    p.edit(BUDGET, "\"https://creativecommons.org/licenses/by/4.0/\"", "\" JaVaScRiPt:__xss(1)\"")
        .edit(
            BUDGET,
            "\"keywords\"",
            "\"homepage\": \"data:text/html,<script>__xss(2)</script>\", \
             \"sources\": [{\"title\": \"Джерело\", \"path\": \"vbscript:__xss(3)\", \"email\": \"mailto:a@b.ua\"}], \
             \"contributors\": [{\"title\": \"Автор\", \"path\": \"//evil.example/\"}], \"keywords\"",
        );
    let check = p.check();
    assert_eq!(check.code, 1);
    insta::assert_snapshot!(check.stdout);
    let run = p.build(&["--keep-going"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let page = p.page("datasets/vinnytsia-budget/index.html");
    let main = select(&page, "main").concat();
    assert!(main.contains("Creative Commons Attribution 4.0") && main.contains("Джерело"));
    for href in crate::support::attr(&page, "a", "href") {
        assert!(
            safe_url(&href) && !href.contains("xss") && !href.starts_with("//"),
            "{href}"
        );
    }
}

/// Every Turtle file of the hostile site parses with rdflib, and the payload titles come back.
#[test]
fn turtle_files_parse_with_rdflib() {
    let (p, site) = built();
    let files: Vec<String> = site
        .keys()
        .filter(|f| f.ends_with(".ttl"))
        .map(|f| p.out().join(f).display().to_string())
        .collect();
    assert!(files.len() > hostile::count());
    let script = "import sys, json, rdflib\n\
        titles = set()\n\
        for f in sys.argv[1:]:\n\
        \x20   g = rdflib.Graph(); g.parse(f, format='turtle')\n\
        \x20   titles |= {str(o) for o in g.objects(None, rdflib.DCTERMS.title)}\n\
        print(json.dumps(sorted(titles)))\n";
    let out = std::process::Command::new(crate::dcat::python())
        .arg("-c")
        .arg(script)
        .args(&files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let titles: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    let titles: Vec<String> = titles.iter().map(|t| clean(t)).collect();
    for n in 0..hostile::count() {
        assert!(
            titles.contains(&clean(&payload(n))),
            "dataset {n} in Turtle"
        );
    }
}
