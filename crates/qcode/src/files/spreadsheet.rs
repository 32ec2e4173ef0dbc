//! CSV as spreadsheets write it and read it: the separator a Spanish or
//! French Excel chooses, a byte-order mark at the start, and cells that a
//! spreadsheet would run as formulas.
//!
//! Every CSV qcode reads (coded CSVs, attribute files, tables of answers,
//! long-format ratings) and writes (coded CSVs, reports) goes through this
//! module, so the rules are the same everywhere.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::limits;

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

    /// The file as a table (see [`Table::open`]).
    pub fn table(&self) -> Result<Table<'_>> {
        Table::open(&self.bytes[self.start..], b',', &self.path, false)
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

/// A CSV table being read, every CSV qcode reads goes through it: its
/// header checked and its rows counted against [`limits::TABLE_ROWS`].
///
/// Three mistakes that the CSV format itself lets pass silently are
/// errors here: a quoted field whose closing quote is missing (every row
/// after it would become part of that one cell), a column name used twice
/// (one column's values would be lost or mixed with the other's), and more
/// rows than the limit.
pub struct Table<'a> {
    reader: csv::Reader<&'a [u8]>,
    path: &'a Path,
    headers: Vec<String>,
    rows: u64,
}

impl<'a> Table<'a> {
    /// The table in `data`, read from `path`; its separator is `usual`
    /// (`,` or tab), or a semicolon where spreadsheets write one (see
    /// [`delimiter`]). A `flexible` table may have rows of any length.
    pub fn open(data: &'a [u8], usual: u8, path: &'a Path, flexible: bool) -> Result<Table<'a>> {
        let delimiter = delimiter(data, usual);
        if let Some(line) = unterminated_quote(data, delimiter) {
            return Err(Error::new("a quoted field never ends: its opening `\"` has no closing one")
                .at(format!("{}:{line}", path.display()))
                .hint("close the quote at the end of the field (a quote inside a quoted field is written twice: \"\"), or save the file again from the spreadsheet"));
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(flexible)
            .from_reader(data);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| Error::csv(path, &e))?
            .iter()
            .map(|h| unguard_cell(h.trim()).to_string())
            .collect();
        for (i, h) in headers.iter().enumerate() {
            if !h.is_empty() && headers[..i].contains(h) {
                return Err(Error::new(format!("the column `{h}` appears twice in the header"))
                    .at(format!("{}:1", path.display()))
                    .hint("give every column its own name, or delete the copy"));
            }
        }
        Ok(Table {
            reader,
            path,
            headers,
            rows: 0,
        })
    }

    /// The column names, trimmed, as the header writes them (a formula
    /// guard qcode added is taken off).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The next row, if any.
    pub fn next_row(&mut self) -> Option<Result<csv::StringRecord>> {
        let mut record = csv::StringRecord::new();
        match self.reader.read_record(&mut record) {
            Ok(false) => None,
            Ok(true) => {
                self.rows += 1;
                let rows = self.rows;
                if let Err(e) = limits::TABLE_ROWS.check(rows, || format!("the table has {rows} rows")) {
                    let line = record.position().map_or(rows + 1, |p| p.line());
                    return Some(Err(e.at(format!("{}:{line}", self.path.display()))));
                }
                Some(Ok(record))
            }
            Err(e) => Some(Err(Error::csv(self.path, &e))),
        }
    }
}

impl Iterator for Table<'_> {
    type Item = Result<csv::StringRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row()
    }
}

/// The line (from 1) where a quoted field opens that never closes, as the
/// CSV reader would read `data`: a quote opens a field only at its start,
/// and a doubled quote inside is a quote. The reader itself takes the rest
/// of the file into that field without a word.
fn unterminated_quote(data: &[u8], delimiter: u8) -> Option<u64> {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        InField,
        Quoted,
        QuoteInQuoted,
    }
    let (mut state, mut line, mut opened) = (State::FieldStart, 1u64, 1u64);
    for &b in data {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => {
                opened = line;
                State::Quoted
            }
            (_, b'\n' | b'\r') => State::FieldStart,
            (_, b) if b == delimiter => State::FieldStart,
            _ => State::InField,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    (state == State::Quoted).then_some(opened)
}

/// The separator of a table whose usual one is `usual`: a semicolon instead
/// of a comma when the header line has semicolons and no comma, which is
/// how spreadsheets save CSV in Spanish and many other European settings.
pub fn delimiter(data: &[u8], usual: u8) -> u8 {
    let header = data.split(|&b| b == b'\n').next().unwrap_or_default();
    if usual == b',' && !header.contains(&b',') && header.contains(&b';') {
        b';'
    } else {
        usual
    }
}

/// Writes CSV: every CSV qcode writes goes through it, so that every cell
/// and every column name is guarded against spreadsheet formulas by
/// [`guard_cell`]. Only numbers qcode computed are written unguarded, so
/// that a negative kappa stays a number.
pub struct CsvOut<W: std::io::Write> {
    writer: csv::Writer<W>,
}

impl<W: std::io::Write> CsvOut<W> {
    /// A CSV writer to `out` whose first row is `header`, guarded.
    pub fn new<'a>(out: W, header: impl IntoIterator<Item = &'a str>) -> Result<CsvOut<W>> {
        let mut csv = CsvOut {
            writer: csv::Writer::from_writer(out),
        };
        for name in header {
            csv.text(name)?;
        }
        csv.end_row()?;
        Ok(csv)
    }

    /// Writes a cell of text, guarded.
    pub fn text(&mut self, value: &str) -> Result<()> {
        self.writer
            .write_field(guard_cell(value).as_bytes())
            .map_err(Error::write_csv)
    }

    /// Writes a number qcode computed, as it is.
    pub fn number(&mut self, value: impl std::fmt::Display) -> Result<()> {
        self.writer
            .write_field(value.to_string().as_bytes())
            .map_err(Error::write_csv)
    }

    /// Ends the row.
    pub fn end_row(&mut self) -> Result<()> {
        self.writer.write_record(None::<&[u8]>).map_err(Error::write_csv)
    }

    /// Flushes the rows and gives back the writer it wrote to.
    pub fn into_inner(self) -> Result<W> {
        self.writer.into_inner().map_err(|e| Error::write(e.into_error()))
    }
}

/// Guards a CSV cell against formula injection in spreadsheets: a cell that
/// starts with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`
/// (OWASP's advice), which spreadsheets show as text. [`unguard_cell`] undoes
/// it when qcode reads the file back; so that a cell that already starts
/// with quotes before one of those reads back as it was, it gets one more.
pub fn guard_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(s) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// Whether `s` is, after any quotes, a formula to a spreadsheet.
fn needs_guard(s: &str) -> bool {
    matches!(
        s.trim_start_matches('\'').as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Undoes [`guard_cell`].
pub fn unguard_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_round_trips() {
        for s in ["=SUM(A1)", "-5", "+1", "@x", "plain", "'quoted", "", "'=x", "''-1", "'"] {
            assert_eq!(unguard_cell(&guard_cell(s)), s, "{s}");
        }
        assert_eq!(guard_cell("=1+1"), "'=1+1");
        assert_eq!(guard_cell("'=1+1"), "''=1+1");
    }
}
