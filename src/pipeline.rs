//! The coding run: sources → documents → segments → applied codes.
//!
//! Documents are read, segmented and matched in parallel, in batches, and
//! handed to the caller one at a time in input order. Output is therefore
//! byte-identical whatever the number of threads, and memory holds one
//! batch of documents at a time, not the corpus.

use std::borrow::Cow;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::codebook::Codebook;
use crate::coding::{AUTO_CODER, Coding, distinct_matches};
use crate::corpus::{AttributeTable, Document, ReadOptions, Source, read_source};
use crate::error::Result;
use crate::matcher::{Applied, Matcher};
use crate::segment::{self, Label, Segment, SpeakerRule, TimeRange, Unit};

/// Everything a coding run needs, built once.
pub struct Setup {
    pub codebook: Codebook,
    pub matcher: Matcher,
    pub unit: Unit,
    pub speakers: SpeakerRule,
    pub read: ReadOptions,
    pub attributes: Option<AttributeTable>,
    /// Keep only the segments that start in this stretch of time.
    pub times: Option<TimeRange>,
}

impl Setup {
    /// Compiles the codebook; `unit` and `speaker_pattern` override the
    /// codebook's own settings.
    pub fn new(
        codebook: Codebook,
        unit: Option<Unit>,
        speaker_pattern: Option<&str>,
        read: ReadOptions,
        attributes: Option<AttributeTable>,
    ) -> Result<Setup> {
        let matcher = Matcher::new(&codebook)?;
        let speakers = match speaker_pattern.or(codebook.speaker_pattern.as_deref()) {
            Some(p) => SpeakerRule::custom(p)?,
            None => SpeakerRule::default(),
        };
        Ok(Setup {
            unit: unit.unwrap_or(codebook.unit),
            codebook,
            matcher,
            speakers,
            read,
            attributes,
            times: None,
        })
    }
}

/// A document after coding.
pub struct CodedDocument {
    pub doc: Document,
    pub segments: Vec<Segment>,
    /// Ordered by segment, then code.
    pub applied: Vec<Applied>,
}

/// A document's speaker labels and segments. Labels the format gave
/// (subtitles) win over the speaker rule, and subtitle cues give segments
/// their times.
pub fn segment_document<'d>(doc: &'d Document, unit: Unit, speakers: &SpeakerRule) -> (Cow<'d, [Label]>, Vec<Segment>) {
    let labels: Cow<[Label]> = match &doc.labels {
        Some(given) => Cow::Borrowed(given),
        None => Cow::Owned(segment::find_labels(&doc.text, speakers)),
    };
    let mut segments = segment::segment(&doc.text, unit, &labels, doc.first_line);
    segment::apply_cues(&mut segments, &doc.cues);
    (labels, segments)
}

/// Segments and codes one document.
pub fn code_document(mut doc: Document, setup: &Setup) -> CodedDocument {
    if let Some(table) = &setup.attributes {
        table.apply(&mut doc);
    }
    let (labels, mut segments) = segment_document(&doc, setup.unit, &setup.speakers);
    let mut untimed = false;
    if let Some(range) = &setup.times {
        untimed = !segments.is_empty() && segments.iter().all(|s| s.start_time.is_none());
        segments.retain(|s| range.contains(s));
    }
    let applied = setup.matcher.apply(&doc.text, &labels, &segments);
    drop(labels);
    if untimed {
        let warning = format!("{}: no passage has a time, so --from/--to leave none of it", doc.id);
        doc.warnings.push(warning);
    }
    CodedDocument { doc, segments, applied }
}

/// Sources per parallel batch: enough to keep every core busy, few enough
/// that memory stays small (a batch of documents is in memory at a time).
const BATCH: usize = 64;

/// Runs with fewer sources than this finish too fast to need a progress bar.
const PROGRESS_FROM: usize = 200;

/// Codes every source, calling `each` on the documents in input order.
///
/// A progress bar counts files on stderr when stderr is a terminal (and
/// never otherwise, so logs and pipes stay clean); warnings about documents
/// print above it.
pub fn run(sources: &[Source], setup: &Setup, mut each: impl FnMut(CodedDocument) -> Result<()>) -> Result<()> {
    let bar = if sources.len() >= PROGRESS_FROM {
        ProgressBar::with_draw_target(Some(sources.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed} (about {eta} left)")
            .expect("valid progress template"),
    );
    for batch in sources.chunks(BATCH) {
        let results: Vec<Result<Vec<CodedDocument>>> = batch
            .par_iter()
            .map(|source| {
                let docs = read_source(source, &setup.read)?;
                Ok(docs.into_iter().map(|d| code_document(d, setup)).collect())
            })
            .collect();
        for result in results {
            let result = result.inspect_err(|_| bar.finish_and_clear())?;
            for coded in result {
                for w in &coded.doc.warnings {
                    bar.suspend(|| eprintln!("qcode: warning: {w}"));
                }
                each(coded).inspect_err(|_| bar.finish_and_clear())?;
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    Ok(())
}

impl CodedDocument {
    /// The document's codings, as rows of the coded CSV.
    pub fn codings(&self, codebook: &Codebook, unit: Unit) -> Vec<Coding> {
        let attributes = Arc::new(self.doc.attributes.clone());
        self.applied
            .iter()
            .map(|a| {
                let seg = &self.segments[a.segment];
                let text = &self.doc.text[seg.start..seg.end];
                let spans: Vec<(usize, usize)> = a.spans.iter().map(|&(s, e)| (s - seg.start, e - seg.start)).collect();
                Coding {
                    document: self.doc.id.clone(),
                    segment: seg.index,
                    unit: unit.as_str().to_string(),
                    start_line: seg.start_line,
                    end_line: seg.end_line,
                    start_char: seg.start_char,
                    end_char: seg.end_char,
                    speaker: seg.speaker.clone().unwrap_or_default(),
                    code: codebook.codes[a.code].name.clone(),
                    coder: AUTO_CODER.to_string(),
                    hits: a.hits,
                    matched: distinct_matches(text, &spans),
                    text: text.to_string(),
                    start_time: seg.start_time.clone().unwrap_or_default(),
                    end_time: seg.end_time.clone().unwrap_or_default(),
                    spans,
                    attributes: attributes.clone(),
                }
            })
            .collect()
    }
}
