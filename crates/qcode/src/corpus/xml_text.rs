//! Paragraph text from word-processor XML: the one walker behind the
//! `.docx` and `.odt` readers, each of which only says what its elements
//! mean (a [`Dialect`]).
//!
//! The document body is walked once, in order. Each paragraph element
//! (headings, list items and table cells are paragraphs too) becomes one
//! paragraph of the document text, and paragraphs are separated by a blank
//! line, so qcode's `paragraph` unit is the document's paragraph and a
//! `Name:` label at a paragraph's start is a speaker label as in a `.txt`.
//! Tabs and line breaks are kept; blank lines inside a paragraph are
//! dropped (they would split it). Elements that are not the body's text —
//! deleted tracked changes, comments, notes — are skipped whole.
//!
//! quick-xml does not read DTDs, so no entity is ever expanded beyond the
//! five predefined ones and character references. The walk ends at the end
//! of the file whatever it is skipping (a file cut short inside a comment
//! is an error, not an endless loop), and the text may not grow beyond the
//! XML's size by more than [`limits::XML_TEXT_BEYOND_SIZE`], which only
//! elements that stand for many spaces could make it do.

use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::error::{Error, Result};
use crate::limits;

/// What an element means for the text.
pub(super) enum Role {
    /// A paragraph: its content is one paragraph of the text.
    Paragraph,
    /// A run of text whose text nodes are content (OOXML `w:t`).
    Text,
    Tab,
    Break,
    /// `n` spaces, `n` from the attribute `c` (ODF `text:s`), default 1.
    Spaces,
    /// A character written as an element (OOXML `w:noBreakHyphen`).
    Char(char),
    /// Not part of the text: the element and all it holds are skipped.
    Skip,
}

/// How one format's XML is read.
pub(super) struct Dialect {
    /// The role of an element, from its local name (prefix removed).
    pub role: fn(&str) -> Option<Role>,
    /// ODF: every text node inside a paragraph is content, and runs of
    /// white space collapse to one space. OOXML: only text inside
    /// [`Role::Text`] elements counts, exactly as written.
    pub mixed_content: bool,
}

/// The paragraphs of `xml` (the entry `entry` of `path`), joined by blank
/// lines and normalised (see [`crate::text`]).
pub(super) fn paragraphs(xml: &[u8], dialect: &Dialect, path: &Path, entry: &str) -> Result<String> {
    let broken = |what: String| {
        Error::new(format!("the document is damaged: `{entry}` {what}"))
            .in_file(path)
            .hint("open it in the program that made it and save it again")
    };
    let xml = std::str::from_utf8(xml).map_err(|e| broken(format!("is not UTF-8 at byte {}", e.valid_up_to())))?;
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut para = String::new();
    let (mut in_para, mut in_text, mut skip) = (0usize, 0usize, 0usize);
    // Elements open, whatever their role: the end of the file must close
    // them all, or the file was cut short.
    let mut depth = 0usize;
    // Text may not grow much beyond the XML it comes from (see
    // `limits::XML_TEXT_BEYOND_SIZE`); only elements that stand for
    // several characters can make it.
    let budget = xml.len() as u64 + limits::XML_TEXT_BEYOND_SIZE.value();
    loop {
        let event = reader.read_event().map_err(|e| {
            broken(format!(
                "is not well-formed XML at byte {}: {e}",
                reader.error_position()
            ))
        })?;
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof if depth > 0 => {
                return Err(broken(
                    "ends before its elements are closed: the file was cut short".to_string(),
                ));
            }
            _ => {}
        }
        let role = |e: &BytesStart| (dialect.role)(e.local_name().as_ref());
        match event {
            Event::Eof => break,
            Event::Start(_) if skip > 0 => skip += 1,
            Event::End(_) if skip > 0 => skip -= 1,
            _ if skip > 0 => {}
            Event::Start(e) => match role(&e) {
                Some(Role::Skip) => skip = 1,
                Some(Role::Paragraph) => {
                    push_paragraph(&mut out, &para);
                    para.clear();
                    in_para += 1;
                }
                Some(Role::Text) => in_text += 1,
                Some(r) => put(&r, &e, &mut para),
                None => {}
            },
            Event::Empty(e) => match role(&e) {
                Some(Role::Paragraph) => {
                    push_paragraph(&mut out, &para);
                    para.clear();
                }
                Some(Role::Skip | Role::Text) | None => {}
                Some(r) => put(&r, &e, &mut para),
            },
            Event::End(e) => match (dialect.role)(e.local_name().as_ref()) {
                Some(Role::Paragraph) => {
                    push_paragraph(&mut out, &para);
                    para.clear();
                    in_para = in_para.saturating_sub(1);
                }
                Some(Role::Text) => in_text = in_text.saturating_sub(1),
                _ => {}
            },
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                if !(in_text > 0 || (dialect.mixed_content && in_para > 0)) => {}
            Event::Text(t) => add_text(&mut para, &t.xml10_content(), dialect.mixed_content),
            Event::CData(t) => add_text(&mut para, &t.xml10_content(), dialect.mixed_content),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r)
                        .ok_or_else(|| broken(format!("uses the unknown entity `&{};`", &*r)))?
                        .to_string(),
                };
                add_text(&mut para, &resolved, dialect.mixed_content);
            }
            _ => {}
        }
        if (out.len() + para.len()) as u64 > budget {
            return Err(limits::XML_TEXT_BEYOND_SIZE
                .exceeded(format!("the text of `{entry}` grows to more than its XML"))
                .in_file(path));
        }
    }
    push_paragraph(&mut out, &para);
    Ok(crate::text::normalize(&out))
}

/// Writes the character(s) an element stands for.
fn put(role: &Role, e: &BytesStart, para: &mut String) {
    match role {
        Role::Tab => para.push('\t'),
        Role::Break => para.push('\n'),
        Role::Char(c) => para.push(*c),
        Role::Spaces => {
            let n = e
                .try_get_attribute("text:c")
                .ok()
                .flatten()
                .and_then(|a| {
                    a.normalized_value(XmlVersion::Implicit1_0)
                        .ok()?
                        .trim()
                        .parse::<usize>()
                        .ok()
                })
                .unwrap_or(1);
            para.extend(std::iter::repeat_n(' ', n.min(1000)));
        }
        Role::Paragraph | Role::Text | Role::Skip => {}
    }
}

fn add_text(para: &mut String, text: &str, collapse: bool) {
    if !collapse {
        para.push_str(text);
        return;
    }
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            if !(para.is_empty() || para.ends_with([' ', '\n', '\t'])) {
                para.push(' ');
            }
        } else {
            para.push(c);
        }
    }
}

/// Appends a paragraph, unless blank, after a blank line; blank lines inside
/// it are dropped so that it stays one paragraph.
fn push_paragraph(out: &mut String, para: &str) {
    let mut lines = para.split('\n').filter(|l| !l.trim().is_empty()).peekable();
    if lines.peek().is_none() {
        return;
    }
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    for (i, line) in lines.enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
}
