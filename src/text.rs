//! Text normalisation shared by every reader.
//!
//! Every document is stored once, normalised: Unicode NFC (macOS and some
//! transcription tools write decomposed accents, which would otherwise never
//! match a keyword typed on another machine) and `\n` line endings (CRLF and
//! lone CR are accepted on input). All offsets qcode reports — characters,
//! lines — refer to this normalised text.

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// NFC-normalises `raw` and turns CRLF and lone CR into LF.
pub fn normalize(raw: &str) -> String {
    let unified: std::borrow::Cow<str> = if raw.contains('\r') {
        std::borrow::Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(raw)
    };
    if is_nfc(&unified) {
        unified.into_owned()
    } else {
        unified.nfc().collect()
    }
}

/// Whether `s` is certainly in NFC, checking only the characters that can
/// matter. Characters below U+0300 are in NFC whatever surrounds them and
/// have no combining class, and their UTF-8 bytes are all below 0xCC; a
/// text is in NFC when every other character also passes the quick check on
/// its own with combining class 0. Anything else is normalised in full.
fn is_nfc(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut at = 0;
    while let Some(k) = bytes[at..].iter().position(|&b| b >= 0xCC) {
        // 0xCC and above are lead bytes: a character starts here.
        let start = at + k;
        let c = s[start..].chars().next().expect("char boundary");
        if canonical_combining_class(c) != 0 || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes {
            return false;
        }
        at = start + c.len_utf8();
    }
    true
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
        self.chars += self.text[self.byte..at].chars().count();
        self.byte = at;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_become_lf() {
        assert_eq!(normalize("a\r\nb\rc\n"), "a\nb\nc\n");
    }

    #[test]
    fn decomposed_accents_are_composed() {
        assert_eq!(normalize("pre\u{301}stamo"), "préstamo");
        assert_eq!(normalize("“ya” — ñ 🙏🏽 n\u{303}"), "“ya” — ñ 🙏🏽 ñ");
        assert_eq!(normalize("\u{212B}"), "\u{C5}", "singletons are replaced");
    }

    proptest::proptest! {
        #[test]
        fn normalize_is_nfc(s in "[a-zñé\u{300}-\u{36f}\u{1100}-\u{1175}\u{ac00}-\u{ac10}\u{212b}“—🙏 \r\n]{0,40}") {
            let want: String = s.replace("\r\n", "\n").replace('\r', "\n").nfc().collect();
            proptest::prop_assert_eq!(normalize(&s), want);
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
