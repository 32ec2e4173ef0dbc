//! Segmentation: cutting a document's text into the units that get coded.
//!
//! A coded row stands for one *segment*: the whole document, a paragraph, a
//! speaker's turn, a sentence or a line (see [`Unit`]). This module cuts a
//! document's text into segments ([`segment`]), attributes each to the
//! speaker of the labels found by [`crate::speakers`], and times them from
//! subtitle cues ([`apply_cues`]).
//!
//! Design decisions, and why:
//!
//! * **Offsets refer to the normalised text.** Readers hand over text that is
//!   already NFC with `\n` line endings and no BOM (see [`crate::text`]), so
//!   the same transcript gives the same offsets on every machine. Each
//!   segment carries byte offsets (for slicing inside qcode), character
//!   offsets (what REFI-QDA and other QDA programs count) and 1-based line
//!   numbers *of the source file*: the caller says on which file line the text
//!   begins, because front matter may have been cut off before segmentation.
//! * **Segments are trimmed.** Leading and trailing whitespace (spaces, tabs,
//!   newlines, any Unicode white space) is never part of a segment, so an
//!   excerpt never starts with a blank line and its offsets point at words.
//!   Blank units produce no segment at all; indexes stay dense (1, 2, 3…).
//! * **Labels belong to the segment text but are masked for matching.** A
//!   turn reads `P03: we crossed at night…` in an excerpt, as a researcher
//!   expects, but the matcher skips each label's range.
//! * **Every segment knows its speaker**, whatever the unit: the speaker of
//!   the last label starting at or before the segment's start. A second
//!   paragraph of a long answer, or a sentence in the middle of it, is still
//!   attributed to the participant who was talking.
//! * **Turns without labels fall back to paragraphs.** Field notes and memos
//!   have no speakers; asking for turns there still gives sensible units.
//! * **Sentences never cross a paragraph break or a label.** Boundaries follow
//!   Unicode UAX #29 (which knows `¿…?` and `¡…!`), computed per paragraph;
//!   a single line break inside a paragraph counts as a space, so
//!   hard-wrapped prose is not cut at every line end. UAX #29 knows nothing
//!   of abbreviations: `Sra. López vino` gives two sentences (a break inside
//!   a speaker label is suppressed, though).
//! * **Speed.** Cutting is linear in the text and allocates per segment,
//!   never per character: it runs on every document of corpora of a
//!   gigabyte.

use std::borrow::Cow;
use std::sync::Arc;

use unicode_segmentation::UnicodeSegmentation;

use crate::choice::{self, Choice};
use crate::corpus::{Cue, Document};
use crate::speakers::{Label, SpeakerRule, find_labels};
use crate::text::{CharCounter, count_bytes, line_ranges};

/// The unit of analysis: what one coded row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// The whole text.
    Document,
    /// A run of non-blank lines between blank lines.
    Paragraph,
    /// From one speaker label to the next; paragraphs when the text has
    /// no label.
    Turn,
    /// A Unicode (UAX #29) sentence within a paragraph.
    Sentence,
    /// One non-blank line.
    Line,
}

impl Unit {
    /// The unit's name as written in codebooks, on the command line and in
    /// the coded CSV's `unit` column (lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Document => "document",
            Unit::Paragraph => "paragraph",
            Unit::Turn => "turn",
            Unit::Sentence => "sentence",
            Unit::Line => "line",
        }
    }
}

impl Choice for Unit {
    const ALL: &'static [Unit] = &[Unit::Document, Unit::Paragraph, Unit::Turn, Unit::Sentence, Unit::Line];

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl std::str::FromStr for Unit {
    type Err = crate::Error;

    /// A unit by its name, whatever its case: from the command line, a
    /// codebook's `unit` or a coded CSV's `unit` column.
    fn from_str(s: &str) -> Result<Unit, crate::Error> {
        choice::parse(s).ok_or_else(|| {
            crate::Error::new(format!("unknown unit `{}`", s.trim()))
                .hint(format!("write one of: {}", choice::names::<Unit>()))
        })
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One unit of text of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// 1-based position among the document's segments.
    pub index: usize,
    /// Byte offset into the (normalised) document text where the segment
    /// starts.
    pub start: usize,
    /// Byte offset where it ends, exclusive.
    pub end: usize,
    /// Character (Unicode scalar value) offset into the document text where
    /// the segment starts, 0-based.
    pub start_char: usize,
    /// Character offset where it ends, exclusive.
    pub end_char: usize,
    /// 1-based line on which the segment starts: a line of the file for
    /// `.txt`/`.md`, of the document text for other formats (see
    /// [`Document::first_line`]).
    pub start_line: usize,
    /// 1-based line on which it ends, counted the same way (inclusive: the
    /// line of its last character).
    pub end_line: usize,
    /// The speaker of the last label starting at or before the segment;
    /// `None` when there is none. A document's segments of one speaker
    /// usually share one `Arc`.
    pub speaker: Option<Arc<str>>,
    /// When the segment starts, as written in the source: the start of the
    /// first subtitle cue it overlaps, else the time of its speaker label;
    /// `None` when neither gives one.
    pub start_time: Option<String>,
    /// When it ends, as written: the end of the last subtitle cue it
    /// overlaps; `None` when it overlaps no cue.
    pub end_time: Option<String>,
}

/// The byte ranges of the paragraphs of `text`: runs of non-blank lines
/// (a blank line is empty or only white space). Ranges are not trimmed.
fn paragraph_ranges(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut lines = line_ranges(text);
    std::iter::from_fn(move || {
        let (start, mut end) = lines.by_ref().find(|&(s, e)| !is_blank(&text[s..e]))?;
        for (s, e) in lines.by_ref() {
            if is_blank(&text[s..e]) {
                break;
            }
            end = e;
        }
        Some((start, end))
    })
}

fn is_blank(s: &str) -> bool {
    s.trim_start().is_empty()
}

/// Converts increasing byte offsets into numbers of `\n` before them.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    newlines: usize,
}

impl LineCounter<'_> {
    fn newlines_before(&mut self, at: usize) -> usize {
        if at < self.pos {
            self.pos = 0;
            self.newlines = 0;
        }
        self.newlines += count_bytes(&self.bytes[self.pos..at], |b| b == b'\n');
        self.pos = at;
        self.newlines
    }
}

/// Accumulates trimmed segments, in text order.
struct Builder<'a> {
    text: &'a str,
    chars: CharCounter<'a>,
    lines: LineCounter<'a>,
    first_line: usize,
    /// Valid labels, by start.
    labels: Vec<&'a Label>,
    /// How many labels start at or before the last segment's start.
    governing: usize,
    out: Vec<Segment>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, labels: &'a [Label], first_line: usize) -> Self {
        let mut labels: Vec<&Label> = labels
            .iter()
            .filter(|l| l.start <= l.end && l.end <= text.len() && text.is_char_boundary(l.start))
            .collect();
        labels.sort_by_key(|l| l.start);
        Builder {
            text,
            chars: CharCounter::new(text),
            lines: LineCounter {
                bytes: text.as_bytes(),
                pos: 0,
                newlines: 0,
            },
            first_line,
            labels,
            governing: 0,
            out: Vec::new(),
        }
    }

    /// Adds `start..end`, trimmed, unless it is blank. Calls come in text order.
    fn push(&mut self, start: usize, end: usize) {
        let slice = &self.text[start..end];
        let trimmed = slice.trim_start();
        let start = end - trimmed.len();
        let end = start + trimmed.trim_end().len();
        if start == end {
            return;
        }
        while self.labels.get(self.governing).is_some_and(|l| l.start <= start) {
            self.governing += 1;
        }
        let label = self.governing.checked_sub(1).map(|i| self.labels[i]);
        let start_char = self.chars.char_at(start);
        let end_char = self.chars.char_at(end);
        let start_line = self.first_line + self.lines.newlines_before(start);
        let end_line = self.first_line + self.lines.newlines_before(end);
        self.out.push(Segment {
            index: self.out.len() + 1,
            start,
            end,
            start_char,
            end_char,
            start_line,
            end_line,
            speaker: label.map(|l| l.speaker.clone()),
            start_time: label.and_then(|l| l.time.clone()),
            end_time: None,
        });
    }

    /// Label starts strictly inside `start..end`.
    fn label_starts_within(&self, start: usize, end: usize) -> impl Iterator<Item = usize> + '_ {
        let first = self.labels.partition_point(|l| l.start <= start);
        self.labels[first..]
            .iter()
            .map(|l| l.start)
            .take_while(move |&s| s < end)
    }

    /// The end of the label starting exactly at `at`, if any.
    fn label_end_at(&self, at: usize) -> Option<usize> {
        let i = self.labels.partition_point(|l| l.start < at);
        self.labels[i..]
            .iter()
            .take_while(|l| l.start == at)
            .map(|l| l.end)
            .max()
    }
}

/// Cuts `text` into segments of the given unit.
///
/// `labels` are the speaker labels of `text` (from [`find_labels`]; pass `&[]`
/// for none) and `first_line` is the 1-based line of the source file on which
/// `text` begins (more than 1 when front matter was removed).
///
/// * `document`: the whole text;
/// * `paragraph`: runs of lines separated by one or more blank lines;
/// * `line`: each non-blank line;
/// * `turn`: each label starts a turn that runs to the next label (blank lines
///   inside included); text before the first label is a turn without speaker.
///   **Without any label, turns are paragraphs**;
/// * `sentence`: Unicode (UAX #29) sentences within each paragraph; a label
///   always starts a new sentence and a single line break counts as a space.
///
/// Segments are trimmed of white space and blank ones are dropped. A segment's
/// speaker and start time are those of the last label starting at or before
/// it; `end_time` is always `None` here.
pub fn segment(text: &str, unit: Unit, labels: &[Label], first_line: usize) -> Vec<Segment> {
    let mut b = Builder::new(text, labels, first_line);
    match unit {
        Unit::Document => b.push(0, text.len()),
        Unit::Line => line_ranges(text).for_each(|(s, e)| b.push(s, e)),
        Unit::Turn if !b.labels.is_empty() => {
            let starts: Vec<usize> = b.labels.iter().map(|l| l.start).collect();
            let mut prev = 0;
            for start in starts {
                b.push(prev, start);
                prev = start;
            }
            b.push(prev, text.len());
        }
        Unit::Paragraph | Unit::Turn => paragraph_ranges(text).for_each(|(s, e)| b.push(s, e)),
        Unit::Sentence => {
            // One buffer for all paragraphs: the paragraph with `\n` as spaces
            // (same byte length, so offsets carry over).
            let mut buf = String::new();
            for (p_start, p_end) in paragraph_ranges(text) {
                let cuts: Vec<usize> = b.label_starts_within(p_start, p_end).collect();
                let mut piece_start = p_start;
                for piece_end in cuts.into_iter().chain([p_end]) {
                    sentences(&mut b, &mut buf, piece_start, piece_end);
                    piece_start = piece_end;
                }
            }
        }
    }
    b.out
}

/// Pushes the sentences of `start..end`, a piece of a paragraph with no label
/// starting inside it; a sentence break inside a label at its start is ignored.
fn sentences(b: &mut Builder, buf: &mut String, start: usize, end: usize) {
    let protect = b.label_end_at(start).unwrap_or(start);
    buf.clear();
    for (k, part) in b.text[start..end].split('\n').enumerate() {
        if k > 0 {
            buf.push(' ');
        }
        buf.push_str(part);
    }
    let mut pending = start;
    for (i, sentence) in buf.split_sentence_bound_indices() {
        let sentence_end = start + i + sentence.len();
        if sentence_end <= protect {
            continue;
        }
        b.push(pending, sentence_end);
        pending = sentence_end;
    }
    if pending < end {
        b.push(pending, end);
    }
}

/// Gives each segment the start time of the first cue it overlaps and the
/// end time of the last one, replacing times taken from labels.
///
/// `cues` are in text order and do not overlap. A segment that overlaps no
/// cue keeps its times.
pub fn apply_cues(segments: &mut [Segment], cues: &[Cue]) {
    for seg in segments {
        let first = cues.partition_point(|c| c.end <= seg.start);
        let last = cues.partition_point(|c| c.start < seg.end);
        if first < last {
            seg.start_time = Some(cues[first].start_time.clone());
            seg.end_time = Some(cues[last - 1].end_time.clone());
        }
    }
}

/// A document's speaker labels and segments. Labels the format gave
/// (subtitles) win over the speaker rule, and subtitle cues give segments
/// their times.
pub fn segment_document<'d>(doc: &'d Document, unit: Unit, speakers: &SpeakerRule) -> (Cow<'d, [Label]>, Vec<Segment>) {
    let labels: Cow<[Label]> = match &doc.labels {
        Some(given) => Cow::Borrowed(given),
        None => Cow::Owned(find_labels(&doc.text, speakers)),
    };
    let mut segments = segment(&doc.text, unit, &labels, doc.first_line);
    apply_cues(&mut segments, &doc.cues);
    (labels, segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts<'t>(text: &'t str, unit: Unit, labels: &[Label]) -> Vec<&'t str> {
        segment(text, unit, labels, 1)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    fn speakers(segments: &[Segment]) -> Vec<Option<&str>> {
        segments.iter().map(|s| s.speaker.as_deref()).collect()
    }

    // ---- segmentation ---------------------------------------------------

    const INTERVIEW: &str = "\
Interviewer: How did you come here?

P03: We crossed at night. My brother was with us.

It took three days.
Interviewer: And then?
P03: Then we waited.
";

    #[test]
    fn turns_of_an_interview() {
        let labels = find_labels(INTERVIEW, &SpeakerRule::default());
        let segs = segment(INTERVIEW, Unit::Turn, &labels, 1);
        let t: Vec<&str> = segs.iter().map(|s| &INTERVIEW[s.start..s.end]).collect();
        assert_eq!(
            t,
            [
                "Interviewer: How did you come here?",
                "P03: We crossed at night. My brother was with us.\n\nIt took three days.",
                "Interviewer: And then?",
                "P03: Then we waited.",
            ]
        );
        assert_eq!(
            speakers(&segs),
            [Some("Interviewer"), Some("P03"), Some("Interviewer"), Some("P03")]
        );
        let idx: Vec<usize> = segs.iter().map(|s| s.index).collect();
        assert_eq!(idx, [1, 2, 3, 4]);
        let lines: Vec<(usize, usize)> = segs.iter().map(|s| (s.start_line, s.end_line)).collect();
        assert_eq!(lines, [(1, 1), (3, 5), (6, 6), (7, 7)]);
    }

    #[test]
    fn paragraphs_inherit_the_turn_speaker() {
        let labels = find_labels(INTERVIEW, &SpeakerRule::default());
        let segs = segment(INTERVIEW, Unit::Paragraph, &labels, 1);
        let t: Vec<&str> = segs.iter().map(|s| &INTERVIEW[s.start..s.end]).collect();
        assert_eq!(
            t,
            [
                "Interviewer: How did you come here?",
                "P03: We crossed at night. My brother was with us.",
                "It took three days.\nInterviewer: And then?\nP03: Then we waited.",
            ]
        );
        assert_eq!(speakers(&segs), [Some("Interviewer"), Some("P03"), Some("P03")]);
    }

    #[test]
    fn lines_and_document() {
        let labels = find_labels(INTERVIEW, &SpeakerRule::default());
        let segs = segment(INTERVIEW, Unit::Line, &labels, 1);
        assert_eq!(segs.len(), 5);
        assert_eq!(&INTERVIEW[segs[2].start..segs[2].end], "It took three days.");
        assert_eq!(segs[2].speaker.as_deref(), Some("P03"));
        assert_eq!((segs[2].start_line, segs[2].end_line), (5, 5));
        assert_eq!(segs[4].speaker.as_deref(), Some("P03"));

        let segs = segment(INTERVIEW, Unit::Document, &labels, 1);
        assert_eq!(segs.len(), 1);
        assert_eq!(&INTERVIEW[segs[0].start..segs[0].end], INTERVIEW.trim());
        assert_eq!(segs[0].speaker.as_deref(), Some("Interviewer"));
        assert_eq!((segs[0].start_line, segs[0].end_line), (1, 7));
    }

    #[test]
    fn sentences_never_cross_paragraphs_or_labels() {
        let labels = find_labels(INTERVIEW, &SpeakerRule::default());
        let segs = segment(INTERVIEW, Unit::Sentence, &labels, 1);
        let t: Vec<&str> = segs.iter().map(|s| &INTERVIEW[s.start..s.end]).collect();
        assert_eq!(
            t,
            [
                "Interviewer: How did you come here?",
                "P03: We crossed at night.",
                "My brother was with us.",
                "It took three days.",
                "Interviewer: And then?",
                "P03: Then we waited.",
            ]
        );
        assert_eq!(
            speakers(&segs),
            [
                Some("Interviewer"),
                Some("P03"),
                Some("P03"),
                Some("P03"),
                Some("Interviewer"),
                Some("P03")
            ]
        );
    }

    #[test]
    fn sentences_continue_over_a_single_line_break() {
        let text = "We walked to the\nborder. Nobody\nstopped us.\n\nNext day";
        assert_eq!(
            texts(text, Unit::Sentence, &[]),
            ["We walked to the\nborder.", "Nobody\nstopped us.", "Next day"]
        );
    }

    #[test]
    fn a_label_with_a_full_stop_is_not_cut_into_sentences() {
        let text = "Sra. López: Sí. Claro que sí.";
        let labels = find_labels(text, &SpeakerRule::default());
        assert_eq!(
            texts(text, Unit::Sentence, &labels),
            ["Sra. López: Sí.", "Claro que sí."]
        );
    }

    #[test]
    fn spanish_interview() {
        let text = "Entrevistadora: ¿Cuándo llegó usted? ¿Con quién?\n\
                    Padre Tomás: Llegué en el año 2001. ¡Qué año!\n\n\
                    Mi niña tenía ocho años.\n";
        let labels = find_labels(text, &SpeakerRule::default());
        assert_eq!(labels.len(), 2);
        let segs = segment(text, Unit::Sentence, &labels, 1);
        let t: Vec<&str> = segs.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(
            t,
            [
                "Entrevistadora: ¿Cuándo llegó usted?",
                "¿Con quién?",
                "Padre Tomás: Llegué en el año 2001.",
                "¡Qué año!",
                "Mi niña tenía ocho años.",
            ]
        );
        assert_eq!(segs[4].speaker.as_deref(), Some("Padre Tomás"));
        // "Entrevistadora: ¿Cuándo llegó usted? " is 37 characters, 40 bytes
        assert_eq!((segs[1].start_char, segs[1].start), (37, 40));
        assert_eq!(segs[1].end_char - segs[1].start_char, "¿Con quién?".chars().count());

        let turns = segment(text, Unit::Turn, &labels, 1);
        assert_eq!(turns.len(), 2);
        assert_eq!(
            &text[turns[1].start..turns[1].end],
            "Padre Tomás: Llegué en el año 2001. ¡Qué año!\n\nMi niña tenía ocho años."
        );
        assert_eq!((turns[1].start_line, turns[1].end_line), (2, 4));
    }

    #[test]
    fn timestamps_give_start_times() {
        let text = "[00:00:05] Interviewer: Hello.\n\n\
                    [00:00:09] P03: Hi. I am fine.\n\n\
                    Really fine.\n\
                    Interviewer: Good.";
        let labels = find_labels(text, &SpeakerRule::default());
        let segs = segment(text, Unit::Sentence, &labels, 1);
        let times: Vec<Option<&str>> = segs.iter().map(|s| s.start_time.as_deref()).collect();
        assert_eq!(
            times,
            [
                Some("00:00:05"),
                Some("00:00:09"),
                Some("00:00:09"),
                Some("00:00:09"),
                None
            ]
        );
        assert!(segs.iter().all(|s| s.end_time.is_none()));
        let turns = segment(text, Unit::Turn, &labels, 1);
        assert_eq!(turns[1].start_time.as_deref(), Some("00:00:09"));
        assert_eq!(turns[2].start_time, None);
    }

    #[test]
    fn field_notes_without_labels() {
        let text = "Arrived at the shelter at 10:30: crowded.\nHot day.\n\n\nTalked to staff.\n";
        let labels = find_labels(text, &SpeakerRule::default());
        assert!(labels.is_empty());
        let paragraphs = texts(text, Unit::Paragraph, &labels);
        assert_eq!(
            paragraphs,
            [
                "Arrived at the shelter at 10:30: crowded.\nHot day.",
                "Talked to staff."
            ]
        );
        // turns fall back to paragraphs
        let turns = segment(text, Unit::Turn, &labels, 1);
        assert_eq!(turns, segment(text, Unit::Paragraph, &labels, 1));
        assert!(turns.iter().all(|s| s.speaker.is_none() && s.start_time.is_none()));
    }

    #[test]
    fn text_before_the_first_label_is_a_turn_without_speaker() {
        let text = "Recorded in Quito.\n\nP03: Hello.";
        let labels = find_labels(text, &SpeakerRule::default());
        let segs = segment(text, Unit::Turn, &labels, 1);
        assert_eq!(speakers(&segs), [None, Some("P03")]);
        assert_eq!(&text[segs[0].start..segs[0].end], "Recorded in Quito.");
    }

    #[test]
    fn leading_blank_lines_and_front_matter_offsets() {
        let text = "\n  \n\t\nP03: first\n\n  second line  ";
        let labels = find_labels(text, &SpeakerRule::default());
        // the text began on line 5 of the file (front matter removed)
        let segs = segment(text, Unit::Paragraph, &labels, 5);
        assert_eq!(segs.len(), 2);
        assert_eq!(&text[segs[0].start..segs[0].end], "P03: first");
        assert_eq!((segs[0].start_line, segs[0].end_line), (8, 8));
        assert_eq!(&text[segs[1].start..segs[1].end], "second line");
        assert_eq!((segs[1].start_line, segs[1].end_line), (10, 10));
        assert_eq!(segs[1].start_char, segs[1].start);
        assert_eq!(segs[1].speaker.as_deref(), Some("P03"));
    }

    #[test]
    fn text_ending_without_newline() {
        let text = "P03: one\nP03: two";
        let labels = find_labels(text, &SpeakerRule::default());
        for unit in [Unit::Line, Unit::Turn, Unit::Sentence] {
            let segs = segment(text, unit, &labels, 1);
            assert_eq!(segs.last().unwrap().end, text.len(), "{unit:?}");
            assert_eq!(segs.last().unwrap().end_line, 2, "{unit:?}");
        }
    }

    #[test]
    fn blank_texts_have_no_segments() {
        for text in ["", "\n", "  \n\t\n  "] {
            for unit in [Unit::Document, Unit::Paragraph, Unit::Turn, Unit::Sentence, Unit::Line] {
                assert!(segment(text, unit, &[], 1).is_empty(), "{unit:?} {text:?}");
            }
        }
    }

    #[test]
    fn emoji_count_as_characters() {
        let text = "P03: 😀 fine 👩‍👩‍👧\n\nInterviewer: ok";
        let labels = find_labels(text, &SpeakerRule::default());
        let segs = segment(text, Unit::Paragraph, &labels, 1);
        // 👩‍👩‍👧 is five scalar values (three emoji joined by two ZWJ)
        assert_eq!(segs[0].end_char, "P03: 😀 fine ".chars().count() + 5);
        assert_eq!(segs[0].end_char, 17);
        assert_eq!(segs[1].start_char, 19);
        assert_eq!(segs[1].end_char, text.chars().count());
    }

    #[test]
    fn unsorted_and_invalid_labels_are_tolerated() {
        let text = "A: one\nB: two";
        let mut labels = find_labels(text, &SpeakerRule::default());
        labels.reverse();
        labels.push(Label {
            start: 100,
            end: 120,
            speaker: "X".into(),
            time: None,
        });
        let segs = segment(text, Unit::Turn, &labels, 1);
        assert_eq!(speakers(&segs), [Some("A"), Some("B")]);
    }

    #[test]
    fn line_ranges_are_the_lines() {
        for text in ["", "\n", "a", "a\n", "a\nb", "\n\nab\n\ncd", "año\n\tmás\n"] {
            let lines: Vec<&str> = line_ranges(text).map(|(s, e)| &text[s..e]).collect();
            assert_eq!(lines, text.split('\n').collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn unit_names() {
        assert_eq!(Unit::Sentence.as_str(), "sentence");
        assert_eq!(Unit::Turn.as_str(), "turn");
    }

    // ---- invariants -----------------------------------------------------

    fn token() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "word",
            "Word",
            "año",
            "pingüino",
            "Ñandú",
            "¿qué?",
            "¡sí!",
            "😀",
            "👩‍👩‍👧",
            ".",
            "Sr.",
            "?",
            "\n",
            "\n",
            "\n\n",
            "\n \n",
            " ",
            " ",
            "  ",
            "\t",
            "\u{a0}",
            "P03: ",
            "\nP03: ",
            "\nInterviewer:",
            "\n[00:12:31] R1: ",
            "\nSra. López: ",
            "\n00:01:02 Entrevistador:\n",
            "10:30",
            "é\u{301}",
        ])
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        prop::collection::vec(token(), 0..60).prop_map(|tokens| tokens.concat())
    }

    fn without_ws(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    proptest! {
        #[test]
        fn segments_are_well_formed(text in text_strategy(), first_line in 1usize..5) {
            let labels = find_labels(&text, &SpeakerRule::default());
            for w in labels.windows(2) {
                prop_assert!(w[0].end <= w[1].start);
            }
            for unit in [Unit::Document, Unit::Paragraph, Unit::Turn, Unit::Sentence, Unit::Line] {
                let segs = segment(&text, unit, &labels, first_line);
                let mut prev_end = 0;
                let mut joined = String::new();
                for (i, s) in segs.iter().enumerate() {
                    prop_assert_eq!(s.index, i + 1);
                    prop_assert!(s.start < s.end, "{:?} empty", unit);
                    prop_assert!(s.start >= prev_end, "{:?} overlap", unit);
                    prev_end = s.end;
                    prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
                    let body = &text[s.start..s.end];
                    prop_assert_eq!(body.trim(), body, "{:?} untrimmed", unit);
                    let by_chars: String =
                        text.chars().skip(s.start_char).take(s.end_char - s.start_char).collect();
                    prop_assert_eq!(by_chars.as_str(), body);
                    let nl = |at: usize| text.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
                    prop_assert_eq!(s.start_line, first_line + nl(s.start));
                    prop_assert_eq!(s.end_line, first_line + nl(s.end - 1));
                    let governing = labels.iter().rfind(|l| l.start <= s.start);
                    prop_assert_eq!(s.speaker.as_deref(), governing.map(|l| &*l.speaker));
                    prop_assert_eq!(s.start_time.as_ref(), governing.and_then(|l| l.time.as_ref()));
                    prop_assert!(s.end_time.is_none());
                    joined.push_str(body);
                }
                // every unit covers all of the text but its white space
                prop_assert_eq!(without_ws(&joined), without_ws(&text), "{:?}", unit);
                if unit == Unit::Document {
                    prop_assert!(segs.len() <= 1);
                }
            }
        }

        #[test]
        fn turns_start_at_labels(text in text_strategy()) {
            let labels = find_labels(&text, &SpeakerRule::default());
            let segs = segment(&text, Unit::Turn, &labels, 1);
            for l in &labels {
                prop_assert!(segs.iter().any(|s| s.start == l.start));
            }
            for l in &labels {
                let containing = segs.iter().find(|s| s.start <= l.start && l.start < s.end);
                prop_assert!(containing.is_some_and(|s| s.start == l.start));
            }
        }

        #[test]
        fn sentences_start_at_labels(text in text_strategy()) {
            let labels = find_labels(&text, &SpeakerRule::default());
            let segs = segment(&text, Unit::Sentence, &labels, 1);
            for l in &labels {
                prop_assert!(segs.iter().any(|s| s.start == l.start));
                // no sentence ends inside a label (its trailing spaces aside)
                let name_end = l.start + text[l.start..l.end].trim_end().len();
                prop_assert!(!segs.iter().any(|s| l.start < s.end && s.end < name_end));
            }
        }
    }
}
