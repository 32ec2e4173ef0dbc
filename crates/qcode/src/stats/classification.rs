//! Precision, recall and F1 for auditing automatic coding against a
//! reference (e.g. a human coder's codings).

use super::coef::{Coef, Reason};

/// Precision, recall and F1 of one comparison.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PrecisionRecall {
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    pub fn_: u64,
    /// `tp / (tp + fp)`; undefined when `tp + fp = 0`.
    pub precision: Coef,
    /// `tp / (tp + fn)`; undefined when `tp + fn = 0`.
    pub recall: Coef,
    /// `2 tp / (2 tp + fp + fn)`; undefined when `tp + fp + fn = 0`.
    pub f1: Coef,
}

/// Precision, recall and F1 from counts (van Rijsbergen 1979):
///
/// * precision `P = tp / (tp + fp)`, undefined ([`Reason::NoPredictedPositives`])
///   when nothing was predicted;
/// * recall `R = tp / (tp + fn)`, undefined ([`Reason::NoReferencePositives`])
///   when the reference has no positive;
/// * `F1 = 2 tp / (2 tp + fp + fn)`, which equals the harmonic mean
///   `2PR/(P + R)` whenever P and R are defined and `P + R > 0`. It is 0
///   when `tp = 0` and there are errors (even if P or R alone is
///   undefined), and undefined ([`Reason::NoPositives`]) only when
///   `tp = fp = fn = 0`.
pub fn precision_recall_f1(tp: u64, fp: u64, fn_: u64) -> PrecisionRecall {
    let ratio = |num: u64, den: u128, reason: Reason| {
        if den == 0 {
            Coef::Undefined(reason)
        } else {
            Coef::value_of(num as f64 / den as f64, reason)
        }
    };
    let (tp128, fp128, fn128) = (u128::from(tp), u128::from(fp), u128::from(fn_));
    PrecisionRecall {
        tp,
        fp,
        fn_,
        precision: ratio(tp, tp128 + fp128, Reason::NoPredictedPositives),
        recall: ratio(tp, tp128 + fn128, Reason::NoReferencePositives),
        f1: {
            let den = 2 * tp128 + fp128 + fn128;
            if den == 0 {
                Coef::Undefined(Reason::NoPositives)
            } else {
                Coef::value_of((2 * tp128) as f64 / den as f64, Reason::NoPositives)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        let p = precision_recall_f1(8, 2, 4);
        assert_eq!(p.precision, Coef::Value(0.8));
        assert!((p.recall.value().unwrap() - 8.0 / 12.0).abs() < 1e-15);
        let (pr, re) = (0.8, 8.0 / 12.0);
        assert!((p.f1.value().unwrap() - 2.0 * pr * re / (pr + re)).abs() < 1e-15);
    }

    #[test]
    fn undefined_denominators() {
        let p = precision_recall_f1(0, 0, 0);
        assert_eq!(p.precision, Coef::Undefined(Reason::NoPredictedPositives));
        assert_eq!(p.recall, Coef::Undefined(Reason::NoReferencePositives));
        assert_eq!(p.f1, Coef::Undefined(Reason::NoPositives));
        let p = precision_recall_f1(0, 3, 0);
        assert_eq!(p.precision, Coef::Value(0.0));
        assert_eq!(p.recall, Coef::Undefined(Reason::NoReferencePositives));
        assert_eq!(p.f1, Coef::Value(0.0));
        let p = precision_recall_f1(0, 0, 5);
        assert_eq!(p.precision, Coef::Undefined(Reason::NoPredictedPositives));
        assert_eq!(p.recall, Coef::Value(0.0));
        assert_eq!(p.f1, Coef::Value(0.0));
        let p = precision_recall_f1(u64::MAX, u64::MAX, u64::MAX);
        assert_eq!(p.precision, Coef::Value(0.5));
    }
}
