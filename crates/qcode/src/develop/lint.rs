//! `qcode codebook lint`: findings about a codebook on a corpus, each with
//! its reason — rules that never fire, keywords another keyword already
//! covers, codes that fire almost everywhere, sibling codes that always fire
//! together, patterns that match very short text, keywords found only in
//! speaker labels or headers, `not` terms that veto every hit, examples
//! written twice.
//!
//! What needs the corpus is found in one pass: every rule, every code
//! without its `not` terms, every `not` term and every code as written are
//! codes of one derived codebook. Keywords are also looked for once more in
//! each document as a whole, labels and headers included (a second, small
//! matcher), to tell a keyword that never fires from one that only occurs
//! where qcode never codes.

use std::collections::{BTreeMap, BTreeSet};

use super::{detached, with_codes};
use crate::codebook::{Accents, Code, Codebook, Rules, SpeakerSet, Term};
use crate::error::Result;
use crate::matcher::{Matcher, fold_str};
use crate::pipeline::CodedDocument;
use crate::reliability::rules::single_rules;
use crate::report::{Align, Footnotes, JsonObject, Provenance, Record, Records, Report, Style, Table, counted};
use crate::segment::Segment;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The code it is about.
    pub code: String,
    /// What kind of finding: a short, stable name (`never-fires`, …).
    pub kind: &'static str,
    /// What was found, and why it matters.
    pub message: String,
}

/// What a derived code stands for.
#[derive(Debug, Clone)]
enum Role {
    /// A rule of a code, described.
    Rule { code: usize, rule: String },
    /// A code's rules without their `not` terms, `min_hits` and scope.
    Unvetoed(usize),
    /// A `not` term of a code.
    Not { code: usize, term: String },
    /// The code as written.
    Code(usize),
    /// A keyword (index into [`Lint::keywords`]) without its code's
    /// speaker scope.
    Unscoped(usize),
}

/// Thresholds of the findings that need one.
#[derive(Debug, Clone, Copy)]
pub struct LintOptions {
    /// A code that fires on more than this share of passages is reported.
    pub max_share: f64,
    /// Sibling codes are reported when they always fire together on at
    /// least this many passages.
    pub min_together: usize,
    /// A pattern that can match this many characters or fewer is reported.
    pub short_pattern: usize,
}

impl Default for LintOptions {
    fn default() -> LintOptions {
        LintOptions {
            max_share: 0.5,
            min_together: 3,
            short_pattern: 2,
        }
    }
}

/// The lint of a codebook, fed document by document.
pub struct Lint {
    codebook: Codebook,
    options: LintOptions,
    /// The derived codebook all findings on the corpus come from.
    pub derived: Codebook,
    roles: Vec<Role>,
    /// Every keyword of every code (code, keyword), and a matcher of one
    /// code per keyword, run on whole documents with nothing masked.
    keywords: Vec<(usize, Term)>,
    unmasked: Matcher,
    /// Per derived code, the passages it fired on.
    fired: Vec<usize>,
    /// Per keyword, whether it occurs anywhere in the text, labels and
    /// headers included, and whether it fired as a rule.
    occurs: Vec<bool>,
    /// Per code and `not` term (derived index), the unvetoed passages the
    /// term occurs in.
    vetoed: BTreeMap<usize, usize>,
    /// Per pair of codes (by index), the passages both fire on.
    together: BTreeMap<(usize, usize), usize>,
    /// Per code, the passages coded with it or a sub-code.
    coded: Vec<usize>,
    passages: usize,
}

impl Lint {
    /// Prepares the lint of `codebook`.
    pub fn new(codebook: &Codebook, options: LintOptions) -> Result<Lint> {
        let mut codes: Vec<Code> = Vec::new();
        let mut roles = Vec::new();
        let mut add = |code: Code, role: Role| {
            codes.push(code);
            roles.push(role);
        };
        for (ci, code) in codebook.codes.iter().enumerate() {
            for (rule, mut rules) in single_rules(code) {
                rules.not.clear();
                add(with_rules(code, rules), Role::Rule { code: ci, rule });
            }
            if code.rules.is_empty() {
                continue;
            }
            if !code.rules.not.is_empty() {
                let unvetoed = Rules {
                    not: Vec::new(),
                    min_hits: 1,
                    ..code.rules.clone()
                };
                add(with_rules(code, unvetoed), Role::Unvetoed(ci));
                for term in &code.rules.not {
                    let rules = Rules {
                        keywords: vec![term.clone()],
                        min_hits: 1,
                        accents: code.rules.accents,
                        speakers: code.rules.speakers.clone(),
                        skip_speakers: code.rules.skip_speakers.clone(),
                        ..Rules::default()
                    };
                    add(
                        with_rules(code, rules),
                        Role::Not {
                            code: ci,
                            term: term.raw.clone(),
                        },
                    );
                }
            }
        }
        for (ci, code) in codebook.codes.iter().enumerate() {
            add(detached(code), Role::Code(ci));
        }
        let keywords: Vec<(usize, Term)> = codebook
            .codes
            .iter()
            .enumerate()
            .flat_map(|(ci, c)| c.rules.keywords.iter().map(move |k| (ci, k.clone())))
            .collect();
        let keyword_codes: Vec<Code> = keywords
            .iter()
            .map(|(ci, k)| {
                let rules = Rules {
                    keywords: vec![k.clone()],
                    min_hits: 1,
                    accents: codebook.codes[*ci].rules.accents,
                    speakers: SpeakerSet::default(),
                    skip_speakers: SpeakerSet::default(),
                    ..Rules::default()
                };
                with_rules(&codebook.codes[*ci], rules)
            })
            .collect();
        for (k, code) in keyword_codes.iter().enumerate() {
            add(code.clone(), Role::Unscoped(k));
        }
        let unmasked = Matcher::new(&with_codes(codebook, keyword_codes))?;
        let derived = with_codes(codebook, codes);
        Ok(Lint {
            codebook: codebook.clone(),
            options,
            fired: vec![0; derived.codes.len()],
            derived,
            roles,
            occurs: vec![false; keywords.len()],
            keywords,
            unmasked,
            vetoed: BTreeMap::new(),
            together: BTreeMap::new(),
            coded: vec![0; codebook.codes.len()],
            passages: 0,
        })
    }

    /// Adds one document coded with [`Lint::derived`].
    pub fn add(&mut self, coded: &CodedDocument) {
        self.passages += coded.segments.len();
        for in_segment in coded.applied.chunk_by(|a, b| a.segment == b.segment) {
            let mut codes_here = BTreeSet::new();
            let mut unvetoed_here = BTreeSet::new();
            let mut nots_here = Vec::new();
            for a in in_segment {
                self.fired[a.code] += 1;
                match &self.roles[a.code] {
                    Role::Code(ci) => {
                        // A passage coded with a sub-code counts for its parents.
                        codes_here.extend(self.codebook.ancestry(*ci));
                    }
                    Role::Unvetoed(ci) => {
                        unvetoed_here.insert(*ci);
                    }
                    Role::Not { code, .. } => nots_here.push((a.code, *code)),
                    Role::Rule { .. } | Role::Unscoped(_) => {}
                }
            }
            for (derived, code) in nots_here {
                if unvetoed_here.contains(&code) {
                    *self.vetoed.entry(derived).or_default() += 1;
                }
            }
            let codes_here: Vec<usize> = codes_here.into_iter().collect();
            for &c in &codes_here {
                self.coded[c] += 1;
            }
            for (i, &a) in codes_here.iter().enumerate() {
                for &b in &codes_here[i + 1..] {
                    *self.together.entry((a, b)).or_default() += 1;
                }
            }
        }
        // The keywords in the whole text, labels and headers included.
        let text = &coded.doc.text;
        if !text.is_empty() && self.occurs.iter().any(|o| !o) {
            let whole = Segment {
                index: 1,
                start: 0,
                end: text.len(),
                start_char: 0,
                end_char: text.chars().count(),
                start_line: 1,
                end_line: 1,
                speaker: None,
                start_time: None,
                end_time: None,
            };
            for a in self.unmasked.apply(text, &[], std::slice::from_ref(&whole)).applied {
                self.occurs[a.code] = true;
            }
        }
    }

    /// Every finding, code by code in codebook order.
    pub fn findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut push = |code: usize, kind: &'static str, message: String| {
            findings.push((
                code,
                Finding {
                    code: self.codebook.codes[code].name.clone(),
                    kind,
                    message,
                },
            ));
        };
        // Rules that never fire, and keywords only in labels or headers.
        for (d, role) in self.roles.iter().enumerate() {
            let Role::Rule { code, rule } = role else { continue };
            if self.fired[d] > 0 {
                continue;
            }
            let keyword = self
                .keywords
                .iter()
                .position(|(ci, term)| ci == code && *rule == format!("keyword `{}`", term.raw));
            let out_of_scope = keyword.is_some_and(|k| {
                self.roles
                    .iter()
                    .position(|r| matches!(r, Role::Unscoped(u) if *u == k))
                    .is_some_and(|u| self.fired[u] > 0)
            });
            let only_in_labels = keyword.is_some_and(|k| self.occurs[k]);
            if out_of_scope {
                push(
                    *code,
                    "out-of-scope",
                    format!(
                        "{rule} fires only in passages the code's speaker scope leaves out (such as the interviewer's)"
                    ),
                );
            } else if only_in_labels {
                push(
                    *code,
                    "only-in-labels",
                    format!("{rule} occurs only in speaker labels or document headers, which are never coded"),
                );
            } else {
                push(
                    *code,
                    "never-fires",
                    format!("{rule} never fires on the corpus: a typo, a word nobody says, or a rule to drop"),
                );
            }
        }
        // `not` terms that veto every hit.
        for (d, role) in self.roles.iter().enumerate() {
            let Role::Not { code, term } = role else { continue };
            let unvetoed = self
                .roles
                .iter()
                .position(|r| matches!(r, Role::Unvetoed(c) if c == code))
                .map_or(0, |u| self.fired[u]);
            let vetoed = self.vetoed.get(&d).copied().unwrap_or(0);
            if unvetoed > 0 && vetoed == unvetoed {
                push(
                    *code,
                    "not-vetoes-all",
                    format!(
                        "the `not` term `{term}` vetoes every passage the rules find ({}): the code never applies",
                        counted(unvetoed, "passage")
                    ),
                );
            }
        }
        for (ci, code) in self.codebook.codes.iter().enumerate() {
            // Codes that fire almost everywhere.
            let coded = self.coded_passages(ci);
            if self.passages > 0 && coded as f64 > self.options.max_share * self.passages as f64 {
                push(
                    ci,
                    "fires-too-often",
                    format!(
                        "fires on {coded} of {} passages ({:.1} %, more than {} %): a rule is likely too broad",
                        self.passages,
                        100.0 * coded as f64 / self.passages as f64,
                        100.0 * self.options.max_share
                    ),
                );
            }
            // Keywords covered by another keyword of the code.
            let keywords = &code.rules.keywords;
            for (i, a) in keywords.iter().enumerate() {
                let accents = code.rules.accents;
                // Of two keywords that cover each other, the later is reported.
                let by = keywords
                    .iter()
                    .enumerate()
                    .find(|&(j, b)| j != i && covers(b, a, accents) && !(covers(a, b, accents) && j > i));
                if let Some(b) = by {
                    push(
                        ci,
                        "covered-keyword",
                        format!(
                            "keyword `{}` is already covered by keyword `{}`: every passage it finds, `{}` finds too",
                            a.raw, b.1.raw, b.1.raw
                        ),
                    );
                }
            }
            // Patterns that match very short or empty text.
            for p in &code.rules.patterns {
                let Ok(hir) = regex_syntax::parse(p) else { continue };
                match hir.properties().minimum_len() {
                    Some(0) => push(
                        ci,
                        "short-pattern",
                        format!(
                            "pattern `{p}` can match empty text: empty matches never count, so it fires only where it matches more; write what it must match (`+` rather than `*`)"
                        ),
                    ),
                    Some(n) if n <= self.options.short_pattern => push(
                        ci,
                        "short-pattern",
                        format!(
                            "pattern `{p}` can match {} alone: check that it needs what you mean",
                            counted(n, "byte")
                        ),
                    ),
                    _ => {}
                }
            }
            // Examples written twice.
            let written: Vec<(&str, &str)> = code
                .examples
                .iter()
                .map(|e| ("example", e.text.as_str()))
                .chain(code.counterexamples.iter().map(|e| ("counterexample", e.text.as_str())))
                .collect();
            for (i, (kind, text)) in written.iter().enumerate() {
                let same = |other: &str| normalized(other) == normalized(text);
                if let Some((other_kind, _)) = written[..i].iter().find(|(_, other)| same(other)) {
                    push(
                        ci,
                        "duplicate-example",
                        format!("the {kind} \"{text}\" repeats an earlier {other_kind} of the code"),
                    );
                }
            }
        }
        // Sibling codes that always fire together.
        for (&(a, b), &both) in &self.together {
            let siblings = self.codebook.codes[a].parent == self.codebook.codes[b].parent;
            if siblings
                && both >= self.options.min_together
                && both == self.coded_passages(a)
                && both == self.coded_passages(b)
            {
                push(
                    a,
                    "always-together",
                    format!(
                        "fires on exactly the same {} as its sibling `{}`: one of them may be redundant, or their rules the same",
                        counted(both, "passage"),
                        self.codebook.codes[b].name
                    ),
                );
            }
        }
        findings.sort_by_key(|(code, _)| *code);
        findings.into_iter().map(|(_, f)| f).collect()
    }

    /// Passages coded with the code (or a sub-code).
    fn coded_passages(&self, ci: usize) -> usize {
        self.coded[ci]
    }
}

/// The findings of a lint, as a report.
#[derive(Debug, Clone)]
pub struct Findings {
    /// Every finding, code by code in codebook order.
    pub findings: Vec<Finding>,
    /// Passages of the corpus.
    pub passages: usize,
}

impl Lint {
    /// The findings, once every document was added.
    pub fn finish(&self) -> Findings {
        Findings {
            findings: self.findings(),
            passages: self.passages,
        }
    }
}

const FIELDS: &[&str] = &["code", "finding", "message"];

impl Findings {
    fn record(f: &Finding) -> Record {
        let mut r = Record::new(FIELDS);
        r.text(&f.code).text(f.kind).text(&f.message);
        r
    }
}

impl Report for Findings {
    fn summary(&self, _style: Style) -> Vec<String> {
        vec![format!(
            "{} on {} of the corpus",
            counted(self.findings.len(), "finding"),
            counted(self.passages, "passage")
        )]
    }

    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        if self.findings.is_empty() {
            return None;
        }
        let mut table = Table::new(vec![
            ("code".into(), Align::Left),
            ("finding".into(), Align::Left),
            ("why".into(), Align::Left),
        ]);
        for f in &self.findings {
            table.push(vec![f.code.clone(), f.kind.to_string(), f.message.clone()]);
        }
        Some(table)
    }

    fn records(&self) -> Records {
        Records::new(FIELDS, self.findings.iter().map(Self::record).collect())
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("provenance", provenance)
            .value("passages", self.passages)
            .records("findings", self.findings.iter().map(Self::record).collect())
            .value("warnings", warnings)
    }
}

/// `code` with `rules` instead of its own, at the top of the hierarchy.
fn with_rules(code: &Code, rules: Rules) -> Code {
    Code {
        rules,
        ..detached(code)
    }
}

/// Text compared for duplicates: folded, white space collapsed.
fn normalized(text: &str) -> String {
    fold_str(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether every match of keyword `a` holds a match of keyword `b`, both
/// compared with `accents`: `b`'s words appear in `a`'s, in order, each
/// equal or — where `b` has a wildcard at that end — extended, and `a`'s
/// own wildcards are matched by `b`'s. Terms with a `*` inside a word are
/// left alone.
pub fn covers(b: &Term, a: &Term, accents: Accents) -> bool {
    if a.inner_wildcard || b.inner_wildcard || b.words.len() > a.words.len() {
        return false;
    }
    // A word of `a` as `b`'s word `y` sees it: folded where `y`'s letters
    // match with or without accents.
    let seen = |x: &str, y: &str| match accents {
        Accents::Exact => x.to_string(),
        Accents::Ignore => fold_str(x),
        Accents::Tolerant if fold_str(y) == y => fold_str(x),
        Accents::Tolerant => x.to_string(),
    };
    let wanted = |y: &str| match accents {
        Accents::Ignore => fold_str(y),
        _ => y.to_string(),
    };
    let n = b.words.len();
    let last_of_a = a.words.len() - 1;
    (0..=a.words.len() - n).any(|at| {
        (0..n).all(|k| {
            let y = wanted(&b.words[k]);
            let x = seen(&a.words[at + k], &b.words[k]);
            let b_open_start = b.open_start && k == 0;
            let b_open_end = b.open_end && k == n - 1;
            // Where `a` may match inside a word, `b` must be open there too.
            if (a.open_start && at + k == 0 && !b_open_start) || (a.open_end && at + k == last_of_a && !b_open_end) {
                return false;
            }
            match (b_open_start, b_open_end) {
                (false, false) => x == y,
                (true, false) => x.ends_with(y.as_str()),
                (false, true) => x.starts_with(y.as_str()),
                (true, true) => x.contains(y.as_str()),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codebook::parse_term;

    fn covered(b: &str, a: &str) -> bool {
        covers(&parse_term(b).unwrap(), &parse_term(a).unwrap(), Accents::Tolerant)
    }

    #[test]
    fn keywords_covered_by_others() {
        assert!(covered("coyote*", "coyote"));
        assert!(covered("coyote*", "coyotes"));
        assert!(covered("coyote", "pay the coyote"));
        assert!(covered("coyote*", "pay the coyotes"));
        assert!(covered("*smuggl*", "smuggler"));
        assert!(!covered("coyote", "coyote*"), "coyote* also finds coyotes");
        assert!(!covered("coyote", "coyotes"));
        assert!(!covered("pay the coyote", "coyote"));
        assert!(!covered("coyote*", "*coyote"));
        assert!(covered("prestamo", "préstamo"), "tolerant: prestamo finds préstamo");
        assert!(!covered("préstamo", "prestamo"), "an accent written must be there");
        let exact = |b: &str, a: &str| covers(&parse_term(b).unwrap(), &parse_term(a).unwrap(), Accents::Exact);
        assert!(!exact("prestamo", "préstamo"));
    }
}
