//! Cells that cannot hold a number: an undefined coefficient says
//! `undefined [n]`, and note *n* under the table says why.

use crate::stats::{Bootstrap, BootstrapSkip, Coef};

/// Numbered notes for undefined cells: each distinct reason gets a number,
/// the cell says `undefined [n]` and the notes list the reasons.
#[derive(Debug, Default)]
pub struct Footnotes {
    notes: Vec<String>,
}

impl Footnotes {
    fn mark(&mut self, note: String) -> usize {
        match self.notes.iter().position(|n| *n == note) {
            Some(i) => i + 1,
            None => {
                self.notes.push(note);
                self.notes.len()
            }
        }
    }

    /// A coefficient's cell: 4 decimals, or `undefined [n]`.
    pub fn coef(&mut self, c: Coef) -> String {
        match c {
            Coef::Value(v) => format!("{v:.4}"),
            Coef::Undefined(r) => format!("undefined [{}]", self.mark(r.message().to_string())),
        }
    }

    /// A proportion shown as a percentage with 2 decimals.
    pub fn percent(&mut self, c: Coef) -> String {
        match c {
            Coef::Value(v) => format!("{:.2}%", 100.0 * v),
            Coef::Undefined(_) => self.coef(c),
        }
    }

    /// A bootstrap interval; a dash when alpha itself is undefined (its
    /// cell already says why).
    pub fn interval(&mut self, b: &Bootstrap) -> String {
        match b {
            Bootstrap::Computed(k) => format!("[{:.4}, {:.4}]", k.ci_low, k.ci_high),
            Bootstrap::NotComputed(BootstrapSkip::AlphaUndefined(_)) => "—".to_string(),
            Bootstrap::NotComputed(skip) => format!("— [{}]", self.mark(skip.message())),
        }
    }

    /// The notes, numbered.
    pub fn lines(&self) -> Vec<String> {
        self.notes
            .iter()
            .enumerate()
            .map(|(i, n)| format!("[{}] {n}", i + 1))
            .collect()
    }
}
