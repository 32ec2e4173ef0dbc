//! Text normalisation shared by every reader.
//!
//! Every document is stored once, normalised: Unicode NFC (macOS and some
//! transcription tools write decomposed accents, which would otherwise never
//! match a keyword typed on another machine) and `\n` line endings (CRLF and
//! lone CR are accepted on input). All offsets qcode reports — characters,
//! lines — refer to this normalised text.

use std::sync::OnceLock;

use unicode_normalization::char::{canonical_combining_class, decompose_canonical, is_combining_mark};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// NFC-normalises `raw` and turns CRLF and lone CR into LF.
pub fn normalize(raw: &str) -> String {
    normalize_owned(raw.to_string())
}

/// [`normalize`] for a text the caller owns: one already normalised (as
/// most are) is returned as it is, without a copy.
pub fn normalize_owned(mut text: String) -> String {
    // `memchr` rather than `str::contains`: vector instructions, and this
    // reads every byte of every document.
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        text = unify_line_endings(&text);
    }
    match next_unstable(&text, 0) {
        None => text,
        Some(first) => compose(&text, first),
    }
}

/// `s` with CRLF and lone CR turned into LF, in one pass.
fn unify_line_endings(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\r') {
        out.push_str(&rest[..at]);
        out.push('\n');
        rest = &rest[at + 1..];
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
    out
}

/// Whether `c` is a *stable* character: in NFC on its own (quick check)
/// with combining class 0. Nothing before a stable character ever combines
/// with what follows it, so the text splits there for normalisation, and a
/// text of stable characters only is in NFC. All characters below U+0300
/// are stable.
fn is_stable(c: char) -> bool {
    // Greek, Cyrillic, Armenian, Hebrew and Arabic letters (U+0370 to
    // U+07FF) are looked up: computed, the checks took a sixth of the time
    // of a Cyrillic corpus.
    const TABLED: std::ops::Range<u32> = 0x300..0x800;
    static TABLE: OnceLock<Vec<bool>> = OnceLock::new();
    let u = u32::from(c);
    if u < TABLED.start {
        return true;
    }
    if !TABLED.contains(&u) {
        return computed_stable(c);
    }
    let table = TABLE.get_or_init(|| TABLED.map(|u| char::from_u32(u).is_some_and(computed_stable)).collect());
    table[(u - TABLED.start) as usize]
}

fn computed_stable(c: char) -> bool {
    canonical_combining_class(c) == 0 && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// The byte offset of the first character from `from` on that is not
/// stable.
fn next_unstable(s: &str, from: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut at = from;
    while let Some(start) = next_lead_byte(bytes, at) {
        // 0xCC and above are lead bytes: a character starts here.
        let c = s[start..].chars().next().expect("char boundary");
        if !is_stable(c) {
            return Some(start);
        }
        at = start + c.len_utf8();
    }
    None
}

/// The position of the first byte from `from` on that is 0xCC or above:
/// characters from U+0300 on start with such a byte. Blocks without one,
/// most of any text, are skipped by their maximum byte, which the compiler
/// computes with vector instructions (a `max()` returning an `Option`
/// defeats that; a fold does not).
fn next_lead_byte(bytes: &[u8], from: usize) -> Option<usize> {
    const BLOCK: usize = 32;
    let rest = &bytes[from..];
    let (blocks, _) = rest.as_chunks::<BLOCK>();
    let skip = BLOCK
        * blocks
            .iter()
            .take_while(|b| b.iter().fold(0, |m, &x| m.max(x)) < 0xCC)
            .count();
    rest[skip..].iter().position(|&b| b >= 0xCC).map(|k| from + skip + k)
}

/// `s` in NFC, given the first unstable character. Only the stretches from
/// the stable character before each unstable one to the next stable
/// character are normalised; the rest is copied.
fn compose(s: &str, first: usize) -> String {
    let mut out = String::with_capacity(s.len());
    let mut done = 0;
    let mut unstable = Some(first);
    while let Some(at) = unstable {
        let start = s[done..at].char_indices().next_back().map_or(at, |(i, _)| done + i);
        let end = s[at..]
            .char_indices()
            .find(|&(_, c)| is_stable(c))
            .map_or(s.len(), |(i, _)| at + i);
        out.push_str(&s[done..start]);
        out.extend(s[start..end].nfc());
        done = end;
        unstable = next_unstable(s, done);
    }
    out.push_str(&s[done..]);
    out
}

/// Decodes the character references that web exporters leave in Markdown
/// and subtitles: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`,
/// `&lrm;`, `&rlm;` and numeric ones (`&#39;`, `&#x27;`); anything else is
/// left as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let entity = rest[1..].find(';').filter(|&j| j <= 10).map(|j| &rest[1..=j]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some("&".to_string()),
            "lt" => Some("<".to_string()),
            "gt" => Some(">".to_string()),
            "quot" => Some("\"".to_string()),
            "apos" => Some("'".to_string()),
            "nbsp" => Some(" ".to_string()),
            "lrm" | "rlm" => Some(String::new()),
            _ => {
                let n = e.strip_prefix("#x").or_else(|| e.strip_prefix("#X"));
                let code = match n {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => e.strip_prefix('#').and_then(|d| d.parse().ok()),
                };
                code.and_then(char::from_u32).filter(|&c| c != '\0').map(String::from)
            }
        });
        match (entity, decoded) {
            (Some(e), Some(d)) => {
                out.push_str(&d);
                rest = &rest[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Strips a leading UTF-8 byte-order mark.
pub fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

/// Converts byte offsets of one text into character offsets, in order.
///
/// Offsets are asked for in increasing order almost everywhere (segments,
/// hits), so this walks forward from the last answer instead of rescanning
/// from the start; asking for an earlier offset restarts the walk.
pub struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    /// A counter over `text`, starting at its beginning.
    pub fn new(text: &'a str) -> Self {
        CharCounter {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The number of characters before byte offset `at` (a char boundary).
    pub fn char_at(&mut self, at: usize) -> usize {
        if at < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += count_chars(&self.text.as_bytes()[self.byte..at]);
        self.byte = at;
        self.chars
    }
}

/// The number of characters in `bytes` (whole UTF-8 characters): the
/// bytes that do not continue a character.
fn count_chars(bytes: &[u8]) -> usize {
    count_bytes(bytes, |b| (b as i8) >= -64)
}

/// The number of bytes of `bytes` for which `which` holds. Counting each
/// block of 255 bytes in a `u8` lets the compiler use vector instructions
/// (a `usize` count per byte, as `filter().count()` keeps, does not
/// vectorise), with less overhead per call than the standard library's
/// counts, made for long strings, on the few hundred bytes between segment
/// boundaries.
pub(crate) fn count_bytes(bytes: &[u8], which: impl Fn(u8) -> bool) -> usize {
    bytes
        .chunks(255)
        .map(|block| usize::from(block.iter().fold(0u8, |n, &b| n + u8::from(which(b)))))
        .sum()
}

/// The byte ranges of the lines of `text`, without their `\n` (as
/// `text.split('\n')` gives them, but found with vector instructions).
pub fn line_ranges(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .chain([text.len()])
        .map(move |end| {
            let range = (start, end);
            start = end + 1;
            range
        })
}

/// The candidate closest to `word` by edit distance, if close enough to be a
/// plausible typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .map(|c| (edit_distance(&word, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(3) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_become_lf() {
        assert_eq!(normalize("a\r\nb\rc\n"), "a\nb\nc\n");
    }

    #[test]
    fn unchanged_text_is_not_copied() {
        let text = "P03: “ya” — año 🙏🏽\n".repeat(20);
        let ptr = text.as_ptr();
        let normalized = normalize_owned(text);
        assert_eq!(normalized.as_ptr(), ptr);
    }

    #[test]
    fn decomposed_accents_are_composed() {
        assert_eq!(normalize("pre\u{301}stamo"), "préstamo");
        assert_eq!(normalize("“ya” — ñ 🙏🏽 n\u{303}"), "“ya” — ñ 🙏🏽 ñ");
        assert_eq!(normalize("\u{212B}"), "\u{C5}", "singletons are replaced");
        let long = "Año de la pandemia, cuando todo cerró. ".repeat(3);
        assert_eq!(
            normalize(&format!("{long}pre\u{301}stamo {long}n\u{303} {long}")),
            format!("{long}préstamo {long}ñ {long}")
        );
    }

    proptest::proptest! {
        #[test]
        fn normalize_is_nfc(s in "[a-zñé\u{300}-\u{36f}\u{370}-\u{4ff}\u{591}-\u{5c7}\u{64b}-\u{65f}\u{1100}-\u{1175}\u{11a8}-\u{11c2}\u{ac00}-\u{ac10}\u{212b}“—🙏 \r\n]{0,80}") {
            let want: String = s.replace("\r\n", "\n").replace('\r', "\n").nfc().collect();
            proptest::prop_assert_eq!(normalize(&s), want);
        }

        /// Counted in blocks, over block edges too, as the standard library
        /// counts.
        #[test]
        fn chars_are_counted_as_chars(s in "[aé€🙏 ]{0,600}") {
            proptest::prop_assert_eq!(count_chars(s.as_bytes()), s.chars().count());
        }
    }

    #[test]
    fn char_counter_walks_forward_and_back() {
        let text = "año más";
        let mut c = CharCounter::new(text);
        assert_eq!(c.char_at(0), 0);
        assert_eq!(c.char_at(4), 3);
        assert_eq!(c.char_at(text.len()), 7);
        assert_eq!(c.char_at(1), 1);
    }
}

/// `s` without its accents: each character decomposed and its combining
/// marks dropped (`dólares` → `dolares`, `ñ` → `n`); how patterns written
/// without accents are matched.
pub fn strip_accents(s: &str) -> String {
    strip_accents_mapped(s).0
}

/// [`strip_accents`], with, per byte of the result and one past its end,
/// the byte offset in `s` of the character it came from, so that a match
/// in the result is a span of `s`.
pub fn strip_accents_mapped(s: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len() + 1);
    for (at, c) in s.char_indices() {
        let before = out.len();
        if c.is_ascii() {
            out.push(c);
        } else {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            });
        }
        map.resize(map.len() + out.len() - before, at);
    }
    map.push(s.len());
    (out, map)
}

#[cfg(test)]
mod accent_tests {
    use super::*;

    #[test]
    fn accents_are_stripped_and_spans_map_back() {
        let text = "Pagó 3 mil dólares, ñandú";
        let (folded, map) = strip_accents_mapped(text);
        assert_eq!(folded, "Pago 3 mil dolares, nandu");
        let at = folded.find("dolares").unwrap();
        let (start, end) = (map[at], map[at + "dolares".len()]);
        assert_eq!(&text[start..end], "dólares");
        assert_eq!(map[folded.len()], text.len());
    }
}

/// `n` and the noun, in the plural unless `n` is 1: "1 document",
/// "2 documents", "3 categories".
pub fn counted(n: impl std::fmt::Display, noun: &str) -> String {
    let n = n.to_string();
    if n == "1" {
        return format!("1 {noun}");
    }
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}
