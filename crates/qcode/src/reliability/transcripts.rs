//! The transcripts behind coded CSVs: every segment of every document, so
//! that agreement counts the segments nobody coded (agreements on absence)
//! and character tables know each document's length.
//!
//! A coded CSV lists coded passages only. Segmenting the transcripts again,
//! with the same unit and speaker rule, recovers the full list of units the
//! coders looked at.

use std::path::PathBuf;

use indexmap::IndexMap;
use rayon::prelude::*;

use super::input::CodedFile;
use crate::codebook::People;
use crate::corpus::{Document, ReadOptions, Source, read_source};
use crate::error::{Error, Result};
use crate::pipeline::{Observer, Setup};
use crate::segment::{Segment, Unit};
use crate::speakers::SpeakerRule;

/// One document: its text and segments.
#[derive(Debug, Clone)]
pub struct TranscriptDoc {
    /// The normalised text (offsets of the coded CSV refer to it).
    pub text: String,
    /// Length of the text in characters.
    pub n_chars: usize,
    /// Its segments, in order of their 1-based numbers, which may have gaps
    /// (see [`TranscriptDoc::segment`]).
    pub segments: Vec<Segment>,
}

impl TranscriptDoc {
    /// The transcript of `doc`, cut into `segments`.
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
    /// The documents, by id, in input order.
    pub docs: IndexMap<String, TranscriptDoc>,
}

impl Transcripts {
    /// No documents yet; they are to be cut into `unit`.
    pub fn new(unit: Unit) -> Transcripts {
        Transcripts {
            unit,
            docs: IndexMap::new(),
        }
    }

    /// Reads and segments the transcripts at `inputs` (files or folders,
    /// as `qcode code` takes them); also returns the warnings about files
    /// skipped in folders.
    pub fn load(
        inputs: &[PathBuf],
        read: &ReadOptions,
        speakers: &SpeakerRule,
        people: &People,
        unit: Unit,
    ) -> Result<(Transcripts, Vec<String>)> {
        let (sources, warnings) = crate::corpus::discover(inputs, read)?;
        Ok((Transcripts::read(&sources, read, speakers, people, unit)?, warnings))
    }

    /// Reads and segments `sources` (in parallel; the result is in input
    /// order) as [`crate::pipeline::code_document`] does, with the same
    /// unit, speaker rule and names of speakers: speakers given by the
    /// format win over the speaker rule, and subtitle cues give segments
    /// their times.
    pub fn read(
        sources: &[Source],
        read: &ReadOptions,
        speakers: &SpeakerRule,
        people: &People,
        unit: Unit,
    ) -> Result<Transcripts> {
        let docs: Vec<Result<Vec<(String, TranscriptDoc)>>> = sources
            .par_iter()
            .map(|source| {
                Ok(read_source(source, read)?
                    .into_iter()
                    .map(|doc| {
                        let (_, mut segments) = crate::segment::segment_document(&doc, unit, speakers);
                        crate::pipeline::name_speakers(&mut segments, people);
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

/// Codes `sources` now, as qcode's automatic coding, keeping their segments
/// as the units of a comparison.
pub fn code(sources: &[Source], setup: &Setup, observer: &dyn Observer) -> Result<(CodedFile, Transcripts)> {
    let mut transcripts = Transcripts::new(setup.unit);
    let mut codings = Vec::new();
    crate::pipeline::run(sources, setup, observer, |coded| {
        codings.extend(coded.codings(&setup.codebook, setup.unit));
        transcripts
            .docs
            .insert(coded.doc.id.clone(), TranscriptDoc::new(&coded.doc, coded.segments));
        Ok(())
    })?;
    if codings.is_empty() {
        return Err(Error::new("qcode coded nothing in these transcripts, so there is nothing to audit")
            .hint("check the rules with `qcode codebook check`, and that these are the transcripts the gold standard coded"));
    }
    let file = CodedFile {
        name: "qcode (automatic coding)".to_string(),
        codings,
    };
    Ok((file, transcripts))
}
