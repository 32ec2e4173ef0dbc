//! The transcripts behind coded CSVs: every segment of every document, so
//! that reports made from codings know the passages nobody coded — agreement
//! counts them as agreements on absence, a crosstab as the size of its
//! groups — and character tables know each document's length.
//!
//! A coded CSV lists coded passages only. Segmenting the transcripts again,
//! with the same unit and speaker rule, recovers the full list of units the
//! coders looked at.

use std::path::PathBuf;

use indexmap::{IndexMap, IndexSet};
use rayon::prelude::*;

use crate::codebook::People;
use crate::coding::Coding;
use crate::corpus::{Document, ReadOptions, Selection, Source, read_source};
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
    /// Its attributes: front matter, table columns and the attributes file.
    pub attributes: IndexMap<String, String>,
}

impl TranscriptDoc {
    /// The transcript of `doc`, cut into `segments`.
    pub fn new(doc: &Document, segments: Vec<Segment>) -> TranscriptDoc {
        TranscriptDoc {
            n_chars: doc.text.chars().count(),
            text: doc.text.clone(),
            segments,
            attributes: doc.attributes.clone(),
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

    /// The names of the documents' attributes, in the order first met.
    pub fn attribute_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for doc in self.docs.values() {
            for name in doc.attributes.keys() {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        names
    }

    /// Reads and segments the transcripts at `inputs` (files or folders,
    /// as `qcode code` takes them); also returns the warnings about files
    /// skipped in folders.
    pub fn load(
        inputs: &[PathBuf],
        read: &ReadOptions,
        selection: &Selection,
        speakers: &SpeakerRule,
        people: &People,
        unit: Unit,
    ) -> Result<(Transcripts, Vec<String>)> {
        let (sources, warnings) = crate::corpus::discover(inputs, read)?;
        Ok((
            Transcripts::read(&sources, read, selection, speakers, people, unit)?,
            warnings,
        ))
    }

    /// Codes `sources` with `setup`, keeping every segment: the codings of
    /// the rules, and the transcripts they were made from (`audit` and
    /// `suggest` need the passages nobody coded).
    pub fn code(sources: &[Source], setup: &Setup, observer: &dyn Observer) -> Result<(Vec<Coding>, Transcripts)> {
        let mut transcripts = Transcripts::new(setup.unit);
        let mut codings = Vec::new();
        crate::pipeline::run(sources, setup, observer, |coded| {
            codings.extend(coded.codings(&setup.codebook, setup.unit));
            transcripts
                .docs
                .insert(coded.doc.id.clone(), TranscriptDoc::new(&coded.doc, coded.segments));
            Ok(())
        })?;
        Ok((codings, transcripts))
    }

    /// Reads and segments `sources` (in parallel; the result is in input
    /// order) as [`crate::pipeline::code_document`] does, with the same
    /// unit, speaker rule and names of speakers: speakers given by the
    /// format win over the speaker rule, and subtitle cues give segments
    /// their times; only the documents `selection` takes, with their
    /// attributes.
    pub fn read(
        sources: &[Source],
        read: &ReadOptions,
        selection: &Selection,
        speakers: &SpeakerRule,
        people: &People,
        unit: Unit,
    ) -> Result<Transcripts> {
        let docs: Vec<Result<Vec<(String, TranscriptDoc)>>> = sources
            .par_iter()
            .map(|source| {
                Ok(read_source(source, read)?
                    .into_iter()
                    .filter_map(|mut doc| {
                        if !selection.take(&mut doc) {
                            return None;
                        }
                        let (_, mut segments) = crate::segment::segment_document(&doc, unit, speakers);
                        crate::pipeline::name_speakers(&mut segments, people);
                        Some((doc.id.clone(), TranscriptDoc::new(&doc, segments)))
                    })
                    .collect())
            })
            .collect();
        let mut out = Transcripts::new(unit);
        for d in docs {
            out.docs.extend(d?);
        }
        selection.finish()?;
        Ok(out)
    }
}

/// The error for documents of coded files that the transcripts lack.
pub fn unknown_documents(docs: &IndexSet<String>) -> Error {
    let names: Vec<String> = docs.iter().map(|d| format!("`{d}`")).collect();
    Error::new(format!(
        "{} document(s) of the coded files are not among the transcripts: {}",
        names.len(),
        crate::reliability::data::examples(&names)
    ))
    .hint("give the folder the coded CSVs were made from: document ids are paths relative to it")
}
