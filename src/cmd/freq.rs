//! `qcode freq`: frequency tables and crosstabs of codes.

use std::path::PathBuf;

use qcode::Result;
use qcode::coding::common_unit;
use qcode::pipeline;
use qcode::report::freq::{Count, Freq, GroupBy};
use qcode::report::{CodeTree, Format, Provenance};

use super::util::{CodedArgs, CorpusArgs, Progress, choice, optional_codebook, warn, write_report_to};

/// Count codes: segments coded, documents coded, % of documents and hits per
/// code, in codebook order, parents counting their sub-codes' segments.
///
/// With --by, a crosstab: one column per value of a document attribute
/// (country, …), per speaker, per role (the codebook's `roles:`; without
/// them, `role` is an attribute) or per document.
///
/// Examples:
///   qcode freq samples/transcripts --codebook codebooks/smuggling.yaml
///   qcode freq samples/transcripts -c codebooks/smuggling.yaml --attributes samples/attributes.csv --by country
///   qcode freq --coded coded.csv --by speaker
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Frequency table of codes, or a crosstab by attribute, speaker or document"
)]
pub struct Args {
    #[command(flatten)]
    corpus: CorpusArgs,
    #[command(flatten)]
    coded: CodedArgs,
    /// Crosstab by a document attribute, `speaker`, `role` (the roles of the
    /// codebook's `roles:`) or `document`.
    #[arg(long, value_name = "ATTRIBUTE")]
    by: Option<String>,
    /// What the crosstab cells count.
    #[arg(long, value_parser = choice::<Count>(), default_value = "segments")]
    count: Count,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let (freq, provenance) = if args.coded.is_empty() {
        from_transcripts(&args)?
    } else {
        from_coded(&args)?
    };
    freq.check_groups()?;
    let format = Format::resolve(args.format, args.out.as_deref());
    write_report_to(args.out.as_deref(), format, &freq, &provenance, &[])
}

fn from_transcripts(args: &Args) -> Result<(Freq, Provenance)> {
    args.coded.check_unused()?;
    let (mut setup, sources) = args.corpus.setup()?;
    let by = args
        .by
        .as_deref()
        .map(|by| GroupBy::parse(by, Some(&setup.codebook.people)));
    // A crosstab by speaker or role needs speakers.
    setup.speakers_matter |= matches!(by, Some(GroupBy::Speaker | GroupBy::Role(_)));
    let mut freq = Freq::new(CodeTree::from_codebook(&setup.codebook), by, args.count, true);
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        freq.add_coded(&coded);
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let provenance = Provenance::new(Some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    Ok((freq, provenance))
}

fn from_coded(args: &Args) -> Result<(Freq, Provenance)> {
    let codings = args.coded.read(&args.corpus)?;
    let codebook = optional_codebook(args.corpus.codebook.as_ref())?;
    let by = args
        .by
        .as_deref()
        .map(|by| GroupBy::parse(by, codebook.as_ref().map(|c| &c.people)));
    let (tree, unknown) = CodeTree::for_codings(codebook.as_ref(), &codings);
    if !unknown.is_empty() {
        warn(&format!(
            "codes not in the codebook, listed after it: {}",
            unknown.join(", ")
        ));
    }
    let mut freq = Freq::new(tree, by, args.count, false);
    freq.add_codings(&codings);
    let provenance = Provenance::new(codebook.as_ref(), args.coded.names(), common_unit(&codings));
    Ok((freq, provenance))
}
