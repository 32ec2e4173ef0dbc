//! `qcode words`: keyness of words and phrases in coded passages or a
//! group, with whether the code's rules already find each.

use crate::workdir::Workdir;

const CODEBOOK: &str = "name: Words\ncodes:\n  - name: hazards\n    keywords: [calor]\n";

/// Three passages coded `hazards` (they say `calor`), two not.
const DOC: &str = "P1: El calor del camino y la sed.\n\nP1: Mucho calor, mucha sed, el camino.\n\nP1: Calor y sed en el tráiler.\n\nP1: El coyote cobró mucho.\n\nP1: El coyote y el camino.\n";

#[test]
fn keyness_of_coded_passages_against_the_rest() {
    let wd = Workdir::with(&[("cb.yaml", CODEBOOK), ("docs/a.txt", DOC)]);
    let out = wd.stdout(wd.command("words").args([
        "docs",
        "-c",
        "cb.yaml",
        "--code",
        "hazards",
        "--min-count",
        "2",
        "--format",
        "csv",
    ]));
    // Target: 3 passages, 7 + 6 + 6 = 19 words (labels left out); reference:
    // 2 passages, 4 + 5 = 9 words. `calor` (already a keyword) and `sed`: 3
    // against 0, so G² = 2 · 3 ln(3 / (19 · 3/28)) = 2.33 and log ratio
    // log2((3/19) / (0.5/9)) = 1.51; `camino` (2 against 1) is not
    // over-represented.
    assert_eq!(
        out,
        "term,target,reference,g2,log_ratio,in_rules\n\
         calor,3,0,2.33,1.51,yes\n\
         sed,3,0,2.33,1.51,no\n"
    );
}

#[test]
fn keyness_of_a_group_of_documents() {
    let wd = Workdir::with(&[
        ("docs/h.txt", "La deuda con el prestamista.\n\nLa deuda otra vez.\n"),
        ("docs/g.txt", "El río y la balsa.\n\nLa balsa otra vez.\n"),
        ("attrs.csv", "document,country\nh,Honduras\ng,Guatemala\n"),
    ]);
    let out = wd.stdout(wd.command("words").args([
        "docs",
        "--attributes",
        "attrs.csv",
        "--by",
        "country",
        "--target",
        "Honduras",
        "--min-count",
        "2",
        "--format",
        "csv",
    ]));
    // 9 words each side; `deuda` 2 against 0: G² = 2 · 2 ln 2 = 2.77, log
    // ratio log2((2/9) / (0.5/9)) = 2; no code, so no `in_rules`.
    assert_eq!(
        out,
        "term,target,reference,g2,log_ratio,in_rules\ndeuda,2,0,2.77,2.00,\n"
    );
}
