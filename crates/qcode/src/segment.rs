//! Segmentation: cutting a document's text into the units that get coded.
//!
//! A coded row stands for one *segment*: the whole document, a paragraph, a
//! speaker's turn, a sentence or a line (see [`Unit`]). Every unit is cut
//! from the document's passages ([`crate::speakers`]: paragraphs, cut
//! further where a labelled line starts a turn), which carry who speaks
//! and when; subtitle cues give segments their times and file lines
//! ([`apply_cues`]).
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
//!   expects, but the matcher skips each label. What is not a passage (a
//!   label or a timestamp alone on its line, the metadata header) is in no
//!   segment but the whole document.
//! * **Every segment knows its speaker**, whatever the unit: the speaker of
//!   its passage. A turn is a speaker's consecutive passages; a passage
//!   nobody can be said to speak is a turn of its own, so text without
//!   speakers is cut into paragraphs. The whole document has a speaker only
//!   when one person speaks all of it.
//! * **Times are the ones written for a segment.** A segment starts at its
//!   passage's time when it starts the passage, and has none otherwise: the
//!   second paragraph of an answer did not start when the answer did.
//! * **Sentences never cross a passage.** Boundaries follow Unicode UAX #29
//!   (which knows `¿…?` and `¡…!`), computed per passage; a single line
//!   break inside a passage counts as a space, so hard-wrapped prose is not
//!   cut at every line end. UAX #29 knows nothing of abbreviations: `Sra.
//!   López vino` gives two sentences (a break inside a speaker label is
//!   suppressed, though).
//! * **Speed.** Cutting is linear in the text and allocates per segment,
//!   never per character: it runs on every document of corpora of a
//!   gigabyte.

use std::borrow::Cow;
use std::sync::Arc;

use unicode_segmentation::UnicodeSegmentation;

use crate::choice::{self, Choice};
use crate::corpus::{Cue, Document, SpeakerSource};
use crate::speakers::{Attribution, Passage, Preset, SpeakerRule, attribute};
use crate::text::{CharCounter, count_bytes, line_ranges};
use crate::time::format_time;

/// The unit of analysis: what one coded row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// The whole text.
    Document,
    /// A paragraph: a run of non-blank lines between blank lines, cut
    /// where a labelled line starts a turn.
    Paragraph,
    /// A speaker's consecutive paragraphs; paragraphs where nobody can be
    /// said to speak.
    Turn,
    /// A Unicode (UAX #29) sentence within a paragraph.
    Sentence,
    /// One non-blank line of a paragraph.
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
    /// `.txt`/`.md` and subtitles, of the document text for other formats
    /// (see [`Document::first_line`]).
    pub start_line: usize,
    /// 1-based line on which it ends, counted the same way (inclusive: the
    /// line of its last character).
    pub end_line: usize,
    /// Who speaks it; `None` when nobody can be said to. A document's
    /// segments of one speaker usually share one `Arc`.
    pub speaker: Option<Arc<str>>,
    /// When the segment starts, `HH:MM:SS.mmm`: the start of the first
    /// subtitle cue it overlaps, else the time written for its passage when
    /// it starts one; `None` when neither gives one.
    pub start_time: Option<String>,
    /// When it ends, `HH:MM:SS.mmm`: the end of the last subtitle cue it
    /// overlaps; `None` when it overlaps no cue.
    pub end_time: Option<String>,
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
    out: Vec<Segment>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, first_line: usize) -> Self {
        Builder {
            text,
            chars: CharCounter::new(text),
            lines: LineCounter {
                bytes: text.as_bytes(),
                pos: 0,
                newlines: 0,
            },
            first_line,
            out: Vec::new(),
        }
    }

    /// Adds `start..end`, trimmed, unless it is blank. Calls come in text order.
    fn push(&mut self, start: usize, end: usize, speaker: Option<&Arc<str>>, time: Option<u64>) {
        let slice = &self.text[start..end];
        let trimmed = slice.trim_start();
        let start = end - trimmed.len();
        let end = start + trimmed.trim_end().len();
        if start == end {
            return;
        }
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
            speaker: speaker.cloned(),
            start_time: time.map(format_time),
            end_time: None,
        });
    }
}

/// Cuts `text` into segments of the given unit.
///
/// `attribution` is the text read for speakers ([`attribute`]) and
/// `first_line` the 1-based line of the source file on which `text` begins
/// (more than 1 when front matter was removed).
///
/// * `document`: the whole text, with a speaker when all its passages have
///   the same one;
/// * `paragraph`: each passage;
/// * `turn`: a speaker's consecutive passages, from the first one's start
///   to the last one's end; a passage without speaker alone;
/// * `sentence`: Unicode (UAX #29) sentences within each passage (a single
///   line break counts as a space);
/// * `line`: each non-blank line of each passage.
///
/// Segments are trimmed of white space and blank ones are dropped. Every
/// segment has its passage's speaker; one that starts a passage has its
/// time, the others none. `end_time` is always `None` here.
pub fn segment(text: &str, unit: Unit, attribution: &Attribution, first_line: usize) -> Vec<Segment> {
    let mut b = Builder::new(text, first_line);
    let passages = &attribution.passages;
    match unit {
        Unit::Document => {
            let speaker = passages.first().and_then(|p| p.speaker.as_ref());
            let shared = speaker.filter(|s| passages.iter().all(|p| p.speaker.as_ref() == Some(*s)));
            b.push(0, text.len(), shared, passages.first().and_then(|p| p.time));
        }
        Unit::Paragraph => {
            for p in passages {
                b.push(p.start, p.end, p.speaker.as_ref(), p.time);
            }
        }
        Unit::Turn => {
            for turn in passages.chunk_by(|a, b| a.speaker.is_some() && a.speaker == b.speaker) {
                let (first, last) = (&turn[0], &turn[turn.len() - 1]);
                b.push(first.start, last.end, first.speaker.as_ref(), first.time);
            }
        }
        Unit::Line => {
            for p in passages {
                let mut time = p.time;
                for (s, e) in line_ranges(&text[p.start..p.end]) {
                    let before = b.out.len();
                    b.push(p.start + s, p.start + e, p.speaker.as_ref(), time);
                    if b.out.len() > before {
                        time = None;
                    }
                }
            }
        }
        Unit::Sentence => {
            // One buffer for all passages: the passage with `\n` as spaces
            // (same byte length, so offsets carry over).
            let mut buf = String::new();
            for p in passages {
                let protect = own_label_end(attribution, p).unwrap_or(p.start);
                sentences(&mut b, &mut buf, p, protect);
            }
        }
    }
    b.out
}

/// The end of the label written at the start of passage `p`, if any.
fn own_label_end(attribution: &Attribution, p: &Passage) -> Option<usize> {
    let label = &attribution.labels[p.label?];
    (label.start == p.start).then_some(label.end)
}

/// Pushes the sentences of passage `p`; a sentence break before `protect`
/// (inside its label) is ignored.
fn sentences(b: &mut Builder, buf: &mut String, p: &Passage, protect: usize) {
    let (start, end) = (p.start, p.end);
    buf.clear();
    for (k, part) in b.text[start..end].split('\n').enumerate() {
        if k > 0 {
            buf.push(' ');
        }
        buf.push_str(part);
    }
    let mut pending = start;
    let mut time = p.time;
    for (i, sentence) in buf.split_sentence_bound_indices() {
        let sentence_end = start + i + sentence.len();
        if sentence_end <= protect {
            continue;
        }
        b.push(pending, sentence_end, p.speaker.as_ref(), time.take());
        pending = sentence_end;
    }
    if pending < end {
        b.push(pending, end, p.speaker.as_ref(), time.take());
    }
}

/// Gives each segment the start time of the first cue it overlaps and the
/// end time of the last one, replacing the times of its passage, and the
/// file lines of the cues (the lines of their text in the subtitle file).
///
/// `cues` are in text order and do not overlap. A segment that overlaps no
/// cue keeps its times and lines.
pub fn apply_cues(text: &str, segments: &mut [Segment], cues: &[Cue]) {
    let line_in = |cue: &Cue, at: usize| {
        let newlines = count_bytes(&text.as_bytes()[cue.start..at.clamp(cue.start, cue.end)], |b| {
            b == b'\n'
        });
        cue.lines.get(newlines).or(cue.lines.last()).copied()
    };
    for seg in segments {
        let first = cues.partition_point(|c| c.end <= seg.start);
        let last = cues.partition_point(|c| c.start < seg.end);
        if first < last {
            seg.start_time = Some(cues[first].start_time.clone());
            seg.end_time = Some(cues[last - 1].end_time.clone());
            if let Some(line) = line_in(&cues[first], seg.start) {
                seg.start_line = line;
            }
            if let Some(line) = line_in(&cues[last - 1], seg.end.saturating_sub(1)) {
                seg.end_line = line;
            }
        }
    }
}

/// A document read for speakers with `rule`: what its format says, or
/// what its text says. Table cells are read only with a rule asked for.
pub fn attribute_document<'d>(doc: &'d Document, rule: &SpeakerRule) -> Cow<'d, Attribution> {
    match &doc.speakers {
        SpeakerSource::Given(given) => Cow::Borrowed(given),
        SpeakerSource::Cells if !rule.is_explicit() => {
            Cow::Owned(attribute(&doc.text, None, &[], &SpeakerRule::Preset(Preset::None)))
        }
        SpeakerSource::Text | SpeakerSource::Cells => Cow::Owned(attribute(&doc.text, doc.header, &doc.headings, rule)),
    }
}

/// A document's passages and segments; subtitle cues give segments their
/// times and lines.
pub fn segment_document<'d>(doc: &'d Document, unit: Unit, rule: &SpeakerRule) -> (Cow<'d, Attribution>, Vec<Segment>) {
    let attribution = attribute_document(doc, rule);
    let mut segments = segment(&doc.text, unit, &attribution, doc.first_line);
    apply_cues(&doc.text, &mut segments, &doc.cues);
    (attribution, segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(text: &str) -> Attribution {
        attribute(text, None, &[], &SpeakerRule::default())
    }

    fn cut(text: &str, unit: Unit) -> Vec<Segment> {
        segment(text, unit, &read(text), 1)
    }

    fn texts(text: &str, unit: Unit) -> Vec<&str> {
        cut(text, unit).iter().map(|s| &text[s.start..s.end]).collect()
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
    fn paragraphs_are_cut_at_labelled_lines_and_continue_speakers() {
        let segs = cut(INTERVIEW, Unit::Paragraph);
        let t: Vec<&str> = segs.iter().map(|s| &INTERVIEW[s.start..s.end]).collect();
        assert_eq!(
            t,
            [
                "Interviewer: How did you come here?",
                "P03: We crossed at night. My brother was with us.",
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
                Some("Interviewer"),
                Some("P03")
            ]
        );
        let lines: Vec<(usize, usize)> = segs.iter().map(|s| (s.start_line, s.end_line)).collect();
        assert_eq!(lines, [(1, 1), (3, 3), (5, 5), (6, 6), (7, 7)]);
        assert_eq!(segs.iter().map(|s| s.index).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn turns_join_a_speaker_s_passages() {
        let segs = cut(INTERVIEW, Unit::Turn);
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
        assert_eq!((segs[1].start_line, segs[1].end_line), (3, 5));
    }

    #[test]
    fn lines_and_document() {
        let segs = cut(INTERVIEW, Unit::Line);
        assert_eq!(segs.len(), 5);
        assert_eq!(&INTERVIEW[segs[2].start..segs[2].end], "It took three days.");
        assert_eq!(segs[2].speaker.as_deref(), Some("P03"));
        let segs = cut(INTERVIEW, Unit::Document);
        assert_eq!(segs.len(), 1);
        assert_eq!(&INTERVIEW[segs[0].start..segs[0].end], INTERVIEW.trim());
        // several people speak it: nobody in particular
        assert_eq!(segs[0].speaker, None);
        assert_eq!((segs[0].start_line, segs[0].end_line), (1, 7));
        let one = "P03: Uno.\n\nP03: Tres.\n";
        assert_eq!(cut(one, Unit::Document)[0].speaker.as_deref(), Some("P03"));
    }

    #[test]
    fn sentences_never_cross_passages() {
        let segs = cut(INTERVIEW, Unit::Sentence);
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
        assert_eq!(segs[2].speaker.as_deref(), Some("P03"));
    }

    #[test]
    fn sentences_continue_over_a_single_line_break() {
        let text = "We walked to the\nborder. Nobody\nstopped us.\n\nNext day";
        assert_eq!(
            texts(text, Unit::Sentence),
            ["We walked to the\nborder.", "Nobody\nstopped us.", "Next day"]
        );
    }

    #[test]
    fn a_label_with_a_full_stop_is_not_cut_into_sentences() {
        let text = "Sra. López: Sí. Claro que sí.\n\nDr. Paz: Bueno.\n\nSra. López: No.";
        assert_eq!(
            texts(text, Unit::Sentence),
            ["Sra. López: Sí.", "Claro que sí.", "Dr. Paz: Bueno.", "Sra. López: No."]
        );
    }

    #[test]
    fn spanish_interview() {
        let text = "Entrevistadora: ¿Cuándo llegó usted? ¿Con quién?\n\
                    Padre Tomás: Llegué en el año 2001. ¡Qué año!\n\n\
                    Mi niña tenía ocho años.\n\n\
                    Entrevistadora: ¿Y?\n\nPadre Tomás: Nada.\n";
        let segs = cut(text, Unit::Sentence);
        let t: Vec<&str> = segs.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(
            t[..5],
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
        let turns = cut(text, Unit::Turn);
        assert_eq!(
            &text[turns[1].start..turns[1].end],
            "Padre Tomás: Llegué en el año 2001. ¡Qué año!\n\nMi niña tenía ocho años."
        );
        assert_eq!((turns[1].start_line, turns[1].end_line), (2, 4));
    }

    #[test]
    fn times_are_the_ones_written_for_a_segment() {
        let text = "[00:00:05] Interviewer: Hello.\n\n\
                    [00:00:09] P03: Hi. I am fine.\n\n\
                    Really fine.\n\
                    Interviewer: Good.";
        let times = |unit| -> Vec<Option<String>> { cut(text, unit).into_iter().map(|s| s.start_time).collect() };
        let t = |s: &str| Some(s.to_string());
        assert_eq!(
            times(Unit::Sentence),
            [t("00:00:05.000"), t("00:00:09.000"), None, None, None]
        );
        assert_eq!(times(Unit::Turn), [t("00:00:05.000"), t("00:00:09.000"), None]);
        assert!(cut(text, Unit::Line).iter().all(|s| s.end_time.is_none()));
    }

    #[test]
    fn field_notes_without_labels() {
        let text = "Arrived at the shelter at 10:30: crowded.\nHot day.\n\n\nTalked to staff.\n";
        assert!(read(text).labels.is_empty());
        assert_eq!(
            texts(text, Unit::Paragraph),
            [
                "Arrived at the shelter at 10:30: crowded.\nHot day.",
                "Talked to staff."
            ]
        );
        // turns fall back to paragraphs
        assert_eq!(cut(text, Unit::Turn), cut(text, Unit::Paragraph));
        assert!(
            cut(text, Unit::Turn)
                .iter()
                .all(|s| s.speaker.is_none() && s.start_time.is_none())
        );
    }

    #[test]
    fn leading_blank_lines_and_front_matter_offsets() {
        let text = "\n  \n\t\nP03: first\n\n  second line  \n\nQ: third";
        // the text began on line 5 of the file (front matter removed)
        let segs = segment(text, Unit::Paragraph, &read(text), 5);
        assert_eq!(segs.len(), 3);
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
        for unit in [Unit::Line, Unit::Turn, Unit::Sentence] {
            let segs = cut(text, unit);
            assert_eq!(segs.last().unwrap().end, text.len(), "{unit:?}");
            assert_eq!(segs.last().unwrap().end_line, 2, "{unit:?}");
        }
    }

    #[test]
    fn blank_texts_have_no_segments() {
        for text in ["", "\n", "  \n\t\n  "] {
            for unit in [Unit::Document, Unit::Paragraph, Unit::Turn, Unit::Sentence, Unit::Line] {
                assert!(cut(text, unit).is_empty(), "{unit:?} {text:?}");
            }
        }
    }

    #[test]
    fn emoji_count_as_characters() {
        let text = "P03: 😀 fine 👩‍👩‍👧\n\nInterviewer: ok";
        let segs = cut(text, Unit::Paragraph);
        // 👩‍👩‍👧 is five scalar values (three emoji joined by two ZWJ)
        assert_eq!(segs[0].end_char, "P03: 😀 fine ".chars().count() + 5);
        assert_eq!(segs[0].end_char, 17);
        assert_eq!(segs[1].start_char, 19);
        assert_eq!(segs[1].end_char, text.chars().count());
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
            "\n[04:12]\n",
            "\n**Ana**\n",
            "\nANA\n\n",
            "\n# Notas\n",
            "\nFecha: hoy\n",
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
            let read = read(&text);
            for w in read.passages.windows(2) {
                prop_assert!(w[0].end <= w[1].start);
            }
            for w in read.masked.windows(2) {
                prop_assert!(w[0].1 <= w[1].0, "masks overlap: {:?}", read.masked);
            }
            let passages: String = read.passages.iter().map(|p| &text[p.start..p.end]).collect();
            for unit in [Unit::Document, Unit::Paragraph, Unit::Turn, Unit::Sentence, Unit::Line] {
                let segs = segment(&text, unit, &read, first_line);
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
                    if unit != Unit::Document {
                        // the speaker of the passage it starts in
                        let p = read.passages.iter().find(|p| p.start <= s.start && s.start < p.end);
                        prop_assert!(p.is_some(), "{:?} outside passages", unit);
                        prop_assert_eq!(s.speaker.as_ref(), p.unwrap().speaker.as_ref());
                    }
                    prop_assert!(s.end_time.is_none());
                    joined.push_str(body);
                }
                // every unit covers all of the passages but their white space
                // (a turn also what stands between its passages: a label
                // alone, a timestamp)
                match unit {
                    Unit::Document => prop_assert_eq!(without_ws(&joined), without_ws(&text)),
                    Unit::Turn => {}
                    _ => prop_assert_eq!(without_ws(&joined), without_ws(&passages), "{:?}", unit),
                }
            }
        }

        #[test]
        fn turns_change_with_their_speaker(text in text_strategy()) {
            let read = read(&text);
            let turns = segment(&text, Unit::Turn, &read, 1);
            for t in &turns {
                prop_assert!(read.passages.iter().any(|p| p.start == t.start));
                prop_assert!(read.passages.iter().any(|p| p.end == t.end));
            }
            let inside: usize = turns
                .iter()
                .map(|t| read.passages.iter().filter(|p| t.start <= p.start && p.end <= t.end).count())
                .sum();
            prop_assert_eq!(inside, read.passages.len());
            for w in turns.windows(2) {
                prop_assert!(w[0].speaker.is_none() || w[0].speaker != w[1].speaker);
            }
        }

        #[test]
        fn sentences_never_end_inside_a_label(text in text_strategy()) {
            let read = read(&text);
            let segs = segment(&text, Unit::Sentence, &read, 1);
            for l in &read.labels {
                let name_end = l.start + text[l.start..l.end].trim_end().len();
                prop_assert!(!segs.iter().any(|s| l.start < s.end && s.end < name_end));
            }
        }
    }
}
