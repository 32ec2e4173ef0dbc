//! `qcode kwic`: a candidate term in context, matched as the codebook
//! would match it.

use std::path::PathBuf;

use qcode::codebook::Codebook;
use qcode::develop::kwic::{Kwic, KwicSetup};
use qcode::pipeline;
use qcode::reliability::input::read_gold;
use qcode::report::freq::GroupBy;
use qcode::report::{Format, Provenance};
use qcode::{Error, Result};

use super::util::{CorpusArgs, Progress, choice, write_report_to};

/// Keyword in context: every place a candidate keyword, wildcard, phrase
/// or rule matches, with the passage's text aligned left and right of it,
/// and counts per document (or attribute, speaker, role with --by).
///
/// Terms are matched exactly as keywords of the codebook (-c) are: case,
/// accents one way, whole words, phrases across line breaks, speaker
/// labels never matched, the codebook's `skip_speakers` (with --code, the
/// accents and speaker scope of that code). The TERMS come first; the
/// INPUTS start at the first argument that is a file or folder.
///
/// With --gold and --code: how many matched passages the human coded with
/// the code, and how many passages the term would add to it, right and
/// wrong — a precision preview before editing the codebook.
///
/// Examples:
///   qcode kwic "mordida*" samples/transcripts -c codebooks/smuggling.yaml
///   qcode kwic precio price samples/transcripts -c codebooks/smuggling.yaml \
///       --by country --attributes samples/attributes.csv
///   qcode kwic samples/transcripts -c codebooks/smuggling.yaml \
///       --rule 'near: [{terms: [price, [thousand, mil]], within: 6}]'
///   qcode kwic "price*" samples/transcripts -c codebooks/smuggling.yaml \
///       --code prices --gold samples/coders/gold.csv
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Keyword in context: where a candidate term or rule matches"
)]
pub struct Args {
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    /// A rule as a codebook writes it, in YAML (`near: …`, `all: …`,
    /// `patterns: …`), looked for as one more candidate.
    #[arg(long, value_name = "YAML")]
    rule: Option<String>,
    /// Match as keywords of this code (its accents and speaker scope); with
    /// --gold, the code previewed.
    #[arg(long, value_name = "NAME", requires = "codebook")]
    code: Option<String>,
    /// A human's coded CSV: how the candidates would change --code.
    #[arg(long, value_name = "HUMAN.csv", requires = "code")]
    gold: Option<PathBuf>,
    /// The gold file's coder, when it holds the codings of several coders.
    #[arg(long, value_name = "NAME", requires = "gold")]
    gold_coder: Option<String>,
    /// Count matches by a document attribute, `speaker`, `role` or
    /// `document`.
    #[arg(long, value_name = "ATTRIBUTE", default_value = "document")]
    by: String,
    /// Characters of context on each side.
    #[arg(long, value_name = "N", default_value_t = 40, value_parser = clap::value_parser!(u16).range(1..=1000))]
    width: u16,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(mut args: Args) -> Result<()> {
    let (terms, inputs) = split_terms(&args.corpus.inputs);
    if inputs.is_empty() {
        return Err(
            Error::usage("no transcripts to look in: none of the arguments is a file or folder")
                .hint("give the terms, then the transcripts: qcode kwic \"coyote*\" samples/transcripts"),
        );
    }
    args.corpus.inputs = inputs;
    let base = match &args.corpus.codebook {
        Some(path) => Codebook::load(path)?,
        None => Codebook::parse("name: kwic\ncodes:\n  - name: none\n", "(no codebook)")?,
    };
    let kwic_setup = KwicSetup::new(
        &base,
        &terms,
        args.rule.as_deref(),
        args.code.as_deref(),
        args.gold.is_some(),
    )?;
    let (setup, sources) = args.corpus.setup_with(kwic_setup.codebook.clone())?;
    let by = GroupBy::parse(&args.by, Some(&base.people), Some(&base.periods))?;
    let mut kwic = Kwic::new(&kwic_setup, usize::from(args.width), by);
    if let Some(gold) = &args.gold {
        kwic.preview(&kwic_setup, &read_gold(gold, args.gold_coder.as_deref())?.codings)?;
    }
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        kwic.add(&coded);
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let codebook = args.corpus.codebook.is_some().then_some(&base);
    let provenance = Provenance::new(codebook, Vec::new(), Some(setup.unit.as_str()));
    let format = Format::resolve(args.format, args.out.as_deref())?;
    write_report_to(args.out.as_deref(), format, &kwic, &provenance, &[])
}

/// The terms, then the inputs: the inputs start at the first argument that
/// is a file or folder (or `-`, standard input).
fn split_terms(arguments: &[PathBuf]) -> (Vec<String>, Vec<PathBuf>) {
    let first_input = arguments
        .iter()
        .position(|a| a.as_os_str() == "-" || a.exists())
        .unwrap_or(arguments.len());
    let terms = arguments[..first_input]
        .iter()
        .map(|t| t.to_string_lossy().into_owned())
        .collect();
    (terms, arguments[first_input..].to_vec())
}
