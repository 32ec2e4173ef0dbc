//! `qcode audit`: qcode's automatic coding against a human gold standard.

use std::path::PathBuf;

use indexmap::IndexSet;
use qcode::codebook::Codebook;
use qcode::coding::AUTO_CODER;
use qcode::reliability::data::{self, Options, unit_of_codings};
use qcode::reliability::gold::audit_report;
use qcode::reliability::input::{CodedFile, InputFile, is_coded_csv, read_input};
use qcode::reliability::rules::RuleFinder;
use qcode::reliability::transcripts::{TranscriptDoc, Transcripts};
use qcode::report::{Format, Provenance};
use qcode::{Error, Result, pipeline};

use super::util::{CorpusArgs, Progress, choice, message, optional_codebook, warn, write_records_to, write_report_to};

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
///   qcode audit --gold samples/coders/gold.csv samples/transcripts -c codebooks/smuggling.yaml
///   qcode audit --gold samples/coders/gold.csv coded.csv --code prices,debt
///   qcode audit --gold human.csv samples/transcripts -c codebooks/smuggling.yaml --errors errors.csv
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
    corpus: CorpusArgs,
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
}

pub fn run(mut args: Args) -> Result<()> {
    let mut gold = gold_file(&args)?;
    if args.corpus.inputs.is_empty() {
        return Err(
            Error::new("nothing to audit: give qcode's coded CSV, or the transcripts and --codebook")
                .hint("e.g. qcode audit --gold human.csv samples/transcripts --codebook codebooks/smuggling.yaml"),
        );
    }
    let coded_inputs = args.corpus.inputs.iter().filter(|p| is_coded_csv(p)).count();
    let (mut predicted, transcripts, codebook) = match coded_inputs {
        0 => code_now(&mut args, &gold)?,
        n if n == args.corpus.inputs.len() => read_predicted(&args)?,
        _ => {
            return Err(Error::new("the inputs mix coded CSVs and transcripts")
                .hint("give either qcode's coded CSV, or the transcripts with --codebook"));
        }
    };
    let declared: Option<Vec<String>> = codebook
        .as_ref()
        .map(|cb| cb.codes.iter().map(|c| c.name.clone()).collect());
    if let Some(declared) = &declared {
        gold.resolve_codes(declared);
        predicted.resolve_codes(declared);
    }
    let unit = match &transcripts {
        Some(t) => Some(t.unit),
        None => unit_of_codings(std::slice::from_ref(&gold))?,
    };
    let coders = [gold.codings[0].coder.clone(), AUTO_CODER.to_string()];
    let opts = Options {
        declared: declared.as_deref(),
        coders: Some(&coders),
        transcripts: transcripts.as_ref(),
        all_rated: args.all_rated,
        complete_coder: Some(AUTO_CODER),
        ..Options::default()
    };
    let mut built = data::from_coded(&[gold, predicted], &opts)?;
    if !args.code.is_empty() {
        for c in &args.code {
            if !built.data.codes.contains(c) {
                return Err(
                    Error::new(format!("there is no code `{c}` in the codings or the codebook"))
                        .hint(format!("the codes are: {}", built.data.codes.join(", "))),
                );
            }
        }
        built.data.codes.retain(|c| args.code.contains(c));
    }
    built.warnings.iter().for_each(|w| warn(w));
    let mut finder = codebook.as_ref().map(RuleFinder::new).transpose()?;
    let report = audit_report(&built.data, finder.as_mut())?;

    let files = std::iter::once(&args.gold)
        .chain(&args.corpus.inputs)
        .map(|p| p.display().to_string())
        .collect();
    let provenance = Provenance::new(codebook.as_ref(), files, unit.map(|u| u.as_str()));
    write_report_to(
        args.out.as_deref(),
        Format::resolve(args.format, args.out.as_deref()),
        &report,
        &provenance,
        &built.warnings,
    )?;
    if let Some(path) = &args.errors {
        write_records_to(path, &report.errors())?;
        message(&format!(
            "{} false positive(s) and negative(s) written to {}",
            report.misses.len(),
            path.display()
        ));
    }
    Ok(())
}

/// The gold standard, reduced to one coder. A gold coder called `qcode`
/// (a person's edit of qcode's file that kept the name) becomes `gold`.
fn gold_file(args: &Args) -> Result<CodedFile> {
    let mut file =
        match read_input(&args.gold)? {
            InputFile::Coded(f) => f,
            InputFile::Long(_) => {
                return Err(Error::new("the gold standard must be a coded CSV (`document,segment,…,code,coder`)")
                .in_file(&args.gold)
                .hint("the audit shows each error's passage, which the long format `unit,coder,code` does not hold"));
            }
        };
    let coders: IndexSet<String> = file.codings.iter().map(|c| c.coder.clone()).collect();
    let name = match (&args.gold_coder, coders.len()) {
        (Some(n), _) if coders.contains(n) => n.clone(),
        (Some(n), _) => {
            return Err(Error::new(format!("the gold file has no codings by `{n}`"))
                .in_file(&args.gold)
                .hint(format!(
                    "its coders are: {}",
                    coders.iter().cloned().collect::<Vec<_>>().join(", ")
                )));
        }
        (None, 0) => {
            return Err(Error::new("the gold file holds no codings (only a header)")
                .in_file(&args.gold)
                .hint("check that this is the right file"));
        }
        (None, 1) => coders[0].clone(),
        (None, n) => {
            return Err(Error::new(format!(
                "the gold file holds the codings of {n} coders ({})",
                coders.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
            .in_file(&args.gold)
            .hint("choose the gold standard's coder with --gold-coder NAME"));
        }
    };
    file.codings.retain(|c| c.coder == name);
    let role = if name == AUTO_CODER { "gold".to_string() } else { name };
    for c in &mut file.codings {
        c.coder = role.clone();
    }
    Ok(file)
}

type Predicted = (CodedFile, Option<Transcripts>, Option<Codebook>);

/// qcode's coding read from coded CSVs; a codebook, if given, names the
/// rules behind false positives.
fn read_predicted(args: &Args) -> Result<Predicted> {
    let codebook = optional_codebook(args.corpus.codebook.as_ref())?;
    let mut codings = Vec::new();
    for path in &args.corpus.inputs {
        if let InputFile::Coded(f) = read_input(path)? {
            codings.extend(f.codings);
        }
    }
    let coders: IndexSet<&str> = codings.iter().map(|c| c.coder.as_str()).collect();
    if coders.len() > 1 {
        return Err(Error::new(format!(
            "the automatic coding holds the codings of {} coders ({})",
            coders.len(),
            coders.iter().copied().collect::<Vec<_>>().join(", ")
        ))
        .hint("give qcode's own coded CSV (written by `qcode code`), or compare people with `qcode agree`"));
    }
    for c in &mut codings {
        c.coder = AUTO_CODER.to_string();
    }
    let name = args
        .corpus
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Ok((CodedFile { name, codings }, None, codebook))
}

/// Codes the transcripts now, keeping their segments as the unit universe.
/// The unit is --unit, else the gold file's `unit` column, else the
/// codebook's.
fn code_now(args: &mut Args, gold: &CodedFile) -> Result<Predicted> {
    if args.corpus.codebook.is_none() {
        return Err(Error::new("to code the transcripts now, qcode needs the codebook")
            .hint("add --codebook FILE.yaml, or give qcode's coded CSV instead of the transcripts"));
    }
    if args.corpus.unit.is_none() {
        args.corpus.unit = unit_of_codings(std::slice::from_ref(gold))?;
    }
    let (setup, sources) = args.corpus.setup()?;
    let mut transcripts = Transcripts::new(setup.unit);
    let mut codings = Vec::new();
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        codings.extend(coded.codings(&setup.codebook, setup.unit));
        transcripts
            .docs
            .insert(coded.doc.id.clone(), TranscriptDoc::new(&coded.doc, coded.segments));
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    if codings.is_empty() {
        return Err(Error::new("qcode coded nothing in these transcripts, so there is nothing to audit")
            .hint("check the rules with `qcode codebook check`, and that these are the transcripts the gold standard coded"));
    }
    let file = CodedFile {
        name: "qcode (automatic coding)".to_string(),
        codings,
    };
    Ok((file, Some(transcripts), Some(setup.codebook)))
}
