//! Publishing: the previous site survives failed builds, foreign folders are never touched,
//! rebuilds are byte-identical, `--keep-going` publishes with broken datasets marked.

use crate::support::{attr, select, tree, Project};

const REVENUES: &str = "publishers/vinnytska-miska-rada/budget/revenues.csv";

/// The folders beside the site, but the build cache (`.hromadata-cache`, tested in `incremental`).
fn siblings(p: &Project) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(p.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != ".hromadata-cache")
        .collect();
    names.sort();
    names
}

#[test]
fn failed_build_leaves_the_published_site_untouched() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let before = tree(&p.out());
    p.edit(REVENUES, "2022,5735142140.24", "2022,lots");
    let run = p.build(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("nothing published"), "{}", run.stderr);
    assert_eq!(tree(&p.out()), before);
    assert_eq!(
        siblings(&p),
        ["site", "src"],
        "no staging folder is left behind"
    );
    // A broken theme is an operational error: exit 2, site untouched.
    let theme = p.dir.path().join("theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    p.edit(REVENUES, "2022,lots", "2022,1");
    let run = p.build(&["--theme", theme.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(tree(&p.out()), before);
}

#[test]
fn rebuilds_are_byte_identical() {
    let p = Project::fixture("basic");
    assert_eq!(p.build(&[]).code, 0);
    let first = tree(&p.out());
    assert_eq!(p.build(&[]).code, 0);
    assert_eq!(tree(&p.out()), first);
    assert_eq!(siblings(&p), ["site", "src"]);
}

#[test]
fn foreign_output_folder_is_refused() {
    let p = Project::fixture("basic");
    std::fs::create_dir(p.out()).unwrap();
    std::fs::write(p.out().join("thesis.tex"), "years of work").unwrap();
    let run = p.build(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("was not made by hromadata"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(p.out().join("thesis.tex")).unwrap(),
        "years of work"
    );
}

#[test]
fn output_inside_source_is_refused() {
    let p = Project::fixture("basic");
    let out = p.src().join("site");
    let run = crate::support::run(
        &[
            "build",
            "--source",
            p.src().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        p.dir.path(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!out.exists());
}

#[test]
fn keep_going_publishes_with_the_dataset_marked_invalid() {
    let p = Project::fixture("basic");
    p.edit(REVENUES, "2022,5735142140.24", "2022,lots");
    let run = p.build(&["--keep-going"]);
    assert_eq!(run.code, 1, "findings still fail the run");
    let page = p.page("datasets/vinnytsia-budget/index.html");
    assert_eq!(attr(&page, "p.status", "class"), ["status status-invalid"]);
    // Findings are shown in the page's language.
    assert!(
        select(&page, ".findings pre")
            .iter()
            .any(|f| f.contains("рядок 3") && f.contains("`total`") && f.contains("очікувалося")),
        "{:?}",
        select(&page, ".findings pre")
    );
    let en = p.page("en/datasets/vinnytsia-budget/index.html");
    assert!(select(&en, ".findings pre")
        .iter()
        .any(|f| f.contains("row 3") && f.contains("expected")));
    let list = p.page("datasets/index.html");
    assert_eq!(select(&list, ".badge-invalid").len(), 1);
}

#[test]
fn theme_copy_is_used() {
    let p = Project::fixture("basic");
    let theme = p.dir.path().join("theme");
    crate::support::copy_dir(&crate::support::repo().join("themes/default"), &theme);
    let base = theme.join("templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap().replace(
        "<footer class=\"site-footer\">",
        "<footer class=\"site-footer custom\">",
    );
    std::fs::write(&base, text).unwrap();
    let run = p.build(&["--theme", theme.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        crate::support::select(&p.page("index.html"), "footer.custom").len(),
        1
    );
    // Strict undefined: a template naming a missing variable fails the build with exit 2.
    std::fs::write(
        theme.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}{{ no_such_thing }}{% endblock %}",
    )
    .unwrap();
    let run = p.build(&["--theme", theme.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("404.html"), "{}", run.stderr);
    // Pages render from a copy with the messages written in; an error there names the line of
    // the theme's own template, below messages written in above it and on it.
    let default_404 = crate::support::repo().join("themes/default/templates/404.html");
    std::fs::copy(default_404, theme.join("templates/404.html")).unwrap();
    let page = theme.join("templates/dataset.html");
    let about = "<h2 id=\"about-dataset\">{{ t(\"dataset.about\") }}";
    let text = std::fs::read_to_string(&page).unwrap();
    let line = 1 + text.lines().position(|l| l.starts_with(about)).unwrap();
    let broken = format!("{about}{{{{ t(\"home\") }}}}{{{{ no_such_thing }}}}");
    std::fs::write(&page, text.replacen(about, &broken, 1)).unwrap();
    let run = p.build(&["--theme", theme.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let at = format!("(in dataset.html:{line})");
    assert!(run.stderr.contains(&at), "{at}: {}", run.stderr);
}
