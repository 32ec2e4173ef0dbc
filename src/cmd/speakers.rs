//! `qcode speakers`: what qcode reads as speakers in each document.

use std::path::PathBuf;

use qcode::corpus::{self, Selection, SpeakerSource};
use qcode::pipeline::{self, name_speakers};
use qcode::report::speakers::SpeakersReport;
use qcode::report::{Format, Provenance};
use qcode::segment::{Unit, apply_cues, attribute_document, segment};
use qcode::speakers::summary::summarize;
use qcode::{Error, Result};

use super::util::{FilterArgs, Progress, ReadArgs, choice, optional_codebook, warn, write_report_to};

/// List the speakers qcode reads in each document: their turns, paragraphs,
/// words and first line, the shapes of label seen, the lines that looked
/// like labels but were not taken, and warnings to act on (no labels found;
/// a label written once that speaks many paragraphs; labels that look alike
/// but count as two speakers).
///
/// With --codebook, speakers get the codebook's names (`speakers:`) and
/// roles (`roles:`), and its speaker pattern or preset is used. See
/// docs/speakers.md for the conventions qcode reads.
///
/// Examples:
///   qcode speakers samples/transcripts
///   qcode speakers samples/transcripts -c codebooks/smuggling.yaml \
///       --format csv --out speakers.csv
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "List the speakers qcode reads in each document, with warnings to act on"
)]
pub struct Args {
    /// Transcripts, tables of answers, or folders (read recursively, in
    /// sorted order).
    #[arg(value_name = "INPUTS")]
    inputs: Vec<PathBuf>,
    /// A codebook whose speakers, roles and speaker rule apply.
    #[arg(long, short = 'c', value_name = "FILE")]
    codebook: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) read: ReadArgs,
    #[command(flatten)]
    filter: FilterArgs,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    if args.inputs.is_empty() {
        return Err(Error::usage("no input files were given")
            .hint("name the transcripts to read, e.g. `qcode speakers samples/transcripts`"));
    }
    let codebook = optional_codebook(args.codebook.as_ref())?;
    let rule = args.read.speaker_rule_or(codebook.as_ref())?;
    let people = codebook.as_ref().map(|c| c.people.clone()).unwrap_or_default();
    let read = args.read.read_options()?;
    let (sources, warnings) = corpus::discover(&args.inputs, &read)?;
    warnings.iter().for_each(|w| warn(w));
    let filter = args.filter.filter()?;
    let selection = Selection::new(None, &filter);
    let mut documents = Vec::new();
    pipeline::read(&sources, &read, &selection, &Progress::new(), |doc| {
        let attribution = attribute_document(&doc, &rule);
        let mut paragraphs = segment(&doc.text, Unit::Paragraph, &attribution, doc.first_line);
        apply_cues(&doc.text, &mut paragraphs, &doc.cues);
        name_speakers(&mut paragraphs, &people);
        let cells = doc.speakers == SpeakerSource::Cells && !rule.is_explicit();
        documents.push(summarize(
            &doc.id,
            &doc.text,
            doc.first_line,
            &attribution,
            &paragraphs,
            &people,
            cells,
        ));
        Ok(())
    })?;
    let report = SpeakersReport {
        documents,
        rule: rule.describe(),
    };
    let format = Format::resolve(args.format, args.out.as_deref())?;
    let warnings = report.warnings();
    // A table and Markdown show the warnings under each document; CSV and
    // workbooks have no room for them.
    if matches!(format, Format::Csv | Format::Xlsx) {
        warnings.iter().for_each(|w| warn(w));
    }
    let provenance = Provenance::new(codebook.as_ref(), Vec::new(), Some(Unit::Paragraph.as_str()));
    write_report_to(args.out.as_deref(), format, &report, &provenance, &warnings)
}
