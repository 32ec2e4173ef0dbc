//! The corpus: finding input files and reading them into documents.
//!
//! Inputs are files and directories; directories are walked recursively in
//! sorted order so that results never depend on the file system's listing
//! order. A document's id is its path relative to the input it was found
//! under (with `/` separators), or for a single file its file name; for a
//! CSV of survey answers, the value of `--id-col` or `<file>#<row>`.
//!
//! Reading happens in two steps — [`discover`] lists the sources (cheap,
//! sequential), [`read_source`] turns one source into documents (done in
//! parallel by the callers) — so that memory holds only the documents being
//! worked on, never the whole corpus.

mod attributes;
mod table;
mod text_file;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::error::{Error, Result};

pub use attributes::AttributeTable;

/// One document of the corpus, its text normalised (see [`crate::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Stable id: the path relative to the input root, with `/`.
    pub id: String,
    /// The file it was read from.
    pub source: PathBuf,
    /// The text, NFC, `\n` line endings, front matter removed.
    pub text: String,
    /// File line number of the first line of `text` (after front matter).
    pub first_line: usize,
    /// Attributes (country, role, date…) from front matter, the attributes
    /// file and spreadsheet columns, in order of appearance.
    pub attributes: IndexMap<String, String>,
}

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.txt`, `.md`: one document, optional YAML front matter.
    Text,
    /// `.csv`, `.tsv`: one document per row.
    Table { delimiter: u8 },
}

/// A file to read, and the id its documents get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    pub id: String,
    pub format: Format,
}

/// Options for reading sources.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Columns holding the text of spreadsheet rows (joined as paragraphs).
    pub text_cols: Vec<String>,
    /// Column holding the document id of spreadsheet rows.
    pub id_col: Option<String>,
}

/// The format of a file, from its extension.
pub fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "txt" | "md" | "markdown" | "text" => Format::Text,
        "csv" => Format::Table { delimiter: b',' },
        "tsv" | "tab" => Format::Table { delimiter: b'\t' },
        _ => return None,
    })
}

/// The sources found under `inputs`, and warnings about skipped files.
pub fn discover(inputs: &[PathBuf]) -> Result<(Vec<Source>, Vec<String>)> {
    if inputs.is_empty() {
        return Err(Error::new("no input files were given").hint(
            "name the transcripts to code, e.g. `qcode freq samples/transcripts --codebook codebooks/smuggling.yaml`",
        ));
    }
    let mut sources = Vec::new();
    let mut skipped = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::io(input, &e))?;
        if meta.is_dir() {
            let before = sources.len();
            walk(input, input, &mut sources, &mut skipped)?;
            if sources.len() == before {
                return Err(
                    Error::new("this folder holds no transcripts (.txt, .md) or tables (.csv, .tsv)")
                        .in_file(input)
                        .hint("check the folder, or name the files directly"),
                );
            }
        } else {
            let format = format_of(input).ok_or_else(|| {
                Error::new("qcode cannot read files of this type")
                    .in_file(input)
                    .hint("give transcripts as .txt or .md files, and survey answers as .csv or .tsv")
            })?;
            let id = input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            sources.push(Source {
                path: input.clone(),
                id,
                format,
            });
        }
    }
    let mut warnings = Vec::new();
    if !skipped.is_empty() {
        warnings.push(format!(
            "skipped {} file(s) of a type qcode does not read: {}",
            skipped.len(),
            skipped.join(", ")
        ));
    }
    let mut seen = std::collections::HashMap::new();
    for s in &sources {
        if let Some(prev) = seen.insert(s.id.clone(), s.path.clone()) {
            return Err(Error::new(format!(
                "two inputs give the same document id `{}`: {} and {}",
                s.id,
                prev.display(),
                s.path.display()
            ))
            .hint("give the folder that holds both files instead of the files themselves, so their ids keep their subfolders"));
        }
    }
    Ok((sources, warnings))
}

fn walk(root: &Path, dir: &Path, sources: &mut Vec<Source>, skipped: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, &e))?
        .map(|e| e.map(|e| e.path()).map_err(|err| Error::io(dir, &err)))
        .collect::<Result<_>>()?;
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name.starts_with('~') {
            continue; // hidden files, editor lock files
        }
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, &e))?;
        let rel = relative_id(root, &path);
        if meta.is_dir() {
            walk(root, &path, sources, skipped)?;
        } else if let Some(format) = format_of(&path) {
            sources.push(Source { path, id: rel, format });
        } else {
            skipped.push(rel);
        }
    }
    Ok(())
}

/// `path` relative to `root`, with `/` separators.
fn relative_id(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads one source into its documents.
pub fn read_source(source: &Source, options: &ReadOptions) -> Result<Vec<Document>> {
    match source.format {
        Format::Text => Ok(vec![text_file::read(source)?]),
        Format::Table { delimiter } => table::read(source, delimiter, options),
    }
}

/// Reads a file whole, refusing files too large to be a transcript.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    if meta.len() > limit {
        return Err(Error::new(format!(
            "the file is {} MB, more than the {} MB qcode reads from one file",
            meta.len() >> 20,
            limit >> 20
        ))
        .in_file(path)
        .hint("split the file into several documents"));
    }
    std::fs::read(path).map_err(|e| Error::io(path, &e))
}

/// Decodes file bytes as UTF-8 (a BOM is stripped), or says where it fails.
pub(crate) fn decode_utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Ok(s)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            Err(Error::new(format!(
                "the file is not valid UTF-8 text: byte offset {at} (line {line}) holds the byte 0x{:02X}",
                bytes[at]
            ))
            .in_file(path)
            .hint("save the file as UTF-8 (in most editors: Save As… → Encoding: UTF-8)"))
        }
    }
}

/// Largest text file read (a transcript of this size is already a book).
pub const MAX_TEXT_FILE: u64 = 512 << 20;
