//! Reliability data: units × coders, one category (or nothing) per cell.
//!
//! Notation (Krippendorff 2011; Gwet 2014): N units, m coders, at most one
//! category per (unit, coder); a missing rating is `None`. For unit i, `r_i`
//! is the number of ratings and `r_ik` the number of coders who chose
//! category k. A unit is *pairable* when `r_i ≥ 2`.

use indexmap::IndexSet;

/// Errors from building [`Ratings`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingsError {
    /// The same coder gave two different categories to the same unit. This
    /// module models single-label data; multi-label coding goes through
    /// [`presence_ratings`](super::presence_ratings).
    #[error("coder {coder:?} gave unit {unit:?} two categories: {first:?} and {second:?}")]
    Conflict {
        /// Unit label.
        unit: String,
        /// Coder label.
        coder: String,
        /// The category seen first.
        first: String,
        /// The conflicting category.
        second: String,
    },
    /// A rating uses a category that is not in the declared codebook.
    #[error("category {0:?} is not in the declared category list")]
    UndeclaredCategory(String),
    /// The declared category list names a category twice.
    #[error("category {0:?} is declared twice")]
    DuplicateCategory(String),
    /// A category index is out of range for the declared number of categories.
    #[error("category index {index} is out of range (q = {q})")]
    IndexOutOfRange {
        /// The offending index.
        index: u32,
        /// Declared number of categories.
        q: usize,
    },
    /// More categories than a `u32` index can hold.
    #[error("too many categories")]
    TooManyCategories,
    /// Matrix rows of different lengths.
    #[error("unit {unit} has {len} ratings, expected {expected} (one per coder)")]
    RaggedRow {
        /// 0-based unit index.
        unit: usize,
        /// Its length.
        len: usize,
        /// The number of coders (length of the first row).
        expected: usize,
    },
    /// Labels that do not match the data's shape.
    #[error("{what}: expected {expected} labels, got {got}")]
    LabelCount {
        /// "units", "coders" or "categories".
        what: &'static str,
        /// The data's size.
        expected: usize,
        /// Number of labels given.
        got: usize,
    },
}

/// Reliability data: `data[unit][coder]` is `Some(category index)` or `None`
/// (missing: the coder did not rate the unit).
///
/// Category indices refer to [`Ratings::category_labels`]. When a codebook
/// was declared, its categories come first, in declared order, and
/// [`Ratings::declared_q`] is its size; codes nobody used still count for
/// Brennan–Prediger and AC1 with the declared q. Otherwise only the observed
/// categories exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ratings {
    units: Vec<String>,
    coders: Vec<String>,
    categories: Vec<String>,
    declared_q: Option<usize>,
    data: Vec<Vec<Option<u32>>>,
}

impl Ratings {
    /// Build from long-format `(unit, coder, category)` triples. Units,
    /// coders and categories are numbered in first-seen order; a (unit,
    /// coder) pair without a triple is missing. Repeating an identical triple
    /// is harmless; the same (unit, coder) with two different categories is
    /// a [`RatingsError::Conflict`]. Labels are taken literally (the caller
    /// drops blank codes beforehand if they mean "missing").
    pub fn from_triples<I, U, C, K>(triples: I) -> Result<Ratings, RatingsError>
    where
        I: IntoIterator<Item = (U, C, K)>,
        U: AsRef<str>,
        C: AsRef<str>,
        K: AsRef<str>,
    {
        Self::build(triples, None::<&[&str]>)
    }

    /// Like [`Ratings::from_triples`] with a declared category list (the
    /// codebook): its categories get indices `0..q` in the given order, q is
    /// recorded as the declared q, and a rating with a category outside the
    /// list is a [`RatingsError::UndeclaredCategory`].
    pub fn from_triples_with_categories<I, U, C, K, D>(triples: I, declared: &[D]) -> Result<Ratings, RatingsError>
    where
        I: IntoIterator<Item = (U, C, K)>,
        U: AsRef<str>,
        C: AsRef<str>,
        K: AsRef<str>,
        D: AsRef<str>,
    {
        Self::build(triples, Some(declared))
    }

    fn build<I, U, C, K, D>(triples: I, declared: Option<&[D]>) -> Result<Ratings, RatingsError>
    where
        I: IntoIterator<Item = (U, C, K)>,
        U: AsRef<str>,
        C: AsRef<str>,
        K: AsRef<str>,
        D: AsRef<str>,
    {
        let mut categories: IndexSet<String> = IndexSet::new();
        if let Some(decl) = declared {
            for d in decl {
                if !categories.insert(d.as_ref().to_owned()) {
                    return Err(RatingsError::DuplicateCategory(d.as_ref().to_owned()));
                }
            }
        }
        let mut units: IndexSet<String> = IndexSet::new();
        let mut coders: IndexSet<String> = IndexSet::new();
        let mut cells: Vec<(usize, usize, u32)> = Vec::new();
        for (u, c, k) in triples {
            let (ui, _) = units.insert_full(u.as_ref().to_owned());
            let (ci, _) = coders.insert_full(c.as_ref().to_owned());
            let ki = match categories.get_index_of(k.as_ref()) {
                Some(i) => i,
                None if declared.is_some() => {
                    return Err(RatingsError::UndeclaredCategory(k.as_ref().to_owned()));
                }
                None => categories.insert_full(k.as_ref().to_owned()).0,
            };
            let ki = u32::try_from(ki).map_err(|_| RatingsError::TooManyCategories)?;
            cells.push((ui, ci, ki));
        }
        let mut data = vec![vec![None; coders.len()]; units.len()];
        for (ui, ci, ki) in cells {
            match data[ui][ci] {
                None => data[ui][ci] = Some(ki),
                Some(prev) if prev == ki => {}
                Some(prev) => {
                    return Err(RatingsError::Conflict {
                        unit: units[ui].clone(),
                        coder: coders[ci].clone(),
                        first: categories[prev as usize].clone(),
                        second: categories[ki as usize].clone(),
                    });
                }
            }
        }
        Ok(Ratings {
            units: units.into_iter().collect(),
            coders: coders.into_iter().collect(),
            declared_q: declared.map(<[D]>::len),
            categories: categories.into_iter().collect(),
            data,
        })
    }

    /// Build from a units × coders matrix of category indices. All rows must
    /// have the same length (the number of coders). With `declared_q =
    /// Some(q)` every index must be `< q` and q is the declared q; with
    /// `None` the categories are `0..=max index`. Units, coders and
    /// categories are labelled `"1"`, `"2"`, … (units, coders) and `"0"`,
    /// `"1"`, … (categories, i.e. the index); see [`Ratings::with_labels`].
    pub fn from_matrix(data: Vec<Vec<Option<u32>>>, declared_q: Option<usize>) -> Result<Ratings, RatingsError> {
        let n_coders = data.first().map_or(0, Vec::len);
        let mut max_index: Option<u32> = None;
        for (i, row) in data.iter().enumerate() {
            if row.len() != n_coders {
                return Err(RatingsError::RaggedRow {
                    unit: i,
                    len: row.len(),
                    expected: n_coders,
                });
            }
            for &k in row.iter().flatten() {
                if let Some(q) = declared_q
                    && k as usize >= q
                {
                    return Err(RatingsError::IndexOutOfRange { index: k, q });
                }
                max_index = Some(max_index.map_or(k, |m| m.max(k)));
            }
        }
        let n_categories = declared_q.unwrap_or_else(|| max_index.map_or(0, |m| m as usize + 1));
        Ok(Ratings {
            units: (1..=data.len()).map(|i| i.to_string()).collect(),
            coders: (1..=n_coders).map(|i| i.to_string()).collect(),
            categories: (0..n_categories).map(|i| i.to_string()).collect(),
            declared_q,
            data,
        })
    }

    /// Binary (absent/present) data whose rows all have the same length and
    /// whose indices are 0 or 1; used by `presence_ratings`, which
    /// guarantees both.
    pub(crate) fn binary_unchecked(data: Vec<Vec<Option<u32>>>) -> Ratings {
        let n_coders = data.first().map_or(0, Vec::len);
        debug_assert!(data.iter().all(|row| row.len() == n_coders));
        debug_assert!(data.iter().flatten().flatten().all(|&k| k < 2));
        Ratings {
            units: (1..=data.len()).map(|i| i.to_string()).collect(),
            coders: (1..=n_coders).map(|i| i.to_string()).collect(),
            categories: vec!["absent".to_owned(), "present".to_owned()],
            declared_q: Some(2),
            data,
        }
    }

    /// Replace the unit, coder and category labels (same counts as the data).
    pub fn with_labels(
        mut self,
        units: Vec<String>,
        coders: Vec<String>,
        categories: Vec<String>,
    ) -> Result<Ratings, RatingsError> {
        for (what, expected, got) in [
            ("units", self.units.len(), units.len()),
            ("coders", self.coders.len(), coders.len()),
            ("categories", self.categories.len(), categories.len()),
        ] {
            if expected != got {
                return Err(RatingsError::LabelCount { what, expected, got });
            }
        }
        self.units = units;
        self.coders = coders;
        self.categories = categories;
        Ok(self)
    }

    /// The matrix `data[unit][coder]`.
    pub fn data(&self) -> &[Vec<Option<u32>>] {
        &self.data
    }

    /// Unit labels, in order.
    pub fn unit_labels(&self) -> &[String] {
        &self.units
    }

    /// Coder labels, in order.
    pub fn coder_labels(&self) -> &[String] {
        &self.coders
    }

    /// Category labels; index = category index.
    pub fn category_labels(&self) -> &[String] {
        &self.categories
    }

    /// Number of units N (rows).
    pub fn n_units(&self) -> usize {
        self.data.len()
    }

    /// Number of coders m (columns), including coders without any rating.
    pub fn n_coders(&self) -> usize {
        self.coders.len()
    }

    /// Number of coders who rated at least one unit.
    pub fn n_active_coders(&self) -> usize {
        (0..self.n_coders())
            .filter(|&c| self.data.iter().any(|row| row[c].is_some()))
            .count()
    }

    /// Number of category slots (declared plus observed labels).
    pub fn n_categories(&self) -> usize {
        self.categories.len()
    }

    /// The declared q (size of the declared category list), if any.
    pub fn declared_q(&self) -> Option<usize> {
        self.declared_q
    }

    /// The observed q: the number of distinct categories used in at least
    /// one rating (of any unit, pairable or not), as irrCAC does.
    pub fn observed_q(&self) -> usize {
        let mut used = vec![false; self.n_categories()];
        for &k in self.data.iter().flatten().flatten() {
            used[k as usize] = true;
        }
        used.iter().filter(|&&u| u).count()
    }

    /// Number of pairable units (rated by at least two coders).
    pub fn n_pairable_units(&self) -> usize {
        self.data.iter().filter(|row| row.iter().flatten().count() >= 2).count()
    }

    /// Per unit, the count of each category: `counts[i][k] = r_ik`.
    pub(crate) fn unit_counts(&self) -> Vec<Vec<u64>> {
        let q = self.n_categories();
        self.data
            .iter()
            .map(|row| {
                let mut c = vec![0u64; q];
                for &k in row.iter().flatten() {
                    c[k as usize] += 1;
                }
                c
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_first_seen_order_and_missing() {
        let r = Ratings::from_triples([
            ("u2", "bob", "x"),
            ("u1", "ann", "y"),
            ("u2", "ann", "y"),
            ("u2", "ann", "y"),
        ])
        .unwrap();
        assert_eq!(r.unit_labels(), ["u2", "u1"]);
        assert_eq!(r.coder_labels(), ["bob", "ann"]);
        assert_eq!(r.category_labels(), ["x", "y"]);
        assert_eq!(r.data(), [vec![Some(0), Some(1)], vec![None, Some(1)]]);
        assert_eq!(r.declared_q(), None);
        assert_eq!(r.observed_q(), 2);
        assert_eq!(r.n_pairable_units(), 1);
    }

    #[test]
    fn declared_categories() {
        let r = Ratings::from_triples_with_categories([("u1", "a", "y"), ("u1", "b", "y")], &["x", "y", "z"]).unwrap();
        assert_eq!(r.declared_q(), Some(3));
        assert_eq!(r.observed_q(), 1);
        assert_eq!(r.data(), [vec![Some(1), Some(1)]]);
        assert_eq!(
            Ratings::from_triples_with_categories([("u1", "a", "w")], &["x"]),
            Err(RatingsError::UndeclaredCategory("w".into()))
        );
        assert!(matches!(
            Ratings::from_triples_with_categories([("u1", "a", "x")], &["x", "x"]),
            Err(RatingsError::DuplicateCategory(_))
        ));
    }

    #[test]
    fn conflict_is_an_error() {
        let e = Ratings::from_triples([("u", "a", "x"), ("u", "a", "y")]).unwrap_err();
        assert!(matches!(e, RatingsError::Conflict { .. }));
    }

    #[test]
    fn matrix_checks() {
        assert!(matches!(
            Ratings::from_matrix(vec![vec![Some(0), None], vec![Some(1)]], None),
            Err(RatingsError::RaggedRow { unit: 1, .. })
        ));
        assert!(matches!(
            Ratings::from_matrix(vec![vec![Some(3)]], Some(2)),
            Err(RatingsError::IndexOutOfRange { index: 3, q: 2 })
        ));
        let r = Ratings::from_matrix(vec![vec![Some(3), None]], None).unwrap();
        assert_eq!(r.n_categories(), 4);
        assert_eq!(r.observed_q(), 1);
        assert_eq!(r.n_active_coders(), 1);
        let r = r
            .with_labels(
                vec!["p1".into()],
                vec!["a".into(), "b".into()],
                vec!["w".into(), "x".into(), "y".into(), "z".into()],
            )
            .unwrap();
        assert_eq!(r.category_labels()[3], "z");
    }
}
