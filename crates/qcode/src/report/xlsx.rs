//! Reports as Excel workbooks: one sheet per table, the header row frozen,
//! columns as wide as their content (long text wrapped), numbers as numbers,
//! codes in their codebook colours, and a sheet `about` that says where the
//! numbers come from.
//!
//! The workbook is written by `rust_xlsxwriter`, with a fixed creation date,
//! so that the same report gives the same bytes. Cells are written as
//! values, never as formulas, so participant text that starts with `=` is
//! shown, not run. A column meant to be filled in (the `decision` of the
//! disagreements sheet) can offer its values in a drop-down.

use std::io::Write;

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format, Workbook, Worksheet,
    XlsxError,
};

use super::{Field, Records};
use crate::error::{Error, ErrorKind, Result};

/// One sheet: a table of records, with an optional colour per row for one
/// of its columns (a code's colour in the codebook).
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The sheet's name (at most 31 characters, no `[]:*?/\`).
    pub name: String,
    /// The table.
    pub records: Records,
    /// The column whose cells take the row's colour.
    pub colour_column: usize,
    /// Per row, the colour (`#RRGGBB`) of its `colour_column` cell; empty
    /// or shorter than the rows: no colour.
    pub colours: Vec<Option<String>>,
    /// A column whose cells offer a drop-down of values.
    pub drop_down: Option<DropDown>,
}

/// A column to fill in, whose cells offer a drop-down of the usual values.
/// Other values are accepted after a note (the column may document more,
/// such as a list of codes), so the list guides without forbidding.
#[derive(Debug, Clone, PartialEq)]
pub struct DropDown {
    /// The column (0-based).
    pub column: usize,
    /// The values offered (together at most 255 characters, Excel's limit).
    pub choices: Vec<String>,
    /// What the cell takes, shown when it is selected (at most 255
    /// characters).
    pub message: String,
}

impl Sheet {
    /// A sheet of `records`, without colours.
    pub fn new(name: &str, records: Records) -> Sheet {
        Sheet {
            name: name.to_string(),
            records,
            colour_column: 0,
            colours: Vec::new(),
            drop_down: None,
        }
    }
}

/// Columns wider than this many characters wrap their text.
const WRAP_FROM: usize = 60;

/// Writes `sheets`, then a sheet `about` of `about` lines, as a workbook.
pub fn write_workbook(out: &mut dyn Write, sheets: &[Sheet], about: &[String]) -> Result<()> {
    let bytes = workbook(sheets, about).map_err(|e| {
        Error::new(format!("cannot write the workbook: {e}"))
            .kind(ErrorKind::Write)
            .hint("write another format (--format csv), and report the problem with the command you ran")
    })?;
    out.write_all(&bytes).map_err(Error::write)
}

fn workbook(sheets: &[Sheet], about: &[String]) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed date: the same report gives the same bytes.
    let date = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&date));
    let header = Format::new().set_bold().set_background_color(Color::RGB(0xE8E8E8));
    let wrap = Format::new().set_text_wrap();
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(&sheet.name))?;
        write_sheet(ws, sheet, &header, &wrap)?;
    }
    let ws = book.add_worksheet();
    ws.set_name("about")?;
    for (row, line) in about.iter().enumerate() {
        ws.write_string(row as u32, 0, line)?;
    }
    ws.set_column_width(0, 120)?;
    book.save_to_buffer()
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    header: &Format,
    wrap: &Format,
) -> std::result::Result<(), XlsxError> {
    let records = &sheet.records;
    let widths = column_widths(records);
    for (col, name) in records.fields.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, name, header)?;
        ws.set_column_width(col, widths[usize::from(col)].min(WRAP_FROM) as f64 + 2.0)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if let Some(d) = &sheet.drop_down {
        let validation = DataValidation::new()
            .allow_list_strings(&d.choices)?
            .set_error_style(DataValidationErrorStyle::Information)
            .set_input_title(&records.fields[d.column])?
            .set_input_message(&d.message)?
            .set_error_message(&d.message)?;
        let col = d.column as u16;
        let last = (records.rows.len() as u32).max(1);
        ws.add_data_validation(1, col, last, col, &validation)?;
    }
    for (r, row) in records.rows.iter().enumerate() {
        let excel_row = r as u32 + 1;
        let colour = sheet.colours.get(r).cloned().flatten();
        for (c, value) in row.iter().enumerate() {
            let col = c as u16;
            let mut format = if widths[c] > WRAP_FROM {
                wrap.clone()
            } else {
                Format::new()
            };
            if c == sheet.colour_column
                && let Some(hex) = colour.as_deref().and_then(rgb)
            {
                format = format.set_background_color(Color::RGB(hex));
            }
            match value {
                Field::Int(n) => {
                    ws.write_number_with_format(excel_row, col, *n as f64, &format)?;
                }
                Field::Num(Some(x)) => {
                    ws.write_number_with_format(excel_row, col, *x, &format)?;
                }
                Field::Decimal(x, places) => {
                    let shown = format.set_num_format(decimals_format(*places));
                    ws.write_number_with_format(excel_row, col, *x, &shown)?;
                }
                Field::Num(None) | Field::Text(None) => {}
                Field::Text(Some(t)) => {
                    ws.write_string_with_format(excel_row, col, t, &format)?;
                }
                Field::List(items) => {
                    ws.write_string_with_format(excel_row, col, items.join("; "), &format)?;
                }
            }
        }
    }
    Ok(())
}

/// Excel's number format for `places` decimals: `0`, `0.0`, `0.00`, …
fn decimals_format(places: usize) -> String {
    match places {
        0 => "0".to_string(),
        n => format!("0.{}", "0".repeat(n)),
    }
}

/// Each column's width in characters: its widest header or cell line.
fn column_widths(records: &Records) -> Vec<usize> {
    let width = |s: &str| s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    (0..records.fields.len())
        .map(|c| {
            let cells = records.rows.iter().map(|row| match &row[c] {
                Field::Text(Some(t)) => width(t),
                Field::List(items) => width(&items.join("; ")),
                Field::Int(n) => n.to_string().len(),
                Field::Num(Some(x)) => x.to_string().len(),
                Field::Decimal(x, places) => format!("{x:.places$}").len(),
                Field::Num(None) | Field::Text(None) => 0,
            });
            cells.chain([width(&records.fields[c])]).max().unwrap_or(0).max(6)
        })
        .collect()
}

/// `#RRGGBB` as a number.
fn rgb(hex: &str) -> Option<u32> {
    u32::from_str_radix(hex.strip_prefix('#')?, 16).ok()
}

/// A name Excel accepts for a sheet: at most 31 characters, without the
/// characters it reserves.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .take(31)
        .collect();
    if cleaned.is_empty() {
        "table".to_string()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Sheet> {
        let records = Records {
            fields: vec!["code".into(), "segments".into(), "% documents".into(), "text".into()],
            rows: vec![
                vec![
                    Field::Text(Some("prices".into())),
                    Field::Int(58),
                    Field::Decimal(94.4444, 1),
                    Field::Text(Some("=HYPERLINK(\"x\") is text here".into())),
                ],
                vec![
                    Field::Text(Some("debt".into())),
                    Field::Int(29),
                    Field::Text(Some("undefined".into())),
                    Field::Text(None),
                ],
            ],
        };
        let mut sheet = Sheet::new("frequencies", records);
        sheet.colours = vec![Some("#1F77B4".into()), None];
        vec![sheet]
    }

    #[test]
    fn a_workbook_holds_the_sheets_and_is_the_same_every_time() {
        let mut first = Vec::new();
        write_workbook(&mut first, &sample(), &["qcode 0.1.0".into()]).unwrap();
        let mut second = Vec::new();
        write_workbook(&mut second, &sample(), &["qcode 0.1.0".into()]).unwrap();
        assert_eq!(first, second, "the same report gives the same bytes");
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(first)).unwrap();
        use calamine::Reader;
        assert_eq!(book.sheet_names(), ["frequencies", "about"]);
        let range = book.worksheet_range("frequencies").unwrap();
        assert_eq!(range.get_value((1, 1)), Some(&calamine::Data::Float(58.0)));
        assert_eq!(range.get_value((1, 2)), Some(&calamine::Data::Float(94.4444)));
        assert_eq!(
            range.get_value((1, 3)),
            Some(&calamine::Data::String("=HYPERLINK(\"x\") is text here".into()))
        );
    }

    #[test]
    fn sheet_names_are_ones_excel_accepts() {
        assert_eq!(sheet_name("a/b: [c]?"), "a_b_ _c__");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(sheet_name(""), "table");
        assert_eq!(decimals_format(2), "0.00");
    }
}
