//! `qcode freq`: counts with roll-up, crosstabs, formats, --coded.

use crate::CODEBOOK;
use crate::workdir::Workdir;

/// Three short documents whose counts can be checked by reading them.
const DOCS: &[(&str, &str)] = &[
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
];

/// The stdout of `qcode freq docs -c cb.yaml EXTRA…`.
fn freq(wd: &Workdir, extra: &[&str]) -> String {
    wd.stdout(wd.command("freq").args(["docs", "-c", "cb.yaml"]).args(extra))
}

#[test]
fn counts_roll_up_to_parents() {
    let wd = Workdir::with(DOCS);
    let out = freq(&wd, &["--format", "csv"]);
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
    let wd = Workdir::with(DOCS);
    let out = freq(&wd, &[]);
    assert!(out.starts_with("# qcode "), "{out}");
    assert!(out.contains("(sha256 "), "{out}");
    assert!(out.contains("# 3 documents, 7 segments"), "{out}");
    assert!(out.contains("│   lenders "), "children indented: {out}");
}

#[test]
fn one_document_is_counted_in_the_singular() {
    let wd = Workdir::with(DOCS);
    let out = wd.stdout(wd.command("freq").args(["docs/b.txt", "-c", "cb.yaml"]));
    assert!(out.contains("# 1 document, 2 segments\n"), "{out}");
}

#[test]
fn crosstab_by_attribute_with_group_sizes() {
    let wd = Workdir::with(DOCS);
    let out = freq(
        &wd,
        &["--attributes", "attrs.csv", "--by", "country", "--format", "csv"],
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
    // Passages with any code, each once: a.md ¶1 and ¶2 (¶3 is the
    // interviewer's), b.txt ¶1, c.txt ¶1 and ¶2; then every segment.
    assert!(
        out.ends_with(
            "(any code),,passages coded with any code,1,2,2,5\n(all segments),,\"every segment, coded or not\",2,3,2,7\n"
        ),
        "{out}"
    );
    let out = freq(
        &wd,
        &[
            "--attributes",
            "attrs.csv",
            "--by",
            "country",
            "--count",
            "documents",
            "--format",
            "csv",
        ],
    );
    assert!(
        out.ends_with("(all documents),,\"every document, coded or not\",1,1,1,3\n"),
        "{out}"
    );
}

#[test]
fn crosstab_percentages_of_rows_columns_or_the_total() {
    let wd = Workdir::with(DOCS);
    let pct = |how: &str| {
        freq(
            &wd,
            &[
                "--attributes",
                "attrs.csv",
                "--by",
                "country",
                "--percent",
                how,
                "--format",
                "csv",
            ],
        )
    };
    // Countries: Guatemala = b (2 segments), Honduras = a.md (3), Mexico = c (2).
    let column = pct("column");
    assert!(
        column.contains("\nprices,,Prices and payment,0.0,66.7,0.0,28.6\n"),
        "{column}"
    );
    assert!(
        column.contains("\n(all segments),,\"every segment, coded or not\",100.0,100.0,100.0,100.0\n"),
        "{column}"
    );
    let row = pct("row");
    assert!(
        row.contains("\nprices,,Prices and payment,0.0,100.0,0.0,100.0\n"),
        "{row}"
    );
    assert!(
        row.contains("\ndebt,,\"Lenders, mortgages and debt\",33.3,33.3,33.3,100.0\n"),
        "{row}"
    );
    let total = pct("total");
    assert!(
        total.contains("\ndebt,,\"Lenders, mortgages and debt\",14.3,14.3,14.3,42.9\n"),
        "{total}"
    );
    let table = freq(
        &wd,
        &["--attributes", "attrs.csv", "--by", "country", "--percent", "column"],
    );
    assert!(
        table.contains("# cells: % of the group's segments, by country"),
        "{table}"
    );
    // Percentages need a crosstab, and counts that have a denominator.
    wd.usage_error(wd.command("freq").args(["docs", "-c", "cb.yaml", "--percent", "row"]));
    let e = wd.error(wd.command("freq").args([
        "docs",
        "-c",
        "cb.yaml",
        "--by",
        "speaker",
        "--percent",
        "row",
        "--count",
        "hits",
    ]));
    assert!(e.contains("--percent needs counts of segments or documents"), "{e}");
}

#[test]
fn a_coded_csv_with_its_transcripts_gives_the_group_sizes() {
    let wd = Workdir::with(DOCS);
    wd.stdout(wd.command("code").args([
        "docs",
        "-c",
        "cb.yaml",
        "--attributes",
        "attrs.csv",
        "--out",
        "coded.csv",
    ]));
    let fresh = freq(
        &wd,
        &[
            "--attributes",
            "attrs.csv",
            "--by",
            "country",
            "--percent",
            "column",
            "--format",
            "csv",
        ],
    );
    let alone = wd.stdout(
        wd.command("freq")
            .args(["--coded", "coded.csv", "--by", "country", "--format", "csv"]),
    );
    assert!(
        alone.ends_with("(all segments),,\"every segment, coded or not\",?,?,?,?\n"),
        "{alone}"
    );
    let e = wd.error(
        wd.command("freq")
            .args(["--coded", "coded.csv", "--by", "country", "--percent", "column"]),
    );
    assert!(
        e.contains("give the transcripts the coded CSV was made from with --transcripts"),
        "{e}"
    );
    let with = wd.stdout(wd.command("freq").args([
        "--coded",
        "coded.csv",
        "-c",
        "cb.yaml",
        "--transcripts",
        "docs",
        "--attributes",
        "attrs.csv",
        "--by",
        "country",
        "--percent",
        "column",
        "--format",
        "csv",
    ]));
    assert_eq!(with, fresh);
}

#[test]
fn an_unknown_crosstab_attribute_lists_the_known_ones() {
    let wd = Workdir::with(DOCS);
    let e = wd.error(
        wd.command("freq")
            .args(["docs", "-c", "cb.yaml", "--attributes", "attrs.csv", "--by", "contry"]),
    );
    assert!(e.contains("no document has the attribute `contry`"), "{e}");
    assert!(
        e.contains("did you mean `--by country`? The documents' attributes are: country"),
        "{e}"
    );
}

#[test]
fn crosstab_by_speaker_and_document() {
    let wd = Workdir::with(DOCS);
    let out = freq(&wd, &["--by", "speaker", "--format", "csv"]);
    assert_eq!(
        out.lines().next().unwrap(),
        "code,parent,label,Interviewer,P1,R2,(none),total"
    );
    assert!(out.contains("\nprices,,Prices and payment,0,2,0,0,2\n"), "{out}");
    assert!(
        out.ends_with(
            "(any code),,passages coded with any code,0,2,1,2,5\n(all segments),,\"every segment, coded or not\",1,2,2,2,7\n"
        ),
        "{out}"
    );
    let out = freq(&wd, &["--by", "document", "--format", "csv"]);
    assert_eq!(out.lines().next().unwrap(), "code,parent,label,a.md,b.txt,c.txt,total");
}

#[test]
fn json_and_markdown_reports_hold_the_counts_and_tree() {
    let wd = Workdir::with(DOCS);
    let json = wd.json(wd.command("freq").args(["docs", "-c", "cb.yaml"]));
    assert_eq!(json["documents"], 3);
    assert_eq!(json["segments"], 7);
    assert_eq!(json["provenance"]["codebook_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(json["codes"][1]["code"], "debt");
    assert_eq!(json["codes"][1]["segments"], 3);
    assert_eq!(json["codes"][2]["parent"], "debt");
    let md = freq(&wd, &["--format", "markdown"]);
    assert!(md.starts_with("<!-- qcode "), "{md}");
    assert!(md.contains("| &emsp;lenders | lenders | 2 | 2 | 66.7 | 2 |"), "{md}");
}

#[test]
fn the_output_file_extension_chooses_the_format() {
    let wd = Workdir::with(DOCS);
    let written = |name: &str, extra: &[&str]| {
        freq(&wd, &[&["--out", name], extra].concat());
        wd.read(name)
    };
    assert!(written("counts.csv", &[]).starts_with("code,parent,label,"));
    assert!(written("counts.json", &[]).trim_start().starts_with('{'));
    assert!(written("counts.md", &[]).starts_with("<!-- qcode "));
    assert!(written("counts.txt", &[]).starts_with("# qcode "));
    // --format agrees with the extension or is refused: a table written to
    // a .csv file would mislead whoever opens it.
    assert!(written("counts.txt", &["--format", "table"]).starts_with("# qcode "));
    let err = wd.error(
        wd.command("freq")
            .args(["docs", "-c", "cb.yaml", "--out", "table.csv", "--format", "table"]),
    );
    assert!(err.contains("ends in .csv, but the format asked for is table"), "{err}");
    assert!(!wd.path("table.csv").exists());
}

#[test]
fn a_coded_csv_gives_the_same_counts() {
    let wd = Workdir::with(DOCS);
    wd.stdout(wd.command("code").args(["docs", "-c", "cb.yaml", "--out", "coded.csv"]));
    let out = wd.stdout(
        wd.command("freq")
            .args(["--coded", "coded.csv", "-c", "cb.yaml", "--format", "csv"]),
    );
    // Same segment/hit counts; % documents is relative to coded documents.
    assert!(
        out.contains("debt,,\"Lenders, mortgages and debt\",3,3,100.0,4\n"),
        "{out}"
    );
    assert!(out.contains("prices,,Prices and payment,2,1,33.3,3\n"), "{out}");
    // Without the codebook, codes are listed as found.
    let out = wd.stdout(wd.command("freq").args(["--coded", "coded.csv", "--format", "csv"]));
    assert!(
        out.starts_with("code,parent,label,segments,documents,% documents,hits\nprices,,prices,2,1,33.3,3\n"),
        "{out}"
    );
}

#[test]
fn hand_coded_csv_with_code_paths_and_coders() {
    let wd = Workdir::with(&[(
        "human.csv",
        "document,segment,code,coder\na.txt,1,debt/lenders,ana\na.txt,1,debt/mortgage,ana\na.txt,2,prices,ana\nb.txt,4,prices,luis\n",
    )]);
    let out = wd.run(wd.command("freq").args(["--coded", "human.csv", "--format", "csv"]));
    assert!(out.stderr.contains("2 coders (ana, luis)"), "{}", out.stderr);
    assert!(
        out.stdout
            .contains("\ndebt,,debt,1,1,50.0,0\nlenders,debt,lenders,1,1,50.0,0\n"),
        "{}",
        out.stdout
    );
    let out = wd.stdout(
        wd.command("freq")
            .args(["--coded", "human.csv", "--coder", "ana", "--format", "csv"]),
    );
    assert!(out.contains("\nprices,,prices,1,1,100.0,0\n"), "{out}");
    let e = wd.error(wd.command("freq").args(["--coded", "human.csv", "--coder", "maria"]));
    assert!(
        e.contains("no coding by coder `maria`") && e.contains("ana, luis"),
        "{e}"
    );
}

#[test]
fn bad_inputs_are_clear_errors() {
    let wd = Workdir::with(DOCS);
    // c.txt has no speakers while the codebook skips interviewers: a
    // warning comes before the error.
    let e = wd.usage_error(wd.command("freq").args(["docs", "-c", "cb.yaml", "--by", "region"]));
    assert!(e.contains("warning: c.txt: no speaker labels were found"), "{e}");
    assert!(
        e.contains("qcode: error: no document has the attribute `region`"),
        "{e}"
    );
    wd.write("bad.csv", "doc,code\na,b\n");
    let e = wd.error(wd.command("freq").args(["--coded", "bad.csv"]));
    assert!(e.contains("no `document` column"), "{e}");
    let e = wd.error(wd.command("freq").args(["docs", "--coded", "bad.csv"]));
    assert!(e.contains("not both"), "{e}");
    wd.write("ragged.csv", "document,code\na,b,c\n");
    let e = wd.error(wd.command("freq").args(["--coded", "ragged.csv"]));
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
    let wd = Workdir::with(&[("cb.yaml", CODEBOOK)]);
    for i in 0..80 {
        let text = format!("P{i}: The coyote wanted ${i}00.\n\nP{i}: A prestamista lent us the rest.\n");
        wd.write(&format!("docs/{i:03}.txt"), text);
    }
    let run = |threads: &str| {
        wd.stdout(wd.qcode().args([
            "freq", "-j", threads, "--by", "document", "--format", "csv", "docs", "-c", "cb.yaml",
        ]))
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("4"));
    assert!(one.contains("000.txt") && one.contains("079.txt"), "{one}");

    wd.write("docs/041.txt", b"P41: Pagu\xe9 al coyote.\n");
    for threads in ["1", "2", "4"] {
        let e = wd.error(wd.qcode().args([
            "freq",
            "-j",
            threads,
            "--encoding",
            "utf-8",
            "--format",
            "csv",
            "--out",
            "table.csv",
            "docs",
            "-c",
            "cb.yaml",
        ]));
        assert!(e.contains("041.txt") && e.contains("not valid UTF-8"), "{e}");
        assert!(!wd.path("table.csv").exists(), "no partial output");
    }
}

/// Spreadsheets in Spanish (and many European) settings save CSV with
/// semicolons: attribute tables, survey answers and coded CSVs read the same.
#[test]
fn semicolon_separated_tables_are_read() {
    let wd = Workdir::with(DOCS);
    wd.write("attrs;.csv", "document;country\nb;Guatemala\nc.txt;Mexico\n");
    let by_country = |attributes: &str| freq(&wd, &["--attributes", attributes, "--by", "country", "--format", "csv"]);
    let (by_comma, by_semicolon) = (by_country("attrs.csv"), by_country("attrs;.csv"));
    assert_eq!(by_comma, by_semicolon);
    assert!(by_comma.contains("Guatemala"), "{by_comma}");

    wd.write("survey.csv", "id;respuesta\n1;Pagamos una hipoteca\n2;Nada\n");
    let survey = wd.stdout(wd.command("freq").args([
        "--text-col",
        "respuesta",
        "--id-col",
        "id",
        "--format",
        "csv",
        "survey.csv",
        "-c",
        "cb.yaml",
    ]));
    assert!(
        survey
            .lines()
            .any(|l| l.starts_with("mortgage,") && l.contains(",1,1,")),
        "{survey}"
    );

    wd.stdout(
        wd.command("code")
            .args(["--format", "csv", "--out", "coded.csv", "docs", "-c", "cb.yaml"]),
    );
    let coded = wd.path("coded.csv");
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
    wd.write("coded;.csv", text);
    let from = |file: &str| wd.stdout(wd.command("freq").args(["--format", "csv", "--coded", file]));
    assert_eq!(from("coded.csv"), from("coded;.csv"));
}

#[test]
fn crosstabs_group_dates_by_year_and_named_period() {
    let wd = Workdir::with(DOCS);
    wd.write(
        "attrs.csv",
        "document,country,date\na,Honduras,2020-03-14\nb,Guatemala,2021-06-01\nc.txt,Mexico,2020-04-02\n",
    );
    wd.write(
        "periods.yaml",
        "before: [.., 2020-03-16]\nclosures: [2020-03-16, 2021-11-08]\n",
    );
    let columns = |by: &str, extra: &[&str]| -> String {
        let out = freq(
            &wd,
            &[&["--attributes", "attrs.csv", "--by", by, "--format", "csv"], extra].concat(),
        );
        out.lines().next().unwrap().to_string()
    };
    assert!(
        columns("date:year", &[]).ends_with(",2020,2021,total"),
        "{}",
        columns("date:year", &[])
    );
    let by_period = columns("period", &["--periods", "periods.yaml"]);
    assert!(by_period.ends_with(",before,closures,total"), "{by_period}");
    let out = freq(
        &wd,
        &[
            "--attributes",
            "attrs.csv",
            "--by",
            "period",
            "--periods",
            "periods.yaml",
            "--format",
            "json",
        ],
    );
    assert!(out.contains("\"by\": \"date:period\""), "{out}");
    let e = wd.error(wd.command("freq").args(["docs", "-c", "cb.yaml", "--by", "period"]));
    assert!(e.contains("no periods are declared"), "{e}");
}
