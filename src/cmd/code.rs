//! `qcode code`: apply the codebook and write the codings.

use std::io::Write;
use std::path::PathBuf;

use qcode::coding::{Coding, CsvWriter, join_matched};
use qcode::corpus::{self, Source};
use qcode::files::output::Output;
use qcode::pipeline::{self, Setup};
use qcode::report::{Align, Provenance, Table, counted};
use qcode::{Error, Result};
use rayon::prelude::*;

use super::util::{CorpusArgs, Progress, message, terminal_width};

/// Apply the codebook to the transcripts and write one row per coded
/// passage (segment × code).
///
/// The CSV is qcode's interchange format (see the README: "The coded CSV"):
/// `freq --coded`, `excerpts --coded`, `agree` and `audit` read it back, and
/// a person can code in a spreadsheet with the same columns.
///
/// Example: qcode code samples/transcripts --codebook codebooks/smuggling.yaml --out coded.csv
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Apply the codebook and write one row per coded passage (the coded CSV)"
)]
pub struct Args {
    #[command(flatten)]
    corpus: CorpusArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The coded CSV.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// A readable table.
    Table,
}

pub fn run(args: Args) -> Result<()> {
    let (setup, sources) = args.corpus.setup()?;
    let provenance = Provenance::new(Some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    let mut out = Output::open(args.out.as_deref())?;
    let mut documents = 0usize;
    let mut segments = 0usize;
    let mut passages = 0usize;
    // CSV and JSON lines are written as documents are coded (memory holds a
    // batch of documents, not the corpus); the table needs every row first.
    let mut codings: Vec<Coding> = Vec::new();
    match args.format {
        Format::Csv => {
            let columns = attribute_columns(&sources, &setup)?;
            let mut w = CsvWriter::new(&mut out, columns.clone())?;
            pipeline::run(&sources, &setup, &Progress::new(), |coded| {
                documents += 1;
                segments += coded.segments.len();
                if let Some(k) = coded.doc.attributes.keys().find(|k| !columns.contains(k)) {
                    return Err(Error::new(format!(
                        "internal error: the attribute `{k}` of {} was not found before coding began",
                        coded.doc.id
                    ))
                    .hint("please report this with the file; meanwhile, use --format jsonl"));
                }
                for c in coded.codings(&setup.codebook, setup.unit) {
                    passages += 1;
                    w.write(&c)?;
                }
                Ok(())
            })?;
            w.into_inner()?;
        }
        Format::Jsonl => {
            pipeline::run(&sources, &setup, &Progress::new(), |coded| {
                documents += 1;
                segments += coded.segments.len();
                for c in coded.codings(&setup.codebook, setup.unit) {
                    passages += 1;
                    let line = serde_json::json!({
                        "document": c.document,
                        "segment": c.segment,
                        "unit": c.unit,
                        "start_line": c.start_line,
                        "end_line": c.end_line,
                        "start_char": c.start_char,
                        "end_char": c.end_char,
                        "speaker": if c.speaker.is_empty() { None } else { Some(&c.speaker) },
                        "code": c.code,
                        "coder": c.coder,
                        "hits": c.hits,
                        "matched": c.matched,
                        "text": c.text,
                        "attributes": *c.attributes,
                        "codebook_sha256": provenance.codebook_sha256,
                        "qcode_version": provenance.qcode_version,
                    });
                    writeln!(out, "{line}").map_err(Error::write)?;
                }
                Ok(())
            })?;
        }
        Format::Table => {
            pipeline::run(&sources, &setup, &Progress::new(), |coded| {
                documents += 1;
                segments += coded.segments.len();
                codings.extend(coded.codings(&setup.codebook, setup.unit));
                Ok(())
            })?;
            passages = codings.len();
            let header = ["document", "segment", "lines", "speaker", "code", "hits", "matched"];
            let mut t = Table::new(
                header
                    .iter()
                    .map(|h| {
                        (
                            h.to_string(),
                            if matches!(*h, "segment" | "hits") {
                                Align::Right
                            } else {
                                Align::Left
                            },
                        )
                    })
                    .collect(),
            );
            for c in &codings {
                let lines = if c.end_line > c.start_line {
                    format!("{}–{}", c.start_line, c.end_line)
                } else {
                    c.start_line.to_string()
                };
                t.push(vec![
                    c.document.clone(),
                    c.segment.to_string(),
                    lines,
                    c.speaker.clone(),
                    c.code.clone(),
                    c.hits.to_string(),
                    join_matched(&c.matched),
                ]);
            }
            writeln!(out, "# {}", provenance.line()).map_err(Error::write)?;
            let width = terminal_width(out.is_terminal());
            writeln!(out, "{}", t.render_terminal(width)).map_err(Error::write)?;
            let summary = summary(passages, documents, segments, &setup);
            writeln!(out, "{summary}").map_err(Error::write)?;
        }
    }
    args.corpus.check_attributes(&setup);
    out.finish()?;
    if args.out.is_some() {
        let summary = summary(passages, documents, segments, &setup);
        message(&format!("{summary}; codebook sha256 {}", setup.codebook.sha256));
    }
    Ok(())
}

/// The attribute columns of the coded CSV, known before any document is
/// coded: each source's own attributes in input order, with the attributes
/// file's columns after those of the first document it describes.
fn attribute_columns(sources: &[Source], setup: &Setup) -> Result<Vec<String>> {
    let found: Vec<Result<Vec<String>>> = sources
        .par_iter()
        .map(|s| corpus::attribute_names(s, &setup.read))
        .collect();
    let mut columns: Vec<String> = Vec::new();
    let add = |names: &[String], columns: &mut Vec<String>| {
        for n in names {
            if !columns.contains(n) {
                columns.push(n.clone());
            }
        }
    };
    for (source, names) in sources.iter().zip(found) {
        add(&names?, &mut columns);
        if let Some(table) = &setup.attributes
            && table.has(&source.id)
        {
            add(&table.columns, &mut columns);
        }
    }
    if let Some(table) = &setup.attributes {
        add(&table.columns, &mut columns);
    }
    Ok(columns)
}

/// "12 coded passages in 3 documents (97 paragraphs)".
fn summary(passages: usize, documents: usize, segments: usize, setup: &Setup) -> String {
    format!(
        "{} in {} ({})",
        counted(passages, "coded passage"),
        counted(documents, "document"),
        counted(segments, setup.unit.as_str())
    )
}
