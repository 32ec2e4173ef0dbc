//! Folding a document for matching: lower case, no accents, white space
//! collapsed, speaker labels turned into separators, with a map from each
//! folded byte back to the original text.

use std::cell::Cell;
use std::sync::OnceLock;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// For each folded char of a literal, the exact (lower-case) original
/// character it requires, if any; empty when it requires none: how a
/// keyword written with an accent (`año`) keeps it when the text is folded.
pub(super) type Required = Vec<Option<char>>;

/// A document's text folded for matching.
pub struct Folded {
    /// Lower-cased, accent-free, whitespace-collapsed text, with each speaker
    /// label in the middle of it replaced by one NUL byte (`LABEL`).
    pub text: String,
    /// Where folded bytes come from in the original text, as checkpoints
    /// sorted by folded offset (see [`Mark`]). Most text folds byte for byte,
    /// so a few checkpoints per line replace a per-byte table four times
    /// the size of the text.
    marks: Vec<Mark>,
    /// Whether the original / folded text holds a word character outside
    /// ASCII (decides whether ASCII word boundaries are exact for the
    /// regular-expression rules).
    pub(super) original_unicode_words: bool,
    pub(super) folded_unicode_words: bool,
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

impl Mark {
    /// The original byte offset of the character that produced folded byte
    /// `at`, which lies between this mark and the next.
    fn original_of(self, at: usize) -> usize {
        if self.linear {
            self.original as usize + (at - self.folded as usize)
        } else {
            self.original as usize
        }
    }
}

/// Bytes folded at once by [`Folded::new_in`].
const BLOCK: usize = 16;

/// The byte `b` in every byte of a block.
const fn every(b: u8) -> u128 {
    u128::from_le_bytes([b; BLOCK])
}

/// The top bit of every byte.
const TOP: u128 = every(0x80);

/// The bytes of `low` (all below 0x80) that are `b` or above, as their top
/// bits: no byte's sum carries into the next.
fn at_least(low: u128, b: u8) -> u128 {
    low.wrapping_add(every(0x80 - b)) & TOP
}

/// Looks at a block of bytes at once. Returns its bytes outside ASCII and
/// its white-space bytes, each as the top bits of their bytes, and the
/// block folded byte for byte as far as it is ASCII: lower case, white
/// space made a space.
///
/// White space is what [`char::is_whitespace`] says (`is_ascii_whitespace`
/// leaves out the vertical tab, which some word processors write for a line
/// break).
///
/// The sixteen bytes are one 128-bit number, and each test is a few
/// additions and masks on it, several times faster than a test per byte.
fn classify(block: [u8; BLOCK]) -> (u128, u128, [u8; BLOCK]) {
    let x = u128::from_le_bytes(block);
    let outside = x & TOP;
    let low = x & !TOP;
    let not_space = low ^ every(b' ');
    let is_blank = !not_space.wrapping_add(every(0x7f)) & TOP;
    let is_control_space = at_least(low, b'\t') & !at_least(low, b'\r' + 1);
    let space = (is_blank | is_control_space) & !outside;
    let upper = at_least(low, b'A') & !at_least(low, b'Z' + 1) & !outside;
    let spaces = (space >> 7) * 0xff;
    let lowered = ((x | upper >> 2) & !spaces) | (spaces & every(b' '));
    (outside, space, lowered.to_le_bytes())
}

/// The buffers of a [`Folded`] text.
#[derive(Default)]
pub(super) struct Buffers {
    text: String,
    marks: Vec<Mark>,
}

/// Builds the folded text and its marks.
struct Folder {
    out: Vec<u8>,
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
        self.out.push(b' ');
    }

    fn push(&mut self, c: char) {
        self.out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
}

impl Folded {
    /// Folds `text`, replacing the byte ranges `masked` (speaker labels,
    /// timestamps; sorted, disjoint) by separators.
    pub fn new(text: &str, masked: &[(usize, usize)]) -> Folded {
        Folded::new_in(text, masked, Buffers::default())
    }

    /// [`Folded::new`], writing into buffers left by an earlier document
    /// (see [`Folded::into_buffers`]) rather than new ones.
    pub(super) fn new_in(text: &str, masked: &[(usize, usize)], buffers: Buffers) -> Folded {
        assert!(text.len() < u32::MAX as usize, "documents are limited to 4 GiB");
        let Buffers { text: out, mut marks } = buffers;
        let mut out = out.into_bytes();
        out.clear();
        out.reserve(text.len());
        marks.clear();
        let mut f = Folder { out, marks };
        let bytes = text.as_bytes();
        let mut labels = masked.iter().peekable();
        let mut i = 0;
        let mut last_space = true; // leading whitespace is dropped
        let mut original_unicode_words = false;
        let mut folded_unicode_words = false;
        while i < bytes.len() {
            let next_label = labels.peek().map_or(bytes.len(), |l| l.0);
            if i >= next_label {
                let &(_, label_end) = labels.next().expect("peeked");
                // A label separates speakers: no phrase runs from one
                // speaker's words into the next one's.
                if f.out.last().is_some_and(|&b| b != LABEL) {
                    f.linear(i);
                    f.out.push(LABEL);
                }
                last_space = true;
                i = i.max(label_end);
                continue;
            }
            // A character outside ASCII goes straight to the character path
            // (text in Greek or Cyrillic has little else).
            if bytes[i].is_ascii() {
                // Sixteen bytes at a time: the bytes up to the first one that
                // does not fold byte for byte (outside ASCII, or white space
                // after white space) are written out lowered. The end of the
                // text is padded with bytes of the first kind.
                let block = match bytes.get(i..i + BLOCK) {
                    Some(block) => block.try_into().expect("a block's length"),
                    None => {
                        let mut block = [0x80; BLOCK];
                        block[..bytes.len() - i].copy_from_slice(&bytes[i..]);
                        block
                    }
                };
                let (outside, space, lowered) = classify(block);
                let special = outside | (space & (space << 8 | u128::from(last_space) << 7));
                let plain = (special.trailing_zeros() as usize / 8).min(next_label - i);
                if plain > 0 {
                    f.linear(i);
                    let at = f.out.len();
                    f.out.extend_from_slice(&lowered);
                    f.out.truncate(at + plain);
                    last_space = space >> (8 * plain - 1) & 1 != 0;
                    i += plain;
                    if plain == BLOCK || i == next_label {
                        continue;
                    }
                }
                if bytes[i].is_ascii() {
                    // White space after white space, collapsed.
                    i += 1;
                    continue;
                }
            }
            let c = text[i..].chars().next().expect("char boundary");
            if c.is_whitespace() {
                if !last_space {
                    f.space(i);
                    last_space = true;
                }
            } else {
                let before = f.out.len();
                let (word, folded_word) = match Lookup::of(c) {
                    Some(entry) => {
                        if let Some(d) = entry.folded {
                            f.push(d);
                        }
                        (entry.word, entry.folded_word)
                    }
                    None => {
                        // Once both are known, the table lookups are skipped:
                        // in Greek or Cyrillic text they took a fifth of the time.
                        let known = original_unicode_words && folded_unicode_words;
                        let word = !known && regex_syntax::is_word_character(c);
                        let mut folded_word = false;
                        fold_char(c, |d| {
                            folded_word |= word && !d.is_ascii() && regex_syntax::is_word_character(d);
                            f.push(d);
                        });
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
        let text = String::from_utf8(f.out).expect("folding writes whole characters");
        Folded {
            text,
            marks: f.marks,
            original_unicode_words,
            folded_unicode_words,
            last_mark: Cell::new(0),
        }
    }

    /// The original byte offset of the character that produced folded byte
    /// `at`.
    fn original_offset(&self, at: usize) -> usize {
        self.marks[self.mark_of(at)].original_of(at)
    }

    /// The folded text's buffers, for the next document.
    pub(super) fn into_buffers(self) -> Buffers {
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

    /// The folded offsets of original bytes `offsets`, which must not
    /// decrease: for each, the first folded byte that comes from it or
    /// after it. One walk along the marks
    /// rather than a search per offset, for the thousands of segment
    /// boundaries of a transcript.
    pub(super) fn folded_offsets(&self, offsets: impl Iterator<Item = usize>) -> impl Iterator<Item = usize> {
        let mut k = 0;
        offsets.map(move |at| {
            while self.marks.get(k).is_some_and(|m| m.original as usize <= at) {
                k += 1;
            }
            self.folded_offset_at(k, at)
        })
    }

    /// The folded offset of original byte `at` (the first folded byte that
    /// comes from `at` or after it), given the number `k` of marks at or
    /// before `at`.
    fn folded_offset_at(&self, k: usize, at: usize) -> usize {
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
    pub(super) fn original(&self, original: &str, start: usize, end: usize) -> (usize, usize) {
        let k = self.mark_of(start);
        let s = self.marks[k].original_of(start);
        // Most matches lie within one mark's stretch: one search for both ends.
        let last = match self.marks.get(k + 1) {
            Some(next) if (next.folded as usize) < end => self.original_offset(end - 1),
            _ => self.marks[k].original_of(end - 1),
        };
        let len = original[last..].chars().next().map_or(0, char::len_utf8);
        (s, last + len)
    }

    /// The original character that produced the folded byte `at`.
    pub(super) fn original_char(&self, original: &str, at: usize) -> char {
        original[self.original_offset(at)..].chars().next().unwrap_or(' ')
    }
}

/// The folding of a character of the alphabets most transcripts use beyond
/// ASCII, looked up rather than computed: folding is the most frequent work
/// on non-ASCII text. A table covers U+0080 to U+07FF (Latin, where the
/// accented letters of Spanish and of most European languages live, Greek,
/// Cyrillic, Armenian, Hebrew, Arabic); the CJK ideographs, which fold to
/// themselves, need none.
#[derive(Debug, Clone, Copy)]
struct Lookup {
    /// The folded form: one character, or none (a lone combining mark).
    folded: Option<char>,
    /// Whether the character is a word character (for `\b`).
    word: bool,
    /// Whether its folded form is a non-ASCII word character.
    folded_word: bool,
}

impl Lookup {
    const RANGE: std::ops::Range<u32> = 0x80..0x800;
    const IDEOGRAPHS: std::ops::RangeInclusive<char> = '\u{4E00}'..='\u{9FFF}';

    fn of(c: char) -> Option<Lookup> {
        static TABLE: OnceLock<Vec<Option<Lookup>>> = OnceLock::new();
        let u = u32::from(c);
        if !Self::RANGE.contains(&u) {
            return Self::IDEOGRAPHS.contains(&c).then_some(Lookup {
                folded: Some(c),
                word: true,
                folded_word: true,
            });
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
                    (rest.is_none()).then(|| Lookup {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        /// The folded offset of each original character is the first folded
        /// byte that comes from it or from after it.
        #[test]
        fn folded_offsets_are_the_first_folded_bytes_from_there_on(
            parts in proptest::collection::vec("[a-zA-Z]{1,6}|[ \n\t]{1,3}|Ñandú|año|ß|İ|ﬁ|\u{a0}|e\u{301}", 0..40)
        ) {
            let text = parts.concat();
            let f = Folded::new(&text, &[]);
            let at: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let want = at.iter().map(|&o| {
                (0..f.text.len()).find(|&j| f.original_offset(j) >= o).unwrap_or(f.text.len())
            });
            proptest::prop_assert!(f.folded_offsets(at.iter().copied()).eq(want));
        }

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
        /// white space made one space (none at the start), and each speaker
        /// label a separator (none at the start, never two in a row),
        /// whatever the stretches of ASCII the fast paths skip over.
        #[test]
        fn folding_equals_a_character_by_character_fold(
            parts in proptest::collection::vec("[a-zA-Z0-9.,]{1,30}|[a-z ]{1,40}|[ \n\t\r]{1,3}| |Ñandú|año|ß|\u{a0}|\u{b}|\u{7f}|Ana: ", 0..40)
        ) {
            // Every `Ana: ` is a label.
            let text = parts.concat();
            let labels: Vec<(usize, usize)> = text
                .match_indices("Ana: ")
                .map(|(at, l)| (at, at + l.len()))
                .collect();
            let mut want = String::new();
            let mut last_space = true;
            let mut labels_left = labels.iter().peekable();
            for (at, c) in text.char_indices() {
                while labels_left.next_if(|l| at >= l.1).is_some() {}
                if let Some(label) = labels_left.peek().filter(|l| at >= l.0) {
                    if at == label.0 && want.chars().next_back().is_some_and(|c| c != '\0') {
                        want.push('\0');
                    }
                    last_space = true;
                    continue;
                }
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
            proptest::prop_assert_eq!(Folded::new(&text, &labels).text, want);
        }
    }

    /// Every byte, in every place of a block, is classified and lowered as
    /// the byte-by-byte tests have it, and its neighbours are left alone.
    #[test]
    fn blocks_are_classified_byte_by_byte() {
        for b in 0..=255u8 {
            for place in 0..BLOCK {
                for filler in [b'a', b'Q', b' ', b'\n', 0xC3] {
                    let mut block = [filler; BLOCK];
                    block[place] = b;
                    let (outside, space, lowered) = classify(block);
                    for (k, &c) in block.iter().enumerate() {
                        let top = |mask: u128| mask >> (8 * k + 7) & 1 == 1;
                        assert_eq!(top(outside), c >= 0x80, "{c:#x} at {k}");
                        assert_eq!(
                            top(space),
                            c.is_ascii() && char::from(c).is_whitespace(),
                            "{c:#x} at {k}"
                        );
                        if c.is_ascii() {
                            let want = if top(space) { b' ' } else { c.to_ascii_lowercase() };
                            assert_eq!(lowered[k], want, "{c:#x} at {k}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn looked_up_characters_fold_as_fold_char_does() {
        let ideographs = u32::from(*Lookup::IDEOGRAPHS.start())..=u32::from(*Lookup::IDEOGRAPHS.end());
        for c in (0x80..0x800).chain(ideographs).filter_map(char::from_u32) {
            let want = fold_str(&c.to_string());
            if let Some(known) = Lookup::of(c) {
                assert_eq!(known.folded.map(String::from).unwrap_or_default(), want, "{c:?}");
                assert_eq!(known.word, regex_syntax::is_word_character(c), "{c:?}");
                let folded_word = known.word
                    && want
                        .chars()
                        .any(|d| !d.is_ascii() && regex_syntax::is_word_character(d));
                assert_eq!(known.folded_word, folded_word, "{c:?}");
            } else {
                assert!(want.chars().count() > 1, "{c:?}");
            }
        }
        assert!(Lookup::of('a').is_none() && Lookup::of('ő').is_some() && Lookup::of('ж').is_some());
        assert!(Lookup::of('ά').is_some_and(|k| k.folded == Some('α')) && Lookup::of('ก').is_none());
        assert!(Lookup::of('钱').is_some() && Lookup::of('ア').is_none());
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
