//! Co-occurrence of codes: for every pair of codes, the passages coded
//! with both, with Jaccard's index and ATLAS.ti's c-coefficient.
//!
//! # What co-occurs, and why so
//!
//! * **In the same passage** (the default): a passage is a unit as qcode
//!   cut it (or a coded CSV's row position: segment and offsets, as `freq`
//!   tells passages apart), and two codes co-occur in it when both were
//!   applied to it. A parent counts every passage of its sub-codes, once,
//!   as in `freq`, so its row is the sum of its sub-codes' topic; a pair of
//!   a code and one of its own sub-codes is left out, since the parent
//!   holds every passage of the child by construction.
//! * **Within N passages** (`--within N`): a passage coded with one code
//!   is linked when the other code is applied in it or in one of the N
//!   passages before or after it in the same document (by segment number,
//!   so uncoded passages count in the distance). The count is the passages
//!   of either code so linked, Jaccard's index their share of the passages
//!   of either code; the c-coefficient, a ratio of quotations that overlap,
//!   is left undefined.
//! * **Overlapping quotations** (`--overlap`), for codings imported from
//!   other programs whose passages are stretches of characters: two codes
//!   co-occur when a quotation of one shares a character with a quotation
//!   of the other. The count is the pairs of such quotations, as ATLAS.ti
//!   counts them (so the c-coefficient can pass 1), and Jaccard's index is
//!   taken over characters: those coded with both over those coded with
//!   either.
//!
//! The formulas are in [`crate::stats`]; this module counts.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use indexmap::IndexMap;

use super::freq::{Freq, GroupBy};
use super::xlsx::Sheet;
use super::{Align, CodeTree, Field, Footnotes, JsonObject, Provenance, Records, Report, Style, Table, counted};
use crate::choice::Choice;
use crate::coding::{Coding, PassageKey};
use crate::error::{Error, Result};
use crate::refi::xml::XmlWriter;
use crate::stats::{Coef, c_coefficient, jaccard, share_of_union};

/// When two codes count as occurring together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proximity {
    /// Both applied to the same passage.
    Passage,
    /// Applied to passages at most this many passages apart.
    Within(usize),
    /// Applied to quotations (stretches of characters) that overlap.
    Overlap,
}

impl Proximity {
    /// What co-occurring means, in words, for summaries and legends.
    pub fn phrase(self) -> String {
        match self {
            Proximity::Passage => "in the same passage".to_string(),
            Proximity::Within(n) => format!("within {} of each other", counted(n, "passage")),
            Proximity::Overlap => "in overlapping quotations".to_string(),
        }
    }
}

/// The output formats of `cooccur`: a report's, or GraphML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CooccurFormat {
    /// One of the formats every report is written in.
    Report(super::Format),
    /// A graph of codes (nodes) and their co-occurrences (edges), for Gephi
    /// or igraph.
    GraphMl,
}

impl Choice for CooccurFormat {
    const ALL: &'static [CooccurFormat] = &[
        CooccurFormat::Report(super::Format::Table),
        CooccurFormat::Report(super::Format::Csv),
        CooccurFormat::Report(super::Format::Json),
        CooccurFormat::Report(super::Format::Markdown),
        CooccurFormat::Report(super::Format::Xlsx),
        CooccurFormat::GraphMl,
    ];

    fn name(self) -> &'static str {
        match self {
            CooccurFormat::Report(f) => f.name(),
            CooccurFormat::GraphMl => "graphml",
        }
    }

    fn help(self) -> Option<&'static str> {
        match self {
            CooccurFormat::Report(f) => f.help(),
            CooccurFormat::GraphMl => Some("Codes as nodes, co-occurrences as weighted edges (Gephi, igraph)"),
        }
    }
}

impl CooccurFormat {
    /// The format asked for, else the one the output file's extension names
    /// (`.graphml`, or a report's), else a table.
    pub fn resolve(asked: Option<CooccurFormat>, out: Option<&std::path::Path>) -> Result<CooccurFormat> {
        let graphml = out
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("graphml"));
        match (asked, graphml) {
            (Some(CooccurFormat::Report(f)), true) => Err(super::mismatch(f.name(), "graphml")),
            (Some(CooccurFormat::GraphMl), _) | (None, true) => Ok(CooccurFormat::GraphMl),
            (Some(CooccurFormat::Report(f)), false) => super::Format::resolve(Some(f), out).map(CooccurFormat::Report),
            (None, false) => super::Format::resolve(None, out).map(CooccurFormat::Report),
        }
    }
}

/// The counts of one pair of codes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairCounts {
    /// The co-occurrences: passages coded with both (in the same passage),
    /// passages of either code linked to the other (`--within`), or pairs
    /// of overlapping quotations (`--overlap`).
    pub together: u64,
    /// What the two codes share for Jaccard's index: passages coded with
    /// both, or (`--overlap`) characters coded with both.
    pub shared: u64,
}

/// The counts of one group (all documents, without `--by`).
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    /// Per code (tree index): its passages, or quotations with `--overlap`.
    pub applied: Vec<u64>,
    /// Per code: what Jaccard's index counts, passages or (`--overlap`)
    /// characters.
    pub extent: Vec<u64>,
    /// The pairs that occur together, `(a, b)` with `a < b` in tree order.
    pub pairs: BTreeMap<(usize, usize), PairCounts>,
}

impl Matrix {
    fn new(codes: usize) -> Matrix {
        Matrix {
            applied: vec![0; codes],
            extent: vec![0; codes],
            pairs: BTreeMap::new(),
        }
    }

    /// The counts of codes `a` and `b`, in either order (zero when they
    /// never occur together).
    pub fn pair(&self, a: usize, b: usize) -> PairCounts {
        self.pairs.get(&(a.min(b), a.max(b))).copied().unwrap_or_default()
    }
}

/// A passage behind the pair asked for with `--code`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PairPassage {
    /// Its document.
    pub document: String,
    /// Its segment number (0 when unknown).
    pub segment: usize,
    /// First line.
    pub start_line: usize,
    /// Last line.
    pub end_line: usize,
    /// First character.
    pub start_char: usize,
    /// One past the last character.
    pub end_char: usize,
    /// Its speaker (empty: none).
    pub speaker: String,
    /// The codes applied to it, as coded (not rolled up).
    pub codes: Vec<String>,
    /// Its text.
    pub text: String,
}

/// A passage (or quotation) of a document, as co-occurrence sees it.
struct Unit<'c> {
    /// Segment number, for `--within`.
    position: usize,
    /// Characters, for `--overlap`.
    start: usize,
    end: usize,
    group: String,
    /// Codes applied and their ancestors, sorted, each once.
    codes: Vec<usize>,
    /// Its codings.
    codings: Vec<&'c Coding>,
}

/// Co-occurrence counts, document by document.
#[derive(Debug)]
pub struct Cooccur {
    /// The codes, in display order.
    pub tree: CodeTree,
    /// When codes occur together.
    pub proximity: Proximity,
    /// A matrix per group; `None`: one over every document.
    pub by: Option<GroupBy>,
    /// Per group (the empty name without `--by`), its counts.
    pub matrices: BTreeMap<String, Matrix>,
    /// Documents added.
    pub documents: u64,
    /// The pair whose passages are listed (`--code A --code B`).
    pub pair: Option<(usize, usize)>,
    /// The passages behind that pair, in the order added.
    pub passages: Vec<PairPassage>,
}

impl Cooccur {
    /// Counts of the codes of `tree`, co-occurring by `proximity`, per group
    /// of `by` when given; `pair` (two code names) lists the passages
    /// behind that pair. A name not in the tree is an error.
    pub fn new(tree: CodeTree, proximity: Proximity, by: Option<GroupBy>, pair: &[String]) -> Result<Cooccur> {
        let pair = match pair {
            [] => None,
            [a, b] => {
                let (a, b) = (find_code(&tree, a)?, find_code(&tree, b)?);
                if a == b || tree.within(a, b) || tree.within(b, a) {
                    return Err(Error::usage(format!(
                        "`{}` and `{}` are one code or a code and its sub-code, which always occur together",
                        tree.codes[a].name, tree.codes[b].name
                    ))
                    .hint("name two codes neither of which is under the other"));
                }
                Some((a.min(b), a.max(b)))
            }
            _ => {
                return Err(
                    Error::usage(format!("--code names a pair of codes, and {} were given", pair.len()))
                        .hint("give two codes: --code debt --code prices"),
                );
            }
        };
        Ok(Cooccur {
            tree,
            proximity,
            by,
            matrices: BTreeMap::new(),
            documents: 0,
            pair,
            passages: Vec::new(),
        })
    }

    /// Adds one document's codings (each one's code in the tree; see
    /// [`CodeTree::for_codings`]). An error when `--within` meets a coding
    /// without a segment number, or `--overlap` one without character
    /// offsets.
    pub fn add_document(
        &mut self,
        doc: &str,
        attributes: &IndexMap<String, String>,
        codings: &[&Coding],
    ) -> Result<()> {
        self.documents += 1;
        let units = self.units(doc, attributes, codings)?;
        match self.proximity {
            Proximity::Passage => self.count_passages(&units, 0),
            Proximity::Within(n) => self.count_passages(&units, n),
            Proximity::Overlap => self.count_quotations(&units),
        }
        Ok(())
    }

    /// Adds codings read back from coded CSVs, document by document in the
    /// order documents first appear.
    pub fn add_codings(&mut self, codings: &[Coding]) -> Result<()> {
        let mut documents: IndexMap<&str, Vec<&Coding>> = IndexMap::new();
        for c in codings {
            documents.entry(c.document.as_str()).or_default().push(c);
        }
        for (doc, rows) in &documents {
            self.add_document(doc, &rows[0].attributes, rows)?;
        }
        Ok(())
    }

    /// The document's passages (quotations, with `--overlap`), each with
    /// its codes rolled up to their ancestors.
    fn units<'c>(
        &self,
        doc: &str,
        attributes: &IndexMap<String, String>,
        codings: &[&'c Coding],
    ) -> Result<Vec<Unit<'c>>> {
        let mut index: HashMap<PassageKey, usize> = HashMap::new();
        let mut units: Vec<Unit> = Vec::new();
        for (row, &c) in codings.iter().enumerate() {
            let missing = match self.proximity {
                Proximity::Overlap if c.end_char <= c.start_char => Some((
                    "character offsets",
                    "--overlap compares stretches of text: give codings with `start_char` and `end_char` (as a \
                     REFI-QDA import writes them), or leave out --overlap",
                )),
                Proximity::Within(_) if c.segment == 0 => Some((
                    "segment number",
                    "--within counts passages by their segment numbers: give a coded CSV with a `segment` column \
                     (as `qcode code` writes it), or leave out --within",
                )),
                _ => None,
            };
            if let Some((what, hint)) = missing {
                return Err(
                    Error::new(format!("a coding of `{}` in {doc} has no {what}", c.code)).hint(hint.to_string())
                );
            }
            let key = match self.proximity {
                // A quotation is its stretch of text, whatever segment it
                // was given.
                Proximity::Overlap => PassageKey::Located {
                    segment: 0,
                    start_char: c.start_char,
                    end_char: c.end_char,
                },
                _ => c.passage_key(row),
            };
            let next = units.len();
            let at = *index.entry(key).or_insert(next);
            if at == next {
                units.push(Unit {
                    position: c.segment,
                    start: c.start_char,
                    end: c.end_char,
                    group: Freq::group_of(&self.by, doc, attributes, &c.speaker).to_string(),
                    codes: Vec::new(),
                    codings: Vec::new(),
                });
            }
            let code = self.tree.find(&c.code).expect("the coding's code is in the tree");
            units[at].codes.extend(self.tree.ancestry(code));
            units[at].codings.push(c);
        }
        for u in &mut units {
            u.codes.sort_unstable();
            u.codes.dedup();
        }
        units.sort_by_key(|u| (u.position, u.start, u.end));
        Ok(units)
    }

    fn related(&self, a: usize, b: usize) -> bool {
        self.tree.within(a, b) || self.tree.within(b, a)
    }

    fn matrix(&mut self, group: &str) -> &mut Matrix {
        let codes = self.tree.codes.len();
        self.matrices
            .entry(group.to_string())
            .or_insert_with(|| Matrix::new(codes))
    }

    /// Counts passages: codes in the same passage, and with `within` > 0
    /// codes in passages up to `within` apart.
    fn count_passages(&mut self, units: &[Unit], within: usize) {
        for (i, unit) in units.iter().enumerate() {
            // The codes of the passages near this one, itself included.
            let mut near: BTreeSet<usize> = BTreeSet::new();
            for other in units[..i].iter().rev() {
                if unit.position - other.position > within {
                    break;
                }
                near.extend(&other.codes);
            }
            for other in &units[i..] {
                if other.position - unit.position > within {
                    break;
                }
                near.extend(&other.codes);
            }
            let mut linked: BTreeSet<(usize, usize)> = BTreeSet::new();
            for &a in &unit.codes {
                for &b in &near {
                    if a != b && !self.related(a, b) {
                        linked.insert((a.min(b), a.max(b)));
                    }
                }
            }
            let listed = self.pair.is_some_and(|p| linked.contains(&p));
            let together: Vec<(usize, usize)> = pairs_of(&unit.codes).filter(|&(a, b)| !self.related(a, b)).collect();
            let m = self.matrix(&unit.group);
            for &a in &unit.codes {
                m.applied[a] += 1;
                m.extent[a] += 1;
            }
            for p in together {
                m.pairs.entry(p).or_default().shared += 1;
            }
            for p in linked {
                m.pairs.entry(p).or_default().together += 1;
            }
            if listed {
                self.passages.push(pair_passage(unit));
            }
        }
    }

    /// Counts overlapping quotations, within each group.
    fn count_quotations(&mut self, units: &[Unit]) {
        let mut groups: BTreeMap<&str, Vec<&Unit>> = BTreeMap::new();
        for u in units {
            groups.entry(u.group.as_str()).or_default().push(u);
        }
        for (group, quotations) in groups {
            // Each code's quotations, in order of their start.
            let mut of_code: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
            for q in &quotations {
                for &c in &q.codes {
                    of_code.entry(c).or_default().push((q.start, q.end));
                }
            }
            let codes: Vec<usize> = of_code.keys().copied().collect();
            let merged: BTreeMap<usize, Vec<(usize, usize)>> =
                of_code.iter().map(|(&c, spans)| (c, merge(spans))).collect();
            let mut counts: Vec<((usize, usize), PairCounts)> = Vec::new();
            for (i, &a) in codes.iter().enumerate() {
                for &b in &codes[i + 1..] {
                    if self.related(a, b) {
                        continue;
                    }
                    let together = overlapping_pairs(&of_code[&a], &of_code[&b]);
                    if together > 0 {
                        let shared = intersection(&merged[&a], &merged[&b]);
                        counts.push(((a, b), PairCounts { together, shared }));
                    }
                }
            }
            if let Some((a, b)) = self.pair {
                let overlaps = |q: &Unit, other: usize| {
                    of_code
                        .get(&other)
                        .is_some_and(|spans| spans.iter().any(|&(s, e)| s < q.end && q.start < e))
                };
                for q in &quotations {
                    let has = |c: usize| q.codes.contains(&c);
                    if (has(a) && overlaps(q, b)) || (has(b) && overlaps(q, a)) {
                        self.passages.push(pair_passage(q));
                    }
                }
            }
            let m = self.matrix(group);
            for (c, spans) in &of_code {
                m.applied[*c] += spans.len() as u64;
                m.extent[*c] += merged[c].iter().map(|(s, e)| (e - s) as u64).sum::<u64>();
            }
            for (p, counts) in counts {
                let cell = m.pairs.entry(p).or_default();
                cell.together += counts.together;
                cell.shared += counts.shared;
            }
        }
    }

    /// Jaccard's index of a pair in a matrix.
    pub fn jaccard(&self, m: &Matrix, a: usize, b: usize) -> Coef {
        let p = m.pair(a, b);
        match self.proximity {
            Proximity::Passage | Proximity::Overlap => jaccard(m.extent[a], m.extent[b], p.shared),
            Proximity::Within(_) => share_of_union(p.together, m.applied[a], m.applied[b], p.shared),
        }
    }

    /// ATLAS.ti's c-coefficient of a pair in a matrix; `None` with
    /// `--within`, where co-occurrences are not quotations.
    pub fn c(&self, m: &Matrix, a: usize, b: usize) -> Option<Coef> {
        match self.proximity {
            Proximity::Within(_) => None,
            _ => Some(c_coefficient(m.applied[a], m.applied[b], m.pair(a, b).together)),
        }
    }

    /// The edges: every pair that occurs together, per group, in tree order.
    pub fn edges(&self) -> Vec<(&str, &Matrix, usize, usize)> {
        self.matrices
            .iter()
            .flat_map(|(g, m)| {
                m.pairs
                    .iter()
                    .filter(|(_, p)| p.together > 0)
                    .map(move |(&(a, b), _)| (g.as_str(), m, a, b))
            })
            .collect()
    }

    /// The matrix of every document: the only one without `--by`; with
    /// it, the groups' counts added up (each passage is in one group; the
    /// overlaps of quotations in different groups are not counted).
    pub fn overall(&self) -> Matrix {
        let mut all = Matrix::new(self.tree.codes.len());
        for m in self.matrices.values() {
            for c in 0..all.applied.len() {
                all.applied[c] += m.applied[c];
                all.extent[c] += m.extent[c];
            }
            for (p, counts) in &m.pairs {
                let cell = all.pairs.entry(*p).or_default();
                cell.together += counts.together;
                cell.shared += counts.shared;
            }
        }
        all
    }

    /// The matrix of every document as a table: a row and a column per
    /// code, each cell the passages coded with both codes; empty on the
    /// diagonal and for a code and its own sub-code, which are no pair.
    pub fn matrix_table(&self) -> Table {
        let all = self.overall();
        let codes = &self.tree.codes;
        let mut header = vec![("code".to_string(), Align::Left)];
        header.extend(codes.iter().map(|c| (c.name.clone(), Align::Right)));
        let mut t = Table::new(header);
        for (a, code) in codes.iter().enumerate() {
            let mut row = vec![format!("{}{}", "  ".repeat(code.depth), code.name)];
            row.extend((0..codes.len()).map(|b| {
                if a == b || self.related(a, b) {
                    String::new()
                } else {
                    all.pair(a, b).together.to_string()
                }
            }));
            t.push(row);
        }
        t
    }

    fn group_field(&self) -> Option<String> {
        self.by.as_ref().map(|by| by.name().into_owned())
    }

    /// The graph of codes and their co-occurrences as GraphML: a node per
    /// code (its label, parent and passages), an edge per pair (and group)
    /// that occurs together, weighted by its count.
    pub fn graphml(&self) -> Vec<u8> {
        let mut w = XmlWriter::new();
        w.open(
            "graphml",
            &[
                ("xmlns", "http://graphml.graphdrawing.org/xmlns"),
                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                (
                    "xsi:schemaLocation",
                    "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
                ),
            ],
        );
        let keys: &[(&str, &str, &str, &str)] = &[
            ("label", "node", "label", "string"),
            ("parent", "node", "parent", "string"),
            ("passages", "node", "passages", "long"),
            ("weight", "edge", "weight", "long"),
            ("jaccard", "edge", "jaccard", "double"),
            ("c", "edge", "c", "double"),
            ("group", "edge", "group", "string"),
        ];
        for (id, on, name, kind) in keys {
            w.empty(
                "key",
                &[("id", id), ("for", on), ("attr.name", name), ("attr.type", kind)],
            );
        }
        w.open("graph", &[("id", "cooccurrence"), ("edgedefault", "undirected")]);
        let all = self.overall();
        for (i, code) in self.tree.codes.iter().enumerate() {
            w.open("node", &[("id", &code.name)]);
            data(&mut w, "label", &code.label);
            if let Some(p) = code.parent {
                data(&mut w, "parent", &self.tree.codes[p].name);
            }
            data(&mut w, "passages", &all.applied[i].to_string());
            w.close("node");
        }
        for (n, (group, m, a, b)) in self.edges().into_iter().enumerate() {
            let id = format!("e{n}");
            let (source, target) = (&self.tree.codes[a].name, &self.tree.codes[b].name);
            w.open("edge", &[("id", &id), ("source", source), ("target", target)]);
            data(&mut w, "weight", &m.pair(a, b).together.to_string());
            if let Some(j) = self.jaccard(m, a, b).value() {
                data(&mut w, "jaccard", &j.to_string());
            }
            if let Some(c) = self.c(m, a, b).and_then(Coef::value) {
                data(&mut w, "c", &c.to_string());
            }
            if self.by.is_some() {
                data(&mut w, "group", group);
            }
            w.close("edge");
        }
        w.close("graph");
        w.close("graphml");
        w.finish()
    }

    fn edge_records(&self) -> Records {
        let mut fields: Vec<String> = self.group_field().into_iter().collect();
        fields.extend(["code_a", "code_b", "segments", "jaccard", "c"].map(String::from));
        let rows = self
            .edges()
            .into_iter()
            .map(|(group, m, a, b)| {
                let mut row: Vec<Field> = Vec::new();
                if self.by.is_some() {
                    row.push(Field::Text(Some(group.to_string())));
                }
                row.push(Field::Text(Some(self.tree.codes[a].name.clone())));
                row.push(Field::Text(Some(self.tree.codes[b].name.clone())));
                row.push(Field::Int(m.pair(a, b).together));
                row.push(Field::Num(self.jaccard(m, a, b).value()));
                row.push(Field::Num(self.c(m, a, b).and_then(Coef::value)));
                row
            })
            .collect();
        Records { fields, rows }
    }

    fn passage_records(&self) -> Records {
        const FIELDS: &[&str] = &[
            "document",
            "segment",
            "start_line",
            "end_line",
            "start_char",
            "end_char",
            "speaker",
            "codes",
            "text",
        ];
        Records {
            fields: FIELDS.iter().map(|f| f.to_string()).collect(),
            rows: self
                .passages
                .iter()
                .map(|p| {
                    vec![
                        Field::Text(Some(p.document.clone())),
                        Field::Int(p.segment as u64),
                        Field::Int(p.start_line as u64),
                        Field::Int(p.end_line as u64),
                        Field::Int(p.start_char as u64),
                        Field::Int(p.end_char as u64),
                        Field::Text(Some(p.speaker.clone())),
                        Field::List(p.codes.clone()),
                        Field::Text(Some(p.text.clone())),
                    ]
                })
                .collect(),
        }
    }

    /// The codes' counts over every document, for JSON.
    fn code_counts(&self) -> serde_json::Value {
        let all = self.overall();
        let unit = if self.proximity == Proximity::Overlap {
            "quotations"
        } else {
            "passages"
        };
        serde_json::Value::Array(
            self.tree
                .codes
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let mut o = serde_json::Map::new();
                    o.insert("code".into(), c.name.clone().into());
                    o.insert("label".into(), c.label.clone().into());
                    o.insert(
                        "parent".into(),
                        c.parent.map(|p| self.tree.codes[p].name.clone()).into(),
                    );
                    o.insert(unit.into(), all.applied[i].into());
                    serde_json::Value::Object(o)
                })
                .collect(),
        )
    }
}

impl Report for Cooccur {
    fn summary(&self, _style: Style) -> Vec<String> {
        let mut lines = vec![format!(
            "{}; codes counted together {}",
            counted(self.documents, "document"),
            self.proximity.phrase()
        )];
        if let Some((a, b)) = self.pair {
            lines.push(format!(
                "the {} behind {} and {}",
                counted(self.passages.len(), "passage"),
                self.tree.codes[a].name,
                self.tree.codes[b].name
            ));
        }
        lines
    }

    fn table(&self, notes: &mut Footnotes, _style: Style) -> Option<Table> {
        if self.pair.is_some() {
            let mut t = Table::new(
                ["document", "lines", "speaker", "codes", "text"]
                    .map(|h| (h.to_string(), Align::Left))
                    .to_vec(),
            );
            for p in &self.passages {
                t.push(vec![
                    p.document.clone(),
                    super::line_range(p.start_line, p.end_line),
                    p.speaker.clone(),
                    p.codes.join(", "),
                    p.text.clone(),
                ]);
            }
            return Some(t);
        }
        let mut header: Vec<(String, Align)> = self
            .group_field()
            .map(|g| (g.to_string(), Align::Left))
            .into_iter()
            .collect();
        header.extend([("code_a", Align::Left), ("code_b", Align::Left)].map(|(h, a)| (h.to_string(), a)));
        header.extend(["segments", "jaccard", "c"].map(|h| (h.to_string(), Align::Right)));
        let mut t = Table::new(header);
        for (group, m, a, b) in self.edges() {
            let mut row: Vec<String> = self.by.as_ref().map(|_| group.to_string()).into_iter().collect();
            row.push(self.tree.codes[a].name.clone());
            row.push(self.tree.codes[b].name.clone());
            row.push(m.pair(a, b).together.to_string());
            row.push(notes.coef(self.jaccard(m, a, b)));
            row.push(match self.c(m, a, b) {
                Some(c) => notes.coef(c),
                None => "—".to_string(),
            });
            t.push(row);
        }
        Some(t)
    }

    fn legend(&self) -> Vec<String> {
        if self.pair.is_some() {
            return Vec::new();
        }
        let segments = match self.proximity {
            Proximity::Passage => "segments: passages coded with both codes (a parent counts its sub-codes' passages; \
                                   a code and its own sub-code are no pair)"
                .to_string(),
            Proximity::Within(n) => format!(
                "segments: passages coded with either code that have the other in them or within {} before or after",
                counted(n, "passage")
            ),
            Proximity::Overlap => "segments: pairs of overlapping quotations, one of each code".to_string(),
        };
        let jaccard = match self.proximity {
            Proximity::Overlap => "jaccard: characters coded with both codes / characters coded with either",
            Proximity::Passage | Proximity::Within(_) => "jaccard: segments / passages coded with either code",
        };
        let c = match self.proximity {
            Proximity::Within(_) => {
                "c: ATLAS.ti's c-coefficient counts overlapping quotations, so it is not given with --within"
            }
            Proximity::Passage => {
                "c: ATLAS.ti's c-coefficient, n12 / (n1 + n2 − n12) with n1, n2 the codes' passages and n12 the \
                 segments: the same as jaccard when every passage is one unit"
            }
            Proximity::Overlap => {
                "c: ATLAS.ti's c-coefficient, n12 / (n1 + n2 − n12) with n1, n2 the codes' quotations and n12 the \
                 segments (above 1 when a quotation overlaps several of the other code)"
            }
        };
        vec![segments, jaccard.to_string(), c.to_string()]
    }

    fn records(&self) -> Records {
        if self.pair.is_some() {
            self.passage_records()
        } else {
            self.edge_records()
        }
    }

    fn sheets(&self) -> Vec<Sheet> {
        let name = if self.pair.is_some() {
            "passages"
        } else {
            "cooccurrence"
        };
        vec![Sheet::new(name, self.records())]
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        let (within, overlap) = match self.proximity {
            Proximity::Passage => (None, false),
            Proximity::Within(n) => (Some(n), false),
            Proximity::Overlap => (None, true),
        };
        let mut json = JsonObject::new()
            .value("provenance", provenance)
            .value("documents", self.documents)
            .value("within", within)
            .value("overlap", overlap)
            .value("by", self.group_field());
        json = match self.pair {
            Some((a, b)) => json
                .value("pair", [&self.tree.codes[a].name, &self.tree.codes[b].name])
                .value("passages", &self.passages),
            None => json.entry("codes".to_string(), self.code_counts()).entry(
                "pairs".to_string(),
                serde_json::to_value(self.edge_records()).expect("records serialise"),
            ),
        };
        json.value("warnings", warnings)
    }
}

/// Writes a `<data>` element.
fn data(w: &mut XmlWriter, key: &str, value: &str) {
    w.open("data", &[("key", key)]);
    w.text(value);
    w.close("data");
}

/// The index of a code given by name.
fn find_code(tree: &CodeTree, name: &str) -> Result<usize> {
    let name = name.trim();
    tree.find(name).ok_or_else(|| {
        let names: Vec<&str> = tree.codes.iter().map(|c| c.name.as_str()).collect();
        let e = Error::usage(format!("there is no code `{name}`"));
        match crate::text::closest(name, names.iter().copied()) {
            Some(best) => e.hint(format!("did you mean `{best}`?")),
            None => e.hint(format!("the codes are: {}", names.join(", "))),
        }
    })
}

/// Every pair `(a, b)`, `a < b`, of sorted distinct codes.
fn pairs_of(codes: &[usize]) -> impl Iterator<Item = (usize, usize)> + '_ {
    codes
        .iter()
        .enumerate()
        .flat_map(move |(i, &a)| codes[i + 1..].iter().map(move |&b| (a, b)))
}

fn pair_passage(unit: &Unit) -> PairPassage {
    let first = unit.codings[0];
    let mut codes: Vec<String> = Vec::new();
    for c in &unit.codings {
        if !codes.contains(&c.code) {
            codes.push(c.code.clone());
        }
    }
    PairPassage {
        document: first.document.clone(),
        segment: first.segment,
        start_line: first.start_line,
        end_line: first.end_line,
        start_char: first.start_char,
        end_char: first.end_char,
        speaker: first.speaker.clone(),
        codes,
        text: first.text.clone(),
    }
}

/// Stretches sorted by start, merged where they overlap or touch.
fn merge(spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut sorted = spans.to_vec();
    sorted.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(sorted.len());
    for (s, e) in sorted {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Characters two lists of merged stretches share.
fn intersection(a: &[(usize, usize)], b: &[(usize, usize)]) -> u64 {
    let (mut i, mut j, mut shared) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        let (s, e) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
        if s < e {
            shared += (e - s) as u64;
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    shared
}

/// Pairs of one stretch of `a` and one of `b` (each sorted by start) that
/// share a character.
fn overlapping_pairs(a: &[(usize, usize)], b: &[(usize, usize)]) -> u64 {
    let mut pairs = 0;
    for &(s, e) in a {
        // Stretches of b starting at or after e cannot overlap.
        let candidates = b.partition_point(|&(bs, _)| bs < e);
        pairs += b[..candidates].iter().filter(|&&(_, be)| be > s).count() as u64;
    }
    pairs
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn tree() -> CodeTree {
        let mut t = CodeTree::default();
        for c in ["debt", "debt/lenders", "debt/mortgage", "prices", "routes"] {
            t.resolve(c);
        }
        t
    }

    fn coding(segment: usize, code: &str, speaker: &str) -> Coding {
        Coding {
            document: "a".into(),
            segment,
            unit: "paragraph".into(),
            start_line: segment,
            end_line: segment,
            start_char: segment * 10,
            end_char: segment * 10 + 9,
            speaker: speaker.into(),
            code: code.into(),
            code_path: String::new(),
            coder: "ana".into(),
            hits: 1,
            matched: Vec::new(),
            text: format!("passage {segment}"),
            start_time: String::new(),
            end_time: String::new(),
            spans: Vec::new(),
            extracted: Vec::new(),
            attributes: Arc::new(IndexMap::new()),
        }
    }

    fn counts(c: &Cooccur, a: &str, b: &str) -> u64 {
        let m = &c.matrices[""];
        m.pair(c.tree.find(a).unwrap(), c.tree.find(b).unwrap()).together
    }

    /// Five passages, by hand:
    ///   1: lenders, prices    2: mortgage    3: prices, routes
    ///   4: lenders, mortgage, prices        6: routes
    /// debt (rolled up) is on 1, 2, 4; prices on 1, 3, 4; routes on 3, 6.
    fn sample() -> Vec<Coding> {
        [
            (1, "lenders"),
            (1, "prices"),
            (2, "mortgage"),
            (3, "prices"),
            (3, "routes"),
            (4, "lenders"),
            (4, "mortgage"),
            (4, "prices"),
            (6, "routes"),
        ]
        .into_iter()
        .map(|(s, c)| coding(s, c, "P1"))
        .collect()
    }

    #[test]
    fn the_same_passage_with_parents_counting_their_sub_codes() {
        let mut c = Cooccur::new(tree(), Proximity::Passage, None, &[]).unwrap();
        c.add_codings(&sample()).unwrap();
        // The hand-computed matrix (passages coded with both).
        for (a, b, n) in [
            ("debt", "prices", 2),
            ("lenders", "prices", 2),
            ("mortgage", "prices", 1),
            ("lenders", "mortgage", 1),
            ("prices", "routes", 1),
            ("debt", "routes", 0),
            ("lenders", "routes", 0),
        ] {
            assert_eq!(counts(&c, a, b), n, "{a} × {b}");
        }
        // A parent and its sub-code are no pair.
        assert_eq!(counts(&c, "debt", "lenders"), 0);
        let m = &c.matrices[""];
        let (debt, prices) = (c.tree.find("debt").unwrap(), c.tree.find("prices").unwrap());
        assert_eq!((m.applied[debt], m.applied[prices]), (3, 3));
        // 2 / (3 + 3 − 2), both ways.
        assert_eq!(c.jaccard(m, debt, prices), Coef::Value(0.5));
        assert_eq!(c.c(m, debt, prices), Some(Coef::Value(0.5)));
        let records = c.records();
        assert_eq!(records.fields, ["code_a", "code_b", "segments", "jaccard", "c"]);
        let first: Vec<String> = records.rows[0]
            .iter()
            .map(|f| serde_json::to_string(f).unwrap())
            .collect();
        assert_eq!(first, ["\"debt\"", "\"prices\"", "2", "0.5", "0.5"]);
    }

    #[test]
    fn within_n_passages_links_neighbours() {
        let mut c = Cooccur::new(tree(), Proximity::Within(1), None, &[]).unwrap();
        c.add_codings(&sample()).unwrap();
        // debt on 1, 2, 4; routes on 3, 6: debt 2 (routes on 3), debt 4
        // (routes on 3), routes 3 (debt on 2 and 4); 6 has nothing near.
        assert_eq!(counts(&c, "debt", "routes"), 3);
        // mortgage on 2, 4; prices on 1, 3, 4: each of the 4 passages of
        // either code has the other in it or next to it.
        assert_eq!(counts(&c, "mortgage", "prices"), 4);
        let m = &c.matrices[""];
        let (debt, routes) = (c.tree.find("debt").unwrap(), c.tree.find("routes").unwrap());
        // 3 of the 5 passages of either code.
        assert_eq!(c.jaccard(m, debt, routes), Coef::Value(0.6));
        assert_eq!(c.c(m, debt, routes), None);
        // Passage 6 is two away from 4: linked within 2.
        let mut wide = Cooccur::new(tree(), Proximity::Within(2), None, &[]).unwrap();
        wide.add_codings(&sample()).unwrap();
        assert_eq!(counts(&wide, "debt", "routes"), 5);
    }

    #[test]
    fn overlapping_quotations_count_in_pairs() {
        let span = |start, end, code: &str| Coding {
            segment: 0,
            start_char: start,
            end_char: end,
            ..coding(0, code, "")
        };
        let codings = [
            span(0, 10, "prices"),
            span(5, 15, "routes"),
            span(8, 20, "routes"),
            span(30, 40, "prices"),
            span(30, 40, "lenders"),
        ];
        let mut c = Cooccur::new(tree(), Proximity::Overlap, None, &[]).unwrap();
        c.add_codings(&codings).unwrap();
        // prices [0,10) overlaps both routes quotations.
        assert_eq!(counts(&c, "prices", "routes"), 2);
        assert_eq!(counts(&c, "lenders", "prices"), 1);
        let m = &c.matrices[""];
        let (prices, routes) = (c.tree.find("prices").unwrap(), c.tree.find("routes").unwrap());
        // c = 2 / (2 + 2 − 2); characters: both [5,10) = 5 of prices 20 +
        // routes 15 − 5.
        assert_eq!(c.c(m, prices, routes), Some(Coef::Value(1.0)));
        assert_eq!(c.jaccard(m, prices, routes), Coef::Value(5.0 / 30.0));
        assert_eq!((m.applied[prices], m.extent[prices]), (2, 20));
    }

    #[test]
    fn by_group_and_the_passages_behind_a_pair() {
        let mut codings = sample();
        codings[3].speaker = "P2".into();
        codings[4].speaker = "P2".into();
        let mut c = Cooccur::new(
            tree(),
            Proximity::Passage,
            Some(GroupBy::Speaker),
            &["routes".into(), "prices".into()],
        )
        .unwrap();
        c.add_codings(&codings).unwrap();
        let (prices, routes) = (c.tree.find("prices").unwrap(), c.tree.find("routes").unwrap());
        assert_eq!(c.matrices["P2"].pair(prices, routes).together, 1);
        assert_eq!(c.matrices["P1"].pair(prices, routes).together, 0);
        assert_eq!(c.passages.len(), 1);
        assert_eq!(c.passages[0].segment, 3);
        assert_eq!(c.passages[0].codes, ["prices", "routes"]);
        assert!(Cooccur::new(tree(), Proximity::Passage, None, &["debt".into(), "lenders".into()]).is_err());
        assert!(Cooccur::new(tree(), Proximity::Passage, None, &["debt".into()]).is_err());
        let e = Cooccur::new(tree(), Proximity::Passage, None, &["debt".into(), "prises".into()]).unwrap_err();
        assert!(e.to_string().contains("did you mean `prices`"), "{e}");
    }

    #[test]
    fn missing_positions_are_errors() {
        let mut no_offsets = coding(1, "prices", "");
        no_offsets.end_char = 0;
        no_offsets.start_char = 0;
        let mut c = Cooccur::new(tree(), Proximity::Overlap, None, &[]).unwrap();
        assert!(c.add_codings(&[no_offsets]).is_err());
        let mut c = Cooccur::new(tree(), Proximity::Within(1), None, &[]).unwrap();
        assert!(c.add_codings(&[coding(0, "prices", "")]).is_err());
    }

    #[test]
    fn graphml_lists_codes_and_weighted_edges() {
        let mut c = Cooccur::new(tree(), Proximity::Passage, None, &[]).unwrap();
        c.add_codings(&sample()).unwrap();
        let xml = String::from_utf8(c.graphml()).unwrap();
        assert!(xml.contains(r#"<node id="lenders">"#), "{xml}");
        assert!(xml.contains(r#"<edge id="e0" source="debt" target="prices">"#), "{xml}");
        assert!(xml.contains(r#"<data key="weight">2</data>"#), "{xml}");
        assert_eq!(xml.matches("<edge ").count(), c.edges().len());
    }
}
