//! `qcode import`: hand-made projects that reproduce how real exporters
//! deviate from the standard (`tests/fixtures/refi/README.md`), codebooks,
//! and archives that are broken or hostile.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::refi::{fixture_files, zip_files, zipped_fixture};
use crate::workdir::{Outputs, Workdir, csv_maps, fixture};

/// (code, coder, text, start_char, end_char) of each row.
fn summary(rows: &[HashMap<String, String>]) -> Vec<(String, String, String, usize, usize)> {
    rows.iter()
        .map(|r| {
            let n = |k: &str| r[k].parse().unwrap();
            (
                r["code"].clone(),
                r["coder"].clone(),
                r["text"].clone(),
                n("start_char"),
                n("end_char"),
            )
        })
        .collect()
}

fn s(v: &str) -> String {
    v.to_string()
}

/// Imports the fixture project `name` (zipped into `wd`) with `extra`
/// options: the coded CSV's rows and the stderr.
fn import_fixture(wd: &Workdir, name: &str, extra: &[&str]) -> (Vec<HashMap<String, String>>, String) {
    let Outputs { stdout, stderr } = wd.run(wd.command("import").arg(zipped_fixture(wd.root(), name)).args(extra));
    (csv_maps(&stdout), stderr)
}

#[test]
fn nvivo_utf16_positions_bom_crlf_braced_guids() {
    let wd = Workdir::new();
    let (rows, err) = import_fixture(&wd, "nvivo", &[]);
    assert_eq!(
        summary(&rows),
        [
            (
                s("Barreras_de_acceso/Económicas"),
                s("Ana Pérez"),
                s("no tenía dinero para el bus"),
                45,
                72
            ),
            (s("Coyote"), s("Luis"), s("¿sabes?"), 76, 83),
            (
                s("Barreras_de_acceso/Económicas"),
                s("Luis"),
                s("pidió un préstamo"),
                91,
                108
            ),
            (
                s("Barreras_de_acceso/Otras_varias"),
                s("Ana Pérez"),
                s("cinco mil dólares"),
                141,
                158
            ),
            (s("Coyote"), s("Ana Pérez"), s("cinco mil dólares"), 141, 158),
        ]
    );
    let r = &rows[3];
    assert_eq!(r["document"], "Entrevista 1.txt");
    assert_eq!(
        (r["start_line"].as_str(), r["end_line"].as_str(), r["unit"].as_str()),
        ("3", "3", "span")
    );
    assert_eq!(
        (r["Edad"].as_str(), r["País"].as_str()),
        ("34", "Honduras"),
        "variables of the case"
    );
    assert_eq!(
        (rows[3]["segment"].as_str(), rows[4]["segment"].as_str()),
        ("4", "4"),
        "one span, one segment"
    );
    assert!(
        err.contains("positions read as UTF-16 code units, a CRLF line break counted as two"),
        "{err}"
    );
    assert!(err.contains("`Otras / varias` → Otras_varias"), "{err}");
}

#[test]
fn positions_can_be_overridden() {
    let wd = Workdir::new();
    let (rows, err) = import_fixture(&wd, "nvivo", &["--positions", "codepoints"]);
    assert!(err.contains("as --positions says"), "{err}");
    // Before the emoji both units agree; after it, read as code points, the
    // UTF-16 positions land one character too far.
    assert_eq!(rows[0]["text"], "no tenía dinero para el bus");
    assert_eq!(rows[1]["text"], "sabes? ");
}

#[test]
fn atlas_named_qde_crlf_counted_once_paths_without_scheme_duplicate_guids() {
    let wd = Workdir::new();
    let (rows, err) = import_fixture(&wd, "atlas", &[]);
    assert_eq!(
        summary(&rows),
        [
            (s("Dinero"), s("Marta"), s("no tenía dinero para el bus"), 45, 72),
            (s("Dinero"), s("Marta"), s("cinco mil dólares"), 141, 158),
        ]
    );
    assert_eq!(rows[0]["document"], "Entrevista Ana.txt");
    assert!(err.contains("a CRLF line break counted as one"), "{err}");
    assert!(err.contains("codes with a GUID already used by another code"), "{err}");
}

#[test]
fn project_xml_named_project_qde_with_capital() {
    let wd = Workdir::new();
    let files: Vec<(String, Vec<u8>)> = fixture_files("unknown")
        .into_iter()
        .map(|(name, data)| {
            (
                if name == "project.qde" {
                    s("Project.qde")
                } else {
                    name.replace("sources/", "Sources/")
                },
                data,
            )
        })
        .collect();
    zip_files(&wd.path("p.qdpx"), &files);
    let rows = csv_maps(&wd.stdout(wd.command("import").arg("p.qdpx")));
    assert_eq!(rows.len(), 2);
}

#[test]
fn qualcoder_without_namespace_reports_what_it_cannot_import() {
    let wd = Workdir::new();
    let (rows, err) = import_fixture(&wd, "qualcoder", &[]);
    let got: Vec<(String, String, usize, usize)> = rows
        .iter()
        .map(|r| {
            (
                r["document"].clone(),
                r["text"].clone(),
                r["start_char"].parse().unwrap(),
                r["end_char"].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (s("Entrevista.txt"), s("coyote"), 11, 17),
            // Offsets count the composed é of the normalised text.
            (s("Entrevista.txt"), s("préstamo"), 36, 44),
            (s("Entrevista (2).txt"), s("coyote"), 20, 26),
        ]
    );
    assert_eq!(rows[0]["code (variable)"], "A-1");
    for expected in [
        "sources whose text file is missing from the archive, not imported (1): Perdida",
        "codings of sources not imported, lost with them: 1",
        "selections outside their text or splitting a character, not imported (2): Entrevista [54, 96) in a text of 56 characters, Entrevista [x, 4)",
        "empty selections (start = end), skipped: 1",
        "codings that refer to no code of the codebook (dangling references), not imported: 1",
        "`Entrevista` → Entrevista (2).txt",
        "code → code (variable)",
        "coding memos (selection descriptions): 1",
        "picture sources: 1",
        "notes and memos: 1",
        "sets: 1",
    ] {
        assert!(err.contains(expected), "{expected}\nin:\n{err}");
    }
}

#[test]
fn unknown_exporter_units_are_guessed_from_the_quoted_text() {
    let wd = Workdir::new();
    let (rows, err) = import_fixture(&wd, "unknown", &[]);
    assert_eq!(rows[0]["text"], "¿sabes?");
    assert_eq!(rows[1]["text"], "cinco mil dólares");
    assert!(
        err.contains("UTF-16 code units (guessed from where the selections start and end"),
        "{err}"
    );
}

#[test]
fn texts_and_codebook_let_qcode_work_on_the_project() {
    let wd = Workdir::new();
    let nvivo = zipped_fixture(wd.root(), "nvivo");
    wd.run(wd.command("import").arg(&nvivo).args([
        "--out",
        "human.csv",
        "--texts",
        "texts",
        "--write-codebook",
        "book.yaml",
    ]));
    let text = wd.read("texts/Entrevista 1.txt");
    assert!(
        text.starts_with("Entrevistadora: ¿Cómo pagó el viaje?\nAna:"),
        "BOM gone, LF line ends: {text:?}"
    );
    // The CSV's offsets point into the written text.
    let rows = csv_maps(&wd.read("human.csv"));
    let chars: Vec<char> = text.chars().collect();
    for r in &rows {
        let (a, b): (usize, usize) = (r["start_char"].parse().unwrap(), r["end_char"].parse().unwrap());
        assert_eq!(chars[a..b].iter().collect::<String>(), r["text"]);
    }
    // The reports read the imported CSV, hierarchy included.
    let freq = wd.stdout(wd.command("freq").args(["--format", "csv", "--coded", "human.csv"]));
    assert!(freq.contains("Barreras_de_acceso"), "{freq}");
    assert!(freq.contains("Económicas"), "{freq}");
    let excerpts = wd.stdout(
        wd.command("excerpts")
            .args(["--coded", "human.csv", "--code", "Coyote"]),
    );
    assert!(excerpts.contains("¿sabes?"), "{excerpts}");
    // The skeleton becomes a working codebook once its codes have rules,
    // and coding the written texts names the same documents.
    let filled = wd
        .read("book.yaml")
        .replace("keywords: []", "keywords: [dinero, coyote]");
    wd.write("book.yaml", filled);
    let auto = wd.stdout(wd.command("code").args(["texts", "-c", "book.yaml"]));
    assert!(
        rows.iter().all(|r| auto.contains(&format!("\n{},", r["document"]))),
        "{auto}"
    );
    // Agreement of the two coders, character by character as NVivo
    // compares them, and per document.
    let spans = wd.stdout(
        wd.command("agree")
            .args(["human.csv", "--spans", "--transcripts", "texts"]),
    );
    assert!(
        spans.contains("Ana Pérez") && spans.contains("Entrevista 1.txt"),
        "{spans}"
    );
    let documents = wd.stdout(wd.command("agree").args(["human.csv", "--unit", "document"]));
    assert!(documents.contains("Coyote"), "{documents}");
    // Code paths resolve to declared codes named by their last part, so the
    // project can be audited against a qcode codebook built from it.
    let declared = wd.stdout(wd.command("agree").args([
        "human.csv",
        "--unit",
        "document",
        "--categories",
        "Otras_varias,Coyote,Económicas",
        "--format",
        "csv",
    ]));
    assert!(declared.contains("\nOtras_varias,"), "{declared}");
    // --texts never overwrites files.
    let err = wd.error(wd.command("import").arg(&nvivo).args(["--texts", "texts"]));
    assert!(err.contains("the folder for --texts is not empty"), "{err}");
}

#[test]
fn codebooks_become_skeletons() {
    let wd = Workdir::new();
    let err = wd
        .run(
            wd.command("import")
                .arg(fixture("refi/nvivo.qdc"))
                .args(["--out", "book.yaml"]),
        )
        .stderr;
    assert!(err.contains("imported 4 codes"), "{err}");
    assert!(err.contains("code sets: 1"), "the set is reported: {err}");
    let yaml = wd.read("book.yaml");
    for expected in [
        "- name: Barreras_de_acceso\n  label: Barreras de acceso\n  description: Obstáculos para el acceso\n  children:\n  - name: Económicas\n    color: \"#EE0066\"\n    keywords: []",
        "- name: Coyote\n  description: Mentions of the smuggler.\n  include: payments.\n  color: \"#56B6C2\"\n  keywords: []",
    ] {
        assert!(yaml.contains(expected), "{expected}\nin:\n{yaml}");
    }
    // Without rules the codes are for coding by hand, and the check says so;
    // given rules, they are applied.
    let out = wd.stdout(wd.command("codebook").args(["check", "book.yaml"]));
    assert!(
        out.contains("3 codes have no rules, so automatic coding never applies them: Económicas, Geográficas, Coyote"),
        "{out}"
    );
    wd.write("book.yaml", yaml.replace("keywords: []", "keywords: [x]"));
    let out = wd.stdout(wd.command("codebook").args(["check", "book.yaml"]));
    assert!(!out.contains("no rules"), "{out}");
    // Taguette: flat path names, upper-case GUIDs, an empty <Sets/>.
    let yaml = wd.stdout(wd.command("import").arg(fixture("refi/taguette.qdc")));
    assert!(
        yaml.contains("- name: interesting_places\n  label: interesting\\places"),
        "{yaml}"
    );
}

#[test]
fn options_that_do_not_apply_are_refused() {
    let wd = Workdir::new();
    let err = wd.error(
        wd.command("import")
            .arg(fixture("refi/nvivo.qdc"))
            .args(["--texts", "x"]),
    );
    assert!(err.contains("--texts goes with a project (.qdpx)"), "{err}");
    wd.write("notes.rtf", "x");
    let err = wd.error(wd.command("import").arg("notes.rtf"));
    assert!(err.contains("qcode cannot import .rtf files"), "{err}");
    assert!(
        err.contains(".qdpx") && err.contains(".qdc") && err.contains(".dic"),
        "lists what it can import: {err}"
    );
    // Dictionaries are codebooks: project options do not apply to them.
    wd.write("words.dic", "%\n1\tprices\n%\ncoyote*\t1\n");
    let err = wd.error(wd.command("import").args(["words.dic", "--write-codebook", "x.yaml"]));
    assert!(err.contains("--write-codebook goes with a project (.qdpx)"), "{err}");
    let yaml = wd.stdout(wd.command("import").arg("words.dic"));
    assert!(yaml.contains("coyote*"), "{yaml}");
}

// ---------------------------------------------------------------------------
// Broken and hostile archives: each is an explained error, never a panic.

/// An archive `p.qdpx` in `wd` holding only `project.qde` with `qde`.
fn project_with(wd: &Workdir, qde: &str) -> PathBuf {
    let path = wd.path("p.qdpx");
    zip_files(&path, &[(s("project.qde"), qde.as_bytes().to_vec())]);
    path
}

#[test]
fn not_a_zip_and_truncated_archives() {
    let wd = Workdir::new();
    wd.write("fake.qdpx", "<Project name=\"x\"/>");
    let err = wd.error(wd.command("import").arg("fake.qdpx"));
    assert!(err.contains("not a ZIP archive"), "{err}");
    let good = std::fs::read(zipped_fixture(wd.root(), "nvivo")).unwrap();
    wd.write("cut.qdpx", &good[..good.len() - 40]);
    let err = wd.error(wd.command("import").arg("cut.qdpx"));
    assert!(err.contains("damaged or truncated"), "{err}");
}

#[test]
fn zip_slip_entries_are_never_written_or_read() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.path("work")).unwrap();
    let qde = r#"<Project name="x"><Users><User guid="00000000-0000-4000-8000-000000000001" name="a"/></Users>
        <Sources><TextSource guid="00000000-0000-4000-8000-000000000002" name="../../evil" plainTextPath="internal://../evil.txt"/>
        <TextSource guid="00000000-0000-4000-8000-000000000003" name="ok" plainTextPath="internal://ok.txt"/></Sources></Project>"#;
    zip_files(
        &wd.path("slip.qdpx"),
        &[
            (s("project.qde"), qde.as_bytes().to_vec()),
            (s("../evil.txt"), b"pwned".to_vec()),
            (s("sources/ok.txt"), b"fine".to_vec()),
        ],
    );
    let err = wd
        .run(wd.command("import").args(["slip.qdpx", "--texts", "work/texts"]))
        .stderr;
    assert!(
        err.contains("ignored 1 archive entry with an unsafe path") && err.contains("../evil.txt"),
        "{err}"
    );
    assert!(
        err.contains("sources whose text file is missing from the archive, not imported (1): ../../evil"),
        "{err}"
    );
    assert!(!wd.path("evil.txt").exists() && !wd.path("work/evil.txt").exists());
    assert_eq!(wd.read("work/texts/ok.txt"), "fine");
    assert_eq!(std::fs::read_dir(wd.path("work/texts")).unwrap().count(), 1);
}

#[test]
fn zip_bombs_are_refused() {
    let wd = Workdir::new();
    let mut qde = b"<Project name=\"x\">".to_vec();
    qde.extend(std::iter::repeat_n(b' ', 16 << 20));
    qde.extend(b"</Project>");
    zip_files(&wd.path("bomb.qdpx"), &[(s("project.qde"), qde)]);
    let err = wd.error(wd.command("import").arg("bomb.qdpx"));
    assert!(err.contains("which is how zip bombs work"), "{err}");
}

#[test]
fn broken_xml_is_located() {
    let wd = Workdir::new();
    let path = project_with(&wd, "<Project name=\"x\">\n<Users>\n</Sources>\n</Project>");
    let err = wd.error(wd.command("import").arg(path));
    assert!(
        err.contains("p.qdpx: project.qde:3: the XML is not well-formed"),
        "{err}"
    );
}

#[test]
fn entity_expansion_is_refused() {
    let wd = Workdir::new();
    let lol = "<?xml version=\"1.0\"?>\n<!DOCTYPE Project [\n<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n<Project name=\"&b;\"/>";
    let err = wd.error(wd.command("import").arg(project_with(&wd, lol)));
    assert!(err.contains("refuses to expand"), "{err}");
}

#[test]
fn a_project_without_project_xml() {
    let wd = Workdir::new();
    zip_files(&wd.path("p.qdpx"), &[(s("sources/a.txt"), b"hola".to_vec())]);
    let err = wd.error(wd.command("import").arg("p.qdpx"));
    assert!(
        err.contains("the archive holds no project file") && err.contains("sources/a.txt"),
        "{err}"
    );
    let err = wd.error(wd.command("import").arg(project_with(&wd, "<CodeBook/>")));
    assert!(
        err.contains("this is not a REFI-QDA project: the top element is <CodeBook>"),
        "{err}"
    );
}
