//! Who speaks where: speaker labels, passages and their times.
//!
//! Transcription tools and people write who is speaking in many ways —
//! `Interviewer:`, `**Entrevistadora:**`, Otter's `Emma  0:03` above each
//! paragraph, `[Speaker 2]` or a name in capitals alone on its line,
//! `[00:12:31] R1:`, `<Fabiola>` — and prose holds look-alikes: `COMAR. A
//! driver said: “…”` at the start of a hard-wrapped line, a `Key: value`
//! header, `## Background:`, a list item `- Balsa: 25 pesos`.
//! [`attribute`] reads a document's text into [`Passage`]s (the
//! `paragraph` unit), each with its speaker and time, and the byte ranges
//! the matcher never reads (labels, timestamps, the metadata header).
//!
//! **Decided per document, from evidence, preferring no speaker to a wrong
//! one.** Each line is first read on its own (`lines`): what shape of
//! label it may open with. Whether a candidate *is* a label is then
//! decided for the whole document (`decide`): a name that recurs is a
//! label; a name seen once is one only when the document's other labels
//! have its shape and it stands where a turn starts; a name alone on its
//! line with no mark around it needs two such names that recur. Times
//! standing alone on their lines count when the document has several.
//! The rules, with an example of every convention, are in
//! `docs/speakers.md`; the fixtures in `tests/fixtures/speakers` pin the
//! speaker of every passage of each.
//!
//! **Passages.** A passage is a paragraph, cut further at every labelled
//! line (a transcript typed one turn per line gives one passage per turn).
//! A passage without a label of its own continues the speaker before it,
//! except after a heading, a rule or the metadata header, after a label
//! standing alone with a time on its line (Otter, Teams: such a header
//! names exactly the paragraph under it), and in a document whose labels
//! name a single speaker (the unlabelled passages are someone else's).
//! Times are never inherited: a passage has the time written for it, or
//! none.
//!
//! **Rules.** [`SpeakerRule`] is the automatic reading ([`Preset::Auto`]),
//! a named preset for the conventions evidence cannot settle alone, or a
//! regular expression of the user's ([`Pattern`]). Table cells (survey
//! answers) are read for speakers only with a preset or a pattern.
//!
//! **Speed.** Reading is linear in the text and allocates per line and per
//! label, never per character; a line is parsed only when its first
//! character could open a label, and prose is given up on within a few
//! bytes. It runs on every document of corpora of a gigabyte.

mod decide;
mod lines;
mod pattern;
pub mod summary;

use std::sync::Arc;

use crate::choice::{self, Choice};

pub(crate) use lines::cue_prefix;
pub use pattern::Pattern;

/// How a speaker label is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `Name: words` (also with a time before or after the name).
    Colon,
    /// `Name:` alone on its line, the words below.
    ColonAlone,
    /// `**Name:** words` or `**Name**: words`.
    Bold,
    /// `**Name**` (or `**Name:**`) alone on its line.
    BoldAlone,
    /// `**Name** [0:00] words`.
    BoldTimed,
    /// `<Name> words`.
    Tag,
    /// `[Name]` alone on its line.
    BracketAlone,
    /// A name alone on its line, without marks (`ENTREVISTADORA`,
    /// `SPEAKER_01`).
    NameAlone,
    /// A name and a time alone on their line: Otter's `Emma  0:03`, Teams'
    /// `Ana López   0:04`, `[Name] 10:31:05`, `Name (00:00):`,
    /// `[00:00:15.02] - Speaker 1`.
    TimedHeader,
    /// A subtitle cue's voice tag `<v Name>`.
    Voice,
    /// A subtitle cue's `Name:`, `- Name:` or `[NAME]` prefix.
    CuePrefix,
    /// A match of the user's `--speaker-pattern`.
    Pattern,
}

impl Shape {
    /// How the shape is written, for people: `` `Name: words` ``.
    pub fn example(self) -> &'static str {
        match self {
            Shape::Colon => "`Name: words`",
            Shape::ColonAlone => "`Name:` alone on its line",
            Shape::Bold => "`**Name:** words`",
            Shape::BoldAlone => "`**Name**` alone on its line",
            Shape::BoldTimed => "`**Name** [0:00] words`",
            Shape::Tag => "`<Name> words`",
            Shape::BracketAlone => "`[Name]` alone on its line",
            Shape::NameAlone => "a name alone on its line",
            Shape::TimedHeader => "a name and a time alone on their line (`Name  0:03`)",
            Shape::Voice => "a voice tag `<v Name>`",
            Shape::CuePrefix => "`Name:` before a cue's words",
            Shape::Pattern => "a match of the speaker pattern",
        }
    }
}

/// A speaker label found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Byte range of the label in the text: the marks, the name, a time
    /// written with it and the blanks after it; the whole line for a label
    /// standing alone. Matching skips it, so a code never fires on a
    /// speaker's name.
    pub start: usize,
    /// End of that byte range, exclusive.
    pub end: usize,
    /// The speaker's name as written, without the marks that make it a
    /// label; shared by all the labels and passages of one speaker in a
    /// document.
    pub speaker: Arc<str>,
    /// A time written with the label, in milliseconds.
    pub time: Option<u64>,
    /// How it is written.
    pub shape: Shape,
}

/// One passage of a document: a paragraph, or the part of one that a
/// labelled line starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Byte range in the text, trimmed of white space; a label written on
    /// the passage's first line is inside it, one standing alone above it
    /// is not.
    pub start: usize,
    /// End of that byte range, exclusive.
    pub end: usize,
    /// Who speaks it; `None` when nobody can be told.
    pub speaker: Option<Arc<str>>,
    /// The time written for it, in milliseconds: in its label, on a
    /// timestamp line above it, opening its first line, or closing the
    /// passage before it (f4).
    pub time: Option<u64>,
    /// Its own label (an index into [`Attribution::labels`]); `None` when
    /// it continues the speaker before it, or has none.
    pub label: Option<usize>,
}

/// A document read for speakers: its passages in text order, its labels,
/// and what the matcher must not read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    /// The passages, in text order, never overlapping.
    pub passages: Vec<Passage>,
    /// The speaker labels, in text order.
    pub labels: Vec<Label>,
    /// Byte ranges never matched, sorted and disjoint: labels, timestamps
    /// and time marks, rules and the metadata header.
    pub masked: Vec<(usize, usize)>,
    /// Byte ranges of names that looked like labels but were not taken as
    /// such (a name seen once in prose, a capitalised heading), for
    /// `qcode speakers`.
    pub set_aside: Vec<(usize, usize)>,
}

/// Named ways of reading speakers, for the conventions that evidence in
/// one document cannot settle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    /// Decide from the document's evidence (the default).
    #[default]
    Auto,
    /// No speakers at all: field notes and memos.
    None,
    /// Every name followed by a colon (or marked as a label) at a line
    /// start, even once: notes that quote someone once, short documents.
    Colon,
    /// Only names in capitals (`ENTREVISTADORA:`, `MARÍA ELENA` alone), even
    /// once.
    Caps,
    /// Only codes of one to three capitals and up to three digits (`Q:`,
    /// `A:`, `ENT:`, `P03:`, `R1:`), even once: anonymised
    /// transcripts in which capitalised words with a colon are topics
    /// (`Nota:`, `Migración:`).
    Initials,
}

impl Choice for Preset {
    const ALL: &'static [Preset] = &[
        Preset::Auto,
        Preset::None,
        Preset::Colon,
        Preset::Caps,
        Preset::Initials,
    ];

    fn name(self) -> &'static str {
        match self {
            Preset::Auto => "auto",
            Preset::None => "none",
            Preset::Colon => "colon",
            Preset::Caps => "caps",
            Preset::Initials => "initials",
        }
    }

    fn help(self) -> Option<&'static str> {
        Some(match self {
            Preset::Auto => "Decide per document, from evidence (the default)",
            Preset::None => "No speakers: field notes, memos",
            Preset::Colon => "Every `Name:` at a line start is a label, even once",
            Preset::Caps => "Only names in capitals are labels, even once",
            Preset::Initials => "Only codes such as `Q:`, `A:`, `ENT:`, `P03:` are labels, even once",
        })
    }
}

impl std::str::FromStr for Preset {
    type Err = crate::Error;

    /// A preset by its name, whatever its case.
    fn from_str(s: &str) -> Result<Preset, crate::Error> {
        choice::parse(s).ok_or_else(|| {
            crate::Error::new(format!("unknown speaker preset `{}`", s.trim()))
                .hint(format!("write one of: {}", choice::names::<Preset>()))
        })
    }
}

/// How speaker labels are found.
#[derive(Debug, Clone)]
pub enum SpeakerRule {
    /// A named preset ([`Preset::Auto`] by default).
    Preset(Preset),
    /// The user's regular expression.
    Pattern(Pattern),
}

impl Default for SpeakerRule {
    fn default() -> Self {
        SpeakerRule::Preset(Preset::Auto)
    }
}

impl SpeakerRule {
    /// The rule of a pattern or a preset, at most one of which may be
    /// given; the automatic one when neither is.
    pub fn new(pattern: Option<&str>, preset: Option<Preset>) -> Result<SpeakerRule, crate::Error> {
        match (pattern, preset) {
            (Some(_), Some(_)) => Err(
                crate::Error::usage("a speaker pattern and a speaker preset were both given")
                    .hint("give one: a preset names a convention, a pattern replaces them all"),
            ),
            (Some(p), None) => Ok(SpeakerRule::Pattern(Pattern::new(p)?)),
            (None, preset) => Ok(SpeakerRule::Preset(preset.unwrap_or_default())),
        }
    }

    /// Whether the rule was asked for rather than left automatic: only
    /// then are table cells read for speakers.
    pub fn is_explicit(&self) -> bool {
        !matches!(self, SpeakerRule::Preset(Preset::Auto))
    }

    /// The rule for a passage read without its document (an excerpt, a
    /// coded passage): a fragment holds no evidence, so the automatic rule
    /// takes every `Name:` at a line start.
    pub fn for_fragments(&self) -> SpeakerRule {
        match self {
            SpeakerRule::Preset(Preset::Auto) => SpeakerRule::Preset(Preset::Colon),
            other => other.clone(),
        }
    }

    /// How the rule is described to people.
    pub fn describe(&self) -> String {
        match self {
            SpeakerRule::Preset(p) => format!("speaker preset `{}`", p.name()),
            SpeakerRule::Pattern(p) => format!("speaker pattern `{}`", p.as_str()),
        }
    }
}

/// Reads `text` for speakers with `rule`. `header` is the byte range of the
/// metadata header the reader found (its lines are neither passages nor
/// matched); `headings` are the blocks of lines (counted from 0) that the
/// format marks as headings (Word and ODF heading styles).
pub fn attribute(text: &str, header: Option<(usize, usize)>, headings: &[usize], rule: &SpeakerRule) -> Attribution {
    decide::attribute(text, header, headings, rule)
}

/// `name`, shared with an earlier equal name of `names`.
pub(crate) fn intern(names: &mut Vec<Arc<str>>, name: &str) -> Arc<str> {
    if let Some(known) = names.iter().find(|n| &***n == name) {
        return known.clone();
    }
    let new: Arc<str> = name.into();
    names.push(new.clone());
    new
}
