//! Co-occurrence of two codes: Jaccard's index and ATLAS.ti's
//! c-coefficient, from counts.
//!
//! Both are `n12 / (n1 + n2 − n12)`, but of different counts. Jaccard's
//! index compares two *sets* (passages, or characters), so `n12` is the
//! size of their intersection and the index lies in [0, 1]. The
//! c-coefficient (ATLAS.ti) counts *co-occurrences*: `n1` and `n2` are the
//! quotations of each code and `n12` the pairs of them that overlap, so a
//! quotation that overlaps two of the other code's counts twice and the
//! coefficient can pass 1 or lose its denominator. When every passage is
//! one unit (a quotation coded with both codes is one co-occurrence), the
//! two coincide.

use super::coef::{Coef, Reason};

/// Jaccard's index of two sets of sizes `a` and `b` sharing `both`
/// elements: `both / (a + b − both)`, the share of the union the two
/// sets share; undefined ([`Reason::NothingCoded`]) when both sets are
/// empty. `both` larger than `a` or `b` is not an intersection: it is
/// taken as the smaller of the two.
pub fn jaccard(a: u64, b: u64, both: u64) -> Coef {
    let both = both.min(a).min(b);
    share_of_union(both, a, b, both)
}

/// The share of the union of two sets (sizes `a` and `b`, `both` in
/// common) made of `linked` elements: Jaccard's index when what links
/// an element is being in both sets, and its generalisation when an element
/// of one set is linked by a neighbour in the other (codes within N
/// passages of each other). `linked` is at most the union.
pub fn share_of_union(linked: u64, a: u64, b: u64, both: u64) -> Coef {
    let union = u128::from(a) + u128::from(b) - u128::from(both.min(a).min(b));
    if union == 0 {
        return Coef::Undefined(Reason::NothingCoded);
    }
    Coef::value_of(
        u128::from(linked).min(union) as f64 / union as f64,
        Reason::NothingCoded,
    )
}

/// ATLAS.ti's c-coefficient: `n12 / (n1 + n2 − n12)`, where `n1` and `n2`
/// are the quotations of two codes and `n12` their co-occurrences (pairs of
/// quotations that overlap). Undefined ([`Reason::CooccurrencesOutnumber`])
/// when `n1 + n2 − n12 ≤ 0`, which happens only when co-occurrences are
/// counted in pairs and outnumber the quotations.
pub fn c_coefficient(n1: u64, n2: u64, n12: u64) -> Coef {
    let den = i128::from(n1) + i128::from(n2) - i128::from(n12);
    if n1 == 0 && n2 == 0 {
        return Coef::Undefined(Reason::NothingCoded);
    }
    if den <= 0 {
        return Coef::Undefined(Reason::CooccurrencesOutnumber);
    }
    Coef::value_of(n12 as f64 / den as f64, Reason::CooccurrencesOutnumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaccard_is_the_shared_part_of_the_union() {
        assert_eq!(jaccard(4, 6, 2), Coef::Value(0.25));
        assert_eq!(jaccard(3, 3, 3), Coef::Value(1.0));
        assert_eq!(jaccard(3, 0, 0), Coef::Value(0.0));
        assert_eq!(jaccard(0, 0, 0), Coef::Undefined(Reason::NothingCoded));
        // Not an intersection: capped.
        assert_eq!(jaccard(2, 5, 9), Coef::Value(0.4));
    }

    #[test]
    fn linked_share_generalises_jaccard() {
        // Codes never in one passage, but every passage near the other.
        assert_eq!(share_of_union(4, 2, 2, 0), Coef::Value(1.0));
        assert_eq!(share_of_union(2, 4, 6, 2), jaccard(4, 6, 2));
        assert_eq!(share_of_union(0, 0, 0, 0), Coef::Undefined(Reason::NothingCoded));
    }

    #[test]
    fn c_coefficient_follows_atlas_ti() {
        // ATLAS.ti's manual: 100 and 10 quotations, 5 co-occurrences: 5/105.
        assert_eq!(c_coefficient(100, 10, 5), Coef::Value(5.0 / 105.0));
        assert_eq!(c_coefficient(6, 4, 2), Coef::Value(0.25));
        // One quotation of each, overlapping: 1.
        assert_eq!(c_coefficient(1, 1, 1), Coef::Value(1.0));
        // One quotation overlapping three of the other code: above 1.
        assert_eq!(c_coefficient(1, 3, 3), Coef::Value(3.0));
        assert_eq!(c_coefficient(1, 1, 2), Coef::Undefined(Reason::CooccurrencesOutnumber));
        assert_eq!(c_coefficient(0, 0, 0), Coef::Undefined(Reason::NothingCoded));
    }
}
