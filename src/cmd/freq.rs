//! `qcode freq`: frequency tables and crosstabs of codes.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use indexmap::IndexMap;
use qcode::coding::Coding;
use qcode::files::output::Output;
use qcode::pipeline;
use qcode::report::freq::{CodedSegment, Count, Freq, GroupBy};
use qcode::report::{CodeTree, Provenance, TableFormat, counted};
use qcode::{Error, Result};

use super::util::{CodedArgs, CorpusArgs, Progress, choice, optional_codebook, terminal_width, warn};

/// Count codes: segments coded, documents coded, % of documents and hits per
/// code, in codebook order, parents counting their sub-codes' segments.
///
/// With --by, a crosstab: one column per value of a document attribute
/// (country, role, …), per speaker or per document.
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
    /// Crosstab by a document attribute, `speaker` or `document`.
    #[arg(long, value_name = "ATTRIBUTE")]
    by: Option<String>,
    /// What the crosstab cells count.
    #[arg(long, value_parser = choice::<Count>(), default_value_t = Count::Segments)]
    count: Count,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md), else table].
    #[arg(long, value_parser = choice::<TableFormat>())]
    format: Option<TableFormat>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let by = args.by.as_deref().map(GroupBy::parse);
    let (freq, provenance) = if args.coded.is_empty() {
        from_transcripts(&args, by)?
    } else {
        from_coded(&args, by)?
    };
    if let Some(GroupBy::Attribute(a)) = &freq.by
        && freq.group_values().iter().all(|v| v == qcode::report::freq::NONE)
    {
        return Err(Error::new(format!("no document has the attribute `{a}`")).hint(
            "give attributes in front matter or with --attributes FILE.csv, or use --by speaker / --by document",
        ));
    }
    let mut out = Output::open(args.out.as_deref())?;
    let summary = match freq.segments {
        Some(s) => format!("{}, {}", counted(freq.documents, "document"), counted(s, "segment")),
        None => format!("{} with codings", counted(freq.documents, "document")),
    };
    match TableFormat::resolve(args.format, args.out.as_deref()) {
        TableFormat::Table => {
            let width = terminal_width(out.is_terminal());
            let t = freq.table(args.count, Some("  "));
            writeln!(out, "# {}\n# {summary}", provenance.line()).map_err(Error::write)?;
            if let Some(by) = &freq.by {
                writeln!(out, "# cells: {} coded, by {}", count_name(args.count), by.name()).map_err(Error::write)?;
            }
            writeln!(out, "{}", t.render_terminal(width)).map_err(Error::write)?;
        }
        TableFormat::Markdown => {
            let t = freq.table(args.count, Some("&emsp;"));
            writeln!(out, "<!-- {} -->\n\n{summary}", provenance.line()).map_err(Error::write)?;
            if let Some(by) = &freq.by {
                writeln!(out, "; cells: {} coded, by {}.", count_name(args.count), by.name()).map_err(Error::write)?;
            }
            writeln!(out, "\n{}", t.render_markdown()).map_err(Error::write)?;
        }
        TableFormat::Csv => freq.table(args.count, None).write_csv(&mut out)?,
        TableFormat::Json => {
            let json = freq.json(&provenance, args.count);
            writeln!(out, "{}", serde_json::to_string_pretty(&json).expect("json")).map_err(Error::write)?;
        }
    }
    out.finish()
}

fn count_name(c: Count) -> &'static str {
    match c {
        Count::Segments => "segments",
        Count::Documents => "documents",
        Count::Hits => "hits",
    }
}

fn from_transcripts(args: &Args, by: Option<GroupBy>) -> Result<(Freq, Provenance)> {
    args.coded.check_unused()?;
    let (setup, sources) = args.corpus.setup()?;
    let mut freq = Freq::new(CodeTree::from_codebook(&setup.codebook), by, true);
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        let speakers: Vec<&str> = coded
            .segments
            .iter()
            .map(|s| s.speaker.as_deref().unwrap_or(""))
            .collect();
        let segs: Vec<CodedSegment> = coded
            .applied
            .iter()
            .map(|a| CodedSegment {
                key: a.segment,
                speaker: speakers[a.segment],
                code: a.code,
                hits: a.hits as u64,
            })
            .collect();
        freq.add_document(&coded.doc.id, &coded.doc.attributes, Some(&speakers), &segs);
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let provenance = Provenance::new(Some(&setup.codebook), Vec::new(), Some(setup.unit.as_str()));
    Ok((freq, provenance))
}

fn from_coded(args: &Args, by: Option<GroupBy>) -> Result<(Freq, Provenance)> {
    let codings = args.coded.read(&args.corpus)?;
    let codebook = optional_codebook(args.corpus.codebook.as_ref())?;
    let mut tree = codebook.as_ref().map(CodeTree::from_codebook).unwrap_or_default();
    let mut unknown: Vec<&str> = Vec::new();
    for c in &codings {
        if tree.find(&c.code).is_none() {
            if codebook.is_some() && !unknown.contains(&c.code.as_str()) {
                unknown.push(&c.code);
            }
            tree.resolve(&c.code);
        }
    }
    if !unknown.is_empty() {
        warn(&format!(
            "codes not in the codebook, listed after it: {}",
            unknown.join(", ")
        ));
    }
    // Documents in order of first appearance, with their codings.
    let mut docs: IndexMap<&str, Vec<&Coding>> = IndexMap::new();
    for c in &codings {
        docs.entry(c.document.as_str()).or_default().push(c);
    }
    let mut freq = Freq::new(tree, by, false);
    for (doc, rows) in docs {
        let mut keys: HashMap<(usize, usize, usize), usize> = HashMap::new();
        let segs: Vec<CodedSegment> = rows
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let fallback = if c.segment == 0 && c.end_char == 0 { i + 1 } else { 0 };
                let n = keys.len();
                let key = *keys
                    .entry((c.segment, c.end_char.max(fallback), c.start_char))
                    .or_insert(n);
                CodedSegment {
                    key,
                    speaker: &c.speaker,
                    code: freq.tree.find(&c.code).expect("resolved above"),
                    hits: c.hits as u64,
                }
            })
            .collect();
        freq.add_document(doc, &rows[0].attributes, None, &segs);
    }
    let units: Vec<&str> = {
        let mut u: Vec<&str> = codings
            .iter()
            .map(|c| c.unit.as_str())
            .filter(|u| !u.is_empty())
            .collect();
        u.sort_unstable();
        u.dedup();
        u
    };
    let provenance = Provenance::new(
        codebook.as_ref(),
        args.coded.names(),
        (units.len() == 1).then(|| units[0]),
    );
    Ok((freq, provenance))
}
