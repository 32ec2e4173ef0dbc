//! Developing a codebook the way software is developed: rules tested
//! against the codebook's own examples (`examples`), and, later in the
//! loop, a candidate term seen in context, an edit's effect on the corpus
//! and the words that set coded passages apart.
//!
//! Everything here runs the real matcher ([`crate::matcher`]) on codebooks
//! derived from the one given (one code per rule, a rule without its `not`
//! terms…) rather than re-implementing matching: a test or preview that
//! matched differently from `qcode code` would mislead exactly when it
//! matters.

pub mod diff;
pub mod examples;
pub mod kwic;
pub mod lint;
pub mod words;

use std::sync::Arc;

use crate::codebook::{Code, Codebook, People, SpeakerSet};
use crate::segment::{self, Segment, Unit};
use crate::speakers::{Attribution, SpeakerRule, attribute};

/// A passage read alone, as the one segment of a document: its speaker is
/// the label at its start (`Interviewer: …`), if any, named as the
/// codebook's `speakers:` name it.
fn passage(text: &str, rule: &SpeakerRule, people: &People) -> (Attribution, Vec<Segment>) {
    let read = attribute(text, None, &[], rule);
    let mut segments = segment::segment(text, Unit::Document, &read, 1);
    crate::pipeline::name_speakers(&mut segments, people);
    (read, segments)
}

/// The speaker of a passage read alone, if a label at its start gives one.
fn speaker_of(segments: &[Segment]) -> Option<Arc<str>> {
    segments.first().and_then(|s| s.speaker.clone())
}

/// `codebook` with `codes` in place of its codes (the rest, such as its
/// speakers and roles, kept): the derived codebooks the matcher compiles.
fn with_codes(codebook: &Codebook, codes: Vec<Code>) -> Codebook {
    let mut derived = codebook.clone();
    derived.codes = codes;
    derived
}

/// `code` alone, at the top of the hierarchy: a derived code.
fn detached(code: &Code) -> Code {
    Code {
        parent: None,
        depth: 0,
        ..code.clone()
    }
}

/// `codebook` with no speaker scope on any code.
fn without_scopes(codebook: &Codebook) -> Codebook {
    let mut derived = codebook.clone();
    for code in &mut derived.codes {
        code.rules.speakers = SpeakerSet::default();
        code.rules.skip_speakers = SpeakerSet::default();
    }
    derived.skip_speakers = SpeakerSet::default();
    derived
}
