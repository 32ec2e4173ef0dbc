//! OpenDocument text (`.odt`, LibreOffice): the paragraphs of `content.xml`.
//!
//! Paragraphs are `text:p` and headings `text:h` (list items and table cells
//! hold `text:p` too); headings are never speakers. Text is every text node inside them, white space
//! collapsed as ODF prescribes; `text:s` is one or more spaces, `text:tab` a
//! tab, `text:line-break` a line break. Skipped: comments
//! (`office:annotation`), footnotes and endnotes (`text:note`), the record of
//! tracked changes (which holds deleted text), generated tables of contents,
//! and image titles and descriptions.

use super::xml_text::{self, Dialect, Role};
use super::{Document, Source};
use crate::error::Result;
use crate::files::archive::{Archive, Kind};

const KIND: Kind = Kind::document("an OpenDocument text (.odt)");

const DIALECT: Dialect = Dialect {
    role,
    mixed_content: true,
};

fn role(name: &str) -> Option<Role> {
    Some(match name {
        "p" => Role::Paragraph,
        "h" => Role::Heading,
        "tab" => Role::Tab,
        "line-break" => Role::Break,
        "s" => Role::Spaces,
        "annotation" | "note" | "tracked-changes" | "table-of-content" | "title" | "desc" => Role::Skip,
        _ => return None,
    })
}

pub(super) fn read(source: &Source) -> Result<Document> {
    let mut archive = Archive::open(&source.path, &KIND)?;
    let xml = archive.required("content.xml")?;
    let read = xml_text::paragraphs(&xml, &DIALECT, &[], &source.path, "content.xml")?;
    let mut doc = Document {
        headings: read.headings,
        ..Document::new(source, read.text)
    };
    doc.read_header(true);
    Ok(doc)
}
