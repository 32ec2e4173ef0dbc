//! Regular-expression rules: one pass of a combined automaton finds the
//! segments where each pattern may match, and each pattern then searches
//! only there, with the fastest engine that is exact on the text.

use std::sync::OnceLock;

use regex_automata::nfa::thompson;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::{Anchored, Input, MatchKind, hybrid, meta, util::syntax};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::Required;

/// A regular expression rule (a pattern, or a term with `*` inside a word).
///
/// Unicode word boundaries (`\b`) make the regex engine fall back from its
/// fast DFA to a much slower engine on any haystack with non-ASCII bytes.
/// On a haystack whose non-ASCII characters are none of them word
/// characters — most folded text, and English text — an ASCII `\b` gives
/// exactly the same matches, so each rule also keeps an ASCII-boundary
/// twin used on such documents.
///
/// On other haystacks (accented text searched as written), a pattern with
/// word boundaries is found in two steps that give exactly its matches: the
/// pattern without its boundaries (`loose`, a superset found by the fast
/// engine) proposes where a match may start, and the full pattern, run
/// anchored there by an engine that supports Unicode boundaries, confirms
/// it. Only the proposed starts are checked, not the whole text.
#[derive(Debug)]
pub(super) struct RegexRule {
    pub(super) slot: u32,
    pub(super) regex: meta::Regex,
    pub(super) ascii: Option<meta::Regex>,
    /// The pattern without its word boundaries (see [`verified`]).
    pub(super) loose: Option<Lazy>,
    /// Runs over the folded text (else over the original text).
    pub(super) folded: bool,
    /// A term with `*` inside a word: word boundaries are checked in code,
    /// and so are accents, with one requirement list per capture group
    /// (empty when the term has none).
    pub(super) term: Option<Vec<Required>>,
}

impl RegexRule {
    /// The leftmost-first match of the rule that lies in `from..to`, found
    /// by the fastest engine that is exact on this haystack. Look-around
    /// (`\b`, `^`, `$`) sees the whole haystack, not just the range.
    pub(super) fn first(&self, hay: &str, from: usize, to: usize, unicode_words: bool) -> Option<(usize, usize)> {
        let input = || Input::new(hay).range(from..to);
        let m = match (&self.ascii, &self.loose) {
            (Some(ascii), _) if !unicode_words => ascii.search(&input()),
            (_, Some(loose)) => match loose.get() {
                Some(loose) => return verified(&self.regex, loose, hay, from, to),
                None => self.regex.search(&input()),
            },
            _ => self.regex.search(&input()),
        };
        m.map(|m| (m.start(), m.end()))
    }
}

/// A regex compiled on first use: some engines serve only some documents,
/// and compiling a Unicode-aware regex costs far more than a small run.
#[derive(Debug)]
pub(super) struct Lazy {
    source: String,
    regex: OnceLock<Option<meta::Regex>>,
}

impl Lazy {
    pub(super) fn new(source: String) -> Lazy {
        Lazy {
            source,
            regex: OnceLock::new(),
        }
    }

    /// The regex, or `None` when it cannot be compiled (callers then use a
    /// slower engine that gives the same matches).
    pub(super) fn get(&self) -> Option<&meta::Regex> {
        self.regex.get_or_init(|| build_regex(&self.source, true).ok()).as_ref()
    }
}

/// Compiles a regular expression the way codebook rules use it; the error
/// is the parser's own message, which shows where the pattern is wrong.
pub(super) fn build_regex(source: &str, case_insensitive: bool) -> std::result::Result<meta::Regex, String> {
    meta::Regex::builder()
        .syntax(syntax::Config::new().case_insensitive(case_insensitive))
        .configure(meta::Config::new().nfa_size_limit(Some(1 << 24)))
        .build(source)
        .map_err(|e| e.syntax_error().map_or_else(|| e.to_string(), |s| s.to_string()))
}

/// Calls `each` with the non-empty matches in `from..to`, in order, as the
/// regex's own iterator finds them, given `first` (see [`RegexRule::first`]).
pub(super) fn find_all(
    hay: &str,
    from: usize,
    to: usize,
    first: impl Fn(usize, usize) -> Option<(usize, usize)>,
    mut each: impl FnMut(usize, usize),
) {
    let mut at = from;
    // At `to`, only an empty match could be left, and those are skipped.
    while at < to {
        let Some((s, e)) = first(at, to) else { break };
        if s < e {
            each(s, e);
            at = e;
        } else {
            // An empty match: step over one character, as the regex's
            // iterator does.
            match hay[s..].chars().next() {
                Some(c) => at = s + c.len_utf8(),
                None => break,
            }
        }
    }
}

/// One pass over a haystack that tells, for every regex rule searched on
/// it, which segments may hold one of its matches.
///
/// Most patterns (`\b\d{3}-\d{2}-\d{4}\b`) have no literal for a
/// prefilter, so searching them one by one reads the whole text once per
/// pattern. Instead, all of them — without their word boundaries, so a
/// superset of their matches that a lazy DFA can find on any text — go into
/// one DFA run in overlapping mode, which reports where each may end a match.
/// Each rule is then searched, on its own and confined to the segment, only
/// in the segments where it may have ended one.
pub(super) struct RegexScan {
    dfa: hybrid::dfa::DFA,
    caches: Pool<hybrid::dfa::Cache, CacheFn>,
    /// Pattern id in `dfa` → index into [`Matcher::regexes`].
    pub(super) rules: Vec<usize>,
}

type CacheFn = Box<dyn Fn() -> hybrid::dfa::Cache + Send + Sync>;

impl std::fmt::Debug for RegexScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegexScan").field("rules", &self.rules).finish()
    }
}

impl RegexScan {
    /// The scan of `rules` (index into the matcher's regexes, loose source).
    pub(super) fn new(rules: Vec<(usize, String)>) -> Option<RegexScan> {
        if rules.is_empty() {
            return None;
        }
        let dfa = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(8 << 20),
            )
            .syntax(syntax::Config::new().case_insensitive(true))
            .thompson(thompson::Config::new().nfa_size_limit(Some(1 << 26)))
            .build_many(&rules.iter().map(|(_, source)| source.as_str()).collect::<Vec<_>>())
            .ok()?;
        let for_caches = dfa.clone();
        Some(RegexScan {
            dfa,
            caches: Pool::new(Box::new(move || for_caches.create_cache())),
            rules: rules.into_iter().map(|(rule, _)| rule).collect(),
        })
    }

    /// For each rule, the segments where it may match, ascending, as
    /// `(index into ranges, end of the last possible match)`; `None` when the
    /// DFA gives up (then any segment may, anywhere).
    #[cfg(test)]
    fn flag(&self, hay: &str, ranges: &[(usize, usize)]) -> Option<Vec<Vec<(u32, u32)>>> {
        let (mut walk, mut state) = self.walk(hay, ranges)?;
        for (at, &byte) in hay.as_bytes().iter().enumerate() {
            walk.step(&mut state, at, byte);
        }
        walk.finish(state, hay.len())
    }

    /// A walk of the DFA over `hay`, one byte at a time (see [`Walk`]), and
    /// its start state.
    pub(super) fn walk<'s>(
        &'s self,
        hay: &str,
        ranges: &'s [(usize, usize)],
    ) -> Option<(Walk<'s>, hybrid::LazyStateID)> {
        let mut cache = self.caches.get();
        let state = self.dfa.start_state_forward(&mut cache, &Input::new(hay)).ok()?;
        let walk = Walk {
            scan: self,
            cache,
            ranges,
            k: 0,
            flagged: vec![Vec::new(); self.rules.len()],
            stopped: None,
        };
        Some((walk, state))
    }
}

/// A [`RegexScan`] in progress, fed one byte at a time so that the caller
/// can walk another automaton over the same text in the same loop: the two
/// walks' memory loads, each waiting on the previous one of its own walk,
/// then overlap.
///
/// The DFA's own overlapping search stops at every match and does
/// bookkeeping at every byte; this walk only follows transitions while they
/// lead to plain states. Matches are reported one byte late: a match state
/// entered on the byte at `at` means a match ending at `at`.
///
/// The current state is the caller's, not the walk's: kept in a local
/// variable, it stays in a register, and each step waits on one memory load
/// instead of a store and a load as well.
pub(super) struct Walk<'s> {
    scan: &'s RegexScan,
    cache: PoolGuard<'s, hybrid::dfa::Cache, CacheFn>,
    ranges: &'s [(usize, usize)],
    /// The segment of the last match.
    k: usize,
    flagged: Vec<Vec<(u32, u32)>>,
    /// `Some(true)` once no match can follow (a dead state), `Some(false)`
    /// once the DFA gave up.
    stopped: Option<bool>,
}

impl Walk<'_> {
    #[inline(always)]
    pub(super) fn step(&mut self, state: &mut hybrid::LazyStateID, at: usize, byte: u8) {
        if !state.is_tagged() {
            let next = self.scan.dfa.next_state_untagged(&self.cache, *state, byte);
            if !next.is_tagged() {
                *state = next;
                return;
            }
        }
        *state = self.slow_step(*state, at, byte);
    }

    /// An uncomputed transition, or one from or to a special state.
    #[inline(never)]
    fn slow_step(&mut self, state: hybrid::LazyStateID, at: usize, byte: u8) -> hybrid::LazyStateID {
        if self.stopped.is_some() {
            return state;
        }
        let next = match self.scan.dfa.next_state(&mut self.cache, state, byte) {
            Ok(next) => next,
            Err(_) => {
                self.stopped = Some(false);
                return state;
            }
        };
        if next.is_match() {
            self.flag(next, at);
        } else if next.is_dead() {
            self.stopped = Some(true);
        } else if next.is_quit() {
            self.stopped = Some(false);
        }
        next
    }

    /// Notes the segment of the matches that end at `end` in `state`.
    fn flag(&mut self, state: hybrid::LazyStateID, end: usize) {
        let ranges = self.ranges;
        while self.k < ranges.len() && ranges[self.k].1 < end {
            self.k += 1;
        }
        // Not an empty match, nor one between segments.
        if ranges.get(self.k).is_none_or(|&(a, _)| a >= end) {
            return;
        }
        let k = self.k as u32;
        for i in 0..self.scan.dfa.match_len(&self.cache, state) {
            let pattern = self.scan.dfa.match_pattern(&self.cache, state, i).as_usize();
            match self.flagged[pattern].last_mut() {
                Some(last) if last.0 == k => last.1 = end as u32,
                _ => self.flagged[pattern].push((k, end as u32)),
            }
        }
    }

    /// The segments flagged per rule (see [`RegexScan::flag`]), once the
    /// walk has seen all `len` bytes.
    pub(super) fn finish(mut self, state: hybrid::LazyStateID, len: usize) -> Option<Vec<Vec<(u32, u32)>>> {
        match self.stopped {
            Some(false) => return None,
            Some(true) => return Some(self.flagged),
            None => {}
        }
        let end = self.scan.dfa.next_eoi_state(&mut self.cache, state).ok()?;
        if end.is_match() {
            self.flag(end, len);
        }
        Some(self.flagged)
    }
}

/// The leftmost-first match of `regex` in `from..to`, found in two steps:
/// `loose` (the regex without its word boundaries) proposes starts, and an
/// anchored search of `regex` confirms them.
fn verified(regex: &meta::Regex, loose: &meta::Regex, hay: &str, from: usize, to: usize) -> Option<(usize, usize)> {
    let mut at = from;
    while at <= to {
        // Any match of the full pattern is a match of the loose one, so no
        // start before the loose match's can hold a full match.
        let start = loose.search(&Input::new(hay).range(at..to))?.start();
        let input = Input::new(hay).range(start..to).anchored(Anchored::Yes);
        if let Some(m) = regex.search(&input) {
            return Some((start, m.end()));
        }
        at = start + hay[start..].chars().next()?.len_utf8();
    }
    None
}

/// The pattern with each word boundary (`\b`, `\B`) outside brackets
/// replaced by `with`, where `$0` stands for the boundary itself; `None` when
/// the pattern has none.
pub(super) fn rewrite_boundaries(pattern: &str, with: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    let mut in_class = 0usize;
    let mut changed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next()?;
                if in_class == 0 && (next == 'b' || next == 'B') {
                    out.push_str(&with.replace("$0", if next == 'b' { r"\b" } else { r"\B" }));
                    changed = true;
                } else {
                    out.push(c);
                    out.push(next);
                }
            }
            '[' => {
                in_class += 1;
                out.push(c);
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    changed.then_some(out)
}

/// Removes accents from a regular expression's letters (not its escapes).
pub(super) fn strip_accents(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_rewrites() {
        assert_eq!(
            rewrite_boundaries(r"\bQ\s?\d+\b", "(?-u:$0)").unwrap(),
            r"(?-u:\b)Q\s?\d+(?-u:\b)"
        );
        assert_eq!(
            rewrite_boundaries(r"[\b]\\b\B", "(?-u:$0)").unwrap(),
            r"[\b]\\b(?-u:\B)"
        );
        assert_eq!(rewrite_boundaries(r"\bniñ[oa]s?\b", "").unwrap(), r"niñ[oa]s?");
        assert_eq!(rewrite_boundaries(r"\$\d+", ""), None);
    }

    proptest::proptest! {
        /// The two-step search finds exactly what the pattern's own search
        /// finds, on accented text.
        #[test]
        fn verified_search_equals_the_regex(
            hay in "[a-cñé0-9 ,.¿]{0,40}",
            pattern in proptest::sample::select(vec![
                r"\bñ[a-c]*\b", r"\b\d+\b", r"\Bé\B", r"(?:a|añ)\b", r"\b(?:ñ|ña|b)", r"[a-c]+\b\s?\d*", r"\b",
            ]),
        ) {
            let regex = regex::Regex::new(&format!("(?i){pattern}")).unwrap();
            let want: Vec<(usize, usize)> = regex.find_iter(&hay).filter(|m| !m.is_empty()).map(|m| (m.start(), m.end())).collect();
            let full = build_regex(pattern, true).unwrap();
            let loose = build_regex(&rewrite_boundaries(pattern, "").unwrap(), true).unwrap();
            let mut got = Vec::new();
            find_all(&hay, 0, hay.len(), |from, to| verified(&full, &loose, &hay, from, to), |s, e| got.push((s, e)));
            proptest::prop_assert_eq!(got, want);
        }

        /// Searching only the segments the scan flags, up to the end it
        /// gives, finds what searching every segment finds.
        #[test]
        fn the_scan_flags_every_segment_with_a_match(
            hay in "[ab1é ]{0,30}",
            cuts in proptest::collection::vec(0usize..30, 0..6),
        ) {
            let patterns = [r"\d+\s+\w+", r"a[ab ]*b", r"\bb\b", r"a?", r"(?m)^a|b$", r"ab|a b a", r"\bé"];
            let loose: Vec<(usize, String)> = patterns
                .iter()
                .enumerate()
                .map(|(i, p)| (i, rewrite_boundaries(p, "").unwrap_or(p.to_string())))
                .collect();
            let scan = RegexScan::new(loose).unwrap();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(hay.len())).filter(|&c| hay.is_char_boundary(c)).collect();
            cuts.push(0);
            cuts.push(hay.len());
            cuts.sort_unstable();
            cuts.dedup();
            let ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
            let flagged = scan.flag(&hay, &ranges).unwrap();
            for (i, p) in patterns.iter().enumerate() {
                let regex = build_regex(p, true).unwrap();
                let first = |from: usize, to: usize| regex.search(&Input::new(&hay).range(from..to)).map(|m| (m.start(), m.end()));
                for (k, &(a, b)) in ranges.iter().enumerate() {
                    let mut want = Vec::new();
                    find_all(&hay, a, b, first, |s, e| want.push((s, e)));
                    let mut got = Vec::new();
                    if let Some(&(_, end)) = flagged[i].iter().find(|f| f.0 as usize == k) {
                        find_all(&hay, a, end as usize, first, |s, e| got.push((s, e)));
                    }
                    proptest::prop_assert_eq!(got, want, "{} in {:?}", p, &hay[a..b]);
                }
            }
        }
    }
}
