//! User-facing errors.
//!
//! Researchers read these messages, not programmers, so every error carries
//! three parts: *what* went wrong, *where* (file, line, column, code name) and
//! *how to fix it*. The binary prints them on stderr and exits with code 2;
//! nothing in the library panics on bad input.

use std::fmt;
use std::path::Path;

/// An error the user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What went wrong, in one sentence.
    pub what: String,
    /// Where: `file:line:column`, a code name, a CSV row…
    pub place: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(what: impl Into<String>) -> Self {
        Error {
            what: what.into(),
            place: None,
            hint: None,
        }
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
            csv::ErrorKind::Io(io) => return Error::io(path, io),
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
            NotFound => (
                "no such file or directory".to_string(),
                "check the spelling of the path, or run the command from the folder that holds it",
            ),
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
        Error::new(what).in_file(path).hint(hint)
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

/// Shorthand for `Err(Error::new(format!(...)))`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::error::Error::new(format!($($arg)*)))
    };
}
