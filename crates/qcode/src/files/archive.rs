//! Reading entries of an untrusted zip archive safely: the documents of the
//! corpus (`.docx`, `.odt`, `.xlsx`) and REFI-QDA projects (`.qdpx`, see
//! [`crate::refi`]) alike.
//!
//! Every zip vulnerability of recent years lives in extraction to disk
//! (symlinks, `../` names, attacker-sized allocations), so qcode never
//! extracts: it opens the entries it needs *by name* and reads them into
//! memory through a limit. Entries that are links, or whose names are
//! absolute or lead outside the archive (zip-slip), are set aside when the
//! archive is opened: never listed, never matched, and refused if asked for
//! by name. Encrypted entries are refused.
//!
//! The archive is read from the file as entries are asked for, never loaded
//! whole, so a project that carries large media files it does not need can
//! still be opened. Zip bombs are stopped by three caps, chosen per kind of
//! file ([`Limits`]): bytes per entry, bytes for the whole archive, and the
//! compression ratio (deflate never shrinks real documents a hundredfold;
//! bombs shrink a thousandfold). The sizes an archive declares are not
//! trusted: they may only make qcode refuse earlier, and the caps apply to
//! the bytes actually produced while decompressing.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use zip::ZipArchive;
use zip::read::ZipFileEntry;

use super::open_input;
use crate::error::{Error, Result};
use crate::limits;

/// The caps an archive is read under (see [`crate::limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest archive file opened, if any.
    pub archive: Option<u64>,
    /// Most entries an archive may list.
    pub entries: usize,
    /// Largest entry read, unpacked.
    pub entry: u64,
    /// Largest total of unpacked bytes read from one archive.
    pub total: u64,
    /// Largest ratio of unpacked to packed size, for entries above
    /// `ratio_floor` bytes.
    pub ratio: u64,
    /// Entries up to this size are never refused for their ratio: a small
    /// run of blank XML may compress very well.
    pub ratio_floor: u64,
}

impl Limits {
    /// The caps for documents of the corpus: the file, and what it unpacks
    /// to, within [`limits::FILE_BYTES`]; real documents never shrink
    /// [`limits::ZIP_RATIO_DOCUMENT`]-fold.
    pub fn document() -> Limits {
        let file = limits::FILE_BYTES.value();
        Limits {
            archive: Some(file),
            entries: limits::ZIP_ENTRIES,
            entry: file,
            total: file,
            ratio: limits::ZIP_RATIO_DOCUMENT,
            ratio_floor: limits::ZIP_RATIO_FLOOR,
        }
    }
}

/// A kind of zip-based file: what it is called in messages and the caps it
/// is read under.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// What the file should be: "a Word document (.docx)".
    pub name: &'static str,
    /// Why a file that is not a zip archive at all is refused, after "the
    /// file is not {name}: ".
    pub not_zip: &'static str,
    /// How the message about a zip bomb names the bomb, after "the entry
    /// unpacks to more than N times its packed size, ".
    pub bomb: &'static str,
    /// How to fix a file that is not a readable archive of this kind.
    pub fix: &'static str,
    /// The caps archives of this kind are read under, as they are when
    /// it is opened (the size limits can be raised by the environment).
    pub limits: fn() -> Limits,
}

impl Kind {
    /// A document of the corpus, called `name` in messages.
    pub const fn document(name: &'static str) -> Kind {
        Kind {
            name,
            not_zip: "it is not a zip archive (perhaps a text file with the wrong extension)",
            bomb: "as zip bombs do",
            fix: "open it in the program that made it and save it again, or rename a text file to .txt",
            limits: Limits::document,
        }
    }
}

/// How to fix an archive with an entry qcode refuses to read.
const UNTRUSTED: &str =
    "open it in the program that made it and save it again; if it came from someone else, do not trust it";

/// A zip archive, open on its file (or, for a file already read whole,
/// on its bytes: [`Archive::from_bytes`]).
pub struct Archive<R = BufReader<File>> {
    path: PathBuf,
    kind: Kind,
    limits: Limits,
    zip: ZipArchive<R>,
    /// The files (not folders) that may be read, in archive order.
    names: Vec<String>,
    /// The entries never read: links, and names that are absolute or lead
    /// outside the archive.
    set_aside: Vec<String>,
    /// Bytes produced so far, all entries together.
    total: u64,
}

impl Archive {
    /// Opens the archive at `path`, to be read as a `kind`.
    pub fn open(path: &Path, kind: &Kind) -> Result<Archive> {
        let limits = (kind.limits)();
        let (file, len) = open_input(path)?;
        refuse_size(path, len, &limits)?;
        let mut reader = BufReader::new(file);
        let is_zip = matches!(reader.fill_buf(), Ok(head) if looks_like_zip(head));
        Archive::from_reader(path, kind, limits, reader, is_zip)
    }
}

impl<'a> Archive<Cursor<&'a [u8]>> {
    /// The archive in `bytes`, the content of the file at `path` (which
    /// names it in messages), read whole by the caller with
    /// [`read_bytes`](super::read_bytes) because it needs the bytes too
    /// (to hash them). Entries are read through the same caps as from a
    /// file.
    pub fn from_bytes(path: &Path, kind: &Kind, bytes: &'a [u8]) -> Result<Self> {
        let limits = (kind.limits)();
        refuse_size(path, bytes.len() as u64, &limits)?;
        Archive::from_reader(path, kind, limits, Cursor::new(bytes), looks_like_zip(bytes))
    }
}

/// Whether a file starts as a zip archive does.
fn looks_like_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Refuses an archive file larger than the kind's cap.
fn refuse_size(path: &Path, len: u64, limits: &Limits) -> Result<()> {
    match limits.archive {
        Some(limit) if len > limit => Err(Error::new(format!(
            "the file is {}, more than the {} qcode reads from one file",
            amount(len),
            amount(limit)
        ))
        .in_file(path)
        .hint(limits::FILE_BYTES.raise_hint())),
        _ => Ok(()),
    }
}

impl<R: Read + Seek> Archive<R> {
    /// Opens the archive that `reader` reads; `is_zip` says whether it
    /// starts like one, to tell a damaged archive from another kind of file.
    fn from_reader(path: &Path, kind: &Kind, limits: Limits, reader: R, is_zip: bool) -> Result<Self> {
        let zip = ZipArchive::new(reader).map_err(|e| {
            let what = if is_zip {
                format!(
                    "the file is not {} that qcode can read: the archive is damaged or truncated ({e})",
                    kind.name
                )
            } else {
                format!("the file is not {}: {}", kind.name, kind.not_zip)
            };
            Error::new(what).in_file(path).hint(kind.fix)
        })?;
        if zip.len() > limits.entries {
            return Err(Error::new(format!(
                "the archive lists {} entries, more than the {} qcode reads",
                zip.len(),
                limits.entries
            ))
            .in_file(path)
            .hint(UNTRUSTED));
        }
        // Two entries of one name: one would be read and the other ignored,
        // and which one is the program's choice.
        if zip.has_duplicate_names() {
            return Err(
                Error::new("the archive holds two entries of the same name, so what it holds is ambiguous")
                    .in_file(path)
                    .hint(UNTRUSTED),
            );
        }
        let (mut names, mut set_aside) = (Vec::new(), Vec::new());
        for index in 0..zip.len() {
            let entry = zip.by_index_data(index).map_err(|e| {
                Error::new(format!("the archive is damaged: {e}"))
                    .in_file(path)
                    .hint(kind.fix)
            })?;
            match safe_name(&entry) {
                Some(name) if !entry.is_dir() => names.push(name),
                Some(_) => {}
                None => set_aside.push(String::from_utf8_lossy(entry.name_raw()).into_owned()),
            }
        }
        Ok(Archive {
            path: path.to_path_buf(),
            kind: *kind,
            limits,
            zip,
            names,
            set_aside,
            total: 0,
        })
    }

    /// The names of the files that may be read, in archive order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// The names of the entries set aside (links, and names that are
    /// absolute or lead outside the archive), which are never read.
    pub fn set_aside(&self) -> &[String] {
        &self.set_aside
    }

    /// The name of the file called `name` ignoring case: the exact name if
    /// there is one, else the first that differs only in case.
    pub fn find(&self, name: &str) -> Option<String> {
        if self.names.iter().any(|n| n == name) {
            return Some(name.to_string());
        }
        let lower = name.to_lowercase();
        self.names.iter().find(|n| n.to_lowercase() == lower).cloned()
    }

    /// The bytes of the entry called exactly `name`, or `None` if there is
    /// none.
    pub fn entry(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        match self.zip.index_for_name(name) {
            Some(index) => self.read_index(index, name, self.limits.entry).map(Some),
            None => Ok(None),
        }
    }

    /// The entry called exactly `name`, which the format requires.
    pub fn required(&mut self, name: &str) -> Result<Vec<u8>> {
        self.read(name, self.limits.entry)
    }

    /// The entry called exactly `name`, which must be there, refusing more
    /// than `limit` bytes (and never more than the kind's cap per entry).
    pub fn read(&mut self, name: &str, limit: u64) -> Result<Vec<u8>> {
        let Some(index) = self.zip.index_for_name(name) else {
            return Err(
                Error::new(format!("the file is not {}: it has no `{name}` inside", self.kind.name))
                    .in_file(&self.path)
                    .hint("open it in the program that made it and save it again in that format"),
            );
        };
        self.read_index(index, name, limit.min(self.limits.entry))
    }

    /// Reads every entry once through the caps, handing each (name,
    /// bytes) to `visit`, for archives handed to another library
    /// afterwards; refuses links and unsafe names.
    pub fn check_all(&mut self, mut visit: impl FnMut(&str, &[u8]) -> Result<()>) -> Result<()> {
        for index in 0..self.zip.len() {
            let name = self
                .zip
                .name_for_index(index)
                .and_then(|n| n.ok())
                .map(|n| n.into_owned())
                .unwrap_or_default();
            let bytes = self.read_index(index, &name, self.limits.entry)?;
            visit(&name, &bytes)?;
        }
        Ok(())
    }

    /// The open file, to hand to another zip reader (after
    /// [`check_all`](Archive::check_all)).
    pub fn into_reader(self) -> R {
        self.zip.into_inner()
    }

    /// Reads the entry at `index`, called `name`, through the caps and at
    /// most `limit` bytes.
    fn read_index(&mut self, index: usize, name: &str, limit: u64) -> Result<Vec<u8>> {
        let path = &self.path;
        let fail = |what: String| Error::new(what).in_file(path).hint(UNTRUSTED);
        let entry = self
            .zip
            .by_index_data(index)
            .map_err(|e| fail(format!("the entry `{name}` cannot be read: {e}")))?;
        if safe_name(&entry).is_none() {
            return Err(fail(format!(
                "the entry `{name}` is a link or points outside the archive"
            )));
        }
        if entry.encrypted() {
            return Err(Error::new("the file is protected with a password")
                .in_file(path)
                .hint("save a copy without a password and give that to qcode"));
        }
        let (declared, packed) = (entry.size(), entry.compressed_size());
        let Limits { ratio, ratio_floor, .. } = self.limits;
        let by_ratio = packed.saturating_mul(ratio).max(ratio_floor);
        let remaining = self.limits.total - self.total;
        let cap = limit.min(remaining).min(by_ratio);
        let refuse = |size: u64| {
            if size <= cap {
                return Ok(());
            }
            if size > by_ratio {
                return Err(fail(format!(
                    "the entry `{name}` unpacks to more than {ratio} times its packed size, {}; qcode stopped reading it",
                    self.kind.bomb
                )));
            }
            let what = if size > limit {
                format!(
                    "the entry `{name}` unpacks to more than {}; qcode stopped reading it",
                    amount(limit)
                )
            } else {
                format!(
                    "the archive unpacks to more than the {} qcode reads from one file; qcode stopped reading it at `{name}`",
                    amount(self.limits.total)
                )
            };
            Err(Error::new(what).in_file(path).hint(limits::FILE_BYTES.raise_hint()))
        };
        // The declared size may only make the refusal come earlier.
        refuse(declared)?;
        let mut out = Vec::with_capacity(declared as usize);
        self.zip
            .by_index(index)
            .and_then(|entry| Ok(entry.take(cap + 1).read_to_end(&mut out)?))
            .map_err(|e| fail(format!("the entry `{name}` is damaged: {e}")))?;
        let produced = out.len() as u64;
        refuse(produced)?;
        if produced > declared {
            return Err(fail(format!(
                "the entry `{name}` is damaged: it holds more data than its header says"
            )));
        }
        self.total += produced;
        limits::charge_run(produced, &format!("{}: {name}", path.display()))?;
        Ok(out)
    }
}

/// The entry's name, if it is safe: not a link, not absolute, not leading
/// outside the archive (zip-slip), and readable as text.
fn safe_name(entry: &ZipFileEntry<'_>) -> Option<String> {
    let name = entry.name().ok()?;
    let absolute = name.starts_with(['/', '\\']);
    (!entry.is_symlink() && !absolute && entry.enclosed_name().is_some()).then(|| name.into_owned())
}

/// A size in words: "1000 bytes", "256 MB", "1.5 MB".
fn amount(bytes: u64) -> String {
    const MB: u64 = 1 << 20;
    match bytes {
        b if b < MB => format!("{b} bytes"),
        b if b % MB == 0 => format!("{} MB", b / MB),
        b => format!("{:.1} MB", b as f64 / MB as f64),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    const TEST: Kind = Kind::document("a test archive");

    fn zip_with(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut w = zip::ZipWriter::new(file.reopen().unwrap());
        let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, options).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
        file
    }

    /// Rewrites the only entry's headers: its flags (local header offset 6,
    /// central header offset 8) or its uncompressed size (22 and 24).
    fn patch(file: &tempfile::NamedTempFile, local: usize, central: usize, value: &[u8]) {
        let mut bytes = std::fs::read(file.path()).unwrap();
        let at = |sig: &[u8]| bytes.windows(4).position(|w| w == sig).unwrap();
        let (l, c) = (at(b"PK\x03\x04"), at(b"PK\x01\x02"));
        bytes[l + local..l + local + value.len()].copy_from_slice(value);
        bytes[c + central..c + central + value.len()].copy_from_slice(value);
        std::fs::write(file.path(), bytes).unwrap();
    }

    #[test]
    fn reads_entries_by_name() {
        let f = zip_with(&[("a.xml", b"<a/>"), ("b/", b""), ("b/c.xml", b"hola")]);
        let mut a = Archive::open(f.path(), &TEST).unwrap();
        assert_eq!(a.names().collect::<Vec<_>>(), ["a.xml", "b/c.xml"]);
        assert!(a.set_aside().is_empty());
        assert_eq!(a.entry("b/c.xml").unwrap().unwrap(), b"hola");
        assert_eq!(a.read("a.xml", 10).unwrap(), b"<a/>");
        assert_eq!(a.entry("nope").unwrap(), None);
        let e = a.required("nope").unwrap_err();
        assert_eq!(e.what, "the file is not a test archive: it has no `nope` inside");
        a.check_all(|_, _| Ok(())).unwrap();
        // calamine gets the same file back
        let mut again = ZipArchive::new(a.into_reader()).unwrap();
        assert_eq!(again.by_name("b/c.xml").unwrap().size(), 4);
    }

    #[test]
    fn finds_names_ignoring_case() {
        let f = zip_with(&[("Sources/ABC.TXT", b"hola"), ("sources/abc.txt", b"exact")]);
        let a = Archive::open(f.path(), &TEST).unwrap();
        assert_eq!(a.find("sources/abc.txt").as_deref(), Some("sources/abc.txt"));
        assert_eq!(a.find("SOURCES/Abc.txt").as_deref(), Some("Sources/ABC.TXT"));
        assert_eq!(a.find("abc.txt"), None);
    }

    #[test]
    fn refuses_bombs() {
        let zeros = vec![0u8; 4 << 20];
        let f = zip_with(&[("bomb.xml", &zeros)]);
        let mut a = Archive::open(f.path(), &TEST).unwrap();
        let e = a.entry("bomb.xml").unwrap_err();
        assert!(
            e.what
                .starts_with("the entry `bomb.xml` unpacks to more than 200 times its packed size, as zip bombs do"),
            "{}",
            e.what
        );
        assert!(a.check_all(|_, _| Ok(())).is_err());
        // the other wording, and the lower ratio, of another kind
        let qdpx = Kind {
            bomb: "which is how zip bombs work",
            limits: || Limits {
                ratio: 100,
                ..Limits::document()
            },
            ..TEST
        };
        let e = Archive::open(f.path(), &qdpx)
            .unwrap()
            .required("bomb.xml")
            .unwrap_err();
        assert!(
            e.what
                .contains("more than 100 times its packed size, which is how zip bombs work"),
            "{e}"
        );
    }

    #[test]
    fn caps_apply_to_bytes_produced_not_declared() {
        // a bomb that declares 100 bytes is still stopped while unpacking
        // (by the zip library, which checks the declared size, or else by
        // the caps, which do not depend on it)
        let zeros = vec![0u8; 4 << 20];
        let f = zip_with(&[("bomb.xml", &zeros)]);
        patch(&f, 22, 24, &100u32.to_le_bytes());
        let e = Archive::open(f.path(), &TEST).unwrap().entry("bomb.xml").unwrap_err();
        assert!(
            e.what.starts_with("the entry `bomb.xml` is damaged") || e.what.contains("as zip bombs do"),
            "{e}"
        );
        // an entry that holds more than it declares, within the caps
        let f = zip_with(&[("a.xml", b"<a>hola</a>")]);
        patch(&f, 22, 24, &4u32.to_le_bytes());
        let e = Archive::open(f.path(), &TEST).unwrap().entry("a.xml").unwrap_err();
        assert!(e.what.starts_with("the entry `a.xml` is damaged"), "{e}");
    }

    #[test]
    fn refuses_oversized_entries_and_archives() {
        let text = "Entrevista sobre el precio del viaje. ".repeat(1000);
        let f = zip_with(&[("project.qde", text.as_bytes()), ("b.txt", text.as_bytes())]);
        let mut a = Archive::open(f.path(), &TEST).unwrap();
        let e = a.read("project.qde", 1000).unwrap_err();
        assert!(e.what.contains("unpacks to more than 1000 bytes"), "{e}");
        // the total for the archive
        let small = Kind {
            limits: || Limits {
                total: 50_000,
                ..Limits::document()
            },
            ..TEST
        };
        let mut a = Archive::open(f.path(), &small).unwrap();
        a.required("project.qde").unwrap();
        let e = a.required("b.txt").unwrap_err();
        assert!(
            e.what.contains("more than the 50000 bytes qcode reads from one file") && e.what.contains("`b.txt`"),
            "{e}"
        );
        // entries listed, and the archive file itself
        let few = Kind {
            limits: || Limits {
                entries: 1,
                ..Limits::document()
            },
            ..TEST
        };
        let e = Archive::open(f.path(), &few).err().unwrap();
        assert!(
            e.what
                .contains("the archive lists 2 entries, more than the 1 qcode reads"),
            "{e}"
        );
        let tiny = Kind {
            limits: || Limits {
                archive: Some(100),
                ..Limits::document()
            },
            ..TEST
        };
        let e = Archive::open(f.path(), &tiny).err().unwrap();
        assert!(
            e.what.ends_with("more than the 100 bytes qcode reads from one file"),
            "{e}"
        );
    }

    #[test]
    fn unsafe_names_are_set_aside_and_never_read() {
        let f = zip_with(&[
            ("project.qde", b"<Project/>"),
            ("../evil.txt", b"x"),
            ("sources/../../abs.txt", b"x"),
            ("/etc/passwd", b"x"),
        ]);
        let mut a = Archive::open(f.path(), &TEST).unwrap();
        assert_eq!(a.set_aside(), ["../evil.txt", "sources/../../abs.txt", "/etc/passwd"]);
        assert_eq!(a.names().collect::<Vec<_>>(), ["project.qde"]);
        assert_eq!(a.find("../EVIL.txt"), None);
        let e = a.entry("../evil.txt").unwrap_err();
        assert!(e.what.contains("is a link or points outside the archive"), "{e}");
        assert!(a.check_all(|_, _| Ok(())).is_err());
    }

    #[test]
    fn refuses_links() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut w = zip::ZipWriter::new(file.reopen().unwrap());
        w.add_symlink("content.xml", "/etc/passwd", SimpleFileOptions::default())
            .unwrap();
        w.finish().unwrap();
        let mut a = Archive::open(file.path(), &TEST).unwrap();
        assert_eq!(a.set_aside(), ["content.xml"]);
        let e = a.required("content.xml").unwrap_err();
        assert!(e.what.contains("`content.xml` is a link"), "{e}");
    }

    #[test]
    fn refuses_encrypted_entries() {
        let f = zip_with(&[("content.xml", b"<a/>")]);
        patch(&f, 6, 8, &[0x01]);
        let e = Archive::open(f.path(), &TEST)
            .unwrap()
            .required("content.xml")
            .unwrap_err();
        assert_eq!(e.what, "the file is protected with a password");
    }

    #[test]
    fn not_a_zip_and_truncated() {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), "P01: hola").unwrap();
        let e = Archive::open(f.path(), &Kind::document("a Word document (.docx)"))
            .err()
            .unwrap();
        assert_eq!(
            e.what,
            "the file is not a Word document (.docx): it is not a zip archive (perhaps a text file with the wrong extension)"
        );
        let good = zip_with(&[("project.qde", b"<Project/>")]);
        let bytes = std::fs::read(good.path()).unwrap();
        std::fs::write(f.path(), &bytes[..bytes.len() / 2]).unwrap();
        let e = Archive::open(f.path(), &TEST).err().unwrap();
        assert!(
            e.what
                .starts_with("the file is not a test archive that qcode can read: the archive is damaged or truncated"),
            "{e}"
        );
        let e = Archive::open(&f.path().with_extension("missing"), &TEST).err().unwrap();
        assert_eq!(e.what, "no such file or directory");
    }
}
