//! Auditing qcode's automatic coding against a human gold standard: per
//! code, precision, recall, F1 and Cohen's kappa, and the passages behind
//! every error — false positives with the terms and rules that fired (so
//! the researcher sees which rule to fix), false negatives with the human's
//! passage (so they see what a rule misses).
//!
//! The data are [`CodingData`] with two coders, the gold standard first and
//! qcode second; only units both rated are compared. Counts are per unit:
//! a true positive is a unit both coded with the code, a false positive a
//! unit only qcode coded with it, a false negative a unit only the human
//! coded with it. The overall row is the micro-average (counts summed over
//! codes) with Cohen's kappa over every (unit, code) decision pooled, as in
//! `qcode agree`.

use std::fmt::Write as _;

use super::coded::from_coded;
use super::data::{CodingData, Options, UnitInfo, unit_of_codings};
use super::input::CodedFile;
use super::rules::RuleFinder;
use crate::codebook::Codebook;
use crate::coding::{AUTO_CODER, CodeTree};
use crate::corpus::Source;
use crate::error::{Error, Result};
use crate::pipeline::{Observer, Setup};
use crate::report::xlsx::Sheet;
use crate::report::{Align, Table, counted};
use crate::report::{Field, Footnotes, JsonObject, Provenance, Record, Records, Report, Style, lines_phrase, one_line};
use crate::segment::Unit;
use crate::stats::{Coef, PrecisionRecall, cohen_kappa, precision_recall_f1};
use crate::transcripts::Transcripts;

/// Index of the gold standard among the coders of the audited data.
pub const GOLD: usize = 0;
/// Index of qcode's automatic coding.
pub const PREDICTED: usize = 1;

/// The scores of one code (or of all codes, for the overall row).
#[derive(Debug, Clone, PartialEq)]
pub struct CodeAudit {
    /// The code, or [`OVERALL`](super::agreement::OVERALL) for the
    /// micro-averaged row.
    pub code: String,
    /// Units both the human and qcode rated; in the overall row, the
    /// (unit, code) decisions: those units times the codes.
    pub n_units: usize,
    /// Units the human coded with the code (tp + fn).
    pub gold: u64,
    /// Units qcode coded with the code (tp + fp).
    pub predicted: u64,
    /// Precision, recall and F1, with the counts they come from.
    pub scores: PrecisionRecall,
    /// Cohen's kappa of the present/absent decisions over the units both
    /// rated (in the overall row, every (unit, code) decision pooled).
    pub kappa: Coef,
}

/// Whether qcode coded a passage the human did not, or missed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissKind {
    /// qcode applied the code, the human did not.
    FalsePositive,
    /// The human applied the code, qcode did not.
    FalseNegative,
}

impl MissKind {
    /// The name written in the `kind` field of error records.
    pub fn name(self) -> &'static str {
        match self {
            MissKind::FalsePositive => "false_positive",
            MissKind::FalseNegative => "false_negative",
        }
    }
}

/// One error of the automatic coding.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    /// False positive or false negative.
    pub kind: MissKind,
    /// The code qcode or the human applied alone.
    pub code: String,
    /// The unit, with its passage.
    pub unit: UnitInfo,
    /// The terms qcode matched (false positives).
    pub matched: Vec<String>,
    /// The rules that fire on the passage (false positives, with a codebook).
    pub rules: Vec<String>,
}

/// The audit: per-code scores, then the overall row; the errors by code.
#[derive(Debug, Clone)]
pub struct AuditReport {
    /// The gold standard's coder, as named in its file (`gold` if that name
    /// was `qcode`).
    pub gold_coder: String,
    /// Units both rated.
    pub n_units: usize,
    /// One row per code, in code order, then the overall row.
    pub rows: Vec<CodeAudit>,
    /// Every error, grouped by code in code order, false positives first.
    pub misses: Vec<Miss>,
}

/// What to audit.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditOptions<'a> {
    /// The codebook: declares the codes and names the rules behind false
    /// positives.
    pub codebook: Option<&'a Codebook>,
    /// The transcripts both were coded from: every segment is a unit.
    pub transcripts: Option<&'a Transcripts>,
    /// Audit only these codes (empty: all).
    pub codes: &'a [String],
    /// The human read every document (see [`super::data::Options::all_rated`]).
    pub all_rated: bool,
}

/// Codes `sources` now, as qcode's automatic coding to audit, keeping their
/// segments as the units of the comparison.
pub fn code_for_audit(sources: &[Source], setup: &Setup, observer: &dyn Observer) -> Result<(CodedFile, Transcripts)> {
    let (codings, transcripts) = Transcripts::code(sources, setup, observer)?;
    if codings.is_empty() {
        return Err(Error::new("qcode coded nothing in these transcripts, so there is nothing to audit or report")
            .hint("check the rules with `qcode codebook check`, and that these are the transcripts the gold standard coded"));
    }
    let file = CodedFile {
        name: "qcode (automatic coding)".to_string(),
        codings,
    };
    Ok((file, transcripts))
}

/// An audit, the unit it compared and the warnings met on the way.
#[derive(Debug, Clone)]
pub struct Audited {
    /// The scores and errors.
    pub report: AuditReport,
    /// The unit of the passages compared, when known.
    pub unit: Option<Unit>,
    /// What looked suspicious while lining the codings up, one message
    /// each, for the user.
    pub warnings: Vec<String>,
}

/// Audits qcode's automatic coding (`predicted`) against a human `gold`
/// standard. Code paths from other programs are resolved to the codebook's
/// codes; only documents the human coded are compared, and qcode is taken
/// to have rated each of them.
pub fn audit(mut gold: CodedFile, mut predicted: CodedFile, opts: &AuditOptions) -> Result<Audited> {
    let declared = opts.codebook.map(Codebook::code_names);
    if let Some(declared) = &declared {
        gold.resolve_codes(declared);
        predicted.resolve_codes(declared);
    }
    let unit = match opts.transcripts {
        Some(t) => Some(t.unit),
        None => unit_of_codings(std::slice::from_ref(&gold))?,
    };
    let Some(gold_coder) = gold.codings.first().map(|c| c.coder.clone()) else {
        return Err(Error::new("the gold standard holds no codings")
            .at(gold.name.clone())
            .hint("check that this is the human's coded CSV"));
    };
    let coders = [gold_coder, AUTO_CODER.to_string()];
    let (tree, _) = CodeTree::for_codings(opts.codebook, gold.codings.iter().chain(&predicted.codings));
    let data_options = Options {
        declared: declared.as_deref(),
        coders: Some(&coders),
        transcripts: opts.transcripts,
        all_rated: opts.all_rated,
        complete_coder: Some(AUTO_CODER),
        tree: Some(&tree),
        ..Options::default()
    };
    let mut built = from_coded(&[gold, predicted], &data_options)?;
    if !opts.codes.is_empty() {
        for c in opts.codes {
            if !built.data.codes.contains(c) {
                return Err(
                    Error::usage(format!("there is no code `{c}` in the codings or the codebook"))
                        .hint(format!("the codes are: {}", built.data.codes.join(", "))),
                );
            }
        }
        built.data.codes.retain(|c| opts.codes.contains(c));
    }
    let mut finder = opts.codebook.map(RuleFinder::new).transpose()?;
    let report = audit_report(&built.data, finder.as_mut())?;
    Ok(Audited {
        report,
        unit,
        warnings: built.warnings,
    })
}

/// The audit of data whose first coder is the gold standard and second
/// qcode; `finder`, when given, names the rules behind false positives.
pub fn audit_report(data: &CodingData, mut finder: Option<&mut RuleFinder>) -> Result<AuditReport> {
    let both: Vec<usize> = (0..data.units.len())
        .filter(|&u| data.cells[u][GOLD].is_some() && data.cells[u][PREDICTED].is_some())
        .collect();
    let has = |u: usize, coder: usize, code: &str| data.cells[u][coder].as_ref().is_some_and(|s| s.contains(code));
    let mut rows = Vec::new();
    let mut misses = Vec::new();
    let (mut tp_all, mut fp_all, mut fn_all) = (0u64, 0u64, 0u64);
    for code in &data.codes {
        let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
        for &u in &both {
            let kind = match (has(u, GOLD, code), has(u, PREDICTED, code)) {
                (true, true) => {
                    tp += 1;
                    continue;
                }
                (false, false) => continue,
                (false, true) => {
                    fp += 1;
                    MissKind::FalsePositive
                }
                (true, false) => {
                    fn_ += 1;
                    MissKind::FalseNegative
                }
            };
            let unit = data.units[u].clone();
            let (matched, rules) = match kind {
                MissKind::FalsePositive => {
                    let matched = data
                        .matched
                        .get(&(u, PREDICTED, code.clone()))
                        .cloned()
                        .unwrap_or_default();
                    let rules = match finder.as_deref_mut() {
                        Some(f) if !unit.text.is_empty() => f.rules(code, &unit.text, &unit.speaker)?,
                        _ => Vec::new(),
                    };
                    (matched, rules)
                }
                MissKind::FalseNegative => (Vec::new(), Vec::new()),
            };
            misses.push(Miss {
                kind,
                code: code.clone(),
                unit,
                matched,
                rules,
            });
        }
        rows.push(CodeAudit {
            code: code.clone(),
            n_units: both.len(),
            gold: tp + fn_,
            predicted: tp + fp,
            scores: precision_recall_f1(tp, fp, fn_),
            kappa: cohen_kappa(&data.presence(code)),
        });
        (tp_all, fp_all, fn_all) = (tp_all + tp, fp_all + fp, fn_all + fn_);
    }
    rows.push(CodeAudit {
        code: super::agreement::OVERALL.to_string(),
        n_units: both.len() * data.codes.len(),
        gold: tp_all + fn_all,
        predicted: tp_all + fp_all,
        scores: precision_recall_f1(tp_all, fp_all, fn_all),
        kappa: cohen_kappa(&data.pooled_presence()),
    });
    // Errors grouped by code (codebook order), false positives first.
    misses.sort_by_key(|m| {
        (
            data.codes.iter().position(|c| *c == m.code),
            m.kind == MissKind::FalseNegative,
        )
    });
    Ok(AuditReport {
        gold_coder: data.coders[GOLD].clone(),
        n_units: both.len(),
        rows,
        misses,
    })
}

/// The field names of per-code audit records.
pub const AUDIT_FIELDS: &[&str] = &[
    "code",
    "n_units",
    "gold",
    "predicted",
    "true_positives",
    "false_positives",
    "false_negatives",
    "precision",
    "precision_reason",
    "recall",
    "recall_reason",
    "f1",
    "f1_reason",
    "cohen_kappa",
    "cohen_kappa_reason",
];

/// The field names of error records (`--errors FILE.csv`, JSON).
pub const MISS_FIELDS: &[&str] = &[
    "kind",
    "code",
    "document",
    "segment",
    "start_line",
    "end_line",
    "speaker",
    "matched",
    "rules",
    "text",
];

impl AuditReport {
    fn count(&self, kind: MissKind) -> usize {
        self.misses.iter().filter(|m| m.kind == kind).count()
    }

    /// Every false positive and false negative, one record each, with the
    /// fields of [`MISS_FIELDS`] (the `--errors` file).
    pub fn errors(&self) -> Records {
        Records::new(MISS_FIELDS, self.miss_records())
    }

    fn miss_records(&self) -> Vec<Record> {
        self.misses
            .iter()
            .map(|m| {
                let u = &m.unit;
                let mut r = Record::new(MISS_FIELDS);
                r.text(m.kind.name())
                    .text(m.code.clone())
                    .text(u.document.clone())
                    .int(u.segment)
                    .int(u.start_line)
                    .int(u.end_line)
                    .text(u.speaker.clone())
                    .push(Field::List(m.matched.clone()))
                    .push(Field::List(m.rules.clone()))
                    .text(u.text.clone());
                r
            })
            .collect()
    }
}

impl Report for AuditReport {
    fn summary(&self, _style: Style) -> Vec<String> {
        vec![self.summary_line()]
    }

    fn table(&self, notes: &mut Footnotes, _style: Style) -> Option<Table> {
        Some(self.people_table(notes))
    }

    fn legend(&self) -> Vec<String> {
        vec![
            "counts are units (segments): human and qcode = units each coded with the code (a parent code: \
             with it or any of its sub-codes); both = true positives; qcode only = false positives; human \
             only = false negatives."
                .to_string(),
            "precision = both / qcode; recall = both / human; F1 = 2·both / (human + qcode); κ = Cohen's kappa \
             of the present/absent decisions over the units both rated."
                .to_string(),
            format!(
                "{}: counts summed over codes (micro-average); κ over every (unit, code) decision pooled.",
                super::agreement::OVERALL
            ),
        ]
    }

    /// The errors, grouped by code.
    fn details(&self, style: Style) -> String {
        let markdown = style.markdown;
        let mut out = String::new();
        for kind in [MissKind::FalsePositive, MissKind::FalseNegative] {
            let list: Vec<&Miss> = self.misses.iter().filter(|m| m.kind == kind).collect();
            let title = match kind {
                MissKind::FalsePositive => {
                    "False positives: qcode coded, the human did not (check the rule that fired)"
                }
                MissKind::FalseNegative => "False negatives: the human coded, qcode did not (a rule may be missing)",
            };
            if markdown {
                let _ = writeln!(out, "\n## {title}\n");
            } else {
                let _ = writeln!(out, "\n{title}");
            }
            if list.is_empty() {
                let _ = writeln!(out, "{}(none)", if markdown { "" } else { "  " });
            }
            for m in list {
                let u = &m.unit;
                let mut head = format!("{} · {} {}", m.code, u.document, lines_phrase(u.start_line, u.end_line));
                if !u.speaker.is_empty() {
                    let _ = write!(head, " ({})", u.speaker);
                }
                if !m.matched.is_empty() {
                    let _ = write!(head, " · matched: {}", m.matched.join("; "));
                }
                if !m.rules.is_empty() {
                    let _ = write!(head, " · rule: {}", m.rules.join("; "));
                }
                if markdown {
                    let _ = writeln!(out, "- **{head}**\n\n  > {}\n", one_line(&u.text, usize::MAX));
                } else {
                    let _ = writeln!(out, "  {head}\n    \"{}\"", one_line(&u.text, 240));
                }
            }
        }
        out
    }

    fn records(&self) -> Records {
        Records::new(AUDIT_FIELDS, self.rows())
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![Sheet::new("audit", self.records()), Sheet::new("errors", self.errors())]
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        let head = JsonObject::new().value("about", provenance);
        let json = {
            head.value("gold_coder", &self.gold_coder)
                .value("n_units", self.n_units)
                .records("rows", self.rows())
                .records("errors", self.miss_records())
        };
        json.value("warnings", warnings)
    }
}

impl AuditReport {
    fn summary_line(&self) -> String {
        format!(
            "gold standard: `{}` · automatic coding: qcode · {} both rated · {}, {}",
            self.gold_coder,
            counted(self.n_units, "unit"),
            counted(self.count(MissKind::FalsePositive), "false positive"),
            counted(self.count(MissKind::FalseNegative), "false negative")
        )
    }

    fn people_table(&self, notes: &mut Footnotes) -> Table {
        let header = [
            ("code", Align::Left),
            ("human", Align::Right),
            ("qcode", Align::Right),
            ("both", Align::Right),
            ("qcode only (FP)", Align::Right),
            ("human only (FN)", Align::Right),
            ("precision", Align::Right),
            ("recall", Align::Right),
            ("F1", Align::Right),
            ("κ", Align::Right),
        ];
        let mut t = Table::new(header.iter().map(|(h, a)| (h.to_string(), *a)).collect());
        for r in &self.rows {
            let s = &r.scores;
            t.push(vec![
                r.code.clone(),
                r.gold.to_string(),
                r.predicted.to_string(),
                s.tp.to_string(),
                s.fp.to_string(),
                s.fn_.to_string(),
                notes.coef(s.precision),
                notes.coef(s.recall),
                notes.coef(s.f1),
                notes.coef(r.kappa),
            ]);
        }
        t
    }

    fn rows(&self) -> Vec<Record> {
        self.rows
            .iter()
            .map(|row| {
                let s = &row.scores;
                let mut r = Record::new(AUDIT_FIELDS);
                r.text(row.code.clone())
                    .int(row.n_units)
                    .push(Field::Int(row.gold))
                    .push(Field::Int(row.predicted))
                    .push(Field::Int(s.tp))
                    .push(Field::Int(s.fp))
                    .push(Field::Int(s.fn_))
                    .coef(s.precision)
                    .coef(s.recall)
                    .coef(s.f1)
                    .coef(row.kappa);
                r
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::reliability::data::Universe;

    fn cell(codes: &[&str]) -> Option<BTreeSet<String>> {
        Some(codes.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn counts_scores_and_errors_by_hand() {
        // 5 units; code x: gold {1,2,3}, qcode {2,3,4} → tp 2, fp 1, fn 1.
        // Unit 5 is not rated by the gold coder and does not count.
        let x = |b: bool| if b { cell(&["x"]) } else { cell(&[]) };
        let g = [true, true, true, false, false];
        let p = [false, true, true, true, true];
        let mut cells: Vec<Vec<Option<BTreeSet<String>>>> = (0..5).map(|u| vec![x(g[u]), x(p[u])]).collect();
        cells[4][GOLD] = None;
        let data = CodingData {
            units: (1..=5)
                .map(|i| UnitInfo {
                    label: format!("d#{i}"),
                    document: "d".into(),
                    segment: i,
                    start_line: i,
                    end_line: i,
                    speaker: String::new(),
                    text: format!("text {i}"),
                })
                .collect(),
            coders: vec!["ana".into(), "qcode".into()],
            codes: vec!["x".into()],
            declared: false,
            cells,
            nominal: false,
            matched: [((3, PREDICTED, "x".to_string()), vec!["coyote".to_string()])].into(),
            universe: Universe::CodedUnits,
            all_rated: false,
        };
        let r = audit_report(&data, None).unwrap();
        let x = &r.rows[0];
        assert_eq!((x.n_units, x.gold, x.predicted), (4, 3, 3));
        assert_eq!((x.scores.tp, x.scores.fp, x.scores.fn_), (2, 1, 1));
        assert!((x.scores.precision.value().unwrap() - 2.0 / 3.0).abs() < 1e-15);
        assert!((x.scores.f1.value().unwrap() - 4.0 / 6.0).abs() < 1e-15);
        // 2×2 over 4 units: both 2, gold only 1, qcode only 1, neither 0:
        // Po = 1/2, Pe = (3/4)² + (1/4)² = 5/8 → κ = −1/3.
        assert!((x.kappa.value().unwrap() + 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.misses.len(), 2);
        assert_eq!(
            (r.misses[0].kind, r.misses[0].unit.segment, r.misses[0].matched.clone()),
            (MissKind::FalsePositive, 4, vec!["coyote".to_string()])
        );
        assert_eq!(
            (r.misses[1].kind, r.misses[1].unit.segment),
            (MissKind::FalseNegative, 1)
        );
        assert_eq!(r.rows[1].code, "overall");
        assert!(
            r.details(Style::default())
                .contains("x · d line 4 · matched: coyote\n    \"text 4\"")
        );
    }
}
