//! Reliability data for coded text: units × coders, each cell the set of
//! codes a coder applied to a unit, or nothing when the coder did not rate
//! it. Built from coded CSVs by [`super::coded`] and from long-format files
//! by [`super::long`]; the checks both share are here.
//!
//! This is where the files' rows become units, and where the decisions of
//! the module documentation ([`crate::reliability`]) are applied: how units line
//! up between files, which units a coder counts as having rated, and which
//! units exist at all. Everything that cannot be lined up is an error that
//! names how many rows and which; everything that is only suspicious is a
//! warning returned to the caller.

use std::collections::{BTreeSet, HashMap};

use indexmap::{IndexMap, IndexSet};

use super::input::CodedFile;
use crate::codebook::Codebook;
use crate::coding::CodeTree;
use crate::error::{Error, Result};
use crate::segment::Unit;
use crate::stats::{Ratings, presence_ratings};
use crate::transcripts::Transcripts;

/// What one unit of agreement is, for coded CSVs in the project schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnitKind {
    /// A segment of a document (paragraph, turn, … as coded).
    #[default]
    Segment,
    /// A whole document: was the code applied anywhere in it?
    Document,
}

impl crate::choice::Choice for UnitKind {
    const ALL: &'static [UnitKind] = &[UnitKind::Segment, UnitKind::Document];

    fn name(self) -> &'static str {
        match self {
            UnitKind::Segment => "segment",
            UnitKind::Document => "document",
        }
    }

    fn help(self) -> Option<&'static str> {
        Some(match self {
            UnitKind::Segment => "A segment of a document (paragraph, turn, … as coded)",
            UnitKind::Document => "A whole document: was the code applied anywhere in it?",
        })
    }
}

/// Where one unit is, for reports and the disagreements file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitInfo {
    /// The unit's name: as written in long-format files; `document#segment`,
    /// `document@start-end` (character offsets) or the document for coded
    /// CSVs.
    pub label: String,
    /// Empty for long-format data.
    pub document: String,
    /// 1-based segment number, 0 when unknown.
    pub segment: usize,
    /// First line of the unit in its source file (1-based); 0 when unknown
    /// (whole documents, long-format data).
    pub start_line: usize,
    /// Last line of the unit in its source file (1-based, inclusive); 0
    /// when unknown.
    pub end_line: usize,
    /// Who speaks in the unit; empty when unknown or for a whole document.
    pub speaker: String,
    /// The unit's text, from the transcripts or else the first row that
    /// codes it; empty for whole documents and long-format data.
    pub text: String,
}

/// Which units exist (see the module documentation of [`crate::reliability`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Universe {
    /// Every segment (or document) of the transcripts.
    Transcripts,
    /// The units some coder coded (no transcripts were given).
    CodedUnits,
    /// The units named in long-format files.
    Listed,
}

/// Units × coders, each cell the codes applied (or `None`: not rated).
#[derive(Debug, Clone)]
pub struct CodingData {
    /// The units, one per row of `cells`.
    pub units: Vec<UnitInfo>,
    /// The coders, one per column of `cells`.
    pub coders: Vec<String>,
    /// The codes compared, in order: the declared list when one was given
    /// (codes nobody used included), else the codes found, first seen first.
    pub codes: Vec<String>,
    /// Whether `codes` is a declared list (codebook or `--categories`).
    pub declared: bool,
    /// `cells[unit][coder]`: `None` = not rated; `Some(empty)` = rated, no
    /// code applies.
    pub cells: Vec<Vec<Option<BTreeSet<String>>>>,
    /// Nominal data: long format `unit,coder,code` with exactly one code in
    /// every rated cell. Otherwise the data are multi-code.
    pub nominal: bool,
    /// The terms that fired, per (unit, coder, code), from the coded CSV's
    /// `matched` column.
    pub matched: HashMap<(usize, usize, String), Vec<String>>,
    /// Which units exist.
    pub universe: Universe,
    /// Built with [`Options::all_rated`]: every coder read every document.
    pub all_rated: bool,
}

impl CodingData {
    /// Present/absent ratings of one code (missing stays missing).
    pub fn presence(&self, code: &str) -> Ratings {
        presence_ratings(&self.cells, code)
    }

    /// Every (unit, code) presence decision as one binary variable: the
    /// rows of [`CodingData::presence`] of all codes, stacked.
    pub fn pooled_presence(&self) -> Ratings {
        let rows: Vec<Vec<Option<u32>>> = self
            .codes
            .iter()
            .flat_map(|code| self.presence(code).data().to_vec())
            .collect();
        Ratings::from_matrix(rows, Some(2)).expect("presence rows are binary and of equal length")
    }

    /// The nominal variable (one category per rated cell), if the data are
    /// nominal; its categories are the declared list when there is one.
    pub fn nominal_ratings(&self) -> Option<Ratings> {
        if !self.nominal {
            return None;
        }
        let triples = self.cells.iter().enumerate().flat_map(|(u, row)| {
            row.iter().enumerate().filter_map(move |(c, cell)| {
                let code = cell.as_ref()?.iter().next()?;
                Some((self.units[u].label.as_str(), self.coders[c].as_str(), code.as_str()))
            })
        });
        let r = if self.declared {
            Ratings::from_triples_with_categories(triples, &self.codes)
        } else {
            Ratings::from_triples(triples)
        };
        Some(r.expect("cells hold one declared code each"))
    }

    /// Units where coders who rated the unit (at least two) applied
    /// different codes.
    pub fn disputed_units(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.units.len()).filter(|&u| {
            let mut rated = self.cells[u].iter().flatten();
            match rated.next() {
                Some(first) => rated.any(|s| s != first),
                None => false,
            }
        })
    }

    /// Codes applied by some but not all of the coders who rated unit `u`.
    pub fn disputed_codes(&self, u: usize) -> Vec<&str> {
        let rated: Vec<&BTreeSet<String>> = self.cells[u].iter().flatten().collect();
        self.codes
            .iter()
            .filter(|code| {
                let n = rated.iter().filter(|s| s.contains(*code)).count();
                n > 0 && n < rated.len()
            })
            .map(String::as_str)
            .collect()
    }
}

/// How to build [`CodingData`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// What one unit is; only coded CSVs may ask for whole documents.
    pub unit: UnitKind,
    /// The declared codes (codebook or `--categories`).
    pub declared: Option<&'a [String]>,
    /// Only these coders, in this order.
    pub coders: Option<&'a [String]>,
    /// The transcripts the coded CSVs were made from: every segment becomes
    /// a unit, and rows are checked against the segments.
    pub transcripts: Option<&'a Transcripts>,
    /// Every coder read every document (a document without a coder's rows
    /// counts as "rated, no code" for that coder, not "not rated").
    pub all_rated: bool,
    /// A coder who rated every document any other coder rated, such as
    /// qcode's automatic coding, which codes every document it is given.
    pub complete_coder: Option<&'a str>,
    /// The code hierarchy: a code applied to a unit also applies its
    /// ancestors there, so that a parent code is compared on the passages
    /// coded with it or any of its sub-codes, as every report counts it.
    /// `None`: codes are compared as written.
    pub tree: Option<&'a CodeTree>,
}

/// `code` and the names of its ancestors in `tree` (only `code` when the
/// tree does not know it or there is no tree), nearest first.
pub fn rolled_up<'t>(code: &'t str, tree: Option<&'t CodeTree>) -> Vec<&'t str> {
    match tree.and_then(|t| Some((t, t.find(code)?))) {
        Some((t, i)) => std::iter::once(code)
            .chain(t.ancestry(i).skip(1).map(|a| t.codes[a].name.as_str()))
            .collect(),
        None => vec![code],
    }
}

/// Data and the warnings met while building them.
#[derive(Debug, Clone)]
pub struct Built {
    /// The reliability data.
    pub data: CodingData,
    /// What looked suspicious without stopping the build, one message
    /// each, for the user.
    pub warnings: Vec<String>,
}

/// `items` for a message: the first five, then how many more.
pub fn examples<S: AsRef<str>>(items: &[S]) -> String {
    const SHOWN: usize = 5;
    let mut s = items
        .iter()
        .take(SHOWN)
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    s
}

/// The segmentation unit written in the coded CSVs' `unit` column (`None`
/// when no row fills it); an error when files disagree, since their
/// segments cannot then line up.
pub fn unit_of_codings(files: &[CodedFile]) -> Result<Option<Unit>> {
    let mut seen: IndexMap<&str, &str> = IndexMap::new();
    for f in files {
        for c in &f.codings {
            // `span`: passages marked by hand in another program, which
            // follow no unit.
            let unit = c.unit.trim();
            if !unit.is_empty() && unit != "span" {
                seen.entry(unit).or_insert(&f.name);
            }
        }
    }
    match seen.len() {
        0 => Ok(None),
        1 => {
            let (name, file) = seen.first().expect("one");
            match crate::choice::parse::<Unit>(name) {
                Some(unit) => Ok(Some(unit)),
                None => Err(Error::new(format!(
                    "the `unit` column says `{name}`, which is not a unit qcode knows"
                ))
                .in_file(std::path::Path::new(file))
                .hint(format!("the unit is one of {}", crate::choice::names::<Unit>()))),
            }
        }
        _ => Err(Error::new(format!(
            "the coded files were cut into different units: {}",
            seen.iter()
                .map(|(u, f)| format!("{u} in {f}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("code every file with the same --unit, or compare whole documents with --unit document")),
    }
}

/// The unit transcripts must be cut into to line up with `coded` files:
/// whole documents when the unit of agreement is the document, else the
/// unit written in the files, else the codebook's, else paragraphs.
pub fn transcript_unit(kind: UnitKind, coded: &[CodedFile], codebook: Option<&Codebook>) -> Result<Unit> {
    Ok(match kind {
        UnitKind::Document => Unit::Document,
        UnitKind::Segment => unit_of_codings(coded)?
            .or(codebook.map(|c| c.unit))
            .unwrap_or(Unit::Paragraph),
    })
}

/// The coders to compare: all coders found (first seen first), or the
/// requested ones, each of which must have ratings.
pub(super) fn select_coders(found: IndexSet<&str>, wanted: Option<&[String]>, files: &str) -> Result<Vec<String>> {
    let coders: Vec<String> = match wanted {
        Some(list) => {
            for c in list {
                if !found.contains(c.as_str()) {
                    return Err(
                        Error::new(format!("coder `{c}` has no ratings in {files}")).hint(format!(
                            "the coders found are: {}",
                            found.iter().copied().collect::<Vec<_>>().join(", ")
                        )),
                    );
                }
            }
            list.to_vec()
        }
        None => found.iter().map(|c| c.to_string()).collect(),
    };
    if coders.len() < 2 {
        return Err(Error::new(format!(
            "agreement needs two coders or more, and {files} hold the ratings of one coder (`{}`)",
            coders.first().map_or("", String::as_str)
        ))
        .hint(
            "give each coder's file, or one file with a `coder` column naming each coder; a person who edits \
             qcode's coded CSV should put their own name in the `coder` column",
        ));
    }
    Ok(coders)
}

pub(crate) fn check_declared(
    declared: Option<&[String]>,
    code: &str,
    coder: &str,
    place: impl FnOnce() -> String,
) -> Result<()> {
    match declared {
        Some(list) if !list.iter().any(|c| c == code) => Err(Error::new(format!(
            "coder `{coder}` used the code `{code}`, which is not among the declared codes"
        ))
        .at(place())
        .hint(
            "fix the code's name in the file, add the code to the codebook (or to --categories), or leave out \
             --codebook/--categories to compare the codes found in the files",
        )),
        _ => Ok(()),
    }
}

pub(super) fn no_ratings(name: &str) -> Error {
    Error::new("the file holds no ratings (only a header)")
        .at(name.to_string())
        .hint("check that this is the right file; a coder with no ratings cannot be compared")
}

pub(crate) fn declared_or_found<'a>(declared: Option<&[String]>, found: impl Iterator<Item = &'a str>) -> Vec<String> {
    match declared {
        Some(list) => list.to_vec(),
        None => found
            .collect::<IndexSet<&str>>()
            .into_iter()
            .map(str::to_string)
            .collect(),
    }
}
