//! Writing results: to stdout, or atomically to a file.
//!
//! A file is written to a temporary file beside it and renamed into place
//! only when everything was written, so an error half-way never leaves a
//! half-written table where a finished one is expected. A closed pipe on
//! stdout (`qcode … | head`) comes back as an error of kind
//! [`ErrorKind::BrokenPipe`], which the command line ends on quietly, as
//! Unix tools do.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

/// Where output goes.
pub struct Output {
    inner: Sink,
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File {
        writer: BufWriter<File>,
        temp: PathBuf,
        target: PathBuf,
        done: bool,
    },
}

impl Output {
    /// `None` or `-` means stdout.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        let path = match path {
            None => return Ok(Output::stdout()),
            Some(p) if p.as_os_str() == "-" => return Ok(Output::stdout()),
            Some(p) => p,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(Error::new("the folder for this output file does not exist")
                .in_file(path)
                .hint("create the folder first, or write the file somewhere else"));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut n = 0u32;
        let (temp, file) = loop {
            let temp = dir.join(format!(".{name}.qcode-{}-{n}.tmp", std::process::id()));
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(f) => break (temp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(Error::io(&temp, &e).kind(ErrorKind::Write)),
            }
        };
        Ok(Output {
            inner: Sink::File {
                writer: BufWriter::with_capacity(1 << 16, file),
                temp,
                target: path.to_path_buf(),
                done: false,
            },
        })
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

    /// Flushes and, for a file, moves it into place.
    pub fn finish(mut self) -> Result<()> {
        match &mut self.inner {
            Sink::Stdout(w) => w.flush().map_err(Error::write),
            Sink::File {
                writer,
                temp,
                target,
                done,
            } => {
                let failed = |path: &Path, e: io::Error| Error::io(path, &e).kind(ErrorKind::Write);
                writer.flush().map_err(|e| failed(temp, e))?;
                writer.get_ref().sync_all().map_err(|e| failed(temp, e))?;
                std::fs::rename(&*temp, &*target).map_err(|e| failed(target, e))?;
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
            Sink::File { writer, .. } => writer.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Sink::Stdout(w) => w.flush(),
            Sink::File { writer, .. } => writer.flush(),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Sink::File { temp, done: false, .. } = &self.inner {
            let _ = std::fs::remove_file(temp);
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
}
