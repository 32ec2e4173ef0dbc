//! Writing results: to stdout, or atomically to a file.
//!
//! A file is written to a temporary file beside it and renamed into place
//! only when everything was written, so an error half-way never leaves a
//! half-written table where a finished one is expected. A closed pipe on
//! stdout (`qcode … | head`) comes back as an error of kind
//! [`ErrorKind::BrokenPipe`], which the command line ends on quietly, as
//! Unix tools do.
//!
//! Nothing a run read or wrote is ever replaced: an output whose file is an
//! input of the same run, or another of its outputs (the same file,
//! whatever the spelling of its path, or a hard link to it; see
//! [`crate::files`]), is refused, when it is opened and again before it is
//! moved into place, since a streamed output is opened before the inputs
//! are all read. A path that is a link is followed, so the link
//! stays and the file it points to is replaced. A path that is not a
//! regular file is never replaced: a character device or a pipe
//! (`/dev/null`, `/dev/stdout`) is written to as it is, and anything else
//! (a folder, a disk) is refused.
//!
//! A folder of outputs ([`OutputFolder`]) is written the same way: into a
//! temporary folder beside it, moved into place when complete. Temporary
//! files and folders are listed while they exist, so that a command
//! interrupted by a signal can remove them ([`abandon_all`]).

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::error::{Error, ErrorKind, Result};
use crate::files::{Special, input_at, output_at, remember_output, special_kind};

/// Where output goes.
pub struct Output {
    inner: Sink,
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    /// A device or pipe, written as it is.
    Direct(BufWriter<File>),
    File {
        writer: BufWriter<File>,
        temp: PathBuf,
        /// The file replaced: the path given, its links followed.
        target: PathBuf,
        /// The path as given, for messages.
        given: PathBuf,
        done: bool,
    },
}

/// The temporary files of outputs not yet moved into place.
fn temporaries() -> MutexGuard<'static, Vec<PathBuf>> {
    static TEMPORARIES: OnceLock<Mutex<Vec<PathBuf>>> = OnceLock::new();
    TEMPORARIES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Removes the temporary file of every output not yet finished, and keeps
/// any other output from being made or moved into place from then on: for
/// a process about to end on a signal (Ctrl-C), which must leave no
/// `.NAME.qcode-PID-N.tmp` behind.
pub fn abandon_all() {
    let mut temps = temporaries();
    for temp in temps.drain(..) {
        remove_temporary(&temp);
    }
    // Whoever waits for the list now waits until the process ends.
    std::mem::forget(temps);
}

/// Removes a temporary file, or folder (see [`OutputFolder`]).
fn remove_temporary(temp: &Path) {
    if temp.is_dir() {
        let _ = std::fs::remove_dir_all(temp);
    } else {
        let _ = std::fs::remove_file(temp);
    }
}

/// Refuses to replace `target` (`given` on the command line) when the run
/// read it, or already wrote it under another option.
fn check_target(given: &Path, target: &Path) -> Result<()> {
    if let Some(input) = input_at(target) {
        return Err(would_replace_input(given, &input));
    }
    if let Some(output) = output_at(target) {
        return Err(Error::usage(format!(
            "this run has already written this file ({}): two outputs would be the same file",
            output.display()
        ))
        .in_file(given)
        .hint("give each output its own file name"));
    }
    Ok(())
}

/// The error for an output that is an input of the same run.
fn would_replace_input(given: &Path, input: &Path) -> Error {
    let what = if given == input {
        "this output file is also an input of this run; writing it would destroy the input".to_string()
    } else {
        format!(
            "this output file is the same file as {}, an input of this run; writing it would destroy the input",
            input.display()
        )
    };
    Error::usage(what).in_file(given).hint(
        "write the output to another file: check the file name after --out (or the option that names this output)",
    )
}

impl Output {
    /// `None` or `-` means stdout.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        let path = match path {
            None => return Ok(Output::stdout()),
            Some(p) if p.as_os_str() == "-" => return Ok(Output::stdout()),
            Some(p) => p,
        };
        let target = match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => {
                check_target(path, path)?;
                std::fs::canonicalize(path).map_err(|e| Error::io(path, &e).kind(ErrorKind::Write))?
            }
            Ok(meta) => return Output::special(path, &meta),
            Err(_) => path.to_path_buf(),
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(Error::new("the folder for this output file does not exist")
                .kind(ErrorKind::Write)
                .in_file(path)
                .hint("create the folder first, or write the file somewhere else"));
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut temps = temporaries();
        let mut n = 0u32;
        let (temp, file) = loop {
            let temp = dir.join(format!(".{name}.qcode-{}-{n}.tmp", std::process::id()));
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(f) => break (temp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(Error::io(&temp, &e).kind(ErrorKind::Write)),
            }
        };
        temps.push(temp.clone());
        Ok(Output {
            inner: Sink::File {
                writer: BufWriter::with_capacity(1 << 16, file),
                temp,
                target,
                given: path.to_path_buf(),
                done: false,
            },
        })
    }

    /// An output to something that is not a regular file: written as it is
    /// when it is a character device or a pipe, else refused.
    fn special(path: &Path, meta: &std::fs::Metadata) -> Result<Output> {
        let refuse = |what: &str| {
            Error::new(what.to_string())
                .kind(ErrorKind::Write)
                .in_file(path)
                .hint("give the path of a file to write, or leave out the option to write to standard output")
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if meta.file_type().is_block_device() {
                return Err(refuse("this is a disk device: qcode never writes to one"));
            }
        }
        match special_kind(meta) {
            Special::Folder => Err(refuse("this is a folder, where an output file was expected")),
            Special::Pipe | Special::Device => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| Error::io(path, &e).kind(ErrorKind::Write))?;
                Ok(Output {
                    inner: Sink::Direct(BufWriter::with_capacity(1 << 16, file)),
                })
            }
            Special::Other => Err(refuse(
                "this is a socket or another special file, not a file qcode can write",
            )),
        }
    }

    fn stdout() -> Output {
        Output {
            inner: Sink::Stdout(BufWriter::with_capacity(1 << 16, io::stdout())),
        }
    }

    /// True when writing to a terminal (colours and wide tables make sense).
    pub fn is_terminal(&self) -> bool {
        matches!(self.inner, Sink::Stdout(_)) && io::stdout().is_terminal()
    }

    /// Flushes and, for a file, moves it into place, unless the file it
    /// would replace was read as an input since the output was opened.
    pub fn finish(mut self) -> Result<()> {
        match &mut self.inner {
            Sink::Stdout(w) => w.flush().map_err(Error::write),
            Sink::Direct(w) => w.flush().map_err(Error::write),
            Sink::File {
                writer,
                temp,
                target,
                given,
                done,
            } => {
                let failed = |path: &Path, e: io::Error| Error::io(path, &e).kind(ErrorKind::Write);
                writer.flush().map_err(|e| failed(temp, e))?;
                writer.get_ref().sync_all().map_err(|e| failed(temp, e))?;
                let mut temps = temporaries();
                check_target(given, target)?;
                std::fs::rename(&*temp, &*target).map_err(|e| failed(given, e))?;
                temps.retain(|t| t != temp);
                remember_output(target);
                *done = true;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Sink::Stdout(w) => w.write(buf),
            Sink::Direct(w) => w.write(buf),
            Sink::File { writer, .. } => writer.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Sink::Stdout(w) => w.flush(),
            Sink::Direct(w) => w.flush(),
            Sink::File { writer, .. } => writer.flush(),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Sink::File { temp, done: false, .. } = &self.inner {
            let mut temps = temporaries();
            remove_temporary(temp);
            temps.retain(|t| t != temp);
        }
    }
}

/// A folder of output files written whole or not at all: the files go
/// into a temporary folder beside it, which [`OutputFolder::finish`] moves
/// into place. The folder must be new or empty, so that no file of anyone's
/// is overwritten.
pub struct OutputFolder {
    temp: PathBuf,
    target: PathBuf,
    done: bool,
}

impl OutputFolder {
    /// Starts the folder `path`, which must not exist or be empty; `what`
    /// names it in messages ("the folder for {what} is not empty").
    pub fn create(path: &Path, what: &str) -> Result<OutputFolder> {
        let not_empty = || {
            Error::usage(format!("the folder for {what} is not empty"))
                .in_file(path)
                .hint("give a new or empty folder, so that no file of yours is overwritten")
        };
        match std::fs::read_dir(path).map(|mut entries| entries.next().is_none()) {
            Ok(true) => {}
            Ok(false) => return Err(not_empty()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => return Err(not_empty()),
            Err(e) => return Err(Error::io(path, &e).kind(ErrorKind::Write)),
        }
        let parent = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(Error::new("the folder that should hold this folder does not exist")
                .kind(ErrorKind::Write)
                .in_file(path)
                .hint("create it first, or write the files somewhere else"));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut temps = temporaries();
        let mut n = 0u32;
        let temp = loop {
            let temp = parent.join(format!(".{name}.qcode-{}-{n}.tmp", std::process::id()));
            match std::fs::create_dir(&temp) {
                Ok(()) => break temp,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(Error::io(&temp, &e).kind(ErrorKind::Write)),
            }
        };
        temps.push(temp.clone());
        Ok(OutputFolder {
            temp,
            target: path.to_path_buf(),
            done: false,
        })
    }

    /// Writes `bytes` to the file `relative` (parts separated by `/`,
    /// never `..`) of the folder, making its subfolders.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        let path = relative
            .split('/')
            .filter(|p| !p.is_empty() && *p != "." && *p != "..")
            .fold(self.temp.clone(), |p, part| p.join(part));
        let failed = |p: &Path, e: io::Error| Error::io(p, &e).kind(ErrorKind::Write);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| failed(parent, e))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| failed(&path, e))?;
        file.write_all(bytes).map_err(|e| failed(&path, e))?;
        file.sync_all().map_err(|e| failed(&path, e))
    }

    /// Moves the folder into place (over the empty folder, if there was
    /// one).
    pub fn finish(mut self) -> Result<()> {
        let mut temps = temporaries();
        let failed = |e: io::Error| Error::io(&self.target, &e).kind(ErrorKind::Write);
        if self.target.is_dir() {
            // Empty, as checked: it makes way for the folder written.
            std::fs::remove_dir(&self.target).map_err(failed)?;
        }
        std::fs::rename(&self.temp, &self.target).map_err(failed)?;
        temps.retain(|t| *t != self.temp);
        self.done = true;
        Ok(())
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        if !self.done {
            let mut temps = temporaries();
            let _ = std::fs::remove_dir_all(&self.temp);
            temps.retain(|t| *t != self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_appears_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        {
            let mut out = Output::open(Some(&target)).unwrap();
            out.write_all(b"half").unwrap();
            // dropped without finish: nothing is left behind
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut out = Output::open(Some(&target)).unwrap();
        out.write_all(b"whole").unwrap();
        out.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "whole");
    }

    #[test]
    fn an_input_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("t.txt");
        std::fs::write(&input, "entrevista").unwrap();
        crate::files::read_bytes(&input).unwrap();
        let e = Output::open(Some(&input)).err().unwrap();
        assert!(
            e.what.starts_with("this output file is also an input of this run"),
            "{e}"
        );
        // read after the output was opened: refused when finishing
        let later = dir.path().join("later.txt");
        std::fs::write(&later, "notas").unwrap();
        let mut out = Output::open(Some(&later)).unwrap();
        out.write_all(b"results").unwrap();
        crate::files::read_bytes(&later).unwrap();
        assert!(out.finish().is_err());
        assert_eq!(std::fs::read_to_string(&later).unwrap(), "notas");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary file left"
        );
    }

    #[test]
    fn a_folder_appears_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("texts");
        {
            let folder = OutputFolder::create(&target, "the texts").unwrap();
            folder.write("a/b.txt", b"hola").unwrap();
            // dropped without finish
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        std::fs::create_dir(&target).unwrap();
        let folder = OutputFolder::create(&target, "the texts").unwrap();
        folder.write("a/b.txt", b"hola").unwrap();
        folder.write("c.txt", b"adios").unwrap();
        folder.finish().unwrap();
        assert_eq!(std::fs::read_to_string(target.join("a/b.txt")).unwrap(), "hola");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let e = OutputFolder::create(&target, "the texts").err().unwrap();
        assert_eq!(e.what, "the folder for the texts is not empty");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_and_devices_written_as_they_are() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("latest.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut out = Output::open(Some(&link)).unwrap();
        out.write_all(b"new").unwrap();
        out.finish().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");

        let mut null = Output::open(Some(Path::new("/dev/null"))).unwrap();
        null.write_all(b"nothing").unwrap();
        null.finish().unwrap();
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
        let e = Output::open(Some(dir.path())).err().unwrap();
        assert_eq!(e.what, "this is a folder, where an output file was expected");
    }
}
