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
