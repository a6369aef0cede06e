//! A small XML reader for the tests of feeds and site maps: a document as a tree of elements,
//! read with quick-xml (entities and character references resolved). Panics on ill-formed XML,
//! which fails the test that reads it.

use std::collections::BTreeMap;

use quick_xml::events::Event;

/// One element: its name (with prefix, as written), attributes, text content and children.
#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The children named `name`.
    pub fn all(&self, name: &str) -> Vec<&Element> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    /// The text of the first child named `name` (empty when there is none).
    pub fn text_of(&self, name: &str) -> String {
        self.all(name)
            .first()
            .map_or(String::new(), |c| c.text.clone())
    }
}

fn element(e: &quick_xml::events::BytesStart) -> Element {
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
            (
                key,
                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect();
    Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs,
        ..Element::default()
    }
}

/// Parses `xml` into its root element.
pub fn parse(xml: &str) -> Element {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("ill-formed XML: {e}"))
        {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(element(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => stack.last_mut().unwrap().text += &t.xml10_content().unwrap(),
            Event::CData(t) => stack.last_mut().unwrap().text += &t.decode().unwrap(),
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().unwrap();
                        quick_xml::escape::resolve_xml_entity(&name)
                            .unwrap_or_else(|| panic!("unknown entity &{name};"))
                            .to_owned()
                    }
                };
                stack.last_mut().unwrap().text += &text;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut root = stack.pop().unwrap();
    assert_eq!(root.children.len(), 1, "one root element");
    root.children.pop().unwrap()
}
