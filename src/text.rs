//! Text normalisation shared by every reader.
//!
//! Every document is stored once, normalised: Unicode NFC (macOS and some
//! transcription tools write decomposed accents, which would otherwise never
//! match a keyword typed on another machine) and `\n` line endings (CRLF and
//! lone CR are accepted on input). All offsets qcode reports — characters,
//! lines — refer to this normalised text.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// NFC-normalises `raw` and turns CRLF and lone CR into LF.
pub fn normalize(raw: &str) -> String {
    let unified: std::borrow::Cow<str> = if raw.contains('\r') {
        std::borrow::Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(raw)
    };
    match is_nfc_quick(unified.chars()) {
        IsNormalized::Yes => unified.into_owned(),
        _ => unified.nfc().collect(),
    }
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
