//! `qcode code`: apply the codebook and write the codings.

use std::path::PathBuf;

use qcode::coding::{CsvWriter, JsonlWriter};
use qcode::corpus;
use qcode::files::output::Output;
use qcode::pipeline::{self, Tally};
use qcode::report::codings::CodedPassages;
use qcode::report::{CodeTree, Format as ReportFormat, Provenance, mismatch, write_report};
use qcode::{Error, Result};

use super::util::{CorpusArgs, Progress, message, terminal_width};

/// Apply the codebook to the transcripts and write one row per coded
/// passage (segment × code).
///
/// The CSV is qcode's interchange format (docs/coded-csv.md):
/// `freq --coded`, `excerpts --coded`, `agree` and `audit` read it back, and
/// a person can code in a spreadsheet with the same columns.
///
/// Examples:
///   qcode code samples/transcripts -c codebooks/smuggling.yaml --out coded.csv
///   qcode code samples/transcripts -c codebooks/smuggling.yaml \
///       --attributes samples/attributes.csv --out coded.xlsx
///   qcode code samples/survey/open_answers.csv --text-col answer \
///       --id-col respondent -c codebooks/smuggling.yaml
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Apply the codebook and write one row per coded passage (the coded CSV)",
    mut_arg("codebook", |a| a.required(true))
)]
pub struct Args {
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    /// Output format [default: from the extension of --out (.csv, .jsonl,
    /// .xlsx, .txt), else csv].
    #[arg(long, value_enum)]
    format: Option<Format>,
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
    /// An Excel workbook of the coded CSV's rows.
    Xlsx,
}

impl Format {
    /// The format asked for, else the one the output file's extension
    /// names, else the coded CSV; an extension that names another format
    /// is an error.
    fn resolve(asked: Option<Format>, out: Option<&std::path::Path>) -> Result<Format> {
        let ext = out
            .and_then(|p| p.extension())
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let named = match ext.as_deref() {
            Some("csv") => Some(Format::Csv),
            Some("jsonl" | "json") => Some(Format::Jsonl),
            Some("txt") => Some(Format::Table),
            Some("xlsx") => Some(Format::Xlsx),
            _ => None,
        };
        match (asked, named) {
            (Some(a), Some(n)) if a != n => {
                let name = clap::ValueEnum::to_possible_value(&a).map(|v| v.get_name().to_string());
                Err(mismatch(&name.unwrap_or_default(), ext.as_deref().unwrap_or_default()))
            }
            (Some(a), _) => Ok(a),
            (None, Some(n)) => Ok(n),
            (None, None) => Ok(Format::Csv),
        }
    }
}

pub fn run(args: Args) -> Result<()> {
    let (setup, sources) = args.corpus.setup()?;
    let provenance = Provenance::new(Some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    let format = Format::resolve(args.format, args.out.as_deref())?;
    let mut out = Output::open(args.out.as_deref())?;
    if format == Format::Xlsx && out.is_terminal() {
        return Err(
            Error::usage("a workbook is a file, not something to show on the terminal")
                .hint("give the file to write with --out FILE.xlsx"),
        );
    }
    let mut tally = Tally::default();
    // CSV and JSON lines are written as documents are coded (memory holds a
    // batch of documents, not the corpus); the table needs every row first.
    match format {
        Format::Csv => {
            let columns = corpus::attribute_columns(&sources, &setup.read, setup.attributes.as_ref())?;
            let mut csv = CsvWriter::new(&mut out, setup.codebook.extracted_fields(), columns)?;
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
        Format::Table | Format::Xlsx => {
            let mut codings = Vec::new();
            pipeline::run(&sources, &setup, &Progress::new(), |coded| {
                codings.extend(tally.add(&coded, &setup));
                Ok(())
            })?;
            let report = CodedPassages {
                codings,
                summary: tally.summary(setup.unit),
                tree: CodeTree::from_codebook(&setup.codebook),
            };
            let (as_format, width) = match format {
                Format::Xlsx => (ReportFormat::Xlsx, None),
                _ => (ReportFormat::Table, terminal_width(out.is_terminal())),
            };
            write_report(&mut out, &report, as_format, &provenance, &[], width, false)?;
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
