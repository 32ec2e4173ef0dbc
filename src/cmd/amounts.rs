//! `qcode amounts`: the money amounts quoted in transcripts, and their
//! summaries by group and period.

use std::path::PathBuf;

use qcode::Result;
use qcode::codebook::Codebook;
use qcode::dates::DATE_ATTRIBUTE;
use qcode::pipeline;
use qcode::report::amounts::{AmountsReport, Rates};
use qcode::report::freq::GroupBy;
use qcode::report::{Format, Provenance};

use super::util::{CorpusArgs, Progress, choice, missing_attribute, periods_of, warn, write_report_to};

/// List the money amounts quoted in transcripts: value, currency (ISO
/// 4217), approximate or not, range, the exact words, and the document,
/// passage, lines, speaker and attributes they come from.
///
/// A bare `$` is read as USD, `pesos` as MXN and `colones` as CRC unless the
/// codebook's `currencies:` says otherwise, per document with
/// `country_attribute` (see docs/amounts.md). With --by, a summary: count,
/// minimum, quartiles, median and maximum per group and currency. With
/// --rates, amounts are converted with the rates given, and only those.
///
/// Examples:
///   qcode amounts samples/transcripts --attributes samples/attributes.csv
///   qcode amounts samples/transcripts -c codebooks/smuggling.yaml \
///       --attributes samples/attributes.csv --code prices --by country
///   qcode amounts samples/transcripts -c codebooks/smuggling.yaml \
///       --attributes samples/attributes.csv --by period
///   qcode amounts samples/transcripts -c codebooks/smuggling.yaml \
///       --attributes samples/attributes.csv --code prices --by period \
///       --rates samples/rates.csv
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Money amounts quoted in transcripts, listed or summarised by group and period"
)]
pub struct Args {
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    /// Only the passages coded with this code or one of its sub-codes
    /// (needs --codebook).
    #[arg(long, value_name = "CODE", requires = "codebook")]
    code: Option<String>,
    /// Summarise by a document attribute, `speaker`, `role`, `document`,
    /// a date attribute's `ATTRIBUTE:month|quarter|year|period`, or
    /// `period` (the `date` attribute's named period).
    #[arg(long, value_name = "ATTRIBUTE")]
    by: Option<String>,
    /// Named periods (YAML: `closures: [2020-03-15, 2021-01-31]`, one per
    /// line), instead of the codebook's `periods:`.
    #[arg(long, value_name = "FILE.yaml")]
    periods: Option<PathBuf>,
    /// Convert amounts with these rates (CSV: currency,to,rate[,date]);
    /// amounts without a rate stay as they are and are counted.
    #[arg(long, value_name = "FILE.csv")]
    rates: Option<PathBuf>,
    /// The attribute that dates documents, for choosing rates.
    #[arg(long, value_name = "ATTRIBUTE", default_value = DATE_ATTRIBUTE)]
    date: String,
    /// The attribute that names each document's country, which decides
    /// what `$` and `pesos` are (instead of the codebook's
    /// `currencies: country_attribute`).
    #[arg(long, value_name = "ATTRIBUTE")]
    country: Option<String>,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md, .xlsx), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let format = Format::resolve(args.format, args.out.as_deref())?;
    let given = args.corpus.codebook.is_some();
    let codebook = match &args.corpus.codebook {
        Some(path) => Codebook::load(path)?,
        None => Codebook::without_codes(),
    };
    let periods = periods_of(args.periods.as_deref(), Some(&codebook))?;
    let mut currencies = codebook.currencies.clone();
    if let Some(country) = &args.country {
        currencies.country_attribute = Some(country.clone());
    }
    let by = args
        .by
        .as_deref()
        .map(|by| GroupBy::parse(by, Some(&codebook.people), Some(&periods)))
        .transpose()?;
    let code = args.code.as_deref().map(|c| codebook.require(c)).transpose()?;
    let rates = args.rates.as_deref().map(|r| Rates::load(r, &periods)).transpose()?;
    let (mut setup, sources) = args.corpus.setup_with(codebook)?;
    setup.speakers_matter |= matches!(by, Some(GroupBy::Speaker | GroupBy::Role(_)));
    let mut report = AmountsReport {
        by,
        code: args.code.clone(),
        rates,
        date_attribute: args.date.clone(),
        ..AmountsReport::default()
    };
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        if let Some(w) = report.add_coded(&coded, &setup.codebook, code, &currencies) {
            warn(&w);
        }
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let attribute = report.by.as_ref().and_then(GroupBy::attribute);
    if let Some(attribute) = attribute
        && report.documents > 0
        && !report.attribute_names.iter().any(|a| a == attribute)
    {
        return Err(missing_attribute(attribute, &report.attribute_names));
    }
    let provenance = Provenance::new(given.then_some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    write_report_to(args.out.as_deref(), format, &report, &provenance, &[])
}
