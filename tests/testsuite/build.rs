//! `hromadata build` on valid fixtures: the pages, their content, the published files.

use std::process::Command;

use crate::support::{attr, main_html, select, Project};

#[test]
fn builds_every_page_in_both_languages() {
    let p = Project::fixture("basic");
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for lang in ["", "en/"] {
        for page in [
            "index.html",
            "datasets/index.html",
            "datasets/vinnytsia-budget/index.html",
            "datasets/katottg-sample/index.html",
            "publishers/index.html",
            "publishers/vinnytska-miska-rada/index.html",
            "publishers/mindev/index.html",
            "oblasts/UA05000000000010236/index.html",
            "oblasts/UA80000000000093317/index.html",
            "raions/UA05020000000026686/index.html",
            "hromadas/UA05020030000031457/index.html",
            "hromadas/UA05020010000053508/index.html",
        ] {
            assert!(p.out().join(lang).join(page).is_file(), "{lang}{page}");
        }
    }
    for file in [
        "404.html",
        "robots.txt",
        "SHA256SUMS",
        "static/style.css",
        "datasets/vinnytsia-budget/datapackage.json",
        "datasets/vinnytsia-budget/revenues.csv",
        "datasets/vinnytsia-budget/notes.txt",
    ] {
        assert!(p.out().join(file).is_file(), "{file}");
    }
}

#[test]
fn dataset_page_shows_metadata_schema_preview_and_checksums() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let page = p.page("datasets/vinnytsia-budget/index.html");
    assert_eq!(select(&page, "main h1"), ["Доходи бюджету громади"]);
    assert_eq!(attr(&page, "html", "lang"), ["uk"]);
    assert_eq!(
        attr(&page, "a.download", "href"),
        [
            "../../datasets/vinnytsia-budget/revenues.csv",
            "../../datasets/vinnytsia-budget/notes.txt"
        ]
    );
    assert_eq!(
        select(&page, "table.schema tbody th"),
        ["year", "total", "source"]
    );
    assert_eq!(select(&page, "table.preview tbody tr").len(), 3);
    assert_eq!(
        select(&page, "table.preview tbody tr:first-child td"),
        ["2021", "4909594030.7", "fact"]
    );
    // The description's markup is text, not HTML.
    assert!(select(&page, ".description b").is_empty());
    assert!(select(&page, ".description p")
        .iter()
        .any(|t| t.contains("<b>не</b>")));
    insta::assert_snapshot!("dataset_main_uk", main_html(&page));
    let en = p.page("en/datasets/vinnytsia-budget/index.html");
    assert_eq!(select(&en, "main h1"), ["Hromada budget revenues"]);
    assert_eq!(attr(&en, "html", "lang"), ["en"]);
    assert_eq!(
        attr(&en, "a.lang-switch", "href"),
        ["../../../datasets/vinnytsia-budget/"]
    );
    assert_eq!(
        attr(&en, "a.download", "href")[0],
        "../../../datasets/vinnytsia-budget/revenues.csv"
    );
}

/// SHA-256 by the system's `sha256sum`, an implementation independent of ours.
fn sha256sum(path: &std::path::Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum is installed");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn checksums_match_an_independent_computation() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let csv = p.out().join("datasets/vinnytsia-budget/revenues.csv");
    let expected = sha256sum(&csv);
    let page = p.page("datasets/vinnytsia-budget/index.html");
    assert_eq!(select(&page, "code.hash")[0], expected);
    let descriptor: serde_json::Value = serde_json::from_slice(
        &std::fs::read(p.out().join("datasets/vinnytsia-budget/datapackage.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        descriptor["resources"][0]["hash"],
        format!("sha256:{expected}")
    );
    assert_eq!(
        descriptor["resources"][0]["bytes"],
        std::fs::metadata(&csv).unwrap().len()
    );
    let sums = std::fs::read_to_string(p.out().join("SHA256SUMS")).unwrap();
    assert!(
        sums.contains(&format!(
            "{expected}  datasets/vinnytsia-budget/revenues.csv\n"
        )),
        "{sums}"
    );
    assert_eq!(sums.lines().count(), 3);
    let verify = Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(p.out())
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn territory_pages_link_parents_children_and_datasets() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let hromada = p.page("hromadas/UA05020030000031457/index.html");
    assert_eq!(
        select(&hromada, ".breadcrumbs li"),
        ["Україна", "Вінницька", "Вінницький", "Вінницька"]
    );
    assert_eq!(
        attr(&hromada, ".breadcrumbs a", "href")[1..],
        [
            "../../oblasts/UA05000000000010236/",
            "../../raions/UA05020000000026686/"
        ]
    );
    assert_eq!(
        select(&hromada, "#publishers-here + ul a"),
        ["Вінницька міська рада"]
    );
    assert_eq!(
        attr(&hromada, "#datasets-here + ul a.dataset-title", "href"),
        ["../../datasets/vinnytsia-budget/"]
    );
    assert_eq!(
        attr(&hromada, "#wider + ul a.dataset-title", "href"),
        ["../../datasets/katottg-sample/"]
    );
    assert_eq!(select(&hromada, "#children + ul .name"), ["Вінниця"]);
    insta::assert_snapshot!("hromada_main_uk", main_html(&hromada));
    // A hromada with nothing published says so plainly.
    let empty = p.page("hromadas/UA05020010000053508/index.html");
    assert_eq!(select(&empty, "p.notice").len(), 1);
    let raion = p.page("raions/UA05020000000026686/index.html");
    assert_eq!(
        attr(&raion, "#children + ul a", "href"),
        [
            "../../hromadas/UA05020010000053508/",
            "../../hromadas/UA05020030000031457/"
        ]
    );
    let kyiv = p.page("oblasts/UA80000000000093317/index.html");
    assert_eq!(select(&kyiv, "#children + ul span.name"), ["Голосіївський"]);
}

#[test]
fn unsafe_urls_in_metadata_are_not_links() {
    let p = Project::fixture("basic");
    p.edit(
        "publishers/vinnytska-miska-rada/budget/datapackage.json",
        "https://creativecommons.org/licenses/by/4.0/",
        "javascript:alert(1)",
    );
    // A finding (validate::urls); published anyway with --keep-going, the licence as text.
    assert_eq!(p.build(&[]).code, 1);
    assert_eq!(p.build(&["--keep-going"]).code, 1);
    let page = p.page("datasets/vinnytsia-budget/index.html");
    assert!(attr(&page, "a", "href")
        .iter()
        .all(|h| !h.to_lowercase().starts_with("javascript")));
    assert!(select(&page, ".meta-list dd")
        .iter()
        .any(|t| t == "Creative Commons Attribution 4.0"));
}

#[test]
fn base_url_override_and_source_date_epoch() {
    let p = Project::fixture("basic");
    let out = p
        .build_command()
        .args(["--base-url", "https://mirror.example.net/data"])
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = p.page("index.html");
    assert_eq!(
        attr(&page, "link[rel=canonical]", "href"),
        ["https://mirror.example.net/data/"]
    );
    assert_eq!(attr(&page, "footer time", "datetime"), ["2026-01-01"]);
    let robots = std::fs::read_to_string(p.out().join("robots.txt")).unwrap();
    assert!(robots.contains("https://mirror.example.net/data/SHA256SUMS"));
}

#[test]
fn help_shows_examples() {
    let run = crate::support::run(&["build", "--help"], &crate::support::repo());
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Examples:") && run.stdout.contains("--keep-going"));
}

/// The list of datasets, `[list] page_size` to a page: `datasets/`, then `datasets/page/<n>/`,
/// each dataset on exactly one page, linked by a pager that says which page is current.
#[test]
fn the_list_of_datasets_is_paged() {
    let p = Project::fixture("basic");
    crate::dcat::many_datasets(&p, 5);
    let toml = std::fs::read_to_string(p.file("catalog.toml")).unwrap();
    p.write("catalog.toml", &format!("{toml}\n[list]\npage_size = 3\n"));
    let run = p.build(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let listed = |page: &str| attr(&p.page(page), "main .dataset-list a.dataset-title", "href");
    let first = listed("datasets/index.html");
    assert_eq!(first.len(), 3);
    let total = (std::fs::read_dir(p.out().join("datasets")).unwrap())
        .map(|e| e.unwrap().file_name())
        .filter(|name| {
            name != "page"
                && p.out()
                    .join("datasets")
                    .join(name)
                    .join("index.html")
                    .is_file()
        })
        .count();
    assert!(total > 6, "{total}");
    let pages = total.div_ceil(3);
    // Each page's links lead from its own folder: compared by the dataset they name.
    let id = |href: &String| {
        href.rsplit("datasets/")
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let mut seen: Vec<String> = first.iter().map(id).collect();
    for n in 2..=pages {
        let page = format!("datasets/page/{n}/index.html");
        let html = p.page(&page);
        seen.extend(listed(&page).iter().map(id));
        let current = select(&html, "main nav.pager a[aria-current=page]");
        assert_eq!(current, [format!("Сторінка {n}")], "{page}");
        let prev = if n == 2 {
            "datasets/".to_owned()
        } else {
            format!("datasets/page/{}/", n - 1)
        };
        assert_eq!(
            attr(&html, "main nav.pager a[rel=prev]", "href"),
            [format!("../../../{prev}")]
        );
        let next = attr(&html, "main nav.pager a[rel=next]", "href");
        assert_eq!(next.len(), usize::from(n < pages), "{page}");
        assert!(
            select(&html, "title")[0].contains(&format!("Сторінка {n}")),
            "{page}"
        );
    }
    assert!(!p
        .out()
        .join(format!("datasets/page/{}", pages + 1))
        .exists());
    assert!(p
        .out()
        .join(format!("en/datasets/page/{pages}/index.html"))
        .is_file());
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(
        (seen.len(), count),
        (total, total),
        "every dataset on exactly one page"
    );
    // Page 1 keeps the address the rest of the site links, and says how many there are in all.
    let intro = select(&p.page("datasets/index.html"), "main h1 + p");
    assert!(
        intro[0].contains(&format!(": {total}. Сторінка 1 з {pages}.")),
        "{intro:?}"
    );
    // Zero is no page size.
    p.write("catalog.toml", &format!("{toml}\n[list]\npage_size = 0\n"));
    let run = p.check();
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("list.page_size"), "{}", run.stdout);
}
