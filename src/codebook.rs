//! The codebook: a versionable YAML file of hierarchical codes and their
//! rules.
//!
//! Loading happens in two steps. The YAML is first read into `Raw*` structs
//! that mirror the file (unknown keys are rejected, and every value that we
//! validate ourselves keeps its line and column through `Spanned`), then
//! checked and turned into a flat [`Codebook`] whose codes are stored in
//! hierarchy order (pre-order), so tables print parents before children
//! without sorting. Every error names the file, line, column and code, and
//! says what to write instead: the people who write codebooks are
//! researchers, not programmers.

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_saphyr::Spanned;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::segment::Unit;

/// How accents in keywords are compared with accents in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Accents {
    /// A letter written without an accent matches with or without one
    /// (`prestamo` matches `préstamo`); a letter written with an accent must
    /// be matched exactly (`año` never matches `ano`).
    #[default]
    Tolerant,
    /// Every letter must match exactly (`prestamo` does not match `préstamo`).
    Exact,
    /// Accents never matter, in either direction (`año` matches `ano`).
    Ignore,
}

impl Accents {
    pub fn as_str(self) -> &'static str {
        match self {
            Accents::Tolerant => "tolerant",
            Accents::Exact => "exact",
            Accents::Ignore => "ignore",
        }
    }
}

// ---------------------------------------------------------------------------
// The file as written.

const CODEBOOK_KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "unit",
    "accents",
    "speaker_pattern",
    "skip_speakers",
    "codes",
];

const CODE_KEYS: &[&str] = &[
    "name",
    "label",
    "description",
    "include",
    "exclude",
    "examples",
    "color",
    "keywords",
    "patterns",
    "all",
    "near",
    "not",
    "min_hits",
    "speakers",
    "skip_speakers",
    "accents",
    "children",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodebook {
    name: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    description: Option<String>,
    unit: Option<Spanned<String>>,
    accents: Option<Spanned<String>>,
    speaker_pattern: Option<Spanned<String>>,
    skip_speakers: Option<Vec<Spanned<String>>>,
    codes: Option<Vec<RawCode>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    name: Option<Spanned<String>>,
    label: Option<String>,
    description: Option<String>,
    include: Option<String>,
    exclude: Option<String>,
    #[serde(default)]
    examples: Vec<String>,
    color: Option<Spanned<String>>,
    #[serde(default)]
    keywords: Vec<Spanned<String>>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    all: Vec<Spanned<String>>,
    #[serde(default)]
    near: Vec<Spanned<RawNear>>,
    #[serde(default)]
    not: Vec<Spanned<String>>,
    min_hits: Option<Spanned<String>>,
    speakers: Option<Vec<Spanned<String>>>,
    skip_speakers: Option<Vec<Spanned<String>>>,
    accents: Option<Spanned<String>>,
    #[serde(default)]
    children: Vec<RawCode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNear {
    terms: Vec<Spanned<String>>,
    within: Option<Spanned<String>>,
}

// ---------------------------------------------------------------------------
// The checked codebook.

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

/// Two terms within `within` words of each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Near {
    pub a: Term,
    pub b: Term,
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
    pub keywords: Vec<Term>,
    pub patterns: Vec<String>,
    pub all: Vec<Term>,
    pub near: Vec<Near>,
    pub not: Vec<Term>,
    pub min_hits: u32,
    /// Only these speakers (empty: everyone).
    pub speakers: SpeakerSet,
    /// Never these speakers.
    pub skip_speakers: SpeakerSet,
    pub accents: Accents,
}

impl Rules {
    /// True when the code has no rule that can fire (a grouping code).
    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty() && self.patterns.is_empty() && self.all.is_empty() && self.near.is_empty()
    }
}

/// One code of the codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Stable identifier, unique in the codebook.
    pub name: String,
    pub label: String,
    pub description: String,
    pub include: String,
    pub exclude: String,
    pub examples: Vec<String>,
    /// `#RRGGBB`, if given.
    pub color: Option<String>,
    /// Index of the parent code in [`Codebook::codes`].
    pub parent: Option<usize>,
    /// 0 for top-level codes.
    pub depth: usize,
    pub rules: Rules,
    /// Line of the code's `name` in the codebook file.
    pub line: u64,
}

/// A checked codebook, codes in hierarchy order (parents before children).
#[derive(Debug, Clone)]
pub struct Codebook {
    pub name: String,
    pub version: Option<String>,
    pub description: String,
    pub unit: Unit,
    pub speaker_pattern: Option<String>,
    /// Speakers no code applies to unless it says otherwise.
    pub skip_speakers: SpeakerSet,
    pub codes: Vec<Code>,
    /// SHA-256 of the file's bytes, printed with every output so results can
    /// be traced to the exact codebook.
    pub sha256: String,
    /// Where it was read from, as given on the command line.
    pub source: String,
    index: IndexMap<String, usize>,
}

impl Codebook {
    /// Reads and checks a codebook file.
    pub fn load(path: &Path) -> Result<Codebook> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            Error::new(format!(
                "the codebook is not valid UTF-8 (first bad byte at offset {})",
                e.valid_up_to()
            ))
            .in_file(path)
            .hint("save the codebook as UTF-8 in your editor")
        })?;
        let mut book = Codebook::parse(text, &path.display().to_string())?;
        book.sha256 = sha256_hex(&bytes);
        Ok(book)
    }

    /// Parses and checks codebook YAML; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Codebook> {
        let text = crate::text::strip_bom(text);
        let raw: RawCodebook = serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, source, text))?;
        let mut checker = Checker {
            source,
            codes: Vec::new(),
            index: IndexMap::new(),
        };
        let name = match raw.name {
            Some(n) if !n.value.trim().is_empty() => n.value.trim().to_string(),
            _ => {
                return Err(Error::new("the codebook has no `name`")
                    .at(format!("{source}:1:1"))
                    .hint("add a line `name: My study's codebook` at the top"));
            }
        };
        let unit = match raw.unit {
            None => Unit::Paragraph,
            Some(u) => u
                .value
                .parse::<Unit>()
                .map_err(|e| e.at(checker.place(&u.referenced)))?,
        };
        let accents = checker.accents(raw.accents.as_ref(), None)?.unwrap_or_default();
        if let Some(p) = &raw.speaker_pattern {
            crate::speakers::SpeakerRule::custom(&p.value).map_err(|e| {
                checker.err(
                    &p.referenced,
                    None,
                    format!("`speaker_pattern` is not a valid regular expression: {}", e.what),
                )
            })?;
        }
        let skip = checker.speakers(raw.skip_speakers.as_deref(), None)?;
        let codes = match raw.codes {
            Some(c) if !c.is_empty() => c,
            _ => {
                return Err(Error::new("the codebook has no codes")
                    .at(format!("{source}:1:1"))
                    .hint("add a `codes:` list with at least one code (see codebooks/minimal.yaml)"));
            }
        };
        let defaults = Defaults {
            accents,
            skip_speakers: skip,
        };
        for code in codes {
            checker.code(code, None, 0, &defaults)?;
        }
        Ok(Codebook {
            name,
            version: raw.version.map(|v| v.value),
            description: raw.description.unwrap_or_default().trim().to_string(),
            unit,
            speaker_pattern: raw.speaker_pattern.map(|p| p.value),
            skip_speakers: defaults.skip_speakers,
            codes: checker.codes,
            sha256: sha256_hex(text.as_bytes()),
            source: source.to_string(),
            index: checker.index,
        })
    }

    /// The index of the code called `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The index of the code called `name`, or an error that suggests the
    /// closest existing name.
    pub fn require(&self, name: &str) -> Result<usize> {
        self.find(name).ok_or_else(|| {
            let mut err = Error::new(format!("there is no code `{name}` in the codebook {}", self.source));
            err = match crate::text::closest(name, self.codes.iter().map(|c| c.name.as_str())) {
                Some(best) => err.hint(format!(
                    "did you mean `{best}`? `qcode codebook check` lists every code"
                )),
                None => err.hint("`qcode codebook check` lists every code"),
            };
            err
        })
    }

    /// Indices of `code` and all its ancestors, nearest first.
    pub fn ancestry(&self, code: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(code), move |&c| self.codes[c].parent)
    }

    /// The code's path in the hierarchy: `parent/child`.
    pub fn path(&self, code: usize) -> String {
        let mut names: Vec<&str> = self.ancestry(code).map(|c| self.codes[c].name.as_str()).collect();
        names.reverse();
        names.join("/")
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

struct Defaults {
    accents: Accents,
    skip_speakers: SpeakerSet,
}

struct Checker<'a> {
    source: &'a str,
    codes: Vec<Code>,
    index: IndexMap<String, usize>,
}

impl Checker<'_> {
    fn err(&self, loc: &serde_saphyr::Location, code: Option<&str>, what: String) -> Error {
        let what = match code {
            Some(code) => format!("code `{code}`: {what}"),
            None => what,
        };
        Error::new(what).at(self.place(loc))
    }

    /// `file:line:column` of a value in the codebook.
    fn place(&self, loc: &serde_saphyr::Location) -> String {
        format!("{}:{}:{}", self.source, loc.line(), loc.column())
    }

    fn accents(&self, value: Option<&Spanned<String>>, code: Option<&str>) -> Result<Option<Accents>> {
        let Some(v) = value else { return Ok(None) };
        match v.value.trim().to_lowercase().as_str() {
            "tolerant" => Ok(Some(Accents::Tolerant)),
            "exact" => Ok(Some(Accents::Exact)),
            "ignore" => Ok(Some(Accents::Ignore)),
            other => Err(self
                .err(&v.referenced, code, format!("unknown `accents` value `{other}`"))
                .hint("write one of: tolerant (the default), exact, ignore")),
        }
    }

    fn speakers(&self, value: Option<&[Spanned<String>]>, code: Option<&str>) -> Result<SpeakerSet> {
        let mut patterns = Vec::new();
        for s in value.unwrap_or_default() {
            let p = s.value.trim().to_lowercase();
            if p.is_empty() {
                return Err(self
                    .err(&s.referenced, code, "an empty speaker name".into())
                    .hint("write the speaker label as it appears before the colon, e.g. Interviewer"));
            }
            patterns.push(p);
        }
        Ok(SpeakerSet::new(patterns))
    }

    fn term(&self, value: &Spanned<String>, code: &str, key: &str) -> Result<Term> {
        parse_term(&value.value).map_err(|why| {
            self.err(
                &value.referenced,
                Some(code),
                format!("{key} term `{}` {why}", value.value),
            )
            .hint(
                "a term is one or more words; `*` stands for any letters inside a word, as in `hipotec*` or `*smuggl*`",
            )
        })
    }

    fn terms(&self, values: &[Spanned<String>], code: &str, key: &str) -> Result<Vec<Term>> {
        values.iter().map(|v| self.term(v, code, key)).collect()
    }

    fn number(&self, value: &Spanned<String>, code: &str, key: &str, what: &str) -> Result<u32> {
        match value.value.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(self
                .err(
                    &value.referenced,
                    Some(code),
                    format!("`{key}` must be a whole number of at least 1, not `{}`", value.value),
                )
                .hint(format!("write a number of {what}, e.g. `{key}: 5`"))),
        }
    }

    fn code(&mut self, raw: RawCode, parent: Option<usize>, depth: usize, defaults: &Defaults) -> Result<()> {
        let name_span = match raw.name {
            Some(n) => n,
            None => {
                let hint = "give every code a `name:` (a short id such as `prices`)";
                return Err(Error::new(match parent {
                    Some(p) => format!("a child of code `{}` has no `name`", self.codes[p].name),
                    None => "a code has no `name`".to_string(),
                })
                .at(self.source.to_string())
                .hint(hint));
            }
        };
        let name = name_span.value.trim().to_string();
        let loc = &name_span.referenced;
        if name.is_empty() {
            return Err(self
                .err(loc, None, "a code has an empty `name`".into())
                .hint("write a short id such as `prices`"));
        }
        if let Some(bad) = name.chars().find(|&c| !is_name_char(c)) {
            let suggestion = name_from(&name);
            return Err(self
                .err(loc, None, format!("code name `{name}` contains `{bad}`"))
                .hint(format!("names are ids made of letters, digits, `_`, `-` and `.`: write `{suggestion}` and put the readable text in `label:`")));
        }
        if let Some(&other) = self.index.get(&name) {
            return Err(self
                .err(
                    loc,
                    None,
                    format!(
                        "duplicate code name `{name}` (first used on line {})",
                        self.codes[other].line
                    ),
                )
                .hint("code names must be unique in the whole codebook: rename one of them"));
        }
        let c = name.as_str();
        let accents = self.accents(raw.accents.as_ref(), Some(c))?.unwrap_or(defaults.accents);
        let mut patterns = Vec::new();
        for p in &raw.patterns {
            if let Err(e) = regex::RegexBuilder::new(&p.value)
                .case_insensitive(true)
                .size_limit(1 << 24)
                .build()
            {
                let hint = if matches!(e, regex::Error::CompiledTooBig(_)) {
                    "the pattern is too large to search: use smaller repetition counts (`{3,12}`, not `{5000}`) or split it into several patterns"
                } else {
                    "fix the regular expression (in YAML, write it in single quotes so that backslashes stay as they are)"
                };
                return Err(self
                    .err(
                        &p.referenced,
                        Some(c),
                        format!("pattern `{}` is not a valid regular expression:\n{e}", p.value),
                    )
                    .hint(hint));
            }
            patterns.push(p.value.clone());
        }
        let mut near = Vec::new();
        for n in &raw.near {
            if n.value.terms.len() != 2 {
                return Err(self
                    .err(
                        &n.referenced,
                        Some(c),
                        format!("a `near` rule needs exactly two terms, found {}", n.value.terms.len()),
                    )
                    .hint("write `- terms: [coyote, \"pag*\"]` and `within: 8` (words)"));
            }
            let within = match &n.value.within {
                Some(w) => self.number(w, c, "within", "words")?,
                None => {
                    return Err(self
                        .err(&n.referenced, Some(c), "a `near` rule has no `within`".into())
                        .hint("add `within: 8` (the largest number of words between the two terms)"));
                }
            };
            near.push(Near {
                a: self.term(&n.value.terms[0], c, "near")?,
                b: self.term(&n.value.terms[1], c, "near")?,
                within,
            });
        }
        let min_hits = match &raw.min_hits {
            Some(m) => self.number(m, c, "min_hits", "hits")?,
            None => 1,
        };
        let rules = Rules {
            keywords: self.terms(&raw.keywords, c, "keyword")?,
            patterns,
            all: self.terms(&raw.all, c, "all")?,
            near,
            not: self.terms(&raw.not, c, "not")?,
            min_hits,
            speakers: self.speakers(raw.speakers.as_deref(), Some(c))?,
            skip_speakers: match raw.skip_speakers.as_deref() {
                Some(s) => self.speakers(Some(s), Some(c))?,
                None => defaults.skip_speakers.clone(),
            },
            accents,
        };
        if rules.all.len() == 1 {
            return Err(self
                .err(loc, Some(c), "`all` lists a single term".into())
                .hint("`all` needs two or more terms that must all occur; for one term use `keywords`"));
        }
        if rules.is_empty() && raw.children.is_empty() {
            return Err(self
                .err(
                    loc,
                    Some(c),
                    "the code has no rules and no children, so it can never be applied".into(),
                )
                .hint("add `keywords:`, `patterns:`, `all:` or `near:`, or sub-codes under `children:`"));
        }
        if rules.is_empty() && !rules.not.is_empty() {
            return Err(self
                .err(
                    loc,
                    Some(c),
                    "the code has `not` terms but no rule that applies it".into(),
                )
                .hint("`not` only vetoes a code whose keywords, patterns, `all` or `near` fired; add one of those"));
        }
        let color = match raw.color {
            None => None,
            Some(col) => {
                let v = col.value.trim();
                let ok = v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|ch| ch.is_ascii_hexdigit());
                if !ok {
                    return Err(self
                        .err(
                            &col.referenced,
                            Some(c),
                            format!("colour `{v}` is not of the form #RRGGBB"),
                        )
                        .hint("write six hexadecimal digits after `#`, in quotes: color: \"#1f77b4\""));
                }
                Some(v.to_uppercase())
            }
        };
        let me = self.codes.len();
        self.index.insert(name.clone(), me);
        self.codes.push(Code {
            label: raw
                .label
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| name.clone()),
            name,
            description: raw.description.unwrap_or_default().trim().to_string(),
            include: raw.include.unwrap_or_default().trim().to_string(),
            exclude: raw.exclude.unwrap_or_default().trim().to_string(),
            examples: raw.examples.into_iter().map(|e| e.trim().to_string()).collect(),
            color,
            parent,
            depth,
            rules,
            line: loc.line(),
        });
        for child in raw.children {
            self.code(child, Some(me), depth + 1, defaults)?;
        }
        Ok(())
    }
}

/// Characters a code name may hold: letters, digits, `_`, `-`, `.`.
pub fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// `text` made into a code name: every other character becomes `_`.
pub fn name_from(text: &str) -> String {
    text.chars().map(|c| if is_name_char(c) { c } else { '_' }).collect()
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
    if n > 1 && out.iter().any(|w| w.contains('*')) {
        inner_wildcard = true;
    }
    Ok(Term {
        raw: raw.to_string(),
        words: out,
        open_start,
        open_end,
        inner_wildcard,
    })
}

/// Turns a YAML error into a located, explained error.
fn yaml_error(e: &serde_saphyr::Error, source: &str, text: &str) -> Error {
    let plain = e.without_snippet();
    let msg = plain.to_string();
    let mut place = match e.location() {
        Some(loc) if loc.line() > 0 => Some((loc.line() as usize, loc.column() as usize)),
        _ => None,
    };
    // The parser reports a tab where the value it was reading started, often
    // a line above the tab itself: point at the first tab from there on.
    if msg.contains("found a tab")
        && let Some((line, _)) = place
        && let Some((l, c)) = text
            .lines()
            .enumerate()
            .skip(line.saturating_sub(1))
            .find_map(|(i, l)| l.find('\t').map(|c| (i + 1, l[..c].chars().count() + 1)))
    {
        place = Some((l, c));
    }
    let place = match place {
        Some((line, column)) => format!("{source}:{line}:{column}"),
        None => source.to_string(),
    };
    if let serde_saphyr::Error::SerdeUnknownField { field, expected, .. } = plain {
        let keys = if expected.contains(&"keywords") {
            CODE_KEYS
        } else if expected.contains(&"codes") {
            CODEBOOK_KEYS
        } else {
            expected.as_slice()
        };
        let hint = match crate::text::closest(field, keys.iter().copied()) {
            Some(best) => format!("did you mean `{best}`? Valid keys here: {}", keys.join(", ")),
            None => format!("valid keys here: {}", keys.join(", ")),
        };
        return Error::new(format!("unknown key `{field}`")).at(place).hint(hint);
    }
    let msg = msg.trim();
    // Keep the first line, without the location the place already gives.
    let first = msg.lines().next().unwrap_or(msg);
    let first = match first.rfind(" at line ") {
        Some(k) => &first[..k],
        None => first,
    };
    let hint = if first.contains("alias") || first.contains("anchor") {
        "a term that starts with `*` must be in quotes, e.g. '*smuggl*' (in YAML a bare `*` starts an alias)"
    } else if first.contains("expected sequence") {
        "this key takes a list: write `[a, b]` on one line, or one `- item` per line below it"
    } else if first.contains("invalid type") {
        "this key takes a different kind of value: see the codebook format in the README"
    } else {
        "check the indentation (children are indented under their parent, with spaces, not tabs) and the quoting around this line; text with `:`, `#` or a leading `*` must be in quotes"
    };
    Error::new(format!("the codebook is not valid YAML here: {first}"))
        .at(place)
        .hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<Codebook> {
        Codebook::parse(yaml, "cb.yaml")
    }

    const OK: &str = "name: Test\ncodes:\n  - name: debt\n    keywords: [prestamo, \"hipotec*\"]\n    children:\n      - name: lenders\n        keywords: [prestamista]\n  - name: prices\n    patterns: ['\\$\\s?\\d+']\n";

    #[test]
    fn loads_hierarchy_in_order() {
        let cb = parse(OK).unwrap();
        let names: Vec<_> = cb.codes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["debt", "lenders", "prices"]);
        assert_eq!(cb.codes[1].parent, Some(0));
        assert_eq!(cb.codes[1].depth, 1);
        assert_eq!(cb.path(1), "debt/lenders");
        assert_eq!(cb.unit, Unit::Paragraph);
        assert!(cb.codes[0].rules.keywords[1].open_end);
    }

    #[test]
    fn unknown_key_suggests_closest() {
        let e = parse("name: T\ncodes:\n  - name: a\n    keyword: [x]\n").unwrap_err();
        assert!(e.what.contains("unknown key `keyword`"), "{e}");
        assert!(e.hint.as_ref().unwrap().contains("did you mean `keywords`"), "{e}");
        assert_eq!(e.place.as_deref(), Some("cb.yaml:4:5"));
    }

    #[test]
    fn a_tab_is_pointed_at_where_it_is() {
        let e = parse("name: T\ncodes:\n  - name: a\n\tkeywords: [x]\n").unwrap_err();
        assert!(e.what.contains("found a tab"), "{e}");
        assert_eq!(e.place.as_deref(), Some("cb.yaml:4:1"));
        assert!(e.hint.as_ref().unwrap().contains("not tabs"), "{e}");
    }

    #[test]
    fn a_regex_too_large_says_so() {
        let e = parse("name: T\ncodes:\n  - name: a\n    patterns: ['a{5000}{5000}']\n").unwrap_err();
        assert_eq!(e.place.as_deref(), Some("cb.yaml:4:16"));
        assert!(e.hint.as_ref().unwrap().contains("smaller repetition"), "{e}");
    }

    #[test]
    fn bad_regex_shows_regex_error_and_place() {
        let e = parse("name: T\ncodes:\n  - name: a\n    patterns: ['(\\d+']\n").unwrap_err();
        assert!(e.what.contains("code `a`"), "{e}");
        assert!(e.what.contains("not a valid regular expression"), "{e}");
        assert!(e.place.as_ref().unwrap().starts_with("cb.yaml:4:"), "{e}");
    }

    #[test]
    fn duplicate_names_are_errors() {
        let e = parse("name: T\ncodes:\n  - name: a\n    keywords: [x]\n  - name: a\n    keywords: [y]\n").unwrap_err();
        assert!(e.what.contains("duplicate code name `a` (first used on line 3)"), "{e}");
        assert_eq!(e.place.as_deref(), Some("cb.yaml:5:11"));
    }

    #[test]
    fn empty_code_is_an_error() {
        let e = parse("name: T\ncodes:\n  - name: a\n    label: Nothing\n").unwrap_err();
        assert!(e.what.contains("can never be applied"), "{e}");
    }

    #[test]
    fn near_distance_must_be_a_number() {
        let e = parse("name: T\ncodes:\n  - name: a\n    near:\n      - terms: [x, y]\n        within: many\n")
            .unwrap_err();
        assert!(e.what.contains("`within` must be a whole number"), "{e}");
        assert_eq!(e.place.as_deref(), Some("cb.yaml:6:17"));
    }

    #[test]
    fn yaml_syntax_error_is_located() {
        let e = parse("name: T\ncodes:\n  - name: a\n    keywords: [x, y\n").unwrap_err();
        assert!(e.place.as_ref().unwrap().starts_with("cb.yaml:"), "{e}");
    }

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

    #[test]
    fn closest_finds_typos() {
        assert_eq!(
            crate::text::closest("keyword", CODE_KEYS.iter().copied()),
            Some("keywords")
        );
        assert_eq!(crate::text::closest("zzzzzz", CODE_KEYS.iter().copied()), None);
    }
}
