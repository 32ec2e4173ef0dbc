//! `qcode excerpts`: grouping, highlighting, context, formats, --coded.

use crate::CODEBOOK;
use crate::workdir::Workdir;

/// A price between two plain paragraphs, and a passage with two sub-codes.
const DOCS: &[(&str, &str)] = &[
    ("cb.yaml", CODEBOOK),
    (
        "docs/a.txt",
        "P1: Before.\n\nP1: The coyote wanted $900.\n\nP1: After.\n",
    ),
    // A label is one when it comes back: R2 speaks twice.
    (
        "docs/b.txt",
        "R2: Hipotecamos la casa con un prestamista.\n\nR2: Nada más.\n",
    ),
];

/// The stdout of `qcode excerpts docs -c cb.yaml EXTRA…`.
fn excerpts(wd: &Workdir, extra: &[&str]) -> String {
    wd.stdout(wd.command("excerpts").args(["docs", "-c", "cb.yaml"]).args(extra))
}

#[test]
fn excerpts_are_grouped_by_code_then_document() {
    let wd = Workdir::with(DOCS);
    let out = excerpts(&wd, &[]);
    let headings: Vec<&str> = out.lines().filter(|l| l.starts_with("== ")).collect();
    // Every code, parents included, with the passages freq counts for it.
    assert_eq!(
        headings,
        [
            "== prices — Prices and payment (1 passage) ==",
            "== debt — Lenders, mortgages and debt (1 passage) ==",
            "== lenders (1 passage) ==",
            "== mortgage (1 passage) =="
        ]
    );
    assert!(
        out.contains("a.txt · line 3 · P1 · matched: coyote, $900\n    P1: The coyote wanted $900.\n"),
        "{out}"
    );
    // Not a terminal: no colour codes.
    assert!(!out.contains('\x1b'), "{out}");
}

#[test]
fn a_parent_code_lists_each_passage_of_its_children_once_with_all_its_codes() {
    let wd = Workdir::with(DOCS);
    let out = excerpts(&wd, &["--code", "debt"]);
    assert!(
        out.contains("== debt — Lenders, mortgages and debt (1 passage) =="),
        "{out}"
    );
    assert_eq!(
        out.matches("b.txt · line 1 · R2 · codes: lenders, mortgage · matched: Hipotecamos, prestamista")
            .count(),
        1,
        "{out}"
    );
    // The heading counts what freq counts for the code.
    let freq = wd.stdout(wd.command("freq").args(["docs", "-c", "cb.yaml", "--format", "csv"]));
    assert!(freq.contains("\ndebt,,\"Lenders, mortgages and debt\",1,"), "{freq}");
}

#[test]
fn context_shows_the_neighbouring_segments() {
    let wd = Workdir::with(DOCS);
    let out = excerpts(&wd, &["--code", "prices", "--context", "1"]);
    // Without colour, context is marked as such.
    assert!(
        out.contains("    [context] P1: Before.\n    P1: The coyote wanted $900.\n    [context] P1: After.\n"),
        "{out}"
    );
}

#[test]
fn markdown_bolds_matched_words_and_italicises_context() {
    let wd = Workdir::with(DOCS);
    let out = excerpts(&wd, &["--code", "prices", "--format", "markdown", "--context", "1"]);
    assert!(out.starts_with("<!-- qcode "), "{out}");
    assert!(out.contains("## prices — Prices and payment (1 passage)"), "{out}");
    assert!(out.contains("**a.txt**, line 3, P1"), "{out}");
    assert!(out.contains("> P1: The **coyote** wanted **$900**."), "{out}");
    assert!(out.contains("> *(context)* *P1: Before.*"), "{out}");
}

#[test]
fn csv_has_one_row_per_excerpt_with_fixed_columns() {
    let wd = Workdir::with(DOCS);
    let out = excerpts(&wd, &["--format", "csv"]);
    let mut r = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "heading",
            "codes",
            "document",
            "segment",
            "start_line",
            "end_line",
            "speaker",
            "matched",
            "context_before",
            "text",
            "context_after"
        ]
    );
    // One row per heading and passage: prices; debt, lenders and mortgage
    // for the passage of b.txt.
    assert_eq!(r.records().count(), 4);
}

#[test]
fn a_coded_csv_is_enough_without_context() {
    let wd = Workdir::with(DOCS);
    wd.stdout(wd.command("code").args(["docs", "-c", "cb.yaml", "--out", "coded.csv"]));
    let out =
        wd.stdout(
            wd.command("excerpts")
                .args(["--coded", "coded.csv", "--code", "prices", "--format", "markdown"]),
        );
    assert!(out.contains("> P1: The **coyote** wanted **$900**."), "{out}");
    let e = wd.error(wd.command("excerpts").args(["--coded", "coded.csv", "--context", "1"]));
    assert!(e.contains("--context needs the transcripts"), "{e}");
}

#[test]
fn an_unknown_code_suggests_the_nearest() {
    let wd = Workdir::with(DOCS);
    let e = wd.error(
        wd.command("excerpts")
            .args(["docs", "-c", "cb.yaml", "--code", "price"]),
    );
    assert!(e.contains("there is no code `price`"), "{e}");
    assert!(e.contains("did you mean `prices`?"), "{e}");
}
