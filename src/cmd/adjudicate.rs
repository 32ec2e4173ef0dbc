//! `qcode adjudicate`: the decisions of the disagreements sheet turned into
//! the adjudicated coded CSV, the gold standard.

use std::path::PathBuf;

use qcode::coding::{CodeTree, CsvWriter, read_coded_csv};
use qcode::files::output::Output;
use qcode::reliability::adjudicate::{ADJUDICATED, adjudicate, read_decisions};
use qcode::report::counted;
use qcode::{Error, Result};

use super::util::{message, optional_codebook, warn};

/// Write the adjudicated coded CSV from the `decision` column of the
/// disagreements sheet that `qcode agree --disagreements` wrote.
///
/// A decision is a coder's name (that coder's codes stand), `both` (every
/// coder's codes stand), `none` (no code applies) or codes separated by `;`
/// (those codes apply). Passages the coders agree on keep their codes; an
/// undecided row keeps only the codes every coder gave, and is listed. The
/// result's coder is `adjudicated`: give it to `audit --gold` or `agree`.
///
/// Examples:
///   qcode agree samples/coders/ana.csv samples/coders/luis.csv \
///       --transcripts samples/transcripts -c codebooks/smuggling.yaml \
///       --disagreements to_adjudicate.xlsx
///   qcode adjudicate to_adjudicate.xlsx --coded samples/coders/ana.csv \
///       --coded samples/coders/luis.csv --out adjudicated.csv
///   qcode audit samples/transcripts -c codebooks/smuggling.yaml \
///       --gold adjudicated.csv
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Turn the decisions on the disagreements into a gold-standard coded CSV"
)]
pub struct Args {
    /// The disagreements sheet (.csv or .xlsx), its `decision` column filled
    /// in.
    #[arg(value_name = "DISAGREEMENTS")]
    sheet: PathBuf,
    /// The coders' coded CSVs the disagreements were written from.
    #[arg(long, value_name = "FILE.csv", required = true)]
    coded: Vec<PathBuf>,
    /// The codebook, whose codes a decision may list (default: the codes of
    /// the coded CSVs).
    #[arg(long, short = 'c', value_name = "FILE")]
    codebook: Option<PathBuf>,
    /// Write the adjudicated coded CSV to this file instead of standard
    /// output.
    #[arg(long, short = 'o', value_name = "FILE.csv")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let mut codings = Vec::new();
    for path in &args.coded {
        codings.extend(read_coded_csv(path)?);
    }
    if let Some(c) = codings.iter().find(|c| c.coder == ADJUDICATED) {
        return Err(Error::usage(format!(
            "the coded files already hold adjudicated codings (of {})",
            c.document
        ))
        .hint("give the coders' own coded CSVs with --coded, not an adjudicated one"));
    }
    let codebook = optional_codebook(args.codebook.as_ref())?;
    let (tree, _) = CodeTree::for_codings(codebook.as_ref(), &codings);
    let (coders, rows) = read_decisions(&args.sheet, &tree)?;
    let done = adjudicate(&rows, &coders, &codings, &tree)?;
    let mut file = Output::open(args.out.as_deref())?;
    let mut writer = CsvWriter::new(&mut file, Vec::new(), done.attribute_columns())?;
    for c in &done.codings {
        writer.write(c)?;
    }
    writer.into_inner()?;
    file.finish()?;
    message(&format!(
        "{} decided, {} undecided; {} written{}",
        counted(done.decided, "row"),
        done.undecided.len(),
        counted(done.codings.len(), "coding"),
        args.out
            .as_ref()
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default()
    ));
    if !done.undecided.is_empty() {
        warn(&format!(
            "{} undecided, kept with only the codes every coder gave: {}; fill in their `decision` and run again",
            counted(done.undecided.len(), "row"),
            done.undecided.join(", ")
        ));
    }
    Ok(())
}
