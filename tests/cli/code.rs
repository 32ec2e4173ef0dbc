//! `qcode code`: the coded CSV, rules end to end, and bad input.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::CODEBOOK;
use crate::workdir::{Workdir, csv_records, in_repo};

const INTERVIEW: &str = "---\ncountry: Honduras\nrole: migrant\n---\n\
Interviewer: How much did the coyote charge you?\n\n\
P03: The coyote asked $3,500. We had to pay the\nsmuggler in three parts.\n\n\
P03: My father signed a hipoteca on the land with a prestamista.\n\n\
P03: Then came the cuarentena and COVID-19 closed everything.\n";

/// An interview with front matter and a field note in a subfolder.
const DOCS: &[(&str, &str)] = &[
    ("cb.yaml", CODEBOOK),
    ("docs/p03.md", INTERVIEW),
    ("docs/notes/field.txt", "Rafts cross the river.\n\nNo coyote today.\n"),
];

#[test]
fn one_row_per_code_and_passage_with_lines_speaker_and_attributes() {
    let wd = Workdir::with(DOCS);
    let out = wd.stdout(wd.command("code").args(["docs", "-c", "cb.yaml"]));
    assert_eq!(
        out.lines().next().unwrap(),
        "document,segment,unit,start_line,end_line,start_char,end_char,speaker,code,code_path,coder,hits,matched,text,start_time,end_time,country,role"
    );
    let rows = csv_records(&out);
    let summary: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {} {} {} {}", &r[0], &r[1], &r[8], &r[11], &r[12]))
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
    assert_eq!((&p03[16], &p03[17]), ("Honduras", "migrant"));
    assert_eq!(
        &p03[13],
        "P03: The coyote asked $3,500. We had to pay the\nsmuggler in three parts."
    );
}

#[test]
fn char_offsets_count_characters_of_the_document_text() {
    let text = "Entrevistadora: ¿Cuánto pagó?\n\nP01: Pagamos al pollero en dólares, año tras año.\n";
    let wd = Workdir::with(&[("cb.yaml", CODEBOOK), ("e.txt", text)]);
    let rows = csv_records(&wd.stdout(wd.command("code").args(["e.txt", "-c", "cb.yaml"])));
    assert_eq!(rows.len(), 1);
    let (start, end): (usize, usize) = (rows[0][5].parse().unwrap(), rows[0][6].parse().unwrap());
    let between: String = text.chars().skip(start).take(end - start).collect();
    assert_eq!(between, &rows[0][13]);
    assert_eq!(start, 31, "offsets count characters, not bytes");
}

#[test]
fn jsonl_rows_carry_the_codebook_hash_and_the_table_a_summary() {
    let wd = Workdir::with(DOCS);
    let out = wd.stdout(wd.command("code").args(["docs", "-c", "cb.yaml", "--format", "jsonl"]));
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "prices");
    assert_eq!(first["speaker"], serde_json::Value::Null);
    assert_eq!(first["codebook_sha256"].as_str().unwrap().len(), 64);
    let out = wd.stdout(wd.command("code").args(["docs", "-c", "cb.yaml", "--format", "table"]));
    assert!(out.starts_with("# qcode "), "{out}");
    assert!(out.contains("5 coded passages in 2 documents (6 paragraphs)"), "{out}");
}

#[test]
fn jsonl_rows_carry_the_passages_times_as_the_csv_does() {
    let wd = Workdir::with(&[(
        "call.vtt",
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.500\n<v Ana>The coyote asked for more.\n",
    )]);
    wd.write("cb.yaml", CODEBOOK);
    let out = wd.stdout(
        wd.command("code")
            .args(["call.vtt", "-c", "cb.yaml", "--format", "jsonl"]),
    );
    let line: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(line["start_time"], "00:00:01.000", "{out}");
    assert_eq!(line["end_time"], "00:00:04.500", "{out}");
    assert_eq!(line["speaker"], "Ana", "{out}");
    let csv = wd.stdout(wd.command("code").args(["call.vtt", "-c", "cb.yaml"]));
    assert!(csv.contains(",00:00:01.000,00:00:04.500"), "{csv}");
}

#[test]
fn unit_and_speaker_pattern_options_override_the_defaults() {
    let wd = Workdir::with(DOCS);
    let out = wd.stdout(
        wd.command("code")
            .args(["docs/p03.md", "-c", "cb.yaml", "--unit", "sentence"]),
    );
    let units: Vec<String> = csv_records(&out).iter().map(|r| r[2].to_string()).collect();
    assert!(!units.is_empty() && units.iter().all(|u| u == "sentence"), "{out}");
    // A pattern that knows no speakers: the interviewer is no longer skipped.
    let out = wd.stdout(
        wd.command("code")
            .args(["docs/p03.md", "-c", "cb.yaml", "--speaker-pattern", "^NOBODY:"]),
    );
    assert!(out.contains("How much did the coyote charge you?"), "{out}");
}

#[test]
fn survey_table_rows_are_documents_and_formulas_are_neutralised() {
    let csv = "respondent,country,answer\nR1,Guatemala,\"Le pagamos al coyote, $2,000\"\nR2,Mexico,No sé\nR3,Honduras,\"=cmd|' /C calc'!A0 coyote\"\n";
    let wd = Workdir::with(&[("cb.yaml", CODEBOOK), ("survey.csv", csv)]);
    let rows = csv_records(&wd.stdout(wd.command("code").args([
        "survey.csv",
        "-c",
        "cb.yaml",
        "--text-col",
        "answer",
        "--id-col",
        "respondent",
    ])));
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[0][0], &rows[0][16]), ("R1", "Guatemala"));
    // Formula injection is neutralised for spreadsheets.
    assert!(rows[1][13].starts_with("'=cmd"), "{:?}", &rows[1][13]);
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let wd = Workdir::with(DOCS);
    let run = |threads: &str| wd.stdout(wd.qcode().args(["code", "-j", threads, "docs", "-c", "cb.yaml"]));
    assert_eq!(run("1"), run("2"));
}

#[test]
fn out_file_is_written_atomically_and_inputs_untouched() {
    let wd = Workdir::with(DOCS);
    wd.write("coded.csv", "old results\n");
    let before = wd.read("docs/p03.md");
    // A failing run leaves the old file as it was, and no temporary file.
    wd.error(
        wd.command("code")
            .args(["docs", "missing.txt", "-c", "cb.yaml", "--out", "coded.csv"]),
    );
    assert_eq!(wd.read("coded.csv"), "old results\n");
    let ok = wd.run(wd.command("code").args(["docs", "-c", "cb.yaml", "--out", "coded.csv"]));
    assert!(ok.stderr.contains("5 coded passages in 2 documents"));
    assert!(wd.read("coded.csv").starts_with("document,segment,"));
    let leftovers: Vec<_> = std::fs::read_dir(wd.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(wd.read("docs/p03.md"), before);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let wd = Workdir::new();
    let mut child = wd
        .command("code")
        .arg(in_repo("samples/transcripts"))
        .arg("-c")
        .arg(in_repo("codebooks/smuggling.yaml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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
    let wd = Workdir::with(&[
        ("cb.yaml", CODEBOOK),
        ("docs/a.txt", "P1: coyote\n"),
        ("docs/b.md", "---\ncountry: Mexico\n---\nP1: coyote\n"),
        (
            "docs/c.md",
            "---\nplace: Tapachula\ncountry: Honduras\n---\nP1: coyote\n",
        ),
        ("attrs.csv", "document,role\na.txt,migrant\n"),
    ]);
    let out = wd.stdout(
        wd.command("code")
            .args(["docs", "-c", "cb.yaml", "--attributes", "attrs.csv"]),
    );
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().skip(16).map(str::to_string).collect();
    assert_eq!(header, ["role", "country", "place"]);
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().skip(16).map(str::to_string).collect())
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

// ---- bad input: a clear message, exit code 2 ----

#[test]
fn a_missing_input_file_is_named() {
    let wd = Workdir::with(DOCS);
    let e = wd.error(wd.command("code").args(["no/such/interview.txt", "-c", "cb.yaml"]));
    assert!(e.contains("no/such/interview.txt: no such file or directory"), "{e}");
}

#[test]
fn a_folder_without_transcripts_is_an_error() {
    let wd = Workdir::with(&[("cb.yaml", CODEBOOK), ("empty/readme.pdf.part", "x")]);
    let e = wd.error(wd.command("code").args(["empty", "-c", "cb.yaml"]));
    assert!(e.contains("this folder holds no transcripts"), "{e}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_named() {
    let wd = Workdir::with(DOCS);
    std::os::unix::fs::symlink(wd.path("gone.txt"), wd.path("docs/broken.txt")).unwrap();
    let e = wd.error(wd.command("code").args(["docs/broken.txt", "-c", "cb.yaml"]));
    assert!(e.contains("broken.txt: no such file or directory"), "{e}");
}

#[test]
fn coding_without_a_codebook_is_an_error() {
    let wd = Workdir::with(DOCS);
    // The option is required, and the usage line says so.
    let e = wd.usage_error(wd.command("code").arg("docs"));
    assert!(e.contains("the following required arguments were not provided"), "{e}");
    assert!(e.contains("Usage: qcode code --codebook <FILE>"), "{e}");
}

#[test]
fn an_invalid_regex_in_the_codebook_is_located() {
    let wd = Workdir::with(&[
        (
            "cb.yaml",
            "name: T\ncodes:\n  - name: a\n    keywords: ['(x']\n    patterns: ['(x']\n",
        ),
        ("a.txt", "x"),
    ]);
    let e = wd.error(wd.command("code").args(["a.txt", "-c", "cb.yaml"]));
    assert!(e.contains("cb.yaml:5:"), "{e}");
    assert!(e.contains("not a valid regular expression"), "{e}");
}

#[test]
fn a_missing_text_column_suggests_the_nearest() {
    let wd = Workdir::with(&[("cb.yaml", CODEBOOK), ("s.csv", "id,answr\n1,hola\n")]);
    let e = wd.error(
        wd.command("code")
            .args(["s.csv", "-c", "cb.yaml", "--text-col", "answer"]),
    );
    assert!(e.contains("s.csv: there is no column `answer`"), "{e}");
    assert!(e.contains("did you mean `answr`?"), "{e}");
    let e = wd.error(wd.command("code").args(["s.csv", "-c", "cb.yaml"]));
    assert!(e.contains("--text-col"), "{e}");
}

#[test]
fn an_invalid_speaker_pattern_is_an_error() {
    let wd = Workdir::with(DOCS);
    let e = wd.error(
        wd.command("code")
            .args(["docs", "-c", "cb.yaml", "--speaker-pattern", "(unclosed"]),
    );
    assert!(e.contains("speaker pattern"), "{e}");
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let wd = Workdir::new();
    wd.usage_error(wd.command("code").args(["--format", "xml"]));
}

#[test]
fn extracted_fields_are_columns_that_read_back() {
    let wd = Workdir::with(DOCS);
    wd.write(
        "x.yaml",
        "name: X\ncodes:\n  - name: prices\n    patterns: ['(?P<currency>\\$)(?P<amount>\\d(?:[\\d,]*\\d)?)', '(?P<amount>\\d+) (?P<currency>dolares)']\n    extract: [amount, currency]\n",
    );
    wd.write("docs/q.txt", "P9: Primero $3,500, luego 200 dólares y otros $3,500.\n");
    let out = wd.stdout(wd.command("code").args(["docs", "-c", "x.yaml"]));
    assert!(
        out.lines()
            .next()
            .unwrap()
            .ends_with(",start_time,end_time,extract.amount,extract.currency,country,role"),
        "{out}"
    );
    let rows = crate::workdir::csv_maps(&out);
    let q = rows.iter().find(|r| r["document"] == "q.txt").unwrap();
    // Distinct values in order, joined as `matched` is; `dolares` finds the
    // accented word, which is given as written.
    assert_eq!(q["extract.amount"], "3,500; 200");
    assert_eq!(q["extract.currency"], "$; dólares");
    // Read back, the columns are extracted values, not attributes.
    wd.write("coded.csv", &out);
    let e = wd.error(
        wd.command("freq")
            .args(["--coded", "coded.csv", "--by", "extract.amount"]),
    );
    assert!(e.contains("extract.amount"), "{e}");
    let json = wd.stdout(
        wd.command("code")
            .args(["docs/q.txt", "-c", "x.yaml", "--format", "jsonl"]),
    );
    assert!(
        json.contains("\"extracted\":{\"amount\":[\"3,500\",\"200\"],\"currency\":[\"$\",\"dólares\"]}"),
        "{json}"
    );
}

#[test]
fn a_mistyped_path_suggests_the_one_beside_it() {
    let wd = Workdir::with(DOCS);
    let e = wd.error(wd.command("code").args(["doc", "-c", "cb.yaml"]));
    assert!(e.contains("doc: no such file or directory"), "{e}");
    assert!(e.contains("did you mean `docs`?"), "{e}");
}
