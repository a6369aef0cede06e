//! Stage 4, render: a small in-memory RDF graph — triples of IRIs and typed or language-tagged
//! literals — and its two serialisations, Turtle and JSON-LD (written by `write`). Invariants: a
//! graph is a sorted set (same triples → same bytes, duplicates collapse); every IRI in it is safe
//! to write in either syntax (characters Turtle forbids are percent-encoded when the IRI is made),
//! so both serialisations carry exactly the same graph. There are no blank nodes: every node gets
//! a stable IRI, which harvesters can keep across harvests and which makes the two serialisations
//! comparable in linear time.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use foldhash::fast::FixedState;

mod write;
use write::{jsonld, turtle};

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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Iri(String),
}

/// The bytes `Node::iri` percent-encodes: controls, space, DEL and `<>"{}|^` backquote, backslash.
const UNSAFE_IN_IRI: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b <= b' ' {
        table[b as usize] = true;
        b += 1;
    }
    table[0x7f] = true;
    let punctuation = b"<>\"{}|^`\\";
    let mut i = 0;
    while i < punctuation.len() {
        table[punctuation[i] as usize] = true;
        i += 1;
    }
    table
};

impl Node {
    /// An IRI, with the characters Turtle and JSON-LD tools refuse in IRIs percent-encoded
    /// (spaces, controls, `<>"{}|^` and backquote, backslash).
    pub fn iri(text: impl AsRef<str> + Into<String>) -> Node {
        // Nearly every IRI is made of safe characters: taken as it is (a `String` made for
        // it is not copied again). Looked up in a table: a search of the nine punctuation
        // bytes for each byte of each IRI was 3 % of a cold build.
        if !text.as_ref().bytes().any(|b| UNSAFE_IN_IRI[usize::from(b)]) {
            return Node::Iri(text.into());
        }
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
    pub fn iri(text: impl AsRef<str> + Into<String>) -> Object {
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
///
/// Held by subject: a catalogue page adds about sixty triples for each of its thousand datasets,
/// and a set of whole triples cloned the subject's IRI for every one and compared long IRIs
/// on every insert. Duplicates (a publisher's agent, added once per dataset) are dropped on
/// insert while a subject's list is short (`push`), and all of them when the graph is written,
/// where each subject's triples are sorted.
#[derive(Debug, Default)]
pub struct Graph {
    subjects: HashMap<Node, Vec<(&'static str, Object)>, FixedState>,
    /// The shared nodes whose descriptions are in the graph (`first_description`).
    described: HashSet<Node, FixedState>,
}

/// Adds `(p, o)` to a subject's triples. Shared nodes (a publisher, a licence, a format) are
/// added again by every dataset that names them: dropped here, where their lists are short, they
/// do not pile up in a page of a thousand datasets. Long lists (a catalogue's datasets) are left
/// to the sort.
fn push(list: &mut Vec<(&'static str, Object)>, p: &'static str, o: Object) {
    if list.len() > SHORT || !list.iter().any(|(q, x)| *q == p && *x == o) {
        list.push((p, o));
    }
}

/// A subject's triples up to which `Graph::add` drops a triple it already has.
const SHORT: usize = 32;

/// One subject's triples as written: sorted, without duplicates, `rdf:type` first.
type Group<'g> = (&'g Node, Vec<(&'static str, &'g Object)>);

impl Graph {
    /// Adds one triple (again adding it changes nothing).
    pub fn add(&mut self, s: &Node, p: &'static str, o: impl Into<Object>) {
        let o = o.into();
        match self.subjects.get_mut(s) {
            Some(list) => push(list, p, o),
            None => {
                self.subjects.insert(s.clone(), vec![(p, o)]);
            }
        }
    }

    /// Adds every triple of `other` (a part of a document described on another thread).
    pub fn merge(&mut self, other: Graph) {
        for (s, triples) in other.subjects {
            match self.subjects.get_mut(&s) {
                Some(list) => {
                    for (p, o) in triples {
                        push(list, p, o);
                    }
                }
                None => {
                    self.subjects.insert(s, triples);
                }
            }
        }
    }

    /// True the first time it is asked for `node`: the caller then adds the node's description.
    /// For shared nodes whose description is a function of their IRI alone (a publisher's agent,
    /// a territory, a concept of the EU vocabularies): a page of a thousand datasets described
    /// each of them again for every dataset naming it, only for `push` to drop the copies.
    /// Kept apart from the triples: one IRI can be the subject of other triples too (a
    /// territory's page is its `dct:Location` and a catalogue's homepage), and a part described
    /// on another thread and merged in has its own record (it describes the node once more).
    pub fn first_description(&mut self, node: &Node) -> bool {
        if self.described.contains(node) {
            return false;
        }
        self.described.insert(node.clone());
        true
    }

    /// Adds `s rdf:type class` for each class.
    pub fn types(&mut self, s: &Node, classes: &[&'static str]) {
        for c in classes {
            self.add(s, RDF_TYPE, Object::iri(*c));
        }
    }

    /// The triples grouped by subject (in subject order), each group in (predicate, object)
    /// order without duplicates, then `rdf:type` first: the order of a sorted set of triples.
    fn subjects(&self) -> Vec<Group<'_>> {
        let mut out: Vec<Group<'_>> = (self.subjects.iter())
            .map(|(s, list)| {
                let mut list: Vec<(&'static str, &Object)> =
                    list.iter().map(|(p, o)| (*p, o)).collect();
                list.sort_unstable();
                list.dedup();
                // A stable sort keeps the (predicate, object) order among the other predicates.
                list.sort_by_key(|(p, _)| *p != RDF_TYPE);
                (s, list)
            })
            .collect();
        out.sort_unstable_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// The graph as Turtle and as JSON-LD (`to_turtle`, `to_jsonld`), written at the same time
    /// from one sorting of its triples.
    pub fn to_both(&self, rename: &(dyn Fn(&str) -> Option<String> + Sync)) -> (Vec<u8>, Vec<u8>) {
        let subjects = self.subjects();
        rayon::join(|| turtle(&subjects), || jsonld(&subjects, rename))
    }

    /// The graph as Turtle, with the `PREFIXES`.
    #[cfg(test)]
    pub fn to_turtle(&self) -> Vec<u8> {
        turtle(&self.subjects())
    }

    /// The graph as compact JSON-LD (see `jsonld`).
    #[cfg(test)]
    pub fn to_jsonld(&self, rename: &dyn Fn(&str) -> Option<String>) -> Vec<u8> {
        jsonld(&self.subjects(), rename)
    }
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
        assert_eq!(Node::iri("a\u{7f}?q=1#x"), Node::Iri("a%7F?q=1#x".into()));
        // The table `Node::iri` looks bytes up in is the rule its documentation states.
        for b in 0..=u8::MAX {
            let rule = b <= b' ' || b == 0x7f || b"<>\"{}|^`\\".contains(&b);
            assert_eq!(UNSAFE_IN_IRI[usize::from(b)], rule, "byte {b:#04x}");
        }
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
    fn json_ld_is_written_byte_for_byte_as_serde_json_writes_it() {
        let mut g = Graph::default();
        let s = Node::iri("https://example.org/d");
        g.types(
            &s,
            &["http://www.w3.org/ns/dcat#Dataset", "https://x.org/Other"],
        );
        g.add(
            &s,
            "http://purl.org/dc/terms/title",
            Object::lang("«Б»\t\"q\"\u{1}/", "uk"),
        );
        g.add(
            &s,
            "http://purl.org/dc/terms/title",
            Object::lang("«Б»\t\"q\"\u{1}/", "uk"),
        );
        g.add(
            &s,
            "https://x.org/p",
            Object::typed("1", "http://www.w3.org/2001/XMLSchema#integer"),
        );
        g.add(
            &s,
            "http://purl.org/dc/terms/source",
            Object::iri("https://example.org/e"),
        );
        let rename = |i: &str| (i == "https://example.org/e").then(|| "urn:e".to_owned());
        let text = String::from_utf8(g.to_jsonld(&rename)).unwrap();
        let graph = r#"[{"@id":"https://example.org/d","@type":["dcat:Dataset","https://x.org/Other"],"dct:source":[{"@id":"urn:e"}],"dct:title":[{"@value":"«Б»\t\"q\"\u0001/","@language":"uk"}],"https://x.org/p":[{"@value":"1","@type":"xsd:integer"}]}]"#;
        assert!(
            text.starts_with(r#"{"@context":{"adms":"http://www.w3.org/ns/adms#","dcat":"#),
            "{text}"
        );
        assert!(text.ends_with(&format!("\"@graph\":{graph}}}\n")), "{text}");
        // Both at once give the same bytes as each alone.
        assert_eq!(g.to_both(&rename), (g.to_turtle(), g.to_jsonld(&rename)));
        let turtle = String::from_utf8(g.to_turtle()).unwrap();
        assert!(turtle.ends_with("\n<https://example.org/d>\n    a dcat:Dataset ,\n        <https://x.org/Other> ;\n    dct:source <https://example.org/e> ;\n    dct:title \"«Б»\\t\\\"q\\\"\\u0001/\"@uk ;\n    <https://x.org/p> \"1\"^^xsd:integer .\n"), "{turtle}");
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
