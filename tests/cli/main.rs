//! The specification of qcode's command line, one module per command.
//!
//! Every module states behaviour a researcher relies on and checks it by
//! running the real `qcode` binary in a fresh temporary folder
//! ([`workdir::Workdir`]), on inputs written by the test itself or on the
//! files in `tests/fixtures/` and `samples/`. A few modules also call the
//! library where the binary cannot show the detail (exact paragraphs of a
//! Word file, a decoder's note, a dictionary's parsed codes).
//!
//! All of it is one test binary on purpose: each integration-test binary
//! links the whole crate again, which on a two-core machine costs more than
//! running the tests. A new test goes into the module of its command.
//!
//! Tests that need a program qcode calls or checks with (`xmllint`,
//! `pdftotext`) ask [`programs::require_program`]: without the program they
//! say on stderr that they skipped, and under CI (`CI` set) they fail.

mod programs;
mod refi;
mod workdir;
mod xlsx;

mod adjudicate;
mod agree;
mod amounts;
mod audit;
mod code;
mod codebook;
mod consistency;
mod cooccur;
mod dictionary;
mod diff;
mod excerpts;
mod export;
mod filter;
mod formats;
mod freq;
mod hardening;
mod help;
mod import;
mod kwic;
mod lint;
mod readme;
mod report;
mod samples;
mod speakers;
mod suggest;
mod words;

/// A small codebook shared by the `code`, `codebook`, `freq` and `excerpts`
/// modules: a parent with two children (so roll-ups show), a regular
/// expression, and interviewers left out by `skip_speakers`.
pub const CODEBOOK: &str = r#"name: Test codebook
version: "1"
skip_speakers: [Interviewer, Entrevistador*]
codes:
  - name: prices
    label: Prices and payment
    keywords: ["coyote*", "pay the smuggler", pollero]
    patterns: ['\$\s?\d[\d,]*']
  - name: debt
    label: Lenders, mortgages and debt
    children:
      - name: lenders
        keywords: [prestamista, prestamo, lender]
      - name: mortgage
        keywords: ["hipotec*", "mortgag*"]
  - name: covid
    keywords: ["covid*", cuarentena, lockdown]
"#;
