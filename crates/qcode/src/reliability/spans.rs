//! Span-level agreement of two coders who marked their own stretches of
//! text (character offsets) instead of coding fixed segments.
//!
//! Two views, per code and document, from [`crate::stats`]:
//!
//! * **characters**, as NVivo's coding comparison: each character is coded
//!   or not by each coder; percent agreement and Cohen's kappa of that 2×2
//!   table ([`span_agreement`]);
//! * **segments**, as MAXQDA's segment agreement: a coded segment matches
//!   when the other coder gave the same code to a segment overlapping it by
//!   at least the threshold ([`segment_agreement`]).
//!
//! A code's documents are pooled in one row by laying the documents end to
//! end (their characters form one table, their segments one list, and no
//! segment can overlap another document's), and the `overall` row does the
//! same over every code and document; no formula is averaged.
//!
//! Only documents both coders rated (a coder rated a document when it has a
//! row in it, or always with `--all-rated`) are compared. A document's
//! length comes from the transcripts; without them it is taken to end at the
//! last character either coder coded, which leaves out the uncoded text
//! after it (a warning says so).

use std::collections::HashMap;
use std::ops::Range;

use indexmap::IndexSet;

use super::agreement::OVERALL;
use super::coded::{CodedRow, coded_rows};
use super::data::{declared_or_found, examples, rolled_up};
use super::input::CodedFile;
use crate::coding::CodeTree;
use crate::error::{Error, Result};
use crate::report::xlsx::Sheet;
use crate::report::{Align, Table, counted};
use crate::report::{Footnotes, JsonObject, Provenance, Record, Records, Report, Style};
use crate::stats::{OverlapBasis, SegmentAgreement, SpanAgreement, segment_agreement, span_agreement};
use crate::transcripts::Transcripts;
use crate::transcripts::unknown_documents;

/// How to compare spans.
#[derive(Debug, Clone, Copy)]
pub struct SpanOptions<'a> {
    /// The declared codes (codebook or `--categories`); `None`: the codes
    /// found in the files.
    pub declared: Option<&'a [String]>,
    /// The two coders to compare (required when the files hold more).
    pub coders: Option<&'a [String]>,
    /// The transcripts the coded CSVs were made from, which give each
    /// document's length in characters; without them a document ends at
    /// the last character either coder coded.
    pub transcripts: Option<&'a Transcripts>,
    /// Every coder read every document: a document only one coder coded
    /// (or, with the transcripts, nobody coded) is compared, as read with
    /// nothing coded, instead of left out.
    pub all_rated: bool,
    /// The code hierarchy: a parent code's stretches are its own and its
    /// sub-codes' (see [`super::data::Options::tree`]).
    pub tree: Option<&'a CodeTree>,
    /// Overlap threshold of segment matching, a fraction in `[0, 1]`.
    pub threshold: f64,
    /// What an overlap is compared with in segment matching.
    pub basis: OverlapBasis,
}

/// One row: a code in one document, a code over all documents
/// (`document: None`), or every code and document (`code` = `overall`).
#[derive(Debug, Clone, PartialEq)]
pub struct SpanRow {
    /// The code, or [`OVERALL`] for the row pooling every code.
    pub code: String,
    /// The document; `None` for a row pooling every compared document.
    pub document: Option<String>,
    /// Character-level agreement, as NVivo's coding comparison.
    pub chars: SpanAgreement,
    /// Segment matching, as MAXQDA's segment agreement.
    pub segments: SegmentAgreement,
}

/// Span-level agreement of two coders.
#[derive(Debug, Clone)]
pub struct SpanReport {
    /// The two coders, A then B.
    pub coders: [String; 2],
    /// Per code (in code order), a row for each compared document in which
    /// either coder used it, then the code's pooled row; the overall row
    /// last.
    pub rows: Vec<SpanRow>,
    /// Overlap threshold of segment matching, a fraction in `[0, 1]`.
    pub threshold: f64,
    /// What an overlap is compared with in segment matching.
    pub basis: OverlapBasis,
    /// Whether document lengths come from the transcripts rather than from
    /// the last character either coder coded.
    pub lengths_from_transcripts: bool,
    /// Documents compared (see [`SpanOptions::all_rated`]).
    pub n_documents: usize,
}

/// The field names of span records.
pub const SPAN_FIELDS: &[&str] = &[
    "code",
    "document",
    "n_characters",
    "both",
    "a_only",
    "b_only",
    "neither",
    "percent_agreement",
    "percent_agreement_reason",
    "kappa",
    "kappa_reason",
    "a_segments",
    "a_matched",
    "b_segments",
    "b_matched",
    "segment_agreement",
    "segment_agreement_reason",
];

/// Spans of one coder per (code, document).
type SpanMap = HashMap<(String, usize, usize), Vec<Range<usize>>>;

/// Compares the spans of two coders; returns the report and warnings.
pub fn span_report(files: &[CodedFile], opts: &SpanOptions) -> Result<(SpanReport, Vec<String>)> {
    let (coders, rows) = coded_rows(files, opts.coders)?;
    let [a, b]: [String; 2] = coders.clone().try_into().map_err(|_| {
        Error::new(format!(
            "span comparison is for two coders, and these files hold {} ({})",
            coders.len(),
            coders.join(", ")
        ))
        .hint("choose two with --coders NAME,NAME")
    })?;
    let mut warnings = Vec::new();
    let mut docs: IndexSet<String> = opts
        .transcripts
        .map(|t| t.docs.keys().cloned().collect())
        .unwrap_or_default();
    let mut unknown: IndexSet<String> = IndexSet::new();
    let mut unpositioned = Vec::new();
    let mut too_long = Vec::new();
    let mut spans: SpanMap = HashMap::new();
    let mut rated: Vec<[bool; 2]> = Vec::new();
    let mut last_char: Vec<usize> = Vec::new();
    for &(fi, c, ci) in &rows {
        super::data::check_declared(opts.declared, &c.code, &c.coder, || {
            format!("{}, document `{}`", files[fi].name, c.document)
        })?;
        let place = || format!("{} segment {} in {}", c.document, c.segment, files[fi].name);
        if c.end_char <= c.start_char {
            unpositioned.push(place());
            continue;
        }
        if let Some(t) = opts.transcripts {
            match t.docs.get(&c.document) {
                None => {
                    unknown.insert(c.document.clone());
                    continue;
                }
                Some(doc) if c.end_char > doc.n_chars => {
                    too_long.push(format!(
                        "{} (ends at {} of {} characters)",
                        place(),
                        c.end_char,
                        doc.n_chars
                    ));
                    continue;
                }
                Some(_) => {}
            }
        }
        let (d, _) = docs.insert_full(c.document.clone());
        rated.resize(docs.len(), [false; 2]);
        last_char.resize(docs.len(), 0);
        rated[d][ci] = true;
        last_char[d] = last_char[d].max(c.end_char);
        for code in rolled_up(&c.code, opts.tree) {
            let stretches = spans.entry((code.to_string(), d, ci)).or_default();
            // A passage coded with two sub-codes is one stretch of the parent.
            if !stretches.contains(&(c.start_char..c.end_char)) {
                stretches.push(c.start_char..c.end_char);
            }
        }
    }
    if !unknown.is_empty() {
        return Err(unknown_documents(&unknown));
    }
    if !unpositioned.is_empty() {
        return Err(Error::new(format!(
            "{} row(s) have no character offsets (`start_char`, `end_char`), which --spans compares: {}",
            unpositioned.len(),
            examples(&unpositioned)
        ))
        .hint("fill in the offsets, or leave out --spans to compare segments"));
    }
    if !too_long.is_empty() {
        return Err(Error::new(format!(
            "{} coded passage(s) end after the end of their document in the transcripts: {}",
            too_long.len(),
            examples(&too_long)
        ))
        .hint("give the transcripts the coded CSVs were made from"));
    }
    rated.resize(docs.len(), [false; 2]);
    last_char.resize(docs.len(), 0);

    // Documents compared, with their lengths.
    let compared: Vec<usize> = (0..docs.len())
        .filter(|&d| opts.all_rated || rated[d] == [true, true])
        .filter(|&d| opts.transcripts.is_some() || rated[d] != [false, false])
        .collect();
    let one_sided: Vec<&String> = (0..docs.len())
        .filter(|&d| !compared.contains(&d) && rated[d] != [false, false])
        .map(|d| &docs[d])
        .collect();
    if !one_sided.is_empty() {
        warnings.push(format!(
            "{} document(s) coded by one coder only are left out: {}; use --all-rated if the other coder read \
             them and found nothing to code",
            one_sided.len(),
            examples(&one_sided)
        ));
    }
    let length = |d: usize| match opts.transcripts {
        Some(t) => t.docs[&docs[d]].n_chars,
        None => last_char[d],
    };
    if opts.transcripts.is_none() {
        warnings.push(
            "without --transcripts each document is taken to end at the last character either coder coded; \
             give --transcripts to count the uncoded text after it"
                .to_string(),
        );
    }

    let codes = declared_or_found(
        opts.declared,
        rows.iter().flat_map(|(_, c, _): &CodedRow| {
            let mut up = rolled_up(&c.code, opts.tree);
            up.reverse();
            up
        }),
    );
    let get = |code: &str, d: usize, ci: usize| spans.get(&(code.to_string(), d, ci)).map_or(&[][..], Vec::as_slice);
    let mut out = Vec::new();
    let mut overall = Pool::default();
    for code in &codes {
        let mut pooled = Pool::default();
        for &d in &compared {
            let (sa, sb) = (get(code, d, 0), get(code, d, 1));
            pooled.add(length(d), sa, sb);
            overall.add(length(d), sa, sb);
            if !sa.is_empty() || !sb.is_empty() {
                out.push(compare(code, Some(docs[d].clone()), length(d), sa, sb, opts));
            }
        }
        out.push(pooled.row(code, opts));
    }
    out.push(overall.row(OVERALL, opts));
    Ok((
        SpanReport {
            coders: [a, b],
            rows: out,
            threshold: opts.threshold,
            basis: opts.basis,
            lengths_from_transcripts: opts.transcripts.is_some(),
            n_documents: compared.len(),
        },
        warnings,
    ))
}

fn compare(
    code: &str,
    document: Option<String>,
    len: usize,
    a: &[Range<usize>],
    b: &[Range<usize>],
    opts: &SpanOptions,
) -> SpanRow {
    SpanRow {
        code: code.to_string(),
        document,
        chars: span_agreement(len, a, b),
        segments: segment_agreement(a, b, opts.threshold, opts.basis),
    }
}

/// Documents laid end to end: spans shifted by the length before them.
#[derive(Default)]
struct Pool {
    len: usize,
    a: Vec<Range<usize>>,
    b: Vec<Range<usize>>,
}

impl Pool {
    fn add(&mut self, len: usize, a: &[Range<usize>], b: &[Range<usize>]) {
        let at = self.len;
        let shift = |s: &Range<usize>| s.start + at..s.end + at;
        self.a.extend(a.iter().map(shift));
        self.b.extend(b.iter().map(shift));
        self.len += len;
    }

    fn row(&self, code: &str, opts: &SpanOptions) -> SpanRow {
        compare(code, None, self.len, &self.a, &self.b, opts)
    }
}

fn basis_words(basis: OverlapBasis) -> &'static str {
    match basis {
        OverlapBasis::Longer => "the longer of the two segments",
        OverlapBasis::Union => "the stretch both segments cover together",
        OverlapBasis::Shorter => "the shorter of the two segments",
    }
}

impl Report for SpanReport {
    fn summary(&self, _style: Style) -> Vec<String> {
        vec![self.summary_line()]
    }

    fn table(&self, notes: &mut Footnotes, _style: Style) -> Option<Table> {
        Some(self.people_table(notes))
    }

    fn legend(&self) -> Vec<String> {
        let lengths = if self.lengths_from_transcripts {
            "document lengths come from the transcripts."
        } else {
            "each document is taken to end at the last character either coder coded (give --transcripts for \
             the true length; uncoded text after it would count as agreement)."
        };
        vec![
            "characters, as NVivo's coding comparison: each character of a document is coded or not by each \
             coder; agreement = (both + neither) / characters; κ = Cohen's kappa of that 2×2 table of \
             characters (where neither coder coded anything, NVivo shows κ = 1; qcode says undefined)."
                .to_string(),
            format!(
                "segments, as MAXQDA's segment agreement: a coded segment is matched when the other coder gave \
                 the same code to a segment that overlaps it by at least {}% of {}; segment agreement = matched \
                 segments of both coders / all segments of both coders (there is no \"neither\" cell, hence no \
                 chance correction).",
                fmt_percent(self.threshold),
                basis_words(self.basis)
            ),
            format!(
                "(all documents): a code's documents pooled as one table of characters and one list of segments; \
                 {OVERALL}: every code and document pooled."
            ),
            format!("lengths: {lengths}"),
        ]
    }

    fn records(&self) -> Records {
        Records::new(SPAN_FIELDS, self.rows())
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![Sheet::new("spans", self.records())]
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        let head = JsonObject::new().value("about", provenance);
        let json = {
            head.value(
                "coders",
                serde_json::json!({ "a": self.coders[0], "b": self.coders[1] }),
            )
            .value("n_documents", self.n_documents)
            .value(
                "document_lengths",
                if self.lengths_from_transcripts {
                    "transcripts"
                } else {
                    "last_coded_character"
                },
            )
            .value("overlap_threshold", self.threshold)
            .value("overlap_basis", self.basis)
            .records("rows", self.rows())
        };
        json.value("warnings", warnings)
    }
}

impl SpanReport {
    fn summary_line(&self) -> String {
        format!(
            "2 coders ({}, {}) · {} both rated · character offsets compared",
            self.coders[0],
            self.coders[1],
            counted(self.n_documents, "document")
        )
    }

    fn people_table(&self, notes: &mut Footnotes) -> Table {
        let [a, b] = &self.coders;
        let header = [
            ("code".to_string(), Align::Left),
            ("document".to_string(), Align::Left),
            ("characters".to_string(), Align::Right),
            ("both".to_string(), Align::Right),
            (format!("only {a}"), Align::Right),
            (format!("only {b}"), Align::Right),
            ("neither".to_string(), Align::Right),
            ("agreement".to_string(), Align::Right),
            ("κ".to_string(), Align::Right),
            (format!("segments {a}/{b}"), Align::Right),
            ("matched".to_string(), Align::Right),
            ("segment agreement".to_string(), Align::Right),
        ];
        let mut t = Table::new(header.to_vec());
        for r in &self.rows {
            let (c, s) = (&r.chars, &r.segments);
            t.push(vec![
                r.code.clone(),
                r.document.clone().unwrap_or_else(|| "(all documents)".to_string()),
                c.total.to_string(),
                c.both.to_string(),
                c.a_only.to_string(),
                c.b_only.to_string(),
                c.neither.to_string(),
                notes.percent(c.percent_agreement),
                notes.coef(c.kappa),
                format!("{}/{}", s.a_matched + s.a_unmatched, s.b_matched + s.b_unmatched),
                format!("{}/{}", s.a_matched, s.b_matched),
                notes.percent(s.percent_agreement),
            ]);
        }
        t
    }

    fn rows(&self) -> Vec<Record> {
        self.rows
            .iter()
            .map(|row| {
                let (c, s) = (&row.chars, &row.segments);
                let mut r = Record::new(SPAN_FIELDS);
                r.text(row.code.clone())
                    .opt_text(row.document.clone())
                    .int(c.total)
                    .int(c.both)
                    .int(c.a_only)
                    .int(c.b_only)
                    .int(c.neither)
                    .coef(c.percent_agreement)
                    .coef(c.kappa)
                    .int(s.a_matched + s.a_unmatched)
                    .int(s.a_matched)
                    .int(s.b_matched + s.b_unmatched)
                    .int(s.b_matched)
                    .coef(s.percent_agreement);
                r
            })
            .collect()
    }
}

/// A fraction as a percentage without needless decimals (0.9 → "90").
pub fn fmt_percent(fraction: f64) -> String {
    let p = (fraction * 100.0 * 1e6).round() / 1e6;
    format!("{p}")
}

#[cfg(test)]
// One-span lists such as `[0..10]` are what these tests mean.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::coding::Coding;
    use crate::stats::Coef;

    fn coding(doc: &str, coder: &str, code: &str, span: Range<usize>) -> Coding {
        Coding {
            document: doc.into(),
            segment: 0,
            unit: String::new(),
            start_line: 0,
            end_line: 0,
            start_char: span.start,
            end_char: span.end,
            speaker: String::new(),
            code: code.into(),
            code_path: String::new(),
            coder: coder.into(),
            hits: 0,
            matched: vec![],
            text: String::new(),
            start_time: String::new(),
            end_time: String::new(),
            spans: vec![],
            extracted: Vec::new(),
            attributes: Arc::default(),
        }
    }

    fn opts() -> SpanOptions<'static> {
        SpanOptions {
            declared: None,
            coders: None,
            transcripts: None,
            all_rated: false,
            tree: None,
            threshold: 0.9,
            basis: OverlapBasis::Longer,
        }
    }

    #[test]
    fn documents_pool_end_to_end() {
        let file = CodedFile {
            name: "f".into(),
            codings: vec![
                coding("d1", "a", "x", 0..10),
                coding("d1", "b", "x", 1..10),
                coding("d1", "b", "y", 15..20),
                coding("d2", "a", "x", 0..4),
                coding("d2", "b", "y", 0..8),
            ],
        };
        let (r, warnings) = span_report(&[file], &opts()).unwrap();
        assert!(warnings[0].contains("last character"));
        let rows: Vec<(&str, Option<&str>)> = r
            .rows
            .iter()
            .map(|r| (r.code.as_str(), r.document.as_deref()))
            .collect();
        assert_eq!(
            rows,
            [
                ("x", Some("d1")),
                ("x", Some("d2")),
                ("x", None),
                ("y", Some("d1")),
                ("y", Some("d2")),
                ("y", None),
                (OVERALL, None)
            ]
        );
        // d1 is 20 characters long (last coded character), d2 8.
        let x1 = &r.rows[0];
        assert_eq!(
            (x1.chars.total, x1.chars.both, x1.chars.a_only, x1.chars.neither),
            (20, 9, 1, 10)
        );
        assert_eq!(x1.segments.percent_agreement, Coef::Value(1.0));
        let x_all = &r.rows[2];
        assert_eq!((x_all.chars.total, x_all.chars.both, x_all.chars.a_only), (28, 9, 5));
        assert_eq!((x_all.segments.a_matched, x_all.segments.a_unmatched), (1, 1));
        let overall = r.rows.last().unwrap();
        assert_eq!(overall.chars.total, 56);
        assert_eq!(overall.chars.both, 9);
    }

    #[test]
    fn three_coders_need_a_choice() {
        let file = CodedFile {
            name: "f".into(),
            codings: vec![
                coding("d", "a", "x", 0..1),
                coding("d", "b", "x", 0..1),
                coding("d", "c", "x", 0..1),
            ],
        };
        let e = span_report(&[file], &opts()).unwrap_err();
        assert!(e.what.contains("hold 3 (a, b, c)"), "{e}");
        assert!(fmt_percent(0.9) == "90" && fmt_percent(0.555) == "55.5");
    }
}
