//! Deciding, for a whole document, which candidates are labels, and
//! cutting the document into passages with their speakers and times.
//!
//! Three passes over the lines: read each line (`lines::classify`, or the
//! user's pattern), weigh the evidence of the whole document, then walk
//! the lines once more to build the passages. The evidence:
//!
//! * a timestamp alone on its line, or opening a line without a name, is
//!   one when the document has at least two of them (a lone `10:30` line is
//!   text);
//! * a name that recurs is a label, wherever it stands; a name with
//!   lower-case words (`Madre de familia`) recurs at least once at the start
//!   of a paragraph;
//! * a name seen once is a label when it is written in capitals or with
//!   particles only (`Juan Carlos de los Santos`, not `He told me`), in a
//!   shape the document's recurring labels use, where a turn starts: at a
//!   paragraph's start, or after a labelled line or a timestamp line (a name
//!   and a time alone on a line may stand anywhere);
//! * a name alone on its line without any mark (`MARÍA ELENA`) is a label
//!   only when it recurs and another name alone recurs too; a capitalised
//!   line seen once (`SEGUNDA SESIÓN`) is a heading;
//! * a document whose names never recur (a two-turn exchange) has labels
//!   when two or more names open at least half of its paragraphs.

use std::collections::HashMap;
use std::sync::Arc;

use super::lines::{Candidate, LineKind, NameKind, classify, closing_mark};
use super::{Attribution, Label, Passage, Preset, Shape, SpeakerRule};
use crate::text::line_ranges;

/// The most words of a one-line paragraph read as a heading.
const MAX_HEADING_WORDS: usize = 8;

/// One line of the document, as read and then decided.
struct Line {
    /// Byte range in the text, without the `\n`.
    start: usize,
    end: usize,
    /// The first line of its block.
    first: bool,
    /// The last line of its block.
    last: bool,
    what: What,
}

/// What a line is, once decided.
#[derive(Clone, Copy)]
enum What {
    /// A line of the metadata header.
    Header,
    /// A line of a block the format marks as a heading.
    StyledHeading,
    /// A Markdown heading line.
    Heading,
    /// A rule or a heading's underline.
    Rule(u8),
    /// A timestamp alone; `true` once it counts as one.
    Time(u64, bool),
    Text {
        candidate: Option<Candidate>,
        marker: Option<(u64, usize)>,
        /// The candidate is a label.
        label: bool,
        /// The marker counts.
        timed: bool,
    },
}

impl Line {
    /// The candidate of a line not yet decided to be a label.
    fn candidate(&self) -> Option<&Candidate> {
        match &self.what {
            What::Text { candidate, .. } => candidate.as_ref(),
            _ => None,
        }
    }

    fn is_label(&self) -> bool {
        matches!(self.what, What::Text { label: true, .. })
    }

    /// A line after which a turn may start: a label, a timestamp.
    fn opens_turns(&self) -> bool {
        matches!(
            self.what,
            What::Text { label: true, .. } | What::Text { timed: true, .. } | What::Time(_, true)
        )
    }
}

pub(super) fn attribute(
    text: &str,
    header: Option<(usize, usize)>,
    headings: &[usize],
    rule: &SpeakerRule,
) -> Attribution {
    let mut lines = read(text, header, headings, rule);
    let set_aside = decide(text, &mut lines, rule);
    let mut out = build(text, &lines);
    out.set_aside = set_aside;
    out
}

/// Reads every non-blank line on its own (blank lines only separate
/// blocks: a line's `first` and `last` say where its block starts and
/// ends).
fn read(text: &str, header: Option<(usize, usize)>, headings: &[usize], rule: &SpeakerRule) -> Vec<Line> {
    let mut locs = match rule {
        SpeakerRule::Pattern(p) => Some(p.locations()),
        SpeakerRule::Preset(_) => None,
    };
    let mut out: Vec<Line> = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    let mut block = None;
    let mut in_block = false;
    let mut styled = headings.iter().peekable();
    for (start, end) in line_ranges(text) {
        let line = &text[start..end];
        let kind = classify(line);
        if kind == LineKind::Blank {
            in_block = false;
            continue;
        }
        let first = !in_block;
        in_block = true;
        if first {
            block = Some(block.map_or(0, |b| b + 1));
            if let Some(prev) = out.last_mut() {
                prev.last = true;
            }
        }
        let block = block.unwrap_or(0);
        while styled.next_if(|&&b| b < block).is_some() {}
        let what = if header.is_some_and(|(s, e)| start >= s && end <= e) {
            What::Header
        } else if styled.peek() == Some(&&block) {
            What::StyledHeading
        } else {
            match kind {
                LineKind::Blank => continue,
                LineKind::Heading => What::Heading,
                LineKind::Rule(c) => What::Rule(c),
                LineKind::Time(t) => What::Time(t, false),
                LineKind::Text { candidate, marker } => {
                    let candidate = match (rule, &mut locs) {
                        (SpeakerRule::Pattern(p), Some(locs)) => p.label(line, locs),
                        _ => candidate,
                    };
                    What::Text {
                        candidate,
                        marker,
                        label: false,
                        timed: false,
                    }
                }
            }
        };
        out.push(Line {
            start,
            end,
            first,
            last: false,
            what,
        });
    }
    if let Some(prev) = out.last_mut() {
        prev.last = true;
    }
    out
}

/// Per name: how often it is a candidate, how often alone without marks,
/// and whether it opens a paragraph once.
#[derive(Default)]
struct Seen {
    all: u32,
    alone: u32,
    at_start: bool,
}

/// Decides which candidates are labels and which times count; returns the
/// names set aside.
fn decide(text: &str, lines: &mut [Line], rule: &SpeakerRule) -> Vec<(usize, usize)> {
    // Timestamps alone on their lines.
    let times = lines.iter().filter(|l| matches!(l.what, What::Time(..))).count();
    if times >= 2 {
        for l in lines.iter_mut() {
            if let What::Time(t, _) = l.what {
                l.what = What::Time(t, true);
            }
        }
    }
    let name_of = |l: &Line, c: &Candidate| &text[l.start + c.name.0..l.start + c.name.1];
    match rule {
        SpeakerRule::Pattern(_) => accept_all(lines, |_, _| true),
        SpeakerRule::Preset(Preset::None) => {}
        SpeakerRule::Preset(Preset::Colon) => accept_all(lines, |_, c| c.shape != Shape::NameAlone),
        SpeakerRule::Preset(Preset::Caps) => accept_all(lines, |l, c| {
            !name_of(l, c).chars().any(char::is_lowercase) && (l.first || c.shape != Shape::NameAlone)
        }),
        SpeakerRule::Preset(Preset::Initials) => {
            accept_all(lines, |l, c| c.shape != Shape::NameAlone && is_code(name_of(l, c)))
        }
        SpeakerRule::Preset(Preset::Auto) => weigh(text, lines),
    }
    // Time markers opening lines without a label.
    let markers = lines
        .iter()
        .filter(|l| {
            matches!(
                l.what,
                What::Text {
                    marker: Some(_),
                    label: false,
                    ..
                }
            )
        })
        .count();
    if markers >= 2 {
        for l in lines.iter_mut() {
            if let What::Text {
                marker: Some(_),
                label: false,
                timed,
                ..
            } = &mut l.what
            {
                *timed = true;
            }
        }
    }
    if matches!(rule, SpeakerRule::Preset(Preset::Auto)) {
        weigh_singles(text, lines);
    }
    // A capitalised line alone is no more a label than a heading is: only
    // marked shapes are worth showing.
    lines
        .iter()
        .filter(|l| !l.is_label())
        .filter_map(|l| {
            l.candidate()
                .filter(|c| c.shape != Shape::NameAlone)
                .map(|c| (l.start + c.name.0, l.start + c.name.1))
        })
        .collect()
}

/// A code standing for a speaker: one to three capitals and up to three
/// digits (`Q`, `E`, `ENT`, `P03`, `R12`).
fn is_code(name: &str) -> bool {
    let letters = name.chars().take_while(|c| c.is_uppercase()).count();
    let digits = name.chars().skip(letters).take_while(char::is_ascii_digit).count();
    (1..=3).contains(&letters) && digits <= 3 && letters + digits == name.chars().count()
}

/// Takes every candidate `keep` accepts.
fn accept_all(lines: &mut [Line], keep: impl Fn(&Line, &Candidate) -> bool) {
    for line in lines.iter_mut() {
        let ok = line.candidate().is_some_and(|c| keep(line, c));
        if ok && let What::Text { label, .. } = &mut line.what {
            *label = true;
        }
    }
}

/// The automatic rule's first pass: names that recur.
fn weigh(text: &str, lines: &mut [Line]) {
    let mut seen: Names<Seen> = Names::default();
    // the name of each line's candidate, as an index into `seen`
    let mut which: Vec<usize> = vec![usize::MAX; lines.len()];
    for (i, l) in lines.iter().enumerate() {
        if let Some(c) = l.candidate() {
            let k = seen.index(&text[l.start + c.name.0..l.start + c.name.1], Seen::default);
            let s = &mut seen.list[k].1;
            s.all += 1;
            s.alone += u32::from(c.shape == Shape::NameAlone);
            s.at_start |= l.first;
            which[i] = k;
        }
    }
    let recurring_alone = seen.list.iter().filter(|(_, s)| s.alone >= 2).count();
    for (l, &k) in lines.iter_mut().zip(&which) {
        let Some(c) = l.candidate() else { continue };
        let s = &seen.list[k].1;
        let ok = if c.shape == Shape::NameAlone {
            s.alone >= 2 && recurring_alone >= 2 && l.first
        } else {
            s.all >= 2 && (c.kind == NameKind::Strict || s.at_start)
        };
        if ok && let What::Text { label, .. } = &mut l.what {
            *label = true;
        }
    }
}

/// A document's names, each with a value, in the order met: looked up in
/// the list while there are few (a transcript has a handful of speakers),
/// in a hash map once there are many (a glossary of `Term: definition`
/// lines).
struct Names<'t, V> {
    list: Vec<(&'t str, V)>,
    map: Option<HashMap<&'t str, usize>>,
}

impl<V> Default for Names<'_, V> {
    fn default() -> Self {
        Names {
            list: Vec::new(),
            map: None,
        }
    }
}

impl<'t, V> Names<'t, V> {
    /// More names than this are looked up in a hash map.
    const FEW: usize = 32;

    /// The index of `name`, added with the value `new` gives if it is new.
    fn index(&mut self, name: &'t str, new: impl FnOnce() -> V) -> usize {
        let known = match &self.map {
            Some(map) => map.get(name).copied(),
            None => self.list.iter().position(|(n, _)| *n == name),
        };
        if let Some(k) = known {
            return k;
        }
        self.list.push((name, new()));
        let k = self.list.len() - 1;
        match &mut self.map {
            Some(map) => {
                map.insert(name, k);
            }
            None if self.list.len() > Self::FEW => {
                self.map = Some(self.list.iter().enumerate().map(|(i, (n, _))| (*n, i)).collect());
            }
            None => {}
        }
        k
    }
}

/// The automatic rule's second pass: names seen once, in the shape of the
/// recurring ones and where a turn starts; else, in a document without
/// recurring names, names that open half of its paragraphs.
fn weigh_singles(text: &str, lines: &mut [Line]) {
    let mut in_use: Vec<Shape> = Vec::new();
    for l in lines.iter().filter(|l| l.is_label()) {
        let shape = l.candidate().expect("a label has a candidate").shape;
        if !in_use.contains(&shape) {
            in_use.push(shape);
        }
    }
    if in_use.is_empty() {
        fallback(text, lines);
        return;
    }
    for i in 0..lines.len() {
        let Some(c) = lines[i].candidate() else { continue };
        if lines[i].is_label()
            || c.kind != NameKind::Strict
            || c.shape == Shape::NameAlone
            || !in_use.contains(&c.shape)
        {
            continue;
        }
        let placed = lines[i].first || c.shape == Shape::TimedHeader || (i > 0 && lines[i - 1].opens_turns());
        if placed && let What::Text { label, .. } = &mut lines[i].what {
            *label = true;
        }
    }
}

/// Names that never recur: labels when two or more open at least half of
/// the document's paragraphs (`Interviewer: …` / `P03: …`).
fn fallback(text: &str, lines: &mut [Line]) {
    let paragraphs = lines
        .iter()
        .filter(|l| l.first && matches!(l.what, What::Text { .. } | What::Time(..)))
        .count();
    let opening = |l: &Line| {
        l.first
            && l.candidate().is_some_and(|c| {
                c.kind == NameKind::Strict
                    && matches!(
                        c.shape,
                        Shape::Colon | Shape::Bold | Shape::BoldTimed | Shape::Tag | Shape::TimedHeader
                    )
            })
    };
    let mut names: Vec<&str> = Vec::new();
    let mut count = 0;
    for l in lines.iter().filter(|l| opening(l)) {
        let c = l.candidate().expect("an opening line has a candidate");
        let name = &text[l.start + c.name.0..l.start + c.name.1];
        if !names.contains(&name) {
            names.push(name);
        }
        count += 1;
    }
    if names.len() >= 2 && 2 * count >= paragraphs {
        accept_all(lines, |l, _| opening(l));
    }
}

/// The passage being built.
struct Open {
    start: usize,
    end: usize,
    speaker: Option<Arc<str>>,
    time: Option<u64>,
    label: Option<usize>,
    /// Its first and last line.
    first_line: usize,
    last_line: usize,
    /// A closing f4 mark on its last line: the next passage's time.
    closing_time: Option<u64>,
}

/// Where the walk is.
#[derive(Default)]
struct Walk<'t> {
    out: Attribution,
    names: Names<'t, Arc<str>>,
    open: Option<Open>,
    /// The speaker a passage without a label of its own continues.
    speaker: Option<Arc<str>>,
    /// The speaker covers only the passage being built (a timed header's).
    one_passage: bool,
    /// A time written for the next passage (a timestamp line, an f4 mark).
    pending_time: Option<u64>,
    /// A label standing alone, for the next passage, and whether it names
    /// that passage only (it has a time).
    pending_label: Option<(usize, bool)>,
    /// The labels name one speaker only: unlabelled passages get none.
    single_speaker: bool,
}

impl<'t> Walk<'t> {
    /// The speaker of `name`, shared by all its labels.
    fn name(&mut self, name: &'t str) -> Arc<str> {
        let k = self.names.index(name, || name.into());
        self.names.list[k].1.clone()
    }

    fn mask(&mut self, start: usize, end: usize) {
        if start < end {
            self.out.masked.push((start, end));
        }
    }

    fn inherited(&self) -> Option<Arc<str>> {
        if self.single_speaker {
            None
        } else {
            self.speaker.clone()
        }
    }

    /// Ends the current passage (a heading when `lines` says so).
    fn close(&mut self, text: &str, lines: &[Line]) {
        let Some(open) = self.open.take() else { return };
        let heading = open.label.is_none() && is_plain_heading(text, lines, &open);
        let mut speaker = open.speaker;
        if heading {
            speaker = None;
            self.speaker = None;
        }
        self.out.passages.push(Passage {
            start: open.start,
            end: open.end,
            speaker,
            time: open.time,
            label: open.label,
        });
        if self.pending_time.is_none() {
            self.pending_time = open.closing_time;
        }
        if self.one_passage {
            self.speaker = None;
            self.one_passage = false;
        }
    }

    /// Starts a passage on line `i` at byte `start`.
    fn open(&mut self, i: usize, start: usize, end: usize, time: Option<u64>) {
        let (speaker, label) = match self.pending_label.take() {
            Some((k, one_passage)) => {
                let l = &self.out.labels[k];
                self.speaker = Some(l.speaker.clone());
                self.one_passage = one_passage;
                (Some(l.speaker.clone()), Some(k))
            }
            None => (self.inherited(), None),
        };
        let label_time = label.and_then(|k| self.out.labels[k].time);
        self.open = Some(Open {
            start,
            end,
            speaker,
            time: label_time.or(time).or(self.pending_time.take()),
            label,
            first_line: i,
            last_line: i,
            closing_time: None,
        });
    }

    /// A speaker is no longer talking: a heading, a rule, the header.
    fn interrupt(&mut self) {
        self.speaker = None;
        self.one_passage = false;
        self.pending_label = None;
    }
}

/// Builds the passages, labels and masks from the decided lines.
fn build<'t>(text: &'t str, lines: &[Line]) -> Attribution {
    let mut w: Walk<'t> = Walk::default();
    let mut distinct: Vec<&str> = Vec::new();
    for l in lines.iter().filter(|l| l.is_label()) {
        let c = l.candidate().expect("a label has a candidate");
        let name = &text[l.start + c.name.0..l.start + c.name.1];
        if !distinct.contains(&name) {
            distinct.push(name);
            if distinct.len() > 1 {
                break;
            }
        }
    }
    w.single_speaker = distinct.len() == 1;
    let trimmed = |l: &Line| {
        let s = &text[l.start..l.end];
        let lead = s.len() - s.trim_start().len();
        (l.start + lead, l.start + s.trim_end().len())
    };
    for (i, l) in lines.iter().enumerate() {
        let (start, end) = trimmed(l);
        match l.what {
            What::Header => {
                w.close(text, lines);
                w.mask(start, end);
                w.interrupt();
            }
            What::StyledHeading if !l.first => text_line(&mut w, i, start, end),
            What::StyledHeading | What::Heading => {
                w.close(text, lines);
                w.interrupt();
                w.open = Some(Open {
                    start,
                    end,
                    speaker: None,
                    time: None,
                    label: None,
                    first_line: i,
                    last_line: i,
                    closing_time: None,
                });
                if matches!(l.what, What::Heading) {
                    w.close(text, lines);
                }
            }
            What::Rule(c) => {
                let underlines = matches!(c, b'=' | b'-') && !l.first && w.open.is_some();
                if underlines {
                    // A setext heading: the lines above and this one.
                    if let Some(open) = &mut w.open {
                        open.end = end;
                        open.last_line = i;
                        open.speaker = None;
                        open.label = None;
                    }
                    w.close(text, lines);
                } else {
                    w.close(text, lines);
                    w.mask(start, end);
                }
                w.interrupt();
            }
            What::Time(t, counts) => {
                if counts {
                    w.close(text, lines);
                    w.mask(start, end);
                    w.pending_time = Some(t);
                } else {
                    text_line(&mut w, i, start, end);
                }
            }
            What::Text {
                candidate,
                marker,
                label,
                timed,
            } => {
                if let (true, Some(c)) = (label, candidate) {
                    w.close(text, lines);
                    let name = &text[l.start + c.name.0..l.start + c.name.1];
                    let speaker = w.name(name);
                    let (ls, le) = (l.start + c.start, if c.alone { end } else { l.start + c.end });
                    w.out.labels.push(Label {
                        start: ls,
                        end: le,
                        speaker: speaker.clone(),
                        time: c.time,
                        shape: c.shape,
                    });
                    w.mask(ls, le);
                    let k = w.out.labels.len() - 1;
                    w.pending_label = Some((k, c.alone && c.time.is_some()));
                    if !c.alone {
                        w.open(i, ls, end, None);
                    }
                } else if let (true, Some((t, after))) = (timed, marker) {
                    w.close(text, lines);
                    w.mask(start, l.start + after);
                    w.open(i, start, end, Some(t));
                } else {
                    text_line(&mut w, i, start, end);
                }
                if let Some(open) = &mut w.open
                    && open.last_line == i
                    && let Some((t, at)) = closing_mark(&text[l.start..l.end])
                {
                    open.closing_time = Some(t);
                    w.out.masked.push((l.start + at, end));
                }
            }
        }
        if l.last {
            w.close(text, lines);
        }
    }
    w.close(text, lines);
    w.out
}

/// A line of text: the passage being built goes on, or one starts.
fn text_line(w: &mut Walk, i: usize, start: usize, end: usize) {
    match &mut w.open {
        Some(open) => {
            open.end = end;
            open.last_line = i;
        }
        None => w.open(i, start, end, None),
    }
}

/// Whether a passage without a label is a heading written as plain text:
/// a paragraph of one line, of at most eight words, that starts with a
/// capital or a digit and does not end as a sentence or a clause does
/// (`Experiência do Entrevistado:`, `SEGUNDA SESIÓN`, `Field notes,
/// Tapachula, 14 October 2021`).
fn is_plain_heading(text: &str, lines: &[Line], open: &Open) -> bool {
    let line = &lines[open.first_line];
    if open.first_line != open.last_line || !line.first || !line.last {
        return false;
    }
    let mut s = text[open.start..open.end].trim_end();
    if let Some((_, at)) = closing_mark(s) {
        s = s[..at].trim_end();
    }
    s.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
        && !s.ends_with(['.', '?', '!', ',', ';', '…'])
        && s.split_whitespace().take(MAX_HEADING_WORDS + 1).count() <= MAX_HEADING_WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (speaker, time, first words) of every passage.
    fn passages(text: &str) -> Vec<(Option<String>, Option<u64>, String)> {
        let a = attribute(text, None, &[], &SpeakerRule::default());
        a.passages
            .iter()
            .map(|p| {
                let body = &text[p.start..p.end];
                let body = match p.label {
                    Some(k) if a.labels[k].start == p.start => &text[a.labels[k].end..p.end],
                    _ => body,
                };
                (
                    p.speaker.as_deref().map(str::to_string),
                    p.time,
                    body.chars().take(12).collect(),
                )
            })
            .collect()
    }

    fn speakers(text: &str) -> Vec<Option<String>> {
        passages(text).into_iter().map(|p| p.0).collect()
    }

    #[test]
    fn recurring_names_are_labels_and_paragraphs_continue_them() {
        let text = "Interviewer: How did you come?\n\nP03: We crossed.\n\nIt took days.\n\nInterviewer: And?\nP03: We waited.\n";
        assert_eq!(
            speakers(text),
            [
                Some("Interviewer"),
                Some("P03"),
                Some("P03"),
                Some("Interviewer"),
                Some("P03")
            ]
            .map(|s| s.map(String::from))
        );
    }

    #[test]
    fn a_name_seen_once_in_prose_is_not_a_label() {
        let text = "Went to the park.\nCOMAR. A driver said: “pay”. Later\nTapachula: nothing.\n\nTecún Umán: the rafts were full.\n";
        assert!(speakers(text).iter().all(Option::is_none));
        let a = attribute(text, None, &[], &SpeakerRule::default());
        let set_aside: Vec<&str> = a.set_aside.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(set_aside, ["Tapachula", "Tecún Umán"]);
    }

    #[test]
    fn a_single_labelled_speaker_continues_nobody() {
        let text = "T: ¿Cuándo salió?\n\nEn marzo.\n\nT: ¿Con quién?\n\nSola.\n";
        assert_eq!(
            speakers(text),
            [Some("T".to_string()), None, Some("T".to_string()), None]
        );
    }

    #[test]
    fn two_names_that_never_recur_open_an_exchange() {
        assert_eq!(
            speakers("Interviewer: How?\n\nP03: By bus.\n"),
            [Some("Interviewer".to_string()), Some("P03".to_string())]
        );
    }

    #[test]
    fn timed_headers_name_one_passage() {
        let text = "Emma  0:03\nHello there.\n\nLuis  0:05\nHi.\n\nTranscribed by https://otter.ai\n";
        assert_eq!(
            passages(text),
            [
                (Some("Emma".into()), Some(3_000), "Hello there.".into()),
                (Some("Luis".into()), Some(5_000), "Hi.".into()),
                (None, None, "Transcribed ".into()),
            ]
        );
    }

    #[test]
    fn timestamps_alone_time_the_next_passage() {
        let text = "**A:** ¿Qué pasó?\n\n[04:12]\n\n**B:** Nos bajaron.\n\nNo tenía.\n\n[05:03]\n\nAhí estuve.\n\n**A:** ¿Y?\n";
        let got: Vec<(Option<String>, Option<u64>)> = passages(text).into_iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(
            got,
            [
                (Some("A".into()), None),
                (Some("B".into()), Some(252_000)),
                (Some("B".into()), None),
                (Some("B".into()), Some(303_000)),
                (Some("A".into()), None),
            ]
        );
    }

    #[test]
    fn headings_end_turns() {
        let text = "# Title\n\nE: ¿Sí?\n\nM: Sí.\n\n## Notas:\n\nLa tienda.\n\nE: ¿Y?\n\nM: No.\n";
        assert_eq!(
            speakers(text),
            [None, Some("E"), Some("M"), None, None, Some("E"), Some("M")].map(|s| s.map(String::from))
        );
    }

    #[test]
    fn the_header_is_masked_and_not_a_passage() {
        let text = "Fecha: hoy\nLugar: aquí\n\nE: ¿Sí?\n\nM: Sí.\n\nE: ¿Y?\n\nM: No.\n";
        let header = text.find("\n\n").unwrap();
        let a = attribute(text, Some((0, header)), &[], &SpeakerRule::default());
        assert_eq!(a.passages.len(), 4);
        assert_eq!(a.masked[..2], [(0, 10), (11, header)]);
    }

    #[test]
    fn presets_and_patterns_need_no_evidence() {
        let text = "Llegamos temprano.\n\nDon Beto: Aquí nadie cobra.\n\nNota: llovía.\n\nVolvimos a las seis.\n\nHacía calor.\n";
        let with = |rule: SpeakerRule| -> Vec<Option<String>> {
            attribute(text, None, &[], &rule)
                .passages
                .iter()
                .map(|p| p.speaker.as_deref().map(String::from))
                .collect()
        };
        let named = |who: [Option<&str>; 5]| who.map(|s| s.map(String::from)).to_vec();
        assert_eq!(with(SpeakerRule::default()), named([None; 5]));
        assert_eq!(
            with(SpeakerRule::Preset(Preset::Colon)),
            named([None, Some("Don Beto"), Some("Nota"), Some("Nota"), Some("Nota")])
        );
        assert_eq!(with(SpeakerRule::Preset(Preset::Initials)), named([None; 5]));
        assert_eq!(
            with(SpeakerRule::new(Some("(Nota):"), None).unwrap()),
            named([None, None, Some("Nota"), None, None])
        );
    }
}
