//! Matching: applying every rule of every code to a document in one pass.
//!
//! Why it is built this way:
//!
//! * The text is *folded* once per document — lower-cased, accents removed,
//!   every run of whitespace collapsed to one space, speaker labels turned into separators —
//!   into a buffer with a map from each folded byte back to the original
//!   byte. Keywords are folded the same way, so `prestamo` finds `Préstamo`
//!   and `pay the smuggler` finds `pay the\nsmuggler`.
//! * All keywords of all codes go into **one** Aho-Corasick automaton with a
//!   table from pattern id to the terms that use it. Word boundaries,
//!   wildcards (`hipotec*`) and accent requirements (`año` must not match
//!   `ano`) are checked in code around each candidate. A regex set with
//!   Unicode `\b` would be about a thousand times slower on accented text.
//! * Regular-expression rules are one `Regex` each, so each keeps its own
//!   literal prefilter.
//! * `all`, `near`, `not`, `min_hits` and speaker scopes are evaluated
//!   afterwards on the sorted hit lists of each segment.

use std::cell::Cell;
use std::sync::OnceLock;

use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored as AcAnchored, MatchKind, dfa};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::{Anchored, Input, MatchKind as RegexMatchKind, hybrid, meta, util::syntax};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::codebook::{Accents, Codebook, Rules, SpeakerSet, Term};
use crate::error::{Error, Result};
use crate::segment::{Label, Segment};

/// A document's text folded for matching.
pub struct Folded {
    /// Lower-cased, accent-free, whitespace-collapsed text, with each speaker
    /// label in the middle of it replaced by [`LABEL`].
    pub text: String,
    /// Where folded bytes come from in the original text, as checkpoints
    /// sorted by folded offset (see [`Mark`]). Most text folds byte for byte,
    /// so a few checkpoints per line replace a per-byte table four times
    /// the size of the text.
    marks: Vec<Mark>,
    /// Whether the original / folded text holds a word character outside
    /// ASCII (decides whether ASCII word boundaries are exact, see
    /// [`RegexRule`]).
    original_unicode_words: bool,
    folded_unicode_words: bool,
    /// The answer of the last [`Folded::mark_of`], where the next search
    /// starts.
    last_mark: Cell<usize>,
}

/// What a speaker label folds to: neither a word character nor white space
/// (in Rust or Python), so that phrases, which match across white space, stop
/// there; and never in a document's text, which refuses NUL characters.
const LABEL: u8 = 0;

/// From folded byte `folded` on, until the next mark: when `linear`, each
/// folded byte comes from the original byte at the same distance from
/// `original`; otherwise they all come from the character at `original`.
#[derive(Debug, Clone, Copy)]
struct Mark {
    folded: u32,
    original: u32,
    linear: bool,
}

/// Whether an ASCII byte is white space as [`char::is_whitespace`] has it:
/// `is_ascii_whitespace` leaves out the vertical tab, which some word
/// processors write for a line break.
fn is_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

/// Bytes checked at once by [`plain_block`].
const PLAIN_BLOCK: usize = 16;

/// Whether `block` can extend a run of ASCII that folds byte for byte: no
/// byte outside ASCII, no white space but single spaces (`before` is the
/// byte before the block), and not a space last (what follows it decides).
/// Written without early exits so that the compiler checks all the bytes at
/// once with vector instructions: words are short, and stopping at every
/// space costs more than folding.
fn plain_block(block: &[u8], before: u8) -> bool {
    let ok = block
        .iter()
        .fold(true, |ok, &b| ok & (b < 0x80) & !(b'\t'..=b'\r').contains(&b));
    let double_space = block
        .iter()
        .zip(std::iter::once(&before).chain(block))
        .fold(false, |double, (&b, &prev)| double | ((b == b' ') & (prev == b' ')));
    ok & !double_space & (block[block.len() - 1] != b' ')
}

/// The buffers of a [`Folded`] text.
#[derive(Default)]
struct Buffers {
    text: String,
    marks: Vec<Mark>,
}

/// Per thread, the buffers of the last document coded, reused by the next:
/// documents are large, and allocating (and the kernel zeroing) their
/// buffers anew each time costs more than folding some of them.
#[derive(Default)]
struct Scratch {
    folded: Buffers,
    hits: Vec<Hit>,
    original_ranges: Vec<(usize, usize)>,
    folded_ranges: Vec<(usize, usize)>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
}

/// Builds the folded text and its marks.
struct Folder {
    out: String,
    marks: Vec<Mark>,
}

impl Folder {
    /// Notes that the next folded byte comes from original byte `at`, and
    /// so do the following ones, byte for byte.
    fn linear(&mut self, at: usize) {
        let f = self.out.len();
        if let Some(m) = self.marks.last()
            && m.linear
            && (m.original as usize).wrapping_sub(m.folded as usize) == at.wrapping_sub(f)
        {
            return;
        }
        self.marks.push(Mark {
            folded: f as u32,
            original: at as u32,
            linear: true,
        });
    }

    fn space(&mut self, at: usize) {
        self.linear(at);
        self.out.push(' ');
    }
}

impl Folded {
    /// Folds `text`, replacing the byte ranges of `labels` (sorted) by separators.
    pub fn new(text: &str, labels: &[Label]) -> Folded {
        Folded::new_in(text, labels, Buffers::default())
    }

    /// [`Folded::new`], writing into buffers left by an earlier document
    /// (see [`Folded::into_buffers`]) rather than new ones.
    fn new_in(text: &str, labels: &[Label], buffers: Buffers) -> Folded {
        assert!(text.len() < u32::MAX as usize, "documents are limited to 4 GiB");
        let Buffers {
            text: mut out,
            mut marks,
        } = buffers;
        out.clear();
        out.reserve(text.len());
        marks.clear();
        let mut f = Folder { out, marks };
        let bytes = text.as_bytes();
        let mut labels = labels.iter().peekable();
        let mut i = 0;
        let mut last_space = true; // leading whitespace is dropped
        let mut original_unicode_words = false;
        let mut folded_unicode_words = false;
        while i < bytes.len() {
            let next_label = labels.peek().map_or(bytes.len(), |l| l.start);
            if i >= next_label {
                let label = labels.next().expect("peeked");
                // A label separates speakers: no phrase runs from one
                // speaker's words into the next one's.
                if f.out.as_bytes().last().is_some_and(|&b| b != LABEL) {
                    f.linear(i);
                    f.out.push(char::from(LABEL));
                }
                last_space = true;
                i = i.max(label.end);
                continue;
            }
            let b = bytes[i];
            if b.is_ascii() {
                if is_space(b) {
                    if !last_space {
                        f.space(i);
                        last_space = true;
                    }
                    i += 1;
                    continue;
                }
                // A run of ASCII folds byte for byte, single spaces between
                // words included; other whitespace ends it (to be collapsed).
                let plain = |b: u8| b.is_ascii() && !is_space(b);
                let run = &bytes[..next_label];
                let mut j = i + 1;
                loop {
                    while let Some(block) = run.get(j..j + PLAIN_BLOCK)
                        && plain_block(block, run[j - 1])
                    {
                        j += PLAIN_BLOCK;
                    }
                    j += run[j..].iter().position(|&b| !plain(b)).unwrap_or(run.len() - j);
                    if j + 1 < run.len() && run[j] == b' ' && plain(run[j + 1]) {
                        j += 2;
                    } else {
                        break;
                    }
                }
                f.linear(i);
                let from = f.out.len();
                f.out.push_str(&text[i..j]);
                f.out[from..].make_ascii_lowercase();
                last_space = false;
                i = j;
                continue;
            }
            let c = text[i..].chars().next().expect("char boundary");
            if c.is_whitespace() {
                if !last_space {
                    f.space(i);
                    last_space = true;
                }
            } else {
                let before = f.out.len();
                let (word, folded_word) = match Latin::of(c) {
                    Some(latin) => {
                        f.out.extend(latin.folded);
                        (latin.word, latin.folded_word)
                    }
                    None => {
                        fold_char(c, |d| f.out.push(d));
                        let word = regex_syntax::is_word_character(c);
                        let folded_word = word
                            && f.out[before..]
                                .chars()
                                .any(|d| !d.is_ascii() && regex_syntax::is_word_character(d));
                        (word, folded_word)
                    }
                };
                if f.out.len() > before {
                    f.marks.push(Mark {
                        folded: before as u32,
                        original: i as u32,
                        linear: false,
                    });
                    last_space = false;
                }
                original_unicode_words |= word;
                folded_unicode_words |= folded_word;
            }
            i += c.len_utf8();
        }
        Folded {
            text: f.out,
            marks: f.marks,
            original_unicode_words,
            folded_unicode_words,
            last_mark: Cell::new(0),
        }
    }

    /// The original byte offset of the character that produced folded byte
    /// `at`.
    fn original_offset(&self, at: usize) -> usize {
        let m = self.marks[self.mark_of(at)];
        if m.linear {
            m.original as usize + (at - m.folded as usize)
        } else {
            m.original as usize
        }
    }

    /// The folded text's buffers, for the next document.
    fn into_buffers(self) -> Buffers {
        Buffers {
            text: self.text,
            marks: self.marks,
        }
    }

    /// The index of the last mark at or before folded byte `at`. Lookups come
    /// in near-ascending order (matches as they are found), so the search
    /// gallops from the previous answer rather than bisecting every mark.
    fn mark_of(&self, at: usize) -> usize {
        let marks = &self.marks;
        let before = |k: usize| marks[k].folded as usize <= at;
        let h = self.last_mark.get().min(marks.len() - 1);
        let mut step = 1;
        let (lo, hi) = if before(h) {
            let mut lo = h;
            loop {
                let probe = h + step;
                if probe >= marks.len() || !before(probe) {
                    break (lo, probe.min(marks.len()));
                }
                lo = probe;
                step *= 2;
            }
        } else {
            let mut hi = h;
            loop {
                let Some(probe) = h.checked_sub(step) else {
                    break (0, hi);
                };
                if before(probe) {
                    break (probe, hi);
                }
                hi = probe;
                step *= 2;
            }
        };
        // The first mark is at folded byte 0, so `lo` is always before `at`.
        let k = lo + marks[lo..hi].partition_point(|m| m.folded as usize <= at) - 1;
        self.last_mark.set(k);
        k
    }

    /// The folded offset of original byte `at`: the first folded byte that
    /// comes from `at` or after it.
    fn folded_offset(&self, at: usize) -> usize {
        let k = self.marks.partition_point(|m| m.original as usize <= at);
        let Some(m) = k.checked_sub(1).map(|k| self.marks[k]) else {
            return 0;
        };
        let next = self.marks.get(k).map_or(self.text.len(), |n| n.folded as usize);
        if m.linear {
            (m.folded as usize + (at - m.original as usize)).min(next)
        } else if m.original as usize == at {
            m.folded as usize
        } else {
            next
        }
    }

    /// The original byte range of the folded range `[start, end)`.
    fn original(&self, original: &str, start: usize, end: usize) -> (usize, usize) {
        let s = self.original_offset(start);
        let last = self.original_offset(end - 1);
        let len = original[last..].chars().next().map_or(0, char::len_utf8);
        (s, last + len)
    }

    /// The original character that produced the folded byte `at`.
    fn original_char(&self, original: &str, at: usize) -> char {
        original[self.original_offset(at)..].chars().next().unwrap_or(' ')
    }
}

/// The folding of a character of the Latin-1 Supplement or Latin Extended
/// blocks (U+0080 to U+024F), where the accented letters of Spanish and most
/// European languages live, looked up rather than computed: folding is the
/// most frequent work on non-ASCII text.
#[derive(Debug, Clone, Copy)]
struct Latin {
    /// The folded form: one character, or none (a lone combining mark).
    folded: Option<char>,
    /// Whether the character is a word character (for `\b`).
    word: bool,
    /// Whether its folded form is a non-ASCII word character.
    folded_word: bool,
}

impl Latin {
    const RANGE: std::ops::Range<u32> = 0x80..0x250;

    fn of(c: char) -> Option<Latin> {
        static TABLE: OnceLock<Vec<Option<Latin>>> = OnceLock::new();
        let u = u32::from(c);
        if !Self::RANGE.contains(&u) {
            return None;
        }
        let table = TABLE.get_or_init(|| {
            Self::RANGE
                .map(|u| {
                    let c = char::from_u32(u).expect("no surrogates below U+D800");
                    let mut folded = String::new();
                    fold_char(c, |d| folded.push(d));
                    let mut chars = folded.chars();
                    let (first, rest) = (chars.next(), chars.next());
                    // The few that fold to two characters (`ŉ` to `ʼn`) are
                    // folded each time they occur.
                    let word = regex_syntax::is_word_character(c);
                    (rest.is_none()).then(|| Latin {
                        folded: first,
                        word,
                        folded_word: word && first.is_some_and(|d| !d.is_ascii() && regex_syntax::is_word_character(d)),
                    })
                })
                .collect()
        });
        table[(u - Self::RANGE.start) as usize]
    }
}

/// Calls `emit` with the folded form of `c` (lower case, no accents).
pub fn fold_char(c: char, mut emit: impl FnMut(char)) {
    for lower in c.to_lowercase() {
        if is_combining_mark(lower) {
            continue;
        }
        decompose_canonical(lower, |d| {
            if !is_combining_mark(d) {
                emit(d);
            }
        });
    }
}

/// Folds a whole string (for keywords and reports).
pub fn fold_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, |d| out.push(d));
    }
    out
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

/// One use of an Aho-Corasick literal by a term.
#[derive(Debug, Clone)]
struct LiteralUse {
    slot: u32,
    open_start: bool,
    open_end: bool,
    required: Required,
}

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
struct RegexRule {
    slot: u32,
    regex: meta::Regex,
    ascii: Option<meta::Regex>,
    /// The pattern without its word boundaries (see [`verified`]).
    loose: Option<Lazy>,
    /// Runs over the folded text (else over the original text).
    folded: bool,
    /// A term with `*` inside a word: word boundaries are checked in code,
    /// and so are accents, with one requirement list per capture group
    /// (empty when the term has none).
    term: Option<Vec<Required>>,
}

impl RegexRule {
    /// The leftmost-first match of the rule that lies in `from..to`, found
    /// by the fastest engine that is exact on this haystack. Look-around
    /// (`\b`, `^`, `$`) sees the whole haystack, not just the range.
    fn first(&self, hay: &str, from: usize, to: usize, unicode_words: bool) -> Option<(usize, usize)> {
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
struct Lazy {
    source: String,
    regex: OnceLock<Option<meta::Regex>>,
}

impl Lazy {
    fn new(source: String) -> Lazy {
        Lazy {
            source,
            regex: OnceLock::new(),
        }
    }

    /// The regex, or `None` when it cannot be compiled (callers then use a
    /// slower engine that gives the same matches).
    fn get(&self) -> Option<&meta::Regex> {
        self.regex.get_or_init(|| build_regex(&self.source, true).ok()).as_ref()
    }
}

/// Compiles a regular expression the way codebook rules use it; the error
/// is the parser's own message, which shows where the pattern is wrong.
fn build_regex(source: &str, case_insensitive: bool) -> std::result::Result<meta::Regex, String> {
    meta::Regex::builder()
        .syntax(syntax::Config::new().case_insensitive(case_insensitive))
        .configure(meta::Config::new().nfa_size_limit(Some(1 << 24)))
        .build(source)
        .map_err(|e| e.syntax_error().map_or_else(|| e.to_string(), |s| s.to_string()))
}

/// Calls `each` with the non-empty matches in `from..to`, in order, as the
/// regex's own iterator finds them, given `first` (see [`RegexRule::first`]).
fn find_all(
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
struct RegexScan {
    dfa: hybrid::dfa::DFA,
    caches: Pool<hybrid::dfa::Cache, CacheFn>,
    /// Pattern id in `dfa` → index into [`Matcher::regexes`].
    rules: Vec<usize>,
}

type CacheFn = Box<dyn Fn() -> hybrid::dfa::Cache + Send + Sync>;

impl std::fmt::Debug for RegexScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegexScan").field("rules", &self.rules).finish()
    }
}

impl RegexScan {
    /// The scan of `rules` (index into the matcher's regexes, loose source).
    fn new(rules: Vec<(usize, String)>) -> Option<RegexScan> {
        if rules.is_empty() {
            return None;
        }
        let dfa = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .match_kind(RegexMatchKind::All)
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
    fn flag(&self, hay: &str, ranges: &[(usize, usize)]) -> Option<Vec<Vec<(u32, u32)>>> {
        let mut walk = self.walk(hay, ranges)?;
        for (at, &byte) in hay.as_bytes().iter().enumerate() {
            walk.step(at, byte);
        }
        walk.finish(hay.len())
    }

    /// A walk of the DFA over `hay`, one byte at a time (see [`Walk`]).
    fn walk<'s>(&'s self, hay: &str, ranges: &'s [(usize, usize)]) -> Option<Walk<'s>> {
        let mut cache = self.caches.get();
        let state = self.dfa.start_state_forward(&mut cache, &Input::new(hay)).ok()?;
        Some(Walk {
            scan: self,
            cache,
            state,
            ranges,
            k: 0,
            flagged: vec![Vec::new(); self.rules.len()],
            stopped: None,
        })
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
struct Walk<'s> {
    scan: &'s RegexScan,
    cache: PoolGuard<'s, hybrid::dfa::Cache, CacheFn>,
    state: hybrid::LazyStateID,
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
    fn step(&mut self, at: usize, byte: u8) {
        if !self.state.is_tagged() {
            let next = self.scan.dfa.next_state_untagged(&self.cache, self.state, byte);
            if !next.is_tagged() {
                self.state = next;
                return;
            }
        }
        self.slow_step(at, byte);
    }

    /// An uncomputed transition, or one from or to a special state.
    #[inline(never)]
    fn slow_step(&mut self, at: usize, byte: u8) {
        if self.stopped.is_some() {
            return;
        }
        let dfa = &self.scan.dfa;
        match dfa.next_state(&mut self.cache, self.state, byte) {
            Ok(next) => self.state = next,
            Err(_) => {
                self.stopped = Some(false);
                return;
            }
        }
        if self.state.is_match() {
            self.flag(self.state, at);
        } else if self.state.is_dead() {
            self.stopped = Some(true);
        } else if self.state.is_quit() {
            self.stopped = Some(false);
        }
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
    fn finish(mut self, len: usize) -> Option<Vec<Vec<(u32, u32)>>> {
        match self.stopped {
            Some(false) => return None,
            Some(true) => return Some(self.flagged),
            None => {}
        }
        let end = self.scan.dfa.next_eoi_state(&mut self.cache, self.state).ok()?;
        if end.is_match() {
            self.flag(end, len);
        }
        Some(self.flagged)
    }
}

/// A codebook compiled for matching. Build once, share across threads.
#[derive(Debug)]
pub struct Matcher {
    automaton: Option<dfa::DFA>,
    uses: Vec<Vec<LiteralUse>>,
    regexes: Vec<RegexRule>,
    /// The scans of the regexes run on the folded and on the original text.
    folded_scan: Option<RegexScan>,
    original_scan: Option<RegexScan>,
    slots: Vec<Slot>,
    codes: Vec<Rules>,
    /// The codes' distinct speaker scopes (`speakers`, `skip_speakers`):
    /// usually one or two, checked once per segment rather than per code.
    scopes: Vec<(SpeakerSet, SpeakerSet)>,
    /// Per code, its index into `scopes`.
    scope_of: Vec<usize>,
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
        let mut literals: Vec<String> = Vec::new();
        let mut literal_ids: std::collections::HashMap<String, usize> = Default::default();
        let mut uses: Vec<Vec<LiteralUse>> = Vec::new();
        let mut regexes = Vec::new();
        // Per regex rule: whether it runs on the folded text, and its source
        // without word boundaries (for the scans).
        let mut scanned: Vec<(bool, String)> = Vec::new();
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
                    scanned.push((true, source));
                    regexes.push(RegexRule {
                        slot,
                        regex,
                        ascii: None,
                        loose: None,
                        folded: true,
                        term: Some(required),
                    });
                    continue;
                }
                let (literal, required) = fold_term(term, rules.accents);
                let id = *literal_ids.entry(literal.clone()).or_insert_with(|| {
                    literals.push(literal);
                    uses.push(Vec::new());
                    uses.len() - 1
                });
                uses[id].push(LiteralUse {
                    slot,
                    open_start: term.open_start,
                    open_end: term.open_end,
                    required,
                });
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
                scanned.push((folded, loose.clone().unwrap_or(source)));
                regexes.push(RegexRule {
                    slot,
                    regex,
                    loose: loose.filter(|_| ascii.is_some()).map(Lazy::new),
                    ascii,
                    folded,
                    term: None,
                });
            }
        }
        let automaton = if literals.is_empty() {
            None
        } else {
            Some(
                // A DFA costs memory proportional to the keywords (a few MB
                // for a thousand) and is the fastest overlapping search.
                dfa::DFA::builder()
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&literals)
                    .map_err(|e| Error::new(format!("the keywords cannot be compiled: {e}")))?,
            )
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
                    .filter(|(_, (f, _))| *f == folded)
                    .map(|(rule, (_, source))| (rule, source.clone()))
                    .collect(),
            )
        };
        Ok(Matcher {
            automaton,
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
        let mut push = |segment: usize, slot: u32, start: usize, end: usize, folded_start: usize| {
            hits.push(Hit {
                segment: segment as u32,
                code: self.slots[slot as usize].code,
                slot,
                start: start as u32,
                end: end as u32,
                folded_start: folded_start as u32,
            });
        };
        let ft = folded.text.as_str();
        let mut original_ranges = std::mem::take(&mut scratch.original_ranges);
        original_ranges.clear();
        original_ranges.extend(segments.iter().map(|s| (s.start, s.end)));
        let mut folded_ranges = std::mem::take(&mut scratch.folded_ranges);
        folded_ranges.clear();
        if self.folded_scan.is_some() {
            folded_ranges.extend(
                original_ranges
                    .iter()
                    .map(|&(a, b)| (folded.folded_offset(a), folded.folded_offset(b))),
            );
        }
        // One loop walks the folded text with the keyword automaton and the
        // scan of the regexes that run on folded text.
        let mut walk = self.folded_scan.as_ref().and_then(|scan| scan.walk(ft, &folded_ranges));
        if self.automaton.is_some() || walk.is_some() {
            let mut state = self.automaton.as_ref().map(|ac| {
                ac.start_state(AcAnchored::No)
                    .expect("an unanchored DFA has a start state")
            });
            let mut last_segment = 0;
            for (at, &byte) in ft.as_bytes().iter().enumerate() {
                if let Some(walk) = &mut walk {
                    walk.step(at, byte);
                }
                let (Some(ac), Some(state)) = (&self.automaton, &mut state) else {
                    continue;
                };
                // Every keyword ending at this byte, straight from the DFA's
                // match states: the library's overlapping iterator costs a
                // call per candidate, and most candidates (`son` in `person`)
                // fail the word-boundary check below.
                *state = ac.next_state(AcAnchored::No, *state, byte);
                if !ac.is_special(*state) || !ac.is_match(*state) {
                    continue;
                }
                for i in 0..ac.match_len(*state) {
                    let literal = ac.match_pattern(*state, i);
                    let (start, end) = (at + 1 - ac.pattern_len(literal), at + 1);
                    for u in &self.uses[literal.as_usize()] {
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
                        if !accents_ok(&folded, text, start, &u.required) {
                            continue;
                        }
                        let (os, oe) = folded.original(text, s, e);
                        if let Some(segment) = segment_of(segments, os, oe, &mut last_segment) {
                            push(segment, u.slot, os, oe, s);
                        }
                    }
                }
            }
        }
        // `None`: the scan could not run, so any segment may match.
        let mut folded_flags = Some(walk.and_then(|walk| walk.finish(ft.len())));
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
                    scan.flag(hay, ranges)
                };
                for (id, &rule) in scan.rules.iter().enumerate() {
                    let r = &self.regexes[rule];
                    let mut captures = None;
                    // Every match in a segment is a match of the scan's loose
                    // pattern, so none ends after the scan's last end there:
                    // the search stops at `end`.
                    let mut search = |k: usize, end: usize| {
                        let a = ranges[k].0;
                        let first = |from: usize, to: usize| r.first(hay, from, to, unicode_words);
                        find_all(hay, a, end, first, |s, e| {
                            if !r.folded {
                                if !in_label(labels, s, e) {
                                    push(k, r.slot, s, e, 0);
                                }
                                return;
                            }
                            if let Some(required) = &r.term {
                                if !boundary_before(ft, s) || !boundary_after(ft, e) {
                                    return;
                                }
                                if !required.is_empty() {
                                    let caps = captures.get_or_insert_with(|| r.regex.create_captures());
                                    r.regex
                                        .search_captures(&Input::new(ft).range(s..e).anchored(Anchored::Yes), caps);
                                    let ok = required.iter().enumerate().all(|(i, need)| {
                                        caps.get_group(i + 1)
                                            .is_none_or(|g| accents_ok(&folded, text, g.start, need))
                                    });
                                    if !ok {
                                        return;
                                    }
                                }
                            }
                            let (os, oe) = folded.original(text, s, e);
                            push(k, r.slot, os, oe, s);
                        });
                    };
                    match &flagged {
                        Some(flagged) => flagged[id]
                            .iter()
                            .for_each(|&(k, end)| search(k as usize, end as usize)),
                        None => (0..ranges.len()).for_each(|k| search(k, ranges[k].1)),
                    }
                }
            }
        }
        // Grouped by segment, then by code; the order inside a group does
        // not matter (evaluation sorts what it keeps, and a hit found twice
        // counts once there). The hits arrive as a few runs already in
        // segment order (keywords, then each regex), which a stable sort
        // merges cheaply; each segment's few hits are then sorted by code.
        hits.sort_by_key(|h| h.segment);
        let mut out = Applications::default();
        let mut support = Vec::new();
        // Per speaker scope, whether the current segment's speaker is in it.
        let mut allowed: Vec<Option<bool>> = vec![None; self.scopes.len()];
        for in_segment in hits.chunk_by_mut(|a, b| a.segment == b.segment) {
            in_segment.sort_unstable_by_key(|h| h.code);
            let seg = in_segment[0].segment as usize;
            let speaker = segments[seg].speaker.as_deref();
            allowed.fill(None);
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
                original_ranges,
                folded_ranges,
            }
        });
        out
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
        words.push(pieces.join(r"\w*"));
    }
    let mut re = words.join(" ");
    if term.open_start {
        re = format!(r"\w*{re}");
    }
    if term.open_end {
        re.push_str(r"\w*");
    }
    if required.iter().flatten().all(Option::is_none) {
        required.clear();
    }
    (re, required)
}

/// The pattern with each word boundary (`\b`, `\B`) outside brackets
/// replaced by `with`, where `$0` stands for the boundary itself; `None` when
/// the pattern has none.
fn rewrite_boundaries(pattern: &str, with: &str) -> Option<String> {
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
fn strip_accents(pattern: &str) -> String {
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
    use crate::segment::{self, SpeakerRule, Unit};

    /// Codes `text` (paragraph unit) with a codebook given as YAML codes.
    fn run(codes_yaml: &str, text: &str) -> Vec<(String, usize, usize, Vec<String>)> {
        run_unit(codes_yaml, text, Unit::Paragraph)
    }

    fn run_unit(codes_yaml: &str, text: &str, unit: Unit) -> Vec<(String, usize, usize, Vec<String>)> {
        let yaml = format!("name: T\ncodes:\n{codes_yaml}");
        let cb = Codebook::parse(&yaml, "t.yaml").unwrap();
        let m = Matcher::new(&cb).unwrap();
        let labels = segment::find_labels(text, &SpeakerRule::default());
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
        let cb = "  - name: a\n    patterns: ['\\bano\\b']\n";
        // Folded: `año` becomes `ano`, and boundaries hold either way.
        assert_eq!(run(cb, "el año pasado").len(), 1);
        assert!(run(cb, "el añoso").is_empty());
    }

    proptest::proptest! {
        /// Every folded character comes from an original character that
        /// folds to it (or from whitespace, for the collapsed spaces).
        #[test]
        fn folded_bytes_map_to_their_original_characters(
            parts in proptest::collection::vec("[a-zA-Z]{1,6}|[ \\n\\t]{1,3}|Ñandú|año|ÉTÉ|ß|İ|ǅ|🙏🏽|ﬁ|\u{a0}|e\u{301}", 0..40)
        ) {
            let text = parts.concat();
            let f = Folded::new(&text, &[]);
            for (at, d) in f.text.char_indices() {
                let o = f.original_char(&text, at);
                if d == ' ' {
                    proptest::prop_assert!(o.is_whitespace(), "{:?} at {} from {:?}", d, at, o);
                } else {
                    proptest::prop_assert!(fold_str(&o.to_string()).contains(d), "{:?} at {} from {:?}", d, at, o);
                }
            }
        }
    }

    proptest::proptest! {
        /// The galloping mark search agrees with bisection, in any order.
        #[test]
        fn mark_search_equals_bisection(
            parts in proptest::collection::vec("[a-z]{1,6}|[ \n]{1,3}|año|É", 1..60),
            queries in proptest::collection::vec(0usize..400, 1..40),
        ) {
            let text = parts.concat();
            let f = Folded::new(&text, &[]);
            proptest::prop_assume!(!f.text.is_empty());
            for q in queries {
                let at = q % f.text.len();
                let want = f.marks.partition_point(|m| m.folded as usize <= at) - 1;
                proptest::prop_assert_eq!(f.mark_of(at), want);
            }
        }
    }

    proptest::proptest! {
        /// The folded text is each character folded, with every run of
        /// white space made one space (none at the start), whatever the
        /// stretches of ASCII the fast paths skip over.
        #[test]
        fn folding_equals_a_character_by_character_fold(
            parts in proptest::collection::vec("[a-zA-Z0-9.,]{1,30}|[ \n\t\r]{1,3}| |Ñandú|año|ß|\u{a0}|\u{b}|\u{7f}", 0..40)
        ) {
            let text = parts.concat();
            let mut want = String::new();
            let mut last_space = true;
            for c in text.chars() {
                if c.is_whitespace() {
                    if !last_space {
                        want.push(' ');
                        last_space = true;
                    }
                } else {
                    let folded = fold_str(&c.to_string());
                    last_space &= folded.is_empty();
                    want.push_str(&folded);
                }
            }
            proptest::prop_assert_eq!(Folded::new(&text, &[]).text, want);
        }
    }

    #[test]
    fn the_latin_table_folds_as_fold_char_does() {
        for c in (0x80..0x250).filter_map(char::from_u32) {
            let want = fold_str(&c.to_string());
            if let Some(latin) = Latin::of(c) {
                assert_eq!(latin.folded.map(String::from).unwrap_or_default(), want, "{c:?}");
                assert_eq!(latin.word, regex_syntax::is_word_character(c), "{c:?}");
            } else {
                assert!(want.chars().count() > 1, "{c:?}");
            }
        }
        assert!(Latin::of('a').is_none() && Latin::of('ő').is_some() && Latin::of('ж').is_none());
    }

    #[test]
    fn folding_maps_back_to_original() {
        let text = "Ñandú  Ärger\n\tÉ";
        let f = Folded::new(text, &[]);
        assert_eq!(f.text, "nandu arger e");
        let (s, e) = f.original(text, 0, 5);
        assert_eq!(&text[s..e], "Ñandú");
    }
}
