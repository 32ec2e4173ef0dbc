//! `qcode audit`: qcode's automatic coding against a human gold standard,
//! scored by hand on the fixture in `tests/fixtures/agree/`.
//!
//! qcode codes the 7 paragraphs with the fixture codebook; the gold coder
//! (maria) disagrees on three passages:
//!
//! | unit | qcode        | maria (gold)  |
//! | ---- | ------------ | ------------- |
//! | a#1  | prices       | prices        |
//! | a#2  | debt         | prices, debt  |
//! | a#3  | river        |               |
//! | b#1  | prices, debt | prices        |
//! | b#3  |              | river         |
//!
//! prices: tp 2, fp 0, fn 1; debt: tp 1, fp 1, fn 0; river: tp 0, fp 1,
//! fn 1; overall tp 3, fp 2, fn 2.

use std::process::Command;

use serde_json::Value;

use crate::workdir::{Workdir, code_row, fixture, in_repo};

/// `qcode audit --gold <fixture gold.csv>`.
fn audit(wd: &Workdir) -> Command {
    let mut cmd = wd.command("audit");
    cmd.arg("--gold").arg(fixture("agree/gold.csv"));
    cmd
}

/// The audit that codes the fixture transcripts with the fixture codebook.
fn audit_transcripts(wd: &Workdir) -> Command {
    let mut cmd = audit(wd);
    cmd.arg(fixture("agree/transcripts"))
        .arg("-c")
        .arg(fixture("agree/codebook.yaml"));
    cmd
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() < 1e-12, "{got} != {want}");
}

fn counts(r: &Value) -> [u64; 5] {
    [
        "gold",
        "predicted",
        "true_positives",
        "false_positives",
        "false_negatives",
    ]
    .map(|f| r[f].as_u64().unwrap())
}

#[test]
fn precision_recall_f1_and_kappa_by_hand() {
    let wd = Workdir::new();
    let j = wd.json(&mut audit_transcripts(&wd));
    assert_eq!(j["gold_coder"], "maria");
    assert_eq!(j["n_units"], 7);
    let p = code_row(&j, "prices");
    assert_eq!(counts(p), [3, 2, 2, 0, 1]);
    close(&p["precision"], 1.0);
    close(&p["recall"], 2.0 / 3.0);
    close(&p["f1"], 0.8);
    close(&p["cohen_kappa"], 16.0 / 23.0); // Po 6/7, Pe 26/49
    let d = code_row(&j, "debt");
    assert_eq!(counts(d), [1, 2, 1, 1, 0]);
    close(&d["precision"], 0.5);
    close(&d["recall"], 1.0);
    close(&d["f1"], 2.0 / 3.0);
    close(&d["cohen_kappa"], 10.0 / 17.0); // Pe 32/49
    let r = code_row(&j, "river");
    assert_eq!(counts(r), [1, 1, 0, 1, 1]);
    assert_eq!(
        (r["precision"].as_f64(), r["recall"].as_f64(), r["f1"].as_f64()),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    close(&r["cohen_kappa"], -1.0 / 6.0); // Po 5/7, Pe 37/49
    // A code neither used: every score undefined, with its reason.
    let u = code_row(&j, "unused");
    assert!(u["precision"].is_null() && u["recall"].is_null() && u["f1"].is_null());
    assert_eq!(u["precision_reason"], "nothing predicted (tp + fp = 0)");
    assert_eq!(u["f1_reason"], "no positives at all (tp + fp + fn = 0)");
    // Overall: micro-average; kappa over the 28 pooled decisions.
    let o = code_row(&j, "overall");
    assert_eq!(counts(o), [5, 5, 3, 2, 2]);
    close(&o["precision"], 0.6);
    close(&o["recall"], 0.6);
    close(&o["f1"], 0.6);
    // both 3, one only 2 + 2, neither 21: Po 24/28, Pe (25 + 529)/784.
    close(&o["cohen_kappa"], 118.0 / 230.0);
}

#[test]
fn errors_name_the_rule_that_fired_and_the_missed_passage() {
    let wd = Workdir::new();
    let j = wd.json(&mut audit_transcripts(&wd));
    let errors: Vec<String> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}#{} {} {} | {}",
                e["kind"].as_str().unwrap(),
                e["code"].as_str().unwrap(),
                e["document"].as_str().unwrap(),
                e["segment"],
                e["matched"],
                e["rules"],
                e["text"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            "false_negative prices a.txt#2 [] [] | P1: My mother borrowed from a lender.",
            r#"false_positive debt b.txt#1 ["owe"] ["keyword `owe`"] | P2: The coyote charged us and we owe money."#,
            r#"false_positive river a.txt#3 ["river"] ["keyword `river`"] | P1: The river was high that night."#,
            "false_negative river b.txt#3 [] [] | P2: We crossed on a raft at dawn.",
        ]
    );
    let text = wd.stdout(&mut audit_transcripts(&wd));
    for want in [
        "gold standard: `maria` · automatic coding: qcode · 7 units both rated · 2 false positives, 2 false negatives",
        "qcode only (FP)",
        "False positives: qcode coded, the human did not",
        "debt · b.txt line 1 (P2) · matched: owe · rule: keyword `owe`",
        "False negatives: the human coded, qcode did not",
        "\"P2: We crossed on a raft at dawn.\"",
        "micro-average",
        "undefined [",
    ] {
        assert!(text.contains(want), "missing {want:?}:\n{text}");
    }
}

#[test]
fn errors_file_lists_each_error_for_a_spreadsheet() {
    let wd = Workdir::new();
    wd.run(audit_transcripts(&wd).args(["--errors", "errors.csv"]));
    let text = wd.read("errors.csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("kind,code,document,segment,start_line,end_line,speaker,matched,rules,text")
    );
    assert_eq!(
        lines.nth(1),
        Some("false_positive,debt,b.txt,1,1,1,P2,owe,keyword `owe`,P2: The coyote charged us and we owe money.")
    );
    assert_eq!(text.lines().count(), 5);
}

#[test]
fn a_qcode_coded_csv_can_stand_in_for_the_transcripts() {
    let wd = Workdir::new();
    wd.stdout(
        wd.command("code")
            .arg(fixture("agree/transcripts"))
            .arg("-c")
            .arg(fixture("agree/codebook.yaml"))
            .args(["-o", "auto.csv"]),
    );
    let out = wd.run(audit(&wd).args(["auto.csv", "--format", "json"]));
    assert!(out.stderr.contains("without --transcripts"));
    let j: Value = serde_json::from_str(&out.stdout).unwrap();
    // Counts do not depend on the segments nobody coded; kappa does.
    assert_eq!(j["n_units"], 5);
    assert_eq!(counts(code_row(&j, "overall")), [5, 5, 3, 2, 2]);
    close(&code_row(&j, "prices")["recall"], 2.0 / 3.0);
    // Without a codebook the matched terms still show, not the rules.
    let fp = &j["errors"][1];
    assert_eq!(
        (fp["matched"][0].as_str(), fp["rules"].as_array().unwrap().len()),
        (Some("owe"), 0)
    );
    // With the codebook the rules show too.
    let j = wd.json(
        audit(&wd)
            .arg("auto.csv")
            .arg("-c")
            .arg(fixture("agree/codebook.yaml"))
            .args(["--code", "debt"]),
    );
    assert_eq!(j["rows"].as_array().unwrap().len(), 2);
    assert_eq!(j["errors"][0]["rules"][0], "keyword `owe`");
}

#[test]
fn a_gold_file_that_kept_the_name_qcode_is_still_the_gold_standard() {
    let gold = std::fs::read_to_string(fixture("agree/gold.csv"))
        .unwrap()
        .replace("maria", "qcode");
    let wd = Workdir::with(&[("gold.csv", &gold)]);
    let j = wd.json(
        wd.command("audit")
            .args(["--gold", "gold.csv"])
            .arg(fixture("agree/transcripts"))
            .arg("-c")
            .arg(fixture("agree/codebook.yaml")),
    );
    assert_eq!(j["gold_coder"], "gold");
    assert_eq!(counts(code_row(&j, "overall")), [5, 5, 3, 2, 2]);
}

#[test]
fn samples_gold_standard_end_to_end() {
    let wd = Workdir::new();
    let text = wd.stdout(
        wd.command("audit")
            .arg("--gold")
            .arg(in_repo("samples/coders/gold.csv"))
            .arg(in_repo("samples/transcripts"))
            .arg("--codebook")
            .arg(in_repo("codebooks/smuggling.yaml")),
    );
    assert!(text.contains("gold standard: `adjudicated`"), "{text}");
    assert!(text.contains("│ overall"), "{text}");
    assert!(text.contains("False positives"), "{text}");
}

#[test]
fn bad_inputs_are_clear_errors() {
    let two = "document,segment,code,coder\na.txt,1,prices,ana\na.txt,1,prices,luis\n";
    let wd = Workdir::with(&[
        ("two.csv", two),
        ("long.csv", "unit,coder,code\nu1,ana,x\n"),
        ("typo.csv", "document,segment,code,coder\na.txt,1,prizes,ana\n"),
        ("elsewhere.csv", "document,segment,code,coder\nz.txt,1,prices,ana\n"),
    ]);
    let transcripts = fixture("agree/transcripts");
    let codebook = fixture("agree/codebook.yaml");
    let coded = |gold: &str| {
        let mut cmd = wd.command("audit");
        cmd.args(["--gold", gold]).arg(&transcripts).arg("-c").arg(&codebook);
        cmd
    };
    let e = wd.error(&mut coded("two.csv"));
    assert!(
        e.contains("holds the codings of 2 coders (ana, luis)") && e.contains("--gold-coder"),
        "{e}"
    );
    let e = wd.error(coded("two.csv").args(["--gold-coder", "pedro"]));
    assert!(e.contains("no codings by `pedro`"), "{e}");
    let e = wd.error(&mut coded("long.csv"));
    assert!(e.contains("the gold standard must be a coded CSV"), "{e}");
    let e = wd.error(&mut coded("typo.csv"));
    assert!(
        e.contains("used the code `prizes`, which is not among the declared codes"),
        "{e}"
    );
    let e = wd.error(&mut coded("elsewhere.csv"));
    assert!(e.contains("not among the transcripts: `z.txt`"), "{e}");
    let e = wd.error(wd.command("audit").args(["--gold", "typo.csv"]));
    assert!(e.contains("nothing to audit"), "{e}");
    let e = wd.error(wd.command("audit").args(["--gold", "typo.csv"]).arg(&transcripts));
    assert!(e.contains("needs the codebook"), "{e}");
    let e = wd.error(audit_transcripts(&wd).args(["--code", "nope"]));
    assert!(e.contains("there is no code `nope`"), "{e}");
}

#[test]
fn fail_under_f1_is_a_gate_with_exit_code_1() {
    let wd = Workdir::new();
    // Overall F1 = 2·3 / (2·3 + 2 + 2) = 0.6.
    let run = wd.run(audit_transcripts(&wd).args(["--fail-under-f1", "0.6"]));
    assert!(
        run.stderr.ends_with("qcode: gate passed: F1 of at least 0.6 overall\n"),
        "{}",
        run.stderr
    );
    let failed = wd.gate_failed(audit_transcripts(&wd).args(["--fail-under-f1", "0.61"]));
    assert!(
        failed.stderr.ends_with(
            "qcode: gate failed: overall: F1 0.6000 is under 0.61\n\
             qcode: gate failed: F1 of at least 0.61 overall is not reached (exit code 1)\n"
        ),
        "{}",
        failed.stderr
    );
    // Per code: prices 0.8, debt 0.6667, river 0; `unused` is named, not
    // failed.
    let per_code = wd.gate_failed(audit_transcripts(&wd).args(["--fail-under-f1", "0.7", "--per-code"]));
    assert!(
        per_code.stderr.ends_with(
            "qcode: gate failed: debt: F1 0.6667 is under 0.7\n\
             qcode: gate failed: river: F1 0.0000 is under 0.7\n\
             qcode: note: unused: F1 is undefined (no positives at all (tp + fp + fn = 0)); not checked\n\
             qcode: gate failed: F1 of at least 0.7 every code is not reached (exit code 1)\n"
        ),
        "{}",
        per_code.stderr
    );
}
