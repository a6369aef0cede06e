//! A hostile catalogue, generated deterministically: XSS payloads in every metadata field of
//! `catalog.toml`, the territory registry, the Resolution 835 list, `publisher.toml`s (names,
//! contacts, folder names) and `datapackage.json`s (titles and descriptions in both languages,
//! keywords, licences, sources, contributors, resources, schema fields, charts, file names), and
//! in CSV cells and headers shown in previews, full tables and charts. One dataset and one
//! publisher per payload, each field taking the payload `(dataset + field) mod count`, so every
//! payload lands in every field. A payload that ran calls `__xss(n)` (or `alert(n)`), which the
//! browser test (`tests/browser/inject.test.mjs`) watches for.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{json, Value};

use crate::support::Project;

/// The payloads; `{n}` is replaced by the payload's number, which the hook reports.
const PAYLOADS: &[&str] = &[
    "<script>__xss({n})</script>",
    "\"><img src=x onerror=__xss({n})>",
    "' onmouseover='__xss({n})' x='",
    "\" onfocus=\"__xss({n})\" autofocus=\"",
    "javascript:__xss({n})",
    "</script><script>__xss({n})</script>",
    "<svg onload=__xss({n})>",
    "<svg><script>__xss({n})</script></svg>",
    "{{7*7}} {% raw %}${__xss({n})}{{ __xss({n}) }}",
    "</title><script>__xss({n})</script>",
    "</textarea><script>__xss({n})</script>",
    "&lt;script&gt;__xss({n})&lt;/script&gt;",
    "&#60;img src=x onerror=__xss({n})&#62;",
    "\u{2028}\u{2029}</script><script>__xss({n})</script>",
    "]]><script>__xss({n})</script><![CDATA[",
    "=HYPERLINK(\"javascript:__xss({n})\",\"click\")",
    "\u{202e}<img src=x onerror=__xss({n})>\u{202c}",
    "nul\u{0}<script>__xss({n})</script>",
    "<iframe src=\"javascript:__xss({n})\"></iframe>",
    "<a href=\"javascript:__xss({n})\">link {n}</a>",
    "<body onload=__xss({n})>",
    "<details open ontoggle=__xss({n})>",
    "<input autofocus onfocus=__xss({n})>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss({n})>",
    "<style>*{background:url('javascript:__xss({n})')}</style>",
    "<object data=\"javascript:__xss({n})\"></object>",
    "<embed src=\"javascript:__xss({n})\">",
    "<base href=\"javascript:__xss({n})//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:__xss({n})\">",
    "--><script>__xss({n})</script><!--",
    "<noscript><p title=\"</noscript><img src=x onerror=__xss({n})>\">",
    "\"-__xss({n})-\"",
    "'-__xss({n})-'",
    "\\\";__xss({n});//",
    "<scr<script>ipt>__xss({n})</scr</script>ipt>",
    "<ScRiPt>__xss({n})</sCrIpT>",
    "<a href=\"&#106;avascript:__xss({n})\">entity {n}</a>",
    "<form><button formaction=javascript:__xss({n})>go {n}</button></form>",
    "<video><source onerror=__xss({n})></video>",
    "<marquee onstart=__xss({n})>m</marquee>",
    "<x contenteditable onblur=__xss({n})>x</x>",
    "<script src=\"data:text/javascript,__xss({n})\"></script>",
    "<svg><a xlink:href=\"javascript:__xss({n})\"><text x=\"1\" y=\"9\">s{n}</text></a></svg>",
    "<script>alert({n})</script>",
    "<img src=x onerror=alert({n})>",
    "<!--",
    "\u{0}\u{7}\u{1b}[31m</pre><script>__xss({n})</script>",
    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"__xss({n})\">]>&e;",
];

/// How many payloads there are (one dataset and one publisher each).
pub fn count() -> usize {
    PAYLOADS.len()
}

/// Payload number `n` (from 0), with its number filled in.
pub fn payload(n: usize) -> String {
    PAYLOADS[n % PAYLOADS.len()].replace("{n}", &n.to_string())
}

/// Payload `n` as it can stand in a file or folder name (no `/`, no NUL).
pub fn file_safe(n: usize) -> String {
    payload(n).replace('/', "∕").replace('\0', "")
}

/// A TOML basic string.
fn toml_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes records as CSV.
fn csv_text(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The first `count()` slots of the registry get payload names; codes stay real.
fn registry(p: &Project) {
    let file = p.file("publishers/mindev/registry/katottg.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = vec![reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()];
    for (i, r) in reader.records().enumerate() {
        let mut r: Vec<String> = r.unwrap().iter().map(str::to_owned).collect();
        r[3] = payload(i + 3).replace('\0', "");
        rows.push(r);
    }
    std::fs::write(file, csv_text(&rows)).unwrap();
}

fn catalog(p: &Project) {
    let mut text = std::fs::read_to_string(p.file("catalog.toml")).unwrap();
    for (from, n) in [
        ("Тестовий каталог", 0),
        ("Test catalogue", 1),
        ("Маленький каталог для інтеграційних тестів.", 9),
        ("A small catalogue for integration tests.", 13),
    ] {
        let quoted = format!("\"{from}\"");
        assert!(text.contains(&quoted));
        text = text.replace(
            &quoted,
            &toml_str(&format!("{} {}", payload(n), payload(n + 1))),
        );
    }
    let base = "\"https://data.example.org/catalogue/\"";
    assert!(text.contains(base));
    text = text.replace(base, &toml_str("https://data.example.org/c/'-__xss(99)-'/"));
    text += "\n[resolution_835]\nlist = \"resolution-835.csv\"\n";
    p.write("catalog.toml", &text);
    let mut rows = vec![["code", "name_uk", "name_en", "applies_to", "frequency"]
        .map(str::to_owned)
        .to_vec()];
    for i in 0..4 {
        let code = format!("all-{:03}", i + 1);
        let (uk, en) = (payload(i * 2 + 5), payload(i * 2 + 6));
        rows.push(vec![code, uk, en, "all".into(), String::new()]);
    }
    p.write("resolution-835.csv", &csv_text(&rows));
}

/// Publisher `n`: its folder name, names and contact carry payloads, and its website an
/// attribute breakout (a `javascript:` website would drop the publisher with its datasets, and
/// is covered by `check`'s tests).
fn publisher(p: &Project, n: usize) -> String {
    let folder = format!("publishers/p{n:02} {}", file_safe(n));
    let website = format!("https://example.gov.ua/{n}/'-__xss({n})-'/");
    let toml = format!(
        "edrpou = \"25512617\"\nterritory = \"UA05020030000031457\"\nwebsite = {}\n\n[name]\nuk = {}\nen = {}\n\n[contact]\nname = {}\nemail = {}\n",
        toml_str(&website),
        toml_str(&payload(n)),
        toml_str(&payload(n + 1)),
        toml_str(&payload(n + 2)),
        toml_str(&format!("\"'onfocus=__xss({n})//'\"@example.gov.ua")),
    );
    p.write(&format!("{folder}/publisher.toml"), &toml);
    folder
}

/// The CSV of dataset `n`: a year, an amount (charted) and a text column whose name and cells
/// are payloads.
fn table(n: usize) -> String {
    let text_field = payload(n + 7).replace('\0', "");
    let mut rows = vec![vec!["year".into(), "amount".into(), text_field]];
    for (i, year) in (2021..2024).enumerate() {
        let cell = payload(n + i).replace('\0', "");
        rows.push(vec![year.to_string(), format!("{}", 100 * (i + 1)), cell]);
    }
    csv_text(&rows)
}

/// The descriptor of dataset `n`, payload `n + k` in its `k`-th field.
fn descriptor(n: usize, other: &str) -> Value {
    let s = |k: usize| payload(n + k);
    let link = |k: usize| {
        if (n + k) % 3 == 0 {
            format!("JaVaScRiPt:__xss({})", n + k)
        } else {
            format!(
                "https://example.gov.ua/{}?q='onmouseover='__xss({n})",
                n + k
            )
        }
    };
    json!({
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": format!("hostile-{n:02}"),
        "title": s(0),
        "description": s(1),
        "version": s(2),
        "homepage": link(3),
        "keywords": [s(3), s(4)],
        "licenses": [{"name": "CC-BY-4.0", "path": link(5), "title": s(5)}],
        "sources": [{"title": s(6), "path": link(6)}],
        "contributors": [{"title": s(8), "path": link(8), "role": "author"}],
        "resources": [
            {"name": "table", "path": "table.csv", "title": s(9), "description": s(10),
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "schema": {"fields": [
                 {"name": "year", "type": "integer", "title": s(11), "description": s(12)},
                 {"name": "amount", "type": "number", "title": s(13), "description": s(14)},
                 {"name": payload(n + 7).replace('\0', ""), "type": "string",
                  "title": s(15), "description": s(16)}
             ]}},
            {"name": "file", "path": other, "title": s(17), "description": s(18),
             "format": "txt", "mediatype": "text/plain"}
        ],
        "views": [{"name": "chart", "title": s(19), "title_en": s(20), "resources": ["table"],
                   "specType": "simple", "spec": {"type": "bar", "group": "year", "series": ["amount"]}}],
        "hromadata": {
            "title_en": s(21), "description_en": s(22), "keywords_en": [s(23)],
            "frequency": "yearly", "issued": "2024-01-15", "modified": "2025-02-01",
            "spatial": ["UA05020030000031457"], "legal_basis": s(24), "purpose": s(25),
            "resolution_835": "all-001"
        }
    })
}

/// Builds the hostile project on the `basic` fixture.
pub fn project() -> Project {
    let p = Project::fixture("basic");
    registry(&p);
    catalog(&p);
    for n in 0..count() {
        let folder = publisher(&p, n);
        let dir = format!("{folder}/d{n:02}");
        let other = format!("{}.txt", file_safe(n + 26));
        p.write(&format!("{dir}/table.csv"), &table(n));
        p.write(&format!("{dir}/{other}"), &payload(n + 27));
        let d = serde_json::to_string_pretty(&descriptor(n, &other)).unwrap();
        p.write(&format!("{dir}/datapackage.json"), &d);
    }
    p
}

/// Builds the hostile site with `--keep-going` (its `javascript:` links are findings).
pub fn build(p: &Project) {
    let run = p.build(&["--keep-going"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(p.out().join("index.html").is_file(), "{}", run.stderr);
}

/// Writes the hostile site to `$HROMADATA_HOSTILE_SITE` for the browser test (run by
/// `tests/run.sh`): `cargo test --test testsuite hostile::site -- --ignored --exact`.
#[test]
#[ignore = "writes the browser test's hostile site; run by tests/run.sh"]
fn site() {
    let target = std::env::var_os("HROMADATA_HOSTILE_SITE").expect("HROMADATA_HOSTILE_SITE");
    let p = project();
    build(&p);
    let target = Path::new(&target);
    if target.exists() {
        std::fs::remove_dir_all(target).unwrap();
    }
    crate::support::copy_dir(&p.out(), target);
}
