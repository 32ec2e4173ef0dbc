//! Word documents (`.docx`): the paragraphs of the document body.
//!
//! The body is the part the package's relationships name as the main
//! document (usually `word/document.xml`). Text is the content of `w:t`;
//! `w:tab` is a tab, `w:br`/`w:cr` a line break. Paragraphs in a heading
//! style (read from `word/styles.xml`) or with an outline level are
//! headings, never speakers. Skipped: deleted tracked changes (`w:del`,
//! `w:moveFrom`), the rest of paragraph properties and run properties
//! (whose `w:tab` elements are tab stops, not tabs), field instructions, and the
//! fallback copy of alternate content (text boxes would appear twice).
//! Comments, footnotes, headers and footers live in other parts, which are
//! never read, so they cannot leak into the text.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::xml_text::{self, Dialect, Role};
use super::{Document, Source};
use crate::error::Result;
use crate::files::archive::{Archive, Kind};

const KIND: Kind = Kind::document("a Word document (.docx)");

const DIALECT: Dialect = Dialect {
    role,
    mixed_content: false,
};

fn role(name: &str) -> Option<Role> {
    Some(match name {
        "p" => Role::Paragraph,
        "t" => Role::Text,
        "tab" | "ptab" => Role::Tab,
        "br" | "cr" => Role::Break,
        "noBreakHyphen" => Role::Char('-'),
        "pPr" => Role::Properties,
        "del" | "moveFrom" | "rPr" | "instrText" | "Fallback" => Role::Skip,
        _ => return None,
    })
}

pub(super) fn read(source: &Source) -> Result<Document> {
    let mut archive = Archive::open(&source.path, &KIND)?;
    let main = match archive.entry("_rels/.rels")? {
        Some(rels) => main_part(&rels).unwrap_or_else(|| "word/document.xml".to_string()),
        None => "word/document.xml".to_string(),
    };
    let xml = archive.required(&main)?;
    let styles = match archive.entry("word/styles.xml")? {
        Some(styles) => heading_styles(&styles),
        None => Vec::new(),
    };
    let read = xml_text::paragraphs(&xml, &DIALECT, &styles, &source.path, &main)?;
    let mut doc = Document {
        headings: read.headings,
        ..Document::new(source, read.text)
    };
    doc.read_header(true);
    Ok(doc)
}

/// The ids of the paragraph styles that are headings: Word's built-in
/// `heading 1`…`heading 9`, `Title` and `Subtitle` (named in English
/// whatever the language of Word, though their ids are translated:
/// `Ttulo1`), styles with an outline level, and styles based on any of
/// these.
fn heading_styles(xml: &[u8]) -> Vec<String> {
    let Ok(xml) = std::str::from_utf8(xml) else {
        return Vec::new();
    };
    let mut reader = Reader::from_str(xml);
    // (id, based on, a heading by itself)
    let mut styles: Vec<(String, Option<String>, bool)> = Vec::new();
    loop {
        let (e, _) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, true),
            Ok(Event::Empty(e)) => (e, false),
            Ok(Event::Eof) | Err(_) => break,
            _ => continue,
        };
        match e.local_name().as_ref() {
            "style" => {
                let paragraph = xml_text::attribute(&e, "w:type").is_none_or(|t| t == "paragraph");
                if paragraph && let Some(id) = xml_text::attribute(&e, "w:styleId") {
                    styles.push((id, None, false));
                }
            }
            "name" => {
                if let (Some(style), Some(name)) = (styles.last_mut(), xml_text::attribute(&e, "w:val")) {
                    let name = name.to_lowercase();
                    style.2 |= name.starts_with("heading") || name == "title" || name == "subtitle";
                }
            }
            "basedOn" => {
                if let Some(style) = styles.last_mut() {
                    style.1 = xml_text::attribute(&e, "w:val");
                }
            }
            "outlineLvl" => {
                if let Some(style) = styles.last_mut() {
                    style.2 |= xml_text::attribute(&e, "w:val")
                        .and_then(|v| v.parse::<u8>().ok())
                        .is_some_and(|l| l < 9);
                }
            }
            _ => {}
        }
    }
    // Styles based on headings are headings; a chain is followed as far
    // as there are styles.
    for _ in 0..styles.len() {
        let headings: Vec<String> = styles.iter().filter(|s| s.2).map(|s| s.0.clone()).collect();
        let mut changed = false;
        for style in &mut styles {
            if !style.2 && style.1.as_ref().is_some_and(|b| headings.contains(b)) {
                style.2 = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    styles.into_iter().filter(|s| s.2).map(|s| s.0).collect()
}

/// The target of the package's `officeDocument` relationship.
fn main_part(rels: &[u8]) -> Option<String> {
    let mut reader = Reader::from_str(std::str::from_utf8(rels).ok()?);
    loop {
        match reader.read_event().ok()? {
            Event::Empty(e) | Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                let attr = |name: &str| xml_text::attribute(&e, name);
                if attr("Type").is_some_and(|t| t.ends_with("/officeDocument")) {
                    return attr("Target").map(|t| t.trim_start_matches('/').to_string());
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}
