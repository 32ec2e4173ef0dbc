//! Percent agreement and the kappa-type coefficients `(Po − Pe)/(1 − Pe)`:
//! Cohen's kappa, Scott's pi, Fleiss' kappa, Brennan–Prediger and Gwet's AC1.
//!
//! Conventions follow irrCAC and Gwet (2014) for missing data. `r_i` is the number of ratings of unit i, `r_ik` the number
//! of coders who chose category k for it; a unit is pairable when `r_i ≥ 2`.

use super::coef::{Coef, Reason};
use super::ratings::Ratings;

/// Which q (number of categories) Brennan–Prediger and AC1 use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QSource {
    /// The declared category list (codebook), codes nobody used included.
    Declared,
    /// The categories used in at least one rating.
    Observed,
}

impl QSource {
    /// "declared" or "observed".
    pub fn name(self) -> &'static str {
        match self {
            QSource::Declared => "declared",
            QSource::Observed => "observed",
        }
    }
}

/// A coefficient that depends on q, with the q actually used.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct QCoef {
    /// The coefficient.
    pub value: Coef,
    /// The number of categories used in `Pe`.
    pub q: usize,
    /// Where q came from. A request for [`QSource::Declared`] on data without
    /// a declared category list falls back to [`QSource::Observed`], and this
    /// field says so.
    pub source: QSource,
}

/// Resolve the q to use: the declared q when requested and available,
/// otherwise the observed q.
pub fn resolve_q(r: &Ratings, wanted: QSource) -> (usize, QSource) {
    match (wanted, r.declared_q()) {
        (QSource::Declared, Some(q)) => (q, QSource::Declared),
        _ => (r.observed_q(), QSource::Observed),
    }
}

/// Common preconditions of the multi-coder coefficients: at least two
/// coders and at least one pairable unit.
fn check_pairable(r: &Ratings) -> Result<(), Reason> {
    if r.n_coders() < 2 {
        Err(Reason::FewerThanTwoCoders)
    } else if r.n_pairable_units() == 0 {
        Err(Reason::NoPairableUnit)
    } else {
        Ok(())
    }
}

/// Gwet's observed agreement: mean over pairable units of
/// `Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1))`. `None` without pairable unit.
fn gwet_po(counts: &[Vec<u64>]) -> Option<f64> {
    let mut sum = 0.0;
    let mut n = 0usize;
    for c in counts {
        let ri: u64 = c.iter().sum();
        if ri >= 2 {
            let agree: u64 = c.iter().map(|&x| x * x.saturating_sub(1)).sum();
            sum += agree as f64 / (ri * (ri - 1)) as f64;
            n += 1;
        }
    }
    (n > 0).then(|| sum / n as f64)
}

/// Category shares `π_k = (1/n) Σ_i r_ik / r_i` over the n units with at
/// least one rating (irrCAC / Gwet 2014: single-rated units count).
fn gwet_pi(counts: &[Vec<u64>], q: usize) -> Vec<f64> {
    let mut pi = vec![0.0; q];
    let mut n = 0usize;
    for c in counts {
        let ri: u64 = c.iter().sum();
        if ri >= 1 {
            n += 1;
            for (p, &x) in pi.iter_mut().zip(c) {
                *p += x as f64 / ri as f64;
            }
        }
    }
    if n > 0 {
        for p in &mut pi {
            *p /= n as f64;
        }
    }
    pi
}

/// Percent agreement, Gwet / irrCAC definition (Gwet 2014, definition 1):
///
/// `Pa = (1/n') Σ_{i: r_i ≥ 2} Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1))`,
///
/// the mean over the n' pairable units of the share of agreeing coder pairs;
/// each pairable unit counts equally. Equals `Σ_k p_kk` for two coders
/// (listwise) and Krippendorff's `1 − Do` for complete data.
///
/// Source: Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed.;
/// irrCAC `pa`. Undefined with fewer than two coders or no pairable unit.
pub fn percent_agreement(r: &Ratings) -> Coef {
    if let Err(reason) = check_pairable(r) {
        return Coef::Undefined(reason);
    }
    match gwet_po(&r.unit_counts()) {
        Some(po) => Coef::value_of(po, Reason::NoPairableUnit),
        None => Coef::Undefined(Reason::NoPairableUnit),
    }
}

/// Two-coder contingency table over the units both coders rated
/// (listwise): `table[k][l]` = number of units coded k by coder 1 and l by
/// coder 2. `Err` unless there are exactly two coders.
pub fn contingency_table(r: &Ratings) -> Result<Vec<Vec<u64>>, Reason> {
    if r.n_coders() != 2 {
        return Err(Reason::NeedsExactlyTwoCoders);
    }
    let q = r.n_categories();
    let mut t = vec![vec![0u64; q]; q];
    for row in r.data() {
        if let (Some(a), Some(b)) = (row[0], row[1]) {
            t[a as usize][b as usize] += 1;
        }
    }
    Ok(t)
}

/// Integer sums of a contingency table: N, `Σ n_kk`, row and column margins.
struct TableSums {
    n: u128,
    diag: u128,
    rows: Vec<u128>,
    cols: Vec<u128>,
}

fn table_sums(t: &[Vec<u64>]) -> TableSums {
    let q = t.len();
    let mut s = TableSums {
        n: 0,
        diag: 0,
        rows: vec![0; q],
        cols: vec![0; q],
    };
    for (k, row) in t.iter().enumerate() {
        for (l, &x) in row.iter().enumerate() {
            let x = u128::from(x);
            s.n += x;
            s.rows[k] += x;
            s.cols[l] += x;
            if k == l {
                s.diag += x;
            }
        }
    }
    s
}

/// The sums of the two coders' contingency table; an error unless there
/// are two coders who both rated some unit.
fn two_coder_sums(r: &Ratings) -> Result<TableSums, Reason> {
    let s = table_sums(&contingency_table(r)?);
    if s.n == 0 {
        return Err(Reason::NoPairableUnit);
    }
    Ok(s)
}

/// Exact `num / den` of two integers computed as i128, undefined with
/// [`Reason::NoVariation`] when `den = 0`.
fn exact_ratio(num: i128, den: i128) -> Coef {
    if den == 0 {
        Coef::Undefined(Reason::NoVariation)
    } else {
        Coef::value_of(num as f64 / den as f64, Reason::NoVariation)
    }
}

/// Cohen's kappa (Cohen 1960), exactly two coders, listwise over the N
/// units both rated:
///
/// `Po = Σ_k p_kk`, `Pe = Σ_k p_k. p_.k`, `κ = (Po − Pe)/(1 − Pe)`,
///
/// computed exactly in integers as `(N Σ n_kk − Σ n_k. n_.k) / (N² − Σ n_k. n_.k)`
/// so that a constant coder against a varying one gives exactly 0.
/// Undefined unless there are exactly two coders, when no unit was rated by
/// both, or when `1 − Pe = 0` (both coders constant on the same category).
pub fn cohen_kappa(r: &Ratings) -> Coef {
    let s = match two_coder_sums(r) {
        Ok(s) => s,
        Err(reason) => return Coef::Undefined(reason),
    };
    let e: u128 = s.rows.iter().zip(&s.cols).map(|(a, b)| a * b).sum();
    exact_ratio((s.n * s.diag) as i128 - e as i128, (s.n * s.n) as i128 - e as i128)
}

/// Scott's pi (Scott 1955), exactly two coders, listwise over the N units
/// both rated:
///
/// `Po = Σ_k p_kk`, `Pe = Σ_k ((p_k. + p_.k)/2)²`, `π = (Po − Pe)/(1 − Pe)`,
///
/// computed exactly as `(4N Σ n_kk − Σ (n_k. + n_.k)²) / (4N² − Σ (n_k. + n_.k)²)`.
/// With complete data it equals Fleiss' kappa for two coders. Undefined as
/// for [`cohen_kappa`].
pub fn scott_pi(r: &Ratings) -> Coef {
    let s = match two_coder_sums(r) {
        Ok(s) => s,
        Err(reason) => return Coef::Undefined(reason),
    };
    let e: u128 = s.rows.iter().zip(&s.cols).map(|(a, b)| (a + b) * (a + b)).sum();
    exact_ratio(
        (4 * s.n * s.diag) as i128 - e as i128,
        (4 * s.n * s.n) as i128 - e as i128,
    )
}

/// Fleiss' kappa (Fleiss 1971) with missing ratings as in Gwet (2014) /
/// irrCAC `fleiss()`:
///
/// * `Po` = [`percent_agreement`] (mean over pairable units);
/// * `π_k = (1/n) Σ_i r_ik / r_i` over the n units with **at least one**
///   rating (single-rated units count in the shares);
/// * `Pe = Σ_k π_k²`, `κ = (Po − Pe)/(1 − Pe)`.
///
/// On complete data this is the textbook Fleiss kappa (= statsmodels, NLTK
/// `pi()`). It differs from `agreement.scotts_pi`, which drops single-rated
/// units from `π_k`. Undefined with fewer than two coders, no pairable unit,
/// or `1 − Pe = 0`.
pub fn fleiss_kappa(r: &Ratings) -> Coef {
    if let Err(reason) = check_pairable(r) {
        return Coef::Undefined(reason);
    }
    let counts = r.unit_counts();
    let Some(po) = gwet_po(&counts) else {
        return Coef::Undefined(Reason::NoPairableUnit);
    };
    let pe: f64 = gwet_pi(&counts, r.n_categories()).iter().map(|p| p * p).sum();
    Coef::chance_corrected(po, pe)
}

/// Brennan–Prediger coefficient (Bennett, Alpert & Goldstein 1954 "S";
/// Brennan & Prediger 1981; Randolph's free-marginal multirater kappa 2005;
/// what MAXQDA reports):
///
/// `Pe = 1/q`, `BP = (Po − 1/q)/(1 − 1/q)`, with `Po` = [`percent_agreement`].
///
/// q is the declared or the observed number of categories (see
/// [`resolve_q`]); the result records which. Undefined with fewer than two
/// coders, no pairable unit, or q = 1 ([`Reason::SingleCategory`]; irrCAC
/// silently returns `Po` there).
pub fn brennan_prediger(r: &Ratings, q_source: QSource) -> QCoef {
    let (q, source) = resolve_q(r, q_source);
    let value = (|| {
        check_pairable(r)?;
        if q < 2 {
            return Err(Reason::SingleCategory);
        }
        gwet_po(&r.unit_counts()).ok_or(Reason::NoPairableUnit)
    })();
    let value = match value {
        Ok(po) => Coef::chance_corrected(po, 1.0 / q as f64),
        Err(reason) => Coef::Undefined(reason),
    };
    QCoef { value, q, source }
}

/// Gwet's AC1 (Gwet 2008, *BJMSP* 61:29–48; irrCAC `gwet()`):
///
/// `Pe = Σ_k π_k (1 − π_k) / (q − 1)`, `AC1 = (Po − Pe)/(1 − Pe)`,
///
/// with `Po` = [`percent_agreement`] and `π_k` as in [`fleiss_kappa`] (units
/// with at least one rating). q is declared or observed (see [`resolve_q`]);
/// unused declared codes have `π_k = 0` but raise q. Undefined with fewer
/// than two coders, no pairable unit, or q = 1. With q ≥ 2, `Pe ≤ 1/q < 1`,
/// so AC1 is then always defined (e.g. 1.0 when everybody used one code of a
/// declared codebook with q ≥ 2).
pub fn gwet_ac1(r: &Ratings, q_source: QSource) -> QCoef {
    let (q, source) = resolve_q(r, q_source);
    let value = (|| {
        check_pairable(r)?;
        if q < 2 {
            return Err(Reason::SingleCategory);
        }
        let counts = r.unit_counts();
        let po = gwet_po(&counts).ok_or(Reason::NoPairableUnit)?;
        let pe: f64 = gwet_pi(&counts, r.n_categories())
            .iter()
            .map(|p| p * (1.0 - p))
            .sum::<f64>()
            / (q - 1) as f64;
        Ok((po, pe))
    })();
    let value = match value {
        Ok((po, pe)) => Coef::chance_corrected(po, pe),
        Err(reason) => Coef::Undefined(reason),
    };
    QCoef { value, q, source }
}
