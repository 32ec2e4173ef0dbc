//! `qcode excerpts`: the coded passages, grouped by code then document.

use std::path::PathBuf;

use qcode::pipeline;
use qcode::report::excerpts::{ExcerptFormat, Excerpts};
use qcode::report::{CodeTree, Provenance};
use qcode::{Error, Result};

use super::util::{CodedArgs, CorpusArgs, Progress, choice, optional_codebook, write_report_to};

/// Show the coded passages — the quotations behind each code — grouped by
/// code then document, with the matched words highlighted (colour on a
/// terminal, **bold** in Markdown). A parent code lists its sub-codes'
/// passages too.
///
/// Examples:
///   qcode excerpts samples/transcripts -c codebooks/smuggling.yaml \
///       --code prices --context 1
///   qcode excerpts --coded coded.csv -c codebooks/smuggling.yaml \
///       --code debt --format markdown --out debt.md
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "The coded passages, grouped by code then document, matches highlighted"
,
    mut_arg("codebook", |a| a.required_unless_present("coded"))
)]
pub struct Args {
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    #[command(flatten)]
    coded: CodedArgs,
    /// Only these codes (and their sub-codes); repeat or separate with commas.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    code: Vec<String>,
    /// Show N neighbouring segments before and after each passage.
    #[arg(long, value_name = "N", default_value_t = 0)]
    context: usize,
    /// Output format [default: from the extension of --out (.txt, .md,
    /// .csv, .xlsx), else text].
    #[arg(long, value_parser = choice::<ExcerptFormat>())]
    format: Option<ExcerptFormat>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let (mut excerpts, provenance) = if args.coded.is_empty() {
        from_transcripts(&args)?
    } else {
        from_coded(&args)?
    };
    excerpts.sort();
    let format = ExcerptFormat::resolve(args.format, args.out.as_deref())?.report_format();
    write_report_to(args.out.as_deref(), format, &excerpts, &provenance, &[])
}

fn from_transcripts(args: &Args) -> Result<(Excerpts, Provenance)> {
    args.coded.check_unused()?;
    let (setup, sources) = args.corpus.setup()?;
    let tree = CodeTree::from_codebook(&setup.codebook);
    let mut excerpts = Excerpts::new(tree, &args.code, Some(&setup.codebook), args.context)?;
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        let codings = coded.codings(&setup.codebook, setup.unit);
        excerpts.add_coded(&coded, codings);
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let provenance = Provenance::new(Some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    Ok((excerpts, provenance))
}

fn from_coded(args: &Args) -> Result<(Excerpts, Provenance)> {
    if args.context > 0 {
        return Err(
            Error::usage("--context needs the transcripts, which a coded CSV does not hold")
                .hint("run `qcode excerpts TRANSCRIPTS --codebook FILE --context N` instead, or leave out --context"),
        );
    }
    let codings = args.coded.read(&args.corpus)?;
    let codebook = optional_codebook(args.corpus.codebook.as_ref())?;
    let (tree, _) = CodeTree::for_codings(codebook.as_ref(), &codings);
    let mut excerpts = Excerpts::new(tree, &args.code, codebook.as_ref(), 0)?;
    excerpts.add_codings(&codings);
    let provenance = Provenance::new(codebook.as_ref(), args.coded.names(), None);
    Ok((excerpts, provenance))
}
