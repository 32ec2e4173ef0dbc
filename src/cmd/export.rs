//! `qcode export`: the codebook or a coded project in the REFI-QDA exchange
//! formats, for NVivo, ATLAS.ti, MAXQDA and QualCoder.

use std::io::Write;
use std::path::{Path, PathBuf};

use qcode::codebook::Codebook;
use qcode::coding::read_coded_csv;
use qcode::corpus::{self, AttributeTable, Selection};
use qcode::files::output::Output;
use qcode::pipeline;
use qcode::refi::{Positions, ProjectWriter, automatic_description, imported_description, qdc};
use qcode::report::counted;
use qcode::{Error, Result};

use super::util::{CorpusArgs, Progress, choice, message, optional_codebook, warn};

/// Export the codebook (.qdc) or a coded project (.qdpx) in the REFI-QDA
/// exchange formats, to open in NVivo, ATLAS.ti, MAXQDA or QualCoder; or
/// the codebook's keywords as a LIWC-style dictionary (.dic).
///
/// A project holds every transcript as a text source, each coded passage as
/// a coded selection, one user per coder and the document attributes as
/// variables. Its codings come from coding the transcripts with the
/// codebook, or from coded CSVs (--coded) made from the same transcripts.
/// Exporting the same project twice gives the same file, so the other
/// program merges a re-export instead of duplicating it.
///
/// Examples:
///   qcode export --qdc smuggling.qdc -c codebooks/smuggling.yaml
///   qcode export --dic smuggling.dic -c codebooks/smuggling.yaml
///   qcode export --qdpx study.qdpx samples/transcripts \
///       -c codebooks/smuggling.yaml
///   qcode export --qdpx review.qdpx samples/transcripts \
///       --coded samples/coders/ana.csv --coded samples/coders/luis.csv
///   qcode export --qdpx nvivo.qdpx samples/transcripts \
///       -c codebooks/smuggling.yaml --positions utf16
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Export to NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA) or a LIWC dictionary"
)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["qdc", "qdpx", "dic"])))]
pub struct Args {
    /// Write the codebook as a REFI-QDA codebook (needs --codebook).
    #[arg(long, value_name = "FILE.qdc")]
    qdc: Option<PathBuf>,
    /// Write a REFI-QDA project: transcripts, codes, coders and codings.
    #[arg(long, value_name = "FILE.qdpx")]
    qdpx: Option<PathBuf>,
    /// Write the codebook's keywords as a LIWC-style dictionary (needs
    /// --codebook); rules a .dic cannot hold are listed in a warning.
    #[arg(long, value_name = "FILE.dic")]
    dic: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    /// Take the codings from a coded CSV (qcode's, or one coded by hand)
    /// instead of coding the transcripts; repeat for several coders. The
    /// transcripts it was coded from must be given too.
    #[arg(long, value_name = "FILE.csv")]
    coded: Vec<PathBuf>,
    /// How text positions are counted: Unicode code points, as the standard
    /// says, or UTF-16 code units, as NVivo counts them. They differ only
    /// after emoji and other characters above U+FFFF.
    #[arg(long, value_parser = choice::<Positions>(), default_value = "codepoints")]
    positions: Positions,
    /// The project's name (default: the file name without extension).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

pub fn run(args: Args) -> Result<()> {
    match (&args.qdc, &args.qdpx, &args.dic) {
        (Some(path), _, _) => export_codebook(&args, path, CodebookFormat::Qdc),
        (None, Some(path), _) => export_project(&args, path),
        (None, None, Some(path)) => export_codebook(&args, path, CodebookFormat::Dic),
        (None, None, None) => {
            Err(Error::new("nothing to export").hint("give --qdc FILE.qdc, --qdpx FILE.qdpx or --dic FILE.dic"))
        }
    }
}

/// The formats a codebook alone is written in.
#[derive(Clone, Copy)]
enum CodebookFormat {
    Qdc,
    Dic,
}

fn export_codebook(args: &Args, path: &Path, format: CodebookFormat) -> Result<()> {
    let (option, ext) = match format {
        CodebookFormat::Qdc => ("--qdc", "qdc"),
        CodebookFormat::Dic => ("--dic", "dic"),
    };
    if !args.corpus.inputs.is_empty() || !args.coded.is_empty() {
        return Err(
            Error::new(format!("{option} writes the codebook only, not transcripts or codings"))
                .hint("drop the transcripts and --coded, or write a whole project with --qdpx FILE.qdpx"),
        );
    }
    let codebook =
        args.corpus.codebook.as_ref().ok_or_else(|| {
            Error::new(format!("{option} needs the codebook to export")).hint("add --codebook FILE.yaml")
        })?;
    let cb = Codebook::load(codebook)?;
    check_extension(path, ext);
    let bytes = match format {
        CodebookFormat::Qdc => qdc::write(&cb),
        CodebookFormat::Dic => {
            let (dic, warnings) = qcode::dictionary::export_dic(&cb);
            for w in &warnings {
                warn(w);
            }
            dic.into_bytes()
        }
    };
    let mut out = Output::open(Some(path))?;
    out.write_all(&bytes).map_err(Error::write)?;
    out.finish()?;
    message(&format!(
        "wrote {} of \"{}\" (codebook sha256 {}) to {}",
        counted(cb.codes.len(), "code"),
        cb.name,
        cb.sha256,
        path.display()
    ));
    Ok(())
}

fn export_project(args: &Args, path: &Path) -> Result<()> {
    check_extension(path, "qdpx");
    let name = match &args.name {
        Some(n) => n.clone(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let mut documents = 0;
    let mut codings = 0;
    let (writer, description) = if args.coded.is_empty() {
        let (setup, sources) = args.corpus.setup()?;
        let mut writer = ProjectWriter::new(Some(&setup.codebook), args.positions);
        pipeline::run(&sources, &setup, &Progress::new(), |coded| {
            let rows = coded.codings(&setup.codebook, setup.unit);
            documents += 1;
            codings += rows.len();
            writer.add_document(&coded.doc, &rows)
        })?;
        args.corpus.check_attributes(&setup);
        let description = automatic_description(&setup.codebook, setup.unit);
        (writer, description)
    } else {
        from_coded(args, &mut documents, &mut codings)?
    };
    let description = format!("{description} Text positions in {}.", args.positions.describe());
    let (bytes, warnings) = writer.finish(&name, &description)?;
    for w in &warnings {
        warn(w);
    }
    let mut out = Output::open(Some(path))?;
    out.write_all(&bytes).map_err(Error::write)?;
    out.finish()?;
    message(&format!(
        "wrote {}: {}, {}; positions in {}",
        path.display(),
        counted(documents, "document"),
        counted(codings, "coding"),
        args.positions.describe()
    ));
    Ok(())
}

/// The writer filled from coded CSVs and the transcripts they name.
fn from_coded(args: &Args, documents: &mut usize, codings: &mut usize) -> Result<(ProjectWriter, String)> {
    let c = &args.corpus;
    if c.inputs.is_empty() {
        return Err(Error::new("--coded needs the transcripts the coded CSV was made from").hint(
            "name them before the options, e.g. `qcode export --qdpx review.qdpx samples/transcripts --coded coded.csv`",
        ));
    }
    let coding_only = [
        (c.unit.is_some(), "--unit"),
        (c.read.speaker_pattern.is_some(), "--speaker-pattern"),
        (c.read.speaker_preset.is_some(), "--speaker-preset"),
        (c.from.is_some(), "--from"),
        (c.to.is_some(), "--to"),
    ];
    if let Some((_, option)) = coding_only.iter().find(|(given, _)| *given) {
        return Err(
            Error::new(format!("{option} applies to coding transcripts, not to --coded files")).hint(format!(
                "drop {option}: the coded CSV already says which passages are coded"
            )),
        );
    }
    let codebook = optional_codebook(c.codebook.as_ref())?;
    let mut rows = Vec::new();
    for file in &args.coded {
        rows.extend(read_coded_csv(file)?);
    }
    let read = c.read_options()?;
    let (sources, skipped) = corpus::discover(&c.inputs, &read)?;
    for w in skipped {
        warn(&w);
    }
    let attributes = c.attributes.as_deref().map(AttributeTable::load).transpose()?;
    let filter = c.filter.filter()?;
    let selection = Selection::new(attributes.as_ref(), &filter);
    let mut writer = ProjectWriter::new(codebook.as_ref(), args.positions);
    (*documents, *codings) = writer.add_transcripts(&sources, &read, &selection, rows, &Progress::new())?;
    let files: Vec<String> = args.coded.iter().map(|f| f.display().to_string()).collect();
    let description = imported_description(&files, codebook.as_ref());
    Ok((writer, description))
}

/// Other programs recognise the files by their extension.
fn check_extension(path: &Path, ext: &str) {
    if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)) {
        warn(&format!(
            "{} does not end in .{ext}, the extension other programs look for",
            path.display()
        ));
    }
}
