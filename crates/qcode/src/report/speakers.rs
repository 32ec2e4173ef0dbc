//! The speakers qcode reads in each document (`qcode speakers`): a row per
//! document and speaker, the shapes of label seen, the lines not taken for
//! labels and the warnings, in every output format.

use super::{Align, Footnotes, JsonObject, Provenance, Record, Records, Report, Style, Table, counted};
use crate::speakers::Shape;
use crate::speakers::summary::DocumentSpeakers;

/// The field names of the records, in order.
const FIELDS: &[&str] = &[
    "document",
    "speaker",
    "role",
    "turns",
    "paragraphs",
    "words",
    "first_line",
    "written_as",
    "label_shapes",
];

/// What qcode reads as speakers in a corpus.
#[derive(Debug, Clone)]
pub struct SpeakersReport {
    /// The documents, in input order.
    pub documents: Vec<DocumentSpeakers>,
    /// How speakers were read (`speaker preset `auto``, a pattern).
    pub rule: String,
}

/// The labels that name a speaker, when they are not just the speaker's
/// name (the codebook's aliases joined them).
fn written_as(s: &crate::speakers::summary::SpeakerCount) -> String {
    if s.written.len() == 1 && s.speaker.as_deref() == Some(s.written[0].as_str()) {
        return String::new();
    }
    s.written.join(", ")
}

/// A shape and how often, for people: "`Name: words` ×12".
fn shapes_text(shapes: &[(Shape, usize)]) -> Vec<String> {
    shapes.iter().map(|(s, n)| format!("{} ×{n}", s.example())).collect()
}

impl SpeakersReport {
    /// Every warning, each naming its document.
    pub fn warnings(&self) -> Vec<String> {
        self.documents
            .iter()
            .flat_map(|d| d.warnings.iter().map(move |w| format!("{}: {w}", d.document)))
            .collect()
    }

    fn has_roles(&self) -> bool {
        self.documents
            .iter()
            .any(|d| d.speakers.iter().any(|s| s.role.is_some()))
    }
}

impl Report for SpeakersReport {
    fn summary(&self, _style: Style) -> Vec<String> {
        let speakers: usize = self
            .documents
            .iter()
            .map(|d| d.speakers.iter().filter(|s| s.speaker.is_some()).count())
            .sum();
        let warnings: usize = self.documents.iter().map(|d| d.warnings.len()).sum();
        vec![format!(
            "{} · {} · {} · read with the {}",
            counted(self.documents.len(), "document"),
            counted(speakers, "speaker"),
            counted(warnings, "warning"),
            self.rule
        )]
    }

    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        let roles = self.has_roles();
        let mut header = vec![("document", Align::Left), ("speaker", Align::Left)];
        if roles {
            header.push(("role", Align::Left));
        }
        header.extend([
            ("turns", Align::Right),
            ("paragraphs", Align::Right),
            ("words", Align::Right),
            ("first line", Align::Right),
            ("written as", Align::Left),
        ]);
        let mut t = Table::new(header.into_iter().map(|(h, a)| (h.to_string(), a)).collect());
        for d in &self.documents {
            for s in &d.speakers {
                let mut row = vec![d.document.clone(), s.speaker.clone().unwrap_or_else(|| "(none)".into())];
                if roles {
                    row.push(s.role.clone().unwrap_or_default());
                }
                row.extend([
                    s.turns.to_string(),
                    s.paragraphs.to_string(),
                    s.words.to_string(),
                    s.first_line.to_string(),
                    written_as(s),
                ]);
                t.push(row);
            }
        }
        Some(t)
    }

    fn legend(&self) -> Vec<String> {
        vec![
            "turns: runs of a speaker's consecutive paragraphs; words: without the labels; (none): the paragraphs \
             nobody can be said to speak; written as: the labels the codebook's `speakers:` join under the name"
                .to_string(),
        ]
    }

    fn details(&self, style: Style) -> String {
        let mut out = String::new();
        let bullet = if style.markdown { "- " } else { "  " };
        for d in &self.documents {
            let mut lines = Vec::new();
            if !d.shapes.is_empty() {
                lines.push(format!("labels: {}", shapes_text(&d.shapes).join(", ")));
            }
            if d.set_aside_count > 0 {
                let shown: Vec<String> = d
                    .set_aside
                    .iter()
                    .map(|s| format!("`{}` (line {})", s.name, s.line))
                    .collect();
                let more = d.set_aside_count - d.set_aside.len();
                lines.push(format!(
                    "not taken for labels: {}{}",
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ));
            }
            lines.extend(d.warnings.iter().map(|w| format!("warning: {w}")));
            if lines.is_empty() {
                continue;
            }
            out.push_str(&if style.markdown {
                format!("\n**{}**\n\n", d.document)
            } else {
                format!("\n{}\n", d.document)
            });
            for l in lines {
                out.push_str(&format!("{bullet}{l}\n"));
            }
        }
        out
    }

    fn records(&self) -> Records {
        let mut rows = Vec::new();
        for d in &self.documents {
            for s in &d.speakers {
                let mut r = Record::new(FIELDS);
                r.text(d.document.clone())
                    .opt_text(s.speaker.clone())
                    .opt_text(s.role.clone())
                    .int(s.turns)
                    .int(s.paragraphs)
                    .int(s.words)
                    .int(s.first_line)
                    .push(crate::report::Field::List(s.written.clone()))
                    .push(crate::report::Field::List(shapes_text(&s.shapes)));
                rows.push(r);
            }
        }
        Records::new(FIELDS, rows)
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        let documents: Vec<serde_json::Value> = self
            .documents
            .iter()
            .map(|d| {
                serde_json::json!({
                    "document": d.document,
                    "speakers": d.speakers.iter().map(|s| serde_json::json!({
                        "speaker": s.speaker,
                        "role": s.role,
                        "turns": s.turns,
                        "paragraphs": s.paragraphs,
                        "words": s.words,
                        "first_line": s.first_line,
                        "written_as": s.written,
                        "label_shapes": shapes_json(&s.shapes),
                    })).collect::<Vec<_>>(),
                    "label_shapes": shapes_json(&d.shapes),
                    "not_taken": d.set_aside,
                    "not_taken_count": d.set_aside_count,
                    "warnings": d.warnings,
                })
            })
            .collect();
        JsonObject::new()
            .value("about", provenance)
            .value("rule", &self.rule)
            .value("documents", documents)
            .value("warnings", warnings)
    }
}

/// Shapes for programs: `[{"shape": "colon", "labels": 12}]`.
fn shapes_json(shapes: &[(Shape, usize)]) -> serde_json::Value {
    shapes
        .iter()
        .map(|(s, n)| serde_json::json!({"shape": s, "labels": n}))
        .collect()
}
