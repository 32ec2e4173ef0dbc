//! `qcode codebook diff`: what an edit of the codebook changes on the
//! corpus, passage by passage, and — with a gold standard — whether it
//! helps.
//!
//! Both versions are coded in the same pass: their codes go into one
//! derived codebook (the old version's first), so the corpus is read,
//! segmented and folded once and the comparison costs about what coding
//! does. A code is compared by name, with its sub-codes as tables count
//! it. Each passage that changes is explained afterwards: the rules of
//! the version that codes it that fire ([`RuleFinder`]), and for a passage
//! lost, why the new version does not code it (as `codebook test` says).

use std::collections::{BTreeMap, HashSet};

use super::examples::Diagnosis;
use super::with_codes;
use crate::codebook::{Code, Codebook};
use crate::coding::Coding;
use crate::error::Result;
use crate::pipeline::CodedDocument;
use crate::reliability::rules::RuleFinder;
use crate::report::{
    Align, Footnotes, JsonObject, Provenance, Record, Records, Report, Style, Table, lines_phrase, xlsx,
};
use crate::stats::{Coef, PrecisionRecall, precision_recall_f1};

/// Both versions' codes in one codebook (the old version's first), for
/// one pass over the corpus; the settings (unit, speakers) are the new
/// version's.
pub fn combined(old: &Codebook, new: &Codebook) -> Codebook {
    let shift = old.codes.len();
    let codes: Vec<Code> = old
        .codes
        .iter()
        .cloned()
        .chain(new.codes.iter().map(|c| Code {
            parent: c.parent.map(|p| p + shift),
            ..c.clone()
        }))
        .collect();
    with_codes(new, codes)
}

/// Whether a passage was gained or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    /// Coded by the new version, not by the old.
    Gained,
    /// Coded by the old version, not by the new.
    Lost,
}

impl Direction {
    /// The word for it in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Gained => "gained",
            Direction::Lost => "lost",
        }
    }
}

/// A passage whose coding with a code changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The code's name.
    pub code: String,
    /// Gained or lost.
    pub direction: Direction,
    /// The document's id.
    pub document: String,
    /// The passage's number in its document.
    pub segment: usize,
    /// Its first line.
    pub start_line: usize,
    /// Its last line.
    pub end_line: usize,
    /// Who speaks it; empty when nobody.
    pub speaker: String,
    /// The rules that caused the change: for a passage gained, the new
    /// version's rules that fire; for one lost, the old version's, and why
    /// the new one does not code it.
    pub rule: String,
    /// The words the version that codes the passage matched there.
    pub words: Vec<String>,
    /// The passage.
    pub text: String,
}

/// One code's counts before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeDiff {
    /// The code's name.
    pub code: String,
    /// Passages the old version codes (`None`: no such code).
    pub before: Option<usize>,
    /// Passages the new version codes (`None`: no such code).
    pub after: Option<usize>,
    /// Passages gained.
    pub gained: usize,
    /// Passages lost.
    pub lost: usize,
    /// Against the gold standard, before and after.
    pub scores: Option<(PrecisionRecall, PrecisionRecall)>,
}

/// Per code, the true positives, false positives and false negatives of
/// each version against the gold standard.
#[derive(Debug, Clone, Copy, Default)]
struct Confusion {
    before: [u64; 3],
    after: [u64; 3],
}

/// The gold standard: passages the human coded with each code (or one of
/// its sub-codes), and the documents the human coded.
struct Gold {
    passages: HashSet<(String, usize, String)>,
    documents: HashSet<String>,
    confusion: BTreeMap<String, Confusion>,
}

/// The comparison of two versions of a codebook over a corpus.
pub struct CodebookDiff {
    /// How the old version was named (a file, or `git:REV:path`).
    pub old_name: String,
    /// How the new version was named.
    pub new_name: String,
    old: Codebook,
    new: Codebook,
    /// Per code name: its index in the old and in the new version.
    names: Vec<(String, Option<usize>, Option<usize>)>,
    /// Per code of the combined codebook, the names (positions in
    /// `names`) it counts for: itself and its ancestors.
    counts_for: Vec<Vec<usize>>,
    counts: Vec<(usize, usize)>,
    /// Every passage that changes, in input order.
    pub changes: Vec<Change>,
    diagnosis: Diagnosis,
    gold: Option<Gold>,
    documents: usize,
}

impl CodebookDiff {
    /// A comparison of `old` and `new` (named as the user gave them), to be
    /// fed the documents coded with [`combined`]`(old, new)`.
    pub fn new(old: Codebook, new: Codebook, old_name: String, new_name: String) -> Result<CodebookDiff> {
        let mut names: Vec<(String, Option<usize>, Option<usize>)> = new
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), old.find(&c.name), Some(i)))
            .collect();
        for (i, c) in old.codes.iter().enumerate() {
            if new.find(&c.name).is_none() {
                names.push((c.name.clone(), Some(i), None));
            }
        }
        let position = |name: &str| names.iter().position(|n| n.0 == name).expect("every code is named");
        let mut counts_for = Vec::new();
        for book in [&old, &new] {
            for ci in 0..book.codes.len() {
                counts_for.push(book.ancestry(ci).map(|a| position(&book.codes[a].name)).collect());
            }
        }
        let counts = vec![(0, 0); names.len()];
        Ok(CodebookDiff {
            diagnosis: Diagnosis::new(&new)?,
            old,
            new,
            old_name,
            new_name,
            names,
            counts_for,
            counts,
            changes: Vec::new(),
            gold: None,
            documents: 0,
        })
    }

    /// Scores both versions against a human's `gold` codings: a passage
    /// the human coded with a code counts for its ancestors too (in either
    /// version, and in the code path the file gives).
    pub fn with_gold(&mut self, gold: &[Coding]) {
        let mut passages = HashSet::new();
        for c in gold {
            let mut names: Vec<&str> = c.code_path.split('/').chain(std::iter::once(c.code.as_str())).collect();
            for book in [&self.old, &self.new] {
                if let Some(ci) = book.find(&c.code) {
                    names.extend(book.ancestry(ci).map(|a| book.codes[a].name.as_str()));
                }
            }
            for name in names.into_iter().filter(|n| !n.is_empty()) {
                passages.insert((c.document.clone(), c.segment, name.to_string()));
            }
        }
        self.gold = Some(Gold {
            passages,
            documents: gold.iter().map(|c| c.document.clone()).collect(),
            confusion: BTreeMap::new(),
        });
    }

    /// Adds one document coded with [`combined`]; [`CodebookDiff::explain`]
    /// names the rules behind the changes once every document is added.
    pub fn add(&mut self, coded: &CodedDocument) -> Result<()> {
        self.documents += 1;
        let n_old = self.old.codes.len();
        let doc = &coded.doc;
        let in_gold = self.gold.as_ref().is_some_and(|g| g.documents.contains(&doc.id));
        for by_segment in coded.applied.chunk_by(|a, b| a.segment == b.segment) {
            // Per code name, whether each version codes the passage.
            let mut before = vec![false; self.names.len()];
            let mut after = vec![false; self.names.len()];
            for a in by_segment {
                let side = if a.code < n_old { &mut before } else { &mut after };
                for &name in &self.counts_for[a.code] {
                    side[name] = true;
                }
            }
            let seg = &coded.segments[by_segment[0].segment];
            for name in 0..self.names.len() {
                self.counts[name].0 += usize::from(before[name]);
                self.counts[name].1 += usize::from(after[name]);
                if in_gold {
                    self.score(&doc.id, seg.index, name, before[name], after[name]);
                }
                if before[name] == after[name] {
                    continue;
                }
                let direction = if after[name] {
                    Direction::Gained
                } else {
                    Direction::Lost
                };
                let change = self.change(coded, by_segment, name, direction);
                self.changes.push(change);
            }
        }
        if in_gold {
            self.count_missed(coded);
        }
        Ok(())
    }

    /// Counts a coded passage of a gold document for code `name`.
    fn score(&mut self, document: &str, segment: usize, name: usize, before: bool, after: bool) {
        let code = self.names[name].0.clone();
        let gold = self.gold.as_mut().expect("scored with a gold standard");
        let human = gold.passages.contains(&(document.to_string(), segment, code.clone()));
        let confusion = gold.confusion.entry(code).or_default();
        let tally = |side: &mut [u64; 3], coded: bool| match (coded, human) {
            (true, true) => side[0] += 1,
            (true, false) => side[1] += 1,
            (false, true) => side[2] += 1,
            (false, false) => {}
        };
        tally(&mut confusion.before, before);
        tally(&mut confusion.after, after);
    }

    /// Counts the human's passages of a gold document that neither version
    /// codes (the coded ones were counted with the coded passages): false
    /// negatives of both.
    fn count_missed(&mut self, coded: &CodedDocument) {
        let coded_segments: HashSet<usize> = coded.applied.iter().map(|a| coded.segments[a.segment].index).collect();
        let gold = self.gold.as_mut().expect("scored with a gold standard");
        for (name, _, _) in &self.names {
            let missed = coded
                .segments
                .iter()
                .filter(|s| !coded_segments.contains(&s.index))
                .filter(|s| gold.passages.contains(&(coded.doc.id.clone(), s.index, name.clone())))
                .count() as u64;
            let confusion = gold.confusion.entry(name.clone()).or_default();
            confusion.before[2] += missed;
            confusion.after[2] += missed;
        }
    }

    /// The change of code `name` in the passage of `applied`, with the
    /// words of the version that codes it; the rule is named later.
    fn change(
        &self,
        coded: &CodedDocument,
        applied: &[crate::matcher::Applied],
        name: usize,
        direction: Direction,
    ) -> Change {
        let seg = &coded.segments[applied[0].segment];
        let n_old = self.old.codes.len();
        let codes_it = |a: &&crate::matcher::Applied| {
            (direction == Direction::Gained) == (a.code >= n_old) && self.counts_for[a.code].contains(&name)
        };
        let mut words: Vec<String> = Vec::new();
        for a in applied.iter().filter(codes_it) {
            for &(s, e) in &coded.spans[a.spans.clone()] {
                let w = coded.doc.text[s..e].split_whitespace().collect::<Vec<_>>().join(" ");
                if !words.contains(&w) {
                    words.push(w);
                }
            }
        }
        Change {
            code: self.names[name].0.clone(),
            direction,
            document: coded.doc.id.clone(),
            segment: seg.index,
            start_line: seg.start_line,
            end_line: seg.end_line,
            speaker: seg.speaker.as_deref().unwrap_or_default().to_string(),
            rule: String::new(),
            words,
            text: coded.doc.text[seg.start..seg.end].to_string(),
        }
    }

    /// Names the rules behind every change: for a passage gained, the new
    /// version's rules that fire on it; for one lost, the old version's,
    /// and why the new version does not code it. Each version's rules are
    /// compiled once, here, after the pass over the corpus.
    pub fn explain(&mut self) -> Result<()> {
        let mut old_rules = RuleFinder::new(&self.old)?;
        let mut new_rules = RuleFinder::new(&self.new)?;
        let mut changes = std::mem::take(&mut self.changes);
        for change in &mut changes {
            let (_, _, new_index) = self.names.iter().find(|n| n.0 == change.code).expect("a named code");
            let (code, text, speaker) = (change.code.as_str(), change.text.as_str(), change.speaker.as_str());
            change.rule = match change.direction {
                Direction::Gained => {
                    let fired = describe(&new_rules.rules(code, text, speaker)?);
                    match self.old.find(code) {
                        None => format!("new code; {fired}"),
                        Some(_) => fired,
                    }
                }
                Direction::Lost => {
                    let fired = describe(&old_rules.rules(code, text, speaker)?);
                    let now = match new_index {
                        None => "the code was removed".to_string(),
                        Some(ci) => {
                            let speaker = (!speaker.is_empty()).then_some(speaker);
                            format!("now {}", self.diagnosis.reason(&self.new, *ci, text, speaker)?)
                        }
                    };
                    format!("{fired}; {now}")
                }
            };
        }
        self.changes = changes;
        Ok(())
    }

    /// Per code, the counts before and after, in the new version's order
    /// (codes the new version removed last).
    pub fn codes(&self) -> Vec<CodeDiff> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, (code, old, new))| {
                let changed = |d: Direction| {
                    self.changes
                        .iter()
                        .filter(|c| c.code == *code && c.direction == d)
                        .count()
                };
                let scores = self.gold.as_ref().map(|g| {
                    let c = g.confusion.get(code).copied().unwrap_or_default();
                    let pr = |s: [u64; 3]| precision_recall_f1(s[0], s[1], s[2]);
                    (pr(c.before), pr(c.after))
                });
                CodeDiff {
                    code: code.clone(),
                    before: old.map(|_| self.counts[i].0),
                    after: new.map(|_| self.counts[i].1),
                    gained: changed(Direction::Gained),
                    lost: changed(Direction::Lost),
                    scores,
                }
            })
            .collect()
    }

    /// The changes grouped by code (in the order of [`CodebookDiff::codes`]),
    /// gained before lost, each group in input order.
    fn grouped(&self) -> Vec<&Change> {
        let order: BTreeMap<&str, usize> = self.names.iter().enumerate().map(|(i, n)| (n.0.as_str(), i)).collect();
        let mut changes: Vec<&Change> = self.changes.iter().collect();
        changes.sort_by_key(|c| (order[c.code.as_str()], c.direction));
        changes
    }
}

/// The rules that fired, in words.
fn describe(fired: &[String]) -> String {
    if fired.is_empty() {
        "no single rule fires on the passage alone".to_string()
    } else {
        fired.join(", ")
    }
}

const SUMMARY_FIELDS: &[&str] = &["code", "before", "after", "gained", "lost"];
const SCORED_FIELDS: &[&str] = &[
    "code",
    "before",
    "after",
    "gained",
    "lost",
    "precision_before",
    "recall_before",
    "f1_before",
    "precision_after",
    "recall_after",
    "f1_after",
];
const CHANGE_FIELDS: &[&str] = &[
    "code",
    "change",
    "document",
    "segment",
    "start_line",
    "end_line",
    "speaker",
    "rule",
    "words",
    "text",
];

fn change_record(c: &Change) -> Record {
    let mut r = Record::new(CHANGE_FIELDS);
    r.text(&c.code)
        .text(c.direction.as_str())
        .text(&c.document)
        .int(c.segment)
        .int(c.start_line)
        .int(c.end_line)
        .text(&c.speaker)
        .text(&c.rule)
        .push(crate::report::Field::List(c.words.clone()))
        .text(&c.text);
    r
}

impl CodebookDiff {
    /// One record per code: counts, and scores with a gold standard.
    fn summary_rows(&self) -> Vec<Record> {
        let fields = if self.gold.is_some() {
            SCORED_FIELDS
        } else {
            SUMMARY_FIELDS
        };
        self.codes()
            .iter()
            .map(|d| {
                let mut r = Record::new(fields);
                r.text(&d.code);
                count_field(&mut r, d.before);
                count_field(&mut r, d.after);
                r.int(d.gained).int(d.lost);
                if let Some((before, after)) = &d.scores {
                    for pr in [before, after] {
                        r.num(pr.precision.value()).num(pr.recall.value()).num(pr.f1.value());
                    }
                }
                r
            })
            .collect()
    }
}

/// A count, or an empty value for a code the version does not have.
fn count_field(r: &mut Record, n: Option<usize>) {
    match n {
        Some(n) => r.int(n),
        None => r.opt_text(None),
    };
}

/// A coefficient with four decimals, `–` when undefined.
fn coef(c: Coef) -> String {
    c.value().map_or_else(|| "–".to_string(), |v| format!("{v:.4}"))
}

impl Report for CodebookDiff {
    fn summary(&self, _style: Style) -> Vec<String> {
        let name = |cb: &Codebook, as_given: &str| match &cb.version {
            Some(v) => format!("{as_given} (version {v})"),
            None => as_given.to_string(),
        };
        let gained = self.changes.iter().filter(|c| c.direction == Direction::Gained).count();
        vec![format!(
            "{} → {}: {} gained, {} lost in {}",
            name(&self.old, &self.old_name),
            name(&self.new, &self.new_name),
            gained,
            self.changes.len() - gained,
            crate::report::counted(self.documents, "document")
        )]
    }

    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        let scored = self.gold.is_some();
        let mut header: Vec<(String, Align)> = vec![("code".into(), Align::Left)];
        for h in ["before", "after", "gained", "lost"] {
            header.push((h.into(), Align::Right));
        }
        if scored {
            for h in ["P before", "R before", "F1 before", "P after", "R after", "F1 after"] {
                header.push((h.into(), Align::Right));
            }
        }
        let mut table = Table::new(header);
        let count = |n: Option<usize>| n.map_or_else(|| "–".to_string(), |n| n.to_string());
        for d in self.codes() {
            let mut row = vec![
                d.code.clone(),
                count(d.before),
                count(d.after),
                format!("+{}", d.gained),
                format!("−{}", d.lost),
            ];
            if let Some((before, after)) = &d.scores {
                for pr in [before, after] {
                    row.extend([coef(pr.precision), coef(pr.recall), coef(pr.f1)]);
                }
            }
            table.push(row);
        }
        Some(table)
    }

    fn legend(&self) -> Vec<String> {
        let mut lines = vec![
            "before, after: passages each version codes with the code or a sub-code (– : the version has no such code); gained, lost: passages that change".to_string(),
        ];
        if self.gold.is_some() {
            lines.push(
                "P, R, F1: precision, recall and F1 against the gold standard, in the documents the human coded"
                    .to_string(),
            );
        }
        lines
    }

    fn details(&self, style: Style) -> String {
        let mut s = String::new();
        let mut last: Option<(&str, Direction)> = None;
        for c in self.grouped() {
            if last != Some((c.code.as_str(), c.direction)) {
                let title = format!("{} {}", c.code, c.direction.as_str());
                if style.markdown {
                    s.push_str(&format!("\n### `{}` {}\n\n", c.code, c.direction.as_str()));
                } else {
                    s.push_str(&format!("\n{title}:\n"));
                }
                last = Some((c.code.as_str(), c.direction));
            }
            let sign = if c.direction == Direction::Gained { "+" } else { "-" };
            let speaker = if c.speaker.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.speaker)
            };
            let words = if c.words.is_empty() {
                String::new()
            } else {
                format!(" · words: {}", c.words.join("; "))
            };
            let text = c.text.split_whitespace().collect::<Vec<_>>().join(" ");
            let head = format!(
                "{} {}{} · rule: {}{}",
                c.document,
                lines_phrase(c.start_line, c.end_line),
                speaker,
                c.rule,
                words
            );
            if style.markdown {
                s.push_str(&format!("- {sign} {head}\n  > {text}\n"));
            } else {
                s.push_str(&format!("  {sign} {head}\n      \"{text}\"\n"));
            }
        }
        s
    }

    fn records(&self) -> Records {
        Records::new(CHANGE_FIELDS, self.grouped().into_iter().map(change_record).collect())
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("provenance", provenance)
            .value("old", &self.old_name)
            .value("new", &self.new_name)
            .records("codes", self.summary_rows())
            .records("changes", self.grouped().into_iter().map(change_record).collect())
            .value("warnings", warnings)
    }

    fn sheets(&self) -> Vec<xlsx::Sheet> {
        vec![
            xlsx::Sheet::new(
                "codes",
                Records::new(
                    if self.gold.is_some() {
                        SCORED_FIELDS
                    } else {
                        SUMMARY_FIELDS
                    },
                    self.summary_rows(),
                ),
            ),
            xlsx::Sheet::new("changes", self.records()),
        ]
    }
}
