//! How a passage is scored for a code: three methods, compared on the
//! samples' gold standard in docs/semantic.md.

use super::linear::LogisticRegression;

/// How passages are ranked for a code. The default, [`Method::Contrast`],
/// recovered the most of the rules' misses among the top 10 suggestions
/// per code (the default number) in the comparison of docs/semantic.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// The highest cosine similarity to any of the code's own texts
    /// (examples, definition, include notes, passages a person coded): the
    /// baseline.
    Nearest,
    /// That similarity, less half the highest similarity to a text that
    /// speaks against the code: its exclude notes and counterexamples, and
    /// the other codes' own texts (not its ancestors' or descendants').
    #[default]
    Contrast,
    /// A logistic regression per code on the embeddings, trained with the
    /// code's own texts as positives and the texts against it as
    /// negatives; the score is its log-odds.
    Linear,
}

impl crate::choice::Choice for Method {
    const ALL: &'static [Method] = &[Method::Nearest, Method::Contrast, Method::Linear];

    fn name(self) -> &'static str {
        match self {
            Method::Nearest => "nearest",
            Method::Contrast => "contrast",
            Method::Linear => "linear",
        }
    }

    fn help(self) -> Option<&'static str> {
        Some(match self {
            Method::Nearest => "Most similar to one of the code's texts",
            Method::Contrast => "Similar to the code's texts, less similar to the texts against it",
            Method::Linear => "A linear model per code trained on the texts for and against it",
        })
    }
}

/// How much the texts against a code weigh in [`Method::Contrast`].
const CONTRAST_WEIGHT: f64 = 0.5;

/// The embedded texts of one code, as columns of the matrix that every
/// passage is multiplied with (see [`super::suggest`]).
pub(super) struct Examples {
    /// Its examples, definition and include notes.
    pub own: Vec<usize>,
    /// Passages a person coded with it.
    pub coded: Vec<usize>,
    /// Its exclude notes and counterexamples.
    pub counter: Vec<usize>,
    /// Per code, whether it is this code, an ancestor or a descendant.
    pub related: Vec<bool>,
}

impl Examples {
    /// Everything that speaks for the code.
    fn positives(&self) -> impl Iterator<Item = usize> + '_ {
        self.own.iter().chain(&self.coded).copied()
    }
}

/// A trained scorer for one code: it reads a passage's dot products with
/// the columns.
pub(super) enum Scorer {
    /// Columns of texts for the code, and (for contrast) against it.
    Similarity {
        positives: Vec<usize>,
        negatives: Vec<usize>,
    },
    /// A logistic regression whose weights are column `weights`.
    Linear { weights: usize, bias: f64 },
}

impl Scorer {
    /// The scorer of code `c` among `codes` by `method`; `column` gives a
    /// column's values. A linear model also returns its weights: the
    /// caller adds them as a column and sets `weights` to it.
    pub(super) fn train<'v>(
        method: Method,
        c: usize,
        codes: &[Examples],
        column: &dyn Fn(usize) -> &'v [f32],
    ) -> (Scorer, Option<Vec<f32>>) {
        let me = &codes[c];
        let positives: Vec<usize> = me.positives().collect();
        let negatives = || -> Vec<usize> {
            let others = codes
                .iter()
                .zip(&me.related)
                .filter(|(_, related)| !**related)
                .flat_map(|(other, _)| other.positives());
            me.counter.iter().copied().chain(others).collect()
        };
        match method {
            Method::Nearest => (
                Scorer::Similarity {
                    positives,
                    negatives: Vec::new(),
                },
                None,
            ),
            Method::Contrast => (
                Scorer::Similarity {
                    positives,
                    negatives: negatives(),
                },
                None,
            ),
            Method::Linear => {
                let vectors = |columns: &[usize]| -> Vec<&[f32]> { columns.iter().map(|&j| column(j)).collect() };
                let model = LogisticRegression::train(&vectors(&positives), &vectors(&negatives()));
                let (weights, bias) = model.into_parts();
                (Scorer::Linear { weights: 0, bias }, Some(weights))
            }
        }
    }

    /// The score of a passage from its dot products with the columns:
    /// higher is more like the code.
    pub(super) fn score(&self, dots: &[f32]) -> f64 {
        let most = |columns: &[usize]| {
            columns
                .iter()
                .map(|&j| f64::from(dots[j]))
                .fold(f64::NEG_INFINITY, f64::max)
        };
        match self {
            Scorer::Similarity { positives, negatives } => {
                let for_it = if positives.is_empty() { 0.0 } else { most(positives) };
                if negatives.is_empty() {
                    for_it
                } else {
                    for_it - CONTRAST_WEIGHT * most(negatives)
                }
            }
            Scorer::Linear { weights, bias } => f64::from(dots[*weights]) + bias,
        }
    }
}
