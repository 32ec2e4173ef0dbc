//! `qcode code`: apply the codebook and write the codings.

use std::io::Write;
use std::path::PathBuf;

use qcode::coding::{Coding, CsvWriter, join_matched};
use qcode::output::{Output, write_error};
use qcode::report::{Align, Provenance, Table};
use qcode::{Result, pipeline};

use super::util::{CorpusArgs, terminal_width};

/// Apply the codebook to the transcripts and write one row per coded
/// passage (segment × code).
///
/// The CSV is qcode's interchange format (see the README: "The coded CSV"):
/// `freq --coded`, `excerpts --coded`, `agree` and `audit` read it back, and
/// a person can code in a spreadsheet with the same columns.
///
/// Example: qcode code samples/transcripts --codebook codebooks/smuggling.yaml --out coded.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
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
    let mut codings: Vec<Coding> = Vec::new();
    let mut attribute_names: Vec<String> = Vec::new();
    let mut documents = 0usize;
    let mut segments = 0usize;
    pipeline::run(&sources, &setup, |coded| {
        documents += 1;
        segments += coded.segments.len();
        for k in coded.doc.attributes.keys() {
            if !attribute_names.contains(k) {
                attribute_names.push(k.clone());
            }
        }
        codings.extend(coded.codings(&setup.codebook, setup.unit));
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let provenance = Provenance::new(Some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    let mut out = Output::open(args.out.as_deref())?;
    match args.format {
        Format::Csv => {
            let mut w = CsvWriter::new(&mut out, attribute_names)?;
            for c in &codings {
                w.write(c)?;
            }
            w.into_inner()?;
        }
        Format::Jsonl => {
            for c in &codings {
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
                writeln!(out, "{line}").map_err(write_error)?;
            }
        }
        Format::Table => {
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
            writeln!(out, "# {}", provenance.line()).map_err(write_error)?;
            let width = terminal_width(out.is_terminal());
            writeln!(out, "{}", t.render_terminal(width)).map_err(write_error)?;
            writeln!(
                out,
                "{} coded passages in {documents} documents ({segments} {}s)",
                codings.len(),
                setup.unit.as_str()
            )
            .map_err(write_error)?;
        }
    }
    out.finish()?;
    if args.out.is_some() {
        eprintln!(
            "qcode: {} coded passages in {documents} documents ({segments} {}s); codebook sha256 {}",
            codings.len(),
            setup.unit.as_str(),
            setup.codebook.sha256
        );
    }
    Ok(())
}
