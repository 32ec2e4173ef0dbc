//! Fuzzing qcode's readers on stable Rust.
//!
//! Every reader of a file someone else made has a target here
//! ([`targets::TARGETS`]): codebooks, transcripts (`.md` with labels,
//! `.vtt`, `.srt`, `.docx`, `.odt`), tables (`.csv`, `.tsv`, `.xlsx`),
//! coded CSVs, REFI-QDA codebooks and projects, dictionaries, and zip
//! archives as such. Two engines drive them:
//!
//! * the runner of this crate (`qcode-fuzz run`), which replays the seeds
//!   and every input that once failed (`regressions/`), then mutates the
//!   seeds for a bounded time from a fixed seed, watching for panics,
//!   hangs and runaway memory; CI runs it on every change;
//! * AFL++ through `cargo afl` (`qcode-fuzz afl TARGET`, feature `afl`),
//!   coverage-guided, for long campaigns.
//!
//! docs/fuzzing.md says why these two, and how to run each.

pub mod mutate;
pub mod package;
pub mod targets;
