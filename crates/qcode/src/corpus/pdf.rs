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
//! warning: qcode does no OCR.

use std::process::Command;

use super::{Document, Source};
use crate::error::{Error, Result};

pub(super) fn read(source: &Source) -> Result<Document> {
    let path = &source.path;
    let program = std::env::var_os("QCODE_PDFTOTEXT").unwrap_or_else(|| "pdftotext".into());
    let output = Command::new(&program)
        .args(["-enc", "UTF-8", "-q"])
        .arg(path)
        .arg("-")
        .output();
    let output = match output {
        Ok(o) => o,
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
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let why = stderr.lines().next().unwrap_or("no reason given").trim().to_string();
        return Err(Error::new(format!("`pdftotext` could not read the file: {why}"))
            .in_file(path)
            .hint("the PDF may be damaged or password-protected; open it and save or export it as text"));
    }
    let raw = String::from_utf8_lossy(&output.stdout).replace('\u{c}', "\n");
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
