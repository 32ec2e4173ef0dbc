//! `qcode words`: the words and phrases that set passages apart, as
//! candidate keywords.

use std::path::PathBuf;

use qcode::codebook::Codebook;
use qcode::develop::words::{Target, Words};
use qcode::pipeline;
use qcode::report::freq::GroupBy;
use qcode::report::{Format, Provenance};
use qcode::{Error, Result};

use super::util::{CorpusArgs, Progress, choice, write_report_to};

/// Keyness: the words and two-word phrases over-represented in the
/// passages coded with a code (--code), or in one group of documents
/// (--by ATTRIBUTE --target VALUE), against the other passages, with
/// log-likelihood G², log ratio, and whether the code's rules already find
/// each — a list of candidate keywords.
///
/// Words are counted accent-folded and lower-cased, without speaker labels
/// and without Spanish and English stop words.
///
/// Examples:
///   qcode words samples/transcripts -c codebooks/smuggling.yaml \
///       --code environmental_hazards
///   qcode words samples/transcripts --attributes samples/attributes.csv \
///       --by country --target Honduras
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Keyness: the words that set coded passages (or a group) apart"
)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["code", "by"]))]
pub struct Args {
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    /// The target is the passages coded with this code (or a sub-code).
    #[arg(long, value_name = "NAME", requires = "codebook")]
    code: Option<String>,
    /// The target is a group of passages: a document attribute, `speaker`,
    /// `role` or `document` (with --target).
    #[arg(long, value_name = "ATTRIBUTE", requires = "group_value")]
    by: Option<String>,
    /// With --by: the group that is the target (the rest is the reference).
    #[arg(long = "target", id = "group_value", value_name = "VALUE", requires = "by")]
    group_value: Option<String>,
    /// How many terms to list.
    #[arg(long, value_name = "N", default_value_t = 30)]
    top: usize,
    /// Fewest occurrences in the target for a term to be listed.
    #[arg(long, value_name = "N", default_value_t = 3)]
    min_count: u64,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    if args.corpus.inputs.is_empty() {
        return Err(Error::usage("no transcripts to count words in")
            .hint("qcode words samples/transcripts -c codebooks/smuggling.yaml --code prices"));
    }
    let codebook = match &args.corpus.codebook {
        Some(path) => Codebook::load(path)?,
        None => Codebook::parse("name: words\ncodes:\n  - name: none\n", "(no codebook)")?,
    };
    let (target, name) = match (&args.code, &args.by, &args.group_value) {
        (Some(code), _, _) => (Target::Code(codebook.require(code)?), format!("passages coded {code}")),
        (None, Some(by), Some(value)) => (
            Target::Group(
                GroupBy::parse(by, Some(&codebook.people), Some(&codebook.periods))?,
                value.clone(),
            ),
            format!("{by} = {value}"),
        ),
        _ => unreachable!("clap requires --code or --by with --target"),
    };
    let mut words = Words::new(&codebook, target, name, args.top, args.min_count);
    let (setup, sources) = args.corpus.setup_with(codebook.clone())?;
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        words.add(&coded, &setup.codebook);
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let named = args.corpus.codebook.is_some().then_some(&codebook);
    let provenance = Provenance::new(named, Vec::new(), Some(setup.unit.as_str()));
    let format = Format::resolve(args.format, args.out.as_deref())?;
    write_report_to(args.out.as_deref(), format, &words, &provenance, &[])
}
