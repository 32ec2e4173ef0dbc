//! Spreadsheet-style inputs: one document per row (open-ended survey
//! answers). The text columns become the document's paragraphs, the id
//! column its id, every other column an attribute.
//!
//! `.csv`/`.tsv` files are decoded like every text file (see
//! [`super::encoding`]) and read here; `.xlsx` workbooks are read by
//! [`super::xlsx`]. Both hand their header and rows to [`documents`], so the
//! two behave alike.

use indexmap::IndexMap;

use super::{Document, ReadOptions, Source, SpeakerSource, read_text};
use crate::error::{Error, Result};
use crate::files::spreadsheet::Table;
use crate::text::closest;

pub(super) fn read(source: &Source, delimiter: u8, options: &ReadOptions) -> Result<Vec<Document>> {
    let path = &source.path;
    require_text_cols(path, super::Format::Table { delimiter }, options)?;
    let (text, note) = read_text(source, options)?;
    let mut table = Table::open(text.as_bytes(), delimiter, path, false)?;
    let headers = table.headers().to_vec();
    let rows = table.by_ref().enumerate().map(|(row, record)| {
        let record = record?;
        let line = record.position().map_or(row + 2, |p| p.line() as usize);
        Ok(Row {
            place: format!("{}:{line}", path.display()),
            line,
            cells: record.iter().map(str::to_string).collect(),
        })
    });
    let mut docs = documents(source, &path.display().to_string(), &headers, rows, options)?;
    if let Some(first) = docs.first_mut() {
        first.warnings.extend(note);
    }
    Ok(docs)
}

/// Refuses a table when no text column was named.
pub(super) fn require_text_cols(path: &std::path::Path, format: super::Format, options: &ReadOptions) -> Result<()> {
    if options.text_cols.is_empty() {
        let role = super::TableRole::of(path, format);
        let mut err = Error::usage(format!(
            "this table is read as documents (one per row) only when its text column is named, and it looks like {}",
            role.what()
        ))
        .in_file(path);
        if role != super::TableRole::Answers {
            err = err.hint(format!(
                "{}; to code the rows of a table of answers, name its text column with --text-col COLUMN",
                role.how()
            ));
        }
        return Err(
            err.hint("say which column holds the text with `--text-col COLUMN` (and the id with `--id-col COLUMN`)")
        );
    }
    Ok(())
}

/// One row of a table: where it is (for messages), the line (or row) of
/// the file it starts on, and its cells.
pub(super) struct Row {
    pub place: String,
    pub line: usize,
    pub cells: Vec<String>,
}

/// The documents of a table with `headers`; `table` names it in messages.
pub(super) fn documents(
    source: &Source,
    table: &str,
    headers: &[String],
    rows: impl Iterator<Item = Result<Row>>,
    options: &ReadOptions,
) -> Result<Vec<Document>> {
    let column = |name: &str| -> Result<usize> {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            let err = Error::new(format!("there is no column `{name}`")).at(table);
            match closest(name, headers.iter().map(String::as_str)) {
                Some(best) => err.hint(format!(
                    "did you mean `{best}`? The columns are: {}",
                    headers.join(", ")
                )),
                None => err.hint(format!("the columns are: {}", headers.join(", "))),
            }
        })
    };
    let text_cols: Vec<usize> = options.text_cols.iter().map(|c| column(c)).collect::<Result<_>>()?;
    let id_col = options.id_col.as_deref().map(column).transpose()?;
    let mut docs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (row, r) in rows.enumerate() {
        let Row { place, line, cells } = r?;
        let cell = |i: usize| cells.get(i).map_or("", |c| c.trim());
        let id = match id_col {
            Some(i) => {
                let v = cell(i).to_string();
                if v.is_empty() {
                    return Err(
                        Error::new(format!("row {} has an empty id in column `{}`", row + 1, headers[i]))
                            .at(place)
                            .hint("give every row an id, or leave out --id-col to number rows"),
                    );
                }
                v
            }
            None => format!("{}#{}", source.id, row + 1),
        };
        if !seen.insert(id.clone()) {
            return Err(Error::new(format!("the id `{id}` appears on more than one row"))
                .at(place)
                .hint("ids must be unique: fix the id column, or leave out --id-col to number rows"));
        }
        let parts: Vec<String> = text_cols
            .iter()
            .map(|&c| cell(c))
            .filter(|t| !t.is_empty())
            .map(crate::text::normalize)
            .collect();
        let attributes: IndexMap<String, String> = headers
            .iter()
            .enumerate()
            .filter(|&(i, _)| Some(i) != id_col && !text_cols.contains(&i))
            .map(|(i, h)| (h.clone(), crate::text::normalize(cell(i))))
            .collect();
        // Answers have no speakers unless asked for, and their lines are
        // counted from the row's line in the file.
        docs.push(Document {
            id,
            attributes,
            first_line: line,
            speakers: SpeakerSource::Cells,
            ..Document::new(source, parts.join("\n\n"))
        });
    }
    Ok(docs)
}
