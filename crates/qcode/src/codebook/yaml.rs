//! Reading a codebook's YAML: the file as written, checked value by value.
//!
//! The YAML is first read into a tree of located values ([`Node`]): every
//! key and value keeps its line and column. The tree is then checked code
//! by code and turned into the flat list of [`Code`]s of a [`Codebook`], in
//! hierarchy order (pre-order), so tables print parents before children
//! without sorting.
//!
//! The check goes on after a problem, so one run lists every problem in
//! the file, each with its file, line, column and code, and what to write
//! instead: the people who write codebooks are researchers, not
//! programmers, and fixing one error per run is slow. Only broken YAML
//! (a bracket left open, a tab in the indentation) stops the reading where
//! it is, since nothing after it can be trusted.

use indexmap::IndexMap;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

use super::people::People;
use super::rules::{Alternatives, Near, Rules, SpeakerSet, Term, parse_term};
use super::{Accents, Code, Codebook, Example, is_name_char, name_from};
use crate::amounts::{CurrencyCode, CurrencySettings};
use crate::dates::{Period, Periods};
use crate::error::{Error, Result};
use crate::limits;
use crate::segment::Unit;

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
    "periods",
    "currencies",
    "codes",
];

const CODE_KEYS: &[&str] = &[
    "name",
    "label",
    "description",
    "include",
    "exclude",
    "examples",
    "counterexamples",
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
    "extract",
    "children",
];

const NEAR_KEYS: &[&str] = &["terms", "within"];

const CURRENCY_KEYS: &[&str] = &["dollar_sign", "pesos", "colones", "country_attribute"];

// ---------------------------------------------------------------------------
// The file as written: a tree of located values.

/// A YAML value with its place in the file.
type Node = Spanned<Value>;

enum Value {
    /// Keys in the order written, repeated keys included.
    Map(Vec<(Spanned<String>, Node)>),
    List(Vec<Node>),
    /// A string, as YAML unquoted it.
    Text(String),
    /// A number or `true`/`false`; its text is taken from the file as
    /// written, so that a keyword `1.50` or a version `2.0` stays so.
    Plain,
    /// Nothing after the key (`keywords:`), or `~`.
    Null,
}

impl Value {
    /// What kind of value this is, in words, for messages.
    fn kind(&self) -> &'static str {
        match self {
            Value::Map(_) => "a group of keys",
            Value::List(_) => "a list",
            Value::Text(_) | Value::Plain => "a single value",
            Value::Null => "nothing",
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Value, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
                Ok(Value::Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Value, E> {
                Ok(Value::Text(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Value, E> {
                Ok(Value::Plain)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Value, E> {
                Ok(Value::Plain)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Value, E> {
                Ok(Value::Plain)
            }
            fn visit_i128<E: de::Error>(self, _: i128) -> std::result::Result<Value, E> {
                Ok(Value::Plain)
            }
            fn visit_u128<E: de::Error>(self, _: u128) -> std::result::Result<Value, E> {
                Ok(Value::Plain)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Value, E> {
                Ok(Value::Plain)
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
                Value::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Value::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Value::Map(entries))
            }
        }
        d.deserialize_any(ValueVisitor)
    }
}

/// Reads YAML into a tree; repeated keys are kept, for the check to name.
fn parse_tree(text: &str) -> std::result::Result<Node, serde_saphyr::Error> {
    let mut options = yaml_options();
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    serde_saphyr::from_str_with_options(text, options)
}

// ---------------------------------------------------------------------------
// The check.

/// Reads and checks codebook YAML (without a byte-order mark); `source`
/// names it in errors, `sha256` is the file's.
pub(super) fn check(text: &str, source: &str, sha256: String) -> Result<Codebook> {
    let tree = parse_tree(text).map_err(|e| yaml_error(&e, source, text))?;
    let codes = count_codes(&tree);
    limits::CODEBOOK_CODES
        .check(codes as u64, || format!("the codebook has {codes} codes"))
        .map_err(|e| e.at(format!("{source}:1:1")))?;
    let mut checker = Checker {
        text,
        source,
        codes: Vec::new(),
        index: IndexMap::new(),
        problems: Vec::new(),
        people: People::default(),
    };
    let codebook = checker.codebook(&tree, sha256);
    match Error::all(checker.problems) {
        Some(problems) => Err(problems),
        None => {
            let mut codebook =
                codebook.ok_or_else(|| Error::new("the codebook cannot be read").at(source.to_string()))?;
            codebook.extractors = super::extract::Extractors::new(&codebook.codes);
            Ok(codebook)
        }
    }
}

/// Reads and checks a file of named periods (see [`Codebook::load_periods`]).
pub(super) fn check_periods(text: &str, source: &str) -> Result<Periods> {
    let tree = parse_tree(text).map_err(|e| yaml_error(&e, source, text))?;
    let mut checker = Checker {
        text,
        source,
        codes: Vec::new(),
        index: IndexMap::new(),
        problems: Vec::new(),
        people: People::default(),
    };
    // The periods themselves, or a file with a `periods:` key (a codebook).
    let node = match &tree.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.value == "periods")
            .map_or(&tree, |(_, v)| v),
        _ => &tree,
    };
    let periods = checker.periods(node);
    if let Some(problems) = Error::all(checker.problems) {
        return Err(problems);
    }
    if periods.is_empty() {
        return Err(Error::new("the file declares no periods").at(source.to_string()).hint(
            "write one period per line, its first day and the day after its last: `closures: [2020-03-15, 2021-01-31]`",
        ));
    }
    Ok(periods)
}

struct Defaults {
    accents: Accents,
    skip_speakers: SpeakerSet,
}

/// A group of keys once checked: the value of every known key, by name.
type Keys<'n> = IndexMap<&'static str, &'n Node>;

struct Checker<'a> {
    text: &'a str,
    source: &'a str,
    codes: Vec<Code>,
    index: IndexMap<String, usize>,
    /// Every problem found so far, in file order of the check.
    problems: Vec<Error>,
    /// The codebook's speakers and roles, which scopes may name.
    people: People,
}

/// A name of `speakers:` or `roles:` with its place, and the names it lists.
type NamedList = (String, Location, Vec<(String, Location)>);

impl Checker<'_> {
    /// `file:line:column` of a place in the codebook.
    fn place(&self, loc: &Location) -> String {
        format!("{}:{}:{}", self.source, loc.line(), loc.column())
    }

    /// Records a problem at `loc`, in `code` if given.
    fn problem(&mut self, loc: &Location, code: Option<&str>, what: impl Into<String>, hint: impl Into<String>) {
        let what = what.into();
        let what = match code {
            Some(code) => format!("code `{code}`: {what}"),
            None => what,
        };
        let error = Error::new(what).at(self.place(loc)).hint(hint);
        self.problems.push(error);
    }

    /// The codebook's keys, then its codes.
    fn codebook(&mut self, tree: &Node, sha256: String) -> Option<Codebook> {
        let Value::Map(entries) = &tree.value else {
            self.problem(
                &tree.referenced,
                None,
                format!(
                    "the codebook is {}, where a group of keys was expected",
                    tree.value.kind()
                ),
                "a codebook starts with `name:` and lists its codes under `codes:` (see codebooks/minimal.yaml)",
            );
            return None;
        };
        let has = |key: &str| entries.iter().any(|(k, _)| k.value == key);
        if !has("name") && !has("codes") && !entries.is_empty() {
            // A file of categories and their words is a keyword dictionary.
            let all_lists = entries
                .iter()
                .all(|(_, v)| matches!(v.value, Value::List(_) | Value::Map(_)));
            if all_lists {
                self.problem(
                    &tree.referenced,
                    None,
                    "this looks like a keyword dictionary (categories and their words), not a qcode codebook",
                    "turn it into a codebook with `qcode import FILE --out codebook.yaml`, then check that",
                );
                return None;
            }
        }
        let keys = self.keys(tree, CODEBOOK_KEYS, None);
        let name = match keys.get("name").and_then(|n| self.text_value(n, "name", None)) {
            Some(n) if !n.trim().is_empty() => n.trim().to_string(),
            _ => {
                let at = keys.get("name").map_or(&tree.referenced, |n| &n.referenced);
                self.problem(
                    at,
                    None,
                    "the codebook has no `name`",
                    "add a line `name: My study's codebook` at the top",
                );
                String::new()
            }
        };
        let version = keys.get("version").and_then(|v| self.text_value(v, "version", None));
        let description = keys
            .get("description")
            .and_then(|v| self.text_value(v, "description", None))
            .unwrap_or_default();
        let unit = match keys.get("unit").map(|u| (u, self.text_value(u, "unit", None))) {
            Some((node, Some(u))) => match u.parse::<Unit>() {
                Ok(unit) => unit,
                Err(e) => {
                    let hint = e.hint.clone().unwrap_or_default();
                    self.problem(&node.referenced, None, e.what, hint);
                    Unit::Paragraph
                }
            },
            _ => Unit::Paragraph,
        };
        let accents = self.accents(keys.get("accents").copied(), None).unwrap_or_default();
        let speaker_pattern = keys
            .get("speaker_pattern")
            .and_then(|p| Some((p, self.text_value(p, "speaker_pattern", None)?)));
        if let Some((node, pattern)) = &speaker_pattern
            && let Err(e) = crate::speakers::Pattern::new(pattern)
        {
            let hint = e.hint.clone().unwrap_or_default();
            self.problem(
                &node.referenced,
                None,
                format!("`speaker_pattern` is not a valid regular expression: {}", e.what),
                hint,
            );
        }
        let speaker_preset = keys.get("speaker_preset").and_then(|node| {
            let preset = self.text_value(node, "speaker_preset", None)?;
            if speaker_pattern.is_some() {
                self.problem(
                    &node.referenced,
                    None,
                    "the codebook gives both `speaker_pattern` and `speaker_preset`",
                    "keep one: a preset names a convention, a pattern replaces them all",
                );
                return None;
            }
            match preset.parse::<crate::speakers::Preset>() {
                Ok(preset) => Some(preset),
                Err(e) => {
                    let hint = e.hint.clone().unwrap_or_default();
                    self.problem(&node.referenced, None, e.what, hint);
                    None
                }
            }
        });
        self.people = self.people(keys.get("speakers").copied(), keys.get("roles").copied());
        let skip_speakers = self.speakers(keys.get("skip_speakers").copied(), "skip_speakers", None);
        let periods = keys.get("periods").map(|p| self.periods(p)).unwrap_or_default();
        let currencies = keys.get("currencies").map(|c| self.currencies(c)).unwrap_or_default();
        let defaults = Defaults { accents, skip_speakers };
        match keys.get("codes") {
            Some(codes) if matches!(&codes.value, Value::List(list) if !list.is_empty()) => {
                for code in self.list(codes, "codes", None, "a list of codes, each starting with `- name:`") {
                    self.code(code, None, 0, &defaults);
                }
            }
            Some(codes) if !matches!(codes.value, Value::List(_) | Value::Null) => {
                self.list(codes, "codes", None, "a list of codes, each starting with `- name:`");
            }
            other => {
                let at = other.map_or(&tree.referenced, |c| &c.referenced);
                self.problem(
                    at,
                    None,
                    "the codebook has no codes",
                    "add a `codes:` list with at least one code (see codebooks/minimal.yaml)",
                );
            }
        }
        Some(Codebook {
            name,
            version,
            description: description.trim().to_string(),
            unit,
            speaker_pattern: speaker_pattern.map(|(_, p)| p),
            speaker_preset,
            default_accents: defaults.accents,
            skip_speakers: defaults.skip_speakers,
            people: std::mem::take(&mut self.people),
            periods,
            currencies,
            codes: std::mem::take(&mut self.codes),
            sha256,
            source: self.source.to_string(),
            index: std::mem::take(&mut self.index),
            extractors: Default::default(),
        })
    }

    /// The known keys of a group of keys; unknown and repeated keys are
    /// problems. `known` are the keys allowed here.
    fn keys<'n>(&mut self, node: &'n Node, known: &[&'static str], code: Option<&str>) -> Keys<'n> {
        let mut keys = Keys::new();
        let Value::Map(entries) = &node.value else {
            return keys;
        };
        let mut lines: IndexMap<&str, u64> = IndexMap::new();
        for (key, value) in entries {
            let Some(&name) = known.iter().find(|&&k| k == key.value) else {
                let hint = match crate::text::closest(&key.value, known.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`? Valid keys here: {}", known.join(", ")),
                    None => format!("valid keys here: {}", known.join(", ")),
                };
                self.problem(&key.referenced, code, format!("unknown key `{}`", key.value), hint);
                continue;
            };
            if let Some(first) = lines.get(name) {
                let hint = match value.value {
                    Value::List(_) => "write the key once, with all its items in one list",
                    _ => "write the key once, with the value you mean",
                };
                self.problem(
                    &key.referenced,
                    code,
                    format!("`{name}` is given twice (first on line {first})"),
                    hint,
                );
                continue;
            }
            lines.insert(name, key.referenced.line());
            keys.insert(name, value);
        }
        keys
    }

    /// The items of a list; `what` says what the key takes, for the message
    /// when it is not a list. Nothing (`keywords:`) is an empty list.
    fn list<'n>(&mut self, node: &'n Node, key: &str, code: Option<&str>, what: &str) -> &'n [Node] {
        match &node.value {
            Value::List(items) => items,
            Value::Null => &[],
            other => {
                self.problem(
                    &node.referenced,
                    code,
                    format!("`{key}` takes {what}, not {}", other.kind()),
                    format!("write `{key}: [a, b]` on one line, or one `- item` per line below `{key}:`"),
                );
                &[]
            }
        }
    }

    /// The text of a single value; a list or group of keys is a problem,
    /// nothing is `None`.
    fn text_value(&mut self, node: &Node, key: &str, code: Option<&str>) -> Option<String> {
        match &node.value {
            Value::Text(s) => Some(s.clone()),
            Value::Plain => Some(self.as_written(node)),
            Value::Null => None,
            other => {
                self.problem(
                    &node.referenced,
                    code,
                    format!("`{key}` takes a single value, not {}", other.kind()),
                    format!("write `{key}: value` on one line"),
                );
                None
            }
        }
    }

    /// A number or `true`/`false` as written in the file.
    fn as_written(&self, node: &Node) -> String {
        let span = node.referenced.span();
        let start = span.byte_offset().unwrap_or(0) as usize;
        let len = span.byte_len().unwrap_or(0) as usize;
        self.text.get(start..start + len).unwrap_or_default().trim().to_string()
    }

    /// The texts of a list of single values, each with its place; empty
    /// items are problems.
    fn texts(&mut self, node: Option<&Node>, key: &str, code: Option<&str>) -> Vec<(String, Location)> {
        let Some(node) = node else { return Vec::new() };
        let mut texts = Vec::new();
        for item in self.list(node, key, code, "a list") {
            match &item.value {
                Value::Text(_) | Value::Plain => {
                    if let Some(t) = self.text_value(item, key, code) {
                        texts.push((t, item.referenced));
                    }
                }
                other => self.problem(
                    &item.referenced,
                    code,
                    format!(
                        "an item of `{key}` is {}, where a single value was expected",
                        other.kind()
                    ),
                    "write one value per item; a value with `:`, `#`, `,` or a leading `*` must be in quotes",
                ),
            }
        }
        texts
    }

    fn accents(&mut self, node: Option<&Node>, code: Option<&str>) -> Option<Accents> {
        let node = node?;
        let value = self.text_value(node, "accents", code)?;
        match value.trim().to_lowercase().as_str() {
            "tolerant" => Some(Accents::Tolerant),
            "exact" => Some(Accents::Exact),
            "ignore" => Some(Accents::Ignore),
            other => {
                self.problem(
                    &node.referenced,
                    code,
                    format!("unknown `accents` value `{other}`"),
                    "write one of: tolerant (the default), exact, ignore",
                );
                None
            }
        }
    }

    fn speakers(&mut self, node: Option<&Node>, key: &str, code: Option<&str>) -> SpeakerSet {
        let mut patterns = Vec::new();
        for (name, at) in self.texts(node, key, code) {
            let name = name.trim().to_lowercase();
            if name.is_empty() {
                self.problem(
                    &at,
                    code,
                    "an empty speaker name",
                    "write the speaker label as it appears before the colon, e.g. Interviewer",
                );
            } else {
                patterns.extend(self.people.scope_patterns(&name));
            }
        }
        SpeakerSet::new(patterns)
    }

    /// The names of `speakers:` or `roles:`, each with the names it lists;
    /// empty names are problems.
    fn named_lists(&mut self, node: Option<&Node>, key: &str, example: &str) -> Vec<NamedList> {
        let Some(node) = node else { return Vec::new() };
        let entries = match &node.value {
            Value::Map(entries) => entries,
            Value::Null => return Vec::new(),
            other => {
                self.problem(
                    &node.referenced,
                    None,
                    format!("`{key}` takes names, each with a list, not {}", other.kind()),
                    format!("write one name per line below `{key}:`, e.g. `{example}`"),
                );
                return Vec::new();
            }
        };
        let mut named = Vec::new();
        for (name, list) in entries {
            let members: Vec<(String, Location)> = self
                .texts(Some(list), key, None)
                .into_iter()
                .map(|(m, at)| (m.trim().to_string(), at))
                .collect();
            let name_text = name.value.trim();
            if name_text.is_empty() {
                self.problem(
                    &name.referenced,
                    None,
                    format!("an empty name in `{key}`"),
                    format!("write the name, e.g. `{example}`"),
                );
                continue;
            }
            named.push((name_text.to_string(), name.referenced, members));
        }
        named
    }

    /// The codebook's speakers (a name and the labels that stand for it)
    /// and roles (a name and the speakers it groups).
    fn people(&mut self, speakers: Option<&Node>, roles: Option<&Node>) -> People {
        // Every plain name, lower-cased, and the speaker it stands for.
        let mut owner: IndexMap<String, String> = IndexMap::new();
        let mut named = Vec::new();
        for (speaker, at, aliases) in self.named_lists(speakers, "speakers", "Interviewer: [Entrevistadora, E]") {
            if speaker.contains('*') {
                self.problem(
                    &at,
                    None,
                    format!("the speaker `{speaker}` has a `*` in its name"),
                    "a speaker's name is one name; put patterns such as `Entrevistador*` in its list of aliases",
                );
                continue;
            }
            let mut written = Vec::new();
            for (alias, at) in std::iter::once((speaker.clone(), at)).chain(aliases) {
                if alias.is_empty() {
                    self.problem(
                        &at,
                        None,
                        format!("an empty alias of `{speaker}`"),
                        "write each label that stands for this speaker, e.g. `[Entrevistadora, E]`",
                    );
                    continue;
                }
                if !alias.contains('*')
                    && let Some(other) = owner.insert(alias.to_lowercase(), speaker.clone())
                    && other != speaker
                {
                    self.problem(
                        &at,
                        None,
                        format!("`{alias}` stands for both `{other}` and `{speaker}`"),
                        "a label names one speaker: keep it under one of them",
                    );
                }
                written.push(alias);
            }
            written.remove(0);
            named.push((speaker, written));
        }
        let mut member_of: IndexMap<String, String> = IndexMap::new();
        let mut grouped = Vec::new();
        for (role, at, members) in self.named_lists(roles, "roles", "interviewer: [Interviewer, \"Moderador*\"]") {
            if members.is_empty() {
                self.problem(
                    &at,
                    None,
                    format!("the role `{role}` lists no speakers"),
                    "list the speakers who have this role, e.g. `interviewer: [Interviewer, \"Moderador*\"]`",
                );
                continue;
            }
            let mut resolved = Vec::new();
            for (member, at) in members {
                if member.is_empty() {
                    self.problem(
                        &at,
                        None,
                        format!("an empty name in the role `{role}`"),
                        "write the speaker's name",
                    );
                    continue;
                }
                // An alias stands for its speaker.
                let member = match owner.get(&member.to_lowercase()) {
                    Some(speaker) if !member.contains('*') => speaker.clone(),
                    _ => member,
                };
                if !member.contains('*')
                    && let Some(other) = member_of.insert(member.to_lowercase(), role.clone())
                    && other != role
                {
                    self.problem(
                        &at,
                        None,
                        format!("`{member}` has two roles: `{other}` and `{role}`"),
                        "give each speaker one role",
                    );
                }
                resolved.push(member);
            }
            grouped.push((role, resolved));
        }
        People::new(named, grouped)
    }

    fn term(&mut self, (raw, at): &(String, Location), code: &str, key: &str) -> Option<Term> {
        match parse_term(raw) {
            Ok(term) => Some(term),
            Err(why) => {
                self.problem(
                    at,
                    Some(code),
                    format!("{key} term `{raw}` {why}"),
                    "a term is one or more words; `*` stands for any letters inside a word, as in `hipotec*` or `*smuggl*`",
                );
                None
            }
        }
    }

    /// One place of an `all` rule or one side of a `near` rule: a term, or
    /// a list of alternative terms; `None` after a problem.
    fn alternatives(&mut self, node: &Node, code: &str, key: &str) -> Option<Alternatives> {
        let texts = match &node.value {
            Value::List(_) => {
                let texts = self.texts(Some(node), key, Some(code));
                if texts.is_empty() {
                    self.problem(
                        &node.referenced,
                        Some(code),
                        format!("an empty list of alternatives in `{key}`"),
                        "list one or more terms, any of which will do, e.g. `[\"child*\", \"niñ*\"]`",
                    );
                    return None;
                }
                texts
            }
            Value::Text(_) | Value::Plain => vec![(self.text_value(node, key, Some(code))?, node.referenced)],
            other => {
                self.problem(
                    &node.referenced,
                    Some(code),
                    format!(
                        "an item of `{key}` is {}, where a term or a list of terms was expected",
                        other.kind()
                    ),
                    "write a term (`coyote*`) or a list of alternatives (`[\"child*\", \"niñ*\"]`)",
                );
                return None;
            }
        };
        let count = texts.len();
        let terms: Alternatives = texts.iter().filter_map(|t| self.term(t, code, key)).collect();
        (terms.len() == count).then_some(terms)
    }

    /// The groups of an `all` rule, each a term or a list of alternatives.
    fn all_groups(&mut self, node: Option<&Node>, code: &str) -> Vec<Alternatives> {
        let Some(node) = node else { return Vec::new() };
        let items = self.list(node, "all", Some(code), "a list of terms, or of lists of alternatives");
        items
            .iter()
            .filter_map(|item| self.alternatives(item, code, "all"))
            .collect()
    }

    /// The terms of `key` (`keywords`, `not`).
    fn terms(&mut self, node: Option<&Node>, code: &str, key: &str) -> Vec<Term> {
        let texts = self.texts(node, key, Some(code));
        let noun = key.strip_suffix('s').unwrap_or(key);
        texts.iter().filter_map(|t| self.term(t, code, noun)).collect()
    }

    /// A whole number of at least 1; `unit` says of what, for the hint.
    fn number(&mut self, node: &Node, code: &str, key: &str, unit: &str) -> Option<u32> {
        let value = self.text_value(node, key, Some(code))?;
        match value.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                self.problem(
                    &node.referenced,
                    Some(code),
                    format!("`{key}` must be a whole number of at least 1, not `{value}`"),
                    format!("write a number of {unit}, e.g. `{key}: 5`"),
                );
                None
            }
        }
    }

    fn patterns(&mut self, node: Option<&Node>, code: &str) -> Vec<String> {
        let mut patterns = Vec::new();
        for (pattern, at) in self.texts(node, "patterns", Some(code)) {
            let built = regex::RegexBuilder::new(&pattern)
                .case_insensitive(true)
                .size_limit(1 << 24)
                .build();
            match built {
                Ok(_) => patterns.push(pattern),
                Err(e) => {
                    let hint = if matches!(e, regex::Error::CompiledTooBig(_)) {
                        "the pattern is too large to search: use smaller repetition counts (`{3,12}`, not `{5000}`) or split it into several patterns"
                    } else {
                        "fix the regular expression (in YAML, write it in single quotes so that backslashes stay as they are)"
                    };
                    self.problem(
                        &at,
                        Some(code),
                        format!("pattern `{pattern}` is not a valid regular expression:\n{e}"),
                        hint,
                    );
                }
            }
        }
        patterns
    }

    fn near(&mut self, node: Option<&Node>, code: &str) -> Vec<Near> {
        let Some(node) = node else { return Vec::new() };
        let example = "write `- terms: [coyote, \"pag*\"]` and below it `within: 8` (words)";
        let mut near = Vec::new();
        for rule in self.list(node, "near", Some(code), "a list of rules") {
            if !matches!(rule.value, Value::Map(_)) {
                self.problem(
                    &rule.referenced,
                    Some(code),
                    format!(
                        "a `near` rule is {}, where `terms` and `within` were expected",
                        rule.value.kind()
                    ),
                    example,
                );
                continue;
            }
            let keys = self.keys(rule, NEAR_KEYS, Some(code));
            let sides = match keys.get("terms") {
                Some(terms) => self.list(terms, "terms", Some(code), "a list of two terms"),
                None => &[],
            };
            let within = match keys.get("within") {
                Some(w) => self.number(w, code, "within", "words"),
                None => {
                    self.problem(
                        &rule.referenced,
                        Some(code),
                        "a `near` rule has no `within`",
                        "add `within: 8` (the largest number of words between the two terms)",
                    );
                    None
                }
            };
            if sides.len() != 2 {
                self.problem(
                    &rule.referenced,
                    Some(code),
                    format!("a `near` rule needs exactly two terms, found {}", sides.len()),
                    format!(
                        "{example}; either side may be a list of alternatives, as in `[[coyote, pollero], \"pag*\"]`"
                    ),
                );
                continue;
            }
            let a = self.alternatives(&sides[0], code, "near");
            let b = self.alternatives(&sides[1], code, "near");
            if let (Some(a), Some(b), Some(within)) = (a, b, within) {
                near.push(Near { a, b, within });
            }
        }
        near
    }

    fn colour(&mut self, node: Option<&Node>, code: &str) -> Option<String> {
        let node = node?;
        let value = self.text_value(node, "color", Some(code))?;
        let v = value.trim();
        let ok = v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|ch| ch.is_ascii_hexdigit());
        if ok {
            Some(v.to_uppercase())
        } else {
            self.problem(
                &node.referenced,
                Some(code),
                format!("colour `{v}` is not of the form #RRGGBB"),
                "write six hexadecimal digits after `#`, in quotes: color: \"#1f77b4\"",
            );
            None
        }
    }

    /// The name of a code, checked; a code without a usable name is still
    /// checked, under a stand-in, so that its other problems are found too.
    fn code_name(&mut self, node: &Node, parent: Option<usize>) -> (String, Location) {
        let stand_in = |parent: Option<usize>, codes: &[Code]| match parent {
            Some(p) => format!("(a child of {})", codes[p].name),
            None => "(unnamed)".to_string(),
        };
        let name_node = match &node.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.value == "name").map(|(_, v)| v),
            _ => None,
        };
        let Some(name_node) = name_node else {
            let what = match parent {
                Some(p) => format!("a child of code `{}` has no `name`", self.codes[p].name),
                None => "a code has no `name`".to_string(),
            };
            self.problem(
                &node.referenced,
                None,
                what,
                "give every code a `name:` (a short id such as `prices`)",
            );
            return (stand_in(parent, &self.codes), node.referenced);
        };
        let at = name_node.referenced;
        let name = self.text_value(name_node, "name", None).unwrap_or_default();
        let name = name.trim().to_string();
        if name.is_empty() {
            self.problem(
                &at,
                None,
                "a code has an empty `name`",
                "write a short id such as `prices`",
            );
            return (stand_in(parent, &self.codes), at);
        }
        if let Some(bad) = name.chars().find(|&c| !is_name_char(c)) {
            let suggestion = name_from(&name);
            self.problem(
                &at,
                None,
                format!("code name `{name}` contains `{bad}`"),
                format!("names are ids made of letters, digits, `_`, `-` and `.`: write `{suggestion}` and put the readable text in `label:`"),
            );
        }
        if let Some(&other) = self.index.get(&name) {
            let first = self.codes[other].line;
            self.problem(
                &at,
                None,
                format!("duplicate code name `{name}` (first used on line {first})"),
                "code names must be unique in the whole codebook: rename one of them",
            );
        }
        (name, at)
    }

    /// The fields a code extracts: names of capture groups of its patterns
    /// (`(?P<amount>…)`), each given once.
    fn extract(&mut self, node: Option<&Node>, patterns: &[String], code: &str) -> Vec<String> {
        let groups: Vec<String> = patterns
            .iter()
            .filter_map(|p| regex::Regex::new(p).ok())
            .flat_map(|r| r.capture_names().flatten().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let mut fields: Vec<String> = Vec::new();
        for (field, at) in self.texts(node, "extract", Some(code)) {
            let field = field.trim().to_string();
            if fields.contains(&field) {
                self.problem(
                    &at,
                    Some(code),
                    format!("`extract` names `{field}` twice"),
                    "name each field once",
                );
            } else if groups.contains(&field) {
                fields.push(field);
            } else {
                let hint = if groups.is_empty() {
                    format!(
                        "a field is a named group of one of the code's patterns: write a pattern such as `'(?P<{field}>\\d[\\d,.]*) dólares'`"
                    )
                } else {
                    let named: Vec<String> = groups.iter().map(|g| format!("`{g}`")).collect();
                    let suggestion = crate::text::closest(&field, groups.iter().map(String::as_str))
                        .map(|best| format!("did you mean `{best}`? "))
                        .unwrap_or_default();
                    format!("{suggestion}the code's patterns name the groups {}", named.join(", "))
                };
                self.problem(
                    &at,
                    Some(code),
                    format!("`extract` names `{field}`, which is no named group of the code's patterns"),
                    hint,
                );
            }
        }
        fields
    }

    /// The codebook's named periods: `name: [first day, day after the
    /// last]`, `..` for an open end. A period that repeats or overlaps an
    /// earlier one is a problem at its own line.
    fn periods(&mut self, node: &Node) -> Periods {
        let example = "closures: [2020-03-15, 2021-01-31]";
        let mut periods: Vec<Period> = Vec::new();
        for (name, at, bounds) in self.named_lists(Some(node), "periods", example) {
            let [(from, _), (until, _)] = bounds.as_slice() else {
                self.problem(
                    &at,
                    None,
                    format!("period `{name}` needs two bounds and gives {}", bounds.len()),
                    format!("write its first day and the day after its last, e.g. `{example}` (`..` for an open end)"),
                );
                continue;
            };
            let checked = Period::new(&name, from, until).and_then(|p| {
                let mut with = periods.clone();
                with.push(p.clone());
                Periods::new(with).map(|_| p)
            });
            match checked {
                Ok(p) => periods.push(p),
                Err(e) => self.problem(&at, None, e.what, e.hint.unwrap_or_default()),
            }
        }
        Periods::new(periods).unwrap_or_default()
    }

    /// How amounts read the currencies whose country is not written: a
    /// bare `$`, `pesos`, `colones`, and the attribute naming each
    /// document's country.
    fn currencies(&mut self, node: &Node) -> CurrencySettings {
        let mut settings = CurrencySettings::default();
        if !matches!(node.value, Value::Map(_) | Value::Null) {
            self.problem(
                &node.referenced,
                None,
                format!("`currencies` takes keys, not {}", node.value.kind()),
                "write e.g. `currencies: {dollar_sign: USD, pesos: MXN, country_attribute: country}`",
            );
            return settings;
        }
        let keys = self.keys(node, CURRENCY_KEYS, None);
        for (key, value) in &keys {
            let Some(text) = self.text_value(value, key, None) else {
                continue;
            };
            if *key == "country_attribute" {
                settings.country_attribute = Some(text.trim().to_string());
                continue;
            }
            match text.parse::<CurrencyCode>() {
                Ok(code) => match *key {
                    "dollar_sign" => settings.defaults.dollar_sign = code,
                    "pesos" => settings.defaults.pesos = code,
                    _ => settings.defaults.colones = code,
                },
                Err(e) => self.problem(
                    &value.referenced,
                    None,
                    format!("`currencies: {key}`: {}", e.what),
                    e.hint.unwrap_or_default(),
                ),
            }
        }
        settings
    }

    fn code(&mut self, node: &Node, parent: Option<usize>, depth: usize, defaults: &Defaults) {
        if !matches!(node.value, Value::Map(_)) {
            self.problem(
                &node.referenced,
                None,
                format!(
                    "a code is {}, where `name:` and its rules were expected",
                    node.value.kind()
                ),
                "start every code with `- name: an_id`, and indent its other keys under `name`",
            );
            return;
        }
        let (name, at) = self.code_name(node, parent);
        let c = name.as_str();
        let keys = self.keys(node, CODE_KEYS, Some(c));
        let text = |checker: &mut Self, key: &str| {
            keys.get(key)
                .and_then(|v| checker.text_value(v, key, Some(c)))
                .map(|t| t.trim().to_string())
                .unwrap_or_default()
        };
        let label = text(self, "label");
        let description = text(self, "description");
        let include = text(self, "include");
        let exclude = text(self, "exclude");
        let passages = |checker: &mut Self, key: &str| {
            let texts = checker.texts(keys.get(key).copied(), key, Some(c));
            texts
                .into_iter()
                .map(|(text, at)| Example {
                    text: text.trim().to_string(),
                    line: at.line(),
                })
                .collect::<Vec<_>>()
        };
        let examples = passages(self, "examples");
        let counterexamples = passages(self, "counterexamples");
        let accents = self.accents(keys.get("accents").copied(), Some(c));
        let min_hits = keys.get("min_hits").and_then(|m| self.number(m, c, "min_hits", "hits"));
        let rules = Rules {
            keywords: self.terms(keys.get("keywords").copied(), c, "keywords"),
            patterns: self.patterns(keys.get("patterns").copied(), c),
            all: self.all_groups(keys.get("all").copied(), c),
            near: self.near(keys.get("near").copied(), c),
            not: self.terms(keys.get("not").copied(), c, "not"),
            min_hits: min_hits.unwrap_or(1),
            speakers: self.speakers(keys.get("speakers").copied(), "speakers", Some(c)),
            skip_speakers: match keys.get("skip_speakers") {
                Some(s) => self.speakers(Some(s), "skip_speakers", Some(c)),
                None => defaults.skip_speakers.clone(),
            },
            accents: accents.unwrap_or(defaults.accents),
        };
        if rules.all.len() == 1 {
            self.problem(
                &at,
                Some(c),
                "`all` lists a single term or group",
                "`all` needs two or more terms (or lists of alternatives) that must all occur; for one term, or a list of alternatives, use `keywords`",
            );
        }
        if rules.is_empty() && !rules.not.is_empty() {
            self.problem(
                &at,
                Some(c),
                "the code has `not` terms but no rule that applies it",
                "`not` only vetoes a code whose keywords, patterns, `all` or `near` fired; add one of those",
            );
        }
        let extract = self.extract(keys.get("extract").copied(), &rules.patterns, c);
        let color = self.colour(keys.get("color").copied(), c);
        let me = self.codes.len();
        self.index.entry(name.clone()).or_insert(me);
        let path = match parent {
            Some(p) => format!("{}/{name}", self.codes[p].path),
            None => name.clone(),
        };
        self.codes.push(Code {
            path,
            label: if label.is_empty() { name.clone() } else { label },
            name,
            description,
            include,
            exclude,
            examples,
            counterexamples,
            color,
            parent,
            depth,
            rules,
            extract,
            line: at.line(),
        });
        if let Some(children) = keys.get("children") {
            let parent_name = self.codes[me].name.clone();
            for child in self.list(children, "children", Some(&parent_name), "a list of codes") {
                self.code(child, Some(me), depth + 1, defaults);
            }
        }
    }
}

/// The codes in a codebook's tree, children included, counted before the
/// check so that the check's work stays within the limit.
fn count_codes(node: &Node) -> usize {
    let Value::Map(entries) = &node.value else {
        return 0;
    };
    entries
        .iter()
        .filter(|(key, _)| key.value == "codes" || key.value == "children")
        .map(|(_, list)| match &list.value {
            Value::List(items) => items.iter().map(|code| 1 + count_codes(code)).sum(),
            _ => 0,
        })
        .sum()
}

/// Parses YAML the way qcode reads every YAML file (codebooks, front
/// matter, dictionaries): within [`limits::YAML_VALUES`], so that a small
/// file cannot make the parser use a lot of memory.
pub(crate) fn parse_yaml<'de, T: Deserialize<'de>>(text: &'de str) -> std::result::Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, yaml_options())
}

/// The parser's options within qcode's limits.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = limits::YAML_VALUES.value() as usize;
    // Every value is one event, and every list or map one more at its end.
    budget.max_events = budget.max_nodes.saturating_mul(2).saturating_add(16);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// The error for YAML the parser stopped reading at one of its limits, if
/// `e` is one; `place` names the file.
pub(crate) fn budget_error(e: &serde_saphyr::Error, place: &str) -> Option<Error> {
    use serde_saphyr::budget::BudgetBreach;
    let serde_saphyr::Error::Budget { breach, .. } = e.without_snippet() else {
        return None;
    };
    let error = match breach {
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
            limits::YAML_VALUES.exceeded("the file holds more YAML values than that")
        }
        other => Error::new(format!("the YAML is too large or too deeply nested for qcode to read ({other:?})"))
            .hint("this limit cannot be raised: it keeps a small file from making the parser use a lot of memory; check the file's indentation and anchors"),
    };
    Some(error.at(place.to_string()))
}

/// Turns a YAML error into a located, explained error.
fn yaml_error(e: &serde_saphyr::Error, source: &str, text: &str) -> Error {
    if let Some(e) = budget_error(e, source) {
        return e;
    }
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
    let msg = msg.trim();
    // Keep the first line, without the location the place already gives.
    let first = msg.lines().next().unwrap_or(msg);
    let first = match first.rfind(" at line ") {
        Some(k) => &first[..k],
        None => first,
    };
    let hint = if first.contains("alias") || first.contains("anchor") {
        "a term that starts with `*` must be in quotes, e.g. '*smuggl*' (in YAML a bare `*` starts an alias)"
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
