//! Inter-coder reliability of coded text: what `qcode agree` and
//! `qcode audit` compute, from files to reports.
//!
//! The formulas live in [`crate::stats`] (pure, no I/O, checked against the
//! published values); this module never re-derives one. It turns coded
//! files into reliability data, applies those functions, and lays out the
//! results:
//!
//! ```text
//! input (files, layout by header)
//!   → coded / long (rows lined up into units) → data (units × coders → sets of codes)
//!   → agreement / spans / gold (reports, written by crate::report)
//! ```
//!
//! # Decisions, and why
//!
//! **Missing is not empty.** A cell is `None` when the coder did not rate
//! the unit and `Some(∅)` when the coder rated it and applied no code. Per
//! code, the first stays missing and the second is "absent"
//! ([`crate::stats::presence_ratings`]); treating missing as absent would
//! invent agreements. The long formats keep the two apart (an empty `code`
//! or `codes` cell is "rated, nothing applies", a missing row "not rated").
//!
//! **What a unit is.** In the project schema, with `--unit segment` (the
//! default), a unit is a document's segment: `(document, segment)`, the
//! number `qcode code` writes; a row without a segment number is keyed by
//! its character offsets `(document, start_char, end_char)`. With
//! `--unit document` the unit is the document, and a code is present when
//! the coder applied it anywhere in it.
//!
//! **Units must line up, or it is an error.** A unit that means one passage
//! in one file and another passage in the other turns agreement into
//! disagreement silently. With the transcripts, every row must name one of
//! their segments (its offsets, when given, must be that segment's); without
//! them, the same segment must carry the same offsets in every row, and
//! segment numbers and bare offsets cannot be mixed in one document. Each
//! failure is one error saying how many rows and which ([`data`]).
//!
//! **Who rated what.** A coded CSV lists coded passages only: it cannot say
//! "I read this and nothing applies". A coder is therefore taken to have
//! rated every unit of each document in which it has at least one row, and
//! none of the others (a warning names the documents another coder coded).
//! `--all-rated` says instead that every coder read every document. In an
//! audit, qcode's automatic coding rated every document the human rated,
//! since it codes everything it is given.
//!
//! **Which units exist.** With the transcripts (`agree --transcripts`, or
//! `audit` coding them in the same run) every segment is a unit, so the
//! segments nobody coded count as agreement that every code is absent.
//! Without them only the units some coder coded are known; agreements on
//! absence elsewhere are lost, which lowers percent agreement and shifts the
//! chance terms, and a warning says so. Units no coder rated are left out.
//!
//! **Per code, then overall.** Qualitative coding applies several codes to
//! a unit, so each code is a present/absent variable per unit and gets
//! its own row. The `overall` row pools every
//! (unit, code) decision into one present/absent variable — units × codes
//! of them, declared codes nobody used included — and computes each
//! coefficient on it. Pooling rather than averaging the codes' coefficients
//! keeps every figure the published formula on a well-defined set of
//! ratings (bootstrap included), and stays defined when some codes have no
//! variation, where a mean would have to drop them or invent a value. Its
//! percent agreement equals the mean of the codes' (they share the units);
//! its chance terms use the pooled share of "present". For nominal data
//! (long format with one category per unit and coder) `overall` is the
//! nominal variable itself, and the per-code rows are category-specific
//! agreement (chose this category or not).
//!
//! **q.** Per code q = 2 (present, absent). For the nominal variable, q is
//! the declared list (codebook or `--categories`, used or not) when given,
//! else the categories observed; outputs say which.
//!
//! **Bootstrap.** Alpha's interval is the Krippendorff/Hayes KALPHA
//! bootstrap of [`crate::stats::kalpha_bootstrap`], 20 000 replicates by
//! default as in KALPHA, with a fixed default seed. Every row uses the same
//! seed, so a code's interval does not change when other codes are added,
//! and rows are computed in parallel with identical results on any number
//! of threads.
//!
//! **A parent code counts its sub-codes**, as every report of qcode does:
//! when the hierarchy is known (the codebook, or the coded CSV's
//! `code_path` column), a unit coded with a sub-code is coded with each of
//! its ancestors too, so a parent's row compares the passages coded with
//! it or any of its sub-codes, each once ([`data::Options::tree`]). The
//! long formats carry no hierarchy and are compared as written.
//!
//! **Reports.** [`agreement`] (per code and overall, and the disagreements
//! list for adjudication), [`spans`] (character-level and segment-matching
//! agreement of coders who marked their own stretches of text) and [`gold`]
//! (precision, recall, F1 and kappa of qcode against a human, with every
//! false positive's rule) implement [`crate::report::Report`], so the four
//! formats look alike across commands and field names are declared once per
//! report. [`adjudicate`] reads the decisions written into the
//! disagreements sheet back into a coded CSV, the gold standard.

pub mod adjudicate;
pub mod agreement;
pub mod coded;
pub mod data;
pub mod gate;
pub mod gold;
pub mod input;
pub mod long;
pub mod rules;
pub mod spans;
