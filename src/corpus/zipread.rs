//! Reading entries of an untrusted zip archive (`.docx`, `.odt`, `.xlsx`,
//! REFI-QDA `.qdpx`) safely, in memory.
//!
//! Every zip vulnerability of recent years lives in extraction to disk
//! (symlinks, `../` names, attacker-sized allocations), so qcode never
//! extracts: it opens the entries it needs *by name* and reads them into
//! memory through a limit. Zip bombs are stopped by three caps: bytes per
//! entry, bytes for the whole archive, and the compression ratio (deflate
//! never shrinks real documents 200-fold; bombs shrink 1000-fold). The
//! declared sizes in the archive are not trusted: the limits apply to the
//! bytes actually produced while decompressing.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use zip::ZipArchive;
use zip::result::ZipError;

use super::read_bytes;
use crate::error::{Error, Result};

/// Largest archive file read.
pub const MAX_ARCHIVE: u64 = 512 << 20;
/// Largest entry read from an archive, uncompressed.
pub const MAX_ENTRY: u64 = 256 << 20;
/// Largest total of uncompressed bytes read from one archive.
const MAX_TOTAL: u64 = 1 << 30;
/// Most entries an archive may list.
const MAX_ENTRIES: usize = 100_000;
/// Largest ratio of uncompressed to compressed size, for entries above
/// [`RATIO_FLOOR`] bytes.
const MAX_RATIO: u64 = 200;
/// Entries smaller than this are never refused for their ratio: a small
/// run of blank XML may compress very well.
const RATIO_FLOOR: u64 = 1 << 20;

/// A zip archive read into memory.
pub struct Archive {
    path: PathBuf,
    /// What the file should be, for messages: "a Word document (.docx)".
    kind: String,
    zip: ZipArchive<Cursor<Vec<u8>>>,
    total: u64,
}

impl Archive {
    /// Opens the archive at `path`; `kind` names what it should be, for
    /// messages (e.g. "a Word document (.docx)").
    pub fn open(path: &Path, kind: &str) -> Result<Archive> {
        let bytes = read_bytes(path, MAX_ARCHIVE)?;
        let is_zip = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06");
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            let what = if is_zip {
                format!("the file is not {kind} that qcode can read: the archive is damaged or truncated ({e})")
            } else {
                format!(
                    "the file is not {kind}: it is not a zip archive (perhaps a text file with the wrong extension)"
                )
            };
            Error::new(what)
                .in_file(path)
                .hint("open it in the program that made it and save it again, or rename a text file to .txt")
        })?;
        if zip.len() > MAX_ENTRIES {
            return Err(Error::new(format!(
                "the archive lists {} entries, more than qcode accepts",
                zip.len()
            ))
            .in_file(path)
            .hint("this is not an ordinary document; open it in the program that made it and save it again"));
        }
        Ok(Archive {
            path: path.to_path_buf(),
            kind: kind.to_string(),
            zip,
            total: 0,
        })
    }

    /// The names of the entries, in archive order.
    pub fn names(&self) -> Vec<String> {
        self.zip
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect()
    }

    /// The bytes of the entry called `name`, or `None` if there is none.
    pub fn entry(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        let index = match self.zip.index_for_name(name) {
            Some(i) => i,
            None => return Ok(None),
        };
        self.read_index(index, name).map(Some)
    }

    /// The entry called `name`, which the format requires.
    pub fn required(&mut self, name: &str) -> Result<Vec<u8>> {
        self.entry(name)?.ok_or_else(|| {
            Error::new(format!("the file is not {}: it has no `{name}` inside", self.kind))
                .in_file(&self.path)
                .hint("open it in the program that made it and save it again in that format")
        })
    }

    /// Reads every entry once through the limits, for archives handed to
    /// another library afterwards.
    pub fn check_all(&mut self) -> Result<()> {
        for i in 0..self.zip.len() {
            let name = self
                .zip
                .name_for_index(i)
                .and_then(|n| n.ok())
                .map(|n| n.into_owned())
                .unwrap_or_default();
            self.read_index(i, &name)?;
        }
        Ok(())
    }

    /// The archive's bytes, to hand to another reader.
    pub fn into_bytes(self) -> Vec<u8> {
        self.zip.into_inner().into_inner()
    }

    fn read_index(&mut self, index: usize, name: &str) -> Result<Vec<u8>> {
        let path = self.path.clone();
        let fail = |what: String| {
            Error::new(what).in_file(&path).hint(
                "open it in the program that made it and save it again; if it came from someone else, do not trust it",
            )
        };
        let mut entry = self.zip.by_index(index).map_err(|e| match e {
            ZipError::UnsupportedArchive(why) if why.to_lowercase().contains("password") => {
                Error::new("the document is protected with a password")
                    .in_file(&path)
                    .hint("save a copy without a password and give that to qcode")
            }
            e => fail(format!("the entry `{name}` cannot be read: {e}")),
        })?;
        if entry.is_symlink() || entry.enclosed_name().is_none() {
            return Err(fail(format!(
                "the entry `{name}` is a link or points outside the archive"
            )));
        }
        let budget = MAX_ENTRY.min(MAX_TOTAL - self.total);
        let by_ratio = entry.compressed_size().saturating_mul(MAX_RATIO).max(RATIO_FLOOR);
        let cap = budget.min(by_ratio);
        let mut out = Vec::with_capacity(entry.size().min(cap) as usize);
        (&mut entry)
            .take(cap + 1)
            .read_to_end(&mut out)
            .map_err(|e| fail(format!("the entry `{name}` is damaged: {e}")))?;
        let produced = out.len() as u64;
        if produced > cap {
            let what = if cap == by_ratio {
                format!(
                    "the entry `{name}` unpacks to more than {MAX_RATIO} times its packed size, as zip bombs do; qcode stopped reading it"
                )
            } else {
                format!(
                    "the entry `{name}` unpacks to more than {} MB; qcode stopped reading it",
                    cap >> 20
                )
            };
            return Err(fail(what));
        }
        self.total += produced;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_with(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut w = zip::ZipWriter::new(file.reopen().unwrap());
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
        file
    }

    #[test]
    fn reads_entries_by_name() {
        let f = zip_with(&[("a.xml", b"<a/>"), ("b/c.xml", b"hola")]);
        let mut a = Archive::open(f.path(), "a test archive").unwrap();
        assert_eq!(a.names(), ["a.xml", "b/c.xml"]);
        assert_eq!(a.entry("b/c.xml").unwrap().unwrap(), b"hola");
        assert_eq!(a.entry("nope").unwrap(), None);
        let e = a.required("nope").unwrap_err();
        assert!(e.what.contains("no `nope` inside"));
        a.check_all().unwrap();
    }

    #[test]
    fn refuses_bombs() {
        let zeros = vec![0u8; 4 << 20];
        let f = zip_with(&[("bomb.xml", &zeros)]);
        let mut a = Archive::open(f.path(), "a test archive").unwrap();
        let e = a.entry("bomb.xml").unwrap_err();
        assert!(e.what.contains("zip bombs"), "{}", e.what);
        assert!(a.check_all().is_err());
    }

    #[test]
    fn text_is_not_a_zip() {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), "P01: hola").unwrap();
        let e = Archive::open(f.path(), "a Word document (.docx)").err().unwrap();
        assert!(e.what.contains("not a zip archive"), "{}", e.what);
    }
}
