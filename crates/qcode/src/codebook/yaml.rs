//! Reading a codebook's YAML: the file as written, checked value by value.
//!
//! The YAML is first read into `Raw*` structs that mirror the file (unknown
//! keys are rejected, and every value checked here keeps its line and
//! column through `Spanned`), then checked and turned into the flat list of
//! [`Code`]s of a [`Codebook`], in hierarchy order (pre-order), so tables
//! print parents before children without sorting. Every error names the
//! file, line, column and code, and says what to write instead: the people
//! who write codebooks are researchers, not programmers.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::people::People;
use super::rules::{Near, Rules, SpeakerSet, Term, parse_term};
use super::{Accents, Code, Codebook, is_name_char, name_from};
use crate::error::{Error, Result};
use crate::segment::Unit;

// ---------------------------------------------------------------------------
// The file as written.

const CODEBOOK_KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "unit",
    "accents",
    "speaker_pattern",
    "speaker_preset",
    "speakers",
    "roles",
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
    speaker_preset: Option<Spanned<String>>,
    speakers: Option<RawNames>,
    roles: Option<RawNames>,
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

/// Reads and checks codebook YAML (without a byte-order mark); `source`
/// names it in errors, `sha256` is the file's.
pub(super) fn check(text: &str, source: &str, sha256: String) -> Result<Codebook> {
    let raw: RawCodebook = serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, source, text))?;
    let mut checker = Checker {
        source,
        codes: Vec::new(),
        index: IndexMap::new(),
        people: People::default(),
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
        crate::speakers::Pattern::new(&p.value).map_err(|e| {
            checker.err(
                &p.referenced,
                None,
                format!("`speaker_pattern` is not a valid regular expression: {}", e.what),
            )
        })?;
    }
    let speaker_preset = match &raw.speaker_preset {
        None => None,
        Some(p) => {
            if raw.speaker_pattern.is_some() {
                return Err(checker
                    .err(
                        &p.referenced,
                        None,
                        "the codebook gives both `speaker_pattern` and `speaker_preset`".into(),
                    )
                    .hint("keep one: a preset names a convention, a pattern replaces them all"));
            }
            Some(
                p.value
                    .parse::<crate::speakers::Preset>()
                    .map_err(|e| e.at(checker.place(&p.referenced)))?,
            )
        }
    };
    checker.people = checker.people(raw.speakers.as_ref(), raw.roles.as_ref())?;
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
        speaker_preset,
        skip_speakers: defaults.skip_speakers,
        people: checker.people,
        codes: checker.codes,
        sha256,
        source: source.to_string(),
        index: checker.index,
    })
}

struct Defaults {
    accents: Accents,
    skip_speakers: SpeakerSet,
}

struct Checker<'a> {
    source: &'a str,
    codes: Vec<Code>,
    index: IndexMap<String, usize>,
    /// The codebook's speakers and roles, which scopes may name.
    people: People,
}

/// A map of the codebook that names speakers: `speakers:` or `roles:`.
type RawNames = IndexMap<Spanned<String>, Option<Vec<Spanned<String>>>>;

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
            patterns.extend(self.people.scope_patterns(&p));
        }
        Ok(SpeakerSet::new(patterns))
    }

    /// A name of `speakers:` or `roles:`, trimmed; an error when empty.
    fn person(&self, name: &Spanned<String>, key: &str) -> Result<String> {
        let value = name.value.trim();
        if value.is_empty() {
            return Err(self
                .err(&name.referenced, None, format!("an empty name in `{key}`"))
                .hint("write the name, e.g. `Interviewer: [Entrevistadora, E]`"));
        }
        Ok(value.to_string())
    }

    /// The codebook's speakers (a name and the labels that stand for it)
    /// and roles (a name and the speakers it groups).
    fn people(&self, speakers: Option<&RawNames>, roles: Option<&RawNames>) -> Result<People> {
        // Every plain name, lower-cased, and the speaker it stands for.
        let mut owner: IndexMap<String, String> = IndexMap::new();
        let mut named = Vec::new();
        for (name, aliases) in speakers.into_iter().flatten() {
            let speaker = self.person(name, "speakers")?;
            if speaker.contains('*') {
                return Err(self
                    .err(
                        &name.referenced,
                        None,
                        format!("the speaker `{speaker}` has a `*` in its name"),
                    )
                    .hint(
                        "a speaker's name is one name; put patterns such as `Entrevistador*` in its list of aliases",
                    ));
            }
            let mut written = Vec::new();
            for (alias, at) in std::iter::once((speaker.clone(), &name.referenced)).chain(
                aliases
                    .iter()
                    .flatten()
                    .map(|a| (a.value.trim().to_string(), &a.referenced)),
            ) {
                if alias.is_empty() {
                    return Err(self
                        .err(at, None, format!("an empty alias of `{speaker}`"))
                        .hint("write each label that stands for this speaker, e.g. `[Entrevistadora, E]`"));
                }
                if !alias.contains('*')
                    && let Some(other) = owner.insert(alias.to_lowercase(), speaker.clone())
                    && other != speaker
                {
                    return Err(self
                        .err(at, None, format!("`{alias}` stands for both `{other}` and `{speaker}`"))
                        .hint("a label names one speaker: keep it under one of them"));
                }
                written.push(alias);
            }
            written.remove(0);
            named.push((speaker, written));
        }
        let mut member_of: IndexMap<String, String> = IndexMap::new();
        let mut grouped = Vec::new();
        for (role, members) in roles.into_iter().flatten() {
            let role_name = self.person(role, "roles")?;
            let members = members.as_deref().unwrap_or_default();
            if members.is_empty() {
                return Err(self
                    .err(
                        &role.referenced,
                        None,
                        format!("the role `{role_name}` lists no speakers"),
                    )
                    .hint("list the speakers who have this role, e.g. `interviewer: [Interviewer, \"Moderador*\"]`"));
            }
            let mut resolved = Vec::new();
            for m in members {
                let member = self.person(m, "roles")?;
                let lower = member.to_lowercase();
                // An alias stands for its speaker.
                let member = match owner.get(&lower) {
                    Some(speaker) if !member.contains('*') => speaker.clone(),
                    _ => member,
                };
                if !member.contains('*')
                    && let Some(other) = member_of.insert(member.to_lowercase(), role_name.clone())
                    && other != role_name
                {
                    return Err(self
                        .err(
                            &m.referenced,
                            None,
                            format!("`{member}` has two roles: `{other}` and `{role_name}`"),
                        )
                        .hint("give each speaker one role"));
                }
                resolved.push(member);
            }
            grouped.push((role_name, resolved));
        }
        Ok(People::new(named, grouped))
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

    #[test]
    fn closest_finds_typos() {
        assert_eq!(
            crate::text::closest("keyword", CODE_KEYS.iter().copied()),
            Some("keywords")
        );
        assert_eq!(crate::text::closest("zzzzzz", CODE_KEYS.iter().copied()), None);
    }
}
