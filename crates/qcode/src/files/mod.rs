//! Files as qcode reads and writes them: inputs read whole through a hard
//! cap, CSV with spreadsheet conventions ([`spreadsheet`]), zip archives
//! read in memory with limits ([`archive`]), and outputs written atomically
//! ([`output`]).
//!
//! These are shared by every stage that touches files — reading
//! transcripts, codebooks, coded CSVs, dictionaries and REFI-QDA projects —
//! so they sit below all of them, and the guarantees hold in one place:
//!
//! * **Only regular files are read.** A named pipe would block the run
//!   forever and a device (`/dev/zero`) never ends, so anything else is
//!   refused before it is opened; `-` is standard input where a command
//!   takes it ([`STDIN`]), read once.
//! * **Reads have a hard cap.** The length the file system reports is only
//!   used to refuse early; the bytes actually read are counted against
//!   [`limits::FILE_BYTES`] and [`limits::RUN_BYTES`].
//! * **Every input is remembered** by its identity (device and inode on
//!   Unix, so a hard link is the same file; the canonical path elsewhere),
//!   so that [`output::Output`] can refuse to replace a file the run read.

pub mod archive;
pub mod output;
pub mod spreadsheet;

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::error::{Error, ErrorKind, Result};
use crate::limits;

/// The path that stands for standard input where a command reads it.
pub const STDIN: &str = "-";

/// Whether `path` is `-`, standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// Reads a file whole (or standard input, for `-`), refusing anything but a
/// regular file and more than [`limits::FILE_BYTES`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if is_stdin(path) {
        return stdin_bytes().map(<[u8]>::to_vec);
    }
    let (file, len) = open_input(path)?;
    read_capped(file, len, path)
}

/// Standard input, read once with the cap of a file and kept, so that a
/// second look (the attributes of a transcript, then its text) sees the
/// same bytes.
pub fn stdin_bytes() -> Result<&'static [u8]> {
    static STDIN_BYTES: OnceLock<std::result::Result<Vec<u8>, Error>> = OnceLock::new();
    let read = STDIN_BYTES.get_or_init(|| read_capped(std::io::stdin().lock(), 0, Path::new("standard input")));
    read.as_deref().map_err(Clone::clone)
}

/// Reads at most [`limits::FILE_BYTES`] from `reader`, `len` bytes long as
/// far as the file system says (only used to size the buffer and refuse
/// early), counting them against [`limits::RUN_BYTES`].
fn read_capped(reader: impl Read, len: u64, path: &Path) -> Result<Vec<u8>> {
    let limit = limits::FILE_BYTES.value();
    let too_big = |size: u64| {
        limits::FILE_BYTES
            .exceeded(format!("the file is {} MB", size >> 20))
            .in_file(path)
    };
    if len > limit {
        return Err(too_big(len));
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, &e))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    limits::charge_run(bytes.len() as u64, &path.display().to_string())?;
    Ok(bytes)
}

/// Opens `path` for reading if it is a regular file (following links),
/// remembering it as an input of the run; also returns its length as the
/// file system reports it.
pub fn open_input(path: &Path) -> Result<(File, u64)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    require_regular(path, &meta)?;
    let file = File::open(path).map_err(|e| Error::io(path, &e))?;
    // The file opened is the one checked, even if the path changed since.
    let meta = file.metadata().map_err(|e| Error::io(path, &e))?;
    require_regular(path, &meta)?;
    remember_input(path, &meta);
    Ok((file, meta.len()))
}

/// Refuses what is not a regular file: folders, named pipes, devices,
/// sockets.
pub fn require_regular(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    let (what, hint) = match special_kind(meta) {
        Special::Folder => (
            "this is a folder, where a file was expected",
            "give the path of the file itself, not of the folder that holds it",
        ),
        Special::Pipe => (
            "this is a named pipe (FIFO), not a file: qcode reads only regular files, which a pipe would leave waiting forever",
            "save what the pipe carries into a file and give that file (transcripts can also come on standard input as `-`)",
        ),
        Special::Device => (
            "this is a device, not a file: qcode reads only regular files",
            "give the path of a file; to read a transcript from standard input, give `-`",
        ),
        Special::Other => (
            "this is not a regular file (a socket or another special file): qcode reads only regular files",
            "give the path of a file",
        ),
    };
    Err(Error::new(what).kind(ErrorKind::Read).in_file(path).hint(hint))
}

/// What a path that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// A directory.
    Folder,
    /// A named pipe.
    Pipe,
    /// A character or block device (`/dev/zero`, a disk).
    Device,
    /// A socket, or anything else.
    Other,
}

/// The kind of a path that is not a regular file.
pub fn special_kind(meta: &std::fs::Metadata) -> Special {
    let kind = meta.file_type();
    if kind.is_dir() {
        return Special::Folder;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Special::Pipe;
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Special::Device;
        }
    }
    Special::Other
}

/// A file's identity: device and inode on Unix (so that hard links and
/// different spellings of a path are the same file), the canonical path
/// elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

impl FileId {
    /// The identity of the file at `path` described by `meta`.
    pub(crate) fn of(path: &Path, meta: &std::fs::Metadata) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            Some(FileId::Inode(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            std::fs::canonicalize(path).ok().map(FileId::Path)
        }
    }
}

/// Files of this run by identity: the inputs read, and the outputs
/// written.
#[derive(Default)]
struct Remembered {
    /// Identity → the path the file was read or written as.
    files: Mutex<HashMap<FileId, PathBuf>>,
}

impl Remembered {
    fn remember(&self, path: &Path, meta: &std::fs::Metadata) {
        if let Some(id) = FileId::of(path, meta) {
            let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
            // The latest path wins: an older one may be a deleted file
            // whose inode this file now has.
            files.insert(id, path.to_path_buf());
        }
    }

    /// The path a remembered file was known as, if the existing file at
    /// `path` is one (the same file, whatever the spelling of its path).
    fn at(&self, path: &Path) -> Option<PathBuf> {
        let meta = std::fs::metadata(path).ok()?;
        let id = FileId::of(path, &meta)?;
        let known = self.files.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()?;
        // A file deleted since may have left its inode to a new one: the
        // path it was known as must still be that file.
        let still = std::fs::metadata(&known).ok().and_then(|m| FileId::of(&known, &m));
        (still == Some(id)).then_some(known)
    }

    fn forget(&self) {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

fn inputs() -> &'static Remembered {
    static INPUTS: OnceLock<Remembered> = OnceLock::new();
    INPUTS.get_or_init(Default::default)
}

fn outputs() -> &'static Remembered {
    static OUTPUTS: OnceLock<Remembered> = OnceLock::new();
    OUTPUTS.get_or_init(Default::default)
}

/// Remembers the file at `path` as an input of the run.
pub(crate) fn remember_input(path: &Path, meta: &std::fs::Metadata) {
    inputs().remember(path, meta);
}

/// The path an input of this run was read as, if the existing file at
/// `path` is one (the same file, whatever the spelling of its path).
pub fn input_at(path: &Path) -> Option<PathBuf> {
    inputs().at(path)
}

/// Remembers the file at `path` as an output written by the run.
pub(crate) fn remember_output(path: &Path) {
    if let Ok(meta) = std::fs::metadata(path) {
        outputs().remember(path, &meta);
    }
}

/// The path an output of this run was written as, if the existing file at
/// `path` is one.
pub fn output_at(path: &Path) -> Option<PathBuf> {
    outputs().at(path)
}

/// Forgets the inputs and outputs remembered so far, for a program that
/// runs several jobs in one process (the command line runs one).
pub fn forget_inputs() {
    inputs().forget();
    outputs().forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_and_remembers_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "hola").unwrap();
        assert_eq!(read_bytes(&path).unwrap(), b"hola");
        assert_eq!(input_at(&path).as_deref(), Some(path.as_path()));
        #[cfg(unix)]
        {
            let link = dir.path().join("hard.txt");
            std::fs::hard_link(&path, &link).unwrap();
            assert_eq!(
                input_at(&link).as_deref(),
                Some(path.as_path()),
                "a hard link is the same file"
            );
        }
        assert_eq!(input_at(&dir.path().join("other.txt")), None);
    }

    #[test]
    fn refuses_folders_and_devices() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_bytes(dir.path()).unwrap_err();
        assert_eq!(e.what, "this is a folder, where a file was expected");
        #[cfg(unix)]
        {
            let e = read_bytes(Path::new("/dev/zero")).unwrap_err();
            assert!(e.what.starts_with("this is a device, not a file"), "{e}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_reported_length_is_not_trusted() {
        // /proc files report a length of 0 and hold more: read, and capped.
        let bytes = read_bytes(Path::new("/proc/self/status")).unwrap();
        assert!(bytes.starts_with(b"Name:"));
    }
}
