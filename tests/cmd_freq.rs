//! `qcode freq`: counts with roll-up, crosstabs, formats, --coded.

mod common;
use common::*;

/// Three short documents whose counts can be checked by reading them.
fn corpus() -> tempfile::TempDir {
    tree(&[
        ("cb.yaml", CODEBOOK),
        (
            "docs/a.md",
            "---\ncountry: Honduras\n---\nP1: The coyote wanted $900.\n\nP1: A prestamista lent us the rest. The coyote again.\n\nInterviewer: And the coyote?\n",
        ),
        ("docs/b.txt", "R2: Hipotecamos la casa.\n\nR2: Nada más.\n"),
        (
            "docs/c.txt",
            "Field notes. Lockdown in April.\n\nThe prestamista came with a hipoteca paper.\n",
        ),
        ("attrs.csv", "document,country\nb,Guatemala\nc.txt,Mexico\n"),
    ])
}

/// `qcode freq INPUT -c cb.yaml EXTRA…` on the test corpus (INPUT inside it).
fn freq_command(dir: &tempfile::TempDir, input: &str, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = qcode();
    cmd.arg("freq")
        .arg(dir.path().join(input))
        .arg("-c")
        .arg(dir.path().join("cb.yaml"))
        .args(extra);
    cmd
}

fn freq(dir: &tempfile::TempDir, extra: &[&str]) -> String {
    stdout_of(&mut freq_command(dir, "docs", extra))
}

#[test]
fn counts_roll_up_to_parents() {
    let dir = corpus();
    let out = freq(&dir, &["--format", "csv"]);
    // By hand: prices = a.md ¶1 (coyote, $900) and ¶2 (coyote); the
    // interviewer's ¶3 is skipped. lenders = a.md ¶2, c.txt ¶2. mortgage =
    // b.txt ¶1, c.txt ¶2. debt = a.md ¶2, b.txt ¶1, c.txt ¶2 (c.txt ¶2 once,
    // although two sub-codes apply). covid = c.txt ¶1.
    assert_eq!(
        out,
        "code,parent,label,segments,documents,% documents,hits\n\
         prices,,Prices and payment,2,1,33.3,3\n\
         debt,,\"Lenders, mortgages and debt\",3,3,100.0,4\n\
         lenders,debt,lenders,2,2,66.7,2\n\
         mortgage,debt,mortgage,2,2,66.7,2\n\
         covid,,covid,1,1,33.3,1\n"
    );
}

#[test]
fn terminal_table_shows_provenance_and_tree() {
    let dir = corpus();
    let out = freq(&dir, &[]);
    assert!(out.starts_with("# qcode "), "{out}");
    assert!(out.contains("(sha256 "), "{out}");
    assert!(out.contains("# 3 documents, 7 segments"), "{out}");
    assert!(out.contains("│   lenders "), "children indented: {out}");
}

#[test]
fn one_document_is_counted_in_the_singular() {
    let dir = corpus();
    let out = stdout_of(&mut freq_command(&dir, "docs/b.txt", &[]));
    assert!(out.contains("# 1 document, 2 segments\n"), "{out}");
}

#[test]
fn crosstab_by_attribute_with_group_sizes() {
    let dir = corpus();
    let attrs = dir.path().join("attrs.csv");
    let out = freq(
        &dir,
        &[
            "--attributes",
            attrs.to_str().unwrap(),
            "--by",
            "country",
            "--format",
            "csv",
        ],
    );
    // Attributes: a.md from front matter, b by file stem, c.txt by id.
    assert_eq!(
        out.lines().next().unwrap(),
        "code,parent,label,Guatemala,Honduras,Mexico,total"
    );
    assert!(
        out.contains("\ndebt,,\"Lenders, mortgages and debt\",1,1,1,3\n"),
        "{out}"
    );
    assert!(out.contains("\nprices,,Prices and payment,0,2,0,2\n"), "{out}");
    assert!(out.ends_with("(all segments),,,2,3,2,7\n"), "{out}");
    let out = freq(
        &dir,
        &[
            "--attributes",
            attrs.to_str().unwrap(),
            "--by",
            "country",
            "--count",
            "documents",
            "--format",
            "csv",
        ],
    );
    assert!(out.ends_with("(all documents),,,1,1,1,3\n"), "{out}");
}

#[test]
fn crosstab_by_speaker_and_document() {
    let dir = corpus();
    let out = freq(&dir, &["--by", "speaker", "--format", "csv"]);
    assert_eq!(
        out.lines().next().unwrap(),
        "code,parent,label,Interviewer,P1,R2,(none),total"
    );
    assert!(out.contains("\nprices,,Prices and payment,0,2,0,0,2\n"), "{out}");
    assert!(out.ends_with("(all segments),,,1,2,2,2,7\n"), "{out}");
    let out = freq(&dir, &["--by", "document", "--format", "csv"]);
    assert_eq!(out.lines().next().unwrap(), "code,parent,label,a.md,b.txt,c.txt,total");
}

#[test]
fn json_and_markdown() {
    let dir = corpus();
    let json: serde_json::Value = serde_json::from_str(&freq(&dir, &["--format", "json"])).unwrap();
    assert_eq!(json["documents"], 3);
    assert_eq!(json["segments"], 7);
    assert_eq!(json["provenance"]["codebook_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(json["codes"][1]["code"], "debt");
    assert_eq!(json["codes"][1]["segments"], 3);
    assert_eq!(json["codes"][2]["parent"], "debt");
    let md = freq(&dir, &["--format", "markdown"]);
    assert!(md.starts_with("<!-- qcode "), "{md}");
    assert!(md.contains("| &emsp;lenders | lenders | 2 | 2 | 66.7 | 2 |"), "{md}");
}

#[test]
fn the_output_file_extension_chooses_the_format() {
    let dir = corpus();
    let written = |name: &str, extra: &[&str]| {
        let path = dir.path().join(name);
        freq(&dir, &[&["--out", path.to_str().unwrap()], extra].concat());
        std::fs::read_to_string(path).unwrap()
    };
    assert!(written("counts.csv", &[]).starts_with("code,parent,label,"));
    assert!(written("counts.json", &[]).trim_start().starts_with('{'));
    assert!(written("counts.md", &[]).starts_with("<!-- qcode "));
    assert!(written("counts.txt", &[]).starts_with("# qcode "));
    // --format wins over the extension.
    assert!(written("table.csv", &["--format", "table"]).starts_with("# qcode "));
}

#[test]
fn coded_csv_gives_the_same_counts() {
    let dir = corpus();
    let coded = dir.path().join("coded.csv");
    stdout_of(
        qcode()
            .arg("code")
            .arg(dir.path().join("docs"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .arg("--out")
            .arg(&coded),
    );
    let out = stdout_of(
        qcode()
            .arg("freq")
            .arg("--coded")
            .arg(&coded)
            .arg("-c")
            .arg(dir.path().join("cb.yaml"))
            .args(["--format", "csv"]),
    );
    // Same segment/hit counts; % documents is relative to coded documents.
    assert!(
        out.contains("debt,,\"Lenders, mortgages and debt\",3,3,100.0,4\n"),
        "{out}"
    );
    assert!(out.contains("prices,,Prices and payment,2,1,33.3,3\n"), "{out}");
    // Without the codebook, codes are listed as found.
    let out = stdout_of(qcode().arg("freq").arg("--coded").arg(&coded).args(["--format", "csv"]));
    assert!(
        out.starts_with("code,parent,label,segments,documents,% documents,hits\nprices,,prices,2,1,33.3,3\n"),
        "{out}"
    );
}

#[test]
fn hand_coded_csv_with_paths_and_coders() {
    let dir = tree(&[(
        "human.csv",
        "document,segment,code,coder\na.txt,1,debt/lenders,ana\na.txt,1,debt/mortgage,ana\na.txt,2,prices,ana\nb.txt,4,prices,luis\n",
    )]);
    let out = qcode()
        .arg("freq")
        .arg("--coded")
        .arg(dir.path().join("human.csv"))
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 coders (ana, luis)"), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("\ndebt,,debt,1,1,50.0,0\nlenders,debt,lenders,1,1,50.0,0\n"),
        "{stdout}"
    );
    let out = stdout_of(
        qcode()
            .arg("freq")
            .arg("--coded")
            .arg(dir.path().join("human.csv"))
            .args(["--coder", "ana", "--format", "csv"]),
    );
    assert!(out.contains("\nprices,,prices,1,1,100.0,0\n"), "{out}");
    let e = error_of(
        qcode()
            .arg("freq")
            .arg("--coded")
            .arg(dir.path().join("human.csv"))
            .args(["--coder", "maria"]),
    );
    assert!(
        e.contains("no coding by coder `maria`") && e.contains("ana, luis"),
        "{e}"
    );
}

#[test]
fn bad_inputs() {
    let dir = corpus();
    let e = error_of(&mut freq_command(&dir, "docs", &["--by", "region"]));
    assert!(e.contains("no document has the attribute `region`"), "{e}");
    let bad = write(dir.path(), "bad.csv", b"doc,code\na,b\n");
    let e = error_of(qcode().arg("freq").arg("--coded").arg(&bad));
    assert!(e.contains("no `document` column"), "{e}");
    let e = error_of(
        qcode()
            .arg("freq")
            .arg(dir.path().join("docs"))
            .arg("--coded")
            .arg(&bad),
    );
    assert!(e.contains("not both"), "{e}");
    let ragged = write(dir.path(), "ragged.csv", b"document,code\na,b,c\n");
    let e = error_of(qcode().arg("freq").arg("--coded").arg(&ragged));
    assert!(
        e.contains("ragged.csv:2: a row has 3 fields where the header has 2"),
        "{e}"
    );
}

/// Many documents go through the workers at once: the table is the same
/// whatever the number of threads, and a bad file among them stops the run
/// with its name, whichever thread read it, without a hang or a partial
/// output file.
#[test]
fn many_documents_in_order_and_a_bad_one_stops_the_run() {
    let dir = tree(&[("cb.yaml", CODEBOOK)]);
    for i in 0..80 {
        let text = format!("P{i}: The coyote wanted ${i}00.\n\nP{i}: A prestamista lent us the rest.\n");
        write(dir.path(), &format!("docs/{i:03}.txt"), text.as_bytes());
    }
    let run = |threads: &str| {
        stdout_of(
            qcode()
                .args(["-j", threads, "freq", "--by", "document", "--format", "csv"])
                .arg(dir.path().join("docs"))
                .arg("-c")
                .arg(dir.path().join("cb.yaml")),
        )
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("4"));
    assert!(one.contains("000.txt") && one.contains("079.txt"), "{one}");

    write(dir.path(), "docs/041.txt", b"P41: Pagu\xe9 al coyote.\n");
    let out = dir.path().join("table.csv");
    for threads in ["1", "2", "4"] {
        let e = error_of(
            qcode()
                .args(["-j", threads, "freq", "--encoding", "utf-8", "--format", "csv", "--out"])
                .arg(&out)
                .arg(dir.path().join("docs"))
                .arg("-c")
                .arg(dir.path().join("cb.yaml")),
        );
        assert!(e.contains("041.txt") && e.contains("not valid UTF-8"), "{e}");
        assert!(!out.exists(), "no partial output");
    }
}

/// Spreadsheets in Spanish (and many European) settings save CSV with
/// semicolons: attribute tables, survey answers and coded CSVs read the same.
#[test]
fn semicolon_separated_tables_are_read() {
    let dir = corpus();
    write(
        dir.path(),
        "attrs;.csv",
        b"document;country\nb;Guatemala\nc.txt;Mexico\n",
    );
    let by_country = |attributes: &str| {
        let table = dir.path().join(attributes).display().to_string();
        freq(&dir, &["--attributes", &table, "--by", "country", "--format", "csv"])
    };
    let (by_comma, by_semicolon) = (by_country("attrs.csv"), by_country("attrs;.csv"));
    assert_eq!(by_comma, by_semicolon);
    assert!(by_comma.contains("Guatemala"), "{by_comma}");

    write(
        dir.path(),
        "survey.csv",
        "id;respuesta\n1;Pagamos una hipoteca\n2;Nada\n".as_bytes(),
    );
    let survey = stdout_of(
        qcode()
            .args(["freq", "--text-col", "respuesta", "--id-col", "id", "--format", "csv"])
            .arg(dir.path().join("survey.csv"))
            .arg("-c")
            .arg(dir.path().join("cb.yaml")),
    );
    assert!(
        survey
            .lines()
            .any(|l| l.starts_with("mortgage,") && l.contains(",1,1,")),
        "{survey}"
    );

    let coded = dir.path().join("coded.csv");
    qcode()
        .args(["code", "--format", "csv", "--out"])
        .arg(&coded)
        .arg(dir.path().join("docs"))
        .arg("-c")
        .arg(dir.path().join("cb.yaml"))
        .assert()
        .success();
    let mut semicolons = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    for record in csv::Reader::from_path(&coded).unwrap().into_records() {
        semicolons.write_record(&record.unwrap()).unwrap();
    }
    let mut text = String::from_utf8(semicolons.into_inner().unwrap()).unwrap();
    let header = csv::Reader::from_path(&coded)
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .collect::<Vec<_>>()
        .join(";");
    text.insert_str(0, &format!("{header}\n"));
    write(dir.path(), "coded;.csv", text.as_bytes());
    let from = |file: &str| {
        stdout_of(
            qcode()
                .args(["freq", "--format", "csv", "--coded"])
                .arg(dir.path().join(file)),
        )
    };
    assert_eq!(from("coded.csv"), from("coded;.csv"));
}
