//! Excel workbooks (`.xlsx`): one document per row of one sheet, like a
//! `.csv` (see [`super::table`]).
//!
//! The sheet is `--sheet NAME`, or else the first one; its first row is the
//! header. Cells are read by calamine, as text: whole numbers without `.0`,
//! dates as `YYYY-MM-DD` (with the time when there is one), booleans as
//! `TRUE`/`FALSE`, errors as Excel writes them (`#N/A`). Empty rows are
//! skipped. Since calamine unpacks the archive itself, every entry is first
//! read once through qcode's zip limits ([`crate::files::archive`]), and its
//! cell references checked against Excel's bounds; calamine then reads the
//! same open file. Only the cells that hold a value are read, one by one
//! (never the range the sheet declares, which may be all 17 billion cells
//! of a sheet), within [`crate::limits::SHEET_CELLS`].

use std::path::Path;

use calamine::{Data, DataRef, Reader, Xlsx};
use quick_xml::events::Event;

use super::table::{Row, documents, require_text_cols};
use super::{Document, ReadOptions, Source};
use crate::error::{Error, Result};
use crate::files::archive::{Archive, Kind};
use crate::limits;
use crate::text::closest;

/// Excel's own bounds: 1,048,576 rows and 16,384 columns (A to XFD).
const MAX_ROW: u64 = 1 << 20;
const MAX_COLUMN: u64 = 1 << 14;

pub(super) fn read(source: &Source, options: &ReadOptions) -> Result<Vec<Document>> {
    require_text_cols(&source.path, super::Format::Xlsx, options)?;
    let sheet = read_sheet(&source.path, options.sheet.as_deref())?;
    let Some((header, rows)) = sheet.rows.split_first() else {
        return Err(Error::new("the sheet is empty")
            .at(sheet.table)
            .hint("put the column names in the first row and one answer per row below, or choose another sheet with --sheet NAME"));
    };
    let headers: Vec<String> = header.1.iter().map(|c| c.trim().to_string()).collect();
    let table = &sheet.table;
    let rows = rows.iter().map(|(row, cells)| {
        Ok(Row {
            place: format!("{table}, row {}", row + 1),
            line: *row as usize + 1,
            cells: cells.clone(),
        })
    });
    documents(source, table, &headers, rows, options)
}

/// One sheet of a workbook, read as text.
pub struct SheetRows {
    /// How the sheet is named in messages: `book.xlsx (sheet answers)`.
    pub table: String,
    /// The rows that hold a value, each with its 0-based row number and
    /// its cells as text.
    pub rows: Vec<(u32, Vec<String>)>,
}

/// The rows of `sheet` (else the first sheet) of the workbook at `path`,
/// as text, read within qcode's limits (see the module's documentation).
pub fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<SheetRows> {
    let mut archive = Archive::open(path, &Kind::document("an Excel workbook (.xlsx)"))?;
    // calamine reads cell references into 32-bit numbers without checking,
    // so a reference past Excel's bounds would become another cell: every
    // reference is checked before calamine sees it.
    archive.check_all(|name, bytes| {
        if name.to_ascii_lowercase().ends_with(".xml") {
            check_references(bytes, path, name)?;
        }
        Ok(())
    })?;
    let broken = |e: calamine::XlsxError| {
        Error::new(format!("the workbook cannot be read: {e}"))
            .in_file(path)
            .hint("open it in Excel or LibreOffice and save it again as .xlsx, or save the sheet as CSV UTF-8")
    };
    let mut book: Xlsx<_> = Xlsx::new(archive.into_reader()).map_err(broken)?;
    let names = book.sheet_names();
    let sheet = match sheet {
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
    let table = format!("{} (sheet {sheet})", path.display());
    let cells = read_cells(&mut book, &sheet, &table).map_err(|e| match e {
        Cells::Calamine(e) => broken(e),
        Cells::Refused(e) => e,
    })?;
    let rows = sheet_rows(cells, &table)?;
    Ok(SheetRows { table, rows })
}

/// Why the cells of a sheet could not be read.
enum Cells {
    Calamine(calamine::XlsxError),
    Refused(Error),
}

/// The cells of `sheet` that hold a value, as (row, column, text), in the
/// order of the file. Only cells that are there count: the range a sheet
/// declares (`A1:XFD1048576`) is never allocated.
fn read_cells<R: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<R>,
    sheet: &str,
    table: &str,
) -> std::result::Result<Vec<(u32, u32, String)>, Cells> {
    let mut reader = book.worksheet_cells_reader(sheet).map_err(Cells::Calamine)?;
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(Cells::Calamine)? {
        if *cell.get_value() == DataRef::Empty {
            continue;
        }
        let (row, col) = cell.get_position();
        if u64::from(row) >= MAX_ROW || u64::from(col) >= MAX_COLUMN {
            return Err(Cells::Refused(out_of_bounds(
                table,
                &format!("{}{}", column_name(col), row as u64 + 1),
            )));
        }
        let count = cells.len() as u64 + 1;
        limits::SHEET_CELLS
            .check(count, || format!("the sheet has {count} cells with a value"))
            .map_err(|e| Cells::Refused(e.at(table.to_string())))?;
        cells.push((row, col, cell_text(&Data::from(cell.get_value().clone()))));
    }
    Ok(cells)
}

/// The rows of a sheet that hold a value, each as (row, its cells from the
/// first column any row uses to the last its header names). A cell that
/// appears twice, or a value in a column without a header, is an error:
/// either would drop a value silently.
fn sheet_rows(mut cells: Vec<(u32, u32, String)>, table: &str) -> Result<Vec<(u32, Vec<String>)>> {
    cells.sort_by_key(|&(row, col, _)| (row, col));
    if let Some(w) = cells.windows(2).find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1)) {
        let at = format!("{}{}", column_name(w[0].1), w[0].0 as u64 + 1);
        return Err(Error::new(format!("the cell {at} appears twice in the sheet"))
            .at(table.to_string())
            .hint("open the workbook in Excel or LibreOffice and save it again as .xlsx"));
    }
    let Some(first_col) = cells.iter().map(|c| c.1).min() else {
        return Ok(Vec::new());
    };
    let header_row = cells[0].0;
    let last_col = cells
        .iter()
        .take_while(|c| c.0 == header_row)
        .map(|c| c.1)
        .max()
        .unwrap_or(first_col);
    let width = (last_col - first_col + 1) as usize;
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    for (row, col, text) in cells {
        if col > last_col {
            let at = format!("{}{}", column_name(col), row as u64 + 1);
            return Err(Error::new(format!(
                "the cell {at} holds a value in column {}, which has no name in the header row",
                column_name(col)
            ))
            .at(table.to_string())
            .hint("give the column a name in the first row, or delete the value"));
        }
        if rows.last().is_none_or(|(r, _)| *r != row) {
            let data_rows = rows.len() as u64;
            limits::TABLE_ROWS
                .check(data_rows, || format!("the sheet has {data_rows} rows"))
                .map_err(|e| e.at(table.to_string()))?;
            rows.push((row, vec![String::new(); width]));
        }
        if let Some((_, cells)) = rows.last_mut() {
            cells[(col - first_col) as usize] = text;
        }
    }
    Ok(rows)
}

/// `A` for column 0, `XFD` for the last.
fn column_name(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut name = Vec::new();
    while n > 0 {
        name.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

fn out_of_bounds(table: &str, reference: &str) -> Error {
    Error::new(format!(
        "the workbook refers to `{reference}`, which is not a cell or range of a sheet (a sheet has 1,048,576 rows and 16,384 columns, A to XFD, and a range goes from its first cell to its last)"
    ))
    .at(table.to_string())
    .hint("the file is damaged or was not made by a spreadsheet program: open it in Excel or LibreOffice and save it again as .xlsx")
}

/// Checks every cell, row and dimension reference of one XML entry of the
/// workbook: a cell is 1 to 3 letters then 1 to 7 digits, within Excel's
/// bounds; a row a number within them; a dimension one cell, or two in
/// order.
fn check_references(xml: &[u8], path: &Path, entry: &str) -> Result<()> {
    let place = format!("{} ({entry})", path.display());
    // Excel writes well-formed XML; any other is refused here, since what a
    // more lenient reader would make of it is not checked.
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf);
        let e = match event {
            Ok(Event::Start(e) | Event::Empty(e)) => e,
            Ok(Event::Eof) => return Ok(()),
            // calamine reads on where this reader stops, so past this point
            // its references would go unchecked: the file is refused.
            Err(e) => {
                return Err(Error::new(format!(
                    "the workbook is damaged: `{entry}` is not well-formed XML at byte {}: {e}",
                    reader.error_position()
                ))
                .in_file(path)
                .hint("open it in Excel or LibreOffice and save it again as .xlsx, or save the sheet as CSV UTF-8"));
            }
            Ok(_) => {
                buf.clear();
                continue;
            }
        };
        let (attribute, check): (&str, fn(&[u8]) -> bool) = match e.local_name().as_ref() {
            "c" => ("r", |v| cell_reference(v).is_some()),
            "row" => ("r", |v| row_number(v).is_some()),
            "dimension" => ("ref", |v| dimension(v).is_some()),
            _ => {
                buf.clear();
                continue;
            }
        };
        for a in e.attributes().flatten() {
            if a.key.as_ref() == attribute && !check(a.value.as_bytes()) {
                let shown: String = a.value.chars().take(40).collect();
                return Err(out_of_bounds(&place, &shown));
            }
        }
        buf.clear();
    }
}

/// The (row, column) of a cell reference such as `B7`, both from 1, if it
/// is one within Excel's bounds.
fn cell_reference(v: &[u8]) -> Option<(u64, u64)> {
    let letters = v.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let col = v[..letters]
        .iter()
        .fold(0u64, |n, b| n * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1);
    let row = row_number(&v[letters..])?;
    (col <= MAX_COLUMN).then_some((row, col))
}

/// The first and last cells of a sheet's `dimension` (`A1` or `A1:C4`),
/// if they are within Excel's bounds and in order: calamine subtracts the
/// first from the last.
fn dimension(v: &[u8]) -> Option<((u64, u64), (u64, u64))> {
    let mut parts = v.splitn(2, |&b| b == b':');
    let first = cell_reference(parts.next()?)?;
    let last = match parts.next() {
        Some(part) => cell_reference(part)?,
        None => first,
    };
    (first.0 <= last.0 && first.1 <= last.1).then_some((first, last))
}

/// A row number from 1 within Excel's bounds.
fn row_number(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 7 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let row = v.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    (1..=MAX_ROW).contains(&row).then_some(row)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_within_excel_bounds() {
        assert_eq!(cell_reference(b"A1"), Some((1, 1)));
        assert_eq!(cell_reference(b"xfd1048576"), Some((1_048_576, 16_384)));
        for bad in [
            &b"XFE1"[..],
            b"A1048577",
            b"A4294967298",
            b"ZZZZZZZZZZZZZZ2",
            b"A0",
            b"1",
            b"A",
            b"$A$1",
            b"",
        ] {
            assert_eq!(cell_reference(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert!(dimension(b"A1:XFD1048576").is_some() && dimension(b"B2").is_some());
        assert_eq!(dimension(b"J1:C4"), None, "the last column before the first");
        assert_eq!(dimension(b"A4:C1"), None, "the last row before the first");
        assert_eq!(dimension(b"A1:B2:C3"), None);
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
    }

    #[test]
    fn rows_are_sparse_and_checked() {
        let cell = |r: u32, c: u32, t: &str| (r, c, t.to_string());
        let rows = sheet_rows(
            vec![cell(4, 2, "x"), cell(0, 1, "id"), cell(0, 2, "text"), cell(4, 1, "7")],
            "t",
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![(0, vec!["id".into(), "text".into()]), (4, vec!["7".into(), "x".into()])]
        );
        let e = sheet_rows(vec![cell(0, 0, "id"), cell(1_048_575, 16_383, "far")], "t").unwrap_err();
        assert!(
            e.what
                .contains("XFD1048576 holds a value in column XFD, which has no name"),
            "{e}"
        );
        let e = sheet_rows(vec![cell(0, 0, "id"), cell(1, 0, "a"), cell(1, 0, "b")], "t").unwrap_err();
        assert_eq!(e.what, "the cell A2 appears twice in the sheet");
    }
}
