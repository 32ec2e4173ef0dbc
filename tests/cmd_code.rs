//! `qcode code`: the coded CSV, rules end to end, and bad input.

mod common;
use common::*;

const INTERVIEW: &str = "---\ncountry: Honduras\nrole: migrant\n---\n\
Interviewer: How much did the coyote charge you?\n\n\
P03: The coyote asked $3,500. We had to pay the\nsmuggler in three parts.\n\n\
P03: My father signed a hipoteca on the land with a prestamista.\n\n\
P03: Then came the cuarentena and COVID-19 closed everything.\n";

fn corpus() -> tempfile::TempDir {
    tree(&[
        ("cb.yaml", CODEBOOK),
        ("docs/p03.md", INTERVIEW),
        ("docs/notes/field.txt", "Rafts cross the river.\n\nNo coyote today.\n"),
    ])
}

#[test]
fn coded_csv_rows_and_columns() {
    let dir = corpus();
    let out = stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml")),
    );
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "document,segment,unit,start_line,end_line,start_char,end_char,speaker,code,coder,hits,matched,text,start_time,end_time,country,role"
    );
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let summary: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {} {} {} {}", &r[0], &r[1], &r[8], &r[10], &r[11]))
        .collect();
    assert_eq!(
        summary,
        [
            // Directory order is sorted: notes/field.txt before p03.md.
            "notes/field.txt 2 prices 1 coyote",
            "p03.md 2 prices 3 coyote; $3,500; pay the smuggler",
            "p03.md 3 lenders 1 prestamista",
            "p03.md 3 mortgage 1 hipoteca",
            // `covid*` stops at the hyphen: wildcards stay inside a word.
            "p03.md 4 covid 2 cuarentena; COVID",
        ]
    );
    // The interviewer's question mentions the coyote but is skipped.
    assert!(rows.iter().all(|r| &r[7] != "Interviewer"));
    // Lines are file lines (front matter counted), attributes are columns.
    let p03 = &rows[1];
    assert_eq!((&p03[3], &p03[4], &p03[7]), ("7", "8", "P03"));
    assert_eq!((&p03[15], &p03[16]), ("Honduras", "migrant"));
    assert_eq!(
        &p03[12],
        "P03: The coyote asked $3,500. We had to pay the\nsmuggler in three parts."
    );
}

#[test]
fn char_offsets_point_into_the_document_text() {
    let text = "Entrevistadora: ¿Cuánto pagó?\n\nP01: Pagamos al pollero en dólares, año tras año.\n";
    let dir = tree(&[("cb.yaml", CODEBOOK), ("e.txt", text)]);
    let out = stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("e.txt"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml")),
    );
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 1);
    let (start, end): (usize, usize) = (rows[0][5].parse().unwrap(), rows[0][6].parse().unwrap());
    let between: String = text.chars().skip(start).take(end - start).collect();
    assert_eq!(between, &rows[0][12]);
    assert_eq!(start, 31, "offsets count characters, not bytes");
}

#[test]
fn jsonl_and_table_formats() {
    let dir = corpus();
    let out = stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(["--format", "jsonl"]),
    );
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "prices");
    assert_eq!(first["speaker"], serde_json::Value::Null);
    assert_eq!(first["codebook_sha256"].as_str().unwrap().len(), 64);
    let out = stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(["--format", "table"]),
    );
    assert!(out.starts_with("# qcode "), "{out}");
    assert!(out.contains("5 coded passages in 2 documents (6 paragraphs)"), "{out}");
}

#[test]
fn unit_override_and_speaker_pattern() {
    let dir = corpus();
    let out = stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs/p03.md"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(["--unit", "sentence"]),
    );
    let units: Vec<String> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap()[2].to_string())
        .collect();
    assert!(!units.is_empty() && units.iter().all(|u| u == "sentence"), "{out}");
    // A pattern that knows no speakers: the interviewer is no longer skipped.
    let out = stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs/p03.md"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(["--speaker-pattern", "^NOBODY:"]),
    );
    assert!(out.contains("How much did the coyote charge you?"), "{out}");
}

#[test]
fn survey_table_rows_are_documents() {
    let csv = "respondent,country,answer\nR1,Guatemala,\"Le pagamos al coyote, $2,000\"\nR2,Mexico,No sé\nR3,Honduras,\"=cmd|' /C calc'!A0 coyote\"\n";
    let dir = tree(&[("cb.yaml", CODEBOOK), ("survey.csv", csv)]);
    let out = stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("survey.csv"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(["--text-col", "answer", "--id-col", "respondent"]),
    );
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[0][0], &rows[0][15]), ("R1", "Guatemala"));
    // Formula injection is neutralised for spreadsheets.
    assert!(rows[1][12].starts_with("'=cmd"), "{:?}", &rows[1][12]);
}

#[test]
fn deterministic_whatever_the_thread_count() {
    let dir = corpus();
    let run = |threads: &str| {
        stdout_of(
            qcode()
                .args(["-j", threads, "code"])
                .arg(dir.path().join("docs"))
                .arg("-c")
                .arg(dir.path().join("cb.yaml")),
        )
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn out_file_is_written_atomically_and_inputs_untouched() {
    let dir = corpus();
    let target = dir.path().join("coded.csv");
    std::fs::write(&target, "old results\n").unwrap();
    let before = std::fs::read(dir.path().join("docs/p03.md")).unwrap();
    // A failing run leaves the old file as it was, and no temporary file.
    error_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs"))
            .arg("missing.txt")
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .arg("--out")
            .arg(&target),
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old results\n");
    let ok = qcode()
        .arg("code")
        .arg(dir.path().join("docs"))
        .arg("-c")
        .arg(dir.path().join("cb.yaml"))
        .arg("--out")
        .arg(&target)
        .output()
        .unwrap();
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stderr).contains("5 coded passages in 2 documents"));
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .starts_with("document,segment,")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(std::fs::read(dir.path().join("docs/p03.md")).unwrap(), before);
}

// ---- bad input: a clear message, exit code 2 ----

#[test]
fn missing_input_file() {
    let dir = corpus();
    let e = error_of(
        qcode()
            .arg("code")
            .arg("no/such/interview.txt")
            .arg("-c")
            .arg(dir.path().join("cb.yaml")),
    );
    assert!(e.contains("no/such/interview.txt: no such file or directory"), "{e}");
}

#[test]
fn empty_directory() {
    let dir = tree(&[("cb.yaml", CODEBOOK), ("empty/readme.pdf.part", "x")]);
    let e = error_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("empty"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml")),
    );
    assert!(e.contains("this folder holds no transcripts"), "{e}");
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    let dir = corpus();
    std::os::unix::fs::symlink(dir.path().join("gone.txt"), dir.path().join("docs/broken.txt")).unwrap();
    let e = error_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml")),
    );
    assert!(e.contains("broken.txt"), "{e}");
}

#[test]
fn no_codebook_given() {
    let dir = corpus();
    let e = error_of(qcode().arg("code").arg(dir.path().join("docs")));
    assert!(e.contains("no codebook was given"), "{e}");
}

#[test]
fn malformed_codebook() {
    let dir = tree(&[
        (
            "cb.yaml",
            "name: T\ncodes:\n  - name: a\n    keywords: ['(x']\n    patterns: ['(x']\n",
        ),
        ("a.txt", "x"),
    ]);
    let e = error_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("a.txt"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml")),
    );
    assert!(e.contains("cb.yaml:5:"), "{e}");
    assert!(e.contains("not a valid regular expression"), "{e}");
}

#[test]
fn csv_without_the_text_column() {
    let dir = tree(&[("cb.yaml", CODEBOOK), ("s.csv", "id,answr\n1,hola\n")]);
    let e = error_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("s.csv"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(["--text-col", "answer"]),
    );
    assert!(e.contains("s.csv: there is no column `answer`"), "{e}");
    assert!(e.contains("did you mean `answr`?"), "{e}");
    let e = error_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("s.csv"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml")),
    );
    assert!(e.contains("--text-col"), "{e}");
}

#[test]
fn bad_speaker_pattern() {
    let dir = corpus();
    let e = error_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(["--speaker-pattern", "(unclosed"]),
    );
    assert!(e.contains("speaker pattern"), "{e}");
}

#[test]
fn usage_errors_exit_2() {
    let out = qcode().args(["code", "--format", "xml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("qcode"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["code", "samples/transcripts", "-c", "codebooks/smuggling.yaml"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("document,segment,"));
    // The reader is gone (like `| head -1`): qcode stops without an error.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("error") && !stderr.contains("panicked"), "{stderr}");
}

#[test]
fn streamed_csv_knows_every_attribute_column_up_front() {
    // The last document brings an attribute no other has; the table adds
    // columns too. Every row still has every column, in a stable order.
    let dir = tree(&[
        ("cb.yaml", CODEBOOK),
        ("docs/a.txt", "P1: coyote\n"),
        ("docs/b.md", "---\ncountry: Mexico\n---\nP1: coyote\n"),
        (
            "docs/c.md",
            "---\nplace: Tapachula\ncountry: Honduras\n---\nP1: coyote\n",
        ),
        ("attrs.csv", "document,role\na.txt,migrant\n"),
    ]);
    let out = stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .arg("--attributes")
            .arg(dir.path().join("attrs.csv")),
    );
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().skip(15).map(str::to_string).collect();
    assert_eq!(header, ["role", "country", "place"]);
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().skip(15).map(str::to_string).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["migrant", "", ""],
            vec!["", "Mexico", ""],
            vec!["", "Honduras", "Tapachula"]
        ]
    );
}
