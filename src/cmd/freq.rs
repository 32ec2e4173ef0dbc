//! `qcode freq`: frequency tables and crosstabs of codes.

use std::path::PathBuf;

use qcode::Result;
use qcode::coding::common_unit;
use qcode::corpus::{AttributeTable, Selection};
use qcode::pipeline;
use qcode::report::freq::{Count, Freq, GroupBy, Percent};
use qcode::report::{CodeTree, Format, Provenance};
use qcode::segment::Unit;
use qcode::transcripts::Transcripts;

use super::util::{CodedArgs, CorpusArgs, Progress, choice, optional_codebook, periods_of, warn, write_report_to};

/// Count codes: segments coded, documents coded, % of documents and hits per
/// code, in codebook order, parents counting their sub-codes' segments.
///
/// With --by, a crosstab: one column per value of a document attribute
/// (country, …), per speaker, per role (the codebook's `roles:`; without
/// them, `role` is an attribute) or per document.
///
/// Examples:
///   qcode freq samples/transcripts -c codebooks/smuggling.yaml
///   qcode freq samples/transcripts -c codebooks/smuggling.yaml \
///       --attributes samples/attributes.csv --by country --percent column
///   qcode freq samples/transcripts -c codebooks/smuggling.yaml \
///       --by speaker --out counts.xlsx
///   qcode freq --coded coded.csv -c codebooks/smuggling.yaml \
///       --transcripts samples/transcripts --by document
///   qcode freq samples/transcripts -c codebooks/smuggling.yaml \
///       --attributes samples/attributes.csv --by period
///   qcode freq samples/transcripts -c codebooks/smuggling.yaml \
///       --attributes samples/attributes.csv --by date:year
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Frequency table of codes, or a crosstab by attribute, speaker or document"
,
    mut_arg("codebook", |a| a.required_unless_present("coded"))
)]
pub struct Args {
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    #[command(flatten)]
    coded: CodedArgs,
    /// Crosstab by a document attribute, `speaker`, `role` (the roles of the
    /// codebook's `roles:`), `document`, a date attribute's
    /// `ATTRIBUTE:month|quarter|year|period`, or `period` (the `date`
    /// attribute's named period).
    #[arg(long, value_name = "ATTRIBUTE")]
    by: Option<String>,
    /// Named periods for `--by period` (YAML: `closures: [2020-03-15,
    /// 2021-01-31]`, one per line), instead of the codebook's `periods:`.
    #[arg(long, value_name = "FILE.yaml")]
    periods: Option<PathBuf>,
    /// What the crosstab cells count.
    #[arg(long, value_parser = choice::<Count>(), default_value = "segments")]
    count: Count,
    /// Show a crosstab's cells as percentages.
    #[arg(long, value_parser = choice::<Percent>(), requires = "by")]
    percent: Option<Percent>,
    /// With --coded: the transcripts the coded CSVs were made from (files
    /// or folders), so that every segment is known, coded or not: the
    /// crosstab's group sizes and percentages of segments need them.
    #[arg(long, value_name = "PATH", requires = "coded")]
    transcripts: Vec<PathBuf>,
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
    freq.check()?;
    let format = Format::resolve(args.format, args.out.as_deref())?;
    write_report_to(args.out.as_deref(), format, &freq, &provenance, &[])
}

fn from_transcripts(args: &Args) -> Result<(Freq, Provenance)> {
    args.coded.check_unused()?;
    let (mut setup, sources) = args.corpus.setup()?;
    let periods = periods_of(args.periods.as_deref(), Some(&setup.codebook))?;
    let by = args
        .by
        .as_deref()
        .map(|by| GroupBy::parse(by, Some(&setup.codebook.people), Some(&periods)))
        .transpose()?;
    // A crosstab by speaker or role needs speakers.
    setup.speakers_matter |= matches!(by, Some(GroupBy::Speaker | GroupBy::Role(_)));
    let mut freq = Freq::new(CodeTree::from_codebook(&setup.codebook), by, args.count, true);
    freq.percent = args.percent;
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        freq.add_coded(&coded);
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let provenance = Provenance::new(Some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    Ok((freq, provenance))
}

fn from_coded(args: &Args) -> Result<(Freq, Provenance)> {
    let mut codings = args.coded.read(&args.corpus)?;
    let codebook = optional_codebook(args.corpus.codebook.as_ref())?;
    let periods = periods_of(args.periods.as_deref(), codebook.as_ref())?;
    let by = args
        .by
        .as_deref()
        .map(|by| GroupBy::parse(by, codebook.as_ref().map(|c| &c.people), Some(&periods)))
        .transpose()?;
    let (tree, unknown) = CodeTree::for_codings(codebook.as_ref(), &codings);
    if !unknown.is_empty() {
        warn(&format!(
            "codes not in the codebook, listed after it: {}",
            unknown.join(", ")
        ));
    }
    let transcripts = if args.transcripts.is_empty() {
        None
    } else {
        let unit = match common_unit(&codings) {
            Some(u) => u.parse::<Unit>()?,
            None => codebook.as_ref().map_or(Unit::Paragraph, |c| c.unit),
        };
        let speakers = args.corpus.read.speaker_rule_or(codebook.as_ref())?;
        let people = codebook.as_ref().map(|c| c.people.clone()).unwrap_or_default();
        let attributes = args
            .corpus
            .attributes
            .as_deref()
            .map(AttributeTable::load)
            .transpose()?;
        let filter = args.corpus.filter.filter()?;
        let selection = Selection::new(attributes.as_ref(), &filter);
        let (transcripts, skipped) = Transcripts::load(
            &args.transcripts,
            &args.corpus.read_options()?,
            &selection,
            &speakers,
            &people,
            unit,
        )?;
        skipped.iter().for_each(|w| warn(w));
        // The codings of documents --where leaves out go with them.
        codings.retain(|c| !selection.refused(&c.document));
        Some(transcripts)
    };
    let mut freq = Freq::new(tree, by, args.count, transcripts.is_some());
    freq.percent = args.percent;
    freq.add_codings(&codings, transcripts.as_ref())?;
    let provenance = Provenance::new(codebook.as_ref(), args.coded.names(), common_unit(&codings));
    Ok((freq, provenance))
}
