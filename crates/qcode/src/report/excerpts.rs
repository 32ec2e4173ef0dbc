//! Coded excerpts: the passages behind each code, grouped by code then
//! document, with the matched words highlighted — what goes into a paper's
//! quotations and what a reviewer reads to judge a code.

use std::fmt::Write as _;

use indexmap::IndexSet;

use super::{CodeTree, JsonObject, Provenance, Records, Report, Style, Table, lines_phrase};
use crate::codebook::Codebook;
use crate::coding::Coding;
use crate::error::{Error, ErrorKind, Result};
use crate::limits;
use crate::pipeline::CodedDocument;

/// One excerpt: a coding, the code it is listed under, and context.
#[derive(Debug, Clone)]
pub struct Excerpt {
    /// The code (tree index) it is listed under.
    pub heading: usize,
    /// The coded passage.
    pub coding: Coding,
    /// The text of up to `context` segments (see [`Excerpts::new`]) before
    /// the passage, in document order (the nearest last); empty for a coding read from a
    /// coded CSV.
    pub before: Vec<String>,
    /// The text of up to `context` segments after it, in document order
    /// (the nearest first); empty for a coding read from a coded CSV.
    pub after: Vec<String>,
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
}

impl crate::choice::Choice for ExcerptFormat {
    const ALL: &'static [ExcerptFormat] = &[ExcerptFormat::Text, ExcerptFormat::Markdown, ExcerptFormat::Csv];

    fn name(self) -> &'static str {
        match self {
            ExcerptFormat::Text => "text",
            ExcerptFormat::Markdown => "markdown",
            ExcerptFormat::Csv => "csv",
        }
    }
}

/// The excerpts of a report: the passages coded with the selected codes
/// (or with any code), each under the heading of the code it is listed
/// under, in code-tree order, then document order, then position.
#[derive(Debug, Clone)]
pub struct Excerpts {
    tree: CodeTree,
    /// The codes asked for (tree indices); empty: every code.
    selected: Vec<usize>,
    /// Neighbouring segments shown before and after each passage.
    context: usize,
    list: Vec<Excerpt>,
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
            list: Vec::new(),
            documents: IndexSet::new(),
        })
    }

    /// The heading a coding of `code` is listed under: the first selected
    /// code that is it or one of its ancestors; with no selection, the code
    /// itself.
    fn heading(&self, code: usize) -> Option<usize> {
        if self.selected.is_empty() {
            return Some(code);
        }
        self.selected.iter().copied().find(|&s| self.tree.within(code, s))
    }

    /// Adds the passages of a document coded in this run, with their
    /// neighbouring segments as context; `codings` are its codings, in the
    /// order of its applied codes.
    pub fn add_coded(&mut self, coded: &CodedDocument, codings: Vec<Coding>) {
        self.documents.insert(coded.doc.id.clone());
        for (a, coding) in coded.applied.iter().zip(codings) {
            let Some(heading) = self.heading(a.code) else {
                continue;
            };
            let segment_text = |i: usize| coded.text_of(&coded.segments[i]).to_string();
            let before = (a.segment.saturating_sub(self.context)..a.segment)
                .map(segment_text)
                .collect();
            let after = (a.segment + 1..(a.segment + 1 + self.context).min(coded.segments.len()))
                .map(segment_text)
                .collect();
            self.list.push(Excerpt {
                heading,
                coding,
                before,
                after,
            });
        }
    }

    /// Adds a coding read back from a coded CSV (no context: the CSV holds
    /// only the coded passages). Its code must be in the tree.
    pub fn add_coding(&mut self, coding: Coding) {
        self.documents.insert(coding.document.clone());
        let code = self.tree.find(&coding.code).expect("the coding's code is in the tree");
        if let Some(heading) = self.heading(code) {
            self.list.push(Excerpt {
                heading,
                coding,
                before: Vec::new(),
                after: Vec::new(),
            });
        }
    }

    /// Puts the excerpts in their order: heading (code-tree order), then
    /// document (the order they were met), then position.
    pub fn sort(&mut self) {
        let documents = &self.documents;
        let order = |d: &str| documents.get_index_of(d).unwrap_or(usize::MAX);
        self.list.sort_by(|a, b| {
            (
                a.heading,
                order(&a.coding.document),
                a.coding.start_char,
                a.coding.segment,
                &a.coding.code,
                &a.coding.coder,
            )
                .cmp(&(
                    b.heading,
                    order(&b.coding.document),
                    b.coding.start_char,
                    b.coding.segment,
                    &b.coding.code,
                    &b.coding.coder,
                ))
        });
    }

    /// The excerpts, in their order once sorted.
    pub fn list(&self) -> &[Excerpt] {
        &self.list
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
            render_markdown(&self.tree, &self.list)
        } else {
            render_text(&self.tree, &self.list, style.colour)
        }
    }

    fn records(&self) -> Records {
        Records::text(&csv_table(&self.tree, &self.list))
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("about", provenance)
            .value("excerpts", self.records())
            .value("warnings", warnings)
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

fn location(c: &Coding) -> String {
    let mut loc = c.document.clone();
    if c.start_line > 0 {
        let _ = write!(loc, " · {}", lines_phrase(c.start_line, c.end_line));
    }
    if let Some(t) = timestamp(c) {
        let _ = write!(loc, " · {t}");
    }
    if !c.speaker.is_empty() {
        let _ = write!(loc, " · {}", c.speaker);
    }
    loc
}

/// `[00:12:31]` or `[00:12:31–00:12:40]`, when the passage has times.
fn timestamp(c: &Coding) -> Option<String> {
    match (c.start_time.as_str(), c.end_time.as_str()) {
        ("", _) => None,
        (s, "") => Some(format!("[{s}]")),
        (s, e) => Some(format!("[{s}–{e}]")),
    }
}

fn heading_line(tree: &CodeTree, i: usize, n: usize) -> String {
    let c = &tree.codes[i];
    let label = if c.label != c.name {
        format!(" — {}", c.label)
    } else {
        String::new()
    };
    format!("{}{} ({} excerpt{})", c.name, label, n, if n == 1 { "" } else { "s" })
}

/// Starts an output, then pairs each excerpt with the heading line to
/// print before it, when its code starts.
fn start<'a>(
    tree: &'a CodeTree,
    excerpts: &'a [Excerpt],
) -> (String, impl Iterator<Item = (Option<String>, &'a Excerpt)> + 'a) {
    let mut out = String::new();
    if excerpts.is_empty() {
        out.push_str("\nNo coded passages.\n");
    }
    let headed = excerpts.iter().enumerate().map(move |(i, e)| {
        let new = i == 0 || excerpts[i - 1].heading != e.heading;
        let count = || excerpts.iter().filter(|x| x.heading == e.heading).count();
        (new.then(|| heading_line(tree, e.heading, count())), e)
    });
    (out, headed)
}

/// Plain text, in colour on a terminal.
fn render_text(tree: &CodeTree, excerpts: &[Excerpt], colour: bool) -> String {
    let (open, close, dim, undim, bold, unbold) = if colour {
        ("\x1b[1;31m", "\x1b[0m", "\x1b[2m", "\x1b[0m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "", "", "", "")
    };
    let (mut out, headed) = start(tree, excerpts);
    for (heading, e) in headed {
        if let Some(h) = heading {
            let _ = write!(out, "\n{bold}== {h} =={unbold}\n");
        }
        let c = &e.coding;
        let mut meta = location(c);
        if c.code != tree.codes[e.heading].name {
            let _ = write!(meta, " · [{}]", c.code);
        }
        if c.coder != crate::coding::AUTO_CODER {
            let _ = write!(meta, " · coder {}", c.coder);
        }
        if !c.matched.is_empty() {
            let _ = write!(meta, " · matched: {}", c.matched.join(", "));
        }
        let _ = writeln!(out, "\n{bold}{meta}{unbold}");
        for b in &e.before {
            indent(&mut out, b, dim, undim);
        }
        indent(&mut out, &mark(&c.text, &c.spans, open, close), "", "");
        for a in &e.after {
            indent(&mut out, a, dim, undim);
        }
    }
    out
}

fn indent(out: &mut String, text: &str, pre: &str, post: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "    {pre}{line}{post}");
    }
}

/// Markdown, matched words in `**bold**`, passages as block quotes.
fn render_markdown(tree: &CodeTree, excerpts: &[Excerpt]) -> String {
    let (mut out, headed) = start(tree, excerpts);
    for (heading, e) in headed {
        if let Some(h) = heading {
            let _ = write!(out, "\n## {h}\n");
        }
        let c = &e.coding;
        let mut meta = format!("**{}**", md_escape(&c.document));
        if c.start_line > 0 {
            let _ = write!(meta, ", {}", lines_phrase(c.start_line, c.end_line));
        }
        if let Some(t) = timestamp(c) {
            let _ = write!(meta, ", {}", md_escape(&t));
        }
        if !c.speaker.is_empty() {
            let _ = write!(meta, ", {}", md_escape(&c.speaker));
        }
        if c.code != tree.codes[e.heading].name {
            let _ = write!(meta, " (`{}`)", c.code);
        }
        if c.coder != crate::coding::AUTO_CODER {
            let _ = write!(meta, ", coder {}", md_escape(&c.coder));
        }
        let _ = writeln!(out, "\n{meta}\n");
        for b in &e.before {
            quote(&mut out, &md_italic(b));
        }
        let body = md_mark(&c.text, &c.spans);
        quote(&mut out, &body);
        for a in &e.after {
            quote(&mut out, &md_italic(a));
        }
    }
    out
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

/// Context passages in italics, line by line (emphasis cannot span lines).
fn md_italic(text: &str) -> String {
    text.split('\n')
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("*{}*", md_escape(l.trim()))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
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

/// CSV: one row per excerpt.
fn csv_table(tree: &CodeTree, excerpts: &[Excerpt]) -> Table {
    let mut t = super::Table::new(
        [
            "heading",
            "code",
            "coder",
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
    for e in excerpts {
        let c = &e.coding;
        t.push(vec![
            tree.codes[e.heading].name.clone(),
            c.code.clone(),
            c.coder.clone(),
            c.document.clone(),
            c.segment.to_string(),
            c.start_line.to_string(),
            c.end_line.to_string(),
            c.speaker.clone(),
            crate::coding::join_matched(&c.matched),
            e.before.join("\n\n"),
            c.text.clone(),
            e.after.join("\n\n"),
        ]);
    }
    t
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
}
