//! `qcode code`: apply the codebook and write the codings.

use std::path::PathBuf;

use qcode::Result;
use qcode::coding::{CsvWriter, JsonlWriter};
use qcode::corpus;
use qcode::files::output::Output;
use qcode::pipeline::{self, Tally};
use qcode::report::codings::CodedPassages;
use qcode::report::{Format as ReportFormat, Provenance, write_report};

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
    let mut tally = Tally::default();
    // CSV and JSON lines are written as documents are coded (memory holds a
    // batch of documents, not the corpus); the table needs every row first.
    match args.format {
        Format::Csv => {
            let columns = corpus::attribute_columns(&sources, &setup.read, setup.attributes.as_ref())?;
            let mut csv = CsvWriter::new(&mut out, columns)?;
            pipeline::run(&sources, &setup, &Progress::new(), |coded| {
                for c in tally.add(&coded, &setup) {
                    csv.write(&c)?;
                }
                Ok(())
            })?;
            csv.into_inner()?;
        }
        Format::Jsonl => {
            let mut jsonl = JsonlWriter::new(&mut out, &provenance);
            pipeline::run(&sources, &setup, &Progress::new(), |coded| {
                for c in tally.add(&coded, &setup) {
                    jsonl.write(&c)?;
                }
                Ok(())
            })?;
        }
        Format::Table => {
            let mut codings = Vec::new();
            pipeline::run(&sources, &setup, &Progress::new(), |coded| {
                codings.extend(tally.add(&coded, &setup));
                Ok(())
            })?;
            let report = CodedPassages {
                codings,
                summary: tally.summary(setup.unit),
            };
            let width = terminal_width(out.is_terminal());
            write_report(&mut out, &report, ReportFormat::Table, &provenance, &[], width, false)?;
        }
    }
    args.corpus.check_attributes(&setup);
    out.finish()?;
    if args.out.is_some() {
        message(&format!(
            "{}; codebook sha256 {}",
            tally.summary(setup.unit),
            setup.codebook.sha256
        ));
    }
    Ok(())
}
