//! User-facing errors.
//!
//! Researchers read these messages, not programmers, so every error carries
//! three parts: *what* went wrong, *where* (file, line, column, code name) and
//! *how to fix it*. A program that calls the library also gets a
//! [`ErrorKind`] to act on without reading the words: the command line exits
//! quietly when the reader of its output went away, and with code 2 on
//! every other error. Nothing in the library panics on bad input.

use std::fmt;
use std::path::Path;

/// What kind of failure an [`Error`] is, for callers that act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An input's content is wrong: a codebook, a transcript, a coded CSV,
    /// a project from another program.
    #[default]
    Input,
    /// Options or arguments that do not go together, or are missing.
    Usage,
    /// A file or folder cannot be read: missing, not allowed, in use.
    Read,
    /// An output cannot be written: disk full, folder missing, not allowed.
    Write,
    /// The reader of the output went away (`qcode … | head`): not a
    /// failure of the run, and nothing to report.
    BrokenPipe,
}

/// An error the user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What kind of failure this is.
    pub kind: ErrorKind,
    /// What went wrong, in one sentence.
    pub what: String,
    /// Where: `file:line:column`, a code name, a CSV row…
    pub place: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
    /// Further errors found in the same input, reported with this one so
    /// that a file with several problems is fixed in one round (a
    /// codebook). `Display` shows this error alone.
    pub more: Vec<Error>,
}

/// A result whose error is an [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error in an input's content ([`ErrorKind::Input`]).
    pub fn new(what: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Input,
            what: what.into(),
            place: None,
            hint: None,
            more: Vec::new(),
        }
    }

    /// One error that carries all of `errors` (the first, with the others
    /// in [`Error::more`]); `None` when there are none.
    pub fn all(errors: Vec<Error>) -> Option<Error> {
        let mut errors = errors.into_iter();
        let mut first = errors.next()?;
        first.more.extend(errors);
        Some(first)
    }

    /// This error and the [`Error::more`] it carries, in order.
    pub fn each(&self) -> impl Iterator<Item = &Error> {
        std::iter::once(self).chain(&self.more)
    }

    /// An error in the options or arguments given ([`ErrorKind::Usage`]).
    pub fn usage(what: impl Into<String>) -> Self {
        Error::new(what).kind(ErrorKind::Usage)
    }

    /// The same error, of another kind.
    pub fn kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets where the error happened (kept if already set by an inner layer).
    pub fn at(mut self, place: impl Into<String>) -> Self {
        if self.place.is_none() {
            self.place = Some(place.into());
        }
        self
    }

    /// Sets where the error happened to a file path.
    pub fn in_file(self, path: &Path) -> Self {
        self.at(path.display().to_string())
    }

    /// Sets how to fix it (kept if already set by an inner layer).
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        if self.hint.is_none() {
            self.hint = Some(hint.into());
        }
        self
    }

    /// A CSV file that cannot be read, located by line.
    pub fn csv(path: &Path, e: &csv::Error) -> Self {
        let place = match e.position() {
            Some(p) => format!("{}:{}", path.display(), p.line()),
            None => path.display().to_string(),
        };
        let what = match e.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("a row has {len} fields where the header has {expected_len}")
            }
            csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8 text".to_string(),
            csv::ErrorKind::Io(io) => return Error::io(path, io).kind(ErrorKind::Read),
            _ => format!("the file cannot be read as CSV: {e}"),
        };
        Error::new(what)
            .at(place)
            .hint("save the file as CSV UTF-8; a field with commas, quotes or line breaks must be in double quotes")
    }

    /// An I/O failure on `path`, explained in words.
    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        use std::io::ErrorKind::*;
        let (what, hint) = match err.kind() {
            NotFound => {
                if let Some(near) = nearest_existing(path) {
                    let hint = format!("did you mean `{}`?", near.display());
                    return Error::new("no such file or directory")
                        .kind(ErrorKind::Read)
                        .in_file(path)
                        .hint(hint);
                }
                (
                    "no such file or directory".to_string(),
                    "check the spelling of the path, or run the command from the folder that holds it",
                )
            }
            PermissionDenied => (
                "permission denied".to_string(),
                "check that you may read (or write) this file",
            ),
            IsADirectory => (
                "this is a folder, where a file was expected".to_string(),
                "give the path of the file itself, not of the folder that holds it",
            ),
            _ => (err.to_string(), "check that the file is readable and not in use"),
        };
        Error::new(what).kind(ErrorKind::Read).in_file(path).hint(hint)
    }

    /// A failure to write the output, explained in words; a reader that
    /// went away is [`ErrorKind::BrokenPipe`].
    pub fn write(err: std::io::Error) -> Self {
        let kind = match err.kind() {
            std::io::ErrorKind::BrokenPipe => ErrorKind::BrokenPipe,
            _ => ErrorKind::Write,
        };
        Error::new(format!("cannot write the output: {err}"))
            .kind(kind)
            .hint("check that the disk is not full and the file is writable")
    }

    /// A failure to write CSV: the file system's (see [`Error::write`]), or
    /// the CSV writer's.
    pub fn write_csv(err: csv::Error) -> Self {
        match err.into_kind() {
            csv::ErrorKind::Io(io) => Error::write(io),
            other => Error::new(format!("cannot write CSV: {other:?}")).kind(ErrorKind::Write),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Some(place) => write!(f, "{place}: {}", self.what)?,
            None => write!(f, "{}", self.what)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  how to fix: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The file or folder beside a missing `path` whose name is closest to its
/// name (a typo: `samples/transcript` for `samples/transcripts`).
fn nearest_existing(path: &Path) -> Option<std::path::PathBuf> {
    let name = path.file_name()?.to_str()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let names: Vec<String> = std::fs::read_dir(parent)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let best = crate::text::closest(name, names.iter().map(String::as_str))?;
    Some(path.with_file_name(best))
}
