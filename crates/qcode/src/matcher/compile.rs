//! Compiling a codebook for matching: every term folded as the text will
//! be, indexed by the word that finds it ([`super::anchors`]), and every
//! regular expression built into one scan ([`super::patterns`]).

use aho_corasick::{AhoCorasick, MatchKind};

use super::anchors::{Anchors, Literal};
use super::fold::{Required, fold_char, fold_str};
use super::patterns::{Lazy, RegexRule, RegexScan, build_regex, max_match_len, rewrite_boundaries};
use super::words::is_word_char;
use super::{LiteralUse, Matcher, Role, Slot};
use crate::codebook::{Accents, Codebook, SpeakerSet, Term};
use crate::error::{Error, Result};
use crate::text::strip_accents;

impl Matcher {
    /// [`Matcher::new`]; `from_word_starts` lets terms with `*` inside a
    /// word be looked for from their literal start (see
    /// [`word_start_literal`]) rather than by a scan of the whole text.
    pub(super) fn build(codebook: &Codebook, from_word_starts: bool) -> Result<Matcher> {
        let mut literals: Vec<String> = Vec::new();
        let mut literal_ids: std::collections::HashMap<String, usize> = Default::default();
        let mut uses: Vec<Vec<LiteralUse>> = Vec::new();
        let mut use_literal = |literal: String, u: LiteralUse| {
            let id = *literal_ids.entry(literal.clone()).or_insert_with(|| {
                literals.push(literal);
                uses.push(Vec::new());
                uses.len() - 1
            });
            uses[id].push(u);
        };
        let mut regexes = Vec::new();
        // Per regex rule: whether it runs on the folded text, and its source
        // without word boundaries (for the scans); `None` for terms run only
        // where their literal start is found.
        let mut scanned: Vec<Option<(bool, String)>> = Vec::new();
        let mut slots = Vec::new();
        for (ci, code) in codebook.codes.iter().enumerate() {
            let rules = &code.rules;
            let mut terms: Vec<(&Term, Role)> = Vec::new();
            terms.extend(rules.keywords.iter().map(|t| (t, Role::Keyword)));
            // Every alternative of a group takes the group's role: the
            // evaluation asks whether some term of each group occurs.
            for (i, group) in rules.all.iter().enumerate() {
                terms.extend(group.iter().map(|t| (t, Role::All(i as u16))));
            }
            for (i, n) in rules.near.iter().enumerate() {
                terms.extend(n.a.iter().map(|t| (t, Role::NearA(i as u16))));
                terms.extend(n.b.iter().map(|t| (t, Role::NearB(i as u16))));
            }
            terms.extend(rules.not.iter().map(|t| (t, Role::Not)));
            for (term, role) in terms {
                let slot = slots.len() as u32;
                slots.push(Slot { code: ci as u32, role });
                if term.inner_wildcard {
                    let (source, required) = term_regex(term, rules.accents);
                    let regex = build_regex(&source, false).map_err(|e| {
                        Error::new(format!(
                            "code `{}`: term `{}` cannot be compiled: {e}",
                            code.name, term.raw
                        ))
                    })?;
                    match word_start_literal(term, rules.accents).filter(|_| from_word_starts) {
                        Some(literal) => {
                            use_literal(
                                literal,
                                LiteralUse {
                                    slot,
                                    open_start: false,
                                    open_end: true,
                                    required: Vec::new(),
                                    confirm: Some(regexes.len()),
                                },
                            );
                            scanned.push(None);
                        }
                        None => scanned.push(Some((true, source))),
                    }
                    regexes.push(RegexRule {
                        slot,
                        regex,
                        ascii: None,
                        loose: None,
                        folded: true,
                        term: Some(required),
                        max_len: None,
                    });
                    continue;
                }
                let (literal, required) = fold_term(term, rules.accents);
                use_literal(
                    literal,
                    LiteralUse {
                        slot,
                        open_start: term.open_start,
                        open_end: term.open_end,
                        required,
                        confirm: None,
                    },
                );
            }
            for p in &rules.patterns {
                let slot = slots.len() as u32;
                slots.push(Slot {
                    code: ci as u32,
                    role: Role::Pattern,
                });
                let folded = match rules.accents {
                    Accents::Exact => false,
                    Accents::Ignore => true,
                    Accents::Tolerant => p.is_ascii(),
                };
                let source = if folded { strip_accents(p) } else { p.clone() };
                let regex = build_regex(&source, true)
                    .map_err(|e| Error::new(format!("code `{}`: pattern `{p}` is not valid: {e}", code.name)))?;
                let ascii = rewrite_boundaries(&source, "(?-u:$0)").and_then(|s| build_regex(&s, true).ok());
                let loose = rewrite_boundaries(&source, "").filter(|s| regex_syntax::parse(s).is_ok());
                let max_len = max_match_len(&source);
                scanned.push(Some((folded, loose.clone().unwrap_or(source))));
                regexes.push(RegexRule {
                    slot,
                    regex,
                    loose: loose.filter(|_| ascii.is_some()).map(Lazy::new),
                    ascii,
                    folded,
                    term: None,
                    max_len,
                });
            }
        }
        let (anchors, unanchored) = Anchors::new(
            &literals
                .iter()
                .zip(&uses)
                .map(|(literal, uses)| Literal {
                    bytes: literal.as_bytes(),
                    open_start: uses.iter().any(|u| u.open_start),
                    open_end: uses.iter().any(|u| u.open_end),
                })
                .collect::<Vec<_>>(),
        );
        let unanchored = if unanchored.is_empty() {
            None
        } else {
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(unanchored.iter().map(|&id| &literals[id]))
                .map_err(|e| Error::new(format!("the keywords cannot be compiled: {e}")))?;
            Some((automaton, unanchored))
        };
        let mut scopes: Vec<(SpeakerSet, SpeakerSet)> = Vec::new();
        let mut scope_of = Vec::new();
        for code in &codebook.codes {
            let scope = (code.rules.speakers.clone(), code.rules.skip_speakers.clone());
            scope_of.push(scopes.iter().position(|s| *s == scope).unwrap_or_else(|| {
                scopes.push(scope);
                scopes.len() - 1
            }));
        }
        let scan = |folded: bool| {
            RegexScan::new(
                scanned
                    .iter()
                    .enumerate()
                    .filter_map(|(rule, scanned)| match scanned {
                        Some((f, source)) if *f == folded => Some((rule, source.clone())),
                        _ => None,
                    })
                    .collect(),
            )
        };
        Ok(Matcher {
            confirms: uses.iter().flatten().any(|u| u.confirm.is_some()),
            anchors,
            unanchored,
            uses,
            folded_scan: scan(true),
            original_scan: scan(false),
            regexes,
            slots,
            codes: codebook.codes.iter().map(|c| c.rules.clone()).collect(),
            scopes,
            scope_of,
        })
    }
}

/// The folded literal of a term and, per folded char, the original char it
/// requires under `accents`.
fn fold_term(term: &Term, accents: Accents) -> (String, Required) {
    let mut literal = String::new();
    let mut required = Vec::new();
    for (wi, word) in term.words.iter().enumerate() {
        if wi > 0 {
            literal.push(' ');
            required.push(None);
        }
        fold_piece(word, accents, &mut literal, &mut required);
    }
    if required.iter().all(Option::is_none) {
        required.clear();
    }
    (literal, required)
}

/// Appends the folded form of `piece` to `literal` and, per folded char, the
/// original char it requires under `accents` to `required`.
fn fold_piece(piece: &str, accents: Accents, literal: &mut String, required: &mut Required) {
    for c in piece.chars() {
        let before = literal.len();
        fold_char(c, |d| literal.push(d));
        let added = literal[before..].chars().count();
        let lower = c.to_lowercase().next().unwrap_or(c);
        let need = match accents {
            Accents::Ignore => None,
            Accents::Exact => Some(lower),
            Accents::Tolerant => (!literal[before..].starts_with(lower)).then_some(lower),
        };
        for k in 0..added {
            required.push(if k == 0 { need } else { None });
        }
    }
}

/// The regex for a term with `*` inside a word, over folded text, with one
/// capture group per literal piece, and the accent requirements of each
/// piece (none when no piece has any).
///
/// Accents are checked on the pieces of the regex's own (leftmost-first,
/// greedy) match; another way of filling the wildcards is not tried.
fn term_regex(term: &Term, accents: Accents) -> (String, Vec<Required>) {
    // What `*` stands for: word characters as the word boundaries have
    // them ([`is_word_char`]); `\w` would also take `_` and join controls,
    // so that `patr*n` ran on from `x_` into `patron`.
    const WILDCARD: &str = r"[\p{Alphabetic}\p{N}]*";
    let mut required = Vec::new();
    let mut words = Vec::new();
    for word in &term.words {
        let mut pieces = Vec::new();
        for piece in word.split('*') {
            if piece.is_empty() {
                pieces.push(String::new());
                continue;
            }
            let (mut literal, mut need) = (String::new(), Vec::new());
            fold_piece(piece, accents, &mut literal, &mut need);
            required.push(need);
            pieces.push(format!("({})", regex::escape(&literal)));
        }
        words.push(pieces.join(WILDCARD));
    }
    let mut re = words.join(" ");
    if term.open_start {
        re = format!("{WILDCARD}{re}");
    }
    if term.open_end {
        re.push_str(WILDCARD);
    }
    if required.iter().flatten().all(Option::is_none) {
        required.clear();
    }
    (re, required)
}

/// The folded start of a one-word term with `*` inside it (`patr*n`), when
/// its matches can be found from it: the start is three ASCII letters or
/// digits or more (a word of the text can be looked up by it) and every
/// piece of the word folds to word characters, so that a match of the
/// term's regex never leaves the word it starts in.
///
/// Such a term is then looked for only where a word starts with it, by its
/// regex anchored there, rather than by a scan of the whole text. That
/// gives the same matches: a match accepted by the scan starts a word,
/// and a match the scan rejects (not starting a word) lies inside one word
/// and so cannot hide a match that starts a later word.
fn word_start_literal(term: &Term, accents: Accents) -> Option<String> {
    let [word] = &term.words[..] else { return None };
    if term.open_start || !word.split('*').all(|piece| fold_str(piece).chars().all(is_word_char)) {
        return None;
    }
    let first = word.split('*').next()?;
    let (mut literal, mut required) = (String::new(), Vec::new());
    fold_piece(first, accents, &mut literal, &mut required);
    (literal.len() >= 3 && literal.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(literal)
}
