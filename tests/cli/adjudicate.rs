//! `qcode adjudicate`: the decisions of the disagreements sheet back into a
//! coded CSV that `agree` and `audit --gold` read, end to end on the
//! samples' two coders.

use std::collections::BTreeSet;
use std::io::Read;

use crate::workdir::{Workdir, csv_maps, in_repo};

/// Writes the disagreements of Ana and Luis on the samples to `sheet`.
fn disagreements(wd: &Workdir, sheet: &str) {
    wd.run(
        wd.command("agree")
            .arg(in_repo("samples/coders/ana.csv"))
            .arg(in_repo("samples/coders/luis.csv"))
            .arg("--transcripts")
            .arg(in_repo("samples/transcripts"))
            .arg("-c")
            .arg(in_repo("codebooks/smuggling.yaml"))
            .args(["--replicates", "200", "--disagreements", sheet]),
    );
}

/// The sheet `d.csv` with each row's decision given by `decide` (from the
/// row), written to `decided.csv`.
fn decide(wd: &Workdir, decide: impl Fn(usize, &str) -> String) {
    let mut reader = csv::Reader::from_path(wd.path("d.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = headers.iter().position(|h| h == "decision").unwrap();
    let mut writer = csv::Writer::from_path(wd.path("decided.csv")).unwrap();
    writer.write_record(&headers).unwrap();
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let mut row: Vec<String> = record.iter().map(str::to_string).collect();
        row[at] = decide(i, &row[0]);
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
}

fn adjudicate(wd: &Workdir, sheet: &str, out: &str) -> String {
    wd.run(
        wd.command("adjudicate")
            .arg(sheet)
            .arg("--coded")
            .arg(in_repo("samples/coders/ana.csv"))
            .arg("--coded")
            .arg(in_repo("samples/coders/luis.csv"))
            .args(["-c"])
            .arg(in_repo("codebooks/smuggling.yaml"))
            .args(["--out", out]),
    )
    .stderr
}

/// The codes of each unit (`document#segment`) of a coded CSV.
fn units(csv: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = csv_maps(csv)
        .into_iter()
        .map(|r| (format!("{}#{}", r["document"], r["segment"]), r["code"].clone()))
        .collect();
    out.sort();
    out
}

/// The units where `coded` and the gold differ, as `agree` counts them.
fn differences(wd: &Workdir, coded: &str) -> usize {
    wd.run(
        wd.command("agree")
            .arg(in_repo(coded))
            .arg("gold.csv")
            .arg("--transcripts")
            .arg(in_repo("samples/transcripts"))
            .arg("-c")
            .arg(in_repo("codebooks/smuggling.yaml"))
            .args(["--replicates", "200", "--disagreements", "left.csv"]),
    );
    csv_maps(&wd.read("left.csv")).len()
}

#[test]
fn deciding_for_one_coder_everywhere_gives_that_coders_coding() {
    let wd = Workdir::new();
    disagreements(&wd, "d.csv");
    let rows = csv_maps(&wd.read("d.csv"));
    assert_eq!(rows.len(), 12, "the samples' coders differ on 12 passages");
    for coder in ["luis", "ana"] {
        decide(&wd, |_, _| coder.to_string());
        let note = adjudicate(&wd, "decided.csv", "gold.csv");
        assert!(note.contains("12 rows decided, 0 undecided"), "{note}");
        let gold = wd.read("gold.csv");
        assert!(csv_maps(&gold).iter().all(|r| r["coder"] == "adjudicated"));
        // Where the coders agree, and where the decision was theirs: the
        // gold is that coder's coding, so `agree` finds nothing to adjudicate.
        assert_eq!(differences(&wd, &format!("samples/coders/{coder}.csv")), 0, "{coder}");
        assert!(differences(&wd, "samples/coders/ana.csv") + differences(&wd, "samples/coders/luis.csv") == 12);
    }
}

#[test]
fn every_kind_of_decision_and_the_gold_feeds_the_audit() {
    let wd = Workdir::new();
    disagreements(&wd, "d.csv");
    let rows = csv_maps(&wd.read("d.csv"));
    let unit = |i: usize| rows[i]["unit"].clone();
    // Row 0: none; row 1: both; row 2: a list with a parent copied beside
    // its sub-code; row 3: undecided; the rest: Luis.
    decide(&wd, |i, _| {
        match i {
            0 => "None",
            1 => "both",
            2 => "routes; river_crossings",
            3 => "",
            _ => "Luis",
        }
        .to_string()
    });
    let note = adjudicate(&wd, "decided.csv", "gold.csv");
    assert!(note.contains("11 rows decided, 1 undecided"), "{note}");
    assert!(
        note.contains(&format!(
            "warning: 1 row undecided, kept with only the codes every coder gave: {}",
            unit(3)
        )),
        "{note}"
    );
    let gold = units(&wd.read("gold.csv"));
    let codes_of =
        |u: &str| -> BTreeSet<&str> { gold.iter().filter(|(g, _)| g == u).map(|(_, c)| c.as_str()).collect() };
    let coder_codes = |coder: &str, u: &str| -> BTreeSet<String> {
        let path = in_repo(&format!("samples/coders/{coder}.csv"));
        units(&std::fs::read_to_string(path).unwrap())
            .into_iter()
            .filter(|(g, _)| g == u)
            .map(|(_, c)| c)
            .collect()
    };
    assert!(codes_of(&unit(0)).is_empty());
    let both: BTreeSet<String> = coder_codes("ana", &unit(1))
        .union(&coder_codes("luis", &unit(1)))
        .cloned()
        .collect();
    assert_eq!(codes_of(&unit(1)), both.iter().map(String::as_str).collect());
    assert_eq!(codes_of(&unit(2)), BTreeSet::from(["river_crossings"]));
    let agreed: BTreeSet<String> = coder_codes("ana", &unit(3))
        .intersection(&coder_codes("luis", &unit(3)))
        .cloned()
        .collect();
    assert_eq!(codes_of(&unit(3)), agreed.iter().map(String::as_str).collect());
    // The gold feeds the audit of the rules.
    let audit = wd.stdout(
        wd.command("audit")
            .arg(in_repo("samples/transcripts"))
            .arg("-c")
            .arg(in_repo("codebooks/smuggling.yaml"))
            .args(["--gold", "gold.csv", "--format", "csv"]),
    );
    assert!(audit.lines().count() > 10, "{audit}");
}

#[test]
fn the_workbook_offers_the_decisions_in_a_drop_down_and_reads_back() {
    let wd = Workdir::new();
    disagreements(&wd, "d.xlsx");
    disagreements(&wd, "d.csv");
    let mut sheet = String::new();
    zip::ZipArchive::new(std::fs::File::open(wd.path("d.xlsx")).unwrap())
        .unwrap()
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(sheet.contains(r#"<dataValidation type="list""#), "{sheet}");
    assert!(
        sheet.contains(r#"<formula1>"ana,luis,both,none"</formula1>"#),
        "{sheet}"
    );
    // Left undecided, the workbook and the CSV give the same gold.
    adjudicate(&wd, "d.xlsx", "from_xlsx.csv");
    adjudicate(&wd, "d.csv", "from_csv.csv");
    assert_eq!(wd.read("from_xlsx.csv"), wd.read("from_csv.csv"));
}

#[test]
fn bad_decisions_are_named_with_their_line() {
    let wd = Workdir::new();
    disagreements(&wd, "d.csv");
    decide(&wd, |i, _| if i == 1 { "prises".into() } else { "ana".into() });
    let e = wd.error(
        wd.command("adjudicate")
            .arg("decided.csv")
            .arg("--coded")
            .arg(in_repo("samples/coders/ana.csv"))
            .arg("--coded")
            .arg(in_repo("samples/coders/luis.csv")),
    );
    assert!(e.contains("decided.csv:3"), "{e}");
    assert!(e.contains("did you mean `prices`"), "{e}");
    // A sheet made from other files.
    let e = wd.error(
        wd.command("adjudicate")
            .arg("d.csv")
            .arg("--coded")
            .arg(in_repo("samples/coders/ana.csv"))
            .arg("--coded")
            .arg(in_repo("samples/coders/gold.csv")),
    );
    assert!(e.contains("coder"), "{e}");
}
