//! Search-engine metadata: every dataset page carries a schema.org `Dataset` as JSON-LD, built
//! from the same metadata as the page, with absolute URLs that point at the published files.

use crate::support::{attr, select, Project};

#[test]
fn dataset_pages_describe_their_dataset_in_json_ld() {
    let p = Project::fixture("basic");
    let run = p.build(&["--base-url", "https://data.example.gov.ua/cat/"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for (page, name) in [
        ("datasets/vinnytsia-budget/index.html", "Доходи бюджету"),
        (
            "en/datasets/vinnytsia-budget/index.html",
            "Hromada budget revenues",
        ),
    ] {
        let html = p.page(page);
        let scripts = select(&html, "head script[type='application/ld+json']");
        assert_eq!(scripts.len(), 1, "{page}");
        let ld: serde_json::Value = serde_json::from_str(&scripts[0]).unwrap();
        assert_eq!(ld["@type"], "Dataset");
        assert!(
            ld["name"].as_str().unwrap().starts_with(name),
            "{page}: {}",
            ld["name"]
        );
        assert_eq!(ld["identifier"], "vinnytsia-budget");
        assert_eq!(ld["publisher"]["identifier"]["value"], "25512617");
        assert_eq!(
            ld["spatialCoverage"][0]["identifier"]["value"],
            "UA05020030000031457"
        );
        assert_eq!(ld["temporalCoverage"], "2021-01-01/2023-12-31");
        // Every download link on the page is a distribution, at its absolute address.
        let links = attr(&html, "main a[download]", "href");
        let urls: Vec<&str> = ld["distribution"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["contentUrl"].as_str().unwrap())
            .collect();
        assert_eq!(urls.len(), links.len(), "{page}");
        for url in &urls {
            let path = url
                .strip_prefix("https://data.example.gov.ua/cat/")
                .unwrap();
            assert!(p.out().join(path).is_file(), "{url}");
        }
    }
}

#[test]
fn json_ld_cannot_close_its_script() {
    let p = Project::fixture("basic");
    p.edit(
        "publishers/vinnytska-miska-rada/budget/datapackage.json",
        "\"title_en\": \"Hromada budget revenues\"",
        "\"title_en\": \"</script><script>alert(1)</script>\"",
    );
    assert_eq!(p.build(&[]).code, 0);
    let text =
        std::fs::read_to_string(p.out().join("en/datasets/vinnytsia-budget/index.html")).unwrap();
    assert!(
        !text.contains("<script>alert(1)"),
        "the title broke out of the JSON-LD"
    );
    let html = p.page("en/datasets/vinnytsia-budget/index.html");
    let ld: serde_json::Value =
        serde_json::from_str(&select(&html, "head script[type='application/ld+json']")[0]).unwrap();
    assert_eq!(ld["name"], "</script><script>alert(1)</script>");
}

#[test]
fn sitemap_lists_every_page_and_robots_names_it() {
    let p = Project::fixture("basic");
    assert_eq!(
        p.build(&["--base-url", "https://data.example.gov.ua/"])
            .code,
        0
    );
    let sitemap = std::fs::read_to_string(p.out().join("sitemap.xml")).unwrap();
    let pages: Vec<String> = crate::support::tree(&p.out())
        .keys()
        .filter(|k| k.ends_with("index.html"))
        .map(|k| {
            format!(
                "<loc>https://data.example.gov.ua/{}</loc>",
                k.trim_end_matches("index.html")
            )
        })
        .collect();
    assert!(pages.len() > 10);
    for page in &pages {
        assert!(sitemap.contains(page.as_str()), "{page} missing");
    }
    assert_eq!(sitemap.matches("<loc>").count(), pages.len());
    let robots = std::fs::read_to_string(p.out().join("robots.txt")).unwrap();
    assert!(
        robots.contains("Sitemap: https://data.example.gov.ua/sitemap.xml"),
        "{robots}"
    );
}
