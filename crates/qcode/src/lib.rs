//! qcode: code interview transcripts and field notes with a versionable
//! codebook, reproducibly, and measure how consistently it was applied.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! files → corpus (read formats) → segment (units; speakers, time)
//!   → codebook (rules) → matcher (one pass per document) → coding (codings)
//!   → report (frequencies, excerpts, coded passages) / reliability (agreement, audit)
//!   / refi and dictionary (exchange with other programs)
//! ```
//!
//! Every report can start from a fresh run of the codebook over the
//! transcripts ([`pipeline`]) or from codings read back from a coded CSV
//! ([`coding`]) or a REFI-QDA project ([`refi`]), so a human coder's
//! spreadsheet and qcode's automatic coding are treated alike. The library
//! never prints, draws or exits: warnings and progress reach the caller
//! through [`pipeline::Observer`] and return values, and every failure is an
//! [`Error`] that says what went wrong, where, and how to fix it.
//!
//! # Example
//!
//! Code a passage with a two-code codebook and read the codings:
//!
//! ```
//! use qcode::{Codebook, Document, Setup, code_document};
//!
//! let codebook = Codebook::parse(
//!     "name: Demo\ncodes:\n  - name: prices\n    keywords: [coyote, \"pag*\"]\n  - name: debt\n    keywords: [prestamista]\n",
//!     "demo.yaml",
//! )?;
//! let setup = Setup::from_codebook(codebook)?;
//! let doc = Document::from_text("interview-1", "P1: Le pagamos al coyote tres mil dólares.\n\nP1: Nadie nos prestó.");
//! let coded = code_document(doc, &setup);
//! let codings = coded.codings(&setup.codebook, setup.unit);
//! assert_eq!(codings.len(), 1);
//! assert_eq!((codings[0].code.as_str(), codings[0].speaker.as_str()), ("prices", "P1"));
//! assert_eq!(codings[0].matched, ["pagamos", "coyote"]);
//! # Ok::<(), qcode::Error>(())
//! ```
//!
//! A corpus on disk is listed with [`corpus::discover`] and coded in
//! parallel, in input order, with [`pipeline::run`]; [`report::write_report`]
//! writes any [`report::Report`] as a table, CSV, JSON or Markdown.

#![warn(missing_docs)]

/// Money amounts quoted in interview text (`unos 5 mil dólares`, `Q3,500`):
/// values, currencies, ranges and approximations.
pub mod amounts;
pub mod choice;
pub mod codebook;
pub mod coding;
pub mod corpus;
pub mod dates;
pub mod develop;
pub mod dictionary;
pub mod embed;
pub mod error;
pub mod files;
pub mod limits;
pub mod matcher;
pub mod pipeline;
pub mod refi;
pub mod reliability;
pub mod report;
pub mod segment;
pub mod speakers;
pub mod stats;
pub mod suggest;
pub mod text;
pub mod time;
pub mod transcripts;

pub use codebook::Codebook;
pub use coding::{Coding, read_coded_csv};
pub use corpus::{Document, ReadOptions, Source, discover, read_source};
pub use error::{Error, ErrorKind, Result};
pub use pipeline::{CodedDocument, Observer, Setup, code_document};
pub use report::{Format, Provenance, Report, write_report};
pub use segment::{Segment, Unit};
