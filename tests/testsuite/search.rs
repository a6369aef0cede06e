//! The offline search: the static index under `search/<lang>/` (valid JSON, deterministic, small
//! files at scale, a known word leads to its dataset), the search page and the header search
//! form on every kind of page. The browser side is tested by `tests/search/search.test.mjs`.

use std::collections::BTreeMap;
use std::path::Path;

use hromadata::render::search::normalise::{normalise, tokens};
use serde_json::Value;

use crate::support::{attr, select, tree, Project};

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Base64 VLQ numbers, as search.js decodes them.
fn numbers(text: &str) -> Vec<u64> {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (mut out, mut n, mut shift) = (Vec::new(), 0u64, 0);
    for b in text.bytes() {
        let d = B64.iter().position(|c| *c == b).expect("a base64 digit") as u64;
        n |= (d & 31) << shift;
        shift += 5;
        if d & 32 == 0 {
            out.push(n);
            (n, shift) = (0, 0);
        }
    }
    out
}

/// The index of one language: every term with its (document, in title) postings.
fn terms(site: &Path, lang: &str) -> BTreeMap<String, Vec<(u64, bool)>> {
    let dir = site.join("search").join(lang);
    let meta = json(&dir.join("meta.json"));
    let shards = meta["shards"].as_array().unwrap();
    let mut out = BTreeMap::new();
    for (n, first) in shards.iter().enumerate() {
        let shard = json(&dir.join(format!("terms/{n}.json")));
        let map = shard.as_object().unwrap();
        assert!(
            map.contains_key(first.as_str().unwrap()),
            "shard {n} starts at its first term"
        );
        for (term, p) in map {
            let mut prev: i64 = -1;
            let ids = numbers(p.as_str().unwrap())
                .into_iter()
                .map(|v| {
                    prev += (v / 2) as i64 + 1;
                    (prev as u64, v % 2 == 1)
                })
                .collect();
            out.insert(term.clone(), ids);
        }
    }
    out
}

/// The `[url, title, lang, excerpt, kind]` row of document `id`.
fn doc(site: &Path, lang: &str, id: u64) -> Value {
    let dir = site.join("search").join(lang);
    let chunk = json(&dir.join("meta.json"))["chunk"].as_u64().unwrap();
    json(&dir.join(format!("docs/{}.json", id / chunk)))[(id % chunk) as usize].clone()
}

fn built(p: &Project) {
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn index_files_are_json_and_a_word_finds_its_dataset() {
    let p = Project::fixture("basic");
    built(&p);
    let site = p.out();
    for (path, bytes) in tree(&site.join("search")) {
        if path == "index.html" {
            continue; // the search page itself
        }
        serde_json::from_slice::<Value>(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    for lang in ["uk", "en"] {
        let meta = json(&site.join(format!("search/{lang}/meta.json")));
        assert_eq!(meta["lang"], lang);
        let facets: Vec<&str> = meta["facets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].as_str().unwrap())
            .collect();
        for f in &facets {
            assert!(
                site.join(format!("search/{lang}/facets/{f}.json"))
                    .is_file(),
                "{f}"
            );
        }
        assert!(facets.contains(&"oblast") && facets.contains(&"r835"));
    }
    // "бюджету" in the title of the fixture's budget dataset: found by the prefix "бюдж", in the title.
    let index = terms(&site, "uk");
    let hits: Vec<(u64, bool)> = index
        .iter()
        .filter(|(t, _)| t.starts_with("бюдж"))
        .flat_map(|(_, p)| p.clone())
        .collect();
    let urls: Vec<(String, bool)> = hits
        .iter()
        .map(|(id, title)| {
            (
                doc(&site, "uk", *id)[0].as_str().unwrap().to_owned(),
                *title,
            )
        })
        .collect();
    assert!(
        urls.contains(&("datasets/vinnytsia-budget/".to_owned(), true)),
        "{urls:?}"
    );
    // The hromada Агрономічна has a page and so a document, found by its name.
    let agro = &index["агрономічна"];
    let rows: Vec<Value> = agro.iter().map(|(id, _)| doc(&site, "uk", *id)).collect();
    assert!(
        rows.iter()
            .any(|r| r[0] == "hromadas/UA05020010000053508/" && r[4] == "hromada"),
        "{rows:?}"
    );
    // The English index has the English title.
    let en = terms(&site, "en");
    assert!(
        en.contains_key("revenues") || en.contains_key("budget"),
        "{:?}",
        en.keys().take(40).collect::<Vec<_>>()
    );
}

#[test]
fn apostrophe_variants_meet_in_one_token() {
    let p = Project::fixture("basic");
    p.edit(
        "publishers/vinnytska-miska-rada/budget/datapackage.json",
        "\"title\": \"Доходи бюджету громади\"",
        "\"title\": \"Доходи бюджету громади та обʼєднань\"",
    );
    built(&p);
    let index = terms(&p.out(), "uk");
    assert!(
        index.contains_key("об'єднань"),
        "{:?}",
        index.keys().collect::<Vec<_>>()
    );
    for q in ["об'єднань", "об’єднань", "обʼєднань", "ОБ‘ЄДНАНЬ"]
    {
        assert_eq!(tokens(q), vec!["об'єднань".to_owned()], "{q}");
        assert_eq!(normalise(q), "об'єднань");
    }
}

#[test]
fn the_index_is_deterministic() {
    let p = Project::fixture("basic");
    built(&p);
    let first = tree(&p.out().join("search"));
    built(&p);
    assert_eq!(first, tree(&p.out().join("search")));
    assert!(first.keys().any(|k| k.starts_with("uk/terms/")));
}

#[test]
fn every_page_has_a_labelled_search_form_and_the_search_page_works_without_js() {
    let p = Project::fixture("basic");
    built(&p);
    let pages = [
        ("index.html", "search/"),
        ("datasets/index.html", "../search/"),
        ("datasets/vinnytsia-budget/index.html", "../../search/"),
        ("publishers/index.html", "../search/"),
        (
            "publishers/vinnytska-miska-rada/index.html",
            "../../search/",
        ),
        ("hromadas/UA05020030000031457/index.html", "../../search/"),
        ("oblasts/UA05000000000010236/index.html", "../../search/"),
        ("search/index.html", "../search/"),
        ("en/search/index.html", "../../en/search/"),
        (
            "en/datasets/vinnytsia-budget/index.html",
            "../../../en/search/",
        ),
    ];
    for (page, action) in pages {
        let html = p.page(page);
        assert_eq!(
            attr(&html, "header form[role=search]", "action"),
            vec![action.to_owned()],
            "{page}"
        );
        let ids = attr(
            &html,
            "header form[role=search] input[type=search][name=q]",
            "id",
        );
        assert_eq!(ids.len(), 1, "{page}");
        let label = select(&html, &format!("label[for={}]", ids[0]));
        assert!(
            label.len() == 1 && !label[0].is_empty(),
            "{page}: {label:?}"
        );
    }
    let html = p.page("search/index.html");
    let ids = attr(
        &html,
        "main form[role=search] input[type=search][name=q]",
        "id",
    );
    assert_eq!(
        select(&html, &format!("label[for={}]", ids[0])),
        vec!["Що шукаєте"]
    );
    assert_eq!(select(&html, "[aria-live=polite]").len(), 1);
    assert_eq!(attr(&html, "#search", "data-index"), vec!["../search/uk/"]);
    assert_eq!(
        attr(&html, "script[src]", "src"),
        vec!["../static/search.js"]
    );
    // Without JavaScript the page links the full lists.
    let links = attr(&html, "nav.search-browse a", "href");
    assert!(
        links.contains(&"../datasets/".to_owned()) && links.contains(&"../publishers/".to_owned()),
        "{links:?}"
    );
    assert!(p.out().join("static/search.js").is_file());
    let en = p.page("en/search/index.html");
    assert_eq!(attr(&en, "#search", "data-index"), vec!["../../search/en/"]);
    assert_eq!(attr(&en, "html", "lang"), vec!["en"]);
}

/// Writes `n` generated datasets over the real KATOTTG registry (one publisher per hromada, about
/// 20 datasets each), with varied titles, keywords, formats and frequencies.
pub fn national(p: &Project, n: usize) {
    let registry = std::fs::read_to_string(
        crate::support::repo().join("datasets/publishers/mindev/katottg/katottg.csv"),
    )
    .unwrap();
    p.write("registry-full.csv", &registry);
    p.edit(
        "catalog.toml",
        "publishers/mindev/registry/katottg.csv",
        "registry-full.csv",
    );
    let list = std::fs::read_to_string(crate::support::repo().join("datasets/resolution-835.csv"))
        .unwrap();
    p.write("resolution-835.csv", &list);
    p.edit(
        "catalog.toml",
        "[territories]",
        "[resolution_835]\nlist = \"resolution-835.csv\"\n\n[territories]",
    );
    let hromadas: Vec<(&str, &str)> = registry
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f.get(1) == Some(&"H")).then(|| (f[0], f[3]))
        })
        .collect();
    const TOPICS: [&str; 12] = [
        "Доходи бюджету",
        "Видатки бюджету",
        "Перелік об’єднань співвласників багатоквартирних будинків",
        "Мережа закладів освіти",
        "Реєстр земельних ділянок комунальної власності",
        "Перелік рішень виконавчого комітету",
        "Зупинки громадського транспорту",
        "Тарифи на комунальні послуги",
        "Розклад руху автобусів",
        "Перелік об’єктів комунальної власності",
        "Паспорти бюджетних програм",
        "Електронні петиції",
    ];
    const KEYWORDS: [&str; 16] = [
        "бюджет",
        "освіта",
        "транспорт",
        "земля",
        "ОСББ",
        "житло",
        "комунальна власність",
        "петиції",
        "тарифи",
        "рішення",
        "енергетика",
        "медицина",
        "культура",
        "спорт",
        "екологія",
        "довкілля",
    ];
    const FORMATS: [&str; 3] = ["csv", "json", "txt"];
    const FREQ: [&str; 4] = ["monthly", "quarterly", "yearly", "on-change"];
    const R835: [&str; 10] = [
        "mun-002", "mun-003", "mun-004", "mun-012", "mun-016", "mun-018", "mun-019", "mun-021",
        "mun-022", "mun-049",
    ];
    let per = 20;
    for (h, (code, name)) in hromadas.iter().enumerate().take(n.div_ceil(per)) {
        let edrpou = (0..10)
            .map(|d| format!("{:07}{d}", 4_000_000 + h))
            .find(|e| hromadata::catalog::ids::Edrpou::parse(e).is_ok())
            .unwrap();
        p.write(
            &format!("publishers/p{h:04}/publisher.toml"),
            &format!("edrpou = \"{edrpou}\"\nterritory = \"{code}\"\n\n[name]\nuk = \"{name} рада\"\n\n[contact]\nname = \"Відділ\"\nemail = \"data@example.gov.ua\"\n"),
        );
        for k in 0..per.min(n - h * per) {
            let i = h * per + k;
            let topic = TOPICS[i % TOPICS.len()];
            let kw: Vec<String> = (0..3)
                .map(|j| format!("\"{}\"", KEYWORDS[(i * 7 + j * 5) % KEYWORDS.len()]))
                .collect();
            let dir = format!("publishers/p{h:04}/d{k:02}");
            let format = FORMATS[i % 3];
            let content = if format == "json" {
                "[{\"year\": 2024, \"value\": 1}]\n"
            } else {
                "year,value\n2024,1\n"
            };
            p.write(&format!("{dir}/data.{format}"), content);
            p.write(
                &format!("{dir}/datapackage.json"),
                &format!(
                    r#"{{"name": "d{i:05}", "title": "{topic}: {name}, {year}", "description": "{topic} громади «{name}» за {year} рік. Дані оприлюднено відповідно до постанови Кабінету Міністрів України № 835; набір № {i} згенеровано для вимірювання пошукового покажчика.",
  "keywords": [{kws}], "resources": [{{"name": "data", "path": "data.{format}", "format": "{format}", "title": "Таблиця {k}"}}],
  "hromadata": {{"frequency": "{freq}", "modified": "2025-0{m}-01", "spatial": ["{code}"], "resolution_835": "{r}"}}}}"#,
                    year = 2015 + i % 10,
                    kws = kw.join(", "),
                    freq = FREQ[i % 4],
                    m = 1 + i % 9,
                    r = R835[i % R835.len()],
                ),
            );
        }
    }
}

#[test]
fn index_files_stay_small_at_scale() {
    // HROMADATA_SEARCH_SCALE=35000 measures a national catalogue (slow); 2,000 by default.
    let n: usize = std::env::var("HROMADATA_SEARCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let p = Project::fixture("basic");
    national(&p, n);
    let run = p.build(&["--keep-going"]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}{}",
        run.stdout,
        run.stderr
    );
    let mut files = tree(&p.out().join("search"));
    files.remove("index.html");
    let mut by_kind: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (path, bytes) in &files {
        let kind = path
            .rsplit_once('/')
            .map_or(path.as_str(), |(dir, _)| dir)
            .to_owned();
        let e = by_kind.entry(kind).or_default();
        e.0 += 1;
        e.1 += bytes.len();
        e.2 = e.2.max(bytes.len());
    }
    for (kind, (count, total, max)) in &by_kind {
        eprintln!("{kind}: {count} files, {total} bytes, largest {max}");
    }
    let meta = json(&p.out().join("search/uk/meta.json"));
    assert!(
        meta["docs"].as_u64().unwrap() as usize > n,
        "{}",
        meta["docs"]
    );
    let (path, largest) = files
        .iter()
        .map(|(p, b)| (p, b.len()))
        .max_by_key(|(_, l)| *l)
        .unwrap();
    assert!(largest < 300_000, "{path} is {largest} bytes");
    if std::env::var_os("HROMADATA_SEARCH_SCALE").is_some() {
        // Kept for measuring queries: HROMADATA_SITE=<this> node --test tests/search/
        eprintln!("site kept at {}", p.out().display());
        std::mem::forget(p);
    }
}
