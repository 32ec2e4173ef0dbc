//! Codings: a code applied to a stretch of text by a coder, and the coded
//! CSV that carries them between qcode, spreadsheets, R and pandas.
//!
//! The coded CSV is the project's interchange format: qcode writes it, a
//! person can fill it in a spreadsheet, and every report (`freq`,
//! `excerpts`, `agree`, `audit`) reads it back. Columns are found by name,
//! so extra columns are kept as attributes and column order does not
//! matter when reading.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::{Error, Result};
use crate::files::spreadsheet::{guard_cell, unguard_cell};

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
    "coder",
    "hits",
    "matched",
    "text",
    "start_time",
    "end_time",
];

/// The coder name of qcode's automatic coding.
pub const AUTO_CODER: &str = "qcode";

/// One code applied to one segment of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coding {
    pub document: String,
    /// 1-based segment index within the document (0 if unknown).
    pub segment: usize,
    pub unit: String,
    pub start_line: usize,
    pub end_line: usize,
    /// Character offsets into the document text, end exclusive.
    pub start_char: usize,
    pub end_char: usize,
    pub speaker: String,
    pub code: String,
    pub coder: String,
    pub hits: usize,
    /// The matched words as they appear in the text, distinct, in order.
    pub matched: Vec<String>,
    pub text: String,
    /// Timestamps of the passage (subtitle cues, timestamped labels), as
    /// written in the source; empty when the source has none.
    pub start_time: String,
    pub end_time: String,
    /// Byte ranges of the matches within `text` (for highlighting).
    pub spans: Vec<(usize, usize)>,
    pub attributes: Arc<IndexMap<String, String>>,
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

/// Writes codings as CSV, header first. Attribute columns are fixed up
/// front so rows can be streamed.
pub struct CsvWriter<W: Write> {
    writer: csv::Writer<W>,
    attributes: Vec<String>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W, attributes: Vec<String>) -> Result<Self> {
        let mut writer = csv::WriterBuilder::new().from_writer(out);
        let header: Vec<&str> = COLUMNS
            .iter()
            .copied()
            .chain(attributes.iter().map(String::as_str))
            .collect();
        writer.write_record(&header).map_err(csv_write_error)?;
        Ok(CsvWriter { writer, attributes })
    }

    pub fn write(&mut self, c: &Coding) -> Result<()> {
        let numbers = [c.segment, c.start_line, c.end_line, c.start_char, c.end_char];
        let [segment, start_line, end_line, start_char, end_char] = numbers.map(|n| n.to_string());
        let hits = c.hits.to_string();
        let matched = join_matched(&c.matched);
        let mut record: Vec<std::borrow::Cow<str>> = vec![
            guard_cell(&c.document),
            segment.into(),
            guard_cell(&c.unit),
            start_line.into(),
            end_line.into(),
            start_char.into(),
            end_char.into(),
            guard_cell(&c.speaker),
            guard_cell(&c.code),
            guard_cell(&c.coder),
            hits.into(),
            guard_cell(&matched),
            guard_cell(&c.text),
            guard_cell(&c.start_time),
            guard_cell(&c.end_time),
        ];
        for a in &self.attributes {
            record.push(guard_cell(c.attributes.get(a).map_or("", String::as_str)));
        }
        self.writer
            .write_record(record.iter().map(|c| c.as_bytes()))
            .map_err(csv_write_error)
    }

    pub fn into_inner(self) -> Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| Error::write_csv(e.into_error().into()))
    }
}

fn csv_write_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::write(io),
        other => Error::new(format!("cannot write CSV: {other:?}")),
    }
}

/// Reads a coded CSV (qcode's own, or one filled in by a person).
///
/// Required columns: `document` and `code`. Missing `coder` means the
/// file's name stands for the coder. Unknown columns become attributes.
pub fn read_coded_csv(path: &Path) -> Result<Vec<Coding>> {
    let bytes = crate::files::read_bytes(path, crate::files::MAX_TEXT_FILE)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = crate::files::spreadsheet::reader(bytes);
    let headers = crate::files::spreadsheet::headers(&mut reader, path)?;
    let col = |name: &str| headers.iter().position(|h| h == name);
    for required in ["document", "code"] {
        if col(required).is_none() {
            return Err(Error::new(format!("the coded CSV has no `{required}` column")).in_file(path).hint(format!(
                "a coded CSV needs at least the columns `document` and `code` (one row per coded passage); found: {}",
                headers.join(", ")
            )));
        }
    }
    let known: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    let attr_cols: Vec<usize> = (0..headers.len())
        .filter(|i| !COLUMNS.contains(&headers[*i].as_str()))
        .collect();
    let default_coder = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut attrs_cache: Option<Arc<IndexMap<String, String>>> = None;
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::csv(path, &e))?;
        let line = record.position().map_or(row + 2, |p| p.line() as usize);
        let get = |i: usize| {
            known[i]
                .and_then(|c| record.get(c))
                .map(|v| unguard_cell(v).to_string())
                .unwrap_or_default()
        };
        let number = |i: usize| -> Result<usize> {
            let v = get(i);
            let v = v.trim();
            if v.is_empty() {
                return Ok(0);
            }
            v.parse().map_err(|_| {
                Error::new(format!(
                    "column `{}` holds `{v}`, which is not a whole number",
                    COLUMNS[i]
                ))
                .at(format!("{}:{line}", path.display()))
                .hint("write a whole number (or leave the cell empty)")
            })
        };
        let document = get(0).trim().to_string();
        let code = get(8).trim().to_string();
        if document.is_empty() || code.is_empty() {
            return Err(Error::new(format!(
                "row {} has an empty `{}`",
                row + 1,
                if document.is_empty() { "document" } else { "code" }
            ))
            .at(format!("{}:{line}", path.display()))
            .hint("every row of a coded CSV names a document and a code; delete rows that do not"));
        }
        let attrs: IndexMap<String, String> = attr_cols
            .iter()
            .map(|&i| {
                (
                    headers[i].clone(),
                    unguard_cell(record.get(i).unwrap_or_default()).to_string(),
                )
            })
            .collect();
        let attributes = match &attrs_cache {
            Some(a) if **a == attrs => a.clone(),
            _ => {
                let a = Arc::new(attrs);
                attrs_cache = Some(a.clone());
                a
            }
        };
        let text = get(12);
        let matched: Vec<String> = get(11)
            .split(';')
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect();
        let spans = find_spans(&text, &matched);
        let coder = get(9).trim().to_string();
        out.push(Coding {
            document,
            segment: number(1)?,
            unit: get(2),
            start_line: number(3)?,
            end_line: number(4)?,
            start_char: number(5)?,
            end_char: number(6)?,
            speaker: get(7).trim().to_string(),
            code,
            coder: if coder.is_empty() { default_coder.clone() } else { coder },
            hits: number(10)?,
            matched,
            text,
            start_time: get(13).trim().to_string(),
            end_time: get(14).trim().to_string(),
            spans,
            attributes,
        });
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Coding {
        let mut attrs = IndexMap::new();
        attrs.insert("country".to_string(), "Honduras".to_string());
        Coding {
            document: "a.txt".into(),
            segment: 3,
            unit: "paragraph".into(),
            start_line: 5,
            end_line: 6,
            start_char: 100,
            end_char: 140,
            speaker: "P03".into(),
            code: "prices".into(),
            coder: "qcode".into(),
            hits: 2,
            matched: vec!["coyote".into(), "$3,500".into()],
            text: "=El coyote pidió $3,500, \"todo\"\ny más.".into(),
            start_time: "00:12:31".into(),
            end_time: String::new(),
            spans: vec![],
            attributes: Arc::new(attrs),
        }
    }

    #[test]
    fn csv_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coded.csv");
        let mut w = CsvWriter::new(Vec::new(), vec!["country".into()]).unwrap();
        w.write(&sample()).unwrap();
        let bytes = w.into_inner().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("document,segment,unit,start_line,end_line,start_char,end_char,speaker,code,coder,hits,matched,text,start_time,end_time,country\n"));
        assert!(text.contains("\"'=El coyote"), "formula guard: {text}");
        std::fs::write(&path, bytes).unwrap();
        let back = read_coded_csv(&path).unwrap();
        let mut want = sample();
        want.spans = find_spans(&want.text, &want.matched);
        assert_eq!(back, vec![want]);
        assert_eq!(back[0].spans.len(), 2);
    }

    #[test]
    fn missing_columns_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, "doc,code\na,b\n").unwrap();
        let e = read_coded_csv(&path).unwrap_err();
        assert!(e.what.contains("no `document` column"), "{e}");
    }

    #[test]
    fn coder_defaults_to_file_stem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("maria.csv");
        std::fs::write(&path, "document,code\na.txt,prices\n").unwrap();
        assert_eq!(read_coded_csv(&path).unwrap()[0].coder, "maria");
    }
}
