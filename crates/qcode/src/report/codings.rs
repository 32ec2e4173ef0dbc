//! Coded passages as a table for people: one row per passage and code,
//! with where it is, who spoke and the words that matched. (The coded CSV
//! and JSON lines, which scripts read, are streamed by
//! [`crate::coding::CsvWriter`] and [`crate::coding::JsonlWriter`] as
//! documents are coded.)

use std::borrow::Cow;

use super::{Align, Footnotes, JsonObject, Provenance, Records, Report, Style, Table, line_range};
use crate::coding::{COLUMNS, Coding, join_matched};

/// Coded passages and a closing line that sums them up.
#[derive(Debug, Clone)]
pub struct CodedPassages {
    /// The passages, in document order.
    pub codings: Vec<Coding>,
    /// Said after the table: how many passages in how many documents.
    pub summary: String,
}

impl Report for CodedPassages {
    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        let header = ["document", "segment", "lines", "speaker", "code", "hits", "matched"];
        let mut t = Table::new(
            header
                .iter()
                .map(|h| {
                    let align = if matches!(*h, "segment" | "hits") {
                        Align::Right
                    } else {
                        Align::Left
                    };
                    (h.to_string(), align)
                })
                .collect(),
        );
        for c in &self.codings {
            t.push(vec![
                c.document.clone(),
                c.segment.to_string(),
                line_range(c.start_line, c.end_line),
                c.speaker.clone(),
                c.code.clone(),
                c.hits.to_string(),
                join_matched(&c.matched),
            ]);
        }
        Some(t)
    }

    fn legend(&self) -> Vec<String> {
        vec![self.summary.clone()]
    }

    fn records(&self) -> Records {
        let mut t = Table::new(COLUMNS.iter().map(|c| (c.to_string(), Align::Left)).collect());
        for c in &self.codings {
            t.push(c.values().into_iter().map(Cow::into_owned).collect());
        }
        Records::text(&t)
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("about", provenance)
            .value("codings", &self.codings)
            .value("summary", &self.summary)
            .value("warnings", warnings)
    }
}
