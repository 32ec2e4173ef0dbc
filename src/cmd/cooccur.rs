//! `qcode cooccur`: which codes occur together, in the same passage, near
//! each other or in overlapping quotations.

use std::io::Write;
use std::path::PathBuf;

use qcode::coding::{Coding, common_unit};
use qcode::files::output::Output;
use qcode::pipeline;
use qcode::report::cooccur::{Cooccur, CooccurFormat, Proximity};
use qcode::report::freq::{GroupBy, NONE};
use qcode::report::{CodeTree, Provenance};
use qcode::{Error, Result};

use super::util::{CodedArgs, CorpusArgs, Progress, choice, optional_codebook, warn, write_report_to};

/// Co-occurrence of codes: for every pair of codes, the passages coded with
/// both, with Jaccard's index and ATLAS.ti's c-coefficient. A parent code
/// counts its sub-codes' passages, as in `freq`.
///
/// Examples:
///   qcode cooccur samples/transcripts -c codebooks/smuggling.yaml
///   qcode cooccur samples/transcripts -c codebooks/smuggling.yaml \
///       --within 1 --format csv
///   qcode cooccur samples/transcripts -c codebooks/smuggling.yaml \
///       --code debt --code prices
///   qcode cooccur --coded samples/coders/ana.csv -c codebooks/smuggling.yaml \
///       --out codes.graphml
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Which codes occur together: counts, Jaccard and the c-coefficient"
)]
pub struct Args {
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    #[command(flatten)]
    coded: CodedArgs,
    /// Codes co-occur when applied to passages at most N passages apart in
    /// a document (0: the same passage).
    #[arg(long, value_name = "N", conflicts_with = "overlap")]
    within: Option<usize>,
    /// With --coded: codes co-occur when their quotations (stretches of
    /// characters, as in codings imported from other programs) overlap.
    #[arg(long, requires = "coded")]
    overlap: bool,
    /// One table per value of a document attribute, `speaker`, `role` or
    /// `document`.
    #[arg(long, value_name = "ATTRIBUTE")]
    by: Option<String>,
    /// List the passages behind a pair of codes: give it twice
    /// (--code debt --code prices).
    #[arg(long, value_name = "CODE")]
    code: Vec<String>,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md, .xlsx, .graphml), else table].
    #[arg(long, value_parser = choice::<CooccurFormat>())]
    format: Option<CooccurFormat>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let format = CooccurFormat::resolve(args.format, args.out.as_deref())?;
    let proximity = match (args.within, args.overlap) {
        (_, true) => Proximity::Overlap,
        (Some(0) | None, false) => Proximity::Passage,
        (Some(n), false) => Proximity::Within(n),
    };
    let (cooccur, provenance) = if args.coded.is_empty() {
        from_transcripts(&args, proximity)?
    } else {
        from_coded(&args, proximity)?
    };
    if let Some(GroupBy::Attribute(a)) = &cooccur.by
        && !cooccur.matrices.is_empty()
        && cooccur.matrices.keys().all(|g| g == NONE)
    {
        return Err(Error::usage(format!("no coded document has the attribute `{a}`")).hint(
            "give attributes in front matter or with --attributes FILE.csv, or use --by speaker / --by document",
        ));
    }
    match format {
        CooccurFormat::Report(format) => write_report_to(args.out.as_deref(), format, &cooccur, &provenance, &[]),
        CooccurFormat::GraphMl => {
            let mut file = Output::open(args.out.as_deref())?;
            file.write_all(&cooccur.graphml()).map_err(Error::write)?;
            file.finish()
        }
    }
}

fn from_transcripts(args: &Args, proximity: Proximity) -> Result<(Cooccur, Provenance)> {
    args.coded.check_unused()?;
    let (mut setup, sources) = args.corpus.setup()?;
    let by = args
        .by
        .as_deref()
        .map(|by| GroupBy::parse(by, Some(&setup.codebook.people), Some(&setup.codebook.periods)))
        .transpose()?;
    setup.speakers_matter |= matches!(by, Some(GroupBy::Speaker | GroupBy::Role(_)));
    let mut cooccur = Cooccur::new(CodeTree::from_codebook(&setup.codebook), proximity, by, &args.code)?;
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        let codings = coded.codings(&setup.codebook, setup.unit);
        let codings: Vec<&Coding> = codings.iter().collect();
        cooccur.add_document(&coded.doc.id, &coded.doc.attributes, &codings)
    })?;
    args.corpus.check_attributes(&setup);
    let provenance = Provenance::new(Some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    Ok((cooccur, provenance))
}

fn from_coded(args: &Args, proximity: Proximity) -> Result<(Cooccur, Provenance)> {
    let codings = args.coded.read(&args.corpus)?;
    let codebook = optional_codebook(args.corpus.codebook.as_ref())?;
    let by = args
        .by
        .as_deref()
        .map(|by| {
            GroupBy::parse(
                by,
                codebook.as_ref().map(|c| &c.people),
                codebook.as_ref().map(|c| &c.periods),
            )
        })
        .transpose()?;
    let (tree, unknown) = CodeTree::for_codings(codebook.as_ref(), &codings);
    if !unknown.is_empty() {
        warn(&format!(
            "codes not in the codebook, listed after it: {}",
            unknown.join(", ")
        ));
    }
    let mut cooccur = Cooccur::new(tree, proximity, by, &args.code)?;
    cooccur.add_codings(&codings)?;
    let unit = if proximity == Proximity::Overlap {
        Some("characters")
    } else {
        common_unit(&codings)
    };
    let provenance = Provenance::new(codebook.as_ref(), args.coded.names(), unit);
    Ok((cooccur, provenance))
}
