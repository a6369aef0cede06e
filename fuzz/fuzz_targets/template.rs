//! Page rendering with a context built from arbitrary strings: the `tests/fixtures/basic`
//! catalogue is copied once into a scratch folder, the input's strings are written into its
//! metadata (catalogue title and description, publisher name, dataset title, description,
//! keyword, English title, field title and description, a data cell), and the real pipeline runs:
//! `catalog::load` → `validate::validate` → `render::render_site` (the built-in theme).
//!
//! The property (a weaker one than full HTML well-formedness, but exact): each string is
//! written after a marker of its own, and wherever the marker shows in an HTML or XML page, the
//! text that follows it may repeat the input only up to the input's first `<` or `"` — those must come out
//! escaped (`&lt;`, `&quot;`, or `\u003c`/`\"` inside JSON-LD), so no input opens a tag, ends a
//! `<script>`, or leaves an attribute. Every JSON file of the site must parse.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use hromadata::render::{self, Content, Options, Theme};
use hromadata::{catalog, validate};
use hromadata_fuzz::scratch_dir;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

/// Put before every input string with the string's number, so its place in the output can be
/// found: `QZ3MARK` is followed by the fourth string.
fn mark(n: usize) -> String {
    format!("QZ{n}MARK")
}

#[derive(Debug, Arbitrary)]
struct Input {
    catalog_title: String,
    catalog_description: String,
    publisher_name: String,
    title: String,
    description: String,
    keyword: String,
    title_en: String,
    field_title: String,
    field_description: String,
    cell: String,
}

/// Copies the fixture catalogue into the scratch folder (once per process).
fn project() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // One thread: the machine is shared, and libFuzzer measures one thread best.
        std::env::set_var("RAYON_NUM_THREADS", "1");
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/basic");
        let to = scratch_dir().join("project");
        copy_tree(&from, &to);
        to
    })
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("the scratch project");
    for entry in std::fs::read_dir(from).expect("the fixture catalogue") {
        let entry = entry.expect("the fixture catalogue");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("the fixture copied");
        }
    }
}

fn marked(n: usize, s: &str) -> String {
    format!("{}{s}", mark(n))
}

/// A TOML basic string: JSON's escapes (`\"`, `\\`, `\n`, `\uXXXX`…) are all TOML escapes too.
fn toml_string(n: usize, s: &str) -> String {
    json!(marked(n, s)).to_string()
}

/// Writes the input into the project's files.
fn write_input(dir: &Path, input: &Input) {
    let catalog = format!(
        "base_url = \"https://data.example.org/catalogue/\"\npublisher = \"mindev\"\nlicense = \"CC-BY-4.0\"\n\n\
         [title]\nuk = {}\nen = \"Test catalogue\"\n\n[description]\nuk = {}\nen = \"A small catalogue.\"\n\n\
         [territories]\nregistry = \"publishers/mindev/registry/katottg.csv\"\nedition = \"2026-07-07\"\n",
        toml_string(0, &input.catalog_title),
        toml_string(1, &input.catalog_description),
    );
    std::fs::write(dir.join("catalog.toml"), catalog).expect("written");
    let publisher = format!(
        "edrpou = \"25512617\"\nterritory = \"UA05020030000031457\"\n\n[name]\nuk = {}\nen = \"Vinnytsia City Council\"\n",
        toml_string(2, &input.publisher_name)
    );
    let folder = dir.join("publishers/vinnytska-miska-rada");
    std::fs::write(folder.join("publisher.toml"), publisher).expect("written");
    let descriptor = folder.join("budget/datapackage.json");
    let mut d: Value = serde_json::from_slice(&std::fs::read(&descriptor).expect("read"))
        .expect("the fixture's JSON");
    d["title"] = json!(marked(3, &input.title));
    d["description"] = json!(marked(4, &input.description));
    d["keywords"] = json!([marked(5, &input.keyword)]);
    d["hromadata"]["title_en"] = json!(marked(6, &input.title_en));
    let field = &mut d["resources"][0]["schema"]["fields"][2];
    field["title"] = json!(marked(7, &input.field_title));
    field["description"] = json!(marked(8, &input.field_description));
    std::fs::write(&descriptor, d.to_string()).expect("written");
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["year", "total", "source"])
        .expect("in memory");
    csv.write_record(["2021", "4909594030.7", "fact"])
        .expect("in memory");
    csv.write_record(["2022", "12.5", &marked(9, &input.cell)])
        .expect("in memory");
    let bytes = csv.into_inner().expect("in memory");
    std::fs::write(folder.join("budget/revenues.csv"), bytes).expect("written");
}

/// The output's text after each input's marker may follow the input only up to its first `<` or
/// `"`.
fn check_escaped(path: &str, page: &str, inputs: &[&str]) {
    for (n, input) in inputs.iter().enumerate() {
        let mark = mark(n);
        for (at, _) in page.match_indices(&mark) {
            let after = &page[at + mark.len()..];
            let same = after
                .chars()
                .zip(input.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a);
            for c in same {
                assert!(
                    c != '<' && c != '"',
                    "{path}: the input {input:?} came out with a raw {c:?}: {:?}",
                    after.chars().take(200).collect::<String>()
                );
            }
        }
    }
}

fuzz_target!(|input: Input| {
    let dir = project();
    write_input(dir, &input);
    let Ok(loaded) = catalog::load(dir) else {
        return;
    };
    let Some(catalog) = loaded.catalog else {
        return;
    };
    let validated =
        validate::validate(&catalog, loaded.findings, &|_| {}).expect("the scratch files read");
    static THEME: OnceLock<Theme> = OnceLock::new();
    let theme = THEME.get_or_init(|| Theme::builtin().expect("the built-in theme"));
    let options = Options {
        base_url: "https://data.example.org/catalogue/".into(),
        build_date: None,
        today: None,
    };
    let site = render::render_site(&catalog, &validated, theme, &options)
        .expect("the built-in theme renders any catalogue");
    let inputs = [
        input.catalog_title.as_str(),
        &input.catalog_description,
        &input.publisher_name,
        &input.title,
        &input.description,
        &input.keyword,
        &input.title_en,
        &input.field_title,
        &input.field_description,
        &input.cell,
    ];
    for (path, content) in &site {
        let Content::Bytes(bytes) = content else {
            continue;
        };
        let ext = path.rsplit('.').next().unwrap_or_default();
        match ext {
            "html" | "xml" | "rdf" | "svg" | "atom" => {
                let text = std::str::from_utf8(bytes).expect("pages are UTF-8");
                check_escaped(path, text, &inputs);
            }
            "json" | "jsonld" => {
                serde_json::from_slice::<Value>(bytes)
                    .unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
            }
            _ => {}
        }
    }
});
