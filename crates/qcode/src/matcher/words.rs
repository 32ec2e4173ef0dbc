//! Words of the folded text, as every rule counts them: runs of letters
//! and digits. Keywords must start and end at word boundaries, wildcards
//! stop at them, and `near` counts words between terms.

/// A word character: a letter or a digit of any script. `_` and joiners are
/// not: `\w` would take them, and users never mean them in a word.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether a word cannot go on across `at` from the left.
pub(super) fn boundary_before(text: &str, at: usize) -> bool {
    match text.as_bytes()[..at].last() {
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        _ => !text[..at].chars().next_back().is_some_and(is_word_char),
    }
}

/// Whether a word cannot go on across `at` to the right.
pub(super) fn boundary_after(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        _ => !text[at..].chars().next().is_some_and(is_word_char),
    }
}

/// The start of the word that goes on to `at`.
pub(super) fn word_start(text: &str, mut at: usize) -> usize {
    while let Some(c) = text[..at].chars().next_back() {
        if !is_word_char(c) {
            break;
        }
        at -= c.len_utf8();
    }
    at
}

/// The end of the word that starts at or goes on from `at`.
pub(super) fn word_end(text: &str, mut at: usize) -> usize {
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
pub(super) fn word_distance(folded: &str, a: usize, b: usize, limit: u32) -> u32 {
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
