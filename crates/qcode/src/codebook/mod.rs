//! The codebook: a versionable YAML file of hierarchical codes and their
//! rules.
//!
//! [`Codebook::load`] reads a file and [`Codebook::parse`] a text; both
//! check every value (in the private `yaml` module) and give a flat list of
//! codes in hierarchy order (parents before children), each with its
//! [`Rules`]. The file's SHA-256 is kept so that every output can name the
//! exact codebook that produced it.

mod extract;
mod people;
mod rules;
mod yaml;

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use extract::Extracted;
pub use people::People;
pub use rules::{Alternatives, Near, Rules, SpeakerSet, Term, alternatives_text, parse_term};
pub(crate) use yaml::{budget_error, parse_yaml};

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
    /// The value as written in a codebook's `accents:` key.
    pub fn as_str(self) -> &'static str {
        match self {
            Accents::Tolerant => "tolerant",
            Accents::Exact => "exact",
            Accents::Ignore => "ignore",
        }
    }
}

/// One code of the codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Stable identifier, unique in the codebook.
    pub name: String,
    /// Readable name for tables and exports; the `name` when the codebook
    /// gives no `label`.
    pub label: String,
    /// Definition of the code, trimmed; empty when not given.
    pub description: String,
    /// Inclusion notes for human coders (what counts), trimmed; empty when
    /// not given. Not used by the matcher.
    pub include: String,
    /// Exclusion notes for human coders (what does not count), trimmed;
    /// empty when not given. Not used by the matcher.
    pub exclude: String,
    /// Passages the code's rules must code (`qcode codebook test`), each
    /// trimmed, in the order written.
    pub examples: Vec<Example>,
    /// Passages the code's rules must not code, each trimmed, in the order
    /// written.
    pub counterexamples: Vec<Example>,
    /// `#RRGGBB` in upper case, if given.
    pub color: Option<String>,
    /// Index of the parent code in [`Codebook::codes`].
    pub parent: Option<usize>,
    /// 0 for top-level codes.
    pub depth: usize,
    /// When the code applies; empty for a grouping code (see
    /// [`Rules::is_empty`]).
    pub rules: Rules,
    /// The fields the code extracts from its passages: named capture
    /// groups of its patterns (`extract: [amount]` with a pattern
    /// `(?P<amount>…)`), in the order the codebook lists them.
    pub extract: Vec<String>,
    /// Line (1-based) of the code's `name` in the codebook file.
    pub line: u64,
    /// The code's path in the hierarchy: its ancestors' names and its own,
    /// joined by `/` (`debt/lenders_interest`).
    pub path: String,
}

/// A passage written in the codebook as an example (or counterexample)
/// of a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The passage, trimmed. A speaker label at its start
    /// (`Interviewer: …`) says who speaks it.
    pub text: String,
    /// Line (1-based) of the passage in the codebook file.
    pub line: u64,
}

/// A checked codebook, codes in hierarchy order (parents before children).
#[derive(Debug, Clone)]
pub struct Codebook {
    /// The codebook's `name`, trimmed; never empty.
    pub name: String,
    /// The `version` as written, if given.
    pub version: Option<String>,
    /// What the codebook is for, trimmed; empty when not given.
    pub description: String,
    /// The segmentation unit the codebook asks for ([`Unit::Paragraph`]
    /// when not given); a command-line `--unit` overrides it.
    pub unit: Unit,
    /// A regular expression that replaces the built-in speaker-label rule
    /// (see [`SpeakerRule`](crate::speakers::SpeakerRule)), checked when
    /// read; `None`: the built-in rule. A command-line `--speaker-pattern`
    /// overrides it.
    pub speaker_pattern: Option<String>,
    /// A named way of reading speakers (see
    /// [`Preset`](crate::speakers::Preset)); never given with
    /// `speaker_pattern`. A command-line `--speaker-preset` overrides it.
    pub speaker_preset: Option<crate::speakers::Preset>,
    /// How accents are compared in codes that do not say (`accents:`).
    pub default_accents: Accents,
    /// Speakers no code applies to unless it says otherwise.
    pub skip_speakers: SpeakerSet,
    /// The codebook's speakers (the labels that stand for each) and roles.
    pub people: People,
    /// Named periods of time (`periods:`), for `--by period`.
    pub periods: crate::dates::Periods,
    /// How amounts read `$`, `pesos` and `colones` (`currencies:`).
    pub currencies: crate::amounts::CurrencySettings,
    /// Every code, parents before children (pre-order); a code's index
    /// here is how [`Code::parent`] and the matcher refer to it.
    pub codes: Vec<Code>,
    /// SHA-256 of the file's bytes, printed with every output so results can
    /// be traced to the exact codebook.
    pub sha256: String,
    /// Where it was read from, as given on the command line.
    pub source: String,
    index: IndexMap<String, usize>,
    extractors: extract::Extractors,
}

impl Codebook {
    /// Reads and checks a codebook file.
    pub fn load(path: &Path) -> Result<Codebook> {
        let bytes = crate::files::read_bytes(path)?;
        if let Some(e) = not_a_codebook(path, &bytes) {
            return Err(e.in_file(path));
        }
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            Error::new(format!(
                "the codebook is not valid UTF-8 (first bad byte at offset {})",
                e.valid_up_to()
            ))
            .in_file(path)
            .hint("save the codebook as UTF-8 in your editor")
        })?;
        let text = crate::text::strip_bom(text);
        yaml::check(text, &path.display().to_string(), sha256_hex(&bytes))
    }
    /// A codebook without codes, for runs that read and cut documents
    /// without coding them (`qcode amounts` without a codebook).
    pub fn without_codes() -> Codebook {
        Codebook {
            name: String::new(),
            version: None,
            description: String::new(),
            unit: Unit::Paragraph,
            speaker_pattern: None,
            speaker_preset: None,
            default_accents: Accents::default(),
            skip_speakers: SpeakerSet::default(),
            people: People::default(),
            periods: crate::dates::Periods::default(),
            currencies: crate::amounts::CurrencySettings::default(),
            codes: Vec::new(),
            sha256: String::new(),
            source: String::new(),
            index: IndexMap::new(),
            extractors: extract::Extractors::default(),
        }
    }

    /// Reads a file of named periods: `name: [first day, day after the
    /// last]` per line (`..` for an open end), or a codebook's
    /// `periods:`; the checks are the codebook's.
    pub fn load_periods(path: &Path) -> Result<crate::dates::Periods> {
        let bytes = crate::files::read_bytes(path)?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            Error::new(format!(
                "the periods file is not valid UTF-8 (first bad byte at offset {})",
                e.valid_up_to()
            ))
            .in_file(path)
            .hint("save it as UTF-8 in your editor")
        })?;
        yaml::check_periods(crate::text::strip_bom(text), &path.display().to_string())
    }

    /// Parses and checks codebook YAML; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Codebook> {
        let text = crate::text::strip_bom(text);
        yaml::check(text, source, sha256_hex(text.as_bytes()))
    }

    /// How this codebook reads speakers: its pattern or preset, else the
    /// automatic rule.
    pub fn speaker_rule(&self) -> Result<crate::speakers::SpeakerRule> {
        crate::speakers::SpeakerRule::new(self.speaker_pattern.as_deref(), self.speaker_preset)
    }

    /// The names of every code, in hierarchy order: the codes a comparison
    /// of coders declares.
    pub fn code_names(&self) -> Vec<String> {
        self.codes.iter().map(|c| c.name.clone()).collect()
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

    /// The codes that automatic coding never applies: no rules and no
    /// sub-codes. They are codes for coding by hand (an imported REFI-QDA
    /// codebook, codes applied by people in a coded CSV).
    pub fn by_hand_only(&self) -> Vec<usize> {
        let parents: std::collections::HashSet<usize> = self.codes.iter().filter_map(|c| c.parent).collect();
        (0..self.codes.len())
            .filter(|&i| self.codes[i].rules.is_empty() && !parents.contains(&i))
            .collect()
    }

    /// The code's path in the hierarchy: `parent/child`.
    pub fn path(&self, code: usize) -> &str {
        &self.codes[code].path
    }

    /// A code's rules in words, one line per kind (`3 keywords: …`,
    /// `near: … within 5 words of …`), as `codebook check` and the review
    /// report show them; a code without rules says whether it is coded by
    /// hand or groups its sub-codes.
    pub fn rule_lines(&self, code: usize) -> Vec<String> {
        let terms = |ts: &[Term]| ts.iter().map(|t| t.raw.as_str()).collect::<Vec<_>>().join(", ");
        let r = &self.codes[code].rules;
        let mut rules = Vec::new();
        if !r.keywords.is_empty() {
            rules.push(format!(
                "{}: {}",
                crate::text::counted(r.keywords.len(), "keyword"),
                terms(&r.keywords)
            ));
        }
        if !r.patterns.is_empty() {
            rules.push(format!("patterns: {}", r.patterns.join("  ")));
        }
        if !r.all.is_empty() {
            let groups: Vec<String> = r.all.iter().map(|g| alternatives_text(g)).collect();
            rules.push(format!("all of: {}", groups.join(", ")));
        }
        for n in &r.near {
            rules.push(format!(
                "near: {} within {} words of {}",
                alternatives_text(&n.a),
                n.within,
                alternatives_text(&n.b)
            ));
        }
        if !r.not.is_empty() {
            rules.push(format!("not: {}", terms(&r.not)));
        }
        if r.min_hits > 1 {
            rules.push(format!("min_hits: {}", r.min_hits));
        }
        if !r.is_empty() && !r.speakers.is_empty() {
            rules.push(format!("speakers: {}", r.speakers.patterns.join(", ")));
        }
        if !r.is_empty() && !r.skip_speakers.is_empty() && r.skip_speakers != self.skip_speakers {
            rules.push(format!("skip speakers: {}", r.skip_speakers.patterns.join(", ")));
        }
        if r.accents != Accents::Tolerant {
            rules.push(format!("accents: {}", r.accents.as_str()));
        }
        let extract = &self.codes[code].extract;
        if !extract.is_empty() {
            rules.push(format!("extract: {}", extract.join(", ")));
        }
        if rules.is_empty() {
            rules.push(if self.by_hand_only().contains(&code) {
                "(none: coded by hand)".to_string()
            } else {
                "(groups its sub-codes)".to_string()
            });
        }
        rules
    }

    /// The fields code `code` extracts from a passage's `text` (see
    /// [`Code::extract`]); fields without a value are left out.
    pub fn extract(&self, code: usize, text: &str) -> Vec<Extracted> {
        self.extractors.extract(code, &self.codes[code].extract, text)
    }

    /// Every field the codebook's codes extract, each once, in codebook
    /// order: the coded CSV's `extract.FIELD` columns.
    pub fn extracted_fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = Vec::new();
        for field in self.codes.iter().flat_map(|c| &c.extract) {
            if !fields.contains(field) {
                fields.push(field.clone());
            }
        }
        fields
    }
}

/// The error for a file of another kind given as a codebook, told by its
/// extension: the usual slip is giving a table or another program's
/// codebook where qcode's YAML is expected.
fn not_a_codebook(path: &Path, bytes: &[u8]) -> Option<Error> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    let (what, hint) = match ext.as_str() {
        "csv" | "tsv" => {
            let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
            let header = String::from_utf8_lossy(header).to_lowercase();
            if header.contains("document") && header.contains("code") {
                (
                    "this is a coded CSV, not a codebook",
                    "give coded CSVs with --coded, and the codebook (a YAML file such as codebooks/smuggling.yaml) with -c",
                )
            } else {
                (
                    "this is a table (CSV), not a codebook",
                    "a codebook is a YAML file of codes and their rules (see codebooks/minimal.yaml); keep lists of words in its `keywords:`",
                )
            }
        }
        "xlsx" | "xls" | "ods" => (
            "this is a spreadsheet, not a codebook",
            "a codebook is a YAML file of codes and their rules (see codebooks/minimal.yaml)",
        ),
        "qdc" => (
            "this is a REFI-QDA codebook, not a qcode codebook",
            "turn it into one with `qcode import FILE.qdc --out codebook.yaml`",
        ),
        "qdpx" => (
            "this is a REFI-QDA project, not a codebook",
            "take its codes with `qcode import FILE.qdpx --out coded.csv --write-codebook codebook.yaml`",
        ),
        "dic" | "dicx" | "cat" => (
            "this is a keyword dictionary, not a qcode codebook",
            "turn it into one with `qcode import FILE --out codebook.yaml`",
        ),
        _ => return None,
    };
    Some(Error::new(what).hint(hint))
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Characters a code name may hold: letters, digits, `_`, `-`, `.`.
pub fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// `text` made into a code name: every other character becomes `_`.
pub fn name_from(text: &str) -> String {
    text.chars().map(|c| if is_name_char(c) { c } else { '_' }).collect()
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
    fn a_code_without_rules_is_for_coding_by_hand() {
        let cb = parse("name: T\ncodes:\n  - name: a\n    label: Coded by hand\n    keywords: []\n").unwrap();
        assert!(cb.codes[0].rules.is_empty());
        assert_eq!(cb.by_hand_only(), [0]);
        // A parent without rules groups its sub-codes: not a hand-only code.
        let cb = parse(OK).unwrap();
        assert!(cb.by_hand_only().is_empty());
    }

    #[test]
    fn every_problem_is_reported_in_one_run() {
        let yaml = "name: T\ncodes:\n  - name: a\n    keyword: [x]\n    min_hits: zero\n  - name: a b\n    patterns: ['(']\n    color: red\n    children:\n      - label: no name\n        keywords: [x]\n        keywords: [y]\n";
        let e = parse(yaml).unwrap_err();
        let all: Vec<String> = e
            .each()
            .map(|e| format!("{}: {}", e.place.as_deref().unwrap_or(""), e.what))
            .collect();
        let expected = [
            "cb.yaml:4:5: code `a`: unknown key `keyword`",
            "cb.yaml:5:15: code `a`: `min_hits` must be a whole number of at least 1, not `zero`",
            "cb.yaml:6:11: code name `a b` contains ` `",
            "cb.yaml:7:16: code `a b`: pattern `(` is not a valid regular expression:",
            "cb.yaml:8:12: code `a b`: colour `red` is not of the form #RRGGBB",
            "cb.yaml:10:9: a child of code `a b` has no `name`",
            "cb.yaml:12:9: code `(a child of a b)`: `keywords` is given twice (first on line 11)",
        ];
        assert_eq!(all.len(), expected.len(), "{all:#?}");
        for (got, want) in all.iter().zip(expected) {
            assert!(got.starts_with(want), "{got}\nwanted {want}");
        }
    }

    #[test]
    fn values_are_read_as_written() {
        let cb = parse("name: T\nversion: 2.10\ncodes:\n  - name: a\n    keywords: [1.50, yes, 007]\n").unwrap();
        assert_eq!(cb.version.as_deref(), Some("2.10"));
        let raw: Vec<&str> = cb.codes[0].rules.keywords.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(raw, ["1.50", "yes", "007"]);
    }

    #[test]
    fn a_keyword_dictionary_is_recognised() {
        let e = parse("economy:\n  - money\n  - price*\nfamily: [mother, father]\n").unwrap_err();
        assert!(e.what.contains("keyword dictionary"), "{e}");
        assert!(e.hint.as_deref().unwrap().contains("qcode import"), "{e}");
    }

    #[test]
    fn a_list_where_a_value_is_expected_is_explained() {
        let e = parse("name: T\ncodes:\n  - name: a\n    keywords: coyote\n").unwrap_err();
        assert_eq!(e.what, "code `a`: `keywords` takes a list, not a single value");
        assert_eq!(e.place.as_deref(), Some("cb.yaml:4:15"));
        assert!(e.more.is_empty());
    }

    #[test]
    fn near_distance_must_be_a_number() {
        let e = parse("name: T\ncodes:\n  - name: a\n    near:\n      - terms: [x, y]\n        within: many\n")
            .unwrap_err();
        assert!(e.what.contains("`within` must be a whole number"), "{e}");
        assert_eq!(e.place.as_deref(), Some("cb.yaml:6:17"));
    }

    #[test]
    fn groups_of_alternatives_are_checked() {
        let cb = parse("name: T\ncodes:\n  - name: a\n    all: [[x, \"y*\"], z]\n    near:\n      - terms: [[p, q], r]\n        within: 2\n").unwrap();
        let r = &cb.codes[0].rules;
        assert_eq!(r.all.len(), 2);
        assert_eq!(alternatives_text(&r.all[0]), "[x, y*]");
        assert_eq!(alternatives_text(&r.all[1]), "z");
        assert_eq!(alternatives_text(&r.near[0].a), "[p, q]");
        let e = parse("name: T\ncodes:\n  - name: a\n    all: [[], [x, \"*\"], {k: v}]\n").unwrap_err();
        let all: Vec<String> = e
            .each()
            .map(|e| format!("{}: {}", e.place.as_deref().unwrap_or(""), e.what))
            .collect();
        assert_eq!(
            all,
            [
                "cb.yaml:4:11: code `a`: an empty list of alternatives in `all`",
                "cb.yaml:4:19: code `a`: all term `*` has a `*` that stands for nothing",
                "cb.yaml:4:25: code `a`: an item of `all` is a group of keys, where a term or a list of terms was expected",
            ]
        );
    }

    #[test]
    fn yaml_syntax_error_is_located() {
        let e = parse("name: T\ncodes:\n  - name: a\n    keywords: [x, y\n").unwrap_err();
        assert!(e.place.as_ref().unwrap().starts_with("cb.yaml:"), "{e}");
    }
}
