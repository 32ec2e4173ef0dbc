//! Plain-text and Markdown transcripts, with optional YAML front matter.

use indexmap::IndexMap;

use super::{Document, ReadOptions, Source, read_text};
use crate::error::{Error, Result};

pub(super) fn read(source: &Source, options: &ReadOptions) -> Result<Document> {
    let (text, note) = read_text(source, options)?;
    let mut doc = from_text(source, text)?;
    doc.warnings.extend(note);
    Ok(doc)
}

/// The document of a text file's normalised `text`: front matter cut off
/// into attributes, character references decoded in Markdown (web tools
/// export `we&#39;re`), the metadata header read.
pub(super) fn from_text(source: &Source, mut text: String) -> Result<Document> {
    let (attributes, body_start, first_line) = front_matter(&text, &source.path.display().to_string())?;
    text.drain(..body_start);
    if is_markdown(&source.path) && memchr::memchr(b'&', text.as_bytes()).is_some() {
        text = crate::text::decode_entities(&text);
    }
    let mut doc = Document {
        first_line,
        attributes,
        ..Document::new(source, text)
    };
    doc.read_header(false);
    Ok(doc)
}

/// Whether the file is Markdown, by its extension.
fn is_markdown(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Parses a YAML front-matter block (`---` … `---` or `...` at the very top).
/// Returns the attributes, the byte offset where the body starts and the
/// file line number of the body's first line.
pub(crate) fn front_matter(text: &str, name: &str) -> Result<(IndexMap<String, String>, usize, usize)> {
    let none = Ok((IndexMap::new(), 0, 1));
    let Some(rest) = text.strip_prefix("---\n") else {
        return none;
    };
    let mut offset = 4;
    for (line, l) in (2..).zip(rest.split_inclusive('\n')) {
        let trimmed = l.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = &text[4..offset];
            let attrs = parse_attributes(yaml, name)?;
            return Ok((attrs, offset + l.len(), line + 1));
        }
        offset += l.len();
    }
    // An opening `---` without a closing one is a horizontal rule in
    // Markdown, not front matter.
    none
}

fn parse_attributes(yaml: &str, name: &str) -> Result<IndexMap<String, String>> {
    if yaml.trim().is_empty() {
        return Ok(IndexMap::new());
    }
    let value: IndexMap<String, serde_json::Value> = crate::codebook::parse_yaml(yaml).map_err(|e| {
        if let Some(e) = crate::codebook::budget_error(&e, name) {
            return e;
        }
        let place = match e.location() {
            // +1: the block starts on the line after the opening `---`.
            Some(loc) if loc.line() > 0 => format!("{name}:{}:{}", loc.line() + 1, loc.column()),
            _ => name.to_string(),
        };
        let msg = e.without_snippet().to_string();
        Error::new(format!(
            "the front matter at the top of the file is not valid YAML: {}",
            msg.lines().next().unwrap_or("")
        ))
        .at(place)
        .hint("write one `key: value` per line between the two `---` lines, e.g. `country: Guatemala`")
    })?;
    Ok(value.into_iter().map(|(k, v)| (k, scalar_text(&v))).collect())
}

/// A front-matter value as text (lists joined with `; `).
fn scalar_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_parsed_and_removed() {
        let text = "---\ncountry: Guatemala\ndate: 2021-03-14\nage: 34\n---\nP01: Hola.\n";
        let (attrs, start, line) = front_matter(text, "x.md").unwrap();
        assert_eq!(attrs["country"], "Guatemala");
        assert_eq!(attrs["date"], "2021-03-14");
        assert_eq!(attrs["age"], "34");
        assert_eq!(&text[start..], "P01: Hola.\n");
        assert_eq!(line, 6);
    }

    #[test]
    fn no_front_matter() {
        let (attrs, start, line) = front_matter("Hola\n---\n", "x").unwrap();
        assert!(attrs.is_empty());
        assert_eq!((start, line), (0, 1));
    }

    #[test]
    fn bad_front_matter_is_located() {
        let e = front_matter("---\ncountry: [a\n---\nx", "x.md").unwrap_err();
        assert!(e.place.unwrap().starts_with("x.md"));
    }
}
