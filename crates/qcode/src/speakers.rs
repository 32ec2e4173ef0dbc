//! Speaker labels: who is speaking, read off the start of a line.
//!
//! A transcript says who speaks with a label at the start of a line
//! (`Interviewer:`, `P03:`, `[00:12:31] Entrevistadora:`). [`find_labels`]
//! finds them with a [`SpeakerRule`]: qcode's default rule, or a regular
//! expression of the user's. Labels belong to the text (an excerpt shows
//! them) but the matcher skips them, so a code for "father" never fires on
//! the label `Padre Tomás:`.
//!
//! This module sits below reading and segmentation alike: subtitle readers
//! use it for the `Name:` prefixes of cues, segmentation to attribute every
//! segment to a speaker.
//!
//! **Speed.** [`find_labels`] is linear in the text, allocates per label
//! (never per character), and only runs its regex on lines whose first
//! character could start a label, reading plain ASCII labels without it: it
//! runs on every document of corpora of a gigabyte.

use std::sync::{Arc, LazyLock};

use regex::{CaptureLocations, Regex};

use crate::text::line_ranges;

/// A speaker label at the start of a line (`Interviewer:`, `[00:12:31] R1:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Byte range of the whole label in the text: the timestamp, the name,
    /// the colon and the spaces after it. Matching skips this range, so a
    /// code never fires on a speaker's name.
    pub start: usize,
    /// End of that byte range, exclusive.
    pub end: usize,
    /// The speaker's name as written, without the colon; shared by all the
    /// labels and segments of one speaker in a document (a transcript has
    /// a few speakers and thousands of turns).
    pub speaker: Arc<str>,
    /// The timestamp written before the name, without brackets (`00:12:31`).
    pub time: Option<String>,
}

/// The most speakers' names a document's labels share (see [`intern`]).
const MAX_INTERNED: usize = 16;

/// The longest speaker name the default rule accepts, in characters.
const MAX_NAME_CHARS: usize = 40;

/// The default speaker rule; see [`SpeakerRule::default`].
const DEFAULT_PATTERN: &str = concat!(
    r"^[ \t]*",
    // optional timestamp: [..] or (..) with mm:ss or h:mm:ss, or bare h:mm:ss
    r"(?:(?:\[(?P<t1>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[.,][0-9]{1,3})?)\]",
    r"|\((?P<t2>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[.,][0-9]{1,3})?)\))[ \t]*",
    r"|(?P<t3>[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,3})?)[ \t]+)?",
    // the name: 1 to 4 words, the first starting with an uppercase letter
    r"(?P<speaker>[\p{Lu}\p{Lt}][\p{L}\p{M}\p{N}._'’-]*(?: [\p{L}\p{M}\p{N}._'’-]+){0,3})",
    // the colon, then white space or the end of the line
    r":(?:\s|$)",
);

static DEFAULT_REGEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(DEFAULT_PATTERN).expect("the default speaker pattern compiles"));

/// How speaker labels are recognised at the start of a line.
///
/// Build it once and reuse it: compiling the regex costs far more than
/// scanning a document.
#[derive(Debug, Clone)]
pub struct SpeakerRule {
    /// The pattern as the user wrote it (or [`DEFAULT_PATTERN`]).
    pattern: String,
    /// The pattern anchored at the start of a line.
    regex: Regex,
    /// The group holding the name; `None`: the whole match minus the colon.
    speaker_group: Option<usize>,
    /// Groups holding the timestamp; the first that took part is used.
    time_groups: Vec<usize>,
    /// The default rule: lines are pre-filtered and names length-checked.
    is_default: bool,
}

impl Default for SpeakerRule {
    /// The default rule.
    ///
    /// A label is, at the start of a line:
    ///
    /// 1. optional leading spaces or tabs (not part of the label range);
    /// 2. an optional timestamp: `[mm:ss]`, `[hh:mm:ss]`, `(mm:ss)` or
    ///    `(hh:mm:ss)`, optionally followed by spaces or tabs; or a bare
    ///    `hh:mm:ss` / `h:mm:ss` *followed by at least one* space or tab. Hours
    ///    and minutes-only fields have 1 or 2 digits, minutes and seconds 2;
    ///    seconds may carry a fraction of 1 to 3 digits after `.` or `,`
    ///    (`00:12:31.250`). A bare `mm:ss` is *not* a timestamp, so
    ///    `10:30 we left the house` is ordinary text. The label's
    ///    [`Label::time`] is the timestamp without brackets;
    /// 3. a speaker name: 1 to 4 words separated by single spaces, at most 40
    ///    characters in all. The first character is an uppercase (or
    ///    titlecase) letter of any script (`A`, `Á`, `Ñ`, `Ж`); the rest are
    ///    letters, combining marks, digits, `.`, `-`, `_`, `'` or `’`;
    /// 4. a colon `:` followed by white space or the end of the line.
    ///
    /// The label range runs from the timestamp (or the name) to the colon and
    /// every space or tab after it.
    ///
    /// Labels: `Interviewer:`, `INTERVIEWER:`, `P03:`, `R1:`, `Entrevistadora:`,
    /// `Padre Tomás:`, `Sra. López:`, `[00:12:31] R1:`, `00:12:31 Entrevistador:`,
    /// `Q3 2020:`. Not labels: `10:30 we left the house`, `https://example.org`,
    /// `Nota:la` (no space after the colon), `the smuggler said: pay` and
    /// `at 10:30: we left` (lowercase start), `One two three four five: x`
    /// (five words).
    fn default() -> Self {
        let regex = DEFAULT_REGEX.clone();
        SpeakerRule {
            pattern: DEFAULT_PATTERN.to_string(),
            speaker_group: group_index(&regex, "speaker"),
            time_groups: ["t1", "t2", "t3"]
                .iter()
                .filter_map(|name| group_index(&regex, name))
                .collect(),
            regex,
            is_default: true,
        }
    }
}

impl SpeakerRule {
    /// A rule from a user's regular expression, matched at the start of each
    /// line (it is anchored there; a leading `^` is harmless).
    ///
    /// The name is the group named `speaker`, or else group 1; if the pattern
    /// has no group at all, the whole match minus a trailing `:` and spaces.
    /// An optional group named `time` is the timestamp. The label range is the
    /// whole match (without leading spaces or tabs) extended over the spaces
    /// and tabs after it. Matches with an empty name are ignored.
    ///
    /// Example: `(?P<time>\d+:\d+) - (?P<speaker>[A-Z]+)\b` for `12:31 - ANA hola`.
    pub fn custom(pattern: &str) -> Result<SpeakerRule, crate::Error> {
        let hint = "write a regular expression (Rust regex syntax) that matches a label at the \
                    start of a line, with a group for the name, e.g. `(?P<speaker>[A-Z][a-z]+):`; \
                    put a backslash before special characters such as `[`, `(` or `.`";
        let bad =
            |err: regex::Error| crate::Error::new(format!("invalid speaker pattern `{pattern}`: {err}")).hint(hint);
        // Compiled alone first so the error points into what the user wrote.
        let own = Regex::new(pattern).map_err(bad)?;
        let regex = Regex::new(&format!("^(?:{pattern})")).map_err(bad)?;
        // Group numbers are the same in `own` and in the anchored `regex`.
        let speaker_group = group_index(&own, "speaker").or((own.captures_len() > 1).then_some(1));
        let time_groups = group_index(&own, "time").into_iter().collect();
        Ok(SpeakerRule {
            pattern: pattern.to_string(),
            regex,
            speaker_group,
            time_groups,
            is_default: false,
        })
    }

    /// The rule of `pattern` ([`SpeakerRule::custom`]), or the default
    /// rule when there is none.
    pub fn from_pattern(pattern: Option<&str>) -> Result<SpeakerRule, crate::Error> {
        match pattern {
            Some(p) => SpeakerRule::custom(p),
            None => Ok(SpeakerRule::default()),
        }
    }

    /// The regular expression, as written by the user or the default one.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The label at the start of `line` (which starts at byte `offset` of the
    /// text and does not include its `\n`).
    /// `names` are the speakers' names found so far in the text, for
    /// [`intern`].
    fn label_in(
        &self,
        line: &str,
        offset: usize,
        locs: &mut CaptureLocations,
        names: &mut Vec<Arc<str>>,
    ) -> Option<Label> {
        if self.is_default && !could_start_default_label(line) {
            return None;
        }
        // Finding the match is fast (an automaton); reporting capture groups
        // is slower, so the default rule reads them off the matched text
        // and custom rules search only the matched prefix of the line.
        let (m_start, m_end) = match self.is_default.then(|| ascii_default_match(line)).flatten() {
            Some(end) => (0, end?),
            None => {
                let found = self.regex.find(line)?;
                (found.start(), found.end())
            }
        };
        let (speaker, time) = if self.is_default {
            split_default_match(&line[m_start..m_end])
        } else {
            self.regex.captures_read(locs, &line[..m_end])?;
            let group = |i: usize| locs.get(i).map(|(s, e)| &line[s..e]);
            let speaker = match self.speaker_group {
                Some(i) => group(i)?,
                None => line[m_start..m_end].trim_end().trim_end_matches(':'),
            };
            (speaker, self.time_groups.iter().find_map(|&i| group(i)))
        };
        let speaker = speaker.trim();
        if speaker.is_empty() || (self.is_default && speaker.chars().count() > MAX_NAME_CHARS) {
            return None;
        }
        let time = time.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let bytes = line.as_bytes();
        let mut start = m_start;
        while start < m_end && matches!(bytes[start], b' ' | b'\t') {
            start += 1;
        }
        let mut end = m_end;
        while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
            end += 1;
        }
        (start < end).then(|| Label {
            start: offset + start,
            end: offset + end,
            speaker: intern(names, speaker),
            time,
        })
    }
}

/// `name`, shared with its earlier occurrence in `names` if any.
fn intern(names: &mut Vec<Arc<str>>, name: &str) -> Arc<str> {
    if let Some(known) = names.iter().find(|&n| &**n == name) {
        return known.clone();
    }
    let new: Arc<str> = name.into();
    // A text with very many names (a list, not a transcript) is not worth
    // searching through: the most recent ones are kept.
    if names.len() == MAX_INTERNED {
        names.remove(0);
    }
    names.push(new.clone());
    new
}

/// The speaker and timestamp of a match of the default rule. The rule's
/// shape makes them unambiguous — a timestamp opens with `[`, `(` or a
/// digit and ends at its bracket or at a space; a name holds no colon and
/// the match ends with the colon and at most one white-space character — so
/// they are read off the match instead of from capture groups.
fn split_default_match(matched: &str) -> (&str, Option<&str>) {
    let m = matched.trim_start_matches([' ', '\t']);
    let (time, rest) = match m.as_bytes().first() {
        Some(b'[') => m[1..].split_once(']').map_or((None, m), |(t, r)| (Some(t), r)),
        Some(b'(') => m[1..].split_once(')').map_or((None, m), |(t, r)| (Some(t), r)),
        Some(b'0'..=b'9') => match m.find([' ', '\t']) {
            Some(k) => (Some(&m[..k]), &m[k..]),
            None => (None, m),
        },
        _ => (None, m),
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let name = rest.rfind(':').map_or(rest, |k| &rest[..k]);
    (name, time)
}

/// The number of the capture group called `name`.
fn group_index(regex: &Regex, name: &str) -> Option<usize> {
    regex.capture_names().position(|n| n == Some(name))
}

/// Cheap test before the default regex: the first non-blank character must be
/// an uppercase letter (any non-ASCII character is let through), `[`, `(` or a
/// digit, and a name starting with a letter must meet its colon within
/// `MAX_NAME_CHARS` characters (4 bytes each at most).
fn could_start_default_label(line: &str) -> bool {
    let rest = line.trim_start_matches([' ', '\t']).as_bytes();
    match rest.first() {
        Some(b'[' | b'(' | b'0'..=b'9') => true,
        Some(b'A'..=b'Z' | 0x80..) => rest[..rest.len().min(4 * MAX_NAME_CHARS + 1)].contains(&b':'),
        _ => false,
    }
}

/// The end of the default rule's match on `line`, found without its regex
/// when the line's label is plain ASCII, as most are (`Participant 5: …`,
/// `[00:12:31] R2: …`); `Some(None)` when there is no label. `None` leaves
/// the answer to the regex: a non-ASCII character (a Unicode letter, `’`,
/// white space after the colon) met before the answer is known.
///
/// The rule's shape leaves no choice to make: a timestamp is digits and
/// punctuation that no name starts with, and a name's words hold neither a
/// space nor a colon, so each byte decides whether the label goes on, takes
/// another word, reaches its colon or fails.
fn ascii_default_match(line: &str) -> Option<Option<usize>> {
    let b = line.as_bytes();
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'\'' | b'-');
    let mut i = b.iter().position(|&c| !matches!(c, b' ' | b'\t')).unwrap_or(b.len());
    if matches!(b.get(i), Some(b'[' | b'(' | b'0'..=b'9')) {
        match timestamp_end(b, i) {
            Some(end) => i = end,
            None => return Some(None),
        }
    }
    match b.get(i) {
        Some(b'A'..=b'Z') => i += 1,
        Some(0x80..) => return None,
        _ => return Some(None),
    }
    let mut words = 1;
    loop {
        match b.get(i) {
            Some(&c) if name_char(c) => i += 1,
            Some(b':') => break,
            Some(b' ') if words < 4 => match b.get(i + 1) {
                Some(&c) if name_char(c) => {
                    words += 1;
                    i += 2;
                }
                Some(0x80..) => return None,
                _ => return Some(None),
            },
            Some(0x80..) => return None,
            _ => return Some(None),
        }
    }
    // The colon, then one white-space character or the end of the line.
    match b.get(i + 1) {
        None => Some(Some(i + 1)),
        Some(b' ' | b'\t' | b'\r' | 0x0b | 0x0c) => Some(Some(i + 2)),
        Some(0x80..) => None,
        Some(_) => Some(None),
    }
}

/// Where the default rule's timestamp starting at `b[i]` (`[`, `(` or a
/// digit) ends, with the spaces or tabs after it; `None` if there is none
/// there. A run of digits longer than its field allows fails, as in the
/// regex, because what must follow it is never a digit.
fn timestamp_end(b: &[u8], i: usize) -> Option<usize> {
    let digits = |at: usize, min: usize, max: usize| {
        let n = b.get(at..)?.iter().take_while(|c| c.is_ascii_digit()).count();
        (min..=max).contains(&n).then_some(at + n)
    };
    let close = match b[i] {
        b'[' => Some(b']'),
        b'(' => Some(b')'),
        _ => None,
    };
    let mut at = digits(i + usize::from(close.is_some()), 1, 2)?;
    if b.get(at) != Some(&b':') {
        return None;
    }
    at = digits(at + 1, 2, 2)?;
    if b.get(at) == Some(&b':') {
        at = digits(at + 1, 2, 2)?;
    } else if close.is_none() {
        // A bare timestamp has seconds: `10:30 we left` is text.
        return None;
    }
    if matches!(b.get(at), Some(b'.' | b',')) {
        at = digits(at + 1, 1, 3)?;
    }
    if let Some(close) = close {
        if b.get(at) != Some(&close) {
            return None;
        }
        at += 1;
    }
    let blanks = b[at..].iter().take_while(|&&c| matches!(c, b' ' | b'\t')).count();
    // After a bare timestamp, at least one.
    (close.is_some() || blanks > 0).then_some(at + blanks)
}

/// The speaker labels of `text`, in text order.
///
/// A label is looked for at the start of every line only; see
/// [`SpeakerRule::default`] for what the default rule accepts.
pub fn find_labels(text: &str, rule: &SpeakerRule) -> Vec<Label> {
    let mut locs = rule.regex.capture_locations();
    let mut names = Vec::new();
    line_ranges(text)
        .filter_map(|(start, end)| rule.label_in(&text[start..end], start, &mut locs, &mut names))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_label(line: &str) -> Option<Label> {
        let labels = find_labels(line, &SpeakerRule::default());
        assert!(labels.len() <= 1);
        labels.into_iter().next()
    }

    // ---- default speaker rule -------------------------------------------

    proptest::proptest! {
        /// Reading the default rule's groups off the match gives what the
        /// regex's own capture groups give.
        #[test]
        fn default_groups_read_off_the_match(
            line in "[ \t]{0,2}(\\[[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?\\] ?|\\([0-9]:[0-9]{2}\\)|[0-9]{1,2}:[0-9]{2}:[0-9]{2}(,[0-9])? )?[A-ZÁÑa-z][a-zé.'’ -]{0,12}[:;][ \tx]?[a-z ]{0,5}"
        ) {
            let regex = &*DEFAULT_REGEX;
            if let Some(caps) = regex.captures(&line) {
                let whole = caps.get(0).unwrap().as_str();
                let (speaker, time) = split_default_match(whole);
                proptest::prop_assert_eq!(speaker, caps.name("speaker").unwrap().as_str());
                let want = ["t1", "t2", "t3"].iter().find_map(|g| caps.name(g)).map(|t| t.as_str());
                proptest::prop_assert_eq!(time, want);
            }
        }

        /// Wherever the ASCII reading of the default rule gives an answer,
        /// it is the regex's: the end of its match, or no match.
        #[test]
        fn ascii_reading_agrees_with_the_default_regex(
            line in proptest::prop_oneof![
                r"[ \t]{0,2}[A-Za-z0-9._'’:é\[( \t\r\x0b\u{a0}-]{0,16}",
                r"[ \t]{0,2}[A-ZÉ\[0-9][a-z0-9.'’_-]{0,5}( {1,2}[A-Za-z0-9é]{0,4}){0,5}:[ \t\r\u{a0}x]?[a-z]{0,3}",
                r"[A-Z][a-z]{0,2}( [A-Za-z0-9]{1,3}){2,5}:[ x]",
                r"[ \t]{0,2}(\[[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?([.,][0-9]{0,4})?[\])]?|\([0-9]{1,2}:[0-9]{2}\)|[0-9]{1,3}:[0-9]{2}(:[0-9]{1,3})?([.,][0-9]{1,4})?)[ \t]{0,2}[A-Zé0-9][a-z]{0,3}:[ x]?",
                r"[\[(]?[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?([.,][0-9]{1,4})?[\])]?[ \t]?[A-Z]: ",
            ]
        ) {
            if let Some(quick) = ascii_default_match(&line) {
                proptest::prop_assert_eq!(quick, DEFAULT_REGEX.find(&line).map(|m| m.end()), "{:?}", &line);
            }
        }
    }

    #[test]
    fn default_rule_accepts_labels() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("Interviewer: hello", "Interviewer", None),
            ("P03: yes", "P03", None),
            ("R1: sí", "R1", None),
            ("Entrevistadora: ¿y usted?", "Entrevistadora", None),
            ("[00:12:31] R1: we left", "R1", Some("00:12:31")),
            ("00:12:31 Entrevistador: bueno", "Entrevistador", Some("00:12:31")),
            ("Padre Tomás: hijo", "Padre Tomás", None),
            ("Sra. López: claro", "Sra. López", None),
            ("INTERVIEWER: why", "INTERVIEWER", None),
            ("Q3 2020: sales fell", "Q3 2020", None),
            ("Ñandú: pío", "Ñandú", None),
            ("Ángela María: hola", "Ángela María", None),
            ("[12:31] P03: ok", "P03", Some("12:31")),
            ("(01:02:03) P03: ok", "P03", Some("01:02:03")),
            ("(12:31) P03: ok", "P03", Some("12:31")),
            ("1:02:03 P03: ok", "P03", Some("1:02:03")),
            ("00:12:31.250 P03: ok", "P03", Some("00:12:31.250")),
            ("[00:12:31,5]P03: ok", "P03", Some("00:12:31,5")),
            ("  Interviewer: indented", "Interviewer", None),
            ("Interviewer:", "Interviewer", None),
            ("Interviewer:\ttab", "Interviewer", None),
            ("O’Brien: aye", "O’Brien", None),
            ("Jean-Luc de la Cruz: oui", "Jean-Luc de la Cruz", None),
        ];
        for &(line, speaker, time) in cases {
            let label = one_label(line).unwrap_or_else(|| panic!("{line:?} is a label"));
            assert_eq!(&*label.speaker, speaker, "{line:?}");
            assert_eq!(label.time.as_deref(), time, "{line:?}");
        }
    }

    #[test]
    fn default_rule_rejects_non_labels() {
        for line in [
            "10:30 we left the house",
            "10:30 We left: at night",
            "https://example.org",
            "Https://example.org",
            "Nota:la casa",
            "the smuggler said: pay",
            "at 10:30: we left",
            "One two three four five: too many words",
            "Interviewer : space before the colon",
            "[inaudible] P03: not a timestamp",
            "00:12 P03: bare minutes are a clock time",
            "Abcdefghijklmnopqrstuvwxyzabcdefghijklmnop: 41 characters",
            "Interviewer",
            "",
            "   ",
            "¿Qué: pasó?",
            "«Nombre: x»",
            "- P03: a list item",
        ] {
            assert_eq!(one_label(line), None, "{line:?} is not a label");
        }
    }

    #[test]
    fn forty_character_names_are_accepted() {
        let name = format!("A{}", "b".repeat(39));
        assert_eq!(&*one_label(&format!("{name}: x")).unwrap().speaker, name);
        let name = format!("Á{}", "ñ".repeat(39));
        assert_eq!(&*one_label(&format!("{name}: x")).unwrap().speaker, name);
        let name = format!("Á{}", "ñ".repeat(40));
        assert_eq!(one_label(&format!("{name}: x")), None);
    }

    #[test]
    fn label_range_covers_time_name_colon_and_spaces() {
        let text = "intro\n  [00:12:31] R1: \t we left\nP03:\nnext";
        let labels = find_labels(text, &SpeakerRule::default());
        assert_eq!(labels.len(), 2);
        assert_eq!(&text[labels[0].start..labels[0].end], "[00:12:31] R1: \t ");
        assert_eq!(&text[labels[1].start..labels[1].end], "P03:");
        assert_eq!(&*labels[1].speaker, "P03");
    }

    #[test]
    fn one_speaker_s_labels_share_one_name() {
        let text = "Ana: uno\nLuis: dos\nAna: tres\n";
        let labels = find_labels(text, &SpeakerRule::default());
        assert!(Arc::ptr_eq(&labels[0].speaker, &labels[2].speaker));
        assert!(!Arc::ptr_eq(&labels[0].speaker, &labels[1].speaker));
        // Past the names kept for sharing, names are still right.
        let many: String = (0..40).map(|i| format!("P{i}: x\nP0: y\n")).collect();
        let names: Vec<String> = find_labels(&many, &SpeakerRule::default())
            .iter()
            .map(|l| l.speaker.to_string())
            .collect();
        let want: Vec<String> = (0..40).flat_map(|i| [format!("P{i}"), "P0".into()]).collect();
        assert_eq!(names, want);
    }

    #[test]
    fn labels_are_found_only_at_line_starts_and_in_order() {
        let text = "A: one\nsaid B: two\nC: three\n";
        let speakers: Vec<String> = find_labels(text, &SpeakerRule::default())
            .into_iter()
            .map(|l| l.speaker.to_string())
            .collect();
        assert_eq!(speakers, ["A", "C"]);
    }

    #[test]
    fn default_rule_documents_its_pattern() {
        assert!(SpeakerRule::default().pattern().contains("speaker"));
    }

    // ---- custom speaker rules -------------------------------------------

    #[test]
    fn custom_rule_with_named_groups() {
        let rule = SpeakerRule::custom(r"(?P<time>\d+:\d+) - (?P<speaker>[A-Z]+)\b").unwrap();
        let text = "12:31 - ANA  hola\nsaid 12:32 - LUIS no\n12:33 - LUIS sí";
        let labels = find_labels(text, &rule);
        assert_eq!(labels.len(), 2);
        assert_eq!(&*labels[0].speaker, "ANA");
        assert_eq!(labels[0].time.as_deref(), Some("12:31"));
        assert_eq!(&text[labels[0].start..labels[0].end], "12:31 - ANA  ");
        assert_eq!(&*labels[1].speaker, "LUIS");
    }

    #[test]
    fn custom_rule_uses_group_one_without_a_speaker_group() {
        let rule = SpeakerRule::custom(r"<(\w+)>").unwrap();
        let labels = find_labels("<ana> hola\n<luis>", &rule);
        assert_eq!(&*labels[0].speaker, "ana");
        assert_eq!(labels[0].time, None);
        assert_eq!(&*labels[1].speaker, "luis");
    }

    #[test]
    fn custom_rule_without_groups_uses_the_match() {
        let rule = SpeakerRule::custom(r"[a-z]+ ?: ").unwrap();
        let text = "ana : hola\n  luis: qué";
        let labels = find_labels(text, &rule);
        // anchored at the very start of the line: indented `luis:` is not a label
        assert_eq!(labels.len(), 1);
        assert_eq!(&*labels[0].speaker, "ana");
        assert_eq!(&text[labels[0].start..labels[0].end], "ana : ");
        // indentation allowed by the pattern stays out of the label range
        let rule = SpeakerRule::custom(r"\s*[a-z]+ ?: ").unwrap();
        let labels = find_labels(text, &rule);
        assert_eq!(&*labels[1].speaker, "luis");
        assert_eq!(&text[labels[1].start..labels[1].end], "luis: ");
    }

    #[test]
    fn custom_rule_ignores_empty_names_and_matches() {
        let rule = SpeakerRule::custom(r"(?P<speaker>[A-Z]*)-?").unwrap();
        assert!(find_labels("hola\n- x\n", &rule).is_empty());
        assert_eq!(&*find_labels("ANA- x", &rule)[0].speaker, "ANA");
    }

    #[test]
    fn custom_rule_reports_bad_regexes() {
        let err = SpeakerRule::custom(r"(?P<speaker>[A-Z]+:").unwrap_err();
        assert!(err.what.contains("invalid speaker pattern"), "{err}");
        assert!(err.what.contains("unclosed group"), "{err}");
        assert!(err.hint.is_some());
    }
}
