//! Coded excerpts: the passages behind each code, grouped by code then
//! document, with the matched words highlighted — what goes into a paper's
//! quotations and what a reviewer reads to judge a code.
//!
//! A code's excerpts are the passages coded with it or with any of its
//! sub-codes, each passage once, listing every code it carries: the number
//! in a code's heading is the number of passages `freq` counts for it. A
//! passage is a segment of a document, whatever the number of codes and
//! coders on it ([`PassageKey`]).

use std::collections::HashMap;
use std::fmt::Write as _;

use indexmap::IndexSet;

use super::xlsx::Sheet;
use super::{CodeTree, JsonObject, Provenance, Records, Report, Style, Table, lines_phrase};
use crate::codebook::Codebook;
use crate::coding::{AUTO_CODER, Coding, PassageKey, distinct_matches};
use crate::error::{Error, ErrorKind, Result};
use crate::limits;
use crate::pipeline::CodedDocument;

/// One coded passage, with every code applied to it and its context.
#[derive(Debug, Clone)]
pub struct Passage {
    /// Document id.
    pub document: String,
    /// 1-based segment number (0 if unknown).
    pub segment: usize,
    /// First and last line in the source file (0 if unknown).
    pub start_line: usize,
    /// See `start_line`.
    pub end_line: usize,
    /// Character offsets in the document's text, end exclusive.
    pub start_char: usize,
    /// See `start_char`.
    pub end_char: usize,
    /// The speaker, empty when there is none.
    pub speaker: String,
    /// The passage.
    pub text: String,
    /// Times of the passage as written (subtitles), empty when unknown.
    pub start_time: String,
    /// See `start_time`.
    pub end_time: String,
    /// Byte ranges in `text` of the words that matched any of its codes,
    /// sorted and disjoint.
    pub spans: Vec<(usize, usize)>,
    /// The words that matched, as written, distinct, in text order.
    pub matched: Vec<String>,
    /// The codes (tree indices) applied to it, with the coder who applied
    /// each, in tree order.
    pub codes: Vec<(usize, String)>,
    /// The text of up to `context` segments before the passage, in document
    /// order (the nearest last); empty for codings read from a coded CSV.
    pub before: Vec<String>,
    /// The text of up to `context` segments after it (the nearest first).
    pub after: Vec<String>,
}

impl Passage {
    /// A passage located and worded as `coding` says, without codes yet.
    fn of(coding: &Coding) -> Passage {
        Passage {
            document: coding.document.clone(),
            segment: coding.segment,
            start_line: coding.start_line,
            end_line: coding.end_line,
            start_char: coding.start_char,
            end_char: coding.end_char,
            speaker: coding.speaker.clone(),
            text: coding.text.clone(),
            start_time: coding.start_time.clone(),
            end_time: coding.end_time.clone(),
            spans: Vec::new(),
            matched: Vec::new(),
            codes: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Whether the passage is coded with `heading` or one of its sub-codes.
    fn listed_under(&self, tree: &CodeTree, heading: usize) -> bool {
        self.codes.iter().any(|&(code, _)| tree.within(code, heading))
    }

    /// Adds a coding's code, coder and matched spans.
    fn add(&mut self, code: usize, coding: &Coding) {
        if !self.codes.iter().any(|(c, who)| *c == code && *who == coding.coder) {
            self.codes.push((code, coding.coder.clone()));
        }
        self.spans.extend(coding.spans.iter().copied());
    }

    /// Puts codes in tree order and merges the spans into sorted, disjoint
    /// ranges, from which the matched words are read again.
    fn settle(&mut self) {
        self.codes.sort();
        self.spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(self.spans.len());
        for &(s, e) in &self.spans {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        self.spans = merged;
        self.matched = distinct_matches(&self.text, &self.spans);
    }
}

/// Output formats of excerpts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExcerptFormat {
    /// Plain text; matched words highlighted in colour on a terminal.
    Text,
    /// Markdown: matched words in bold, passages as block quotes.
    Markdown,
    /// One CSV row per excerpt.
    Csv,
    /// An Excel workbook, one row per excerpt.
    Xlsx,
}

impl crate::choice::Choice for ExcerptFormat {
    const ALL: &'static [ExcerptFormat] = &[
        ExcerptFormat::Text,
        ExcerptFormat::Markdown,
        ExcerptFormat::Csv,
        ExcerptFormat::Xlsx,
    ];

    fn name(self) -> &'static str {
        match self {
            ExcerptFormat::Text => "text",
            ExcerptFormat::Markdown => "markdown",
            ExcerptFormat::Csv => "csv",
            ExcerptFormat::Xlsx => "xlsx",
        }
    }
}

impl ExcerptFormat {
    /// The report format it is written in: text as a table's report is.
    pub fn report_format(self) -> super::Format {
        match self {
            ExcerptFormat::Text => super::Format::Table,
            ExcerptFormat::Markdown => super::Format::Markdown,
            ExcerptFormat::Csv => super::Format::Csv,
            ExcerptFormat::Xlsx => super::Format::Xlsx,
        }
    }

    /// The format asked for, else the one the output file's extension
    /// names (`.txt`, `.md`, `.csv`, `.xlsx`), else text; an extension that
    /// names another format is an error.
    pub fn resolve(asked: Option<ExcerptFormat>, out: Option<&std::path::Path>) -> Result<ExcerptFormat> {
        let ext = out
            .and_then(|p| p.extension())
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let named = match ext.as_deref() {
            Some("txt") => Some(ExcerptFormat::Text),
            Some("md" | "markdown") => Some(ExcerptFormat::Markdown),
            Some("csv") => Some(ExcerptFormat::Csv),
            Some("xlsx") => Some(ExcerptFormat::Xlsx),
            _ => None,
        };
        match (asked, named) {
            (Some(a), Some(n)) if a != n => Err(super::mismatch(
                crate::choice::Choice::name(a),
                ext.as_deref().unwrap_or_default(),
            )),
            (Some(a), _) => Ok(a),
            (None, Some(n)) => Ok(n),
            (None, None) => Ok(ExcerptFormat::Text),
        }
    }
}

/// The excerpts of a report: the coded passages, listed under the heading
/// of every selected code they carry (or of every code, with no
/// selection), in code-tree order, then document order, then position.
#[derive(Debug, Clone)]
pub struct Excerpts {
    tree: CodeTree,
    /// The codes asked for (tree indices); empty: every code.
    selected: Vec<usize>,
    /// Neighbouring segments shown before and after each passage.
    context: usize,
    passages: Vec<Passage>,
    /// Documents in the order they were met.
    documents: IndexSet<String>,
}

impl Excerpts {
    /// Excerpts of the codes named in `codes` (and their sub-codes; every
    /// code when `codes` is empty), with `context` neighbouring segments.
    /// A name not in `tree` is an error that suggests the closest, through
    /// the codebook when there is one.
    /// `context` is at most [`limits::CONTEXT`]: every excerpt carries it.
    pub fn new(tree: CodeTree, codes: &[String], codebook: Option<&Codebook>, context: usize) -> Result<Excerpts> {
        limits::CONTEXT
            .check(context as u64, || {
                format!("--context {context} asks for {context} segments of context")
            })
            .map_err(|e| e.kind(ErrorKind::Usage))?;
        let selected = codes
            .iter()
            .map(|name| {
                let name = name.trim();
                tree.find(name)
                    .ok_or_else(|| match codebook.map(|cb| cb.require(name)) {
                        Some(Err(e)) => e,
                        _ => unknown_code(&tree, name),
                    })
            })
            .collect::<Result<_>>()?;
        Ok(Excerpts {
            tree,
            selected,
            context,
            passages: Vec::new(),
            documents: IndexSet::new(),
        })
    }

    /// The headings shown: the selected codes, or every code.
    fn headings(&self) -> Vec<usize> {
        if self.selected.is_empty() {
            (0..self.tree.codes.len()).collect()
        } else {
            self.selected.clone()
        }
    }

    /// Whether a passage with these codes belongs in the report at all.
    fn wanted(&self, passage: &Passage) -> bool {
        self.headings().into_iter().any(|h| passage.listed_under(&self.tree, h))
    }

    /// Adds the passages of a document coded in this run, with their
    /// neighbouring segments as context; `codings` are its codings, in the
    /// order of its applied codes (by segment, then code).
    pub fn add_coded(&mut self, coded: &CodedDocument, codings: Vec<Coding>) {
        self.documents.insert(coded.doc.id.clone());
        let mut at = 0;
        while at < codings.len() {
            let segment = coded.applied[at].segment;
            let mut passage = Passage::of(&codings[at]);
            while at < codings.len() && coded.applied[at].segment == segment {
                passage.add(coded.applied[at].code, &codings[at]);
                at += 1;
            }
            passage.settle();
            if !self.wanted(&passage) {
                continue;
            }
            let segment_text = |i: usize| coded.text_of(&coded.segments[i]).to_string();
            passage.before = (segment.saturating_sub(self.context)..segment)
                .map(segment_text)
                .collect();
            passage.after = (segment + 1..(segment + 1 + self.context).min(coded.segments.len()))
                .map(segment_text)
                .collect();
            self.passages.push(passage);
        }
    }

    /// Adds codings read back from coded CSVs (no context: the CSV holds
    /// only the coded passages), each passage once with every code and
    /// coder on it. Every coding's code must be in the tree
    /// ([`CodeTree::for_codings`]).
    pub fn add_codings(&mut self, codings: &[Coding]) {
        let mut row_in_document: HashMap<&str, usize> = HashMap::new();
        let mut passage_of: HashMap<(&str, PassageKey), usize> = HashMap::new();
        let mut passages: Vec<Passage> = Vec::new();
        for c in codings {
            self.documents.insert(c.document.clone());
            let row = row_in_document.entry(&c.document).or_insert(0);
            let key = (c.document.as_str(), c.passage_key(*row));
            *row += 1;
            let code = self.tree.find(&c.code).expect("the coding's code is in the tree");
            let i = *passage_of.entry(key).or_insert_with(|| {
                passages.push(Passage::of(c));
                passages.len() - 1
            });
            passages[i].add(code, c);
        }
        for mut p in passages {
            p.settle();
            if self.wanted(&p) {
                self.passages.push(p);
            }
        }
    }

    /// Puts the passages in document order (the order documents were met),
    /// then position.
    pub fn sort(&mut self) {
        let documents = &self.documents;
        let order = |d: &str| documents.get_index_of(d).unwrap_or(usize::MAX);
        self.passages.sort_by(|a, b| {
            (order(&a.document), a.start_char, a.segment, a.end_char).cmp(&(
                order(&b.document),
                b.start_char,
                b.segment,
                b.end_char,
            ))
        });
    }

    /// Each heading shown (a tree index) with its passages, in order;
    /// headings without passages are left out.
    pub fn sections(&self) -> Vec<(usize, Vec<&Passage>)> {
        self.headings()
            .into_iter()
            .map(|h| {
                let listed: Vec<&Passage> = self.passages.iter().filter(|p| p.listed_under(&self.tree, h)).collect();
                (h, listed)
            })
            .filter(|(_, listed)| !listed.is_empty())
            .collect()
    }

    /// The code tree the excerpts are organised by.
    pub fn tree(&self) -> &CodeTree {
        &self.tree
    }

    /// The code names of a passage's codes, with their coders when a person
    /// coded them: `prices, debt (ana)`.
    pub fn codes_of(&self, p: &Passage) -> Vec<String> {
        p.codes
            .iter()
            .map(|(code, coder)| {
                let name = &self.tree.codes[*code].name;
                if coder == AUTO_CODER {
                    name.clone()
                } else {
                    format!("{name} ({coder})")
                }
            })
            .collect()
    }

    /// Plain text, in colour on a terminal; without colour, context lines
    /// are marked `[context]`.
    fn render_text(&self, colour: bool) -> String {
        let (open, close, dim, undim, bold, unbold) = if colour {
            ("\x1b[1;31m", "\x1b[0m", "\x1b[2m", "\x1b[0m", "\x1b[1m", "\x1b[0m")
        } else {
            ("", "", "", "", "", "")
        };
        let context_mark = if colour { "" } else { "[context] " };
        let sections = self.sections();
        let mut out = String::new();
        if sections.is_empty() {
            out.push_str("\nNo coded passages.\n");
        }
        for (heading, listed) in sections {
            let _ = write!(
                out,
                "\n{bold}== {} =={unbold}\n",
                heading_line(&self.tree, heading, listed.len())
            );
            for p in listed {
                let mut meta = location(p);
                let codes = self.codes_of(p);
                if codes.len() > 1 || p.codes.iter().any(|(c, who)| *c != heading || who != AUTO_CODER) {
                    let _ = write!(meta, " · codes: {}", codes.join(", "));
                }
                if !p.matched.is_empty() {
                    let _ = write!(meta, " · matched: {}", p.matched.join(", "));
                }
                let _ = writeln!(out, "\n{bold}{meta}{unbold}");
                for b in &p.before {
                    indent(&mut out, b, &format!("{dim}{context_mark}"), undim);
                }
                indent(&mut out, &mark(&p.text, &p.spans, open, close), "", "");
                for a in &p.after {
                    indent(&mut out, a, &format!("{dim}{context_mark}"), undim);
                }
            }
        }
        out
    }

    /// Markdown, matched words in `**bold**`, passages as block quotes,
    /// context in italics marked *(context)*.
    fn render_markdown(&self) -> String {
        let sections = self.sections();
        let mut out = String::new();
        if sections.is_empty() {
            out.push_str("\nNo coded passages.\n");
        }
        for (heading, listed) in sections {
            let _ = write!(out, "\n## {}\n", heading_line(&self.tree, heading, listed.len()));
            for p in listed {
                let mut meta = format!("**{}**", md_escape(&p.document));
                if p.start_line > 0 {
                    let _ = write!(meta, ", {}", lines_phrase(p.start_line, p.end_line));
                }
                if let Some(t) = timestamp(p) {
                    let _ = write!(meta, ", {}", md_escape(&t));
                }
                if !p.speaker.is_empty() {
                    let _ = write!(meta, ", {}", md_escape(&p.speaker));
                }
                let codes = self.codes_of(p);
                if codes.len() > 1 || p.codes.iter().any(|(c, who)| *c != heading || who != AUTO_CODER) {
                    let quoted: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
                    let _ = write!(meta, " — codes: {}", quoted.join(", "));
                }
                let _ = writeln!(out, "\n{meta}\n");
                for b in &p.before {
                    quote(&mut out, &md_context(b));
                }
                quote(&mut out, &md_mark(&p.text, &p.spans));
                for a in &p.after {
                    quote(&mut out, &md_context(a));
                }
            }
        }
        out
    }

    /// One row per passage and heading.
    fn table(&self) -> Table {
        let mut t = super::Table::new(
            [
                "heading",
                "codes",
                "document",
                "segment",
                "start_line",
                "end_line",
                "speaker",
                "matched",
                "context_before",
                "text",
                "context_after",
            ]
            .iter()
            .map(|h| (h.to_string(), super::Align::Left))
            .collect(),
        );
        for (heading, listed) in self.sections() {
            for p in listed {
                t.push(vec![
                    self.tree.codes[heading].name.clone(),
                    self.codes_of(p).join("; "),
                    p.document.clone(),
                    p.segment.to_string(),
                    p.start_line.to_string(),
                    p.end_line.to_string(),
                    p.speaker.clone(),
                    crate::coding::join_matched(&p.matched),
                    p.before.join("\n\n"),
                    p.text.clone(),
                    p.after.join("\n\n"),
                ]);
            }
        }
        t
    }
}

/// The error for a code that is not among the coded files' codes.
fn unknown_code(tree: &CodeTree, name: &str) -> Error {
    let names: Vec<&str> = tree.codes.iter().map(|c| c.name.as_str()).collect();
    let e = Error::usage(format!("there is no code `{name}` in the coded files"));
    match crate::text::closest(name, names.iter().copied()) {
        Some(best) => e.hint(format!("did you mean `{best}`?")),
        None => e.hint(format!("the codes are: {}", names.join(", "))),
    }
}

impl Report for Excerpts {
    fn details(&self, style: Style) -> String {
        if style.markdown {
            self.render_markdown()
        } else {
            self.render_text(style.colour)
        }
    }

    fn records(&self) -> Records {
        Records::text(&self.table())
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("about", provenance)
            .value("excerpts", self.records())
            .value("warnings", warnings)
    }

    fn sheets(&self) -> Vec<Sheet> {
        let colours = self
            .sections()
            .into_iter()
            .flat_map(|(heading, listed)| std::iter::repeat_n(self.tree.codes[heading].colour.clone(), listed.len()))
            .collect();
        vec![Sheet {
            colours,
            ..Sheet::new("excerpts", self.records())
        }]
    }
}

fn mark(text: &str, spans: &[(usize, usize)], open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut at = 0;
    for &(s, e) in spans {
        if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(open);
        out.push_str(&text[s..e]);
        out.push_str(close);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

fn location(p: &Passage) -> String {
    let mut loc = p.document.clone();
    if p.start_line > 0 {
        let _ = write!(loc, " · {}", lines_phrase(p.start_line, p.end_line));
    }
    if let Some(t) = timestamp(p) {
        let _ = write!(loc, " · {t}");
    }
    if !p.speaker.is_empty() {
        let _ = write!(loc, " · {}", p.speaker);
    }
    loc
}

/// `[00:12:31]` or `[00:12:31–00:12:40]`, when the passage has times.
fn timestamp(p: &Passage) -> Option<String> {
    match (p.start_time.as_str(), p.end_time.as_str()) {
        ("", _) => None,
        (s, "") => Some(format!("[{s}]")),
        (s, e) => Some(format!("[{s}–{e}]")),
    }
}

/// `prices — Prices and payment (58 passages)`.
fn heading_line(tree: &CodeTree, i: usize, n: usize) -> String {
    let c = &tree.codes[i];
    let label = if c.label != c.name {
        format!(" — {}", c.label)
    } else {
        String::new()
    };
    format!("{}{label} ({})", c.name, super::counted(n, "passage"))
}

fn indent(out: &mut String, text: &str, pre: &str, post: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "    {pre}{line}{post}");
    }
}

/// Escapes Markdown's emphasis and other inline markers in passage text.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A context passage: marked *(context)*, in italics line by line
/// (emphasis cannot span lines).
fn md_context(text: &str) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("*{}*", md_escape(l.trim()))
            }
        })
        .collect();
    format!("*(context)* {}", lines.join("\n"))
}

fn md_mark(text: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &(s, e) in spans {
        if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        out.push_str(&md_escape(&text[at..s]));
        let inner = md_escape(&text[s..e]);
        // Bold cannot span a line break in Markdown: bold each line.
        let parts: Vec<String> = inner.split('\n').map(|p| format!("**{p}**")).collect();
        out.push_str(&parts.join("\n"));
        at = e;
    }
    out.push_str(&md_escape(&text[at..]));
    out
}

fn quote(out: &mut String, text: &str) {
    for line in text.split('\n') {
        if line.trim().is_empty() {
            out.push_str(">\n");
        } else {
            let _ = writeln!(out, "> {line}");
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_spans() {
        assert_eq!(mark("el coyote cobró", &[(3, 9)], "[", "]"), "el [coyote] cobró");
        assert_eq!(md_mark("pay the\nsmuggler", &[(0, 16)]), "**pay the**\n**smuggler**");
        assert_eq!(md_mark("a *b* c", &[]), "a \\*b\\* c");
    }

    fn coding(segment: usize, code: &str, coder: &str, spans: Vec<(usize, usize)>) -> Coding {
        Coding {
            document: "d.txt".into(),
            segment,
            unit: "paragraph".into(),
            start_line: segment,
            end_line: segment,
            start_char: 10 * segment,
            end_char: 10 * segment + 9,
            speaker: String::new(),
            code: code.into(),
            code_path: String::new(),
            coder: coder.into(),
            hits: 1,
            matched: Vec::new(),
            text: "coyote debt".into(),
            start_time: String::new(),
            end_time: String::new(),
            spans,
            extracted: Vec::new(),
            attributes: Default::default(),
        }
    }

    #[test]
    fn a_passage_is_listed_once_under_each_code_it_carries_or_its_ancestors() {
        let mut tree = CodeTree::default();
        for c in ["prices", "prices/amounts", "debt"] {
            tree.resolve(c);
        }
        let mut ex = Excerpts::new(tree, &[], None, 0).unwrap();
        ex.add_codings(&[
            coding(1, "prices", "qcode", vec![(0, 6)]),
            coding(1, "amounts", "qcode", vec![(0, 6)]),
            coding(1, "debt", "qcode", vec![(7, 11)]),
            coding(2, "amounts", "qcode", vec![]),
        ]);
        ex.sort();
        let counts: Vec<(String, usize)> = ex
            .sections()
            .into_iter()
            .map(|(h, l)| (ex.tree.codes[h].name.clone(), l.len()))
            .collect();
        assert_eq!(
            counts,
            [("prices".into(), 2), ("amounts".into(), 2), ("debt".into(), 1)]
        );
        let first = &ex.sections()[0].1[0];
        assert_eq!(ex.codes_of(first), ["prices", "amounts", "debt"]);
        assert_eq!(first.matched, ["coyote", "debt"]);
    }

    #[test]
    fn context_is_marked_without_colour() {
        let mut tree = CodeTree::default();
        tree.resolve("prices");
        let mut ex = Excerpts::new(tree, &[], None, 0).unwrap();
        let mut p = Passage::of(&coding(2, "prices", "qcode", vec![]));
        p.codes.push((0, "qcode".into()));
        p.before.push("the question".into());
        ex.passages.push(p);
        assert!(ex.render_text(false).contains("    [context] the question\n"));
        assert!(ex.render_text(true).contains("    \x1b[2mthe question\x1b[0m\n"));
        assert!(ex.render_markdown().contains("> *(context)* *the question*"));
    }
}
