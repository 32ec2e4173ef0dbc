//! Spreadsheet-style inputs: one document per row (open-ended survey
//! answers). The text columns become the document's paragraphs, the id
//! column its id, every other column an attribute.

use indexmap::IndexMap;

use super::{Document, MAX_TEXT_FILE, ReadOptions, Source, read_bytes};
use crate::codebook::closest;
use crate::error::{Error, Result};

pub(super) fn read(source: &Source, delimiter: u8, options: &ReadOptions) -> Result<Vec<Document>> {
    let path = &source.path;
    if options.text_cols.is_empty() {
        return Err(Error::new("this is a table of documents, but no text column was named")
            .in_file(path)
            .hint("say which column holds the text with `--text-col COLUMN` (and the id with `--id-col COLUMN`)"));
    }
    let bytes = read_bytes(path, MAX_TEXT_FILE)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, &e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let column = |name: &str| -> Result<usize> {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            let mut err = Error::new(format!("there is no column `{name}`")).in_file(path);
            err = match closest(name, headers.iter().map(String::as_str)) {
                Some(best) => err.hint(format!(
                    "did you mean `{best}`? The columns are: {}",
                    headers.join(", ")
                )),
                None => err.hint(format!("the columns are: {}", headers.join(", "))),
            };
            err
        })
    };
    let text_cols: Vec<usize> = options.text_cols.iter().map(|c| column(c)).collect::<Result<_>>()?;
    let id_col = options.id_col.as_deref().map(column).transpose()?;
    let mut docs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| csv_error(path, &e))?;
        let line = record.position().map_or(row + 2, |p| p.line() as usize);
        let check = |i: usize| -> Result<&str> {
            std::str::from_utf8(record.as_byte_record().get(i).unwrap_or_default()).map_err(|_| {
                Error::new(format!("row {} is not valid UTF-8 text", row + 1))
                    .at(format!("{}:{line}", path.display()))
                    .hint("save the table as CSV UTF-8")
            })
        };
        let id = match id_col {
            Some(i) => {
                let v = check(i)?.trim().to_string();
                if v.is_empty() {
                    return Err(
                        Error::new(format!("row {} has an empty id in column `{}`", row + 1, headers[i]))
                            .at(format!("{}:{line}", path.display()))
                            .hint("give every row an id, or leave out --id-col to number rows"),
                    );
                }
                v
            }
            None => format!("{}#{}", source.id, row + 1),
        };
        if !seen.insert(id.clone()) {
            return Err(Error::new(format!("the id `{id}` appears on more than one row"))
                .at(format!("{}:{line}", path.display()))
                .hint("ids must be unique: fix the id column, or leave out --id-col to number rows"));
        }
        let mut parts = Vec::new();
        for &c in &text_cols {
            let t = check(c)?;
            if !t.trim().is_empty() {
                parts.push(crate::text::normalize(t.trim()));
            }
        }
        let mut attributes = IndexMap::new();
        for (i, h) in headers.iter().enumerate() {
            if Some(i) != id_col && !text_cols.contains(&i) {
                attributes.insert(h.clone(), crate::text::normalize(check(i)?.trim()));
            }
        }
        docs.push(Document {
            id,
            source: path.clone(),
            text: parts.join("\n\n"),
            first_line: 1,
            attributes,
        });
    }
    Ok(docs)
}

fn csv_error(path: &std::path::Path, e: &csv::Error) -> Error {
    let place = match e.position() {
        Some(p) => format!("{}:{}", path.display(), p.line()),
        None => path.display().to_string(),
    };
    let what = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("a row has {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the table is not valid UTF-8 text".to_string(),
        _ => format!("the table cannot be read: {e}"),
    };
    Error::new(what)
        .at(place)
        .hint("check the quoting of this row: a field with commas, quotes or line breaks must be in double quotes")
}
