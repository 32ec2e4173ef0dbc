//! Writing a reliability report in the four table formats. Every report
//! (agreement, spans, audit) gives the same pieces — a summary line, a
//! table, a legend that defines what the numbers are, records with stable
//! field names — and this module lays them out, so the formats stay alike
//! across commands.

use std::io::Write;

use super::record::{JsonObject, Record, write_csv};
use crate::error::{Error, Result};
use crate::report::{Provenance, Table, TableFormat};
use crate::stats::{Bootstrap, BootstrapSkip, Coef};

/// The pieces of a report.
pub trait Report {
    /// One line on what was compared.
    fn summary(&self) -> String;
    /// The table for a terminal or Markdown; undefined cells point to
    /// `notes`.
    fn table(&self, notes: &mut Footnotes) -> Table;
    /// What the columns and pooled rows mean, one paragraph per item.
    fn legend(&self) -> Vec<String>;
    /// The field names of [`Report::records`] (CSV columns).
    fn fields(&self) -> &'static [&'static str];
    /// One record per table row.
    fn records(&self) -> Vec<Record>;
    /// The whole report as JSON, after `about` (the provenance) and before
    /// the warnings.
    fn json(&self, head: JsonObject) -> JsonObject;
    /// Text shown after the legend in table and Markdown formats.
    fn details(&self, _markdown: bool) -> String {
        String::new()
    }
}

/// Numbered notes for undefined cells: each distinct reason gets a number,
/// the cell says `undefined [n]` and the notes list the reasons.
#[derive(Debug, Default)]
pub struct Footnotes {
    notes: Vec<String>,
}

impl Footnotes {
    fn mark(&mut self, note: String) -> usize {
        match self.notes.iter().position(|n| *n == note) {
            Some(i) => i + 1,
            None => {
                self.notes.push(note);
                self.notes.len()
            }
        }
    }

    /// A coefficient's cell: 4 decimals, or `undefined [n]`.
    pub fn coef(&mut self, c: Coef) -> String {
        match c {
            Coef::Value(v) => format!("{v:.4}"),
            Coef::Undefined(r) => format!("undefined [{}]", self.mark(r.message().to_string())),
        }
    }

    /// A proportion shown as a percentage with 2 decimals.
    pub fn percent(&mut self, c: Coef) -> String {
        match c {
            Coef::Value(v) => format!("{:.2}%", 100.0 * v),
            Coef::Undefined(_) => self.coef(c),
        }
    }

    /// A bootstrap interval; a dash when alpha itself is undefined (its
    /// cell already says why).
    pub fn interval(&mut self, b: &Bootstrap) -> String {
        match b {
            Bootstrap::Computed(k) => format!("[{:.4}, {:.4}]", k.ci_low, k.ci_high),
            Bootstrap::NotComputed(BootstrapSkip::AlphaUndefined(_)) => "—".to_string(),
            Bootstrap::NotComputed(skip) => format!("— [{}]", self.mark(skip.message())),
        }
    }

    /// The notes, numbered.
    pub fn lines(&self) -> Vec<String> {
        self.notes
            .iter()
            .enumerate()
            .map(|(i, n)| format!("[{}] {n}", i + 1))
            .collect()
    }
}

/// Writes `report` in `format`; `width` limits a terminal table.
pub fn write_report(
    out: &mut impl Write,
    report: &impl Report,
    format: TableFormat,
    provenance: &Provenance,
    warnings: &[String],
    width: Option<u16>,
) -> Result<()> {
    let mut notes = Footnotes::default();
    let text = match format {
        TableFormat::Csv => return write_csv(report.fields(), &report.records(), out),
        TableFormat::Json => {
            let json = report
                .json(JsonObject::new().value("about", provenance))
                .value("warnings", warnings);
            format!("{}\n", serde_json::to_string_pretty(&json).expect("reports serialise"))
        }
        TableFormat::Table => {
            let table = report.table(&mut notes).render_terminal(width);
            let mut s = format!("# {}\n# {}\n{table}\n", provenance.line(), report.summary());
            for line in report.legend().iter().chain(&notes.lines()) {
                s.push_str(line);
                s.push('\n');
            }
            s + &report.details(false)
        }
        TableFormat::Markdown => {
            let table = report.table(&mut notes).render_markdown();
            let mut s = format!("<!-- {} -->\n\n{}\n\n{table}\n", provenance.line(), report.summary());
            for line in report.legend().iter().chain(&notes.lines()) {
                s.push_str(&format!("- {line}\n"));
            }
            s + &report.details(true)
        }
    };
    out.write_all(text.as_bytes()).map_err(Error::write)
}
