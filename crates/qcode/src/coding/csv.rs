//! The coded CSV: one row per coded passage, the fixed columns of
//! [`COLUMNS`] then one column per document attribute. qcode writes it
//! (streamed, as documents are coded) and reads it back, and a person can
//! fill it in a spreadsheet: columns are found by name, extra columns are
//! kept as attributes and column order does not matter when reading.
//!
//! A codebook whose codes extract fields (`extract:`) adds one column per
//! field, `extract.FIELD`, between the fixed columns and the attributes:
//! the words each match captured, joined by `; ` as in `matched`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;

use super::{COLUMNS, Coding, EXTRACT_PREFIX, Extracted, extracted_cell, find_spans};
use crate::error::{Error, Result};
use crate::files::spreadsheet::{CsvFile, CsvOut, unguard_cell};

/// Writes codings as CSV, header first. Attribute columns are fixed up
/// front so rows can be streamed.
pub struct CsvWriter<W: Write> {
    csv: CsvOut<W>,
    fields: Vec<String>,
    attributes: Vec<String>,
    /// The attributes of the last coding written, known to have columns
    /// (a document's codings share them).
    checked: Option<Arc<IndexMap<String, String>>>,
}

impl<W: Write> CsvWriter<W> {
    /// A writer to `out` whose header names the fixed columns, then one
    /// `extract.FIELD` column per extracted field of `fields`, then
    /// `attributes`.
    pub fn new(out: W, fields: Vec<String>, attributes: Vec<String>) -> Result<Self> {
        let extract_columns: Vec<String> = fields.iter().map(|f| format!("{EXTRACT_PREFIX}{f}")).collect();
        let header = COLUMNS
            .iter()
            .copied()
            .chain(extract_columns.iter().map(String::as_str))
            .chain(attributes.iter().map(String::as_str));
        Ok(CsvWriter {
            csv: CsvOut::new(out, header)?,
            fields,
            attributes,
            checked: None,
        })
    }

    /// Writes one row. An attribute without a column is an error: the
    /// header, written first, must name every attribute of every coding.
    pub fn write(&mut self, c: &Coding) -> Result<()> {
        if !self.checked.as_ref().is_some_and(|a| Arc::ptr_eq(a, &c.attributes)) {
            if let Some(k) = c.attributes.keys().find(|k| !self.attributes.contains(k)) {
                return Err(Error::new(format!(
                    "internal error: the attribute `{k}` of {} was not found before coding began",
                    c.document
                ))
                .hint("please report this with the file; meanwhile, use --format jsonl"));
            }
            self.checked = Some(c.attributes.clone());
        }
        // Cells are written one by one and guarded in place: a passage's
        // text is copied only in the rare case that it needs a guard.
        let attributes = self
            .attributes
            .iter()
            .map(|a| c.attributes.get(a).map_or("", String::as_str));
        for value in c.values().iter().map(|v| v.as_ref()) {
            self.csv.text(value)?;
        }
        for field in &self.fields {
            self.csv.text(&extracted_cell(&c.extracted, field))?;
        }
        for value in attributes {
            self.csv.text(value)?;
        }
        self.csv.end_row()
    }

    /// Flushes the rows and gives back the writer it wrote to.
    pub fn into_inner(self) -> Result<W> {
        self.csv.into_inner()
    }
}

/// Reads a coded CSV (qcode's own, or one filled in by a person).
///
/// Required columns: `document` and `code`. Missing `coder` means the
/// file's name stands for the coder. Unknown columns become attributes.
pub fn read_coded_csv(path: &Path) -> Result<Vec<Coding>> {
    read_coded(&CsvFile::open(path)?)
}

/// Reads a coded CSV already read from disk (see [`read_coded_csv`]).
pub fn read_coded(file: &CsvFile) -> Result<Vec<Coding>> {
    let path = file.path();
    let mut table = file.table()?;
    let headers = table.headers().to_vec();
    let col = |name: &str| headers.iter().position(|h| h == name);
    for required in ["document", "code"] {
        if col(required).is_none() {
            return Err(Error::new(format!("the coded CSV has no `{required}` column")).in_file(path).hint(format!(
                "a coded CSV needs at least the columns `document` and `code` (one row per coded passage); found: {}",
                headers.join(", ")
            )));
        }
    }
    let is_extracted = |h: &str| h.starts_with(EXTRACT_PREFIX) && h.len() > EXTRACT_PREFIX.len();
    let attr_cols: Vec<usize> = (0..headers.len())
        .filter(|i| !COLUMNS.contains(&headers[*i].as_str()) && !is_extracted(&headers[*i]))
        .collect();
    let extract_cols: Vec<(usize, &str)> = (0..headers.len())
        .filter(|i| is_extracted(&headers[*i]))
        .map(|i| (i, &headers[i][EXTRACT_PREFIX.len()..]))
        .collect();
    let default_coder = file.stem();
    let mut out = Vec::new();
    let mut attrs_cache: Option<Arc<IndexMap<String, String>>> = None;
    for (row, record) in table.by_ref().enumerate() {
        let record = record?;
        let line = record.position().map_or(row + 2, |p| p.line() as usize);
        // A column's cell, unguarded; empty when the file has no such column.
        let get = |name: &str| {
            col(name)
                .and_then(|c| record.get(c))
                .map(|v| unguard_cell(v).to_string())
                .unwrap_or_default()
        };
        let text_of = |name: &str| get(name).trim().to_string();
        let number = |name: &str| -> Result<usize> {
            let v = get(name);
            let v = v.trim();
            if v.is_empty() {
                return Ok(0);
            }
            v.parse().map_err(|_| {
                Error::new(format!("column `{name}` holds `{v}`, which is not a whole number"))
                    .at(format!("{}:{line}", path.display()))
                    .hint("write a whole number (or leave the cell empty)")
            })
        };
        let document = text_of("document");
        let code = text_of("code");
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
        let text = get("text");
        let matched: Vec<String> = get("matched")
            .split(';')
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect();
        let spans = find_spans(&text, &matched);
        let coder = text_of("coder");
        let extracted = extract_cols
            .iter()
            .filter_map(|&(i, field)| {
                let values: Vec<String> = unguard_cell(record.get(i).unwrap_or_default())
                    .split("; ")
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect();
                (!values.is_empty()).then(|| Extracted {
                    field: field.to_string(),
                    values,
                })
            })
            .collect();
        out.push(Coding {
            document,
            segment: number("segment")?,
            unit: text_of("unit"),
            start_line: number("start_line")?,
            end_line: number("end_line")?,
            start_char: number("start_char")?,
            end_char: number("end_char")?,
            speaker: text_of("speaker"),
            code_path: text_of("code_path"),
            code,
            coder: if coder.is_empty() { default_coder.clone() } else { coder },
            hits: number("hits")?,
            matched,
            text,
            start_time: text_of("start_time"),
            end_time: text_of("end_time"),
            spans,
            extracted,
            attributes,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::find_spans;

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
            code: "price_amounts".into(),
            code_path: "prices/price_amounts".into(),
            coder: "qcode".into(),
            hits: 2,
            matched: vec!["coyote".into(), "$3,500".into()],
            text: "=El coyote pidió $3,500, \"todo\"\ny más.".into(),
            start_time: "00:12:31".into(),
            end_time: String::new(),
            spans: vec![],
            extracted: vec![Extracted {
                field: "amount".into(),
                values: vec!["$3,500".into(), "=1".into()],
            }],
            attributes: Arc::new(attrs),
        }
    }

    #[test]
    fn csv_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coded.csv");
        let mut w = CsvWriter::new(Vec::new(), vec!["amount".into()], vec!["country".into()]).unwrap();
        w.write(&sample()).unwrap();
        let bytes = w.into_inner().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("document,segment,unit,start_line,end_line,start_char,end_char,speaker,code,code_path,coder,hits,matched,text,start_time,end_time,extract.amount,country\n"));
        assert!(text.contains(",\"$3,500; =1\","), "extracted values joined: {text}");
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
