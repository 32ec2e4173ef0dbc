//! Files as qcode reads and writes them: whole files read with a size
//! limit, CSV with spreadsheet conventions ([`spreadsheet`]), zip archives
//! read in memory with limits ([`archive`]), and outputs written atomically
//! ([`output`]).
//!
//! These are shared by every stage that touches files — reading
//! transcripts, codebooks, coded CSVs, dictionaries and REFI-QDA projects —
//! so they sit below all of them.

pub mod archive;
pub mod output;
pub mod spreadsheet;

use std::path::Path;

use crate::error::{Error, Result};

/// Largest text file read (a transcript of this size is already a book).
pub const MAX_TEXT_FILE: u64 = 512 << 20;

/// Reads a file whole, refusing files too large to be a transcript.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    check_size(path, meta.len(), limit)?;
    std::fs::read(path).map_err(|e| Error::io(path, &e))
}

/// Refuses the file at `path`, `len` bytes long, if it is over `limit`.
pub fn check_size(path: &Path, len: u64, limit: u64) -> Result<()> {
    if len > limit {
        return Err(Error::new(format!(
            "the file is {} MB, more than the {} MB qcode reads from one file",
            len >> 20,
            limit >> 20
        ))
        .in_file(path)
        .hint("split the file into several documents"));
    }
    Ok(())
}
