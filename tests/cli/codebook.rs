//! `qcode codebook check`: the code tree, and located, explained errors;
//! `qcode codebook test`: the codebook against its own examples.

use crate::CODEBOOK;
use crate::workdir::{Workdir, after_provenance, in_repo};

/// The error of `qcode codebook check` on `yaml` saved as `cb.yaml`.
fn check_error(yaml: &str) -> String {
    let wd = Workdir::with(&[("cb.yaml", yaml)]);
    wd.error(wd.command("codebook").args(["check", "cb.yaml"]))
}

#[test]
fn check_prints_the_code_tree_and_hash() {
    let wd = Workdir::with(&[("cb.yaml", CODEBOOK)]);
    let out = wd.stdout(wd.command("codebook").args(["check", "cb.yaml"]));
    assert!(
        out.contains("OK — \"Test codebook\" version 1: 5 codes, unit paragraph, sha256 "),
        "{out}"
    );
    assert!(out.contains("│   lenders"), "children are indented: {out}");
    assert!(out.contains("(groups its sub-codes)"), "{out}");
}

#[test]
fn the_shipped_codebooks_are_valid_and_pass_their_tests() {
    let wd = Workdir::new();
    for (cb, cases) in [("codebooks/smuggling.yaml", 34), ("codebooks/minimal.yaml", 3)] {
        let out = wd.stdout(wd.command("codebook").arg("check").arg(in_repo(cb)));
        let line = format!("Examples and counterexamples: {cases} of {cases} pass\n");
        assert!(out.ends_with(&line), "{out}");
        let out = wd.stdout(wd.command("codebook").arg("test").arg(in_repo(cb)));
        assert!(
            out.contains(&format!("codebook test: {cases} passed, 0 failed")),
            "{out}"
        );
        assert!(out.ends_with(": ok\n"), "{out}");
    }
}

/// A codebook whose examples fail in every way a test can.
const TESTED: &str = r#"name: Tested
codes:
  - name: prices
    keywords: [coyote, pollero]
    not: [animal]
    min_hits: 2
    skip_speakers: [Interviewer]
    examples:
      - "El coyote y el pollero."
      - "Un río."
      - "El coyote, un animal, y el pollero."
      - "El coyote."
      - "Interviewer: ¿El coyote y el pollero?"
    counterexamples:
      - "Un animal."
      - "Coyote y pollero."
  - name: debt
    examples: ["Nada."]
    children:
      - name: lenders
        keywords: [prestamista]
        counterexamples: ["Otro prestamista."]
"#;

#[test]
fn test_lists_every_failure_with_its_reason_and_exits_with_1() {
    let wd = Workdir::with(&[("cb.yaml", TESTED)]);
    let out = wd.gate_failed(wd.command("codebook").args(["test", "cb.yaml"]));
    assert_eq!(
        after_provenance(&out.stdout),
        concat!(
            "FAIL prices (cb.yaml:10): example \"Un río.\" not coded: no rule fired\n",
            "FAIL prices (cb.yaml:11): example \"El coyote, un animal, y el pollero.\" not coded: vetoed by `not` term `animal`\n",
            "FAIL prices (cb.yaml:12): example \"El coyote.\" not coded: below min_hits: 1 hit of 2\n",
            "FAIL prices (cb.yaml:13): example \"Interviewer: ¿El coyote y el pollero?\" not coded: the code's speaker scope leaves out `Interviewer`\n",
            "FAIL prices (cb.yaml:16): counterexample \"Coyote y pollero.\" coded by keyword `coyote`, keyword `pollero`\n",
            "FAIL debt (cb.yaml:18): example \"Nada.\" not coded: no rule of the code or its sub-codes fired\n",
            "FAIL lenders (cb.yaml:22): counterexample \"Otro prestamista.\" coded by keyword `prestamista`\n",
            "codebook test: 2 passed, 7 failed (6 examples, 3 counterexamples): FAILED\n",
        )
    );
    // `check` still succeeds, and counts.
    let out = wd.stdout(wd.command("codebook").args(["check", "cb.yaml"]));
    assert!(
        out.ends_with(
            "Examples and counterexamples: 2 of 9 pass (`qcode codebook test cb.yaml` shows the 7 failures)\n"
        ),
        "{out}"
    );
}

#[test]
fn test_writes_junit_and_the_report_formats() {
    let yaml =
        "name: Tested\ncodes:\n  - name: a\n    keywords: [coyote]\n    examples: [\"El coyote.\", \"Nada & más.\"]\n";
    let wd = Workdir::with(&[("cb.yaml", yaml)]);
    let junit = wd.gate_failed(wd.command("codebook").args(["test", "cb.yaml", "--format", "junit"]));
    assert_eq!(
        junit.stdout,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="qcode codebook test" tests="2" failures="1">
  <testsuite name="Tested" tests="2" failures="1" errors="0">
    <testcase classname="cb.yaml.a" name="example on line 5: El coyote."/>
    <testcase classname="cb.yaml.a" name="example on line 5: Nada &amp; más.">
      <failure message="not coded: no rule fired" type="example"/>
    </testcase>
  </testsuite>
</testsuites>
"#
    );
    let out = wd.gate_failed(wd.command("codebook").args(["test", "cb.yaml", "--format", "csv"]));
    assert_eq!(
        out.stdout,
        "code,kind,line,speaker,text,result,reason\na,example,5,,El coyote.,pass,\na,example,5,,Nada & más.,fail,not coded: no rule fired\n"
    );
    // A file named for the format gets it; junit is written to a file too.
    wd.gate_failed(wd.command("codebook").args(["test", "cb.yaml", "--out", "tests.xml"]));
    assert_eq!(wd.read("tests.xml"), junit.stdout, ".xml is JUnit");
    wd.gate_failed(wd.command("codebook").args(["test", "cb.yaml", "--out", "tests.md"]));
    assert!(
        wd.read("tests.md")
            .contains("- FAIL `a` (cb.yaml:5): example “Nada & más.” not coded: no rule fired\n")
    );
}

#[test]
fn an_unknown_key_is_located_with_a_suggestion() {
    let e = check_error("name: T\ncodes:\n  - name: a\n    keywrds: [x]\n");
    assert!(e.contains("cb.yaml:4:5: code `a`: unknown key `keywrds`"), "{e}");
    assert!(e.contains("did you mean `keywords`?"), "{e}");
}

#[test]
fn an_invalid_regex_shows_the_regex_error() {
    let e = check_error("name: T\ncodes:\n  - name: amounts\n    patterns: ['\\$(\\d+']\n");
    assert!(e.contains("cb.yaml:4:"), "{e}");
    assert!(e.contains("code `amounts`"), "{e}");
    assert!(e.contains("unclosed group"), "{e}");
}

#[test]
fn a_duplicate_code_name_points_at_both_uses() {
    let e = check_error(
        "name: T\ncodes:\n  - name: a\n    keywords: [x]\n    children:\n      - name: a\n        keywords: [y]\n",
    );
    assert!(
        e.contains("cb.yaml:6:15: duplicate code name `a` (first used on line 3)"),
        "{e}"
    );
}

#[test]
fn a_code_without_rules_is_accepted_for_coding_by_hand() {
    let yaml =
        "name: T\ncodes:\n  - name: coyote\n    keywords: [coyote]\n  - name: fear\n    label: Fear, coded by hand\n";
    let wd = Workdir::with(&[("cb.yaml", yaml), ("docs/a.txt", "The coyote said fear was normal.\n")]);
    let out = wd.stdout(wd.command("codebook").args(["check", "cb.yaml"]));
    assert!(out.contains("(none: coded by hand)"), "{out}");
    assert!(
        out.contains("1 code has no rules, so automatic coding never applies it: fear"),
        "{out}"
    );
    // Coding says so once, and codes with the other codes.
    let run = wd.run(wd.command("code").args(["docs", "-c", "cb.yaml"]));
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("no rules")).collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(run.stdout.contains(",coyote,"), "{}", run.stdout);
    assert!(!run.stdout.contains(",fear,"), "{}", run.stdout);
}

#[test]
fn every_problem_of_a_codebook_is_listed_in_one_run() {
    let e = check_error(concat!(
        "name: T\n",
        "codes:\n",
        "  - name: prices\n",
        "    keyword: [coyote]\n",
        "  - name: debt\n",
        "    keywords: [prestamo]\n",
        "    keywords: [hipoteca]\n",
        "    children:\n",
        "      - name: lenders\n",
        "        patterns: ['(']\n",
        "  - name: routes\n",
        "    near:\n",
        "      - terms: [río]\n",
        "        within: 0\n",
    ));
    let errors: Vec<&str> = e.lines().filter(|l| l.starts_with("qcode: error: ")).collect();
    for (i, want) in [
        "cb.yaml:4:5: code `prices`: unknown key `keyword`",
        "cb.yaml:7:5: code `debt`: `keywords` is given twice (first on line 6)",
        "cb.yaml:10:20: code `lenders`: pattern `(` is not a valid regular expression",
        "cb.yaml:14:17: code `routes`: `within` must be a whole number of at least 1, not `0`",
        "cb.yaml:13:9: code `routes`: a `near` rule needs exactly two terms, found 1",
    ]
    .iter()
    .enumerate()
    {
        assert!(errors.get(i).is_some_and(|l| l.contains(want)), "{i}: {want}\n{e}");
    }
    assert_eq!(errors.len(), 5, "{e}");
    assert!(e.ends_with("qcode: 5 errors: fix them and run again\n"), "{e}");
    // No parser wording reaches the researcher.
    assert!(!e.contains("DuplicateKeyPolicy") && !e.contains("Options"), "{e}");
}

#[test]
fn a_table_or_another_programs_file_given_as_the_codebook_is_named() {
    let wd = Workdir::with(&[
        ("coded.csv", "document,segment,code\na.txt,1,debt\n"),
        ("words.csv", "code,keyword\ndebt,prestamo\n"),
        ("project.qdc", "<CodeBook/>"),
        ("dictionary.yml", "economy:\n  - money\n  - price*\n"),
    ]);
    for (file, want) in [
        ("coded.csv", "this is a coded CSV, not a codebook"),
        ("words.csv", "this is a table (CSV), not a codebook"),
        ("project.qdc", "qcode import FILE.qdc --out codebook.yaml"),
        ("dictionary.yml", "this looks like a keyword dictionary"),
    ] {
        let e = wd.error(wd.command("codebook").args(["check", file]));
        assert!(e.contains(want), "{file}: {e}");
    }
}

#[test]
fn an_imported_refi_codebook_passes_the_check() {
    let wd = Workdir::new();
    for qdc in ["nvivo.qdc", "taguette.qdc"] {
        wd.stdout(
            wd.command("import")
                .arg(crate::workdir::fixture(&format!("refi/{qdc}")))
                .args(["--out", "imported.yaml"]),
        );
        let out = wd.stdout(wd.command("codebook").args(["check", "imported.yaml"]));
        assert!(out.contains(": OK — "), "{out}");
        assert!(out.contains("automatic coding never applies"), "{out}");
    }
}

#[test]
fn a_near_distance_must_be_a_whole_number() {
    let e =
        check_error("name: T\ncodes:\n  - name: a\n    near:\n      - terms: [coyote, pago]\n        within: cerca\n");
    assert!(
        e.contains("cb.yaml:6:17: code `a`: `within` must be a whole number"),
        "{e}"
    );
}

#[test]
fn a_yaml_syntax_error_is_located() {
    let e = check_error("name: T\ncodes:\n  - name: a\n    keywords: [x, y\n");
    assert!(e.contains("cb.yaml:"), "{e}");
}

#[test]
fn a_missing_codebook_file_is_named() {
    let wd = Workdir::new();
    let e = wd.error(wd.command("codebook").args(["check", "no/such/codebook.yaml"]));
    assert!(e.contains("no/such/codebook.yaml: no such file or directory"), "{e}");
}

#[test]
fn a_folder_given_as_the_codebook_is_an_error() {
    let wd = Workdir::new();
    let e = wd.error(wd.command("codebook").arg("check").arg(wd.root()));
    assert!(e.contains("this is a folder, where a file was expected"), "{e}");
    assert!(e.contains("not of the folder that holds it"), "{e}");
}

#[test]
fn unknown_unit_and_accents_values_are_located() {
    let e = check_error("name: T\nunit: paragraphs\ncodes:\n  - name: a\n    keywords: [x]\n");
    assert!(e.contains("cb.yaml:2:7: unknown unit `paragraphs`"), "{e}");
    let e = check_error("name: T\ncodes:\n  - name: a\n    accents: strict\n    keywords: [x]\n");
    assert!(e.contains("code `a`: unknown `accents` value `strict`"), "{e}");
}

#[test]
fn a_lone_wildcard_is_not_a_keyword() {
    let e = check_error("name: T\ncodes:\n  - name: a\n    keywords: ['*']\n");
    assert!(e.contains("keyword term `*`"), "{e}");
}

#[test]
fn check_lists_periods_and_extracted_fields() {
    let wd = Workdir::new();
    let out = wd.stdout(
        wd.command("codebook")
            .args(["check", in_repo("codebooks/smuggling.yaml").to_str().unwrap()]),
    );
    assert!(
        out.contains(
            "Periods: before: [.., 2020-03-16); closures: [2020-03-16, 2021-11-08); reopening: [2021-11-08, ..)"
        ),
        "{out}"
    );
    assert!(out.contains("extract: amount, currency"), "{out}");
}

#[test]
fn check_locates_every_problem_of_periods_currencies_and_extract() {
    let e = check_error(
        "name: T\nperiods:\n  a: [2020-01-01, 2020-06-01]\n  b: [2020-05-01, ..]\n  c: [2021-01-01]\n  d: [junio, ..]\ncurrencies:\n  pesos: PESO\n  dolar: USD\ncodes:\n  - name: x\n    patterns: ['(?P<n>\\d+)']\n    extract: [m]\n",
    );
    for expected in [
        "cb.yaml:4:3",
        "overlap",
        "cb.yaml:5:3",
        "needs two bounds and gives 1",
        "cb.yaml:6:3",
        "`junio`, is not a date",
        "cb.yaml:8:10",
        "`PESO` is not a currency code",
        "cb.yaml:9:3",
        "unknown key `dolar`",
        "cb.yaml:13:15",
        "`m`, which is no named group",
    ] {
        assert!(e.contains(expected), "{expected}: {e}");
    }
}

#[test]
fn check_shows_groups_of_alternatives() {
    let yaml = "name: T\ncodes:\n  - name: child_paths\n    all: [[\"child*\", \"niñ*\"], [\"path*\", vereda]]\n    near:\n      - terms: [[\"pag*\", \"cobr*\"], coyote]\n        within: 8\n";
    let wd = Workdir::with(&[
        ("cb.yaml", yaml),
        (
            "docs/a.txt",
            "Los niños por la vereda.\n\nLe pagamos al coyote.\n\nLos niños.\n",
        ),
    ]);
    let out = wd.stdout(wd.command("codebook").args(["check", "cb.yaml"]));
    assert!(out.contains("all of: [child*, niñ*], [path*, vereda]"), "{out}");
    assert!(out.contains("near: [pag*, cobr*] within 8 words of coyote"), "{out}");
    let coded = wd.stdout(wd.command("code").args(["docs", "-c", "cb.yaml", "--format", "csv"]));
    let segments: Vec<&str> = coded.lines().skip(1).map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(segments, ["1", "2"], "{coded}");
}
