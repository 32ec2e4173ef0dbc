//! Krippendorff's alpha (nominal) via the coincidence matrix, and the
//! Krippendorff/Hayes KALPHA bootstrap of its distribution.
//!
//! Sources: Krippendorff, K. (2011), *Computing Krippendorff's
//! Alpha-Reliability*, <https://repository.upenn.edu/asc_papers/43>;
//! Krippendorff, *Algorithm for bootstrapping a distribution of αc* (2006,
//! rev. 2011), as implemented in Hayes' KALPHA macro and in the Stata port
//! `kalpha` 1.3.0 (`r-stata/tssc`, `ssc/kalpha/kalpha.ado`).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::coef::{Coef, EPS, Reason, snap};
use super::ratings::Ratings;

/// The method name to print next to a [`KalphaBootstrap`] interval.
pub const KALPHA_BOOTSTRAP_METHOD: &str = "Krippendorff/Hayes KALPHA bootstrap (resamples pairable values)";

/// The coincidence matrix of nominal reliability data.
#[derive(Debug, Clone, PartialEq)]
pub struct Coincidences {
    /// `o[c][k] = Σ_u (number of ordered pairs (c, k) of values in u) / (m_u − 1)`
    /// over pairable units u (`m_u ≥ 2` values); symmetric, indexed by
    /// category index.
    pub o: Vec<Vec<f64>>,
    /// `n_c = Σ_k o[c][k]`, the number of pairable values of category c
    /// (counted exactly, not summed from the fractions of `o`).
    pub n_c: Vec<f64>,
    /// `n.. = Σ_c n_c`, the total number of pairable values.
    pub n: f64,
    /// Number of pairable units.
    pub pairable_units: usize,
}

/// Build the coincidence matrix (Krippendorff 2011, §C):
/// `o_ck = Σ_u Σ_{i≠j} [v_ui = c][v_uj = k] / (m_u − 1)` over units with
/// `m_u ≥ 2` values; single-rated units are unpairable and ignored, and
/// unused categories have `n_c = 0`.
pub fn coincidences(r: &Ratings) -> Coincidences {
    let q = r.n_categories();
    let mut o = vec![vec![0.0; q]; q];
    let mut n_c = vec![0u64; q];
    let mut pairable_units = 0;
    for counts in r.unit_counts() {
        let mu: u64 = counts.iter().sum();
        if mu < 2 {
            continue;
        }
        pairable_units += 1;
        let w = (mu - 1) as f64;
        for (c, &nc) in counts.iter().enumerate() {
            if nc == 0 {
                continue;
            }
            n_c[c] += nc;
            for (k, &nk) in counts.iter().enumerate() {
                let pairs = if c == k { nc * (nc - 1) } else { nc * nk };
                if pairs > 0 {
                    o[c][k] += pairs as f64 / w;
                }
            }
        }
    }
    let n_c: Vec<f64> = n_c.into_iter().map(|x| x as f64).collect();
    let n = n_c.iter().sum();
    Coincidences {
        o,
        n_c,
        n,
        pairable_units,
    }
}

/// Observed and expected disagreement of nominal data.
fn disagreements(co: &Coincidences) -> (f64, f64) {
    let q = co.o.len();
    let mut off = 0.0;
    for c in 0..q {
        for k in 0..q {
            if c != k {
                off += co.o[c][k];
            }
        }
    }
    let sum_nc2: f64 = co.n_c.iter().map(|x| x * x).sum();
    let d_o = off / co.n;
    let d_e = (co.n * co.n - sum_nc2) / (co.n * (co.n - 1.0));
    (d_o, d_e)
}

/// Krippendorff's alpha for nominal data, any number of coders, missing
/// data allowed (Krippendorff 2011):
///
/// * `Do = Σ_{c≠k} o_ck / n..`,
/// * `De = Σ_{c≠k} n_c n_k / (n.. (n.. − 1))`,
/// * `α = 1 − Do/De`.
///
/// Undefined with fewer than two coders, no pairable unit, or `De = 0`
/// within 1e-12 (one value only; kalpha prints 0 there, NLTK 1, `krippendorff`
/// raises an error). A single pairable unit with differing
/// values gives exactly 0 (`Do = De`). Matches the `krippendorff` package,
/// irrCAC and NLTK to below 1e-9 on the published examples (see the tests).
pub fn krippendorff_alpha(r: &Ratings) -> Coef {
    alpha_with(r).0
}

fn alpha_with(r: &Ratings) -> (Coef, Option<(Coincidences, f64)>) {
    if r.n_coders() < 2 {
        return (Coef::Undefined(Reason::FewerThanTwoCoders), None);
    }
    let co = coincidences(r);
    if co.pairable_units == 0 {
        return (Coef::Undefined(Reason::NoPairableUnit), None);
    }
    let (d_o, d_e) = disagreements(&co);
    if d_e.abs() < EPS {
        return (Coef::Undefined(Reason::NoVariation), None);
    }
    let alpha = Coef::value_of(1.0 - d_o / d_e, Reason::NoVariation);
    (alpha, Some((co, d_e)))
}

/// Why the bootstrap was not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BootstrapSkip {
    /// Alpha itself is undefined.
    AlphaUndefined(Reason),
    /// Alpha is exactly 0 (kalpha: "bootstrapping does not apply").
    AlphaZero,
    /// Alpha is exactly 1 (kalpha: "bootstrapping does not apply").
    AlphaOne,
    /// Fewer than two replicates requested (kalpha requires at least 2).
    TooFewReplicates,
}

impl BootstrapSkip {
    /// A short human-readable explanation.
    pub fn message(self) -> String {
        match self {
            BootstrapSkip::AlphaUndefined(r) => format!("alpha is undefined ({r})"),
            BootstrapSkip::AlphaZero => "alpha is exactly 0: bootstrapping does not apply (as in KALPHA)".to_owned(),
            BootstrapSkip::AlphaOne => "alpha is exactly 1: bootstrapping does not apply (as in KALPHA)".to_owned(),
            BootstrapSkip::TooFewReplicates => "fewer than two replicates requested".to_owned(),
        }
    }
}

/// Result of the Krippendorff/Hayes bootstrap.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KalphaBootstrap {
    /// [`KALPHA_BOOTSTRAP_METHOD`].
    pub method: &'static str,
    /// The point estimate (alpha of the data).
    pub alpha: f64,
    /// Lower 95 % limit.
    pub ci_low: f64,
    /// Upper 95 % limit.
    pub ci_high: f64,
    /// Share of replicates with `α* < 0.667`.
    pub q_below_0667: f64,
    /// Share of replicates with `α* < 0.800`.
    pub q_below_0800: f64,
    /// M, the number of pairable values drawn per replicate.
    pub m_draws: usize,
    /// Q, the number of non-zero cells of the full coincidence matrix.
    pub q_cells: usize,
    /// n.., the number of pairable values.
    pub n_pairable_values: f64,
    /// Number of replicates.
    pub replicates: usize,
    /// Seed of the `ChaCha8Rng`.
    pub seed: u64,
}

/// Outcome of [`kalpha_bootstrap`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bootstrap {
    /// The bootstrap ran.
    Computed(KalphaBootstrap),
    /// The bootstrap was not computed, with the reason.
    NotComputed(BootstrapSkip),
}

/// The Krippendorff/Hayes bootstrap of nominal alpha (KALPHA), as in notes
/// §3.9 and Stata `kalpha` 1.3.0:
///
/// 1. Keep the observed `o_ck`, `n..` and the original `De`.
/// 2. Cell probabilities over the upper triangle: `p_cc = o_cc/n..`,
///    `p_ck = 2 o_ck/n..` for c < k.
/// 3. `M = min(25 Q, round(n.. (m − 1)/2))`; Q = number of non-zero cells of
///    the full `o` matrix, m = number of coders with at least one rating
///    (kalpha drops all-missing observers); `round` is half away from zero.
/// 4. Each replicate draws M cells with replacement (inverse CDF of a
///    uniform `[0, 1)` draw over the non-zero cells in kalpha's `vech` order)
///    and computes `α* = 1 − Σ δ²/(M De)`, δ² = 1 off the diagonal, 0 on it.
/// 5. `α* < −1` is clamped to −1.
/// 6. Spurious 1s: if only one diagonal cell is non-zero, every `α* = 1`
///    becomes 0; otherwise `nx = round(reps · Σ_c (o_cc/n..)^M)` of the 1s
///    become 0 (all of them if there are no more than nx).
/// 7. Sort; the 95 % limits are replicates number `max(⌊0.025 reps⌋, 1)`
///    and `⌊0.975 reps⌋ + 1` counting from 1 (integer arithmetic:
///    `⌊reps/40⌋` and `⌊39 reps/40⌋ + 1`). `q(α_min)` is the share of
///    (corrected) replicates strictly below `α_min`, for 0.667 and 0.800.
/// 8. Like kalpha, skip when alpha is exactly 0 or 1 (after snapping
///    within 1e-12), and when alpha is undefined (kalpha would have set it
///    to 0 and skipped too).
///
/// The generator is `ChaCha8Rng::seed_from_u64(seed)`, so a seed fixes the
/// result; the Stata/SPSS/R implementations use other generators, so limits
/// can only be matched within Monte-Carlo error (about ±0.02 with 20 000
/// replicates). The method treats pairable values as independent and keeps
/// `De` fixed (criticised by Gwet 2015, Zapf et al. 2016, Hughes 2022).
pub fn kalpha_bootstrap(r: &Ratings, replicates: usize, seed: u64) -> Bootstrap {
    let (alpha, detail) = alpha_with(r);
    let (alpha, (co, d_e)) = match (alpha, detail) {
        (Coef::Value(a), Some(d)) => (a, d),
        (Coef::Undefined(reason), _) => {
            return Bootstrap::NotComputed(BootstrapSkip::AlphaUndefined(reason));
        }
        (Coef::Value(_), None) => {
            return Bootstrap::NotComputed(BootstrapSkip::AlphaUndefined(Reason::NoVariation));
        }
    };
    if alpha == 0.0 {
        return Bootstrap::NotComputed(BootstrapSkip::AlphaZero);
    }
    if alpha == 1.0 {
        return Bootstrap::NotComputed(BootstrapSkip::AlphaOne);
    }
    if replicates < 2 {
        return Bootstrap::NotComputed(BootstrapSkip::TooFewReplicates);
    }

    let q = co.o.len();
    let n = co.n;
    let m_coders = r.n_active_coders();
    let q_cells = co.o.iter().flatten().filter(|&&x| x > 0.0).count();
    let m_draws = ((25 * q_cells) as f64)
        .min((n * (m_coders as f64 - 1.0) / 2.0).round())
        .max(1.0) as usize;

    // Cells of the lower triangle in kalpha's vech order (column-major:
    // (c,c), (c+1,c), ...), keeping only non-zero ones: cumulative
    // probability and whether the cell is a disagreement.
    let mut cum: Vec<f64> = Vec::new();
    let mut off_diag: Vec<bool> = Vec::new();
    let mut acc = 0.0;
    for c in 0..q {
        for k in c..q {
            let p = if c == k { co.o[c][c] / n } else { 2.0 * co.o[k][c] / n };
            if p > 0.0 {
                acc += p;
                cum.push(acc);
                off_diag.push(c != k);
            }
        }
    }
    if cum.is_empty() {
        // Unreachable: a defined alpha has pairable values.
        return Bootstrap::NotComputed(BootstrapSkip::AlphaUndefined(Reason::NoPairableUnit));
    }
    // Normalise away rounding so that the last cell ends at exactly 1.
    for x in &mut cum {
        *x /= acc;
    }
    if let Some(last) = cum.last_mut() {
        *last = 1.0;
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let denom = m_draws as f64 * d_e;
    let mut boot: Vec<f64> = Vec::with_capacity(replicates);
    for _ in 0..replicates {
        let mut disagreements = 0usize;
        for _ in 0..m_draws {
            let u: f64 = rng.random();
            let idx = cum.partition_point(|&c| c <= u).min(off_diag.len() - 1);
            if off_diag[idx] {
                disagreements += 1;
            }
        }
        let a = 1.0 - disagreements as f64 / denom;
        // Step 5: clamp.
        boot.push(if a < -1.0 { -1.0 } else { a });
    }

    // Step 6: spurious 1s (a replicate is exactly 1 iff it drew no
    // disagreement).
    let ones = boot.iter().filter(|&&a| a == 1.0).count();
    if ones > 0 {
        let diag_nonzero = (0..q).filter(|&c| co.o[c][c] > 0.0).count();
        if diag_nonzero == 1 {
            replace_ones(&mut boot, ones);
        } else if diag_nonzero > 1 {
            let s: f64 = (0..q).map(|c| (co.o[c][c] / n).powf(m_draws as f64)).sum();
            let nx = (replicates as f64 * s).round() as usize;
            replace_ones(&mut boot, nx.min(ones));
        }
    }

    // Step 7: limits by index.
    boot.sort_by(f64::total_cmp);
    let lo_idx = (replicates / 40).max(1);
    // ⌊39 r/40⌋ + 1 = r − ⌈r/40⌉ + 1, without overflow.
    let hi_idx = replicates - replicates.div_ceil(40) + 1;
    let share_below = |t: f64| boot.iter().filter(|&&a| a < t).count() as f64 / replicates as f64;
    Bootstrap::Computed(KalphaBootstrap {
        method: KALPHA_BOOTSTRAP_METHOD,
        alpha,
        ci_low: snap(boot[lo_idx - 1]),
        ci_high: snap(boot[hi_idx - 1]),
        q_below_0667: share_below(0.667),
        q_below_0800: share_below(0.800),
        m_draws,
        q_cells,
        n_pairable_values: n,
        replicates,
        seed,
    })
}

/// Turn `count` of the replicates equal to 1 into 0. All 1s are equal, so
/// which ones does not matter (kalpha sorts and zeroes the top `count`).
fn replace_ones(boot: &mut [f64], count: usize) {
    for a in boot.iter_mut().filter(|a| **a == 1.0).take(count) {
        *a = 0.0;
    }
}
