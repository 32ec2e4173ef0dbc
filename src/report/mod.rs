//! Reports: frequency tables, crosstabs and coded excerpts.
//!
//! Reports are built from codings, whether they come from a fresh run of
//! the codebook or from a coded CSV written by qcode or filled in by a
//! person; the code hierarchy comes from the codebook when one is given,
//! else from code paths such as `debt/lenders`. Rendering (terminal table,
//! CSV, Markdown, JSON) is kept apart from counting.

pub mod excerpts;
pub mod freq;
mod table;

use indexmap::IndexMap;

use crate::codebook::Codebook;

pub use table::{Align, Table};

/// Where results come from, printed with every output so a table can be
/// traced to the exact codebook and version that produced it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Provenance {
    pub qcode_version: String,
    pub codebook: Option<String>,
    pub codebook_name: Option<String>,
    pub codebook_version: Option<String>,
    pub codebook_sha256: Option<String>,
    /// Coded CSV files the codings were read from, if any.
    pub coded: Vec<String>,
    pub unit: Option<String>,
}

impl Provenance {
    pub fn new(codebook: Option<&Codebook>, coded: Vec<String>, unit: Option<&str>) -> Provenance {
        Provenance {
            qcode_version: env!("CARGO_PKG_VERSION").to_string(),
            codebook: codebook.map(|c| c.source.clone()),
            codebook_name: codebook.map(|c| c.name.clone()),
            codebook_version: codebook.and_then(|c| c.version.clone()),
            codebook_sha256: codebook.map(|c| c.sha256.clone()),
            coded,
            unit: unit.map(str::to_string),
        }
    }

    /// One line for text and Markdown outputs (without the comment marker).
    pub fn line(&self) -> String {
        let mut parts = vec![format!("qcode {}", self.qcode_version)];
        match (&self.codebook, &self.codebook_sha256) {
            (Some(path), Some(sha)) => parts.push(format!("codebook {path} (sha256 {sha})")),
            _ => parts.push("no codebook".to_string()),
        }
        if !self.coded.is_empty() {
            parts.push(format!("codings from {}", self.coded.join(", ")));
        }
        if let Some(unit) = &self.unit {
            parts.push(format!("unit: {unit}"));
        }
        parts.join(" · ")
    }
}

/// A code of the tree that reports are organised by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeCode {
    pub name: String,
    pub label: String,
    pub parent: Option<usize>,
    pub depth: usize,
}

/// The code hierarchy, in display order (parents before children).
#[derive(Debug, Clone, Default)]
pub struct CodeTree {
    pub codes: Vec<TreeCode>,
    index: IndexMap<String, usize>,
}

impl CodeTree {
    pub fn from_codebook(cb: &Codebook) -> CodeTree {
        let mut tree = CodeTree::default();
        for c in &cb.codes {
            tree.index.insert(c.name.clone(), tree.codes.len());
            tree.codes.push(TreeCode {
                name: c.name.clone(),
                label: c.label.clone(),
                parent: c.parent,
                depth: c.depth,
            });
        }
        tree
    }

    /// The index of `code` (a name or a `parent/child` path), adding it —
    /// and its parents, for a path — when it is not in the tree yet. Codes
    /// added this way go after the codebook's, under their parent. Adding
    /// codes moves later ones: look indices up with [`CodeTree::find`] once
    /// every code is resolved.
    pub fn resolve(&mut self, code: &str) -> usize {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        if let Some(&i) = code.rsplit('/').next().and_then(|leaf| self.index.get(leaf))
            && code.contains('/')
        {
            self.index.insert(code.to_string(), i);
            return i;
        }
        let (parent, leaf) = match code.rsplit_once('/') {
            Some((p, l)) if !p.is_empty() && !l.is_empty() => (Some(self.resolve(p)), l),
            _ => (None, code),
        };
        let depth = parent.map_or(0, |p| self.codes[p].depth + 1);
        // Keep children right after their parent's subtree.
        let at = match parent {
            Some(p) => self.subtree_end(p),
            None => self.codes.len(),
        };
        let node = TreeCode {
            name: leaf.to_string(),
            label: leaf.to_string(),
            parent,
            depth,
        };
        self.insert_at(at, node);
        self.index.insert(code.to_string(), at);
        if leaf != code && !self.index.contains_key(leaf) {
            self.index.insert(leaf.to_string(), at);
        }
        at
    }

    fn subtree_end(&self, p: usize) -> usize {
        let mut end = p + 1;
        while end < self.codes.len() && self.is_descendant(end, p) {
            end += 1;
        }
        end
    }

    fn is_descendant(&self, mut c: usize, p: usize) -> bool {
        while let Some(parent) = self.codes[c].parent {
            if parent == p {
                return true;
            }
            c = parent;
        }
        false
    }

    /// Inserts `node` at `at`, shifting later indices. The node's parent
    /// always comes before `at`, so only other nodes' parents move.
    fn insert_at(&mut self, at: usize, node: TreeCode) {
        for c in &mut self.codes {
            if let Some(p) = c.parent.as_mut()
                && *p >= at
            {
                *p += 1;
            }
        }
        for v in self.index.values_mut() {
            if *v >= at {
                *v += 1;
            }
        }
        self.codes.insert(at, node);
    }

    /// `code` and its ancestors.
    pub fn ancestry(&self, code: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(code), move |&c| self.codes[c].parent)
    }

    /// The index of an existing code (name or path).
    pub fn find(&self, code: &str) -> Option<usize> {
        self.index
            .get(code)
            .copied()
            .or_else(|| code.rsplit('/').next().and_then(|l| self.index.get(l).copied()))
    }

    /// Whether `code` is `ancestor` or one of its descendants.
    pub fn within(&self, code: usize, ancestor: usize) -> bool {
        self.ancestry(code).any(|c| c == ancestor)
    }
}

/// The output formats of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// A table for the terminal.
    Table,
    Csv,
    Json,
    Markdown,
}

impl crate::choice::Choice for TableFormat {
    const ALL: &'static [TableFormat] = &[
        TableFormat::Table,
        TableFormat::Csv,
        TableFormat::Json,
        TableFormat::Markdown,
    ];

    fn name(self) -> &'static str {
        match self {
            TableFormat::Table => "table",
            TableFormat::Csv => "csv",
            TableFormat::Json => "json",
            TableFormat::Markdown => "markdown",
        }
    }

    fn help(self) -> Option<&'static str> {
        match self {
            TableFormat::Table => Some("A table for the terminal"),
            _ => None,
        }
    }
}

impl TableFormat {
    /// The format asked for; without one, the format that the output file's
    /// extension names (`.csv`, `.json`, `.md`), so that `-o counts.csv`
    /// writes CSV; else a table.
    pub fn resolve(asked: Option<TableFormat>, out: Option<&std::path::Path>) -> TableFormat {
        let by_extension = || {
            let ext = out?.extension()?.to_str()?.to_ascii_lowercase();
            match ext.as_str() {
                "csv" => Some(TableFormat::Csv),
                "json" => Some(TableFormat::Json),
                "md" | "markdown" => Some(TableFormat::Markdown),
                _ => None,
            }
        };
        asked.or_else(by_extension).unwrap_or(TableFormat::Table)
    }
}

/// `n` and the noun, in the plural unless `n` is 1: "1 document",
/// "2 documents", "3 categories".
pub fn counted(n: impl std::fmt::Display, noun: &str) -> String {
    let n = n.to_string();
    if n == "1" {
        return format!("1 {noun}");
    }
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(counted(1, "document"), "1 document");
        assert_eq!(counted(0, "document"), "0 documents");
        assert_eq!(counted(2, "coded passage"), "2 coded passages");
        assert_eq!(counted(3, "category"), "3 categories");
        assert_eq!(counted(4, "day"), "4 days");
    }

    #[test]
    fn format_follows_the_output_file_unless_asked() {
        let path = |p: &'static str| Some(std::path::Path::new(p));
        for (asked, out, want) in [
            (None, path("counts.CSV"), TableFormat::Csv),
            (None, path("r.json"), TableFormat::Json),
            (None, path("r.md"), TableFormat::Markdown),
            (None, path("r.txt"), TableFormat::Table),
            (None, None, TableFormat::Table),
            (Some(TableFormat::Table), path("r.csv"), TableFormat::Table),
        ] {
            assert_eq!(TableFormat::resolve(asked, out), want, "{asked:?} {out:?}");
        }
    }

    #[test]
    fn tree_from_paths_keeps_children_under_parents() {
        let mut t = CodeTree::default();
        let a = t.resolve("debt/lenders");
        let b = t.resolve("prices");
        let c = t.resolve("debt/mortgage");
        let names: Vec<_> = t.codes.iter().map(|c| (c.name.as_str(), c.depth)).collect();
        assert_eq!(names, [("debt", 0), ("lenders", 1), ("mortgage", 1), ("prices", 0)]);
        assert_eq!(t.find("debt/lenders"), Some(1));
        assert_eq!(t.find("prices"), Some(3));
        assert_eq!(t.find("debt/mortgage"), Some(2));
        let _ = (a, b, c);
        assert_eq!(t.codes[2].parent, Some(0));
        assert!(t.within(2, 0));
    }
}
