//! Segmentation: cutting a document's text into the units that get coded.
//!
//! A coded row stands for one *segment*: the whole document, a paragraph, a
//! speaker's turn, a sentence or a line (see [`Unit`]). This module finds the
//! speaker labels of a transcript ([`find_labels`]) and cuts the text into
//! segments ([`segment`]).
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
//!   expects, but the matcher skips each [`Label::start`]`..`[`Label::end`]
//!   range so a code for "father" never fires on the label `Padre Tomás:`.
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
//! * **Speed.** Both passes are linear in the text, allocate per label or per
//!   segment (never per character), and [`find_labels`] only runs its regex
//!   on lines whose first character could start a label: it runs on every
//!   document of corpora of a gigabyte.

use std::sync::{Arc, LazyLock};

use regex::{CaptureLocations, Regex};
use unicode_segmentation::UnicodeSegmentation;

use crate::choice::{self, Choice};
use crate::text::{CharCounter, count_bytes};

/// The unit of analysis: what one coded row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Document,
    Paragraph,
    Turn,
    Sentence,
    Line,
}

impl Unit {
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

/// A speaker label at the start of a line (`Interviewer:`, `[00:12:31] R1:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Byte range of the whole label in the text: the timestamp, the name,
    /// the colon and the spaces after it. Matching skips this range, so a
    /// code never fires on a speaker's name.
    pub start: usize,
    pub end: usize,
    /// The speaker's name as written, without the colon; shared by all the
    /// labels and segments of one speaker in a document (a transcript has
    /// a few speakers and thousands of turns).
    pub speaker: Arc<str>,
    /// The timestamp written before the name, without brackets (`00:12:31`).
    pub time: Option<String>,
}

/// One unit of text of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// 1-based position among the document's segments.
    pub index: usize,
    /// Byte range into the document text.
    pub start: usize,
    pub end: usize,
    /// Character (Unicode scalar value) range into the document text.
    pub start_char: usize,
    pub end_char: usize,
    /// 1-based line numbers in the source file.
    pub start_line: usize,
    pub end_line: usize,
    pub speaker: Option<Arc<str>>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
}

/// The most speakers' names a document's labels share (see [`intern`]).
const MAX_INTERNED: usize = 16;

/// The longest speaker name the default rule accepts, in characters.
const MAX_NAME_CHARS: usize = 40;

/// The default speaker rule; see [`SpeakerRule::default`].
const DEFAULT_PATTERN: &str = concat!(
    r"^[ \t]*",
    // optional timestamp: [..] or (..) with mm:ss or h:mm:ss, or bare h:mm:ss
    r"(?:(?:\[(?P<t1>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[.,][0-9]{1,3})?)\]",
    r"|\((?P<t2>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[.,][0-9]{1,3})?)\))[ \t]*",
    r"|(?P<t3>[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,3})?)[ \t]+)?",
    // the name: 1 to 4 words, the first starting with an uppercase letter
    r"(?P<speaker>[\p{Lu}\p{Lt}][\p{L}\p{M}\p{N}._'’-]*(?: [\p{L}\p{M}\p{N}._'’-]+){0,3})",
    // the colon, then white space or the end of the line
    r":(?:\s|$)",
);

static DEFAULT_REGEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(DEFAULT_PATTERN).expect("the default speaker pattern compiles"));

/// How speaker labels are recognised at the start of a line.
///
/// Build it once and reuse it: compiling the regex costs far more than
/// scanning a document.
#[derive(Debug, Clone)]
pub struct SpeakerRule {
    /// The pattern as the user wrote it (or [`DEFAULT_PATTERN`]).
    pattern: String,
    /// The pattern anchored at the start of a line.
    regex: Regex,
    /// The group holding the name; `None`: the whole match minus the colon.
    speaker_group: Option<usize>,
    /// Groups holding the timestamp; the first that took part is used.
    time_groups: Vec<usize>,
    /// The default rule: lines are pre-filtered and names length-checked.
    is_default: bool,
}

impl Default for SpeakerRule {
    /// The default rule.
    ///
    /// A label is, at the start of a line:
    ///
    /// 1. optional leading spaces or tabs (not part of the label range);
    /// 2. an optional timestamp: `[mm:ss]`, `[hh:mm:ss]`, `(mm:ss)` or
    ///    `(hh:mm:ss)`, optionally followed by spaces or tabs; or a bare
    ///    `hh:mm:ss` / `h:mm:ss` *followed by at least one* space or tab. Hours
    ///    and minutes-only fields have 1 or 2 digits, minutes and seconds 2;
    ///    seconds may carry a fraction of 1 to 3 digits after `.` or `,`
    ///    (`00:12:31.250`). A bare `mm:ss` is *not* a timestamp, so
    ///    `10:30 we left the house` is ordinary text. The label's
    ///    [`Label::time`] is the timestamp without brackets;
    /// 3. a speaker name: 1 to 4 words separated by single spaces, at most 40
    ///    characters in all. The first character is an uppercase (or
    ///    titlecase) letter of any script (`A`, `Á`, `Ñ`, `Ж`); the rest are
    ///    letters, combining marks, digits, `.`, `-`, `_`, `'` or `’`;
    /// 4. a colon `:` followed by white space or the end of the line.
    ///
    /// The label range runs from the timestamp (or the name) to the colon and
    /// every space or tab after it.
    ///
    /// Labels: `Interviewer:`, `INTERVIEWER:`, `P03:`, `R1:`, `Entrevistadora:`,
    /// `Padre Tomás:`, `Sra. López:`, `[00:12:31] R1:`, `00:12:31 Entrevistador:`,
    /// `Q3 2020:`. Not labels: `10:30 we left the house`, `https://example.org`,
    /// `Nota:la` (no space after the colon), `the smuggler said: pay` and
    /// `at 10:30: we left` (lowercase start), `One two three four five: x`
    /// (five words).
    fn default() -> Self {
        let regex = DEFAULT_REGEX.clone();
        SpeakerRule {
            pattern: DEFAULT_PATTERN.to_string(),
            speaker_group: group_index(&regex, "speaker"),
            time_groups: ["t1", "t2", "t3"]
                .iter()
                .filter_map(|name| group_index(&regex, name))
                .collect(),
            regex,
            is_default: true,
        }
    }
}

impl SpeakerRule {
    /// A rule from a user's regular expression, matched at the start of each
    /// line (it is anchored there; a leading `^` is harmless).
    ///
    /// The name is the group named `speaker`, or else group 1; if the pattern
    /// has no group at all, the whole match minus a trailing `:` and spaces.
    /// An optional group named `time` is the timestamp. The label range is the
    /// whole match (without leading spaces or tabs) extended over the spaces
    /// and tabs after it. Matches with an empty name are ignored.
    ///
    /// Example: `(?P<time>\d+:\d+) - (?P<speaker>[A-Z]+)\b` for `12:31 - ANA hola`.
    pub fn custom(pattern: &str) -> Result<SpeakerRule, crate::Error> {
        let hint = "write a regular expression (Rust regex syntax) that matches a label at the \
                    start of a line, with a group for the name, e.g. `(?P<speaker>[A-Z][a-z]+):`; \
                    put a backslash before special characters such as `[`, `(` or `.`";
        let bad =
            |err: regex::Error| crate::Error::new(format!("invalid speaker pattern `{pattern}`: {err}")).hint(hint);
        // Compiled alone first so the error points into what the user wrote.
        let own = Regex::new(pattern).map_err(bad)?;
        let regex = Regex::new(&format!("^(?:{pattern})")).map_err(bad)?;
        // Group numbers are the same in `own` and in the anchored `regex`.
        let speaker_group = group_index(&own, "speaker").or((own.captures_len() > 1).then_some(1));
        let time_groups = group_index(&own, "time").into_iter().collect();
        Ok(SpeakerRule {
            pattern: pattern.to_string(),
            regex,
            speaker_group,
            time_groups,
            is_default: false,
        })
    }

    /// The regular expression, as written by the user or the default one.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The label at the start of `line` (which starts at byte `offset` of the
    /// text and does not include its `\n`).
    /// `names` are the speakers' names found so far in the text, for
    /// [`intern`].
    fn label_in(
        &self,
        line: &str,
        offset: usize,
        locs: &mut CaptureLocations,
        names: &mut Vec<Arc<str>>,
    ) -> Option<Label> {
        if self.is_default && !could_start_default_label(line) {
            return None;
        }
        // Finding the match is fast (an automaton); reporting capture groups
        // is slower, so the default rule reads them off the matched text
        // and custom rules search only the matched prefix of the line.
        let (m_start, m_end) = match self.is_default.then(|| ascii_default_match(line)).flatten() {
            Some(end) => (0, end?),
            None => {
                let found = self.regex.find(line)?;
                (found.start(), found.end())
            }
        };
        let (speaker, time) = if self.is_default {
            split_default_match(&line[m_start..m_end])
        } else {
            self.regex.captures_read(locs, &line[..m_end])?;
            let group = |i: usize| locs.get(i).map(|(s, e)| &line[s..e]);
            let speaker = match self.speaker_group {
                Some(i) => group(i)?,
                None => line[m_start..m_end].trim_end().trim_end_matches(':'),
            };
            (speaker, self.time_groups.iter().find_map(|&i| group(i)))
        };
        let speaker = speaker.trim();
        if speaker.is_empty() || (self.is_default && speaker.chars().count() > MAX_NAME_CHARS) {
            return None;
        }
        let time = time.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let bytes = line.as_bytes();
        let mut start = m_start;
        while start < m_end && matches!(bytes[start], b' ' | b'\t') {
            start += 1;
        }
        let mut end = m_end;
        while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
            end += 1;
        }
        (start < end).then(|| Label {
            start: offset + start,
            end: offset + end,
            speaker: intern(names, speaker),
            time,
        })
    }
}

/// `name`, shared with its earlier occurrence in `names` if any.
fn intern(names: &mut Vec<Arc<str>>, name: &str) -> Arc<str> {
    if let Some(known) = names.iter().find(|&n| &**n == name) {
        return known.clone();
    }
    let new: Arc<str> = name.into();
    // A text with very many names (a list, not a transcript) is not worth
    // searching through: the most recent ones are kept.
    if names.len() == MAX_INTERNED {
        names.remove(0);
    }
    names.push(new.clone());
    new
}

/// The speaker and timestamp of a match of the default rule. The rule's
/// shape makes them unambiguous — a timestamp opens with `[`, `(` or a
/// digit and ends at its bracket or at a space; a name holds no colon and
/// the match ends with the colon and at most one white-space character — so
/// they are read off the match instead of from capture groups.
fn split_default_match(matched: &str) -> (&str, Option<&str>) {
    let m = matched.trim_start_matches([' ', '\t']);
    let (time, rest) = match m.as_bytes().first() {
        Some(b'[') => m[1..].split_once(']').map_or((None, m), |(t, r)| (Some(t), r)),
        Some(b'(') => m[1..].split_once(')').map_or((None, m), |(t, r)| (Some(t), r)),
        Some(b'0'..=b'9') => match m.find([' ', '\t']) {
            Some(k) => (Some(&m[..k]), &m[k..]),
            None => (None, m),
        },
        _ => (None, m),
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let name = rest.rfind(':').map_or(rest, |k| &rest[..k]);
    (name, time)
}

/// The number of the capture group called `name`.
fn group_index(regex: &Regex, name: &str) -> Option<usize> {
    regex.capture_names().position(|n| n == Some(name))
}

/// Cheap test before the default regex: the first non-blank character must be
/// an uppercase letter (any non-ASCII character is let through), `[`, `(` or a
/// digit, and a name starting with a letter must meet its colon within
/// `MAX_NAME_CHARS` characters (4 bytes each at most).
fn could_start_default_label(line: &str) -> bool {
    let rest = line.trim_start_matches([' ', '\t']).as_bytes();
    match rest.first() {
        Some(b'[' | b'(' | b'0'..=b'9') => true,
        Some(b'A'..=b'Z' | 0x80..) => rest[..rest.len().min(4 * MAX_NAME_CHARS + 1)].contains(&b':'),
        _ => false,
    }
}

/// The end of the default rule's match on `line`, found without its regex
/// when the line's label is plain ASCII, as most are (`Participant 5: …`,
/// `[00:12:31] R2: …`); `Some(None)` when there is no label. `None` leaves
/// the answer to the regex: a non-ASCII character (a Unicode letter, `’`,
/// white space after the colon) met before the answer is known.
///
/// The rule's shape leaves no choice to make: a timestamp is digits and
/// punctuation that no name starts with, and a name's words hold neither a
/// space nor a colon, so each byte decides whether the label goes on, takes
/// another word, reaches its colon or fails.
fn ascii_default_match(line: &str) -> Option<Option<usize>> {
    let b = line.as_bytes();
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'\'' | b'-');
    let mut i = b.iter().position(|&c| !matches!(c, b' ' | b'\t')).unwrap_or(b.len());
    if matches!(b.get(i), Some(b'[' | b'(' | b'0'..=b'9')) {
        match timestamp_end(b, i) {
            Some(end) => i = end,
            None => return Some(None),
        }
    }
    match b.get(i) {
        Some(b'A'..=b'Z') => i += 1,
        Some(0x80..) => return None,
        _ => return Some(None),
    }
    let mut words = 1;
    loop {
        match b.get(i) {
            Some(&c) if name_char(c) => i += 1,
            Some(b':') => break,
            Some(b' ') if words < 4 => match b.get(i + 1) {
                Some(&c) if name_char(c) => {
                    words += 1;
                    i += 2;
                }
                Some(0x80..) => return None,
                _ => return Some(None),
            },
            Some(0x80..) => return None,
            _ => return Some(None),
        }
    }
    // The colon, then one white-space character or the end of the line.
    match b.get(i + 1) {
        None => Some(Some(i + 1)),
        Some(b' ' | b'\t' | b'\r' | 0x0b | 0x0c) => Some(Some(i + 2)),
        Some(0x80..) => None,
        Some(_) => Some(None),
    }
}

/// Where the default rule's timestamp starting at `b[i]` (`[`, `(` or a
/// digit) ends, with the spaces or tabs after it; `None` if there is none
/// there. A run of digits longer than its field allows fails, as in the
/// regex, because what must follow it is never a digit.
fn timestamp_end(b: &[u8], i: usize) -> Option<usize> {
    let digits = |at: usize, min: usize, max: usize| {
        let n = b.get(at..)?.iter().take_while(|c| c.is_ascii_digit()).count();
        (min..=max).contains(&n).then_some(at + n)
    };
    let close = match b[i] {
        b'[' => Some(b']'),
        b'(' => Some(b')'),
        _ => None,
    };
    let mut at = digits(i + usize::from(close.is_some()), 1, 2)?;
    if b.get(at) != Some(&b':') {
        return None;
    }
    at = digits(at + 1, 2, 2)?;
    if b.get(at) == Some(&b':') {
        at = digits(at + 1, 2, 2)?;
    } else if close.is_none() {
        // A bare timestamp has seconds: `10:30 we left` is text.
        return None;
    }
    if matches!(b.get(at), Some(b'.' | b',')) {
        at = digits(at + 1, 1, 3)?;
    }
    if let Some(close) = close {
        if b.get(at) != Some(&close) {
            return None;
        }
        at += 1;
    }
    let blanks = b[at..].iter().take_while(|&&c| matches!(c, b' ' | b'\t')).count();
    // After a bare timestamp, at least one.
    (close.is_some() || blanks > 0).then_some(at + blanks)
}

/// The byte ranges of the lines of `text`, without their `\n` (as
/// `text.split('\n')` gives them, but found with vector instructions).
fn line_ranges(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .chain([text.len()])
        .map(move |end| {
            let range = (start, end);
            start = end + 1;
            range
        })
}

/// The speaker labels of `text`, in text order.
///
/// A label is looked for at the start of every line only; see
/// [`SpeakerRule::default`] for what the default rule accepts.
pub fn find_labels(text: &str, rule: &SpeakerRule) -> Vec<Label> {
    let mut locs = rule.regex.capture_locations();
    let mut names = Vec::new();
    line_ranges(text)
        .filter_map(|(start, end)| rule.label_in(&text[start..end], start, &mut locs, &mut names))
        .collect()
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

// ---------------------------------------------------------------------------
// Timed text: subtitle cues and time filters.

/// A stretch of a document's text spoken at a known time: one subtitle cue
/// of a `.vtt`/`.srt` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// Byte range in the document text (the speaker label written before the
    /// cue's words included).
    pub start: usize,
    pub end: usize,
    /// `HH:MM:SS.mmm`, see [`format_time`].
    pub start_time: String,
    pub end_time: String,
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

/// Milliseconds from a timestamp: `H:MM:SS`, `MM:SS` or `SS`, each with an
/// optional fraction of up to three digits after `.` or `,` (`00:01:02.5`,
/// `01:02,500`). Minutes and seconds after the first field must be below 60.
pub fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    let (whole, fraction) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let millis = match fraction {
        None => 0,
        Some(f) if (1..=3).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<u64>().ok()? * 10u64.pow(3 - f.len() as u32)
        }
        Some(_) => return None,
    };
    let fields: Vec<&str> = whole.split(':').collect();
    if fields.len() > 3
        || fields
            .iter()
            .any(|f| f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut seconds = 0u64;
    for (i, f) in fields.iter().enumerate() {
        let v: u64 = f.parse().ok()?;
        if i > 0 && (v >= 60 || f.len() != 2) {
            return None;
        }
        seconds = seconds * 60 + v;
    }
    Some(seconds * 1000 + millis)
}

/// `HH:MM:SS.mmm`, the form qcode writes every cue time in.
pub fn format_time(millis: u64) -> String {
    let (s, ms) = (millis / 1000, millis % 1000);
    format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600, s / 60 % 60, s % 60)
}

/// Keeps the segments that start within a stretch of time (`--from`, `--to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    /// Milliseconds, inclusive.
    pub from: Option<u64>,
    /// Milliseconds, exclusive, so that `--to 00:10:00` and `--from 00:10:00`
    /// split a recording without overlap.
    pub to: Option<u64>,
}

impl TimeRange {
    /// The range given by `--from` and `--to`, or `None` when neither is.
    pub fn new(from: Option<&str>, to: Option<&str>) -> Result<Option<TimeRange>, crate::Error> {
        let parse = |flag: &str, v: Option<&str>| {
            v.map(|v| {
                parse_time(v).ok_or_else(|| {
                    crate::Error::new(format!("`{flag} {v}` is not a time")).hint(
                        "write a time as HH:MM:SS or MM:SS, e.g. 00:12:30 (seconds may have a fraction: 00:12:30.5)",
                    )
                })
            })
            .transpose()
        };
        let range = TimeRange {
            from: parse("--from", from)?,
            to: parse("--to", to)?,
        };
        if let (Some(f), Some(t)) = (range.from, range.to)
            && f >= t
        {
            return Err(crate::Error::new(format!(
                "`--from {}` is not before `--to {}`",
                from.unwrap_or_default(),
                to.unwrap_or_default()
            ))
            .hint("give an earlier --from than --to"));
        }
        Ok((range.from.is_some() || range.to.is_some()).then_some(range))
    }

    /// True when the segment's start time lies in the range; a segment
    /// without a (readable) start time never does.
    pub fn contains(&self, seg: &Segment) -> bool {
        seg.start_time
            .as_deref()
            .and_then(parse_time)
            .is_some_and(|t| self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t < to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one_label(line: &str) -> Option<Label> {
        let labels = find_labels(line, &SpeakerRule::default());
        assert!(labels.len() <= 1);
        labels.into_iter().next()
    }

    fn texts<'t>(text: &'t str, unit: Unit, labels: &[Label]) -> Vec<&'t str> {
        segment(text, unit, labels, 1)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    fn speakers(segments: &[Segment]) -> Vec<Option<&str>> {
        segments.iter().map(|s| s.speaker.as_deref()).collect()
    }

    // ---- default speaker rule -------------------------------------------

    proptest::proptest! {
        /// Reading the default rule's groups off the match gives what the
        /// regex's own capture groups give.
        #[test]
        fn default_groups_read_off_the_match(
            line in "[ \t]{0,2}(\\[[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?\\] ?|\\([0-9]:[0-9]{2}\\)|[0-9]{1,2}:[0-9]{2}:[0-9]{2}(,[0-9])? )?[A-ZÁÑa-z][a-zé.'’ -]{0,12}[:;][ \tx]?[a-z ]{0,5}"
        ) {
            let regex = &*DEFAULT_REGEX;
            if let Some(caps) = regex.captures(&line) {
                let whole = caps.get(0).unwrap().as_str();
                let (speaker, time) = split_default_match(whole);
                proptest::prop_assert_eq!(speaker, caps.name("speaker").unwrap().as_str());
                let want = ["t1", "t2", "t3"].iter().find_map(|g| caps.name(g)).map(|t| t.as_str());
                proptest::prop_assert_eq!(time, want);
            }
        }

        /// Wherever the ASCII reading of the default rule gives an answer,
        /// it is the regex's: the end of its match, or no match.
        #[test]
        fn ascii_reading_agrees_with_the_default_regex(
            line in proptest::prop_oneof![
                r"[ \t]{0,2}[A-Za-z0-9._'’:é\[( \t\r\x0b\u{a0}-]{0,16}",
                r"[ \t]{0,2}[A-ZÉ\[0-9][a-z0-9.'’_-]{0,5}( {1,2}[A-Za-z0-9é]{0,4}){0,5}:[ \t\r\u{a0}x]?[a-z]{0,3}",
                r"[A-Z][a-z]{0,2}( [A-Za-z0-9]{1,3}){2,5}:[ x]",
                r"[ \t]{0,2}(\[[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?([.,][0-9]{0,4})?[\])]?|\([0-9]{1,2}:[0-9]{2}\)|[0-9]{1,3}:[0-9]{2}(:[0-9]{1,3})?([.,][0-9]{1,4})?)[ \t]{0,2}[A-Zé0-9][a-z]{0,3}:[ x]?",
                r"[\[(]?[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?([.,][0-9]{1,4})?[\])]?[ \t]?[A-Z]: ",
            ]
        ) {
            if let Some(quick) = ascii_default_match(&line) {
                proptest::prop_assert_eq!(quick, DEFAULT_REGEX.find(&line).map(|m| m.end()), "{:?}", &line);
            }
        }
    }

    #[test]
    fn default_rule_accepts_labels() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("Interviewer: hello", "Interviewer", None),
            ("P03: yes", "P03", None),
            ("R1: sí", "R1", None),
            ("Entrevistadora: ¿y usted?", "Entrevistadora", None),
            ("[00:12:31] R1: we left", "R1", Some("00:12:31")),
            ("00:12:31 Entrevistador: bueno", "Entrevistador", Some("00:12:31")),
            ("Padre Tomás: hijo", "Padre Tomás", None),
            ("Sra. López: claro", "Sra. López", None),
            ("INTERVIEWER: why", "INTERVIEWER", None),
            ("Q3 2020: sales fell", "Q3 2020", None),
            ("Ñandú: pío", "Ñandú", None),
            ("Ángela María: hola", "Ángela María", None),
            ("[12:31] P03: ok", "P03", Some("12:31")),
            ("(01:02:03) P03: ok", "P03", Some("01:02:03")),
            ("(12:31) P03: ok", "P03", Some("12:31")),
            ("1:02:03 P03: ok", "P03", Some("1:02:03")),
            ("00:12:31.250 P03: ok", "P03", Some("00:12:31.250")),
            ("[00:12:31,5]P03: ok", "P03", Some("00:12:31,5")),
            ("  Interviewer: indented", "Interviewer", None),
            ("Interviewer:", "Interviewer", None),
            ("Interviewer:\ttab", "Interviewer", None),
            ("O’Brien: aye", "O’Brien", None),
            ("Jean-Luc de la Cruz: oui", "Jean-Luc de la Cruz", None),
        ];
        for &(line, speaker, time) in cases {
            let label = one_label(line).unwrap_or_else(|| panic!("{line:?} is a label"));
            assert_eq!(&*label.speaker, speaker, "{line:?}");
            assert_eq!(label.time.as_deref(), time, "{line:?}");
        }
    }

    #[test]
    fn default_rule_rejects_non_labels() {
        for line in [
            "10:30 we left the house",
            "10:30 We left: at night",
            "https://example.org",
            "Https://example.org",
            "Nota:la casa",
            "the smuggler said: pay",
            "at 10:30: we left",
            "One two three four five: too many words",
            "Interviewer : space before the colon",
            "[inaudible] P03: not a timestamp",
            "00:12 P03: bare minutes are a clock time",
            "Abcdefghijklmnopqrstuvwxyzabcdefghijklmnop: 41 characters",
            "Interviewer",
            "",
            "   ",
            "¿Qué: pasó?",
            "«Nombre: x»",
            "- P03: a list item",
        ] {
            assert_eq!(one_label(line), None, "{line:?} is not a label");
        }
    }

    #[test]
    fn forty_character_names_are_accepted() {
        let name = format!("A{}", "b".repeat(39));
        assert_eq!(&*one_label(&format!("{name}: x")).unwrap().speaker, name);
        let name = format!("Á{}", "ñ".repeat(39));
        assert_eq!(&*one_label(&format!("{name}: x")).unwrap().speaker, name);
        let name = format!("Á{}", "ñ".repeat(40));
        assert_eq!(one_label(&format!("{name}: x")), None);
    }

    #[test]
    fn label_range_covers_time_name_colon_and_spaces() {
        let text = "intro\n  [00:12:31] R1: \t we left\nP03:\nnext";
        let labels = find_labels(text, &SpeakerRule::default());
        assert_eq!(labels.len(), 2);
        assert_eq!(&text[labels[0].start..labels[0].end], "[00:12:31] R1: \t ");
        assert_eq!(&text[labels[1].start..labels[1].end], "P03:");
        assert_eq!(&*labels[1].speaker, "P03");
    }

    #[test]
    fn one_speaker_s_labels_share_one_name() {
        let text = "Ana: uno\nLuis: dos\nAna: tres\n";
        let labels = find_labels(text, &SpeakerRule::default());
        assert!(Arc::ptr_eq(&labels[0].speaker, &labels[2].speaker));
        assert!(!Arc::ptr_eq(&labels[0].speaker, &labels[1].speaker));
        // Past the names kept for sharing, names are still right.
        let many: String = (0..40).map(|i| format!("P{i}: x\nP0: y\n")).collect();
        let names: Vec<String> = find_labels(&many, &SpeakerRule::default())
            .iter()
            .map(|l| l.speaker.to_string())
            .collect();
        let want: Vec<String> = (0..40).flat_map(|i| [format!("P{i}"), "P0".into()]).collect();
        assert_eq!(names, want);
    }

    #[test]
    fn labels_are_found_only_at_line_starts_and_in_order() {
        let text = "A: one\nsaid B: two\nC: three\n";
        let speakers: Vec<String> = find_labels(text, &SpeakerRule::default())
            .into_iter()
            .map(|l| l.speaker.to_string())
            .collect();
        assert_eq!(speakers, ["A", "C"]);
    }

    #[test]
    fn default_rule_documents_its_pattern() {
        assert!(SpeakerRule::default().pattern().contains("speaker"));
    }

    // ---- custom speaker rules -------------------------------------------

    #[test]
    fn custom_rule_with_named_groups() {
        let rule = SpeakerRule::custom(r"(?P<time>\d+:\d+) - (?P<speaker>[A-Z]+)\b").unwrap();
        let text = "12:31 - ANA  hola\nsaid 12:32 - LUIS no\n12:33 - LUIS sí";
        let labels = find_labels(text, &rule);
        assert_eq!(labels.len(), 2);
        assert_eq!(&*labels[0].speaker, "ANA");
        assert_eq!(labels[0].time.as_deref(), Some("12:31"));
        assert_eq!(&text[labels[0].start..labels[0].end], "12:31 - ANA  ");
        assert_eq!(&*labels[1].speaker, "LUIS");
    }

    #[test]
    fn custom_rule_uses_group_one_without_a_speaker_group() {
        let rule = SpeakerRule::custom(r"<(\w+)>").unwrap();
        let labels = find_labels("<ana> hola\n<luis>", &rule);
        assert_eq!(&*labels[0].speaker, "ana");
        assert_eq!(labels[0].time, None);
        assert_eq!(&*labels[1].speaker, "luis");
    }

    #[test]
    fn custom_rule_without_groups_uses_the_match() {
        let rule = SpeakerRule::custom(r"[a-z]+ ?: ").unwrap();
        let text = "ana : hola\n  luis: qué";
        let labels = find_labels(text, &rule);
        // anchored at the very start of the line: indented `luis:` is not a label
        assert_eq!(labels.len(), 1);
        assert_eq!(&*labels[0].speaker, "ana");
        assert_eq!(&text[labels[0].start..labels[0].end], "ana : ");
        // indentation allowed by the pattern stays out of the label range
        let rule = SpeakerRule::custom(r"\s*[a-z]+ ?: ").unwrap();
        let labels = find_labels(text, &rule);
        assert_eq!(&*labels[1].speaker, "luis");
        assert_eq!(&text[labels[1].start..labels[1].end], "luis: ");
    }

    #[test]
    fn custom_rule_ignores_empty_names_and_matches() {
        let rule = SpeakerRule::custom(r"(?P<speaker>[A-Z]*)-?").unwrap();
        assert!(find_labels("hola\n- x\n", &rule).is_empty());
        assert_eq!(&*find_labels("ANA- x", &rule)[0].speaker, "ANA");
    }

    #[test]
    fn custom_rule_reports_bad_regexes() {
        let err = SpeakerRule::custom(r"(?P<speaker>[A-Z]+:").unwrap_err();
        assert!(err.what.contains("invalid speaker pattern"), "{err}");
        assert!(err.what.contains("unclosed group"), "{err}");
        assert!(err.hint.is_some());
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
