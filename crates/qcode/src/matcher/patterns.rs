//! Regular-expression rules: one pass of a combined automaton finds the
//! segments where each pattern may match, and each pattern then searches
//! only there, with the fastest engine that is exact on the text.

use std::sync::OnceLock;

use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, MatchKind, hybrid, meta, util::syntax};

use super::fold::Required;
use super::skip::{Skip, next_digit, units_before};

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
    /// The longest match, in bytes, when it is bounded (see [`Flag`]).
    pub(super) max_len: Option<usize>,
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

/// The most bytes a match of `source` (case-insensitive) can span, if that
/// is bounded: no match that ends at `e` starts before `e` minus that.
pub(super) fn max_match_len(source: &str) -> Option<usize> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .build()
        .parse(source)
        .ok()?;
    hir.properties().maximum_len()
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
    /// The DFA's byte classes, as a table.
    classes: [u8; 256],
    /// Transitions per state: the number of byte classes.
    stride: usize,
    caches: Pool<ScanCache, CacheFn>,
    /// Pattern id in `dfa` → index into the matcher's regexes.
    pub(super) rules: Vec<usize>,
    /// Whether, and how, the walks may pass over text far from digits.
    skip: Option<Skip>,
}

type CacheFn = Box<dyn Fn() -> ScanCache + Send + Sync>;

impl std::fmt::Debug for RegexScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegexScan").field("rules", &self.rules).finish()
    }
}

/// The flags of a scan: per rule, the segments where it may match, in
/// ascending order (see [`Flag`]); `None` when the scan could not run, so
/// that any segment may hold a match.
pub(super) type ScanFlags = Option<Vec<Vec<Flag>>>;

/// A segment where a rule may match: every match of the rule there ends
/// between `first_end` and `last_end`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Flag {
    /// Index into the segment ranges.
    pub(super) segment: u32,
    pub(super) first_end: u32,
    pub(super) last_end: u32,
}

/// A transition to a state that needs a look (a match, or the end of the
/// scan); with every bit set, one not learnt yet.
const TAG: u32 = 1 << 31;
const UNKNOWN: u32 = u32::MAX;

/// Per thread, the lazy DFA's cache and a copy of the transitions learnt so
/// far, kept from one document to the next.
///
/// The copy is what the walks follow: a plain table, indexed by state and
/// byte class, that the walk loop holds in registers. The lazy DFA's own
/// lookup goes through its cache (behind a pool guard) and checks bounds
/// at every byte, which made the loop twice as long.
///
/// A walk takes both out of the pool (the lazy cache is made on a thread's
/// first walk) and puts them back when it ends.
#[derive(Default)]
struct ScanCache {
    lazy: Option<hybrid::dfa::Cache>,
    memo: Memo,
}

/// The transitions learnt from the lazy DFA (see [`ScanCache`]).
#[derive(Default)]
struct Memo {
    /// `table[row + class]`: the row of the next state, with [`TAG`] set
    /// when that state needs a look, or [`UNKNOWN`].
    table: Vec<u32>,
    /// The lazy DFA's state of each row (row / stride).
    states: Vec<hybrid::LazyStateID>,
    rows: std::collections::HashMap<hybrid::LazyStateID, u32>,
    /// The lazy cache's clear count when `table` was started: a clear
    /// renumbers its states, and the table is then started again.
    clears: usize,
}

impl RegexScan {
    /// The scan of `rules` (index into the matcher's regexes, loose source).
    pub(super) fn new(rules: Vec<(usize, String)>) -> Option<RegexScan> {
        RegexScan::with_cache(rules, 8 << 20)
    }

    /// [`RegexScan::new`] with a lazy DFA cache of `capacity` bytes (at
    /// least the DFA's minimum).
    fn with_cache(rules: Vec<(usize, String)>, capacity: usize) -> Option<RegexScan> {
        if rules.is_empty() {
            return None;
        }
        let dfa = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(capacity)
                    .skip_cache_capacity_check(true),
            )
            .syntax(syntax::Config::new().case_insensitive(true))
            .thompson(thompson::Config::new().nfa_size_limit(Some(1 << 26)))
            .build_many(&rules.iter().map(|(_, source)| source.as_str()).collect::<Vec<_>>())
            .ok()?;
        let skip = Skip::of(rules.iter().map(|(_, source)| source.as_str()));
        let byte_classes = dfa.byte_classes();
        let classes = std::array::from_fn(|b| byte_classes.get(b as u8));
        let stride = byte_classes.alphabet_len();
        Some(RegexScan {
            dfa,
            classes,
            stride,
            caches: Pool::new(Box::new(ScanCache::default)),
            rules: rules.into_iter().map(|(rule, _)| rule).collect(),
            skip,
        })
    }

    /// For each rule, the segments where it may match, ascending, with the
    /// ends of the first and last possible matches there; `None` when the DFA
    /// gives up (then any segment may, anywhere).
    #[cfg(test)]
    fn flag(&self, hay: &str, ranges: &[(usize, usize)]) -> ScanFlags {
        scan(Some((self, hay, ranges)), None).0.flatten()
    }

    /// A walk of the DFA over `hay` (see [`Walk`]), and its start row.
    fn walk<'s>(&'s self, hay: &str, ranges: &'s [(usize, usize)]) -> Option<(Walk<'s>, u32)> {
        // The thread's cache is taken out of the pool for the walk (an
        // empty one stands in) and put back when it ends.
        let ScanCache { lazy, memo } = std::mem::take(&mut *self.caches.get());
        let mut lazy = lazy.unwrap_or_else(|| self.dfa.create_cache());
        let start = self.dfa.start_state_forward(&mut lazy, &Input::new(hay)).ok()?;
        let mut walk = Walk {
            scan: self,
            lazy,
            memo,
            ranges,
            k: 0,
            flagged: vec![Vec::new(); self.rules.len()],
            stopped: None,
        };
        walk.sync();
        let row = walk.row_of(start);
        Some((walk, row))
    }
}

/// A scan to run, with its haystack and the haystack's segments.
pub(super) type Side<'s> = Option<(&'s RegexScan, &'s str, &'s [(usize, usize)])>;

/// A side's walk and start row (`None` if it could not start), and its
/// haystack.
type Started<'s> = Option<(Option<(Walk<'s>, u32)>, &'s [u8])>;

/// Runs the scan of the regexes searched on folded text and the scan of
/// those searched on the original text, each given with its haystack and
/// segment ranges, and returns their flags (see [`ScanFlags`]).
///
/// Both walk in one loop: each step of a walk waits on the memory load of
/// its previous step, and the two walks' loads then overlap. The loop
/// follows the learnt transitions only, and leaves it for anything else.
pub(super) fn scan<'s>(folded: Side<'s>, original: Side<'s>) -> (Option<ScanFlags>, Option<ScanFlags>) {
    fn start(side: Side<'_>) -> Started<'_> {
        side.map(|(scan, hay, ranges)| (scan.walk(hay, ranges), hay.as_bytes()))
    }
    // Walks that pass over most of the text gain nothing from walking side
    // by side; two walks that read it all do.
    let skips = |side: Side<'_>| side.is_none_or(|(scan, _, _)| scan.skip.is_some());
    let together = !(skips(folded) && skips(original));
    let (mut folded, mut original) = (start(folded), start(original));
    if let (true, Some((Some((f, fs)), fb)), Some((Some((o, os)), ob))) = (together, &mut folded, &mut original) {
        let common = fb.len().min(ob.len());
        let mut at = 0;
        while at < common {
            let (ft, oft) = (&f.memo.table[..], &o.memo.table[..]);
            let (fc, oc) = (&f.scan.classes, &o.scan.classes);
            while at < common {
                let nf = ft[*fs as usize + fc[fb[at] as usize] as usize];
                let no = oft[*os as usize + oc[ob[at] as usize] as usize];
                if (nf | no) & TAG != 0 {
                    break;
                }
                (*fs, *os) = (nf, no);
                at += 1;
            }
            if at < common {
                *fs = f.step(*fs, at, fb[at]);
                *os = o.step(*os, at, ob[at]);
                at += 1;
                if f.stopped.is_some() || o.stopped.is_some() {
                    break;
                }
            }
        }
        // The rest of the longer text, or of the walk that did not stop.
        f.run(fs, fb, at);
        o.run(os, ob, at);
    } else {
        for (walk, bytes) in [&mut folded, &mut original].into_iter().flatten() {
            if let Some((w, state)) = walk {
                w.run_near_digits(state, bytes);
            }
        }
    }
    let finish = |side: Started<'_>| side.map(|(walk, bytes)| walk.and_then(|(w, state)| w.finish(state, bytes.len())));
    (finish(folded), finish(original))
}

/// A [`RegexScan`] in progress over one haystack.
///
/// The DFA's own overlapping search stops at every match and does
/// bookkeeping at every byte; a walk only follows transitions while they
/// lead to plain states. Matches are reported one byte late: a match state
/// entered on the byte at `at` means a match ending at `at`.
///
/// The current state is the caller's, not the walk's: kept in a local
/// variable, it stays in a register.
struct Walk<'s> {
    scan: &'s RegexScan,
    lazy: hybrid::dfa::Cache,
    memo: Memo,
    ranges: &'s [(usize, usize)],
    /// The segment of the last match.
    k: usize,
    flagged: Vec<Vec<Flag>>,
    /// `Some(true)` once no match can follow (a dead state), `Some(false)`
    /// once the DFA gave up.
    stopped: Option<bool>,
}

impl Walk<'_> {
    /// Walks `bytes` from row `state` (the start), reading only the text
    /// near digits (see [`Skip`]); walks it all without a skip.
    ///
    /// Where the walk is back in its start state, no match begun earlier is
    /// still open, so it may go on from anywhere later as from the start
    /// (the rules have no look-around). It goes on from as far before the
    /// next digit as a match may start, and reads on past the digit until
    /// it is back in the start state. After the last digit it stops: no
    /// match is left to find, and the start state's end of text reports
    /// none.
    fn run_near_digits(&mut self, state: &mut u32, bytes: &[u8]) {
        let Some(skip) = self.scan.skip else {
            return self.run(state, bytes, 0);
        };
        let (start, clears) = (*state, self.lazy.clear_count());
        let mut at = 0;
        while let Some((digit, after)) = next_digit(bytes, at) {
            let from = units_before(bytes, digit, skip.before, at);
            at = self.run_back_to(state, bytes, from, after, start);
            if self.stopped.is_some() || at == bytes.len() {
                return;
            }
            // A cleared cache renumbers the rows, the start's too.
            if self.lazy.clear_count() != clears {
                return self.run(state, bytes, at);
            }
        }
    }

    /// Walks `bytes` from `from` to `after` at least, and on until the walk
    /// is back in row `start` (or the text ends, or the walk stops); returns
    /// where it stopped.
    fn run_back_to(&mut self, state: &mut u32, bytes: &[u8], from: usize, after: usize, start: u32) -> usize {
        let mut at = from;
        while at < bytes.len() && self.stopped.is_none() {
            let (table, classes) = (&self.memo.table[..], &self.scan.classes);
            while at < bytes.len() {
                let next = table[*state as usize + classes[bytes[at] as usize] as usize];
                if next & TAG != 0 {
                    break;
                }
                *state = next;
                at += 1;
                if at >= after && next == start {
                    return at;
                }
            }
            if at < bytes.len() {
                *state = self.step(*state, at, bytes[at]);
                at += 1;
                if at >= after && *state == start {
                    return at;
                }
            }
        }
        at
    }

    /// Walks `bytes[from..]` from row `state`, unless the walk has stopped.
    fn run(&mut self, state: &mut u32, bytes: &[u8], from: usize) {
        self.run_back_to(state, bytes, from, usize::MAX, UNKNOWN);
    }

    /// The row after `row` on the byte at `at`, learning the transition
    /// from the lazy DFA if need be, and looking at the state it leads to.
    #[inline(never)]
    fn step(&mut self, row: u32, at: usize, byte: u8) -> u32 {
        let cell = row as usize + self.scan.classes[byte as usize] as usize;
        let mut next = self.memo.table[cell];
        if next == UNKNOWN {
            if self.stopped.is_some() {
                return row;
            }
            let from = self.memo.states[row as usize / self.scan.stride];
            let to = match self.scan.dfa.next_state(&mut self.lazy, from, byte) {
                Ok(to) => to,
                Err(_) => {
                    self.stopped = Some(false);
                    return row;
                }
            };
            // After a clear, the table starts again from this state.
            let cleared = self.sync();
            next = self.row_of(to);
            if to.is_match() || to.is_dead() || to.is_quit() {
                next |= TAG;
            }
            if !cleared {
                self.memo.table[cell] = next;
            }
        }
        let row = next & !TAG;
        if next & TAG != 0 && self.stopped.is_none() {
            let state = self.memo.states[row as usize / self.scan.stride];
            if state.is_match() {
                self.flag(state, at);
            } else if state.is_dead() {
                self.stopped = Some(true);
            } else {
                self.stopped = Some(false);
            }
        }
        row
    }

    /// Starts the table again if the lazy DFA's cache was cleared since it
    /// was started; returns whether it was.
    fn sync(&mut self) -> bool {
        let (memo, clears) = (&mut self.memo, self.lazy.clear_count());
        if clears == memo.clears {
            return false;
        }
        memo.table.clear();
        memo.states.clear();
        memo.rows.clear();
        memo.clears = clears;
        true
    }

    /// The row of a state of the lazy DFA, new if need be.
    fn row_of(&mut self, state: hybrid::LazyStateID) -> u32 {
        let memo = &mut self.memo;
        let stride = self.scan.stride;
        *memo.rows.entry(state).or_insert_with(|| {
            memo.states.push(state);
            let row = memo.table.len();
            memo.table.resize(row + stride, UNKNOWN);
            row as u32
        })
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
        for i in 0..self.scan.dfa.match_len(&self.lazy, state) {
            let pattern = self.scan.dfa.match_pattern(&self.lazy, state, i).as_usize();
            match self.flagged[pattern].last_mut() {
                Some(last) if last.segment == k => last.last_end = end as u32,
                _ => self.flagged[pattern].push(Flag {
                    segment: k,
                    first_end: end as u32,
                    last_end: end as u32,
                }),
            }
        }
    }

    /// The segments flagged per rule, once the walk has seen all `len`
    /// bytes; the cache goes back to the pool.
    fn finish(mut self, row: u32, len: usize) -> ScanFlags {
        let flags = match self.stopped {
            Some(false) => None,
            Some(true) => Some(std::mem::take(&mut self.flagged)),
            None => {
                let state = self.memo.states[row as usize / self.scan.stride];
                match self.scan.dfa.next_eoi_state(&mut self.lazy, state) {
                    Ok(end) => {
                        self.sync();
                        if end.is_match() {
                            self.flag(end, len);
                        }
                        Some(std::mem::take(&mut self.flagged))
                    }
                    Err(_) => None,
                }
            }
        };
        *self.scan.caches.get() = ScanCache {
            lazy: Some(self.lazy),
            memo: self.memo,
        };
        flags
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

    #[test]
    fn a_cleared_cache_leaves_the_flags_as_they_were() {
        let patterns = [r"\d+\s+\w+", r"\w+ \d{2,4}", r"[a-c]+é", r"(?:abc|bca|cab)[0-9]"];
        let loose = || patterns.iter().enumerate().map(|(i, p)| (i, p.to_string())).collect();
        let hay: String = ["ab ", "1 ", "é", "cab9 ", "bca ", "22 ", "x", "cbé "]
            .iter()
            .cycle()
            .take(2000)
            .copied()
            .collect();
        let ranges: Vec<(usize, usize)> = (0..hay.len())
            .step_by(40)
            .map(|a| (a, (a + 40).min(hay.len())))
            .filter(|&(a, b)| hay.is_char_boundary(a) && hay.is_char_boundary(b))
            .collect();
        let small = RegexScan::with_cache(loose(), 0).unwrap();
        let large = RegexScan::new(loose()).unwrap();
        assert_eq!(small.flag(&hay, &ranges), large.flag(&hay, &ranges));
        assert!(large.flag(&hay, &ranges).unwrap().iter().all(|f| !f.is_empty()));
        let cache = small.caches.get();
        assert!(
            cache.lazy.as_ref().unwrap().clear_count() > 0,
            "the small cache was never cleared"
        );
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

        /// Walking only near digits flags exactly what walking the whole
        /// text flags, with the smallest cache too.
        #[test]
        fn walks_near_digits_flag_what_whole_walks_flag(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "enero", "Mayo", "de", " ", "  \n ", "\n", "5", "12", "2019", "$", "$ ", "niños", "Niña",
                "años", "anos", "ab", "x", ",000", "a-", "٣", "é", "coyote", ".",
                // Whole matches, so that matches far from their digit are common.
                "enero de ", "mayo  de\n ", "niñas \n de ", "x \n\n ",
            ]), 0..40),
            cuts in proptest::collection::vec(0usize..200, 0..6),
            small in proptest::bool::ANY,
        ) {
            let patterns = [
                r"\$\s?\d+", r"(?:enero|mayo)\s+de\s+\d{4}", r"niñ[oa]s?\s+de\s+\d+", r"\d{1,2}\s?(?:años|anos)",
                r"(?:ab)?\d\d?x?", r"\d+(?:,\d{3})+", r"a-?\d{2}", r"x\s*\d",
            ];
            let hay = parts.concat();
            let rules = || patterns.iter().enumerate().map(|(i, p)| (i, p.to_string())).collect();
            let capacity = if small { 0 } else { 8 << 20 };
            let near = RegexScan::with_cache(rules(), capacity).unwrap();
            proptest::prop_assert!(near.skip.is_some());
            let mut whole = RegexScan::with_cache(rules(), capacity).unwrap();
            whole.skip = None;
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(hay.len())).filter(|&c| hay.is_char_boundary(c)).collect();
            cuts.extend([0, hay.len()]);
            cuts.sort_unstable();
            cuts.dedup();
            let ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
            proptest::prop_assert_eq!(near.flag(&hay, &ranges), whole.flag(&hay, &ranges), "{:?}", hay);
        }

        /// Searching only the segments the scan flags, up to the end it
        /// gives, finds what searching every segment finds.
        ///
        /// With the smallest cache, the lazy DFA clears it again and again,
        /// and the walk's table of transitions must follow.
        #[test]
        fn the_scan_flags_every_segment_with_a_match(
            hay in "[ab1é ]{0,30}",
            cuts in proptest::collection::vec(0usize..30, 0..6),
            small in proptest::bool::ANY,
        ) {
            let patterns = [r"\d+\s+\w+", r"a[ab ]*b", r"\bb\b", r"a?", r"(?m)^a|b$", r"ab|a b a", r"\bé", r"\ba{1,2} ?[bé]\b", r"\d\s?\d|é b"];
            let loose: Vec<(usize, String)> = patterns
                .iter()
                .enumerate()
                .map(|(i, p)| (i, rewrite_boundaries(p, "").unwrap_or(p.to_string())))
                .collect();
            let scan = RegexScan::with_cache(loose, if small { 0 } else { 8 << 20 }).unwrap();
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
                    if let Some(f) = flagged[i].iter().find(|f| f.segment as usize == k) {
                        let from = max_match_len(p).map_or(a, |n| a.max((f.first_end as usize).saturating_sub(n)));
                        find_all(&hay, from, f.last_end as usize, first, |s, e| got.push((s, e)));
                    }
                    proptest::prop_assert_eq!(got, want, "{} in {:?}", p, &hay[a..b]);
                }
            }
        }
    }
}
