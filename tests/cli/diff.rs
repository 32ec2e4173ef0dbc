//! `qcode codebook diff`: what an edit of the codebook changes on the
//! corpus, passage by passage, with scores against a gold standard; the old
//! version may come from git.

use std::process::Command;

use crate::programs::require_program;
use crate::workdir::{Workdir, after_provenance};

const OLD: &str = "name: Diff test\nversion: \"1\"\ncodes:\n  - name: prices\n    keywords: [coyote]\n  - name: debt\n    keywords: [prestamo]\n    not: [banco]\n";
/// `pollero` added to prices; `familia` added to debt's `not`.
const NEW: &str = "name: Diff test\nversion: \"2\"\ncodes:\n  - name: prices\n    keywords: [coyote, pollero]\n  - name: debt\n    keywords: [prestamo]\n    not: [banco, familia]\n";
/// Passages: 1 coded prices by both; 2 gained by prices (`pollero`); 3 lost
/// by debt (vetoed by `familia`); 4 coded by neither.
const DOC: &str = "El coyote cobró.\n\nEl pollero también.\n\nUn prestamo de la familia.\n\nUn prestamo del banco.\n";

fn workdir() -> Workdir {
    Workdir::with(&[("old.yaml", OLD), ("new.yaml", NEW), ("docs/a.txt", DOC)])
}

#[test]
fn gained_and_lost_passages_with_their_rules() {
    let wd = workdir();
    let out = wd.stdout(wd.command("codebook").args(["diff", "old.yaml", "new.yaml", "docs"]));
    assert_eq!(
        after_provenance(&out),
        r#"# old.yaml (version 1) → new.yaml (version 2): 1 gained, 1 lost in 1 document
┌────────┬────────┬───────┬────────┬──────┐
│ code   ┆ before ┆ after ┆ gained ┆ lost │
╞════════╪════════╪═══════╪════════╪══════╡
│ prices ┆      1 ┆     2 ┆     +1 ┆   −0 │
│ debt   ┆      1 ┆     0 ┆     +0 ┆   −1 │
└────────┴────────┴───────┴────────┴──────┘
before, after: passages each version codes with the code or a sub-code (– : the version has no such code); gained, lost: passages that change

prices gained:
  + a.txt line 3 · rule: keyword `pollero` · words: pollero
      "El pollero también."

debt lost:
  - a.txt line 5 · rule: keyword `prestamo`; now vetoed by `not` term `familia` · words: prestamo
      "Un prestamo de la familia."
"#
    );
    let csv = wd.stdout(
        wd.command("codebook")
            .args(["diff", "old.yaml", "new.yaml", "docs", "--format", "csv"]),
    );
    assert_eq!(
        csv,
        "code,change,document,segment,start_line,end_line,speaker,rule,words,text\n\
         prices,gained,a.txt,2,3,3,,keyword `pollero`,pollero,El pollero también.\n\
         debt,lost,a.txt,3,5,5,,keyword `prestamo`; now vetoed by `not` term `familia`,prestamo,Un prestamo de la familia.\n"
    );
}

#[test]
fn the_gold_standard_scores_both_versions() {
    let wd = workdir();
    wd.write(
        "gold.csv",
        "document,segment,code,coder\na.txt,2,prices,maria\na.txt,3,debt,maria\n",
    );
    // prices: before tp 0, fp 1 (passage 1), fn 1 (passage 2); after tp 1,
    // fp 1. debt: before tp 1; after fn 1 (precision undefined).
    let out = wd.stdout(
        wd.command("codebook")
            .args(["diff", "old.yaml", "new.yaml", "docs", "--gold", "gold.csv"]),
    );
    let table: String = after_provenance(&out)
        .lines()
        .skip(1)
        .take(6)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        table,
        "┌────────┬────────┬───────┬────────┬──────┬──────────┬──────────┬───────────┬─────────┬─────────┬──────────┐
│ code   ┆ before ┆ after ┆ gained ┆ lost ┆ P before ┆ R before ┆ F1 before ┆ P after ┆ R after ┆ F1 after │
╞════════╪════════╪═══════╪════════╪══════╪══════════╪══════════╪═══════════╪═════════╪═════════╪══════════╡
│ prices ┆      1 ┆     2 ┆     +1 ┆   −0 ┆   0.0000 ┆   0.0000 ┆    0.0000 ┆  0.5000 ┆  1.0000 ┆   0.6667 │
│ debt   ┆      1 ┆     0 ┆     +0 ┆   −1 ┆   1.0000 ┆   1.0000 ┆    1.0000 ┆       – ┆  0.0000 ┆   0.0000 │
└────────┴────────┴───────┴────────┴──────┴──────────┴──────────┴───────────┴─────────┴─────────┴──────────┘
"
    );
}

#[test]
fn the_old_version_can_come_from_git() {
    if !require_program("git", "apt-get install git") {
        return;
    }
    let wd = workdir();
    wd.write("cb.yaml", OLD);
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .current_dir(wd.root())
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "cb.yaml"]);
    git(&["commit", "-q", "-m", "old"]);
    wd.write("cb.yaml", NEW);
    let from_git =
        wd.stdout(
            wd.command("codebook")
                .args(["diff", "git:HEAD:cb.yaml", "cb.yaml", "docs", "--format", "csv"]),
        );
    let from_files = wd.stdout(
        wd.command("codebook")
            .args(["diff", "old.yaml", "new.yaml", "docs", "--format", "csv"]),
    );
    assert_eq!(from_git, from_files);
    let e = wd.error(
        wd.command("codebook")
            .args(["diff", "git:HEAD:missing.yaml", "cb.yaml", "docs"]),
    );
    assert!(e.contains("git cannot read `git:HEAD:missing.yaml`"), "{e}");
    // A revision that git would take for an option is refused.
    let e = wd.usage_error(
        wd.command("codebook")
            .args(["diff", "git:--output=x:cb.yaml", "cb.yaml", "docs"]),
    );
    assert!(e.contains("is not of the form git:REV:PATH"), "{e}");
}
