//! PDF files, through Poppler's `pdftotext` program.
//!
//! PDF has no paragraphs, only glyphs placed on pages; turning them back
//! into text is hard, and the pure-Rust extractors panic on or garble many
//! real files. `pdftotext` is robust and packaged everywhere, so qcode runs
//! it (`pdftotext -enc UTF-8 -q FILE -`) when it is installed and says how to
//! install it when it is not. The environment variable `QCODE_PDFTOTEXT`
//! names the program when it is not on the `PATH`. Page breaks become line
//! breaks; paragraphs are the blank-line-separated blocks pdftotext writes.
//! A PDF without a text layer (a scan) gives an empty document and a
//! warning: qcode does no OCR. pdftotext is stopped when it writes more
//! than a file's limit of text or runs too long (see [`crate::limits`]).

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Document, Source};
use crate::error::{Error, Result};
use crate::files;
use crate::limits;

pub(super) fn read(source: &Source) -> Result<Document> {
    let path = &source.path;
    // pdftotext opens the file itself: it must be a regular file, and an
    // input of the run like any other.
    files::open_input(path)?;
    let program = std::env::var_os("QCODE_PDFTOTEXT").unwrap_or_else(|| "pdftotext".into());
    let child = Command::new(&program)
        .args(["-enc", "UTF-8", "-q"])
        .arg(path)
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::new("reading PDF files needs the program `pdftotext`, which is not installed")
                .in_file(path)
                .hint("install Poppler's utilities (`sudo apt install poppler-utils` on Debian or Ubuntu, `sudo dnf install poppler-utils` on Fedora, `brew install poppler` on macOS, `conda install -c conda-forge poppler` on Windows) and run qcode again; or save the PDF as text in the program that made it"));
        }
        Err(e) => {
            return Err(Error::new(format!("`pdftotext` could not be started: {e}"))
                .in_file(path)
                .hint("check the pdftotext installation, or set QCODE_PDFTOTEXT to the program's full path"));
        }
    };
    let (status, stdout, stderr) = run_capped(child).map_err(|e| e.in_file(path))?;
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let why = stderr.lines().next().unwrap_or("no reason given").trim().to_string();
        return Err(Error::new(format!("`pdftotext` could not read the file: {why}"))
            .in_file(path)
            .hint("the PDF may be damaged or password-protected; open it and save or export it as text"));
    }
    limits::charge_run(stdout.len() as u64, &path.display().to_string())?;
    let raw = String::from_utf8_lossy(&stdout).replace('\u{c}', "\n");
    let text = crate::text::normalize(&raw);
    let mut doc = Document::new(source, text);
    doc.read_header(false);
    if doc.text.trim().is_empty() {
        doc.warnings.push(format!(
            "{}: the PDF has no text layer (probably a scan); run OCR on it first, as qcode reads only text",
            path.display()
        ));
    }
    Ok(doc)
}

/// Waits for `child`, reading what it writes, and stops it when it writes
/// more than [`limits::FILE_BYTES`] or runs longer than
/// [`limits::PDF_SECONDS`]: a small PDF whose pages all share one content
/// stream makes pdftotext write gigabytes for minutes. The standard library
/// has no wait with a timeout, hence the polling.
fn run_capped(mut child: Child) -> Result<(ExitStatus, Vec<u8>, Vec<u8>)> {
    let cap = limits::FILE_BYTES.value();
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let over = std::sync::Arc::new(AtomicBool::new(false));
    let out = std::thread::spawn({
        let over = over.clone();
        move || {
            let mut bytes = Vec::new();
            let _ = (&mut stdout).take(cap + 1).read_to_end(&mut bytes);
            over.store(bytes.len() as u64 > cap, Ordering::Release);
            bytes
        }
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut stderr).take(64 << 10).read_to_end(&mut bytes);
        bytes
    });
    let deadline = Instant::now() + Duration::from_secs(limits::PDF_SECONDS.value());
    let stop = |child: &mut Child, error: Error| {
        let _ = child.kill();
        let _ = child.wait();
        Err(error)
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                return stop(
                    &mut child,
                    Error::new(format!("`pdftotext` could not be waited for: {e}")),
                );
            }
        }
        // What it wrote is over the cap: it waits for a reader that
        // stopped reading.
        if over.load(Ordering::Acquire) {
            let _ = child.kill();
        }
        if Instant::now() > deadline {
            return stop(
                &mut child,
                limits::PDF_SECONDS.exceeded("`pdftotext` was still running; qcode stopped it"),
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if stdout.len() as u64 > cap {
        return Err(limits::FILE_BYTES.exceeded(format!(
            "the text `pdftotext` writes for this PDF is {} MB or more; qcode stopped it",
            cap >> 20
        )));
    }
    Ok((status, stdout, stderr))
}
