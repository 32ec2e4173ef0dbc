//! Suggestions: the passages a code's rules did not code that read most
//! like the code, for a person to review.
//!
//! Keyword rules are precise and auditable but miss what people say in
//! their own words. For each code, qcode embeds (with the local sentence
//! encoder of [`crate::embed`]) the code's own texts — its examples, its
//! definition and its include notes, and passages a person coded with it
//! (`--examples-from`) — and the texts that speak against it — its exclude
//! notes (and any other counter-texts a caller gives) and the other codes'
//! texts — then ranks every passage its rules did not code by a
//! [`Method`], and keeps the best few. A suggestion is never a coding: it
//! is written with the coder `suggest` and a score, for a person to accept
//! or strike out.
//!
//! Everything is deterministic: an embedding depends on its text alone,
//! similarities are sums in a fixed order, and passages of equal score are
//! ranked by document (in input order) then segment. docs/semantic.md
//! compares the methods on the samples' gold standard.

mod linear;
mod methods;
pub mod report;

use std::collections::HashSet;
use std::sync::Arc;

use indexmap::IndexMap;
use rayon::prelude::*;

use crate::codebook::Codebook;
use crate::coding::{CodeTree, Coding};
use crate::embed::{Cache, CacheUse, Embeddings, Model};
use crate::error::Result;
use crate::segment::Unit;
use crate::transcripts::Transcripts;

pub use methods::Method;
use methods::Scorer;

/// The coder name of suggestions in a coded CSV.
pub const SUGGEST_CODER: &str = "suggest";

/// Suggestions shown per code unless asked otherwise.
pub const DEFAULT_TOP: usize = 10;

/// A passage of the transcripts, as it may be suggested.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// The document's id.
    pub document: String,
    /// 1-based segment number.
    pub segment: usize,
    /// First and last line in the source file (1-based, inclusive).
    pub lines: (usize, usize),
    /// Character offsets in the normalised text, end exclusive.
    pub chars: (usize, usize),
    /// Who speaks it; empty when nobody does.
    pub speaker: String,
    /// Its times, as written in the source; empty when none.
    pub times: (String, String),
    /// The passage as it reads in the document.
    pub text: String,
    /// The document's attributes.
    pub attributes: Arc<IndexMap<String, String>>,
}

/// Every passage of some transcripts, with the codes the rules applied.
#[derive(Debug, Clone)]
pub struct Passages {
    /// The unit the transcripts were cut into.
    pub unit: Unit,
    /// The passages, in document (input) order then segment order.
    pub passages: Vec<Passage>,
    /// Per passage, the codes the rules applied to it, rolled up to their
    /// ancestors (a passage coded with a sub-code is coded with its parent
    /// too, as every report counts it), by name.
    pub coded: Vec<HashSet<String>>,
}

impl Passages {
    /// Every segment of `transcripts`, with the codes of `codings` (the
    /// rules' codings of the same transcripts) applied; `tree` rolls codes
    /// up to their parents.
    pub fn new(transcripts: &Transcripts, codings: &[Coding], tree: Option<&CodeTree>) -> Passages {
        let mut index: std::collections::HashMap<(&str, usize), usize> = std::collections::HashMap::new();
        let mut passages = Vec::new();
        for (id, doc) in &transcripts.docs {
            let attributes = Arc::new(doc.attributes.clone());
            for segment in &doc.segments {
                index.insert((id.as_str(), segment.index), passages.len());
                passages.push(Passage {
                    document: id.clone(),
                    segment: segment.index,
                    lines: (segment.start_line, segment.end_line),
                    chars: (segment.start_char, segment.end_char),
                    speaker: segment.speaker.as_deref().unwrap_or_default().to_string(),
                    times: (
                        segment.start_time.clone().unwrap_or_default(),
                        segment.end_time.clone().unwrap_or_default(),
                    ),
                    text: doc.text_of(segment).to_string(),
                    attributes: attributes.clone(),
                });
            }
        }
        let mut coded = vec![HashSet::new(); passages.len()];
        for c in codings {
            if let Some(&i) = index.get(&(c.document.as_str(), c.segment)) {
                let codes = crate::reliability::data::rolled_up(&c.code, tree);
                coded[i].extend(codes.into_iter().map(str::to_string));
            }
        }
        Passages {
            unit: transcripts.unit,
            passages,
            coded,
        }
    }

    /// The position of the passage `(document, segment)`, if there is one.
    pub fn find(&self, document: &str, segment: usize) -> Option<usize> {
        // A document's passages are together, in segment order.
        let first = self.passages.iter().position(|p| p.document == document)?;
        let rest = &self.passages[first..];
        let in_doc = rest.partition_point(|p| p.document == document && p.segment < segment);
        rest.get(in_doc)
            .filter(|p| p.document == document && p.segment == segment)
            .map(|_| first + in_doc)
    }
}

/// What speaks for and against one code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeTexts {
    /// The code's name.
    pub code: String,
    /// Its own texts: examples, definition, include notes.
    pub own: Vec<String>,
    /// Texts that must not be taken for it: exclude notes, counterexamples.
    pub counter: Vec<String>,
    /// Passages a person coded with it (`--examples-from`): their text,
    /// and where they are when they are among the passages (such a passage
    /// is not suggested again).
    pub coded: Vec<(String, Option<usize>)>,
}

impl CodeTexts {
    /// The texts of every code of `codebook`, in codebook order: examples,
    /// description and include notes for it, exclude notes against it.
    pub fn from_codebook(codebook: &Codebook) -> Vec<CodeTexts> {
        codebook
            .codes
            .iter()
            .map(|code| {
                let own = code
                    .examples
                    .iter()
                    .map(|e| &e.text)
                    .chain([&code.description, &code.include])
                    .filter(|t| !t.trim().is_empty())
                    .cloned()
                    .collect();
                let counter = code
                    .counterexamples
                    .iter()
                    .map(|e| &e.text)
                    .chain([&code.exclude])
                    .filter(|t| !t.trim().is_empty())
                    .cloned()
                    .collect();
                CodeTexts {
                    code: code.name.clone(),
                    own,
                    counter,
                    coded: Vec::new(),
                }
            })
            .collect()
    }

    /// Adds the passages a person coded, from `codings` (a coded CSV),
    /// to the codes they name; codes are resolved through `tree` like
    /// those of any coded CSV (`debt/lenders` or `lenders`).
    pub fn add_coded(texts: &mut [CodeTexts], codings: &[Coding], passages: &Passages, tree: &CodeTree) {
        for c in codings {
            let Some(code) = tree.find(&c.code).map(|i| tree.codes[i].name.as_str()) else {
                continue;
            };
            let Some(entry) = texts.iter_mut().find(|t| t.code == code) else {
                continue;
            };
            let at = (c.segment > 0).then(|| passages.find(&c.document, c.segment)).flatten();
            let text = match at {
                Some(i) => passages.passages[i].text.clone(),
                None => c.text.clone(),
            };
            if !text.trim().is_empty() && !entry.coded.iter().any(|(t, _)| *t == text) {
                entry.coded.push((text, at));
            }
        }
    }
}

/// How to suggest.
#[derive(Debug, Clone)]
pub struct Options {
    /// How passages are scored.
    pub method: Method,
    /// Suggestions per code.
    pub top: usize,
    /// Suggest only among these passages (`None`: all); `audit --suggest`
    /// keeps the documents the human coded.
    pub among: Option<Vec<bool>>,
}

/// One suggestion: a passage for a code.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The code's name.
    pub code: String,
    /// 1 for the best-scored passage of the code.
    pub rank: usize,
    /// The passage's position in [`Passages::passages`].
    pub passage: usize,
    /// The method's score: higher is more like the code.
    pub score: f64,
}

/// Embeds texts, through the cache when there is one.
pub struct Embedder<'m> {
    /// The sentence encoder.
    pub model: &'m Model,
    /// The cache, unless `--no-cache`.
    pub cache: Option<Cache>,
}

impl Embedder<'_> {
    /// The embeddings of `texts`, in order, and what the cache did.
    pub fn embed<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<(Embeddings, CacheUse)> {
        match &self.cache {
            Some(cache) => cache.embed(self.model, texts),
            None => {
                let embeddings = self.model.embed(texts);
                let usage = CacheUse {
                    embedded: texts.len(),
                    ..CacheUse::default()
                };
                Ok((embeddings, usage))
            }
        }
    }
}

/// Passages multiplied with the columns at a time: a chunk's products stay
/// in cache, and chunks run in parallel.
const CHUNK: usize = 256;

/// Suggestions for every code of `texts` (in their order, best first per
/// code), and what the cache did.
///
/// Every code's texts (and a linear model's weights) are columns of one
/// matrix; each chunk of passages is multiplied with it once, and every
/// code's scorer reads the chunk's products.
pub fn suggest(
    embedder: &Embedder,
    passages: &Passages,
    texts: &[CodeTexts],
    tree: &CodeTree,
    options: &Options,
) -> Result<(Vec<Suggestion>, CacheUse)> {
    // Passages and the codes' texts go to the encoder in one call, so that
    // the batches are full and the cache is read once.
    let n = passages.passages.len();
    let mut all: Vec<&str> = passages.passages.iter().map(|p| p.text.as_str()).collect();
    let mut examples = Vec::with_capacity(texts.len());
    for t in texts {
        let own = push_columns(&mut all, n, t.own.iter().map(String::as_str));
        let counter = push_columns(&mut all, n, t.counter.iter().map(String::as_str));
        let coded = push_columns(&mut all, n, t.coded.iter().map(|(text, _)| text.as_str()));
        examples.push(methods::Examples {
            own,
            coded,
            counter,
            related: related_codes(tree, &t.code, texts),
        });
    }
    let (vectors, usage) = embedder.embed(&all)?;
    let dimension = vectors.dimension();
    let (passage_values, text_values) = vectors.as_flat().split_at(n * dimension);
    let column = |j: usize| &text_values[j * dimension..(j + 1) * dimension];
    let trained: Vec<(Scorer, Option<Vec<f32>>)> = (0..texts.len())
        .into_par_iter()
        .map(|c| Scorer::train(options.method, c, &examples, &column))
        .collect();
    let mut columns = text_values.to_vec();
    let mut scorers = Vec::with_capacity(trained.len());
    for (mut scorer, weights) in trained {
        if let (Scorer::Linear { weights: at, .. }, Some(values)) = (&mut scorer, weights) {
            *at = columns.len() / dimension;
            columns.extend(values);
        }
        scorers.push(scorer);
    }

    let known: Vec<HashSet<usize>> = texts
        .iter()
        .map(|t| t.coded.iter().filter_map(|(_, at)| *at).collect())
        .collect();
    let is_candidate = |c: usize, i: usize| {
        !passages.coded[i].contains(&texts[c].code)
            && !known[c].contains(&i)
            && options.among.as_ref().is_none_or(|among| among[i])
            && !passages.passages[i].text.trim().is_empty()
    };
    let width = columns.len() / dimension.max(1);
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let per_chunk: Vec<Vec<Vec<(usize, f64)>>> = starts
        .par_iter()
        .map(|&start| {
            let end = (start + CHUNK).min(n);
            let dots =
                crate::embed::dot_products(&passage_values[start * dimension..end * dimension], &columns, dimension);
            (0..texts.len())
                .map(|c| {
                    let candidates: Vec<usize> = (start..end).filter(|&i| is_candidate(c, i)).collect();
                    let scores: Vec<f64> = candidates
                        .iter()
                        .map(|&i| scorers[c].score(&dots[(i - start) * width..(i - start + 1) * width]))
                        .collect();
                    best(&candidates, &scores, options.top)
                })
                .collect()
        })
        .collect();

    let mut suggestions = Vec::new();
    for (c, t) in texts.iter().enumerate() {
        let (candidates, scores): (Vec<usize>, Vec<f64>) =
            per_chunk.iter().flat_map(|chunk| chunk[c].iter().copied()).unzip();
        suggestions.extend(best(&candidates, &scores, options.top).into_iter().enumerate().map(
            |(rank, (passage, score))| Suggestion {
                code: t.code.clone(),
                rank: rank + 1,
                passage,
                score,
            },
        ));
    }
    Ok((suggestions, usage))
}

/// Appends `texts` to `all`, whose first `passages` are passages; returns
/// the texts' columns (their places after the passages).
fn push_columns<'a>(all: &mut Vec<&'a str>, passages: usize, texts: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let start = all.len();
    all.extend(texts);
    (start - passages..all.len() - passages).collect()
}

/// The passages most like `query`, best first: `qcode similar`.
pub fn similar(
    embedder: &Embedder,
    passages: &Passages,
    query: &str,
    top: usize,
) -> Result<(Vec<Suggestion>, CacheUse)> {
    let n = passages.passages.len();
    let mut all: Vec<&str> = passages.passages.iter().map(|p| p.text.as_str()).collect();
    all.push(query);
    let (vectors, usage) = embedder.embed(&all)?;
    let dimension = vectors.dimension();
    let (passage_values, query_vector) = vectors.as_flat().split_at(n * dimension);
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let per_chunk: Vec<Vec<(usize, f64)>> = starts
        .par_iter()
        .map(|&start| {
            let end = (start + CHUNK).min(n);
            let dots = crate::embed::dot_products(
                &passage_values[start * dimension..end * dimension],
                query_vector,
                dimension,
            );
            let candidates: Vec<usize> = (start..end)
                .filter(|&i| !passages.passages[i].text.trim().is_empty())
                .collect();
            let scores: Vec<f64> = candidates.iter().map(|&i| f64::from(dots[i - start])).collect();
            best(&candidates, &scores, top)
        })
        .collect();
    let (candidates, scores): (Vec<usize>, Vec<f64>) = per_chunk.into_iter().flatten().unzip();
    let found = best(&candidates, &scores, top)
        .into_iter()
        .enumerate()
        .map(|(rank, (passage, score))| Suggestion {
            code: String::new(),
            rank: rank + 1,
            passage,
            score,
        })
        .collect();
    Ok((found, usage))
}

/// The `top` (candidate, score) pairs by score, ties by candidate (which
/// is document then segment order).
fn best(candidates: &[usize], scores: &[f64], top: usize) -> Vec<(usize, f64)> {
    let mut ranked: Vec<(usize, f64)> = candidates.iter().copied().zip(scores.iter().copied()).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(top);
    ranked
}

/// Per code of `texts`, whether it is `code` itself, an ancestor or a
/// descendant of it: those share passages, so their texts never speak
/// against it.
fn related_codes(tree: &CodeTree, code: &str, texts: &[CodeTexts]) -> Vec<bool> {
    let Some(me) = tree.find(code) else {
        return texts.iter().map(|t| t.code == code).collect();
    };
    texts
        .iter()
        .map(|t| match tree.find(&t.code) {
            Some(other) => tree.within(me, other) || tree.within(other, me),
            None => false,
        })
        .collect()
}

/// The suggestions as rows of a coded CSV: coder `suggest`, the score in
/// a `score` column after the document's attributes.
pub fn as_codings(suggestions: &[Suggestion], passages: &Passages, codebook: &Codebook) -> Vec<Coding> {
    suggestions
        .iter()
        .map(|s| {
            let p = &passages.passages[s.passage];
            let mut attributes = (*p.attributes).clone();
            attributes.insert("score".to_string(), format_score(s.score));
            let path = codebook
                .codes
                .iter()
                .find(|c| c.name == s.code)
                .map(|c| c.path.clone())
                .unwrap_or_default();
            Coding {
                document: p.document.clone(),
                segment: p.segment,
                unit: passages.unit.as_str().to_string(),
                start_line: p.lines.0,
                end_line: p.lines.1,
                start_char: p.chars.0,
                end_char: p.chars.1,
                speaker: p.speaker.clone(),
                code: s.code.clone(),
                code_path: path,
                coder: SUGGEST_CODER.to_string(),
                hits: 0,
                matched: Vec::new(),
                text: p.text.clone(),
                start_time: p.times.0.clone(),
                end_time: p.times.1.clone(),
                spans: Vec::new(),
                extracted: Vec::new(),
                attributes: Arc::new(attributes),
            }
        })
        .collect()
}

/// A score as written in outputs: four decimals, enough to order them as
/// a person reads them (the ranking itself uses the full value).
pub fn format_score(score: f64) -> String {
    format!("{score:.4}")
}

#[cfg(test)]
mod tests;
