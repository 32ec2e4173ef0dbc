//! Projects: a `.qdpx` archive holding `project.qde` (users, codebook,
//! variables, sources with their coded selections) and the plain text of
//! every source in `sources/<guid>.txt`.
//!
//! [`export`] writes qcode's documents and codings as such a project;
//! [`import`](mod@import) reads one coded by hand in another program into
//! qcode's coded CSV rows.

mod archive;
mod counting;
pub mod export;
pub mod import;
mod problems;

pub use export::{ProjectWriter, automatic_description, imported_description};
pub use import::{Imported, import, text_file};

/// The XML namespace of REFI-QDA 1.0 projects, written on `<Project>`.
pub const NAMESPACE: &str = "urn:QDA-XML:project:1.0";
const SCHEMA_LOCATION: &str = "urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd";
