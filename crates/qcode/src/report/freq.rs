//! Frequency tables and crosstabs.
//!
//! Counts are *rolled up*: a parent code counts every segment coded with it
//! or with any of its descendants, once per segment (a segment coded with
//! two children counts once for the parent). Hits add up.

use std::borrow::Cow;
use std::collections::BTreeMap;

use indexmap::{IndexMap, IndexSet};
use serde::Serialize;

use std::collections::HashMap;

use super::xlsx::Sheet;
use super::{Align, CodeTree, Field, Footnotes, JsonObject, Provenance, Records, Report, Style, Table, counted};
use crate::choice::Choice;
use crate::codebook::People;
use crate::coding::{Coding, PassageKey};
use crate::dates::{DateGrouping, Periods};
use crate::error::{Error, Result};
use crate::pipeline::CodedDocument;
use crate::transcripts::Transcripts;

/// What a crosstab's columns are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// A document attribute, by name.
    Attribute(String),
    /// The speaker of each segment.
    Speaker,
    /// The role of each segment's speaker, as the codebook's `roles:` give
    /// them.
    Role(People),
    /// The document.
    Document,
    /// A date attribute's month, quarter, year or named period.
    Date(DateGrouping),
}

impl GroupBy {
    /// The grouping `--by` names: `speaker` and `document` are reserved,
    /// `role` is the speakers' roles when `people` (the codebook's) gives
    /// roles, `ATTRIBUTE:month|quarter|year|period` and `period` group a
    /// date attribute (periods from `periods`), any other name is an
    /// attribute (so an attribute called `speaker` or `document` cannot be
    /// grouped by, nor one called `role` with a codebook that gives roles).
    pub fn parse(s: &str, people: Option<&People>, periods: Option<&Periods>) -> Result<GroupBy> {
        if let Some(dates) = DateGrouping::parse(s, periods)? {
            return Ok(GroupBy::Date(dates));
        }
        Ok(match s {
            "speaker" => GroupBy::Speaker,
            "document" => GroupBy::Document,
            "role" if people.is_some_and(People::has_roles) => {
                GroupBy::Role(people.cloned().expect("roles were given"))
            }
            other => GroupBy::Attribute(other.to_string()),
        })
    }

    /// The grouping's name, as `--by` takes it.
    pub fn name(&self) -> Cow<'_, str> {
        match self {
            GroupBy::Attribute(a) => Cow::Borrowed(a),
            GroupBy::Speaker => Cow::Borrowed("speaker"),
            GroupBy::Role(_) => Cow::Borrowed("role"),
            GroupBy::Document => Cow::Borrowed("document"),
            GroupBy::Date(d) => Cow::Owned(d.name()),
        }
    }

    /// The group of a passage of document `doc` (with `attributes`) said
    /// by `speaker` (empty: nobody); [`NONE`] when it has no value.
    pub fn group_of<'a>(
        &'a self,
        doc: &'a str,
        attributes: &'a IndexMap<String, String>,
        speaker: &'a str,
    ) -> Cow<'a, str> {
        let v = match self {
            GroupBy::Document => doc,
            GroupBy::Speaker => speaker,
            GroupBy::Role(people) => people.role_of(speaker).unwrap_or(""),
            GroupBy::Attribute(a) => attributes.get(a).map_or("", String::as_str),
            GroupBy::Date(d) => return Cow::Owned(d.group(attributes.get(&d.attribute).map(String::as_str))),
        };
        Cow::Borrowed(if v.is_empty() { NONE } else { v })
    }

    /// Sorts group names as columns: dates in time order and periods in
    /// the order declared, others alphabetically; the groups without a
    /// value last.
    pub fn sort_groups(&self, groups: &mut [String]) {
        match self {
            GroupBy::Date(d) => d.sort(groups),
            _ => groups.sort_by(|a, b| (a == NONE, a).cmp(&(b == NONE, b))),
        }
    }

    /// The attribute a grouping reads, if it reads one.
    pub fn attribute(&self) -> Option<&str> {
        match self {
            GroupBy::Attribute(a) => Some(a),
            GroupBy::Date(d) => Some(&d.attribute),
            _ => None,
        }
    }
}

/// What a crosstab's cells count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Count {
    /// Coded segments, each counted once.
    Segments,
    /// Documents in which the code was applied.
    Documents,
    /// Hits (matches of the code's rules), added up.
    Hits,
}

impl Choice for Count {
    const ALL: &'static [Count] = &[Count::Segments, Count::Documents, Count::Hits];

    fn name(self) -> &'static str {
        match self {
            Count::Segments => "segments",
            Count::Documents => "documents",
            Count::Hits => "hits",
        }
    }
}

/// What a crosstab's percentages are of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Percent {
    /// Of the code's total: how its passages spread over the groups.
    Row,
    /// Of the group's size (all its segments, or documents): how common
    /// the code is in each group.
    Column,
    /// Of all segments (or documents).
    Total,
}

impl Choice for Percent {
    const ALL: &'static [Percent] = &[Percent::Row, Percent::Column, Percent::Total];

    fn name(self) -> &'static str {
        match self {
            Percent::Row => "row",
            Percent::Column => "column",
            Percent::Total => "total",
        }
    }

    fn help(self) -> Option<&'static str> {
        Some(match self {
            Percent::Row => "Of the code's total: how its passages spread over the groups",
            Percent::Column => "Of the group's segments (or documents): how common the code is in each group",
            Percent::Total => "Of all segments (or documents)",
        })
    }
}

/// The label of the row of passages coded with any code.
pub const ANY_CODE: &str = "(any code)";

/// The value shown for a missing attribute or speaker.
pub const NONE: &str = "(none)";

/// The counts of one code, overall or in one group; in
/// [`Freq::group_sizes`], the size of a group instead (all its documents
/// and segments, hits 0).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Segments, each counted once.
    pub segments: u64,
    /// Documents.
    pub documents: u64,
    /// Hits, added up.
    pub hits: u64,
}

impl Counts {
    fn get(&self, c: Count) -> u64 {
        match c {
            Count::Segments => self.segments,
            Count::Documents => self.documents,
            Count::Hits => self.hits,
        }
    }
}

/// One coded segment as the frequency table sees it.
#[derive(Debug, Clone)]
pub struct CodedSegment<'a> {
    /// Distinguishes segments within a document.
    pub key: usize,
    /// Who speaks in it (empty: unknown).
    pub speaker: &'a str,
    /// Index in the [`CodeTree`].
    pub code: usize,
    /// Hits of the code in the segment (matches of its rules).
    pub hits: u64,
}

/// Accumulates counts document by document.
#[derive(Debug)]
pub struct Freq {
    /// The codes counted: the rows, in its order.
    pub tree: CodeTree,
    /// A crosstab's columns; `None`: a plain frequency table.
    pub by: Option<GroupBy>,
    /// What a crosstab's cells count.
    pub count: Count,
    /// Documents added.
    pub documents: u64,
    /// Known only when the transcripts were segmented in this run.
    pub segments: Option<u64>,
    /// Per code (tree index), counts over all documents, rolled up.
    pub totals: Vec<Counts>,
    /// Per code, per group value.
    pub groups: Vec<BTreeMap<String, Counts>>,
    /// Per group value: documents and (when known) segments.
    pub group_sizes: BTreeMap<String, Counts>,
    /// Passages coded with any code: over all documents, and per group.
    pub any_code: Counts,
    /// See `any_code`.
    pub any_code_groups: BTreeMap<String, Counts>,
    /// How a crosstab's cells are shown: counts, or percentages of what.
    pub percent: Option<Percent>,
    /// Every attribute name of the documents added, for messages.
    pub attribute_names: IndexSet<String>,
}

impl Freq {
    /// Counts of the codes of `tree`, by `by` if given, a crosstab's cells
    /// counting `count`. `segments_known`: the transcripts are segmented in
    /// this run, so every segment is known, coded or not.
    pub fn new(tree: CodeTree, by: Option<GroupBy>, count: Count, segments_known: bool) -> Freq {
        let n = tree.codes.len();
        Freq {
            tree,
            by,
            count,
            documents: 0,
            segments: segments_known.then_some(0),
            totals: vec![Counts::default(); n],
            groups: vec![BTreeMap::new(); n],
            group_sizes: BTreeMap::new(),
            any_code: Counts::default(),
            any_code_groups: BTreeMap::new(),
            percent: None,
            attribute_names: IndexSet::new(),
        }
    }

    /// The group of a segment of `doc` said by `speaker` (empty: nobody);
    /// empty without a grouping.
    pub(crate) fn group_of<'a>(
        by: &'a Option<GroupBy>,
        doc: &'a str,
        attributes: &'a IndexMap<String, String>,
        speaker: &'a str,
    ) -> Cow<'a, str> {
        match by {
            None => Cow::Borrowed(""),
            Some(by) => by.group_of(doc, attributes, speaker),
        }
    }

    /// Adds one document: its attributes, the speakers of all its segments
    /// (when known, for group sizes) and its coded segments.
    pub fn add_document(
        &mut self,
        doc: &str,
        attributes: &IndexMap<String, String>,
        all_segments: Option<&[&str]>,
        coded: &[CodedSegment],
    ) {
        self.documents += 1;
        for name in attributes.keys() {
            if !self.attribute_names.contains(name) {
                self.attribute_names.insert(name.clone());
            }
        }
        if let (Some(total), Some(all)) = (self.segments.as_mut(), all_segments) {
            *total += all.len() as u64;
        }
        // Group sizes: documents per group, and segments where known. Only a
        // crosstab by speaker or role has more than one group in a document.
        if matches!(self.by, Some(GroupBy::Speaker | GroupBy::Role(_))) {
            // Without the transcripts, a document's speakers are unknown.
            let mut groups: Vec<Cow<str>> = all_segments
                .unwrap_or_default()
                .iter()
                .map(|speaker| Self::group_of(&self.by, doc, attributes, speaker))
                .collect();
            groups.sort_unstable();
            for same in groups.chunk_by(|a, b| a == b) {
                let size = group_entry(&mut self.group_sizes, &same[0]);
                size.segments += same.len() as u64;
                size.documents += 1;
            }
        } else {
            let g = Self::group_of(&self.by, doc, attributes, "");
            let size = group_entry(&mut self.group_sizes, &g);
            size.segments += all_segments.map_or(0, |all| all.len() as u64);
            size.documents += 1;
        }
        // Roll each coding up to its ancestors, bucketed by code (a counting
        // sort: codes are few, codings many).
        let n = self.tree.codes.len();
        let mut starts = vec![0; n + 1];
        for c in coded {
            for code in self.tree.ancestry(c.code) {
                starts[code + 1] += 1;
            }
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut rolled: Vec<(usize, u64, &str)> = vec![(0, 0, ""); starts[n]];
        let mut next = starts.clone();
        for c in coded {
            for code in self.tree.ancestry(c.code) {
                rolled[next[code]] = (c.key, c.hits, c.speaker);
                next[code] += 1;
            }
        }
        // Count each code once per segment. Transcripts give codings in
        // segment order, so the (stable) sort by key only checks that.
        for code in 0..n {
            let bucket = &mut rolled[starts[code]..starts[code + 1]];
            if bucket.is_empty() {
                continue;
            }
            bucket.sort_by_key(|r| r.0);
            let mut groups_seen: Vec<Cow<str>> = Vec::new();
            for segment in bucket.chunk_by(|a, b| a.0 == b.0) {
                let hits: u64 = segment.iter().map(|r| r.1).sum();
                self.totals[code].segments += 1;
                self.totals[code].hits += hits;
                if self.by.is_some() {
                    let g = Self::group_of(&self.by, doc, attributes, segment[0].2);
                    let cell = group_entry(&mut self.groups[code], &g);
                    cell.segments += 1;
                    cell.hits += hits;
                    if !groups_seen.contains(&g) {
                        cell.documents += 1;
                        groups_seen.push(g);
                    }
                }
            }
            self.totals[code].documents += 1;
        }
        // Passages with any code, once each, as a root above every code.
        let mut any: Vec<(usize, u64, &str)> = coded.iter().map(|c| (c.key, c.hits, c.speaker)).collect();
        if any.is_empty() {
            return;
        }
        any.sort_by_key(|r| r.0);
        let mut groups_seen: Vec<Cow<str>> = Vec::new();
        for segment in any.chunk_by(|a, b| a.0 == b.0) {
            let hits: u64 = segment.iter().map(|r| r.1).sum();
            self.any_code.segments += 1;
            self.any_code.hits += hits;
            if self.by.is_some() {
                let g = Self::group_of(&self.by, doc, attributes, segment[0].2);
                let cell = group_entry(&mut self.any_code_groups, &g);
                cell.segments += 1;
                cell.hits += hits;
                if !groups_seen.contains(&g) {
                    cell.documents += 1;
                    groups_seen.push(g);
                }
            }
        }
        self.any_code.documents += 1;
    }

    /// Adds a document coded in this run, every segment of it known.
    pub fn add_coded(&mut self, coded: &CodedDocument) {
        let speakers: Vec<&str> = coded
            .segments
            .iter()
            .map(|s| s.speaker.as_deref().unwrap_or(""))
            .collect();
        let segments: Vec<CodedSegment> = coded
            .applied
            .iter()
            .map(|a| CodedSegment {
                key: a.segment,
                speaker: speakers[a.segment],
                code: a.code,
                hits: a.hits as u64,
            })
            .collect();
        self.add_document(&coded.doc.id, &coded.doc.attributes, Some(&speakers), &segments);
    }

    /// Adds codings read back from coded CSVs. With the `transcripts` they
    /// were made from, every document and segment is known, coded or not
    /// (as when coding in this run); without them, only the documents and
    /// passages the codings name, in the order documents first appear. A
    /// passage is told apart by its segment number and offsets
    /// ([`Coding::passage_key`]). Every coding's code must be in the tree
    /// ([`CodeTree::for_codings`]); a coding of a document the transcripts
    /// lack is an error.
    pub fn add_codings(&mut self, codings: &[Coding], transcripts: Option<&Transcripts>) -> Result<()> {
        let mut documents: IndexMap<&str, Vec<&Coding>> = IndexMap::new();
        for c in codings {
            documents.entry(c.document.as_str()).or_default().push(c);
        }
        let Some(transcripts) = transcripts else {
            for (document, rows) in &documents {
                let segments = coded_segments(&self.tree, rows);
                self.add_document(document, &rows[0].attributes, None, &segments);
            }
            return Ok(());
        };
        let unknown: IndexSet<String> = documents
            .keys()
            .filter(|d| !transcripts.docs.contains_key(**d))
            .map(|d| d.to_string())
            .collect();
        if !unknown.is_empty() {
            return Err(crate::transcripts::unknown_documents(&unknown));
        }
        for (id, doc) in &transcripts.docs {
            let speakers: Vec<&str> = doc
                .segments
                .iter()
                .map(|s| s.speaker.as_deref().unwrap_or(""))
                .collect();
            let rows = documents.get(id.as_str()).map_or(&[][..], Vec::as_slice);
            let segments = coded_segments(&self.tree, rows);
            self.add_document(id, &doc.attributes, Some(&speakers), &segments);
        }
        Ok(())
    }

    /// Checks that the crosstab asked for can be shown: its attribute is on
    /// some document (else the closest attribute is suggested), and its
    /// percentages have their denominators.
    pub fn check(&self) -> Result<()> {
        if let Some(a) = self.by.as_ref().and_then(GroupBy::attribute)
            && self.group_values().iter().all(|v| v == NONE)
        {
            let names: Vec<&str> = self.attribute_names.iter().map(String::as_str).collect();
            let suggestion = crate::text::closest(a, names.iter().copied())
                .map(|best| format!("did you mean `--by {best}`? The"))
                .unwrap_or_else(|| "the".to_string());
            let hint = if names.is_empty() {
                "the documents have no attributes: give them in front matter or with --attributes FILE.csv, or use \
                 --by speaker / --by document"
                    .to_string()
            } else {
                format!(
                    "{suggestion} documents' attributes are: {}; or use --by speaker / --by document",
                    names.join(", ")
                )
            };
            return Err(Error::usage(format!("no document has the attribute `{a}`")).hint(hint));
        }
        match (self.percent, &self.by, self.count) {
            (None, _, _) => Ok(()),
            (Some(_), None, _) => Err(Error::usage("--percent applies to a crosstab")
                .hint("add --by ATTRIBUTE (or --by speaker, --by document)")),
            (Some(_), _, Count::Hits) => Err(Error::usage("--percent needs counts of segments or documents, not hits")
                .hint("drop --count hits, or --percent")),
            (Some(Percent::Column | Percent::Total), _, Count::Segments) if self.segments.is_none() => Err(
                Error::usage("a percentage of the segments needs every segment, coded or not, which a coded CSV alone does not list")
                    .hint("give the transcripts the coded CSV was made from with --transcripts, or use --percent row or --count documents"),
            ),
            _ => Ok(()),
        }
    }

    /// Group values in column order.
    pub fn group_values(&self) -> Vec<String> {
        let mut values: Vec<String> = self.group_sizes.keys().cloned().collect();
        for g in &self.groups {
            for k in g.keys() {
                if !values.contains(k) {
                    values.push(k.clone());
                }
            }
        }
        match &self.by {
            Some(by) => by.sort_groups(&mut values),
            None => values.sort(),
        }
        values
    }

    fn percent_documents(&self, code: usize) -> String {
        if self.documents == 0 {
            return "undefined (no documents)".to_string();
        }
        format!(
            "{:.1}",
            100.0 * self.totals[code].documents as f64 / self.documents as f64
        )
    }

    /// The frequency table or crosstab. `indent` shows depth in the code
    /// column (for the terminal and Markdown); CSV gets plain names.
    pub fn table(&self, count: Count, indent: Option<&str>) -> Table {
        let name = |i: usize| match indent {
            Some(pad) => format!("{}{}", pad.repeat(self.tree.codes[i].depth), self.tree.codes[i].name),
            None => self.tree.codes[i].name.clone(),
        };
        let mut header = vec![("code".to_string(), Align::Left)];
        if indent.is_none() {
            header.push(("parent".to_string(), Align::Left));
        }
        header.push(("label".to_string(), Align::Left));
        let with_parent = |row: &mut Vec<String>, i: usize| {
            if indent.is_none() {
                row.push(
                    self.tree.codes[i]
                        .parent
                        .map_or(String::new(), |p| self.tree.codes[p].name.clone()),
                );
            }
        };
        match &self.by {
            None => {
                for h in ["segments", "documents", "% documents", "hits"] {
                    header.push((h.to_string(), Align::Right));
                }
                let mut t = Table::new(header);
                for (i, code) in self.tree.codes.iter().enumerate() {
                    let c = &self.totals[i];
                    let mut row = vec![name(i)];
                    with_parent(&mut row, i);
                    row.push(code.label.clone());
                    row.extend([
                        c.segments.to_string(),
                        c.documents.to_string(),
                        self.percent_documents(i),
                        c.hits.to_string(),
                    ]);
                    t.push(row);
                }
                t
            }
            Some(_) => {
                let values = self.group_values();
                for v in &values {
                    header.push((v.clone(), Align::Right));
                }
                header.push(("total".to_string(), Align::Right));
                let mut t = Table::new(header);
                // The denominators of percentages: a group's size, the grand
                // total, a row's total.
                let size = |g: Option<&str>| -> Option<u64> {
                    let counts = match g {
                        Some(g) => self.group_sizes.get(g)?,
                        None => {
                            return match self.count {
                                Count::Documents => Some(self.documents),
                                Count::Segments => self.segments,
                                Count::Hits => None,
                            };
                        }
                    };
                    match self.count {
                        Count::Documents => Some(counts.documents),
                        Count::Segments => self.segments.map(|_| counts.segments),
                        Count::Hits => None,
                    }
                };
                let cell = |n: Option<u64>, g: Option<&str>, row_total: Option<u64>| -> String {
                    let Some(n) = n else { return "?".to_string() };
                    let of = match self.percent {
                        None => return n.to_string(),
                        Some(Percent::Row) => row_total,
                        Some(Percent::Column) => size(g),
                        Some(Percent::Total) => size(None),
                    };
                    match of {
                        Some(0) => "—".to_string(),
                        Some(d) => format!("{:.1}", 100.0 * n as f64 / d as f64),
                        None => "?".to_string(),
                    }
                };
                let mut row_of =
                    |first: String, label: String, counts: &dyn Fn(Option<&str>) -> Option<u64>, i: Option<usize>| {
                        let mut row = vec![first];
                        with_parent(&mut row, i.unwrap_or(0));
                        if indent.is_none() && i.is_none() {
                            row[1] = String::new();
                        }
                        row.push(label);
                        let row_total = counts(None);
                        for v in &values {
                            row.push(cell(counts(Some(v)), Some(v), row_total));
                        }
                        row.push(cell(row_total, None, row_total));
                        t.push(row);
                    };
                for (i, code) in self.tree.codes.iter().enumerate() {
                    let counts = |g: Option<&str>| -> Option<u64> {
                        Some(match g {
                            Some(g) => self.groups[i].get(g).map_or(0, |c| c.get(count)),
                            None => self.totals[i].get(count),
                        })
                    };
                    row_of(name(i), code.label.clone(), &counts, Some(i));
                }
                if self.tree.codes.is_empty() {
                    return t;
                }
                let any = |g: Option<&str>| -> Option<u64> {
                    Some(match g {
                        Some(g) => self.any_code_groups.get(g).map_or(0, |c| c.get(count)),
                        None => self.any_code.get(count),
                    })
                };
                row_of(
                    ANY_CODE.to_string(),
                    "passages coded with any code".to_string(),
                    &any,
                    None,
                );
                // The size of each group, to read the counts against.
                if count != Count::Hits {
                    let (first, label) = match count {
                        Count::Documents => ("(all documents)", "every document, coded or not"),
                        _ => ("(all segments)", "every segment, coded or not"),
                    };
                    row_of(first.to_string(), label.to_string(), &size, None);
                }
                t
            }
        }
    }

    /// The JSON document, its keys in alphabetical order.
    fn json_document(&self, provenance: &Provenance, count: Count) -> serde_json::Value {
        let codes: Vec<serde_json::Value> = self
            .tree
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let t = &self.totals[i];
                let mut v = serde_json::json!({
                    "code": c.name,
                    "label": c.label,
                    "parent": c.parent.map(|p| self.tree.codes[p].name.clone()),
                    "depth": c.depth,
                    "segments": t.segments,
                    "documents": t.documents,
                    "percent_documents": if self.documents == 0 { None } else { Some(round1(100.0 * t.documents as f64 / self.documents as f64)) },
                    "hits": t.hits,
                });
                if self.by.is_some() {
                    let groups: serde_json::Map<String, serde_json::Value> = self
                        .group_values()
                        .into_iter()
                        .map(|g| {
                            let c = self.groups[i].get(&g).cloned().unwrap_or_default();
                            (g, serde_json::to_value(c).expect("counts serialise"))
                        })
                        .collect();
                    v["groups"] = serde_json::Value::Object(groups);
                }
                v
            })
            .collect();
        let mut doc = serde_json::json!({
            "provenance": provenance,
            "documents": self.documents,
            "segments": self.segments,
            "codes": codes,
        });
        if let Some(by) = &self.by {
            doc["by"] = serde_json::Value::String(by.name().to_string());
            doc["count"] = serde_json::to_value(count).expect("count serialises");
            doc["group_sizes"] = serde_json::to_value(&self.group_sizes).expect("sizes serialise");
        }
        doc
    }
}

impl Report for Freq {
    fn summary(&self, style: Style) -> Vec<String> {
        let mut lines = vec![match self.segments {
            Some(s) => format!("{}, {}", counted(self.documents, "document"), counted(s, "segment")),
            None => format!("{} with codings", counted(self.documents, "document")),
        }];
        if let Some(by) = &self.by {
            let what = match self.percent {
                None => format!("{} coded", self.count.name()),
                Some(Percent::Row) => format!("% of the code's {}", self.count.name()),
                Some(Percent::Column) => format!("% of the group's {}", self.count.name()),
                Some(Percent::Total) => format!("% of all {}", self.count.name()),
            };
            let cells = format!("cells: {what}, by {}", by.name());
            lines.push(if style.markdown { format!("; {cells}.") } else { cells });
            if let Some((_, why)) = self.fitted(&self.table(self.count, Some("  ")), style) {
                lines.push(why);
            }
            if self.segments.is_none() && self.count == Count::Segments {
                let unknown =
                    "(all segments) is unknown (?) from a coded CSV alone: give --transcripts to count every segment";
                lines.push(if style.markdown {
                    format!("; {unknown}.")
                } else {
                    unknown.to_string()
                });
            }
        }
        lines
    }

    fn table(&self, _notes: &mut Footnotes, style: Style) -> Option<Table> {
        let t = self.table(self.count, Some(if style.markdown { "&emsp;" } else { "  " }));
        Some(match self.fitted(&t, style) {
            Some((fitted, _)) => fitted,
            None => t,
        })
    }

    fn records(&self) -> Records {
        let mut records = Records::text(&self.table(self.count, None));
        // Counts and percentages as numbers, after the code, parent and
        // label columns (CSV writes them as shown in the table).
        for row in &mut records.rows {
            for field in row.iter_mut().skip(3) {
                if let Field::Text(Some(shown)) = field {
                    if let Ok(n) = shown.parse::<u64>() {
                        *field = Field::Int(n);
                    } else if let Some((_, decimals)) = shown.split_once('.')
                        && let Ok(x) = shown.parse::<f64>()
                    {
                        *field = Field::Decimal(x, decimals.len());
                    }
                }
            }
        }
        records
    }

    fn sheets(&self) -> Vec<Sheet> {
        let records = self.records();
        let colours = records
            .rows
            .iter()
            .map(|row| match &row[0] {
                Field::Text(Some(code)) => self.tree.colour_of(code),
                _ => None,
            })
            .collect();
        let name = if self.by.is_some() { "crosstab" } else { "frequencies" };
        vec![Sheet {
            colours,
            ..Sheet::new(name, records)
        }]
    }

    fn json(&self, provenance: &Provenance, _warnings: &[String]) -> JsonObject {
        // The document's keys, in the alphabetical order they have always had.
        let document = self.json_document(provenance, self.count);
        let mut json = JsonObject::new();
        for (key, value) in document.as_object().expect("an object") {
            json = json.entry(key.clone(), value.clone());
        }
        json
    }
}

impl Freq {
    /// A crosstab too wide for the terminal, made to fit: without its
    /// labels, else turned a quarter (one row per group), else without
    /// labels and wrapping; with the line that says so. `None` when it fits
    /// as it is or is not on a terminal.
    fn fitted(&self, t: &Table, style: Style) -> Option<(Table, String)> {
        let width = usize::from(style.width?);
        let by = self.by.as_ref()?.name();
        if style.markdown || t.natural_width() <= width {
            return None;
        }
        let whole = "--format csv or xlsx gives the table whole";
        let unlabelled = t.without_column(1);
        if unlabelled.natural_width() <= width {
            return Some((unlabelled, format!("labels left out to fit the terminal ({whole})")));
        }
        let turned = t.transposed(&by, &[1]);
        if turned.natural_width() <= width {
            return Some((
                turned,
                format!("turned to fit the terminal: one row per {by}, one column per code ({whole})"),
            ));
        }
        Some((
            unlabelled,
            format!("wider than the terminal even without labels, so cells wrap: {whole}"),
        ))
    }
}

/// The coded segments of one document's codings, read back from a coded
/// CSV: a passage is told apart by [`Coding::passage_key`].
fn coded_segments<'c>(tree: &CodeTree, rows: &[&'c Coding]) -> Vec<CodedSegment<'c>> {
    let mut keys: HashMap<PassageKey, usize> = HashMap::new();
    rows.iter()
        .enumerate()
        .map(|(i, c)| {
            let next = keys.len();
            let key = *keys.entry(c.passage_key(i)).or_insert(next);
            CodedSegment {
                key,
                speaker: &c.speaker,
                code: tree.find(&c.code).expect("the coding's code is in the tree"),
                hits: c.hits as u64,
            }
        })
        .collect()
}

/// The counts of group `g`, created empty if new (without allocating the
/// key when it exists: this runs for every coded segment).
fn group_entry<'m>(map: &'m mut BTreeMap<String, Counts>, g: &str) -> &'m mut Counts {
    if !map.contains_key(g) {
        map.insert(g.to_string(), Counts::default());
    }
    map.get_mut(g).expect("inserted above")
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> CodeTree {
        let mut t = CodeTree::default();
        for c in ["debt", "debt/lenders", "debt/mortgage", "prices"] {
            t.resolve(c);
        }
        t
    }

    #[test]
    fn parents_roll_up_once_per_segment() {
        let t = tree();
        let (lenders, mortgage, prices) = (
            t.find("lenders").unwrap(),
            t.find("mortgage").unwrap(),
            t.find("prices").unwrap(),
        );
        let mut f = Freq::new(t, None, Count::Segments, true);
        let attrs = IndexMap::new();
        let seg = |key, code, hits| CodedSegment {
            key,
            speaker: "P1",
            code,
            hits,
        };
        f.add_document(
            "a",
            &attrs,
            Some(&["P1", "P1", "P1"]),
            &[seg(1, lenders, 2), seg(1, mortgage, 1), seg(2, prices, 1)],
        );
        f.add_document("b", &attrs, Some(&["P1"]), &[seg(1, mortgage, 3)]);
        let debt = f.tree.find("debt").unwrap();
        assert_eq!(
            (f.totals[debt].segments, f.totals[debt].documents, f.totals[debt].hits),
            (2, 2, 6)
        );
        assert_eq!((f.totals[lenders].segments, f.totals[lenders].documents), (1, 1));
        assert_eq!(f.totals[prices].segments, 1);
        assert_eq!(f.documents, 2);
        assert_eq!(f.segments, Some(4));
        assert_eq!(f.percent_documents(prices), "50.0");
    }

    #[test]
    fn codings_out_of_segment_order_count_once_per_segment() {
        let t = tree();
        let (lenders, mortgage) = (t.find("lenders").unwrap(), t.find("mortgage").unwrap());
        let mut f = Freq::new(t, Some(GroupBy::Speaker), Count::Segments, false);
        let seg = |key, code, speaker| CodedSegment {
            key,
            speaker,
            code,
            hits: 1,
        };
        // As read from a coded CSV: segment 1's codings are not together.
        let coded = [seg(1, lenders, "P1"), seg(2, mortgage, "P2"), seg(1, mortgage, "P1")];
        f.add_document("a", &IndexMap::new(), None, &coded);
        let debt = f.tree.find("debt").unwrap();
        assert_eq!(
            (f.totals[debt].segments, f.totals[debt].documents, f.totals[debt].hits),
            (2, 1, 3)
        );
        assert_eq!(f.groups[debt]["P1"].segments, 1);
        assert_eq!(f.groups[debt]["P1"].hits, 2);
        assert_eq!(f.groups[debt]["P2"].documents, 1);
        assert_eq!(f.totals[mortgage].segments, 2);
    }

    #[test]
    fn crosstab_by_attribute_and_speaker() {
        let t = tree();
        let prices = t.find("prices").unwrap();
        let mut f = Freq::new(t, Some(GroupBy::Attribute("country".into())), Count::Segments, true);
        let mut hn = IndexMap::new();
        hn.insert("country".to_string(), "Honduras".to_string());
        let seg = |key, code| CodedSegment {
            key,
            speaker: "",
            code,
            hits: 1,
        };
        f.add_document("a", &hn, Some(&["", ""]), &[seg(1, prices), seg(2, prices)]);
        f.add_document("b", &IndexMap::new(), Some(&[""]), &[seg(1, prices)]);
        assert_eq!(f.group_values(), ["Honduras", NONE]);
        assert_eq!(f.groups[prices]["Honduras"].segments, 2);
        assert_eq!(f.groups[prices]["Honduras"].documents, 1);
        assert_eq!(f.groups[prices][NONE].segments, 1);
        let table = f.table(Count::Segments, Some("  "));
        let last = table.rows.last().unwrap();
        assert_eq!(last[0], "(all segments)");
        assert_eq!(&last[2..], ["2", "1", "3"]);
    }

    #[test]
    fn a_crosstab_too_wide_for_the_terminal_is_made_to_fit() {
        let mut t = CodeTree::default();
        t.resolve("prices");
        let prices = t.find("prices").unwrap();
        t.codes[prices].label = "A label long enough to push the table past a narrow terminal".into();
        let mut f = Freq::new(t, Some(GroupBy::Document), Count::Segments, true);
        let seg = CodedSegment {
            key: 1,
            speaker: "",
            code: prices,
            hits: 1,
        };
        for doc in ["first_interview.txt", "second_interview.txt"] {
            f.add_document(doc, &IndexMap::new(), Some(&[""]), std::slice::from_ref(&seg));
        }
        let style = |width| Style {
            markdown: false,
            colour: false,
            width,
        };
        let wide = f.table(Count::Segments, Some("  "));
        assert!(f.fitted(&wide, style(None)).is_none(), "not on a terminal");
        assert!(f.fitted(&wide, style(Some(200))).is_none(), "fits as it is");
        let (unlabelled, why) = f.fitted(&wide, style(Some(80))).unwrap();
        assert!(!unlabelled.header.contains(&"label".to_string()));
        assert!(why.starts_with("labels left out"), "{why}");
        let (turned, why) = f.fitted(&wide, style(Some(65))).unwrap();
        assert_eq!(turned.header[0], "document");
        assert_eq!(turned.rows[0][0], "first_interview.txt");
        assert!(why.starts_with("turned to fit the terminal"), "{why}");
        let (_, why) = f.fitted(&wide, style(Some(20))).unwrap();
        assert!(why.starts_with("wider than the terminal"), "{why}");
    }
}
