//! The transcripts behind coded CSVs: every segment of every document, so
//! that agreement counts the segments nobody coded (agreements on absence)
//! and character tables know each document's length.
//!
//! A coded CSV lists coded passages only. Segmenting the transcripts again,
//! with the same unit and speaker rule, recovers the full list of units the
//! coders looked at.

use indexmap::IndexMap;
use rayon::prelude::*;

use crate::corpus::{Document, ReadOptions, Source, read_source};
use crate::error::Result;
use crate::segment::{Segment, Unit};
use crate::speakers::SpeakerRule;

/// One document: its text and segments.
#[derive(Debug, Clone)]
pub struct TranscriptDoc {
    /// The normalised text (offsets of the coded CSV refer to it).
    pub text: String,
    /// Length of the text in characters.
    pub n_chars: usize,
    pub segments: Vec<Segment>,
}

impl TranscriptDoc {
    pub fn new(doc: &Document, segments: Vec<Segment>) -> TranscriptDoc {
        TranscriptDoc {
            n_chars: doc.text.chars().count(),
            text: doc.text.clone(),
            segments,
        }
    }

    /// The segment numbered `index` (1-based, as in the coded CSV).
    /// Segments are looked up by number, not position: a time filter
    /// (`--from`/`--to`) may have left gaps.
    pub fn segment(&self, index: usize) -> Option<&Segment> {
        self.segments
            .binary_search_by_key(&index, |s| s.index)
            .ok()
            .map(|i| &self.segments[i])
    }

    /// The text of `segment`.
    pub fn text_of(&self, segment: &Segment) -> &str {
        &self.text[segment.start..segment.end]
    }
}

/// The segmented transcripts, by document id, in input order.
#[derive(Debug, Clone)]
pub struct Transcripts {
    /// The unit the documents were cut into.
    pub unit: Unit,
    pub docs: IndexMap<String, TranscriptDoc>,
}

impl Transcripts {
    pub fn new(unit: Unit) -> Transcripts {
        Transcripts {
            unit,
            docs: IndexMap::new(),
        }
    }

    /// Reads and segments `sources` (in parallel; the result is in input
    /// order) as [`crate::pipeline::code_document`] does, with the same
    /// unit and speaker rule: labels given by the format win over the
    /// speaker rule, and subtitle cues give segments their times.
    pub fn read(sources: &[Source], read: &ReadOptions, speakers: &SpeakerRule, unit: Unit) -> Result<Transcripts> {
        let docs: Vec<Result<Vec<(String, TranscriptDoc)>>> = sources
            .par_iter()
            .map(|source| {
                Ok(read_source(source, read)?
                    .into_iter()
                    .map(|doc| {
                        let (_, segments) = crate::segment::segment_document(&doc, unit, speakers);
                        (doc.id.clone(), TranscriptDoc::new(&doc, segments))
                    })
                    .collect())
            })
            .collect();
        let mut out = Transcripts::new(unit);
        for d in docs {
            out.docs.extend(d?);
        }
        Ok(out)
    }
}
