//! CSV as spreadsheets write it and read it: the separator a Spanish or
//! French Excel chooses, a byte-order mark at the start, and cells that a
//! spreadsheet would run as formulas.
//!
//! Every CSV qcode reads (coded CSVs, attribute files, tables of answers,
//! long-format ratings) and writes (coded CSVs, reports) goes through this
//! module, so the rules are the same everywhere.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A CSV file read whole (with the size limit of text files), without its
/// byte-order mark: read from disk once, parsed as often as needed.
#[derive(Debug, Clone)]
pub struct CsvFile {
    path: PathBuf,
    bytes: Vec<u8>,
    /// Where the text starts: after a UTF-8 byte-order mark, if any.
    start: usize,
}

impl CsvFile {
    /// Reads the file at `path`.
    pub fn open(path: &Path) -> Result<CsvFile> {
        let bytes = super::read_bytes(path)?;
        let start = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        Ok(CsvFile {
            path: path.to_path_buf(),
            bytes,
            start,
        })
    }

    /// Where the file was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A reader over the file's rows, the header first (see [`reader`]).
    pub fn reader(&self) -> csv::Reader<&[u8]> {
        reader(&self.bytes[self.start..])
    }

    /// The file's name without extension: who coded it, when its rows do
    /// not say (`ana.csv` holds Ana's codings).
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// A CSV reader over `data`. The separator is a comma, or a semicolon when
/// the header line has semicolons and no comma: spreadsheets save CSV that
/// way in Spanish and many other European settings.
pub fn reader(data: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter(data, b','))
        .flexible(false)
        .from_reader(data)
}

/// The separator of a table whose usual one is `usual`: a semicolon instead
/// of a comma when the header line has semicolons and no comma.
pub fn delimiter(data: &[u8], usual: u8) -> u8 {
    let header = data.split(|&b| b == b'\n').next().unwrap_or_default();
    if usual == b',' && !header.contains(&b',') && header.contains(&b';') {
        b';'
    } else {
        usual
    }
}

/// The trimmed column names of a CSV file (`path` names it in errors).
pub fn headers<R: std::io::Read>(reader: &mut csv::Reader<R>, path: &Path) -> Result<Vec<String>> {
    Ok(reader
        .headers()
        .map_err(|e| Error::csv(path, &e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect())
}

/// Guards a CSV cell against formula injection in spreadsheets: a cell that
/// starts with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`
/// (OWASP's advice), which spreadsheets show as text. [`unguard_cell`] undoes
/// it when qcode reads the file back.
pub fn guard_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// Undoes [`guard_cell`].
pub fn unguard_cell(s: &str) -> &str {
    match s.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &s[1..],
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_round_trips() {
        for s in ["=SUM(A1)", "-5", "+1", "@x", "plain", "'quoted", ""] {
            assert_eq!(unguard_cell(&guard_cell(s)), s);
        }
        assert_eq!(guard_cell("=1+1"), "'=1+1");
    }
}
