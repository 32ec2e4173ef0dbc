//! `qcode agree`: coefficients against hand-computed tables and published
//! values, missing vs empty, declared vs observed q, undefined values with
//! their reasons, the disagreements file, span mode, and bad input.
//!
//! The fixture in `tests/fixtures/agree/` has two transcripts (a.txt: 4
//! paragraphs, b.txt: 3) coded by ana and luis:
//!
//! | unit | ana          | luis          |
//! | ---- | ------------ | ------------- |
//! | a#1  | prices       | prices        |
//! | a#2  | debt         | prices, debt  |
//! | a#3  | river        |               |
//! | a#4  |              |               |
//! | b#1  | prices, debt | prices        |
//! | b#2  |              | debt          |
//! | b#3  |              |               |

use std::process::Command;

use serde_json::Value;

use crate::workdir::{Workdir, code_row, csv_records, fixture, in_repo};

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(v: &Value, want: f64) {
    assert!((num(v) - want).abs() < 1e-12, "{v} != {want}");
}

/// `qcode agree` on the fixture's two coded CSVs, nothing else.
fn fixture_pair(wd: &Workdir) -> Command {
    let mut cmd = wd.command("agree");
    cmd.arg(fixture("agree/ana.csv")).arg(fixture("agree/luis.csv"));
    cmd
}

/// `fixture_pair` with its four codes declared and a short bootstrap.
fn fixture_agree(wd: &Workdir) -> Command {
    let mut cmd = fixture_pair(wd);
    cmd.args(["--categories", "prices,debt,river,unused", "--replicates", "500"]);
    cmd
}

/// `fixture_agree` with `--transcripts`, so that every segment is a unit.
fn fixture_agree_with_transcripts(wd: &Workdir) -> Command {
    let mut cmd = fixture_agree(wd);
    cmd.arg("--transcripts").arg(fixture("agree/transcripts"));
    cmd
}

#[test]
fn hand_computed_table_over_every_segment_of_the_transcripts() {
    let wd = Workdir::new();
    let j = wd.json(&mut fixture_agree_with_transcripts(&wd));
    assert_eq!(j["data"], "multi_code");
    assert_eq!(j["n_units"], 7);
    // prices: both 2, luis only 1, neither 4 of 7 units.
    let p = code_row(&j, "prices");
    assert_eq!(
        (p["n_units"].as_u64(), p["n_pairable_units"].as_u64()),
        (Some(7), Some(7))
    );
    close(&p["percent_agreement"], 6.0 / 7.0);
    close(&p["cohen_kappa"], 16.0 / 23.0); // Po 6/7, Pe 26/49
    close(&p["krippendorff_alpha"], 32.0 / 45.0); // 1 − (2/14)/(90/182)
    close(&p["gwet_ac1"], 78.0 / 106.0); // π = 5/14, Pe = 2π(1 − π)
    assert_eq!(
        (p["categories_q"].as_u64(), p["categories_q_source"].as_str()),
        (Some(2), Some("binary"))
    );
    assert_eq!(p["reliability"], "tentative");
    // debt: one agreement, one disagreement each way.
    let d = code_row(&j, "debt");
    close(&d["cohen_kappa"], 0.3);
    close(&d["krippendorff_alpha"], 0.35);
    assert_eq!(d["reliability"], "not reliable");
    // river: luis never applies it, so kappa is exactly 0 and alpha too;
    // the bootstrap does not apply to alpha = 0 (as in KALPHA).
    let r = code_row(&j, "river");
    assert_eq!(r["cohen_kappa"].as_f64(), Some(0.0));
    assert_eq!(r["krippendorff_alpha"].as_f64(), Some(0.0));
    assert!(r["alpha_ci_low"].is_null());
    assert!(r["alpha_ci_reason"].as_str().unwrap().contains("alpha is exactly 0"));
    // A declared code nobody used: undefined, never 1 or NaN.
    let u = code_row(&j, "unused");
    assert!(u["cohen_kappa"].is_null() && u["krippendorff_alpha"].is_null());
    assert_eq!(
        u["cohen_kappa_reason"],
        "no variation: every coder used one category (1 − Pe = 0)"
    );
    assert_eq!(u["percent_agreement"].as_f64(), Some(1.0));
    assert_eq!(u["gwet_ac1"].as_f64(), Some(1.0));
    assert!(u["reliability"].is_null());
    // overall: 28 (unit, code) decisions; both 3, one only 2 + 2, neither 21.
    let o = code_row(&j, "overall");
    assert_eq!(o["n_units"], 28);
    close(&o["percent_agreement"], 24.0 / 28.0);
    close(&o["cohen_kappa"], 118.0 / 230.0);
    close(&o["krippendorff_alpha"], 12.0 / 23.0);
    assert_eq!(j["rows"].as_array().unwrap().last().unwrap()["code"], "overall");
}

#[test]
fn without_transcripts_only_coded_segments_count_and_a_warning_says_so() {
    let wd = Workdir::new();
    let out = wd.run(fixture_agree(&wd).args(["--format", "json"]));
    assert!(
        out.stderr
            .contains("without --transcripts only the segments some coder coded"),
        "{}",
        out.stderr
    );
    let j: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(j["n_units"], 5); // a#4 and b#3 are unknown
    close(&code_row(&j, "prices")["cohen_kappa"], 8.0 / 13.0);
    assert!(j["warnings"][0].as_str().unwrap().contains("--transcripts"));
}

#[test]
fn terminal_table_has_legend_bands_and_reasons() {
    let wd = Workdir::new();
    let out = wd.stdout(&mut fixture_agree_with_transcripts(&wd));
    for want in [
        "# 2 coders (ana, luis) · 7 units · multi-code data: 4 codes",
        "Cohen κ",
        "85.71%",
        "0.6957",
        "tentative",
        "not reliable",
        "undefined [",
        "no variation: every coder used one category (1 − Pe = 0)",
        "alpha is exactly 0: bootstrapping does not apply",
        "percent agreement as defined by Gwet (2014) and irrCAC",
        "Krippendorff/Hayes KALPHA bootstrap (resamples pairable values), 500 replicates, seed 1",
        ">= .800 reliable, >= .667 tentative",
        "7 units × 4 codes = 28 decisions",
        "AC1: Gwet's AC1 with q = 2 (present/absent)",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    assert!(
        !out.split(|c: char| !c.is_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case("nan")),
        "{out}"
    );
    let md = wd.stdout(fixture_agree(&wd).args(["--format", "markdown"]));
    assert!(md.contains("| code | units | pairable |"), "{md}");
    assert!(md.contains("\n- agreement: percent agreement"), "{md}");
}

#[test]
fn csv_has_stable_snake_case_columns() {
    let wd = Workdir::new();
    let out = wd.stdout(fixture_agree(&wd).args(["--format", "csv"]));
    let header = out.lines().next().unwrap();
    for f in [
        "code",
        "n_units",
        "n_pairable_units",
        "n_coders",
        "percent_agreement",
        "cohen_kappa",
        "scott_pi",
        "fleiss_kappa",
        "brennan_prediger",
        "gwet_ac1",
        "krippendorff_alpha",
        "alpha_ci_low",
        "alpha_ci_high",
        "q_alpha_below_0667",
        "q_alpha_below_0800",
        "categories_q",
    ] {
        assert!(header.split(',').any(|h| h == f), "no column {f} in {header}");
    }
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let unused = rows.iter().find(|r| &r[0] == "unused").unwrap();
    assert_eq!(&unused[col("cohen_kappa")], "");
    assert!(unused[col("cohen_kappa_reason")].starts_with("no variation"));
    assert_eq!(&rows.last().unwrap()[0], "overall");
}

#[test]
fn disagreements_file_lists_each_unit_where_coders_differ() {
    let wd = Workdir::new();
    let out = wd.run(fixture_agree_with_transcripts(&wd).args(["--disagreements", "adjudicate.csv"]));
    assert!(out.stderr.contains("4 unit(s) where the coders differ"));
    let text = wd.read("adjudicate.csv");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "unit",
            "document",
            "segment",
            "start_line",
            "end_line",
            "speaker",
            "text",
            "disputed_codes",
            "ana",
            "luis",
            "decision"
        ]
    );
    let rows: Vec<Vec<String>> = csv_records(&text)
        .iter()
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    let summary: Vec<String> = rows
        .iter()
        .map(|r| format!("{} | {} | {} | {}", r[0], r[7], r[8], r[9]))
        .collect();
    assert_eq!(
        summary,
        [
            "a.txt#2 | prices | debt | prices; debt",
            "a.txt#3 | river | river | (no code)",
            "b.txt#1 | debt | prices; debt | prices",
            "b.txt#2 | debt | (no code) | debt",
        ]
    );
    // Document, lines and text come from the transcripts.
    assert_eq!(
        rows[1][1..7],
        ["a.txt", "3", "5", "5", "P1", "P1: The river was high that night."]
    );
}

#[test]
fn a_coder_without_rows_in_a_document_has_not_rated_it() {
    let wd = Workdir::with(&[(
        "luis.csv",
        "document,segment,unit,code,coder\na.txt,1,paragraph,prices,luis\na.txt,2,paragraph,debt,luis\n",
    )]);
    let agree = || {
        let mut cmd = wd.command("agree");
        cmd.arg(fixture("agree/ana.csv"))
            .arg("luis.csv")
            .arg("--transcripts")
            .arg(fixture("agree/transcripts"))
            .args(["--replicates", "100"]);
        cmd
    };
    let out = wd.run(agree().args(["--format", "json"]));
    assert!(
        out.stderr
            .contains("`luis` has no codings in 1 document(s) that `ana` coded (b.txt)"),
        "{}",
        out.stderr
    );
    let j: Value = serde_json::from_str(&out.stdout).unwrap();
    // b.txt's 3 units are rated by ana only: 7 units, 4 pairable.
    let p = code_row(&j, "prices");
    assert_eq!(
        (p["n_units"].as_u64(), p["n_pairable_units"].as_u64()),
        (Some(7), Some(4))
    );
    // --all-rated: luis read b.txt and found nothing to code.
    let j = wd.json(agree().arg("--all-rated"));
    assert_eq!(code_row(&j, "prices")["n_pairable_units"], 7);
}

#[test]
fn document_unit_asks_whether_the_code_appears_anywhere() {
    let wd = Workdir::new();
    let j = wd.json(fixture_agree(&wd).args(["--unit", "document"]));
    assert_eq!(j["about"]["unit"], "document");
    assert_eq!(j["n_units"], 2);
    // Both coders applied prices in both documents: no variation.
    let p = code_row(&j, "prices");
    assert_eq!(p["percent_agreement"].as_f64(), Some(1.0));
    assert!(p["cohen_kappa"].is_null());
    // river: ana in a.txt only → agreement 1/2, kappa 0 (luis constant).
    let r = code_row(&j, "river");
    assert_eq!(r["percent_agreement"].as_f64(), Some(0.5));
    assert_eq!(r["cohen_kappa"].as_f64(), Some(0.0));
}

/// Krippendorff (2011) §C: 4 observers × 12 units, values 1–5, missing
/// values, in the long format `unit,coder,code`, as `c.csv`.
fn krippendorff_c() -> Workdir {
    let data: [(&str, [i32; 12]); 4] = [
        ("A", [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0]),
        ("B", [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3]),
        ("C", [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0]),
        ("D", [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0]),
    ];
    let mut csv = String::from("unit,coder,code\n");
    for (coder, values) in data {
        for (u, v) in values.iter().enumerate() {
            if *v > 0 {
                csv.push_str(&format!("u{},{coder},{v}\n", u + 1));
            }
        }
    }
    Workdir::with(&[("c.csv", &csv)])
}

#[test]
fn nominal_long_format_reproduces_krippendorff_2011_c() {
    let wd = krippendorff_c();
    let j = wd.json(wd.command("agree").args(["c.csv", "--replicates", "1000"]));
    assert_eq!(j["data"], "nominal");
    let o = code_row(&j, "overall");
    assert_eq!(
        (o["n_units"].as_u64(), o["n_pairable_units"].as_u64()),
        (Some(12), Some(11))
    );
    assert_eq!(o["n_coders"], 4);
    // Published: α = .743 (Krippendorff 2011); Gwet (2014) via irrCAC:
    // Fleiss .76117, AC1 .77544; percent agreement 9/11.
    close(&o["krippendorff_alpha"], 0.743421052631579);
    assert!((num(&o["fleiss_kappa"]) - 0.76117).abs() < 5e-6);
    assert!((num(&o["gwet_ac1"]) - 0.77544).abs() < 5e-6);
    close(&o["percent_agreement"], 9.0 / 11.0);
    // Observed q = 5 categories: BP = (9/11 − 1/5)/(4/5).
    assert_eq!(
        (o["categories_q"].as_u64(), o["categories_q_source"].as_str()),
        (Some(5), Some("observed"))
    );
    close(&o["brennan_prediger"], (9.0 / 11.0 - 0.2) / 0.8);
    // Four coders: Cohen's kappa and Scott's pi do not apply.
    assert!(o["cohen_kappa"].is_null());
    assert_eq!(
        o["cohen_kappa_reason"],
        "Cohen's kappa and Scott's pi need exactly two coders"
    );
    assert!(o["alpha_ci_low"].as_f64().unwrap() < 0.7434 && o["alpha_ci_high"].as_f64().unwrap() > 0.7434);
    // One row per category (chosen or not), then overall.
    let codes: Vec<&str> = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["1", "2", "3", "4", "5", "overall"]);
}

#[test]
fn declared_categories_change_q_and_say_so() {
    let wd = krippendorff_c();
    let declared = ["c.csv", "--categories", "1,2,3,4,5,6", "--replicates", "100"];
    let j = wd.json(wd.command("agree").args(declared));
    let o = code_row(&j, "overall");
    assert_eq!(
        (o["categories_q"].as_u64(), o["categories_q_source"].as_str()),
        (Some(6), Some("declared"))
    );
    close(&o["brennan_prediger"], (9.0 / 11.0 - 1.0 / 6.0) / (5.0 / 6.0));
    // irrCAC with categories=[1..6]: 0.785526781226146.
    assert!((num(&o["gwet_ac1"]) - 0.785526781226146).abs() < 1e-12);
    // Alpha and Fleiss ignore an unused category.
    close(&o["krippendorff_alpha"], 0.743421052631579);
    // The unused category gets its own row.
    assert!(code_row(&j, "6")["krippendorff_alpha"].is_null());
    let text = wd.stdout(wd.command("agree").args(["c.csv", "--replicates", "100"]));
    assert!(
        text.contains("overall with q = 5 (the codes observed; no codebook declared)"),
        "{text}"
    );
    assert!(text.contains("Fleiss κ"), "{text}");
    let text = wd.stdout(wd.command("agree").args(declared));
    assert!(
        text.contains("overall with q = 6 (the declared codes, used or not)"),
        "{text}"
    );
}

#[test]
fn set_form_keeps_missing_apart_from_empty() {
    // Krippendorff (2011) §A, binary: 2 observers × 10 units; α = .095.
    let a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    let b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    let mut csv = String::from("unit,coder,codes\n");
    for u in 0..10 {
        for (coder, v) in [("A", a[u]), ("B", b[u])] {
            csv.push_str(&format!("u{u},{coder},{}\n", if v == 1 { "x" } else { "" }));
        }
    }
    let base = csv.clone();
    // u10: A rated it and applied nothing; B did not rate it (no row).
    csv.push_str("u10,A,\n");
    let wd = Workdir::with(&[
        ("base.csv", &base),
        ("missing.csv", &csv),
        ("empty.csv", &(csv.clone() + "u10,B,\n")),
    ]);
    let agree = |file: &str| wd.json(wd.command("agree").args([file, "--replicates", "100"]));
    let alpha = 1.0 - 152.0 / 168.0;
    let j = agree("base.csv");
    close(&code_row(&j, "x")["krippendorff_alpha"], alpha);
    close(&code_row(&j, "x")["percent_agreement"], 0.6);
    // Missing: the unit is not pairable and changes nothing.
    let j = agree("missing.csv");
    let x = code_row(&j, "x");
    assert_eq!(
        (x["n_units"].as_u64(), x["n_pairable_units"].as_u64()),
        (Some(11), Some(10))
    );
    close(&x["krippendorff_alpha"], alpha);
    // Empty: both rated it, both "absent": an agreement.
    let j = agree("empty.csv");
    let x = code_row(&j, "x");
    assert_eq!(x["n_pairable_units"], 11);
    close(&x["percent_agreement"], 7.0 / 11.0);
    assert!((num(&x["krippendorff_alpha"]) - alpha).abs() > 1e-3);
}

#[test]
fn cohen_kappa_of_the_wikipedia_two_by_two_table() {
    // Wikipedia "Cohen's kappa": 50 proposals; yes/yes 20, yes/no 5,
    // no/yes 10, no/no 15 → Po .70, κ .40.
    let mut csv = String::from("unit,coder,code\n");
    let cells = [
        (20, "yes", "yes"),
        (5, "yes", "no"),
        (10, "no", "yes"),
        (15, "no", "no"),
    ];
    let mut u = 0;
    for (n, a, b) in cells {
        for _ in 0..n {
            u += 1;
            csv.push_str(&format!("p{u},A,{a}\np{u},B,{b}\n"));
        }
    }
    let wd = Workdir::with(&[("w.csv", &csv)]);
    let j = wd.json(
        wd.command("agree")
            .args(["w.csv", "--categories", "yes,no", "--replicates", "100"]),
    );
    let o = code_row(&j, "overall");
    close(&o["percent_agreement"], 0.7);
    close(&o["cohen_kappa"], 0.4);
    // Scott: pooled shares .55/.45 → Pe .505 → π = .195/.495.
    close(&o["scott_pi"], 0.195 / 0.495);
}

#[test]
fn no_unit_rated_by_two_coders_is_undefined_with_its_reason() {
    let wd = Workdir::with(&[("l.csv", "unit,coder,code\nu1,A,x\nu2,B,y\n")]);
    let out = wd.run(wd.command("agree").args(["l.csv", "--format", "json"]));
    assert!(
        out.stderr.contains("2 of 2 units are rated by one coder only"),
        "{}",
        out.stderr
    );
    let j: Value = serde_json::from_str(&out.stdout).unwrap();
    let o = code_row(&j, "overall");
    for f in [
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "gwet_ac1",
        "krippendorff_alpha",
    ] {
        assert!(o[f].is_null(), "{f}");
        assert_eq!(o[format!("{f}_reason")], "no unit rated by two coders", "{f}");
    }
}

#[test]
fn bootstrap_is_fixed_by_the_seed_and_named() {
    let wd = krippendorff_c();
    let run = |seed: &str| {
        let j = wd.json(
            wd.command("agree")
                .args(["c.csv", "--replicates", "2000", "--seed", seed]),
        );
        let o = code_row(&j, "overall").clone();
        assert_eq!(o["bootstrap_seed"].as_u64().unwrap().to_string(), seed);
        assert_eq!(o["bootstrap_replicates"], 2000);
        assert_eq!(o["bootstrap_draws"], 60); // M = min(25 Q, n..(m − 1)/2) = 60
        assert_eq!(
            j["bootstrap"]["method"],
            "Krippendorff/Hayes KALPHA bootstrap (resamples pairable values)"
        );
        (
            o["alpha_ci_low"].clone(),
            o["alpha_ci_high"].clone(),
            o["q_alpha_below_0667"].clone(),
        )
    };
    assert_eq!(run("7"), run("7"));
    assert_ne!(run("7"), run("8"));
}

/// Two coders' spans of one 100-character text `t/c.txt`: ana codes x on
/// 0–40 and 60–80, luis on 10–40 and 60–90.
fn span_files() -> Workdir {
    let text = "x".repeat(100);
    Workdir::with(&[
        ("t/c.txt", &text),
        (
            "ana.csv",
            "document,start_char,end_char,code,coder\nc.txt,0,40,x,ana\nc.txt,60,80,x,ana\n",
        ),
        (
            "luis.csv",
            "document,start_char,end_char,code,coder\nc.txt,10,40,x,luis\nc.txt,60,90,x,luis\n",
        ),
    ])
}

#[test]
fn spans_character_table_and_segment_matching() {
    let wd = span_files();
    let spans = |extra: &[&str]| wd.json(wd.command("agree").args(["ana.csv", "luis.csv", "--spans"]).args(extra));
    let j = spans(&["--transcripts", "t"]);
    assert_eq!(j["document_lengths"], "transcripts");
    let r = &j["rows"][0];
    assert_eq!((r["code"].as_str(), r["document"].as_str()), (Some("x"), Some("c.txt")));
    let counts: Vec<u64> = ["n_characters", "both", "a_only", "b_only", "neither"]
        .iter()
        .map(|f| r[*f].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [100, 50, 10, 10, 30]);
    close(&r["percent_agreement"], 0.8);
    close(&r["kappa"], 2800.0 / 4800.0); // (T·agree − E)/(T² − E), E = 60·60 + 40·40
    // 90% of the longer segment: 30 of 40 and 20 of 30 fall short.
    assert_eq!(r["segment_agreement"].as_f64(), Some(0.0));
    assert_eq!(
        spans(&["--transcripts", "t", "--overlap", "75"])["rows"][0]["segment_agreement"].as_f64(),
        Some(0.5)
    );
    assert_eq!(
        spans(&["--transcripts", "t", "--overlap", "50%"])["rows"][0]["segment_agreement"].as_f64(),
        Some(1.0)
    );
    // Union basis: 30 of 40 and 20 of 30 again.
    let u = spans(&["--transcripts", "t", "--overlap", "75", "--overlap-basis", "union"]);
    assert_eq!(u["rows"][0]["segment_agreement"].as_f64(), Some(0.5));
    assert_eq!(u["overlap_basis"], "union");
    // Rows: the document, the code over all documents, overall.
    let names: Vec<(String, Value)> = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap().to_string(), r["document"].clone()))
        .collect();
    assert_eq!(names.len(), 3);
    assert!(names[1].1.is_null() && names[2].0 == "overall");
    // Without the transcripts the document ends at character 90.
    let j = spans(&[]);
    assert_eq!(j["document_lengths"], "last_coded_character");
    assert_eq!(j["rows"][0]["n_characters"], 90);
    close(&j["rows"][0]["kappa"], 0.5);
    let text = wd.stdout(
        wd.command("agree")
            .args(["ana.csv", "luis.csv", "--spans", "--transcripts", "t"]),
    );
    for want in [
        "only ana",
        "(all documents)",
        "NVivo",
        "MAXQDA",
        "at least 90% of the longer of the two segments",
    ] {
        assert!(text.contains(want), "missing {want:?}:\n{text}");
    }
}

#[test]
fn samples_two_coders_end_to_end() {
    let wd = Workdir::new();
    let j = wd.json(
        wd.command("agree")
            .arg(in_repo("samples/coders/ana.csv"))
            .arg(in_repo("samples/coders/luis.csv"))
            .arg("--transcripts")
            .arg(in_repo("samples/transcripts"))
            .arg("--codebook")
            .arg(in_repo("codebooks/smuggling.yaml"))
            .args(["--replicates", "200"]),
    );
    assert_eq!(j["coders"], serde_json::json!(["ana", "luis"]));
    assert_eq!(j["codes_declared"], true);
    let o = code_row(&j, "overall");
    assert_eq!(o["n_coders"], 2);
    assert!(num(&o["krippendorff_alpha"]) > 0.8, "{o}");
}

// ---------------------------------------------------------------------------
// Bad input: exit code 2, what, where, how to fix.

/// The error of `qcode agree ARGS…` in a workdir holding `files`.
fn agree_error(args: &[&str], files: &[(&str, &str)]) -> String {
    let wd = Workdir::with(files);
    wd.error(wd.command("agree").args(args))
}

const ANA: &str = "document,segment,code,coder\na.txt,1,x,ana\n";

#[test]
fn bad_inputs_are_clear_errors() {
    let e = agree_error(&["f.csv"], &[("f.csv", "item,rater,label\n1,a,b\n")]);
    assert!(e.contains("f.csv: the file has no `unit` column"), "{e}");
    let e = agree_error(&["f.csv"], &[("f.csv", "unit,coder\n1,a\n")]);
    assert!(e.contains("no `code` column"), "{e}");
    let e = agree_error(&["a.csv"], &[("a.csv", ANA)]);
    assert!(e.contains("agreement needs two coders or more"), "{e}");
    let e = agree_error(
        &["a.csv", "b.csv"],
        &[("a.csv", ANA), ("b.csv", "document,segment,code,coder\n")],
    );
    assert!(e.contains("b.csv: the file holds no ratings"), "{e}");
    let e = agree_error(
        &["a.csv", "b.csv", "--coders", "ana,pedro"],
        &[
            ("a.csv", ANA),
            ("b.csv", "document,segment,code,coder\na.txt,1,x,luis\n"),
        ],
    );
    assert!(e.contains("coder `pedro` has no ratings"), "{e}");
    // Two people edited qcode's file and both kept `qcode` as the coder.
    let q = "document,segment,code,coder\na.txt,1,x,qcode\n";
    let e = agree_error(&["a.csv", "b.csv"], &[("a.csv", q), ("b.csv", q)]);
    assert!(
        e.contains("coder `qcode` has codings of the document `a.txt` in two files"),
        "{e}"
    );
    let e = agree_error(
        &["a.csv", "b.csv"],
        &[("a.csv", ANA), ("b.csv", "unit,coder,code\nu1,luis,x\n")],
    );
    assert!(e.contains("a coded CSV and"), "{e}");
    let e = agree_error(
        &["a.csv", "b.csv", "--categories", "y"],
        &[
            ("a.csv", ANA),
            ("b.csv", "document,segment,code,coder\na.txt,1,x,luis\n"),
        ],
    );
    assert!(
        e.contains("coder `ana` used the code `x`, which is not among the declared codes"),
        "{e}"
    );
    let e = agree_error(&["s.csv"], &[("s.csv", "unit,coder,codes\nu1,a,x\nu1,a,y\nu1,b,x\n")]);
    assert!(
        e.contains("two rows for the unit `u1` with different codes (lines 2 and 3)"),
        "{e}"
    );
}

#[test]
fn units_that_do_not_line_up_are_reported_with_how_many_and_which() {
    let transcripts = fixture("agree/transcripts");
    let t = transcripts.to_str().unwrap();
    let luis = "document,segment,code,coder\na.txt,9,x,luis\nz.txt,1,x,luis\n";
    let e = agree_error(
        &["a.csv", "b.csv", "--transcripts", t],
        &[("a.csv", ANA), ("b.csv", luis)],
    );
    assert!(
        e.contains("1 document(s) of the coded files are not among the transcripts: `z.txt`"),
        "{e}"
    );
    let luis = "document,segment,code,coder\na.txt,9,x,luis\na.txt,12,x,luis\n";
    let e = agree_error(
        &["a.csv", "b.csv", "--transcripts", t],
        &[("a.csv", ANA), ("b.csv", luis)],
    );
    assert!(
        e.contains("2 coded passage(s) do not line up with the paragraphs"),
        "{e}"
    );
    // Without transcripts: the same segment with other offsets.
    let a = "document,segment,start_char,end_char,code,coder\na.txt,1,0,40,x,ana\n";
    let b = "document,segment,start_char,end_char,code,coder\na.txt,1,0,90,x,luis\n";
    let e = agree_error(&["a.csv", "b.csv"], &[("a.csv", a), ("b.csv", b)]);
    assert!(e.contains("1 segment(s) have different character offsets"), "{e}");
    assert!(
        e.contains("a.txt segment 1: characters 0–40 in a.csv, 0–90 in b.csv"),
        "{e}"
    );
    let e = agree_error(
        &["a.csv", "b.csv"],
        &[("a.csv", ANA), ("b.csv", "document,code,coder\na.txt,x,luis\n")],
    );
    assert!(e.contains("give neither a segment number nor character offsets"), "{e}");
}

#[test]
fn duplicate_rows_are_a_stated_warning() {
    let wd = Workdir::with(&[
        ("a.csv", &format!("{ANA}a.txt,1,x,ana\na.txt,2,y,ana\n")),
        ("b.csv", "document,segment,code,coder\na.txt,1,x,luis\na.txt,2,x,luis\n"),
    ]);
    let out = wd.run(wd.command("agree").args(["a.csv", "b.csv", "--replicates", "10"]));
    assert!(
        out.stderr
            .contains("1 duplicate row(s) (same passage, code and coder) counted once: a.txt#1 (x, ana)"),
        "{}",
        out.stderr
    );
}

#[test]
fn options_that_do_not_fit_together_exit_with_code_2() {
    let wd = Workdir::new();
    let fail = |args: &[&str]| wd.usage_error(fixture_pair(&wd).args(args));
    assert!(fail(&["--spans", "--overlap", "0.9"]).contains("--overlap 90"));
    assert!(fail(&["--overlap", "80"]).contains("--spans"));
    assert!(fail(&["--spans", "--disagreements", "x.csv"]).contains("cannot be used with"));
    let e = fail(&["--spans", "--coders", "ana"]);
    assert!(e.contains("agreement needs two coders or more"), "{e}");
    let e = wd.error(fixture_pair(&wd).args(["--text-col", "answer"]));
    assert!(
        e.contains("--text-col applies to --transcripts, which were not given"),
        "{e}"
    );
    let wd = krippendorff_c();
    let e = wd.usage_error(wd.command("agree").args(["c.csv", "--spans"]));
    assert!(e.contains("long-format files do not have"), "{e}");
    let e = wd.error(wd.command("agree").args(["c.csv", "--unit", "document"]));
    assert!(e.contains("apply to coded CSVs in the project schema"), "{e}");
}

#[test]
fn span_mode_needs_two_coders_and_offsets() {
    let three = "document,start_char,end_char,code,coder\nd,0,5,x,a\nd,0,5,x,b\nd,0,5,x,c\n";
    let e = agree_error(&["t.csv", "--spans"], &[("t.csv", three)]);
    assert!(
        e.contains("span comparison is for two coders, and these files hold 3 (a, b, c)"),
        "{e}"
    );
    assert!(e.contains("--coders NAME,NAME"), "{e}");
    let e = agree_error(
        &["t.csv", "--spans"],
        &[("t.csv", "document,segment,code,coder\nd,1,x,a\nd,1,x,b\n")],
    );
    assert!(e.contains("2 row(s) have no character offsets"), "{e}");
}

/// Ana coded a passage `lenders`, Luis `mortgage`: they disagree on each
/// sub-code but agree that the passage is about debt, the parent.
#[test]
fn a_parent_code_is_present_where_any_of_its_sub_codes_was_applied() {
    let header = "document,segment,start_char,end_char,code,coder\n";
    let wd = Workdir::with(&[
        (
            "cb.yaml",
            "name: t\ncodes:\n  - name: debt\n    children:\n      - name: lenders\n        keywords: [prestamista]\n      - name: mortgage\n        keywords: [hipoteca]\n",
        ),
        (
            "ana.csv",
            &format!("{header}a.txt,1,0,10,lenders,ana\na.txt,2,11,20,mortgage,ana\n"),
        ),
        (
            "luis.csv",
            &format!("{header}a.txt,1,0,10,mortgage,luis\na.txt,2,11,20,mortgage,luis\n"),
        ),
    ]);
    let j = wd.json(
        wd.command("agree")
            .args(["ana.csv", "luis.csv", "-c", "cb.yaml", "--replicates", "100"]),
    );
    assert_eq!(code_row(&j, "debt")["percent_agreement"].as_f64(), Some(1.0));
    assert_eq!(code_row(&j, "lenders")["percent_agreement"].as_f64(), Some(0.5));
    assert_eq!(code_row(&j, "mortgage")["percent_agreement"].as_f64(), Some(0.5));
    // A coded CSV's `code_path` column gives the tree without a codebook.
    let with_paths = |coder: &str, rows: &[(&str, &str)]| {
        let mut s = "document,segment,start_char,end_char,code,code_path,coder\n".to_string();
        for (i, (code, path)) in rows.iter().enumerate() {
            s.push_str(&format!(
                "a.txt,{},{},{},{code},{path},{coder}\n",
                i + 1,
                10 * i,
                10 * i + 9
            ));
        }
        s
    };
    wd.write(
        "ana2.csv",
        with_paths("ana", &[("lenders", "debt/lenders"), ("mortgage", "debt/mortgage")]),
    );
    wd.write(
        "luis2.csv",
        with_paths("luis", &[("mortgage", "debt/mortgage"), ("mortgage", "debt/mortgage")]),
    );
    let j = wd.json(
        wd.command("agree")
            .args(["ana2.csv", "luis2.csv", "--replicates", "100"]),
    );
    assert_eq!(code_row(&j, "debt")["percent_agreement"].as_f64(), Some(1.0));
}

/// Two coders on three units: they agree on u1 and u2 and differ on u3, so
/// α = 1 − (2/6) / (18/30) = 4/9 ≈ 0.4444 (overall, and for each category).
const HALF_AGREED: &str = "unit,coder,code\nu1,A,x\nu1,B,x\nu2,A,y\nu2,B,y\nu3,A,x\nu3,B,y\n";

#[test]
fn fail_under_alpha_is_a_gate_with_exit_code_1() {
    let wd = Workdir::with(&[("l.csv", HALF_AGREED)]);
    let run = wd.run(wd.command("agree").args(["l.csv", "--fail-under-alpha", "0.44"]));
    assert_eq!(run.stderr, "qcode: gate passed: alpha of at least 0.44 overall\n");
    let failed = wd.gate_failed(wd.command("agree").args(["l.csv", "--fail-under-alpha", "0.45"]));
    assert_eq!(
        failed.stderr,
        "qcode: gate failed: overall: alpha 0.4444 is under 0.45\n\
         qcode: gate failed: alpha of at least 0.45 overall is not reached (exit code 1)\n"
    );
    assert_eq!(failed.stdout, run.stdout, "the report is written either way");
    let per_code = wd.gate_failed(
        wd.command("agree")
            .args(["l.csv", "--fail-under-alpha", "0.5", "--per-code"]),
    );
    assert_eq!(
        per_code.stderr,
        "qcode: gate failed: x: alpha 0.4444 is under 0.5\n\
         qcode: gate failed: y: alpha 0.4444 is under 0.5\n\
         qcode: gate failed: alpha of at least 0.5 every code is not reached (exit code 1)\n"
    );
    // Mistakes are errors (exit code 2), not failed gates.
    let e = wd.usage_error(wd.command("agree").args(["l.csv", "--per-code"]));
    assert!(e.contains("--fail-under-alpha"), "{e}");
    let e = wd.usage_error(wd.command("agree").args(["l.csv", "--fail-under-alpha", "80"]));
    assert!(e.contains("write the threshold as a fraction: 0.8 for 80 %"), "{e}");
}
