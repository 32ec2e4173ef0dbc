//! Every limit qcode keeps, in one place, each with the message that names
//! it and says how to raise it when raising it is safe.
//!
//! qcode reads files that come from other people and other programs, and a
//! small hostile or broken file must never make it hang, abort on a failed
//! allocation or panic. Most of that is bounded by what real inputs are
//! like — a codebook of 10,000 codes is already far more than any study
//! has — and two kinds of limit follow:
//!
//! * **Amplification limits**, which keep a small file from costing a lot
//!   of memory: a zip entry that unpacks to hundreds of times its size, a
//!   document whose XML expands to more text than it holds, a codebook with
//!   more codes than a person could apply. No real input comes near them,
//!   and raising them would reopen the hole, so they are fixed.
//! * **Size limits**, which a real but very large project could reach:
//!   bytes read from one file and in one run, rows of a table, cells of a
//!   sheet, elements of a REFI-QDA project. Each can be raised with an
//!   environment variable (see [`Limit::variable`]); the machine's memory is
//!   then the bound, and the message says about how much each unit costs.
//!
//! Sizes that a file declares (the length the file system reports, which is
//! 0 for a device; the size in a zip header; the range a spreadsheet says
//! it covers) are never trusted: qcode reads with a hard cap and counts
//! what it actually got.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, ErrorKind, Result};

/// A limit qcode keeps, with what it bounds and how it may be raised.
#[derive(Debug)]
pub struct Limit {
    /// What is limited, as the end of "more than N …": "bytes read from
    /// one file".
    pub what: &'static str,
    /// Whether the value is a number of bytes (written in MB in messages
    /// and in the environment variable).
    pub bytes: bool,
    /// The value when the environment does not raise it.
    pub default: u64,
    /// The environment variable that sets it, for limits safe to raise.
    pub variable: Option<&'static str>,
    /// What raising it costs or risks, for the message.
    pub cost: &'static str,
    /// The value in force, read from the environment once.
    value: OnceLock<u64>,
}

const MB: u64 = 1 << 20;

impl Limit {
    const fn fixed(what: &'static str, bytes: bool, default: u64, cost: &'static str) -> Limit {
        Limit {
            what,
            bytes,
            default,
            variable: None,
            cost,
            value: OnceLock::new(),
        }
    }

    const fn raisable(
        what: &'static str,
        bytes: bool,
        default: u64,
        variable: &'static str,
        cost: &'static str,
    ) -> Limit {
        Limit {
            what,
            bytes,
            default,
            variable: Some(variable),
            cost,
            value: OnceLock::new(),
        }
    }

    /// The value in force: the environment variable's, when it is set to
    /// a valid value (see [`check_environment`]), else the default.
    pub fn value(&self) -> u64 {
        *self
            .value
            .get_or_init(|| self.read_environment().ok().flatten().unwrap_or(self.default))
    }

    /// The value the environment variable sets, if any.
    fn read_environment(&self) -> Result<Option<u64>> {
        let Some(name) = self.variable else { return Ok(None) };
        let Some(raw) = std::env::var_os(name) else {
            return Ok(None);
        };
        let text = raw.to_string_lossy();
        let unit = if self.bytes { "megabytes" } else { "a count" };
        let n: u64 = text.trim().replace('_', "").parse().map_err(|_| {
            Error::usage(format!(
                "the environment variable {name} is `{text}`, which is not a whole number ({unit})"
            ))
            .hint(format!(
                "set it to a whole number, e.g. {name}={}, or unset it",
                if self.bytes {
                    self.default / MB * 2
                } else {
                    self.default * 2
                }
            ))
        })?;
        if n == 0 {
            return Err(
                Error::usage(format!("the environment variable {name} is 0")).hint(format!(
                    "set it to a positive number, or unset it for the default of {}",
                    self.shown(self.default)
                )),
            );
        }
        Ok(Some(if self.bytes { n.saturating_mul(MB) } else { n }))
    }

    /// The value as a person reads it: "512 MB", "1,000,000".
    fn shown(&self, value: u64) -> String {
        if self.bytes {
            format!("{} MB", grouped(value / MB))
        } else {
            grouped(value)
        }
    }

    /// "the N … qcode reads" for messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.shown(self.value()), self.what)
    }

    /// The error for going over the limit: `what` says what went over
    /// ("the file is 600 MB"); the hint says how to raise the limit, or
    /// that it cannot be raised and why.
    pub fn exceeded(&self, what: impl Into<String>) -> Error {
        let what = format!("{}, more than the limit of {}", what.into(), self.describe());
        Error::new(what).hint(self.raise_hint())
    }

    /// How to raise the limit, or why it cannot be raised.
    pub fn raise_hint(&self) -> String {
        match self.variable {
            Some(name) => format!(
                "if the input is what you meant, raise the limit with the environment variable {name} \
                 (e.g. {name}={} qcode …); {}",
                if self.bytes {
                    self.value() / MB * 2
                } else {
                    self.value() * 2
                },
                self.cost
            ),
            None => format!("this limit cannot be raised: {}", self.cost),
        }
    }

    /// Refuses `count` when it is over the limit; `what` describes the
    /// count as in [`Limit::exceeded`].
    pub fn check(&self, count: u64, what: impl FnOnce() -> String) -> Result<()> {
        if count > self.value() {
            return Err(self.exceeded(what()));
        }
        Ok(())
    }
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes read from one file: a transcript, a table, a codebook, a coded
/// CSV, a dictionary; for an archive (`.docx`, `.odt`, `.xlsx`, `.qdpx`),
/// the bytes it unpacks to, and for a PDF the text `pdftotext` writes.
pub static FILE_BYTES: Limit = Limit::raisable(
    "read from one file",
    true,
    512 * MB,
    "QCODE_MAX_FILE_MB",
    "qcode holds a file whole while it reads it, and needs about three times its size in memory",
);

/// Bytes read in one run, every file together (what archives unpack to
/// included): a guard against a mistaken input, such as a whole disk, and a
/// bound on the memory of commands that keep what they read (`agree`,
/// `audit`, `--coded`, `import`).
pub static RUN_BYTES: Limit = Limit::raisable(
    "read in one run",
    true,
    4096 * MB,
    "QCODE_MAX_RUN_MB",
    "commands that keep what they read (agree, audit, --coded, import) need about three times as much memory",
);

/// Rows of one table: survey answers (`.csv`, `.tsv`, `.xlsx`), a coded
/// CSV, a long-format file, an attributes file. A table's rows are held
/// together while it is read.
pub static TABLE_ROWS: Limit = Limit::raisable(
    "rows in one table",
    false,
    1_000_000,
    "QCODE_MAX_ROWS",
    "each row costs about 1.5 KB of memory while the table is read and coded",
);

/// Cells holding a value in one sheet of a workbook, counted as they are
/// read (never from the range the sheet declares).
pub static SHEET_CELLS: Limit = Limit::raisable(
    "cells with a value in one sheet",
    false,
    10_000_000,
    "QCODE_MAX_CELLS",
    "each cell costs about 120 bytes of memory while the sheet is read",
);

/// Elements of the XML of a REFI-QDA project (`project.qde`) or codebook
/// (`.qdc`), which is read into a tree.
pub static XML_ELEMENTS: Limit = Limit::raisable(
    "XML elements in one project or codebook",
    false,
    2_000_000,
    "QCODE_MAX_XML_ELEMENTS",
    "each element costs about 400 bytes of memory in the tree qcode reads it into",
);

/// Codes of one codebook.
pub static CODEBOOK_CODES: Limit = Limit::fixed(
    "codes in one codebook",
    false,
    10_000,
    "no study codes with more codes than this; a list of words this long belongs in the keywords of fewer codes",
);

/// Values (keys, items, text) of one codebook's or dictionary's YAML,
/// counted by the parser before anything is built from them.
pub static YAML_VALUES: Limit = Limit::fixed(
    "YAML values (keys, list items and texts) in one file",
    false,
    2_000_000,
    "it keeps a small file from making the parser use a lot of memory; 10,000 codes with a hundred keywords each fit",
);

/// Text expanded from a word-processor document's XML (`.docx`, `.odt`)
/// beyond the size of the XML itself: real documents always hold less text
/// than markup, while a run of `<text:s text:c="1000"/>` elements turns
/// every 24 bytes into 1,000 spaces.
pub static XML_TEXT_BEYOND_SIZE: Limit = Limit::fixed(
    "of text beyond the size of the document's XML",
    true,
    MB,
    "a real document holds less text than markup; more means the file was made to expand",
);

/// Neighbouring segments shown before and after an excerpt (`--context`).
pub static CONTEXT: Limit = Limit::fixed(
    "segments of context",
    false,
    100,
    "every excerpt carries its context, so the output grows with it; 100 segments on each side is pages of text",
);

/// Bootstrap replicates for alpha's interval (`--replicates`).
pub static REPLICATES: Limit = Limit::fixed(
    "bootstrap replicates",
    false,
    1_000_000,
    "the interval does not change beyond tens of thousands of replicates, and each costs memory and time per code",
);

/// Threads (`-j`); more are clamped to this with a warning.
pub static THREADS: Limit = Limit::fixed(
    "threads",
    false,
    256,
    "each thread holds documents in memory; more threads than cores do not make coding faster",
);

/// Seconds `pdftotext` may take on one PDF before it is stopped.
pub static PDF_SECONDS: Limit = Limit::raisable(
    "seconds for pdftotext to read one PDF",
    false,
    120,
    "QCODE_PDF_SECONDS",
    "a PDF that takes longer is usually built to expand (thousands of pages sharing one content stream)",
);

/// Every limit, for the reference and for [`check_environment`].
pub static ALL: [&Limit; 13] = [
    &FILE_BYTES,
    &RUN_BYTES,
    &TABLE_ROWS,
    &SHEET_CELLS,
    &XML_ELEMENTS,
    &CODEBOOK_CODES,
    &YAML_VALUES,
    &XML_TEXT_BEYOND_SIZE,
    &CONTEXT,
    &REPLICATES,
    &THREADS,
    &PDF_SECONDS,
    &ZIP_RATIO_LIMIT,
];

/// Largest ratio of unpacked to packed size of a zip entry above
/// [`ZIP_RATIO_FLOOR`] bytes, for documents (`.docx`, `.odt`, `.xlsx`):
/// deflate never shrinks real documents a hundredfold; zip bombs shrink a
/// thousandfold.
pub const ZIP_RATIO_DOCUMENT: u64 = 200;

/// The same ratio for REFI-QDA projects, whose text compresses about 3:1
/// and XML about 10:1.
pub const ZIP_RATIO_PROJECT: u64 = 100;

/// The zip ratio limits as a [`Limit`], for the reference.
pub static ZIP_RATIO_LIMIT: Limit = Limit::fixed(
    "times its packed size for an unpacked zip entry (100 for a REFI-QDA project)",
    false,
    ZIP_RATIO_DOCUMENT,
    "real documents never shrink that much; zip bombs shrink a thousandfold",
);

/// Zip entries up to this size are never refused for their ratio: a small
/// run of blank XML may compress very well.
pub const ZIP_RATIO_FLOOR: u64 = MB;

/// Most entries a zip archive may list.
pub const ZIP_ENTRIES: usize = 100_000;

/// Deepest nesting of XML elements read into a tree (no real codebook
/// nests codes this deep, and it keeps recursive walks over the tree safe).
pub const XML_DEPTH: usize = 200;

/// Checks the environment variables that raise limits, so that a mistyped
/// value is an error at the start rather than silently the default.
pub fn check_environment() -> Result<()> {
    for limit in ALL {
        limit.read_environment()?;
    }
    Ok(())
}

/// Bytes read so far in this process, for [`RUN_BYTES`].
static READ_IN_RUN: AtomicU64 = AtomicU64::new(0);

/// Starts counting [`RUN_BYTES`] again from zero, for a program that runs
/// several jobs in one process (the command line runs one).
pub fn reset_run() {
    READ_IN_RUN.store(0, Ordering::Relaxed);
}

/// Counts `bytes` more read from `place` (a file, or an archive entry),
/// refusing them when the run goes over [`RUN_BYTES`].
pub fn charge_run(bytes: u64, place: &str) -> Result<()> {
    let total = READ_IN_RUN.fetch_add(bytes, Ordering::Relaxed).saturating_add(bytes);
    if total > RUN_BYTES.value() {
        return Err(RUN_BYTES
            .exceeded(format!("qcode has read {} MB in this run", total / MB))
            .at(place.to_string())
            .kind(ErrorKind::Input));
    }
    Ok(())
}

/// The number of threads to use for `asked` (`-j N`), and a warning when
/// it was clamped to [`THREADS`]; 0 means 1.
pub fn threads(asked: usize) -> (usize, Option<String>) {
    let most = THREADS.value() as usize;
    match asked {
        0 => (1, None),
        n if n > most => (
            most,
            Some(format!(
                "-j {n} is more than the limit of {}; using {most} threads ({})",
                THREADS.describe(),
                THREADS.cost
            )),
        ),
        n => (n, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_limit_and_how_to_raise_it() {
        let e = FILE_BYTES.exceeded("the file is 600 MB");
        assert_eq!(
            e.what,
            "the file is 600 MB, more than the limit of 512 MB read from one file"
        );
        let hint = e.hint.unwrap();
        assert!(hint.contains("QCODE_MAX_FILE_MB=1024 qcode"), "{hint}");
        let e = CODEBOOK_CODES.exceeded("the codebook has 50,000 codes");
        assert_eq!(
            e.what,
            "the codebook has 50,000 codes, more than the limit of 10,000 codes in one codebook"
        );
        assert!(e.hint.unwrap().starts_with("this limit cannot be raised: "));
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(20_000_000), "20,000,000");
    }

    #[test]
    fn threads_are_clamped() {
        assert_eq!(threads(0), (1, None));
        assert_eq!(threads(8), (8, None));
        let (n, warning) = threads(100_000);
        assert_eq!(n, 256);
        assert!(
            warning
                .unwrap()
                .starts_with("-j 100000 is more than the limit of 256 threads")
        );
    }

    #[test]
    fn every_limit_is_listed_once() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert!(!std::ptr::eq(*a, *b), "{} listed twice", a.what);
            }
        }
    }
}
