//! Keywords found word by word rather than byte by byte.
//!
//! Why: one Aho-Corasick automaton over hundreds of keywords is larger than
//! the processor's fastest cache, and walking it waits on a memory load at
//! every byte of the text. But keywords match whole words (or the start of
//! a word, with `*`), so each can be looked for from one of its own words,
//! its *anchor*: the text's words are found eight bytes at a time, the first
//! four bytes of each are looked up in a small hash table, and only the
//! words found there are compared with the keywords they anchor.
//!
//! A keyword's anchor is its most telling word: the longest (`smuggler` in
//! `pay the smuggler`), so that `the` or `el`, in every other sentence,
//! seldom sends a keyword to be compared. Keywords without a usable anchor
//! (`*smuggl*`, a word of one or two letters followed by `*`, words in other
//! scripts) are left to an automaton; they are few.
//!
//! Here a *word* is a run of ASCII letters and digits. Folded text is mostly
//! that; where it is not, a word boundary in the matcher's (Unicode) sense
//! is always a boundary here too, so no match is missed, and candidates the
//! Unicode rules reject are rejected by the matcher's own checks.

use std::collections::BTreeMap;

/// The keywords that have an anchor, indexed by it.
#[derive(Debug)]
pub(super) struct Anchors {
    /// A cuckoo table (see [`cuckoo`]); a key of 0 marks an empty
    /// slot (no word holds a NUL byte).
    table: Vec<Slot>,
    shift: u32,
    /// Per distinct key, its range in `entries`.
    groups: Vec<(u32, u32)>,
    entries: Vec<Entry>,
    /// The keywords' folded literals, by literal id.
    literals: Vec<Box<[u8]>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    key: u32,
    group: u32,
}

/// A literal anchored by a word: where that word starts in it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    literal: u32,
    offset: u32,
}

/// How a literal is to be found: the literal's bytes, and whether some use
/// of it lets its first (`open_start`) or last (`open_end`) word go on in
/// the text.
pub(super) struct Literal<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) open_start: bool,
    pub(super) open_end: bool,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// The key of a word that starts with `prefix` (at most four bytes, all of
/// the word when it is shorter).
fn key_of(prefix: &[u8]) -> u32 {
    let mut k = [0u8; 4];
    k[..prefix.len()].copy_from_slice(prefix);
    u32::from_le_bytes(k)
}

/// Keeps the first `len` bytes (0 to 4) of a little-endian key.
const KEEP: [u32; 5] = [0, 0xff, 0xffff, 0xff_ffff, 0xffff_ffff];

/// The two places of `key` in a table of `1 << (32 - shift)` slots.
fn places(key: u32, shift: u32) -> [usize; 2] {
    [
        (key.wrapping_mul(0x9e37_79b1) >> shift) as usize,
        (key.wrapping_mul(0x85eb_ca6b) >> shift) as usize,
    ]
}

/// A cuckoo table of `keys` (with their group numbers) in `size` slots,
/// each key in one of its two [`places`]; `None` if they do not fit.
fn cuckoo(keys: &[u32], size: usize) -> Option<Vec<Slot>> {
    let shift = 32 - size.trailing_zeros();
    let mut table = vec![Slot::default(); size];
    for (group, &key) in keys.iter().enumerate() {
        let mut item = Slot {
            key,
            group: group as u32,
        };
        let mut side = 0;
        let mut kicks = 0;
        loop {
            let [a, b] = places(item.key, shift);
            if let Some(free) = [a, b].into_iter().find(|&i| table[i].key == 0) {
                table[free] = item;
                break;
            }
            // Both taken: the item takes one place, and its occupant moves
            // to its own other place.
            kicks += 1;
            if kicks > 2 * size {
                return None;
            }
            let at = [a, b][side];
            std::mem::swap(&mut table[at], &mut item);
            side = usize::from(places(item.key, shift)[0] == at);
        }
    }
    Some(table)
}

impl Anchors {
    /// Indexes the literals that have an anchor; returns the ids of those
    /// that have none.
    pub(super) fn new(literals: &[Literal<'_>]) -> (Anchors, Vec<usize>) {
        let mut by_key: BTreeMap<u32, Vec<Entry>> = BTreeMap::new();
        let mut unanchored = Vec::new();
        for (id, lit) in literals.iter().enumerate() {
            let Some((offset, keys)) = anchor(lit) else {
                unanchored.push(id);
                continue;
            };
            for key in keys {
                by_key.entry(key).or_default().push(Entry {
                    literal: id as u32,
                    offset: offset as u32,
                });
            }
        }
        // Each key sits in one of two places, so a word of the text, which
        // is most often no key, is looked up with two loads and no loop
        // whose length the processor would have to guess. Four slots per
        // key leave room to spare; a thousand keywords take 32 KB, which
        // stays in the fastest cache.
        let (mut groups, mut entries) = (Vec::new(), Vec::new());
        let mut keys = Vec::new();
        for (key, list) in by_key {
            keys.push(key);
            groups.push((entries.len() as u32, (entries.len() + list.len()) as u32));
            entries.extend(list);
        }
        let mut size = (keys.len() * 4).next_power_of_two().max(16);
        let table = loop {
            match cuckoo(&keys, size) {
                Some(table) => break table,
                None => size *= 2,
            }
        };
        let shift = 32 - size.trailing_zeros();
        let anchors = Anchors {
            table,
            shift,
            groups,
            entries,
            literals: literals.iter().map(|l| l.bytes.into()).collect(),
        };
        (anchors, unanchored)
    }

    /// The length of literal `id`.
    pub(super) fn len(&self, id: usize) -> usize {
        self.literals[id].len()
    }

    /// Whether no literal has an anchor.
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn lookup(&self, key: u32) -> Option<&[Entry]> {
        let [a, b] = places(key, self.shift);
        let (x, y) = (self.table[a], self.table[b]);
        let group = if x.key == key {
            x.group
        } else if y.key == key {
            y.group
        } else {
            return None;
        };
        let (from, to) = self.groups[group as usize];
        Some(&self.entries[from as usize..to as usize])
    }

    /// Calls `found(literal, start)` for every place in `text` where an
    /// anchored literal occurs with its anchor on a whole word of the text:
    /// every occurrence whose word boundaries its uses may accept, and some
    /// more. `bits` is scratch space.
    pub(super) fn scan(&self, text: &[u8], bits: &mut Vec<u64>, mut found: impl FnMut(usize, usize)) {
        if self.is_empty() {
            return;
        }
        word_bits(text, bits);
        let mut carry = 0;
        for w in 0..bits.len() - 1 {
            let m = bits[w];
            let mut starts = m & !((m << 1) | carry);
            carry = m >> 63;
            // The next block's bits, for words that run on into it.
            let next = bits[w + 1];
            while starts != 0 {
                let b = starts.trailing_zeros();
                starts &= starts - 1;
                let at = w * 64 + b as usize;
                let ahead = (m >> b) | (next << (63 - b) << 1);
                let len = (!ahead).trailing_zeros().min(4) as usize;
                let key = load4(text, at) & KEEP[len];
                let Some(entries) = self.lookup(key) else {
                    continue;
                };
                for e in entries {
                    let Some(start) = at.checked_sub(e.offset as usize) else {
                        continue;
                    };
                    let literal = &self.literals[e.literal as usize];
                    if text.get(start..start + literal.len()) == Some(literal) {
                        found(e.literal as usize, start);
                    }
                }
            }
        }
    }
}

/// The four bytes at `at`, little-endian, zeros past the end.
fn load4(text: &[u8], at: usize) -> u32 {
    match text.get(at..at + 4) {
        Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        None => key_of(&text[at..]),
    }
}

/// The anchor of a literal: its offset in the literal, and the keys under
/// which the text's words that may hold it are found. `None` when it has
/// no word that is whole in every match, nor a starting word of three bytes
/// or more.
fn anchor(lit: &Literal<'_>) -> Option<(usize, Vec<u32>)> {
    let bytes = lit.bytes;
    let mut best: Option<(usize, usize, usize, bool)> = None; // (rank, start, end, whole)
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        // A word at the literal's edge is whole in the text only when the
        // matcher requires a boundary there; a last word followed by `*`
        // is the start of a word of the text.
        let known_start = start > 0 || !lit.open_start;
        let whole = known_start && (i < bytes.len() || !lit.open_end);
        let prefix = known_start && !whole && i - start >= 3;
        if !whole && !prefix {
            continue;
        }
        // Only the first four bytes make the key: beyond them, a longer
        // word is no rarer a key. A whole word wins a tie.
        let rank = 2 * (i - start).min(4) + usize::from(whole);
        if best.is_none_or(|b| rank >= b.0) {
            best = Some((rank, start, i, whole));
        }
    }
    let (_, start, end, whole) = best?;
    let word = &bytes[start..end];
    let head = &word[..word.len().min(4)];
    let mut keys = vec![key_of(head)];
    if !whole && word.len() == 3 {
        // Words of the text that start with these three bytes: the word
        // itself, and every longer one by its fourth byte.
        keys.extend(
            (0..=255u8)
                .filter(|&b| is_word_byte(b))
                .map(|b| key_of(&[word[0], word[1], word[2], b])),
        );
    }
    Some((start, keys))
}

/// Sets, per 64 bytes of `text`, one bit per byte that is part of a word;
/// one more, empty, block follows the last.
fn word_bits(text: &[u8], bits: &mut Vec<u64>) {
    bits.clear();
    let (blocks, rest) = text.as_chunks::<64>();
    bits.extend(blocks.iter().map(|block| {
        let (words, _) = block.as_chunks::<8>();
        words
            .iter()
            .enumerate()
            .fold(0, |m, (j, &w)| m | word_flags(u64::from_le_bytes(w)) << (8 * j))
    }));
    if !rest.is_empty() {
        let mut m = 0;
        for (j, &b) in rest.iter().enumerate() {
            m |= u64::from(is_word_byte(b)) << j;
        }
        bits.push(m);
    }
    bits.push(0);
}

/// Eight bits, one per byte of `x` (least significant first), set for the
/// ASCII letters and digits: each byte is compared with the ranges by one
/// subtraction on all eight at once.
fn word_flags(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let ascii = !x & HIGH;
    // With the high bit set, subtracting a byte below 0x80 borrows from no
    // neighbour; the high bit stays set when the byte was at least that.
    let at_least = |v: u64, lo: u8| (v | HIGH).wrapping_sub(ONES * u64::from(lo)) & HIGH;
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    let lower = x | (ONES * 0x20);
    let letter = at_least(lower, b'a') & !at_least(lower, b'z' + 1);
    let flags = (digit | letter) & ascii;
    // Gathers the eight high bits into the top byte.
    ((flags >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn word_flags_match_the_byte_test() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let x = u64::from(b) << (8 * pos) | 0x2020_2020_2020_2020 & !(0xff << (8 * pos));
                assert_eq!(word_flags(x), u64::from(is_word_byte(b)) << pos, "byte {b:#x} at {pos}");
            }
        }
    }

    #[test]
    fn the_anchor_is_the_longest_whole_word() {
        let lit = |s: &'static str, open_start, open_end| Literal {
            bytes: s.as_bytes(),
            open_start,
            open_end,
        };
        assert_eq!(anchor(&lit("pay the smuggler", false, false)).unwrap().0, 8);
        // The start of a word, when it is longer, beats a whole word...
        assert_eq!(anchor(&lit("the way north", false, true)).unwrap().0, 8);
        // ...but not one of four bytes or more.
        assert_eq!(anchor(&lit("road trip", false, true)).unwrap().0, 0);
        assert_eq!(anchor(&lit("cross", false, true)).unwrap(), (0, vec![key_of(b"cros")]));
        assert_eq!(anchor(&lit("owe", false, true)).unwrap().1.len(), 63);
        assert!(anchor(&lit("smuggl", true, true)).is_none());
        assert!(anchor(&lit("ow", false, true)).is_none());
        assert!(anchor(&lit("деньги", false, false)).is_none());
        assert_eq!(anchor(&lit("$5", false, false)).unwrap().0, 1);
    }

    /// Every occurrence of a literal with a boundary (in the matcher's
    /// sense) at each end that its flags do not leave open.
    fn wanted(text: &str, lits: &[(String, bool, bool)]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (id, (l, open_start, open_end)) in lits.iter().enumerate() {
            for (start, _) in text.char_indices() {
                if text[start..].starts_with(l.as_str())
                    && (*open_start || super::super::words::boundary_before(text, start))
                    && (*open_end || super::super::words::boundary_after(text, start + l.len()))
                {
                    out.push((id, start));
                }
            }
        }
        out.sort();
        out
    }

    proptest! {
        /// Every key of a cuckoo table is in one of its two places with its
        /// own group, even in a table too full for comfort; a build that
        /// fails is retried in a table twice as large, as `Anchors::new`
        /// does, and succeeds before the table grows absurd (two keys may
        /// share both places in a small table, never in every size).
        #[test]
        fn every_key_is_in_one_of_its_places(
            keys in proptest::collection::btree_set(1u32.., 1..600),
            spare in 0usize..3,
        ) {
            let keys: Vec<u32> = keys.into_iter().collect();
            let mut size = (keys.len() << spare).next_power_of_two().max(16);
            let table = loop {
                if let Some(table) = cuckoo(&keys, size) {
                    break table;
                }
                size *= 2;
                prop_assert!(size <= 64 * keys.len().next_power_of_two().max(16), "{} keys did not fit in {} slots", keys.len(), size / 2);
            };
            let shift = 32 - size.trailing_zeros();
            prop_assert_eq!(table.iter().filter(|s| s.key != 0).count(), keys.len());
            for (group, &key) in keys.iter().enumerate() {
                let found = places(key, shift).into_iter().find(|&i| table[i].key == key);
                prop_assert_eq!(found.map(|i| table[i].group), Some(group as u32));
            }
        }

        #[test]
        fn finds_every_occurrence_the_matcher_may_keep(
            text in "[ab1 ñ.\u{3b1}-]{0,150}",
            lits in proptest::collection::vec(("[ab1ñ\u{3b1}][ab1 ñ\u{3b1}-]{0,5}", any::<bool>(), any::<bool>()), 1..6),
        ) {
            let literals: Vec<Literal<'_>> = lits
                .iter()
                .map(|(l, s, e)| Literal { bytes: l.as_bytes(), open_start: *s, open_end: *e })
                .collect();
            let (anchors, unanchored) = Anchors::new(&literals);
            let mut got = Vec::new();
            anchors.scan(text.as_bytes(), &mut Vec::new(), |id, start| got.push((id, start)));
            // The unanchored ones are the automaton's.
            let want: Vec<_> = wanted(&text, &lits).into_iter().filter(|(id, _)| !unanchored.contains(id)).collect();
            for w in &want {
                prop_assert!(got.contains(w), "missed {:?} in {:?}", w, text);
            }
            // Each found once, and each a real occurrence.
            let mut sorted = got.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), got.len());
            for &(id, start) in &got {
                prop_assert!(text.as_bytes()[start..].starts_with(lits[id].0.as_bytes()));
            }
        }
    }
}
