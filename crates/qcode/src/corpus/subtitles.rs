//! Subtitles and captions (`.vtt` WebVTT, `.srt` SubRip), as exported by
//! Zoom, Teams, Otter and transcription services.
//!
//! One lenient parser reads both formats: blocks are separated by blank
//! lines, a block with a `-->` timing line is a cue, and every other block
//! (the `WEBVTT` header, `NOTE`, `STYLE`, `REGION`) is skipped. Real exports
//! bend the specifications (missing headers, `,` or `.` before the
//! milliseconds, hours left out), so only the timing itself must be right.
//!
//! The speaker of a cue is its first WebVTT voice tag (`<v Ana López>`) or
//! else a `Name:` prefix on its text (Zoom writes `Ana López: …`); a cue
//! without either continues the previous speaker. Other tags (`<i>`, `<c>`,
//! `<00:01.000>`, `{\an8}`) are removed and the usual character entities
//! decoded; the lines of a cue are joined with spaces.
//!
//! The document text is built from the cues: each cue's words, cues
//! separated by a blank line (so the `paragraph` unit is one cue), with
//! `Name: ` written before a cue only where the speaker changes. Those
//! labels are handed over explicitly ([`Document::labels`]) rather than found
//! again by the speaker rule, so names of any form work, and `--unit turn`
//! merges consecutive cues of one speaker. Each cue's byte range and times
//! go in [`Document::cues`]; segments get the start time of their first cue
//! and the end time of their last, written `HH:MM:SS.mmm`.

use super::Cue;
use super::{Document, ReadOptions, Source, read_text};
use crate::error::{Error, Result};
use crate::speakers::{Label, SpeakerRule, find_labels};
use crate::time::{format_time, parse_time};

pub(super) fn read(source: &Source, options: &ReadOptions) -> Result<Document> {
    let (raw, note) = read_text(source, options)?;
    let mut doc = parse(&raw, source)?;
    doc.warnings.extend(note);
    Ok(doc)
}

/// One cue as read from the file.
struct RawCue {
    start: u64,
    end: u64,
    speaker: Option<String>,
    words: String,
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
        if let Some(k) = block.iter().position(|(_, l)| l.contains("-->")) {
            let (number, timing) = block[k];
            let (start, end) = cue_times(timing).ok_or_else(|| {
                Error::new(format!("`{}` is not a cue timing", timing.trim()))
                    .at(format!("{}:{number}", path.display()))
                    .hint("write a cue's times as `00:01:02.500 --> 00:01:05.000` (hours may be left out)")
            })?;
            let payload: Vec<&str> = block[k + 1..].iter().map(|(_, l)| l.trim()).collect();
            let (speaker, words) = speaker_and_words(&payload.join(" "));
            if !words.is_empty() {
                cues.push(RawCue {
                    start,
                    end,
                    speaker,
                    words,
                });
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

/// The speaker (voice tag or `Name:` prefix) and the plain words of a cue.
fn speaker_and_words(payload: &str) -> (Option<String>, String) {
    let voice = voice_tag(payload);
    let words = decode_entities(&strip_tags(payload));
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if voice.is_some() {
        return (voice, words);
    }
    match find_labels(&words, &SpeakerRule::default()).first() {
        Some(label) if label.start == 0 => (Some(label.speaker.to_string()), words[label.end..].trim().to_string()),
        _ => (None, words),
    }
}

/// The name in the first `<v Name>` or `<v.class Name>` tag.
fn voice_tag(payload: &str) -> Option<String> {
    let at = payload.find("<v")?;
    let rest = &payload[at + 2..];
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

/// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`, `&lrm;`,
/// `&rlm;` and numeric references; anything else is left as written.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let entity = rest[1..].find(';').filter(|&j| j <= 10).map(|j| &rest[1..=j]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some("&".to_string()),
            "lt" => Some("<".to_string()),
            "gt" => Some(">".to_string()),
            "quot" => Some("\"".to_string()),
            "apos" => Some("'".to_string()),
            "nbsp" => Some(" ".to_string()),
            "lrm" | "rlm" => Some(String::new()),
            _ => {
                let n = e.strip_prefix("#x").or_else(|| e.strip_prefix("#X"));
                let code = match n {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => e.strip_prefix('#').and_then(|d| d.parse().ok()),
                };
                code.and_then(char::from_u32).filter(|&c| c != '\0').map(String::from)
            }
        });
        match (entity, decoded) {
            (Some(e), Some(d)) => {
                out.push_str(&d);
                rest = &rest[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The document text, speaker labels and cue ranges; see the module docs.
fn build(source: &Source, raw: Vec<RawCue>) -> Document {
    let mut text = String::new();
    let mut labels = Vec::new();
    let mut cues = Vec::new();
    let mut current: Option<String> = None;
    for cue in raw {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        if let Some(speaker) = cue.speaker.filter(|s| current.as_ref() != Some(s)) {
            text.push_str(&speaker);
            text.push_str(": ");
            labels.push(Label {
                start,
                end: text.len(),
                speaker: speaker.as_str().into(),
                time: Some(format_time(cue.start)),
            });
            current = Some(speaker);
        }
        text.push_str(&cue.words);
        cues.push(Cue {
            start,
            end: text.len(),
            start_time: format_time(cue.start),
            end_time: format_time(cue.end),
        });
    }
    Document {
        labels: Some(labels),
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
        let (s, w) = speaker_and_words("Marta Díaz: el  coyote   cobró");
        assert_eq!((s.as_deref(), w.as_str()), (Some("Marta Díaz"), "el coyote cobró"));
        let (s, w) = speaker_and_words("a las 10:30: salimos");
        assert_eq!((s, w.as_str()), (None, "a las 10:30: salimos"));
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
