//! Word documents (`.docx`): the paragraphs of the document body.
//!
//! The body is the part the package's relationships name as the main
//! document (usually `word/document.xml`). Text is the content of `w:t`;
//! `w:tab` is a tab, `w:br`/`w:cr` a line break. Skipped: deleted tracked
//! changes (`w:del`, `w:moveFrom`), paragraph and run properties (whose
//! `w:tab` elements are tab stops, not tabs), field instructions, and the
//! fallback copy of alternate content (text boxes would appear twice).
//! Comments, footnotes, headers and footers live in other parts, which are
//! never read, so they cannot leak into the text.

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

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
        "del" | "moveFrom" | "pPr" | "rPr" | "instrText" | "Fallback" => Role::Skip,
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
    let text = xml_text::paragraphs(&xml, &DIALECT, &source.path, &main)?;
    Ok(Document::new(source, text))
}

/// The target of the package's `officeDocument` relationship.
fn main_part(rels: &[u8]) -> Option<String> {
    let mut reader = Reader::from_str(std::str::from_utf8(rels).ok()?);
    loop {
        match reader.read_event().ok()? {
            Event::Empty(e) | Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                let attr = |name: &str| {
                    e.try_get_attribute(name)
                        .ok()
                        .flatten()?
                        .normalized_value(XmlVersion::Implicit1_0)
                        .ok()
                        .map(|v| v.into_owned())
                };
                if attr("Type").is_some_and(|t| t.ends_with("/officeDocument")) {
                    return attr("Target").map(|t| t.trim_start_matches('/').to_string());
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}
