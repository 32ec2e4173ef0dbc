//! `qcode kwic`: a candidate term in context, matched as the codebook
//! matches keywords, with counts and a precision preview against a gold
//! standard.

use crate::workdir::{Workdir, after_provenance};

const CODEBOOK: &str = r#"name: Kwic test
skip_speakers: [Interviewer]
codes:
  - name: prices
    keywords: [coyote]
  - name: debt
    keywords: [prestamo]
"#;

/// Two documents: one with an interviewer (whose words are never coded),
/// accents, a phrase across a line break and a speaker label that is
/// never matched; one plain.
const A: &str = "Interviewer: Did you pay the coyote?\n\nP1: Yes, we paid the\ncoyote a lot. Then el préstamo.\n\nCoyote: I am a label.\n";
const B: &str = "Un prestamo para el coyote.\n";

fn workdir() -> Workdir {
    Workdir::with(&[("cb.yaml", CODEBOOK), ("docs/a.txt", A), ("docs/b.txt", B)])
}

#[test]
fn hits_in_context_match_as_the_codebook_does() {
    let wd = workdir();
    let out = wd.stdout(wd.command("kwic").args([
        "paid the coyote",
        "prestamo",
        "docs",
        "-c",
        "cb.yaml",
        "--format",
        "csv",
    ]));
    assert_eq!(
        out,
        "candidate,document,segment,line,speaker,group,left,match,right,start_char,end_char\n\
         paid the coyote,a.txt,2,3,P1,a.txt,\"P1: Yes, we \",paid the coyote, a lot. Then el préstamo.,50,65\n\
         prestamo,a.txt,2,4,P1,a.txt,\"…Yes, we paid the coyote a lot. Then el \",préstamo,.,81,89\n\
         prestamo,b.txt,1,1,,b.txt,Un ,prestamo, para el coyote.,3,11\n"
    );
}

#[test]
fn the_table_aligns_contexts_and_counts_by_group() {
    let wd = workdir();
    let out = wd.stdout(
        wd.command("kwic")
            .args(["coyote", "docs", "-c", "cb.yaml", "--width", "12"]),
    );
    assert_eq!(
        after_provenance(&out),
        "# 2 hits of 1 candidate in 2 passages (2 documents read)
┌──────────┬──────┬─────────┬──────────────┬────────┬──────────────┐
│ document ┆ line ┆ speaker ┆         left ┆ match  ┆ right        │
╞══════════╪══════╪═════════╪══════════════╪════════╪══════════════╡
│ a.txt    ┆    4 ┆ P1      ┆ …e paid the  ┆ coyote ┆  a lot. The… │
│ b.txt    ┆    1 ┆         ┆ …mo para el  ┆ coyote ┆ .            │
└──────────┴──────┴─────────┴──────────────┴────────┴──────────────┘

Hits by document:
┌──────────┬───────────┬──────┬──────────┐
│ document ┆ candidate ┆ hits ┆ passages │
╞══════════╪═══════════╪══════╪══════════╡
│ a.txt    ┆ coyote    ┆    1 ┆        1 │
│ b.txt    ┆ coyote    ┆    1 ┆        1 │
└──────────┴───────────┴──────┴──────────┘
"
    );
}

#[test]
fn a_rule_snippet_is_a_candidate_and_its_errors_are_located_in_it() {
    let wd = workdir();
    let out =
        wd.stdout(
            wd.command("kwic")
                .args(["docs", "--rule", "all: [[prestamo, deuda], coyote]", "--format", "csv"]),
        );
    assert_eq!(
        out,
        "candidate,document,segment,line,speaker,group,left,match,right,start_char,end_char\n\
         \"all: [[prestamo, deuda], coyote]\",a.txt,2,4,P1,a.txt,\"P1: Yes, we paid the \",coyote, a lot. Then el préstamo.,59,65\n\
         \"all: [[prestamo, deuda], coyote]\",a.txt,2,4,P1,a.txt,\"…Yes, we paid the coyote a lot. Then el \",préstamo,.,81,89\n\
         \"all: [[prestamo, deuda], coyote]\",b.txt,1,1,,b.txt,Un ,prestamo, para el coyote.,3,11\n\
         \"all: [[prestamo, deuda], coyote]\",b.txt,1,1,,b.txt,Un prestamo para el ,coyote,.,20,26\n"
    );
    let e = wd.error(
        wd.command("kwic")
            .args(["docs", "--rule", "near:\n  - terms: [a, b]\n    within: many"]),
    );
    assert!(
        e.contains("error: --rule:3:13: `within` must be a whole number of at least 1, not `many`"),
        "{e}"
    );
    let e = wd.usage_error(wd.command("kwic").args(["coyote", "nowhere"]));
    assert!(e.contains("none of the arguments is a file or folder"), "{e}");
}

#[test]
fn the_gold_standard_previews_what_a_term_would_add() {
    let wd = workdir();
    // The human coded `prices` in a#2 and b#1, and `debt` nowhere. `paid`
    // hits a#2 only: for `debt`, which the codebook codes there
    // (`préstamo`), nothing to add and a passage the human did not code;
    // for `prices`, which the codebook codes there too (`coyote`), a
    // passage the human coded. `Coyote` hits a#2 and b#1, never the
    // label `Coyote:`, and the codebook codes `debt` in both already.
    wd.write(
        "gold.csv",
        "document,segment,code,coder\na.txt,2,prices,maria\nb.txt,1,prices,maria\n",
    );
    let out = wd.json(wd.command("kwic").args([
        "paid", "Coyote", "docs", "-c", "cb.yaml", "--code", "debt", "--gold", "gold.csv",
    ]));
    let preview = &out["preview"];
    assert_eq!(
        preview.to_string(),
        r#"[{"adds_false_positives":0,"adds_true_positives":0,"candidate":"paid","code":"debt","human_coded":0,"passages":1,"precision":0.0},{"adds_false_positives":0,"adds_true_positives":0,"candidate":"Coyote","code":"debt","human_coded":0,"passages":2,"precision":0.0}]"#
    );
    let out = wd.json(wd.command("kwic").args([
        "paid", "docs", "-c", "cb.yaml", "--code", "prices", "--gold", "gold.csv",
    ]));
    assert_eq!(
        out["preview"].to_string(),
        r#"[{"adds_false_positives":0,"adds_true_positives":0,"candidate":"paid","code":"prices","human_coded":1,"passages":1,"precision":1.0}]"#
    );
}
