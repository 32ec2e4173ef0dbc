//! `qcode audit`: qcode's automatic coding against a human gold standard.

use std::path::PathBuf;

use std::collections::{BTreeMap, HashSet};

use qcode::choice::Choice;
use qcode::codebook::Codebook;
use qcode::coding::{CodeTree, read_coded_csv};
use qcode::embed::FileHashes;
use qcode::reliability;
use qcode::reliability::data::rolled_up;
use qcode::reliability::data::unit_of_codings;
use qcode::reliability::gold::{AuditOptions, audit};
use qcode::reliability::input::{CodedFile, is_coded_csv, read_automatic, read_gold};
use qcode::report::xlsx::Sheet;
use qcode::report::{Format, Provenance};
use qcode::suggest::report::SuggestionAudit;
use qcode::suggest::{CodeTexts, Embedder, Method, Options as SuggestOptions, Passages, suggest};
use qcode::transcripts::Transcripts;
use qcode::{Error, Result};

use super::util::{
    CorpusArgs, Gate, ModelArgs, Progress, check_gate, choice, message, optional_codebook, parse_threshold, warn,
    warn_cache, write_report_to, write_sheet_to,
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
///   qcode audit --gold samples/coders/gold.csv samples/transcripts \
///       -c codebooks/smuggling.yaml --suggest 5
///
/// With --suggest K, the report is what suggestions add to the rules: per
/// code, how many of the rules' false negatives are among the top K
/// suggestions of `qcode suggest` (made among the documents the human
/// coded), and the share of suggestions the human coded (precision).
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
    /// Report how many of the rules' false negatives the top K suggestions
    /// per code recover (needs the transcripts and --codebook).
    #[arg(long, value_name = "K")]
    suggest: Option<usize>,
    /// With --suggest: how suggestions are ranked [default: contrast].
    #[arg(long, value_parser = choice::<Method>(), requires = "suggest")]
    method: Option<Method>,
    /// With --suggest: coded CSVs of passages a person coded, as more
    /// examples of their codes (as for `qcode suggest`).
    #[arg(long, value_name = "FILE.csv", requires = "suggest")]
    examples_from: Vec<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
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
    let suggestions = match args.suggest {
        Some(top) => {
            let (Some(transcripts), Some(codebook)) = (&transcripts, &codebook) else {
                return Err(
                    Error::usage("--suggest needs the transcripts and --codebook, not a coded CSV").hint(
                        "e.g. qcode audit --gold human.csv samples/transcripts -c codebooks/smuggling.yaml --suggest 5",
                    ),
                );
            };
            Some(audit_suggestions(&args, top, codebook, transcripts, &gold, &predicted)?)
        }
        None => None,
    };
    let audited = audit(gold, predicted, &options)?;
    audited.warnings.iter().for_each(|w| warn(w));
    let files = std::iter::once(&args.gold)
        .chain(&args.corpus.inputs)
        .map(|p| p.display().to_string())
        .collect();
    let provenance = Provenance::new(codebook.as_ref(), files, audited.unit.map(|u| u.as_str()));
    let format = Format::resolve(args.format, args.out.as_deref())?;
    match &suggestions {
        Some((report, hashes)) => {
            // Only the codes the audit compares.
            let mut report = report.clone();
            let audited_codes: Vec<&str> = audited.report.rows.iter().map(|r| r.code.as_str()).collect();
            report.retain_codes(&audited_codes);
            write_report_to(
                args.out.as_deref(),
                format,
                &report,
                &provenance.with_model(hashes),
                &audited.warnings,
            )?
        }
        None => write_report_to(
            args.out.as_deref(),
            format,
            &audited.report,
            &provenance,
            &audited.warnings,
        )?,
    }
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

/// The audit of suggestions: per code, the passages the human coded and
/// those the rules coded, among the documents the human coded, and the top
/// `top` suggestions there.
fn audit_suggestions(
    args: &Args,
    top: usize,
    codebook: &Codebook,
    transcripts: &Transcripts,
    gold: &CodedFile,
    predicted: &CodedFile,
) -> Result<(SuggestionAudit, FileHashes)> {
    if top == 0 {
        return Err(Error::usage("--suggest 0 asks for no suggestions").hint("give --suggest 1 or more, e.g. 5"));
    }
    let model = args.model.load()?;
    let tree = CodeTree::from_codebook(codebook);
    let passages = Passages::new(transcripts, &predicted.codings, Some(&tree));
    let human: HashSet<&str> = gold.codings.iter().map(|c| c.document.as_str()).collect();
    let among: Vec<bool> = passages
        .passages
        .iter()
        .map(|p| human.contains(p.document.as_str()))
        .collect();
    let mut gold_sets: BTreeMap<String, HashSet<usize>> = BTreeMap::new();
    for c in &gold.codings {
        let Some(at) = passages.find(&c.document, c.segment) else {
            continue;
        };
        let Some(code) = tree.find(&c.code).map(|i| tree.codes[i].name.as_str()) else {
            continue;
        };
        for name in rolled_up(code, Some(&tree)) {
            gold_sets.entry(name.to_string()).or_default().insert(at);
        }
    }
    let mut rule_sets: BTreeMap<String, HashSet<usize>> = BTreeMap::new();
    for (at, codes) in passages.coded.iter().enumerate() {
        for code in codes {
            rule_sets.entry(code.clone()).or_default().insert(at);
        }
    }
    let mut texts = CodeTexts::from_codebook(codebook);
    for file in &args.examples_from {
        CodeTexts::add_coded(&mut texts, &read_coded_csv(file)?, &passages, &tree);
    }
    let embedder = Embedder {
        model: &model,
        cache: args.model.cache(&model),
    };
    let options = SuggestOptions {
        method: args.method.unwrap_or_default(),
        top,
        among: Some(among),
    };
    let (found, usage) = suggest(&embedder, &passages, &texts, &tree, &options)?;
    warn_cache(&usage);
    let codes = codebook.code_names();
    let report = SuggestionAudit::new(
        &codes,
        &gold_sets,
        &rule_sets,
        &found,
        top,
        Choice::name(args.method.unwrap_or_default()),
    );
    Ok((report, model.files_sha256().clone()))
}
