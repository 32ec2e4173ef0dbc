//! The rules a code carries, as the matcher needs them: keywords and other
//! terms with their wildcards, `near` pairs, speaker scopes.

use super::Accents;

/// A keyword as the matcher needs it: literal words plus wildcard flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// As written in the codebook.
    pub raw: String,
    /// The words of the term, lower-cased, without leading/trailing `*`.
    pub words: Vec<String>,
    /// `*` before the first word: the match may start inside a word.
    pub open_start: bool,
    /// `*` after the last word: the match may end inside a word.
    pub open_end: bool,
    /// `*` inside a word (`p*mo`): matched with a regular expression.
    pub inner_wildcard: bool,
}

/// Terms any one of which will do: one place of an `all` rule or one side
/// of a `near` rule, written as one term or a list of alternatives.
pub type Alternatives = Vec<Term>;

/// The alternatives as written: `coyote*`, or `[child*, niñ*]` for several.
pub fn alternatives_text(terms: &[Term]) -> String {
    match terms {
        [one] => one.raw.clone(),
        many => format!(
            "[{}]",
            many.iter().map(|t| t.raw.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// A term of one side within `within` words of a term of the other, in
/// either order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Near {
    /// The first side's terms, any of which will do.
    pub a: Alternatives,
    /// The second side's terms, any of which will do.
    pub b: Alternatives,
    /// The largest distance in words between the two terms' starts
    /// (neighbouring words are 1 apart); at least 1.
    pub within: u32,
}

/// Speaker names, with `*` wildcards, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpeakerSet {
    /// Lower-cased, as written in the codebook.
    pub patterns: Vec<String>,
    /// Each pattern cut at its `*`s (`a*b` → `a`, `b`), done once here
    /// because [`SpeakerSet::contains`] runs for every coded segment.
    globs: Vec<Vec<String>>,
}

impl SpeakerSet {
    /// The set of `patterns`, which must be lower-cased already.
    pub fn new(patterns: Vec<String>) -> SpeakerSet {
        let globs = patterns
            .iter()
            .map(|p| p.split('*').map(str::to_string).collect())
            .collect();
        SpeakerSet { patterns, globs }
    }

    /// Whether `speaker` (a label as it appears in the text, any case)
    /// matches one of the patterns; never for an empty set.
    pub fn contains(&self, speaker: &str) -> bool {
        if self.globs.is_empty() {
            return false;
        }
        // ASCII names (the usual case) are compared in place, ignoring ASCII
        // case; others are lower-cased first, as `to_lowercase` may change
        // their length (and their ASCII-ness).
        if speaker.is_ascii() {
            return self.globs.iter().any(|g| glob_match(g, speaker.as_bytes()));
        }
        let lower = speaker.to_lowercase();
        self.globs.iter().any(|g| glob_match(g, lower.as_bytes()))
    }

    /// True when the set lists no speaker.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// Whether `s` matches the `*`-glob cut into `parts` at its `*`s, ignoring
/// ASCII case (the parts are lower-cased). Comparing UTF-8 bytes is
/// comparing characters: a valid needle only matches at char boundaries.
fn glob_match(parts: &[String], s: &[u8]) -> bool {
    let same = |part: &String, bytes: &[u8]| part.as_bytes().eq_ignore_ascii_case(bytes);
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return same(first, s); // no `*`
    };
    if s.len() < first.len() + last.len() || !same(first, &s[..first.len()]) || !same(last, &s[s.len() - last.len()..])
    {
        return false;
    }
    let mut hay = &s[first.len()..s.len() - last.len()];
    for part in middle.iter().filter(|p| !p.is_empty()) {
        match hay.windows(part.len()).position(|w| same(part, w)) {
            Some(i) => hay = &hay[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// The rules of one code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rules {
    /// Terms any one of which makes the code fire.
    pub keywords: Vec<Term>,
    /// Regular expressions as written (checked when the codebook is read),
    /// matched case-insensitively; any one makes the code fire.
    pub patterns: Vec<String>,
    /// Groups of alternatives that fire together only when a term of every
    /// group occurs in the segment; empty, or two or more groups.
    pub all: Vec<Alternatives>,
    /// Pairs of terms that fire when close enough.
    pub near: Vec<Near>,
    /// Terms that veto the code in a segment where any of them occurs.
    pub not: Vec<Term>,
    /// Fewest hits (distinct, non-overlapping places that support the
    /// code) for it to apply; at least 1.
    pub min_hits: u32,
    /// Only these speakers (empty: everyone). When not empty, a passage
    /// without a speaker label is not coded.
    pub speakers: SpeakerSet,
    /// Never these speakers: the code's own `skip_speakers`, else the
    /// codebook's.
    pub skip_speakers: SpeakerSet,
    /// How accents in this code's terms and patterns are compared: the
    /// code's own `accents`, else the codebook's.
    pub accents: Accents,
}

impl Rules {
    /// True when the code has no rule that can fire (a grouping code).
    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty() && self.patterns.is_empty() && self.all.is_empty() && self.near.is_empty()
    }
}

/// Parses a keyword as written: words, `*` wildcards.
pub fn parse_term(raw: &str) -> std::result::Result<Term, String> {
    let words: Vec<&str> = raw.split_whitespace().collect();
    if words.is_empty() {
        return Err("is empty".into());
    }
    let mut open_start = false;
    let mut open_end = false;
    let mut inner_wildcard = false;
    let n = words.len();
    let mut out = Vec::with_capacity(n);
    for (i, w) in words.iter().enumerate() {
        let mut w = *w;
        if i == 0 && w.starts_with('*') {
            open_start = true;
            w = &w[1..];
        }
        if i == n - 1 && w.ends_with('*') {
            open_end = true;
            w = &w[..w.len() - 1];
        }
        if w.contains("**") || w.is_empty() {
            return Err("has a `*` that stands for nothing".into());
        }
        if w.contains('*') {
            inner_wildcard = true;
        }
        if !w.chars().any(|c| c.is_alphanumeric()) {
            return Err("has no letters or digits".into());
        }
        out.push(w.to_lowercase());
    }
    Ok(Term {
        raw: raw.to_string(),
        words: out,
        open_start,
        open_end,
        inner_wildcard,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_parse_wildcards() {
        let t = parse_term("*smuggl*").unwrap();
        assert!(t.open_start && t.open_end && !t.inner_wildcard);
        assert_eq!(t.words, ["smuggl"]);
        let t = parse_term("pay  the\nsmuggler").unwrap();
        assert_eq!(t.words, ["pay", "the", "smuggler"]);
        assert!(parse_term("p*mo").unwrap().inner_wildcard);
        assert!(parse_term("*").is_err());
        assert!(parse_term("  ").is_err());
    }

    #[test]
    fn globs() {
        for (p, s, want) in [
            ("a*", "abc", true),
            ("*c", "abc", true),
            ("a*c", "ac", true),
            ("a*b*c", "abc", true),
            ("a*b*c", "acb", false),
            ("ab*ba", "aba", false),
            ("*", "", true),
            ("abc", "abc", true),
            ("abc", "abcd", false),
        ] {
            assert_eq!(SpeakerSet::new(vec![p.into()]).contains(s), want, "{p} {s}");
        }
    }

    #[test]
    fn speaker_globs() {
        let s = SpeakerSet::new(vec!["entrevistador*".into(), "interviewer".into()]);
        assert!(s.contains("Entrevistadora"));
        assert!(s.contains("INTERVIEWER"));
        assert!(!s.contains("P03"));
        let s = SpeakerSet::new(vec!["sra. l*".into(), "*tomás".into(), "k*".into()]);
        assert!(s.contains("SRA. LÓPEZ"));
        assert!(s.contains("Padre TOMÁS"));
        assert!(s.contains("\u{212A}elvin"), "the Kelvin sign lower-cases to k");
        assert!(!s.contains("Padre Tomas"));
    }

    /// `*` matches any run of characters, compared after lower-casing.
    fn glob_reference(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|k| glob_reference(rest, &s[k..])),
            Some((c, rest)) => s.first() == Some(c) && glob_reference(rest, &s[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn speaker_sets_match_like_the_reference(
            pattern in "[abAé*\u{212A}k]{1,6}",
            speaker in "[abABéÉ\u{212A}kK ]{0,8}",
        ) {
            let p = pattern.to_lowercase();
            let want = glob_reference(
                &p.chars().collect::<Vec<_>>(),
                &speaker.to_lowercase().chars().collect::<Vec<_>>(),
            );
            proptest::prop_assert_eq!(SpeakerSet::new(vec![p]).contains(&speaker), want);
        }
    }
}
