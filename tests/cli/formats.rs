//! Input formats: each reader on the sample files (exact paragraphs, cues,
//! speakers, times), every decoding path, positions into the decoded text,
//! and bad files giving clear errors that name the file.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use qcode::corpus::{Document, ReadOptions, SpeakerSource, discover, encoding, read_source};
use qcode::segment::{self, Unit};
use qcode::speakers::SpeakerRule;

use crate::programs::require_program;
use crate::workdir::{Workdir, csv_records, fixture, in_repo};

/// The documents of one input, read with `options`.
fn read_with(path: &Path, options: &ReadOptions) -> Vec<Document> {
    let (sources, _) = discover(&[path.to_path_buf()], options).expect("discovered");
    sources
        .iter()
        .flat_map(|s| read_source(s, options).expect("read"))
        .collect()
}

/// The one document of the file `rel` of the repository.
fn read_one(rel: &str) -> Document {
    let mut docs = read_with(&in_repo(rel), &ReadOptions::default());
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn paragraphs(doc: &Document) -> Vec<&str> {
    doc.text.split("\n\n").collect()
}

/// Segments of a document as the pipeline makes them (its own labels or the
/// default rule, cue times applied).
fn segments(doc: &Document, unit: Unit) -> Vec<segment::Segment> {
    segment::segment_document(doc, unit, &SpeakerRule::default()).1
}

/// Terms in both languages, accents matched exactly (`préstamo`), so that a
/// decoding mistake shows as a missed code.
const CODEBOOK: &str = r#"name: Formats test
accents: exact
codes:
  - name: prices
    keywords: ["coyote*", pesos, dollars, quetzales]
  - name: debt
    keywords: ["hipotec*", mortgage, loan, prestamista, préstamo]
  - name: covid
    keywords: [pandemic, pandemia, cuarentena, lockdown, covid]
"#;

/// A workdir holding the codebook above as `codebook.yaml`.
fn with_codebook() -> Workdir {
    Workdir::with(&[("codebook.yaml", CODEBOOK)])
}

/// `qcode code INPUT -c codebook.yaml`.
fn code(wd: &Workdir, input: impl AsRef<OsStr>) -> Command {
    let mut cmd = wd.command("code");
    cmd.arg(input).args(["-c", "codebook.yaml"]);
    cmd
}

// ---------------------------------------------------------------------------
// Word and OpenDocument

#[test]
fn docx_paragraphs_leave_out_deletions_comments_notes_and_fields() {
    let doc = read_one("samples/transcripts/entrevista_comedor_tapachula.docx");
    assert_eq!(
        paragraphs(&doc),
        [
            "Entrevista en el comedor comunitario, Tapachula",
            "9 de octubre de 2020 — Tapachula, Chiapas",
            "Duración\t45 minutos",
            "Consentimiento oral grabado",
            "Nombres cambiados",
            "Entrevistadora: ¿Cómo llegó usted a Tapachula?",
            "Migrante: Crucé el río Suchiate en una balsa, pagué cincuenta pesos. Era abril de 2020 y decían que la frontera estaba cerrada, pero las balsas seguían.",
            "Entrevistadora: ¿Y después?",
            "Migrante: Un señor nos ofreció llevarnos hasta Oaxaca por cuatro mil pesos cada uno.\nMi hijo tiene nueve años y caminamos de noche por veredas & caminos de terracería.",
            "Migrante: Con la cuarentena cerraron el albergue y dormimos en la calle.",
            "Gasto",
            "Monto",
            "Balsa",
            "50 pesos",
            "Guía a Oaxaca",
            "4,000 pesos",
            "Entrevistadora: Gracias.",
        ]
    );
    // deleted tracked changes, comments, footnotes and field codes stay out
    for absent in ["veinte", "Verificar", "reabrió", "DATE"] {
        assert!(!doc.text.contains(absent), "{absent}");
    }
    let turns = segments(&doc, Unit::Turn);
    let speakers: Vec<_> = turns.iter().map(|s| s.speaker.as_deref()).collect();
    // The five paragraphs above the interview and the table's cells are
    // spoken by nobody, each its own turn; the migrant's two paragraphs
    // are one turn.
    let mut want = vec![None; 5];
    want.extend([
        Some("Entrevistadora"),
        Some("Migrante"),
        Some("Entrevistadora"),
        Some("Migrante"),
    ]);
    want.extend([None; 6]);
    want.push(Some("Entrevistadora"));
    assert_eq!(speakers, want);
    assert!(doc.speakers == SpeakerSource::Text && doc.cues.is_empty() && doc.warnings.is_empty());
}

#[test]
fn odt_paragraphs_leave_out_deletions_comments_and_notes() {
    let doc = read_one("samples/transcripts/notas_campo_suchiate.odt");
    assert_eq!(
        paragraphs(&doc),
        [
            "Notas de campo, río Suchiate",
            "Ciudad Hidalgo, 22 de junio de 2020.",
            "Hora\t11:40",
            "Las balsas siguen cruzando a pesar del cierre sanitario. Cobran 25 pesos por persona y 50 con carga.",
            "Niños de 12 a 15 años guían a grupos por veredas hacia la carretera.",
            "Los agentes del INM revisan solo en el puente.",
            "Un balsero dice que en abril no hubo trabajo.\nAhora llevan huevo, refrescos, papel y jabón.",
            "El albergue está cerrado desde marzo; las familias duermen en el parque.",
            "Lugar",
            "Precio",
            "Balsa",
            "25 pesos",
            "Guía: Aquí nadie pregunta por papeles.",
        ]
    );
    for absent in ["borrado", "Preguntar", "tres balseros", "ftn1"] {
        assert!(!doc.text.contains(absent), "{absent}");
    }
    // `Guía:` opens one paragraph of field notes: a quotation, not a
    // speaker, unless a preset says every `Name:` is one.
    let last = segments(&doc, Unit::Paragraph).pop().unwrap();
    assert_eq!(last.speaker, None);
    let colon = SpeakerRule::Preset(qcode::speakers::Preset::Colon);
    let last = segment::segment_document(&doc, Unit::Paragraph, &colon)
        .1
        .pop()
        .unwrap();
    assert_eq!(last.speaker.as_deref(), Some("Guía"));
}

// ---------------------------------------------------------------------------
// Subtitles

#[test]
fn vtt_sample_cues_speakers_and_times() {
    let doc = read_one("samples/transcripts/zoom_call_guatemala_lender.vtt");
    let paras = paragraphs(&doc);
    assert_eq!(paras.len(), 11);
    assert_eq!(
        paras[..5],
        [
            "Interviewer: Thank you for joining. Can you tell me\nhow people pay for the journey north?",
            "Lender: Most families cannot pay the coyote in cash.\nThey come to me and ask for a loan.",
            "Before the pandemic the price to Houston was about twelve thousand dollars. Now it is fifteen, sometimes more.",
            "Interviewer: What do they leave as a guarantee?",
            "Lender: The title of the land, the house. It is a mortgage, but we write it as a sale with a promise to sell it back.",
        ]
    );
    assert_eq!(
        paras[10],
        "Lender: When the person is a minor travelling alone, yes. The risk is too high & the families suffer."
    );
    let cues: Vec<(&str, &str)> = doc
        .cues
        .iter()
        .map(|c| (c.start_time.as_str(), c.end_time.as_str()))
        .collect();
    assert_eq!(cues.len(), 11);
    assert_eq!(cues[0], ("00:00:02.000", "00:00:07.500"));
    assert_eq!(cues[1], ("00:00:08.100", "00:00:14.250"));
    assert_eq!(cues[10], ("00:01:02.400", "00:01:09.000"));
    let SpeakerSource::Given(given) = &doc.speakers else {
        panic!("subtitles give their speakers")
    };
    let labels = &given.labels;
    let names: Vec<&str> = labels.iter().map(|l| &*l.speaker).collect();
    assert_eq!(
        names,
        [
            "Interviewer",
            "Lender",
            "Interviewer",
            "Lender",
            "Interviewer",
            "Lender",
            "Interviewer",
            "Lender"
        ]
    );
    for l in labels {
        assert_eq!(&doc.text[l.start..l.end], format!("{}: ", l.speaker));
    }

    // a paragraph is a cue
    let cue_segs = segments(&doc, Unit::Paragraph);
    assert_eq!(cue_segs.len(), 11);
    assert_eq!(cue_segs[2].speaker.as_deref(), Some("Lender"));
    assert_eq!(cue_segs[2].start_time.as_deref(), Some("00:00:14.250"));
    assert_eq!(cue_segs[2].end_time.as_deref(), Some("00:00:21.000"));

    // a turn merges consecutive cues of one speaker
    let turns = segments(&doc, Unit::Turn);
    let spans: Vec<(&str, &str, &str)> = turns
        .iter()
        .map(|t| {
            (
                t.speaker.as_deref().unwrap(),
                t.start_time.as_deref().unwrap(),
                t.end_time.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("Interviewer", "00:00:02.000", "00:00:07.500"),
            ("Lender", "00:00:08.100", "00:00:21.000"),
            ("Interviewer", "00:00:21.600", "00:00:25.000"),
            ("Lender", "00:00:25.400", "00:00:39.700"),
            ("Interviewer", "00:00:40.200", "00:00:45.000"),
            ("Lender", "00:00:45.300", "00:00:58.000"),
            ("Interviewer", "00:00:58.500", "00:01:02.000"),
            ("Lender", "00:01:02.400", "00:01:09.000"),
        ]
    );
    // a sentence takes the times of its cue
    let sentences = segments(&doc, Unit::Sentence);
    let s = sentences
        .iter()
        .find(|s| doc.text[s.start..s.end].starts_with("Now it is fifteen"))
        .unwrap();
    assert_eq!(
        (s.start_time.as_deref(), s.end_time.as_deref()),
        (Some("00:00:14.250"), Some("00:00:21.000"))
    );
}

#[test]
fn srt_name_prefixes_are_speakers_and_carry_over_unlabelled_cues() {
    let doc = read_one("samples/transcripts/focus_group_border_residents.srt");
    let segs = segments(&doc, Unit::Paragraph);
    let rows: Vec<(Option<&str>, &str, &str)> = segs
        .iter()
        .map(|s| {
            (
                s.speaker.as_deref(),
                s.start_time.as_deref().unwrap(),
                s.end_time.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (Some("Moderator"), "00:00:05.000", "00:00:09.000"),
            (Some("Resident 1"), "00:00:09.500", "00:00:15.200"),
            (Some("Resident 1"), "00:00:15.200", "00:00:19.800"),
            (Some("Resident 2"), "00:00:20.100", "00:00:27.400"),
            (Some("Moderator"), "00:00:27.600", "00:00:33.000"),
            (Some("Resident 2"), "00:00:33.200", "00:00:40.500"),
            (Some("Resident 1"), "00:00:41.000", "00:00:48.300"),
            (Some("Resident 3"), "00:00:48.500", "00:00:55.000"),
        ]
    );
    // a cue's lines stay lines, and segments know the lines of the file
    assert_eq!(
        paragraphs(&doc)[3],
        "Resident 2: My nephew is fourteen. He guides people\nalong the paths behind the cemetery to avoid the checkpoints."
    );
    assert_eq!((segs[3].start_line, segs[3].end_line), (17, 18));
    // the second cue of Resident 1 carries no label: same speaker
    assert_eq!(
        paragraphs(&doc)[2],
        "The rafters said there was no work in Tapachula, so they stayed on the river."
    );
}

#[test]
fn voice_names_of_any_case_and_missing_header() {
    let wd = Workdir::with(&[(
        "call.vtt",
        "00:01.000 --> 00:04.000\n<v.loud maría josé>¿Cuánto cobró el pollero?\n\n\
         00:04.500 --> 00:06.000\n<v maría josé>Mil dólares.\n\n\
         00:06.000 --> 00:09,250\nR2: La pandemia cerró todo.\n",
    )]);
    let doc = read_with(&wd.path("call.vtt"), &ReadOptions::default()).remove(0);
    assert_eq!(
        doc.text,
        "maría josé: ¿Cuánto cobró el pollero?\n\nMil dólares.\n\nR2: La pandemia cerró todo."
    );
    let turns = segments(&doc, Unit::Turn);
    assert_eq!(turns.len(), 2);
    assert_eq!(turns[0].speaker.as_deref(), Some("maría josé"));
    assert_eq!(turns[0].end_time.as_deref(), Some("00:00:06.000"));
    assert_eq!(turns[1].end_time.as_deref(), Some("00:00:09.250"));
}

#[test]
fn bad_cue_timing_is_located() {
    let wd = with_codebook();
    wd.write(
        "bad.srt",
        "1\n00:00:01,000 --> 00:00:04,000\nhola\n\n2\n00:00:05,000 --> soon\nadiós\n",
    );
    let e = wd.error(&mut code(&wd, "bad.srt"));
    assert!(
        e.contains("bad.srt:6: `00:00:05,000 --> soon` is not a cue timing"),
        "{e}"
    );
    wd.write("empty.vtt", "WEBVTT\n\nNOTE nothing here\n");
    let e = wd.error(&mut code(&wd, "empty.vtt"));
    assert!(e.contains("empty.vtt: no subtitle cues were found"), "{e}");
}

#[test]
fn timestamps_in_coded_csv_and_time_filters() {
    let wd = with_codebook();
    let vtt = in_repo("samples/transcripts/zoom_call_guatemala_lender.vtt");
    let out = wd.stdout(code(&wd, &vtt).args(["--unit", "turn"]));
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let turn2 = rows
        .iter()
        .find(|r| &r[col("segment")] == "2" && &r[col("code")] == "prices")
        .unwrap();
    assert_eq!(
        (&turn2[col("start_time")], &turn2[col("end_time")]),
        ("00:00:08.100", "00:00:21.000")
    );
    assert_eq!(&turn2[col("speaker")], "Lender");

    // --from/--to keep segments that start in [from, to)
    let out = wd.stdout(code(&wd, &vtt).args(["--from", "00:00:20", "--to", "0:45"]));
    let starts: Vec<String> = csv_records(&out)
        .iter()
        .map(|r| r[col("start_time")].to_string())
        .collect();
    assert!(!starts.is_empty());
    for s in &starts {
        let ms = qcode::time::parse_time(s).unwrap();
        assert!((20_000..45_000).contains(&ms), "{s}");
    }

    let e = wd.error(code(&wd, &vtt).args(["--from", "soon"]));
    assert!(e.contains("`--from soon` is not a time"), "{e}");
    let e = wd.error(code(&wd, &vtt).args(["--from", "1:00", "--to", "0:30"]));
    assert!(e.contains("is not before"), "{e}");

    // text without times: a warning, not silence
    let out = wd.run(code(&wd, in_repo("samples/transcripts/entrevista_utf16.txt")).args(["--from", "0:10"]));
    assert!(
        out.stderr.contains("entrevista_utf16.txt: no passage has a time"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------
// Encodings

fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    let bom: &[u8] = if big_endian { b"\xFE\xFF" } else { b"\xFF\xFE" };
    let units = s
        .encode_utf16()
        .flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    bom.iter().copied().chain(units).collect()
}

#[test]
fn utf16_sample_with_bom_is_read_without_warnings() {
    let doc = read_one("samples/transcripts/entrevista_utf16.txt");
    assert!(
        doc.text
            .starts_with("Entrevista telefónica con un guía de Huehuetenango, enero de 2021.\n\nEntrevistadora:")
    );
    assert!(!doc.text.contains('\r') && !doc.text.contains('\u{feff}'));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    // the guide answers three times, the first time in two paragraphs
    let speakers: Vec<_> = segments(&doc, Unit::Paragraph)
        .iter()
        .map(|s| s.speaker.clone())
        .collect();
    assert_eq!(speakers.iter().filter(|s| s.as_deref() == Some("Guía")).count(), 3);
    let speakers: Vec<_> = segments(&doc, Unit::Turn).iter().map(|s| s.speaker.clone()).collect();
    assert_eq!(speakers.iter().filter(|s| s.as_deref() == Some("Guía")).count(), 2);
}

#[test]
fn windows_1252_sample_is_detected_and_reported() {
    let doc = read_one("samples/transcripts/entrevista_antigua_windows1252.txt");
    assert!(doc.text.contains("Le dijeron “viaje seguro”, con tres intentos."));
    assert!(doc.text.contains("Doña Marta: Sí, señor."));
    assert_eq!(doc.warnings.len(), 1);
    assert!(doc.warnings[0].contains("entrevista_antigua_windows1252.txt: not UTF-8; read as windows-1252"));
    // the binary reports it on stderr and codes the text
    let wd = with_codebook();
    let out = wd.run(&mut code(
        &wd,
        in_repo("samples/transcripts/entrevista_antigua_windows1252.txt"),
    ));
    assert!(
        out.stderr.contains("qcode: warning:") && out.stderr.contains("windows-1252 (a guess)"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("Hipotecamos; prestamista"));
}

#[test]
fn every_decoding_path_gives_the_same_text() {
    let text = "P01: Pagué al coyote en la pandemia.\r\n";
    let wd = Workdir::new();
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("utf8.txt", text.as_bytes().to_vec(), None),
        (
            "utf8_bom.txt",
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            None,
        ),
        ("utf16le_bom.txt", utf16(text, false), None),
        ("utf16be_bom.txt", utf16(text, true), None),
        (
            "utf16le_no_bom.txt",
            utf16(text, false)[2..].to_vec(),
            Some("UTF-16LE (recognised without a byte-order mark)"),
        ),
        (
            "latin.txt",
            encoding_rs::WINDOWS_1252.encode(text).0.into_owned(),
            Some("windows-1252 (a guess)"),
        ),
    ];
    for (name, bytes, note) in cases {
        let path = wd.write(name, &bytes);
        let decoded = encoding::decode(&path, &bytes, None).unwrap();
        assert_eq!(
            qcode::text::normalize(&decoded.text),
            "P01: Pagué al coyote en la pandemia.\n",
            "{name}"
        );
        match note {
            None => assert!(decoded.note.is_none(), "{name}: {:?}", decoded.note),
            Some(n) => assert!(
                decoded.note.as_deref().unwrap().contains(n),
                "{name}: {:?}",
                decoded.note
            ),
        }
    }
}

#[test]
fn an_encoding_override_wins_except_over_a_byte_order_mark() {
    let wd = with_codebook();
    let file = in_repo("samples/transcripts/entrevista_antigua_windows1252.txt");
    // the right override: no guess, no warning
    let out = wd.run(code(&wd, &file).args(["--encoding", "windows-1252"]));
    assert!(!out.stderr.contains("warning"));
    // a wrong single-byte override decodes differently: the user's word wins
    let bytes = std::fs::read(&file).unwrap();
    let mac = encoding::decode(&file, &bytes, Some(encoding::parse_label("macintosh").unwrap())).unwrap();
    assert!(!mac.text.contains("señor") && mac.note.is_none());
    // an override that cannot fit the bytes decodes, but says so
    let out = wd.run(code(&wd, &file).args(["--encoding", "utf-16be"]));
    assert!(
        out.stderr.contains("read as UTF-16BE because of --encoding"),
        "{}",
        out.stderr
    );
    // a BOM still decides over the override
    let wide = std::fs::read(in_repo("samples/transcripts/entrevista_utf16.txt")).unwrap();
    let d = encoding::decode(Path::new("x"), &wide, Some(encoding_rs::WINDOWS_1252)).unwrap();
    assert!(d.text.contains("telefónica"));
    // undecodable with the override: the byte offset and line
    let e = wd.error(code(&wd, &file).args(["--encoding", "utf-8"]));
    assert!(
        e.contains("entrevista_antigua_windows1252.txt: the file is not valid UTF-8 text: byte offset 74 (line 2) holds the byte 0xF3"),
        "{e}"
    );
    let e = wd.error(code(&wd, &file).args(["--encoding", "klingon"]));
    assert!(
        e.contains("unknown encoding `klingon`") && e.contains("windows-1252, iso-8859-1"),
        "{e}"
    );
    let odd = utf16("abc", false)[2..]
        .iter()
        .copied()
        .chain([b'x'])
        .collect::<Vec<u8>>();
    let e = encoding::decode(Path::new("odd.txt"), &odd, Some(encoding_rs::UTF_16LE)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("odd.txt: the file is not valid UTF-16LE text: byte offset 6"),
        "{e}"
    );
}

#[test]
fn csv_in_a_legacy_encoding_is_decoded() {
    let wd = Workdir::new();
    let csv = "id,respuesta\nA1,\"Pagué al coyote; mi papá hipotecó el terreno\"\n";
    let path = wd.write("answers.csv", encoding_rs::WINDOWS_1252.encode(csv).0);
    let options = ReadOptions {
        text_cols: vec!["respuesta".into()],
        id_col: Some("id".into()),
        ..ReadOptions::default()
    };
    let docs = read_with(&path, &options);
    assert_eq!(docs[0].text, "Pagué al coyote; mi papá hipotecó el terreno");
    assert!(docs[0].warnings[0].contains("windows-1252"));
}

#[test]
fn nfd_input_matches_an_nfc_keyword() {
    let wd = with_codebook();
    // "préstamo" and "Pagué" with combining accents, as macOS writes them
    let nfd = "P01: Pague\u{301} con un pre\u{301}stamo.\n";
    wd.write("docs/nfd.txt", nfd);
    wd.write("docs/nfd.vtt", format!("WEBVTT\n\n00:00.000 --> 00:02.000\n{nfd}"));
    let out = wd.stdout(code(&wd, "docs").args(["--format", "csv"]));
    let rows = csv_records(&out);
    assert_eq!(rows.len(), 2, "{out}");
    for r in &rows {
        assert_eq!(&r[8], "debt");
        assert_eq!(&r[13], "P01: Pagué con un préstamo.");
        // offsets count the characters of the NFC text
        assert_eq!((&r[5], &r[6]), ("0", "27"));
    }
}

// ---------------------------------------------------------------------------
// Offsets into the decoded text, end to end

#[test]
fn offsets_point_into_the_text_as_read() {
    let wd = with_codebook();
    for unit in ["paragraph", "turn", "sentence", "line"] {
        let out = wd.stdout(code(&wd, in_repo("samples/transcripts")).args(["--unit", unit, "--format", "csv"]));
        let docs = read_with(&in_repo("samples/transcripts"), &ReadOptions::default());
        let mut checked = std::collections::BTreeSet::new();
        for row in csv_records(&out) {
            let doc = docs.iter().find(|d| d.id == row[0]).unwrap();
            let (start, end): (usize, usize) = (row[5].parse().unwrap(), row[6].parse().unwrap());
            let between: String = doc.text.chars().skip(start).take(end - start).collect();
            assert_eq!(between, &row[13], "{} {unit}", &row[0]);
            let lines: usize = row[3].parse().unwrap();
            let before: String = doc.text.chars().take(start).collect();
            let newlines = before.matches('\n').count();
            // Subtitle segments are on the lines of the file their cue is on.
            let at = before.len();
            let want = match doc.cues.iter().find(|c| c.start <= at && at < c.end) {
                Some(cue) => cue.lines[doc.text[cue.start..at].matches('\n').count()],
                None => doc.first_line + newlines,
            };
            assert_eq!(lines, want, "{} {unit}", &row[0]);
            checked.insert(row[0].to_string());
        }
        for name in [
            "entrevista_comedor_tapachula.docx",
            "notas_campo_suchiate.odt",
            "zoom_call_guatemala_lender.vtt",
            "focus_group_border_residents.srt",
            "entrevista_antigua_windows1252.txt",
            "entrevista_utf16.txt",
        ] {
            assert!(checked.contains(name), "{name} coded with unit {unit}");
        }
    }
}

// ---------------------------------------------------------------------------
// Spreadsheets

#[test]
fn xlsx_rows_become_documents() {
    let options = ReadOptions {
        text_cols: vec!["respuesta".into()],
        id_col: Some("id".into()),
        ..ReadOptions::default()
    };
    let docs = read_with(&in_repo("tests/fixtures/formats/answers.xlsx"), &options);
    type Row<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);
    let summary: Vec<Row> = docs
        .iter()
        .map(|d| {
            (
                d.id.as_str(),
                d.text.as_str(),
                d.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "R1",
                "Pagamos al coyote ocho mil dólares.",
                vec![("pais", "Honduras"), ("edad", "34"), ("fecha", "2021-03-14")]
            ),
            (
                "R2",
                "Hipotecamos el terreno.",
                vec![
                    ("pais", "Guatemala"),
                    ("edad", "27.5"),
                    ("fecha", "2021-03-15 09:30:00")
                ]
            ),
        ]
    );
}

#[test]
fn xlsx_sample_mirrors_the_csv() {
    let options = ReadOptions {
        text_cols: vec!["answer".into()],
        id_col: Some("respondent".into()),
        ..ReadOptions::default()
    };
    let from_csv = read_with(&in_repo("samples/survey/open_answers.csv"), &options);
    let from_xlsx = read_with(&in_repo("samples/survey/open_answers.xlsx"), &options);
    assert_eq!(from_csv.len(), 25);
    let key = |d: &Document| (d.id.clone(), d.text.clone(), d.attributes.clone());
    assert_eq!(
        from_csv.iter().map(key).collect::<Vec<_>>(),
        from_xlsx.iter().map(key).collect::<Vec<_>>()
    );
    // the sheet can be chosen
    let about = ReadOptions {
        sheet: Some("about".into()),
        text_cols: vec!["survey".into()],
        ..ReadOptions::default()
    };
    let docs = read_with(&in_repo("samples/survey/open_answers.xlsx"), &about);
    assert_eq!(docs[0].text, "respondents");
    assert_eq!(docs[0].id, "open_answers.xlsx#1");
}

#[test]
fn xlsx_errors_name_the_file_and_sheet() {
    let wd = with_codebook();
    let xlsx = fixture("formats/answers.xlsx");
    let e = wd.error(code(&wd, &xlsx).args(["--text-col", "answer"]));
    assert!(
        e.contains("tests/fixtures/formats/answers.xlsx (sheet Hoja1): there is no column `answer`"),
        "{e}"
    );
    assert!(e.contains("id, pais, edad, fecha, respuesta"), "{e}");
    let e = wd.error(code(&wd, &xlsx).args(["--text-col", "respuesta", "--sheet", "hoja1"]));
    assert!(
        e.contains("there is no sheet `hoja1`") && e.contains("did you mean `Hoja1`?"),
        "{e}"
    );
    let e = wd.error(code(&wd, &xlsx).args(["--text-col", "respuesta", "--sheet", "Vacía"]));
    assert!(e.contains("answers.xlsx (sheet Vacía): the sheet is empty"), "{e}");
    let e = wd.error(&mut code(&wd, &xlsx));
    assert!(e.contains("only when its text column is named"), "{e}");
    assert!(e.contains("--text-col COLUMN"), "{e}");
}

/// A project folder holds coded CSVs and attribute files beside the
/// transcripts: they are skipped, each named for what it is, unless a text
/// column says the folder's tables are documents.
#[test]
fn tables_in_a_folder_are_skipped_and_recognised_without_text_col() {
    let wd = Workdir::with(&[("cb.yaml", crate::CODEBOOK)]);
    wd.write("project/interview.txt", "P1: The coyote asked for more.\n");
    wd.write("project/attributes.csv", "document,country\ninterview.txt,Mexico\n");
    wd.write(
        "project/ana.csv",
        "document,segment,code,coder\ninterview.txt,1,prices,ana\n",
    );
    wd.write("project/answers.csv", "id,answer\n1,We paid the coyote.\n");
    let out = wd.run(wd.command("freq").args(["project", "-c", "cb.yaml", "--format", "csv"]));
    for what in [
        "attributes.csv (an attributes file: give it with --attributes)",
        "ana.csv (a coded CSV: give it with --coded)",
        "answers.csv (a table of answers: name the column holding the answers with --text-col COLUMN)",
    ] {
        assert!(out.stderr.contains(what), "{}", out.stderr);
    }
    assert!(
        out.stdout.contains("\nprices,,Prices and payment,1,1,100.0,1\n"),
        "{}",
        out.stdout
    );
    // Named directly, a coded CSV says how to give it.
    let e = wd.error(wd.command("freq").args(["project/ana.csv", "-c", "cb.yaml"]));
    assert!(
        e.contains("looks like a coded CSV") && e.contains("give it with --coded"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------
// PDF

#[test]
fn pdf_text_is_read_through_pdftotext() {
    if !require_program("pdftotext", "apt-get install poppler-utils") {
        return;
    }
    let doc = read_one("tests/fixtures/formats/text_layer.pdf");
    assert!(
        doc.text.starts_with("P01: We paid the coyote.\nSecond paragraph."),
        "{:?}",
        doc.text
    );
}

#[test]
fn pdf_without_pdftotext_says_how_to_install_it() {
    let wd = with_codebook();
    let e = wd.error(code(&wd, fixture("formats/text_layer.pdf")).env("QCODE_PDFTOTEXT", "/nonexistent/pdftotext"));
    assert!(
        e.contains("text_layer.pdf: reading PDF files needs the program `pdftotext`, which is not installed"),
        "{e}"
    );
    assert!(e.contains("poppler-utils"), "{e}");
}

// ---------------------------------------------------------------------------
// Bad files

#[test]
fn broken_documents_give_clear_errors() {
    let wd = with_codebook();
    let cases = [
        (
            "truncated.docx",
            "the file is not a Word document (.docx) that qcode can read: the archive is damaged or truncated",
        ),
        (
            "really_text.docx",
            "the file is not a Word document (.docx): it is not a zip archive",
        ),
        (
            "zip_bomb.docx",
            "the entry `word/document.xml` unpacks to more than 200 times its packed size, as zip bombs do",
        ),
    ];
    for (file, message) in cases {
        let e = wd.error(&mut code(&wd, fixture("formats").join(file)));
        assert!(e.contains(&format!("{file}: {message}")), "{e}");
    }
    // an .odt that is a .docx inside
    let docx = std::fs::read(in_repo("samples/transcripts/entrevista_comedor_tapachula.docx")).unwrap();
    wd.write("wrong.odt", docx);
    let e = wd.error(&mut code(&wd, "wrong.odt"));
    assert!(
        e.contains("wrong.odt: the file is not an OpenDocument text (.odt): it has no `content.xml` inside"),
        "{e}"
    );
}

#[test]
fn unknown_and_binary_files_are_skipped_or_refused() {
    let wd = with_codebook();
    wd.write("docs/a.txt", "P01: Pagué al coyote.\n");
    wd.write("docs/photo.jpg", "not really a photo");
    wd.write("docs/notes.rtf", "{\\rtf1}");
    wd.write("docs/scan.txt", b"PK\x03\x04\x14\x00\x00\x00binary");
    let out = wd.run(&mut code(&wd, "docs"));
    assert!(
        out.stderr
            .contains("skipped 2 file(s) of a type qcode does not read: notes.rtf, photo.jpg"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("skipped 1 file(s) that hold binary data, not text: scan.txt"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("a.txt"));

    let e = wd.error(code(&wd, "docs").arg("--strict"));
    assert!(
        e.contains("--strict: skipped 2 file(s)") && e.contains("scan.txt"),
        "{e}"
    );
    let e = wd.error(&mut code(&wd, "docs/scan.txt"));
    assert!(e.contains("scan.txt: the file holds binary data, not text"), "{e}");
    let e = wd.error(&mut code(&wd, "docs/photo.jpg"));
    assert!(e.contains("photo.jpg: qcode cannot read files of this type"), "{e}");
}

/// Following the warning's advice on a folder must not damage the files
/// that are UTF-8 already: `--encoding` applies to the others.
#[test]
fn a_forced_encoding_leaves_utf8_files_alone() {
    let wd = Workdir::with(&[("cb.yaml", crate::CODEBOOK)]);
    wd.write("docs/nuevo.txt", "P1: Pagamos muchísimo al coyote.\n");
    wd.write("docs/viejo.txt", b"P2: Pagu\xe9 al coyote con un pr\xe9stamo.\n");
    let out = wd.run(wd.command("code").args(["docs", "-c", "cb.yaml"]));
    assert!(
        out.stderr
            .contains("viejo.txt: not UTF-8; read as windows-1252 (a guess)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("applies only to files that are not UTF-8"),
        "{}",
        out.stderr
    );
    let forced = wd.stdout(
        wd.command("code")
            .args(["docs", "-c", "cb.yaml", "--encoding", "windows-1252"]),
    );
    assert!(forced.contains("P1: Pagamos muchísimo al coyote."), "{forced}");
    assert!(forced.contains("P2: Pagué al coyote con un préstamo."), "{forced}");
    assert!(!forced.contains('Ã'), "{forced}");
}
