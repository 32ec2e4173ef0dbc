//! Whatever the input, qcode ends with an answer and loses nothing: no
//! hang, no abort on a failed allocation, no panic, no input overwritten,
//! no half-written output, no spreadsheet formula. One test per class of
//! defect found by the hostile-input campaign of issue 16 and by fuzzing
//! (`fuzz/`), each through the real binary.
//!
//! A run that would hang is stopped after a few seconds ([`finishes`]), so
//! a regression fails the test instead of hanging the suite. Documents are
//! built around their XML by the fuzz crate's `package` module, which the
//! fuzz targets use too.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use qcode_fuzz::package;

use crate::workdir::{Workdir, csv_maps};

const CODEBOOK: &str = "name: T\ncodes:\n  - name: prices\n    keywords: [coyote]\n";

fn workdir() -> Workdir {
    Workdir::with(&[("cb.yaml", CODEBOOK), ("t.txt", "P01: el coyote cobró.\n")])
}

/// How long a run may take before it is taken for a hang. Every case ends in
/// well under a second in a release build and seconds in a debug build; the
/// bound is far above that, so that a busy machine never fails a test: it
/// turns a hang into a failure, and says nothing of speed.
const HANG_SECONDS: u64 = 300;

/// Runs `cmd`, which must end; a run still going after [`HANG_SECONDS`] is
/// killed and fails the test: it would have hung.
#[track_caller]
fn finishes(cmd: &mut Command) -> Output {
    let seconds = HANG_SECONDS;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qcode starts");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while child.try_wait().expect("waiting for qcode").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} was still running after {seconds} s: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("qcode's output")
}

/// The stderr of a run that must end and fail as every qcode error does:
/// exit code 2, a message with a hint, no panic.
#[track_caller]
fn fails(cmd: &mut Command) -> String {
    let out = finishes(cmd);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{cmd:?}: {stderr}");
    // Warnings may come first; the error is last.
    assert!(
        stderr.contains("qcode: error: ") && stderr.contains("how to fix:"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal error"),
        "{stderr}"
    );
    stderr
}

/// The names in a folder, hidden ones (temporary files) included.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------
// Hangs

/// A Word or OpenDocument file cut short inside an element qcode skips used
/// to loop forever: the end of the file was swallowed while skipping.
#[test]
fn a_document_cut_short_inside_a_skipped_element_is_an_error() {
    let wd = workdir();
    let w = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let docx = format!(r#"<w:document {w}><w:body><w:p><w:pPr><w:pStyle w:val="x"/>"#);
    wd.write("cut.docx", package::docx(docx.as_bytes()));
    let o = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0""#;
    let odt =
        format!("<office:document-content {o}><office:body><office:text><text:p>Hola<office:annotation><text:p>nota");
    wd.write("cut.odt", package::odt(odt.as_bytes()));
    for file in ["cut.docx", "cut.odt"] {
        let e = fails(wd.command("code").args([file, "-c", "cb.yaml"]));
        assert!(
            e.contains("ends before its elements are closed: the file was cut short"),
            "{e}"
        );
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A named pipe blocks whoever opens it until someone writes: in a folder
/// it is skipped, named directly it is refused, and nothing ever opens it.
#[cfg(unix)]
#[test]
fn a_named_pipe_is_never_opened() {
    let wd = workdir();
    wd.write("docs/a.txt", "P01: el coyote.\n");
    mkfifo(&wd.path("docs/pipe.txt"));
    let out = finishes(wd.command("code").args(["docs", "-c", "cb.yaml"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("skipped 1 special file(s) (pipes, devices, sockets), which are not files: pipe.txt"),
        "{stderr}"
    );
    let e = fails(wd.command("code").args(["docs/pipe.txt", "-c", "cb.yaml"]));
    assert!(e.contains("pipe.txt: this is a named pipe (FIFO), not a file"), "{e}");
    mkfifo(&wd.path("pipe.csv"));
    mkfifo(&wd.path("pipe.yaml"));
    fails(wd.command("code").args(["t.txt", "-c", "pipe.yaml"]));
    fails(
        wd.command("code")
            .args(["t.txt", "-c", "cb.yaml", "--attributes", "pipe.csv"]),
    );
    fails(wd.command("freq").args(["--coded", "pipe.csv"]));
    fails(wd.command("agree").args(["pipe.csv", "pipe.csv"]));
    // strict: a special file is an error, as other files qcode cannot read
    let e = fails(wd.command("code").args(["docs", "-c", "cb.yaml", "--strict"]));
    assert!(e.contains("--strict: skipped 1 special file(s)"), "{e}");
}

/// `/dev/zero` reports a length of 0 and never ends: every reader refuses
/// it as a device, whatever the extension of the path that leads to it.
#[cfg(unix)]
#[test]
fn a_device_is_refused_by_every_reader() {
    let wd = workdir();
    for name in [
        "zero.yaml",
        "zero.csv",
        "zero.qdc",
        "zero.dic",
        "zero.txt",
        "zero.qdpx",
        "zero.docx",
        "zero.pdf",
    ] {
        std::os::unix::fs::symlink("/dev/zero", wd.path(name)).unwrap();
    }
    let device = "this is a device, not a file: qcode reads only regular files";
    let runs: [&[&str]; 10] = [
        &["code", "t.txt", "-c", "zero.yaml"],
        &["codebook", "check", "/dev/zero"],
        &["code", "t.txt", "-c", "cb.yaml", "--attributes", "zero.csv"],
        &["freq", "--coded", "zero.csv"],
        &["agree", "zero.csv", "zero.csv"],
        &["import", "zero.qdc"],
        &["import", "zero.dic"],
        &["import", "zero.qdpx"],
        &["code", "zero.txt", "zero.docx", "-c", "cb.yaml"],
        &["code", "zero.pdf", "-c", "cb.yaml"],
    ];
    for args in runs {
        let e = fails(wd.qcode().args(args));
        assert!(e.contains(device), "{args:?}: {e}");
    }
    let e = fails(
        wd.command("audit")
            .args(["--gold", "zero.csv", "t.txt", "-c", "cb.yaml"]),
    );
    assert!(e.contains(device), "{e}");
}

// ---------------------------------------------------------------------------
// Memory amplification from small files

/// A sheet's declared range is never allocated: A1 and XFD1048576 ask for
/// 17 billion cells, and a reference past Excel's bounds (or one whose
/// 32-bit number wraps round to row 2) is refused rather than read as
/// another cell.
#[test]
fn a_spreadsheet_is_read_by_its_cells_not_its_range() {
    let wd = workdir();
    let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
    // What comes before `<sheetData>` (a dimension), and the cells.
    let sheet = |cells: &str| {
        let (before, cells) = cells.split_once("<sheetData/>").unwrap_or(("", cells));
        format!("<worksheet {ns}>{before}<sheetData>{cells}</sheetData></worksheet>")
    };
    let header = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>"#;
    let answer = r#"<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>3</v></c></row>"#;
    let cases = [
        (
            "far.xlsx",
            format!(r#"{header}{answer}<row r="1048576"><c r="XFD1048576"><v>9</v></c></row>"#),
            "the cell XFD1048576 holds a value in column XFD, which has no name in the header row",
        ),
        (
            "wrap.xlsx",
            format!(r#"{header}{answer}<row r="4294967298"><c r="A4294967298"><v>2</v></c></row>"#),
            "refers to `4294967298`, which is not a cell or range of a sheet (a sheet has 1,048,576 rows",
        ),
        (
            "absurd.xlsx",
            format!(r#"{header}<row r="2"><c r="ZZZZZZZZZZZZZZ2"><v>1</v></c></row>"#),
            "refers to `ZZZZZZZZZZZZZZ2`, which is not a cell",
        ),
        // Found by fuzzing: a range whose last column comes before its
        // first, which calamine subtracts.
        (
            "reversed.xlsx",
            format!(r#"<dimension ref="J1:C4"/><sheetData/>{header}{answer}"#),
            "refers to `J1:C4`, which is not a cell or range of a sheet",
        ),
        // Found by fuzzing: the checks stopped at malformed XML, where
        // calamine read on to the reference past the bounds.
        (
            "malformed.xlsx",
            format!(
                r#"<row r="1"<<c r="A1" t="s"><v>0</v></c></row>{answer}<row r="3"><c r="C24294967296"><v>1</v></c></row>"#
            ),
            "the workbook is damaged: `xl/worksheets/sheet1.xml` is not well-formed XML",
        ),
        (
            "twice.xlsx",
            format!(r#"{header}{answer}<row r="2"><c r="B2"><v>8</v></c></row>"#),
            "the cell B2 appears twice in the sheet",
        ),
    ];
    for (name, cells, want) in cases {
        wd.write(name, package::xlsx(sheet(&cells).as_bytes()));
        let e = fails(wd.command("code").args([name, "--text-col", "text", "-c", "cb.yaml"]));
        assert!(e.contains(want), "{name}: {e}");
    }
    // the same workbook without the stray cells reads as before
    wd.write("ok.xlsx", package::xlsx(sheet(&format!("{header}{answer}")).as_bytes()));
    let out = wd.stdout(
        wd.command("code")
            .args(["ok.xlsx", "--text-col", "text", "-c", "cb.yaml"]),
    );
    assert_eq!(csv_maps(&out)[0]["matched"], "coyote");
}

/// `<text:s text:c="1000"/>` turns 24 bytes into 1,000 spaces: the text of
/// a document may not grow much beyond its XML.
#[test]
fn a_document_cannot_expand_beyond_its_xml() {
    let wd = workdir();
    let o = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0""#;
    let spaces = r#"<text:s text:c="1000"/>"#.repeat(5000);
    let odt = format!(
        "<office:document-content {o}><office:body><office:text><text:p>P01:{spaces} coyote</text:p></office:text></office:body></office:document-content>"
    );
    wd.write("spaces.odt", package::odt(odt.as_bytes()));
    let e = fails(wd.command("code").args(["spaces.odt", "-c", "cb.yaml"]));
    assert!(e.contains("the text of `content.xml` grows to more than its XML, more than the limit of 1 MB of text beyond the size of the document's XML"), "{e}");
    assert!(e.contains("this limit cannot be raised"), "{e}");
}

/// The limits a real project may reach say how to raise them, and raising
/// them works: rows of a table, elements of a project.
#[test]
fn size_limits_name_their_variable_and_can_be_raised() {
    let wd = workdir();
    let mut csv = String::from("id,text\n");
    for i in 0..300 {
        csv.push_str(&format!("{i},el coyote {i}\n"));
    }
    wd.write("answers.csv", &csv);
    let code = |rows: &str| {
        let mut cmd = wd.command("freq");
        cmd.env("QCODE_MAX_ROWS", rows)
            .args(["answers.csv", "--text-col", "text", "-c", "cb.yaml"]);
        cmd
    };
    let e = fails(&mut code("100"));
    assert!(
        e.contains("answers.csv:102: the table has 101 rows, more than the limit of 100 rows in one table"),
        "{e}"
    );
    assert!(e.contains("QCODE_MAX_ROWS=200 qcode"), "{e}");
    let out = finishes(&mut code("1000"));
    assert!(out.status.success());
    let e = fails(&mut code("many"));
    assert!(
        e.contains("the environment variable QCODE_MAX_ROWS is `many`, which is not a whole number"),
        "{e}"
    );

    let sources = "<Sources/>".to_string() + &"<Set/>".repeat(2000);
    let project = format!(r#"<Project xmlns="urn:QDA-XML:project:1:0" name="p"><Sets>{sources}</Sets></Project>"#);
    wd.write("big.qdpx", package::qdpx(project.as_bytes()));
    let e = fails(
        wd.command("import")
            .env("QCODE_MAX_XML_ELEMENTS", "1000")
            .arg("big.qdpx"),
    );
    assert!(
        e.contains("the XML holds 1001 elements or more, more than the limit of 1,000 XML elements"),
        "{e}"
    );
    assert!(e.contains("QCODE_MAX_XML_ELEMENTS="), "{e}");
}

/// Options whose value sets the size of the output or the work: refused
/// with the limit, or, for threads, clamped with a warning — never an
/// abort or a panic.
#[test]
fn options_that_ask_for_too_much_are_limited() {
    let wd = workdir();
    let e = fails(
        wd.command("excerpts")
            .args(["t.txt", "-c", "cb.yaml", "--context", "1000000"]),
    );
    assert!(
        e.contains("--context 1000000 asks for 1000000 segments of context, more than the limit of 100"),
        "{e}"
    );
    wd.write("a.csv", "unit,coder,code\nu1,ana,a\nu2,ana,b\nu1,luis,a\nu2,luis,a\n");
    let e = fails(wd.command("agree").args(["a.csv", "--replicates", "1000000000000000"]));
    assert!(
        e.contains("more than the limit of 1,000,000 bootstrap replicates"),
        "{e}"
    );
    for threads in ["3000", "100000"] {
        let out = finishes(wd.qcode().args(["code", "-j", threads, "t.txt", "-c", "cb.yaml"]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "-j {threads}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "-j {threads} is more than the limit of 256 threads; using 256 threads"
            )),
            "{stderr}"
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("coyote"));
    }
}

/// A codebook with more codes than any study uses gets the limit in its
/// message, not a hint about indentation.
#[test]
fn a_codebook_of_fifty_thousand_codes_is_refused_by_its_size() {
    let wd = workdir();
    let mut yaml = String::from("name: Huge\ncodes:\n");
    for i in 0..50_000 {
        yaml.push_str(&format!("  - name: c{i}\n    keywords: [w{i}]\n"));
    }
    wd.write("huge.yaml", &yaml);
    let e = fails(wd.command("codebook").args(["check", "huge.yaml"]));
    assert!(
        e.contains("huge.yaml:1:1: the codebook has 50000 codes, more than the limit of 10,000 codes in one codebook"),
        "{e}"
    );
    assert!(!e.contains("indentation"), "{e}");
}

// ---------------------------------------------------------------------------
// Lost or damaged files

/// An output is never an input of the same run, whichever option names it
/// and however its path is spelt (a hard link is the same file); the input
/// stays as it was and no temporary file is left.
#[test]
fn an_output_never_replaces_an_input() {
    let wd = workdir();
    wd.write("docs/a.txt", "P01: el coyote.\n");
    let coded = wd.stdout(wd.command("code").args(["t.txt", "-c", "cb.yaml"]));
    wd.write("c.csv", &coded);
    wd.write("gold.csv", &coded);
    wd.write("other.csv", coded.replace("qcode", "luis"));
    wd.write(
        "x.qdc",
        std::fs::read(crate::workdir::fixture("refi/nvivo.qdc")).unwrap(),
    );
    let project = crate::refi::zipped_fixture(wd.root(), "nvivo");
    std::fs::hard_link(wd.path("t.txt"), wd.path("link.txt")).unwrap();
    let p = project.to_str().unwrap();
    let runs: [&[&str]; 10] = [
        &["code", "t.txt", "-c", "cb.yaml", "--out", "t.txt"],
        &["code", "t.txt", "-c", "cb.yaml", "--out", "cb.yaml"],
        &["code", "t.txt", "-c", "cb.yaml", "--out", "./link.txt"],
        &["code", "docs", "-c", "cb.yaml", "--out", "docs/a.txt"],
        &["freq", "--coded", "c.csv", "--out", "c.csv"],
        &["import", "x.qdc", "--out", "x.qdc"],
        &["agree", "c.csv", "other.csv", "--disagreements", "c.csv"],
        &[
            "audit", "--gold", "gold.csv", "t.txt", "-c", "cb.yaml", "--errors", "gold.csv",
        ],
        &["import", p, "--write-codebook", p],
        &["export", "--qdc", "cb.yaml", "-c", "cb.yaml"],
    ];
    let before: Vec<(String, Vec<u8>)> = listing(wd.root())
        .into_iter()
        .filter(|n| wd.path(n).is_file())
        .map(|n| (n.clone(), std::fs::read(wd.path(&n)).unwrap()))
        .collect();
    for args in runs {
        let e = fails(wd.qcode().args(args));
        assert!(
            e.contains("this output file is also an input of this run") || e.contains("is the same file as"),
            "{args:?}: {e}"
        );
    }
    let after: Vec<(String, Vec<u8>)> = listing(wd.root())
        .into_iter()
        .filter(|n| wd.path(n).is_file())
        .map(|n| (n.clone(), std::fs::read(wd.path(&n)).unwrap()))
        .collect();
    assert_eq!(before, after, "every file as it was, and no temporary file");
    assert_eq!(listing(&wd.path("docs")), ["a.txt"]);
}

/// Two outputs of one run are never the same file: the second would
/// replace the first.
#[test]
fn two_outputs_of_a_run_are_never_the_same_file() {
    let wd = workdir();
    wd.write("a.csv", "unit,coder,code\nu1,ana,a\nu2,ana,b\nu1,luis,a\nu2,luis,a\n");
    let e = fails(
        wd.command("agree")
            .args(["a.csv", "--out", "r.csv", "--disagreements", "./r.csv"]),
    );
    assert!(e.contains("this run has already written this file"), "{e}");
    assert!(wd.read("r.csv").contains("percent_agreement") || wd.read("r.csv").contains("agreement"));
}

/// A device or a pipe given as the output is written to as it is, never
/// replaced by a regular file (as root, the file would have taken the
/// device's place).
#[cfg(unix)]
#[test]
fn a_device_output_is_written_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let wd = workdir();
    let out = finishes(
        wd.command("code")
            .args(["t.txt", "-c", "cb.yaml", "--out", "/dev/null"]),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    let out = finishes(
        wd.command("code")
            .args(["t.txt", "-c", "cb.yaml", "--out", "/dev/stdout"]),
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("document,segment,"));
    // a link to a file: the file is replaced, the link stays a link
    wd.write("results/2024.csv", "old\n");
    std::os::unix::fs::symlink("results/2024.csv", wd.path("latest.csv")).unwrap();
    wd.run(
        wd.command("code")
            .args(["t.txt", "-c", "cb.yaml", "--out", "latest.csv"]),
    );
    assert!(
        std::fs::symlink_metadata(wd.path("latest.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(wd.read("results/2024.csv").starts_with("document,"));
}

/// Ctrl-C or `kill` in the middle of a run leaves no `.out.csv.qcode-…tmp`
/// behind, and the process ends as the signal ends it.
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    for (signal, number) in [("INT", 2), ("TERM", 15)] {
        let wd = workdir();
        // A PDF reader that takes its time keeps the run going while the
        // output's temporary file is open.
        wd.write("slow.sh", "#!/bin/sh\nsleep 20\n");
        std::fs::set_permissions(wd.path("slow.sh"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        wd.write("doc.pdf", "%PDF-1.4\n");
        let mut child = wd
            .command("code")
            .env("QCODE_PDFTOTEXT", wd.path("slow.sh"))
            .args(["doc.pdf", "-c", "cb.yaml", "--out", "out.csv"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !listing(wd.root()).iter().any(|n| n.starts_with(".out.csv.qcode-")) {
            assert!(Instant::now() < deadline, "no temporary file appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        let kill = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(number), "ended by SIG{signal}: {status}");
        let left: Vec<String> = listing(wd.root())
            .into_iter()
            .filter(|n| n.contains("out.csv"))
            .collect();
        assert!(left.is_empty(), "SIG{signal} left {left:?}");
    }
}

/// CSV that the format lets through silently: an unterminated quote would
/// merge every following row into one answer, a repeated column would turn
/// into an attribute or vanish.
#[test]
fn csv_that_would_lose_rows_or_columns_is_an_error() {
    let wd = workdir();
    wd.write(
        "quote.csv",
        "id,text\n1,\"El coyote cobró\n2,Pedimos un préstamo\n3,Cruzamos\n",
    );
    let e = fails(
        wd.command("code")
            .args(["quote.csv", "--text-col", "text", "-c", "cb.yaml"]),
    );
    assert!(e.contains("quote.csv:2: a quoted field never ends"), "{e}");
    wd.write("twice.csv", "id,text,text\n1,el coyote,otra\n");
    let e = fails(
        wd.command("code")
            .args(["twice.csv", "--text-col", "text", "-c", "cb.yaml"]),
    );
    assert!(
        e.contains("twice.csv:1: the column `text` appears twice in the header"),
        "{e}"
    );
    // the same mistakes in a coded CSV and an attributes file
    wd.write("coded.csv", "document,code,text\na.txt,prices,\"sin fin\n");
    let e = fails(wd.command("freq").args(["--coded", "coded.csv"]));
    assert!(e.contains("a quoted field never ends"), "{e}");
    wd.write("attrs.csv", "document,country,country\nt,MX,GT\n");
    let e = fails(
        wd.command("code")
            .args(["t.txt", "-c", "cb.yaml", "--attributes", "attrs.csv"]),
    );
    assert!(e.contains("the column `country` appears twice"), "{e}");
    // a quote inside an unquoted field is text, as spreadsheets write it
    wd.write("inch.csv", "id,text\n1,a 5\" screen and the coyote\n");
    let out = wd.stdout(
        wd.command("code")
            .args(["inch.csv", "--text-col", "text", "-c", "cb.yaml"]),
    );
    assert_eq!(csv_maps(&out).len(), 1);
}

/// A Word file with two `word/document.xml` entries is ambiguous: which
/// one is the document is the reader's choice, so neither is read.
#[test]
fn an_archive_with_two_entries_of_one_name_is_an_error() {
    let wd = workdir();
    let w = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let doc =
        |text: &str| format!("<w:document {w}><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>");
    let (first, second) = (doc("P01: el coyote"), doc("P01: nada"));
    // The zip writer refuses duplicate names: the second entry's name is
    // patched in afterwards.
    let mut bytes = package::zip(&[
        ("word/document.xml", first.as_bytes()),
        ("word/documenX.xml", second.as_bytes()),
    ]);
    let from = b"word/documenX.xml";
    let mut i = 0;
    while let Some(at) = bytes[i..].windows(from.len()).position(|w| w == from) {
        bytes[i + at..i + at + from.len()].copy_from_slice(b"word/document.xml");
        i += at + from.len();
    }
    wd.write("two.docx", bytes);
    let e = fails(wd.command("code").args(["two.docx", "-c", "cb.yaml"]));
    assert!(
        e.contains("two.docx: the archive holds two entries of the same name"),
        "{e}"
    );
}

/// A project whose sources are `x.md` and `x.md/y.md` cannot be written
/// as files as it stands: the second becomes `x.md (2)/y.md`, named in a
/// warning, and every text is written. A failure found late (the codebook's
/// folder missing) leaves no output at all.
#[test]
fn a_project_import_writes_everything_or_nothing() {
    let wd = workdir();
    let project = r#"<Project xmlns="urn:QDA-XML:project:1:0" name="p" origin="QualCoder 3.5">
<Users><User guid="U1" name="Ana"/></Users>
<CodeBook><Codes><Code guid="C1" name="coyote" isCodable="true"/></Codes></CodeBook>
<Sources>
<TextSource guid="S1" name="x.md"><PlainTextContent>P01: el coyote</PlainTextContent>
<PlainTextSelection guid="P1" startPosition="8" endPosition="14" creatingUser="U1"><Coding guid="K1"><CodeRef targetGUID="C1"/></Coding></PlainTextSelection></TextSource>
<TextSource guid="S2" name="x.md/y.md"><PlainTextContent>P02: la frontera</PlainTextContent></TextSource>
</Sources></Project>"#;
    wd.write("p.qdpx", package::qdpx(project.as_bytes()));
    let e = fails(wd.command("import").args([
        "p.qdpx",
        "--out",
        "human.csv",
        "--texts",
        "texts",
        "--write-codebook",
        "missing/cb.yaml",
    ]));
    assert!(e.contains("the folder for this output file does not exist"), "{e}");
    assert!(!wd.path("human.csv").exists() && !wd.path("texts").exists());
    assert!(
        listing(wd.root()).iter().all(|n| !n.contains(".qcode-")),
        "{:?}",
        listing(wd.root())
    );

    let out = wd.run(
        wd.command("import")
            .args(["p.qdpx", "--out", "human.csv", "--texts", "texts"]),
    );
    assert!(out.stderr.contains("`x.md/y.md` → x.md (2)/y.md"), "{}", out.stderr);
    assert_eq!(wd.read("texts/x.md"), "P01: el coyote");
    assert_eq!(wd.read("texts/x.md (2)/y.md"), "P02: la frontera");
    assert_eq!(csv_maps(&wd.read("human.csv"))[0]["document"], "x.md");
}

// ---------------------------------------------------------------------------
// Formula injection

/// Header names reach a spreadsheet as much as cells do: an attribute
/// column, a front-matter key, a survey column and a REFI-QDA variable
/// name that start like a formula are guarded, and read back as written.
#[test]
fn header_names_are_guarded_like_cells() {
    let wd = workdir();
    wd.write("a.md", "---\n\"@SUM(A1)\": x\n---\nP01: el coyote\n");
    wd.write("attrs.csv", "document,\"=HYPERLINK(\"\"http://x\"\")\"\na,v\n");
    let out = wd.stdout(
        wd.command("code")
            .args(["a.md", "-c", "cb.yaml", "--attributes", "attrs.csv"]),
    );
    let header = out.lines().next().unwrap();
    assert!(
        header.ends_with(",'@SUM(A1),\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{header}"
    );
    wd.write("coded.csv", &out);
    // read back, the names are as the researcher wrote them
    let by = wd.stdout(
        wd.command("freq")
            .args(["--coded", "coded.csv", "--by", "@SUM(A1)", "--format", "csv"]),
    );
    assert!(by.contains(",x"), "{by}");

    wd.write("s.csv", "id,text,+country\n1,el coyote,MX\n");
    let out = wd.stdout(
        wd.command("code")
            .args(["s.csv", "--text-col", "text", "--id-col", "id", "-c", "cb.yaml"]),
    );
    assert!(out.lines().next().unwrap().ends_with(",'+country"), "{out}");

    let project = r#"<Project xmlns="urn:QDA-XML:project:1:0" name="p" origin="QualCoder 3.5">
<CodeBook><Codes><Code guid="C1" name="coyote" isCodable="true"/></Codes></CodeBook>
<Variables><Variable guid="V1" name="=cmd|' /C calc'!A0" typeOfVariable="Text"/></Variables>
<Sources><TextSource guid="S1" name="a"><PlainTextContent>P01: el coyote</PlainTextContent>
<PlainTextSelection guid="P1" startPosition="8" endPosition="14"><Coding guid="K1"><CodeRef targetGUID="C1"/></Coding></PlainTextSelection>
<VariableValue><VariableRef targetGUID="V1"/><TextValue>-1+1</TextValue></VariableValue></TextSource></Sources></Project>"#;
    wd.write("p.qdpx", package::qdpx(project.as_bytes()));
    let out = wd.stdout(wd.command("import").arg("p.qdpx"));
    let mut lines = out.lines();
    assert!(lines.next().unwrap().ends_with(",'=cmd|' /C calc'!A0"), "{out}");
    assert!(lines.next().unwrap().ends_with(",'-1+1"), "{out}");
}

// ---------------------------------------------------------------------------
// Smaller

fn script(wd: &Workdir, name: &str, body: &str) -> std::path::PathBuf {
    let path = wd.write(name, format!("#!/bin/sh\n{body}\n"));
    #[cfg(unix)]
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path
}

/// pdftotext is stopped when it writes more than a file's limit of text
/// (a small PDF of pages sharing one content stream writes 100 MB) or runs
/// past its time.
#[cfg(unix)]
#[test]
fn pdftotext_is_stopped_past_its_output_and_time_limits() {
    let wd = workdir();
    wd.write("doc.pdf", "%PDF-1.4\n");
    let endless = script(&wd, "endless.sh", "exec yes 'P01: el coyote'");
    let e = fails(
        wd.command("code")
            .env("QCODE_PDFTOTEXT", &endless)
            .env("QCODE_MAX_FILE_MB", "1")
            .args(["doc.pdf", "-c", "cb.yaml"]),
    );
    assert!(
        e.contains("the text `pdftotext` writes for this PDF is 1 MB or more; qcode stopped it"),
        "{e}"
    );
    let slow = script(&wd, "slow.sh", "sleep 30");
    let e = fails(
        wd.command("code")
            .env("QCODE_PDFTOTEXT", &slow)
            .env("QCODE_PDF_SECONDS", "1")
            .args(["doc.pdf", "-c", "cb.yaml"]),
    );
    assert!(
        e.contains("`pdftotext` was still running; qcode stopped it, more than the limit of 1 seconds"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------
// Links and standard input

/// Links inside an input folder are not followed: a link to a parent would
/// loop until the path is too long, one to a sibling would code the same
/// file twice. A link named on the command line is followed.
#[cfg(unix)]
#[test]
fn links_inside_folders_are_skipped_and_named_ones_followed() {
    let wd = workdir();
    wd.write("docs/a.txt", "P01: el coyote.\n");
    std::os::unix::fs::symlink("..", wd.path("docs/up")).unwrap();
    std::os::unix::fs::symlink("a.txt", wd.path("docs/same.txt")).unwrap();
    let out = finishes(wd.command("code").args(["docs", "-c", "cb.yaml"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("skipped 2 link(s), which qcode does not follow inside folders"),
        "{stderr}"
    );
    assert!(stderr.contains("same.txt, up"), "{stderr}");
    let rows = csv_maps(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(rows.len(), 1, "a.txt once");
    std::os::unix::fs::symlink("docs", wd.path("linked")).unwrap();
    let rows = csv_maps(&wd.stdout(wd.command("code").args(["linked", "docs/same.txt", "-c", "cb.yaml"])));
    let documents: Vec<&str> = rows.iter().map(|r| r["document"].as_str()).collect();
    assert_eq!(documents, ["a.txt", "same.txt"]);
    let e = fails(wd.command("code").args(["docs", "-c", "cb.yaml", "--strict"]));
    assert!(e.contains("--strict: skipped 2 link(s)"), "{e}");
}

/// `-` is a transcript read from standard input, once, with the same cap
/// as a file.
#[test]
fn a_transcript_can_come_on_standard_input() {
    let wd = workdir();
    let mut child = wd
        .command("code")
        .args(["-", "-c", "cb.yaml"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("---\ncountry: MX\n---\nP01: el coyote cobró.\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let rows = csv_maps(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        (rows[0]["document"].as_str(), rows[0]["country"].as_str()),
        ("stdin", "MX")
    );
}
