//! `qcode export`: REFI-QDA codebooks and projects that validate against
//! the schemas, stable GUIDs, positions in code points or UTF-16 units, and
//! the round trip export → import.

use std::path::PathBuf;

use crate::refi::{entries, entry, validate};
use crate::workdir::{Workdir, csv_maps, in_repo};

const BOOK: &str = r##"name: Estudio de prueba
version: "2"
codes:
  - name: dinero
    label: Dinero y deudas
    description: Cómo se pagó el viaje.
    include: Préstamos de familia.
    exclude: Sueldos.
    color: "#1f77b4"
    children:
      - name: prestamos
        keywords: ["préstamo*", prestamista]
      - name: viaje
        keywords: [bus, "coyote*"]
  - name: emocion
    patterns: ['[😀🙏]']
"##;

const ANA: &str = "---\ncountry: Honduras\nage: 34\ndate: 2021-03-14\nconsent: true\nid: \"007\"\n---\n\
Entrevistadora: ¿Cómo pagó el viaje?\n\n\
Ana: Yo no tenía dinero para el bus 🚌, ¿sabes?\n\n\
Ana: Mi tío pidió un préstamo al prestamista. 😀 Después pagamos al coyote.\n";

const JOE: &str = "P01: The coyote asked for money, and I took the bus.\n";

/// A Spanish interview with accents, emoji and typed attributes, and an
/// English one, in two subfolders.
const DOCS: &[(&str, &str)] = &[("cb.yaml", BOOK), ("docs/es/ana.md", ANA), ("docs/en/joe.txt", JOE)];

/// (document, code, start, end, coder, text) of coded CSV rows, sorted;
/// the code is reduced to its last part, since import writes the path.
fn codings(csv: &str) -> Vec<(String, String, usize, usize, String, String)> {
    let mut out: Vec<_> = csv_maps(csv)
        .into_iter()
        .map(|r| {
            let code = r["code"].rsplit('/').next().unwrap().to_string();
            let n = |k: &str| r[k].parse::<usize>().unwrap();
            (
                r["document"].clone(),
                code,
                n("start_char"),
                n("end_char"),
                r["coder"].clone(),
                r["text"].clone(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Exports `docs` with `cb.yaml` to `study.qdpx`: its path and the stderr.
fn export_project(wd: &Workdir, extra: &[&str]) -> (PathBuf, String) {
    let out = wd.run(
        wd.command("export")
            .args(["--qdpx", "study.qdpx", "docs", "--codebook", "cb.yaml"])
            .args(extra),
    );
    (wd.path("study.qdpx"), out.stderr)
}

/// The GUID qcode gives the source `es/ana.md`.
fn ana_guid() -> String {
    qcode::refi::guid("source", &["es/ana.md"])
}

#[test]
fn codebook_validates_with_hierarchy_notes_and_colours() {
    let wd = Workdir::with(DOCS);
    let stderr = wd
        .run(wd.command("export").args(["--qdc", "cb.qdc", "--codebook", "cb.yaml"]))
        .stderr;
    assert!(stderr.contains("wrote 4 codes of \"Estudio de prueba\""), "{stderr}");
    let xml = std::fs::read(wd.path("cb.qdc")).unwrap();
    validate(&xml, "Codebook-mrt2019.xsd");
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\""), "{xml}");
    // The parent has no rules: a folder in the other programs.
    assert!(
        xml.contains("name=\"dinero\" isCodable=\"false\" color=\"#1F77B4\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<Description>Label: Dinero y deudas\n\nCómo se pagó el viaje.\n\nInclude: Préstamos de familia.\n\nExclude: Sueldos.</Description>"),
        "{xml}"
    );
    // Children nest inside their parent; every code has a colour.
    let prestamos = xml.find("name=\"prestamos\"").unwrap();
    assert!(xml.find("name=\"dinero\"").unwrap() < prestamos && prestamos < xml.find("</Code>").unwrap());
    assert_eq!(xml.matches(" color=\"#").count(), 4, "{xml}");
}

#[test]
fn project_validates_and_holds_texts_users_and_variables() {
    let wd = Workdir::with(DOCS);
    let (out, _) = export_project(&wd, &[]);
    let qde = entry(&out, "project.qde");
    validate(&qde, "Project-mrt2019.xsd");
    let xml = String::from_utf8(qde).unwrap();
    assert!(xml.contains("<User guid=\""), "{xml}");
    assert!(xml.contains("name=\"qcode\""), "{xml}");
    assert!(xml.contains("origin=\"qcode "), "{xml}");
    // Attributes as typed variables; "007" is an identifier, not a number.
    for v in [
        "name=\"age\" typeOfVariable=\"Integer\"",
        "name=\"date\" typeOfVariable=\"Date\"",
        "name=\"consent\" typeOfVariable=\"Boolean\"",
        "name=\"country\" typeOfVariable=\"Text\"",
        "name=\"id\" typeOfVariable=\"Text\"",
    ] {
        assert!(xml.contains(v), "{v} in {xml}");
    }
    assert!(xml.contains("<IntegerValue>34</IntegerValue>"), "{xml}");
    // The codebook's hash and qcode's version are in the project memo.
    let sha = qcode::codebook::Codebook::load(&wd.path("cb.yaml")).unwrap().sha256;
    assert!(xml.contains(&format!("sha256 {sha}")), "{xml}");
    assert!(xml.contains(&format!("qcode {}", env!("CARGO_PKG_VERSION"))), "{xml}");
    // Every source's text is in sources/<guid>.txt: UTF-8, no BOM, the
    // document's text without its front matter.
    let names = entries(&out);
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        xml.contains(&format!("plainTextPath=\"internal://{}.txt\"", ana_guid())),
        "{xml}"
    );
    let text = entry(&out, &format!("sources/{}.txt", ana_guid()));
    assert!(
        text.starts_with("Entrevistadora: ¿Cómo".as_bytes()),
        "no BOM, no front matter"
    );
    // The selected text is the selection's name.
    assert!(
        xml.contains("name=\"Ana: Yo no tenía dinero para el bus 🚌, ¿sabes?\""),
        "{xml}"
    );
}

#[test]
fn exports_are_reproducible() {
    let wd = Workdir::with(DOCS);
    let (first, _) = export_project(&wd, &[]);
    validate(&entry(&first, "project.qde"), "Project-mrt2019.xsd");
    let first = std::fs::read(first).unwrap();
    let (second, _) = export_project(&wd, &[]);
    assert_eq!(first, std::fs::read(second).unwrap(), "same GUIDs, same bytes");
}

#[test]
fn positions_count_code_points_or_utf16_units() {
    let wd = Workdir::with(DOCS);
    let (out, stderr) = export_project(&wd, &[]);
    assert!(
        stderr.contains("characters above U+FFFF") && stderr.contains("--positions utf16"),
        "{stderr}"
    );
    assert!(stderr.contains("es/ana.md"), "{stderr}");
    let text = String::from_utf8(entry(&out, &format!("sources/{}.txt", ana_guid()))).unwrap();
    // The paragraph after 🚌 starts at the same code point in both texts;
    // in UTF-16 units it starts one later.
    let para = "Ana: Mi tío";
    let cp = text[..text.find(para).unwrap()].chars().count();
    assert_ne!(cp, text.find(para).unwrap(), "accents before it: bytes would be wrong");
    let selection = |xml: &str| {
        let at = xml.find(&format!("name=\"{para}")).unwrap();
        let start = &xml[at..][xml[at..].find("startPosition=\"").unwrap() + 15..];
        start[..start.find('"').unwrap()].parse::<usize>().unwrap()
    };
    assert_eq!(selection(&String::from_utf8(entry(&out, "project.qde")).unwrap()), cp);
    let (out, stderr) = export_project(&wd, &["--positions", "utf16"]);
    assert!(stderr.contains("positions are in UTF-16 units for NVivo"), "{stderr}");
    let qde = entry(&out, "project.qde");
    validate(&qde, "Project-mrt2019.xsd");
    assert_eq!(selection(&String::from_utf8(qde).unwrap()), cp + 1);
}

#[test]
fn round_trip_gives_back_the_codings() {
    let wd = Workdir::with(DOCS);
    let auto = wd.stdout(wd.command("code").args(["docs", "-c", "cb.yaml"]));
    let want = codings(&auto);
    assert!(
        want.iter().any(|c| c.5.contains("🚌")) && want.iter().any(|c| c.5.contains("préstamo")),
        "{want:?}"
    );
    for positions in ["codepoints", "utf16"] {
        let (out, _) = export_project(&wd, &["--positions", positions]);
        validate(&entry(&out, "project.qde"), "Project-mrt2019.xsd");
        let back = wd.run(wd.command("import").arg(&out));
        assert_eq!(codings(&back.stdout), want, "{positions}: {}", back.stderr);
        let ana = csv_maps(&back.stdout)
            .into_iter()
            .find(|r| r["document"] == "es/ana.md" && r["code"] == "dinero/prestamos")
            .unwrap();
        assert_eq!(
            (ana["country"].as_str(), ana["age"].as_str()),
            ("Honduras", "34"),
            "attributes come back as columns"
        );
    }
}

#[test]
fn coded_csvs_of_two_coders_round_trip() {
    let wd = Workdir::with(DOCS);
    // Spans of the hand coders, with accents before them and an emoji in
    // one; a code the codebook does not have; a row without positions.
    let text = ANA.split("---\n").nth(2).unwrap();
    let at = |s: &str| text[..text.find(s).unwrap()].chars().count();
    let span = |s: &str| (at(s), at(s) + s.chars().count());
    let (a0, a1) = span("dinero para el bus 🚌");
    let (b0, b1) = span("pidió un préstamo");
    let csv = format!(
        "document,code,coder,start_char,end_char,text\n\
         es/ana.md,viaje,Ana,{a0},{a1},dinero para el bus 🚌\n\
         es/ana.md,prestamos,Luis,{b0},{b1},pidió un préstamo\n\
         es/ana.md,dinero/familia,Luis,{b0},{b1},pidió un préstamo\n\
         en/joe.txt,viaje,Luis,0,0,\n"
    );
    wd.write("hand.csv", csv);
    let stderr = wd
        .run(wd.command("export").args([
            "--qdpx",
            "hand.qdpx",
            "docs",
            "--coded",
            "hand.csv",
            "--codebook",
            "cb.yaml",
        ]))
        .stderr;
    assert!(
        stderr.contains("codes not in the codebook, added to the project's codebook: dinero/familia"),
        "{stderr}"
    );
    assert!(stderr.contains("1 coding(s) have no character positions"), "{stderr}");
    let qde = entry(&wd.path("hand.qdpx"), "project.qde");
    validate(&qde, "Project-mrt2019.xsd");
    let xml = String::from_utf8(qde).unwrap();
    assert_eq!(xml.matches("<User ").count(), 2, "one user per coder: {xml}");
    assert!(xml.contains("name=\"familia\" isCodable=\"true\""), "{xml}");
    let back = wd.stdout(wd.command("import").arg("hand.qdpx"));
    let got: Vec<(String, String, String, String)> = csv_maps(&back)
        .into_iter()
        .map(|r| {
            (
                r["document"].clone(),
                r["code"].clone(),
                r["coder"].clone(),
                r["text"].clone(),
            )
        })
        .collect();
    let s = |v: &str| v.to_string();
    assert_eq!(
        got,
        [
            (s("en/joe.txt"), s("dinero/viaje"), s("Luis"), s(JOE)),
            (s("es/ana.md"), s("dinero/viaje"), s("Ana"), s("dinero para el bus 🚌")),
            (s("es/ana.md"), s("dinero/familia"), s("Luis"), s("pidió un préstamo")),
            (s("es/ana.md"), s("dinero/prestamos"), s("Luis"), s("pidió un préstamo")),
        ]
    );
    let r = &csv_maps(&back)[1];
    assert_eq!(
        (r["start_char"].as_str(), r["end_char"].as_str()),
        (a0.to_string().as_str(), a1.to_string().as_str())
    );
}

/// The error of exporting `hand.csv` to `x.qdpx`, with or without the
/// transcripts in `docs`.
fn export_hand_coded_error(wd: &Workdir, with_transcripts: bool) -> String {
    let mut cmd = wd.command("export");
    cmd.args(["--qdpx", "x.qdpx"]);
    if with_transcripts {
        cmd.arg("docs");
    }
    wd.error(cmd.args(["--coded", "hand.csv"]))
}

#[test]
fn coded_documents_must_be_among_the_inputs() {
    let wd = Workdir::with(DOCS);
    wd.write(
        "hand.csv",
        "document,code,coder,start_char,end_char\nes/ana.md,viaje,Ana,0,3\nes/maria.md,viaje,Ana,0,3\n",
    );
    let err = export_hand_coded_error(&wd, true);
    assert!(
        err.contains("1 document(s) that are not among the transcripts: es/maria.md"),
        "{err}"
    );
    assert!(!wd.path("x.qdpx").exists(), "nothing is written on error");
    let err = export_hand_coded_error(&wd, false);
    assert!(err.contains("--coded needs the transcripts"), "{err}");
}

#[test]
fn offsets_past_the_text_are_an_error() {
    let wd = Workdir::with(DOCS);
    wd.write(
        "hand.csv",
        "document,code,coder,start_char,end_char\nen/joe.txt,viaje,Ana,10,999\n",
    );
    let err = export_hand_coded_error(&wd, true);
    assert!(
        err.contains("en/joe.txt: the coding of `viaje` by Ana spans characters 10–999"),
        "{err}"
    );
}

#[test]
fn option_mistakes_are_explained() {
    let wd = Workdir::with(DOCS);
    let err = wd.error(wd.command("export").args(["--qdc", "x.qdc", "docs", "-c", "cb.yaml"]));
    assert!(err.contains("--qdc writes the codebook only"), "{err}");
    let err = wd.error(wd.command("export").args(["--qdc", "x.qdc"]));
    assert!(err.contains("--qdc needs the codebook"), "{err}");
    let err = wd.error(wd.command("export").args(["--qdpx", "x.qdpx", "docs"]));
    assert!(err.contains("no codebook was given"), "{err}");
}

#[test]
fn samples_export_validate_and_round_trip() {
    let wd = Workdir::new();
    let transcripts = in_repo("samples/transcripts");
    let codebook = in_repo("codebooks/smuggling.yaml");
    wd.run(
        wd.command("export")
            .args(["--qdpx", "samples.qdpx"])
            .arg(&transcripts)
            .arg("--codebook")
            .arg(&codebook),
    );
    validate(&entry(&wd.path("samples.qdpx"), "project.qde"), "Project-mrt2019.xsd");
    let auto = wd.stdout(wd.command("code").arg(&transcripts).arg("--codebook").arg(&codebook));
    let back = wd.stdout(wd.command("import").arg("samples.qdpx"));
    assert_eq!(codings(&back), codings(&auto));
    wd.run(
        wd.command("export")
            .args(["--qdc", "smuggling.qdc", "--codebook"])
            .arg(&codebook),
    );
    validate(
        &std::fs::read(wd.path("smuggling.qdc")).unwrap(),
        "Codebook-mrt2019.xsd",
    );
}
