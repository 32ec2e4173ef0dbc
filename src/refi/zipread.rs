//! Reading a `.qdpx` archive that came from someone else.
//!
//! Nothing is ever extracted to disk: entries are looked up by name and read
//! into memory, so a hostile entry name (`../../.bashrc`) can do no harm; such
//! names are still reported, and never matched. Sizes are capped per entry
//! and in total, a compression ratio beyond [`MAX_RATIO`] is refused as a zip
//! bomb, and every read is bounded with `take()` instead of trusting the
//! sizes the archive declares.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use zip::ZipArchive;

use crate::error::{Error, Result};

/// Most entries an archive may list.
pub const MAX_ENTRIES: usize = 100_000;
/// Most bytes read from one archive, all entries together.
pub const MAX_TOTAL: u64 = 512 << 20;
/// Largest uncompressed/compressed ratio accepted for entries above
/// [`RATIO_FLOOR`]; real text compresses about 3:1, XML about 10:1.
pub const MAX_RATIO: u64 = 100;
/// Entries smaller than this may compress better (a text of blanks does).
pub const RATIO_FLOOR: u64 = 1 << 20;

/// One file in the archive.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    index: usize,
}

/// An open archive and what has been read from it so far.
pub struct Archive {
    zip: ZipArchive<File>,
    label: String,
    entries: Vec<Entry>,
    read_total: u64,
}

impl Archive {
    /// Opens an archive; the warnings name entries that were set aside.
    pub fn open(path: &Path) -> Result<(Archive, Vec<String>)> {
        let file = File::open(path).map_err(|e| Error::io(path, &e))?;
        let zip = ZipArchive::new(file).map_err(|e| {
            Error::new(format!("this is not a readable .qdpx project: not a ZIP archive, or a damaged or truncated one ({e})"))
                .in_file(path)
                .hint("a .qdpx file is a ZIP archive exported by NVivo, ATLAS.ti, MAXQDA or QualCoder; check that the file was copied completely, or export the project again")
        })?;
        if zip.len() > MAX_ENTRIES {
            return Err(Error::new(format!(
                "the archive lists {} files, more than the {MAX_ENTRIES} qcode reads",
                zip.len()
            ))
            .in_file(path)
            .hint("this is not a REFI-QDA project as exported by a QDA program"));
        }
        let label = path.display().to_string();
        let mut entries = Vec::new();
        let mut unsafe_names = Vec::new();
        for index in 0..zip.len() {
            let place = format!("{label}: entry {index}");
            let entry = zip.by_index_data(index).map_err(|e| damaged(&place, &e))?;
            let name = entry.name().map_err(|e| damaged(&place, &e))?.into_owned();
            if entry.enclosed_name().is_none() || name.starts_with('/') || name.contains('\\') {
                unsafe_names.push(name);
            } else if !entry.is_dir() {
                entries.push(Entry { name, index });
            }
        }
        let mut warnings = Vec::new();
        if !unsafe_names.is_empty() {
            warnings.push(format!(
                "ignored {} archive entr{} with an unsafe path (absolute, or leading outside the archive): {}",
                unsafe_names.len(),
                if unsafe_names.len() == 1 { "y" } else { "ies" },
                unsafe_names.join(", ")
            ));
        }
        Ok((
            Archive {
                zip,
                label,
                entries,
                read_total: 0,
            },
            warnings,
        ))
    }

    /// The project XML: the single `*.qde` at the root, whatever its name
    /// (`project.qde`, `Project.qde`, `<name>.qde`); `project.qde` wins if
    /// there are several.
    pub fn project_entry(&self) -> Result<Entry> {
        let qde: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| !e.name.contains('/') && e.name.to_ascii_lowercase().ends_with(".qde"))
            .collect();
        match qde.as_slice() {
            [one] => Ok((*one).clone()),
            [] => {
                let names: Vec<&str> = self.entries.iter().take(10).map(|e| e.name.as_str()).collect();
                Err(Error::new("the archive holds no project file (`project.qde`)")
                    .at(self.label.clone())
                    .hint(format!(
                        "a REFI-QDA project (.qdpx) holds a project.qde and a sources/ folder; this archive holds: {}",
                        if names.is_empty() {
                            "nothing".to_string()
                        } else {
                            names.join(", ")
                        }
                    )))
            }
            several => several
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case("project.qde"))
                .map(|e| (*e).clone())
                .ok_or_else(|| {
                    let names: Vec<&str> = several.iter().map(|e| e.name.as_str()).collect();
                    Error::new(format!("the archive holds several project files: {}", names.join(", ")))
                        .at(self.label.clone())
                        .hint("a .qdpx holds one project; export each project to its own file")
                }),
        }
    }

    /// The internal file `name` (`<guid>.txt`), in `sources/` or `Sources/`
    /// or, failing that, anywhere; names compare ignoring case.
    pub fn source_entry(&self, name: &str) -> Option<Entry> {
        let lower = name.to_lowercase();
        let wanted = format!("sources/{lower}");
        let by_path = self.entries.iter().find(|e| e.name.to_lowercase() == wanted);
        by_path
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|e| e.name.rsplit('/').next().is_some_and(|n| n.to_lowercase() == lower))
            })
            .cloned()
    }

    /// Reads an entry whole, refusing more than `limit` bytes, a zip bomb,
    /// or more than [`MAX_TOTAL`] bytes from the archive in all.
    pub fn read(&mut self, entry: &Entry, limit: u64) -> Result<Vec<u8>> {
        let place = format!("{}: {}", self.label, entry.name);
        let file = self.zip.by_index(entry.index).map_err(|e| damaged(&place, &e))?;
        let (declared, compressed) = (file.size(), file.compressed_size());
        let remaining = MAX_TOTAL - self.read_total;
        let refuse = |size: u64| -> Option<Error> {
            let what = if size > RATIO_FLOOR && size > compressed.saturating_mul(MAX_RATIO) {
                format!(
                    "the entry expands from {compressed} to {size} bytes (more than {MAX_RATIO} to 1), which is how zip bombs work"
                )
            } else if size > limit {
                format!(
                    "the entry is {}, more than the {} qcode reads from one entry",
                    megabytes(size),
                    megabytes(limit)
                )
            } else if size > remaining {
                format!(
                    "the archive holds more than the {} qcode reads from one project",
                    megabytes(MAX_TOTAL)
                )
            } else {
                return None;
            };
            Some(Error::new(what).at(place.clone()).hint(
                "qcode refuses archives that could exhaust memory; if the project is genuine, export it without media files",
            ))
        };
        if let Some(e) = refuse(declared) {
            return Err(e);
        }
        // The declared size may lie: read at most one byte past what is
        // allowed, and check again on what really came out.
        let mut bytes = Vec::new();
        file.take(limit.min(remaining) + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| damaged(&place, &e))?;
        let got = bytes.len() as u64;
        if let Some(e) = refuse(got) {
            return Err(e);
        }
        if got > declared {
            return Err(damaged(&place, &"the entry holds more data than its header says"));
        }
        self.read_total += got;
        Ok(bytes)
    }
}

fn megabytes(n: u64) -> String {
    format!("{:.1} MB", n as f64 / f64::from(1 << 20))
}

fn damaged(place: &str, e: &dyn std::fmt::Display) -> Error {
    Error::new(format!("the archive is damaged: {e}"))
        .at(place.to_string())
        .hint("check that the file was copied completely, or export the project again")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn archive(files: &[(&str, &[u8])]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.qdpx");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in files {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        (dir, path)
    }

    #[test]
    fn finds_project_and_sources_leniently() {
        let (_d, path) = archive(&[
            ("Trial.qde", b"<Project/>"),
            ("Sources/ABC.TXT", b"hola"),
            ("sources/.root", b""),
        ]);
        let (mut a, warnings) = Archive::open(&path).unwrap();
        assert!(warnings.is_empty());
        let p = a.project_entry().unwrap();
        assert_eq!(p.name, "Trial.qde");
        assert_eq!(a.read(&p, 1 << 20).unwrap(), b"<Project/>");
        let s = a.source_entry("abc.txt").unwrap();
        assert_eq!(a.read(&s, 1 << 20).unwrap(), b"hola");
        assert!(a.source_entry("missing.txt").is_none());
    }

    #[test]
    fn unsafe_names_are_reported_and_never_matched() {
        let (_d, path) = archive(&[
            ("project.qde", b"<Project/>"),
            ("../evil.txt", b"x"),
            ("sources/../../abs.txt", b"x"),
        ]);
        let (a, warnings) = Archive::open(&path).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("../evil.txt") && warnings[0].contains("../../abs.txt"),
            "{warnings:?}"
        );
        assert!(a.source_entry("evil.txt").is_none());
        assert!(a.source_entry("abs.txt").is_none());
    }

    #[test]
    fn bombs_and_oversized_entries_are_refused() {
        let zeros = vec![0u8; 4 << 20];
        let (_d, path) = archive(&[("project.qde", &zeros)]);
        let (mut a, _) = Archive::open(&path).unwrap();
        let p = a.project_entry().unwrap();
        let e = a.read(&p, 64 << 20).unwrap_err();
        assert!(e.what.contains("zip bomb"), "{e}");
        let text = "Entrevista sobre el precio del viaje. ".repeat(1000);
        let (_d, path) = archive(&[("project.qde", text.as_bytes())]);
        let (mut a, _) = Archive::open(&path).unwrap();
        let p = a.project_entry().unwrap();
        let e = a.read(&p, 1000).unwrap_err();
        assert!(
            e.what.contains("more than the 0.0 MB qcode reads from one entry"),
            "{e}"
        );
    }

    #[test]
    fn not_a_zip_and_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.qdpx");
        std::fs::write(&path, "<Project/>").unwrap();
        assert!(Archive::open(&path).err().unwrap().what.contains("not a ZIP archive"));
        let (_d, good) = archive(&[("project.qde", b"<Project/>")]);
        let bytes = std::fs::read(&good).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(
            Archive::open(&path)
                .err()
                .unwrap()
                .what
                .contains("damaged or truncated")
        );
    }

    #[test]
    fn project_entry_choice() {
        let (_d, path) = archive(&[("a.qde", b""), ("project.qde", b"")]);
        assert_eq!(
            Archive::open(&path).unwrap().0.project_entry().unwrap().name,
            "project.qde"
        );
        let (_d, path) = archive(&[("a.qde", b""), ("b.qde", b"")]);
        assert!(
            Archive::open(&path)
                .unwrap()
                .0
                .project_entry()
                .unwrap_err()
                .what
                .contains("several")
        );
        let (_d, path) = archive(&[("sub/project.qde", b"")]);
        assert!(
            Archive::open(&path)
                .unwrap()
                .0
                .project_entry()
                .unwrap_err()
                .what
                .contains("no project file")
        );
    }
}
