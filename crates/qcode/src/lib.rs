//! qcode: code interview transcripts and field notes with a versionable
//! codebook.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! corpus (read files) → segment (units of text) → codebook (rules)
//!   → matcher (one pass per document) → coding (coded rows, coded CSV)
//!   → report (frequencies, excerpts) / stats (agreement) / refi (REFI-QDA)
//! ```
//!
//! Every report can start either from a fresh run of the codebook over the
//! transcripts or from codings read back from a coded CSV, so a human coder's
//! spreadsheet and qcode's automatic coding are treated alike.

pub mod error;
pub mod segment;
pub mod speakers;
pub mod text;
pub mod time;

pub use error::{Error, ErrorKind, Result};
pub mod choice;
pub mod codebook;
pub mod coding;
pub mod corpus;
pub mod dictionary;
pub mod files;
pub mod matcher;
pub mod pipeline;
pub mod refi;
pub mod reliability;
pub mod report;
pub mod stats;
