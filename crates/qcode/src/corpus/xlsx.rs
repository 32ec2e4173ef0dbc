//! Excel workbooks (`.xlsx`): one document per row of one sheet, like a
//! `.csv` (see [`super::table`]).
//!
//! The sheet is `--sheet NAME`, or else the first one; its first row is the
//! header. Cells are read by calamine, as text: whole numbers without `.0`,
//! dates as `YYYY-MM-DD` (with the time when there is one), booleans as
//! `TRUE`/`FALSE`, errors as Excel writes them (`#N/A`). Empty rows are
//! skipped. Since calamine unpacks the archive itself, every entry is first
//! read once through qcode's zip limits ([`crate::files::archive`]); calamine then
//! reads the same open file.

use calamine::{Data, Reader, Xlsx};

use super::table::{Row, documents, require_text_cols};
use super::{Document, ReadOptions, Source};
use crate::error::{Error, Result};
use crate::files::archive::{Archive, Kind};
use crate::text::closest;

pub(super) fn read(source: &Source, options: &ReadOptions) -> Result<Vec<Document>> {
    let path = &source.path;
    require_text_cols(path, options)?;
    let mut archive = Archive::open(path, &Kind::document("an Excel workbook (.xlsx)"))?;
    archive.check_all()?;
    let broken = |e: calamine::XlsxError| {
        Error::new(format!("the workbook cannot be read: {e}"))
            .in_file(path)
            .hint("open it in Excel or LibreOffice and save it again as .xlsx, or save the sheet as CSV UTF-8")
    };
    let mut book: Xlsx<_> = Xlsx::new(archive.into_reader()).map_err(broken)?;
    let names = book.sheet_names();
    let sheet = match &options.sheet {
        Some(wanted) => names.iter().find(|n| *n == wanted).cloned().ok_or_else(|| {
            let err = Error::new(format!("there is no sheet `{wanted}`")).in_file(path);
            match closest(wanted, names.iter().map(String::as_str)) {
                Some(best) => err.hint(format!("did you mean `{best}`? The sheets are: {}", names.join(", "))),
                None => err.hint(format!("the sheets are: {}", names.join(", "))),
            }
        })?,
        None => names.first().cloned().ok_or_else(|| {
            Error::new("the workbook has no sheets")
                .in_file(path)
                .hint("save the answers in a sheet of the workbook")
        })?,
    };
    let range = book.worksheet_range(&sheet).map_err(broken)?;
    let table = format!("{} (sheet {sheet})", path.display());
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = range
        .rows()
        .enumerate()
        .filter(|(_, cells)| cells.iter().any(|c| *c != Data::Empty));
    let Some((_, header)) = rows.next() else {
        return Err(Error::new("the sheet is empty")
            .at(table)
            .hint("put the column names in the first row and one answer per row below, or choose another sheet with --sheet NAME"));
    };
    let headers: Vec<String> = header.iter().map(|c| cell_text(c).trim().to_string()).collect();
    let rows = rows.map(|(i, cells)| {
        Ok(Row {
            place: format!("{table}, row {}", first_row + i + 1),
            line: first_row + i + 1,
            cells: cells.iter().map(cell_text).collect(),
        })
    });
    documents(source, &table, &headers, rows, options)
}

/// A cell as the text a reader sees in Excel.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_duration() => crate::time::format_time((d.as_f64() * 86_400_000.0).round() as u64),
        Data::DateTime(d) => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::Error(e) => e.to_string(),
    }
}
