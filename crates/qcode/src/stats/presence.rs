//! Multi-label coding scored per code as present/absent.
//!
//! When a coder may apply several codes to one unit, each code is scored as
//! a 2-value variable per (unit, coder): 1 = the coder applied it, 0 = the
//! coder rated the unit but did not apply it, missing = the coder did not
//! rate the unit. "Rated and applied no code" (an empty set) is absent for
//! every code; "not rated" (`None`) stays missing. Treating missing as absent
//! would change every coefficient.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashSet};
use std::hash::{BuildHasher, Hash};

use indexmap::IndexSet;

use super::ratings::Ratings;

/// Category index of "not applied" in [`presence_ratings`] output.
pub const ABSENT: u32 = 0;
/// Category index of "applied" in [`presence_ratings`] output.
pub const PRESENT: u32 = 1;

/// A set of codes applied by one coder to one unit.
pub trait CodeSet {
    /// Whether `code` is in the set.
    fn has_code(&self, code: &str) -> bool;
}

impl<S: Borrow<str> + Ord> CodeSet for BTreeSet<S> {
    fn has_code(&self, code: &str) -> bool {
        self.contains(code)
    }
}

impl<S: Borrow<str> + Eq + Hash, H: BuildHasher> CodeSet for HashSet<S, H> {
    fn has_code(&self, code: &str) -> bool {
        self.contains(code)
    }
}

impl<S: Borrow<str> + Eq + Hash, H: BuildHasher> CodeSet for IndexSet<S, H> {
    fn has_code(&self, code: &str) -> bool {
        self.contains(code)
    }
}

impl<S: AsRef<str>> CodeSet for Vec<S> {
    fn has_code(&self, code: &str) -> bool {
        self.iter().any(|c| c.as_ref() == code)
    }
}

impl<S: AsRef<str>> CodeSet for [S] {
    fn has_code(&self, code: &str) -> bool {
        self.iter().any(|c| c.as_ref() == code)
    }
}

impl<T: CodeSet + ?Sized> CodeSet for &T {
    fn has_code(&self, code: &str) -> bool {
        (**self).has_code(code)
    }
}

/// Binary reliability data for one code: `sets[unit][coder]` is `None`
/// (coder did not rate the unit → missing) or `Some(codes)` (→
/// [`PRESENT`] = 1 if `code` is among them, else [`ABSENT`] = 0).
///
/// The result has the categories `["absent", "present"]` declared, so the
/// declared q is 2 (Brennan–Prediger and AC1 with [`QSource::Declared`]
/// count both values even if nobody applied the code). Units and coders are
/// labelled `"1"`, `"2"`, …; use [`Ratings::with_labels`] for real labels.
/// Rows shorter than the longest row are padded with missing ratings.
///
/// [`QSource::Declared`]: super::QSource::Declared
pub fn presence_ratings<S: CodeSet>(sets: &[Vec<Option<S>>], code: &str) -> Ratings {
    let n_coders = sets.iter().map(Vec::len).max().unwrap_or(0);
    let data: Vec<Vec<Option<u32>>> = sets
        .iter()
        .map(|row| {
            let mut out: Vec<Option<u32>> = row
                .iter()
                .map(|cell| cell.as_ref().map(|s| if s.has_code(code) { PRESENT } else { ABSENT }))
                .collect();
            out.resize(n_coders, None);
            out
        })
        .collect();
    Ratings::binary_unchecked(data)
}
