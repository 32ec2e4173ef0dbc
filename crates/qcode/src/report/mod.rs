//! Reports: what every output of qcode is made of, and how it is laid out
//! in each format.
//!
//! A report — a frequency table ([`freq`]), coded excerpts ([`excerpts`]),
//! coded passages ([`codings`]), inter-coder agreement or an audit
//! ([`crate::reliability`]) — implements [`Report`]: a summary, a table for
//! people, a legend, details, records for programs and a JSON document.
//! [`write_report`] lays those pieces out in a [`Format`], so every format
//! is written once for every report, and the formats stay alike across
//! commands. Counting is kept apart from rendering.
//!
//! Reports are built from codings, whether they come from a fresh run of
//! the codebook or from a coded CSV written by qcode or filled in by a
//! person; the code hierarchy comes from the codebook when one is given,
//! else from the coded CSV's code paths such as `debt/lenders`
//! ([`CodeTree`]).

pub mod amounts;
pub mod codings;
pub mod cooccur;
pub mod excerpts;
pub mod freq;
mod notes;
mod rates;
mod record;
pub mod review;
pub mod speakers;
mod table;
pub mod xlsx;

use std::io::Write;

use crate::codebook::Codebook;
use crate::error::{Error, Result};

pub use crate::coding::{CodeTree, TreeCode};
pub use notes::Footnotes;
pub use record::{Field, JsonObject, Record, Records};
pub use table::{Align, Table};

/// Where results come from, printed with every output so a table can be
/// traced to the exact codebook and version that produced it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Provenance {
    /// The version of qcode that wrote the output.
    pub qcode_version: String,
    /// Where the codebook was read from, as given on the command line;
    /// `None` without a codebook (as are the three fields that follow).
    pub codebook: Option<String>,
    /// The codebook's `name`.
    pub codebook_name: Option<String>,
    /// The codebook's `version`, when it declares one.
    pub codebook_version: Option<String>,
    /// SHA-256 of the codebook file's bytes, in hexadecimal.
    pub codebook_sha256: Option<String>,
    /// Coded CSV files the codings were read from, if any.
    pub coded: Vec<String>,
    /// The segmentation unit of the codings (`paragraph`, `turn`, …), when
    /// known.
    pub unit: Option<String>,
    /// The sentence encoder's files, when the output used it (`suggest`,
    /// `similar`, `audit --suggest`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<crate::embed::FileHashes>,
}

impl Provenance {
    /// The provenance of results made with `codebook` (if any) from the
    /// coded CSVs `coded` (empty: none), cut into `unit` (if known).
    pub fn new(codebook: Option<&Codebook>, coded: Vec<String>, unit: Option<&str>) -> Provenance {
        Provenance {
            qcode_version: env!("CARGO_PKG_VERSION").to_string(),
            codebook: codebook.map(|c| c.source.clone()),
            codebook_name: codebook.map(|c| c.name.clone()),
            codebook_version: codebook.and_then(|c| c.version.clone()),
            codebook_sha256: codebook.map(|c| c.sha256.clone()),
            coded,
            unit: unit.map(str::to_string),
            model: None,
        }
    }

    /// The same provenance, with the sentence encoder whose files have
    /// `hashes`.
    pub fn with_model(mut self, hashes: &crate::embed::FileHashes) -> Provenance {
        self.model = Some(hashes.clone());
        self
    }

    /// One line for text and Markdown outputs (without the comment marker).
    pub fn line(&self) -> String {
        let mut parts = vec![format!("qcode {}", self.qcode_version)];
        match (&self.codebook, &self.codebook_sha256) {
            (Some(path), Some(sha)) => parts.push(format!("codebook {path} (sha256 {sha})")),
            _ => parts.push("no codebook".to_string()),
        }
        if !self.coded.is_empty() {
            parts.push(format!("codings from {}", self.coded.join(", ")));
        }
        if let Some(model) = &self.model {
            parts.push(format!(
                "model weights.npz (sha256 {}), sp.model (sha256 {})",
                model.weights_npz, model.sp_model
            ));
        }
        if let Some(unit) = &self.unit {
            parts.push(format!("unit: {unit}"));
        }
        parts.join(" · ")
    }
}

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// The report's records as CSV, for spreadsheets and scripts.
    Csv,
    /// The whole report as one JSON document.
    Json,
    /// Markdown, for notes and papers.
    Markdown,
    /// An Excel workbook: the records, and what they come from.
    Xlsx,
}

impl crate::choice::Choice for Format {
    const ALL: &'static [Format] = &[Format::Table, Format::Csv, Format::Json, Format::Markdown, Format::Xlsx];

    fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Xlsx => "xlsx",
        }
    }

    fn help(self) -> Option<&'static str> {
        match self {
            Format::Table => Some("A table for the terminal"),
            _ => None,
        }
    }
}

impl Format {
    /// The format asked for, else the one the output file's extension
    /// names (`.csv`, `.json`, `.md`, `.xlsx`), so that `-o counts.xlsx`
    /// writes a workbook; else a table. An extension that names another
    /// format than the one asked for is an error: a file called
    /// `counts.xlsx` that holds a text table would open as a broken
    /// workbook.
    pub fn resolve(asked: Option<Format>, out: Option<&std::path::Path>) -> Result<Format> {
        let named = out.and_then(format_of_extension);
        match (asked, named) {
            (Some(a), Some((n, ext))) if a != n => Err(mismatch(crate::choice::Choice::name(a), &ext)),
            (Some(a), _) => Ok(a),
            (None, Some((n, _))) => Ok(n),
            (None, None) => Ok(Format::Table),
        }
    }
}

/// The format an output file's extension names, with the extension.
fn format_of_extension(path: &std::path::Path) -> Option<(Format, String)> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    let format = match ext.as_str() {
        "csv" => Format::Csv,
        "json" => Format::Json,
        "md" | "markdown" => Format::Markdown,
        "xlsx" => Format::Xlsx,
        _ => return None,
    };
    Some((format, ext))
}

/// The error for an output file whose extension names another format.
pub fn mismatch(asked: &str, extension: &str) -> Error {
    Error::usage(format!(
        "the output file ends in .{extension}, but the format asked for is {asked}"
    ))
    .hint(format!(
        "drop --format to write what .{extension} names, or give the file the extension of {asked}"
    ))
}

/// How text meant for people is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Markdown rather than plain text.
    pub markdown: bool,
    /// Plain text on a terminal may use colour (ANSI escapes).
    pub colour: bool,
    /// The terminal's width, when writing to one.
    pub width: Option<u16>,
}

/// The pieces of a report; [`write_report`] lays them out.
pub trait Report {
    /// Lines under the provenance line: `# ` comments in a table, a
    /// paragraph in Markdown.
    fn summary(&self, _style: Style) -> Vec<String> {
        Vec::new()
    }

    /// The table for people; undefined cells point to `notes`.
    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        None
    }

    /// Lines after the table: what the columns and pooled rows mean.
    fn legend(&self) -> Vec<String> {
        Vec::new()
    }

    /// Text after the legend (lists of passages, errors).
    fn details(&self, _style: Style) -> String {
        String::new()
    }

    /// The report for programs: one record per row, with stable field
    /// names (the CSV output).
    fn records(&self) -> Records;

    /// The whole report as JSON.
    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject;

    /// The report as a workbook's sheets; by default, its records.
    fn sheets(&self) -> Vec<xlsx::Sheet> {
        vec![xlsx::Sheet::new("table", self.records())]
    }
}

/// Writes `report` in `format`: `width` limits a table on a terminal, and
/// `style` says whether plain text may use colour.
pub fn write_report(
    out: &mut dyn Write,
    report: &dyn Report,
    format: Format,
    provenance: &Provenance,
    warnings: &[String],
    width: Option<u16>,
    colour: bool,
) -> Result<()> {
    let mut notes = Footnotes::default();
    let text = match format {
        Format::Csv => return report.records().write_csv(out),
        Format::Xlsx => {
            let mut about = vec![provenance.line()];
            about.extend(report.summary(Style::default()));
            let mut notes = Footnotes::default();
            let _ = report.table(&mut notes, Style::default());
            about.extend(report.legend());
            about.extend(notes.lines());
            about.extend(warnings.iter().map(|w| format!("warning: {w}")));
            return xlsx::write_workbook(out, &report.sheets(), &about);
        }
        Format::Json => {
            let json = report.json(provenance, warnings);
            format!("{}\n", serde_json::to_string_pretty(&json).expect("reports serialise"))
        }
        Format::Table => {
            let style = Style {
                markdown: false,
                colour,
                width,
            };
            let mut s = format!("# {}\n", provenance.line());
            for line in report.summary(style) {
                s.push_str(&format!("# {line}\n"));
            }
            if let Some(table) = report.table(&mut notes, style) {
                s.push_str(&table.render_terminal(width));
                s.push('\n');
            }
            for line in report.legend().iter().chain(&notes.lines()) {
                s.push_str(line);
                s.push('\n');
            }
            s + &report.details(style)
        }
        Format::Markdown => {
            let style = Style {
                markdown: true,
                colour: false,
                width: None,
            };
            let mut s = format!("<!-- {} -->\n", provenance.line());
            let summary = report.summary(style);
            if !summary.is_empty() {
                s.push_str(&format!("\n{}\n", summary.join("\n")));
            }
            if let Some(table) = report.table(&mut notes, style) {
                s.push_str(&format!("\n{}\n", table.render_markdown()));
            }
            for line in report.legend().iter().chain(&notes.lines()) {
                s.push_str(&format!("- {line}\n"));
            }
            s + &report.details(style)
        }
    };
    out.write_all(text.as_bytes()).map_err(Error::write)
}

/// A passage's lines: `12`, or `12–14` when it spans several.
pub fn line_range(start: usize, end: usize) -> String {
    if end > start {
        format!("{start}–{end}")
    } else {
        start.to_string()
    }
}

/// A passage's lines in words: `line 12`, or `lines 12–14`.
pub fn lines_phrase(start: usize, end: usize) -> String {
    if end > start {
        format!("lines {start}–{end}")
    } else {
        format!("line {start}")
    }
}

/// `text` on one line (runs of white space as one space), cut to `max`
/// characters with an ellipsis.
pub fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

pub use crate::text::counted;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(counted(1, "document"), "1 document");
        assert_eq!(counted(0, "document"), "0 documents");
        assert_eq!(counted(2, "coded passage"), "2 coded passages");
        assert_eq!(counted(3, "category"), "3 categories");
        assert_eq!(counted(4, "day"), "4 days");
    }

    #[test]
    fn format_follows_the_output_file_unless_asked() {
        let path = |p: &'static str| Some(std::path::Path::new(p));
        for (asked, out, want) in [
            (None, path("counts.CSV"), Format::Csv),
            (None, path("r.json"), Format::Json),
            (None, path("r.md"), Format::Markdown),
            (None, path("r.txt"), Format::Table),
            (None, None, Format::Table),
            (Some(Format::Table), path("r.txt"), Format::Table),
            (None, path("book.xlsx"), Format::Xlsx),
        ] {
            let got = Format::resolve(asked, out).ok();
            assert_eq!(got, Some(want), "{asked:?} {out:?}");
        }
        // A format that contradicts the file's extension is refused, not
        // written under a misleading name.
        assert!(Format::resolve(Some(Format::Table), path("r.csv")).is_err());
    }
}
