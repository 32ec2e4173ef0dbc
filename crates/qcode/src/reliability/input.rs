//! Reading the files whose agreement is measured. Three layouts are
//! recognised by their header:
//!
//! * the project's **coded CSV** (`document`, `code`, … — see
//!   [`crate::coding`]): one row per coded passage;
//! * the generic **long format** `unit,coder,code`: one row per rating, as
//!   other tools export it; an empty `code` means "rated, no code applies";
//! * the **set form** `unit,coder,codes`: one row per unit and coder, codes
//!   separated by `;`; an empty `codes` means "rated, no code applies".
//!
//! In the two long layouts a missing row means "not rated", which is not
//! the same as "rated, nothing applies"; the readers keep the two apart.
//! A missing `coder` column (or an empty cell) means the file's name stands
//! for the coder, as for the coded CSV.

use std::path::{Path, PathBuf};

use indexmap::IndexSet;

use crate::coding::csv::read_coded;
use crate::coding::{AUTO_CODER, Coding};
use crate::error::{Error, Result};
use crate::files::spreadsheet::CsvFile;
use std::io::Read as _;

use crate::files::spreadsheet::{delimiter, unguard_cell};

/// A coded CSV in the project's schema.
#[derive(Debug, Clone)]
pub struct CodedFile {
    /// How the file is named in messages (its path, or "qcode (automatic
    /// coding)" for codings made in-process).
    pub name: String,
    /// Its rows, in file order.
    pub codings: Vec<Coding>,
}

impl CodedFile {
    /// Replaces code paths (`parent/child`, as imported from other
    /// programs) by the declared code their last part names, when the path
    /// itself is not declared — so a project coded in NVivo can be audited
    /// against the qcode codebook made from it.
    pub fn resolve_codes(&mut self, declared: &[String]) {
        for c in &mut self.codings {
            if declared.contains(&c.code) {
                continue;
            }
            if let Some((_, leaf)) = c.code.rsplit_once('/')
                && declared.iter().any(|d| d == leaf)
            {
                c.code = leaf.to_string();
            }
        }
    }
}

/// Which long layout a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongForm {
    /// `unit,coder,code`: one row per rating.
    Single,
    /// `unit,coder,codes`: one row per unit and coder, `;`-separated codes.
    Sets,
}

/// One row of a long-format file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongRow {
    /// Line in the file (1-based, header = line 1).
    pub line: usize,
    /// The unit's name, as written.
    pub unit: String,
    /// The `coder` cell, or the file's name without its extension when the
    /// column is missing or the cell empty.
    pub coder: String,
    /// The codes of the row; empty = rated, no code applies.
    pub codes: Vec<String>,
}

/// A long-format file.
#[derive(Debug, Clone)]
pub struct LongFile {
    /// The file's path, for messages.
    pub name: String,
    /// Which of the two long layouts it uses.
    pub form: LongForm,
    /// Its rows, in file order.
    pub rows: Vec<LongRow>,
}

/// A file of ratings, in one of the recognised layouts.
#[derive(Debug, Clone)]
pub enum InputFile {
    /// A coded CSV in the project's schema (it has a `document` column).
    Coded(CodedFile),
    /// A long-format file, `unit,coder,code` or `unit,coder,codes`.
    Long(LongFile),
}

/// Reads `path`, recognising its layout by the header.
pub fn read_input(path: &Path) -> Result<InputFile> {
    let file = CsvFile::open(path)?;
    let mut table = file.table()?;
    let headers = table.headers().to_vec();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let name = path.display().to_string();
    if col("document").is_some() {
        let codings = read_coded(&file)?;
        return Ok(InputFile::Coded(CodedFile { name, codings }));
    }
    let layout_hint = "give a coded CSV (columns `document,…,code,coder`), the long format `unit,coder,code` \
                       (one row per rating) or the set form `unit,coder,codes` (codes separated by `;`)";
    let (unit, code, form) = match (col("unit"), col("code"), col("codes")) {
        (Some(u), Some(c), None) => (u, c, LongForm::Single),
        (Some(u), None, Some(c)) => (u, c, LongForm::Sets),
        (Some(_), Some(_), Some(_)) => {
            return Err(Error::new("the file has both a `code` and a `codes` column")
                .in_file(path)
                .hint(
                    "keep `code` (one code per row) or `codes` (all codes of a unit in one cell, separated by `;`)",
                ));
        }
        _ => {
            let missing = if col("unit").is_none() { "unit" } else { "code" };
            return Err(Error::new(format!(
                "the file has no `{missing}` column, so qcode cannot tell which layout it uses (found: {})",
                headers.join(", ")
            ))
            .in_file(path)
            .hint(layout_hint));
        }
    };
    let coder_col = col("coder");
    let default_coder = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (i, record) in table.by_ref().enumerate() {
        let record = record?;
        let line = record.position().map_or(i + 2, |p| p.line() as usize);
        let cell = |c: usize| unguard_cell(record.get(c).unwrap_or_default().trim()).to_string();
        let unit_label = cell(unit);
        if unit_label.is_empty() {
            return Err(Error::new("the row has an empty `unit`")
                .at(format!("{}:{line}", path.display()))
                .hint("every row names the unit it rates; delete rows that do not"));
        }
        let coder = coder_col.map(&cell).filter(|c| !c.is_empty());
        let raw = cell(code);
        let codes = match form {
            LongForm::Single if raw.is_empty() => Vec::new(),
            LongForm::Single => vec![raw],
            LongForm::Sets => raw
                .split(';')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
        };
        rows.push(LongRow {
            line,
            unit: unit_label,
            coder: coder.unwrap_or_else(|| default_coder.clone()),
            codes,
        });
    }
    Ok(InputFile::Long(LongFile { name, form, rows }))
}

/// Whether `path` is a coded CSV in the project schema: a `.csv` file
/// whose header names the `document` and `code` columns. Used to tell
/// qcode's coded CSV from transcripts given in its place.
pub fn is_coded_csv(path: &Path) -> bool {
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv {
        return false;
    }
    // The header is on the first line: a look at the head of the file.
    let Ok((file, _)) = crate::files::open_input(path) else {
        return false;
    };
    let mut head = Vec::new();
    if std::io::Read::take(file, 64 << 10).read_to_end(&mut head).is_err() {
        return false;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter(head, b','))
        .from_reader(head);
    reader.headers().is_ok_and(|h| {
        let has = |name: &str| h.iter().any(|c| unguard_cell(c.trim()) == name);
        has("document") && has("code")
    })
}

/// A human gold standard (a coded CSV), reduced to one coder: `coder`, or
/// the file's only one. A gold coder called `qcode` (a person's edit of
/// qcode's file that kept the name) becomes `gold`.
pub fn read_gold(path: &Path, coder: Option<&str>) -> Result<CodedFile> {
    let mut file =
        match read_input(path)? {
            InputFile::Coded(f) => f,
            InputFile::Long(_) => {
                return Err(Error::new("the gold standard must be a coded CSV (`document,segment,…,code,coder`)")
                .in_file(path)
                .hint("the audit shows each error's passage, which the long format `unit,coder,code` does not hold"));
            }
        };
    let coders: IndexSet<String> = file.codings.iter().map(|c| c.coder.clone()).collect();
    let name = match (coder, coders.len()) {
        (Some(n), _) if coders.contains(n) => n.to_string(),
        (Some(n), _) => {
            return Err(Error::new(format!("the gold file has no codings by `{n}`"))
                .in_file(path)
                .hint(format!(
                    "its coders are: {}",
                    coders.iter().cloned().collect::<Vec<_>>().join(", ")
                )));
        }
        (None, 0) => {
            return Err(Error::new("the gold file holds no codings (only a header)")
                .in_file(path)
                .hint("check that this is the right file"));
        }
        (None, 1) => coders[0].clone(),
        (None, n) => {
            return Err(Error::new(format!(
                "the gold file holds the codings of {n} coders ({})",
                coders.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
            .in_file(path)
            .hint("choose the gold standard's coder with --gold-coder NAME"));
        }
    };
    file.codings.retain(|c| c.coder == name);
    let role = if name == AUTO_CODER { "gold".to_string() } else { name };
    for c in &mut file.codings {
        c.coder = role.clone();
    }
    Ok(file)
}

/// qcode's automatic coding read back from coded CSVs (one coder, named
/// `qcode` whatever the files say).
pub fn read_automatic(paths: &[PathBuf]) -> Result<CodedFile> {
    let mut codings = Vec::new();
    for path in paths {
        if let InputFile::Coded(f) = read_input(path)? {
            codings.extend(f.codings);
        }
    }
    let coders: IndexSet<&str> = codings.iter().map(|c| c.coder.as_str()).collect();
    if coders.len() > 1 {
        return Err(Error::new(format!(
            "the automatic coding holds the codings of {} coders ({})",
            coders.len(),
            coders.iter().copied().collect::<Vec<_>>().join(", ")
        ))
        .hint("give qcode's own coded CSV (written by `qcode code`), or compare people with `qcode agree`"));
    }
    for c in &mut codings {
        c.coder = AUTO_CODER.to_string();
    }
    let name = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(CodedFile { name, codings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn long_single_keeps_empty_code_as_rated_nothing() {
        let (_d, p) = write("x.csv", "unit,coder,code\nu1,ana,a\nu2,ana,\n");
        let InputFile::Long(f) = read_input(&p).unwrap() else {
            panic!("long")
        };
        assert_eq!(f.form, LongForm::Single);
        assert_eq!(f.rows[0].codes, ["a"]);
        assert!(f.rows[1].codes.is_empty());
        assert_eq!(f.rows[1].line, 3);
    }

    #[test]
    fn sets_split_and_coder_defaults_to_stem() {
        let (_d, p) = write("luis.csv", "unit,codes\nu1,a; b ;\nu2,\n");
        let InputFile::Long(f) = read_input(&p).unwrap() else {
            panic!("long")
        };
        assert_eq!(f.form, LongForm::Sets);
        assert_eq!(f.rows[0].codes, ["a", "b"]);
        assert_eq!(f.rows[0].coder, "luis");
        assert!(f.rows[1].codes.is_empty());
    }

    #[test]
    fn unknown_layout_is_explained() {
        let (_d, p) = write("x.csv", "item,rater,label\n1,a,b\n");
        let e = read_input(&p).unwrap_err();
        assert!(e.what.contains("no `unit` column"), "{e}");
        assert!(e.hint.unwrap().contains("unit,coder,code"));
    }
}
