//! Lining up the rows of coded CSVs (the project's schema) into units:
//! a row codes a document's segment, a stretch of characters, or the whole
//! document, and every row of every file must name the same unit for the
//! same passage — checked against the transcripts when they are given.

use std::collections::{BTreeSet, HashMap, HashSet};

use indexmap::IndexSet;

use super::data::{
    Built, CodingData, Options, UnitInfo, UnitKind, Universe, check_declared, declared_or_found, examples, no_ratings,
    rolled_up, select_coders, unit_of_codings,
};
use super::input::CodedFile;
use crate::coding::Coding;
use crate::error::{Error, Result};
use crate::segment::{Segment, Unit};
use crate::transcripts::Transcripts;
use crate::transcripts::unknown_documents;

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
        for code in rolled_up(&c.code, opts.tree) {
            sets.entry((key, ci)).or_default().insert(code.to_string());
            if !c.matched.is_empty() {
                let m = matched.entry((key, ci, code.to_string())).or_default();
                for t in &c.matched {
                    if !m.contains(t) {
                        m.push(t.clone());
                    }
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

    let codes = declared_or_found(
        opts.declared,
        rows.iter().flat_map(|(_, c, _)| {
            let mut up = rolled_up(&c.code, opts.tree);
            up.reverse();
            up
        }),
    );
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
