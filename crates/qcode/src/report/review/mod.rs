//! The review report: one self-contained HTML page a reviewer opens offline
//! and prints — provenance, the codebook, frequencies and crosstabs,
//! co-occurrence, the excerpts (filterable in the page), and with coders'
//! files the agreement and the disagreements, with a gold standard the
//! audit of the rules.
//!
//! # Decisions, and why
//!
//! * **Nothing is counted here.** Every number comes from the report that
//!   prints it elsewhere ([`Freq`], [`Cooccur`], [`Excerpts`], the agreement
//!   and audit reports through [`Report`]); a chart draws the numbers of the
//!   table shown beside it, read from that table's cells, so the chart, the
//!   table and the command line cannot disagree.
//! * **One file, no network.** The style, the script and the charts (SVG,
//!   [`svg`]) are in the page; fonts are the reader's system fonts.
//! * **The same bytes every time.** No date, no random identifier, maps in
//!   a fixed order, coordinates with one decimal: two runs of the same
//!   command give the same file, whatever the number of threads.
//! * **Templates, escaped.** The page is an `askama` template, so every
//!   text from a transcript or codebook is escaped where it is written.
//! * **Plain script.** The excerpts' filters are a few lines of JavaScript
//!   without a library; the choice is kept in the address (`#code=debt`),
//!   so a filtered view can be linked, and the page reads fine without
//!   script (every excerpt shown).

pub mod svg;

use askama::Template;
use indexmap::IndexSet;

use super::cooccur::Cooccur;
use super::excerpts::Excerpts;
use super::freq::{Count, Freq};
use super::{Field, Footnotes, Provenance, Records, Report, Style, Table, counted, lines_phrase};
use crate::codebook::Codebook;
use crate::transcripts::Transcripts;
use svg::{BarValue, HeatValues};

/// An input of the report, for the provenance: what it is, where it was
/// read from, and the SHA-256 of its bytes.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// What the file is: `transcript`, `codebook`, `coded`, `gold`,
    /// `attributes`.
    pub role: String,
    /// The path as given.
    pub path: String,
    /// SHA-256 of its bytes, in hexadecimal.
    pub sha256: String,
}

/// What the review report shows, each part computed by its own report.
pub struct Review<'a> {
    /// The command line that wrote the report.
    pub command: String,
    /// Every file read.
    pub inputs: Vec<InputFile>,
    /// qcode's version, the codebook, the unit.
    pub provenance: &'a Provenance,
    /// The codebook.
    pub codebook: &'a Codebook,
    /// The frequency table.
    pub freq: &'a Freq,
    /// A crosstab per attribute, in column percentages.
    pub crosstabs: &'a [Freq],
    /// Co-occurrence of codes in the same passage.
    pub cooccur: &'a Cooccur,
    /// Every coded passage.
    pub excerpts: &'a Excerpts,
    /// The transcripts, whose documents' attributes the excerpts' filter
    /// offers.
    pub transcripts: &'a Transcripts,
    /// With coders' files: the agreement report and the disagreements.
    pub agreement: Option<(&'a dyn Report, &'a Table)>,
    /// With a gold standard: the audit report and its errors.
    pub audit: Option<(&'a dyn Report, Records)>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct Page {
    title: String,
    lead: String,
    version: String,
    css: &'static str,
    js: &'static str,
    codebook_name: String,
    codebook_version: Option<String>,
    codebook_sha256: String,
    codebook_description: String,
    unit: String,
    command: String,
    files: TableView,
    codes: Vec<CodeView>,
    freq_summary: String,
    freq_chart: String,
    freq_table: TableView,
    crosstabs: Vec<CrosstabView>,
    cooccur_chart: String,
    cooccur_matrix: TableView,
    cooccur_pairs: TableView,
    cooccur_legend: Vec<String>,
    filter_codes: Vec<String>,
    filter_documents: Vec<String>,
    filter_speakers: Vec<String>,
    filter_attributes: Vec<String>,
    excerpt_count: usize,
    excerpt_sections: Vec<SectionView>,
    agreement: Option<ReportView>,
    disagreements: TableView,
    audit: Option<ReportView>,
    audit_errors: TableView,
}

/// A table as the page writes it.
struct TableView {
    id: String,
    caption: String,
    header: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl TableView {
    fn of(id: &str, caption: &str, t: &Table) -> TableView {
        TableView {
            id: id.to_string(),
            caption: caption.to_string(),
            header: t.header.clone(),
            numeric: t.align.iter().map(|a| *a == super::Align::Right).collect(),
            rows: t.rows.clone(),
        }
    }

    fn of_records(id: &str, caption: &str, r: &Records) -> TableView {
        let cell = |f: &Field| match f {
            Field::Int(n) => n.to_string(),
            Field::Num(Some(x)) => format!("{x:.4}"),
            Field::Decimal(x, places) => format!("{x:.places$}"),
            Field::Num(None) | Field::Text(None) => String::new(),
            Field::Text(Some(t)) => t.clone(),
            Field::List(items) => items.join("; "),
        };
        TableView {
            id: id.to_string(),
            caption: caption.to_string(),
            header: r.fields.clone(),
            numeric: r
                .rows
                .first()
                .map(|row| {
                    row.iter()
                        .map(|f| matches!(f, Field::Int(_) | Field::Num(_) | Field::Decimal(..)))
                        .collect()
                })
                .unwrap_or_else(|| vec![false; r.fields.len()]),
            rows: r.rows.iter().map(|row| row.iter().map(cell).collect()).collect(),
        }
    }

    fn empty(id: &str) -> TableView {
        TableView {
            id: id.to_string(),
            caption: String::new(),
            header: Vec::new(),
            numeric: Vec::new(),
            rows: Vec::new(),
        }
    }
}

/// A report's summary, table and legend (with the notes of its undefined
/// cells).
struct ReportView {
    summary: Vec<String>,
    table: TableView,
    legend: Vec<String>,
}

impl ReportView {
    fn of(id: &str, caption: &str, report: &dyn Report) -> ReportView {
        let mut notes = Footnotes::default();
        let table = report.table(&mut notes, Style::default()).unwrap_or_default();
        let mut legend = report.legend();
        legend.extend(notes.lines());
        ReportView {
            summary: report.summary(Style::default()),
            table: TableView::of(id, caption, &table),
            legend,
        }
    }
}

struct CodeView {
    name: String,
    label: String,
    depth: usize,
    colour: Option<String>,
    description: String,
    include: String,
    exclude: String,
    examples: Vec<String>,
    /// Passages the code must not be applied to.
    counterexamples: Vec<String>,
    rules: Vec<String>,
}

struct CrosstabView {
    attribute: String,
    chart: String,
    table: TableView,
}

struct SectionView {
    code: String,
    label: String,
    passages: Vec<PassageView>,
}

struct PassageView {
    document: String,
    speaker: String,
    lines: String,
    codes: String,
    /// `name=value` pairs joined by `|`, for the attribute filter.
    attributes: String,
    /// The text in pieces, each a match (`true`) or not.
    pieces: Vec<(String, bool)>,
}

impl Review<'_> {
    /// The page.
    pub fn html(&self) -> String {
        let freq_table = self.freq.table(Count::Segments, None);
        let excerpt_sections = self.excerpt_sections();
        let page = Page {
            title: format!("{} — qcode review report", self.codebook.name),
            lead: format!(
                "{} coded with the codebook below; every figure has its table beside it.",
                counted(self.freq.documents, "document")
            ),
            version: self.provenance.qcode_version.clone(),
            css: include_str!("../../../templates/review.css"),
            js: include_str!("../../../templates/review.js"),
            codebook_name: self.codebook.name.clone(),
            codebook_version: self.codebook.version.clone(),
            codebook_sha256: self.codebook.sha256.clone(),
            codebook_description: self.codebook.description.clone(),
            unit: self.provenance.unit.clone().unwrap_or_default(),
            command: self.command.clone(),
            files: self.files(),
            codes: self.codes(),
            freq_summary: self.freq.summary(Style::default()).join(" "),
            freq_chart: self.freq_chart(&freq_table),
            freq_table: TableView::of("frequency-table", "Frequencies", &freq_table),
            crosstabs: self.crosstabs(),
            cooccur_chart: self.cooccur_chart(),
            cooccur_matrix: TableView::of(
                "cooccurrence-table",
                "Passages coded with both codes",
                &self.cooccur.matrix_table(),
            ),
            cooccur_pairs: {
                let mut notes = Footnotes::default();
                let t = self.cooccur.table(&mut notes, Style::default()).unwrap_or_default();
                TableView::of("cooccurrence-pairs", "Pairs that occur together", &t)
            },
            cooccur_legend: self.cooccur.legend(),
            filter_codes: excerpt_sections.iter().map(|s| s.code.clone()).collect(),
            filter_documents: self.distinct(&excerpt_sections, |p| p.document.clone()),
            filter_speakers: self.distinct(&excerpt_sections, |p| p.speaker.clone()),
            filter_attributes: self.attribute_choices(),
            excerpt_count: excerpt_sections.iter().map(|s| s.passages.len()).sum(),
            excerpt_sections,
            agreement: self
                .agreement
                .map(|(r, _)| ReportView::of("agreement-table", "Agreement per code", r)),
            disagreements: match self.agreement {
                Some((_, t)) => TableView::of("disagreements-table", "Disagreements", t),
                None => TableView::empty("disagreements-table"),
            },
            audit: self
                .audit
                .as_ref()
                .map(|(r, _)| ReportView::of("audit-table", "Precision, recall and F1 per code", *r)),
            audit_errors: match &self.audit {
                Some((_, errors)) => TableView::of_records("audit-errors", "False positives and negatives", errors),
                None => TableView::empty("audit-errors"),
            },
        };
        page.render().expect("the review page's template renders")
    }

    fn files(&self) -> TableView {
        let mut t = Table::new(
            ["file", "role", "sha256"]
                .map(|h| (h.to_string(), super::Align::Left))
                .to_vec(),
        );
        for f in &self.inputs {
            t.push(vec![f.path.clone(), f.role.clone(), f.sha256.clone()]);
        }
        TableView::of("input-files", "Every file read, with the SHA-256 of its bytes", &t)
    }

    fn codes(&self) -> Vec<CodeView> {
        self.codebook
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| CodeView {
                name: c.name.clone(),
                label: c.label.clone(),
                depth: c.depth.min(3),
                colour: c.color.clone(),
                description: c.description.clone(),
                include: c.include.clone(),
                exclude: c.exclude.clone(),
                examples: c.examples.iter().map(|e| e.text.clone()).collect(),
                counterexamples: c.counterexamples.iter().map(|e| e.text.clone()).collect(),
                rules: self.codebook.rule_lines(i),
            })
            .collect()
    }

    /// Bars of the segments column of the frequency table.
    fn freq_chart(&self, table: &Table) -> String {
        let segments = column(table, "segments");
        let values: Vec<BarValue> = table
            .rows
            .iter()
            .filter_map(|row| {
                let code = self.freq.tree.find(&row[0])?;
                let shown = row[segments].clone();
                Some(BarValue {
                    label: row[0].clone(),
                    depth: self.freq.tree.codes[code].depth,
                    value: shown.parse().ok()?,
                    shown,
                    colour: self.freq.tree.codes[code].colour.clone(),
                })
            })
            .collect();
        svg::bars("frequency-chart", "Coded segments per code", &values)
    }

    /// A heatmap and table per crosstab: the group columns of its table.
    fn crosstabs(&self) -> Vec<CrosstabView> {
        self.crosstabs
            .iter()
            .filter_map(|f| {
                let attribute = f.by.as_ref()?.name().to_string();
                let table = f.table(f.count, None);
                // code, parent, label, the groups, total.
                let groups = 3..table.header.len() - 1;
                let rows: Vec<HeatValues> = table
                    .rows
                    .iter()
                    .filter_map(|row| {
                        let code = f.tree.find(&row[0])?;
                        Some(HeatValues {
                            label: row[0].clone(),
                            depth: f.tree.codes[code].depth,
                            cells: row[groups.clone()]
                                .iter()
                                .map(|shown| (shown.parse().ok(), shown.clone()))
                                .collect(),
                        })
                    })
                    .collect();
                let id = format!("crosstab-{}", slug(&attribute));
                let chart = svg::heatmap(
                    &format!("{id}-chart"),
                    &format!("% of segments by {attribute}"),
                    &table.header[groups],
                    &rows,
                );
                Some(CrosstabView {
                    table: TableView::of(
                        &format!("{id}-table"),
                        &format!("By {attribute}, % of segments"),
                        &table,
                    ),
                    attribute,
                    chart,
                })
            })
            .collect()
    }

    /// The co-occurrence matrix's cells as a heatmap.
    fn cooccur_chart(&self) -> String {
        let table = self.cooccur.matrix_table();
        let rows: Vec<HeatValues> = table
            .rows
            .iter()
            .map(|row| {
                let code = self
                    .cooccur
                    .tree
                    .find(row[0].trim())
                    .expect("the matrix's rows are codes");
                HeatValues {
                    label: row[0].trim().to_string(),
                    depth: self.cooccur.tree.codes[code].depth,
                    cells: row[1..]
                        .iter()
                        .map(|shown| (shown.parse().ok(), shown.clone()))
                        .collect(),
                }
            })
            .collect();
        svg::heatmap(
            "cooccurrence-chart",
            "Passages coded with both codes",
            &table.header[1..],
            &rows,
        )
    }

    fn excerpt_sections(&self) -> Vec<SectionView> {
        let tree = self.excerpts.tree();
        self.excerpts
            .sections()
            .into_iter()
            .map(|(heading, passages)| SectionView {
                code: tree.codes[heading].name.clone(),
                label: tree.codes[heading].label.clone(),
                passages: passages
                    .into_iter()
                    .map(|p| PassageView {
                        document: p.document.clone(),
                        speaker: p.speaker.clone(),
                        lines: lines_phrase(p.start_line, p.end_line),
                        codes: self.excerpts.codes_of(p).join(", "),
                        attributes: self
                            .transcripts
                            .docs
                            .get(&p.document)
                            .map(|d| {
                                d.attributes
                                    .iter()
                                    .map(|(k, v)| format!("{k}={v}"))
                                    .collect::<Vec<_>>()
                                    .join("|")
                            })
                            .unwrap_or_default(),
                        pieces: pieces(&p.text, &p.spans),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The distinct non-empty values of the passages, sorted.
    fn distinct(&self, sections: &[SectionView], value: impl Fn(&PassageView) -> String) -> Vec<String> {
        let mut values: Vec<String> = sections
            .iter()
            .flat_map(|s| s.passages.iter().map(&value))
            .filter(|v| !v.is_empty())
            .collect::<IndexSet<String>>()
            .into_iter()
            .collect();
        values.sort();
        values
    }

    /// `name=value` of every attribute of the documents, sorted.
    fn attribute_choices(&self) -> Vec<String> {
        let mut choices: Vec<String> = self
            .transcripts
            .docs
            .values()
            .flat_map(|d| d.attributes.iter().map(|(k, v)| format!("{k}={v}")))
            .collect::<IndexSet<String>>()
            .into_iter()
            .collect();
        choices.sort();
        choices
    }
}

/// The index of the column called `name`.
fn column(table: &Table, name: &str) -> usize {
    table
        .header
        .iter()
        .position(|h| h == name)
        .expect("the report's table has the column")
}

/// `text` cut at the (sorted, disjoint) byte ranges of its matches.
fn pieces(text: &str, spans: &[(usize, usize)]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    for &(s, e) in spans {
        if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        if s > at {
            out.push((text[at..s].to_string(), false));
        }
        out.push((text[s..e].to_string(), true));
        at = e;
    }
    if at < text.len() {
        out.push((text[at..].to_string(), false));
    }
    out
}

/// An identifier made of a name: letters and digits, others as `-`.
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_at_its_matches() {
        let got = pieces("the coyote wanted $900", &[(4, 10), (18, 22)]);
        assert_eq!(
            got,
            [
                ("the ".to_string(), false),
                ("coyote".to_string(), true),
                (" wanted ".to_string(), false),
                ("$900".to_string(), true)
            ]
        );
        assert_eq!(pieces("año", &[(1, 2)]), [("año".to_string(), false)]);
        assert_eq!(slug("Country of birth"), "country-of-birth");
    }
}
