//! Coded passages as a table for people: one row per passage and code,
//! with where it is, who spoke and the words that matched. (The coded CSV
//! and JSON lines, which scripts read, are streamed by
//! [`crate::coding::CsvWriter`] and [`crate::coding::JsonlWriter`] as
//! documents are coded.)

use std::borrow::Cow;

use super::xlsx::Sheet;
use super::{Align, CodeTree, Field, Footnotes, JsonObject, Provenance, Records, Report, Style, Table, line_range};
use crate::coding::{COLUMNS, Coding, join_matched};

/// Coded passages and a closing line that sums them up.
#[derive(Debug, Clone)]
pub struct CodedPassages {
    /// The passages, in document order.
    pub codings: Vec<Coding>,
    /// Said after the table: how many passages in how many documents.
    pub summary: String,
    /// The codes, for their colours in a workbook.
    pub tree: CodeTree,
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

    /// The coded CSV's columns: the fixed ones, then every attribute.
    fn records(&self) -> Records {
        let mut attributes: Vec<&str> = Vec::new();
        for c in &self.codings {
            for name in c.attributes.keys() {
                if !attributes.contains(&name.as_str()) {
                    attributes.push(name);
                }
            }
        }
        let header = COLUMNS.iter().copied().chain(attributes.iter().copied());
        let mut t = Table::new(header.map(|c| (c.to_string(), Align::Left)).collect());
        for c in &self.codings {
            let mut row: Vec<String> = c.values().into_iter().map(Cow::into_owned).collect();
            row.extend(
                attributes
                    .iter()
                    .map(|a| c.attributes.get(*a).cloned().unwrap_or_default()),
            );
            t.push(row);
        }
        let mut records = Records::text(&t);
        // Positions and counts as numbers.
        for row in &mut records.rows {
            for i in [1, 3, 4, 5, 6, 11] {
                if let Field::Text(Some(n)) = &row[i]
                    && let Ok(n) = n.parse::<u64>()
                {
                    row[i] = Field::Int(n);
                }
            }
        }
        records
    }

    fn sheets(&self) -> Vec<Sheet> {
        let colours = self.codings.iter().map(|c| self.tree.colour_of(&c.code)).collect();
        vec![Sheet {
            colour_column: 8,
            colours,
            ..Sheet::new("codings", self.records())
        }]
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("about", provenance)
            .value("codings", &self.codings)
            .value("summary", &self.summary)
            .value("warnings", warnings)
    }
}
