//! XML for the exchange files: a small writer that always produces
//! well-formed UTF-8, and a reader that builds a tree of elements named by
//! their local names.
//!
//! Reading ignores namespaces on purpose: real exporters write
//! `urn:QDA-XML:project:1.0`, `…:1:0`, `…:0:4` or no namespace at all, and
//! the element names are what matters. The reader never expands entities:
//! a DOCTYPE that declares any is refused (the "billion laughs" attack
//! needs them), and only XML's five predefined entities and character
//! references are resolved.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::error::{Error, Result};
use crate::limits::{self, XML_DEPTH};

/// Writes an XML document into memory, indented by two spaces.
pub struct XmlWriter {
    inner: quick_xml::Writer<Vec<u8>>,
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    /// Starts a document with the XML declaration.
    pub fn new() -> XmlWriter {
        let mut w = XmlWriter {
            inner: quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2),
        };
        w.put(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        w
    }

    fn put(&mut self, event: Event) {
        self.inner.write_event(event).expect("writing to memory cannot fail");
    }

    fn start<'a>(name: &'a str, attributes: &'a [(&str, &str)]) -> BytesStart<'a> {
        let mut e = BytesStart::new(name);
        for (k, v) in attributes {
            e.push_attribute((*k, xml_safe(v).as_ref()));
        }
        e
    }

    /// Opens an element.
    pub fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let e = Self::start(name, attributes);
        self.put(Event::Start(e));
    }

    /// Writes an element without content.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let e = Self::start(name, attributes);
        self.put(Event::Empty(e));
    }

    /// Closes an element.
    pub fn close(&mut self, name: &str) {
        self.put(Event::End(BytesEnd::new(name)));
    }

    /// Writes text inside the element last opened.
    pub fn text(&mut self, text: &str) {
        self.put(Event::Text(BytesText::new(&xml_safe(text))));
    }

    /// Writes `<name>text</name>`.
    pub fn text_element(&mut self, name: &str, text: &str) {
        self.put(Event::Start(BytesStart::new(name)));
        self.put(Event::Text(BytesText::new(&xml_safe(text))));
        self.close(name);
    }

    /// The document's bytes, ending with a newline.
    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.inner.into_inner();
        bytes.push(b'\n');
        bytes
    }
}

/// Replaces the characters XML 1.0 cannot carry at all (most control
/// characters, U+FFFE, U+FFFF) with U+FFFD, and CR, which parsers would
/// turn into LF, with LF.
fn xml_safe(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    if s.chars().all(allowed) {
        return Cow::Borrowed(s);
    }
    let s = s.replace("\r\n", "\n");
    Cow::Owned(
        s.chars()
            .map(|c| {
                if c == '\r' {
                    '\n'
                } else if allowed(c) {
                    c
                } else {
                    '\u{FFFD}'
                }
            })
            .collect(),
    )
}

/// An element: local name, attributes by local name, children and text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The local name, without a namespace prefix.
    pub name: String,
    /// (local name, value) in document order, values unescaped and
    /// normalised as XML says (line breaks and tabs become spaces);
    /// namespace declarations are left out.
    pub attributes: Vec<(String, String)>,
    /// The child elements, in document order.
    pub children: Vec<Element>,
    /// The text directly inside the element (not inside its children).
    pub text: String,
    /// Line of the start tag, for messages.
    pub line: usize,
}

impl Element {
    /// The value of an attribute; names are compared ignoring ASCII case
    /// (exporters disagree on `guid` / `GUID`).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The children called `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Parses an XML document; `place` names it in errors (file and entry).
pub fn parse(bytes: &[u8], place: &str) -> Result<Element> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::new(format!(
            "the XML is not UTF-8 text (byte offset {} is not valid)",
            e.valid_up_to()
        ))
        .at(place)
        .hint("REFI-QDA files are UTF-8; export the file again from the program that made it")
    })?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut lines = LineCounter { text, at: 0, line: 1 };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    // Elements read so far: the tree costs far more than the text, so a
    // file of tiny elements is refused by count (see `limits`).
    let mut elements = 0u64;
    let not_well_formed = |what: String, line: usize| {
        Error::new(format!("the XML is not well-formed: {what}"))
            .at(format!("{place}:{line}"))
            .hint("the file is damaged or was not written by a REFI-QDA exporter; export it again from the program that made it")
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| not_well_formed(e.to_string(), lines.line_at(reader.error_position())))?;
        let line = lines.line_at(reader.buffer_position());
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            limits::XML_ELEMENTS
                .check(elements, || format!("the XML holds {elements} elements or more"))
                .map_err(|e| e.at(format!("{place}:{line}")))?;
        }
        match event {
            Event::Start(e) => {
                if stack.len() >= XML_DEPTH {
                    let what = format!("elements are nested more than {XML_DEPTH} levels deep");
                    return Err(not_well_formed(what, line));
                }
                stack.push(element(&e, line).map_err(|w| not_well_formed(w, line))?);
            }
            Event::Empty(e) => {
                let el = element(&e, line).map_err(|w| not_well_formed(w, line))?;
                attach(el, &mut stack, &mut root).map_err(|w| not_well_formed(w, line))?;
            }
            Event::End(_) => {
                // quick-xml has checked that the end tag matches.
                let el = stack
                    .pop()
                    .ok_or_else(|| not_well_formed("an end tag without a start tag".into(), line))?;
                attach(el, &mut stack, &mut root).map_err(|w| not_well_formed(w, line))?;
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(Error::new(format!(
                                "the XML uses the entity `&{};`, which XML does not define and qcode does not read from a DOCTYPE",
                                &*r
                            ))
                            .at(format!("{place}:{line}"))
                            .hint("export the file again; REFI-QDA files need no entities besides &lt; &gt; &amp; &quot; &apos;"));
                        }
                    },
                    Err(e) => return Err(not_well_formed(e.to_string(), line)),
                };
                push_text(&mut stack, &resolved);
            }
            Event::DocType(d) => {
                if d.xml10_content().to_ascii_uppercase().contains("<!ENTITY") {
                    return Err(Error::new("the XML declares entities in its DOCTYPE, which qcode refuses to expand")
                        .at(format!("{place}:{line}"))
                        .hint("entity declarations can make a small file expand to gigabytes (\"billion laughs\"); REFI-QDA files never need them, so this file was not written by a REFI-QDA exporter"));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(not_well_formed(
            format!(
                "the file ends before <{}> (line {}) is closed; it is probably truncated",
                open.name, open.line
            ),
            lines.line_at(text.len() as u64),
        ));
    }
    root.ok_or_else(|| not_well_formed("there is no element at all".into(), 1))
}

fn element(e: &BytesStart, line: usize) -> std::result::Result<Element, String> {
    let mut attributes = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        if a.key.as_namespace_binding().is_some() {
            continue;
        }
        let key = a.key.local_name().as_ref().to_string();
        let value = a.normalized_value(XmlVersion::Implicit1_0).map_err(|e| e.to_string())?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Element {
        name: e.local_name().as_ref().to_string(),
        attributes,
        children: Vec::new(),
        text: String::new(),
        line,
    })
}

fn attach(el: Element, stack: &mut [Element], root: &mut Option<Element>) -> std::result::Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err(format!("a second top-level element <{}> after the first one", el.name)),
    }
    Ok(())
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(text);
    }
}

/// Line numbers of byte positions, counted forward (positions only grow).
struct LineCounter<'a> {
    text: &'a str,
    at: usize,
    line: usize,
}

impl LineCounter<'_> {
    fn line_at(&mut self, pos: u64) -> usize {
        let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(self.text.len());
        if pos < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += self.text.as_bytes()[self.at..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.at = pos;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_escaped_well_formed_xml() {
        let mut w = XmlWriter::new();
        w.open("Root", &[("name", "a \"b\" & <c>")]);
        w.text_element("Description", "x < y & z\u{1}");
        w.empty("Leaf", &[("guid", "1")]);
        w.close("Root");
        let xml = String::from_utf8(w.finish()).unwrap();
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Root"),
            "{xml}"
        );
        assert!(
            xml.contains("<Description>x &lt; y &amp; z\u{FFFD}</Description>"),
            "{xml}"
        );
        let root = parse(xml.as_bytes(), "t").unwrap();
        assert_eq!(root.attr("name"), Some("a \"b\" & <c>"));
        assert_eq!(root.child("Description").unwrap().text, "x < y & z\u{FFFD}");
        assert_eq!(root.child("Leaf").unwrap().line, 4);
    }

    #[test]
    fn namespaces_are_ignored() {
        for ns in [
            "urn:QDA-XML:project:1.0",
            "urn:QDA-XML:project:1:0",
            "urn:QDA-XML:project:0:4",
        ] {
            let xml = format!("<p:Project xmlns:p=\"{ns}\" p:name=\"x\"><p:Users/></p:Project>");
            let root = parse(xml.as_bytes(), "t").unwrap();
            assert_eq!(root.name, "Project");
            assert_eq!(root.attr("name"), Some("x"));
            assert_eq!(root.attributes.len(), 1, "xmlns declarations are not attributes");
            assert!(root.child("Users").is_some());
        }
    }

    #[test]
    fn entities() {
        let root = parse("<a>&lt;&#233;&#x1F68C;&amp;</a>".as_bytes(), "t").unwrap();
        assert_eq!(root.text, "<é🚌&");
        let e = parse(b"<a>&nbsp;</a>", "t").unwrap_err();
        assert!(e.what.contains("`&nbsp;`"), "{e}");
        let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;\">\n]>\n<lolz>&lol2;</lolz>";
        let e = parse(bomb.as_bytes(), "t").unwrap_err();
        assert!(e.what.contains("refuses to expand"), "{e}");
    }

    #[test]
    fn broken_xml_is_located() {
        let e = parse(b"<a>\n<b>\n</a>", "f.qdpx: project.qde").unwrap_err();
        assert!(e.what.contains("not well-formed"), "{e}");
        assert!(e.place.as_deref().unwrap().starts_with("f.qdpx: project.qde:"), "{e}");
        let e = parse(b"<a>\n<b>", "t").unwrap_err();
        assert!(e.what.contains("truncated"), "{e}");
        assert!(parse(b"\xff<a/>", "t").unwrap_err().what.contains("not UTF-8"));
        assert!(parse(b"", "t").is_err());
        let deep = "<a>".repeat(XML_DEPTH + 1);
        assert!(parse(deep.as_bytes(), "t").unwrap_err().what.contains("nested"));
    }

    #[test]
    fn bom_is_skipped() {
        assert_eq!(parse(b"\xEF\xBB\xBF<a/>", "t").unwrap().name, "a");
    }
}
