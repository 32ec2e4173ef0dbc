//! The coding run: sources → documents → segments → applied codes.
//!
//! Documents are read, segmented and matched in parallel and handed to the
//! caller one at a time in input order ([`run`]; [`read`] reads without
//! coding). Output is therefore byte-identical whatever the number of
//! threads, and memory holds a few documents per thread at a time, not the
//! corpus.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};

use crate::codebook::{Codebook, People};
use crate::coding::{AUTO_CODER, Coding, distinct_matches};
use crate::corpus::{
    AttributeTable, Document, DocumentFilter, ReadOptions, Selection, Source, SpeakerSource, read_source,
};
use crate::error::{Error, Result};
use crate::matcher::{Applied, Matcher};
use crate::report::counted;
use crate::segment::{Segment, Unit, segment_document};
use crate::speakers::{Attribution, SpeakerRule};
use crate::time::TimeRange;

/// Everything a coding run needs, built once.
pub struct Setup {
    /// The codebook applied.
    pub codebook: Codebook,
    /// The codebook's rules, compiled.
    pub matcher: Matcher,
    /// The unit documents are cut into: the one asked for, else the
    /// codebook's.
    pub unit: Unit,
    /// How speaker labels are found (for formats that do not give them).
    pub speakers: SpeakerRule,
    /// How sources are read.
    pub read: ReadOptions,
    /// Attributes added to every document the table lists; `None`: no
    /// attributes file.
    pub attributes: Option<AttributeTable>,
    /// Which documents are coded, by their attributes (`--where`).
    pub filter: DocumentFilter,
    /// Keep only the segments that start in this stretch of time.
    pub times: Option<TimeRange>,
    /// Who speaks matters to this run (the codebook scopes codes by
    /// speaker, or a table groups by speaker): a document in which nobody
    /// can be said to speak gets a warning.
    pub speakers_matter: bool,
}

impl Setup {
    /// Compiles the codebook with its own unit and speaker rule, for
    /// documents given in memory ([`Document::from_text`]).
    pub fn from_codebook(codebook: Codebook) -> Result<Setup> {
        Setup::new(codebook, None, None, ReadOptions::default(), None)
    }

    /// Compiles the codebook; `unit` and `speakers` override the codebook's
    /// own settings.
    pub fn new(
        codebook: Codebook,
        unit: Option<Unit>,
        speakers: Option<SpeakerRule>,
        read: ReadOptions,
        attributes: Option<AttributeTable>,
    ) -> Result<Setup> {
        let matcher = Matcher::new(&codebook)?;
        let speakers = match speakers {
            Some(rule) => rule,
            None => codebook.speaker_rule()?,
        };
        let scoped = codebook
            .codes
            .iter()
            .any(|c| !c.rules.speakers.is_empty() || !c.rules.skip_speakers.is_empty());
        Ok(Setup {
            unit: unit.unwrap_or(codebook.unit),
            speakers_matter: scoped,
            codebook,
            matcher,
            speakers,
            read,
            attributes,
            filter: DocumentFilter::default(),
            times: None,
        })
    }
}

/// A document after coding.
pub struct CodedDocument {
    /// The document, with the attributes of [`Setup::attributes`] added.
    pub doc: Document,
    /// Its segments, in text order; only those that start in
    /// [`Setup::times`] when it is set.
    pub segments: Vec<Segment>,
    /// Ordered by segment, then code.
    pub applied: Vec<Applied>,
    /// The matches' byte ranges, by [`Applied::spans`].
    pub spans: Vec<(usize, usize)>,
    /// No speaker labels were found in it while the run needs speakers (the
    /// codebook scopes codes by speaker, or a crosstab is by speaker).
    pub nobody_speaks: bool,
}

/// Segments and codes one document.
pub fn code_document(mut doc: Document, setup: &Setup) -> CodedDocument {
    if let Some(table) = &setup.attributes {
        table.apply(&mut doc);
    }
    code_taken(doc, setup)
}

/// Segments and codes a document whose attributes are complete.
fn code_taken(mut doc: Document, setup: &Setup) -> CodedDocument {
    let (attribution, mut segments) = segment_document(&doc, setup.unit, &setup.speakers);
    name_speakers(&mut segments, &setup.codebook.people);
    let mut untimed = false;
    if let Some(range) = &setup.times {
        untimed = !segments.is_empty() && segments.iter().all(|s| s.start_time.is_none());
        // A segment without a time of its own started after the last time
        // written before it.
        let mut last: Option<String> = None;
        segments.retain(|s| {
            if s.start_time.is_some() {
                last.clone_from(&s.start_time);
            }
            range.contains(last.as_deref())
        });
    }
    let applied = setup.matcher.apply(&doc.text, &attribution.masked, &segments);
    let read_for_speakers = doc.speakers != SpeakerSource::Cells || setup.speakers.is_explicit();
    let nobody_speaks = setup.speakers_matter && read_for_speakers && unattributed(&attribution);
    drop(attribution);
    if untimed {
        let warning = format!("{}: no passage has a time, so --from/--to leave none of it", doc.id);
        doc.warnings.push(warning);
    }
    CodedDocument {
        doc,
        segments,
        applied: applied.applied,
        spans: applied.spans,
        nobody_speaks,
    }
}

/// Gives segments the names the codebook gives their speakers (its
/// `speakers:` aliases: `Entrevistadora`, `E` → `Interviewer`), so that
/// speaker scopes and crosstabs treat one person as one whatever their
/// documents call them. Segments of one speaker share one name.
pub fn name_speakers(segments: &mut [Segment], people: &People) {
    if !people.has_aliases() {
        return;
    }
    // Per label met in the document, its name.
    let mut named: Vec<(Arc<str>, Arc<str>)> = Vec::new();
    for seg in segments {
        let Some(label) = &seg.speaker else { continue };
        let known = named.iter().find(|(l, _)| Arc::ptr_eq(l, label) || l == label);
        let name = match known {
            Some((_, name)) => name.clone(),
            None => {
                let name = people.speaker_of(label).cloned().unwrap_or_else(|| label.clone());
                named.push((label.clone(), name.clone()));
                name
            }
        };
        seg.speaker = Some(name);
    }
}

/// Whether a document has passages and nobody speaks any of them.
fn unattributed(attribution: &Attribution) -> bool {
    !attribution.passages.is_empty() && attribution.passages.iter().all(|p| p.speaker.is_none())
}

/// How many sources, per thread, may be read and coded ahead of the one the
/// caller is waiting for: enough that a long document does not leave the
/// other threads idle, few enough that memory stays small.
const AHEAD_PER_THREAD: usize = 4;

/// What a coding run tells its caller while it works: how far it is, and
/// warnings about documents (a guessed encoding, a time filter that leaves
/// nothing). The library never prints; the command line draws a progress
/// bar and prints the warnings above it. Every method is called from the
/// caller's thread, in input order.
pub trait Observer {
    /// The run starts, with `sources` files to read.
    fn start(&self, sources: usize) {
        let _ = sources;
    }
    /// A warning about a document, which names it.
    fn warning(&self, message: &str);
    /// One more source has been read, coded and handed over.
    fn source_done(&self) {}
    /// The run is over, whether it succeeded or not.
    fn finish(&self) {}
}

/// Codes every source, calling `each` on the documents in input order.
///
/// `observer` hears of each document's warnings before `each` gets the
/// document, and of the progress after.
pub fn run(
    sources: &[Source],
    setup: &Setup,
    observer: &dyn Observer,
    mut each: impl FnMut(CodedDocument) -> Result<()>,
) -> Result<()> {
    let selection = Selection::new(setup.attributes.as_ref(), &setup.filter);
    let work = |source: &Source| -> Result<Vec<CodedDocument>> {
        let docs = read_source(source, &setup.read)?;
        Ok(docs
            .into_iter()
            .filter_map(|mut d| selection.take(&mut d).then(|| code_taken(d, setup)))
            .collect())
    };
    let mut nobody_speaks = Vec::new();
    in_order(sources, work, observer, |coded| {
        for coded in coded {
            for w in &coded.doc.warnings {
                observer.warning(w);
            }
            if coded.nobody_speaks {
                nobody_speaks.push((coded.doc.id.clone(), coded.doc.source.clone()));
            }
            each(coded)?;
        }
        Ok(())
    })?;
    if let Some(warning) = nobody_speaks_warning(&nobody_speaks) {
        observer.warning(&warning);
    }
    if let Some(w) = selection.undated_warning() {
        observer.warning(&w);
    }
    selection.finish()
}

/// One warning for the documents in which nobody speaks (by id and file),
/// when speakers matter: field notes have no speakers, but an interview
/// without them has labels qcode could not read.
fn nobody_speaks_warning(documents: &[(String, std::path::PathBuf)]) -> Option<String> {
    const WHY: &str = "the codebook's `skip_speakers` and `speakers` cannot leave out or keep anyone's words \
                       there, and `--by speaker` counts them under (none)";
    match documents {
        [] => None,
        [(id, source)] => Some(format!(
            "{id}: no speaker labels were found, so nobody speaks its passages: {WHY}; \
             `qcode speakers {}` shows what qcode reads in it",
            source.display()
        )),
        many => Some(format!(
            "no speaker labels were found in {} documents, so nobody speaks their passages: {}; {WHY} \
             (as it should be in field notes; for an interview, `qcode speakers FILE` shows what qcode reads)",
            many.len(),
            many.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Reads every source, without coding, calling `each` on the documents
/// `selection` takes, in input order: for exports of codings made
/// elsewhere, which need the texts alone.
pub fn read(
    sources: &[Source],
    read: &ReadOptions,
    selection: &Selection,
    observer: &dyn Observer,
    mut each: impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    let work = |source: &Source| -> Result<Vec<Document>> {
        let mut docs = read_source(source, read)?;
        docs.retain_mut(|d| selection.take(d));
        Ok(docs)
    };
    in_order(sources, work, observer, |docs| {
        for doc in docs {
            for w in &doc.warnings {
                observer.warning(w);
            }
            each(doc)?;
        }
        Ok(())
    })?;
    if let Some(w) = selection.undated_warning() {
        observer.warning(&w);
    }
    selection.finish()
}

/// Runs `work` on every source, in parallel, and hands the results to
/// `each` in input order as they come.
///
/// Worker threads (as many as rayon's pool has) take sources in order and
/// work on them; this thread puts the results back in input order and hands
/// them to `each` while the workers go on. A worker never runs more than
/// [`AHEAD_PER_THREAD`] × threads sources ahead of `each`, so memory holds a
/// bounded number of results, whatever the corpus size. The first error
/// (of `work`, in input order, or of `each`) stops the run.
fn in_order<T: Send>(
    sources: &[Source],
    work: impl Fn(&Source) -> Result<T> + Sync,
    observer: &dyn Observer,
    mut each: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    observer.start(sources.len());
    let threads = rayon::current_num_threads().clamp(1, sources.len().max(1));
    let window = AHEAD_PER_THREAD * threads;
    let next = AtomicUsize::new(0);
    // The index of the next source `each` waits for; `usize::MAX` = stop.
    let handed = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, Result<T>)>();
    let result = std::thread::scope(|scope| {
        let mut started = 0;
        for _ in 0..threads {
            let (tx, next, handed, work) = (tx.clone(), &next, &handed, &work);
            // A thread the system cannot start is one fewer worker, not a
            // panic; none at all is an error.
            let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= sources.len() {
                        break;
                    }
                    let (lock, moved) = handed;
                    let mut at = lock.lock().unwrap_or_else(|e| e.into_inner());
                    while *at != usize::MAX && i >= *at + window {
                        at = moved.wait(at).unwrap_or_else(|e| e.into_inner());
                    }
                    if *at == usize::MAX {
                        break;
                    }
                    drop(at);
                    if tx.send((i, work(&sources[i]))).is_err() {
                        break;
                    }
                }
            });
            if spawned.is_err() {
                break;
            }
            started += 1;
        }
        drop(tx);
        if started == 0 && !sources.is_empty() {
            return Err(Error::new("qcode cannot start a thread to read the documents")
                .hint("the system is out of threads or memory: close other programs, or run with -j 1"));
        }
        let mut waiting = BTreeMap::new();
        let mut want = 0;
        let mut outcome = Ok(());
        for (i, done) in &rx {
            waiting.insert(i, done);
            while let Some(done) = waiting.remove(&want) {
                want += 1;
                outcome = done.and_then(&mut each);
                observer.source_done();
                let (lock, moved) = &handed;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = if outcome.is_ok() { want } else { usize::MAX };
                moved.notify_all();
                if outcome.is_err() {
                    break;
                }
            }
            if outcome.is_err() {
                break;
            }
        }
        // Dropping the receiver stops workers that are still working.
        drop(rx);
        outcome
    });
    observer.finish();
    result
}

/// What a coding run has coded so far: documents, segments and coded
/// passages (segment × code), for the line that sums a run up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Documents coded.
    pub documents: usize,
    /// Their segments (those kept by [`Setup::times`], when set).
    pub segments: usize,
    /// Codings: one per code applied to a segment.
    pub passages: usize,
}

impl Tally {
    /// Counts a coded document, and gives its codings.
    pub fn add(&mut self, coded: &CodedDocument, setup: &Setup) -> Vec<Coding> {
        let codings = coded.codings(&setup.codebook, setup.unit);
        self.documents += 1;
        self.segments += coded.segments.len();
        self.passages += codings.len();
        codings
    }

    /// "12 coded passages in 3 documents (97 paragraphs)".
    pub fn summary(&self, unit: Unit) -> String {
        format!(
            "{} in {} ({})",
            counted(self.passages, "coded passage"),
            counted(self.documents, "document"),
            counted(self.segments, unit.as_str())
        )
    }
}

impl CodedDocument {
    /// The text of one of the document's segments.
    pub fn text_of(&self, segment: &Segment) -> &str {
        &self.doc.text[segment.start..segment.end]
    }

    /// The document's codings, as rows of the coded CSV.
    pub fn codings(&self, codebook: &Codebook, unit: Unit) -> Vec<Coding> {
        let attributes = Arc::new(self.doc.attributes.clone());
        self.applied
            .iter()
            .map(|a| {
                let seg = &self.segments[a.segment];
                let text = self.text_of(seg);
                let spans: Vec<(usize, usize)> = self.spans[a.spans.clone()]
                    .iter()
                    .map(|&(s, e)| (s - seg.start, e - seg.start))
                    .collect();
                Coding {
                    document: self.doc.id.clone(),
                    segment: seg.index,
                    unit: unit.as_str().to_string(),
                    start_line: seg.start_line,
                    end_line: seg.end_line,
                    start_char: seg.start_char,
                    end_char: seg.end_char,
                    speaker: seg.speaker.as_deref().unwrap_or_default().to_string(),
                    code: codebook.codes[a.code].name.clone(),
                    code_path: codebook.codes[a.code].path.clone(),
                    coder: AUTO_CODER.to_string(),
                    hits: a.hits,
                    matched: distinct_matches(text, &spans),
                    text: text.to_string(),
                    start_time: seg.start_time.clone().unwrap_or_default(),
                    end_time: seg.end_time.clone().unwrap_or_default(),
                    spans,
                    extracted: codebook.extract(a.code, text),
                    attributes: attributes.clone(),
                }
            })
            .collect()
    }
}
