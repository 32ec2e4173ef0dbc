//! Exact decimal numbers for money amounts.
//!
//! Amounts are read from digits and words and multiplied by `mil`,
//! `millones` or `k`; binary floating point would turn `3.3 mil` into
//! 3299.9999999999995. A [`Decimal`] holds `units / 10^scale` in integers,
//! so every amount is printed exactly as it was said. Hand-written rather
//! than taken from a decimal crate: amounts need only non-negative values,
//! addition, multiplication and printing, a few dozen lines.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The most decimal places a [`Decimal`] keeps: `10^18` is the largest power
/// of ten below `u64::MAX`.
const MAX_SCALE: u32 = 18;

/// A non-negative decimal number, exactly `units / 10^scale`.
///
/// Kept normalised (no trailing zero after the decimal point), so that equal
/// numbers are equal values: `1250.50` and `1250.5` are the same `Decimal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    units: u64,
    scale: u32,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal { units: 0, scale: 0 };

    /// The whole number `n`.
    pub const fn from_integer(n: u64) -> Decimal {
        Decimal { units: n, scale: 0 }
    }

    /// `units / 10^scale`, or `None` when `scale` is above 18.
    pub fn new(units: u64, scale: u32) -> Option<Decimal> {
        (scale <= MAX_SCALE).then(|| Decimal { units, scale }.normalised())
    }

    /// The digits of the number without its decimal point: 12505 for
    /// 1250.50 (see [`Decimal::scale`]).
    pub fn units(self) -> u64 {
        self.units
    }

    /// How many of [`Decimal::units`]' digits are after the decimal point.
    pub fn scale(self) -> u32 {
        self.scale
    }

    /// Whether the number has no fractional part.
    pub fn is_integer(self) -> bool {
        self.scale == 0
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = self.widened(scale)?;
        let b = other.widened(scale)?;
        Decimal::from_wide(a.checked_add(b)?, scale)
    }

    /// `self × other`, or `None` on overflow.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let units = u128::from(self.units) * u128::from(other.units);
        Decimal::from_wide(units, self.scale + other.scale)
    }

    /// The units at `scale` decimal places (at least `self.scale`), in a
    /// wide integer.
    fn widened(self, scale: u32) -> Option<u128> {
        u128::from(self.units).checked_mul(10u128.checked_pow(scale - self.scale)?)
    }

    /// `units / 10^scale` from a wide integer: trailing zeros dropped first,
    /// then `None` if it still does not fit.
    fn from_wide(mut units: u128, mut scale: u32) -> Option<Decimal> {
        while scale > 0 && units.is_multiple_of(10) {
            units /= 10;
            scale -= 1;
        }
        if scale > MAX_SCALE {
            return None;
        }
        Some(Decimal {
            units: u64::try_from(units).ok()?,
            scale,
        })
    }

    fn normalised(self) -> Decimal {
        Decimal::from_wide(u128::from(self.units), self.scale).expect("dropping zeros keeps a number in range")
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        let scale = self.scale.max(other.scale);
        // Both scales are at most 18 and units below 2^64, so 10^18 × 2^64
        // fits in a u128: widening cannot fail here.
        let a = self.widened(scale).expect("fits in u128");
        let b = other.widened(scale).expect("fits in u128");
        a.cmp(&b)
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Plain digits with a `.` decimal point and no thousands separator, so
/// that a spreadsheet reads it back whatever its locale: `3500`,
/// `1250.50`, `0.125`. A fractional part has at least two digits, as money
/// is written (`12.50`, not `12.5`).
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.units);
        }
        let divisor = 10u64.pow(self.scale);
        let fraction = self.units % divisor;
        let width = self.scale as usize;
        let digits = format!("{fraction:0width$}");
        let shown = if digits.len() < 2 { format!("{digits}0") } else { digits };
        write!(f, "{}.{shown}", self.units / divisor)
    }
}

/// Reads what [`Display`](fmt::Display) writes: digits with at most one `.`.
impl FromStr for Decimal {
    type Err = Error;

    fn from_str(s: &str) -> Result<Decimal, Error> {
        let bad = || {
            Error::new(format!("`{s}` is not a decimal number"))
                .hint("write digits with at most one `.` as decimal point and no thousands separator, e.g. 1250.50")
        };
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || (s.contains('.') && fraction.is_empty()) {
            return Err(bad());
        }
        let scale = u32::try_from(fraction.len()).map_err(|_| bad())?;
        let units: u64 = format!("{whole}{fraction}").parse().map_err(|_| bad())?;
        Decimal::new(units, scale).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn prints_exactly_with_cents() {
        assert_eq!(d("3500").to_string(), "3500");
        assert_eq!(d("1250.50").to_string(), "1250.50");
        assert_eq!(d("1250.5").to_string(), "1250.50");
        assert_eq!(d("0.125").to_string(), "0.125");
        assert_eq!(d("0.05").to_string(), "0.05");
        assert_eq!(d("7.000").to_string(), "7");
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(d("3.3").checked_mul(d("1000")), Some(d("3300")));
        assert_eq!(d("0.1").checked_add(d("0.2")), Some(d("0.3")));
        assert_eq!(d("2.5").checked_mul(d("1000000")).unwrap().to_string(), "2500000");
        assert_eq!(Decimal::from_integer(u64::MAX).checked_add(d("1")), None);
        assert_eq!(Decimal::from_integer(u64::MAX).checked_mul(d("10")), None);
        // Trailing zeros of the product are dropped before the range check.
        assert_eq!(d("0.000000001").checked_mul(d("0.000000001000")), Decimal::new(1, 18));
    }

    #[test]
    fn orders_by_value() {
        assert!(d("999.99") < d("1000"));
        assert!(d("0.5") > d("0.125"));
        assert_eq!(d("12.50").cmp(&d("12.5")), Ordering::Equal);
    }

    #[test]
    fn refuses_what_is_not_a_plain_decimal() {
        for bad in ["", ".5", "5.", "1,000", "1.2.3", "-4", "1e3", "99999999999999999999"] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
    }
}
