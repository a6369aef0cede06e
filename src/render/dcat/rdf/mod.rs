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
use write::{jsonld, jsonld_body, turtle, turtle_body, Item};

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
/// Held by subject: a dataset's description is about sixty triples, and a set of whole triples
/// cloned the subject's IRI for every one and compared long IRIs on every insert. Duplicates (a
/// publisher's agent, merged into a catalogue page once per dataset) are dropped on
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
    if !holds(list, p, &o) {
        list.push((p, o));
    }
}

/// True when a short list already has `(p, o)` (a long one is left to the sort).
fn holds(list: &[(&'static str, Object)], p: &str, o: &Object) -> bool {
    list.len() <= SHORT && list.iter().any(|(q, x)| *q == p && x == o)
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

    /// True the first time it is asked for `node`: the caller then adds the node's description.
    /// For shared nodes whose description is a function of their IRI alone (a publisher's agent,
    /// a territory, a concept of the EU vocabularies): a page of a thousand datasets described
    /// each of them again for every dataset naming it, only for `push` to drop the copies.
    /// Kept apart from the triples: one IRI can be the subject of other triples too (a
    /// territory's page is its `dct:Location` and a catalogue's homepage), and the shared nodes
    /// of a block merged in (`merge_shared`) were described in the block's own graph.
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
        self.to_both_with(&[], rename)
    }

    /// As `to_both`, with `blocks` written in their places among the graph's subjects: the
    /// document of the graph with every block's triples added. No subject of the graph may lie
    /// under a block's prefix (the blocks' own nodes were taken out of the graphs they were
    /// described in: `Graph::into_block`).
    pub fn to_both_with(
        &self,
        blocks: &[&Block],
        rename: &(dyn Fn(&str) -> Option<String> + Sync),
    ) -> (Vec<u8>, Vec<u8>) {
        let subjects = self.subjects();
        let items = interleave(&subjects, blocks);
        rayon::join(|| turtle(&items), || jsonld(&items, rename))
    }

    /// Adds every triple of `shared` (a block's shared nodes), which stays as it is. A page's
    /// datasets mostly name the same publisher, territory and licence: a triple already there
    /// is dropped before it is copied.
    pub fn merge_shared(&mut self, shared: &Graph) {
        for (s, triples) in &shared.subjects {
            let Some(list) = self.subjects.get_mut(s) else {
                self.subjects.insert(s.clone(), triples.clone());
                continue;
            };
            for (p, o) in triples {
                if !holds(list, p, o) {
                    list.push((p, o.clone()));
                }
            }
        }
    }

    /// Takes the subjects whose IRI starts with `prefix` out of the graph and writes them once in
    /// both syntaxes; the rest (the shared nodes they name) stays with the block as a graph.
    /// `node` is the dataset's own node, which a catalogue lists.
    pub fn into_block(mut self, prefix: String, node: Node) -> Block {
        let mut own = Graph::default();
        let taken: Vec<Node> = (self.subjects.keys())
            .filter(|Node::Iri(s)| s.starts_with(&prefix))
            .cloned()
            .collect();
        for s in taken {
            if let Some(triples) = self.subjects.remove(&s) {
                own.subjects.insert(s, triples);
            }
        }
        let groups = own.subjects();
        Block {
            turtle: turtle_body(&groups),
            jsonld: jsonld_body(&groups),
            prefix,
            node,
            shared: Graph {
                subjects: self.subjects,
                described: HashSet::default(),
            },
        }
    }

    /// The graph as Turtle, with the `PREFIXES`.
    #[cfg(test)]
    pub fn to_turtle(&self) -> Vec<u8> {
        turtle(&interleave(&self.subjects(), &[]))
    }

    /// The graph as compact JSON-LD (see `jsonld`).
    #[cfg(test)]
    pub fn to_jsonld(&self, rename: &dyn Fn(&str) -> Option<String>) -> Vec<u8> {
        jsonld(&interleave(&self.subjects(), &[]), rename)
    }
}

/// One dataset's description made once and written into every document that holds it (its
/// catalogues' pages): its own nodes — every subject under `prefix`, `<base>datasets/<id>/` —
/// already written in both syntaxes, and the shared nodes they name (publisher, territory,
/// licence, formats), which each document merges with the others' and writes once.
///
/// Its place among a document's subjects is its prefix's: every own subject starts with it and no
/// other does, and a string between two strings with a prefix has it too, so the own subjects
/// are next to each other in any sorted set of subjects, in the order they have alone.
#[derive(Debug)]
pub struct Block {
    prefix: String,
    /// The dataset's node (`dcat:Dataset`).
    pub node: Node,
    turtle: String,
    jsonld: Vec<u8>,
    /// The triples of the shared nodes the description names.
    pub shared: Graph,
}

impl Block {
    /// About how many bytes the block holds (its texts, and its shared triples at a guess).
    pub fn size(&self) -> usize {
        let shared: usize = (self.shared.subjects.values()).map(|t| 96 * t.len()).sum();
        self.prefix.len() + self.turtle.len() + self.jsonld.len() + shared
    }
}

/// The subjects and the blocks in one order: a block goes before the first subject past its
/// prefix. The blocks are put in their prefixes' order.
fn interleave<'g>(subjects: &'g [Group<'g>], blocks: &[&'g Block]) -> Vec<Item<'g>> {
    let mut blocks = blocks.to_vec();
    blocks.sort_unstable_by(|a, b| a.prefix.cmp(&b.prefix));
    let mut items = Vec::with_capacity(subjects.len() + blocks.len());
    let mut next = blocks.into_iter().peekable();
    for group in subjects {
        let Node::Iri(s) = group.0;
        while let Some(block) = next.next_if(|b| b.prefix.as_str() < s.as_str()) {
            debug_assert!(
                !s.starts_with(&block.prefix),
                "{s} is under a block's prefix"
            );
            items.push(Item::Block(block));
        }
        items.push(Item::Group(group));
    }
    items.extend(next.map(Item::Block));
    items
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

    /// A dataset's description as `Ctx::dataset` shapes it: its own nodes under
    /// `https://x.org/datasets/<id>/` (the landing page is the prefix itself), and shared ones.
    fn describe(g: &mut Graph, id: &str, title: &str) -> Node {
        let page = format!("https://x.org/datasets/{id}/");
        let d = Node::iri(format!("{page}#dataset"));
        g.types(&d, &["http://www.w3.org/ns/dcat#Dataset"]);
        g.add(
            &d,
            "http://purl.org/dc/terms/title",
            Object::lang(title, "uk"),
        );
        g.add(
            &d,
            "http://www.w3.org/ns/dcat#landingPage",
            Node::iri(&page),
        );
        g.types(&Node::iri(&page), &["http://xmlns.com/foaf/0.1/Document"]);
        let dist = Node::iri(format!("{page}#distribution-data"));
        g.add(&d, "http://www.w3.org/ns/dcat#distribution", dist.clone());
        g.types(&dist, &["http://www.w3.org/ns/dcat#Distribution"]);
        // Shared: the publisher (named by every dataset), a licence titled by this one.
        let agent = Node::iri("https://x.org/publishers/p/#publisher");
        g.add(&d, "http://purl.org/dc/terms/publisher", agent.clone());
        g.types(&agent, &["http://xmlns.com/foaf/0.1/Agent"]);
        let licence = Node::iri("http://publications.europa.eu/licence/CC_BY_4_0");
        g.add(&dist, "http://purl.org/dc/terms/license", licence.clone());
        g.add(
            &licence,
            "http://purl.org/dc/terms/title",
            Object::text(title),
        );
        d
    }

    #[test]
    fn a_document_from_blocks_is_the_document_described_whole() {
        // Id order is not prefix order (`a` < `a-b`, but `a-b/` < `a/`); the catalogue's node,
        // its homepage and a page under `datasets/` (the list) sort around the blocks.
        let ids = [
            ("a", "Перший"),
            ("a-b", "Другий \"в лапках\""),
            ("z", "Третій"),
        ];
        let catalogue = |g: &mut Graph| {
            let c = Node::iri("https://x.org/#catalog");
            g.types(&c, &["http://www.w3.org/ns/dcat#Catalog"]);
            g.add(
                &c,
                "http://xmlns.com/foaf/0.1/homepage",
                Node::iri("https://x.org/"),
            );
            let list = Node::iri("https://x.org/datasets/");
            g.types(&list, &["http://xmlns.com/foaf/0.1/Document"]);
            g.add(
                &c,
                "http://www.w3.org/ns/hydra/core#view",
                Node::iri("https://x.org/catalog.ttl"),
            );
            c
        };
        let mut whole = Graph::default();
        let c = catalogue(&mut whole);
        for (id, title) in ids {
            let d = describe(&mut whole, id, title);
            whole.add(&c, "http://www.w3.org/ns/dcat#dataset", d);
        }
        let blocks: Vec<Block> = (ids.iter())
            .map(|(id, title)| {
                let mut g = Graph::default();
                let node = describe(&mut g, id, title);
                g.into_block(format!("https://x.org/datasets/{id}/"), node)
            })
            .collect();
        let mut page = Graph::default();
        let c = catalogue(&mut page);
        for b in &blocks {
            page.merge_shared(&b.shared);
            page.add(&c, "http://www.w3.org/ns/dcat#dataset", b.node.clone());
        }
        let rename =
            |iri: &str| (iri == "https://x.org/catalog.ttl").then(|| "urn:page".to_owned());
        let refs: Vec<&Block> = blocks.iter().rev().collect();
        let (turtle, json) = page.to_both_with(&refs, &rename);
        assert_eq!(
            String::from_utf8(turtle).unwrap(),
            String::from_utf8(whole.to_turtle()).unwrap()
        );
        assert_eq!(
            String::from_utf8(json).unwrap(),
            String::from_utf8(whole.to_jsonld(&rename)).unwrap()
        );
        // A block holds its own nodes only; the shared ones stay a graph.
        let own = &blocks[0].turtle;
        assert!(
            own.starts_with("\n<https://x.org/datasets/a/>\n    a foaf:Document ."),
            "{own}"
        );
        assert!(!own.contains("\n<https://x.org/publishers/"), "{own}");
        assert_eq!(blocks[0].shared.subjects.len(), 2);
        // A block alone between no subjects is the document of its dataset alone.
        let mut alone = Graph::default();
        let node = describe(&mut alone, "z", "Третій");
        let mut shared = Graph::default();
        shared.merge_shared(&blocks[2].shared);
        assert_eq!(node, blocks[2].node);
        assert_eq!(
            shared.to_both_with(&[&blocks[2]], &|_| None),
            alone.to_both(&|_| None)
        );
    }
}
