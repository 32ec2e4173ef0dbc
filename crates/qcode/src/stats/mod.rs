//! Inter-coder reliability statistics: pure functions, no I/O.
//!
//! Definitions and conventions follow the published formulas cited in each
//! function's documentation (Krippendorff 2011 for alpha, Gwet 2014 and the
//! irrCAC package for the kappa family and missing data), and the tests
//! check them against the published examples.
//!
//! * Data model: [`Ratings`], units × coders with `Option<category>`
//!   (missing = `None`), built from long-format triples
//!   ([`Ratings::from_triples`], [`Ratings::from_triples_with_categories`])
//!   or a matrix ([`Ratings::from_matrix`]).
//! * Every coefficient returns a [`Coef`]: a finite value or
//!   [`Coef::Undefined`] with a [`Reason`]; never NaN, never an invented 0 or
//!   1, never a panic. Denominators `1 − Pe` and `De` are compared with 0
//!   using the tolerance [`EPS`] = 1e-12, and results within 1e-12 of 0 are
//!   snapped to exactly 0.
//! * Coefficients: [`percent_agreement`] (Gwet/irrCAC), [`cohen_kappa`],
//!   [`scott_pi`], [`fleiss_kappa`] (Gwet 2014 with missing data),
//!   [`brennan_prediger`] and [`gwet_ac1`] (q declared or observed, reported
//!   in [`QCoef`]), [`krippendorff_alpha`] (nominal), and the
//!   Krippendorff/Hayes bootstrap [`kalpha_bootstrap`].
//! * Multi-label coding per code: [`presence_ratings`].
//! * Spans: [`span_agreement`] (NVivo-style characters) and
//!   [`segment_agreement`] (MAXQDA-style segments).
//! * Audit: [`precision_recall_f1`].
//! * Co-occurrence of codes: [`jaccard`], [`share_of_union`] and ATLAS.ti's
//!   [`c_coefficient`].

mod agreement;
mod alpha;
mod classification;
mod coef;
mod cooccurrence;
mod presence;
mod ratings;
mod spans;

#[cfg(test)]
mod tests;

pub use agreement::{
    QCoef, QSource, brennan_prediger, cohen_kappa, contingency_table, fleiss_kappa, gwet_ac1, percent_agreement,
    resolve_q, scott_pi,
};
pub use alpha::{
    Bootstrap, BootstrapSkip, Coincidences, KALPHA_BOOTSTRAP_METHOD, KalphaBootstrap, coincidences, kalpha_bootstrap,
    krippendorff_alpha,
};
pub use classification::{PrecisionRecall, precision_recall_f1};
pub use coef::{Coef, EPS, Reason, snap};
pub use cooccurrence::{c_coefficient, jaccard, share_of_union};
pub use presence::{ABSENT, CodeSet, PRESENT, presence_ratings};
pub use ratings::{Ratings, RatingsError};
pub use spans::{
    DEFAULT_OVERLAP_THRESHOLD, OverlapBasis, SegmentAgreement, SpanAgreement, segment_agreement, segments_match,
    span_agreement,
};
