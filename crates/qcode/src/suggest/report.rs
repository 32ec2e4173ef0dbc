//! Suggestions and passages found by meaning as reports, and the audit of
//! suggestions against a human gold standard.

use std::collections::{BTreeMap, HashSet};

use super::{Passages, Suggestion, format_score};
use crate::reliability::agreement::OVERALL;
use crate::report::xlsx::Sheet;
use crate::report::{
    Align, Field, Footnotes, JsonObject, Provenance, Record, Records, Report, Style, Table, counted, line_range,
    one_line,
};
use crate::stats::{Coef, Reason};

/// Characters of a passage shown in a table for the terminal (the CSV,
/// workbook and JSON carry it whole).
const TABLE_TEXT: usize = 160;

/// Ranked passages: suggestions per code, or passages like a text.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// The ranked passages, code after code (best first per code).
    pub rows: Vec<Row>,
    /// What was ranked, for the summary: "suggestions for 12 codes …".
    pub summary: Vec<String>,
    /// Whether rows are for codes (`suggest`) or for one query
    /// (`similar`), which has no code column.
    pub by_code: bool,
}

/// One ranked passage, with what a person needs to find and judge it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The code suggested (empty for `similar`).
    pub code: String,
    /// 1 for the best.
    pub rank: usize,
    /// The method's score.
    pub score: f64,
    /// The document's id.
    pub document: String,
    /// 1-based segment number.
    pub segment: usize,
    /// First and last line in the source.
    pub lines: (usize, usize),
    /// Who speaks it; empty when nobody does.
    pub speaker: String,
    /// The passage.
    pub text: String,
}

impl Ranked {
    /// The report of `found` among `passages`.
    pub fn new(found: &[Suggestion], passages: &Passages, summary: Vec<String>, by_code: bool) -> Ranked {
        let rows = found
            .iter()
            .map(|s| {
                let p = &passages.passages[s.passage];
                Row {
                    code: s.code.clone(),
                    rank: s.rank,
                    score: s.score,
                    document: p.document.clone(),
                    segment: p.segment,
                    lines: p.lines,
                    speaker: p.speaker.clone(),
                    text: p.text.clone(),
                }
            })
            .collect();
        Ranked { rows, summary, by_code }
    }

    fn fields(&self) -> &'static [&'static str] {
        if self.by_code {
            &[
                "code",
                "rank",
                "score",
                "document",
                "segment",
                "start_line",
                "end_line",
                "speaker",
                "text",
            ]
        } else {
            &[
                "rank",
                "score",
                "document",
                "segment",
                "start_line",
                "end_line",
                "speaker",
                "text",
            ]
        }
    }

    fn records_of(&self) -> Vec<Record> {
        self.rows
            .iter()
            .map(|row| {
                let mut r = Record::new(self.fields());
                if self.by_code {
                    r.text(row.code.clone());
                }
                r.int(row.rank)
                    .push(Field::Decimal(row.score, 4))
                    .text(row.document.clone())
                    .int(row.segment)
                    .int(row.lines.0)
                    .int(row.lines.1)
                    .text(row.speaker.clone())
                    .text(row.text.clone());
                r
            })
            .collect()
    }
}

impl Report for Ranked {
    fn summary(&self, _style: Style) -> Vec<String> {
        self.summary.clone()
    }

    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        let mut header = vec![];
        if self.by_code {
            header.push(("code".to_string(), Align::Left));
        }
        for (name, align) in [
            ("#", Align::Right),
            ("score", Align::Right),
            ("document", Align::Left),
            ("lines", Align::Left),
            ("speaker", Align::Left),
            ("text", Align::Left),
        ] {
            header.push((name.to_string(), align));
        }
        let mut t = Table::new(header);
        for row in &self.rows {
            let mut cells = Vec::new();
            if self.by_code {
                cells.push(row.code.clone());
            }
            cells.extend([
                row.rank.to_string(),
                format_score(row.score),
                row.document.clone(),
                line_range(row.lines.0, row.lines.1),
                row.speaker.clone(),
                one_line(&row.text, TABLE_TEXT),
            ]);
            t.push(cells);
        }
        Some(t)
    }

    fn legend(&self) -> Vec<String> {
        if self.by_code {
            vec![
                "suggestions are passages the code's rules did not code, ranked by how much they read like the \
                 code; they are not codings: read each one, and code it by hand or improve the rules."
                    .to_string(),
            ]
        } else {
            vec!["score = cosine similarity of meaning to the text (1: the same meaning).".to_string()]
        }
    }

    fn records(&self) -> Records {
        Records::new(self.fields(), self.records_of())
    }

    fn sheets(&self) -> Vec<Sheet> {
        let name = if self.by_code { "suggestions" } else { "similar" };
        vec![Sheet::new(name, self.records())]
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("about", provenance)
            .value("summary", &self.summary)
            .records("passages", self.records_of())
            .value("warnings", warnings)
    }
}

/// How suggestions did against a human gold standard, per code: of the
/// passages the human coded and the rules missed, how many the top
/// suggestions bring back, and how many suggestions the human coded.
#[derive(Debug, Clone)]
pub struct SuggestionAudit {
    /// Suggestions per code.
    pub top: usize,
    /// The method that ranked them.
    pub method: String,
    /// One row per code, then the overall row.
    pub rows: Vec<SuggestionAuditRow>,
}

/// The figures of one code (or all, in the overall row).
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestionAuditRow {
    /// The code, or [`OVERALL`] for the sum over codes.
    pub code: String,
    /// Passages the human coded with it.
    pub gold: usize,
    /// Of those, the rules coded.
    pub rules_found: usize,
    /// Of those, the rules missed: the false negatives.
    pub missed: usize,
    /// Suggestions made.
    pub suggested: usize,
    /// False negatives among the suggestions.
    pub recovered: usize,
}

impl SuggestionAuditRow {
    /// Share of the rules' false negatives that the suggestions bring back.
    pub fn recall_recovered(&self) -> Coef {
        ratio(self.recovered, self.missed, Reason::NoReferencePositives)
    }

    /// Share of the suggestions the human coded with the code.
    pub fn precision(&self) -> Coef {
        ratio(self.recovered, self.suggested, Reason::NoPredictedPositives)
    }

    /// Recall of the rules alone.
    pub fn rules_recall(&self) -> Coef {
        ratio(self.rules_found, self.gold, Reason::NoReferencePositives)
    }

    /// Recall of the rules and a reviewer who accepts the right
    /// suggestions.
    pub fn recall_with_suggestions(&self) -> Coef {
        ratio(
            self.rules_found + self.recovered,
            self.gold,
            Reason::NoReferencePositives,
        )
    }
}

fn ratio(n: usize, of: usize, undefined: Reason) -> Coef {
    if of == 0 {
        Coef::Undefined(undefined)
    } else {
        Coef::Value(n as f64 / of as f64)
    }
}

/// The overall row of `rows`: their counts summed.
fn overall_of(rows: &[SuggestionAuditRow]) -> SuggestionAuditRow {
    let sum = |f: fn(&SuggestionAuditRow) -> usize| rows.iter().map(f).sum::<usize>();
    SuggestionAuditRow {
        code: OVERALL.to_string(),
        gold: sum(|r| r.gold),
        rules_found: sum(|r| r.rules_found),
        missed: sum(|r| r.missed),
        suggested: sum(|r| r.suggested),
        recovered: sum(|r| r.recovered),
    }
}

impl SuggestionAudit {
    /// The audit of `suggestions` for `codes`, given per code the passages
    /// the human coded (`gold`) and those the rules coded (`rules`), as
    /// positions in the passages.
    pub fn new(
        codes: &[String],
        gold: &BTreeMap<String, HashSet<usize>>,
        rules: &BTreeMap<String, HashSet<usize>>,
        suggestions: &[Suggestion],
        top: usize,
        method: &str,
    ) -> SuggestionAudit {
        let empty = HashSet::new();
        let mut rows: Vec<SuggestionAuditRow> = codes
            .iter()
            .map(|code| {
                let gold = gold.get(code).unwrap_or(&empty);
                let rules = rules.get(code).unwrap_or(&empty);
                let suggested: Vec<usize> = suggestions
                    .iter()
                    .filter(|s| &s.code == code)
                    .map(|s| s.passage)
                    .collect();
                let rules_found = gold.intersection(rules).count();
                SuggestionAuditRow {
                    code: code.clone(),
                    gold: gold.len(),
                    rules_found,
                    missed: gold.len() - rules_found,
                    suggested: suggested.len(),
                    recovered: suggested
                        .iter()
                        .filter(|p| gold.contains(p) && !rules.contains(p))
                        .count(),
                }
            })
            .collect();
        rows.push(overall_of(&rows));
        SuggestionAudit {
            top,
            method: method.to_string(),
            rows,
        }
    }

    /// Keeps the rows of `codes` (and the overall row, summed again over
    /// them): the codes an audit compares.
    pub fn retain_codes(&mut self, codes: &[&str]) {
        self.rows.pop();
        self.rows.retain(|r| codes.contains(&r.code.as_str()));
        self.rows.push(overall_of(&self.rows));
    }

    /// The overall row.
    pub fn overall(&self) -> &SuggestionAuditRow {
        self.rows.last().expect("the overall row is always there")
    }

    fn records_of(&self) -> Vec<Record> {
        self.rows
            .iter()
            .map(|row| {
                let mut r = Record::new(SUGGESTION_AUDIT_FIELDS);
                r.text(row.code.clone())
                    .int(row.gold)
                    .int(row.rules_found)
                    .int(row.missed)
                    .int(row.suggested)
                    .int(row.recovered)
                    .coef(row.recall_recovered())
                    .coef(row.precision())
                    .coef(row.rules_recall())
                    .coef(row.recall_with_suggestions());
                r
            })
            .collect()
    }
}

const SUGGESTION_AUDIT_FIELDS: &[&str] = &[
    "code",
    "gold",
    "rules_found",
    "missed",
    "suggested",
    "recovered",
    "recall_recovered",
    "recall_recovered_reason",
    "precision",
    "precision_reason",
    "rules_recall",
    "rules_recall_reason",
    "recall_with_suggestions",
    "recall_with_suggestions_reason",
];

impl Report for SuggestionAudit {
    fn summary(&self, _style: Style) -> Vec<String> {
        let o = self.overall();
        vec![format!(
            "suggestions: top {} per code by `{}` · the rules missed {} of the human's {}; the suggestions bring back {}",
            self.top,
            self.method,
            o.missed,
            counted(o.gold, "coded passage"),
            o.recovered
        )]
    }

    fn table(&self, notes: &mut Footnotes, _style: Style) -> Option<Table> {
        let mut t = Table::new(
            [
                ("code", Align::Left),
                ("human", Align::Right),
                ("rules found", Align::Right),
                ("missed", Align::Right),
                ("suggested", Align::Right),
                ("recovered", Align::Right),
                ("recall recovered", Align::Right),
                ("precision", Align::Right),
                ("recall: rules", Align::Right),
                ("rules + suggestions", Align::Right),
            ]
            .into_iter()
            .map(|(h, a)| (h.to_string(), a))
            .collect(),
        );
        let mut cell = |c: Coef| notes.coef(c);
        for row in &self.rows {
            t.push(vec![
                row.code.clone(),
                row.gold.to_string(),
                row.rules_found.to_string(),
                row.missed.to_string(),
                row.suggested.to_string(),
                row.recovered.to_string(),
                cell(row.recall_recovered()),
                cell(row.precision()),
                cell(row.rules_recall()),
                cell(row.recall_with_suggestions()),
            ]);
        }
        Some(t)
    }

    fn legend(&self) -> Vec<String> {
        vec![
            "counts are units (segments): human = coded by the human with the code (a parent code: with it or \
             any of its sub-codes); rules found = of those, coded by the rules; missed = the rules' false \
             negatives; recovered = missed passages among the top suggestions."
                .to_string(),
            "recall recovered = recovered / missed; precision = recovered / suggested (the share of \
             suggestions the human coded); rules + suggestions = (rules found + recovered) / human, the \
             recall of the rules with a reviewer who accepts the right suggestions."
                .to_string(),
        ]
    }

    fn records(&self) -> Records {
        Records::new(SUGGESTION_AUDIT_FIELDS, self.records_of())
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![Sheet::new("suggestions audit", self.records())]
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("about", provenance)
            .value("top", self.top)
            .value("method", &self.method)
            .records("rows", self.records_of())
            .value("warnings", warnings)
    }
}
