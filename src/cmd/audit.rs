//! `qcode audit`: qcode's automatic coding against a human gold standard.

use std::path::PathBuf;

use qcode::codebook::Codebook;
use qcode::reliability;
use qcode::reliability::data::unit_of_codings;
use qcode::reliability::gold::{AuditOptions, audit};
use qcode::reliability::input::{CodedFile, is_coded_csv, read_automatic, read_gold};
use qcode::report::xlsx::Sheet;
use qcode::report::{Format, Provenance};
use qcode::transcripts::Transcripts;
use qcode::{Error, Result};

use super::util::{
    CorpusArgs, Gate, Progress, check_gate, choice, message, optional_codebook, parse_threshold, warn, write_report_to,
    write_sheet_to,
};
use qcode::stats::Coef;

/// Audit the codebook's rules against a human coder: per code, precision,
/// recall, F1 and Cohen's kappa of qcode's automatic coding against a
/// human gold standard, then every false positive (with the matched terms
/// and the rule that fired, so you see which rule to fix) and every false
/// negative (the human's passage, so you see what the rules miss).
///
/// INPUTS are qcode's coded CSV (from `qcode code`), or the transcripts
/// together with --codebook, which qcode then codes in the same run. Only
/// documents the human coded are compared; qcode is taken to have rated
/// each of them.
///
/// Examples:
///   qcode audit --gold samples/coders/gold.csv samples/transcripts \
///       -c codebooks/smuggling.yaml
///   qcode audit --gold samples/coders/gold.csv coded.csv --code prices,debt
///   qcode audit --gold samples/coders/gold.csv samples/transcripts \
///       -c codebooks/smuggling.yaml --errors errors.csv
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "The codebook's rules against a human gold standard: precision, recall, errors"
)]
pub struct Args {
    /// The human gold standard: a coded CSV.
    #[arg(long, value_name = "HUMAN.csv")]
    gold: PathBuf,
    /// The gold file's coder, when it holds the codings of several coders.
    #[arg(long, value_name = "NAME")]
    gold_coder: Option<String>,
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    /// Audit only these codes (repeat or separate with commas).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    code: Vec<String>,
    /// The human read every document: a document without any of the
    /// human's rows counts as "no code applies" there, not as "not coded".
    #[arg(long)]
    all_rated: bool,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write every false positive and false negative to this CSV.
    #[arg(long, value_name = "FILE.csv")]
    errors: Option<PathBuf>,
    /// Exit with 1 when F1 is under this value (overall, micro-averaged, or
    /// for every code with --per-code): a gate for CI. The report is
    /// written either way; 2 stays for errors.
    #[arg(long, value_name = "F1", value_parser = parse_threshold)]
    fail_under_f1: Option<f64>,
    /// With --fail-under-f1: check every code's F1 rather than the overall
    /// one (codes whose F1 is undefined are named, not failed).
    #[arg(long, requires = "fail_under_f1")]
    per_code: bool,
}

pub fn run(args: Args) -> Result<Gate> {
    let mut gold = read_gold(&args.gold, args.gold_coder.as_deref())?;
    if args.corpus.inputs.is_empty() {
        return Err(
            Error::usage("nothing to audit: give qcode's coded CSV, or the transcripts and --codebook")
                .hint("e.g. qcode audit --gold human.csv samples/transcripts --codebook codebooks/smuggling.yaml"),
        );
    }
    let coded_inputs = args.corpus.inputs.iter().filter(|p| is_coded_csv(p)).count();
    let (predicted, transcripts, codebook) = match coded_inputs {
        0 => code_now(&args, &gold)?,
        n if n == args.corpus.inputs.len() => {
            let codebook = optional_codebook(args.corpus.codebook.as_ref())?;
            let mut automatic = read_automatic(&args.corpus.inputs)?;
            automatic.codings = args.corpus.filter.keep_codings(automatic.codings)?;
            (automatic, None, codebook)
        }
        _ => {
            return Err(Error::usage("the inputs mix coded CSVs and transcripts")
                .hint("give either qcode's coded CSV, or the transcripts with --codebook"));
        }
    };
    if !args.corpus.filter.conditions.is_empty() {
        // The documents --where keeps are those of the automatic coding; the
        // gold standard is compared on them alone.
        let kept: std::collections::HashSet<&str> = match &transcripts {
            Some(t) => t.docs.keys().map(String::as_str).collect(),
            None => predicted.codings.iter().map(|c| c.document.as_str()).collect(),
        };
        gold.codings.retain(|c| kept.contains(c.document.as_str()));
    }
    let options = AuditOptions {
        codebook: codebook.as_ref(),
        transcripts: transcripts.as_ref(),
        codes: &args.code,
        all_rated: args.all_rated,
    };
    let audited = audit(gold, predicted, &options)?;
    audited.warnings.iter().for_each(|w| warn(w));
    let files = std::iter::once(&args.gold)
        .chain(&args.corpus.inputs)
        .map(|p| p.display().to_string())
        .collect();
    let provenance = Provenance::new(codebook.as_ref(), files, audited.unit.map(|u| u.as_str()));
    write_report_to(
        args.out.as_deref(),
        Format::resolve(args.format, args.out.as_deref())?,
        &audited.report,
        &provenance,
        &audited.warnings,
    )?;
    if let Some(path) = &args.errors {
        write_sheet_to(path, Sheet::new("errors", audited.report.errors()))?;
        message(&format!(
            "{} false positive(s) and negative(s) written to {}",
            audited.report.misses.len(),
            path.display()
        ));
    }
    Ok(match args.fail_under_f1 {
        None => Gate::Passed,
        Some(threshold) => {
            let rows: Vec<(&str, Coef)> = audited
                .report
                .rows
                .iter()
                .map(|r| (r.code.as_str(), r.scores.f1))
                .collect();
            check_gate(&rows, threshold, args.per_code, "F1")
        }
    })
}

/// Codes the transcripts now, keeping their segments as the unit
/// universe. The unit is --unit, else the gold file's `unit` column, else
/// the codebook's.
fn code_now(args: &Args, gold: &CodedFile) -> Result<(CodedFile, Option<Transcripts>, Option<Codebook>)> {
    if args.corpus.codebook.is_none() {
        return Err(Error::usage("to code the transcripts now, qcode needs the codebook")
            .hint("add --codebook FILE.yaml, or give qcode's coded CSV instead of the transcripts"));
    }
    let mut corpus = args.corpus.clone();
    if corpus.unit.is_none() {
        corpus.unit = unit_of_codings(std::slice::from_ref(gold))?;
    }
    let (setup, sources) = corpus.setup()?;
    let (predicted, transcripts) = reliability::gold::code_for_audit(&sources, &setup, &Progress::new())?;
    corpus.check_attributes(&setup);
    Ok((predicted, Some(transcripts), Some(setup.codebook)))
}
