//! Codings: a code applied to a stretch of text by a coder, and the files
//! that carry them between qcode, spreadsheets, R and pandas.
//!
//! The coded CSV ([`csv`]) is the project's interchange format: qcode
//! writes it, a person can fill it in a spreadsheet, and every report
//! (`freq`, `excerpts`, `agree`, `audit`) reads it back. JSON lines
//! ([`JsonlWriter`]) carry the same fields for scripts, with the
//! provenance in every line.

pub mod csv;
mod tree;

use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, Serializer};

pub use crate::codebook::Extracted;
use crate::error::{Error, Result};
use crate::report::Provenance;

pub use self::csv::{CsvWriter, read_coded, read_coded_csv};
pub use self::tree::{CodeTree, TreeCode};

/// The fixed columns of the coded CSV, in order; document attributes follow.
pub const COLUMNS: &[&str] = &[
    "document",
    "segment",
    "unit",
    "start_line",
    "end_line",
    "start_char",
    "end_char",
    "speaker",
    "code",
    "code_path",
    "coder",
    "hits",
    "matched",
    "text",
    "start_time",
    "end_time",
];

/// The prefix of the coded CSV's columns of extracted fields:
/// `extract.amount`.
pub const EXTRACT_PREFIX: &str = "extract.";

/// The coder name of qcode's automatic coding.
pub const AUTO_CODER: &str = "qcode";

/// One code applied to one segment of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coding {
    /// The document's id (see [`Document::id`](crate::corpus::Document::id)).
    pub document: String,
    /// 1-based segment index within the document (0 if unknown).
    pub segment: usize,
    /// The unit's name (see [`Unit`](crate::segment::Unit)), or what a
    /// coded CSV's `unit` column says (`span` for passages imported from
    /// other tools); empty when unknown.
    pub unit: String,
    /// 1-based line on which the passage starts (see
    /// [`Segment::start_line`](crate::segment::Segment::start_line)); 0 if
    /// unknown.
    pub start_line: usize,
    /// 1-based line on which it ends, inclusive (0 if unknown).
    pub end_line: usize,
    /// Character offsets into the document text, end exclusive.
    pub start_char: usize,
    /// End of that range (both 0 when a coded CSV leaves them empty).
    pub end_char: usize,
    /// The passage's speaker; empty when it has none.
    pub speaker: String,
    /// The code's name; a coded CSV may also give its path in the
    /// hierarchy (`parent/child`).
    pub code: String,
    /// The code's path in the hierarchy, `debt/lenders_interest` (its
    /// ancestors' names and its own, joined by `/`), so that a coded CSV
    /// read without its codebook keeps the tree; empty when unknown (files
    /// written before the column existed, files coded by hand).
    pub code_path: String,
    /// Who coded the passage: [`AUTO_CODER`] for qcode, else a person.
    pub coder: String,
    /// How many distinct, non-overlapping matches supported the code (0 if
    /// unknown, as for a person's coding).
    pub hits: usize,
    /// The matched words as they appear in the text, distinct, in order.
    pub matched: Vec<String>,
    /// The passage as it reads in the document, speaker label included.
    pub text: String,
    /// Timestamps of the passage (subtitle cues, timestamped labels), as
    /// written in the source; empty when the source has none.
    pub start_time: String,
    /// When the passage ends, as written; empty when only its start is
    /// known (a timestamped label) or the source has no times.
    pub end_time: String,
    /// Byte ranges of the matches within `text` (for highlighting).
    pub spans: Vec<(usize, usize)>,
    /// The values the code's `extract:` fields took in the passage (see
    /// [`crate::codebook::Code::extract`]); empty for most codes.
    pub extracted: Vec<Extracted>,
    /// The document's attributes, shared by all its codings.
    pub attributes: Arc<IndexMap<String, String>>,
}

/// Which passage of its document a coding codes, to tell passages apart
/// when codings are counted: a passage is one however many codes and
/// coders it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PassageKey {
    /// A passage located by its segment number and character offsets
    /// (either may be 0 when the file leaves it empty).
    Located {
        /// 1-based segment number, 0 if unknown.
        segment: usize,
        /// First character, from 0.
        start_char: usize,
        /// One past the last character; 0 if unknown.
        end_char: usize,
    },
    /// A row that locates its passage neither way, so it stands alone:
    /// its position among its document's codings.
    Row(usize),
}

impl Coding {
    /// The passage this coding codes; `row` is its position among the
    /// codings of its document, which tells apart rows that say nothing of
    /// where their passage is.
    pub fn passage_key(&self, row: usize) -> PassageKey {
        if self.segment == 0 && self.end_char == 0 {
            PassageKey::Row(row)
        } else {
            PassageKey::Located {
                segment: self.segment,
                start_char: self.start_char,
                end_char: self.end_char,
            }
        }
    }

    /// The values of the fixed columns ([`COLUMNS`]), in order, as the
    /// coded CSV writes them.
    pub fn values(&self) -> [Cow<'_, str>; 16] {
        let number = |n: usize| Cow::Owned(n.to_string());
        [
            Cow::Borrowed(self.document.as_str()),
            number(self.segment),
            Cow::Borrowed(self.unit.as_str()),
            number(self.start_line),
            number(self.end_line),
            number(self.start_char),
            number(self.end_char),
            Cow::Borrowed(self.speaker.as_str()),
            Cow::Borrowed(self.code.as_str()),
            Cow::Borrowed(self.code_path.as_str()),
            Cow::Borrowed(self.coder.as_str()),
            number(self.hits),
            Cow::Owned(join_matched(&self.matched)),
            Cow::Borrowed(self.text.as_str()),
            Cow::Borrowed(self.start_time.as_str()),
            Cow::Borrowed(self.end_time.as_str()),
        ]
    }
}

/// A coding as JSON: the coded CSV's fields (numbers as numbers, `matched`
/// as a list, an empty speaker or time as `null`) and its attributes as an
/// object. The spans of the matches are left out: `matched` gives the words.
impl Serialize for Coding {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let text_or_null = |t: &str| (!t.is_empty()).then(|| t.to_string());
        let mut map = s.serialize_map(Some(COLUMNS.len() + 1))?;
        map.serialize_entry("document", &self.document)?;
        map.serialize_entry("segment", &self.segment)?;
        map.serialize_entry("unit", &self.unit)?;
        map.serialize_entry("start_line", &self.start_line)?;
        map.serialize_entry("end_line", &self.end_line)?;
        map.serialize_entry("start_char", &self.start_char)?;
        map.serialize_entry("end_char", &self.end_char)?;
        map.serialize_entry("speaker", &text_or_null(&self.speaker))?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("code_path", &text_or_null(&self.code_path))?;
        map.serialize_entry("coder", &self.coder)?;
        map.serialize_entry("hits", &self.hits)?;
        map.serialize_entry("matched", &self.matched)?;
        map.serialize_entry("text", &self.text)?;
        map.serialize_entry("start_time", &text_or_null(&self.start_time))?;
        map.serialize_entry("end_time", &text_or_null(&self.end_time))?;
        if !self.extracted.is_empty() {
            let fields: IndexMap<&str, &[String]> = self
                .extracted
                .iter()
                .map(|e| (e.field.as_str(), e.values.as_slice()))
                .collect();
            map.serialize_entry("extracted", &fields)?;
        }
        map.serialize_entry("attributes", &*self.attributes)?;
        map.end()
    }
}

/// Writes codings as JSON lines: one object per coding, its keys in
/// alphabetical order, with the codebook's SHA-256 and qcode's version in
/// every line so that a line read alone can be traced.
pub struct JsonlWriter<W: Write> {
    out: W,
    codebook_sha256: Option<String>,
    qcode_version: String,
}

impl<W: Write> JsonlWriter<W> {
    /// A writer to `out`, tracing every line to `provenance`.
    pub fn new(out: W, provenance: &Provenance) -> JsonlWriter<W> {
        JsonlWriter {
            out,
            codebook_sha256: provenance.codebook_sha256.clone(),
            qcode_version: provenance.qcode_version.clone(),
        }
    }

    /// Writes one line.
    pub fn write(&mut self, c: &Coding) -> Result<()> {
        // Through a `Value`, whose object keeps its keys sorted.
        let mut line = serde_json::to_value(c).expect("codings serialise");
        line["codebook_sha256"] = serde_json::to_value(&self.codebook_sha256).expect("text serialises");
        line["qcode_version"] = serde_json::Value::String(self.qcode_version.clone());
        writeln!(self.out, "{line}").map_err(Error::write)
    }
}

/// Codings of one coder: `coder`'s when named (an error when the codings
/// hold none of theirs), else all of them, with a warning when they hold
/// several coders' codings, which are then taken together.
pub fn one_coder(codings: Vec<Coding>, coder: Option<&str>) -> Result<(Vec<Coding>, Option<String>)> {
    let mut coders: Vec<&str> = codings.iter().map(|c| c.coder.as_str()).collect();
    coders.sort_unstable();
    coders.dedup();
    match coder {
        Some(name) => {
            if !coders.contains(&name) {
                return Err(Error::usage(format!("no coding by coder `{name}`"))
                    .hint(format!("the coders in these files are: {}", coders.join(", "))));
            }
            Ok((codings.into_iter().filter(|c| c.coder == name).collect(), None))
        }
        None => {
            let warning = (coders.len() > 1).then(|| {
                format!(
                    "these files hold the codings of {} coders ({}); taking them together — use --coder NAME to take one",
                    coders.len(),
                    coders.join(", ")
                )
            });
            Ok((codings, warning))
        }
    }
}

/// The unit written in the `unit` column of every coding that fills it,
/// when they all say the same one.
pub fn common_unit(codings: &[Coding]) -> Option<&str> {
    let mut units = codings.iter().map(|c| c.unit.as_str()).filter(|u| !u.is_empty());
    let first = units.next()?;
    units.all(|u| u == first).then_some(first)
}

/// The values of field `field` of a coding, as a cell of its
/// `extract.FIELD` column: joined like `matched`, empty when none.
pub fn extracted_cell(extracted: &[Extracted], field: &str) -> String {
    extracted
        .iter()
        .find(|e| e.field == field)
        .map_or(String::new(), |e| join_matched(&e.values))
}

/// Joins matched words for the `matched` column.
pub fn join_matched(matched: &[String]) -> String {
    matched.join("; ")
}

/// Distinct matched texts, whitespace collapsed, in order of appearance.
pub fn distinct_matches(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for &(s, e) in spans {
        let m = text[s..e].split_whitespace().collect::<Vec<_>>().join(" ");
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// Where the matched words occur in `text` (case-insensitive, whole words),
/// for highlighting codings read back from a CSV.
pub fn find_spans(text: &str, matched: &[String]) -> Vec<(usize, usize)> {
    if matched.is_empty() || text.is_empty() {
        return Vec::new();
    }
    let alternatives: Vec<String> = matched
        .iter()
        .map(|m| m.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(r"\s+"))
        .collect();
    let Ok(re) = regex::RegexBuilder::new(&format!("(?:{})", alternatives.join("|")))
        .case_insensitive(true)
        .build()
    else {
        return Vec::new();
    };
    re.find_iter(text).map(|m| (m.start(), m.end())).collect()
}
