//! Incremental builds: the build cache (`.hromadata-cache/<site>` beside the site) turns a build
//! of an unchanged source into "up to date", and every rebuild — after a changed CSV, descriptor,
//! template or a site edited by hand — gives exactly the bytes a clean build gives.

use crate::support::{run, tree, Project};

const REVENUES: &str = "publishers/vinnytska-miska-rada/budget/revenues.csv";

/// A clean build of `p`'s source (no cache, new folder) with `extra` options: the reference.
fn clean_build(p: &Project, extra: &[&str]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let out = p.dir.path().join("clean");
    let _ = std::fs::remove_dir_all(&out);
    let (src, o) = (p.src(), out.to_str().unwrap().to_owned());
    let mut args = vec!["build", "--no-cache", "--source", src.to_str().unwrap()];
    args.extend(["--out", &o]);
    args.extend_from_slice(extra);
    let r = run(&args, p.dir.path());
    let want = if extra.contains(&"--keep-going") {
        1
    } else {
        0
    };
    assert_eq!(r.code, want, "{}{}", r.stdout, r.stderr);
    tree(&out)
}

fn built(p: &Project, extra: &[&str]) -> crate::support::Run {
    let r = p.build(extra);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    r
}

fn up_to_date(r: &crate::support::Run) -> bool {
    r.stderr.contains("up to date")
}

#[test]
fn an_unchanged_source_is_up_to_date_and_a_change_rebuilds_exactly() {
    let p = Project::fixture("basic");
    let first = built(&p, &[]);
    assert!(!up_to_date(&first), "{}", first.stderr);
    assert!(p.dir.path().join(".hromadata-cache/site/state").is_file());
    let site = tree(&p.out());
    // Nothing changed: the same report, the same exit code, the site untouched.
    let again = built(&p, &[]);
    assert!(up_to_date(&again), "{}", again.stderr);
    assert_eq!(again.stdout, first.stdout);
    assert_eq!(tree(&p.out()), site);
    // A file rewritten with the same bytes (new times): hashed again, still up to date.
    let same = std::fs::read(p.file(REVENUES)).unwrap();
    std::fs::write(p.file(REVENUES), &same).unwrap();
    assert!(up_to_date(&built(&p, &[])));
    assert!(up_to_date(&built(&p, &[])));
    // One cell of one CSV: rebuilt, equal to a clean build, most files kept (linked).
    p.edit(REVENUES, "2022,5735142140.24", "2022,5735142141.24");
    let changed = built(&p, &[]);
    assert!(!up_to_date(&changed), "{}", changed.stderr);
    assert!(changed.stderr.contains(" unchanged)"), "{}", changed.stderr);
    let incremental = tree(&p.out());
    assert_ne!(incremental, site);
    assert_eq!(incremental, clean_build(&p, &[]));
    // A descriptor's title: the same.
    p.edit(
        "publishers/vinnytska-miska-rada/budget/datapackage.json",
        "\"title\": \"Доходи бюджету громади\"",
        "\"title\": \"Доходи бюджету громади (уточнено)\"",
    );
    assert!(!up_to_date(&built(&p, &[])));
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    assert!(up_to_date(&built(&p, &[])));
}

#[test]
fn files_made_from_metadata_alone_stand_when_only_a_csv_changed() {
    let p = Project::fixture("basic");
    built(&p, &[]);
    // The memo's key of each catalogue-wide file, as the last build recorded it.
    let keys = || -> serde_json::Value {
        let reuse = hromadata::cache::reuse::load(&p.dir.path().join(".hromadata-cache/site"));
        let key = |path: &str| serde_json::Value::from(reuse.pages[path].0.clone());
        let from_metadata = [
            "feed.atom",
            "publishers/vinnytska-miska-rada/feed.atom",
            "search/uk/docs/0.json",
            "search/en/meta.json",
        ];
        let from_all = [
            "publishers/vinnytska-miska-rada/register.csv",
            "catalog.ttl",
        ];
        serde_json::json!({"metadata": from_metadata.map(key), "all": from_all.map(key)})
    };
    let before = keys();
    assert!(
        before["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k.is_string()),
        "{before}"
    );
    p.edit(REVENUES, "2022,5735142140.24", "2022,5735142141.24");
    built(&p, &[]);
    let after = keys();
    assert_eq!(
        after["metadata"], before["metadata"],
        "a feed or the search index says nothing of a CSV's cells"
    );
    for (a, b) in after["all"]
        .as_array()
        .unwrap()
        .iter()
        .zip(before["all"].as_array().unwrap())
    {
        assert_ne!(
            a, b,
            "a register and the DCAT catalogue give the file's hash"
        );
    }
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    // A title is metadata: the feeds and the search index say the new one.
    p.edit(
        "publishers/vinnytska-miska-rada/budget/datapackage.json",
        "Доходи бюджету громади",
        "Доходи бюджету міста",
    );
    built(&p, &[]);
    assert_ne!(keys()["metadata"], after["metadata"]);
    for path in ["feed.atom", "search/uk/docs/0.json"] {
        let text = std::fs::read_to_string(p.out().join(path)).unwrap();
        assert!(text.contains("Доходи бюджету міста"), "{path}");
    }
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
}

#[test]
fn catalogue_wide_files_take_unchanged_datasets_parts_from_the_last_build() {
    let p = Project::fixture("basic");
    built(&p, &[]);
    let spans = || -> serde_json::Value {
        let reuse = hromadata::cache::reuse::load(&p.dir.path().join(".hromadata-cache/site"));
        serde_json::to_value(&reuse.spans).unwrap()
    };
    // Each spliced file records where each valid dataset's part lies: the registry's row of
    // `datasets.csv` and its resources in `datapackage.json` are there.
    let part = |path: &str, id: &str| -> String {
        let (start, len) = (spans()[path][id][1].as_u64(), spans()[path][id][2].as_u64());
        let (start, len) = (start.unwrap() as usize, len.unwrap() as usize);
        let bytes = std::fs::read(p.out().join(path)).unwrap();
        String::from_utf8(bytes[start..start + len].to_vec()).unwrap()
    };
    assert!(part("datasets.csv", "katottg-sample").starts_with("katottg-sample,"));
    assert!(part("resources.csv", "vinnytsia-budget").starts_with("vinnytsia-budget,revenues,"));
    let package = part("datapackage.json", "katottg-sample");
    assert!(
        package.starts_with('{') && package.ends_with('}'),
        "{package}"
    );
    assert!(
        package.contains("\"dataset\": \"katottg-sample\""),
        "{package}"
    );
    // A changed CSV: the budget's parts are made again, the registry's read back.
    let before = spans();
    p.edit(REVENUES, "2022,5735142140.24", "2022,5735142141.24");
    built(&p, &[]);
    let after = spans();
    for path in ["datapackage.json", "datasets.csv", "resources.csv"] {
        assert_eq!(
            after[path]["katottg-sample"],
            before[path]["katottg-sample"]
        );
        assert_ne!(
            after[path]["vinnytsia-budget"][0],
            before[path]["vinnytsia-budget"][0]
        );
    }
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    // Defaced by hand (the same size): no part of it is read back.
    for path in ["datapackage.json", "datasets.csv"] {
        let size = std::fs::metadata(p.out().join(path)).unwrap().len() as usize;
        std::fs::write(p.out().join(path), "x".repeat(size)).unwrap();
    }
    p.edit(REVENUES, "2022,5735142141.24", "2022,5735142142.24");
    built(&p, &[]);
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
}

/// The "N of M datasets as at the last build" part of the build's message: N.
fn kept(r: &crate::support::Run) -> Option<usize> {
    let (_, rest) = r.stderr.split_once("; ")?;
    let (n, rest) = rest.split_once(" of ")?;
    rest.contains("datasets as at the last build")
        .then(|| n.parse().ok())
        .flatten()
}

#[test]
fn a_catalogue_rebuilt_after_one_csv_of_many_changed_equals_a_clean_build() {
    // The embedded catalogue: with one dataset of 29 rendered again, its DCAT files are made
    // beside the pages (`render::lane`) and added after them; the site is a clean build's.
    let p = Project::copy_of(&crate::support::repo().join("datasets"));
    built(&p, &[]);
    let before = tree(&p.out());
    let csv = "publishers/kosivska-miska-rada/kosiv-condominiums/data/condominiums.csv";
    let row = "UA26100010000076570,Косівська,2015,";
    p.edit(csv, &format!("{row}9\n"), &format!("{row}10\n"));
    let changed = built(&p, &[]);
    assert_eq!(kept(&changed), Some(28), "{}", changed.stderr);
    let after = tree(&p.out());
    assert_ne!(after, before);
    assert_eq!(after, clean_build(&p, &[]));
}

#[test]
fn unchanged_datasets_are_kept_and_a_defaced_one_is_rendered_again() {
    let p = Project::fixture("basic");
    let first = built(&p, &[]);
    assert_eq!(kept(&first), None, "nothing to keep in a first build");
    // One CSV of the budget: the other dataset (the registry) is kept, not validated again.
    p.edit(REVENUES, "2022,5735142140.24", "2022,5735142141.24");
    let changed = built(&p, &[]);
    assert_eq!(kept(&changed), Some(1), "{}", changed.stderr);
    let files = |r: &crate::support::Run| -> Option<usize> {
        let (_, rest) = r.stderr.split_once("validating: ")?;
        rest.split_once(" to do")?.0.parse().ok()
    };
    assert!(files(&changed) < files(&first), "{}", changed.stderr);
    // The DCAT catalogues' pages are memoised by their datasets' fingerprints.
    let reuse = hromadata::cache::reuse::load(&p.dir.path().join(".hromadata-cache/site"));
    let reuse = serde_json::json!({ "pages": serde_json::to_value(&reuse.pages).unwrap() });
    for page in [
        "catalog.ttl",
        "catalog.jsonld",
        "publishers/mindev/catalog.ttl",
        // ... and so are the publishers' feeds and registers.
        "publishers/vinnytska-miska-rada/feed.atom",
        "publishers/mindev/register.csv",
        "publishers/mindev/register.json",
    ] {
        assert!(
            reuse["pages"].get(page).is_some(),
            "{page}: {}",
            reuse["pages"]
        );
    }
    // So are the pages made from the whole catalogue, by their template and context.
    let memoised =
        |prefix: &str| (reuse["pages"].as_object().unwrap().keys()).any(|k| k.starts_with(prefix));
    for prefix in [
        "index.html",
        "en/publishers/mindev/",
        "hromadas/",
        "raions/",
        "search/uk/meta.json",
    ] {
        assert!(memoised(prefix), "{prefix}: {}", reuse["pages"]);
    }
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    // Memoised files defaced by hand (a page, a file of the search index), then a CSV changed:
    // made again.
    for page in ["en/publishers/mindev/index.html", "search/en/meta.json"] {
        std::fs::write(p.out().join(page), "defaced").unwrap();
    }
    p.edit(REVENUES, "2022,5735142141.24", "2022,5735142142.24");
    built(&p, &[]);
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    p.edit(REVENUES, "2022,5735142142.24", "2022,5735142141.24");
    built(&p, &[]);
    // The kept dataset's page defaced by hand: rendered again (its stamp differs), the budget kept.
    let page = p.out().join("datasets/katottg-sample/index.html");
    std::fs::write(&page, "defaced").unwrap();
    let repaired = built(&p, &[]);
    assert_eq!(kept(&repaired), Some(1), "{}", repaired.stderr);
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    // A dataset's title is in its publisher's and territories' feeds and register: made again.
    let budget = "publishers/vinnytska-miska-rada/budget/datapackage.json";
    p.edit(budget, "Доходи бюджету громади", "Доходи бюджету міста");
    let retitled = built(&p, &[]);
    assert_eq!(kept(&retitled), Some(1), "{}", retitled.stderr);
    let feed = std::fs::read_to_string(p.out().join("publishers/vinnytska-miska-rada/feed.atom"));
    assert!(feed.unwrap().contains("Доходи бюджету міста"));
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    // catalog.toml is every dataset's input: nothing kept.
    p.edit(
        "catalog.toml",
        "Тестовий каталог",
        "Тестовий каталог (новий)",
    );
    let all = built(&p, &[]);
    assert_eq!(kept(&all), None, "{}", all.stderr);
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    // A dataset with findings, published with --keep-going, is never kept: with the site
    // defaced (so not up to date), the registry is kept and the budget validated again.
    p.edit(REVENUES, "2022,5735142141.24", "2022,lots");
    assert_eq!(p.build(&["--keep-going"]).code, 1);
    std::fs::write(p.out().join("index.html"), "defaced").unwrap();
    let again = p.build(&["--keep-going"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert_eq!(kept(&again), Some(1), "{}", again.stderr);
    assert!(again.stdout.contains("lots"), "{}", again.stdout);
    assert_eq!(tree(&p.out()), clean_build(&p, &["--keep-going"]));
}

#[test]
fn options_the_theme_and_a_hand_edited_site_are_part_of_the_key() {
    let p = Project::fixture("basic");
    built(&p, &[]);
    // Another option: rebuilt.
    let dated = built(&p, &["--today", "2030-01-01"]);
    assert!(!up_to_date(&dated), "{}", dated.stderr);
    assert_eq!(tree(&p.out()), clean_build(&p, &["--today", "2030-01-01"]));
    // A template of a theme copy: rebuilt.
    let theme = p.dir.path().join("theme");
    crate::support::copy_dir(&crate::support::repo().join("themes/default"), &theme);
    let theme_arg = ["--theme", theme.to_str().unwrap()];
    built(&p, &theme_arg);
    assert!(up_to_date(&built(&p, &theme_arg)));
    let base = theme.join("templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replace(
            "<footer class=\"site-footer\">",
            "<footer class=\"site-footer custom\">",
        ),
    )
    .unwrap();
    assert!(!up_to_date(&built(&p, &theme_arg)));
    assert_eq!(tree(&p.out()), clean_build(&p, &theme_arg));
    // A page of the site changed, or a file removed, by hand: rebuilt, not trusted.
    std::fs::write(p.out().join("index.html"), "defaced").unwrap();
    assert!(!up_to_date(&built(&p, &theme_arg)));
    assert_eq!(tree(&p.out()), clean_build(&p, &theme_arg));
    std::fs::remove_file(p.out().join("robots.txt")).unwrap();
    assert!(!up_to_date(&built(&p, &theme_arg)));
    assert!(p.out().join("robots.txt").is_file());
}

/// Every file of the site with its inode: a file the build kept keeps its inode (it is linked
/// from the last build), a file made again gets a new one.
fn inodes(site: &std::path::Path) -> std::collections::BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt as _;
    (walkdir::WalkDir::new(site).into_iter().map(Result::unwrap))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(site).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                e.metadata().unwrap().ino(),
            )
        })
        .collect()
}

/// The pages (`index.html`) written again between two listings of `inodes`.
fn pages_made_again(
    before: &std::collections::BTreeMap<String, u64>,
    after: &std::collections::BTreeMap<String, u64>,
) -> Vec<String> {
    (after.iter())
        .filter(|(path, ino)| path.ends_with("index.html") && before.get(*path) != Some(ino))
        .map(|(path, _)| path.clone())
        .collect()
}

#[test]
fn a_template_edit_renders_again_only_the_pages_that_template_reaches() {
    let p = Project::fixture("basic");
    let theme = p.dir.path().join("theme");
    crate::support::copy_dir(&crate::support::repo().join("themes/default"), &theme);
    let theme_arg = ["--theme", theme.to_str().unwrap()];
    let edit = |template: &str, from: &str, to: &str| {
        let path = theme.join("templates").join(template);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{template} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    built(&p, &theme_arg);
    let territorial = |path: &str| {
        let path = path.strip_prefix("en/").unwrap_or(path);
        ["hromadas/", "raions/", "oblasts/"]
            .iter()
            .any(|t| path.starts_with(t))
    };
    // The territories' template: their pages alone are made again; both datasets are kept.
    let before = inodes(&p.out());
    edit("territory.html", "<h1>", "<h1 class=\"edited\">");
    let r = built(&p, &theme_arg);
    assert_eq!(kept(&r), Some(2), "{}", r.stderr);
    let again = pages_made_again(&before, &inodes(&p.out()));
    assert!(
        again.len() > 4 && again.iter().all(|p| territorial(p)),
        "{again:?}"
    );
    let pages = |p: &&String| territorial(p) && p.ends_with("index.html");
    assert_eq!(again.len(), before.keys().filter(pages).count());
    assert_eq!(tree(&p.out()), clean_build(&p, &theme_arg));
    // A full table's template: the datasets are rendered again, the catalogue's pages stand.
    let before = inodes(&p.out());
    edit("table.html", "<h1>", "<h1 class=\"edited\">");
    let r = built(&p, &theme_arg);
    assert_eq!(kept(&r), None, "{}", r.stderr);
    let again = pages_made_again(&before, &inodes(&p.out()));
    assert!(again.iter().any(|p| p.contains("/table/")), "{again:?}");
    assert!(again
        .iter()
        .all(|p| p.starts_with("datasets/") || p.starts_with("en/datasets/")));
    assert_eq!(tree(&p.out()), clean_build(&p, &theme_arg));
    // The macros the catalogue pages import, and the dataset pages through chart.html: every
    // page is made again.
    let before = inodes(&p.out());
    edit(
        "macros.html",
        "<ul class=\"dataset-list\">",
        "<ul class=\"dataset-list edited\">",
    );
    built(&p, &theme_arg);
    let again = pages_made_again(&before, &inodes(&p.out()));
    assert!(again.contains(&"index.html".to_owned()) && again.iter().any(|p| territorial(p)));
    assert_eq!(tree(&p.out()), clean_build(&p, &theme_arg));
    // A template named at render time may be any: a template added to the theme reaches the
    // pages of the one that names it so.
    edit(
        "publisher.html",
        "{% block content %}",
        "{% block content %}{% include (\"ext\" ~ \"ra.html\") ignore missing %}",
    );
    built(&p, &theme_arg);
    std::fs::write(
        theme.join("templates/extra.html"),
        "<p class=\"extra\">extra</p>",
    )
    .unwrap();
    let r = built(&p, &theme_arg);
    assert_eq!(kept(&r), Some(2), "{}", r.stderr);
    let page = scraper::Html::parse_document(
        &std::fs::read_to_string(p.out().join("publishers/mindev/index.html")).unwrap(),
    );
    assert_eq!(crate::support::select(&page, "main p.extra"), ["extra"]);
    assert_eq!(tree(&p.out()), clean_build(&p, &theme_arg));
}

#[test]
fn the_cache_can_be_placed_or_left_out_and_a_damaged_one_is_ignored() {
    let p = Project::fixture("basic");
    let cache = p.dir.path().join("elsewhere");
    built(&p, &["--cache", cache.to_str().unwrap()]);
    assert!(cache.join("state").is_file());
    assert!(!p.dir.path().join(".hromadata-cache").exists());
    assert!(up_to_date(&built(
        &p,
        &["--cache", cache.to_str().unwrap()]
    )));
    // Damaged: a full build, which repairs it.
    std::fs::write(cache.join("state"), "garbage\nline\n").unwrap();
    assert!(!up_to_date(&built(
        &p,
        &["--cache", cache.to_str().unwrap()]
    )));
    assert!(up_to_date(&built(
        &p,
        &["--cache", cache.to_str().unwrap()]
    )));
    // --no-cache neither reads nor writes one.
    let q = Project::fixture("basic");
    built(&q, &["--no-cache"]);
    assert!(!up_to_date(&built(&q, &["--no-cache"])));
    assert!(!q.dir.path().join(".hromadata-cache").exists());
    let both = q.build(&["--no-cache", "--cache", "x"]);
    assert_eq!(both.code, 2, "{}", both.stderr);
}

#[test]
fn findings_published_with_keep_going_are_replayed() {
    let p = Project::fixture("basic");
    p.edit(REVENUES, "2022,5735142140.24", "2022,lots");
    let first = p.build(&["--keep-going"]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let again = p.build(&["--keep-going"]);
    assert_eq!(again.code, 1);
    assert!(up_to_date(&again), "{}", again.stderr);
    assert_eq!(again.stdout, first.stdout);
    // Without --keep-going nothing is published, whatever the cache says.
    let strict = p.build(&[]);
    assert_eq!(strict.code, 1);
    assert!(
        strict.stderr.contains("nothing published"),
        "{}",
        strict.stderr
    );
}

#[test]
fn timings_name_every_stage_and_the_peak_memory() {
    let p = Project::fixture("basic");
    let line = |r: &crate::support::Run| {
        (r.stderr.lines())
            .find(|l| l.starts_with("timings: "))
            .unwrap_or_else(|| panic!("no timings line in {}", r.stderr))
            .to_owned()
    };
    let cold = line(&built(&p, &["--timings", "--no-cache"]));
    let stages = [
        "load ",
        "prepare ",
        "validate ",
        "render + write ",
        "swap ",
        "total ",
    ];
    for stage in stages {
        assert!(cold.contains(stage), "{stage} missing from {cold}");
    }
    let peak = (cold.split("peak memory ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|mib| mib.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no peak memory in {cold}"));
    assert!((1..4096).contains(&peak), "{cold}");
    // Without the option, nothing of it.
    assert!(!built(&p, &[]).stderr.contains("timings:"));
}

#[test]
fn the_replaced_site_is_recycled_and_what_is_gone_is_swept() {
    let p = Project::fixture("basic");
    let retired = p.dir.path().join(".site.retired");
    built(&p, &[]);
    assert!(!retired.exists(), "a first build has nothing to retire");
    p.edit(REVENUES, "2022,5735142140.24", "2022,5735142141.24");
    built(&p, &[]);
    assert!(
        retired.join(".hromadata-site").is_file(),
        "the replaced site is kept"
    );
    // A dataset removed: the next build starts from the retired site and sweeps its files.
    let budget = p.file("publishers/vinnytska-miska-rada/budget");
    let aside = p.dir.path().join("budget-aside");
    std::fs::rename(&budget, &aside).unwrap();
    built(&p, &[]);
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    // ... and back.
    std::fs::rename(&aside, &budget).unwrap();
    built(&p, &[]);
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    // (That build wrote more than it kept: the site it replaced was removed, not retired.)
    assert!(!retired.exists());
    p.edit(REVENUES, "2022,5735142141.24", "2022,5735142140.24");
    built(&p, &[]);
    // The retired site tampered with — a page replaced, a stray file, a folder where a page
    // goes: none of it reaches the site.
    let page = retired.join("datasets/katottg-sample/index.html");
    std::fs::remove_file(&page).unwrap();
    std::fs::write(&page, "tampered").unwrap();
    std::fs::write(retired.join("stray.txt"), "stray").unwrap();
    let index = retired.join("en/index.html");
    std::fs::remove_file(&index).unwrap();
    std::fs::create_dir(&index).unwrap();
    p.edit(REVENUES, "2022,5735142140.24", "2022,5735142142.24");
    built(&p, &[]);
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    assert!(!tree(&p.out()).contains_key("stray.txt"));
    // The files the new site shares with the old one were not written through: the site it
    // replaced, now retired, is byte for byte what was published.
    let before = tree(&p.out());
    p.edit(REVENUES, "2022,5735142142.24", "2022,5735142143.24");
    built(&p, &[]);
    assert_eq!(tree(&p.out()), clean_build(&p, &[]));
    assert_eq!(tree(&retired), before);
}
