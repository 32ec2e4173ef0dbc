//! Speakers: every convention of `tests/fixtures/speakers` read as its
//! expectation file says, passage by passage (speaker, time, where its text
//! starts and how it begins), and the `qcode speakers` command.

use std::path::{Path, PathBuf};

use qcode::corpus::{ReadOptions, discover, read_source};
use qcode::segment::{self, Unit};
use qcode::speakers::SpeakerRule;
use qcode::time::format_time;

use crate::workdir::fixture;

/// The fixtures: every `.txt`, `.md`, `.vtt`, `.srt` and `.csv` file of the
/// folder but its two notes.
fn fixtures() -> Vec<PathBuf> {
    let dir = fixture("speakers");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the speaker fixtures")
        .map(|e| e.expect("an entry").path())
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            ["txt", "md", "vtt", "srt", "csv"].contains(&ext) && !["README.md", "CONVENTIONS.md"].contains(&name)
        })
        .collect();
    found.sort();
    found
}

/// What qcode reads in a fixture, in the expectation format (README.md of
/// the fixtures): `@attribute` lines (from the document's own metadata,
/// not a table's columns), then one line per passage of the paragraph
/// unit.
fn reading(path: &Path) -> String {
    let table = path.extension().is_some_and(|e| e == "csv");
    let options = ReadOptions {
        text_cols: if table { vec!["answer".into()] } else { Vec::new() },
        id_col: table.then(|| "respondent".into()),
        ..ReadOptions::default()
    };
    let (sources, _) = discover(&[path.to_path_buf()], &options).expect("discovered");
    let mut out = String::new();
    for doc in sources.iter().flat_map(|s| read_source(s, &options).expect("read")) {
        if !table {
            for (key, value) in &doc.attributes {
                out.push_str(&format!("@attribute\t{key}\t{value}\n"));
            }
        }
        let (read, segments) = segment::segment_document(&doc, Unit::Paragraph, &SpeakerRule::default());
        assert_eq!(segments.len(), read.passages.len(), "{}", path.display());
        for (seg, passage) in segments.iter().zip(&read.passages) {
            // The text starts after whatever is masked at the passage's
            // start: its label, or a time marker.
            let mut start = passage.start;
            while let Some(&(_, end)) = read.masked.iter().find(|&&(s, e)| s == start && e > s) {
                start = end.min(passage.end);
            }
            let text = &doc.text[start..passage.end];
            let line = seg.start_line + doc.text[passage.start..start].matches('\n').count();
            let first_line = text.split('\n').next().unwrap_or("");
            let shown: String = first_line.chars().take(30).collect();
            // Subtitle segments take their times from cues, in the same form.
            let time = seg
                .start_time
                .clone()
                .or(passage.time.map(format_time))
                .unwrap_or_else(|| "-".into());
            out.push_str(&format!(
                "{line}\t{}\t{time}\t{}\n",
                passage.speaker.as_deref().unwrap_or("-"),
                shown.trim_end()
            ));
        }
    }
    out
}

/// The expectation of a fixture, without its comments.
fn expected(path: &Path) -> String {
    let name = path.file_stem().and_then(|n| n.to_str()).expect("a name");
    let file = path.with_file_name(format!("{name}.expected.tsv"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn every_convention_gives_every_passage_its_speaker_and_time() {
    let all = fixtures();
    assert!(all.len() >= 47, "{} fixtures", all.len());
    let mut failed = Vec::new();
    for path in &all {
        let (got, want) = (reading(path), expected(path));
        if got != want {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let diff: Vec<String> = want
                .lines()
                .zip(got.lines().chain(std::iter::repeat("(missing)")))
                .filter(|(w, g)| w != g)
                .map(|(w, g)| format!("    want {w:?}\n     got {g:?}"))
                .chain((got.lines().count() > want.lines().count()).then(|| {
                    format!(
                        "    and more: {:?}",
                        got.lines().skip(want.lines().count()).collect::<Vec<_>>()
                    )
                }))
                .collect();
            failed.push(format!("{name}:\n{}", diff.join("\n")));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failed.len(),
        all.len(),
        failed.join("\n")
    );
}

// ---------------------------------------------------------------------------
// `qcode speakers`, aliases and roles, presets, warnings

use crate::workdir::{Workdir, csv_maps};

/// Two interviews labelled differently (`Entrevistadora:` and `E:`), field
/// notes without speakers, and a codebook that names the interviewer once.
const STUDY: &[(&str, &str)] = &[
    (
        "docs/a.txt",
        "Entrevistadora: ¿Cuánto le cobró el coyote?\n\nP03: Tres mil dólares.\n\nENTREVISTADORA: ¿Y?\n\nP03: Nada más.\n",
    ),
    (
        "docs/b.txt",
        "E: ¿Y el coyote?\n\nR 1: Mil dólares.\n\nE: ¿Usted pagó?\n\nR1: Sí, al coyote.\n",
    ),
    (
        "docs/notes.txt",
        "Llegamos al río temprano.\n\nEl coyote cobraba cien pesos.\n",
    ),
    (
        "cb.yaml",
        "name: Study\nspeakers:\n  Interviewer: [Entrevistador*, E]\n  Participant 1: [R1, \"R 1\"]\nroles:\n  interviewer: [Interviewer]\n  migrant: [\"P*\", Participant 1]\nskip_speakers: [interviewer]\ncodes:\n  - name: prices\n    keywords: [coyote]\n",
    ),
];

#[test]
fn speakers_lists_each_document_s_speakers_and_warnings() {
    let wd = Workdir::with(STUDY);
    let out = wd.run(wd.command("speakers").args(["docs", "--format", "csv"]));
    let rows = csv_maps(&out.stdout);
    let of = |doc: &str| -> Vec<(String, String, String)> {
        rows.iter()
            .filter(|r| r["document"] == doc)
            .map(|r| (r["speaker"].clone(), r["turns"].clone(), r["first_line"].clone()))
            .collect()
    };
    let row = |s: &str, t: &str, l: &str| (s.to_string(), t.to_string(), l.to_string());
    assert_eq!(
        of("a.txt"),
        [
            row("Entrevistadora", "1", "1"),
            row("P03", "2", "3"),
            row("ENTREVISTADORA", "1", "5")
        ]
    );
    assert_eq!(of("notes.txt"), [row("", "2", "1")]);
    assert_eq!(rows[0]["label_shapes"], "`Name: words` ×1");
    // CSV has no room for warnings: they go to stderr, naming the document.
    assert!(
        out.stderr
            .contains("a.txt: `Entrevistadora` and `ENTREVISTADORA` look alike"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("b.txt: `R 1` and `R1` look alike"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("notes.txt: no speaker labels found"),
        "{}",
        out.stderr
    );
    // A table shows them under each document.
    let table = wd.stdout(wd.command("speakers").arg("docs"));
    assert!(table.contains("# 3 documents · 6 speakers · 3 warnings"), "{table}");
    assert!(table.contains("warning: no speaker labels found"), "{table}");
    let json = wd.json(wd.command("speakers").arg("docs"));
    assert_eq!(json["documents"][2]["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(json["documents"][0]["label_shapes"][0]["shape"], "colon");
}

#[test]
fn the_codebook_names_speakers_and_roles_across_documents() {
    let wd = Workdir::with(STUDY);
    let out = wd.run(
        wd.command("speakers")
            .args(["docs", "-c", "cb.yaml", "--format", "csv"]),
    );
    let rows = csv_maps(&out.stdout);
    let named: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["document"].as_str(),
                r["speaker"].as_str(),
                r["role"].as_str(),
                r["written_as"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("a.txt", "Interviewer", "interviewer", "Entrevistadora; ENTREVISTADORA"),
            ("a.txt", "P03", "migrant", "P03"),
            ("b.txt", "Interviewer", "interviewer", "E"),
            ("b.txt", "Participant 1", "migrant", "R 1; R1"),
            ("notes.txt", "", "", ""),
        ]
    );
    // Joined by the codebook, the look-alikes are no longer reported.
    assert!(!out.stderr.contains("look alike"), "{}", out.stderr);
    // skip_speakers names the role: no interviewer's question is coded.
    let coded = csv_maps(&wd.stdout(wd.command("code").args(["docs", "-c", "cb.yaml"])));
    let speakers: Vec<&str> = coded.iter().map(|r| r["speaker"].as_str()).collect();
    assert_eq!(speakers, ["Participant 1", ""]);
    // --by role and --by speaker count people, not spellings.
    let by_role = wd.stdout(
        wd.command("freq")
            .args(["docs", "-c", "cb.yaml", "--by", "role", "--format", "csv"]),
    );
    assert!(
        by_role.starts_with("code,parent,label,interviewer,migrant,(none)"),
        "{by_role}"
    );
    assert!(by_role.contains("prices,,prices,0,1,1"), "{by_role}");
}

#[test]
fn code_warns_when_nobody_speaks_and_the_codebook_scopes_speakers() {
    let wd = Workdir::with(STUDY);
    let out = wd.run(wd.command("code").args(["docs", "-c", "cb.yaml"]));
    assert!(
        out.stderr
            .contains("notes.txt: no speaker labels were found, so nobody speaks its passages"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("a.txt:"), "{}", out.stderr);
    // Without speaker scopes, nobody needs to speak.
    wd.write(
        "plain.yaml",
        "name: Plain\ncodes:\n  - name: prices\n    keywords: [coyote]\n",
    );
    let out = wd.run(wd.command("code").args(["docs", "-c", "plain.yaml"]));
    assert!(!out.stderr.contains("no speaker labels"), "{}", out.stderr);
    // A crosstab by speaker needs speakers.
    let out = wd.run(wd.command("freq").args(["docs", "-c", "plain.yaml", "--by", "speaker"]));
    assert!(
        out.stderr.contains("notes.txt: no speaker labels were found"),
        "{}",
        out.stderr
    );
}

#[test]
fn presets_settle_what_evidence_cannot() {
    let wd = Workdir::with(&[(
        "notes.txt",
        "Llegamos temprano.\n\nDon Beto: Aquí nadie cobra piso.\n\nVolvimos a las seis.\n\nHacía calor.\n",
    )]);
    let speakers = |extra: &[&str]| -> Vec<String> {
        let out = wd.stdout(
            wd.command("speakers")
                .arg("notes.txt")
                .args(extra)
                .args(["--format", "csv"]),
        );
        csv_maps(&out).iter().map(|r| r["speaker"].clone()).collect()
    };
    assert_eq!(speakers(&[]), [""]);
    assert_eq!(speakers(&["--speaker-preset", "colon"]), ["Don Beto", ""]);
    assert_eq!(speakers(&["--speaker-preset", "none"]), [""]);
    assert_eq!(speakers(&["--speaker-pattern", "(Don \\w+):"]), ["Don Beto", ""]);
    let e = wd.usage_error(wd.command("speakers").args([
        "notes.txt",
        "--speaker-preset",
        "colon",
        "--speaker-pattern",
        "x",
    ]));
    assert!(e.contains("both given"), "{e}");
}

#[test]
fn table_cells_get_speakers_only_when_asked() {
    let wd = Workdir::with(&[(
        "answers.csv",
        "id,answer\n1,\"Coyote: 8 mil dólares.\"\n2,\"Coyote: 9 mil.\"\n",
    )]);
    let speakers = |extra: &[&str]| -> Vec<String> {
        let out = wd.stdout(
            wd.command("speakers")
                .args([
                    "answers.csv",
                    "--text-col",
                    "answer",
                    "--id-col",
                    "id",
                    "--format",
                    "csv",
                ])
                .args(extra),
        );
        csv_maps(&out).iter().map(|r| r["speaker"].clone()).collect()
    };
    assert_eq!(speakers(&[]), ["", ""]);
    assert_eq!(speakers(&["--speaker-preset", "colon"]), ["Coyote", "Coyote"]);
}

#[test]
fn codebook_speakers_and_roles_are_checked_with_their_place() {
    let wd = Workdir::new();
    let check = |yaml: &str| -> String {
        wd.write(
            "cb.yaml",
            format!("name: T\n{yaml}codes:\n  - name: a\n    keywords: [x]\n"),
        );
        wd.error(wd.command("codebook").args(["check", "cb.yaml"]))
    };
    let e = check("speakers:\n  Interviewer: [E]\n  Entrevistado: [E]\n");
    assert!(
        e.contains("`E` stands for both `Interviewer` and `Entrevistado`"),
        "{e}"
    );
    assert!(e.contains("cb.yaml:4:18"), "{e}");
    let e = check("speakers:\n  \"Entrevistador*\": [E]\n");
    assert!(e.contains("has a `*` in its name"), "{e}");
    let e = check("roles:\n  interviewer: []\n");
    assert!(e.contains("the role `interviewer` lists no speakers"), "{e}");
    let e = check("roles:\n  interviewer: [Ana]\n  migrant: [ana]\n");
    assert!(e.contains("`ana` has two roles"), "{e}");
    let e = check("speaker_preset: colons\n");
    assert!(e.contains("unknown speaker preset `colons`"), "{e}");
    assert!(e.contains("cb.yaml:2:17"), "{e}");
    let e = check("speaker_preset: colon\nspeaker_pattern: \"x:\"\n");
    assert!(e.contains("both `speaker_pattern` and `speaker_preset`"), "{e}");
}
