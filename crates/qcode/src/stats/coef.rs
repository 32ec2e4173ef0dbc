//! The value type of every coefficient: a number, or an explicit
//! "undefined" with the reason why.
//!
//! Reliability coefficients are ratios such as `(Po − Pe)/(1 − Pe)` or
//! `1 − Do/De`. When the denominator is zero the coefficient is 0/0. The
//! reference packages disagree about what to print then (NaN, an exception,
//! 0 or 1), so this module never invents a number:
//! it returns [`Coef::Undefined`] with a [`Reason`] a report can print.
//! No function of this module returns NaN or panics on degenerate data.

use std::fmt;

/// Absolute tolerance for "zero": a denominator `1 − Pe` or `De` whose
/// absolute value is below it is treated as 0 (coefficient undefined), and a
/// result whose absolute value is below it is snapped to exactly `0.0`.
///
/// Rounding noise of the order of 1e-16 is common (irrCAC prints −1e-15 for a
/// constant coder's Conger kappa), hence the tolerance.
pub const EPS: f64 = 1e-12;

/// Why a coefficient has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// `1 − Pe = 0` (or `De = 0` for alpha): every coder used the same single
    /// category, so the chance-corrected ratio is 0/0.
    NoVariation,
    /// No unit was rated by at least two coders: there is no observed
    /// agreement to measure.
    NoPairableUnit,
    /// The data hold fewer than two coders.
    FewerThanTwoCoders,
    /// Cohen's kappa and Scott's pi are defined for exactly two coders.
    NeedsExactlyTwoCoders,
    /// q = 1: Brennan–Prediger and AC1 divide by `1 − 1/q` or `q − 1`.
    SingleCategory,
    /// A span comparison over a text of length 0.
    EmptyText,
    /// A segment comparison where neither coder has a segment.
    NoSegments,
    /// Precision with `tp + fp = 0`.
    NoPredictedPositives,
    /// Recall with `tp + fn = 0`.
    NoReferencePositives,
    /// F1 with `tp + fp + fn = 0`.
    NoPositives,
    /// Co-occurrence of two codes neither of which was applied.
    NothingCoded,
    /// ATLAS.ti's c-coefficient when the co-occurrences (pairs of
    /// overlapping quotations) outnumber the quotations: `n1 + n2 − n12 ≤ 0`.
    CooccurrencesOutnumber,
}

impl Reason {
    /// A short human-readable explanation, suitable for a report.
    pub fn message(self) -> &'static str {
        match self {
            Reason::NoVariation => "no variation: every coder used one category (1 − Pe = 0)",
            Reason::NoPairableUnit => "no unit rated by two coders",
            Reason::FewerThanTwoCoders => "fewer than two coders",
            Reason::NeedsExactlyTwoCoders => "Cohen's kappa and Scott's pi need exactly two coders",
            Reason::SingleCategory => "q = 1 category",
            Reason::EmptyText => "empty text: no characters to compare",
            Reason::NoSegments => "neither coder coded a segment",
            Reason::NoPredictedPositives => "nothing predicted (tp + fp = 0)",
            Reason::NoReferencePositives => "nothing in the reference (tp + fn = 0)",
            Reason::NoPositives => "no positives at all (tp + fp + fn = 0)",
            Reason::NothingCoded => "neither code was applied",
            Reason::CooccurrencesOutnumber => "the co-occurrences outnumber the quotations (n1 + n2 − n12 ≤ 0)",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A coefficient: a finite number or undefined with a reason.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coef {
    /// A finite value (never NaN or infinite).
    Value(f64),
    /// The coefficient is undefined for this data.
    Undefined(Reason),
}

impl Coef {
    /// The value, if defined.
    pub fn value(self) -> Option<f64> {
        match self {
            Coef::Value(v) => Some(v),
            Coef::Undefined(_) => None,
        }
    }

    /// The reason, if undefined.
    pub fn reason(self) -> Option<Reason> {
        match self {
            Coef::Value(_) => None,
            Coef::Undefined(r) => Some(r),
        }
    }

    /// `num / den`, undefined with `reason` when `|den| < EPS`; the result
    /// is snapped (see [`snap`]).
    pub(crate) fn ratio(num: f64, den: f64, reason: Reason) -> Coef {
        if den.abs() < EPS || !den.is_finite() || !num.is_finite() {
            Coef::Undefined(reason)
        } else {
            Coef::value_of(num / den, reason)
        }
    }

    /// Wrap a computed value, snapping it; a non-finite value (which the
    /// callers rule out beforehand) becomes `Undefined(reason)`.
    pub(crate) fn value_of(v: f64, reason: Reason) -> Coef {
        if v.is_finite() {
            Coef::Value(snap(v))
        } else {
            Coef::Undefined(reason)
        }
    }

    /// `(Po − Pe) / (1 − Pe)`, undefined with [`Reason::NoVariation`] when
    /// `|1 − Pe| < EPS`.
    pub(crate) fn chance_corrected(po: f64, pe: f64) -> Coef {
        Coef::ratio(po - pe, 1.0 - pe, Reason::NoVariation)
    }
}

impl fmt::Display for Coef {
    /// A value prints with the formatter's precision (default 4 decimals);
    /// an undefined coefficient prints as `undefined (<reason>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Coef::Value(v) => {
                let p = f.precision().unwrap_or(4);
                write!(f, "{v:.p$}")
            }
            Coef::Undefined(r) => write!(f, "undefined ({r})"),
        }
    }
}

/// Snap a value within [`EPS`] of 0 to exactly `0.0` (also turns `-0.0`
/// into `0.0`), so that e.g. kappa of a constant coder against a varying one
/// is exactly 0 rather than ±1e-17.
pub fn snap(v: f64) -> f64 {
    if v.abs() < EPS { 0.0 } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_and_snap() {
        assert_eq!(
            Coef::ratio(1.0, 0.0, Reason::NoVariation),
            Coef::Undefined(Reason::NoVariation)
        );
        assert_eq!(
            Coef::ratio(1.0, 1e-13, Reason::NoVariation),
            Coef::Undefined(Reason::NoVariation)
        );
        assert_eq!(Coef::ratio(1e-17, 0.5, Reason::NoVariation), Coef::Value(0.0));
        assert_eq!(Coef::ratio(-1e-17, 0.5, Reason::NoVariation).value(), Some(0.0));
        assert!(
            Coef::ratio(-1e-17, 0.5, Reason::NoVariation)
                .value()
                .unwrap()
                .is_sign_positive()
        );
        assert_eq!(format!("{}", Coef::Value(0.5)), "0.5000");
        assert_eq!(format!("{:.2}", Coef::Value(0.5)), "0.50");
        assert_eq!(
            format!("{}", Coef::Undefined(Reason::NoPairableUnit)),
            "undefined (no unit rated by two coders)"
        );
    }
}
