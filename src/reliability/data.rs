//! Reliability data for coded text: units × coders, each cell the set of
//! codes a coder applied to a unit, or nothing when the coder did not rate
//! it.
//!
//! This is where the files' rows become units, and where the decisions of
//! the module documentation ([`crate::audit`]) are applied: how units line
//! up between files, which units a coder counts as having rated, and which
//! units exist at all. Everything that cannot be lined up is an error that
//! names how many rows and which; everything that is only suspicious is a
//! warning returned to the caller.

use std::collections::{BTreeSet, HashMap, HashSet};

use indexmap::{IndexMap, IndexSet};

use super::input::{CodedFile, LongFile, LongForm};
use super::transcripts::Transcripts;
use crate::codebook::Codebook;
use crate::coding::Coding;
use crate::error::{Error, Result};
use crate::segment::{Segment, Unit};
use crate::stats::{Ratings, presence_ratings};

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
    pub start_line: usize,
    pub end_line: usize,
    pub speaker: String,
    pub text: String,
}

/// Which units exist (see the module documentation of [`crate::audit`]).
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
    pub units: Vec<UnitInfo>,
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
}

/// Data and the warnings met while building them.
#[derive(Debug, Clone)]
pub struct Built {
    pub data: CodingData,
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
fn select_coders(found: IndexSet<&str>, wanted: Option<&[String]>, files: &str) -> Result<Vec<String>> {
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

/// A row of a coded CSV: its file's index, the coding, and its coder's
/// index among the coders compared.
pub(crate) type CodedRow<'a> = (usize, &'a Coding, usize);

/// The coders to compare and their rows, after the checks every comparison
/// of coded CSVs needs: each file has rows, the requested coders have
/// ratings, there are two coders or more, and no coder has codings of the
/// same document in two files.
pub(crate) fn coded_rows<'a>(
    files: &'a [CodedFile],
    wanted: Option<&[String]>,
) -> Result<(Vec<String>, Vec<CodedRow<'a>>)> {
    for f in files {
        if f.codings.is_empty() {
            return Err(no_ratings(&f.name));
        }
    }
    check_coder_files(files)?;
    let found: IndexSet<&str> = files
        .iter()
        .flat_map(|f| f.codings.iter().map(|c| c.coder.as_str()))
        .collect();
    let coders = select_coders(found, wanted, "these files")?;
    let coder_index: HashMap<&str, usize> = coders.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let rows: Vec<CodedRow> = files
        .iter()
        .enumerate()
        .flat_map(|(fi, f)| f.codings.iter().map(move |c| (fi, c)))
        .filter_map(|(fi, c)| coder_index.get(c.coder.as_str()).map(|&ci| (fi, c, ci)))
        .collect();
    Ok((coders, rows))
}

/// The same coder in two files, on the same document: most often two
/// people's edits of qcode's file that both still say `qcode`.
fn check_coder_files(files: &[CodedFile]) -> Result<()> {
    let mut owner: HashMap<(&str, &str), usize> = HashMap::new();
    for (fi, f) in files.iter().enumerate() {
        for c in &f.codings {
            let prev = *owner.entry((c.coder.as_str(), c.document.as_str())).or_insert(fi);
            if prev == fi {
                continue;
            }
            return Err(Error::new(format!(
                "coder `{}` has codings of the document `{}` in two files: {} and {}",
                c.coder, c.document, files[prev].name, files[fi].name
            ))
            .hint(
                "if the files come from two coders, put each coder's name in the `coder` column (qcode writes \
                 `qcode` there; a person who edits qcode's file should write their own name)",
            ));
        }
    }
    Ok(())
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

fn no_ratings(name: &str) -> Error {
    Error::new("the file holds no ratings (only a header)")
        .at(name.to_string())
        .hint("check that this is the right file; a coder with no ratings cannot be compared")
}

/// A unit of a coded CSV: a document, one of its segments, or a stretch of
/// characters (rows without a segment number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Doc(usize),
    Seg(usize, usize),
    Span(usize, usize, usize),
}

impl Key {
    fn doc(self) -> usize {
        match self {
            Key::Doc(d) | Key::Seg(d, _) | Key::Span(d, _, _) => d,
        }
    }

    fn order(self) -> (usize, usize, usize) {
        match self {
            Key::Doc(d) => (d, 0, 0),
            Key::Seg(d, s) => (d, s, 0),
            Key::Span(d, s, e) => (d, s, e),
        }
    }
}

/// Problems with the position of rows, gathered so that one error can say
/// how many rows are affected and which.
#[derive(Default)]
struct Misaligned {
    unknown_docs: IndexSet<String>,
    off_segments: Vec<String>,
    unpositioned: Vec<String>,
    offset_conflicts: Vec<String>,
    mixed_docs: Vec<String>,
}

impl Misaligned {
    fn into_result(self, unit: Option<Unit>) -> Result<()> {
        let unit = unit.map_or("segment", Unit::as_str);
        if !self.unknown_docs.is_empty() {
            return Err(unknown_documents(&self.unknown_docs));
        }
        if !self.off_segments.is_empty() {
            return Err(Error::new(format!(
                "{} coded passage(s) do not line up with the {unit}s of the transcripts: {}",
                self.off_segments.len(),
                examples(&self.off_segments)
            ))
            .hint(format!(
                "qcode cut the transcripts into {unit}s, as the `unit` column says; were the passages coded with \
                 another --unit or speaker pattern? For coders who marked their own stretches of text, use --spans"
            )));
        }
        if !self.unpositioned.is_empty() {
            return Err(Error::new(format!(
                "{} row(s) give neither a segment number nor character offsets, so qcode cannot tell which \
                 passage they code: {}",
                self.unpositioned.len(),
                examples(&self.unpositioned)
            ))
            .hint(
                "fill in `segment` (or `start_char` and `end_char`), or compare whole documents with --unit document",
            ));
        }
        if !self.offset_conflicts.is_empty() {
            return Err(Error::new(format!(
                "{} segment(s) have different character offsets in different rows, so the files were cut into \
                 units differently: {}",
                self.offset_conflicts.len(),
                examples(&self.offset_conflicts)
            ))
            .hint(
                "code every file with the same --unit, or give --transcripts to check the rows against the transcripts",
            ));
        }
        if !self.mixed_docs.is_empty() {
            return Err(Error::new(format!(
                "in {} document(s) some rows give segment numbers and others only character offsets, so their \
                 units cannot be lined up: {}",
                self.mixed_docs.len(),
                examples(&self.mixed_docs)
            ))
            .hint("fill in the `segment` column everywhere, or give --transcripts so that offsets can be matched to segments"));
        }
        Ok(())
    }
}

/// Finds the unit of each row, gathering the rows that do not line up.
struct Keyer<'a> {
    unit: UnitKind,
    transcripts: Option<&'a Transcripts>,
    /// Offsets first seen for a segment (start, end, file), without
    /// transcripts.
    offsets: HashMap<Key, (usize, usize, String)>,
    bad: Misaligned,
}

impl Keyer<'_> {
    /// The unit of coding `c`, of document number `d`, read from `file`;
    /// `None` when the row does not line up (recorded in `bad`).
    fn key(&mut self, d: usize, c: &Coding, file: &str) -> Option<Key> {
        let place = || format!("{} segment {} in {file}", c.document, c.segment);
        let same_offsets = |s: &Segment| (s.start_char, s.end_char) == (c.start_char, c.end_char);
        match (self.unit, self.transcripts) {
            (UnitKind::Document, _) => Some(Key::Doc(d)),
            (UnitKind::Segment, Some(t)) => {
                let doc = &t.docs[&c.document];
                let found = if c.segment > 0 {
                    doc.segment(c.segment).filter(|s| c.end_char == 0 || same_offsets(s))
                } else {
                    doc.segments.iter().find(|s| c.end_char > 0 && same_offsets(s))
                };
                if found.is_none() {
                    self.bad.off_segments.push(if c.segment > 0 {
                        place()
                    } else {
                        format!("{} characters {}–{} in {file}", c.document, c.start_char, c.end_char)
                    });
                }
                found.map(|s| Key::Seg(d, s.index))
            }
            (UnitKind::Segment, None) if c.segment > 0 => {
                let key = Key::Seg(d, c.segment);
                if c.end_char > 0 {
                    let (start, end, first) = self
                        .offsets
                        .entry(key)
                        .or_insert_with(|| (c.start_char, c.end_char, file.to_string()));
                    if (*start, *end) != (c.start_char, c.end_char) {
                        self.bad.offset_conflicts.push(format!(
                            "{} segment {}: characters {start}–{end} in {first}, {}–{} in {file}",
                            c.document, c.segment, c.start_char, c.end_char
                        ));
                    }
                }
                Some(key)
            }
            (UnitKind::Segment, None) if c.end_char > c.start_char => Some(Key::Span(d, c.start_char, c.end_char)),
            (UnitKind::Segment, None) => {
                self.bad.unpositioned.push(place());
                None
            }
        }
    }
}

/// The error for documents of coded files that the transcripts lack.
pub(crate) fn unknown_documents(docs: &IndexSet<String>) -> Error {
    let names: Vec<String> = docs.iter().map(|d| format!("`{d}`")).collect();
    Error::new(format!(
        "{} document(s) of the coded files are not among the transcripts: {}",
        names.len(),
        examples(&names)
    ))
    .hint("give the folder the coded CSVs were made from: document ids are paths relative to it")
}

/// Builds reliability data from coded CSVs in the project schema.
pub fn from_coded(files: &[CodedFile], opts: &Options) -> Result<Built> {
    let mut warnings = Vec::new();
    let (coders, rows) = coded_rows(files, opts.coders)?;
    let coder_index: HashMap<&str, usize> = coders.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let unit = if opts.unit == UnitKind::Segment {
        unit_of_codings(files)?
    } else {
        None
    };
    if let (Some(t), Some(u)) = (opts.transcripts, unit)
        && t.unit != u
    {
        return Err(Error::new(format!(
            "the coded files hold {}s but the transcripts were cut into {}s",
            u.as_str(),
            t.unit.as_str()
        ))
        .hint("segment the transcripts with the unit of the coded files"));
    }

    // Documents: the transcripts' order first, then as met in the files.
    let mut docs: IndexSet<String> = opts
        .transcripts
        .map(|t| t.docs.keys().cloned().collect())
        .unwrap_or_default();
    let mut keyer = Keyer {
        unit: opts.unit,
        transcripts: opts.transcripts,
        offsets: HashMap::new(),
        bad: Misaligned::default(),
    };
    let mut infos: HashMap<Key, UnitInfo> = HashMap::new();
    let mut sets: HashMap<(Key, usize), BTreeSet<String>> = HashMap::new();
    let mut matched: HashMap<(Key, usize, String), Vec<String>> = HashMap::new();
    let mut rated: HashSet<(usize, usize)> = HashSet::new();
    let mut seen_rows: HashSet<(Key, usize, &str)> = HashSet::new();
    let mut duplicates: Vec<String> = Vec::new();
    for &(fi, c, ci) in &rows {
        check_declared(opts.declared, &c.code, &c.coder, || {
            format!("{}, document `{}`", files[fi].name, c.document)
        })?;
        if opts.transcripts.is_some() && !docs.contains(&c.document) {
            keyer.bad.unknown_docs.insert(c.document.clone());
            continue;
        }
        let (d, _) = docs.insert_full(c.document.clone());
        let Some(key) = keyer.key(d, c, &files[fi].name) else {
            continue;
        };
        rated.insert((ci, d));
        infos
            .entry(key)
            .or_insert_with(|| unit_info(key, c, &docs, opts.transcripts));
        if !seen_rows.insert((key, ci, c.code.as_str())) && opts.unit == UnitKind::Segment {
            duplicates.push(format!("{} ({}, {})", infos[&key].label, c.code, c.coder));
        }
        sets.entry((key, ci)).or_default().insert(c.code.clone());
        if !c.matched.is_empty() {
            let m = matched.entry((key, ci, c.code.clone())).or_default();
            for t in &c.matched {
                if !m.contains(t) {
                    m.push(t.clone());
                }
            }
        }
    }
    // Segment numbers and bare offsets in the same document cannot be
    // lined up without the transcripts.
    let mut kinds: HashMap<usize, (bool, bool)> = HashMap::new();
    for key in infos.keys() {
        let k = kinds.entry(key.doc()).or_default();
        match key {
            Key::Seg(..) => k.0 = true,
            Key::Span(..) => k.1 = true,
            Key::Doc(_) => {}
        }
    }
    let mut mixed: Vec<usize> = kinds.iter().filter(|(_, k)| k.0 && k.1).map(|(d, _)| *d).collect();
    mixed.sort_unstable();
    let mut bad = keyer.bad;
    bad.mixed_docs = mixed.iter().map(|&d| docs[d].clone()).collect();
    bad.into_result(opts.transcripts.map(|t| t.unit).or(unit))?;
    if !duplicates.is_empty() {
        warnings.push(format!(
            "{} duplicate row(s) (same passage, code and coder) counted once: {}",
            duplicates.len(),
            examples(&duplicates)
        ));
    }

    // The unit universe.
    let mut keys: Vec<Key> = match (opts.transcripts, opts.unit) {
        (Some(t), UnitKind::Segment) => t
            .docs
            .iter()
            .enumerate()
            .flat_map(|(d, (_, doc))| doc.segments.iter().map(move |s| Key::Seg(d, s.index)))
            .collect(),
        (Some(t), UnitKind::Document) => (0..t.docs.len()).map(Key::Doc).collect(),
        (None, _) => infos.keys().copied().collect(),
    };
    keys.sort_by_key(|k| k.order());
    let universe = if opts.transcripts.is_some() {
        Universe::Transcripts
    } else {
        Universe::CodedUnits
    };
    if universe == Universe::CodedUnits && opts.unit == UnitKind::Segment {
        warnings.push(
            "without --transcripts only the segments some coder coded are counted: segments nobody coded \
             (agreement that every code is absent) are left out; give --transcripts to count them"
                .to_string(),
        );
    }

    // Who rated which document.
    let complete = opts.complete_coder.and_then(|c| coder_index.get(c).copied());
    let coded_by_any: HashSet<usize> = rated.iter().map(|&(_, d)| d).collect();
    let is_rated = |ci: usize, d: usize| {
        opts.all_rated || rated.contains(&(ci, d)) || (Some(ci) == complete && coded_by_any.contains(&d))
    };
    if !opts.all_rated {
        for (ci, coder) in coders.iter().enumerate() {
            if Some(ci) == complete {
                continue;
            }
            let mut missing: Vec<usize> = coded_by_any.iter().copied().filter(|&d| !is_rated(ci, d)).collect();
            missing.sort_unstable();
            if !missing.is_empty() {
                let names: Vec<&String> = missing.iter().map(|&d| &docs[d]).collect();
                let others: Vec<String> = (0..coders.len())
                    .filter(|&o| missing.iter().any(|&d| rated.contains(&(o, d))))
                    .map(|o| format!("`{}`", coders[o]))
                    .collect();
                warnings.push(format!(
                    "`{coder}` has no codings in {} document(s) that {} coded ({}): counted as not rated there; \
                     use --all-rated if `{coder}` read them and found nothing to code",
                    names.len(),
                    others.join(", "),
                    examples(&names)
                ));
            }
        }
    }

    let codes = declared_or_found(opts.declared, rows.iter().map(|(_, c, _)| c.code.as_str()));
    let mut units = Vec::new();
    let mut cells = Vec::new();
    let mut unit_of: HashMap<Key, usize> = HashMap::new();
    for key in keys {
        let row: Vec<Option<BTreeSet<String>>> = (0..coders.len())
            .map(|ci| is_rated(ci, key.doc()).then(|| sets.get(&(key, ci)).cloned().unwrap_or_default()))
            .collect();
        if row.iter().all(Option::is_none) {
            continue;
        }
        unit_of.insert(key, units.len());
        let info = match infos.remove(&key) {
            Some(info) => info,
            None => transcript_unit_info(
                key,
                &docs,
                opts.transcripts.expect("units nobody coded come from transcripts"),
            ),
        };
        units.push(info);
        cells.push(row);
    }
    let matched = matched
        .into_iter()
        .filter_map(|((key, ci, code), terms)| unit_of.get(&key).map(|&u| ((u, ci, code), terms)))
        .collect();
    Ok(Built {
        data: CodingData {
            units,
            coders,
            codes,
            declared: opts.declared.is_some(),
            cells,
            nominal: false,
            matched,
            universe,
            all_rated: opts.all_rated,
        },
        warnings,
    })
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

fn unit_label(key: Key, docs: &IndexSet<String>) -> String {
    match key {
        Key::Doc(d) => docs[d].clone(),
        Key::Seg(d, s) => format!("{}#{s}", docs[d]),
        Key::Span(d, s, e) => format!("{}@{s}-{e}", docs[d]),
    }
}

/// A unit's description from the first row that codes it (or from the
/// transcripts, which hold the exact segment).
fn unit_info(key: Key, c: &Coding, docs: &IndexSet<String>, transcripts: Option<&Transcripts>) -> UnitInfo {
    if let Some(t) = transcripts {
        return transcript_unit_info(key, docs, t);
    }
    let whole = matches!(key, Key::Doc(_));
    UnitInfo {
        label: unit_label(key, docs),
        document: c.document.clone(),
        segment: if whole { 0 } else { c.segment },
        start_line: if whole { 0 } else { c.start_line },
        end_line: if whole { 0 } else { c.end_line },
        speaker: if whole { String::new() } else { c.speaker.clone() },
        text: if whole { String::new() } else { c.text.clone() },
    }
}

fn transcript_unit_info(key: Key, docs: &IndexSet<String>, t: &Transcripts) -> UnitInfo {
    let document = docs[key.doc()].clone();
    let mut info = UnitInfo {
        label: unit_label(key, docs),
        document,
        ..UnitInfo::default()
    };
    if let Key::Seg(_, s) = key {
        let doc = &t.docs[&info.document];
        let seg = doc.segment(s).expect("keys come from the transcripts' segments");
        info.segment = s;
        info.start_line = seg.start_line;
        info.end_line = seg.end_line;
        info.speaker = seg.speaker.as_deref().unwrap_or_default().to_string();
        info.text = doc.text_of(seg).to_string();
    }
    info
}

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
