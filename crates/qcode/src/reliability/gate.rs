//! Gates for continuous integration: a coefficient that must reach a
//! threshold (`agree --fail-under-alpha`, `audit --fail-under-f1`), overall
//! or for every code. The command line exits with 1 when a gate fails, so
//! that a CI job re-coding the corpus on every commit to the codebook stops
//! when agreement drops.

use crate::stats::Coef;

use super::agreement::OVERALL;

/// What a gate checks: the overall row, or every code's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The overall (pooled) row only.
    Overall,
    /// Every code's row; a code whose coefficient is undefined (nobody
    /// applied it, say) is left out and named.
    PerCode,
}

/// A gate checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Whether every row checked reaches the threshold.
    pub passed: bool,
    /// One line per row under the threshold or undefined, for the user,
    /// each saying whether it fails the gate (`true`) or is only a note.
    pub lines: Vec<(bool, String)>,
}

/// Checks `rows` (a code, or [`OVERALL`], and its coefficient) against
/// `threshold`: `name` names the coefficient in messages ("alpha").
/// An undefined overall coefficient fails the gate (nothing shows the
/// threshold is reached); an undefined code is named but does not fail a
/// per-code gate.
pub fn check(rows: &[(&str, Coef)], threshold: f64, scope: Scope, name: &str) -> Checked {
    let mut passed = true;
    let mut lines = Vec::new();
    let checked = rows.iter().filter(|(code, _)| match scope {
        Scope::Overall => *code == OVERALL,
        Scope::PerCode => *code != OVERALL,
    });
    let mut count = 0;
    for (code, coef) in checked {
        count += 1;
        match coef {
            Coef::Value(v) if *v >= threshold => {}
            Coef::Value(v) => {
                passed = false;
                lines.push((true, format!("{code}: {name} {v:.4} is under {threshold}")));
            }
            Coef::Undefined(reason) if *code == OVERALL => {
                passed = false;
                lines.push((true, format!("{code}: {name} is undefined ({})", reason.message())));
            }
            Coef::Undefined(reason) => {
                let why = reason.message();
                lines.push((false, format!("{code}: {name} is undefined ({why}); not checked")));
            }
        }
    }
    if count == 0 {
        passed = false;
        lines.push((true, format!("no row to check {name} on")));
    }
    Checked { passed, lines }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Reason;

    #[test]
    fn rows_under_the_threshold_fail_the_gate() {
        let rows = [
            ("a", Coef::Value(0.9)),
            ("b", Coef::Value(0.6)),
            ("c", Coef::Undefined(Reason::NoVariation)),
            (OVERALL, Coef::Value(0.81)),
        ];
        assert!(check(&rows, 0.8, Scope::Overall, "alpha").passed);
        assert!(!check(&rows, 0.82, Scope::Overall, "alpha").passed);
        let per_code = check(&rows, 0.8, Scope::PerCode, "alpha");
        assert!(!per_code.passed);
        assert_eq!(
            per_code.lines,
            [
                (true, "b: alpha 0.6000 is under 0.8".to_string()),
                (
                    false,
                    "c: alpha is undefined (no variation: every coder used one category (1 − Pe = 0)); not checked"
                        .to_string()
                )
            ]
        );
        assert!(
            check(&rows, 0.5, Scope::PerCode, "alpha").passed,
            "an undefined code does not fail"
        );
        let undefined = [(OVERALL, Coef::Undefined(Reason::NoPairableUnit))];
        assert!(!check(&undefined, 0.0, Scope::Overall, "alpha").passed);
    }
}
