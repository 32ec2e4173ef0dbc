//! `qcode excerpts`: grouping, highlighting, context, formats, --coded.

mod common;
use common::*;

fn corpus() -> tempfile::TempDir {
    tree(&[
        ("cb.yaml", CODEBOOK),
        (
            "docs/a.txt",
            "P1: Before.\n\nP1: The coyote wanted $900.\n\nP1: After.\n",
        ),
        ("docs/b.txt", "R2: Hipotecamos la casa con un prestamista.\n"),
    ])
}

fn excerpts(dir: &tempfile::TempDir, extra: &[&str]) -> String {
    stdout_of(
        qcode()
            .arg("excerpts")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(extra),
    )
}

#[test]
fn grouped_by_code_then_document() {
    let dir = corpus();
    let out = excerpts(&dir, &[]);
    let headings: Vec<&str> = out.lines().filter(|l| l.starts_with("== ")).collect();
    assert_eq!(
        headings,
        [
            "== prices — Prices and payment (1 excerpt) ==",
            "== lenders (1 excerpt) ==",
            "== mortgage (1 excerpt) =="
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
fn parent_code_lists_its_children() {
    let dir = corpus();
    let out = excerpts(&dir, &["--code", "debt"]);
    assert!(
        out.contains("== debt — Lenders, mortgages and debt (2 excerpts) =="),
        "{out}"
    );
    assert!(
        out.contains("b.txt · line 1 · R2 · [lenders] · matched: prestamista"),
        "{out}"
    );
    assert!(
        out.contains("b.txt · line 1 · R2 · [mortgage] · matched: Hipotecamos"),
        "{out}"
    );
}

#[test]
fn context_segments() {
    let dir = corpus();
    let out = excerpts(&dir, &["--code", "prices", "--context", "1"]);
    assert!(
        out.contains("    P1: Before.\n    P1: The coyote wanted $900.\n    P1: After.\n"),
        "{out}"
    );
}

#[test]
fn markdown_bolds_matches() {
    let dir = corpus();
    let out = excerpts(&dir, &["--code", "prices", "--format", "markdown", "--context", "1"]);
    assert!(out.starts_with("<!-- qcode "), "{out}");
    assert!(out.contains("## prices — Prices and payment (1 excerpt)"), "{out}");
    assert!(out.contains("**a.txt**, line 3, P1"), "{out}");
    assert!(out.contains("> P1: The **coyote** wanted **$900**."), "{out}");
    assert!(out.contains("> *P1: Before.*"), "{out}");
}

#[test]
fn csv_rows() {
    let dir = corpus();
    let out = excerpts(&dir, &["--format", "csv"]);
    let mut r = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "heading",
            "code",
            "coder",
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
    assert_eq!(r.records().count(), 3);
}

#[test]
fn from_a_coded_csv() {
    let dir = corpus();
    let coded = dir.path().join("coded.csv");
    stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .arg("--out")
            .arg(&coded),
    );
    let out = stdout_of(
        qcode()
            .arg("excerpts")
            .arg("--coded")
            .arg(&coded)
            .args(["--code", "prices", "--format", "markdown"]),
    );
    assert!(out.contains("> P1: The **coyote** wanted **$900**."), "{out}");
    let e = error_of(
        qcode()
            .arg("excerpts")
            .arg("--coded")
            .arg(&coded)
            .args(["--context", "1"]),
    );
    assert!(e.contains("--context needs the transcripts"), "{e}");
}

#[test]
fn unknown_code_suggests() {
    let dir = corpus();
    let e = error_of(
        qcode()
            .arg("excerpts")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(["--code", "price"]),
    );
    assert!(e.contains("there is no code `price`"), "{e}");
    assert!(e.contains("did you mean `prices`?"), "{e}");
}
