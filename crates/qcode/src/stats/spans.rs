//! Agreement on coded text spans of two coders, for one document and one
//! code: NVivo-style character agreement and MAXQDA-style segment matching.
//!
//! Spans are half-open `[start, end)` ranges of character positions. The
//! unit is whatever the caller's offsets count (this module never looks at
//! text); qcode passes character offsets.

use std::ops::Range;

use super::coef::{Coef, Reason};

/// Merge a coder's spans into sorted, disjoint ranges, clipped to
/// `[0, len)`; empty spans (`start ≥ end`) disappear.
fn normalise(spans: &[Range<usize>], len: usize) -> Vec<Range<usize>> {
    let mut v: Vec<Range<usize>> = spans
        .iter()
        .map(|s| s.start.min(len)..s.end.min(len))
        .filter(|s| s.start < s.end)
        .collect();
    v.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for s in v {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

fn total_len(v: &[Range<usize>]) -> usize {
    v.iter().map(|s| s.end - s.start).sum()
}

/// Length of the intersection of two sorted disjoint span lists.
fn intersection_len(a: &[Range<usize>], b: &[Range<usize>]) -> usize {
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let lo = a[i].start.max(b[j].start);
        let hi = a[i].end.min(b[j].end);
        if lo < hi {
            both += hi - lo;
        }
        if a[i].end <= b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    both
}

/// Character-level agreement of two coders (NVivo "coding comparison").
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SpanAgreement {
    /// Number of characters compared (the text length).
    pub total: usize,
    /// Characters coded by both coders.
    pub both: usize,
    /// Characters coded by A only.
    pub a_only: usize,
    /// Characters coded by B only.
    pub b_only: usize,
    /// Characters coded by neither.
    pub neither: usize,
    /// `(both + neither) / total`; undefined for an empty text.
    pub percent_agreement: Coef,
    /// Cohen's kappa over characters; undefined for an empty text or when
    /// there is no variation (both coders coded everything, or nothing).
    pub kappa: Coef,
}

/// Character-level agreement of coders A and B on one document and one
/// code, as NVivo's coding comparison query (NVivo 12 help, "Coding
/// comparison query"):
///
/// * each character of `[0, text_len)` is coded or not by each coder (a
///   coder's overlapping spans are merged; spans are clipped to the text;
///   empty spans are ignored);
/// * percent agreement = `(both + neither) / total`;
/// * kappa = Cohen's kappa of the 2×2 character table:
///   `EF = (A·B + A'·B') / T`, `κ = (both + neither − EF) / (T − EF)`,
///   computed exactly in integers as `(T·agree − E)/(T² − E)` with
///   `E = A·B + A'·B'` (A, B = characters coded by each coder, A', B' = not).
///
/// Where the two differ from NVivo: when neither coder coded anything (or
/// both coded everything) kappa is 0/0 and returned as undefined
/// ([`Reason::NoVariation`]); NVivo displays 1 there. A coder who coded
/// nothing against one who coded something gives exactly 0, as in NVivo.
pub fn span_agreement(text_len: usize, a: &[Range<usize>], b: &[Range<usize>]) -> SpanAgreement {
    let a = normalise(a, text_len);
    let b = normalise(b, text_len);
    let len_a = total_len(&a);
    let len_b = total_len(&b);
    let both = intersection_len(&a, &b);
    let a_only = len_a - both;
    let b_only = len_b - both;
    let neither = text_len - (len_a + len_b - both);
    let (percent_agreement, kappa) = if text_len == 0 {
        (Coef::Undefined(Reason::EmptyText), Coef::Undefined(Reason::EmptyText))
    } else {
        let t = text_len as i128;
        let agree = (both + neither) as i128;
        let (ca, cb) = (len_a as i128, len_b as i128);
        let e = ca * cb + (t - ca) * (t - cb);
        let den = t * t - e;
        let kappa = if den == 0 {
            Coef::Undefined(Reason::NoVariation)
        } else {
            Coef::value_of((t * agree - e) as f64 / den as f64, Reason::NoVariation)
        };
        (Coef::value_of(agree as f64 / t as f64, Reason::EmptyText), kappa)
    };
    SpanAgreement {
        total: text_len,
        both,
        a_only,
        b_only,
        neither,
        percent_agreement,
        kappa,
    }
}

/// The length an overlap is compared with in [`segment_agreement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverlapBasis {
    /// The longer of the two segments: `|a ∩ b| ≥ t · max(|a|, |b|)`
    /// (default). Symmetric; with t = 0.9 both segments must be at least
    /// 90 % covered by the other, and lengths may differ by at most 10 %.
    #[default]
    Longer,
    /// The span covered by both segments together, `|a ∪ b|` (the reading
    /// of the MAXQDA help in the notes, unverified): the strictest basis.
    Union,
    /// The shorter segment: a short segment inside a long one matches.
    Shorter,
}

/// Default overlap threshold of [`segment_agreement`] (90 %).
pub const DEFAULT_OVERLAP_THRESHOLD: f64 = 0.9;

/// MAXQDA-style segment agreement of two coders for one code in one
/// document.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SegmentAgreement {
    /// Segments of A that some segment of B matches.
    pub a_matched: usize,
    /// Segments of A that no segment of B matches.
    pub a_unmatched: usize,
    /// Segments of B that some segment of A matches.
    pub b_matched: usize,
    /// Segments of B that no segment of A matches.
    pub b_unmatched: usize,
    /// `(a_matched + b_matched) / (all segments of both coders)`; undefined
    /// when neither coder has a segment.
    pub percent_agreement: Coef,
    /// The threshold used (after clamping to `[0, 1]`).
    pub threshold: f64,
    /// The overlap basis used.
    pub basis: OverlapBasis,
}

/// Whether two segments match: they overlap (`|a ∩ b| > 0`) and
/// `|a ∩ b| ≥ threshold · basis(a, b)`, compared with a relative tolerance
/// of 1e-9 so that e.g. 9 of 10 characters meets a threshold of 0.9 despite
/// binary floating point.
pub fn segments_match(a: &Range<usize>, b: &Range<usize>, threshold: f64, basis: OverlapBasis) -> bool {
    let inter = a.end.min(b.end).saturating_sub(a.start.max(b.start));
    if inter == 0 {
        return false;
    }
    let (la, lb) = (a.end - a.start, b.end - b.start);
    let base = match basis {
        OverlapBasis::Longer => la.max(lb),
        OverlapBasis::Shorter => la.min(lb),
        OverlapBasis::Union => la + lb - inter,
    } as f64;
    inter as f64 >= threshold * base - 1e-9 * base
}

/// MAXQDA-style segment matching (MAXQDA help, "Intercoder agreement",
/// criterion 3 "segment agreement"; the manual describes the rule in words,
/// so the details below are this module's reading of it, not checked
/// against MAXQDA's own output):
///
/// * a segment of A is *matched* when at least one segment of B overlaps it
///   by at least `threshold` (a fraction, default
///   [`DEFAULT_OVERLAP_THRESHOLD`] = 0.9) of the `basis` length — by default
///   [`OverlapBasis::Longer`]: `|a ∩ b| ≥ threshold · max(|a|, |b|)`; and
///   symmetrically for the segments of B;
/// * every segment is checked on its own in both directions (matching is
///   not one-to-one: one long segment of B can match several of A);
/// * percent agreement = matched / (matched + unmatched) over both coders'
///   segments = `(a_matched + b_matched) / (|A| + |B|)`.
///
/// Segments are `[start, end)`; empty segments (`start ≥ end`) are ignored;
/// duplicate segments count separately. The threshold is clamped to
/// `[0, 1]` (NaN → 1); a zero threshold still requires some overlap.
/// There is no "neither coded" cell, hence no chance correction here.
pub fn segment_agreement(
    a: &[Range<usize>],
    b: &[Range<usize>],
    threshold: f64,
    basis: OverlapBasis,
) -> SegmentAgreement {
    let threshold = if threshold.is_nan() {
        1.0
    } else {
        threshold.clamp(0.0, 1.0)
    };
    let a: Vec<&Range<usize>> = a.iter().filter(|s| s.start < s.end).collect();
    let b: Vec<&Range<usize>> = b.iter().filter(|s| s.start < s.end).collect();
    let count = |xs: &[&Range<usize>], ys: &[&Range<usize>]| {
        xs.iter()
            .filter(|x| ys.iter().any(|y| segments_match(x, y, threshold, basis)))
            .count()
    };
    let a_matched = count(&a, &b);
    let b_matched = count(&b, &a);
    let total = a.len() + b.len();
    let percent_agreement = if total == 0 {
        Coef::Undefined(Reason::NoSegments)
    } else {
        Coef::value_of((a_matched + b_matched) as f64 / total as f64, Reason::NoSegments)
    };
    SegmentAgreement {
        a_matched,
        a_unmatched: a.len() - a_matched,
        b_matched,
        b_unmatched: b.len() - b_matched,
        percent_agreement,
        threshold,
        basis,
    }
}

#[cfg(test)]
// One-span lists such as `&[0..100]` are exactly what these tests mean.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    #[test]
    fn nvivo_help_example() {
        // 1000 characters, 50 coded by both, 800 by neither → 85 %.
        let s = span_agreement(1000, &[0..100], &[50..200]);
        assert_eq!((s.both, s.a_only, s.b_only, s.neither), (50, 50, 100, 800));
        assert_eq!(s.percent_agreement, Coef::Value(0.85));
        // A = 100, B = 150: E = 100·150 + 900·850 = 780 000;
        // κ = (1000·850 − 780 000)/(1 000 000 − 780 000) = 70 000/220 000.
        assert!((s.kappa.value().unwrap() - 70_000.0 / 220_000.0).abs() < 1e-15);
    }

    #[test]
    fn spans_merge_clip_and_ignore_empty() {
        let s = span_agreement(10, &[0..4, 2..6, 8..20, 5..5], &[3..3]);
        assert_eq!((s.both, s.a_only, s.b_only, s.neither), (0, 8, 0, 2));
        // B coded nothing, A something: kappa exactly 0.
        assert_eq!(s.kappa, Coef::Value(0.0));
        assert_eq!(s.percent_agreement, Coef::Value(0.2));
    }

    #[test]
    fn span_degenerate_cases() {
        let none = span_agreement(10, &[], &[]);
        assert_eq!(none.percent_agreement, Coef::Value(1.0));
        assert_eq!(none.kappa, Coef::Undefined(Reason::NoVariation));
        let all = span_agreement(10, &[0..10], &[0..5, 5..10]);
        assert_eq!(all.kappa, Coef::Undefined(Reason::NoVariation));
        let empty = span_agreement(0, &[0..3], &[]);
        assert_eq!(empty.percent_agreement, Coef::Undefined(Reason::EmptyText));
        assert_eq!(empty.kappa, Coef::Undefined(Reason::EmptyText));
        let perfect = span_agreement(10, &[2..5], &[2..5]);
        assert_eq!(perfect.kappa, Coef::Value(1.0));
    }

    #[test]
    fn span_equals_cohen_on_character_units() {
        // Each character as a unit with present/absent ratings.
        use crate::stats::{Ratings, cohen_kappa};
        let (a, b) = (vec![0..3, 7..9], vec![1..4, 8..10]);
        let s = span_agreement(10, &a, &b);
        let inside = |v: &[Range<usize>], i: usize| v.iter().any(|r| r.contains(&i));
        let data = (0..10)
            .map(|i| vec![Some(inside(&a, i) as u32), Some(inside(&b, i) as u32)])
            .collect();
        let r = Ratings::from_matrix(data, Some(2)).unwrap();
        assert!((s.kappa.value().unwrap() - cohen_kappa(&r).value().unwrap()).abs() < 1e-12);
    }

    #[test]
    fn segment_matching_longer_basis() {
        // 0..10 vs 1..10: overlap 9 ≥ 0.9·10 → match (exact boundary).
        assert!(segments_match(&(0..10), &(1..10), 0.9, OverlapBasis::Longer));
        // 0..10 vs 2..10: overlap 8 < 9 → no match.
        assert!(!segments_match(&(0..10), &(2..10), 0.9, OverlapBasis::Longer));
        // Short inside long: matches only with the shorter basis.
        assert!(!segments_match(&(0..100), &(10..20), 0.9, OverlapBasis::Longer));
        assert!(segments_match(&(0..100), &(10..20), 0.9, OverlapBasis::Shorter));
        // Union: 0..10 vs 1..11: inter 9, union 11 → 9 < 9.9.
        assert!(!segments_match(&(0..10), &(1..11), 0.9, OverlapBasis::Union));
        assert!(segments_match(&(0..10), &(1..11), 0.9, OverlapBasis::Longer));
        // Zero threshold still needs overlap.
        assert!(!segments_match(&(0..10), &(10..20), 0.0, OverlapBasis::Longer));

        let s = segment_agreement(
            &[0..10, 20..30, 50..60],
            &[1..10, 40..45],
            DEFAULT_OVERLAP_THRESHOLD,
            OverlapBasis::default(),
        );
        assert_eq!((s.a_matched, s.a_unmatched, s.b_matched, s.b_unmatched), (1, 2, 1, 1));
        assert_eq!(s.percent_agreement, Coef::Value(0.4));
        let none = segment_agreement(&[], &[3..3], 0.9, OverlapBasis::Longer);
        assert_eq!(none.percent_agreement, Coef::Undefined(Reason::NoSegments));
        let clamped = segment_agreement(&[0..1], &[0..1], f64::NAN, OverlapBasis::Longer);
        assert_eq!(clamped.threshold, 1.0);
        assert_eq!(clamped.percent_agreement, Coef::Value(1.0));
    }
}
