//! The code hierarchy reports are organised by: the codebook's, or one
//! built from code paths such as `debt/lenders` when codings are read back
//! from a coded CSV without a codebook.

use indexmap::IndexMap;

use super::Coding;
use crate::codebook::Codebook;

/// A code of the tree that reports are organised by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeCode {
    /// The code's name; for a code added from a path, its last part.
    pub name: String,
    /// The readable label (the name, when there is none).
    pub label: String,
    /// Index of the parent in [`CodeTree::codes`]; `None` at the top.
    pub parent: Option<usize>,
    /// 0 for top-level codes.
    pub depth: usize,
    /// The code's colour in the codebook (`#RRGGBB`), if any.
    pub colour: Option<String>,
}

/// The code hierarchy, in display order (parents before children).
#[derive(Debug, Clone, Default)]
pub struct CodeTree {
    /// The codes, in display order; a code's index here identifies it.
    pub codes: Vec<TreeCode>,
    index: IndexMap<String, usize>,
}

impl CodeTree {
    /// The codebook's hierarchy, in the codebook's order.
    pub fn from_codebook(cb: &Codebook) -> CodeTree {
        let mut tree = CodeTree::default();
        for c in &cb.codes {
            tree.index.insert(c.name.clone(), tree.codes.len());
            tree.codes.push(TreeCode {
                name: c.name.clone(),
                label: c.label.clone(),
                parent: c.parent,
                depth: c.depth,
                colour: c.color.clone(),
            });
        }
        tree
    }

    /// The tree of codings read back from coded CSVs: the codebook's, when
    /// there is one, with the codes it lacks added after it, under their
    /// parents as the `code_path` column (or a code written as a path such
    /// as `debt/lenders`) gives them; also returns the codes the codebook
    /// lacks, for a warning.
    pub fn for_codings<'c>(
        codebook: Option<&Codebook>,
        codings: impl IntoIterator<Item = &'c Coding>,
    ) -> (CodeTree, Vec<&'c str>) {
        let mut tree = codebook.map(CodeTree::from_codebook).unwrap_or_default();
        let mut unknown: Vec<&str> = Vec::new();
        for c in codings {
            if tree.find(&c.code).is_none() {
                if codebook.is_some() && !unknown.contains(&c.code.as_str()) {
                    unknown.push(&c.code);
                }
                let path = c.code_path.as_str();
                let leaf_of_path = path.rsplit('/').next() == Some(c.code.as_str());
                tree.resolve(if leaf_of_path { path } else { &c.code });
            }
        }
        (tree, unknown)
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
            colour: None,
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

    /// The colour of the code called `name`, if the codebook gives one.
    pub fn colour_of(&self, name: &str) -> Option<String> {
        self.find(name).and_then(|i| self.codes[i].colour.clone())
    }

    /// Whether `code` is `ancestor` or one of its descendants.
    pub fn within(&self, code: usize, ancestor: usize) -> bool {
        self.ancestry(code).any(|c| c == ancestor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
