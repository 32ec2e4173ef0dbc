//! Writing a project: documents become `TextSource`s whose text goes to
//! `sources/<guid>.txt` (UTF-8, no BOM, `\n` line ends, exactly the text
//! qcode's offsets count), each coding becomes a `PlainTextSelection` with
//! one `Coding`, coders become `User`s, document attributes typed
//! `Variable`s with `VariableValue`s in their source.
//!
//! GUIDs are UUIDv5 of stable keys (the code name, the document id, the
//! coder, the span), so exporting the same project twice gives the same
//! file, byte for byte, and other programs merge re-exports instead of
//! duplicating them.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Write};

use indexmap::{IndexMap, IndexSet};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::{NAMESPACE, SCHEMA_LOCATION};
use crate::codebook::Codebook;
use crate::coding::Coding;
use crate::corpus::{self, Document, ReadOptions};
use crate::error::{Error, Result};
use crate::pipeline::Observer;
use crate::refi::positions::{Positions, Units, locate};
use crate::refi::qdc::{ExchangeCode, XSI, write_codes};
use crate::refi::xml::XmlWriter;
use crate::refi::{guid, list, origin};
use crate::segment::Unit;

/// The description of a project coded by qcode in this run.
pub fn automatic_description(cb: &Codebook, unit: Unit) -> String {
    format!(
        "Coded automatically by {} with the codebook \"{}\"{} ({}, sha256 {}), unit: {}.",
        origin(),
        cb.name,
        cb.version
            .as_deref()
            .map(|v| format!(" version {v}"))
            .unwrap_or_default(),
        cb.source,
        cb.sha256,
        unit.as_str()
    )
}

/// The description of a project whose codings come from coded CSVs.
pub fn imported_description(files: &[String], codebook: Option<&Codebook>) -> String {
    let mut description = format!("Exported by {} from the coded CSV {}", origin(), files.join(", "));
    if let Some(cb) = codebook {
        description.push_str(&format!(
            " with the codebook \"{}\" ({}, sha256 {})",
            cb.name, cb.source, cb.sha256
        ));
    }
    description.push('.');
    description
}

/// Builds a `.qdpx` project in memory, one document at a time.
pub struct ProjectWriter {
    zip: ZipWriter<Cursor<Vec<u8>>>,
    positions: Positions,
    has_codebook: bool,
    codes: Vec<ExchangeCode>,
    /// Code names and paths (`parent/child`) → index in `codes`.
    code_keys: HashMap<String, usize>,
    users: IndexSet<String>,
    variables: IndexMap<String, ValueType>,
    sources: Vec<Source>,
    notes: Notes,
}

/// What the export had to say, gathered for warnings at the end.
#[derive(Default)]
struct Notes {
    astral: Vec<String>,
    unknown_codes: Vec<String>,
    whole_document: usize,
    duplicates: usize,
    changed_text: usize,
}

struct Source {
    guid: String,
    name: String,
    attributes: Vec<(String, String)>,
    selections: Vec<Selection>,
    /// Codings of the whole document: (code, coder).
    whole: Vec<(usize, String)>,
}

struct Selection {
    /// In the export's unit.
    start: usize,
    end: usize,
    /// In characters, for the GUID (which must not depend on the unit).
    start_char: usize,
    end_char: usize,
    text: String,
    code: usize,
    coder: String,
}

/// The type of a variable: the narrowest that fits all its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueType {
    Boolean,
    Integer,
    Float,
    Date,
    Text,
}

impl ValueType {
    fn of(v: &str) -> ValueType {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let unsigned = v.strip_prefix('-').unwrap_or(v);
        if v == "true" || v == "false" {
            ValueType::Boolean
        } else if digits(unsigned) && (unsigned == "0" || !unsigned.starts_with('0')) {
            // Leading zeros mark an identifier (participant "007"), not a number.
            ValueType::Integer
        } else if let Some((int, frac)) = unsigned.split_once('.')
            && digits(int)
            && digits(frac)
        {
            ValueType::Float
        } else if is_date(v) {
            ValueType::Date
        } else {
            ValueType::Text
        }
    }

    fn join(self, other: ValueType) -> ValueType {
        use ValueType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Integer, Float) | (Float, Integer) => Float,
            _ => Text,
        }
    }

    /// `typeOfVariable` and the element of a value.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            ValueType::Boolean => ("Boolean", "BooleanValue"),
            ValueType::Integer => ("Integer", "IntegerValue"),
            ValueType::Float => ("Float", "FloatValue"),
            ValueType::Date => ("Date", "DateValue"),
            ValueType::Text => ("Text", "TextValue"),
        }
    }
}

/// `YYYY-MM-DD`, a real calendar date (what `xsd:date` accepts).
fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (v[..4].parse::<u32>(), v[5..7].parse::<u32>(), v[8..].parse::<u32>()) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

impl ProjectWriter {
    /// Starts a project; the codebook, if any, gives the codes, their
    /// hierarchy and documentation.
    pub fn new(codebook: Option<&Codebook>, positions: Positions) -> ProjectWriter {
        let mut w = ProjectWriter {
            zip: ZipWriter::new(Cursor::new(Vec::new())),
            positions,
            has_codebook: codebook.is_some(),
            codes: Vec::new(),
            code_keys: HashMap::new(),
            users: IndexSet::new(),
            variables: IndexMap::new(),
            sources: Vec::new(),
            notes: Notes::default(),
        };
        if let Some(cb) = codebook {
            w.codes = ExchangeCode::from_codebook(cb);
            for (i, c) in cb.codes.iter().enumerate() {
                w.code_keys.insert(c.name.clone(), i);
                w.code_keys.insert(cb.path(i).to_string(), i);
            }
        }
        w
    }

    /// The code a coding names (a code name or a `parent/child` path),
    /// added to the project's codebook if it is not there yet.
    fn resolve(&mut self, code: &str) -> usize {
        if let Some(&i) = self.code_keys.get(code) {
            return i;
        }
        let (parent, leaf) = match code.rsplit_once('/') {
            Some((p, l)) if !p.is_empty() && !l.is_empty() => (Some(self.resolve(p)), l),
            _ => (None, code),
        };
        let i = self.codes.len();
        self.codes.push(ExchangeCode::bare(code, leaf, parent));
        self.code_keys.insert(code.to_string(), i);
        if self.has_codebook {
            self.notes.unknown_codes.push(code.to_string());
        }
        i
    }

    /// Adds a document and its codings (character offsets into `doc.text`).
    pub fn add_document(&mut self, doc: &Document, codings: &[Coding]) -> Result<()> {
        let guid = guid("source", &[&doc.id]);
        self.zip
            .start_file(format!("sources/{guid}.txt"), entry_options())
            .map_err(zip_error)?;
        self.zip.write_all(doc.text.as_bytes()).map_err(crate::Error::write)?;

        let units = Units::new(&doc.text);
        if units.has_astral() {
            self.notes.astral.push(doc.id.clone());
        }
        let length = units.len(Positions::Codepoints);
        let mut attributes = Vec::new();
        for (k, v) in &doc.attributes {
            let v = v.trim();
            if !v.is_empty() {
                let t = ValueType::of(v);
                self.variables
                    .entry(k.clone())
                    .and_modify(|old| *old = old.join(t))
                    .or_insert(t);
                attributes.push((k.clone(), v.to_string()));
            }
        }
        let offsets: Vec<usize> = codings.iter().flat_map(|c| [c.start_char, c.end_char]).collect();
        let bytes = locate(&doc.text, &offsets);
        let mut selections = Vec::new();
        let mut whole = Vec::new();
        let mut seen = HashSet::new();
        for (k, c) in codings.iter().enumerate() {
            let code = self.resolve(&c.code);
            self.codes[code].codable = true;
            self.users.insert(c.coder.clone());
            if !seen.insert((code, c.coder.as_str(), c.start_char, c.end_char)) {
                self.notes.duplicates += 1;
                continue;
            }
            if c.start_char == c.end_char {
                self.notes.whole_document += 1;
                whole.push((code, c.coder.clone()));
                continue;
            }
            if c.start_char > c.end_char || c.end_char > length {
                return Err(Error::new(format!(
                    "the coding of `{}` by {} spans characters {}–{}, but the document has {length} characters",
                    c.code, c.coder, c.start_char, c.end_char
                ))
                .at(doc.id.clone())
                .hint("the transcript changed since it was coded: code it again with `qcode code`, or correct start_char and end_char in the coded CSV"));
            }
            let text = &doc.text[bytes[2 * k].0..bytes[2 * k + 1].0];
            if !c.text.is_empty() && c.text != text {
                self.notes.changed_text += 1;
            }
            selections.push(Selection {
                start: units.from_char(c.start_char, self.positions),
                end: units.from_char(c.end_char, self.positions),
                start_char: c.start_char,
                end_char: c.end_char,
                text: text.to_string(),
                code,
                coder: c.coder.clone(),
            });
        }
        selections.sort_by(|a, b| (a.start, a.end, a.code, &a.coder).cmp(&(b.start, b.end, b.code, &b.coder)));
        self.sources.push(Source {
            guid,
            name: doc.id.clone(),
            attributes,
            selections,
            whole,
        });
        Ok(())
    }

    /// Adds the transcripts `sources` that `selection` takes (read as
    /// `read` says) with the `codings` made of them elsewhere, each
    /// document with its own; returns how many documents and codings were
    /// added. Codings of a document that is not among the transcripts are
    /// an error (their offsets would point nowhere); those of a document
    /// the selection leaves out are left out with it.
    pub fn add_transcripts(
        &mut self,
        sources: &[corpus::Source],
        read: &ReadOptions,
        selection: &corpus::Selection,
        codings: Vec<Coding>,
        observer: &dyn Observer,
    ) -> Result<(usize, usize)> {
        let mut by_document: IndexMap<String, Vec<Coding>> = IndexMap::new();
        for coding in codings {
            by_document.entry(coding.document.clone()).or_default().push(coding);
        }
        let (mut documents, mut added) = (0, 0);
        crate::pipeline::read(sources, read, selection, observer, |doc| {
            let rows = by_document.shift_remove(&doc.id).unwrap_or_default();
            documents += 1;
            added += rows.len();
            self.add_document(&doc, &rows)
        })?;
        by_document.retain(|id, _| !selection.refused(id));
        if !by_document.is_empty() {
            let missing: Vec<&str> = by_document.keys().map(String::as_str).collect();
            return Err(Error::new(format!(
                "the coded CSV names {} document(s) that are not among the transcripts: {}",
                missing.len(),
                missing.join(", ")
            ))
            .hint("give the transcripts the CSV was coded from (the files or folder given to `qcode code`), so that the `document` column matches their ids"));
        }
        Ok((documents, added))
    }

    /// Writes `project.qde` and returns the archive's bytes, with the
    /// warnings to show. `name` becomes the project's name and
    /// `description` its memo (`Description`, left out when empty).
    pub fn finish(mut self, name: &str, description: &str) -> Result<(Vec<u8>, Vec<String>)> {
        let xml = self.project_xml(name, description);
        self.zip.start_file("project.qde", entry_options()).map_err(zip_error)?;
        self.zip.write_all(&xml).map_err(crate::Error::write)?;
        let bytes = self.zip.finish().map_err(zip_error)?.into_inner();
        Ok((bytes, self.notes.warnings(self.positions)))
    }

    fn project_xml(&self, name: &str, description: &str) -> Vec<u8> {
        let mut w = XmlWriter::new();
        let origin = match self.positions {
            Positions::Codepoints => origin(),
            // Says so for qcode's own import, which then counts the same way.
            Positions::Utf16 => format!("{}; positions in UTF-16 code units", origin()),
        };
        w.open(
            "Project",
            &[
                ("xmlns", NAMESPACE),
                ("xmlns:xsi", XSI),
                ("xsi:schemaLocation", SCHEMA_LOCATION),
                ("name", name),
                ("origin", &origin),
            ],
        );
        if !self.users.is_empty() {
            w.open("Users", &[]);
            for u in &self.users {
                w.empty("User", &[("guid", &user_guid(u)), ("name", u)]);
            }
            w.close("Users");
        }
        if !self.codes.is_empty() {
            w.open("CodeBook", &[]);
            write_codes(&mut w, &self.codes);
            w.close("CodeBook");
        }
        if !self.variables.is_empty() {
            w.open("Variables", &[]);
            for (v, t) in &self.variables {
                w.empty(
                    "Variable",
                    &[
                        ("guid", &guid("variable", &[v])),
                        ("name", v),
                        ("typeOfVariable", t.names().0),
                    ],
                );
            }
            w.close("Variables");
        }
        if !self.sources.is_empty() {
            w.open("Sources", &[]);
            for s in &self.sources {
                self.write_source(&mut w, s);
            }
            w.close("Sources");
        }
        if !description.is_empty() {
            w.text_element("Description", description);
        }
        w.close("Project");
        w.finish()
    }

    fn write_source(&self, w: &mut XmlWriter, s: &Source) {
        let path = format!("internal://{}.txt", s.guid);
        let attributes = [("guid", s.guid.as_str()), ("name", &s.name), ("plainTextPath", &path)];
        if s.selections.is_empty() && s.whole.is_empty() && s.attributes.is_empty() {
            w.empty("TextSource", &attributes);
            return;
        }
        w.open("TextSource", &attributes);
        for sel in &s.selections {
            let code = &self.codes[sel.code];
            let (start_char, end_char) = (sel.start_char.to_string(), sel.end_char.to_string());
            let key = [s.name.as_str(), &code.guid, &sel.coder, &start_char, &end_char];
            let user = user_guid(&sel.coder);
            let (start, end) = (sel.start.to_string(), sel.end.to_string());
            w.open(
                "PlainTextSelection",
                &[
                    ("guid", &guid("selection", &key)),
                    ("name", &sel.text),
                    ("startPosition", &start),
                    ("endPosition", &end),
                    ("creatingUser", &user),
                ],
            );
            write_coding(w, &guid("coding", &key), &user, &code.guid);
            w.close("PlainTextSelection");
        }
        for (code, coder) in &s.whole {
            let code = &self.codes[*code];
            write_coding(
                w,
                &guid("coding", &[s.name.as_str(), &code.guid, coder]),
                &user_guid(coder),
                &code.guid,
            );
        }
        for (name, value) in &s.attributes {
            let value_element = self.variables[name].names().1;
            w.open("VariableValue", &[]);
            w.empty("VariableRef", &[("targetGUID", &guid("variable", &[name]))]);
            w.text_element(value_element, value);
            w.close("VariableValue");
        }
        w.close("TextSource");
    }
}

fn write_coding(w: &mut XmlWriter, guid: &str, user: &str, code: &str) {
    w.open("Coding", &[("guid", guid), ("creatingUser", user)]);
    w.empty("CodeRef", &[("targetGUID", code)]);
    w.close("Coding");
}

/// Deflated, and dated like every entry (1980-01-01, the earliest ZIP
/// date) so that the same project always gives the same bytes.
fn entry_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::DEFAULT)
}

fn user_guid(coder: &str) -> String {
    guid("user", &[coder])
}

fn zip_error(e: zip::result::ZipError) -> Error {
    Error::new(format!("cannot write the project archive: {e}"))
}

impl Notes {
    fn warnings(&self, positions: Positions) -> Vec<String> {
        let mut out = Vec::new();
        if !self.astral.is_empty() {
            let docs = list(&self.astral);
            out.push(match positions {
                Positions::Codepoints => format!(
                    "{} document(s) contain characters above U+FFFF (emoji, some CJK): positions are in Unicode code points, as the standard says, but NVivo counts UTF-16 units and would shift the codings that follow them; for NVivo, export with --positions utf16 ({docs})",
                    self.astral.len()
                ),
                Positions::Utf16 => format!(
                    "{} document(s) contain characters above U+FFFF (emoji, some CJK): positions are in UTF-16 units for NVivo, and other programs (QualCoder, MAXQDA, ATLAS.ti) would shift the codings that follow them ({docs})",
                    self.astral.len()
                ),
            });
        }
        if !self.unknown_codes.is_empty() {
            out.push(format!(
                "codes not in the codebook, added to the project's codebook: {}",
                list(&self.unknown_codes)
            ));
        }
        if self.whole_document > 0 {
            out.push(format!(
                "{} coding(s) have no character positions (start_char = end_char), so they code their whole document",
                self.whole_document
            ));
        }
        if self.duplicates > 0 {
            out.push(format!(
                "{} duplicate coding(s) (same document, code, coder and span) were written once",
                self.duplicates
            ));
        }
        if self.changed_text > 0 {
            out.push(format!(
                "{} coding(s) in the coded CSV quote a text that differs from the transcript at their positions: the transcripts may have changed since they were coded",
                self.changed_text
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_types() {
        let t = |v: &str| ValueType::of(v);
        assert_eq!(t("34"), ValueType::Integer);
        assert_eq!(t("-3"), ValueType::Integer);
        assert_eq!(t("007"), ValueType::Text);
        assert_eq!(t("3.5"), ValueType::Float);
        assert_eq!(t("1e5"), ValueType::Text);
        assert_eq!(t("true"), ValueType::Boolean);
        assert_eq!(t("2021-03-14"), ValueType::Date);
        assert_eq!(t("2021-02-29"), ValueType::Text);
        assert_eq!(t("2020-02-29"), ValueType::Date);
        assert_eq!(t("Guatemala"), ValueType::Text);
        assert_eq!(ValueType::Integer.join(ValueType::Float), ValueType::Float);
        assert_eq!(ValueType::Integer.join(ValueType::Date), ValueType::Text);
    }
}
