//! What qcode reads as speakers in one document, for people to check
//! (`qcode speakers`): each speaker with their turns, paragraphs, words
//! and first line, the shapes of label seen, the lines that looked like
//! labels but were not taken, and warnings a researcher can act on.
//!
//! The warnings are the mistakes that cost a study most: no labels at all
//! (so speaker scopes cannot leave the interviewer out); a label written
//! once that speaks many paragraphs (a header line or a heading taken for
//! a speaker); and labels that look alike but count as two people (`R1` and
//! `R 1`, `Entrevistadora` and `ENTREVISTADORA`), which the codebook's
//! `speakers:` can name as one.

use std::sync::Arc;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{Attribution, Shape};
use crate::codebook::People;
use crate::segment::Segment;

/// A label written once that speaks this many paragraphs or more is
/// reported.
const MANY_PARAGRAPHS: usize = 5;
/// The most lines not taken as labels that a document's report lists.
const SET_ASIDE_SHOWN: usize = 5;

/// One speaker of a document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SpeakerCount {
    /// The speaker, under the codebook's name when it gives one; `None`:
    /// the passages nobody can be said to speak.
    pub speaker: Option<String>,
    /// The speaker's role in the codebook's `roles:`.
    pub role: Option<String>,
    /// The labels that name them, as written (more than one when the
    /// codebook's aliases join them).
    pub written: Vec<String>,
    /// Runs of consecutive paragraphs.
    pub turns: usize,
    /// Paragraphs (passages).
    pub paragraphs: usize,
    /// Words, labels left out.
    pub words: usize,
    /// The line where they first speak.
    pub first_line: usize,
    /// How their labels are written, each with how often.
    pub shapes: Vec<(Shape, usize)>,
}

impl SpeakerCount {
    /// A speaker (or nobody) first met at `first_line`, nothing counted yet.
    fn new(speaker: Option<String>, role: Option<String>, first_line: usize) -> SpeakerCount {
        SpeakerCount {
            speaker,
            role,
            written: Vec::new(),
            turns: 0,
            paragraphs: 0,
            words: 0,
            first_line,
            shapes: Vec::new(),
        }
    }
}

/// A line whose start looked like a label but was not taken for one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SetAside {
    /// The name it would have given.
    pub name: String,
    /// Its line.
    pub line: usize,
}

/// What qcode reads as speakers in one document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentSpeakers {
    /// The document's id.
    pub document: String,
    /// Its speakers in order of first appearance, then the passages of
    /// nobody.
    pub speakers: Vec<SpeakerCount>,
    /// How its labels are written, each with how often.
    pub shapes: Vec<(Shape, usize)>,
    /// The first lines that looked like labels but were not taken.
    pub set_aside: Vec<SetAside>,
    /// How many lines looked like labels but were not taken.
    pub set_aside_count: usize,
    /// What a researcher should look at.
    pub warnings: Vec<String>,
}

/// What the reading of `text` found: `attribution` read it, `paragraphs`
/// are its paragraph segments (one per passage, with the speakers' names
/// the codebook's `people` give them), `cells` says it is a table row read
/// without a speaker rule (no warning about missing labels).
pub fn summarize(
    document: &str,
    text: &str,
    first_line: usize,
    attribution: &Attribution,
    paragraphs: &[Segment],
    people: &People,
    cells: bool,
) -> DocumentSpeakers {
    let mut speakers: Vec<SpeakerCount> = Vec::new();
    let mut nobody: Option<SpeakerCount> = None;
    let mut previous: Option<Option<Arc<str>>> = None;
    for (passage, seg) in attribution.passages.iter().zip(paragraphs) {
        let body = match passage.label.map(|k| &attribution.labels[k]) {
            Some(label) if label.start == passage.start => &text[label.end.min(passage.end)..passage.end],
            _ => &text[passage.start..passage.end],
        };
        let entry = match &seg.speaker {
            Some(name) => {
                let at = match speakers.iter().position(|s| s.speaker.as_deref() == Some(&**name)) {
                    Some(at) => at,
                    None => {
                        let role = people.role_of(name).map(str::to_string);
                        speakers.push(SpeakerCount::new(Some(name.to_string()), role, seg.start_line));
                        speakers.len() - 1
                    }
                };
                &mut speakers[at]
            }
            None => nobody.get_or_insert_with(|| SpeakerCount::new(None, None, seg.start_line)),
        };
        entry.paragraphs += 1;
        entry.words += body.split_whitespace().count();
        if previous.as_ref() != Some(&seg.speaker) || seg.speaker.is_none() {
            entry.turns += 1;
        }
        if let Some(label) = passage.label.map(|k| &attribution.labels[k]) {
            if !entry.written.iter().any(|w| **w == *label.speaker) {
                entry.written.push(label.speaker.to_string());
            }
            count(&mut entry.shapes, label.shape);
        }
        previous = Some(seg.speaker.clone());
    }
    let mut shapes = Vec::new();
    for label in &attribution.labels {
        count(&mut shapes, label.shape);
    }
    let lines = LineOf::new(text, first_line);
    let set_aside: Vec<SetAside> = attribution
        .set_aside
        .iter()
        .take(SET_ASIDE_SHOWN)
        .map(|&(s, e)| SetAside {
            name: text[s..e].to_string(),
            line: lines.at(s),
        })
        .collect();
    let mut out = DocumentSpeakers {
        document: document.to_string(),
        speakers,
        shapes,
        set_aside,
        set_aside_count: attribution.set_aside.len(),
        warnings: Vec::new(),
    };
    out.warnings = warnings(&out, attribution, paragraphs, cells);
    out.speakers.extend(nobody);
    out
}

/// Adds one to the count of `shape`.
fn count(shapes: &mut Vec<(Shape, usize)>, shape: Shape) {
    match shapes.iter_mut().find(|(s, _)| *s == shape) {
        Some((_, n)) => *n += 1,
        None => shapes.push((shape, 1)),
    }
}

/// Lines of byte offsets of a text.
struct LineOf<'a> {
    text: &'a str,
    first_line: usize,
}

impl<'a> LineOf<'a> {
    fn new(text: &'a str, first_line: usize) -> Self {
        LineOf { text, first_line }
    }

    fn at(&self, offset: usize) -> usize {
        self.first_line + memchr::memchr_iter(b'\n', &self.text.as_bytes()[..offset]).count()
    }
}

/// The warnings about a document's speakers.
fn warnings(doc: &DocumentSpeakers, attribution: &Attribution, paragraphs: &[Segment], cells: bool) -> Vec<String> {
    let mut out = Vec::new();
    if attribution.labels.is_empty() && !attribution.passages.is_empty() && !cells {
        let mut warning = "no speaker labels found: nobody speaks its passages, so `skip_speakers` cannot leave an \
                           interviewer out and `--by speaker` counts it under (none)"
            .to_string();
        if let Some(first) = doc.set_aside.first() {
            warning.push_str(&format!(
                "; {} line(s) look like labels but were not taken, as a name seen once is not taken for a speaker \
                 (first: `{}` on line {}); if they are speakers, read them with `--speaker-preset colon`",
                doc.set_aside_count, first.name, first.line
            ));
        } else {
            warning.push_str(
                "; if it is a transcript, give its convention with `--speaker-pattern` or `--speaker-preset` \
                 (docs/speakers.md lists the conventions qcode reads)",
            );
        }
        out.push(warning);
    }
    // A label written once that speaks many paragraphs.
    for speaker in &doc.speakers {
        let Some(name) = &speaker.speaker else { continue };
        let labels = attribution
            .passages
            .iter()
            .zip(paragraphs)
            .filter(|(p, s)| p.label.is_some() && s.speaker.as_deref() == Some(name.as_str()));
        let labelled: Vec<&Segment> = labels.map(|(_, s)| s).collect();
        if labelled.len() == 1 && speaker.paragraphs >= MANY_PARAGRAPHS {
            let last = paragraphs
                .iter()
                .rev()
                .find(|s| s.speaker.as_deref() == Some(name.as_str()))
                .map_or(speaker.first_line, |s| s.end_line);
            out.push(format!(
                "`{name}` labels one line (line {}) but speaks {} paragraphs, up to line {last}: if it is not a \
                 speaker (a heading, a line of a header), give the document's convention with `--speaker-pattern`",
                labelled[0].start_line, speaker.paragraphs
            ));
        }
    }
    // Labels that look alike.
    let named: Vec<&str> = doc.speakers.iter().filter_map(|s| s.speaker.as_deref()).collect();
    let mut reported: Vec<String> = Vec::new();
    for (i, a) in named.iter().enumerate() {
        let key = look(a);
        if reported.contains(&key) {
            continue;
        }
        let alike: Vec<&str> = named[i + 1..].iter().copied().filter(|b| look(b) == key).collect();
        if !alike.is_empty() {
            reported.push(key);
            let quoted: Vec<String> = alike.iter().map(|b| format!("\"{b}\"")).collect();
            out.push(format!(
                "`{a}` and {} look alike but count as different speakers; if they are one person, name them once \
                 in the codebook: `speakers: {{{a}: [{}]}}`",
                alike.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(", "),
                quoted.join(", ")
            ));
        }
    }
    out
}

/// How a name looks once case, accents, spaces and punctuation are put
/// aside: `R 1` and `R1`, `Entrevistadora` and `ENTREVISTADORA`.
fn look(name: &str) -> String {
    name.nfd()
        .filter(|c| !is_combining_mark(*c) && c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{Unit, segment};
    use crate::speakers::{SpeakerRule, attribute};

    fn summary(text: &str) -> DocumentSpeakers {
        let read = attribute(text, None, &[], &SpeakerRule::default());
        let paragraphs = segment(text, Unit::Paragraph, &read, 1);
        summarize("doc", text, 1, &read, &paragraphs, &People::default(), false)
    }

    #[test]
    fn speakers_with_turns_words_and_first_lines() {
        let s = summary("Intro line.\n\nE: ¿Sí?\n\nR1: Sí, claro.\n\nY más.\n\nE: ¿Y?\n\nR1: No.\n");
        let rows: Vec<(Option<&str>, usize, usize, usize, usize)> = s
            .speakers
            .iter()
            .map(|c| (c.speaker.as_deref(), c.turns, c.paragraphs, c.words, c.first_line))
            .collect();
        assert_eq!(
            rows,
            [(Some("E"), 2, 2, 2, 3), (Some("R1"), 2, 3, 5, 5), (None, 1, 1, 2, 1)]
        );
        assert_eq!(s.shapes, [(Shape::Colon, 4)]);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn no_labels_and_names_set_aside() {
        let s = summary("Went to the park.\n\nTecún Umán: the rafts were full.\n\nBack home.\n");
        assert_eq!(
            s.set_aside,
            [SetAside {
                name: "Tecún Umán".into(),
                line: 3
            }]
        );
        assert_eq!(s.warnings.len(), 1);
        assert!(s.warnings[0].contains("no speaker labels found"), "{:?}", s.warnings);
        assert!(s.warnings[0].contains("`Tecún Umán` on line 3"), "{:?}", s.warnings);
    }

    #[test]
    fn one_label_speaking_many_paragraphs() {
        let text = "Transcripción: archivo.\n\nE: ¿Sí?\n\nR: Sí.\n\nE: ¿Y?\n\nR: No.\n\nSección: uno.\n\na.\n\nb.\n\nc.\n\nd.\n";
        let read = attribute(text, None, &[], &SpeakerRule::Preset(crate::speakers::Preset::Colon));
        let paragraphs = segment(text, Unit::Paragraph, &read, 1);
        let s = summarize("doc", text, 1, &read, &paragraphs, &People::default(), false);
        let many: Vec<&String> = s.warnings.iter().filter(|w| w.contains("labels one line")).collect();
        assert_eq!(many.len(), 1, "{:?}", s.warnings);
        assert!(many[0].starts_with("`Sección` labels one line (line 11) but speaks 5 paragraphs, up to line 19"));
    }

    #[test]
    fn look_alike_labels() {
        let s = summary(
            "R1: Uno.\n\nR 1: Dos.\n\nR1: Tres.\n\nR 1: Cuatro.\n\nENTREVISTADORA: ¿Sí?\n\nEntrevistadora: ¿Y?\n",
        );
        assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
        assert!(
            s.warnings[0].starts_with("`R1` and `R 1` look alike"),
            "{:?}",
            s.warnings
        );
        assert!(s.warnings[1].contains("`speakers: {ENTREVISTADORA: [\"Entrevistadora\"]}`"));
    }
}
