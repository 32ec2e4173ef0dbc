//! Adjudication: the decisions written in the `decision` column of the
//! disagreements sheet (`agree --disagreements`) turned back into a coded
//! CSV, the gold standard that `audit --gold` and `agree` read.
//!
//! # Decisions, and why
//!
//! A decision is one of:
//!
//! * a coder's name (a column of the sheet): that coder's codings of the
//!   passage stand;
//! * `both`: every coder's codings stand (with more than two coders, all of
//!   them);
//! * `none`: no code applies to the passage;
//! * a list of codes, separated by `;` or `,`: those codes apply. A parent
//!   listed with one of its sub-codes is dropped (the coder columns list
//!   parents rolled up, and a parent counts its sub-codes' passages anyway),
//!   so a cell copied from a coder column means what it says.
//!
//! Keywords and names are read whatever their case. A passage the coders
//! agree on keeps their codes (the same set, once each). A passage left
//! **undecided** (an empty cell) keeps only the codes every coder gave it —
//! what is not in dispute — and is listed, so that a gold standard is never
//! taken for finished while rows wait. A unit of the sheet the coded files
//! do not have is an error: the sheet was made from other files.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use indexmap::{IndexMap, IndexSet};

use crate::coding::{CodeTree, Coding};
use crate::error::{Error, Result};
use crate::files::spreadsheet::{CsvFile, unguard_cell};
use crate::report::xlsx::{DropDown, Sheet};
use crate::report::{Records, Table};

/// The coder name of adjudicated codings.
pub const ADJUDICATED: &str = "adjudicated";

/// What was decided for one passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// This coder's codings stand.
    Coder(String),
    /// Every coder's codings stand.
    Both,
    /// No code applies.
    None,
    /// These codes apply (tree indices).
    Codes(Vec<usize>),
    /// Nothing decided yet.
    Undecided,
}

/// One row of the disagreements sheet.
#[derive(Debug, Clone)]
pub struct DecisionRow {
    /// The unit, as `agree` names it: `document#segment` or
    /// `document@start-end`.
    pub unit: String,
    /// What was decided.
    pub decision: Decision,
    /// Where the row is, for messages: `file:line`.
    pub place: String,
}

/// The keywords of the `decision` column besides coders' names, for the
/// sheet's drop-down and messages.
pub const KEYWORDS: &[&str] = &["both", "none"];

/// The disagreements table (see [`super::agreement::disagreements`]) as a
/// workbook's sheet whose `decision` column offers the coders' names,
/// `both` and `none` in a drop-down.
pub fn decision_sheet(table: &Table, coders: &[String]) -> Sheet {
    let records = Records::text(table);
    let column = records.fields.iter().position(|f| f == "decision");
    let mut sheet = Sheet::new("disagreements", records);
    sheet.drop_down = column.map(|column| DropDown {
        column,
        choices: coders
            .iter()
            .cloned()
            .chain(KEYWORDS.iter().map(|k| k.to_string()))
            .collect(),
        message: "A coder's name (that coder's codes stand), both, none, or codes separated by ; — then run qcode \
                  adjudicate on this sheet"
            .to_string(),
    });
    sheet
}

/// The coders of a disagreements sheet's header: the columns between
/// `disputed_codes` and `decision` (a coder whose name is a fixed column's
/// is written `coder NAME`).
fn coders_of_header(headers: &[String]) -> Vec<String> {
    let from = headers.iter().position(|h| h == "disputed_codes").map_or(0, |i| i + 1);
    let to = headers.iter().position(|h| h == "decision").unwrap_or(headers.len());
    headers[from.min(to)..to]
        .iter()
        .map(|h| h.strip_prefix("coder ").unwrap_or(h).to_string())
        .collect()
}

/// Reads the disagreements sheet at `path` (`.csv`, or `.xlsx` as `agree`
/// writes it), checking every decision against the coders of its header
/// and the codes of `tree`; every bad decision is reported at once.
pub fn read_decisions(path: &Path, tree: &CodeTree) -> Result<(Vec<String>, Vec<DecisionRow>)> {
    let (headers, rows) = sheet_rows(path)?;
    for required in ["unit", "decision"] {
        if !headers.iter().any(|h| h == required) {
            return Err(Error::new(format!("the disagreements sheet has no `{required}` column"))
                .in_file(path)
                .hint(
                    "give the sheet `qcode agree … --disagreements FILE` wrote, with the `decision` column filled in",
                ));
        }
    }
    let col = |name: &str| headers.iter().position(|h| h == name).expect("checked above");
    let (unit_col, decision_col) = (col("unit"), col("decision"));
    let coders = coders_of_header(&headers);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (place, cells) in rows {
        let cell = |i: usize| cells.get(i).map_or("", |c| unguard_cell(c.trim()));
        let unit = cell(unit_col).to_string();
        if unit.is_empty() {
            continue;
        }
        match parse_decision(cell(decision_col), &coders, tree) {
            Ok(decision) => out.push(DecisionRow { unit, decision, place }),
            Err(e) => errors.push(e.at(place)),
        }
    }
    match Error::all(errors) {
        Some(e) => Err(e),
        None => Ok((coders, out)),
    }
}

/// A row of a sheet: where it is (`file:line`), and its cells.
type PlacedRow = (String, Vec<String>);

/// The header and the rows of a CSV or xlsx sheet.
fn sheet_rows(path: &Path) -> Result<(Vec<String>, Vec<PlacedRow>)> {
    let is_xlsx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        let sheet = crate::corpus::xlsx::read_sheet(path, None)?;
        let mut rows = sheet.rows.into_iter();
        let headers = rows
            .next()
            .map(|(_, cells)| cells.iter().map(|c| c.trim().to_string()).collect())
            .unwrap_or_default();
        let table = sheet.table;
        return Ok((
            headers,
            rows.map(|(row, cells)| (format!("{table}, row {}", row + 1), cells))
                .collect(),
        ));
    }
    let file = CsvFile::open(path)?;
    let mut table = file.table()?;
    let headers = table.headers().to_vec();
    let mut rows = Vec::new();
    let mut row = 1;
    while let Some(record) = table.next_row() {
        let record = record?;
        row += 1;
        let line = record.position().map_or(row, |p| p.line() as usize);
        rows.push((
            format!("{}:{line}", path.display()),
            record.iter().map(str::to_string).collect(),
        ));
    }
    Ok((headers, rows))
}

/// A cell of the `decision` column.
fn parse_decision(cell: &str, coders: &[String], tree: &CodeTree) -> Result<Decision> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(Decision::Undecided);
    }
    if let Some(coder) = coders.iter().find(|c| c.eq_ignore_ascii_case(cell)) {
        return Ok(Decision::Coder(coder.clone()));
    }
    if cell.eq_ignore_ascii_case("both") {
        return Ok(Decision::Both);
    }
    if cell.eq_ignore_ascii_case("none") {
        return Ok(Decision::None);
    }
    let mut codes: Vec<usize> = Vec::new();
    for name in cell.split([';', ',']).map(str::trim).filter(|n| !n.is_empty()) {
        let code = tree.find(name).ok_or_else(|| {
            let choices: Vec<&str> = coders
                .iter()
                .map(String::as_str)
                .chain(KEYWORDS.iter().copied())
                .chain(tree.codes.iter().map(|c| c.name.as_str()))
                .collect();
            let suggestion = crate::text::closest(name, choices.iter().copied())
                .map(|best| format!("did you mean `{best}`? "))
                .unwrap_or_default();
            Error::new(format!(
                "the decision `{cell}` names `{name}`, which is neither a coder nor a code"
            ))
            .hint(format!(
                "{suggestion}write a coder's name ({}), `both`, `none`, or codes separated by `;`",
                coders.join(", ")
            ))
        })?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    // A parent listed with one of its sub-codes adds nothing.
    let listed = codes.clone();
    codes.retain(|&c| !listed.iter().any(|&d| d != c && tree.within(d, c)));
    Ok(Decision::Codes(codes))
}

/// The adjudicated codings, and what is left to decide.
#[derive(Debug, Clone)]
pub struct Adjudicated {
    /// The codings of the gold standard, coder [`ADJUDICATED`], in the
    /// order of the documents, then passages, then the code tree.
    pub codings: Vec<Coding>,
    /// Rows decided.
    pub decided: usize,
    /// The units left undecided, in the sheet's order, with their places.
    pub undecided: Vec<String>,
}

impl Adjudicated {
    /// The attribute columns of the coded CSV: every attribute of the
    /// codings, in the order met.
    pub fn attribute_columns(&self) -> Vec<String> {
        let names: IndexSet<&String> = self.codings.iter().flat_map(|c| c.attributes.keys()).collect();
        names.into_iter().cloned().collect()
    }
}

/// Which unit a coding codes, named as `agree` names units.
fn unit_label(c: &Coding) -> String {
    if c.segment > 0 {
        format!("{}#{}", c.document, c.segment)
    } else {
        format!("{}@{}-{}", c.document, c.start_char, c.end_char)
    }
}

/// Applies the decisions `rows` to the codings of the coders (`codings`,
/// every coder's, each code in `tree`); `sheet_coders` are the coders the
/// sheet compares.
pub fn adjudicate(
    rows: &[DecisionRow],
    sheet_coders: &[String],
    codings: &[Coding],
    tree: &CodeTree,
) -> Result<Adjudicated> {
    // Units in document order, each with its codings.
    let mut units: IndexMap<String, Vec<&Coding>> = IndexMap::new();
    let mut documents: IndexSet<&str> = IndexSet::new();
    for c in codings {
        documents.insert(&c.document);
        units.entry(unit_label(c)).or_default().push(c);
    }
    let coders: BTreeSet<&str> = codings.iter().map(|c| c.coder.as_str()).collect();
    let mut decided_for: HashMap<&str, &DecisionRow> = HashMap::new();
    let mut unknown = Vec::new();
    for row in rows {
        if !units.contains_key(&row.unit) {
            unknown.push(format!("{} ({})", row.unit, row.place));
        }
        if let Decision::Coder(name) = &row.decision
            && !coders.contains(name.as_str())
        {
            return Err(Error::new(format!(
                "the decision names the coder `{name}`, who has no codings in the coded files"
            ))
            .at(row.place.clone())
            .hint(format!(
                "give that coder's coded CSV with --coded; the coders given are: {}",
                coders.iter().copied().collect::<Vec<_>>().join(", ")
            )));
        }
        if let Some(first) = decided_for.insert(&row.unit, row) {
            return Err(Error::new(format!("the passage {} has two rows", row.unit))
                .at(row.place.clone())
                .hint(format!(
                    "keep one decision for it: delete this row or the one at {}",
                    first.place
                )));
        }
    }
    if !unknown.is_empty() {
        return Err(Error::new(format!(
            "{} of the disagreements sheet name passages the coded files do not code: {}",
            crate::report::counted(unknown.len(), "row"),
            unknown.join(", ")
        ))
        .hint("give the coded CSVs the disagreements were written from, with --coded for each"));
    }
    let mut out: Vec<Coding> = Vec::new();
    let undecided: Vec<String> = rows
        .iter()
        .filter(|r| r.decision == Decision::Undecided)
        .map(|r| format!("{} ({})", r.unit, r.place))
        .collect();
    let decided = rows.len() - undecided.len();
    for (label, of_unit) in &units {
        let chosen: Vec<Coding> = match decided_for.get(label.as_str()).map(|r| &r.decision) {
            None | Some(Decision::Both) => distinct_codes(of_unit.iter().copied()),
            Some(Decision::Coder(name)) => distinct_codes(of_unit.iter().copied().filter(|c| &c.coder == name)),
            Some(Decision::None) => Vec::new(),
            Some(Decision::Codes(codes)) => codes
                .iter()
                .map(|&code| {
                    let name = &tree.codes[code].name;
                    let mut c = of_unit
                        .iter()
                        .find(|c| tree.find(&c.code) == Some(code))
                        .copied()
                        .unwrap_or(of_unit[0])
                        .clone();
                    if tree.find(&c.code) != Some(code) {
                        // A code no coder gave: the passage, without matches.
                        c.code = name.clone();
                        c.code_path = path_of(tree, code);
                        c.hits = 0;
                        c.matched = Vec::new();
                        c.spans = Vec::new();
                    }
                    c
                })
                .collect(),
            Some(Decision::Undecided) => {
                // A coder who coded nothing in the document did not rate it.
                let rated: Vec<&str> = sheet_coders
                    .iter()
                    .map(String::as_str)
                    .filter(|coder| {
                        codings
                            .iter()
                            .any(|c| c.coder == *coder && c.document == of_unit[0].document)
                    })
                    .collect();
                let agreed = of_unit.iter().copied().filter(|c| {
                    rated
                        .iter()
                        .all(|coder| of_unit.iter().any(|o| o.coder == *coder && o.code == c.code))
                });
                distinct_codes(agreed)
            }
        };
        out.extend(chosen.into_iter().map(|mut c| {
            c.coder = ADJUDICATED.to_string();
            c
        }));
    }
    // Documents in the order met, then passages, then the code tree.
    let order = |c: &Coding| {
        (
            documents.get_index_of(c.document.as_str()),
            c.segment,
            c.start_char,
            c.end_char,
            tree.find(&c.code),
        )
    };
    out.sort_by_key(order);
    Ok(Adjudicated {
        codings: out,
        decided,
        undecided,
    })
}

/// The codings given, the first of each code.
fn distinct_codes<'c>(codings: impl Iterator<Item = &'c Coding>) -> Vec<Coding> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for c in codings {
        if !seen.contains(&c.code.as_str()) {
            seen.push(&c.code);
            out.push(c.clone());
        }
    }
    out
}

/// A code's path in the tree: `debt/lenders_interest`.
fn path_of(tree: &CodeTree, code: usize) -> String {
    let mut names: Vec<&str> = tree.ancestry(code).map(|c| tree.codes[c].name.as_str()).collect();
    names.reverse();
    names.join("/")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn tree() -> CodeTree {
        let mut t = CodeTree::default();
        for c in ["debt", "debt/lenders", "prices", "routes"] {
            t.resolve(c);
        }
        t
    }

    fn coding(segment: usize, code: &str, coder: &str) -> Coding {
        Coding {
            document: "a.txt".into(),
            segment,
            unit: "paragraph".into(),
            start_line: segment,
            end_line: segment,
            start_char: segment * 10,
            end_char: segment * 10 + 9,
            speaker: String::new(),
            code: code.into(),
            code_path: String::new(),
            coder: coder.into(),
            hits: 1,
            matched: vec!["word".into()],
            text: format!("passage {segment}"),
            start_time: String::new(),
            end_time: String::new(),
            spans: Vec::new(),
            extracted: Vec::new(),
            attributes: Arc::new(IndexMap::new()),
        }
    }

    fn row(unit: &str, decision: Decision) -> DecisionRow {
        DecisionRow {
            unit: unit.into(),
            decision,
            place: "d.csv:2".into(),
        }
    }

    #[test]
    fn decisions_are_coders_keywords_or_codes() {
        let t = tree();
        let coders = ["ana".to_string(), "luis".to_string()];
        assert_eq!(
            parse_decision("Ana", &coders, &t).unwrap(),
            Decision::Coder("ana".into())
        );
        assert_eq!(parse_decision(" BOTH ", &coders, &t).unwrap(), Decision::Both);
        assert_eq!(parse_decision("none", &coders, &t).unwrap(), Decision::None);
        assert_eq!(parse_decision("", &coders, &t).unwrap(), Decision::Undecided);
        // A parent copied with its sub-code is dropped.
        let (debt, lenders, prices) = (
            t.find("debt").unwrap(),
            t.find("lenders").unwrap(),
            t.find("prices").unwrap(),
        );
        assert_eq!(
            parse_decision("prices; debt; lenders", &coders, &t).unwrap(),
            Decision::Codes(vec![prices, lenders])
        );
        assert_eq!(
            parse_decision("debt", &coders, &t).unwrap(),
            Decision::Codes(vec![debt])
        );
        let e = parse_decision("prises", &coders, &t).unwrap_err().to_string();
        assert!(e.contains("did you mean `prices`"), "{e}");
    }

    #[test]
    fn each_decision_gives_its_codings() {
        let t = tree();
        let codings = [
            coding(1, "prices", "ana"),
            coding(1, "prices", "luis"),
            coding(2, "lenders", "ana"),
            coding(2, "routes", "luis"),
            coding(3, "routes", "ana"),
            coding(4, "prices", "luis"),
            coding(5, "prices", "ana"),
            coding(5, "routes", "ana"),
            coding(5, "prices", "luis"),
            coding(6, "routes", "luis"),
        ];
        let rows = [
            row("a.txt#2", Decision::Coder("luis".into())),
            row("a.txt#3", Decision::None),
            row("a.txt#4", Decision::Codes(vec![t.find("lenders").unwrap()])),
            row("a.txt#5", Decision::Undecided),
            row("a.txt#6", Decision::Both),
        ];
        let coders = ["ana".to_string(), "luis".to_string()];
        let done = adjudicate(&rows, &coders, &codings, &t).unwrap();
        let got: Vec<(usize, &str, usize)> = done
            .codings
            .iter()
            .map(|c| (c.segment, c.code.as_str(), c.hits))
            .collect();
        assert_eq!(
            got,
            [
                (1, "prices", 1),
                (2, "routes", 1),
                (4, "lenders", 0),
                (5, "prices", 1),
                (6, "routes", 1)
            ]
        );
        assert!(done.codings.iter().all(|c| c.coder == ADJUDICATED));
        assert_eq!(done.codings[2].code_path, "debt/lenders");
        assert_eq!(done.decided, 4);
        assert_eq!(done.undecided, ["a.txt#5 (d.csv:2)"]);
        let e = adjudicate(&[row("a.txt#9", Decision::Both)], &coders, &codings, &t).unwrap_err();
        assert!(e.to_string().contains("a.txt#9"), "{e}");
        let twice = [row("a.txt#2", Decision::Both), row("a.txt#2", Decision::None)];
        let e = adjudicate(&twice, &coders, &codings, &t).unwrap_err();
        assert!(e.to_string().contains("two rows"), "{e}");
    }
}
