//! Subtitles and captions (`.vtt` WebVTT, `.srt` SubRip), as exported by
//! Zoom, Teams, Otter, Descript and transcription services.
//!
//! One lenient parser reads both formats: blocks are separated by blank
//! lines, a block with a `-->` timing line is a cue, and every other block
//! (the `WEBVTT` header, `NOTE`, `STYLE`, `REGION`) is skipped. Real exports
//! bend the specifications (missing headers, `,` or `.` before the
//! milliseconds, hours left out), so only the timing itself must be right.
//!
//! **Speakers.** A cue's speaker is its first WebVTT voice tag (`<v Ana
//! López>`, `<v.loud Ana López>`), else a prefix on its text: `Name:` (Zoom
//! writes `Ana López: …`), `- Name:` (a dialogue dash) or `[NAME]` (captions
//! for the deaf). A cue with two dialogue lines of different speakers has
//! none, its text taken whole. A cue without a speaker is a voice the tool
//! could not attribute when the file names the speaker of consecutive cues
//! (Zoom labels every cue it can), and continues the previous speaker when
//! it names speakers only where they change (Descript, captions).
//!
//! **Text.** Tags (`<i>`, `<c.yellow>`, `<00:01.000>`, `</v>`) and `{\an8}`
//! codes are removed and character references decoded; each cue line stays
//! a line, white space runs made one space. The document text is the cues'
//! words, cues separated by a blank line (so the `paragraph` unit is one
//! cue), with `Name: ` written before a cue where the speaker changes. The
//! passages and their speakers are handed over ([`SpeakerSource::Given`])
//! rather than found again by the speaker rule, so names of any form work,
//! and `--unit turn` merges consecutive cues of one speaker. Each cue's byte
//! range, times and file lines go in [`Document::cues`]; segments get the
//! start time of their first cue and the end time of their last, written
//! `HH:MM:SS.mmm`, and the lines of the file their words are on.

use std::sync::Arc;

use super::{Cue, Document, ReadOptions, Source, SpeakerSource, read_text};
use crate::error::{Error, Result};
use crate::speakers::{Attribution, Label, Passage, Shape, cue_prefix, intern};
use crate::text::decode_entities;
use crate::time::{format_time, parse_time};

pub(super) fn read(source: &Source, options: &ReadOptions) -> Result<Document> {
    let (raw, note) = read_text(source, options)?;
    let mut doc = parse(&raw, source)?;
    doc.warnings.extend(note);
    Ok(doc)
}

/// Who speaks a cue, as the cue says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Voice {
    /// Nothing says.
    Unnamed,
    /// Two dialogue lines of different speakers.
    Several,
    /// A voice tag or a prefix names one.
    Named(String, Shape),
}

/// One cue as read from the file.
struct RawCue {
    start: u64,
    end: u64,
    voice: Voice,
    /// The cue's lines of words, each with its line of the file.
    lines: Vec<(usize, String)>,
}

fn parse(raw: &str, source: &Source) -> Result<Document> {
    let path = &source.path;
    let mut cues = Vec::new();
    let mut block: Vec<(usize, &str)> = Vec::new();
    let lines = raw.lines().enumerate().map(|(i, l)| (i + 1, l)).chain([(0, "")]);
    for (number, line) in lines {
        if !line.trim().is_empty() {
            block.push((number, line));
            continue;
        }
        let skipped = block.first().is_some_and(|(_, l)| {
            ["NOTE", "STYLE", "REGION"]
                .iter()
                .any(|w| l.trim_start().starts_with(w))
        });
        if !skipped && let Some(k) = block.iter().position(|(_, l)| l.contains("-->")) {
            let (number, timing) = block[k];
            let (start, end) = cue_times(timing).ok_or_else(|| {
                Error::new(format!("`{}` is not a cue timing", timing.trim()))
                    .at(format!("{}:{number}", path.display()))
                    .hint("write a cue's times as `00:01:02.500 --> 00:01:05.000` (hours may be left out)")
            })?;
            let cue = read_cue(start, end, &block[k + 1..]);
            if !cue.lines.is_empty() {
                cues.push(cue);
            }
        }
        block.clear();
    }
    if cues.is_empty() {
        return Err(Error::new("no subtitle cues were found in the file")
            .in_file(path)
            .hint(
                "a cue is a timing line such as `00:00:01.000 --> 00:00:04.000` followed by its text and a blank line",
            ));
    }
    Ok(build(source, cues))
}

/// The start and end of a timing line, in milliseconds.
fn cue_times(line: &str) -> Option<(u64, u64)> {
    let (left, right) = line.split_once("-->")?;
    let start = parse_time(left)?;
    // settings (`align:start`) or SubRip coordinates may follow the end
    let end = parse_time(right.split_whitespace().next()?)?;
    Some((start, end))
}

/// A cue's speaker and lines of words, from its payload (lines numbered in
/// the file).
fn read_cue(start: u64, end: u64, payload: &[(usize, &str)]) -> RawCue {
    let voice = payload.iter().find_map(|(_, l)| voice_tag(l));
    let mut lines: Vec<(usize, String)> = payload
        .iter()
        .map(|&(n, l)| {
            let plain = decode_entities(&strip_tags(l));
            (n, plain.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if let Some(name) = voice {
        return RawCue {
            start,
            end,
            voice: Voice::Named(name, Shape::Voice),
            lines,
        };
    }
    // Dialogue lines: `- Ana: …` / `- Beto: …` are two voices.
    let dashed: Vec<String> = lines
        .iter()
        .filter(|(_, l)| l.starts_with("- ") || l.starts_with("– "))
        .filter_map(|(_, l)| cue_prefix(l).map(|((s, e), _)| l[s..e].to_string()))
        .collect();
    if dashed.len() >= 2 && dashed.iter().any(|n| n != &dashed[0]) {
        return RawCue {
            start,
            end,
            voice: Voice::Several,
            lines,
        };
    }
    let voice = match lines
        .first()
        .and_then(|(_, l)| cue_prefix(l).map(|(name, words)| (l[name.0..name.1].to_string(), words)))
    {
        Some((name, words)) => {
            lines[0].1.drain(..words);
            if lines[0].1.is_empty() {
                lines.remove(0);
            }
            Voice::Named(name, Shape::CuePrefix)
        }
        None => Voice::Unnamed,
    };
    RawCue {
        start,
        end,
        voice,
        lines,
    }
}

/// The name in the first `<v Name>` or `<v.class Name>` tag of `line`.
fn voice_tag(line: &str) -> Option<String> {
    let at = line.find("<v")?;
    let rest = &line[at + 2..];
    if !rest.starts_with([' ', '.', '\t']) {
        return voice_tag(rest);
    }
    let inner = &rest[..rest.find('>')?];
    let name = inner.trim_start_matches(|c: char| !c.is_whitespace()).trim();
    let name = decode_entities(name).split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then_some(name)
}

/// Removes `<…>` tags and `{\…}` override codes.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(['<', '{']) {
        out.push_str(&rest[..i]);
        let close = if rest[i..].starts_with('<') { '>' } else { '}' };
        let is_tag = close == '>' || rest[i + 1..].starts_with('\\');
        match rest[i..].find(close) {
            Some(j) if is_tag => rest = &rest[i + j + 1..],
            _ => {
                out.push_str(&rest[i..i + 1]);
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The document text, its passages and labels, and the cue ranges; see
/// the module docs.
fn build(source: &Source, raw: Vec<RawCue>) -> Document {
    // Does the file name the speaker of two consecutive cues?
    let every_cue = raw.windows(2).any(|w| match (&w[0].voice, &w[1].voice) {
        (Voice::Named(a, _), Voice::Named(b, _)) => a == b,
        _ => false,
    });
    let mut text = String::new();
    let mut attribution = Attribution::default();
    let mut names: Vec<Arc<str>> = Vec::new();
    let mut cues = Vec::new();
    let mut current: Option<Arc<str>> = None;
    for cue in raw {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        let mut label = None;
        match &cue.voice {
            Voice::Named(name, shape) => {
                let name = intern(&mut names, name);
                if current.as_ref() != Some(&name) {
                    text.push_str(&name);
                    text.push_str(": ");
                    attribution.labels.push(Label {
                        start,
                        end: text.len(),
                        speaker: name.clone(),
                        time: Some(cue.start),
                        shape: *shape,
                    });
                    attribution.masked.push((start, text.len()));
                    label = Some(attribution.labels.len() - 1);
                }
                current = Some(name);
            }
            Voice::Several => current = None,
            Voice::Unnamed if every_cue => current = None,
            Voice::Unnamed => {}
        }
        for (k, (_, line)) in cue.lines.iter().enumerate() {
            if k > 0 {
                text.push('\n');
            }
            text.push_str(line);
        }
        attribution.passages.push(Passage {
            start,
            end: text.len(),
            speaker: current.clone(),
            time: Some(cue.start),
            label,
        });
        cues.push(Cue {
            start,
            end: text.len(),
            start_time: format_time(cue.start),
            end_time: format_time(cue.end),
            lines: cue.lines.iter().map(|&(n, _)| n).collect(),
        });
    }
    Document {
        speakers: SpeakerSource::Given(attribution),
        cues,
        ..Document::new(source, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_entities() {
        assert_eq!(strip_tags("<v Ana>hola <i>tú</i></v>"), "hola tú");
        assert_eq!(strip_tags("{\\an8}arriba {ok}"), "arriba {ok}");
        assert_eq!(strip_tags("a < b"), "a < b");
        assert_eq!(
            decode_entities("R&amp;D &lt;3 &#233; &unknown; & x"),
            "R&D <3 é &unknown; & x"
        );
    }

    #[test]
    fn speakers() {
        assert_eq!(voice_tag("<v.loud Ana López>hola</v>").as_deref(), Some("Ana López"));
        assert_eq!(voice_tag("<i>x</i> <v R2>y").as_deref(), Some("R2"));
        assert_eq!(voice_tag("<vacío>"), None);
        let cue = |lines: &[&str]| {
            let payload: Vec<(usize, &str)> = lines.iter().enumerate().map(|(i, l)| (i + 1, *l)).collect();
            let c = read_cue(0, 1, &payload);
            (c.voice, c.lines.into_iter().map(|(_, l)| l).collect::<Vec<_>>())
        };
        assert_eq!(
            cue(&["Marta Díaz: el  coyote   cobró"]),
            (
                Voice::Named("Marta Díaz".into(), Shape::CuePrefix),
                vec!["el coyote cobró".to_string()]
            )
        );
        assert_eq!(cue(&["a las 10:30: salimos"]).0, Voice::Unnamed);
        assert_eq!(cue(&["{\\an8}[MARCOS] [risas] Porque"]).1, ["[risas] Porque"]);
        assert_eq!(cue(&["[risas] nada"]).0, Voice::Unnamed);
        assert_eq!(
            cue(&["- Moderador: ¿Y?", "- Ernesto: No."]),
            (
                Voice::Several,
                vec!["- Moderador: ¿Y?".to_string(), "- Ernesto: No.".to_string()]
            )
        );
        assert_eq!(cue(&["- Ernesto: Bueno.", "Depende."]).1, ["Bueno.", "Depende."]);
    }

    #[test]
    fn timings() {
        assert_eq!(
            cue_times("00:01:02.500 --> 00:01:04,000 align:start"),
            Some((62_500, 64_000))
        );
        assert_eq!(cue_times("01:02.5 --> 01:03.000"), Some((62_500, 63_000)));
        assert_eq!(cue_times("1 --> x"), None);
    }
}
