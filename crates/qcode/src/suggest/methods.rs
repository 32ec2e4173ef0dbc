//! How a passage is scored for a code: three methods, compared on the
//! samples' gold standard in docs/semantic.md.

use super::linear::LogisticRegression;

/// How passages are ranked for a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The highest cosine similarity to any of the code's own texts
    /// (examples, definition, include notes, passages a person coded): the
    /// baseline.
    Nearest,
    /// That similarity, less half the highest similarity to a text that
    /// speaks against the code: its exclude notes and counterexamples, and
    /// the other codes' own texts (not its ancestors' or descendants').
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

/// The embedded texts of one code.
pub(super) struct Examples<'v> {
    /// Its examples, definition and include notes.
    pub own: Vec<&'v [f32]>,
    /// Passages a person coded with it.
    pub coded: Vec<&'v [f32]>,
    /// Its exclude notes and counterexamples.
    pub counter: Vec<&'v [f32]>,
    /// Per code, whether it is this code, an ancestor or a descendant.
    pub related: Vec<bool>,
}

impl Examples<'_> {
    /// Everything that speaks for the code.
    fn positives(&self) -> impl Iterator<Item = &[f32]> {
        self.own.iter().chain(&self.coded).copied()
    }
}

/// A trained scorer for one code.
pub(super) enum Scorer<'v> {
    /// Texts for the code, and (for contrast) texts against it.
    Similarity {
        positives: Vec<&'v [f32]>,
        negatives: Vec<&'v [f32]>,
    },
    /// A logistic regression.
    Linear(LogisticRegression),
}

impl<'v> Scorer<'v> {
    /// The scorer of code `c` among `codes` by `method`.
    pub(super) fn train(method: Method, c: usize, codes: &'v [Examples<'v>]) -> Scorer<'v> {
        let me = &codes[c];
        let positives: Vec<&[f32]> = me.positives().collect();
        let negatives = || -> Vec<&'v [f32]> {
            let others = codes
                .iter()
                .zip(&me.related)
                .filter(|(_, related)| !**related)
                .flat_map(|(other, _)| other.positives());
            me.counter.iter().copied().chain(others).collect()
        };
        match method {
            Method::Nearest => Scorer::Similarity {
                positives,
                negatives: Vec::new(),
            },
            Method::Contrast => Scorer::Similarity {
                positives,
                negatives: negatives(),
            },
            Method::Linear => Scorer::Linear(LogisticRegression::train(&positives, &negatives())),
        }
    }

    /// The score of a passage's embedding: higher is more like the code.
    pub(super) fn score(&self, x: &[f32]) -> f64 {
        match self {
            Scorer::Similarity { positives, negatives } => {
                let most = |texts: &[&[f32]]| texts.iter().map(|t| cosine(x, t)).fold(f64::NEG_INFINITY, f64::max);
                let for_it = if positives.is_empty() { 0.0 } else { most(positives) };
                if negatives.is_empty() {
                    for_it
                } else {
                    for_it - CONTRAST_WEIGHT * most(negatives)
                }
            }
            Scorer::Linear(model) => model.log_odds(x),
        }
    }
}

/// The cosine similarity of two unit-length embeddings: their dot
/// product, summed in f64 in index order.
pub(super) fn cosine(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum()
}
