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
//!
//! One module per format turns a file into normalised text (docs/formats.md
//! says what becomes a document, a segment, a speaker
//! and an attribute in each): `text_file` (.txt, .md), `table` (.csv, .tsv),
//! `xlsx`, `docx` and `odt` (both through `xml_text`), `subtitles` (.vtt,
//! .srt) and `pdf`. Text files are decoded by [`encoding`]; zip-based files
//! are opened through [`crate::files::archive`], which never extracts to disk
//! (REFI-QDA projects, `.qdpx`, are read through it too).

mod attributes;
mod docx;
pub mod encoding;
mod filter;
mod header;
mod odt;
mod pdf;
mod subtitles;
mod table;
mod text_file;
pub mod xlsx;
mod xml_text;

use std::io::Read;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::files;
use crate::speakers::Attribution;

pub use attributes::AttributeTable;
pub use filter::{DocumentFilter, Selection};

/// One document of the corpus, its text normalised (see [`crate::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Stable id: the path relative to the input root, with `/`.
    pub id: String,
    /// The file it was read from.
    pub source: PathBuf,
    /// The text, NFC, `\n` line endings, front matter removed. Every offset
    /// qcode reports refers to this text: for `.docx`, `.odt`, `.pdf`,
    /// subtitles and spreadsheets it is the text as read (see docs/formats.md),
    /// not the bytes of the file.
    pub text: String,
    /// Line number of the first line of `text` (after front matter); line
    /// numbers count lines of the file for `.txt`/`.md`, and lines of `text`
    /// for every other format.
    pub first_line: usize,
    /// Attributes (country, role, date…) from front matter, the attributes
    /// file and spreadsheet columns, in order of appearance.
    pub attributes: IndexMap<String, String>,
    /// Where the speakers of the text come from.
    pub speakers: SpeakerSource,
    /// Byte range of the metadata header: the `Key: value` lines at the top
    /// whose values are in `attributes`. Its lines are neither passages nor
    /// matched.
    pub header: Option<(usize, usize)>,
    /// The blocks of lines (runs of non-blank lines, counted from 0) that
    /// the format marks as headings: Word and ODF heading styles.
    pub headings: Vec<usize>,
    /// Timed stretches of `text` (subtitle cues), in text order; segments
    /// take their start and end times from them.
    pub cues: Vec<Cue>,
    /// Warnings about reading the source, each naming the file (e.g. a
    /// guessed encoding); a source read into several documents puts them on
    /// its first one.
    pub warnings: Vec<String>,
}

impl Document {
    /// A document of `source` with `text`, no attributes, labels, cues or
    /// warnings, its text starting on line 1.
    pub fn new(source: &Source, text: String) -> Document {
        Document {
            id: source.id.clone(),
            source: source.path.clone(),
            text,
            first_line: 1,
            attributes: IndexMap::new(),
            speakers: SpeakerSource::Text,
            header: None,
            headings: Vec::new(),
            cues: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// A document of `text` given in memory rather than read from a file
    /// (for programs that hold their texts themselves): the text is
    /// normalised, and its metadata header read, as a `.txt` file's are,
    /// and `id` names it.
    pub fn from_text(id: &str, text: &str) -> Document {
        let source = Source {
            path: PathBuf::from(id),
            id: id.to_string(),
            format: Format::Text,
        };
        let mut doc = Document::new(&source, crate::text::normalize(text));
        doc.read_header(false);
        doc
    }

    /// Reads the metadata header at the top of the text into the
    /// attributes (the front matter's win over it); `paragraph_lines`: the
    /// format gives one paragraph per line (Word, ODF), so the header's
    /// lines may be paragraphs of their own.
    pub(crate) fn read_header(&mut self, paragraph_lines: bool) {
        if let Some(found) = header::find(&self.text, paragraph_lines, &self.headings) {
            for (key, value) in found.entries {
                self.attributes.entry(key).or_insert(value);
            }
            self.header = Some(found.range);
        }
    }
}

/// Where the speakers of a document come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeakerSource {
    /// The labels written in the text, found by the speaker rule.
    Text,
    /// Table cells (survey answers): no speakers, unless a speaker preset
    /// or pattern asks for them.
    Cells,
    /// The format says who speaks each passage (subtitle cues).
    Given(Attribution),
}

/// A stretch of a document's text spoken at a known time: one subtitle cue
/// of a `.vtt`/`.srt` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// Byte range in the document text (the speaker label written before the
    /// cue's words included).
    pub start: usize,
    /// End of that byte range, exclusive.
    pub end: usize,
    /// `HH:MM:SS.mmm`, see [`crate::time::format_time`].
    pub start_time: String,
    /// When the cue ends, in the same form.
    pub end_time: String,
    /// The line of the subtitle file that each line of the cue's text comes
    /// from.
    pub lines: Vec<usize>,
}

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.txt`, `.md`: one document, optional YAML front matter.
    Text,
    /// `.csv`, `.tsv`: one document per row.
    Table {
        /// The field separator: `,` for `.csv`, tab for `.tsv`.
        delimiter: u8,
    },
    /// `.xlsx`: one document per row of a sheet.
    Xlsx,
    /// `.docx`: one document, its paragraphs.
    Docx,
    /// `.odt`: one document, its paragraphs.
    Odt,
    /// `.vtt`, `.srt`: one document, one paragraph per cue.
    Subtitles,
    /// `.pdf`: one document, through `pdftotext`.
    Pdf,
}

impl Format {
    /// True for tables (`.csv`, `.tsv`, `.xlsx`), whose rows are documents
    /// only when a text column is named.
    fn is_table(self) -> bool {
        matches!(self, Format::Table { .. } | Format::Xlsx)
    }

    /// True for formats read as text in some encoding, whose files are
    /// checked for binary data when a folder is searched.
    fn is_text(self) -> bool {
        matches!(self, Format::Text | Format::Table { .. } | Format::Subtitles)
    }
}

/// A file to read, and the id its documents get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file, as found (an input named on the command line, or a file
    /// under an input folder).
    pub path: PathBuf,
    /// The id of its document: the path relative to the input folder, with
    /// `/` separators, or the file name of a file named directly. The rows
    /// of a table are documents `<id>#<row>` (1-based), unless
    /// [`ReadOptions::id_col`] names a column of ids.
    pub id: String,
    /// How the file is read, from its extension.
    pub format: Format,
}

/// Options for reading sources.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Columns holding the text of spreadsheet rows (joined as paragraphs).
    pub text_cols: Vec<String>,
    /// Column holding the document id of spreadsheet rows.
    pub id_col: Option<String>,
    /// The encoding of text files without a byte-order mark, instead of
    /// detecting it (see [`encoding`]).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// The sheet of `.xlsx` workbooks (default: the first).
    pub sheet: Option<String>,
    /// Files of unknown type or holding binary data in the input folders are
    /// an error instead of being skipped with a warning.
    pub strict: bool,
}

/// The extensions qcode reads, for messages.
const TRANSCRIPTS: &str = ".txt, .md, .docx, .odt, .vtt, .srt, .pdf";
const TABLES: &str = ".csv, .tsv, .xlsx";

/// The format of a file, from its extension.
pub fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "txt" | "md" | "markdown" | "text" => Format::Text,
        "csv" => Format::Table { delimiter: b',' },
        "tsv" | "tab" => Format::Table { delimiter: b'\t' },
        "xlsx" => Format::Xlsx,
        "docx" => Format::Docx,
        "odt" => Format::Odt,
        "vtt" | "srt" => Format::Subtitles,
        "pdf" => Format::Pdf,
        _ => return None,
    })
}

/// The sources found under `inputs`, and warnings about skipped files.
///
/// A file named directly must be a regular file of a type qcode reads and
/// hold text where text is expected; `-` is a transcript read from standard
/// input (plain text, document id `stdin`). In folders, files of other
/// types, text files that hold binary data, links and special files (pipes,
/// devices) are skipped with a warning listing them, or are an error with
/// [`ReadOptions::strict`]. Links inside folders are not followed — a link
/// to a parent folder would loop, one to a sibling would code its files
/// twice — while a link named on the command line is.
pub fn discover(inputs: &[PathBuf], options: &ReadOptions) -> Result<(Vec<Source>, Vec<String>)> {
    if inputs.is_empty() {
        return Err(Error::new("no input files were given").hint(
            "name the transcripts to code, e.g. `qcode freq samples/transcripts --codebook codebooks/smuggling.yaml`",
        ));
    }
    let mut sources = Vec::new();
    let mut skipped = Skipped::default();
    for input in inputs {
        if files::is_stdin(input) {
            if encoding::looks_binary(files::stdin_bytes()?) {
                return Err(binary_error(Path::new("standard input")));
            }
            sources.push(Source {
                path: input.clone(),
                id: STDIN_ID.to_string(),
                format: Format::Text,
            });
            continue;
        }
        let meta = std::fs::metadata(input).map_err(|e| Error::io(input, &e))?;
        if meta.is_dir() {
            let before = sources.len();
            walk(input, input, !options.text_cols.is_empty(), &mut sources, &mut skipped)?;
            if sources.len() == before {
                return Err(Error::new(format!(
                    "this folder holds no transcripts ({TRANSCRIPTS}) or tables ({TABLES})"
                ))
                .in_file(input)
                .hint("check the folder, or name the files directly"));
            }
            continue;
        }
        files::require_regular(input, &meta)?;
        let format = format_of(input).ok_or_else(|| unreadable_input(input))?;
        if format.is_text() && is_binary(input)? {
            return Err(binary_error(input));
        }
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
    let warnings = skipped.report(options.strict)?;
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

/// The document id of a transcript read from standard input (`-`).
pub const STDIN_ID: &str = "stdin";

/// Files found in folders but not read.
#[derive(Default)]
struct Skipped {
    /// Of a type qcode does not read.
    unknown: Vec<String>,
    /// With a text extension but binary content.
    binary: Vec<String>,
    /// Tables, read as documents only with `--text-col`, each with what
    /// it looks like.
    tables: Vec<String>,
    /// Links, which are not followed inside folders.
    links: Vec<String>,
    /// Pipes, devices and sockets.
    special: Vec<String>,
}

impl Skipped {
    /// The warnings, or with `strict` the error, about skipped files.
    fn report(self, strict: bool) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        let mut add = |list: Vec<String>, what: &str| {
            if !list.is_empty() {
                warnings.push(format!("skipped {} {what}: {}", list.len(), list.join(", ")));
            }
        };
        add(self.unknown, "file(s) of a type qcode does not read");
        add(self.binary, "file(s) that hold binary data, not text");
        add(
            self.links,
            "link(s), which qcode does not follow inside folders (name a linked file or folder on the command line to read it)",
        );
        add(
            self.special,
            "special file(s) (pipes, devices, sockets), which are not files",
        );
        let unreadable = !warnings.is_empty();
        if !self.tables.is_empty() {
            warnings.push(format!(
                "skipped {} table(s) in the input folders, which are read as documents (one per row) only with \
                 --text-col COLUMN: {}",
                self.tables.len(),
                self.tables.join(", ")
            ));
        }
        if strict && unreadable {
            let unread = &warnings[..warnings.len() - usize::from(!self.tables.is_empty())];
            return Err(Error::new(format!("--strict: {}", unread.join("; "))).hint(format!(
                "move these files out of the input folders, or convert them to a format qcode reads \
                 (transcripts: {TRANSCRIPTS}; tables: {TABLES}); without --strict they are skipped with a warning"
            )));
        }
        Ok(warnings)
    }
}

/// What a table in a project folder is, by its header: a project holds
/// coded CSVs and attribute files beside the transcripts, and tables of
/// answers, and each is given to qcode its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableRole {
    /// A coded CSV (`document` and `code` columns).
    Coded,
    /// An attributes file (a first column `document`).
    Attributes,
    /// Ratings in long format (`unit`, `coder` and `code` or `codes`).
    Ratings,
    /// A table of answers, one per row.
    Answers,
}

impl TableRole {
    /// The role of the table at `path`, from its header (an `.xlsx`
    /// workbook is taken for answers).
    fn of(path: &Path, format: Format) -> TableRole {
        let Format::Table { delimiter } = format else {
            return TableRole::Answers;
        };
        let mut head = Vec::with_capacity(4096);
        let _ = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let separator = crate::files::spreadsheet::delimiter(first_line, delimiter);
        let columns: Vec<String> = String::from_utf8_lossy(first_line)
            .split(separator as char)
            .map(|c| c.trim().trim_matches('"').to_lowercase())
            .collect();
        let has = |name: &str| columns.iter().any(|c| c == name);
        if has("document") && has("code") {
            TableRole::Coded
        } else if has("unit") && has("coder") && (has("code") || has("codes")) {
            TableRole::Ratings
        } else if columns.first().is_some_and(|c| c == "document") {
            TableRole::Attributes
        } else {
            TableRole::Answers
        }
    }

    /// What the table is, in words.
    fn what(self) -> &'static str {
        match self {
            TableRole::Coded => "a coded CSV",
            TableRole::Attributes => "an attributes file",
            TableRole::Ratings => "coders' ratings",
            TableRole::Answers => "a table of answers",
        }
    }

    /// How to give it to qcode.
    fn how(self) -> &'static str {
        match self {
            TableRole::Coded => "give it with --coded",
            TableRole::Attributes => "give it with --attributes",
            TableRole::Ratings => "compare them with qcode agree",
            TableRole::Answers => "name the column holding the answers with --text-col COLUMN",
        }
    }
}

/// The error for a file named as an input that qcode does not read as
/// one; a codebook among the inputs (`-c codebooks/*.yaml` names two, and
/// the second becomes an input) is told apart.
fn unreadable_input(input: &Path) -> Error {
    let ext = input.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("yaml" | "yml")) {
        return Error::usage("a codebook was given where transcripts were expected")
            .in_file(input)
            .hint("give one codebook, with -c (a pattern such as codebooks/*.yaml names several files)");
    }
    Error::new("qcode cannot read files of this type")
        .in_file(input)
        .hint(format!(
            "give transcripts as {TRANSCRIPTS} files, and survey answers as {TABLES}"
        ))
}

/// True when the start of a text-format file is binary data.
fn is_binary(path: &Path) -> Result<bool> {
    let mut prefix = Vec::with_capacity(8192);
    let (file, _) = files::open_input(path)?;
    file.take(8192)
        .read_to_end(&mut prefix)
        .map_err(|e| Error::io(path, &e))?;
    Ok(encoding::looks_binary(&prefix))
}

fn binary_error(path: &Path) -> Error {
    Error::new("the file holds binary data, not text")
        .in_file(path)
        .hint(format!(
            "give transcripts as {TRANSCRIPTS} files; if this is a document saved under the wrong extension, rename it"
        ))
}

fn walk(root: &Path, dir: &Path, tables: bool, sources: &mut Vec<Source>, skipped: &mut Skipped) -> Result<()> {
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, &e))?
        .map(|e| {
            e.and_then(|e| Ok((e.path(), e.file_type()?)))
                .map_err(|err| Error::io(dir, &err))
        })
        .collect::<Result<_>>()?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name.starts_with('~') {
            continue; // hidden files, editor lock files
        }
        let rel = relative_id(root, &path);
        // The entry's own type: a link is a link, whatever it points to.
        if kind.is_symlink() {
            skipped.links.push(rel);
        } else if kind.is_dir() {
            walk(root, &path, tables, sources, skipped)?;
        } else if !kind.is_file() {
            skipped.special.push(rel);
        } else {
            match format_of(&path) {
                Some(format) if format.is_table() && !tables => {
                    let role = TableRole::of(&path, format);
                    skipped.tables.push(format!("{rel} ({}: {})", role.what(), role.how()))
                }
                Some(format) if format.is_text() && is_binary(&path)? => skipped.binary.push(rel),
                Some(format) => sources.push(Source { path, id: rel, format }),
                None => skipped.unknown.push(rel),
            }
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

/// The names of the attributes a source's documents carry (before the
/// attributes file adds its own), found without reading the whole source
/// where possible: the front matter at the head of a text file, the
/// columns of a table. Lets a coded CSV start its header before the
/// documents are read, so its rows can be streamed.
pub fn attribute_names(source: &Source, options: &ReadOptions) -> Result<Vec<String>> {
    /// Files longer than this are read whole only when their head has
    /// front matter or a metadata header.
    const HEAD: u64 = 64 << 10;
    let from_documents = || -> Result<Vec<String>> {
        let docs = read_source(source, options)?;
        let mut names: Vec<String> = Vec::new();
        for d in &docs {
            for k in d.attributes.keys() {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        Ok(names)
    };
    match source.format {
        Format::Text => {
            let mut head = Vec::new();
            if files::is_stdin(&source.path) {
                let all = files::stdin_bytes()?;
                head.extend_from_slice(&all[..all.len().min(HEAD as usize)]);
            } else {
                let (file, _) = files::open_input(&source.path)?;
                file.take(HEAD)
                    .read_to_end(&mut head)
                    .map_err(|e| Error::io(&source.path, &e))?;
            }
            let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
            // A small file is read whole, and so is one in UTF-16 or in
            // an encoding that is not UTF-8.
            let valid = match std::str::from_utf8(head) {
                Ok(all) => all,
                Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).expect("valid"),
                Err(_) => return from_documents(),
            };
            if (head.len() as u64) < HEAD || head.contains(&0) {
                return from_documents();
            }
            let text = crate::text::normalize(valid);
            let doc = text_file::from_text(source, text)?;
            // Front matter that may end further on, or a header whose last
            // test reads the whole text.
            if (head.starts_with(b"---") && doc.first_line == 1) || doc.header.is_some() {
                return from_documents();
            }
            Ok(doc.attributes.into_keys().collect())
        }
        Format::Table { .. } | Format::Xlsx => from_documents(),
        // A metadata header may give attributes.
        Format::Docx | Format::Odt | Format::Pdf => from_documents(),
        Format::Subtitles => Ok(Vec::new()),
    }
}

/// The attribute columns of the coded CSV, known before any document is
/// coded: each source's own attributes in input order, with the attributes
/// file's columns after those of the first document it describes.
pub fn attribute_columns(
    sources: &[Source],
    read: &ReadOptions,
    table: Option<&AttributeTable>,
) -> Result<Vec<String>> {
    let found: Vec<Result<Vec<String>>> = sources.par_iter().map(|s| attribute_names(s, read)).collect();
    let mut columns: Vec<String> = Vec::new();
    let add = |names: &[String], columns: &mut Vec<String>| {
        for n in names {
            if !columns.contains(n) {
                columns.push(n.clone());
            }
        }
    };
    for (source, names) in sources.iter().zip(found) {
        add(&names?, &mut columns);
        if let Some(table) = table
            && table.has(&source.id)
        {
            add(&table.columns, &mut columns);
        }
    }
    if let Some(table) = table {
        add(&table.columns, &mut columns);
    }
    Ok(columns)
}

/// Reads one source into its documents.
pub fn read_source(source: &Source, options: &ReadOptions) -> Result<Vec<Document>> {
    match source.format {
        Format::Text => Ok(vec![text_file::read(source, options)?]),
        Format::Table { delimiter } => table::read(source, delimiter, options),
        Format::Xlsx => xlsx::read(source, options),
        Format::Docx => Ok(vec![docx::read(source)?]),
        Format::Odt => Ok(vec![odt::read(source)?]),
        Format::Subtitles => Ok(vec![subtitles::read(source, options)?]),
        Format::Pdf => Ok(vec![pdf::read(source)?]),
    }
}

/// Reads a text file and decodes it (see [`encoding`]), normalised (see
/// [`crate::text`]); also returns the warning about a guessed encoding.
pub(crate) fn read_text(source: &Source, options: &ReadOptions) -> Result<(String, Option<String>)> {
    let bytes = files::read_bytes(&source.path)?;
    let decoded = encoding::decode(&source.path, bytes, options.encoding)?;
    Ok((crate::text::normalize_owned(decoded.text), decoded.note))
}
