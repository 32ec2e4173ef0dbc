//! Reliability data from long-format files: `unit,coder,code` (one row per
//! rating; a nominal variable when every rated cell holds one code) or
//! `unit,coder,codes` (one row per unit and coder, codes separated by `;`).
//! A missing row is "not rated", an empty code "rated, no code applies".

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexSet;

use super::data::{
    Built, CodingData, Options, UnitInfo, UnitKind, Universe, check_declared, declared_or_found, examples, no_ratings,
    select_coders,
};
use super::input::{LongFile, LongForm};
use crate::error::{Error, Result};

/// Builds reliability data from long-format files (`unit,coder,code` or
/// `unit,coder,codes`).
pub fn from_long(files: &[LongFile], opts: &Options) -> Result<Built> {
    if opts.unit == UnitKind::Document || opts.transcripts.is_some() || opts.all_rated {
        return Err(Error::new(
            "--unit document, --transcripts and --all-rated apply to coded CSVs in the project schema",
        )
        .hint(
            "in the long format every unit is listed and a missing row means \"not rated\"; leave these options out",
        ));
    }
    let mut warnings = Vec::new();
    for f in files {
        if f.rows.is_empty() {
            return Err(no_ratings(&f.name));
        }
    }
    let form = files[0].form;
    if let Some(other) = files.iter().find(|f| f.form != form) {
        return Err(Error::new(format!(
            "{} uses the `{}` column and {} the `{}` column",
            files[0].name,
            form_column(form),
            other.name,
            form_column(other.form)
        ))
        .hint("give all files in the same layout"));
    }
    let found: IndexSet<&str> = files
        .iter()
        .flat_map(|f| f.rows.iter().map(|r| r.coder.as_str()))
        .collect();
    let coders = select_coders(found, opts.coders, "these files")?;
    let coder_index: HashMap<&str, usize> = coders.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();

    let mut units: IndexSet<&str> = IndexSet::new();
    // (unit, coder) → (codes, file, line)
    let mut cells: HashMap<(usize, usize), (BTreeSet<String>, usize, usize)> = HashMap::new();
    let mut duplicates: Vec<String> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        for row in &f.rows {
            let Some(&ci) = coder_index.get(row.coder.as_str()) else {
                continue;
            };
            let place = || format!("{}:{}", f.name, row.line);
            for code in &row.codes {
                check_declared(opts.declared, code, &row.coder, place)?;
            }
            let (u, _) = units.insert_full(row.unit.as_str());
            let codes: BTreeSet<String> = row.codes.iter().cloned().collect();
            match cells.get_mut(&(u, ci)) {
                None => {
                    cells.insert((u, ci), (codes, fi, row.line));
                }
                Some((_, pf, _)) if *pf != fi => {
                    return Err(Error::new(format!(
                        "coder `{}` rates the unit `{}` in two files: {} and {}",
                        row.coder, row.unit, files[*pf].name, f.name
                    ))
                    .hint("if the files come from two coders, give each coder's name in the `coder` column"));
                }
                Some((set, _, first_line)) => match form {
                    LongForm::Single => {
                        // Another rating of the same unit: a further code,
                        // or a repeat that adds nothing.
                        let before = set.len();
                        set.extend(codes);
                        if set.len() == before {
                            duplicates.push(place());
                        }
                    }
                    LongForm::Sets if *set == codes => duplicates.push(place()),
                    LongForm::Sets => {
                        return Err(Error::new(format!(
                            "coder `{}` has two rows for the unit `{}` with different codes (lines {first_line} and {})",
                            row.coder, row.unit, row.line
                        ))
                        .at(f.name.clone())
                        .hint("the set form has one row per unit and coder: put all its codes in one cell, separated by `;`"));
                    }
                },
            }
        }
    }
    if !duplicates.is_empty() {
        warnings.push(format!(
            "{} duplicate row(s) (same unit, coder and code) counted once: {}",
            duplicates.len(),
            examples(&duplicates)
        ));
    }
    let grid: Vec<Vec<Option<BTreeSet<String>>>> = (0..units.len())
        .map(|u| {
            (0..coders.len())
                .map(|ci| cells.get(&(u, ci)).map(|(s, _, _)| s.clone()))
                .collect()
        })
        .collect();
    let single: Vec<String> = grid
        .iter()
        .enumerate()
        .filter(|(_, row)| row.iter().flatten().count() < 2)
        .map(|(u, _)| format!("`{}`", units[u]))
        .collect();
    if !single.is_empty() {
        warnings.push(format!(
            "{} of {} units are rated by one coder only, so they do not line up between coders and carry no \
             agreement: {}",
            single.len(),
            units.len(),
            examples(&single)
        ));
    }
    let irregular = grid.iter().enumerate().find_map(|(u, row)| {
        row.iter()
            .enumerate()
            .find(|(_, c)| c.as_ref().is_some_and(|s| s.len() != 1))
            .map(|(ci, c)| (u, ci, c.as_ref().map_or(0, BTreeSet::len)))
    });
    let nominal = form == LongForm::Single && irregular.is_none();
    if form == LongForm::Single
        && let Some((u, ci, n)) = irregular
    {
        warnings.push(format!(
            "coder `{}` gave the unit `{}` {n} codes, so the data are read as multi-code (each code present or \
             absent per unit) rather than as one category per unit",
            coders[ci], units[u]
        ));
    }
    let codes = declared_or_found(
        opts.declared,
        files.iter().flat_map(|f| {
            f.rows
                .iter()
                .filter(|r| coder_index.contains_key(r.coder.as_str()))
                .flat_map(|r| r.codes.iter().map(String::as_str))
        }),
    );
    Ok(Built {
        data: CodingData {
            units: units
                .iter()
                .map(|u| UnitInfo {
                    label: u.to_string(),
                    ..UnitInfo::default()
                })
                .collect(),
            coders,
            codes,
            declared: opts.declared.is_some(),
            cells: grid,
            nominal,
            matched: HashMap::new(),
            universe: Universe::Listed,
            all_rated: false,
        },
        warnings,
    })
}

fn form_column(form: LongForm) -> &'static str {
    match form {
        LongForm::Single => "code",
        LongForm::Sets => "codes",
    }
}

#[cfg(test)]
mod tests {
    use super::super::input::LongRow;
    use super::*;
    use crate::stats::{ABSENT, PRESENT};

    fn long(form: LongForm, rows: &[(&str, &str, &[&str])]) -> LongFile {
        LongFile {
            name: "f.csv".into(),
            form,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, (u, c, k))| LongRow {
                    line: i + 2,
                    unit: u.to_string(),
                    coder: c.to_string(),
                    codes: k.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn missing_is_not_empty() {
        let f = long(
            LongForm::Sets,
            &[("u1", "a", &["x"]), ("u1", "b", &[]), ("u2", "a", &["x"])],
        );
        let b = from_long(&[f], &Options::default()).unwrap();
        let r = b.data.presence("x");
        assert_eq!(r.data(), [vec![Some(PRESENT), Some(ABSENT)], vec![Some(PRESENT), None]]);
        assert!(!b.data.nominal);
        assert!(
            b.warnings
                .iter()
                .any(|w| w.contains("1 of 2 units are rated by one coder")),
            "{:?}",
            b.warnings
        );
    }

    #[test]
    fn single_form_is_nominal_until_a_cell_has_two_codes() {
        let f = long(LongForm::Single, &[("u1", "a", &["x"]), ("u1", "b", &["y"])]);
        let b = from_long(std::slice::from_ref(&f), &Options::default()).unwrap();
        assert!(b.data.nominal);
        assert_eq!(b.data.nominal_ratings().unwrap().n_categories(), 2);
        let mut g = f.clone();
        g.rows.push(LongRow {
            line: 9,
            unit: "u1".into(),
            coder: "a".into(),
            codes: vec!["z".into()],
        });
        let b = from_long(&[g], &Options::default()).unwrap();
        assert!(!b.data.nominal);
        assert!(b.warnings[0].contains("gave the unit `u1` 2 codes"), "{:?}", b.warnings);
    }

    #[test]
    fn sets_with_conflicting_rows_are_an_error() {
        let f = long(
            LongForm::Sets,
            &[("u1", "a", &["x"]), ("u1", "a", &["y"]), ("u1", "b", &[])],
        );
        let e = from_long(&[f], &Options::default()).unwrap_err();
        assert!(e.what.contains("lines 2 and 3"), "{e}");
    }

    #[test]
    fn declared_codes_are_checked_and_kept() {
        let f = long(LongForm::Single, &[("u1", "a", &["x"]), ("u1", "b", &["x"])]);
        let declared = vec!["x".to_string(), "y".to_string()];
        let opts = Options {
            declared: Some(&declared),
            ..Options::default()
        };
        let b = from_long(std::slice::from_ref(&f), &opts).unwrap();
        assert_eq!(b.data.codes, ["x", "y"]);
        assert_eq!(b.data.nominal_ratings().unwrap().declared_q(), Some(2));
        let only_y = vec!["y".to_string()];
        let opts = Options {
            declared: Some(&only_y),
            ..Options::default()
        };
        let e = from_long(&[f], &opts).unwrap_err();
        assert!(e.what.contains("`x`, which is not among the declared codes"), "{e}");
    }
}
