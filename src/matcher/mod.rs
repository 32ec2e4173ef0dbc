//! Matching: applying every rule of every code to a document in one pass.
//!
//! Why it is built this way:
//!
//! * The text is *folded* once per document ([`fold`]) — lower-cased,
//!   accents removed, every run of white space collapsed to one space,
//!   speaker labels turned into separators — into a buffer with a map from
//!   each folded byte back to the original byte. Keywords are folded the
//!   same way, so `prestamo` finds `Préstamo` and `pay the smuggler` finds
//!   `pay the\nsmuggler`.
//! * Keywords are found word by word ([`anchors`]): each is indexed by one
//!   of its words, and the text's words are looked up in that index, so the
//!   cost hardly grows with the number of keywords. The few keywords that
//!   have no such word (`*smuggl*`) go into one Aho-Corasick automaton.
//!   Word boundaries, wildcards (`hipotec*`) and accent requirements (`año`
//!   must not match `ano`) are checked in code around each candidate. A
//!   regex set with Unicode `\b` would be about a thousand times slower on
//!   accented text.
//! * A term with `*` inside a word (`patr*n`) is a regex, run only from the
//!   words that start with its literal start (`patr`), which are found with
//!   the keywords: reading the whole text for it would cost as much as all
//!   the keywords together.
//! * Regular-expression rules ([`patterns`]) are found in two steps: one
//!   automaton for all of them, without their word boundaries, tells in one
//!   pass which segments may hold a match of each; each rule's own regex
//!   then searches only those. The scans of the folded and of the original
//!   text walk in the same loop, so that their memory loads overlap.
//! * `all`, `near`, `not`, `min_hits` and speaker scopes are evaluated
//!   afterwards on the hits of each segment.

mod anchors;
mod fold;
mod patterns;
mod skip;

use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};
use regex_automata::{Anchored, Input};

use self::anchors::{Anchors, Literal};
use self::fold::Buffers;
pub use self::fold::{Folded, fold_char, fold_str};
use self::patterns::{
    Lazy, RegexRule, RegexScan, build_regex, find_all, max_match_len, rewrite_boundaries, strip_accents,
};
use crate::codebook::{Accents, Codebook, Rules, SpeakerSet, Term};
use crate::error::{Error, Result};
use crate::segment::Segment;
use crate::speakers::Label;

/// Per thread, the buffers of the last document coded, reused by the next:
/// documents are large, and allocating (and the kernel zeroing) their
/// buffers anew each time costs more than folding some of them.
#[derive(Default)]
struct Scratch {
    folded: Buffers,
    hits: Vec<Hit>,
    /// The hits grouped by segment, and the counts that group them.
    grouped: Vec<Hit>,
    counts: Vec<u32>,
    original_ranges: Vec<(usize, usize)>,
    folded_ranges: Vec<(usize, usize)>,
    word_bits: Vec<u64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
}

/// What a term is used for in its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Keyword,
    Pattern,
    All(u16),
    NearA(u16),
    NearB(u16),
    Not,
}

/// One term of one rule of one code.
#[derive(Debug, Clone)]
struct Slot {
    code: u32,
    role: Role,
}

/// For each folded char of a literal, the exact (lower-case) original
/// character it requires, if any; empty when it requires none.
type Required = Vec<Option<char>>;

/// One use of a literal by a term.
#[derive(Debug, Clone)]
struct LiteralUse {
    slot: u32,
    open_start: bool,
    open_end: bool,
    required: Required,
    /// For a term with `*` inside its word, the literal is the word's
    /// start, and this is the term's regex (index into the regexes), run
    /// from there (see [`word_start_literal`]).
    confirm: Option<usize>,
}

/// A codebook compiled for matching. Build once, share across threads.
#[derive(Debug)]
pub struct Matcher {
    /// The keywords' folded literals, by the word that finds each.
    anchors: Anchors,
    /// The literals without such a word, and their literal ids.
    unanchored: Option<(AhoCorasick, Vec<usize>)>,
    uses: Vec<Vec<LiteralUse>>,
    regexes: Vec<RegexRule>,
    /// The scans of the regexes run on the folded and on the original text.
    folded_scan: Option<RegexScan>,
    /// Whether some literal is the start of a term run from there (see
    /// [`word_start_literal`]).
    confirms: bool,
    original_scan: Option<RegexScan>,
    slots: Vec<Slot>,
    codes: Vec<Rules>,
    /// The codes' distinct speaker scopes (`speakers`, `skip_speakers`):
    /// usually one or two, checked once per segment rather than per code.
    scopes: Vec<(SpeakerSet, SpeakerSet)>,
    /// Per code, its index into `scopes`.
    scope_of: Vec<usize>,
}

/// One hit of one term, in original byte offsets.
#[derive(Debug, Clone, Copy)]
struct Hit {
    segment: u32,
    code: u32,
    slot: u32,
    start: u32,
    end: u32,
    /// Start in the folded text (for word distances).
    folded_start: u32,
}

/// A code applied to a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Index into the segments given to [`Matcher::apply`].
    pub segment: usize,
    /// Index into [`Codebook::codes`].
    pub code: usize,
    /// Number of distinct (non-overlapping) matches that supported the code.
    pub hits: usize,
    /// Where the byte ranges of those matches are in [`Applications::spans`]
    /// (one vector per document rather than one per coded segment).
    pub spans: std::ops::Range<usize>,
}

/// The codes applied to the segments of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applications {
    /// Ordered by segment, then code.
    pub applied: Vec<Applied>,
    /// Byte ranges of matches in the document text, by [`Applied::spans`].
    pub spans: Vec<(usize, usize)>,
}

impl Applications {
    /// The byte ranges of the matches that supported `applied`, in order.
    pub fn spans_of(&self, applied: &Applied) -> &[(usize, usize)] {
        &self.spans[applied.spans.clone()]
    }
}

impl Matcher {
    pub fn new(codebook: &Codebook) -> Result<Matcher> {
        Matcher::build(codebook, true)
    }

    /// [`Matcher::new`]; `from_word_starts` lets terms with `*` inside a
    /// word be looked for from their literal start (see
    /// [`word_start_literal`]) rather than by a scan of the whole text.
    fn build(codebook: &Codebook, from_word_starts: bool) -> Result<Matcher> {
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
            terms.extend(rules.all.iter().enumerate().map(|(i, t)| (t, Role::All(i as u16))));
            for (i, n) in rules.near.iter().enumerate() {
                terms.push((&n.a, Role::NearA(i as u16)));
                terms.push((&n.b, Role::NearB(i as u16)));
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

    /// Applies every code to every segment of one document. `labels` are the
    /// document's speaker labels (never matched); `segments` must be sorted
    /// and non-overlapping. Results are ordered by segment, then code.
    pub fn apply(&self, text: &str, labels: &[Label], segments: &[Segment]) -> Applications {
        if segments.is_empty() {
            return Applications::default();
        }
        let mut scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
        let folded = Folded::new_in(text, labels, std::mem::take(&mut scratch.folded));
        let mut hits = std::mem::take(&mut scratch.hits);
        hits.clear();
        let ft = folded.text.as_str();
        let mut original_ranges = std::mem::take(&mut scratch.original_ranges);
        original_ranges.clear();
        original_ranges.extend(segments.iter().map(|s| (s.start, s.end)));
        let mut folded_ranges = std::mem::take(&mut scratch.folded_ranges);
        folded_ranges.clear();
        if self.folded_scan.is_some() || self.confirms {
            let mut ends = folded.folded_offsets(original_ranges.iter().flat_map(|&(a, b)| [a, b]));
            folded_ranges.extend(std::iter::from_fn(|| Some((ends.next()?, ends.next()?))));
        }
        // `None`: the scan could not run, so any segment may match.
        let (mut folded_flags, mut original_flags) = patterns::scan(
            self.folded_scan.as_ref().map(|scan| (scan, ft, &folded_ranges[..])),
            self.original_scan
                .as_ref()
                .map(|scan| (scan, text, &original_ranges[..])),
        );
        KeywordHits {
            matcher: self,
            folded: &folded,
            text,
            segments,
            folded_ranges: &folded_ranges,
            last_segment: 0,
            captures: None,
            hits: &mut hits,
        }
        .find(&mut scratch.word_bits);
        let mut push = |segment: usize, slot: u32, start: usize, end: usize, folded_start: usize| {
            hits.push(self.hit(segment, slot, start, end, folded_start));
        };
        if !self.regexes.is_empty() {
            let on_folded = (true, ft, &folded_ranges, folded.folded_unicode_words, &self.folded_scan);
            let on_original = (
                false,
                text,
                &original_ranges,
                folded.original_unicode_words,
                &self.original_scan,
            );
            for (on_folded_text, hay, ranges, unicode_words, scan) in [on_folded, on_original] {
                let Some(scan) = scan else { continue };
                let flagged = if on_folded_text {
                    folded_flags.take().flatten()
                } else {
                    original_flags.take().flatten()
                };
                for (id, &rule) in scan.rules.iter().enumerate() {
                    let r = &self.regexes[rule];
                    let mut captures = None;
                    // Every match in a segment is a match of the scan's loose
                    // pattern, so none ends after the scan's last end there:
                    // the search stops at `end`.
                    let mut search = |k: usize, from: usize, end: usize| {
                        let first = |from: usize, to: usize| r.first(hay, from, to, unicode_words);
                        find_all(hay, from, end, first, |s, e| {
                            if !r.folded {
                                if !in_label(labels, s, e) {
                                    push(k, r.slot, s, e, 0);
                                }
                                return;
                            }
                            if r.term.is_some() && !term_accepts(r, &folded, text, s, e, &mut captures) {
                                return;
                            }
                            let (os, oe) = folded.original(text, s, e);
                            push(k, r.slot, os, oe, s);
                        });
                    };
                    match &flagged {
                        // No match there starts before the first possible end
                        // minus the longest match.
                        Some(flagged) => flagged[id].iter().for_each(|f| {
                            let (k, first_end) = (f.segment as usize, f.first_end as usize);
                            let from = r
                                .max_len
                                .map_or(ranges[k].0, |n| ranges[k].0.max(first_end.saturating_sub(n)));
                            search(k, from, f.last_end as usize)
                        }),
                        None => (0..ranges.len()).for_each(|k| search(k, ranges[k].0, ranges[k].1)),
                    }
                }
            }
        }
        // Grouped by segment, then by code; the order inside a group does
        // not matter (evaluation sorts what it keeps, and a hit found twice
        // counts once there). Segments are numbered densely, so a counting
        // sort groups the hits in two passes; each segment's few hits are
        // then sorted by code.
        let mut grouped = std::mem::take(&mut scratch.grouped);
        group_by_segment(&hits, segments.len(), &mut scratch.counts, &mut grouped);
        // A coded segment takes at least one hit, and so does each of its
        // spans: sized once, the vectors never grow (and copy) again.
        let mut out = Applications {
            applied: Vec::with_capacity(hits.len()),
            spans: Vec::with_capacity(hits.len()),
        };
        let mut support = Vec::new();
        let mut scopes = ScopeMemo::default();
        for in_segment in grouped.chunk_by_mut(|a, b| a.segment == b.segment) {
            in_segment.sort_unstable_by_key(|h| h.code);
            let seg = in_segment[0].segment as usize;
            let speaker = segments[seg].speaker.as_deref();
            let allowed = scopes.of(self.scopes.len(), &segments[seg].speaker);
            for group in in_segment.chunk_by(|a, b| a.code == b.code) {
                let code = group[0].code as usize;
                let scope = self.scope_of[code];
                let (speakers, skip) = &self.scopes[scope];
                if !*allowed[scope].get_or_insert_with(|| speaker_allowed(speakers, skip, speaker)) {
                    continue;
                }
                if let Some(applied) = self.evaluate(&folded.text, code, group, &mut support, &mut out.spans) {
                    out.applied.push(Applied {
                        segment: seg,
                        ..applied
                    });
                }
            }
        }
        SCRATCH.with(|s| {
            *s.borrow_mut() = Scratch {
                folded: folded.into_buffers(),
                hits,
                grouped,
                counts: scratch.counts,
                original_ranges,
                folded_ranges,
                word_bits: scratch.word_bits,
            }
        });
        out
    }

    fn hit(&self, segment: usize, slot: u32, start: usize, end: usize, folded_start: usize) -> Hit {
        Hit {
            segment: segment as u32,
            code: self.slots[slot as usize].code,
            slot,
            start: start as u32,
            end: end as u32,
            folded_start: folded_start as u32,
        }
    }

    /// Decides whether `code` applies to `segment` given its hits there.
    /// `support` is scratch space, reused across calls.
    /// The spans of its matches go to `spans`.
    fn evaluate(
        &self,
        folded: &str,
        code: usize,
        hits: &[Hit],
        support: &mut Vec<(u32, u32)>,
        spans: &mut Vec<(usize, usize)>,
    ) -> Option<Applied> {
        let rules = &self.codes[code];
        let role = |h: &Hit| self.slots[h.slot as usize].role;
        if hits.iter().any(|h| role(h) == Role::Not) {
            return None;
        }
        support.clear();
        support.extend(
            hits.iter()
                .filter(|h| matches!(role(h), Role::Keyword | Role::Pattern))
                .map(|h| (h.start, h.end)),
        );
        if !rules.all.is_empty() {
            let found = (0..rules.all.len()).all(|i| hits.iter().any(|h| role(h) == Role::All(i as u16)));
            if found {
                support.extend(
                    hits.iter()
                        .filter(|h| matches!(role(h), Role::All(_)))
                        .map(|h| (h.start, h.end)),
                );
            }
        }
        for (i, near) in rules.near.iter().enumerate() {
            let i = i as u16;
            let with = |r: Role| hits.iter().filter(move |h| role(h) == r);
            for x in with(Role::NearA(i)) {
                for y in with(Role::NearB(i)) {
                    if (x.start, x.end) != (y.start, y.end)
                        && word_distance(folded, x.folded_start as usize, y.folded_start as usize, near.within)
                            <= near.within
                    {
                        support.push((x.start, x.end));
                        support.push((y.start, y.end));
                    }
                }
            }
        }
        // Leftmost-longest, non-overlapping: a word matched by two terms
        // counts once.
        support.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)));
        let first = spans.len();
        for &(s, e) in support.iter() {
            let (s, e) = (s as usize, e as usize);
            if spans.len() == first || spans.last().is_some_and(|&(_, le)| s >= le) {
                spans.push((s, e));
            }
        }
        let hits = spans.len() - first;
        if hits == 0 || hits < rules.min_hits as usize {
            spans.truncate(first);
            return None;
        }
        Some(Applied {
            segment: 0,
            code,
            hits,
            spans: first..spans.len(),
        })
    }
}

/// Whether the match `[s, e)` (folded) of a term's regex is a match of the
/// term: whole words, and the accents it requires (checked on the pieces
/// of the regex's own match; `captures` is scratch space).
fn term_accepts(
    r: &RegexRule,
    folded: &Folded,
    text: &str,
    s: usize,
    e: usize,
    captures: &mut Option<regex_automata::util::captures::Captures>,
) -> bool {
    let ft = folded.text.as_str();
    if !boundary_before(ft, s) || !boundary_after(ft, e) {
        return false;
    }
    let required = r.term.as_deref().unwrap_or_default();
    if required.is_empty() {
        return true;
    }
    let caps = captures.get_or_insert_with(|| r.regex.create_captures());
    r.regex
        .search_captures(&Input::new(ft).range(s..e).anchored(Anchored::Yes), caps);
    required.iter().enumerate().all(|(i, need)| {
        caps.get_group(i + 1)
            .is_none_or(|g| accents_ok(folded, text, g.start, need))
    })
}

/// The keyword hits of one document.
struct KeywordHits<'a> {
    matcher: &'a Matcher,
    folded: &'a Folded,
    text: &'a str,
    segments: &'a [Segment],
    /// The segments' folded byte ranges, when some term is run from its
    /// literal start (see [`word_start_literal`]).
    folded_ranges: &'a [(usize, usize)],
    /// The segment of the last hit.
    last_segment: usize,
    /// Scratch space for [`term_accepts`].
    captures: Option<regex_automata::util::captures::Captures>,
    hits: &'a mut Vec<Hit>,
}

impl KeywordHits<'_> {
    /// Finds every keyword: by their words, and the rest by the automaton.
    fn find(&mut self, word_bits: &mut Vec<u64>) {
        let matcher = self.matcher;
        let folded = self.folded.text.as_bytes();
        matcher
            .anchors
            .scan(folded, word_bits, |literal, start| self.found(literal, start));
        if let Some((automaton, ids)) = &matcher.unanchored {
            for m in automaton.find_overlapping_iter(folded) {
                self.found(ids[m.pattern().as_usize()], m.start());
            }
        }
    }

    /// Keeps the uses of `literal` that accept it at folded byte `start`.
    fn found(&mut self, literal: usize, start: usize) {
        let (ft, text) = (self.folded.text.as_str(), self.text);
        let end = start + self.matcher.anchors.len(literal);
        for u in &self.matcher.uses[literal] {
            if let Some(rule) = u.confirm {
                self.confirm(rule, u.slot, start);
                continue;
            }
            let (mut s, mut e) = (start, end);
            if u.open_start {
                s = word_start(ft, s);
            } else if !boundary_before(ft, s) {
                continue;
            }
            if u.open_end {
                e = word_end(ft, e);
            } else if !boundary_after(ft, e) {
                continue;
            }
            if !accents_ok(self.folded, text, start, &u.required) {
                continue;
            }
            let (os, oe) = self.folded.original(text, s, e);
            if let Some(segment) = segment_of(self.segments, os, oe, &mut self.last_segment) {
                self.hits.push(self.matcher.hit(segment, u.slot, os, oe, s));
            }
        }
    }
}

impl KeywordHits<'_> {
    /// Runs the regex of the term in `slot` from folded byte `start`, where
    /// a word starts with the term's literal start, to the end of the
    /// segment (see [`word_start_literal`]).
    fn confirm(&mut self, rule: usize, slot: u32, start: usize) {
        let (folded, text) = (self.folded, self.text);
        let ft = folded.text.as_str();
        if !boundary_before(ft, start) {
            return;
        }
        let (os, _) = folded.original(text, start, start + 1);
        let Some(segment) = segment_of(self.segments, os, os + 1, &mut self.last_segment) else {
            return;
        };
        let r = &self.matcher.regexes[rule];
        let end = self.folded_ranges[segment].1.max(start);
        let input = Input::new(ft).range(start..end).anchored(Anchored::Yes);
        let Some(e) = r.regex.search(&input).map(|m| m.end()) else {
            return;
        };
        if term_accepts(r, folded, text, start, e, &mut self.captures) {
            let (os, oe) = folded.original(text, start, e);
            self.hits.push(self.matcher.hit(segment, slot, os, oe, start));
        }
    }
}

/// `hits` in segment order, into `into` (a counting sort: `segments` is
/// the number of segments, and `counts` scratch space). Hits of one
/// segment keep their order.
fn group_by_segment(hits: &[Hit], segments: usize, counts: &mut Vec<u32>, into: &mut Vec<Hit>) {
    counts.clear();
    counts.resize(segments + 1, 0);
    for h in hits {
        counts[h.segment as usize + 1] += 1;
    }
    for k in 0..segments {
        counts[k + 1] += counts[k];
    }
    into.clear();
    let Some(&any) = hits.first() else { return };
    into.resize(hits.len(), any);
    for h in hits {
        let at = &mut counts[h.segment as usize];
        into[*at as usize] = *h;
        *at += 1;
    }
}

/// Per speaker of one document, whether each speaker scope allows them,
/// found on first need. A document has few speakers and many segments, and
/// a name that is not plain ASCII is lower-cased for each check.
#[derive(Default)]
struct ScopeMemo {
    /// Per speaker met (`None`: no label), the answer of each scope.
    speakers: Vec<(Option<Arc<str>>, Answers)>,
}

/// Per speaker scope, whether it allows a speaker; `None` until asked.
type Answers = Vec<Option<bool>>;

impl ScopeMemo {
    /// The answers for `speaker`, one per scope (of `scopes`).
    fn of(&mut self, scopes: usize, speaker: &Option<Arc<str>>) -> &mut Answers {
        // Segments of one speaker share one name (see `segment::intern`), so
        // comparing pointers usually settles it.
        let same = |known: &Option<Arc<str>>| match (known, speaker) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
            (None, None) => true,
            _ => false,
        };
        let at = match self.speakers.iter().position(|(known, _)| same(known)) {
            Some(at) => at,
            None => {
                self.speakers.push((speaker.clone(), vec![None; scopes]));
                self.speakers.len() - 1
            }
        };
        &mut self.speakers[at].1
    }
}

/// Whether a passage by `speaker` (`None`: no speaker label) may be coded
/// with a code limited to `speakers` (empty: anyone) and never `skip`.
fn speaker_allowed(speakers: &SpeakerSet, skip: &SpeakerSet, speaker: Option<&str>) -> bool {
    match speaker {
        Some(speaker) => !skip.contains(speaker) && (speakers.is_empty() || speakers.contains(speaker)),
        None => speakers.is_empty(),
    }
}

/// Whether `[start, end)` overlaps a speaker label (labels are sorted).
fn in_label(labels: &[Label], start: usize, end: usize) -> bool {
    let i = labels.partition_point(|l| l.end <= start);
    labels.get(i).is_some_and(|l| l.start < end)
}

/// The index of the segment that wholly contains `[start, end)`. `last` is
/// the previous answer: matches come in text order, so it is usually the
/// answer again, or the next segment.
fn segment_of(segments: &[Segment], start: usize, end: usize, last: &mut usize) -> Option<usize> {
    let starts_in = |k: usize| segments[k].start <= start && segments.get(k + 1).is_none_or(|n| n.start > start);
    let i = if *last < segments.len() && starts_in(*last) {
        *last
    } else if *last + 1 < segments.len() && starts_in(*last + 1) {
        *last + 1
    } else {
        segments.partition_point(|s| s.start <= start).checked_sub(1)?
    };
    *last = i;
    (end <= segments[i].end).then_some(i)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn boundary_before(text: &str, at: usize) -> bool {
    match text.as_bytes()[..at].last() {
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        _ => !text[..at].chars().next_back().is_some_and(is_word_char),
    }
}

fn boundary_after(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        _ => !text[at..].chars().next().is_some_and(is_word_char),
    }
}

fn word_start(text: &str, mut at: usize) -> usize {
    while let Some(c) = text[..at].chars().next_back() {
        if !is_word_char(c) {
            break;
        }
        at -= c.len_utf8();
    }
    at
}

fn word_end(text: &str, mut at: usize) -> usize {
    while let Some(c) = text[at..].chars().next() {
        if !is_word_char(c) {
            break;
        }
        at += c.len_utf8();
    }
    at
}

/// How many words apart the words starting at folded offsets `a` and `b`
/// are (0 = the same word, 1 = neighbours). Stops counting past `limit`.
fn word_distance(folded: &str, a: usize, b: usize, limit: u32) -> u32 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut count = 0;
    let mut prev_word = true;
    for c in folded[lo..hi].chars() {
        let w = is_word_char(c);
        if w && !prev_word {
            count += 1;
            if count > limit {
                return count;
            }
        }
        prev_word = w;
    }
    // The word at `hi` itself starts after a separator.
    if !prev_word {
        count += 1;
    }
    count
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

/// Checks the accent requirements of a literal matched at folded `start`.
fn accents_ok(folded: &Folded, original: &str, start: usize, required: &[Option<char>]) -> bool {
    let mut at = start;
    for need in required {
        let c = folded.text[at..].chars().next().expect("literal inside text");
        if let Some(need) = need {
            let o = folded.original_char(original, at);
            if o.to_lowercase().next() != Some(*need) {
                return false;
            }
        }
        at += c.len_utf8();
    }
    true
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, Unit};
    use crate::speakers::{SpeakerRule, find_labels};

    /// Codes `text` (paragraph unit) with a codebook given as YAML codes.
    fn run(codes_yaml: &str, text: &str) -> Vec<(String, usize, usize, Vec<String>)> {
        run_unit(codes_yaml, text, Unit::Paragraph)
    }

    fn run_unit(codes_yaml: &str, text: &str, unit: Unit) -> Vec<(String, usize, usize, Vec<String>)> {
        run_with(codes_yaml, text, unit, true)
    }

    fn run_with(
        codes_yaml: &str,
        text: &str,
        unit: Unit,
        from_word_starts: bool,
    ) -> Vec<(String, usize, usize, Vec<String>)> {
        let yaml = format!("name: T\ncodes:\n{codes_yaml}");
        let cb = Codebook::parse(&yaml, "t.yaml").unwrap();
        let m = Matcher::build(&cb, from_word_starts).unwrap();
        let labels = find_labels(text, &SpeakerRule::default());
        let segs = segment::segment(text, unit, &labels, 1);
        let applications = m.apply(text, &labels, &segs);
        applications
            .applied
            .iter()
            .map(|a| {
                let matched = applications
                    .spans_of(a)
                    .iter()
                    .map(|&(s, e)| text[s..e].to_string())
                    .collect();
                (cb.codes[a.code].name.clone(), segs[a.segment].index, a.hits, matched)
            })
            .collect()
    }

    fn codes_of(r: &[(String, usize, usize, Vec<String>)]) -> Vec<&str> {
        r.iter().map(|x| x.0.as_str()).collect()
    }

    #[test]
    fn keyword_case_insensitive_whole_word() {
        let r = run(
            "  - name: a\n    keywords: [coyote]\n",
            "The COYOTE came.\n\nCoyotes and coyoteros.",
        );
        assert_eq!(r, [("a".into(), 1, 1, vec!["COYOTE".into()])]);
    }

    #[test]
    fn wildcards_prefix_suffix_infix() {
        let r = run(
            "  - name: a\n    keywords: [\"hipotec*\"]\n  - name: b\n    keywords: [\"*smuggl*\"]\n  - name: c\n    keywords: [\"*ción\"]\n",
            "Hipotecaron la casa. Una hipoteca.\n\nPeople-smugglers and smuggling.\n\nLa migración y la detención.",
        );
        assert_eq!(r[0], ("a".into(), 1, 2, vec!["Hipotecaron".into(), "hipoteca".into()]));
        assert_eq!(r[1], ("b".into(), 2, 2, vec!["smugglers".into(), "smuggling".into()]));
        assert_eq!(r[2], ("c".into(), 3, 2, vec!["migración".into(), "detención".into()]));
    }

    #[test]
    fn inner_wildcard() {
        let r = run(
            "  - name: a\n    keywords: [\"p*ero\"]\n",
            "El pollero y el pasero. Un perro.",
        );
        assert_eq!(r[0].3, ["pollero", "pasero"]);
        // `*` stands for letters and digits, not for `_`.
        assert!(run("  - name: a\n    keywords: [\"p*ero\"]\n", "El p_ero.").is_empty());
        // Found from the words that start with `patr`.
        let r = run(
            "  - name: a\n    keywords: [\"patr*n\"]\n",
            "El patrón, xpatron, patronato y PATRON.",
        );
        assert_eq!(r[0].3, ["patrón", "PATRON"]);
    }

    #[test]
    fn phrase_across_line_breaks() {
        let r = run(
            "  - name: a\n    keywords: [\"pay the smuggler\"]\n",
            "We had to pay the\nsmuggler   twice.",
        );
        assert_eq!(r[0].3, ["pay the\nsmuggler"]);
    }

    #[test]
    fn phrase_does_not_cross_speakers() {
        let cb = "  - name: a\n    keywords: [\"pay the smuggler\"]\n";
        assert!(run(cb, "P03: We had to pay the\nP04: smuggler, yes.").is_empty());
        assert_eq!(run(cb, "P03: We had to pay the\nsmuggler, yes.").len(), 1);
    }

    #[test]
    fn phrase_does_not_cross_paragraphs() {
        let r = run(
            "  - name: a\n    keywords: [\"pay the smuggler\"]\n",
            "We had to pay the\n\nsmuggler twice.",
        );
        assert!(r.is_empty());
    }

    #[test]
    fn accents_one_way() {
        let cb = "  - name: loan\n    keywords: [prestamo]\n  - name: year\n    keywords: [año]\n  - name: more\n    keywords: [más]\n";
        let r = run(
            cb,
            "Un préstamo y otro prestamo.\n\nEl ano.\n\nEl año.\n\nMas o menos.\n\nMÁS dinero.",
        );
        assert_eq!(r[0], ("loan".into(), 1, 2, vec!["préstamo".into(), "prestamo".into()]));
        assert_eq!(codes_of(&r), ["loan", "year", "more"]);
        assert_eq!(r[1].1, 3);
        assert_eq!(r[2].1, 5);
    }

    #[test]
    fn accents_exact_and_ignore() {
        let cb = "  - name: exact\n    accents: exact\n    keywords: [prestamo]\n  - name: ignore\n    accents: ignore\n    keywords: [año]\n";
        let r = run(cb, "Un préstamo.\n\nEl ano.");
        assert_eq!(codes_of(&r), ["ignore"]);
        let r = run(cb, "Un prestamo.");
        assert_eq!(codes_of(&r), ["exact"]);
    }

    #[test]
    fn decomposed_text_matches_after_normalisation() {
        let text = crate::text::normalize("Un pre\u{301}stamo y el an\u{303}o.");
        let r = run("  - name: a\n    keywords: [préstamo, año]\n", &text);
        assert_eq!(r[0].2, 2);
    }

    #[test]
    fn patterns_match_amounts() {
        let r = run(
            "  - name: price\n    patterns: ['\\$\\s?\\d[\\d,]*']\n",
            "They asked $3,500 and then $ 200.",
        );
        assert_eq!(r[0].3, ["$3,500", "$ 200"]);
    }

    #[test]
    fn all_requires_every_term() {
        let cb = "  - name: a\n    all: [deuda, coyote]\n";
        assert!(run(cb, "La deuda.").is_empty());
        let r = run(cb, "La deuda con el coyote.");
        assert_eq!(r[0].2, 2);
    }

    #[test]
    fn near_within_n_words() {
        let cb = "  - name: a\n    near:\n      - terms: [coyote, \"pag*\"]\n        within: 3\n";
        assert_eq!(run(cb, "Al coyote le pagamos.").len(), 1);
        assert_eq!(run(cb, "Pagamos al final todo lo del coyote.").len(), 0);
        assert_eq!(run(cb, "Pagamos al coyote.").len(), 1);
    }

    #[test]
    fn not_vetoes() {
        let cb = "  - name: a\n    keywords: [coyote]\n    not: [animal]\n";
        assert!(run(cb, "El coyote es un animal.").is_empty());
        assert_eq!(run(cb, "El coyote cobra.").len(), 1);
    }

    #[test]
    fn min_hits() {
        let cb = "  - name: a\n    keywords: [coyote, pollero]\n    min_hits: 2\n";
        assert!(run(cb, "El coyote.").is_empty());
        assert_eq!(run(cb, "El coyote, o pollero.")[0].2, 2);
    }

    #[test]
    fn speakers_and_skip_speakers() {
        let text = "Interviewer: How much did the coyote charge?\n\nP03: The coyote asked a lot.\n\nP04: A coyote too.";
        let r = run(
            "  - name: a\n    keywords: [coyote]\n    skip_speakers: [interviewer]\n",
            text,
        );
        assert_eq!(r.iter().map(|x| x.1).collect::<Vec<_>>(), [2, 3]);
        let r = run("  - name: a\n    keywords: [coyote]\n    speakers: [P03]\n", text);
        assert_eq!(r.iter().map(|x| x.1).collect::<Vec<_>>(), [2]);
    }

    /// Each speaker's answer is remembered per document, so it must be each
    /// speaker's own: speakers alternate, return, have accented names, and
    /// codes with different scopes share segments.
    #[test]
    fn speaker_scopes_are_answered_per_speaker() {
        let text = "Un coyote, antes de toda etiqueta.\n\nSra. López: El coyote cobró mucho.\n\n\
                    Entrevistadora: ¿Y el coyote?\n\nSra. López: Otro coyote.\n\nDon Ñaño: Un coyote más.";
        let codes = "  - name: a\n    keywords: [coyote]\n    speakers: [\"sra. lópez\", \"don*\"]\n  \
                     - name: b\n    keywords: [coyote]\n    skip_speakers: [entrevistadora]\n";
        let r = run(codes, text);
        let pairs: Vec<(&str, usize)> = r.iter().map(|x| (x.0.as_str(), x.1)).collect();
        assert_eq!(
            pairs,
            [("b", 1), ("a", 2), ("b", 2), ("a", 4), ("b", 4), ("a", 5), ("b", 5)]
        );
    }

    #[test]
    fn speaker_labels_are_never_matched() {
        let r = run(
            "  - name: a\n    keywords: [prestamista]\n",
            "Prestamista: Yo presto dinero.",
        );
        assert!(r.is_empty());
    }

    #[test]
    fn overlapping_terms_count_once() {
        let r = run(
            "  - name: a\n    keywords: [smuggler, \"pay the smuggler\"]\n",
            "We pay the smuggler.",
        );
        assert_eq!(r[0].2, 1);
        assert_eq!(r[0].3, ["pay the smuggler"]);
    }

    #[test]
    fn sentence_unit_keeps_speaker() {
        let r = run_unit(
            "  - name: a\n    keywords: [coyote]\n    skip_speakers: [Interviewer]\n",
            "Interviewer: Was there a coyote? Tell me.\n\nP03: Yes. The coyote came.",
            Unit::Sentence,
        );
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn patterns_match_inside_a_paragraph_next_to_a_break() {
        let cb = "  - name: a\n    patterns: ['\\d+\\s+\\w+']\n";
        let r = run(cb, "Pagué 5\n\n3 dólares.");
        assert_eq!(r, [("a".into(), 2, 1, vec!["3 dólares".into()])]);
        let cb = "  - name: a\n    accents: exact\n    patterns: ['\\d+\\s+\\w+']\n";
        assert_eq!(run(cb, "Pagué 5\n\n3 dólares.").len(), 1);
        let cb = "  - name: a\n    accents: exact\n    patterns: ['\\b\\d+\\s+\\w+\\b']\n";
        assert_eq!(run(cb, "Pagué 5\n\n3 dólares.").len(), 1);
    }

    proptest::proptest! {
        /// The counting sort groups hits as a stable sort by segment would.
        #[test]
        fn hits_are_grouped_as_a_stable_sort_by_segment(
            keys in proptest::collection::vec((0u32..12, 0u32..5), 0..80)
        ) {
            let hits: Vec<Hit> = keys
                .iter()
                .enumerate()
                .map(|(i, &(segment, code))| Hit { segment, code, slot: i as u32, start: 0, end: 0, folded_start: 0 })
                .collect();
            let (mut counts, mut grouped) = (Vec::new(), Vec::new());
            group_by_segment(&hits, 12, &mut counts, &mut grouped);
            let mut want = hits.clone();
            want.sort_by_key(|h| h.segment);
            let ids = |v: &[Hit]| v.iter().map(|h| (h.segment, h.slot)).collect::<Vec<_>>();
            proptest::prop_assert_eq!(ids(&grouped), ids(&want));
        }

        /// Terms with `*` inside a word find the same matches from the
        /// words that start with their literal start as by a scan of the
        /// whole text.
        #[test]
        fn inner_wildcards_from_word_starts_equal_the_scan(
            parts in proptest::collection::vec(
                "patr[oó]n|PATRÓN|patronato|xpatron|patrn|patr|n|αpatron|compañero|companero|comp[a-z]{0,4}ro|[a-z]{1,5}| |\n\n|, |_|Ana: |ñ",
                0..30,
            ),
            term in "patr\\*n|patr\\*n\\*|\\*atr\\*n|compa\\*ro|compañ\\*ro|pat\\*o\\*",
            accents in "tolerant|exact|ignore",
            unit in proptest::sample::select(vec![Unit::Paragraph, Unit::Sentence, Unit::Line]),
        ) {
            let text = parts.concat();
            let cb = format!("  - name: a\n    accents: {accents}\n    keywords: [\"{term}\"]\n");
            proptest::prop_assert_eq!(run_with(&cb, &text, unit, true), run_with(&cb, &text, unit, false));
        }
    }

    #[test]
    fn inner_wildcards_keep_accent_rules() {
        let r = run(
            "  - name: a\n    keywords: [\"compañ*ro\"]\n",
            "Un companero.\n\nUn compañero.",
        );
        assert_eq!(r, [("a".into(), 2, 1, vec!["compañero".into()])]);
        let cb = "  - name: a\n    accents: exact\n    keywords: [\"presta*o\"]\n";
        assert!(run(cb, "Un préstamo.").is_empty());
        assert_eq!(run(cb, "Un prestamo.").len(), 1);
        // Written without accents, the term matches with or without them.
        assert_eq!(
            run("  - name: a\n    keywords: [\"presta*o\"]\n", "Un préstamo.").len(),
            1
        );
    }

    #[test]
    fn word_boundaries_in_patterns_respect_unicode_letters() {
        // `ñ` is a word character: no boundary between it and `o`.
        let cb = "  - name: a\n    accents: exact\n    patterns: ['\\bo\\b']\n";
        assert!(run(cb, "niño").is_empty());
        assert_eq!(run(cb, "o sea").len(), 1);
        // The same for letters outside the folding table (Thai).
        assert!(run(cb, "กo").is_empty());
        let cb = "  - name: a\n    patterns: ['\\bano\\b']\n";
        // Folded: `año` becomes `ano`, and boundaries hold either way.
        assert_eq!(run(cb, "el año pasado").len(), 1);
        assert!(run(cb, "el añoso").is_empty());
    }
}
