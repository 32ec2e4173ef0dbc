//! `qcode excerpts`: the coded passages, grouped by code then document.

use std::io::Write;
use std::path::PathBuf;

use indexmap::IndexMap;
use qcode::files::output::Output;
use qcode::pipeline;
use qcode::report::excerpts::{self, Excerpt, ExcerptFormat, Highlight};
use qcode::report::{CodeTree, Provenance};
use qcode::{Error, Result};

use super::util::{CodedArgs, CorpusArgs, Progress, choice, optional_codebook};

/// Show the coded passages — the quotations behind each code — grouped by
/// code then document, with the matched words highlighted (colour on a
/// terminal, **bold** in Markdown). A parent code lists its sub-codes'
/// passages too.
///
/// Examples:
///   qcode excerpts samples/transcripts -c codebooks/smuggling.yaml --code prices --context 1
///   qcode excerpts --coded coded.csv --code debt --format markdown --out debt.md
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "The coded passages, grouped by code then document, matches highlighted"
)]
pub struct Args {
    #[command(flatten)]
    corpus: CorpusArgs,
    #[command(flatten)]
    coded: CodedArgs,
    /// Only these codes (and their sub-codes); repeat or separate with commas.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    code: Vec<String>,
    /// Show N neighbouring segments before and after each passage.
    #[arg(long, value_name = "N", default_value_t = 0)]
    context: usize,
    /// Output format.
    #[arg(long, value_parser = choice::<ExcerptFormat>(), default_value_t = ExcerptFormat::Text)]
    format: ExcerptFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

/// The heading a coding is listed under: the first selected code that is
/// it or one of its ancestors; with no selection, the code itself.
fn heading(tree: &CodeTree, selected: &[usize], code: usize) -> Option<usize> {
    if selected.is_empty() {
        return Some(code);
    }
    selected.iter().copied().find(|&s| tree.within(code, s))
}

fn select(tree: &CodeTree, names: &[String], codebook: Option<&qcode::codebook::Codebook>) -> Result<Vec<usize>> {
    names
        .iter()
        .map(|n| {
            let n = n.trim();
            tree.find(n).ok_or_else(|| match codebook.map(|cb| cb.require(n)) {
                Some(Err(e)) => e,
                _ => {
                    let names: Vec<&str> = tree.codes.iter().map(|c| c.name.as_str()).collect();
                    let mut e = Error::new(format!("there is no code `{n}` in the coded files"));
                    e = match qcode::text::closest(n, names.iter().copied()) {
                        Some(best) => e.hint(format!("did you mean `{best}`?")),
                        None => e.hint(format!("the codes are: {}", names.join(", "))),
                    };
                    e
                }
            })
        })
        .collect()
}

pub fn run(args: Args) -> Result<()> {
    let (tree, mut list, provenance, doc_order) = if args.coded.is_empty() {
        from_transcripts(&args)?
    } else {
        from_coded(&args)?
    };
    excerpts::sort(&mut list, &|d| doc_order.get_index_of(d).unwrap_or(usize::MAX));
    let mut out = Output::open(args.out.as_deref())?;
    match args.format {
        ExcerptFormat::Text => {
            let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let hl = if color { Highlight::Ansi } else { Highlight::None };
            write!(out, "{}", excerpts::render_text(&tree, &list, &provenance, hl)).map_err(Error::write)?;
        }
        ExcerptFormat::Markdown => {
            write!(out, "{}", excerpts::render_markdown(&tree, &list, &provenance)).map_err(Error::write)?
        }
        ExcerptFormat::Csv => excerpts::write_csv(&tree, &list, &mut out)?,
    }
    out.finish()
}

type Loaded = (CodeTree, Vec<Excerpt>, Provenance, IndexMap<String, ()>);

fn from_transcripts(args: &Args) -> Result<Loaded> {
    args.coded.check_unused()?;
    let (setup, sources) = args.corpus.setup()?;
    let tree = CodeTree::from_codebook(&setup.codebook);
    let selected = select(&tree, &args.code, Some(&setup.codebook))?;
    let mut list = Vec::new();
    let mut order = IndexMap::new();
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        order.insert(coded.doc.id.clone(), ());
        let codings = coded.codings(&setup.codebook, setup.unit);
        for (a, coding) in coded.applied.iter().zip(codings) {
            let Some(h) = heading(&tree, &selected, a.code) else {
                continue;
            };
            let seg_text = |i: usize| {
                let s = &coded.segments[i];
                coded.doc.text[s.start..s.end].to_string()
            };
            let before = (a.segment.saturating_sub(args.context)..a.segment)
                .map(seg_text)
                .collect();
            let after = (a.segment + 1..(a.segment + 1 + args.context).min(coded.segments.len()))
                .map(seg_text)
                .collect();
            list.push(Excerpt {
                heading: h,
                coding,
                before,
                after,
            });
        }
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let provenance = Provenance::new(Some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    Ok((tree, list, provenance, order))
}

fn from_coded(args: &Args) -> Result<Loaded> {
    if args.context > 0 {
        return Err(
            Error::new("--context needs the transcripts, which a coded CSV does not hold")
                .hint("run `qcode excerpts TRANSCRIPTS --codebook FILE --context N` instead, or leave out --context"),
        );
    }
    let codings = args.coded.read(&args.corpus)?;
    let codebook = optional_codebook(args.corpus.codebook.as_ref())?;
    let mut tree = codebook.as_ref().map(CodeTree::from_codebook).unwrap_or_default();
    for c in &codings {
        if tree.find(&c.code).is_none() {
            tree.resolve(&c.code);
        }
    }
    let selected = select(&tree, &args.code, codebook.as_ref())?;
    let mut order = IndexMap::new();
    let mut list = Vec::new();
    for coding in codings {
        order.insert(coding.document.clone(), ());
        let code = tree.find(&coding.code).expect("resolved above");
        if let Some(h) = heading(&tree, &selected, code) {
            list.push(Excerpt {
                heading: h,
                coding,
                before: Vec::new(),
                after: Vec::new(),
            });
        }
    }
    let provenance = Provenance::new(codebook.as_ref(), args.coded.names(), None);
    Ok((tree, list, provenance, order))
}
