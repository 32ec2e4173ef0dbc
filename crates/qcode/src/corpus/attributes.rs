//! Document attributes from a CSV file (`--attributes`): the first column is
//! the document id (or the file name without extension), the other columns
//! are attributes such as country, role and date.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use indexmap::IndexMap;

use super::Document;
use crate::error::{Error, Result};
use crate::files::read_bytes;
use crate::files::spreadsheet::Table;

/// Attributes keyed by document id or file stem.
#[derive(Debug, Default)]
pub struct AttributeTable {
    /// The attribute names: the header's columns after the first, in order.
    pub columns: Vec<String>,
    rows: IndexMap<String, (Vec<String>, AtomicBool)>,
}

impl AttributeTable {
    /// Reads the table from a CSV file in UTF-8 (or the encoding its
    /// byte-order mark names), within the limits of
    /// [`crate::limits`]. The first column holds
    /// document ids (or file names without extension), the others
    /// attributes, named by the header. Rows with an empty first cell are
    /// skipped, values are trimmed and normalised, and a document listed
    /// twice is an error.
    pub fn load(path: &Path) -> Result<AttributeTable> {
        let bytes = read_bytes(path)?;
        // UTF-8 (or a BOM's encoding): a table the team keeps, not a file as it arrived.
        let text = super::encoding::decode(path, &bytes, Some(encoding_rs::UTF_8))?.text;
        let mut table = Table::open(text.as_bytes(), b',', path, false)?;
        let headers = table.headers().to_vec();
        if headers.len() < 2 {
            return Err(
                Error::new("the attributes table needs a document column and at least one attribute column")
                    .in_file(path)
                    .hint("write a header like `document,country,role,date`"),
            );
        }
        let mut rows = IndexMap::new();
        for record in table.by_ref() {
            let record = record?;
            let line = record.position().map_or(0, |p| p.line());
            let key = record.get(0).unwrap_or_default().trim().to_string();
            if key.is_empty() {
                continue;
            }
            let values = record
                .iter()
                .skip(1)
                .map(|v| crate::text::normalize(v.trim()))
                .collect();
            if rows.insert(key.clone(), (values, AtomicBool::new(false))).is_some() {
                return Err(Error::new(format!("document `{key}` is listed twice"))
                    .at(format!("{}:{line}", path.display()))
                    .hint("keep one row per document"));
            }
        }
        Ok(AttributeTable {
            columns: headers[1..].to_vec(),
            rows,
        })
    }

    /// The row of the document `id` (by id, else by file stem).
    fn row(&self, id: &str) -> Option<&(Vec<String>, AtomicBool)> {
        let stem = Path::new(id).file_stem().map(|s| s.to_string_lossy().into_owned());
        self.rows.get(id).or_else(|| stem.and_then(|s| self.rows.get(&s)))
    }

    /// Whether the table has a row for the document `id`.
    pub fn has(&self, id: &str) -> bool {
        self.row(id).is_some()
    }

    /// Adds the document's attributes (the table's values win over front
    /// matter, since the table is the team's shared record).
    pub fn apply(&self, doc: &mut Document) {
        if let Some((values, used)) = self.row(&doc.id) {
            used.store(true, Ordering::Relaxed);
            for (col, value) in self.columns.iter().zip(values) {
                doc.attributes.insert(col.clone(), value.clone());
            }
        }
    }

    /// Rows that matched no document (likely misspelt ids).
    pub fn unused(&self) -> Vec<&str> {
        self.rows
            .iter()
            .filter(|(_, (_, used))| !used.load(Ordering::Relaxed))
            .map(|(k, _)| k.as_str())
            .collect()
    }
}
