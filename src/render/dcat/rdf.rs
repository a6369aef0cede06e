//! Stage 4, render: a small in-memory RDF graph — triples of IRIs and typed or language-tagged
//! literals — and its two serialisations, Turtle and JSON-LD. Invariants: a graph is a sorted set
//! (same triples → same bytes, duplicates collapse); every IRI in it is safe to write in either
//! syntax (characters Turtle forbids are percent-encoded when the IRI is made), so both
//! serialisations carry exactly the same graph. There are no blank nodes: every node gets a
//! stable IRI, which harvesters can keep across harvests and which makes the two serialisations
//! comparable in linear time.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The namespaces used, as (prefix, IRI): Turtle `@prefix`es and the JSON-LD `@context`.
pub const PREFIXES: [(&str, &str); 16] = [
    ("adms", "http://www.w3.org/ns/adms#"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dcatap", "http://data.europa.eu/r5r/"),
    ("dct", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("geo", "http://www.opengis.net/ont/geosparql#"),
    ("hydra", "http://www.w3.org/ns/hydra/core#"),
    ("locn", "http://www.w3.org/ns/locn#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("schema", "http://schema.org/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("spdx", "http://spdx.org/rdf/terms#"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// `rdf:type`.
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// A subject: an IRI.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    Iri(String),
}

impl Node {
    /// An IRI, with the characters Turtle and JSON-LD tools refuse in IRIs percent-encoded
    /// (spaces, controls, `<>"{}|^` and backquote, backslash).
    pub fn iri(text: impl AsRef<str>) -> Node {
        let text = text.as_ref();
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c <= ' ' || "<>\"{}|^`\\".contains(c) || c == '\u{7f}' {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            } else {
                out.push(c);
            }
        }
        Node::Iri(out)
    }
}

/// What a literal carries besides its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tag {
    /// A plain string (`xsd:string`).
    None,
    /// A language-tagged string.
    Lang(&'static str),
    /// A typed literal: the datatype's full IRI.
    Datatype(&'static str),
}

/// An object: a node or a literal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Object {
    Node(Node),
    Literal(String, Tag),
}

impl Object {
    /// An IRI object.
    pub fn iri(text: impl AsRef<str>) -> Object {
        Object::Node(Node::iri(text))
    }
    /// A plain string.
    pub fn text(text: impl Into<String>) -> Object {
        Object::Literal(text.into(), Tag::None)
    }
    /// A language-tagged string.
    pub fn lang(text: impl Into<String>, lang: &'static str) -> Object {
        Object::Literal(text.into(), Tag::Lang(lang))
    }
    /// A typed literal.
    pub fn typed(text: impl Into<String>, datatype: &'static str) -> Object {
        Object::Literal(text.into(), Tag::Datatype(datatype))
    }
}

impl From<Node> for Object {
    fn from(n: Node) -> Object {
        Object::Node(n)
    }
}

/// A set of triples; predicates are full IRIs from the code (never from data).
#[derive(Debug, Default)]
pub struct Graph {
    triples: BTreeSet<(Node, &'static str, Object)>,
}

impl Graph {
    /// Adds one triple (again adding it changes nothing).
    pub fn add(&mut self, s: &Node, p: &'static str, o: impl Into<Object>) {
        self.triples.insert((s.clone(), p, o.into()));
    }

    /// Adds `s rdf:type class` for each class.
    pub fn types(&mut self, s: &Node, classes: &[&'static str]) {
        for c in classes {
            self.add(s, RDF_TYPE, Object::iri(c));
        }
    }

    /// The triples grouped by subject (in subject order), `rdf:type` first within each group.
    fn subjects(&self) -> Vec<(&Node, Vec<(&'static str, &Object)>)> {
        let mut out: Vec<(&Node, Vec<(&'static str, &Object)>)> = Vec::new();
        for (s, p, o) in &self.triples {
            match out.last_mut() {
                Some((last, list)) if *last == s => list.push((p, o)),
                _ => out.push((s, vec![(p, o)])),
            }
        }
        for (_, list) in &mut out {
            // A stable sort keeps the set's order among the other predicates.
            list.sort_by_key(|(p, _)| *p != RDF_TYPE);
        }
        out
    }

    /// The graph as Turtle, with the `PREFIXES`.
    pub fn to_turtle(&self) -> Vec<u8> {
        let mut out = String::new();
        for (prefix, ns) in PREFIXES {
            let _ = writeln!(out, "@prefix {prefix}: <{ns}> .");
        }
        for (s, list) in self.subjects() {
            out.push('\n');
            out.push_str(&turtle_node(s));
            let mut last: Option<&str> = None;
            for (p, o) in list {
                if last == Some(p) {
                    out.push_str(" ,\n        ");
                } else {
                    out.push_str(if last.is_some() { " ;\n    " } else { "\n    " });
                    out.push_str(&if p == RDF_TYPE {
                        "a".to_owned()
                    } else {
                        compact(p).unwrap_or_else(|| format!("<{p}>"))
                    });
                    out.push(' ');
                }
                out.push_str(&turtle_object(o));
                last = Some(p);
            }
            out.push_str(" .\n");
        }
        out.into_bytes()
    }

    /// The graph as compact JSON-LD text: a `@context` of the `PREFIXES` and a `@graph` of node
    /// objects whose keys are compact IRIs and whose values are in expanded form. `rename` may replace IRIs
    /// (the JSON-LD pages of a paged catalogue link each other, not the Turtle pages).
    pub fn to_jsonld(&self, rename: &dyn Fn(&str) -> Option<String>) -> Vec<u8> {
        // Written as it is walked (no `serde_json::Value` tree: building one took two thirds
        // of the time of a catalogue page's JSON-LD and most of its memory).
        let doc = JsonLd {
            subjects: self.subjects(),
            rename,
        };
        // Compact, one line: a harvester reads it, a person reads the Turtle. Indented, a
        // national catalogue's JSON-LD was 1.5 GB, 45 % of it white space.
        let mut out = serde_json::to_vec(&doc).unwrap_or_default();
        out.push(b'\n');
        out
    }
}

/// A graph as a JSON-LD document: `@context` (the prefixes), then `@graph`.
struct JsonLd<'g> {
    subjects: Vec<(&'g Node, Vec<(&'static str, &'g Object)>)>,
    rename: &'g dyn Fn(&str) -> Option<String>,
}

impl JsonLd<'_> {
    fn iri(&self, i: &str) -> String {
        (self.rename)(i).unwrap_or_else(|| i.to_owned())
    }
}

impl serde::Serialize for JsonLd<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        struct Context;
        impl serde::Serialize for Context {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(PREFIXES)
            }
        }
        struct Nodes<'d, 'g>(&'d JsonLd<'g>);
        impl serde::Serialize for Nodes<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let doc = self.0;
                s.collect_seq(
                    doc.subjects
                        .iter()
                        .map(|(n, list)| NodeObject(doc, n, list)),
                )
            }
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("@context", &Context)?;
        map.serialize_entry("@graph", &Nodes(self))?;
        map.end()
    }
}

/// One subject: `@id`, then each predicate (compacted; `@type` for `rdf:type`) with the array
/// of its objects, in the graph's order.
struct NodeObject<'d, 'g>(&'d JsonLd<'g>, &'g Node, &'d [(&'static str, &'g Object)]);

impl serde::Serialize for NodeObject<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let NodeObject(doc, Node::Iri(id), list) = *self;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("@id", &doc.iri(id))?;
        // The objects of one predicate are next to each other (the triples are sorted).
        for run in list.chunk_by(|a, b| a.0 == b.0) {
            let p = run[0].0;
            let values: Vec<JsonValue> = (run.iter())
                .map(|(_, o)| JsonValue::of(doc, p, o))
                .collect();
            if p == RDF_TYPE {
                map.serialize_entry("@type", &values)?;
            } else {
                map.serialize_entry(&key(p), &values)?;
            }
        }
        map.end()
    }
}

/// An object in JSON-LD's expanded form.
enum JsonValue<'g> {
    /// A class of `@type`, compacted when it can be.
    Class(String),
    /// `{"@id": …}`.
    Reference(String),
    /// `{"@value": …}` with its `@language` or `@type`.
    Literal(&'g str, &'g Tag),
}

impl<'g> JsonValue<'g> {
    fn of(doc: &JsonLd, p: &str, o: &'g Object) -> JsonValue<'g> {
        match (p, o) {
            (RDF_TYPE, Object::Node(Node::Iri(c))) => {
                JsonValue::Class(compact(c).unwrap_or_else(|| doc.iri(c)))
            }
            (_, Object::Node(Node::Iri(n))) => JsonValue::Reference(doc.iri(n)),
            (_, Object::Literal(text, tag)) => JsonValue::Literal(text, tag),
        }
    }
}

impl serde::Serialize for JsonValue<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        match self {
            JsonValue::Class(c) => s.serialize_str(c),
            JsonValue::Reference(id) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("@id", id)?;
                map.end()
            }
            JsonValue::Literal(text, tag) => {
                let mut map = s.serialize_map(None)?;
                map.serialize_entry("@value", text)?;
                match tag {
                    Tag::None => {}
                    Tag::Lang(l) => map.serialize_entry("@language", l)?,
                    Tag::Datatype(d) => map.serialize_entry("@type", &key(d))?,
                }
                map.end()
            }
        }
    }
}

fn key(p: &str) -> String {
    compact(p).unwrap_or_else(|| p.to_owned())
}

/// `prefix:local` when `iri` is in a known namespace and the local part is a plain name.
fn compact(iri: &str) -> Option<String> {
    PREFIXES.iter().find_map(|(prefix, ns)| {
        let local = iri.strip_prefix(ns)?;
        let plain = local
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        plain.then(|| format!("{prefix}:{local}"))
    })
}

fn turtle_node(n: &Node) -> String {
    match n {
        Node::Iri(i) => compact(i).unwrap_or_else(|| format!("<{i}>")),
    }
}

fn turtle_object(o: &Object) -> String {
    match o {
        Object::Node(n) => turtle_node(n),
        Object::Literal(text, tag) => {
            let quoted = turtle_string(text);
            match tag {
                Tag::None => quoted,
                Tag::Lang(l) => format!("{quoted}@{l}"),
                Tag::Datatype(d) => {
                    format!(
                        "{quoted}^^{}",
                        compact(d).unwrap_or_else(|| format!("<{d}>"))
                    )
                }
            }
        }
    }
}

/// A Turtle string literal in double quotes, escaped.
fn turtle_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn sample() -> Graph {
        let mut g = Graph::default();
        let s = Node::iri("https://example.org/a b");
        g.types(&s, &["http://www.w3.org/ns/dcat#Dataset"]);
        g.add(
            &s,
            "http://purl.org/dc/terms/title",
            Object::lang("Назва \"в лапках\"\n\\", "uk"),
        );
        g.add(
            &s,
            "http://purl.org/dc/terms/title",
            Object::lang("Title", "en"),
        );
        let b = Node::iri("https://example.org/a#sum");
        g.add(&s, "http://spdx.org/rdf/terms#checksum", b.clone());
        g.add(
            &b,
            "http://spdx.org/rdf/terms#checksumValue",
            Object::typed("ab", "http://www.w3.org/2001/XMLSchema#hexBinary"),
        );
        g
    }

    #[test]
    fn iris_are_made_safe() {
        assert_eq!(
            Node::iri("https://x/a b<c>"),
            Node::Iri("https://x/a%20b%3Cc%3E".into())
        );
        assert_eq!(
            Node::iri("https://x/бюджет"),
            Node::Iri("https://x/бюджет".into())
        );
    }

    #[test]
    fn turtle_groups_and_escapes() {
        let text = String::from_utf8(sample().to_turtle()).unwrap();
        assert!(
            text.contains("<https://example.org/a%20b>\n    a dcat:Dataset ;"),
            "{text}"
        );
        assert!(
            text.contains("dct:title \"Title\"@en ,\n        \"Назва \\\"в лапках\\\"\\n\\\\\"@uk"),
            "{text}"
        );
        assert!(
            text.contains(
                "<https://example.org/a#sum>\n    spdx:checksumValue \"ab\"^^xsd:hexBinary ."
            ),
            "{text}"
        );
    }

    #[test]
    fn json_ld_carries_the_same_triples() {
        let g = sample();
        let doc: Value = serde_json::from_slice(&g.to_jsonld(&|_| None)).unwrap();
        let nodes = doc["@graph"].as_array().unwrap();
        assert_eq!(nodes.len(), 2);
        // Subjects in IRI order: `…/a#sum` sorts before `…/a%20b`.
        let nodes = [&nodes[1], &nodes[0]];
        assert_eq!(nodes[0]["@type"], json!(["dcat:Dataset"]));
        assert_eq!(nodes[0]["dct:title"].as_array().unwrap().len(), 2);
        assert_eq!(
            nodes[0]["spdx:checksum"],
            json!([{"@id": "https://example.org/a#sum"}])
        );
        assert_eq!(
            nodes[1]["spdx:checksumValue"],
            json!([{"@value": "ab", "@type": "xsd:hexBinary"}])
        );
        assert_eq!(doc["@context"]["dcat"], "http://www.w3.org/ns/dcat#");
        let renamed = g.to_jsonld(&|i| (i == "https://example.org/a%20b").then(|| "urn:x".into()));
        let renamed: Value = serde_json::from_slice(&renamed).unwrap();
        let ids: Vec<&Value> = (renamed["@graph"].as_array().unwrap().iter())
            .map(|n| &n["@id"])
            .collect();
        assert!(ids.contains(&&json!("urn:x")), "{ids:?}");
        // Compact: one line of JSON and its newline.
        let text = g.to_jsonld(&|_| None);
        assert_eq!(text.iter().filter(|b| **b == b'\n').count(), 1);
    }
}
