//! A speaker rule of the user's: a regular expression matched at the start
//! of each line (`--speaker-pattern`, `speaker_pattern:`), the escape hatch
//! for conventions qcode does not know. Every match is a label; no evidence
//! is weighed.

use regex::{CaptureLocations, Regex};

use super::Shape;
use super::lines::{Candidate, NameKind};

/// A user's regular expression for speaker labels.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as the user wrote it.
    written: String,
    /// The pattern anchored at the start of a line.
    regex: Regex,
    /// The group holding the name; `None`: the whole match minus the colon.
    speaker_group: Option<usize>,
    /// The group holding the timestamp, if any.
    time_group: Option<usize>,
}

impl Pattern {
    /// The rule of `pattern`, matched at the start of each line (it is
    /// anchored there; a leading `^` is harmless).
    ///
    /// The name is the group named `speaker`, or else group 1; if the pattern
    /// has no group at all, the whole match minus a trailing `:` and spaces.
    /// An optional group named `time` is the timestamp. The label is the
    /// whole match (without leading spaces or tabs) and the spaces and tabs
    /// after it; a label with nothing after it on its line stands alone and
    /// names the passage below it. Matches with an empty name are ignored.
    ///
    /// Example: `(?P<time>\d+:\d+) - (?P<speaker>[A-Z]+)\b` for `12:31 - ANA hola`.
    pub fn new(pattern: &str) -> Result<Pattern, crate::Error> {
        let hint = "write a regular expression (Rust regex syntax) that matches a label at the \
                    start of a line, with a group for the name, e.g. `(?P<speaker>[A-Z][a-z]+):`; \
                    put a backslash before special characters such as `[`, `(` or `.`";
        let bad =
            |err: regex::Error| crate::Error::new(format!("invalid speaker pattern `{pattern}`: {err}")).hint(hint);
        // Compiled alone first so the error points into what the user wrote.
        let own = Regex::new(pattern).map_err(bad)?;
        let regex = Regex::new(&format!("^(?:{pattern})")).map_err(bad)?;
        // Group numbers are the same in `own` and in the anchored `regex`.
        let group = |name: &str| own.capture_names().position(|n| n == Some(name));
        let speaker_group = group("speaker").or((own.captures_len() > 1).then_some(1));
        Ok(Pattern {
            written: pattern.to_string(),
            regex,
            speaker_group,
            time_group: group("time"),
        })
    }

    /// The pattern as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// Room for the pattern's capture groups, reused line after line.
    pub(super) fn locations(&self) -> CaptureLocations {
        self.regex.capture_locations()
    }

    /// The label at the start of `line`, if the pattern matches there.
    pub(super) fn label(&self, line: &str, locs: &mut CaptureLocations) -> Option<Candidate> {
        // Finding the match is fast (an automaton); capture groups are
        // looked for only in the matched prefix of the line.
        let found = self.regex.find(line)?;
        let (m_start, m_end) = (found.start(), found.end());
        self.regex.captures_read(locs, &line[..m_end])?;
        let group = |i: usize| locs.get(i);
        let name = match self.speaker_group {
            Some(i) => group(i)?,
            None => {
                let matched = line[m_start..m_end].trim_end().trim_end_matches(':');
                (m_start, m_start + matched.len())
            }
        };
        let untrimmed = &line[name.0..name.1];
        let lead = untrimmed.len() - untrimmed.trim_start().len();
        let name = (name.0 + lead, name.0 + lead + untrimmed.trim().len());
        if name.0 == name.1 {
            return None;
        }
        let time = self
            .time_group
            .and_then(group)
            .and_then(|(s, e)| crate::time::parse_time(&line[s..e]));
        let bytes = line.as_bytes();
        let start = m_start
            + bytes[m_start..m_end]
                .iter()
                .take_while(|&&c| matches!(c, b' ' | b'\t'))
                .count();
        let end = m_end
            + bytes[m_end..]
                .iter()
                .take_while(|&&c| matches!(c, b' ' | b'\t'))
                .count();
        if start >= end {
            return None;
        }
        let alone = line[end..].trim().is_empty();
        Some(Candidate {
            name,
            start,
            end: if alone { line.len() } else { end },
            time,
            shape: Shape::Pattern,
            alone,
            kind: NameKind::Strict,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(pattern: &Pattern, line: &str) -> Option<(String, Option<u64>, String)> {
        let mut locs = pattern.locations();
        pattern.label(line, &mut locs).map(|c| {
            (
                line[c.name.0..c.name.1].to_string(),
                c.time,
                line[c.start..c.end].to_string(),
            )
        })
    }

    #[test]
    fn named_groups_give_the_name_and_time() {
        let p = Pattern::new(r"(?P<time>\d+:\d+) - (?P<speaker>[A-Z]+)\b").unwrap();
        assert_eq!(
            label(&p, "12:31 - ANA  hola"),
            Some(("ANA".into(), Some(751_000), "12:31 - ANA  ".into()))
        );
        assert_eq!(label(&p, "said 12:32 - LUIS no"), None);
    }

    #[test]
    fn group_one_or_the_whole_match_is_the_name() {
        let p = Pattern::new(r"<(\w+)>").unwrap();
        assert_eq!(label(&p, "<ana> hola").unwrap().0, "ana");
        let p = Pattern::new(r"[a-z]+ ?: ").unwrap();
        assert_eq!(label(&p, "ana : hola").unwrap(), ("ana".into(), None, "ana : ".into()));
        // anchored at the very start of the line
        assert_eq!(label(&p, "  luis: qué"), None);
        let p = Pattern::new(r"\s*[a-z]+ ?: ").unwrap();
        assert_eq!(label(&p, "  luis: qué").unwrap().2, "luis: ");
    }

    #[test]
    fn empty_names_are_ignored_and_bad_patterns_explained() {
        let p = Pattern::new(r"(?P<speaker>[A-Z]*)-?").unwrap();
        assert_eq!(label(&p, "- x"), None);
        assert_eq!(label(&p, "ANA- x").unwrap().0, "ANA");
        let err = Pattern::new(r"(?P<speaker>[A-Z]+:").unwrap_err();
        assert!(err.what.contains("invalid speaker pattern"), "{err}");
        assert!(err.what.contains("unclosed group"), "{err}");
        assert!(err.hint.is_some());
    }
}
