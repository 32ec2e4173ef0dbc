//! `qcode import`: bring work done in other programs into qcode's files.
//! The kind of file is chosen by its extension; each kind has one function.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use qcode::coding::CsvWriter;
use qcode::files::output::{Output, OutputFolder};
use qcode::refi::{Positions, qdc, qdpx};
use qcode::report::counted;
use qcode::{Error, Result};

use super::util::{choice, message, warn};

/// Import a project coded by hand in NVivo, ATLAS.ti, MAXQDA or QualCoder
/// (REFI-QDA project, .qdpx) as a coded CSV, a codebook (REFI-QDA codebook,
/// .qdc) as a qcode codebook skeleton, or a keyword dictionary (quanteda
/// .yml/.yaml, LIWC .dic/.dicx, WordStat .cat) as a qcode codebook.
///
/// In the coded CSV, `document` is the source's name (`.txt` added unless
/// it is the name of a file qcode reads), `code` the code's path in the
/// hierarchy (`parent/child`), `coder` the user who coded, and offsets
/// count characters, as in every qcode file; `freq --coded`, `excerpts
/// --coded` and `agree` read it. --texts writes the sources' texts under
/// those document names, to code them with qcode and compare. Whatever
/// cannot be imported (memos, sets, pictures, broken references) is listed
/// in a warning.
///
/// Examples:
///   qcode import study.qdpx --out imported.csv
///   qcode import review.qdpx --out human.csv --texts review_texts \
///       --write-codebook review_codebook.yaml
///   qcode import smuggling.qdc --out skeleton.yaml
///   qcode import smuggling.dic --out from_dictionary.yaml
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Import a REFI-QDA project or codebook, or a keyword dictionary"
)]
pub struct Args {
    /// The file to import: a project (.qdpx), a codebook (.qdc) or a
    /// dictionary (.yml, .yaml, .dic, .dicx, .cat).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Write to this file instead of standard output: the coded CSV of a
    /// project, the codebook (YAML) of a .qdc or a dictionary.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// Project only: also write the text of every source into this folder
    /// (new or empty), one file per document of the coded CSV.
    #[arg(long, value_name = "DIR")]
    texts: Option<PathBuf>,
    /// Project only: also write its codes as a qcode codebook skeleton.
    #[arg(long, value_name = "FILE.yaml")]
    write_codebook: Option<PathBuf>,
    /// Project only: how its text positions are counted. Default: as the
    /// program that wrote it counts (UTF-16 code units for NVivo, Unicode
    /// code points for the others).
    #[arg(long, value_parser = choice::<Positions>())]
    positions: Option<Positions>,
}

pub fn run(args: Args) -> Result<()> {
    let ext = args
        .file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "qdpx" => project(&args),
        "qdc" => codebook(&args),
        _ if qcode::dictionary::Format::of(&args.file).is_some() => dictionary(&args),
        _ => Err(Error::new(match ext.as_str() {
            "" => "qcode cannot tell what this file is: it has no extension".to_string(),
            other => format!("qcode cannot import .{other} files"),
        })
        .in_file(&args.file)
        .hint("qcode imports REFI-QDA projects (.qdpx) and codebooks (.qdc), as exported by NVivo, ATLAS.ti, MAXQDA and QualCoder, and keyword dictionaries: quanteda (.yml, .yaml), LIWC (.dic, .dicx), WordStat (.cat)")),
    }
}

/// A project: everything is read and checked, and every output opened,
/// before anything is written, so a failure leaves no output behind.
fn project(args: &Args) -> Result<()> {
    let texts = args
        .texts
        .as_deref()
        .map(|dir| OutputFolder::create(dir, "--texts"))
        .transpose()?;
    let imported = qdpx::import(&args.file, args.positions)?;
    let codebook = match &args.write_codebook {
        Some(_) if imported.codes.codes.is_empty() => {
            warn("the project has no codes, so no codebook was written");
            None
        }
        Some(path) => {
            let name = args
                .file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let from = args
                .file
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let yaml = qdc::skeleton_file(&imported.codes.codes, &name, &from)?;
            let mut out = Output::open(Some(path))?;
            out.write_all(yaml.as_bytes()).map_err(Error::write)?;
            Some(out)
        }
        None => None,
    };
    for w in &imported.warnings {
        warn(w);
    }
    let mut out = Output::open(args.out.as_deref())?;
    let mut csv = CsvWriter::new(&mut out, Vec::new(), imported.attributes.clone())?;
    for c in &imported.codings {
        csv.write(c)?;
    }
    csv.into_inner()?;
    if let Some(folder) = texts {
        write_texts(&folder, &imported.documents)?;
        folder.finish()?;
    }
    if let Some(codebook) = codebook {
        codebook.finish()?;
    }
    out.finish()?;
    let codes: BTreeSet<&str> = imported.codings.iter().map(|c| c.code.as_str()).collect();
    let coders: BTreeSet<&str> = imported.codings.iter().map(|c| c.coder.as_str()).collect();
    let origin = if imported.origin.is_empty() {
        "an unnamed program".to_string()
    } else {
        imported.origin.clone()
    };
    message(&format!(
        "imported {} of {} by {} in {}, from {}; positions read as {}",
        counted(imported.codings.len(), "coding"),
        counted(codes.len(), "code"),
        counted(coders.len(), "coder"),
        counted(imported.documents.len(), "document"),
        origin,
        imported.counting
    ));
    Ok(())
}

/// A keyword dictionary (quanteda, LIWC, WordStat) as a codebook.
fn dictionary(args: &Args) -> Result<()> {
    refuse_project_options(args)?;
    let (yaml, warnings) = qcode::dictionary::import(&args.file)?;
    for w in &warnings {
        warn(w);
    }
    let mut out = Output::open(args.out.as_deref())?;
    out.write_all(yaml.as_bytes()).map_err(Error::write)?;
    out.finish()?;
    message("imported the dictionary as a codebook; check it with `qcode codebook check`");
    Ok(())
}

fn codebook(args: &Args) -> Result<()> {
    refuse_project_options(args)?;
    let imported = qdc::import(&args.file)?;
    for w in &imported.warnings {
        warn(w);
    }
    let mut out = Output::open(args.out.as_deref())?;
    out.write_all(imported.yaml.as_bytes()).map_err(Error::write)?;
    out.finish()?;
    message(&format!(
        "imported {}: ready for coding by hand; give a code rules for `qcode code` to apply it, and check with `qcode codebook check`",
        counted(imported.codes, "code")
    ));
    Ok(())
}

/// Options that only make sense for a project (.qdpx).
fn refuse_project_options(args: &Args) -> Result<()> {
    let project_only = [
        (args.texts.is_some(), "--texts"),
        (args.write_codebook.is_some(), "--write-codebook"),
        (args.positions.is_some(), "--positions"),
    ];
    if let Some((_, option)) = project_only.iter().find(|(given, _)| *given) {
        return Err(Error::new(format!(
            "{option} goes with a project (.qdpx), not with {}",
            args.file.display()
        ))
        .hint(format!("drop {option}; `--out FILE.yaml` says where the codebook goes")));
    }
    Ok(())
}

/// Writes each document's text under its name (a relative path with `/`,
/// made safe and free of clashes on import; see [`qdpx::text_file`]).
fn write_texts(folder: &OutputFolder, documents: &[(String, String)]) -> Result<()> {
    for (name, text) in documents {
        folder.write(&qdpx::text_file(name), text.as_bytes())?;
    }
    Ok(())
}
