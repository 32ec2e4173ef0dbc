//! Finding where amounts may be, fast: *marks* (a digit, a currency sign,
//! a currency word, a money word), around which the grammar is run.
//!
//! Every amount holds a mark or follows one closely: digits, a currency, or
//! (for a bare number in words) a money word a few words before. One
//! Aho-Corasick automaton finds the marks in a single pass over the bytes;
//! a *stretch* of text is then cut into tokens from a few words before a
//! mark (as many as an amount may start before a mark of its kind) until
//! [`TOKENS_AFTER`] words or numbers have passed without another mark (see
//! `tokens::tokenize`), and the search for marks goes on after it. The text far from any mark, most of it, is never cut
//! into words, and no byte is read twice.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};

use super::lexicon::{Lex, classify, is_mark, mark_prefixes, read_word};

/// How many words before a currency word (or `grand`) a stretch starts:
/// room for an amount in words before it, with a qualifier and a range
/// (`más o menos entre tres mil quinientos y cuatro mil quinientos
/// dólares` has 11 words before `dólares`).
const WORDS_BEFORE_CURRENCY: usize = 16;

/// How many words before digits or a currency sign a stretch starts: room
/// for qualifiers and a range opener (`más o menos entre 3`, `por lo menos
/// unos $`) and the word before them, which may make the number a date or
/// an age.
const WORDS_BEFORE_NUMBER: usize = 6;

/// How many words before a money word a stretch starts: the amounts it
/// vouches for come after it.
const WORDS_BEFORE_MONEY: usize = 1;

/// How many words or numbers without a mark end a stretch: room for a bare
/// amount in words a few words after its money word (`nos cobró el señor
/// ciento veinticinco mil quinientos`), or for an amount after its currency
/// sign.
pub(super) const TOKENS_AFTER: usize = 16;

/// The currency signs that mark an amount by themselves.
pub(super) const SIGNS: &str = "$€₡";

fn automaton() -> &'static AhoCorasick {
    static AUTOMATON: OnceLock<AhoCorasick> = OnceLock::new();
    AUTOMATON.get_or_init(|| {
        let digits = (b'0'..=b'9').map(|d| char::from(d).to_string());
        let patterns: Vec<String> = digits
            .chain(SIGNS.chars().map(String::from))
            .chain(mark_prefixes())
            .collect();
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::DFA))
            .build(patterns)
            .expect("the mark patterns are few and short")
    })
}

/// A mark found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Mark {
    /// Its byte range.
    pub range: Range<usize>,
    /// How many words before it an amount may start.
    pub words_before: usize,
}

/// The first mark of `text` at or after byte `from` (a character
/// boundary).
pub(super) fn next_mark(text: &str, mut from: usize) -> Option<Mark> {
    let bytes = text.as_bytes();
    while from < bytes.len() {
        let found = automaton().find(Input::new(text).span(from..bytes.len()))?;
        let start = found.start();
        let first = bytes[start];
        if !first.is_ascii_alphabetic() {
            // A digit (the tokenizer reads the whole number) or a sign.
            return Some(Mark {
                range: start..found.end(),
                words_before: WORDS_BEFORE_NUMBER,
            });
        }
        let (len, folded) = read_word(&text[start..]);
        let lex = folded.map_or(Lex::Other, classify);
        if is_mark(lex) && starts_word(text, start) {
            let words_before = if lex == Lex::Money {
                WORDS_BEFORE_MONEY
            } else {
                WORDS_BEFORE_CURRENCY
            };
            return Some(Mark {
                range: start..start + len,
                words_before,
            });
        }
        from = start + len;
    }
    None
}

/// Whether a word starts at `at`: no letter just before.
fn starts_word(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_none_or(|c| !c.is_alphabetic())
}

/// The start of the `n`th word (run of non-white-space bytes) before
/// `at`, but not before `floor` (a character boundary, where the previous
/// stretch ended: walking back no further keeps the whole scan linear).
/// Always `floor` or just after an ASCII white space byte, so on a
/// character boundary.
pub(super) fn words_back(text: &str, at: usize, n: usize, floor: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = at;
    for _ in 0..n {
        while i > floor && bytes[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        while i > floor && !bytes[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str) -> Vec<&str> {
        let mut from = 0;
        let mut found = Vec::new();
        while let Some(mark) = next_mark(text, from) {
            found.push(&text[mark.range.clone()]);
            from = mark.range.end;
        }
        found
    }

    #[test]
    fn marks_are_digits_signs_currencies_and_money_words() {
        assert_eq!(
            marked("Nos COBRARON 1,5 Dólares y $2, la familia pagó en quetzales"),
            ["COBRARON", "1", "5", "Dólares", "$", "2", "pagó", "quetzales"]
        );
        // Words merely starting like a mark are not marks.
        assert!(marked("página de la costa, Europa, repagar, pesado").is_empty());
    }

    #[test]
    fn amounts_start_closer_to_money_words_than_to_currencies() {
        let before = |text: &str| next_mark(text, 0).unwrap().words_before;
        assert_eq!(before("dos mil dólares"), WORDS_BEFORE_CURRENCY);
        assert_eq!(before("unos 5"), WORDS_BEFORE_NUMBER);
        assert_eq!(before("unos $"), WORDS_BEFORE_NUMBER);
        assert_eq!(before("nos cobraron"), WORDS_BEFORE_MONEY);
    }

    #[test]
    fn words_back_counts_white_space_separated_words() {
        let text = "uno dos  tres\ncuatro";
        assert_eq!(words_back(text, text.len(), 2, 0), text.find("tres").unwrap());
        assert_eq!(words_back(text, text.len(), 10, 0), 0);
        assert_eq!(words_back(text, text.len(), 10, 4), 4);
    }
}
