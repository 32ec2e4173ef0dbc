//! `qcode codebook lint`: findings about a codebook on a corpus, with
//! their reasons; `--deny warnings` makes them fail a CI job.

use crate::workdir::{Workdir, after_provenance};

/// One code per finding, on three passages.
const LINTED: &str = r#"name: Linted
skip_speakers: [Interviewer]
codes:
  - name: prices
    keywords: [coyote, "coyote*", "pay the coyote", zzz, "precio del viaje", Titulo]
    examples: ["El coyote.", "el  COYOTE."]
  - name: amounts
    patterns: ['\d*', '\$\d']
  - name: river
    keywords: [río]
    not: [agua]
  - name: group
    children:
      - name: first
        keywords: [balsa]
      - name: second
        keywords: [balsas, "balsa*"]
"#;

const DOC: &str = "Titulo: notas\n\nInterviewer: ¿Y el precio del viaje?\n\nP1: The coyote came. El río tiene agua. La balsa.\n\nP1: Otra balsa del río y su agua.\n\nP1: Una balsa más.\n";

#[test]
fn every_kind_of_finding_with_its_reason() {
    let wd = Workdir::with(&[("cb.yaml", LINTED), ("docs/a.txt", DOC)]);
    let out = wd.stdout(
        wd.command("codebook")
            .args(["lint", "cb.yaml", "docs", "--format", "csv"]),
    );
    assert_eq!(
        out,
        "code,finding,message\n\
prices,never-fires,\"keyword `pay the coyote` never fires on the corpus: a typo, a word nobody says, or a rule to drop\"\n\
prices,never-fires,\"keyword `zzz` never fires on the corpus: a typo, a word nobody says, or a rule to drop\"\n\
prices,out-of-scope,keyword `precio del viaje` fires only in passages the code's speaker scope leaves out (such as the interviewer's)\n\
prices,only-in-labels,\"keyword `Titulo` occurs only in speaker labels or document headers, which are never coded\"\n\
prices,covered-keyword,\"keyword `coyote` is already covered by keyword `coyote*`: every passage it finds, `coyote*` finds too\"\n\
prices,covered-keyword,\"keyword `pay the coyote` is already covered by keyword `coyote`: every passage it finds, `coyote` finds too\"\n\
prices,duplicate-example,\"the example \"\"el  COYOTE.\"\" repeats an earlier example of the code\"\n\
amounts,never-fires,\"pattern `\\d*` never fires on the corpus: a typo, a word nobody says, or a rule to drop\"\n\
amounts,never-fires,\"pattern `\\$\\d` never fires on the corpus: a typo, a word nobody says, or a rule to drop\"\n\
amounts,short-pattern,\"pattern `\\d*` can match empty text: empty matches never count, so it fires only where it matches more; write what it must match (`+` rather than `*`)\"\n\
amounts,short-pattern,pattern `\\$\\d` can match 2 bytes alone: check that it needs what you mean\n\
river,not-vetoes-all,the `not` term `agua` vetoes every passage the rules find (2 passages): the code never applies\n\
group,fires-too-often,\"fires on 3 of 5 passages (60.0 %, more than 50 %): a rule is likely too broad\"\n\
first,fires-too-often,\"fires on 3 of 5 passages (60.0 %, more than 50 %): a rule is likely too broad\"\n\
first,always-together,\"fires on exactly the same 3 passages as its sibling `second`: one of them may be redundant, or their rules the same\"\n\
second,never-fires,\"keyword `balsas` never fires on the corpus: a typo, a word nobody says, or a rule to drop\"\n\
second,fires-too-often,\"fires on 3 of 5 passages (60.0 %, more than 50 %): a rule is likely too broad\"\n\
second,covered-keyword,\"keyword `balsas` is already covered by keyword `balsa*`: every passage it finds, `balsa*` finds too\"\n"
    );
    // Findings are warnings: the exit code says so only when asked.
    let failed = wd.gate_failed(
        wd.command("codebook")
            .args(["lint", "cb.yaml", "docs", "--deny", "warnings"]),
    );
    assert!(
        after_provenance(&failed.stdout).starts_with("# 18 findings on 5 passages of the corpus\n"),
        "{}",
        failed.stdout
    );
}

#[test]
fn a_clean_codebook_passes_with_deny_warnings() {
    let yaml =
        "name: Clean\ncodes:\n  - name: prices\n    keywords: [coyote]\n  - name: boats\n    keywords: [balsa]\n";
    let doc = "El coyote.\n\nLa balsa.\n\nNada.\n";
    let wd = Workdir::with(&[("cb.yaml", yaml), ("docs/a.txt", doc)]);
    let out = wd.stdout(
        wd.command("codebook")
            .args(["lint", "cb.yaml", "docs", "--deny", "warnings"]),
    );
    assert_eq!(after_provenance(&out), "# 0 findings on 3 passages of the corpus\n");
    let e = wd.usage_error(
        wd.command("codebook")
            .args(["lint", "cb.yaml", "docs", "--deny", "errors"]),
    );
    assert!(e.contains("warnings"), "{e}");
}
