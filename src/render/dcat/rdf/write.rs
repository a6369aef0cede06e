//! Stage 4, render: the two serialisations of an RDF graph (`super::Graph`), written from its
//! triples grouped by subject and sorted (`super::Group`): Turtle with the `PREFIXES`, and compact
//! JSON-LD byte for byte as `serde_json` would write the same document. Invariant: both carry
//! exactly the triples they are given, in the order given.

use std::fmt::Write as _;

use super::{Group, Node, Object, Tag, PREFIXES, RDF_TYPE};

/// What a document is written from, in subject order: a subject's grouped triples, or a block of
/// subjects written before (`super::Block`: one dataset's own nodes, the same bytes wherever its
/// description is written).
pub(super) enum Item<'g> {
    Group(&'g Group<'g>),
    Block(&'g super::Block),
}

/// Grouped triples (`Graph::subjects`) and blocks as Turtle, with the `PREFIXES`.
pub(super) fn turtle(items: &[Item<'_>]) -> Vec<u8> {
    let mut out = String::with_capacity(capacity(&Bound::TURTLE, items, |b| b.turtle.len()));
    for (prefix, ns) in PREFIXES {
        let _ = writeln!(out, "@prefix {prefix}: <{ns}> .");
    }
    for item in items {
        match item {
            Item::Group(group) => turtle_subject(&mut out, group),
            Item::Block(block) => out.push_str(&block.turtle),
        }
    }
    out.into_bytes()
}

/// Grouped triples as Turtle subjects alone, without the `PREFIXES` (a block's text).
pub(super) fn turtle_body(subjects: &[Group<'_>]) -> String {
    let mut out = String::with_capacity(Bound::TURTLE.of(subjects));
    for group in subjects {
        turtle_subject(&mut out, group);
    }
    out
}

/// One subject with its triples, after a blank line.
fn turtle_subject(out: &mut String, (s, list): &Group<'_>) {
    out.push('\n');
    push_turtle_node(out, s);
    let mut last: Option<&str> = None;
    for &(p, o) in list {
        if last == Some(p) {
            out.push_str(" ,\n        ");
        } else {
            out.push_str(if last.is_some() { " ;\n    " } else { "\n    " });
            if p == RDF_TYPE {
                out.push('a');
            } else {
                push_turtle_iri(out, p);
            }
            out.push(' ');
        }
        push_turtle_object(out, o);
        last = Some(p);
    }
    out.push_str(" .\n");
}

/// Grouped triples and blocks as compact JSON-LD text: a `@context` of the `PREFIXES` and a
/// `@graph` of node objects whose keys are compact IRIs and whose values are in expanded form.
/// `rename` may replace IRIs of the groups (the JSON-LD pages of a paged catalogue link each
/// other, not the Turtle pages); a block was written without (it names no catalogue page).
///
/// Compact, one line: a harvester reads it, a person reads the Turtle. Indented, a national
/// catalogue's JSON-LD was 1.5 GB, 45 % of it white space. Written as it is walked, the way
/// serde_json writes compact JSON (strings escaped by serde_json itself), with no tree of values
/// in between.
pub(super) fn jsonld(items: &[Item<'_>], rename: &dyn Fn(&str) -> Option<String>) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity(&Bound::JSONLD, items, |b| b.jsonld.len() + 1));
    out.extend_from_slice(b"{\"@context\":{");
    for (i, (prefix, ns)) in PREFIXES.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(&mut out, prefix);
        out.push(b':');
        json_str(&mut out, ns);
    }
    out.extend_from_slice(b"},\"@graph\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match item {
            Item::Group(group) => jsonld_subject(&mut out, group, rename),
            Item::Block(block) => out.extend_from_slice(&block.jsonld),
        }
    }
    out.extend_from_slice(b"]}\n");
    out
}

/// Grouped triples as the `@graph`'s node objects alone, comma-separated (a block's text).
pub(super) fn jsonld_body(subjects: &[Group<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(Bound::JSONLD.of(subjects));
    for (i, group) in subjects.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        jsonld_subject(&mut out, group, &|_| None);
    }
    out
}

/// One subject's node object.
fn jsonld_subject(
    out: &mut Vec<u8>,
    (Node::Iri(id), list): &Group<'_>,
    rename: &dyn Fn(&str) -> Option<String>,
) {
    out.extend_from_slice(b"{\"@id\":");
    json_iri(out, id, rename);
    // The objects of one predicate are next to each other (the triples are sorted).
    for run in list.chunk_by(|a, b| a.0 == b.0) {
        let p = run[0].0;
        out.push(b',');
        if p == RDF_TYPE {
            out.extend_from_slice(b"\"@type\"");
        } else {
            json_compact(out, p);
        }
        out.extend_from_slice(b":[");
        for (j, (_, o)) in run.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            json_value(out, p, o, rename);
        }
        out.push(b']');
    }
    out.push(b'}');
}

/// The buffer for `items`: the bound of the groups, and the blocks' lengths as they are.
fn capacity(bound: &Bound, items: &[Item<'_>], block: impl Fn(&super::Block) -> usize) -> usize {
    (items.iter()).fold(bound.fixed, |n, item| match item {
        Item::Group(group) => n + bound.of_group(group),
        Item::Block(b) => n + block(b),
    })
}

/// The bytes a serialisation writes at most around its texts, so that its buffer is allocated
/// once: a catalogue page of a thousand datasets (5 MB) outgrew a per-triple guess every time,
/// and each doubling copied the page and touched fresh memory (a tenth of a national build's
/// DCAT time). Texts are counted with an eighth more for escapes; only text made mostly of
/// characters to escape (or a long `rename`d IRI) can still make the buffer grow.
struct Bound {
    /// The document's head and tail (prefixes, `@context`), and room for renamed IRIs.
    fixed: usize,
    /// Around a subject's IRI.
    subject: usize,
    /// Around a triple's predicate IRI (counted whole, though most are compacted).
    predicate: usize,
    /// Around an IRI object.
    iri: usize,
    /// Around a literal's text, its language tag or its datatype IRI.
    literal: usize,
}

impl Bound {
    /// `\n<s> .\n`; ` ,\n` and eight spaces, `<p> `; `<o>`; `"…"^^<d>`.
    const TURTLE: Bound = Bound {
        fixed: 1024,
        subject: 6,
        predicate: 14,
        iri: 2,
        literal: 6,
    };
    /// `,{"@id":"s"}`; `,"p":[]`; `,{"@id":"o"}`;
    /// `,{"@value":"…","@language":"…"}` or `,"@type":"d"`.
    const JSONLD: Bound = Bound {
        fixed: 4096,
        subject: 12,
        predicate: 7,
        iri: 12,
        literal: 30,
    };

    fn of(&self, subjects: &[Group<'_>]) -> usize {
        (subjects.iter()).fold(self.fixed, |n, group| n + self.of_group(group))
    }

    /// Around one subject and its triples.
    fn of_group(&self, (Node::Iri(s), list): &Group<'_>) -> usize {
        let object = |o: &Object| match o {
            Object::Node(Node::Iri(i)) => self.iri + i.len(),
            Object::Literal(text, tag) => {
                let tag = match tag {
                    Tag::None => 0,
                    Tag::Lang(l) => l.len(),
                    Tag::Datatype(d) => d.len(),
                };
                self.literal + text.len() + text.len() / 8 + tag
            }
        };
        let triples: usize = (list.iter())
            .map(|(p, o)| self.predicate + p.len() + object(o))
            .sum();
        self.subject + s.len() + triples
    }
}

/// An object in JSON-LD's expanded form: a class of `@type` (compacted when it can be),
/// `{"@id": …}`, or `{"@value": …}` with its `@language` or `@type`.
fn json_value(out: &mut Vec<u8>, p: &str, o: &Object, rename: &dyn Fn(&str) -> Option<String>) {
    match (p, o) {
        (RDF_TYPE, Object::Node(Node::Iri(c))) => {
            if !push_compact_json(out, c) {
                json_iri(out, c, rename);
            }
        }
        (_, Object::Node(Node::Iri(n))) => {
            out.extend_from_slice(b"{\"@id\":");
            json_iri(out, n, rename);
            out.push(b'}');
        }
        (_, Object::Literal(text, tag)) => {
            out.extend_from_slice(b"{\"@value\":");
            json_str(out, text);
            match tag {
                Tag::None => {}
                Tag::Lang(l) => {
                    out.extend_from_slice(b",\"@language\":");
                    json_str(out, l);
                }
                Tag::Datatype(d) => {
                    out.extend_from_slice(b",\"@type\":");
                    json_compact(out, d);
                }
            }
            out.push(b'}');
        }
    }
}

/// A JSON string, escaped as serde_json escapes it.
fn json_str(out: &mut Vec<u8>, text: &str) {
    // Writing to a Vec cannot fail, and a str is always serialisable.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// An IRI as a JSON string, renamed when `rename` says so.
fn json_iri(out: &mut Vec<u8>, iri: &str, rename: &dyn Fn(&str) -> Option<String>) {
    match rename(iri) {
        Some(renamed) => json_str(out, &renamed),
        None => json_str(out, iri),
    }
}

/// `"prefix:local"` when the IRI compacts, else the IRI as a JSON string.
fn json_compact(out: &mut Vec<u8>, iri: &str) {
    if !push_compact_json(out, iri) {
        json_str(out, iri);
    }
}

/// Writes `"prefix:local"` (nothing to escape: a prefix and a plain name) when `iri` compacts.
fn push_compact_json(out: &mut Vec<u8>, iri: &str) -> bool {
    let Some((prefix, local)) = compact_parts(iri) else {
        return false;
    };
    out.push(b'"');
    out.extend_from_slice(prefix.as_bytes());
    out.push(b':');
    out.extend_from_slice(local.as_bytes());
    out.push(b'"');
    true
}

/// `(prefix, local)` when `iri` is in a known namespace and the local part is a plain name;
/// the first such namespace of `PREFIXES`.
fn compact_parts(iri: &str) -> Option<(&'static str, &str)> {
    // Every IRI written comes here (3 million in a catalogue of 600 datasets), most of them the
    // site's own (`https://…`): a namespace is compared whole only when the byte after its
    // scheme matches (the namespaces are all `http://`, and differ there but for W3C's).
    let key = iri.as_bytes().get(SCHEME_LEN).copied()?;
    PREFIXES.iter().find_map(|(prefix, ns)| {
        if ns.as_bytes()[SCHEME_LEN] != key {
            return None;
        }
        let local = iri.strip_prefix(ns)?;
        let plain = local
            .as_bytes()
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && (local.bytes()).all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
        plain.then_some((*prefix, local))
    })
}

/// The length of `http://`, which every namespace of `PREFIXES` starts with.
const SCHEME_LEN: usize = "http://".len();

/// An IRI in Turtle: compacted, else in angle brackets.
fn push_turtle_iri(out: &mut String, iri: &str) {
    match compact_parts(iri) {
        Some((prefix, local)) => {
            out.push_str(prefix);
            out.push(':');
            out.push_str(local);
        }
        None => {
            out.push('<');
            out.push_str(iri);
            out.push('>');
        }
    }
}

fn push_turtle_node(out: &mut String, n: &Node) {
    match n {
        Node::Iri(i) => push_turtle_iri(out, i),
    }
}

fn push_turtle_object(out: &mut String, o: &Object) {
    match o {
        Object::Node(n) => push_turtle_node(out, n),
        Object::Literal(text, tag) => {
            push_turtle_string(out, text);
            match tag {
                Tag::None => {}
                Tag::Lang(l) => {
                    out.push('@');
                    out.push_str(l);
                }
                Tag::Datatype(d) => {
                    out.push_str("^^");
                    push_turtle_iri(out, d);
                }
            }
        }
    }
}

/// A Turtle string literal in double quotes, escaped.
fn push_turtle_string(out: &mut String, text: &str) {
    out.push('"');
    // Runs of characters that need no escape are copied whole.
    let mut from = 0;
    for (i, c) in text.char_indices() {
        let escape = match c {
            '\\' => "\\\\",
            '"' => "\\\"",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if c < ' ' || c == '\u{7f}' => "",
            _ => continue,
        };
        out.push_str(&text[from..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04X}", c as u32);
        } else {
            out.push_str(escape);
        }
        from = i + c.len_utf8();
    }
    out.push_str(&text[from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::{Graph, Node, Object};
    use super::*;

    /// A graph like a catalogue page's: many subjects sharing long IRI prefixes, short and long
    /// texts (some with characters to escape, or made only of them), tags and datatypes.
    fn page(datasets: usize, text: &str) -> Graph {
        let mut g = Graph::default();
        for i in 0..datasets {
            let d = Node::iri(format!(
                "https://example.org/catalogue/datasets/d{i:05}/#dataset"
            ));
            g.types(&d, &["http://www.w3.org/ns/dcat#Dataset"]);
            g.add(
                &d,
                "http://purl.org/dc/terms/title",
                Object::lang(text, "uk"),
            );
            g.add(
                &d,
                "http://purl.org/dc/terms/identifier",
                Object::text(i.to_string()),
            );
            let m = Object::typed("2026-01-01", "http://www.w3.org/2001/XMLSchema#date");
            g.add(&d, "http://purl.org/dc/terms/modified", m);
            let f = Node::iri(format!(
                "https://example.org/catalogue/datasets/d{i:05}/#file"
            ));
            g.add(&d, "http://www.w3.org/ns/dcat#distribution", f.clone());
            g.add(
                &f,
                "https://example.org/not-a-prefix#p",
                Object::iri("urn:x"),
            );
        }
        g
    }

    #[test]
    fn iris_compact_with_the_first_namespace_they_are_in() {
        // What `compact_parts` looks up first holds for every namespace.
        for (_, ns) in PREFIXES {
            assert!(ns.starts_with("http://") && ns.len() > SCHEME_LEN, "{ns}");
        }
        let cases = [
            (
                "http://www.w3.org/ns/dcat#Dataset",
                Some(("dcat", "Dataset")),
            ),
            ("http://purl.org/dc/terms/title", Some(("dct", "title"))),
            (
                "http://data.europa.eu/r5r/applicableLegislation",
                Some(("dcatap", "applicableLegislation")),
            ),
            (
                "http://www.w3.org/2001/XMLSchema#date",
                Some(("xsd", "date")),
            ),
            ("http://schema.org/name", Some(("schema", "name"))),
            (
                "http://spdx.org/rdf/terms#checksum",
                Some(("spdx", "checksum")),
            ),
            ("http://www.w3.org/ns/dcat#", None),
            ("http://www.w3.org/ns/dcat#1st", None),
            ("http://purl.org/dc/terms/a/b", None),
            ("https://www.w3.org/ns/dcat#Dataset", None),
            ("http://example.org/x", None),
            ("http://", None),
            ("", None),
        ];
        for (iri, want) in cases {
            assert_eq!(compact_parts(iri), want, "{iri}");
        }
    }

    #[test]
    fn a_serialisation_fits_the_buffer_allocated_for_it() {
        let rename = |iri: &str| iri.ends_with("#file").then(|| format!("{iri}-renamed"));
        let cases = [
            (0, ""),
            (1, "Бюджет"),
            (300, "Перелік об'єктів комунальної власності"),
            (
                50,
                "a \"quoted\"\ttext\nwith a few escapes, and more plain text than escapes",
            ),
        ];
        for (datasets, text) in cases {
            let g = page(datasets, text);
            let subjects = g.subjects();
            let items: Vec<Item> = subjects.iter().map(Item::Group).collect();
            let t = turtle(&items);
            assert!(t.len() <= Bound::TURTLE.of(&subjects), "{datasets} {text}");
            // Renamed page links are few; the bound's fixed part leaves room for them.
            let j = jsonld(&items, &|i| rename(i).filter(|_| datasets < 20));
            assert!(j.len() <= Bound::JSONLD.of(&subjects), "{datasets} {text}");
        }
    }
}
