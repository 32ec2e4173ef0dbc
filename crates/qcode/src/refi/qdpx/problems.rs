//! What an import could not take, gathered on the way and reported as
//! warnings at the end: nothing is dropped silently.

use indexmap::IndexSet;

use crate::refi::list;

/// Problems met on the way, reported as warnings at the end.
#[derive(Default)]
pub(super) struct Problems {
    pub(super) duplicate_sources: Vec<String>,
    pub(super) missing_text: Vec<String>,
    pub(super) external_text: Vec<String>,
    pub(super) no_text: Vec<String>,
    pub(super) not_utf8: Vec<String>,
    pub(super) lost_codings: usize,
    pub(super) bad_selections: Vec<String>,
    pub(super) empty_selections: usize,
    pub(super) dangling_codes: usize,
    pub(super) dangling_variables: usize,
    pub(super) dangling_sources: usize,
    pub(super) no_user: usize,
    pub(super) unlisted_users: IndexSet<String>,
    pub(super) renamed_users: Vec<String>,
    pub(super) renamed_documents: Vec<String>,
    pub(super) renamed_columns: Vec<String>,
}

impl Problems {
    pub(super) fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut say = |items: &[String], what: &str| {
            if !items.is_empty() {
                out.push(format!("{what} ({}): {}", items.len(), list(items)));
            }
        };
        say(
            &self.duplicate_sources,
            "sources with a GUID already used by another source",
        );
        say(
            &self.missing_text,
            "sources whose text file is missing from the archive, not imported",
        );
        say(
            &self.external_text,
            "sources whose text is kept outside the archive, not imported",
        );
        say(
            &self.no_text,
            "sources without a plain text (plainTextPath or PlainTextContent), not imported",
        );
        say(&self.not_utf8, "sources whose text file is not UTF-8, not imported");
        say(
            &self.bad_selections,
            "selections outside their text or splitting a character, not imported",
        );
        say(&self.renamed_users, "users sharing a name, told apart");
        say(
            &self.renamed_documents,
            "source names changed into document names (file-safe and unique)",
        );
        say(
            &self.renamed_columns,
            "variables named like a column of the coded CSV, renamed",
        );
        let unlisted: Vec<String> = self.unlisted_users.iter().cloned().collect();
        say(
            &unlisted,
            "codings by users missing from the project's user list, named by their GUID",
        );
        let counts = [
            (self.lost_codings, "codings of sources not imported, lost with them"),
            (self.empty_selections, "empty selections (start = end), skipped"),
            (
                self.dangling_codes,
                "codings that refer to no code of the codebook (dangling references), not imported",
            ),
            (
                self.dangling_variables,
                "variable values that refer to no declared variable, not imported",
            ),
            (
                self.dangling_sources,
                "case links to sources that do not exist, ignored",
            ),
            (self.no_user, "codings without a user, given the coder `unknown`"),
        ];
        for (n, what) in counts {
            if n > 0 {
                out.push(format!("{what}: {n}"));
            }
        }
        out
    }
}
