//! Reference values — the published examples of Krippendorff (2011),
//! Gwet (2014) and Fleiss (1971), recomputed by hand where a package
//! differs — and property tests.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

/// Ratings from a units × coders matrix of small integers; `-1` = missing.
fn mat(rows: &[&[i32]]) -> Ratings {
    let data = rows
        .iter()
        .map(|r| r.iter().map(|&v| (v >= 0).then_some(v as u32)).collect::<Vec<_>>())
        .collect();
    Ratings::from_matrix(data, None).unwrap()
}

/// Ratings from coder-major rows (one slice per coder), `-1` = missing.
fn by_coder(coders: &[&[i32]]) -> Ratings {
    let n = coders[0].len();
    let data = (0..n)
        .map(|u| {
            coders
                .iter()
                .map(|c| (c[u] >= 0).then_some(c[u] as u32))
                .collect::<Vec<_>>()
        })
        .collect();
    Ratings::from_matrix(data, None).unwrap()
}

/// Two-coder ratings from a contingency table `t[k][l]`.
fn from_table(t: &[&[u32]]) -> Ratings {
    let mut data = Vec::new();
    for (k, row) in t.iter().enumerate() {
        for (l, &n) in row.iter().enumerate() {
            for _ in 0..n {
                data.push(vec![Some(k as u32), Some(l as u32)]);
            }
        }
    }
    Ratings::from_matrix(data, Some(t.len())).unwrap()
}

/// Ratings from per-unit category counts (rater identity meaningless):
/// unit i gets `counts[i][k]` ratings of category k, assigned to coders in
/// order; units with fewer ratings than coders have missing cells.
fn from_counts(counts: &[&[u32]]) -> Ratings {
    let m = counts.iter().map(|c| c.iter().sum::<u32>() as usize).max().unwrap();
    let data = counts
        .iter()
        .map(|c| {
            let mut row: Vec<Option<u32>> = c
                .iter()
                .enumerate()
                .flat_map(|(k, &n)| std::iter::repeat_n(Some(k as u32), n as usize))
                .collect();
            row.resize(m, None);
            row
        })
        .collect();
    Ratings::from_matrix(data, Some(counts[0].len())).unwrap()
}

fn val(c: Coef) -> f64 {
    c.value().unwrap_or_else(|| panic!("expected a value, got {c:?}"))
}

/// `|x − printed| ≤ half a unit of the printed precision`.
fn assert_printed(x: f64, printed: f64, decimals: i32) {
    let tol = 0.5 * 10f64.powi(-decimals) + 1e-12;
    assert!(
        (x - printed).abs() <= tol,
        "{x} does not round to {printed} ({decimals} decimals)"
    );
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

// ---------------------------------------------------------------------------
// Krippendorff (2011)

/// §A: binary data, 2 observers × 10 units.
fn kripp_a() -> Ratings {
    by_coder(&[&[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], &[1, 1, 1, 0, 0, 1, 0, 0, 0, 0]])
}

/// §B: nominal data, 2 observers × 12 units (a..e = 0..4).
fn kripp_b() -> Ratings {
    by_coder(&[
        &[0, 0, 1, 1, 3, 2, 2, 2, 4, 3, 3, 0],
        &[1, 0, 1, 1, 1, 2, 2, 2, 4, 3, 3, 3],
    ])
}

/// §C: 4 observers × 12 units with missing values (values 1..5).
fn kripp_c() -> Ratings {
    Ratings::from_triples(
        [
            ("A", [1, 2, 3, 3, 2, 1, 4, 1, 2, -1, -1, -1]),
            ("B", [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, -1, 3]),
            ("C", [-1, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, -1]),
            ("D", [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, -1]),
        ]
        .iter()
        .flat_map(|(coder, vals)| {
            vals.iter()
                .enumerate()
                .filter(|(_, v)| **v > 0)
                .map(move |(u, v)| (format!("u{}", u + 1), coder.to_string(), v.to_string()))
        })
        .collect::<Vec<_>>(),
    )
    .unwrap()
}

#[test]
fn krippendorff_2011_a_binary() {
    let r = kripp_a();
    let a = val(krippendorff_alpha(&r));
    assert_printed(a, 0.095, 3);
    // Exact: 1 − (n − 1)·(o01 + o10)/(2 n0 n1) = 1 − 19·8/168.
    assert!(close(a, 1.0 - 152.0 / 168.0));
    // ATLAS.ti manual: PA 0.60, chance agreement about .56 (1 − De).
    let co = coincidences(&r);
    let de = (co.n * co.n - co.n_c.iter().map(|x| x * x).sum::<f64>()) / (co.n * (co.n - 1.0));
    assert_printed(1.0 - de, 0.56, 2);
    assert_printed(val(percent_agreement(&r)), 0.60, 2);
}

#[test]
fn krippendorff_2011_b_nominal() {
    let a = val(krippendorff_alpha(&kripp_b()));
    assert_printed(a, 0.692, 3);
    // Do = 6/24, De = 448/552.
    assert!(close(a, 1.0 - (6.0 / 24.0) / (448.0 / 552.0)));
}

#[test]
fn krippendorff_2011_c_four_observers_missing() {
    let r = kripp_c();
    assert_eq!(r.n_units(), 12);
    assert_eq!(r.n_coders(), 4);
    assert_eq!(r.n_pairable_units(), 11);
    assert_printed(val(krippendorff_alpha(&r)), 0.743, 3);
    // Percent agreement, Gwet definition: 9 agreeing-pair shares / 11 units.
    let pa = val(percent_agreement(&r));
    assert!(close(pa, 9.0 / 11.0));
    assert_printed(pa, 0.8182, 4);
    // Gwet (2014) handbook values as printed in the irrCAC docs.
    assert_printed(val(fleiss_kappa(&r)), 0.76117, 5);
    let ac1 = gwet_ac1(&r, QSource::Observed);
    assert_eq!((ac1.q, ac1.source), (5, QSource::Observed));
    assert_printed(val(ac1.value), 0.77544, 5);
    // Declared falls back to observed without a declared list.
    assert_eq!(gwet_ac1(&r, QSource::Declared).source, QSource::Observed);
    // Coincidence matrix: n.. = 40 pairable values; n_c from the paper.
    let co = coincidences(&r);
    assert_eq!(co.n, 40.0);
    assert_eq!(co.n_c, vec![9.0, 13.0, 10.0, 5.0, 3.0]);
    assert_eq!(co.pairable_units, 11);
}

#[test]
fn wikipedia_krippendorff_example() {
    // Wikipedia "Krippendorff's alpha": 3 coders × 15 units, α nominal .691
    // (= 56/81 exactly; also what the `krippendorff` package gives).
    let r = by_coder(&[
        &[-1, -1, -1, -1, -1, 3, 4, 1, 2, 1, 1, 3, 3, -1, 3],
        &[1, -1, 2, 1, 3, 3, 4, 3, -1, -1, -1, -1, -1, -1, -1],
        &[-1, -1, 2, 1, 3, 4, 4, -1, 2, 1, 1, 3, 3, -1, 4],
    ]);
    let a = val(krippendorff_alpha(&r));
    assert_printed(a, 0.691, 3);
    assert!(close(a, 0.691358024691358));
}

// ---------------------------------------------------------------------------
// Fleiss

/// Fleiss (1971), 30 patients × 6 psychiatrists; layout of statsmodels'
/// `test_inter_rater.py` (`diagnoses`) and R `irr::diagnoses`.
fn fleiss_1971() -> Ratings {
    let d: [[i32; 6]; 30] = [
        [4, 4, 4, 4, 4, 4],
        [2, 2, 2, 5, 5, 5],
        [2, 3, 3, 3, 3, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3],
        [3, 3, 3, 3, 5, 5],
        [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4],
        [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4],
        [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3],
        [1, 4, 4, 4, 4, 4],
        [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5],
        [1, 1, 1, 1, 1, 2],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 4, 4, 4, 4, 4],
        [2, 2, 4, 5, 5, 5],
        [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4],
        [1, 1, 1, 1, 5, 5],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
    ];
    let rows: Vec<Vec<i32>> = d.iter().map(|r| r.iter().map(|v| v - 1).collect()).collect();
    let refs: Vec<&[i32]> = rows.iter().map(Vec::as_slice).collect();
    mat(&refs)
}

#[test]
fn fleiss_1971_diagnoses() {
    let r = fleiss_1971();
    // statsmodels' check of the data: category totals 26, 26, 30, 55, 43.
    let mut totals = [0; 5];
    for &k in r.data().iter().flatten().flatten() {
        totals[k as usize] += 1;
    }
    assert_eq!(totals, [26, 26, 30, 55, 43]);
    let k = val(fleiss_kappa(&r));
    assert_printed(k, 0.430, 3);
    assert_printed(k, 0.4302445, 7); // R irr::kappam.fleiss
    // Fleiss (1971): P̄ = .556, P̄e = .220.
    assert_printed(val(percent_agreement(&r)), 0.556, 3);
    let pe: f64 = totals.iter().map(|&t| (t as f64 / 180.0).powi(2)).sum();
    assert_printed(pe, 0.220, 3);
}

#[test]
fn fleiss_wikipedia_10x14() {
    let r = from_counts(&[
        &[0, 0, 0, 0, 14],
        &[0, 2, 6, 4, 2],
        &[0, 0, 3, 5, 6],
        &[0, 3, 9, 2, 0],
        &[2, 2, 8, 1, 1],
        &[7, 7, 0, 0, 0],
        &[3, 2, 6, 3, 0],
        &[2, 5, 3, 2, 2],
        &[6, 5, 2, 1, 0],
        &[0, 2, 2, 3, 7],
    ]);
    assert_printed(val(percent_agreement(&r)), 0.378, 3);
    assert_printed(val(fleiss_kappa(&r)), 0.210, 3);
}

#[test]
fn randolph_free_marginal() {
    // 2 subjects × 8 raters, counts 7/1 and 3/5 (statsmodels' tests of
    // Randolph's online calculator).
    let r = from_counts(&[&[7, 1], &[3, 5]]);
    assert_printed(val(percent_agreement(&r)), 0.607143, 6);
    let bp = brennan_prediger(&r, QSource::Declared);
    assert_eq!((bp.q, bp.source), (2, QSource::Declared));
    assert_printed(val(bp.value), 0.214286, 6);
    assert_printed(val(fleiss_kappa(&r)), 0.161905, 6);
}

// ---------------------------------------------------------------------------
// Cohen, Scott, AC1 (two coders)

#[test]
fn notes_section_7_eight_units() {
    let r = by_coder(&[&[1, 1, 1, 1, 0, 0, 0, 0], &[1, 1, 1, 0, 0, 0, 0, 0]]);
    assert_eq!(val(percent_agreement(&r)), 0.875);
    assert!(close(val(cohen_kappa(&r)), 0.75));
    let a = val(krippendorff_alpha(&r));
    assert!(close(a, 16.0 / 21.0));
    assert_printed(a, 0.7619, 4);
}

#[test]
fn cohen_sas_3x3_table() {
    // SAS PROC FREQ example used in statsmodels' tests: κ = .4842 = 107/221.
    let r = from_table(&[&[0, 4, 1], &[0, 8, 0], &[0, 1, 5]]);
    let k = val(cohen_kappa(&r));
    assert!(close(k, 107.0 / 221.0));
    assert_printed(k, 0.4842, 4);
}

#[test]
fn cohen_wikipedia_2x2() {
    // 50 proposals: yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    let r = from_table(&[&[20, 5], &[10, 15]]);
    assert!(close(val(percent_agreement(&r)), 0.70));
    assert!(close(val(cohen_kappa(&r)), 0.40));
}

#[test]
fn gwet_100_pregnancies() {
    // Gwet (2014) via the irrCAC docs (cont3x3abstractors): AC1 .84933, pa .89.
    let r = from_table(&[&[13, 0, 0], &[0, 20, 7], &[0, 4, 56]]);
    assert!(close(val(percent_agreement(&r)), 0.89));
    let ac1 = gwet_ac1(&r, QSource::Declared);
    assert_eq!(ac1.q, 3);
    assert_printed(val(ac1.value), 0.84933, 5);
}

#[test]
fn scott_pi_alpha_relation_and_fleiss() {
    // Complete two-coder data: π = Fleiss, α = 1 − (n−1)/n·(1 − π), n = 2N.
    let r = kripp_b();
    let pi = val(scott_pi(&r));
    assert!(close(pi, val(fleiss_kappa(&r))));
    let n = 24.0;
    assert!(close(val(krippendorff_alpha(&r)), 1.0 - (n - 1.0) / n * (1.0 - pi)));
}

#[test]
fn constant_coder_gives_exactly_zero() {
    // andywills.info (R irr::kappa2): one coder constant, 80 % agreement, κ 0.
    let r = by_coder(&[&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0, 0, 0, 0, 1, 0, 0, 0, 1, 0]]);
    assert_eq!(val(percent_agreement(&r)), 0.8);
    assert_eq!(cohen_kappa(&r), Coef::Value(0.0));
    assert!(val(cohen_kappa(&r)).is_sign_positive());
    // π and α are negative.
    assert!(val(scott_pi(&r)) < 0.0);
    assert!(val(krippendorff_alpha(&r)) < 0.0);
    // Swapped roles and a 3-category variant.
    let r = by_coder(&[&[0, 1, 2, 2, 1, 0, 1], &[2, 2, 2, 2, 2, 2, 2]]);
    assert_eq!(cohen_kappa(&r), Coef::Value(0.0));
}

#[test]
fn perfect_disagreement() {
    let n = 10;
    let a: Vec<i32> = (0..n).map(|i| i % 2).collect();
    let b: Vec<i32> = a.iter().map(|x| 1 - x).collect();
    let r = by_coder(&[&a, &b]);
    assert!(close(val(cohen_kappa(&r)), -1.0));
    assert!(close(val(scott_pi(&r)), -1.0));
    assert!(close(val(fleiss_kappa(&r)), -1.0));
    let alpha = val(krippendorff_alpha(&r));
    assert!(close(alpha, -(n as f64 - 1.0) / n as f64));
    // The bootstrap is degenerate: every replicate draws only disagreements.
    match kalpha_bootstrap(&r, 1000, 7) {
        Bootstrap::Computed(b) => {
            assert!(close(b.ci_low, alpha) && close(b.ci_high, alpha));
            assert_eq!(b.q_below_0667, 1.0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn single_unit_a_a_b() {
    // Notes §5: Fleiss −0.5, BP −1/3, AC1 −0.2 (q = 2), α 0.
    let r = mat(&[&[0, 0, 1]]);
    assert!(close(val(fleiss_kappa(&r)), -0.5));
    assert!(close(val(brennan_prediger(&r, QSource::Observed).value), -1.0 / 3.0));
    assert!(close(val(gwet_ac1(&r, QSource::Observed).value), -0.2));
    assert_eq!(krippendorff_alpha(&r), Coef::Value(0.0));
    assert_eq!(
        kalpha_bootstrap(&r, 100, 1),
        Bootstrap::NotComputed(BootstrapSkip::AlphaZero)
    );
}

// ---------------------------------------------------------------------------
// Undefined cases

#[test]
fn all_one_category() {
    let r = Ratings::from_triples_with_categories(
        [("u1", "a", "x"), ("u1", "b", "x"), ("u2", "a", "x"), ("u2", "b", "x")],
        &["x", "y", "z"],
    )
    .unwrap();
    let nv = Coef::Undefined(Reason::NoVariation);
    assert_eq!(percent_agreement(&r), Coef::Value(1.0));
    assert_eq!(cohen_kappa(&r), nv);
    assert_eq!(scott_pi(&r), nv);
    assert_eq!(fleiss_kappa(&r), nv);
    assert_eq!(krippendorff_alpha(&r), nv);
    // Declared codebook (q = 3): BP and AC1 are 1.
    let bp = brennan_prediger(&r, QSource::Declared);
    assert_eq!((bp.value, bp.q, bp.source), (Coef::Value(1.0), 3, QSource::Declared));
    assert_eq!(gwet_ac1(&r, QSource::Declared).value, Coef::Value(1.0));
    // Observed q = 1: undefined.
    let sc = Coef::Undefined(Reason::SingleCategory);
    let bp = brennan_prediger(&r, QSource::Observed);
    assert_eq!((bp.value, bp.q, bp.source), (sc, 1, QSource::Observed));
    assert_eq!(gwet_ac1(&r, QSource::Observed).value, sc);
    assert_eq!(
        kalpha_bootstrap(&r, 100, 1),
        Bootstrap::NotComputed(BootstrapSkip::AlphaUndefined(Reason::NoVariation))
    );
    assert_eq!(
        nv.reason().unwrap().message(),
        "no variation: every coder used one category (1 − Pe = 0)"
    );
}

#[test]
fn nobody_used_the_code() {
    // Per-code presence of a code nobody applied: pa 1, κ/α undefined,
    // BP/AC1 with the declared q = 2 are 1.
    let sets: Vec<Vec<Option<Vec<&str>>>> = vec![
        vec![Some(vec!["a"]), Some(vec!["a", "b"])],
        vec![Some(vec![]), Some(vec!["b"])],
        vec![Some(vec!["b"]), None],
    ];
    let r = presence_ratings(&sets, "zzz");
    assert_eq!(percent_agreement(&r), Coef::Value(1.0));
    assert_eq!(cohen_kappa(&r), Coef::Undefined(Reason::NoVariation));
    assert_eq!(krippendorff_alpha(&r), Coef::Undefined(Reason::NoVariation));
    assert_eq!(brennan_prediger(&r, QSource::Declared).value, Coef::Value(1.0));
    assert_eq!(gwet_ac1(&r, QSource::Declared).value, Coef::Value(1.0));
    assert_eq!(
        gwet_ac1(&r, QSource::Observed).value,
        Coef::Undefined(Reason::SingleCategory)
    );
}

#[test]
fn no_pairable_unit_and_one_coder() {
    let r = mat(&[&[0, -1], &[-1, 1], &[-1, -1]]);
    let np = Coef::Undefined(Reason::NoPairableUnit);
    assert_eq!(percent_agreement(&r), np);
    assert_eq!(cohen_kappa(&r), np);
    assert_eq!(scott_pi(&r), np);
    assert_eq!(fleiss_kappa(&r), np);
    assert_eq!(krippendorff_alpha(&r), np);
    assert_eq!(brennan_prediger(&r, QSource::Observed).value, np);
    assert_eq!(gwet_ac1(&r, QSource::Observed).value, np);

    let one = mat(&[&[0], &[1]]);
    let fc = Coef::Undefined(Reason::FewerThanTwoCoders);
    assert_eq!(percent_agreement(&one), fc);
    assert_eq!(fleiss_kappa(&one), fc);
    assert_eq!(krippendorff_alpha(&one), fc);
    assert_eq!(gwet_ac1(&one, QSource::Observed).value, fc);
    let two = Coef::Undefined(Reason::NeedsExactlyTwoCoders);
    assert_eq!(cohen_kappa(&one), two);
    assert_eq!(scott_pi(&mat(&[&[0, 1, 1]])), two);

    let empty = Ratings::from_triples(Vec::<(&str, &str, &str)>::new()).unwrap();
    assert_eq!(krippendorff_alpha(&empty), fc);
    assert_eq!(percent_agreement(&empty), fc);
}

#[test]
fn presence_keeps_missing_apart_from_empty() {
    let sets: Vec<Vec<Option<BTreeSet<String>>>> = vec![
        vec![Some(["x".to_string()].into()), Some(BTreeSet::new())],
        vec![None, Some(["x".to_string(), "y".to_string()].into())],
    ];
    let r = presence_ratings(&sets, "x");
    assert_eq!(r.data(), [vec![Some(1), Some(0)], vec![None, Some(1)]]);
    assert_eq!(r.category_labels(), ["absent", "present"]);
    assert_eq!(r.declared_q(), Some(2));
    // Ragged input rows are padded with missing.
    let ragged: Vec<Vec<Option<Vec<&str>>>> = vec![vec![Some(vec!["x"])], vec![]];
    assert_eq!(presence_ratings(&ragged, "x").data(), [vec![Some(1)], vec![None]]);
}

// ---------------------------------------------------------------------------
// Bootstrap

#[test]
fn bootstrap_kripp_c() {
    let r = kripp_c();
    let Bootstrap::Computed(b) = kalpha_bootstrap(&r, 5000, 20240601) else {
        panic!("not computed")
    };
    assert_eq!(b.method, KALPHA_BOOTSTRAP_METHOD);
    assert_eq!(b.replicates, 5000);
    assert_eq!(b.seed, 20240601);
    // n.. = 40, m = 4: M = min(25 Q, round(40·3/2) = 60).
    assert_eq!(b.n_pairable_values, 40.0);
    assert_eq!(b.q_cells, 17); // 5 diagonal + 12 off-diagonal cells (paper's matrix)
    assert_eq!(b.m_draws, 60);
    assert!(b.ci_low < b.alpha && b.alpha < b.ci_high);
    assert!(b.ci_low > 0.4 && b.ci_high < 1.0, "{b:?}");
    assert!((0.0..=1.0).contains(&b.q_below_0667));
    assert!(b.q_below_0667 <= b.q_below_0800);
    // Deterministic for a seed; another seed gives another sample.
    assert_eq!(kalpha_bootstrap(&r, 5000, 20240601), Bootstrap::Computed(b.clone()));
    assert_ne!(kalpha_bootstrap(&r, 5000, 1), Bootstrap::Computed(b));
}

#[test]
fn bootstrap_skips() {
    let perfect = by_coder(&[&[0, 1, 2], &[0, 1, 2]]);
    assert_eq!(krippendorff_alpha(&perfect), Coef::Value(1.0));
    assert_eq!(
        kalpha_bootstrap(&perfect, 100, 1),
        Bootstrap::NotComputed(BootstrapSkip::AlphaOne)
    );
    assert_eq!(
        kalpha_bootstrap(&kripp_b(), 1, 1),
        Bootstrap::NotComputed(BootstrapSkip::TooFewReplicates)
    );
    assert_eq!(
        kalpha_bootstrap(&mat(&[&[0, -1]]), 100, 1),
        Bootstrap::NotComputed(BootstrapSkip::AlphaUndefined(Reason::NoPairableUnit))
    );
}

#[test]
fn bootstrap_spurious_ones_single_diagonal_cell() {
    // Only one diagonal cell is non-zero (only "0" is ever agreed on): every
    // replicate that drew no disagreement (α* = 1) becomes 0.
    // o_00 = 12, n.. = 16, M = min(25·5, 8) = 8, so about (12/16)^8 ≈ 10 % of
    // the replicates draw no disagreement; uncorrected, the upper limit
    // would be 1.
    let r = by_coder(&[&[0, 0, 0, 0, 0, 0, 0, 1], &[0, 0, 0, 0, 0, 0, 1, 2]]);
    let Bootstrap::Computed(b) = kalpha_bootstrap(&r, 2000, 3) else {
        panic!()
    };
    assert_eq!((b.m_draws, b.q_cells), (8, 5));
    assert!(b.ci_high < 1.0, "{b:?}");
}

// ---------------------------------------------------------------------------
// Property tests

fn ratings_strategy(
    max_units: usize,
    coders: std::ops::RangeInclusive<usize>,
    q: u32,
    missing: bool,
) -> impl Strategy<Value = Ratings> {
    (1..=max_units, coders).prop_flat_map(move |(n, m)| {
        let cell = if missing {
            prop_oneof![1 => Just(None), 3 => (0..q).prop_map(Some)].boxed()
        } else {
            (0..q).prop_map(Some).boxed()
        };
        prop::collection::vec(prop::collection::vec(cell, m), n)
            .prop_map(move |d| Ratings::from_matrix(d, Some(q as usize)).unwrap())
    })
}

fn all_coefs(r: &Ratings) -> Vec<Coef> {
    vec![
        percent_agreement(r),
        fleiss_kappa(r),
        krippendorff_alpha(r),
        brennan_prediger(r, QSource::Declared).value,
        brennan_prediger(r, QSource::Observed).value,
        gwet_ac1(r, QSource::Declared).value,
        gwet_ac1(r, QSource::Observed).value,
        cohen_kappa(r),
        scott_pi(r),
    ]
}

fn same(a: &[Coef], b: &[Coef]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Coef::Value(x), Coef::Value(y)) => (x - y).abs() < 1e-9,
            _ => x == y,
        })
}

fn map_matrix(r: &Ratings, f: impl Fn(&[Option<u32>]) -> Vec<Option<u32>>) -> Ratings {
    let data = r.data().iter().map(|row| f(row)).collect();
    Ratings::from_matrix(data, r.declared_q()).unwrap()
}

proptest! {
    #[test]
    fn symmetric_under_coder_permutation(
        r in ratings_strategy(15, 2..=4, 4, true),
        seed in any::<u64>(),
    ) {
        // Reverse, then rotate by a seed-dependent amount.
        let m = r.n_coders();
        let shift = (seed % m as u64) as usize;
        let p = map_matrix(&r, |row| {
            let mut v: Vec<_> = row.iter().rev().copied().collect();
            v.rotate_left(shift);
            v
        });
        prop_assert!(same(&all_coefs(&r), &all_coefs(&p)));
    }

    #[test]
    fn invariant_under_category_permutation(
        r in ratings_strategy(15, 2..=4, 4, true),
        perm in Just([0u32, 1, 2, 3]).prop_shuffle(),
    ) {
        let p = map_matrix(&r, |row| row.iter().map(|c| c.map(|k| perm[k as usize])).collect());
        prop_assert!(same(&all_coefs(&r), &all_coefs(&p)));
    }

    #[test]
    fn alpha_from_pi_two_coders_complete(r in ratings_strategy(20, 2..=2, 4, false)) {
        let n = 2.0 * r.n_units() as f64;
        match (scott_pi(&r), krippendorff_alpha(&r)) {
            (Coef::Value(pi), Coef::Value(alpha)) => {
                prop_assert!((alpha - (1.0 - (n - 1.0) / n * (1.0 - pi))).abs() < 1e-9);
                // Complete two-coder data: Scott's pi = Fleiss' kappa.
                prop_assert!((pi - val(fleiss_kappa(&r))).abs() < 1e-9);
            }
            (Coef::Undefined(a), Coef::Undefined(b)) => prop_assert_eq!(a, b),
            other => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn kappas_within_bounds(r in ratings_strategy(20, 2..=2, 4, true)) {
        for c in [cohen_kappa(&r), scott_pi(&r)] {
            if let Coef::Value(v) = c {
                prop_assert!((-1.0..=1.0).contains(&v), "{}", v);
            }
        }
        if let Coef::Value(pa) = percent_agreement(&r) {
            prop_assert!((0.0..=1.0).contains(&pa));
        }
        for c in all_coefs(&r) {
            if let Coef::Value(v) = c {
                prop_assert!(v.is_finite() && v <= 1.0);
            }
        }
    }

    #[test]
    fn bootstrap_deterministic(
        r in ratings_strategy(12, 2..=4, 3, true),
        seed in any::<u64>(),
    ) {
        let a = kalpha_bootstrap(&r, 200, seed);
        prop_assert_eq!(&a, &kalpha_bootstrap(&r, 200, seed));
        if let Bootstrap::Computed(b) = a {
            prop_assert!(b.ci_low <= b.ci_high);
            prop_assert!(b.ci_low >= -1.0 && b.ci_high <= 1.0);
            prop_assert_eq!(b.seed, seed);
        }
    }

    #[test]
    fn span_kappa_matches_cohen(
        len in 1usize..40,
        a in prop::collection::vec((0usize..40, 0usize..10), 0..4),
        b in prop::collection::vec((0usize..40, 0usize..10), 0..4),
    ) {
        let a: Vec<_> = a.into_iter().map(|(s, l)| s..s + l).collect();
        let b: Vec<_> = b.into_iter().map(|(s, l)| s..s + l).collect();
        let s = span_agreement(len, &a, &b);
        prop_assert_eq!(s.both + s.a_only + s.b_only + s.neither, len);
        let inside = |v: &[std::ops::Range<usize>], i: usize| v.iter().any(|r| r.contains(&i));
        let data = (0..len)
            .map(|i| vec![Some(inside(&a, i) as u32), Some(inside(&b, i) as u32)])
            .collect();
        let r = Ratings::from_matrix(data, Some(2)).unwrap();
        prop_assert!(same(&[s.kappa, s.percent_agreement], &[cohen_kappa(&r), percent_agreement(&r)]));
    }
}
