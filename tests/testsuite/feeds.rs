//! Atom feeds and the site map: the feeds parse as XML and list every dataset (the catalogue's),
//! a publisher's or a territory's own, newest first, dated by the data and never by the clock;
//! pages link their feeds; the site map lists every page with its `lastmod`.

use std::collections::BTreeMap;

use crate::support::{attr, tree, Project};
use crate::xml::{parse, Element};

const BASE: &str = "https://data.example.gov.ua/";

fn built() -> Project {
    let p = Project::fixture("basic");
    let run = p.build(&["--base-url", BASE]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    p
}

fn read_feed(p: &Project, path: &str) -> Element {
    let text =
        std::fs::read_to_string(p.out().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let feed = parse(&text);
    assert_eq!(feed.name, "feed", "{path}");
    assert_eq!(feed.attrs["xmlns"], "http://www.w3.org/2005/Atom");
    feed
}

/// (entry id, updated) of every entry, in feed order; checks what RFC 4287 requires of each.
fn entries(feed: &Element) -> Vec<(String, String)> {
    for required in ["id", "title", "updated"] {
        assert_eq!(feed.all(required).len(), 1, "feed {required}");
    }
    feed.all("entry")
        .iter()
        .map(|e| {
            for required in ["id", "title", "updated"] {
                assert_eq!(e.all(required).len(), 1, "entry {required}");
            }
            assert!(!e.all("author").is_empty() || !feed.all("author").is_empty());
            let langs: Vec<&str> = e
                .all("link")
                .iter()
                .filter(|l| l.attrs["rel"] == "alternate")
                .map(|l| l.attrs["hreflang"].as_str())
                .collect();
            assert_eq!(langs, ["uk", "en"]);
            (e.text_of("id"), e.text_of("updated"))
        })
        .collect()
}

/// `modified` (else `issued`) of every dataset in the source, by name.
fn source_dates(p: &Project) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for (publisher, names) in crate::registers::source_datasets(p) {
        for e in walkdir::WalkDir::new(p.src().join("publishers").join(&publisher)) {
            let e = e.unwrap();
            if e.file_name() != "datapackage.json" {
                continue;
            }
            let d: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
            let name = d["name"].as_str().unwrap().to_owned();
            assert!(names.contains(&name));
            let h = &d["hromadata"];
            let date = h["modified"].as_str().or(h["issued"].as_str()).unwrap();
            out.insert(name, (publisher.clone(), date.to_owned()));
        }
    }
    out
}

#[test]
fn the_catalogue_feed_lists_every_dataset_newest_first() {
    let p = built();
    let feed = read_feed(&p, "feed.atom");
    let list = entries(&feed);
    let dates = source_dates(&p);
    let mut ids: Vec<String> = list.iter().map(|(id, _)| id.clone()).collect();
    ids.sort();
    let want: Vec<String> = dates
        .keys()
        .map(|n| format!("{BASE}datasets/{n}/"))
        .collect();
    assert_eq!(ids, want);
    for (id, updated) in &list {
        let name = id
            .trim_start_matches(BASE)
            .trim_start_matches("datasets/")
            .trim_end_matches('/');
        assert_eq!(updated, &format!("{}T00:00:00Z", dates[name].1), "{id}");
    }
    let updated: Vec<&String> = list.iter().map(|(_, u)| u).collect();
    assert!(
        updated.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {updated:?}"
    );
    assert_eq!(
        feed.text_of("updated"),
        *updated[0],
        "the feed is as new as its newest entry"
    );
    // Every page links the catalogue's feed.
    for page in [
        "index.html",
        "en/datasets/index.html",
        "hromadas/UA05020010000053508/index.html",
    ] {
        let html = p.page(page);
        let hrefs = attr(
            &html,
            "head link[rel=alternate][type='application/atom+xml']",
            "href",
        );
        assert!(
            hrefs
                .iter()
                .any(|h| h.ends_with("feed.atom") && !h.contains("publishers")),
            "{page}: {hrefs:?}"
        );
    }
}

#[test]
fn publisher_and_territory_feeds_list_their_own_datasets() {
    let p = built();
    let dates = source_dates(&p);
    for (name, (publisher, _)) in &dates {
        let feed = read_feed(&p, &format!("publishers/{publisher}/feed.atom"));
        let mut ids: Vec<String> = entries(&feed).into_iter().map(|(id, _)| id).collect();
        ids.sort();
        let mine: Vec<String> = (dates.iter())
            .filter(|(_, (pb, _))| pb == publisher)
            .map(|(n, _)| format!("{BASE}datasets/{n}/"))
            .collect();
        assert_eq!(ids, mine, "{publisher}");
        assert!(ids.contains(&format!("{BASE}datasets/{name}/")));
        let page = p.page(&format!("publishers/{publisher}/index.html"));
        let head = attr(
            &page,
            "head link[rel=alternate][type='application/atom+xml']",
            "href",
        );
        assert!(
            head.contains(&format!("../../publishers/{publisher}/feed.atom")),
            "{head:?}"
        );
    }
    insta::assert_snapshot!(
        "publisher_feed",
        std::fs::read_to_string(p.out().join("publishers/vinnytska-miska-rada/feed.atom")).unwrap()
    );
    // The hromada of Vinnytsia, its raion and oblast: the budget dataset is about them.
    for page in [
        "hromadas/UA05020030000031457/",
        "raions/UA05020000000026686/",
        "oblasts/UA05000000000010236/",
    ] {
        let feed = read_feed(&p, &format!("{page}feed.atom"));
        let ids: Vec<String> = entries(&feed).into_iter().map(|(id, _)| id).collect();
        assert!(
            ids.contains(&format!("{BASE}datasets/vinnytsia-budget/")),
            "{page}: {ids:?}"
        );
        let html = p.page(&format!("{page}index.html"));
        let head = attr(
            &html,
            "head link[rel=alternate][type='application/atom+xml']",
            "href",
        );
        assert!(
            head.contains(&format!("../../{page}feed.atom")),
            "{page}: {head:?}"
        );
    }
    // A hromada with nothing about it has no feed and links none of its own.
    let empty = "hromadas/UA05020010000053508/";
    assert!(!p.out().join(empty).join("feed.atom").exists());
    let html = p.page(&format!("{empty}index.html"));
    let head = attr(
        &html,
        "head link[rel=alternate][type='application/atom+xml']",
        "href",
    );
    assert_eq!(head, ["../../feed.atom"]);
}

#[test]
fn feeds_and_site_map_are_dated_by_the_data_not_the_clock() {
    let p = Project::fixture("basic");
    let build = |epoch: &str| {
        let out = p
            .build_command()
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert!(out.status.success());
        tree(&p.out())
    };
    let a = build("1700000000");
    let b = build("1800000000");
    // (Datasets' own descriptors carry `overdue`, judged on the build date: not checked here.)
    let ours = |path: &str| {
        path.ends_with(".atom")
            || path.ends_with("sitemap.xml")
            || path.contains("/ckan/")
            || path.contains("passport.")
            || path.contains("register.")
            || [
                "datasets.csv",
                "resources.csv",
                "publishers.csv",
                "datapackage.json",
            ]
            .contains(&path)
    };
    let mut checked = 0;
    for (path, bytes) in a.iter().filter(|(p, _)| ours(p)) {
        assert!(
            Some(bytes) == b.get(path),
            "{path} changed with the build date"
        );
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
}

#[test]
fn the_site_map_lists_every_page_with_its_date() {
    let p = built();
    let map = parse(&std::fs::read_to_string(p.out().join("sitemap.xml")).unwrap());
    assert_eq!(map.name, "urlset");
    assert_eq!(
        map.attrs["xmlns"],
        "http://www.sitemaps.org/schemas/sitemap/0.9"
    );
    let listed: BTreeMap<String, String> = map
        .all("url")
        .iter()
        .map(|u| (u.text_of("loc"), u.text_of("lastmod")))
        .collect();
    let pages: Vec<String> = tree(&p.out())
        .keys()
        .filter(|k| k.ends_with("index.html"))
        .map(|k| format!("{BASE}{}", k.trim_end_matches("index.html")))
        .collect();
    let mut pages = pages;
    pages.sort();
    assert_eq!(listed.keys().cloned().collect::<Vec<_>>(), pages);
    let dates = source_dates(&p);
    let newest = dates.values().map(|(_, d)| d.clone()).max().unwrap();
    for (name, (publisher, date)) in &dates {
        for lang in ["", "en/"] {
            assert_eq!(&listed[&format!("{BASE}{lang}datasets/{name}/")], date);
        }
        let theirs = (dates.values())
            .filter(|(pb, _)| pb == publisher)
            .map(|(_, d)| d.clone())
            .max()
            .unwrap();
        assert_eq!(listed[&format!("{BASE}publishers/{publisher}/")], theirs);
    }
    for page in [
        "",
        "en/",
        "datasets/",
        "publishers/",
        "search/",
        "en/search/",
    ] {
        assert_eq!(listed[&format!("{BASE}{page}")], newest, "{page}");
    }
    // Every page of the fixture lists a dataset (territory pages the country-wide one at least),
    // so every one has a date; only coverage pages, which the fixture has not, go without.
    for (loc, lastmod) in &listed {
        assert!(!lastmod.is_empty(), "{loc}");
    }
    let robots = std::fs::read_to_string(p.out().join("robots.txt")).unwrap();
    assert!(robots.contains(&format!("Sitemap: {BASE}sitemap.xml")));
}
